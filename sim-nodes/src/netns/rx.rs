//! Receive paths: Ethernet demux, `arp_process`, `ip_rcv`, forwarding and local delivery.
//!
//! Malformed input is counted, traced as a drop with a reason, and dropped; nothing here
//! panics on a frame.

use super::TimerKey;
use super::frag::{self, DefragUser, Reasm};
use super::icmp::{self, code, kind};
use super::neigh::{Nud, UpdateFlags};
use super::socktab::{Meta, SocketId};
use super::{Netns, OutSpec};
use crate::wire::{self, Ipv4, Ipv4Error, arp::Arp, ethertype, proto};
use sim_core::{Context, Duration, MacAddr};
use std::net::Ipv4Addr;

/// How the frame was addressed at L2 (`skb->pkt_type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PktType {
    Host,
    Broadcast,
    Multicast,
}

impl Netns {
    pub(crate) fn rx_frame(&mut self, cx: &mut Context<'_>, ifindex: u32, frame: &mut [u8]) {
        let Some(i) = self.ifaces.get_mut(&ifindex) else {
            cx.drop_frame(Some(sim_core::PortId(ifindex)), "no such interface");
            return;
        };
        if !i.admin_up {
            return;
        }
        i.stats.rx(frame.len());
        self.counters.rx_frames += 1;
        if frame.len() < 14 {
            self.counters.rx_malformed += 1;
            self.drop_l2(cx, ifindex, "runt frame");
            return;
        }
        if let Some(br) = i.master {
            return self.bridge_rx(cx, ifindex, br, frame);
        }
        self.rx_l2(cx, ifindex, frame, false);
    }

    /// Ethernet demux of a frame the interface takes for itself. `via_bridge`: the bridge
    /// already decided it is for this host (a port's address counts as ours).
    pub(crate) fn rx_l2(&mut self, cx: &mut Context<'_>, ifindex: u32, frame: &mut [u8], via_bridge: bool) {
        let Some(i) = self.ifaces.get(&ifindex) else { return };
        let dst = MacAddr::from_slice(frame).unwrap_or_default();
        let pkt = if dst == i.mac || (via_bridge && !dst.is_multicast()) {
            PktType::Host
        } else if dst.is_broadcast() {
            PktType::Broadcast
        } else if dst.is_multicast() {
            PktType::Multicast
        } else {
            self.counters.rx_otherhost += 1;
            return;
        };
        if self.socks.has_packet(ifindex) {
            self.deliver_packet_sockets(cx, ifindex, frame);
        }
        let et = u16::from_be_bytes([frame[12], frame[13]]);
        let payload = &mut frame[14..];
        match et {
            ethertype::ARP => self.rx_arp(cx, ifindex, pkt, payload),
            ethertype::IPV4 => self.rx_ipv4(cx, ifindex, pkt, payload),
            super::ipv6::packet::ETHERTYPE => self.rx_ipv6(cx, ifindex, payload),
            _ => {
                self.counters.rx_malformed += 1;
                self.drop_l2(cx, ifindex, "unknown ethertype");
            }
        }
    }

    /// `arp_process` with `arp_ignore=0`, `arp_accept=0`, no proxy ARP.
    fn rx_arp(&mut self, cx: &mut Context<'_>, ifindex: u32, pkt: PktType, payload: &[u8]) {
        let Some(a) = Arp::parse(payload) else {
            self.counters.rx_malformed += 1;
            self.drop_l2(cx, ifindex, "malformed arp");
            return;
        };
        if a.spa.is_multicast()
            || a.spa.is_loopback()
            || a.tpa.is_multicast()
            || a.tpa.is_loopback()
            || a.sha.is_multicast()
        {
            self.drop_l2(cx, ifindex, "martian arp");
            return;
        }
        let Some(i) = self.ifaces.get(&ifindex) else { return };
        let (mac, parms) = (i.mac, i.neigh.clone());
        let now = cx.now();
        // Duplicate address detection probe (RFC 2131 / 5227): answer, learn nothing.
        if a.spa.is_unspecified() {
            if a.op == wire::arp::REQUEST && self.iface_has_addr(ifindex, a.tpa) {
                self.send_arp(cx, ifindex, wire::arp::REPLY, a.sha, a.tpa, a.sha, a.spa);
            }
            return;
        }
        let mut acts = std::mem::take(&mut self.acts);
        if a.op == wire::arp::REQUEST && self.is_local(a.tpa) {
            let flags = UpdateFlags { override_: true, ..Default::default() };
            self.neigh.update(
                &parms,
                now,
                (ifindex, a.spa),
                a.sha,
                Nud::Stale,
                flags,
                true,
                &mut self.timers,
                &mut acts,
            );
            self.pending.extend(acts.drain(..));
            self.acts = acts;
            self.send_arp(cx, ifindex, wire::arp::REPLY, a.sha, a.tpa, a.sha, a.spa);
            let _ = mac;
        } else {
            let state = if a.op == wire::arp::REPLY && pkt == PktType::Host { Nud::Reachable } else { Nud::Stale };
            let is_garp = a.spa == a.tpa;
            let override_ =
                is_garp || self.neigh.get((ifindex, a.spa)).is_some_and(|n| now > n.updated + parms.locktime);
            let flags = UpdateFlags { override_, ..Default::default() };
            self.neigh.update(&parms, now, (ifindex, a.spa), a.sha, state, flags, false, &mut self.timers, &mut acts);
            self.pending.extend(acts.drain(..));
            self.acts = acts;
        }
        self.run_pending(cx);
    }

    fn iface_has_addr(&self, ifindex: u32, a: Ipv4Addr) -> bool {
        self.ifaces.get(&ifindex).is_some_and(|i| i.addrs.iter().any(|x| x.addr == a))
    }

    /// `ip_rcv`: validate, then deliver locally or forward. `payload` is the frame's own
    /// buffer: netfilter and forwarding rewrite the packet in place, as the kernel rewrites
    /// its skb, rather than in a copy.
    pub(crate) fn rx_ipv4(&mut self, cx: &mut Context<'_>, ifindex: u32, pkt: PktType, payload: &mut [u8]) {
        let ip = match Ipv4::new_checked(payload) {
            Ok(ip) => ip,
            Err(e) => {
                self.counters.rx_malformed += 1;
                self.drop_l2(cx, ifindex, if e == Ipv4Error::Checksum { "bad ip checksum" } else { "bad ip header" });
                return;
            }
        };
        let (src, dst, len) = (ip.src(), ip.dst(), ip.packet().len());
        if src.is_multicast() || src.is_broadcast() || (src.is_loopback() && ifindex != super::LO) {
            self.drop_ip(cx, Some(ifindex), "martian source", ip.packet(), |_, _| {});
            return;
        }
        if dst.is_multicast() {
            self.drop_ip(cx, Some(ifindex), "not supported yet: ip multicast", ip.packet(), |_, _| {});
            return;
        }
        if self.nf_active() {
            // nf_defrag_ipv4 (only where conntrack runs): conntrack sees whole datagrams; a
            // forwarder cuts them again. Without it the filter sees each fragment.
            if ip.is_fragment() && self.nf.tables.tracking() {
                let mut buf = std::mem::take(&mut self.nfbuf);
                if let Some(m) = self.defrag(cx, ifindex, &ip, DefragUser::ConntrackIn, &mut buf) {
                    self.rx_ipv4_nf(cx, ifindex, pkt, &mut buf, Some(m));
                }
                if self.nfbuf.capacity() == 0 {
                    self.nfbuf = buf;
                }
            } else {
                self.rx_ipv4_nf(cx, ifindex, pkt, &mut payload[..len], None);
            }
            return;
        }
        let bcast = self.is_broadcast(dst, Some(ifindex));
        if bcast || self.is_local(dst) {
            self.local_deliver(cx, ifindex, &ip, bcast);
        } else if pkt == PktType::Host {
            self.forward(cx, ifindex, &mut payload[..len], None, None);
        }
    }

    /// `ip_defrag`: queues a fragment; `Some(frag_max_size)` when it completed its datagram,
    /// which is then in `out`.
    pub(super) fn defrag(
        &mut self,
        cx: &mut Context<'_>,
        ifindex: u32,
        ip: &Ipv4<'_>,
        user: DefragUser,
        out: &mut Vec<u8>,
    ) -> Option<usize> {
        let limits = (
            Duration::from_secs(self.sysctl.num("net.ipv4.ipfrag_time").max(0) as u64),
            self.sysctl.num("net.ipv4.ipfrag_high_thresh").max(0) as usize,
        );
        let r = self.defrag.queue(cx.now(), ip, user, limits, out);
        self.timers.set(TimerKey::Defrag, self.defrag.next_expiry());
        match r {
            Reasm::Held => None,
            Reasm::Done { frag_max_size } => Some(frag_max_size),
            Reasm::Dropped(why) => {
                self.drop_ip(cx, Some(ifindex), why, ip.packet(), |_, _| {});
                None
            }
        }
    }

    /// `ip_expire`: reassembly queues out of time. One whose first fragment came answers
    /// its source with "fragment reassembly time exceeded" — conntrack's queues only for a
    /// datagram to this host.
    pub(crate) fn defrag_expire(&mut self, cx: &mut Context<'_>) {
        while let Some(e) = self.defrag.pop_expired(cx.now()) {
            let Some(first) = e.first else { continue };
            let dst = Ipv4Addr::new(first[16], first[17], first[18], first[19]);
            // `frag_expire_skip_icmp`: conntrack's and a bridge's queues send only for a
            // datagram to this host.
            if e.user != DefragUser::LocalDeliver && !self.is_local(dst) {
                continue;
            }
            let sent = self.icmp_error(cx, &first, kind::TIME_EXCEEDED, code::FRAG_TIME, 0);
            self.drop_ip(cx, None, "ip fragment: reassembly timed out", &first, |_, c| {
                c.icmp = sent.then_some("fragment reassembly time exceeded");
            });
        }
        self.timers.set(TimerKey::Defrag, self.defrag.next_expiry());
    }

    /// The same with netfilter: PREROUTING (conntrack, DNAT), then INPUT and confirmation
    /// for us, or forwarding (FORWARD, POSTROUTING) for others.
    fn rx_ipv4_nf(
        &mut self,
        cx: &mut Context<'_>,
        ifindex: u32,
        pkt: PktType,
        buf: &mut [u8],
        frag_max: Option<usize>,
    ) {
        let Ok(t) = self.nf_pre(cx, buf, Some(ifindex), None) else { return };
        let dst = Ipv4Addr::new(buf[16], buf[17], buf[18], buf[19]);
        let bcast = self.is_broadcast(dst, Some(ifindex));
        if bcast || self.is_local(dst) {
            if self.nf_filter(cx, "INPUT", buf, Some(ifindex), None, &t).is_err() {
                return;
            }
            if self.nf_post(cx, buf, Some(ifindex), None, dst.into(), &t).is_err() {
                return;
            }
            if let Ok(ip) = Ipv4::new_checked(buf) {
                self.local_deliver(cx, ifindex, &ip, bcast);
            }
        } else if pkt == PktType::Host {
            self.forward(cx, ifindex, buf, Some(t), frag_max);
        } else {
            self.nf_forget(&t);
        }
    }

    /// `ip_forward`, reached only for unicast frames to our MAC with a foreign destination.
    /// `frag_max`: the datagram was reassembled (conntrack), and this was its largest
    /// fragment; it leaves in fragments no bigger.
    fn forward(
        &mut self,
        cx: &mut Context<'_>,
        in_if: u32,
        packet: &mut [u8],
        t: Option<super::hooks::Tracked>,
        frag_max: Option<usize>,
    ) {
        let forget = |ns: &mut Netns| {
            if let Some(t) = &t {
                ns.nf_forget(t);
            }
        };
        let ip = Ipv4::checked_before(packet);
        let orig = ip.packet();
        if !self.ifaces.get(&in_if).is_some_and(|i| i.forwarding) {
            // ip_route_input_slow: no forwarding → EHOSTUNREACH; ip_error sends nothing.
            self.counters.fwd_disabled += 1;
            self.drop_ip(cx, Some(in_if), "forwarding disabled", orig, |ns, c| {
                c.note = Some(ns.forwarding_note(in_if))
            });
            forget(self);
            return;
        }
        let Some(route) = self.fib.lookup(ip.dst(), None).cloned() else {
            forget(self);
            // ip_error: its own rate limit, then icmp_send's.
            let sent = self.icmp_rl.route_error(cx.now(), ip.src())
                && self.icmp_error(cx, orig, kind::DEST_UNREACH, code::NET_UNREACH, 0);
            self.drop_ip(cx, Some(in_if), "no route to host", orig, |ns, c| {
                c.note = Some(ns.no_route_note());
                c.icmp = sent.then_some("net unreachable");
            });
            return;
        };
        if ip.ttl() <= 1 {
            forget(self);
            let sent = self.icmp_error(cx, orig, kind::TIME_EXCEEDED, 0, 0);
            self.drop_ip(cx, Some(in_if), "ttl exceeded", orig, |_, c| {
                c.note = Some(format!("arrived with ttl {}", ip.ttl()));
                c.icmp = sent.then_some("time exceeded");
            });
            return;
        }
        // ip_exceeds_mtu: a forwarder goes by the device's MTU (not a learnt path MTU);
        // what is too big with DF is refused, the rest is cut after POSTROUTING.
        let mtu = self.ifaces.get(&route.dev).map_or(1500, |i| i.mtu) as usize;
        if orig.len() > mtu && ip.df() && frag_max.is_none_or(|m| m > mtu) {
            forget(self);
            let sent = self.icmp_error(cx, orig, kind::DEST_UNREACH, code::FRAG_NEEDED, mtu as u32);
            self.drop_ip(cx, Some(in_if), "fragmentation needed", orig, |ns, c| {
                let out = ns.ifaces.get(&route.dev).map_or("?", |i| i.name.as_str());
                c.note = Some(format!("{} bytes with DF, mtu {mtu} on {out}", orig.len()));
                c.icmp = sent.then_some("fragmentation needed");
            });
            return;
        }
        let nexthop = route.gateway.unwrap_or(ip.dst());
        let len = orig.len();
        let packet = &mut packet[..len];
        wire::decrement_ttl(packet);
        if let Some(t) = &t {
            let pass = self.nf_filter(cx, "FORWARD", packet, Some(in_if), Some(route.dev), t).is_ok()
                && self.nf_post(cx, packet, Some(in_if), Some(route.dev), nexthop.into(), t).is_ok();
            if !pass {
                return;
            }
        }
        self.counters.forwarded += 1;
        if packet.len() > mtu || frag_max.is_some() {
            // ip_do_fragment, to the smaller of the MTU and the largest original fragment;
            // DF only on a datagram whose largest fragment had it.
            let size = frag_max.map_or(mtu, |m| m.min(mtu));
            let df = frag_max.is_some() && packet[6] & 0x40 != 0;
            let mut buf = std::mem::take(&mut self.fragbuf);
            frag::fragment(packet, size, df, &mut buf, |f| self.neigh_xmit(cx, route.dev, nexthop, f));
            self.fragbuf = buf;
        } else {
            // A forwarded packet keeps its CHECKSUM_PARTIAL (ip_do_fragment resolves it).
            self.tx_csum_partial = cx.rx_csum_partial();
            self.neigh_xmit(cx, route.dev, nexthop, packet);
            self.tx_csum_partial = false;
        }
    }

    /// `ip_local_deliver`: a fragment to its reassembly queue (`ip_defrag`), then raw
    /// sockets, then the protocol.
    fn local_deliver(&mut self, cx: &mut Context<'_>, in_if: u32, ip: &Ipv4<'_>, bcast: bool) {
        if ip.is_fragment() {
            let mut buf = std::mem::take(&mut self.fragin);
            if self.defrag(cx, in_if, ip, DefragUser::LocalDeliver, &mut buf).is_some()
                && let Ok(whole) = Ipv4::new_checked(&buf)
            {
                self.deliver_whole(cx, in_if, &whole, bcast);
            }
            self.fragin = buf;
            return;
        }
        self.deliver_whole(cx, in_if, ip, bcast);
    }

    fn deliver_whole(&mut self, cx: &mut Context<'_>, in_if: u32, ip: &Ipv4<'_>, bcast: bool) {
        match ip.proto() {
            proto::ICMP => self.rx_icmp(cx, in_if, ip, bcast),
            proto::UDP => {
                let p = ip.payload();
                if p.len() < 8 {
                    // __udp4_lib_rcv: no room for the header, dropped without a word.
                    self.drop_ip(cx, Some(in_if), "udp: packet too short", ip.packet(), |_, _| {});
                    return;
                }
                let dport = u16::from_be_bytes([p[2], p[3]]);
                let sport = u16::from_be_bytes([p[0], p[1]]);
                // __udp4_lib_rcv: a length beyond the packet is dropped, a shorter one trims
                // it; a checksum that does not add up is dropped (UDP_MIB_CSUMERRORS).
                let ulen = usize::from(u16::from_be_bytes([p[4], p[5]]));
                let csum = u16::from_be_bytes([p[6], p[7]]);
                let bad = if ulen < 8 || ulen > p.len() {
                    Some("udp: bad length")
                } else if csum != 0
                    && !cx.rx_csum_partial()
                    && wire::checksum_with(wire::pseudo_header_sum(ip.src(), ip.dst(), proto::UDP, ulen), &p[..ulen])
                        != 0
                {
                    Some("udp: bad checksum")
                } else {
                    None
                };
                if let Some(why) = bad {
                    self.counters.rx_malformed += 1;
                    self.drop_ip(cx, Some(in_if), why, ip.packet(), |_, _| {});
                    return;
                }
                match self.udp_lookup(ip.dst().into(), dport, (ip.src(), sport).into(), in_if) {
                    Some(id) => {
                        let meta = Meta::Udp { in_if, src: ip.src().into(), dst: ip.dst().into(), sport, dport };
                        if !self.socks.push(id, meta, &p[8..ulen]) {
                            self.drop_ip(cx, Some(in_if), "udp: socket receive queue full", ip.packet(), |_, _| {});
                        }
                    }
                    // A broadcast no socket takes is consumed, not dropped (IGNOREDMULTI).
                    None if bcast => {}
                    None => {
                        let sent = self.icmp_error(cx, ip.packet(), kind::DEST_UNREACH, code::PORT_UNREACH, 0);
                        self.drop_ip(cx, Some(in_if), "udp: no socket", ip.packet(), |_, c| {
                            c.note = Some(format!("nothing listens on udp port {dport}"));
                            c.icmp = sent.then_some("port unreachable");
                        });
                    }
                }
            }
            // smoltcp takes TCP, and answers a port nobody listens on with RST; a raw TCP
            // socket first gets its copy (`raw_v4_input` runs before `tcp_v4_rcv`).
            proto::TCP if !bcast => {
                self.deliver_raw_tcp(cx, in_if, ip);
                self.l4_deliver(cx, ip.packet())
            }
            proto::TCP => {}
            _ => {
                if !bcast {
                    self.icmp_error(cx, ip.packet(), kind::DEST_UNREACH, code::PROT_UNREACH, 0);
                }
            }
        }
    }

    fn rx_icmp(&mut self, cx: &mut Context<'_>, in_if: u32, ip: &Ipv4<'_>, bcast: bool) {
        let m = ip.payload();
        if m.len() < 8 || wire::checksum(m) != 0 {
            self.counters.rx_malformed += 1;
            self.drop_ip(cx, Some(in_if), "bad icmp checksum", ip.packet(), |_, _| {});
            return;
        }
        self.deliver_raw_icmp(cx, in_if, ip);
        self.deliver_raw_tcp_error(cx, in_if, ip);
        if m[0] == kind::DEST_UNREACH && m[1] == code::FRAG_NEEDED {
            self.learn_pmtu(cx, m);
        }
        // Port unreachable about a datagram one of our UDP sockets sent: ECONNREFUSED
        // (`__udp4_lib_err`: the socket the quoted datagram came from, as a lookup of it
        // coming back finds it; a quoted header shorter than 20 bytes is dropped).
        if m[0] == kind::DEST_UNREACH && m[1] == code::PORT_UNREACH && m.len() >= 8 + 20 + 4 {
            let inner = &m[8..];
            let ihl = usize::from(inner[0] & 0x0f) * 4;
            if ihl >= 20 && inner[9] == proto::UDP && inner.len() >= ihl + 4 {
                let src = Ipv4Addr::new(inner[12], inner[13], inner[14], inner[15]);
                let dst = Ipv4Addr::new(inner[16], inner[17], inner[18], inner[19]);
                let port = |at: usize| u16::from_be_bytes([inner[at], inner[at + 1]]);
                self.udp_refused((src, port(ihl)).into(), (dst, port(ihl + 2)).into(), in_if);
            }
        }
        if m[0] != kind::ECHO_REQUEST {
            return;
        }
        if self.sysctl.hot().icmp_echo_ignore_all || (bcast && self.sysctl.hot().icmp_echo_ignore_broadcasts) {
            return;
        }
        let src = if bcast { self.select_src(in_if, ip.src()) } else { Some(ip.dst()) };
        let mut reply = std::mem::take(&mut self.icmpbuf);
        reply.clear();
        icmp::build_echo_reply(&mut reply, m);
        let tos = ip.header()[1];
        let spec = OutSpec {
            dst: ip.src(),
            src,
            proto: proto::ICMP,
            ttl: None,
            tos,
            pmtudisc: super::Pmtudisc::Dont,
            oif: None,
        };
        let _ = self.output(cx, &spec, &reply);
        self.icmpbuf = reply;
    }

    /// "Fragmentation needed" about a packet we sent (`icmp_unreach` with
    /// `ip_no_pmtu_disc` 0): the path MTU its quoted destination has from now — when the
    /// quoted packet is ICMP (ping's raw socket, or the kernel's echo reply), or UDP from a
    /// port a socket of ours holds (`__udp4_lib_err` finds no other).
    fn learn_pmtu(&mut self, cx: &mut Context<'_>, m: &[u8]) {
        let inner = &m[8..];
        if inner.len() < 20 || inner[0] >> 4 != 4 || inner[0] & 0x0f < 5 {
            return;
        }
        let ihl = usize::from(inner[0] & 0x0f) * 4;
        let src = Ipv4Addr::new(inner[12], inner[13], inner[14], inner[15]);
        let dst = Ipv4Addr::new(inner[16], inner[17], inner[18], inner[19]);
        let ours = match inner[9] {
            proto::ICMP => true,
            proto::UDP => inner.get(ihl..ihl + 2).is_some_and(|p| {
                let sport = u16::from_be_bytes([p[0], p[1]]);
                self.udp_port_bound(false, sport)
            }),
            _ => false,
        };
        if !ours || !self.is_local(src) {
            return;
        }
        let Ok(r) = self.route_output(dst, Some(src), None) else { return };
        let now = cx.now();
        let current = self.path_mtu(r.ifindex, dst, now);
        self.pmtu.update(dst, u32::from(u16::from_be_bytes([m[6], m[7]])), current, now);
    }

    /// Puts a frame on every packet socket on `ifindex` (dhclient's LPF).
    fn deliver_packet_sockets(&mut self, cx: &mut Context<'_>, ifindex: u32, frame: &[u8]) {
        let mut from = SocketId(0);
        while let Some(id) = self.socks.next_packet(from, ifindex) {
            from = id.succ();
            if !self.socks.push(id, Meta::Frame { ifindex }, frame) {
                cx.drop_frame(Some(sim_core::PortId(ifindex)), "packet: socket receive queue full");
            }
        }
    }

    /// An ICMP error quoting TCP sent to the peer of a raw TCP socket goes on that socket's
    /// error queue (`raw_icmp_error`, with `IP_RECVERR`).
    fn deliver_raw_tcp_error(&mut self, cx: &mut Context<'_>, in_if: u32, ip: &Ipv4<'_>) {
        let m = ip.payload();
        let is_error = matches!(m[0], kind::DEST_UNREACH | kind::TIME_EXCEEDED | kind::PARAM_PROB);
        let inner = &m[8..];
        if !is_error || inner.len() < 20 || inner[9] != proto::TCP {
            return;
        }
        let quoted_dst = Ipv4Addr::new(inner[16], inner[17], inner[18], inner[19]);
        let mut from = SocketId(0);
        while let Some(id) = self.socks.next_raw_tcp(from, quoted_dst.into()) {
            from = id.succ();
            let meta = Meta::IcmpError { src: ip.src(), dst: ip.dst(), ttl: ip.ttl() };
            if !self.socks.push(id, meta, m) {
                self.drop_ip(cx, Some(in_if), "raw: socket receive queue full", ip.packet(), |_, _| {});
            }
        }
    }

    /// Puts a copy of a TCP segment on every raw TCP socket connected to its source.
    fn deliver_raw_tcp(&mut self, cx: &mut Context<'_>, in_if: u32, ip: &Ipv4<'_>) {
        let mut from = SocketId(0);
        while let Some(id) = self.socks.next_raw_tcp(from, ip.src().into()) {
            from = id.succ();
            let meta = Meta::Icmp { src: ip.src(), dst: ip.dst(), ttl: ip.ttl() };
            if !self.socks.push(id, meta, ip.payload()) {
                self.drop_ip(cx, Some(in_if), "raw: socket receive queue full", ip.packet(), |_, _| {});
            }
        }
    }

    /// Puts a copy of an ICMP packet on every raw ICMP socket whose bound address (if any)
    /// is the destination.
    fn deliver_raw_icmp(&mut self, cx: &mut Context<'_>, in_if: u32, ip: &Ipv4<'_>) {
        let mut from = SocketId(0);
        while let Some(id) = self.socks.next_raw_icmp(from, ip.dst()) {
            from = id.succ();
            let meta = Meta::Icmp { src: ip.src(), dst: ip.dst(), ttl: ip.ttl() };
            if !self.socks.push(id, meta, ip.payload()) {
                self.drop_ip(cx, Some(in_if), "raw: socket receive queue full", ip.packet(), |_, _| {});
            }
        }
    }
}
