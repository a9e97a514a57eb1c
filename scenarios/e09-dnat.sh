# E9 — Destination NAT: a server on the LAN reached through the router's WAN address.
# Source: seeds/001 ch7 "Destination NAT" (E8's topology, reused).
#! description: E9: with `iptables -t nat -A PREROUTING -p tcp --dport 54321 -d 203.0.113.254 -j DNAT --to-destination 192.0.2.1`, ncat on wan connects to 203.0.113.254:54321 and reaches the listener on lan, which prints `Connection from 203.0.113.1:PORT` and the line sent; the wan capture shows the router's address, the lan capture the rewritten destination and the client's own source.
#! seed: 9

$ ip netns add lan
$ ip netns add router
$ ip netns add wan
$ ip link add lan-veth0 type veth peer name gw-veth0
$ ip link add wan-veth0 type veth peer name gw-veth1
$ ip link set lan-veth0 netns lan
$ ip link set gw-veth0 netns router
$ ip link set gw-veth1 netns router
$ ip link set wan-veth0 netns wan
$ ip netns exec lan ip link set lan-veth0 up
$ ip netns exec router ip link set gw-veth0 up
$ ip netns exec router ip link set gw-veth1 up
$ ip netns exec wan ip link set wan-veth0 up
$ ip netns exec router ip addr add 192.0.2.254/24 dev gw-veth0
$ ip netns exec router ip addr add 203.0.113.254/24 dev gw-veth1
$ ip netns exec router sysctl net.ipv4.ip_forward=1
net.ipv4.ip_forward = 1
$ ip netns exec lan ip addr add 192.0.2.1/24 dev lan-veth0
$ ip netns exec lan ip route add default via 192.0.2.254
$ ip netns exec wan ip addr add 203.0.113.1/24 dev wan-veth0
$ ip netns exec wan ip route add default via 203.0.113.254

$ ip netns exec router iptables -t nat \
  -A PREROUTING \
  -p tcp \
  --dport 54321 \
  -d 203.0.113.254 \
  -j DNAT \
  --to-destination 192.0.2.1
$ ip netns exec router iptables -t nat -L PREROUTING -n
Chain PREROUTING (policy ACCEPT)
target     prot opt source               destination
DNAT       6    --  0.0.0.0/0            203.0.113.254        tcp dpt:54321 to:192.0.2.1

# The server on lan (the document ran it in another terminal).
$ ip netns exec lan nc -lnv 54321 &
Ncat: Version 7.93 ( https://nmap.org/ncat )
Ncat: Listening on :::54321
Ncat: Listening on 0.0.0.0:54321
Ncat: Connection from 203.0.113.1.
Ncat: Connection from 203.0.113.1:{}.
Hello World!

# Conntrack on the router: each TCP state with the kernel's default timeout (TIME_WAIT
# shortened to 3 s, from 120, to see the connection end).
$ ip netns exec router sysctl net.netfilter.nf_conntrack_tcp_timeout_time_wait=3
net.netfilter.nf_conntrack_tcp_timeout_time_wait = 3
$ ip netns exec router conntrack -E -p tcp &
#! contains:     [NEW] tcp      6 120 SYN_SENT src=203.0.113.1 dst=203.0.113.254 sport={} dport=54321 [UNREPLIED] src=192.0.2.1 dst=203.0.113.1 sport=54321 dport={}
#! contains:  [UPDATE] tcp      6 60 SYN_RECV src=203.0.113.1 dst=203.0.113.254 sport={} dport=54321 src=192.0.2.1 dst=203.0.113.1 sport=54321 dport={}
#! contains:  [UPDATE] tcp      6 432000 ESTABLISHED src=203.0.113.1 dst=203.0.113.254 sport={} dport=54321 src=192.0.2.1 dst=203.0.113.1 sport=54321 dport={} [ASSURED]
#! contains:  [UPDATE] tcp      6 120 FIN_WAIT src=203.0.113.1 dst=203.0.113.254 sport={} dport=54321 src=192.0.2.1 dst=203.0.113.1 sport=54321 dport={} [ASSURED]
#! contains:  [UPDATE] tcp      6 30 LAST_ACK src=203.0.113.1 dst=203.0.113.254 sport={} dport=54321 src=192.0.2.1 dst=203.0.113.1 sport=54321 dport={} [ASSURED]
#! contains:  [UPDATE] tcp      6 3 TIME_WAIT src=203.0.113.1 dst=203.0.113.254 sport={} dport=54321 src=192.0.2.1 dst=203.0.113.1 sport=54321 dport={} [ASSURED]
#! differs: [DESTROY]{} -- the kernel reports an entry's end when its garbage collector reaches it, often after the scenario has moved on
#! differs: conntrack v1.4.7 (conntrack-tools): {} flow events have been shown. -- counts that [DESTROY]
#! contains: [DESTROY] tcp      6 TIME_WAIT src=203.0.113.1 dst=203.0.113.254 sport={} dport=54321 src=192.0.2.1 dst=203.0.113.1 sport=54321 dport={} [ASSURED]

# Captures on both sides of the router.
$ ip netns exec wan tcpdump -tnl -i wan-veth0 "tcp and port 54321" &
#! contains: IP 203.0.113.1.{} > 203.0.113.254.54321: Flags [S], seq {}, win {}, length 0
#! contains: IP 203.0.113.1.{} > 203.0.113.254.54321: Flags [P.], seq 1:14, ack 1, win {}, length 13
#! contains: IP 203.0.113.254.54321 > 203.0.113.1.{}: Flags [.], ack 14, win {}, length 0
#! lacks: {}192.0.2.1{}
$ ip netns exec lan tcpdump -tnl -i lan-veth0 "tcp and port 54321" &
#! contains: IP 203.0.113.1.{} > 192.0.2.1.54321: Flags [S], seq {}, win {}, length 0
#! contains: IP 203.0.113.1.{} > 192.0.2.1.54321: Flags [P.], seq 1:14, ack 1, win {}, length 13
#! contains: IP 192.0.2.1.54321 > 203.0.113.1.{}: Flags [.], ack 14, win {}, length 0
#! lacks: {}203.0.113.254{}

# The client types a line (here: pipes it) and is done.
$ echo "Hello World!" | ip netns exec wan nc 203.0.113.254 54321
# Half-way through a second, so that the kernel's few ms of latency cannot change it.
$ sleep 1.5
$ ip netns exec router conntrack -L
#! contains: tcp      6 1 TIME_WAIT src=203.0.113.1 dst=203.0.113.254 sport={} dport=54321 src=192.0.2.1 dst=203.0.113.1 sport=54321 dport={} [ASSURED] mark=0 use=1
$ sleep 3.5
