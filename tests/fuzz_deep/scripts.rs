//! Scenario text that gets past the parsers: scripts built from the commands the tutorials
//! use with arguments drawn from a few names and addresses (so they refer to each other and
//! run, and take things away while programs use them), the same as RON (through `nslab
//! convert`) with a few characters changed, and the bundled scenarios with lines dropped,
//! repeated or swapped and words replaced; tcpdump filters from their words.

use proptest::prelude::*;

const NS: &[&str] = &["a", "b", "r"];
const DEV: &[&str] = &["a0", "b0", "ra", "rb", "br0", "lo", "a1"];
const ADDR: &[&str] =
    &["10.0.0.1", "10.0.0.2", "10.0.0.254", "10.0.1.1", "10.0.1.2", "10.0.0.255", "0.0.0.0", "127.0.0.1"];
const PREFIX: &[&str] = &["24", "32", "16", "0", "31"];
const MAC: &[&str] = &["00:00:5e:00:53:01", "00:00:5e:00:53:02", "ff:ff:ff:ff:ff:ff", "01:00:5e:00:00:01"];
const FILTER: &[&str] = &[
    "",
    "icmp",
    "arp",
    "tcp port 80",
    "udp and port 67",
    "not arp",
    "host 10.0.0.1",
    "tcp[13] & 2 != 0",
    "icmp or (udp and not port 9)",
];
const SYSCTL: &[&str] = &[
    "net.ipv4.ip_forward=1",
    "net.ipv4.ip_forward=0",
    "net.bridge.bridge-nf-call-iptables=1",
    "net.netfilter.nf_conntrack_udp_timeout=3",
    "net.netfilter.nf_conntrack_tcp_timeout_established=5",
    "net.ipv4.icmp_ratelimit=0",
    "net.ipv4.conf.all.forwarding=1",
];
const RULE: &[&str] = &[
    "-t nat -A POSTROUTING -o rb -j MASQUERADE",
    "-t nat -A POSTROUTING -s 10.0.0.0/24 -j SNAT --to-source 10.0.1.1",
    "-t nat -A PREROUTING -i rb -p tcp --dport 8080 -j DNAT --to-destination 10.0.0.1:80",
    "-t nat -A PREROUTING -p udp --dport 53 -j DNAT --to-destination 10.0.0.2",
    "-A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT",
    "-A FORWARD -p icmp --icmp-type echo-request -j DROP",
    "-A FORWARD -j REJECT",
    "-A INPUT -p tcp --dport 80 -j REJECT --reject-with tcp-reset",
    "-A INPUT -p udp -j LOG --log-prefix x",
    "-P FORWARD DROP",
    "-N mine",
    "-A mine -j RETURN",
    "-A OUTPUT -j mine",
    "-F",
    "-t nat -F",
    "-L -n -v",
    "-S",
    "-Z",
];

fn pick(from: &'static [&'static str]) -> impl Strategy<Value = &'static str> {
    prop::sample::select(from)
}

fn ns_prefix() -> impl Strategy<Value = String> {
    prop_oneof![1 => Just(String::new()), 3 => pick(NS).prop_map(|n| format!("ip netns exec {n} "))]
}

fn cidr() -> impl Strategy<Value = String> {
    (pick(ADDR), pick(PREFIX)).prop_map(|(a, p)| format!("{a}/{p}"))
}

/// One line of a script.
fn line() -> impl Strategy<Value = String> {
    let config = prop_oneof![
        pick(NS).prop_map(|n| format!("ip netns add {n}")),
        (pick(DEV), pick(DEV)).prop_map(|(a, b)| format!("ip link add {a} type veth peer name {b}")),
        pick(DEV).prop_map(|b| format!("ip link add {b} type bridge")),
        (ns_prefix(), pick(DEV), pick(NS)).prop_map(|(p, d, n)| format!("{p}ip link set {d} netns {n}")),
        (ns_prefix(), pick(DEV), pick(&["up", "down"])).prop_map(|(p, d, s)| format!("{p}ip link set {d} {s}")),
        (ns_prefix(), pick(DEV), pick(DEV)).prop_map(|(p, d, b)| format!("{p}ip link set {d} master {b}")),
        (ns_prefix(), pick(DEV), pick(MAC)).prop_map(|(p, d, m)| format!("{p}ip link set {d} address {m}")),
        (ns_prefix(), pick(DEV), pick(&["68", "576", "1500", "9000", "65535", "0"]))
            .prop_map(|(p, d, m)| format!("{p}ip link set {d} mtu {m}")),
        (ns_prefix(), cidr(), pick(DEV)).prop_map(|(p, c, d)| format!("{p}ip addr add {c} dev {d}")),
        (ns_prefix(), cidr(), pick(DEV)).prop_map(|(p, c, d)| format!("{p}ip addr del {c} dev {d}")),
        (ns_prefix(), pick(ADDR)).prop_map(|(p, g)| format!("{p}ip route add default via {g}")),
        (ns_prefix(), cidr(), pick(DEV)).prop_map(|(p, c, d)| format!("{p}ip route add {c} dev {d}")),
        (ns_prefix(), cidr(), pick(ADDR)).prop_map(|(p, c, g)| format!("{p}ip route add {c} via {g}")),
        (ns_prefix(), pick(SYSCTL)).prop_map(|(p, s)| format!("{p}sysctl -w {s}")),
        (ns_prefix(), pick(RULE)).prop_map(|(p, r)| format!("{p}iptables {r}")),
        (ns_prefix(), pick(DEV), pick(DEV)).prop_map(|(p, b, d)| format!("{p}brctl addif {b} {d}")),
    ];
    // Taking things away while programs run on them.
    let teardown = prop_oneof![
        pick(NS).prop_map(|n| format!("ip netns del {n}")),
        (ns_prefix(), pick(DEV)).prop_map(|(p, d)| format!("{p}ip link del {d}")),
        (ns_prefix(), pick(DEV)).prop_map(|(p, d)| format!("{p}ip addr flush dev {d}")),
        (ns_prefix(), pick(DEV)).prop_map(|(p, d)| format!("{p}brctl delbr {d}")),
        (ns_prefix(), pick(DEV)).prop_map(|(p, d)| format!("{p}brctl delif br0 {d}")),
        (ns_prefix(), pick(DEV)).prop_map(|(p, d)| format!("{p}dhclient -r {d}")),
        (ns_prefix(), pick(DEV), pick(DEV)).prop_map(|(p, d, n)| format!("{p}ip link set {d} name {n}")),
        ns_prefix().prop_map(|p| format!("{p}ip route del default")),
        (ns_prefix(), pick(DEV)).prop_map(|(p, d)| format!("{p}ip link set {d} nomaster")),
        (ns_prefix(), pick(&["0", "100", "30000"]))
            .prop_map(|(p, a)| format!("{p}ip link set br0 type bridge ageing_time {a}")),
    ];
    let programs = prop_oneof![
        (ns_prefix(), 1u8..4, pick(&["", "-i 0.2 ", "-t 1 ", "-s 1400 ", "-b ", "-W 1 "]), pick(ADDR))
            .prop_map(|(p, c, o, a)| format!("{p}ping -c {c} {o}{a}")),
        (ns_prefix(), pick(ADDR)).prop_map(|(p, a)| format!("{p}traceroute -n -m 3 -q 1 -w 1 {a}")),
        (ns_prefix(), pick(DEV), pick(FILTER)).prop_map(|(p, d, f)| format!("{p}tcpdump -tnel -i {d} {f} &")),
        (ns_prefix(), pick(DEV)).prop_map(|(p, d)| format!(
            "{p}dnsmasq --dhcp-range=10.0.0.100,10.0.0.110,2m --interface={d} --no-daemon &"
        )),
        (ns_prefix(), pick(DEV)).prop_map(|(p, d)| format!("{p}dhclient -d {d} &")),
        (ns_prefix(), pick(&["", "-u ", "-k "]), pick(&["80", "9", "8080"]))
            .prop_map(|(p, o, n)| format!("{p}nc -l {o}{n} &")),
        (ns_prefix(), pick(&["", "-u "]), pick(ADDR), pick(&["80", "9", "8080"]))
            .prop_map(|(p, o, a, n)| format!("{p}echo hi | nc {o}{a} {n}")),
        (ns_prefix(), pick(ADDR), pick(&["80", "8000", "8080"]))
            .prop_map(|(p, a, n)| format!("{p}curl -m 3 http://{a}:{n}/")),
        (ns_prefix(), pick(&["8000", "80"])).prop_map(|(p, n)| format!("{p}python3 -m http.server {n} &")),
        ns_prefix().prop_map(|p| format!("{p}conntrack -E &")),
        (ns_prefix(), pick(&["-L", "-F", "-L -p udp"])).prop_map(|(p, a)| format!("{p}conntrack {a}")),
        (0u8..40).prop_map(|s| format!("sleep {s}")),
        (1u8..4).prop_map(|j| format!("kill %{j}")),
        (1u8..4, pick(&["hello", "GET / HTTP/1.0", ""])).prop_map(|(j, l)| format!("input %{j} {l}")),
    ];
    let shows = prop_oneof![
        ns_prefix().prop_map(|p| format!("{p}ip neigh show")),
        ns_prefix().prop_map(|p| format!("{p}ip route show")),
        ns_prefix().prop_map(|p| format!("{p}ip -s link show")),
        ns_prefix().prop_map(|p| format!("{p}ip addr show")),
        ns_prefix().prop_map(|p| format!("{p}bridge fdb show")),
        ns_prefix().prop_map(|p| format!("{p}brctl showmacs br0")),
        ns_prefix().prop_map(|p| format!("{p}iptables-save")),
        ns_prefix().prop_map(|p| format!("{p}ip neigh flush all")),
    ];
    prop_oneof![6 => config, 4 => programs, 1 => shows, 1 => teardown]
}

/// A script: the namespaces and links made first most of the time, then anything, most
/// lines allowed to fail.
pub fn script() -> impl Strategy<Value = String> {
    let prelude = "ip netns add a\nip netns add b\nip netns add r\nip link add a0 type veth peer name ra\n\
        ip link add b0 type veth peer name rb\nip link set a0 netns a\nip link set ra netns r\nip link set b0 netns b\n\
        ip link set rb netns r\nip -n a link set a0 up\nip -n b link set b0 up\nip -n r link set ra up\nip -n r link set rb up\n\
        ip -n a addr add 10.0.0.1/24 dev a0\nip -n r addr add 10.0.0.254/24 dev ra\nip -n r addr add 10.0.1.254/24 dev rb\n\
        ip -n b addr add 10.0.1.2/24 dev b0\nip -n a route add default via 10.0.0.254\nip -n b route add default via 10.0.1.254\n";
    // `#! exit: 1` after a line lets the run go on past it if the machine refuses it.
    let line =
        (line(), prop::bool::weighted(0.6)).prop_map(|(l, go_on)| if go_on { format!("{l}\n#! exit: 1") } else { l });
    (prop::bool::weighted(0.8), prop::collection::vec(line, 0..25))
        .prop_map(move |(with, lines)| format!("{}{}\n", if with { prelude } else { "" }, lines.join("\n")))
}

/// Edits of a text: (kind, position, another position, a byte).
pub type Edit = (u8, u16, u16, u8);

pub fn edits() -> impl Strategy<Value = Vec<Edit>> {
    prop::collection::vec((0u8..6, any::<u16>(), any::<u16>(), any::<u8>()), 0..4)
}

/// Applies line-level edits (drop, repeat, swap lines; replace a word with another line's
/// word or a number) and character-level ones (flip a character, cut), keeping UTF-8.
pub fn mutate(text: &str, edits: &[Edit]) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    for &(kind, a, b, byte) in edits {
        if lines.is_empty() {
            break;
        }
        let (i, j) = (usize::from(a) % lines.len(), usize::from(b) % lines.len());
        match kind {
            0 => {
                lines.remove(i);
            }
            1 => {
                let l = lines[i].clone();
                lines.insert(j, l);
            }
            2 => lines.swap(i, j),
            3 => {
                // A word of line i becomes a word of line j.
                let wj: Vec<&str> = lines[j].split(' ').collect();
                let w = wj[usize::from(byte) % wj.len()].to_string();
                let mut wi: Vec<String> = lines[i].split(' ').map(str::to_string).collect();
                let k = usize::from(byte) % wi.len();
                wi[k] = w;
                lines[i] = wi.join(" ");
            }
            4 => {
                // A number becomes another small number.
                let wi: Vec<String> =
                    lines[i]
                        .split(' ')
                        .map(|w| {
                            if w.parse::<u64>().is_ok() && byte % 2 == 0 {
                                (byte % 7).to_string()
                            } else {
                                w.to_string()
                            }
                        })
                        .collect();
                lines[i] = wi.join(" ");
            }
            _ => {
                let mut chars: Vec<char> = lines[i].chars().collect();
                if !chars.is_empty() {
                    let k = usize::from(b) % chars.len();
                    chars[k] = char::from(byte);
                }
                lines[i] = chars.into_iter().collect();
            }
        }
    }
    let mut s = lines.join("\n");
    s.push('\n');
    s
}

/// A tcpdump filter from the words filters are made of.
pub fn filter() -> impl Strategy<Value = String> {
    const WORDS: &[&str] = &[
        "icmp",
        "arp",
        "ip",
        "tcp",
        "udp",
        "host",
        "net",
        "port",
        "src",
        "dst",
        "ether",
        "broadcast",
        "and",
        "or",
        "not",
        "(",
        ")",
        "192.168.1.1",
        "10.0.0.0/8",
        "192.168.1.0/24",
        "80",
        "67",
        "00:00:5e:00:53:01",
        "&&",
        "||",
        "!",
        "proto",
        "less",
        "greater",
        "1",
    ];
    prop::collection::vec(pick(WORDS), 0..12).prop_map(|w| w.join(" "))
}
