# E18 — Per-destination shaping: htb classes under one root, u32 filters choosing them.
# Source: tc-htb(8), the HTB user guide, and every "limit one host's bandwidth" tutorial.
#! description: E18 htb: home's up0 gets `htb default 30` with a root class 1:1 (10 Mbit/s), 1:10 for 10.0.0.2 (30 kbit/s, no borrowing) and 1:20 for 10.0.0.3 (30 kbit/s, borrowing up to 10 Mbit/s); u32 filters match the destination. Pings of 1000 bytes every 200 ms: to .2 every ping after the first leaves 1:10 in debt (an overlimit each) and from the fifth on they wait, longer and longer; to .3 they go at once, 1:20 sending twice on 1:1's tokens (borrowed) where its own were in debt. What no filter matches and no class 1:30 takes goes unshaped (direct_packets_stat). A class with children, or one a filter points at, cannot be deleted.
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
$ ip -n home addr add 10.0.0.1/24 dev up0
$ ip -n isp addr add 10.0.0.2/24 dev down0
$ ip -n isp addr add 10.0.0.3/24 dev down0
$ ip -n home link set up0 up
$ ip -n isp link set down0 up
$ ip netns exec home ping -c 1 -q 10.0.0.2
...

$ tc -n home qdisc add dev up0 root handle 1: htb default 30
$ tc -n home class add dev up0 parent 1: classid 1:1 htb rate 10mbit
$ tc -n home class add dev up0 parent 1:1 classid 1:10 htb rate 30kbit burst 1100 cburst 1100
$ tc -n home class add dev up0 parent 1:1 classid 1:20 htb rate 30kbit ceil 10mbit prio 1 burst 1100
$ tc -n home filter add dev up0 parent 1: protocol ip prio 1 u32 match ip dst 10.0.0.2/32 flowid 1:10
$ tc -n home filter add dev up0 parent 1: protocol ip prio 1 u32 match ip dst 10.0.0.3/32 flowid 1:20
$ tc -n home qdisc show dev up0
qdisc htb 1: root refcnt 3 r2q 10 default 0x30 direct_packets_stat 0 direct_qlen 1000
$ tc -n home class show dev up0
class htb 1:10 parent 1:1 prio 0 rate 30Kbit ceil 30Kbit burst 1099b cburst 1099b
class htb 1:1 root rate 10Mbit ceil 10Mbit burst 1600b cburst 1600b
class htb 1:20 parent 1:1 prio 1 rate 30Kbit ceil 10Mbit burst 1099b cburst 1600b
$ tc -n home filter show dev up0
filter parent 1: protocol ip pref 1 u32 chain 0
filter parent 1: protocol ip pref 1 u32 chain 0 fh 800: ht divisor 1
filter parent 1: protocol ip pref 1 u32 chain 0 fh 800::800 order 2048 key ht 800 bkt 0 *flowid 1:10 not_in_hw
  match 0a000002/ffffffff at 16
filter parent 1: protocol ip pref 1 u32 chain 0 fh 800::801 order 2049 key ht 800 bkt 0 *flowid 1:20 not_in_hw
  match 0a000003/ffffffff at 16

# To .2: 1:10's 30 kbit/s (a 1042-byte frame's tokens come in 278 ms), nothing to borrow
# (its ceil is its rate). A class sends while its tokens are not negative and goes into
# debt for the frame: every ping after the first puts 1:10 in "can't send" (an overlimit),
# and from the fifth on, pings every 200 ms find it there and wait.
$ ip netns exec home ping -c 10 -i 0.2 -s 1000 10.0.0.2
...
10 packets transmitted, 10 received, 0% packet loss, time {}
rtt min/avg/max/mdev = {}
# To .3: 1:20 has the same rate but borrows from 1:1 up to 10 Mbit/s: nothing waits, and
# where its own tokens are in debt it sends on 1:1's (borrowed).
$ ip netns exec home ping -c 10 -i 0.2 -s 1000 10.0.0.3
...
10 packets transmitted, 10 received, 0% packet loss, time {}
rtt min/avg/max/mdev = {}
$ tc -n home -s class show dev up0 classid 1:10
class htb 1:10 parent 1:1 prio 0 rate 30Kbit ceil 30Kbit burst 1099b cburst 1099b
 Sent 10420 bytes 10 pkt (dropped 0, overlimits 9 requeues 0)
 backlog 0b 0p requeues 0
 lended: 10 borrowed: 0 giants: 0
 tokens: {} ctokens: {}
#! differs:  tokens: {} -- tokens are what the last packet left, which the microseconds between real events decide
$ tc -n home -s class show dev up0 classid 1:20
class htb 1:20 parent 1:1 prio 1 rate 30Kbit ceil 10Mbit burst 1099b cburst 1600b
 Sent 10420 bytes 10 pkt (dropped 0, overlimits 0 requeues 0)
 backlog 0b 0p requeues 0
 lended: 8 borrowed: 2 giants: 0
 tokens: {} ctokens: {}
#! differs:  tokens: {} -- the same
$ tc -n home -s qdisc show dev up0
qdisc htb 1: root refcnt 3 r2q 10 default 0x30 direct_packets_stat {} direct_qlen 1000
 Sent {} bytes {} pkt (dropped 0, overlimits 9 requeues 0)
 backlog 0b 0p requeues 0
#! differs: qdisc htb 1: root refcnt 3 r2q 10 default 0x30 direct_packets_stat {} direct_qlen 1000 -- whether an ARP probe of the neighbour comes within the run depends on real time
#! within: 10% {}Sent{} -- and so whether its 42-byte frame is among those sent

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
class htb 1:10 parent 1:1 prio 0 rate 30Kbit ceil 30Kbit burst 1099b cburst 1099b
class htb 1:1 root rate 10Mbit ceil 10Mbit burst 1600b cburst 1600b
