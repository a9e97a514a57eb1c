# E18 — A bad WAN: netem's delay, jitter and loss on the router's WAN side, under E8's NAT.
# Source: tc-netem(8), and every "simulate a bad network" tutorial.
#! description: E18 netem: E8's lan - router (MASQUERADE) - wan, and on the router's WAN device `netem delay 50ms 10ms distribution normal loss 10%`. A hundred pings lose about one in ten and come back after 50 ms give or take 10 (normally distributed, one way); tc -s counts the frames sent and dropped; at three in ten lost, a TCP flow (curl -I) still completes, what was lost sent again (with seed 18 the client's ACKs are lost twice and the server sends its SYN-ACK again 1 s, then 2 s later); lossy both ways, a 100 KiB download (`truncate`, `curl -o /dev/null`) completes after seconds of retransmissions. The counts vary with the seed; the expectations hold for every seed. netem's random stream is the run's own: the same seed gives the same losses.
#! seed: 18
#! kernel-skip: this machine's kernel has no netem (Error: Specified qdisc kind is unknown.); netem's algorithms are checked against sch_netem.c in sim-nodes' unit tests

$ ip netns add lan
$ ip netns add router
$ ip netns add wan
$ ip link add lan-veth0 type veth peer name gw-veth0
$ ip link add wan-veth0 type veth peer name gw-veth1
$ ip link set lan-veth0 netns lan
$ ip link set gw-veth0 netns router
$ ip link set gw-veth1 netns router
$ ip link set wan-veth0 netns wan
# IPv6 off on the router's WAN side: what it sends on its own (MLD reports, router
# solicitations) would pass through netem too, and sit in its delay when tc -s looks.
$ ip netns exec router sysctl -w net.ipv6.conf.gw-veth1.disable_ipv6=1
net.ipv6.conf.gw-veth1.disable_ipv6 = 1
$ ip netns exec lan ip link set lan-veth0 up
$ ip netns exec router ip link set gw-veth0 up
$ ip netns exec router ip link set gw-veth1 up
$ ip netns exec wan ip link set wan-veth0 up
$ ip netns exec router ip addr add 192.0.2.254/24 dev gw-veth0
$ ip netns exec router ip addr add 203.0.113.254/24 dev gw-veth1
$ ip netns exec router sysctl -q net.ipv4.ip_forward=1
$ ip netns exec lan ip addr add 192.0.2.1/24 dev lan-veth0
$ ip netns exec lan ip route add default via 192.0.2.254
$ ip netns exec wan ip addr add 203.0.113.1/24 dev wan-veth0
$ ip netns exec wan ip route add default via 203.0.113.254
$ ip netns exec router iptables -t nat -A POSTROUTING -s 192.0.2.0/24 -o gw-veth1 -j MASQUERADE
$ ip netns exec lan ping -c 1 -q 203.0.113.1
...

# The WAN goes bad: 50 ms ± 10 ms (normal), one frame in ten lost, towards the wan.
$ ip netns exec router tc qdisc add dev gw-veth1 root netem delay 50ms 10ms distribution normal loss 10%
$ ip netns exec router tc qdisc show dev gw-veth1
qdisc netem 8001: root refcnt 3 limit 1000 delay 50ms  10ms loss 10%

$ ip netns exec lan ping -q -c 100 -i 0.01 203.0.113.1
PING 203.0.113.1 (203.0.113.1) 56(84) bytes of data.

--- 203.0.113.1 ping statistics ---
100 packets transmitted, {} received, {}% packet loss, time {}
rtt min/avg/max/mdev = {}
$ ip netns exec router tc -s qdisc show dev gw-veth1
qdisc netem 8001: root refcnt 3 limit 1000 delay 50ms  10ms loss 10%
 Sent {} bytes {} pkt (dropped {}, overlimits 0 requeues 0)
 backlog 0b 0p requeues 0

# A TCP flow over a worse WAN (three frames in ten lost): what is lost is sent again.
$ ip netns exec router tc qdisc change dev gw-veth1 root netem delay 50ms 10ms distribution normal loss 30%
$ ip netns exec router tc qdisc show dev gw-veth1
qdisc netem 8001: root refcnt 3 limit 1000 delay 50ms  10ms loss 30%
$ ip netns exec wan python3 -m http.server 80 --bind 203.0.113.1 &
$ ip netns exec wan tcpdump -tnl -i wan-veth0 tcp port 80 &
#! contains: IP 203.0.113.254.{} > 203.0.113.1.80: Flags [S], seq {}, win {}, length 0
#! contains: IP 203.0.113.1.80 > 203.0.113.254.{}: Flags [S.], seq {}, ack {}, win {}, length 0
#! contains: IP 203.0.113.254.{} > 203.0.113.1.80: Flags [P.], seq 1:77, ack 1, win {}, length 76: HTTP: HEAD / HTTP/1.1
$ ip netns exec lan curl -I http://203.0.113.1/
#! contains: HTTP/1.0 200 OK
$ sleep 3
$ ip netns exec router tc -s qdisc show dev gw-veth1
qdisc netem 8001: root refcnt 3 limit 1000 delay 50ms  10ms loss 30%
 Sent {} bytes {} pkt (dropped {}, overlimits 0 requeues 0)
 backlog {}b {}p requeues 0

# A download through the bad WAN, lossy both ways now (wan's side too): what is lost is
# sent again, and 100 KiB takes seconds where a clean WAN takes two round trips and a
# bit. (The retransmissions are smoltcp's: it recovers more slowly than Linux, sending
# more again after each timeout; this kernel has no netem to compare with.)
$ ip netns exec wan truncate -s 100K blob
$ ip netns exec router tc qdisc change dev gw-veth1 root netem delay 50ms 10ms distribution normal loss 10%
$ ip netns exec wan tc qdisc add dev wan-veth0 root netem delay 50ms 10ms distribution normal loss 10%
$ ip netns exec lan curl -s -o /dev/null -w '%{http_code} %{size_download}\n' http://203.0.113.1/blob
200 102400
$ ip netns exec wan tc -s qdisc show dev wan-veth0
qdisc netem {}: root refcnt 3 limit 1000 delay 50ms  10ms loss 10%
 Sent {} bytes {} pkt (dropped {}, overlimits 0 requeues 0)
 backlog {}b {}p requeues 0
