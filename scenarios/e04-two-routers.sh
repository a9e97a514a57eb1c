# E4 — Two routers and static routes.
# Source: seeds/001 ch3 "Network Namespace - 3" (ルーターを2台にする).
#! description: E4: ns1 - router1 - 203.0.113.0/24 - router2 - ns2 with a static route on each router; pings both ways arrive with ttl=62.
#! seed: 4

$ ip netns add ns1
$ ip netns add ns2
$ ip netns add router1
$ ip netns add router2
$ ip link add ns1-veth0 type veth peer name gw1-veth0
$ ip link add gw1-veth1 type veth peer name gw2-veth0
$ ip link add gw2-veth1 type veth peer name ns2-veth0
$ ip link set ns1-veth0 netns ns1
$ ip link set ns2-veth0 netns ns2
$ ip link set gw1-veth0 netns router1
$ ip link set gw1-veth1 netns router1
$ ip link set gw2-veth0 netns router2
$ ip link set gw2-veth1 netns router2
$ ip netns exec ns1 ip link set ns1-veth0 up
$ ip netns exec ns2 ip link set ns2-veth0 up
$ ip netns exec router1 ip link set gw1-veth0 up
$ ip netns exec router1 ip link set gw1-veth1 up
$ ip netns exec router2 ip link set gw2-veth0 up
$ ip netns exec router2 ip link set gw2-veth1 up
$ ip netns exec ns1 ip addr add 192.0.2.1/24 dev ns1-veth0
$ ip netns exec router1 ip addr add 192.0.2.254/24 dev gw1-veth0
$ ip netns exec router1 ip addr add 203.0.113.1/24 dev gw1-veth1
$ ip netns exec router2 ip addr add 203.0.113.2/24 dev gw2-veth0
$ ip netns exec router2 ip addr add 198.51.100.254/24 dev gw2-veth1
$ ip netns exec ns2 ip addr add 198.51.100.1/24 dev ns2-veth0
$ ip netns exec ns1 ip route add default via 192.0.2.254
$ ip netns exec ns2 ip route add default via 198.51.100.254
$ ip netns exec router1 sysctl net.ipv4.ip_forward=1
net.ipv4.ip_forward = 1
$ ip netns exec router2 sysctl net.ipv4.ip_forward=1
net.ipv4.ip_forward = 1

# Without the routers' static routes, router1 has no way to 198.51.100.0/24 and says so.
$ ip netns exec ns1 ping -c 1 198.51.100.1 -I 192.0.2.1
PING 198.51.100.1 (198.51.100.1) from 192.0.2.1 : 56(84) bytes of data.
From 192.0.2.254 icmp_seq=1 Destination Net Unreachable

--- 198.51.100.1 ping statistics ---
1 packets transmitted, 0 received, +1 errors, 100% packet loss, time 0ms
#! exit: 1

$ ip netns exec router1 ip route add 198.51.100.0/24 via 203.0.113.2
$ ip netns exec router2 ip route add 192.0.2.0/24 via 203.0.113.1
$ ip netns exec router1 ip route show
192.0.2.0/24 dev gw1-veth0 proto kernel scope link src 192.0.2.254
198.51.100.0/24 via 203.0.113.2 dev gw1-veth1
203.0.113.0/24 dev gw1-veth1 proto kernel scope link src 203.0.113.1
$ ip netns exec router2 ip route show
192.0.2.0/24 via 203.0.113.1 dev gw2-veth0
198.51.100.0/24 dev gw2-veth1 proto kernel scope link src 198.51.100.254
203.0.113.0/24 dev gw2-veth0 proto kernel scope link src 203.0.113.2

$ ip netns exec ns1 ping -c 3 198.51.100.1 -I 192.0.2.1
PING 198.51.100.1 (198.51.100.1) from 192.0.2.1 : 56(84) bytes of data.
64 bytes from 198.51.100.1: icmp_seq=1 ttl=62 time={} ms
64 bytes from 198.51.100.1: icmp_seq=2 ttl=62 time={} ms
64 bytes from 198.51.100.1: icmp_seq=3 ttl=62 time={} ms

--- 198.51.100.1 ping statistics ---
3 packets transmitted, 3 received, 0% packet loss, time {}ms
rtt min/avg/max/mdev = {} ms
$ ip netns exec ns2 ping -c 3 192.0.2.1 -I 198.51.100.1
PING 192.0.2.1 (192.0.2.1) from 198.51.100.1 : 56(84) bytes of data.
64 bytes from 192.0.2.1: icmp_seq=1 ttl=62 time={} ms
64 bytes from 192.0.2.1: icmp_seq=2 ttl=62 time={} ms
64 bytes from 192.0.2.1: icmp_seq=3 ttl=62 time={} ms

--- 192.0.2.1 ping statistics ---
3 packets transmitted, 3 received, 0% packet loss, time {}ms
rtt min/avg/max/mdev = {} ms

# A gateway that is not on a connected network is refused, as the kernel refuses it.
$ ip netns exec router1 ip route add 10.0.0.0/8 via 10.9.9.9
Error: Nexthop has invalid gateway.
#! exit: 2
$ ip netns exec router1 ip route add 198.51.100.0/24 via 203.0.113.2
RTNETLINK answers: File exists
#! exit: 2
