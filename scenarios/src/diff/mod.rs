//! Comparing two runs of one scenario — the sim's and the kernel's — step by step.
//!
//! Each step's output (a capture's tcpdump lines, a process's lines, a show command's
//! lines) is normalised on each side, then the two sequences are compared. Normalising
//! keeps what both machines must agree on and maps what they may not to symbols in order
//! of first appearance: MAC addresses the scenario did not fix, ICMP echo ids, ephemeral
//! ports, TCP initial sequence numbers, link-local IPv6 addresses (their MAC's symbol), IPv6
//! flow labels, qdisc handles the kernel chose (its counter is the
//! machine's, shared by every run since boot); TCP windows and options are masked (smoltcp's are
//! its own); times are dropped (RTTs, ping's `time`, traceroute's, lifetimes, routes'
//! `expires`, dhclient's random intervals, radvd's log clock, `ip -d`'s bridge timers), as
//! are pids, run files and a veth's queue count (the machine's CPUs). Outputs the kernel orders by hash (`ip neigh`, `bridge fdb show`,
//! `brctl showmacs`) are compared as sets. Lines a step marks `#! differs: LINE -- WHY` are set aside on both
//! sides and reported as known differences with their reason; lines a step marks
//! `#! repeats: LINE -- WHY` may come more than once on either side (a retransmission that
//! real-time jitter provokes), so only the first of each is compared; lines a step marks
//! `#! within: N% [LINE] -- WHY` agree when their numbers are within N percent of each
//! other (a qdisc's counters, which follow real time on the kernel).
//!
//! The report reads as text ([`Report::text`]), JSON ([`Report::json`]) or one HTML page
//! with the sides next to each other ([`Report::html`], in `html.rs`).

pub mod html;

use crate::command::{Command, Scenario, Step};
use crate::render::expect::line_matches;
use crate::render::transcript::Rendered;
use regex::Regex;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::sync::LazyLock;

/// One side of the comparison.
#[derive(Clone, Copy, Debug)]
pub struct Side<'a> {
    /// What the side is called in the report (`sim`, `kernel`).
    pub name: &'a str,
    /// What it rendered.
    pub rendered: &'a Rendered,
}

/// A verdict for one step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// The normalised outputs are equal.
    Agree,
    /// Equal once the step's known differences are set aside.
    Known,
    /// They differ.
    Differs,
}

/// Where the two sides part, with a little context.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Hunk {
    /// Lines both sides have just before it.
    pub context: Vec<String>,
    /// The first side's lines here (normalised), numbered from 1.
    pub a: Vec<(usize, String)>,
    /// The second side's.
    pub b: Vec<(usize, String)>,
}

/// One step's comparison.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Item {
    /// The step (from 0).
    pub step: usize,
    /// Its line in the scenario file.
    pub line: u32,
    /// What was compared (`capture ns1/ns1-veth0`, `ns1: ping -c 3 192.0.2.2`).
    pub title: String,
    /// The verdict.
    pub verdict: Verdict,
    /// Known differences that applied: the reason, and how many lines on each side.
    pub known: Vec<(String, usize, usize)>,
    /// Where the sides differ.
    pub hunks: Vec<Hunk>,
    /// The two sides' lines as compared (normalised, known differences set aside),
    /// aligned: what `--html` shows side by side.
    #[serde(skip)]
    pub rows: Vec<Row>,
    /// What each side printed for the step, as printed.
    #[serde(skip)]
    pub printed: (Vec<String>, Vec<String>),
}

/// One row of two sides aligned: a line of each, or of one (the other has none there).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// The first side's line.
    pub a: Option<String>,
    /// The second side's.
    pub b: Option<String>,
}

/// The whole comparison.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Report {
    /// The scenario file.
    pub file: String,
    /// The sides' names.
    pub sides: (String, String),
    /// Per compared step.
    pub items: Vec<Item>,
}

impl Report {
    /// Adds a comparison of lines that belong to no step — each side's drop counters at
    /// the end of the run (`nslab diff --drops`) — as an item after the steps (line 0).
    pub fn add_lines(&mut self, title: &str, a: &[String], b: &[String]) {
        let hunks = hunks(a, b, 3);
        let verdict = if hunks.is_empty() { Verdict::Agree } else { Verdict::Differs };
        let after = self.items.iter().map(|i| i.step + 1).max().unwrap_or(0);
        self.items.push(Item {
            step: after,
            line: 0,
            title: title.to_string(),
            verdict,
            known: Vec::new(),
            hunks,
            rows: aligned(a, b),
            printed: (a.to_vec(), b.to_vec()),
        });
    }

    /// True when nothing differs beyond the known differences.
    pub fn agrees(&self) -> bool {
        self.items.iter().all(|i| i.verdict != Verdict::Differs)
    }

    /// The report as a person reads it.
    pub fn text(&self) -> String {
        let (a, b) = (&self.sides.0, &self.sides.1);
        let mut s = format!("nslab diff {}: {a} vs {b}\n", self.file);
        for i in &self.items {
            let word = match i.verdict {
                Verdict::Agree => "agree  ",
                Verdict::Known => "known  ",
                Verdict::Differs => "DIFFERS",
            };
            match i.line {
                0 => writeln!(s, "{word} {} (end)  {}", self.file, i.title),
                n => writeln!(s, "{word} {}:{n}  {}", self.file, i.title),
            }
            .unwrap_or_default();
            for (why, na, nb) in &i.known {
                let _ = writeln!(s, "        known difference ({na} {a} / {nb} {b} lines): {why}");
            }
            for h in &i.hunks {
                let at = |v: &[(usize, String)]| v.first().map(|x| x.0.to_string()).unwrap_or_else(|| "-".into());
                let _ = writeln!(s, "        @@ {a} line {}, {b} line {}", at(&h.a), at(&h.b));
                for c in &h.context {
                    let _ = writeln!(s, "           {c}");
                }
                for (_, l) in &h.a {
                    let _ = writeln!(s, "        -  {l}");
                }
                for (_, l) in &h.b {
                    let _ = writeln!(s, "        +  {l}");
                }
            }
        }
        let count = |v: Verdict| self.items.iter().filter(|i| i.verdict == v).count();
        let _ = writeln!(
            s,
            "{}: {} agree, {} agree with known differences, {} differ  (- {a}, + {b})",
            if self.agrees() { "AGREE" } else { "DIFFER" },
            count(Verdict::Agree),
            count(Verdict::Known),
            count(Verdict::Differs)
        );
        s
    }

    /// The report as JSON.
    pub fn json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// A MAC address, after what comes before it (`ip -c` puts a colour's escape sequence right
/// before it, which `\b` does not see as a boundary): group 1 is that, group 2 the MAC.
static MAC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(^|[^0-9A-Za-z_:]|\x1b\[[0-9;]*m)((?:[0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2})\b").expect("regex")
});
/// A link-local IPv6 address (its modified EUI-64 form carries the interface's MAC), after
/// what comes before it, as for [`MAC`].
static LINK_LOCAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(^|[^0-9A-Za-z_:]|\x1b\[[0-9;]*m)(fe80::[0-9a-f]{1,4}(?::[0-9a-f]{1,4}){3})\b").expect("regex")
});
/// A solicited-node multicast group: the last 24 bits of an address.
static SOLICITED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\bff02::1:ff[0-9a-f]{2}:[0-9a-f]{1,4}\b").expect("regex"));
/// `tcpdump -v`'s IPv6 flow label: each stack's own hash.
static FLOW: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\(flowlabel 0x[0-9a-f]{5}, ").expect("regex"));
static ECHO_ID: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(echo (?:request|reply), id )(\d+)").expect("regex"));
/// `tcpdump -v`'s IP header: the IP id is each stack's own counter.
static IP_ID: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(\(tos 0x[0-9a-f]+(?:,[A-Z]+(?:\(\d\))?)?, (?:ttl \d+, )?id )(\d+)").expect("regex"));
static CT_ID: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\bid=(\d+)").expect("regex"));
static CT_PORT: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\b([sd]port)=(\d+)").expect("regex"));
static CT_LEFT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(\w+ +\d+) \d+ ((?:[A-Z_0-9]+ )?src=.* mark=)").expect("regex"));
static CT_EVENT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^( *\[(?:NEW|UPDATE|DESTROY)\] \w+ +\d+) (\d+) ").expect("regex"));
/// conntrack's default timeouts (nf_conntrack_proto_{tcp,udp,icmp,generic}), in seconds.
const CT_TIMEOUTS: [u64; 7] = [10, 30, 60, 120, 180, 600, 432_000];
static TCP_WIN: LazyLock<Regex> = LazyLock::new(|| Regex::new(r", win \d+(, options \[[^\]]*\])?").expect("regex"));
static TCP_NUM: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\b(seq|ack) (\d{6,})(?::(\d+))?\b").expect("regex"));
static HOST_PORT: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(\d+\.\d+\.\d+\.\d+):(\d+)").expect("regex"));
static BRIDGE_ID: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\b([0-9a-f]{4})\.([0-9a-f]{12})\b").expect("regex"));
static PORT: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(\d+\.\d+\.\d+\.\d+)\.(\d+)([ :>,])").expect("regex"));
/// The same after an IPv6 address as tcpdump prints it (`2001:db8::2.48336`): one with
/// `::` or all eight groups, so that a clock (`08:44:28.484104`) is never taken for one.
static PORT6: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b([0-9a-f]{1,4}(?::[0-9a-f]{1,4})*::(?:[0-9a-f]{1,4}(?::[0-9a-f]{1,4})*)?|(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4})\.(\d+)([ :>,])")
        .expect("regex")
});
static MASKS: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    [
        (r"time=[\d.]+ ms", "time=<t> ms"),
        (r", time \d+ms", ", time <t>ms"),
        (r"rtt min/avg/max/mdev = .*", "rtt min/avg/max/mdev = <t>"),
        (r"  [\d.]+ ms", "  <t> ms"),
        // arping's reply time (`Unicast reply from A [MAC]  0.543ms`).
        (r" \d+\.\d{3}ms$", " <t>ms"),
        (r"valid_lft \d+sec preferred_lft \d+sec", "valid_lft <n>sec preferred_lft <n>sec"),
        // A route's time left (`ip -6 route`: what a router advertisement gave).
        (r" expires -?\d+sec ", " expires <n>sec "),
        // radvd's log: the machine's clock and pid, and the pid file, each run's own.
        (r"^\[\w{3} \d\d \d\d:\d\d:\d\d\] radvd \(\d+\): ", "[<date>] radvd (<pid>): "),
        (r"^(\[<date>\] radvd \(<pid>\): removing ).*$", "${1}<pid file>"),
        (r"port 67 interval \d+", "port 67 interval <n>"),
        (r"renewal in \d+ seconds", "renewal in <n> seconds"),
        // conntrack: who asked for a [DESTROY] (the pid of `conntrack -F`, the port of
        // `conntrack -D`'s second socket — random, or the pid when the first socket's port
        // was already released, which the kernel does after an RCU grace period: so the
        // `progname` the tool then finds comes and goes on the kernel).
        (r"\[USERSPACE\] portid=\d+(?: progname=\S+)?", "[USERSPACE] portid=<pid>"),
        // iptables-save's clock.
        (r"^(# (?:Generated by ip6?tables-save .*|Completed) on ).*$", "${1}<date>"),
        // HTTP: clocks and the machine's Python; curl's elapsed times.
        (r"^Date: .* GMT$", "Date: <date>"),
        (r"^Last-Modified: .* GMT$", "Last-Modified: <date>"),
        (r"Python/\d+\.\d+\.\d+", "Python/<v>"),
        (r" - - \[\d\d/\w{3}/\d{4} \d\d:\d\d:\d\d\] ", " - - [<date>] "),
        (r" after \d+ ms: ", " after <t> ms: "),
        (r"timed out after \d+ milliseconds", "timed out after <t> milliseconds"),
        // ss -p: pids are each machine's own, and a real tool's descriptor numbers depend on
        // what it inherited (under `cargo test`, the jobserver's pipe); kernel mode runs
        // nmap's ncat for `nc` (the table's binary), which Debian installs as `nc`.
        (r",pid=\d+,fd=\d+\)", ",pid=<pid>,fd=<fd>)"),
        (r#"\(\("ncat","#, r#"(("nc","#),
        // brctl showmacs' ageing timer.
        (r"((?:yes|no)\t+\s*)\d+\.\d\d$", "${1}<t>"),
        // `ip -d link`: a bridge's and a port's timers run in real time on the kernel (the
        // sim arms no forward-delay timer and ages at each entry's deadline); a veth's
        // queues follow the machine's CPUs.
        (r"(_timer)\s+\d+\.\d\d ", "${1} <t> "),
        (r#"(_timer":\s*)\d+\.\d\d"#, "${1}<t>"),
        (r"numtxqueues \d+ numrxqueues \d+", "numtxqueues <n> numrxqueues <n>"),
        (r#""num_tx_queues":\d+,"num_rx_queues":\d+"#, r#""num_tx_queues":<n>,"num_rx_queues":<n>"#),
    ]
    .into_iter()
    .map(|(r, w)| (Regex::new(r).expect("regex"), w))
    .collect()
});

/// True when `a` and `b` are the same but for numbers within `pct` percent of each other.
/// A number is a run of digits that starts a word, with its decimals, a unit after it or not
/// (`1.620064`, `387880bit`, `46pps`; the `0` of `v0` is part of a name); tc's rates are
/// compared in bits (`91Kbit` is `91000bit`: tc prints a rate that divides by 1000 so).
fn close(a: &str, b: &str, pct: u32) -> bool {
    static NUM: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\b\d+(?:\.\d+)?").expect("regex"));
    static RATE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\b(\d+)([KMGT])bit\b").expect("regex"));
    let bits = |s: &str| {
        RATE.replace_all(s, |c: &regex::Captures<'_>| {
            let n: u64 = c[1].parse().unwrap_or(0);
            let k = match &c[2] {
                "K" => 1_000,
                "M" => 1_000_000,
                "G" => 1_000_000_000,
                _ => 1_000_000_000_000,
            };
            format!("{}bit", n.saturating_mul(k))
        })
        .into_owned()
    };
    let (a, b) = (bits(a), bits(b));
    if NUM.replace_all(&a, "#") != NUM.replace_all(&b, "#") {
        return false;
    }
    NUM.find_iter(&a).zip(NUM.find_iter(&b)).all(|(x, y)| {
        let (x, y): (f64, f64) = (x.as_str().parse().unwrap_or(0.0), y.as_str().parse().unwrap_or(0.0));
        (x - y).abs() <= x.max(y) * f64::from(pct) / 100.0
    })
}

/// A qdisc handle the kernel allocated (`qdisc tbf 8001: …`): 8000: to fffe:.
static AUTO_HANDLE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(qdisc \S+ )([89a-f][0-9a-f]{3}):").expect("regex"));

/// One side's symbol tables: the same MAC is the same symbol in every step.
#[derive(Default)]
struct Norm {
    fixed: BTreeSet<String>,
    macs: BTreeMap<String, String>,
    ids: BTreeMap<String, String>,
    ipids: BTreeMap<String, String>,
    ports: BTreeMap<String, String>,
    isns: BTreeMap<String, String>,
    handles: BTreeMap<String, String>,
    groups: BTreeMap<String, String>,
}

fn symbol(table: &mut BTreeMap<String, String>, kind: &str, v: &str) -> String {
    let n = table.len() + 1;
    table.entry(v.to_string()).or_insert_with(|| format!("<{kind}{n}>")).clone()
}

impl Norm {
    fn line(&mut self, l: &str) -> String {
        let mut s = l.trim_end().to_string();
        for (re, with) in MASKS.iter() {
            s = re.replace_all(&s, *with).into_owned();
        }
        // A bridge id (`8000.2e058909c379`) is the priority and the lowest port MAC — which
        // port that is depends on random MACs, so only "none yet" (all zeros) is kept.
        s = BRIDGE_ID
            .replace_all(&s, |c: &regex::Captures<'_>| {
                if c[2].bytes().all(|b| b == b'0') { c[0].to_string() } else { format!("{}.<lowest port mac>", &c[1]) }
            })
            .into_owned();
        // A link-local address from a MAC is that MAC's symbol (`fe80::<mac1>`).
        s = LINK_LOCAL
            .replace_all(&s, |c: &regex::Captures<'_>| {
                let Ok(a) = c[2].parse::<std::net::Ipv6Addr>() else { return c[0].to_string() };
                let o = a.octets();
                if o[11] != 0xff || o[12] != 0xfe {
                    return c[0].to_string();
                }
                let mac =
                    format!("{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}", o[8] ^ 2, o[9], o[10], o[13], o[14], o[15]);
                let sym = if self.fixed.contains(&mac) { mac } else { symbol(&mut self.macs, "mac", &mac) };
                format!("{}fe80::{sym}", &c[1])
            })
            .into_owned();
        s = SOLICITED.replace_all(&s, |c: &regex::Captures<'_>| symbol(&mut self.groups, "group", &c[0])).into_owned();
        s = FLOW.replace_all(&s, "(flowlabel <flow>, ").into_owned();
        s = MAC
            .replace_all(&s, |c: &regex::Captures<'_>| {
                let m = c[2].to_ascii_lowercase();
                let sym = if self.fixed.contains(&m) || m == "ff:ff:ff:ff:ff:ff" || m == "00:00:00:00:00:00" {
                    m
                } else {
                    symbol(&mut self.macs, "mac", &m)
                };
                format!("{}{sym}", &c[1])
            })
            .into_owned();
        s = ECHO_ID
            .replace_all(&s, |c: &regex::Captures<'_>| format!("{}{}", &c[1], symbol(&mut self.ids, "id", &c[2])))
            .into_owned();
        // The same IP id is the same symbol: a quoted packet is still seen to be the one
        // that was sent.
        s = IP_ID
            .replace_all(&s, |c: &regex::Captures<'_>| format!("{}{}", &c[1], symbol(&mut self.ipids, "ipid", &c[2])))
            .into_owned();
        // conntrack's lines: the same ids and ports, and `-L`'s time left.
        s = CT_ID
            .replace_all(&s, |c: &regex::Captures<'_>| format!("id={}", symbol(&mut self.ids, "id", &c[1])))
            .into_owned();
        s = CT_PORT
            .replace_all(&s, |c: &regex::Captures<'_>| {
                let p: u32 = c[2].parse().unwrap_or(0);
                if p >= 32768 {
                    format!("{}={}", &c[1], symbol(&mut self.ports, "port", &c[2]))
                } else {
                    c[0].to_string()
                }
            })
            .into_owned();
        s = CT_LEFT.replace(&s, "$1 <t> $2").into_owned();
        s = AUTO_HANDLE
            .replace(&s, |c: &regex::Captures<'_>| format!("{}{}:", &c[1], symbol(&mut self.handles, "handle", &c[2])))
            .into_owned();
        // A conntrack event's timeout is what is left of it, floored to seconds, when the
        // kernel builds the message (ctnetlink_dump_timeout): a jiffy after the refresh it
        // reads 119 for 120. One second short of a default timeout is that timeout.
        s = CT_EVENT
            .replace(&s, |c: &regex::Captures<'_>| {
                let n: u64 = c[2].parse().unwrap_or(0);
                let n = if CT_TIMEOUTS.contains(&(n + 1)) { n + 1 } else { n };
                format!("{} {n} ", &c[1])
            })
            .into_owned();
        if s.contains("Flags [") {
            // TCP segments: smoltcp's window and options are its own (masked); initial
            // sequence numbers are random on both sides (symbols).
            s = TCP_WIN.replace_all(&s, ", win <w>").into_owned();
            // The first segment tcpdump sees of a flow shows absolute numbers, its end too
            // (`seq A:B`): that end is the start plus the length.
            s = TCP_NUM
                .replace_all(&s, |c: &regex::Captures<'_>| {
                    let start = symbol(&mut self.isns, "isn", &c[2]);
                    match (c[2].parse::<u64>(), c.get(3).and_then(|e| e.as_str().parse::<u64>().ok())) {
                        (Ok(a), Some(b)) => format!("{} {start}:+{}", &c[1], b.wrapping_sub(a) & 0xffff_ffff),
                        _ => format!("{} {start}", &c[1]),
                    }
                })
                .into_owned();
        }
        s = HOST_PORT
            .replace_all(&s, |c: &regex::Captures<'_>| {
                let p: u32 = c[2].parse().unwrap_or(0);
                if p >= 32768 {
                    format!("{}:{}", &c[1], symbol(&mut self.ports, "port", &c[2]))
                } else {
                    c[0].to_string()
                }
            })
            .into_owned();
        for re in [&*PORT, &*PORT6] {
            s = re
                .replace_all(&s, |c: &regex::Captures<'_>| {
                    let p: u32 = c[2].parse().unwrap_or(0);
                    if p >= 32768 {
                        format!("{}.{}{}", &c[1], symbol(&mut self.ports, "port", &c[2]), &c[3])
                    } else {
                        c[0].to_string()
                    }
                })
                .into_owned();
        }
        s
    }
}

/// MACs a scenario sets itself (they stay as they are).
fn fixed_macs(sc: &Scenario) -> BTreeSet<String> {
    let mut v = BTreeSet::new();
    for s in &sc.steps {
        match &s.run {
            Command::LinkSet(l) => {
                if let Some(m) = l.address {
                    v.insert(m.to_string());
                }
            }
            Command::Dnsmasq(d) => {
                for h in &d.dhcp_host {
                    for p in h.split(',') {
                        if MAC.is_match(p) {
                            v.insert(p.to_ascii_lowercase());
                        }
                    }
                }
            }
            _ => {}
        }
    }
    v
}

/// Drops every line matching `pattern` that repeats (normalised) one seen before it.
fn drop_repeats(lines: &mut Vec<(&String, String)>, pattern: &str) {
    let mut seen = BTreeSet::new();
    lines.retain(|(raw, norm)| !line_matches(pattern, raw) || seen.insert(norm.clone()));
}

/// Outputs whose order the kernel leaves to a hash table (`ip neigh`, `bridge fdb`,
/// `brctl showmacs`, what `conntrack -L|-D` walk): compared as sets.
fn unordered(step: &Step) -> bool {
    matches!(
        step.run,
        Command::NeighShow { .. }
            | Command::Ip6(crate::command::Ip6Command::NeighShow { .. })
            | Command::BridgeFdbShow { .. }
            | Command::Brctl(crate::command::Brctl::Showmacs(_))
    ) || matches!(&step.run, Command::Conntrack { args }
        if args.iter().any(|a| matches!(a.as_str(), "-L" | "--dump" | "-D" | "--delete")))
}

/// How an unordered output is sorted on both sides: MACs, times (conntrack's time left
/// too), echo ids and ephemeral ports left out — what each side drew at random must not
/// decide the order the two are compared in.
fn order_key(l: &str) -> String {
    let mut s = CT_LEFT.replace(l, "$1 <t> $2").into_owned();
    for (re, with) in MASKS.iter() {
        s = re.replace_all(&s, *with).into_owned();
    }
    s = CT_ID.replace_all(&s, "id=").into_owned();
    s = CT_PORT
        .replace_all(&s, |c: &regex::Captures<'_>| {
            if c[2].parse::<u32>().unwrap_or(0) >= 32768 { format!("{}=", &c[1]) } else { c[0].to_string() }
        })
        .into_owned();
    MAC.replace_all(&s, "$1").into_owned()
}

fn title(step: &Step) -> String {
    match &step.run {
        Command::Tcpdump(t) => format!("capture {}/{}", step.ns.as_deref().unwrap_or("root"), t.iface),
        _ => match &step.ns {
            Some(ns) => format!("{ns}: {}", step.text),
            None => step.text.clone(),
        },
    }
}

/// Where two normalised sequences part: Myers' diff (the `similar` crate), each run of
/// changes a hunk with up to `context` equal lines before it. Two very long, very
/// different outputs (the product of their lengths past 16 million) are compared line by
/// line in order instead, so a diff never takes long.
fn ops(a: &[String], b: &[String]) -> Vec<similar::DiffOp> {
    use similar::{Algorithm, DiffOp, capture_diff_slices};
    if a.len().saturating_mul(b.len()) > 16_000_000 {
        let n = a.len().min(b.len());
        let mut ops: Vec<DiffOp> = (0..n)
            .map(|i| match a[i] == b[i] {
                true => DiffOp::Equal { old_index: i, new_index: i, len: 1 },
                false => DiffOp::Replace { old_index: i, old_len: 1, new_index: i, new_len: 1 },
            })
            .collect();
        ops.push(DiffOp::Replace { old_index: n, old_len: a.len() - n, new_index: n, new_len: b.len() - n });
        ops
    } else {
        capture_diff_slices(Algorithm::Myers, a, b)
    }
}

/// `a` and `b` aligned as their diff pairs them: equal lines side by side, a changed run's
/// lines paired in order, what only one side has alone on its row.
pub fn aligned(a: &[String], b: &[String]) -> Vec<Row> {
    let mut rows = Vec::new();
    for op in ops(a, b) {
        let (old, new) = (op.old_range(), op.new_range());
        for k in 0..old.len().max(new.len()) {
            rows.push(Row {
                a: a.get(old.start + k).filter(|_| k < old.len()).cloned(),
                b: b.get(new.start + k).filter(|_| k < new.len()).cloned(),
            });
        }
    }
    rows
}

/// Where `a` and `b` differ, each run of differing lines with up to `context` equal lines
/// before it.
pub fn hunks(a: &[String], b: &[String], context: usize) -> Vec<Hunk> {
    use similar::DiffOp;
    let ops = ops(a, b);
    let mut out = Vec::new();
    let mut open: Option<Hunk> = None;
    for op in ops {
        if let DiffOp::Equal { .. } = op {
            out.extend(open.take());
            continue;
        }
        let (old, new) = (op.old_range(), op.new_range());
        if old.is_empty() && new.is_empty() {
            continue;
        }
        let h = open.get_or_insert_with(|| Hunk {
            context: a[old.start.saturating_sub(context)..old.start].to_vec(),
            a: Vec::new(),
            b: Vec::new(),
        });
        h.a.extend(old.map(|k| (k + 1, a[k].clone())));
        h.b.extend(new.map(|k| (k + 1, b[k].clone())));
    }
    out.extend(open);
    out
}

/// Compares two runs of `sc`, step by step.
pub fn compare(file: &str, sc: &Scenario, a: Side<'_>, b: Side<'_>) -> Report {
    let fixed = fixed_macs(sc);
    let mut na = Norm { fixed: fixed.clone(), ..Default::default() };
    let mut nb = Norm { fixed, ..Default::default() };
    let mut items = Vec::new();
    for (i, step) in sc.steps.iter().enumerate() {
        let (Some(oa), Some(ob)) = (a.rendered.steps.get(i), b.rendered.steps.get(i)) else { continue };
        if oa.output.is_empty() && ob.output.is_empty() && oa.exit == ob.exit {
            continue;
        }
        let mut known = Vec::new();
        let mut la: Vec<&String> = oa.output.iter().collect();
        let mut lb: Vec<&String> = ob.output.iter().collect();
        for k in step.differs.iter().filter(|k| !k.repeats && k.within.is_none()) {
            let (ca, cb) = (la.len(), lb.len());
            la.retain(|l| !line_matches(&k.line, l));
            lb.retain(|l| !line_matches(&k.line, l));
            if ca != la.len() || cb != lb.len() {
                known.push((k.why.clone(), ca - la.len(), cb - lb.len()));
            }
        }
        if unordered(step) {
            la.sort_by_cached_key(|l| order_key(l));
            lb.sort_by_cached_key(|l| order_key(l));
        }
        let mut xa: Vec<(&String, String)> = la.into_iter().map(|l| (l, na.line(l))).collect();
        let mut xb: Vec<(&String, String)> = lb.into_iter().map(|l| (l, nb.line(l))).collect();
        for k in step.differs.iter().filter(|k| k.repeats) {
            let (ca, cb) = (xa.len(), xb.len());
            drop_repeats(&mut xa, &k.line);
            drop_repeats(&mut xb, &k.line);
            if ca != xa.len() || cb != xb.len() {
                known.push((k.why.clone(), ca - xa.len(), cb - xb.len()));
            }
        }
        let xa: Vec<String> = xa.into_iter().map(|(_, n)| n).collect();
        let mut xb: Vec<String> = xb.into_iter().map(|(_, n)| n).collect();
        // Shown side by side with the numbers each side printed, though compared within
        // the step's tolerance below.
        let mut rows = aligned(&xa, &xb);
        for k in step.differs.iter() {
            let Some(pct) = k.within else { continue };
            let mut n = 0;
            for (x, y) in xa.iter().zip(xb.iter_mut()) {
                let pick = k.line.is_empty() || (line_matches(&k.line, x) && line_matches(&k.line, y));
                if pick && x != y && close(x, y, pct) {
                    *y = x.clone();
                    n += 1;
                }
            }
            if n > 0 {
                known.push((k.why.clone(), n, n));
            }
        }
        let mut hs = hunks(&xa, &xb, 3);
        if oa.exit != ob.exit {
            let show = |e: Option<i32>| e.map(|n| n.to_string()).unwrap_or_else(|| "none".into());
            let (ea, eb) = (format!("exit status {}", show(oa.exit)), format!("exit status {}", show(ob.exit)));
            rows.push(Row { a: Some(ea.clone()), b: Some(eb.clone()) });
            hs.push(Hunk { context: vec![], a: vec![(0, ea)], b: vec![(0, eb)] });
        }
        let verdict = if !hs.is_empty() {
            Verdict::Differs
        } else if known.is_empty() {
            Verdict::Agree
        } else {
            Verdict::Known
        };
        let printed = (oa.output.clone(), ob.output.clone());
        items.push(Item {
            step: i,
            line: step.span.line,
            title: title(step),
            verdict,
            known,
            hunks: hs,
            rows,
            printed,
        });
    }
    Report { file: file.to_string(), sides: (a.name.to_string(), b.name.to_string()), items }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn symbols_follow_first_appearance_on_each_side() {
        let mut a = Norm::default();
        let mut b = Norm::default();
        let la = "aa:bb:cc:00:00:01 > ff:ff:ff:ff:ff:ff, ethertype IPv4 (0x0800), length 98: 192.0.2.1 > 192.0.2.2: ICMP echo request, id 4711, seq 1, length 64";
        let lb = "12:34:56:78:9a:bc > ff:ff:ff:ff:ff:ff, ethertype IPv4 (0x0800), length 98: 192.0.2.1 > 192.0.2.2: ICMP echo request, id 9, seq 1, length 64";
        assert_eq!(a.line(la), b.line(lb));
        assert_eq!(
            a.line("64 bytes from 192.0.2.2: icmp_seq=1 ttl=64 time=0.020 ms"),
            b.line("64 bytes from 192.0.2.2: icmp_seq=1 ttl=64 time=0.061 ms")
        );
        // A conntrack event built a jiffy after its refresh reads one second short.
        assert_eq!(
            a.line(" [UPDATE] udp      17 120 src=10.0.2.1 dst=100.64.1.100 sport=1 dport=2 [ASSURED]"),
            b.line(" [UPDATE] udp      17 119 src=10.0.2.1 dst=100.64.1.100 sport=1 dport=2 [ASSURED]")
        );
        assert_ne!(
            a.line(" [UPDATE] udp      17 118 src=10.0.2.1 dst=100.64.1.100 sport=3 dport=4 [ASSURED]"),
            b.line(" [UPDATE] udp      17 120 src=10.0.2.1 dst=100.64.1.100 sport=3 dport=4 [ASSURED]")
        );
        assert_eq!(
            a.line("Unicast reply from 192.0.2.2 [00:00:5E:00:53:02]  0.520ms"),
            b.line("Unicast reply from 192.0.2.2 [00:00:5E:00:53:02]  1.003ms")
        );
        assert_ne!(a.line("192.0.2.1.40000 > 192.0.2.2.53: UDP"), b.line("192.0.2.1.40000 > 192.0.2.9.53: UDP"));
        // The first segment of a flow a capture sees: absolute numbers, its end as well.
        let (mut a, mut b) = (Norm::default(), Norm::default());
        assert_eq!(
            a.line("IP 203.0.113.1.51936 > 203.0.113.254.54321: Flags [P.], seq 2153103357:2153103370, ack 3513526384, win 229, length 13"),
            b.line("IP 203.0.113.1.40000 > 203.0.113.254.54321: Flags [P.], seq 3585955446:3585955459, ack 12345678, win 32768, length 13")
        );
        assert_ne!(
            a.line("IP 203.0.113.1.51936 > 203.0.113.254.54321: Flags [P.], seq 2153103357:2153103371, ack 3513526384, win 229, length 14"),
            b.line("IP 203.0.113.1.40000 > 203.0.113.254.54321: Flags [P.], seq 3585955446:3585955459, ack 12345678, win 32768, length 14")
        );
        let mut c = Norm { fixed: ["00:00:5e:00:53:01".to_string()].into(), ..Default::default() };
        assert_eq!(c.line("link/ether 00:00:5E:00:53:01 brd"), "link/ether 00:00:5e:00:53:01 brd");
        // Ephemeral ports after IPv6 addresses are symbols too; a clock is not an address.
        let (mut a, mut b) = (Norm::default(), Norm::default());
        assert_eq!(
            a.line("IP6 2001:db8:1::2.48336 > 2001:db8:2::2.80: Flags [S], seq 1582546106, win 5760, length 0"),
            b.line("IP6 2001:db8:1::2.54857 > 2001:db8:2::2.80: Flags [S], seq 3916004670, win 65296, length 0")
        );
        assert_ne!(
            a.line("IP6 2001:db8:1::2.48336 > 2001:db8:2::2.81: UDP, length 32"),
            b.line("IP6 2001:db8:1::2.54857 > 2001:db8:2::2.80: UDP, length 32")
        );
        let mut c = Norm::default();
        assert_eq!(c.line("08:44:28.484104 IP6 2001:db8::1.40000 >"), "08:44:28.484104 IP6 2001:db8::1.<port1> >");
        // `ip -c`: a colour's escape sequence right before a MAC or a link-local address.
        let (mut a, mut b) = (Norm::default(), Norm::default());
        let col = |mac: &str, ll: &str| {
            format!("    link/ether \x1b[33m{mac}\x1b[0m brd ff:ff:ff:ff:ff:ff\n    inet6 \x1b[34m{ll}\x1b[0m/64")
        };
        let (la, lb) = (
            col("86:63:3d:e5:2b:c9", "fe80::8463:3dff:fee5:2bc9"),
            col("22:25:c5:97:9f:7d", "fe80::2025:c5ff:fe97:9f7d"),
        );
        assert_eq!(a.line(&la), b.line(&lb));
        assert!(a.line(&la).contains("\x1b[33m<mac1>\x1b[0m"), "{}", a.line(&la));
    }

    #[test]
    fn unordered_lines_sort_without_what_each_side_drew() {
        // The same two flows with ephemeral ports drawn the other way round on each side:
        // sorted alike, so each line meets its twin.
        let l = |sp: u32, dp: u32| {
            format!(
                "udp      17 29 src=10.0.0.1 dst=10.0.0.2 sport={sp} dport={dp} [UNREPLIED] src=10.0.0.2 dst=10.0.0.1 sport={dp} dport={sp} mark=0 use=1"
            )
        };
        let (a1, a2, b1, b2) = (l(35125, 53), l(41421, 54), l(50000, 53), l(40000, 54));
        let mut a = [&a1, &a2];
        let mut b = [&b2, &b1];
        a.sort_by_cached_key(|x| order_key(x));
        b.sort_by_cached_key(|x| order_key(x));
        assert_eq!([a[0], a[1]], [&a1, &a2]);
        assert_eq!([b[0], b[1]], [&b1, &b2]);
        // Well-known ports still order them.
        assert!(order_key(&l(40000, 53)) < order_key(&l(40000, 54)));
    }

    #[test]
    fn within_compares_numbers_not_names() {
        assert!(close(
            " Sent 12504 bytes 12 pkt (dropped 0, overlimits 8",
            " Sent 12504 bytes 12 pkt (dropped 0, overlimits 6",
            30
        ));
        assert!(!close("overlimits 8", "overlimits 5", 30));
        assert!(!close("dev v0 overlimits 8", "dev v1 overlimits 8", 30));
        assert!(!close("10.0.0.1 sent 8", "10.0.0.2 sent 8", 30));
        assert!(!close("dropped 0", "dropped 1", 30));
        // A number with its unit: the numbers compared, the units must be the same (but for
        // tc's rates, below).
        assert!(close(" rate 387880bit 46pps backlog", " rate 387752bit 45pps backlog", 30));
        assert!(!close(" backlog 4096b 0p", " backlog 4Kb 0p", 30));
        assert!(!close(" rate 387880bit 46pps", " rate 500Kbit 46pps", 10));
        // tc's units are one scale; decimals are one number.
        assert!(close(" rate 91168bit 10pps", " rate 91Kbit 10pps", 30));
        assert!(close(" rate 1000bit 1pps", " rate 1Kbit 1pps", 0));
        assert!(close("200 204800 1.620064", "200 204800 1.750000", 15));
        assert!(close("200 204800 1.990000", "200 204800 2.010000", 15));
        assert!(!close("200 204800 1.620064", "200 204800 2.020000", 15));
    }

    #[test]
    fn hunks_show_where_sequences_part() {
        let a = v(&["x", "y", "z", "w"]);
        let b = v(&["x", "y", "q", "w", "r"]);
        let h = hunks(&a, &b, 2);
        assert_eq!(h.len(), 2);
        assert_eq!(h[0].context, v(&["x", "y"]));
        assert_eq!(h[0].a, vec![(3, "z".to_string())]);
        assert_eq!(h[0].b, vec![(3, "q".to_string())]);
        assert_eq!(h[1].a, vec![]);
        assert_eq!(h[1].b, vec![(5, "r".to_string())]);
        assert!(hunks(&a, &a, 2).is_empty());
    }

    /// Two long outputs that share nothing but every tenth line: compared in line order,
    /// at once, the differing lines in hunks between the equal ones.
    #[test]
    fn long_different_outputs_are_compared_in_order() {
        let a: Vec<String> = (0..5000).map(|i| if i % 10 == 0 { "same".into() } else { format!("a{i}") }).collect();
        let b: Vec<String> = (0..5001).map(|i| if i % 10 == 0 { "same".into() } else { format!("b{i}") }).collect();
        let h = hunks(&a, &b, 1);
        assert_eq!(h.len(), 500);
        assert_eq!(h[0].context, v(&["same"]));
        assert_eq!(h[0].a.len(), 9);
        assert_eq!(h[499].b.len(), 10, "the last hunk has b's extra line");
    }
}
