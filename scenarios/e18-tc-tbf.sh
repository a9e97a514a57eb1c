# E18 — A shaped uplink: tbf, the token bucket filter, on home's side of the link.
# Source: tc-tbf(8), and every "limit my uplink" tutorial.
#! description: E18 tbf: home's up0 sends through `tbf rate 1mbit burst 32kbit latency 400ms`. Three 1042-byte pings fit the 4 KiB bucket and go at once; after that each waits for 8.336 ms of tokens, so the RTTs climb to the rate's pace; `tc -s` counts what was sent and each time a frame waited (overlimits). At 2 Mbit/s the pace halves; deleting the qdisc gives back noqueue.
#! seed: 18

$ ip netns add home
$ ip netns add isp
$ ip link add up0 type veth peer name down0
$ ip link set up0 netns home
$ ip link set down0 netns isp
$ ip -n home addr add 100.64.0.2/24 dev up0
$ ip -n isp addr add 100.64.0.1/24 dev down0
$ ip -n home link set up0 up
$ ip -n isp link set down0 up
$ ip netns exec home ping -c 1 -q 100.64.0.1
...

# A veth has no queue of its own: noqueue.
$ tc -n home qdisc show
qdisc noqueue 0: dev up0 root refcnt 2

# 1 Mbit/s, a 4 KiB bucket (32kbit), frames may wait up to 400 ms.
$ tc -n home qdisc add dev up0 root tbf rate 1mbit burst 32kbit latency 400ms
$ tc -n home qdisc show dev up0
qdisc tbf 8001: root refcnt 3 rate 1Mbit burst 4Kb lat 400ms

$ ip netns exec home ping -c 12 -i 0.002 -s 1000 100.64.0.1
...
12 packets transmitted, 12 received, 0% packet loss, time {}
rtt min/avg/max/mdev = {}
$ tc -n home -s qdisc show dev up0
qdisc tbf 8001: root refcnt 3 rate 1Mbit burst 4Kb lat 400ms
 Sent 12504 bytes 12 pkt (dropped 0, overlimits 8 requeues 0)
 backlog 0b 0p requeues 0
#! within: 30% {}overlimits{} -- overlimits count the times a frame found too few tokens: on the kernel that depends on when ping's sends and the qdisc's timer interleave, which real time shifts (6 to 8 seen under load)

# Twice the rate: half the wait. (Twelve pings again: ping waits for the last reply twice
# the longest round trip it has seen, so the last must not come before the pace is set.)
$ tc -n home qdisc change dev up0 root tbf rate 2mbit burst 32kbit latency 400ms
$ tc -n home qdisc show dev up0
qdisc tbf 8001: root refcnt 3 rate 2Mbit burst 4Kb lat 400ms
$ ip netns exec home ping -c 12 -i 0.002 -s 1000 100.64.0.1
...

$ tc -n home qdisc del dev up0 root
$ tc -n home qdisc show dev up0
qdisc noqueue 0: root refcnt 2
