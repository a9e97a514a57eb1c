//! Criterion benchmark of DHCP in virtual time (timings are reported, never asserted).
//!
//! - `dhcp/lan_10_minutes`: the whole `e07-dhcp-lan.sh` scenario — parse, three clients and
//!   a server on a bridge, 2-minute leases renewed for ten minutes, a release, the server
//!   killed and the leases run out: 800 s of virtual time, per iteration.
//! - `dhcp/e07`: the document's E7 (one client, ping check, bind, ping).

use criterion::{Criterion, criterion_group, criterion_main};
use nslab::scenarios::{self, run::sim};

fn replay(file: &str) -> impl FnMut() {
    let path = nslab::default_scenario_dir().join(file);
    let text = std::fs::read_to_string(&path).expect("scenario");
    let name = path.display().to_string();
    move || {
        let sc = scenarios::load(&name, &text).expect("parses");
        let r = sim::run(&name, &text, &sc, &sim::RunOptions::default()).expect("runs");
        assert!(r.failures(&name).is_empty());
    }
}

fn dhcp(c: &mut Criterion) {
    let mut g = c.benchmark_group("dhcp");
    let mut lan = replay("e07-dhcp-lan.sh");
    g.bench_function("lan_10_minutes", |b| b.iter(&mut lan));
    let mut e07 = replay("e07-dhcp.sh");
    g.bench_function("e07", |b| b.iter(&mut e07));
    g.finish();
}

criterion_group!(benches, dhcp);
criterion_main!(benches);
