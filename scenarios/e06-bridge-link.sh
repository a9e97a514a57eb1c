# E6 — `bridge link`: a bridge's ports, their flags and their state.
# Source: bridge(8); every bridge tutorial's "check the ports" step.
#! description: E6 bridge link: each port of br0 as iproute2's bridge tool prints it. A port whose bridge or own link is down is `disabled`; one that is up with carrier on a bridge that is up is `forwarding` at once (no STP). The name after `@` is a surprise worth knowing: `bridge` looks the veth peer's ifindex up in *this* namespace, so a peer that is interface 2 elsewhere reads as `@br0` here — and `M-DOWN` follows that device, not the port's peer. A peer whose ifindex names nothing here reads `@ifN`.
#! seed: 6

$ ip netns add sw
$ ip netns add h1
$ ip netns add h2
$ ip -n sw link add br0 type bridge
$ ip link add p1 netns sw type veth peer name eth0 netns h1
$ ip link add p2 netns sw type veth peer name eth0 netns h2
$ ip -n sw link set p1 master br0
$ ip -n sw link set p2 master br0

# Everything down. Each peer is interface 2 of its namespace; interface 2 here is br0,
# which is down: M-DOWN.
$ ip netns exec sw bridge link
3: p1@br0: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 master br0 state disabled priority 32 cost 2
4: p2@br0: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 master br0 state disabled priority 32 cost 2

# p1 up, its peer still down: no carrier.
$ ip -n sw link set p1 up
$ ip netns exec sw bridge link show
3: p1@br0: <NO-CARRIER,BROADCAST,MULTICAST,UP,M-DOWN> mtu 1500 master br0 state disabled priority 32 cost 2
4: p2@br0: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 master br0 state disabled priority 32 cost 2

# The bridge and h1's end up: p1 forwards.
$ ip -n sw link set br0 up
$ ip -n h1 link set eth0 up
$ sleep 1
$ ip netns exec sw bridge link
3: p1@br0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 master br0 state forwarding priority 32 cost 2
4: p2@br0: <BROADCAST,MULTICAST> mtu 1500 master br0 state disabled priority 32 cost 2

# A host with two veth pairs of its own already: its end of p3 is interface 6 there, and
# nothing here is interface 6: `@if6`, and no M-DOWN.
$ ip netns add h3
$ ip link add a1 netns h3 type veth peer name b1 netns h3
$ ip link add a2 netns h3 type veth peer name b2 netns h3
$ ip link add p3 netns sw type veth peer name eth0 netns h3
$ ip -n sw link set p3 master br0
$ ip -n sw link set p3 up
$ ip netns exec sw bridge link show dev p3
5: p3@if6: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 master br0 state disabled priority 32 cost 2

# The bridge down again: every port disabled; M-DOWN where interface 2 (br0) is named.
$ ip -n sw link set br0 down
$ ip netns exec sw bridge link
3: p1@br0: <BROADCAST,MULTICAST,UP,LOWER_UP,M-DOWN> mtu 1500 master br0 state disabled priority 32 cost 2
4: p2@br0: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 master br0 state disabled priority 32 cost 2
5: p3@if6: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 master br0 state disabled priority 32 cost 2

# A name without `dev` filters nothing: the bridge tool skips any word but `dev`.
$ ip netns exec sw bridge link show p1
3: p1@br0: <BROADCAST,MULTICAST,UP,LOWER_UP,M-DOWN> mtu 1500 master br0 state disabled priority 32 cost 2
4: p2@br0: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 master br0 state disabled priority 32 cost 2
5: p3@if6: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 master br0 state disabled priority 32 cost 2

# The device itself is no port: nothing. An unknown one is an error.
$ ip netns exec sw bridge link show dev br0
$ ip netns exec sw bridge link show dev nope
Cannot find device "nope"
#! exit: 255

# Both ends of a veth interface 6 (h4 has two pairs of its own first): no `@` at all —
# the kernel sends no link index when the peer's is the port's own.
$ ip netns add h4
$ ip link add c1 netns h4 type veth peer name d1 netns h4
$ ip link add c2 netns h4 type veth peer name d2 netns h4
$ ip link add p4 netns sw type veth peer name e4 netns h4
$ ip -n sw link set p4 master br0
$ ip netns exec sw bridge link show dev p4
6: p4: <BROADCAST,MULTICAST> mtu 1500 master br0 state disabled priority 32 cost 2
