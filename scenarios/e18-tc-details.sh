# E18 — What `tc -d` and `tc -r` add to `tc … show`: tbf's and htb's details, and the
# raw values the kernel holds.
# Source: tc(8)'s -details and -raw, iproute2's q_tbf.c, q_htb.c and f_u32.c.
#! description: E18 tc -d and -r: `-d` shows each bucket as SIZE/CELL with its MPU and the link layer (tbf, htb classes), htb's interface version, a leaf's quantum and each class's level; `-r` shows each handle as the kernel's 32 bits, tbf's and htb's buckets in 64-ns ticks, and tbf's limit beside its latency. netem prints the same under both.
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

# A bucket of 10 KB at 1 Mbit/s: 81.92 ms of tokens, 0x138800 ticks of 64 ns.
$ tc -n a qdisc add dev va root handle 5: tbf rate 1mbit burst 10kb latency 50ms
$ tc -n a qdisc show dev va
qdisc tbf 5: root refcnt 3 rate 1Mbit burst 10Kb lat 50ms
$ tc -n a -d qdisc show dev va
qdisc tbf 5: root refcnt 3 rate 1Mbit burst 10Kb/1 mpu 0b lat 50ms linklayer ethernet
$ tc -n a -r qdisc show dev va
qdisc tbf 5:[00050000] root refcnt 3 rate 1Mbit burst 10Kb [00138800] lat 50ms limit 16490b
$ tc -n a -d -r qdisc show dev va
qdisc tbf 5:[00050000] root refcnt 3 rate 1Mbit burst 10Kb/1 mpu 0b [00138800] lat 50ms limit 16490b linklayer ethernet
$ tc -n a -s -d qdisc show dev va
qdisc tbf 5: root refcnt 3 rate 1Mbit burst 10Kb/1 mpu 0b lat 50ms linklayer ethernet
 Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0)
 backlog 0b 0p requeues 0

# With a peak rate: under -d its bucket shows as `mtu`, not `minburst`.
$ tc -n a qdisc replace dev va root handle 5: tbf rate 1mbit burst 10kb latency 50ms peakrate 2mbit mtu 1600
$ tc -n a qdisc show dev va
qdisc tbf 5: root refcnt 3 rate 1Mbit burst 10Kb peakrate 2Mbit minburst 1600b lat 50ms
$ tc -n a -d -r qdisc show dev va
qdisc tbf 5:[00050000] root refcnt 3 rate 1Mbit burst 10Kb/1 mpu 0b [00138800] peakrate 2Mbit mtu 1600b/1 mpu 0b [000186a0] lat 50ms limit 14100b linklayer ethernet

# A limit smaller than the bucket: no latency to show, the limit instead (once, -r or not).
$ tc -n a qdisc del dev va root
$ tc -n a qdisc add dev va root handle 6: tbf rate 1mbit burst 10kb limit 3000 mpu 64
$ tc -n a -d qdisc show dev va
qdisc tbf 6: root refcnt 3 rate 1Mbit burst 10Kb/1 mpu 64b limit 3000b linklayer ethernet
$ tc -n a -r qdisc show dev va
qdisc tbf 6:[00060000] root refcnt 3 rate 1Mbit burst 10Kb [00138800] limit 3000b
$ tc -n a qdisc del dev va root
$ tc -n a -r qdisc show dev va
qdisc noqueue 0:[00000000] root refcnt 2

# An htb tree with a tbf below one leaf and a filter.
$ tc -n a qdisc add dev va root handle 1: htb default 20
$ tc -n a class add dev va parent 1: classid 1:1 htb rate 1mbit
$ tc -n a class add dev va parent 1:1 classid 1:10 htb rate 500kbit ceil 1mbit
$ tc -n a class add dev va parent 1:1 classid 1:20 htb rate 200kbit
$ tc -n a qdisc add dev va parent 1:10 handle 10: tbf rate 100kbit burst 5kb latency 40ms
$ tc -n a filter add dev va parent 1: protocol ip prio 1 u32 match ip dst 10.9.0.2/32 flowid 1:10
$ tc -n a -d qdisc show dev va
qdisc htb 1: root refcnt 3 r2q 10 default 0x20 direct_packets_stat 0 ver 3.17 direct_qlen 1000
qdisc tbf 10: parent 1:10 rate 100Kbit burst 5Kb/1 mpu 0b lat 40ms linklayer ethernet
$ tc -n a -r qdisc show dev va
qdisc htb 1:[00010000] root refcnt 3 r2q 10 default 0x20 direct_packets_stat 0 direct_qlen 1000
qdisc tbf 10:[00100000] parent 1:10 rate 100Kbit burst 5Kb [0061a800] lat 40ms limit 5620b
# A leaf's quantum is its rate over r2q (62500 B/s / 10); the inner class is at level 7.
$ tc -n a -d class show dev va
class htb 1:10 parent 1:1 leaf 10: prio 0 quantum 6250 rate 500Kbit ceil 1Mbit linklayer ethernet burst 1600b/1 mpu 0b cburst 1600b/1 mpu 0b level 0
class htb 1:1 root rate 1Mbit ceil 1Mbit linklayer ethernet burst 1600b/1 mpu 0b cburst 1600b/1 mpu 0b level 7
class htb 1:20 parent 1:1 prio 0 quantum 2500 rate 200Kbit ceil 200Kbit linklayer ethernet burst 1600b/1 mpu 0b cburst 1600b/1 mpu 0b level 0
class tbf 10:1 parent 10:
$ tc -n a -r class show dev va
class htb 1:10 parent 1:1 leaf 10: prio 0 rate 500Kbit ceil 1Mbit burst 1600b cburst 1600b buffer [00061a80] cbuffer [00030d40]
class htb 1:1 root rate 1Mbit ceil 1Mbit burst 1600b cburst 1600b buffer [00030d40] cbuffer [00030d40]
class htb 1:20 parent 1:1 prio 0 rate 200Kbit ceil 200Kbit burst 1600b cburst 1600b buffer [000f4240] cbuffer [000f4240]
class tbf 10:1 parent 10:
$ tc -n a -d -r class show dev va classid 1:10
class htb 1:10 parent 1:1 leaf 10: prio 0 quantum 6250 rate 500Kbit ceil 1Mbit linklayer ethernet burst 1600b/1 mpu 0b cburst 1600b/1 mpu 0b level 0 buffer [00061a80] cbuffer [00030d40]
# A filter's handles, raw: the hash table's 800: is 0x800 << 20.
$ tc -n a -r filter show dev va
filter parent 1: protocol ip pref 1 u32 chain 0
filter parent 1: protocol ip pref 1 u32 chain 0 fh 800:[80000000] ht divisor 1
filter parent 1: protocol ip pref 1 u32 chain 0 fh 800::800[80000800] order 2048 key ht 800 bkt 0 *flowid 1:10 not_in_hw
  match 0a090002/ffffffff at 16
$ tc -n a -d filter show dev va
filter parent 1: protocol ip pref 1 u32 chain 0
filter parent 1: protocol ip pref 1 u32 chain 0 fh 800: ht divisor 1
filter parent 1: protocol ip pref 1 u32 chain 0 fh 800::800 order 2048 key ht 800 bkt 0 *flowid 1:10 not_in_hw
  match 0a090002/ffffffff at 16

# The tree at work: both classes' counters under -s -d.
$ ip netns exec a ping -c 3 -i 0.2 -q 10.9.0.2
...
$ tc -n a -s -d class show dev va classid 1:10
class htb 1:10 parent 1:1 leaf 10: prio 0 quantum 6250 rate 500Kbit ceil 1Mbit linklayer ethernet burst 1600b/1 mpu 0b cburst 1600b/1 mpu 0b level 0
 Sent 294 bytes 3 pkt (dropped 0, overlimits 0 requeues 0)
 backlog 0b 0p requeues 0
 lended: 3 borrowed: 0 giants: 0
 tokens: {} ctokens: {}

