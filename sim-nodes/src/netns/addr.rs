//! IPv4 addresses and routes as `ip addr add|del|flush` and `ip route add|del` change
//! them: the kernel's prefix routes, primaries and secondaries, and iproute2's refusals.
//! Must not touch IPv6 (`ipv6/`).

use super::fib::{Proto, Route};
use super::iface::{IfAddr, Scope, network};
use super::{AddrError, Netns, RouteError, RouteSpec};
use sim_core::Instant;
use std::net::Ipv4Addr;

impl Netns {
    pub(super) fn add_prefix_route(&mut self, ifindex: u32, a: &IfAddr) {
        if a.prefix >= 32 || a.scope == Scope::Host {
            return;
        }
        let _ = self.fib.add(Route {
            dst: network(a.addr, a.prefix),
            prefix: a.prefix,
            gateway: None,
            dev: ifindex,
            proto: Proto::Kernel,
            scope: Scope::Link,
            src: Some(a.addr),
            metric: 0,
        });
    }

    pub(super) fn addr_add_inner(
        &mut self,
        ifindex: u32,
        addr: Ipv4Addr,
        prefix: u8,
        broadcast: Option<Ipv4Addr>,
        valid_until: Option<Instant>,
    ) -> Result<(), AddrError> {
        let Some(i) = self.ifaces.get_mut(&ifindex) else { return Err(AddrError::NotFound) };
        if i.addrs.iter().any(|a| a.addr == addr && a.prefix == prefix) {
            return Err(AddrError::Exists);
        }
        let net = network(addr, prefix);
        let secondary = i.addrs.iter().any(|a| !a.secondary && a.prefix == prefix && a.network() == net);
        let scope = if addr.is_loopback() { Scope::Host } else { Scope::Global };
        let a = IfAddr { addr, prefix, broadcast, scope, secondary, valid_until };
        if secondary {
            i.addrs.push(a.clone());
        } else {
            let at = i.addrs.iter().position(|x| x.secondary).unwrap_or(i.addrs.len());
            i.addrs.insert(at, a.clone());
        }
        if i.admin_up && !secondary {
            self.add_prefix_route(ifindex, &a);
        }
        Ok(())
    }

    /// `ip addr add A/P [brd B] dev IF` (with a lifetime for DHCP leases).
    pub fn addr_add(
        &mut self,
        ifindex: u32,
        addr: Ipv4Addr,
        prefix: u8,
        broadcast: Option<Ipv4Addr>,
        valid_until: Option<Instant>,
    ) -> Result<(), AddrError> {
        let r = self.addr_add_inner(ifindex, addr, prefix, broadcast, valid_until);
        self.refresh_addrs();
        if valid_until.is_some() {
            self.arm_lifetimes();
        }
        r
    }

    /// `ip addr del A/P dev IF`. Removing a primary removes its secondaries (the kernel's
    /// default without `promote_secondaries`), its subnet route and routes using it as
    /// source; removing the last address removes every route through the interface.
    pub fn addr_del(&mut self, ifindex: u32, addr: Ipv4Addr, prefix: Option<u8>) -> Result<(), AddrError> {
        let r = self.addr_del_inner(ifindex, addr, prefix);
        self.refresh_addrs();
        r
    }

    fn addr_del_inner(&mut self, ifindex: u32, addr: Ipv4Addr, prefix: Option<u8>) -> Result<(), AddrError> {
        let Some(i) = self.ifaces.get_mut(&ifindex) else { return Err(AddrError::NotFound) };
        let at = i
            .addrs
            .iter()
            .position(|a| a.addr == addr && prefix.is_none_or(|p| p == a.prefix))
            .ok_or(AddrError::NotFound)?;
        let gone = i.addrs.remove(at);
        let mut removed = vec![gone.addr];
        if !gone.secondary {
            let net = gone.network();
            i.addrs.retain(|a| {
                let drop = a.secondary && a.prefix == gone.prefix && a.network() == net;
                if drop {
                    removed.push(a.addr);
                }
                !drop
            });
            self.fib
                .retain(|r| !(r.dev == ifindex && r.proto == Proto::Kernel && r.dst == net && r.prefix == gone.prefix));
        }
        self.fib.retain(|r| !r.src.is_some_and(|s| removed.contains(&s)));
        if self.ifaces.get(&ifindex).is_some_and(|i| i.addrs.is_empty()) {
            self.fib.flush_dev(ifindex);
        }
        Ok(())
    }

    /// Removes every address of an interface (`ip addr flush dev IF`).
    pub fn addr_flush(&mut self, ifindex: u32) {
        if let Some(i) = self.ifaces.get_mut(&ifindex) {
            i.addrs.clear();
        }
        self.fib.flush_dev(ifindex);
        self.refresh_addrs();
    }

    /// `ip route add`. The gateway must be on a connected network of the device (or of any
    /// device when none is given) unless `onlink`.
    pub fn route_add(&mut self, spec: &RouteSpec) -> Result<(), RouteError> {
        self.route_insert(spec, false)
    }

    /// `ip route add`, or with `replace` `ip route replace` (NLM_F_REPLACE): the route with
    /// the same destination, prefix and metric takes the new one's place.
    pub fn route_insert(&mut self, spec: &RouteSpec, replace: bool) -> Result<(), RouteError> {
        let (dev, scope) = match spec.gateway {
            Some(gw) => {
                let on_link = |r: &&Route| r.gateway.is_none() && r.matches(gw) && spec.dev.is_none_or(|d| d == r.dev);
                let dev = match (spec.dev, self.fib.routes().iter().find(on_link)) {
                    (_, Some(r)) => r.dev,
                    (Some(d), None) if spec.onlink => d,
                    _ => return Err(RouteError::InvalidGateway),
                };
                (dev, Scope::Global)
            }
            None => (spec.dev.ok_or(RouteError::InvalidGateway)?, Scope::Link),
        };
        if !self.ifaces.get(&dev).is_some_and(|i| i.admin_up) {
            return Err(RouteError::DeviceDown);
        }
        let route = Route {
            dst: spec.dst,
            prefix: spec.prefix,
            gateway: spec.gateway,
            dev,
            proto: spec.proto,
            scope,
            src: spec.src,
            metric: spec.metric,
        };
        if replace { self.fib.replace(route) } else { self.fib.add(route) }?;
        Ok(())
    }

    /// `ip route del`.
    pub fn route_del(&mut self, spec: &RouteSpec) -> Result<(), RouteError> {
        self.fib.del(spec.dst, spec.prefix, spec.gateway, spec.dev, Some(spec.metric).filter(|m| *m != 0))?;
        Ok(())
    }
}
