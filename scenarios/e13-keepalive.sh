# E13's last point: a keepalive through the restricted-cone NAT, as WireGuard's
# PersistentKeepalive sends it (one way, nothing answers). Every 25 s it keeps c1-nat's
# mapping alive across the 30 s UDP timeout; every 35 s the mapping expires in between
# and each keepalive makes a new one.
# Source: seeds/004 (netns.sh's testbed and the article's keepalive discussion).
#! description: E13 keepalive: c1 (port 51820) sends a datagram to c0-nat's public port every 25 s, then every 35 s. conntrack -E on c1-nat: one [NEW] for the three 25-s keepalives (each refreshes the unanswered entry's 30 s), then [DESTROY] 30 s after the last and a [NEW] for each 35-s keepalive.
#! seed: 13

# The internet: it only forwards.
$ ip netns add ns-inet
$ ip netns exec ns-inet iptables -P FORWARD ACCEPT
$ ip netns exec ns-inet sysctl -w net.ipv4.ip_forward=1
net.ipv4.ip_forward = 1

# c0 behind c0-nat, as netns.sh's create_network 0.
$ ip link add dev ve-c0 type veth peer name ve-c0-nat-node
$ ip netns add ns-c0
$ ip link set dev ve-c0 netns ns-c0
$ ip -n ns-c0 addr add dev ve-c0 10.0.1.1/24
$ ip -n ns-c0 link set dev ve-c0 up
$ ip -n ns-c0 route add default via 10.0.1.100
$ ip netns add ns-c0-nat
$ ip link set dev ve-c0-nat-node netns ns-c0-nat
$ ip -n ns-c0-nat addr add dev ve-c0-nat-node 10.0.1.100/24
$ ip -n ns-c0-nat link set dev ve-c0-nat-node up
$ ip link add dev ve-c0-nat-inet type veth peer name ve-c0-inet
$ ip link set dev ve-c0-nat-inet netns ns-c0-nat
$ ip link set dev ve-c0-inet netns ns-inet
$ ip -n ns-c0-nat addr add dev ve-c0-nat-inet 100.64.1.100/24
$ ip -n ns-c0-nat link set dev ve-c0-nat-inet up
$ ip -n ns-c0-nat route add default via 100.64.1.254
$ ip -n ns-inet addr add dev ve-c0-inet 100.64.1.254/24
$ ip -n ns-inet link set dev ve-c0-inet up

# c1 behind c1-nat, as create_network 1.
$ ip link add dev ve-c1 type veth peer name ve-c1-nat-node
$ ip netns add ns-c1
$ ip link set dev ve-c1 netns ns-c1
$ ip -n ns-c1 addr add dev ve-c1 10.0.2.1/24
$ ip -n ns-c1 link set dev ve-c1 up
$ ip -n ns-c1 route add default via 10.0.2.100
$ ip netns add ns-c1-nat
$ ip link set dev ve-c1-nat-node netns ns-c1-nat
$ ip -n ns-c1-nat addr add dev ve-c1-nat-node 10.0.2.100/24
$ ip -n ns-c1-nat link set dev ve-c1-nat-node up
$ ip link add dev ve-c1-nat-inet type veth peer name ve-c1-inet
$ ip link set dev ve-c1-nat-inet netns ns-c1-nat
$ ip link set dev ve-c1-inet netns ns-inet
$ ip -n ns-c1-nat addr add dev ve-c1-nat-inet 100.64.2.100/24
$ ip -n ns-c1-nat link set dev ve-c1-nat-inet up
$ ip -n ns-c1-nat route add default via 100.64.2.254
$ ip -n ns-inet addr add dev ve-c1-inet 100.64.2.254/24
$ ip -n ns-inet link set dev ve-c1-inet up

# c0-nat: full cone (set_iptables_for_nat 0 fullcone).
$ ip netns exec ns-c0-nat iptables -P INPUT DROP
$ ip netns exec ns-c0-nat iptables -P FORWARD DROP
$ ip netns exec ns-c0-nat sysctl -w net.ipv4.ip_forward=1
net.ipv4.ip_forward = 1
$ ip netns exec ns-c0-nat iptables -t nat -A POSTROUTING -o ve-c0-nat-inet -p udp -j SNAT --to-source 100.64.1.100:54321
$ ip netns exec ns-c0-nat iptables -t nat -A PREROUTING -i ve-c0-nat-inet -p udp --dport 54321 -j DNAT --to-destination 10.0.1.1:12345
$ ip netns exec ns-c0-nat iptables -A FORWARD -p udp -i ve-c0-nat-node -j ACCEPT
$ ip netns exec ns-c0-nat iptables -A FORWARD -p udp -d 10.0.1.1 --dport 12345 -j ACCEPT

# c1-nat: restricted cone (set_iptables_for_nat 1 restcone).
$ ip netns exec ns-c1-nat iptables -P INPUT DROP
$ ip netns exec ns-c1-nat iptables -P FORWARD DROP
$ ip netns exec ns-c1-nat sysctl -w net.ipv4.ip_forward=1
net.ipv4.ip_forward = 1
$ ip netns exec ns-c1-nat iptables -t nat -A POSTROUTING -o ve-c1-nat-inet -p udp -j SNAT --to-source 100.64.2.100:54321
$ ip netns exec ns-c1-nat iptables -t nat -A PREROUTING -i ve-c1-nat-inet -p udp --dport 54321 -j DNAT --to-destination 10.0.2.1:12345
$ ip netns exec ns-c1-nat iptables -A FORWARD -p udp -i ve-c1-nat-node -j ACCEPT
$ ip netns exec ns-c1-nat iptables -A FORWARD -p udp -d 10.0.2.1 -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
$ ip netns exec ns-c1-nat iptables -S FORWARD
-P FORWARD DROP
-A FORWARD -i ve-c1-nat-node -p udp -j ACCEPT
-A FORWARD -d 10.0.2.1/32 -p udp -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT

# conntrack -E on c1-nat (job 1), c0's listener (job 2), c1's keepalive sender (job 3).
$ ip netns exec ns-c1-nat conntrack -E &
    [NEW] udp      17 30 src=10.0.2.1 dst=100.64.1.100 sport=51820 dport=54321 [UNREPLIED] src=100.64.1.100 dst=100.64.2.100 sport=54321 dport=54321
[DESTROY] udp      17 src=10.0.2.1 dst=100.64.1.100 sport=51820 dport=54321 [UNREPLIED] src=100.64.1.100 dst=100.64.2.100 sport=54321 dport=54321
    [NEW] udp      17 30 src=10.0.2.1 dst=100.64.1.100 sport=51820 dport=54321 [UNREPLIED] src=100.64.1.100 dst=100.64.2.100 sport=54321 dport=54321
[DESTROY] udp      17 src=10.0.2.1 dst=100.64.1.100 sport=51820 dport=54321 [UNREPLIED] src=100.64.1.100 dst=100.64.2.100 sport=54321 dport=54321
    [NEW] udp      17 30 src=10.0.2.1 dst=100.64.1.100 sport=51820 dport=54321 [UNREPLIED] src=100.64.1.100 dst=100.64.2.100 sport=54321 dport=54321
conntrack v1.4.7 (conntrack-tools): 5 flow events have been shown.
#! differs: [DESTROY]{} -- the kernel reports an entry's end when its garbage collector reaches it, often after the scenario has moved on
#! differs: conntrack v1.4.7 (conntrack-tools): {} flow events have been shown. -- counts those [DESTROY]s
$ ip netns exec ns-c0 nc -u -l 12345 &
keepalive
keepalive
keepalive
keepalive
keepalive
$ ip netns exec ns-c1 nc -u -p 51820 100.64.1.100 54321 &

# Every 25 s: one mapping throughout.
$ input %3 keepalive
$ sleep 25
$ input %3 keepalive
$ sleep 25
$ input %3 keepalive
# Every 35 s: the mapping is gone 30 s after each keepalive.
$ sleep 35
$ input %3 keepalive
$ sleep 35
$ input %3 keepalive
$ sleep 1
