# E6, second variant — the bridge inside a namespace of its own.
# Source: seeds/001 ch4 "イーサネット - 3(おまけ)" (bridgeもNetwork Namespaceで表現する).
#! description: E6 (variant): br0 lives in a namespace called bridge; everything else is as with a bridge in the root namespace, and the root namespace keeps nothing.
#! seed: 6

$ ip netns add ns1
$ ip netns add ns2
$ ip netns add ns3
$ ip netns add bridge
$ ip link add ns1-veth0 type veth peer name ns1-br0
$ ip link add ns2-veth0 type veth peer name ns2-br0
$ ip link add ns3-veth0 type veth peer name ns3-br0
$ ip link set ns1-veth0 netns ns1
$ ip link set ns2-veth0 netns ns2
$ ip link set ns3-veth0 netns ns3
# IPv6 off on the hosts: what they send when their links come up (MLD reports, router
# solicitations, repeated for minutes) would teach the bridge every host before any ping, at
# times that differ from run to run.
$ ip netns exec ns1 sysctl -w net.ipv6.conf.ns1-veth0.disable_ipv6=1
net.ipv6.conf.ns1-veth0.disable_ipv6 = 1
$ ip netns exec ns2 sysctl -w net.ipv6.conf.ns2-veth0.disable_ipv6=1
net.ipv6.conf.ns2-veth0.disable_ipv6 = 1
$ ip netns exec ns3 sysctl -w net.ipv6.conf.ns3-veth0.disable_ipv6=1
net.ipv6.conf.ns3-veth0.disable_ipv6 = 1
$ ip link set ns1-br0 netns bridge
$ ip link set ns2-br0 netns bridge
$ ip link set ns3-br0 netns bridge
$ ip netns exec ns1 ip link set ns1-veth0 up
$ ip netns exec ns2 ip link set ns2-veth0 up
$ ip netns exec ns3 ip link set ns3-veth0 up
$ ip netns exec bridge ip link set ns1-br0 up
$ ip netns exec bridge ip link set ns2-br0 up
$ ip netns exec bridge ip link set ns3-br0 up
$ ip netns exec ns1 ip addr add 192.0.2.1/24 dev ns1-veth0
$ ip netns exec ns2 ip addr add 192.0.2.2/24 dev ns2-veth0
$ ip netns exec ns3 ip addr add 192.0.2.3/24 dev ns3-veth0
$ ip netns exec ns1 ip link set dev ns1-veth0 address 00:00:5E:00:53:01
$ ip netns exec ns2 ip link set dev ns2-veth0 address 00:00:5E:00:53:02
$ ip netns exec ns3 ip link set dev ns3-veth0 address 00:00:5E:00:53:03
$ ip netns exec bridge ip link add dev br0 type bridge
$ ip netns exec bridge ip link set br0 up
$ ip netns exec bridge ip link set ns1-br0 master br0
$ ip netns exec bridge ip link set ns2-br0 master br0
$ ip netns exec bridge ip link set ns3-br0 master br0
$ ip netns exec bridge ip link set ns1-br0 up
$ ip netns exec bridge ip link set ns2-br0 up
$ ip netns exec bridge ip link set ns3-br0 up

$ ip netns exec bridge bridge fdb show br br0 | grep -i 00:00:5E
$ ip netns exec ns1 ping -c 3 192.0.2.2 -I 192.0.2.1
PING 192.0.2.2 (192.0.2.2) from 192.0.2.1 : 56(84) bytes of data.
64 bytes from 192.0.2.2: icmp_seq=1 ttl=64 time={} ms
64 bytes from 192.0.2.2: icmp_seq=2 ttl=64 time={} ms
64 bytes from 192.0.2.2: icmp_seq=3 ttl=64 time={} ms

--- 192.0.2.2 ping statistics ---
3 packets transmitted, 3 received, 0% packet loss, time {}ms
rtt min/avg/max/mdev = {} ms
$ ip netns exec ns1 ping -c 3 192.0.2.3 -I 192.0.2.1
...
3 packets transmitted, 3 received, 0% packet loss, time {}ms
rtt min/avg/max/mdev = {} ms
$ ip netns exec bridge bridge fdb show br br0 | grep -i 00:00:5E
00:00:5e:00:53:01 dev ns1-br0 master br0
00:00:5e:00:53:02 dev ns2-br0 master br0
00:00:5e:00:53:03 dev ns3-br0 master br0
# The bridge's port numbers and how long ago each MAC was seen (brctl showmacs).
$ ip netns exec bridge brctl showmacs br0
port no	mac addr		is local?	ageing timer
  1	00:00:5e:00:53:01	no		   {}
  2	00:00:5e:00:53:02	no		   {}
  3	00:00:5e:00:53:03	no		   {}
...
# The root namespace holds nothing of this lab.
$ ip link show
1: lo: <LOOPBACK> mtu 65536 qdisc noop state DOWN mode DEFAULT group default qlen 1000
    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00

$ ip netns delete ns1
$ ip netns delete ns2
$ ip netns delete ns3
$ ip netns delete bridge
