# E18 — A shaped uplink: tbf, the token bucket filter, on home's side of the link.
# Source: tc-tbf(8), and every "limit my uplink" tutorial.
#! description: E18 tbf: home's up0 sends through `tbf rate 30kbit burst 1100 latency 2s`, a 1042-byte frame every 278 ms. Pings every 200 ms: the first goes on the bucket, each after it waits longer for its tokens (the round trips grow by 78 ms each); `tc -s` counts what was sent and each time a frame found too few tokens (overlimits: one when it is queued, two more when the watchdog sends one with another behind it). At 60 kbit/s a frame's tokens come before the next ping: nothing waits. Deleting the qdisc gives back noqueue. (Frames and pings are far apart in time on purpose: the counters do not depend on the kernel's scheduling.)
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
$ ip -n home link set up0 up
$ ip -n isp link set down0 up
$ ip netns exec home ping -c 1 -q 100.64.0.1
...

# A veth has no queue of its own: noqueue.
$ tc -n home qdisc show
qdisc noqueue 0: dev up0 root refcnt 2

# 30 kbit/s (3750 bytes a second: a 1042-byte frame every 278 ms), a bucket just over one
# frame, frames may wait up to 2 s.
$ tc -n home qdisc add dev up0 root tbf rate 30kbit burst 1100 latency 2s
$ tc -n home qdisc show dev up0
qdisc tbf 8001: root refcnt 3 rate 30Kbit burst 1099b lat 2s

# A ping every 200 ms: the first goes on the bucket's tokens, each after it waits for the
# tokens of one frame more, so the round trips grow by 78 ms a ping.
$ ip netns exec home ping -c 6 -i 0.2 -s 1000 100.64.0.1
...
6 packets transmitted, 6 received, 0% packet loss, time {}
rtt min/avg/max/mdev = {}
$ tc -n home -s qdisc show dev up0
qdisc tbf 8001: root refcnt 3 rate 30Kbit burst 1099b lat 2s
 Sent 6252 bytes 6 pkt (dropped 0, overlimits 9 requeues 0)
 backlog 0b 0p requeues 0
#! within: 25% {}Sent{} -- overlimits counts the dequeues that found too few tokens; on a loaded kernel the softirq that runs a throttled qdisc may come late, and a ping that arrives meanwhile finds its tokens there (7 seen instead of 9)

# Twice the rate: a frame's tokens come in 139 ms, before the next ping.
$ tc -n home qdisc change dev up0 root tbf rate 60kbit burst 1100 latency 2s
$ tc -n home qdisc show dev up0
qdisc tbf 8001: root refcnt 3 rate 60Kbit burst 1099b lat 2s
$ ip netns exec home ping -c 6 -i 0.2 -s 1000 100.64.0.1
...
6 packets transmitted, 6 received, 0% packet loss, time {}
rtt min/avg/max/mdev = {}
$ tc -n home -s qdisc show dev up0
qdisc tbf 8001: root refcnt 3 rate 60Kbit burst 1099b lat 2s
 Sent 12504 bytes 12 pkt (dropped 0, overlimits 9 requeues 0)
 backlog 0b 0p requeues 0
#! within: 25% {}Sent{} -- the same count, carried over

$ tc -n home qdisc del dev up0 root
$ tc -n home qdisc show dev up0
qdisc noqueue 0: root refcnt 2
