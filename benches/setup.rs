//! Criterion benchmark of setting a lab up as a tutorial types it (timings are reported,
//! never asserted); at three sizes, so the slope shows.
//!
//! - `setup/bridge_hosts/N` (N = 100, 1000, 3000 hosts): a switch namespace with one
//!   bridge, and N host namespaces each with a veth to a bridge port and an address — six
//!   command lines per host, parsed and run as a script (`nslab run` does the same); one
//!   iteration is the whole setup. The speed issue asks for 1e5 ports in ≤ 10 s.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use nslab::scenarios::{self, run::sim};

/// The script of a bridge with `n` hosts.
pub fn script(n: u32) -> String {
    let mut s = String::from("ip netns add sw\nip -n sw link add br0 type bridge\nip -n sw link set br0 up\n");
    for i in 0..n {
        let (a, b) = (i / 250, i % 250 + 1);
        s += &format!(
            "ip netns add h{i}\nip -n sw link add p{i} type veth peer name eth0 netns h{i}\n\
             ip -n sw link set p{i} master br0\nip -n sw link set p{i} up\n\
             ip -n h{i} addr add 10.{}.{a}.{b}/8 dev eth0\nip -n h{i} link set eth0 up\n",
            a / 250
        );
    }
    s
}

/// The script of a bridge with `n` hosts whose veths are made in the root and moved.
pub fn script_moved(n: u32) -> String {
    let mut s = String::from("ip netns add sw\nip -n sw link add br0 type bridge\nip -n sw link set br0 up\n");
    for i in 0..n {
        let (a, b) = (i / 250, i % 250 + 1);
        s += &format!(
            "ip netns add h{i}\nip link add p{i} type veth peer name v{i}\nip link set v{i} netns h{i}\n\
             ip link set p{i} netns sw\nip -n sw link set p{i} master br0\nip -n sw link set p{i} up\n\
             ip -n h{i} link set v{i} name eth0\nip -n h{i} addr add 10.{}.{a}.{b}/8 dev eth0\n\
             ip -n h{i} link set eth0 up\n",
            a / 250
        );
    }
    s
}

/// What makes a lab's script for `n` hosts.
type Script = fn(u32) -> String;

fn setup(c: &mut Criterion) {
    let mut g = c.benchmark_group("setup");
    g.sample_size(10);
    let forms: [(&str, Script); 2] = [("bridge_hosts", script), ("bridge_hosts_moved", script_moved)];
    for (name, make) in forms {
        for n in [100u32, 1000, 3000] {
            let text = make(n);
            let sc = scenarios::load("setup.sh", &text).expect("parses");
            g.throughput(Throughput::Elements(u64::from(n)));
            g.bench_with_input(BenchmarkId::new(name, n), &n, |b, _| {
                b.iter(|| sim::run("setup.sh", &text, &sc, &sim::RunOptions::default()).expect("runs"))
            });
        }
    }
    g.finish();
}

criterion_group!(benches, setup);
criterion_main!(benches);
