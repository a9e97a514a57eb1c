//! `ip6_print` and `icmp6_print` (tcpdump 4.99.3's `print-ip6.c`, `print-ip6opts.c`,
//! `print-icmp6.c`) for what the stack sends: the header (`-v`'s hop limit, next header,
//! payload length), hop-by-hop options, and ICMPv6's echo, neighbour and router
//! solicitations and advertisements, MLDv2 reports and errors, with `-v`'s checksum,
//! flags and options; UDP and TCP (`udp_print`, `tcp_print`, shared with IPv4). Other next
//! headers print as `ip-proto-N`.

use super::text::hex_print;
use super::{Cut, Formatter, be16, be32, bittok2str, ipproto_name, need, shouldbe};
use std::fmt::Write;
use std::net::{IpAddr, Ipv6Addr};

fn ip6(b: &[u8], at: usize) -> Option<Ipv6Addr> {
    let s: [u8; 16] = b.get(at..at + 16)?.try_into().ok()?;
    Some(Ipv6Addr::from(s))
}

/// `GET_IP6ADDR_STRING`: the address, or the printer is cut.
fn get_ip6(b: &[u8], at: usize, proto: &'static str) -> Result<Ipv6Addr, Cut> {
    ip6(b, at).ok_or(Cut(proto))
}

/// The ICMPv6 checksum over the pseudo-header and `body` (`nextproto6_cksum`): 0 when right.
fn icmp6_checksum(src: Ipv6Addr, dst: Ipv6Addr, body: &[u8]) -> u16 {
    checksum6(src, dst, 58, body)
}

fn checksum6(src: Ipv6Addr, dst: Ipv6Addr, next: u8, body: &[u8]) -> u16 {
    etherparse::checksum::Sum16BitWords::new()
        .add_16bytes(src.octets())
        .add_16bytes(dst.octets())
        .add_4bytes((body.len() as u32).to_be_bytes())
        .add_4bytes([0, 0, 0, next])
        .add_slice(body)
        .ones_complement()
        .to_be()
}

/// `nextproto6_cksum` for UDP's printer, which has the two addresses as `IpAddr`s (both
/// IPv6 here; anything else sums as `::`).
pub(super) fn transport_checksum6(src: IpAddr, dst: IpAddr, next: u8, body: &[u8]) -> u16 {
    let v6 = |a: IpAddr| match a {
        IpAddr::V6(a) => a,
        IpAddr::V4(_) => Ipv6Addr::UNSPECIFIED,
    };
    checksum6(v6(src), v6(dst), next, body)
}

impl Formatter {
    /// `ip6_print`: `p` holds the bytes captured after the Ethernet header.
    pub(super) fn ipv6(&mut self, out: &mut String, p: &[u8]) -> Result<(), Cut> {
        let v = self.opts.verbose;
        if p.len() < 40 {
            // ND_TCHECK_SIZE(ip6): the header itself was not captured (marked in place).
            out.push_str(" [|ip6]");
            return Ok(());
        }
        if !self.opts.link_header {
            out.push_str("IP6 ");
        }
        if p[0] >> 4 != 6 {
            let _ = write!(out, "version error: {} != 6", p[0] >> 4);
            return Ok(());
        }
        let payload_len = usize::from(be16(p, 4).unwrap_or(0));
        let mut len = payload_len + 40;
        if p.len() < len {
            let _ = write!(out, "truncated-ip6 - {} bytes missing!", len - p.len());
        }
        if payload_len == 0 {
            out.push_str("[No valid Jumbo Payload Hop-by-Hop option found] (invalid)");
            return Ok(());
        }
        let mut nh = p[6];
        if v > 0 {
            let flow = be32(p, 0).unwrap_or(0);
            out.push('(');
            if flow & 0x0ff0_0000 != 0 {
                let _ = write!(out, "class 0x{:02x}, ", (flow & 0x0ff0_0000) >> 20);
            }
            if flow & 0x000f_ffff != 0 {
                let _ = write!(out, "flowlabel 0x{:05x}, ", flow & 0x000f_ffff);
            }
            let _ =
                write!(out, "hlim {}, next-header {} ({nh}) payload length: {payload_len}) ", p[7], ipproto_name(nh));
        }
        let src = get_ip6(p, 8, "ip6")?;
        let dst = get_ip6(p, 24, "ip6")?;
        // The snapshot ends with the packet.
        let p = &p[..len.min(p.len())];
        let mut at = 40;
        len -= 40;
        if nh != 6 && nh != 17 {
            let _ = write!(out, "{src} > {dst}: ");
        }
        if nh == 0 {
            need(p, at + 2, "hbhopt")?;
            let hbhlen = (usize::from(p[at + 1]) + 1) * 8;
            if p.len() < at + hbhlen {
                out.push_str(" [|hbhopt]");
                return Ok(());
            }
            if len < hbhlen {
                out.push_str(" [|ip6]");
                return Ok(());
            }
            out.push_str("HBH ");
            if !self.options(out, &p[at + 2..at + hbhlen]) {
                out.push_str(" [|hbhopt]");
                return Ok(());
            }
            nh = p[at];
            at += hbhlen;
            len -= hbhlen;
        }
        let mut fragmented = false;
        if nh == 44 {
            // `frag6_print`: the identification (with -v), the offset, and the length of
            // what follows; a later fragment is not decoded further.
            let ident = if v > 0 { Some(be32(p, at + 4).ok_or(Cut("frag6"))?) } else { None };
            let off = be16(p, at + 2).ok_or(Cut("frag6"))? & 0xfff8;
            let flen = len.wrapping_sub(8);
            match ident {
                Some(id) => {
                    let _ = write!(out, "frag (0x{id:08x}:{off}|{flen})");
                }
                None => {
                    let _ = write!(out, "frag ({off}|{flen})");
                }
            }
            if off != 0 {
                return Ok(());
            }
            out.push(' ');
            nh = p[at];
            at += 8;
            len = flen;
            fragmented = true;
            if at >= p.len() {
                // Nothing captured past it: ip6_print's loop ends there.
                return Ok(());
            }
        }
        let body = &p[at.min(p.len())..];
        match nh {
            58 => self.icmp6(out, (src, dst), body, len, fragmented),
            17 => super::udp(out, (src.into(), dst.into()), body, len, fragmented, v),
            6 => self.tcp(out, (src.into(), dst.into()), body, len, fragmented),
            _ => {
                let _ = write!(out, " ip-proto-{nh} {len}");
                Ok(())
            }
        }
    }

    /// `ip6_opt_process` for a hop-by-hop header's options: false when they run past it.
    fn options(&self, out: &mut String, b: &[u8]) -> bool {
        let v = self.opts.verbose > 0;
        let mut i = 0;
        while i < b.len() {
            let optlen = if b[i] == 0 {
                1
            } else if i + 1 < b.len() {
                usize::from(b[i + 1]) + 2
            } else {
                return false;
            };
            if i + optlen > b.len() {
                return false;
            }
            match b[i] {
                0 if v => out.push_str("(pad1)"),
                0 => {}
                1 if v => out.push_str("(padn)"),
                1 => {}
                5 => {
                    if b[i + 1] != 2 {
                        let _ = write!(out, "(rtalert: invalid len {})", b[i + 1]);
                        return false;
                    }
                    if v {
                        let _ = write!(out, "(rtalert: 0x{:04x}) ", be16(b, i + 2).unwrap_or(0));
                    }
                }
                t if v => {
                    let _ = write!(out, "(opt_type 0x{t:02x}: len={})", b[i + 1]);
                }
                _ => {}
            }
            i += optlen;
        }
        if v {
            out.push(' ');
        }
        true
    }

    /// `icmp6_print`: `b` holds what was captured of the message, `length` its length.
    fn icmp6(
        &mut self,
        out: &mut String,
        (src, dst): (Ipv6Addr, Ipv6Addr),
        b: &[u8],
        length: usize,
        fragmented: bool,
    ) -> Result<(), Cut> {
        let v = self.opts.verbose;
        if length == 0 {
            out.push_str("ICMP6, length 0 (invalid)");
            return Ok(());
        }
        // (The checksum covers the whole message: a first fragment's is not checked.)
        if v > 0 && !fragmented && b.len() >= length {
            let sum = icmp6_checksum(src, dst, &b[..length]);
            let field = be16(b, 2).unwrap_or(0);
            if sum != 0 {
                let _ = write!(out, "[bad icmp6 cksum 0x{field:04x} -> 0x{:04x}!] ", shouldbe(field, sum));
            } else {
                out.push_str("[icmp6 sum ok] ");
            }
        }
        need(b, 1, "icmp6")?;
        let t = b[0];
        out.push_str("ICMP6, ");
        match type_name(t) {
            Some(n) => out.push_str(n),
            None => {
                let _ = write!(out, "unknown icmp6 type ({t})");
            }
        }
        if v > 0 && matches!(t, 133..=137) {
            let _ = write!(out, ", length {length}");
        }
        need(b, 2, "icmp6")?;
        let code = b[1];
        match t {
            1 => {
                let name = match code {
                    0 => "unreachable route",
                    1 => " unreachable prohibited",
                    2 => "beyond scope",
                    3 => "unreachable address",
                    4 => "unreachable port",
                    _ => "",
                };
                if name.is_empty() {
                    let _ = write!(out, ", unknown unreach code ({code})");
                } else {
                    let _ = write!(out, ", {name}");
                }
                match code {
                    0 | 1 | 3 => {
                        let _ = write!(out, " {}", get_ip6(b, 8 + 24, "icmp6")?);
                    }
                    2 => {
                        let (d, s) = (get_ip6(b, 8 + 24, "icmp6")?, get_ip6(b, 8 + 8, "icmp6")?);
                        let _ = write!(out, " {d}, source address {s}");
                    }
                    4 => return self.unreach_port(out, b, length),
                    _ if v <= 1 => {
                        hex_print(out, "\n\t", &b[..length.min(b.len())]);
                        return Ok(());
                    }
                    _ => {}
                }
            }
            2 => {
                need(b, 8, "icmp6")?;
                let _ = write!(out, ", mtu {}", be32(b, 4).unwrap_or(0));
            }
            3 => match code {
                0 => {
                    let _ = write!(out, " for {}", get_ip6(b, 8 + 24, "icmp6")?);
                }
                1 => out.push_str(" (reassembly)"),
                _ => {
                    let _ = write!(out, ", unknown code ({code})");
                }
            },
            4 => {
                // ND_TCHECK_16 of the quoted destination: marked in place.
                if b.len() < 8 + 40 {
                    out.push_str(" [|icmp6]");
                    return Ok(());
                }
                let ptr = be32(b, 4).unwrap_or(0);
                match code {
                    0 => {
                        let _ = write!(out, ", erroneous - octet {ptr}");
                    }
                    1 => {
                        let _ = write!(out, ", next header - octet {ptr}");
                    }
                    2 => {
                        let _ = write!(out, ", option - octet {ptr}");
                    }
                    3 => {
                        let _ = write!(out, ", incomplete header chain - octet {ptr}");
                    }
                    _ => {
                        let _ = write!(out, ", code-#{code}");
                    }
                }
            }
            130 if length >= 28 => {
                out.push_str(" v2");
                mldv2_query(out, b, length, v)?;
            }
            130 if length != 24 => {
                let _ = write!(out, " unknown-version (len {length}) ");
            }
            130..=132 => {
                if b.len() >= 24 {
                    let _ =
                        write!(out, "max resp delay: {} addr: {}", be16(b, 4).unwrap_or(0), get_ip6(b, 8, "icmp6")?);
                }
            }
            134 if v == 0 => {}
            134 => {
                // `nd_router_advert`: the header's fields, then the options.
                need(b, 16, "icmp6")?;
                let f = b[5];
                let flags = bittok2str(
                    u32::from(f),
                    &[(0x80, "managed"), (0x40, "other stateful"), (0x20, "home agent"), (0x04, "proxy")],
                );
                let pref = ["medium", "high", "rsv", "low"][usize::from((f >> 3) & 3)];
                let _ = write!(
                    out,
                    "\n\thop limit {}, Flags [{}], pref {pref}, router lifetime {}s, reachable time {}ms, retrans timer {}ms",
                    b[4],
                    flags,
                    be16(b, 6).unwrap_or(0),
                    be32(b, 8).unwrap_or(0),
                    be32(b, 12).unwrap_or(0),
                );
                if !self.nd_options(out, b, 16, length) {
                    out.push_str(" [|icmp6]");
                    return Ok(());
                }
            }
            128 | 129 => {
                need(b, 8, "icmp6")?;
                let _ = write!(out, ", id {}, seq {}", be16(b, 4).unwrap_or(0), be16(b, 6).unwrap_or(0));
            }
            133 if v > 0 => {
                if !self.nd_options(out, b, 8, length) {
                    out.push_str(" [|icmp6]");
                    return Ok(());
                }
            }
            135 | 136 => {
                let what = if t == 135 { "who has" } else { "tgt is" };
                let _ = write!(out, ", {what} {}", get_ip6(b, 8, "icmp6")?);
                if v > 0 {
                    if t == 136 {
                        need(b, 8, "icmp6")?;
                        let f = be32(b, 4).unwrap_or(0);
                        let toks = [(0x8000_0000, "router"), (0x4000_0000, "solicited"), (0x2000_0000, "override")];
                        let _ = write!(out, ", Flags [{}]", bittok2str(f, &toks));
                    }
                    if !self.nd_options(out, b, 24, length) {
                        out.push_str(" [|icmp6]");
                        return Ok(());
                    }
                }
            }
            143 => {
                if length < 8 {
                    let _ = write!(out, " [invalid len {length}]");
                } else {
                    mldv2_report(out, b, length, v)?;
                }
            }
            133 => {}
            _ => {
                let _ = write!(out, ", length {length}");
                if v <= 1 {
                    hex_print(out, "\n\t", &b[..length.min(b.len())]);
                }
                return Ok(());
            }
        }
        if v == 0 {
            let _ = write!(out, ", length {length}");
        }
        Ok(())
    }

    /// Destination unreachable, port: the quoted packet's protocol and port. Its UDP or
    /// TCP header not captured (`get_upperlayer` finds none) is marked in place.
    fn unreach_port(&self, out: &mut String, b: &[u8], length: usize) -> Result<(), Cut> {
        let inner = b.get(8..).unwrap_or_default();
        let proto = match inner.get(6) {
            Some(&p @ (6 | 17)) if inner.len() >= 44 => p,
            _ => {
                out.push_str(" [|icmp6]");
                return Ok(());
            }
        };
        let dport = be16(inner, 42).unwrap_or(0);
        let dst = get_ip6(inner, 24, "icmp6")?;
        let name = if proto == 6 { "tcp" } else { "udp" };
        let _ = write!(out, ", {dst} {name} port {dport}");
        if self.opts.verbose == 0 {
            let _ = write!(out, ", length {length}");
        }
        Ok(())
    }

    /// `icmp6_opt_print` for the options from `at`: false when one runs past the capture.
    fn nd_options(&self, out: &mut String, b: &[u8], at: usize, length: usize) -> bool {
        let v = self.opts.verbose;
        let end = b.len();
        let mut cp = at;
        let mut resid = length as isize - at as isize;
        while cp < end {
            if cp + 2 > end {
                return false;
            }
            if resid <= 0 {
                return true;
            }
            let (t, l) = (b[cp], usize::from(b[cp + 1]));
            if l == 0 || cp + l * 8 > end {
                return false;
            }
            let name = match t {
                1 => "source link-address",
                2 => "destination link-address",
                3 => "prefix info",
                4 => "redirected header",
                5 => "mtu",
                25 => "rdnss",
                31 => "dnssl",
                7 => "advertisement interval",
                8 => "homeagent information",
                24 => "route info",
                _ => "unknown",
            };
            let _ = write!(out, "\n\t  {name} option ({t}), length {} ({l}): ", l * 8);
            let data = &b[cp + 2..cp + l * 8];
            match t {
                1 | 2 => {
                    let hex: Vec<String> = data.iter().map(|x| format!("{x:02x}")).collect();
                    out.push_str(&hex.join(":"));
                }
                3 if data.len() >= 30 => {
                    // `nd_opt_prefix_info`.
                    let lifetime = |v: u32| if v == u32::MAX { "infinity".to_string() } else { format!("{v}s") };
                    let flags = bittok2str(u32::from(data[1]), &[(0x80, "onlink"), (0x40, "auto"), (0x20, "router")]);
                    let _ = write!(
                        out,
                        "{}/{}{}, Flags [{}], valid time {}, pref. time {}",
                        ip6(data, 14).unwrap_or(Ipv6Addr::UNSPECIFIED),
                        data[0],
                        if l != 4 { "badlen" } else { "" },
                        flags,
                        lifetime(be32(data, 2).unwrap_or(0)),
                        lifetime(be32(data, 6).unwrap_or(0)),
                    );
                }
                5 => {
                    let _ = write!(
                        out,
                        " {}{}",
                        be32(b, cp + 4).unwrap_or(0),
                        if l != 1 { "bad option length" } else { "" }
                    );
                }
                _ if v <= 1 => {
                    hex_print(out, "\n\t  ", data);
                    return true;
                }
                _ => {}
            }
            if v > 1 {
                hex_print(out, "\n\t    ", data);
            }
            cp += l * 8;
            resid -= (l * 8) as isize;
        }
        true
    }
}

/// `mldv2_report_print`.
fn mldv2_report(out: &mut String, b: &[u8], len: usize, v: u8) -> Result<(), Cut> {
    need(b, 8, "icmp6")?;
    let ngroups = usize::from(be16(b, 6).unwrap_or(0));
    let _ = write!(out, ", {ngroups} group record(s)");
    if v == 0 {
        return Ok(());
    }
    let mut group = 8;
    for _ in 0..ngroups {
        if len < group + 20 {
            out.push_str(" [invalid number of groups]");
            return Ok(());
        }
        let _ = write!(out, " [gaddr {}", get_ip6(b, group + 4, "icmp6")?);
        need(b, group + 1, "icmp6")?;
        match b[group] {
            t @ 1..=6 => {
                let _ = write!(out, " {}", ["is_in", "is_ex", "to_in", "to_ex", "allow", "block"][usize::from(t) - 1]);
            }
            t => {
                let _ = write!(out, "  [v2-report-#{t}]");
            }
        }
        need(b, group + 4, "icmp6")?;
        let nsrcs = usize::from(be16(b, group + 2).unwrap_or(0));
        if len < group + 20 + nsrcs * 16 {
            let _ = write!(out, " [invalid number of sources {nsrcs}]");
            return Ok(());
        }
        if v == 1 {
            let _ = write!(out, ", {nsrcs} source(s)");
        } else {
            out.push_str(" {");
            for j in 0..nsrcs {
                let _ = write!(out, " {}", get_ip6(b, group + 20 + j * 16, "icmp6")?);
            }
            out.push_str(" }");
        }
        group += 20 + nsrcs * 16;
        out.push(']');
    }
    Ok(())
}

/// `mldv2_query_print`.
fn mldv2_query(out: &mut String, b: &[u8], len: usize, v: u8) -> Result<(), Cut> {
    need(b, 6, "icmp6")?;
    let mrc = u32::from(be16(b, 4).unwrap_or(0));
    let mrt = if mrc < 32768 { mrc } else { ((mrc & 0x0fff) | 0x1000) << (((mrc & 0x7000) >> 12) + 3) };
    if v > 0 {
        let _ = write!(out, " [max resp delay={mrt}]");
    }
    let _ = write!(out, " [gaddr {}", get_ip6(b, 8, "icmp6")?);
    if v > 0 {
        need(b, 25, "icmp6")?;
        if b[24] & 0x08 != 0 {
            out.push_str(" sflag");
        }
        if b[24] & 0x07 != 0 {
            let _ = write!(out, " robustness={}", b[24] & 0x07);
        }
        need(b, 26, "icmp6")?;
        let q = u32::from(b[25]);
        let qqi = if q < 128 { q } else { ((q & 0x0f) | 0x10) << (((q & 0x70) >> 4) + 3) };
        let _ = write!(out, " qqi={qqi}");
    }
    need(b, 28, "icmp6")?;
    let nsrcs = usize::from(be16(b, 26).unwrap_or(0));
    if nsrcs > 0 {
        if len < 28 + nsrcs * 16 {
            out.push_str(" [invalid number of sources]");
        } else if v > 1 {
            out.push_str(" {");
            for i in 0..nsrcs {
                let _ = write!(out, " {}", get_ip6(b, 28 + i * 16, "icmp6")?);
            }
            out.push_str(" }");
        } else {
            let _ = write!(out, ", {nsrcs} source(s)");
        }
    }
    out.push(']');
    Ok(())
}

/// `icmp6_type_values`.
fn type_name(t: u8) -> Option<&'static str> {
    Some(match t {
        1 => "destination unreachable",
        2 => "packet too big",
        3 => "time exceeded in-transit",
        4 => "parameter problem",
        128 => "echo request",
        129 => "echo reply",
        130 => "multicast listener query",
        131 => "multicast listener report",
        132 => "multicast listener done",
        133 => "router solicitation",
        134 => "router advertisement",
        135 => "neighbor solicitation",
        136 => "neighbor advertisement",
        137 => "redirect",
        138 => "router renumbering",
        141 => "inverse neighbor solicitation",
        142 => "inverse neighbor advertisement",
        143 => "multicast listener report v2",
        144 => "ha discovery request",
        145 => "ha discovery reply",
        146 => "mobile router solicitation",
        147 => "mobile router advertisement",
        139 => "node information query",
        140 => "node information reply",
        200 => "mtrace response",
        201 => "mtrace message",
        155 => "RPL",
        _ => return None,
    })
}
