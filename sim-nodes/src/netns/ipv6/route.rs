//! IPv6 routes (`ip6_fib.c`, `route.c`): `ip -6 route add|del` with iproute2's and the
//! kernel's refusals, and the lookup a packet takes. The table itself, its order and its
//! longest-prefix search are [`super::Fib6`]'s.

use super::Route6;
use crate::netns::{Errno, Netns};
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

impl Netns {
    /// `ip -6 route add`.
    pub fn route6_add_user(&mut self, spec: &Route6Spec) -> Result<(), Route6Error> {
        let dev = match (spec.gateway, spec.dev) {
            (Some(g), None) if g.is_unicast_link_local() => return Err(Route6Error::NoDevice),
            (Some(g), dev) => {
                // The first in dump order covering it: the longest prefix, lowest metric.
                let on_link = self.fib6.lookup(g, |r| r.gateway.is_none() && dev.is_none_or(|d| d == r.dev));
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
        if self.fib6.position_to(dst, spec.prefix, |r| r.metric == metric).is_some() {
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
        self.fib6.insert(r);
        Ok(())
    }

    /// `ip -6 route del`: the first route that matches what was given.
    pub fn route6_del_user(&mut self, spec: &Route6Spec) -> Result<(), Route6Error> {
        let dst = super::network(spec.dst, spec.prefix);
        let at = self
            .fib6
            .position_to(dst, spec.prefix, |r| {
                spec.gateway.is_none_or(|g| r.gateway == Some(g))
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
        self.fib6.lookup(dst, |r| oif.is_none_or(|o| o == r.dev) && !r.expired)
    }

    /// A device's routes go with it (`rt6_sync_down_dev` on unregister or down).
    pub(crate) fn routes6_forget(&mut self, ifindex: u32) {
        self.fib6.retain(|r| r.dev != ifindex);
    }
}
