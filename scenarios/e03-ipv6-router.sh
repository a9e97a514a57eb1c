# E3 over IPv6 — two hosts on two links joined by a router with IPv6 forwarding on:
# default routes through the router's global addresses, ping -6 across it (hop limit
# 63 on arrival), the router's advertisements carrying its router flag (`router` in the
# hosts' neighbour tables), the router resolving the far host from its link-local
# address, and the errors it sends: hop limit exceeded, no route, address unreachable.
# Source: issue 15 (IPv6 twins of E3/E4); ip6_output.c's ip6_forward, ndisc.c, icmp.c,
# checked against Linux with `nslab diff`.
#! description: E3 over IPv6: hosts a and b on 2001:db8:1::/64 and 2001:db8:2::/64, router r with net.ipv6.conf.all.forwarding=1; ip -6 route add default via the router; ping -6 across (ttl=63), the router flag in ip -6 neigh, the router's NS from its link-local address, and Time exceeded: Hop limit, Destination unreachable: No route and Address unreachable from the router.
#! seed: 5

ip netns add a
ip netns add r
ip netns add b
ip link add a0 type veth peer name r0
ip link add b0 type veth peer name r1
ip link set a0 netns a
ip link set r0 netns r
ip link set r1 netns r
ip link set b0 netns b
ip -n a link set a0 address 02:00:00:00:01:02
ip -n r link set r0 address 02:00:00:00:01:01
ip -n r link set r1 address 02:00:00:00:02:01
ip -n b link set b0 address 02:00:00:00:02:02
ip netns exec r sysctl -w net.ipv6.conf.all.forwarding=1
#> net.ipv6.conf.all.forwarding = 1
ip -n a -6 addr add 2001:db8:1::2/64 dev a0
ip -n r -6 addr add 2001:db8:1::1/64 dev r0
ip -n r -6 addr add 2001:db8:2::1/64 dev r1
ip -n b -6 addr add 2001:db8:2::2/64 dev b0
ip -n a link set a0 up
ip -n r link set r0 up
ip -n r link set r1 up
ip -n b link set b0 up
sleep 3
ip -n a -6 route add default via 2001:db8:1::1
ip -n b -6 route add default via 2001:db8:2::1
ip -n a -6 route show
#> 2001:db8:1::/64 dev a0 proto kernel metric 256 pref medium
#> fe80::/64 dev a0 proto kernel metric 256 pref medium
#> default via 2001:db8:1::1 dev a0 metric 1024 pref medium
ip -n r -6 route show
#> 2001:db8:1::/64 dev r0 proto kernel metric 256 pref medium
#> 2001:db8:2::/64 dev r1 proto kernel metric 256 pref medium
#> fe80::/64 dev r0 proto kernel metric 256 pref medium
#> fe80::/64 dev r1 proto kernel metric 256 pref medium

# Router solicitations (from a and b only: r routes) are about 4, 8 and 16 s after DAD;
# from 17 s on the captures see only the pings.
sleep 14
# (Router solicitations, to ff02::2, are left out: a loaded machine may shift one in.)
ip netns exec b tcpdump -tnel -c 8 -i b0 'icmp6 and not ether dst 33:33:00:00:00:02' &
#> tcpdump: verbose output suppressed, use -v[v]... for full protocol decode
#> listening on b0, link-type EN10MB (Ethernet), snapshot length 262144 bytes
#> 02:00:00:00:02:01 > 33:33:ff:00:00:02, ethertype IPv6 (0x86dd), length 86: fe80::ff:fe00:201 > ff02::1:ff00:2: ICMP6, neighbor solicitation, who has 2001:db8:2::2, length 32
#> 02:00:00:00:02:02 > 02:00:00:00:02:01, ethertype IPv6 (0x86dd), length 86: 2001:db8:2::2 > fe80::ff:fe00:201: ICMP6, neighbor advertisement, tgt is 2001:db8:2::2, length 32
#> 02:00:00:00:02:01 > 02:00:00:00:02:02, ethertype IPv6 (0x86dd), length 118: 2001:db8:1::2 > 2001:db8:2::2: ICMP6, echo request, id {}, seq 1, length 64
#> 02:00:00:00:02:02 > 33:33:ff:00:00:01, ethertype IPv6 (0x86dd), length 86: 2001:db8:2::2 > ff02::1:ff00:1: ICMP6, neighbor solicitation, who has 2001:db8:2::1, length 32
#> 02:00:00:00:02:01 > 02:00:00:00:02:02, ethertype IPv6 (0x86dd), length 86: 2001:db8:2::1 > 2001:db8:2::2: ICMP6, neighbor advertisement, tgt is 2001:db8:2::1, length 32
#> 02:00:00:00:02:02 > 02:00:00:00:02:01, ethertype IPv6 (0x86dd), length 118: 2001:db8:2::2 > 2001:db8:1::2: ICMP6, echo reply, id {}, seq 1, length 64
#> 02:00:00:00:02:01 > 02:00:00:00:02:02, ethertype IPv6 (0x86dd), length 118: 2001:db8:1::2 > 2001:db8:2::2: ICMP6, echo request, id {}, seq 2, length 64
#> 02:00:00:00:02:02 > 02:00:00:00:02:01, ethertype IPv6 (0x86dd), length 118: 2001:db8:2::2 > 2001:db8:1::2: ICMP6, echo reply, id {}, seq 2, length 64
#> 8 packets captured
#> 8 packets received by filter
#> 0 packets dropped by kernel
ip netns exec a ping -6 -c 2 2001:db8:2::2
#> PING 2001:db8:2::2(2001:db8:2::2) 56 data bytes
#> 64 bytes from 2001:db8:2::2: icmp_seq=1 ttl=63 time=0.100 ms
#> 64 bytes from 2001:db8:2::2: icmp_seq=2 ttl=63 time=0.040 ms
#> 
#> --- 2001:db8:2::2 ping statistics ---
#> 2 packets transmitted, 2 received, 0% packet loss, time 1000ms
#> rtt min/avg/max/mdev = 0.040/0.070/0.100/0.030 ms
ip -n a -6 neigh show
#> 2001:db8:1::1 dev a0 lladdr 02:00:00:00:01:01 router REACHABLE 
ip -n r -6 neigh show
#> 2001:db8:1::2 dev r0 lladdr 02:00:00:00:01:02 DELAY 
#> fe80::ff:fe00:102 dev r0 lladdr 02:00:00:00:01:02 STALE 
#> 2001:db8:2::2 dev r1 lladdr 02:00:00:00:02:02 REACHABLE 
#> fe80::ff:fe00:202 dev r1 lladdr 02:00:00:00:02:02 STALE 
ip -n b -6 neigh show
#> 2001:db8:2::1 dev b0 lladdr 02:00:00:00:02:01 router REACHABLE 
#> fe80::ff:fe00:201 dev b0 lladdr 02:00:00:00:02:01 DELAY 

# What the router sends back: the hop limit spent on it, no route onward, nobody there.
ip netns exec a ping -6 -c 1 -t 1 2001:db8:2::2
#> PING 2001:db8:2::2(2001:db8:2::2) 56 data bytes
#> From 2001:db8:1::1 icmp_seq=1 Time exceeded: Hop limit
#> 
#> --- 2001:db8:2::2 ping statistics ---
#> 1 packets transmitted, 0 received, +1 errors, 100% packet loss, time 0ms
#> 
#! exit: 1
ip netns exec a ping -6 -c 1 2001:db8:3::1
#> PING 2001:db8:3::1(2001:db8:3::1) 56 data bytes
#> From 2001:db8:1::1 icmp_seq=1 Destination unreachable: No route
#> 
#> --- 2001:db8:3::1 ping statistics ---
#> 1 packets transmitted, 0 received, +1 errors, 100% packet loss, time 0ms
#> 
#! exit: 1
ip netns exec a ping -6 -c 1 2001:db8:2::99
#> PING 2001:db8:2::99(2001:db8:2::99) 56 data bytes
#> From 2001:db8:1::1 icmp_seq=1 Destination unreachable: Address unreachable
#> 
#> --- 2001:db8:2::99 ping statistics ---
#> 1 packets transmitted, 0 received, +1 errors, 100% packet loss, time 0ms
#> 
#! exit: 1

# The routes packets take, as `ip -6 route get` tells (`ip route get` of an IPv6 address
# too): through the router (its metric, no `proto` for a route added by hand), on the
# link, to an address of its own, from a given address; the router has no route onward.
ip -n a -6 route get 2001:db8:2::2
#> 2001:db8:2::2 from :: via 2001:db8:1::1 dev a0 src 2001:db8:1::2 metric 1024 pref medium
ip -n a route get 2001:db8:1::1
#> 2001:db8:1::1 from :: dev a0 proto kernel src 2001:db8:1::2 metric 256 pref medium
ip -n a -6 route get 2001:db8:1::2
#> local 2001:db8:1::2 from :: dev lo table local proto kernel src 2001:db8:1::2 metric 0 pref medium
ip -n a -6 route get to 2001:db8:2::2 from 2001:db8:1::2
#> 2001:db8:2::2 from 2001:db8:1::2 via 2001:db8:1::1 dev a0 src 2001:db8:1::2 metric 1024 pref medium
ip -n r -6 route get fe80::1
#> fe80::1 from :: dev r0 proto kernel src fe80::ff:fe00:101 metric 256 pref medium
ip -n r -6 route get 2001:db8:3::1
#> RTNETLINK answers: Network is unreachable
#! exit: 2
