# E1 — An empty namespace.
# Sources: seeds/001 ch3 "helloworld", seeds/002 slides 13-15.
#! description: E1: a new namespace holds only lo (down), an empty routing table, and no route to anywhere.
#! seed: 1

$ ip netns add helloworld
$ ip netns list
helloworld
$ ip netns exec helloworld ip addr show
1: lo: <LOOPBACK> mtu 65536 qdisc noop state DOWN group default qlen 1000
    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00
# The slides (an older kernel) print "Error: ipv4: FIB table does not exist." here. Linux 6.x,
# the oracle on this machine, prints nothing and exits 0: the table is simply empty.
$ ip netns exec helloworld ip route show
#! exit: 0
$ ip netns exec helloworld ping 1.1.1.1
ping: connect: Network is unreachable
#! exit: 2
# Even the loopback address is unreachable while lo is down.
$ ip netns exec helloworld ping -c 1 127.0.0.1
ping: connect: Network is unreachable
#! exit: 2
$ ip netns exec helloworld ip link set lo up
$ ip netns exec helloworld ip addr show
1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000
    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00
    inet 127.0.0.1/8 scope host lo
       valid_lft forever preferred_lft forever
    inet6 ::1/128 scope host 
       valid_lft forever preferred_lft forever
$ ip netns exec helloworld ping -c 1 127.0.0.1
PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data.
64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time={} ms

--- 127.0.0.1 ping statistics ---
1 packets transmitted, 1 received, 0% packet loss, time 0ms
rtt min/avg/max/mdev = {} ms
$ ip netns delete helloworld
$ ip netns list
