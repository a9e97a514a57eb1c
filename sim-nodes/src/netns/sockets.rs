//! smoltcp's place in the namespace, the ephemeral ports of TCP and UDP, and the list
//! `ss` reads (TCP's calls are `tcp.rs`'s, UDP's `udp.rs`'s). TCP lives on smoltcp: one
//! `Interface` (`Medium::Ip`, both families) per namespace, made when a process first
//! opens a socket, fed the TCP packets our L3 delivers locally — it takes them for any
//! address (`any_ip`: which addresses are ours is L3's business, not a copy's); what it
//! emits goes back through our own output path of its family, so sockets see NAT and
//! filtering as the kernel's do. Its random seed comes from the namespace's stream.
//! Ephemeral ports are drawn from `net.ipv4.ip_local_port_range` with the namespace's RNG.

use super::socktab::{Backing, SocketId, SocketKind};
use super::tcp::Family;
use super::{Netns, TimerKey};
use sim_core::rng::{self, NodeRng};
use sim_core::{Context, Instant};
use smoltcp::iface::{Config, Interface, SocketHandle, SocketSet};
use smoltcp::phy::{Device, DeviceCapabilities, Medium, RxToken, TxToken};
use smoltcp::socket::tcp;
use smoltcp::wire::{HardwareAddress, Ipv4Address, Ipv6Address};
use std::collections::{BTreeMap, VecDeque};
use std::net::IpAddr;

/// smoltcp's side of the wire: IP packets in and out, in buffers that are reused (a packet
/// in steady state allocates nothing).
#[derive(Debug, Default)]
pub(crate) struct IpQueue {
    rx: VecDeque<Vec<u8>>,
    tx: VecDeque<Vec<u8>>,
    rx_spare: Vec<Vec<u8>>,
    tx_spare: Vec<Vec<u8>>,
}

/// Receives one queued packet; its buffer goes back to the spares.
pub(crate) struct Rx<'a>(Vec<u8>, &'a mut Vec<Vec<u8>>);
/// Transmits one packet into the queue, in a spare buffer.
pub(crate) struct Tx<'a>(&'a mut VecDeque<Vec<u8>>, &'a mut Vec<Vec<u8>>);

impl RxToken for Rx<'_> {
    fn consume<R, F: FnOnce(&[u8]) -> R>(self, f: F) -> R {
        let r = f(&self.0);
        self.1.push(self.0);
        r
    }
}

impl TxToken for Tx<'_> {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, len: usize, f: F) -> R {
        let mut buf = self.1.pop().unwrap_or_default();
        buf.clear();
        buf.resize(len, 0);
        let r = f(&mut buf);
        self.0.push_back(buf);
        r
    }
}

impl IpQueue {
    /// Queues a copy of an IP packet for smoltcp.
    fn push_rx(&mut self, pkt: &[u8]) {
        let mut b = self.rx_spare.pop().unwrap_or_default();
        b.clear();
        b.extend_from_slice(pkt);
        self.rx.push_back(b);
    }

    /// The packet smoltcp takes next.
    pub(crate) fn front(&self) -> Option<&[u8]> {
        self.rx.front().map(Vec::as_slice)
    }
}

impl Device for IpQueue {
    type RxToken<'a> = Rx<'a>;
    type TxToken<'a> = Tx<'a>;

    fn receive(&mut self, _: smoltcp::time::Instant) -> Option<(Rx<'_>, Tx<'_>)> {
        let p = self.rx.pop_front()?;
        Some((Rx(p, &mut self.rx_spare), Tx(&mut self.tx, &mut self.tx_spare)))
    }

    fn transmit(&mut self, _: smoltcp::time::Instant) -> Option<Tx<'_>> {
        Some(Tx(&mut self.tx, &mut self.tx_spare))
    }

    fn capabilities(&self) -> DeviceCapabilities {
        let mut c = DeviceCapabilities::default();
        c.medium = Medium::Ip;
        // TCP's MSS comes from 1500.
        c.max_transmission_unit = 1500;
        c
    }
}

/// A namespace's TCP sockets.
pub(crate) struct L4 {
    pub(crate) iface: Interface,
    pub(crate) dev: IpQueue,
    pub(crate) sockets: SocketSet<'static>,
    /// Which process owns each socket.
    pub(crate) owners: BTreeMap<SocketHandle, u32>,
    /// Each socket's family (smoltcp's sockets have none until they are connected).
    pub(crate) family: BTreeMap<SocketHandle, Family>,
    /// Something changed that smoltcp should act on.
    pub(crate) dirty: bool,
}

impl std::fmt::Debug for L4 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("L4").field("sockets", &self.owners.len()).finish()
    }
}

fn sm_now(t: Instant) -> smoltcp::time::Instant {
    smoltcp::time::Instant::from_micros(t.as_micros() as i64)
}

impl L4 {
    fn new(rng: &mut NodeRng) -> Self {
        let mut dev = IpQueue::default();
        let mut cfg = Config::new(HardwareAddress::Ip);
        cfg.random_seed = rng::next_u64(rng);
        let mut iface = Interface::new(cfg, &mut dev, smoltcp::time::Instant::ZERO);
        // Routing and addresses are ours: smoltcp only needs to think every destination
        // reachable, and to take what L3 hands it.
        let _ = iface.routes_mut().add_default_ipv4_route(Ipv4Address::new(0, 0, 0, 1));
        let _ = iface.routes_mut().add_default_ipv6_route(Ipv6Address::new(0xfe80, 0, 0, 0, 0, 0, 0, 1));
        iface.set_any_ip(true);
        L4 {
            iface,
            dev,
            sockets: SocketSet::new(Vec::new()),
            owners: BTreeMap::new(),
            family: BTreeMap::new(),
            dirty: false,
        }
    }

    /// True if smoltcp has something to act on: packets in, or a socket changed.
    pub(crate) fn needs_poll(&self) -> bool {
        self.dirty || !self.dev.rx.is_empty()
    }
}

impl Netns {
    pub(super) fn l4_mut(&mut self, cx: &mut Context<'_>) -> &mut L4 {
        if self.l4.is_none() {
            self.l4 = Some(Box::new(L4::new(cx.rng())));
        }
        self.l4.as_mut().expect("made")
    }

    /// An ephemeral port from `ip_local_port_range`, random start, first free after it.
    pub(super) fn ephemeral(&mut self, cx: &mut Context<'_>, udp: bool) -> Option<u16> {
        let (lo, hi) = self.sysctl.local_port_range();
        let (lo, hi) = if lo <= hi { (lo, hi) } else { (32768, 60999) };
        let size = u32::from(hi - lo) + 1;
        let off = rng::range_u32(cx.rng(), 0, size - 1);
        let taken = |p: u16| {
            if udp { self.socks.udp_port_held(p) } else { self.l4.as_ref().is_some_and(|l| l.tcp_port_taken(p, None)) }
        };
        (0..size).map(|k| lo + ((off + k) % size) as u16).find(|p| !taken(*p))
    }

    /// One round of smoltcp: ingress, then the owners of ready sockets (as woken
    /// applications run before the stack's own replies leave: a close() right after a
    /// peer's FIN rides on the ACK), then egress. [`Netns::settle`] runs rounds while
    /// something is left to do.
    pub(crate) fn l4_poll(&mut self, cx: &mut Context<'_>) {
        let Some(l4) = self.l4.as_mut() else { return };
        l4.dirty = false;
        let now = sm_now(cx.now());
        // (Collected only while a connection is being made: nothing allocated otherwise.)
        let synsent = |s: &smoltcp::socket::Socket<'_>| matches!(s, smoltcp::socket::Socket::Tcp(t) if t.state() == tcp::State::SynSent);
        let connecting: Vec<SocketHandle> = if l4.sockets.iter().any(|(_, s)| synsent(s)) {
            l4.sockets.iter().filter(|(_, s)| synsent(s)).map(|(h, _)| h).collect()
        } else {
            Vec::new()
        };
        // One packet at a time, so that a SYN finds the listener Linux would give it to.
        let mut parked = Vec::new();
        loop {
            l4.park_for_front(&mut parked);
            let r = l4.iface.poll_ingress_single(now, &mut l4.dev, &mut l4.sockets);
            l4.unpark(&mut parked);
            if r == smoltcp::iface::PollIngressSingleResult::None {
                break;
            }
        }
        // A SYN-ACK is acknowledged by the kernel before the application hears of it.
        if connecting.iter().any(|h| l4.sockets.get::<tcp::Socket>(*h).state() == tcp::State::Established) {
            let _ = l4.iface.poll_egress(now, &mut l4.dev, &mut l4.sockets);
            self.l4_flush(cx);
        }
        self.socks.wake_tcp();
        while let Some((id, pid)) = self.socks.pop_ready() {
            self.call(cx, pid, |p, sys| p.on_ready(sys, id));
        }
        let Some(l4) = self.l4.as_mut() else { return };
        let _ = l4.iface.poll_egress(now, &mut l4.dev, &mut l4.sockets);
        // What went out may have changed sockets' state (a SYN sent, data queued): the
        // owners hear of it in another round.
        let sent = self.l4_flush(cx);
        let Some(l4) = self.l4.as_mut() else { return };
        l4.dirty |= sent;
        // Sockets whose process is gone, once closed, go.
        let orphan_closed = |h: &SocketHandle, s: &smoltcp::socket::Socket<'_>| {
            !l4.owners.contains_key(h) && !matches!(s, smoltcp::socket::Socket::Tcp(t) if t.is_open())
        };
        if !l4.sockets.iter().any(|(h, s)| orphan_closed(&h, s)) {
            let at = l4.iface.poll_at(sm_now(cx.now()), &l4.sockets);
            let at = at.map(|t| Instant::from_micros(t.total_micros().max(0) as u64).max(cx.now()));
            self.timers.set(TimerKey::Sockets, at);
            return;
        }
        let gone: Vec<SocketHandle> = l4
            .sockets
            .iter()
            .filter(|(h, s)| !l4.owners.contains_key(h) && !matches!(s, smoltcp::socket::Socket::Tcp(t) if t.is_open()))
            .map(|(h, _)| h)
            .collect();
        for h in gone {
            l4.remove(h);
        }
        let at = l4.iface.poll_at(sm_now(cx.now()), &l4.sockets);
        let at = at.map(|t| Instant::from_micros(t.total_micros().max(0) as u64).max(cx.now()));
        self.timers.set(TimerKey::Sockets, at);
    }

    /// Sends what smoltcp emitted through our output path; true if there was any.
    fn l4_flush(&mut self, cx: &mut Context<'_>) -> bool {
        let mut sent = false;
        while let Some(mut p) = self.l4.as_mut().and_then(|l| l.dev.tx.pop_front()) {
            sent = true;
            let _ = self.csum_partial(|ns| {
                if p.first().is_some_and(|b| b >> 4 == 6) {
                    ns.output_tcp6(cx, &mut p)
                } else {
                    ns.output_ip(cx, &mut p)
                }
            });
            if let Some(l4) = self.l4.as_mut() {
                l4.dev.tx_spare.push(p);
            }
        }
        sent
    }

    /// A TCP segment for a socket: into smoltcp.
    pub(crate) fn l4_deliver(&mut self, cx: &mut Context<'_>, pkt: &[u8]) {
        let l4 = self.l4_mut(cx);
        l4.dev.push_rx(pkt);
        l4.dirty = true;
    }

    /// Forgets every socket of process `pid` (it exited). As the kernel does with an
    /// orphaned socket, a TCP connection is closed (FIN) and finishes on its own — or reset
    /// if data it received was never read; a listener goes.
    pub(crate) fn sockets_exit(&mut self, pid: u32) {
        let Some(l4) = self.l4.as_mut() else { return };
        let mine: Vec<SocketHandle> = l4.owners.iter().filter(|(_, p)| **p == pid).map(|(h, _)| *h).collect();
        for h in &mine {
            l4.owners.remove(h);
        }
        // The next poll removes what is closed, so its port is free however the program
        // ended (a timer's exit as well as a packet's).
        l4.dirty |= !mine.is_empty();
        for (h, s) in l4.sockets.iter_mut() {
            if mine.contains(&h)
                && let smoltcp::socket::Socket::Tcp(t) = s
                && t.is_open()
            {
                if t.state() == tcp::State::Listen || t.can_recv() {
                    t.abort();
                } else {
                    t.close();
                }
                l4.dirty = true;
            }
        }
    }
}

/// A socket as `ss` sees it (`inet_diag`, `packet_diag`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SocketInfo {
    /// Its table: `tcp`, `udp`, `raw`, `p_raw`, `nl`.
    pub netid: &'static str,
    /// Its state as `ss` names it (`LISTEN`, `ESTAB`, `UNCONN`, `TIME-WAIT`, …).
    pub state: &'static str,
    /// Bytes waiting to be read (a listener: connections waiting for `accept`).
    pub recv_q: usize,
    /// Bytes not yet acknowledged (a listener: its backlog).
    pub send_q: usize,
    /// An IPv6 socket.
    pub v6: bool,
    /// An IPv6 socket that hears IPv4 too (not `IPV6_V6ONLY`): `ss` shows its wildcard as
    /// `*`.
    pub dual: bool,
    /// Local address (`None`: any), port (a raw socket: its protocol) and bound device.
    pub local: (Option<IpAddr>, u16, Option<u32>),
    /// Peer address and port (`None`: none).
    pub peer: Option<(IpAddr, u16)>,
    /// A packet socket's interface.
    pub packet_if: Option<u32>,
    /// Owner pid and the socket's descriptor number in it (`None`: orphaned, e.g. in
    /// TIME-WAIT after its program let go).
    pub owner: Option<(u32, u32)>,
}

/// `ss`'s name of a TCP state (`sstate_name`).
fn tcp_state_name(s: tcp::State) -> &'static str {
    use tcp::State as S;
    match s {
        S::Closed => "UNCONN",
        S::Listen => "LISTEN",
        S::SynSent => "SYN-SENT",
        S::SynReceived => "SYN-RECV",
        S::Established => "ESTAB",
        S::FinWait1 => "FIN-WAIT-1",
        S::FinWait2 => "FIN-WAIT-2",
        S::CloseWait => "CLOSE-WAIT",
        S::Closing => "CLOSING",
        S::LastAck => "LAST-ACK",
        S::TimeWait => "TIME-WAIT",
    }
}

impl Netns {
    /// Every socket of the namespace, as `ss` lists them: each table in socket order,
    /// TCP listeners before the other TCP sockets. A descriptor number is 3 plus the
    /// socket's place among its owner's open sockets.
    pub(crate) fn socket_list(&self) -> Vec<SocketInfo> {
        let mut fds: BTreeMap<u32, u32> = BTreeMap::new();
        let mut by_handle: BTreeMap<SocketHandle, (u32, u32, u32, SocketId)> = BTreeMap::new();
        let mut out = Vec::new();
        for (id, pid, backing, backlog) in self.socks.iter() {
            let fd = fds.entry(pid).or_insert(3);
            let owner = Some((pid, *fd));
            *fd += 1;
            let base = SocketInfo {
                netid: "raw",
                state: "UNCONN",
                recv_q: self.socks.queued_bytes(id),
                send_q: 0,
                v6: false,
                dual: false,
                local: (None, 0, None),
                peer: None,
                packet_if: None,
                owner,
            };
            match backing {
                Backing::Ours(SocketKind::RawIcmp { bind }) => out.push(SocketInfo {
                    local: (bind.map(IpAddr::V4), u16::from(crate::wire::proto::ICMP), None),
                    ..base
                }),
                // Connected (`traceroute -T`'s): ESTAB, from the address routing picks, to the
                // peer with no port (`*`), as measured with `ss -wanp`.
                Backing::Ours(SocketKind::RawTcp { peer }) => {
                    let src = match peer {
                        IpAddr::V4(p) => self.route_output(p, None, None).ok().map(|r| IpAddr::V4(r.src)),
                        IpAddr::V6(p) => self.route6_output(p, None).ok().map(|r| IpAddr::V6(r.1)),
                    };
                    out.push(SocketInfo {
                        state: "ESTAB",
                        local: (src, u16::from(crate::wire::proto::TCP), None),
                        peer: Some((peer, 0)),
                        ..base
                    })
                }
                Backing::Ours(SocketKind::Packet { ifindex }) => {
                    out.push(SocketInfo { netid: "p_raw", packet_if: Some(ifindex), ..base })
                }
                Backing::Ours(SocketKind::Udp { port, dev }) => {
                    out.push(SocketInfo { netid: "udp", local: (None, port, dev), ..base })
                }
                Backing::Ours(SocketKind::ConntrackEvents) => out.push(SocketInfo { netid: "nl", ..base }),
                // Unbound and not IPV6_V6ONLY: ss shows `*:58`.
                Backing::Ours(SocketKind::RawIcmp6) => out.push(SocketInfo {
                    v6: true,
                    dual: true,
                    local: (None, u16::from(crate::netns::ipv6::packet::ICMPV6), None),
                    ..base
                }),
                Backing::Dgram(d) => {
                    // connect() binds the source address routing picks.
                    let src = d.bind.or_else(|| match d.peer?.ip() {
                        IpAddr::V4(a) => self.route_output(a, None, None).ok().map(|r| IpAddr::V4(r.src)),
                        IpAddr::V6(a) => self.route6_output(a, None).ok().map(|r| IpAddr::V6(r.1)),
                    });
                    out.push(SocketInfo {
                        netid: "udp",
                        state: if d.peer.is_some() { "ESTAB" } else { "UNCONN" },
                        v6: d.v6,
                        dual: d.hears() == (true, true),
                        local: (src.map(|a| super::udp::as_family(d.v6, a)), d.port, None),
                        peer: d.peer.map(|p| (super::udp::as_family(d.v6, p.ip()), p.port())),
                        ..base
                    });
                }
                Backing::Tcp(h) => {
                    by_handle.insert(h, (pid, owner.map_or(0, |o| o.1), backlog, id));
                }
            }
        }
        let Some(l4) = self.l4.as_ref() else { return out };
        let mut listeners = Vec::new();
        let mut others = Vec::new();
        for (h, s) in l4.sockets.iter() {
            let owner = by_handle.get(&h).map(|(pid, fd, _, _)| (*pid, *fd));
            let backlog = by_handle.get(&h).map_or(0, |b| b.2);
            match s {
                smoltcp::socket::Socket::Tcp(t) if t.state() == tcp::State::Closed => {}
                smoltcp::socket::Socket::Tcp(t) => {
                    let listen = t.state() == tcp::State::Listen;
                    let family = self.tcp_family(h);
                    let (local, peer) = match (t.local_endpoint(), t.remote_endpoint()) {
                        (Some(l), Some(r)) => (
                            (Some(family.show(l.addr.into())), l.port, None),
                            Some((family.show(r.addr.into()), r.port)),
                        ),
                        _ => {
                            let l = t.listen_endpoint();
                            ((l.addr.map(IpAddr::from), l.port, None), None)
                        }
                    };
                    let info = SocketInfo {
                        netid: "tcp",
                        state: tcp_state_name(t.state()),
                        recv_q: if listen { 0 } else { t.recv_queue() },
                        send_q: if listen { backlog as usize } else { t.send_queue() },
                        v6: family != Family::V4,
                        dual: family == Family::V6 { v6only: false },
                        local,
                        peer,
                        packet_if: None,
                        owner,
                    };
                    if listen { listeners.push(info) } else { others.push(info) }
                }
                #[allow(unreachable_patterns)]
                _ => {}
            }
        }
        out.extend(listeners);
        out.extend(others);
        out
    }
}
