//! Frames as a neighbour could send them, described as plain data so proptest can shrink
//! them: Ethernet with an ARP, IPv4 (ICMP, TCP, UDP/DHCP) or other payload, every field
//! picked from the values that matter (the lab's MACs, addresses, ports and live flows) or
//! at random, lengths and checksums right or wrong, then a few bytes flipped and the frame
//! perhaps cut short.

use nslab::sim_core::Record;
use nslab::sim_nodes::wire::{checksum, checksum_with, pseudo_header_sum};
use proptest::prelude::*;
use std::net::Ipv4Addr;

/// The lab's MACs (`00:00:5e:00:53:0N`, see `lab.rs`).
pub const MACS: [[u8; 6]; 5] = [
    [0, 0, 0x5e, 0, 0x53, 1],
    [0, 0, 0x5e, 0, 0x53, 2],
    [0, 0, 0x5e, 0, 0x53, 3],
    [0, 0, 0x5e, 0, 0x53, 4],
    [0, 0, 0x5e, 0, 0x53, 5],
];

/// Addresses that mean something in the lab, and the ones a stack must treat specially.
pub const ADDRS: [[u8; 4]; 16] = [
    [192, 168, 1, 1],
    [192, 168, 1, 10],
    [192, 168, 1, 100],
    [192, 168, 1, 105],
    [192, 168, 1, 150],
    [192, 168, 1, 255],
    [203, 0, 113, 1],
    [203, 0, 113, 2],
    [203, 0, 113, 255],
    [198, 51, 100, 1],
    [0, 0, 0, 0],
    [255, 255, 255, 255],
    [127, 0, 0, 1],
    [224, 0, 0, 1],
    [10, 9, 9, 9],
    [169, 254, 1, 1],
];

/// Ports someone listens on, NAT rewrites or DHCP uses.
pub const PORTS: [u16; 13] = [80, 8080, 8000, 7, 9, 5353, 67, 68, 22, 53, 1000, 0, 33434];

/// A MAC address.
#[derive(Clone, Debug)]
pub enum MacPick {
    /// The receiving interface's own.
    Local,
    /// The sending neighbour's (the veth peer's).
    Peer,
    Broadcast,
    /// `01:00:5e:00:00:01`.
    Multicast,
    Zero,
    Known(u8),
    Raw([u8; 6]),
}

#[derive(Clone, Debug)]
pub enum AddrPick {
    Known(u8),
    Raw(u32),
}

#[derive(Clone, Debug)]
pub enum PortPick {
    Known(u8),
    Raw(u16),
}

/// A length or checksum: the right one, or this value.
#[derive(Clone, Debug)]
pub enum Fix {
    Right,
    Wrong(u16),
}

#[derive(Clone, Debug)]
pub struct Frame {
    pub dst: MacPick,
    pub src: MacPick,
    pub body: Body,
    /// (offset, value) written over the built frame.
    pub flips: Vec<(u16, u8)>,
    /// Cut the frame to this many bytes.
    pub cut: Option<u16>,
}

#[derive(Clone, Debug)]
pub enum Body {
    Arp(Arp),
    Ip(Box<Ip>),
    /// Another ethertype (IPv6, VLAN, LLDP, anything) and its bytes.
    Other(u16, Vec<u8>),
}

#[derive(Clone, Debug)]
pub struct Arp {
    pub htype: u16,
    pub ptype: u16,
    pub hlen: u8,
    pub plen: u8,
    pub op: u16,
    pub sha: MacPick,
    pub spa: AddrPick,
    pub tha: MacPick,
    pub tpa: AddrPick,
    pub extra: Vec<u8>,
}

#[derive(Clone, Debug)]
pub struct Ip {
    pub version: u8,
    /// `None`: what the options make it.
    pub ihl: Option<u8>,
    pub tos: u8,
    pub id: u16,
    pub frag: u16,
    pub ttl: u8,
    /// `None`: the L4's own.
    pub proto: Option<u8>,
    pub src: AddrPick,
    pub dst: AddrPick,
    /// Take addresses and ports from a live conntrack flow: (which, direction: original,
    /// reply, original reversed, reply reversed).
    pub flow: Option<(u8, u8)>,
    pub options: Vec<u8>,
    pub total_len: Fix,
    pub csum: Fix,
    pub l4: L4,
}

#[derive(Clone, Debug)]
pub enum L4 {
    Icmp(Icmp),
    Tcp(Tcp),
    Udp(Udp),
    Raw(u8, Vec<u8>),
}

#[derive(Clone, Debug)]
pub struct Icmp {
    pub ty: u8,
    pub code: u8,
    pub rest: u32,
    pub csum: Fix,
    pub body: IcmpBody,
}

#[derive(Clone, Debug)]
pub enum IcmpBody {
    Data(Vec<u8>),
    /// An error's quote: an inner packet, cut to this many bytes.
    Quote(Box<Ip>, u16),
}

#[derive(Clone, Debug)]
pub struct Tcp {
    pub sport: PortPick,
    pub dport: PortPick,
    /// `None`: what the peer last acknowledged on this connection (found in the trace), so
    /// the segment lands in the window; `Some`: this.
    pub seq: Option<u32>,
    pub seq_delta: i16,
    pub ack: Option<u32>,
    pub doff: Option<u8>,
    pub flags: u8,
    pub win: u16,
    pub urg: u16,
    pub options: Vec<u8>,
    pub data: Vec<u8>,
    pub csum: Fix,
}

#[derive(Clone, Debug)]
pub struct Udp {
    pub sport: PortPick,
    pub dport: PortPick,
    pub len: Fix,
    /// `None`: zero (no checksum).
    pub csum: Option<Fix>,
    pub data: UdpData,
}

#[derive(Clone, Debug)]
pub enum UdpData {
    Dhcp(Box<Dhcp>),
    Bytes(Vec<u8>),
}

#[derive(Clone, Debug)]
pub struct Dhcp {
    pub op: u8,
    pub htype: u8,
    pub hlen: u8,
    pub hops: u8,
    /// `None`: the last one a capture saw.
    pub xid: Option<u32>,
    pub secs: u16,
    pub flags: u16,
    pub ciaddr: AddrPick,
    pub yiaddr: AddrPick,
    pub siaddr: AddrPick,
    pub giaddr: AddrPick,
    pub chaddr: MacPick,
    pub cookie: bool,
    pub options: Vec<DhcpOpt>,
    pub tail: Vec<u8>,
}

#[derive(Clone, Debug)]
pub enum DhcpOpt {
    MsgType(u8),
    Requested(AddrPick),
    ServerId(AddrPick),
    Lease(u32),
    Router(Vec<AddrPick>),
    Dns(Vec<AddrPick>),
    Params(Vec<u8>),
    /// Option overload (52): sname/file hold options.
    Overload(u8),
    Raw(u8, Vec<u8>),
    /// A length that runs past the end.
    Lying(u8, u8),
    Pad,
    End,
}

// ---- strategies ----

pub fn mac() -> BoxedStrategy<MacPick> {
    prop_oneof![
        4 => Just(MacPick::Local),
        3 => Just(MacPick::Peer),
        2 => Just(MacPick::Broadcast),
        1 => Just(MacPick::Multicast),
        1 => Just(MacPick::Zero),
        2 => (0u8..5).prop_map(MacPick::Known),
        1 => any::<[u8; 6]>().prop_map(MacPick::Raw),
    ]
    .boxed()
}

pub fn addr() -> BoxedStrategy<AddrPick> {
    prop_oneof![6 => (0u8..ADDRS.len() as u8).prop_map(AddrPick::Known), 1 => any::<u32>().prop_map(AddrPick::Raw)]
        .boxed()
}

pub fn port() -> BoxedStrategy<PortPick> {
    prop_oneof![
        5 => (0u8..PORTS.len() as u8).prop_map(PortPick::Known),
        1 => (32768u16..61000).prop_map(PortPick::Raw),
        1 => any::<u16>().prop_map(PortPick::Raw),
    ]
    .boxed()
}

fn fix() -> impl Strategy<Value = Fix> {
    prop_oneof![8 => Just(Fix::Right), 1 => any::<u16>().prop_map(Fix::Wrong)]
}

fn bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..max)
}

/// Payload bytes: random, or text a server parses (HTTP, ncat lines).
fn payload() -> BoxedStrategy<Vec<u8>> {
    prop_oneof![
        3 => bytes(64),
        1 => Just(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n".to_vec()),
        1 => Just(b"HEAD /nope HTTP/1.0\r\n\r\n".to_vec()),
        1 => Just(b"HTTP/1.0 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n".to_vec()),
        1 => Just(b"GET /\r\n".to_vec()),
        1 => "[ -~\r\n]{0,80}".prop_map(String::into_bytes),
    ]
    .boxed()
}

fn ip_options() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        6 => Just(vec![]),
        1 => Just(vec![1, 1, 1, 0]),
        1 => Just(vec![7, 7, 4, 0, 0, 0, 0, 0]),
        1 => Just(vec![68, 12, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
        1 => Just(vec![130, 11, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
        1 => bytes(41),
    ]
}

pub fn tcp() -> BoxedStrategy<Tcp> {
    (
        (
            port(),
            port(),
            prop::option::weighted(0.3, any::<u32>()),
            -3i16..3,
            prop::option::weighted(0.3, any::<u32>()),
        ),
        (prop::option::weighted(0.1, 0u8..16), flags(), any::<u16>(), any::<u16>()),
        (prop_oneof![4 => Just(vec![]), 1 => Just(vec![2, 4, 5, 180]), 1 => bytes(44)], payload(), fix()),
    )
        .prop_map(|((sport, dport, seq, seq_delta, ack), (doff, flags, win, urg), (options, data, csum))| Tcp {
            sport,
            dport,
            seq,
            seq_delta,
            ack,
            doff,
            flags,
            win,
            urg,
            options,
            data,
            csum,
        })
        .boxed()
}

fn flags() -> impl Strategy<Value = u8> {
    // SYN, SYN-ACK, ACK, PSH-ACK, FIN-ACK, RST, RST-ACK, then anything.
    prop_oneof![
        1 => Just(0x02u8),
        1 => Just(0x12),
        2 => Just(0x10),
        2 => Just(0x18),
        1 => Just(0x11),
        1 => Just(0x04),
        1 => Just(0x14),
        2 => any::<u8>(),
    ]
}

fn dhcp_opt() -> BoxedStrategy<DhcpOpt> {
    prop_oneof![
        4 => (0u8..10).prop_map(DhcpOpt::MsgType),
        2 => addr().prop_map(DhcpOpt::Requested),
        2 => addr().prop_map(DhcpOpt::ServerId),
        1 => any::<u32>().prop_map(DhcpOpt::Lease),
        1 => prop::collection::vec(addr(), 0..4).prop_map(DhcpOpt::Router),
        1 => prop::collection::vec(addr(), 0..4).prop_map(DhcpOpt::Dns),
        1 => bytes(12).prop_map(DhcpOpt::Params),
        1 => (0u8..4).prop_map(DhcpOpt::Overload),
        2 => (any::<u8>(), bytes(20)).prop_map(|(c, b)| DhcpOpt::Raw(c, b)),
        1 => (any::<u8>(), any::<u8>()).prop_map(|(c, l)| DhcpOpt::Lying(c, l)),
        1 => Just(DhcpOpt::Pad),
        1 => Just(DhcpOpt::End),
    ]
    .boxed()
}

pub fn dhcp() -> BoxedStrategy<Dhcp> {
    (
        (prop_oneof![3 => 1u8..3, 1 => any::<u8>()], prop_oneof![3 => Just(1u8), 1 => any::<u8>()]),
        (
            prop_oneof![3 => Just(6u8), 1 => any::<u8>()],
            any::<u8>(),
            prop::option::weighted(0.3, any::<u32>()),
            any::<u16>(),
            any::<u16>(),
        ),
        (addr(), addr(), addr(), addr(), mac()),
        (prop::bool::weighted(0.9), prop::collection::vec(dhcp_opt(), 0..8), bytes(16)),
    )
        .prop_map(
            |(
                (op, htype),
                (hlen, hops, xid, secs, flags),
                (ciaddr, yiaddr, siaddr, giaddr, chaddr),
                (cookie, options, tail),
            )| {
                Dhcp {
                    op,
                    htype,
                    hlen,
                    hops,
                    xid,
                    secs,
                    flags,
                    ciaddr,
                    yiaddr,
                    siaddr,
                    giaddr,
                    chaddr,
                    cookie,
                    options,
                    tail,
                }
            },
        )
        .boxed()
}

pub fn udp() -> BoxedStrategy<Udp> {
    let dhcp_ports =
        prop_oneof![Just((PortPick::Known(7), PortPick::Known(6))), Just((PortPick::Known(6), PortPick::Known(7)))];
    prop_oneof![
        2 => (dhcp_ports, dhcp(), fix(), prop::option::weighted(0.7, fix())).prop_map(|((sport, dport), d, len, csum)| Udp {
            sport,
            dport,
            len,
            csum,
            data: UdpData::Dhcp(Box::new(d)),
        }),
        3 => (port(), port(), fix(), prop::option::weighted(0.7, fix()), payload()).prop_map(|(sport, dport, len, csum, b)| Udp {
            sport,
            dport,
            len,
            csum,
            data: UdpData::Bytes(b),
        }),
    ]
    .boxed()
}

fn icmp_type() -> impl Strategy<Value = (u8, u8)> {
    prop_oneof![
        2 => Just((8u8, 0u8)),
        2 => Just((0, 0)),
        4 => (Just(3u8), 0u8..16),
        2 => (Just(11u8), 0u8..2),
        1 => (Just(5u8), 0u8..4),
        1 => (Just(12u8), 0u8..2),
        1 => (any::<u8>(), any::<u8>()),
    ]
}

/// An IPv4 packet; `quotes`: whether an ICMP error in it may quote another packet.
pub fn ip(quotes: bool) -> BoxedStrategy<Ip> {
    let l4: BoxedStrategy<L4> = if quotes {
        prop_oneof![
            2 => icmp(true).prop_map(L4::Icmp),
            3 => tcp().prop_map(L4::Tcp),
            3 => udp().prop_map(L4::Udp),
            1 => (any::<u8>(), bytes(40)).prop_map(|(p, b)| L4::Raw(p, b)),
        ]
        .boxed()
    } else {
        prop_oneof![icmp(false).prop_map(L4::Icmp), tcp().prop_map(L4::Tcp), udp().prop_map(L4::Udp)].boxed()
    };
    (
        (prop_oneof![12 => Just(4u8), 1 => 0u8..16], prop::option::weighted(0.08, 0u8..16), any::<u8>(), any::<u16>()),
        (
            prop_oneof![10 => Just(0u16), 6 => Just(0x4000), 1 => Just(0x2000), 1 => any::<u16>()],
            prop_oneof![2 => Just(64u8), 1 => 0u8..3, 1 => any::<u8>()],
        ),
        (prop::option::weighted(0.05, any::<u8>()), addr(), addr(), prop::option::weighted(0.4, (any::<u8>(), 0u8..4))),
        (ip_options(), fix(), fix(), l4),
    )
        .prop_map(|((version, ihl, tos, id), (frag, ttl), (proto, src, dst, flow), (options, total_len, csum, l4))| {
            Ip { version, ihl, tos, id, frag, ttl, proto, src, dst, flow, options, total_len, csum, l4 }
        })
        .boxed()
}

fn icmp(quotes: bool) -> BoxedStrategy<Icmp> {
    let body: BoxedStrategy<IcmpBody> = if quotes {
        prop_oneof![1 => bytes(64).prop_map(IcmpBody::Data), 3 => (ip(false), 0u16..80).prop_map(|(i, k)| IcmpBody::Quote(Box::new(i), k))]
            .boxed()
    } else {
        bytes(64).prop_map(IcmpBody::Data).boxed()
    };
    (icmp_type(), any::<u32>(), fix(), body)
        .prop_map(|((ty, code), rest, csum, body)| Icmp { ty, code, rest, csum, body })
        .boxed()
}

fn arp() -> BoxedStrategy<Arp> {
    (
        (prop_oneof![8 => Just(1u16), 1 => any::<u16>()], prop_oneof![8 => Just(0x0800u16), 1 => any::<u16>()]),
        (prop_oneof![8 => Just(6u8), 1 => any::<u8>()], prop_oneof![8 => Just(4u8), 1 => any::<u8>()]),
        (prop_oneof![4 => Just(1u16), 4 => Just(2u16), 1 => any::<u16>()], mac(), addr(), mac(), addr()),
        prop_oneof![4 => Just(vec![]), 1 => bytes(20)],
    )
        .prop_map(|((htype, ptype), (hlen, plen), (op, sha, spa, tha, tpa), extra)| Arp {
            htype,
            ptype,
            hlen,
            plen,
            op,
            sha,
            spa,
            tha,
            tpa,
            extra,
        })
        .boxed()
}

pub fn frame() -> BoxedStrategy<Frame> {
    let body = prop_oneof![
        3 => arp().prop_map(Body::Arp),
        12 => ip(true).prop_map(|i| Body::Ip(Box::new(i))),
        1 => (prop_oneof![Just(0x86ddu16), Just(0x8100), Just(0x88cc), Just(0x0801), any::<u16>()], bytes(80)).prop_map(|(e, b)| Body::Other(e, b)),
    ];
    (
        mac(),
        mac(),
        body,
        prop_oneof![4 => Just(vec![]), 1 => prop::collection::vec((0u16..200, any::<u8>()), 1..5)],
        prop::option::weighted(0.1, 0u16..120),
    )
        .prop_map(|(dst, src, body, flips, cut)| Frame { dst, src, body, flips, cut })
        .boxed()
}

// ---- building ----

/// What the frame's picks refer to: the receiving and sending interfaces and the live flows.
pub struct Ctx<'a> {
    pub local: [u8; 6],
    pub peer: [u8; 6],
    /// (original, reply) tuples: (src, dst, sport, dport, proto).
    pub flows: &'a [Flow],
    pub records: &'a [Record],
}

/// A conntrack tuple pair, as `conntrack -L` shows it.
#[derive(Clone, Copy, Debug)]
pub struct Flow {
    pub orig: (Ipv4Addr, Ipv4Addr, u16, u16),
    pub reply: (Ipv4Addr, Ipv4Addr, u16, u16),
}

impl Ctx<'_> {
    fn mac(&self, m: &MacPick) -> [u8; 6] {
        match m {
            MacPick::Local => self.local,
            MacPick::Peer => self.peer,
            MacPick::Broadcast => [0xff; 6],
            MacPick::Multicast => [1, 0, 0x5e, 0, 0, 1],
            MacPick::Zero => [0; 6],
            MacPick::Known(i) => MACS[usize::from(*i) % MACS.len()],
            MacPick::Raw(b) => *b,
        }
    }

    /// A flow's tuple in the direction asked for.
    fn flow(&self, pick: Option<(u8, u8)>) -> Option<(Ipv4Addr, Ipv4Addr, u16, u16)> {
        let (k, dir) = pick?;
        let f = self.flows.get(usize::from(k) % self.flows.len().max(1))?;
        let t = if dir % 2 == 1 { f.reply } else { f.orig };
        Some(if dir % 4 >= 2 { (t.1, t.0, t.3, t.2) } else { t })
    }

    /// The transaction id of the last DHCP message a capture saw, so an answer can match
    /// what dhclient or dnsmasq is waiting for.
    fn last_dhcp_xid(&self) -> Option<u32> {
        self.records.iter().rev().find_map(|r| {
            let Record::Frame { bytes, .. } = r else { return None };
            let (_, udp) = ipv4_l4(bytes, 17, 8)?;
            let ports = (u16::from_be_bytes([udp[0], udp[1]]), u16::from_be_bytes([udp[2], udp[3]]));
            let x = udp.get(12..16)?;
            matches!(ports, (67, 68) | (68, 67)).then(|| u32::from_be_bytes([x[0], x[1], x[2], x[3]]))
        })
    }

    /// (seq, ack) that continue the TCP connection `src:sport → dst:dport`: the last segment
    /// the other side sent on it, read from the captures.
    fn tcp_continuation(&self, src: Ipv4Addr, dst: Ipv4Addr, sport: u16, dport: u16) -> Option<(u32, u32)> {
        self.records.iter().rev().find_map(|r| {
            let Record::Frame { bytes, .. } = r else { return None };
            let (ip, l4) = ipv4_l4(bytes, 6, 20)?;
            let (s, d) = (
                Ipv4Addr::from(<[u8; 4]>::try_from(&ip[12..16]).ok()?),
                Ipv4Addr::from(<[u8; 4]>::try_from(&ip[16..20]).ok()?),
            );
            let (ps, pd) = (u16::from_be_bytes([l4[0], l4[1]]), u16::from_be_bytes([l4[2], l4[3]]));
            (s == dst && d == src && ps == dport && pd == sport).then(|| {
                let seq = u32::from_be_bytes([l4[4], l4[5], l4[6], l4[7]]);
                let ack = u32::from_be_bytes([l4[8], l4[9], l4[10], l4[11]]);
                (ack, seq.wrapping_add(1))
            })
        })
    }
}

/// The IPv4 header and L4 bytes (at least `min` of them) of an Ethernet frame carrying
/// protocol `proto`.
fn ipv4_l4(f: &[u8], proto: u8, min: usize) -> Option<(&[u8], &[u8])> {
    let p = f.get(14..)?;
    if f.get(12..14)? != [8, 0] || p.len() < 20 || p[0] >> 4 != 4 || p[9] != proto {
        return None;
    }
    let ihl = usize::from(p[0] & 15) * 4;
    if ihl < 20 {
        return None;
    }
    let l4 = p.get(ihl..)?;
    (l4.len() >= min).then_some((&p[..ihl], l4))
}

fn addr_of(a: &AddrPick) -> Ipv4Addr {
    match a {
        AddrPick::Known(i) => Ipv4Addr::from(ADDRS[usize::from(*i) % ADDRS.len()]),
        AddrPick::Raw(r) => Ipv4Addr::from(*r),
    }
}

fn port_of(p: &PortPick) -> u16 {
    match p {
        PortPick::Known(i) => PORTS[usize::from(*i) % PORTS.len()],
        PortPick::Raw(r) => *r,
    }
}

fn put16(b: &mut [u8], at: usize, v: u16) {
    b[at..at + 2].copy_from_slice(&v.to_be_bytes());
}

fn fixed(f: &Fix, right: u16) -> u16 {
    match f {
        Fix::Right => right,
        Fix::Wrong(v) => *v,
    }
}

/// The frame's bytes.
pub fn build(f: &Frame, cx: &Ctx<'_>) -> Vec<u8> {
    let mut out = cx.mac(&f.dst).to_vec();
    out.extend(cx.mac(&f.src));
    match &f.body {
        Body::Arp(a) => {
            out.extend([8, 6]);
            out.extend(a.htype.to_be_bytes());
            out.extend(a.ptype.to_be_bytes());
            out.extend([a.hlen, a.plen]);
            out.extend(a.op.to_be_bytes());
            out.extend(cx.mac(&a.sha));
            out.extend(addr_of(&a.spa).octets());
            out.extend(cx.mac(&a.tha));
            out.extend(addr_of(&a.tpa).octets());
            out.extend(&a.extra);
        }
        Body::Ip(ip) => {
            out.extend([8, 0]);
            out.extend(build_ip(ip, cx));
        }
        Body::Other(et, b) => {
            out.extend(et.to_be_bytes());
            out.extend(b);
        }
    }
    for &(at, v) in &f.flips {
        if let Some(b) = out.get_mut(usize::from(at)) {
            *b = v;
        }
    }
    if let Some(n) = f.cut {
        out.truncate(usize::from(n));
    }
    out
}

/// An IPv4 packet's bytes.
pub fn build_ip(ip: &Ip, cx: &Ctx<'_>) -> Vec<u8> {
    let flow = cx.flow(ip.flow);
    let (src, dst) = flow.map_or((addr_of(&ip.src), addr_of(&ip.dst)), |t| (t.0, t.1));
    let ports = |s: &PortPick, d: &PortPick| flow.map_or((port_of(s), port_of(d)), |t| (t.2, t.3));
    let (proto, l4) = match &ip.l4 {
        L4::Icmp(i) => (1, build_icmp(i, cx, flow.map(|t| t.2))),
        L4::Tcp(t) => {
            let (sport, dport) = ports(&t.sport, &t.dport);
            (6, build_tcp(t, cx, src, dst, sport, dport))
        }
        L4::Udp(u) => {
            let (sport, dport) = ports(&u.sport, &u.dport);
            (17, build_udp(u, cx, src, dst, sport, dport))
        }
        L4::Raw(p, b) => (*p, b.clone()),
    };
    let mut opts = ip.options.clone();
    opts.truncate(40);
    while !opts.len().is_multiple_of(4) {
        opts.push(0);
    }
    let hlen = 20 + opts.len();
    let mut h = vec![0u8; 20];
    let ihl = ip.ihl.unwrap_or((hlen / 4) as u8);
    h[0] = (ip.version << 4) | (ihl & 15);
    h[1] = ip.tos;
    put16(&mut h, 2, fixed(&ip.total_len, (hlen + l4.len()).min(usize::from(u16::MAX)) as u16));
    put16(&mut h, 4, ip.id);
    put16(&mut h, 6, ip.frag);
    h[8] = ip.ttl;
    h[9] = ip.proto.unwrap_or(proto);
    h[12..16].copy_from_slice(&src.octets());
    h[16..20].copy_from_slice(&dst.octets());
    h.extend(opts);
    let c = checksum(&h);
    put16(&mut h, 10, fixed(&ip.csum, c));
    h.extend(l4);
    h
}

/// An ICMP message; `flow_id`: an echo's id from the live ICMP flow it belongs to.
fn build_icmp(i: &Icmp, cx: &Ctx<'_>, flow_id: Option<u16>) -> Vec<u8> {
    let mut b = vec![i.ty, i.code, 0, 0];
    let rest = match flow_id {
        Some(id) if matches!(i.ty, 0 | 8) => (u32::from(id) << 16) | (i.rest & 0xffff),
        _ => i.rest,
    };
    b.extend(rest.to_be_bytes());
    match &i.body {
        IcmpBody::Data(d) => b.extend(d),
        IcmpBody::Quote(inner, keep) => {
            let mut q = build_ip(inner, cx);
            q.truncate(usize::from(*keep).max(1));
            b.extend(q);
        }
    }
    let c = checksum(&b);
    put16(&mut b, 2, fixed(&i.csum, c));
    b
}

fn build_tcp(t: &Tcp, cx: &Ctx<'_>, src: Ipv4Addr, dst: Ipv4Addr, sport: u16, dport: u16) -> Vec<u8> {
    let cont = cx.tcp_continuation(src, dst, sport, dport);
    let seq = t.seq.or(cont.map(|c| c.0)).unwrap_or(1).wrapping_add_signed(i32::from(t.seq_delta));
    let ack = t.ack.or(cont.map(|c| c.1)).unwrap_or(0);
    let mut opts = t.options.clone();
    opts.truncate(40);
    while !opts.len().is_multiple_of(4) {
        opts.push(1);
    }
    let doff = t.doff.unwrap_or(((20 + opts.len()) / 4) as u8);
    let mut b = vec![0u8; 20];
    put16(&mut b, 0, sport);
    put16(&mut b, 2, dport);
    b[4..8].copy_from_slice(&seq.to_be_bytes());
    b[8..12].copy_from_slice(&ack.to_be_bytes());
    b[12] = doff << 4;
    b[13] = t.flags;
    put16(&mut b, 14, t.win);
    put16(&mut b, 18, t.urg);
    b.extend(opts);
    b.extend(&t.data);
    let c = checksum_with(pseudo_header_sum(src, dst, 6, b.len()), &b);
    put16(&mut b, 16, fixed(&t.csum, c));
    b
}

fn build_udp(u: &Udp, cx: &Ctx<'_>, src: Ipv4Addr, dst: Ipv4Addr, sport: u16, dport: u16) -> Vec<u8> {
    let data = match &u.data {
        UdpData::Bytes(b) => b.clone(),
        UdpData::Dhcp(d) => build_dhcp(d, cx),
    };
    let mut b = vec![0u8; 8];
    put16(&mut b, 0, sport);
    put16(&mut b, 2, dport);
    put16(&mut b, 4, fixed(&u.len, (8 + data.len()).min(usize::from(u16::MAX)) as u16));
    b.extend(data);
    let c = match &u.csum {
        None => 0,
        Some(f) => {
            let c = checksum_with(pseudo_header_sum(src, dst, 17, b.len()), &b);
            fixed(f, if c == 0 { 0xffff } else { c })
        }
    };
    put16(&mut b, 6, c);
    b
}

fn build_dhcp(d: &Dhcp, cx: &Ctx<'_>) -> Vec<u8> {
    let mut b = vec![d.op, d.htype, d.hlen, d.hops];
    b.extend(d.xid.or_else(|| cx.last_dhcp_xid()).unwrap_or(0).to_be_bytes());
    b.extend(d.secs.to_be_bytes());
    b.extend(d.flags.to_be_bytes());
    for a in [&d.ciaddr, &d.yiaddr, &d.siaddr, &d.giaddr] {
        b.extend(addr_of(a).octets());
    }
    b.extend(cx.mac(&d.chaddr));
    b.resize(236, 0);
    b.extend(if d.cookie { [99, 130, 83, 99] } else { [99, 130, 83, 98] });
    for o in &d.options {
        match o {
            DhcpOpt::MsgType(t) => b.extend([53, 1, *t]),
            DhcpOpt::Requested(a) => {
                b.extend([50, 4]);
                b.extend(addr_of(a).octets());
            }
            DhcpOpt::ServerId(a) => {
                b.extend([54, 4]);
                b.extend(addr_of(a).octets());
            }
            DhcpOpt::Lease(s) => {
                b.extend([51, 4]);
                b.extend(s.to_be_bytes());
            }
            DhcpOpt::Router(v) | DhcpOpt::Dns(v) => {
                b.push(if matches!(o, DhcpOpt::Router(_)) { 3 } else { 6 });
                b.push((v.len() * 4) as u8);
                for a in v {
                    b.extend(addr_of(a).octets());
                }
            }
            DhcpOpt::Params(p) => {
                b.extend([55, p.len() as u8]);
                b.extend(p);
            }
            DhcpOpt::Overload(v) => b.extend([52, 1, *v]),
            DhcpOpt::Raw(c, v) => {
                b.extend([*c, v.len() as u8]);
                b.extend(v);
            }
            DhcpOpt::Lying(c, l) => b.extend([*c, *l]),
            DhcpOpt::Pad => b.push(0),
            DhcpOpt::End => b.push(255),
        }
    }
    b.extend(&d.tail);
    b
}

/// True if an IPv4 receiver must find the packet in `frame` malformed: too short for a
/// header, not version 4, a header length under 20 or past the data, a total length under
/// the header's or past the data, or a header checksum that does not add up (RFC 791/1122,
/// `ip_rcv_core`).
pub fn ipv4_header_bad(frame: &[u8]) -> bool {
    let Some(p) = frame.get(14..) else { return true };
    if p.len() < 20 {
        return true;
    }
    let ihl = usize::from(p[0] & 15) * 4;
    if p[0] >> 4 != 4 || ihl < 20 || p.len() < ihl {
        return true;
    }
    let total = usize::from(u16::from_be_bytes([p[2], p[3]]));
    total < ihl || total > p.len() || checksum(&p[..ihl]) != 0
}
