//! Criterion benchmark of seed sweeps (timings are reported, never asserted).
//!
//! - `sweep/e13_nat_types/N` (N = 10, 100, 1000 seeds): E13's NAT-types scenario run and
//!   checked for every seed on all cores through `nslab::failing_seeds`, as `nslab sweep`
//!   runs it; throughput counts runs. The CLI issue asks for 10,000 seeds in under a minute
//!   on a 2-core machine.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use nslab::scenarios::{self, run::sim};

fn sweep(c: &mut Criterion) {
    let name = "scenarios/e13-nat-types.sh";
    let text = include_str!("../scenarios/e13-nat-types.sh");
    let sc = scenarios::load(name, text).expect("E13 loads");
    let mut g = c.benchmark_group("sweep");
    g.sample_size(10);
    for seeds in [10u64, 100, 1000] {
        g.throughput(Throughput::Elements(seeds));
        g.bench_with_input(BenchmarkId::new("e13_nat_types", seeds), &seeds, |b, &seeds| {
            b.iter(|| {
                let failing = nslab::failing_seeds(0..seeds, None, |seed| {
                    let opts = sim::RunOptions { seed: Some(seed), ..Default::default() };
                    let run = sim::run(name, text, &sc, &opts).map_err(|e| e.to_string())?;
                    match run.failures(name).first() {
                        None => Ok(()),
                        Some(f) => Err(f.to_string()),
                    }
                });
                assert!(failing.is_empty(), "{failing:?}");
            })
        });
    }
    g.finish();
}

criterion_group!(benches, sweep);
criterion_main!(benches);
