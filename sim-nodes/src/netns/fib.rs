//! The FIB: IPv4 routes of the main table, longest-prefix match, `ip route` semantics.
//!
//! A plain data structure with pure lookups (no clock). Routes are kept in iproute2's dump
//! order — by destination, longer prefixes first, then by metric — and looked up by longest
//! prefix, then lowest metric, then insertion order.

use super::iface::{Scope, mask, network};
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
    fn sort_key(&self) -> (u32, std::cmp::Reverse<u8>, u32) {
        (u32::from(self.dst), std::cmp::Reverse(self.prefix), self.metric)
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
#[derive(Clone, Debug, Default)]
pub struct Fib {
    routes: Vec<Route>,
}

impl Fib {
    /// Routes in dump order.
    pub fn routes(&self) -> &[Route] {
        &self.routes
    }

    /// Adds a route (`ip route add`).
    pub fn add(&mut self, r: Route) -> Result<(), FibError> {
        if network(r.dst, r.prefix) != r.dst {
            return Err(FibError::InvalidPrefix);
        }
        if self.routes.iter().any(|x| x.dst == r.dst && x.prefix == r.prefix && x.metric == r.metric) {
            return Err(FibError::Exists);
        }
        let key = r.sort_key();
        let at = self.routes.iter().position(|x| x.sort_key() > key).unwrap_or(self.routes.len());
        self.routes.insert(at, r);
        Ok(())
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
        let at = self
            .routes
            .iter()
            .position(|r| {
                r.dst == network(dst, prefix)
                    && r.prefix == prefix
                    && gateway.is_none_or(|g| r.gateway == Some(g))
                    && dev.is_none_or(|d| r.dev == d)
                    && metric.is_none_or(|m| r.metric == m)
            })
            .ok_or(FibError::NotFound)?;
        Ok(self.routes.remove(at))
    }

    /// Removes every route through `dev` (the device went down or away).
    pub fn flush_dev(&mut self, dev: u32) {
        self.routes.retain(|r| r.dev != dev);
    }

    /// Removes routes matching `pred`.
    pub fn retain(&mut self, pred: impl FnMut(&Route) -> bool) {
        self.routes.retain(pred);
    }

    /// Longest-prefix match for `dst`, optionally restricted to routes out of `oif`.
    /// Allocation-free: a scan of the table.
    pub fn lookup(&self, dst: Ipv4Addr, oif: Option<u32>) -> Option<&Route> {
        let mut best: Option<&Route> = None;
        for r in &self.routes {
            if !r.matches(dst) || oif.is_some_and(|o| o != r.dev) {
                continue;
            }
            best = match best {
                Some(b) if (b.prefix, std::cmp::Reverse(b.metric)) >= (r.prefix, std::cmp::Reverse(r.metric)) => {
                    Some(b)
                }
                _ => Some(r),
            };
        }
        best
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
}
