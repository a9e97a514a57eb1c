# E18 — A sender's own queue is full: the kernel tells it (ENOBUFS), and ping sends the
# same probe again until the queue takes it.
# Source: tc-tbf(8); iputils ping's pinger() (`nores_interval`).
#! description: E18 ENOBUFS: home's up0 sends through `tbf rate 8kbit burst 1600 limit 2100` — a 1042-byte frame every 1.042 s, two frames of queue. Pings every 200 ms: the first goes on the bucket, the next three wait in the queue, the fifth finds it full. The tbf drops it and the kernel returns ENOBUFS to ping's sendmsg (NET_XMIT_DROP); ping says nothing, waits an interval and sends the same icmp_seq again, four times, until the third probe has left. All five are answered; `tc -s` counts the four drops. (The retries are 200 ms apart and the queue frees 74 ms before the last one; the count does not depend on the kernel's timer resolution.)
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
$ ip -n home link set up0 address 02:00:00:00:00:02
$ ip -n isp link set down0 address 02:00:00:00:00:01
$ ip -n home addr add 100.64.0.2/24 dev up0
$ ip -n isp addr add 100.64.0.1/24 dev down0
$ ip -n home link set up0 up
$ ip -n isp link set down0 up
# Neighbours pinned: no ARP frame shares the shaped queue.
$ ip -n home neigh add 100.64.0.1 lladdr 02:00:00:00:00:01 dev up0 nud permanent
$ ip -n isp neigh add 100.64.0.2 lladdr 02:00:00:00:00:02 dev down0 nud permanent

# 8 kbit/s: 1000 bytes a second; a bucket of 1600 bytes; a queue of 2100 bytes (two
# 1042-byte frames).
$ tc -n home qdisc add dev up0 root tbf rate 8kbit burst 1600 limit 2100
$ tc -n home qdisc show dev up0
qdisc tbf 8001: root refcnt 3 rate 8Kbit burst 1600b lat 500ms

# Probe 1 leaves at once; 2, 3 and 4 wait (2 leaves at 0.484 s, 3 at 1.526 s); probe 5,
# at 0.8 s, finds two frames queued: refused, sent again at 1.0, 1.2, 1.4 and 1.6 s, when
# the queue has room.
$ ip netns exec home ping -c 5 -i 0.2 -s 1000 100.64.0.1
PING 100.64.0.1 (100.64.0.1) 1000(1028) bytes of data.
1008 bytes from 100.64.0.1: icmp_seq=1 ttl=64 time={} ms
1008 bytes from 100.64.0.1: icmp_seq=2 ttl=64 time={} ms
1008 bytes from 100.64.0.1: icmp_seq=3 ttl=64 time={} ms
1008 bytes from 100.64.0.1: icmp_seq=4 ttl=64 time={} ms
1008 bytes from 100.64.0.1: icmp_seq=5 ttl=64 time={} ms
...
5 packets transmitted, 5 received, 0% packet loss, time {}
rtt min/avg/max/mdev = {}, pipe 2
$ tc -n home -s qdisc show dev up0
qdisc tbf 8001: root refcnt 3 rate 8Kbit burst 1600b lat 500ms
 Sent 5210 bytes 5 pkt (dropped 4, overlimits {} requeues 0)
 backlog 0b 0p requeues 0
#! within: 25% {}Sent{} -- overlimits counts the dequeues that found too few tokens; on a loaded kernel the softirq that runs a throttled qdisc may come late
