# E2 — `tcpdump -c N`: a capture that stops by itself.
# Source: issue 13's tcpdump options (`-c N`); tcpdump(8).
#! description: E2 tcpdump -c: `tcpdump -c 2` in the background prints the first two frames it keeps (the first echo request and its reply), then its counters, and ends by itself with status 0, while the ping goes on; `wait` waits for a `-c` capture as for any job that ends.
#! seed: 2

$ ip netns add a
$ ip netns add b
$ ip link add v1 type veth peer name v2
$ ip link set v1 netns a
$ ip link set v2 netns b
$ ip -n a link set v1 address 02:00:00:00:00:01
$ ip -n b link set v2 address 02:00:00:00:00:02
$ ip -n a addr add 192.0.2.1/24 dev v1
$ ip -n b addr add 192.0.2.2/24 dev v2
$ ip -n a link set v1 up
$ ip -n b link set v2 up
$ ip -n a neigh add 192.0.2.2 lladdr 02:00:00:00:00:02 dev v1 nud permanent
$ ip -n b neigh add 192.0.2.1 lladdr 02:00:00:00:00:01 dev v2 nud permanent
$ ip netns exec b tcpdump -tnel -c 2 -i v2 icmp &
#> tcpdump: verbose output suppressed, use -v[v]... for full protocol decode
#> listening on v2, link-type EN10MB (Ethernet), snapshot length 262144 bytes
#> 02:00:00:00:00:01 > 02:00:00:00:00:02, ethertype IPv4 (0x0800), length 98: 192.0.2.1 > 192.0.2.2: ICMP echo request, id {}, seq 1, length 64
#> 02:00:00:00:00:02 > 02:00:00:00:00:01, ethertype IPv4 (0x0800), length 98: 192.0.2.2 > 192.0.2.1: ICMP echo reply, id {}, seq 1, length 64
#> 2 packets captured
#> 2 packets received by filter
#> 0 packets dropped by kernel
$ ip netns exec a ping -c 3 -i 0.5 192.0.2.2
PING 192.0.2.2 (192.0.2.2) 56(84) bytes of data.
64 bytes from 192.0.2.2: icmp_seq=1 ttl=64 time={} ms
64 bytes from 192.0.2.2: icmp_seq=2 ttl=64 time={} ms
64 bytes from 192.0.2.2: icmp_seq=3 ttl=64 time={} ms

--- 192.0.2.2 ping statistics ---
3 packets transmitted, 3 received, 0% packet loss, time {}ms
rtt min/avg/max/mdev = {} ms
$ wait
