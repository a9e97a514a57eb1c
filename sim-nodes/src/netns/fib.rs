//! The FIB: IPv4 routes of the main table, longest-prefix match, `ip route` semantics.
//!
//! A plain data structure with pure lookups (no clock). Routes are kept in iproute2's dump
//! order — by destination, longer prefixes first, then by metric — and looked up by longest
//! prefix, then lowest metric (a destination, prefix and metric name one route at most).

use super::iface::{Scope, mask, network};
use std::cmp::Reverse;
use std::fmt;
use std::net::Ipv4Addr;

/// Who installed a route (`proto`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Proto {
    /// The kernel, for an address's subnet.
    Kernel,
    /// `ip route add` without `proto` (shown as nothing).
    #[default]
    Boot,
    /// `proto static`.
    Static,
    /// A DHCP client.
    Dhcp,
}

impl fmt::Display for Proto {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Proto::Kernel => "kernel",
            Proto::Boot => "boot",
            Proto::Static => "static",
            Proto::Dhcp => "dhcp",
        })
    }
}

/// A route.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    /// Destination network (host bits clear).
    pub dst: Ipv4Addr,
    /// Prefix length.
    pub prefix: u8,
    /// Next hop, for `via` routes.
    pub gateway: Option<Ipv4Addr>,
    /// Output interface.
    pub dev: u32,
    /// Installed by.
    pub proto: Proto,
    /// Scope.
    pub scope: Scope,
    /// Preferred source address.
    pub src: Option<Ipv4Addr>,
    /// Metric (priority); lower wins.
    pub metric: u32,
}

impl Route {
    /// True if `a` falls in this route's destination.
    pub fn matches(&self, a: Ipv4Addr) -> bool {
        u32::from(a) & mask(self.prefix) == u32::from(self.dst)
    }
    fn sort_key(&self) -> SortKey {
        (u32::from(self.dst), Reverse(self.prefix), self.metric)
    }
}

/// Why a route could not be added or removed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FibError {
    /// Same destination, prefix and metric already present.
    #[error("RTNETLINK answers: File exists")]
    Exists,
    /// No such route.
    #[error("RTNETLINK answers: No such process")]
    NotFound,
    /// Host bits set.
    #[error("Error: Invalid prefix for given prefix length.")]
    InvalidPrefix,
}

/// The main routing table.
///
/// Routes sit in a vector sorted in dump order, so `ip route` lists them as stored. A
/// small table is scanned; a larger one is searched, from the longest prefix length any
/// route has down to the shortest, by a binary search for the routes to `dst`'s network
/// of that length — a few searches, however many routes the table holds.
#[derive(Clone, Debug)]
pub struct Fib {
    routes: Vec<Route>,
    /// How many routes have each prefix length (0..=32).
    lens: [u32; 33],
    /// Bit `n` set: some route has prefix length `n`.
    present: u64,
}

type SortKey = (u32, Reverse<u8>, u32);

impl Default for Fib {
    fn default() -> Self {
        Fib { routes: Vec::new(), lens: [0; 33], present: 0 }
    }
}

impl Fib {
    /// Up to this many routes, a lookup scans them all.
    const SCAN: usize = 16;

    /// Routes in dump order.
    pub fn routes(&self) -> &[Route] {
        &self.routes
    }

    /// Where routes with this key are, or would go.
    fn find(&self, key: SortKey) -> Result<usize, usize> {
        self.routes.binary_search_by(|r| r.sort_key().cmp(&key))
    }

    /// Adds a route (`ip route add`).
    pub fn add(&mut self, r: Route) -> Result<(), FibError> {
        if r.prefix > 32 || network(r.dst, r.prefix) != r.dst {
            return Err(FibError::InvalidPrefix);
        }
        let at = self.find(r.sort_key()).err().ok_or(FibError::Exists)?;
        self.count(r.prefix, true);
        self.routes.insert(at, r);
        Ok(())
    }

    /// Puts a route in place of the one with its destination, prefix and metric, or adds
    /// it (`ip route replace`: `fib_table_insert` with NLM_F_REPLACE, tos 0).
    pub fn replace(&mut self, r: Route) -> Result<(), FibError> {
        if r.prefix > 32 || network(r.dst, r.prefix) != r.dst {
            return Err(FibError::InvalidPrefix);
        }
        match self.find(r.sort_key()) {
            Ok(at) => self.routes[at] = r,
            Err(at) => {
                self.count(r.prefix, true);
                self.routes.insert(at, r);
            }
        }
        Ok(())
    }

    fn count(&mut self, prefix: u8, added: bool) {
        let len = usize::from(prefix);
        if added {
            self.lens[len] += 1;
            self.present |= 1 << len;
        } else {
            self.lens[len] -= 1;
            if self.lens[len] == 0 {
                self.present &= !(1 << len);
            }
        }
    }

    /// The routes to `net/len`, in metric order.
    fn to_net(&self, net: u32, len: u8) -> &[Route] {
        let from = self.routes.partition_point(|r| r.sort_key() < (net, Reverse(len), 0));
        let n = self.routes[from..].partition_point(|r| u32::from(r.dst) == net && r.prefix == len);
        &self.routes[from..from + n]
    }

    /// Removes the first route matching destination/prefix and, when given, the other
    /// selectors (`ip route del`).
    pub fn del(
        &mut self,
        dst: Ipv4Addr,
        prefix: u8,
        gateway: Option<Ipv4Addr>,
        dev: Option<u32>,
        metric: Option<u32>,
    ) -> Result<Route, FibError> {
        if prefix > 32 {
            return Err(FibError::NotFound);
        }
        let net = u32::from(network(dst, prefix));
        let first = self.routes.partition_point(|r| r.sort_key() < (net, Reverse(prefix), 0));
        let at = self
            .to_net(net, prefix)
            .iter()
            .position(|r| {
                gateway.is_none_or(|g| r.gateway == Some(g))
                    && dev.is_none_or(|d| r.dev == d)
                    && metric.is_none_or(|m| r.metric == m)
            })
            .ok_or(FibError::NotFound)?;
        self.count(prefix, false);
        Ok(self.routes.remove(first + at))
    }

    /// Removes every route through `dev` (the device went down or away).
    pub fn flush_dev(&mut self, dev: u32) {
        self.retain(|r| r.dev != dev);
    }

    /// Removes routes matching `pred`.
    pub fn retain(&mut self, pred: impl FnMut(&Route) -> bool) {
        self.routes.retain(pred);
        self.lens = [0; 33];
        for r in &self.routes {
            self.lens[usize::from(r.prefix)] += 1;
        }
        self.present = (0..33).filter(|&l| self.lens[l] > 0).fold(0, |m, l| m | 1 << l);
    }

    /// Longest-prefix match for `dst`, optionally restricted to routes out of `oif`: the
    /// longest prefix, then the lowest metric. Allocation-free.
    pub fn lookup(&self, dst: Ipv4Addr, oif: Option<u32>) -> Option<&Route> {
        let allowed = |r: &&Route| oif.is_none_or(|o| o == r.dev);
        if self.routes.len() <= Self::SCAN {
            let mut best: Option<&Route> = None;
            for r in self.routes.iter().filter(allowed) {
                if r.matches(dst) && best.is_none_or(|b| (b.prefix, Reverse(b.metric)) < (r.prefix, Reverse(r.metric)))
                {
                    best = Some(r);
                }
            }
            return best;
        }
        let dst = u32::from(dst);
        let mut lens = self.present;
        while lens != 0 {
            let len = 63 - lens.leading_zeros() as u8;
            lens &= !(1 << len);
            if let Some(r) = self.to_net(dst & mask(len), len).iter().find(allowed) {
                return Some(r);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(dst: [u8; 4], prefix: u8, gw: Option<[u8; 4]>, dev: u32, metric: u32) -> Route {
        Route {
            dst: dst.into(),
            prefix,
            gateway: gw.map(Into::into),
            dev,
            proto: Proto::Boot,
            scope: if gw.is_some() { Scope::Global } else { Scope::Link },
            src: None,
            metric,
        }
    }

    #[test]
    fn dump_order_matches_the_kernel() {
        // The order `ip route` printed on the reference machine.
        let mut f = Fib::default();
        f.add(r([10, 0, 0, 0], 8, None, 1, 0)).unwrap();
        f.add(r([10, 0, 0, 0], 16, None, 1, 0)).unwrap();
        f.add(r([10, 0, 0, 0], 24, Some([10, 0, 0, 9]), 1, 0)).unwrap();
        f.add(r([10, 0, 0, 0], 12, None, 2, 0)).unwrap();
        f.add(r([0, 0, 0, 0], 1, None, 2, 0)).unwrap();
        f.add(r([0, 0, 0, 0], 0, None, 2, 0)).unwrap();
        f.add(r([0, 0, 0, 0], 0, Some([10, 0, 0, 3]), 1, 5)).unwrap();
        f.add(r([10, 0, 0, 0], 16, None, 1, 10)).unwrap();
        let order: Vec<_> = f.routes().iter().map(|x| (x.dst.to_string(), x.prefix, x.metric)).collect();
        let want = [
            ("0.0.0.0", 1, 0),
            ("0.0.0.0", 0, 0),
            ("0.0.0.0", 0, 5),
            ("10.0.0.0", 24, 0),
            ("10.0.0.0", 16, 0),
            ("10.0.0.0", 16, 10),
            ("10.0.0.0", 12, 0),
            ("10.0.0.0", 8, 0),
        ];
        assert_eq!(order, want.map(|(a, b, c)| (a.to_string(), b, c)));
        assert_eq!(f.add(r([10, 0, 0, 0], 16, None, 2, 0)), Err(FibError::Exists));
        assert_eq!(f.add(r([10, 0, 0, 1], 16, None, 2, 0)), Err(FibError::InvalidPrefix));
        // A prefix past 32 (only the engine's API can ask) is refused, not a panic.
        assert_eq!(f.add(r([10, 0, 0, 1], 33, None, 2, 0)), Err(FibError::InvalidPrefix));
        assert_eq!(f.del([10, 0, 0, 1].into(), 40, None, None, None), Err(FibError::NotFound));
    }

    #[test]
    fn longest_prefix_then_metric() {
        let mut f = Fib::default();
        f.add(r([0, 0, 0, 0], 0, Some([192, 0, 2, 254]), 1, 0)).unwrap();
        f.add(r([192, 0, 2, 0], 24, None, 1, 0)).unwrap();
        f.add(r([198, 51, 100, 0], 24, Some([192, 0, 2, 9]), 1, 10)).unwrap();
        f.add(r([198, 51, 100, 0], 24, Some([192, 0, 2, 8]), 1, 5)).unwrap();
        assert_eq!(f.lookup([192, 0, 2, 7].into(), None).unwrap().prefix, 24);
        assert_eq!(f.lookup([198, 51, 100, 1].into(), None).unwrap().metric, 5);
        assert_eq!(f.lookup([8, 8, 8, 8].into(), None).unwrap().prefix, 0);
        assert!(f.lookup([8, 8, 8, 8].into(), Some(2)).is_none());
        f.del([198, 51, 100, 0].into(), 24, None, None, Some(5)).unwrap();
        assert_eq!(f.lookup([198, 51, 100, 1].into(), None).unwrap().metric, 10);
        assert_eq!(f.del([1, 2, 3, 0].into(), 24, None, None, None), Err(FibError::NotFound));
    }

    /// The lookup before the index: every route scanned, the longest prefix then the
    /// lowest metric kept.
    fn scan(f: &Fib, dst: Ipv4Addr, oif: Option<u32>) -> Option<Route> {
        let mut best: Option<&Route> = None;
        for r in f.routes().iter() {
            if !r.matches(dst) || oif.is_some_and(|o| o != r.dev) {
                continue;
            }
            if best.is_none_or(|b| (b.prefix, Reverse(b.metric)) < (r.prefix, Reverse(r.metric))) {
                best = Some(r);
            }
        }
        best.cloned()
    }

    proptest::proptest! {
        /// The indexed lookup finds what a scan of every route finds, for tables with
        /// nested prefixes, equal prefixes at several metrics and several devices, and
        /// after deletions and a device's routes flushed.
        #[test]
        fn lookup_agrees_with_a_scan(
            routes in proptest::collection::vec((0u32..64, 0u8..=32, 0u32..4, 1u32..4), 0..80),
            dsts in proptest::collection::vec(0u32..64, 1..40),
            dels in proptest::collection::vec(0usize..80, 0..10),
            flush in proptest::option::of(1u32..4),
        ) {
            // Addresses drawn from a few bits spread over the word, so prefixes nest.
            let spread = |x: u32| Ipv4Addr::from((x & 7) << 29 | (x >> 3 & 7) << 5 | 0x0a00_0000 & !(7 << 29));
            let mut f = Fib::default();
            for &(d, p, m, dev) in &routes {
                let _ = f.add(r(network(spread(d), p).octets(), p, None, dev, m));
            }
            for &k in &dels {
                if let Some(x) = f.routes().get(k).cloned() {
                    f.del(x.dst, x.prefix, None, Some(x.dev), Some(x.metric)).unwrap();
                }
            }
            if let Some(dev) = flush {
                f.flush_dev(dev);
            }
            for &d in &dsts {
                for oif in [None, Some(1), Some(2), Some(3)] {
                    proptest::prop_assert_eq!(f.lookup(spread(d), oif).cloned(), scan(&f, spread(d), oif));
                }
            }
        }
    }
}
