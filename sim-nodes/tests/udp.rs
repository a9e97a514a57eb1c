//! UDP datagrams arriving at a socket as `__udp4_lib_rcv` takes them: a checksum that does
//! not add up or a length beyond the packet is counted and dropped, a zero checksum means
//! none, a length shorter than the packet trims it.

use sim_core::{MacAddr, NodeId, PortId};
use sim_nodes::Lab;
use sim_nodes::netns::Netns;
use sim_nodes::sys::{Program, SocketId, Sys};
use sim_nodes::wire::{self, Ipv4Fields};
use std::net::Ipv4Addr;

const A: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 1);
const B: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 2);

/// Binds port 7 and prints each datagram it reads.
#[derive(Debug, Default)]
struct Sink {
    sock: Option<SocketId>,
}

impl Program for Sink {
    fn name(&self) -> &'static str {
        "sink"
    }
    fn start(&mut self, sys: &mut Sys<'_, '_, '_>) {
        self.sock = Some(sys.udp_open(7).expect("port 7 is free"));
    }
    fn on_ready(&mut self, sys: &mut Sys<'_, '_, '_>, sock: SocketId) {
        while let Some((from, data)) = sys.udp_recv(sock) {
            sys.stdout(format!("{from} {}", String::from_utf8_lossy(&data)));
        }
    }
    fn interrupt(&mut self, sys: &mut Sys<'_, '_, '_>) {
        sys.exit(0);
    }
    sim_nodes::any_program!();
}

/// ns1 — ns2 on a veth pair; the sink on ns2; ns2's end's index.
fn pair() -> (Lab, NodeId, u32, u32) {
    let mut lab = Lab::new(1);
    lab.netns_add("ns1").unwrap();
    lab.netns_add("ns2").unwrap();
    let root = lab.ns(None).unwrap();
    let ns1 = lab.ns(Some("ns1")).unwrap();
    let ns2 = lab.ns(Some("ns2")).unwrap();
    lab.veth_add(root, "v1", "v2", None).unwrap();
    lab.link_set_netns(root, "v1", ns1).unwrap();
    lab.link_set_netns(root, "v2", ns2).unwrap();
    lab.link_set_address(ns2, "v2", "00:00:5E:00:53:02".parse().unwrap()).unwrap();
    lab.link_set_up(ns1, "v1", true).unwrap();
    lab.link_set_up(ns2, "v2", true).unwrap();
    lab.addr_add(ns1, "v1", A, 24, None).unwrap();
    lab.addr_add(ns2, "v2", B, 24, None).unwrap();
    let job = lab.spawn(ns2, Box::new(Sink::default()));
    let ix = lab.netns(ns2).iface_by_name("v2").unwrap().ifindex;
    (lab, ns2, ix, job.pid)
}

/// A frame carrying a UDP datagram from A:5000 to B:7; `edit` changes the UDP header and
/// payload after the checksum is made.
fn datagram(payload: &[u8], edit: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    let mut udp = vec![0x13, 0x88, 0, 7];
    udp.extend_from_slice(&((8 + payload.len()) as u16).to_be_bytes());
    udp.extend_from_slice(&[0, 0]);
    udp.extend_from_slice(payload);
    let c = wire::checksum_with(wire::pseudo_header_sum(A, B, 17, udp.len()), &udp);
    udp[6..8].copy_from_slice(&c.to_be_bytes());
    edit(&mut udp);
    let f = Ipv4Fields { src: A, dst: B, proto: 17, ttl: 64, id: 1, df: true, tos: 0 };
    let mut frame = Vec::new();
    wire::push_ethernet(
        &mut frame,
        "00:00:5E:00:53:02".parse::<MacAddr>().unwrap(),
        "00:00:5E:00:53:01".parse().unwrap(),
        0x0800,
    );
    wire::push_ipv4(&mut frame, &f, udp.len());
    frame.extend_from_slice(&udp);
    frame
}

fn deliver(lab: &mut Lab, ns: NodeId, ix: u32, frame: &[u8]) {
    lab.world_mut().with_node::<Netns, _>(ns, |n, cx| {
        use sim_core::Node;
        n.handle_frame(cx, PortId(ix), frame);
    });
}

fn printed(lab: &Lab, pid: u32) -> Vec<String> {
    lab.world()
        .trace()
        .records()
        .iter()
        .filter_map(|r| match r {
            sim_core::Record::Output { pid: p, line, .. } if *p == pid => Some(line.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn bad_checksums_and_lengths_are_dropped_and_counted() {
    let (mut lab, ns2, ix, pid) = pair();
    deliver(&mut lab, ns2, ix, &datagram(b"good", |_| {}));
    deliver(&mut lab, ns2, ix, &datagram(b"flipped", |u| u[8] ^= 1));
    deliver(&mut lab, ns2, ix, &datagram(b"none", |u| u[6..8].copy_from_slice(&[0, 0])));
    deliver(&mut lab, ns2, ix, &datagram(b"too long", |u| u[4..6].copy_from_slice(&100u16.to_be_bytes())));
    deliver(
        &mut lab,
        ns2,
        ix,
        &datagram(b"cut", |u| {
            // The UDP length says 3 bytes of payload; what follows is padding.
            u[4..6].copy_from_slice(&11u16.to_be_bytes());
            u.extend_from_slice(b"PAD");
            u[6..8].copy_from_slice(&[0, 0]);
        }),
    );
    assert_eq!(printed(&lab, pid), ["192.0.2.1:5000 good", "192.0.2.1:5000 none", "192.0.2.1:5000 cut"]);
    assert_eq!(lab.netns(ns2).counters().rx_malformed, 2);
}
