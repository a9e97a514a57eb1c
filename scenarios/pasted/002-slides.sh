#! description: 002 "Network namespaceで遊ぼう", every command of the slides pasted as a reader copies them: root's `# ` prompt, the author's output under each command, `echo 1 > /proc/sys/…`, a foreground ping stopped with ^C, `\` continuations.
#! seed: 1
# The author's machine first (not in the slides): a GCE VM whose ens4 leads to the
# Internet, where 1.1.1.1 answers. nslab's stand-in is a namespace "internet".
# ip netns add internet
# ip link add ens4 type veth peer name uplink
# ip link set uplink netns internet
# ip netns exec internet ip link set lo up
# ip netns exec internet ip link set uplink up
# ip netns exec internet ip addr add 10.138.0.1/32 dev uplink
# ip netns exec internet ip addr add 1.1.1.1/32 dev lo
# ip netns exec internet ip route add 10.138.0.3 dev uplink
# ip link set lo up
# ip addr add 10.138.0.3/32 dev ens4
# ip link set ens4 up
# ip route add 10.138.0.1 dev ens4 scope link
# ip route add default via 10.138.0.1 dev ens4
# A VM without docker has no br_netfilter: bridged frames skip iptables, as there.
# sysctl -w net.bridge.bridge-nf-call-iptables=0
net.bridge.bridge-nf-call-iptables = 0
# The slides from here on.
# ip address show
1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN …(略)
    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00
    inet 127.0.0.1/8 scope host lo
       valid_lft forever preferred_lft forever
2: ens4: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1460 qdisc mq state UP …(略)
    link/ether 42:01:0a:8a:00:03 brd ff:ff:ff:ff:ff:ff
    inet 10.138.0.3/32 brd 10.138.0.3 scope global dynamic ens4
       valid_lft 3060sec preferred_lft 3060sec
# ip route
default via 10.138.0.1 dev ens4
10.138.0.1 dev ens4 scope link
# ping -c 3 1.1.1.1
PING 1.1.1.1 (1.1.1.1) 56(84) bytes of data.
64 bytes from 1.1.1.1: icmp_seq=1 ttl=61 time=8.29 ms
64 bytes from 1.1.1.1: icmp_seq=2 ttl=61 time=7.42 ms
64 bytes from 1.1.1.1: icmp_seq=3 ttl=61 time=7.66 ms

--- 1.1.1.1 ping statistics ---
3 packets transmitted, 3 received, 0% packet loss, time 2003ms
rtt min/avg/max/mdev = 7.424/7.792/8.289/0.364 ms
# ip netns show
# ip netns add test_ns
# ip netns show
test_ns
# ip netns exec test_ns ip address show
1: lo: <LOOPBACK> mtu 65536 qdisc noop state DOWN group default qlen 1000
    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00
# ip netns exec test_ns ip route show
Error: ipv4: FIB table does not exist.
Dump terminated
# ip netns exec test_ns ping 1.1.1.1
ping: connect: Network is unreachable
# ip netns delete test_ns
# ip netns add pc
# ip netns add printer
# ip netns show
pc
printer
# ip link add name veth1-pc type veth peer name veth1-br
# ip link set veth1-pc netns pc
# ip netns exec pc ip link show
1: lo: <LOOPBACK> mtu 65536 qdisc noop state DOWN mode DEFAULT …(略)
    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00
4: veth1-pc@if3: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN…
    link/ether b6:a0:3c:0b:3b:60 brd ff:ff:ff:ff:ff:ff link-netnsid 0
# ip link add name veth2-printer type veth peer name veth2-br
# ip link add name veth3-df type veth peer name veth3-br
# ip link set veth2-printer netns printer
# brctl addbr bridge0
# brctl show
bridge name	bridge id		STP enabled	interfaces
bridge0		8000.ea9d7394db4f	no
# brctl addif bridge0 veth1-br
# brctl addif bridge0 veth2-br
# brctl show bridge0
bridge name	bridge id		STP enabled	interfaces
bridge0		8000.ea9d7394db4f	no		veth1-br
							veth2-br
# ip netns exec pc ip address add 10.0.0.1/24 dev veth1-pc
# ip netns exec printer ip address add 10.0.0.2/24 dev veth2-printer
# ip link set bridge0 up
# ip link set veth1-br up
# ip link set veth2-br up
# ip netns exec pc ip link set veth1-pc up
# ip netns exec printer ip link set veth2-printer up
# ip netns exec pc ping -c 3 10.0.0.2
PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.
64 bytes from 10.0.0.2: icmp_seq=1 ttl=64 time=0.036 ms
64 bytes from 10.0.0.2: icmp_seq=2 ttl=64 time=0.049 ms
64 bytes from 10.0.0.2: icmp_seq=3 ttl=64 time=0.054 ms

--- 10.0.0.2 ping statistics ---
3 packets transmitted, 3 received, 0% packet loss, time 2024ms
rtt min/avg/max/mdev = 0.036/0.046/0.054/0.007 ms
# brctl addif bridge0 veth3-br
# brctl show bridge0
bridge name	bridge id		STP enabled	interfaces
bridge0		8000.ea9d7394db4f	no		veth1-br
							veth2-br
							veth3-br
# ip address add 10.0.0.254/24 dev veth3-df
# ip link set veth3-br up
# ip link set veth3-df up
# ip netns exec pc ping -c 3 10.0.0.254
PING 10.0.0.254 (10.0.0.254) 56(84) bytes of data.
64 bytes from 10.0.0.254: icmp_seq=1 ttl=64 time=0.045 ms
64 bytes from 10.0.0.254: icmp_seq=2 ttl=64 time=0.058 ms
64 bytes from 10.0.0.254: icmp_seq=3 ttl=64 time=0.051 ms

--- 10.0.0.254 ping statistics ---
3 packets transmitted, 3 received, 0% packet loss, time 2040ms
rtt min/avg/max/mdev = 0.045/0.051/0.058/0.005 ms
# ip netns exec pc ping 1.1.1.1
ping: connect: Network is unreachable
# ip netns exec pc ip route show
10.0.0.0/24 dev veth1-pc proto kernel scope link src 10.0.0.1
# ip netns exec pc ip route add default via 10.0.0.254
# ip netns exec pc ip route show
default via 10.0.0.254 dev veth1-pc
10.0.0.0/24 dev veth1-pc proto kernel scope link src 10.0.0.1
# ip netns exec pc ping 1.1.1.1
PING 1.1.1.1 (1.1.1.1) 56(84) bytes of data.
^C
--- 1.1.1.1 ping statistics ---
2 packets transmitted, 0 received, 100% packet loss, time 1026ms

# echo 1 > /proc/sys/net/ipv4/ip_forward
# iptables --table nat --flush
# iptables --table nat --append POSTROUTING \
--source 10.0.0.0/24 --jump MASQUERADE
# ip netns exec pc ping -c 3 1.1.1.1
PING 1.1.1.1 (1.1.1.1) 56(84) bytes of data.
64 bytes from 1.1.1.1: icmp_seq=1 ttl=60 time=8.02 ms
64 bytes from 1.1.1.1: icmp_seq=2 ttl=60 time=6.80 ms
64 bytes from 1.1.1.1: icmp_seq=3 ttl=60 time=6.95 ms

--- 1.1.1.1 ping statistics ---
3 packets transmitted, 3 received, 0% packet loss, time 2003ms
rtt min/avg/max/mdev = 6.796/7.255/8.017/0.542 ms
