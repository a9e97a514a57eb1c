# iptables matches a tutorial reaches for next, as iptables-nft 1.8.9 shows them: a
# comment and a multiport match are shown where they were given among the rule's other
# matches, in `-L` (service names without -n) and `-S`. (That multiport needs a protocol and
# takes at most 15 ports is iptables' own refusal, tested in sim-nodes' netfilter::cli.)
#! description: E17: `-m comment --comment` and `-m multiport --dports|--sports|--ports` (ranges, `!`): what they let through, and how -L, -L -n and -S print them.
#! seed: 17

ip netns add c
ip netns add s
ip link add c0 type veth peer name s0
ip link set c0 netns c
ip link set s0 netns s
ip -n c link set c0 up
ip -n s link set s0 up
ip -n c addr add 10.0.0.1/24 dev c0
ip -n s addr add 10.0.0.2/24 dev s0

ip netns exec s iptables -A INPUT -p tcp -m comment --comment "web in" -m multiport --dports 80,443,8000:8080 -m conntrack --ctstate NEW -j ACCEPT
ip netns exec s iptables -A INPUT -p tcp -m conntrack --ctstate ESTABLISHED -j ACCEPT
ip netns exec s iptables -A INPUT -p tcp -m multiport ! --dports 22 -m comment --comment x -j REJECT
ip netns exec s iptables -A INPUT -p udp --dport 53 -m comment --comment 'dns "q"' -j ACCEPT
ip netns exec s iptables -A INPUT -p udp -m multiport --sports 53,123 -j DROP
ip netns exec s iptables -L INPUT -n
#> Chain INPUT (policy ACCEPT)
#> target     prot opt source               destination         
#> ACCEPT     6    --  0.0.0.0/0            0.0.0.0/0            /* web in */ multiport dports 80,443,8000:8080 ctstate NEW
#> ACCEPT     6    --  0.0.0.0/0            0.0.0.0/0            ctstate ESTABLISHED
#> REJECT     6    --  0.0.0.0/0            0.0.0.0/0            multiport dports  !22 /* x */ reject-with icmp-port-unreachable
#> ACCEPT     17   --  0.0.0.0/0            0.0.0.0/0            udp dpt:53 /* dns "q" */
#> DROP       17   --  0.0.0.0/0            0.0.0.0/0            multiport sports 53,123
ip netns exec s iptables -L INPUT
#> Chain INPUT (policy ACCEPT)
#> target     prot opt source               destination         
#> ACCEPT     tcp  --  anywhere             anywhere             /* web in */ multiport dports http,https,8000:http-alt ctstate NEW
#> ACCEPT     tcp  --  anywhere             anywhere             ctstate ESTABLISHED
#> REJECT     tcp  --  anywhere             anywhere             multiport dports  !ssh /* x */ reject-with icmp-port-unreachable
#> ACCEPT     udp  --  anywhere             anywhere             udp dpt:domain /* dns "q" */
#> DROP       udp  --  anywhere             anywhere             multiport sports domain,ntp
ip netns exec s iptables -S INPUT
#> -P INPUT ACCEPT
#> -A INPUT -p tcp -m comment --comment "web in" -m multiport --dports 80,443,8000:8080 -m conntrack --ctstate NEW -j ACCEPT
#> -A INPUT -p tcp -m conntrack --ctstate ESTABLISHED -j ACCEPT
#> -A INPUT -p tcp -m multiport ! --dports 22 -m comment --comment x -j REJECT --reject-with icmp-port-unreachable
#> -A INPUT -p udp -m udp --dport 53 -m comment --comment "dns \"q\"" -j ACCEPT
#> -A INPUT -p udp -m multiport --sports 53,123 -j DROP

# What they let through: 8080 is in the web range; 22 is not rejected (`! --dports 22`)
# and reaches a port nothing listens on.
ip netns exec s nc -lk 8080 &
#> hello web
echo hello web | ip netns exec c nc 10.0.0.2 8080
echo hello 22 | ip netns exec c nc 10.0.0.2 22
#> Ncat: Connection refused.
#! exit: 1
