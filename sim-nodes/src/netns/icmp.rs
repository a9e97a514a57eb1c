//! ICMP: message types, the error builder and Linux's rate limits.
//!
//! Errors carry the offending IP header and as much of the packet as fits in 576 bytes
//! (`icmp_send` in `net/ipv4/icmp.c`). Types in `icmp_ratemask` (unreachable, source quench,
//! time exceeded, parameter problem) are limited per destination by a token bucket of
//! `icmp_ratelimit` ms with a burst of 6 (`inet_peer_xrlim_allow`), and globally by
//! `icmp_msgs_per_sec` / `icmp_msgs_burst`; fragmentation-needed and errors to this host
//! itself are exempt. The global bucket's random credit (Linux ≥ 6.12) is left out.

use crate::wire::{self, proto};
use sim_core::{Duration, Instant};
use std::collections::BTreeMap;
use std::net::Ipv4Addr;

pub use crate::wire::icmp::{code, kind};

/// True for ICMP error types (which never trigger another error).
pub fn is_error(t: u8) -> bool {
    matches!(t, 3 | 4 | 5 | 11 | 12)
}

/// Builds the ICMP part of an error about `orig` (its IP header and data) into `buf`.
pub fn build_error(buf: &mut Vec<u8>, t: u8, c: u8, info: u32, orig: &[u8]) {
    let room = 576 - 20 - 8;
    let data = &orig[..orig.len().min(room)];
    let start = buf.len();
    buf.extend_from_slice(&[t, c, 0, 0]);
    buf.extend_from_slice(&info.to_be_bytes());
    buf.extend_from_slice(data);
    let csum = wire::checksum(&buf[start..]);
    buf[start + 2..start + 4].copy_from_slice(&csum.to_be_bytes());
}

/// Rewrites an echo request (its ICMP part) into the matching reply in `buf`.
pub fn build_echo_reply(buf: &mut Vec<u8>, request: &[u8]) {
    let start = buf.len();
    buf.extend_from_slice(request);
    buf[start] = kind::ECHO_REPLY;
    buf[start + 2] = 0;
    buf[start + 3] = 0;
    let csum = wire::checksum(&buf[start..]);
    buf[start + 2..start + 4].copy_from_slice(&csum.to_be_bytes());
}

/// True when this packet may cause an ICMP error at all (RFC 1122 3.2.2): not about an
/// ICMP error, not a non-first fragment, not from an unspecified, broadcast or multicast
/// source.
pub fn may_answer(orig: &[u8]) -> bool {
    if orig.len() < 20 {
        return false;
    }
    let src = Ipv4Addr::new(orig[12], orig[13], orig[14], orig[15]);
    let dst = Ipv4Addr::new(orig[16], orig[17], orig[18], orig[19]);
    if src.is_unspecified() || src.is_broadcast() || src.is_multicast() || dst.is_multicast() || dst.is_broadcast() {
        return false;
    }
    if u16::from_be_bytes([orig[6], orig[7]]) & 0x1fff != 0 {
        return false;
    }
    let ihl = usize::from(orig[0] & 0x0f) * 4;
    if orig[9] == proto::ICMP
        && let Some(&t) = orig.get(ihl)
        && is_error(t)
    {
        return false;
    }
    true
}

/// Per-destination and global ICMP rate limits.
#[derive(Clone, Debug, Default)]
pub struct RateLimit {
    peers: BTreeMap<Ipv4Addr, (u64, Instant)>,
    global: Option<(u64, Instant)>,
}

/// The limits in force (from sysctls).
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// `icmp_ratelimit`.
    pub ratelimit: Duration,
    /// `icmp_ratemask`.
    pub ratemask: u32,
    /// `icmp_msgs_per_sec`.
    pub per_sec: u64,
    /// `icmp_msgs_burst`.
    pub burst: u64,
}

const BURST_FACTOR: u64 = 6;

impl RateLimit {
    /// May an ICMP `t`/`c` go to `dst` now? Consumes a token when it may.
    pub fn allow(&mut self, lim: &Limits, now: Instant, dst: Ipv4Addr, t: u8, c: u8) -> bool {
        if t > 31 || lim.ratemask & (1 << t) == 0 {
            return true;
        }
        if t == kind::DEST_UNREACH && c == code::FRAG_NEEDED {
            return true;
        }
        // Global bucket (icmp_global_allow): credit refills at per_sec, capped at burst. It is
        // checked first but consumed only when the per-peer limit allows (Linux ≥ 6.10).
        let mut global = None;
        if lim.per_sec > 0 {
            let (credit, stamp) = self.global.unwrap_or((lim.burst, now));
            let refill = (now - stamp).as_millis() * lim.per_sec / 1000;
            let credit = (credit + refill).min(lim.burst);
            let stamp = if refill > 0 { now } else { stamp };
            self.global = Some((credit, stamp));
            if credit == 0 {
                return false;
            }
            global = Some((credit, stamp));
        }
        // Per-peer bucket (inet_peer_xrlim_allow); a new peer starts full.
        let timeout = lim.ratelimit.as_nanos();
        if timeout == 0 {
            return true;
        }
        let cap = BURST_FACTOR * timeout;
        if self.peers.len() > 4096 {
            self.peers.retain(|_, (_, last)| (now - *last).as_nanos() < cap);
        }
        let (tokens, last) = self.peers.get(&dst).copied().unwrap_or((cap, now));
        let mut token = (tokens + (now - last).as_nanos()).min(cap);
        let ok = token >= timeout;
        if ok {
            token -= timeout;
        }
        self.peers.insert(dst, (token, now));
        if ok && let Some((credit, stamp)) = global {
            self.global = Some((credit - 1, stamp));
        }
        ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lim() -> Limits {
        Limits { ratelimit: Duration::from_millis(1000), ratemask: 6168, per_sec: 1000, burst: 50 }
    }

    #[test]
    fn six_in_a_burst_then_one_per_second() {
        // traceroute on the reference machine saw exactly six port-unreachables in a burst.
        let mut r = RateLimit::default();
        let d = Ipv4Addr::new(192, 0, 2, 1);
        let t0 = Instant::from_secs(10);
        let ok = (0..10).filter(|_| r.allow(&lim(), t0, d, kind::DEST_UNREACH, code::PORT_UNREACH)).count();
        assert_eq!(ok, 6);
        assert!(!r.allow(&lim(), t0 + Duration::from_millis(999), d, 3, 3));
        assert!(r.allow(&lim(), t0 + Duration::from_millis(1000), d, 3, 3));
        // Another destination has its own bucket; echo replies are never limited.
        assert!(r.allow(&lim(), t0, Ipv4Addr::new(10, 0, 0, 1), 3, 3));
        assert!((0..100).all(|_| r.allow(&lim(), t0, d, kind::ECHO_REPLY, 0)));
    }

    #[test]
    fn errors_about_errors_are_never_sent() {
        let mut p = vec![0x45, 0, 0, 28, 0, 0, 0, 0, 64, 1, 0, 0, 192, 0, 2, 1, 192, 0, 2, 2];
        p.extend([3, 1, 0, 0, 0, 0, 0, 0]);
        assert!(!may_answer(&p));
        p[20] = 8;
        assert!(may_answer(&p));
        p[19] = 255;
        p[16..20].copy_from_slice(&[255, 255, 255, 255]);
        assert!(!may_answer(&p));
    }
}
