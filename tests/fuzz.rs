//! Nothing panics on input: random text into both front ends, random and mutated frames into
//! a namespace (which must count and drop what it cannot take).

use nslab::scenarios;
use nslab::sim_core::{Node, PortId};
use nslab::sim_nodes::{Lab, Netns};
use proptest::prelude::*;

const WORDS: &[&str] = &[
    "ip",
    "netns",
    "exec",
    "add",
    "del",
    "link",
    "set",
    "up",
    "down",
    "addr",
    "route",
    "default",
    "via",
    "dev",
    "neigh",
    "flush",
    "all",
    "type",
    "veth",
    "peer",
    "name",
    "ping",
    "-c",
    "-I",
    "-i",
    "-W",
    "tcpdump",
    "-tnel",
    "icmp",
    "or",
    "arp",
    "&",
    "|",
    "grep",
    "sysctl",
    "-w",
    "net.ipv4.ip_forward=1",
    "sleep",
    "kill",
    "%1",
    "wait",
    "ns1",
    "ns2",
    "192.0.2.1/24",
    "192.0.2.254",
    "lo",
    "$ ",
    "#>",
    "#!",
    "exit:",
    "'",
    "\"",
    "\\",
    "(",
    ")",
    "\n",
    "10.0.0.0/8",
    "address",
    "00:00:5e:00:53:01",
    "mtu",
    "1500",
];

fn script() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(WORDS), 0..40).prop_map(|w| w.join(" "))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn script_front_end_never_panics(text in script()) {
        if let Ok(sc) = scenarios::front::script::parse("f.sh", &text) {
            let _ = scenarios::run::sim::run("f.sh", &text, &sc, &scenarios::run::sim::RunOptions { dry_run: true, ..Default::default() });
        }
    }

    #[test]
    fn arbitrary_text_never_panics(text in ".{0,300}") {
        let _ = scenarios::front::script::parse("f.sh", &text);
        let _ = scenarios::front::ron::parse("f.ron", &text);
    }

    #[test]
    fn ron_front_end_never_panics(text in "\\(steps: \\[\\(run: [A-Za-z]{1,10}\\([a-z]{0,6}: [\"0-9a-z./:]{0,20}\\)\\)[,\\]\\) ]{0,4}") {
        let _ = scenarios::front::ron::parse("f.ron", &text);
    }

    #[test]
    fn random_frames_are_counted_and_dropped(frames in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..200), 1..50)) {
        let (mut lab, node, port) = host();
        for f in &frames {
            lab.world_mut().with_node::<Netns, _>(node, |n, cx| n.handle_frame(cx, port, f));
        }
        lab.world_mut().run_until(nslab::sim_core::Instant::from_secs(30)).unwrap();
    }

    #[test]
    fn mutated_valid_frames_never_panic(which in 0usize..4, flips in prop::collection::vec((0usize..120, any::<u8>()), 1..6), cut in 0usize..120) {
        let (mut lab, node, port) = host();
        let mut f = valid_frames()[which].clone();
        for (at, v) in flips {
            if at < f.len() {
                f[at] = v;
            }
        }
        f.truncate(cut.max(1));
        lab.world_mut().with_node::<Netns, _>(node, |n, cx| n.handle_frame(cx, port, &f));
        lab.world_mut().run_until(nslab::sim_core::Instant::from_secs(30)).unwrap();
    }
}

/// A namespace with one up veth end at 192.0.2.1/24 (MAC 00:00:5e:00:53:01), lo up.
fn host() -> (Lab, nslab::sim_core::NodeId, PortId) {
    let mut lab = Lab::new(9);
    lab.netns_add("h").unwrap();
    let h = lab.ns(Some("h")).unwrap();
    lab.veth_add(h, "v0", "v1", None).unwrap();
    lab.link_set_address(h, "v0", "00:00:5e:00:53:01".parse().unwrap()).unwrap();
    lab.link_set_up(h, "v0", true).unwrap();
    lab.link_set_up(h, "v1", true).unwrap();
    lab.link_set_up(h, "lo", true).unwrap();
    lab.addr_add(h, "v0", "192.0.2.1".parse().unwrap(), 24, None).unwrap();
    lab.sysctl_set(h, "net.ipv4.ip_forward", "1").unwrap();
    let ix = lab.dev_index(h, "v0").unwrap();
    (lab, h, PortId(ix))
}

fn valid_frames() -> Vec<Vec<u8>> {
    let mac = [0, 0, 0x5e, 0, 0x53, 1];
    let peer = [0, 0, 0x5e, 0, 0x53, 2];
    let mut arp = vec![0xff; 6];
    arp.extend(peer);
    arp.extend([8, 6, 0, 1, 8, 0, 6, 4, 0, 1]);
    arp.extend(peer);
    arp.extend([192, 0, 2, 2, 0, 0, 0, 0, 0, 0, 192, 0, 2, 1]);
    let ip = |proto: u8, dst: [u8; 4], payload: &[u8]| {
        let mut f = mac.to_vec();
        f.extend(peer);
        f.extend([8, 0]);
        let len = (20 + payload.len()) as u16;
        let mut h = vec![0x45, 0];
        h.extend(len.to_be_bytes());
        h.extend([0, 1, 0, 0, 2, proto, 0, 0, 192, 0, 2, 2]);
        h.extend(dst);
        let c = nslab::sim_nodes::wire::checksum(&h);
        h[10..12].copy_from_slice(&c.to_be_bytes());
        f.extend(h);
        f.extend(payload);
        f
    };
    let mut echo = vec![8, 0, 0, 0, 0, 7, 0, 1];
    echo.extend([0xab; 32]);
    let c = nslab::sim_nodes::wire::checksum(&echo);
    echo[2..4].copy_from_slice(&c.to_be_bytes());
    vec![
        arp,
        ip(1, [192, 0, 2, 1], &echo),
        ip(17, [192, 0, 2, 1], &[0, 1, 0, 2, 0, 9, 0, 0, 1]),
        ip(1, [10, 0, 0, 1], &echo),
    ]
}

#[test]
fn malformed_frames_are_counted() {
    let (mut lab, node, port) = host();
    for f in [&[][..], &[1, 2, 3][..], &[0u8; 13][..]] {
        lab.world_mut().with_node::<Netns, _>(node, |n, cx| n.handle_frame(cx, port, f));
    }
    let mut bad_ip = valid_frames()[1].clone();
    bad_ip[14 + 10] ^= 0xff;
    lab.world_mut().with_node::<Netns, _>(node, |n, cx| n.handle_frame(cx, port, &bad_ip));
    let n = lab.netns(node);
    assert_eq!(n.counters().rx_malformed, 4, "three runts and one bad checksum");
    let drops: Vec<&str> = lab
        .world()
        .trace()
        .records()
        .iter()
        .filter_map(|r| if let nslab::sim_core::Record::Drop { reason, .. } = r { Some(*reason) } else { None })
        .collect();
    assert!(drops.contains(&"runt frame") && drops.contains(&"bad ip checksum"), "{drops:?}");
}
