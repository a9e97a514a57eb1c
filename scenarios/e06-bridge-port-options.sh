# E6 — A bridge's port options: `bridge link set dev PORT cost|priority|isolated|learning|flood …`.
# Source: issue 13's `bridge link set`; iproute2 6.1's bridge/link.c, the kernel's br_forward.c and br_fdb.c.
#! description: E6 bridge port options: `bridge link set` changes a port's cost and priority (`bridge link`, `ip -d link`'s port id), and how it forwards: two isolated ports reach the bridge's other ports but not each other (a ping between them finds no neighbour), a port without learning leaves its host out of the FDB, `flood off` keeps unknown unicast from a port. `bridge -d link` shows each port's flags. A device that is no bridge's port, a priority past 63 and an unknown device are refused as the kernel refuses them.
#! seed: 6

$ ip netns add sw
$ ip netns add h1
$ ip netns add h2
$ ip netns add h3
# IPv6 off: what hosts send when their links come up (MLD, DAD) would teach the bridge
# their addresses at random moments.
$ ip netns exec sw sysctl -w net.ipv6.conf.default.disable_ipv6=1
net.ipv6.conf.default.disable_ipv6 = 1
$ ip netns exec h1 sysctl -w net.ipv6.conf.default.disable_ipv6=1
net.ipv6.conf.default.disable_ipv6 = 1
$ ip netns exec h2 sysctl -w net.ipv6.conf.default.disable_ipv6=1
net.ipv6.conf.default.disable_ipv6 = 1
$ ip netns exec h3 sysctl -w net.ipv6.conf.default.disable_ipv6=1
net.ipv6.conf.default.disable_ipv6 = 1
$ ip -n sw link add br0 type bridge
$ ip -n sw link set br0 address 02:00:00:00:00:fe
$ ip -n sw link set br0 type bridge mcast_snooping 0
$ ip -n sw link add p1 type veth peer name eth0 netns h1
$ ip -n sw link add p2 type veth peer name eth0 netns h2
$ ip -n sw link add p3 type veth peer name eth0 netns h3
$ ip -n sw link set p1 address 02:00:00:00:01:01
$ ip -n sw link set p2 address 02:00:00:00:01:02
$ ip -n sw link set p3 address 02:00:00:00:01:03
$ ip -n h1 link set eth0 address 02:00:00:00:00:01
$ ip -n h2 link set eth0 address 02:00:00:00:00:02
$ ip -n h3 link set eth0 address 02:00:00:00:00:03
$ ip -n sw link set p1 master br0
$ ip -n sw link set p2 master br0
$ ip -n sw link set p3 master br0
$ ip -n h1 addr add 192.0.2.1/24 dev eth0
$ ip -n h2 addr add 192.0.2.2/24 dev eth0
$ ip -n h3 addr add 192.0.2.3/24 dev eth0
$ ip -n sw link set br0 up
$ ip -n sw link set p1 up
$ ip -n sw link set p2 up
$ ip -n sw link set p3 up
$ ip -n h1 link set eth0 up
$ ip -n h2 link set eth0 up
$ ip -n h3 link set eth0 up
$ ip netns exec sw bridge link set dev p1 cost 7 priority 5
$ ip netns exec sw bridge link show dev p1
3: p1@br0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 master br0 state forwarding priority 5 cost 7 
$ ip netns exec sw bridge link set dev p1 isolated on
$ ip netns exec sw bridge link set dev p2 isolated on
$ ip netns exec sw bridge link set dev p3 learning off
$ ip netns exec sw bridge -d link show
3: p1@br0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 master br0 state forwarding priority 5 cost 7 
    hairpin off guard off root_block off fastleave off learning on flood on mcast_flood on bcast_flood on mcast_router 1 mcast_to_unicast off neigh_suppress off vlan_tunnel off isolated on locked off 
4: p2@br0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 master br0 state forwarding priority 32 cost 2 
    hairpin off guard off root_block off fastleave off learning on flood on mcast_flood on bcast_flood on mcast_router 1 mcast_to_unicast off neigh_suppress off vlan_tunnel off isolated on locked off 
5: p3@br0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 master br0 state forwarding priority 32 cost 2 
    hairpin off guard off root_block off fastleave off learning off flood on mcast_flood on bcast_flood on mcast_router 1 mcast_to_unicast off neigh_suppress off vlan_tunnel off isolated off locked off 
$ ip -n sw -d link show p1
3: p1@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue master br0 state UP mode DEFAULT group default qlen 1000
    link/ether 02:00:00:00:01:01 brd ff:ff:ff:ff:ff:ff link-netns h1 promiscuity 1  allmulti 1 minmtu 68 maxmtu 65535 
    veth 
    bridge_slave state forwarding priority 5 cost 7 hairpin off guard off root_block off fastleave off learning on flood on port_id 0x1401 port_no 0x1 designated_port 5121 designated_cost 0 designated_bridge 8000.2:0:0:0:0:fe designated_root 8000.2:0:0:0:0:fe hold_timer    0.00 message_age_timer    0.00 forward_delay_timer    0.00 topology_change_ack 0 config_pending 0 proxy_arp off proxy_arp_wifi off mcast_router 1 mcast_fast_leave off mcast_flood on bcast_flood on mcast_to_unicast off neigh_suppress off group_fwd_mask 0 group_fwd_mask_str 0x0 vlan_tunnel off isolated on locked off addrgenmode eui64 numtxqueues 2 numrxqueues 2 gso_max_size 65536 gso_max_segs 65535 tso_max_size 524280 tso_max_segs 65535 gro_max_size 65536 
$ ip netns exec h1 ping -c 1 -W 1 192.0.2.2
PING 192.0.2.2 (192.0.2.2) 56(84) bytes of data.

--- 192.0.2.2 ping statistics ---
1 packets transmitted, 0 received, 100% packet loss, time 0ms

#! exit: 1
$ ip netns exec h1 ping -c 1 -W 1 192.0.2.3
PING 192.0.2.3 (192.0.2.3) 56(84) bytes of data.
64 bytes from 192.0.2.3: icmp_seq=1 ttl=64 time={} ms

--- 192.0.2.3 ping statistics ---
1 packets transmitted, 1 received, 0% packet loss, time 0ms
rtt min/avg/max/mdev = {} ms
$ ip netns exec sw bridge fdb show br br0 | grep -v permanent
02:00:00:00:00:01 dev p1 master br0 
# Unknown unicast no longer reaches h3: h2's ARP request (a broadcast) does, and h3's
# reply comes back, but h2's echo request to a MAC the bridge never learned does not.
$ ip netns exec sw bridge link set dev p3 flood off
$ ip netns exec h2 ping -c 1 -W 1 192.0.2.3
PING 192.0.2.3 (192.0.2.3) 56(84) bytes of data.

--- 192.0.2.3 ping statistics ---
1 packets transmitted, 0 received, 100% packet loss, time 0ms

#! exit: 1
$ ip netns exec sw bridge -d link show dev p3
5: p3@br0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 master br0 state forwarding priority 32 cost 2 
    hairpin off guard off root_block off fastleave off learning off flood off mcast_flood on bcast_flood on mcast_router 1 mcast_to_unicast off neigh_suppress off vlan_tunnel off isolated off locked off 
$ ip netns exec sw bridge link set dev br0 hairpin on
#! exit: 255
$ ip netns exec sw bridge link set dev p1 priority 64
#! exit: 255
$ ip netns exec sw bridge link set dev p9 hairpin on
#! exit: 255
