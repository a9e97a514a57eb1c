//! Criterion benchmarks of routing at scale (timings are reported, never asserted); each
//! at three sizes, so the slope shows.
//!
//! - `routing/line/N` (N = 1, 4, 16 routers): a ping flood from one end of a line of N
//!   routers to the other (ARP resolved, static routes both ways); each element is one
//!   frame crossing one veth hop, `2·(N+1)` per echo round trip. The cost of a hop should
//!   not grow with the line.
//! - `routing/line6/N` (N = 1, 4, 16 routers): the same line over IPv6 (2001:db8:k::/64,
//!   `net.ipv6.conf.all.forwarding`, `ping -6`): a frame-hop there should cost what it
//!   costs over IPv4 (issue 15: within 20%).
//! - `routing/table/R` (R = 10, 1000, 10000 routes): E3's ping flood across a router whose
//!   table holds R more routes (/32s, /24s and /16s elsewhere); each element is a frame-hop,
//!   4 per round trip. The cost of a lookup should not grow with the table.
//! - `routing/table6/R` (R = 10, 1000, 10000 routes): the same over IPv6 (E3 as
//!   `line6(1)`), the router's table holding R more routes (/128s, /64s and /48s elsewhere).
//! - `routing/table6_add/R` (R = 10, 1000, 10000 routes): `ip -6 route add` of R such routes
//!   through a neighbour; each element is one route added. The cost of an add should not
//!   grow with the table.
//! - `routing/nat_line/N` (N = 1, 2, 4 routers): the IPv4 line with every router
//!   masquerading out of its right interface (`iptables -t nat -A POSTROUTING -o … -j
//!   MASQUERADE`), as E13's NATs behind NATs: each echo is tracked and rewritten by every
//!   router both ways. Frame-hops through NAT (issue 14 asks ≥ 3 M a CPU-second).

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use nslab::sim_core::Duration;
use nslab::sim_nodes::proc::{Ping, PingArgs};
use nslab::sim_nodes::{Lab, Netns};
use std::net::Ipv4Addr;

const PINGS: u32 = 1_000;

fn ip(s: &str) -> Ipv4Addr {
    s.parse().expect("address")
}

fn route(lab: &mut Lab, ns: &str, dst: Ipv4Addr, prefix: u8, via: Ipv4Addr) {
    let node = lab.ns(Some(ns)).expect("namespace");
    lab.route_add(node, dst, prefix, Some(via), None, 0, None, Default::default(), false).expect("route");
}

/// `ns0 — r1 — … — rN — end`, joined by veth pairs that are up: the lab, and the
/// namespaces' names in the line's order (segment `k` joins the `k`th and the next).
fn bare_line(n: u32) -> (Lab, Vec<String>) {
    let mut lab = Lab::new(5);
    let names: Vec<String> =
        std::iter::once("ns0".to_string()).chain((1..=n).map(|i| format!("r{i}"))).chain(["end".into()]).collect();
    for name in &names {
        lab.netns_add(name).expect("netns");
    }
    for (k, pair) in names.windows(2).enumerate() {
        let (l, r) = (lab.ns(Some(&pair[0])).expect("l"), lab.ns(Some(&pair[1])).expect("r"));
        let (dl, dr) = (format!("s{k}l"), format!("s{k}r"));
        lab.veth_add(l, &dl, &dr, Some(r)).expect("veth");
        lab.link_set_up(l, &dl, true).expect("up");
        lab.link_set_up(r, &dr, true).expect("up");
    }
    (lab, names)
}

/// [`bare_line`] over IPv4: segment `k` is 10.k.0.0/24, `.1` on its left, `.2` on its
/// right; every router knows both ends.
fn line(n: u32) -> Lab {
    let (mut lab, names) = bare_line(n);
    for k in 0..=n as usize {
        let (l, r) = (lab.ns(Some(&names[k])).expect("l"), lab.ns(Some(&names[k + 1])).expect("r"));
        lab.addr_add(l, &format!("s{k}l"), ip(&format!("10.{k}.0.1")), 24, None).expect("addr");
        lab.addr_add(r, &format!("s{k}r"), ip(&format!("10.{k}.0.2")), 24, None).expect("addr");
    }
    let last = n as usize; // the segment that reaches `end`
    for (i, name) in names.iter().enumerate() {
        if i > 0 && i < names.len() - 1 {
            let node = lab.ns(Some(name)).expect("router");
            lab.sysctl_set(node, "net.ipv4.ip_forward", "1").expect("forwarding");
        }
        // Towards `end` through the right neighbour, towards ns0 through the left one.
        if i < last {
            route(&mut lab, name, ip(&format!("10.{last}.0.0")), 24, ip(&format!("10.{i}.0.2")));
        }
        if i > 1 {
            route(&mut lab, name, ip("10.0.0.0"), 24, ip(&format!("10.{}.0.1", i - 1)));
        }
    }
    flood(&mut lab, "ns0", ip(&format!("10.{last}.0.2")), 1);
    lab
}

/// [`bare_line`] over IPv6: segment `k` is 2001:db8:k::/64, `::1` on its left, `::2` on
/// its right (without DAD, so that they are usable at once).
fn line6(n: u32) -> Lab {
    let (mut lab, names) = bare_line(n);
    for k in 0..=n {
        let (l, r) = (lab.ns(Some(&names[k as usize])).expect("l"), lab.ns(Some(&names[k as usize + 1])).expect("r"));
        lab.addr6_add(l, &format!("s{k}l"), ip6(k, 1), 64, true).expect("addr");
        lab.addr6_add(r, &format!("s{k}r"), ip6(k, 2), 64, true).expect("addr");
    }
    for (i, name) in names.iter().enumerate() {
        let node = lab.ns(Some(name)).expect("namespace");
        let i = i as u32;
        if i > 0 && i <= n {
            lab.sysctl_set(node, "net.ipv6.conf.all.forwarding", "1").expect("forwarding");
        }
        if i < n {
            lab.route6_change(node, true, (ip6(n, 0), 64), Some(ip6(i, 2)), None, None).expect("route");
        }
        if i > 1 {
            lab.route6_change(node, true, (ip6(0, 0), 64), Some(ip6(i - 1, 1)), None, None).expect("route");
        }
    }
    flood(&mut lab, "ns0", ip6(n, 2), 1);
    lab
}

/// [`line`] with every router masquerading out of its right interface.
fn nat_line(n: u32) -> Lab {
    let mut lab = line(n);
    for i in 1..=n {
        let node = lab.ns(Some(&format!("r{i}"))).expect("router");
        let out = format!("s{i}l");
        lab.iptables(node, &["-t", "nat", "-A", "POSTROUTING", "-o", &out, "-j", "MASQUERADE"]).expect("rule");
    }
    flood(&mut lab, "ns0", ip(&format!("10.{n}.0.2")), 1);
    lab
}

/// `2001:db8:SEG::HOST`.
fn ip6(seg: u32, host: u16) -> std::net::Ipv6Addr {
    std::net::Ipv6Addr::new(0x2001, 0xdb8, seg as u16, 0, 0, 0, 0, host)
}

/// E3 (ns1 — router — ns2) with `extra` more routes in the router, all through ns2.
fn table(extra: u32) -> Lab {
    let mut lab = line(1);
    for k in 0..extra {
        let (dst, prefix) = match k % 3 {
            0 => (Ipv4Addr::from(0xac10_0000 | k), 32),
            1 => (Ipv4Addr::from(0xc000_0000 | (k << 8)), 24),
            _ => (Ipv4Addr::from(0x2000_0000 | (k << 16)), 16),
        };
        route(&mut lab, "r1", dst, prefix, ip("10.1.0.2"));
    }
    lab
}

/// The `k`th of the extra IPv6 routes: a /128, a /64 or a /48, none in 2001:db8::/32.
fn extra6(k: u32) -> (std::net::Ipv6Addr, u8) {
    let (hi, lo) = ((k >> 16) as u16, k as u16);
    match k % 3 {
        0 => (std::net::Ipv6Addr::new(0x2a00, 0, 0, 0, 0, 0, hi, lo), 128),
        1 => (std::net::Ipv6Addr::new(0x2a01, hi, lo, 0, 0, 0, 0, 0), 48),
        _ => (std::net::Ipv6Addr::new(0x2a02, 0, hi, lo, 0, 0, 0, 0), 64),
    }
}

/// Adds the first `extra` of [`extra6`] to `r1`'s table, through its right neighbour.
fn add6(lab: &mut Lab, extra: u32) {
    let node = lab.ns(Some("r1")).expect("router");
    for k in 0..extra {
        lab.route6_change(node, true, extra6(k), Some(ip6(1, 2)), None, None).expect("route");
    }
}

/// [`table`] over IPv6.
fn table6(extra: u32) -> Lab {
    let mut lab = line6(1);
    add6(&mut lab, extra);
    lab
}

fn flood(lab: &mut Lab, from: &str, to: impl Into<std::net::IpAddr>, count: u32) {
    let node = lab.ns(Some(from)).expect("namespace");
    let mut args = PingArgs::new(to);
    args.count = Some(count);
    args.interval = Duration::from_micros(100);
    args.quiet = true;
    let job = lab.spawn(node, Box::new(Ping::new(args)));
    let limit = lab.world().now() + Duration::from_secs(3600);
    let ran = lab.world_mut().run_while(limit, |w| w.node::<Netns>(job.node).is_running(job.pid)).expect("bounded");
    assert!(ran, "the flood ended");
}

fn routing(c: &mut Criterion) {
    let mut g = c.benchmark_group("routing");
    g.sample_size(20);
    for n in [1u32, 4, 16] {
        g.throughput(Throughput::Elements(u64::from(PINGS) * 2 * u64::from(n + 1)));
        let to = ip(&format!("10.{n}.0.2"));
        g.bench_with_input(BenchmarkId::new("line", n), &n, |b, &n| {
            b.iter_batched(|| line(n), |mut lab| flood(&mut lab, "ns0", to, PINGS), BatchSize::LargeInput)
        });
    }
    for n in [1u32, 4, 16] {
        g.throughput(Throughput::Elements(u64::from(PINGS) * 2 * u64::from(n + 1)));
        g.bench_with_input(BenchmarkId::new("line6", n), &n, |b, &n| {
            b.iter_batched(|| line6(n), |mut lab| flood(&mut lab, "ns0", ip6(n, 2), PINGS), BatchSize::LargeInput)
        });
    }
    for n in [1u32, 2, 4] {
        g.throughput(Throughput::Elements(u64::from(PINGS) * 2 * u64::from(n + 1)));
        let to = ip(&format!("10.{n}.0.2"));
        g.bench_with_input(BenchmarkId::new("nat_line", n), &n, |b, &n| {
            b.iter_batched(|| nat_line(n), |mut lab| flood(&mut lab, "ns0", to, PINGS), BatchSize::LargeInput)
        });
    }
    for r in [10u32, 1000, 10_000] {
        g.throughput(Throughput::Elements(u64::from(PINGS) * 4));
        g.bench_with_input(BenchmarkId::new("table", r), &r, |b, &r| {
            b.iter_batched(|| table(r), |mut lab| flood(&mut lab, "ns0", ip("10.1.0.2"), PINGS), BatchSize::LargeInput)
        });
    }
    for r in [10u32, 1000, 10_000] {
        g.throughput(Throughput::Elements(u64::from(PINGS) * 4));
        g.bench_with_input(BenchmarkId::new("table6", r), &r, |b, &r| {
            b.iter_batched(|| table6(r), |mut lab| flood(&mut lab, "ns0", ip6(1, 2), PINGS), BatchSize::LargeInput)
        });
    }
    for r in [10u32, 1000, 10_000] {
        g.throughput(Throughput::Elements(u64::from(r)));
        g.bench_with_input(BenchmarkId::new("table6_add", r), &r, |b, &r| {
            b.iter_batched(|| line6(1), |mut lab| add6(&mut lab, r), BatchSize::LargeInput)
        });
    }
    g.finish();
}

criterion_group!(benches, routing);
criterion_main!(benches);
