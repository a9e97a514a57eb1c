# E2 — veth ends made straight in their namespaces: `ip link add NAME netns NS type veth peer name PEER netns NS2`.
# Source: the one-line form of the tutorials' three (`ip link add`, then `ip link set … netns` twice); ip-link(8).
#! description: E2 veth netns: each end is made in the namespace its `netns` names, so both are interface 2 there (no large index carried over from the root namespace) and each names the other's namespace (link-netns). Without a `netns` of its own, a peer is made where the command runs (here c), not beside its twin. A bridge can be made in another namespace the same way. An unknown namespace is refused before anything is made (ip's own words, status 255); a name already taken in the namespace is the kernel's File exists. The two ends then ping each other.
#! seed: 2

$ ip netns add a
$ ip netns add b
$ ip netns add c
$ ip link add v0 netns a type veth peer name v1 netns b
$ ip -n a link show
1: lo: <LOOPBACK> mtu 65536 qdisc noop state DOWN mode DEFAULT group default qlen 1000
    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00
2: v0@if2: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000
    link/ether {} brd ff:ff:ff:ff:ff:ff link-netns b
$ ip -n b link show
1: lo: <LOOPBACK> mtu 65536 qdisc noop state DOWN mode DEFAULT group default qlen 1000
    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00
2: v1@if2: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000
    link/ether {} brd ff:ff:ff:ff:ff:ff link-netns a
$ ip -n c link add x0 netns a type veth peer name x1
$ ip -n a link show x0
3: x0@if2: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000
    link/ether {} brd ff:ff:ff:ff:ff:ff link-netns c
$ ip -n c link show x1
2: x1@if3: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000
    link/ether {} brd ff:ff:ff:ff:ff:ff link-netns a
$ ip link add br9 netns c type bridge
$ ip -n c link show br9
3: br9: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000
    link/ether {} brd ff:ff:ff:ff:ff:ff
$ ip link add w0 netns nope type veth peer name w1
Error: argument "nope" is wrong: Invalid "netns" value
#! exit: 255
$ ip link add w0 netns a type veth peer name w1 netns nope
Error: argument "nope" is wrong: Invalid "netns" value
#! exit: 255
$ ip link add v0 netns a type veth peer name w1
RTNETLINK answers: File exists
#! exit: 2
$ ip -n a addr add 10.0.0.1/24 dev v0
$ ip -n b addr add 10.0.0.2/24 dev v1
$ ip -n a link set v0 up
$ ip -n b link set v1 up
$ ip netns exec a ping -c 2 -i 0.2 10.0.0.2
PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.
64 bytes from 10.0.0.2: icmp_seq=1 ttl=64 time=0.040 ms
64 bytes from 10.0.0.2: icmp_seq=2 ttl=64 time=0.020 ms

--- 10.0.0.2 ping statistics ---
2 packets transmitted, 2 received, 0% packet loss, time 200ms
rtt min/avg/max/mdev = 0.020/0.030/0.040/0.010 ms
