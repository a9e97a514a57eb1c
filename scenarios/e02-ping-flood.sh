# E2 — `ping -f`: flood ping as iputils 20221126 draws it on a terminal.
# Source: issue 13's everyday commands (`ping -f`, root); ping_common.c's pinger and
# gather_statistics, ping.c's receive_error_msg.
#! description: E2 ping -f: a dot for each echo request and a backspace over it for each reply, all on one line that the statistics' leading newline ends; as fast as replies come (or with -i), nothing under -q, dots only towards a host that never answers; ipg/ewma after the RTTs.
#! seed: 2

$ ip netns add a
$ ip netns add b
$ ip link add v1 type veth peer name v2
$ ip link set v1 netns a
$ ip link set v2 netns b
$ ip -n a addr add 10.0.0.1/24 dev v1
$ ip -n b addr add 10.0.0.2/24 dev v2
$ ip -n a link set v1 up
$ ip -n b link set v2 up
$ ip netns exec a ping -f -c 5 10.0.0.2
PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.
. . . . . 
--- 10.0.0.2 ping statistics ---
5 packets transmitted, 5 received, 0% packet loss, time 0ms
rtt min/avg/max/mdev = {} ms, ipg/ewma {} ms
$ ip netns exec a ping -f -c 3 -i 0.5 10.0.0.2
PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.
. . . 
--- 10.0.0.2 ping statistics ---
3 packets transmitted, 3 received, 0% packet loss, time 1000ms
rtt min/avg/max/mdev = {} ms, ipg/ewma {} ms
$ ip netns exec a ping -f -q -c 3 10.0.0.2
PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.

--- 10.0.0.2 ping statistics ---
3 packets transmitted, 3 received, 0% packet loss, time 0ms
rtt min/avg/max/mdev = {} ms, ipg/ewma {} ms
$ ip netns exec a ping -f -c 3 -W 1 10.0.0.99
PING 10.0.0.99 (10.0.0.99) 56(84) bytes of data.
...
--- 10.0.0.99 ping statistics ---
3 packets transmitted, 0 received, 100% packet loss, time 20ms

$ ip netns exec a ping -f -c 2 -t 1 -s 1000 10.0.0.2
PING 10.0.0.2 (10.0.0.2) 1000(1028) bytes of data.
. . 
--- 10.0.0.2 ping statistics ---
2 packets transmitted, 2 received, 0% packet loss, time 0ms
rtt min/avg/max/mdev = {} ms, ipg/ewma {} ms
