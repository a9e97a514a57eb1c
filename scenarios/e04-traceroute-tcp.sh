# E4's routers, traced with TCP SYNs (`traceroute -T`, Debian traceroute 2.1's mod-tcp.c): each
# probe a SYN from a fresh ephemeral port to port 80 (or `-p`), 60 bytes with the options
# tcp_init builds (MSS, SACK, timestamps, window scale); routers answer with time exceeded
# quoting it, the target with RST (nothing listens) or SYN-ACK (a listener), which our
# stack answers with RST, as no socket of ours listens on the probe's port. `-N 1 -q 1`
# sends one probe at a time, so the target's wire shows one exchange; `-w 5,0,0` turns
# off the adaptive waits (see e04-traceroute-icmp).
#! description: E4 traceroute -T: TCP SYN probes through two routers to a host: a closed port answers RST, a listening one SYN-ACK, which the tracer's stack resets; three hops either way, one probe a hop.
#! seed: 4

ip netns add h
ip netns add r1
ip netns add r2
ip netns add t
ip link add h0 type veth peer name r1a
ip link add r1b type veth peer name r2a
ip link add r2b type veth peer name t0
ip link set h0 netns h
ip link set r1a netns r1
ip link set r1b netns r1
ip link set r2a netns r2
ip link set r2b netns r2
ip link set t0 netns t
ip -n h addr add 10.1.0.2/24 dev h0
ip -n r1 addr add 10.1.0.1/24 dev r1a
ip -n r1 addr add 10.2.0.1/24 dev r1b
ip -n r2 addr add 10.2.0.2/24 dev r2a
ip -n r2 addr add 10.3.0.1/24 dev r2b
ip -n t addr add 10.3.0.2/24 dev t0
ip -n h link set h0 up
ip -n r1 link set r1a up
ip -n r1 link set r1b up
ip -n r2 link set r2a up
ip -n r2 link set r2b up
ip -n t link set t0 up
ip -n h route add default via 10.1.0.1
ip -n r1 route add 10.3.0.0/24 via 10.2.0.2
ip -n r2 route add 10.1.0.0/24 via 10.2.0.1
ip -n t route add default via 10.3.0.1
ip netns exec r1 sysctl -w net.ipv4.ip_forward=1
#> net.ipv4.ip_forward = 1
ip netns exec r2 sysctl -w net.ipv4.ip_forward=1
#> net.ipv4.ip_forward = 1
ip netns exec t tcpdump -tnl -i t0 tcp &
#> tcpdump: verbose output suppressed, use -v[v]... for full protocol decode
#> listening on t0, link-type EN10MB (Ethernet), snapshot length 262144 bytes
#> IP 10.1.0.2.{} > 10.3.0.2.80: Flags [S], seq {}, win 5840, options [mss 1460,sackOK,TS val {} ecr 0,nop,wscale 2], length 0
#> IP 10.3.0.2.80 > 10.1.0.2.{}: Flags [R.], seq 0, ack {}, win 0, length 0
#> IP 10.1.0.2.{} > 10.3.0.2.8080: Flags [S], seq {}, win 5840, options [mss 1460,sackOK,TS val {} ecr 0,nop,wscale 2], length 0
#> IP 10.3.0.2.8080 > 10.1.0.2.{}: Flags [S.], seq {}, ack {}, win {}, options [{}], length 0
#> IP 10.1.0.2.{} > 10.3.0.2.8080: Flags [R], seq {}, win 0, length 0
#> 5 packets captured
#> 5 packets received by filter
#> 0 packets dropped by kernel
sleep 1
ip netns exec h traceroute -T -n -N 1 -q 1 -w 5,0,0 10.3.0.2
#> traceroute to 10.3.0.2 (10.3.0.2), 30 hops max, 60 byte packets
#>  1  10.1.0.1  {} ms
#>  2  10.2.0.2  {} ms
#>  3  10.3.0.2  {} ms
ip netns exec t nc -l 8080 &
sleep 1
ip netns exec h traceroute -T -n -N 1 -q 1 -w 5,0,0 -p 8080 10.3.0.2
#> traceroute to 10.3.0.2 (10.3.0.2), 30 hops max, 60 byte packets
#>  1  10.1.0.1  {} ms
#>  2  10.2.0.2  {} ms
#>  3  10.3.0.2  {} ms
sleep 1
kill %2
ip netns exec h traceroute -T -n -N 1 -q 1 -m 3 -w 2 10.3.0.99 &
#> traceroute to 10.3.0.99 (10.3.0.99), 3 hops max, 60 byte packets
#>  1  10.1.0.1  {} ms
#>  2  10.2.0.2  {} ms
#>  3  *
sleep 1
# While it waits for the third hop: its raw TCP socket, connected to the target.
ip netns exec h ss -wan
#> State Recv-Q Send-Q Local Address:Port Peer Address:PortProcess
#> ESTAB 0      0           10.1.0.2:6       10.3.0.99:*
sleep 2
kill %1
