//! IPv6 output and neighbour discovery (`ip6_output.c`, `ndisc.c`): the route and source
//! address a packet takes (connected prefixes; RFC 6724's same scope and longest match,
//! capped at the address's prefix, ties to the newest address, as Linux picks), the
//! neighbour it goes to through the same NUD machine ARP uses (`nd_tbl`): a solicitation
//! to the solicited-node group from the waiting packet's source, unicast probes later,
//! `Address unreachable` to the local sender when nobody answers; and what comes in —
//! solicitations answered (solicited, with override and the target's link-layer address
//! when they were multicast), advertisements learnt, echo requests answered, ICMPv6 for
//! the raw sockets that want it.

use super::packet::{self, kind};
use crate::netns::neigh::{Action, NeighKey, Nud, UpdateFlags};
use crate::netns::socktab::Meta;
use crate::netns::{Errno, Netns};
use sim_core::{Context, MacAddr};
use std::net::Ipv6Addr;

/// `net.ipv6.conf.all.hop_limit`.
pub const HOP_LIMIT: u8 = 64;

/// An IPv6 packet a socket sends.
#[derive(Clone, Debug)]
pub struct Out6 {
    /// Destination.
    pub dst: Ipv6Addr,
    /// Source (`bind`), or the one source selection picks.
    pub src: Option<Ipv6Addr>,
    /// Next header (58: ICMPv6, whose checksum the stack fills in as a raw ICMPv6 socket's).
    pub next: u8,
    /// Hop limit (`IPV6_UNICAST_HOPS`), else 64.
    pub hlim: Option<u8>,
    /// Flow label.
    pub flow: u32,
    /// `SO_BINDTODEVICE`.
    pub oif: Option<u32>,
}

/// An IPv6 address's scope rank for source selection (link-local below global).
fn scope_of(a: Ipv6Addr) -> u8 {
    if a.is_loopback() {
        0
    } else if a.is_unicast_link_local() || (a.is_multicast() && a.segments()[0] & 0x000f == 2) {
        1
    } else {
        2
    }
}

impl Netns {
    /// The device and source address for `dst` (`ip6_route_output` + `ipv6_dev_get_saddr`
    /// over the connected routes).
    pub fn route6_output(&self, dst: Ipv6Addr, oif: Option<u32>) -> Result<(u32, Ipv6Addr), Errno> {
        // One of our own addresses (`::1` too): the local table, through `lo`.
        let lo_up = self.ifaces.get(&crate::netns::LO).is_some_and(|i| i.admin_up && i.disable_ipv6 == 0);
        if self.is_local6(dst) || (dst.is_loopback() && lo_up) {
            return Ok((crate::netns::LO, dst));
        }
        // A group, out of the device the socket named (`IPV6_PKTINFO`,
        // `IPV6_MULTICAST_IF`): the local table's `ff00::/8` there, from an address of its
        // scope.
        if dst.is_multicast() {
            let dev = oif.filter(|d| self.ifaces.get(d).is_some_and(|i| i.v6.ready)).ok_or(Errno::NetUnreach)?;
            let src = self.select_src6(dev, dst).ok_or(Errno::AddrNotAvail)?;
            return Ok((dev, src));
        }
        // `ip6_dst_lookup_tail` picks a source before it looks at the route's error: with
        // no usable address anywhere, that fails first.
        let (dev, _) = self.route6_lookup(dst, oif).map_err(|e| match self.any_usable6() {
            true => e,
            false => Errno::AddrNotAvail,
        })?;
        let src = self.select_src6(dev, dst).ok_or(Errno::AddrNotAvail)?;
        Ok((dev, src))
    }

    /// `ipv6_dev_get_saddr`, as far as it matters on a link: an address of the device that
    /// is usable, of `dst`'s scope, sharing the longest prefix with it (no longer than its
    /// own prefix); the first (newest) of equals.
    pub fn select_src6(&self, ifindex: u32, dst: Ipv6Addr) -> Option<Ipv6Addr> {
        let i = self.ifaces.get(&ifindex)?;
        let want = scope_of(dst);
        let common = |a: Ipv6Addr, p: u8| (u128::from(a) ^ u128::from(dst)).leading_zeros().min(u32::from(p));
        let usable = i.v6.addrs.iter().filter(|a| !a.tentative && !a.dadfailed);
        // RFC 6724: the destination's scope first, then a preferred (not deprecated)
        // address, then the longest common prefix.
        let mut best: Option<((bool, bool, u32), Ipv6Addr)> = None;
        for a in usable {
            let key = (scope_of(a.addr) == want, !a.deprecated, common(a.addr, a.prefix));
            if best.is_none_or(|b| key > b.0) {
                best = Some((key, a.addr));
            }
        }
        best.map(|b| b.1)
    }

    /// True if the namespace has a usable IPv6 address on any interface.
    fn any_usable6(&self) -> bool {
        self.ifaces.values().any(|i| i.v6.addrs.iter().any(|a| !a.tentative && !a.dadfailed))
    }

    /// True if `a` is a usable address of this namespace.
    pub fn is_local6(&self, a: Ipv6Addr) -> bool {
        // A group is never an address (`ipv6_add_addr` refuses one): no scan of every
        // interface for each multicast packet (a bridge of 1e4 ports hears one per port).
        !a.is_multicast() && self.ifaces.values().any(|i| i.v6.addrs.iter().any(|x| x.addr == a && !x.tentative))
    }

    /// Sends an IPv6 packet a program made (`rawv6_sendmsg`), in fragments when it is bigger
    /// than the path MTU.
    pub fn output6(&mut self, cx: &mut Context<'_>, spec: &Out6, payload: &[u8]) -> Result<(), Errno> {
        let (dev, chosen) = self.route6_output(spec.dst, spec.oif)?;
        let src = spec.src.unwrap_or(chosen);
        // Built in a scratch buffer: nothing allocated per packet once it has grown.
        let mut pkt = std::mem::take(&mut self.buf6);
        pkt.clear();
        let hlim = spec.hlim.unwrap_or(HOP_LIMIT);
        packet::header(&mut pkt, (src, spec.dst), spec.next, hlim, spec.flow, payload.len());
        pkt.extend_from_slice(payload);
        if spec.next == packet::ICMPV6 && payload.len() >= 4 {
            pkt[42..44].fill(0);
            let sum = packet::icmp6_checksum(src, spec.dst, &pkt[40..]);
            pkt[42..44].copy_from_slice(&sum.to_be_bytes());
        }
        let r = self.send6(cx, dev, spec.dst, &mut pkt);
        if self.buf6.capacity() == 0 {
            self.buf6 = pkt;
        }
        r
    }

    /// A locally made IPv6 packet after routing (out of `dev`, to `dst`): ip6tables'
    /// OUTPUT and POSTROUTING when it runs (a DNAT there reroutes; a drop is `EPERM`),
    /// then back in through `lo` if it is for us, else to its next hop, in fragments when
    /// it is bigger than the path MTU.
    fn send6(&mut self, cx: &mut Context<'_>, mut dev: u32, mut dst: Ipv6Addr, pkt: &mut [u8]) -> Result<(), Errno> {
        if self.nf6_active() {
            let pass = match self.nf_pre(cx, pkt, None, Some(dev)) {
                Ok(t) => {
                    let now = packet::addr(pkt, 24);
                    if now != dst
                        && let Ok((d, _)) = self.route6_output(now, None)
                    {
                        (dev, dst) = (d, now);
                    }
                    let nexthop = self.route6_lookup(dst, Some(dev)).map_or(dst, |(_, n)| n);
                    self.nf_filter(cx, "OUTPUT", pkt, None, Some(dev), &t).is_ok()
                        && self.nf_post(cx, pkt, None, Some(dev), nexthop.into(), &t).is_ok()
                }
                Err(_) => false,
            };
            if !pass {
                return Err(Errno::Perm);
            }
        }
        if dev == crate::netns::LO {
            // To ourselves: delivered as it would come back from `lo`.
            self.rx_ipv6_local(cx, pkt);
            return Ok(());
        }
        let nexthop = self.route6_lookup(dst, Some(dev)).map_or(dst, |(_, n)| n);
        let mtu = self.path_mtu6(dst, cx.now()) as usize;
        if pkt.len() > mtu {
            // `ip6_fragment`: the sender cuts it at the path MTU.
            self.xmit_fragments6(cx, dev, nexthop, pkt, mtu);
        } else {
            self.nd_xmit(cx, dev, nexthop, pkt);
        }
        Ok(())
    }

    /// `ip6_fragment`: `pkt` cut into fragments of at most `size` bytes, each to `nexthop`
    /// out of `dev`, under one identification (`ipv6_select_ident`'s: random per packet).
    pub(crate) fn xmit_fragments6(
        &mut self,
        cx: &mut Context<'_>,
        dev: u32,
        nexthop: Ipv6Addr,
        pkt: &[u8],
        size: usize,
    ) {
        let id = sim_core::rng::range_u32(cx.rng(), 1, u32::MAX);
        let mut frag = std::mem::take(&mut self.frag6);
        super::frag::fragment(pkt, size, id, |f| frag.push(f.to_vec()));
        // A CHECKSUM_PARTIAL is resolved before cutting (skb_checksum_help).
        let partial = std::mem::replace(&mut self.tx_csum_partial, false);
        for f in frag.drain(..) {
            self.nd_xmit(cx, dev, nexthop, &f);
        }
        self.tx_csum_partial = partial;
        self.frag6 = frag;
    }

    /// Sends an IPv6 packet smoltcp built (a TCP segment) the way our own go, with the
    /// flow label Linux gives a connection and its hop limit.
    pub(crate) fn output_tcp6(&mut self, cx: &mut Context<'_>, pkt: &mut [u8]) -> Result<(), Errno> {
        if pkt.len() < 40 + 4 {
            return Err(Errno::Inval);
        }
        let (src, dst) = (packet::addr(pkt, 8), packet::addr(pkt, 24));
        let (dev, _) = self.route6_output(dst, None)?;
        let ports = |at: usize| u16::from_be_bytes([pkt[at], pkt[at + 1]]);
        let flow = self.flow_label(src, dst, ports(40) ^ ports(42).rotate_left(8));
        pkt[..4].copy_from_slice(&(0x6000_0000 | (flow & 0x000f_ffff)).to_be_bytes());
        pkt[7] = HOP_LIMIT;
        self.send6(cx, dev, dst, pkt)
    }

    /// `ip6_finish_output2`: multicast to its group's MAC, unicast through `nd_tbl`.
    pub(crate) fn nd_xmit(&mut self, cx: &mut Context<'_>, ifindex: u32, nexthop: Ipv6Addr, pkt: &[u8]) {
        let Some(i) = self.ifaces.get(&ifindex) else { return };
        if !i.admin_up {
            return self.drop_l2(cx, ifindex, "interface down");
        }
        if nexthop.is_multicast() {
            self.xmit(cx, ifindex, packet::multicast_mac(nexthop), packet::ETHERTYPE, pkt);
            return;
        }
        let parms = i.neigh.clone();
        let mut acts = Vec::new();
        let mac = self.nd.output(&parms, cx.now(), (ifindex, nexthop), pkt, &mut self.timers, &mut acts);
        self.pending6.extend(acts);
        if let Some(mac) = mac {
            self.xmit(cx, ifindex, mac, packet::ETHERTYPE, pkt);
        }
        // What the table sends now is not this packet: no CHECKSUM_PARTIAL for it.
        let partial = std::mem::replace(&mut self.tx_csum_partial, false);
        self.run_pending6(cx);
        self.tx_csum_partial = partial;
    }

    /// What `nd_tbl` asked for: solicitations, queued packets now resolved, failures.
    fn run_pending6(&mut self, cx: &mut Context<'_>) {
        while let Some(a) = self.pending6.pop_front() {
            match a {
                Action::Solicit { ifindex, target, unicast, saddr } => {
                    // `ndisc_solicit`: the waiting packet's source if it is ours, else (a
                    // probe with nothing waiting) the device's link-local address.
                    let Some(i) = self.ifaces.get(&ifindex) else { continue };
                    let src = saddr.filter(|s| self.is_local6(*s)).or_else(|| i.v6.link_local());
                    let Some(src) = src else { continue };
                    let mac = i.mac;
                    let (dst, eth) = match unicast {
                        Some(m) => (target, m),
                        None => (packet::solicited_node(target), packet::multicast_mac(packet::solicited_node(target))),
                    };
                    let mut buf = Vec::new();
                    packet::neighbor_solicit(&mut buf, src, dst, target, mac, None);
                    if self.nd_output_ok(cx, ifindex, &buf) {
                        self.xmit(cx, ifindex, eth, packet::ETHERTYPE, &buf);
                    }
                }
                Action::Send { ifindex, mac, packet } => {
                    self.xmit(cx, ifindex, mac, packet::ETHERTYPE, &packet);
                }
                Action::Failed { ifindex, packet, .. } => {
                    // Ours: straight to our sockets; forwarded: back to its source.
                    match <Ipv6Addr as crate::netns::neigh::NeighAddr>::packet_src(&packet) {
                        Some(s) if !self.is_local6(s) => {
                            self.icmp6_error(cx, &packet, 1, 3, 0);
                        }
                        _ => self.addr_unreachable(cx, ifindex, &packet),
                    }
                    self.drop_l2(cx, ifindex, "neighbour failed");
                }
                Action::Changed(_) => {}
            }
        }
    }

    /// `ndisc_error_report`: `Address unreachable` about a packet that found no neighbour,
    /// to its sender — here, so straight to this namespace's ICMPv6 sockets.
    fn addr_unreachable(&mut self, cx: &mut Context<'_>, ifindex: u32, orig: &[u8]) {
        let Some(osrc) = <Ipv6Addr as crate::netns::neigh::NeighAddr>::packet_src(orig) else { return };
        if !self.is_local6(osrc) {
            return;
        }
        let mut m = vec![1, 3, 0, 0, 0, 0, 0, 0];
        m.extend_from_slice(&orig[..orig.len().min(1280 - 48)]);
        let sum = packet::icmp6_checksum(osrc, osrc, &m);
        m[2..4].copy_from_slice(&sum.to_be_bytes());
        if self.nf6_active() && !self.error_to_self_passes(cx, osrc, &m) {
            return;
        }
        // (Looped back, it names the device the packet would have left by.)
        self.deliver_icmp6(cx, ifindex, (osrc, osrc), HOP_LIMIT, &m);
    }

    /// ip6tables for an ICMPv6 error `m` this host sends itself through `lo` (`icmp6_send`
    /// → `ip6_local_out`): OUTPUT (conntrack finds it related), POSTROUTING, then INPUT.
    /// True when it gets through.
    fn error_to_self_passes(&mut self, cx: &mut Context<'_>, me: Ipv6Addr, m: &[u8]) -> bool {
        let lo = crate::netns::LO;
        let mut p = Vec::with_capacity(40 + m.len());
        packet::header(&mut p, (me, me), packet::ICMPV6, HOP_LIMIT, 0, m.len());
        p.extend_from_slice(m);
        match self.nf_pre(cx, &mut p, None, Some(lo)) {
            Ok(t) => {
                self.nf_filter(cx, "OUTPUT", &p, None, Some(lo), &t).is_ok()
                    && self.nf_post(cx, &mut p, None, Some(lo), me.into(), &t).is_ok()
                    && self.nf_filter(cx, "INPUT", &p, Some(lo), None, &t).is_ok()
            }
            Err(_) => false,
        }
    }

    /// An `nd_tbl` entry's deadline.
    pub(crate) fn nd_timer(&mut self, cx: &mut Context<'_>, key: NeighKey<Ipv6Addr>) {
        let Some(i) = self.ifaces.get(&key.0) else { return };
        let parms = i.neigh.clone();
        let mut acts = Vec::new();
        self.nd.timer(&parms, cx.now(), key, &mut self.timers, &mut acts);
        self.pending6.extend(acts);
        self.run_pending6(cx);
    }

    /// The IPv6 neighbour table.
    pub fn nd(&self) -> &crate::netns::neigh::NeighTable<Ipv6Addr> {
        &self.nd
    }

    /// `ip -6 neigh add|replace|change`: an entry set as an administrator does, and what
    /// waited on it sent.
    pub fn neigh6_set(&mut self, cx: &mut Context<'_>, ifindex: u32, ip: Ipv6Addr, mac: MacAddr, state: Nud) {
        let Some(i) = self.ifaces.get(&ifindex) else { return };
        let parms = i.neigh.clone();
        let flags = UpdateFlags { override_: true, weak_override: false, admin: true };
        let mut acts = Vec::new();
        self.nd.update(&parms, cx.now(), (ifindex, ip), mac, state, flags, true, &mut self.timers, &mut acts);
        self.pending6.extend(acts);
        self.run_pending6(cx);
    }

    /// `ip -6 neigh del ADDR dev IF`; whether there was such an entry.
    pub fn neigh6_del(&mut self, ifindex: u32, ip: Ipv6Addr) -> bool {
        self.nd.remove((ifindex, ip), &mut self.timers)
    }

    /// `ndisc_recv_ns` for one of our addresses (`target`, valid): learn the sender, answer.
    pub(super) fn rx_ns(&mut self, cx: &mut Context<'_>, ifindex: u32, (src, dst): (Ipv6Addr, Ipv6Addr), body: &[u8]) {
        let target = packet::addr(body, 8);
        let Some(i) = self.ifaces.get(&ifindex) else { return };
        let mac = i.mac;
        let parms = i.neigh.clone();
        let multicast = dst.is_multicast();
        if let Some(lladdr) = ll_option(&body[24..], 1) {
            let flags = UpdateFlags { override_: true, weak_override: true, ..Default::default() };
            let mut acts = Vec::new();
            self.nd.update(
                &parms,
                cx.now(),
                (ifindex, src),
                lladdr,
                Nud::Stale,
                flags,
                true,
                &mut self.timers,
                &mut acts,
            );
            self.pending6.extend(acts);
        }
        // `ndisc_send_na`: solicited; override and our link-layer address only when the
        // question was multicast. It goes to the solicitor through the table like any packet.
        let mut buf = Vec::new();
        let router = self.forwarding6();
        packet::neighbor_advert(&mut buf, (target, src), target, multicast.then_some(mac), (router, true, multicast));
        if self.nd_output_ok(cx, ifindex, &buf) {
            self.nd_xmit(cx, ifindex, src, &buf);
        }
    }

    /// `ndisc_recv_rs` on a router: the solicitor's link-layer address, learnt STALE (and
    /// not a router).
    pub(super) fn rx_rs(&mut self, cx: &mut Context<'_>, ifindex: u32, src: Ipv6Addr, body: &[u8]) {
        let Some(lladdr) = ll_option(body.get(8..).unwrap_or_default(), 1) else { return };
        let Some(i) = self.ifaces.get(&ifindex) else { return };
        let parms = i.neigh.clone();
        let flags = UpdateFlags { override_: true, weak_override: true, ..Default::default() };
        let mut acts = Vec::new();
        self.nd.update(&parms, cx.now(), (ifindex, src), lladdr, Nud::Stale, flags, true, &mut self.timers, &mut acts);
        self.nd.set_router((ifindex, src), false);
        self.pending6.extend(acts);
        self.run_pending6(cx);
    }

    /// `ndisc_recv_na`: the advertised address's entry learns, if there is one.
    pub(super) fn rx_na(&mut self, cx: &mut Context<'_>, ifindex: u32, body: &[u8]) {
        let target = packet::addr(body, 8);
        let (router, solicited, override_) = (body[4] & 0x80 != 0, body[4] & 0x40 != 0, body[4] & 0x20 != 0);
        let key = (ifindex, target);
        let Some(lladdr) = ll_option(&body[24..], 2).or_else(|| self.nd.get(key).and_then(|n| n.lladdr)) else {
            return;
        };
        // No entry, or a FAILED one (`ndisc_recv_na` → `NUD_FAILED`: ignored).
        if self.nd.get(key).is_none_or(|n| n.state == Nud::Failed) {
            return;
        }
        let Some(i) = self.ifaces.get(&ifindex) else { return };
        let parms = i.neigh.clone();
        let state = if solicited { Nud::Reachable } else { Nud::Stale };
        let flags = UpdateFlags { override_, weak_override: true, ..Default::default() };
        let mut acts = Vec::new();
        self.nd.update(&parms, cx.now(), key, lladdr, state, flags, false, &mut self.timers, &mut acts);
        // NEIGH_UPDATE_F_OVERRIDE_ISROUTER: the advertisement says whether it routes.
        self.nd.set_router(key, router);
        self.pending6.extend(acts);
        self.run_pending6(cx);
    }

    /// `icmpv6_echo_reply`: from the address asked, hop limit 64.
    pub(super) fn rx_echo(&mut self, cx: &mut Context<'_>, in_if: u32, (src, dst): (Ipv6Addr, Ipv6Addr), body: &[u8]) {
        let from = if dst.is_multicast() { None } else { Some(dst) };
        let mut m = std::mem::take(&mut self.echo6);
        m.clear();
        m.extend_from_slice(body);
        m[0] = kind::ECHO_REPLY;
        let flow = self.flow_label(dst, src, 0);
        // Back out of the interface it came in on (a link-local asker is on that link).
        let oif = (in_if != crate::netns::LO).then_some(in_if);
        let spec = Out6 { dst: src, src: from, next: packet::ICMPV6, hlim: None, flow, oif };
        let _ = self.output6(cx, &spec, &m);
        self.echo6 = m;
    }

    /// The flow label Linux gives a flow (`auto_flowlabels`): a hash of its addresses and
    /// `salt`, salted by this namespace's name (the kernel's is a random per-boot key; the
    /// label only shows in `tcpdump -v`, which `nslab diff` masks).
    pub(crate) fn flow_label(&self, src: Ipv6Addr, dst: Ipv6Addr, salt: u16) -> u32 {
        let mut bytes = [0u8; 34];
        bytes[..16].copy_from_slice(&src.octets());
        bytes[16..32].copy_from_slice(&dst.octets());
        bytes[32..].copy_from_slice(&salt.to_be_bytes());
        let h = sim_core::rng::fnv1a64(&bytes) ^ sim_core::rng::fnv1a64(self.name().as_bytes()).rotate_left(17);
        ((h ^ (h >> 32)) as u32 & 0x000f_ffff).max(1)
    }

    /// ICMPv6 for this namespace's raw ICMPv6 sockets (ping's).
    pub(crate) fn deliver_icmp6(
        &mut self,
        cx: &mut Context<'_>,
        in_if: u32,
        (src, dst): (Ipv6Addr, Ipv6Addr),
        hlim: u8,
        m: &[u8],
    ) {
        let mut from = crate::netns::socktab::SocketId(0);
        while let Some(id) = self.socks.next_raw_icmp6(from) {
            from = id.succ();
            if !self.socks.push(id, Meta::Icmp6 { in_if, src, dst, hlim }, m) {
                cx.drop_frame(None, "raw: socket receive queue full");
            }
        }
    }
}

/// The link-layer address of an ND option of `kind` (1 source, 2 target) among `opts`.
fn ll_option(opts: &[u8], kind: u8) -> Option<MacAddr> {
    let mut at = 0;
    while at + 2 <= opts.len() {
        let len = usize::from(opts[at + 1]) * 8;
        if len == 0 || at + len > opts.len() {
            return None;
        }
        if opts[at] == kind && len >= 8 {
            return MacAddr::from_slice(&opts[at + 2..]);
        }
        at += len;
    }
    None
}
