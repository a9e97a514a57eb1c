# E4 over IPv6, traced with TCP SYNs (`traceroute -6 -T`, Debian traceroute 2.1's
# mod-tcp.c on an IPv6 raw TCP socket): 80-byte probes (40 of IPv6 header, 40 of TCP with
# the options tcp_init builds, the MSS 60 bytes under the path MTU), each from a fresh
# ephemeral port to port 80 (or `-p`); routers answer with ICMPv6 time exceeded quoting
# it, which the tracer reads on its raw socket's error queue; the target answers with RST
# (nothing listens) or SYN-ACK (a listener), which the tracer's stack resets. `-N 1 -q 1`
# sends one probe at a time; `-w 5,0,0` turns off the adaptive waits (see e04-traceroute-icmp).
# Source: issue 13 (traceroute -T over IPv6); checked against Linux with `nslab diff`.
#! description: E4 over IPv6, traceroute -6 -T: TCP SYN probes through two routers to b: a closed port answers RST, a listening one SYN-ACK, which the tracer's stack resets; three hops either way, the raw IPv6 TCP socket listed by ss while it waits.
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
ip netns exec b tcpdump -tnl -i b0 tcp &
#> tcpdump: verbose output suppressed, use -v[v]... for full protocol decode
#> listening on b0, link-type EN10MB (Ethernet), snapshot length 262144 bytes
#> IP6 2001:db8:1::2.{} > 2001:db8:2::2.80: Flags [S], seq {}, win 5760, options [mss 1440,sackOK,TS val {} ecr 0,nop,wscale 2], length 0
#> IP6 2001:db8:2::2.80 > 2001:db8:1::2.{}: Flags [R.], seq 0, ack {}, win 0, length 0
#> IP6 2001:db8:1::2.{} > 2001:db8:2::2.8080: Flags [S], seq {}, win 5760, options [mss 1440,sackOK,TS val {} ecr 0,nop,wscale 2], length 0
#> IP6 2001:db8:2::2.8080 > 2001:db8:1::2.{}: Flags [S.], seq {}, ack {}, win {}, options [{}], length 0
#> IP6 2001:db8:1::2.{} > 2001:db8:2::2.8080: Flags [R], seq {}, win 0, length 0
#> 5 packets captured
#> 5 packets received by filter
#> 0 packets dropped by kernel
sleep 1
ip netns exec a traceroute -6 -T -n -N 1 -q 1 -w 5,0,0 2001:db8:2::2
#> traceroute to 2001:db8:2::2 (2001:db8:2::2), 30 hops max, 80 byte packets
#>  1  2001:db8:1::1  {} ms
#>  2  2001:db8:12::2  {} ms
#>  3  2001:db8:2::2  {} ms
ip netns exec b nc -l 8080 &
sleep 1
ip netns exec a traceroute -6 -T -n -N 1 -q 1 -w 5,0,0 -p 8080 2001:db8:2::2
#> traceroute to 2001:db8:2::2 (2001:db8:2::2), 30 hops max, 80 byte packets
#>  1  2001:db8:1::1  {} ms
#>  2  2001:db8:12::2  {} ms
#>  3  2001:db8:2::2  {} ms
sleep 1
kill %2
ip netns exec a traceroute -6 -T -n -N 1 -q 1 -m 3 -w 2 2001:db8:2::99 &
#> traceroute to 2001:db8:2::99 (2001:db8:2::99), 3 hops max, 80 byte packets
#>  1  2001:db8:1::1  {} ms
#>  2  2001:db8:12::2  {} ms
#>  3  *
sleep 1
# While it waits for the third hop: its raw TCP socket, connected to the target.
ip netns exec a ss -wan
#> State Recv-Q Send-Q   Local Address:Port     Peer Address:PortProcess
#> ESTAB 0      0      [2001:db8:1::2]:6    [2001:db8:2::99]:*
sleep 2
kill %1
