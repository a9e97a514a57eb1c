//! The namespace's table of the sockets that live on our own L2/L3 rather than on smoltcp:
//! raw ICMP sockets (ping, traceroute, dnsmasq's ping check), packet sockets (dhclient's
//! LPF), UDP ports bound outside smoltcp (dnsmasq's 67, dhclient's 68) and conntrack event
//! subscriptions (`conntrack -E`). A program opens them through `Sys`; they close when it
//! exits. Delivery is a lookup by protocol, interface or port — never a question put to
//! every program. It owns the table only: it knows no program, and delivers nothing itself.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

/// A socket of the table, by id (ids grow; delivery goes in id order).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SocketId(pub u32);

/// What a socket takes.
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
    /// A UDP port bound outside smoltcp, to one device (`SO_BINDTODEVICE`) or all.
    Udp {
        /// The port.
        port: u16,
        /// The device.
        dev: Option<u32>,
    },
    /// A conntrack event subscription (`NFNLGRP_CONNTRACK_*`).
    ConntrackEvents,
}

/// The table.
#[derive(Debug, Default)]
pub(crate) struct SockTab {
    next: u32,
    socks: BTreeMap<SocketId, (u32, SocketKind)>,
}

impl SockTab {
    /// Opens a socket for process `pid`.
    pub(crate) fn open(&mut self, pid: u32, kind: SocketKind) -> SocketId {
        let id = SocketId(self.next);
        self.next += 1;
        self.socks.insert(id, (pid, kind));
        id
    }

    /// Closes a socket.
    pub(crate) fn close(&mut self, id: SocketId) {
        self.socks.remove(&id);
    }

    /// Closes every socket of process `pid` (it exited).
    pub(crate) fn close_all(&mut self, pid: u32) {
        self.socks.retain(|_, (p, _)| *p != pid);
    }

    /// The first socket from `from` on that `takes`, and its owner.
    fn next_where(&self, from: SocketId, takes: impl Fn(&SocketKind) -> bool) -> Option<(SocketId, u32)> {
        self.socks.range(from..).find(|(_, (_, k))| takes(k)).map(|(id, (pid, _))| (*id, *pid))
    }

    /// The next raw ICMP socket (from `from` on) that takes a packet to `dst`.
    pub(crate) fn next_raw_icmp(&self, from: SocketId, dst: Ipv4Addr) -> Option<(SocketId, u32)> {
        self.next_where(from, |k| matches!(k, SocketKind::RawIcmp { bind } if bind.is_none_or(|b| b == dst)))
    }

    /// The next packet socket (from `from` on) on `ifindex`.
    pub(crate) fn next_packet(&self, from: SocketId, ifindex: u32) -> Option<(SocketId, u32)> {
        self.next_where(from, |k| *k == SocketKind::Packet { ifindex })
    }

    /// True if some packet socket listens on `ifindex`.
    pub(crate) fn has_packet(&self, ifindex: u32) -> bool {
        self.next_packet(SocketId(0), ifindex).is_some()
    }

    /// The owner of the UDP port `port` for a datagram that came in on `in_if`.
    pub(crate) fn udp_owner(&self, port: u16, in_if: u32) -> Option<u32> {
        self.next_where(
            SocketId(0),
            |k| matches!(k, SocketKind::Udp { port: p, dev } if *p == port && dev.is_none_or(|d| d == in_if)),
        )
        .map(|(_, pid)| pid)
    }

    /// The next conntrack event subscription (from `from` on).
    pub(crate) fn next_conntrack(&self, from: SocketId) -> Option<(SocketId, u32)> {
        self.next_where(from, |k| *k == SocketKind::ConntrackEvents)
    }

    /// Every socket, with its owner (for `ss`).
    pub fn iter(&self) -> impl Iterator<Item = (SocketId, u32, SocketKind)> + '_ {
        self.socks.iter().map(|(id, (pid, k))| (*id, *pid, *k))
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
    fn lookups_find_owners_in_order_and_exit_closes() {
        let mut t = SockTab::default();
        let a: Ipv4Addr = "192.0.2.1".parse().unwrap();
        let ping = t.open(3, SocketKind::RawIcmp { bind: Some(a) });
        let trace = t.open(4, SocketKind::RawIcmp { bind: None });
        t.open(5, SocketKind::Udp { port: 67, dev: Some(2) });
        t.open(6, SocketKind::Packet { ifindex: 2 });
        assert_eq!(t.next_raw_icmp(SocketId(0), a), Some((ping, 3)));
        assert_eq!(t.next_raw_icmp(ping.succ(), a), Some((trace, 4)));
        assert_eq!(t.next_raw_icmp(SocketId(0), "192.0.2.9".parse().unwrap()), Some((trace, 4)));
        assert_eq!(t.udp_owner(67, 2), Some(5));
        assert_eq!(t.udp_owner(67, 3), None);
        assert!(t.has_packet(2) && !t.has_packet(3));
        t.close_all(4);
        assert_eq!(t.next_raw_icmp(ping.succ(), a), None);
        t.close(ping);
        assert_eq!(t.next_raw_icmp(SocketId(0), a), None);
    }
}
