//! `traceroute` as Debian's traceroute 2.1 prints it: UDP probes (the default method) or,
//! with `-I`, ICMP echo requests (`mod-icmp.c`).
//!
//! UDP probes go to port 33434 and up (one port per probe), `-q` (3) per hop, at most `-N`
//! (16) outstanding, each from a fresh ephemeral source port. ICMP probes are echo requests
//! on one raw socket, the id the pid's low 16 bits, the sequence from 1 (or `-p`) up, one
//! per probe sent; the target answers with an echo reply. A probe is answered by an ICMP
//! time exceeded from a router or by the target's port unreachable; it is lost after `-w`
//! (5 s), or sooner once another probe of the same hop answered (3 × its RTT) or a probe of
//! a later hop did (10 × its RTT). Hops print in order as soon as all their probes are
//! done; the trace ends after the hop where the target (or an ICMP unreachable, `!N`,
//! `!H`, …) answered, or at `-m` (30). Checked against the real traceroute on the reference
//! machine (see EXPERIMENTS.md E10).

use super::{IcmpIn, Program, SocketId, SocketKind, Sys};
use crate::sys::OutSpec;
use crate::wire::{self, proto};
use sim_core::{Duration, Instant, rng};
use std::net::Ipv4Addr;

/// traceroute's options.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TracerouteArgs {
    /// Target.
    pub dest: Ipv4Addr,
    /// `-n`: no names. (nslab has no DNS, so without `-n` a hop prints as `addr (addr)`, as
    /// traceroute does when the reverse lookup fails.)
    pub numeric: bool,
    /// `-f`.
    pub first_hop: u8,
    /// `-m`.
    pub max_hops: u8,
    /// `-q`.
    pub queries: u8,
    /// `-w`.
    pub wait: Duration,
    /// `-w`'s HERE factor: a probe whose hop already answered waits that many times the
    /// answer's RTT (as a span: 3 s stands for 3×; zero turns the rule off).
    pub here: Duration,
    /// `-w`'s NEAR factor: the same with a later hop's answer (10×).
    pub near: Duration,
    /// `-p`: the first UDP port, or with `-I` the first sequence number (0: from 1).
    pub port: u16,
    /// `-N`.
    pub sim_queries: u8,
    /// `-I`: ICMP echo probes.
    pub icmp: bool,
}

impl TracerouteArgs {
    /// Defaults for `traceroute DEST`.
    pub fn new(dest: Ipv4Addr) -> Self {
        TracerouteArgs {
            dest,
            numeric: false,
            first_hop: 1,
            max_hops: 30,
            queries: 3,
            wait: Duration::from_secs(5),
            here: Duration::from_secs(3),
            near: Duration::from_secs(10),
            port: 33434,
            sim_queries: 16,
            icmp: false,
        }
    }
}

const PREC: Duration = Duration::from_millis(1);
const DATA: usize = 32;

#[derive(Clone, Debug, Default)]
struct Probe {
    sent: Option<Instant>,
    /// The UDP probe's source port, or the ICMP probe's sequence number.
    sport: u16,
    done: bool,
    reply: Option<(Ipv4Addr, Duration, Option<&'static str>)>,
    final_: bool,
}

/// A running traceroute.
#[derive(Debug)]
pub struct Traceroute {
    args: TracerouteArgs,
    probes: Vec<Probe>,
    start: usize,
    end: usize,
    deadline: Option<Instant>,
    line: String,
    last_addr: Option<Ipv4Addr>,
    rbuf: Vec<u8>,
    /// `-I`: the echo id and the next sequence number.
    ident: u16,
    seq: u16,
}

impl Traceroute {
    /// A traceroute that has not started.
    pub fn new(args: TracerouteArgs) -> Self {
        let n = usize::from(args.max_hops) * usize::from(args.queries);
        let start = (usize::from(args.first_hop) - 1) * usize::from(args.queries);
        Traceroute {
            probes: vec![Probe::default(); n],
            start,
            end: n,
            deadline: None,
            line: String::new(),
            last_addr: None,
            rbuf: Vec::new(),
            ident: 0,
            seq: if args.icmp && args.port != 0 { args.port } else { 1 },
            args,
        }
    }

    fn per_hop(&self) -> usize {
        usize::from(self.args.queries)
    }

    /// How long probe `i` may wait (`get_timeout`): HERE (3) × the RTT of an answered probe
    /// of the same hop, else NEAR (10) × that of an answered later probe, else `-w`; plus
    /// 1 ms, capped. A factor of 0 turns its rule off.
    fn timeout(&self, i: usize) -> Duration {
        let q = self.per_hop();
        let hop0 = i - i % q;
        let rtt_of = |k: usize| self.probes[k].reply.map(|r| r.1).filter(|r| *r > Duration::ZERO);
        // `(rtt + precision) × factor`, the factor held as seconds.
        let times = |rtt: Duration, factor: Duration| {
            let ns = u128::from((rtt + PREC).as_nanos()) * u128::from(factor.as_nanos()) / 1_000_000_000;
            Duration::from_nanos(u64::try_from(ns).unwrap_or(u64::MAX)).min(self.args.wait)
        };
        let (here, near) = (self.args.here, self.args.near);
        if here > Duration::ZERO
            && let Some(rtt) = (hop0..hop0 + q).filter(|k| *k != i).find_map(rtt_of)
        {
            return times(rtt, here);
        }
        if near > Duration::ZERO
            && let Some(rtt) = (i + 1..self.probes.len()).find_map(rtt_of)
        {
            return times(rtt, near);
        }
        self.args.wait
    }

    /// One pass of traceroute's main loop: expire, print, send, compute the next deadline.
    fn step(&mut self, sys: &mut Sys<'_, '_, '_>) {
        let now = sys.now();
        loop {
            let mut progressed = false;
            let mut outstanding = 0;
            let mut next: Option<Instant> = None;
            let mut n = self.start;
            while n < self.end {
                if !self.probes[n].done
                    && let Some(sent) = self.probes[n].sent
                {
                    let exp = sent + self.timeout(n);
                    if exp <= now {
                        self.probes[n].done = true;
                    } else {
                        next = Some(next.map_or(exp, |t: Instant| t.min(exp)));
                    }
                }
                if self.probes[n].done {
                    if n == self.start {
                        self.print(sys, n);
                        self.start += 1;
                        progressed = true;
                    }
                    if self.probes[n].final_ {
                        self.end = self.end.min((n / self.per_hop() + 1) * self.per_hop());
                    }
                    n += 1;
                    continue;
                }
                if self.probes[n].sent.is_none() {
                    self.send(sys, n);
                    let exp = now + self.timeout(n);
                    next = Some(next.map_or(exp, |t| t.min(exp)));
                }
                outstanding += 1;
                if outstanding >= usize::from(self.args.sim_queries) {
                    break;
                }
                n += 1;
            }
            if self.start >= self.end {
                if !self.line.is_empty() {
                    let l = std::mem::take(&mut self.line);
                    sys.stdout(l);
                }
                self.deadline = None;
                return sys.exit(0);
            }
            if !progressed {
                self.deadline = next;
                return;
            }
        }
    }

    /// `icmp_send_probe`: an echo request with the next sequence number, 32 bytes of
    /// `0x40 + (i & 0x3f)` after its header.
    fn send_icmp(&mut self, sys: &mut Sys<'_, '_, '_>, n: usize, ttl: u8) {
        let seq = self.seq;
        self.seq = self.seq.wrapping_add(1);
        let mut m = vec![8, 0, 0, 0];
        m.extend_from_slice(&self.ident.to_be_bytes());
        m.extend_from_slice(&seq.to_be_bytes());
        m.extend((8..8 + DATA).map(|i| 0x40 + (i & 0x3f) as u8));
        let c = wire::checksum_with(0, &m);
        m[2..4].copy_from_slice(&c.to_be_bytes());
        let spec = OutSpec {
            dst: self.args.dest,
            src: None,
            proto: proto::ICMP,
            ttl: Some(ttl),
            tos: 0,
            pmtudisc: crate::sys::Pmtudisc::Dont,
            oif: None,
        };
        self.probes[n].sent = Some(sys.now());
        self.probes[n].sport = seq;
        // A probe the stack refused counts as sent and times out, as in the UDP method.
        let _ = sys.send(&spec, &m);
    }

    fn send(&mut self, sys: &mut Sys<'_, '_, '_>, n: usize) {
        let ttl = (n / self.per_hop()) as u8 + 1;
        if self.args.icmp {
            return self.send_icmp(sys, n, ttl);
        }
        let dport = self.args.port.wrapping_add(n as u16);
        let (lo, hi) = sys.local_port_range();
        let sport = rng::range_u32(sys.rng(), u32::from(lo), u32::from(hi)) as u16;
        let src = match sys.route(self.args.dest, None, None) {
            Ok(r) => r.src,
            Err(_) => Ipv4Addr::UNSPECIFIED,
        };
        let mut u = Vec::with_capacity(8 + DATA);
        u.extend_from_slice(&sport.to_be_bytes());
        u.extend_from_slice(&dport.to_be_bytes());
        u.extend_from_slice(&((8 + DATA) as u16).to_be_bytes());
        u.extend_from_slice(&[0, 0]);
        u.extend((0..DATA).map(|i| 0x40 + i as u8));
        let c = wire::checksum_with(wire::pseudo_header_sum(src, self.args.dest, proto::UDP, u.len()), &u);
        u[6..8].copy_from_slice(&(if c == 0 { 0xffff } else { c }).to_be_bytes());
        let spec = OutSpec {
            dst: self.args.dest,
            src: Some(src),
            proto: proto::UDP,
            ttl: Some(ttl),
            tos: 0,
            pmtudisc: crate::sys::Pmtudisc::Dont,
            oif: None,
        };
        self.probes[n].sent = Some(sys.now());
        self.probes[n].sport = sport;
        if sys.send(&spec, &u).is_err() {
            // The probe counts as sent and will time out, as traceroute marks it sent first.
        }
    }

    fn print(&mut self, sys: &mut Sys<'_, '_, '_>, n: usize) {
        let q = self.per_hop();
        if n.is_multiple_of(q) {
            self.line = format!("{:2} ", n / q + 1);
            self.last_addr = None;
        }
        let p = &self.probes[n];
        match p.reply {
            Some((addr, rtt, err)) => {
                if self.last_addr != Some(addr) {
                    if self.args.numeric {
                        self.line.push_str(&format!(" {addr}"));
                    } else {
                        self.line.push_str(&format!(" {addr} ({addr})"));
                    }
                    self.last_addr = Some(addr);
                }
                let us = rtt.as_nanos() / 1000;
                self.line.push_str(&format!("  {}.{:03} ms", us / 1000, us % 1000));
                if let Some(e) = err {
                    self.line.push_str(&format!(" {e}"));
                }
            }
            None => self.line.push_str(" *"),
        }
        if n % q == q - 1 {
            let l = std::mem::take(&mut self.line);
            sys.stdout(l);
        }
    }

    /// The probe an ICMP echo id and sequence number belong to (`probe_by_seq`).
    fn by_seq(&self, id: u16, seq: u16) -> Option<usize> {
        if id != self.ident {
            return None;
        }
        self.probes.iter().position(|pb| pb.sent.is_some() && pb.sport == seq)
    }

    pub(crate) fn on_icmp(&mut self, sys: &mut Sys<'_, '_, '_>, p: &IcmpIn<'_>) {
        let m = p.icmp;
        if m.len() < 8 {
            return;
        }
        // `-I`: the target's echo reply (the socket is connected to the target).
        if m[0] == 0 {
            let id = u16::from_be_bytes([m[4], m[5]]);
            let seq = u16::from_be_bytes([m[6], m[7]]);
            let Some(n) = self.args.icmp.then(|| self.by_seq(id, seq)).flatten() else { return };
            if p.src != self.args.dest || self.probes[n].done {
                return;
            }
            let pb = &mut self.probes[n];
            let rtt = sys.now() - pb.sent.unwrap_or_default();
            pb.reply = Some((p.src, rtt, None));
            pb.done = true;
            pb.final_ = true;
            return self.step(sys);
        }
        if m[0] != 3 && m[0] != 11 {
            return;
        }
        let inner = &m[8..];
        let want = if self.args.icmp { proto::ICMP } else { proto::UDP };
        if inner.len() < 28 || inner[9] != want {
            return;
        }
        let ihl = usize::from(inner[0] & 0x0f) * 4;
        let idst = Ipv4Addr::new(inner[16], inner[17], inner[18], inner[19]);
        let Some(l4) = inner.get(ihl..ihl + 8) else { return };
        if idst != self.args.dest {
            return;
        }
        let (a, b) = (u16::from_be_bytes([l4[0], l4[1]]), u16::from_be_bytes([l4[2], l4[3]]));
        let (n, sport) = if self.args.icmp {
            // The echo request quoted: type 8 code 0, then its checksum, id and sequence.
            let (id, seq) = (u16::from_be_bytes([l4[4], l4[5]]), u16::from_be_bytes([l4[6], l4[7]]));
            if a != 0x0800 {
                return;
            }
            match self.by_seq(id, seq) {
                Some(n) => (n, seq),
                None => return,
            }
        } else {
            (usize::from(b.wrapping_sub(self.args.port)), a)
        };
        let Some(pb) = self.probes.get_mut(n) else { return };
        let Some(sent) = pb.sent else { return };
        // Each probe has its own socket: the error must be about this probe's port pair.
        if pb.done || pb.sport != sport {
            return;
        }
        let rtt = sys.now() - sent;
        let (err, final_) = match (m[0], m[1]) {
            (11, _) => (None, false),
            (3, 3) => (None, p.src == self.args.dest),
            (3, 0) => (Some("!N"), true),
            (3, 1) => (Some("!H"), true),
            (3, 2) => (Some("!P"), true),
            (3, 4) => (Some("!F"), true),
            (3, 5) => (Some("!S"), true),
            (3, 13) => (Some("!X"), true),
            (3, 14) => (Some("!V"), true),
            (3, 15) => (Some("!C"), true),
            (3, c) => (
                Some(match c {
                    6 | 7 => "!U",
                    9 | 10 => "!A",
                    _ => "!<?>",
                }),
                true,
            ),
            _ => return,
        };
        pb.reply = Some((p.src, rtt, err));
        pb.done = true;
        pb.final_ = final_ || p.src == self.args.dest;
        self.step(sys);
    }
}

impl Program for Traceroute {
    fn name(&self) -> &'static str {
        "traceroute"
    }
    fn start(&mut self, sys: &mut Sys<'_, '_, '_>) {
        sys.socket(SocketKind::RawIcmp { bind: None });
        self.ident = sys.pid() as u16;
        let d = self.args.dest;
        if let Err(e) = sys.route(d, None, None) {
            sys.stderr(format!("connect: {e}"));
            return sys.exit(1);
        }
        sys.stdout(format!("traceroute to {d} ({d}), {} hops max, {} byte packets", self.args.max_hops, 20 + 8 + DATA));
        self.step(sys);
    }
    fn on_timeout(&mut self, sys: &mut Sys<'_, '_, '_>) {
        self.step(sys);
    }
    fn poll_timeout(&self) -> Option<Instant> {
        self.deadline
    }
    fn on_ready(&mut self, sys: &mut Sys<'_, '_, '_>, sock: SocketId) {
        let mut buf = std::mem::take(&mut self.rbuf);
        super::each_icmp(sys, sock, &mut buf, |sys, p| self.on_icmp(sys, p));
        self.rbuf = buf;
    }
    fn interrupt(&mut self, sys: &mut Sys<'_, '_, '_>) {
        if !self.line.is_empty() {
            let l = std::mem::take(&mut self.line);
            sys.stdout(l);
        }
        self.deadline = None;
        sys.exit(130);
    }
    crate::proc::any_program!();
}
