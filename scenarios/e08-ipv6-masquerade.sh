# E8 over IPv6 — source NAT with ip6tables: MASQUERADE on the router's WAN side. The WAN
# host has no route back to the LAN's prefix, so only the NAT makes the ping and the TCP
# flow work; the echo id and the client's port are kept while free; conntrack follows
# both (one table for both families: `conntrack -L` without -f lists IPv6 entries too);
# ip6tables -L/-S/-save show the rule, its counters, and the REJECT a filter rule sends
# back (ICMPv6 port unreachable, ncat's `Connection refused.`).
# Source: issue 15 (the IPv6 twin of E8); nf_nat_masquerade.c, nf_conntrack_proto_icmpv6.c,
# iptables 1.8.9's libip6t_*; checked against Linux with `nslab diff`.
#! description: E8 over IPv6: lan 2001:db8:1::2 - router (2001:db8:1::1 | 2001:db8:2::254) - wan 2001:db8:2::1, the WAN host without a route back. ip6tables -t nat -A POSTROUTING -s 2001:db8:1::/64 -o gw-veth1 -j MASQUERADE: ping -6 and curl -I http://[2001:db8:2::1]/ leave as 2001:db8:2::254 (echo id and port kept), conntrack -E shows icmpv6 and tcp [NEW]/[UPDATE] with the translated reply tuple, conntrack -L lists them without -f; ip6tables -L -n -v counts, -S and ip6tables-save print the rules; an INPUT REJECT answers nc -u with ICMPv6 port unreachable.
#! seed: 8

ip netns add lan
ip netns add router
ip netns add wan
ip link add lan-veth0 type veth peer name gw-veth0
ip link add wan-veth0 type veth peer name gw-veth1
ip link set lan-veth0 netns lan
ip link set gw-veth0 netns router
ip link set gw-veth1 netns router
ip link set wan-veth0 netns wan
ip netns exec router sysctl -w net.ipv6.conf.all.forwarding=1
#> net.ipv6.conf.all.forwarding = 1
ip -n lan -6 addr add 2001:db8:1::2/64 dev lan-veth0 nodad
ip -n router -6 addr add 2001:db8:1::1/64 dev gw-veth0 nodad
ip -n router -6 addr add 2001:db8:2::254/64 dev gw-veth1 nodad
ip -n wan -6 addr add 2001:db8:2::1/64 dev wan-veth0 nodad
ip -n lan link set lo up
ip -n wan link set lo up
ip -n lan link set lan-veth0 up
ip -n router link set gw-veth0 up
ip -n router link set gw-veth1 up
ip -n wan link set wan-veth0 up
ip -n lan -6 route add default via 2001:db8:1::1
sleep 3

# Without NAT the echo requests reach wan, whose answers have no route back.
ip netns exec lan ping -6 -c 1 -W 1 2001:db8:2::1
#> PING 2001:db8:2::1(2001:db8:2::1) 56 data bytes
#>
#> --- 2001:db8:2::1 ping statistics ---
#> 1 packets transmitted, 0 received, 100% packet loss, time 0ms
#>
#! exit: 1

# The nat table, before and after the rule (ip6tables-nft lists the chains in the
# kernel's order).
ip netns exec router ip6tables -t nat -L -n
#> Chain PREROUTING (policy ACCEPT)
#> target     prot opt source               destination         
#>
#> Chain INPUT (policy ACCEPT)
#> target     prot opt source               destination         
#>
#> Chain OUTPUT (policy ACCEPT)
#> target     prot opt source               destination         
#>
#> Chain POSTROUTING (policy ACCEPT)
#> target     prot opt source               destination         
ip netns exec router ip6tables -t nat -A POSTROUTING -s 2001:db8:1::/64 -o gw-veth1 -j MASQUERADE
ip netns exec router ip6tables -t nat -L
#> Chain PREROUTING (policy ACCEPT)
#> target     prot opt source               destination         
#>
#> Chain INPUT (policy ACCEPT)
#> target     prot opt source               destination         
#>
#> Chain OUTPUT (policy ACCEPT)
#> target     prot opt source               destination         
#>
#> Chain POSTROUTING (policy ACCEPT)
#> target     prot opt source               destination         
#> MASQUERADE  all  --  2001:db8:1::/64      anywhere            
ip netns exec router ip6tables -t nat -S
#> -P PREROUTING ACCEPT
#> -P INPUT ACCEPT
#> -P OUTPUT ACCEPT
#> -P POSTROUTING ACCEPT
#> -A POSTROUTING -s 2001:db8:1::/64 -o gw-veth1 -j MASQUERADE

# Captures on both sides of what goes to and from the WAN host (on the WAN side that
# includes its neighbour discovery with the router), and conntrack events on the router,
# IPv6 only.
ip netns exec lan tcpdump -tnl -i lan-veth0 'icmp6 and host 2001:db8:2::1' &
#! contains: IP6 2001:db8:1::2 > 2001:db8:2::1: ICMP6, echo request, id {}, seq 1, length 64
#! contains: IP6 2001:db8:2::1 > 2001:db8:1::2: ICMP6, echo reply, id {}, seq 1, length 64
#! differs: IP6 {}: frag (1448|560) -- on the kernel the last fragment, which the router's reassembly makes the head of the whole packet, is translated in the buffer veth shares with the sending side's capture: that capture shows it with the translated address
ip netns exec wan tcpdump -tnl -i wan-veth0 'icmp6 and host 2001:db8:2::1' &
#! contains: IP6 2001:db8:2::254 > 2001:db8:2::1: ICMP6, echo request, id {}, seq 1, length 64
#! contains: IP6 2001:db8:2::1 > 2001:db8:2::254: ICMP6, echo reply, id {}, seq 1, length 64
#! contains: IP6 2001:db8:2::254 > 2001:db8:2::1: frag (0|1448) ICMP6, echo request, id {}, seq 1, length 1448
#! contains: IP6 2001:db8:2::254 > 2001:db8:2::1: frag (1448|560)
#! differs: IP6 {}: frag (1448|560) -- on the kernel the last fragment, which the router's reassembly makes the head of the whole packet, is translated in the buffer veth shares with the sending side's capture: that capture shows it with the translated address
#! lacks: {}2001:db8:1::2 > {}
#! differs: {}neighbor {solicitation|advertisement}{} -- the router re-confirms a neighbour on the kernel's clock, which a loaded machine stretches into the capture
#! differs: {} packets {} -- those probes change the counts
ip netns exec router conntrack -E -f ipv6 &
#! contains:     [NEW] icmpv6   58 30 src=2001:db8:1::2 dst=2001:db8:2::1 type=128 code=0 id={} [UNREPLIED] src=2001:db8:2::1 dst=2001:db8:2::254 type=129 code=0 id={}
#! contains:  [UPDATE] icmpv6   58 30 src=2001:db8:1::2 dst=2001:db8:2::1 type=128 code=0 id={} src=2001:db8:2::1 dst=2001:db8:2::254 type=129 code=0 id={}
#! contains:     [NEW] tcp      6 120 SYN_SENT src=2001:db8:1::2 dst=2001:db8:2::1 sport={} dport=80 [UNREPLIED] src=2001:db8:2::1 dst=2001:db8:2::254 sport=80 dport={}
#! contains:  [UPDATE] tcp      6 60 SYN_RECV src=2001:db8:1::2 dst=2001:db8:2::1 sport={} dport=80 src=2001:db8:2::1 dst=2001:db8:2::254 sport=80 dport={}
#! contains:  [UPDATE] tcp      6 432000 ESTABLISHED src=2001:db8:1::2 dst=2001:db8:2::1 sport={} dport=80 src=2001:db8:2::1 dst=2001:db8:2::254 sport=80 dport={} [ASSURED]
#! differs: {}_WAIT{} -- how the close goes (who sends FIN first) is a race on the kernel
#! differs: {}LAST_ACK{} -- the same race
#! differs: {}CLOSE{} -- the same race
#! differs: conntrack v1.4.7 (conntrack-tools): {} flow events have been shown. -- the same race changes how many [UPDATE]s the close brings

ip netns exec lan ping -6 -c 3 2001:db8:2::1
#> PING 2001:db8:2::1(2001:db8:2::1) 56 data bytes
#> 64 bytes from 2001:db8:2::1: icmp_seq=1 ttl=63 time={} ms
#> 64 bytes from 2001:db8:2::1: icmp_seq=2 ttl=63 time={} ms
#> 64 bytes from 2001:db8:2::1: icmp_seq=3 ttl=63 time={} ms
#>
#> --- 2001:db8:2::1 ping statistics ---
#> 3 packets transmitted, 3 received, 0% packet loss, time {}ms
#> rtt min/avg/max/mdev = {} ms

# The binding, while it lasts (ICMPv6: 30 s after the last packet); without -f conntrack
# lists both families.
ip netns exec router conntrack -L
#> icmpv6   58 {} src=2001:db8:1::2 dst=2001:db8:2::1 type=128 code=0 id={} src=2001:db8:2::1 dst=2001:db8:2::254 type=129 code=0 id={} mark=0 use=1
#> conntrack v1.4.7 (conntrack-tools): 1 flow entries have been shown.
ip netns exec router conntrack -L -f ipv4
#> conntrack v1.4.7 (conntrack-tools): 0 flow entries have been shown.
ip netns exec router conntrack -L -p icmpv6 -s 2001:db8:1::/64
#> icmpv6   58 {} src=2001:db8:1::2 dst=2001:db8:2::1 type=128 code=0 id={} src=2001:db8:2::1 dst=2001:db8:2::254 type=129 code=0 id={} mark=0 use=1
#> conntrack v1.4.7 (conntrack-tools): 1 flow entries have been shown.

# An echo bigger than the links: each sender cuts it into fragments; conntrack on the
# router puts them together to track and translate the whole packet, and cuts it again
# into fragments no bigger than the largest that came.
ip netns exec lan ping -6 -c 1 -s 2000 2001:db8:2::1
#> PING 2001:db8:2::1(2001:db8:2::1) 2000 data bytes
#> 2008 bytes from 2001:db8:2::1: icmp_seq=1 ttl=63 time={} ms
#>
#> --- 2001:db8:2::1 ping statistics ---
#> 1 packets transmitted, 1 received, 0% packet loss, time 0ms
#> rtt min/avg/max/mdev = {} ms

# A TCP flow through the same MASQUERADE: the WAN side sees the router's address.
ip netns exec wan python3 -m http.server 80 --bind 2001:db8:2::1 &
#! contains: Serving HTTP on 2001:db8:2::1 port 80 (http://[2001:db8:2::1]:80/) ...
#! contains: 2001:db8:2::254 - - [{}] "HEAD / HTTP/1.1" 200 -
#! lacks: {}2001:db8:1::2{}
ip netns exec lan curl -I http://[2001:db8:2::1]/
#! contains: HTTP/1.0 200 OK
#! contains: Server: SimpleHTTP/0.6 Python/{}
sleep 1
ip netns exec router conntrack -L -p tcp
#! contains: tcp      6 {} TIME_WAIT src=2001:db8:1::2 dst=2001:db8:2::1 sport={} dport=80 src=2001:db8:2::1 dst=2001:db8:2::254 sport=80 dport={} [ASSURED] mark=0 use=1

# A filter on the router's own input: DNS refused with ICMPv6 port unreachable.
ip netns exec router ip6tables -A INPUT -p udp --dport 53 -j REJECT
ip netns exec router ip6tables -A FORWARD -p ipv6-icmp -j ACCEPT
echo hello | ip netns exec lan nc -6 -u 2001:db8:1::1 53
#> Ncat: Connection refused.
#! exit: 1
ip netns exec router ip6tables -L -n -v
#> Chain INPUT (policy ACCEPT 0 packets, 0 bytes)
#>  pkts bytes target     prot opt in     out     source               destination         
#>     1    54 REJECT     17   --  *      *       ::/0                 ::/0                 udp dpt:53 reject-with icmp6-port-unreachable
#>
#> Chain FORWARD (policy ACCEPT 0 packets, 0 bytes)
#>  pkts bytes target     prot opt in     out     source               destination         
#>     0     0 ACCEPT     58   --  *      *       ::/0                 ::/0                
#>
#> Chain OUTPUT (policy ACCEPT 0 packets, 0 bytes)
#>  pkts bytes target     prot opt in     out     source               destination         
ip netns exec router ip6tables -L INPUT
#> Chain INPUT (policy ACCEPT)
#> target     prot opt source               destination         
#> REJECT     udp  --  anywhere             anywhere             udp dpt:domain reject-with icmp6-port-unreachable
ip netns exec router ip6tables-save
#> # Generated by ip6tables-save v1.8.9 (nf_tables) on {}
#> *filter
#> :INPUT ACCEPT [0:0]
#> :FORWARD ACCEPT [0:0]
#> :OUTPUT ACCEPT [0:0]
#> -A INPUT -p udp -m udp --dport 53 -j REJECT --reject-with icmp6-port-unreachable
#> -A FORWARD -p ipv6-icmp -j ACCEPT
#> COMMIT
#> # Completed on {}
#> # Generated by ip6tables-save v1.8.9 (nf_tables) on {}
#> *nat
#> :PREROUTING ACCEPT [0:0]
#> :INPUT ACCEPT [0:0]
#> :OUTPUT ACCEPT [0:0]
#> :POSTROUTING ACCEPT [0:0]
#> -A POSTROUTING -s 2001:db8:1::/64 -o gw-veth1 -j MASQUERADE
#> COMMIT
#> # Completed on {}
