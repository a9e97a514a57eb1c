# E8 again, for conntrack's view of TCP and UDP through a MASQUERADE: each TCP state with
# the kernel's default timeout, a refused connection, a port reused from TIME_WAIT, and a
# UDP flow whose first answer comes late.
# Source: seeds/001 ch7 (E8's topology); the states are nf_conntrack_proto_tcp's.
#! description: E8 topology, conntrack -E on the router. A connection refused (RST before any reply) is destroyed at once as CLOSE [UNREPLIED] with the 120 s it had left; a client connecting twice from port 40000 goes SYN_SENT, SYN_RECV, ESTABLISHED [ASSURED], FIN_WAIT, LAST_ACK, TIME_WAIT, and its second SYN replaces the TIME_WAIT entry ([DESTROY] then [NEW]); nc -k serves both. A UDP flow answered only after 3 s gets [UPDATE] 30 without [ASSURED] (the first reply never assures), then [ASSURED] 120 on the next datagram.
#! seed: 8

$ ip netns add lan
$ ip netns add router
$ ip netns add wan
$ ip link add lan-veth0 type veth peer name gw-veth0
$ ip link add wan-veth0 type veth peer name gw-veth1
$ ip link set lan-veth0 netns lan
$ ip link set gw-veth0 netns router
$ ip link set gw-veth1 netns router
$ ip link set wan-veth0 netns wan
$ ip netns exec lan ip link set lan-veth0 up
$ ip netns exec router ip link set gw-veth0 up
$ ip netns exec router ip link set gw-veth1 up
$ ip netns exec wan ip link set wan-veth0 up
$ ip netns exec router ip addr add 192.0.2.254/24 dev gw-veth0
$ ip netns exec router ip addr add 203.0.113.254/24 dev gw-veth1
$ ip netns exec router sysctl net.ipv4.ip_forward=1
net.ipv4.ip_forward = 1
$ ip netns exec lan ip addr add 192.0.2.1/24 dev lan-veth0
$ ip netns exec lan ip route add default via 192.0.2.254
$ ip netns exec wan ip addr add 203.0.113.1/24 dev wan-veth0
$ ip netns exec wan ip route add default via 203.0.113.254
$ ip netns exec router iptables -t nat -A POSTROUTING -s 192.0.2.0/24 -o gw-veth1 -j MASQUERADE

$ ip netns exec router conntrack -E &
    [NEW] tcp      6 120 SYN_SENT src=192.0.2.1 dst=203.0.113.1 sport={} dport=7001 [UNREPLIED] src=203.0.113.1 dst=203.0.113.254 sport=7001 dport={}
[DESTROY] tcp      6 120 CLOSE src=192.0.2.1 dst=203.0.113.1 sport={} dport=7001 [UNREPLIED] src=203.0.113.1 dst=203.0.113.254 sport=7001 dport={}
    [NEW] tcp      6 120 SYN_SENT src=192.0.2.1 dst=203.0.113.1 sport=40000 dport=7000 [UNREPLIED] src=203.0.113.1 dst=203.0.113.254 sport=7000 dport=40000
 [UPDATE] tcp      6 60 SYN_RECV src=192.0.2.1 dst=203.0.113.1 sport=40000 dport=7000 src=203.0.113.1 dst=203.0.113.254 sport=7000 dport=40000
 [UPDATE] tcp      6 432000 ESTABLISHED src=192.0.2.1 dst=203.0.113.1 sport=40000 dport=7000 src=203.0.113.1 dst=203.0.113.254 sport=7000 dport=40000 [ASSURED]
 [UPDATE] tcp      6 120 FIN_WAIT src=192.0.2.1 dst=203.0.113.1 sport=40000 dport=7000 src=203.0.113.1 dst=203.0.113.254 sport=7000 dport=40000 [ASSURED]
 [UPDATE] tcp      6 30 LAST_ACK src=192.0.2.1 dst=203.0.113.1 sport=40000 dport=7000 src=203.0.113.1 dst=203.0.113.254 sport=7000 dport=40000 [ASSURED]
 [UPDATE] tcp      6 120 TIME_WAIT src=192.0.2.1 dst=203.0.113.1 sport=40000 dport=7000 src=203.0.113.1 dst=203.0.113.254 sport=7000 dport=40000 [ASSURED]
[DESTROY] tcp      6 119 TIME_WAIT src=192.0.2.1 dst=203.0.113.1 sport=40000 dport=7000 src=203.0.113.1 dst=203.0.113.254 sport=7000 dport=40000 [ASSURED]
    [NEW] tcp      6 120 SYN_SENT src=192.0.2.1 dst=203.0.113.1 sport=40000 dport=7000 [UNREPLIED] src=203.0.113.1 dst=203.0.113.254 sport=7000 dport=40000
 [UPDATE] tcp      6 60 SYN_RECV src=192.0.2.1 dst=203.0.113.1 sport=40000 dport=7000 src=203.0.113.1 dst=203.0.113.254 sport=7000 dport=40000
 [UPDATE] tcp      6 432000 ESTABLISHED src=192.0.2.1 dst=203.0.113.1 sport=40000 dport=7000 src=203.0.113.1 dst=203.0.113.254 sport=7000 dport=40000 [ASSURED]
 [UPDATE] tcp      6 120 FIN_WAIT src=192.0.2.1 dst=203.0.113.1 sport=40000 dport=7000 src=203.0.113.1 dst=203.0.113.254 sport=7000 dport=40000 [ASSURED]
 [UPDATE] tcp      6 30 LAST_ACK src=192.0.2.1 dst=203.0.113.1 sport=40000 dport=7000 src=203.0.113.1 dst=203.0.113.254 sport=7000 dport=40000 [ASSURED]
 [UPDATE] tcp      6 120 TIME_WAIT src=192.0.2.1 dst=203.0.113.1 sport=40000 dport=7000 src=203.0.113.1 dst=203.0.113.254 sport=7000 dport=40000 [ASSURED]
    [NEW] udp      17 30 src=192.0.2.1 dst=203.0.113.1 sport=40001 dport=7002 [UNREPLIED] src=203.0.113.1 dst=203.0.113.254 sport=7002 dport=40001
 [UPDATE] udp      17 30 src=192.0.2.1 dst=203.0.113.1 sport=40001 dport=7002 src=203.0.113.1 dst=203.0.113.254 sport=7002 dport=40001
 [UPDATE] udp      17 120 src=192.0.2.1 dst=203.0.113.1 sport=40001 dport=7002 src=203.0.113.1 dst=203.0.113.254 sport=7002 dport=40001 [ASSURED]
conntrack v1.4.7 (conntrack-tools): 18 flow events have been shown.
#! within: 5% {}[DESTROY]{}TIME_WAIT{} -- the [DESTROY] of the TIME_WAIT entry shows the time it had left, which on the kernel counts down the machine's clock: under the fresh-clone CI's load the reopening connection came two seconds after TIME_WAIT began (118 seen for 119)
$ ip netns exec wan nc -lk 7000 &
one
two

# Nothing listens on 7001: the RST ends the connection before it began. (From a port of
# its own: an ephemeral port drawn by the kernel once came out as 40000, the port used
# below, which made the two connections' ports one in `nslab diff`'s eyes.)
$ echo refused | ip netns exec lan nc -p 40002 203.0.113.1 7001
Ncat: Connection refused.
#! exit: 1
$ sleep 0.5
$ echo one | ip netns exec lan nc -p 40000 203.0.113.1 7000
# A short pause: the kernel's [DESTROY] below counts down the real time since TIME_WAIT
# began, so the second's worth of slack that keeps it at 119 must not go to sleeping.
$ sleep 0.1
# The same ports again while the router still holds the first connection in TIME_WAIT.
$ echo two | ip netns exec lan nc -p 40000 203.0.113.1 7000
$ sleep 0.5

# UDP: the answer comes 3 s after the first datagram (jobs 3 and 4).
$ ip netns exec wan nc -u -l 7002 &
first
again
$ ip netns exec lan nc -u -p 40001 203.0.113.1 7002 &
late reply
$ input %4 first
$ sleep 3
$ input %3 late reply
$ sleep 0.5
$ input %4 again
$ sleep 0.5
$ ip netns exec router conntrack -L
#! contains: tcp      6 {} TIME_WAIT src=192.0.2.1 dst=203.0.113.1 sport=40000 dport=7000 src=203.0.113.1 dst=203.0.113.254 sport=7000 dport=40000 [ASSURED] mark=0 use=1
#! contains: udp      17 {} src=192.0.2.1 dst=203.0.113.1 sport=40001 dport=7002 src=203.0.113.1 dst=203.0.113.254 sport=7002 dport=40001 [ASSURED] mark=0 use=1
