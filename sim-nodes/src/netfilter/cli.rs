//! `iptables` arguments → a command, with iptables' own error messages.
//!
//! What is checked here is what iptables checks before asking the kernel (options, their
//! values, options that need `-p tcp`); what needs the table's state (a chain that does not
//! exist, a target in the wrong table) is checked when the command is applied.

use super::Family;
use super::rule::{Extra, LIMIT_SCALE, Limit, Neg, Net, Ports, PortsDir, RejectWith, Rule, StateModule, Target, ct};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The iptables version line errors start with.
pub const VERSION: &str = "iptables v1.8.9 (nf_tables)";

/// A table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum TableId {
    /// `filter`.
    Filter,
    /// `nat`.
    Nat,
}

impl TableId {
    /// Its name.
    pub fn name(self) -> &'static str {
        match self {
            TableId::Filter => "filter",
            TableId::Nat => "nat",
        }
    }
}

/// Which rule `-D` deletes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Which {
    /// By number (from 1).
    Num(usize),
    /// The first rule equal to this one.
    Rule(Box<Rule>),
}

/// An iptables command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    /// `-A CHAIN RULE`.
    Append(String, Box<Rule>),
    /// `-I CHAIN [N] RULE`.
    Insert(String, usize, Box<Rule>),
    /// `-D CHAIN RULE|N`.
    Delete(String, Which),
    /// `-F [CHAIN]`.
    Flush(Option<String>),
    /// `-Z [CHAIN]`.
    Zero(Option<String>),
    /// `-N CHAIN`.
    NewChain(String),
    /// `-X [CHAIN]`.
    DeleteChain(Option<String>),
    /// `-P CHAIN ACCEPT|DROP`.
    Policy(String, bool),
    /// `-L [CHAIN]`.
    List {
        /// Only this chain.
        chain: Option<String>,
        /// `-n`.
        numeric: bool,
        /// `-v`.
        verbose: bool,
        /// `--line-numbers`.
        line_numbers: bool,
    },
    /// `-S [CHAIN]`.
    ListRules(Option<String>),
}

/// A parsed `iptables …` or `ip6tables …`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cmd {
    /// Which tool: whose tables.
    pub family: Family,
    /// `-t`.
    pub table: TableId,
    /// What to do.
    pub op: Op,
}

/// Why iptables refuses, as it says it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CliError {
    /// The message (all lines).
    pub message: String,
    /// The exit status.
    pub status: i32,
    /// The word to point at.
    pub word: Option<String>,
}

impl CliError {
    /// A usage error: `iptables v1.8.9 (nf_tables): MSG` and the `Try` line, status 2.
    pub fn usage(msg: impl Into<String>, word: Option<&str>) -> Self {
        CliError {
            message: format!("{VERSION}: {}\nTry `iptables -h' or 'iptables --help' for more information.", msg.into()),
            status: 2,
            word: word.map(str::to_string),
        }
    }
}

impl CliError {
    /// The same refusal as `ip6tables` words it (the tool's name where iptables names
    /// itself; the texts are otherwise the same program's).
    pub fn in_family(mut self, family: Family) -> Self {
        if family == Family::V6 {
            self.message = self
                .message
                .replacen("iptables v1.8.9", "ip6tables v1.8.9", 1)
                .replace("Try `iptables -h' or 'iptables --help'", "Try `ip6tables -h' or 'ip6tables --help'");
            if let Some(rest) = self.message.strip_prefix("iptables: ") {
                self.message = format!("ip6tables: {rest}");
            }
        }
        self
    }
}

/// `XT_EXTENSION_MAXNAMELEN`: a chain or target name has at most 28 characters.
pub const MAX_CHAIN_NAME: usize = 28;

/// The targets iptables 1.8.9 finds by name (the standard verdicts and every `libxt_*` /
/// `libipt_*` target extension Debian ships): `-N` refuses them as chain names.
const TARGET_NAMES: &[&str] = &[
    "",
    "standard",
    "ACCEPT",
    "DROP",
    "QUEUE",
    "RETURN",
    "AUDIT",
    "CHECKSUM",
    "CLASSIFY",
    "CLUSTERIP",
    "CONNMARK",
    "CONNSECMARK",
    "CT",
    "DNAT",
    "DSCP",
    "ECN",
    "HMARK",
    "IDLETIMER",
    "LED",
    "LOG",
    "MARK",
    "MASQUERADE",
    "NETMAP",
    "NFLOG",
    "NFQUEUE",
    "NOTRACK",
    "RATEEST",
    "REDIRECT",
    "REJECT",
    "SECMARK",
    "SET",
    "SNAT",
    "SYNPROXY",
    "TCPMSS",
    "TCPOPTSTRIP",
    "TEE",
    "TOS",
    "TPROXY",
    "TRACE",
    "TTL",
    "ULOG",
];

/// A chain name as any command gives it: at most [`MAX_CHAIN_NAME`] characters.
fn chain_name(c: &str) -> Result<(), CliError> {
    if c.len() > MAX_CHAIN_NAME {
        return Err(CliError::usage(
            format!("chain name `{c}' too long (must be under {} chars)", MAX_CHAIN_NAME + 1),
            Some(c),
        ));
    }
    Ok(())
}

/// A new chain's name (`-N`, and a restore's `:CHAIN - [0:0]`): iptables'
/// `assert_valid_chain_name()`.
fn new_chain_name(c: &str) -> Result<(), CliError> {
    chain_name(c)?;
    if let Some(first @ ('-' | '!')) = c.chars().next() {
        return Err(CliError::usage(format!("chain name not allowed to start with `{first}'"), Some(c)));
    }
    if TARGET_NAMES.contains(&c) {
        return Err(CliError::usage("chain name may not clash with target name", Some(c)));
    }
    if c.bytes().any(|b| b.is_ascii_whitespace() || b == 0x0b) {
        return Err(CliError::usage(format!("Invalid chain name `{c}'"), Some(c)));
    }
    Ok(())
}

/// What would fix a refusal about names or jumps (iptables' own texts say what, not how).
pub fn hint(e: &CliError) -> Option<String> {
    let m = e.message.as_str();
    let h = if m.contains("too long (must be under") {
        "a chain name has at most 28 characters"
    } else if m.contains("Invalid target name") {
        "a target is ACCEPT, DROP, RETURN, REJECT, LOG, a NAT target, or a chain: at most 28 characters, no blanks"
    } else if m.contains("chain name not allowed to start with")
        || m.contains("chain name may not clash with target name")
        || m.contains("Invalid chain name")
    {
        "a chain name has 1 to 28 characters, no blanks, starts with neither `-` nor `!`, and is no target's name (ACCEPT, DROP, LOG, …)"
    } else if m.contains("must be shorter than IFNAMSIZ") {
        "an interface name has at most 15 characters"
    } else if m.contains(" failed (Too many links): rule in chain ") {
        "nf_tables refuses a jump (-j or -g) that closes a loop, or puts a chain 16 jumps below a built-in chain, once a built-in chain reaches it: break the loop or flatten the chains"
    } else {
        return None;
    };
    Some(h.to_string())
}

/// Protocol names iptables knows (from /etc/protocols).
pub fn proto_number(s: &str) -> Option<u8> {
    Some(match s.to_ascii_lowercase().as_str() {
        "all" => 0,
        "icmp" => 1,
        "tcp" => 6,
        "udp" => 17,
        "gre" => 47,
        "esp" => 50,
        "ah" => 51,
        "icmpv6" | "ipv6-icmp" => 58,
        "sctp" => 132,
        n => return n.parse().ok(),
    })
}

/// Its name, for `-L` and `-S`.
pub fn proto_name(n: u8) -> Option<&'static str> {
    Some(match n {
        0 => "all",
        1 => "icmp",
        6 => "tcp",
        17 => "udp",
        47 => "gre",
        50 => "esp",
        51 => "ah",
        58 => "ipv6-icmp",
        132 => "sctp",
        _ => return None,
    })
}

/// A few `/etc/services` names (what `iptables -L` prints without `-n`).
pub const SERVICES: &[(u16, &str)] = &[
    (20, "ftp-data"),
    (21, "ftp"),
    (22, "ssh"),
    (23, "telnet"),
    (25, "smtp"),
    (53, "domain"),
    (67, "bootps"),
    (68, "bootpc"),
    (69, "tftp"),
    (80, "http"),
    (110, "pop3"),
    (123, "ntp"),
    (143, "imap2"),
    (161, "snmp"),
    (443, "https"),
    (993, "imaps"),
    (995, "pop3s"),
    (3128, "squid"),
    (8080, "http-alt"),
];

fn port(s: &str) -> Option<u16> {
    s.parse().ok().or_else(|| SERVICES.iter().find(|(_, n)| *n == s).map(|(p, _)| *p))
}

fn ports(s: &str, sep: char) -> Option<Ports> {
    match s.split_once(sep) {
        Some((a, b)) => {
            let a = if a.is_empty() { 0 } else { port(a)? };
            let b = if b.is_empty() { 65535 } else { port(b)? };
            (a <= b).then_some((a, b))
        }
        None => port(s).map(|p| (p, p)),
    }
}

fn icmp_type(s: &str) -> Option<(u8, Option<u8>)> {
    Some(match s {
        "any" => (255, None),
        "echo-reply" | "pong" => (0, None),
        "destination-unreachable" => (3, None),
        "network-unreachable" => (3, Some(0)),
        "host-unreachable" => (3, Some(1)),
        "port-unreachable" => (3, Some(3)),
        "echo-request" | "ping" => (8, None),
        "time-exceeded" | "ttl-exceeded" => (11, None),
        _ => match s.split_once('/') {
            Some((t, c)) => (t.parse().ok()?, Some(c.parse().ok()?)),
            None => (s.parse().ok()?, None),
        },
    })
}

/// An address as `-s`/`-d` take it, with a prefix length or a mask, of `family`.
/// `libip6t_icmp6.c`'s names, each a type with a code or every code.
pub const ICMPV6_NAMES: &[(&str, u8, Option<u8>)] = &[
    ("destination-unreachable", 1, None),
    ("no-route", 1, Some(0)),
    ("communication-prohibited", 1, Some(1)),
    ("beyond-scope", 1, Some(2)),
    ("address-unreachable", 1, Some(3)),
    ("port-unreachable", 1, Some(4)),
    ("failed-policy", 1, Some(5)),
    ("reject-route", 1, Some(6)),
    ("packet-too-big", 2, None),
    ("time-exceeded", 3, None),
    ("ttl-zero-during-transit", 3, Some(0)),
    ("ttl-zero-during-reassembly", 3, Some(1)),
    ("parameter-problem", 4, None),
    ("bad-header", 4, Some(0)),
    ("unknown-header-type", 4, Some(1)),
    ("unknown-option", 4, Some(2)),
    ("echo-request", 128, None),
    ("ping", 128, None),
    ("echo-reply", 129, None),
    ("pong", 129, None),
    ("router-solicitation", 133, None),
    ("router-advertisement", 134, None),
    ("neighbour-solicitation", 135, None),
    ("neighbor-solicitation", 135, None),
    ("neighbour-advertisement", 136, None),
    ("neighbor-advertisement", 136, None),
    ("redirect", 137, None),
];

/// `--icmpv6-type`: a name, `TYPE` or `TYPE/CODE`.
fn icmpv6_type(s: &str) -> Option<(u8, Option<u8>)> {
    if let Some((_, t, c)) = ICMPV6_NAMES.iter().find(|(n, ..)| *n == s) {
        return Some((*t, *c));
    }
    match s.split_once('/') {
        Some((t, c)) => Some((t.parse().ok()?, Some(c.parse().ok()?))),
        None => Some((s.parse().ok()?, None)),
    }
}

fn net(s: &str, family: Family) -> Option<Net> {
    let max = if family == Family::V6 { 128 } else { 32 };
    let addr = |a: &str| -> Option<IpAddr> {
        match family {
            Family::V4 => a.parse::<Ipv4Addr>().ok().map(IpAddr::V4),
            Family::V6 => a.parse::<Ipv6Addr>().ok().map(IpAddr::V6),
        }
    };
    let (a, p) = match s.split_once('/') {
        Some((a, p)) => {
            let p: u8 = match p.parse::<u8>() {
                Ok(n) if n <= max => n,
                _ => {
                    // A mask written as an address: only contiguous ones.
                    let (ones, zeros, bits) = match addr(p)? {
                        IpAddr::V4(m) => (u32::from(m).leading_ones(), u32::from(m).trailing_zeros(), 32),
                        IpAddr::V6(m) => (u128::from(m).leading_ones(), u128::from(m).trailing_zeros(), 128),
                    };
                    if ones + zeros != bits && !(ones == 0 && zeros == bits) {
                        return None;
                    }
                    ones as u8
                }
            };
            (a, p)
        }
        None => (s, max),
    };
    Some(Net::new(addr(a)?, p))
}

/// `--to-source`/`--to-destination`: `ADDR[:PORT[-PORT]]`, for IPv6 `[ADDR]:PORT[-PORT]`
/// or a bare `ADDR`.
fn nat_to(s: &str, family: Family) -> Option<(IpAddr, Option<Ports>)> {
    if family == Family::V6 {
        if let Some(rest) = s.strip_prefix('[') {
            let (a, tail) = rest.split_once(']')?;
            let a: Ipv6Addr = a.parse().ok()?;
            return match tail {
                "" => Some((IpAddr::V6(a), None)),
                t => Some((IpAddr::V6(a), Some(ports(t.strip_prefix(':')?, '-')?))),
            };
        }
        return s.parse::<Ipv6Addr>().ok().map(|a| (IpAddr::V6(a), None));
    }
    match s.split_once(':') {
        Some((a, p)) => Some((IpAddr::V4(a.parse().ok()?), Some(ports(p, '-')?))),
        None => Some((IpAddr::V4(s.parse().ok()?), None)),
    }
}

fn states(s: &str) -> Option<u8> {
    let mut m = 0;
    for w in s.split(',') {
        m |= ct::NAMES.iter().find(|(_, n)| *n == w)?.0;
    }
    Some(m)
}

/// libxt_limit's `parse_rate`: `N[/second|/minute|/hour|/day]` (any prefix of the unit)
/// to a period in 1/10000 s.
fn limit_rate(v: &str) -> Result<u32, CliError> {
    let bad = || CliError::usage(format!("bad rate \"{v}\"'"), Some(v));
    let (num, unit) = match v.split_once('/') {
        Some((n, u)) => (n, Some(u)),
        None => (v, None),
    };
    let mult: u32 = match unit {
        None => 1,
        Some("") => return Err(bad()),
        Some(u) => {
            let u = u.to_ascii_lowercase();
            [("second", 1), ("minute", 60), ("hour", 3600), ("day", 86_400)]
                .into_iter()
                .find(|(name, _)| name.starts_with(&u))
                .map(|(_, m)| m)
                .ok_or_else(bad)?
        }
    };
    // atoi: the leading digits.
    let digits: String = num.trim_start().chars().take_while(char::is_ascii_digit).collect();
    let r: u64 = digits.parse().unwrap_or(0);
    if r == 0 || r > u64::from(u32::MAX) {
        return Err(bad());
    }
    let avg = u64::from(LIMIT_SCALE) * u64::from(mult) / r;
    if avg == 0 {
        return Err(CliError::usage(format!("Rate too fast \"{v}\""), Some(v)));
    }
    Ok(avg as u32)
}

/// An error of the limit module's option parser (its message ends in a blank line).
fn limit_error(msg: String, word: &str) -> CliError {
    CliError::usage(format!("limit: {msg}\n"), Some(word))
}

/// Parses the words after `iptables`.
pub fn parse<S: AsRef<str>>(args: &[S]) -> Result<Cmd, CliError> {
    parse_family(args, Family::V4)
}

/// Parses the words after `iptables` or (`Family::V6`) `ip6tables`, refusing in that
/// tool's words.
pub fn parse_family<S: AsRef<str>>(args: &[S], family: Family) -> Result<Cmd, CliError> {
    parse_words(args, family).map_err(|e| e.in_family(family))
}

fn parse_words<S: AsRef<str>>(args: &[S], family: Family) -> Result<Cmd, CliError> {
    let args: Vec<&str> = args.iter().map(AsRef::as_ref).collect();
    let mut table = TableId::Filter;
    let mut command: Option<(&str, Option<String>, Option<String>)> = None;
    // Without -j a rule only counts (its target is none) and the chain goes on.
    let mut rule = Rule::new(Target::None);
    let mut target: Option<String> = None;
    let (mut reject, mut log_prefix, mut to, mut to_ports) = (None, None, None, None);
    let (mut numeric, mut verbose, mut line_numbers) = (false, false, false);
    let mut protos_for_ports = false;
    let mut neg = false;
    // The match modules loaded (`-m …`), and which of the fixed matches (ports, ICMP type,
    // state) were given so far: where a comment or multiport match shows.
    let mut modules: Vec<String> = Vec::new();
    let mut given = [false; 3];
    // `--limit` and `--limit-burst` given for the latest `-m limit`.
    let mut limit_seen = [false; 2];
    let mut i = 0;
    let value = |i: &mut usize, opt: &str| -> Result<String, CliError> {
        *i += 1;
        args.get(*i)
            .map(|s| s.to_string())
            .ok_or_else(|| CliError::usage(format!("option \"{opt}\" requires an argument"), Some(opt)))
    };
    while i < args.len() {
        let a = args[i];
        let was_neg = std::mem::take(&mut neg);
        let opt = a;
        let n = was_neg;
        match opt {
            "!" => neg = true,
            "-t" | "--table" => {
                let v = value(&mut i, opt)?;
                table = match v.as_str() {
                    "filter" => TableId::Filter,
                    "nat" => TableId::Nat,
                    "mangle" | "raw" | "security" => {
                        return Err(CliError::usage(format!("not supported yet: the {v} table"), Some(a)));
                    }
                    _ => {
                        return Err(CliError {
                            message: format!(
                                "{VERSION}: table '{v}' does not exist\nPerhaps iptables or your kernel needs to be upgraded."
                            ),
                            status: 3,
                            word: Some(v),
                        });
                    }
                };
            }
            "-A" | "--append" | "-I" | "--insert" | "-D" | "--delete" | "-N" | "--new-chain" | "-P" | "--policy" => {
                if command.is_some() {
                    return Err(CliError::usage("Cannot use -A with -I", Some(a)));
                }
                let c = value(&mut i, opt)?;
                let mut extra = None;
                if matches!(opt, "-I" | "--insert" | "-D" | "--delete" | "-P" | "--policy")
                    && let Some(next) = args.get(i + 1)
                    && !next.starts_with('-')
                    && next != &"!"
                {
                    i += 1;
                    extra = Some(next.to_string());
                }
                command = Some((opt, Some(c), extra));
            }
            "-F" | "--flush" | "-X" | "--delete-chain" | "-L" | "--list" | "-S" | "--list-rules" | "-Z" | "--zero" => {
                if command.is_some() {
                    return Err(CliError::usage("Illegal option combination", Some(a)));
                }
                let mut c = None;
                if let Some(next) = args.get(i + 1)
                    && !next.starts_with('-')
                {
                    i += 1;
                    c = Some(next.to_string());
                }
                command = Some((opt, c, None));
            }
            "-n" | "--numeric" => numeric = true,
            "-v" | "--verbose" => verbose = true,
            "--line-numbers" => line_numbers = true,
            "-x" | "--exact" => {}
            "-nv" | "-vn" => {
                numeric = true;
                verbose = true;
            }
            "-p" | "--protocol" => {
                let v = value(&mut i, opt)?;
                let p = proto_number(&v)
                    .ok_or_else(|| CliError::usage(format!("unknown protocol \"{v}\" specified"), Some(&v)))?;
                protos_for_ports = matches!(p, 6 | 17);
                rule.proto = Some(Neg { v: p, neg: n });
            }
            "-s" | "--source" | "--src" | "-d" | "--destination" | "--dst" => {
                let v = value(&mut i, opt)?;
                if let Some((_, m)) = v.split_once('/')
                    && let Ok(n) = m.parse::<u32>()
                    && n > if family == Family::V6 { 128 } else { 32 }
                {
                    return Err(CliError::usage(format!("invalid mask `{m}' specified"), Some(&v)));
                }
                let nt = net(&v, family)
                    .ok_or_else(|| CliError::usage(format!("host/network `{v}' not found"), Some(&v)))?;
                if matches!(opt, "-s" | "--source" | "--src") {
                    rule.src = Some(Neg { v: nt, neg: n });
                } else {
                    rule.dst = Some(Neg { v: nt, neg: n });
                }
            }
            "-i" | "--in-interface" | "-o" | "--out-interface" => {
                let v = value(&mut i, opt)?;
                if v.len() >= 16 {
                    let m = format!("interface name `{v}' must be shorter than IFNAMSIZ (15)");
                    return Err(CliError::usage(m, Some(&v)));
                }
                if matches!(opt, "-i" | "--in-interface") {
                    rule.in_if = Some(Neg { v, neg: n });
                } else {
                    rule.out_if = Some(Neg { v, neg: n });
                }
            }
            "-m" | "--match" => {
                let v = value(&mut i, opt)?;
                match v.as_str() {
                    "tcp" | "udp" | "icmp" | "icmp6" | "conntrack" | "state" | "comment" | "multiport" => {
                        modules.push(v)
                    }
                    "limit" => {
                        // The match is there from `-m limit` on, with iptables' defaults.
                        let slot = given.iter().filter(|g| **g).count() as u8;
                        rule.extras.push((slot, Extra::Limit(Limit::new(LIMIT_SCALE * 3600 / 3, 5))));
                        modules.push(v);
                        limit_seen = [false; 2];
                    }
                    _ => return Err(CliError::usage(format!("not supported yet: -m {v}"), Some(&v))),
                }
            }
            "--sports" | "--source-ports" | "--dports" | "--destination-ports" | "--ports"
                if modules.iter().any(|m| m == "multiport") =>
            {
                let v = value(&mut i, opt)?;
                let dir = match opt {
                    "--sports" | "--source-ports" => PortsDir::Src,
                    "--dports" | "--destination-ports" => PortsDir::Dst,
                    _ => PortsDir::Any,
                };
                let mut list = Vec::new();
                for item in v.split(',') {
                    list.push(ports(item, ':').ok_or_else(|| {
                        CliError::usage(format!("invalid port/service `{item}' specified"), Some(&v))
                    })?);
                }
                if list.iter().map(|r| if r.0 == r.1 { 1 } else { 2 }).sum::<usize>() > 15 {
                    return Err(CliError::usage("too many ports specified", Some(&v)));
                }
                let slot = given.iter().filter(|g| **g).count() as u8;
                rule.extras.push((slot, Extra::Multiport(dir, Neg { v: list, neg: n })));
            }
            "--sport" | "--source-port" | "--dport" | "--destination-port" if protos_for_ports => {
                let v = value(&mut i, opt)?;
                let p = ports(&v, ':')
                    .ok_or_else(|| CliError::usage(format!("invalid port/service `{v}' specified"), Some(&v)))?;
                if matches!(opt, "--sport" | "--source-port") {
                    rule.sport = Some(Neg { v: p, neg: n });
                } else {
                    rule.dport = Some(Neg { v: p, neg: n });
                }
                given[0] = true;
            }
            "--icmp-type" if family == Family::V4 && rule.proto.as_ref().is_some_and(|p| p.v == 1) => {
                let v = value(&mut i, opt)?;
                let t = icmp_type(&v).ok_or_else(|| CliError::usage(format!("Invalid ICMP type `{v}'"), Some(&v)))?;
                if t.0 != 255 {
                    rule.icmp_type = Some(Neg { v: t, neg: n });
                    given[1] = true;
                }
            }
            "--icmpv6-type" if family == Family::V6 && rule.proto.as_ref().is_some_and(|p| p.v == 58) => {
                let v = value(&mut i, opt)?;
                let t =
                    icmpv6_type(&v).ok_or_else(|| CliError::usage(format!("Unknown ICMPv6 type `{v}'"), Some(&v)))?;
                rule.icmp_type = Some(Neg { v: t, neg: n });
                given[1] = true;
            }
            "--ctstate" | "--state" => {
                let v = value(&mut i, opt)?;
                let m = states(&v).ok_or_else(|| CliError::usage(format!("Bad ctstate \"{v}\""), Some(&v)))?;
                let module = if opt == "--state" { StateModule::State } else { StateModule::Conntrack };
                rule.state = Some((module, Neg { v: m, neg: n }));
                given[2] = true;
            }
            "--limit" | "--limit-burst" if modules.iter().any(|m| m == "limit") => {
                let which = usize::from(opt == "--limit-burst");
                if n {
                    return Err(limit_error(format!("option \"{opt}\" cannot be inverted."), opt));
                }
                if limit_seen[which] {
                    return Err(limit_error(format!("option \"{opt}\" can only be used once."), opt));
                }
                limit_seen[which] = true;
                let v = value(&mut i, opt)?;
                let Some((_, Extra::Limit(l))) =
                    rule.extras.iter_mut().rev().find(|(_, e)| matches!(e, Extra::Limit(_)))
                else {
                    return Err(CliError::usage(format!("unknown option \"{opt}\""), Some(opt)));
                };
                if which == 0 {
                    l.avg = limit_rate(&v)?;
                } else {
                    let b: u32 = v.parse().ok().filter(|b| *b <= 10_000).ok_or_else(|| {
                        limit_error("bad value for option \"--limit-burst\", or out of range (0-10000).".into(), &v)
                    })?;
                    // The kernel's nft limit takes a burst of 0 as its default, 5.
                    l.burst = if b == 0 { 5 } else { b };
                }
            }
            "--comment" if modules.iter().any(|m| m == "comment") => {
                let mut v = value(&mut i, opt)?;
                // iptables-nft keeps the first 255 bytes (XT_MAX_COMMENT_LEN with its NUL),
                // silently, as on the reference machine.
                let mut end = v.len().min(255);
                while !v.is_char_boundary(end) {
                    end -= 1;
                }
                v.truncate(end);
                let slot = given.iter().filter(|g| **g).count() as u8;
                rule.extras.push((slot, Extra::Comment(v)));
            }
            "-j" | "--jump" | "-g" | "--goto" => {
                let v = value(&mut i, opt)?;
                if v.len() > MAX_CHAIN_NAME {
                    let m = format!("Invalid target name `{v}' ({MAX_CHAIN_NAME} chars max)");
                    return Err(CliError::usage(m, Some(&v)));
                }
                if v.bytes().any(|b| b.is_ascii_whitespace() || b == 0x0b) {
                    return Err(CliError::usage(format!("Invalid target name `{v}'"), Some(&v)));
                }
                target = Some(v);
            }
            "--reject-with" => {
                let v = value(&mut i, opt)?;
                if v == "tcp-reset" || (family == Family::V4 && v == "tcp-rst") {
                    return Err(CliError::usage(format!("not supported yet: --reject-with {v}"), Some(&v)));
                }
                reject = Some(
                    RejectWith::parse(&v, family)
                        .ok_or_else(|| CliError::usage(format!("unknown reject type \"{v}\""), Some(&v)))?,
                );
            }
            "--log-prefix" => log_prefix = Some(value(&mut i, opt)?),
            "--log-level" => {
                value(&mut i, opt)?;
            }
            "--to-source" | "--to-destination" | "--to" => {
                let v = value(&mut i, opt)?;
                to = Some((
                    nat_to(&v, family).ok_or_else(|| CliError::usage(format!("Bad IP address \"{v}\""), Some(&v)))?,
                    v,
                ));
            }
            "--to-ports" => {
                let v = value(&mut i, opt)?;
                to_ports =
                    Some(ports(&v, '-').ok_or_else(|| CliError::usage(format!("Port `{v}' not valid"), Some(&v)))?);
            }
            o if o.starts_with('-') => return Err(CliError::usage(format!("unknown option \"{o}\""), Some(o))),
            o => return Err(CliError::usage(format!("Bad argument `{o}'"), Some(o))),
        }
        i += 1;
    }
    let Some((cmd, chain, extra)) = command else {
        return Err(CliError::usage("no command specified", None));
    };
    let ported = rule.proto.as_ref().is_some_and(|p| !p.neg && matches!(p.v, 6 | 17));
    if rule.extras.iter().any(|(_, e)| matches!(e, Extra::Multiport(..))) && !ported {
        let m = "multiport needs `-p tcp', `-p udp', `-p udplite', `-p sctp' or `-p dccp'";
        return Err(CliError::usage(m, Some("multiport")));
    }
    // libxt_NAT, libxt_MASQUERADE, libxt_REDIRECT: ports only with a protocol that has
    // them.
    let nat_ports = to.as_ref().is_some_and(|((_, p), _)| p.is_some()) || to_ports.is_some();
    if nat_ports
        && matches!(target.as_deref(), Some("SNAT" | "DNAT" | "MASQUERADE" | "REDIRECT"))
        && !rule.proto.as_ref().is_some_and(|p| !p.neg && matches!(p.v, 6 | 17 | 33 | 132))
    {
        return Err(CliError::usage("Need TCP, UDP, SCTP or DCCP with port specification", target.as_deref()));
    }
    if let Some(t) = &target {
        rule.target = match t.as_str() {
            "ACCEPT" => Target::Accept,
            "DROP" => Target::Drop,
            "RETURN" => Target::Return,
            "REJECT" => Target::Reject(reject.unwrap_or(RejectWith::default_for(family))),
            "LOG" => Target::Log { prefix: log_prefix.clone() },
            "MASQUERADE" => Target::Masquerade { ports: to_ports },
            "SNAT" | "DNAT" => {
                let Some(((addr, ports), _)) = &to else {
                    let o = if t == "SNAT" { "--to-source" } else { "--to-destination" };
                    return Err(CliError::usage(format!("{t}: option \"{o}\" must be specified"), Some(t)));
                };
                if t == "SNAT" {
                    Target::Snat { to: *addr, ports: *ports }
                } else {
                    Target::Dnat { to: *addr, ports: *ports }
                }
            }
            "REDIRECT" => Target::Redirect { ports: to_ports },
            "QUEUE" | "NFQUEUE" | "MARK" | "CONNMARK" | "TCPMSS" | "NOTRACK" | "CT" | "TPROXY" => {
                return Err(CliError::usage(format!("not supported yet: -j {t}"), Some(t)));
            }
            c => Target::Jump(c.to_string()),
        };
    }
    if let Some(c) = &chain {
        chain_name(c)?;
    }
    let rulecmd = |chain: Option<String>| chain.ok_or_else(|| CliError::usage("option requires a chain", None));
    let has_rule = target.is_some() || rule != Rule::new(Target::None);
    let op = match cmd {
        "-A" | "--append" => Op::Append(rulecmd(chain)?, Box::new(rule)),
        "-I" | "--insert" => {
            let n = match extra {
                Some(x) => x
                    .parse::<usize>()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| CliError::usage(format!("Invalid rule number `{x}'"), Some(&x)))?,
                None => 1,
            };
            Op::Insert(rulecmd(chain)?, n, Box::new(rule))
        }
        "-D" | "--delete" => match extra {
            Some(x) => {
                let n = x
                    .parse::<usize>()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| CliError::usage(format!("Invalid rule number `{x}'"), Some(&x)))?;
                Op::Delete(rulecmd(chain)?, Which::Num(n))
            }
            None if has_rule => Op::Delete(rulecmd(chain)?, Which::Rule(Box::new(rule))),
            None => return Err(CliError::usage("-D requires a rule or a rule number", None)),
        },
        "-N" | "--new-chain" => {
            let c = rulecmd(chain)?;
            new_chain_name(&c)?;
            Op::NewChain(c)
        }
        "-P" | "--policy" => {
            let c = rulecmd(chain)?;
            match extra.as_deref() {
                Some("ACCEPT") => Op::Policy(c, true),
                Some("DROP") => Op::Policy(c, false),
                Some(x) => return Err(CliError::usage(format!("Bad policy name `{x}'"), Some(x))),
                None => return Err(CliError::usage("-P requires a chain and a policy", None)),
            }
        }
        "-F" | "--flush" => Op::Flush(chain),
        "-Z" | "--zero" => Op::Zero(chain),
        "-X" | "--delete-chain" => Op::DeleteChain(chain),
        "-L" | "--list" => Op::List { chain, numeric, verbose, line_numbers },
        _ => Op::ListRules(chain),
    };
    Ok(Cmd { family, table, op })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<Cmd, CliError> {
        parse(&s.split_whitespace().collect::<Vec<_>>())
    }

    #[test]
    fn reads_the_documents_rules() {
        let c = p("-t nat -A POSTROUTING -s 192.0.2.0/24 -o gw-veth1 -j MASQUERADE").unwrap();
        assert_eq!(c.table, TableId::Nat);
        let Op::Append(chain, r) = c.op else { panic!() };
        assert_eq!(chain, "POSTROUTING");
        assert_eq!(r.src.unwrap().v, Net::new("192.0.2.0".parse().unwrap(), 24));
        assert_eq!(r.target, Target::Masquerade { ports: None });
        let c =
            p("-t nat -A PREROUTING -p tcp --dport 54321 -d 203.0.113.254 -j DNAT --to-destination 192.0.2.1").unwrap();
        let Op::Append(_, r) = c.op else { panic!() };
        assert_eq!(r.dport.unwrap().v, (54321, 54321));
        assert_eq!(r.target, Target::Dnat { to: "192.0.2.1".parse().unwrap(), ports: None });
        let Op::Append(_, r) =
            p("-A FORWARD ! -s 10.0.0.0/8 -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT").unwrap().op
        else {
            panic!()
        };
        assert!(r.src.unwrap().neg);
        assert_eq!(r.state.unwrap().1.v, ct::ESTABLISHED | ct::RELATED);
        assert_eq!(p("-P FORWARD DROP").unwrap().op, Op::Policy("FORWARD".into(), false));
        assert_eq!(p("-t nat -S").unwrap().op, Op::ListRules(None));
    }

    #[test]
    fn limit_parses_and_refuses_as_libxt_limit_does() {
        // The words are the reference machine's iptables 1.8.9 (nf_tables).
        let r = p("-A INPUT -m limit").unwrap().op;
        let Op::Append(_, r) = r else { panic!() };
        assert!(matches!(&r.extras[0], (0, Extra::Limit(l)) if l.avg == 12_000_000 && l.burst == 5));
        let Op::Append(_, r) = p("-A INPUT -m limit --limit 90/m --limit-burst 0").unwrap().op else { panic!() };
        assert!(matches!(&r.extras[0], (0, Extra::Limit(l)) if l.rate() == (90, "min") && l.burst == 5));
        let msg = |a: &str| p(a).unwrap_err().message;
        let tail = "\nTry `iptables -h' or 'iptables --help' for more information.";
        assert_eq!(msg("-A INPUT -m limit --limit 5/week"), format!("{VERSION}: bad rate \"5/week\"'{tail}"));
        assert_eq!(msg("-A INPUT -m limit --limit 0/sec"), format!("{VERSION}: bad rate \"0/sec\"'{tail}"));
        assert_eq!(msg("-A INPUT -m limit --limit abc"), format!("{VERSION}: bad rate \"abc\"'{tail}"));
        assert_eq!(msg("-A INPUT -m limit --limit 10001/sec"), format!("{VERSION}: Rate too fast \"10001/sec\"{tail}"));
        assert_eq!(
            msg("-A INPUT -m limit --limit-burst 10001"),
            format!("{VERSION}: limit: bad value for option \"--limit-burst\", or out of range (0-10000).\n{tail}")
        );
        assert_eq!(
            msg("-A INPUT -m limit ! --limit 5/s"),
            format!("{VERSION}: limit: option \"--limit\" cannot be inverted.\n{tail}")
        );
        assert_eq!(
            msg("-A INPUT -m limit --limit 5/s --limit 6/s"),
            format!("{VERSION}: limit: option \"--limit\" can only be used once.\n{tail}")
        );
        assert_eq!(msg("-A INPUT --limit 5/s"), format!("{VERSION}: unknown option \"--limit\"{tail}"));
    }

    #[test]
    fn a_limit_is_a_token_bucket_in_nanoseconds() {
        let Op::Append(_, mut r) = p("-A INPUT -p icmp -m limit --limit 4/sec --limit-burst 2 -j ACCEPT").unwrap().op
        else {
            panic!()
        };
        let at = |ms: u64| super::super::rule::Pkt {
            in_if: None,
            out_if: None,
            src: Ipv4Addr::new(10, 0, 0, 1).into(),
            dst: Ipv4Addr::new(10, 0, 0, 2).into(),
            proto: 1,
            sport: None,
            dport: None,
            icmp: Some((8, 0)),
            state: ct::NEW,
            len: 84,
            now: sim_core::Instant::from_nanos(ms * 1_000_000),
        };
        // Full (two), then one every 250 ms; the bucket holds no more than two.
        let hits: Vec<bool> = [0, 1, 2, 200, 251, 260, 2000, 2001, 2002].iter().map(|&t| r.hit(&at(t))).collect();
        assert_eq!(hits, [true, true, false, false, true, false, true, true, false]);
        // A packet the rule's other matches refuse takes no token.
        let mut udp = at(4000);
        udp.proto = 17;
        assert!(!r.hit(&udp));
        assert!(r.hit(&at(4000)) && r.hit(&at(4000)));
    }

    #[test]
    fn multiport_and_comment_keep_their_place_and_match() {
        use super::super::rule::Pkt;
        let Op::Append(_, r) =
            p("-A INPUT -p tcp -m comment --comment web -m multiport ! --dports 22,8000:8080 -j ACCEPT").unwrap().op
        else {
            panic!()
        };
        assert_eq!(r.extras[0], (0, Extra::Comment("web".into())));
        assert!(
            matches!(&r.extras[1], (0, Extra::Multiport(PortsDir::Dst, m)) if m.neg && m.v == [(22, 22), (8000, 8080)])
        );
        let pkt = |dport| Pkt {
            in_if: None,
            out_if: None,
            src: Ipv4Addr::new(10, 0, 0, 1).into(),
            dst: Ipv4Addr::new(10, 0, 0, 2).into(),
            proto: 6,
            sport: Some(40000),
            dport: Some(dport),
            icmp: None,
            state: ct::NEW,
            len: 60,
            now: sim_core::Instant::ZERO,
        };
        assert!(r.matches(&pkt(80)) && !r.matches(&pkt(22)) && !r.matches(&pkt(8080)));
        let e = p("-A INPUT -m multiport --dports 80 -j ACCEPT").unwrap_err();
        assert!(e.message.contains("multiport needs `-p tcp', `-p udp'"), "{}", e.message);
        let e =
            p("-A INPUT -p tcp -m multiport --dports 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16 -j ACCEPT").unwrap_err();
        assert!(e.message.contains("too many ports specified"), "{}", e.message);
        assert!(p("-A INPUT -p tcp -m multiport --dports 1:2,3:4,5:6,7:8,9:10,11:12,13:14,15 -j ACCEPT").is_ok());
        let long = format!("-A INPUT -m comment --comment {} -j ACCEPT", "x".repeat(300));
        let Op::Append(_, r) = p(&long).unwrap().op else { panic!() };
        assert_eq!(r.extras[0], (0, Extra::Comment("x".repeat(255))), "kept to 255 bytes, as iptables-nft does");
        let e = p("-D INPUT").unwrap_err();
        assert!(e.message.contains("-D requires a rule or a rule number"), "{}", e.message);
        let e = p("-A INPUT --comment x -j ACCEPT").unwrap_err();
        assert!(e.message.contains("unknown option \"--comment\""), "{}", e.message);
    }

    #[test]
    fn refuses_as_iptables_does() {
        let e = p("-A INPUT --dport 80 -j ACCEPT").unwrap_err();
        assert!(
            e.message.starts_with("iptables v1.8.9 (nf_tables): unknown option \"--dport\"\nTry `iptables -h'"),
            "{}",
            e.message
        );
        assert_eq!(e.status, 2);
        assert!(p("-A INPUT -s 300.1.1.1 -j DROP").unwrap_err().message.contains("host/network `300.1.1.1' not found"));
        assert!(p("-t mangle -L").unwrap_err().message.contains("not supported yet"));
        assert!(p("-t bogus -L").unwrap_err().message.contains("table 'bogus' does not exist"));
        assert!(p("-j ACCEPT").unwrap_err().message.contains("no command specified"));
        assert!(p("-t nat -A POSTROUTING -j SNAT").unwrap_err().message.contains("--to-source"));
    }
}
