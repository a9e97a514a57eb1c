# lan (192.168.1.2) — router (MASQUERADE out of r-w, 203.0.113.254) — wan (203.0.113.1).
ip netns add lan
ip netns add router
ip netns add wan
ip link add l-r type veth peer name r-l
ip link add r-w type veth peer name w-r
ip link set l-r netns lan
ip link set r-l netns router
ip link set r-w netns router
ip link set w-r netns wan
ip -n lan addr add 192.168.1.2/24 dev l-r
ip -n router addr add 192.168.1.1/24 dev r-l
ip -n router addr add 203.0.113.254/24 dev r-w
ip -n wan addr add 203.0.113.1/24 dev w-r
ip -n lan link set l-r up
ip -n router link set r-l up
ip -n router link set r-w up
ip -n wan link set w-r up
ip -n lan route add default via 192.168.1.1
ip netns exec router sysctl -w net.ipv4.ip_forward=1
ip netns exec router iptables -t nat -A POSTROUTING -o r-w -j MASQUERADE
