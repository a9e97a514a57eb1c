# E2 — Turning IPv6 off and on: `disable_ipv6` per interface and for all, what it takes
# away and gives back, and what a device's multicast filter holds as it goes down and up.
# Source: issue 15 ("kernel mode with IPv6 switched back on"); the kernel's addrconf.c
# (addrconf_disable_ipv6, dev_disable_change, NETDEV_CHANGEMTU) and mcast.c, checked
# against Linux 6.18 with `nslab diff`.
#! description: E2 disable_ipv6: an interface turned off loses its addresses and routes and refuses new ones; `all` sets the default and every interface (lo loses ::1), and back on they start over (tentative link-local); a device that goes down leaves the all-nodes group and joins it again after IPv4's when it comes up; below an MTU of 1280 a device carries no IPv6, and lo does not get ::1 back with its MTU.
#! seed: 4

ip netns add a
ip netns add b
ip link add v1 type veth peer name v2
ip link set v1 netns a
ip link set v2 netns b
ip -n a link set v1 address 02:00:00:00:00:01
ip -n b link set v2 address 02:00:00:00:00:02
ip -n a link set lo up
ip -n a link set v1 up
ip -n b link set v2 up
ip -n a -6 addr show
#> 1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 state UNKNOWN qlen 1000
#>     inet6 ::1/128 scope host 
#>        valid_lft forever preferred_lft forever
#> 3: v1@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 state UP qlen 1000
#>     inet6 fe80::ff:fe00:1/64 scope link tentative 
#>        valid_lft forever preferred_lft forever
# The link-local address joins its solicited-node group from the kernel's DAD work, queued
# when the device comes up: on a loaded machine it runs some milliseconds later, so the
# filter is read once it has (the address is still tentative).
sleep 0.2
ip netns exec a bridge fdb show
#> 33:33:00:00:00:01 dev v1 self permanent
#> 01:00:5e:00:00:01 dev v1 self permanent
#> 33:33:ff:00:00:01 dev v1 self permanent

# One interface off: its addresses and routes go, and it takes no new one.
ip netns exec a sysctl -w net.ipv6.conf.v1.disable_ipv6=1
#> net.ipv6.conf.v1.disable_ipv6 = 1
ip netns exec a sysctl net.ipv6.conf.v1.disable_ipv6
#> net.ipv6.conf.v1.disable_ipv6 = 1
ip -n a -6 addr show
#> 1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 state UNKNOWN qlen 1000
#>     inet6 ::1/128 scope host 
#>        valid_lft forever preferred_lft forever
ip -n a -6 route show
ip -n a -6 addr add 2001:db8::1/64 dev v1
#> Error: ipv6: IPv6 is disabled on this device.
#! exit: 2
ip -n a -6 route add 2001:db8::/64 dev v1
#> Error: IPv6 is disabled on nexthop device.
#! exit: 2
ip netns exec a bridge fdb show
#> 01:00:5e:00:00:01 dev v1 self permanent
#> 33:33:00:00:00:01 dev v1 self permanent

# All off: the default follows, and lo loses ::1.
ip netns exec a sysctl -w net.ipv6.conf.all.disable_ipv6=1
#> net.ipv6.conf.all.disable_ipv6 = 1
ip netns exec a sysctl net.ipv6.conf.default.disable_ipv6
#> net.ipv6.conf.default.disable_ipv6 = 1
ip netns exec a sysctl net.ipv6.conf.lo.disable_ipv6
#> net.ipv6.conf.lo.disable_ipv6 = 1
ip -n a -6 addr show
ip netns exec a ping -6 -c 1 ::1
#> ping: connect: Cannot assign requested address
#! exit: 2

# All on again: each interface starts over.
ip netns exec a sysctl -w net.ipv6.conf.all.disable_ipv6=0
#> net.ipv6.conf.all.disable_ipv6 = 0
ip -n a -6 addr show
#> 1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 state UNKNOWN qlen 1000
#>     inet6 ::1/128 scope host 
#>        valid_lft forever preferred_lft forever
#> 3: v1@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 state UP qlen 1000
#>     inet6 fe80::ff:fe00:1/64 scope link tentative 
#>        valid_lft forever preferred_lft forever

# Down with IPv6 on: the device leaves its groups; up again, it joins all-nodes after
# IPv4's all-hosts group.
ip -n b link set v2 down
ip netns exec b bridge fdb show
ip -n b link set v2 up
ip netns exec b bridge fdb show
#> 01:00:5e:00:00:01 dev v2 self permanent
#> 33:33:00:00:00:01 dev v2 self permanent
#> 33:33:ff:00:00:02 dev v2 self permanent

# Below 1280 a device carries no IPv6; raised again, it starts over. lo's ::1 does not
# come back with its MTU.
ip -n b link set v2 mtu 1000
ip -n b -6 addr show
ip -n b link set v2 mtu 1500
ip -n b -6 addr show
#> 2: v2@if3: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 state UP qlen 1000
#>     inet6 fe80::ff:fe00:2/64 scope link tentative 
#>        valid_lft forever preferred_lft forever
ip -n a link set lo mtu 1000
ip -n a link set lo mtu 65536
ip -n a -6 addr show dev lo
