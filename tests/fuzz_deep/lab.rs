//! The lab the frames go into: a root-namespace bridge (br_netfilter on) joining a router,
//! a PC and a DHCP client; the router NATs to an ISP (MASQUERADE, two DNATs, a filter with
//! conntrack states, LOG and REJECT) and serves DHCP; TCP and UDP listeners (ncat, Python's
//! http.server) on both sides, an open ncat connection through the NAT, a ping and a
//! traceroute through it (to an address nobody answers, so it keeps probing), `conntrack
//! -E`, and captures with and without filters (one writing a file) on every segment.
//!
//! The configuration runs through the scenario runner; the programs are started here, from
//! the steps of a second script, because the runner stops every job when its script ends.

use super::wire::{self, Ctx, Flow};
use nslab::scenarios::render::transcript::Attribution;
use nslab::scenarios::run::sim::Run;
use nslab::scenarios::{self, Command, Step, render::transcript};
use nslab::sim_core::tcpdump::{Formatter, Options};
use nslab::sim_core::{Duration, Filter, NodeId, PortId, Record};
use nslab::sim_nodes::{Job, Lab, Netns};
use std::collections::BTreeMap;

const SETUP: &str = "ip netns add router\nip netns add isp\nip netns add pc\nip netns add dhc\n\
ip link add br0 type bridge\nip link set br0 up\n\
ip link add r-lan type veth peer name br-r\nip link add pc-eth0 type veth peer name br-pc\n\
ip link add dhc-eth0 type veth peer name br-dhc\nip link add r-wan type veth peer name isp-eth0\n\
ip link set r-lan netns router\nip link set r-wan netns router\nip link set pc-eth0 netns pc\n\
ip link set dhc-eth0 netns dhc\nip link set isp-eth0 netns isp\n\
ip link set br-r master br0\nip link set br-pc master br0\nip link set br-dhc master br0\n\
ip link set br-r up\nip link set br-pc up\nip link set br-dhc up\n\
ip -n router link set r-lan address 00:00:5e:00:53:01\nip -n router link set r-wan address 00:00:5e:00:53:02\n\
ip -n isp link set isp-eth0 address 00:00:5e:00:53:03\nip -n pc link set pc-eth0 address 00:00:5e:00:53:04\n\
ip -n dhc link set dhc-eth0 address 00:00:5e:00:53:05\n\
ip -n router link set r-lan up\nip -n router link set r-wan up\nip -n router link set lo up\n\
ip -n isp link set isp-eth0 up\nip -n isp link set lo up\nip -n pc link set pc-eth0 up\nip -n pc link set lo up\n\
ip -n dhc link set dhc-eth0 up\n\
ip -n router addr add 192.168.1.1/24 dev r-lan\nip -n router addr add 203.0.113.1/24 dev r-wan\n\
ip -n isp addr add 203.0.113.2/24 dev isp-eth0\nip -n isp addr add 198.51.100.1/32 dev lo\n\
ip -n pc addr add 192.168.1.10/24 dev pc-eth0\nip -n pc route add default via 192.168.1.1\n\
ip -n router route add 198.51.100.0/24 via 203.0.113.2\n\
ip netns exec router sysctl -w net.ipv4.ip_forward=1\nsysctl -w net.bridge.bridge-nf-call-iptables=1\n\
iptables -A FORWARD -m conntrack --ctstate INVALID -j DROP\n\
ip netns exec router iptables -t nat -A POSTROUTING -o r-wan -j MASQUERADE\n\
ip netns exec router iptables -t nat -A PREROUTING -i r-wan -p tcp --dport 8080 -j DNAT --to-destination 192.168.1.10:80\n\
ip netns exec router iptables -t nat -A PREROUTING -i r-wan -p udp --dport 5353 -j DNAT --to-destination 192.168.1.10:9\n\
ip netns exec router iptables -A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\n\
ip netns exec router iptables -A FORWARD -i r-lan -j ACCEPT\n\
ip netns exec router iptables -A FORWARD -p tcp --dport 80 -j ACCEPT\n\
ip netns exec router iptables -A FORWARD -p udp --dport 9 -j ACCEPT\n\
ip netns exec router iptables -A FORWARD -p icmp -j LOG --log-prefix \"fwd-icmp \"\n\
ip netns exec router iptables -A FORWARD -p tcp -j REJECT --reject-with icmp-host-prohibited\n\
ip netns exec router iptables -A FORWARD -j REJECT\n\
ip netns exec router iptables -A INPUT -p tcp --dport 22 -j DROP\n\
ip netns exec isp iptables -A INPUT -p udp --dport 1000 -j REJECT\n";

const PROGRAMS: &str = "ip netns exec router tcpdump -tnel -i r-lan &\n\
ip netns exec router tcpdump -tnel -i r-wan tcp or icmp &\n\
ip netns exec isp tcpdump -tn -i isp-eth0 not arp &\n\
tcpdump -tnel -i br0 &\n\
tcpdump -tnel -i br-pc udp port 67 or udp port 68 or arp &\n\
ip netns exec pc tcpdump -n -i pc-eth0 -w pc.pcap &\n\
ip netns exec dhc tcpdump -tnel -i dhc-eth0 &\n\
ip netns exec router conntrack -E &\n\
ip netns exec router dnsmasq --dhcp-range=192.168.1.100,192.168.1.150,2m --interface=r-lan --no-daemon &\n\
ip netns exec dhc dhclient -d dhc-eth0 &\n\
ip netns exec pc nc -l -k 80 &\n\
ip netns exec pc nc -u -l 9 &\n\
ip netns exec pc python3 -m http.server 8000 &\n\
ip netns exec isp python3 -m http.server 8000 &\n\
ip netns exec isp nc -l -k 7 &\n\
ip netns exec isp nc -u -l 9 &\n\
ip netns exec pc nc 198.51.100.1 7 &\n\
ip netns exec pc curl -m 20 http://198.51.100.1:8000/ &\n\
ip netns exec isp curl -s -I http://203.0.113.1:8080/ &\n\
ip netns exec pc ping -i 10 198.51.100.1 &\n\
ip netns exec pc traceroute -n -q 1 -w 5 198.51.100.77 &\n";

/// Where a frame can come in, as the neighbour at the other end would send it: (namespace,
/// interface) — the bridge's ports and every host's interface.
pub const PORTS: [(Option<&str>, &str); 8] = [
    (None, "br-pc"),
    (None, "br-dhc"),
    (None, "br-r"),
    (Some("router"), "r-lan"),
    (Some("router"), "r-wan"),
    (Some("isp"), "isp-eth0"),
    (Some("pc"), "pc-eth0"),
    (Some("dhc"), "dhc-eth0"),
];

/// The lab, the steps its programs belong to, and its running jobs.
pub struct FuzzLab {
    pub lab: Lab,
    pub steps: Vec<Step>,
    pub attr: Attribution,
    pub exits: BTreeMap<usize, i32>,
    pub jobs: Vec<Job>,
}

impl FuzzLab {
    /// Builds the lab and lets DHCP, the TCP connection and the HTTP exchanges settle (5 s).
    pub fn new() -> FuzzLab {
        let sc = scenarios::load("fuzz-lab.sh", SETUP).unwrap_or_else(|e| panic!("{e}"));
        let opts = scenarios::run::sim::RunOptions::default();
        let Run { mut lab, attribution, steps, exits, .. } =
            scenarios::run::sim::run("fuzz-lab.sh", SETUP, &sc, &opts).unwrap_or_else(|e| panic!("{e}"));
        let programs = scenarios::load("fuzz-programs.sh", PROGRAMS).unwrap_or_else(|e| panic!("{e}"));
        let mut fl = FuzzLab { lab: Lab::new(0), steps, attr: attribution, exits, jobs: Vec::new() };
        for step in programs.steps {
            let i = fl.steps.len();
            let node = lab.ns(step.ns.as_deref()).unwrap();
            let job = start(&mut lab, &mut fl.attr, i, node, &step.run);
            fl.attr.procs.insert((step.ns.as_deref().unwrap_or_default().into(), job.pid), i);
            fl.jobs.push(job);
            fl.steps.push(step);
        }
        fl.lab = lab;
        fl.run_for(Duration::from_secs(5)).expect("the lab settles");
        fl
    }

    /// Runs the world on for `d`.
    pub fn run_for(&mut self, d: Duration) -> Result<(), nslab::sim_core::world::BudgetExhausted> {
        let t = self.lab.world().now() + d;
        self.lab.world_mut().run_until(t)
    }

    /// The conntrack flows the router knows now.
    pub fn flows(&mut self) -> Vec<Flow> {
        let router = self.lab.ns(Some("router")).unwrap();
        let out = self.lab.conntrack(router, &["-L"]).map(|o| o.stdout).unwrap_or_default();
        out.iter().filter_map(|l| flow(l)).collect()
    }

    /// Sends `f` from the neighbour at the other end of `port`'s link, so it crosses the
    /// link and every capture on the way sees it, and runs the lab until it has arrived
    /// (20 µs). `None` when that link is gone (an action deleted it).
    pub fn inject(&mut self, port: usize, f: &wire::Frame, flows: &[Flow]) -> Option<Injected> {
        let (ns, dev) = PORTS[port % PORTS.len()];
        let (peer_ns, peer_dev) = peer_of(dev);
        let node = self.lab.ns(ns).ok()?;
        let pnode = self.lab.ns(peer_ns).ok()?;
        let pix = self.lab.dev_index(pnode, peer_dev).ok()?;
        let iface = self.lab.netns(node).iface_by_name(dev)?.clone();
        let peer = self.lab.netns(pnode).iface_by_name(peer_dev)?.mac.0;
        let ctx = Ctx { local: iface.mac.0, peer, flows, records: self.lab.world().trace().records() };
        let bytes = wire::build(f, &ctx);
        let before = self.lab.netns(node).counters().rx_malformed;
        self.lab.world_mut().with_node::<Netns, _>(pnode, |_, cx| cx.send(PortId(pix), &bytes));
        let sent = self.run_for(Duration::from_micros(20)).is_ok();
        let after = self.lab.netns(node).counters().rx_malformed;
        // A host must find a bad IPv4 header malformed when the frame reaches it (the link
        // and the interface up, the frame within the MTU) addressed to it.
        let arrives = sent && iface.admin_up && iface.carrier && bytes.len() <= 14 + iface.mtu as usize;
        let for_us = bytes.len() >= 14 && (bytes[..6] == iface.mac.0 || bytes[0] & 1 == 1);
        let must_count = arrives
            && iface.master.is_none()
            && (bytes.len() < 14 || (for_us && bytes[12..14] == [8, 0] && wire::ipv4_header_bad(&bytes)));
        Some(Injected { bytes, must_count, counted: after > before })
    }

    /// Changes the lab while traffic flows, as a person at a prompt could: a link down or
    /// up, addresses flushed, conntrack or NAT rules flushed, neighbours flushed, a job
    /// killed or typed into, a small MTU, a bridge port taken out or put back, forwarding
    /// off or on, a link deleted. Refusals are fine; panics are not.
    pub fn act(&mut self, kind: u8, arg: u8) {
        let lab = &mut self.lab;
        let (ns, dev) = PORTS[usize::from(arg) % PORTS.len()];
        let Ok(node) = lab.ns(ns) else { return };
        let router = lab.ns(Some("router")).unwrap();
        let root = lab.ns(None).unwrap();
        let _ = match kind % 12 {
            0 => lab.link_set_up(node, dev, arg.is_multiple_of(2)),
            1 => lab.addr_flush(node, dev),
            2 => lab.conntrack(router, &["-F"]).map(|_| ()),
            3 => lab.iptables(router, &["-t", "nat", "-F"]).map(|_| ()),
            4 => lab.neigh_flush(node, None),
            5 => {
                let j = self.jobs[usize::from(arg) % self.jobs.len()];
                lab.interrupt(j);
                Ok(())
            }
            6 => {
                let j = self.jobs[usize::from(arg) % self.jobs.len()];
                lab.input(j, ["hello", "GET / HTTP/1.0", "", "\u{7f}\u{0}x"][usize::from(arg) % 4]);
                Ok(())
            }
            7 => lab.link_set_mtu(node, dev, [68, 576, 1280, 9000][usize::from(arg) % 4]),
            8 => lab.link_set_master(root, dev, if arg.is_multiple_of(2) { None } else { Some("br0") }),
            9 => {
                lab.sysctl_set(router, "net.ipv4.ip_forward", if arg.is_multiple_of(2) { "0" } else { "1" }).map(|_| ())
            }
            10 => lab.bridge_set_ageing(root, "br0", Duration::from_secs(u64::from(arg % 3))),
            _ => lab.link_del(node, dev),
        };
        lab.reap();
    }

    /// Stops every job (as the end of a scenario does), renders everything a user could
    /// ask for and checks it: every `show` and table listing, the transcript, JSON, tcpdump
    /// lines for every frame seen, the pcapng files. Returns what was rendered (text, and
    /// the pcapng), for the determinism check.
    pub fn finish_and_render(mut self) -> (String, Vec<u8>) {
        for j in self.jobs.clone() {
            self.lab.interrupt(j);
        }
        self.lab.reap();
        let mut shown: Vec<String> = Vec::new();
        for ns in [None, Some("router"), Some("isp"), Some("pc"), Some("dhc")] {
            let node = self.lab.ns(ns).unwrap();
            let lab = &mut self.lab;
            for lines in [
                lab.link_show(node, None),
                lab.addr_show(node, None),
                lab.route_show(node, None),
                lab.neigh_show(node, None),
                lab.iptables(node, &["-L", "-n", "-v"]).map(|o| o.stdout),
                lab.iptables(node, &["-t", "nat", "-S"]).map(|o| o.stdout),
                lab.iptables_save(node, &["-c"]).map(|o| o.stdout),
                lab.conntrack(node, &["-L"]).map(|o| o.stdout),
            ] {
                shown.extend(lines.unwrap());
            }
        }
        let lab = &self.lab;
        let root = lab.ns(None).unwrap();
        if lab.dev_index(root, "br0").is_ok() {
            shown.extend(lab.bridge_fdb_show(root, None).unwrap());
            shown.extend(lab.brctl_showmacs(root, "br0").unwrap());
        }
        one_line_each(&shown);
        let records = lab.world().trace().records();
        let rendered = transcript::render(records, &self.attr, &self.steps, &self.exits);
        one_line_each(&rendered.lines.iter().map(|l| l.text.clone()).collect::<Vec<_>>());
        let mut text = transcript::text(&rendered);
        let _ = transcript::json(&rendered);
        let mut fmts = [
            Formatter::new(Options { timestamp: true, ..Options::default() }),
            Formatter::new(Options { link_header: false, ..Options::default() }),
        ];
        let mut frames = 0usize;
        for r in records {
            if let Record::Frame { at, bytes, .. } = r {
                frames += 1;
                for f in &mut fmts {
                    let line = f.line(at.as_nanos(), bytes);
                    // (What tcpdump dumps of a packet it has no printer for follows on lines
                    // of its own.)
                    assert!(
                        line.split('\n').skip(1).all(|l| l.starts_with('\t')),
                        "one tcpdump line per frame: {line:?}"
                    );
                }
            }
        }
        let caps = transcript::captures_of(lab);
        let all = transcript::pcapng(&caps, records, None, transcript::SIM_EPOCH_NS).expect("pcapng builds");
        assert_eq!(pcapng_blocks(&all), (caps.len(), frames), "one interface per capture, one packet per frame");
        for c in &caps {
            let one = transcript::pcapng(&caps, records, Some(c.id), transcript::SIM_EPOCH_NS).expect("pcapng builds");
            assert_eq!(pcapng_blocks(&one).0, 1);
        }
        text.push_str(&shown.join("\n"));
        (text, all)
    }
}

/// Starts the program a step runs, as the runner would.
fn start(lab: &mut Lab, attr: &mut Attribution, step: usize, node: NodeId, cmd: &Command) -> Job {
    match cmd {
        Command::Tcpdump(t) => {
            let filter = Filter::parse(&t.filter).unwrap();
            let (job, cap) = lab.tcpdump(node, &t.iface, filter, &t.filter, t.write.is_some()).unwrap();
            let opts = t.options();
            attr.captures.insert(cap, (step, opts, t.write.is_some()));
            job
        }
        // The rest start as the runner starts them.
        c => {
            let files = lab.files().clone();
            lab.spawn(
                node,
                scenarios::run::spawn::process(c, &files).expect("a program").expect("its arguments validated"),
            )
        }
    }
}

/// What one injection did.
pub struct Injected {
    pub bytes: Vec<u8>,
    /// The frame is one the receiver must count as malformed.
    pub must_count: bool,
    /// The receiver's `rx_malformed` went up.
    pub counted: bool,
}

/// The interface at the other end of `dev`'s veth (the lab's pairs by name).
fn peer_of(dev: &str) -> (Option<&'static str>, &'static str) {
    match dev {
        "br-pc" => (Some("pc"), "pc-eth0"),
        "br-dhc" => (Some("dhc"), "dhc-eth0"),
        "br-r" => (Some("router"), "r-lan"),
        "r-lan" => (None, "br-r"),
        "r-wan" => (Some("isp"), "isp-eth0"),
        "isp-eth0" => (Some("router"), "r-wan"),
        "pc-eth0" => (None, "br-pc"),
        _ => (None, "br-dhc"),
    }
}

/// A `conntrack -L` line's tuples.
fn flow(line: &str) -> Option<Flow> {
    let mut words = line.split_whitespace();
    // `PROTO NUMBER TIMEOUT …`: the second word is the protocol number.
    let _: u8 = words.nth(1)?.parse().ok()?;
    let mut v: Vec<(&str, &str)> = Vec::new();
    for w in words {
        if let Some((k, val)) = w.split_once('=') {
            v.push((k, val));
        }
    }
    let get = |k: &str, n: usize| v.iter().filter(|(key, _)| *key == k).nth(n).map(|(_, val)| *val);
    let port = |k: &str, alt: &str, n: usize| get(k, n).or(get(alt, n)).and_then(|p| p.parse().ok()).unwrap_or(0);
    let tuple = |n: usize| -> Option<_> {
        Some((
            get("src", n)?.parse().ok()?,
            get("dst", n)?.parse().ok()?,
            port("sport", "id", n),
            port("dport", "id", n),
        ))
    };
    Some(Flow { orig: tuple(0)?, reply: tuple(1)? })
}

/// Every rendered line is one line.
fn one_line_each(lines: &[String]) {
    for l in lines {
        assert!(!l.contains('\n'), "a line with a newline in it: {l:?}");
    }
}

/// (interface blocks, packet blocks) of a pcapng file, after checking its framing: every
/// block's length is a multiple of 4, at least 12, repeated at its end, and the blocks
/// cover the file exactly.
pub fn pcapng_blocks(b: &[u8]) -> (usize, usize) {
    let (mut at, mut idbs, mut epbs) = (0usize, 0, 0);
    let word = |i: usize| u32::from_le_bytes(b[i..i + 4].try_into().unwrap()) as usize;
    assert_eq!(word(0), 0x0a0d0d0a, "starts with a section header");
    while at < b.len() {
        assert!(at + 12 <= b.len(), "a block header past the end at {at}");
        let (ty, len) = (word(at), word(at + 4));
        assert!(len >= 12 && len % 4 == 0 && at + len <= b.len(), "block at {at}: length {len}");
        assert_eq!(word(at + len - 4), len, "block at {at}: trailing length");
        match ty {
            1 => idbs += 1,
            6 => epbs += 1,
            _ => {}
        }
        at += len;
    }
    (idbs, epbs)
}
