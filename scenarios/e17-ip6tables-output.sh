# ip6tables' OUTPUT sees what the stack sends itself. A host whose OUTPUT drops everything
# but echo requests cannot find its neighbour: its neighbour solicitations are dropped, and
# so is the "address unreachable" it would tell its own ping — ping waits and reports the
# loss. Letting neighbour solicitations out brings the answer back; each rule counts what
# it let out.
# Source: issue 15 (ip6tables filter); ndisc_send_skb and icmp6_send pass NF_INET_LOCAL_OUT;
# checked against Linux with `nslab diff`.
#! description: ip6tables -P OUTPUT DROP with only echo requests allowed: ping -6 to a neighbour loses its request without an error (neighbour solicitations and the address-unreachable error both dropped in OUTPUT); allowing neighbour-solicitation makes it answer; ip6tables -L OUTPUT -v -n counts each rule and the policy.
#! seed: 17

ip netns add a
ip netns add b
ip link add va type veth peer name vb
ip link set va netns a
ip link set vb netns b
ip -n a -6 addr add 2001:db8::1/64 dev va nodad
ip -n b -6 addr add 2001:db8::2/64 dev vb nodad
ip -n a link set lo up
ip -n a link set va up
ip -n b link set vb up
sleep 3
ip netns exec a ip6tables -A OUTPUT -p icmpv6 --icmpv6-type echo-request -j ACCEPT
ip netns exec a ip6tables -P OUTPUT DROP
ip netns exec a ping -6 -c 1 2001:db8::2
#> PING 2001:db8::2(2001:db8::2) 56 data bytes
#>
#> --- 2001:db8::2 ping statistics ---
#> 1 packets transmitted, 0 received, 100% packet loss, time 0ms
#>
#! exit: 1
ip netns exec a ip6tables -I OUTPUT -p icmpv6 --icmpv6-type neighbour-solicitation -j ACCEPT
ip netns exec a ping -6 -c 1 2001:db8::2
#> PING 2001:db8::2(2001:db8::2) 56 data bytes
#> 64 bytes from 2001:db8::2: icmp_seq=1 ttl=64 time={} ms
#>
#> --- 2001:db8::2 ping statistics ---
#> 1 packets transmitted, 1 received, 0% packet loss, time 0ms
#> rtt min/avg/max/mdev = {} ms
ip netns exec a ip6tables -L OUTPUT -v -n
#> Chain OUTPUT (policy DROP {} packets, {} bytes)
#! differs: Chain OUTPUT (policy DROP {} -- besides the three solicitations and the error, the policy drops router solicitations and answers to the neighbour's probes, which come on the kernel's clock
#>  pkts bytes target     prot opt in     out     source               destination         
#>     1    72 ACCEPT     58   --  *      *       ::/0                 ::/0                 ipv6-icmptype 135
#>     2   208 ACCEPT     58   --  *      *       ::/0                 ::/0                 ipv6-icmptype 128
