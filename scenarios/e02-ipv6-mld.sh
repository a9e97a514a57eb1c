# E2 over IPv6 — the MLDv2 reports of an address's solicited-node group: when an address is
# added, its group is joined and a report of every group the interface is in goes to
# ff02::16 twice (CHANGE_TO_EXCLUDE, no sources: "to_ex"); when the last address of the
# group goes, a report of that group alone leaves it twice (CHANGE_TO_INCLUDE, no
# sources: "to_in"). The capture is on the other end, after both links' start-up reports.
# Source: issue 15 (MLD leave reports); net/ipv6/mcast.c (igmp6_group_added,
# igmp6_group_dropped, mld_send_cr); checked against Linux with `nslab diff`.
#! description: E2 over IPv6: adding 2001:db8::99 joins ff02::1:ff00:99 (two reports listing it and the link-local address's group, to_ex); deleting it leaves the group (two reports of it alone, to_in), as tcpdump -v shows on the peer.
#! seed: 2

ip netns add a
ip netns add b
ip link add va type veth peer name vb
ip link set va netns a
ip link set vb netns b
ip -n a link set va address 02:00:00:00:00:01
ip -n b link set vb address 02:00:00:00:00:02
ip -n a link set va up
ip -n b link set vb up
# Start-up (linkwatch, DAD, two reports each) is over well within ten seconds, however
# loaded the machine: no start-up report reaches the capture.
sleep 10
ip netns exec b tcpdump -tnv -c 4 -i vb 'ether dst 33:33:00:00:00:16' &
#> tcpdump: listening on vb, link-type EN10MB (Ethernet), snapshot length 262144 bytes
#> IP6 (hlim 1, next-header Options (0) payload length: 56) fe80::ff:fe00:1 > ff02::16: HBH (rtalert: 0x0000) (padn) [icmp6 sum ok] ICMP6, multicast listener report v2, 2 group record(s) [gaddr ff02::1:ff00:99 to_ex, 0 source(s)] [gaddr ff02::1:ff00:1 to_ex, 0 source(s)]
#> IP6 (hlim 1, next-header Options (0) payload length: 56) fe80::ff:fe00:1 > ff02::16: HBH (rtalert: 0x0000) (padn) [icmp6 sum ok] ICMP6, multicast listener report v2, 2 group record(s) [gaddr ff02::1:ff00:99 to_ex, 0 source(s)] [gaddr ff02::1:ff00:1 to_ex, 0 source(s)]
#> IP6 (hlim 1, next-header Options (0) payload length: 36) fe80::ff:fe00:1 > ff02::16: HBH (rtalert: 0x0000) (padn) [icmp6 sum ok] ICMP6, multicast listener report v2, 1 group record(s) [gaddr ff02::1:ff00:99 to_in, 0 source(s)]
#> IP6 (hlim 1, next-header Options (0) payload length: 36) fe80::ff:fe00:1 > ff02::16: HBH (rtalert: 0x0000) (padn) [icmp6 sum ok] ICMP6, multicast listener report v2, 1 group record(s) [gaddr ff02::1:ff00:99 to_in, 0 source(s)]
#> 4 packets captured
#> 4 packets received by filter
#> 0 packets dropped by kernel
ip -n a -6 addr add 2001:db8::99/64 dev va nodad
sleep 3
ip -n a -6 addr del 2001:db8::99/64 dev va
sleep 3
