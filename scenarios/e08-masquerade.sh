# E8 — Source NAT: MASQUERADE on the router's WAN side.
# Source: seeds/001 ch7 "NAT" (and 002 slides 33-37, 003).
#! description: E8: lan 192.0.2.1 - router (192.0.2.254 | 203.0.113.254) - wan 203.0.113.1. With MASQUERADE on gw-veth1 the echo requests leave as 203.0.113.254 with the same ICMP id and the replies come back translated, and so does a TCP flow (curl -I to python3's http.server on wan, which logs the router's address); iptables -L/-S show the rule, and conntrack on the router the binding ([NEW], [UPDATE] on the first reply).
#! seed: 8

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

# No NAT rule yet: the nat table's chains are empty (iptables-nft lists them in the
# kernel's order; the document's older iptables printed OUTPUT last).
$ ip netns exec router iptables -t nat -L
Chain PREROUTING (policy ACCEPT)
target     prot opt source               destination

Chain INPUT (policy ACCEPT)
target     prot opt source               destination

Chain OUTPUT (policy ACCEPT)
target     prot opt source               destination

Chain POSTROUTING (policy ACCEPT)
target     prot opt source               destination

$ ip netns exec router iptables -t nat \
  -A POSTROUTING \
  -s 192.0.2.0/24 \
  -o gw-veth1 \
  -j MASQUERADE
$ ip netns exec router iptables -t nat -L
Chain PREROUTING (policy ACCEPT)
target     prot opt source               destination

Chain INPUT (policy ACCEPT)
target     prot opt source               destination

Chain OUTPUT (policy ACCEPT)
target     prot opt source               destination

Chain POSTROUTING (policy ACCEPT)
target     prot opt source               destination
MASQUERADE  all  --  192.0.2.0/24         anywhere
$ ip netns exec router iptables -t nat -S
-P PREROUTING ACCEPT
-P INPUT ACCEPT
-P OUTPUT ACCEPT
-P POSTROUTING ACCEPT
-A POSTROUTING -s 192.0.2.0/24 -o gw-veth1 -j MASQUERADE

# Captures on both sides, and conntrack events on the router.
$ ip netns exec lan tcpdump -tnel -i lan-veth0 icmp &
#! contains: {}: 192.0.2.1 > 203.0.113.1: ICMP echo request, id {}, seq 1, length 64
#! contains: {}: 203.0.113.1 > 192.0.2.1: ICMP echo reply, id {}, seq 1, length 64
$ ip netns exec wan tcpdump -tnel -i wan-veth0 icmp &
#! contains: {}: 203.0.113.254 > 203.0.113.1: ICMP echo request, id {}, seq 1, length 64
#! contains: {}: 203.0.113.1 > 203.0.113.254: ICMP echo reply, id {}, seq 1, length 64
#! lacks: {}192.0.2.1{}
$ ip netns exec router conntrack -E &
#! contains:     [NEW] icmp     1 30 src=192.0.2.1 dst=203.0.113.1 type=8 code=0 id={} [UNREPLIED] src=203.0.113.1 dst=203.0.113.254 type=0 code=0 id={}
#! contains:  [UPDATE] icmp     1 30 src=192.0.2.1 dst=203.0.113.1 type=8 code=0 id={} src=203.0.113.1 dst=203.0.113.254 type=0 code=0 id={}
#! contains:     [NEW] tcp      6 120 SYN_SENT src=192.0.2.1 dst=203.0.113.1 sport={} dport=80 [UNREPLIED] src=203.0.113.1 dst=203.0.113.254 sport=80 dport={}
#! contains:  [UPDATE] tcp      6 60 SYN_RECV src=192.0.2.1 dst=203.0.113.1 sport={} dport=80 src=203.0.113.1 dst=203.0.113.254 sport=80 dport={}
#! contains:  [UPDATE] tcp      6 432000 ESTABLISHED src=192.0.2.1 dst=203.0.113.1 sport={} dport=80 src=203.0.113.1 dst=203.0.113.254 sport=80 dport={} [ASSURED]
#! differs: {}_WAIT{} -- how the close goes (who sends FIN first) is a race on the kernel
#! differs: {}LAST_ACK{} -- the same race
#! differs: {}CLOSE{} -- the same race
#! differs: conntrack v1.4.7 (conntrack-tools): {} flow events have been shown. -- the same race changes how many [UPDATE]s the close brings

$ ip netns exec lan ping -c 3 203.0.113.1
PING 203.0.113.1 (203.0.113.1) 56(84) bytes of data.
64 bytes from 203.0.113.1: icmp_seq=1 ttl=63 time={} ms
64 bytes from 203.0.113.1: icmp_seq=2 ttl=63 time={} ms
64 bytes from 203.0.113.1: icmp_seq=3 ttl=63 time={} ms

--- 203.0.113.1 ping statistics ---
3 packets transmitted, 3 received, 0% packet loss, time {}ms
rtt min/avg/max/mdev = {} ms

# The binding, while it lasts (ICMP: 30 s after the last packet).
$ ip netns exec router conntrack -L
icmp     1 {} src=192.0.2.1 dst=203.0.113.1 type=8 code=0 id={} src=203.0.113.1 dst=203.0.113.254 type=0 code=0 id={} mark=0 use=1
conntrack v1.4.7 (conntrack-tools): 1 flow entries have been shown.

# A TCP flow through the same MASQUERADE (002's appendix: a web server on the WAN side,
# `curl -I` from the LAN). The WAN side sees the router's address and a port of its
# choosing (the client's own while it is free); the LAN side never sees the router.
$ ip netns exec wan python3 -m http.server 80 --bind 203.0.113.1 &
#! contains: Serving HTTP on 203.0.113.1 port 80 (http://203.0.113.1:80/) ...
#! contains: 203.0.113.254 - - [{}] "HEAD / HTTP/1.1" 200 -
#! lacks: {}192.0.2.1{}
$ ip netns exec lan tcpdump -tnl -i lan-veth0 tcp port 80 &
#! contains: IP 192.0.2.1.{} > 203.0.113.1.80: Flags [S], seq {}, win {}, length 0
#! contains: IP 203.0.113.1.80 > 192.0.2.1.{}: Flags [S.], seq {}, ack {}, win {}, length 0
#! contains: IP 192.0.2.1.{} > 203.0.113.1.80: Flags [P.], seq 1:77, ack 1, win {}, length 76: HTTP: HEAD / HTTP/1.1
#! contains: IP 203.0.113.1.80 > 192.0.2.1.{}: Flags [P.], seq 1:156, ack 77, win {}, length 155: HTTP: HTTP/1.0 200 OK
#! lacks: {}203.0.113.254{}
#! differs: IP {}: Flags [F.], {} -- who closes first (curl or Python) is a race on the kernel: the FINs come in either order
#! differs: IP {}: Flags [.], ack 15{}, win {}, length 0 -- and with them the bare ACKs of the answer and its FIN
#! differs: IP {}: Flags [.], ack 78, win {}, length 0 -- and the ACK of the client's FIN
#! differs: {} packets {} -- the same race changes the count by one
$ ip netns exec wan tcpdump -tnl -i wan-veth0 tcp port 80 &
#! contains: IP 203.0.113.254.{} > 203.0.113.1.80: Flags [S], seq {}, win {}, length 0
#! contains: IP 203.0.113.1.80 > 203.0.113.254.{}: Flags [S.], seq {}, ack {}, win {}, length 0
#! contains: IP 203.0.113.254.{} > 203.0.113.1.80: Flags [P.], seq 1:77, ack 1, win {}, length 76: HTTP: HEAD / HTTP/1.1
#! contains: IP 203.0.113.1.80 > 203.0.113.254.{}: Flags [P.], seq 1:156, ack 77, win {}, length 155: HTTP: HTTP/1.0 200 OK
#! lacks: {}192.0.2.1{}
#! differs: IP {}: Flags [F.], {} -- who closes first (curl or Python) is a race on the kernel: the FINs come in either order
#! differs: IP {}: Flags [.], ack 15{}, win {}, length 0 -- and with them the bare ACKs of the answer and its FIN
#! differs: IP {}: Flags [.], ack 78, win {}, length 0 -- and the ACK of the client's FIN
#! differs: {} packets {} -- the same race changes the count by one
$ ip netns exec lan curl -I http://203.0.113.1/
#! contains: HTTP/1.0 200 OK
#! contains: Server: SimpleHTTP/0.6 Python/{}
#! contains: Content-type: text/html; charset=utf-8
#! contains: Content-Length: 187
$ sleep 1
$ ip netns exec router conntrack -L -p tcp
#! contains: tcp      6 {} TIME_WAIT src=192.0.2.1 dst=203.0.113.1 sport={} dport=80 src=203.0.113.1 dst=203.0.113.254 sport=80 dport={} [ASSURED] mark=0 use=1
