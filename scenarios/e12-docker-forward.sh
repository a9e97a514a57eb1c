# E12 — A docker0-style bridge, MASQUERADE on the uplink, and Docker's FORWARD policy.
# Source: seeds/003 (and the days before it in that series).
#! description: E12: ns1 172.18.0.2 and ns2 172.18.0.3 behind the bridge docker1 (172.18.0.1) in the host; the host's uplink ens5 (172.31.59.121/20) leads to the "internet" holding 8.8.8.8. Without NAT the echo requests leave with src 172.18.0.2 and nothing returns; with MASQUERADE they leave as 172.31.59.121 and replies come back. With the FORWARD policy DROP (Docker's default) and bridged traffic passed through iptables (br_netfilter), ns1 reaches neither ns2 nor the outside — though it still reaches the host.
#! seed: 12

$ ip netns add ns1
$ ip netns add ns2
$ ip netns add internet
$ ip link add docker1 type bridge
$ ip addr add 172.18.0.1/24 dev docker1
$ ip link set docker1 up
$ ip link add veth1 type veth peer name veth1-br
$ ip link add veth2 type veth peer name veth2-br
$ ip link set veth1 netns ns1
$ ip link set veth2 netns ns2
$ ip link set veth1-br master docker1
$ ip link set veth2-br master docker1
$ ip link set veth1-br up
$ ip link set veth2-br up
$ ip netns exec ns1 ip addr add 172.18.0.2/24 dev veth1
$ ip netns exec ns2 ip addr add 172.18.0.3/24 dev veth2
$ ip netns exec ns1 ip link set veth1 up
$ ip netns exec ns2 ip link set veth2 up
$ ip netns exec ns1 ip route add default via 172.18.0.1
$ ip netns exec ns2 ip route add default via 172.18.0.1

# The host's uplink and "the internet": 8.8.8.8 answers, but knows no way to 172.18.0.0/24.
$ ip link add ens5 type veth peer name igw
$ ip link set igw netns internet
$ ip addr add 172.31.59.121/20 dev ens5
$ ip link set ens5 up
$ ip netns exec internet ip addr add 172.31.48.1/20 dev igw
$ ip netns exec internet ip addr add 8.8.8.8/32 dev lo
$ ip netns exec internet ip link set igw up
$ ip netns exec internet ip link set lo up
$ ip route add default via 172.31.48.1
$ sysctl -w net.ipv4.ip_forward=1
net.ipv4.ip_forward = 1

$ tcpdump -tnel -i ens5 icmp &
#! contains: {}: 172.18.0.2 > 8.8.8.8: ICMP echo request, id {}, seq 1, length 64
#! contains: {}: 172.31.59.121 > 8.8.8.8: ICMP echo request, id {}, seq 1, length 64
#! contains: {}: 8.8.8.8 > 172.31.59.121: ICMP echo reply, id {}, seq 1, length 64
#! lacks: {}8.8.8.8 > 172.18.0.2{}

# No NAT: out they go with the private source, and nothing comes back.
$ ip netns exec ns1 ping -c 2 8.8.8.8
PING 8.8.8.8 (8.8.8.8) 56(84) bytes of data.

--- 8.8.8.8 ping statistics ---
2 packets transmitted, 0 received, 100% packet loss, time {}ms
#! exit: 1

# The host masquerades what leaves ens5 from the bridge's network.
$ iptables -t nat -I POSTROUTING -s 172.18.0.0/24 -o ens5 -j MASQUERADE
$ iptables -t nat -L POSTROUTING -n
Chain POSTROUTING (policy ACCEPT)
target     prot opt source               destination
MASQUERADE  0    --  172.18.0.0/24        0.0.0.0/0
$ ip netns exec ns1 ping -c 2 8.8.8.8
PING 8.8.8.8 (8.8.8.8) 56(84) bytes of data.
64 bytes from 8.8.8.8: icmp_seq=1 ttl=63 time={} ms
64 bytes from 8.8.8.8: icmp_seq=2 ttl=63 time={} ms

--- 8.8.8.8 ping statistics ---
2 packets transmitted, 2 received, 0% packet loss, time {}ms
rtt min/avg/max/mdev = {} ms

# Docker sets the FORWARD policy to DROP; br_netfilter passes bridged IPv4 through it.
$ sysctl net.bridge.bridge-nf-call-iptables
net.bridge.bridge-nf-call-iptables = 1
$ iptables -P FORWARD DROP
$ ip netns exec ns1 ping -c 2 -W 1 172.18.0.3
PING 172.18.0.3 (172.18.0.3) 56(84) bytes of data.

--- 172.18.0.3 ping statistics ---
2 packets transmitted, 0 received, 100% packet loss, time {}ms
#! exit: 1
$ ip netns exec ns1 ping -c 2 -W 1 8.8.8.8
PING 8.8.8.8 (8.8.8.8) 56(84) bytes of data.

--- 8.8.8.8 ping statistics ---
2 packets transmitted, 0 received, 100% packet loss, time {}ms
#! exit: 1
# The host itself is still reached (INPUT, not FORWARD).
$ ip netns exec ns1 ping -c 1 172.18.0.1
PING 172.18.0.1 (172.18.0.1) 56(84) bytes of data.
64 bytes from 172.18.0.1: icmp_seq=1 ttl=64 time={} ms

--- 172.18.0.1 ping statistics ---
1 packets transmitted, 1 received, 0% packet loss, time 0ms
rtt min/avg/max/mdev = {} ms
$ iptables -L FORWARD -v -n
Chain FORWARD (policy DROP 4 packets, 336 bytes)
 pkts bytes target     prot opt in     out     source               destination
