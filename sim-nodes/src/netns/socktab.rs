//! The namespace's table of sockets, by id: raw ICMP sockets (ping, traceroute, dnsmasq's
//! ping check), packet sockets (dhclient's LPF), UDP ports bound on our own L3 (dnsmasq's
//! 67, dhclient's 68), conntrack event subscriptions (`conntrack -E`), and the TCP and UDP
//! sockets that live on smoltcp (their entry holds the smoltcp handle).
//!
//! Each socket has an owner pid, a receive queue and a ready mark. The stack delivers by
//! lookup (protocol, interface, port), pushes what it delivers on the queue and marks the
//! socket ready; the namespace later calls the owners of ready sockets, in the order they
//! became ready, and they read their queues. This module owns the table only: it knows no
//! program and calls nothing. A queue holds at most [`RCVBUF_PACKETS`] packets; what
//! arrives at a full queue is dropped, as a full `SO_RCVBUF` drops it. Buffers are reused,
//! so a delivery in steady state allocates nothing.

use crate::netfilter::conntrack::{Entry, Event};
use std::collections::{BTreeMap, VecDeque};
use std::net::Ipv4Addr;

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
    /// A smoltcp UDP socket.
    Dgram(smoltcp::iface::SocketHandle),
}

/// What came with a received packet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Meta {
    /// An ICMP message on a raw socket: the IP header's fields.
    Icmp {
        /// IP source.
        src: Ipv4Addr,
        /// IP destination.
        dst: Ipv4Addr,
        /// IP TTL.
        ttl: u8,
    },
    /// A UDP datagram on a port bound on our L3.
    Udp {
        /// The interface it came in on.
        in_if: u32,
        /// IP source.
        src: Ipv4Addr,
        /// IP destination.
        dst: Ipv4Addr,
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
}

impl SockTab {
    /// Opens a socket for process `pid`.
    pub(crate) fn open(&mut self, pid: u32, kind: Backing) -> SocketId {
        let id = SocketId(self.next);
        self.next += 1;
        self.socks.insert(id, Sock { pid, kind, queue: VecDeque::new(), ready: false, backlog: 0 });
        id
    }

    /// Closes a socket; what it held goes back to the pool.
    pub(crate) fn close(&mut self, id: SocketId) {
        if let Some(s) = self.socks.remove(&id) {
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

    /// The first socket from `from` on that `takes`.
    fn next_where(&self, from: SocketId, takes: impl Fn(&SocketKind) -> bool) -> Option<SocketId> {
        self.socks.range(from..).find(|(_, s)| matches!(&s.kind, Backing::Ours(k) if takes(k))).map(|(id, _)| *id)
    }

    /// The next raw ICMP socket (from `from` on) that takes a packet to `dst`.
    pub(crate) fn next_raw_icmp(&self, from: SocketId, dst: Ipv4Addr) -> Option<SocketId> {
        self.next_where(from, |k| matches!(k, SocketKind::RawIcmp { bind } if bind.is_none_or(|b| b == dst)))
    }

    /// The next packet socket (from `from` on) on `ifindex`.
    pub(crate) fn next_packet(&self, from: SocketId, ifindex: u32) -> Option<SocketId> {
        self.next_where(from, |k| *k == SocketKind::Packet { ifindex })
    }

    /// True if some packet socket listens on `ifindex`.
    pub(crate) fn has_packet(&self, ifindex: u32) -> bool {
        self.next_packet(SocketId(0), ifindex).is_some()
    }

    /// The UDP socket bound to `port` on our L3 for a datagram that came in on `in_if`.
    pub(crate) fn udp_owner(&self, port: u16, in_if: u32) -> Option<SocketId> {
        self.next_where(
            SocketId(0),
            |k| matches!(k, SocketKind::Udp { port: p, dev } if *p == port && dev.is_none_or(|d| d == in_if)),
        )
    }

    /// The next conntrack event subscription (from `from` on).
    pub(crate) fn next_conntrack(&self, from: SocketId) -> Option<SocketId> {
        self.next_where(from, |k| *k == SocketKind::ConntrackEvents)
    }

    /// Puts a packet on a socket's queue (a copy of `bytes`) and marks it ready; false if
    /// the queue is full and the packet was dropped.
    pub(crate) fn push(&mut self, id: SocketId, meta: Meta, bytes: &[u8]) -> bool {
        let Some(s) = self.socks.get_mut(&id) else { return true };
        if s.queue.len() >= RCVBUF_PACKETS {
            return false;
        }
        let mut b = self.pool.pop().unwrap_or_default();
        b.clear();
        b.extend_from_slice(bytes);
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

    /// Marks smoltcp sockets ready after a round's ingress: every TCP socket (smoltcp
    /// tells no per-socket news of a connection), and a UDP socket only when `has_news`
    /// says it has a datagram or an error to read.
    pub(crate) fn wake_l4(&mut self, mut has_news: impl FnMut(smoltcp::iface::SocketHandle) -> bool) {
        for (id, s) in self.socks.iter_mut() {
            let news = match s.kind {
                Backing::Tcp(_) => true,
                Backing::Dgram(h) => has_news(h),
                Backing::Ours(_) => false,
            };
            if news {
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

    /// Takes the next packet of socket `id` into `buf` (whose old buffer goes back to the
    /// pool); its metadata.
    pub(crate) fn recv(&mut self, id: SocketId, buf: &mut Vec<u8>) -> Option<Meta> {
        let s = self.socks.get_mut(&id)?;
        let (meta, mut b) = s.queue.pop_front()?;
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
        self.socks.get(&id).map_or(0, |s| s.queue.iter().map(|(_, b)| b.len()).sum())
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
        assert_eq!(t.udp_owner(67, 2), Some(dhcp));
        assert_eq!(t.udp_owner(67, 3), None);
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
}
