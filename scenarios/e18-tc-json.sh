# E18 — `tc -j`: tc's JSON for qdiscs and filters.
# Source: issue 16's `tc -d/-r/-j/-p`; iproute2 6.1's print_qdisc, tbf_print_opt,
# htb_print_opt, print_tcstats2_attr, u32's print_raw, and lib/json_writer.c.
#! description: E18 tc -j and -j -p: an htb root with two classes, a tbf under each (one with a peak rate), two u32 filters; the qdiscs as JSON (with -s, pretty, across devices), the filters as JSON, classes as text (tc 6.1 prints them so even under -j), and an empty list for a device tc never touched.
#! seed: 18

$ ip netns add a
$ ip netns add b
$ ip link add v1 type veth peer name v2
$ ip link set v1 netns a
$ ip link set v2 netns b
# IPv6 off on the link: what it sends when it comes up (MLD reports, DAD, router
# solicitations) leaves at random times, which the qdiscs' counters would show.
$ ip netns exec a sysctl -w net.ipv6.conf.v1.disable_ipv6=1
net.ipv6.conf.v1.disable_ipv6 = 1
$ ip netns exec b sysctl -w net.ipv6.conf.v2.disable_ipv6=1
net.ipv6.conf.v2.disable_ipv6 = 1
$ ip -n a addr add 10.0.0.1/24 dev v1
$ ip -n b addr add 10.0.0.2/24 dev v2
$ ip -n a link set v1 up
$ ip -n b link set v2 up
$ ip netns exec a tc -j qdisc show
[{"kind":"noqueue","handle":"0:","dev":"v1","root":true,"refcnt":2,"options":{}}]
$ ip netns exec a tc qdisc add dev v1 root handle 1: htb default 10
$ ip netns exec a tc class add dev v1 parent 1: classid 1:10 htb rate 1mbit ceil 2mbit
$ ip netns exec a tc class add dev v1 parent 1: classid 1:20 htb rate 500kbit
$ ip netns exec a tc qdisc add dev v1 parent 1:10 handle 10: tbf rate 1mbit burst 32kbit latency 400ms
$ ip netns exec a tc qdisc add dev v1 parent 1:20 handle 20: tbf rate 256kbit burst 4kb limit 3000 peakrate 512kbit mtu 1600
$ ip netns exec a tc filter add dev v1 parent 1: protocol ip prio 1 u32 match ip dst 10.0.0.2/32 flowid 1:10
$ ip netns exec a tc filter add dev v1 parent 1: protocol ip prio 2 u32 match ip dport 80 0xffff match ip protocol 6 0xff flowid 1:20
$ ip netns exec a ping -c 2 -i 0.2 10.0.0.2
PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.
64 bytes from 10.0.0.2: icmp_seq=1 ttl=64 time={} ms
64 bytes from 10.0.0.2: icmp_seq=2 ttl=64 time={} ms

--- 10.0.0.2 ping statistics ---
2 packets transmitted, 2 received, 0% packet loss, time {}ms
rtt min/avg/max/mdev = {} ms
$ ip netns exec a tc -j qdisc show
[{"kind":"htb","handle":"1:","dev":"v1","root":true,"refcnt":3,"options":{"r2q":10,"default":"0x10","direct_packets_stat":0,"direct_qlen":1000}},{"kind":"tbf","handle":"10:","dev":"v1","parent":"1:10","options":{"rate":125000,"burst":4096,"lat":400000}},{"kind":"tbf","handle":"20:","dev":"v1","parent":"1:20","options":{"rate":32000,"burst":4096,"minburst":1600,"lat":21875}}]
$ ip netns exec a tc -j -s qdisc show dev v1
[{"kind":"htb","handle":"1:","root":true,"refcnt":3,"options":{"r2q":10,"default":"0x10","direct_packets_stat":0,"direct_qlen":1000},"bytes":238,"packets":3,"drops":0,"overlimits":0,"requeues":0,"backlog":0,"qlen":0},{"kind":"tbf","handle":"10:","parent":"1:10","options":{"rate":125000,"burst":4096,"lat":400000},"bytes":238,"packets":3,"drops":0,"overlimits":0,"requeues":0,"backlog":0,"qlen":0},{"kind":"tbf","handle":"20:","parent":"1:20","options":{"rate":32000,"burst":4096,"minburst":1600,"lat":21875},"bytes":0,"packets":0,"drops":0,"overlimits":0,"requeues":0,"backlog":0,"qlen":0}]
$ ip netns exec a tc -j -p qdisc show dev v1
[ {
        "kind": "htb",
        "handle": "1:",
        "root": true,
        "refcnt": 3,
        "options": {
            "r2q": 10,
            "default": "0x10",
            "direct_packets_stat": 0,
            "direct_qlen": 1000
        }
    },{
        "kind": "tbf",
        "handle": "10:",
        "parent": "1:10",
        "options": {
            "rate": 125000,
            "burst": 4096,
            "lat": 400000
        }
    },{
        "kind": "tbf",
        "handle": "20:",
        "parent": "1:20",
        "options": {
            "rate": 32000,
            "burst": 4096,
            "minburst": 1600,
            "lat": 21875
        }
    } ]
$ ip netns exec a tc -p qdisc show dev v1
qdisc htb 1: root refcnt 3 r2q 10 default 0x10 direct_packets_stat 0 direct_qlen 1000
qdisc tbf 10: parent 1:10 rate 1Mbit burst 4Kb lat 400ms 
qdisc tbf 20: parent 1:20 rate 256Kbit burst 4Kb peakrate 512Kbit minburst 1600b lat 21.9ms 
$ ip netns exec a tc -j filter show dev v1
[{"parent":"1:","protocol":"ip","pref":1,"kind":"u32","chain":0},{"parent":"1:","protocol":"ip","pref":1,"kind":"u32","chain":0,"options":{"fh":"800:","ht_divisor":1}},{"parent":"1:","protocol":"ip","pref":1,"kind":"u32","chain":0,"options":{"fh":"800::800","order":2048,"key_ht":"800","bkt":"0","flowid":"1:10","not_in_hw":true,"match":{"value":"a000002","mask":"ffffffff","offmask":"","off":16}}},{"parent":"1:","protocol":"ip","pref":2,"kind":"u32","chain":0},{"parent":"1:","protocol":"ip","pref":2,"kind":"u32","chain":0,"options":{"fh":"801:","ht_divisor":1}},{"parent":"1:","protocol":"ip","pref":2,"kind":"u32","chain":0,"options":{"fh":"801::800","order":2048,"key_ht":"801","bkt":"0","flowid":"1:20","not_in_hw":true,"match":{"value":"50","mask":"ffff","offmask":"","off":20},"match":{"value":"60000","mask":"ff0000","offmask":"","off":8}}}]
$ ip netns exec a tc -j class show dev v1
class htb 1:10 root leaf 10: prio 0 rate 1Mbit ceil 2Mbit burst 1600b cburst 1600b 
class htb 1:20 root leaf 20: prio 0 rate 500Kbit ceil 500Kbit burst 1600b cburst 1600b 
class tbf 10:1 parent 10: 
class tbf 20:1 parent 20: 
$ ip netns exec a tc -j qdisc show dev lo
[]
