# E4's routers, traced with ICMP echo requests (`traceroute -I`, Debian traceroute 2.1's
# mod-icmp.c): one raw socket, the echo id from the pid, sequence numbers from 1 (or `-p`)
# up, one per probe in the order sent; routers answer with time exceeded quoting the
# request, the target with an echo reply, a router with no route with net unreachable
# (`!N`). Sixteen probes go out at once, so the target answers TTLs 3 to 8. `-w 5,0,0`
# turns off traceroute's adaptive waits (a probe otherwise gives up 3 × the RTT after its
# hop's first answer): the real one reads its one ICMP socket a reply per poll, so on a
# loaded machine the second and third answers of a hop can come in after that and print
# as `*` — seen in the parity suite. With every probe answered the output is the same.
#! description: E4 traceroute -I: ICMP echo probes through two routers to a host (three hops, the target's echo replies to sixteen probes in flight on its wire), from the second hop with one probe a hop, to a network no router knows (!N), and with -p choosing the first sequence number and -m stopping at two hops.
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
ip netns exec t tcpdump -tnl -i t0 icmp &
#> tcpdump: verbose output suppressed, use -v[v]... for full protocol decode
#> listening on t0, link-type EN10MB (Ethernet), snapshot length 262144 bytes
#> IP 10.1.0.2 > 10.3.0.2: ICMP echo request, id {}, seq 7, length 40
#> IP 10.3.0.2 > 10.1.0.2: ICMP echo reply, id {}, seq 7, length 40
#> IP 10.1.0.2 > 10.3.0.2: ICMP echo request, id {}, seq 8, length 40
#> IP 10.3.0.2 > 10.1.0.2: ICMP echo reply, id {}, seq 8, length 40
#> IP 10.1.0.2 > 10.3.0.2: ICMP echo request, id {}, seq 9, length 40
#> IP 10.3.0.2 > 10.1.0.2: ICMP echo reply, id {}, seq 9, length 40
#> IP 10.1.0.2 > 10.3.0.2: ICMP echo request, id {}, seq 10, length 40
#> IP 10.3.0.2 > 10.1.0.2: ICMP echo reply, id {}, seq 10, length 40
#> IP 10.1.0.2 > 10.3.0.2: ICMP echo request, id {}, seq 11, length 40
#> IP 10.3.0.2 > 10.1.0.2: ICMP echo reply, id {}, seq 11, length 40
#> IP 10.1.0.2 > 10.3.0.2: ICMP echo request, id {}, seq 12, length 40
#> IP 10.3.0.2 > 10.1.0.2: ICMP echo reply, id {}, seq 12, length 40
#> IP 10.1.0.2 > 10.3.0.2: ICMP echo request, id {}, seq 13, length 40
#> IP 10.3.0.2 > 10.1.0.2: ICMP echo reply, id {}, seq 13, length 40
#> IP 10.1.0.2 > 10.3.0.2: ICMP echo request, id {}, seq 14, length 40
#> IP 10.3.0.2 > 10.1.0.2: ICMP echo reply, id {}, seq 14, length 40
#> IP 10.1.0.2 > 10.3.0.2: ICMP echo request, id {}, seq 15, length 40
#> IP 10.3.0.2 > 10.1.0.2: ICMP echo reply, id {}, seq 15, length 40
#> IP 10.1.0.2 > 10.3.0.2: ICMP echo request, id {}, seq 16, length 40
#> IP 10.3.0.2 > 10.1.0.2: ICMP echo reply, id {}, seq 16, length 40
#> IP 10.1.0.2 > 10.3.0.2: ICMP echo request, id {}, seq 17, length 40
#> IP 10.3.0.2 > 10.1.0.2: ICMP echo reply, id {}, seq 17, length 40
#> IP 10.1.0.2 > 10.3.0.2: ICMP echo request, id {}, seq 18, length 40
#> IP 10.3.0.2 > 10.1.0.2: ICMP echo reply, id {}, seq 18, length 40
#> IP 10.1.0.2 > 10.3.0.2: ICMP echo request, id {}, seq 19, length 40
#> IP 10.3.0.2 > 10.1.0.2: ICMP echo reply, id {}, seq 19, length 40
#> IP 10.1.0.2 > 10.3.0.2: ICMP echo request, id {}, seq 20, length 40
#> IP 10.3.0.2 > 10.1.0.2: ICMP echo reply, id {}, seq 20, length 40
#> IP 10.1.0.2 > 10.3.0.2: ICMP echo request, id {}, seq 21, length 40
#> IP 10.3.0.2 > 10.1.0.2: ICMP echo reply, id {}, seq 21, length 40
#> IP 10.1.0.2 > 10.3.0.2: ICMP echo request, id {}, seq 22, length 40
#> IP 10.3.0.2 > 10.1.0.2: ICMP echo reply, id {}, seq 22, length 40
#> 32 packets captured
#> 32 packets received by filter
#> 0 packets dropped by kernel
sleep 1
ip netns exec h traceroute -I -n -w 5,0,0 10.3.0.2
#> traceroute to 10.3.0.2 (10.3.0.2), 30 hops max, 60 byte packets
#>  1  10.1.0.1  {} ms  {} ms  {} ms
#>  2  10.2.0.2  {} ms  {} ms  {} ms
#>  3  10.3.0.2  {} ms  {} ms  {} ms
sleep 1
kill %1
ip netns exec h traceroute -I -n -w 5,0,0 -q 1 -f 2 10.3.0.2
#> traceroute to 10.3.0.2 (10.3.0.2), 30 hops max, 60 byte packets
#>  2  10.2.0.2  {} ms
#>  3  10.3.0.2  {} ms
sleep 5
ip netns exec h traceroute -I -n -w 5,0,0 -q 2 198.51.100.1
#> traceroute to 198.51.100.1 (198.51.100.1), 30 hops max, 60 byte packets
#>  1  10.1.0.1  {} ms !N  {} ms !N
sleep 10
ip netns exec h traceroute -I -n -w 5,0,0 -p 100 -m 2 10.3.0.2
#> traceroute to 10.3.0.2 (10.3.0.2), 2 hops max, 60 byte packets
#>  1  10.1.0.1  {} ms  {} ms  {} ms
#>  2  10.2.0.2  {} ms  {} ms  {} ms
