//! Expectation matching: `{}` matches any run of characters within a line, `{A|B}` matches
//! `A` or `B` (a state that depends on the seed), a line that is exactly `...` matches any
//! number of lines, trailing whitespace never matters (iproute2 ends lines with a space;
//! documents lose it when copied).

use crate::command::Expect;

/// One piece of an expected line.
#[derive(Debug, PartialEq, Eq)]
enum Piece<'a> {
    /// Text that must be there as written.
    Text(&'a str),
    /// `{}`: any run of characters.
    Any,
    /// `{A|B|…}`: one of the alternatives (each may be empty).
    OneOf(Vec<&'a str>),
}

/// Splits a pattern into pieces. `{` starts a wildcard only as `{}` or as `{A|B…}` (at least
/// one `|`, no brace inside); any other brace is text.
fn pieces(p: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut text_from = 0;
    let mut i = 0;
    while let Some(off) = p[i..].find('{') {
        let at = i + off;
        let rest = &p[at + 1..];
        let close = rest.find(['{', '}']).filter(|&c| rest.as_bytes()[c] == b'}');
        let piece = match close {
            Some(0) => Some((Piece::Any, 2)),
            Some(c) if rest[..c].contains('|') => Some((Piece::OneOf(rest[..c].split('|').collect()), c + 2)),
            _ => None,
        };
        match piece {
            Some((piece, len)) => {
                if text_from < at {
                    out.push(Piece::Text(&p[text_from..at]));
                }
                out.push(piece);
                i = at + len;
                text_from = i;
            }
            None => i = at + 1,
        }
    }
    if text_from < p.len() {
        out.push(Piece::Text(&p[text_from..]));
    }
    out
}

/// True if `line` matches `pattern`.
pub fn line_matches(pattern: &str, line: &str) -> bool {
    let l = line.trim_end();
    // The positions in `l` the pieces so far can end at: one pass per piece, so a pattern
    // of k pieces costs O(k·n) whatever the line (no backtracking blow-up).
    let mut at = vec![false; l.len() + 1];
    at[0] = true;
    for piece in pieces(pattern.trim_end()) {
        let mut next = vec![false; l.len() + 1];
        match piece {
            Piece::Any => {
                if let Some(first) = at.iter().position(|&b| b) {
                    for (k, n) in next.iter_mut().enumerate().skip(first) {
                        *n = l.is_char_boundary(k);
                    }
                }
            }
            Piece::Text(t) => step(&at, &mut next, l, &[t]),
            Piece::OneOf(alts) => step(&at, &mut next, l, &alts),
        }
        at = next;
    }
    at[l.len()]
}

/// From each reachable position, whichever of `words` the line continues with.
fn step(at: &[bool], next: &mut [bool], l: &str, words: &[&str]) {
    for (k, _) in at.iter().enumerate().filter(|&(_, &b)| b) {
        for w in words {
            if l[k..].starts_with(w) {
                next[k + w.len()] = true;
            }
        }
    }
}

/// Why an expectation failed, with the lines involved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mismatch {
    /// What failed.
    pub message: String,
    /// The expected line at the point of failure, if any.
    pub expected: Option<String>,
    /// The actual line at the point of failure, if any.
    pub actual: Option<String>,
}

fn trim_trailing_blank(v: &[String]) -> &[String] {
    let mut n = v.len();
    while n > 0 && v[n - 1].trim().is_empty() {
        n -= 1;
    }
    &v[..n]
}

/// Matches a whole output against expected lines (with `...`); on failure reports the
/// deepest point reached.
pub fn block(expected: &[String], actual: &[String]) -> Result<(), Mismatch> {
    let e = trim_trailing_blank(expected);
    let a = trim_trailing_blank(actual);
    let mut best = (0usize, 0usize);
    if go(e, a, 0, 0, &mut best) {
        return Ok(());
    }
    let (ei, ai) = best;
    let exp = e.get(ei).cloned();
    let act = a.get(ai).cloned();
    let message = match (&exp, &act) {
        (Some(_), Some(_)) => format!("output line {} differs", ai + 1),
        (Some(_), None) => format!("output ended after {} lines; more expected", a.len()),
        (None, Some(_)) => format!("unexpected output from line {}", ai + 1),
        (None, None) => "output differs".to_string(),
    };
    Err(Mismatch { message, expected: exp, actual: act })
}

fn go(e: &[String], a: &[String], ei: usize, ai: usize, best: &mut (usize, usize)) -> bool {
    if (ei, ai) > *best && ei <= e.len() {
        *best = (ei, ai);
    }
    if ei == e.len() {
        return ai == a.len();
    }
    if e[ei].trim() == "..." {
        return (ai..=a.len()).any(|k| go(e, a, ei + 1, k, best));
    }
    ai < a.len() && line_matches(&e[ei], &a[ai]) && go(e, a, ei + 1, ai + 1, best)
}

/// Checks one expectation against a step's output and exit status.
pub fn check(x: &Expect, output: &[String], exit: Option<i32>) -> Result<(), Mismatch> {
    match x {
        Expect::Output(lines) => block(lines, output),
        Expect::Contains(lines) => {
            let mut ai = 0;
            for (k, want) in lines.iter().enumerate() {
                match output[ai..].iter().position(|l| line_matches(want, l)) {
                    Some(p) => ai += p + 1,
                    None => {
                        let msg = if k == 0 {
                            "no output line matches".to_string()
                        } else {
                            format!("no line matches after the previous {k}")
                        };
                        return Err(Mismatch { message: msg, expected: Some(want.clone()), actual: None });
                    }
                }
            }
            Ok(())
        }
        Expect::Lacks(lines) => {
            for want in lines {
                if let Some(l) = output.iter().find(|l| line_matches(want, l)) {
                    return Err(Mismatch {
                        message: "a line that must not appear did".into(),
                        expected: Some(want.clone()),
                        actual: Some(l.clone()),
                    });
                }
            }
            Ok(())
        }
        Expect::Exit(n) => match exit {
            Some(s) if s == *n => Ok(()),
            Some(s) => {
                Err(Mismatch { message: format!("exit status {s}, expected {n}"), expected: None, actual: None })
            }
            None => Err(Mismatch {
                message: format!("no exit status (still running), expected {n}"),
                expected: None,
                actual: None,
            }),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn wildcards() {
        assert!(line_matches(
            "64 bytes from 192.0.2.2: icmp_seq=1 ttl=64 time={} ms",
            "64 bytes from 192.0.2.2: icmp_seq=1 ttl=64 time=0.040 ms"
        ));
        assert!(!line_matches(
            "64 bytes from 192.0.2.2: icmp_seq=1 ttl=63 time={} ms",
            "64 bytes from 192.0.2.2: icmp_seq=1 ttl=64 time=0.040 ms"
        ));
        assert!(line_matches("{}", ""));
        assert!(line_matches("a{}b{}c", "a1b2c"));
        assert!(!line_matches("a{}b{}c", "a1c"));
        assert!(line_matches(
            "192.0.2.0/24 dev x proto kernel scope link src 192.0.2.1",
            "192.0.2.0/24 dev x proto kernel scope link src 192.0.2.1 "
        ));
        assert!(!line_matches("ab{}ba", "aba"));
        assert!(line_matches("\u{e9}{}\u{e9}", "\u{e9}x\u{e9}"));
    }

    #[test]
    fn alternatives() {
        let p = "198.51.100.1 lladdr {} {REACHABLE|DELAY}";
        assert!(line_matches(p, "198.51.100.1 lladdr 76:4c:49:ea:e2:e2 DELAY "));
        assert!(line_matches(p, "198.51.100.1 lladdr 76:4c:49:ea:e2:e2 REACHABLE"));
        assert!(!line_matches(p, "198.51.100.1 lladdr 76:4c:49:ea:e2:e2 STALE"));
        assert!(!line_matches(p, "198.51.100.1 lladdr 76:4c:49:ea:e2:e2 DELAYED"));
        assert!(line_matches("a{|b}c", "ac") && line_matches("a{|b}c", "abc"));
        assert!(line_matches("{ab|a}bc", "abc"), "the shorter alternative when the longer cannot go on");
        // Braces that are neither `{}` nor alternatives are text.
        assert!(line_matches("{a}", "{a}") && !line_matches("{a}", "a"));
        assert!(line_matches("{a{}|b}", "{axyz|b}"));
        assert!(line_matches("x{", "x{") && line_matches("}{", "}{"));
    }

    #[test]
    fn blocks_with_ellipsis() {
        let out = v(&["PING x", "64 a", "64 b", "", "--- stats ---", "3 tx", ""]);
        assert!(block(&v(&["PING x", "...", "3 tx"]), &out).is_ok());
        assert!(block(&v(&["...", "64 b", "..."]), &out).is_ok());
        let e = block(&v(&["PING x", "64 a", "64 c", "..."]), &out).unwrap_err();
        assert_eq!(e.expected.as_deref(), Some("64 c"));
        assert_eq!(e.actual.as_deref(), Some("64 b"));
        assert!(block(&v(&["PING x"]), &out).is_err());
    }

    #[test]
    fn contains_lacks_exit() {
        let out = v(&["a", "b", "c"]);
        assert!(check(&Expect::Contains(v(&["a", "c"])), &out, None).is_ok());
        assert!(check(&Expect::Contains(v(&["c", "a"])), &out, None).is_err());
        assert!(check(&Expect::Lacks(v(&["d{}"])), &out, None).is_ok());
        assert!(check(&Expect::Lacks(v(&["b"])), &out, None).is_err());
        assert!(check(&Expect::Exit(1), &out, Some(1)).is_ok());
        assert!(check(&Expect::Exit(1), &out, Some(0)).is_err());
    }
}
