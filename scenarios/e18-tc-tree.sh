# E18 — Qdiscs in a tree: a tbf under one htb class, an htb under a tbf, and what deleting a child leaves.
# Source: tc(8) ("parent"), tc-htb(8), tc-tbf(8); the LARTC HOWTO's per-destination shaping.
#! description: E18 qdisc trees: home's up0 has htb at its root, 100.64.0.3's traffic classified to 1:10, and a tbf of 30 kbit/s grafted to 1:10 (`parent 1:10 handle 10:`): pings to 100.64.0.1 pass at once, those to 100.64.0.3 wait for the tbf's tokens, their round trips growing 78 ms a ping; `tc qdisc show` lists the child with its parent and `tc class show` names it as the class's leaf; both qdiscs count what they sent. The kernel's refusals: an inner class, a class that does not exist, a handle in use elsewhere, a class's own pfifo, a handle alone. Deleting the child gives the class its pfifo back. Then tbf at the root with an htb under it: deleting that child leaves tbf with noop, which drops everything, until `tc qdisc change` gives it its FIFO again.
#! seed: 18

$ ip netns add home
$ ip netns add isp
$ ip link add up0 type veth peer name down0
$ ip link set up0 netns home
$ ip link set down0 netns isp
# IPv6 off on the link: what it sends when it comes up (MLD reports, DAD, router
# solicitations) leaves at random times, which the qdiscs' counters would show.
$ ip netns exec home sysctl -w net.ipv6.conf.up0.disable_ipv6=1
net.ipv6.conf.up0.disable_ipv6 = 1
$ ip netns exec isp sysctl -w net.ipv6.conf.down0.disable_ipv6=1
net.ipv6.conf.down0.disable_ipv6 = 1
$ ip -n home addr add 100.64.0.2/24 dev up0
$ ip -n isp addr add 100.64.0.1/24 dev down0
$ ip -n isp addr add 100.64.0.3/24 dev down0
$ ip -n home link set up0 address 02:00:00:00:00:02
$ ip -n isp link set down0 address 02:00:00:00:00:01
$ ip -n home link set up0 up
$ ip -n isp link set down0 up
# Permanent neighbours on both sides: no ARP shares the queues (the kernel's neighbour timers follow the
# machine's clock, and a probe queued behind the shaped frames would change the counts).
$ ip -n home neigh add 100.64.0.1 lladdr 02:00:00:00:00:01 dev up0 nud permanent
$ ip -n home neigh add 100.64.0.3 lladdr 02:00:00:00:00:01 dev up0 nud permanent
$ ip -n isp neigh add 100.64.0.2 lladdr 02:00:00:00:00:02 dev down0 nud permanent
$ ip netns exec home ping -c 1 -q 100.64.0.1
PING 100.64.0.1 (100.64.0.1) 56(84) bytes of data.

--- 100.64.0.1 ping statistics ---
1 packets transmitted, 1 received, 0% packet loss, time 0ms
rtt min/avg/max/mdev = 0.020/0.020/0.020/0.000 ms
$ ip netns exec home ping -c 1 -q 100.64.0.3
PING 100.64.0.3 (100.64.0.3) 56(84) bytes of data.

--- 100.64.0.3 ping statistics ---
1 packets transmitted, 1 received, 0% packet loss, time 0ms
rtt min/avg/max/mdev = 0.020/0.020/0.020/0.000 ms

# htb shares 1 Mbit/s: 1:10 for 100.64.0.3, 1:20 (the default) for the rest; under 1:10,
# a tbf of 30 kbit/s (a 1042-byte frame every 278 ms) holds that traffic back further.
$ tc -n home qdisc add dev up0 root handle 1: htb default 20
$ tc -n home class add dev up0 parent 1: classid 1:1 htb rate 1mbit
$ tc -n home class add dev up0 parent 1:1 classid 1:10 htb rate 500kbit ceil 1mbit
$ tc -n home class add dev up0 parent 1:1 classid 1:20 htb rate 500kbit ceil 1mbit
$ tc -n home filter add dev up0 parent 1: protocol ip prio 1 u32 match ip dst 100.64.0.3/32 flowid 1:10
$ tc -n home qdisc add dev up0 parent 1:10 handle 10: tbf rate 30kbit burst 1100 latency 2s
# The child is listed after the root, with the class it hangs from; the class names it as
# its leaf, and the tbf has its one class.
$ tc -n home qdisc show dev up0
qdisc htb 1: root refcnt 3 r2q 10 default 0x20 direct_packets_stat 0 direct_qlen 1000
qdisc tbf 10: parent 1:10 rate 30Kbit burst 1099b lat 2s
$ tc -n home class show dev up0
class htb 1:10 parent 1:1 leaf 10: prio 0 rate 500Kbit ceil 1Mbit burst 1600b cburst 1600b
class htb 1:1 root rate 1Mbit ceil 1Mbit burst 1600b cburst 1600b
class htb 1:20 parent 1:1 prio 0 rate 500Kbit ceil 1Mbit burst 1600b cburst 1600b
class tbf 10:1 parent 10:
# Through 1:20, nothing waits; through 1:10, each ping waits for the tbf's tokens.
$ ip netns exec home ping -c 6 -i 0.2 -s 1000 100.64.0.1
PING 100.64.0.1 (100.64.0.1) 1000(1028) bytes of data.
1008 bytes from 100.64.0.1: icmp_seq=1 ttl=64 time=0.020 ms
1008 bytes from 100.64.0.1: icmp_seq=2 ttl=64 time=0.020 ms
1008 bytes from 100.64.0.1: icmp_seq=3 ttl=64 time=0.020 ms
1008 bytes from 100.64.0.1: icmp_seq=4 ttl=64 time=0.020 ms
1008 bytes from 100.64.0.1: icmp_seq=5 ttl=64 time=0.020 ms
1008 bytes from 100.64.0.1: icmp_seq=6 ttl=64 time=0.020 ms

--- 100.64.0.1 ping statistics ---
6 packets transmitted, 6 received, 0% packet loss, time 1000ms
rtt min/avg/max/mdev = 0.020/0.020/0.020/0.000 ms
# (A second's pause, so that 1:1's bucket is full again whatever the machine's speed.)
$ sleep 1
$ ip netns exec home ping -c 6 -i 0.2 -s 1000 100.64.0.3
PING 100.64.0.3 (100.64.0.3) 1000(1028) bytes of data.
1008 bytes from 100.64.0.3: icmp_seq=1 ttl=64 time=0.020 ms
1008 bytes from 100.64.0.3: icmp_seq=2 ttl=64 time=62.4 ms
1008 bytes from 100.64.0.3: icmp_seq=3 ttl=64 time=140 ms
1008 bytes from 100.64.0.3: icmp_seq=4 ttl=64 time=218 ms
1008 bytes from 100.64.0.3: icmp_seq=5 ttl=64 time=296 ms
1008 bytes from 100.64.0.3: icmp_seq=6 ttl=64 time=374 ms

--- 100.64.0.3 ping statistics ---
6 packets transmitted, 6 received, 0% packet loss, time 1000ms
rtt min/avg/max/mdev = 0.020/181.797/373.886/129.282 ms, pipe 2
$ tc -n home -s qdisc show dev up0
qdisc htb 1: root refcnt 3 r2q 10 default 0x20 direct_packets_stat 0 direct_qlen 1000
 Sent 12504 bytes 12 pkt (dropped 0, overlimits 0 requeues 0)
 backlog 0b 0p requeues 0
qdisc tbf 10: parent 1:10 rate 30Kbit burst 1099b lat 2s
 Sent 6252 bytes 6 pkt (dropped 0, overlimits 11 requeues 0)
 backlog 0b 0p requeues 0
#! within: 25% {}Sent 6252 bytes{} -- each dequeue that finds too few tokens counts; htb asks its child again at every wake-up (its own, once a second while it holds frames, and the tbf's), and on a loaded kernel a late softirq can merge two of them
$ tc -n home -s class show dev up0 classid 1:10
class htb 1:10 parent 1:1 leaf 10: prio 0 rate 500Kbit ceil 1Mbit burst 1600b cburst 1600b
 Sent 6252 bytes 6 pkt (dropped 0, overlimits 0 requeues 0)
 backlog 0b 0p requeues 0
 lended: 6 borrowed: 0 giants: 0
 tokens: 139500 ctokens: 69750

# What the kernel refuses: a qdisc under an inner class, under a class that does not
# exist, a handle already used elsewhere in the tree, an unknown parent qdisc, a second
# child without `replace`, the same kind again with `add`; deleting a class's own pfifo,
# a qdisc named by handle alone, or by the wrong handle or kind; a class that does not
# exist; an inner class, which holds no qdisc.
$ tc -n home qdisc add dev up0 parent 1:1 handle 11: tbf rate 30kbit burst 1100 latency 2s
RTNETLINK answers: Invalid argument
#! exit: 2
$ tc -n home qdisc add dev up0 parent 1:30 handle 30: tbf rate 30kbit burst 1100 latency 2s
Error: Specified class not found.
#! exit: 2
$ tc -n home qdisc add dev up0 parent 1:20 handle 10: tbf rate 30kbit burst 1100 latency 2s
Error: Cannot move an existing qdisc to a different parent.
#! exit: 2
$ tc -n home qdisc add dev up0 parent 7:1 handle 30: tbf rate 30kbit burst 1100 latency 2s
Error: Failed to find specified qdisc.
#! exit: 2
$ tc -n home qdisc add dev up0 parent 1:10 handle 12: tbf rate 30kbit burst 1100 latency 2s
Error: NLM_F_REPLACE needed to override.
#! exit: 2
$ tc -n home qdisc add dev up0 parent 1:10 tbf rate 30kbit burst 1100 latency 2s
Error: Exclusivity flag on, cannot modify.
#! exit: 2
$ tc -n home qdisc del dev up0 parent 1:20
Error: Cannot delete qdisc with handle of zero.
#! exit: 2
$ tc -n home qdisc del dev up0 handle 10:
Error: Classid cannot be zero.
#! exit: 2
$ tc -n home qdisc del dev up0 parent 1:10 handle 12:
Error: Invalid handle.
#! exit: 2
$ tc -n home qdisc del dev up0 parent 1:10 htb
Error: Invalid qdisc name: must match existing qdisc.
#! exit: 2
$ tc -n home qdisc del dev up0 parent 1:99
Error: Specified class not found.
#! exit: 2
$ tc -n home qdisc del dev up0 parent 1:1
Error: Cannot find specified qdisc on specified device.
#! exit: 2
# A child can be changed by its handle alone; deleting it gives 1:10 its pfifo back.
$ tc -n home qdisc change dev up0 handle 10: tbf rate 60kbit burst 1100 latency 2s
$ tc -n home qdisc show dev up0
qdisc htb 1: root refcnt 3 r2q 10 default 0x20 direct_packets_stat 0 direct_qlen 1000
qdisc tbf 10: parent 1:10 rate 60Kbit burst 1099b lat 2s
$ tc -n home qdisc del dev up0 parent 1:10
$ tc -n home qdisc show dev up0
qdisc htb 1: root refcnt 3 r2q 10 default 0x20 direct_packets_stat 0 direct_qlen 1000
$ tc -n home class show dev up0
class htb 1:10 parent 1:1 prio 0 rate 500Kbit ceil 1Mbit burst 1600b cburst 1600b
class htb 1:1 root rate 1Mbit ceil 1Mbit burst 1600b cburst 1600b
class htb 1:20 parent 1:1 prio 0 rate 500Kbit ceil 1Mbit burst 1600b cburst 1600b
$ ip netns exec home ping -c 3 -i 0.2 -s 1000 100.64.0.3
PING 100.64.0.3 (100.64.0.3) 1000(1028) bytes of data.
1008 bytes from 100.64.0.3: icmp_seq=1 ttl=64 time=0.020 ms
1008 bytes from 100.64.0.3: icmp_seq=2 ttl=64 time=0.020 ms
1008 bytes from 100.64.0.3: icmp_seq=3 ttl=64 time=0.020 ms

--- 100.64.0.3 ping statistics ---
3 packets transmitted, 3 received, 0% packet loss, time 400ms
rtt min/avg/max/mdev = 0.020/0.020/0.020/0.000 ms
# tbf at the root and an htb of 30 kbit/s under it: the pings wait for htb's tokens, two
# are still queued when ping gives up.
$ tc -n home qdisc del dev up0 root
$ tc -n home qdisc add dev up0 root handle 1: tbf rate 1mbit burst 10k latency 50ms
$ tc -n home qdisc add dev up0 parent 1:1 handle 2: htb default 1
$ tc -n home class add dev up0 parent 2: classid 2:1 htb rate 30kbit burst 1100
Warning: sch_htb: quantum of class 20001 is small. Consider r2q change.
$ tc -n home qdisc show dev up0
qdisc tbf 1: root refcnt 3 rate 1Mbit burst 10Kb lat 50ms
qdisc htb 2: parent 1:1 r2q 10 default 0x1 direct_packets_stat 0 direct_qlen 1000
$ tc -n home class show dev up0
class tbf 1:1 parent 1: leaf 2:
class htb 2:1 root prio 0 rate 30Kbit ceil 30Kbit burst 1099b cburst 1599b
$ ip netns exec home ping -c 6 -i 0.1 -s 1000 100.64.0.1
PING 100.64.0.1 (100.64.0.1) 1000(1028) bytes of data.
1008 bytes from 100.64.0.1: icmp_seq=1 ttl=64 time=0.020 ms
1008 bytes from 100.64.0.1: icmp_seq=2 ttl=64 time=0.020 ms
1008 bytes from 100.64.0.1: icmp_seq=3 ttl=64 time=62.4 ms
1008 bytes from 100.64.0.1: icmp_seq=4 ttl=64 time=240 ms

--- 100.64.0.1 ping statistics ---
6 packets transmitted, 4 received, 33.3333% packet loss, time 500ms
rtt min/avg/max/mdev = 0.020/75.687/240.287/98.387 ms, pipe 3
$ tc -n home -s qdisc show dev up0
qdisc tbf 1: root refcnt 3 rate 1Mbit burst 10Kb lat 50ms
 Sent 4168 bytes 4 pkt (dropped 0, overlimits 0 requeues 0)
 backlog 2084b 2p requeues 0
qdisc htb 2: parent 1:1 r2q 10 default 0x1 direct_packets_stat 0 direct_qlen 1000
 Sent 4168 bytes 4 pkt (dropped 0, overlimits 3 requeues 0)
 backlog 2084b 2p requeues 0
# Deleting the child drops what it held and leaves tbf with noop: every frame is dropped,
# and counted.
$ tc -n home qdisc del dev up0 parent 1:1
$ tc -n home qdisc show dev up0
qdisc tbf 1: root refcnt 3 rate 1Mbit burst 10Kb lat 50ms
$ ip netns exec home ping -c 2 -i 0.2 100.64.0.1
PING 100.64.0.1 (100.64.0.1) 56(84) bytes of data.

--- 100.64.0.1 ping statistics ---
2 packets transmitted, 0 received, 100% packet loss, time 200ms

$ tc -n home -s qdisc show dev up0
qdisc tbf 1: root refcnt 3 rate 1Mbit burst 10Kb lat 50ms
 Sent 4168 bytes 4 pkt (dropped 4, overlimits 0 requeues 0)
 backlog 0b 0p requeues 0
# Changing the tbf gives it a FIFO again.
$ tc -n home qdisc change dev up0 root tbf rate 1mbit burst 10k latency 50ms
$ ip netns exec home ping -c 2 -i 0.2 100.64.0.1
PING 100.64.0.1 (100.64.0.1) 56(84) bytes of data.
64 bytes from 100.64.0.1: icmp_seq=1 ttl=64 time=0.020 ms
64 bytes from 100.64.0.1: icmp_seq=2 ttl=64 time=0.020 ms

--- 100.64.0.1 ping statistics ---
2 packets transmitted, 2 received, 0% packet loss, time 200ms
rtt min/avg/max/mdev = 0.020/0.020/0.020/0.000 ms
