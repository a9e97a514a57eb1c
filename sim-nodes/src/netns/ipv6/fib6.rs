//! The IPv6 routing table: routes in the order `ip -6 route` dumps them, and the lookup
//! by longest prefix, then lowest metric.
//!
//! A plain data structure (no clock, no devices). The dump order is the kernel's FIB trie
//! walked children first: disjoint prefixes by address, a prefix after the longer ones it
//! covers, routes of one prefix by metric, then as added. Prefixes are nested or disjoint,
//! so that order is a sort by the prefix's last address, then the longer prefix first,
//! then the metric; the routes are kept sorted by it, and every route to one prefix sits
//! in one run.
//!
//! Owns the routes' order and the count of prefix lengths in use; what a route means
//! (gateways on link, expiry, devices) is the namespace's (`route.rs`, `ra.rs`).

use super::Route6;
use std::cmp::Reverse;
use std::net::Ipv6Addr;

/// The IPv6 routes.
///
/// A small table is scanned; a larger one is searched from the longest prefix length any
/// route has down to the shortest, by a binary search for the run of routes to the
/// address's network of that length — a few searches, however many routes it holds.
#[derive(Clone, Debug)]
pub(crate) struct Fib6 {
    routes: Vec<Route6>,
    /// How many routes have each prefix length (0..=128).
    lens: [u32; 129],
}

type Key = (u128, Reverse<u8>, u32);

/// The last address of `dst/prefix`.
fn last(dst: Ipv6Addr, prefix: u8) -> u128 {
    let host = if prefix >= 128 { 0 } else { u128::MAX >> prefix };
    u128::from(dst) | host
}

fn key(r: &Route6) -> Key {
    (last(r.dst, r.prefix), Reverse(r.prefix), r.metric)
}

impl Default for Fib6 {
    fn default() -> Self {
        Fib6 { routes: Vec::new(), lens: [0; 129] }
    }
}

impl std::ops::Deref for Fib6 {
    type Target = [Route6];
    /// The routes in dump order.
    fn deref(&self) -> &[Route6] {
        &self.routes
    }
}

impl Fib6 {
    /// Up to this many routes, a lookup scans them all.
    const SCAN: usize = 16;

    /// Adds `r` where the dump lists it (after the routes it ties with: as added).
    pub(crate) fn insert(&mut self, r: Route6) {
        let k = key(&r);
        let at = self.routes.partition_point(|x| key(x) <= k);
        self.lens[usize::from(r.prefix.min(128))] += 1;
        self.routes.insert(at, r);
    }

    /// Removes the route at `k` (an index into the dump order).
    pub(crate) fn remove(&mut self, k: usize) -> Route6 {
        let r = self.routes.remove(k);
        self.lens[usize::from(r.prefix.min(128))] -= 1;
        r
    }

    /// Keeps the routes `keep` says to keep.
    pub(crate) fn retain(&mut self, mut keep: impl FnMut(&Route6) -> bool) {
        let lens = &mut self.lens;
        self.routes.retain(|r| {
            let k = keep(r);
            if !k {
                lens[usize::from(r.prefix.min(128))] -= 1;
            }
            k
        });
    }

    /// Changes the route at `k` with `f`: its lifetime, its hop limit. Should `f` move it
    /// (change its destination, prefix or metric), it moves to its new place.
    pub(crate) fn modify(&mut self, k: usize, f: impl FnOnce(&mut Route6)) {
        let before = key(&self.routes[k]);
        f(&mut self.routes[k]);
        if key(&self.routes[k]) != before {
            let r = self.remove(k);
            self.insert(r);
        }
    }

    /// Changes every route with `f` (as [`Fib6::modify`], for all).
    pub(crate) fn modify_all(&mut self, mut f: impl FnMut(&mut Route6)) {
        let mut moved = false;
        for r in &mut self.routes {
            let before = key(r);
            f(r);
            moved |= key(r) != before;
        }
        if moved {
            // A stable sort: ties stay in the order they were added. A prefix may have
            // changed too: the lengths in use are counted again.
            self.routes.sort_by_key(key);
            self.lens = [0; 129];
            for r in &self.routes {
                self.lens[usize::from(r.prefix.min(128))] += 1;
            }
        }
    }

    /// The index of the first route to `dst/prefix` (host bits clear) for which `pred`
    /// holds.
    pub(crate) fn position_to(
        &self,
        dst: Ipv6Addr,
        prefix: u8,
        mut pred: impl FnMut(&Route6) -> bool,
    ) -> Option<usize> {
        let from = self.routes.partition_point(|r| key(r) < (last(dst, prefix), Reverse(prefix), 0));
        self.routes[from..]
            .iter()
            .take_while(|r| r.dst == dst && r.prefix == prefix)
            .position(&mut pred)
            .map(|k| from + k)
    }

    /// The route for `a` among those `usable` allows: the longest prefix, then the lowest
    /// metric; of equals (`fe80::/64` on two devices), the first in dump order, as the
    /// kernel's lookup finds it.
    pub(crate) fn lookup(&self, a: Ipv6Addr, mut usable: impl FnMut(&Route6) -> bool) -> Option<&Route6> {
        if self.routes.len() <= Self::SCAN {
            return self
                .routes
                .iter()
                .rev()
                .filter(|r| usable(r) && super::network(a, r.prefix) == r.dst)
                .max_by_key(|r| (r.prefix, Reverse(r.metric)));
        }
        (0..=128u8)
            .rev()
            .filter(|&len| self.lens[usize::from(len)] > 0)
            .find_map(|len| self.position_to(super::network(a, len), len, &mut usable).map(|k| &self.routes[k]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(dst: &str, prefix: u8, metric: u32, dev: u32) -> Route6 {
        Route6 {
            dst: dst.parse().unwrap(),
            prefix,
            gateway: None,
            dev,
            metric,
            kernel: metric == 256,
            ra: false,
            expires: None,
            hoplimit: None,
            expired: false,
        }
    }

    fn names(fib: &Fib6) -> Vec<String> {
        fib.iter().map(|x| format!("{}/{} {} {}", x.dst, x.prefix, x.metric, x.dev)).collect()
    }

    #[test]
    fn dumped_as_the_trie_is_walked() {
        let mut fib = Fib6::default();
        for x in [
            r("::", 0, 1024, 2),
            r("fe80::", 64, 256, 2),
            r("2001:db8:1::", 64, 256, 2),
            r("2001:db8::", 32, 1024, 2),
            r("fe80::", 64, 256, 3),
            r("ff00::", 8, 256, 2),
            r("2001:db8:1::", 64, 100, 2),
        ] {
            fib.insert(x);
        }
        assert_eq!(
            names(&fib),
            [
                "2001:db8:1::/64 100 2",
                "2001:db8:1::/64 256 2",
                "2001:db8::/32 1024 2",
                "fe80::/64 256 2",
                "fe80::/64 256 3",
                "ff00::/8 256 2",
                "::/0 1024 2"
            ]
        );
    }

    /// The search (more than `SCAN` routes) and the scan agree, route for route, with
    /// the definition: every usable route covering the address, longest prefix, lowest
    /// metric, first in dump order.
    #[test]
    fn the_search_finds_what_the_definition_says() {
        let mut fib = Fib6::default();
        let mut all = Vec::new();
        for k in 0..400u32 {
            let (dst, prefix) = match k % 4 {
                0 => (format!("2001:db8:{:x}::", k % 37), 48),
                1 => (format!("2001:db8:{:x}:{:x}::", k % 37, k % 5), 64),
                2 => (format!("2001:db8:{:x}:{:x}::{:x}", k % 37, k % 5, k % 11), 128),
                _ => ("2001:db8::".to_string(), 32),
            };
            let x = r(&dst, prefix, 100 + (k * 7) % 3, 2 + k % 3);
            if !all.contains(&x) {
                all.push(x.clone());
                fib.insert(x);
            }
        }
        fib.insert(r("::", 0, 1024, 9));
        all.push(r("::", 0, 1024, 9));
        assert!(fib.len() > Fib6::SCAN);
        for k in 0..600u32 {
            let a: Ipv6Addr = format!("2001:db8:{:x}:{:x}::{:x}", k % 41, k % 6, k % 13).parse().unwrap();
            for dev in [None, Some(3)] {
                let usable = |x: &Route6| dev.is_none_or(|d| d == x.dev);
                let want = fib
                    .iter()
                    .filter(|x| usable(x) && super::super::network(a, x.prefix) == x.dst)
                    .min_by_key(|x| (Reverse(x.prefix), x.metric));
                assert_eq!(fib.lookup(a, usable), want, "{a} {dev:?}");
            }
        }
    }

    #[test]
    fn a_route_whose_key_changes_moves() {
        let mut fib = Fib6::default();
        fib.insert(r("2001:db8:1::", 64, 256, 2));
        fib.insert(r("2001:db8:2::", 64, 256, 2));
        fib.modify(0, |x| x.dst = "2001:db8:3::".parse().unwrap());
        assert_eq!(names(&fib), ["2001:db8:2::/64 256 2", "2001:db8:3::/64 256 2"]);
        fib.retain(|x| x.dst != "2001:db8:2::".parse::<Ipv6Addr>().unwrap());
        assert_eq!(fib.lens[64], 1);
        assert_eq!(fib.remove(0).prefix, 64);
        assert_eq!(fib.lens[64], 0);
    }

    /// A prefix changed by `modify_all` is found by the search at its new length (more
    /// than `SCAN` routes, so the lookup goes by the lengths in use).
    #[test]
    fn a_prefix_changed_for_all_is_searched_at_its_new_length() {
        let mut fib = Fib6::default();
        for k in 0..20u16 {
            fib.insert(r(&format!("2001:db8:{k:x}::"), 64, 256, 2));
        }
        fib.modify_all(|x| {
            if x.dst == "2001:db8:7::".parse::<Ipv6Addr>().unwrap() {
                x.prefix = 48;
            }
        });
        assert_eq!((fib.lens[48], fib.lens[64]), (1, 19));
        let a: Ipv6Addr = "2001:db8:7:1::1".parse().unwrap();
        assert_eq!(fib.lookup(a, |_| true).map(|x| x.prefix), Some(48));
    }
}
