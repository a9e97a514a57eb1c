//! IPv6 forwarding (`ip6_forward`: no route, hop limit, packet too big, in that order) and
//! the errors a router or a host sends (`icmp6_send`):
//! with `net.ipv6.conf.all.forwarding` on, a packet for another host leaves with its hop
//! limit one less, through the route to it and the neighbour it names; a hop limit used up
//! gets `Time exceeded`, no route `Destination unreachable: No route`, a neighbour that
//! never answers `Address unreachable`. Link-local and multicast packets stay on their
//! link. Also what turning forwarding on does (`dev_forward_change`): the router groups
//! and the subnet-router anycast addresses' solicited-node group are joined (and
//! reported), router solicitations stop, advertisements carry the router flag. A packet
//! too big for the next link gets `Packet too big` (a router never fragments); every error
//! goes within ICMPv6's rate limits. With ip6tables, FORWARD and POSTROUTING come after
//! those checks, before the neighbour.

use super::nd::{HOP_LIMIT, Out6};
use super::packet::{self, addr};
use crate::netns::hooks::Tracked;
use crate::netns::{Netns, TimerKey};
use sim_core::Context;
use std::net::Ipv6Addr;

/// The groups a router joins: all routers on the link and in the site (ff01::2 too, which
/// MLD never reports).
pub(super) const ROUTER_GROUPS: [Ipv6Addr; 2] =
    [Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 2), Ipv6Addr::new(0xff05, 0, 0, 0, 0, 0, 0, 2)];

impl Netns {
    /// `net.ipv6.conf.all.forwarding`.
    pub fn forwarding6(&self) -> bool {
        self.sysctl.hot().ipv6_forwarding
    }

    /// Forwarding was turned on or off: every ready interface joins (or leaves, in its
    /// list) the router groups and its prefixes' anycast group; a report follows at once.
    pub(crate) fn forwarding6_changed(&mut self, now: sim_core::Instant) {
        let on = self.forwarding6();
        let ready: Vec<u32> =
            self.ifaces.values().filter(|i| i.v6.ready && !i.is_loopback()).map(|i| i.ifindex).collect();
        for ix in ready {
            let Some(i) = self.ifaces.get_mut(&ix) else { continue };
            let mut joins: Vec<Ipv6Addr> = ROUTER_GROUPS.to_vec();
            for a in i.v6.addrs.iter().filter(|a| !a.tentative && a.prefix < 127) {
                joins.push(packet::solicited_node(a.network()));
            }
            if on {
                for g in joins {
                    if !i.v6.joined(g) {
                        i.v6.join(g);
                    }
                }
                i.v6.start_reports();
                self.timers.set(TimerKey::Mld(ix), Some(now + super::MLD_TICKS));
            } else {
                i.v6.leave(&ROUTER_GROUPS);
            }
        }
    }

    /// `ip6_forward`: a packet for another host, from `in_if` (`t`: what ip6tables'
    /// PREROUTING made of it, when it runs; FORWARD and POSTROUTING follow here).
    /// `frag_max`: conntrack put it together from fragments, the largest this long — it
    /// is too big only if they were, and leaves in fragments no bigger (`ip6_fragment`
    /// with `frag_max_size`).
    pub(super) fn forward6(
        &mut self,
        cx: &mut Context<'_>,
        in_if: u32,
        p: &[u8],
        t: Option<Tracked>,
        frag_max: Option<usize>,
    ) {
        let forget = |ns: &mut Netns| {
            if let Some(t) = &t {
                ns.nf_forget(t);
            }
        };
        let (src, dst) = (addr(p, 8), addr(p, 24));
        if dst.is_multicast() || dst.is_unicast_link_local() || src.is_unicast_link_local() || src.is_unspecified() {
            forget(self);
            return self.drop_l2(cx, in_if, "ipv6: not forwarded off its link");
        }
        // The input route comes first (`ip6_route_input`: no route is `ip6_pkt_drop`'s
        // error whatever the hop limit), then `ip6_forward`'s hop limit.
        let Ok((dev, nexthop)) = self.route6_lookup(dst, None) else {
            forget(self);
            self.icmp6_error(cx, p, 1, 0, 0);
            return self.drop_l2(cx, in_if, "ipv6: no route");
        };
        if p[7] <= 1 {
            forget(self);
            self.icmp6_error(cx, p, 3, 0, 0);
            return self.drop_l2(cx, in_if, "ipv6: hop limit exceeded");
        }
        // `ip6_pkt_too_big`: a router never fragments; it says how big the link takes.
        let mtu = self.ifaces.get(&dev).map_or(u32::MAX, |i| i.mtu).max(super::MIN_MTU);
        if frag_max.unwrap_or(p.len()) > mtu as usize {
            forget(self);
            self.icmp6_error(cx, p, 2, 0, mtu);
            return self.drop_l2(cx, in_if, "ipv6: packet too big");
        }
        let mut pkt = std::mem::take(&mut self.fwd6);
        pkt.clear();
        pkt.extend_from_slice(p);
        pkt[7] -= 1;
        if let Some(t) = &t {
            let pass = self.nf_filter(cx, "FORWARD", &pkt, Some(in_if), Some(dev), t).is_ok()
                && self.nf_post(cx, &mut pkt, Some(in_if), Some(dev), nexthop.into(), t).is_ok();
            if !pass {
                self.fwd6 = pkt;
                return;
            }
        }
        self.counters.forwarded += 1;
        match frag_max {
            Some(size) => self.xmit_fragments6(cx, dev, nexthop, &pkt, size.min(mtu as usize)),
            None => self.nd_xmit(cx, dev, nexthop, &pkt),
        }
        if self.fwd6.capacity() == 0 {
            self.fwd6 = pkt;
        }
    }

    /// `icmp6_send`: an error about `orig` to its source — never about an ICMPv6 error,
    /// nor to a multicast or unspecified source, nor about a multicast packet; within
    /// ICMPv6's rate limits (`icmp.rs`). True when it was sent.
    pub(crate) fn icmp6_error(&mut self, cx: &mut Context<'_>, orig: &[u8], t: u8, code: u8, info: u32) -> bool {
        if orig.len() < 40 {
            return false;
        }
        let (osrc, odst) = (addr(orig, 8), addr(orig, 24));
        let is_error = orig[6] == packet::ICMPV6 && orig.get(40).is_some_and(|t| *t < 128);
        if is_error || osrc.is_multicast() || osrc.is_unspecified() || odst.is_multicast() {
            return false;
        }
        // `icmpv6_xrlim_allow`: limited per destination (not through `lo`), and by the
        // global bucket IPv4 shares.
        let via_lo = match self.route6_output(osrc, None) {
            Ok((dev, _)) => dev == crate::netns::LO,
            Err(_) => return false,
        };
        let lim = crate::netns::icmp::Limits {
            ratelimit: sim_core::Duration::from_millis(self.sysctl.num("net.ipv6.icmp.ratelimit").max(0) as u64),
            ratemask: 0,
            per_sec: self.sysctl.num("net.ipv4.icmp_msgs_per_sec").max(0) as u64,
            burst: self.sysctl.num("net.ipv4.icmp_msgs_burst").max(0) as u64,
        };
        if !self.icmp_rl.allow6(&lim, cx.now(), osrc, t, via_lo) {
            self.counters.icmp_ratelimited += 1;
            return false;
        }
        let from = self.is_local6(odst).then_some(odst);
        let mut m = vec![t, code, 0, 0];
        m.extend_from_slice(&info.to_be_bytes());
        m.extend_from_slice(&orig[..orig.len().min(1280 - 48)]);
        let flow = self.flow_label(odst, osrc, u16::from(t));
        let spec = Out6 { dst: osrc, src: from, next: packet::ICMPV6, hlim: Some(HOP_LIMIT), flow, oif: None };
        self.output6(cx, &spec, &m).is_ok()
    }
}
