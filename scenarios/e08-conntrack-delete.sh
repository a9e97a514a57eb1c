# E8 — Deleting conntrack entries: `conntrack -L` and `-D` with filters, and the [DESTROY] events they cause.
# Source: conntrack(8); the NAT tutorials' "delete the entry so the next packet is NATed anew".
#! description: E8 conntrack -D: a's OUTPUT chain tracks connections; a ping and two UDP datagrams (to ports 53 and 54) make three entries. `-L` with `-s` (an address or a network), `-p udp --dport 53`, `--sport 53` lists what matches the original direction (the ports are options of `-p udp`: before it they are unknown options). `-D` prints each entry it deletes as `-L` would, then the count; `conntrack -E` sees a [DESTROY] for each with `[USERSPACE] portid=N` (conntrack's second netlink socket, whose port id the kernel draws at random, so no progname; on the kernel the port is sometimes the pid, and conntrack then names itself, depending on when its first socket's port is released). Deleting nothing is conntrack's exit status 1.
#! seed: 8

$ ip netns add a
$ ip netns add b
$ ip link add v0 netns a type veth peer name v1 netns b
$ ip -n a addr add 10.0.0.1/24 dev v0
$ ip -n b addr add 10.0.0.2/24 dev v1
$ ip -n a link set v0 up
$ ip -n b link set v1 up
$ ip netns exec a iptables -A OUTPUT -m conntrack --ctstate NEW -j ACCEPT
$ ip netns exec a conntrack -E &
#! contains: [DESTROY] udp      17 29 src=10.0.0.1 dst=10.0.0.2 sport={} dport=53 [UNREPLIED] src=10.0.0.2 dst=10.0.0.1 sport=53 dport={} [USERSPACE] portid={}
#! contains: [DESTROY] icmp     1 29 src=10.0.0.1 dst=10.0.0.2 type=8 code=0 id={} src=10.0.0.2 dst=10.0.0.1 type=0 code=0 id={} [USERSPACE] portid={}
#! contains: conntrack v1.4.7 (conntrack-tools): 7 flow events have been shown.
#! lacks: {}progname{}
#! within: 25% {}[DESTROY]{} -- a [DESTROY] from -D shows the time the entry had left, which on the kernel follows the machine's clock: under the parity suite's load the steps take seconds longer (28 seen for 29)
$ ip netns exec a ping -c 1 -q 10.0.0.2
PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.

--- 10.0.0.2 ping statistics ---
1 packets transmitted, 1 received, 0% packet loss, time 0ms
rtt min/avg/max/mdev = 0.040/0.040/0.040/0.000 ms
$ echo x | ip netns exec a nc -u -w 1 10.0.0.2 53
Ncat: Connection refused.
$ echo x | ip netns exec a nc -u -w 1 10.0.0.2 54
Ncat: Connection refused.
# Three flows: an ICMP echo, and two UDP datagrams that met closed ports.
$ ip netns exec a conntrack -L
icmp     1 29 src=10.0.0.1 dst=10.0.0.2 type=8 code=0 id={} src=10.0.0.2 dst=10.0.0.1 type=0 code=0 id={} mark=0 use=1
udp      17 29 src=10.0.0.1 dst=10.0.0.2 sport={} dport=53 [UNREPLIED] src=10.0.0.2 dst=10.0.0.1 sport=53 dport={} mark=0 use=1
udp      17 30 src=10.0.0.1 dst=10.0.0.2 sport={} dport=54 [UNREPLIED] src=10.0.0.2 dst=10.0.0.1 sport=54 dport={} mark=0 use=1
conntrack v1.4.7 (conntrack-tools): 3 flow entries have been shown.
$ ip netns exec a conntrack -L -s 10.0.0.1 -p udp --dport 53
udp      17 29 src=10.0.0.1 dst=10.0.0.2 sport={} dport=53 [UNREPLIED] src=10.0.0.2 dst=10.0.0.1 sport=53 dport={} mark=0 use=1
conntrack v1.4.7 (conntrack-tools): 1 flow entries have been shown.
$ ip netns exec a conntrack -L -s 10.0.0.0/24 -p icmp
icmp     1 29 src=10.0.0.1 dst=10.0.0.2 type=8 code=0 id={} src=10.0.0.2 dst=10.0.0.1 type=0 code=0 id={} mark=0 use=1
conntrack v1.4.7 (conntrack-tools): 1 flow entries have been shown.
$ ip netns exec a conntrack -L -p udp --sport 53
conntrack v1.4.7 (conntrack-tools): 0 flow entries have been shown.
# Delete the DNS one: printed as it was, then counted.
$ ip netns exec a conntrack -D -p udp --dport 53
udp      17 29 src=10.0.0.1 dst=10.0.0.2 sport={} dport=53 [UNREPLIED] src=10.0.0.2 dst=10.0.0.1 sport=53 dport={} mark=0 use=1
conntrack v1.4.7 (conntrack-tools): 1 flow entries have been deleted.
$ ip netns exec a conntrack -L
icmp     1 29 src=10.0.0.1 dst=10.0.0.2 type=8 code=0 id={} src=10.0.0.2 dst=10.0.0.1 type=0 code=0 id={} mark=0 use=1
udp      17 29 src=10.0.0.1 dst=10.0.0.2 sport={} dport=54 [UNREPLIED] src=10.0.0.2 dst=10.0.0.1 sport=54 dport={} mark=0 use=1
conntrack v1.4.7 (conntrack-tools): 2 flow entries have been shown.
$ ip netns exec a conntrack -D -p icmp
icmp     1 29 src=10.0.0.1 dst=10.0.0.2 type=8 code=0 id={} src=10.0.0.2 dst=10.0.0.1 type=0 code=0 id={} mark=0 use=1
conntrack v1.4.7 (conntrack-tools): 1 flow entries have been deleted.
$ ip netns exec a conntrack -D -d 10.0.0.2
udp      17 29 src=10.0.0.1 dst=10.0.0.2 sport={} dport=54 [UNREPLIED] src=10.0.0.2 dst=10.0.0.1 sport=54 dport={} mark=0 use=1
conntrack v1.4.7 (conntrack-tools): 1 flow entries have been deleted.
# Nothing left to delete: the count is the error.
$ ip netns exec a conntrack -D -d 10.0.0.2
conntrack v1.4.7 (conntrack-tools): 0 flow entries have been deleted.
#! exit: 1
$ kill %1
