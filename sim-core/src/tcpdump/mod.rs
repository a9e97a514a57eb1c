//! The `tcpdump -tnel` formatter: a frame in, the line tcpdump 4.99 prints out.
//!
//! Covered: Ethernet (`-e`), ARP, IPv4 with ICMP (echo, unreachable, time exceeded, …), UDP
//! and TCP (flags, relative sequence numbers, options), DHCP's one-line summary and HTTP's
//! first line on ports 80 and 8080 (`text`); with
//! `-v` ([`Options::verbose`]) also the IP header (`(tos 0x0, ttl 64, id …)`, options, a bad
//! header checksum), TCP's and ICMP's checksum checks, the packet inside an ICMP error, ARP's
//! address formats and DHCP's fields and options ([`bootp`]) — what `-v` prints on lines
//! of their own comes back in one string, the lines joined by `\n`. The golden tests in
//! `tests/tcpdump_oracle.rs` at the workspace root feed the same frames to the real tcpdump
//! when it is installed. TCP's relative sequence numbers need state across lines, so a
//! [`Formatter`] belongs to one capture.

pub mod bootp;
mod text;

use text::{hex_print, http, printn};

use crate::mac::MacAddr;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::net::Ipv4Addr;

/// What tcpdump 4.99 prints on stderr when it starts capturing on `iface` (with `-v` it does
/// not suggest `-v`).
pub fn start_lines(iface: &str, writes_file: bool, verbose: bool) -> Vec<String> {
    let listening = format!("listening on {iface}, link-type EN10MB (Ethernet), snapshot length 262144 bytes");
    if writes_file || verbose {
        vec![format!("tcpdump: {listening}")]
    } else {
        vec!["tcpdump: verbose output suppressed, use -v[v]... for full protocol decode".into(), listening]
    }
}

/// What tcpdump prints on stderr when interrupted after capturing `n` packets.
pub fn end_lines(n: u64) -> Vec<String> {
    let s = if n == 1 { "" } else { "s" };
    vec![
        format!("{n} packet{s} captured"),
        format!("{n} packet{s} received by filter"),
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
    /// `-v`: how many (0 or 1; more is printed as 1).
    pub verbose: u8,
}

impl Default for Options {
    fn default() -> Self {
        Options { link_header: true, timestamp: false, verbose: 0 }
    }
}

type TcpKey = (Ipv4Addr, u16, Ipv4Addr, u16);

/// Formats the frames of one capture.
#[derive(Default, Debug)]
pub struct Formatter {
    opts: Options,
    tcp: BTreeMap<TcpKey, (u32, u32)>,
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
        Formatter { opts, tcp: BTreeMap::new() }
    }

    /// The line tcpdump prints for `frame`, seen at `nanos` of virtual time.
    pub fn line(&mut self, nanos: u64, frame: &[u8]) -> String {
        let mut out = String::with_capacity(128);
        if self.opts.timestamp {
            out.push_str(&timestamp(nanos));
            out.push(' ');
        }
        if frame.len() < 14 {
            out.push_str("[|ether]");
            return out;
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
                if !self.opts.link_header {
                    out.push_str("ARP, ");
                }
                arp(&mut out, payload, self.opts.verbose > 0);
            }
            0x0800 => self.ipv4(&mut out, payload, None),
            _ => {
                if !self.opts.link_header {
                    let _ = write!(
                        out,
                        "{src} > {dst}, ethertype {} (0x{et:04x}), length {}: ",
                        ethertype_name(et),
                        frame.len()
                    );
                }
            }
        }
        out
    }

    /// `ip_print`: `p` holds the bytes captured; `inner` is `Some(ip_len)` for the packet
    /// an ICMP error quotes (its length is what its header says, its bytes what was quoted).
    fn ipv4(&mut self, out: &mut String, p: &[u8], inner: Option<usize>) {
        if !self.opts.link_header {
            out.push_str("IP ");
        }
        if p.len() < 20 {
            // (Inside an ICMP error, tcpdump's truncation mark has its space.)
            out.push_str(if inner.is_some() { " [|ip]" } else { "[|ip]" });
            return;
        }
        let ver = p[0] >> 4;
        let ihl = usize::from(p[0] & 0x0f) * 4;
        if ver != 4 {
            let _ = write!(out, "IP{ver} ");
            out.push_str("[|ip]");
            return;
        }
        let total = usize::from(be16(p, 2).unwrap_or(0));
        let length = inner.unwrap_or(p.len());
        if length < 20 {
            let _ = write!(out, "truncated-ip {length}");
            return;
        }
        if ihl < 20 {
            let _ = write!(out, "bad-hlen {ihl}");
            return;
        }
        if length < total {
            let _ = write!(out, "truncated-ip - {} bytes missing! ", total - length);
        }
        if total < ihl {
            let _ = write!(out, "bad-len {total}");
            return;
        }
        // What is left of the packet: up to its own length, of what was captured.
        let end = total.min(p.len());
        let src = ip4(p, 12).unwrap_or(Ipv4Addr::UNSPECIFIED);
        let dst = ip4(p, 16).unwrap_or(Ipv4Addr::UNSPECIFIED);
        let proto = p[9];
        let frag_field = be16(p, 6).unwrap_or(0);
        let frag = frag_field & 0x1fff;
        if self.opts.verbose > 0 && !self.ip_header(out, p, ihl, end) {
            let _ = write!(out, "{src} > {dst}:  [|ip]");
            return;
        }
        let l4 = if ihl <= end { &p[ihl..end] } else { &[][..] };
        // The payload's length as the header gives it (for a quoted packet, more than was
        // quoted).
        let l4_len = total - ihl;
        if frag != 0 {
            let _ = write!(out, "{src} > {dst}: ip-proto-{proto}");
            return;
        }
        let mf = frag_field & 0x2000 != 0;
        match proto {
            1 => {
                let _ = write!(out, "{src} > {dst}: ");
                self.icmp(out, l4, l4_len, mf);
            }
            // A first fragment: the UDP length is the whole datagram's.
            17 => udp(out, (src, dst), l4, l4_len, mf, self.opts.verbose > 0),
            6 => self.tcp(out, (src, dst), l4, l4_len, mf),
            _ => {
                let _ = write!(out, "{src} > {dst}:  ip-proto-{proto} {}", l4_len);
            }
        }
    }

    /// ICMP, and with `-v` its checksum check, the packet an error quotes and a multi-part
    /// extension's header (RFC 4884).
    fn icmp(&mut self, out: &mut String, m: &[u8], plen: usize, fragmented: bool) {
        icmp(out, m, plen);
        if self.opts.verbose == 0 || m.len() < 4 {
            return;
        }
        if !fragmented && m.len() >= plen {
            let sum = internet_checksum(&m[..plen]);
            if sum != 0 {
                let field = be16(m, 2).unwrap_or(0);
                let _ = write!(out, " (wrong icmp cksum {field:x} (->{:x})!)", shouldbe(field, sum));
            }
        }
        let ty = m[0];
        if matches!(ty, 3 | 4 | 5 | 11 | 12) {
            out.push_str("\n\t");
            let inner = m.get(8..).unwrap_or_default();
            match be16(inner, 2) {
                Some(ip_len) => {
                    let ip_len = usize::from(ip_len);
                    let quoted = &inner[..ip_len.min(inner.len())];
                    self.ipv4(out, quoted, Some(ip_len));
                }
                None => out.push_str(" [|icmp]"),
            }
        }
        const EXTD_MINLEN: usize = 136;
        if plen > EXTD_MINLEN && matches!(ty, 3 | 11 | 12) && m.len() > EXTD_MINLEN {
            icmp_extension(out, m, plen);
        }
    }

    /// `-v`'s header: `(tos 0x0, ttl 64, id 1, offset 0, flags [DF], proto ICMP (1), length
    /// 84)` and the line break after it. False when its options are cut short (tcpdump then
    /// prints the addresses and `[|ip]`).
    fn ip_header(&self, out: &mut String, p: &[u8], ihl: usize, end: usize) -> bool {
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
        let mut flags: Vec<&str> = Vec::new();
        for (bit, name) in [(0x2000u16, "+"), (0x4000, "DF"), (0x8000, "rsvd")] {
            if off & bit != 0 {
                flags.push(name);
            }
        }
        let flags = if flags.is_empty() { "none".to_string() } else { flags.join(", ") };
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
            whole = match p.get(20..ihl) {
                Some(o) => ip_options(out, o),
                None => false,
            };
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
        whole
    }

    /// `tcp_print`: `t` is what was captured of the segment, `seg_len` its length as the IP
    /// header gives it; `fragmented` when more fragments follow.
    fn tcp(&mut self, out: &mut String, (src, dst): (Ipv4Addr, Ipv4Addr), t: &[u8], seg_len: usize, fragmented: bool) {
        let (Some(sport), Some(dport)) = (be16(t, 0), be16(t, 2)) else {
            let _ = write!(out, "{src} > {dst}: [|tcp]");
            return;
        };
        let _ = write!(out, "{src}.{sport} > {dst}.{dport}: ");
        if t.len() < 20 {
            out.push_str(if self.opts.verbose > 0 { " [|tcp]" } else { "[|tcp]" });
            return;
        }
        let mut seq = be32(t, 4).unwrap_or(0);
        let mut ack = be32(t, 8).unwrap_or(0);
        let hlen = usize::from(t[12] >> 4) * 4;
        let flags = t[13];
        let win = be16(t, 14).unwrap_or(0);
        let urg = be16(t, 18).unwrap_or(0);
        if hlen < 20 || hlen > t.len() {
            let _ = write!(out, "bad hdr length {hlen} - too short, < 20");
            return;
        }
        let length = seg_len.saturating_sub(hlen) as u32;
        // Relative sequence numbers, as print-tcp.c keeps them: state is created by the
        // first packet of a conversation that carries ACK (or any SYN), keyed by the
        // address/port pair in a canonical order.
        if flags & 0x10 != 0 {
            let rev = (src.octets(), sport) > (dst.octets(), dport);
            let key = if rev { (dst, dport, src, sport) } else { (src, sport, dst, dport) };
            match self.tcp.get(&key) {
                Some(&(s, a)) if flags & 0x02 == 0 => {
                    if rev {
                        seq = seq.wrapping_sub(a);
                        ack = ack.wrapping_sub(s);
                    } else {
                        seq = seq.wrapping_sub(s);
                        ack = ack.wrapping_sub(a);
                    }
                }
                _ => {
                    let st = if rev { (ack.wrapping_sub(1), seq) } else { (seq, ack.wrapping_sub(1)) };
                    self.tcp.insert(key, st);
                }
            }
        }
        out.push_str("Flags [");
        const NAMES: [(u8, char); 8] =
            [(0x01, 'F'), (0x02, 'S'), (0x04, 'R'), (0x08, 'P'), (0x10, '.'), (0x20, 'U'), (0x40, 'E'), (0x80, 'W')];
        let mut any = false;
        for (bit, c) in NAMES {
            if flags & bit != 0 {
                out.push(c);
                any = true;
            }
        }
        if !any {
            out.push_str("none");
        }
        out.push(']');
        if self.opts.verbose > 0 && !fragmented && t.len() >= seg_len {
            // tcp_cksum: the pseudo-header's sum and the segment's, as it stands.
            let sum = transport_checksum(src, dst, 6, &t[..seg_len]);
            let field = be16(t, 16).unwrap_or(0);
            let _ = write!(out, ", cksum 0x{field:04x}");
            if sum != 0 {
                let _ = write!(out, " (incorrect -> 0x{:04x})", shouldbe(field, sum));
            } else {
                out.push_str(" (correct)");
            }
        }
        if length > 0 || flags & 0x07 != 0 {
            let _ = write!(out, ", seq {seq}");
            if length > 0 {
                let _ = write!(out, ":{}", seq.wrapping_add(length));
            }
        }
        if flags & 0x10 != 0 {
            let _ = write!(out, ", ack {ack}");
        }
        let _ = write!(out, ", win {win}");
        if flags & 0x20 != 0 {
            let _ = write!(out, ", urg {urg}");
        }
        if hlen > 20 {
            out.push_str(", options [");
            tcp_options(out, &t[20..hlen]);
            out.push(']');
        }
        let _ = write!(out, ", length {length}");
        if length == 0 {
            return;
        }
        let data = t.get(hlen..).unwrap_or_default();
        if flags & 0x04 != 0 && self.opts.verbose > 0 {
            // print_tcp_rst_data: up to 30 bytes of what a RST carries.
            let n = (length as usize).min(30);
            out.push_str(if data.len() >= length as usize { " [RST" } else { " [!RST" });
            out.push_str(if length > 30 { "+ " } else { " " });
            printn(out, &data[..n.min(data.len())]);
            out.push(']');
            return;
        }
        if [sport, dport].iter().any(|p| *p == 80 || *p == 8080) {
            out.push_str(": ");
            http(out, data, length as usize, self.opts.verbose > 0);
        }
    }
}

fn tcp_options(out: &mut String, mut o: &[u8]) {
    let mut first = true;
    while let Some(&kind) = o.first() {
        if !first {
            out.push(',');
        }
        first = false;
        match kind {
            0 => {
                out.push_str("eol");
                break;
            }
            1 => {
                out.push_str("nop");
                o = &o[1..];
                continue;
            }
            _ => {}
        }
        let Some(&len) = o.get(1) else {
            out.push_str("[|tcp]");
            return;
        };
        let len = usize::from(len);
        if len < 2 || len > o.len() {
            let _ = write!(out, "opt-{kind}:[bad opt]");
            return;
        }
        let body = &o[2..len];
        match (kind, len) {
            (2, 4) => {
                let _ = write!(out, "mss {}", be16(body, 0).unwrap_or(0));
            }
            (3, 3) => {
                let _ = write!(out, "wscale {}", body[0]);
            }
            (4, 2) => out.push_str("sackOK"),
            (8, 10) => {
                let _ = write!(out, "TS val {} ecr {}", be32(body, 0).unwrap_or(0), be32(body, 4).unwrap_or(0));
            }
            (5, _) => {
                let _ = write!(out, "sack {} ", body.len() / 8);
                for ch in body.chunks_exact(8) {
                    let _ = write!(out, "{{{}:{}}}", be32(ch, 0).unwrap_or(0), be32(ch, 4).unwrap_or(0));
                }
            }
            _ => {
                let _ = write!(out, "unknown-{kind}");
                for b in body {
                    let _ = write!(out, " 0x{b:02x}");
                }
            }
        }
        o = &o[len..];
    }
}

/// `udp_print`: `u` is what was captured of the datagram, `claimed` its length as the IP
/// header gives it.
fn udp(out: &mut String, (src, dst): (Ipv4Addr, Ipv4Addr), u: &[u8], claimed: usize, fragmented: bool, verbose: bool) {
    let (Some(sport), Some(dport), Some(ulen)) = (be16(u, 0), be16(u, 2), be16(u, 4)) else {
        let _ = write!(out, "{src} > {dst}: [|udp]");
        return;
    };
    let _ = write!(out, "{src}.{sport} > {dst}.{dport}: ");
    let ulen = usize::from(ulen);
    if ulen < 8 {
        let _ = write!(out, "UDP, bad length {ulen} < 8");
        return;
    }
    let length = claimed.saturating_sub(8).min(ulen - 8);
    if ulen - 8 > length {
        // udp_print checks the length only for a datagram that is not fragmented.
        if fragmented {
            let _ = write!(out, "UDP, length {}", ulen - 8);
        } else {
            let _ = write!(out, "UDP, bad length {} > {}", ulen - 8, length);
        }
        return;
    }
    let body = u.get(8..(8 + length).min(u.len())).unwrap_or_default();
    if (sport == 67 || sport == 68 || dport == 67 || dport == 68) && body.len() >= 236 {
        bootp::print(out, body, length, verbose);
        return;
    }
    let _ = write!(out, "UDP, length {}", ulen - 8);
}

/// `icmp_print`: `m` is what was captured of the message, `plen` its length as the IP
/// header gives it; with `-v`, the checksum check and the packet an error quotes.
fn icmp(out: &mut String, m: &[u8], plen: usize) {
    if m.len() < 4 {
        out.push_str("ICMP [|icmp]");
        return;
    }
    let ty = m[0];
    let code = m[1];
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
                c => format!("#{c} {d} unreachable"),
            }
        }
        11 => match code {
            0 => "time exceeded in-transit".to_string(),
            1 => "ip reassembly time exceeded".to_string(),
            c => format!("time exceeded-#{c}"),
        },
        4 => "source quench".to_string(),
        5 => "redirect".to_string(),
        12 => format!("parameter problem - octet {}", m.get(4).copied().unwrap_or(0)),
        13 => format!("time stamp query id {} seq {}", be16(m, 4).unwrap_or(0), be16(m, 6).unwrap_or(0)),
        t => format!("type-#{t}"),
    };
    let _ = write!(out, "ICMP {body}, length {plen}");
}

/// `arp_print` for Ethernet: with `-v` the address formats come first.
fn arp(out: &mut String, a: &[u8], verbose: bool) {
    if a.len() < 8 {
        out.push_str("[|arp]");
        return;
    }
    let htype = be16(a, 0).unwrap_or(0);
    let ptype = be16(a, 2).unwrap_or(0);
    let (hlen, plen) = (a[4], a[5]);
    let op = be16(a, 6).unwrap_or(0);
    if htype != 1 || ptype != 0x0800 || hlen != 6 || plen != 4 || a.len() < 28 {
        let _ = write!(out, "arp-#{op} for proto #{ptype} ({plen}) hardware #{htype} ({hlen}), length {}", a.len());
        return;
    }
    if verbose {
        out.push_str("Ethernet (len 6), IPv4 (len 4), ");
    }
    let sha = MacAddr::from_slice(&a[8..]).unwrap_or_default();
    let spa = ip4(a, 14).unwrap_or(Ipv4Addr::UNSPECIFIED);
    let tha = MacAddr::from_slice(&a[18..]).unwrap_or_default();
    let tpa = ip4(a, 24).unwrap_or(Ipv4Addr::UNSPECIFIED);
    match op {
        1 => {
            let _ = write!(out, "Request who-has {tpa}");
            if !tha.is_zero() {
                let _ = write!(out, " ({tha})");
            }
            let _ = write!(out, " tell {spa}");
        }
        2 => {
            let _ = write!(out, "Reply {spa} is-at {sha}");
        }
        _ => {
            let _ = write!(out, "Unknown ({op})");
        }
    }
    let _ = write!(out, ", length {}", a.len());
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

/// `ip_optprint`: false when an option runs past the header.
fn ip_options(out: &mut String, mut o: &[u8]) -> bool {
    let mut sep = "";
    while let Some(&code) = o.first() {
        out.push_str(sep);
        sep = ",";
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
            match o.get(1) {
                Some(&l) if l >= 2 => usize::from(l),
                Some(&l) => {
                    let _ = write!(out, " [bad length {l}]");
                    return true;
                }
                None => return false,
            }
        };
        if len > o.len() {
            let _ = write!(out, " [bad length {len}]");
            return true;
        }
        let opt = &o[..len];
        match code {
            0 => return true,
            68 if !ip_timestamp(out, opt) => return false,
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
        o = &o[len..];
    }
    true
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
fn icmp_extension(out: &mut String, m: &[u8], plen: usize) {
    const EXTD_MINLEN: usize = 136;
    let ext = &m[EXTD_MINLEN..plen.min(m.len())];
    if m[5] == 0 && m.len() >= plen && internet_checksum(ext) != 0 {
        return;
    }
    let Some(&vr) = ext.first() else { return };
    let version = vr >> 4;
    let _ = write!(out, "\n\tICMP Multi-Part extension v{version}");
    if version != 2 {
        out.push_str(" packet not supported");
        return;
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
            return;
        };
        let name = if class == 1 { "MPLS Stack Entry" } else { "unknown" };
        let _ = write!(out, "\n\t  {name} Object ({class}), Class-Type: {ctype}, length {tlen}");
        at += 4;
        left -= 4;
        let tlen = usize::from(tlen);
        if class == 0 || tlen < 4 {
            return;
        }
        let tlen = tlen - 4;
        let body = ext.get(at..).unwrap_or_default();
        match (class, ctype) {
            (1, 1) => {
                let Some(raw) = be32(body, 0) else {
                    out.push_str(" [|icmp]");
                    return;
                };
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
}

#[cfg(test)]
mod tests;
