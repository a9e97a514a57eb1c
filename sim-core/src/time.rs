//! Virtual time: [`Instant`] and [`Duration`] count nanoseconds since the start of a run.
//!
//! Nothing below the CLI and the kernel back end reads a wall clock; these newtypes are the
//! only notion of time the engine and the devices know (as smoltcp's `time.rs`).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::{Add, AddAssign, Sub};

/// A point in virtual time, in nanoseconds since the run started.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Instant(u64);

/// A span of virtual time, in nanoseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Duration(u64);

impl Instant {
    /// The start of every run.
    pub const ZERO: Instant = Instant(0);
    /// The far future; used as "never".
    pub const MAX: Instant = Instant(u64::MAX);

    /// An instant `nanos` after the start.
    pub const fn from_nanos(nanos: u64) -> Self {
        Instant(nanos)
    }
    /// An instant `micros` microseconds after the start.
    pub const fn from_micros(micros: u64) -> Self {
        Instant(micros * 1_000)
    }
    /// An instant `secs` seconds after the start.
    pub const fn from_secs(secs: u64) -> Self {
        Instant(secs * 1_000_000_000)
    }
    /// Nanoseconds since the start.
    pub const fn as_nanos(self) -> u64 {
        self.0
    }
    /// Microseconds since the start (truncated).
    pub const fn as_micros(self) -> u64 {
        self.0 / 1_000
    }
    /// Time since `earlier`, or zero if `earlier` is later.
    pub fn saturating_since(self, earlier: Instant) -> Duration {
        Duration(self.0.saturating_sub(earlier.0))
    }
    /// Seconds since the start as a float, for display only.
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1e9
    }
}

impl Duration {
    /// No time at all.
    pub const ZERO: Duration = Duration(0);

    /// `n` nanoseconds.
    pub const fn from_nanos(n: u64) -> Self {
        Duration(n)
    }
    /// `n` microseconds.
    pub const fn from_micros(n: u64) -> Self {
        Duration(n * 1_000)
    }
    /// `n` milliseconds.
    pub const fn from_millis(n: u64) -> Self {
        Duration(n * 1_000_000)
    }
    /// `n` seconds.
    pub const fn from_secs(n: u64) -> Self {
        Duration(n * 1_000_000_000)
    }
    /// Parses seconds as a shell tool writes them (`1`, `0.2`, `2.5`), rounding to nanoseconds.
    /// Returns `None` for anything that is not a non-negative decimal number.
    pub fn from_secs_str(s: &str) -> Option<Self> {
        let (int, frac) = match s.split_once('.') {
            Some((i, f)) => (i, f),
            None => (s, ""),
        };
        if (int.is_empty() && frac.is_empty())
            || !int.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let secs: u64 = if int.is_empty() { 0 } else { int.parse().ok()? };
        let mut nanos: u64 = 0;
        for (i, b) in frac.bytes().take(9).enumerate() {
            nanos += u64::from(b - b'0') * 10u64.pow(8 - i as u32);
        }
        secs.checked_mul(1_000_000_000)?.checked_add(nanos).map(Duration)
    }
    /// The span in nanoseconds.
    pub const fn as_nanos(self) -> u64 {
        self.0
    }
    /// The span in whole microseconds (truncated).
    pub const fn as_micros(self) -> u64 {
        self.0 / 1_000
    }
    /// The span in whole milliseconds (truncated).
    pub const fn as_millis(self) -> u64 {
        self.0 / 1_000_000
    }
    /// The span in whole seconds (truncated).
    pub const fn as_secs(self) -> u64 {
        self.0 / 1_000_000_000
    }
    /// Multiplies by an integer, saturating.
    pub const fn saturating_mul(self, n: u64) -> Self {
        Duration(self.0.saturating_mul(n))
    }
}

impl Add<Duration> for Instant {
    type Output = Instant;
    fn add(self, d: Duration) -> Instant {
        Instant(self.0.saturating_add(d.0))
    }
}
impl AddAssign<Duration> for Instant {
    fn add_assign(&mut self, d: Duration) {
        self.0 = self.0.saturating_add(d.0);
    }
}
impl Sub<Instant> for Instant {
    type Output = Duration;
    fn sub(self, earlier: Instant) -> Duration {
        self.saturating_since(earlier)
    }
}
impl Add for Duration {
    type Output = Duration;
    fn add(self, d: Duration) -> Duration {
        Duration(self.0.saturating_add(d.0))
    }
}
impl Sub for Duration {
    type Output = Duration;
    fn sub(self, d: Duration) -> Duration {
        Duration(self.0.saturating_sub(d.0))
    }
}

impl fmt::Display for Instant {
    /// Seconds with millisecond precision, as the transcript shows them: `12.345`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = self.0 / 1_000_000;
        write!(f, "{}.{:03}", ms / 1000, ms % 1000)
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = self.0 / 1_000_000;
        write!(f, "{}.{:03}s", ms / 1000, ms % 1000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_shell_seconds() {
        assert_eq!(Duration::from_secs_str("1"), Some(Duration::from_secs(1)));
        assert_eq!(Duration::from_secs_str("0.2"), Some(Duration::from_millis(200)));
        assert_eq!(Duration::from_secs_str(".5"), Some(Duration::from_millis(500)));
        assert_eq!(Duration::from_secs_str("2.000000001"), Some(Duration::from_nanos(2_000_000_001)));
        assert_eq!(Duration::from_secs_str(""), None);
        assert_eq!(Duration::from_secs_str("-1"), None);
        assert_eq!(Duration::from_secs_str("1e3"), None);
        assert_eq!(Duration::from_secs_str("99999999999999999999"), None);
    }

    #[test]
    fn display_is_millisecond_seconds() {
        assert_eq!(Instant::from_nanos(4_000_050_000).to_string(), "4.000");
        assert_eq!(Instant::from_nanos(12_345_678_901).to_string(), "12.345");
    }
}
