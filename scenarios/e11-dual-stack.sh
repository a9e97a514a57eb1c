# E11 with both families — a home LAN behind a Linux host: IPv4 through NAPT, IPv6 routed.
# The host (the root namespace, as in E11) bridges pc's veth into bridge0, masquerades
# 10.0.0.0/24 out of its uplink ens4, and routes 2001:db8:1::/64, which radvd advertises
# on bridge0: pc configures itself by SLAAC. pc reaches the internet's 1.1.1.1 and
# 2606:4700:4700::1111 (TTL and hop limit 63); its curl to the same web server leaves as
# the host's 10.138.0.3 over IPv4 and as its own address over IPv6, as the server's log
# shows, and only IPv4 is tracked by conntrack's NAT.
# Source: seeds/002 (E11), issue 15 (a dual-stack home LAN); checked against Linux with
# `nslab diff`.
#! description: E11 dual stack: the host masquerades IPv4 and routes IPv6; radvd on bridge0 gives pc 2001:db8:1::ff:fe00:a by SLAAC and a default route via the bridge's link-local address; ping -4/-6 to the internet (ttl/hlim 63); curl -4 and -6 to a dual-stack http.server, logged as 10.138.0.3 and as 2001:db8:1::ff:fe00:a.
#! seed: 11

# The VM's uplink and "the internet", in both families.
ip netns add internet
ip link add ens4 type veth peer name gw0 netns internet
ip link set ens4 up
ip addr add 10.138.0.3/32 dev ens4
ip route add 10.138.0.1 dev ens4 scope link
ip route add default via 10.138.0.1 dev ens4
ip -6 addr add 2001:db8:ffff::3/64 dev ens4 nodad
ip -6 route add default via 2001:db8:ffff::1
ip -n internet link set gw0 up
ip -n internet link set lo up
ip -n internet addr add 10.138.0.1/32 dev gw0
ip -n internet addr add 1.1.1.1/32 dev lo
ip -n internet route add 10.138.0.3 dev gw0
ip -n internet -6 addr add 2001:db8:ffff::1/64 dev gw0 nodad
ip -n internet -6 addr add 2606:4700:4700::1111/128 dev lo
ip -n internet -6 route add 2001:db8:1::/64 via 2001:db8:ffff::3

# The LAN: pc on bridge0, which holds the host's LAN addresses of both families.
ip netns add pc
ip link add name veth1-pc type veth peer name veth1-br
ip link set veth1-pc netns pc
ip -n pc link set veth1-pc address 02:00:00:00:00:0a
brctl addbr bridge0
ip link set bridge0 address 02:00:00:00:00:fe
brctl addif bridge0 veth1-br
ip addr add 10.0.0.254/24 dev bridge0
ip -6 addr add 2001:db8:1::1/64 dev bridge0 nodad
ip link set bridge0 up
ip link set veth1-br up
ip -n pc link set lo up
ip -n pc link set veth1-pc up
ip -n pc addr add 10.0.0.1/24 dev veth1-pc
ip -n pc route add default via 10.0.0.254

# A router in both families: forwarding, NAPT for IPv4 only.
sysctl -w net.ipv4.ip_forward=1
#> net.ipv4.ip_forward = 1
sysctl -w net.ipv6.conf.all.forwarding=1
#> net.ipv6.conf.all.forwarding = 1
iptables -t nat -A POSTROUTING -s 10.0.0.0/24 -o ens4 -j MASQUERADE
sleep 3
radvd -n -C /dev/stdin <<EOF &
interface bridge0 {
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
ip -n pc -6 addr show dev veth1-pc
#> {}: veth1-pc@if{}: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default qlen 1000 link-netnsid 0
#>     inet6 2001:db8:1::ff:fe00:a/64 scope global dynamic mngtmpaddr 
#>        valid_lft {}sec preferred_lft {}sec
#>     inet6 fe80::ff:fe00:a/64 scope link 
#>        valid_lft forever preferred_lft forever
ip -n pc -6 route
#> 2001:db8:1::/64 dev veth1-pc proto kernel metric 256 expires {}sec pref medium
#> fe80::/64 dev veth1-pc proto kernel metric 256 pref medium
#> default via fe80::ff:fe00:fe dev veth1-pc proto ra metric 1024 expires {}sec hoplimit 64 pref medium

ip netns exec pc ping -c 1 1.1.1.1
#> PING 1.1.1.1 (1.1.1.1) 56(84) bytes of data.
#> 64 bytes from 1.1.1.1: icmp_seq=1 ttl=63 time={} ms
#>
#> --- 1.1.1.1 ping statistics ---
#> 1 packets transmitted, 1 received, 0% packet loss, time 0ms
#> rtt min/avg/max/mdev = {} ms
ip netns exec pc ping -6 -c 1 2606:4700:4700::1111
#> PING 2606:4700:4700::1111(2606:4700:4700::1111) 56 data bytes
#> 64 bytes from 2606:4700:4700::1111: icmp_seq=1 ttl=63 time={} ms
#>
#> --- 2606:4700:4700::1111 ping statistics ---
#> 1 packets transmitted, 1 received, 0% packet loss, time 0ms
#> rtt min/avg/max/mdev = {} ms

# One web server for both families; the LAN's IPv4 leaves as the host, its IPv6 as itself.
ip netns exec internet python3 -m http.server 80 --bind :: &
#> Serving HTTP on :: port 80 (http://[::]:80/) ...
#> ::ffff:10.138.0.3 - - [{}] "HEAD / HTTP/1.1" 200 -
#> 2001:db8:1::ff:fe00:a - - [{}] "HEAD / HTTP/1.1" 200 -
#>
#> Keyboard interrupt received, exiting.
sleep 1
ip netns exec pc curl -I http://1.1.1.1/
#> HTTP/1.0 200 OK
#> Server: SimpleHTTP/0.6 Python/3.11.2
#> Date: {}
#> Content-type: text/html; charset=utf-8
#> Content-Length: {}
#>
ip netns exec pc curl -I http://[2606:4700:4700::1111]/
#> HTTP/1.0 200 OK
#> Server: SimpleHTTP/0.6 Python/3.11.2
#> Date: {}
#> Content-type: text/html; charset=utf-8
#> Content-Length: {}
#>
conntrack -L -p tcp
#> tcp      6 {} src=10.0.0.1 dst=1.1.1.1 sport={} dport=80 src=1.1.1.1 dst=10.138.0.3 sport=80 dport={} [ASSURED] mark=0 use=1
#> conntrack v1.4.7 (conntrack-tools): 1 flow entries have been shown.
