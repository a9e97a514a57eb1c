# E14 — arping (iputils 20221126) between two namespaces on a veth pair.
# Every run's output, exit status and frames agree with the kernel on the reference machine
# (`nslab diff`, times masked); the frames are captured on the peer, ns2.
#! description: E14: arping's probes (the first broadcast, later ones unicast to the MAC that answered), -U, -A, duplicate address detection (-D), -f, -q, -b, -w, -s, a device from the route, Ctrl-C, and the errors for a source, device or route arping cannot use.
#! seed: 14

$ ip netns add ns1
$ ip netns add ns2
$ ip link add ns1-veth0 type veth peer name ns2-veth0
$ ip link set ns1-veth0 netns ns1
$ ip link set ns2-veth0 netns ns2
$ ip netns exec ns1 ip link set dev ns1-veth0 address 00:00:5E:00:53:01
$ ip netns exec ns2 ip link set dev ns2-veth0 address 00:00:5E:00:53:02
$ ip netns exec ns1 ip addr add 192.0.2.1/24 dev ns1-veth0
$ ip netns exec ns2 ip addr add 192.0.2.2/24 dev ns2-veth0
$ ip netns exec ns1 ip link set ns1-veth0 up
$ ip netns exec ns2 ip link set ns2-veth0 up

# What ns2 sees of all the runs below. arping's broadcast probes ask for the target with
# ff:ff:ff:ff:ff:ff as the target hardware address (the kernel's own requests put zeros
# there, which tcpdump does not print).
$ ip netns exec ns2 tcpdump -tnel -i ns2-veth0 arp &
tcpdump: verbose output suppressed, use -v[v]... for full protocol decode
listening on ns2-veth0, link-type EN10MB (Ethernet), snapshot length 262144 bytes
00:00:5e:00:53:01 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 192.0.2.2 (ff:ff:ff:ff:ff:ff) tell 192.0.2.1, length 28
00:00:5e:00:53:02 > 00:00:5e:00:53:01, ethertype ARP (0x0806), length 42: Reply 192.0.2.2 is-at 00:00:5e:00:53:02, length 28
00:00:5e:00:53:01 > 00:00:5e:00:53:02, ethertype ARP (0x0806), length 42: Request who-has 192.0.2.2 (00:00:5e:00:53:02) tell 192.0.2.1, length 28
00:00:5e:00:53:02 > 00:00:5e:00:53:01, ethertype ARP (0x0806), length 42: Reply 192.0.2.2 is-at 00:00:5e:00:53:02, length 28
00:00:5e:00:53:01 > 00:00:5e:00:53:02, ethertype ARP (0x0806), length 42: Request who-has 192.0.2.2 (00:00:5e:00:53:02) tell 192.0.2.1, length 28
00:00:5e:00:53:02 > 00:00:5e:00:53:01, ethertype ARP (0x0806), length 42: Reply 192.0.2.2 is-at 00:00:5e:00:53:02, length 28
00:00:5e:00:53:01 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 192.0.2.2 (ff:ff:ff:ff:ff:ff) tell 192.0.2.1, length 28
00:00:5e:00:53:02 > 00:00:5e:00:53:01, ethertype ARP (0x0806), length 42: Reply 192.0.2.2 is-at 00:00:5e:00:53:02, length 28
00:00:5e:00:53:01 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 192.0.2.99 (ff:ff:ff:ff:ff:ff) tell 192.0.2.1, length 28
00:00:5e:00:53:01 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 192.0.2.99 (ff:ff:ff:ff:ff:ff) tell 192.0.2.1, length 28
00:00:5e:00:53:01 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 192.0.2.1 (ff:ff:ff:ff:ff:ff) tell 192.0.2.1, length 28
00:00:5e:00:53:01 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 192.0.2.1 (ff:ff:ff:ff:ff:ff) tell 192.0.2.1, length 28
00:00:5e:00:53:01 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Reply 192.0.2.1 is-at 00:00:5e:00:53:01, length 28
00:00:5e:00:53:01 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 192.0.2.2 (ff:ff:ff:ff:ff:ff) tell 0.0.0.0, length 28
00:00:5e:00:53:02 > 00:00:5e:00:53:01, ethertype ARP (0x0806), length 42: Reply 192.0.2.2 is-at 00:00:5e:00:53:02, length 28
00:00:5e:00:53:01 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 192.0.2.77 (ff:ff:ff:ff:ff:ff) tell 0.0.0.0, length 28
00:00:5e:00:53:01 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 192.0.2.77 (ff:ff:ff:ff:ff:ff) tell 0.0.0.0, length 28
00:00:5e:00:53:01 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 192.0.2.2 (ff:ff:ff:ff:ff:ff) tell 192.0.2.1, length 28
00:00:5e:00:53:02 > 00:00:5e:00:53:01, ethertype ARP (0x0806), length 42: Reply 192.0.2.2 is-at 00:00:5e:00:53:02, length 28
00:00:5e:00:53:01 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 192.0.2.2 (ff:ff:ff:ff:ff:ff) tell 192.0.2.1, length 28
00:00:5e:00:53:02 > 00:00:5e:00:53:01, ethertype ARP (0x0806), length 42: Reply 192.0.2.2 is-at 00:00:5e:00:53:02, length 28
00:00:5e:00:53:01 > 00:00:5e:00:53:02, ethertype ARP (0x0806), length 42: Request who-has 192.0.2.2 (00:00:5e:00:53:02) tell 192.0.2.1, length 28
00:00:5e:00:53:02 > 00:00:5e:00:53:01, ethertype ARP (0x0806), length 42: Reply 192.0.2.2 is-at 00:00:5e:00:53:02, length 28
00:00:5e:00:53:01 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 192.0.2.2 (ff:ff:ff:ff:ff:ff) tell 192.0.2.1, length 28
00:00:5e:00:53:02 > 00:00:5e:00:53:01, ethertype ARP (0x0806), length 42: Reply 192.0.2.2 is-at 00:00:5e:00:53:02, length 28
00:00:5e:00:53:01 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 192.0.2.2 (ff:ff:ff:ff:ff:ff) tell 192.0.2.1, length 28
00:00:5e:00:53:02 > 00:00:5e:00:53:01, ethertype ARP (0x0806), length 42: Reply 192.0.2.2 is-at 00:00:5e:00:53:02, length 28
00:00:5e:00:53:01 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 192.0.2.2 (ff:ff:ff:ff:ff:ff) tell 192.0.2.1, length 28
00:00:5e:00:53:02 > 00:00:5e:00:53:01, ethertype ARP (0x0806), length 42: Reply 192.0.2.2 is-at 00:00:5e:00:53:02, length 28
00:00:5e:00:53:01 > 00:00:5e:00:53:02, ethertype ARP (0x0806), length 42: Request who-has 192.0.2.2 (00:00:5e:00:53:02) tell 192.0.2.1, length 28
00:00:5e:00:53:02 > 00:00:5e:00:53:01, ethertype ARP (0x0806), length 42: Reply 192.0.2.2 is-at 00:00:5e:00:53:02, length 28
00:00:5e:00:53:01 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 192.0.2.2 (ff:ff:ff:ff:ff:ff) tell 192.0.2.1, length 28
00:00:5e:00:53:02 > 00:00:5e:00:53:01, ethertype ARP (0x0806), length 42: Reply 192.0.2.2 is-at 00:00:5e:00:53:02, length 28
00:00:5e:00:53:01 > 00:00:5e:00:53:02, ethertype ARP (0x0806), length 42: Request who-has 192.0.2.2 (00:00:5e:00:53:02) tell 192.0.2.1, length 28
00:00:5e:00:53:02 > 00:00:5e:00:53:01, ethertype ARP (0x0806), length 42: Reply 192.0.2.2 is-at 00:00:5e:00:53:02, length 28
00:00:5e:00:53:01 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 192.0.2.99 (ff:ff:ff:ff:ff:ff) tell 192.0.2.1, length 28
00:00:5e:00:53:01 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 192.0.2.99 (ff:ff:ff:ff:ff:ff) tell 192.0.2.1, length 28
00:00:5e:00:53:01 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 192.0.2.99 (ff:ff:ff:ff:ff:ff) tell 192.0.2.1, length 28
00:00:5e:00:53:01 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 192.0.2.2 (ff:ff:ff:ff:ff:ff) tell 192.0.2.1, length 28
00:00:5e:00:53:02 > 00:00:5e:00:53:01, ethertype ARP (0x0806), length 42: Reply 192.0.2.2 is-at 00:00:5e:00:53:02, length 28
00:00:5e:00:53:01 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 192.0.2.2 (ff:ff:ff:ff:ff:ff) tell 192.0.2.1, length 28
00:00:5e:00:53:02 > 00:00:5e:00:53:01, ethertype ARP (0x0806), length 42: Reply 192.0.2.2 is-at 00:00:5e:00:53:02, length 28
00:00:5e:00:53:01 > 00:00:5e:00:53:02, ethertype ARP (0x0806), length 42: Request who-has 192.0.2.2 (00:00:5e:00:53:02) tell 192.0.2.1, length 28
00:00:5e:00:53:02 > 00:00:5e:00:53:01, ethertype ARP (0x0806), length 42: Reply 192.0.2.2 is-at 00:00:5e:00:53:02, length 28
00:00:5e:00:53:01 > 00:00:5e:00:53:02, ethertype ARP (0x0806), length 42: Request who-has 192.0.2.2 (00:00:5e:00:53:02) tell 192.0.2.1, length 28
00:00:5e:00:53:02 > 00:00:5e:00:53:01, ethertype ARP (0x0806), length 42: Reply 192.0.2.2 is-at 00:00:5e:00:53:02, length 28
46 packets captured
46 packets received by filter
0 packets dropped by kernel

# Three probes a second apart; the first is broadcast, the next two go to the MAC that
# answered. arping ends 1 s after the last probe. The time is iputils' own: the RTT plus
# 500 µs.
$ ip netns exec ns1 arping -c 3 -I ns1-veth0 192.0.2.2
ARPING 192.0.2.2 from 192.0.2.1 ns1-veth0
Unicast reply from 192.0.2.2 [00:00:5E:00:53:02]  {}ms
Unicast reply from 192.0.2.2 [00:00:5E:00:53:02]  {}ms
Unicast reply from 192.0.2.2 [00:00:5E:00:53:02]  {}ms
Sent 3 probes (1 broadcast(s))
Received 3 response(s)
#! exit: 0

# Without -I the device is the route's.
$ ip netns exec ns1 arping -c 1 192.0.2.2
ARPING 192.0.2.2 from 192.0.2.1 ns1-veth0
Unicast reply from 192.0.2.2 [00:00:5E:00:53:02]  {}ms
Sent 1 probes (1 broadcast(s))
Received 1 response(s)

# Nobody has 192.0.2.99: every probe is broadcast, and no reply is exit 1.
$ ip netns exec ns1 arping -c 2 -I ns1-veth0 192.0.2.99
ARPING 192.0.2.99 from 192.0.2.1 ns1-veth0
Sent 2 probes (2 broadcast(s))
Received 0 response(s)
#! exit: 1

# Unsolicited ARP (gratuitous): our own address as sender and target; no reply expected,
# exit 0. -A sends the same as ARP replies.
$ ip netns exec ns1 arping -c 2 -U -I ns1-veth0 192.0.2.1
ARPING 192.0.2.1 from 192.0.2.1 ns1-veth0
Sent 2 probes (2 broadcast(s))
Received 0 response(s)
#! exit: 0
$ ip netns exec ns1 arping -c 1 -A -I ns1-veth0 192.0.2.1
ARPING 192.0.2.1 from 192.0.2.1 ns1-veth0
Sent 1 probes (1 broadcast(s))
Received 0 response(s)
#! exit: 0

# Duplicate address detection: sender 0.0.0.0. ns2's kernel answers for its address
# (unicast, target 0.0.0.0), arping stops at once and says "in use" with exit 1; a free
# address gets no answer and exit 0.
$ ip netns exec ns1 arping -c 2 -D -I ns1-veth0 192.0.2.2
ARPING 192.0.2.2 from 0.0.0.0 ns1-veth0
Unicast reply from 192.0.2.2 [00:00:5E:00:53:02]  {}ms
Sent 1 probes (1 broadcast(s))
Received 1 response(s)
#! exit: 1
$ ip netns exec ns1 arping -c 2 -D -I ns1-veth0 192.0.2.77
ARPING 192.0.2.77 from 0.0.0.0 ns1-veth0
Sent 2 probes (2 broadcast(s))
Received 0 response(s)
#! exit: 0

# -f: stop at the first reply. -q: print nothing. -b: keep broadcasting.
$ ip netns exec ns1 arping -f -I ns1-veth0 192.0.2.2
ARPING 192.0.2.2 from 192.0.2.1 ns1-veth0
Unicast reply from 192.0.2.2 [00:00:5E:00:53:02]  {}ms
Sent 1 probes (1 broadcast(s))
Received 1 response(s)
#! exit: 0
$ ip netns exec ns1 arping -q -c 2 -I ns1-veth0 192.0.2.2
#! exit: 0
$ ip netns exec ns1 arping -b -c 2 -I ns1-veth0 192.0.2.2
ARPING 192.0.2.2 from 192.0.2.1 ns1-veth0
Unicast reply from 192.0.2.2 [00:00:5E:00:53:02]  {}ms
Unicast reply from 192.0.2.2 [00:00:5E:00:53:02]  {}ms
Sent 2 probes (2 broadcast(s))
Received 2 response(s)
#! exit: 0

# -w with -c: done as soon as COUNT replies came. -w alone: a probe each interval until
# the deadline (here at 0 and 2 s, the deadline at 3; where a probe falls on the deadline,
# as with `-w 2 -i 1`, whether Linux reads its reply is a race between two timerfds set
# microseconds apart and the reply).
$ ip netns exec ns1 arping -c 2 -w 10 -I ns1-veth0 192.0.2.2
ARPING 192.0.2.2 from 192.0.2.1 ns1-veth0
Unicast reply from 192.0.2.2 [00:00:5E:00:53:02]  {}ms
Unicast reply from 192.0.2.2 [00:00:5E:00:53:02]  {}ms
Sent 2 probes (1 broadcast(s))
Received 2 response(s)
#! exit: 0
$ ip netns exec ns1 arping -w 3 -i 2 -I ns1-veth0 192.0.2.2
ARPING 192.0.2.2 from 192.0.2.1 ns1-veth0
Unicast reply from 192.0.2.2 [00:00:5E:00:53:02]  {}ms
Unicast reply from 192.0.2.2 [00:00:5E:00:53:02]  {}ms
Sent 2 probes (1 broadcast(s))
Received 2 response(s)
#! exit: 0
$ ip netns exec ns1 arping -w 2 -I ns1-veth0 192.0.2.99
ARPING 192.0.2.99 from 192.0.2.1 ns1-veth0
Sent 3 probes (3 broadcast(s))
Received 0 response(s)
#! exit: 1
$ ip netns exec ns1 arping -c 1 -s 192.0.2.1 -I ns1-veth0 192.0.2.2
ARPING 192.0.2.2 from 192.0.2.1 ns1-veth0
Unicast reply from 192.0.2.2 [00:00:5E:00:53:02]  {}ms
Sent 1 probes (1 broadcast(s))
Received 1 response(s)
#! exit: 0

# Until Ctrl-C, which prints the summary as the end of a count does.
$ ip netns exec ns1 arping -I ns1-veth0 192.0.2.2 &
ARPING 192.0.2.2 from 192.0.2.1 ns1-veth0
Unicast reply from 192.0.2.2 [00:00:5E:00:53:02]  {}ms
Unicast reply from 192.0.2.2 [00:00:5E:00:53:02]  {}ms
Unicast reply from 192.0.2.2 [00:00:5E:00:53:02]  {}ms
Sent 3 probes (1 broadcast(s))
Received 3 response(s)
$ sleep 2.5
$ kill %2

# A source that is not ours (with -U the target is the source), a device that is not
# there or down, no route: errors, nothing sent.
$ ip netns exec ns1 arping -c 1 -s 192.0.2.9 -I ns1-veth0 192.0.2.2
arping: bind: Cannot assign requested address
#! exit: 2
$ ip netns exec ns1 arping -c 1 -U -I ns1-veth0 192.0.2.2
arping: bind: Cannot assign requested address
#! exit: 2
$ ip netns exec ns1 arping -c 1 -I nosuch 192.0.2.2
arping: Device nosuch not available.
#! exit: 2
$ ip netns exec ns1 arping -c 1 -I lo 127.0.0.1
Interface "lo" is down
#! exit: 2
$ ip netns exec ns1 arping -c 1 198.51.100.1
arping: NETLINK_ROUTE unexpected iov element
#! exit: 1

# arping's frames taught ns1's kernel nothing (replies it did not ask for are not
# learned: arp_accept=0); ns2 learned ns1 from the requests, and not from the DAD probes.
$ ip netns exec ns1 ip neigh
$ ip netns exec ns2 ip neigh
192.0.2.1 dev ns2-veth0 lladdr 00:00:5e:00:53:01 STALE
