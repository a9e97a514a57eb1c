#! description: 000 (Qiita, "ルーターを準備する") pasted as a reader copies it: Docker's bridge networks and containers made with `docker network create`, `docker container run --net … --hostname … --name …`, `docker network connect`, a shell in a container with `docker container exec -it … /bin/bash`, `route add` and the `/proc/sys` file. Each `docker` line runs as the `ip`, `iptables` and `sysctl` lines that do what Docker's bridge driver does; the lines nslab refuses are replaced by what its error names.
#! seed: 0
# The series so far (parts 1 and 4, not on this page): the network testnw with a server
# and a client on it.
docker network create --driver bridge testnw
docker container run -itd --privileged --net testnw --hostname Server1 --name myserver ubuntu:latest
docker container run -itd --privileged --net testnw --hostname Client1 --name myclient ubuntu:latest

# The page from here on. A second network, and a router and a client on it.
docker network create --driver bridge testnw2
# `docker network ls`: nslab's error names `ip -br addr` (each network is a bridge on the
# host, docker0 and br-…). Docker names a bridge br- and twelve hex digits of its ID;
# nslab's digits are a hash of the network's name.
ip -br addr
#> lo               DOWN           
#> docker0          DOWN           172.17.0.1/16 
#> br-{}  UP             172.18.0.1/16 {}
#> veth{}@if{}UP{}
#> veth{}@if{}UP{}
#> br-{}  DOWN           172.19.0.1/16 
docker container run -itd --privileged --mount type=bind,source=/d/200_Study/2304_Router_Jisaku,target=/app --net testnw2 --hostname Router1 --name myrouter ubuntu:latest
docker container run -itd --privileged --mount type=bind,source=/d/200_Study/2304_Router_Jisaku,target=/app --net testnw2 --hostname Client2 --name myclient2 ubuntu:latest
# `docker container ls`: nslab's error names `ip netns list` (a container is its namespace).
ip netns list
#> myclient2
#> myrouter
#> myclient
#> myserver
# The router joins testnw too: its second NIC, eth1.
docker network connect testnw myrouter
# What `docker network inspect` shows, in addresses: testnw has myserver .2, myclient .3
# and myrouter .4; testnw2 has myrouter .2 and myclient2 .3.
ip -n myrouter -br addr show
#> lo               UNKNOWN        127.0.0.1/8 
#> eth0@{}        UP             172.19.0.2/16 
#> eth1@{}        UP             172.18.0.4/16 
# Docker gives a container the gateway of the network whose name sorts first: testnw's.
ip -n myrouter route
#> default via 172.18.0.1 dev eth1 
#> 172.18.0.0/16 dev eth1 proto kernel scope link src 172.18.0.4 
#> 172.19.0.0/16 dev eth0 proto kernel scope link src 172.19.0.2 

# A shell in a container. `apt update` and `apt install …` are refused: nslab brings its
# tools with it (the error says to delete the lines).
docker container exec -it myclient2 /bin/bash
# `ping Client1` is refused: nslab has no DNS, and the error names Client1's address.
ping -c 1 172.18.0.3
#! exit: 1
#> PING 172.18.0.3 (172.18.0.3) 56(84) bytes of data.
#> 
#> --- 172.18.0.3 ping statistics ---
#> 1 packets transmitted, 0 received, 100% packet loss, time 0ms
#> 
ping -c 1 172.19.0.2
#> PING 172.19.0.2 (172.19.0.2) 56(84) bytes of data.
#> 64 bytes from 172.19.0.2: icmp_seq=1 ttl=64 time={} ms
#> 
#> --- 172.19.0.2 ping statistics ---
#> 1 packets transmitted, 1 received, 0% packet loss, time 0ms
#> rtt min/avg/max/mdev = {} ms
exit

# The router reaches both clients.
docker container exec -it myrouter /bin/bash
ping -c 1 172.18.0.3
#> PING 172.18.0.3 (172.18.0.3) 56(84) bytes of data.
#> 64 bytes from 172.18.0.3: icmp_seq=1 ttl=64 time={} ms
#> 
#> --- 172.18.0.3 ping statistics ---
#> 1 packets transmitted, 1 received, 0% packet loss, time 0ms
#> rtt min/avg/max/mdev = {} ms
ping -c 1 172.19.0.3
#> PING 172.19.0.3 (172.19.0.3) 56(84) bytes of data.
#> 64 bytes from 172.19.0.3: icmp_seq=1 ttl=64 time={} ms
#> 
#> --- 172.19.0.3 ping statistics ---
#> 1 packets transmitted, 1 received, 0% packet loss, time 0ms
#> rtt min/avg/max/mdev = {} ms
# A container copies the host's ip_forward, which dockerd turned on: 1, as the page shows.
cat /proc/sys/net/ipv4/ip_forward
#> 1
# The page turns it off with /etc/sysctl.conf and `sysctl -p` (nslab has no files: the
# file's line goes in as a here-document, as the error for `vi` says).
sysctl -p - <<EOF2
net.ipv4.ip_forward=0
EOF2
#> net.ipv4.ip_forward = 0
cat /proc/sys/net/ipv4/ip_forward
#> 0
exit

# Client2 sends what is for testnw to the router. `sudo route add -net 172.18.0.0 gw
# 172.19.0.2 netmask 255.255.0.0 eth0` is refused naming this line:
docker container exec -it myclient2 /bin/bash
sudo ip route add 172.18.0.0/16 via 172.19.0.2 dev eth0
# `route -n`: the error names `ip route`.
ip route
#> default via 172.19.0.1 dev eth0 
#> 172.18.0.0/16 via 172.19.0.2 dev eth0 
#> 172.19.0.0/16 dev eth0 proto kernel scope link src 172.19.0.3 
# The router does not forward (ip_forward is 0), so it does not answer for the first hop
# either: the TTL is checked only on the way to forwarding.
traceroute -n -q 1 -w 1 -m 3 172.18.0.3
#> traceroute to 172.18.0.3 (172.18.0.3), 3 hops max, 60 byte packets
#>  1  *
#>  2  *
#>  3  *
exit

# The author's router program forwards between the router's NICs; the kernel's forwarding
# stands in for it here. Then the reply is what goes astray: client1 answers through its
# default gateway, the host's bridge (172.18.0.1), whose FORWARD chain drops what crosses
# from one network to another: Docker's isolation rule for testnw2's bridge counts it (the
# one for testnw's counted client2's first ping, sent through the host before the route).
docker container exec -it myrouter sysctl -w net.ipv4.ip_forward=1
#> net.ipv4.ip_forward = 1
docker container exec -it myclient2 ping -c 1 -W 1 172.18.0.3
#! exit: 1
#> PING 172.18.0.3 (172.18.0.3) 56(84) bytes of data.
#> 
#> --- 172.18.0.3 ping statistics ---
#> 1 packets transmitted, 0 received, 100% packet loss, time 0ms
#> 
iptables -L DOCKER-ISOLATION-STAGE-2 -v -n
#> Chain DOCKER-ISOLATION-STAGE-2 (3 references)
#>  pkts bytes target     prot opt in     out     source               destination         
#>     1    84 DROP       0    --  *      br-{}  0.0.0.0/0            0.0.0.0/0           
#>     1    84 DROP       0    --  *      br-{}  0.0.0.0/0            0.0.0.0/0           
#>     0     0 DROP       0    --  *      docker0  0.0.0.0/0            0.0.0.0/0           
#>     0     0 RETURN     0    --  *      *       0.0.0.0/0            0.0.0.0/0           
# So client1 too is given the route back through the router (the page's `sudo route add
# -net 172.19.0.0 gw … netmask 255.255.0.0 eth0`, with the router's address on testnw).
docker container exec -it myclient /bin/bash
sudo ip route add 172.19.0.0/16 via 172.18.0.4 dev eth0
ip route
#> default via 172.18.0.1 dev eth0 
#> 172.18.0.0/16 dev eth0 proto kernel scope link src 172.18.0.3 
#> 172.19.0.0/16 via 172.18.0.4 dev eth0 
exit
docker container exec -it myclient2 ping -c 1 172.18.0.3
#> PING 172.18.0.3 (172.18.0.3) 56(84) bytes of data.
#> 64 bytes from 172.18.0.3: icmp_seq=1 ttl=63 time={} ms
#> 
#> --- 172.18.0.3 ping statistics ---
#> 1 packets transmitted, 1 received, 0% packet loss, time 0ms
#> rtt min/avg/max/mdev = {} ms
