# E19 across a bridge that passes its frames through iptables (br_netfilter). Linux puts
# the fragments of a bridged IPv4 datagram together before conntrack and iptables see it
# (`br_nf_pre_routing` → `nf_defrag_ipv4`), then cuts it again to the largest fragment that
# came (`br_nf_dev_queue_xmit`): conntrack tracks the whole echo, so a rule dropping
# INVALID packets lets it through and the far host sees the same fragments as were sent.
# Sources: net/bridge/br_netfilter_hooks.c, net/ipv4/netfilter/nf_defrag_ipv4.c.
#! description: E19 (bridge): a and b on the bridge br0 in the namespace sw, which runs bridged IPv4 through iptables with `-m conntrack --ctstate INVALID -j DROP` in FORWARD. `ping -s 3000` crosses in three fragments each way; conntrack holds one ICMP flow, the INVALID rule counts nothing, and b receives the fragments as a sent them.
#! seed: 19

$ ip netns add a
$ ip netns add b
$ ip netns add sw
$ ip -n sw link add br0 type bridge
$ ip -n sw link add pa type veth peer name va netns a
$ ip -n sw link add pb type veth peer name vb netns b
$ ip netns exec a sysctl -w net.ipv6.conf.va.disable_ipv6=1
net.ipv6.conf.va.disable_ipv6 = 1
$ ip netns exec b sysctl -w net.ipv6.conf.vb.disable_ipv6=1
net.ipv6.conf.vb.disable_ipv6 = 1
$ ip netns exec sw sysctl -w net.ipv6.conf.pa.disable_ipv6=1
net.ipv6.conf.pa.disable_ipv6 = 1
$ ip netns exec sw sysctl -w net.ipv6.conf.pb.disable_ipv6=1
net.ipv6.conf.pb.disable_ipv6 = 1
$ ip netns exec sw sysctl -w net.ipv6.conf.br0.disable_ipv6=1
net.ipv6.conf.br0.disable_ipv6 = 1
$ ip -n a link set va address 02:00:00:00:00:0a
$ ip -n b link set vb address 02:00:00:00:00:0b
$ ip -n sw link set pa master br0
$ ip -n sw link set pb master br0
$ ip -n sw link set br0 up
$ ip -n sw link set pa up
$ ip -n sw link set pb up
$ ip -n a link set va up
$ ip -n b link set vb up
$ ip -n a addr add 192.0.2.1/24 dev va
$ ip -n b addr add 192.0.2.2/24 dev vb
# Neighbours pinned: no ARP frame in the captures.
$ ip -n a neigh add 192.0.2.2 lladdr 02:00:00:00:00:0b dev va nud permanent
$ ip -n b neigh add 192.0.2.1 lladdr 02:00:00:00:00:0a dev vb nud permanent
$ ip netns exec sw sysctl -w net.bridge.bridge-nf-call-iptables=1
net.bridge.bridge-nf-call-iptables = 1
$ ip netns exec sw iptables -A FORWARD -m conntrack --ctstate INVALID -j DROP

# 3028 bytes of IP over 1500-byte links: 1480 + 1480 + 48 bytes of ICMP behind three
# headers, each way.
$ ip netns exec b tcpdump -tnel -i vb icmp &
#! contains: 02:00:00:00:00:0a > 02:00:00:00:00:0b, ethertype IPv4 (0x0800), length 1514: 192.0.2.1 > 192.0.2.2: ICMP echo request, id {}, seq 1, length 1480
#! contains: 02:00:00:00:00:0a > 02:00:00:00:00:0b, ethertype IPv4 (0x0800), length 1514: 192.0.2.1 > 192.0.2.2: ip-proto-1
#! contains: 02:00:00:00:00:0a > 02:00:00:00:00:0b, ethertype IPv4 (0x0800), length 82: 192.0.2.1 > 192.0.2.2: ip-proto-1
#! contains: 02:00:00:00:00:0b > 02:00:00:00:00:0a, ethertype IPv4 (0x0800), length 1514: 192.0.2.2 > 192.0.2.1: ICMP echo reply, id {}, seq 1, length 1480
$ ip netns exec a ping -c 2 -i 0.3 -s 3000 192.0.2.2
PING 192.0.2.2 (192.0.2.2) 3000(3028) bytes of data.
3008 bytes from 192.0.2.2: icmp_seq=1 ttl=64 time={} ms
3008 bytes from 192.0.2.2: icmp_seq=2 ttl=64 time={} ms

--- 192.0.2.2 ping statistics ---
2 packets transmitted, 2 received, 0% packet loss, time {}ms
rtt min/avg/max/mdev = {} ms
$ sleep 0.5
$ kill %1
$ ip netns exec sw iptables -L FORWARD -v -n
Chain FORWARD (policy ACCEPT 0 packets, 0 bytes)
 pkts bytes target     prot opt in     out     source               destination
    0     0 DROP       0    --  *      *       0.0.0.0/0            0.0.0.0/0            ctstate INVALID
$ ip netns exec sw conntrack -L -p icmp
icmp     1 29 src=192.0.2.1 dst=192.0.2.2 type=8 code=0 id={} src=192.0.2.2 dst=192.0.2.1 type=0 code=0 id={} mark=0 use=1
conntrack v1.4.7 (conntrack-tools): 1 flow entries have been shown.

# The bridge's own stack sees the datagram whole too: a capture on br0 shows one 3042-byte
# frame where the port carried three, and the bridge's reply leaves cut by its own stack.
$ ip -n sw addr add 192.0.2.3/24 dev br0
$ ip netns exec sw tcpdump -tnel -i br0 icmp &
#! contains: 02:00:00:00:00:0a > {}, ethertype IPv4 (0x0800), length 3042: 192.0.2.1 > 192.0.2.3: ICMP echo request, id {}, seq 1, length 3008
#! contains: {} > 02:00:00:00:00:0a, ethertype IPv4 (0x0800), length 82: 192.0.2.3 > 192.0.2.1: ip-proto-1
$ ip netns exec sw tcpdump -tnel -i pa icmp &
#! contains: 02:00:00:00:00:0a > {}, ethertype IPv4 (0x0800), length 82: 192.0.2.1 > 192.0.2.3: ip-proto-1
$ ip netns exec a ping -c 1 -s 3000 192.0.2.3
PING 192.0.2.3 (192.0.2.3) 3000(3028) bytes of data.
3008 bytes from 192.0.2.3: icmp_seq=1 ttl=64 time={} ms

--- 192.0.2.3 ping statistics ---
1 packets transmitted, 1 received, 0% packet loss, time {}ms
rtt min/avg/max/mdev = {} ms
$ sleep 0.5
$ kill %2
$ kill %3

$ ip netns delete a
$ ip netns delete b
$ ip netns delete sw
