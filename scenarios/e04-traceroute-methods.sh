# E4's first router, traced with each of traceroute 2.1's methods named on one line: the
# last of `-I`, `-T` and `-U` given wins (each sets the module), and `-U` (mod-udp.c) sends
# every probe to one port, 53 unless `-p`, from a fresh source port each, so an answer is
# matched to its probe by the source port it quotes. `-N 1 -q 1` sends one probe at a
# time, so the target's wire shows one exchange; `-w 5,0,0` turns off the adaptive waits
# (see e04-traceroute-icmp).
#! description: E4 traceroute -U and a line with two methods: -U probes all go to port 53 (or -p) and are told apart by source port; with -I and -T both given, the last decides (SYNs for -I -T, echo requests for -T -I).
#! seed: 4

ip netns add h
ip netns add r1
ip netns add t
ip link add h0 type veth peer name r1a
ip link add r1b type veth peer name t0
ip link set h0 netns h
ip link set r1a netns r1
ip link set r1b netns r1
ip link set t0 netns t
ip -n h addr add 10.1.0.2/24 dev h0
ip -n r1 addr add 10.1.0.1/24 dev r1a
ip -n r1 addr add 10.2.0.1/24 dev r1b
ip -n t addr add 10.2.0.2/24 dev t0
ip -n h link set h0 up
ip -n r1 link set r1a up
ip -n r1 link set r1b up
ip -n t link set t0 up
ip -n h route add default via 10.1.0.1
ip -n t route add default via 10.2.0.1
ip netns exec r1 sysctl -w net.ipv4.ip_forward=1
#> net.ipv4.ip_forward = 1
ip netns exec t tcpdump -tnl -i t0 ip &
#> tcpdump: verbose output suppressed, use -v[v]... for full protocol decode
#> listening on t0, link-type EN10MB (Ethernet), snapshot length 262144 bytes
#> IP 10.1.0.2.{} > 10.2.0.2.53: UDP, length 32
#> IP 10.2.0.2 > 10.1.0.2: ICMP 10.2.0.2 udp port 53 unreachable, length 68
#> IP 10.1.0.2.{} > 10.2.0.2.53: UDP, length 32
#> IP 10.2.0.2 > 10.1.0.2: ICMP 10.2.0.2 udp port 53 unreachable, length 68
#> IP 10.1.0.2.{} > 10.2.0.2.5000: UDP, length 32
#> IP 10.2.0.2 > 10.1.0.2: ICMP 10.2.0.2 udp port 5000 unreachable, length 68
#> IP 10.1.0.2.{} > 10.2.0.2.80: Flags [S], seq {}, win 5840, options [mss 1460,sackOK,TS val {} ecr 0,nop,wscale 2], length 0
#> IP 10.2.0.2.80 > 10.1.0.2.{}: Flags [R.], seq 0, ack {}, win 0, length 0
#> IP 10.1.0.2 > 10.2.0.2: ICMP echo request, id {}, seq 2, length 40
#> IP 10.2.0.2 > 10.1.0.2: ICMP echo reply, id {}, seq 2, length 40
#> 10 packets captured
#> 10 packets received by filter
#> 0 packets dropped by kernel
sleep 1
ip netns exec h traceroute -U -n -N 1 -q 2 -w 5,0,0 10.2.0.2
#> traceroute to 10.2.0.2 (10.2.0.2), 30 hops max, 60 byte packets
#>  1  10.1.0.1  {} ms  {} ms
#>  2  10.2.0.2  {} ms  {} ms
ip netns exec h traceroute -U -n -N 1 -q 1 -w 5,0,0 -p 5000 10.2.0.2
#> traceroute to 10.2.0.2 (10.2.0.2), 30 hops max, 60 byte packets
#>  1  10.1.0.1  {} ms
#>  2  10.2.0.2  {} ms
ip netns exec h traceroute -I -T -n -N 1 -q 1 -w 5,0,0 10.2.0.2
#> traceroute to 10.2.0.2 (10.2.0.2), 30 hops max, 60 byte packets
#>  1  10.1.0.1  {} ms
#>  2  10.2.0.2  {} ms
ip netns exec h traceroute -T -I -n -N 1 -q 1 -w 5,0,0 10.2.0.2
#> traceroute to 10.2.0.2 (10.2.0.2), 30 hops max, 60 byte packets
#>  1  10.1.0.1  {} ms
#>  2  10.2.0.2  {} ms
sleep 1
kill %1
