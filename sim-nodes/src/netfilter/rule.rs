//! One iptables rule: its matches and its target, and what a packet looks like to them.

use sim_core::Instant;
use std::fmt;
use std::net::IpAddr;

/// An address with a prefix length (`-s 10.0.0.0/8`, `-s 2001:db8::/32`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Net {
    /// The address (host bits cleared, as iptables stores it).
    pub addr: IpAddr,
    /// The prefix length.
    pub prefix: u8,
}

/// `a` with all but its first `prefix` bits cleared.
fn masked(a: IpAddr, prefix: u8) -> IpAddr {
    match a {
        IpAddr::V4(a) => {
            let p = u32::from(prefix.min(32));
            let mask = if p == 0 { 0 } else { u32::MAX << (32 - p) };
            IpAddr::V4((u32::from(a) & mask).into())
        }
        IpAddr::V6(a) => {
            let p = u32::from(prefix.min(128));
            let mask = if p == 0 { 0 } else { u128::MAX << (128 - p) };
            IpAddr::V6((u128::from(a) & mask).into())
        }
    }
}

impl Net {
    /// `addr/prefix` with the host bits cleared.
    pub fn new(addr: IpAddr, prefix: u8) -> Self {
        let max = if addr.is_ipv4() { 32 } else { 128 };
        Net { addr: masked(addr, prefix), prefix: prefix.min(max) }
    }

    /// True if `a` is inside (an address of the other family never is).
    pub fn contains(&self, a: IpAddr) -> bool {
        a.is_ipv4() == self.addr.is_ipv4() && masked(a, self.prefix) == self.addr
    }

    /// True for `0.0.0.0/0` and `::/0`.
    pub fn is_any(&self) -> bool {
        self.prefix == 0
    }

    /// True for a single host (`/32`, `/128`).
    pub fn is_host(&self) -> bool {
        self.prefix == if self.addr.is_ipv4() { 32 } else { 128 }
    }
}

impl fmt::Display for Net {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

/// A match that may be negated with `!`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Neg<T> {
    /// The value.
    pub v: T,
    /// `!`.
    pub neg: bool,
}

impl<T> Neg<T> {
    /// Whether `hit` (the plain match's result) makes the rule match.
    pub fn holds(&self, hit: bool) -> bool {
        hit != self.neg
    }
}

/// Connection tracking states, as `--ctstate` names them.
pub mod ct {
    /// INVALID.
    pub const INVALID: u8 = 1;
    /// ESTABLISHED.
    pub const ESTABLISHED: u8 = 2;
    /// RELATED.
    pub const RELATED: u8 = 4;
    /// NEW.
    pub const NEW: u8 = 8;
    /// UNTRACKED.
    pub const UNTRACKED: u8 = 16;
    /// Names in the order iptables prints them.
    pub const NAMES: [(u8, &str); 5] = [
        (INVALID, "INVALID"),
        (NEW, "NEW"),
        (RELATED, "RELATED"),
        (ESTABLISHED, "ESTABLISHED"),
        (UNTRACKED, "UNTRACKED"),
    ];
}

/// Which match module a state match was written with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StateModule {
    /// `-m conntrack --ctstate`.
    Conntrack,
    /// `-m state --state`.
    State,
}

/// What `REJECT` answers with (`libipt_REJECT.c`'s and `libip6t_REJECT.c`'s tables).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RejectWith {
    /// `icmp-net-unreachable`.
    NetUnreach,
    /// `icmp-host-unreachable`.
    HostUnreach,
    /// `icmp-port-unreachable` (iptables' default).
    PortUnreach,
    /// `icmp-proto-unreachable`.
    ProtoUnreach,
    /// `icmp-net-prohibited`.
    NetProhib,
    /// `icmp-host-prohibited`.
    HostProhib,
    /// `icmp-admin-prohibited`.
    AdminProhib,
    /// `icmp6-no-route`.
    NoRoute6,
    /// `icmp6-adm-prohibited`.
    AdmProhibited6,
    /// `icmp6-addr-unreachable`.
    AddrUnreach6,
    /// `icmp6-port-unreachable` (ip6tables' default).
    PortUnreach6,
    /// `icmp6-policy-fail`.
    PolicyFail6,
    /// `icmp6-reject-route`.
    RejectRoute6,
}

/// IPv4's names (long and short) and codes, then IPv6's, as the two extensions list them.
const REJECT_NAMES: [(RejectWith, &str, &str, u8); 13] = [
    (RejectWith::NetUnreach, "icmp-net-unreachable", "net-unreach", 0),
    (RejectWith::HostUnreach, "icmp-host-unreachable", "host-unreach", 1),
    (RejectWith::ProtoUnreach, "icmp-proto-unreachable", "proto-unreach", 2),
    (RejectWith::PortUnreach, "icmp-port-unreachable", "port-unreach", 3),
    (RejectWith::NetProhib, "icmp-net-prohibited", "net-prohib", 9),
    (RejectWith::HostProhib, "icmp-host-prohibited", "host-prohib", 10),
    (RejectWith::AdminProhib, "icmp-admin-prohibited", "admin-prohib", 13),
    (RejectWith::NoRoute6, "icmp6-no-route", "no-route", 0),
    (RejectWith::AdmProhibited6, "icmp6-adm-prohibited", "adm-prohibited", 1),
    (RejectWith::AddrUnreach6, "icmp6-addr-unreachable", "addr-unreach", 3),
    (RejectWith::PortUnreach6, "icmp6-port-unreachable", "port-unreach", 4),
    (RejectWith::PolicyFail6, "icmp6-policy-fail", "policy-fail", 5),
    (RejectWith::RejectRoute6, "icmp6-reject-route", "reject-route", 6),
];

impl RejectWith {
    fn row(self) -> &'static (RejectWith, &'static str, &'static str, u8) {
        REJECT_NAMES.iter().find(|r| r.0 == self).unwrap_or(&REJECT_NAMES[3])
    }

    /// The name iptables uses.
    pub fn name(self) -> &'static str {
        self.row().1
    }

    /// The ICMP (or ICMPv6) destination-unreachable code it sends.
    pub fn code(self) -> u8 {
        self.row().3
    }

    /// True for the ICMPv6 answers.
    pub fn is_v6(self) -> bool {
        REJECT_NAMES.iter().position(|r| r.0 == self).is_some_and(|i| i >= 7)
    }

    /// The default answer of `family`'s REJECT.
    pub fn default_for(family: super::Family) -> Self {
        match family {
            super::Family::V4 => RejectWith::PortUnreach,
            super::Family::V6 => RejectWith::PortUnreach6,
        }
    }

    /// Parses a `--reject-with` value of `family` (with the short forms the extension
    /// accepts).
    pub fn parse(s: &str, family: super::Family) -> Option<Self> {
        let v6 = family == super::Family::V6;
        REJECT_NAMES.iter().find(|r| r.0.is_v6() == v6 && (r.1 == s || r.2 == s)).map(|r| r.0)
    }
}

/// A port range (`53`, `1000:2000`).
pub type Ports = (u16, u16);

/// What a rule does with a packet it matches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// No `-j`: the rule only counts what it matches, and the chain goes on.
    None,
    /// `ACCEPT`.
    Accept,
    /// `DROP`.
    Drop,
    /// `REJECT [--reject-with …]`.
    Reject(RejectWith),
    /// `RETURN`.
    Return,
    /// `-j CHAIN` (a user chain).
    Jump(String),
    /// `LOG [--log-prefix P]`.
    Log {
        /// The prefix.
        prefix: Option<String>,
    },
    /// `MASQUERADE [--to-ports P[-P]]`.
    Masquerade {
        /// Source ports to use.
        ports: Option<Ports>,
    },
    /// `SNAT --to-source IP[:P[-P]]`.
    Snat {
        /// The new source.
        to: IpAddr,
        /// Its ports.
        ports: Option<Ports>,
    },
    /// `DNAT --to-destination IP[:P[-P]]`.
    Dnat {
        /// The new destination.
        to: IpAddr,
        /// Its ports.
        ports: Option<Ports>,
    },
    /// `REDIRECT [--to-ports P[-P]]`: DNAT to the receiving interface's first address
    /// (to the loopback address for our own packets).
    Redirect {
        /// The new destination ports.
        ports: Option<Ports>,
    },
}

impl Target {
    /// The name `-j` takes.
    pub fn name(&self) -> &str {
        match self {
            Target::None => "",
            Target::Accept => "ACCEPT",
            Target::Drop => "DROP",
            Target::Reject(_) => "REJECT",
            Target::Return => "RETURN",
            Target::Jump(c) => c,
            Target::Log { .. } => "LOG",
            Target::Masquerade { .. } => "MASQUERADE",
            Target::Snat { .. } => "SNAT",
            Target::Dnat { .. } => "DNAT",
            Target::Redirect { .. } => "REDIRECT",
        }
    }
}

/// A rule: every match must hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    /// `-p`: a protocol number (0: all).
    pub proto: Option<Neg<u8>>,
    /// `-s`.
    pub src: Option<Neg<Net>>,
    /// `-d`.
    pub dst: Option<Neg<Net>>,
    /// `-i` (a trailing `+` matches a prefix).
    pub in_if: Option<Neg<String>>,
    /// `-o`.
    pub out_if: Option<Neg<String>>,
    /// `--sport` (with `-p tcp|udp`).
    pub sport: Option<Neg<Ports>>,
    /// `--dport`.
    pub dport: Option<Neg<Ports>>,
    /// `--icmp-type` (type, code or any).
    pub icmp_type: Option<Neg<(u8, Option<u8>)>>,
    /// `-m conntrack --ctstate` / `-m state --state`: a mask of [`ct`] states.
    pub state: Option<(StateModule, Neg<u8>)>,
    /// `-m comment`, `-m multiport`: each with how many of the matches above (ports, ICMP
    /// type, state, in that order) were given before it, so it is shown where it was given.
    pub extras: Vec<(u8, Extra)>,
    /// The target.
    pub target: Target,
}

/// A match shown where it was given on the command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Extra {
    /// `-m comment --comment TEXT`: matches everything.
    Comment(String),
    /// `-m multiport --sports|--dports|--ports P[,P|A:B]…` (at most 15 ports, a range two).
    Multiport(PortsDir, Neg<Vec<Ports>>),
    /// `-m limit [--limit RATE] [--limit-burst N]`.
    Limit(Limit),
}

/// `XT_LIMIT_SCALE`: `--limit`'s period is kept in 1/10000 s.
pub const LIMIT_SCALE: u32 = 10_000;

/// The units `--limit` is written and shown in, largest first, as multiples of
/// [`LIMIT_SCALE`] (`rates[]` in libxt_limit.c, `mult[]` in iptables-nft's `add_nft_limit`).
pub const LIMIT_UNITS: [(&str, u32); 4] =
    [("day", LIMIT_SCALE * 86_400), ("hour", LIMIT_SCALE * 3600), ("min", LIMIT_SCALE * 60), ("sec", LIMIT_SCALE)];

/// `-m limit`: a token bucket of `burst` packets, one packet's worth of tokens coming back
/// every `avg` (in 1/[`LIMIT_SCALE`] s). iptables-nft hands it to the kernel as nft's own
/// `limit` expression (`rate/unit`, `burst`), which `nft_limit_eval` runs in nanoseconds:
/// the bucket starts full, each packet that finds a packet's cost in it takes it.
#[derive(Clone, Debug)]
pub struct Limit {
    /// The period per packet, in 1/[`LIMIT_SCALE`] s (`xt_rateinfo.avg`).
    pub avg: u32,
    /// `--limit-burst` (default 5).
    pub burst: u32,
    tokens: u64,
    last: Option<Instant>,
}

impl PartialEq for Limit {
    /// Two rules are the same rule whatever their buckets hold (`iptables -D` by spec).
    fn eq(&self, o: &Self) -> bool {
        (self.avg, self.burst) == (o.avg, o.burst)
    }
}
impl Eq for Limit {}

impl Limit {
    /// A full bucket.
    pub fn new(avg: u32, burst: u32) -> Self {
        Limit { avg, burst, tokens: 0, last: None }
    }

    /// The unit the rate is shown in and the rate in it (`print_rate`): the largest unit
    /// in which the period divides into a whole rate more exactly than it leaves over.
    pub fn rate(&self) -> (u32, &'static str) {
        let avg = self.avg.max(1);
        let mut i = 1;
        while i < LIMIT_UNITS.len() {
            let m = LIMIT_UNITS[i].1;
            if avg > m || m / avg < m % avg {
                break;
            }
            i += 1;
        }
        let (name, m) = LIMIT_UNITS[i - 1];
        (m / avg, name)
    }

    /// One packet's cost in nanoseconds (`nsecs / rate` of the nft expression, whose
    /// `rate/unit` iptables-nft computes as `rate` does).
    fn cost(&self) -> u64 {
        let (rate, name) = self.rate();
        let unit = LIMIT_UNITS.iter().find(|u| u.0 == name).map_or(1, |u| u.1 / LIMIT_SCALE);
        u64::from(unit) * 1_000_000_000 / u64::from(rate.max(1))
    }

    /// `nft_limit_eval`: true (and the cost taken) if the bucket holds a packet's worth.
    pub fn take(&mut self, now: Instant) -> bool {
        let cost = self.cost();
        let max = cost.saturating_mul(u64::from(self.burst));
        let tokens = match self.last {
            None => max,
            Some(last) => self.tokens.saturating_add(now.as_nanos().saturating_sub(last.as_nanos())).min(max),
        };
        self.last = Some(now);
        if tokens >= cost {
            self.tokens = tokens - cost;
            true
        } else {
            self.tokens = tokens;
            false
        }
    }
}

/// Which port `-m multiport` looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PortsDir {
    /// `--sports`.
    Src,
    /// `--dports`.
    Dst,
    /// `--ports`: either.
    Any,
}

impl PortsDir {
    /// The word `-L` shows and `-S` takes (with `--`).
    pub fn word(self) -> &'static str {
        match self {
            PortsDir::Src => "sports",
            PortsDir::Dst => "dports",
            PortsDir::Any => "ports",
        }
    }
}

impl Rule {
    /// A rule that matches everything and does `target`.
    pub fn new(target: Target) -> Self {
        Rule {
            proto: None,
            src: None,
            dst: None,
            in_if: None,
            out_if: None,
            sport: None,
            dport: None,
            icmp_type: None,
            state: None,
            extras: Vec::new(),
            target,
        }
    }
}

/// A packet as the matches see it.
#[derive(Clone, Copy, Debug)]
pub struct Pkt<'a> {
    /// The interface it came in on.
    pub in_if: Option<&'a str>,
    /// The interface it goes out of.
    pub out_if: Option<&'a str>,
    /// Source.
    pub src: IpAddr,
    /// Destination.
    pub dst: IpAddr,
    /// Protocol.
    pub proto: u8,
    /// Source port (TCP/UDP).
    pub sport: Option<u16>,
    /// Destination port.
    pub dport: Option<u16>,
    /// ICMP type and code.
    pub icmp: Option<(u8, u8)>,
    /// Its conntrack state (one of [`ct`]).
    pub state: u8,
    /// Its length, for the byte counters.
    pub len: usize,
    /// When it is seen (for `-m limit`).
    pub now: Instant,
}

fn if_matches(pattern: &str, name: Option<&str>) -> bool {
    let Some(n) = name else { return false };
    match pattern.strip_suffix('+') {
        Some(p) => n.starts_with(p),
        None => n == pattern,
    }
}

fn in_ports(p: Ports, v: Option<u16>) -> bool {
    v.is_some_and(|v| p.0 <= v && v <= p.1)
}

impl Rule {
    /// True if every match holds for `p`.
    pub fn matches(&self, p: &Pkt<'_>) -> bool {
        if !self.header_holds(p) {
            return false;
        }
        if let Some(m) = &self.sport
            && !m.holds(in_ports(m.v, p.sport))
        {
            return false;
        }
        if let Some(m) = &self.dport
            && !m.holds(in_ports(m.v, p.dport))
        {
            return false;
        }
        if let Some(m) = &self.icmp_type {
            let hit = p.icmp.is_some_and(|(t, c)| t == m.v.0 && m.v.1.is_none_or(|x| x == c));
            if !m.holds(hit) {
                return false;
            }
        }
        if let Some((_, m)) = &self.state
            && !m.holds(m.v & p.state != 0)
        {
            return false;
        }
        self.extras.iter().all(|(_, e)| extra_holds(e, p))
    }

    /// The rule's address, protocol and interface matches (the IP header's part of an
    /// iptables-nft rule, which comes before every match module).
    fn header_holds(&self, p: &Pkt<'_>) -> bool {
        if let Some(m) = &self.proto
            && !m.holds(m.v == 0 || m.v == p.proto)
        {
            return false;
        }
        if let Some(m) = &self.src
            && !m.holds(m.v.contains(p.src))
        {
            return false;
        }
        if let Some(m) = &self.dst
            && !m.holds(m.v.contains(p.dst))
        {
            return false;
        }
        if let Some(m) = &self.in_if
            && !m.holds(if_matches(&m.v, p.in_if))
        {
            return false;
        }
        if let Some(m) = &self.out_if
            && !m.holds(if_matches(&m.v, p.out_if))
        {
            return false;
        }
        true
    }

    /// Whether the rule matches `p`, its `-m limit` buckets taking their tokens as the
    /// kernel's would: the matches are tried in the order they were given, and a limit
    /// takes a token only when every match before it held (and whatever those after it
    /// say). [`Rule::matches`] is the same without the limits.
    pub fn hit(&mut self, p: &Pkt<'_>) -> bool {
        if !self.extras.iter().any(|(_, e)| matches!(e, Extra::Limit(_))) {
            return self.matches(p);
        }
        let fixed = [
            (self.sport.is_some() || self.dport.is_some()).then(|| {
                self.sport.as_ref().is_none_or(|m| m.holds(in_ports(m.v, p.sport)))
                    && self.dport.as_ref().is_none_or(|m| m.holds(in_ports(m.v, p.dport)))
            }),
            self.icmp_type
                .as_ref()
                .map(|m| m.holds(p.icmp.is_some_and(|(t, c)| t == m.v.0 && m.v.1.is_none_or(|x| x == c)))),
            self.state.as_ref().map(|(_, m)| m.holds(m.v & p.state != 0)),
        ];
        if !self.header_holds(p) {
            return false;
        }
        let mut given = fixed.into_iter().flatten();
        let mut done = 0u8;
        for (slot, e) in &mut self.extras {
            while done < *slot {
                if !given.next().unwrap_or(true) {
                    return false;
                }
                done += 1;
            }
            let ok = match e {
                Extra::Limit(l) => l.take(p.now),
                e => extra_holds(e, p),
            };
            if !ok {
                return false;
            }
        }
        given.all(|g| g)
    }
}

/// Whether a comment or multiport match holds (a limit is taken by [`Rule::hit`]).
fn extra_holds(e: &Extra, p: &Pkt<'_>) -> bool {
    match e {
        Extra::Comment(_) | Extra::Limit(_) => true,
        Extra::Multiport(dir, m) => m.holds(m.v.iter().any(|&r| match dir {
            PortsDir::Src => in_ports(r, p.sport),
            PortsDir::Dst => in_ports(r, p.dport),
            PortsDir::Any => in_ports(r, p.sport) || in_ports(r, p.dport),
        })),
    }
}
