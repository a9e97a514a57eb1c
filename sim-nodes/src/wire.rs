//! Packet views and builders for the headers the stack handles itself.
//!
//! Parsing of IPv4 headers goes through etherparse (`Ipv4Slice`, which checks version, IHL
//! and total length); the Internet checksum and the ARP view are smoltcp's (`wire::checksum`,
//! `ArpRepr`); the few builders live here because they write into the caller's reusable
//! buffer and must not allocate.

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

/// The Internet checksum (RFC 1071) over `data`, starting from `initial` (a partial sum):
/// smoltcp's, which sums words rather than byte pairs.
pub fn checksum_with(initial: u32, data: &[u8]) -> u16 {
    use smoltcp::wire::checksum;
    let mut init = initial;
    while init >> 16 != 0 {
        init = (init & 0xffff) + (init >> 16);
    }
    !checksum::combine(&[init as u16, checksum::data(data)])
}

/// The Internet checksum over `data`.
pub fn checksum(data: &[u8]) -> u16 {
    !smoltcp::wire::checksum::data(data)
}

/// `csum_replace4`: the checksum `check` once the 32-bit word `from` (as the bytes read,
/// big-endian) became `to`, by RFC 1624's incremental update in the kernel's arithmetic —
/// what NAT does to the headers it rewrites, so that a checksum that was wrong stays wrong,
/// and what it costs does not grow with the payload. A 16-bit field is the same word with
/// its high half zero (`inet_proto_csum_replace2`).
pub fn csum_replace4(check: u16, from: u32, to: u32) -> u16 {
    fn add(a: u32, b: u32) -> u32 {
        let (s, carry) = a.overflowing_add(b);
        s + u32::from(carry)
    }
    let sum = add(add(!u32::from(check), !from), to);
    let sum = (sum & 0xffff) + (sum >> 16);
    let sum = (sum & 0xffff) + (sum >> 16);
    !(sum as u16)
}

/// [`csum_replace4`] for the checksum stored at `at` in `buf`.
pub fn csum_replace4_at(buf: &mut [u8], at: usize, from: u32, to: u32) {
    let c = csum_replace4(u16::from_be_bytes([buf[at], buf[at + 1]]), from, to);
    buf[at..at + 2].copy_from_slice(&c.to_be_bytes());
}

/// The pseudo-header sum UDP and TCP checksums start from.
pub fn pseudo_header_sum(src: Ipv4Addr, dst: Ipv4Addr, proto: u8, len: usize) -> u32 {
    let p = smoltcp::wire::IpProtocol::from(proto);
    u32::from(smoltcp::wire::checksum::pseudo_header_v4(&src, &dst, p, len as u32))
}

/// Appends an Ethernet II header.
pub fn push_ethernet(buf: &mut Vec<u8>, dst: MacAddr, src: MacAddr, ethertype: u16) {
    let mut h = [0u8; 14];
    h[..6].copy_from_slice(&dst.0);
    h[6..12].copy_from_slice(&src.0);
    h[12..].copy_from_slice(&ethertype.to_be_bytes());
    buf.extend_from_slice(&h);
}

/// The don't-fragment flag of the flags and fragment offset field.
pub const IP_DF: u16 = 0x4000;
/// The more-fragments flag.
pub const IP_MF: u16 = 0x2000;
/// The fragment offset, in units of 8 bytes.
pub const IP_OFFSET: u16 = 0x1fff;

/// Rewrites an IPv4 header's total length and flags/offset field and its checksum.
pub fn set_len_frag(header: &mut [u8], total: usize, frag_field: u16) {
    header[2..4].copy_from_slice(&(total as u16).to_be_bytes());
    header[6..8].copy_from_slice(&frag_field.to_be_bytes());
    header[10..12].copy_from_slice(&[0, 0]);
    let c = checksum(header);
    header[10..12].copy_from_slice(&c.to_be_bytes());
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
    buf.resize(start + 20, 0);
    write_ipv4(&mut buf[start..], f, payload_len);
}

/// Writes a 20-byte IPv4 header for a payload of `payload_len` bytes, checksum included,
/// over the first 20 bytes of `h` (room left in front of a payload built first).
pub fn write_ipv4(h: &mut [u8], f: &Ipv4Fields, payload_len: usize) {
    let total = (20 + payload_len) as u16;
    let frag = if f.df { IP_DF } else { 0 };
    h[..2].copy_from_slice(&[0x45, f.tos]);
    h[2..4].copy_from_slice(&total.to_be_bytes());
    h[4..6].copy_from_slice(&f.id.to_be_bytes());
    h[6..8].copy_from_slice(&frag.to_be_bytes());
    h[8..12].copy_from_slice(&[f.ttl, f.proto, 0, 0]);
    h[12..16].copy_from_slice(&f.src.octets());
    h[16..20].copy_from_slice(&f.dst.octets());
    let c = checksum(&h[..20]);
    h[10..12].copy_from_slice(&c.to_be_bytes());
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
    /// A view of a packet that passed [`Ipv4::new_checked`] before and may have been
    /// rewritten in place since (TTL, NAT: lengths unchanged): its lengths are read again,
    /// clamped to `bytes`, and nothing is verified.
    pub fn checked_before(bytes: &'a [u8]) -> Self {
        let header_len = bytes.first().map_or(0, |b| usize::from(b & 0x0f) * 4).min(bytes.len());
        let total_len = match bytes.get(2..4) {
            Some(l) => usize::from(u16::from_be_bytes([l[0], l[1]])).clamp(header_len, bytes.len()),
            None => bytes.len(),
        };
        Ipv4 { bytes, header_len, total_len }
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
        self.frag_field() & (IP_MF | IP_OFFSET) != 0
    }
    /// The flags and fragment offset field as it is on the wire.
    pub fn frag_field(&self) -> u16 {
        u16::from_be_bytes([self.bytes[6], self.bytes[7]])
    }
    /// The fragment's offset in bytes.
    pub fn frag_offset(&self) -> usize {
        usize::from(self.frag_field() & IP_OFFSET) * 8
    }
    /// More fragments follow.
    pub fn more_frags(&self) -> bool {
        self.frag_field() & IP_MF != 0
    }
    /// Identification.
    pub fn id(&self) -> u16 {
        u16::from_be_bytes([self.bytes[4], self.bytes[5]])
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
        /// Time exceeded: fragment reassembly time exceeded (`ICMP_EXC_FRAGTIME`).
        pub const FRAG_TIME: u8 = 1;
    }
}

/// The netmask of a prefix length, as a host-order word.
pub fn mask(prefix: u8) -> u32 {
    if prefix == 0 { 0 } else { u32::MAX << (32 - u32::from(prefix.min(32))) }
}

/// ARP for Ethernet/IPv4 (RFC 826): offsets and a view.
pub mod arp {
    use super::*;

    use smoltcp::wire::{ArpOperation, ArpPacket, ArpRepr, EthernetAddress};

    /// The length of an Ethernet/IPv4 ARP packet.
    pub const LEN: usize = 28;

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
        /// Parses (smoltcp's `ArpRepr`); `None` unless it is Ethernet/IPv4 ARP with a
        /// known operation.
        pub fn parse(b: &[u8]) -> Option<Arp> {
            let repr = ArpRepr::parse(&ArpPacket::new_checked(b).ok()?).ok()?;
            let ArpRepr::EthernetIpv4 {
                operation,
                source_hardware_addr,
                source_protocol_addr,
                target_hardware_addr,
                target_protocol_addr,
            } = repr
            else {
                return None;
            };
            let op = match operation {
                ArpOperation::Request => REQUEST,
                ArpOperation::Reply => REPLY,
                _ => return None,
            };
            Some(Arp {
                op,
                sha: MacAddr(source_hardware_addr.0),
                spa: source_protocol_addr,
                tha: MacAddr(target_hardware_addr.0),
                tpa: target_protocol_addr,
            })
        }

        /// The 28 bytes of this packet (smoltcp's `ArpRepr::emit`).
        pub fn to_bytes(&self) -> [u8; LEN] {
            let mut b = [0u8; LEN];
            let repr = ArpRepr::EthernetIpv4 {
                operation: if self.op == REPLY { ArpOperation::Reply } else { ArpOperation::Request },
                source_hardware_addr: EthernetAddress(self.sha.0),
                source_protocol_addr: self.spa,
                target_hardware_addr: EthernetAddress(self.tha.0),
                target_protocol_addr: self.tpa,
            };
            repr.emit(&mut ArpPacket::new_unchecked(&mut b[..]));
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
    fn a_view_checked_before_reads_lengths_and_never_reaches_past_its_bytes() {
        // The header says 84 bytes; only its 20 are there.
        let v = Ipv4::checked_before(&IP_HEADER);
        assert_eq!((v.header().len(), v.packet().len()), (20, 20));
        let mut padded = IP_HEADER.to_vec();
        padded[2..4].copy_from_slice(&20u16.to_be_bytes());
        padded.extend_from_slice(&[0; 6]);
        assert_eq!(Ipv4::checked_before(&padded).packet().len(), 20, "padding cut off");
        for bytes in [&[][..], &[0x4f][..], &[0x45, 0, 0xff, 0xff][..], &IP_HEADER[..12]] {
            let v = Ipv4::checked_before(bytes);
            assert!(v.packet().len() <= bytes.len() && v.header().len() <= v.packet().len(), "{bytes:?}");
            let _ = v.payload();
        }
    }

    #[test]
    fn incremental_update_matches_a_recomputed_checksum() {
        let mut p = IP_HEADER.to_vec();
        let mut x = 0x9e37_79b9u32;
        for _ in 0..2000 {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            let old = u32::from_be_bytes([p[12], p[13], p[14], p[15]]);
            p[12..16].copy_from_slice(&x.to_be_bytes());
            let mut q = p.clone();
            q[10..12].copy_from_slice(&[0, 0]);
            let full = checksum(&q[..20]);
            csum_replace4_at(&mut p, 10, old, x);
            assert_eq!(checksum(&p[..20]), 0, "{x:#x}");
            // The kernel's arithmetic never gives 0xffff, which a recomputation can't either.
            assert_eq!(u16::from_be_bytes([p[10], p[11]]), full, "{x:#x}");
        }
        // A checksum that was wrong stays wrong by as much.
        let mut bad = IP_HEADER.to_vec();
        bad[10] ^= 0x10;
        let before = checksum(&bad[..20]);
        let old = u32::from_be_bytes([bad[16], bad[17], bad[18], bad[19]]);
        bad[16..20].copy_from_slice(&[10, 0, 0, 1]);
        csum_replace4_at(&mut bad, 10, old, u32::from_be_bytes([10, 0, 0, 1]));
        assert_eq!(checksum(&bad[..20]), before);
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
