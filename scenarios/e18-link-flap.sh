# E18 — A link that flaps: the peer of a veth goes down under a running ping, then up.
# Source: the faults a link-shaping tutorial pairs with tc (link down/up mid-flow).
#! description: E18 flap: a pings b every 1.5 s while b's end of the veth goes down for a second and a half. a's end loses its carrier: `ip link` shows NO-CARRIER and state DOWN (the peer is in another namespace: the kernel's default_operstate looks the peer's index up in a's own namespace and finds nothing there, so not LOWERLAYERDOWN), its routes stay but are marked linkdown, and the pings sent meanwhile wait for their neighbour, whose ARP requests (one a second) die on the dead link. The carrier is back before ARP gives up (3 s), so its second request is answered and the waiting ping goes at once, answered a second late. (Down longer than ARP's 3 s, the waiting pings are dropped when it gives up, silently: the error to the sender cannot be delivered while lo is down.) The times keep every event half a second or more from the next, no ping falls on an ARP request's instant (1.5 s against 1 s), and the carrier may come back more than a second late (the commands between down and up are slow on a loaded kernel) and still beat ARP's last request (at 5 s), so the kernel's scheduling under load changes no count.
#! seed: 18

$ ip netns add a
$ ip netns add b
$ ip link add v0 type veth peer name v1
$ ip link set v0 netns a
$ ip link set v1 netns b
$ ip -n a addr add 10.0.0.1/24 dev v0
$ ip -n b addr add 10.0.0.2/24 dev v1
$ ip -n a link set v0 up
$ ip -n b link set v1 up
$ ip -n a route add default via 10.0.0.2
# Pings at 0, 1.5, 3, 4.5, 6 … s (each up to 0.3 s later on a loaded kernel). The link
# goes down at 2 s, between the second and the third; the third (3 s) waits for ARP,
# whose requests go at 3, 4 and 5 s; the link is back at 3.5 s, half a second from either
# side, so the request at 4 s is answered (on a loaded kernel the one at 5 s may be: the
# diff does not compare round-trip times).
$ ip netns exec a ping -c 8 -i 1.5 10.0.0.2 &
#! contains: 64 bytes from 10.0.0.2: icmp_seq=3 ttl=64 time=100{} ms
#! contains: 64 bytes from 10.0.0.2: icmp_seq=4 ttl=64 time=0.0{} ms
#! contains: 8 packets transmitted, 8 received, 0% packet loss, time {}
#! lacks: {}Unreachable{}
$ sleep 2
$ ip -n b link set v1 down
$ ip -n a link show v0
3: v0@if2: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 qdisc noqueue state DOWN mode DEFAULT group default qlen 1000
    link/ether {} brd ff:ff:ff:ff:ff:ff link-netns b
$ ip -n a route
default via 10.0.0.2 dev v0 linkdown
10.0.0.0/24 dev v0 proto kernel scope link src 10.0.0.1 linkdown
$ sleep 1.5
$ ip -n b link set v1 up
$ ip -n a link show v0
3: v0@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000
    link/ether {} brd ff:ff:ff:ff:ff:ff link-netns b
$ ip -n a route
default via 10.0.0.2 dev v0
10.0.0.0/24 dev v0 proto kernel scope link src 10.0.0.1
$ wait
