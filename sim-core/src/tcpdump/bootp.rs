//! BOOTP/DHCP as tcpdump 4.99's `bootp_print` prints it: one summary line, and with `-v`
//! the fixed fields that are set and the options (`rfc1048_print`), each on a line of its
//! own. Only the formatter in `super` calls it; it reads the datagram and never fails.

use super::{Cut, be16, be32, hex_print, ip4, printn};
use crate::mac::MacAddr;
use std::fmt::Write;
use std::net::Ipv4Addr;

/// `GET_`: the fields up to `end` were captured, or the packet is abandoned.
fn need(b: &[u8], end: usize) -> Result<(), Cut> {
    super::need(b, end, "bootp")
}

/// The DHCP message `b` (what was captured of it; `length` is its UDP length less the
/// header): `BOOTP/DHCP, Request from MAC, length N`, then with `verbose` the rest. A field
/// read but not captured is a [`Cut`], as tcpdump's `GET_` macros make it.
pub(super) fn print(out: &mut String, b: &[u8], length: usize, verbose: u8) -> Result<(), Cut> {
    need(b, 1)?;
    let op = b[0];
    out.push_str("BOOTP/DHCP, ");
    match op {
        1 => out.push_str("Request"),
        2 => out.push_str("Reply"),
        _ => {
            let _ = write!(out, "unknown (0x{op:02x})");
        }
    }
    need(b, 3)?;
    let (htype, hlen) = (b[1], b[2]);
    let ether = htype == 1 && hlen == 6;
    if ether && op == 1 {
        need(b, 34)?;
        let _ = write!(out, " from {}", MacAddr::from_slice(&b[28..]).unwrap_or_default());
    }
    let _ = write!(out, ", length {length}");
    if verbose == 0 {
        return Ok(());
    }
    if b.len() < 10 {
        out.push_str(" [|bootp]");
        return Ok(());
    }
    if htype != 1 {
        let _ = write!(out, ", htype {htype}");
    }
    if htype != 1 || hlen != 6 {
        let _ = write!(out, ", hlen {hlen}");
    }
    // (htype and hlen, before `hops`, were read above; `secs` was checked.)
    if b[3] != 0 {
        let _ = write!(out, ", hops {}", b[3]);
    }
    let xid = be32(b, 4).unwrap_or(0);
    if xid != 0 {
        let _ = write!(out, ", xid 0x{xid:x}");
    }
    let secs = be16(b, 8).unwrap_or(0);
    if secs != 0 {
        let _ = write!(out, ", secs {secs}");
    }
    need(b, 12)?;
    let flags = be16(b, 10).unwrap_or(0);
    out.push_str(if flags & 0x8000 != 0 { ", Flags [Broadcast]" } else { ", Flags [none]" });
    if verbose > 1 {
        let _ = write!(out, " (0x{flags:04x})");
    }
    for (at, name) in [(12, "Client-IP"), (16, "Your-IP"), (20, "Server-IP"), (24, "Gateway-IP")] {
        need(b, at + 4)?;
        let a = ip4(b, at).unwrap_or(Ipv4Addr::UNSPECIFIED);
        if !a.is_unspecified() {
            let _ = write!(out, "\n\t  {name} {a}");
        }
    }
    if ether {
        need(b, 34)?;
        let _ = write!(out, "\n\t  Client-Ethernet-Address {}", MacAddr::from_slice(&b[28..]).unwrap_or_default());
    }
    for (at, size, name) in [(44, 64, "sname"), (108, 128, "file")] {
        need(b, at + 1)?;
        if b[at] != 0 {
            let field = &b[at..(at + size).min(b.len())];
            let _ = write!(out, "\n\t  {name} \"");
            match field.iter().position(|&c| c == 0) {
                Some(n) => {
                    printn(out, &field[..n]);
                    out.push('"');
                }
                // No NUL in the field, or none captured: tcpdump prints it and stops
                // (`nd_printztn`).
                None => {
                    printn(out, field);
                    out.push_str("\" [|bootp]");
                    return Ok(());
                }
            }
        }
    }
    let vend = b.get(236..).unwrap_or_default();
    match be32(vend, 0) {
        Some(0x6382_5363) => rfc1048(out, vend, verbose)?,
        Some(0x434d_5500) => cmu(out, vend),
        Some(0) => {}
        Some(v) => {
            let _ = write!(out, "\n\t  Vendor-#0x{v:x}");
        }
        None => out.push_str(" [|bootp]"),
    }
    Ok(())
}

/// `cmu_print`: the CMU vendor area's addresses that are set.
fn cmu(out: &mut String, v: &[u8]) {
    out.push_str(" vend-cmu");
    let Some(&flags) = v.get(4) else {
        out.push_str(" [|bootp]");
        return;
    };
    if flags & !1 != 0 {
        let _ = write!(out, " F:0x{flags:x}");
    }
    let sm = if flags & 1 != 0 { "SM" } else { "SM*" };
    for (at, name) in
        [(12, "DG"), (8, sm), (16, "NS1"), (20, "NS2"), (24, "IEN1"), (28, "IEN2"), (32, "TS1"), (36, "TS2")]
    {
        let Some(a) = ip4(v, at) else {
            out.push_str(" [|bootp]");
            return;
        };
        if !a.is_unspecified() {
            let _ = write!(out, " {name}:{a}");
        }
    }
}

/// An option's name and how its data prints (`tag2str`'s first character: `i` addresses,
/// `l` unsigned and `L` signed 32-bit words, `s` 16-bit words, `b` bytes, `B` booleans,
/// `p` address pairs, `a` text, `$` one of its own; `?` unknown).
fn tag(t: u8) -> (char, &'static str) {
    let s = match t {
        0 => " PAD",
        1 => "iSubnet-Mask",
        2 => "LTime-Zone",
        3 => "iDefault-Gateway",
        4 => "iTime-Server",
        5 => "iIEN-Name-Server",
        6 => "iDomain-Name-Server",
        7 => "iLOG",
        8 => "iCS",
        9 => "iLPR-Server",
        10 => "iIM",
        11 => "iRL",
        12 => "aHostname",
        13 => "sBS",
        255 => " END",
        14 => "aDP",
        15 => "aDomain-Name",
        16 => "iSS",
        17 => "aRP",
        18 => "aEP",
        19 => "BIPF",
        20 => "BSRT",
        21 => "pPF",
        22 => "sRSZ",
        23 => "bTTL",
        24 => "lMTU-Timeout",
        25 => "sMTU-Table",
        26 => "sMTU",
        27 => "BLSN",
        28 => "iBR",
        29 => "BMD",
        30 => "BMS",
        31 => "BRouter-Discovery",
        32 => "iRSA",
        33 => "pStatic-Route",
        34 => "BUT",
        35 => "lAT",
        36 => "BIE",
        37 => "bTT",
        38 => "lKI",
        39 => "BKG",
        40 => "aYD",
        41 => "iYS",
        42 => "iNTP",
        43 => "bVendor-Option",
        44 => "iNetbios-Name-Server",
        45 => "iWDD",
        46 => "$Netbios-Node",
        47 => "aNetbios-Scope",
        48 => "iXFS",
        49 => "iXDM",
        64 => "sN+D",
        65 => "iN+S",
        68 => "iMH",
        69 => "iSMTP",
        70 => "iPOP3",
        71 => "iNNTP",
        72 => "iWWW",
        73 => "iFG",
        74 => "iIRC",
        75 => "iSTS",
        76 => "iSTDA",
        50 => "iRequested-IP",
        51 => "lLease-Time",
        52 => "$OO",
        66 => "aTFTP",
        67 => "aBF",
        53 => " DHCP-Message",
        54 => "iServer-ID",
        55 => "bParameter-Request",
        56 => "aMSG",
        57 => "sMSZ",
        58 => "lRN",
        59 => "lRB",
        60 => "aVendor-Class",
        61 => "$Client-ID",
        98 => "aUAP",
        116 => "BNOAUTO",
        78 => "bSLP-DA",
        79 => "bSLP-SCOPE",
        117 => "sNSSEARCH",
        77 => "$User-Class",
        118 => "iSUBNET",
        121 => "$Classless-Static-Route",
        249 => "$Classless-Static-Route-Microsoft",
        150 => "iTFTP-Server-Address",
        80 => "aSLP-NA",
        81 => "$FQDN",
        82 => "$Agent-Information",
        83 => "bARMT",
        88 => "aTZSTR",
        89 => "bFQDNS",
        90 => "bAUTH",
        91 => "LLast-Transaction-Time",
        92 => "iAssociated-IP",
        93 => "sARCH",
        94 => "bNDI",
        97 => "bGUID",
        95 => "aLDAP",
        100 => "aPOSIX-TZ",
        101 => "aTZ-Name",
        112 => "iNI",
        113 => "aNITAG",
        114 => "aURL",
        161 => "aMUD-URL",
        _ => "?Unknown",
    };
    let mut c = s.chars();
    let kind = c.next().unwrap_or('?');
    (kind, c.as_str())
}

fn dhcp_message(t: u8) -> Option<&'static str> {
    Some(match t {
        1 => "Discover",
        2 => "Offer",
        3 => "Request",
        4 => "Decline",
        5 => "ACK",
        6 => "NACK",
        7 => "Release",
        8 => "Inform",
        10 => "LeaseQuery",
        11 => "LeaseUnassigned",
        12 => "LeaseUnknown",
        13 => "LeaseActive",
        _ => return None,
    })
}

/// `rfc1048_print`: the magic cookie, then each option until `END` or the end of the data;
/// an option whose length byte was not captured is a cut.
/// with `-vvv` (`verbose` 3) `PAD`s (a run of them once, `occurs N`) and `END` print too, and
/// what follows `END` is read on.
fn rfc1048(out: &mut String, v: &[u8], verbose: u8) -> Result<(), Cut> {
    out.push_str("\n\t  Vendor-rfc1048 Extensions");
    let _ = write!(out, "\n\t    Magic Cookie 0x{:08x}", be32(v, 0).unwrap_or(0));
    let mut at = 4;
    while let Some(&t) = v.get(at) {
        at += 1;
        match t {
            0 if verbose < 3 => continue,
            255 if verbose < 3 => return Ok(()),
            0 | 255 => {
                let _ = write!(out, "\n\t    {} ({t}), length 0", tag(t).1);
                if t == 0 {
                    let run = v[at..].iter().take_while(|&&b| b == 0).count();
                    at += run;
                    if run > 0 {
                        let _ = write!(out, ", occurs {}", run + 1);
                    }
                }
                continue;
            }
            _ => {}
        }
        let (mut kind, name) = tag(t);
        let len = *v.get(at).ok_or(Cut("bootp"))?;
        at += 1;
        let len = usize::from(len);
        let _ = write!(out, "\n\t    {name} ({t}), length {len}{}", if len > 0 { ": " } else { "" });
        let Some(d) = v.get(at..at + len) else {
            out.push_str(" [|bootp]");
            return Ok(());
        };
        at += len;
        if t == 53 && len == 1 {
            match dhcp_message(d[0]) {
                Some(m) => out.push_str(m),
                None => {
                    let _ = write!(out, "Unknown ({})", d[0]);
                }
            }
            continue;
        }
        if t == 55 {
            for (i, &inner) in d.iter().enumerate() {
                out.push_str(if i % 4 == 0 { "\n\t      " } else { ", " });
                let _ = write!(out, "{} ({inner})", tag(inner).1);
            }
            continue;
        }
        if kind == '?' {
            kind = if len & 1 != 0 {
                'b'
            } else if len & 2 != 0 {
                's'
            } else {
                'l'
            };
        }
        let left = data(out, kind, t, d);
        if left > 0 {
            let _ = write!(out, "\n\t  trailing data length {left}");
        }
    }
    Ok(())
}

/// One option's data; how many bytes it left unprinted.
fn data(out: &mut String, kind: char, t: u8, d: &[u8]) -> usize {
    let join = |out: &mut String, size: usize, sep: &str, f: &dyn Fn(&mut String, &[u8])| {
        let mut chunks = d.chunks_exact(size);
        for (i, c) in (&mut chunks).enumerate() {
            if i > 0 {
                out.push_str(sep);
            }
            f(out, c);
        }
        chunks.remainder().len()
    };
    match kind {
        'a' => {
            out.push('"');
            printn(out, d);
            out.push('"');
            0
        }
        'i' => join(out, 4, ",", &|o, c| {
            let _ = write!(o, "{}", ip4(c, 0).unwrap_or(Ipv4Addr::UNSPECIFIED));
        }),
        'l' => join(out, 4, ",", &|o, c| {
            let _ = write!(o, "{}", be32(c, 0).unwrap_or(0));
        }),
        'L' => join(out, 4, ",", &|o, c| {
            let _ = write!(o, "{}", be32(c, 0).unwrap_or(0) as i32);
        }),
        'p' => join(out, 8, ",", &|o, c| {
            let a = ip4(c, 0).unwrap_or(Ipv4Addr::UNSPECIFIED);
            let b = ip4(c, 4).unwrap_or(Ipv4Addr::UNSPECIFIED);
            let _ = write!(o, "({a}:{b})");
        }),
        's' => join(out, 2, ",", &|o, c| {
            let _ = write!(o, "{}", be16(c, 0).unwrap_or(0));
        }),
        'B' => join(out, 1, ",", &|o, c| match c[0] {
            0 => o.push('N'),
            1 => o.push('Y'),
            x => {
                let _ = write!(o, "{x}?");
            }
        }),
        '$' => special(out, t, d),
        _ => join(out, 1, ".", &|o, c| {
            let _ = write!(o, "{}", c[0]);
        }),
    }
}

/// The options `tag2str` marks `$`; how many bytes were left unprinted.
fn special(out: &mut String, t: u8, d: &[u8]) -> usize {
    let len = d.len();
    match t {
        46 | 52 => {
            let Some(&x) = d.first() else {
                out.push_str("[ERROR: length < 1 bytes]");
                return 0;
            };
            let name = match (t, x) {
                (46, 1) => "b-node",
                (46, 2) => "p-node",
                (46, 4) => "m-node",
                (46, 8) => "h-node",
                (52, 1) => "file",
                (52, 2) => "sname",
                (52, 3) => "file+sname",
                // tok2str with no format: "#N".
                _ => return unknown_tok(out, x, len - 1),
            };
            out.push_str(name);
            len - 1
        }
        81 => {
            if len < 3 {
                out.push_str("[ERROR: length < 3 bytes]");
                return 0;
            }
            if d[0] & 0xf0 != 0 {
                let _ = write!(out, "[ERROR: MBZ nibble 0x{:x} != 0] ", (d[0] & 0xf0) >> 4);
            }
            if d[0] & 0x0f != 0 {
                let mut f = String::new();
                for (bit, c) in [(1, 'S'), (2, 'O'), (4, 'E'), (8, 'N')] {
                    if d[0] & bit != 0 {
                        f.push(c);
                    }
                }
                let _ = write!(out, "[{f}] ");
            }
            if d[1] != 0 || d[2] != 0 {
                let _ = write!(out, "{}/{} ", d[1], d[2]);
            }
            out.push('"');
            printn(out, &d[3..]);
            out.push('"');
            0
        }
        61 => {
            let Some(&ty) = d.first() else {
                out.push_str("[ERROR: length < 1 bytes]");
                return 0;
            };
            if ty == 0 {
                out.push('"');
                printn(out, &d[1..]);
                out.push('"');
                return 0;
            }
            match ty {
                1 => out.push_str("ether "),
                6 => out.push_str("ieee802 "),
                7 => out.push_str("arcnet "),
                15 => out.push_str("frelay "),
                23 => out.push_str("strip "),
                24 => out.push_str("ieee1394 "),
                _ => {
                    let _ = write!(out, "hardware-type {ty}, ");
                }
            }
            for (i, x) in d[1..].iter().enumerate() {
                if i > 0 {
                    out.push(':');
                }
                let _ = write!(out, "{x:02x}");
            }
            0
        }
        82 => {
            let mut d = d;
            while d.len() >= 2 {
                let (sub, sublen) = (d[0], usize::from(d[1]));
                d = &d[2..];
                let name = match sub {
                    1 => "Circuit-ID",
                    2 => "Remote-ID",
                    6 => "Subscriber-ID",
                    _ => "Unknown",
                };
                if sublen > d.len() {
                    let _ = write!(
                        out,
                        "\n\t      {name} SubOption {sub}, length {sublen}: length goes past end of option"
                    );
                    return 0;
                }
                let _ = write!(out, "\n\t      {name} SubOption {sub}, length {sublen}: ");
                match sub {
                    1 | 2 | 6 => printn(out, &d[..sublen]),
                    _ => hex_print(out, "\n\t\t", &d[..sublen]),
                }
                d = &d[sublen..];
            }
            d.len()
        }
        121 | 249 => {
            if len < 5 {
                out.push_str("[ERROR: length < 5 bytes]");
                return 0;
            }
            let mut d = d;
            let mut first = true;
            while let Some(&width) = d.first() {
                if !first {
                    out.push(',');
                }
                first = false;
                d = &d[1..];
                if width > 32 {
                    let _ = write!(out, "[ERROR: Mask width ({width}) > 32]");
                    return 0;
                }
                let sig = usize::from(width).div_ceil(8);
                if d.len() < sig + 4 {
                    let _ = write!(out, "[ERROR: Remaining length ({}) < {} bytes]", d.len(), sig + 4);
                    return 0;
                }
                out.push('(');
                if width == 0 {
                    out.push_str("default");
                } else {
                    let parts: Vec<String> =
                        (0..4).map(|i| if i < sig { d[i].to_string() } else { "0".into() }).collect();
                    let _ = write!(out, "{}/{width}", parts.join("."));
                }
                let _ = write!(out, ":{})", ip4(d, sig).unwrap_or(Ipv4Addr::UNSPECIFIED));
                d = &d[sig + 4..];
            }
            0
        }
        77 => {
            if len < 2 {
                out.push_str("[ERROR: length < 2 bytes]");
                return 0;
            }
            let mut d = d;
            let mut n = 1;
            while let Some(&sublen) = d.first() {
                d = &d[1..];
                let _ = write!(out, "\n\t      instance#{n}: ");
                if sublen == 0 {
                    out.push_str("[ERROR: suboption length must be non-zero]");
                    return 0;
                }
                let sublen = usize::from(sublen);
                if d.len() < sublen {
                    out.push_str("[ERROR: invalid option]");
                    return 0;
                }
                out.push('"');
                printn(out, &d[..sublen]);
                let _ = write!(out, "\", length {sublen}");
                n += 1;
                d = &d[sublen..];
            }
            0
        }
        _ => {
            let _ = write!(out, "[unknown special tag {t}, size {len}]");
            0
        }
    }
}

/// `tok2str(table, NULL, v)` for a value not in the table: `#v`.
fn unknown_tok(out: &mut String, v: u8, left: usize) -> usize {
    let _ = write!(out, "#{v}");
    left
}
