//! `tbf`: the token bucket filter, as `net/sched/sch_tbf.c` runs it — tokens kept as
//! nanoseconds of transmit time, a byte-limited FIFO behind it, a watchdog when the head
//! packet lacks tokens — and as `tc/q_tbf.c` of iproute2 6.1 reads and prints it.

use super::units::{self, RateCfg};
use super::{Buf, Lost, Qdisc, Refused, Stats};
use sim_core::{Duration, Instant};
use std::collections::VecDeque;

/// `tc qdisc … tbf` options, as `tbf_parse_opt` computes them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TbfOpts {
    /// `rate`, bytes/s.
    pub rate: u64,
    /// `burst`/`buffer`/`maxburst`, bytes.
    pub burst: u32,
    /// The FIFO's byte limit (`limit`, or computed from `latency`).
    pub limit: u32,
    /// `peakrate`, bytes/s (0: none).
    pub peakrate: u64,
    /// `mtu`/`minburst`, bytes.
    pub mtu: u32,
    /// `overhead`.
    pub overhead: u16,
    /// `mpu`.
    pub mpu: u16,
}

/// Why `tc` refuses tbf's words: the lines it prints and its exit status.
pub type ParseError = (String, i32);

const USAGE: &str = "Usage: ... tbf limit BYTES burst BYTES[/BYTES] rate KBPS [ mtu BYTES[/BYTES] ]\n\t[ peakrate KBPS ] [ latency TIME ] [ overhead BYTES ] [ linklayer TYPE ]";

/// `tbf_parse_opt`.
pub fn parse(args: &[&str]) -> Result<TbfOpts, ParseError> {
    use super::cli::matches;
    let (mut rate, mut burst, mut limit, mut latency, mut peak, mut mtu, mut overhead) =
        (0u64, 0u32, 0u32, 0u32, 0u64, 0u32, 0u16);
    let mut mpu = 0u16;
    let mut i = 0;
    let err = |m: String| Err((m, 1));
    while i < args.len() {
        let a = args[i];
        let mut value = |name: &str| -> Result<&str, ParseError> {
            i += 1;
            let _ = name;
            args.get(i).copied().ok_or_else(|| (super::cli::INCOMPLETE.to_string(), 255))
        };
        let illegal = |name: &str, v: &str| (format!("tbf: illegal value for \"{name}\": \"{v}\""), 1);
        if matches(a, "limit") {
            let v = value("limit")?;
            if limit != 0 {
                return err("tbf: duplicate \"limit\" specification".into());
            }
            if latency != 0 {
                return err("tbf: specifying both \"latency\" and \"limit\" is not allowed".into());
            }
            limit = units::get_size(v).ok_or_else(|| illegal("limit", v))?;
        } else if matches(a, "latency") {
            let v = value("latency")?;
            if latency != 0 {
                return err("tbf: duplicate \"latency\" specification".into());
            }
            if limit != 0 {
                return err("tbf: specifying both \"limit\" and \"/latency\" is not allowed".into());
            }
            latency = units::get_time(v).ok_or_else(|| illegal("latency", v))?;
        } else if matches(a, "burst") || a == "buffer" || a == "maxburst" {
            let name = a;
            let v = value(name)?;
            if burst != 0 {
                return err("tbf: duplicate \"buffer/burst/maxburst\" specification".into());
            }
            burst = size_and_cell(v).ok_or_else(|| illegal(name, v))?;
        } else if a == "mtu" || a == "minburst" {
            let v = value(a)?;
            if mtu != 0 {
                return err("tbf: duplicate \"mtu/minburst\" specification".into());
            }
            mtu = size_and_cell(v).ok_or_else(|| illegal(a, v))?;
        } else if a == "mpu" {
            let v = value(a)?;
            mpu = units::get_size(v).and_then(|m| u16::try_from(m).ok()).ok_or_else(|| illegal("mpu", v))?;
        } else if a == "rate" {
            let v = value(a)?;
            if rate != 0 {
                return err("tbf: duplicate \"rate\" specification".into());
            }
            if v.contains('%') {
                return err("not supported yet: a rate as a percentage of the device's speed".into());
            }
            rate = units::get_rate(v).ok_or_else(|| illegal("rate", v))?;
        } else if matches(a, "peakrate") {
            let v = value("peakrate")?;
            if peak != 0 {
                return err("tbf: duplicate \"peakrate\" specification".into());
            }
            peak = units::get_rate(v).ok_or_else(|| illegal("peakrate", v))?;
        } else if matches(a, "overhead") {
            let v = value("overhead")?;
            overhead = v.parse().map_err(|_| illegal("overhead", v))?;
        } else if matches(a, "linklayer") {
            let v = value("linklayer")?;
            if v != "ethernet" {
                return err(format!("not supported yet: tbf linklayer {v}"));
            }
        } else if a == "help" {
            return err(USAGE.into());
        } else {
            return err(format!("tbf: unknown parameter \"{a}\"\n{USAGE}"));
        }
        i += 1;
    }
    let mut verdict = Vec::new();
    if rate == 0 {
        verdict.push("tbf: the \"rate\" parameter is mandatory.");
    }
    if burst == 0 {
        verdict.push("tbf: the \"burst\" parameter is mandatory.");
    }
    if peak != 0 && mtu == 0 {
        verdict.push("tbf: when \"peakrate\" is specified, \"mtu\" must also be specified.");
    }
    if limit == 0 && latency == 0 {
        verdict.push("tbf: either \"limit\" or \"latency\" is required.");
    }
    if !verdict.is_empty() {
        return err(format!("{}\n{USAGE}", verdict.join("\n")));
    }
    if limit == 0 {
        let mut lim = rate as f64 * f64::from(latency) / units::TIME_UNITS_PER_SEC + f64::from(burst);
        if peak != 0 {
            let lim2 = peak as f64 * f64::from(latency) / units::TIME_UNITS_PER_SEC + f64::from(mtu);
            lim = lim.min(lim2);
        }
        limit = lim as u32;
    }
    Ok(TbfOpts { rate, burst, limit, peakrate: peak, mtu, overhead, mpu })
}

/// `SIZE[/CELL]`.
fn size_and_cell(v: &str) -> Option<u32> {
    let (s, cell) = v.split_once('/').map_or((v, None), |(s, c)| (s, Some(c)));
    if let Some(c) = cell {
        let c: u32 = c.parse().ok()?;
        if !c.is_power_of_two() {
            return None;
        }
    }
    units::get_size(s)
}

/// A tbf qdisc's state.
#[derive(Debug)]
pub struct Tbf {
    opts: TbfOpts,
    rate: RateCfg,
    peak: Option<RateCfg>,
    /// Bucket depth, ns of transmit time.
    buffer: i64,
    /// Peak bucket depth, ns.
    mtu: i64,
    max_size: u32,
    tokens: i64,
    ptokens: i64,
    t_c: Instant,
    /// The builtin bfifo (`limit` bytes), used while no qdisc is grafted to class 1.
    queue: VecDeque<Buf>,
    /// The FIFO's queued bytes.
    fifo_bytes: u32,
    watchdog: Option<Instant>,
    /// A qdisc grafted to its class (`parent 1:1`), which then holds the frames.
    pub child: Option<Box<Qdisc>>,
    /// The grafted qdisc was deleted: the class holds `noop`, which drops every frame.
    pub noop: bool,
}

impl Tbf {
    /// `tbf_change` on a new qdisc (the kernel refuses a peak rate not above the rate).
    pub fn new(opts: TbfOpts, now: Instant) -> Result<Self, String> {
        let mut t = Tbf {
            rate: RateCfg::default(),
            peak: None,
            buffer: 0,
            mtu: 0,
            max_size: 0,
            tokens: 0,
            ptokens: 0,
            t_c: now,
            queue: VecDeque::new(),
            fifo_bytes: 0,
            watchdog: None,
            child: None,
            noop: false,
            opts: opts.clone(),
        };
        t.change(opts)?;
        Ok(t)
    }

    /// `tbf_change`: new parameters, both buckets full; what is queued stays.
    pub fn change(&mut self, opts: TbfOpts) -> Result<(), String> {
        let rate = RateCfg::new(opts.rate, opts.overhead).with_mpu(opts.mpu);
        let buffer = rate.l2t(opts.burst) as i64;
        let mut max_size = opts.burst;
        let (peak, mtu) = if opts.peakrate != 0 {
            let peak = RateCfg::new(opts.peakrate, opts.overhead).with_mpu(opts.mpu);
            if peak.bytes_ps <= rate.bytes_ps {
                return Err("RTNETLINK answers: Invalid argument".into());
            }
            max_size = max_size.min(opts.mtu);
            (Some(peak), peak.l2t(opts.mtu) as i64)
        } else {
            (None, 0)
        };
        if max_size == 0 {
            return Err("RTNETLINK answers: Invalid argument".into());
        }
        *self = Tbf {
            opts,
            rate,
            peak,
            buffer,
            mtu,
            max_size,
            tokens: buffer,
            ptokens: mtu,
            t_c: self.t_c,
            queue: std::mem::take(&mut self.queue),
            fifo_bytes: self.fifo_bytes,
            watchdog: self.watchdog,
            child: self.child.take(),
            // A `noop` class gets a bfifo again (`tbf_change`).
            noop: false,
        };
        Ok(())
    }

    /// `tbf_enqueue`: drops a frame larger than the bucket; else its class's qdisc takes
    /// it — the bfifo (which drops past `limit` bytes), a grafted qdisc, or `noop` — and
    /// a drop there is tbf's drop too.
    pub fn enqueue(&mut self, now: Instant, f: Buf, stats: &mut Stats, pool: &mut Vec<Buf>) -> Result<(), Refused> {
        let len = f.len() as u32;
        if len > self.max_size {
            stats.drops += 1;
            return Err(Refused::drop(f));
        }
        match &mut self.child {
            Some(c) => c.enqueue(now, f, pool).inspect_err(|_| stats.drops += 1)?,
            // `noop_enqueue` answers NET_XMIT_CN; the bfifo past its limit NET_XMIT_DROP.
            None if self.noop => {
                stats.drops += 1;
                return Err(Refused::quiet(f));
            }
            None if self.fifo_bytes + len > self.opts.limit => {
                stats.drops += 1;
                return Err(Refused::drop(f));
            }
            None => {
                self.fifo_bytes += len;
                self.queue.push_back(f);
            }
        }
        stats.enqueued(len);
        Ok(())
    }

    /// Empties the builtin FIFO (a qdisc is grafted in its place): what it held.
    pub fn flush_fifo(&mut self, pool: &mut Vec<Buf>) -> (u32, u32) {
        let n = self.queue.len() as u32;
        pool.extend(self.queue.drain(..));
        (n, std::mem::take(&mut self.fifo_bytes))
    }

    /// `tbf_dequeue`: the head frame if both buckets hold its tokens; else the watchdog is
    /// set for when they will, and the attempt counts as an overlimit.
    pub fn dequeue(&mut self, now: Instant, stats: &mut Stats, pool: &mut Vec<Buf>, lost: &mut Lost) -> Option<Buf> {
        let mut sub = Lost::default();
        let len = match &mut self.child {
            Some(c) => {
                let len = c.peek_len(now, pool, &mut sub);
                lost.take(sub, stats);
                len?
            }
            None => self.queue.front()?.len() as u32,
        };
        let mut toks = ((now - self.t_c).as_nanos() as i64).min(self.buffer);
        let mut ptoks = 0;
        if let Some(peak) = &self.peak {
            ptoks = (toks + self.ptokens).min(self.mtu);
            ptoks -= peak.l2t(len) as i64;
        }
        toks = (toks + self.tokens).min(self.buffer);
        toks -= self.rate.l2t(len) as i64;
        if (toks | ptoks) >= 0 {
            let f = match &mut self.child {
                Some(c) => c.dequeue(now, pool, &mut sub)?,
                None => {
                    self.fifo_bytes -= len;
                    self.queue.pop_front()?
                }
            };
            self.t_c = now;
            self.tokens = toks;
            self.ptokens = ptoks;
            self.watchdog = None;
            stats.dequeued(len);
            return Some(f);
        }
        let wait = (-toks).max(-ptoks) as u64;
        self.watchdog = Some(now + Duration::from_nanos(wait));
        stats.overlimits += 1;
        None
    }

    /// When its own watchdog fires (while it holds frames; a child's is its own).
    pub fn watchdog(&self) -> Option<Instant> {
        self.watchdog.filter(|_| !self.queue.is_empty() || self.child.as_ref().is_some_and(|c| c.stats.qlen > 0))
    }

    /// `tbf_reset`: the queue emptied (its frames returned), both buckets full.
    pub fn reset(&mut self, now: Instant, stats: &mut Stats, free: &mut Vec<Buf>) {
        free.extend(self.queue.drain(..));
        if let Some(c) = self.child.as_mut() {
            c.reset(now, free);
        }
        self.fifo_bytes = 0;
        stats.backlog = 0;
        stats.qlen = 0;
        self.tokens = self.buffer;
        self.ptokens = self.mtu;
        self.t_c = now;
        self.watchdog = None;
    }

    /// `tbf_print_opt`'s latency in µs: how long `limit` bytes take to drain at `rate` (and
    /// at `peakrate`), less the bucket's own time; negative when the bucket is larger.
    fn latency(&self, buffer_ticks: u32, mtu_ticks: u32) -> f64 {
        let o = &self.opts;
        let mut latency = units::TIME_UNITS_PER_SEC * (f64::from(o.limit) / o.rate as f64)
            - f64::from(units::tick2time(buffer_ticks));
        if o.peakrate != 0 {
            let lat2 = units::TIME_UNITS_PER_SEC * (f64::from(o.limit) / o.peakrate as f64)
                - f64::from(units::tick2time(mtu_ticks));
            latency = latency.max(lat2);
        }
        latency
    }

    /// What `tbf_print_opt` prints after the qdisc's handle and parent; `details` (`-d`):
    /// each bucket as `SIZE/CELL mpu SIZE` and the link layer; `raw` (`-r`): the buckets
    /// in ticks as the kernel holds them, and `limit` beside `lat`.
    pub fn print(&self, details: bool, raw: bool) -> String {
        let o = &self.opts;
        let mut s = format!("rate {} ", units::rate(o.rate));
        // The kernel reports the buckets in 64-ns ticks; tc prints them back as bytes.
        let buffer_ticks = (self.buffer as u64 >> 6) as u32;
        let burst = units::size(units::xmitsize(o.rate, buffer_ticks));
        // The kernel reports a cell log of 0: `/1`.
        if details {
            s += &format!("burst {burst}/1 mpu {} ", units::size(u32::from(o.mpu)));
        } else {
            s += &format!("burst {burst} ");
        }
        if raw {
            s += &format!("[{buffer_ticks:08x}] ");
        }
        let mtu_ticks = (self.mtu as u64 >> 6) as u32;
        if o.peakrate != 0 {
            s += &format!("peakrate {} ", units::rate(o.peakrate));
            if mtu_ticks != 0 {
                let mtu = units::size(units::xmitsize(o.peakrate, mtu_ticks));
                if details {
                    s += &format!("mtu {mtu}/1 mpu {} ", units::size(u32::from(o.mpu)));
                } else {
                    s += &format!("minburst {mtu} ");
                }
                if raw {
                    s += &format!("[{mtu_ticks:08x}] ");
                }
            }
        }
        let latency = self.latency(buffer_ticks, mtu_ticks);
        if latency >= 0.0 {
            s += &format!("lat {} ", units::time(latency as u32));
        }
        if raw || latency < 0.0 {
            s += &format!("limit {} ", units::size(o.limit));
        }
        if o.overhead != 0 {
            s += &format!("overhead {} ", o.overhead);
        }
        if details {
            s += "linklayer ethernet ";
        }
        s
    }

    /// `tbf_print_opt` in JSON: `rate` in bytes a second, `burst` (and `minburst`) in
    /// bytes, `lat` in microseconds or else `limit`; the peak rate itself is text only in
    /// tc 6.1.
    pub fn print_json(&self, w: &mut crate::show::json::JsonWriter) {
        let o = &self.opts;
        w.number_field("rate", o.rate);
        let buffer_ticks = (self.buffer as u64 >> 6) as u32;
        w.number_field("burst", units::xmitsize(o.rate, buffer_ticks));
        let mtu_ticks = (self.mtu as u64 >> 6) as u32;
        if o.peakrate != 0 && mtu_ticks != 0 {
            w.number_field("minburst", units::xmitsize(o.peakrate, mtu_ticks));
        }
        let latency = self.latency(buffer_ticks, mtu_ticks);
        if latency >= 0.0 {
            w.number_field("lat", latency as u64);
        } else {
            w.number_field("limit", o.limit);
        }
        if o.overhead != 0 {
            w.number_field("overhead", o.overhead);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(words: &str) -> TbfOpts {
        parse(&words.split_whitespace().collect::<Vec<_>>()).unwrap()
    }

    #[test]
    fn prints_as_tc_does() {
        let now = Instant::ZERO;
        let p = |w: &str| Tbf::new(opts(w), now).unwrap().print(false, false);
        assert_eq!(p("rate 1mbit burst 32kbit latency 400ms"), "rate 1Mbit burst 4Kb lat 400ms ");
        assert_eq!(p("rate 1mbit burst 10kb limit 3000"), "rate 1Mbit burst 10Kb limit 3000b ");
        assert_eq!(
            p("rate 1mbit burst 10kb latency 50ms peakrate 2mbit mtu 1540"),
            "rate 1Mbit burst 10Kb peakrate 2Mbit minburst 1540b lat 50ms "
        );
        assert_eq!(p("rate 1mbit burst 1000 limit 10000"), "rate 1Mbit burst 1000b lat 72ms ");
        assert_eq!(p("rate 1mbit burst 10k latency 999"), "rate 1Mbit burst 10Kb lat 992us ");
        assert_eq!(p("rate 1mbit burst 10k latency 123456us"), "rate 1Mbit burst 10Kb lat 123ms ");
        assert_eq!(p("rate 1500kbit burst 1600 latency 10ms"), "rate 1500Kbit burst 1599b lat 10ms ");
    }

    #[test]
    fn refuses_as_tc_does() {
        let e = |w: &str| parse(&w.split_whitespace().collect::<Vec<_>>()).unwrap_err();
        assert!(e("rate 1mbit latency 50ms").0.starts_with("tbf: the \"burst\" parameter is mandatory.\nUsage:"));
        assert_eq!(
            e("rate 1mbit burst 10kb latency 50ms limit 3000").0,
            "tbf: specifying both \"latency\" and \"limit\" is not allowed"
        );
        assert_eq!(e("rate 1foo burst 10kb latency 50ms").0, "tbf: illegal value for \"rate\": \"1foo\"");
        assert_eq!(e("rate 1mbit burst 10kb latency").1, 255);
        let (all, status) = e("");
        assert_eq!(status, 1);
        assert_eq!(all.lines().count(), 5);
        assert_eq!(
            Tbf::new(opts("rate 1mbit burst 10k latency 50ms peakrate 1mbit mtu 1500"), Instant::ZERO).unwrap_err(),
            "RTNETLINK answers: Invalid argument"
        );
    }

    #[test]
    fn shapes_and_counts_overlimits_as_the_kernel() {
        // 1 Mbit/s, a 4 KiB bucket: three 1042-byte frames pass at once, the fourth waits
        // 8.336 ms minus what the bucket had left.
        let mut t = Tbf::new(opts("rate 1mbit burst 32kbit latency 400ms"), Instant::ZERO).unwrap();
        let mut st = Stats::default();
        let now = Instant::ZERO;
        let mut pool = Vec::new();
        for _ in 0..4 {
            t.enqueue(now, vec![0; 1042], &mut st, &mut pool).unwrap();
        }
        for _ in 0..3 {
            assert!(t.dequeue(now, &mut st, &mut pool, &mut Lost::default()).is_some());
        }
        assert!(t.dequeue(now, &mut st, &mut pool, &mut Lost::default()).is_none());
        assert_eq!(st.overlimits, 1);
        // Tokens left: 32768000 - 3 * 8336000 = 7760000 ns; the fourth needs 8336000.
        assert_eq!(t.watchdog(), Some(Instant::from_nanos(576_000)));
        assert!(t.dequeue(Instant::from_nanos(576_000), &mut st, &mut pool, &mut Lost::default()).is_some());
        assert_eq!((st.packets, st.bytes, st.backlog, st.qlen), (4, 4168, 0, 0));
        // A frame larger than the bucket never passes.
        let mut small = Tbf::new(opts("rate 1mbit burst 1000 limit 10000"), now).unwrap();
        assert!(small.enqueue(now, vec![0; 1042], &mut st, &mut pool).is_err());
        assert_eq!(st.drops, 1);
    }
}
