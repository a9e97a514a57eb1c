//! Packet views and builders for the headers the stack handles itself.
//!
//! Parsing of IPv4 headers goes through etherparse (`Ipv4Slice`, which checks version, IHL
//! and total length); the checksum check and the few builders live here because they write
//! into the caller's reusable buffer and must not allocate. ARP has a view with offsets in a
//! private `field` module, in smoltcp's style.

use sim_core::MacAddr;
use std::net::Ipv4Addr;

/// Ethertypes the stack knows.
pub mod ethertype {
    /// IPv4.
    pub const IPV4: u16 = 0x0800;
    /// ARP.
    pub const ARP: u16 = 0x0806;
}

/// IP protocol numbers the stack knows.
pub mod proto {
    /// ICMP.
    pub const ICMP: u8 = 1;
    /// TCP.
    pub const TCP: u8 = 6;
    /// UDP.
    pub const UDP: u8 = 17;
}

/// The Internet checksum (RFC 1071) over `data`, starting from `initial` (a partial sum).
pub fn checksum_with(initial: u32, data: &[u8]) -> u16 {
    let mut sum = initial;
    let mut chunks = data.chunks_exact(2);
    for c in &mut chunks {
        sum += u32::from(u16::from_be_bytes([c[0], c[1]]));
    }
    if let [b] = chunks.remainder() {
        sum += u32::from(*b) << 8;
    }
    while sum >> 16 != 0 {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// The Internet checksum over `data`.
pub fn checksum(data: &[u8]) -> u16 {
    checksum_with(0, data)
}

/// The pseudo-header sum UDP and TCP checksums start from.
pub fn pseudo_header_sum(src: Ipv4Addr, dst: Ipv4Addr, proto: u8, len: usize) -> u32 {
    let s = src.octets();
    let d = dst.octets();
    u32::from(u16::from_be_bytes([s[0], s[1]]))
        + u32::from(u16::from_be_bytes([s[2], s[3]]))
        + u32::from(u16::from_be_bytes([d[0], d[1]]))
        + u32::from(u16::from_be_bytes([d[2], d[3]]))
        + u32::from(proto)
        + len as u32
}

/// Appends an Ethernet II header.
pub fn push_ethernet(buf: &mut Vec<u8>, dst: MacAddr, src: MacAddr, ethertype: u16) {
    buf.extend_from_slice(&dst.0);
    buf.extend_from_slice(&src.0);
    buf.extend_from_slice(&ethertype.to_be_bytes());
}

/// The fields of an IPv4 header the stack sets when it builds one.
#[derive(Clone, Copy, Debug)]
pub struct Ipv4Fields {
    /// Source address.
    pub src: Ipv4Addr,
    /// Destination address.
    pub dst: Ipv4Addr,
    /// Protocol.
    pub proto: u8,
    /// Time to live.
    pub ttl: u8,
    /// Identification.
    pub id: u16,
    /// Don't-fragment flag.
    pub df: bool,
    /// Type of service byte.
    pub tos: u8,
}

/// Appends a 20-byte IPv4 header for a payload of `payload_len` bytes, checksum included.
pub fn push_ipv4(buf: &mut Vec<u8>, f: &Ipv4Fields, payload_len: usize) {
    let start = buf.len();
    let total = (20 + payload_len) as u16;
    buf.extend_from_slice(&[0x45, f.tos]);
    buf.extend_from_slice(&total.to_be_bytes());
    buf.extend_from_slice(&f.id.to_be_bytes());
    buf.extend_from_slice(&(if f.df { 0x4000u16 } else { 0 }).to_be_bytes());
    buf.extend_from_slice(&[f.ttl, f.proto, 0, 0]);
    buf.extend_from_slice(&f.src.octets());
    buf.extend_from_slice(&f.dst.octets());
    let c = checksum(&buf[start..start + 20]);
    buf[start + 10..start + 12].copy_from_slice(&c.to_be_bytes());
}

/// A checked view of an IPv4 packet.
#[derive(Clone, Copy, Debug)]
pub struct Ipv4<'a> {
    bytes: &'a [u8],
    header_len: usize,
    total_len: usize,
}

/// Why an IPv4 packet was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ipv4Error {
    /// Version, IHL or lengths are wrong.
    Header,
    /// The header checksum does not add up.
    Checksum,
}

impl<'a> Ipv4<'a> {
    /// Checks header, lengths and checksum (ip_rcv_core's checks). Trailing bytes beyond
    /// the total length (Ethernet padding) are ignored.
    pub fn new_checked(bytes: &'a [u8]) -> Result<Self, Ipv4Error> {
        let s = etherparse::Ipv4Slice::from_slice(bytes).map_err(|_| Ipv4Error::Header)?;
        let header_len = s.header().slice().len();
        let total_len = usize::from(s.header().total_len());
        if checksum(&bytes[..header_len]) != 0 {
            return Err(Ipv4Error::Checksum);
        }
        Ok(Ipv4 { bytes, header_len, total_len })
    }
    /// The packet, padding cut off.
    pub fn packet(&self) -> &'a [u8] {
        &self.bytes[..self.total_len]
    }
    /// The header.
    pub fn header(&self) -> &'a [u8] {
        &self.bytes[..self.header_len]
    }
    /// The payload.
    pub fn payload(&self) -> &'a [u8] {
        &self.bytes[self.header_len..self.total_len]
    }
    /// Source address.
    pub fn src(&self) -> Ipv4Addr {
        Ipv4Addr::new(self.bytes[12], self.bytes[13], self.bytes[14], self.bytes[15])
    }
    /// Destination address.
    pub fn dst(&self) -> Ipv4Addr {
        Ipv4Addr::new(self.bytes[16], self.bytes[17], self.bytes[18], self.bytes[19])
    }
    /// Protocol.
    pub fn proto(&self) -> u8 {
        self.bytes[9]
    }
    /// Time to live.
    pub fn ttl(&self) -> u8 {
        self.bytes[8]
    }
    /// Don't-fragment flag.
    pub fn df(&self) -> bool {
        self.bytes[6] & 0x40 != 0
    }
    /// True for any fragment (MF set or a non-zero offset).
    pub fn is_fragment(&self) -> bool {
        u16::from_be_bytes([self.bytes[6], self.bytes[7]]) & 0x3fff != 0
    }
    /// Total length in bytes.
    pub fn total_len(&self) -> usize {
        self.total_len
    }
}

/// Decrements the TTL of a packet in place and patches the checksum (RFC 1624).
pub fn decrement_ttl(packet: &mut [u8]) {
    let old = u16::from_be_bytes([packet[8], packet[9]]);
    packet[8] -= 1;
    let new = u16::from_be_bytes([packet[8], packet[9]]);
    let c = u16::from_be_bytes([packet[10], packet[11]]);
    let mut sum = u32::from(!c) + u32::from(!old) + u32::from(new);
    while sum >> 16 != 0 {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    packet[10..12].copy_from_slice(&(!(sum as u16)).to_be_bytes());
}

/// ICMP's type and code numbers.
pub mod icmp {
    /// ICMP types.
    pub mod kind {
        /// Echo reply.
        pub const ECHO_REPLY: u8 = 0;
        /// Destination unreachable.
        pub const DEST_UNREACH: u8 = 3;
        /// Echo request.
        pub const ECHO_REQUEST: u8 = 8;
        /// Time exceeded.
        pub const TIME_EXCEEDED: u8 = 11;
        /// Parameter problem.
        pub const PARAM_PROB: u8 = 12;
    }

    /// Destination-unreachable codes.
    pub mod code {
        /// Network unreachable.
        pub const NET_UNREACH: u8 = 0;
        /// Host unreachable.
        pub const HOST_UNREACH: u8 = 1;
        /// Protocol unreachable.
        pub const PROT_UNREACH: u8 = 2;
        /// Port unreachable.
        pub const PORT_UNREACH: u8 = 3;
        /// Fragmentation needed and DF set.
        pub const FRAG_NEEDED: u8 = 4;
        /// Administratively prohibited (iptables REJECT's default).
        pub const PKT_FILTERED: u8 = 13;
    }
}

/// The netmask of a prefix length, as a host-order word.
pub fn mask(prefix: u8) -> u32 {
    if prefix == 0 { 0 } else { u32::MAX << (32 - u32::from(prefix.min(32))) }
}

/// ARP for Ethernet/IPv4 (RFC 826): offsets and a view.
pub mod arp {
    use super::*;

    mod field {
        pub const HTYPE: usize = 0;
        pub const PTYPE: usize = 2;
        pub const HLEN: usize = 4;
        pub const PLEN: usize = 5;
        pub const OPER: usize = 6;
        pub const SHA: usize = 8;
        pub const SPA: usize = 14;
        pub const THA: usize = 18;
        pub const TPA: usize = 24;
        pub const LEN: usize = 28;
    }

    /// ARP operation codes.
    pub const REQUEST: u16 = 1;
    /// Reply.
    pub const REPLY: u16 = 2;

    /// A parsed Ethernet/IPv4 ARP packet.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct Arp {
        /// Operation.
        pub op: u16,
        /// Sender hardware address.
        pub sha: MacAddr,
        /// Sender protocol address.
        pub spa: Ipv4Addr,
        /// Target hardware address.
        pub tha: MacAddr,
        /// Target protocol address.
        pub tpa: Ipv4Addr,
    }

    impl Arp {
        /// Parses; `None` unless it is Ethernet/IPv4 ARP with a known operation.
        pub fn parse(b: &[u8]) -> Option<Arp> {
            if b.len() < field::LEN
                || u16::from_be_bytes([b[field::HTYPE], b[field::HTYPE + 1]]) != 1
                || u16::from_be_bytes([b[field::PTYPE], b[field::PTYPE + 1]]) != ethertype::IPV4
                || b[field::HLEN] != 6
                || b[field::PLEN] != 4
            {
                return None;
            }
            let op = u16::from_be_bytes([b[field::OPER], b[field::OPER + 1]]);
            if op != REQUEST && op != REPLY {
                return None;
            }
            let ip = |at: usize| Ipv4Addr::new(b[at], b[at + 1], b[at + 2], b[at + 3]);
            Some(Arp {
                op,
                sha: MacAddr::from_slice(&b[field::SHA..])?,
                spa: ip(field::SPA),
                tha: MacAddr::from_slice(&b[field::THA..])?,
                tpa: ip(field::TPA),
            })
        }

        /// The 28 bytes of this packet.
        pub fn to_bytes(&self) -> [u8; field::LEN] {
            let mut b = [0u8; field::LEN];
            b[field::HTYPE..field::HTYPE + 2].copy_from_slice(&1u16.to_be_bytes());
            b[field::PTYPE..field::PTYPE + 2].copy_from_slice(&ethertype::IPV4.to_be_bytes());
            b[field::HLEN] = 6;
            b[field::PLEN] = 4;
            b[field::OPER..field::OPER + 2].copy_from_slice(&self.op.to_be_bytes());
            b[field::SHA..field::SHA + 6].copy_from_slice(&self.sha.0);
            b[field::SPA..field::SPA + 4].copy_from_slice(&self.spa.octets());
            b[field::THA..field::THA + 6].copy_from_slice(&self.tha.0);
            b[field::TPA..field::TPA + 4].copy_from_slice(&self.tpa.octets());
            b
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        // The request of E2, as the kernel sent it (captured with tcpdump -XX).
        const REQUEST_BYTES: [u8; 28] = [
            0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, 0x00, 0x00, 0x5e, 0x00, 0x53, 0x01, 0xc0, 0x00, 0x02, 0x01,
            0, 0, 0, 0, 0, 0, 0xc0, 0x00, 0x02, 0x02,
        ];

        #[test]
        fn parse_and_emit_round_trip() {
            let a = Arp::parse(&REQUEST_BYTES).unwrap();
            assert_eq!(a.op, REQUEST);
            assert_eq!(a.spa, Ipv4Addr::new(192, 0, 2, 1));
            assert_eq!(a.tpa, Ipv4Addr::new(192, 0, 2, 2));
            assert_eq!(a.to_bytes(), REQUEST_BYTES);
            assert!(Arp::parse(&REQUEST_BYTES[..27]).is_none());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The echo request of E2 as the kernel sent it: header checksum 0xeee6.
    const IP_HEADER: [u8; 20] = [
        0x45, 0x00, 0x00, 0x54, 0xc7, 0xbe, 0x40, 0x00, 0x40, 0x01, 0xee, 0xe6, 0xc0, 0x00, 0x02, 0x01, 0xc0, 0x00,
        0x02, 0x02,
    ];

    #[test]
    fn header_checksum_matches_kernel() {
        let mut buf = vec![];
        let f = Ipv4Fields {
            src: Ipv4Addr::new(192, 0, 2, 1),
            dst: Ipv4Addr::new(192, 0, 2, 2),
            proto: proto::ICMP,
            ttl: 64,
            id: 0xc7be,
            df: true,
            tos: 0,
        };
        push_ipv4(&mut buf, &f, 64);
        assert_eq!(buf, IP_HEADER);
    }

    #[test]
    fn ttl_decrement_keeps_checksum_valid() {
        let mut p = IP_HEADER.to_vec();
        p.resize(84, 0);
        decrement_ttl(&mut p);
        assert_eq!(p[8], 63);
        assert_eq!(checksum(&p[..20]), 0);
        assert!(Ipv4::new_checked(&p).is_ok());
    }

    #[test]
    fn rejects_bad_headers() {
        let mut p = IP_HEADER.to_vec();
        p.resize(84, 0);
        assert!(Ipv4::new_checked(&p[..40]).is_err(), "total length beyond the buffer");
        p[11] ^= 1;
        assert_eq!(Ipv4::new_checked(&p).unwrap_err(), Ipv4Error::Checksum);
        assert!(Ipv4::new_checked(&[0x45]).is_err());
    }
}
