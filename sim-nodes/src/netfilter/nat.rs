//! Packets as conntrack sees them (their tuple, or the connection an ICMP error is about),
//! rewriting them for NAT (addresses, ports, ICMP ids, the packet inside an ICMP error,
//! checksums), and choosing a free port for a source NAT. Both families: a packet's first
//! nibble says which (`nf_conntrack_l3proto_ipv4`/`ipv6`, `nf_nat_ipv4`/`ipv6` in one).

use super::conntrack::{Conntrack, Dir, Entry, ICMPV6, Tuple, is_icmp};
use crate::netns::ipv6::packet::checksum6;
use crate::wire;
use sim_core::rng::{self, NodeRng};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// What a packet is to conntrack.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Seen {
    /// A packet of a flow: its tuple, and whether it may start a connection.
    Flow(Tuple, bool),
    /// An ICMP error about the packet whose tuple (as sent) is given.
    Error(Tuple),
    /// Neighbour discovery or multicast listener discovery: conntrack leaves it alone
    /// (`IP_CT_UNTRACKED`, `noct_valid_new` in `nf_conntrack_proto_icmpv6.c`).
    Untracked,
    /// Nothing conntrack can track (an ICMP reply it never saw the request of is
    /// INVALID; a truncated header too).
    Invalid,
}

fn addr(b: &[u8], at: usize) -> Ipv4Addr {
    Ipv4Addr::new(b[at], b[at + 1], b[at + 2], b[at + 3])
}

fn addr6(b: &[u8], at: usize) -> Ipv6Addr {
    crate::netns::ipv6::packet::addr(b, at)
}

/// IPv6's fragment header.
const FRAGMENT: u8 = 44;

/// Where an IPv6 packet's transport header starts and what it is, past hop-by-hop,
/// routing and destination options (`ipv6_skip_exthdr`). `None` for a header cut short,
/// and for a fragment (`Some((at, 44))`: the caller decides).
pub fn l4_of6(pkt: &[u8]) -> Option<(usize, u8)> {
    if pkt.len() < 40 {
        return None;
    }
    let (mut at, mut next) = (40, pkt[6]);
    while matches!(next, 0 | 43 | 60) {
        let h = pkt.get(at..at + 2)?;
        next = h[0];
        at += (usize::from(h[1]) + 1) * 8;
    }
    (at <= pkt.len()).then_some((at, next))
}

/// The tuple of an IP packet's headers, either family (`pkt` starts at the IP header; the
/// L4 part may be only its first 8 bytes, as inside an ICMP error).
fn tuple_of(pkt: &[u8]) -> Option<(Tuple, u8)> {
    if pkt.first()? >> 4 == 6 {
        let (at, proto) = l4_of6(pkt)?;
        if proto == FRAGMENT {
            return None;
        }
        return l4_tuple(proto, IpAddr::V6(addr6(pkt, 8)), IpAddr::V6(addr6(pkt, 24)), &pkt[at..]);
    }
    let ihl = usize::from(pkt.first()? & 0x0f) * 4;
    if pkt.len() < ihl || ihl < 20 {
        return None;
    }
    l4_tuple(pkt[9], IpAddr::V4(addr(pkt, 12)), IpAddr::V4(addr(pkt, 16)), &pkt[ihl..])
}

/// A tuple from the transport header `l4` of protocol `proto`.
fn l4_tuple(proto: u8, src: IpAddr, dst: IpAddr, l4: &[u8]) -> Option<(Tuple, u8)> {
    let t = match proto {
        6 | 17 if l4.len() >= 4 => Tuple {
            proto,
            src,
            dst,
            sport: u16::from_be_bytes([l4[0], l4[1]]),
            dport: u16::from_be_bytes([l4[2], l4[3]]),
        },
        1 | ICMPV6 if l4.len() >= 8 => {
            let (ty, code) = (l4[0], l4[1]);
            Tuple {
                proto,
                src,
                dst,
                sport: u16::from_be_bytes([l4[4], l4[5]]),
                dport: (u16::from(ty) << 8) | u16::from(code),
            }
        }
        6 | 17 | 1 | ICMPV6 => return None,
        _ => Tuple { proto, src, dst, sport: 0, dport: 0 },
    };
    Some((t, proto))
}

/// Classifies a whole IP packet, either family.
pub fn classify(pkt: &[u8]) -> Seen {
    if pkt.first().is_some_and(|v| v >> 4 == 6) {
        return classify6(pkt);
    }
    let Some((t, proto)) = tuple_of(pkt) else { return Seen::Invalid };
    if proto != 1 {
        return Seen::Flow(t, true);
    }
    let ty = (t.dport >> 8) as u8;
    match ty {
        8 | 13 | 15 | 17 => Seen::Flow(t, true),
        0 | 14 | 16 | 18 => Seen::Flow(t, false),
        3 | 4 | 5 | 11 | 12 => {
            let ihl = usize::from(pkt[0] & 0x0f) * 4;
            match pkt.get(ihl + 8..).and_then(tuple_of) {
                Some((inner, _)) => Seen::Error(inner),
                None => Seen::Invalid,
            }
        }
        _ => Seen::Invalid,
    }
}

/// Classifies a whole IPv6 packet (`nf_conntrack_icmpv6_error`, `icmpv6_new`): neighbour
/// and listener discovery untracked, echo and node-information queries may start a
/// connection and their replies may not, errors (types below 128) are about the packet
/// they quote.
fn classify6(pkt: &[u8]) -> Seen {
    let Some((t, proto)) = tuple_of(pkt) else { return Seen::Invalid };
    if proto != ICMPV6 {
        return Seen::Flow(t, true);
    }
    match (t.dport >> 8) as u8 {
        130..=136 | 143 => Seen::Untracked,
        128 | 139 => Seen::Flow(t, true),
        ty if ty >= 128 => Seen::Flow(t, false),
        _ => {
            let Some((at, _)) = l4_of6(pkt) else { return Seen::Invalid };
            match pkt.get(at + 8..).and_then(tuple_of) {
                Some((inner, _)) => Seen::Error(inner),
                None => Seen::Invalid,
            }
        }
    }
}

/// True for a query whose id is its tuple's port (ICMP and ICMPv6 echo and the like).
fn carries_id(proto: u8, ty: u8) -> bool {
    match proto {
        1 => matches!(ty, 0 | 8 | 13 | 14 | 15 | 16 | 17 | 18),
        _ => matches!(ty, 128 | 129 | 139 | 140),
    }
}

/// Which half of a tuple a NAT hook changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Manip {
    /// Source (POSTROUTING, INPUT).
    Src,
    /// Destination (PREROUTING, OUTPUT).
    Dst,
}

/// Rewrites the header at `pkt` (an IP packet, possibly truncated inside an ICMP error):
/// the `manip` half becomes `target`'s. Updates the IP checksum, and the L4 checksum when
/// the packet is whole (`whole`), incrementally as `nf_nat_ipv4_manip_pkt` and the
/// protocols' `*_manip_pkt` do (`csum_replace4`): a checksum that was wrong stays wrong, and
/// the cost does not grow with the payload.
fn rewrite(pkt: &mut [u8], manip: Manip, target: &Tuple, whole: bool) {
    if pkt[0] >> 4 == 6 {
        return rewrite6(pkt, manip, target, whole);
    }
    let ihl = usize::from(pkt[0] & 0x0f) * 4;
    let proto = pkt[9];
    let Some((old, new)) = set_addr4(pkt, manip, target) else { return };
    let total = usize::from(u16::from_be_bytes([pkt[2], pkt[3]])).min(pkt.len());
    let l4 = &mut pkt[ihl..];
    match proto {
        6 | 17 if l4.len() >= 4 => {
            let (at, port) = match manip {
                Manip::Src => (0, target.sport),
                Manip::Dst => (2, target.dport),
            };
            let was = u16::from_be_bytes([l4[at], l4[at + 1]]);
            l4[at..at + 2].copy_from_slice(&port.to_be_bytes());
            let ck = if proto == 17 { 6 } else { 16 };
            let len = total.saturating_sub(ihl);
            if whole && l4.len() >= ck + 2 && len <= l4.len() && !(proto == 17 && l4[6..8] == [0, 0]) {
                wire::csum_replace4_at(l4, ck, old, new);
                wire::csum_replace4_at(l4, ck, u32::from(was), u32::from(port));
                if proto == 17 && l4[6..8] == [0, 0] {
                    l4[6..8].copy_from_slice(&[0xff, 0xff]); // CSUM_MANGLED_0
                }
            }
        }
        1 if l4.len() >= 8 => {
            let ty = l4[0];
            if carries_id(1, ty) {
                // The id is the ICMP query's port, whichever half changes.
                let was = u16::from_be_bytes([l4[4], l4[5]]);
                l4[4..6].copy_from_slice(&target.sport.to_be_bytes());
                if whole {
                    wire::csum_replace4_at(l4, 2, u32::from(was), u32::from(target.sport));
                }
            } else if whole {
                let len = total.saturating_sub(ihl).min(l4.len());
                l4[2..4].copy_from_slice(&[0, 0]);
                let c = wire::checksum(&l4[..len]);
                l4[2..4].copy_from_slice(&c.to_be_bytes());
            }
        }
        _ => {}
    }
}

/// Writes `target`'s `manip` address into an IPv4 header and updates its checksum: the
/// address as it was and as it is now (as words), or `None` when `target` is not IPv4.
fn set_addr4(pkt: &mut [u8], manip: Manip, target: &Tuple) -> Option<(u32, u32)> {
    let (at, a) = match (manip, target.src, target.dst) {
        (Manip::Src, IpAddr::V4(a), _) => (12, a),
        (Manip::Dst, _, IpAddr::V4(a)) => (16, a),
        _ => return None,
    };
    let old = u32::from_be_bytes([pkt[at], pkt[at + 1], pkt[at + 2], pkt[at + 3]]);
    let new = u32::from(a);
    pkt[at..at + 4].copy_from_slice(&a.octets());
    wire::csum_replace4_at(pkt, 10, old, new);
    Some((old, new))
}

/// Writes `target`'s `manip` address into an IPv6 header (which has no checksum): the
/// address as it was, or `None` when `target` is not IPv6.
fn set_addr6(pkt: &mut [u8], manip: Manip, target: &Tuple) -> Option<([u8; 16], [u8; 16])> {
    let (at, a) = match (manip, target.src, target.dst) {
        (Manip::Src, IpAddr::V6(a), _) => (8, a.octets()),
        (Manip::Dst, _, IpAddr::V6(a)) => (24, a.octets()),
        _ => return None,
    };
    let mut old = [0; 16];
    old.copy_from_slice(&pkt[at..at + 16]);
    pkt[at..at + 16].copy_from_slice(&a);
    Some((old, a))
}

/// [`rewrite`] for IPv6: the address, the port or echo id, and (on a whole packet) the
/// transport checksum, incrementally for the pseudo-header's address
/// (`inet_proto_csum_replace16`) and the port or id; an ICMPv6 message without an id
/// (an error) is summed anew.
fn rewrite6(pkt: &mut [u8], manip: Manip, target: &Tuple, whole: bool) {
    let Some((old, new)) = set_addr6(pkt, manip, target) else { return };
    let Some((at, proto)) = l4_of6(pkt) else { return };
    let (src, dst) = (addr6(pkt, 8), addr6(pkt, 24));
    let total = (40 + usize::from(u16::from_be_bytes([pkt[4], pkt[5]]))).min(pkt.len());
    let len = total.saturating_sub(at);
    let l4 = &mut pkt[at..];
    let (ck, field) = match proto {
        6 | 17 if l4.len() >= 4 => {
            let (at, port) = match manip {
                Manip::Src => (0, target.sport),
                Manip::Dst => (2, target.dport),
            };
            let was = u16::from_be_bytes([l4[at], l4[at + 1]]);
            l4[at..at + 2].copy_from_slice(&port.to_be_bytes());
            (if proto == 17 { 6 } else { 16 }, Some((was, port)))
        }
        ICMPV6 if l4.len() >= 8 => {
            if carries_id(ICMPV6, l4[0]) {
                let was = u16::from_be_bytes([l4[4], l4[5]]);
                l4[4..6].copy_from_slice(&target.sport.to_be_bytes());
                (2, Some((was, target.sport)))
            } else {
                (2, None)
            }
        }
        _ => return,
    };
    if !(whole && l4.len() >= ck + 2 && len <= l4.len()) {
        return;
    }
    // `__udp_manip_pkt`: a UDP checksum of 0 is left as it is (`do_csum = !!hdr->check`).
    if proto == 17 && l4[6..8] == [0, 0] {
        return;
    }
    let Some((was, now)) = field else {
        l4[ck..ck + 2].copy_from_slice(&[0, 0]);
        let c = checksum6(src, dst, proto, &l4[..len]);
        l4[ck..ck + 2].copy_from_slice(&c.to_be_bytes());
        return;
    };
    for (o, n) in old.chunks_exact(4).zip(new.chunks_exact(4)) {
        let word = |w: &[u8]| u32::from_be_bytes([w[0], w[1], w[2], w[3]]);
        wire::csum_replace4_at(l4, ck, word(o), word(n));
    }
    wire::csum_replace4_at(l4, ck, u32::from(was), u32::from(now));
    if proto == 17 && l4[6..8] == [0, 0] {
        l4[6..8].copy_from_slice(&[0xff, 0xff]); // CSUM_MANGLED_0
    }
}

/// What a packet going `dir` in connection `e` must look like after NAT: the inverse of
/// the other direction's tuple.
pub fn target(e: &Entry, dir: Dir) -> Tuple {
    match dir {
        Dir::Orig => e.reply.invert(),
        Dir::Reply => e.orig.invert(),
    }
}

/// True if connection `e` changes the `manip` half of packets going `dir`.
pub fn changes(e: &Entry, dir: Dir, manip: Manip) -> bool {
    differs(e, dir, manip, &target(e, dir))
}

/// True if `want`, connection `e`'s [`target`] for `dir`, differs in the `manip` half from
/// how packets going `dir` arrive.
fn differs(e: &Entry, dir: Dir, manip: Manip, want: &Tuple) -> bool {
    let now = match dir {
        Dir::Orig => &e.orig,
        Dir::Reply => &e.reply,
    };
    match manip {
        Manip::Src => now.src != want.src || now.sport != want.sport,
        Manip::Dst => now.dst != want.dst || (!is_icmp(now.proto) && now.dport != want.dport),
    }
}

/// Applies connection `e`'s NAT to a packet going `dir` at a `manip` hook.
pub fn apply(pkt: &mut [u8], e: &Entry, dir: Dir, manip: Manip) {
    let want = target(e, dir);
    if differs(e, dir, manip, &want) {
        rewrite(pkt, manip, &want, true);
    }
}

/// Applies NAT to an ICMP error about connection `e` (going `dir`): the outer header as a
/// packet of the connection, the packet inside the other way round, back to how its
/// sender saw it.
pub fn apply_error(pkt: &mut [u8], e: &Entry, dir: Dir, manip: Manip) {
    let v6 = pkt[0] >> 4 == 6;
    let l4 = if v6 { l4_of6(pkt).map_or(pkt.len(), |(at, _)| at) } else { usize::from(pkt[0] & 0x0f) * 4 };
    let inner_dir = if dir == Dir::Orig { Dir::Reply } else { Dir::Orig };
    let inner_manip = if manip == Manip::Src { Manip::Dst } else { Manip::Src };
    let inner_target = if inner_dir == Dir::Orig { e.orig } else { e.reply };
    if !changes(e, dir, manip) {
        return;
    }
    if let Some(inner) = pkt.get_mut(l4 + 8..)
        && inner.len() >= if v6 { 40 } else { 20 }
    {
        rewrite(inner, inner_manip, &inner_target, false);
    }
    let t = target(e, dir);
    if v6 {
        set_addr6(pkt, manip, &t);
        let total = (40 + usize::from(u16::from_be_bytes([pkt[4], pkt[5]]))).min(pkt.len());
        let (src, dst) = (addr6(pkt, 8), addr6(pkt, 24));
        if let Some(icmp) = pkt.get_mut(l4..total).filter(|m| m.len() >= 4) {
            icmp[2..4].copy_from_slice(&[0, 0]);
            let c = checksum6(src, dst, ICMPV6, icmp);
            icmp[2..4].copy_from_slice(&c.to_be_bytes());
        }
        return;
    }
    set_addr4(pkt, manip, &t);
    let total = usize::from(u16::from_be_bytes([pkt[2], pkt[3]])).min(pkt.len());
    let icmp = &mut pkt[l4..total];
    icmp[2..4].copy_from_slice(&[0, 0]);
    let c = wire::checksum(icmp);
    icmp[2..4].copy_from_slice(&c.to_be_bytes());
}

/// The port range a source NAT searches for `port` without `--to-ports`, as Linux does.
fn default_range(proto: u8, port: u16) -> (u16, u16) {
    if is_icmp(proto) {
        (0, 65535)
    } else if port < 512 {
        (1, 511)
    } else if port < 1024 {
        (600, 1023)
    } else {
        (1024, 65535)
    }
}

/// The reply tuple for a source NAT of `orig` (whose reply tuple is `reply` so far) to
/// `to`: its port kept when that tuple is free (and inside `range` if one is given), else
/// the first free one searching `range` from a seeded offset. `None` when every port is
/// taken.
pub fn snat_reply(
    ct: &Conntrack,
    orig: &Tuple,
    reply: &Tuple,
    to: IpAddr,
    range: Option<(u16, u16)>,
    rng: &mut NodeRng,
) -> Option<Tuple> {
    // From the reply as destination NAT left it: a connection both DNATed and SNATed
    // (hairpin NAT, a port forward masqueraded toward the server) keeps both.
    let mut reply = Tuple { dst: to, ..*reply };
    // In the reply tuple the translated source port is the destination port (for ICMP,
    // the id, which both directions carry in the same field).
    let keep = orig.sport;
    let set = |r: &mut Tuple, p: u16| {
        if is_icmp(r.proto) {
            r.sport = p;
        } else {
            r.dport = p;
        }
    };
    let (lo, hi) = range.unwrap_or_else(|| default_range(orig.proto, keep));
    if !is_icmp(orig.proto) && orig.proto != 6 && orig.proto != 17 {
        return (!ct.taken(&reply)).then_some(reply);
    }
    if (lo..=hi).contains(&keep) {
        set(&mut reply, keep);
        if !ct.taken(&reply) {
            return Some(reply);
        }
    }
    let size = u32::from(hi - lo) + 1;
    let off = rng::range_u32(rng, 0, size - 1);
    for k in 0..size {
        let p = lo + ((off + k) % size) as u16;
        set(&mut reply, p);
        if !ct.taken(&reply) {
            return Some(reply);
        }
    }
    None
}

/// The reply tuple for a destination NAT of `orig` to `to[:port]`.
pub fn dnat_reply(orig: &Tuple, to: IpAddr, port: Option<u16>) -> Tuple {
    let mut r = orig.invert();
    r.src = to;
    if let Some(p) = port
        && !is_icmp(orig.proto)
    {
        r.sport = p;
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::netfilter::conntrack::Conntrack;
    use sim_core::Instant;

    fn echo(src: [u8; 4], dst: [u8; 4], ty: u8, id: u16) -> Vec<u8> {
        let mut p = vec![0x45, 0, 0, 28, 0, 1, 0, 0, 64, 1, 0, 0];
        p.extend(src);
        p.extend(dst);
        let c = wire::checksum(&p);
        p[10..12].copy_from_slice(&c.to_be_bytes());
        let mut icmp = vec![ty, 0, 0, 0];
        icmp.extend(id.to_be_bytes());
        icmp.extend([0, 1]);
        let c = wire::checksum(&icmp);
        icmp[2..4].copy_from_slice(&c.to_be_bytes());
        p.extend(icmp);
        p
    }

    /// A UDP datagram over IPv6 from `src` port 4000 to 2001:db8::2 port 53, its checksum
    /// computed (or 0).
    fn udp6(src: Ipv6Addr, with_checksum: bool) -> Vec<u8> {
        let dst: Ipv6Addr = "2001:db8::2".parse().unwrap();
        let mut p = vec![0x60, 0, 0, 0, 0, 13, 17, 64];
        p.extend(src.octets());
        p.extend(dst.octets());
        let mut udp = vec![0x0f, 0xa0, 0, 53, 0, 13, 0, 0, b'h', b'e', b'l', b'l', b'o'];
        if with_checksum {
            let c = checksum6(src, dst, 17, &udp);
            udp[6..8].copy_from_slice(&c.to_be_bytes());
        }
        p.extend(udp);
        p
    }

    #[test]
    fn ipv6_nat_updates_the_udp_checksum_as_a_recomputation_would_and_leaves_zero_alone() {
        let inside: Ipv6Addr = "fd00::5".parse().unwrap();
        let outside: Ipv6Addr = "2001:db8::1".parse().unwrap();
        let dst: Ipv6Addr = "2001:db8::2".parse().unwrap();
        let target = Tuple { proto: 17, src: outside.into(), dst: dst.into(), sport: 61000, dport: 53 };
        let mut p = udp6(inside, true);
        rewrite(&mut p, Manip::Src, &target, true);
        let mut want = udp6(outside, false);
        want[40..42].copy_from_slice(&61000u16.to_be_bytes());
        let c = checksum6(outside, dst, 17, &{
            let mut u = want[40..].to_vec();
            u[6..8].copy_from_slice(&[0, 0]);
            u
        });
        want[46..48].copy_from_slice(&c.to_be_bytes());
        assert_eq!(p, want);
        // `__udp_manip_pkt`: no checksum, none after.
        let mut p = udp6(inside, false);
        rewrite(&mut p, Manip::Src, &target, true);
        assert_eq!(
            (&p[8..24], &p[40..42], &p[46..48]),
            (&outside.octets()[..], &61000u16.to_be_bytes()[..], &[0u8, 0][..])
        );
    }

    #[test]
    fn source_nat_after_destination_nat_keeps_both() {
        // Hairpin NAT: 192.168.1.10 → 203.0.113.1:8080, DNATed to 192.168.1.20:80, then
        // MASQUERADEd to the router's 192.168.1.1 toward the server.
        let ct = Conntrack::default();
        let mut rng = sim_core::rng::stream(1, "t");
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let orig = Tuple { proto: 6, src: ip("192.168.1.10"), dst: ip("203.0.113.1"), sport: 40000, dport: 8080 };
        let dnat = dnat_reply(&orig, ip("192.168.1.20"), Some(80));
        let both = snat_reply(&ct, &orig, &dnat, ip("192.168.1.1"), None, &mut rng).unwrap();
        assert_eq!(both, Tuple { proto: 6, src: ip("192.168.1.20"), dst: ip("192.168.1.1"), sport: 80, dport: 40000 });
    }

    #[test]
    fn masquerade_keeps_the_echo_id_and_reverses_on_the_reply() {
        let mut ct = Conntrack::default();
        let mut rng = sim_core::rng::stream(1, "t");
        let req = echo([192, 0, 2, 1], [203, 0, 113, 1], 8, 4711);
        let Seen::Flow(t, true) = classify(&req) else { panic!() };
        let id = ct.create(t, Instant::ZERO, 30);
        let reply = snat_reply(&ct, &t, &t.invert(), "203.0.113.254".parse().unwrap(), None, &mut rng).unwrap();
        assert_eq!(reply.sport, 4711, "the id is kept when free");
        ct.set_reply(id, reply);
        ct.confirm(id);
        let e = ct.get(id).unwrap().clone();
        let mut out = req.clone();
        apply(&mut out, &e, Dir::Orig, Manip::Src);
        assert_eq!(&out[12..16], &[203, 0, 113, 254]);
        assert_eq!(wire::checksum(&out[..20]), 0);
        assert_eq!(wire::checksum(&out[20..]), 0);
        let back = echo([203, 0, 113, 1], [203, 0, 113, 254], 0, 4711);
        let Seen::Flow(bt, false) = classify(&back) else { panic!() };
        assert_eq!(ct.find(&bt), Some((id, Dir::Reply)));
        let mut inb = back.clone();
        apply(&mut inb, &e, Dir::Reply, Manip::Dst);
        assert_eq!(&inb[16..20], &[192, 0, 2, 1]);
        // A second flow with the same id from another host gets another id.
        let t2 = Tuple { src: "192.0.2.2".parse().unwrap(), ..t };
        let r2 = snat_reply(&ct, &t2, &t2.invert(), "203.0.113.254".parse().unwrap(), None, &mut rng).unwrap();
        assert_ne!(r2.sport, 4711);
    }
}
