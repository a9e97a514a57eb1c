# E18 — Per-destination shaping: htb classes under one root, u32 filters choosing them.
# Source: tc-htb(8), the HTB user guide, and every "limit one host's bandwidth" tutorial.
#! description: E18 htb: home's up0 gets `htb default 30` with a root class 1:1 (10 Mbit/s), 1:10 for 10.0.0.2 (1 Mbit/s, no borrowing) and 1:20 for 10.0.0.3 (2 Mbit/s, borrowing up to 10); u32 filters match the destination. Pings of 1000 bytes every 2 ms: to .2 they wait for 1:10's tokens (8.3 ms apart, as tbf at 1 Mbit/s), to .3 they go at once, 1:20 borrowing from 1:1 (its lended and borrowed count it). What no filter matches and no class 1:30 takes goes unshaped (direct_packets_stat). A class with children, or one a filter points at, cannot be deleted.
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
$ tc -n home class add dev up0 parent 1:1 classid 1:10 htb rate 1mbit
$ tc -n home class add dev up0 parent 1:1 classid 1:20 htb rate 2mbit ceil 10mbit prio 1
$ tc -n home filter add dev up0 parent 1: protocol ip prio 1 u32 match ip dst 10.0.0.2/32 flowid 1:10
$ tc -n home filter add dev up0 parent 1: protocol ip prio 1 u32 match ip dst 10.0.0.3/32 flowid 1:20
$ tc -n home qdisc show dev up0
qdisc htb 1: root refcnt 3 r2q 10 default 0x30 direct_packets_stat 0 direct_qlen 1000
$ tc -n home class show dev up0
class htb 1:10 parent 1:1 prio 0 rate 1Mbit ceil 1Mbit burst 1600b cburst 1600b
class htb 1:1 root rate 10Mbit ceil 10Mbit burst 1600b cburst 1600b
class htb 1:20 parent 1:1 prio 1 rate 2Mbit ceil 10Mbit burst 1600b cburst 1600b
$ tc -n home filter show dev up0
filter parent 1: protocol ip pref 1 u32 chain 0
filter parent 1: protocol ip pref 1 u32 chain 0 fh 800: ht divisor 1
filter parent 1: protocol ip pref 1 u32 chain 0 fh 800::800 order 2048 key ht 800 bkt 0 *flowid 1:10 not_in_hw
  match 0a000002/ffffffff at 16
filter parent 1: protocol ip pref 1 u32 chain 0 fh 800::801 order 2049 key ht 800 bkt 0 *flowid 1:20 not_in_hw
  match 0a000003/ffffffff at 16

# To .2: 1:10's 1 Mbit/s, nothing to borrow (its ceil is its rate).
$ ip netns exec home ping -c 12 -i 0.002 -s 1000 10.0.0.2
...
12 packets transmitted, 12 received, 0% packet loss, time {}
rtt min/avg/max/mdev = {}
# To .3: 1:20 borrows from 1:1 up to 10 Mbit/s, more than the pings need.
$ ip netns exec home ping -c 12 -i 0.002 -s 1000 10.0.0.3
...
12 packets transmitted, 12 received, 0% packet loss, time {}
rtt min/avg/max/mdev = {}
$ tc -n home -s class show dev up0 classid 1:10
class htb 1:10 parent 1:1 prio 0 rate 1Mbit ceil 1Mbit burst 1600b cburst 1600b
 Sent 12504 bytes 12 pkt (dropped 0, overlimits {} requeues 0)
 backlog 0b 0p requeues 0
 lended: 12 borrowed: 0 giants: 0
 tokens: {} ctokens: {}
#! within: 30% {}overlimits{} -- how often the class ran out of tokens depends on when ping's sends fall between the kernel's timer wake-ups
#! differs:  tokens: {} -- tokens are what the last packet left, which the microseconds between real events decide
$ tc -n home -s qdisc show dev up0
qdisc htb 1: root refcnt 3 r2q 10 default 0x30 direct_packets_stat {} direct_qlen 1000
 Sent {} bytes {} pkt (dropped 0, overlimits {} requeues 0)
 backlog 0b 0p requeues 0
#! within: 30% {}overlimits{} -- the same timing
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
class htb 1:10 parent 1:1 prio 0 rate 1Mbit ceil 1Mbit burst 1600b cburst 1600b
class htb 1:1 root rate 10Mbit ceil 10Mbit burst 1600b cburst 1600b
