//! Criterion benchmarks of bridging (timings are reported, never asserted).
//!
//! - `bridge/1000_ports`: frames through one bridge with 1,000 ports whose FDB has learned
//!   every host; each element is one frame forwarded from one port to another and received.
//! - `bridge/chain_of_10`: frames across a chain of 10 bridges (each in its own namespace,
//!   joined by veth pairs), tables learned; each element is one frame end to end (10 bridge
//!   decisions, 11 veth hops).
//!
//! Frames are ARP requests for an address nobody holds, so receivers drop them without
//! answering and the measurement is the switching path alone. The labs' IPv6 is off
//! (`Lab::set_ipv6(false)`): with it on, each host coming up floods its MLD reports, DAD
//! probe and router solicitation to every port (as Linux's bridge does without a querier),
//! a million frames for 1,000 ports, which is `setup/bridge_hosts_ipv6`'s measure, not
//! this one's.

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use nslab::sim_core::{Duration, MacAddr, Node, NodeId, PortId};
use nslab::sim_nodes::{Lab, Netns};

fn mac(i: u32) -> MacAddr {
    let b = i.to_be_bytes();
    MacAddr([0x02, 0, b[0], b[1], b[2], b[3]])
}

fn arp_frame(dst: MacAddr, src: MacAddr) -> Vec<u8> {
    let mut f = Vec::with_capacity(42);
    f.extend(dst.0);
    f.extend(src.0);
    f.extend([0x08, 0x06, 0, 1, 8, 0, 6, 4, 0, 1]);
    f.extend(src.0);
    f.extend([10, 255, 0, 1, 0, 0, 0, 0, 0, 0, 10, 255, 0, 2]);
    f
}

struct Star {
    lab: Lab,
    sw: NodeId,
    ports: Vec<u32>,
}

const PORTS: u32 = 1000;

fn star() -> Star {
    let mut lab = Lab::new(7);
    lab.set_ipv6(false);
    lab.netns_add("sw").unwrap();
    lab.netns_add("hosts").unwrap();
    let sw = lab.ns(Some("sw")).unwrap();
    let hosts = lab.ns(Some("hosts")).unwrap();
    lab.bridge_add(sw, "br0").unwrap();
    lab.link_set_up(sw, "br0", true).unwrap();
    let mut ports = Vec::new();
    for i in 0..PORTS {
        let (p, h) = (format!("p{i}"), format!("h{i}"));
        lab.veth_add(sw, &p, &h, Some(hosts)).unwrap();
        lab.link_set_address(hosts, &h, mac(i)).unwrap();
        lab.link_set_master(sw, &p, Some("br0")).unwrap();
        lab.link_set_up(sw, &p, true).unwrap();
        lab.link_set_up(hosts, &h, true).unwrap();
        ports.push(lab.dev_index(sw, &p).unwrap());
    }
    let mut s = Star { lab, sw, ports };
    // Learn every host: one frame from each, flooded and delivered before measuring (each
    // flood delivered before the next, or a million frames in flight would meet the
    // engine's queue ceiling).
    for i in 0..PORTS {
        let f = arp_frame(MacAddr::BROADCAST, mac(i));
        inject(&mut s, i, &f);
        let t = s.lab.world().now() + Duration::from_micros(20);
        s.lab.world_mut().run_until(t).unwrap();
    }
    let t = s.lab.world().now() + Duration::from_millis(1);
    s.lab.world_mut().run_until(t).unwrap();
    s
}

fn inject(s: &mut Star, from: u32, frame: &[u8]) {
    let port = PortId(s.ports[from as usize]);
    s.lab.world_mut().with_node::<Netns, _>(s.sw, |n, cx| n.handle_frame(cx, port, frame));
}

fn one_bridge(c: &mut Criterion) {
    let mut g = c.benchmark_group("bridge");
    const FRAMES: u32 = 10_000;
    g.throughput(Throughput::Elements(u64::from(FRAMES)));
    g.sample_size(20);
    let frames: Vec<(u32, Vec<u8>)> = (0..FRAMES)
        .map(|k| {
            let i = (k * 7919) % PORTS;
            let j = (k * 104_729 + 1) % PORTS;
            let j = if j == i { (j + 1) % PORTS } else { j };
            (i, arp_frame(mac(j), mac(i)))
        })
        .collect();
    g.bench_function("1000_ports", |b| {
        b.iter_batched(
            star,
            |mut s| {
                for (i, f) in &frames {
                    inject(&mut s, *i, f);
                }
                let t = s.lab.world().now() + Duration::from_millis(1);
                s.lab.world_mut().run_until(t).unwrap();
                s
            },
            BatchSize::LargeInput,
        )
    });
    g.finish();
}

struct Chain {
    lab: Lab,
    a: NodeId,
    a_port: PortId,
    b: NodeId,
    b_port: PortId,
}

fn chain() -> Chain {
    const N: usize = 10;
    let mut lab = Lab::new(8);
    lab.set_ipv6(false);
    lab.netns_add("a").unwrap();
    lab.netns_add("b").unwrap();
    for k in 0..N {
        let ns = format!("s{k}");
        lab.netns_add(&ns).unwrap();
        let n = lab.ns(Some(&ns)).unwrap();
        lab.bridge_add(n, "br").unwrap();
        lab.link_set_up(n, "br", true).unwrap();
    }
    // a - s0 - s1 - … - s9 - b
    let ends: Vec<String> = std::iter::once("a".to_string())
        .chain((0..N).map(|k| format!("s{k}")))
        .chain(std::iter::once("b".to_string()))
        .collect();
    for w in ends.windows(2) {
        let (l, r) = (lab.ns(Some(&w[0])).unwrap(), lab.ns(Some(&w[1])).unwrap());
        let (ln, rn) = (format!("to-{}", w[1]), format!("to-{}", w[0]));
        lab.veth_add(l, &ln, &rn, Some(r)).unwrap();
        for (n, d) in [(l, &ln), (r, &rn)] {
            if lab.netns_name(n).is_some_and(|x| x.starts_with('s')) {
                lab.link_set_master(n, d, Some("br")).unwrap();
            }
            lab.link_set_up(n, d, true).unwrap();
        }
    }
    let a = lab.ns(Some("a")).unwrap();
    let b = lab.ns(Some("b")).unwrap();
    let a_port = PortId(lab.dev_index(a, "to-s0").unwrap());
    let b_port = PortId(lab.dev_index(b, "to-s9").unwrap());
    let mut c = Chain { lab, a, a_port, b, b_port };
    let (ma, mb) = (c.lab.netns(a).iface(a_port.0).unwrap().mac, c.lab.netns(b).iface(b_port.0).unwrap().mac);
    // Teach every bridge where b is.
    send(&mut c, false, &arp_frame(MacAddr::BROADCAST, mb));
    send(&mut c, true, &arp_frame(MacAddr::BROADCAST, ma));
    c
}

fn send(c: &mut Chain, from_a: bool, frame: &[u8]) {
    let (n, p) = if from_a { (c.a, c.a_port) } else { (c.b, c.b_port) };
    c.lab.world_mut().with_node::<Netns, _>(n, |_, cx| cx.send(p, frame));
    let t = c.lab.world().now() + Duration::from_millis(1);
    c.lab.world_mut().run_until(t).unwrap();
}

fn chain_of_10(c: &mut Criterion) {
    let mut g = c.benchmark_group("bridge");
    const FRAMES: u64 = 2_000;
    g.throughput(Throughput::Elements(FRAMES));
    g.sample_size(20);
    g.bench_function("chain_of_10", |bch| {
        bch.iter_batched(
            || {
                let c = chain();
                let ma = c.lab.netns(c.a).iface(c.a_port.0).unwrap().mac;
                let mb = c.lab.netns(c.b).iface(c.b_port.0).unwrap().mac;
                (c, arp_frame(mb, ma))
            },
            |(mut c, f)| {
                for _ in 0..FRAMES {
                    let (n, p) = (c.a, c.a_port);
                    c.lab.world_mut().with_node::<Netns, _>(n, |_, cx| cx.send(p, &f));
                }
                let t = c.lab.world().now() + Duration::from_millis(10);
                c.lab.world_mut().run_until(t).unwrap();
                c
            },
            BatchSize::LargeInput,
        )
    });
    g.finish();
}

criterion_group!(benches, one_bridge, chain_of_10);
criterion_main!(benches);
