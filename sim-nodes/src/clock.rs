//! What a clock on the wall would read in a simulated machine: virtual time counted from
//! [`EPOCH`], never the host's clock, in the formats the tools print (HTTP dates, Python's
//! log stamps, `ctime`).

use sim_core::Instant;

/// What virtual time zero reads as: Sun, 22 Nov 2026 00:00:00 UTC (Unix time).
pub const EPOCH: u64 = 1_795_305_600;

/// Month abbreviations.
pub const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
/// Weekday abbreviations, Sunday first.
pub const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/// A broken-down UTC time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Civil {
    /// Year.
    pub year: u64,
    /// Month, 1–12.
    pub month: usize,
    /// Day of the month.
    pub day: u64,
    /// Day of the week, 0 = Sunday.
    pub weekday: usize,
    /// Hour.
    pub hour: u64,
    /// Minute.
    pub min: u64,
    /// Second.
    pub sec: u64,
}

impl Civil {
    /// The month's abbreviation.
    pub fn month_name(&self) -> &'static str {
        MONTHS[self.month - 1]
    }
    /// The weekday's abbreviation.
    pub fn day_name(&self) -> &'static str {
        DAYS[self.weekday]
    }
}

/// The wall-clock reading at virtual time `now` (UTC).
pub fn at(now: Instant) -> Civil {
    let t = EPOCH + now.as_micros() / 1_000_000;
    let days = t / 86_400;
    let secs = t % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u64;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as usize;
    let year = (yoe + era * 400 + i64::from(month <= 2)) as u64;
    let weekday = ((days + 4) % 7) as usize;
    Civil { year, month, day, weekday, hour: secs / 3600, min: secs / 60 % 60, sec: secs % 60 }
}

/// `ctime(3)` without its newline: `Sun Nov 22 05:21:15 2026`.
pub fn ctime(now: Instant) -> String {
    let c = at(now);
    format!("{} {} {:>2} {:02}:{:02}:{:02} {}", c.day_name(), c.month_name(), c.day, c.hour, c.min, c.sec, c.year)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readings() {
        assert_eq!(ctime(Instant::from_secs(5 * 3600 + 21 * 60 + 15)), "Sun Nov 22 05:21:15 2026");
        assert_eq!(ctime(Instant::from_secs(86_400 * 10)), "Wed Dec  2 00:00:00 2026");
        let c = at(Instant::from_secs(86_400 * 98));
        assert_eq!((c.year, c.month, c.day, c.day_name()), (2027, 2, 28, "Sun"));
    }
}
