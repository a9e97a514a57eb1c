# E11 — A home LAN behind a Linux host, and NAPT to the internet.
# Source: seeds/002 slides 13-34 (Network namespaceで遊ぼう). Also E6's "002 variant": pc,
# printer and the host's own veth3-df as the bridge's third port.
#
# The root namespace is the VM. Its uplink ens4 (10.138.0.3/32, default via 10.138.0.1 as
# on GCP) leads to a namespace standing for the internet, where 1.1.1.1 answers.
#! description: E11: bridge0 joins pc, printer and the host; pc reaches printer and host; 1.1.1.1 is unreachable without a default route, unanswered without NAT, and answered once the host masquerades 10.0.0.0/24 (pc and printer alike leave as the host's uplink address); curl -I to an HTTP server at 1.1.1.1 works from the host, pc and printer, each connection leaving as 10.138.0.3 with a port of its own.
#! seed: 11

# The VM and "the internet" (1.1.1.1 on the far side of the VM's gateway).
$ ip netns add internet
$ ip link add ens4 type veth peer name gw0 netns internet
$ ip link set ens4 up
$ ip addr add 10.138.0.3/32 dev ens4
$ ip route add 10.138.0.1 dev ens4 scope link
$ ip route add default via 10.138.0.1 dev ens4
$ ip -n internet link set gw0 up
$ ip -n internet link set lo up
$ ip -n internet addr add 10.138.0.1/32 dev gw0
$ ip -n internet addr add 1.1.1.1/32 dev lo
$ ip -n internet route add 10.138.0.3 dev gw0
$ ip route
default via 10.138.0.1 dev ens4
10.138.0.1 dev ens4 scope link
$ ping -c 3 1.1.1.1
PING 1.1.1.1 (1.1.1.1) 56(84) bytes of data.
64 bytes from 1.1.1.1: icmp_seq=1 ttl=64 time={} ms
...
3 packets transmitted, 3 received, 0% packet loss, time {}ms
...

$ ip netns show
internet
$ ip netns add pc
$ ip netns add printer
$ ip link add name veth1-pc type veth peer name veth1-br
$ ip link set veth1-pc netns pc
$ ip netns exec pc ip link show
1: lo: <LOOPBACK> mtu 65536 qdisc noop state DOWN mode DEFAULT group default qlen 1000
    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00
{}: veth1-pc@if{}: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000
    link/ether {} brd ff:ff:ff:ff:ff:ff link-netnsid 0
$ ip link add name veth2-printer type veth peer name veth2-br
$ ip link add name veth3-df type veth peer name veth3-br
$ ip link set veth2-printer netns printer
$ brctl addbr bridge0
$ brctl show
bridge name	bridge id		STP enabled	interfaces
bridge0		8000.{}	no		
$ brctl addif bridge0 veth1-br
$ brctl addif bridge0 veth2-br
$ brctl show bridge0
bridge name	bridge id		STP enabled	interfaces
bridge0		8000.{}	no		veth1-br
							veth2-br
$ ip netns exec pc ip address add 10.0.0.1/24 dev veth1-pc
$ ip netns exec printer ip address add 10.0.0.2/24 dev veth2-printer
$ ip link set bridge0 up
$ ip link set veth1-br up
$ ip link set veth2-br up
$ ip netns exec pc ip link set veth1-pc up
$ ip netns exec printer ip link set veth2-printer up
$ ip netns exec pc ping -c 3 10.0.0.2
PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.
64 bytes from 10.0.0.2: icmp_seq=1 ttl=64 time={} ms
64 bytes from 10.0.0.2: icmp_seq=2 ttl=64 time={} ms
64 bytes from 10.0.0.2: icmp_seq=3 ttl=64 time={} ms

--- 10.0.0.2 ping statistics ---
3 packets transmitted, 3 received, 0% packet loss, time {}ms
rtt min/avg/max/mdev = {} ms

# The host joins the LAN through veth3-df / veth3-br.
$ brctl addif bridge0 veth3-br
$ brctl show bridge0
bridge name	bridge id		STP enabled	interfaces
bridge0		8000.{}	no		veth1-br
							veth2-br
							veth3-br
$ ip address add 10.0.0.254/24 dev veth3-df
$ ip link set veth3-br up
$ ip link set veth3-df up
$ ip netns exec pc ping -c 3 10.0.0.254
PING 10.0.0.254 (10.0.0.254) 56(84) bytes of data.
64 bytes from 10.0.0.254: icmp_seq=1 ttl=64 time={} ms
64 bytes from 10.0.0.254: icmp_seq=2 ttl=64 time={} ms
64 bytes from 10.0.0.254: icmp_seq=3 ttl=64 time={} ms

--- 10.0.0.254 ping statistics ---
3 packets transmitted, 3 received, 0% packet loss, time {}ms
rtt min/avg/max/mdev = {} ms

# Outside: no default route yet.
$ ip netns exec pc ping 1.1.1.1
ping: connect: Network is unreachable
#! exit: 2
$ ip netns exec pc ip route show
10.0.0.0/24 dev veth1-pc proto kernel scope link src 10.0.0.1

# Take 2: a default route, but the host neither forwards nor translates. The document
# pressed Ctrl-C after two packets.
$ ip netns exec pc ip route add default via 10.0.0.254
$ ip netns exec pc ip route show
default via 10.0.0.254 dev veth1-pc
10.0.0.0/24 dev veth1-pc proto kernel scope link src 10.0.0.1
$ ip netns exec pc ping 1.1.1.1 &
PING 1.1.1.1 (1.1.1.1) 56(84) bytes of data.

--- 1.1.1.1 ping statistics ---
2 packets transmitted, 0 received, 100% packet loss, time 1000ms
$ sleep 1.5
$ kill %1

# Even with forwarding on, packets leave with the LAN's private source address and the
# internet has no way back to 10.0.0.0/24: still no reply.
$ sysctl -w net.ipv4.ip_forward=1
net.ipv4.ip_forward = 1
$ tcpdump -tnl -i ens4 icmp &
...
IP 10.0.0.1 > 1.1.1.1: ICMP echo request, id {}, seq 1, length 64
IP 10.0.0.1 > 1.1.1.1: ICMP echo request, id {}, seq 2, length 64
...
#! lacks: IP 1.1.1.1 > 10.0.0.1{}
$ ip netns exec pc ping -c 2 1.1.1.1
PING 1.1.1.1 (1.1.1.1) 56(84) bytes of data.

--- 1.1.1.1 ping statistics ---
2 packets transmitted, 0 received, 100% packet loss, time 1000ms
#! exit: 1

# NAPT: the host masquerades what leaves for the internet. The same ping now leaves with
# the host's uplink address, and the replies find their way back to the pc.
$ kill %2
# The document's VM had no br_netfilter. With it loaded (as on a Docker host, and on the
# machine nslab is checked against) bridged frames pass iptables too, and this rule — it
# has no `-o` — would catch the pc's frames on the bridge already and the kernel drops
# them (try it on the kernel: pc's pings go unanswered). As the VM had it, then:
$ sysctl -w net.bridge.bridge-nf-call-iptables=0
net.bridge.bridge-nf-call-iptables = 0
$ iptables -t nat -A POSTROUTING -s 10.0.0.0/24 -j MASQUERADE
$ tcpdump -tnl -i ens4 icmp &
#! contains: IP {} > 1.1.1.1: ICMP echo request, id {}, seq 1, length 64
#! contains: IP 1.1.1.1 > {}: ICMP echo reply, id {}, seq 1, length 64
#! lacks: IP 10.0.0.1 > 1.1.1.1{}
$ ip netns exec pc ping -c 2 1.1.1.1
PING 1.1.1.1 (1.1.1.1) 56(84) bytes of data.
64 bytes from 1.1.1.1: icmp_seq=1 ttl=63 time={} ms
64 bytes from 1.1.1.1: icmp_seq=2 ttl=63 time={} ms

--- 1.1.1.1 ping statistics ---
2 packets transmitted, 2 received, 0% packet loss, time {}ms
rtt min/avg/max/mdev = {} ms
$ ip netns exec printer ip route add default via 10.0.0.254
$ ip netns exec printer ping -c 1 1.1.1.1
PING 1.1.1.1 (1.1.1.1) 56(84) bytes of data.
64 bytes from 1.1.1.1: icmp_seq=1 ttl=63 time={} ms

--- 1.1.1.1 ping statistics ---
1 packets transmitted, 1 received, 0% packet loss, time 0ms
rtt min/avg/max/mdev = {} ms

# And TCP: `curl -I` to a web server at 1.1.1.1 from the host, pc and printer. Each
# connection leaves as the host's uplink address, each with a port of its own (the
# client's own port while it is free); the server sees only 10.138.0.3.
$ ip netns exec internet python3 -m http.server 80 --bind 1.1.1.1 &
#! contains: Serving HTTP on 1.1.1.1 port 80 (http://1.1.1.1:80/) ...
#! contains: 10.138.0.3 - - [{}] "HEAD / HTTP/1.1" 200 -
#! lacks: {}10.0.0.{}
$ tcpdump -tnl -i ens4 tcp port 80 &
#! contains: IP 10.138.0.3.{} > 1.1.1.1.80: Flags [S], seq {}, win {}, length 0
#! contains: IP 1.1.1.1.80 > 10.138.0.3.{}: Flags [P.], seq 1:156, ack 73, win {}, length 155: HTTP: HTTP/1.0 200 OK
#! lacks: {}10.0.0.{}
#! differs: IP {}: Flags [F.], {} -- who closes first (curl or Python) is a race on the kernel: the FINs come in either order
#! differs: IP {}: Flags [.], ack 15{}, win {}, length 0 -- and with them the bare ACKs of the answer and its FIN
#! differs: IP {}: Flags [.], ack 74, win {}, length 0 -- and the ACK of the client's FIN
#! differs: {} packets {} -- the same race changes the count
$ curl -I http://1.1.1.1/
#! contains: HTTP/1.0 200 OK
$ sleep 0.5
$ ip netns exec pc curl -I http://1.1.1.1/
#! contains: HTTP/1.0 200 OK
$ sleep 0.5
$ ip netns exec printer curl -I http://1.1.1.1/
#! contains: HTTP/1.0 200 OK
$ sleep 0.5
$ conntrack -L -p tcp
#! contains: tcp      6 {} TIME_WAIT src=10.138.0.3 dst=1.1.1.1 sport={} dport=80 src=1.1.1.1 dst=10.138.0.3 sport=80 dport={} [ASSURED] mark=0 use=1
#! contains: tcp      6 {} TIME_WAIT src=10.0.0.1 dst=1.1.1.1 sport={} dport=80 src=1.1.1.1 dst=10.138.0.3 sport=80 dport={} [ASSURED] mark=0 use=1
#! contains: tcp      6 {} TIME_WAIT src=10.0.0.2 dst=1.1.1.1 sport={} dport=80 src=1.1.1.1 dst=10.138.0.3 sport=80 dport={} [ASSURED] mark=0 use=1
#! contains: conntrack v1.4.7 (conntrack-tools): 3 flow entries have been shown.
