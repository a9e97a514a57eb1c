//! The pcapng writer: captures to a file Wireshark and `tcpdump -r` read.
//!
//! One Interface Description Block per captured interface, named `namespace/interface`
//! with nanosecond timestamps (`if_tsresol` = 9), then one Enhanced Packet Block per frame
//! with its direction in `epb_flags`; and the classic pcap file `tcpdump -w` writes (one
//! interface, microsecond timestamps). Timestamps are `epoch` (ns since 1970: the sim's
//! clock, `sim_nodes::clock::EPOCH`, or a kernel run's start) plus the frame's time, so
//! they read as the transcript's and the tools' dates do. The byte order is fixed (little
//! endian) so the file is byte-identical on every machine.

use crate::capture::Direction;
use crate::time::Instant;
use pcap_file::pcapng::PcapNgWriter;
use pcap_file::pcapng::blocks::enhanced_packet::{EnhancedPacketBlock, EnhancedPacketOption};
use pcap_file::pcapng::blocks::interface_description::{InterfaceDescriptionBlock, InterfaceDescriptionOption};
use pcap_file::{DataLink, Endianness};
use std::borrow::Cow;

/// An interface as the file describes it.
#[derive(Clone, Debug)]
pub struct Interface {
    /// `if_name`: `namespace/interface`.
    pub name: String,
    /// `if_filter`: the capture filter, if any.
    pub filter: Option<String>,
    /// A capture of `any`: its packets are Linux cooked frames (`LINUX_SLL2`), not Ethernet.
    pub cooked: bool,
}

fn link_type(cooked: bool) -> DataLink {
    if cooked { DataLink::LINUX_SLL2 } else { DataLink::ETHERNET }
}

/// A frame for the file.
#[derive(Clone, Copy, Debug)]
pub struct Packet<'a> {
    /// Index into the interface list.
    pub interface: u32,
    /// When the frame was seen.
    pub at: Instant,
    /// Received or sent.
    pub dir: Direction,
    /// The frame.
    pub bytes: &'a [u8],
}

/// Why the file could not be built.
#[derive(Debug, thiserror::Error)]
#[error("pcapng: {0}")]
pub struct PcapngError(String);

/// Writes a whole pcapng file into memory; `epoch` (ns since 1970) is time zero.
pub fn write<'a>(
    interfaces: &[Interface],
    packets: impl IntoIterator<Item = Packet<'a>>,
    epoch: u64,
) -> Result<Vec<u8>, PcapngError> {
    let mut w =
        PcapNgWriter::with_endianness(Vec::new(), Endianness::Little).map_err(|e| PcapngError(e.to_string()))?;
    for i in interfaces {
        let mut options = vec![
            InterfaceDescriptionOption::IfName(Cow::Owned(i.name.clone())),
            InterfaceDescriptionOption::IfTsResol(9),
        ];
        if let Some(f) = &i.filter {
            // if_filter: first byte 0 = libpcap filter string.
            let mut b = vec![0u8];
            b.extend_from_slice(f.as_bytes());
            options.push(InterfaceDescriptionOption::IfFilter(Cow::Owned(b)));
        }
        let idb = InterfaceDescriptionBlock { linktype: link_type(i.cooked), snaplen: 262144, options };
        w.write_pcapng_block(idb).map_err(|e| PcapngError(e.to_string()))?;
    }
    for p in packets {
        let flags = match p.dir {
            Direction::In => 1,
            Direction::Out => 2,
        };
        let epb = EnhancedPacketBlock {
            interface_id: p.interface,
            timestamp: std::time::Duration::from_nanos(epoch.saturating_add(p.at.as_nanos())),
            original_len: p.bytes.len() as u32,
            data: Cow::Borrowed(p.bytes),
            options: vec![EnhancedPacketOption::Flags(flags)],
        };
        w.write_pcapng_block(epb).map_err(|e| PcapngError(e.to_string()))?;
    }
    Ok(w.into_inner())
}

/// Writes a classic pcap file into memory, as `tcpdump -w` does: Ethernet (`LINUX_SLL2`
/// when `cooked`), snaplen 262144, microsecond timestamps from `epoch` (ns since 1970). The
/// interface field of each packet is ignored (the file has one).
pub fn write_pcap<'a>(
    packets: impl IntoIterator<Item = Packet<'a>>,
    cooked: bool,
    epoch: u64,
) -> Result<Vec<u8>, PcapngError> {
    use pcap_file::pcap::{PcapHeader, PcapPacket, PcapWriter};
    let header = PcapHeader {
        version_major: 2,
        version_minor: 4,
        ts_correction: 0,
        ts_accuracy: 0,
        snaplen: 262144,
        datalink: link_type(cooked),
        ts_resolution: pcap_file::TsResolution::MicroSecond,
        endianness: Endianness::Little,
    };
    let mut w = PcapWriter::with_header(Vec::new(), header).map_err(|e| PcapngError(e.to_string()))?;
    for p in packets {
        let micros = epoch.saturating_add(p.at.as_nanos()) / 1_000;
        let pkt = PcapPacket::new(std::time::Duration::from_micros(micros), p.bytes.len() as u32, p.bytes);
        w.write_packet(&pkt).map_err(|e| PcapngError(e.to_string()))?;
    }
    Ok(w.into_writer())
}

#[cfg(test)]
mod tests {
    use super::*;
    use pcap_file::pcapng::{Block, PcapNgReader};

    #[test]
    fn round_trips_through_a_reader() {
        let ifs = [
            Interface { name: "ns1/ns1-veth0".into(), filter: Some("icmp or arp".into()), cooked: false },
            Interface { name: "router/gw-veth0".into(), filter: None, cooked: false },
        ];
        let f1 = [1u8; 60];
        let f2 = [2u8; 42];
        let bytes = write(
            &ifs,
            [
                Packet { interface: 0, at: Instant::from_nanos(1_500), dir: Direction::Out, bytes: &f1 },
                Packet { interface: 1, at: Instant::from_nanos(2_000_000_001), dir: Direction::In, bytes: &f2 },
            ],
            EPOCH,
        )
        .unwrap();
        let mut r = PcapNgReader::new(&bytes[..]).unwrap();
        let mut names = vec![];
        let mut frames = vec![];
        while let Some(b) = r.next_block() {
            match b.unwrap() {
                Block::InterfaceDescription(i) => names.extend(i.options.iter().filter_map(|o| match o {
                    InterfaceDescriptionOption::IfName(n) => Some(n.to_string()),
                    _ => None,
                })),
                Block::EnhancedPacket(p) => frames.push((p.interface_id, p.timestamp.as_nanos(), p.data.len())),
                _ => {}
            }
        }
        assert_eq!(names, ["ns1/ns1-veth0", "router/gw-veth0"]);
        let at = |ns: u128| u128::from(EPOCH) + ns;
        assert_eq!(frames, [(0, at(1_500), 60), (1, at(2_000_000_001), 42)]);
    }

    /// 2026-11-22 00:00:00 UTC in ns: the sim's clock at virtual time zero.
    const EPOCH: u64 = 1_795_305_600_000_000_000;

    #[test]
    fn a_classic_pcap_is_what_tcpdump_writes() {
        use pcap_file::pcap::PcapReader;
        let f = [3u8; 60];
        let p = Packet { interface: 0, at: Instant::from_nanos(1_234_567), dir: Direction::In, bytes: &f };
        let bytes = write_pcap([p], false, EPOCH).unwrap();
        // The magic of microsecond pcap, little endian; version 2.4; Ethernet.
        assert_eq!(&bytes[..8], &[0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0]);
        assert_eq!(u32::from_le_bytes(bytes[20..24].try_into().unwrap()), 1);
        let mut r = PcapReader::new(&bytes[..]).unwrap();
        let pkt = r.next_packet().unwrap().unwrap();
        assert_eq!(pkt.timestamp.as_micros(), u128::from(EPOCH / 1_000) + 1_234);
        assert_eq!(pkt.data.len(), 60);
    }
}
