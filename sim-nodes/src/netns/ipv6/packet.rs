//! IPv6 packets the stack makes itself: neighbour and router solicitations (`ndisc.c`),
//! MLDv2 reports (`mcast.c`), and the addresses they go to.

use crate::wire::checksum_with;
use sim_core::MacAddr;
use std::net::Ipv6Addr;

/// The IPv6 ethertype.
pub const ETHERTYPE: u16 = 0x86dd;
/// ICMPv6's next-header number.
pub const ICMPV6: u8 = 58;
/// ICMPv6 types the stack sends or reads.
pub mod kind {
    /// Echo request.
    pub const ECHO_REQUEST: u8 = 128;
    /// Echo reply.
    pub const ECHO_REPLY: u8 = 129;
    /// MLDv2 listener report.
    pub const MLD2_REPORT: u8 = 143;
    /// Router solicitation.
    pub const ROUTER_SOLICIT: u8 = 133;
    /// Router advertisement.
    pub const ROUTER_ADVERT: u8 = 134;
    /// Neighbour solicitation.
    pub const NEIGHBOR_SOLICIT: u8 = 135;
    /// Neighbour advertisement.
    pub const NEIGHBOR_ADVERT: u8 = 136;
}

/// `ff02::1`, all nodes on the link.
pub const ALL_NODES: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1);
/// `ff02::2`, all routers on the link.
pub const ALL_ROUTERS: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 2);
/// `ff02::16`, where MLDv2 reports go.
pub const MLDV2_ROUTERS: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 0x16);

/// The IPv6 address at `at` of `p` (`::` where `p` is too short).
pub fn addr(p: &[u8], at: usize) -> Ipv6Addr {
    let mut o = [0u8; 16];
    if let Some(s) = p.get(at..at + 16) {
        o.copy_from_slice(s);
    }
    Ipv6Addr::from(o)
}

/// The modified EUI-64 link-local address of `mac` (`addr_gen_mode` 0).
pub fn eui64_link_local(mac: MacAddr) -> Ipv6Addr {
    let m = mac.0;
    Ipv6Addr::from([0xfe, 0x80, 0, 0, 0, 0, 0, 0, m[0] ^ 2, m[1], m[2], 0xff, 0xfe, m[3], m[4], m[5]])
}

/// The solicited-node multicast group of `a` (`ff02::1:ffXX:XXXX`).
pub fn solicited_node(a: Ipv6Addr) -> Ipv6Addr {
    let o = a.octets();
    Ipv6Addr::from([0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff, o[13], o[14], o[15]])
}

/// The Ethernet address a multicast IPv6 address maps to (`33:33:` and its last 32 bits).
pub fn multicast_mac(a: Ipv6Addr) -> MacAddr {
    let o = a.octets();
    MacAddr([0x33, 0x33, o[12], o[13], o[14], o[15]])
}

/// The ICMPv6 checksum of `body` (its checksum field zero) from `src` to `dst`.
pub fn icmp6_checksum(src: Ipv6Addr, dst: Ipv6Addr, body: &[u8]) -> u16 {
    checksum6(src, dst, ICMPV6, body)
}

/// The checksum of an upper-layer `body` (next header `next`) over IPv6's pseudo-header
/// (RFC 8200 8.1): 0 when a checksum inside it is right.
pub fn checksum6(src: Ipv6Addr, dst: Ipv6Addr, next: u8, body: &[u8]) -> u16 {
    let mut sum = 0u32;
    for a in [src, dst] {
        for w in a.segments() {
            sum += u32::from(w);
        }
    }
    let len = body.len() as u32;
    sum += (len >> 16) + (len & 0xffff) + u32::from(next);
    checksum_with(sum, body)
}

/// An IPv6 header: 40 bytes, traffic class 0.
pub fn header(buf: &mut Vec<u8>, (src, dst): (Ipv6Addr, Ipv6Addr), next: u8, hlim: u8, flow: u32, payload_len: usize) {
    buf.extend_from_slice(&(0x6000_0000 | (flow & 0x000f_ffff)).to_be_bytes());
    buf.extend_from_slice(&(payload_len as u16).to_be_bytes());
    buf.extend_from_slice(&[next, hlim]);
    buf.extend_from_slice(&src.octets());
    buf.extend_from_slice(&dst.octets());
}

/// A whole ICMPv6 packet (header and `body`, whose checksum is filled in here).
fn icmp6(buf: &mut Vec<u8>, src: Ipv6Addr, dst: Ipv6Addr, hlim: u8, mut body: Vec<u8>) {
    let sum = icmp6_checksum(src, dst, &body);
    body[2..4].copy_from_slice(&sum.to_be_bytes());
    header(buf, (src, dst), ICMPV6, hlim, 0, body.len());
    buf.extend_from_slice(&body);
}

/// `ndisc_send_ns`: who has `target`? From `::` (duplicate address detection, with the
/// `nonce` of enhanced DAD and no source link-layer option) or from an address of ours.
pub fn neighbor_solicit(
    buf: &mut Vec<u8>,
    src: Ipv6Addr,
    dst: Ipv6Addr,
    target: Ipv6Addr,
    mac: MacAddr,
    nonce: Option<[u8; 6]>,
) {
    let mut b = vec![kind::NEIGHBOR_SOLICIT, 0, 0, 0, 0, 0, 0, 0];
    b.extend_from_slice(&target.octets());
    if !src.is_unspecified() {
        b.extend_from_slice(&[1, 1]);
        b.extend_from_slice(&mac.0);
    }
    if let Some(n) = nonce {
        b.extend_from_slice(&[14, 1]);
        b.extend_from_slice(&n);
    }
    icmp6(buf, src, dst, 255, b);
}

/// `ndisc_send_na`: `target` is ours, at `mac` when given (the target link-layer option),
/// with the router, solicited and override flags as given.
pub fn neighbor_advert(
    buf: &mut Vec<u8>,
    (src, dst): (Ipv6Addr, Ipv6Addr),
    target: Ipv6Addr,
    mac: Option<MacAddr>,
    (router, solicited, override_): (bool, bool, bool),
) {
    let flags = (u8::from(router) << 7) | (u8::from(solicited) << 6) | (u8::from(override_) << 5);
    let mut b = vec![kind::NEIGHBOR_ADVERT, 0, 0, 0, flags, 0, 0, 0];
    b.extend_from_slice(&target.octets());
    if let Some(m) = mac {
        b.extend_from_slice(&[2, 1]);
        b.extend_from_slice(&m.0);
    }
    icmp6(buf, src, dst, 255, b);
}

/// `ndisc_send_rs` to all routers, with the source link-layer option when `src` is an
/// address (not `::`).
pub fn router_solicit(buf: &mut Vec<u8>, src: Ipv6Addr, mac: MacAddr) {
    let mut b = vec![kind::ROUTER_SOLICIT, 0, 0, 0, 0, 0, 0, 0];
    if !src.is_unspecified() {
        b.extend_from_slice(&[1, 1]);
        b.extend_from_slice(&mac.0);
    }
    icmp6(buf, src, ALL_ROUTERS, 255, b);
}

/// MLDv2's `CHANGE_TO_INCLUDE_MODE` record (with no sources: a leave).
pub const TO_IN: u8 = 3;
/// MLDv2's `CHANGE_TO_EXCLUDE_MODE` record (with no sources: a join).
pub const TO_EX: u8 = 4;

/// An MLDv2 report to `ff02::16` with a router-alert hop-by-hop header: one record of type
/// `record` with no sources for each group — [`TO_EX`] for a join, [`TO_IN`] for a leave.
pub fn mldv2_report(buf: &mut Vec<u8>, src: Ipv6Addr, groups: &[Ipv6Addr], record: u8) {
    let mut b = vec![kind::MLD2_REPORT, 0, 0, 0, 0, 0];
    b.extend_from_slice(&(groups.len() as u16).to_be_bytes());
    for g in groups {
        b.extend_from_slice(&[record, 0, 0, 0]);
        b.extend_from_slice(&g.octets());
    }
    let sum = icmp6_checksum(src, MLDV2_ROUTERS, &b);
    b[2..4].copy_from_slice(&sum.to_be_bytes());
    // Hop-by-hop: next header ICMPv6, length 0 (8 bytes), router alert (MLD), PadN.
    header(buf, (src, MLDV2_ROUTERS), 0, 1, 0, 8 + b.len());
    buf.extend_from_slice(&[ICMPV6, 0, 5, 2, 0, 0, 1, 0]);
    buf.extend_from_slice(&b);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_derived_from_a_mac() {
        let mac = MacAddr([0x52, 0x54, 0x00, 0x12, 0x34, 0x56]);
        let ll = eui64_link_local(mac);
        assert_eq!(ll.to_string(), "fe80::5054:ff:fe12:3456");
        assert_eq!(solicited_node(ll).to_string(), "ff02::1:ff12:3456");
        assert_eq!(multicast_mac(solicited_node(ll)).to_string(), "33:33:ff:12:34:56");
    }

    #[test]
    fn checksums_verify() {
        let mut buf = Vec::new();
        let src = Ipv6Addr::UNSPECIFIED;
        let t: Ipv6Addr = "fe80::1".parse().unwrap();
        neighbor_solicit(&mut buf, src, solicited_node(t), t, MacAddr::ZERO, Some([1, 2, 3, 4, 5, 6]));
        assert_eq!(buf.len(), 40 + 32);
        let body = buf[40..].to_vec();
        assert_eq!(icmp6_checksum(src, solicited_node(t), &body), 0);
        let mut m = Vec::new();
        mldv2_report(&mut m, src, &[solicited_node(t)], TO_EX);
        assert_eq!(m.len(), 40 + 8 + 28);
        assert_eq!(icmp6_checksum(src, MLDV2_ROUTERS, &m[48..]), 0);
    }
}
