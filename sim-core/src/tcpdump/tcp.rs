//! TCP as tcpdump 4.99's `tcp_print` prints it: ports, flags, relative sequence numbers,
//! the checksum check with `-v`, options, and HTTP's first line on ports 80 and 8080.
//!
//! A segment cut short ends the way `tcp_print` ends it: where it checks with `ND_TCHECK`
//! the line gets ` [|tcp]` and the dump starts after the link header; where it reads with
//! a `GET_` macro the whole packet is abandoned ([`Cut`]). Options tcpdump decodes with
//! printers of their own (`md5`, `tcp-ao`, `mptcp`, `tfo`, `exp`) are printed as raw hex
//! after their name here. Only the formatter in `super` calls this; it owns the per-capture
//! sequence-number state and nothing else.

use super::{Cut, Formatter, be16, be32, http, printn, shouldbe, transport_checksum};
use std::fmt::Write;
use std::net::IpAddr;

const ACK: u8 = 0x10;
const SYN: u8 = 0x02;
const FIN_SYN_RST: u8 = 0x07;
const RST: u8 = 0x04;
const URG: u8 = 0x20;

impl Formatter {
    /// `tcp_print`: `t` is what was captured of the segment (cut at the IP packet's end),
    /// `seg_len` its length as the IP header gives it; `fragmented` when more fragments
    /// follow.
    pub(super) fn tcp(
        &mut self,
        out: &mut String,
        (src, dst): (IpAddr, IpAddr),
        t: &[u8],
        seg_len: usize,
        fragmented: bool,
    ) -> Result<(), Cut> {
        let (Some(sport), Some(dport)) = (be16(t, 0), be16(t, 2)) else {
            let _ = write!(out, "{src} > {dst}: [|tcp]");
            return Ok(());
        };
        let _ = write!(out, "{src}.{sport} > {dst}.{dport}: ");
        if t.len() < 20 {
            out.push_str(" [|tcp]");
            return Ok(());
        }
        let hlen = usize::from(t[12] >> 4) * 4;
        if hlen < 20 {
            let _ = write!(
                out,
                " tcp {} [bad hdr length {hlen} - too short, < 20]",
                (seg_len as u32).wrapping_sub(hlen as u32)
            );
            return Ok(());
        }
        let mut seq = be32(t, 4).unwrap_or(0);
        let mut ack = be32(t, 8).unwrap_or(0);
        let flags = t[13];
        let win = be16(t, 14).unwrap_or(0);
        let urg = be16(t, 18).unwrap_or(0);
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
        // Relative sequence numbers, as print-tcp.c keeps them: state is created by the
        // first packet of a conversation that carries ACK (or any SYN), keyed by the
        // address/port pair in a canonical order. SACK blocks count from the same base.
        let mut sack_base = 0;
        if flags & ACK != 0 {
            // (IPv4 and IPv6 keep separate tables in tcpdump; an address of one family
            // never meets one of the other in a key here, so one map serves both.)
            let rev = (src, sport) > (dst, dport);
            let key = if rev { (dst, dport, src, sport) } else { (src, sport, dst, dport) };
            let (s, a) = match self.tcp.get(&key) {
                Some(&(s, a)) if flags & SYN == 0 => {
                    if rev {
                        seq = seq.wrapping_sub(a);
                        ack = ack.wrapping_sub(s);
                    } else {
                        seq = seq.wrapping_sub(s);
                        ack = ack.wrapping_sub(a);
                    }
                    (s, a)
                }
                _ => {
                    let st = if rev { (ack.wrapping_sub(1), seq) } else { (seq, ack.wrapping_sub(1)) };
                    self.tcp.insert(key, st);
                    st
                }
            };
            sack_base = if rev { s } else { a };
        }
        if hlen > seg_len {
            let _ = write!(out, " [bad hdr length {hlen} - too long, > {seg_len}]");
            return Ok(());
        }
        if self.opts.verbose > 0 && !fragmented && t.len() >= seg_len {
            // tcp_cksum: the pseudo-header's sum and the segment's, as it stands.
            let sum = match (src, dst) {
                (IpAddr::V4(s), IpAddr::V4(d)) => transport_checksum(s, d, 6, &t[..seg_len]),
                (s, d) => super::ip6::transport_checksum6(s, d, 6, &t[..seg_len]),
            };
            let field = be16(t, 16).unwrap_or(0);
            let _ = write!(out, ", cksum 0x{field:04x}");
            if sum != 0 {
                let _ = write!(out, " (incorrect -> 0x{:04x})", shouldbe(field, sum));
            } else {
                out.push_str(" (correct)");
            }
        }
        let length = (seg_len - hlen) as u32;
        if self.opts.verbose > 1 || length > 0 || flags & FIN_SYN_RST != 0 {
            let _ = write!(out, ", seq {seq}");
            if length > 0 {
                let _ = write!(out, ":{}", seq.wrapping_add(length));
            }
        }
        if flags & ACK != 0 {
            let _ = write!(out, ", ack {ack}");
        }
        let _ = write!(out, ", win {win}");
        if flags & URG != 0 {
            let _ = write!(out, ", urg {urg}");
        }
        if hlen > 20 && !options(out, &t[20..], hlen - 20, sack_base)? {
            return Ok(());
        }
        let _ = write!(out, ", length {length}");
        if length == 0 {
            return Ok(());
        }
        if t.len() < hlen {
            let _ = write!(out, " [remaining caplen({}) < header length({hlen})]", t.len());
            return Err(Cut("tcp"));
        }
        let data = &t[hlen..];
        if flags & RST != 0 && self.opts.verbose > 0 {
            // print_tcp_rst_data: up to 30 bytes of what a RST carries.
            let n = (length as usize).min(30);
            out.push_str(if data.len() >= length as usize { " [RST" } else { " [!RST" });
            out.push_str(if length > 30 { "+ " } else { " " });
            printn(out, &data[..n.min(data.len())]);
            out.push(']');
            return Ok(());
        }
        if [sport, dport].iter().any(|p| *p == 80 || *p == 8080) {
            out.push_str(": ");
            http(out, data, length as usize, self.opts.verbose > 0)?;
        }
        Ok(())
    }
}

/// `tcp_option_values`: an option's name.
fn option_name(kind: u8) -> Option<&'static str> {
    Some(match kind {
        0 => "eol",
        1 => "nop",
        2 => "mss",
        3 => "wscale",
        4 => "sackOK",
        5 => "sack",
        6 => "echo",
        7 => "echoreply",
        8 => "TS",
        11 => "cc",
        12 => "ccnew",
        13 => "",
        19 => "md5",
        20 => "scps",
        28 => "uto",
        29 => "tcp-ao",
        30 => "mptcp",
        34 => "tfo",
        254 => "exp",
        _ => return None,
    })
}

/// The options loop of `tcp_print`: `o` is what was captured from the first option on,
/// `hlen` how many option bytes the header claims. True when the options printed whole
/// (the segment's line goes on); false when tcpdump stopped the line (`[bad opt]`, or a
/// `LENCHECK` that found the bytes not captured).
fn options(out: &mut String, o: &[u8], mut hlen: usize, sack_base: u32) -> Result<bool, Cut> {
    out.push_str(", options [");
    let cut = Cut("tcp");
    let mut sep = false;
    let mut at = 0;
    // `goto bad` and `goto trunc`.
    let bad = |out: &mut String, sep: bool| {
        out.push_str("[bad opt]");
        if sep {
            out.push(']');
        }
        Ok(false)
    };
    let trunc = |out: &mut String, sep: bool| {
        out.push_str(" [|tcp]");
        if sep {
            out.push('>');
        }
        Ok(false)
    };
    while hlen > 0 {
        if sep {
            out.push(',');
        }
        let kind = *o.get(at).ok_or(cut)?;
        at += 1;
        let len = if kind <= 1 {
            1
        } else {
            let len = usize::from(*o.get(at).ok_or(cut)?);
            at += 1;
            if len < 2 || len > hlen {
                return bad(out, sep);
            }
            hlen -= 1;
            len
        };
        hlen -= 1;
        match option_name(kind) {
            Some(name) => out.push_str(name),
            None => {
                let _ = write!(out, "unknown-{kind}");
            }
        }
        // LENCHECK(l): the option claims `l` bytes; they must be in the header, and
        // captured.
        macro_rules! lencheck {
            ($l:expr) => {
                if $l > hlen {
                    return bad(out, sep);
                }
                if o.len() < at + $l {
                    return trunc(out, sep);
                }
            };
        }
        let data = |i: usize| &o[at + i..];
        let datalen = match kind {
            0 | 1 | 4 => 0,
            2 => {
                lencheck!(2);
                let _ = write!(out, " {}", be16(data(0), 0).unwrap_or(0));
                2
            }
            3 => {
                lencheck!(1);
                let _ = write!(out, " {}", o[at]);
                1
            }
            5 => {
                let datalen = len - 2;
                if datalen % 8 != 0 {
                    out.push_str(" invalid sack");
                } else {
                    let _ = write!(out, " {} ", datalen / 8);
                    for i in (0..datalen).step_by(8) {
                        lencheck!(i + 4);
                        let s = be32(data(i), 0).unwrap_or(0).wrapping_sub(sack_base);
                        lencheck!(i + 8);
                        let e = be32(data(i + 4), 0).unwrap_or(0).wrapping_sub(sack_base);
                        let _ = write!(out, "{{{s}:{e}}}");
                    }
                }
                datalen
            }
            6 | 7 | 11 | 12 | 13 => {
                lencheck!(4);
                let _ = write!(out, " {}", be32(data(0), 0).unwrap_or(0));
                4
            }
            8 => {
                lencheck!(8);
                let _ = write!(out, " val {} ecr {}", be32(data(0), 0).unwrap_or(0), be32(data(4), 0).unwrap_or(0));
                8
            }
            20 => {
                lencheck!(2);
                let _ = write!(out, " cap {:02x} id {}", o[at], o[at + 1]);
                2
            }
            28 => {
                lencheck!(2);
                let v = be16(data(0), 0).unwrap_or(0);
                let _ = write!(out, " 0x{v:x}");
                let secs = if v & 1 != 0 { u32::from(v >> 1) * 60 } else { u32::from(v >> 1) };
                let _ = write!(out, " {secs}");
                2
            }
            _ => {
                let datalen = len - 2;
                if datalen > 0 {
                    out.push_str(" 0x");
                }
                for i in 0..datalen {
                    lencheck!(i + 1);
                    let _ = write!(out, "{:02x}", o[at + i]);
                }
                datalen
            }
        };
        at += datalen;
        hlen -= datalen;
        let claimed = datalen + if kind <= 1 { 1 } else { 2 };
        if claimed != len {
            let _ = write!(out, "[len {len}]");
        }
        sep = true;
        if kind == 0 {
            break;
        }
    }
    out.push(']');
    Ok(true)
}
