# E2 — What a device counts: `ip -s link` on a veth pair and on lo.
# Source: issue 13's everyday commands (`ip -s link`); iproute2 6.1's print_stats64.
#! description: E2 counters: after two pings and a broadcast ping, a's end of the veth has sent four frames (an ARP request, three echo requests) and received three (the ARP reply, two echo replies); b's end counts the same frames the other way; broadcasts are not `mcast`. With b's end down, a's end has no carrier: the neighbour is forgotten, and the ARP requests of the next ping are dropped by the veth and counted as its TX dropped. lo counts each looped packet once, without an Ethernet header, and shows it as both received and sent. `ip -s addr` puts the same lines after the addresses.
#! seed: 2

$ ip netns add a
$ ip netns add b
$ ip link add v1 type veth peer name v2
$ ip link set v1 netns a
$ ip link set v2 netns b
# IPv6 off on the pair: what it sends when a link comes up (MLD reports, DAD, router
# solicitations) leaves at random times, which counters read in its first seconds would show.
$ ip netns exec a sysctl -w net.ipv6.conf.v1.disable_ipv6=1
net.ipv6.conf.v1.disable_ipv6 = 1
$ ip netns exec b sysctl -w net.ipv6.conf.v2.disable_ipv6=1
net.ipv6.conf.v2.disable_ipv6 = 1
$ ip -n a link set v1 address 02:00:00:00:00:01
$ ip -n b link set v2 address 02:00:00:00:00:02
$ ip -n a addr add 192.0.2.1/24 dev v1
$ ip -n b addr add 192.0.2.2/24 dev v2
$ ip -n a link set v1 up
$ ip -n b link set v2 up
$ ip -n a -s link show v1
3: v1@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000
    link/ether 02:00:00:00:00:01 brd ff:ff:ff:ff:ff:ff link-netns b
    RX:  bytes packets errors dropped  missed   mcast           
             0       0      0       0       0       0 
    TX:  bytes packets errors dropped carrier collsns           
             0       0      0       0       0       0 
$ ip netns exec a ping -c 2 -i 0.2 192.0.2.2
PING 192.0.2.2 (192.0.2.2) 56(84) bytes of data.
64 bytes from 192.0.2.2: icmp_seq=1 ttl=64 time={} ms
64 bytes from 192.0.2.2: icmp_seq=2 ttl=64 time={} ms

--- 192.0.2.2 ping statistics ---
2 packets transmitted, 2 received, 0% packet loss, time {}ms
rtt min/avg/max/mdev = {} ms
$ ip netns exec a ping -c 1 -W 1 -b 192.0.2.255
WARNING: pinging broadcast address
PING 192.0.2.255 (192.0.2.255) 56(84) bytes of data.

--- 192.0.2.255 ping statistics ---
1 packets transmitted, 0 received, 100% packet loss, time 0ms
#! exit: 1
$ ip -n a -s link show v1
3: v1@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000
    link/ether 02:00:00:00:00:01 brd ff:ff:ff:ff:ff:ff link-netns b
    RX:  bytes packets errors dropped  missed   mcast           
           238       3      0       0       0       0 
    TX:  bytes packets errors dropped carrier collsns           
           336       4      0       0       0       0 
$ ip -n b -s link
1: lo: <LOOPBACK> mtu 65536 qdisc noop state DOWN mode DEFAULT group default qlen 1000
    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00
    RX:  bytes packets errors dropped  missed   mcast           
             0       0      0       0       0       0 
    TX:  bytes packets errors dropped carrier collsns           
             0       0      0       0       0       0 
2: v2@if3: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000
    link/ether 02:00:00:00:00:02 brd ff:ff:ff:ff:ff:ff link-netns a
    RX:  bytes packets errors dropped  missed   mcast           
           336       4      0       0       0       0 
    TX:  bytes packets errors dropped carrier collsns           
           238       3      0       0       0       0 

# b's end down: a's end loses its carrier and forgets its neighbour; the new ping's ARP
# requests (at 0 and 1 s) die in the veth, counted as dropped (the ping gives up at 1.5 s,
# half a second before the third).
$ ip -n b link set v2 down
$ ip netns exec a ping -c 1 -W 1.5 192.0.2.2
PING 192.0.2.2 (192.0.2.2) 56(84) bytes of data.

--- 192.0.2.2 ping statistics ---
1 packets transmitted, 0 received, 100% packet loss, time 0ms
#! exit: 1
$ ip -n a -s link show v1
3: v1@if2: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 qdisc noqueue state DOWN mode DEFAULT group default qlen 1000
    link/ether 02:00:00:00:00:01 brd ff:ff:ff:ff:ff:ff link-netns b
    RX:  bytes packets errors dropped  missed   mcast           
           238       3      0       0       0       0 
    TX:  bytes packets errors dropped carrier collsns           
           336       4      0       2       0       0 

# lo: 84-byte packets, each counted once, shown as received and sent.
$ ip -n a link set lo up
$ ip netns exec a ping -c 1 127.0.0.1
PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data.
64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time={} ms

--- 127.0.0.1 ping statistics ---
1 packets transmitted, 1 received, 0% packet loss, time 0ms
rtt min/avg/max/mdev = {} ms
$ ip -n a -s addr show lo
1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000
    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00
    inet 127.0.0.1/8 scope host lo
       valid_lft forever preferred_lft forever
    inet6 ::1/128 scope host 
       valid_lft forever preferred_lft forever
    RX:  bytes packets errors dropped  missed   mcast           
           168       2      0       0       0       0 
    TX:  bytes packets errors dropped carrier collsns           
           168       2      0       0       0       0 
