# E16 — ncat (7.93) at its edges, as a tutorial's `nc` lines meet them: a UDP datagram to a
# closed port is refused (ncat says so and exits 1), `-u -k` is refused as ncat refuses it,
# a here-string is a line on stdin, and a TCP client reading a terminal stays connected
# (CLOSE-WAIT) after the server goes, until Ctrl-C.
#! description: E16: ncat's refusals and endings. `echo hi | nc -u` to a closed port: `Ncat: Connection refused.`, status 1; `nc -l -u -k`: ncat's own refusal, status 2; `nc … <<< LINE` sends LINE; a client whose server is interrupted stays in CLOSE-WAIT (ss shows it) and ends with Ctrl-C (130). `nc -z` checks a port: silent, 0 or 1; with -v it says which.
#! seed: 16

ip netns add a
ip netns add b
ip link add va type veth peer name vb
ip link set va netns a
ip link set vb netns b
ip netns exec a ip link set va up
ip netns exec b ip link set vb up
ip netns exec a ip addr add 10.0.0.1/24 dev va
ip netns exec b ip addr add 10.0.0.2/24 dev vb

echo hi | ip netns exec b nc -u 10.0.0.1 9999
#> Ncat: Connection refused.
#! exit: 1
ip netns exec b nc -u 10.0.0.1 9999 <<< hello
#> Ncat: Connection refused.
#! exit: 1
ip netns exec a nc -l -u -k 9000
#> Ncat: UDP mode does not support the -k or --keep-open options, except with --exec or --sh-exec. QUITTING.
#! exit: 2

ip netns exec a nc -lu 9001 &
#> hello over udp
ip netns exec b nc -u 10.0.0.1 9001 <<< 'hello over udp'
#! exit: 0

ip netns exec a nc -l 8080 &
ip netns exec b nc 10.0.0.1 8080 &
kill %2
sleep 1
ip netns exec b ss -tn
#> State      Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess
#> CLOSE-WAIT 0      0           10.0.0.2:{}     10.0.0.1:8080       

# -z: connect and close, reporting only with -v (how long it took is the machine's).
ip netns exec a nc -l 8081 &
ip netns exec b nc -z 10.0.0.1 8081
#! exit: 0
ip netns exec b nc -z 10.0.0.1 8082
#! exit: 1
#! lacks: {}
ip netns exec b nc -zv 10.0.0.1 8082
#> Ncat: Version 7.93 ( https://nmap.org/ncat )
#> Ncat: Connection refused.
#! exit: 1
ip netns exec a nc -l 8083 &
ip netns exec b nc -zv 10.0.0.1 8083
#> Ncat: Version 7.93 ( https://nmap.org/ncat )
#> Ncat: Connected to 10.0.0.1:8083.
#> Ncat: 0 bytes sent, 0 bytes received in {} seconds.
#! differs: Ncat: 0 bytes sent, 0 bytes received in {} seconds. -- how long the connection took: the sim's is its link delay, the kernel's includes ncat's start-up
