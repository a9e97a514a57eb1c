# E2 — Interface indexes: which number a new device gets in a namespace that devices were
# moved into.
# Source: the numbers seed 004 shows (`50: ve-c0-nat-node@if51`) and `ip link` after a
# tutorial's moves; the kernel's dev_index_reserve (net/core/dev.c).
#! description: E2 indexes: a device moved into a namespace keeps its index when it is free there, and that does not move the namespace's own counter; a device made there takes the first free index from the counter on (xa_alloc_cyclic), so after vb (2) and vd (4) come in, br0 is 3 and br1 skips 4 to 5. A veth pair's peer is made first: in the root, vb is 2 and va 3.
#! seed: 2

$ ip netns add x
$ ip link add va type veth peer name vb
$ ip link add vc type veth peer name vd
$ ip -br link
lo               DOWN           00:00:00:00:00:00 <LOOPBACK> 
vb@va            DOWN           {} <BROADCAST,MULTICAST,M-DOWN> 
va@vb            DOWN           {} <BROADCAST,MULTICAST,M-DOWN> 
vd@vc            DOWN           {} <BROADCAST,MULTICAST,M-DOWN> 
vc@vd            DOWN           {} <BROADCAST,MULTICAST,M-DOWN> 
$ ip link set vb netns x
$ ip link set vd netns x
$ ip -n x link add br0 type bridge
$ ip -n x link add br1 type bridge
$ ip -n x link add ve type veth peer name vf
$ ip -n x link show
1: lo: <LOOPBACK> mtu 65536 qdisc noop state DOWN mode DEFAULT group default qlen 1000
    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00
2: vb@if3: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000
    link/ether {} brd ff:ff:ff:ff:ff:ff link-netnsid 0
3: br0: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000
    link/ether {} brd ff:ff:ff:ff:ff:ff
4: vd@if5: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000
    link/ether {} brd ff:ff:ff:ff:ff:ff link-netnsid 0
5: br1: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000
    link/ether {} brd ff:ff:ff:ff:ff:ff
6: vf@ve: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000
    link/ether {} brd ff:ff:ff:ff:ff:ff
7: ve@vf: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000
    link/ether {} brd ff:ff:ff:ff:ff:ff
