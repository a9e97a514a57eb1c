//! IPv6 received (`ipv6_rcv`, `icmpv6_rcv`, `ndisc_rcv`): the header checked (malformed
//! packets counted and dropped); with ip6tables, PREROUTING first (its DNAT may change
//! where the packet goes) and INPUT before it is ours; packets for another host forwarded
//! (`forward.rs`) when forwarding is on, else dropped;
//! ICMPv6 to us checked and handed on — neighbour solicitations (a DAD probe about an
//! address we still test fails our DAD; about one we hold, we defend it with an
//! advertisement to all nodes; any other for one of our addresses is answered: `nd.rs`),
//! advertisements (an address we still test fails its DAD; else the neighbour learns),
//! echo requests answered, the rest to the raw ICMPv6 sockets (a port unreachable about
//! a datagram we sent also to its UDP socket). Router solicitations teach a router the
//! host (and reach raw sockets: radvd's); router advertisements configure a host (`ra.rs`)
//! and reach raw sockets too; multicast listener reports are for routers, and a host
//! leaves them. UDP goes to `udp.rs`, TCP to smoltcp (`sockets.rs`); fragments are put
//! back together (`frag.rs`) first; "packet too big" sets the path MTU; other next headers
//! are let go.

use super::packet::{self, addr as addr_at, kind};
use crate::netns::socktab::Meta;
use crate::netns::{Netns, TimerKey};
use sim_core::Context;
use std::net::Ipv6Addr;

/// True for a neighbour solicitation or advertisement right after the IPv6 header.
fn is_nd(p: &[u8]) -> bool {
    p.get(6) == Some(&packet::ICMPV6) && matches!(p.get(40), Some(&(kind::NEIGHBOR_SOLICIT | kind::NEIGHBOR_ADVERT)))
}

use packet::ALL_NODES;

impl Netns {
    /// An IPv6 packet in a frame the interface took.
    pub(crate) fn rx_ipv6(&mut self, cx: &mut Context<'_>, ifindex: u32, p: &[u8]) {
        if !self.ifaces.get(&ifindex).is_some_and(|i| i.v6.ready) {
            return self.drop_l2(cx, ifindex, "ipv6 disabled");
        }
        let plen = p.get(4..6).map_or(0, |b| usize::from(u16::from_be_bytes([b[0], b[1]])));
        if p.len() < 40 || p[0] >> 4 != 6 || 40 + plen > p.len() {
            self.counters.rx_malformed += 1;
            return self.drop_l2(cx, ifindex, "malformed ipv6");
        }
        let p = &p[..40 + plen];
        if self.nf6_active() {
            // ip6tables: PREROUTING (conntrack, DNAT) on a copy the NAT may rewrite.
            let mut buf = std::mem::take(&mut self.nfbuf);
            let mut frag_max = None;
            if p[6] == super::frag::FRAGMENT && self.nf.tables6.tracking() {
                // `nf_defrag_ipv6`: conntrack sees whole packets (a forwarder cuts them
                // again, no bigger than the largest fragment that came).
                let r = self.ct_reasm6.queue(cx.now(), p);
                self.arm_defrag6();
                match r {
                    super::frag::Reasm::Done(whole) => {
                        frag_max = Some(self.ct_reasm6.last_max());
                        buf = whole;
                    }
                    super::frag::Reasm::Held => {
                        self.nfbuf = buf;
                        return;
                    }
                    super::frag::Reasm::Dropped(why) => {
                        self.counters.rx_malformed += u64::from(why.contains("bad length"));
                        self.nfbuf = buf;
                        return self.drop_l2(cx, ifindex, why);
                    }
                }
            } else {
                buf.clear();
                buf.extend_from_slice(p);
            }
            self.rx_ipv6_nf(cx, ifindex, &mut buf, frag_max);
            if self.nfbuf.capacity() == 0 {
                self.nfbuf = buf;
            }
            return;
        }
        if self.ours6(ifindex, p) {
            return self.rx_ipv6_for_us(cx, ifindex, p);
        }
        if addr_at(p, 24).is_multicast() {
            // A group not joined here (a router's, MLD's): `ip6_mc_input` lets it go
            // without a word, as a NIC's multicast filter would not even take it.
            return;
        }
        if self.forwarding6() {
            return self.forward6(cx, ifindex, p, None, None);
        }
        self.drop_l2(cx, ifindex, "ipv6 for another host")
    }

    /// True if a packet that came in on `ifindex` is for this host: one of its addresses
    /// (an address still in DAD takes only neighbour discovery, for its DAD), or a group
    /// the interface joined.
    fn ours6(&self, ifindex: u32, p: &[u8]) -> bool {
        let dst = addr_at(p, 24);
        let here = self.ifaces.get(&ifindex).is_some_and(|i| {
            i.v6.addrs.iter().any(|a| a.addr == dst && (!a.tentative || is_nd(p)))
                || dst == ALL_NODES
                || i.v6.joined(dst)
        });
        here || self.is_local6(dst)
    }

    /// [`Netns::rx_ipv6`] through ip6tables: PREROUTING, then INPUT and confirmation for
    /// us, or forwarding (FORWARD, POSTROUTING in `forward6`). `frag_max`: conntrack put
    /// the packet together from fragments, the largest this long.
    fn rx_ipv6_nf(&mut self, cx: &mut Context<'_>, ifindex: u32, buf: &mut [u8], frag_max: Option<usize>) {
        let Ok(t) = self.nf_pre(cx, buf, Some(ifindex), None) else { return };
        let dst = addr_at(buf, 24);
        if self.ours6(ifindex, buf) {
            if self.nf_filter(cx, "INPUT", buf, Some(ifindex), None, &t).is_err()
                || self.nf_post(cx, buf, Some(ifindex), None, dst.into(), &t).is_err()
            {
                return;
            }
            return self.rx_ipv6_for_us(cx, ifindex, buf);
        }
        if !dst.is_multicast() && self.forwarding6() {
            return self.forward6(cx, ifindex, buf, Some(t), frag_max);
        }
        self.nf_forget(&t);
        if !dst.is_multicast() {
            self.drop_l2(cx, ifindex, "ipv6 for another host");
        }
    }

    /// A packet this namespace sent to one of its own addresses (the loopback path:
    /// PREROUTING and INPUT on `lo` when ip6tables runs).
    pub(crate) fn rx_ipv6_local(&mut self, cx: &mut Context<'_>, p: &[u8]) {
        if self.nf6_active() {
            let mut buf = std::mem::take(&mut self.nfbuf);
            buf.clear();
            buf.extend_from_slice(p);
            self.rx_ipv6_nf(cx, crate::netns::LO, &mut buf, None);
            if self.nfbuf.capacity() == 0 {
                self.nfbuf = buf;
            }
            return;
        }
        self.rx_ipv6_for_us(cx, crate::netns::LO, p);
    }

    fn rx_ipv6_for_us(&mut self, cx: &mut Context<'_>, ifindex: u32, p: &[u8]) {
        let (src, dst) = (addr_at(p, 8), addr_at(p, 24));
        let body = &p[40..];
        if p[6] == super::frag::FRAGMENT {
            let r = self.reasm6.queue(cx.now(), p);
            self.arm_defrag6();
            return match r {
                super::frag::Reasm::Held => {}
                super::frag::Reasm::Done(whole) => self.rx_ipv6_for_us(cx, ifindex, &whole),
                super::frag::Reasm::Dropped(why) => {
                    self.counters.rx_malformed += u64::from(why.contains("bad length"));
                    self.drop_l2(cx, ifindex, why)
                }
            };
        }
        if p[6] == crate::wire::proto::UDP {
            return self.rx_udp6(cx, ifindex, p);
        }
        if p[6] == crate::wire::proto::TCP {
            // smoltcp takes TCP (never to a group), and answers a port nobody listens on
            // with RST; a raw TCP socket connected to the source sees a copy first.
            if !dst.is_multicast() {
                self.deliver_raw_tcp6(cx, ifindex, p);
                self.l4_deliver(cx, p);
            }
            return;
        }
        // Only ICMPv6 and UDP right after the header are read so far (MLD's hop-by-hop
        // reports are for routers).
        if p[6] != packet::ICMPV6 || body.len() < 8 {
            return;
        }
        if packet::icmp6_checksum(src, dst, body) != 0 {
            self.counters.rx_malformed += 1;
            return self.drop_l2(cx, ifindex, "bad icmp6 checksum");
        }
        let nd = body[0] == kind::NEIGHBOR_SOLICIT || body[0] == kind::NEIGHBOR_ADVERT;
        if nd {
            // RFC 4861: neighbour discovery only with hop limit 255, about a unicast target.
            if p[7] != 255 || body.len() < 24 || addr_at(body, 8).is_multicast() {
                return;
            }
            let target = addr_at(body, 8);
            let held = self.ifaces.get(&ifindex).and_then(|i| i.v6.addrs.iter().find(|a| a.addr == target));
            let testing = held.is_some_and(|a| a.tentative);
            if body[0] == kind::NEIGHBOR_ADVERT {
                if testing {
                    return self.dad_failed(ifindex, target);
                }
                return self.rx_na(cx, ifindex, body);
            }
            match (held.is_some(), testing, src.is_unspecified()) {
                (false, ..) => {}
                (true, true, true) => self.dad_failed(ifindex, target),
                (true, true, false) => {}
                (true, false, true) => self.defend(cx, ifindex, target),
                (true, false, false) => self.rx_ns(cx, ifindex, (src, dst), body),
            }
            return;
        }
        match body[0] {
            kind::ECHO_REQUEST => self.rx_echo(cx, ifindex, (src, dst), body),
            // `ndisc_recv_rs`: a router learns the soliciting host (STALE); a host ignores it.
            // Raw sockets (radvd's) hear it too.
            kind::ROUTER_SOLICIT => {
                if self.forwarding6() && p[7] == 255 && !src.is_unspecified() {
                    self.rx_rs(cx, ifindex, src, body);
                }
                self.deliver_icmp6(cx, ifindex, (src, dst), p[7], body);
            }
            kind::ROUTER_ADVERT => {
                self.rx_ra(cx, ifindex, src, p[7], body);
                self.deliver_icmp6(cx, ifindex, (src, dst), p[7], body);
            }
            kind::MLD2_REPORT => {}
            _ => {
                self.udp6_error(ifindex, body);
                self.learn_pmtu6(cx.now(), body);
                self.deliver_raw_tcp6_error(cx, ifindex, p);
                self.deliver_icmp6(cx, ifindex, (src, dst), p[7], body);
            }
        }
    }

    /// A copy of a TCP segment (`p`, IPv6 header first) for every raw IPv6 TCP socket
    /// connected to its source (`rawv6_rcv`).
    fn deliver_raw_tcp6(&mut self, cx: &mut Context<'_>, in_if: u32, p: &[u8]) {
        let (src, dst) = (addr_at(p, 8), addr_at(p, 24));
        let mut from = crate::netns::socktab::SocketId(0);
        while let Some(id) = self.socks.next_raw_tcp(from, src.into()) {
            from = id.succ();
            if !self.socks.push(id, Meta::Icmp6 { in_if, src, dst, hlim: p[7] }, &p[40..]) {
                cx.drop_frame(None, "raw: socket receive queue full");
            }
        }
    }

    /// An ICMPv6 error (`p`, IPv6 header first) quoting TCP sent to the peer of a raw IPv6
    /// TCP socket goes on that socket's error queue (`rawv6_err`, with `IPV6_RECVERR`).
    fn deliver_raw_tcp6_error(&mut self, cx: &mut Context<'_>, in_if: u32, p: &[u8]) {
        let m = &p[40..];
        let inner = &m[8..];
        if !(1..=4).contains(&m[0]) || inner.len() < 40 || inner[6] != crate::wire::proto::TCP {
            return;
        }
        let quoted_dst = addr_at(inner, 24);
        let (src, dst) = (addr_at(p, 8), addr_at(p, 24));
        let mut from = crate::netns::socktab::SocketId(0);
        while let Some(id) = self.socks.next_raw_tcp(from, quoted_dst.into()) {
            from = id.succ();
            if !self.socks.push(id, Meta::Icmp6Error { in_if, src, dst, hlim: p[7] }, m) {
                cx.drop_frame(None, "raw: socket receive queue full");
            }
        }
    }

    /// "Packet too big" about a packet we sent (`icmpv6_notify` → `ip6_update_pmtu`): its
    /// destination's path MTU from now, never below 1280.
    fn learn_pmtu6(&mut self, now: sim_core::Instant, m: &[u8]) {
        if m[0] != 2 || m.len() < 8 + 40 {
            return;
        }
        let (osrc, odst) = (addr_at(m, 8 + 8), addr_at(m, 8 + 24));
        if !self.is_local6(osrc) {
            return;
        }
        let mtu = u32::from_be_bytes([m[4], m[5], m[6], m[7]]).max(super::MIN_MTU);
        let current = self.path_mtu6(odst, now);
        self.pmtu6.update(odst, mtu, current, now);
    }

    /// The path MTU "packet too big" left for `dst`, and how long it still holds.
    pub fn pmtu6_exception(&self, dst: Ipv6Addr, now: sim_core::Instant) -> Option<(u32, sim_core::Duration)> {
        self.pmtu6.get(dst, now).map(|e| (e.mtu, e.expires - now))
    }

    /// The path MTU to `dst`: its device's, or less where "packet too big" said so.
    pub(crate) fn path_mtu6(&self, dst: Ipv6Addr, now: sim_core::Instant) -> u32 {
        let dev = self.route6_lookup(dst, None).ok().and_then(|(d, _)| self.ifaces.get(&d)).map_or(1500, |i| i.mtu);
        self.pmtu6.get(dst, now).map_or(dev, |e| e.mtu.min(dev))
    }

    /// Reassembly queues out of time: "fragment reassembly time exceeded" to the source of
    /// each whose first fragment came.
    pub(crate) fn defrag6_expire(&mut self, cx: &mut Context<'_>) {
        // (Conntrack's queues too: `ip6frag_expire_frag_queue` answers for both.)
        let mut gone = self.reasm6.expire(cx.now());
        gone.extend(self.ct_reasm6.expire(cx.now()));
        for first in gone.into_iter().flatten() {
            self.icmp6_error(cx, &first, 3, 1, 0);
            self.drop_l2(cx, crate::netns::LO, "ipv6 frag: reassembly timed out");
        }
        self.arm_defrag6();
    }

    /// The reassembly timer: when the first queue of either kind runs out of time.
    fn arm_defrag6(&mut self) {
        let next = match (self.reasm6.next_expiry(), self.ct_reasm6.next_expiry()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.timers.set(TimerKey::Defrag6, next);
    }

    /// `addrconf_dad_failure`: a tentative address stays, flagged, and is never used.
    fn dad_failed(&mut self, ifindex: u32, target: Ipv6Addr) {
        let Some(i) = self.ifaces.get_mut(&ifindex) else { return };
        if let Some(a) = i.v6.addrs.iter_mut().find(|a| a.addr == target && a.tentative) {
            a.dadfailed = true;
            self.timers.set(crate::netns::TimerKey::Dad(ifindex, target), None);
        }
    }

    /// A DAD probe for an address we hold: an unsolicited advertisement to all nodes.
    fn defend(&mut self, cx: &mut Context<'_>, ifindex: u32, target: Ipv6Addr) {
        let Some(i) = self.ifaces.get(&ifindex) else { return };
        let mac = i.mac;
        let mut buf = std::mem::take(&mut self.pktbuf);
        buf.clear();
        let router = self.forwarding6();
        packet::neighbor_advert(&mut buf, (target, ALL_NODES), target, Some(mac), (router, false, true));
        if self.nd_output_ok(cx, ifindex, &buf) {
            self.xmit(cx, ifindex, packet::multicast_mac(ALL_NODES), packet::ETHERTYPE, &buf);
        }
        self.pktbuf = buf;
    }
}
