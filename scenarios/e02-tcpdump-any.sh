# E2 — `tcpdump -i any`: one capture of every interface of a namespace, as Linux's cooked capture (LINUX_SLL2) shows them.
# Source: issue 13's everyday commands (`tcpdump -i any`); tcpdump 4.99's `sll2_if_print`, libpcap's `linux_check_direction`.
#! description: E2 tcpdump -i any: a router with a veth to h1 and a bridge with a port to h2 captures on `any`. Each line names its interface (`%-5s`) and how the stack classed the frame (`Out`, `In`, `B`, `M`, `P`); `-e` adds the interface's index, the source MAC, the Ethernet type and the cooked length (20 bytes of header instead of 14). A forwarded echo shows on the veth, the bridge and its port; `lo`'s packets show once, as they come in, but tcpdump's "received by filter" counts their outgoing copy too. `-c` counts what it keeps. On `any` an Ethernet address or `broadcast` in the filter is refused as libpcap refuses it; on a device that is down, tcpdump does not start.
#! seed: 1

$ ip netns add h1
$ ip netns add h2
$ ip netns add r
$ ip netns exec r ip link set lo up
$ ip link add h1-eth0 netns h1 type veth peer name r-eth0 netns r
$ ip link add h2-eth0 netns h2 type veth peer name r-eth1 netns r
$ ip -n h1 link set h1-eth0 address 02:00:00:00:01:01
$ ip -n h2 link set h2-eth0 address 02:00:00:00:02:02
$ ip -n r link set r-eth0 address 02:00:00:00:01:fe
$ ip -n r link set r-eth1 address 02:00:00:00:02:fe
$ ip -n r link add br0 type bridge
$ ip -n r link set br0 address 02:00:00:00:02:fe
$ ip -n r link set r-eth1 master br0
$ ip -n h1 addr add 192.0.2.1/24 dev h1-eth0
$ ip -n h2 addr add 198.51.100.2/24 dev h2-eth0
$ ip -n r addr add 192.0.2.254/24 dev r-eth0
$ ip -n r addr add 198.51.100.254/24 dev br0
$ ip -n h1 link set h1-eth0 up
$ ip -n h2 link set h2-eth0 up
$ ip -n r link set r-eth0 up
$ ip -n r link set r-eth1 up
$ ip -n r link set br0 up
$ ip -n h1 route add default via 192.0.2.254
$ ip -n h2 route add default via 198.51.100.254
$ ip netns exec r sysctl -w net.ipv4.ip_forward=1
net.ipv4.ip_forward = 1
$ sleep 2
$ ip netns exec r tcpdump -i any -tnel icmp or arp &
#> tcpdump: data link type LINUX_SLL2
#> tcpdump: verbose output suppressed, use -v[v]... for full protocol decode
#> listening on any, link-type LINUX_SLL2 (Linux cooked v2), snapshot length 262144 bytes
#> r-eth0 B   ifindex 2 02:00:00:00:01:01 ethertype ARP (0x0806), length 48: Request who-has 192.0.2.254 tell 192.0.2.1, length 28
#> r-eth0 Out ifindex 2 02:00:00:00:01:fe ethertype ARP (0x0806), length 48: Reply 192.0.2.254 is-at 02:00:00:00:01:fe, length 28
#> r-eth0 In  ifindex 2 02:00:00:00:01:01 ethertype IPv4 (0x0800), length 104: 192.0.2.1 > 198.51.100.2: ICMP echo request, id {}, seq 1, length 64
#> br0   Out ifindex 4 02:00:00:00:02:fe ethertype ARP (0x0806), length 48: Request who-has 198.51.100.2 tell 198.51.100.254, length 28
#> r-eth1 Out ifindex 3 02:00:00:00:02:fe ethertype ARP (0x0806), length 48: Request who-has 198.51.100.2 tell 198.51.100.254, length 28
#> r-eth1 In  ifindex 3 02:00:00:00:02:02 ethertype ARP (0x0806), length 48: Reply 198.51.100.2 is-at 02:00:00:00:02:02, length 28
#> br0   In  ifindex 4 02:00:00:00:02:02 ethertype ARP (0x0806), length 48: Reply 198.51.100.2 is-at 02:00:00:00:02:02, length 28
#> br0   Out ifindex 4 02:00:00:00:02:fe ethertype IPv4 (0x0800), length 104: 192.0.2.1 > 198.51.100.2: ICMP echo request, id {}, seq 1, length 64
#> r-eth1 Out ifindex 3 02:00:00:00:02:fe ethertype IPv4 (0x0800), length 104: 192.0.2.1 > 198.51.100.2: ICMP echo request, id {}, seq 1, length 64
#> r-eth1 In  ifindex 3 02:00:00:00:02:02 ethertype IPv4 (0x0800), length 104: 198.51.100.2 > 192.0.2.1: ICMP echo reply, id {}, seq 1, length 64
#> br0   In  ifindex 4 02:00:00:00:02:02 ethertype IPv4 (0x0800), length 104: 198.51.100.2 > 192.0.2.1: ICMP echo reply, id {}, seq 1, length 64
#> r-eth0 Out ifindex 2 02:00:00:00:01:fe ethertype IPv4 (0x0800), length 104: 198.51.100.2 > 192.0.2.1: ICMP echo reply, id {}, seq 1, length 64
#> lo    In  ifindex 1 00:00:00:00:00:00 ethertype IPv4 (0x0800), length 104: 127.0.0.1 > 127.0.0.1: ICMP echo request, id {}, seq 1, length 64
#> lo    In  ifindex 1 00:00:00:00:00:00 ethertype IPv4 (0x0800), length 104: 127.0.0.1 > 127.0.0.1: ICMP echo reply, id {}, seq 1, length 64
#> 14 packets captured
#> 16 packets received by filter
#> 0 packets dropped by kernel
$ ip netns exec r tcpdump -i any -tn -c 2 icmp &
#> tcpdump: data link type LINUX_SLL2
#> tcpdump: verbose output suppressed, use -v[v]... for full protocol decode
#> listening on any, link-type LINUX_SLL2 (Linux cooked v2), snapshot length 262144 bytes
#> r-eth0 In  IP 192.0.2.1 > 198.51.100.2: ICMP echo request, id {}, seq 1, length 64
#> br0   Out IP 192.0.2.1 > 198.51.100.2: ICMP echo request, id {}, seq 1, length 64
#> 2 packets captured
#> 2 packets received by filter
#> 0 packets dropped by kernel
$ ip netns exec r tcpdump -i any -n ether host 02:00:00:00:01:01 &
tcpdump: data link type LINUX_SLL2
tcpdump: ethernet addresses supported only on ethernet/FDDI/token ring/802.11/ATM LANE/Fibre Channel
#! exit: 1
$ ip netns exec r tcpdump -i any -n broadcast &
tcpdump: data link type LINUX_SLL2
tcpdump: not a broadcast link
#! exit: 1
$ ip netns exec h1 ping -c 1 198.51.100.2
PING 198.51.100.2 (198.51.100.2) 56(84) bytes of data.
64 bytes from 198.51.100.2: icmp_seq=1 ttl=63 time={} ms

--- 198.51.100.2 ping statistics ---
1 packets transmitted, 1 received, 0% packet loss, time 0ms
rtt min/avg/max/mdev = {} ms
$ ip netns exec r ping -c 1 127.0.0.1
PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data.
64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time={} ms

--- 127.0.0.1 ping statistics ---
1 packets transmitted, 1 received, 0% packet loss, time 0ms
rtt min/avg/max/mdev = {} ms
$ kill %1
# libpcap will not capture on a device that is down.
$ ip -n r link set r-eth1 down
$ ip netns exec r tcpdump -tn -i r-eth1 &
tcpdump: r-eth1: That device is not up
#! exit: 1
