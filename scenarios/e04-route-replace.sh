# `ip route replace`: the route with the same destination, prefix and metric is replaced,
# or the route added when there is none (NLM_F_REPLACE | NLM_F_CREATE). Source: Linux
# net/ipv4/fib_trie.c (fib_table_insert).
#! description: E4 (replace): a host with two links; `ip route replace default` moves the default route to the other gateway, `replace` of a prefix without a route adds it, the same prefix with another metric is a second route, and `ip route del default` (no nexthop given) removes the default.
#! seed: 4

$ ip netns add c
$ ip -n c link add v0 type veth peer name v1
$ ip -n c link set v0 up
$ ip -n c link set v1 up
$ ip -n c addr add 10.0.0.1/24 dev v0
$ ip -n c addr add 10.0.1.1/24 dev v1
$ ip -n c route add default via 10.0.0.2
$ ip -n c route replace default via 10.0.1.2
$ ip -n c route replace 192.0.2.0/24 dev v0
$ ip -n c route replace 192.0.2.0/24 dev v1 metric 10
$ ip -n c route replace 192.0.2.0/24 via 10.0.0.2
$ ip -n c route
default via 10.0.1.2 dev v1 
10.0.0.0/24 dev v0 proto kernel scope link src 10.0.0.1 
10.0.1.0/24 dev v1 proto kernel scope link src 10.0.1.1 
192.0.2.0/24 via 10.0.0.2 dev v0 
192.0.2.0/24 dev v1 scope link metric 10 
$ ip -n c route add default via 10.0.0.2
#! exit: 2
RTNETLINK answers: File exists
$ ip -n c route del default
$ ip -n c route show
10.0.0.0/24 dev v0 proto kernel scope link src 10.0.0.1 
10.0.1.0/24 dev v1 proto kernel scope link src 10.0.1.1 
192.0.2.0/24 via 10.0.0.2 dev v0 
192.0.2.0/24 dev v1 scope link metric 10 

$ ip netns delete c
