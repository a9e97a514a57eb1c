//! The `tcpdump -tnel` formatter: a frame in, the line tcpdump 4.99 prints out.
//!
//! Covered: Ethernet (`-e`), ARP, IPv4 with ICMP (echo, unreachable, time exceeded, …), UDP
//! and TCP (flags, relative sequence numbers, options), DHCP's one-line summary and HTTP's
//! first line on ports 80 and 8080 (`text`); with
//! `-v` ([`Options::verbose`]) also the IP header (`(tos 0x0, ttl 64, id …)`, options, a bad
//! header checksum), TCP's and ICMP's checksum checks, the packet inside an ICMP error, ARP's
//! address formats and DHCP's fields and options ([`bootp`]) — what `-v` prints on lines
//! of their own comes back in one string, the lines joined by `\n`; `-vv` adds UDP's
//! checksum check, DHCP's flags in hex and TCP's sequence numbers on every segment. The golden tests in
//! `tests/tcpdump_oracle.rs` at the workspace root feed the same frames to the real tcpdump
//! when it is installed. TCP's relative sequence numbers need state across lines, so a
//! [`Formatter`] belongs to one capture.
//!
//! With `-x`, `-X` or `-A` ([`Options::dump`]) the packet's bytes follow its line. A frame
//! cut short ends where tcpdump's printer ends: a check it makes prints ` [|proto]` in
//! place; a field it reads past the capture abandons the packet (`Cut`, tcpdump's longjmp),
//! and then the dump starts at the frame's first byte. TCP's printer is in `tcp.rs`.

pub mod bootp;
mod ip6;
mod tcp;
mod text;

use text::{ascii_print, hex_and_ascii_print, hex_print, http, printn};

use crate::capture::{Cooked, SLL2_HDR_LEN, pkttype};
use crate::mac::MacAddr;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::net::{IpAddr, Ipv4Addr};

/// What tcpdump 4.99 prints on stderr when it starts capturing on `iface` (with `-v` it does
/// not suggest `-v`); on `any` it first says that it captures Linux cooked frames.
pub fn start_lines(iface: &str, writes_file: bool, verbose: bool) -> Vec<String> {
    let any = iface == "any";
    let link = if any { "LINUX_SLL2 (Linux cooked v2)" } else { "EN10MB (Ethernet)" };
    let listening = format!("listening on {iface}, link-type {link}, snapshot length 262144 bytes");
    let mut lines = Vec::new();
    if any {
        lines.push(ANY_LINK_LINE.to_string());
    }
    if writes_file || verbose {
        lines.push(format!("tcpdump: {listening}"));
    } else {
        lines.push("tcpdump: verbose output suppressed, use -v[v]... for full protocol decode".into());
        lines.push(listening);
    }
    lines
}

/// tcpdump's first line on `any` (before it compiles the filter, so before a filter's error).
pub const ANY_LINK_LINE: &str = "tcpdump: data link type LINUX_SLL2";

/// What tcpdump prints on stderr when interrupted after capturing `captured` packets, of
/// which its filter passed `received` (more than it kept only on `any`, where `lo`'s
/// outgoing copies are counted and dropped).
pub fn end_lines(captured: u64, received: u64) -> Vec<String> {
    let s = |n: u64| if n == 1 { "" } else { "s" };
    vec![
        format!("{captured} packet{} captured", s(captured)),
        format!("{received} packet{} received by filter", s(received)),
        "0 packets dropped by kernel".into(),
    ]
}

/// Which of tcpdump's print options are on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// `-e`: print the link-level header.
    pub link_header: bool,
    /// Not `-t`: print a timestamp first.
    pub timestamp: bool,
    /// `-v`: how many (0 to 3; more is printed as 3).
    pub verbose: u8,
    /// `-x`, `-X` or `-A`: the packet's bytes after its line.
    pub dump: Dump,
}

impl Default for Options {
    fn default() -> Self {
        Options { link_header: true, timestamp: false, verbose: 0, dump: Dump::None }
    }
}

/// What tcpdump prints of a packet's bytes after its line (`pretty_print_packet`): from the
/// network header on, or with `link` (the flag doubled: `-xx`, `-XX`, `-AA`) from the frame's
/// first byte; with neither any bytes past the link header, nothing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Dump {
    /// No dump.
    #[default]
    None,
    /// `-x`: hex, 16 bytes a line.
    Hex {
        /// `-xx`: from the link-level header on.
        link: bool,
    },
    /// `-X`: hex and text side by side.
    HexAscii {
        /// `-XX`: from the link-level header on.
        link: bool,
    },
    /// `-A`: text.
    Ascii {
        /// `-AA`: from the link-level header on.
        link: bool,
    },
}

impl Dump {
    /// The dump tcpdump prints for its flags counted (`-X` wins over `-x`, which wins over
    /// `-A`; two of a flag or more mean the link-level header too).
    pub fn from_flags(x: u8, big_x: u8, a: u8) -> Dump {
        match (x, big_x, a) {
            (_, n @ 1.., _) => Dump::HexAscii { link: n > 1 },
            (n @ 1.., _, _) => Dump::Hex { link: n > 1 },
            (_, _, n @ 1..) => Dump::Ascii { link: n > 1 },
            _ => Dump::None,
        }
    }
}

type TcpKey = (IpAddr, u16, IpAddr, u16);

/// A printer read past the bytes captured where tcpdump reads with a `GET_` macro, which
/// abandons the whole packet (`nd_trunc_longjmp`): the line ends with ` [|proto]` and a
/// dump then starts at the frame's first byte (`ndo_ll_hdr_len = 0`). Truncation that
/// tcpdump finds with `ND_TCHECK` instead prints its mark in place and is not a `Cut`.
#[derive(Clone, Copy, Debug)]
struct Cut(&'static str);

/// `GET_`: at least `end` bytes of `b` were captured, or `proto`'s printer is cut.
fn need(b: &[u8], end: usize, proto: &'static str) -> Result<(), Cut> {
    if b.len() >= end { Ok(()) } else { Err(Cut(proto)) }
}

/// Formats the frames of one capture.
#[derive(Default, Debug)]
pub struct Formatter {
    opts: Options,
    tcp: BTreeMap<TcpKey, (u32, u32)>,
    /// How many ICMP errors deep `-v` is printing (each quotes the next).
    depth: u32,
}

fn ethertype_name(et: u16) -> &'static str {
    match et {
        0x0800 => "IPv4",
        0x0806 => "ARP",
        0x86dd => "IPv6",
        0x8100 => "802.1Q",
        _ => "Unknown",
    }
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*b.get(at)?, *b.get(at + 1)?]))
}
fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes([*b.get(at)?, *b.get(at + 1)?, *b.get(at + 2)?, *b.get(at + 3)?]))
}
fn ip4(b: &[u8], at: usize) -> Option<Ipv4Addr> {
    Some(Ipv4Addr::new(*b.get(at)?, *b.get(at + 1)?, *b.get(at + 2)?, *b.get(at + 3)?))
}

/// Formats a virtual timestamp as tcpdump's default `HH:MM:SS.micros` (the run starts at
/// midnight, 1970-01-01).
pub fn timestamp(nanos: u64) -> String {
    let us = nanos / 1_000;
    let s = us / 1_000_000;
    format!("{:02}:{:02}:{:02}.{:06}", (s / 3600) % 24, (s / 60) % 60, s % 60, us % 1_000_000)
}

impl Formatter {
    /// A formatter with the given options.
    pub fn new(opts: Options) -> Self {
        Formatter { opts, tcp: BTreeMap::new(), depth: 0 }
    }

    /// The line tcpdump prints for `frame`, seen at `nanos` of virtual time (with `-v` or a
    /// dump, its lines joined by `\n`).
    pub fn line(&mut self, nanos: u64, frame: &[u8]) -> String {
        self.line_of(nanos, frame, None)
    }

    /// The line for a frame of a capture: as seen on its interface, or — `cooked` given —
    /// on `any`, where tcpdump prints the `LINUX_SLL2` header libpcap made of it.
    pub fn line_of(&mut self, nanos: u64, frame: &[u8], cooked: Option<&Cooked>) -> String {
        let mut out = String::with_capacity(128);
        if self.opts.timestamp {
            out.push_str(&timestamp(nanos));
            out.push(' ');
        }
        let cut = match cooked {
            None => self.frame(&mut out, frame),
            Some(c) => self.cooked(&mut out, frame, c),
        }
        .err();
        if let Some(Cut(proto)) = cut {
            let _ = write!(out, " [|{proto}]");
        }
        if self.opts.dump == Dump::None {
            return out;
        }
        // The link-level header: the frame's first 14 bytes, or the cooked header libpcap
        // put in their place (built only for a dump).
        let sll2;
        let whole = match cooked {
            None => frame,
            Some(c) => {
                sll2 = c.sll2(frame);
                &sll2[..]
            }
        };
        // `ether_print` takes the first 14 bytes as its header, or all of a shorter frame;
        // a packet abandoned part-way is dumped whole.
        let body = if cut.is_some() { whole } else { frame.get(14..).unwrap_or_default() };
        match self.opts.dump {
            Dump::None => {}
            Dump::Hex { link: true } => hex_print(&mut out, "\n\t", whole),
            Dump::HexAscii { link: true } => hex_and_ascii_print(&mut out, "\n\t", whole),
            Dump::Ascii { link: true } => ascii_print(&mut out, whole),
            _ if body.is_empty() => {}
            Dump::Hex { .. } => hex_print(&mut out, "\n\t", body),
            Dump::HexAscii { .. } => hex_and_ascii_print(&mut out, "\n\t", body),
            Dump::Ascii { .. } => ascii_print(&mut out, body),
        }
        out
    }

    /// `ether_print` and what it calls: the line itself.
    fn frame(&mut self, out: &mut String, frame: &[u8]) -> Result<(), Cut> {
        if frame.len() < 14 {
            out.push_str(" [|ether]");
            return Ok(());
        }
        let dst = MacAddr::from_slice(frame).unwrap_or_default();
        let src = MacAddr::from_slice(&frame[6..]).unwrap_or_default();
        let et = u16::from_be_bytes([frame[12], frame[13]]);
        let payload = &frame[14..];
        if self.opts.link_header {
            let _ =
                write!(out, "{src} > {dst}, ethertype {} (0x{et:04x}), length {}: ", ethertype_name(et), frame.len());
        }
        match et {
            0x0806 => {
                arp(out, payload, self.opts.verbose > 0, self.opts.link_header)?;
            }
            0x0800 => self.ipv4(out, payload, None)?,
            0x86dd => self.ipv6(out, payload)?,
            _ => {
                if !self.opts.link_header {
                    let _ = write!(
                        out,
                        "{src} > {dst}, ethertype {} (0x{et:04x}), length {}: ",
                        ethertype_name(et),
                        frame.len()
                    );
                }
                // ND_DEFAULTPRINT: the payload in hex and ASCII — unless `-x` or `-X` dumps
                // the packet anyway.
                if !matches!(self.opts.dump, Dump::Hex { .. } | Dump::HexAscii { .. }) {
                    hex_and_ascii_print(out, "\n\t", payload);
                }
            }
        }
        Ok(())
    }

    /// `sll2_if_print`: the interface's name (`%-5s`) and the packet type (`%-3s`), with
    /// `-e` `sll2_print`'s header, then the packet by its Ethernet type.
    fn cooked(&mut self, out: &mut String, frame: &[u8], c: &Cooked) -> Result<(), Cut> {
        let dir = match c.pkttype {
            pkttype::HOST => "In",
            pkttype::BROADCAST => "B",
            pkttype::MULTICAST => "M",
            pkttype::OTHERHOST => "P",
            pkttype::OUTGOING => "Out",
            _ => "?",
        };
        let _ = write!(out, "{:<5} {dir:<3} ", c.ifname);
        let et = Cooked::protocol(frame);
        let payload = frame.get(14..).unwrap_or_default();
        let length = payload.len() + SLL2_HDR_LEN;
        let src = MacAddr::from_slice(frame.get(6..).unwrap_or_default()).unwrap_or_default();
        let sll2_print = |out: &mut String| {
            let _ = write!(out, "ifindex {} {src} ", c.ifindex);
            match et {
                0x0004 => out.push_str("802.2"),
                0x0001 => out.push_str("802.3"),
                0..=1500 => {
                    let _ = write!(out, "ethertype Unknown (0x{et:04x})");
                }
                _ => {
                    let _ = write!(out, "ethertype {} (0x{et:04x})", ethertype_name(et));
                }
            }
            let _ = write!(out, ", length {length}: ");
        };
        if self.opts.link_header {
            sll2_print(out);
        }
        match et {
            0x0806 => arp(out, payload, self.opts.verbose > 0, self.opts.link_header)?,
            0x0800 => self.ipv4(out, payload, None)?,
            0x86dd => self.ipv6(out, payload)?,
            _ => {
                if !self.opts.link_header {
                    sll2_print(out);
                }
                if !matches!(self.opts.dump, Dump::Hex { .. } | Dump::HexAscii { .. }) {
                    hex_and_ascii_print(out, "\n\t", payload);
                }
            }
        }
        Ok(())
    }

    /// `ip_print`: `p` holds the bytes captured; `inner` is `Some(ip_len)` for the packet
    /// an ICMP error quotes (its length is what its header says, its bytes what was quoted).
    fn ipv4(&mut self, out: &mut String, p: &[u8], inner: Option<usize>) -> Result<(), Cut> {
        need(p, 1, "ip")?;
        let ver = p[0] >> 4;
        let ihl = usize::from(p[0] & 0x0f) * 4;
        match ver {
            4 => {}
            6 => {
                out.push_str("IP6, wrong link-layer encapsulation (invalid)");
                return Ok(());
            }
            _ => {
                let _ = write!(out, "IP{ver} (invalid)");
                return Ok(());
            }
        }
        if !self.opts.link_header {
            out.push_str("IP ");
        }
        if p.len() < 20 {
            out.push_str(" [|ip]");
            return Ok(());
        }
        let total = usize::from(be16(p, 2).unwrap_or(0));
        let length = inner.unwrap_or(p.len());
        if length < 20 {
            let _ = write!(out, "truncated-ip {length}");
            return Ok(());
        }
        if ihl < 20 {
            let _ = write!(out, "bad-hlen {ihl}");
            return Ok(());
        }
        if length < total {
            let _ = write!(out, "truncated-ip - {} bytes missing! ", total - length);
        }
        if total < ihl {
            let _ = write!(out, "bad-len {total}");
            return Ok(());
        }
        // What is left of the packet: up to its own length, of what was captured.
        let end = total.min(p.len());
        let src = ip4(p, 12).unwrap_or(Ipv4Addr::UNSPECIFIED);
        let dst = ip4(p, 16).unwrap_or(Ipv4Addr::UNSPECIFIED);
        let proto = p[9];
        let frag_field = be16(p, 6).unwrap_or(0);
        let frag = frag_field & 0x1fff;
        if self.opts.verbose > 0 && !self.ip_header(out, p, ihl, end)? {
            let _ = write!(out, "{src} > {dst}:  [|ip]");
            return Ok(());
        }
        let l4 = if ihl <= end { &p[ihl..end] } else { &[][..] };
        // The payload's length as the header gives it (for a quoted packet, more than was
        // quoted).
        let l4_len = total - ihl;
        if frag != 0 {
            let _ = write!(out, "{src} > {dst}: ip-proto-{proto}");
            return Ok(());
        }
        let mf = frag_field & 0x2000 != 0;
        if proto != 6 && proto != 17 {
            let _ = write!(out, "{src} > {dst}: ");
        }
        if end < ihl {
            let _ = write!(out, " [remaining caplen({end}) < header length({ihl})]");
            return Err(Cut("ip"));
        }
        match proto {
            1 => self.icmp(out, l4, l4_len, mf),
            // A first fragment: the UDP length is the whole datagram's.
            17 => udp(out, (src.into(), dst.into()), l4, l4_len, mf, self.opts.verbose),
            6 => self.tcp(out, (src.into(), dst.into()), l4, l4_len, mf),
            _ => {
                let _ = write!(out, " ip-proto-{proto} {l4_len}");
                Ok(())
            }
        }
    }

    /// ICMP, and with `-v` its checksum check, the packet an error quotes and a multi-part
    /// extension's header (RFC 4884).
    fn icmp(&mut self, out: &mut String, m: &[u8], plen: usize, fragmented: bool) -> Result<(), Cut> {
        if !icmp(out, m, plen)? || self.opts.verbose == 0 {
            return Ok(());
        }
        if !fragmented && m.len() >= plen {
            let sum = internet_checksum(&m[..plen]);
            if sum != 0 {
                let field = be16(m, 2).unwrap_or(0);
                let _ = write!(out, " (wrong icmp cksum {field:x} (->{:x})!)", shouldbe(field, sum));
            }
        }
        let ty = m[0];
        // Errors quoting errors nest 28 bytes a level; past `MAX_DEPTH` (only a 64 KiB
        // packet on `lo` gets there) the quoted packet is not printed, where tcpdump would
        // go on until its stack ran out.
        const MAX_DEPTH: u32 = 100;
        if matches!(ty, 3 | 4 | 5 | 11 | 12) && self.depth < MAX_DEPTH {
            out.push_str("\n\t");
            let inner = m.get(8..).unwrap_or_default();
            match be16(inner, 2) {
                Some(ip_len) => {
                    let ip_len = usize::from(ip_len);
                    let quoted = &inner[..ip_len.min(inner.len())];
                    self.depth += 1;
                    let r = self.ipv4(out, quoted, Some(ip_len));
                    self.depth -= 1;
                    r?;
                }
                None => return Err(Cut("icmp")),
            }
        }
        const EXTD_MINLEN: usize = 136;
        // `struct icmp_ext_t` runs to its first data byte, 141 bytes in: tcpdump checks it.
        if plen > EXTD_MINLEN && matches!(ty, 3 | 11 | 12) {
            if m.len() < EXTD_MINLEN + 5 {
                out.push_str(" [|icmp]");
            } else {
                icmp_extension(out, m, plen)?;
            }
        }
        Ok(())
    }

    /// `-v`'s header: `(tos 0x0, ttl 64, id 1, offset 0, flags [DF], proto ICMP (1), length
    /// 84)` and the line break after it. False when its options are cut short (tcpdump then
    /// prints the addresses and `[|ip]`).
    fn ip_header(&self, out: &mut String, p: &[u8], ihl: usize, end: usize) -> Result<bool, Cut> {
        let tos = p[1];
        let _ = write!(out, "(tos 0x{tos:x}");
        out.push_str(match tos & 3 {
            1 => ",ECT(1)",
            2 => ",ECT(0)",
            3 => ",CE",
            _ => "",
        });
        if p[8] >= 1 {
            let _ = write!(out, ", ttl {}", p[8]);
        }
        let off = be16(p, 6).unwrap_or(0);
        let flags = bittok2str(u32::from(off), &[(0x2000, "+"), (0x4000, "DF"), (0x8000, "rsvd")]);
        let _ = write!(
            out,
            ", id {}, offset {}, flags [{flags}], proto {} ({}), length {}",
            be16(p, 4).unwrap_or(0),
            u32::from(off & 0x1fff) * 8,
            ipproto_name(p[9]),
            p[9],
            be16(p, 2).unwrap_or(0)
        );
        let mut whole = true;
        if ihl > 20 {
            out.push_str(", options (");
            let captured = p.get(20..ihl.min(end)).unwrap_or_default();
            whole = ip_options(out, captured, ihl - 20)?;
            if !whole {
                out.push_str(" [truncated-option]");
            }
            out.push(')');
        }
        if ihl <= end {
            let sum = internet_checksum(&p[..ihl]);
            if sum != 0 {
                let field = be16(p, 10).unwrap_or(0);
                let _ = write!(out, ", bad cksum {field:x} (->{:x})!", shouldbe(field, sum));
            }
        }
        out.push_str(")\n    ");
        Ok(whole)
    }
}

/// `udp_print`: `u` is what was captured of the datagram, `claimed` its length as the IP
/// header gives it.
fn udp(
    out: &mut String,
    (src, dst): (IpAddr, IpAddr),
    u: &[u8],
    claimed: usize,
    fragmented: bool,
    verbose: u8,
) -> Result<(), Cut> {
    let (Some(sport), Some(dport)) = (be16(u, 0), be16(u, 2)) else {
        let _ = write!(out, "{src} > {dst}:  [|udp]");
        return Ok(());
    };
    let ports = |out: &mut String| {
        let _ = write!(out, "{src}.{sport} > {dst}.{dport}: ");
    };
    // (An IPv6 address prints without brackets: `2001:db8::1.5000`.)
    if claimed < 8 {
        ports(out);
        let _ = write!(out, "truncated-udp {claimed}");
        return Ok(());
    }
    let Some(ulen) = be16(u, 4) else {
        ports(out);
        out.push_str(" [|udp]");
        return Ok(());
    };
    let ulen = usize::from(ulen);
    if ulen < 8 {
        ports(out);
        let _ = write!(out, "truncated-udplength {ulen}");
        return Ok(());
    }
    let (ulen, length) = (ulen - 8, claimed - 8);
    let length = length.min(ulen);
    ports(out);
    if u.len() < 8 {
        out.push_str(" [|udp]");
        return Ok(());
    }
    // The checksum, when the whole datagram was captured: IPv4's with `-vv` (0: none
    // sent), IPv6's (never optional) with `-v`.
    let check = if src.is_ipv4() { verbose > 1 } else { verbose > 0 };
    if check && !fragmented {
        let field = be16(u, 6).unwrap_or(0);
        if field == 0 && src.is_ipv4() {
            out.push_str("[no cksum] ");
        } else if let Some(whole) = u.get(..length + 8) {
            let sum = match (src, dst) {
                (IpAddr::V4(s), IpAddr::V4(d)) => transport_checksum(s, d, 17, whole),
                (s, d) => ip6::transport_checksum6(s, d, 17, whole),
            };
            if sum != 0 {
                let _ = write!(out, "[bad udp cksum 0x{field:04x} -> 0x{:04x}!] ", shouldbe(field, sum));
            } else {
                out.push_str("[udp sum ok] ");
            }
        }
    }
    if src.is_ipv4() && [sport, dport].iter().any(|p| *p == 67 || *p == 68) {
        let body = &u[8..(8 + length).min(u.len())];
        return bootp::print(out, body, length, verbose);
    }
    // udp_print checks the length only for a datagram that is not fragmented.
    if ulen > length && !fragmented {
        let _ = write!(out, "UDP, bad length {ulen} > {length}");
    } else {
        let _ = write!(out, "UDP, length {ulen}");
    }
    Ok(())
}

/// `icmp_print`: `m` is what was captured of the message, `plen` its length as the IP
/// header gives it; with `-v`, the checksum check and the packet an error quotes.
/// True when the line was printed; false when tcpdump's own check found the message cut
/// (` [|icmp]`).
fn icmp(out: &mut String, m: &[u8], plen: usize) -> Result<bool, Cut> {
    need(m, 2, "icmp")?;
    let ty = m[0];
    let code = m[1];
    // What tcpdump checks with ND_TCHECK first, and what it then reads with GET_ (the
    // quoted packet's destination ends at 28; a port unreachable reads the quoted port).
    let (check, get) = match (ty, code) {
        (0 | 8 | 13, _) => (0, 8),
        (3, 3) => (18, (8 + usize::from(m.get(8).map_or(5, |b| b & 0x0f)) * 4 + 4).max(28)),
        (3 | 5, _) => (0, 28),
        (11, _) => (28, 0),
        (12, 0) => (0, 5),
        (18, _) => (0, 12),
        _ => (0, 0),
    };
    if m.len() < check {
        out.push_str(" [|icmp]");
        return Ok(false);
    }
    need(m, get, "icmp")?;
    let inner_dst = ip4(m, 8 + 16);
    let body = match ty {
        0 | 8 => format!(
            "echo {}, id {}, seq {}",
            if ty == 8 { "request" } else { "reply" },
            be16(m, 4).unwrap_or(0),
            be16(m, 6).unwrap_or(0)
        ),
        3 => {
            let d = inner_dst.map(|a| a.to_string()).unwrap_or_default();
            match code {
                0 => format!("net {d} unreachable"),
                1 => format!("host {d} unreachable"),
                2 => format!("{d} protocol {} unreachable", m.get(8 + 9).copied().unwrap_or(0)),
                3 => {
                    let ihl = usize::from(m.get(8).copied().unwrap_or(0x45) & 0x0f) * 4;
                    let proto = m.get(8 + 9).copied().unwrap_or(0);
                    let dport = be16(m, 8 + ihl + 2).unwrap_or(0);
                    match proto {
                        6 => format!("{d} tcp port {dport} unreachable"),
                        17 => format!("{d} udp port {dport} unreachable"),
                        _ => format!("{d} protocol {proto} port {dport} unreachable"),
                    }
                }
                4 => match be16(m, 6).unwrap_or(0) {
                    0 => format!("{d} unreachable - need to frag"),
                    mtu => format!("{d} unreachable - need to frag (mtu {mtu})"),
                },
                5 => format!("{d} unreachable - source route failed"),
                6 => format!("net {d} unreachable - unknown"),
                7 => format!("host {d} unreachable - unknown"),
                8 => format!("{d} unreachable - source host isolated"),
                9 => format!("net {d} unreachable - admin prohibited"),
                10 => format!("host {d} unreachable - admin prohibited"),
                11 => format!("net {d} unreachable - tos prohibited"),
                12 => format!("host {d} unreachable - tos prohibited"),
                13 => format!("host {d} unreachable - admin prohibited filter"),
                14 => format!("host {d} unreachable - host precedence violation"),
                15 => format!("host {d} unreachable - precedence cutoff"),
                c => format!("{d} unreachable - #{c}"),
            }
        }
        11 => match code {
            0 => "time exceeded in-transit".to_string(),
            1 => "ip reassembly time exceeded".to_string(),
            c => format!("time exceeded-#{c}"),
        },
        5 => {
            let d = inner_dst.unwrap_or(Ipv4Addr::UNSPECIFIED);
            let gw = ip4(m, 4).unwrap_or(Ipv4Addr::UNSPECIFIED);
            match code {
                0 => format!("redirect {d} to net {gw}"),
                1 => format!("redirect {d} to host {gw}"),
                2 => format!("redirect-tos {d} to net {gw}"),
                3 => format!("redirect-tos {d} to host {gw}"),
                c => format!("redirect-#{c} {d} to {gw}"),
            }
        }
        12 if code != 0 => format!("parameter problem - code {code}"),
        12 => format!("parameter problem - octet {}", m[4]),
        13 => format!("time stamp query id {} seq {}", be16(m, 4).unwrap_or(0), be16(m, 6).unwrap_or(0)),
        18 => format!("address mask is 0x{:08x}", be32(m, 8).unwrap_or(0)),
        // icmp2str. Router advertisements (9) and time stamp replies (14) have printers of
        // their own in tcpdump, not here: they print as `type-#N`.
        4 => "source quench".to_string(),
        10 => "router solicitation".to_string(),
        15 => "information request".to_string(),
        16 => "information reply".to_string(),
        17 => "address mask request".to_string(),
        t => format!("type-#{t}"),
    };
    let _ = write!(out, "ICMP {body}, length {plen}");
    Ok(true)
}

/// `arp_print` (not ATM's): `a` is what was captured of the packet, `ARP, ` first without
/// `-e`; with `-v` the address formats come first. Any field not captured abandons the
/// packet (print-arp.c longjmps from its checks).
fn arp(out: &mut String, a: &[u8], verbose: bool, link_header: bool) -> Result<(), Cut> {
    need(a, 8, "arp")?;
    let hrd = be16(a, 0).unwrap_or(0);
    let pro = be16(a, 2).unwrap_or(0);
    let (hln, pln) = (usize::from(a[4]), usize::from(a[5]));
    let op = be16(a, 6).unwrap_or(0);
    need(a, 8 + 2 * hln + 2 * pln, "arp")?;
    let (sha, spa) = (&a[8..8 + hln], &a[8 + hln..8 + hln + pln]);
    let (tha, tpa) = (&a[8 + hln + pln..8 + 2 * hln + pln], &a[8 + 2 * hln + pln..8 + 2 * hln + 2 * pln]);
    if !link_header {
        out.push_str("ARP, ");
    }
    let ip = pro == 0x0800 || pro == 0x1000;
    if !ip || pln != 4 || hln == 0 || verbose {
        match hrd {
            1 => out.push_str("Ethernet"),
            6 => out.push_str("TokenRing"),
            7 => out.push_str("ArcNet"),
            15 => out.push_str("FrameRelay"),
            19 => out.push_str("ATM"),
            23 => out.push_str("Strip"),
            24 => out.push_str("IEEE 1394"),
            32 => out.push_str("InfiniBand"),
            h => {
                let _ = write!(out, "Unknown Hardware ({h})");
            }
        }
        let _ = write!(out, " (len {hln}), ");
        match pro {
            0x0800 => out.push_str("IPv4"),
            0x0806 => out.push_str("ARP"),
            0x86dd => out.push_str("IPv6"),
            0x8100 => out.push_str("802.1Q"),
            0x1000 => out.push_str("Trail"),
            p => {
                let _ = write!(out, "Unknown Protocol (0x{p:04x})");
            }
        }
        let _ = write!(out, " (len {pln})");
        if !verbose {
            let _ = write!(out, ", length {}", a.len());
            return Ok(());
        }
        out.push_str(", ");
    }
    // `tpaddr_print_ip`/`spaddr_print_ip` and `GET_LINKADDR_STRING`.
    let paddr = |out: &mut String, p: &[u8]| {
        if !ip {
            out.push_str("<wrong proto type>");
        } else if pln != 4 {
            out.push_str("<wrong len>");
        } else {
            let _ = write!(out, "{}", Ipv4Addr::new(p[0], p[1], p[2], p[3]));
        }
    };
    let haddr = |out: &mut String, h: &[u8]| {
        for (i, b) in h.iter().enumerate() {
            let _ = write!(out, "{}{b:02x}", if i > 0 { ":" } else { "" });
        }
    };
    match op {
        1 => {
            out.push_str("Request who-has ");
            paddr(out, tpa);
            if tha.iter().any(|&b| b != 0) {
                out.push_str(" (");
                haddr(out, tha);
                out.push(')');
            }
            out.push_str(" tell ");
            paddr(out, spa);
        }
        2 => {
            out.push_str("Reply ");
            paddr(out, spa);
            out.push_str(" is-at ");
            haddr(out, sha);
        }
        3 | 8 => {
            out.push_str(if op == 3 { "Reverse Request who-is " } else { "Inverse Request who-is " });
            haddr(out, tha);
            out.push_str(" tell ");
            haddr(out, sha);
        }
        4 => {
            out.push_str("Reverse Reply ");
            haddr(out, tha);
            out.push_str(" at ");
            paddr(out, tpa);
        }
        9 => {
            out.push_str("Inverse Reply ");
            haddr(out, sha);
            out.push_str(" at ");
            paddr(out, spa);
        }
        _ => {
            // ND_DEFAULTPRINT: the packet in hex, and no length.
            out.push_str(if op == 10 { "NACK Reply " } else { "" });
            if op != 10 {
                let _ = write!(out, "Unknown ({op}) ");
            }
            hex_and_ascii_print(out, "\n\t", a);
            return Ok(());
        }
    }
    let _ = write!(out, ", length {}", a.len());
    Ok(())
}

/// The Internet checksum over `data` (etherparse's sum): 0 when a checksum inside it is
/// right (`in_cksum`).
fn internet_checksum(data: &[u8]) -> u16 {
    etherparse::checksum::Sum16BitWords::new().add_slice(data).ones_complement().to_be()
}

/// The same over the IPv4 pseudo-header and `segment` (`nextproto4_cksum`).
fn transport_checksum(src: Ipv4Addr, dst: Ipv4Addr, proto: u8, segment: &[u8]) -> u16 {
    etherparse::checksum::Sum16BitWords::new()
        .add_4bytes(src.octets())
        .add_4bytes(dst.octets())
        .add_2bytes([0, proto])
        .add_2bytes((segment.len() as u16).to_be_bytes())
        .add_slice(segment)
        .ones_complement()
        .to_be()
}

/// `bittok2str`: the names of the bits set in `v`, in the table's order, `, ` between them
/// (`none` when no bit is).
fn bittok2str(v: u32, toks: &[(u32, &str)]) -> String {
    let names: Vec<&str> = toks.iter().filter(|(m, _)| v & m != 0).map(|(_, n)| *n).collect();
    if names.is_empty() { "none".to_string() } else { names.join(", ") }
}

/// What the checksum field should have held (`in_cksum_shouldbe`).
fn shouldbe(field: u16, computed: u16) -> u16 {
    let mut v = u32::from(field) + u32::from(computed);
    v = (v & 0xffff) + (v >> 16);
    v = (v & 0xffff) + (v >> 16);
    v as u16
}

/// `ipproto_values`: the protocol's name in `-v`'s IP header.
fn ipproto_name(p: u8) -> &'static str {
    match p {
        0 => "Options",
        1 => "ICMP",
        2 => "IGMP",
        4 => "IPIP",
        6 => "TCP",
        8 => "EGP",
        9 => "IGRP",
        17 => "UDP",
        33 => "DCCP",
        41 => "IPv6",
        43 => "Routing",
        44 => "Fragment",
        46 => "RSVP",
        47 => "GRE",
        50 => "ESP",
        51 => "AH",
        55 => "Mobile IP",
        58 => "ICMPv6",
        62 => "Mobile IP (old)",
        88 => "EIGRP",
        89 => "OSPF",
        103 => "PIM",
        108 => "Compressed IP",
        112 => "VRRP",
        113 => "PGM",
        132 => "SCTP",
        135 => "Mobility",
        143 => "Ethernet",
        _ => "unknown",
    }
}

/// `ip_optprint`: `o` is what was captured of the options, `length` what the header
/// claims. False when an option was not captured whole (` [truncated-option]`); a code or
/// length byte not captured is a cut.
fn ip_options(out: &mut String, o: &[u8], mut length: usize) -> Result<bool, Cut> {
    let mut sep = "";
    let mut at = 0;
    while length > 0 {
        out.push_str(sep);
        sep = ",";
        need(o, at + 1, "ip")?;
        let code = o[at];
        match code {
            0 => out.push_str("EOL"),
            1 => out.push_str("NOP"),
            68 => out.push_str("timestamp"),
            130 => out.push_str("security"),
            7 => out.push_str("RR"),
            137 => out.push_str("SSRR"),
            131 => out.push_str("LSRR"),
            148 => out.push_str("RA"),
            82 => out.push_str("traceroute"),
            c => {
                let _ = write!(out, "unknown {c}");
            }
        }
        let len = if code <= 1 {
            1
        } else {
            need(o, at + 2, "ip")?;
            let l = usize::from(o[at + 1]);
            if l < 2 {
                let _ = write!(out, " [bad length {l}]");
                return Ok(true);
            }
            l
        };
        if len > length {
            let _ = write!(out, " [bad length {len}]");
            return Ok(true);
        }
        let Some(opt) = o.get(at..at + len) else { return Ok(false) };
        match code {
            0 => return Ok(true),
            68 if !ip_timestamp(out, opt) => return Ok(false),
            7 | 131 | 137 => ip_route(out, opt),
            148 => {
                if len < 4 {
                    let _ = write!(out, " [bad length {len}]");
                } else if be16(opt, 2) != Some(0) {
                    let _ = write!(out, " value {}", be16(opt, 2).unwrap_or(0));
                }
            }
            _ => {}
        }
        at += len;
        length -= len;
    }
    Ok(true)
}

/// `ip_printroute`: the addresses of a record-route or source-route option.
fn ip_route(out: &mut String, o: &[u8]) {
    let length = o.len();
    if length < 3 {
        let _ = write!(out, " [bad length {length}]");
        return;
    }
    if !(length + 1).is_multiple_of(4) {
        let _ = write!(out, " [bad length {length}]");
    }
    let ptr = usize::from(o[2]).wrapping_sub(1);
    if !(3..=length + 1).contains(&ptr) || !(ptr + 1).is_multiple_of(4) {
        let _ = write!(out, " [bad ptr {}]", o[2]);
    }
    let mut len = 3;
    while len < length {
        let Some(a) = ip4(o, len) else { return };
        let _ = write!(out, " {a}");
        if ptr > len {
            out.push(',');
        }
        len += 4;
    }
}

/// `ip_printts`: a timestamp option. False when it is cut short.
fn ip_timestamp(out: &mut String, o: &[u8]) -> bool {
    let length = o.len();
    if length < 4 {
        let _ = write!(out, "[bad length {length}]");
        return true;
    }
    out.push_str(" TS{");
    let kind = o[3] & 0x0f;
    let hoplen = if kind != 0 { 8 } else { 4 };
    if (length - 4) & (hoplen - 1) != 0 {
        let _ = write!(out, "[bad length {length}]");
    }
    let ptr = usize::from(o[2]).wrapping_sub(1);
    if ptr < 4 || (ptr - 4) & (hoplen - 1) != 0 || ptr > length + 1 {
        let _ = write!(out, "[bad ptr {}]", o[2]);
    }
    let mut len = 0;
    let known = match kind {
        0 => Some("TSONLY"),
        1 => Some("TS+ADDR"),
        3 => Some("PRESPEC"),
        _ => None,
    };
    match known {
        Some(name) => {
            out.push_str(name);
            len = 4;
            while len < length {
                let ty = if ptr == len { " ^ " } else { " " };
                let Some(hop) = o.get(len..len + hoplen) else { return false };
                let _ = write!(out, "{ty}{}@", be32(hop, hoplen - 4).unwrap_or(0));
                if hoplen == 8 {
                    let _ = write!(out, "{}", ip4(hop, 0).unwrap_or(Ipv4Addr::UNSPECIFIED));
                }
                len += hoplen;
            }
        }
        None => {
            let _ = write!(out, "[bad ts type {kind}]");
        }
    }
    if ptr == len {
        out.push_str(" ^ ");
    }
    if o[3] >> 4 != 0 {
        let _ = write!(out, " [{} hops not recorded]}} ", o[3] >> 4);
    } else {
        out.push('}');
    }
    true
}

/// The multi-part extension of an ICMP error (RFC 4884), as `icmp_print` looks for it
/// after 128 bytes of the original datagram.
fn icmp_extension(out: &mut String, m: &[u8], plen: usize) -> Result<(), Cut> {
    const EXTD_MINLEN: usize = 136;
    let ext = &m[EXTD_MINLEN..plen.min(m.len())];
    if m[5] == 0 && m.len() >= plen && internet_checksum(ext) != 0 {
        return Ok(());
    }
    let Some(&vr) = ext.first() else { return Ok(()) };
    let version = vr >> 4;
    let _ = write!(out, "\n\tICMP Multi-Part extension v{version}");
    if version != 2 {
        out.push_str(" packet not supported");
        return Ok(());
    }
    let hlen = plen - EXTD_MINLEN;
    if m.len() >= plen {
        let _ = write!(
            out,
            ", checksum 0x{:04x} ({}correct), length {hlen}",
            be16(ext, 2).unwrap_or(0),
            if internet_checksum(ext) != 0 { "in" } else { "" }
        );
    }
    let mut left = hlen.saturating_sub(4);
    let mut at = 4;
    while left > 4 {
        let (Some(tlen), Some(&class), Some(&ctype)) = (be16(ext, at), ext.get(at + 2), ext.get(at + 3)) else {
            out.push_str(" [|icmp]");
            return Ok(());
        };
        let name = if class == 1 { "MPLS Stack Entry" } else { "unknown" };
        let _ = write!(out, "\n\t  {name} Object ({class}), Class-Type: {ctype}, length {tlen}");
        at += 4;
        left -= 4;
        let tlen = usize::from(tlen);
        if class == 0 || tlen < 4 {
            return Ok(());
        }
        let tlen = tlen - 4;
        let body = ext.get(at..).unwrap_or_default();
        match (class, ctype) {
            (1, 1) => {
                // GET_BE_U_4: a label not captured abandons the packet.
                let raw = be32(body, 0).ok_or(Cut("icmp"))?;
                let _ = write!(out, "\n\t    label {}, tc {}", raw >> 12, (raw >> 9) & 7);
                if raw & 0x100 != 0 {
                    out.push_str(", [S]");
                }
                let _ = write!(out, ", ttl {}", raw & 0xff);
            }
            _ => hex_print(out, "\n\t    ", &body[..tlen.min(body.len())]),
        }
        if left < tlen {
            break;
        }
        left -= tlen;
        at += tlen;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
