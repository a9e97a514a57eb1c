# E9 with both NATs on one connection. A port forward (DNAT 203.0.113.1:8080 → the LAN
# server 192.168.1.20:80) that LAN hosts reach by the router's public address ("hairpin"
# NAT): without SNAT the server would answer the client directly, so a MASQUERADE rule
# toward the server makes the router the client's stand-in. The connection's reply tuple
# carries both translations, and the server's SYN-ACK goes back through the router.
# The router's LAN is a bridge with br_netfilter's iptables calls off, as on a home router
# (OpenWrt does not load br_netfilter): with them on, Linux bridges a packet DNATed back to
# the bridge it came from instead of routing it, and the hairpin fails (see README, known
# differences: nslab does not model that path).
#! description: E9 hairpin: DNAT and MASQUERADE on the same connection. A LAN client connects to the router's public address and port; the LAN server sees the router's LAN address as the client; conntrack shows one entry with both translations; a WAN client through the same port forward keeps its own address.
#! seed: 9

$ ip netns add r
$ ip netns add c
$ ip netns add s
$ ip netns add w
$ ip -n r link add br0 type bridge
$ ip link add c0 type veth peer name rc
$ ip link add s0 type veth peer name rs
$ ip link add w0 type veth peer name rw
$ ip link set c0 netns c
$ ip link set s0 netns s
$ ip link set w0 netns w
$ ip link set rc netns r
$ ip link set rs netns r
$ ip link set rw netns r
$ ip -n r link set rc master br0
$ ip -n r link set rs master br0
$ ip -n r link set br0 up
$ ip -n r link set rc up
$ ip -n r link set rs up
$ ip -n r link set rw up
$ ip -n c link set c0 up
$ ip -n s link set s0 up
$ ip -n w link set w0 up
$ ip -n r addr add 192.168.1.1/24 dev br0
$ ip -n r addr add 203.0.113.1/24 dev rw
$ ip -n c addr add 192.168.1.10/24 dev c0
$ ip -n s addr add 192.168.1.20/24 dev s0
$ ip -n w addr add 203.0.113.2/24 dev w0
$ ip -n c route add default via 192.168.1.1
$ ip -n s route add default via 192.168.1.1
$ ip netns exec r sysctl -w net.ipv4.ip_forward=1
net.ipv4.ip_forward = 1
$ ip netns exec r sysctl -w net.bridge.bridge-nf-call-iptables=0
net.bridge.bridge-nf-call-iptables = 0
$ ip netns exec r iptables -t nat -A PREROUTING -d 203.0.113.1 -p tcp --dport 8080 -j DNAT --to-destination 192.168.1.20:80
$ ip netns exec r iptables -t nat -A POSTROUTING -s 192.168.1.0/24 -d 192.168.1.20 -p tcp --dport 80 -j MASQUERADE

$ ip netns exec s nc -lkv 80 &
Ncat: Version 7.93 ( https://nmap.org/ncat )
Ncat: Listening on :::80
Ncat: Listening on 0.0.0.0:80
Ncat: Connection from 192.168.1.1.
Ncat: Connection from 192.168.1.1:{}.
hello from the lan
Ncat: Connection from 203.0.113.2.
Ncat: Connection from 203.0.113.2:{}.
hello from the wan
$ ip netns exec r tcpdump -tn -i br0 tcp &
#! contains: IP 192.168.1.10.{} > 203.0.113.1.8080: Flags [S], {}
#! contains: IP 192.168.1.1.{} > 192.168.1.20.80: Flags [S], {}
#! contains: IP 192.168.1.20.80 > 192.168.1.1.{}: Flags [S.], {}
#! contains: IP 203.0.113.1.8080 > 192.168.1.10.{}: Flags [S.], {}
#! lacks: {}Flags [R{}
#! differs: IP {} -- TCP options: Linux stamps every segment (TS val, ecr), the sim's TCP (smoltcp) does not; the segments, flags, numbers and lengths are the same
$ echo hello from the lan | ip netns exec c nc 203.0.113.1 8080
$ ip netns exec r conntrack -L -p tcp
#! contains: tcp      6 {} src=192.168.1.10 dst=203.0.113.1 sport={} dport=8080 src=192.168.1.20 dst=192.168.1.1 sport=80 dport={} [ASSURED] mark=0 use=1
$ echo hello from the wan | ip netns exec w nc 203.0.113.1 8080
$ sleep 1
