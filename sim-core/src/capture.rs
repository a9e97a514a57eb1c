//! Captures: tcpdump's view of an interface.
//!
//! A [`Filter`] is the subset of tcpdump's expression language the documents use and its
//! obvious neighbours (`icmp or arp`, `tcp and port 54321`, `host 192.0.2.1`, `udp dst port
//! 67`, `not arp`, parentheses). [`Taps`] holds the active captures, keyed by the
//! `(node, port)` they listen on — or by the node alone for `tcpdump -i any` — and turns
//! every frame they accept into a trace record. An `any` capture's records carry what
//! Linux's cooked capture adds to a frame ([`Cooked`]: the interface, the packet type).

use crate::node::{NodeId, PortId};
use crate::time::Instant;
use crate::trace::{Record, Trace};
use serde::Serialize;
use std::collections::BTreeMap;
use std::net::{Ipv4Addr, Ipv6Addr};

use crate::mac::MacAddr;

/// Whether the interface received or sent the frame (pcapng's `epb_flags` direction).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Received by the interface.
    In,
    /// Sent by the interface.
    Out,
}

/// A handle to a capture.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct CaptureId(pub u32);

/// `sll_pkttype` values (`<linux/if_packet.h>`): how the stack classed a frame.
pub mod pkttype {
    /// `PACKET_HOST`: to this interface's own address (tcpdump prints `In`).
    pub const HOST: u8 = 0;
    /// `PACKET_BROADCAST` (`B`).
    pub const BROADCAST: u8 = 1;
    /// `PACKET_MULTICAST` (`M`).
    pub const MULTICAST: u8 = 2;
    /// `PACKET_OTHERHOST`: to another host's address (`P`).
    pub const OTHERHOST: u8 = 3;
    /// `PACKET_OUTGOING`: sent by the interface (`Out`).
    pub const OUTGOING: u8 = 4;
}

/// `ARPHRD_ETHER`: an Ethernet device's `sll_hatype`.
pub const ARPHRD_ETHER: u16 = 1;
/// `ARPHRD_LOOPBACK`: `lo`'s.
pub const ARPHRD_LOOPBACK: u16 = 772;
/// The length of a Linux cooked v2 header (`LINUX_SLL2`).
pub const SLL2_HDR_LEN: usize = 20;

/// What a capture on `any` knows of a frame beyond its bytes: what `recvfrom` returns in a
/// `sockaddr_ll` and libpcap puts in the `LINUX_SLL2` header, plus the interface's name as
/// tcpdump looks it up when it prints the frame.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Cooked {
    /// `sll_ifindex`.
    pub ifindex: u32,
    /// The interface's name when the frame was seen.
    pub ifname: String,
    /// `sll_hatype`.
    pub hatype: u16,
    /// `sll_pkttype` (see [`pkttype`]).
    pub pkttype: u8,
}

impl Cooked {
    /// How the receiving interface classes an Ethernet frame (`eth_type_trans`), given its
    /// own MAC.
    pub fn pkttype_in(frame: &[u8], own: MacAddr) -> u8 {
        let Some(dst) = frame.get(..6) else { return pkttype::OTHERHOST };
        if dst == own.0 {
            pkttype::HOST
        } else if dst == [0xff; 6] {
            pkttype::BROADCAST
        } else if dst[0] & 1 == 1 {
            pkttype::MULTICAST
        } else {
            pkttype::OTHERHOST
        }
    }

    /// `sll_protocol`: the Ethernet type, or for an 802.3 frame (a length there) what
    /// `eth_type_trans` makes of it: `ETH_P_802_3` for raw IPX (`0xffff` first), else
    /// `ETH_P_802_2`.
    pub fn protocol(frame: &[u8]) -> u16 {
        let et = frame.get(12..14).map_or(0, |b| u16::from_be_bytes([b[0], b[1]]));
        match et {
            1536.. => et,
            _ if frame.get(14..16) == Some(&[0xff, 0xff]) => 0x0001,
            _ => 0x0004,
        }
    }

    /// The frame as libpcap hands it to tcpdump on `any`: the `LINUX_SLL2` header (the
    /// Ethernet type, the interface's index and type, the packet type, and the source
    /// address) and what followed the Ethernet header.
    pub fn sll2(&self, frame: &[u8]) -> Vec<u8> {
        let mut b = Vec::with_capacity(SLL2_HDR_LEN + frame.len().saturating_sub(14));
        b.extend_from_slice(&Self::protocol(frame).to_be_bytes());
        b.extend_from_slice(&[0, 0]);
        b.extend_from_slice(&self.ifindex.to_be_bytes());
        b.extend_from_slice(&self.hatype.to_be_bytes());
        b.push(self.pkttype);
        b.push(6);
        let mut addr = [0u8; 8];
        if let Some(src) = frame.get(6..12) {
            addr[..6].copy_from_slice(src);
        }
        b.extend_from_slice(&addr);
        b.extend_from_slice(frame.get(14..).unwrap_or_default());
        b
    }
}

/// What a node tells the taps of one of its interfaces, for captures on `any`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortInfo {
    /// The interface's name.
    pub name: String,
    /// Its MAC address.
    pub mac: MacAddr,
    /// True for `lo`.
    pub loopback: bool,
}

/// Which address or port of a packet a primitive looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dir {
    /// Source or destination.
    Any,
    /// Source only.
    Src,
    /// Destination only.
    Dst,
}

/// How deep parentheses and `not` may nest in a filter. tcpdump's parser gives up near
/// 10,000 (`memory exhausted`); nslab's recursive parser stops well before its stack would.
pub const MAX_DEPTH: usize = 256;

/// A parsed tcpdump filter expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Filter {
    /// Matches every frame (an empty expression).
    All,
    /// `arp`.
    Arp,
    /// `ip`.
    Ip,
    /// `icmp`, `ip proto N`: the IPv4 protocol number (`tcp` and `udp` are this or
    /// [`Filter::Proto6`]).
    Proto(u8),
    /// `ip6`.
    Ip6,
    /// `icmp6`, `ip6 proto N`: the IPv6 header's next header — or, after a fragment
    /// header, that header's (as libpcap compiles it: `icmp6` does not see MLD behind its
    /// hop-by-hop header).
    Proto6(u8),
    /// `[src|dst] host A` (IPv4 or ARP addresses).
    Host(Dir, Ipv4Addr),
    /// `[src|dst] net A/L`.
    Net(Dir, Ipv4Addr, u8),
    /// `[src|dst] host A6`: an IPv6 header's addresses.
    Host6(Dir, Ipv6Addr),
    /// `[src|dst] net A6/L`.
    Net6(Dir, Ipv6Addr, u8),
    /// `[tcp|udp] [src|dst] port N` (`None`: TCP or UDP), over IPv4 or IPv6.
    Port(Option<u8>, Dir, u16),
    /// `ether [src|dst] host M`.
    EtherHost(Dir, MacAddr),
    /// `broadcast` / `ether broadcast`.
    Broadcast,
    /// `not F`.
    Not(Box<Filter>),
    /// `F and G and …`: a chain is one flat list, so a long one costs no depth.
    And(Vec<Filter>),
    /// `F or G or …`.
    Or(Vec<Filter>),
}

/// A filter tcpdump would not take, with the word it stopped at.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("can't parse filter expression: syntax error near `{near}`: {why}")]
pub struct FilterError {
    /// The word (or end of input) where parsing failed.
    pub near: String,
    /// Index of that word in the expression's words.
    pub word: usize,
    /// What was expected.
    pub why: String,
}

/// The fields of a frame a filter can test, parsed once per frame.
#[derive(Default)]
struct Fields {
    eth_src: MacAddr,
    eth_dst: MacAddr,
    arp: Option<(Ipv4Addr, Ipv4Addr)>,
    ip: Option<(Ipv4Addr, Ipv4Addr, u8)>,
    /// IPv6: the next header, and the one after a fragment header.
    ip6: Option<(u8, Option<u8>)>,
    /// IPv6's source and destination.
    ip6_addrs: Option<(Ipv6Addr, Ipv6Addr)>,
    ports: Option<(u16, u16)>,
}

impl Fields {
    fn parse(f: &[u8]) -> Option<Fields> {
        let dst = MacAddr::from_slice(f)?;
        let src = MacAddr::from_slice(f.get(6..)?)?;
        let et = u16::from_be_bytes([*f.get(12)?, *f.get(13)?]);
        let mut out = Fields { eth_src: src, eth_dst: dst, ..Default::default() };
        let p = &f[14..];
        match et {
            0x0806 if p.len() >= 28 => {
                let spa = Ipv4Addr::new(p[14], p[15], p[16], p[17]);
                let tpa = Ipv4Addr::new(p[24], p[25], p[26], p[27]);
                out.arp = Some((spa, tpa));
            }
            0x0800 if p.len() >= 20 && p[0] >> 4 == 4 => {
                let ihl = usize::from(p[0] & 0x0f) * 4;
                let proto = p[9];
                let s = Ipv4Addr::new(p[12], p[13], p[14], p[15]);
                let d = Ipv4Addr::new(p[16], p[17], p[18], p[19]);
                out.ip = Some((s, d, proto));
                let frag_off = u16::from_be_bytes([p[6], p[7]]) & 0x1fff;
                if frag_off == 0 && (proto == 6 || proto == 17) && p.len() >= ihl + 4 && ihl >= 20 {
                    let l4 = &p[ihl..];
                    out.ports = Some((u16::from_be_bytes([l4[0], l4[1]]), u16::from_be_bytes([l4[2], l4[3]])));
                }
            }
            0x86dd if p.len() >= 40 => {
                out.ip6 = Some((p[6], (p[6] == 44).then(|| p.get(40).copied()).flatten()));
                let a = |at: usize| -> Ipv6Addr { <[u8; 16]>::try_from(&p[at..at + 16]).unwrap_or([0; 16]).into() };
                out.ip6_addrs = Some((a(8), a(24)));
                if (p[6] == 6 || p[6] == 17) && p.len() >= 44 {
                    out.ports = Some((u16::from_be_bytes([p[40], p[41]]), u16::from_be_bytes([p[42], p[43]])));
                }
            }
            _ => {}
        }
        Some(out)
    }
}

fn dir_match<T: PartialEq>(dir: Dir, src: T, dst: T, want: T) -> bool {
    match dir {
        Dir::Any => src == want || dst == want,
        Dir::Src => src == want,
        Dir::Dst => dst == want,
    }
}

fn in_net6(a: Ipv6Addr, net: Ipv6Addr, len: u8) -> bool {
    let mask = if len == 0 { 0 } else { u128::MAX << (128 - u32::from(len)) };
    u128::from(a) & mask == u128::from(net) & mask
}

fn in_net(a: Ipv4Addr, net: Ipv4Addr, len: u8) -> bool {
    let mask = if len == 0 { 0 } else { u32::MAX << (32 - u32::from(len)) };
    u32::from(a) & mask == u32::from(net) & mask
}

impl Filter {
    /// Parses an expression given as shell words (`["icmp", "or", "arp"]`); no words means
    /// [`Filter::All`].
    pub fn parse_words<S: AsRef<str>>(words: &[S]) -> Result<Filter, FilterError> {
        // tcpdump joins its arguments with spaces and tokenises the result; so do we,
        // splitting parentheses and `!` off words.
        let mut toks: Vec<(String, usize)> = Vec::new();
        for (i, w) in words.iter().enumerate() {
            let w = w.as_ref();
            let mut cur = String::new();
            for c in w.chars() {
                if c == '(' || c == ')' || (c == '!' && cur.is_empty()) {
                    if !cur.is_empty() {
                        toks.push((std::mem::take(&mut cur), i));
                    }
                    toks.push((c.to_string(), i));
                } else if c.is_whitespace() {
                    if !cur.is_empty() {
                        toks.push((std::mem::take(&mut cur), i));
                    }
                } else {
                    cur.push(c);
                }
            }
            if !cur.is_empty() {
                toks.push((cur, i));
            }
        }
        if toks.is_empty() {
            return Ok(Filter::All);
        }
        let mut p = Parser { toks: &toks, pos: 0, nwords: words.len(), depth: 0 };
        let f = p.or()?;
        if p.pos < toks.len() {
            return Err(p.err("expected `and`, `or` or the end of the expression"));
        }
        Ok(f)
    }

    /// Parses an expression given as one string.
    pub fn parse(expr: &str) -> Result<Filter, FilterError> {
        Self::parse_words(&[expr])
    }

    /// What libpcap says when it compiles this filter for Linux cooked frames (`-i any`),
    /// which have no Ethernet header: the first primitive that needs one.
    pub fn cooked_error(&self) -> Option<&'static str> {
        match self {
            Filter::EtherHost(..) => {
                Some("ethernet addresses supported only on ethernet/FDDI/token ring/802.11/ATM LANE/Fibre Channel")
            }
            Filter::Broadcast => Some("not a broadcast link"),
            Filter::Not(x) => x.cooked_error(),
            Filter::And(v) | Filter::Or(v) => v.iter().find_map(Filter::cooked_error),
            _ => None,
        }
    }

    /// True when the frame passes the filter. Malformed frames pass only [`Filter::All`].
    pub fn matches(&self, frame: &[u8]) -> bool {
        if matches!(self, Filter::All) {
            return true;
        }
        match Fields::parse(frame) {
            Some(f) => self.eval(&f),
            None => false,
        }
    }

    fn eval(&self, f: &Fields) -> bool {
        match self {
            Filter::All => true,
            Filter::Arp => f.arp.is_some(),
            Filter::Ip => f.ip.is_some(),
            Filter::Proto(p) => f.ip.is_some_and(|(_, _, q)| q == *p),
            Filter::Ip6 => f.ip6.is_some(),
            Filter::Proto6(p) => f.ip6.is_some_and(|(n, after)| n == *p || after == Some(*p)),
            Filter::Host(d, a) => {
                f.ip.is_some_and(|(s, t, _)| dir_match(*d, s, t, *a))
                    || f.arp.is_some_and(|(s, t)| dir_match(*d, s, t, *a))
            }
            Filter::Net(d, n, l) => {
                let hit = |s: Ipv4Addr, t: Ipv4Addr| match d {
                    Dir::Any => in_net(s, *n, *l) || in_net(t, *n, *l),
                    Dir::Src => in_net(s, *n, *l),
                    Dir::Dst => in_net(t, *n, *l),
                };
                f.ip.is_some_and(|(s, t, _)| hit(s, t)) || f.arp.is_some_and(|(s, t)| hit(s, t))
            }
            Filter::Host6(d, a) => f.ip6_addrs.is_some_and(|(s, t)| dir_match(*d, s, t, *a)),
            Filter::Net6(d, n, l) => f.ip6_addrs.is_some_and(|(s, t)| match d {
                Dir::Any => in_net6(s, *n, *l) || in_net6(t, *n, *l),
                Dir::Src => in_net6(s, *n, *l),
                Dir::Dst => in_net6(t, *n, *l),
            }),
            Filter::Port(proto, d, port) => {
                // (The ports are only read behind an IPv4 or IPv6 header of TCP or UDP.)
                let proto_ok = match (proto, f.ip, f.ip6) {
                    (Some(p), Some((_, _, q)), _) => *p == q,
                    (Some(p), None, Some((n, _))) => *p == n,
                    (None, ..) => true,
                    (Some(_), None, None) => false,
                };
                proto_ok && f.ports.is_some_and(|(s, t)| dir_match(*d, s, t, *port))
            }
            Filter::EtherHost(d, m) => dir_match(*d, f.eth_src, f.eth_dst, *m),
            Filter::Broadcast => f.eth_dst.is_broadcast(),
            Filter::Not(x) => !x.eval(f),
            Filter::And(v) => v.iter().all(|x| x.eval(f)),
            Filter::Or(v) => v.iter().any(|x| x.eval(f)),
        }
    }
}

struct Parser<'t> {
    toks: &'t [(String, usize)],
    pos: usize,
    nwords: usize,
    /// Parentheses and `not`s open around the current token.
    depth: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&str> {
        self.toks.get(self.pos).map(|(t, _)| t.as_str())
    }
    fn next(&mut self) -> Option<&str> {
        let t = self.toks.get(self.pos).map(|(t, _)| t.as_str());
        self.pos += 1;
        t
    }
    fn err(&self, why: &str) -> FilterError {
        match self.toks.get(self.pos) {
            Some((t, w)) => FilterError { near: t.clone(), word: *w, why: why.to_string() },
            None => FilterError {
                near: "end of expression".into(),
                word: self.nwords.saturating_sub(1),
                why: why.to_string(),
            },
        }
    }
    fn or(&mut self) -> Result<Filter, FilterError> {
        let first = self.and()?;
        if !matches!(self.peek(), Some("or" | "||")) {
            return Ok(first);
        }
        let mut v = vec![first];
        while matches!(self.peek(), Some("or" | "||")) {
            self.pos += 1;
            v.push(self.and()?);
        }
        Ok(Filter::Or(v))
    }
    fn and(&mut self) -> Result<Filter, FilterError> {
        let first = self.not()?;
        if !matches!(self.peek(), Some("and" | "&&")) {
            return Ok(first);
        }
        let mut v = vec![first];
        while matches!(self.peek(), Some("and" | "&&")) {
            self.pos += 1;
            v.push(self.not()?);
        }
        Ok(Filter::And(v))
    }
    fn not(&mut self) -> Result<Filter, FilterError> {
        if matches!(self.peek(), Some("not" | "!")) {
            self.enter()?;
            self.pos += 1;
            let f = Filter::Not(Box::new(self.not()?));
            self.depth -= 1;
            return Ok(f);
        }
        self.primary()
    }
    /// One level deeper (a `(` or a `not` at the current token), refused past [`MAX_DEPTH`].
    fn enter(&mut self) -> Result<(), FilterError> {
        if self.depth >= MAX_DEPTH {
            return Err(self.err(&format!("parentheses and `not` nested more than {MAX_DEPTH} deep")));
        }
        self.depth += 1;
        Ok(())
    }
    fn dir(&mut self) -> Dir {
        match self.peek() {
            Some("src") => {
                self.pos += 1;
                Dir::Src
            }
            Some("dst") => {
                self.pos += 1;
                Dir::Dst
            }
            _ => Dir::Any,
        }
    }
    fn addr(&mut self) -> Result<Ipv4Addr, FilterError> {
        let at = self.pos;
        match self.next().and_then(|t| t.parse().ok()) {
            Some(a) => Ok(a),
            None => {
                self.pos = at;
                Err(self.err("expected an IPv4 or IPv6 address (names are not resolved)"))
            }
        }
    }
    /// The address after `host` (or after a bare `src`/`dst`), either family.
    fn host(&mut self, d: Dir) -> Result<Filter, FilterError> {
        if let Some(a) = self.peek().and_then(|t| t.parse::<Ipv6Addr>().ok()) {
            self.pos += 1;
            return Ok(Filter::Host6(d, a));
        }
        Ok(Filter::Host(d, self.addr()?))
    }
    fn port(&mut self) -> Result<u16, FilterError> {
        let at = self.pos;
        match self.next().and_then(|t| t.parse().ok()) {
            Some(p) => Ok(p),
            None => {
                self.pos = at;
                Err(self.err("expected a port number"))
            }
        }
    }
    fn primary(&mut self) -> Result<Filter, FilterError> {
        let Some(tok) = self.peek() else {
            return Err(self.err("expected a primitive (icmp, arp, tcp, udp, host, port, net …)"));
        };
        let tok = tok.to_string();
        match tok.as_str() {
            "(" => {
                self.enter()?;
                self.pos += 1;
                let f = self.or()?;
                if self.next() != Some(")") {
                    self.pos -= 1;
                    return Err(self.err("expected `)`"));
                }
                self.depth -= 1;
                Ok(f)
            }
            "arp" => {
                self.pos += 1;
                Ok(Filter::Arp)
            }
            "icmp" => {
                self.pos += 1;
                Ok(Filter::Proto(1))
            }
            "icmp6" => {
                self.pos += 1;
                Ok(Filter::Proto6(58))
            }
            "ip" | "ip6" => {
                self.pos += 1;
                let (v6, icmp) = if tok == "ip6" { (true, ("icmp6", 58)) } else { (false, ("icmp", 1)) };
                if self.peek() == Some("proto") {
                    self.pos += 1;
                    let at = self.pos;
                    let p = match self.next() {
                        Some(n) if n == icmp.0 => icmp.1,
                        Some("tcp") => 6,
                        Some("udp") => 17,
                        Some(n) => match n.parse() {
                            Ok(n) => n,
                            Err(_) => {
                                self.pos = at;
                                return Err(self.err(&format!("expected a protocol number or {}/tcp/udp", icmp.0)));
                            }
                        },
                        None => return Err(self.err("expected a protocol")),
                    };
                    return Ok(if v6 { Filter::Proto6(p) } else { Filter::Proto(p) });
                }
                Ok(if v6 { Filter::Ip6 } else { Filter::Ip })
            }
            "tcp" | "udp" => {
                self.pos += 1;
                let proto = if tok == "tcp" { 6 } else { 17 };
                let save = self.pos;
                let d = self.dir();
                if self.peek() == Some("port") {
                    self.pos += 1;
                    return Ok(Filter::Port(Some(proto), d, self.port()?));
                }
                self.pos = save;
                // libpcap's `udp` is UDP over either family.
                Ok(Filter::Or(vec![Filter::Proto(proto), Filter::Proto6(proto)]))
            }
            "ether" => {
                self.pos += 1;
                if self.peek() == Some("broadcast") {
                    self.pos += 1;
                    return Ok(Filter::Broadcast);
                }
                let d = self.dir();
                if self.peek() == Some("host") {
                    self.pos += 1;
                }
                let at = self.pos;
                match self.next().and_then(|t| t.parse::<MacAddr>().ok()) {
                    Some(m) => Ok(Filter::EtherHost(d, m)),
                    None => {
                        self.pos = at;
                        Err(self.err("expected a MAC address"))
                    }
                }
            }
            "broadcast" => {
                self.pos += 1;
                Ok(Filter::Broadcast)
            }
            "src" | "dst" | "host" | "port" | "net" => {
                let d = self.dir();
                match self.peek() {
                    Some("host") => {
                        self.pos += 1;
                        self.host(d)
                    }
                    Some("port") => {
                        self.pos += 1;
                        Ok(Filter::Port(None, d, self.port()?))
                    }
                    Some("net") => {
                        self.pos += 1;
                        let at = self.pos;
                        let t = self.next().unwrap_or("").to_string();
                        let parsed =
                            t.split_once('/').and_then(|(a, l)| Some((a.parse().ok()?, l.parse::<u8>().ok()?)));
                        let parsed6 = t
                            .split_once('/')
                            .and_then(|(a, l)| Some((a.parse::<Ipv6Addr>().ok()?, l.parse::<u8>().ok()?)));
                        match (parsed, parsed6) {
                            (Some((a, l)), _) if l <= 32 => Ok(Filter::Net(d, a, l)),
                            (_, Some((a, l))) if l <= 128 => Ok(Filter::Net6(d, a, l)),
                            _ => {
                                self.pos = at;
                                Err(self.err("expected a network like 192.0.2.0/24"))
                            }
                        }
                    }
                    _ if d != Dir::Any => self.host(d),
                    _ => Err(self.err("expected `host`, `port` or `net`")),
                }
            }
            _ => Err(self.err(
                "unknown primitive (this tcpdump knows icmp, icmp6, arp, ip, ip6, tcp, udp, host, net, port, ether, broadcast)",
            )),
        }
    }
}

/// One capture: a filter listening on a port, or on all of a node's (`any`).
#[derive(Clone, Debug)]
pub struct Capture {
    /// The node the interface belongs to.
    pub node: NodeId,
    /// The interface; `None` for `any`.
    pub port: Option<PortId>,
    /// What it keeps.
    pub filter: Filter,
    /// Frames it kept.
    pub matched: u64,
    /// Frames its filter passed, kept or not (tcpdump's "received by filter"): on `any`,
    /// the copy of what `lo` sends is counted here and not kept — libpcap drops it, as the
    /// same packet comes back in.
    pub received: u64,
    /// False once stopped.
    pub active: bool,
    /// It stops by itself once it kept this many (`tcpdump -c N`).
    pub limit: Option<u64>,
}

/// The active captures.
#[derive(Default, Debug)]
pub struct Taps {
    captures: Vec<Capture>,
    by_port: BTreeMap<(NodeId, PortId), Vec<CaptureId>>,
    /// Captures on `any`, by node.
    by_node: BTreeMap<NodeId, Vec<CaptureId>>,
    /// Nodes whose limited captures stopped since the engine last looked.
    finished: Vec<NodeId>,
}

impl Taps {
    /// Starts a capture on `(node, port)`.
    pub fn add(&mut self, node: NodeId, port: PortId, filter: Filter) -> CaptureId {
        let id = CaptureId(self.captures.len() as u32);
        self.captures.push(Capture {
            node,
            port: Some(port),
            filter,
            matched: 0,
            received: 0,
            active: true,
            limit: None,
        });
        self.by_port.entry((node, port)).or_default().push(id);
        id
    }
    /// Starts a capture on every interface of `node`, those made later too (`-i any`).
    pub fn add_any(&mut self, node: NodeId, filter: Filter) -> CaptureId {
        let id = CaptureId(self.captures.len() as u32);
        self.captures.push(Capture { node, port: None, filter, matched: 0, received: 0, active: true, limit: None });
        self.by_node.entry(node).or_default().push(id);
        id
    }
    /// Stops a capture; it keeps its count.
    pub fn stop(&mut self, id: CaptureId) {
        let Some(c) = self.captures.get_mut(id.0 as usize) else { return };
        c.active = false;
        let node = c.node;
        match c.port {
            Some(port) => remove_id(&mut self.by_port, (node, port), id),
            None => remove_id(&mut self.by_node, node, id),
        }
    }
    /// Makes a capture stop by itself once it kept `n` frames (`tcpdump -c N`).
    pub fn set_limit(&mut self, id: CaptureId, n: u64) {
        if let Some(c) = self.captures.get_mut(id.0 as usize) {
            c.limit = Some(n);
            if c.matched >= n {
                let node = c.node;
                self.stop(id);
                self.finished.push(node);
            }
        }
    }
    /// A node one of whose limited captures stopped (each once), for the engine to wake.
    pub fn take_finished(&mut self) -> Option<NodeId> {
        self.finished.pop()
    }
    /// A capture's state.
    pub fn get(&self, id: CaptureId) -> Option<&Capture> {
        self.captures.get(id.0 as usize)
    }
    /// How many captures listen on `(node, port)` itself (each makes the interface
    /// promiscuous, as tcpdump without `-p` does).
    pub fn on_port(&self, node: NodeId, port: PortId) -> usize {
        self.by_port.get(&(node, port)).map_or(0, Vec::len)
    }
    /// True when some capture listens on `(node, port)`.
    pub fn is_tapped(&self, node: NodeId, port: PortId) -> bool {
        (!self.by_port.is_empty() && self.by_port.contains_key(&(node, port)))
            || (!self.by_node.is_empty() && self.by_node.contains_key(&node))
    }
    /// Offers a frame seen on `(node, port)` to the captures there; `info` tells an `any`
    /// capture about the interface (called only when one listens on the node).
    #[allow(clippy::too_many_arguments)]
    #[inline]
    pub fn record(
        &mut self,
        trace: &mut Trace,
        at: Instant,
        node: NodeId,
        port: PortId,
        dir: Direction,
        frame: &[u8],
        info: impl FnOnce() -> Option<PortInfo>,
    ) {
        // Every frame comes here twice; with no capture at all it costs one test, inline.
        if self.by_port.is_empty() && self.by_node.is_empty() {
            return;
        }
        self.record_tapped(trace, at, node, port, dir, frame, info);
    }

    #[allow(clippy::too_many_arguments)]
    #[inline(never)]
    fn record_tapped(
        &mut self,
        trace: &mut Trace,
        at: Instant,
        node: NodeId,
        port: PortId,
        dir: Direction,
        frame: &[u8],
        info: impl FnOnce() -> Option<PortInfo>,
    ) {
        let mut full = false;
        if let Some(ids) = self.by_port.get(&(node, port)) {
            for id in ids {
                let c = &mut self.captures[id.0 as usize];
                if c.filter.matches(frame) {
                    c.matched += 1;
                    c.received += 1;
                    trace.push(Record::Frame { at, capture: *id, dir, bytes: frame.to_vec(), cooked: None });
                    full |= c.limit.is_some_and(|l| c.matched >= l);
                }
            }
        }
        if let Some(ids) = self.by_node.get(&node)
            && let Some(info) = info()
        {
            // `lo` is captured once, as it sends; on the kernel an `any` capture sees it go
            // out and come back in, and libpcap keeps only the second (`In`).
            let (hatype, pkttype, dir, copies) = if info.loopback {
                (ARPHRD_LOOPBACK, pkttype::HOST, Direction::In, 2)
            } else if dir == Direction::Out {
                (ARPHRD_ETHER, pkttype::OUTGOING, dir, 1)
            } else {
                (ARPHRD_ETHER, Cooked::pkttype_in(frame, info.mac), dir, 1)
            };
            let cooked = Cooked { ifindex: port.0, ifname: info.name, hatype, pkttype };
            for id in ids {
                let c = &mut self.captures[id.0 as usize];
                if c.filter.matches(frame) {
                    c.matched += 1;
                    c.received += copies;
                    let cooked = Some(Box::new(cooked.clone()));
                    trace.push(Record::Frame { at, capture: *id, dir, bytes: frame.to_vec(), cooked });
                    full |= c.limit.is_some_and(|l| c.matched >= l);
                }
            }
        }
        // A capture that kept its count stops before the next frame.
        while full {
            let done = self
                .captures
                .iter()
                .enumerate()
                .find(|(_, c)| c.active && c.node == node && c.limit.is_some_and(|l| c.matched >= l));
            match done {
                Some((i, _)) => {
                    self.stop(CaptureId(i as u32));
                    self.finished.push(node);
                }
                None => full = false,
            }
        }
    }
}

/// Takes `id` out of the list under `key`, and the list once empty.
fn remove_id<K: Ord>(map: &mut BTreeMap<K, Vec<CaptureId>>, key: K, id: CaptureId) {
    if let Some(v) = map.get_mut(&key) {
        v.retain(|x| *x != id);
        if v.is_empty() {
            map.remove(&key);
        }
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn any_sees_every_port_classes_frames_and_counts_lo_twice() {
        let mut taps = Taps::default();
        let mut trace = Trace::default();
        let (node, other) = (NodeId(0), NodeId(1));
        let any = taps.add_any(node, Filter::parse("").unwrap());
        let own = MacAddr([2, 0, 0, 0, 0, 1]);
        let info = |name: &str, loopback: bool| {
            let name = name.to_string();
            move || Some(PortInfo { name, mac: own, loopback })
        };
        let to = |dst: [u8; 6]| {
            let mut f = udp_frame(1, 2);
            f[..6].copy_from_slice(&dst);
            f
        };
        let at = Instant::ZERO;
        taps.record(&mut trace, at, node, PortId(2), Direction::In, &to(own.0), info("v0", false));
        taps.record(&mut trace, at, node, PortId(2), Direction::In, &to([0xff; 6]), info("v0", false));
        taps.record(&mut trace, at, node, PortId(3), Direction::In, &to([0x33, 0x33, 0, 0, 0, 1]), info("v1", false));
        taps.record(&mut trace, at, node, PortId(3), Direction::In, &to([2, 0, 0, 0, 0, 9]), info("v1", false));
        taps.record(&mut trace, at, node, PortId(3), Direction::Out, &to([2, 0, 0, 0, 0, 9]), info("v1", false));
        taps.record(&mut trace, at, node, PortId(1), Direction::Out, &to([0; 6]), info("lo", true));
        taps.record(&mut trace, at, other, PortId(2), Direction::In, &to(own.0), info("x", false));
        let seen: Vec<(u32, String, u8, Direction)> = trace
            .records()
            .iter()
            .filter_map(|r| match r {
                Record::Frame { cooked: Some(c), dir, .. } => Some((c.ifindex, c.ifname.clone(), c.pkttype, *dir)),
                _ => None,
            })
            .collect();
        use pkttype::*;
        assert_eq!(
            seen,
            [
                (2, "v0".into(), HOST, Direction::In),
                (2, "v0".into(), BROADCAST, Direction::In),
                (3, "v1".into(), MULTICAST, Direction::In),
                (3, "v1".into(), OTHERHOST, Direction::In),
                (3, "v1".into(), OUTGOING, Direction::Out),
                (1, "lo".into(), HOST, Direction::In),
            ]
        );
        let c = taps.get(any).unwrap();
        assert_eq!((c.matched, c.received), (6, 7), "lo's outgoing copy is received, not kept");
        taps.set_limit(any, 7);
        taps.record(&mut trace, at, node, PortId(2), Direction::In, &to(own.0), info("v0", false));
        assert!(!taps.get(any).unwrap().active, "-c stops it");
        assert_eq!(
            Filter::parse("ether host 02:00:00:00:00:01").unwrap().cooked_error().map(|e| &e[..8]),
            Some("ethernet")
        );
        assert_eq!(Filter::parse("icmp or not broadcast").unwrap().cooked_error(), Some("not a broadcast link"));
        assert_eq!(Filter::parse("icmp or arp").unwrap().cooked_error(), None);
    }

    #[test]
    fn sll2_is_the_header_libpcap_writes() {
        let f = udp_frame(1, 2);
        let c = Cooked { ifindex: 7, ifname: "v0".into(), hatype: ARPHRD_ETHER, pkttype: pkttype::OUTGOING };
        let b = c.sll2(&f);
        assert_eq!(&b[..20], &[8, 0, 0, 0, 0, 0, 0, 7, 0, 1, 4, 6, 0, 0, 0x5e, 0, 0x53, 1, 0, 0]);
        assert_eq!(&b[20..], &f[14..]);
        let mut llc = f.clone();
        llc[12..14].copy_from_slice(&[0, 40]);
        assert_eq!(Cooked::protocol(&llc), 0x0004);
    }

    #[test]
    fn icmp6_is_the_ipv6_next_header_as_libpcap_compiles_it() {
        let frame = |next: u8, after: u8| {
            let mut f = vec![0x33, 0x33, 0, 0, 0, 1, 2, 0, 0, 0, 0, 1, 0x86, 0xdd, 0x60, 0, 0, 0, 0, 8, next, 255];
            f.extend([0u8; 32]);
            f.extend([after, 0, 0, 0, 0, 0, 0, 0]);
            f
        };
        let icmp6 = Filter::parse("icmp6").unwrap();
        assert!(icmp6.matches(&frame(58, 0)));
        assert!(icmp6.matches(&frame(44, 58)), "after a fragment header");
        assert!(!icmp6.matches(&frame(0, 58)), "MLD behind hop-by-hop options is not icmp6");
        assert!(Filter::parse("ip6").unwrap().matches(&frame(0, 58)));
        assert!(!Filter::parse("ip").unwrap().matches(&frame(58, 0)));
        assert!(Filter::parse("ip6 proto 0").unwrap().matches(&frame(0, 58)));
        assert!(Filter::parse("icmp6 and not arp").unwrap().matches(&frame(58, 0)));
    }

    #[test]
    fn udp_and_port_match_either_family_as_libpcap_compiles_them() {
        // An IPv6 UDP datagram 40000 -> 5000 (its ports right after the header).
        let mut f = vec![2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x86, 0xdd, 0x60, 0, 0, 0, 0, 8, 17, 64];
        f.extend([0u8; 32]);
        f.extend([0x9c, 0x40, 0x13, 0x88, 0, 8, 0, 0]);
        for (expr, want) in [
            ("udp", true),
            ("tcp", false),
            ("ip", false),
            ("udp port 5000", true),
            ("udp dst port 5000", true),
            ("udp src port 5000", false),
            ("tcp port 5000", false),
            ("port 40000", true),
            ("ip6 and udp", true),
        ] {
            assert_eq!(Filter::parse(expr).unwrap().matches(&f), want, "{expr}");
        }
        assert!(Filter::parse("udp").unwrap().matches(&udp_frame(1, 2)), "and IPv4's");
    }

    #[test]
    fn host_and_net_take_ipv6_addresses() {
        // 2001:db8::1 -> 2001:db8:1::2, UDP.
        let mut f = vec![2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x86, 0xdd, 0x60, 0, 0, 0, 0, 8, 17, 64];
        f.extend(std::net::Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1).octets());
        f.extend(std::net::Ipv6Addr::new(0x2001, 0xdb8, 1, 0, 0, 0, 0, 2).octets());
        f.extend([0x9c, 0x40, 0x13, 0x88, 0, 8, 0, 0]);
        for (expr, want) in [
            ("host 2001:db8::1", true),
            ("src host 2001:db8::1", true),
            ("dst 2001:db8::1", false),
            ("dst 2001:db8:1::2", true),
            ("host 2001:db8::9", false),
            ("net 2001:db8:1::/48", true),
            ("src net 2001:db8:1::/48", false),
            ("udp and host 2001:db8:1::2", true),
            ("host 192.0.2.1", false),
        ] {
            assert_eq!(Filter::parse(expr).unwrap().matches(&f), want, "{expr}");
        }
        assert!(!Filter::parse("host 2001:db8::1").unwrap().matches(&udp_frame(1, 2)), "not IPv4's");
        assert!(Filter::parse("net 2001:db8::/129").is_err());
    }

    use super::*;

    fn arp_frame() -> Vec<u8> {
        let mut f = vec![0xff; 6];
        f.extend([0, 0, 0x5e, 0, 0x53, 1, 0x08, 0x06]);
        f.extend([0, 1, 8, 0, 6, 4, 0, 1, 0, 0, 0x5e, 0, 0x53, 1, 192, 0, 2, 1, 0, 0, 0, 0, 0, 0, 192, 0, 2, 2]);
        f
    }

    fn udp_frame(sport: u16, dport: u16) -> Vec<u8> {
        let mut f = vec![0, 0, 0x5e, 0, 0x53, 2, 0, 0, 0x5e, 0, 0x53, 1, 0x08, 0x00];
        f.extend([0x45, 0, 0, 29, 0, 0, 0, 0, 64, 17, 0, 0, 192, 0, 2, 1, 192, 0, 2, 2]);
        f.extend(sport.to_be_bytes());
        f.extend(dport.to_be_bytes());
        f.extend([0, 9, 0, 0, b'x']);
        f
    }

    #[test]
    fn documents_filters() {
        let arp = arp_frame();
        let udp = udp_frame(40000, 67);
        let f = Filter::parse_words(&["icmp", "or", "arp"]).unwrap();
        assert!(f.matches(&arp));
        assert!(!f.matches(&udp));
        let f = Filter::parse("tcp and port 54321").unwrap();
        assert!(!f.matches(&udp));
        assert!(Filter::parse("udp dst port 67").unwrap().matches(&udp));
        assert!(!Filter::parse("udp src port 67").unwrap().matches(&udp));
        assert!(Filter::parse("port 67").unwrap().matches(&udp));
        assert!(Filter::parse("host 192.0.2.2").unwrap().matches(&arp));
        assert!(Filter::parse("not (icmp or tcp)").unwrap().matches(&udp));
        assert!(Filter::parse("!arp").unwrap().matches(&udp));
        assert!(Filter::parse("net 192.0.2.0/24 and ether broadcast").unwrap().matches(&arp));
        assert!(Filter::parse("src 192.0.2.1").unwrap().matches(&udp));
        assert!(Filter::parse_words::<&str>(&[]).unwrap().matches(&[1, 2, 3]));
    }

    #[test]
    fn rejects_what_tcpdump_rejects() {
        assert_eq!(Filter::parse("icmp or").unwrap_err().near, "end of expression");
        assert_eq!(Filter::parse("icmpp").unwrap_err().near, "icmpp");
        assert_eq!(Filter::parse("port http").unwrap_err().near, "http");
        assert_eq!(Filter::parse("(arp").unwrap_err().near, "end of expression");
        assert_eq!(Filter::parse_words(&["arp", "icmp"]).unwrap_err().word, 1);
    }

    #[test]
    fn deep_nesting_is_refused_where_it_goes_too_deep() {
        let e = Filter::parse(&format!("{}icmp{}", "(".repeat(20_000), ")".repeat(20_000))).unwrap_err();
        assert_eq!(e.near, "(");
        assert!(e.why.contains("nested more than 256 deep"), "{e}");
        let e = Filter::parse_words(&["udp", "or", &"not ".repeat(30_000), "icmp"]).unwrap_err();
        assert_eq!((e.near.as_str(), e.word), ("not", 2));
        let e = Filter::parse(&format!("{}arp", "! ".repeat(300))).unwrap_err();
        assert_eq!(e.near, "!");
        // As deep as allowed still parses and matches.
        let ok = format!("{}arp{}", "(".repeat(MAX_DEPTH - 1), ")".repeat(MAX_DEPTH - 1));
        assert!(Filter::parse(&ok).unwrap().matches(&arp_frame()));
    }

    #[test]
    fn long_and_or_chains_stay_flat() {
        let words: Vec<&str> = ["udp", "and"].repeat(20_000).into_iter().chain(["port 67"]).collect();
        let f = Filter::parse_words(&words).unwrap();
        assert!(f.matches(&udp_frame(40000, 67)));
        let words: Vec<&str> = ["icmp", "or"].repeat(20_000).into_iter().chain(["arp"]).collect();
        let f = Filter::parse_words(&words).unwrap();
        assert!(f.matches(&arp_frame()));
        assert!(!f.matches(&udp_frame(1, 2)));
    }

    #[test]
    fn malformed_frames_do_not_match_or_panic() {
        let f = Filter::parse("icmp").unwrap();
        for n in 0..40 {
            let _ = f.matches(&udp_frame(1, 2)[..n]);
        }
        assert!(!f.matches(&[]));
    }

    #[test]
    fn a_limited_capture_keeps_its_count_and_stops() {
        let mut taps = Taps::default();
        let mut trace = Trace::default();
        let (node, port) = (NodeId(0), PortId(2));
        let arp = taps.add(node, port, Filter::parse("arp").unwrap());
        let all = taps.add(node, port, Filter::parse("").unwrap());
        taps.set_limit(arp, 2);
        let at = Instant::ZERO;
        for f in [udp_frame(1, 2), arp_frame(), udp_frame(3, 4), arp_frame(), arp_frame()] {
            taps.record(&mut trace, at, node, port, Direction::In, &f, || None);
        }
        let (a, b) = (taps.get(arp).unwrap(), taps.get(all).unwrap());
        assert_eq!((a.matched, a.active), (2, false), "two ARP frames, then stopped");
        assert_eq!((b.matched, b.active), (5, true), "the other capture on the port goes on");
        assert!(taps.is_tapped(node, port));
    }
}
