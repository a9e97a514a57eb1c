# E18 — Per-destination shaping: htb classes under one root, u32 filters choosing them.
# Source: tc-htb(8), the HTB user guide, and every "limit one host's bandwidth" tutorial.
#! description: E18 htb: home's up0 gets `htb default 30` with a root class 1:1 (10 Mbit/s), 1:10 for 10.0.0.2 (30 kbit/s, no borrowing) and 1:20 for 10.0.0.3 (30 kbit/s, borrowing up to 10 Mbit/s); u32 filters match the destination. Pings of 1000 bytes every 200 ms: to .2 they wait longer and longer for 1:10's tokens (a frame's come every 278 ms), to .3 they go at once, 1:20 borrowing from 1:1. What no filter matches and no class 1:30 takes goes unshaped (direct_packets_stat). A class with children, or one a filter points at, cannot be deleted.
#! seed: 18

$ ip netns add home
$ ip netns add isp
$ ip link add up0 type veth peer name down0
$ ip link set up0 netns home
$ ip link set down0 netns isp
$ ip -n home addr add 10.0.0.1/24 dev up0
$ ip -n isp addr add 10.0.0.2/24 dev down0
$ ip -n isp addr add 10.0.0.3/24 dev down0
$ ip -n home link set up0 up
$ ip -n isp link set down0 up
$ ip netns exec home ping -c 1 -q 10.0.0.2
...

$ tc -n home qdisc add dev up0 root handle 1: htb default 30
$ tc -n home class add dev up0 parent 1: classid 1:1 htb rate 10mbit
$ tc -n home class add dev up0 parent 1:1 classid 1:10 htb rate 30kbit
$ tc -n home class add dev up0 parent 1:1 classid 1:20 htb rate 30kbit ceil 10mbit prio 1
$ tc -n home filter add dev up0 parent 1: protocol ip prio 1 u32 match ip dst 10.0.0.2/32 flowid 1:10
$ tc -n home filter add dev up0 parent 1: protocol ip prio 1 u32 match ip dst 10.0.0.3/32 flowid 1:20
$ tc -n home qdisc show dev up0
qdisc htb 1: root refcnt 3 r2q 10 default 0x30 direct_packets_stat 0 direct_qlen 1000
$ tc -n home class show dev up0
class htb 1:10 parent 1:1 prio 0 rate 30Kbit ceil 30Kbit burst 1599b cburst 1599b
class htb 1:1 root rate 10Mbit ceil 10Mbit burst 1600b cburst 1600b
class htb 1:20 parent 1:1 prio 1 rate 30Kbit ceil 10Mbit burst 1599b cburst 1600b
$ tc -n home filter show dev up0
filter parent 1: protocol ip pref 1 u32 chain 0
filter parent 1: protocol ip pref 1 u32 chain 0 fh 800: ht divisor 1
filter parent 1: protocol ip pref 1 u32 chain 0 fh 800::800 order 2048 key ht 800 bkt 0 *flowid 1:10 not_in_hw
  match 0a000002/ffffffff at 16
filter parent 1: protocol ip pref 1 u32 chain 0 fh 800::801 order 2049 key ht 800 bkt 0 *flowid 1:20 not_in_hw
  match 0a000003/ffffffff at 16

# To .2: 1:10's 30 kbit/s (a 1042-byte frame every 278 ms), nothing to borrow (its ceil
# is its rate): pings every 200 ms wait longer and longer.
$ ip netns exec home ping -c 6 -i 0.2 -s 1000 10.0.0.2
...
6 packets transmitted, 6 received, 0% packet loss, time {}
rtt min/avg/max/mdev = {}
# To .3: 1:20 has the same rate but borrows from 1:1 up to 10 Mbit/s: nothing waits.
$ ip netns exec home ping -c 6 -i 0.2 -s 1000 10.0.0.3
...
6 packets transmitted, 6 received, 0% packet loss, time {}
rtt min/avg/max/mdev = {}
$ tc -n home -s class show dev up0 classid 1:10
class htb 1:10 parent 1:1 prio 0 rate 30Kbit ceil 30Kbit burst 1599b cburst 1599b
 Sent 6252 bytes 6 pkt (dropped 0, overlimits 4 requeues 0)
 backlog 0b 0p requeues 0
 lended: 6 borrowed: 0 giants: 0
 tokens: {} ctokens: {}
#! within: 50% {}overlimits{} -- how often the class entered "can't send" turns on a few milliseconds of its tokens; the kernel counted 3 or 4 in runs side by side
#! differs:  tokens: {} -- tokens are what the last packet left, which the microseconds between real events decide
$ tc -n home -s qdisc show dev up0
qdisc htb 1: root refcnt 3 r2q 10 default 0x30 direct_packets_stat {} direct_qlen 1000
 Sent {} bytes {} pkt (dropped 0, overlimits 4 requeues 0)
 backlog 0b 0p requeues 0
#! within: 50% {}overlimits{} -- the same count
#! differs: qdisc htb 1: root refcnt 3 r2q 10 default 0x30 direct_packets_stat {} direct_qlen 1000 -- whether an ARP probe of the neighbour comes within the run depends on real time

# A class with children is in use.
$ tc -n home class del dev up0 classid 1:1
Error: HTB class in use.
#! exit: 2
# …and so is one a filter points at: the filters go first.
$ tc -n home class del dev up0 classid 1:20
Error: HTB class in use.
#! exit: 2
$ tc -n home filter del dev up0 parent 1: prio 1
$ tc -n home filter show dev up0
$ tc -n home class del dev up0 classid 1:20
$ tc -n home class show dev up0
class htb 1:10 parent 1:1 prio 0 rate 30Kbit ceil 30Kbit burst 1599b cburst 1599b
class htb 1:1 root rate 10Mbit ceil 10Mbit burst 1600b cburst 1600b
