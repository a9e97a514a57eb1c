//! Output paths: route selection, IP output, the neighbour layer, ARP and ICMP errors,
//! loopback.

use super::icmp::{self, Limits};
use super::neigh::Action;
use super::{LO, Netns, TimerKey};
use crate::wire::{self, Ipv4Fields, arp::Arp, ethertype, proto};
use sim_core::{Context, Direction, Duration, Instant, MacAddr, PortId};
use std::fmt;
use std::net::Ipv4Addr;

/// Time a packet spends on the loopback device (the kernel's backlog round trip is of this
/// order; it keeps `ping 127.0.0.1` from printing 0.000 ms).
pub const LOOPBACK_DELAY: Duration = Duration::from_micros(10);

/// Packets the loopback backlog holds before it drops (`net.core.netdev_max_backlog`,
/// default 1000; `enqueue_to_backlog` takes a packet while the queue holds at most that).
pub const NETDEV_MAX_BACKLOG: usize = 1000;

/// The errno a socket call returns, with its `strerror` text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Errno {
    /// ENETUNREACH.
    NetUnreach,
    /// EHOSTUNREACH.
    HostUnreach,
    /// EADDRNOTAVAIL.
    AddrNotAvail,
    /// EMSGSIZE.
    MsgSize,
    /// EACCES (sending to a broadcast address without SO_BROADCAST).
    Access,
    /// ENODEV.
    NoDev,
    /// EINVAL.
    Inval,
    /// EPERM (a netfilter rule dropped it).
    Perm,
    /// EADDRINUSE.
    AddrInUse,
    /// ENOBUFS (the device's qdisc dropped the packet: `NET_XMIT_DROP`).
    NoBufs,
    /// EAFNOSUPPORT (an IPv4 socket given an IPv6 address).
    AfNoSupport,
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Errno::NetUnreach => "Network is unreachable",
            Errno::HostUnreach => "No route to host",
            Errno::AddrNotAvail => "Cannot assign requested address",
            Errno::MsgSize => "Message too long",
            Errno::Access => "Permission denied",
            Errno::NoDev => "No such device",
            Errno::Inval => "Invalid argument",
            Errno::Perm => "Operation not permitted",
            Errno::AddrInUse => "Address already in use",
            Errno::NoBufs => "No buffer space available",
            Errno::AfNoSupport => "Address family not supported by protocol",
        })
    }
}

/// What a local sender asks of IP output.
#[derive(Clone, Copy, Debug)]
pub struct OutSpec {
    /// Destination.
    pub dst: Ipv4Addr,
    /// Source, if bound; otherwise chosen by the route.
    pub src: Option<Ipv4Addr>,
    /// Protocol.
    pub proto: u8,
    /// TTL; `None` is `net.ipv4.ip_default_ttl`.
    pub ttl: Option<u8>,
    /// TOS byte.
    pub tos: u8,
    /// What to do with a packet bigger than the path MTU (`IP_MTU_DISCOVER`).
    pub pmtudisc: Pmtudisc,
    /// Bound device (SO_BINDTODEVICE).
    pub oif: Option<u32>,
}

/// `IP_MTU_DISCOVER`: whether a socket's packets carry DF, and what becomes of one bigger
/// than the path MTU.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Pmtudisc {
    /// `IP_PMTUDISC_DONT`: no DF; fragmented (the kernel's own ICMP socket).
    Dont,
    /// `IP_PMTUDISC_WANT`, every socket's default: DF when the packet fits the path MTU,
    /// else fragmented without it.
    #[default]
    Want,
    /// `IP_PMTUDISC_DO`: always DF; a packet bigger than the path MTU is refused with
    /// `EMSGSIZE` (`ping -M do`).
    Do,
}

/// Where a locally originated packet goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RouteOut {
    /// Output interface (`lo` for local destinations).
    pub ifindex: u32,
    /// Next hop.
    pub nexthop: Ipv4Addr,
    /// Source address.
    pub src: Ipv4Addr,
    /// The destination is a broadcast address.
    pub broadcast: bool,
}

impl Netns {
    /// `ip_route_output`: where a packet to `dst` from this host goes.
    pub fn route_output(&self, dst: Ipv4Addr, src: Option<Ipv4Addr>, oif: Option<u32>) -> Result<RouteOut, Errno> {
        if self.is_local(dst) {
            return Ok(RouteOut { ifindex: LO, nexthop: dst, src: src.unwrap_or(dst), broadcast: false });
        }
        if dst.is_broadcast() {
            let dev = match (oif, src) {
                (Some(o), _) => Some(o),
                (None, Some(s)) => {
                    self.ifaces.values().find(|i| i.addrs.iter().any(|a| a.addr == s)).map(|i| i.ifindex)
                }
                (None, None) => None,
            };
            if let Some(dev) = dev {
                if !self.ifaces.get(&dev).is_some_and(|i| i.admin_up) {
                    return Err(Errno::NetUnreach);
                }
                let src = src.or_else(|| self.select_src(dev, dst)).unwrap_or(Ipv4Addr::UNSPECIFIED);
                return Ok(RouteOut { ifindex: dev, nexthop: dst, src, broadcast: true });
            }
        }
        let (dev, gw, prefsrc) = match self.fib.lookup(dst, oif) {
            Some(r) => (r.dev, r.gateway, r.src),
            None => match oif {
                // SO_BINDTODEVICE with no route: the kernel assumes the destination is on-link.
                Some(o) if self.ifaces.get(&o).is_some_and(|i| i.admin_up) => (o, None, None),
                Some(_) => return Err(Errno::NetUnreach),
                None => return Err(Errno::NetUnreach),
            },
        };
        let nexthop = gw.unwrap_or(dst);
        let src = src.or(prefsrc).or_else(|| self.select_src(dev, nexthop)).unwrap_or(Ipv4Addr::UNSPECIFIED);
        Ok(RouteOut { ifindex: dev, nexthop, src, broadcast: self.is_broadcast(dst, Some(dev)) })
    }

    /// Sends an IP packet from this host (`ip_queue_xmit` / raw `sendmsg`). Errors are the
    /// ones `sendmsg` returns; later losses (no ARP answer, no carrier) are silent.
    pub fn output(&mut self, cx: &mut Context<'_>, spec: &OutSpec, payload: &[u8]) -> Result<(), Errno> {
        let mut pkt = std::mem::take(&mut self.pktbuf);
        pkt.clear();
        pkt.resize(20, 0);
        pkt.extend_from_slice(payload);
        let res = self.output_built(cx, spec, &mut pkt);
        self.pktbuf = pkt;
        res
    }

    /// [`output`](Self::output) of a payload already in place behind 20 bytes of room for
    /// the IP header (`pkt`), so that a sender builds its segment once.
    pub(crate) fn output_built(&mut self, cx: &mut Context<'_>, spec: &OutSpec, pkt: &mut [u8]) -> Result<(), Errno> {
        let r = self.route_output(spec.dst, spec.src, spec.oif)?;
        self.output_routed(cx, spec, r, pkt)
    }

    /// [`output_built`](Self::output_built) by route `r`, which the sender looked up
    /// already (for its source address): one lookup per packet, not two.
    pub(crate) fn output_routed(
        &mut self,
        cx: &mut Context<'_>,
        spec: &OutSpec,
        r: RouteOut,
        pkt: &mut [u8],
    ) -> Result<(), Errno> {
        let payload_len = pkt.len() - 20;
        let ttl = spec.ttl.unwrap_or(self.sysctl.hot().ip_default_ttl);
        // `ip_select_ident_segs`: DF that is not to be ignored (IP_PMTUDISC_DO) on a
        // datagram of an unconnected socket — every sender through here — is ID 0; WANT
        // and DONT (`ignore_df`) draw one.
        let id = if spec.pmtudisc == Pmtudisc::Do { 0 } else { self.next_ip_id() };
        let fields = Ipv4Fields { src: r.src, dst: spec.dst, proto: spec.proto, ttl, id, df: false, tos: spec.tos };
        // __ip_append_data: the path MTU decides; DO refuses what does not fit, WANT sets
        // DF on what does (`__ip_make_skb`), the rest is fragmented after POSTROUTING.
        let mtu = self.path_mtu(r.ifindex, spec.dst, cx.now()) as usize;
        let total = pkt.len();
        if total > 0xffff || (spec.pmtudisc == Pmtudisc::Do && total > mtu) {
            return Err(Errno::MsgSize);
        }
        let fields = Ipv4Fields {
            df: match spec.pmtudisc {
                Pmtudisc::Dont => false,
                // ip_dont_fragment: not when the path MTU is locked.
                Pmtudisc::Want => total <= mtu && !self.pmtu.get(spec.dst, cx.now()).is_some_and(|e| e.locked),
                Pmtudisc::Do => true,
            },
            ..fields
        };
        wire::write_ipv4(pkt, &fields, payload_len);
        self.send_local(cx, r, pkt, spec.oif, mtu)
    }

    /// The path-MTU exception for `dst`, if one holds at `now`: its MTU, time left, and
    /// whether it is locked.
    pub fn pmtu_exception(&self, dst: Ipv4Addr, now: Instant) -> Option<(u32, Duration, bool)> {
        self.pmtu.get(dst, now).map(|e| (e.mtu, e.expires - now, e.locked))
    }

    /// The MTU of the path to `dst` out of `ifindex` (`dst_mtu`): the device's, or lower
    /// where "fragmentation needed" said so (a path-MTU exception); never above
    /// `IP_MAX_MTU` (65535, `ipv4_mtu`).
    pub fn path_mtu(&self, ifindex: u32, dst: Ipv4Addr, now: Instant) -> u32 {
        let dev = self.ifaces.get(&ifindex).map_or(1500, |i| i.mtu).min(0xffff);
        match self.pmtu.get(dst, now) {
            Some(e) if ifindex != LO => e.mtu.min(dev),
            _ => dev,
        }
    }

    /// Sends an IP packet smoltcp built (a TCP segment) the way our own go.
    pub(crate) fn output_ip(&mut self, cx: &mut Context<'_>, pkt: &mut [u8]) -> Result<(), Errno> {
        if pkt.len() < 20 {
            return Err(Errno::Inval);
        }
        if pkt.len() > 0xffff {
            return Err(Errno::MsgSize);
        }
        let src = Ipv4Addr::new(pkt[12], pkt[13], pkt[14], pkt[15]);
        let dst = Ipv4Addr::new(pkt[16], pkt[17], pkt[18], pkt[19]);
        let r = self.route_output(dst, Some(src), None)?;
        // The socket's IP_PMTUDISC_WANT: DF (smoltcp sets it) only on what fits the path.
        let mtu = self.path_mtu(r.ifindex, dst, cx.now()) as usize;
        if pkt.len() > mtu || self.pmtu.get(dst, cx.now()).is_some_and(|e| e.locked) {
            pkt[6] &= !0x40;
        }
        // Linux's own IP ID and TTL for this namespace (smoltcp's are its own).
        let id = self.next_ip_id();
        pkt[4..6].copy_from_slice(&id.to_be_bytes());
        pkt[8] = self.sysctl.hot().ip_default_ttl;
        pkt[10..12].copy_from_slice(&[0, 0]);
        let c = wire::checksum(&pkt[..20]);
        pkt[10..12].copy_from_slice(&c.to_be_bytes());
        self.send_local(cx, r, pkt, None, mtu)
    }

    /// A locally made packet after routing: OUTPUT and POSTROUTING, then onto the wire,
    /// in fragments of at most `mtu` bytes if it is bigger.
    fn send_local(
        &mut self,
        cx: &mut Context<'_>,
        mut r: RouteOut,
        pkt: &mut [u8],
        oif: Option<u32>,
        mut mtu: usize,
    ) -> Result<(), Errno> {
        let first_dst = Ipv4Addr::new(pkt[16], pkt[17], pkt[18], pkt[19]);
        if self.nf_active() {
            // OUTPUT (conntrack, DNAT — which may reroute — and the filter), POSTROUTING.
            let pass = match self.nf_pre(cx, pkt, None, Some(r.ifindex)) {
                Ok(t) => {
                    let dst = Ipv4Addr::new(pkt[16], pkt[17], pkt[18], pkt[19]);
                    if dst != first_dst
                        && let Ok(nr) = self.route_output(dst, Some(r.src), oif)
                    {
                        r = nr;
                        mtu = self.path_mtu(nr.ifindex, dst, cx.now()) as usize;
                    }
                    self.nf_filter(cx, "OUTPUT", pkt, None, Some(r.ifindex), &t).is_ok()
                        && self.nf_post(cx, pkt, None, Some(r.ifindex), r.nexthop.into(), &t).is_ok()
                }
                Err(_) => false,
            };
            if !pass {
                return Err(Errno::Perm);
            }
        }
        let mut send = |ns: &mut Self, p: &[u8]| {
            if r.broadcast {
                ns.xmit(cx, r.ifindex, MacAddr::BROADCAST, ethertype::IPV4, p)
            } else {
                ns.neigh_xmit(cx, r.ifindex, r.nexthop, p)
            }
        };
        let refused = if pkt.len() > mtu {
            // ip_fragment: the first refused fragment ends it, the rest are not sent. It
            // resolves a CHECKSUM_PARTIAL first (skb_checksum_help).
            let partial = std::mem::replace(&mut self.tx_csum_partial, false);
            let mut buf = std::mem::take(&mut self.fragbuf);
            let refused = super::frag::fragment(pkt, mtu, false, &mut buf, |f| send(self, f));
            self.fragbuf = buf;
            self.tx_csum_partial = partial;
            refused
        } else {
            send(self, pkt)
        };
        // `net_xmit_errno`: the qdisc's NET_XMIT_DROP reaches the sender as ENOBUFS (a
        // packet that waits for its neighbour is not refused, whatever happens to it).
        if refused { Err(Errno::NoBufs) } else { Ok(()) }
    }

    /// Sends an IP packet to `nexthop` out of `ifindex`, resolving its address first. True
    /// when the device's qdisc refused it with `NET_XMIT_DROP` (see [`Netns::xmit`]).
    pub(crate) fn neigh_xmit(&mut self, cx: &mut Context<'_>, ifindex: u32, nexthop: Ipv4Addr, packet: &[u8]) -> bool {
        let Some(i) = self.ifaces.get(&ifindex) else { return false };
        if i.is_loopback() {
            return self.xmit(cx, ifindex, MacAddr::ZERO, ethertype::IPV4, packet);
        }
        // Without carrier the route (marked linkdown) is still used: the packet waits for
        // its neighbour like any other, whose ARP requests are lost on the dead link, and
        // goes if the carrier returns before ARP gives up (which drops it silently when
        // `lo` is down: the error to the sender cannot be delivered).
        if !i.admin_up {
            self.drop_ip(cx, Some(ifindex), "interface down", packet, |_, _| {});
            return false;
        }
        if self.is_broadcast(nexthop, Some(ifindex)) {
            return self.xmit(cx, ifindex, MacAddr::BROADCAST, ethertype::IPV4, packet);
        }
        let parms = i.neigh.clone();
        let mut acts = std::mem::take(&mut self.acts);
        let mac = self.neigh.output(&parms, cx.now(), (ifindex, nexthop), packet, &mut self.timers, &mut acts);
        self.pending.extend(acts.drain(..));
        self.acts = acts;
        let refused = mac.is_some_and(|mac| self.xmit(cx, ifindex, mac, ethertype::IPV4, packet));
        // What the neighbour table sends now (a solicitation, packets that waited) is not
        // this packet: it goes without the packet's CHECKSUM_PARTIAL.
        let partial = std::mem::replace(&mut self.tx_csum_partial, false);
        self.run_pending(cx);
        self.tx_csum_partial = partial;
        refused
    }

    /// Runs `send` with what it puts on the wire marked `CHECKSUM_PARTIAL`, as Linux leaves
    /// a local TCP or UDP segment on a veth, so that no receiver verifies its checksum. A
    /// packet that waits for its neighbour or goes in fragments loses the mark (which
    /// only ever spares a receiver a sum: the sim writes whole checksums).
    pub(crate) fn csum_partial<R>(&mut self, send: impl FnOnce(&mut Netns) -> R) -> R {
        self.tx_csum_partial = true;
        let r = send(self);
        self.tx_csum_partial = false;
        r
    }

    /// Puts a frame on the wire (or on the loopback queue). True when the device's qdisc
    /// refused it with `NET_XMIT_DROP` (a local sender's `ENOBUFS`).
    pub(crate) fn xmit(&mut self, cx: &mut Context<'_>, ifindex: u32, dst: MacAddr, et: u16, payload: &[u8]) -> bool {
        let Some(i) = self.ifaces.get(&ifindex) else { return false };
        if i.is_loopback() {
            if !i.admin_up {
                cx.drop_frame(Some(PortId(LO)), "loopback down");
                return false;
            }
            let mut f = Vec::with_capacity(14 + payload.len());
            wire::push_ethernet(&mut f, MacAddr::ZERO, MacAddr::ZERO, et);
            f.extend_from_slice(payload);
            let now = cx.now();
            let refused = match self.tc.dev_mut(LO).filter(|d| d.shaped()) {
                Some(d) => {
                    let q = &mut self.lo_queue;
                    let mut st = self.ifaces.get_mut(&LO).map(|i| &mut i.stats);
                    let refused =
                        d.xmit(now, &f, &mut |f| loopback_push(cx, (&mut *q, st.as_deref_mut()), now, f.to_vec()));
                    self.timers.set(TimerKey::Qdisc(LO), d.wakeup());
                    refused
                }
                None => {
                    let st = self.ifaces.get_mut(&LO).map(|i| &mut i.stats);
                    loopback_push(cx, (&mut self.lo_queue, st), now, f);
                    false
                }
            };
            if self.timers.get(TimerKey::Loopback).is_none()
                && let Some((t, _)) = self.lo_queue.front()
            {
                self.timers.set(TimerKey::Loopback, Some(*t));
            }
            return refused;
        }
        if !i.is_running() {
            let why = if i.admin_up { "no carrier" } else { "interface down" };
            // veth_xmit: a peer that is down drops the frame, counted as the device's.
            if i.admin_up
                && matches!(i.kind, super::iface::IfKind::Veth { .. })
                && let Some(i) = self.ifaces.get_mut(&ifindex)
            {
                i.stats.tx_dropped += 1;
            }
            match et {
                ethertype::IPV4 => self.drop_ip(cx, Some(ifindex), why, payload, |_, _| {}),
                _ => self.drop_l2(cx, ifindex, why),
            }
            return false;
        }
        let (src, bridge) = (i.mac, i.is_bridge());
        if !bridge && (!self.tc.any_shaped() || !self.tc.dev(ifindex).is_some_and(|d| d.shaped())) {
            // The common case: built in the buffer the world carries, not copied again.
            let mut f = cx.buffer();
            wire::push_ethernet(&mut f, dst, src, et);
            f.extend_from_slice(payload);
            count_out(&mut self.ifaces, ifindex, f.len());
            match self.tx_csum_partial {
                true => cx.send_buffer_csum_partial(PortId(ifindex), f),
                false => cx.send_buffer(PortId(ifindex), f),
            }
            self.counters.tx_frames += 1;
            return false;
        }
        let mut f = std::mem::take(&mut self.frame);
        f.clear();
        wire::push_ethernet(&mut f, dst, src, et);
        f.extend_from_slice(payload);
        let refused = if bridge {
            self.bridge_tx(cx, ifindex, &f);
            false
        } else {
            dev_queue_xmit(&mut self.tc, &mut self.timers, &mut self.ifaces, cx, ifindex, &f)
        };
        self.counters.tx_frames += 1;
        self.frame = f;
        refused
    }

    /// A device's qdisc is due: it sends what it lets out now (`lo` loops it back).
    pub(crate) fn qdisc_run(&mut self, cx: &mut Context<'_>, ifindex: u32) {
        let Some(d) = self.tc.dev_mut(ifindex) else { return };
        let now = cx.now();
        if ifindex == LO {
            let q = &mut self.lo_queue;
            let mut st = self.ifaces.get_mut(&LO).map(|i| &mut i.stats);
            d.run(now, &mut |f| loopback_push(cx, (&mut *q, st.as_deref_mut()), now, f.to_vec()));
            if self.timers.get(TimerKey::Loopback).is_none()
                && let Some((t, _)) = self.lo_queue.front()
            {
                self.timers.set(TimerKey::Loopback, Some(*t));
            }
        } else {
            let ifaces = &mut self.ifaces;
            d.run(now, &mut |f| wire_out(cx, ifaces, ifindex, f));
        }
        self.timers.set(TimerKey::Qdisc(ifindex), d.wakeup());
    }

    /// Delivers what is due on the loopback queue.
    pub(crate) fn drain_loopback(&mut self, cx: &mut Context<'_>) {
        while self.lo_queue.front().is_some_and(|(t, _)| *t <= cx.now()) {
            // Each packet looped back is an event of its own for the event budget.
            if !cx.event() {
                break;
            }
            let Some((_, mut f)) = self.lo_queue.pop_front() else { break };
            if f.len() >= 14 && u16::from_be_bytes([f[12], f[13]]) == ethertype::IPV4 {
                self.rx_ipv4(cx, LO, super::rx::PktType::Host, &mut f[14..]);
            }
        }
        if let Some((t, _)) = self.lo_queue.front() {
            let t = *t;
            self.timers.set(TimerKey::Loopback, Some(t));
        }
    }

    /// Sends an ARP packet: Ethernet destination `eth_dst`, sender = this interface.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn send_arp(
        &mut self,
        cx: &mut Context<'_>,
        ifindex: u32,
        op: u16,
        eth_dst: MacAddr,
        spa: Ipv4Addr,
        tha: MacAddr,
        tpa: Ipv4Addr,
    ) {
        let Some(i) = self.ifaces.get(&ifindex) else { return };
        let body = Arp { op, sha: i.mac, spa, tha, tpa }.to_bytes();
        self.xmit(cx, ifindex, eth_dst, ethertype::ARP, &body);
    }

    /// `icmp_send`: an ICMP error about `orig`, back to its source, rate limited.
    pub(crate) fn icmp_error(&mut self, cx: &mut Context<'_>, orig: &[u8], t: u8, c: u8, info: u32) -> bool {
        if !icmp::may_answer(orig) {
            return false;
        }
        let osrc = Ipv4Addr::new(orig[12], orig[13], orig[14], orig[15]);
        let odst = Ipv4Addr::new(orig[16], orig[17], orig[18], orig[19]);
        let saddr = if self.is_local(odst) { Some(odst) } else { None };
        let Ok(route) = self.route_output(osrc, saddr, None) else { return false };
        if route.ifindex != LO {
            let lim = Limits {
                ratelimit: Duration::from_millis(self.sysctl.num("net.ipv4.icmp_ratelimit").max(0) as u64),
                ratemask: self.sysctl.num("net.ipv4.icmp_ratemask") as u32,
                per_sec: self.sysctl.num("net.ipv4.icmp_msgs_per_sec").max(0) as u64,
                burst: self.sysctl.num("net.ipv4.icmp_msgs_burst").max(0) as u64,
            };
            if !self.icmp_rl.allow(&lim, cx.now(), osrc, t, c) {
                self.counters.icmp_ratelimited += 1;
                return false;
            }
        }
        let mut body = Vec::with_capacity(8 + orig.len().min(548));
        icmp::build_error(&mut body, t, c, info, orig);
        let tos = (orig[1] & 0x1e) | 0xc0;
        let spec = super::OutSpec {
            dst: osrc,
            src: Some(route.src),
            proto: proto::ICMP,
            ttl: None,
            tos,
            pmtudisc: super::Pmtudisc::Dont,
            oif: None,
        };
        let _ = self.output(cx, &spec, &body);
        true
    }

    /// Carries out what the neighbour table asked for, in order (a FIFO: an ICMP error
    /// about a packet that could not be resolved may queue more, which a call from inside
    /// takes in the same order).
    pub(crate) fn run_pending(&mut self, cx: &mut Context<'_>) {
        while let Some(a) = self.pending.pop_front() {
            match a {
                Action::Solicit { ifindex, target, unicast, saddr } => {
                    let spa = saddr
                        .filter(|s| self.is_local(*s))
                        .or_else(|| self.select_src(ifindex, target))
                        .unwrap_or(Ipv4Addr::UNSPECIFIED);
                    self.send_arp(
                        cx,
                        ifindex,
                        wire::arp::REQUEST,
                        unicast.unwrap_or(MacAddr::BROADCAST),
                        spa,
                        MacAddr::ZERO,
                        target,
                    );
                }
                Action::Send { ifindex, mac, packet } => {
                    // Its sender was answered when it queued: a refusal now tells no one.
                    self.xmit(cx, ifindex, mac, ethertype::IPV4, &packet);
                }
                Action::Failed { ifindex, nexthop, packet } => {
                    let sent = self.icmp_error(cx, &packet, icmp::kind::DEST_UNREACH, icmp::code::HOST_UNREACH, 0);
                    self.drop_ip(cx, Some(ifindex), "neighbour failed", &packet, |_, c| {
                        c.note = Some(format!("no ARP reply from {nexthop}"));
                        c.icmp = sent.then_some("host unreachable");
                    });
                }
                Action::Changed(key) => self.neigh_event(cx, key),
            }
        }
    }

    fn neigh_event(&mut self, cx: &mut Context<'_>, key: super::neigh::NeighKey) {
        let Some(n) = self.neigh.get(key) else { return };
        let Some(i) = self.ifaces.get(&key.0) else { return };
        let text = crate::show::neigh_line(key.1, &i.name, n);
        cx.record(sim_core::Record::Event { at: cx.now(), node: cx.node(), table: "neigh", text });
    }
}

/// `dev_queue_xmit`: a frame leaves through device `ifindex` — at once when the device has
/// no qdisc of its own (`noqueue`), else through its qdisc, whose next run is scheduled.
/// True when the qdisc refused it with `NET_XMIT_DROP`.
pub(crate) fn dev_queue_xmit(
    tc: &mut crate::tc::Tc,
    timers: &mut super::timers::Timers<TimerKey>,
    ifaces: &mut Ifaces,
    cx: &mut Context<'_>,
    ifindex: u32,
    frame: &[u8],
) -> bool {
    if !tc.any_shaped() {
        wire_out(cx, ifaces, ifindex, frame);
        return false;
    }
    match tc.dev_mut(ifindex) {
        Some(d) if d.shaped() => {
            let now = cx.now();
            let refused = d.xmit(now, frame, &mut |f| wire_out(cx, ifaces, ifindex, f));
            if timers.get(TimerKey::Qdisc(ifindex)) != d.wakeup() {
                timers.set(TimerKey::Qdisc(ifindex), d.wakeup());
            }
            refused
        }
        _ => {
            wire_out(cx, ifaces, ifindex, frame);
            false
        }
    }
}

/// A namespace's interfaces by ifindex.
pub(crate) type Ifaces = std::collections::BTreeMap<u32, Box<super::iface::Iface>>;

/// The device hands a frame to its link (`ndo_start_xmit`): counted as sent, or — a veth
/// whose peer went down while the frame waited in a qdisc — as dropped.
fn wire_out(cx: &mut Context<'_>, ifaces: &mut Ifaces, ifindex: u32, frame: &[u8]) {
    count_out(ifaces, ifindex, frame.len());
    cx.send(PortId(ifindex), frame);
}

/// [`wire_out`]'s counting: a frame of `len` bytes sent, or dropped without a carrier.
fn count_out(ifaces: &mut Ifaces, ifindex: u32, len: usize) {
    if let Some(i) = ifaces.get_mut(&ifindex) {
        if i.carrier {
            i.stats.tx(len);
        } else {
            i.stats.tx_dropped += 1;
        }
    }
}

/// What `lo` transmits: captured, then looped back after [`LOOPBACK_DELAY`] unless the
/// backlog is full.
fn loopback_push(
    cx: &mut Context<'_>,
    (q, stats): (&mut std::collections::VecDeque<(Instant, Vec<u8>)>, Option<&mut super::iface::IfStats>),
    now: Instant,
    f: Vec<u8>,
) {
    let lo = || Some(sim_core::capture::PortInfo { name: "lo".into(), mac: MacAddr::default(), loopback: true });
    cx.capture(PortId(LO), Direction::Out, &f, lo);
    if q.len() > NETDEV_MAX_BACKLOG {
        cx.drop_frame(Some(PortId(LO)), "backlog full");
        return;
    }
    // loopback_xmit: what the backlog took, once, in counters `lo` shows as both received
    // and sent; the length after `eth_type_trans` (no Ethernet header).
    if let Some(s) = stats {
        s.rx(f.len().saturating_sub(14));
        s.tx(f.len().saturating_sub(14));
    }
    q.push_back((now + LOOPBACK_DELAY, f));
}
