//! `ss` as iproute2 6.1.0 prints it, into a pipe: `-t`, `-u`, `-w` (raw), `-0` (packet),
//! `-a`, `-l`, `-n`, `-p`, `-H`, `-4`, `-6`, letters combined as `ss -tulnp`.
//!
//! It reads the namespace's socket table through [`Sys::sockets`] and prints one table
//! after another in ss's order (packet, raw, udp, tcp), TCP listeners first. The columns
//! follow `misc/ss.c` (`render_calc_width`, `render`) with stdout not a terminal: each
//! column is as wide as its widest cell (header included) plus its one-space delimiter, the
//! addresses right-aligned and the rest left-aligned, every line padded to the `Process`
//! column's width. `Netid` shows when more than one table is selected. Without `-a` or
//! `-l` the connected states only; `-l` listening and unconnected sockets; `-a` all. A
//! descriptor number in `users:` is 3 plus the socket's place among its owner's sockets.
//! Not modelled: netlink and unix sockets (so `ss` without a table letter is refused),
//! port names without `-n`, state filters; a queue counts the bytes it holds (the kernel's
//! `Recv-Q` counts each buffer's `truesize`).
//! An IPv6 address is written in brackets (`[2001:db8::1]:5000`, the wildcard `[::]`, or
//! `*` for a socket that hears IPv4 too), each table's IPv4 sockets before its IPv6 ones.

use super::{Program, Sys};
use crate::sys::{ArgError, Process, SocketInfo};
use std::fmt::Write as _;
use std::net::{IpAddr, Ipv4Addr};

/// Which sockets, and how.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SsArgs {
    /// `-t`, `-u`, `-w`, `-0`.
    pub tcp: bool,
    /// UDP.
    pub udp: bool,
    /// Raw.
    pub raw: bool,
    /// Packet.
    pub packet: bool,
    /// `-a`: every state.
    pub all: bool,
    /// `-l`: listening and unconnected only.
    pub listening: bool,
    /// `-p`: the owning processes.
    pub processes: bool,
    /// `-H`: no header.
    pub no_header: bool,
    /// `-4` or `-6`: that family's sockets only.
    pub family: Option<u8>,
}

/// Reads `ss`'s options.
pub fn parse(args: &[String]) -> Result<SsArgs, ArgError> {
    let mut a = SsArgs::default();
    let mut numeric = false;
    for w in args {
        let letters: Vec<char> = match w.as_str() {
            "--tcp" => vec!['t'],
            "--udp" => vec!['u'],
            "--raw" => vec!['w'],
            "--packet" => vec!['0'],
            "--all" => vec!['a'],
            "--listening" => vec!['l'],
            "--numeric" => vec!['n'],
            "--processes" => vec!['p'],
            "--no-header" => vec!['H'],
            "--ipv4" => vec!['4'],
            "--ipv6" => vec!['6'],
            s if s.starts_with('-') && !s.starts_with("--") && s.len() > 1 => s[1..].chars().collect(),
            s => {
                return Err(ArgError::at(w, format!("not supported yet: ss filter `{s}`"))
                    .hint("ss -t -u -w -0 -a -l -n -p -H -4 -6 are modelled; filters (state, dport, …) are not"));
            }
        };
        for c in letters {
            match c {
                't' => a.tcp = true,
                'u' => a.udp = true,
                'w' => a.raw = true,
                '0' => a.packet = true,
                'a' => a.all = true,
                'l' => a.listening = true,
                'n' => numeric = true,
                'p' => a.processes = true,
                'H' => a.no_header = true,
                '4' => a.family = Some(4),
                '6' => a.family = Some(6),
                'x' | 'e' | 'm' | 'i' | 'o' | 's' | 'r' | 'K' | 'E' | 'Z' | 'z' | 'N' | 'M' | 'b' | 'd' | 'S' | 'f'
                | 'A' | 'D' | 'F' | 'O' => {
                    return Err(ArgError::at(w, format!("not supported yet: ss -{c}")));
                }
                _ => return Err(ArgError::at(w, format!("ss: invalid option -- '{c}'"))),
            }
        }
    }
    if !(a.tcp || a.udp || a.raw || a.packet) {
        return Err(ArgError::new("not supported yet: ss without -t, -u, -w or -0")
            .hint("netlink and unix sockets are not modelled: name the tables, e.g. `ss -tuan`"));
    }
    if !numeric {
        return Err(ArgError::new("not supported yet: ss without -n")
            .hint("port names come from /etc/services, which nslab does not read: add -n"));
    }
    Ok(a)
}

/// How `start` in the table of programs makes an `ss`.
pub fn start(args: &[String], _input: &[String]) -> Result<Process, ArgError> {
    Ok(Box::new(Ss { args: parse(args)? }))
}

/// A running `ss`: it prints and exits when it starts.
#[derive(Debug)]
pub struct Ss {
    args: SsArgs,
}

/// One of ss's columns: header, alignment (true: right), left delimiter.
const COLUMNS: [(&str, bool, &str); 9] = [
    ("Netid", false, ""),
    ("State", false, " "),
    ("Recv-Q", false, " "),
    ("Send-Q", false, " "),
    ("Local Address:", true, " "),
    ("Port", false, ""),
    ("Peer Address:", true, " "),
    ("Port", false, ""),
    ("Process", false, ""),
];

impl Ss {
    fn shows(&self, s: &SocketInfo) -> bool {
        let table = match s.netid {
            "tcp" => self.args.tcp,
            "udp" => self.args.udp,
            "raw" => self.args.raw,
            "p_raw" => self.args.packet,
            _ => false,
        };
        let listening = matches!(s.state, "LISTEN" | "UNCONN");
        let state = if self.args.all {
            true
        } else if self.args.listening {
            listening
        } else {
            !listening && !matches!(s.state, "TIME-WAIT" | "SYN-RECV")
        };
        let inet = matches!(s.netid, "tcp" | "udp" | "raw");
        let family = !inet || self.args.family.is_none_or(|f| (f == 6) == s.v6);
        table && state && family
    }

    fn row(&self, sys: &Sys<'_, '_, '_>, s: &SocketInfo) -> [String; 9] {
        // ss writes an IPv6 address in brackets; the wildcard is its family's.
        let addr = |a: Option<IpAddr>| match a {
            Some(IpAddr::V6(a)) => format!("[{a}]"),
            Some(a) => a.to_string(),
            // A dual-stack wildcard is `*`; an IPV6_V6ONLY one `[::]`.
            None if s.dual => "*".to_string(),
            None if s.v6 => "[::]".to_string(),
            None => Ipv4Addr::UNSPECIFIED.to_string(),
        };
        let (local, lport, peer, pport) = if let Some(ix) = s.packet_if {
            let dev = sys.ifname(ix).unwrap_or("*").to_string();
            ("*:".to_string(), dev, "*".to_string(), String::new())
        } else {
            let dev = s.local.2.and_then(|d| sys.ifname(d)).map(|d| format!("%{d}")).unwrap_or_default();
            let lport = if s.local.1 == 0 { "*".to_string() } else { s.local.1.to_string() };
            let (p, pp) = match s.peer {
                // A connected raw socket's peer has no port: `*`.
                Some((a, 0)) => (addr(Some(a)), "*".to_string()),
                Some((a, p)) => (addr(Some(a)), p.to_string()),
                None => (addr(None), "*".to_string()),
            };
            (format!("{}{dev}:", addr(s.local.0)), lport, format!("{p}:"), pp)
        };
        let process = match (self.args.processes, s.owner) {
            (true, Some((pid, fd))) => match sys.program_name(pid) {
                Some(name) => format!(" users:((\"{name}\",pid={pid},fd={fd}))"),
                None => String::new(),
            },
            _ => String::new(),
        };
        [
            s.netid.to_string(),
            s.state.to_string(),
            format!("{:<6}", s.recv_q),
            format!("{:<6}", s.send_q),
            local,
            lport,
            peer,
            pport,
            process,
        ]
    }
}

/// The order ss dumps its tables in.
const TABLES: [&str; 4] = ["p_raw", "raw", "udp", "tcp"];

/// Lays rows out as ss does into a pipe; `enabled` says which columns show.
fn render(rows: &[[String; 9]], enabled: &[bool; 9]) -> Vec<String> {
    let mut width = [0usize; 9];
    let mut first = true;
    for c in 0..9 {
        if !enabled[c] {
            continue;
        }
        let max = rows.iter().map(|r| r[c].len()).max().unwrap_or(0);
        width[c] = if !first && max > 0 { max + COLUMNS[c].2.len() } else { max };
        if width[c] > 0 {
            first = false;
        }
    }
    rows.iter()
        .map(|r| {
            let mut line = String::new();
            let mut first = true;
            for c in (0..9).filter(|c| enabled[*c]) {
                if first && width[c] == 0 {
                    continue;
                }
                let delim = if first { "" } else { COLUMNS[c].2 };
                first = false;
                let pad = width[c].saturating_sub(delim.len() + r[c].len());
                line.push_str(delim);
                if COLUMNS[c].1 {
                    let _ = write!(line, "{:pad$}{}", "", r[c]);
                } else {
                    let _ = write!(line, "{}{:pad$}", r[c], "");
                }
            }
            line
        })
        .collect()
}

impl Program for Ss {
    fn name(&self) -> &'static str {
        "ss"
    }
    fn start(&mut self, sys: &mut Sys<'_, '_, '_>) {
        let socks = sys.sockets();
        let mut rows: Vec<[String; 9]> = Vec::new();
        if !self.args.no_header {
            rows.push(COLUMNS.map(|c| c.0.to_string()));
        }
        // Each table's IPv4 sockets, then its IPv6 ones (ss asks inet_diag per family);
        // raw sockets newest first (`sk_add_node` puts each at the head of its protocol's
        // hash chain).
        for t in TABLES {
            for v6 in [false, true] {
                let of = |s: &&SocketInfo| s.netid == t && s.v6 == v6 && self.shows(s);
                let mut these: Vec<&SocketInfo> = socks.iter().filter(of).collect();
                if t == "raw" {
                    these.reverse();
                }
                for s in these {
                    rows.push(self.row(sys, s));
                }
            }
        }
        let tables = [self.args.tcp, self.args.udp, self.args.raw, self.args.packet].iter().filter(|x| **x).count();
        let mut enabled = [true; 9];
        enabled[0] = tables > 1;
        for line in render(&rows, &enabled) {
            sys.stdout(line);
        }
        sys.exit(0);
    }
    fn interrupt(&mut self, sys: &mut Sys<'_, '_, '_>) {
        sys.exit(130);
    }
    crate::proc::any_program!();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn options_combine_and_the_rest_is_refused_plainly() {
        let a = parse(&words("-tulnp")).unwrap();
        assert!(a.tcp && a.udp && a.listening && a.processes && !a.all);
        assert!(parse(&words("-t -a -n -4")).unwrap().all);
        assert!(parse(&words("-an")).unwrap_err().message.contains("without -t, -u, -w or -0"));
        assert!(parse(&words("-ta")).unwrap_err().message.contains("without -n"));
        assert_eq!(parse(&words("-tnq")).unwrap_err().message, "ss: invalid option -- 'q'");
        assert!(parse(&words("-tn state established")).unwrap_err().message.contains("not supported yet"));
    }

    #[test]
    fn columns_are_laid_out_as_ss_does_into_a_pipe() {
        // Measured with iproute2 6.1.0: `ss -t -l -n > file`.
        let rows = vec![
            COLUMNS.map(|c| c.0.to_string()),
            ["tcp", "LISTEN", "0     ", "10    ", "0.0.0.0:", "8080", "0.0.0.0:", "*", ""].map(str::to_string),
        ];
        let mut enabled = [true; 9];
        enabled[0] = false;
        assert_eq!(
            render(&rows, &enabled),
            [
                "State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess",
                "LISTEN 0      10           0.0.0.0:8080      0.0.0.0:*          ",
            ]
        );
    }
}
