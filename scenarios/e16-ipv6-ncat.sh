# E16 over IPv6 — ncat's UDP between two namespaces on a veth pair with IPv6 addresses:
# the listener has a socket of each family (`:::5000` and `0.0.0.0:5000`); the first
# datagram, from 2001:db8::2, goes out after neighbour discovery and connects the IPv6
# socket to its sender (ss lists the IPv4 socket first, as inet_diag dumps it); a datagram
# to a closed port is answered with ICMPv6 port unreachable and ncat says `Connection
# refused.`; tcpdump -vv checks the UDP checksum over IPv6's pseudo-header.
# Source: issue 15 (UDP over IPv6, nc -6); net/ipv6/udp.c, ncat 7.93, checked against
# Linux with `nslab diff`.
#! description: E16 over IPv6: nc -u across a veth pair with IPv6 addresses. The listener's two sockets (:: and 0.0.0.0), NS/NA before the first datagram, `Connection from 2001:db8::2.`, ss -uan with the IPv6 socket connected, port unreachable from ICMPv6 and `Ncat: Connection refused.`, and tcpdump -vv's `[udp sum ok]`.
#! seed: 16

ip netns add a
ip netns add b
ip link add va type veth peer name vb
ip link set va netns a
ip link set vb netns b
ip -n a link set va address 02:00:00:00:00:01
ip -n b link set vb address 02:00:00:00:00:02
ip -n a link set lo up
ip -n b link set lo up
ip -n a link set va up
ip -n b link set vb up
ip -n a -6 addr add 2001:db8::1/64 dev va nodad
ip -n b -6 addr add 2001:db8::2/64 dev vb nodad

# The link-local addresses' DAD is over within 3 s; router solicitations (to ff02::2, MAC
# 33:33:00:00:00:02) go on at growing intervals, at times a loaded machine shifts, so the
# capture leaves them out: it sees only what the two ncats send.
sleep 3
ip netns exec a tcpdump -tnel -c 5 -i va '(udp or icmp6) and not ether dst 33:33:00:00:00:02' &
#> tcpdump: verbose output suppressed, use -v[v]... for full protocol decode
#> listening on va, link-type EN10MB (Ethernet), snapshot length 262144 bytes
#> 02:00:00:00:00:02 > 33:33:ff:00:00:01, ethertype IPv6 (0x86dd), length 86: 2001:db8::2 > ff02::1:ff00:1: ICMP6, neighbor solicitation, who has 2001:db8::1, length 32
#> 02:00:00:00:00:01 > 02:00:00:00:00:02, ethertype IPv6 (0x86dd), length 86: 2001:db8::1 > 2001:db8::2: ICMP6, neighbor advertisement, tgt is 2001:db8::1, length 32
#> 02:00:00:00:00:02 > 02:00:00:00:00:01, ethertype IPv6 (0x86dd), length 78: 2001:db8::2.40000 > 2001:db8::1.5000: UDP, length 16
#> 02:00:00:00:00:02 > 02:00:00:00:00:01, ethertype IPv6 (0x86dd), length 69: 2001:db8::2.40001 > 2001:db8::1.9999: UDP, length 7
#> 02:00:00:00:00:01 > 02:00:00:00:00:02, ethertype IPv6 (0x86dd), length 117: 2001:db8::1 > 2001:db8::2: ICMP6, destination unreachable, unreachable port, 2001:db8::1 udp port 9999, length 63
#> 5 packets captured
#> 5 packets received by filter
#> 0 packets dropped by kernel
ip netns exec a nc -luv 5000 &
#> Ncat: Version 7.93 ( https://nmap.org/ncat )
#> Ncat: Listening on :::5000
#> Ncat: Listening on 0.0.0.0:5000
#> Ncat: Connection from 2001:db8::2.
#> hello over ipv6
ip netns exec b nc -uv -p 40000 2001:db8::1 5000 <<< 'hello over ipv6'
#> Ncat: Version 7.93 ( https://nmap.org/ncat )
#> Ncat: Connected to 2001:db8::1:5000.
#> Ncat: 16 bytes sent, 0 bytes received in {} seconds.
#! differs: Ncat: 16 bytes sent, 0 bytes received in {} seconds. -- how long ncat ran: the sim's is its 1 ms wait for an ICMP error, the kernel's includes ncat's start-up
sleep 1
ip netns exec a ss -uan
#> State  Recv-Q Send-Q Local Address:Port  Peer Address:Port Process
#> UNCONN 0      0            0.0.0.0:5000       0.0.0.0:*           
#> ESTAB  0      0      [2001:db8::1]:5000 [2001:db8::2]:40000       
ip netns exec b nc -u -p 40001 2001:db8::1 9999 <<< 'nobody'
#> Ncat: Connection refused.
#! exit: 1
ip netns exec a tcpdump -tnvv -c 1 -i va udp &
#> tcpdump: listening on va, link-type EN10MB (Ethernet), snapshot length 262144 bytes
#> IP6 (flowlabel {}, hlim 64, next-header UDP (17) payload length: 14) 2001:db8::2.40002 > 2001:db8::1.5000: [udp sum ok] UDP, length 6
#> 1 packet captured
#> 1 packet received by filter
#> 0 packets dropped by kernel
#! differs: IP6 (flowlabel {}, hlim 64, next-header UDP (17) payload length: 14) 2001:db8::2.40002 > 2001:db8::1.5000: {}UDP, length 6 -- the kernel leaves a locally sent UDP datagram's checksum for the device to finish (CHECKSUM_PARTIAL on a veth), so the real tcpdump sees the pseudo-header's sum only and prints [bad udp cksum …]; the sim writes the whole checksum
# The listener is connected to 2001:db8::2.40000 now: a datagram from another port is
# refused.
ip netns exec b nc -u -6 -p 40002 2001:db8::1 5000 <<< 'again'
#> Ncat: Connection refused.
#! exit: 1
sleep 1
kill %2
