//! Fragments arriving at a namespace: reassembled for local delivery and answered, or —
//! when the datagram never completes — answered after `ipfrag_time` with "fragment
//! reassembly time exceeded" if its first fragment came, and with nothing if not.

use sim_core::tcpdump::Formatter;
use sim_core::{Filter, Instant, MacAddr, NodeId, PortId, Record};
use sim_nodes::Lab;
use sim_nodes::netns::Netns;
use sim_nodes::wire::{self, Ipv4Fields};
use std::net::Ipv4Addr;

const A: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 1);
const B: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 2);

/// ns1 — ns2 on a veth pair, neighbours pinned; a capture on ns1's end.
fn pair() -> (Lab, NodeId, u32) {
    let mut lab = Lab::new(1);
    lab.netns_add("ns1").unwrap();
    lab.netns_add("ns2").unwrap();
    let root = lab.ns(None).unwrap();
    let ns1 = lab.ns(Some("ns1")).unwrap();
    let ns2 = lab.ns(Some("ns2")).unwrap();
    lab.veth_add(root, "v1", "v2", None).unwrap();
    lab.link_set_netns(root, "v1", ns1).unwrap();
    lab.link_set_netns(root, "v2", ns2).unwrap();
    lab.link_set_address(ns1, "v1", "00:00:5E:00:53:01".parse().unwrap()).unwrap();
    lab.link_set_address(ns2, "v2", "00:00:5E:00:53:02".parse().unwrap()).unwrap();
    lab.link_set_up(ns1, "v1", true).unwrap();
    lab.link_set_up(ns2, "v2", true).unwrap();
    lab.addr_add(ns1, "v1", A, 24, None).unwrap();
    lab.addr_add(ns2, "v2", B, 24, None).unwrap();
    lab.tcpdump(ns1, "v1", Filter::parse("").unwrap(), "", false).unwrap();
    let ix = lab.netns(ns2).iface_by_name("v2").unwrap().ifindex;
    (lab, ns2, ix)
}

/// The fragments of a 2008-byte echo request from A to B, cut for a 1500-byte MTU.
fn echo_fragments() -> Vec<Vec<u8>> {
    let mut icmp = vec![8, 0, 0, 0, 0x12, 0x34, 0, 1];
    icmp.extend((0..2000u32).map(|i| i as u8));
    let c = wire::checksum(&icmp);
    icmp[2..4].copy_from_slice(&c.to_be_bytes());
    let f = Ipv4Fields { src: A, dst: B, proto: 1, ttl: 64, id: 0x4242, df: false, tos: 0 };
    let mut pkt = Vec::new();
    wire::push_ipv4(&mut pkt, &f, icmp.len());
    pkt.extend_from_slice(&icmp);
    // 1480 bytes of payload, then the rest.
    let cut = |from: usize, to: usize, mf: bool| {
        let mut p = pkt[..20].to_vec();
        p.extend_from_slice(&pkt[20 + from..20 + to]);
        let field = (from / 8) as u16 | if mf { wire::IP_MF } else { 0 };
        let len = p.len();
        wire::set_len_frag(&mut p[..20], len, field);
        let mut frame = Vec::new();
        wire::push_ethernet(
            &mut frame,
            "00:00:5E:00:53:02".parse::<MacAddr>().unwrap(),
            "00:00:5E:00:53:01".parse().unwrap(),
            0x0800,
        );
        frame.extend_from_slice(&p);
        frame
    };
    vec![cut(0, 1480, true), cut(1480, 2008, false)]
}

fn deliver(lab: &mut Lab, ns: NodeId, ix: u32, frame: &[u8]) {
    lab.world_mut().with_node::<Netns, _>(ns, |n, cx| {
        use sim_core::Node;
        n.handle_frame(cx, PortId(ix), frame);
    });
}

fn captured(lab: &Lab) -> Vec<(Instant, String)> {
    let mut f = Formatter::default();
    lab.world()
        .trace()
        .records()
        .iter()
        .filter_map(|r| match r {
            Record::Frame { at, bytes, .. } => Some((*at, f.line(at.as_nanos(), bytes))),
            _ => None,
        })
        .collect()
}

#[test]
fn a_fragmented_echo_is_reassembled_and_answered_in_fragments() {
    let (mut lab, ns2, ix) = pair();
    let frags = echo_fragments();
    // In reverse order: reassembly does not care.
    deliver(&mut lab, ns2, ix, &frags[1]);
    deliver(&mut lab, ns2, ix, &frags[0]);
    lab.world_mut().run_until(Instant::from_secs(1)).unwrap();
    let lines: Vec<String> = captured(&lab).into_iter().map(|(_, l)| l).collect();
    let replies: Vec<&String> = lines.iter().filter(|l| l.contains("192.0.2.2 > 192.0.2.1")).collect();
    assert_eq!(replies.len(), 2, "{lines:#?}");
    assert!(replies[0].ends_with("ICMP echo reply, id 4660, seq 1, length 1480"), "{}", replies[0]);
    assert!(replies[1].ends_with("length 562: 192.0.2.2 > 192.0.2.1: ip-proto-1"), "{}", replies[1]);
}

#[test]
fn a_datagram_that_never_completes_times_out_after_ipfrag_time() {
    let (mut lab, ns2, ix) = pair();
    let frags = echo_fragments();
    deliver(&mut lab, ns2, ix, &frags[0]);
    lab.world_mut().run_until(Instant::from_secs(29)).unwrap();
    assert!(captured(&lab).iter().all(|(_, l)| !l.contains(": ICMP ")), "nothing before 30 s");
    lab.world_mut().run_until(Instant::from_secs(31)).unwrap();
    let lines = captured(&lab);
    let icmp: Vec<&(Instant, String)> = lines.iter().filter(|(_, l)| l.contains(": ICMP ")).collect();
    assert_eq!(icmp.len(), 1, "{lines:#?}");
    // ipfrag_time from the first fragment, plus the link to ns1's capture.
    let at = icmp[0].0.as_nanos();
    assert!((30_000_000_000..30_001_000_000).contains(&at), "{at}");
    assert!(
        icmp[0].1.ends_with("192.0.2.2 > 192.0.2.1: ICMP ip reassembly time exceeded, length 556"),
        "{}",
        icmp[0].1
    );
    // The queue is gone: the last fragment alone starts a new one, which times out
    // without a word (its first fragment never came).
    deliver(&mut lab, ns2, ix, &frags[1]);
    lab.world_mut().run_until(Instant::from_secs(100)).unwrap();
    assert_eq!(captured(&lab).iter().filter(|(_, l)| l.contains(": ICMP ")).count(), 1);
}

#[test]
fn ipfrag_time_is_the_sysctl() {
    let (mut lab, ns2, ix) = pair();
    lab.sysctl_set(ns2, "net.ipv4.ipfrag_time", "5").unwrap();
    deliver(&mut lab, ns2, ix, &echo_fragments()[0]);
    lab.world_mut().run_until(Instant::from_secs(10)).unwrap();
    let icmp: Vec<(Instant, String)> = captured(&lab).into_iter().filter(|(_, l)| l.contains(": ICMP ")).collect();
    let at = icmp.first().map(|x| x.0.as_nanos());
    assert!(at.is_some_and(|t| (5_000_000_000..5_001_000_000).contains(&t)), "{at:?}");
}
