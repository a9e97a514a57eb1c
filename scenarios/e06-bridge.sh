# E6 — A learning bridge in the root namespace.
# Source: seeds/001 ch4 "イーサネット - 3" (ブリッジ).
#! description: E6: br0 joins ns1-ns3; pings cross it with ttl=64; the FDB learns each host's MAC on its own port; a third port sees flooded frames (broadcasts, unknown unicast) but not learned unicast; learned entries age out.
#! seed: 6

$ ip netns add ns1
$ ip netns add ns2
$ ip netns add ns3
$ ip link add ns1-veth0 type veth peer name ns1-br0
$ ip link add ns2-veth0 type veth peer name ns2-br0
$ ip link add ns3-veth0 type veth peer name ns3-br0
$ ip link set ns1-veth0 netns ns1
$ ip link set ns2-veth0 netns ns2
$ ip link set ns3-veth0 netns ns3
# IPv6 off on the hosts: what they send when their links come up (MLD reports, router
# solicitations, repeated for minutes) would teach the bridge every host before any ping, at
# times that differ from run to run, and refresh the entries the ageing below removes.
$ ip netns exec ns1 sysctl -w net.ipv6.conf.ns1-veth0.disable_ipv6=1
net.ipv6.conf.ns1-veth0.disable_ipv6 = 1
$ ip netns exec ns2 sysctl -w net.ipv6.conf.ns2-veth0.disable_ipv6=1
net.ipv6.conf.ns2-veth0.disable_ipv6 = 1
$ ip netns exec ns3 sysctl -w net.ipv6.conf.ns3-veth0.disable_ipv6=1
net.ipv6.conf.ns3-veth0.disable_ipv6 = 1
$ ip netns exec ns1 ip link set ns1-veth0 up
$ ip netns exec ns2 ip link set ns2-veth0 up
$ ip netns exec ns3 ip link set ns3-veth0 up
$ ip netns exec ns1 ip addr add 192.0.2.1/24 dev ns1-veth0
$ ip netns exec ns2 ip addr add 192.0.2.2/24 dev ns2-veth0
$ ip netns exec ns3 ip addr add 192.0.2.3/24 dev ns3-veth0
$ ip netns exec ns1 ip link set dev ns1-veth0 address 00:00:5E:00:53:01
$ ip netns exec ns2 ip link set dev ns2-veth0 address 00:00:5E:00:53:02
$ ip netns exec ns3 ip link set dev ns3-veth0 address 00:00:5E:00:53:03

$ ip link add dev br0 type bridge
$ ip link set br0 up
$ ip link set ns1-br0 master br0
$ ip link set ns2-br0 master br0
$ ip link set ns3-br0 master br0
$ ip link set ns1-br0 up
$ ip link set ns2-br0 up
$ ip link set ns3-br0 up
$ ip link show ns1-br0
2: ns1-br0@if3: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue master br0 state UP mode DEFAULT group default qlen 1000
    link/ether {} brd ff:ff:ff:ff:ff:ff link-netns ns1

# Before any traffic the table holds only the ports' own (permanent) addresses and the
# devices' multicast filters, no learned entry.
$ bridge fdb show br br0
#! contains: {} dev ns1-br0 master br0 permanent
#! lacks: 00:00:5e:00:53:0{}

# A capture on the third host's side of the bridge.
$ ip netns exec ns3 tcpdump -tnel -i ns3-veth0 icmp or arp &
#! contains: 00:00:5e:00:53:01 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 192.0.2.2 tell 192.0.2.1, length 28
#! lacks: {}192.0.2.1 > 192.0.2.2: ICMP echo request{}
#! lacks: {}Reply 192.0.2.2 is-at{}

$ ip netns exec ns1 ping -c 3 192.0.2.2 -I 192.0.2.1
PING 192.0.2.2 (192.0.2.2) from 192.0.2.1 : 56(84) bytes of data.
64 bytes from 192.0.2.2: icmp_seq=1 ttl=64 time={} ms
64 bytes from 192.0.2.2: icmp_seq=2 ttl=64 time={} ms
64 bytes from 192.0.2.2: icmp_seq=3 ttl=64 time={} ms

--- 192.0.2.2 ping statistics ---
3 packets transmitted, 3 received, 0% packet loss, time {}ms
rtt min/avg/max/mdev = {} ms
$ ip netns exec ns1 ping -c 3 192.0.2.3 -I 192.0.2.1
PING 192.0.2.3 (192.0.2.3) from 192.0.2.1 : 56(84) bytes of data.
64 bytes from 192.0.2.3: icmp_seq=1 ttl=64 time={} ms
64 bytes from 192.0.2.3: icmp_seq=2 ttl=64 time={} ms
64 bytes from 192.0.2.3: icmp_seq=3 ttl=64 time={} ms

--- 192.0.2.3 ping statistics ---
3 packets transmitted, 3 received, 0% packet loss, time {}ms
rtt min/avg/max/mdev = {} ms
$ kill %1

$ bridge fdb show br br0 | grep -i 00:00:5E
00:00:5e:00:53:01 dev ns1-br0 master br0
00:00:5e:00:53:02 dev ns2-br0 master br0
00:00:5e:00:53:03 dev ns3-br0 master br0
$ brctl show
bridge name	bridge id		STP enabled	interfaces
br0		8000.{}	no		ns1-br0
							ns2-br0
							ns3-br0

# Ageing: with a 10 s ageing time and no traffic, the learned entries go. A frame to a MAC
# the bridge forgot is flooded like a broadcast: the capture on ns3 sees ns1's unicast echo
# request to ns2 (ns1's ARP entry still holds ns2's MAC). The kernel shows the same. The
# wait is 50 s so that ns1's entries are surely STALE on both back ends: a neighbour stays
# REACHABLE for a random 15-45 s after its last confirmation.
$ ip link set br0 type bridge ageing_time 1000
$ sleep 50
$ bridge fdb show br br0 | grep -i 00:00:5E
$ ip netns exec ns1 ip neigh
192.0.2.2 dev ns1-veth0 lladdr 00:00:5e:00:53:02 STALE
192.0.2.3 dev ns1-veth0 lladdr 00:00:5e:00:53:03 STALE
$ ip netns exec ns3 tcpdump -tnel -i ns3-veth0 icmp &
...
00:00:5e:00:53:01 > 00:00:5e:00:53:02, ethertype IPv4 (0x0800), length 98: 192.0.2.1 > 192.0.2.2: ICMP echo request, id {}, seq 1, length 64
...
$ ip netns exec ns1 ping -c 1 192.0.2.2
...
1 packets transmitted, 1 received, 0% packet loss, time 0ms
...
$ bridge fdb show br br0 | grep -i 00:00:5E
00:00:5e:00:53:01 dev ns1-br0 master br0
00:00:5e:00:53:02 dev ns2-br0 master br0

# Cleaning up. `ip netns delete` removes the name; a namespace goes when nothing uses it
# any more — but the tcpdump still running in ns3 keeps ns3 alive, and with it the veth
# pair: ns3-br0 stays in the root namespace, its peer now known only by id. (The kernel
# shows exactly this; the capture ends, and ns3 with it, when the scenario's end stops it.)
$ ip netns delete ns1
$ ip netns delete ns2
$ ip netns delete ns3
$ ip link delete br0
$ ip link show
1: lo: <LOOPBACK> mtu 65536 qdisc noop state DOWN mode DEFAULT group default qlen 1000
    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00
6: ns3-br0@if7: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000
    link/ether {} brd ff:ff:ff:ff:ff:ff link-netnsid 2

