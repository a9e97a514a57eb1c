//! Path-MTU exceptions: what "fragmentation needed" leaves in the routing cache
//! (`__ip_rt_update_pmtu` and the next-hop exceptions of `net/ipv4/route.c`).
//!
//! Owns the exceptions of one namespace, by destination; `rx.rs` records them from ICMP,
//! `tx.rs` reads them for locally sent packets, `ip route get` shows them. Must not touch
//! the FIB or the wire.
//!
//! An exception only lowers a path's MTU, never below `min_pmtu` (552; a smaller value is
//! taken as 552 and locked: no later "Frag needed" changes it, and a WANT socket's packets
//! go without DF), and lasts `mtu_expires` (600 s) from when it was set; the same value
//! again is not refreshed until half of that has run out. Linux keeps them per
//! next hop, in a hash of 2048 buckets of at most 5 each (`FNHE_RECLAIM_DEPTH`); here they
//! are kept per destination, at most [`MAX_EXCEPTIONS`], the one expiring first making room.

use sim_core::{Duration, Instant};
use std::collections::BTreeMap;
use std::net::Ipv4Addr;

/// `net.ipv4.route.min_pmtu`.
pub const MIN_PMTU: u32 = 552;
/// `net.ipv4.route.mtu_expires`.
pub const MTU_EXPIRES: Duration = Duration::from_secs(600);
/// At most this many exceptions (2048 buckets × 5 in Linux).
pub const MAX_EXCEPTIONS: usize = 2048 * 5;

/// One destination's path MTU.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Exception {
    /// The MTU.
    pub(crate) mtu: u32,
    /// When it lapses.
    pub(crate) expires: Instant,
    /// Locked (`mtu lock`): below `min_pmtu` once.
    pub(crate) locked: bool,
}

/// A namespace's path-MTU exceptions (IPv4's; IPv6's keyed by IPv6 destinations, their
/// values never below 1280, so never locked).
#[derive(Debug)]
pub(crate) struct Pmtu<A = Ipv4Addr> {
    by_dst: BTreeMap<A, Exception>,
}

impl<A> Default for Pmtu<A> {
    fn default() -> Self {
        Pmtu { by_dst: BTreeMap::new() }
    }
}

impl<A: Ord + Copy> Pmtu<A> {
    /// The exception for `dst` at `now`, if one holds.
    pub(crate) fn get(&self, dst: A, now: Instant) -> Option<Exception> {
        self.by_dst.get(&dst).filter(|e| e.expires > now).copied()
    }

    /// `__ip_rt_update_pmtu`: an ICMP error said `mtu` for `dst`, whose path MTU is now
    /// `current` (the device's, or an exception's).
    pub(crate) fn update(&mut self, dst: A, mtu: u32, current: u32, now: Instant) {
        let old = self.get(dst, now);
        if current < mtu || old.is_some_and(|e| e.locked) {
            return;
        }
        let (mtu, lock) = if mtu < MIN_PMTU { (current.min(MIN_PMTU), true) } else { (mtu, false) };
        if let Some(e) = old
            && e.mtu == mtu
            && !lock
            && now + Duration::from_secs(MTU_EXPIRES.as_secs() / 2) < e.expires
        {
            return;
        }
        if !self.by_dst.contains_key(&dst) && self.by_dst.len() >= MAX_EXCEPTIONS {
            self.by_dst.retain(|_, e| e.expires > now);
            if self.by_dst.len() >= MAX_EXCEPTIONS
                && let Some((&old, _)) = self.by_dst.iter().min_by_key(|(a, e)| (e.expires, **a))
            {
                self.by_dst.remove(&old);
            }
        }
        self.by_dst.insert(dst, Exception { mtu, expires: now + MTU_EXPIRES, locked: lock });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: Ipv4Addr = Ipv4Addr::new(10, 0, 2, 1);

    #[test]
    fn lowers_only_and_expires() {
        let mut p = Pmtu::default();
        p.update(D, 1400, 1500, Instant::ZERO);
        let e = p.get(D, Instant::from_secs(1)).unwrap();
        assert_eq!((e.mtu, e.expires, e.locked), (1400, Instant::from_secs(600), false));
        p.update(D, 1450, 1400, Instant::from_secs(2));
        assert_eq!(p.get(D, Instant::from_secs(3)).map(|e| e.mtu), Some(1400), "never raised");
        assert_eq!(p.get(D, Instant::from_secs(600)), None);
    }

    #[test]
    fn clamps_to_min_pmtu_and_refreshes_late() {
        let mut p = Pmtu::default();
        p.update(D, 100, 1500, Instant::ZERO);
        assert_eq!(p.get(D, Instant::ZERO).map(|e| (e.mtu, e.locked)), Some((552, true)));
        p.update(D, 1000, 552, Instant::from_secs(400));
        assert_eq!(p.get(D, Instant::ZERO).map(|e| e.expires), Some(Instant::from_secs(600)), "locked: left alone");
        let mut q = Pmtu::default();
        q.update(D, 1400, 1500, Instant::ZERO);
        q.update(D, 1400, 1400, Instant::from_secs(100));
        assert_eq!(q.get(D, Instant::ZERO).map(|e| e.expires), Some(Instant::from_secs(600)), "not yet half run out");
        q.update(D, 1400, 1400, Instant::from_secs(301));
        assert_eq!(q.get(D, Instant::ZERO).map(|e| e.expires), Some(Instant::from_secs(901)));
    }

    #[test]
    fn bounded() {
        let mut p = Pmtu::default();
        for i in 0..(MAX_EXCEPTIONS as u32 + 100) {
            p.update(Ipv4Addr::from(i), 1400, 1500, Instant::from_nanos(u64::from(i)));
        }
        assert_eq!(p.by_dst.len(), MAX_EXCEPTIONS);
    }
}
