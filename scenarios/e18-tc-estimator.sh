# E18 — A rate estimator: `tc qdisc add … est 1sec 8sec …` and the rate `tc -s` shows.
# Source: tc(8) (`estimator`), net/core/gen_estimator.c.
#! description: E18 rate estimators: a tbf (and an htb class) made with `est 1sec 8sec` — every second (248 jiffies of 4 ms on a kernel with HZ 250) the bytes and packets since the last tick move an average by 1/8 of the difference — shows `rate …bit …pps` before its backlog under `tc -s`; a qdisc without one shows none. A burst of 100 1042-byte pings in 0.2 s moves the average by an eighth of 104200 bytes a second at the tick after it, and it decays by 7/8 a second from then on. (A burst shorter than a tick, read seconds after: where real time puts the kernel's ticks against it moves the reading by an eighth at most.)
#! seed: 18

$ ip netns add a
$ ip netns add b
$ ip link add va type veth peer name vb
$ ip link set va netns a
$ ip link set vb netns b
# IPv6 off on the link: what it sends when it comes up leaves at random times, which the
# counters would show.
$ ip netns exec a sysctl -w net.ipv6.conf.va.disable_ipv6=1
net.ipv6.conf.va.disable_ipv6 = 1
$ ip netns exec b sysctl -w net.ipv6.conf.vb.disable_ipv6=1
net.ipv6.conf.vb.disable_ipv6 = 1
$ ip -n a addr add 10.9.0.1/24 dev va
$ ip -n b addr add 10.9.0.2/24 dev vb
$ ip -n a link set va up
$ ip -n b link set vb up
$ ip netns exec a ping -c 1 -q 10.9.0.2
...

$ tc -n a qdisc add dev va root handle 1: est 1sec 8sec tbf rate 10mbit burst 20kb latency 50ms
$ tc -n a -s qdisc show dev va
qdisc tbf 1: root refcnt 3 rate 10Mbit burst 20Kb lat 50ms
 Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0)
 rate 0bit 0pps backlog 0b 0p requeues 0

# 100 frames of 1042 bytes in 0.2 s, then two ticks: the first tick after the burst adds
# an eighth of its 104200 bytes a second, the next takes an eighth off.
$ ip netns exec a ping -c 100 -i 0.002 -s 1000 -q 10.9.0.2
...
100 packets transmitted, 100 received, 0% packet loss, time {}
rtt min/avg/max/mdev = {}
$ sleep 2
$ tc -n a -s qdisc show dev va
qdisc tbf 1: root refcnt 3 rate 10Mbit burst 20Kb lat 50ms
 Sent 104200 bytes 100 pkt (dropped 0, overlimits 0 requeues 0)
 rate 91168bit 10pps backlog 0b 0p requeues 0
#! within: 30% {}rate{} -- the kernel's ticks run on its timer and the burst on ping's clock, in real time: the burst may fall across a tick, and the reading come a tick early or late, each moving it by an eighth

# Idle: each second takes an eighth off (an ARP exchange, a neighbour checked, adds a
# frame).
$ sleep 4
$ tc -n a -s qdisc show dev va
qdisc tbf 1: root refcnt 3 rate 10Mbit burst 20Kb lat 50ms
 Sent 104242 bytes 101 pkt (dropped 0, overlimits 0 requeues 0)
 rate 53480bit 6pps backlog 0b 0p requeues 0
#! within: 30% {}rate{} -- as above

# An htb class with an estimator of its own; the other class has none.
$ tc -n a qdisc replace dev va root handle 2: htb default 20
$ tc -n a class add dev va parent 2: classid 2:10 est 1sec 8sec htb rate 5mbit
$ tc -n a class add dev va parent 2: classid 2:20 htb rate 5mbit
$ tc -n a filter add dev va parent 2: protocol ip prio 1 u32 match ip dst 10.9.0.2/32 flowid 2:10
$ ip netns exec a ping -c 100 -i 0.002 -s 1000 -q 10.9.0.2
...
100 packets transmitted, 100 received, 0% packet loss, time {}
rtt min/avg/max/mdev = {}
$ sleep 2
$ tc -n a -s class show dev va
class htb 2:10 root prio 0 rate 5Mbit ceil 5Mbit burst 1600b cburst 1600b
 Sent 104200 bytes 100 pkt (dropped 0, overlimits 0 requeues 0)
 rate 91168bit 10pps backlog 0b 0p requeues 0
#! within: 30% {}rate{} -- as above
 lended: 100 borrowed: 0 giants: 0
 tokens: {} ctokens: {}
#! differs: {}tokens: {} -- the tokens left are what the last packets' spacing in real time left: ping on a loaded machine sends some of them late and then closer together, which spends tokens the sim's even 2 ms leave full

class htb 2:20 root prio 0 rate 5Mbit ceil 5Mbit burst 1600b cburst 1600b
 Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0)
 backlog 0b 0p requeues 0
 lended: 0 borrowed: 0 giants: 0
 tokens: {} ctokens: {}

