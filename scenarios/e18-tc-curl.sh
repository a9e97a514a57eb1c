# E18 — A download through a shaped link: curl's transfer time follows tbf's rate.
# Source: tc-tbf(8), curl(1)'s --write-out, Python's http.server.
#! description: E18 tbf and curl: home serves a 200 KiB file (`truncate -s 200K blob`, served by `python3 -m http.server`) through its uplink's `tbf rate 1mbit burst 10kb latency 2s`; isp's `curl -o /dev/null -w …` takes about 1.6 s — the file and its TCP/IP headers at 125 000 bytes a second, less the bucket's 10 KiB — and half that at 2 Mbit/s. A queue of up to 2 s holds all TCP sends before its window fills, so nothing is dropped and the rate alone sets the time.
#! seed: 18

$ ip netns add home
$ ip netns add isp
$ ip link add up0 type veth peer name down0
$ ip link set up0 netns home
$ ip link set down0 netns isp
# IPv6 off on the link: what it sends when it comes up leaves at random times.
$ ip netns exec home sysctl -w net.ipv6.conf.up0.disable_ipv6=1
net.ipv6.conf.up0.disable_ipv6 = 1
$ ip netns exec isp sysctl -w net.ipv6.conf.down0.disable_ipv6=1
net.ipv6.conf.down0.disable_ipv6 = 1
$ ip -n home addr add 100.64.0.2/24 dev up0
$ ip -n isp addr add 100.64.0.1/24 dev down0
$ ip -n home link set up0 up
$ ip -n isp link set down0 up

# A file of 204800 zero bytes in the directory the server serves.
$ truncate -s 200K blob
# With `lo` down, glibc's getaddrinfo() puts `::` first for Python (it finds no route to
# 0.0.0.0): the server takes both families, and logs an IPv4 client as ::ffff:….
$ ip netns exec home python3 -m http.server 8000 &
Serving HTTP on :: port 8000 (http://[::]:8000/) ...
...
$ sleep 1
$ ip netns exec isp curl -s http://100.64.0.2:8000/
...
<li><a href="blob">blob</a></li>
...
$ ip netns exec isp curl -sI http://100.64.0.2:8000/blob
HTTP/1.0 200 OK
Server: {}
Date: {}
Content-type: application/octet-stream
Content-Length: 204800
Last-Modified: {}

# 1 Mbit/s up: 125 000 bytes a second.
$ tc -n home qdisc add dev up0 root tbf rate 1mbit burst 10kb latency 2s
$ ip netns exec isp curl -s -o /dev/null -w '%{http_code} %{size_download} %{time_total}\n' http://100.64.0.2:8000/blob
200 204800 1.620064
#! within: 15% 200 {} -- the kernel's TCP sends its own segment sizes (timestamps, GSO packets that tbf cuts up) and real time adds the machine's scheduling

# Twice the rate, half the time.
$ tc -n home qdisc change dev up0 root tbf rate 2mbit burst 10kb latency 2s
$ ip netns exec isp curl -s -o /dev/null -w '%{http_code} %{size_download} %{time_total}\n' http://100.64.0.2:8000/blob
200 204800 0.810552
#! within: 15% 200 {} -- as above
