# E2 — `ip -j`, `ip -j -p`, `ip -o` and `ip -c`: what `ip` shows, as JSON, one line at a
# time, and in colour.
# Source: issue 13's everyday commands (`ip -j` / `-p` JSON, iproute2's own JSON); iproute2
# 6.1's print_linkinfo, print_addrinfo, print_route, print_neigh and lib/json_writer.c.
#! description: E2 ip -j, -j -p, -o and -c: a veth pair across namespaces, a same-namespace pair on a bridge, two addresses, a route with a metric and a permanent neighbour, shown as iproute2's JSON (compact and pretty, with -s, -4 and -br), one line an object (-o, -o -s) and in iproute2's colours (-c: names cyan, MACs yellow, addresses magenta, UP green, DOWN red; none in JSON or with -color=never).
#! seed: 2

$ ip netns add a
$ ip netns add b
$ ip link add v1 type veth peer name v2
$ ip link set v1 netns a
$ ip link set v2 netns b
# IPv6 off on the pair (lo keeps ::1): what a link sends when it comes up (MLD reports,
# DAD, router solicitations) leaves at random times, which the counters below would show.
$ ip netns exec a sysctl -w net.ipv6.conf.v1.disable_ipv6=1
net.ipv6.conf.v1.disable_ipv6 = 1
$ ip netns exec b sysctl -w net.ipv6.conf.v2.disable_ipv6=1
net.ipv6.conf.v2.disable_ipv6 = 1
$ ip -n a link set v1 address 02:00:00:00:00:01
$ ip -n b link set v2 address 02:00:00:00:00:02
$ ip -n a link add x1 type veth peer name x2
$ ip -n a link add br0 type bridge
$ ip -n a link set x2 master br0
$ ip -n a link set x1 address 02:00:00:00:00:11
$ ip -n a link set x2 address 02:00:00:00:00:12
$ ip -n a link set br0 address 02:00:00:00:00:10
$ ip -n a addr add 10.0.0.1/24 dev v1
$ ip -n a addr add 10.0.0.9/24 dev v1
$ ip -n a addr add 10.1.0.1/24 brd 10.1.0.255 dev x1
$ ip -n b addr add 10.0.0.2/24 dev v2
$ ip -n a link set lo up
$ ip -n a link set v1 up
$ ip -n a link set x1 up
$ ip -n b link set v2 up
$ ip -n a route add 192.168.0.0/16 via 10.0.0.2 metric 5
$ ip -n a route add 172.16.0.0/12 dev x1
$ ip netns exec a ping -c 1 10.0.0.2
PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.
64 bytes from 10.0.0.2: icmp_seq=1 ttl=64 time={} ms

--- 10.0.0.2 ping statistics ---
1 packets transmitted, 1 received, 0% packet loss, time 0ms
rtt min/avg/max/mdev = {} ms
$ ip -n a neigh add 10.1.0.7 lladdr 02:00:00:00:00:07 dev x1 nud permanent
$ ip -n a -j link
[{"ifindex":1,"ifname":"lo","flags":["LOOPBACK","UP","LOWER_UP"],"mtu":65536,"qdisc":"noqueue","operstate":"UNKNOWN","linkmode":"DEFAULT","group":"default","txqlen":1000,"link_type":"loopback","address":"00:00:00:00:00:00","broadcast":"00:00:00:00:00:00"},{"ifindex":2,"link":"x1","ifname":"x2","flags":["BROADCAST","MULTICAST"],"mtu":1500,"qdisc":"noop","master":"br0","operstate":"DOWN","linkmode":"DEFAULT","group":"default","txqlen":1000,"link_type":"ether","address":"02:00:00:00:00:12","broadcast":"ff:ff:ff:ff:ff:ff"},{"ifindex":3,"link_index":2,"ifname":"v1","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"mtu":1500,"qdisc":"noqueue","operstate":"UP","linkmode":"DEFAULT","group":"default","txqlen":1000,"link_type":"ether","address":"02:00:00:00:00:01","broadcast":"ff:ff:ff:ff:ff:ff","link_netnsid":1},{"ifindex":4,"link":"x2","ifname":"x1","flags":["NO-CARRIER","BROADCAST","MULTICAST","UP","M-DOWN"],"mtu":1500,"qdisc":"noqueue","operstate":"LOWERLAYERDOWN","linkmode":"DEFAULT","group":"default","txqlen":1000,"link_type":"ether","address":"02:00:00:00:00:11","broadcast":"ff:ff:ff:ff:ff:ff"},{"ifindex":5,"ifname":"br0","flags":["BROADCAST","MULTICAST"],"mtu":1500,"qdisc":"noop","operstate":"DOWN","linkmode":"DEFAULT","group":"default","txqlen":1000,"link_type":"ether","address":"02:00:00:00:00:10","broadcast":"ff:ff:ff:ff:ff:ff"}]
$ ip -n a -j -p addr
[ {
        "ifindex": 1,
        "ifname": "lo",
        "flags": [ "LOOPBACK","UP","LOWER_UP" ],
        "mtu": 65536,
        "qdisc": "noqueue",
        "operstate": "UNKNOWN",
        "group": "default",
        "txqlen": 1000,
        "link_type": "loopback",
        "address": "00:00:00:00:00:00",
        "broadcast": "00:00:00:00:00:00",
        "addr_info": [ {
                "family": "inet",
                "local": "127.0.0.1",
                "prefixlen": 8,
                "scope": "host",
                "label": "lo",
                "valid_life_time": 4294967295,
                "preferred_life_time": 4294967295
            },{
                "family": "inet6",
                "local": "::1",
                "prefixlen": 128,
                "scope": "host",
                "valid_life_time": 4294967295,
                "preferred_life_time": 4294967295
            } ]
    },{
        "ifindex": 2,
        "link": "x1",
        "ifname": "x2",
        "flags": [ "BROADCAST","MULTICAST" ],
        "mtu": 1500,
        "qdisc": "noop",
        "master": "br0",
        "operstate": "DOWN",
        "group": "default",
        "txqlen": 1000,
        "link_type": "ether",
        "address": "02:00:00:00:00:12",
        "broadcast": "ff:ff:ff:ff:ff:ff",
        "addr_info": [ ]
    },{
        "ifindex": 3,
        "link_index": 2,
        "ifname": "v1",
        "flags": [ "BROADCAST","MULTICAST","UP","LOWER_UP" ],
        "mtu": 1500,
        "qdisc": "noqueue",
        "operstate": "UP",
        "group": "default",
        "txqlen": 1000,
        "link_type": "ether",
        "address": "02:00:00:00:00:01",
        "broadcast": "ff:ff:ff:ff:ff:ff",
        "link_netnsid": 1,
        "addr_info": [ {
                "family": "inet",
                "local": "10.0.0.1",
                "prefixlen": 24,
                "scope": "global",
                "label": "v1",
                "valid_life_time": 4294967295,
                "preferred_life_time": 4294967295
            },{
                "family": "inet",
                "local": "10.0.0.9",
                "prefixlen": 24,
                "scope": "global",
                "secondary": true,
                "label": "v1",
                "valid_life_time": 4294967295,
                "preferred_life_time": 4294967295
            } ]
    },{
        "ifindex": 4,
        "link": "x2",
        "ifname": "x1",
        "flags": [ "NO-CARRIER","BROADCAST","MULTICAST","UP","M-DOWN" ],
        "mtu": 1500,
        "qdisc": "noqueue",
        "operstate": "LOWERLAYERDOWN",
        "group": "default",
        "txqlen": 1000,
        "link_type": "ether",
        "address": "02:00:00:00:00:11",
        "broadcast": "ff:ff:ff:ff:ff:ff",
        "addr_info": [ {
                "family": "inet",
                "local": "10.1.0.1",
                "prefixlen": 24,
                "broadcast": "10.1.0.255",
                "scope": "global",
                "label": "x1",
                "valid_life_time": 4294967295,
                "preferred_life_time": 4294967295
            } ]
    },{
        "ifindex": 5,
        "ifname": "br0",
        "flags": [ "BROADCAST","MULTICAST" ],
        "mtu": 1500,
        "qdisc": "noop",
        "operstate": "DOWN",
        "group": "default",
        "txqlen": 1000,
        "link_type": "ether",
        "address": "02:00:00:00:00:10",
        "broadcast": "ff:ff:ff:ff:ff:ff",
        "addr_info": [ ]
    } ]
$ ip -n a -j -s link
[{"ifindex":1,"ifname":"lo","flags":["LOOPBACK","UP","LOWER_UP"],"mtu":65536,"qdisc":"noqueue","operstate":"UNKNOWN","linkmode":"DEFAULT","group":"default","txqlen":1000,"link_type":"loopback","address":"00:00:00:00:00:00","broadcast":"00:00:00:00:00:00","stats64":{"rx":{"bytes":0,"packets":0,"errors":0,"dropped":0,"over_errors":0,"multicast":0},"tx":{"bytes":0,"packets":0,"errors":0,"dropped":0,"carrier_errors":0,"collisions":0}}},{"ifindex":2,"link":"x1","ifname":"x2","flags":["BROADCAST","MULTICAST"],"mtu":1500,"qdisc":"noop","master":"br0","operstate":"DOWN","linkmode":"DEFAULT","group":"default","txqlen":1000,"link_type":"ether","address":"02:00:00:00:00:12","broadcast":"ff:ff:ff:ff:ff:ff","stats64":{"rx":{"bytes":0,"packets":0,"errors":0,"dropped":0,"over_errors":0,"multicast":0},"tx":{"bytes":0,"packets":0,"errors":0,"dropped":0,"carrier_errors":0,"collisions":0}}},{"ifindex":3,"link_index":2,"ifname":"v1","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"mtu":1500,"qdisc":"noqueue","operstate":"UP","linkmode":"DEFAULT","group":"default","txqlen":1000,"link_type":"ether","address":"02:00:00:00:00:01","broadcast":"ff:ff:ff:ff:ff:ff","link_netnsid":1,"stats64":{"rx":{"bytes":140,"packets":2,"errors":0,"dropped":0,"over_errors":0,"multicast":0},"tx":{"bytes":140,"packets":2,"errors":0,"dropped":0,"carrier_errors":0,"collisions":0}}},{"ifindex":4,"link":"x2","ifname":"x1","flags":["NO-CARRIER","BROADCAST","MULTICAST","UP","M-DOWN"],"mtu":1500,"qdisc":"noqueue","operstate":"LOWERLAYERDOWN","linkmode":"DEFAULT","group":"default","txqlen":1000,"link_type":"ether","address":"02:00:00:00:00:11","broadcast":"ff:ff:ff:ff:ff:ff","stats64":{"rx":{"bytes":0,"packets":0,"errors":0,"dropped":0,"over_errors":0,"multicast":0},"tx":{"bytes":0,"packets":0,"errors":0,"dropped":0,"carrier_errors":0,"collisions":0}}},{"ifindex":5,"ifname":"br0","flags":["BROADCAST","MULTICAST"],"mtu":1500,"qdisc":"noop","operstate":"DOWN","linkmode":"DEFAULT","group":"default","txqlen":1000,"link_type":"ether","address":"02:00:00:00:00:10","broadcast":"ff:ff:ff:ff:ff:ff","stats64":{"rx":{"bytes":0,"packets":0,"errors":0,"dropped":0,"over_errors":0,"multicast":0},"tx":{"bytes":0,"packets":0,"errors":0,"dropped":0,"carrier_errors":0,"collisions":0}}}]
$ ip -n a -j -s addr
[{"ifindex":1,"ifname":"lo","flags":["LOOPBACK","UP","LOWER_UP"],"mtu":65536,"qdisc":"noqueue","operstate":"UNKNOWN","group":"default","txqlen":1000,"link_type":"loopback","address":"00:00:00:00:00:00","broadcast":"00:00:00:00:00:00","addr_info":[{"family":"inet","local":"127.0.0.1","prefixlen":8,"scope":"host","label":"lo","valid_life_time":4294967295,"preferred_life_time":4294967295},{"family":"inet6","local":"::1","prefixlen":128,"scope":"host","valid_life_time":4294967295,"preferred_life_time":4294967295}],"stats64":{"rx":{"bytes":0,"packets":0,"errors":0,"dropped":0,"over_errors":0,"multicast":0},"tx":{"bytes":0,"packets":0,"errors":0,"dropped":0,"carrier_errors":0,"collisions":0}}},{"ifindex":2,"link":"x1","ifname":"x2","flags":["BROADCAST","MULTICAST"],"mtu":1500,"qdisc":"noop","master":"br0","operstate":"DOWN","group":"default","txqlen":1000,"link_type":"ether","address":"02:00:00:00:00:12","broadcast":"ff:ff:ff:ff:ff:ff","addr_info":[],"stats64":{"rx":{"bytes":0,"packets":0,"errors":0,"dropped":0,"over_errors":0,"multicast":0},"tx":{"bytes":0,"packets":0,"errors":0,"dropped":0,"carrier_errors":0,"collisions":0}}},{"ifindex":3,"link_index":2,"ifname":"v1","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"mtu":1500,"qdisc":"noqueue","operstate":"UP","group":"default","txqlen":1000,"link_type":"ether","address":"02:00:00:00:00:01","broadcast":"ff:ff:ff:ff:ff:ff","link_netnsid":1,"addr_info":[{"family":"inet","local":"10.0.0.1","prefixlen":24,"scope":"global","label":"v1","valid_life_time":4294967295,"preferred_life_time":4294967295},{"family":"inet","local":"10.0.0.9","prefixlen":24,"scope":"global","secondary":true,"label":"v1","valid_life_time":4294967295,"preferred_life_time":4294967295}],"stats64":{"rx":{"bytes":140,"packets":2,"errors":0,"dropped":0,"over_errors":0,"multicast":0},"tx":{"bytes":140,"packets":2,"errors":0,"dropped":0,"carrier_errors":0,"collisions":0}}},{"ifindex":4,"link":"x2","ifname":"x1","flags":["NO-CARRIER","BROADCAST","MULTICAST","UP","M-DOWN"],"mtu":1500,"qdisc":"noqueue","operstate":"LOWERLAYERDOWN","group":"default","txqlen":1000,"link_type":"ether","address":"02:00:00:00:00:11","broadcast":"ff:ff:ff:ff:ff:ff","addr_info":[{"family":"inet","local":"10.1.0.1","prefixlen":24,"broadcast":"10.1.0.255","scope":"global","label":"x1","valid_life_time":4294967295,"preferred_life_time":4294967295}],"stats64":{"rx":{"bytes":0,"packets":0,"errors":0,"dropped":0,"over_errors":0,"multicast":0},"tx":{"bytes":0,"packets":0,"errors":0,"dropped":0,"carrier_errors":0,"collisions":0}}},{"ifindex":5,"ifname":"br0","flags":["BROADCAST","MULTICAST"],"mtu":1500,"qdisc":"noop","operstate":"DOWN","group":"default","txqlen":1000,"link_type":"ether","address":"02:00:00:00:00:10","broadcast":"ff:ff:ff:ff:ff:ff","addr_info":[],"stats64":{"rx":{"bytes":0,"packets":0,"errors":0,"dropped":0,"over_errors":0,"multicast":0},"tx":{"bytes":0,"packets":0,"errors":0,"dropped":0,"carrier_errors":0,"collisions":0}}}]
$ ip -n a -j -4 addr
[{"ifindex":1,"ifname":"lo","flags":["LOOPBACK","UP","LOWER_UP"],"mtu":65536,"qdisc":"noqueue","operstate":"UNKNOWN","group":"default","txqlen":1000,"addr_info":[{"family":"inet","local":"127.0.0.1","prefixlen":8,"scope":"host","label":"lo","valid_life_time":4294967295,"preferred_life_time":4294967295}]},{"ifindex":3,"link_index":2,"ifname":"v1","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"mtu":1500,"qdisc":"noqueue","operstate":"UP","group":"default","txqlen":1000,"link_netnsid":1,"addr_info":[{"family":"inet","local":"10.0.0.1","prefixlen":24,"scope":"global","label":"v1","valid_life_time":4294967295,"preferred_life_time":4294967295},{"family":"inet","local":"10.0.0.9","prefixlen":24,"scope":"global","secondary":true,"label":"v1","valid_life_time":4294967295,"preferred_life_time":4294967295}]},{"ifindex":4,"link":"x2","ifname":"x1","flags":["NO-CARRIER","BROADCAST","MULTICAST","UP","M-DOWN"],"mtu":1500,"qdisc":"noqueue","operstate":"LOWERLAYERDOWN","group":"default","txqlen":1000,"addr_info":[{"family":"inet","local":"10.1.0.1","prefixlen":24,"broadcast":"10.1.0.255","scope":"global","label":"x1","valid_life_time":4294967295,"preferred_life_time":4294967295}]}]
$ ip -n a -j -br link
[{"ifname":"lo","operstate":"UNKNOWN","address":"00:00:00:00:00:00","flags":["LOOPBACK","UP","LOWER_UP"]},{"link":"x1","ifname":"x2","operstate":"DOWN","address":"02:00:00:00:00:12","flags":["BROADCAST","MULTICAST"]},{"link_index":2,"ifname":"v1","operstate":"UP","address":"02:00:00:00:00:01","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"]},{"link":"x2","ifname":"x1","operstate":"LOWERLAYERDOWN","address":"02:00:00:00:00:11","flags":["NO-CARRIER","BROADCAST","MULTICAST","UP","M-DOWN"]},{"ifname":"br0","operstate":"DOWN","address":"02:00:00:00:00:10","flags":["BROADCAST","MULTICAST"]}]
$ ip -n a -j -br addr
[{"ifname":"lo","operstate":"UNKNOWN","addr_info":[{"local":"127.0.0.1","prefixlen":8},{"local":"::1","prefixlen":128}]},{"link":"x1","ifname":"x2","operstate":"DOWN","addr_info":[]},{"link_index":2,"ifname":"v1","operstate":"UP","addr_info":[{"local":"10.0.0.1","prefixlen":24},{"local":"10.0.0.9","prefixlen":24}]},{"link":"x2","ifname":"x1","operstate":"LOWERLAYERDOWN","addr_info":[{"local":"10.1.0.1","prefixlen":24}]},{"ifname":"br0","operstate":"DOWN","addr_info":[]}]
$ ip -n a -j link show dev x1
[{"ifindex":4,"link":"x2","ifname":"x1","flags":["NO-CARRIER","BROADCAST","MULTICAST","UP","M-DOWN"],"mtu":1500,"qdisc":"noqueue","operstate":"LOWERLAYERDOWN","linkmode":"DEFAULT","group":"default","txqlen":1000,"link_type":"ether","address":"02:00:00:00:00:11","broadcast":"ff:ff:ff:ff:ff:ff"}]
$ ip -n b -j addr
[{"ifindex":1,"ifname":"lo","flags":["LOOPBACK"],"mtu":65536,"qdisc":"noop","operstate":"DOWN","group":"default","txqlen":1000,"link_type":"loopback","address":"00:00:00:00:00:00","broadcast":"00:00:00:00:00:00","addr_info":[]},{"ifindex":2,"link_index":3,"ifname":"v2","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"mtu":1500,"qdisc":"noqueue","operstate":"UP","group":"default","txqlen":1000,"link_type":"ether","address":"02:00:00:00:00:02","broadcast":"ff:ff:ff:ff:ff:ff","link_netnsid":0,"addr_info":[{"family":"inet","local":"10.0.0.2","prefixlen":24,"scope":"global","label":"v2","valid_life_time":4294967295,"preferred_life_time":4294967295}]}]
$ ip -n a -j route
[{"dst":"10.0.0.0/24","dev":"v1","protocol":"kernel","scope":"link","prefsrc":"10.0.0.1","flags":[]},{"dst":"10.1.0.0/24","dev":"x1","protocol":"kernel","scope":"link","prefsrc":"10.1.0.1","flags":["linkdown"]},{"dst":"172.16.0.0/12","dev":"x1","scope":"link","flags":["linkdown"]},{"dst":"192.168.0.0/16","gateway":"10.0.0.2","dev":"v1","metric":5,"flags":[]}]
$ ip -n a -j -p route
[ {
        "dst": "10.0.0.0/24",
        "dev": "v1",
        "protocol": "kernel",
        "scope": "link",
        "prefsrc": "10.0.0.1",
        "flags": [ ]
    },{
        "dst": "10.1.0.0/24",
        "dev": "x1",
        "protocol": "kernel",
        "scope": "link",
        "prefsrc": "10.1.0.1",
        "flags": [ "linkdown" ]
    },{
        "dst": "172.16.0.0/12",
        "dev": "x1",
        "scope": "link",
        "flags": [ "linkdown" ]
    },{
        "dst": "192.168.0.0/16",
        "gateway": "10.0.0.2",
        "dev": "v1",
        "metric": 5,
        "flags": [ ]
    } ]
$ ip -n a -j route show dev v1
[{"dst":"10.0.0.0/24","protocol":"kernel","scope":"link","prefsrc":"10.0.0.1","flags":[]},{"dst":"192.168.0.0/16","gateway":"10.0.0.2","metric":5,"flags":[]}]
$ ip -n a -j neigh show dev v1
[{"dst":"10.0.0.2","lladdr":"02:00:00:00:00:02","state":["REACHABLE"]}]
$ ip -n a -j -p neigh show dev x1
[ {
        "dst": "10.1.0.7",
        "lladdr": "02:00:00:00:00:07",
        "state": [ "PERMANENT" ]
    } ]
$ ip -n a -o link
1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000\    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00
2: x2@x1: <BROADCAST,MULTICAST> mtu 1500 qdisc noop master br0 state DOWN mode DEFAULT group default qlen 1000\    link/ether 02:00:00:00:00:12 brd ff:ff:ff:ff:ff:ff
3: v1@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000\    link/ether 02:00:00:00:00:01 brd ff:ff:ff:ff:ff:ff link-netns b
4: x1@x2: <NO-CARRIER,BROADCAST,MULTICAST,UP,M-DOWN> mtu 1500 qdisc noqueue state LOWERLAYERDOWN mode DEFAULT group default qlen 1000\    link/ether 02:00:00:00:00:11 brd ff:ff:ff:ff:ff:ff
5: br0: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\    link/ether 02:00:00:00:00:10 brd ff:ff:ff:ff:ff:ff
$ ip -n a -o addr
1: lo    inet 127.0.0.1/8 scope host lo\       valid_lft forever preferred_lft forever
1: lo    inet6 ::1/128 scope host \       valid_lft forever preferred_lft forever
3: v1    inet 10.0.0.1/24 scope global v1\       valid_lft forever preferred_lft forever
3: v1    inet 10.0.0.9/24 scope global secondary v1\       valid_lft forever preferred_lft forever
4: x1    inet 10.1.0.1/24 brd 10.1.0.255 scope global x1\       valid_lft forever preferred_lft forever
$ ip -n a -o -s link
1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000\    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\    RX:  bytes packets errors dropped  missed   mcast           \             0       0      0       0       0       0 \    TX:  bytes packets errors dropped carrier collsns           \             0       0      0       0       0       0 
2: x2@x1: <BROADCAST,MULTICAST> mtu 1500 qdisc noop master br0 state DOWN mode DEFAULT group default qlen 1000\    link/ether 02:00:00:00:00:12 brd ff:ff:ff:ff:ff:ff\    RX:  bytes packets errors dropped  missed   mcast           \             0       0      0       0       0       0 \    TX:  bytes packets errors dropped carrier collsns           \             0       0      0       0       0       0 
3: v1@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000\    link/ether 02:00:00:00:00:01 brd ff:ff:ff:ff:ff:ff link-netns b\    RX:  bytes packets errors dropped  missed   mcast           \           140       2      0       0       0       0 \    TX:  bytes packets errors dropped carrier collsns           \           140       2      0       0       0       0 
4: x1@x2: <NO-CARRIER,BROADCAST,MULTICAST,UP,M-DOWN> mtu 1500 qdisc noqueue state LOWERLAYERDOWN mode DEFAULT group default qlen 1000\    link/ether 02:00:00:00:00:11 brd ff:ff:ff:ff:ff:ff\    RX:  bytes packets errors dropped  missed   mcast           \             0       0      0       0       0       0 \    TX:  bytes packets errors dropped carrier collsns           \             0       0      0       0       0       0 
5: br0: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\    link/ether 02:00:00:00:00:10 brd ff:ff:ff:ff:ff:ff\    RX:  bytes packets errors dropped  missed   mcast           \             0       0      0       0       0       0 \    TX:  bytes packets errors dropped carrier collsns           \             0       0      0       0       0       0 
$ ip -n a -p link show dev v1
3: v1@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000
    link/ether 02:00:00:00:00:01 brd ff:ff:ff:ff:ff:ff link-netns b
$ ip -n a -c link
1: [36mlo: [0m<LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000
    link/loopback [33m00:00:00:00:00:00[0m brd [33m00:00:00:00:00:00[0m
2: [36mx2@x1: [0m<BROADCAST,MULTICAST> mtu 1500 qdisc noop master br0 state [31mDOWN [0mmode DEFAULT group default qlen 1000
    link/ether [33m02:00:00:00:00:12[0m brd [33mff:ff:ff:ff:ff:ff[0m
3: [36mv1@if2: [0m<BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state [32mUP [0mmode DEFAULT group default qlen 1000
    link/ether [33m02:00:00:00:00:01[0m brd [33mff:ff:ff:ff:ff:ff[0m link-netns b
4: [36mx1@x2: [0m<NO-CARRIER,BROADCAST,MULTICAST,UP,M-DOWN> mtu 1500 qdisc noqueue state LOWERLAYERDOWN mode DEFAULT group default qlen 1000
    link/ether [33m02:00:00:00:00:11[0m brd [33mff:ff:ff:ff:ff:ff[0m
5: [36mbr0: [0m<BROADCAST,MULTICAST> mtu 1500 qdisc noop state [31mDOWN [0mmode DEFAULT group default qlen 1000
    link/ether [33m02:00:00:00:00:10[0m brd [33mff:ff:ff:ff:ff:ff[0m
$ ip -n a -c addr show dev x1
4: [36mx1@x2: [0m<NO-CARRIER,BROADCAST,MULTICAST,UP,M-DOWN> mtu 1500 qdisc noqueue state LOWERLAYERDOWN group default qlen 1000
    link/ether [33m02:00:00:00:00:11[0m brd [33mff:ff:ff:ff:ff:ff[0m
    inet [35m10.1.0.1[0m/24 brd [35m10.1.0.255 [0mscope global x1
       valid_lft forever preferred_lft forever
$ ip -n a -c -br link
[36mlo               [0mUNKNOWN        [33m00:00:00:00:00:00 [0m<LOOPBACK,UP,LOWER_UP> 
[36mx2@x1            [0m[31mDOWN           [0m[33m02:00:00:00:00:12 [0m<BROADCAST,MULTICAST> 
[36mv1@if2           [0m[32mUP             [0m[33m02:00:00:00:00:01 [0m<BROADCAST,MULTICAST,UP,LOWER_UP> 
[36mx1@x2            [0mLOWERLAYERDOWN [33m02:00:00:00:00:11 [0m<NO-CARRIER,BROADCAST,MULTICAST,UP,M-DOWN> 
[36mbr0              [0m[31mDOWN           [0m[33m02:00:00:00:00:10 [0m<BROADCAST,MULTICAST> 
$ ip -n a -c -br addr
[36mlo               [0mUNKNOWN        [35m127.0.0.1[0m/8 [34m::1[0m/128 
[36mx2@x1            [0m[31mDOWN           [0m
[36mv1@if2           [0m[32mUP             [0m[35m10.0.0.1[0m/24 [35m10.0.0.9[0m/24 
[36mx1@x2            [0mLOWERLAYERDOWN [35m10.1.0.1[0m/24 
[36mbr0              [0m[31mDOWN           [0m
$ ip -n a -c route
[35m10.0.0.0/24 [0mdev [36mv1 [0mproto kernel scope link src [35m10.0.0.1 [0m
[35m10.1.0.0/24 [0mdev [36mx1 [0mproto kernel scope link src [35m10.1.0.1 [0mlinkdown 
[35m172.16.0.0/12 [0mdev [36mx1 [0mscope link linkdown 
[35m192.168.0.0/16 [0mvia [35m10.0.0.2 [0mdev [36mv1 [0mmetric 5 
$ ip -n a -c route show dev v1
[35m10.0.0.0/24 [0mproto kernel scope link src [35m10.0.0.1 [0m
[35m192.168.0.0/16 [0mvia [35m10.0.0.2 [0mmetric 5 
$ ip -n a -c neigh show dev x1
[35m10.1.0.7 [0mlladdr [33m02:00:00:00:00:07 [0mPERMANENT 
$ ip -n a -c -o addr show dev v1
3: v1    inet [35m10.0.0.1[0m/24 scope global v1\       valid_lft forever preferred_lft forever
3: v1    inet [35m10.0.0.9[0m/24 scope global secondary v1\       valid_lft forever preferred_lft forever
$ ip -n a -color=never link show dev v1
3: v1@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000
    link/ether 02:00:00:00:00:01 brd ff:ff:ff:ff:ff:ff link-netns b
$ ip -n a -c -j link show dev v1
[{"ifindex":3,"link_index":2,"ifname":"v1","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"mtu":1500,"qdisc":"noqueue","operstate":"UP","linkmode":"DEFAULT","group":"default","txqlen":1000,"link_type":"ether","address":"02:00:00:00:00:01","broadcast":"ff:ff:ff:ff:ff:ff","link_netnsid":1}]
