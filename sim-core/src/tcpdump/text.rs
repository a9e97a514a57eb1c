//! How tcpdump prints text: bytes as `nd_printn` shows them, `hex_print`'s dump (`-x`),
//! `hex_and_ascii_print`'s (`-X`) and `ascii_print`'s (`-A`), and the text protocols it
//! decodes on their ports (HTTP, `txtproto_print`). Only the formatter in `super` calls it.

use super::Cut;
use std::fmt::Write;

/// `nd_printn`: bytes as tcpdump shows text (`M-` for the high bit, `^X` for controls).
pub(super) fn printn(out: &mut String, b: &[u8]) {
    for &c in b {
        let mut c = c;
        if !c.is_ascii() {
            c &= 0x7f;
            out.push_str("M-");
        }
        if !(0x20..0x7f).contains(&c) {
            c ^= 0x40;
            out.push('^');
        }
        out.push(char::from(c));
    }
}

/// `ND_ASCII_ISGRAPH`: what tcpdump prints of a byte as itself in `-X` and `-A` dumps.
fn is_graph(c: u8) -> bool {
    (0x21..=0x7e).contains(&c)
}

/// `hex_and_ascii_print` (`-X`): each line `indent`, the offset, 16 bytes in hex (padded to
/// a full line's width), two spaces and the bytes as text, `.` for what is not printable.
pub(super) fn hex_and_ascii_print(out: &mut String, indent: &str, b: &[u8]) {
    const HEX_WIDTH: usize = 40;
    for (n, line) in b.chunks(16).enumerate() {
        let _ = write!(out, "{indent}0x{:04x}: ", n * 16);
        let start = out.len();
        for pair in line.chunks(2) {
            out.push(' ');
            pair.iter().for_each(|c| {
                let _ = write!(out, "{c:02x}");
            });
        }
        let pad = HEX_WIDTH - (out.len() - start);
        out.extend(std::iter::repeat_n(' ', pad + 2));
        out.extend(line.iter().map(|&c| if is_graph(c) { char::from(c) } else { '.' }));
    }
}

/// `ascii_print` (`-A`): a new line, then the bytes as text — printable ones, space, tab and
/// newline as themselves, a carriage return before a newline (or among the last two bytes)
/// not at all, any other byte as `.`.
pub(super) fn ascii_print(out: &mut String, b: &[u8]) {
    out.push('\n');
    for (i, &c) in b.iter().enumerate() {
        let left = b.len() - i - 1;
        if c == b'\r' {
            if left > 1 && b[i + 1] != b'\n' {
                out.push('.');
            }
        } else if is_graph(c) || matches!(c, b'\t' | b' ' | b'\n') {
            out.push(char::from(c));
        } else {
            out.push('.');
        }
    }
}

/// `hex_print`: `indent`, then 16 bytes a line as `0x0000:  0102 0304 …`.
pub(super) fn hex_print(out: &mut String, indent: &str, b: &[u8]) {
    let mut offset = 0;
    let mut i = 0;
    let mut words = b.chunks_exact(2);
    for w in &mut words {
        if i % 8 == 0 {
            let _ = write!(out, "{indent}0x{offset:04x}: ");
            offset += 16;
        }
        i += 1;
        let _ = write!(out, " {:02x}{:02x}", w[0], w[1]);
    }
    if let [last] = words.remainder() {
        if i % 8 == 0 {
            let _ = write!(out, "{indent}0x{offset:04x}: ");
        }
        let _ = write!(out, " {last:02x}");
    }
}

/// `httpcmds`: the request methods `http_print` knows.
const HTTP_METHODS: [&str; 38] = [
    "GET",
    "PUT",
    "COPY",
    "HEAD",
    "LOCK",
    "MOVE",
    "POLL",
    "POST",
    "BCOPY",
    "BMOVE",
    "MKCOL",
    "TRACE",
    "LABEL",
    "MERGE",
    "DELETE",
    "SEARCH",
    "UNLOCK",
    "REPORT",
    "UPDATE",
    "NOTIFY",
    "BDELETE",
    "CONNECT",
    "OPTIONS",
    "CHECKIN",
    "PROPFIND",
    "CHECKOUT",
    "CCM_POST",
    "SUBSCRIBE",
    "PROPPATCH",
    "BPROPFIND",
    "BPROPPATCH",
    "UNCHECKOUT",
    "MKACTIVITY",
    "MKWORKSPACE",
    "UNSUBSCRIBE",
    "RPC_CONNECT",
    "VERSION-CONTROL",
    "BASELINE-CONTROL",
];

/// `http_print` (`txtproto_print`): `HTTP`, then for a request or a response its first line
/// (`-v`: `, length: N` and every text line, each on a line of its own).
pub(super) fn http(out: &mut String, p: &[u8], len: usize, verbose: bool) -> Result<(), Cut> {
    let mut print_this = false;
    if let Some((idx, tok)) = fetch_token(p, 0, len) {
        print_this = HTTP_METHODS.iter().any(|m| m.eq_ignore_ascii_case(&tok));
        if let Some((_, code)) = fetch_token(p, idx, len) {
            let b = code.as_bytes();
            if b.len() == 3 && b.iter().all(u8::is_ascii_digit) {
                print_this = true;
            }
        }
    }
    out.push_str("HTTP");
    if !print_this {
        return Ok(());
    }
    if verbose {
        let _ = write!(out, ", length: {len}");
        let mut idx = 0;
        while idx < len {
            match txt_line(out, "\n\t", p, idx, len)? {
                Some(eol) => idx = eol,
                None => break,
            }
        }
    } else {
        txt_line(out, ": ", p, 0, len)?;
    }
    Ok(())
}

/// `fetch_token`: the word at `idx` and where the next one starts; `None` for no word, or
/// one that is not printable ASCII or runs past what was captured.
fn fetch_token(p: &[u8], mut idx: usize, len: usize) -> Option<(usize, String)> {
    let mut tok = String::new();
    while idx < len {
        let &c = p.get(idx)?;
        if !c.is_ascii() {
            return None;
        }
        if matches!(c, b' ' | b'\t' | b'\r' | b'\n') {
            break;
        }
        // (tcpdump's token buffer holds 128 characters and the NUL.)
        if !(0x20..0x7f).contains(&c) || tok.len() + 2 > 129 {
            return None;
        }
        tok.push(char::from(c));
        idx += 1;
    }
    if tok.is_empty() {
        return None;
    }
    while idx < len {
        let Some(&c) = p.get(idx) else { break };
        if c == b'\r' || c == b'\n' || !(0x20..0x7f).contains(&c) || (c != b' ' && c != b'\t') {
            break;
        }
        idx += 1;
    }
    Some((idx, tok))
}

/// `print_txt_line`: the text line at `idx` after `prefix`, and where the next starts; `None`
/// after binary data, a lone CR, or a line that runs to the end of the payload (printed
/// with ` [|http]`); a cut where the line runs past what was captured.
fn txt_line(out: &mut String, prefix: &str, p: &[u8], mut idx: usize, len: usize) -> Result<Option<usize>, Cut> {
    let start = idx;
    let print = |out: &mut String, end: usize| {
        out.push_str(prefix);
        out.extend(p[start..end].iter().map(|&c| char::from(c)));
    };
    while idx < len {
        // Past what was captured: tcpdump abandons the packet, the line unprinted.
        let c = *p.get(idx).ok_or(Cut("http"))?;
        if c == b'\n' {
            print(out, idx);
            return Ok(Some(idx + 1));
        }
        if c == b'\r' {
            if idx + 1 >= len {
                return Ok(None);
            }
            if *p.get(idx + 1).ok_or(Cut("http"))? == b'\n' {
                print(out, idx);
                return Ok(Some(idx + 2));
            }
            return Ok(None);
        }
        if !(0x20..0x7f).contains(&c) && c != b'\t' {
            return Ok(None);
        }
        idx += 1;
    }
    print(out, idx);
    out.push_str(" [|http]");
    Ok(None)
}
