# E13 (continued) — the other two NAT types of netns.sh: port-restricted cone and symmetric.
# Source: seeds/004 (netns.sh's set_iptables_for_nat, the cases the article did not run).
#! description: E13, continued: c0-nat port-restricted cone, c1-nat symmetric, as netns.sh writes them. netns.sh's symmetric case only adds MASQUERADE, so with FORWARD policy DROP nothing passes; with forwarding rules added, Linux's MASQUERADE keeps the source port while it is free. A hole punched from both sides gets through; a datagram from another port does not; and a second flow that SNAT must map to the same public port toward the same peer is dropped with no conntrack event.
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

# c0-nat: port-restricted cone (set_iptables_for_nat 0 portrestcone).
$ ip netns exec ns-c0-nat iptables -P INPUT DROP
$ ip netns exec ns-c0-nat iptables -P FORWARD DROP
$ ip netns exec ns-c0-nat sysctl -w net.ipv4.ip_forward=1
net.ipv4.ip_forward = 1
$ ip netns exec ns-c0-nat iptables -t nat -A POSTROUTING -o ve-c0-nat-inet -p udp -j SNAT --to-source 100.64.1.100:54321
$ ip netns exec ns-c0-nat iptables -t nat -A PREROUTING -i ve-c0-nat-inet -p udp --dport 54321 -j DNAT --to-destination 10.0.1.1:12345
$ ip netns exec ns-c0-nat iptables -A FORWARD -p udp -i ve-c0-nat-node -j ACCEPT
$ ip netns exec ns-c0-nat iptables -A FORWARD -p udp -d 10.0.1.1 --dport 12345 -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT

# c1-nat: symmetric (set_iptables_for_nat 1 symmetric): MASQUERADE and nothing else.
$ ip netns exec ns-c1-nat iptables -P INPUT DROP
$ ip netns exec ns-c1-nat iptables -P FORWARD DROP
$ ip netns exec ns-c1-nat sysctl -w net.ipv4.ip_forward=1
net.ipv4.ip_forward = 1
$ ip netns exec ns-c1-nat iptables -t nat -A POSTROUTING -o ve-c1-nat-inet -j MASQUERADE

# conntrack -E on both NATs (jobs 1, 2), captures on both public sides (jobs 3, 4).
$ ip netns exec ns-c0-nat conntrack -E &
#! contains:     [NEW] udp      17 30 src=10.0.1.1 dst=100.64.2.100 sport=12345 dport=40000 [UNREPLIED] src=100.64.2.100 dst=100.64.1.100 sport=40000 dport=54321
#! contains:  [UPDATE] udp      17 30 src=10.0.1.1 dst=100.64.2.100 sport=12345 dport=40000 src=100.64.2.100 dst=100.64.1.100 sport=40000 dport=54321
#! lacks: {}src=100.64.2.100 dst=100.64.1.100 sport={} dport=54321 [UNREPLIED]{}
#! lacks: {}sport=12346{}
$ ip netns exec ns-c1-nat conntrack -E &
#! contains:     [NEW] udp      17 30 src=10.0.2.1 dst=100.64.1.100 sport=40000 dport=54321 [UNREPLIED] src=100.64.1.100 dst=100.64.2.100 sport=54321 dport=40000
#! contains:  [UPDATE] udp      17 30 src=10.0.2.1 dst=100.64.1.100 sport=40000 dport=54321 src=100.64.1.100 dst=100.64.2.100 sport=54321 dport=40000
#! contains:  [UPDATE] udp      17 120 src=10.0.2.1 dst=100.64.1.100 sport=40000 dport=54321 src=100.64.1.100 dst=100.64.2.100 sport=54321 dport=40000 [ASSURED]
#! contains:     [NEW] udp      17 30 src=10.0.2.1 dst=100.64.1.100 sport=40001 dport=54321 [UNREPLIED] src=100.64.1.100 dst=100.64.2.100 sport=54321 dport=40001
$ ip netns exec ns-c0-nat tcpdump -tnl -i ve-c0-nat-inet udp &
#! contains: IP 100.64.2.100.40000 > 100.64.1.100.54321: UDP, length 12
#! contains: IP 100.64.1.100.54321 > 100.64.2.100.40000: UDP, length 6
#! contains: IP 100.64.2.100.40001 > 100.64.1.100.54321: UDP, length 11
#! lacks: {}length 5
#! contains: 4 packets captured
$ ip netns exec ns-c1-nat tcpdump -tnl -i ve-c1-nat-inet udp &
#! contains: IP 100.64.2.100.40000 > 100.64.1.100.54321: UDP, length 8
#! lacks: {}10.0.2.1{}

# As netns.sh leaves it, the symmetric NAT forwards nothing: FORWARD's policy is DROP and
# its case adds no ACCEPT rule. The datagram is counted against the policy; no event.
$ echo lost | ip netns exec ns-c1 nc -u -p 40000 100.64.1.100 54321
$ sleep 1
$ ip netns exec ns-c1-nat iptables -L FORWARD -v -n
Chain FORWARD (policy DROP 1 packets, 33 bytes)
 pkts bytes target     prot opt in     out     source               destination         

# Our addition, so the symmetric type can be seen at all: forward what c1 sends, and
# what answers it.
$ ip netns exec ns-c1-nat iptables -A FORWARD -i ve-c1-nat-node -j ACCEPT
$ ip netns exec ns-c1-nat iptables -A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT

# c1 speaks first (job 5) from port 40000: MASQUERADE keeps the port, since that tuple is
# free. At c0-nat the datagram is DNATed to c0:12345 but it is NEW, so the
# port-restricted FORWARD rule drops it, and c0-nat reports nothing.
$ ip netns exec ns-c1 nc -u -p 40000 100.64.1.100 54321 &
punch
$ input %5 unsolicited
$ sleep 1

# c0 answers from 12345 to the address and port c1's datagram came from (job 6): c0-nat
# maps it to :54321, and at c1-nat it is the reply c1's entry waits for, so it reaches c1.
# The hole is punched: c1's next line reaches c0 as a reply to c0's entry, and, coming
# more than 2 s after c1's entry was made, makes that one ASSURED (120 s).
$ ip netns exec ns-c0 nc -u -p 12345 100.64.2.100 40000 &
through
$ input %6 punch
$ sleep 2
$ input %5 through
$ sleep 1

# Port restricted: the same host from another port (40001) is not let in.
$ echo other port | ip netns exec ns-c1 nc -u -p 40001 100.64.1.100 54321
$ sleep 1

# A port clash: a second flow from c0 (port 12346) toward the same peer must also be
# mapped to 100.64.1.100:54321, and that tuple is taken: dropped, no conntrack event.
$ echo clash | ip netns exec ns-c0 nc -u -p 12346 100.64.2.100 40000
$ sleep 1
$ ip netns exec ns-c0-nat conntrack -L
$ ip netns exec ns-c1-nat conntrack -L
