//! Rate estimators: `tc qdisc|class add … est INTERVAL TIME-CONST …`, and the ` rate
//! 1976bit 2pps` that `tc -s` then prints before the backlog.
//!
//! Parsed as iproute2 6.1's `get_estimator`/`tc_setup_estimator` read it (the interval
//! rounded up to 250 ms × 2^i, the averaging weight from the time constant, its messages);
//! run as `net/core/gen_estimator.c` runs it: every interval the byte and packet counts
//! since the last tick, scaled to a second, move an exponentially weighted average by
//! 2^-ewma_log, in its fixed point (×256) and integer shifts. The kernel's timer counts
//! jiffies: with `HZ` = 250 (Debian's kernels, this machine's), `(HZ/4) << intvl_log`
//! jiffies is 248 ms for a 250 ms interval, and the first tick comes one interval after the
//! estimator is made. Nothing here is a timer of the engine: the ticks are worked out when
//! the counters are about to change and when `tc -s` reads them, which gives the same
//! numbers (the counters do not change between).
//!
//! It owns no counters: it reads a qdisc's or class's [`Stats`].

use super::Stats;
use sim_core::{Duration, Instant};

/// The kernel's timer frequency.
const HZ: u64 = 250;

/// `struct tc_estimator`: the interval as 250 ms × 2^(interval + 2), and the weight.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EstOpts {
    /// −2 (250 ms) … 3 (8 s).
    pub interval: i8,
    /// Each tick moves the average by 2^-ewma_log of the difference.
    pub ewma_log: u8,
}

/// What tc prints for `est help` before its error.
const USAGE: &str = "Usage: ... estimator INTERVAL TIME-CONST
  INTERVAL is interval between measurements
  TIME-CONST is averaging time constant
Example: ... est 1sec 8sec";

/// `get_time`: `strtod`, then a unit (none: microseconds), stored in an `unsigned`.
fn get_time(s: &str) -> Option<u32> {
    let end = s
        .char_indices()
        .find(|&(i, c)| !(c.is_ascii_digit() || c == '.' || ((c == '-' || c == '+') && i == 0)))
        .map_or(s.len(), |(i, _)| i);
    let v: f64 = s[..end].parse().ok()?;
    let scale = match s[end..].to_ascii_lowercase().as_str() {
        "s" | "sec" | "secs" => 1e6,
        "ms" | "msec" | "msecs" => 1e3,
        "" | "us" | "usec" | "usecs" => 1.0,
        _ => return None,
    };
    // C's conversion of a double to unsigned: modulo 2^32 for what fits an i64.
    Some((v * scale) as i64 as u32)
}

/// `get_estimator`: the words after `est`, as `(message, exit status)` when tc refuses them.
pub fn parse(interval: Option<&str>, time_const: Option<&str>) -> Result<EstOpts, (String, i32)> {
    let incomplete = || ("Command line is not complete. Try option \"help\"".to_string(), 255);
    let interval = interval.ok_or_else(incomplete)?;
    let mut help = String::new();
    if interval == "help" {
        help = format!("{USAGE}\n");
    }
    let Some(a) = get_time(interval) else {
        return Err((format!("{help}Error: argument \"invalid estimator interval\" is wrong: estimator"), 255));
    };
    let time_const = time_const.ok_or_else(incomplete)?;
    let Some(t) = get_time(time_const) else {
        return Err(("Error: argument \"invalid estimator time constant\" is wrong: estimator".into(), 255));
    };
    let range = || ("Error: estimator parameters are out of range.".to_string(), 255);
    // `tc_setup_estimator`: the smallest 250 ms × 2^i at least A, then the largest weight
    // whose time constant A / -ln(1 - 2^-e) stays within T.
    let i = (0..=5).find(|i| a <= (1u32 << i) * 250_000).ok_or_else(range)?;
    let e = (1..32).find(|&e| f64::from(a) / -(1.0 - 1.0 / f64::from(1u32 << e)).ln() > f64::from(t)).unwrap_or(32);
    let ewma_log = e - 1;
    if ewma_log == 0 || ewma_log >= 31 {
        return Err(range());
    }
    Ok(EstOpts { interval: i as i8 - 2, ewma_log: ewma_log as u8 })
}

/// `struct net_rate_estimator`.
#[derive(Clone, Copy, Debug)]
pub struct Estimator {
    intvl_log: u8,
    ewma_log: u8,
    last_bytes: u64,
    last_packets: u64,
    /// Bytes and packets a second, ×256.
    avbps: u64,
    avpps: u64,
    /// The next tick.
    next: Instant,
}

impl Estimator {
    /// `gen_new_estimator` at `now` on counters `stats` (what they hold already is never
    /// counted); `old` is the estimator it replaces (`gen_replace_estimator`), whose
    /// averages it keeps.
    pub fn new(o: EstOpts, now: Instant, stats: &Stats, old: Option<&Estimator>) -> Self {
        // The old one's ticks until now have run (`del_timer_sync`).
        let old = old.map(|o| {
            let mut o = *o;
            o.sync(now, stats);
            o
        });
        let intvl_log = (o.interval + 2) as u8;
        let mut e = Estimator {
            intvl_log,
            ewma_log: o.ewma_log,
            last_bytes: stats.bytes,
            last_packets: u64::from(stats.packets),
            avbps: old.map_or(0, |o| o.avbps),
            avpps: old.map_or(0, |o| o.avpps),
            next: now,
        };
        e.next = now + e.period();
        e
    }

    fn period(&self) -> Duration {
        Duration::from_nanos(((HZ / 4) << self.intvl_log) * (1_000_000_000 / HZ))
    }

    /// Runs the ticks due by `now` on counters `stats` (which have not changed since the
    /// last call).
    pub fn sync(&mut self, now: Instant, stats: &Stats) {
        let (bytes, packets) = (stats.bytes, u64::from(stats.packets));
        while self.next <= now {
            // Counters that stand still and averages that no longer move: every tick to
            // come is the same, so they are skipped whole.
            if bytes == self.last_bytes
                && packets == self.last_packets
                && self.avbps >> self.ewma_log == 0
                && self.avpps >> self.ewma_log == 0
            {
                let n = (now - self.next).as_nanos() / self.period().as_nanos() + 1;
                self.next += Duration::from_nanos(n * self.period().as_nanos());
                break;
            }
            let (shift, e) = (10 - self.intvl_log, self.ewma_log);
            let brate = bytes.wrapping_sub(self.last_bytes) << shift;
            self.avbps = self.avbps.wrapping_add((brate >> e).wrapping_sub(self.avbps >> e));
            let rate = packets.wrapping_sub(self.last_packets) << shift;
            self.avpps = self.avpps.wrapping_add((rate >> e).wrapping_sub(self.avpps >> e));
            self.last_bytes = bytes;
            self.last_packets = packets;
            self.next += self.period();
        }
    }

    /// `gen_estimator_read` at `now`: bytes and packets a second.
    pub fn read(&self, now: Instant, stats: &Stats) -> (u64, u64) {
        let mut e = *self;
        e.sync(now, stats);
        (e.avbps >> 8, e.avpps >> 8)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(a: &str, t: &str) -> Result<(i8, u8), String> {
        parse(Some(a), Some(t)).map(|o| (o.interval, o.ewma_log)).map_err(|e| e.0)
    }

    #[test]
    fn parses_as_tc_does() {
        // What `tc -r` reported for each (`[estimator i=%hhd e=%u]`).
        let cases = [
            ("1sec", "8sec", (0, 3)),
            ("250ms", "1sec", (-2, 2)),
            ("3sec", "8sec", (2, 1)),
            ("2sec", "8sec", (1, 2)),
            ("4sec", "16sec", (2, 2)),
            ("500ms", "2sec", (-1, 2)),
            ("251ms", "8sec", (-1, 5)),
            ("100ms", "1sec", (-2, 3)),
            ("8sec", "16sec", (3, 1)),
            ("1sec", "1500ms", (0, 1)),
            ("1", "8", (-2, 3)),
            ("1sec", "3000000sec", (0, 11)),
        ];
        for (a, t, want) in cases {
            assert_eq!(p(a, t), Ok(want), "est {a} {t}");
        }
        let range = "Error: estimator parameters are out of range.";
        for (a, t) in [("1sec", "1sec"), ("1sec", "1400ms"), ("250ms", "250ms"), ("9sec", "64sec"), ("-1sec", "8sec")] {
            assert_eq!(p(a, t).unwrap_err(), range, "est {a} {t}");
        }
        assert_eq!(
            p("1min", "8sec").unwrap_err(),
            "Error: argument \"invalid estimator interval\" is wrong: estimator"
        );
        assert_eq!(
            p("1sec", "8min").unwrap_err(),
            "Error: argument \"invalid estimator time constant\" is wrong: estimator"
        );
        assert_eq!(parse(Some("1sec"), None).unwrap_err().0, "Command line is not complete. Try option \"help\"");
        assert!(p("help", "8sec").unwrap_err().starts_with("Usage: ... estimator INTERVAL TIME-CONST\n"));
    }

    /// The kernel's numbers for 20 pings at 50 ms through `est 1sec 8sec` (read every half
    /// second on this machine): per tick 434 bytes in 5 packets, then 1568 in 16, then an
    /// ARP exchange's 42 bytes on the seventh.
    #[test]
    fn ticks_as_the_kernel_does() {
        let o = parse(Some("1sec"), Some("8sec")).unwrap();
        let mut st = Stats::default();
        let mut e = Estimator::new(o, Instant::ZERO, &st, None);
        let tick = Duration::from_millis(992);
        let mut seen = Vec::new();
        for (k, (b, p)) in [(434, 5), (1568, 16), (0, 0), (0, 0), (0, 0), (0, 0), (42, 1), (0, 0)].iter().enumerate() {
            // What arrived during the tick's interval, then the tick.
            let at = Instant::ZERO + Duration::from_nanos(tick.as_nanos() * k as u64 + 1);
            e.sync(at, &st);
            st.bytes += b;
            st.packets += p;
            let (bps, pps) = e.read(Instant::ZERO + Duration::from_nanos(tick.as_nanos() * (k as u64 + 1)), &st);
            seen.push((bps * 8, pps));
        }
        let want = [(432, 0), (1944, 2), (1704, 2), (1488, 1), (1304, 1), (1136, 1), (1040, 1), (904, 1)];
        assert_eq!(seen, want);
        // Long idle: the average decays to nothing and stays there.
        assert_eq!(e.read(Instant::ZERO + Duration::from_secs(3600), &st), (0, 0));
    }

    #[test]
    fn a_flood_reads_as_the_kernel_read_it() {
        let o = parse(Some("1sec"), Some("8sec")).unwrap();
        let mut st = Stats::default();
        let e = Estimator::new(o, Instant::ZERO, &st, None);
        st.bytes = 3000 * 1442;
        st.packets = 3000;
        let at = |k: u64| Instant::ZERO + Duration::from_millis(992 * k);
        assert_eq!(e.read(at(1), &st), (540_750, 375));
        assert_eq!(e.read(at(2), &st), (473_156, 328));
        assert_eq!(e.read(at(3), &st), (414_011, 287));
    }
}
