//! The namespace's side of bridging: bridge devices and their ports, enslaving with the
//! kernel's checks, carrier, the receive and transmit paths through a [`Bridge`], FDB
//! ageing, FDB events for the trace, and br_netfilter (bridged IPv4 through iptables, its
//! fragments reassembled first and cut again per port).

use super::bridge::{Bridge, Verdict};
use super::frag::{self, DefragUser};
use super::iface::IfKind;
use super::{Netns, TimerKey};
use crate::wire;
use sim_core::rng::NodeRng;
use sim_core::{Context, Direction, Duration, Instant, MacAddr, PortId, Record};

/// Why a device cannot be enslaved or released.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BridgeError {
    /// `master` names something that is not a bridge.
    #[error("RTNETLINK answers: Operation not supported")]
    NotABridge,
    /// A bridge (or the bridge itself) as a port.
    #[error("Error: Can not enslave a bridge to a bridge.")]
    BridgeIntoBridge,
    /// `lo` cannot be a port.
    #[error("RTNETLINK answers: Invalid argument")]
    Loopback,
}

impl Netns {
    /// `ip link add NAME type bridge`: a bridge with a random address, down, no ports.
    pub fn add_bridge(&mut self, rng: &mut NodeRng, name: &str, mac: MacAddr, now: Instant) -> u32 {
        let ix = self.add_iface(rng, name, IfKind::Bridge, mac, None);
        let mut br = Bridge::default();
        br.add_local(mac, ix, now);
        self.bridges.insert(ix, br);
        if let Some(i) = self.ifaces.get_mut(&ix) {
            i.carrier = true;
        }
        ix
    }

    /// `bridge link set dev PORT …`: a port's options (`None` when it is no bridge's port).
    pub fn set_port_opts(&mut self, port: u32, f: impl FnOnce(&mut super::bridge::PortOpts)) -> Option<()> {
        let m = self.ifaces.get(&port)?.master?;
        let b = self.bridges.get_mut(&m)?;
        let mut o = b.port_opts(port);
        f(&mut o);
        b.set_port_opts(port, o);
        Some(())
    }

    /// `mcast_snooping 0` on bridge `br`.
    pub fn set_no_snooping(&mut self, br: u32) {
        if let Some(b) = self.bridges.get_mut(&br) {
            b.no_snooping = true;
        }
    }

    /// A bridge's switching state.
    pub fn bridge(&self, ifindex: u32) -> Option<&Bridge> {
        self.bridges.get(&ifindex)
    }

    /// `ip link set PORT master BR` (`Some`) or `nomaster` (`None`). A port with another
    /// master moves, as Linux moves it.
    pub fn set_master(&mut self, port: u32, master: Option<u32>, now: Instant) -> Result<(), BridgeError> {
        let Some(p) = self.ifaces.get(&port) else { return Ok(()) };
        if let Some(m) = master {
            if !self.bridges.contains_key(&m) {
                return Err(BridgeError::NotABridge);
            }
            if p.is_bridge() {
                return Err(BridgeError::BridgeIntoBridge);
            }
            if p.is_loopback() {
                return Err(BridgeError::Loopback);
            }
        }
        let (old, mac) = (p.master, p.mac);
        if old == master {
            return Ok(());
        }
        if let Some(o) = old {
            self.release(o, port, now);
        }
        if let Some(m) = master {
            if let Some(br) = self.bridges.get_mut(&m) {
                br.add_port(port, mac, now);
            }
            if let Some(i) = self.ifaces.get_mut(&port) {
                i.master = Some(m);
            }
            self.recalc_bridge_mac(m, now);
            self.update_bridge_carrier(m);
        }
        Ok(())
    }

    fn release(&mut self, br: u32, port: u32, now: Instant) {
        if let Some(b) = self.bridges.get_mut(&br) {
            b.remove_port(port);
        }
        if let Some(i) = self.ifaces.get_mut(&port) {
            i.master = None;
        }
        self.recalc_bridge_mac(br, now);
        self.update_bridge_carrier(br);
    }

    /// Detaches `ifindex` from bridging before it goes away: a port leaves its bridge, a
    /// bridge releases its ports.
    pub(crate) fn unbridge(&mut self, ifindex: u32) {
        if let Some(m) = self.ifaces.get(&ifindex).and_then(|i| i.master) {
            self.release(m, ifindex, Instant::ZERO);
        }
        if let Some(b) = self.bridges.remove(&ifindex) {
            for (p, _) in b.ports() {
                if let Some(i) = self.ifaces.get_mut(p) {
                    i.master = None;
                }
            }
            self.timers.set(TimerKey::Fdb(ifindex), None);
        }
    }

    /// A bridge whose address was not set follows its lowest port MAC; when its last port
    /// leaves, its address (and bridge id) become 00:00:00:00:00:00, as
    /// `br_stp_recalculate_bridge_id` leaves them. (A new bridge keeps its random address
    /// until its first port comes.)
    pub(crate) fn recalc_bridge_mac(&mut self, br: u32, now: Instant) {
        let Some(b) = self.bridges.get(&br) else { return };
        let Some(i) = self.ifaces.get(&br) else { return };
        let old = i.mac;
        let new = if b.mac_set { old } else { b.lowest_port_mac().unwrap_or(MacAddr::ZERO) };
        if let Some(i) = self.ifaces.get_mut(&br) {
            i.mac = new;
        }
        if new != old {
            self.changed_addr(br);
        }
        if let Some(b) = self.bridges.get_mut(&br) {
            if new != old {
                b.remove_local(old, br);
            }
            // The bridge's address is always local, whether or not a port holds it.
            if new != MacAddr::ZERO {
                b.add_local(new, br, now);
            }
        }
    }

    /// `br_port_state_selection`, run when a port comes, goes or changes and when the
    /// bridge goes up or down: the bridge has carrier while it is up and some port forwards
    /// — so a bridge whose last port left has none. (A new bridge has carrier until then:
    /// measured on Linux 6.18, `ip -s -s`'s `transns` stays 0.)
    pub(crate) fn update_bridge_carrier(&mut self, br: u32) {
        let Some(b) = self.bridges.get(&br) else { return };
        let up = self.ifaces.get(&br).is_some_and(|i| i.admin_up);
        let carrier = up && b.ports().iter().any(|(p, _)| self.ifaces.get(p).is_some_and(|i| i.is_running()));
        self.set_carrier(br, carrier);
    }

    /// A port stopped forwarding: its learned entries go (`br_stp_disable_port`).
    pub(crate) fn flush_port_fdb(&mut self, br: u32, port: u32) {
        if let Some(b) = self.bridges.get_mut(&br) {
            let mac: Vec<MacAddr> =
                b.fdb().iter().filter(|(_, e)| !e.local && e.port == port).map(|(m, _)| *m).collect();
            for m in mac {
                b.remove_learned(m);
            }
        }
    }

    /// Sets a bridge's `ageing_time`: entries older than the new time go at once, each
    /// with its `Deleted` event, as the kernel's garbage collector removes them.
    pub fn set_ageing(&mut self, cx: &mut Context<'_>, br: u32, ageing: Duration) {
        let Some(b) = self.bridges.get_mut(&br) else { return };
        b.set_ageing(ageing);
        let (gone, next) = b.expire(cx.now());
        self.timers.set(TimerKey::Fdb(br), next);
        for (m, p) in gone {
            self.fdb_event(cx, br, m, p, true);
        }
    }

    fn port_send(&mut self, cx: &mut Context<'_>, port: u32, frame: &[u8]) {
        if self.ifaces.get(&port).is_some_and(|i| i.is_running()) {
            super::tx::dev_queue_xmit(&mut self.tc, &mut self.timers, &mut self.ifaces, cx, port, frame);
        }
    }

    /// Floods a frame that came in on `ingress` (none: the bridge device sent it) to the
    /// ports that take it ([`Bridge::floods_to`]).
    fn flood(&mut self, cx: &mut Context<'_>, br: u32, ingress: Option<u32>, frame: &[u8]) {
        let Some(b) = self.bridges.get(&br) else { return };
        let dst = MacAddr::from_slice(frame).unwrap_or_default();
        for &(p, _) in b.ports() {
            if b.floods_to(p, ingress, dst) && self.ifaces.get(&p).is_some_and(|i| i.is_running()) {
                super::tx::dev_queue_xmit(&mut self.tc, &mut self.timers, &mut self.ifaces, cx, p, frame);
            }
        }
    }

    /// A frame arrived on a bridge port (`br_handle_frame`).
    pub(crate) fn bridge_rx(&mut self, cx: &mut Context<'_>, port: u32, br: u32, frame: &[u8]) {
        if !self.ifaces.get(&br).is_some_and(|b| b.admin_up) {
            return;
        }
        let dst = MacAddr::from_slice(frame).unwrap_or_default();
        let src = MacAddr::from_slice(&frame[6..]).unwrap_or_default();
        if src.is_multicast() || src.is_zero() {
            cx.drop_frame(Some(PortId(port)), "bridge: invalid source address");
            return;
        }
        let now = cx.now();
        let Some(b) = self.bridges.get_mut(&br) else { return };
        if b.port_opts(port).learning && b.learn(src, port, now) {
            let first = now + b.ageing();
            if self.timers.get(TimerKey::Fdb(br)).is_none_or(|t| t > first) {
                self.timers.set(TimerKey::Fdb(br), Some(first));
            }
            self.fdb_event(cx, br, src, port, false);
        }
        // br_netfilter with conntrack (`br_nf_pre_routing` → `nf_defrag_ipv4`): an IPv4
        // datagram's fragments are put together before the bridge decides anything, so
        // iptables, conntrack and the bridge's own stack see it whole; it is cut again on
        // its way out of a port.
        let whole = if self.bridge_defrags(frame) {
            match self.bridge_defrag(cx, port, frame) {
                Some(w) => Some(w),
                None => return,
            }
        } else {
            None
        };
        let (frame, frag_max) = match &whole {
            Some((f, m)) => (&f[..], Some(*m)),
            None => (frame, None),
        };
        let mut buf = std::mem::take(&mut self.brbuf);
        match self.bridges[&br].decide(dst, Some(port)) {
            Verdict::Forward(p) => {
                if let Some(f) = self.bridge_nf(cx, br, frame, &mut buf) {
                    match frag_max {
                        None => self.port_send(cx, p, f),
                        Some(m) => self.port_send_refragmented(cx, br, p, f, m),
                    }
                }
            }
            Verdict::Flood { except, local } => {
                if let Some(f) = self.bridge_nf(cx, br, frame, &mut buf) {
                    match frag_max {
                        None => self.flood(cx, br, except, f),
                        Some(m) => self.flood_refragmented(cx, br, except, f, m),
                    }
                }
                if local {
                    self.bridge_up(cx, br, frame);
                }
            }
            Verdict::Local => self.bridge_up(cx, br, frame),
            Verdict::Drop => {}
        }
        self.brbuf = buf;
        if let Some((f, _)) = whole {
            cx.recycle(f);
        }
    }

    /// Whether br_netfilter reassembles `frame` before the bridge sees it: an IPv4
    /// fragment, bridged IPv4 passed to iptables, and conntrack running here.
    fn bridge_defrags(&self, frame: &[u8]) -> bool {
        let fragment = frame.len() >= 34
            && frame[12..14] == [0x08, 0x00]
            && u16::from_be_bytes([frame[20], frame[21]]) & (wire::IP_MF | wire::IP_OFFSET) != 0;
        fragment && self.sysctl.hot().bridge_nf_call_iptables && self.nf_active() && self.nf.tables.tracking()
    }

    /// Queues a bridged fragment (`IP_DEFRAG_CONNTRACK_BRIDGE_IN`); the whole frame
    /// (the completing fragment's Ethernet header, then the datagram) and its largest
    /// fragment's size when it completed one. A fragment whose header does not check is
    /// dropped, as `br_validate_ipv4` drops it.
    fn bridge_defrag(&mut self, cx: &mut Context<'_>, port: u32, frame: &[u8]) -> Option<(Vec<u8>, usize)> {
        let ip = match wire::Ipv4::new_checked(&frame[14..]) {
            Ok(ip) => ip,
            Err(_) => {
                self.counters.rx_malformed += 1;
                cx.drop_frame(Some(PortId(port)), "bridge: bad ip header");
                return None;
            }
        };
        let mut out = std::mem::take(&mut self.nfbuf);
        let whole = self.defrag(cx, port, &ip, DefragUser::BridgeIn, &mut out).map(|m| {
            let mut f = cx.buffer();
            f.extend_from_slice(&frame[..14]);
            f.extend_from_slice(&out);
            (f, m)
        });
        if self.nfbuf.capacity() == 0 {
            self.nfbuf = out;
        }
        whole
    }

    /// `br_nf_dev_queue_xmit`: a reassembled frame leaves `port` cut to the smaller of the
    /// bridge's MTU and its largest original fragment (`ip_do_fragment`'s slow path: see
    /// [`frag`](super::frag) for the fast path not modelled); one that fits leaves whole.
    /// With DF, or with a fragment bigger than the MTU, it is dropped (`br_nf_ip_fragment`,
    /// FRAGFAILS).
    fn port_send_refragmented(&mut self, cx: &mut Context<'_>, br: u32, port: u32, frame: &[u8], frag_max: usize) {
        let bridge_mtu = self.ifaces.get(&br).map_or(1500, |i| i.mtu as usize);
        let pkt = &frame[14..];
        if pkt.len() <= bridge_mtu.min(frag_max) {
            return self.port_send(cx, port, frame);
        }
        if pkt[6] & 0x40 != 0 || frag_max > bridge_mtu {
            cx.drop_frame(Some(PortId(port)), "bridge: fragmentation failed");
            return;
        }
        let mut buf = std::mem::take(&mut self.fragbuf);
        let mut out = cx.buffer();
        frag::fragment(pkt, frag_max, false, &mut buf, |f| {
            out.clear();
            out.extend_from_slice(&frame[..14]);
            out.extend_from_slice(f);
            self.port_send(cx, port, &out);
            false
        });
        cx.recycle(out);
        self.fragbuf = buf;
    }

    /// [`flood`](Self::flood) for a reassembled frame: each port that takes it gets its
    /// fragments in turn.
    fn flood_refragmented(
        &mut self,
        cx: &mut Context<'_>,
        br: u32,
        ingress: Option<u32>,
        frame: &[u8],
        frag_max: usize,
    ) {
        let dst = MacAddr::from_slice(frame).unwrap_or_default();
        for k in 0.. {
            let Some(b) = self.bridges.get(&br) else { return };
            let Some(&(p, _)) = b.ports().get(k) else { return };
            // As `flood`: a port that is not running carries nothing.
            if b.floods_to(p, ingress, dst) && self.ifaces.get(&p).is_some_and(|i| i.is_running()) {
                self.port_send_refragmented(cx, br, p, frame, frag_max);
            }
        }
    }

    /// br_netfilter: with `net.bridge.bridge-nf-call-iptables=1`, an IPv4 frame the bridge
    /// forwards passes iptables' FORWARD chain (and conntrack), in and out being the bridge
    /// itself. The frame to forward: `frame` itself, or `buf` holding it as NAT rewrote it;
    /// `None` when a rule dropped it.
    fn bridge_nf<'a>(
        &mut self,
        cx: &mut Context<'_>,
        br: u32,
        frame: &'a [u8],
        buf: &'a mut Vec<u8>,
    ) -> Option<&'a [u8]> {
        let ipv4 = frame.len() >= 34 && frame[12..14] == [0x08, 0x00];
        if !ipv4 || !self.sysctl.hot().bridge_nf_call_iptables || !self.nf_active() {
            return Some(frame);
        }
        buf.clear();
        buf.extend_from_slice(frame);
        let pkt = &mut buf[14..];
        let t = self.nf_pre(cx, pkt, Some(br), None).ok()?;
        self.nf_filter(cx, "FORWARD", pkt, Some(br), Some(br), &t).ok()?;
        let dst = std::net::Ipv4Addr::new(pkt[16], pkt[17], pkt[18], pkt[19]);
        self.nf_post(cx, pkt, Some(br), Some(br), dst.into(), &t).ok()?;
        Some(buf)
    }

    /// Passes a frame up to the bridge device's own stack.
    fn bridge_up(&mut self, cx: &mut Context<'_>, br: u32, frame: &[u8]) {
        cx.capture(PortId(br), Direction::In, frame, || sim_core::Node::port_info(self, PortId(br)));
        // br_pass_frame_up counts after eth_type_trans: without the Ethernet header.
        if let Some(b) = self.ifaces.get_mut(&br) {
            b.stats.rx(frame.len().saturating_sub(14));
        }
        // The bridge goes on with the frame (to its other ports): the stack works on a copy.
        let mut copy = cx.buffer();
        copy.extend_from_slice(frame);
        self.rx_l2(cx, br, &mut copy, true);
        cx.recycle(copy);
    }

    /// The bridge device sends a frame (`br_dev_xmit`).
    pub(crate) fn bridge_tx(&mut self, cx: &mut Context<'_>, br: u32, frame: &[u8]) {
        cx.capture(PortId(br), Direction::Out, frame, || sim_core::Node::port_info(self, PortId(br)));
        if let Some(b) = self.ifaces.get_mut(&br) {
            b.stats.tx(frame.len());
        }
        let dst = MacAddr::from_slice(frame).unwrap_or_default();
        let Some(b) = self.bridges.get(&br) else { return };
        match b.decide(dst, None) {
            Verdict::Forward(p) => self.port_send(cx, p, frame),
            Verdict::Flood { .. } => self.flood(cx, br, None, frame),
            Verdict::Local | Verdict::Drop => {}
        }
    }

    /// The FDB ageing deadline of bridge `br` came.
    pub(crate) fn fdb_expire(&mut self, cx: &mut Context<'_>, br: u32) {
        let now = cx.now();
        let Some(b) = self.bridges.get_mut(&br) else { return };
        let (gone, next) = b.expire(now);
        self.timers.set(TimerKey::Fdb(br), next);
        for (m, p) in gone {
            self.fdb_event(cx, br, m, p, true);
        }
    }

    fn fdb_event(&self, cx: &mut Context<'_>, br: u32, mac: MacAddr, port: u32, deleted: bool) {
        let (Some(b), Some(p)) = (self.ifaces.get(&br), self.ifaces.get(&port)) else { return };
        let text = format!("{}{mac} dev {} master {}", if deleted { "Deleted " } else { "" }, p.name, b.name);
        cx.record(Record::Event { at: cx.now(), node: cx.node(), table: "fdb", text });
    }
}
