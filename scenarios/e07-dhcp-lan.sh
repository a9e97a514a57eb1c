# E7, continued — DHCP on a LAN: three clients behind a bridge, a reservation, a pool too
# small, leases of two minutes renewed for ten, a release, and a server that goes away.
# Builds on 001 ch6 (E7) with 001 ch4's bridge (E6).
#! description: E7 on a LAN: dnsmasq with a pool of two (192.0.2.100-101), one of them reserved for c1's MAC, and 2-minute leases; c1 and c2 get addresses, c3 gets none and gives up after 60 s; leases renew every 45-60 s for ten minutes; c2 releases and c3 takes its address on its next try; then the server goes away: the clients renew in vain, rebind at T2 and lose address and routes at expiry.
#! seed: 7
#! kernel-skip: 800 s of real time on the kernel (dnsmasq's shortest lease is 2 minutes, so it cannot be shortened); run `nslab diff` on it by hand

$ ip netns add server
$ ip netns add c1
$ ip netns add c2
$ ip netns add c3
$ ip link add br0 type bridge
$ ip link set br0 up
$ ip link add s-veth0 type veth peer name s-br0
$ ip link add c1-veth0 type veth peer name c1-br0
$ ip link add c2-veth0 type veth peer name c2-br0
$ ip link add c3-veth0 type veth peer name c3-br0
$ ip link set s-veth0 netns server
$ ip link set c1-veth0 netns c1
$ ip link set c2-veth0 netns c2
$ ip link set c3-veth0 netns c3
$ ip link set s-br0 master br0
$ ip link set c1-br0 master br0
$ ip link set c2-br0 master br0
$ ip link set c3-br0 master br0
$ ip link set s-br0 up
$ ip link set c1-br0 up
$ ip link set c2-br0 up
$ ip link set c3-br0 up
$ ip netns exec server ip link set s-veth0 up
$ ip netns exec server ip addr add 192.0.2.254/24 dev s-veth0
$ ip netns exec c1 ip link set c1-veth0 address 00:00:5e:00:53:01
$ ip netns exec c2 ip link set c2-veth0 address 00:00:5e:00:53:02
$ ip netns exec c3 ip link set c3-veth0 address 00:00:5e:00:53:03
$ ip netns exec c1 ip link set c1-veth0 up
$ ip netns exec c2 ip link set c2-veth0 up
$ ip netns exec c3 ip link set c3-veth0 up

# .100 is reserved for c1: offered at once (no ping check for a reservation) and never to
# anyone else, which leaves c2 the pool's other address and nothing for c3.
$ ip netns exec server dnsmasq --dhcp-range=192.0.2.100,192.0.2.101,255.255.255.0,2m \
  --dhcp-host=00:00:5e:00:53:01,192.0.2.100 --interface=s-veth0 --no-daemon &
#! contains: dnsmasq-dhcp: DHCP, IP range 192.0.2.100 -- 192.0.2.101, lease time 2m
#! contains: dnsmasq-dhcp: DHCPOFFER(s-veth0) 192.0.2.100 00:00:5e:00:53:01
#! contains: dnsmasq-dhcp: DHCPACK(s-veth0) 192.0.2.101 00:00:5e:00:53:02
#! contains: dnsmasq-dhcp: DHCPDISCOVER(s-veth0) 00:00:5e:00:53:03 no address available
#! contains: dnsmasq-dhcp: DHCPRELEASE(s-veth0) 192.0.2.101 00:00:5e:00:53:02
#! contains: dnsmasq-dhcp: DHCPACK(s-veth0) 192.0.2.101 00:00:5e:00:53:03
#! lacks: dnsmasq-dhcp: DHCPOFFER(s-veth0) 192.0.2.100 00:00:5e:00:53:02
#! lacks: dnsmasq-dhcp: DHCPOFFER(s-veth0) 192.0.2.100 00:00:5e:00:53:03

# c1 renews with the server (unicast) at T1, randomised to 45-60 s of the 120 s lease;
# once the server is gone it keeps asking, then broadcasts (rebinding) after T2 (105 s),
# then, the lease over, starts again from DISCOVER.
$ ip netns exec c1 dhclient -d c1-veth0 &
#! contains: DHCPACK of 192.0.2.100 from 192.0.2.254
#! contains: bound to 192.0.2.100 -- renewal in {} seconds.
#! contains: DHCPREQUEST for 192.0.2.100 on c1-veth0 to 192.0.2.254 port 67
#! contains: bound to 192.0.2.100 -- renewal in {} seconds.
#! contains: DHCPREQUEST for 192.0.2.100 on c1-veth0 to 255.255.255.255 port 67
#! contains: DHCPDISCOVER on c1-veth0 to 255.255.255.255 port 67 interval {}
#! lacks: DHCPNAK{}
$ ip netns exec c2 dhclient -d c2-veth0 &
#! contains: bound to 192.0.2.101 -- renewal in {} seconds.
$ sleep 5

# The third client: every DISCOVER goes unanswered, and after 60 s it says so.
$ ip netns exec c3 dhclient -d c3-veth0 &
#! contains: DHCPDISCOVER on c3-veth0 to 255.255.255.255 port 67 interval {}
#! contains: No DHCPOFFERS received.
#! contains: No working leases in persistent database - sleeping.
#! contains: DHCPOFFER of 192.0.2.101 from 192.0.2.254
#! contains: bound to 192.0.2.101 -- renewal in {} seconds.
$ sleep 100
$ ip netns exec c3 ip addr show c3-veth0 | grep inet
    inet6 fe80::200:5eff:fe00:5303/64 scope link 

# c2 lets its address go (the running client sends DHCPRELEASE and exits); c3, after its
# five minutes' sleep, asks again and gets it.
$ sleep 200
$ ip netns exec c2 dhclient -r -v c2-veth0
#! contains: Killed old client process
#! contains: DHCPRELEASE of 192.0.2.101 on c2-veth0 to 192.0.2.254 port 67
$ ip netns exec c2 ip addr show c2-veth0 | grep inet
    inet6 fe80::200:5eff:fe00:5302/64 scope link 
$ sleep 295
$ ip netns exec c1 ip addr show c1-veth0 | grep inet
    inet 192.0.2.100/24 brd 192.0.2.255 scope global dynamic c1-veth0
    inet6 fe80::200:5eff:fe00:5301/64 scope link 
$ ip netns exec c3 ip addr show c3-veth0 | grep inet
    inet 192.0.2.101/24 brd 192.0.2.255 scope global dynamic c3-veth0
    inet6 fe80::200:5eff:fe00:5303/64 scope link 
$ ip netns exec c1 ip route show
default via 192.0.2.254 dev c1-veth0
192.0.2.0/24 dev c1-veth0 proto kernel scope link src 192.0.2.100

# Ten minutes in, the server goes away (Ctrl-C: dnsmasq in --no-daemon mode exits with
# status 5 and says nothing). Two minutes later every lease has run out: the addresses,
# and the routes with them, are gone.
$ kill %1
$ sleep 200
$ ip netns exec c1 ip addr show c1-veth0 | grep inet
    inet6 fe80::200:5eff:fe00:5301/64 scope link 
$ ip netns exec c1 ip route show
$ ip netns exec c3 ip addr show c3-veth0 | grep inet
    inet6 fe80::200:5eff:fe00:5303/64 scope link 
