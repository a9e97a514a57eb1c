#!/bin/bash
set -e
CMD="${1:?}"
## 端末設定
# 端末名
NODES=("c0" "c1")
# 端末のIPアドレス
NODE_IPS=("10.0.1.1/24" "10.0.2.1/24")
## NAT設定
# 端末側のNATのIPアドレス
NAT_FOR_NODE_IPS=("10.0.1.100/24" "10.0.2.100/24")
# インターネット側のNATのIPアドレス
NAT_FOR_INET_IPS=("100.64.1.100/24" "100.64.2.100/24")
## インターネット設定
# インターネット側のIPアドレス
INET_FOR_NAT_IPS=("100.64.1.254/24" "100.64.2.254/24")
# インターネットのnamespace
INET="inet"
# NAT種別
NAT_TYPES=("fullcone" "restcone")
# NATのiptables設定
function set_iptables_for_nat() {
    local idx=${1:?}
    local type=${NAT_TYPES[$idx]}
    # 端末のnamespace、veth、IP
    local node_ns="ns-${NODES[$idx]}"
    local node_veth="ve-${NODES[$idx]}"
    local node_ip="${NODE_IPS[$idx]}"
    node_ip="${node_ip%/*}"
    # NATのnamespaceとveth
    local nat_ns="${node_ns}-nat"
    local nat_for_node_veth="${node_veth}-nat-node"
    local nat_for_inet_veth="${node_veth}-nat-inet"
    # 端末向けのNATのIPアドレス
    local nat_for_node_ip=${NAT_FOR_NODE_IPS[$idx]}
    nat_for_node_ip="${nat_for_node_ip%/*}"
    # インターネット向けのNATのIPアドレス
    local nat_for_inet_ip=${NAT_FOR_INET_IPS[$idx]}
    nat_for_inet_ip="${nat_for_inet_ip%/*}"
    # NAT内部の端末のポート
    local in_nat_port=12345
    # インターネット側に公開するポート
    local out_nat_port=54321
    # 事前に対象のnamespaceのiptablesを初期化しておく
    ip netns exec "${nat_ns}" iptables -F
    ip netns exec "${nat_ns}" iptables -X
    ip netns exec "${nat_ns}" iptables -t nat -F
    ip netns exec "${nat_ns}" iptables -t nat -X
    ip netns exec "${nat_ns}" iptables -P INPUT DROP
    ip netns exec "${nat_ns}" iptables -P FORWARD DROP
    # カーネルパラメータで転送は許可しておく. NAT種別ごとにiptablesで制御するため
    ip netns exec "${nat_ns}" sysctl -w net.ipv4.ip_forward=1
    echo "set ${nat_for_inet_veth} to $type"
    case "$type" in
        fullcone | restcone | portrestcone)
            # Full Cone, Restricted Cone, Port Restricted Cone NATに共通の設定
            #
            # 内部の端末から外部へ通信時に、NATのインターネット側のIPアドレスと特定のポートに変換する
            ip netns exec "${nat_ns}" iptables -t nat -A POSTROUTING -o "${nat_for_inet_veth}" -p tcp -j SNAT --to-source "${nat_for_inet_ip}:${out_nat_port}"
            ip netns exec "${nat_ns}" iptables -t nat -A POSTROUTING -o "${nat_for_inet_veth}" -p udp -j SNAT --to-source "${nat_for_inet_ip}:${out_nat_port}"
            # 外部からのアクセスを特定のポートで受け付け、内部の端末の特定のポートに転送する
            ip netns exec "${nat_ns}" iptables -t nat -A PREROUTING -i "${nat_for_inet_veth}" -p tcp --dport "${out_nat_port}" -j DNAT --to-destination "${node_ip}:${in_nat_port}"
            ip netns exec "${nat_ns}" iptables -t nat -A PREROUTING -i "${nat_for_inet_veth}" -p udp --dport "${out_nat_port}" -j DNAT --to-destination "${node_ip}:${in_nat_port}"
            # 内部の端末からの転送は全て許可する
            ip netns exec "${nat_ns}" iptables -A FORWARD -p tcp -i "${nat_for_node_veth}" -j ACCEPT
            ip netns exec "${nat_ns}" iptables -A FORWARD -p udp -i "${nat_for_node_veth}" -j ACCEPT
        ;;
        *)
        ;;
    esac
    case "$type" in
        #各FORWARDは上記PREROUTING変換後のパケットに対して適用される
        fullcone)
            #上記で指定の外部ポートから変換された場合は全て転送を許可する
            ip netns exec "${nat_ns}" iptables -A FORWARD -p tcp -d "${node_ip}" --dport "${in_nat_port}" -j ACCEPT
            ip netns exec "${nat_ns}" iptables -A FORWARD -p udp -d "${node_ip}" --dport "${in_nat_port}" -j ACCEPT
        ;;
        restcone)
            # 内部から通信を確立した相手(外部IPのみ判定)からのパケットを転送する
            ip netns exec "${nat_ns}" iptables -A FORWARD -p tcp -d "${node_ip}" -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
            ip netns exec "${nat_ns}" iptables -A FORWARD -p udp -d "${node_ip}" -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
        ;;
        #postrestcone, symmetricについては今回の検証では使用しないのでコメント割愛
        portrestcone)
            ip netns exec "${nat_ns}" iptables -A FORWARD -p tcp -d "${node_ip}" --dport "${in_nat_port}" -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
            ip netns exec "${nat_ns}" iptables -A FORWARD -p udp -d "${node_ip}" --dport "${in_nat_port}" -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
        ;;
        symmetric)
            ip netns exec "${nat_ns}" iptables -t nat -A POSTROUTING -o "${nat_for_inet_veth}" -j MASQUERADE
        ;;
    esac
}
# インターネットnamespace作成
function create_inet() {
    local inet=${INET}
    # インターネットに見立てて中継を行うだけなので、FORWARD機能のみ有効とする
    ip netns add "ns-${inet}"
    ip netns exec "ns-${inet}" iptables -P FORWARD ACCEPT
    ip netns exec "ns-${inet}" sysctl -w net.ipv4.ip_forward=1
}
# インターネットnamespace削除
function delete_inet() {
    local inet=${INET}
    ip netns del "ns-${inet}"
}
# 端末、NAT向けnamespace生成
function create_network() {
    local idx=${1:?}
    # 端末のnamespace、veth、IP
    local node_ns="ns-${NODES[$idx]}"
    local node_veth="ve-${NODES[$idx]}"
    local node_ip="${NODE_IPS[$idx]}"
    # NATのnamespace
    local nat_ns="${node_ns}-nat"
    # NATの端末側veth, IPアドレス
    local nat_for_node_veth="${node_veth}-nat-node"
    local nat_for_node_ip=${NAT_FOR_NODE_IPS[$idx]}
    # NATのインターネット側veth, IPアドレス
    local nat_for_inet_veth="${node_veth}-nat-inet"
    local nat_for_inet_ip=${NAT_FOR_INET_IPS[$idx]}
    # インターネットのnamespace、veth、IP
    local inet_ns="ns-${INET}"
    local inet_veth="${node_veth}-inet"
    local inet_for_nat_ip="${INET_FOR_NAT_IPS[$idx]}"
    ## 端末側の設定
    # vethはnamespace間を接続するための仮想インターフェースペア
    # ホスト上で、端末とNAT端末側のvethペアを作成
    ip link add dev "${node_veth}" type veth peer name "${nat_for_node_veth}"
    # 端末のnamespaceを作成
    ip netns add "${node_ns}"
    # 端末のvethを端末namespaceに移動
    ip link set dev "${node_veth}" netns "${node_ns}"
    # ip -n namespaceで、指定のnamespace内でipコマンドを実行できる
    # 端末namespaceでIPアドレス設定
    ip -n "${node_ns}" addr add dev "${node_veth}" "${node_ip}"
    # 端末namespaceでvethをUPする
    ip -n "${node_ns}" link set dev "${node_veth}" up
    # 端末namespaceでデフォルトルートをNAT端末側のIPアドレスに設定
    ip -n "${node_ns}" route add default via "${nat_for_node_ip%/*}"
    # NATのnamespaceを作成
    ip netns add "${nat_ns}"
    ## NATの端末側の設定
    # 端末側設定で作成したNAT端末側vethをNATのnamespaceに移動
    ip link set dev "${nat_for_node_veth}" netns "${nat_ns}"
    # NATのnamespaceでIPアドレス設定
    ip -n "${nat_ns}" addr add dev "${nat_for_node_veth}" "${nat_for_node_ip}"
    # NATのnamespaceでvethをUPする
    ip -n "${nat_ns}" link set dev "${nat_for_node_veth}" up
    ## NATのインターネット向けの設定
    ## インターネット向けのnamespaceはcreate_inetで作成済みの前提
    # ホスト上で、NATインターネット側とインターネットのvethペアを作成
    ip link add dev "${nat_for_inet_veth}" type veth peer name "${inet_veth}"
    # NATインターネット側vethをNAT側namespaceに移動
    ip link set dev "${nat_for_inet_veth}" netns "${nat_ns}"
    # インターネットのvethをインターネットnamespaceに移動
    ip link set dev "${inet_veth}" netns "${inet_ns}"
    # NAT向けのnamespaceでNATインターネット側vethのIPアドレス設定
    ip -n "${nat_ns}" addr add dev "${nat_for_inet_veth}" "${nat_for_inet_ip}"
    # NATのnamespaceでvethをUPする
    ip -n "${nat_ns}" link set dev "${nat_for_inet_veth}" up
    # NATのnamespaceでデフォルトルートをインターネットのIPアドレスに設定
    ip -n "${nat_ns}" route add default via "${inet_for_nat_ip%/*}"
    # インターネットnamespaceでインターネットのvethにIPアドレス設定
    ip -n "${inet_ns}" addr add dev "${inet_veth}" "${inet_for_nat_ip}"
    # インターネットnamespaceでvethをUPする
    ip -n "${inet_ns}" link set dev "${inet_veth}" up
    # NAT種別に応じたiptables設定
    set_iptables_for_nat "${idx}" "${NAT_TYPES[$idx]}"
}
# 端末、NAT向けnamespace削除
function delete_network() {
    local idx=${1:?}
    local node_ns="ns-${NODES[$idx]}"
    local nat_ns="${node_ns}-nat"
    # namespaceを削除するとvethも自動的に削除される
    ip netns del "${node_ns}"
    ip netns del "${nat_ns}"
}
if [[ "${CMD}" = "create" ]]; then
    # ネットワーク生成
    create_inet
    i=0
    for _ in "${NODES[@]}"; do
        echo $i
        create_network ${i}
        i=$((i + 1))
    done
elif [[ "${CMD}" = "clean" ]]; then
    # ネットワーク削除
    delete_inet
    i=0
    for _ in "${NODES[@]}"; do
        echo $i
        delete_network ${i}
        i=$((i + 1))
    done
    # delete_inet
fi

