# E2 — `tcpdump -vv`: what a second -v adds.
# Source: issue 13's tcpdump options; tcpdump 4.99's udp_print (the checksum check under
# vflag > 1), bootp_print (the flags in hex) and tcp_print (sequence numbers always).
#! description: E2 tcpdump -vv: ARP, ping and a UDP datagram to a closed port with its ICMP error, each with the IP header, and the datagram's checksum checked ([udp sum ok]) where it stands and where the error quotes it; on the kernel a locally sent datagram's checksum is left to the device, so tcpdump there calls it bad.
#! seed: 2

$ ip netns add a
$ ip netns add b
$ ip link add v1 type veth peer name v2
$ ip link set v1 netns a
$ ip link set v2 netns b
# IPv6 off on the pair: what it sends when a link comes up (MLD reports, DAD, router
# solicitations) leaves at random times, which a capture without a filter would show in any order.
$ ip netns exec a sysctl -w net.ipv6.conf.v1.disable_ipv6=1
net.ipv6.conf.v1.disable_ipv6 = 1
$ ip netns exec b sysctl -w net.ipv6.conf.v2.disable_ipv6=1
net.ipv6.conf.v2.disable_ipv6 = 1
$ ip -n a link set v1 address 02:00:00:00:00:01
$ ip -n b link set v2 address 02:00:00:00:00:02
$ ip -n a addr add 192.0.2.1/24 dev v1
$ ip -n b addr add 192.0.2.2/24 dev v2
$ ip -n a link set v1 up
$ ip -n b link set v2 up
$ ip netns exec b tcpdump -tnelvv -i v2 &
tcpdump: listening on v2, link-type EN10MB (Ethernet), snapshot length 262144 bytes
02:00:00:00:00:01 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Ethernet (len 6), IPv4 (len 4), Request who-has 192.0.2.2 tell 192.0.2.1, length 28
02:00:00:00:00:02 > 02:00:00:00:00:01, ethertype ARP (0x0806), length 42: Ethernet (len 6), IPv4 (len 4), Reply 192.0.2.2 is-at 02:00:00:00:00:02, length 28
02:00:00:00:00:01 > 02:00:00:00:00:02, ethertype IPv4 (0x0800), length 98: (tos 0x0, ttl 64, id {}, offset 0, flags [DF], proto ICMP (1), length 84)
    192.0.2.1 > 192.0.2.2: ICMP echo request, id {}, seq 1, length 64
02:00:00:00:00:02 > 02:00:00:00:00:01, ethertype IPv4 (0x0800), length 98: (tos 0x0, ttl 64, id {}, offset 0, flags [none], proto ICMP (1), length 84)
    192.0.2.2 > 192.0.2.1: ICMP echo reply, id {}, seq 1, length 64
02:00:00:00:00:01 > 02:00:00:00:00:02, ethertype IPv4 (0x0800), length 48: (tos 0x0, ttl 64, id {}, offset 0, flags [DF], proto UDP (17), length 34)
    192.0.2.1.{} > 192.0.2.2.5555: [udp sum ok] UDP, length 6
02:00:00:00:00:02 > 02:00:00:00:00:01, ethertype IPv4 (0x0800), length 76: (tos 0xc0, ttl 64, id {}, offset 0, flags [none], proto ICMP (1), length 62)
    192.0.2.2 > 192.0.2.1: ICMP 192.0.2.2 udp port 5555 unreachable, length 42
	(tos 0x0, ttl 64, id {}, offset 0, flags [DF], proto UDP (17), length 34)
    192.0.2.1.{} > 192.0.2.2.5555: [udp sum ok] UDP, length 6
6 packets captured
6 packets received by filter
0 packets dropped by kernel
#! differs:     192.0.2.1.{} > 192.0.2.2.5555: {}UDP, length 6 -- the kernel leaves a locally sent UDP datagram's checksum for the device to finish (CHECKSUM_PARTIAL on a veth), so the real tcpdump sees the pseudo-header's sum only and prints [bad udp cksum …]; the sim writes the whole checksum
$ sleep 1
$ ip netns exec a ping -c 1 192.0.2.2
PING 192.0.2.2 (192.0.2.2) 56(84) bytes of data.
64 bytes from 192.0.2.2: icmp_seq=1 ttl=64 time={} ms

--- 192.0.2.2 ping statistics ---
1 packets transmitted, 1 received, 0% packet loss, time 0ms
rtt min/avg/max/mdev = {} ms
$ echo hello | ip netns exec a nc -u -w 1 192.0.2.2 5555
Ncat: Connection refused.
$ sleep 1
$ kill %1
