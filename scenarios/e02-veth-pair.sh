# E2 — Two namespaces on one veth pair.
# Source: seeds/001 (ch3 "Network Namespace - 1" and ch4 "イーサネット - 1").
#! description: E2: two namespaces joined by a veth pair; ARP, three echo pairs, and the responder's unicast ARP re-confirmation five seconds later.
#! seed: 2

$ ip netns add ns1
$ ip netns add ns2
$ ip link add ns1-veth0 type veth peer name ns2-veth0
$ ip link show
1: lo: <LOOPBACK> mtu 65536 qdisc noop state DOWN mode DEFAULT group default qlen 1000
    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00
2: ns2-veth0@ns1-veth0: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000
    link/ether {} brd ff:ff:ff:ff:ff:ff
3: ns1-veth0@ns2-veth0: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000
    link/ether {} brd ff:ff:ff:ff:ff:ff
$ ip link set ns1-veth0 netns ns1
$ ip link set ns2-veth0 netns ns2
$ ip netns exec ns1 ip link show ns1-veth0
3: ns1-veth0@if2: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000
    link/ether {} brd ff:ff:ff:ff:ff:ff link-netns ns2
$ ip netns exec ns1 ip addr add 192.0.2.1/24 dev ns1-veth0
$ ip netns exec ns2 ip addr add 192.0.2.2/24 dev ns2-veth0

# While the links are down there is no connected route, so ping cannot even connect.
$ ip netns exec ns1 ping -c 3 192.0.2.2
ping: connect: Network is unreachable
#! exit: 2

$ ip netns exec ns1 ip link set ns1-veth0 up
# One end up, the other down: no carrier (LOWERLAYERDOWN: the peer's ifindex differs).
$ ip netns exec ns1 ip link show ns1-veth0
3: ns1-veth0@if2: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 qdisc noqueue state LOWERLAYERDOWN mode DEFAULT group default qlen 1000
    link/ether {} brd ff:ff:ff:ff:ff:ff link-netns ns2
$ ip netns exec ns2 ip link set ns2-veth0 up
$ ip netns exec ns1 ping -c 3 192.0.2.2
PING 192.0.2.2 (192.0.2.2) 56(84) bytes of data.
64 bytes from 192.0.2.2: icmp_seq=1 ttl=64 time={} ms
64 bytes from 192.0.2.2: icmp_seq=2 ttl=64 time={} ms
64 bytes from 192.0.2.2: icmp_seq=3 ttl=64 time={} ms

--- 192.0.2.2 ping statistics ---
3 packets transmitted, 3 received, 0% packet loss, time {}ms
rtt min/avg/max/mdev = {} ms

# ch4: fixed MACs, an empty ARP cache, and a capture.
$ ip netns exec ns1 ip link set dev ns1-veth0 address 00:00:5E:00:53:01
$ ip netns exec ns2 ip link set dev ns2-veth0 address 00:00:5E:00:53:02
$ ip netns exec ns1 ip link show | grep link/ether
#! contains: {}link/ether 00:00:5e:00:53:01 brd ff:ff:ff:ff:ff:ff link-netns ns2
$ ip netns exec ns1 ip neigh flush all
$ ip netns exec ns1 ip neigh

# tcpdump 4.99 prints the broadcast MAC as ff:ff:ff:ff:ff:ff where the document (an older
# tcpdump) shows "Broadcast"; the kernel run on this machine is the truth.
$ ip netns exec ns1 tcpdump -tnel -i ns1-veth0 icmp or arp &
tcpdump: verbose output suppressed, use -v[v]... for full protocol decode
listening on ns1-veth0, link-type EN10MB (Ethernet), snapshot length 262144 bytes
00:00:5e:00:53:01 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 192.0.2.2 tell 192.0.2.1, length 28
00:00:5e:00:53:02 > 00:00:5e:00:53:01, ethertype ARP (0x0806), length 42: Reply 192.0.2.2 is-at 00:00:5e:00:53:02, length 28
00:00:5e:00:53:01 > 00:00:5e:00:53:02, ethertype IPv4 (0x0800), length 98: 192.0.2.1 > 192.0.2.2: ICMP echo request, id {}, seq 1, length 64
00:00:5e:00:53:02 > 00:00:5e:00:53:01, ethertype IPv4 (0x0800), length 98: 192.0.2.2 > 192.0.2.1: ICMP echo reply, id {}, seq 1, length 64
00:00:5e:00:53:01 > 00:00:5e:00:53:02, ethertype IPv4 (0x0800), length 98: 192.0.2.1 > 192.0.2.2: ICMP echo request, id {}, seq 2, length 64
00:00:5e:00:53:02 > 00:00:5e:00:53:01, ethertype IPv4 (0x0800), length 98: 192.0.2.2 > 192.0.2.1: ICMP echo reply, id {}, seq 2, length 64
00:00:5e:00:53:01 > 00:00:5e:00:53:02, ethertype IPv4 (0x0800), length 98: 192.0.2.1 > 192.0.2.2: ICMP echo request, id {}, seq 3, length 64
00:00:5e:00:53:02 > 00:00:5e:00:53:01, ethertype IPv4 (0x0800), length 98: 192.0.2.2 > 192.0.2.1: ICMP echo reply, id {}, seq 3, length 64
00:00:5e:00:53:02 > 00:00:5e:00:53:01, ethertype ARP (0x0806), length 42: Request who-has 192.0.2.1 tell 192.0.2.2, length 28
00:00:5e:00:53:01 > 00:00:5e:00:53:02, ethertype ARP (0x0806), length 42: Reply 192.0.2.1 is-at 00:00:5e:00:53:01, length 28
10 packets captured
10 packets received by filter
0 packets dropped by kernel
$ ip netns exec ns1 ping -c 3 192.0.2.2 -I 192.0.2.1
PING 192.0.2.2 (192.0.2.2) from 192.0.2.1 : 56(84) bytes of data.
64 bytes from 192.0.2.2: icmp_seq=1 ttl=64 time={} ms
64 bytes from 192.0.2.2: icmp_seq=2 ttl=64 time={} ms
64 bytes from 192.0.2.2: icmp_seq=3 ttl=64 time={} ms

--- 192.0.2.2 ping statistics ---
3 packets transmitted, 3 received, 0% packet loss, time {}ms
rtt min/avg/max/mdev = {} ms

# Right after the ping: ns1 learned ns2 from its reply (REACHABLE); ns2 learned ns1 from the
# request (STALE), used it for the replies (DELAY), and will probe it by unicast.
$ ip netns exec ns1 ip neigh
192.0.2.2 dev ns1-veth0 lladdr 00:00:5e:00:53:02 REACHABLE
$ ip netns exec ns2 ip neigh
192.0.2.1 dev ns2-veth0 lladdr 00:00:5e:00:53:01 DELAY
$ sleep 6
$ ip netns exec ns2 ip neigh
192.0.2.1 dev ns2-veth0 lladdr 00:00:5e:00:53:01 REACHABLE
# Past the longest randomised reachable time (45 s) the entries are STALE.
$ sleep 60
$ ip netns exec ns1 ip neigh
192.0.2.2 dev ns1-veth0 lladdr 00:00:5e:00:53:02 STALE
