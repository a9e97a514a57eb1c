//! `traceroute` as Debian's traceroute 2.1 prints it: UDP probes (the default method),
//! with `-I` ICMP echo requests (`mod-icmp.c`), with `-T` TCP SYNs (`mod-tcp.c`), or with
//! `-U` UDP probes all to one port (`mod-udp.c`: 53 unless `-p`).
//!
//! UDP probes go to port 33434 and up (one port per probe; with `-U` all to one port, an
//! answer matched to its probe by the source port it quotes), `-q` (3) per hop, at most `-N`
//! (16) outstanding, each from a fresh ephemeral source port. ICMP probes are echo requests
//! on one raw socket, the id the pid's low 16 bits, the sequence from 1 (or `-p`) up, one
//! per probe sent; the target answers with an echo reply. A probe is answered by an ICMP
//! time exceeded from a router or by the target's port unreachable; it is lost after `-w`
//! (5 s), or sooner once another probe of the same hop answered (3 × its RTT) or a probe of
//! a later hop did (10 × its RTT). Hops print in order as soon as all their probes are
//! done; the trace ends after the hop where the target (or an ICMP unreachable, `!N`,
//! `!H`, …) answered, or at `-m` (30). Checked against the real traceroute on the reference
//! machine (see EXPERIMENTS.md E10).
//!
//! TCP probes are SYNs to port 80 (or `-p`) from a fresh ephemeral port each, with the
//! options `tcp_init` builds from the default sysctls (MSS from the path MTU, SACK,
//! timestamps, window scale 2; no ECN), sent on a raw TCP socket connected to the target;
//! the target's SYN-ACK or RST (read on that socket) ends the trace, and our stack answers
//! a SYN-ACK with RST, as no socket listens on the port.
//!
//! To an IPv6 destination (`-6`, `traceroute6`) the same over IPv6: 80-byte probes (UDP
//! with its mandatory checksum, ICMPv6 echo requests with `-I`, or SYNs with `-T`, their
//! MSS 60 bytes under the path MTU), answered by ICMPv6 time exceeded or destination
//! unreachable, read on a raw ICMPv6 socket (`-T`: on its raw IPv6 TCP socket's error
//! queue, with the target's answers).

use super::{Icmp6In, IcmpIn, Program, SocketId, SocketKind, Sys};
use crate::netns::ipv6::{Out6, packet as ip6};
use crate::sys::OutSpec;
use crate::wire::{self, proto};
use sim_core::{Duration, Instant, rng};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// traceroute's options.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TracerouteArgs {
    /// Target (an IPv6 one traces over IPv6).
    pub dest: IpAddr,
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
    /// `-T`: TCP SYN probes.
    pub tcp: bool,
    /// `-U`: UDP probes all to `port` (mod-udp.c), told apart by their source ports.
    pub udp: bool,
}

impl TracerouteArgs {
    /// Defaults for `traceroute DEST`.
    pub fn new(dest: impl Into<IpAddr>) -> Self {
        TracerouteArgs {
            dest: dest.into(),
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
            tcp: false,
            udp: false,
        }
    }
}

const PREC: Duration = Duration::from_millis(1);
const DATA: usize = 32;

/// A UDP probe: its header, then `DATA` bytes of `0x40 + i`; `sum` gives the checksum over
/// its family's pseudo-header (0 is sent as all ones).
fn udp_probe((sport, dport): (u16, u16), sum: impl FnOnce(&[u8]) -> u16) -> Vec<u8> {
    let mut u = Vec::with_capacity(8 + DATA);
    u.extend_from_slice(&sport.to_be_bytes());
    u.extend_from_slice(&dport.to_be_bytes());
    u.extend_from_slice(&((8 + DATA) as u16).to_be_bytes());
    u.extend_from_slice(&[0, 0]);
    u.extend((0..DATA).map(|i| 0x40 + i as u8));
    let c = sum(&u);
    u[6..8].copy_from_slice(&(if c == 0 { 0xffff } else { c }).to_be_bytes());
    u
}

/// A TCP probe's length: the header and the options `tcp_init` builds.
const TCP_LEN: usize = 40;

/// A TCP probe (`tcp_init`'s sample packet): flags SYN, the window four MSS, then the MSS,
/// SACK permitted with a timestamp (`tsval`, echo 0) and window scale 2; `sum` gives the
/// checksum over the pseudo-header.
fn tcp_probe((sport, dport): (u16, u16), seq: u32, mss: u16, tsval: u32, sum: impl FnOnce(&[u8]) -> u16) -> Vec<u8> {
    let mut t = Vec::with_capacity(TCP_LEN);
    t.extend_from_slice(&sport.to_be_bytes());
    t.extend_from_slice(&dport.to_be_bytes());
    t.extend_from_slice(&seq.to_be_bytes());
    t.extend_from_slice(&[0; 4]);
    t.extend_from_slice(&[(TCP_LEN as u8 / 4) << 4, 0x02]);
    t.extend_from_slice(&mss.wrapping_mul(4).to_be_bytes());
    t.extend_from_slice(&[0; 4]);
    t.extend_from_slice(&[2, 4]);
    t.extend_from_slice(&mss.to_be_bytes());
    t.extend_from_slice(&[4, 2, 8, 10]);
    t.extend_from_slice(&tsval.to_be_bytes());
    t.extend_from_slice(&[0; 4]);
    t.extend_from_slice(&[1, 3, 3, 2]);
    let c = sum(&t);
    t[16..18].copy_from_slice(&c.to_be_bytes());
    t
}

#[derive(Clone, Debug, Default)]
struct Probe {
    sent: Option<Instant>,
    /// The UDP probe's source port, or the ICMP probe's sequence number.
    sport: u16,
    done: bool,
    reply: Option<(IpAddr, Duration, Option<std::borrow::Cow<'static, str>>)>,
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
    last_addr: Option<IpAddr>,
    rbuf: Vec<u8>,
    /// `-I`: the echo id and the next sequence number.
    ident: u16,
    seq: u16,
    /// `-T`: the raw TCP socket, and the options' timestamp (`tcp_init` draws it once).
    tcp_sock: Option<SocketId>,
    tsval: u32,
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
            tcp_sock: None,
            tsval: 0,
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
        let rtt_of = |k: usize| self.probes[k].reply.as_ref().map(|r| r.1).filter(|r| *r > Duration::ZERO);
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
    /// (Over IPv6 an ICMPv6 echo request, its checksum the stack's.)
    fn send_icmp(&mut self, sys: &mut Sys<'_, '_, '_>, n: usize, ttl: u8) {
        let seq = self.seq;
        self.seq = self.seq.wrapping_add(1);
        let v6 = self.args.dest.is_ipv6();
        let mut m = vec![if v6 { ip6::kind::ECHO_REQUEST } else { 8 }, 0, 0, 0];
        m.extend_from_slice(&self.ident.to_be_bytes());
        m.extend_from_slice(&seq.to_be_bytes());
        m.extend((8..8 + DATA).map(|i| 0x40 + (i & 0x3f) as u8));
        self.probes[n].sent = Some(sys.now());
        self.probes[n].sport = seq;
        // A probe the stack refused counts as sent and times out, as in the UDP method.
        match self.args.dest {
            IpAddr::V4(dst) => {
                let c = wire::checksum_with(0, &m);
                m[2..4].copy_from_slice(&c.to_be_bytes());
                let spec = OutSpec {
                    dst,
                    src: None,
                    proto: proto::ICMP,
                    ttl: Some(ttl),
                    tos: 0,
                    pmtudisc: crate::sys::Pmtudisc::Dont,
                    oif: None,
                };
                let _ = sys.send(&spec, &m);
            }
            IpAddr::V6(dst) => {
                let src = sys.route6(dst, None).map(|r| r.1).ok();
                let flow = src.map_or(0, |s| sys.flow_label(s, dst, self.ident));
                let spec = Out6 { dst, src, next: ip6::ICMPV6, hlim: Some(ttl), flow, oif: None };
                let _ = sys.send6(&spec, &m);
            }
        }
    }

    /// `tcp_send_probe`: a SYN from a fresh ephemeral port, a random sequence number.
    fn send_tcp(&mut self, sys: &mut Sys<'_, '_, '_>, n: usize, dst: Ipv4Addr, ttl: u8) {
        let src = sys.route(dst, None, None).map_or(Ipv4Addr::UNSPECIFIED, |r| r.src);
        // `tcp_init`: the MSS is what the path MTU leaves (at least 576) after the headers.
        let mss = sys.path_mtu(dst, None, None).unwrap_or(1500).max(576) - 40;
        let (lo, hi) = sys.local_port_range();
        let sport = rng::range_u32(sys.rng(), u32::from(lo), u32::from(hi)) as u16;
        let seq = rng::next_u64(sys.rng()) as u32;
        let t = tcp_probe((sport, self.args.port), seq, mss as u16, self.tsval, |t| {
            wire::checksum_with(wire::pseudo_header_sum(src, dst, proto::TCP, t.len()), t)
        });
        self.send_probe4(sys, n, (src, dst, proto::TCP), (sport, ttl), &t);
    }

    /// The same over IPv6: the MSS what the path MTU leaves after 60 bytes of headers, the
    /// flow label the raw socket's (ports do not enter a raw socket's flow hash, so the
    /// kernel gives every probe the same label).
    fn send_tcp6(&mut self, sys: &mut Sys<'_, '_, '_>, n: usize, dst: Ipv6Addr, ttl: u8) {
        let src = sys.route6(dst, None).map_or(Ipv6Addr::UNSPECIFIED, |r| r.1);
        let mss = sys.path_mtu6(dst).max(1280) - 60;
        let (lo, hi) = sys.local_port_range();
        let sport = rng::range_u32(sys.rng(), u32::from(lo), u32::from(hi)) as u16;
        let seq = rng::next_u64(sys.rng()) as u32;
        let t = tcp_probe((sport, self.args.port), seq, mss as u16, self.tsval, |t| {
            ip6::checksum6(src, dst, proto::TCP, t)
        });
        let flow = sys.flow_label(src, dst, u16::from(proto::TCP));
        let spec = Out6 { dst, src: Some(src), next: proto::TCP, hlim: Some(ttl), flow, oif: None };
        self.probes[n].sent = Some(sys.now());
        self.probes[n].sport = sport;
        // Refused, it counts as sent and times out.
        let _ = sys.send6(&spec, &t);
    }

    /// Sends probe `n` (an IPv4 payload of `proto` from `src` to `dst`, its source port
    /// `sport`, with TTL `ttl`, no DF). A probe the stack refused counts as sent and times
    /// out, as traceroute marks it sent first.
    fn send_probe4(
        &mut self,
        sys: &mut Sys<'_, '_, '_>,
        n: usize,
        (src, dst, proto): (Ipv4Addr, Ipv4Addr, u8),
        (sport, ttl): (u16, u8),
        payload: &[u8],
    ) {
        let spec = OutSpec {
            dst,
            src: Some(src),
            proto,
            ttl: Some(ttl),
            tos: 0,
            pmtudisc: crate::sys::Pmtudisc::Dont,
            oif: None,
        };
        self.probes[n].sent = Some(sys.now());
        self.probes[n].sport = sport;
        let _ = sys.send(&spec, payload);
    }

    /// `-T`: the target's answer on the raw TCP socket — a SYN-ACK or a RST from the probed
    /// port to one of our probes' ports.
    fn on_tcp(&mut self, sys: &mut Sys<'_, '_, '_>, t: &[u8], src: IpAddr) {
        if t.len() < 8 || src != self.args.dest {
            return;
        }
        let (from, to) = (u16::from_be_bytes([t[0], t[1]]), u16::from_be_bytes([t[2], t[3]]));
        if from != self.args.port {
            return;
        }
        if let Some(n) = self.by_port(to) {
            self.answered(sys, (n, to), src, (None, true));
        }
    }

    /// `-T`, `-U`: the probe sent from source port `port`.
    fn by_port(&self, port: u16) -> Option<usize> {
        self.probes.iter().position(|pb| pb.sent.is_some() && pb.sport == port)
    }

    fn send(&mut self, sys: &mut Sys<'_, '_, '_>, n: usize) {
        let ttl = (n / self.per_hop()) as u8 + 1;
        if self.args.icmp {
            return self.send_icmp(sys, n, ttl);
        }
        if self.args.tcp {
            return match self.args.dest {
                IpAddr::V4(d) => self.send_tcp(sys, n, d, ttl),
                IpAddr::V6(d) => self.send_tcp6(sys, n, d, ttl),
            };
        }
        let dport = if self.args.udp { self.args.port } else { self.args.port.wrapping_add(n as u16) };
        let (lo, hi) = sys.local_port_range();
        let sport = rng::range_u32(sys.rng(), u32::from(lo), u32::from(hi)) as u16;
        let dest = match self.args.dest {
            IpAddr::V4(d) => d,
            IpAddr::V6(d) => return self.send_udp6(sys, n, d, (sport, dport), ttl),
        };
        let src = match sys.route(dest, None, None) {
            Ok(r) => r.src,
            Err(_) => Ipv4Addr::UNSPECIFIED,
        };
        let u = udp_probe((sport, dport), |u| {
            wire::checksum_with(wire::pseudo_header_sum(src, dest, proto::UDP, u.len()), u)
        });
        self.send_probe4(sys, n, (src, dest, proto::UDP), (sport, ttl), &u);
    }

    /// A UDP probe over IPv6 (from its own socket, so with its own flow label).
    fn send_udp6(&mut self, sys: &mut Sys<'_, '_, '_>, n: usize, dst: Ipv6Addr, (sport, dport): (u16, u16), ttl: u8) {
        let src = sys.route6(dst, None).map_or(Ipv6Addr::UNSPECIFIED, |r| r.1);
        let u = udp_probe((sport, dport), |u| ip6::checksum6(src, dst, proto::UDP, u));
        let flow = sys.flow_label(src, dst, sport);
        let spec = Out6 { dst, src: Some(src), next: proto::UDP, hlim: Some(ttl), flow, oif: None };
        self.probes[n].sent = Some(sys.now());
        self.probes[n].sport = sport;
        // Refused, it counts as sent and times out.
        let _ = sys.send6(&spec, &u);
    }

    fn print(&mut self, sys: &mut Sys<'_, '_, '_>, n: usize) {
        let q = self.per_hop();
        if n.is_multiple_of(q) {
            self.line = format!("{:2} ", n / q + 1);
            self.last_addr = None;
        }
        match &self.probes[n].reply {
            Some((addr, rtt, err)) => {
                let (addr, rtt) = (*addr, *rtt);
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
                if let Some(e) = err.as_deref() {
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

    /// The probe an error quotes (`l4`: the first 8 bytes after the quoted IP header) and
    /// its source port (UDP) or sequence number (`-I`).
    fn quoted(&self, l4: &[u8]) -> Option<(usize, u16)> {
        let (a, b) = (u16::from_be_bytes([l4[0], l4[1]]), u16::from_be_bytes([l4[2], l4[3]]));
        if self.args.tcp || self.args.udp {
            // The SYN or datagram quoted: our port, then the probed one.
            return (b == self.args.port).then(|| self.by_port(a)).flatten().map(|n| (n, a));
        }
        if self.args.icmp {
            // The echo request quoted: its type and code, then checksum, id and sequence.
            let (id, seq) = (u16::from_be_bytes([l4[4], l4[5]]), u16::from_be_bytes([l4[6], l4[7]]));
            let echo = if self.args.dest.is_ipv6() { u16::from(ip6::kind::ECHO_REQUEST) << 8 } else { 0x0800 };
            if a != echo {
                return None;
            }
            return self.by_seq(id, seq).map(|n| (n, seq));
        }
        Some((usize::from(b.wrapping_sub(self.args.port)), a))
    }

    /// Probe `n` (its source port or sequence `sport`) answered from `src`.
    fn answered(
        &mut self,
        sys: &mut Sys<'_, '_, '_>,
        (n, sport): (usize, u16),
        src: IpAddr,
        (err, final_): (Option<std::borrow::Cow<'static, str>>, bool),
    ) {
        let Some(pb) = self.probes.get_mut(n) else { return };
        let Some(sent) = pb.sent else { return };
        // Each probe has its own socket: the error must be about this probe's port pair.
        if pb.done || pb.sport != sport {
            return;
        }
        let rtt = sys.now() - sent;
        pb.reply = Some((src, rtt, err));
        pb.done = true;
        pb.final_ = final_ || src == self.args.dest;
        self.step(sys);
    }

    /// `-I`: the target's echo reply (`m`, from `src`) to one of our probes (the socket is
    /// connected to the target).
    fn echo_reply(&mut self, sys: &mut Sys<'_, '_, '_>, m: &[u8], src: IpAddr) {
        let id = u16::from_be_bytes([m[4], m[5]]);
        let seq = u16::from_be_bytes([m[6], m[7]]);
        let Some(n) = self.args.icmp.then(|| self.by_seq(id, seq)).flatten() else { return };
        if src == self.args.dest {
            self.answered(sys, (n, seq), src, (None, true));
        }
    }

    pub(crate) fn on_icmp(&mut self, sys: &mut Sys<'_, '_, '_>, p: &IcmpIn<'_>) {
        let m = p.icmp;
        if m.len() < 8 {
            return;
        }
        let src = IpAddr::V4(p.src);
        if m[0] == 0 {
            return self.echo_reply(sys, m, src);
        }
        if m[0] != 3 && m[0] != 11 {
            return;
        }
        let inner = &m[8..];
        let want = match (self.args.icmp, self.args.tcp) {
            (true, _) => proto::ICMP,
            (_, true) => proto::TCP,
            _ => proto::UDP,
        };
        if inner.len() < 28 || inner[9] != want {
            return;
        }
        let ihl = usize::from(inner[0] & 0x0f) * 4;
        let idst = Ipv4Addr::new(inner[16], inner[17], inner[18], inner[19]);
        let Some(l4) = inner.get(ihl..ihl + 8) else { return };
        if IpAddr::V4(idst) != self.args.dest {
            return;
        }
        let Some(probe) = self.quoted(l4) else { return };
        let verdict = match (m[0], m[1]) {
            (11, _) => (None, false),
            (3, 3) => (None, src == self.args.dest),
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
        self.answered(sys, probe, src, (verdict.0.map(Into::into), verdict.1));
    }

    /// ICMPv6 on the raw ICMPv6 socket: the target's echo reply (`-I`), or an error about
    /// one of our probes.
    pub(crate) fn on_icmp6(&mut self, sys: &mut Sys<'_, '_, '_>, p: &Icmp6In<'_>) {
        let m = p.icmp;
        if m.len() < 8 {
            return;
        }
        let src = IpAddr::V6(p.src);
        if m[0] == ip6::kind::ECHO_REPLY {
            return self.echo_reply(sys, m, src);
        }
        // An error (unreachable, too big, time exceeded, parameter problem) quoting a probe.
        if !(1..=4).contains(&m[0]) {
            return;
        }
        let inner = &m[8..];
        let want = match (self.args.icmp, self.args.tcp) {
            (true, _) => ip6::ICMPV6,
            (_, true) => proto::TCP,
            _ => proto::UDP,
        };
        if inner.len() < 48 || inner[6] != want || IpAddr::V6(ip6::addr(inner, 24)) != self.args.dest {
            return;
        }
        let Some(probe) = self.quoted(&inner[40..48]) else { return };
        // `parse_icmp_res` for AF_INET6: every error but time exceeded in transit ends the
        // trace, port unreachable from whoever sends it.
        let err: Option<std::borrow::Cow<'static, str>> = match (m[0], m[1]) {
            (3, 0) => return self.answered(sys, probe, src, (None, false)),
            (1, 4) => None,
            (1, 0) => Some("!N".into()),
            (1, 2 | 3) => Some("!H".into()),
            (1, 1) => Some("!X".into()),
            (1, c) => Some(format!("!<{c}>").into()),
            (2, _) => Some(format!("!F-{}", u32::from_be_bytes([m[4], m[5], m[6], m[7]])).into()),
            (t, c) => Some(format!("!<{t}-{c}>").into()),
        };
        self.answered(sys, probe, src, (err, true));
    }
}

impl Program for Traceroute {
    fn name(&self) -> &'static str {
        "traceroute"
    }
    fn start(&mut self, sys: &mut Sys<'_, '_, '_>) {
        self.ident = sys.pid() as u16;
        let d = self.args.dest;
        let (routed, header) = match d {
            IpAddr::V4(a) => {
                // `-T` reads the errors on its raw TCP socket's error queue; the others on
                // a raw ICMP socket.
                if self.args.tcp {
                    self.tcp_sock = Some(sys.socket(SocketKind::RawTcp { peer: a.into() }));
                    self.tsval = rng::next_u64(sys.rng()) as u32;
                } else {
                    sys.socket(SocketKind::RawIcmp { bind: None });
                }
                (sys.route(a, None, None).map(|_| ()), 20)
            }
            IpAddr::V6(a) => {
                // `-T` as over IPv4, on an IPv6 raw TCP socket (`IPV6_RECVERR`).
                if self.args.tcp {
                    self.tcp_sock = Some(sys.socket(SocketKind::RawTcp { peer: a.into() }));
                    self.tsval = rng::next_u64(sys.rng()) as u32;
                } else {
                    sys.socket(SocketKind::RawIcmp6);
                }
                (sys.route6(a, None).map(|_| ()), 40)
            }
        };
        let probe = if self.args.tcp { TCP_LEN } else { 8 + DATA };
        sys.stdout(format!(
            "traceroute to {d} ({d}), {} hops max, {} byte packets",
            self.args.max_hops,
            header + probe
        ));
        if let Err(e) = routed {
            // (The header went out without its newline; the error starts with one.)
            sys.stderr(format!("connect: {e}"));
            return sys.exit(1);
        }
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
        if Some(sock) == self.tcp_sock {
            while let Some(m) = sys.recv(sock, &mut buf) {
                match m {
                    super::Meta::Icmp { src, .. } => self.on_tcp(sys, &buf, src.into()),
                    super::Meta::Icmp6 { src, .. } => self.on_tcp(sys, &buf, src.into()),
                    super::Meta::IcmpError { src, dst, ttl } => {
                        self.on_icmp(sys, &IcmpIn { src, dst, ttl, icmp: &buf })
                    }
                    super::Meta::Icmp6Error { in_if, src, hlim, .. } => {
                        self.on_icmp6(sys, &Icmp6In { in_if, src, hlim, icmp: &buf })
                    }
                    _ => {}
                }
            }
        } else if self.args.dest.is_ipv6() {
            super::each_icmp6(sys, sock, &mut buf, |sys, p| self.on_icmp6(sys, p));
        } else {
            super::each_icmp(sys, sock, &mut buf, |sys, p| self.on_icmp(sys, p));
        }
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
