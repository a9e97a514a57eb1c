# E4 over IPv6 — traceroute -6 across two routers: UDP probes (80 bytes: 40 of IPv6
# header, 8 of UDP, 32 of data) answered by each router's ICMPv6 time exceeded and the
# target's port unreachable; ICMPv6 echo probes with -I; a router with no route answers
# `!N`; a host that does not answer neighbour discovery is `!H` from the last router;
# with no route at all, traceroute cannot even connect (IPv4 alike). A router answers
# `!N` for a destination it has no route to before it looks at the hop limit.
# Source: issue 15 (traceroute -6); Debian's traceroute 2.1 and net/ipv6/icmp.c, checked
# against Linux with `nslab diff`.
#! description: E4 over IPv6: traceroute -6 from a through r1 and r2 to b (2001:db8:1::/64, 2001:db8:12::/64, 2001:db8:2::/64): three hops of UDP probes, the same with -I (ICMPv6 echo), `!N` from a router without a route, `!H` for an address nobody answers on b's link, and `connect: Network is unreachable` without any route.
#! seed: 4

ip netns add a
ip netns add r1
ip netns add r2
ip netns add b
ip link add a0 type veth peer name r1a
ip link add r1b type veth peer name r2a
ip link add r2b type veth peer name b0
ip link set a0 netns a
ip link set r1a netns r1
ip link set r1b netns r1
ip link set r2a netns r2
ip link set r2b netns r2
ip link set b0 netns b
ip netns exec r1 sysctl -qw net.ipv6.conf.all.forwarding=1
ip netns exec r2 sysctl -qw net.ipv6.conf.all.forwarding=1
ip -n a -6 addr add 2001:db8:1::2/64 dev a0 nodad
ip -n r1 -6 addr add 2001:db8:1::1/64 dev r1a nodad
ip -n r1 -6 addr add 2001:db8:12::1/64 dev r1b nodad
ip -n r2 -6 addr add 2001:db8:12::2/64 dev r2a nodad
ip -n r2 -6 addr add 2001:db8:2::1/64 dev r2b nodad
ip -n b -6 addr add 2001:db8:2::2/64 dev b0 nodad
ip -n a link set a0 up
ip -n r1 link set r1a up
ip -n r1 link set r1b up
ip -n r2 link set r2a up
ip -n r2 link set r2b up
ip -n b link set b0 up
ip -n a -6 route add default via 2001:db8:1::1
ip -n r1 -6 route add 2001:db8:2::/64 via 2001:db8:12::2
ip -n r2 -6 route add 2001:db8:1::/64 via 2001:db8:12::1
ip -n b -6 route add default via 2001:db8:2::1
sleep 2

# Each router answers six errors to a host at once, then one per 100 ms
# (net.ipv6.icmp.ratelimit): a second between traceroutes lets its bucket fill again.
ip netns exec a traceroute -n 2001:db8:2::2
#> traceroute to 2001:db8:2::2 (2001:db8:2::2), 30 hops max, 80 byte packets
#>  1  2001:db8:1::1  {} ms  {} ms  {} ms
#>  2  2001:db8:12::2  {} ms  {} ms  {} ms
#>  3  2001:db8:2::2  {} ms  {} ms  {} ms
sleep 1
# (`-w 5,0,0`: the real traceroute -I reads its one socket a reply per poll and gives the
# other probes three times the first's round trip, which a loaded machine overruns.)
ip netns exec a traceroute -6 -n -I -w 5,0,0 2001:db8:2::2
#> traceroute to 2001:db8:2::2 (2001:db8:2::2), 30 hops max, 80 byte packets
#>  1  2001:db8:1::1  {} ms  {} ms  {} ms
#>  2  2001:db8:12::2  {} ms  {} ms  {} ms
#>  3  2001:db8:2::2  {} ms  {} ms  {} ms
sleep 1
ip netns exec a traceroute -n -q 1 2001:db8:9::1
#> traceroute to 2001:db8:9::1 (2001:db8:9::1), 30 hops max, 80 byte packets
#>  1  2001:db8:1::1  {} ms !N
sleep 1
# r2 tries neighbour discovery for ::99 for 3 s, then answers address unreachable.
ip netns exec a traceroute -n -q 1 -m 4 2001:db8:2::99
#> traceroute to 2001:db8:2::99 (2001:db8:2::99), 4 hops max, 80 byte packets
#>  1  2001:db8:1::1  {} ms
#>  2  2001:db8:12::2  {} ms
#>  3  2001:db8:12::2  {} ms !H
ip netns exec b ip -6 route del default
ip netns exec b traceroute6 -n 2001:db8:1::2
#> traceroute to 2001:db8:1::2 (2001:db8:1::2), 30 hops max, 80 byte packets
#> connect: Network is unreachable
#! exit: 1
ip netns exec b traceroute -n 10.0.0.1
#> traceroute to 10.0.0.1 (10.0.0.1), 30 hops max, 60 byte packets
#> connect: Network is unreachable
#! exit: 1
