# E19 over IPv6 — only the sender fragments: a router whose next link is too small
# answers "packet too big" with that link's MTU (ping prints it for the first probe), the
# sender keeps the path MTU for 600 s (`ip -6 route get` shows it) and cuts its next probes
# into fragments of 1248 bytes of data (1300 - 40 - 8, in eights), which b puts back
# together and answers — in fragments too, its own link being 1300. A ping of 3000 bytes
# to the router goes in fragments over the 1500-byte link.
# Source: issue 15 (packet too big, PMTU, fragmentation); net/ipv6/ip6_output.c
# (ip6_forward, ip6_fragment) and reassembly.c, checked against Linux with `nslab diff`.
#! description: E19 over IPv6: a path MTU of 1300 behind router r. ping -6 -s 1400 gets `Packet too big: mtu=1300` from r, then replies; the fragments on b's link (frag (0|1248), frag (1248|160)) both ways; ip -6 route get with `expires 597sec mtu 1300`; a 3000-byte ping in fragments to the router.
#! seed: 19

ip netns add a
ip netns add r
ip netns add b
ip link add a0 type veth peer name r0
ip link add r1 type veth peer name b0
ip link set a0 netns a
ip link set r0 netns r
ip link set r1 netns r
ip link set b0 netns b
ip netns exec r sysctl -qw net.ipv6.conf.all.forwarding=1
ip -n a link set a0 up
ip -n r link set r0 up
ip -n r link set r1 up mtu 1300
ip -n b link set b0 up mtu 1300
ip -n a -6 addr add 2001:db8:1::2/64 dev a0 nodad
ip -n r -6 addr add 2001:db8:1::1/64 dev r0 nodad
ip -n r -6 addr add 2001:db8:2::1/64 dev r1 nodad
ip -n b -6 addr add 2001:db8:2::2/64 dev b0 nodad
ip -n a -6 route add default via 2001:db8:1::1
ip -n b -6 route add default via 2001:db8:2::1
sleep 2
ip netns exec b tcpdump -tn -i b0 -c 8 ip6 proto 44 &
#> tcpdump: verbose output suppressed, use -v[v]... for full protocol decode
#> listening on b0, link-type EN10MB (Ethernet), snapshot length 262144 bytes
#> IP6 2001:db8:1::2 > 2001:db8:2::2: frag (0|1248) ICMP6, echo request, id {}, seq 2, length 1248
#> IP6 2001:db8:1::2 > 2001:db8:2::2: frag (1248|160)
#> IP6 2001:db8:2::2 > 2001:db8:1::2: frag (0|1248) ICMP6, echo reply, id {}, seq 2, length 1248
#> IP6 2001:db8:2::2 > 2001:db8:1::2: frag (1248|160)
#> IP6 2001:db8:1::2 > 2001:db8:2::2: frag (0|1248) ICMP6, echo request, id {}, seq 3, length 1248
#> IP6 2001:db8:1::2 > 2001:db8:2::2: frag (1248|160)
#> IP6 2001:db8:2::2 > 2001:db8:1::2: frag (0|1248) ICMP6, echo reply, id {}, seq 3, length 1248
#> IP6 2001:db8:2::2 > 2001:db8:1::2: frag (1248|160)
#> 8 packets captured
#> 8 packets received by filter
#> 0 packets dropped by kernel
ip netns exec a ping -6 -c 3 -s 1400 2001:db8:2::2
#> PING 2001:db8:2::2(2001:db8:2::2) 1400 data bytes
#> From 2001:db8:1::1 icmp_seq=1 Packet too big: mtu=1300
#> 1408 bytes from 2001:db8:2::2: icmp_seq=2 ttl=63 time={} ms
#> 1408 bytes from 2001:db8:2::2: icmp_seq=3 ttl=63 time={} ms
#> 
#> --- 2001:db8:2::2 ping statistics ---
#> 3 packets transmitted, 2 received, +1 errors, 33.3333% packet loss, time {}ms
#> rtt min/avg/max/mdev = {} ms
ip netns exec a ip -6 route get 2001:db8:2::2
#> 2001:db8:2::2 from :: via 2001:db8:1::1 dev a0 src 2001:db8:1::2 metric 1024 expires 597sec mtu 1300 pref medium
ip netns exec a ping -6 -c 1 -s 3000 2001:db8:1::1
#> PING 2001:db8:1::1(2001:db8:1::1) 3000 data bytes
#> 3008 bytes from 2001:db8:1::1: icmp_seq=1 ttl=64 time={} ms
#> 
#> --- 2001:db8:1::1 ping statistics ---
#> 1 packets transmitted, 1 received, 0% packet loss, time 0ms
#> rtt min/avg/max/mdev = {} ms
