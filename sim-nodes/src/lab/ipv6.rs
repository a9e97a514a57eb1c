//! The `Lab`'s IPv6 vocabulary so far: turning IPv6 off or on, `ip -6 addr add|del` and
//! `ip -6 route show` (the addresses' own lines are `ip addr show`'s, in `ip_show.rs`).

use super::{Lab, LabError};
use crate::netns::Netns;
use crate::netns::ipv6::{Addr6Error, Route6Error, Route6Spec};
use crate::show;
use sim_core::NodeId;
use std::net::Ipv6Addr;

impl From<Addr6Error> for LabError {
    fn from(e: Addr6Error) -> Self {
        LabError::new(e.to_string())
    }
}

impl From<Route6Error> for LabError {
    fn from(e: Route6Error) -> Self {
        LabError::new(e.to_string())
    }
}

impl Lab {
    /// `ip -6 route add|del DST/P [via GW] [dev DEV] [metric N]`.
    pub fn route6_change(
        &mut self,
        node: NodeId,
        add: bool,
        (dst, prefix): (Ipv6Addr, u8),
        gateway: Option<Ipv6Addr>,
        dev: Option<&str>,
        metric: Option<u32>,
    ) -> Result<(), LabError> {
        let dev = dev.map(|d| self.ifindex(node, d)).transpose()?;
        let spec = Route6Spec { dst, prefix, gateway, dev, metric };
        self.world.with_node::<Netns, _>(node, |n, _| {
            if add { n.route6_add_user(&spec) } else { n.route6_del_user(&spec) }
        })?;
        Ok(())
    }

    /// Turns IPv6 off (or back on) in every namespace, those made later too, as `sysctl -w
    /// net.ipv6.conf.all.disable_ipv6=1` in each would. It is on in a new lab, as in a new
    /// Linux namespace: interfaces coming up get link-local addresses, run DAD, report
    /// their groups and solicit routers. Call it before the lab's links come up.
    pub fn set_ipv6(&mut self, on: bool) {
        self.ipv6 = on;
        let mut nodes = vec![self.root];
        nodes.extend(self.order.iter().copied());
        for n in nodes {
            self.world.with_node::<Netns, _>(n, |ns, _| ns.set_ipv6(on));
        }
    }

    /// `ip -6 route get ADDR [from ADDR]`: the route a packet from this host would take, as
    /// iproute2 prints the kernel's answer (one line; `from ::` when not given, which the
    /// kernel takes without checking it is ours).
    pub fn route6_get(&self, node: NodeId, dst: Ipv6Addr, from: Option<Ipv6Addr>) -> Result<Vec<String>, LabError> {
        let n = self.netns(node);
        if dst.is_multicast() {
            return Err(LabError::unsupported(format!("ip -6 route get {dst} (a multicast destination)")));
        }
        let from = from.unwrap_or(Ipv6Addr::UNSPECIFIED);
        let lo_v6 = n.iface(crate::netns::LO).is_some_and(|i| i.v6.addrs.iter().any(|a| a.addr == Ipv6Addr::LOCALHOST));
        if n.is_local6(dst) || (dst == Ipv6Addr::LOCALHOST && lo_v6) {
            return Ok(vec![format!(
                "local {dst} from {from} dev lo table local proto kernel src {dst} metric 0 pref medium"
            )]);
        }
        let unreachable = || LabError::new("RTNETLINK answers: Network is unreachable").status(2);
        let r = n.route6_for(dst, None).filter(|_| !dst.is_unspecified()).ok_or_else(unreachable)?;
        let dev = n.iface(r.dev).map(|i| i.name.as_str()).unwrap_or_default();
        let via = r.gateway.map(|g| format!(" via {g}")).unwrap_or_default();
        let proto = if r.kernel {
            " proto kernel"
        } else if r.ra {
            " proto ra"
        } else {
            ""
        };
        // A router advertisement's hop limit shows; its time left does not (seen on Linux).
        let hoplimit = r.hoplimit.map(|h| format!(" hoplimit {h}")).unwrap_or_default();
        let src = n.select_src6(r.dev, dst).map(|s| format!(" src {s}")).unwrap_or_default();
        // A path MTU learnt from "packet too big" shows on the route, with its time left.
        let now = self.world.now();
        let cache = n
            .pmtu6_exception(dst, now)
            .map(|(mtu, left)| format!(" expires {}sec mtu {mtu}", left.as_secs()))
            .unwrap_or_default();
        Ok(vec![format!(
            "{dst} from {from}{via} dev {dev}{proto}{src} metric {}{cache}{hoplimit} pref medium",
            r.metric
        )])
    }

    /// `ip -6 addr add A/P dev DEV [nodad]`.
    pub fn addr6_add(
        &mut self,
        node: NodeId,
        dev: &str,
        addr: Ipv6Addr,
        prefix: u8,
        nodad: bool,
    ) -> Result<(), LabError> {
        let ix = self.ifindex(node, dev)?;
        self.world.with_node::<Netns, _>(node, |n, cx| n.addr6_add(cx, ix, addr, prefix, nodad))?;
        Ok(())
    }

    /// `ip -6 addr del A/P dev DEV`.
    pub fn addr6_del(&mut self, node: NodeId, dev: &str, addr: Ipv6Addr) -> Result<(), LabError> {
        let ix = self.ifindex(node, dev)?;
        self.world.with_node::<Netns, _>(node, |n, cx| n.addr6_del(cx, ix, addr))?;
        Ok(())
    }

    /// `ip -6 neigh show [dev DEV]`, ordered by address (the kernel dumps in hash order).
    pub fn neigh6_show(&self, node: NodeId, dev: Option<&str>, color: bool) -> Result<Vec<String>, LabError> {
        let (ns, only) = self.show_scope(node, dev)?;
        let mut out = Vec::new();
        for (&(ix, ip), n) in ns.nd().iter().filter(|((ix, _), _)| only.is_none_or(|o| o == *ix)) {
            let Some(i) = ns.iface(ix) else { continue };
            out.push(show::neigh(ip.into(), only.is_none().then_some(i.name.as_str()), n, color));
        }
        Ok(out)
    }

    /// `ip -6 route show [dev DEV]` (text only: the front end refuses `-j` and `-o`).
    pub fn route6_show(&self, node: NodeId, dev: Option<&str>, color: bool) -> Result<Vec<String>, LabError> {
        let (ns, only) = self.show_scope(node, dev)?;
        let mut out = Vec::new();
        for r in ns.routes6().filter(|r| only.is_none_or(|o| o == r.dev)) {
            let Some(i) = ns.iface(r.dev) else { continue };
            let dev = only.is_none().then_some(i.name.as_str());
            out.push(show::route6(r, dev, !i.carrier && !i.is_loopback(), color, self.world.now()));
        }
        Ok(out)
    }
}
