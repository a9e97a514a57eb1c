//! Criterion benchmarks of the engine (timings are reported, never asserted).
//!
//! - `queue/steady_1e4`: the bare `(time, seq)` event queue holding 10,000 pending events;
//!   each element is one pop plus one push.
//! - `ping_flood/e3_router`: a ping flood from ns1 to ns2 across E3's router (ARP already
//!   resolved); each element is one frame crossing one veth hop (4 per echo round trip).

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use nslab::sim_core::queue::EventQueue;
use nslab::sim_core::{Duration, Instant};
use nslab::sim_nodes::Lab;
use nslab::sim_nodes::proc::{Ping, PingArgs};
use std::hint::black_box;

fn queue(c: &mut Criterion) {
    let mut g = c.benchmark_group("queue");
    const OPS: u64 = 10_000;
    g.throughput(Throughput::Elements(OPS));
    g.bench_function("steady_1e4", |b| {
        let mut q = EventQueue::with_capacity(10_001);
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for i in 0..10_000u64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            q.push(Instant::from_nanos(x % 1_000_000), i);
        }
        b.iter(|| {
            for _ in 0..OPS {
                let (t, e) = q.pop().unwrap();
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                q.push(t + Duration::from_nanos(x % 1_000_000), black_box(e));
            }
        });
    });
    g.finish();
}

/// E3's topology with forwarding on and ARP resolved on every segment.
fn e3() -> Lab {
    let mut lab = Lab::new(3);
    for n in ["ns1", "ns2", "router"] {
        lab.netns_add(n).unwrap();
    }
    let (root, ns1, ns2, r) = (
        lab.ns(None).unwrap(),
        lab.ns(Some("ns1")).unwrap(),
        lab.ns(Some("ns2")).unwrap(),
        lab.ns(Some("router")).unwrap(),
    );
    lab.veth_add(root, "ns1-veth0", "gw-veth0", None).unwrap();
    lab.veth_add(root, "ns2-veth0", "gw-veth1", None).unwrap();
    for (d, n) in [("ns1-veth0", ns1), ("gw-veth0", r), ("ns2-veth0", ns2), ("gw-veth1", r)] {
        lab.link_set_netns(root, d, n).unwrap();
        lab.link_set_up(n, d, true).unwrap();
    }
    let a = |s: &str| s.parse().unwrap();
    lab.addr_add(ns1, "ns1-veth0", a("192.0.2.1"), 24, None).unwrap();
    lab.addr_add(r, "gw-veth0", a("192.0.2.254"), 24, None).unwrap();
    lab.addr_add(ns2, "ns2-veth0", a("198.51.100.1"), 24, None).unwrap();
    lab.addr_add(r, "gw-veth1", a("198.51.100.254"), 24, None).unwrap();
    lab.route_add(ns1, a("0.0.0.0"), 0, Some(a("192.0.2.254")), None, 0, None, Default::default(), false).unwrap();
    lab.route_add(ns2, a("0.0.0.0"), 0, Some(a("198.51.100.254")), None, 0, None, Default::default(), false).unwrap();
    lab.sysctl_set(r, "net.ipv4.ip_forward", "1").unwrap();
    flood(&mut lab, 1);
    lab
}

fn flood(lab: &mut Lab, count: u32) {
    let ns1 = lab.ns(Some("ns1")).unwrap();
    let mut args = PingArgs::new("198.51.100.1".parse::<std::net::Ipv4Addr>().unwrap());
    args.count = Some(count);
    args.interval = Duration::from_micros(100);
    args.quiet = true;
    let job = lab.spawn(ns1, Box::new(Ping::new(args)));
    let limit = lab.world().now() + Duration::from_secs(3600);
    lab.world_mut().run_while(limit, |w| w.node::<nslab::sim_nodes::Netns>(job.node).is_running(job.pid)).unwrap();
}

fn ping_flood(c: &mut Criterion) {
    let mut g = c.benchmark_group("ping_flood");
    const PINGS: u32 = 2_000;
    g.throughput(Throughput::Elements(u64::from(PINGS) * 4));
    g.sample_size(30);
    g.bench_function("e3_router", |b| b.iter_batched(e3, |mut lab| flood(&mut lab, PINGS), BatchSize::LargeInput));
    g.finish();
}

criterion_group!(benches, queue, ping_flood);
criterion_main!(benches);
