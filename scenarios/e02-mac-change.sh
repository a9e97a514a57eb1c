# E2 — 001 ch4-1 in the document's order: two namespaces ping each other first, then both
# change their MAC addresses (`ip link set dev X address …`). Changing a device's address
# flushes its neighbour entries (`neigh_changeaddr()`), so the next ping resolves the peer
# again and reaches its new address; the peer learns the new one from that ARP request.
#! description: E2 with MAC addresses changed after the first ping: neighbour entries flushed on the changed device, permanent ones too, and re-learnt.
#! seed: 2

$ ip netns add ns1
$ ip netns add ns2
$ ip link add ns1-veth0 type veth peer name ns2-veth0
$ ip link set ns1-veth0 netns ns1
$ ip link set ns2-veth0 netns ns2
$ ip netns exec ns1 ip link set ns1-veth0 up
$ ip netns exec ns2 ip link set ns2-veth0 up
$ ip netns exec ns1 ip addr add 192.0.2.1/24 dev ns1-veth0
$ ip netns exec ns2 ip addr add 192.0.2.2/24 dev ns2-veth0
$ ip netns exec ns1 ping -c 1 192.0.2.2
PING 192.0.2.2 (192.0.2.2) 56(84) bytes of data.
64 bytes from 192.0.2.2: icmp_seq=1 ttl=64 time={} ms

--- 192.0.2.2 ping statistics ---
1 packets transmitted, 1 received, 0% packet loss, time 0ms
rtt min/avg/max/mdev = {}
$ ip netns exec ns1 ip neigh add 192.0.2.99 lladdr 00:00:5e:00:53:99 dev ns1-veth0 nud permanent
# (The kernel lists neighbours in the order of its hash table, seeded at random.)
$ ip netns exec ns1 ip neigh show
#! contains: 192.0.2.99 dev ns1-veth0 lladdr 00:00:5e:00:53:99 PERMANENT
#! contains: 192.0.2.2 dev ns1-veth0 lladdr {} REACHABLE
$ ip netns exec ns1 ip link set dev ns1-veth0 address 00:00:5E:00:53:01
$ ip netns exec ns2 ip link set dev ns2-veth0 address 00:00:5E:00:53:02
$ ip netns exec ns1 ip neigh show
$ ip netns exec ns2 ip neigh show
$ ip netns exec ns1 tcpdump -tnel -i ns1-veth0 icmp or arp &
tcpdump: verbose output suppressed, use -v[v]... for full protocol decode
listening on ns1-veth0, link-type EN10MB (Ethernet), snapshot length 262144 bytes
00:00:5e:00:53:01 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 192.0.2.2 tell 192.0.2.1, length 28
00:00:5e:00:53:02 > 00:00:5e:00:53:01, ethertype ARP (0x0806), length 42: Reply 192.0.2.2 is-at 00:00:5e:00:53:02, length 28
00:00:5e:00:53:01 > 00:00:5e:00:53:02, ethertype IPv4 (0x0800), length 98: 192.0.2.1 > 192.0.2.2: ICMP echo request, id {}, seq 1, length 64
00:00:5e:00:53:02 > 00:00:5e:00:53:01, ethertype IPv4 (0x0800), length 98: 192.0.2.2 > 192.0.2.1: ICMP echo reply, id {}, seq 1, length 64
...
$ ip netns exec ns1 ping -c 2 192.0.2.2
PING 192.0.2.2 (192.0.2.2) 56(84) bytes of data.
64 bytes from 192.0.2.2: icmp_seq=1 ttl=64 time={} ms
64 bytes from 192.0.2.2: icmp_seq=2 ttl=64 time={} ms

--- 192.0.2.2 ping statistics ---
2 packets transmitted, 2 received, 0% packet loss, time {}ms
rtt min/avg/max/mdev = {}
$ ip netns exec ns2 ip neigh show
192.0.2.1 dev ns2-veth0 lladdr 00:00:5e:00:53:01 {}
