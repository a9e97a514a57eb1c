//! The namespace's table of sockets, by id: raw ICMP sockets (ping, traceroute, dnsmasq's
//! ping check), packet sockets (dhclient's LPF), UDP ports bound to a device on our own L3
//! (dnsmasq's 67, dhclient's 68), UDP sockets as bind(2)/connect(2) make them (nc -u, users'
//! `UdpSocket`), conntrack event subscriptions (`conntrack -E`), and the TCP sockets that
//! live on smoltcp (their entry holds the smoltcp handle).
//!
//! Each socket has an owner pid, a receive queue and a ready mark. The stack delivers by
//! lookup (protocol, interface, port — UDP ports through an index, so a datagram costs the
//! same with one socket or thousands), pushes what it delivers on the queue and marks the
//! socket ready; the namespace later calls the owners of ready sockets, in the order they
//! became ready, and they read their queues. This module owns the table only: it knows no
//! program and calls nothing. A queue holds at most [`RCVBUF_PACKETS`] packets (a UDP
//! socket's also at most [`RMEM_DEFAULT`] bytes); what arrives at a full queue is dropped,
//! as a full `SO_RCVBUF` drops it. Buffers are reused, so a delivery in steady state
//! allocates nothing.

use crate::netfilter::conntrack::{Entry, Event};
use std::collections::{BTreeMap, VecDeque};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// A socket of the table, by id (ids grow; delivery goes in id order).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SocketId(pub u32);

/// What a socket opened with [`crate::sys::Sys::socket`] takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SocketKind {
    /// `socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)`, bound to `bind` if given: a copy of every
    /// ICMP packet for this host (to `bind`).
    RawIcmp {
        /// The address it is bound to.
        bind: Option<Ipv4Addr>,
    },
    /// `socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6)`: a copy of every ICMPv6 message for
    /// this host (neighbour discovery's and MLD's excepted).
    RawIcmp6,
    /// `socket(AF_INET[6], SOCK_RAW, IPPROTO_TCP)` connected to `peer`, with
    /// `IP[V6]_RECVERR`: a copy of every TCP segment from it to this host, before TCP takes
    /// it, and the ICMP (ICMPv6) errors about TCP sent to it (`traceroute -T`).
    RawTcp {
        /// The address it is connected to (its family is the socket's).
        peer: IpAddr,
    },
    /// `socket(AF_PACKET, …)` bound to `ifindex`: every frame the interface takes.
    Packet {
        /// The interface.
        ifindex: u32,
    },
    /// A UDP port bound on our own L3, to one device (`SO_BINDTODEVICE`) or all.
    Udp {
        /// The port.
        port: u16,
        /// The device.
        dev: Option<u32>,
    },
    /// A conntrack event subscription (`NFNLGRP_CONNTRACK_*`).
    ConntrackEvents,
}

/// What stands behind an entry: one of ours, or a smoltcp socket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Backing {
    /// One of ours.
    Ours(SocketKind),
    /// A smoltcp TCP socket.
    Tcp(smoltcp::iface::SocketHandle),
    /// A UDP socket (`socket(AF_INET or AF_INET6, SOCK_DGRAM, 0)`).
    Dgram(Dgram),
}

/// A UDP socket's addresses and options, as `struct inet_sock` keeps them.
///
/// An `AF_INET6` socket hears both families unless `IPV6_V6ONLY` (Linux's default,
/// `bindv6only` 0): IPv4 reaches it as `::ffff:a.b.c.d`, and bound to `::` it holds its
/// port for IPv4 too. Addresses are kept canonical: a v4-mapped address as the IPv4 one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Dgram {
    /// `AF_INET6`.
    pub(crate) v6: bool,
    /// `IPV6_V6ONLY`.
    pub(crate) v6only: bool,
    /// The bound address (`None`: any).
    pub(crate) bind: Option<IpAddr>,
    /// The bound port.
    pub(crate) port: u16,
    /// The peer of a connected socket: only it is heard from.
    pub(crate) peer: Option<SocketAddr>,
    /// `IP_TTL` / `IPV6_UNICAST_HOPS` (`None`: the namespace's default).
    pub(crate) ttl: Option<u8>,
    /// An ICMP error came about a datagram it sent (`ECONNREFUSED` pending).
    pub(crate) refused: bool,
}

/// `a` with a v4-mapped IPv6 address as the IPv4 one it maps.
pub(crate) fn canonical(a: IpAddr) -> IpAddr {
    match a {
        IpAddr::V6(v) => v.to_ipv4_mapped().map_or(a, IpAddr::V4),
        a => a,
    }
}

impl Dgram {
    /// The families it hears: (IPv4, IPv6).
    pub(crate) fn hears(&self) -> (bool, bool) {
        let bound = |v6: bool| self.bind.is_none_or(|b| b.is_ipv6() == v6);
        if self.v6 { (!self.v6only && bound(false), bound(true)) } else { (true, false) }
    }

    /// `compute_score`'s match: a datagram from `src` to `dst` reaches this socket.
    fn takes(&self, dst: IpAddr, src: SocketAddr) -> bool {
        let (v4, v6) = self.hears();
        (if dst.is_ipv4() { v4 } else { v6 })
            && self.bind.is_none_or(|b| b == dst)
            && self.peer.is_none_or(|p| p.ip() == src.ip() && p.port() == src.port())
    }
}

/// `net.core.rmem_default`: the bytes a UDP socket's receive queue holds.
pub const RMEM_DEFAULT: usize = 212_992;

/// What came with a received packet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Meta {
    /// An ICMP message on a raw socket (or a TCP segment on a raw TCP socket): the IP
    /// header's fields.
    Icmp {
        /// IP source.
        src: Ipv4Addr,
        /// IP destination.
        dst: Ipv4Addr,
        /// IP TTL.
        ttl: u8,
    },
    /// An ICMP error about a packet a connected raw socket sent, from its error queue
    /// (`IP_RECVERR`, as `traceroute -T` reads them): the ICMP message and its IP header's
    /// fields.
    IcmpError {
        /// Who sent the error.
        src: Ipv4Addr,
        /// IP destination.
        dst: Ipv4Addr,
        /// IP TTL.
        ttl: u8,
    },
    /// An ICMPv6 error about a packet a connected raw IPv6 socket sent, from its error
    /// queue (`IPV6_RECVERR`): the ICMPv6 message and its IPv6 header's fields.
    Icmp6Error {
        /// The interface it came in on.
        in_if: u32,
        /// Who sent the error.
        src: Ipv6Addr,
        /// Destination.
        dst: Ipv6Addr,
        /// Hop limit.
        hlim: u8,
    },
    /// An ICMPv6 message on a raw ICMPv6 socket (or a TCP segment on a raw IPv6 TCP
    /// socket): the IPv6 header's fields.
    Icmp6 {
        /// The interface it came in on.
        in_if: u32,
        /// Source.
        src: Ipv6Addr,
        /// Destination.
        dst: Ipv6Addr,
        /// Hop limit.
        hlim: u8,
    },
    /// A UDP datagram on a port bound on our L3.
    Udp {
        /// The interface it came in on.
        in_if: u32,
        /// IP source.
        src: IpAddr,
        /// IP destination.
        dst: IpAddr,
        /// UDP source port.
        sport: u16,
        /// UDP destination port.
        dport: u16,
    },
    /// A whole Ethernet frame on a packet socket.
    Frame {
        /// The interface.
        ifindex: u32,
    },
    /// A conntrack event (the bytes are empty).
    Conntrack {
        /// The event.
        ev: Event,
        /// The entry as it was then.
        entry: Entry,
    },
}

/// How many packets a receive queue holds.
pub const RCVBUF_PACKETS: usize = 256;

#[derive(Debug)]
struct Sock {
    pid: u32,
    kind: Backing,
    queue: VecDeque<(Meta, Vec<u8>)>,
    /// The bytes on `queue`.
    bytes: usize,
    ready: bool,
    /// A listening TCP socket's `listen()` backlog (what `ss` shows as its Send-Q).
    backlog: u32,
}

/// The table.
#[derive(Debug, Default)]
pub(crate) struct SockTab {
    next: u32,
    socks: BTreeMap<SocketId, Sock>,
    ready: VecDeque<SocketId>,
    pool: Vec<Vec<u8>>,
    /// UDP sockets (ours bound to a device, and `Dgram`s) by port, each list in id order.
    udp_ports: BTreeMap<u16, Vec<SocketId>>,
    /// Our raw, packet and conntrack-event sockets (the ones found by scanning).
    scanned: std::collections::BTreeSet<SocketId>,
}

/// A socket's UDP port, if it is a UDP socket.
fn udp_port(kind: &Backing) -> Option<u16> {
    match kind {
        Backing::Ours(SocketKind::Udp { port, .. }) | Backing::Dgram(Dgram { port, .. }) => Some(*port),
        _ => None,
    }
}

impl SockTab {
    /// Opens a socket for process `pid`.
    pub(crate) fn open(&mut self, pid: u32, kind: Backing) -> SocketId {
        let id = SocketId(self.next);
        self.next += 1;
        if let Some(port) = udp_port(&kind) {
            self.udp_ports.entry(port).or_default().push(id);
        } else if matches!(kind, Backing::Ours(_)) {
            self.scanned.insert(id);
        }
        self.socks.insert(id, Sock { pid, kind, queue: VecDeque::new(), bytes: 0, ready: false, backlog: 0 });
        id
    }

    /// Closes a socket; what it held goes back to the pool.
    pub(crate) fn close(&mut self, id: SocketId) {
        if let Some(s) = self.socks.remove(&id) {
            self.scanned.remove(&id);
            if let Some(port) = udp_port(&s.kind)
                && let Some(ids) = self.udp_ports.get_mut(&port)
            {
                ids.retain(|i| *i != id);
                if ids.is_empty() {
                    self.udp_ports.remove(&port);
                }
            }
            self.pool.extend(s.queue.into_iter().map(|(_, b)| b));
        }
    }

    /// Closes every socket of process `pid` (it exited).
    pub(crate) fn close_all(&mut self, pid: u32) {
        let mine: Vec<SocketId> = self.socks.iter().filter(|(_, s)| s.pid == pid).map(|(id, _)| *id).collect();
        for id in mine {
            self.close(id);
        }
    }

    /// A socket's owner and kind.
    pub(crate) fn get(&self, id: SocketId) -> Option<(u32, Backing)> {
        self.socks.get(&id).map(|s| (s.pid, s.kind))
    }

    /// The first raw, packet or conntrack-event socket from `from` on that `takes`.
    fn next_where(&self, from: SocketId, takes: impl Fn(&SocketKind) -> bool) -> Option<SocketId> {
        self.scanned
            .range(from..)
            .find(|id| self.socks.get(id).is_some_and(|s| matches!(&s.kind, Backing::Ours(k) if takes(k))))
            .copied()
    }

    /// The next raw ICMP socket (from `from` on) that takes a packet to `dst`.
    pub(crate) fn next_raw_icmp(&self, from: SocketId, dst: Ipv4Addr) -> Option<SocketId> {
        self.next_where(from, |k| matches!(k, SocketKind::RawIcmp { bind } if bind.is_none_or(|b| b == dst)))
    }

    /// The next raw TCP socket (from `from` on) that takes a segment from `src`.
    pub(crate) fn next_raw_tcp(&self, from: SocketId, src: IpAddr) -> Option<SocketId> {
        self.next_where(from, |k| matches!(k, SocketKind::RawTcp { peer } if *peer == src))
    }

    /// The next raw ICMPv6 socket (from `from` on).
    pub(crate) fn next_raw_icmp6(&self, from: SocketId) -> Option<SocketId> {
        self.next_where(from, |k| matches!(k, SocketKind::RawIcmp6))
    }

    /// The next packet socket (from `from` on) on `ifindex`.
    pub(crate) fn next_packet(&self, from: SocketId, ifindex: u32) -> Option<SocketId> {
        self.next_where(from, |k| *k == SocketKind::Packet { ifindex })
    }

    /// True if some packet socket listens on `ifindex`.
    pub(crate) fn has_packet(&self, ifindex: u32) -> bool {
        self.next_packet(SocketId(0), ifindex).is_some()
    }

    /// The UDP sockets on `port`, in id order, with what backs them.
    fn on_port(&self, port: u16) -> impl Iterator<Item = (SocketId, &Backing)> + '_ {
        self.udp_ports.get(&port).into_iter().flatten().filter_map(|id| self.socks.get(id).map(|s| (*id, &s.kind)))
    }

    /// The UDP socket that takes a datagram from `src:sport` to `dst:dport` that came in on
    /// `in_if`: one bound to that device first (dnsmasq's, dhclient's), then the socket
    /// bind(2) and connect(2) match.
    pub(crate) fn udp_lookup(&self, dst: IpAddr, dport: u16, src: SocketAddr, in_if: u32) -> Option<SocketId> {
        // (Ours bound to a device are IPv4's: dnsmasq's and dhclient's.) One pass: the
        // first such socket wins at once, else the first that bind and connect match.
        let mut dgram = None;
        for (id, k) in self.on_port(dport) {
            match k {
                Backing::Ours(SocketKind::Udp { dev, .. }) if dst.is_ipv4() && dev.is_none_or(|d| d == in_if) => {
                    return Some(id);
                }
                Backing::Dgram(d) if dgram.is_none() && d.takes(dst, src) => dgram = Some(id),
                _ => {}
            }
        }
        dgram
    }

    /// The first UDP socket (`Dgram`) bound to `port` that hears the family (`v6`) (for an
    /// ICMP error about a datagram it sent).
    pub(crate) fn dgram_on(&self, v6: bool, port: u16) -> Option<SocketId> {
        let hears = |d: &Dgram| if v6 { d.hears().1 } else { d.hears().0 };
        self.on_port(port).find(|(_, k)| matches!(k, Backing::Dgram(d) if hears(d))).map(|(id, _)| id)
    }

    /// Whether UDP socket `new` would clash with one already bound to its port, as bind(2)
    /// sees it: a family both hear, on the same address or with either the wildcard.
    pub(crate) fn dgram_clash(&self, new: &Dgram) -> bool {
        let (n4, n6) = new.hears();
        self.on_port(new.port).any(|(_, k)| match k {
            Backing::Dgram(d) => {
                let (e4, e6) = d.hears();
                ((n4 && e4) || (n6 && e6)) && (new.bind.is_none() || d.bind.is_none() || d.bind == new.bind)
            }
            _ => false,
        })
    }

    /// True if some UDP socket holds `port`.
    pub(crate) fn udp_port_held(&self, port: u16) -> bool {
        self.udp_ports.contains_key(&port)
    }

    /// A UDP socket's addresses and options.
    pub(crate) fn dgram(&self, id: SocketId) -> Option<&Dgram> {
        match &self.socks.get(&id)?.kind {
            Backing::Dgram(d) => Some(d),
            _ => None,
        }
    }

    /// A UDP socket's addresses and options, to change them.
    pub(crate) fn dgram_mut(&mut self, id: SocketId) -> Option<&mut Dgram> {
        match &mut self.socks.get_mut(&id)?.kind {
            Backing::Dgram(d) => Some(d),
            _ => None,
        }
    }

    /// Marks a socket ready (news other than a packet: an error to report).
    pub(crate) fn wake(&mut self, id: SocketId) {
        if let Some(s) = self.socks.get_mut(&id) {
            Self::mark(&mut self.ready, id, s);
        }
    }

    /// The next conntrack event subscription (from `from` on).
    pub(crate) fn next_conntrack(&self, from: SocketId) -> Option<SocketId> {
        self.next_where(from, |k| *k == SocketKind::ConntrackEvents)
    }

    /// Puts a packet on a socket's queue (a copy of `bytes`) and marks it ready; false if
    /// the queue is full and the packet was dropped.
    pub(crate) fn push(&mut self, id: SocketId, meta: Meta, bytes: &[u8]) -> bool {
        let Some(s) = self.socks.get_mut(&id) else { return true };
        if s.queue.len() >= RCVBUF_PACKETS
            || (matches!(s.kind, Backing::Dgram(_)) && s.bytes + bytes.len() > RMEM_DEFAULT)
        {
            return false;
        }
        let mut b = self.pool.pop().unwrap_or_default();
        b.clear();
        b.extend_from_slice(bytes);
        s.bytes += b.len();
        s.queue.push_back((meta, b));
        Self::mark(&mut self.ready, id, s);
        true
    }

    fn mark(ready: &mut VecDeque<SocketId>, id: SocketId, s: &mut Sock) {
        if !s.ready {
            s.ready = true;
            ready.push_back(id);
        }
    }

    /// Marks every TCP socket ready after a round of smoltcp's ingress (smoltcp tells no
    /// per-socket news of a connection).
    pub(crate) fn wake_tcp(&mut self) {
        for (id, s) in self.socks.iter_mut() {
            if matches!(s.kind, Backing::Tcp(_)) {
                Self::mark(&mut self.ready, *id, s);
            }
        }
    }

    /// The next ready socket and its owner, no longer marked.
    pub(crate) fn pop_ready(&mut self) -> Option<(SocketId, u32)> {
        while let Some(id) = self.ready.pop_front() {
            if let Some(s) = self.socks.get_mut(&id) {
                s.ready = false;
                return Some((id, s.pid));
            }
        }
        None
    }

    /// True when socket `id` has a packet waiting.
    pub(crate) fn has_queued(&self, id: SocketId) -> bool {
        self.socks.get(&id).is_some_and(|s| !s.queue.is_empty())
    }

    /// Takes the next packet of socket `id` into `buf` (whose old buffer goes back to the
    /// pool); its metadata.
    pub(crate) fn recv(&mut self, id: SocketId, buf: &mut Vec<u8>) -> Option<Meta> {
        let s = self.socks.get_mut(&id)?;
        let (meta, mut b) = s.queue.pop_front()?;
        s.bytes -= b.len();
        std::mem::swap(buf, &mut b);
        self.pool.push(b);
        Some(meta)
    }

    /// Packets waiting on socket `id`.
    #[cfg(test)]
    pub(crate) fn queued(&self, id: SocketId) -> usize {
        self.socks.get(&id).map_or(0, |s| s.queue.len())
    }

    /// Bytes waiting on socket `id` (`ss`'s Recv-Q).
    pub(crate) fn queued_bytes(&self, id: SocketId) -> usize {
        self.socks.get(&id).map_or(0, |s| s.bytes)
    }

    /// Records a listening socket's backlog.
    pub(crate) fn set_backlog(&mut self, id: SocketId, backlog: u32) {
        if let Some(s) = self.socks.get_mut(&id) {
            s.backlog = backlog;
        }
    }

    /// Every socket: id, owner, what backs it, its backlog.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (SocketId, u32, Backing, u32)> + '_ {
        self.socks.iter().map(|(id, s)| (*id, s.pid, s.kind, s.backlog))
    }
}

impl SocketId {
    /// The id after this one.
    pub(crate) fn succ(self) -> SocketId {
        SocketId(self.0 + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_find_sockets_in_order_and_exit_closes() {
        let mut t = SockTab::default();
        let a: Ipv4Addr = "192.0.2.1".parse().unwrap();
        let ping = t.open(3, Backing::Ours(SocketKind::RawIcmp { bind: Some(a) }));
        let trace = t.open(4, Backing::Ours(SocketKind::RawIcmp { bind: None }));
        let dhcp = t.open(5, Backing::Ours(SocketKind::Udp { port: 67, dev: Some(2) }));
        t.open(6, Backing::Ours(SocketKind::Packet { ifindex: 2 }));
        assert_eq!(t.next_raw_icmp(SocketId(0), a), Some(ping));
        assert_eq!(t.next_raw_icmp(ping.succ(), a), Some(trace));
        assert_eq!(t.next_raw_icmp(SocketId(0), "192.0.2.9".parse().unwrap()), Some(trace));
        let (a2, b2): (IpAddr, SocketAddr) = ("10.0.0.1".parse().unwrap(), "10.0.0.2:68".parse().unwrap());
        assert_eq!(t.udp_lookup(a2, 67, b2, 2), Some(dhcp));
        assert_eq!(t.udp_lookup(a2, 67, b2, 3), None);
        assert!(t.has_packet(2) && !t.has_packet(3));
        t.close_all(4);
        assert_eq!(t.next_raw_icmp(ping.succ(), a), None);
        t.close(ping);
        assert_eq!(t.next_raw_icmp(SocketId(0), a), None);
    }

    #[test]
    fn queues_mark_ready_once_in_order_and_drop_when_full() {
        let mut t = SockTab::default();
        let a = t.open(1, Backing::Ours(SocketKind::Packet { ifindex: 2 }));
        let b = t.open(2, Backing::Ours(SocketKind::Packet { ifindex: 2 }));
        let m = Meta::Frame { ifindex: 2 };
        assert!(t.push(b, m.clone(), b"x"));
        assert!(t.push(a, m.clone(), b"y"));
        assert!(t.push(b, m.clone(), b"z"));
        assert_eq!(t.pop_ready(), Some((b, 2)));
        assert_eq!(t.pop_ready(), Some((a, 1)));
        assert_eq!(t.pop_ready(), None);
        let mut buf = Vec::new();
        assert_eq!(t.recv(b, &mut buf), Some(m.clone()));
        assert_eq!(buf, b"x");
        assert_eq!(t.recv(b, &mut buf), Some(m.clone()));
        assert_eq!(buf, b"z");
        assert_eq!(t.recv(b, &mut buf), None);
        for _ in 0..RCVBUF_PACKETS - 1 {
            assert!(t.push(a, m.clone(), b"."));
        }
        assert!(!t.push(a, m, b"!"), "the 257th packet is dropped");
        assert_eq!(t.queued(a), RCVBUF_PACKETS);
    }

    #[test]
    fn udp_sockets_match_as_bind_and_connect_say_and_hold_rmem_default_bytes() {
        let mut t = SockTab::default();
        let (a, b, c): (IpAddr, IpAddr, IpAddr) =
            ("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap(), "10.0.0.3".parse().unwrap());
        let at = |ip: IpAddr, port| SocketAddr::new(ip, port);
        let dg = |v6, v6only, bind: Option<IpAddr>, peer| Dgram {
            v6,
            v6only,
            bind,
            port: 53,
            peer,
            ttl: None,
            refused: false,
        };
        let d = |bind: Option<IpAddr>, peer| Backing::Dgram(dg(bind.is_some_and(|b| b.is_ipv6()), false, bind, peer));
        let bound = t.open(1, d(Some(a), None));
        assert!(t.dgram_clash(&dg(false, false, None, None)) && t.dgram_clash(&dg(false, false, Some(a), None)));
        assert!(!t.dgram_clash(&dg(false, false, Some(b), None)));
        assert!(!t.dgram_clash(&dg(true, true, None, None)), "an IPV6_V6ONLY socket does not meet IPv4's");
        assert!(t.dgram_clash(&dg(true, false, None, None)), "a dual-stack one does");
        let connected = t.open(1, d(Some(b), Some(at(c, 4000))));
        assert_eq!(t.udp_lookup(a, 53, at(c, 1), 2), Some(bound));
        assert_eq!(t.udp_lookup(b, 53, at(c, 4000), 2), Some(connected));
        assert_eq!(t.udp_lookup(b, 53, at(c, 4001), 2), None, "a connected socket hears only its peer");
        assert_eq!(t.udp_lookup(c, 53, at(c, 4000), 2), None);
        assert_eq!(t.dgram_on(false, 53), Some(bound));
        // An IPv6 socket bound to an IPv6 address on the same port hears IPv6 only.
        let v6: IpAddr = "2001:db8::1".parse().unwrap();
        let six = t.open(1, d(Some(v6), None));
        assert_eq!(t.udp_lookup(v6, 53, at("2001:db8::2".parse().unwrap(), 1), 2), Some(six));
        assert_eq!(t.dgram_on(true, 53), Some(six));
        t.close(six);
        let m = Meta::Udp { in_if: 2, src: c, dst: a, sport: 1, dport: 53 };
        let big = vec![0u8; 60_000];
        for _ in 0..3 {
            assert!(t.push(bound, m.clone(), &big));
        }
        assert!(!t.push(bound, m.clone(), &big), "a fourth 60,000 bytes is past rmem_default");
        assert_eq!(t.queued_bytes(bound), 180_000);
        let mut buf = Vec::new();
        t.recv(bound, &mut buf);
        assert!(t.push(bound, m, &big));
        t.close(bound);
        t.close(connected);
        assert!(!t.udp_port_held(53) && t.udp_lookup(a, 53, at(c, 1), 2).is_none());
    }
}
