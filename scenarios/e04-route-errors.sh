# E4's routers, one with no route onward: it answers what it cannot route with ICMP
# network unreachable, rate limited as Linux 6.18 limits it. ip_error (route.c) spends a
# token of the prober's inet_peer bucket (1 s each, 5 s at most) before icmp_send spends
# another of the same bucket (1 s each, 6 s at most): a burst of `!N` to one host is two,
# and two again after a pause of 4 s or more.
#! description: E4 with no route onward: ping and traceroute through a router that has none get `Destination Net Unreachable`/`!N` twice, then silence, as the kernel's two rate limits on one per-host bucket allow; `ip route get` shows the way to the router, through it, to this host and to the broadcast address, and refuses where there is none; `ip -br addr` and `ip -br link` print one line per interface; `-4` shows only interfaces with an IPv4 address.
#! seed: 4

ip netns add h
ip netns add r
ip link add h0 type veth peer name r0
ip link set h0 netns h
ip link set r0 netns r
ip -n h link set h0 up
ip -n r link set r0 up
ip -n h addr add 10.1.0.2/24 dev h0
ip -n r addr add 10.1.0.1/24 dev r0
ip -n h route add default via 10.1.0.1
ip netns exec r sysctl -w net.ipv4.ip_forward=1
#> net.ipv4.ip_forward = 1

ip netns exec h ping -c 3 -i 0.2 198.51.100.1
#> PING 198.51.100.1 (198.51.100.1) 56(84) bytes of data.
#> From 10.1.0.1 icmp_seq=1 Destination Net Unreachable
#> From 10.1.0.1 icmp_seq=2 Destination Net Unreachable
#> 
#> --- 198.51.100.1 ping statistics ---
#> 3 packets transmitted, 0 received, +2 errors, 100% packet loss, time {}ms
#> 
#! exit: 1
sleep 5
ip netns exec h traceroute -n 198.51.100.1
#> traceroute to 198.51.100.1 (198.51.100.1), 30 hops max, 60 byte packets
#>  1  10.1.0.1  {} ms !N  {} ms !N *

# Where a packet would go, as `ip route get` asks the kernel: through the router, to the
# router itself, to this host, to the subnet's broadcast; from the router, nowhere.
ip netns exec h ip route get 198.51.100.1
#> 198.51.100.1 via 10.1.0.1 dev h0 src 10.1.0.2 uid 0 
#>     cache 
ip netns exec h ip route get 10.1.0.1
#> 10.1.0.1 dev h0 src 10.1.0.2 uid 0 
#>     cache 
ip netns exec h ip route get 10.1.0.2 from 10.1.0.2
#> local 10.1.0.2 from 10.1.0.2 dev lo uid 0 
#>     cache <local> 
ip netns exec h ip route get 10.1.0.255
#> broadcast 10.1.0.255 dev h0 src 10.1.0.2 uid 0 
#>     cache <local,brd> 
ip netns exec r ip route get 198.51.100.1
#> RTNETLINK answers: Network is unreachable
#! exit: 2

# The brief forms: one line per interface, name (with its peer) and state in columns.
ip netns exec h ip -br addr
#> lo               DOWN           
#> h0@if2           UP             10.1.0.2/24 fe80::{}/64 
ip -n h -br link show dev h0
#> h0@if2           UP             {} <BROADCAST,MULTICAST,UP,LOWER_UP> 
ip -n r -br link
#> lo               DOWN           00:00:00:00:00:00 <LOOPBACK> 
#> r0@if3           UP             {} <BROADCAST,MULTICAST,UP,LOWER_UP> 
# With -4, only interfaces with an IPv4 address (lo here has none: it was never up), and
# no link/ line: the peer's namespace moves to the first line.
ip netns exec h ip -4 addr
#> {}: h0@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default qlen 1000 link-netns r
#>     inet 10.1.0.2/24 scope global h0
#>        valid_lft forever preferred_lft forever
ip netns exec h ip -4 -br addr
#> h0@if2           UP             10.1.0.2/24 
