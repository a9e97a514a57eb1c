//! The one vocabulary: [`Command`], mirroring the tools people type, and [`Scenario`], a
//! list of [`Step`]s with their expectations.
//!
//! Both front ends (RON, shell script) produce these; both back ends run them. Every
//! command renders back to the shell line that means it (`Display`), which is how
//! `nslab convert` writes a script and how a RON step is shown in a transcript.

use crate::error::Span;
use serde::{Deserialize, Serialize};
pub use sim_nodes::show::Format;
use std::fmt;
use std::net::Ipv4Addr;

pub use sim_nodes::netfilter::Family;

mod config;
mod ip6;
mod procs;
pub mod programs;
mod secs;
pub mod validate;
pub use config::{
    Brctl, BridgePortOpts, Cidr, CidrError, LinkKind, LinkSet, NeighNud, NeighOp, NeighSetCmd, RouteArgs, SysctlOut,
};
pub use ip6::{Cidr6, Ip6Command, Route6Args};
pub use procs::{
    CurlCmd, DhclientCmd, DnsmasqCmd, HttpServerCmd, NcCmd, PingCmd, PmtuDisc, Target, TcpdumpCmd, TracerouteCmd,
    WRITE_OUT_VARS, write_out_unknown,
};
pub use secs::Secs;

fn yes() -> bool {
    true
}

fn is_v4(f: &Family) -> bool {
    *f == Family::V4
}

/// One command, as typed at a shell.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum Command {
    /// A program of the table run by its words (`arping -c 3 -I eth0 10.0.0.2`, `ss -tln`):
    /// the program's name, then its arguments.
    Exec {
        /// The words, the program's name first.
        argv: Vec<String>,
        /// The lines of its stdin, a here-document (radvd's config on `-C /dev/stdin`).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        input: Vec<String>,
    },
    /// `ip netns add NAME`.
    NetnsAdd {
        /// Name.
        name: String,
    },
    /// `ip netns del NAME`.
    NetnsDel {
        /// Name.
        name: String,
    },
    /// `ip netns list`.
    NetnsList,
    /// `ip link add NAME [netns NS] type …`.
    LinkAdd {
        /// Name.
        name: String,
        /// `netns NS`: the namespace the device is made in (else the caller's). A veth's
        /// peer is made in the caller's namespace unless its own `netns` says otherwise.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        netns: Option<String>,
        /// Kind.
        kind: LinkKind,
    },
    /// `ip link del DEV`.
    LinkDel {
        /// Device.
        dev: String,
    },
    /// `ip link set DEV …`.
    LinkSet(LinkSet),
    /// `ip [-s] link show [DEV]`.
    LinkShow {
        /// Device.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        dev: Option<String>,
        /// `-s`: the counters too.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        stats: bool,
        /// `-s -s`: the error counters and carrier changes too.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        errors: bool,
        /// `-d`: the details (kind, bridge options, queues).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        details: bool,
        /// `-o`, `-j`, `-j -p`: how it prints.
        #[serde(default, skip_serializing_if = "Format::is_text")]
        fmt: Format,
        /// `-c`: in iproute2's colours.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        color: bool,
    },
    /// `ip -br link show [DEV]` and `ip -br addr show [DEV]`: one line per interface.
    Brief {
        /// `addr` (else `link`).
        addr: bool,
        /// `-4` (with `addr`): only interfaces with an IPv4 address.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        inet: bool,
        /// Device.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        dev: Option<String>,
        /// `-o`, `-j`, `-j -p`: how it prints.
        #[serde(default, skip_serializing_if = "Format::is_text")]
        fmt: Format,
        /// `-c`: in iproute2's colours.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        color: bool,
    },
    /// `ip addr add A/P [brd B] dev DEV`.
    AddrAdd {
        /// Address and prefix.
        addr: Cidr,
        /// Device.
        dev: String,
        /// Broadcast.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        brd: Option<Ipv4Addr>,
    },
    /// `ip addr del A/P dev DEV`.
    AddrDel {
        /// Address and prefix.
        addr: Cidr,
        /// Device.
        dev: String,
    },
    /// `ip -6 …`: an IPv6 command (a scenario with one runs with IPv6 on).
    Ip6(Ip6Command),
    /// `ip addr flush dev DEV`.
    AddrFlush {
        /// Device.
        dev: String,
    },
    /// `ip [-s] [-4] addr show [DEV]`.
    AddrShow {
        /// Device.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        dev: Option<String>,
        /// `-4`: only interfaces with an IPv4 address, only their `inet` lines.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        inet: bool,
        /// `-s`: the counters too.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        stats: bool,
        /// `-s -s`: the error counters and carrier changes too.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        errors: bool,
        /// `-d`: the details (kind, bridge options, queues).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        details: bool,
        /// `-o`, `-j`, `-j -p`: how it prints.
        #[serde(default, skip_serializing_if = "Format::is_text")]
        fmt: Format,
        /// `-c`: in iproute2's colours.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        color: bool,
    },
    /// `ip route add …`.
    RouteAdd(RouteArgs),
    /// `ip route del …`.
    RouteDel(RouteArgs),
    /// `ip route replace …`: the route with this destination and metric replaced, or added.
    RouteReplace(RouteArgs),
    /// `ip route show [dev DEV]`.
    RouteShow {
        /// Device.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        dev: Option<String>,
        /// `-o`, `-j`, `-j -p`: how it prints.
        #[serde(default, skip_serializing_if = "Format::is_text")]
        fmt: Format,
        /// `-c`: in iproute2's colours.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        color: bool,
    },
    /// `ip [-6] route get ADDR [from ADDR]` (the two of one family).
    RouteGet {
        /// Where to.
        dst: std::net::IpAddr,
        /// From this address.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        from: Option<std::net::IpAddr>,
    },
    /// `ip neigh show [dev DEV]`.
    NeighShow {
        /// Device.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        dev: Option<String>,
        /// `-o`, `-j`, `-j -p`: how it prints.
        #[serde(default, skip_serializing_if = "Format::is_text")]
        fmt: Format,
        /// `-c`: in iproute2's colours.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        color: bool,
    },
    /// `ip neigh flush all | dev DEV`.
    NeighFlush {
        /// Device (`None`: all).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        dev: Option<String>,
    },
    /// `ip neigh add|replace|change|del ADDR [lladdr MAC] dev DEV [nud STATE]`.
    NeighSet(NeighSetCmd),
    /// `bridge fdb show [br BR]`.
    BridgeFdbShow {
        /// Only this bridge.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        br: Option<String>,
    },
    /// `bridge link [show] [dev DEV]` (other words are skipped, as iproute2 skips them).
    BridgeLinkShow {
        /// Only this port.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        dev: Option<String>,
        /// `bridge -d`: each port's flags on a second line.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        details: bool,
    },
    /// `bridge link set dev PORT [cost N] [priority N] [hairpin|learning|flood|mcast_flood|bcast_flood|isolated on|off]…`.
    BridgeLinkSet {
        /// The port.
        dev: String,
        /// What to set.
        opts: BridgePortOpts,
    },
    /// `brctl …`.
    Brctl(Brctl),
    /// `traceroute …`.
    Traceroute(TracerouteCmd),
    /// `dnsmasq …` (its DHCP server).
    Dnsmasq(DnsmasqCmd),
    /// `dhclient …`.
    Dhclient(DhclientCmd),
    /// `iptables ARGS`, or `ip6tables ARGS` with `family: V6` (the arguments as typed;
    /// both back ends read them as the tool does).
    Iptables {
        /// Which tool: `V4` (left out of a scenario file) is `iptables`, `V6` `ip6tables`.
        #[serde(default, skip_serializing_if = "is_v4")]
        family: Family,
        /// The words after `iptables`.
        args: Vec<String>,
    },
    /// `iptables-save ARGS` (`ip6tables-save` with `family: V6`).
    IptablesSave {
        /// Which tool.
        #[serde(default, skip_serializing_if = "is_v4")]
        family: Family,
        /// The words after `iptables-save`.
        args: Vec<String>,
    },
    /// `iptables-restore ARGS <<EOF … EOF` (`ip6tables-restore` with `family: V6`): the
    /// rules come as a here-document.
    IptablesRestore {
        /// Which tool.
        #[serde(default, skip_serializing_if = "is_v4")]
        family: Family,
        /// The words after `iptables-restore`.
        args: Vec<String>,
        /// The lines on its stdin.
        input: Vec<String>,
    },
    /// `tc ARGS`: qdiscs, classes and filters (the arguments as typed, `-n NS` taken out;
    /// both back ends read them as iproute2's `tc` does).
    Tc {
        /// The words after `tc`.
        args: Vec<String>,
    },
    /// `nc` / `ncat`.
    Nc(NcCmd),
    /// `curl …` (HTTP only).
    Curl(CurlCmd),
    /// `python3 -m http.server …`.
    HttpServer(HttpServerCmd),
    /// `conntrack -L|-F|-E [-p P]`.
    Conntrack {
        /// The words after `conntrack`.
        args: Vec<String>,
    },
    /// `sysctl [-w] [-q|-n] KEY[=VALUE]`; also what `cat /proc/sys/…` (`-n`) and
    /// `echo V > /proc/sys/…` (`-q -w`) do.
    Sysctl {
        /// Key.
        key: String,
        /// Value to write.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        value: Option<String>,
        /// What it prints.
        #[serde(default, skip_serializing_if = "SysctlOut::is_lines")]
        out: SysctlOut,
    },
    /// `sysctl [-q] -p - <<EOF … EOF` (or `-p /dev/stdin`, `--load=-`): the settings of a
    /// sysctl.conf, given as a here-document, each written and printed as `-w` does.
    SysctlLoad {
        /// `-q`: print nothing.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        quiet: bool,
        /// The lines on its stdin, as typed (comments and blank lines included).
        input: Vec<String>,
    },
    /// `ping …`.
    Ping(PingCmd),
    /// `tcpdump …`.
    Tcpdump(TcpdumpCmd),
    /// `truncate -s SIZE FILE`: a file of SIZE zero bytes in the lab's directory, the one
    /// `python3 -m http.server` serves.
    Truncate {
        /// The size as typed (`200K`, `1M`, `4096`).
        size: String,
        /// The file's name.
        file: String,
    },
    /// `sleep S`.
    Sleep {
        /// Seconds.
        secs: Secs,
    },
    /// `kill %N` (SIGINT, as Ctrl-C in that terminal). `%0` with [`Step::of_step`]: a
    /// transcript's `^C`, aimed at the program that step started.
    Kill {
        /// Job number.
        job: u32,
    },
    /// `wait`: until every background job has ended.
    Wait,
    /// `echo WORD…`: bash's builtin prints its words (a script's `echo "set X to Y"`).
    Echo {
        /// The words, joined by one space.
        args: Vec<String>,
    },
    /// `input %N LINE`: a line typed into job N's terminal (nslab's way to say what a
    /// tutorial types into a program running in another terminal; `%0` with
    /// [`Step::of_step`]: a line a transcript shows typed into the program of that step).
    Input {
        /// Job number.
        job: u32,
        /// The line (a newline follows).
        line: String,
    },
}

impl Command {
    /// True for commands that run for a while as a process ([`programs::Kind::Process`],
    /// and `conntrack -E`).
    pub fn is_process(&self) -> bool {
        self.info().kind == programs::Kind::Process || self.is_conntrack_events()
    }

    /// `conntrack -E`: follows events until stopped.
    pub fn is_conntrack_events(&self) -> bool {
        matches!(self, Command::Conntrack { args } if args.iter().any(|a| a == "-E" || a == "--event"))
    }
    /// The argument vector a real tool is given for this command: the words of its shell
    /// line (`Display`, where every word that needs it is quoted), each one element, never
    /// split again by a shell. (`nc` with piped input and `iptables-restore` with its
    /// here-document are lines a shell would run, not one tool's argv: their kernel-mode
    /// runners build those themselves.)
    pub fn argv(&self) -> Vec<String> {
        use crate::front::script::lexer::{Tok, lex};
        if let Command::Exec { argv, .. } = self {
            // The table's binary for the program (its own name, as a rule).
            let mut v = argv.clone();
            if let (Some(first), Some((bin, _))) = (v.first_mut(), self.info().kernel_tool) {
                *first = bin.to_string();
            }
            return v;
        }
        let line = self.to_string();
        let first = line.lines().next().unwrap_or_default();
        lex(first, &[])
            .map(|toks| {
                toks.into_iter()
                    .map(|t| match t {
                        Tok::Word(w, _) | Tok::Op(w, _) => w,
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The program a user would see in `jobs`.
    pub fn program(&self) -> &'static str {
        self.info().name
    }

    /// This command's row in the table of programs.
    pub fn info(&self) -> &'static programs::Program {
        use programs as p;
        match self {
            Command::Ping(_) => &p::PING,
            Command::Tcpdump(_) => &p::TCPDUMP,
            Command::Traceroute(_) => &p::TRACEROUTE,
            Command::Dnsmasq(_) => &p::DNSMASQ,
            Command::Dhclient(_) => &p::DHCLIENT,
            Command::Iptables { family: Family::V4, .. } => &p::IPTABLES,
            Command::IptablesSave { family: Family::V4, .. } => &p::IPTABLES_SAVE,
            Command::IptablesRestore { family: Family::V4, .. } => &p::IPTABLES_RESTORE,
            Command::Iptables { family: Family::V6, .. } => &p::IP6TABLES,
            Command::IptablesSave { family: Family::V6, .. } => &p::IP6TABLES_SAVE,
            Command::IptablesRestore { family: Family::V6, .. } => &p::IP6TABLES_RESTORE,
            Command::Nc(_) => &p::NC,
            Command::Curl(_) => &p::CURL,
            Command::HttpServer(_) => &p::PYTHON3,
            Command::Conntrack { .. } => &p::CONNTRACK,
            Command::Tc { .. } => &p::TC,
            Command::Brctl(_) => &p::BRCTL,
            Command::BridgeFdbShow { .. } | Command::BridgeLinkShow { .. } | Command::BridgeLinkSet { .. } => {
                &p::BRIDGE
            }
            Command::Sysctl { .. } | Command::SysctlLoad { .. } => &p::SYSCTL,
            Command::Sleep { .. } => &p::SLEEP,
            Command::Truncate { .. } => &p::TRUNCATE,
            Command::Kill { .. } => &p::KILL,
            Command::Input { .. } => &p::INPUT,
            Command::Wait => &p::WAIT,
            Command::Echo { .. } => &p::ECHO,
            Command::Exec { argv, .. } => argv.first().and_then(|n| p::program(n)).unwrap_or(&p::IP),
            _ => &p::IP,
        }
    }
}

/// `ip`'s `-c `, when colours are asked for.
fn c(color: bool) -> &'static str {
    if color { "-c " } else { "" }
}

fn opt<T: fmt::Display>(f: &mut fmt::Formatter<'_>, flag: &str, v: &Option<T>) -> fmt::Result {
    match v {
        Some(v) => write!(f, " {flag} {}", q(&v.to_string())),
        None => Ok(()),
    }
}

fn q(w: &str) -> String {
    shell_quote(w)
}

/// GNU `truncate -s`'s SIZE in bytes (`xstrtoimax` with the suffixes `EgGkKmMPtT`): digits,
/// then a power letter — `k`/`K`, `m`/`M`, `g`/`G`, `t`/`T`, `P`, `E` — alone or with `iB`
/// (powers of 1024) or with `B` (powers of 1000: `1kB` is 1000). `None`: not such a size
/// (the `+`, `-`, `<`, `>`, `/`, `%` forms relative to a file's size, `Z`, `Y`, `R`, `Q`,
/// the obsolete `D`, and sizes past `OFF_T_MAX`, 2^63 − 1, included).
pub fn truncate_size(s: &str) -> Option<u64> {
    let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let n: u64 = s[..end].parse().ok()?;
    let mut unit = s[end..].chars();
    let Some(letter) = unit.next() else { return Some(n) };
    let power = match letter {
        'k' | 'K' => 1,
        'm' | 'M' => 2,
        'g' | 'G' => 3,
        't' | 'T' => 4,
        'P' => 5,
        'E' => 6,
        _ => return None,
    };
    let base: u64 = match unit.as_str() {
        "" | "iB" => 1024,
        "B" => 1000,
        _ => return None,
    };
    n.checked_mul(base.checked_pow(power)?).filter(|b| *b <= i64::MAX as u64)
}

/// Quotes a word for a POSIX shell when it needs it.
pub fn shell_quote(w: &str) -> String {
    if !w.is_empty() && w.chars().all(|c| c.is_ascii_alphanumeric() || "-_./:=%@+,".contains(c)) {
        w.to_string()
    } else {
        format!("'{}'", w.replace('\'', r"'\''"))
    }
}

impl fmt::Display for Command {
    /// The shell line this command stands for.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Command::Exec { argv, input } => {
                write!(f, "{}", argv.iter().map(|w| q(w)).collect::<Vec<_>>().join(" "))?;
                if !input.is_empty() {
                    write!(f, " <<EOF")?;
                    input.iter().try_for_each(|l| write!(f, "\n{l}"))?;
                    write!(f, "\nEOF")?;
                }
                Ok(())
            }
            Command::NetnsAdd { name } => write!(f, "ip netns add {}", q(name)),
            Command::NetnsDel { name } => write!(f, "ip netns delete {}", q(name)),
            Command::NetnsList => write!(f, "ip netns list"),
            Command::LinkAdd { name, netns, kind: LinkKind::Veth { peer, peer_netns } } => {
                write!(f, "ip link add {}", q(name))?;
                opt(f, "netns", netns)?;
                write!(f, " type veth peer name {}", q(peer))?;
                opt(f, "netns", peer_netns)
            }
            Command::LinkAdd { name, netns, kind: LinkKind::Bridge } => {
                write!(f, "ip link add {}", q(name))?;
                opt(f, "netns", netns)?;
                write!(f, " type bridge")
            }
            Command::LinkDel { dev } => write!(f, "ip link del {}", q(dev)),
            Command::LinkSet(s) => {
                write!(f, "ip link set {}", q(&s.dev))?;
                opt(f, "netns", &s.netns)?;
                opt(f, "address", &s.address)?;
                opt(f, "mtu", &s.mtu)?;
                opt(f, "name", &s.name)?;
                opt(f, "master", &s.master)?;
                if s.nomaster {
                    write!(f, " nomaster")?;
                }
                if s.ageing_time.is_some() || s.no_mcast_snooping {
                    write!(f, " type bridge")?;
                }
                if let Some(a) = s.ageing_time {
                    write!(f, " ageing_time {a}")?;
                }
                if s.no_mcast_snooping {
                    write!(f, " mcast_snooping 0")?;
                }
                match s.up {
                    Some(true) => write!(f, " up"),
                    Some(false) => write!(f, " down"),
                    None => Ok(()),
                }
            }
            Command::LinkShow { dev, stats, errors, details, fmt, color } => {
                let d = if *details { "-d " } else { "" };
                write!(f, "ip {}{}{}{d}link show", fmt.flags(), c(*color), s_flags(*stats, *errors))?;
                opt(f, "dev", dev)
            }
            Command::Brief { addr, inet, dev, fmt, color } => {
                let obj = if *addr { "addr" } else { "link" };
                write!(f, "ip {}{}{}-br {obj} show", fmt.flags(), c(*color), if *inet { "-4 " } else { "" })?;
                opt(f, "dev", dev)
            }
            Command::AddrAdd { addr, dev, brd } => {
                write!(f, "ip addr add {addr}")?;
                opt(f, "brd", brd)?;
                write!(f, " dev {}", q(dev))
            }
            Command::AddrDel { addr, dev } => write!(f, "ip addr del {addr} dev {}", q(dev)),
            Command::AddrFlush { dev } => write!(f, "ip addr flush dev {}", q(dev)),
            Command::Ip6(c) => c.fmt(f),
            Command::AddrShow { dev, inet, stats, errors, details, fmt, color } => {
                let (s, four) = (s_flags(*stats, *errors), if *inet { "-4 " } else { "" });
                let d = if *details { "-d " } else { "" };
                write!(f, "ip {}{}{s}{d}{four}addr show", fmt.flags(), c(*color))?;
                opt(f, "dev", dev)
            }
            Command::RouteAdd(r) | Command::RouteDel(r) | Command::RouteReplace(r) => {
                let verb = match self {
                    Command::RouteAdd(_) => "add",
                    Command::RouteDel(_) => "del",
                    _ => "replace",
                };
                if r.to.prefix == 0 && r.to.addr.is_unspecified() {
                    write!(f, "ip route {verb} default")?;
                } else {
                    write!(f, "ip route {verb} {}", r.to)?;
                }
                opt(f, "via", &r.via)?;
                opt(f, "dev", &r.dev)?;
                opt(f, "proto", &r.proto)?;
                opt(f, "src", &r.src)?;
                opt(f, "metric", &r.metric)?;
                if r.onlink {
                    write!(f, " onlink")?;
                }
                Ok(())
            }
            Command::RouteShow { dev, fmt, color } => {
                write!(f, "ip {}{}route show", fmt.flags(), c(*color))?;
                opt(f, "dev", dev)
            }
            Command::NeighShow { dev, fmt, color } => {
                write!(f, "ip {}{}neigh show", fmt.flags(), c(*color))?;
                opt(f, "dev", dev)
            }
            Command::RouteGet { dst, from } => {
                write!(f, "ip route get {dst}")?;
                opt(f, "from", from)
            }
            Command::NeighSet(n) => {
                write!(f, "ip neigh {} {}", n.op.word(), n.addr)?;
                if let Some(m) = n.lladdr {
                    write!(f, " lladdr {m}")?;
                }
                write!(f, " dev {}", q(&n.dev))?;
                if let Some(s) = n.nud {
                    write!(f, " nud {}", s.word())?;
                }
                Ok(())
            }
            Command::NeighFlush { dev: None } => write!(f, "ip neigh flush all"),
            Command::NeighFlush { dev: Some(d) } => write!(f, "ip neigh flush dev {}", q(d)),
            Command::BridgeFdbShow { br } => {
                write!(f, "bridge fdb show")?;
                opt(f, "br", br)
            }
            Command::BridgeLinkShow { dev, details } => {
                write!(f, "bridge {}link show", if *details { "-d " } else { "" })?;
                opt(f, "dev", dev)
            }
            Command::BridgeLinkSet { dev, opts } => {
                write!(f, "bridge link set dev {}", q(dev))?;
                for w in opts.words() {
                    write!(f, " {w}")?;
                }
                Ok(())
            }
            Command::Brctl(b) => match b {
                Brctl::Addbr(x) => write!(f, "brctl addbr {}", q(x)),
                Brctl::Delbr(x) => write!(f, "brctl delbr {}", q(x)),
                Brctl::Addif(x, d) => write!(f, "brctl addif {} {}", q(x), q(d)),
                Brctl::Delif(x, d) => write!(f, "brctl delif {} {}", q(x), q(d)),
                Brctl::Show(None) => write!(f, "brctl show"),
                Brctl::Show(Some(x)) => write!(f, "brctl show {}", q(x)),
                Brctl::Showmacs(x) => write!(f, "brctl showmacs {}", q(x)),
                Brctl::Setageing(x, t) => write!(f, "brctl setageing {} {t}", q(x)),
            },
            Command::Traceroute(t) => {
                write!(f, "traceroute")?;
                if t.icmp {
                    write!(f, " -I")?;
                }
                if t.tcp {
                    write!(f, " -T")?;
                }
                if t.udp {
                    write!(f, " -U")?;
                }
                if t.numeric {
                    write!(f, " -n")?;
                }
                opt(f, "-f", &t.first_hop)?;
                opt(f, "-m", &t.max_hops)?;
                opt(f, "-q", &t.queries)?;
                match (&t.wait, &t.factors) {
                    (w, Some((here, near))) => {
                        let w = w.map_or("5".to_string(), |w| w.to_string());
                        write!(f, " -w {w},{here},{near}")?;
                    }
                    (w, None) => opt(f, "-w", w)?,
                }
                opt(f, "-p", &t.port)?;
                opt(f, "-N", &t.sim_queries)?;
                write!(f, " {}", t.dest)
            }
            Command::Dnsmasq(d) => {
                write!(f, "dnsmasq {}", q(&format!("--dhcp-range={}", d.dhcp_range)))?;
                if let Some(i) = &d.interface {
                    write!(f, " {}", q(&format!("--interface={i}")))?;
                }
                for h in &d.dhcp_host {
                    write!(f, " {}", q(&format!("--dhcp-host={h}")))?;
                }
                for o in &d.dhcp_option {
                    write!(f, " {}", q(&format!("--dhcp-option={o}")))?;
                }
                if let Some(p) = d.port {
                    write!(f, " --port={p}")?;
                }
                for (on, flag) in [
                    (d.no_ping, "--no-ping"),
                    (d.no_resolv, "--no-resolv"),
                    (d.no_hosts, "--no-hosts"),
                    (d.no_daemon, "--no-daemon"),
                ] {
                    if on {
                        write!(f, " {flag}")?;
                    }
                }
                Ok(())
            }
            Command::Dhclient(d) => {
                write!(f, "dhclient")?;
                for (on, flag) in [(d.release, "-r"), (d.foreground, "-d"), (d.verbose, "-v")] {
                    if on {
                        write!(f, " {flag}")?;
                    }
                }
                write!(f, " {}", q(&d.iface))
            }
            Command::Nc(n) => {
                if let Some(i) = &n.input {
                    write!(f, "echo {} | ", shell_quote(i))?;
                }
                write!(f, "nc")?;
                n.args().iter().try_for_each(|a| write!(f, " {a}"))
            }
            Command::Curl(c) => {
                write!(f, "curl")?;
                for (on, flag) in [(c.head, "-I"), (c.silent, "-s"), (c.show_error, "-S")] {
                    if on {
                        write!(f, " {flag}")?;
                    }
                }
                opt(f, "-m", &c.max_time)?;
                opt(f, "--connect-timeout", &c.connect_timeout)?;
                if c.discard {
                    write!(f, " -o /dev/null")?;
                }
                if let Some(fmt) = &c.write_out {
                    write!(f, " -w {}", shell_quote(fmt))?;
                }
                write!(f, " {}", shell_quote(&c.url))
            }
            Command::HttpServer(h) => {
                write!(f, "python3 -m http.server")?;
                if let Some(p) = h.port {
                    write!(f, " {p}")?;
                }
                opt(f, "--bind", &h.bind)
            }
            Command::Iptables { family, args } => {
                write!(f, "{}", family.tool())?;
                args.iter().try_for_each(|a| write!(f, " {}", shell_quote(a)))
            }
            Command::IptablesSave { family, args } => {
                write!(f, "{}-save", family.tool())?;
                args.iter().try_for_each(|a| write!(f, " {}", shell_quote(a)))
            }
            Command::IptablesRestore { family, args, input } => {
                write!(f, "{}-restore", family.tool())?;
                args.iter().try_for_each(|a| write!(f, " {}", shell_quote(a)))?;
                write!(f, " <<EOF")?;
                input.iter().try_for_each(|l| write!(f, "\n{l}"))?;
                write!(f, "\nEOF")
            }
            Command::Conntrack { args } => {
                write!(f, "conntrack")?;
                args.iter().try_for_each(|a| write!(f, " {}", shell_quote(a)))
            }
            Command::Tc { args } => {
                write!(f, "tc")?;
                args.iter().try_for_each(|a| write!(f, " {}", shell_quote(a)))
            }
            Command::Sysctl { key, value, out } => {
                f.write_str(match out {
                    SysctlOut::Lines => "sysctl ",
                    SysctlOut::Quiet => "sysctl -q ",
                    SysctlOut::Values => "sysctl -n ",
                })?;
                match value {
                    Some(v) => write!(f, "-w {}", shell_quote(&format!("{key}={v}"))),
                    None => f.write_str(&q(key)),
                }
            }
            Command::SysctlLoad { quiet, input } => {
                f.write_str(if *quiet { "sysctl -q -p - <<EOF" } else { "sysctl -p - <<EOF" })?;
                input.iter().try_for_each(|l| write!(f, "\n{l}"))?;
                write!(f, "\nEOF")
            }
            Command::Ping(p) => {
                write!(f, "ping")?;
                opt(f, "-c", &p.count)?;
                opt(f, "-i", &p.interval)?;
                opt(f, "-W", &p.wait)?;
                opt(f, "-t", &p.ttl)?;
                opt(f, "-s", &p.size)?;
                if let Some(m) = p.pmtudisc {
                    write!(f, " -M {}", m.as_str())?;
                }
                if p.quiet {
                    write!(f, " -q")?;
                }
                if p.broadcast {
                    write!(f, " -b")?;
                }
                if p.flood {
                    write!(f, " -f")?;
                }
                if let Some(fam) = p.family {
                    write!(f, " -{fam}")?;
                }
                write!(f, " {}", p.dest)?;
                if let Some(s) = &p.scope {
                    write!(f, "%{s}")?;
                }
                opt(f, "-I", &p.bind)
            }
            Command::Tcpdump(t) => {
                let mut flags = String::from("-");
                if t.no_timestamp {
                    flags.push('t');
                }
                flags.push('n');
                if t.link_header {
                    flags.push('e');
                }
                flags.push('l');
                for _ in 0..t.verbose {
                    flags.push('v');
                }
                for (n, c) in [(t.hex, 'x'), (t.hex_ascii, 'X'), (t.ascii, 'A')] {
                    flags.extend(std::iter::repeat_n(c, n.into()));
                }
                write!(f, "tcpdump {flags}")?;
                opt(f, "-c", &t.count)?;
                write!(f, " -i {}", q(&t.iface))?;
                opt(f, "-w", &t.write)?;
                if !t.filter.is_empty() {
                    write!(f, " {}", t.filter)?;
                }
                Ok(())
            }
            Command::Sleep { secs } => write!(f, "sleep {secs}"),
            Command::Truncate { size, file } => write!(f, "truncate -s {} {}", q(size), q(file)),
            Command::Kill { job } => write!(f, "kill %{job}"),
            Command::Input { job, line } => write!(f, "input %{job} {}", shell_quote(line)),
            Command::Wait => write!(f, "wait"),
            Command::Echo { args } => {
                write!(f, "echo")?;
                args.iter().try_for_each(|a| write!(f, " {}", q(a)))
            }
        }
    }
}

/// What a step must show. Lines may use `{}` to match any run of characters; a line that
/// is exactly `...` matches any number of lines. Trailing whitespace is ignored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum Expect {
    /// The whole output, line for line.
    Output(Vec<String>),
    /// These lines, in this order, somewhere in the output.
    Contains(Vec<String>),
    /// No output line matches any of these.
    Lacks(Vec<String>),
    /// The exit status (a configuration command with a non-zero status is then an
    /// expected failure rather than an error).
    Exit(i32),
}

/// `| grep [-v] [-i] PATTERN` after a command: keeps the output lines that contain (or with
/// `-v`, lack) the fixed string.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Grep {
    /// The string looked for.
    pub pattern: String,
    /// `-v`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub invert: bool,
    /// `-i`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub ignore_case: bool,
}

impl Grep {
    /// True if grep prints `line`.
    pub fn keeps(&self, line: &str) -> bool {
        let hit = if self.ignore_case {
            line.to_lowercase().contains(&self.pattern.to_lowercase())
        } else {
            line.contains(&self.pattern)
        };
        hit != self.invert
    }
}

impl fmt::Display for Grep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "grep")?;
        if self.invert {
            write!(f, " -v")?;
        }
        if self.ignore_case {
            write!(f, " -i")?;
        }
        write!(f, " {}", shell_quote(&self.pattern))
    }
}

/// One command in context.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// The namespace it runs in (`ip netns exec NS …`, `ip -n NS …`); `None` is the root.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ns: Option<String>,
    /// The command.
    pub run: Command,
    /// `&`: run in the background.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub background: bool,
    /// `| grep …`: filters what the command prints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grep: Option<Grep>,
    /// What it must show.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expect: Vec<Expect>,
    /// Lines the kernel and the sim may print differently here, and why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub differs: Vec<Known>,
    /// Where it is in its file.
    #[serde(skip)]
    pub span: Span,
    /// The command line as the file wrote it (shown in transcripts).
    #[serde(skip)]
    pub text: String,
    /// Word spans in the file, for pointing at an argument in an error.
    #[serde(skip)]
    pub words: StepWords,
    /// A terminal session shows what this command printed: a failure is that output and
    /// the session goes on, as at a terminal. (In a script an unexpected failure stops
    /// the run, pointing at the line.)
    #[serde(skip)]
    pub shown: bool,
    /// A transcript's program that ran beside the commands after it (in another terminal,
    /// or until `^C`): a background job that takes no `%N` of this terminal's.
    #[serde(skip)]
    pub other_terminal: bool,
    /// A `^C` or a line typed at a transcript's job: the step that started it (its `kill`
    /// or `input` then names no `%N`).
    #[serde(skip)]
    pub of_step: Option<usize>,
}

impl Step {
    /// A step with no expectations, in `ns`.
    pub fn new(ns: Option<&str>, run: Command) -> Self {
        let text = run.to_string();
        Step {
            ns: ns.map(str::to_string),
            run,
            background: false,
            grep: None,
            expect: Vec::new(),
            differs: Vec::new(),
            span: Span::default(),
            text,
            words: StepWords::default(),
            shown: false,
            other_terminal: false,
            of_step: None,
        }
    }

    /// The span of the first word equal to `w` (an argument an error names), else of the
    /// first word containing it, else the whole step.
    pub fn locate(&self, w: &str) -> Span {
        let exact = self.words.iter().find(|(x, _)| *x == w);
        // `--dhcp-range=A,B` is one word; a complaint about `A,B` points at it.
        let within = || self.words.iter().find(|(x, _)| !w.is_empty() && x.contains(w));
        exact.or_else(within).map(|(_, s)| s).unwrap_or(self.span)
    }

    /// The shell line for this step, namespace included.
    pub fn shell_line(&self) -> String {
        // `echo LINE | ip netns exec NS nc …`: the pipe comes before the namespace.
        let (pipe, run) = match &self.run {
            Command::Nc(n) if n.input.is_some() => {
                let bare = Command::Nc(NcCmd { input: None, ..n.clone() });
                (format!("echo {} | ", shell_quote(n.input.as_deref().unwrap_or_default())), bare.to_string())
            }
            r => (String::new(), r.to_string()),
        };
        let mut s = match &self.ns {
            Some(ns) => format!("{pipe}ip netns exec {ns} {run}"),
            None => format!("{pipe}{run}"),
        };
        // A pipe and `&` end the command's line: before a here-document's lines.
        let mut tail = String::new();
        if let Some(g) = &self.grep {
            tail.push_str(&format!(" | {g}"));
        }
        if self.background {
            tail.push_str(" &");
        }
        match s.find('\n') {
            Some(at) => s.insert_str(at, &tail),
            None => s.push_str(&tail),
        }
        s
    }
}

/// A step's words as the shell split them, each with where it is in its file. Every step
/// keeps them (a script of 10⁵ hosts has 7·10⁵ steps), so they are one string and one
/// list: where each word ends in it, and its span.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StepWords {
    text: Box<str>,
    parts: Box<[(u32, Span)]>,
}

impl StepWords {
    /// Each word and its span, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, Span)> + '_ {
        let mut from = 0usize;
        self.parts.iter().map(move |&(end, span)| {
            let w = &self.text[from..end as usize];
            from = end as usize;
            (w, span)
        })
    }
}

impl From<&[(String, Span)]> for StepWords {
    fn from(words: &[(String, Span)]) -> Self {
        let mut text = String::with_capacity(words.iter().map(|(w, _)| w.len()).sum());
        let mut parts = Vec::with_capacity(words.len());
        for (w, span) in words {
            // Past 4 GiB of words (no line has them) the rest are left out: an error about
            // one of them points at the whole step instead.
            let Ok(end) = u32::try_from(text.len() + w.len()) else { break };
            text.push_str(w);
            parts.push((end, *span));
        }
        StepWords { text: text.into_boxed_str(), parts: parts.into_boxed_slice() }
    }
}

/// A scenario: steps and their expectations.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// What it shows.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The seed, unless the command line gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// The steps.
    pub steps: Vec<Step>,
    /// Why the kernel parity suite does not run this scenario, if it does not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kernel_skip: Option<String>,
}

/// A known difference between the back ends (`#! differs: LINE -- WHY`): output lines
/// matching `line` (`{}` matches anything) are set aside on both sides by `nslab diff`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Known {
    /// The lines, as an expected line is written.
    pub line: String,
    /// Why they differ.
    pub why: String,
    /// `#! repeats`: the lines may come again (only the first of each is compared), rather
    /// than being set aside altogether.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub repeats: bool,
    /// `#! within: N% [LINE] -- WHY`: the lines are compared, but their numbers may differ
    /// by N percent, as rates and counters that follow real time do.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub within: Option<u32>,
}

/// One line of a sysctl.conf (`sysctl -p`), as procps-ng 4's `Preload` reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SysctlLine {
    /// `KEY = VALUE`; a leading `-` is kept for the real sysctl (procps-ng 4.0.2 still
    /// counts its failure).
    Setting {
        /// The key, as written.
        key: String,
        /// The value, without the spaces around it.
        value: String,
        /// `-KEY = VALUE`.
        ignore_failure: bool,
    },
    /// A line without `=` (sysctl warns `-(N): invalid syntax, continuing...`).
    Invalid,
    /// A comment (`#`, `;`), a blank line, or `-KEY` alone (an exclusion, here of nothing).
    Skip,
}

/// The lines of a sysctl.conf, read as procps-ng 4's `Preload` reads them: leading and
/// trailing spaces go, a line that is then empty or starts with `#` or `;` is skipped, a
/// leading `-` goes (without `=`, the line excludes a key), and the rest splits at its
/// first `=`, key and value trimmed. A line holding a
/// control character (a newline inside one of the RON form's strings) is the error, with
/// its number from 1: the real sysctl, which reads the same text, would see other lines.
pub fn sysctl_lines(input: &[String]) -> Result<Vec<SysctlLine>, (usize, String)> {
    let mut out = Vec::new();
    for (i, line) in input.iter().enumerate() {
        if line.chars().any(|c| c.is_control() && c != '\t') {
            return Err((i + 1, format!("sysctl -p: line {} holds a control character", i + 1)));
        }
        let t = line.trim_matches([' ', '\t']);
        if t.is_empty() || t.starts_with('#') || t.starts_with(';') {
            out.push(SysctlLine::Skip);
            continue;
        }
        let (ignore_failure, t) = match t.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, t),
        };
        out.push(match t.split_once('=') {
            Some((key, value)) if !key.trim().is_empty() => SysctlLine::Setting {
                key: key.trim_matches([' ', '\t']).to_string(),
                value: value.trim_matches([' ', '\t']).to_string(),
                ignore_failure,
            },
            _ if ignore_failure => SysctlLine::Skip,
            _ => SysctlLine::Invalid,
        });
    }
    Ok(out)
}

/// The text the real `sysctl -p -` is given for `input`: each setting as it was read
/// (`[-]KEY = VALUE`), each other line as a comment or kept as it is where it writes
/// nothing, so its line numbers stay and it can write no key the front end did not check.
pub fn sysctl_text(input: &[String]) -> Result<String, (usize, String)> {
    let lines = sysctl_lines(input)?;
    Ok(lines
        .iter()
        .zip(input)
        .map(|(l, raw)| match l {
            SysctlLine::Setting { key, value, ignore_failure } => {
                format!("{}{key} = {value}\n", if *ignore_failure { "-" } else { "" })
            }
            SysctlLine::Invalid => format!("{}\n", raw.trim_matches([' ', '\t'])),
            SysctlLine::Skip => "#\n".to_string(),
        })
        .collect())
}

#[cfg(test)]
mod tests;

/// `-s ` or `-s -s `: how many times `ip` was given `-s`.
fn s_flags(stats: bool, errors: bool) -> &'static str {
    match (stats, errors) {
        (_, true) => "-s -s ",
        (true, false) => "-s ",
        _ => "",
    }
}
