# E19 — Packets bigger than a link: IP fragmentation, DF and the path MTU.
# Source: issue 13's fidelity bug 3 (`ping -s 2000` got 100% loss in the sim, 2/2 on the
# kernel); net/ipv4/ip_output.c (ip_do_fragment), ip_fragment.c, route.c (PMTU).
#! description: E19 fragmentation: a router between two links, the far one with MTU 1400. `ping -s 2000` leaves in a 1480-byte and a 528-byte fragment, the router cuts the first again for the 1400 link, the host reassembles and its reply comes back in fragments too. `-M do` refuses what does not fit (a local error, mtu=1500), and a probe that fits the first link but not the second gets "Frag needed" from the router — after which the host knows the path MTU (`ip route get` shows it) and cuts its own packets to 1400. With MASQUERADE on the router, conntrack reassembles before NAT and the router sends the datagram on in fragments of the link's size.
#! seed: 19

$ ip netns add a
$ ip netns add r
$ ip netns add b
$ ip link add va type veth peer name ra
$ ip link add vb type veth peer name rb
$ ip link set va netns a
$ ip link set ra netns r
$ ip link set vb netns b
$ ip link set rb netns r
# IPv6 off on both links: what they send when they come up (MLD reports, DAD, router
# solicitations) leaves at random times, which the captures below (no filter) would show.
$ ip netns exec a sysctl -w net.ipv6.conf.va.disable_ipv6=1
net.ipv6.conf.va.disable_ipv6 = 1
$ ip netns exec r sysctl -w net.ipv6.conf.ra.disable_ipv6=1
net.ipv6.conf.ra.disable_ipv6 = 1
$ ip netns exec r sysctl -w net.ipv6.conf.rb.disable_ipv6=1
net.ipv6.conf.rb.disable_ipv6 = 1
$ ip netns exec b sysctl -w net.ipv6.conf.vb.disable_ipv6=1
net.ipv6.conf.vb.disable_ipv6 = 1
$ ip -n a link set va address 02:00:00:00:01:01
$ ip -n r link set ra address 02:00:00:00:01:fe
$ ip -n r link set rb address 02:00:00:00:02:fe
$ ip -n b link set vb address 02:00:00:00:02:01
$ ip -n a addr add 192.0.2.1/24 dev va
$ ip -n r addr add 192.0.2.254/24 dev ra
$ ip -n r addr add 198.51.100.254/24 dev rb
$ ip -n b addr add 198.51.100.1/24 dev vb
$ ip -n a link set va up
$ ip -n r link set ra up
$ ip -n r link set rb up
$ ip -n b link set vb up
$ ip -n a route add default via 192.0.2.254
$ ip -n b route add default via 198.51.100.254
$ ip netns exec r sysctl -w net.ipv4.ip_forward=1
net.ipv4.ip_forward = 1
# Neighbours pinned: no ARP frame in the captures.
$ ip -n a neigh add 192.0.2.254 lladdr 02:00:00:00:01:fe dev va nud permanent
$ ip -n r neigh add 192.0.2.1 lladdr 02:00:00:00:01:01 dev ra nud permanent
$ ip -n r neigh add 198.51.100.1 lladdr 02:00:00:00:02:01 dev rb nud permanent
$ ip -n b neigh add 198.51.100.254 lladdr 02:00:00:00:02:fe dev vb nud permanent
# The far link carries at most 1400 bytes.
$ ip -n r link set rb mtu 1400
$ ip -n b link set vb mtu 1400

# 2028 bytes of IP over a 1500-byte link: two fragments, the first with 1480 bytes of
# ICMP (tcpdump decodes only the first; the rest is `ip-proto-1`). The router cuts the
# first again (1376 + 104: MF kept on both) and passes the second as it is; b reassembles
# and answers 2008 bytes, cut for its own 1400-byte link.
$ ip netns exec a tcpdump -tnel -i va &
#! contains: 02:00:00:00:01:01 > 02:00:00:00:01:fe, ethertype IPv4 (0x0800), length 1514: 192.0.2.1 > 198.51.100.1: ICMP echo request, id {}, seq 1, length 1480
#! contains: 02:00:00:00:01:01 > 02:00:00:00:01:fe, ethertype IPv4 (0x0800), length 562: 192.0.2.1 > 198.51.100.1: ip-proto-1
#! contains: 02:00:00:00:01:fe > 02:00:00:00:01:01, ethertype IPv4 (0x0800), length 1410: 198.51.100.1 > 192.0.2.1: ICMP echo reply, id {}, seq 2, length 1376
#! contains: 02:00:00:00:01:fe > 02:00:00:00:01:01, ethertype IPv4 (0x0800), length 666: 198.51.100.1 > 192.0.2.1: ip-proto-1
$ ip netns exec b tcpdump -tnel -i vb &
#! contains: 02:00:00:00:02:fe > 02:00:00:00:02:01, ethertype IPv4 (0x0800), length 1410: 192.0.2.1 > 198.51.100.1: ICMP echo request, id {}, seq 2, length 1376
#! contains: 02:00:00:00:02:fe > 02:00:00:00:02:01, ethertype IPv4 (0x0800), length 138: 192.0.2.1 > 198.51.100.1: ip-proto-1
#! contains: 02:00:00:00:02:fe > 02:00:00:00:02:01, ethertype IPv4 (0x0800), length 562: 192.0.2.1 > 198.51.100.1: ip-proto-1
#! contains: 02:00:00:00:02:01 > 02:00:00:00:02:fe, ethertype IPv4 (0x0800), length 666: 198.51.100.1 > 192.0.2.1: ip-proto-1
$ ip netns exec a ping -c 2 -i 0.3 -s 2000 198.51.100.1
PING 198.51.100.1 (198.51.100.1) 2000(2028) bytes of data.
2008 bytes from 198.51.100.1: icmp_seq=1 ttl=63 time={} ms
2008 bytes from 198.51.100.1: icmp_seq=2 ttl=63 time={} ms

--- 198.51.100.1 ping statistics ---
2 packets transmitted, 2 received, 0% packet loss, time {}ms
rtt min/avg/max/mdev = {} ms
$ sleep 0.5
$ kill %1
$ kill %2

# `-M do`: DF always, and a probe bigger than the path MTU is refused at once — a local
# error on ping's socket (stderr), counted as an error; nothing is sent.
$ ip netns exec a ping -c 1 -s 1473 -M do 192.0.2.254
PING 192.0.2.254 (192.0.2.254) 1473(1501) bytes of data.
ping: local error: message too long, mtu=1500

--- 192.0.2.254 ping statistics ---
1 packets transmitted, 0 received, +1 errors, 100% packet loss, time 0ms
#! exit: 1
# What fits goes with DF that is not to be ignored: as a datagram of an unconnected socket,
# with IP ID 0 (`ip_select_ident_segs`; WANT and DONT draw an ID).
$ ip netns exec a tcpdump -t -n -v -c 2 -i va icmp &
#! contains: IP (tos 0x0, ttl 64, id 0, offset 0, flags [DF], proto ICMP (1), length 1500)
$ ip netns exec a ping -c 1 -s 1472 -M do 192.0.2.254
PING 192.0.2.254 (192.0.2.254) 1472(1500) bytes of data.
1480 bytes from 192.0.2.254: icmp_seq=1 ttl=64 time={} ms

--- 192.0.2.254 ping statistics ---
1 packets transmitted, 1 received, 0% packet loss, time 0ms
rtt min/avg/max/mdev = {} ms

# 1478 bytes fit the first link but not the second: the router answers "fragmentation
# needed" with the next link's MTU; a learns it, and its next probe is a local error.
$ ip netns exec a ping -c 2 -i 0.3 -s 1450 -M do 198.51.100.1
PING 198.51.100.1 (198.51.100.1) 1450(1478) bytes of data.
From 192.0.2.254 icmp_seq=1 Frag needed and DF set (mtu = 1400)
ping: local error: message too long, mtu=1400

--- 198.51.100.1 ping statistics ---
2 packets transmitted, 0 received, +2 errors, 100% packet loss, time {}ms
#! exit: 1
$ ip netns exec a ip route get 198.51.100.1
198.51.100.1 via 192.0.2.254 dev va src 192.0.2.1 uid 0 
    cache expires {}sec mtu 1400 

# Without -M (IP_PMTUDISC_WANT) the same probe is cut to the path MTU by a itself.
$ ip netns exec a tcpdump -tnel -i va &
#! contains: 02:00:00:00:01:01 > 02:00:00:00:01:fe, ethertype IPv4 (0x0800), length 1410: 192.0.2.1 > 198.51.100.1: ICMP echo request, id {}, seq 1, length 1376
#! contains: 02:00:00:00:01:01 > 02:00:00:00:01:fe, ethertype IPv4 (0x0800), length 116: 192.0.2.1 > 198.51.100.1: ip-proto-1
#! lacks: {}length 1492{}
$ ip netns exec a ping -c 2 -i 0.3 -s 1450 198.51.100.1
PING 198.51.100.1 (198.51.100.1) 1450(1478) bytes of data.
1458 bytes from 198.51.100.1: icmp_seq=1 ttl=63 time={} ms
1458 bytes from 198.51.100.1: icmp_seq=2 ttl=63 time={} ms

--- 198.51.100.1 ping statistics ---
2 packets transmitted, 2 received, 0% packet loss, time {}ms
rtt min/avg/max/mdev = {} ms
$ ip netns exec a ping -c 1 -s 1450 -M dont 198.51.100.1
PING 198.51.100.1 (198.51.100.1) 1450(1478) bytes of data.
1458 bytes from 198.51.100.1: icmp_seq=1 ttl=63 time={} ms

--- 198.51.100.1 ping statistics ---
1 packets transmitted, 1 received, 0% packet loss, time 0ms
rtt min/avg/max/mdev = {} ms
$ sleep 0.5
$ kill %4

# More than an IPv4 packet holds: refused for every probe, whatever -M says.
$ ip netns exec a ping -c 1 -s 65508 192.0.2.254
PING 192.0.2.254 (192.0.2.254) 65508(65536) bytes of data.
ping: local error: message too long, mtu=1500

--- 192.0.2.254 ping statistics ---
1 packets transmitted, 0 received, +1 errors, 100% packet loss, time 0ms
#! exit: 1

# MASQUERADE on the router: conntrack needs whole datagrams, so the router reassembles
# before PREROUTING and cuts again on the way out — now to the link's 1400 bytes in one
# go (1376 + 632, no 138-byte piece), from the router's address.
$ ip netns exec r iptables -t nat -A POSTROUTING -o rb -j MASQUERADE
$ ip netns exec b tcpdump -tnel -i vb &
#! contains: 02:00:00:00:02:fe > 02:00:00:00:02:01, ethertype IPv4 (0x0800), length 1410: 198.51.100.254 > 198.51.100.1: ICMP echo request, id {}, seq 1, length 1376
#! contains: 02:00:00:00:02:fe > 02:00:00:00:02:01, ethertype IPv4 (0x0800), length 666: 198.51.100.254 > 198.51.100.1: ip-proto-1
#! lacks: {}length 138:{}
#! differs: {}length 666: 198.51.100.1 > {}: ip-proto-1 -- on the kernel this capture shows b's last reply fragment as r sent it on to a (a's MACs, the address un-NATed): r forwards the fragments it received, rewritten in place, and the capture on vb reads that buffer after r has (seen on every run on this machine); the sim shows the frame b sent
$ ip netns exec a ping -c 1 -s 2000 198.51.100.1
PING 198.51.100.1 (198.51.100.1) 2000(2028) bytes of data.
2008 bytes from 198.51.100.1: icmp_seq=1 ttl=63 time={} ms

--- 198.51.100.1 ping statistics ---
1 packets transmitted, 1 received, 0% packet loss, time 0ms
rtt min/avg/max/mdev = {} ms
$ ip netns exec r conntrack -L
icmp     1 {} src=192.0.2.1 dst=198.51.100.1 type=8 code=0 id={} src=198.51.100.1 dst=198.51.100.254 type=0 code=0 id={} mark=0 use=1
conntrack v1.4.7 (conntrack-tools): 1 flow entries have been shown.
$ sleep 0.5
$ kill %5
