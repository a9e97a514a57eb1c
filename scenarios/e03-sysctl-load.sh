# E3 — A router set up from a sysctl.conf: `sysctl -p` with the settings as a
# here-document, as a tutorial's `/etc/sysctl.conf` edit becomes in a lab.
# Source: seed 000 (`net.ipv4.ip_forward` in /etc/sysctl.conf, then `sysctl -p`); procps-ng
# 4's Preload (comments with `#` and `;`, a leading `-`, spaces around `=`).
#! description: E3 sysctl -p: a router's forwarding switched on from sysctl.conf lines on stdin; each setting is printed as `sysctl -w` prints it, comments and blank lines are skipped, -q prints nothing, a key the namespace lacks and a line without `=` are warned about while the other settings still go (status 1), and a ping crosses the router only once forwarding is on.
#! seed: 3

$ ip netns add a
$ ip netns add r
$ ip netns add b
$ ip link add ar type veth peer name ra
$ ip link add rb type veth peer name br
$ ip link set ar netns a
$ ip link set ra netns r
$ ip link set rb netns r
$ ip link set br netns b
$ ip -n a addr add 10.1.0.1/24 dev ar
$ ip -n r addr add 10.1.0.254/24 dev ra
$ ip -n r addr add 10.2.0.254/24 dev rb
$ ip -n b addr add 10.2.0.1/24 dev br
$ ip -n a link set ar up
$ ip -n r link set ra up
$ ip -n r link set rb up
$ ip -n b link set br up
$ ip -n a route add default via 10.1.0.254
$ ip -n b route add default via 10.2.0.254
$ ip netns exec a ping -c 1 -W 1 10.2.0.1
PING 10.2.0.1 (10.2.0.1) 56(84) bytes of data.

--- 10.2.0.1 ping statistics ---
1 packets transmitted, 0 received, 100% packet loss, time 0ms

$ ip netns exec r sysctl -p - <<EOF
# Uncomment the next line to enable packet forwarding for IPv4
net.ipv4.ip_forward=1

; ICMP errors at most every half second
  net.ipv4.icmp_ratelimit = 500
-net.ipv4.ip_default_ttl = 65
EOF
net.ipv4.ip_forward = 1
net.ipv4.icmp_ratelimit = 500
net.ipv4.ip_default_ttl = 65
$ ip netns exec r sysctl -q -p /dev/stdin <<EOF
net.ipv4.icmp_ratelimit=1000
EOF
$ ip netns exec r sysctl net.ipv4.icmp_ratelimit
net.ipv4.icmp_ratelimit = 1000
$ ip netns exec r sysctl -p - <<EOF
net.ipv4.conf.nosuch.forwarding = 1
net.ipv4.ip_default_ttl
net.ipv4.ip_default_ttl = 64
EOF
#! exit: 1
net.ipv4.ip_default_ttl = 64
sysctl: -(2): invalid syntax, continuing...
sysctl: cannot stat /proc/sys/net/ipv4/conf/nosuch/forwarding: No such file or directory
$ ip netns exec a ping -c 1 10.2.0.1
PING 10.2.0.1 (10.2.0.1) 56(84) bytes of data.
64 bytes from 10.2.0.1: icmp_seq=1 ttl=63 time={} ms

--- 10.2.0.1 ping statistics ---
1 packets transmitted, 1 received, 0% packet loss, time 0ms
rtt min/avg/max/mdev = {}/{}/{}/{} ms
