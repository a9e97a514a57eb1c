//! One iptables rule: its matches and its target, and what a packet looks like to them.

use std::fmt;
use std::net::Ipv4Addr;

/// An address with a prefix length (`-s 10.0.0.0/8`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Net {
    /// The address (host bits cleared, as iptables stores it).
    pub addr: Ipv4Addr,
    /// The prefix length.
    pub prefix: u8,
}

impl Net {
    /// `addr/prefix` with the host bits cleared.
    pub fn new(addr: Ipv4Addr, prefix: u8) -> Self {
        let mask = if prefix == 0 { 0 } else { u32::MAX << (32 - u32::from(prefix.min(32))) };
        Net { addr: Ipv4Addr::from(u32::from(addr) & mask), prefix: prefix.min(32) }
    }

    /// True if `a` is inside.
    pub fn contains(&self, a: Ipv4Addr) -> bool {
        let mask = if self.prefix == 0 { 0 } else { u32::MAX << (32 - u32::from(self.prefix)) };
        u32::from(a) & mask == u32::from(self.addr)
    }

    /// True for `0.0.0.0/0`.
    pub fn is_any(&self) -> bool {
        self.prefix == 0
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

/// What `REJECT` answers with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RejectWith {
    /// `icmp-net-unreachable`.
    NetUnreach,
    /// `icmp-host-unreachable`.
    HostUnreach,
    /// `icmp-port-unreachable` (the default).
    PortUnreach,
    /// `icmp-proto-unreachable`.
    ProtoUnreach,
    /// `icmp-net-prohibited`.
    NetProhib,
    /// `icmp-host-prohibited`.
    HostProhib,
    /// `icmp-admin-prohibited`.
    AdminProhib,
}

impl RejectWith {
    /// The name iptables uses.
    pub fn name(self) -> &'static str {
        match self {
            RejectWith::NetUnreach => "icmp-net-unreachable",
            RejectWith::HostUnreach => "icmp-host-unreachable",
            RejectWith::PortUnreach => "icmp-port-unreachable",
            RejectWith::ProtoUnreach => "icmp-proto-unreachable",
            RejectWith::NetProhib => "icmp-net-prohibited",
            RejectWith::HostProhib => "icmp-host-prohibited",
            RejectWith::AdminProhib => "icmp-admin-prohibited",
        }
    }

    /// The ICMP destination-unreachable code it sends.
    pub fn code(self) -> u8 {
        match self {
            RejectWith::NetUnreach => 0,
            RejectWith::HostUnreach => 1,
            RejectWith::ProtoUnreach => 2,
            RejectWith::PortUnreach => 3,
            RejectWith::NetProhib => 9,
            RejectWith::HostProhib => 10,
            RejectWith::AdminProhib => 13,
        }
    }

    /// Parses a `--reject-with` value (with the short forms iptables accepts).
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "icmp-net-unreachable" | "net-unreach" => RejectWith::NetUnreach,
            "icmp-host-unreachable" | "host-unreach" => RejectWith::HostUnreach,
            "icmp-port-unreachable" | "port-unreach" => RejectWith::PortUnreach,
            "icmp-proto-unreachable" | "proto-unreach" => RejectWith::ProtoUnreach,
            "icmp-net-prohibited" | "net-prohib" => RejectWith::NetProhib,
            "icmp-host-prohibited" | "host-prohib" => RejectWith::HostProhib,
            "icmp-admin-prohibited" | "admin-prohib" => RejectWith::AdminProhib,
            _ => return None,
        })
    }
}

/// A port range (`53`, `1000:2000`).
pub type Ports = (u16, u16);

/// What a rule does with a packet it matches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
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
        to: Ipv4Addr,
        /// Its ports.
        ports: Option<Ports>,
    },
    /// `DNAT --to-destination IP[:P[-P]]`.
    Dnat {
        /// The new destination.
        to: Ipv4Addr,
        /// Its ports.
        ports: Option<Ports>,
    },
}

impl Target {
    /// The name `-j` takes.
    pub fn name(&self) -> &str {
        match self {
            Target::Accept => "ACCEPT",
            Target::Drop => "DROP",
            Target::Reject(_) => "REJECT",
            Target::Return => "RETURN",
            Target::Jump(c) => c,
            Target::Log { .. } => "LOG",
            Target::Masquerade { .. } => "MASQUERADE",
            Target::Snat { .. } => "SNAT",
            Target::Dnat { .. } => "DNAT",
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
    pub src: Ipv4Addr,
    /// Destination.
    pub dst: Ipv4Addr,
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
        for (_, e) in &self.extras {
            if let Extra::Multiport(dir, m) = e {
                let hit = m.v.iter().any(|&r| match dir {
                    PortsDir::Src => in_ports(r, p.sport),
                    PortsDir::Dst => in_ports(r, p.dport),
                    PortsDir::Any => in_ports(r, p.sport) || in_ports(r, p.dport),
                });
                if !m.holds(hit) {
                    return false;
                }
            }
        }
        true
    }
}
