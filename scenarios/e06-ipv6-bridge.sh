# E6 over IPv6 — two namespaces on a bridge in the root namespace, with IPv6: the bridge
# and its ports get link-local addresses too (the bridge's from the lowest port MAC, which
# it takes as its own), neighbour discovery's multicast solicitation crosses the bridge,
# `ping -6` goes through it, and `bridge fdb show` lists each device's IPv6 multicast
# filter entries (33:33:ff:… for its solicited-node group) after its IPv4 ones.
# Source: issue 15 (IPv6 twin of E6); br_fdb.c, addrconf.c, checked with `nslab diff`.
#! description: E6 over IPv6: br0 joins ns1 and ns2; link-local addresses on the bridge and its ports, kernel routes per device, NS/NA and ping -6 across the bridge, and the devices' 33:33:ff:… multicast entries in bridge fdb show.
#! seed: 6

ip netns add ns1
ip netns add ns2
ip link add ns1-veth0 type veth peer name ns1-br0
ip link add ns2-veth0 type veth peer name ns2-br0
ip link set ns1-veth0 netns ns1
ip link set ns2-veth0 netns ns2
ip netns exec ns1 ip link set dev ns1-veth0 address 00:00:5e:00:53:01
ip netns exec ns2 ip link set dev ns2-veth0 address 00:00:5e:00:53:02
ip link set dev ns1-br0 address 02:00:00:00:00:11
ip link set dev ns2-br0 address 02:00:00:00:00:12
ip link add dev br0 type bridge
ip link set ns1-br0 master br0
ip link set ns2-br0 master br0
ip link set br0 up
ip link set ns1-br0 up
ip link set ns2-br0 up
ip netns exec ns1 ip link set ns1-veth0 up
ip netns exec ns2 ip link set ns2-veth0 up
ip netns exec ns1 ip -6 addr add 2001:db8::1/64 dev ns1-veth0
ip netns exec ns2 ip -6 addr add 2001:db8::2/64 dev ns2-veth0

# Router solicitations from every device are about 4, 8 and 16 s after DAD: from 17 s on,
# the capture sees only the ping's.
sleep 17
# (Router solicitations, to ff02::2, are left out: a loaded machine may shift one in.)
ip netns exec ns2 tcpdump -tnel -c 6 -i ns2-veth0 'icmp6 and not ether dst 33:33:00:00:00:02' &
#> tcpdump: verbose output suppressed, use -v[v]... for full protocol decode
#> listening on ns2-veth0, link-type EN10MB (Ethernet), snapshot length 262144 bytes
#> 00:00:5e:00:53:01 > 33:33:ff:00:00:02, ethertype IPv6 (0x86dd), length 86: 2001:db8::1 > ff02::1:ff00:2: ICMP6, neighbor solicitation, who has 2001:db8::2, length 32
#> 00:00:5e:00:53:02 > 00:00:5e:00:53:01, ethertype IPv6 (0x86dd), length 86: 2001:db8::2 > 2001:db8::1: ICMP6, neighbor advertisement, tgt is 2001:db8::2, length 32
#> 00:00:5e:00:53:01 > 00:00:5e:00:53:02, ethertype IPv6 (0x86dd), length 118: 2001:db8::1 > 2001:db8::2: ICMP6, echo request, id {}, seq 1, length 64
#> 00:00:5e:00:53:02 > 00:00:5e:00:53:01, ethertype IPv6 (0x86dd), length 118: 2001:db8::2 > 2001:db8::1: ICMP6, echo reply, id {}, seq 1, length 64
#> 00:00:5e:00:53:01 > 00:00:5e:00:53:02, ethertype IPv6 (0x86dd), length 118: 2001:db8::1 > 2001:db8::2: ICMP6, echo request, id {}, seq 2, length 64
#> 00:00:5e:00:53:02 > 00:00:5e:00:53:01, ethertype IPv6 (0x86dd), length 118: 2001:db8::2 > 2001:db8::1: ICMP6, echo reply, id {}, seq 2, length 64
#> 6 packets captured
#> 6 packets received by filter
#> 0 packets dropped by kernel
ip netns exec ns1 ping -6 -c 2 2001:db8::2
#> PING 2001:db8::2(2001:db8::2) 56 data bytes
#> 64 bytes from 2001:db8::2: icmp_seq=1 ttl=64 time=0.080 ms
#> 64 bytes from 2001:db8::2: icmp_seq=2 ttl=64 time=0.040 ms
#> 
#> --- 2001:db8::2 ping statistics ---
#> 2 packets transmitted, 2 received, 0% packet loss, time 1000ms
#> rtt min/avg/max/mdev = 0.040/0.060/0.080/0.020 ms
ip netns exec ns1 ip -6 neigh show
#> 2001:db8::2 dev ns1-veth0 lladdr 00:00:5e:00:53:02 REACHABLE 
ip -6 addr show dev br0
#> 6: br0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default qlen 1000
#>     inet6 fe80::ff:fe00:11/64 scope link 
#>        valid_lft forever preferred_lft forever
ip -br -6 addr
#> ns1-br0@if3      UP             fe80::ff:fe00:11/64 
#> ns2-br0@if5      UP             fe80::ff:fe00:12/64 
#> br0              UP             fe80::ff:fe00:11/64 
ip -6 route show
#> fe80::/64 dev ns1-br0 proto kernel metric 256 pref medium
#> fe80::/64 dev br0 proto kernel metric 256 pref medium
#> fe80::/64 dev ns2-br0 proto kernel metric 256 pref medium
bridge fdb show br br0
#> 00:00:5e:00:53:01 dev ns1-br0 master br0 
#> 02:00:00:00:00:11 dev ns1-br0 master br0 permanent
#> 33:33:00:00:00:01 dev ns1-br0 self permanent
#> 01:00:5e:00:00:01 dev ns1-br0 self permanent
#> 33:33:ff:00:00:11 dev ns1-br0 self permanent
#> 00:00:5e:00:53:02 dev ns2-br0 master br0 
#> 02:00:00:00:00:12 dev ns2-br0 master br0 permanent
#> 33:33:00:00:00:01 dev ns2-br0 self permanent
#> 01:00:5e:00:00:01 dev ns2-br0 self permanent
#> 33:33:ff:00:00:12 dev ns2-br0 self permanent
#> 33:33:00:00:00:01 dev br0 self permanent
#> 01:00:5e:00:00:6a dev br0 self permanent
#> 33:33:00:00:00:6a dev br0 self permanent
#> 01:00:5e:00:00:01 dev br0 self permanent
#> 33:33:ff:00:00:11 dev br0 self permanent
