# E3 — One router between two subnets.
# Source: seeds/001 ch3 "Network Namespace - 2" (ルーターを入れる).
#! description: E3: a router namespace joins 192.0.2.0/24 and 198.51.100.0/24; without routes, then without forwarding, then with ip_forward=1 (ttl=63).
#! seed: 3

$ ip netns add ns1
$ ip netns add ns2
$ ip netns add router
$ ip netns list
router
ns2
ns1
$ ip link add ns1-veth0 type veth peer name gw-veth0
$ ip link add ns2-veth0 type veth peer name gw-veth1
$ ip link set ns1-veth0 netns ns1
$ ip link set ns2-veth0 netns ns2
$ ip link set gw-veth0 netns router
$ ip link set gw-veth1 netns router
$ ip netns exec ns1 ip link set ns1-veth0 up
$ ip netns exec ns2 ip link set ns2-veth0 up
$ ip netns exec router ip link set gw-veth0 up
$ ip netns exec router ip link set gw-veth1 up
$ ip netns exec ns1 ip addr add 192.0.2.1/24 dev ns1-veth0
$ ip netns exec router ip addr add 192.0.2.254/24 dev gw-veth0
$ ip netns exec ns2 ip addr add 198.51.100.1/24 dev ns2-veth0
$ ip netns exec router ip addr add 198.51.100.254/24 dev gw-veth1

# The router's near addresses answer: one hop, ttl=64.
$ ip netns exec ns1 ping -c 3 192.0.2.254
PING 192.0.2.254 (192.0.2.254) 56(84) bytes of data.
64 bytes from 192.0.2.254: icmp_seq=1 ttl=64 time={} ms
64 bytes from 192.0.2.254: icmp_seq=2 ttl=64 time={} ms
64 bytes from 192.0.2.254: icmp_seq=3 ttl=64 time={} ms

--- 192.0.2.254 ping statistics ---
3 packets transmitted, 3 received, 0% packet loss, time {}ms
rtt min/avg/max/mdev = {} ms
$ ip netns exec ns2 ping -c 3 198.51.100.254
PING 198.51.100.254 (198.51.100.254) 56(84) bytes of data.
...
3 packets transmitted, 3 received, 0% packet loss, time {}ms
rtt min/avg/max/mdev = {} ms

# No route to the other subnet yet. The document's iputils printed
# "ping: sendmsg: Network is unreachable" for each packet; iputils 20221126 (the oracle on
# this machine) counts the failed sendmsg as transmitted and prints nothing, then waits
# its 10 s for replies. Either way: nothing leaves ns1, 100% loss.
$ ip netns exec ns1 ping -c 3 198.51.100.1 -I 192.0.2.1
PING 198.51.100.1 (198.51.100.1) from 192.0.2.1 : 56(84) bytes of data.

--- 198.51.100.1 ping statistics ---
3 packets transmitted, 0 received, 100% packet loss, time 2000ms
#! exit: 1
# Without -I, ping's connect() probe fails first:
$ ip netns exec ns1 ping -c 3 198.51.100.1
ping: connect: Network is unreachable
#! exit: 2
$ ip netns exec ns1 ip route show
192.0.2.0/24 dev ns1-veth0 proto kernel scope link src 192.0.2.1

# Default routes, but the router does not forward: the packets die silently at the router,
# no ICMP error comes back.
$ ip netns exec ns1 ip route add default via 192.0.2.254
$ ip netns exec ns2 ip route add default via 198.51.100.254
$ ip netns exec router sysctl net.ipv4.ip_forward
net.ipv4.ip_forward = 0
$ ip netns exec router tcpdump -tnel -i gw-veth0 icmp &
#! contains: {}: 192.0.2.1 > 198.51.100.1: ICMP echo request, id {}, seq 3, length 64
#! lacks: {}ICMP{}unreachable{}
#! lacks: {}echo reply{}
$ ip netns exec ns1 ping -c 3 198.51.100.1 -I 192.0.2.1
PING 198.51.100.1 (198.51.100.1) from 192.0.2.1 : 56(84) bytes of data.

--- 198.51.100.1 ping statistics ---
3 packets transmitted, 0 received, 100% packet loss, time 2000ms
#! exit: 1
$ kill %1

# Forwarding on: replies, one hop further (ttl=63).
$ ip netns exec router sysctl -w net.ipv4.ip_forward=1
net.ipv4.ip_forward = 1
$ ip netns exec ns1 ping -c 3 198.51.100.1 -I 192.0.2.1
PING 198.51.100.1 (198.51.100.1) from 192.0.2.1 : 56(84) bytes of data.
64 bytes from 198.51.100.1: icmp_seq=1 ttl=63 time={} ms
64 bytes from 198.51.100.1: icmp_seq=2 ttl=63 time={} ms
64 bytes from 198.51.100.1: icmp_seq=3 ttl=63 time={} ms

--- 198.51.100.1 ping statistics ---
3 packets transmitted, 3 received, 0% packet loss, time {}ms
rtt min/avg/max/mdev = {} ms
$ ip netns exec router ip route show
192.0.2.0/24 dev gw-veth0 proto kernel scope link src 192.0.2.254
198.51.100.0/24 dev gw-veth1 proto kernel scope link src 198.51.100.254

# ICMP errors from the router, as the kernel sends them (checked on this machine):
# TTL 1 dies at the router; a network with no route is unreachable; an address nobody
# answers ARP for is a host unreachable after three broadcast requests.
$ ip netns exec ns1 ping -c 2 -t 1 198.51.100.1
PING 198.51.100.1 (198.51.100.1) 56(84) bytes of data.
From 192.0.2.254 icmp_seq=1 Time to live exceeded
From 192.0.2.254 icmp_seq=2 Time to live exceeded

--- 198.51.100.1 ping statistics ---
2 packets transmitted, 0 received, +2 errors, 100% packet loss, time 1000ms
#! exit: 1
$ ip netns exec ns1 ping -c 2 10.9.9.9
PING 10.9.9.9 (10.9.9.9) 56(84) bytes of data.
From 192.0.2.254 icmp_seq=1 Destination Net Unreachable
From 192.0.2.254 icmp_seq=2 Destination Net Unreachable

--- 10.9.9.9 ping statistics ---
2 packets transmitted, 0 received, +2 errors, 100% packet loss, time 1000ms
$ ip netns exec ns1 ping -c 3 198.51.100.9
PING 198.51.100.9 (198.51.100.9) 56(84) bytes of data.
From 192.0.2.254 icmp_seq=1 Destination Host Unreachable
From 192.0.2.254 icmp_seq=2 Destination Host Unreachable
From 192.0.2.254 icmp_seq=3 Destination Host Unreachable

--- 198.51.100.9 ping statistics ---
3 packets transmitted, 0 received, +3 errors, 100% packet loss, time 2000ms
pipe 3
# Seed-dependent: the router last confirmed 198.51.100.1 at 7 s (its probe after ns2's
# ping) and keeps it REACHABLE for a random 15-45 s. If that runs past 35 s it still is; if
# it ran out after the last forwarded echo (30 s) the entry waits in DELAY for 5 s before
# probing (the kernel shows STALE there: its cached-header path does not count the echoes
# as use, see README.md); if earlier, the echoes' probe has confirmed it again by 35 s.
$ ip netns exec router ip neigh show dev gw-veth1
198.51.100.1 lladdr {} {REACHABLE|DELAY}
198.51.100.9 FAILED
#! differs: 198.51.100.1 lladdr {} -- a neighbour stays REACHABLE for a random 15-45 s after its last confirmation, drawn by each back end from its own random source; around 30 s either state may show
