//! IPv6 routes (`ip6_fib.c`, `route.c`): the table in the order `ip -6 route` dumps it
//! (the FIB trie walked children first: disjoint prefixes by address, a prefix after the
//! longer ones it covers, routes of one prefix by metric then as added), `ip -6 route
//! add|del` with iproute2's and the kernel's refusals, and the lookup: longest prefix,
//! then lowest metric.

use super::Route6;
use crate::netns::{Errno, Netns};
use std::cmp::Ordering;
use std::net::Ipv6Addr;

/// A route as `ip -6 route add|del` asks for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route6Spec {
    /// Destination.
    pub dst: Ipv6Addr,
    /// Prefix length.
    pub prefix: u8,
    /// `via`.
    pub gateway: Option<Ipv6Addr>,
    /// `dev` (resolved).
    pub dev: Option<u32>,
    /// `metric` (1024 when absent).
    pub metric: Option<u32>,
}

/// Why a route could not be added or removed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Route6Error {
    /// A link-local gateway without a device.
    #[error("Error: Egress device not specified.")]
    NoDevice,
    /// The gateway is on no connected network.
    #[error("RTNETLINK answers: No route to host")]
    Unreachable,
    /// Already there.
    #[error("RTNETLINK answers: File exists")]
    Exists,
    /// Not there.
    #[error("RTNETLINK answers: No such process")]
    NotFound,
    /// `disable_ipv6` is set on the route's device.
    #[error("Error: IPv6 is disabled on nexthop device.")]
    Disabled,
}

/// True when `p/len` covers `a`.
fn covers(p: Ipv6Addr, len: u8, a: Ipv6Addr) -> bool {
    super::network(a, len) == p
}

/// The dump order of two routes.
fn order(a: &Route6, b: &Route6) -> Ordering {
    if a.prefix != b.prefix {
        if a.prefix < b.prefix && covers(a.dst, a.prefix, b.dst) {
            return Ordering::Greater;
        }
        if b.prefix < a.prefix && covers(b.dst, b.prefix, a.dst) {
            return Ordering::Less;
        }
    }
    (u128::from(a.dst), a.prefix, a.metric).cmp(&(u128::from(b.dst), b.prefix, b.metric))
}

/// Adds `r` where the dump lists it (after the routes it ties with: as added).
pub(super) fn insert(fib: &mut Vec<Route6>, r: Route6) {
    let at = fib.iter().position(|x| order(x, &r) == Ordering::Greater).unwrap_or(fib.len());
    fib.insert(at, r);
}

impl Netns {
    /// `ip -6 route add`.
    pub fn route6_add_user(&mut self, spec: &Route6Spec) -> Result<(), Route6Error> {
        let dev = match (spec.gateway, spec.dev) {
            (Some(g), None) if g.is_unicast_link_local() => return Err(Route6Error::NoDevice),
            (Some(g), dev) => {
                let on_link = self
                    .fib6
                    .iter()
                    .filter(|r| r.gateway.is_none() && dev.is_none_or(|d| d == r.dev))
                    .find(|r| covers(r.dst, r.prefix, g));
                match on_link {
                    Some(r) => r.dev,
                    None => return Err(Route6Error::Unreachable),
                }
            }
            (None, Some(d)) => d,
            (None, None) => return Err(Route6Error::NoDevice),
        };
        if self.ifaces.get(&dev).is_some_and(|i| i.disable_ipv6 != 0) {
            return Err(Route6Error::Disabled);
        }
        let metric = spec.metric.unwrap_or(1024);
        let dst = super::network(spec.dst, spec.prefix);
        if self.fib6.iter().any(|r| r.dst == dst && r.prefix == spec.prefix && r.metric == metric) {
            return Err(Route6Error::Exists);
        }
        let r = Route6 {
            dst,
            prefix: spec.prefix,
            gateway: spec.gateway,
            dev,
            metric,
            kernel: false,
            ra: false,
            expires: None,
            hoplimit: None,
            expired: false,
        };
        insert(&mut self.fib6, r);
        Ok(())
    }

    /// `ip -6 route del`: the first route that matches what was given.
    pub fn route6_del_user(&mut self, spec: &Route6Spec) -> Result<(), Route6Error> {
        let dst = super::network(spec.dst, spec.prefix);
        let at = self
            .fib6
            .iter()
            .position(|r| {
                r.dst == dst
                    && r.prefix == spec.prefix
                    && spec.gateway.is_none_or(|g| r.gateway == Some(g))
                    && spec.dev.is_none_or(|d| d == r.dev)
                    && spec.metric.is_none_or(|m| m == r.metric)
            })
            .ok_or(Route6Error::NotFound)?;
        self.fib6.remove(at);
        Ok(())
    }

    /// The route for `dst` (longest prefix, then lowest metric): its device and next hop.
    pub(crate) fn route6_lookup(&self, dst: Ipv6Addr, oif: Option<u32>) -> Result<(u32, Ipv6Addr), Errno> {
        self.route6_for(dst, oif).map(|r| (r.dev, r.gateway.unwrap_or(dst))).ok_or(Errno::NetUnreach)
    }

    /// The route `route6_lookup` takes for `dst`: of equals (`fe80::/64` on two
    /// devices), the first in the table's order, as the kernel's lookup finds it.
    pub fn route6_for(&self, dst: Ipv6Addr, oif: Option<u32>) -> Option<&Route6> {
        self.fib6
            .iter()
            .rev()
            .filter(|r| oif.is_none_or(|o| o == r.dev) && !r.expired)
            .filter(|r| covers(r.dst, r.prefix, dst))
            .max_by(|a, b| (a.prefix, std::cmp::Reverse(a.metric)).cmp(&(b.prefix, std::cmp::Reverse(b.metric))))
    }

    /// A device's routes go with it (`rt6_sync_down_dev` on unregister or down).
    pub(crate) fn routes6_forget(&mut self, ifindex: u32) {
        self.fib6.retain(|r| r.dev != ifindex);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(dst: &str, prefix: u8, metric: u32) -> Route6 {
        let kernel = metric == 256;
        Route6 {
            dst: dst.parse().unwrap(),
            prefix,
            gateway: None,
            dev: 2,
            metric,
            kernel,
            ra: false,
            expires: None,
            hoplimit: None,
            expired: false,
        }
    }

    #[test]
    fn dumped_as_the_trie_is_walked() {
        let mut fib = Vec::new();
        for x in [r("::", 0, 1024), r("fe80::", 64, 256), r("2001:db8:1::", 64, 256), r("2001:db8::", 32, 1024)] {
            insert(&mut fib, x);
        }
        let order: Vec<String> = fib.iter().map(|x| format!("{}/{}", x.dst, x.prefix)).collect();
        assert_eq!(order, ["2001:db8:1::/64", "2001:db8::/32", "fe80::/64", "::/0"]);
    }
}
