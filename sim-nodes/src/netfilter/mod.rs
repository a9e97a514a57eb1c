//! Netfilter for one namespace: the `filter` and `nat` tables, connection tracking and NAT,
//! with Linux's semantics; the hooks that call them are in `netns::hooks`.
//!
//! | module | owns |
//! |---|---|
//! | [`rule`] | a rule's matches and target; what a packet looks like to them |
//! | [`cli`] | `iptables` and `conntrack` arguments, with the tools' own errors |
//! | [`table`] | chains, policies, counters; applying commands; walking a chain |
//! | [`show`] | `iptables -L` / `-S` output |
//! | [`save`] | `iptables-save` / `iptables-restore` |
//! | [`conntrack`] | tuples, entries, timeouts, events, `conntrack -L` / `-E` lines |
//! | [`nat`] | packets' tuples; rewriting for NAT; choosing source ports |
//! | [`tcp`] | TCP connection states, as `nf_conntrack_proto_tcp` tracks them |

pub mod cli;
pub mod conntrack;
pub mod nat;
pub mod rule;
pub mod save;
pub mod show;
pub mod table;
pub mod tcp;
#[cfg(test)]
mod tests6;

pub use cli::{CliError, Cmd, Op, TableId};
pub use conntrack::Conntrack;
pub use table::{Tables, Verdict};

/// Which family a table or command is for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub enum Family {
    /// IPv4: `iptables`.
    #[default]
    V4,
    /// IPv6: `ip6tables`.
    V6,
}

impl Family {
    /// The tool's name.
    pub fn tool(self) -> &'static str {
        match self {
            Family::V4 => "iptables",
            Family::V6 => "ip6tables",
        }
    }

    /// An address's family.
    pub fn of(a: std::net::IpAddr) -> Self {
        if a.is_ipv6() { Family::V6 } else { Family::V4 }
    }
}

/// A namespace's netfilter state.
#[derive(Clone, Debug)]
pub struct Netfilter {
    /// `iptables`' tables.
    pub tables: Tables,
    /// `ip6tables`' tables (the kernel's `ip6` family: rules of their own).
    pub tables6: Tables,
    /// Connection tracking.
    pub ct: Conntrack,
    /// Packets dropped because no source port was free for a NAT.
    pub nat_exhausted: u64,
    /// The timeouts as last read from the sysctls, with the sysctl generation read.
    pub timeouts: Option<(u64, conntrack::Timeouts)>,
    /// The deadline last armed in the namespace's timers for conntrack's expiry (a copy,
    /// so that the per-packet check need not look the timers up).
    pub ct_armed: Option<sim_core::Instant>,
}

impl Default for Netfilter {
    fn default() -> Self {
        Netfilter {
            tables: Tables::of(Family::V4),
            tables6: Tables::of(Family::V6),
            ct: Conntrack::default(),
            nat_exhausted: 0,
            timeouts: None,
            ct_armed: None,
        }
    }
}

impl Netfilter {
    /// The tables of `family`.
    pub fn tables(&self, family: Family) -> &Tables {
        match family {
            Family::V4 => &self.tables,
            Family::V6 => &self.tables6,
        }
    }

    /// The same, mutable.
    pub fn tables_mut(&mut self, family: Family) -> &mut Tables {
        match family {
            Family::V4 => &mut self.tables,
            Family::V6 => &mut self.tables6,
        }
    }

    /// True while conntrack has hooks in either family (one table holds both families'
    /// connections, as the kernel's does).
    pub fn tracking_any(&self) -> bool {
        self.tables.tracking() || self.tables6.tracking()
    }
}

/// A `conntrack` command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CtCmd {
    /// `conntrack -E [-f F] [-p P]`: follow events (of family F, protocol P).
    Events(Option<Family>, Option<u8>),
    /// `conntrack -L [FILTER]`: list.
    List(conntrack::CtFilter),
    /// `conntrack -D [FILTER]`: delete what the filter selects (everything without one).
    Delete(conntrack::CtFilter),
    /// `conntrack -F`: flush.
    Flush,
}

/// The line conntrack-tools prints after its results.
pub const CONNTRACK_VERSION: &str = "conntrack v1.4.7 (conntrack-tools)";

/// Parses the words after `conntrack`.
pub fn parse_conntrack<S: AsRef<str>>(args: &[S]) -> Result<CtCmd, CliError> {
    let args: Vec<&str> = args.iter().map(AsRef::as_ref).collect();
    let bad = |m: String, w: Option<&str>| CliError {
        message: format!("{CONNTRACK_VERSION}: {m}\nTry `conntrack -h' or 'conntrack --help' for more information."),
        status: 2,
        word: w.map(str::to_string),
    };
    let mut mode = None;
    let mut f = conntrack::CtFilter::default();
    let mut i = 0;
    while i < args.len() {
        let a = args[i];
        let command = match a {
            "-E" | "--event" => Some('E'),
            "-L" | "--dump" => Some('L'),
            "-D" | "--delete" => Some('D'),
            "-F" | "--flush" => Some('F'),
            _ => None,
        };
        if command.is_some() {
            if mode.is_some() {
                return Err(bad("Invalid commands combination".into(), Some(a)));
            }
            mode = command;
            i += 1;
            continue;
        }
        let mut value = || {
            i += 1;
            args.get(i).copied().ok_or_else(|| bad(format!("option `{a}' requires an argument"), Some(a)))
        };
        match a {
            "-p" | "--proto" => {
                let v = value()?;
                f.proto =
                    Some(cli::proto_number(v).ok_or_else(|| bad(format!("proto `{v}' is not supported"), Some(v)))?);
            }
            "-f" | "--family" => {
                let v = value()?;
                let fam = match v {
                    "ipv4" => Family::V4,
                    "ipv6" => Family::V6,
                    _ => return Err(bad(format!("`{v}' unsupported protocol"), Some(v))),
                };
                if f.family.is_some_and(|x| x != fam) {
                    return Err(bad("mismatched address family".into(), Some(v)));
                }
                f.family = Some(fam);
            }
            "-s" | "--src" | "--orig-src" | "-d" | "--dst" | "--orig-dst" => {
                let v = value()?;
                // An address as `inet_aton` or `inet_pton(AF_INET6)` reads it, with an
                // optional prefix length; an IPv6 one makes the family IPv6.
                let (host, len) = match v.split_once('/') {
                    Some((h, l)) => (h, Some(l)),
                    None => (v, None),
                };
                let ip = match host.parse::<std::net::Ipv6Addr>() {
                    Ok(a) => std::net::IpAddr::V6(a),
                    Err(_) => std::net::IpAddr::V4(
                        crate::proc::arping::inet_aton(host)
                            .ok_or_else(|| bad(format!("Invalid IP address `{v}'"), Some(v)))?,
                    ),
                };
                let max = if ip.is_ipv6() { 128 } else { 32 };
                let len = match len {
                    None => max,
                    Some(l) => l
                        .parse::<u8>()
                        .ok()
                        .filter(|l| *l <= max)
                        .ok_or_else(|| bad("Invalid netmask".into(), Some(v)))?,
                };
                if f.family.is_some_and(|x| x != Family::of(ip)) {
                    return Err(bad("mismatched address family".into(), Some(v)));
                }
                f.family = Some(Family::of(ip));
                let addr = Some((ip, len));
                match a {
                    "-s" | "--src" | "--orig-src" => f.src = addr,
                    _ => f.dst = addr,
                }
            }
            // The ports are options of `-p tcp|udp`'s extension: unknown before it.
            "--sport" | "--orig-port-src" | "--dport" | "--orig-port-dst" if matches!(f.proto, Some(6 | 17)) => {
                let v = value()?;
                // `htons(atoi(v))`: leading blanks, a sign, the digits after it (0 without
                // any), kept to 16 bits (`-1` is 65535).
                let t = v.trim_start();
                let (neg, t) = match t.as_bytes().first() {
                    Some(b'-') => (true, &t[1..]),
                    Some(b'+') => (false, &t[1..]),
                    _ => (false, t),
                };
                let n = t
                    .bytes()
                    .take_while(u8::is_ascii_digit)
                    .fold(0i64, |n, d| (n * 10 + i64::from(d - b'0')).min(i64::from(u32::MAX)));
                let port = Some((if neg { -n } else { n }) as u16);
                match a {
                    "--sport" | "--orig-port-src" => f.sport = port,
                    _ => f.dport = port,
                }
            }
            // An optional address: the next word, unless it is an option.
            "-n" | "--src-nat" | "-g" | "--dst-nat" | "-j" | "--any-nat" => {
                let ip = match args.get(i + 1).filter(|v| !v.starts_with('-')) {
                    Some(v) => {
                        i += 1;
                        let ip = crate::proc::arping::inet_aton(v)
                            .ok_or_else(|| bad(format!("Invalid IP address `{v}'"), Some(v)))?;
                        Some(std::net::IpAddr::V4(ip))
                    }
                    None => None,
                };
                match a {
                    "-n" | "--src-nat" => f.nat.src = Some(ip),
                    "-g" | "--dst-nat" => f.nat.dst = Some(ip),
                    _ => f.nat.any = Some(ip),
                }
            }
            "-e" | "-o" | "--output" | "-r" | "-q" | "--reply-src" | "--reply-dst" | "-m" | "--mark" | "-u"
            | "--status" | "-z" | "--zero" | "-w" | "--zone" | "--reply-port-src" | "--reply-port-dst"
            | "--mask-src" | "--mask-dst" | "-c" | "--label" => {
                return Err(bad(format!("not supported yet: conntrack {a}"), Some(a)));
            }
            o => return Err(bad(format!("unknown option `{o}'"), Some(o))),
        }
        i += 1;
    }
    match mode {
        Some('E')
            if f.src.is_some()
                || f.dst.is_some()
                || f.sport.is_some()
                || f.dport.is_some()
                || f.nat != Default::default() =>
        {
            Err(bad("not supported yet: conntrack -E with an address, port or NAT filter".into(), None))
        }
        Some('F') => {
            // Flushing takes no filter: conntrack names the first option it refuses, in the
            // order of its option bits.
            let illegal = [
                (f.src.is_some(), "src"),
                (f.dst.is_some(), "dst"),
                (f.proto.is_some(), "protonum"),
                (f.nat.src.is_some(), "src-nat"),
                (f.nat.dst.is_some(), "dst-nat"),
                (f.nat.any.is_some(), "any-nat"),
            ];
            match illegal.iter().find(|(given, _)| *given) {
                Some((_, name)) => Err(bad(format!("Illegal option `--{name}' with this command"), None)),
                None => Ok(CtCmd::Flush),
            }
        }
        Some('E') => Ok(CtCmd::Events(f.family, f.proto)),
        Some('L') => Ok(CtCmd::List(f)),
        Some('D') => Ok(CtCmd::Delete(f)),
        _ => Err(bad("no command specified".into(), None)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// conntrack-tools 1.4.7's words, measured: ports are options of `-p tcp|udp`'s
    /// extension (unknown before it), a port is read with `atoi`, an address must be one.
    #[test]
    fn conntrack_reads_its_filters_as_conntrack_tools_does() {
        let p = |s: &str| parse_conntrack(&s.split_whitespace().collect::<Vec<_>>());
        let f = |proto, src: Option<&str>, dst: Option<&str>, sport, dport| conntrack::CtFilter {
            family: (src.is_some() || dst.is_some()).then_some(Family::V4),
            proto,
            src: src.map(|a| (a.parse().unwrap(), 32)),
            dst: dst.map(|a| (a.parse().unwrap(), 32)),
            sport,
            dport,
            nat: Default::default(),
        };
        assert_eq!(p("-D -p udp --dport 53"), Ok(CtCmd::Delete(f(Some(17), None, None, None, Some(53)))));
        assert_eq!(
            p("-L -s 10.0.0.1 --orig-dst 10.0.0.2"),
            Ok(CtCmd::List(f(None, Some("10.0.0.1"), Some("10.0.0.2"), None, None)))
        );
        assert_eq!(p("-L -p tcp --sport 8x"), Ok(CtCmd::List(f(Some(6), None, None, Some(8), None))));
        assert_eq!(p("-L -p udp --dport x"), Ok(CtCmd::List(f(Some(17), None, None, None, Some(0)))));
        assert_eq!(p("-L -p udp --dport -1"), Ok(CtCmd::List(f(Some(17), None, None, None, Some(65535)))));
        assert_eq!(p("-L -p udp --dport +53"), Ok(CtCmd::List(f(Some(17), None, None, None, Some(53)))));
        let e = |s: &str| p(s).unwrap_err();
        assert!(e("-L --dport 53").message.starts_with("conntrack v1.4.7 (conntrack-tools): unknown option `--dport'"));
        assert!(e("-L -p icmp --dport 53").message.contains("unknown option `--dport'"));
        assert!(e("-L -s bogus").message.contains("Invalid IP address `bogus'"));
        assert!(e("-L -s").message.contains("option `-s' requires an argument"));
        assert_eq!(e("-L -s bogus").status, 2);
        assert!(e("-E -s 10.0.0.1").message.contains("not supported yet"));
        // The NAT filters take an optional address: the next word unless it is an option.
        let nat = |s: &str| match p(s).unwrap() {
            CtCmd::List(f) | CtCmd::Delete(f) => f.nat,
            c => panic!("{c:?}"),
        };
        let ip = |s: &str| Some(Some(s.parse::<std::net::IpAddr>().unwrap()));
        assert_eq!(nat("-L -n").src, Some(None));
        assert_eq!(nat("-L -n -p udp").src, Some(None));
        assert_eq!(nat("-D --dst-nat 10.0.1.1").dst, ip("10.0.1.1"));
        assert_eq!(nat("-L -j 10.1").any, ip("10.0.0.1"));
        assert!(e("-L -g x.y").message.contains("Invalid IP address `x.y'"));
        // Measured: flushing refuses a filter, naming the first option by its bit order.
        assert!(e("-F -p udp").message.contains("Illegal option `--protonum' with this command"));
        assert!(e("-F -s 10.0.0.1 -n").message.contains("Illegal option `--src' with this command"));
        assert!(e("-n -F").message.contains("Illegal option `--src-nat' with this command"));
        assert_eq!(p("-F -f ipv4"), Ok(CtCmd::Flush));
        // An address as inet_aton reads it, a network with its prefix.
        let CtCmd::List(n) = p("-L -s 10.1 -d 10.0.0.0/8").unwrap() else { panic!() };
        assert_eq!((n.src, n.dst), (Some(("10.0.0.1".parse().unwrap(), 32)), Some(("10.0.0.0".parse().unwrap(), 8))));
        assert!(e("-L -s 10.0.0.0/33").message.contains("Invalid netmask"));
        // One command per call, as `add_command` allows.
        assert!(e("-L -D").message.contains("Invalid commands combination"));
        assert_eq!(e("-E -D").status, 2);
    }
}
