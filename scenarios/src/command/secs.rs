//! [`Secs`]: a span of time in seconds as the tools take it, and GNU `sleep`'s reading of
//! an interval (coreutils 9.1): a C `strtod` number — decimal, exponent, hex (`0x10`),
//! `inf`/`infinity` — with one optional `s`, `m`, `h` or `d`.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sim_core::Duration;
use std::fmt;

/// A span of time given in seconds, as `sleep 1.5` and `ping -i 0.2` take it.
/// [`Secs::INFINITY`] is `sleep inf` (and any sleep longer than virtual time can count).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Secs(pub Duration);

impl Secs {
    /// For ever: `sleep inf`, `sleep infinity`, and every interval past what virtual time
    /// counts (2^64 ns, about 584 years), such as `sleep 1e12`.
    pub const INFINITY: Secs = Secs(Duration::from_nanos(u64::MAX));

    /// True for [`Secs::INFINITY`].
    pub fn is_infinite(self) -> bool {
        self == Secs::INFINITY
    }

    /// Seconds as a float (`inf` or past 2^64 ns: [`Secs::INFINITY`]); `None` for a negative
    /// or not-a-number value.
    pub fn from_f64(s: f64) -> Option<Secs> {
        if s.is_nan() || s < 0.0 {
            return None;
        }
        let ns = s * 1e9;
        if ns >= u64::MAX as f64 {
            return Some(Secs::INFINITY);
        }
        Some(Secs(Duration::from_nanos(ns.round() as u64)))
    }

    /// One operand of GNU `sleep`: `None` where sleep says `invalid time interval`.
    /// Plain decimals are read exactly (to the nanosecond), the rest as `strtod` does.
    pub fn gnu_interval(arg: &str) -> Option<Secs> {
        let (body, mult) = match arg.as_bytes().last() {
            Some(b's') => (&arg[..arg.len() - 1], 1),
            Some(b'm') => (&arg[..arg.len() - 1], 60),
            Some(b'h') => (&arg[..arg.len() - 1], 3600),
            Some(b'd') => (&arg[..arg.len() - 1], 86400),
            _ => (arg, 1),
        };
        if let Some(d) = Duration::from_secs_str(body) {
            return Some(match d.as_nanos().checked_mul(mult) {
                Some(ns) if ns < u64::MAX => Secs(Duration::from_nanos(ns)),
                _ => Secs::INFINITY,
            });
        }
        let (v, rest) = strtod(arg)?;
        let mult = match rest {
            "" | "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            "d" => 86400.0,
            _ => return None,
        };
        // `0 <= s` is false for NaN; `-0` is a zero.
        if v.is_nan() || v < 0.0 {
            return None;
        }
        Secs::from_f64(v.abs() * mult)
    }
}

/// C's `strtod()` in the C locale, on a prefix of `s`: the value and what follows it, or
/// `None` when no number starts `s`.
fn strtod(s: &str) -> Option<(f64, &str)> {
    let t = s.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let (neg, t) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let sign = if neg { -1.0 } else { 1.0 };
    let lower = t.get(..8.min(t.len())).unwrap_or_default().to_ascii_lowercase();
    if lower.starts_with("infinity") {
        return Some((sign * f64::INFINITY, &t[8..]));
    }
    if lower.starts_with("inf") {
        return Some((sign * f64::INFINITY, &t[3..]));
    }
    if lower.starts_with("nan") {
        let mut rest = &t[3..];
        // `nan(chars)`.
        if let Some(inner) = rest.strip_prefix('(')
            && let Some(close) = inner.find(')')
            && inner[..close].bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            rest = &inner[close + 1..];
        }
        return Some((f64::NAN, rest));
    }
    let b = t.as_bytes();
    if b.len() > 2
        && b[0] == b'0'
        && (b[1] | 0x20) == b'x'
        && (b[2].is_ascii_hexdigit() || b[2] == b'.')
        && let Some((v, rest)) = hex_float(&t[2..])
    {
        return Some((sign * v, rest));
    }
    // Decimal: digits, a point, digits, then an exponent only if it has digits.
    let digits = |from: usize| from + b[from..].iter().take_while(|c| c.is_ascii_digit()).count();
    let int_end = digits(0);
    let mut end = int_end;
    let mut any = int_end > 0;
    if b.get(end) == Some(&b'.') {
        let frac_end = digits(end + 1);
        any |= frac_end > end + 1;
        end = frac_end;
    }
    if !any {
        return None;
    }
    if matches!(b.get(end), Some(b'e' | b'E')) {
        let mut e = end + 1;
        if matches!(b.get(e), Some(b'+' | b'-')) {
            e += 1;
        }
        let exp_end = digits(e);
        if exp_end > e {
            end = exp_end;
        }
    }
    // Rust reads what C would: `1.`, `.5`, `1e400` (infinite).
    let text = &t[..end];
    let v: f64 = text.strip_suffix('.').unwrap_or(text).parse().ok()?;
    Some((sign * v, &t[end..]))
}

/// The digits after `0x`: hex digits, an optional point and more, an optional binary
/// exponent `p[+-]N`.
fn hex_float(t: &str) -> Option<(f64, &str)> {
    let b = t.as_bytes();
    let mut v = 0.0f64;
    let mut i = 0;
    let mut any = false;
    while i < b.len() && b[i].is_ascii_hexdigit() {
        v = v * 16.0 + f64::from((b[i] as char).to_digit(16)?);
        i += 1;
        any = true;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        let mut scale = 1.0 / 16.0;
        while i < b.len() && b[i].is_ascii_hexdigit() {
            v += f64::from((b[i] as char).to_digit(16)?) * scale;
            scale /= 16.0;
            i += 1;
            any = true;
        }
    }
    if !any {
        return None;
    }
    if matches!(b.get(i), Some(b'p' | b'P')) {
        let mut e = i + 1;
        let neg = match b.get(e) {
            Some(b'-') => {
                e += 1;
                true
            }
            Some(b'+') => {
                e += 1;
                false
            }
            _ => false,
        };
        let start = e;
        while e < b.len() && b[e].is_ascii_digit() {
            e += 1;
        }
        if e > start {
            let n: i32 = t[start..e].parse().unwrap_or(i32::MAX);
            v *= 2f64.powi(if neg { -n } else { n });
            i = e;
        }
    }
    Some((v, &t[i..]))
}

impl fmt::Display for Secs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_infinite() {
            return f.write_str("infinity");
        }
        let ns = self.0.as_nanos();
        if ns.is_multiple_of(1_000_000_000) {
            write!(f, "{}", ns / 1_000_000_000)
        } else {
            let s = format!("{}.{:09}", ns / 1_000_000_000, ns % 1_000_000_000);
            f.write_str(s.trim_end_matches('0'))
        }
    }
}

impl Serialize for Secs {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let ns = self.0.as_nanos();
        if self.is_infinite() {
            s.serialize_str("infinity")
        } else if ns.is_multiple_of(1_000_000_000) {
            s.serialize_u64(ns / 1_000_000_000)
        } else {
            s.serialize_f64(ns as f64 / 1e9)
        }
    }
}

impl<'de> Deserialize<'de> for Secs {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Secs;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a non-negative number of seconds, or a string as sleep takes it (\"1.5m\", \"infinity\")")
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Secs, E> {
                Ok(v.checked_mul(1_000_000_000).map(|n| Secs(Duration::from_nanos(n))).unwrap_or(Secs::INFINITY))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Secs, E> {
                u64::try_from(v).map_err(|_| E::custom("seconds cannot be negative")).and_then(|v| self.visit_u64(v))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Secs, E> {
                // Exactly as written where the float prints as a plain decimal.
                Duration::from_secs_str(&format!("{v}"))
                    .map(Secs)
                    .or_else(|| Secs::from_f64(v))
                    .ok_or_else(|| E::custom("seconds must be a non-negative number"))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Secs, E> {
                Secs::gnu_interval(v).ok_or_else(|| E::custom(format!("invalid time interval ‘{v}’")))
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> Option<Secs> {
        Secs::gnu_interval(x)
    }

    #[test]
    fn reads_intervals_as_gnu_sleep_does() {
        assert_eq!(s("1"), Some(Secs(Duration::from_secs(1))));
        assert_eq!(s("0.2"), Some(Secs(Duration::from_millis(200))));
        assert_eq!(s("1.5m"), Some(Secs(Duration::from_secs(90))));
        assert_eq!(s("1d"), Some(Secs(Duration::from_secs(86400))));
        assert_eq!(s("2h"), Some(Secs(Duration::from_secs(7200))));
        assert_eq!(s("0x10"), Some(Secs(Duration::from_secs(16))));
        assert_eq!(s("0x1p3"), Some(Secs(Duration::from_secs(8))));
        assert_eq!(s("1e3"), Some(Secs(Duration::from_secs(1000))));
        assert_eq!(s("1e3s"), Some(Secs(Duration::from_secs(1000))));
        assert_eq!(s(".5"), Some(Secs(Duration::from_millis(500))));
        assert_eq!(s("5."), Some(Secs(Duration::from_secs(5))));
        assert_eq!(s(" 5"), Some(Secs(Duration::from_secs(5))));
        assert_eq!(s("-0"), Some(Secs(Duration::ZERO)));
        for inf in ["inf", "infinity", "INF", "Infinity", "1e12", "1e400", "infm", "9999999999999999999999"] {
            assert_eq!(s(inf), Some(Secs::INFINITY), "{inf}");
        }
        for bad in ["abc", "", "nan", "NaN", "-1", "1x", "5 ", "1e", "0x", "1..2", "s", "1ss", "--1", "nan(1)"] {
            assert_eq!(s(bad), None, "{bad:?}");
        }
        assert_eq!(Secs::INFINITY.to_string(), "infinity");
        assert_eq!(Secs(Duration::from_millis(1500)).to_string(), "1.5");
    }
}
