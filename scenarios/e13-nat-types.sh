# E13 — NAT types and conntrack: a full cone NAT and a restricted cone NAT, as netns.sh
# builds them.
# Source: seeds/004 (the netns.sh testbed; the article ran each host in systemd-nspawn).
#! description: E13: c0 - c0-nat (full cone) - inet - c1-nat (restricted cone) - c1, with netns.sh's rules (SNAT to :54321, DNAT :54321 to the host's :12345, INPUT/FORWARD policy DROP). Full cone: c1's datagram reaches c0 unsolicited. Restricted cone: c0's unsolicited datagram never reaches c1 and c1-nat reports nothing; after c1 has spoken, c0's answer gets through. conntrack -E on both NATs shows [NEW] (only once a packet gets through), [UPDATE] on the first reply, [ASSURED] with 120 s on a later one, and [DESTROY] when 30 s pass in silence.
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

# conntrack -E on both NATs (jobs 1 and 2), and c0's listener (job 3).
$ ip netns exec ns-c0-nat conntrack -E &
#! contains:     [NEW] udp      17 30 src=100.64.2.100 dst=100.64.1.100 sport=54321 dport=54321 [UNREPLIED] src=10.0.1.1 dst=100.64.2.100 sport=12345 dport=54321
#! contains: [DESTROY] udp      17 src=100.64.2.100 dst=100.64.1.100 sport=54321 dport=54321 [UNREPLIED] src=10.0.1.1 dst=100.64.2.100 sport=12345 dport=54321
#! contains:     [NEW] udp      17 30 src=10.0.1.1 dst=100.64.2.100 sport=12345 dport=54321 [UNREPLIED] src=100.64.2.100 dst=100.64.1.100 sport=54321 dport=54321
#! contains:  [UPDATE] udp      17 30 src=100.64.2.100 dst=100.64.1.100 sport=54321 dport=54321 src=10.0.1.1 dst=100.64.2.100 sport=12345 dport=54321
#! contains:  [UPDATE] udp      17 120 src=100.64.2.100 dst=100.64.1.100 sport=54321 dport=54321 src=10.0.1.1 dst=100.64.2.100 sport=12345 dport=54321 [ASSURED]
#! differs: [DESTROY]{} -- the kernel reports an entry's end when its garbage collector reaches it, often after the scenario has moved on
$ ip netns exec ns-c1-nat conntrack -E &
#! contains:     [NEW] udp      17 30 src=10.0.2.1 dst=100.64.1.100 sport={} dport=54321 [UNREPLIED] src=100.64.1.100 dst=100.64.2.100 sport=54321 dport=54321
#! contains:  [UPDATE] udp      17 30 src=10.0.2.1 dst=100.64.1.100 sport={} dport=54321 src=100.64.1.100 dst=100.64.2.100 sport=54321 dport=54321
#! contains:  [UPDATE] udp      17 120 src=10.0.2.1 dst=100.64.1.100 sport={} dport=54321 src=100.64.1.100 dst=100.64.2.100 sport=54321 dport=54321 [ASSURED]
#! lacks: {}src=10.0.1.1{}
#! differs: [DESTROY]{} -- the kernel reports an entry's end when its garbage collector reaches it, often after the scenario has moved on
$ ip netns exec ns-c0 nc -u -l 12345 &
111
111 again

# Full cone: c1 sends to c0-nat's public port unsolicited, and c0 gets it.
$ echo 111 | ip netns exec ns-c1 nc -u 100.64.1.100 54321
$ sleep 31

# Restricted cone, unsolicited: c0 (whose listener now answers 100.64.2.100:54321) sends
# to c1-nat's public port. c0-nat lets it out; c1-nat drops it (not ESTABLISHED) and,
# since it never got through, reports no conntrack event at all.
$ input %3 222
$ sleep 31

# Restricted cone, solicited: c1 speaks first (job 4), then c0's answer gets through, and
# a second answer more than 2 s later makes both entries ASSURED.
$ ip netns exec ns-c1 nc -u 100.64.1.100 54321 &
222 back
333
$ input %4 111 again
$ sleep 1
$ input %3 222 back
$ sleep 3
$ input %3 333
$ sleep 1
