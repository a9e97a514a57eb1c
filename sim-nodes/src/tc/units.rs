//! iproute2's numbers: how `tc` reads rates, sizes, times, integers and percentages, and how it prints
//! them back (`lib/utils_math.c`, `lib/json_print_math.c`, `tc/tc_util.c`, `tc/tc_core.c`
//! of iproute2 6.1), and the kernel's `psched_ratecfg` (bytes to transmit time).
//!
//! The round trips are lossy on purpose: `tc` sends a burst as 64-ns ticks truncated to whole
//! microseconds, and prints what comes back, so `burst 1600` at 1500kbit shows `1599b`.

/// tc's time unit per second (times are microseconds).
pub const TIME_UNITS_PER_SEC: f64 = 1_000_000.0;
/// Ticks per microsecond on this kernel (`/proc/net/psched`: 1000 ns per µs over 64 ns).
const TICK_IN_USEC: f64 = 15.625;

/// `get_rate64`: a rate with its unit (`1mbit`, `100kbps`, `8000` bit/s), in bytes per second.
pub fn get_rate(s: &str) -> Option<u64> {
    let (num, unit) = split_number(s)?;
    let scale: f64 = match unit.to_ascii_lowercase().as_str() {
        "" | "bit" => 1.0,
        "kibit" => 1024.0,
        "kbit" => 1000.0,
        "mibit" => 1024.0 * 1024.0,
        "mbit" => 1e6,
        "gibit" => 1024.0 * 1024.0 * 1024.0,
        "gbit" => 1e9,
        "tibit" => 1024f64.powi(4),
        "tbit" => 1e12,
        "bps" => 8.0,
        "kibps" => 8.0 * 1024.0,
        "kbps" => 8000.0,
        "mibps" => 8.0 * 1024.0 * 1024.0,
        "mbps" => 8e6,
        "gibps" => 8.0 * 1024f64.powi(3),
        "gbps" => 8e9,
        "tibps" => 8.0 * 1024f64.powi(4),
        "tbps" => 8e12,
        _ => return None,
    };
    let bps = num * scale;
    if bps < 0.0 {
        return None;
    }
    Some((bps / 8.0) as u64)
}

/// `get_size`: bytes (`1600`, `10k`, `32kbit` = 4096, `1mb`).
pub fn get_size(s: &str) -> Option<u32> {
    let (num, unit) = split_number(s)?;
    let scale: f64 = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "kb" | "k" => 1024.0,
        "gb" | "g" => 1024.0 * 1024.0 * 1024.0,
        "gbit" => 1024.0 * 1024.0 * 1024.0 / 8.0,
        "mb" | "m" => 1024.0 * 1024.0,
        "mbit" => 1024.0 * 1024.0 / 8.0,
        "kbit" => 1024.0 / 8.0,
        _ => return None,
    };
    // tc stores the double in an unsigned int (a fraction is cut) and refuses only what
    // does not fit.
    let sz = num * scale;
    (0.0..=f64::from(u32::MAX)).contains(&sz).then_some(sz as u32)
}

/// `get_time`: microseconds (`100ms`, `1s`, `250us`, `500` = µs).
pub fn get_time(s: &str) -> Option<u32> {
    let t = split_time_us(s)?;
    (0.0..=f64::from(u32::MAX)).contains(&t).then_some(t as u32)
}

/// `get_time` before it stores its double: microseconds, possibly negative or huge (netem
/// then refuses the value as tc does). `s`, `ms`, `us` (and their long forms); none is µs.
pub fn split_time_us(s: &str) -> Option<f64> {
    let (num, unit) = split_number(s)?;
    let scale = match unit.to_ascii_lowercase().as_str() {
        "s" | "sec" | "secs" => 1e6,
        "ms" | "msec" | "msecs" => 1e3,
        "" | "us" | "usec" | "usecs" => 1.0,
        _ => return None,
    };
    Some(num * scale)
}

/// `get_time64` (netem's slot): nanoseconds, signed; `ns` too, and none is ns.
pub fn get_time_ns(s: &str) -> Option<i64> {
    let t = match split_number(s)? {
        (n, u)
            if u.eq_ignore_ascii_case("ns")
                || u.eq_ignore_ascii_case("nsec")
                || u.eq_ignore_ascii_case("nsecs")
                || u.is_empty() =>
        {
            n
        }
        _ => split_time_us(s)? * 1e3,
    };
    (t.is_finite() && t.abs() <= 9.2e18).then_some(t as i64)
}

/// `get_u32(…, 0)`: `0x` hex, a leading `0` octal, else decimal.
pub fn get_u32(s: &str) -> Option<u32> {
    let (digits, radix) = if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        (h, 16)
    } else if s.len() > 1 && s.starts_with('0') {
        (&s[1..], 8)
    } else {
        (s, 10)
    };
    u32::from_str_radix(digits, radix).ok()
}

/// `get_s32(…, 0)`.
pub fn get_s32(s: &str) -> Option<i32> {
    match s.strip_prefix('-') {
        Some(r) => get_u32(r).and_then(|v| i32::try_from(-i64::from(v)).ok()),
        None => get_u32(s).and_then(|v| i32::try_from(v).ok()),
    }
}

/// `get_u32(…, 16)`: hex, `0x` or not.
pub fn get_hex(s: &str) -> Option<u32> {
    u32::from_str_radix(s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")).unwrap_or(s), 16).ok()
}

/// `strtod` then the rest: the number and its unit.
fn split_number(s: &str) -> Option<(f64, &str)> {
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
        i += 1;
    }
    let digits = i;
    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'.') {
        i += 1;
    }
    if i == digits {
        return None;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        // An exponent only when digits follow (`1e-3`, `1e+3`), as strtod reads it.
        let sign = usize::from(b.get(i + 1).is_some_and(|c| *c == b'-' || *c == b'+'));
        if b.get(i + 1 + sign).is_some_and(|c| c.is_ascii_digit()) {
            i += 1 + sign;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
        }
    }
    let n: f64 = s[..i].parse().ok()?;
    Some((n, &s[i..]))
}

/// `tc_print_rate` (SI units, the default): bytes/s printed as bits (`1Mbit`, `1500Kbit`).
pub fn rate(bytes_ps: u64) -> String {
    let units = ["", "K", "M", "G", "T"];
    let mut r = bytes_ps << 3;
    let kilo = 1000;
    let mut i = 0;
    while i < units.len() - 1 {
        if r < kilo || (!r.is_multiple_of(kilo) && r < 1000 * kilo) {
            break;
        }
        r /= kilo;
        i += 1;
    }
    format!("{r}{}bit", units[i])
}

/// `sprint_size`: `4Kb`, `1600b`, `1Mb`.
pub fn size(sz: u32) -> String {
    let (kilo, mega) = (1024.0f64, 1024.0f64 * 1024.0);
    let t = f64::from(sz);
    if t >= mega && (mega * (t / mega).round_ties_even() - t).abs() < 1024.0 {
        format!("{}Mb", g((t / mega).round_ties_even(), 6))
    } else if t >= kilo && (kilo * (t / kilo).round_ties_even() - t).abs() < 16.0 {
        format!("{}Kb", g((t / kilo).round_ties_even(), 6))
    } else {
        format!("{sz}b")
    }
}

/// `sprint_time`: microseconds as `400ms`, `1.5ms`, `992us`, `2.5s`.
pub fn time(us: u32) -> String {
    let t = f64::from(us);
    if t >= TIME_UNITS_PER_SEC {
        format!("{}s", g(t / TIME_UNITS_PER_SEC, 3))
    } else if t >= TIME_UNITS_PER_SEC / 1000.0 {
        format!("{}ms", g(t / 1000.0, 3))
    } else {
        format!("{us}us")
    }
}

/// C's `%.Pg`: `P` significant digits, trailing zeros dropped, exponent form outside
/// 1e-4 ≤ |x| < 10^P (`1.37e+03`).
pub fn g(x: f64, p: usize) -> String {
    let p = p.max(1);
    if x == 0.0 {
        return "0".into();
    }
    let e = format!("{:.*e}", p - 1, x);
    let (mant, exp) = e.split_once('e').unwrap_or((&e, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if exp < -4 || exp >= p as i32 {
        let m = strip_zeros(mant);
        format!("{m}e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs())
    } else {
        let decimals = (p as i32 - 1 - exp).max(0) as usize;
        strip_zeros(&format!("{x:.decimals$}")).to_string()
    }
}

fn strip_zeros(s: &str) -> &str {
    if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.') } else { s }
}

/// `tc_calc_xmittime`: ticks to send `size` bytes at `rate` bytes/s (µs truncated first).
pub fn xmittime(rate: u64, size: u32) -> u32 {
    // C's double-to-unsigned conversions keep the low 32 bits (x86-64), where Rust's
    // would saturate.
    let us = (TIME_UNITS_PER_SEC * (f64::from(size) / rate as f64)) as u64 as u32;
    (f64::from(us) * TICK_IN_USEC) as u64 as u32
}

/// `tc_calc_xmitsize`: bytes sent in `ticks` at `rate` bytes/s.
pub fn xmitsize(rate: u64, ticks: u32) -> u32 {
    ((rate as f64 * f64::from(tick2time(ticks))) / TIME_UNITS_PER_SEC) as u32
}

/// `tc_core_tick2time`: ticks to whole microseconds.
pub fn tick2time(ticks: u32) -> u32 {
    (f64::from(ticks) / TICK_IN_USEC) as u32
}

/// The kernel's `psched_ratecfg`: a rate turned into a multiply and a shift, so that the
/// time to send `len` bytes is `len * mult >> shift` nanoseconds, bit for bit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RateCfg {
    /// Bytes per second.
    pub bytes_ps: u64,
    mult: u32,
    shift: u8,
    /// `overhead`: bytes added to every packet.
    pub overhead: u16,
    /// `mpu`: the least length a packet is charged for.
    pub mpu: u16,
}

impl RateCfg {
    /// `psched_ratecfg_precompute`.
    pub fn new(bytes_ps: u64, overhead: u16) -> Self {
        let mut r = RateCfg { bytes_ps, mult: 1, shift: 0, overhead, mpu: 0 };
        let mut factor: u64 = 1_000_000_000;
        while let Some(m) = factor.checked_div(bytes_ps) {
            r.mult = m as u32;
            if r.mult & (1 << 31) != 0 || factor & (1 << 63) != 0 {
                break;
            }
            factor <<= 1;
            r.shift += 1;
        }
        r
    }

    /// With a least packet length (`mpu`).
    pub fn with_mpu(mut self, mpu: u16) -> Self {
        self.mpu = mpu;
        self
    }

    /// `psched_l2t_ns`: nanoseconds to send `len` bytes (the overhead added, at least `mpu`).
    pub fn l2t(&self, len: u32) -> u64 {
        let len = len.wrapping_add(u32::from(self.overhead)).max(u32::from(self.mpu));
        (u64::from(len) * u64::from(self.mult)) >> self.shift
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_read_and_print_as_iproute2() {
        assert_eq!(get_rate("1mbit"), Some(125_000));
        assert_eq!(get_rate("1mbps"), Some(1_000_000));
        assert_eq!(get_rate("12345bit"), Some(1543));
        assert_eq!(get_rate("1foo"), None);
        assert_eq!(get_rate("abc"), None);
        for (r, s) in [
            ("1500kbit", "1500Kbit"),
            ("1mbit", "1Mbit"),
            ("2.5mbit", "2500Kbit"),
            ("1024kbit", "1024Kbit"),
            ("1mibit", "1048Kbit"),
            ("1kibit", "1024bit"),
            ("1000001bit", "1Mbit"),
            ("8bit", "8bit"),
            ("40gbit", "40Gbit"),
            ("10kbps", "80Kbit"),
            ("12345bit", "12344bit"),
        ] {
            assert_eq!(rate(get_rate(r).unwrap()), s, "{r}");
        }
    }

    #[test]
    fn sizes_and_times_print_as_iproute2() {
        assert_eq!(get_size("32kbit"), Some(4096));
        assert_eq!(get_size("10k"), Some(10240));
        assert_eq!(get_size("10xx"), None);
        assert_eq!(get_size("2.5"), Some(2));
        assert_eq!(get_time("1e-3s"), Some(1000));
        for (n, s) in [
            (4096, "4Kb"),
            (4100, "4Kb"),
            (4095, "4Kb"),
            (2047, "2Kb"),
            (1030, "1Kb"),
            (1023, "1023b"),
            (1600, "1600b"),
            (10240, "10Kb"),
            (1_048_575, "1024Kb"),
            (1_048_576, "1Mb"),
            (1_049_000, "1Mb"),
            (1_050_000, "1050000b"),
            (54096, "54096b"),
            (0, "0b"),
        ] {
            assert_eq!(size(n), s, "{n}");
        }
        for (us, s) in [
            (400_000, "400ms"),
            (1500, "1.5ms"),
            (123_456, "123ms"),
            (9720, "9.72ms"),
            (992, "992us"),
            (2_500_000, "2.5s"),
            (1_374_000_000, "1.37e+03s"),
        ] {
            assert_eq!(time(us), s, "{us}");
        }
    }

    #[test]
    fn ratecfg_matches_the_kernel() {
        let r = RateCfg::new(125_000, 0);
        assert_eq!((r.mult, r.shift), (4_194_304_000, 19));
        assert_eq!(r.l2t(1042), 8_336_000);
        assert_eq!(r.l2t(1600), 12_800_000);
        let r = RateCfg::new(187_500, 0);
        assert_eq!((r.mult, r.shift), (2_796_202_666, 19));
        assert_eq!(r.l2t(1042), 5_557_333);
        // A 42-byte ARP is charged as 64 with `mpu 64`.
        let r = RateCfg::new(125_000, 0).with_mpu(64);
        assert_eq!(r.l2t(42), RateCfg::new(125_000, 0).l2t(64));
    }

    #[test]
    fn burst_round_trip_is_lossy_as_in_tc() {
        // What `tc qdisc show` prints for a burst: bytes -> ns -> ticks -> µs -> bytes.
        let shown = |rate_s: &str, burst: u32| {
            let r = get_rate(rate_s).unwrap();
            let ticks = (RateCfg::new(r, 0).l2t(burst) >> 6) as u32;
            size(xmitsize(r, ticks))
        };
        assert_eq!(shown("1500kbit", 1600), "1599b");
        assert_eq!(shown("1gbit", 1600), "1500b");
        assert_eq!(shown("1mbit", 4096), "4Kb");
        assert_eq!(shown("100mbit", 1024), "1012b");
        assert_eq!(shown("100mbit", 1514), "1512b");
    }
}
