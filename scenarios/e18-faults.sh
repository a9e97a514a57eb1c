# E18 — Faults mid-flow: a veth deleted under a running ping, and a bridge port going down and up.
# Source: the faults a link-shaping tutorial pairs with tc (issue 16: "removing a veth mid-flow, a bridge port going down").
#! description: E18 faults: a pings b every 3 s; b deletes its end of the veth in the middle: both ends are gone (a veth's peer goes with it), a's route with its device, and the pings after it are lost without a word (no route, no neighbour to fail). Then h1 pings h2 across a bridge while the bridge's port to h2 goes down for a second: h2's end loses its carrier (NO-CARRIER, its route linkdown), the bridge forgets what it had learned on that port (and the port leaves its multicast groups, IPv4's and IPv6's), one ping is lost, and the first after the port comes back is answered. (The faults fall 1.5 s from any ping: on a loaded machine the kernel's commands come late, and a second was not enough.)
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
$ ip netns exec a ping -c 4 -i 3 10.0.0.2 &
#! contains: 64 bytes from 10.0.0.2: icmp_seq=2 ttl=64 time={} ms
#! contains: 4 packets transmitted, 2 received, 50% packet loss, time {}
#! lacks: {}icmp_seq=3{}
#! lacks: ping: {}
$ sleep 4.5
# Between the second ping and the third, b deletes its end: a's goes with it.
$ ip -n b link del v1
$ ip -n a link show
1: lo: <LOOPBACK> mtu 65536 qdisc noop state DOWN mode DEFAULT group default qlen 1000
    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00
$ ip -n a route
$ ip -n b link show
1: lo: <LOOPBACK> mtu 65536 qdisc noop state DOWN mode DEFAULT group default qlen 1000
    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00
$ wait

# A bridge with a port to h1 and one to h2.
$ ip netns add sw
$ ip netns add h1
$ ip netns add h2
$ ip -n sw link add br0 type bridge
$ ip -n sw link add p1 type veth peer name e1 netns h1
$ ip -n sw link add p2 type veth peer name e2 netns h2
# The ports' addresses set: the bridge takes the lowest, and with it the IPv6 groups its
# bridge fdb lists (random addresses would make which port's a toss of a coin).
$ ip -n sw link set p1 address 02:00:00:00:00:01
$ ip -n sw link set p2 address 02:00:00:00:00:02
$ ip -n sw link set p1 master br0
$ ip -n sw link set p2 master br0
$ ip -n sw link set br0 up
$ ip -n sw link set p1 up
$ ip -n sw link set p2 up
$ ip -n h1 addr add 10.1.0.1/24 dev e1
$ ip -n h2 addr add 10.1.0.2/24 dev e2
$ ip -n h1 link set e1 up
$ ip -n h2 link set e2 up
$ ip netns exec h1 ping -c 5 -i 3 10.1.0.2 &
#! contains: 64 bytes from 10.1.0.2: icmp_seq=2 ttl=64 time={} ms
#! contains: 64 bytes from 10.1.0.2: icmp_seq=4 ttl=64 time={} ms
#! contains: 5 packets transmitted, 4 received, 20% packet loss, time {}
#! lacks: {}icmp_seq=3{}
$ sleep 4.5
$ ip netns exec sw bridge fdb show br br0
33:33:00:00:00:01 dev br0 self permanent
01:00:5e:00:00:6a dev br0 self permanent
33:33:00:00:00:6a dev br0 self permanent
01:00:5e:00:00:01 dev br0 self permanent
33:33:ff:00:00:01 dev br0 self permanent
{} dev p1 master br0
{} dev p1 master br0 permanent
33:33:00:00:00:01 dev p1 self permanent
01:00:5e:00:00:01 dev p1 self permanent
33:33:ff:00:00:01 dev p1 self permanent
{} dev p2 master br0
{} dev p2 master br0 permanent
33:33:00:00:00:01 dev p2 self permanent
01:00:5e:00:00:01 dev p2 self permanent
33:33:ff:00:00:02 dev p2 self permanent
# Between the second ping and the third, the port to h2 goes down: what the bridge had
# learned on it is forgotten (h2's MAC; the port's own address stays), and the port
# leaves its multicast groups.
$ ip -n sw link set p2 down
$ ip netns exec sw bridge fdb show br br0
33:33:00:00:00:01 dev br0 self permanent
01:00:5e:00:00:6a dev br0 self permanent
33:33:00:00:00:6a dev br0 self permanent
01:00:5e:00:00:01 dev br0 self permanent
33:33:ff:00:00:01 dev br0 self permanent
{} dev p1 master br0
{} dev p1 master br0 permanent
33:33:00:00:00:01 dev p1 self permanent
01:00:5e:00:00:01 dev p1 self permanent
33:33:ff:00:00:01 dev p1 self permanent
{} dev p2 master br0 permanent
$ ip -n sw link show p2
4: p2@if2: <BROADCAST,MULTICAST> mtu 1500 qdisc noqueue master br0 state DOWN mode DEFAULT group default qlen 1000
    link/ether {} brd ff:ff:ff:ff:ff:ff link-netns h2
$ ip -n h2 link show e2
2: e2@if4: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 qdisc noqueue state DOWN mode DEFAULT group default qlen 1000
    link/ether {} brd ff:ff:ff:ff:ff:ff link-netns sw
$ ip -n h2 route
10.1.0.0/24 dev e2 proto kernel scope link src 10.1.0.2 linkdown
# Up again between the third ping and the fourth, which is answered.
$ sleep 3
$ ip -n sw link set p2 up
$ ip -n sw link show p2
4: p2@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue master br0 state UP mode DEFAULT group default qlen 1000
    link/ether {} brd ff:ff:ff:ff:ff:ff link-netns h2
$ ip -n h2 link show e2
2: e2@if4: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000
    link/ether {} brd ff:ff:ff:ff:ff:ff link-netns sw
$ wait
