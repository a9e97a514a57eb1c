# ss (iproute2 6.1.0) on both ends of a TCP connection and a connected UDP socket, made
# with ncat: the connected states by default, listeners with -l, everything with -a, Netid
# when two tables are asked for, and the owners with -p.
#! description: Two namespaces on a veth pair. ncat listens on TCP 8080 (-k) and UDP 5353 in a; b connects to both from fixed ports. ss -tn on each end shows the one ESTAB connection; -tan on b shows no listener; -tuan adds the connected UDP socket (ESTAB, its source bound by connect) under a Netid column; -tln and -uan on a show the listener with ncat's backlog of 10 and the unconnected UDP socket; -tunp names the owners. Columns are laid out as ss lays them out into a pipe.
#! seed: 15
$ ip netns add a
$ ip netns add b
$ ip link add va type veth peer name vb
$ ip link set va netns a
$ ip link set vb netns b
$ ip netns exec a ip link set lo up
$ ip netns exec b ip link set lo up
$ ip netns exec a ip link set va up
$ ip netns exec b ip link set vb up
$ ip netns exec a ip addr add 10.0.0.1/24 dev va
$ ip netns exec b ip addr add 10.0.0.2/24 dev vb
$ ip netns exec a nc -l -k 8080 &
$ ip netns exec a nc -u -l 5353 &
$ ip netns exec b nc -p 40000 10.0.0.1 8080 &
$ ip netns exec b nc -u -p 40001 10.0.0.1 5353 &
$ sleep 1
$ ip netns exec a ss -tn
State Recv-Q Send-Q Local Address:Port Peer Address:Port Process
ESTAB 0      0           10.0.0.1:8080     10.0.0.2:40000       
$ ip netns exec b ss -tn
State Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess
ESTAB 0      0           10.0.0.2:40000     10.0.0.1:8080       
$ ip netns exec b ss -tan
State Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess
ESTAB 0      0           10.0.0.2:40000     10.0.0.1:8080       
$ ip netns exec b ss -tuan
Netid State Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess
udp   ESTAB 0      0           10.0.0.2:40001     10.0.0.1:5353       
tcp   ESTAB 0      0           10.0.0.2:40000     10.0.0.1:8080       
$ ip netns exec a ss -tln -4
State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess
LISTEN 0      10           0.0.0.0:8080      0.0.0.0:*          
$ ip netns exec a ss -uan -4
State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess
UNCONN 0      0            0.0.0.0:5353      0.0.0.0:*          
$ ip netns exec b ss -tunp
Netid State Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess                   
udp   ESTAB 0      0           10.0.0.2:40001     10.0.0.1:5353 users:(("nc",pid=2,fd=3))
tcp   ESTAB 0      0           10.0.0.2:40000     10.0.0.1:8080 users:(("nc",pid=1,fd=3))
