//! Criterion benchmark of setting a lab up as a tutorial types it (timings are reported,
//! never asserted); at three sizes, so the slope shows.
//!
//! - `setup/bridge_hosts/N` (N = 100, 1000, 3000 hosts): a switch namespace with one
//!   bridge, and N host namespaces each with a veth to a bridge port and an address — seven
//!   command lines per host, parsed and run as a script (`nslab run` does the same); one
//!   iteration is the whole setup. The speed issue asks for 1e5 ports in ≤ 10 s.
//! - `setup/bridge_hosts_moved/N`: the same lab as tutorials make it (veths made in the
//!   root, then moved; ten lines per host).
//! - The hosts are IPv4 hosts: each turns IPv6 off first (`sysctl -w
//!   net.ipv6.conf.all.disable_ipv6=1`, as Docker does in its containers). With IPv6 on,
//!   each host coming up sends its MLD reports, DAD probe and router solicitation, which
//!   the bridge floods to every port (as Linux's does without a querier): that chatter
//!   costs each host O(ports), on the kernel as in the sim, and hides the setup's own
//!   slope. `setup/bridge_hosts_ipv6/N` (N = 100, 300, 1000) measures that lab as it is.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use nslab::scenarios::{self, run::sim};

/// The script of a bridge with `n` IPv4 hosts.
pub fn script(n: u32) -> String {
    script_of(n, false)
}

/// The script of a bridge with `n` hosts whose IPv6 is on.
pub fn script_ipv6(n: u32) -> String {
    script_of(n, true)
}

/// The line that turns IPv6 off in namespace `ns`, unless `ipv6`.
fn ipv6_off(ns: &str, ipv6: bool) -> String {
    if ipv6 { String::new() } else { format!("ip netns exec {ns} sysctl -qw net.ipv6.conf.all.disable_ipv6=1\n") }
}

fn script_of(n: u32, ipv6: bool) -> String {
    let mut s = format!("ip netns add sw\n{}", ipv6_off("sw", ipv6));
    s += "ip -n sw link add br0 type bridge\nip -n sw link set br0 up\n";
    for i in 0..n {
        let (a, b) = (i / 250, i % 250 + 1);
        s += &format!(
            "ip netns add h{i}\n{}ip -n sw link add p{i} type veth peer name eth0 netns h{i}\n\
             ip -n sw link set p{i} master br0\nip -n sw link set p{i} up\n\
             ip -n h{i} addr add 10.{}.{a}.{b}/8 dev eth0\nip -n h{i} link set eth0 up\n",
            ipv6_off(&format!("h{i}"), ipv6),
            a / 250
        );
    }
    s
}

/// The script of a bridge with `n` IPv4 hosts whose veths are made in the root and moved.
pub fn script_moved(n: u32) -> String {
    let mut s = format!("ip netns add sw\n{}", ipv6_off("sw", false));
    s += "ip -n sw link add br0 type bridge\nip -n sw link set br0 up\n";
    for i in 0..n {
        let (a, b) = (i / 250, i % 250 + 1);
        s += &format!(
            "ip netns add h{i}\n{}ip link add p{i} type veth peer name v{i}\nip link set v{i} netns h{i}\n\
             ip link set p{i} netns sw\nip -n sw link set p{i} master br0\nip -n sw link set p{i} up\n\
             ip -n h{i} link set v{i} name eth0\nip -n h{i} addr add 10.{}.{a}.{b}/8 dev eth0\n\
             ip -n h{i} link set eth0 up\n",
            ipv6_off(&format!("h{i}"), false),
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
    let forms: [(&str, Script, [u32; 3]); 3] = [
        ("bridge_hosts", script, [100, 1000, 3000]),
        ("bridge_hosts_moved", script_moved, [100, 1000, 3000]),
        ("bridge_hosts_ipv6", script_ipv6, [100, 300, 1000]),
    ];
    for (name, make, sizes) in forms {
        for n in sizes {
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
