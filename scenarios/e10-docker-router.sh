# E10 — Two Docker networks and a router.
# Source: seeds/000 (Docker router series, part 5).
#
# Docker, translated into the commands it runs underneath: each network is a bridge in the
# Docker host with the gateway address .1; each container is a namespace whose eth0 is a
# veth end on that bridge, with MAC 02:42:<IP> and a default route to the gateway;
# addresses are handed out in the order the containers started. Docker keeps its networks
# apart with iptables DROP rules (DOCKER-ISOLATION); this scenario gets the same effect by
# leaving forwarding off in the host namespace (netfilter arrives in a later issue).
#! description: E10: two Docker networks (bridges with a gateway at .1), a router container on both; clients on different networks reach only the router until static routes exist on both sides; traceroute shows the router, then * * * while the reply goes to the receiver's default gateway.
#! seed: 10

$ ip netns add host
$ ip -n host link add br-testnw type bridge
$ ip -n host link set br-testnw address 02:42:2c:99:3a:c2
$ ip -n host addr add 172.18.0.1/16 dev br-testnw
$ ip -n host link set br-testnw up
$ ip -n host link add br-testnw2 type bridge
$ ip -n host addr add 172.19.0.1/16 dev br-testnw2
$ ip -n host link set br-testnw2 up

# testnw: myserver (.2), myclient (.3) started earlier; myrouter joins it later (.4).
$ ip netns add myserver
$ ip -n host link add veth-server type veth peer name eth0 netns myserver
$ ip -n host link set veth-server master br-testnw
$ ip -n host link set veth-server up
$ ip -n myserver link set eth0 address 02:42:ac:12:00:02
$ ip -n myserver addr add 172.18.0.2/16 dev eth0
$ ip -n myserver link set eth0 up
$ ip -n myserver route add default via 172.18.0.1
$ ip netns add myclient
$ ip -n host link add veth-client type veth peer name eth0 netns myclient
$ ip -n host link set veth-client master br-testnw
$ ip -n host link set veth-client up
$ ip -n myclient link set eth0 address 02:42:ac:12:00:03
$ ip -n myclient addr add 172.18.0.3/16 dev eth0
$ ip -n myclient link set eth0 up
$ ip -n myclient route add default via 172.18.0.1

# testnw2: myrouter (.2) and myclient2 (.3); then `docker network connect testnw myrouter`.
$ ip netns add myrouter
$ ip -n host link add veth-router2 type veth peer name eth0 netns myrouter
$ ip -n host link set veth-router2 master br-testnw2
$ ip -n host link set veth-router2 up
$ ip -n myrouter link set eth0 address 02:42:ac:13:00:02
$ ip -n myrouter addr add 172.19.0.2/16 dev eth0
$ ip -n myrouter link set eth0 up
$ ip -n myrouter route add default via 172.19.0.1
$ ip netns add myclient2
$ ip -n host link add veth-client2 type veth peer name eth0 netns myclient2
$ ip -n host link set veth-client2 master br-testnw2
$ ip -n host link set veth-client2 up
$ ip -n myclient2 link set eth0 address 02:42:ac:13:00:03
$ ip -n myclient2 addr add 172.19.0.3/16 dev eth0
$ ip -n myclient2 link set eth0 up
$ ip -n myclient2 route add default via 172.19.0.1
$ ip -n host link add veth-router type veth peer name eth1 netns myrouter
$ ip -n host link set veth-router master br-testnw
$ ip -n host link set veth-router up
$ ip -n myrouter link set eth1 address 02:42:ac:12:00:04
$ ip -n myrouter addr add 172.18.0.4/16 dev eth1
$ ip -n myrouter link set eth1 up

# The gateway is the Docker host itself, answering on the bridge's own address.
$ ip netns exec myclient ping -c 1 172.18.0.1
PING 172.18.0.1 (172.18.0.1) 56(84) bytes of data.
64 bytes from 172.18.0.1: icmp_seq=1 ttl=64 time={} ms
...
$ ip netns exec myclient ip neigh
172.18.0.1 dev eth0 lladdr 02:42:2c:99:3a:c2 REACHABLE

# Clients on different networks cannot reach each other...
$ ip netns exec myclient ping -c 2 172.19.0.3
PING 172.19.0.3 (172.19.0.3) 56(84) bytes of data.

--- 172.19.0.3 ping statistics ---
2 packets transmitted, 0 received, 100% packet loss, time 1000ms
#! exit: 1
$ ip netns exec myclient2 ping -c 2 172.18.0.3
...
2 packets transmitted, 0 received, 100% packet loss, time 1000ms
# ...but both reach the router, which sits on both networks.
$ ip netns exec myclient ping -c 1 172.18.0.4
...
64 bytes from 172.18.0.4: icmp_seq=1 ttl=64 time={} ms
...
$ ip netns exec myclient2 ping -c 1 172.19.0.2
...
64 bytes from 172.19.0.2: icmp_seq=1 ttl=64 time={} ms
...
$ ip netns exec myrouter ping -c 1 172.18.0.3
...
1 packets transmitted, 1 received, 0% packet loss, time 0ms
...
$ ip netns exec myrouter ping -c 1 172.19.0.3
...
1 packets transmitted, 1 received, 0% packet loss, time 0ms
...

# The document turned the router's forwarding off (a new namespace starts with it off;
# Docker had turned it on) so that its own router program would do the forwarding.
$ ip netns exec myrouter sysctl -w net.ipv4.ip_forward=0
net.ipv4.ip_forward = 0

# client2: 172.18.0.0/16 via the router (the document used `route add -net … gw …`).
$ ip netns exec myclient2 ip route add 172.18.0.0/16 via 172.19.0.2
$ ip netns exec myclient2 ip route show
default via 172.19.0.1 dev eth0
172.18.0.0/16 via 172.19.0.2 dev eth0
172.19.0.0/16 dev eth0 proto kernel scope link src 172.19.0.3

# The router program running = forwarding on.
$ ip netns exec myrouter sysctl -w net.ipv4.ip_forward=1
net.ipv4.ip_forward = 1
# Hop 1 answers; the target's answers go to its default gateway (the Docker host), which
# does not pass them to the other network: * * * from hop 2 on.
$ ip netns exec myclient2 traceroute 172.18.0.2
traceroute to 172.18.0.2 (172.18.0.2), 30 hops max, 60 byte packets
 1  172.19.0.2 (172.19.0.2)  {} ms  {} ms  {} ms
 2  * * *
 3  * * *
...
30  * * *

# A capture on the receiver: its echo reply goes to the gateway's MAC, not the router's.
$ ip netns exec myclient tcpdump -tnel -i eth0 icmp &
...
02:42:ac:12:00:04 > 02:42:ac:12:00:03, ethertype IPv4 (0x0800), length 98: 172.19.0.3 > 172.18.0.3: ICMP echo request, id {}, seq 1, length 64
02:42:ac:12:00:03 > 02:42:2c:99:3a:c2, ethertype IPv4 (0x0800), length 98: 172.18.0.3 > 172.19.0.3: ICMP echo reply, id {}, seq 1, length 64
...
$ ip netns exec myclient2 ping -c 1 172.18.0.3
...
1 packets transmitted, 0 received, 100% packet loss, time 0ms
$ kill %1

# The return route on the receivers fixes it.
$ ip netns exec myclient ip route add 172.19.0.0/16 via 172.18.0.4
$ ip netns exec myserver ip route add 172.19.0.0/16 via 172.18.0.4
$ ip netns exec myclient ip route show
default via 172.18.0.1 dev eth0
172.18.0.0/16 dev eth0 proto kernel scope link src 172.18.0.3
172.19.0.0/16 via 172.18.0.4 dev eth0
$ ip netns exec myclient tcpdump -tnel -i eth0 icmp &
...
02:42:ac:12:00:03 > 02:42:ac:12:00:04, ethertype IPv4 (0x0800), length 98: 172.18.0.3 > 172.19.0.3: ICMP echo reply, id {}, seq 1, length 64
...
$ ip netns exec myclient2 ping -c 3 172.18.0.3
PING 172.18.0.3 (172.18.0.3) 56(84) bytes of data.
64 bytes from 172.18.0.3: icmp_seq=1 ttl=63 time={} ms
64 bytes from 172.18.0.3: icmp_seq=2 ttl=63 time={} ms
64 bytes from 172.18.0.3: icmp_seq=3 ttl=63 time={} ms
...
$ ip netns exec myclient ping -c 3 172.19.0.3
...
3 packets transmitted, 3 received, 0% packet loss, time {}ms
...
$ ip netns exec myclient2 traceroute -n 172.18.0.2
traceroute to 172.18.0.2 (172.18.0.2), 30 hops max, 60 byte packets
 1  172.19.0.2  {} ms  {} ms  {} ms
 2  172.18.0.2  {} ms  {} ms  {} ms
