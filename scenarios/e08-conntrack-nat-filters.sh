# E8 — `conntrack -L -n|-g|-j [IP]`: the entries NAT translated.
# Source: conntrack-tools 1.4.7 (conntrack.c, filter_nat) and libnetfilter_conntrack
# (objopt.c: NFCT_GOPT_IS_SNAT, IS_SPAT, IS_DNAT, IS_DPAT), measured on Linux.
#! description: E8 conntrack NAT filters: a router masquerades UDP out of rb and DNATs 10.0.0.254:7000 to b's port 7. Two pings (one each way) and two datagrams make four entries. `-n` lists those with a translated source address or port, `-g` with a translated destination, `-j` either, `-n -g` both; the ICMP entries count as translated both ways, as the tools compare an ICMP entry's id with its type and code. With an address, only a translation to that address counts.
#! seed: 8

$ ip netns add a
$ ip netns add r
$ ip netns add b
$ ip -n a link add va type veth peer name ra netns r
$ ip -n b link add vb type veth peer name rb netns r
$ ip -n a link set va up
$ ip -n b link set vb up
$ ip -n r link set ra up
$ ip -n r link set rb up
$ ip -n a addr add 10.0.0.1/24 dev va
$ ip -n r addr add 10.0.0.254/24 dev ra
$ ip -n b addr add 10.0.1.1/24 dev vb
$ ip -n r addr add 10.0.1.254/24 dev rb
$ ip -n a route add default via 10.0.0.254
$ ip -n b route add default via 10.0.1.254
$ ip netns exec r sysctl -w net.ipv4.ip_forward=1
net.ipv4.ip_forward = 1
$ ip netns exec r iptables -t nat -A POSTROUTING -o rb -p udp -j MASQUERADE
$ ip netns exec r iptables -t nat -A PREROUTING -d 10.0.0.254 -p udp --dport 7000 -j DNAT --to-destination 10.0.1.1:7
$ ip netns exec a ping -c 1 -q 10.0.1.1
PING 10.0.1.1 (10.0.1.1) 56(84) bytes of data.

--- 10.0.1.1 ping statistics ---
1 packets transmitted, 1 received, 0% packet loss, time 0ms
rtt min/avg/max/mdev = {} ms
$ ip netns exec b ping -c 1 -q 10.0.0.1
PING 10.0.0.1 (10.0.0.1) 56(84) bytes of data.

--- 10.0.0.1 ping statistics ---
1 packets transmitted, 1 received, 0% packet loss, time 0ms
rtt min/avg/max/mdev = {} ms
$ echo x | ip netns exec a nc -u -w 1 -p 5555 10.0.1.1 9
Ncat: Connection refused.
$ echo y | ip netns exec a nc -u -w 1 -p 5556 10.0.0.254 7000
Ncat: Connection refused.
$ ip netns exec r conntrack -L -p udp
udp      17 {} src=10.0.0.1 dst=10.0.1.1 sport=5555 dport=9 [UNREPLIED] src=10.0.1.1 dst=10.0.1.254 sport=9 dport=5555 mark=0 use=1
udp      17 {} src=10.0.0.1 dst=10.0.0.254 sport=5556 dport=7000 [UNREPLIED] src=10.0.1.1 dst=10.0.1.254 sport=7 dport=5556 mark=0 use=1
conntrack v1.4.7 (conntrack-tools): 2 flow entries have been shown.
$ ip netns exec r conntrack -L -n
#! contains: conntrack v1.4.7 (conntrack-tools): 4 flow entries have been shown.
$ ip netns exec r conntrack -L -g
#! contains: conntrack v1.4.7 (conntrack-tools): 3 flow entries have been shown.
#! lacks: {}sport=5555{}
$ ip netns exec r conntrack -L -j
#! contains: conntrack v1.4.7 (conntrack-tools): 4 flow entries have been shown.
$ ip netns exec r conntrack -L -n -g
#! contains: conntrack v1.4.7 (conntrack-tools): 3 flow entries have been shown.
$ ip netns exec r conntrack -L --src-nat 10.0.1.254
#! contains: conntrack v1.4.7 (conntrack-tools): 2 flow entries have been shown.
#! lacks: icmp{}
$ ip netns exec r conntrack -L -g 10.0.1.1
udp      17 {} src=10.0.0.1 dst=10.0.0.254 sport=5556 dport=7000 [UNREPLIED] src=10.0.1.1 dst=10.0.1.254 sport=7 dport=5556 mark=0 use=1
conntrack v1.4.7 (conntrack-tools): 1 flow entries have been shown.
$ ip netns exec r conntrack -D -g 10.0.1.1
udp      17 {} src=10.0.0.1 dst=10.0.0.254 sport=5556 dport=7000 [UNREPLIED] src=10.0.1.1 dst=10.0.1.254 sport=7 dport=5556 mark=0 use=1
conntrack v1.4.7 (conntrack-tools): 1 flow entries have been deleted.

$ ip netns delete a
$ ip netns delete r
$ ip netns delete b
