# E2 — `ping -f`: flood ping as iputils 20221126 draws it on a terminal.
# Source: issue 13's everyday commands (`ping -f`, root); ping_common.c's pinger and
# gather_statistics, ping.c's receive_error_msg.
# Intervals of 0.2 s and up where replies come: at flood's own interval of 0 the next
# probe leaves 10 ms after an unanswered one, so on a loaded machine a late reply puts
# two dots before its backspace (and `pipe 2` in the statistics) — not a difference to
# diff. The sim's interval-0 pacing is the same code as `ping -i 0`'s, checked elsewhere.
#! description: E2 ping -f: a dot for each echo request and a backspace over it for each reply, all on one line that the statistics' leading newline ends; nothing under -q, dots only towards a host that never answers (at flood's own pace, 10 ms apart); ipg/ewma after the RTTs whatever the interval.
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
$ ip netns exec a ping -f -c 5 -i 0.2 10.0.0.2
PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.
. . . . . 
--- 10.0.0.2 ping statistics ---
5 packets transmitted, 5 received, 0% packet loss, time 800ms
rtt min/avg/max/mdev = {} ms, ipg/ewma {} ms
$ ip netns exec a ping -f -c 3 -i 0.5 10.0.0.2
PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.
. . . 
--- 10.0.0.2 ping statistics ---
3 packets transmitted, 3 received, 0% packet loss, time 1000ms
rtt min/avg/max/mdev = {} ms, ipg/ewma {} ms
$ ip netns exec a ping -f -q -c 3 -i 0.2 10.0.0.2
PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.

--- 10.0.0.2 ping statistics ---
3 packets transmitted, 3 received, 0% packet loss, time 400ms
rtt min/avg/max/mdev = {} ms, ipg/ewma {} ms
$ ip netns exec a ping -f -c 3 -W 1 10.0.0.99
PING 10.0.0.99 (10.0.0.99) 56(84) bytes of data.
...
--- 10.0.0.99 ping statistics ---
3 packets transmitted, 0 received, 100% packet loss, time 20ms

$ ip netns exec a ping -f -c 2 -i 0.2 -t 1 -s 1000 10.0.0.2
PING 10.0.0.2 (10.0.0.2) 1000(1028) bytes of data.
. . 
--- 10.0.0.2 ping statistics ---
2 packets transmitted, 2 received, 0% packet loss, time 200ms
rtt min/avg/max/mdev = {} ms, ipg/ewma {} ms
