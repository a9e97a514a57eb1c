# E2 — IPv6 addresses on a veth pair: the link-local address an interface gets when its
# link comes up (tentative until duplicate address detection is done), static addresses
# with and without DAD, one address on both ends (DAD fails on the one that came second),
# the kernel's routes, and what going down takes away.
# Source: issue 15 (IPv6, dual stack, as Linux does it); the kernel's addrconf.c, checked
# against Linux 6.1 and iproute2 6.1 with `nslab diff`.
#! description: E2 IPv6 addresses: a veth pair's link-local addresses (tentative, then valid), static addresses (DAD, nodad), a duplicate address (dadfailed), the kernel's IPv6 routes, ip -br, and an interface going down losing its addresses.
#! seed: 3

ip netns add a
ip netns add b
ip link add v1 type veth peer name v2
ip link set v1 netns a
ip link set v2 netns b
ip -n a link set v1 address 02:00:00:00:00:01
ip -n b link set v2 address 02:00:00:00:00:02

# An address added while the link is down waits, tentative; the link has no route yet.
ip -n a -6 addr add 2001:db8::1/64 dev v1
ip -n a -6 addr show
#> 3: v1@if2: <BROADCAST,MULTICAST> mtu 1500 state DOWN qlen 1000
#>     inet6 2001:db8::1/64 scope global tentative 
#>        valid_lft forever preferred_lft forever
ip -n a -6 route show
ip -n a link set lo up
ip -n b link set v2 up

# Without carrier (the peer is down) there is no link-local address yet.
ip -n b -6 addr show

# Carrier: both ends get their EUI-64 link-local address, tentative until DAD is done.
ip -n a link set v1 up
ip -n a -6 addr show
#> 1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 state UNKNOWN qlen 1000
#>     inet6 ::1/128 scope host 
#>        valid_lft forever preferred_lft forever
#> 3: v1@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 state UP qlen 1000
#>     inet6 2001:db8::1/64 scope global tentative 
#>        valid_lft forever preferred_lft forever
#>     inet6 fe80::ff:fe00:1/64 scope link tentative 
#>        valid_lft forever preferred_lft forever
ip -n b addr show dev v2
#> 2: v2@if3: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default qlen 1000
#>     link/ether 02:00:00:00:00:02 brd ff:ff:ff:ff:ff:ff link-netns a
#>     inet6 fe80::ff:fe00:2/64 scope link tentative 
#>        valid_lft forever preferred_lft forever
sleep 4
ip -n a -6 addr show
#> 1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 state UNKNOWN qlen 1000
#>     inet6 ::1/128 scope host 
#>        valid_lft forever preferred_lft forever
#> 3: v1@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 state UP qlen 1000
#>     inet6 2001:db8::1/64 scope global 
#>        valid_lft forever preferred_lft forever
#>     inet6 fe80::ff:fe00:1/64 scope link 
#>        valid_lft forever preferred_lft forever
ip -n b -6 addr show
#> 2: v2@if3: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 state UP qlen 1000
#>     inet6 fe80::ff:fe00:2/64 scope link 
#>        valid_lft forever preferred_lft forever
ip -n a -6 route show
#> 2001:db8::/64 dev v1 proto kernel metric 256 pref medium
#> fe80::/64 dev v1 proto kernel metric 256 pref medium

# A static address without DAD, and one the other end already holds: its DAD fails.
ip -n b -6 addr add 2001:db8::2/64 dev v2 nodad
ip -n b -6 addr add 2001:db8::1/64 dev v2
sleep 3
ip -n b -6 addr show dev v2
#> 2: v2@if3: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default qlen 1000 link-netns a
#>     inet6 2001:db8::1/64 scope global dadfailed tentative 
#>        valid_lft forever preferred_lft forever
#>     inet6 2001:db8::2/64 scope global nodad 
#>        valid_lft forever preferred_lft forever
#>     inet6 fe80::ff:fe00:2/64 scope link 
#>        valid_lft forever preferred_lft forever
ip -n b -6 route show dev v2
#> 2001:db8::/64 proto kernel metric 256 pref medium
#> fe80::/64 proto kernel metric 256 pref medium
ip -n a -br addr
#> lo               UNKNOWN        127.0.0.1/8 ::1/128 
#> v1@if2           UP             2001:db8::1/64 fe80::ff:fe00:1/64 
ip -n b -6 -br addr show
#> v2@if3           UP             2001:db8::1/64 2001:db8::2/64 fe80::ff:fe00:2/64 

# Errors: already there, not there.
ip -n b -6 addr add 2001:db8::2/64 dev v2
#> Error: ipv6: address already assigned.
#! exit: 2
ip -n b -6 addr del 2001:db8::7/64 dev v2
#> Error: ipv6: address not found.
#! exit: 2
ip -n b -6 addr del 2001:db8::1/64 dev v2
ip -n b -6 addr show dev v2
#> 2: v2@if3: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default qlen 1000 link-netns a
#>     inet6 2001:db8::2/64 scope global nodad 
#>        valid_lft forever preferred_lft forever
#>     inet6 fe80::ff:fe00:2/64 scope link 
#>        valid_lft forever preferred_lft forever

# Down: every IPv6 address and route of the interface goes (keep_addr_on_down is 0).
ip -n a link set v1 down
ip -n a -6 addr show
#> 1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 state UNKNOWN qlen 1000
#>     inet6 ::1/128 scope host 
#>        valid_lft forever preferred_lft forever
ip -n a -6 route show
ip -n a link set v1 up
ip -n a -6 addr show dev v1
#> 3: v1@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default qlen 1000 link-netns b
#>     inet6 fe80::ff:fe00:1/64 scope link tentative 
#>        valid_lft forever preferred_lft forever

