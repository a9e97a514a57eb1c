# E16 over IPv6, TCP — ncat and HTTP between two namespaces on a veth pair with both
# families' addresses: ncat listens on `::` (IPV6_V6ONLY) and `0.0.0.0`, a client comes
# over IPv6, and once it is in ncat closes both listeners; python3's http.server bound to
# `::` takes both families (an IPv4 client logged as `::ffff:10.0.0.2`, ss showing `*:80`);
# curl to `http://[2001:db8::1]/`, and a port nobody listens on refused with RST; without
# --bind, http.server serves IPv4 only, and a SYN over IPv6 meets RST; `nc -lk` serves a
# client of each family at once.
# Source: issue 15 (TCP over IPv6: nc, curl, http.server --bind ::); net/ipv6/tcp_ipv6.c,
# ncat 7.93, Python 3.11, curl 7.88; checked against Linux with `nslab diff`.
#! description: E16 over IPv6, TCP: nc -l's two listeners (ss -tln), a client over IPv6 (`Connection from 2001:db8::2:40000.`), ss -tn with bracketed addresses, the handshake in tcpdump, http.server --bind :: answering curl over IPv6 and IPv4 (logged as ::ffff:10.0.0.2), ss's `*:80`, curl's `Failed to connect to 2001:db8::1 port 81`, http.server without --bind serving 0.0.0.0 only (curl over IPv6 refused), and nc -lk taking a client of each family at once.
#! seed: 16

ip netns add a
ip netns add b
ip link add va type veth peer name vb
ip link set va netns a
ip link set vb netns b
ip -n a link set lo up
ip -n b link set lo up
ip -n a link set va up
ip -n b link set vb up
ip -n a addr add 10.0.0.1/24 dev va
ip -n b addr add 10.0.0.2/24 dev vb
ip -n a -6 addr add 2001:db8::1/64 dev va nodad
ip -n b -6 addr add 2001:db8::2/64 dev vb nodad
sleep 3

ip netns exec a tcpdump -tnl -c 3 -i va 'tcp and ip6' &
#> tcpdump: verbose output suppressed, use -v[v]... for full protocol decode
#> listening on va, link-type EN10MB (Ethernet), snapshot length 262144 bytes
#> IP6 2001:db8::2.40000 > 2001:db8::1.5000: Flags [S], seq {}, win {}, length 0
#> IP6 2001:db8::1.5000 > 2001:db8::2.40000: Flags [S.], seq {}, ack {}, win {}, length 0
#> IP6 2001:db8::2.40000 > 2001:db8::1.5000: Flags [.], ack 1, win {}, length 0
#> 3 packets captured
#> 3 packets received by filter
#> 0 packets dropped by kernel
ip netns exec a nc -lv 5000 &
#> Ncat: Version 7.93 ( https://nmap.org/ncat )
#> Ncat: Listening on :::5000
#> Ncat: Listening on 0.0.0.0:5000
#> Ncat: Connection from 2001:db8::2.
#> Ncat: Connection from 2001:db8::2:40000.
#> hello over ipv6
sleep 1
ip netns exec a ss -tln
#> State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess
#> LISTEN 0      10           0.0.0.0:5000      0.0.0.0:*          
#> LISTEN 0      10              [::]:5000         [::]:*          
ip netns exec b nc -v -p 40000 2001:db8::1 5000 &
#> Ncat: Version 7.93 ( https://nmap.org/ncat )
#> Ncat: Connected to 2001:db8::1:5000.
sleep 1
ip netns exec a ss -tn
#> State Recv-Q Send-Q Local Address:Port  Peer Address:Port Process
#> ESTAB 0      0      [2001:db8::1]:5000 [2001:db8::2]:40000       
# ncat without -k took its one client: nobody listens any more.
ip netns exec a ss -tln
#> State Recv-Q Send-Q Local Address:Port Peer Address:PortProcess
input %3 hello over ipv6
sleep 1
# The client goes; its FIN ends the server's one connection, and so the server.
kill %3
sleep 1

ip netns exec a python3 -m http.server 80 --bind :: &
#> Serving HTTP on :: port 80 (http://[::]:80/) ...
#> 2001:db8::2 - - [{}] "HEAD / HTTP/1.1" 200 -
#> ::ffff:10.0.0.2 - - [{}] "HEAD / HTTP/1.1" 200 -
#>
#> Keyboard interrupt received, exiting.
sleep 1
ip netns exec a ss -tln
#> State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess
#> LISTEN 0      5                  *:80              *:*          
ip netns exec b curl -I http://[2001:db8::1]/
#> HTTP/1.0 200 OK
#> Server: SimpleHTTP/0.6 Python/3.11.2
#> Date: {}
#> Content-type: text/html; charset=utf-8
#> Content-Length: {}
#>
ip netns exec b curl -I http://10.0.0.1/
#> HTTP/1.0 200 OK
#> Server: SimpleHTTP/0.6 Python/3.11.2
#> Date: {}
#> Content-type: text/html; charset=utf-8
#> Content-Length: {}
#>
ip netns exec b curl http://[2001:db8::1]:81/
#> curl: (7) Failed to connect to 2001:db8::1 port 81 after 0 ms: Couldn't connect to server
#! exit: 7
# With no --bind, Python serves 0.0.0.0 (getaddrinfo gives it first here): IPv4 only, so
# a SYN over IPv6 finds no listener of its family and is answered with RST.
ip netns exec a python3 -m http.server 8000 &
#> Serving HTTP on 0.0.0.0 port 8000 (http://0.0.0.0:8000/) ...
#>
#> Keyboard interrupt received, exiting.
sleep 1
ip netns exec b curl http://[2001:db8::1]:8000/
#> curl: (7) Failed to connect to 2001:db8::1 port 8000 after 0 ms: Couldn't connect to server
#! exit: 7

# ncat -k takes every client that comes, of either family, and prints what each sends.
ip netns exec a nc -lk 6000 &
#> over ipv6
#> over ipv4
sleep 1
ip netns exec b nc -p 40006 2001:db8::1 6000 &
ip netns exec b nc -p 40004 10.0.0.1 6000 &
sleep 1
input %7 over ipv6
sleep 1
input %8 over ipv4
sleep 1
ip netns exec a ss -tn
#> State Recv-Q Send-Q Local Address:Port  Peer Address:Port Process
#> ESTAB 0      0           10.0.0.1:6000      10.0.0.2:40004       
#> ESTAB 0      0      [2001:db8::1]:6000 [2001:db8::2]:40006       
