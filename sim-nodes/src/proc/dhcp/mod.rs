//! DHCP (RFC 2131) for the two processes that speak it, dnsmasq and dhclient.
//!
//! Messages are parsed and built with `smoltcp::wire::{DhcpPacket, DhcpRepr}`; the options
//! smoltcp does not carry in its `Repr` (T1, T2, broadcast address, host name) are read from
//! and written to the raw option list. Messages are padded to BOOTP's 300 bytes, as both real
//! programs send them. Malformed input (truncated, wrong magic cookie, option overrun) is
//! refused by `parse` and counted by the caller.

pub mod dhclient;
pub mod dnsmasq;

use crate::wire::{self, proto};
use sim_core::MacAddr;
use smoltcp::wire::{DhcpMessageType, DhcpOption, DhcpPacket, DhcpRepr, EthernetAddress, Ipv4Address};
use std::net::Ipv4Addr;

/// The server's port.
pub const SERVER_PORT: u16 = 67;
/// The client's port.
pub const CLIENT_PORT: u16 = 68;

const OPT_HOSTNAME: u8 = 12;
const OPT_BROADCAST: u8 = 28;
const OPT_T1: u8 = 58;
const OPT_T2: u8 = 59;

/// DHCP message types.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// DHCPDISCOVER.
    Discover,
    /// DHCPOFFER.
    Offer,
    /// DHCPREQUEST.
    Request,
    /// DHCPDECLINE.
    Decline,
    /// DHCPACK.
    Ack,
    /// DHCPNAK.
    Nak,
    /// DHCPRELEASE.
    Release,
    /// DHCPINFORM.
    Inform,
}

impl Kind {
    fn to_smoltcp(self) -> DhcpMessageType {
        match self {
            Kind::Discover => DhcpMessageType::Discover,
            Kind::Offer => DhcpMessageType::Offer,
            Kind::Request => DhcpMessageType::Request,
            Kind::Decline => DhcpMessageType::Decline,
            Kind::Ack => DhcpMessageType::Ack,
            Kind::Nak => DhcpMessageType::Nak,
            Kind::Release => DhcpMessageType::Release,
            Kind::Inform => DhcpMessageType::Inform,
        }
    }
    fn from_smoltcp(t: DhcpMessageType) -> Option<Self> {
        Some(match t {
            DhcpMessageType::Discover => Kind::Discover,
            DhcpMessageType::Offer => Kind::Offer,
            DhcpMessageType::Request => Kind::Request,
            DhcpMessageType::Decline => Kind::Decline,
            DhcpMessageType::Ack => Kind::Ack,
            DhcpMessageType::Nak => Kind::Nak,
            DhcpMessageType::Release => Kind::Release,
            DhcpMessageType::Inform => Kind::Inform,
            DhcpMessageType::Unknown(_) => return None,
        })
    }
}

/// A DHCP message, the fields both ends use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// Message type.
    pub kind: Kind,
    /// Transaction id.
    pub xid: u32,
    /// Seconds since the client began.
    pub secs: u16,
    /// The broadcast flag.
    pub broadcast: bool,
    /// `ciaddr`.
    pub ciaddr: Ipv4Addr,
    /// `yiaddr`.
    pub yiaddr: Ipv4Addr,
    /// `siaddr`.
    pub siaddr: Ipv4Addr,
    /// `chaddr`.
    pub chaddr: MacAddr,
    /// Option 50.
    pub requested_ip: Option<Ipv4Addr>,
    /// Option 54.
    pub server_id: Option<Ipv4Addr>,
    /// Option 51.
    pub lease: Option<u32>,
    /// Option 58.
    pub t1: Option<u32>,
    /// Option 59.
    pub t2: Option<u32>,
    /// Option 1.
    pub subnet_mask: Option<Ipv4Addr>,
    /// Option 28.
    pub broadcast_addr: Option<Ipv4Addr>,
    /// Option 3 (the first router).
    pub router: Option<Ipv4Addr>,
    /// Option 6.
    pub dns: Vec<Ipv4Addr>,
    /// Option 12.
    pub hostname: Option<String>,
    /// Option 55.
    pub params: Vec<u8>,
}

impl Message {
    /// A message of `kind` with everything else empty.
    pub fn new(kind: Kind, xid: u32, chaddr: MacAddr) -> Self {
        let z = Ipv4Addr::UNSPECIFIED;
        Message {
            kind,
            xid,
            secs: 0,
            broadcast: false,
            ciaddr: z,
            yiaddr: z,
            siaddr: z,
            chaddr,
            requested_ip: None,
            server_id: None,
            lease: None,
            t1: None,
            t2: None,
            subnet_mask: None,
            broadcast_addr: None,
            router: None,
            dns: Vec::new(),
            hostname: None,
            params: Vec::new(),
        }
    }
}

fn v4(a: Ipv4Address) -> Ipv4Addr {
    Ipv4Addr::from(a.octets())
}
fn sv4(a: Ipv4Addr) -> Ipv4Address {
    Ipv4Address::from(a.octets())
}

/// Parses a DHCP message (the UDP payload). `None` for anything malformed.
pub fn parse(payload: &[u8]) -> Option<Message> {
    let pkt = DhcpPacket::new_checked(payload).ok()?;
    if pkt.magic_number() != 0x6382_5363 {
        return None;
    }
    let repr = DhcpRepr::parse(&pkt).ok()?;
    let mut m = Message::new(
        Kind::from_smoltcp(repr.message_type)?,
        repr.transaction_id,
        MacAddr(repr.client_hardware_address.0),
    );
    m.secs = repr.secs;
    m.broadcast = repr.broadcast;
    m.ciaddr = v4(repr.client_ip);
    m.yiaddr = v4(repr.your_ip);
    m.siaddr = v4(repr.server_ip);
    m.requested_ip = repr.requested_ip.map(v4);
    m.server_id = repr.server_identifier.map(v4);
    m.lease = repr.lease_duration;
    m.t1 = repr.renew_duration;
    m.t2 = repr.rebind_duration;
    m.subnet_mask = repr.subnet_mask.map(v4);
    m.router = repr.router.map(v4);
    m.dns = repr.dns_servers.map(|d| d.iter().map(|a| v4(*a)).collect()).unwrap_or_default();
    m.params = repr.parameter_request_list.map(<[u8]>::to_vec).unwrap_or_default();
    for opt in pkt.options() {
        match (opt.kind, opt.data.len()) {
            (OPT_BROADCAST, 4) => {
                m.broadcast_addr = Some(Ipv4Addr::new(opt.data[0], opt.data[1], opt.data[2], opt.data[3]))
            }
            (OPT_HOSTNAME, n) if n > 0 => m.hostname = Some(String::from_utf8_lossy(opt.data).into_owned()),
            _ => {}
        }
    }
    Some(m)
}

/// Builds the UDP payload for `m`, padded to 300 bytes.
pub fn emit(m: &Message) -> Vec<u8> {
    let t1 = m.t1.map(u32::to_be_bytes);
    let t2 = m.t2.map(u32::to_be_bytes);
    let brd = m.broadcast_addr.map(|a| a.octets());
    let mut extra: Vec<DhcpOption<'_>> = Vec::new();
    if let Some(t) = &t1 {
        extra.push(DhcpOption { kind: OPT_T1, data: t });
    }
    if let Some(t) = &t2 {
        extra.push(DhcpOption { kind: OPT_T2, data: t });
    }
    if let Some(b) = &brd {
        extra.push(DhcpOption { kind: OPT_BROADCAST, data: b });
    }
    if let Some(h) = &m.hostname {
        extra.push(DhcpOption { kind: OPT_HOSTNAME, data: h.as_bytes() });
    }
    let mut dns: heapless::Vec<Ipv4Address, { smoltcp::wire::DHCP_MAX_DNS_SERVER_COUNT }> = heapless::Vec::new();
    for d in m.dns.iter().take(3) {
        let _ = dns.push(sv4(*d));
    }
    let repr = DhcpRepr {
        message_type: m.kind.to_smoltcp(),
        transaction_id: m.xid,
        secs: m.secs,
        client_hardware_address: EthernetAddress(m.chaddr.0),
        client_ip: sv4(m.ciaddr),
        your_ip: sv4(m.yiaddr),
        server_ip: sv4(m.siaddr),
        router: m.router.map(sv4),
        subnet_mask: m.subnet_mask.map(sv4),
        relay_agent_ip: sv4(Ipv4Addr::UNSPECIFIED),
        broadcast: m.broadcast,
        requested_ip: m.requested_ip.map(sv4),
        client_identifier: None,
        server_identifier: m.server_id.map(sv4),
        parameter_request_list: (!m.params.is_empty()).then_some(m.params.as_slice()),
        dns_servers: (!m.dns.is_empty()).then_some(dns),
        max_size: None,
        lease_duration: m.lease,
        renew_duration: None,
        rebind_duration: None,
        additional_options: &extra,
    };
    let len = repr.buffer_len().max(300);
    let mut buf = vec![0u8; len];
    let mut pkt = DhcpPacket::new_unchecked(&mut buf[..]);
    // Emitting into a buffer of at least buffer_len() bytes cannot fail.
    let _ = repr.emit(&mut pkt);
    buf
}

/// A UDP header and payload with its checksum.
pub fn udp(src: Ipv4Addr, dst: Ipv4Addr, sport: u16, dport: u16, payload: &[u8]) -> Vec<u8> {
    let len = 8 + payload.len();
    let mut u = Vec::with_capacity(len);
    u.extend_from_slice(&sport.to_be_bytes());
    u.extend_from_slice(&dport.to_be_bytes());
    u.extend_from_slice(&(len as u16).to_be_bytes());
    u.extend_from_slice(&[0, 0]);
    u.extend_from_slice(payload);
    let c = wire::checksum_with(wire::pseudo_header_sum(src, dst, proto::UDP, len), &u);
    u[6..8].copy_from_slice(&(if c == 0 { 0xffff } else { c }).to_be_bytes());
    u
}

/// dnsmasq's `prettyprint_time`: `1h`, `2m`, `1h30m`, `45s`, `1d`.
pub fn pretty_time(secs: u32) -> String {
    let (d, h, m, s) = (secs / 86400, (secs / 3600) % 24, (secs / 60) % 60, secs % 60);
    let mut out = String::new();
    for (v, u) in [(d, 'd'), (h, 'h'), (m, 'm'), (s, 's')] {
        if v > 0 {
            out.push_str(&format!("{v}{u}"));
        }
    }
    if out.is_empty() { "0s".into() } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_pads_to_300() {
        let mut m = Message::new(Kind::Offer, 0x7d48_c43d, MacAddr([0, 0, 0x5e, 0, 0x53, 0x31]));
        m.yiaddr = Ipv4Addr::new(192, 0, 2, 123);
        m.siaddr = Ipv4Addr::new(192, 0, 2, 254);
        m.server_id = Some(m.siaddr);
        m.lease = Some(3600);
        m.t1 = Some(1800);
        m.t2 = Some(3150);
        m.subnet_mask = Some(Ipv4Addr::new(255, 255, 255, 0));
        m.broadcast_addr = Some(Ipv4Addr::new(192, 0, 2, 255));
        m.router = Some(m.siaddr);
        m.dns = vec![m.siaddr];
        let b = emit(&m);
        assert_eq!(b.len(), 300);
        assert_eq!(parse(&b).unwrap(), m);
    }

    #[test]
    fn malformed_is_refused() {
        let mut b = emit(&Message::new(Kind::Discover, 1, MacAddr([2, 0, 0, 0, 0, 1])));
        assert!(parse(&b[..200]).is_none(), "truncated");
        b[236] ^= 0xff;
        assert!(parse(&b).is_none(), "wrong magic cookie");
        let mut b = emit(&Message::new(Kind::Discover, 1, MacAddr([2, 0, 0, 0, 0, 1])));
        // An option whose length runs past the end.
        b[240] = 53;
        b[241] = 200;
        assert!(parse(&b).is_none(), "option overrun");
    }

    #[test]
    fn lease_times_print_like_dnsmasq() {
        assert_eq!(pretty_time(3600), "1h");
        assert_eq!(pretty_time(120), "2m");
        assert_eq!(pretty_time(5400), "1h30m");
        assert_eq!(pretty_time(45), "45s");
    }
}
