//! `ping` as iputils 20221126 prints it.
//!
//! Behaviour checked against that version on the reference machine: without `-I ADDR` it
//! first `connect()`s a probe socket, so an unroutable target gives `ping: connect: Network
//! is unreachable` and exit 2; with `-I ADDR` a failing `sendmsg` is counted as transmitted
//! but prints nothing (its error path returns before printing) — except `ENOBUFS`, the
//! device's own qdisc refusing the probe: the same sequence goes again after
//! `nores_interval` (half the interval, 10–500 ms) once the interval's tokens allow, until
//! the retries reach the linger time (then `ping: sendmsg: No buffer space available`, the
//! probe counted as sent) — and the schedule goes on from the probe that went. A probe
//! the kernel refuses as too big (`-M do` over the path MTU, or more than 65507 bytes)
//! is the socket's local error: `ping: local error: message too long, mtu=N` on stderr,
//! an error in the count (not under `-q`), the probe counted as sent. ICMP errors about our echo
//! requests print `From A icmp_seq=N Description` and count as errors. After the last probe
//! it waits 10 s (or `-W`) when nothing came back yet, else max(2·max RTT, interval). The
//! statistics' `time` is the last send's time since start.
//!
//! Pacing follows `pinger` and `main_loop` in `ping_common.c`: the interval is whole
//! milliseconds (`-i 0.0001` is 0). From 10 ms (`MININTERVAL`) up, probes go out every
//! interval. Below it ping waits for the answer instead: the next probe leaves when the
//! newest one is answered (but not before the interval is up), or 10 ms after the last
//! probe if none is (the receive timeout, `SCHINT`), so `-i 0` as root ping-pongs as fast as
//! replies come and falls back to 100 a second when they do not. Replies and errors are
//! tracked as iputils tracks them: a 65,536-bit table indexed by the 16-bit sequence, each
//! bit cleared when its sequence is sent again; `acked` and `in_flight` as in `ping.h`; RTT
//! sums in `double`, duplicates included; `ipg/ewma` after an interval of 0 or with `-f`.
//!
//! `-f` (flood; its interval 0 unless `-i` gives one) writes a `.` for each probe sent and
//! `\b \b` over it for each reply, `\bE` for each ICMP error and `E` for a local one, all
//! on the line the statistics' leading newline ends.

mod v6;
use v6::kind6;

use super::{IcmpIn, Program, SocketId, SocketKind, Sys};
use crate::sys::{Errno, OutSpec, Pmtudisc};
use crate::wire::icmp::kind;
use crate::wire::{self, proto};
use sim_core::rng;
use sim_core::{Duration, Instant};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// iputils' `MININTERVAL`: below this interval ping waits for replies instead of a timer,
/// and this is how long it waits for one.
const MININTERVAL: Duration = Duration::from_millis(10);

/// iputils' `MAX_DUP_CHK`: the received table has a bit per 16-bit sequence number.
const MAX_DUP_CHK: usize = 0x10000;

/// `-I`: a source address or an interface.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Bind {
    /// `-I 192.0.2.1`.
    Addr(Ipv4Addr),
    /// `-I ns1-veth0`.
    Dev(String),
    /// `-I 2001:db8::1`.
    Addr6(std::net::Ipv6Addr),
}

/// ping's options.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PingArgs {
    /// Destination (an IPv6 one pings with ICMPv6, as `ping -6` or `ping6`: `v6.rs`).
    pub dest: IpAddr,
    /// `-c`.
    pub count: Option<u32>,
    /// `-i`.
    pub interval: Duration,
    /// `-I`.
    pub bind: Option<Bind>,
    /// `-W`.
    pub linger: Option<Duration>,
    /// `-t`.
    pub ttl: Option<u8>,
    /// `-s`.
    pub size: usize,
    /// `-q`.
    pub quiet: bool,
    /// `-b`.
    pub broadcast: bool,
    /// `-M do|dont|want` (iputils 20221126 has no `probe`); the socket's default, WANT,
    /// when absent.
    pub pmtudisc: Pmtudisc,
    /// `-f`: a `.` for each probe sent, a backspace over it for each reply (`\bE` for an
    /// error), instead of a line each.
    pub flood: bool,
    /// An IPv6 destination's `%IFACE`: the interface its link is on.
    pub scope: Option<String>,
    /// `-4` or `-6` (`ping6`): iputils opens a raw socket of that family only; without
    /// either it opens both, IPv4's first, and never reads the other family's.
    pub family: Option<u8>,
}

impl PingArgs {
    /// Defaults for `ping DEST`.
    pub fn new(dest: impl Into<IpAddr>) -> Self {
        PingArgs {
            dest: dest.into(),
            count: None,
            interval: Duration::from_secs(1),
            bind: None,
            linger: None,
            ttl: None,
            size: 56,
            quiet: false,
            broadcast: false,
            pmtudisc: Pmtudisc::Want,
            flood: false,
            scope: None,
            family: None,
        }
    }
}

/// A running ping.
#[derive(Debug)]
pub struct Ping {
    args: PingArgs,
    /// The raw socket of the destination's family.
    sock: Option<SocketId>,
    id: u16,
    src: Option<Ipv4Addr>,
    /// IPv6: the source the socket's connect() bound, and its flow label.
    src6: Option<Ipv6Addr>,
    flow: u32,
    oif: Option<u32>,
    start: Instant,
    /// Where the probes' schedule counts from: `start`, moved later by each probe its own
    /// device's qdisc refused (iputils' `tokens` start again from zero).
    sched: Instant,
    /// Probes refused with `ENOBUFS` since the last that went (`oom_count`).
    oom: u64,
    /// The last attempt to send, refused or not (`cur_time` once the tokens allowed it).
    last_try: Instant,
    last_send: Instant,
    next_send: Option<Instant>,
    exit_at: Option<Instant>,
    transmitted: u64,
    received: u64,
    errors: u64,
    repeats: u64,
    /// Sum of RTTs in µs, and of their squares (`double` in iputils).
    tsum: f64,
    tsum2: f64,
    tmin: u64,
    tmax: u64,
    /// The RTT moving average, ×8, in µs (`rts->rtt`).
    ewma: i64,
    /// The highest sequence answered (`rts->acked`).
    acked: u16,
    pipesize: u32,
    /// `rcvd_tbl`: one bit per sequence number.
    rcvd: Box<[u64]>,
    /// The buffer its socket reads into.
    rbuf: Vec<u8>,
    /// The buffer each probe is built in.
    sbuf: Vec<u8>,
    /// `-f`: what it wrote to the terminal since its first line (`.`, `\b \b`, `\bE`);
    /// the statistics' leading newline ends it.
    dots: String,
}

/// The instant `d` before `t` (never before zero).
fn before(t: Instant, d: Duration) -> Instant {
    Instant::from_nanos(t.as_nanos().saturating_sub(d.as_nanos()))
}

/// iputils' `pr_icmph` descriptions.
pub fn describe(t: u8, code: u8, info: u32) -> String {
    match (t, code) {
        (3, 0) => "Destination Net Unreachable".into(),
        (3, 1) => "Destination Host Unreachable".into(),
        (3, 2) => "Destination Protocol Unreachable".into(),
        (3, 3) => "Destination Port Unreachable".into(),
        (3, 4) => format!("Frag needed and DF set (mtu = {info})"),
        (3, 5) => "Source Route Failed".into(),
        (3, 6) => "Destination Net Unknown".into(),
        (3, 7) => "Destination Host Unknown".into(),
        (3, 8) => "Source Host Isolated".into(),
        (3, 9) => "Destination Net Prohibited".into(),
        (3, 10) => "Destination Host Prohibited".into(),
        (3, 11) => "Destination Net Unreachable for Type of Service".into(),
        (3, 12) => "Destination Host Unreachable for Type of Service".into(),
        (3, 13) => "Packet filtered".into(),
        (3, 14) => "Precedence Violation".into(),
        (3, 15) => "Precedence Cutoff".into(),
        (3, c) => format!("Dest Unreachable, Bad Code: {c}"),
        (11, 0) => "Time to live exceeded".into(),
        (11, 1) => "Frag reassembly time exceeded".into(),
        (11, c) => format!("Time exceeded, Bad Code: {c}"),
        (12, _) => format!("Parameter problem: pointer = {}", info >> 24),
        (4, _) => "Source Quench".into(),
        (t, _) => format!("Bad ICMP type: {t}"),
    }
}

/// iputils' RTT format: three decimals under 1 ms, fewer above.
pub fn fmt_rtt(us: u64) -> String {
    if us >= 100_000 - 50 {
        format!("{}", (us + 500) / 1000)
    } else if us >= 10_000 - 5 {
        format!("{}.{:01}", (us + 50) / 1000, ((us + 50) % 1000) / 100)
    } else if us >= 1000 {
        format!("{}.{:02}", (us + 5) / 1000, ((us + 5) % 1000) / 10)
    } else {
        format!("{}.{:03}", us / 1000, us % 1000)
    }
}

fn ms3(us: u64) -> String {
    format!("{}.{:03}", us / 1000, us % 1000)
}

/// Integer square root (iputils' `llsqrt`).
fn isqrt(v: u128) -> u64 {
    if v == 0 {
        return 0;
    }
    let mut x = (v as f64).sqrt() as u128;
    while x * x > v {
        x -= 1;
    }
    while (x + 1) * (x + 1) <= v {
        x += 1;
    }
    x as u64
}

impl Ping {
    /// A ping that has not started.
    pub fn new(mut args: PingArgs) -> Self {
        // `rts.interval = (int)(optval * 1000)`: whole milliseconds.
        args.interval = Duration::from_millis(args.interval.as_millis());
        Ping {
            args,
            sock: None,
            id: 0,
            src: None,
            src6: None,
            flow: 0,
            oif: None,
            start: Instant::ZERO,
            sched: Instant::ZERO,
            oom: 0,
            last_try: Instant::ZERO,
            last_send: Instant::ZERO,
            next_send: None,
            exit_at: None,
            transmitted: 0,
            received: 0,
            errors: 0,
            repeats: 0,
            tsum: 0.0,
            tsum2: 0.0,
            tmin: u64::MAX,
            tmax: 0,
            ewma: 0,
            acked: 0,
            pipesize: 0,
            rcvd: vec![0; MAX_DUP_CHK / 64].into_boxed_slice(),
            rbuf: Vec::new(),
            sbuf: Vec::new(),
            dots: String::new(),
        }
    }

    fn rcvd_test(&self, seq: u16) -> bool {
        self.rcvd[usize::from(seq) / 64] & (1 << (seq % 64)) != 0
    }
    fn rcvd_set(&mut self, seq: u16) {
        self.rcvd[usize::from(seq) / 64] |= 1 << (seq % 64);
    }
    fn rcvd_clear(&mut self, seq: u16) {
        self.rcvd[usize::from(seq) / 64] &= !(1 << (seq % 64));
    }

    /// Probes sent after the newest one answered (`in_flight`).
    fn in_flight(&self) -> i64 {
        let diff = (self.transmitted as u16).wrapping_sub(self.acked);
        if diff <= 0x7fff {
            i64::from(diff)
        } else {
            self.transmitted as i64 - self.received as i64 - self.errors as i64
        }
    }

    /// `-I DEV` (`SO_BINDTODEVICE`): the device probes leave by; the program ends with
    /// ping's error (and `None` comes back) when there is no such device.
    fn bind_dev(&mut self, sys: &mut Sys<'_, '_, '_>, d: String) -> Option<String> {
        match sys.ifindex(&d) {
            Some(i) => {
                self.oif = Some(i);
                Some(d)
            }
            None => {
                sys.stderr(format!("ping: SO_BINDTODEVICE {d}: No such device"));
                sys.exit(2);
                None
            }
        }
    }

    /// The destination as ping names it: with its `%IFACE` when one was given.
    pub(super) fn dest_name(&self) -> String {
        match &self.args.scope {
            Some(s) => format!("{}%{s}", self.args.dest),
            None => self.args.dest.to_string(),
        }
    }

    /// The IPv4 destination (the IPv4 paths only run for one).
    fn dest4(&self) -> Ipv4Addr {
        match self.args.dest {
            IpAddr::V4(a) => a,
            IpAddr::V6(_) => Ipv4Addr::UNSPECIFIED,
        }
    }

    pub(crate) fn bound_src(&self) -> Option<Ipv4Addr> {
        match &self.args.bind {
            Some(Bind::Addr(a)) => Some(*a),
            _ => None,
        }
    }

    fn send_probe(&mut self, sys: &mut Sys<'_, '_, '_>) {
        let now = sys.now();
        let seq = (self.transmitted + 1) as u16;
        self.rcvd_clear(seq);
        if let IpAddr::V6(dest) = self.args.dest {
            // More than an IPv6 payload holds: refused before anything is built.
            if self.args.size > 0xffff - 8 {
                return self.sent(sys, Err(Errno::MsgSize));
            }
            let mut m = std::mem::take(&mut self.sbuf);
            self.echo_request(&mut m, now, kind6::ECHO_REQUEST, seq);
            let res = self.send6(sys, dest, &m);
            self.sbuf = m;
            return self.sent(sys, res);
        }
        // More than an IPv4 packet holds: the kernel refuses it before anything is built.
        if self.args.size > 0xffff - 28 {
            return self.sent(sys, Err(Errno::MsgSize));
        }
        let mut m = std::mem::take(&mut self.sbuf);
        self.echo_request(&mut m, now, kind::ECHO_REQUEST, seq);
        let c = wire::checksum(&m);
        m[2..4].copy_from_slice(&c.to_be_bytes());
        let spec = OutSpec {
            dst: self.dest4(),
            src: self.src,
            proto: proto::ICMP,
            ttl: self.args.ttl,
            tos: 0,
            pmtudisc: self.args.pmtudisc,
            oif: self.oif,
        };
        let res = sys.send(&spec, &m);
        self.sbuf = m;
        self.sent(sys, res)
    }

    /// Writes into `m` an echo request of type `t` (ICMP's or ICMPv6's), its checksum
    /// zero: the id, `seq`, and the payload iputils sends — the time sent (a `timeval`,
    /// when 16 bytes fit), then bytes counting up.
    fn echo_request(&self, m: &mut Vec<u8>, now: Instant, t: u8, seq: u16) {
        m.clear();
        m.extend_from_slice(&[t, 0, 0, 0]);
        m.extend_from_slice(&self.id.to_be_bytes());
        m.extend_from_slice(&seq.to_be_bytes());
        m.extend((0..self.args.size).map(|j| j as u8));
        if self.args.size >= 16 {
            let us = now.as_micros();
            m[8..16].copy_from_slice(&(us / 1_000_000).to_le_bytes());
            m[16..24].copy_from_slice(&(us % 1_000_000).to_le_bytes());
        }
    }

    /// What became of a probe's `sendmsg`, and the schedule after it.
    fn sent(&mut self, sys: &mut Sys<'_, '_, '_>, res: Result<(), Errno>) {
        let now = sys.now();
        match res {
            // The device's qdisc refused it (NET_XMIT_DROP): `pinger` sends the same
            // sequence again after `nores_interval` — half the interval, 10 to 500 ms —
            // once the interval's tokens allow (they start again from zero), for as long
            // as `oom_count × nores_interval` stays below the linger time; then it is a
            // hard local error, the probe counted as sent. Measured: `tbf rate 8kbit burst
            // 1600 limit 2100`, `ping -c 5 -i 0.01 -s 1000`: all five answered, the tbf
            // `dropped 84–95` (a retry every 16–20 ms of real time on that machine).
            Err(Errno::NoBufs) => {
                // `SCHINT(interval / 2)` on whole milliseconds.
                let half = Duration::from_millis(self.args.interval.as_millis() / 2);
                let nores = half.clamp(MININTERVAL, Duration::from_millis(500));
                self.oom += 1;
                let linger = self.args.linger.unwrap_or(Duration::from_secs(10));
                if nores.saturating_mul(self.oom) < linger {
                    let at = now + nores.max(self.args.interval);
                    self.sched = before(at, self.args.interval.saturating_mul(self.transmitted));
                    self.next_send = Some(at);
                    self.last_try = now;
                    return;
                }
                if self.args.flood && !self.args.quiet {
                    self.dots.push('E');
                } else if !self.args.quiet {
                    sys.stderr(format!("ping: sendmsg: {}", Errno::NoBufs));
                }
                // Pretend it was sent; the next probe `SCHINT(interval)` from now. The
                // count of refusals stays (it is reset only by a probe that goes), so the
                // next refusal is at once a hard error too.
                let at = now + self.args.interval.max(MININTERVAL);
                self.sched = before(at, self.args.interval.saturating_mul(self.transmitted + 1));
            }
            Ok(()) => {
                self.oom = 0;
                // (iputils skips the dot only when the window is wider than the screen.)
                if self.args.flood && !self.args.quiet {
                    self.dots.push('.');
                }
            }
            // `-M do` and a probe bigger than the path MTU: the kernel puts a local error
            // on the socket's error queue (`ip_local_error`), which `receive_error_msg`
            // prints to stderr and counts as an error (not under `-q`); the probe counts as
            // sent, the next one goes an interval later.
            Err(Errno::MsgSize) => {
                if self.args.flood && !self.args.quiet {
                    self.dots.push('E');
                    self.errors += 1;
                } else if !self.args.quiet {
                    let mtu = sys.path_mtu(self.dest4(), self.src, self.oif).unwrap_or(0);
                    sys.stderr(format!("ping: local error: message too long, mtu={mtu}"));
                    self.errors += 1;
                }
            }
            // iputils 20221126 counts another failed sendmsg as transmitted and prints
            // nothing.
            Err(_) => {}
        }
        self.last_try = now;
        // advance_ntransmitted: `acked` is invalidated when the 16-bit sequence wraps past it.
        self.transmitted += 1;
        if (self.transmitted as u16).wrapping_sub(self.acked) > 0x7fff {
            self.acked = (self.transmitted as u16).wrapping_add(1);
        }
        self.last_send = now;
        let more = self.args.count.is_none_or(|c| self.transmitted < u64::from(c));
        if more {
            self.next_send = Some(if self.args.interval >= MININTERVAL {
                self.sched + self.args.interval.saturating_mul(self.transmitted)
            } else {
                // Waiting for the reply, at most the receive timeout.
                now + MININTERVAL
            });
        } else {
            self.next_send = None;
            // schedule_exit: armed once, right after the last probe.
            let wait = if self.received > 0 {
                Duration::from_micros(2 * self.tmax).max(self.args.interval)
            } else {
                self.args.linger.unwrap_or(Duration::from_secs(10))
            };
            self.exit_at = Some(now + wait);
        }
        // main_loop's first test: a local error may have made up the count.
        if self.args.count.is_some_and(|c| self.received + self.errors >= u64::from(c)) {
            self.finish(sys);
        }
    }

    fn acknowledge(&mut self, seq: u16) {
        let diff = (self.transmitted as u16).wrapping_sub(seq);
        if diff <= 0x7fff {
            self.pipesize = self.pipesize.max(u32::from(diff) + 1);
            if (seq.wrapping_sub(self.acked) as i16) > 0 || (self.transmitted as u16).wrapping_sub(self.acked) > 0x7fff
            {
                self.acked = seq;
            }
        }
    }

    /// A reply or error of ours came in at `now`. Below `MININTERVAL` ping sits in
    /// `recvmsg` (or `poll`) waiting for it: with nothing left in flight the next probe goes
    /// once the interval is up; otherwise it goes now if the interval (10 ms for `-i 0`) has
    /// passed, else the wait for a reply starts over.
    fn woken(&mut self, now: Instant) {
        if self.args.interval >= MININTERVAL || self.next_send.is_none() {
            return;
        }
        let next = if self.in_flight() == 0 {
            now.max(self.last_try + self.args.interval)
        } else {
            let gap = if self.args.interval == Duration::ZERO { MININTERVAL } else { self.args.interval };
            if now >= self.last_try + gap { now } else { now + MININTERVAL }
        };
        self.next_send = Some(next);
    }

    pub(crate) fn on_icmp(&mut self, sys: &mut Sys<'_, '_, '_>, p: &IcmpIn<'_>) {
        let m = p.icmp;
        match m[0] {
            kind::ECHO_REPLY => {
                if u16::from_be_bytes([m[4], m[5]]) != self.id || p.src != self.dest4() && !self.args.broadcast {
                    return;
                }
                self.echo_reply(sys, &p.src, p.ttl, m);
            }
            3 | 11 | 12 => {
                let inner = &m[8..];
                if inner.len() < 20 {
                    return;
                }
                let ihl = usize::from(inner[0] & 0x0f) * 4;
                let Some(e) = inner.get(ihl..ihl + 8) else { return };
                let idst = Ipv4Addr::new(inner[16], inner[17], inner[18], inner[19]);
                if inner[9] != proto::ICMP
                    || e[0] != kind::ECHO_REQUEST
                    || idst != self.dest4()
                    || u16::from_be_bytes([e[4], e[5]]) != self.id
                {
                    return;
                }
                let seq = u16::from_be_bytes([e[6], e[7]]);
                let info = u32::from_be_bytes([m[4], m[5], m[6], m[7]]);
                let info = if m[0] == 3 && m[1] == 4 { info & 0xffff } else { info };
                self.icmp_error(sys, &p.src, seq, || describe(m[0], m[1], info));
            }
            _ => return,
        }
        self.answered(sys);
    }

    /// An echo reply to one of our probes (`m`, from `src` with hop limit or TTL `ttl`):
    /// counted, and printed as iputils prints it.
    fn echo_reply(&mut self, sys: &mut Sys<'_, '_, '_>, src: &dyn std::fmt::Display, ttl: u8, m: &[u8]) {
        let seq = u16::from_be_bytes([m[6], m[7]]);
        let now = sys.now();
        let rtt = if m.len() >= 24 {
            let s = u64::from_le_bytes(m[8..16].try_into().unwrap_or_default());
            let us = u64::from_le_bytes(m[16..24].try_into().unwrap_or_default());
            Some(now.as_micros().saturating_sub(s.saturating_mul(1_000_000).saturating_add(us)))
        } else {
            None
        };
        self.acknowledge(seq);
        // gather_statistics: the RTT counts before the duplicate check.
        if let Some(t) = rtt {
            self.tsum += t as f64;
            self.tsum2 += (t as f64) * (t as f64);
            self.tmin = self.tmin.min(t);
            self.tmax = self.tmax.max(t);
            let t = i64::try_from(t).unwrap_or(i64::MAX / 16);
            self.ewma = if self.ewma == 0 { t.saturating_mul(8) } else { self.ewma + t - self.ewma / 8 };
        }
        let dup = self.rcvd_test(seq);
        if dup {
            self.repeats += 1;
        } else {
            self.rcvd_set(seq);
            self.received += 1;
        }
        if self.args.flood && !self.args.quiet {
            self.dots.push_str("\u{8} \u{8}");
        } else if !self.args.quiet {
            let mut line = format!("{} bytes from {src}: icmp_seq={seq} ttl={ttl}", m.len());
            if let Some(t) = rtt {
                line.push_str(&format!(" time={} ms", fmt_rtt(t)));
            }
            if dup {
                line.push_str(" (DUP!)");
            }
            sys.stdout(line);
        }
    }

    /// An ICMP error about probe `seq`, from `src`: counted, and printed (`what` says it).
    fn icmp_error(
        &mut self,
        sys: &mut Sys<'_, '_, '_>,
        src: &dyn std::fmt::Display,
        seq: u16,
        what: impl FnOnce() -> String,
    ) {
        self.acknowledge(seq);
        self.errors += 1;
        if self.args.flood && !self.args.quiet {
            self.dots.push_str("\u{8}E");
        } else if !self.args.quiet {
            sys.stdout(format!("From {src} icmp_seq={seq} {}", what()));
        }
    }

    /// After a reply or an error: done once the count is answered, else the schedule goes on.
    fn answered(&mut self, sys: &mut Sys<'_, '_, '_>) {
        if self.args.count.is_some_and(|c| self.received + self.errors >= u64::from(c)) {
            return self.finish(sys);
        }
        self.woken(sys.now());
    }

    fn finish(&mut self, sys: &mut Sys<'_, '_, '_>) {
        let elapsed = self.last_send - self.start;
        sys.stdout(std::mem::take(&mut self.dots));
        sys.stdout(format!("--- {} ping statistics ---", self.dest_name()));
        let mut s = format!("{} packets transmitted, {} received", self.transmitted, self.received);
        if self.repeats > 0 {
            s.push_str(&format!(", +{} duplicates", self.repeats));
        }
        if self.errors > 0 {
            s.push_str(&format!(", +{} errors", self.errors));
        }
        if self.transmitted > 0 {
            let loss = (self.transmitted.saturating_sub(self.received)) as f64 * 100.0 / self.transmitted as f64;
            s.push_str(&format!(
                ", {}% packet loss, time {}ms",
                fmt_g(loss),
                (elapsed.as_nanos() + 500_000) / 1_000_000
            ));
        }
        sys.stdout(s);
        let mut tail = String::new();
        if self.received > 0 && self.args.size >= 16 {
            let (avg, mdev) = avg_mdev(self.tsum, self.tsum2, self.received + self.repeats);
            tail =
                format!("rtt min/avg/max/mdev = {}/{}/{}/{} ms", ms3(self.tmin), ms3(avg), ms3(self.tmax), ms3(mdev));
        }
        let comma = |t: &mut String| {
            if !t.is_empty() {
                t.push_str(", ");
            }
        };
        if self.pipesize > 1 {
            comma(&mut tail);
            tail.push_str(&format!("pipe {}", self.pipesize));
        }
        if self.received > 0 && (self.args.interval == Duration::ZERO || self.args.flood) && self.transmitted > 1 {
            let ipg = elapsed.as_micros() / (self.transmitted - 1);
            let ewma = self.ewma.max(0) as u64;
            comma(&mut tail);
            tail.push_str(&format!("ipg/ewma {}/{} ms", ms3(ipg), ms3(ewma / 8)));
        }
        sys.stdout(tail);
        let status = if self.received == 0 { 1 } else { 0 };
        self.next_send = None;
        self.exit_at = None;
        sys.exit(status);
    }
}

/// The summary's average and mean deviation in µs from the sums of RTTs and of their
/// squares over `total` replies, duplicates included: `finish()` computes in `double` and
/// truncates as C truncates.
fn avg_mdev(tsum: f64, tsum2: f64, total: u64) -> (u64, u64) {
    let total = total as f64;
    let avg = (tsum / total) as u64;
    let var = if tsum < f64::from(i32::MAX) {
        (tsum2 - (tsum * tsum) / total) / total
    } else {
        tsum2 / total - avg as f64 * avg as f64
    };
    (avg, isqrt(var.max(0.0) as u128))
}

/// C's `%g` for a percentage: up to 6 significant digits, no trailing zeros.
pub fn fmt_g(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let digits = 6 - 1 - v.abs().log10().floor() as i32;
    let s = format!("{:.*}", digits.max(0) as usize, v);
    if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s }
}

impl Program for Ping {
    fn name(&self) -> &'static str {
        "ping"
    }
    fn start(&mut self, sys: &mut Sys<'_, '_, '_>) {
        // `create_socket` for each family the options allow, IPv4's first.
        let s4 = (self.args.family != Some(6)).then(|| sys.socket(SocketKind::RawIcmp { bind: self.bound_src() }));
        let s6 = (self.args.family != Some(4)).then(|| sys.socket(SocketKind::RawIcmp6));
        self.sock = if self.args.dest.is_ipv6() { s6 } else { s4 };
        if let IpAddr::V6(dest) = self.args.dest {
            return self.start6(sys, dest);
        }
        let dest = self.dest4();
        let mut from_dev = None;
        match self.args.bind.clone() {
            Some(Bind::Addr(a)) => {
                if !sys.is_local_addr(a) {
                    sys.stderr("ping: bind: Cannot assign requested address");
                    return sys.exit(2);
                }
                self.src = Some(a);
            }
            Some(Bind::Dev(d)) => match self.bind_dev(sys, d) {
                Some(d) => from_dev = Some(d),
                None => return,
            },
            // (The front end refuses an IPv6 source for an IPv4 destination.)
            Some(Bind::Addr6(_)) => {
                sys.stderr("ping: bind: Cannot assign requested address");
                return sys.exit(2);
            }
            None => {}
        }
        if sys.is_broadcast(dest) {
            if !self.args.broadcast {
                sys.stderr("ping: Do you want to ping broadcast? Then -b. If not, check your local firewall rules");
                return sys.exit(2);
            }
            sys.stderr("WARNING: pinging broadcast address");
        }
        if self.src.is_none() {
            match sys.route(dest, None, self.oif) {
                Ok(r) => {
                    if from_dev.is_some() {
                        self.src = Some(r.src);
                    }
                }
                Err(e) => {
                    sys.stderr(format!("ping: connect: {e}"));
                    return sys.exit(2);
                }
            }
        }
        self.id = rng::range_u32(sys.rng(), 0, 0xffff) as u16;
        let size = self.args.size;
        let from = match (&from_dev, self.src) {
            (Some(d), Some(s)) => format!("from {s} {d}: "),
            (None, Some(s)) => format!("from {s} : "),
            _ => String::new(),
        };
        sys.stdout(format!("PING {dest} ({dest}) {from}{size}({}) bytes of data.", size + 28));
        self.start = sys.now();
        self.sched = self.start;
        self.send_probe(sys);
    }
    fn on_timeout(&mut self, sys: &mut Sys<'_, '_, '_>) {
        let now = sys.now();
        if self.exit_at.is_some_and(|t| t <= now) {
            return self.finish(sys);
        }
        if self.next_send.is_some_and(|t| t <= now) {
            self.send_probe(sys);
        }
    }
    fn poll_timeout(&self) -> Option<Instant> {
        match (self.next_send, self.exit_at) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
    fn on_ready(&mut self, sys: &mut Sys<'_, '_, '_>, sock: SocketId) {
        // The other family's socket is never read: what comes to it waits there.
        if self.sock != Some(sock) {
            return;
        }
        let mut buf = std::mem::take(&mut self.rbuf);
        if self.args.dest.is_ipv6() {
            super::each_icmp6(sys, sock, &mut buf, |sys, p| self.on_icmp6(sys, p));
        } else {
            super::each_icmp(sys, sock, &mut buf, |sys, p| self.on_icmp(sys, p));
        }
        self.rbuf = buf;
    }
    fn interrupt(&mut self, sys: &mut Sys<'_, '_, '_>) {
        self.finish(sys);
    }
    crate::proc::any_program!();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rtt_formats_like_iputils() {
        assert_eq!(fmt_rtt(39), "0.039");
        assert_eq!(fmt_rtt(1234), "1.23");
        assert_eq!(fmt_rtt(12_345), "12.3");
        assert_eq!(fmt_rtt(123_456), "123");
    }

    #[test]
    fn loss_formats_like_printf_g() {
        assert_eq!(fmt_g(0.0), "0");
        assert_eq!(fmt_g(100.0), "100");
        assert_eq!(fmt_g(100.0 / 3.0), "33.3333");
        assert_eq!(fmt_g(50.0), "50");
    }

    #[test]
    fn average_and_deviation_as_iputils_computes_them() {
        // `ping -i 0 -c 20 127.0.0.1` on the reference machine: 274 µs once, 2 µs three
        // times, 1 µs sixteen times; it printed avg 0.014 and mdev 0.059.
        let times = [274u64].into_iter().chain([2; 3]).chain([1; 16]);
        let (sum, sum2) = times.fold((0.0, 0.0), |(a, b), t| (a + t as f64, b + (t * t) as f64));
        assert_eq!(avg_mdev(sum, sum2, 20), (14, 59));
        assert_eq!(avg_mdev(40.0, 800.0, 2), (20, 0));
    }

    #[test]
    fn isqrt_is_floor() {
        assert_eq!(isqrt(0), 0);
        assert_eq!(isqrt(80), 8);
        assert_eq!(isqrt(81), 9);
    }
}
