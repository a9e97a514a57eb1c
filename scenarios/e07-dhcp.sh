# E7 — DHCP: dnsmasq serves an address to a client that has none.
# Source: seeds/001 ch6 "アプリケーション層のプロトコル - DHCP".
#! description: E7: dnsmasq on the server (192.0.2.254/24) offers from 192.0.2.100-200; dhclient on the client gets 192.0.2.186 (the document's MAC hashes to it, in dnsmasq 2.79 as in 2.90), a dynamic address with the lease's lifetime and a default route; the server then pings it.
#! seed: 7

$ ip netns add server
$ ip netns add client
$ ip link add s-veth0 type veth peer name c-veth0
$ ip link set s-veth0 netns server
$ ip link set c-veth0 netns client
# IPv6 off on the link: what it sends when it comes up (MLD reports, DAD, router
# solicitations) leaves at random times, which the capture below (no filter) would show in
# any order.
$ ip netns exec server sysctl -w net.ipv6.conf.s-veth0.disable_ipv6=1
net.ipv6.conf.s-veth0.disable_ipv6 = 1
$ ip netns exec client sysctl -w net.ipv6.conf.c-veth0.disable_ipv6=1
net.ipv6.conf.c-veth0.disable_ipv6 = 1
$ ip netns exec server ip link set s-veth0 up
# The client gets the document's MAC: dnsmasq picks the first address to try by hashing it.
$ ip netns exec client ip link set c-veth0 address b6:98:e1:86:1a:6b
$ ip netns exec client ip link set c-veth0 up
$ ip netns exec server ip addr add 192.0.2.254/24 dev s-veth0

# A capture on the server's side. Before offering .186 dnsmasq pings it (three ARP
# requests, 3 s); the offer and the ack go unicast to the client's MAC, with the entry
# dnsmasq put into the server's ARP table — the echo that waited on it leaves first.
# Seed-dependent: dhclient's first retry comes after a random 3-8 s; when it is 3 s it
# meets the offer, so the client asks again and dnsmasq offers again (the `...` after the
# first offer here, in dnsmasq's log and after dhclient's first DHCPDISCOVER).
$ ip netns exec server tcpdump -tnel -i s-veth0 &
tcpdump: verbose output suppressed, use -v[v]... for full protocol decode
listening on s-veth0, link-type EN10MB (Ethernet), snapshot length 262144 bytes
b6:98:e1:86:1a:6b > ff:ff:ff:ff:ff:ff, ethertype IPv4 (0x0800), length 342: 0.0.0.0.68 > 255.255.255.255.67: BOOTP/DHCP, Request from b6:98:e1:86:1a:6b, length 300
{} > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 192.0.2.186 tell 192.0.2.254, length 28
{} > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 192.0.2.186 tell 192.0.2.254, length 28
{} > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 192.0.2.186 tell 192.0.2.254, length 28
{} > b6:98:e1:86:1a:6b, ethertype IPv4 (0x0800), length 62: 192.0.2.254 > 192.0.2.186: ICMP echo request, id {}, seq 0, length 28
{} > b6:98:e1:86:1a:6b, ethertype IPv4 (0x0800), length 342: 192.0.2.254.67 > 192.0.2.186.68: BOOTP/DHCP, Reply, length 300
...
b6:98:e1:86:1a:6b > ff:ff:ff:ff:ff:ff, ethertype IPv4 (0x0800), length 342: 0.0.0.0.68 > 255.255.255.255.67: BOOTP/DHCP, Request from b6:98:e1:86:1a:6b, length 300
{} > b6:98:e1:86:1a:6b, ethertype IPv4 (0x0800), length 342: 192.0.2.254.67 > 192.0.2.186.68: BOOTP/DHCP, Reply, length 300
{} > b6:98:e1:86:1a:6b, ethertype ARP (0x0806), length 42: Request who-has 192.0.2.186 tell 192.0.2.254, length 28
b6:98:e1:86:1a:6b > {}, ethertype ARP (0x0806), length 42: Reply 192.0.2.186 is-at b6:98:e1:86:1a:6b, length 28
...
#! repeats: {}BOOTP/DHCP{} -- dhclient's first retry comes after a random 3-8 s and dnsmasq's ping check takes 3 s: on a retry at 3 s the client asks twice and dnsmasq offers twice
#! differs: {} packets {} -- the count includes the retried DHCP exchange, if there was one
#! differs: {}ICMP echo request, id {}, seq 0, length 28 -- dnsmasq's ping check gives up at 3 s, the instant ARP gives up on the address: on the kernel the ARP entry dnsmasq then writes sometimes comes after ARP dropped the waiting echo (seen under the parity suite's load), and the echo never leaves

# The document runs these two in separate terminals.
$ ip netns exec server dnsmasq \
  --dhcp-range=192.0.2.100,192.0.2.200,255.255.255.0 \
  --interface=s-veth0 \
  --no-daemon &
dnsmasq: started, version 2.90 cachesize 150
dnsmasq: compile time options: {}
dnsmasq-dhcp: DHCP, IP range 192.0.2.100 -- 192.0.2.200, lease time 1h
dnsmasq: no servers found in /etc/resolv.conf, will retry
dnsmasq: read /etc/hosts - 0 names
dnsmasq-dhcp: DHCPDISCOVER(s-veth0) b6:98:e1:86:1a:6b
dnsmasq-dhcp: DHCPOFFER(s-veth0) 192.0.2.186 b6:98:e1:86:1a:6b
...
dnsmasq-dhcp: DHCPREQUEST(s-veth0) 192.0.2.186 b6:98:e1:86:1a:6b
dnsmasq-dhcp: DHCPACK(s-veth0) 192.0.2.186 b6:98:e1:86:1a:6b
#! repeats: dnsmasq-dhcp: {} -- dhclient's first retry comes after a random 3-8 s and dnsmasq's ping check takes 3 s: on a retry at 3 s the client asks twice and dnsmasq offers twice
$ ip netns exec client dhclient -d c-veth0 &
Internet Systems Consortium DHCP Client 4.4.3-P1
Copyright 2004-2022 Internet Systems Consortium.
All rights reserved.
For info, please visit https://www.isc.org/software/dhcp/

Listening on LPF/c-veth0/b6:98:e1:86:1a:6b
Sending on   LPF/c-veth0/b6:98:e1:86:1a:6b
Sending on   Socket/fallback
DHCPDISCOVER on c-veth0 to 255.255.255.255 port 67 interval {}
...
DHCPOFFER of 192.0.2.186 from 192.0.2.254
DHCPREQUEST for 192.0.2.186 on c-veth0 to 255.255.255.255 port 67
DHCPACK of 192.0.2.186 from 192.0.2.254
bound to 192.0.2.186 -- renewal in {} seconds.
#! repeats: DHCPDISCOVER on c-veth0 {} -- dhclient's first retry comes after a random 3-8 s and dnsmasq's ping check takes 3 s: on a retry at 3 s the client asks twice and dnsmasq offers twice
$ sleep 10

$ ip netns exec client ip addr show | grep "inet "
    inet 192.0.2.186/24 brd 192.0.2.255 scope global dynamic c-veth0
$ ip netns exec client ip route show
default via 192.0.2.254 dev c-veth0
192.0.2.0/24 dev c-veth0 proto kernel scope link src 192.0.2.186

$ ip netns exec server ping -c 3 192.0.2.186
PING 192.0.2.186 (192.0.2.186) 56(84) bytes of data.
64 bytes from 192.0.2.186: icmp_seq=1 ttl=64 time={} ms
64 bytes from 192.0.2.186: icmp_seq=2 ttl=64 time={} ms
64 bytes from 192.0.2.186: icmp_seq=3 ttl=64 time={} ms

--- 192.0.2.186 ping statistics ---
3 packets transmitted, 3 received, 0% packet loss, time {}ms
rtt min/avg/max/mdev = {} ms

# The lease (3600 s, bound at 3.012 s) counts down in virtual time: 9.005 s later, the
# kernel shows the whole seconds left.
$ ip netns exec client ip addr show c-veth0
#! contains:        valid_lft 3590sec preferred_lft 3590sec
