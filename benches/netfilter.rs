//! Criterion benchmarks of NAT and sockets (timings are reported, never asserted).
//!
//! - `nat/udp_two_nats`: UDP datagrams end to end through E13's two NATs (c1 → c1-nat
//!   SNAT → inet → c0-nat DNAT → c0), conntrack on both, each datagram delivered to ncat.
//! - `nat/tcp_masquerade`: TCP payload bytes from lan to wan through E8's MASQUERADE router,
//!   on smoltcp sockets, 1 KiB lines.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use nslab::scenarios::{self, run::sim};
use nslab::sim_core::{Duration, Record};
use nslab::sim_nodes::proc::{Nc, NcArgs};
use nslab::sim_nodes::{Job, Lab};

fn setup(file: &str, until: &str, extra: &str) -> Lab {
    let path = nslab::default_scenario_dir().join(file);
    let text = std::fs::read_to_string(path).expect("scenario");
    let end = text.find(until).expect("marker");
    let text = format!("{}{extra}", &text[..end]);
    let sc = scenarios::load("bench.sh", &text).expect("parses");
    let mut lab = sim::run("bench.sh", &text, &sc, &sim::RunOptions::default()).expect("runs").lab;
    // One lab serves every iteration, and its trace keeps what each printed: the default
    // 128 MiB ceiling (a guard against runaway runs) is not what is measured here.
    let limits = nslab::sim_core::world::Limits { trace_bytes: 4 << 30, ..Default::default() };
    lab.world_mut().set_limits(limits);
    lab
}

fn nc(lab: &mut Lab, ns: &str, a: NcArgs) -> Job {
    let node = lab.ns(Some(ns)).expect("namespace");
    lab.spawn(node, Box::new(Nc::new(a)))
}

fn args(listen: bool, udp: bool, host: Option<&str>, port: u16) -> NcArgs {
    NcArgs {
        listen,
        udp,
        verbose: false,
        keep_open: false,
        zero: false,
        family: None,
        host: host.map(|h| h.parse().expect("address")),
        port,
        source_port: None,
        input: None,
    }
}

fn pump(lab: &mut Lab, client: Job, line: &str, n: u64) {
    for _ in 0..n {
        lab.input(client, line);
    }
    let until = lab.world().now() + Duration::from_millis(50);
    lab.world_mut().run_until(until).expect("bounded");
}

/// Lines `job` has printed: what its peer delivered.
fn received(lab: &Lab, job: Job) -> usize {
    let ns = lab.netns(job.node).name();
    let recs = lab.world().trace().records();
    recs.iter().filter(|r| matches!(r, Record::Output { ns: n, pid, .. } if n == ns && *pid == job.pid)).count()
}

fn nat(c: &mut Criterion) {
    let mut g = c.benchmark_group("nat");

    let mut lab = setup("e13-nat-types.sh", "# conntrack -E on both NATs", "");
    let server = nc(&mut lab, "ns-c0", args(true, true, None, 12345));
    let client = nc(&mut lab, "ns-c1", args(false, true, Some("100.64.1.100"), 54321));
    pump(&mut lab, client, "warm", 1);
    g.throughput(Throughput::Elements(100));
    let mut sent = 1;
    g.bench_function("udp_two_nats", |b| {
        b.iter(|| {
            pump(&mut lab, client, "0123456789abcdef", 100);
            sent += 100;
        })
    });
    assert_eq!(received(&lab, server), sent, "every datagram reaches c0's ncat");

    let mut lab = setup("e08-masquerade.sh", "# Captures on both sides", "");
    let server = nc(&mut lab, "wan", args(true, false, None, 5001));
    let client = nc(&mut lab, "lan", args(false, false, Some("203.0.113.1"), 5001));
    let until = lab.world().now() + Duration::from_millis(10);
    lab.world_mut().run_until(until).expect("bounded");
    let line = "x".repeat(1023);
    g.throughput(Throughput::Bytes(32 * 1024));
    let mut sent = 0;
    g.bench_function("tcp_masquerade", |b| {
        b.iter(|| {
            pump(&mut lab, client, &line, 32);
            sent += 32;
        })
    });
    assert_eq!(received(&lab, server), sent, "every line reaches wan's ncat");
    g.finish();
}

criterion_group!(benches, nat);
criterion_main!(benches);
