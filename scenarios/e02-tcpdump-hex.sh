# E2 — `tcpdump -x`, `-XX`, `-A`: each packet's bytes after its line.
# Source: issue 13's tcpdump options (`-X`, `-A`); tcpdump 4.99's pretty_print_packet,
# hex_print, hex_and_ascii_print and ascii_print.
#! description: E2 tcpdump -XX, -x and -A: an ARP exchange dumped in hex and text from the Ethernet header on (-XX), in hex from the ARP header on (-x), and as text (-A, where the byte 0x0a of 10.0.0.x is a new line).
#! seed: 2

$ ip netns add a
$ ip netns add b
$ ip link add v1 type veth peer name v2
$ ip link set v1 netns a
$ ip link set v2 netns b
$ ip -n a link set v1 address 02:00:00:00:00:01
$ ip -n b link set v2 address 02:00:00:00:00:02
$ ip -n a addr add 10.0.0.1/24 dev v1
$ ip -n b addr add 10.0.0.2/24 dev v2
$ ip -n a link set v1 up
$ ip -n b link set v2 up
$ ip netns exec b tcpdump -tnelXX -i v2 arp &
#> tcpdump: verbose output suppressed, use -v[v]... for full protocol decode
#> listening on v2, link-type EN10MB (Ethernet), snapshot length 262144 bytes
#> 02:00:00:00:00:01 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 10.0.0.2 tell 10.0.0.1, length 28
#> 	0x0000:  ffff ffff ffff 0200 0000 0001 0806 0001  ................
#> 	0x0010:  0800 0604 0001 0200 0000 0001 0a00 0001  ................
#> 	0x0020:  0000 0000 0000 0a00 0002                 ..........
#> 02:00:00:00:00:02 > 02:00:00:00:00:01, ethertype ARP (0x0806), length 42: Reply 10.0.0.2 is-at 02:00:00:00:00:02, length 28
#> 	0x0000:  0200 0000 0001 0200 0000 0002 0806 0001  ................
#> 	0x0010:  0800 0604 0002 0200 0000 0002 0a00 0002  ................
#> 	0x0020:  0200 0000 0001 0a00 0001                 ..........
#> 2 packets captured
#> 2 packets received by filter
#> 0 packets dropped by kernel
$ ip netns exec a tcpdump -tnlx -i v1 arp &
#> tcpdump: verbose output suppressed, use -v[v]... for full protocol decode
#> listening on v1, link-type EN10MB (Ethernet), snapshot length 262144 bytes
#> ARP, Request who-has 10.0.0.2 tell 10.0.0.1, length 28
#> 	0x0000:  0001 0800 0604 0001 0200 0000 0001 0a00
#> 	0x0010:  0001 0000 0000 0000 0a00 0002
#> ARP, Reply 10.0.0.2 is-at 02:00:00:00:00:02, length 28
#> 	0x0000:  0001 0800 0604 0002 0200 0000 0002 0a00
#> 	0x0010:  0002 0200 0000 0001 0a00 0001
#> 2 packets captured
#> 2 packets received by filter
#> 0 packets dropped by kernel
$ ip netns exec a tcpdump -tnA -i v1 arp &
#> tcpdump: verbose output suppressed, use -v[v]... for full protocol decode
#> listening on v1, link-type EN10MB (Ethernet), snapshot length 262144 bytes
#> ARP, Request who-has 10.0.0.2 tell 10.0.0.1, length 28
#> ..............
#> .........
#> ...
#> ARP, Reply 10.0.0.2 is-at 02:00:00:00:00:02, length 28
#> ..............
#> .........
#> ...
#> 2 packets captured
#> 2 packets received by filter
#> 0 packets dropped by kernel
$ sleep 1
$ ip netns exec a ping -c 1 10.0.0.2
PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.
64 bytes from 10.0.0.2: icmp_seq=1 ttl=64 time={} ms

--- 10.0.0.2 ping statistics ---
1 packets transmitted, 1 received, 0% packet loss, time 0ms
rtt min/avg/max/mdev = {} ms
$ sleep 1
$ kill %1
$ kill %2
$ kill %3
