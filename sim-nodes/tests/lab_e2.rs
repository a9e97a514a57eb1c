//! E2 at the `Lab` level: two namespaces on a veth pair, a ping, the capture on ns1-veth0.

use sim_core::tcpdump::Formatter;
use sim_core::{Filter, Instant, Record};
use sim_nodes::Lab;
use sim_nodes::proc::{Bind, Ping, PingArgs};

fn e2() -> (Lab, sim_core::CaptureId) {
    let mut lab = Lab::new(1);
    lab.netns_add("ns1").unwrap();
    lab.netns_add("ns2").unwrap();
    let root = lab.ns(None).unwrap();
    let ns1 = lab.ns(Some("ns1")).unwrap();
    let ns2 = lab.ns(Some("ns2")).unwrap();
    lab.veth_add(root, "ns1-veth0", "ns2-veth0", None).unwrap();
    lab.link_set_netns(root, "ns1-veth0", ns1).unwrap();
    lab.link_set_netns(root, "ns2-veth0", ns2).unwrap();
    lab.link_set_up(ns1, "ns1-veth0", true).unwrap();
    lab.link_set_up(ns2, "ns2-veth0", true).unwrap();
    lab.addr_add(ns1, "ns1-veth0", "192.0.2.1".parse().unwrap(), 24, None).unwrap();
    lab.addr_add(ns2, "ns2-veth0", "192.0.2.2".parse().unwrap(), 24, None).unwrap();
    lab.link_set_address(ns1, "ns1-veth0", "00:00:5E:00:53:01".parse().unwrap()).unwrap();
    lab.link_set_address(ns2, "ns2-veth0", "00:00:5E:00:53:02".parse().unwrap()).unwrap();
    let (_job, cap) =
        lab.tcpdump(ns1, "ns1-veth0", Filter::parse("icmp or arp").unwrap(), "icmp or arp", false).unwrap();
    (lab, cap)
}

#[test]
fn e2_capture_matches_the_kernel() {
    let (mut lab, _cap) = e2();
    let ns1 = lab.ns(Some("ns1")).unwrap();
    let mut args = PingArgs::new("192.0.2.2".parse::<std::net::Ipv4Addr>().unwrap());
    args.count = Some(3);
    args.bind = Some(Bind::Addr("192.0.2.1".parse().unwrap()));
    let job = lab.spawn(ns1, Box::new(Ping::new(args)));
    lab.world_mut().run_while(Instant::from_secs(60), |_| true).unwrap();
    assert!(!lab.is_running(job));
    let mut f = Formatter::default();
    let mut lines = vec![];
    let mut out = vec![];
    for r in lab.world().trace().records() {
        match r {
            Record::Frame { at, bytes, .. } => lines.push(format!("{} {}", at, f.line(at.as_nanos(), bytes))),
            Record::Output { line, .. } => out.push(line.clone()),
            _ => {}
        }
    }
    // tcpdump's own two header lines come first in the output.
    let out: Vec<String> = out.into_iter().skip(2).collect();
    assert_eq!(lines.len(), 10, "{lines:#?}");
    assert!(lines[0].ends_with("00:00:5e:00:53:01 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 192.0.2.2 tell 192.0.2.1, length 28"));
    assert!(lines[8].ends_with("00:00:5e:00:53:02 > 00:00:5e:00:53:01, ethertype ARP (0x0806), length 42: Request who-has 192.0.2.1 tell 192.0.2.2, length 28"));
    assert!(lines[8].starts_with("5.0"), "{}", lines[8]);
    // The first echo waits for ARP: two more 10 µs hops, as the kernel's first RTT is longer.
    assert_eq!(out[1], "64 bytes from 192.0.2.2: icmp_seq=1 ttl=64 time=0.040 ms");
    assert_eq!(out[2], "64 bytes from 192.0.2.2: icmp_seq=2 ttl=64 time=0.020 ms");
    assert_eq!(out[6], "3 packets transmitted, 3 received, 0% packet loss, time 2000ms");
    assert_eq!(out[7], "rtt min/avg/max/mdev = 0.020/0.026/0.040/0.009 ms");
    assert_eq!(
        lab.link_show(ns1, Some("ns1-veth0")).unwrap()[0],
        "3: ns1-veth0@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000"
    );
    assert_eq!(
        lab.route_show(ns1, None).unwrap(),
        ["192.0.2.0/24 dev ns1-veth0 proto kernel scope link src 192.0.2.1 "]
    );
}
