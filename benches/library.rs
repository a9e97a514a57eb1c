//! Criterion benchmark of users' futures on simulated hosts (timings are reported, never
//! asserted).
//!
//! - `library/udp_ping_pong/N` (N = 1, 10, 100): N client tasks in `lan`, each sending a datagram to an
//!   echo task in `wan` through a MASQUERADE router and awaiting the echo, 100 times per
//!   iteration; throughput counts datagrams (two per round trip). Wall time per datagram
//!   is what the library issue measures (turmoil 0.7.2: 3.8 µs with no router at all).

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use nslab::Lab;
use nslab::net::UdpSocket;

const ROUNDS: usize = 100;

fn lab() -> Lab {
    let lab = Lab::from_script(include_str!("../tests/labs/masquerade.sh")).expect("the lab");
    // One lab serves every iteration, millions of datagrams in a fraction of a virtual
    // second: neither its trace nor the event-rate guard is what is measured.
    let limits =
        nslab::sim_core::world::Limits { trace_bytes: 4 << 30, events_per_second: u64::MAX, ..Default::default() };
    lab.sim_mut().expect("a lab in the sim").world_mut().set_limits(limits);
    lab
}

fn ping_pong(c: &mut Criterion) {
    let mut g = c.benchmark_group("library");
    for clients in [1usize, 10, 100] {
        let mut lab = lab();
        lab.spawn("wan", async {
            let sock = UdpSocket::bind("0.0.0.0:7").await.expect("bind");
            let mut buf = [0u8; 64];
            loop {
                let (n, from) = sock.recv_from(&mut buf).await.expect("recv");
                sock.send_to(&buf[..n], from).await.expect("send");
            }
        })
        .expect("wan");
        g.throughput(Throughput::Elements((2 * ROUNDS * clients) as u64));
        g.bench_with_input(BenchmarkId::new("udp_ping_pong", clients), &clients, |b, &clients| {
            b.iter(|| {
                let tasks: Vec<_> = (0..clients)
                    .map(|_| {
                        lab.spawn("lan", async {
                            let sock = UdpSocket::bind("0.0.0.0:0").await.expect("bind");
                            sock.connect("203.0.113.1:7").await.expect("connect");
                            let mut buf = [0u8; 64];
                            for i in 0..ROUNDS {
                                sock.send(&i.to_be_bytes()).await.expect("send");
                                sock.recv(&mut buf).await.expect("echo");
                            }
                        })
                        .expect("lan")
                    })
                    .collect();
                for t in tasks {
                    lab.block_on(t).expect("done").expect("no panic");
                }
            })
        });
    }
    g.finish();
}

criterion_group!(benches, ping_pong);
criterion_main!(benches);
