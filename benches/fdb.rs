//! Criterion benchmark of FDB ageing as a bridge's table grows (timings are reported,
//! never asserted); at three sizes, so the slope shows.
//!
//! - `fdb/ageing/N` (N = 1e3, 1e4, 1e5 learned MACs): the steady state of one MAC learned
//!   per step and one ageing out (the default 300 s ageing time, steps of 300 s / N): each
//!   step, the ageing timer's work (`Bridge::expire`, as `Netns::fdb_expire` does it) and a
//!   new MAC learned. One iteration is one step: the cost per aged entry.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use nslab::sim_core::{Duration, Instant, MacAddr};
use nslab::sim_nodes::netns::bridge::Bridge;
use std::hint::black_box;

fn mac(i: u64) -> MacAddr {
    let b = i.to_be_bytes();
    MacAddr([0x02, b[3], b[4], b[5], b[6], b[7]])
}

fn ageing(c: &mut Criterion) {
    let mut g = c.benchmark_group("fdb");
    for n in [1_000u64, 10_000, 100_000] {
        let step = 300_000_000_000 / n;
        let at = |i: u64| Instant::ZERO + Duration::from_nanos(step * i);
        let mut br = Bridge::default();
        let ports = 16u64;
        for p in 0..ports {
            br.add_port(100 + p as u32, mac(0xff_0000_0000 | p), Instant::ZERO);
        }
        for i in 0..n {
            br.learn(mac(i), 100 + (i % ports) as u32, at(i));
        }
        let mut k = n;
        g.bench_with_input(BenchmarkId::new("ageing", n), &n, |b, _| {
            b.iter(|| {
                // MAC `k - n` ages out now; MAC `k` is learned.
                let now = at(k);
                black_box(br.expire(now));
                br.learn(mac(k), 100 + (k % ports) as u32, now);
                k += 1;
            })
        });
    }
    g.finish();
}

criterion_group!(benches, ageing);
criterion_main!(benches);
