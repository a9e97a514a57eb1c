//! ICMP: message types, the error builder and Linux's rate limits.
//!
//! Errors carry the offending IP header and as much of the packet as fits in 576 bytes
//! (`icmp_send` in `net/ipv4/icmp.c`). Types in `icmp_ratemask` (unreachable, source quench,
//! time exceeded, parameter problem) are limited per destination by a token bucket of
//! `icmp_ratelimit` ms with a burst of 6 (`inet_peer_xrlim_allow`), and globally by
//! `icmp_msgs_per_sec` / `icmp_msgs_burst`; fragmentation-needed and errors to this host
//! itself are exempt. A router's network unreachable for a packet it has no route for
//! (`!N`) first passes `ip_error`'s own bucket on the same per-destination peer, so a burst
//! of them is two.
//! ICMPv6 errors (`icmpv6_xrlim_allow`) share the global bucket and take a per-destination
//! bucket of `net.ipv6.icmp.ratelimit` (100 ms on Linux 6.18, the same whatever the route's
//! prefix, as measured: six in a burst, then one each 100 ms); packet too big,
//! informational messages and errors that go out through `lo` are not limited.
//! Time counts in jiffies of the reference machine (HZ=250). The global bucket's random
//! cost per message (0 to 2 credits, Linux ≥ 6.12) is one here.

use crate::wire::{self, proto};
use sim_core::{Duration, Instant};
use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

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

/// Per-destination and global ICMP rate limits, in jiffies as the kernel counts them.
#[derive(Clone, Debug, Default)]
pub struct RateLimit {
    /// The inet_peer of each destination: its tokens and when they were last counted.
    peers: BTreeMap<IpAddr, Peer>,
    /// `icmp_global`: credit (may go below zero) and stamp; `None` before the first error.
    global: Option<(i64, u64)>,
}

#[derive(Clone, Copy, Debug)]
struct Peer {
    tokens: u64,
    last: u64,
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

/// The reference machine's `CONFIG_HZ`: the limits count in its ticks.
const HZ: u64 = 250;
/// `XRLIM_BURST_FACTOR`.
const BURST_FACTOR: u64 = 6;
/// `ip_rt_error_cost` and `ip_rt_error_burst` (`net.ipv4.route.error_cost`/`error_burst`).
const ROUTE_ERROR_COST: u64 = HZ;
const ROUTE_ERROR_BURST: u64 = 5 * HZ;

fn jiffies(now: Instant) -> u64 {
    now.as_nanos() / (1_000_000_000 / HZ)
}

impl RateLimit {
    /// The inet_peer for `dst`; a new one has no tokens and was last counted a minute ago
    /// (`inet_getpeer`), so its first use finds its bucket full.
    fn peer(&mut self, dst: IpAddr, now: u64) -> &mut Peer {
        if self.peers.len() > 4096 {
            // Peers whose buckets would be full again are as good as new.
            self.peers.retain(|_, p| now.saturating_sub(p.last) < 60 * HZ);
        }
        self.peers.entry(dst).or_insert(Peer { tokens: 0, last: now.wrapping_sub(60 * HZ) })
    }

    /// `ip_error`'s own limit, before it sends the error for a packet it cannot route
    /// (`!N`): a token bucket of one error a second, five at the most, on the same
    /// inet_peer as [`RateLimit::allow`]'s — so a burst of route errors to one host is two.
    pub fn route_error(&mut self, now: Instant, dst: Ipv4Addr) -> bool {
        let now = jiffies(now);
        let p = self.peer(dst.into(), now);
        p.tokens = (p.tokens + now.wrapping_sub(p.last)).min(ROUTE_ERROR_BURST);
        p.last = now;
        if p.tokens >= ROUTE_ERROR_COST {
            p.tokens -= ROUTE_ERROR_COST;
            true
        } else {
            false
        }
    }

    /// May an ICMP `t`/`c` go to `dst` now (`icmpv4_global_allow`, then
    /// `icmpv4_xrlim_allow`)? Consumes a token when it may.
    pub fn allow(&mut self, lim: &Limits, now: Instant, dst: Ipv4Addr, t: u8, c: u8) -> bool {
        if t > 31 || lim.ratemask & (1 << t) == 0 {
            return true;
        }
        if t == kind::DEST_UNREACH && c == code::FRAG_NEEDED {
            return true;
        }
        let timeout = (lim.ratelimit.as_nanos() * HZ).div_ceil(1_000_000_000);
        self.limited(lim, jiffies(now), dst.into(), Some(timeout))
    }

    /// May an ICMPv6 error of type `t` go to `dst` now (`icmpv6_global_allow`, then
    /// `icmpv6_xrlim_allow`)? `via_lo`: it goes out through `lo`, past the per-destination
    /// bucket. Consumes a token when it may.
    pub fn allow6(&mut self, lim: &Limits, now: Instant, dst: Ipv6Addr, t: u8, via_lo: bool) -> bool {
        // `icmpv6_ratemask` 0-1,3-127: every error but packet too big.
        if t == 2 || t > 127 {
            return true;
        }
        let timeout = (!via_lo).then(|| (lim.ratelimit.as_nanos() * HZ).div_ceil(1_000_000_000));
        self.limited(lim, jiffies(now), dst.into(), timeout)
    }

    /// The global bucket, then `dst`'s (`timeout` jiffies a message; `None`: no per-peer
    /// limit, as for `lo`); a message allowed costs a global credit.
    fn limited(&mut self, lim: &Limits, now: u64, dst: IpAddr, timeout: Option<u64>) -> bool {
        // Global bucket (icmp_global_allow): refilled, lazily, only once spent.
        let (mut credit, mut stamp) = self.global.unwrap_or((0, now.wrapping_sub(HZ)));
        if credit <= 0 {
            let delta = now.wrapping_sub(stamp).min(HZ);
            let incr = lim.per_sec * delta / HZ;
            if delta < HZ / 50 || incr == 0 {
                self.global = Some((credit, stamp));
                return false;
            }
            stamp = now;
            credit = (credit + incr as i64).min(lim.burst as i64);
        }
        self.global = Some((credit, stamp));
        // Per-peer bucket (inet_peer_xrlim_allow).
        let ok = match timeout {
            None => true,
            Some(0) => return true,
            Some(timeout) => {
                let p = self.peer(dst, now);
                let delta = now.wrapping_sub(p.last);
                if delta > 0 {
                    p.last = now;
                    p.tokens = (p.tokens + delta).min(BURST_FACTOR * timeout);
                }
                let ok = p.tokens >= timeout;
                if ok {
                    p.tokens -= timeout;
                }
                ok
            }
        };
        if ok {
            // icmp_global_consume: a random 0, 1 or 2 credits on Linux; here always 1.
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
    fn icmpv6_errors_six_in_a_burst_then_one_each_ratelimit() {
        // Linux 6.18 (ratelimit 100 ms): 20 datagrams to a closed port drew six port
        // unreachables, 200 ms later two, 100 ms later one, whatever the route's prefix.
        let lim = Limits { ratelimit: Duration::from_millis(100), ..lim() };
        let mut r = RateLimit::default();
        let d: Ipv6Addr = "2001:db8::1".parse().unwrap();
        let t0 = Instant::from_secs(10);
        let burst = |r: &mut RateLimit, t: Instant, n| (0..n).filter(|_| r.allow6(&lim, t, d, 1, false)).count();
        assert_eq!(burst(&mut r, t0, 20), 6);
        assert_eq!(burst(&mut r, t0 + Duration::from_millis(200), 5), 2);
        assert_eq!(burst(&mut r, t0 + Duration::from_millis(300), 5), 1);
        // Packet too big and echo replies are never limited; nor is what goes through lo.
        assert!((0..100).all(|_| r.allow6(&lim, t0, d, 2, false) && r.allow6(&lim, t0, d, 129, false)));
        assert_eq!(burst(&mut r, t0 + Duration::from_millis(300), 1), 0);
        assert!(r.allow6(&lim, t0 + Duration::from_millis(300), d, 1, true));
    }

    #[test]
    fn route_errors_come_two_in_a_burst() {
        // Linux 6.18: traceroute through a router with no route shows `!N !N *`, and two
        // again after 4 s or more; each `!N` costs ip_error's bucket and xrlim's, one peer.
        let mut r = RateLimit::default();
        let d = Ipv4Addr::new(10, 1, 0, 2);
        let t0 = Instant::from_secs(10);
        let send = |r: &mut RateLimit, t: Instant| {
            r.route_error(t, d) && r.allow(&lim(), t, d, kind::DEST_UNREACH, code::NET_UNREACH)
        };
        assert_eq!((0..3).map(|_| send(&mut r, t0)).collect::<Vec<_>>(), [true, true, false]);
        let later = t0 + Duration::from_secs(5);
        assert_eq!((0..4).map(|_| send(&mut r, later)).collect::<Vec<_>>(), [true, true, false, false]);
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
