//! Criterion benchmarks of the conntrack table's costs as it grows (timings are reported,
//! never asserted); each at three sizes, so the slope shows.
//!
//! - `conntrack/expiry/N` (N = 1e3, 1e4, 1e5 flows): the steady state of one new UDP flow
//!   per millisecond with a timeout of N ms: each step, the timer's work when one flow
//!   expires (`expire`, `purge_dying`, `next_expiry`, as `Netns::conntrack_expire` does it)
//!   and a new flow confirmed. One iteration is one step: the cost per expired flow.
//! - `conntrack/refresh/N`: a packet of an established flow in a table of N (`find`,
//!   `seen`: the table's work per packet).

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use nslab::sim_core::{Duration, Instant};
use nslab::sim_nodes::netfilter::conntrack::{Conntrack, Dir, Timeouts, Tuple};
use std::net::Ipv4Addr;

fn flow(i: u64) -> Tuple {
    let n = i as u32;
    Tuple {
        proto: 17,
        src: Ipv4Addr::from(0x0a00_0000 | (n >> 16)).into(),
        dst: Ipv4Addr::new(203, 0, 113, 1).into(),
        sport: (n & 0xffff) as u16,
        dport: 53,
    }
}

/// A table of `n` confirmed flows, the i-th expiring at `i` ms plus the timeout.
fn table(n: u64) -> (Conntrack, Timeouts) {
    let t = Timeouts { udp: n / 1000, udp_stream: 120, icmp: 30, icmpv6: 30, generic: 600, tcp: Default::default() };
    let mut ct = Conntrack::default();
    for i in 0..n {
        let id = ct.create(flow(i), Instant::ZERO + Duration::from_millis(i), t.udp);
        ct.confirm(id);
    }
    ct.events.clear();
    (ct, t)
}

fn expiry(c: &mut Criterion) {
    let mut g = c.benchmark_group("conntrack");
    for n in [1_000u64, 10_000, 100_000] {
        let (mut ct, t) = table(n);
        let mut step = n;
        g.bench_with_input(BenchmarkId::new("expiry", n), &n, |b, _| {
            b.iter(|| {
                // Flow `step - n` expires now (its timeout is n ms); flow `step` begins.
                let now = Instant::ZERO + Duration::from_millis(step);
                ct.expire(now);
                ct.purge_dying(None);
                let next = ct.next_expiry();
                let id = ct.create(flow(step), now, t.udp);
                ct.confirm(id);
                ct.events.clear();
                step += 1;
                next
            })
        });
    }
    for n in [1_000u64, 10_000, 100_000] {
        let (mut ct, t) = table(n);
        let mut k = 0u64;
        g.bench_with_input(BenchmarkId::new("refresh", n), &n, |b, _| {
            b.iter(|| {
                let f = flow(k % n);
                let (id, dir) = ct.find(&f).unwrap_or((0, Dir::Orig));
                ct.seen(id, dir, Instant::ZERO + Duration::from_millis(k), &t);
                k += 1;
                ct.events.clear();
            })
        });
    }
    g.finish();
}

criterion_group!(benches, expiry);
criterion_main!(benches);
