#! description: 003 (iThome, Day 29) pasted as a reader copies it: `ubuntu@ip-xxx:~$` and `root@ip-xxx:/home/ubuntu#` prompts, `sudo`, tcpdump in the foreground of another terminal stopped with ^C, a shell opened in ns1 with `ip netns exec ns1 bash`, options after tcpdump's filter and after ping's address.
#! seed: 1
# The author's machine as Days 26-28 left it (not in this page): an EC2 host whose ens5
# leads to the Internet, a bridge docker1 with ns1 on it. nslab's stand-in for the
# Internet is a namespace "internet" holding 8.8.8.8.
ubuntu@ip-xxx:~$ sudo ip netns add internet
ubuntu@ip-xxx:~$ sudo ip link add ens5 type veth peer name eth0
ubuntu@ip-xxx:~$ sudo ip link set eth0 netns internet
ubuntu@ip-xxx:~$ sudo ip netns exec internet ip link set eth0 up
ubuntu@ip-xxx:~$ sudo ip netns exec internet ip addr add 172.31.48.1/20 dev eth0
ubuntu@ip-xxx:~$ sudo ip netns exec internet ip addr add 8.8.8.8/32 dev lo
ubuntu@ip-xxx:~$ sudo ip netns exec internet ip link set lo up
ubuntu@ip-xxx:~$ sudo ip addr add 172.31.59.121/20 dev ens5
ubuntu@ip-xxx:~$ sudo ip link set ens5 up
ubuntu@ip-xxx:~$ sudo ip route add default via 172.31.48.1
ubuntu@ip-xxx:~$ sudo ip netns add ns1
ubuntu@ip-xxx:~$ sudo ip link add docker1 type bridge
ubuntu@ip-xxx:~$ sudo ip addr add 172.18.0.1/24 dev docker1
ubuntu@ip-xxx:~$ sudo ip link set docker1 up
ubuntu@ip-xxx:~$ sudo ip link add veth-ns1 type veth peer name veth-ns1-br
ubuntu@ip-xxx:~$ sudo ip link set veth-ns1 netns ns1
ubuntu@ip-xxx:~$ sudo ip link set veth-ns1-br master docker1
ubuntu@ip-xxx:~$ sudo ip link set veth-ns1-br up
ubuntu@ip-xxx:~$ sudo ip netns exec ns1 ip addr add 172.18.0.2/24 dev veth-ns1
ubuntu@ip-xxx:~$ sudo ip netns exec ns1 ip link set veth-ns1 up
ubuntu@ip-xxx:~$ sudo ip netns exec ns1 ip link set lo up
ubuntu@ip-xxx:~$ sudo ip netns exec ns1 ip route add default via 172.18.0.1
ubuntu@ip-xxx:~$ sudo sysctl -w net.ipv4.ip_forward=1
net.ipv4.ip_forward = 1
# The page from here on.
# 在 host ping 8.8.8.8,並錄製封包:
ubuntu@ip-xxx:~$ sudo tcpdump -i ens5 icmp -nn
tcpdump: verbose output suppressed, use -v or -vv for full protocol decode
listening on ens5, link-type EN10MB (Ethernet), capture size 262144 bytes
# 可以觀察到 src IP 是 172.31.59.121
14:09:49.421981 IP 172.31.59.121 > 8.8.8.8: ICMP echo request, id 58, seq 1, length 64
14:09:49.431320 IP 8.8.8.8 > 172.31.59.121: ICMP echo reply, id 58, seq 1, length 64
14:09:50.423668 IP 172.31.59.121 > 8.8.8.8: ICMP echo request, id 58, seq 2, length 64
14:09:50.432716 IP 8.8.8.8 > 172.31.59.121: ICMP echo reply, id 58, seq 2, length 64
^C
4 packets captured
4 packets received by filter
0 packets dropped by kernel
ubuntu@ip-xxx:~$ sudo iptables -t nat -I POSTROUTING -s 172.18.0.0/24 -o ens5 -j MASQUERADE
ubuntu@ip-xxx:~$ sudo ip netns exec ns1 bash
root@ip-xxx:/home/ubuntu# ping 8.8.8.8 -c 2
PING 8.8.8.8 (8.8.8.8) 56(84) bytes of data.
64 bytes from 8.8.8.8: icmp_seq=1 ttl=42 time=7.54 ms
64 bytes from 8.8.8.8: icmp_seq=2 ttl=42 time=7.53 ms

--- 8.8.8.8 ping statistics ---
2 packets transmitted, 2 received, 0% packet loss, time 1002ms
rtt min/avg/max/mdev = 7.526/7.535/7.544/0.009 ms
root@ip-xxx:/home/ubuntu# exit
ubuntu@ip-xxx:~$ sudo tcpdump -i ens5 icmp -nn
tcpdump: verbose output suppressed, use -v or -vv for full protocol decode
listening on ens5, link-type EN10MB (Ethernet), capture size 262144 bytes
15:32:17.373878 IP 172.31.59.121 > 8.8.8.8: ICMP echo request, id 33016, seq 1, length 64
15:32:17.381461 IP 8.8.8.8 > 172.31.59.121: ICMP echo reply, id 33016, seq 1, length 64
15:32:18.375689 IP 172.31.59.121 > 8.8.8.8: ICMP echo request, id 33016, seq 2, length 64
15:32:18.383174 IP 8.8.8.8 > 172.31.59.121: ICMP echo reply, id 33016, seq 2, length 64
^C
4 packets captured
4 packets received by filter
0 packets dropped by kernel
