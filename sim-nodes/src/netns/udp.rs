//! UDP sockets, ours rather than smoltcp's (`net/ipv4/udp.c`, `net/ipv6/udp.c`): a
//! datagram sent goes straight to IP output within the send call, as `udp_sendmsg` hands it
//! to `ip_send_skb` (IPv4: routing, OUTPUT / POSTROUTING, neighbours; IPv6: routing and
//! neighbour discovery); one received is queued on its socket in the table (`socktab`),
//! found by port as `__udp4_lib_lookup` / `__udp6_lib_lookup` find it. An IPv6 socket
//! hears IPv4 too (as `::ffff:a.b.c.d`) and sends to such addresses over IPv4, unless
//! `IPV6_V6ONLY` (see `socktab::Dgram`); an IPv6 datagram bigger than its path MTU goes in
//! fragments, as `IPV6_PMTUDISC_WANT` sends it.
//!
//! Owns the UDP calls programs make and IPv6's UDP input; IPv4's input is `rx.rs`'s. Must
//! not touch TCP or smoltcp.

use super::ipv6::Out6;
use super::ipv6::packet::{self, addr};
use super::socktab::{Backing, Dgram, Meta, SocketId, canonical};
use super::{Errno, Netns, OutSpec, Pmtudisc};
use crate::wire::{self, proto};
use sim_core::Context;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV6};

/// ICMPv6 destination unreachable, and its "port unreachable" code.
const DST_UNREACH: u8 = 1;
const PORT_UNREACH: u8 = 4;

impl Netns {
    /// The UDP socket that takes a datagram from `src` to `dst:dport` that came in on
    /// `in_if`, if one does.
    pub(crate) fn udp_lookup(&self, dst: IpAddr, dport: u16, src: SocketAddr, in_if: u32) -> Option<SocketId> {
        self.socks.udp_lookup(dst, dport, src, in_if)
    }

    /// True if a UDP socket of ours of the family (`v6`) holds `port` (`__udp4_lib_err`
    /// finds the socket an ICMP error is about by it).
    pub(crate) fn udp_port_bound(&self, v6: bool, port: u16) -> bool {
        self.socks.dgram_on(v6, port).is_some()
    }

    /// An ICMP port unreachable about a datagram sent from `local` to `remote`:
    /// ECONNREFUSED for the socket it came from — only a connected one, as a socket
    /// without `IP_RECVERR` hears of it on Linux.
    pub(crate) fn udp_refused(&mut self, local: SocketAddr, remote: SocketAddr, in_if: u32) {
        if let Some(id) = self.socks.udp_lookup(local.ip(), local.port(), remote, in_if)
            && let Some(d) = self.socks.dgram_mut(id)
            && d.peer.is_some()
        {
            d.refused = true;
            self.socks.wake(id);
        }
    }

    /// Opens a UDP socket bound to `local` (its family the socket's; the address one of
    /// this namespace's or the wildcard; port 0: an ephemeral one) for process `pid`; an
    /// IPv6 one `IPV6_V6ONLY` when `v6only`.
    pub(crate) fn udp_open(
        &mut self,
        cx: &mut Context<'_>,
        pid: u32,
        local: SocketAddr,
        v6only: bool,
    ) -> Result<SocketId, Errno> {
        let v6 = local.is_ipv6();
        let bind = Some(canonical(local.ip())).filter(|a| !a.is_unspecified());
        if v6only && bind.is_some_and(|b| b.is_ipv4()) {
            return Err(Errno::Inval);
        }
        // bind(2) to an address this namespace does not have: EADDRNOTAVAIL.
        let ours = |a: &IpAddr| match a {
            IpAddr::V4(a) => self.is_local(*a),
            IpAddr::V6(a) => self.is_local6(*a),
        };
        if bind.is_some_and(|a| !ours(&a)) {
            return Err(Errno::AddrNotAvail);
        }
        let port = match local.port() {
            0 => self.ephemeral(cx, true).ok_or(Errno::AddrNotAvail)?,
            p => p,
        };
        let d = Dgram { v6, v6only: v6 && v6only, bind, port, peer: None, ttl: None, refused: false };
        if self.socks.dgram_clash(&d) {
            return Err(Errno::AddrInUse);
        }
        Ok(self.socks.open(pid, Backing::Dgram(d)))
    }

    /// `udp_sendmsg` / `udpv6_sendmsg`: a datagram from socket `id` to `to`, from the
    /// address routing picks, through IP output now. Errors are the ones sendto(2) returns:
    /// no route, too big, a netfilter rule's drop (`EPERM`), an address of the other family
    /// (`EAFNOSUPPORT` for an IPv4 socket, `ENETUNREACH` for an IPv6 one that cannot send
    /// IPv4: `IPV6_V6ONLY`, or bound to an IPv6 address).
    pub(crate) fn udp_send(
        &mut self,
        cx: &mut Context<'_>,
        id: SocketId,
        to: SocketAddr,
        data: &[u8],
    ) -> Result<(), Errno> {
        let d = *self.socks.dgram(id).ok_or(Errno::Inval)?;
        match (canonical(to.ip()), to, d.v6) {
            (IpAddr::V4(a), SocketAddr::V4(_), false) => self.udp4_send(cx, &d, (a, to.port()), data),
            (_, SocketAddr::V6(_), false) => Err(Errno::AfNoSupport),
            // An IPv6 socket sends to an IPv4 (or v4-mapped) address over IPv4 when it hears IPv4.
            (IpAddr::V4(a), _, true) if d.hears().0 => self.udp4_send(cx, &d, (a, to.port()), data),
            (IpAddr::V4(_), _, true) => Err(Errno::NetUnreach),
            (IpAddr::V6(_), SocketAddr::V6(to6), true) => self.udp6_send(cx, &d, to6, data),
            (IpAddr::V6(_), SocketAddr::V4(_), _) => Err(Errno::Inval),
        }
    }

    fn udp4_send(
        &mut self,
        cx: &mut Context<'_>,
        d: &Dgram,
        (dst, dport): (Ipv4Addr, u16),
        data: &[u8],
    ) -> Result<(), Errno> {
        // udp_sendmsg / ip_append_data: what does not fit an IPv4 packet.
        if data.len() > 0xffff - 28 {
            return Err(Errno::MsgSize);
        }
        let bind = match d.bind {
            Some(IpAddr::V4(b)) => Some(b),
            _ => None,
        };
        let route = self.route_output(dst, bind, None)?;
        let src = route.src;
        // The segment is built once, behind room for the IP header.
        let mut pkt = std::mem::take(&mut self.pktbuf);
        pkt.clear();
        pkt.resize(20, 0);
        udp_header(&mut pkt, d.port, dport, data);
        let seg = &mut pkt[20..];
        // udp4_hwcsum / udp_csum: over the pseudo-header; a sum of 0 is sent as all ones.
        let c = wire::checksum_with(wire::pseudo_header_sum(src, dst, proto::UDP, seg.len()), seg);
        seg[6..8].copy_from_slice(&(if c == 0 { 0xffff } else { c }).to_be_bytes());
        let spec =
            OutSpec { dst, src: Some(src), proto: proto::UDP, ttl: d.ttl, tos: 0, pmtudisc: Pmtudisc::Want, oif: None };
        // The route that chose the source is the one `output_built` would look up again,
        // but for the limited broadcast, whose device the chosen source then names.
        let r = self.csum_partial(|ns| match dst.is_broadcast() {
            false => ns.output_routed(cx, &spec, route, &mut pkt),
            true => ns.output_built(cx, &spec, &mut pkt),
        });
        self.pktbuf = pkt;
        // Without IP_RECVERR (no socket here sets it) udp_sendmsg turns the qdisc's ENOBUFS
        // into success.
        match r {
            Err(Errno::NoBufs) => Ok(()),
            r => r,
        }
    }

    fn udp6_send(&mut self, cx: &mut Context<'_>, d: &Dgram, to: SocketAddrV6, data: &[u8]) -> Result<(), Errno> {
        let dst = *to.ip();
        // A scope id names the device a link-local peer is on.
        let oif = (to.scope_id() != 0).then_some(to.scope_id());
        if oif.is_some_and(|i| !self.ifaces.contains_key(&i)) {
            return Err(Errno::NoDev);
        }
        let (_, chosen) = self.route6_output(dst, oif)?;
        let src = match d.bind {
            Some(IpAddr::V6(b)) => b,
            _ => chosen,
        };
        // What does not fit an IPv6 packet (a bigger one than the path takes goes in
        // fragments).
        if data.len() > 0xffff - 8 {
            return Err(Errno::MsgSize);
        }
        let mut seg = self.udp_segment(d.port, to.port(), data);
        // udpv6: the checksum is not optional; a sum of 0 is sent as all ones.
        let c = packet::checksum6(src, dst, proto::UDP, &seg);
        seg[6..8].copy_from_slice(&(if c == 0 { 0xffff } else { c }).to_be_bytes());
        let flow = self.flow_label(src, dst, d.port ^ to.port().rotate_left(8));
        let spec = Out6 { dst, src: Some(src), next: proto::UDP, hlim: d.ttl, flow, oif };
        let r = self.csum_partial(|ns| ns.output6(cx, &spec, &seg));
        self.udpbuf = seg;
        r
    }

    /// A UDP header and `data` in the namespace's scratch buffer (its checksum zero).
    fn udp_segment(&mut self, sport: u16, dport: u16, data: &[u8]) -> Vec<u8> {
        let mut seg = std::mem::take(&mut self.udpbuf);
        seg.clear();
        udp_header(&mut seg, sport, dport, data);
        seg
    }

    /// `__udp6_lib_rcv`: a datagram in an IPv6 packet for us (`p`, header first) that came
    /// in on `in_if`: checked (a bad length or checksum is counted and dropped; a zero
    /// checksum is invalid in IPv6), queued on its socket, or answered with port
    /// unreachable.
    pub(super) fn rx_udp6(&mut self, cx: &mut Context<'_>, in_if: u32, p: &[u8]) {
        let (src, dst) = (addr(p, 8), addr(p, 24));
        let u = &p[40..];
        let be16 = |at: usize| u16::from_be_bytes([u[at], u[at + 1]]);
        let ulen = if u.len() >= 8 { usize::from(be16(4)) } else { 0 };
        let bad = if u.len() < 8 || ulen < 8 || ulen > u.len() {
            Some("udp6: bad length")
        } else if be16(6) == 0 || (!cx.rx_csum_partial() && packet::checksum6(src, dst, proto::UDP, &u[..ulen]) != 0) {
            Some("udp6: bad checksum")
        } else {
            None
        };
        if let Some(why) = bad {
            self.counters.rx_malformed += 1;
            return self.drop_l2(cx, in_if, why);
        }
        let (sport, dport) = (be16(0), be16(2));
        // recvfrom(2) names a link-local peer with the device it is on.
        let scope = if src.is_unicast_link_local() { in_if } else { 0 };
        let from = SocketAddr::V6(SocketAddrV6::new(src, sport, 0, scope));
        match self.udp_lookup(IpAddr::V6(dst), dport, from, in_if) {
            Some(id) => {
                let meta = Meta::Udp { in_if, src: IpAddr::V6(src), dst: IpAddr::V6(dst), sport, dport };
                if !self.socks.push(id, meta, &u[8..ulen]) {
                    self.drop_l2(cx, in_if, "udp: socket receive queue full");
                }
            }
            // Multicast no socket takes is let go without a word.
            None if dst.is_multicast() => {}
            None => {
                self.icmp6_error(cx, p, DST_UNREACH, PORT_UNREACH, 0);
                self.drop_l2(cx, in_if, "udp6: no socket");
            }
        }
    }

    /// `__udp6_lib_err`: an ICMPv6 port unreachable (`m`, its type first) about a datagram
    /// one of our sockets sent — ECONNREFUSED for it when connected.
    pub(super) fn udp6_error(&mut self, in_if: u32, m: &[u8]) {
        if m.len() < 8 + 40 + 4 || m[0] != DST_UNREACH || m[1] != PORT_UNREACH {
            return;
        }
        let inner = &m[8..];
        if inner[6] != proto::UDP {
            return;
        }
        let port = |at: usize| u16::from_be_bytes([inner[at], inner[at + 1]]);
        let (src, dst): (Ipv6Addr, Ipv6Addr) = (addr(inner, 8), addr(inner, 24));
        let local = SocketAddr::V6(SocketAddrV6::new(src, port(40), 0, 0));
        let remote = SocketAddr::V6(SocketAddrV6::new(dst, port(42), 0, 0));
        self.udp_refused(local, remote, in_if);
    }

    /// Closes a UDP socket: its port is free again.
    pub(crate) fn udp_close(&mut self, id: SocketId) {
        self.socks.close(id);
    }

    /// A UDP socket's local address: the bound one (the family's wildcard when none; an
    /// IPv6 socket's IPv4 address v4-mapped) and port.
    pub(crate) fn udp_local(&self, id: SocketId) -> Option<SocketAddr> {
        let d = self.socks.dgram(id)?;
        let any = if d.v6 { IpAddr::V6(Ipv6Addr::UNSPECIFIED) } else { IpAddr::V4(Ipv4Addr::UNSPECIFIED) };
        Some(SocketAddr::new(as_family(d.v6, d.bind.unwrap_or(any)), d.port))
    }

    /// A UDP socket's TTL or hop limit for what it sends (`IP_TTL`, `IPV6_UNICAST_HOPS`;
    /// `None`: the namespace's default).
    pub(crate) fn udp_set_ttl(&mut self, id: SocketId, ttl: Option<u8>) -> Result<(), Errno> {
        self.socks.dgram_mut(id).ok_or(Errno::Inval)?.ttl = ttl;
        Ok(())
    }

    /// The next datagram for socket `id` into `buf` (its old buffer goes back to the
    /// table's pool): its source (an IPv6 link-local one with its device as scope id).
    pub(crate) fn udp_recv_into(&mut self, id: SocketId, buf: &mut Vec<u8>) -> Option<SocketAddr> {
        let v6 = self.socks.dgram(id)?.v6;
        match self.socks.recv(id, buf)? {
            Meta::Udp { src: IpAddr::V4(src), sport, .. } => Some(SocketAddr::new(as_family(v6, src.into()), sport)),
            Meta::Udp { src: IpAddr::V6(src), sport, in_if, .. } => {
                let scope = if src.is_unicast_link_local() { in_if } else { 0 };
                Some(SocketAddr::V6(SocketAddrV6::new(src, sport, 0, scope)))
            }
            _ => None,
        }
    }

    /// The next datagram for socket `id`: its source and payload.
    pub(crate) fn udp_recv(&mut self, id: SocketId) -> Option<(SocketAddr, Vec<u8>)> {
        let mut buf = Vec::new();
        let from = self.udp_recv_into(id, &mut buf)?;
        Some((from, buf))
    }

    /// `connect()` on a UDP socket: only `peer` is heard from now on.
    pub(crate) fn udp_connect(&mut self, id: SocketId, peer: SocketAddr) {
        if let Some(d) = self.socks.dgram_mut(id) {
            d.peer = Some(SocketAddr::new(canonical(peer.ip()), peer.port()));
            // A new peer: an error about the old one is gone (`sk_err` is reset).
            d.refused = false;
        }
    }

    /// Takes the socket's pending ECONNREFUSED.
    pub(crate) fn take_refused(&mut self, id: SocketId) -> bool {
        self.socks.dgram_mut(id).is_some_and(|d| std::mem::take(&mut d.refused))
    }
}

/// `a` as a socket of the family (`v6`) names it: an IPv4 address v4-mapped for an IPv6
/// socket.
pub(crate) fn as_family(v6: bool, a: IpAddr) -> IpAddr {
    match a {
        IpAddr::V4(v4) if v6 => IpAddr::V6(v4.to_ipv6_mapped()),
        a => a,
    }
}

/// Appends a UDP header (its checksum zero) and `data`.
fn udp_header(buf: &mut Vec<u8>, sport: u16, dport: u16, data: &[u8]) {
    let len = (8 + data.len()) as u16;
    let mut h = [0u8; 8];
    h[..2].copy_from_slice(&sport.to_be_bytes());
    h[2..4].copy_from_slice(&dport.to_be_bytes());
    h[4..6].copy_from_slice(&len.to_be_bytes());
    buf.extend_from_slice(&h);
    buf.extend_from_slice(data);
}
