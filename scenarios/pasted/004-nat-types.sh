#! description: 004 (NAT types with netns and systemd-nspawn) pasted as a reader copies it: the article's netns.sh saved beside this file (in `004-nat-types/`) and run as `sudo ./netns.sh create` and `clean` — bash functions, arrays, a loop and a `case` on each NAT's type —, `ip netns` and `ip -n NS link` to look, and the full-cone check typed into each container's terminal, where a shell in the container's namespace (`ip netns exec NS bash`, the edit nslab's refusal of systemd-nspawn names) stands in for the container.
#! seed: 4
#ネットワーク作成
$ sudo ./netns.sh create
#ネットワーク削除
$ sudo ./netns.sh clean
# The next block looks at what create made: the reader runs it again.
$ sudo ./netns.sh create
#生成されたnamespace
$ ip netns
ns-c1-nat (id: 4)
ns-c1 (id: 3)
ns-c0-nat (id: 1)
ns-c0 (id: 0)
ns-inet (id: 2)
# ホスト側でのip link実行
# (MACアドレス等の情報は割愛しています)
$ ip link show
1: lo: <loopback,up,lower_up> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000
2: enp0s3: <broadcast,multicast,up,lower_up> mtu 1500 qdisc pfifo_fast state UP mode DEFAULT group default qlen 1000
# c0-nat内でip link実行
$ sudo ip -n ns-c0-nat link
1: lo: <loopback,up,lower_up> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000
50: ve-c0-nat-node@if51: <broadcast,multicast,up,lower_up> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000
53: ve-c0-nat-inet@if52: <broadcast,multicast,up,lower_up> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000
# Full Cone NATの検証. Each container's terminal in the article's order; where it
# starts systemd-nspawn on /var/run/netns/NS, a shell in NS.
# c0
$ sudo ip netns exec ns-c0 bash
# (1) c0でUDPポート12345を受信待ち
root@test:~# nc -l 12345 -u
# (2) c1からのパケットを受信
abc
# c0-nat
$ sudo ip netns exec ns-c0-nat bash
# (1) c0-natでconntrackで監視開始
root@test:~# conntrack -E
# (2) c1(内部ホスト)からの通信パケット(外部アドレス100.64.2.100として)を検出。c0からの応答がないので[UNREPLIED]となっている
[NEW] udp 17 30 src=100.64.2.100 dst=100.64.1.100 sport=54321 dport=54321 [UNREPLIED] src=10.0.1.1 dst=100.64.2.100 sport=12345 dport=54321
# c1
$ sudo ip netns exec ns-c1 bash
#(2) c1からc0-natのポート54321へUDPパケット送信
root@test:~# echo abc | nc 100.64.1.100 54321 -u
# c1-nat
$ sudo ip netns exec ns-c1-nat bash
# (1) c1-natでconntrackで監視開始
root@test:~# conntrack -E
# 後片づけ, in the host's terminal: the containers' shells are left first.
root@test:~# exit
root@test:~# exit
root@test:~# exit
root@test:~# exit
$ sudo ./netns.sh clean
