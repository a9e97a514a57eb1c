//! Frames aimed at what listens in the lab: headers right (most of the time), addresses
//! and ports that reach a socket, a NAT mapping, dnsmasq or dhclient, or quote a live
//! flow in an ICMP error; the rest as fuzzed as in [`super::wire`].

use super::wire::*;
use proptest::prelude::*;

/// Indices into [`ADDRS`] and [`PORTS`] for the aims below.
const ROUTER_LAN: u8 = 0;
const PC: u8 = 1;
const DHC: u8 = 3;
const ROUTER_WAN: u8 = 6;
const ISP: u8 = 7;
const FAR: u8 = 9;
const ZERO: u8 = 10;
const BCAST: u8 = 11;
const P80: u8 = 0;
const P8080: u8 = 1;
const P8000: u8 = 2;
const P7: u8 = 3;
const P9: u8 = 4;
const P5353: u8 = 5;
const P67: u8 = 6;
const P68: u8 = 7;
const P22: u8 = 8;

fn one_of(v: &'static [u8]) -> BoxedStrategy<u8> {
    prop::sample::select(v).boxed()
}

/// An IPv4 packet whose header is right (most of the time) and whose addresses and L4 the
/// caller sets.
fn plausible(src: AddrPick, dst: AddrPick, flow: Option<(u8, u8)>, l4: L4, mut ip: Ip, right: bool) -> Ip {
    if right {
        ip.version = 4;
        ip.ihl = None;
        ip.frag = 0x4000;
        ip.ttl = ip.ttl.max(2);
        ip.proto = None;
        ip.options.clear();
        ip.total_len = Fix::Right;
        ip.csum = Fix::Right;
    }
    Ip { src, dst, flow, l4, ..ip }
}

fn frame_at(dst: MacPick, ip: Ip) -> Frame {
    Frame { dst, src: MacPick::Peer, body: Body::Ip(Box::new(ip)), flips: vec![], cut: None }
}

fn flow_pick() -> BoxedStrategy<Option<(u8, u8)>> {
    prop::option::weighted(0.5, (any::<u8>(), 0u8..4)).boxed()
}

/// TCP to the listeners (pc:80 and :8000, the DNAT on the router's :8080, the ISP's :7 and
/// :8000), new flows through the NAT, and segments of the live connections (in sequence).
fn aimed_tcp() -> BoxedStrategy<(usize, Frame)> {
    let aim = prop_oneof![
        (Just(6usize), one_of(&[FAR, ISP, DHC]), Just(PC), one_of(&[P80, P8000])),
        (Just(4usize), one_of(&[ISP, FAR]), Just(ROUTER_WAN), one_of(&[P8080, P22, P80])),
        (Just(5usize), Just(ROUTER_WAN), one_of(&[FAR, ISP]), one_of(&[P7, P8000, P9])),
        (Just(0usize), Just(PC), one_of(&[FAR, ISP]), one_of(&[P7, P8000])),
    ];
    (aim, flow_pick(), tcp(), ip(false), prop::bool::weighted(0.9))
        .prop_map(|((port, s, d, dp), flow, mut t, ip, right)| {
            t.dport = PortPick::Known(dp);
            if right {
                t.csum = Fix::Right;
                t.doff = None;
            }
            (
                port,
                frame_at(
                    MacPick::Local,
                    plausible(AddrPick::Known(s), AddrPick::Known(d), flow, L4::Tcp(t), ip, right),
                ),
            )
        })
        .boxed()
}

/// UDP to the listeners (pc:9, the DNAT on :5353, the ISP's :9, a REJECT on :1000).
fn aimed_udp() -> BoxedStrategy<(usize, Frame)> {
    let aim = prop_oneof![
        (Just(6usize), one_of(&[FAR, ISP, ROUTER_LAN]), Just(PC), one_of(&[P9])),
        (Just(4usize), one_of(&[ISP, FAR]), Just(ROUTER_WAN), one_of(&[P5353, P9, P67])),
        (Just(5usize), Just(ROUTER_WAN), one_of(&[FAR, ISP]), one_of(&[P9])),
        (Just(0usize), Just(PC), one_of(&[FAR, ISP]), one_of(&[P9])),
    ];
    (aim, flow_pick(), udp(), ip(false), prop::bool::weighted(0.9))
        .prop_map(|((port, s, d, dp), flow, mut u, ip, right)| {
            u.dport = PortPick::Known(dp);
            if right {
                u.len = Fix::Right;
                u.csum = Some(Fix::Right);
            }
            (
                port,
                frame_at(
                    MacPick::Local,
                    plausible(AddrPick::Known(s), AddrPick::Known(d), flow, L4::Udp(u), ip, right),
                ),
            )
        })
        .boxed()
}

/// DHCP to dnsmasq (broadcast from the LAN, through the bridge or straight in) and to
/// dhclient (offers, acks and naks with the transaction id it is waiting on).
fn aimed_dhcp() -> BoxedStrategy<(usize, Frame)> {
    let to_server = (
        one_of(&[3, 1, 0]),
        one_of(&[ZERO, DHC, PC]),
        one_of(&[BCAST, ROUTER_LAN]),
        one_of(&[1, 3, 4, 7, 8, 1, 3]),
        Just(false),
    );
    let to_client = (Just(7u8), Just(ROUTER_LAN), one_of(&[BCAST, DHC]), one_of(&[2, 5, 6, 5]), Just(true));
    (prop_oneof![to_server, to_client], dhcp(), ip(false), prop::bool::weighted(0.9), any::<u16>())
        .prop_map(|((port, s, d, kind, reply), mut m, ip, right, secs)| {
            if right {
                m.op = if reply { 2 } else { 1 };
                m.htype = 1;
                m.hlen = 6;
                m.cookie = true;
                m.chaddr = if reply { MacPick::Known(4) } else { m.chaddr };
                m.options.insert(0, DhcpOpt::MsgType(kind));
                if reply {
                    m.options.insert(1, DhcpOpt::ServerId(AddrPick::Known(ROUTER_LAN)));
                    m.yiaddr = AddrPick::Known(DHC);
                    let lease = [0, 1, 59, u32::from(secs % 400), 0x7fff_ffff, u32::MAX][usize::from(secs % 6)];
                    m.options.push(DhcpOpt::Lease(lease));
                }
                m.options.push(DhcpOpt::End);
            }
            let (sp, dp) = if reply { (P67, P68) } else { (P68, P67) };
            let u = Udp {
                sport: PortPick::Known(sp),
                dport: PortPick::Known(dp),
                len: Fix::Right,
                csum: Some(Fix::Right),
                data: UdpData::Dhcp(Box::new(m)),
            };
            let mac = if d == BCAST { MacPick::Broadcast } else { MacPick::Local };
            (
                usize::from(port),
                frame_at(mac, plausible(AddrPick::Known(s), AddrPick::Known(d), None, L4::Udp(u), ip, right)),
            )
        })
        .boxed()
}

/// ICMP errors about the NAT's flows and the hosts' own packets: from the ISP side to the
/// router's WAN address, from the router to the PC, from the router to the ISP; the quote
/// is a packet of a live flow (in either direction) or anything.
fn aimed_icmp_error() -> BoxedStrategy<(usize, Frame)> {
    let aim = prop_oneof![
        3 => (Just(4usize), one_of(&[ISP, FAR]), Just(ROUTER_WAN)),
        1 => (Just(6usize), Just(ROUTER_LAN), Just(PC)),
        1 => (Just(5usize), Just(ROUTER_WAN), Just(ISP)),
    ];
    let kind = prop_oneof![4 => (Just(3u8), 0u8..16), 1 => (Just(11u8), 0u8..2), 1 => (Just(12u8), Just(0u8))];
    (aim, kind, ip(false), ip(false), flow_pick(), 8u16..80, prop::bool::weighted(0.9))
        .prop_map(|((port, s, d), (ty, code), outer, inner, flow, keep, right)| {
            let inner = plausible(inner.src.clone(), inner.dst.clone(), flow, inner.l4.clone(), inner, right);
            let icmp = Icmp { ty, code, rest: 0, csum: Fix::Right, body: IcmpBody::Quote(Box::new(inner), keep) };
            (
                port,
                frame_at(
                    MacPick::Local,
                    plausible(AddrPick::Known(s), AddrPick::Known(d), None, L4::Icmp(icmp), outer, right),
                ),
            )
        })
        .boxed()
}

/// A frame aimed at something that listens in the lab, and the port it comes in by.
pub fn aimed() -> BoxedStrategy<(usize, Frame)> {
    prop_oneof![3 => aimed_tcp(), 2 => aimed_udp(), 3 => aimed_dhcp(), 3 => aimed_icmp_error()].boxed()
}

/// Only ICMP errors, aimed as [`aimed`] does.
pub fn icmp_errors() -> BoxedStrategy<(usize, Frame)> {
    aimed_icmp_error()
}
