# E17 — `-m limit`: a token bucket in a rule, as iptables-nft 1.8.9 hands it to the kernel
# (nft's own `limit` expression: `rate/unit` and `burst`, run in nanoseconds).
# Source: iptables-extensions(8) "limit"; libxt_limit.c (parse_rate, print_rate); nft_limit.c.
# (iptables' own refusals — a bad rate, a rate too fast, a negated limit — are tested with
# the machine's words in sim-nodes' netfilter::cli.)
#! description: E17 limit: `-m limit --limit 1/min --limit-burst 3` lets the first three pings through and drops the rest (the bucket starts full and refills one packet a minute); `--limit 4/sec --limit-burst 1` lets one ping through every 250 ms of the ping's 100-ms beat. How -L, -L -v and -S show a limit (the unit chosen as print_rate chooses it, the burst shown only when it is not 5).
#! seed: 17

$ ip netns add c
$ ip netns add s
$ ip link add c0 type veth peer name s0
$ ip link set c0 netns c
$ ip link set s0 netns s
$ ip -n c link set c0 up
$ ip -n s link set s0 up
$ ip -n c addr add 10.0.0.1/24 dev c0
$ ip -n s addr add 10.0.0.2/24 dev s0

# Three pings in a burst, then one a minute: six pings 200 ms apart, three answers.
$ ip netns exec s iptables -A INPUT -p icmp --icmp-type echo-request -m limit --limit 1/min --limit-burst 3 -j ACCEPT
$ ip netns exec s iptables -A INPUT -p icmp --icmp-type echo-request -j DROP
$ ip netns exec c ping -c 6 -i 0.2 10.0.0.2
PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.
64 bytes from 10.0.0.2: icmp_seq=1 ttl=64 time={} ms
64 bytes from 10.0.0.2: icmp_seq=2 ttl=64 time={} ms
64 bytes from 10.0.0.2: icmp_seq=3 ttl=64 time={} ms

--- 10.0.0.2 ping statistics ---
6 packets transmitted, 3 received, 50% packet loss, time {}ms
rtt min/avg/max/mdev = {} ms
$ ip netns exec s iptables -L INPUT -n -v
Chain INPUT (policy ACCEPT 0 packets, 0 bytes)
 pkts bytes target     prot opt in     out     source               destination         
    3   252 ACCEPT     1    --  *      *       0.0.0.0/0            0.0.0.0/0            icmptype 8 limit: avg 1/min burst 3
    3   252 DROP       1    --  *      *       0.0.0.0/0            0.0.0.0/0            icmptype 8
$ ip netns exec s iptables -F INPUT

# 4 a second with no burst: a token every 250 ms, pings every 100 ms — the bucket holds
# one token, so a ping finds one 300 ms after the last that took one: seven of twenty
# (the kernel's ping drifts a little; the count is compared within a tolerance).
$ ip netns exec s iptables -A INPUT -p icmp -m limit --limit 4/sec --limit-burst 1 -j ACCEPT
$ ip netns exec s iptables -A INPUT -p icmp -j DROP
$ ip netns exec c ping -q -c 20 -i 0.1 10.0.0.2
PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.

--- 10.0.0.2 ping statistics ---
20 packets transmitted, 7 received, 65% packet loss, time {}ms
rtt min/avg/max/mdev = {} ms
#! within: 15% 20 packets transmitted, {} received, {}% packet loss, time {}ms -- the kernel's pings drift a little from the 100-ms beat, so a token now and then comes just before or just after one

# How they show: the largest unit the rate is whole in, the burst only when not 5.
$ ip netns exec s iptables -F INPUT
$ ip netns exec s iptables -A INPUT -m limit
$ ip netns exec s iptables -A INPUT -m limit --limit 90/minute --limit-burst 7 -m comment --comment slow
$ ip netns exec s iptables -A INPUT -m limit --limit 2/d
$ ip netns exec s iptables -A INPUT -m limit --limit 1000/s --limit-burst 0
$ ip netns exec s iptables -S INPUT
-P INPUT ACCEPT
-A INPUT -m limit --limit 3/hour
-A INPUT -m limit --limit 90/min --limit-burst 7 -m comment --comment slow
-A INPUT -m limit --limit 2/day
-A INPUT -m limit --limit 1000/sec
$ ip netns exec s iptables -L INPUT -n
Chain INPUT (policy ACCEPT)
target     prot opt source               destination         
           0    --  0.0.0.0/0            0.0.0.0/0            limit: avg 3/hour burst 5
           0    --  0.0.0.0/0            0.0.0.0/0            limit: avg 90/min burst 7 /* slow */
           0    --  0.0.0.0/0            0.0.0.0/0            limit: avg 2/day burst 5
           0    --  0.0.0.0/0            0.0.0.0/0            limit: avg 1000/sec burst 5

