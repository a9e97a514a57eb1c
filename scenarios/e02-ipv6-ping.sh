# E2 over IPv6 — the veth pair of E2 with IPv6 addresses: `ping -6` resolves its
# neighbour with neighbour discovery (a solicitation to the solicited-node group, a
# solicited advertisement back), the peer learns the asker STALE and confirms it 5 s
# later with a unicast probe from its link-local address; a link-local ping; `ping6` to
# an address nobody holds: three solicitations, then `Address unreachable` from our own
# address.
# Source: issue 15 (IPv6 twin of E2); ndisc.c and iputils 20221126's ping6_common.c,
# checked against Linux with `nslab diff`.
#! description: E2 over IPv6: ping -6 across a veth pair (NS to the solicited-node group, NA back, echo), the peer's entries DELAY, then REACHABLE after its unicast probe 5 s on, a link-local ping (replies from fe80::…%v1), ip -6 neigh in both namespaces, and ping6 to an absent address (three NS, Address unreachable, FAILED).
#! seed: 3

ip netns add a
ip netns add b
ip link add v1 type veth peer name v2
ip link set v1 netns a
ip link set v2 netns b
ip -n a link set v1 address 02:00:00:00:00:01
ip -n b link set v2 address 02:00:00:00:00:02
ip -n a link set lo up
ip -n b link set lo up
ip -n a link set v1 up
ip -n b link set v2 up
ip -n a -6 addr add 2001:db8::1/64 dev v1
ip -n b -6 addr add 2001:db8::2/64 dev v2

# Router solicitations go out about 4, 8 and 16 s after DAD (±10% each, and the end that
# was up first may start up to 1 s late on the kernel): from 17 s on, the next is more than
# 7 s away, and the capture (the two pings' 14 packets) sees only their ICMPv6.
sleep 17
# (Router solicitations, to ff02::2, are left out: a loaded machine may shift one in.)
ip netns exec b tcpdump -tnel -c 14 -i v2 'icmp6 and not ether dst 33:33:00:00:00:02' &
#> tcpdump: verbose output suppressed, use -v[v]... for full protocol decode
#> listening on v2, link-type EN10MB (Ethernet), snapshot length 262144 bytes
#> 02:00:00:00:00:01 > 33:33:ff:00:00:02, ethertype IPv6 (0x86dd), length 86: 2001:db8::1 > ff02::1:ff00:2: ICMP6, neighbor solicitation, who has 2001:db8::2, length 32
#> 02:00:00:00:00:02 > 02:00:00:00:00:01, ethertype IPv6 (0x86dd), length 86: 2001:db8::2 > 2001:db8::1: ICMP6, neighbor advertisement, tgt is 2001:db8::2, length 32
#> 02:00:00:00:00:01 > 02:00:00:00:00:02, ethertype IPv6 (0x86dd), length 118: 2001:db8::1 > 2001:db8::2: ICMP6, echo request, id {}, seq 1, length 64
#> 02:00:00:00:00:02 > 02:00:00:00:00:01, ethertype IPv6 (0x86dd), length 118: 2001:db8::2 > 2001:db8::1: ICMP6, echo reply, id {}, seq 1, length 64
#> 02:00:00:00:00:01 > 02:00:00:00:00:02, ethertype IPv6 (0x86dd), length 118: 2001:db8::1 > 2001:db8::2: ICMP6, echo request, id {}, seq 2, length 64
#> 02:00:00:00:00:02 > 02:00:00:00:00:01, ethertype IPv6 (0x86dd), length 118: 2001:db8::2 > 2001:db8::1: ICMP6, echo reply, id {}, seq 2, length 64
#> 02:00:00:00:00:01 > 02:00:00:00:00:02, ethertype IPv6 (0x86dd), length 118: 2001:db8::1 > 2001:db8::2: ICMP6, echo request, id {}, seq 3, length 64
#> 02:00:00:00:00:02 > 02:00:00:00:00:01, ethertype IPv6 (0x86dd), length 118: 2001:db8::2 > 2001:db8::1: ICMP6, echo reply, id {}, seq 3, length 64
#> 02:00:00:00:00:01 > 33:33:ff:00:00:02, ethertype IPv6 (0x86dd), length 86: fe80::ff:fe00:1 > ff02::1:ff00:2: ICMP6, neighbor solicitation, who has fe80::ff:fe00:2, length 32
#> 02:00:00:00:00:02 > 02:00:00:00:00:01, ethertype IPv6 (0x86dd), length 86: fe80::ff:fe00:2 > fe80::ff:fe00:1: ICMP6, neighbor advertisement, tgt is fe80::ff:fe00:2, length 32
#> 02:00:00:00:00:01 > 02:00:00:00:00:02, ethertype IPv6 (0x86dd), length 118: fe80::ff:fe00:1 > fe80::ff:fe00:2: ICMP6, echo request, id {}, seq 1, length 64
#> 02:00:00:00:00:02 > 02:00:00:00:00:01, ethertype IPv6 (0x86dd), length 118: fe80::ff:fe00:2 > fe80::ff:fe00:1: ICMP6, echo reply, id {}, seq 1, length 64
#> 02:00:00:00:00:01 > 02:00:00:00:00:02, ethertype IPv6 (0x86dd), length 118: fe80::ff:fe00:1 > fe80::ff:fe00:2: ICMP6, echo request, id {}, seq 2, length 64
#> 02:00:00:00:00:02 > 02:00:00:00:00:01, ethertype IPv6 (0x86dd), length 118: fe80::ff:fe00:2 > fe80::ff:fe00:1: ICMP6, echo reply, id {}, seq 2, length 64
#> 14 packets captured
#> 14 packets received by filter
#> 0 packets dropped by kernel
ip netns exec a ping -6 -c 3 2001:db8::2
#> PING 2001:db8::2(2001:db8::2) 56 data bytes
#> 64 bytes from 2001:db8::2: icmp_seq=1 ttl=64 time=0.040 ms
#> 64 bytes from 2001:db8::2: icmp_seq=2 ttl=64 time=0.020 ms
#> 64 bytes from 2001:db8::2: icmp_seq=3 ttl=64 time=0.020 ms
#> 
#> --- 2001:db8::2 ping statistics ---
#> 3 packets transmitted, 3 received, 0% packet loss, time 2000ms
#> rtt min/avg/max/mdev = 0.020/0.026/0.040/0.009 ms
ip -n a -6 neigh show
#> 2001:db8::2 dev v1 lladdr 02:00:00:00:00:02 REACHABLE 
ip -n b -6 neigh show
#> 2001:db8::1 dev v2 lladdr 02:00:00:00:00:01 DELAY 
ip netns exec a ping -c 2 fe80::ff:fe00:2
#> PING fe80::ff:fe00:2(fe80::ff:fe00:2) 56 data bytes
#> 64 bytes from fe80::ff:fe00:2%v1: icmp_seq=1 ttl=64 time=0.040 ms
#> 64 bytes from fe80::ff:fe00:2%v1: icmp_seq=2 ttl=64 time=0.020 ms
#> 
#> --- fe80::ff:fe00:2 ping statistics ---
#> 2 packets transmitted, 2 received, 0% packet loss, time 1000ms
#> rtt min/avg/max/mdev = 0.020/0.030/0.040/0.010 ms
ip -n a -6 neigh show dev v1
#> 2001:db8::2 lladdr 02:00:00:00:00:02 REACHABLE 
#> fe80::ff:fe00:2 lladdr 02:00:00:00:00:02 REACHABLE 

# 5 s after it first answered, b confirms each neighbour with a unicast solicitation from
# its link-local address; a answers with a solicited advertisement (no override, no
# link-layer option: 24 bytes), and both entries are REACHABLE.
sleep 6
ip -n b -6 neigh show
#> 2001:db8::1 dev v2 lladdr 02:00:00:00:00:01 REACHABLE 
#> fe80::ff:fe00:1 dev v2 lladdr 02:00:00:00:00:01 REACHABLE 
ip netns exec a ping6 -c 1 2001:db8::99
#> PING 2001:db8::99(2001:db8::99) 56 data bytes
#> From 2001:db8::1 icmp_seq=1 Destination unreachable: Address unreachable
#> 
#> --- 2001:db8::99 ping statistics ---
#> 1 packets transmitted, 0 received, +1 errors, 100% packet loss, time 0ms
#> 
#! exit: 1
ip -n a -6 neigh show
#> 2001:db8::2 dev v1 lladdr 02:00:00:00:00:02 REACHABLE 
#> 2001:db8::99 dev v1 FAILED 
#> fe80::ff:fe00:2 dev v1 lladdr 02:00:00:00:00:02 REACHABLE 

# Entries set by hand: `ip -6 neigh add|replace|del`, as for IPv4 (and `ip neigh` takes an
# IPv6 address without -6). A ping to a permanent entry needs no solicitation.
ip -n a -6 neigh add 2001:db8::7 lladdr 02:00:00:00:00:07 dev v1
ip -n a neigh replace 2001:db8::8 lladdr 02:00:00:00:00:08 dev v1 nud stale
ip -n a -6 neigh add 2001:db8::7 lladdr 02:00:00:00:00:07 dev v1
#> RTNETLINK answers: File exists
#! exit: 2
ip -n a -6 neigh show dev v1
#> 2001:db8::2 lladdr 02:00:00:00:00:02 REACHABLE 
#> 2001:db8::7 lladdr 02:00:00:00:00:07 PERMANENT 
#> 2001:db8::8 lladdr 02:00:00:00:00:08 STALE 
#> 2001:db8::99 FAILED 
#> fe80::ff:fe00:2 lladdr 02:00:00:00:00:02 REACHABLE 
ip -n a -6 neigh del 2001:db8::7 dev v1
ip -n a -6 neigh del 2001:db8::7 dev v1
#> RTNETLINK answers: No such file or directory
#! exit: 2
ip -n a -6 neigh replace 2001:db8::2 lladdr 02:00:00:00:00:02 dev v1
ip netns exec a ping -6 -c 1 -q 2001:db8::2
#> PING 2001:db8::2(2001:db8::2) 56 data bytes
#> 
#> --- 2001:db8::2 ping statistics ---
#> 1 packets transmitted, 1 received, 0% packet loss, time 0ms
#> rtt min/avg/max/mdev = {} ms
ip -n a -6 neigh show dev v1
#> 2001:db8::2 lladdr 02:00:00:00:00:02 PERMANENT 
#> 2001:db8::8 lladdr 02:00:00:00:00:08 STALE 
#> 2001:db8::99 FAILED 
#> fe80::ff:fe00:2 lladdr 02:00:00:00:00:02 REACHABLE 

# A link-local address with its interface (`%v1`, as getaddrinfo reads it), a source
# address chosen with -I (one of ours, or refused), and an interface nobody has.
ip -n a -6 addr add 2001:db8::11/64 dev v1 nodad
ip netns exec a ping -6 -c 1 -q fe80::ff:fe00:2%v1
#> PING fe80::ff:fe00:2%v1(fe80::ff:fe00:2%v1) 56 data bytes
#> 
#> --- fe80::ff:fe00:2%v1 ping statistics ---
#> 1 packets transmitted, 1 received, 0% packet loss, time 0ms
#> rtt min/avg/max/mdev = {} ms
ip netns exec a ping -c 1 -q -I 2001:db8::11 2001:db8::2
#> PING 2001:db8::2(2001:db8::2) from 2001:db8::11 : 56 data bytes
#> 
#> --- 2001:db8::2 ping statistics ---
#> 1 packets transmitted, 1 received, 0% packet loss, time 0ms
#> rtt min/avg/max/mdev = {} ms
ip netns exec a ping -6 -c 1 -I 2001:db8::99 2001:db8::2
#> ping: bind icmp socket: Cannot assign requested address
#! exit: 2
ip netns exec a ping -6 -c 1 fe80::ff:fe00:2%nosuch
#> ping: fe80::ff:fe00:2%nosuch: Name or service not known
#! exit: 2
ip netns exec a ping -6 -c 1 -q -I v1 fe80::ff:fe00:2
#> ping: Warning: source address might be selected on device other than: v1
#> PING fe80::ff:fe00:2(fe80::ff:fe00:2) from :: v1: 56 data bytes
#> 
#> --- fe80::ff:fe00:2 ping statistics ---
#> 1 packets transmitted, 1 received, 0% packet loss, time 0ms
#> rtt min/avg/max/mdev = {} ms
