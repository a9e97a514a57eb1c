//! IPv6 received (`ipv6_rcv`), as far as a host that does not yet speak neighbour
//! discovery goes: the header checked (malformed packets counted and dropped), and a
//! duplicate address detection probe for an address of ours acted on — ours still
//! tentative: DAD failed (`dadfailed`); ours already valid: defended with an unsolicited
//! advertisement to all nodes — and an advertisement for an address we are still testing
//! failing its DAD. Multicast listener reports and router solicitations are
//! for routers and are left, as a host leaves them.

use super::packet::{self, kind};
use crate::netns::Netns;
use sim_core::Context;
use std::net::Ipv6Addr;

/// `ff02::1`, all nodes on the link.
const ALL_NODES: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1);

impl Netns {
    /// An IPv6 packet in a frame the interface took.
    pub(crate) fn rx_ipv6(&mut self, cx: &mut Context<'_>, ifindex: u32, p: &[u8]) {
        if !self.ipv6 || !self.ifaces.get(&ifindex).is_some_and(|i| i.v6.ready) {
            return self.drop_l2(cx, ifindex, "ipv6 disabled");
        }
        let plen = p.get(4..6).map_or(0, |b| usize::from(u16::from_be_bytes([b[0], b[1]])));
        if p.len() < 40 || p[0] >> 4 != 6 || 40 + plen > p.len() {
            self.counters.rx_malformed += 1;
            return self.drop_l2(cx, ifindex, "malformed ipv6");
        }
        let (src, dst) = (addr_at(p, 8), addr_at(p, 24));
        let body = &p[40..40 + plen];
        // Neighbour discovery comes as ICMPv6 right after the header, hop limit 255.
        let nd = [kind::NEIGHBOR_SOLICIT, kind::NEIGHBOR_ADVERT];
        if p[6] != packet::ICMPV6 || p[7] != 255 || body.len() < 24 || !nd.contains(&body[0]) {
            return;
        }
        if packet::icmp6_checksum(src, dst, body) != 0 {
            self.counters.rx_malformed += 1;
            return self.drop_l2(cx, ifindex, "bad icmp6 checksum");
        }
        let target = addr_at(body, 8);
        if body[0] == kind::NEIGHBOR_ADVERT {
            // `ndisc_recv_na`: someone has an address we are still testing.
            return self.dad_failed(ifindex, target);
        }
        if src.is_unspecified() {
            self.dad_probe_seen(cx, ifindex, target);
        }
    }

    /// `addrconf_dad_failure`: a tentative address stays, flagged, and is never used.
    fn dad_failed(&mut self, ifindex: u32, target: Ipv6Addr) {
        let Some(i) = self.ifaces.get_mut(&ifindex) else { return };
        if let Some(a) = i.v6.addrs.iter_mut().find(|a| a.addr == target && a.tentative) {
            a.dadfailed = true;
            self.timers.set(crate::netns::TimerKey::Dad(ifindex, target), None);
        }
    }

    /// `ndisc_recv_ns` for a DAD probe (from `::`) about `target`.
    fn dad_probe_seen(&mut self, cx: &mut Context<'_>, ifindex: u32, target: Ipv6Addr) {
        let Some(i) = self.ifaces.get_mut(&ifindex) else { return };
        let mac = i.mac;
        let Some(a) = i.v6.addrs.iter().find(|a| a.addr == target) else { return };
        if a.tentative {
            return self.dad_failed(ifindex, target);
        }
        let mut buf = std::mem::take(&mut self.pktbuf);
        buf.clear();
        packet::neighbor_advert(&mut buf, target, ALL_NODES, target, mac, false, true);
        self.xmit(cx, ifindex, packet::multicast_mac(ALL_NODES), packet::ETHERTYPE, &buf);
        self.pktbuf = buf;
    }
}

fn addr_at(p: &[u8], at: usize) -> Ipv6Addr {
    let mut o = [0u8; 16];
    if let Some(s) = p.get(at..at + 16) {
        o.copy_from_slice(s);
    }
    Ipv6Addr::from(o)
}
