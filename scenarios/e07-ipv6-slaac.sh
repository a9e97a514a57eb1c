# E7 over IPv6 — a LAN given its prefix by radvd: stateless address autoconfiguration.
# The router (forwarding on, 2001:db8:1::1 on r-lan) runs Debian's radvd with its config
# as a here-document; its first advertisement leaves at once, and the host takes from it
# a default route through the router's link-local address (`proto ra`, 1800 s), the
# prefix's route (86400 s) and an address of the prefix and its EUI-64 identifier
# (`dynamic mngtmpaddr`, after DAD), its lifetimes counting down. Ctrl-C to radvd sends a
# last advertisement with router lifetime 0: the default route goes, the address stays.
# Source: issue 15 (router advertisements, SLAAC, radvd); net/ipv6/ndisc.c
# (ndisc_router_discovery), net/ipv6/addrconf.c (addrconf_prefix_rcv), radvd 2.19;
# checked against Linux with `nslab diff`.
#! description: E7 over IPv6: radvd on the router advertises 2001:db8:1::/64; the host's SLAAC address (2001:db8:1::ff:fe00:2, dynamic mngtmpaddr, tentative during DAD), its default route via fe80::ff:fe00:1 (proto ra, expires, hoplimit 64), the router as a neighbour (router STALE), the advertisement in tcpdump -v, a ping to the router over the new address, and the stop advertisement removing the default route.
#! seed: 7

ip netns add r
ip netns add h
ip link add r-lan type veth peer name h-eth0
ip link set r-lan netns r
ip link set h-eth0 netns h
ip -n r link set r-lan address 02:00:00:00:00:01
ip -n h link set h-eth0 address 02:00:00:00:00:02
ip -n r link set lo up
ip -n h link set lo up
ip netns exec r sysctl -w net.ipv6.conf.all.forwarding=1
#> net.ipv6.conf.all.forwarding = 1
ip -n r -6 addr add 2001:db8:1::1/64 dev r-lan nodad
ip -n r link set r-lan up
ip -n h link set h-eth0 up

# The links' DAD is over in 3 s (the host's first router solicitation went unanswered).
sleep 3
ip -n h -6 route
#> fe80::/64 dev h-eth0 proto kernel metric 256 pref medium
ip netns exec h tcpdump -tnv -c 1 -i h-eth0 'icmp6 and ether dst 33:33:00:00:00:01' &
#> tcpdump: listening on h-eth0, link-type EN10MB (Ethernet), snapshot length 262144 bytes
#> IP6 (flowlabel {}, hlim 255, next-header ICMPv6 (58) payload length: 56) fe80::ff:fe00:1 > ff02::1: [icmp6 sum ok] ICMP6, router advertisement, length 56
#> 	hop limit 64, Flags [none], pref medium, router lifetime 1800s, reachable time 0ms, retrans timer 0ms
#> 	  prefix info option (3), length 32 (4): 2001:db8:1::/64, Flags [onlink, auto], valid time 86400s, pref. time 14400s
#> 	  source link-address option (1), length 8 (1): 02:00:00:00:00:01
#> 1 packet captured
#> 1 packet received by filter
#> 0 packets dropped by kernel
ip netns exec r radvd -n -C /dev/stdin <<EOF &
interface r-lan {
    AdvSendAdvert on;
    prefix 2001:db8:1::/64 { };
};
EOF
#> [{}] radvd ({}): version 2.19 started
#> [{}] radvd ({}): exiting, 1 sigint(s) received
#> [{}] radvd ({}): sending stop adverts
#> [{}] radvd ({}): removing {}
#> [{}] radvd ({}): returning from radvd main
#! differs: [{}] radvd ({}): Exiting, privsep_read_loop{} -- kernel mode stops a job with SIGINT to its process alone, so radvd's privilege-separation child outlives it and says so; Ctrl-C at a terminal or `kill %N` reaches the job's whole process group, and the child ends without a word, as in the sim
sleep 3
ip -n h -6 addr show dev h-eth0
#> 2: h-eth0@if{}: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default qlen 1000 link-netns r
#>     inet6 2001:db8:1::ff:fe00:2/64 scope global dynamic mngtmpaddr 
#>        valid_lft {}sec preferred_lft {}sec
#>     inet6 fe80::ff:fe00:2/64 scope link 
#>        valid_lft forever preferred_lft forever
ip -n h -6 route
#> 2001:db8:1::/64 dev h-eth0 proto kernel metric 256 expires {}sec pref medium
#> fe80::/64 dev h-eth0 proto kernel metric 256 pref medium
#> default via fe80::ff:fe00:1 dev h-eth0 proto ra metric 1024 expires {}sec hoplimit 64 pref medium
ip -n h -6 route get 2001:db8:5::1
#> 2001:db8:5::1 from :: via fe80::ff:fe00:1 dev h-eth0 proto ra src 2001:db8:1::ff:fe00:2 metric 1024 hoplimit 64 pref medium
ip -n h -6 neigh show dev h-eth0
#> fe80::ff:fe00:1 lladdr 02:00:00:00:00:01 router STALE 
ip netns exec h ping -6 -c 1 2001:db8:1::1
#> PING 2001:db8:1::1(2001:db8:1::1) 56 data bytes
#> 64 bytes from 2001:db8:1::1: icmp_seq=1 ttl=64 time={} ms
#>
#> --- 2001:db8:1::1 ping statistics ---
#> 1 packets transmitted, 1 received, 0% packet loss, time 0ms
#> rtt min/avg/max/mdev = {} ms
kill %2
sleep 1
ip -n h -6 route
#> 2001:db8:1::/64 dev h-eth0 proto kernel metric 256 expires {}sec pref medium
#> fe80::/64 dev h-eth0 proto kernel metric 256 pref medium
