//! Criterion benchmark of a one-way UDP flood from a client socket through a MASQUERADE
//! router to a server socket — in the sim and on the real kernel, in the same run, so the
//! two rates are measured on the same machine at the same time (timings are reported,
//! never asserted).
//!
//! The lab is `tests/labs/masquerade.sh` on both: `lan` (192.168.1.2) — `router`
//! (MASQUERADE out of `r-w`) — `wan` (203.0.113.1). Each bench's throughput is datagrams
//! *received* by the server, at three payload sizes (64, 512 and 1400 bytes):
//!
//! - `udp_flood/sim/N`: `nslab::net::UdpSocket`s in a `nslab::Lab`; the client sends
//!   bursts of 64 datagrams, one virtual millisecond apart, and the server task receives
//!   them. One CPU (the sim runs on one thread).
//! - `udp_flood/kernel_1cpu/N` and `udp_flood/kernel_2cpu/N`: the same lab made by kernel
//!   mode (`kernel_backend::KernelLab`, real namespaces removed when the bench ends); a
//!   client thread inside `lan` floods with `sendmmsg(2)` in batches of 64 (the kernel's
//!   fastest way to send), a server thread inside `wan` receives with `recv(2)`. With
//!   `1cpu` both threads are pinned to CPU 0 — the sim's budget, and where the softirqs
//!   that forward and NAT each packet run too; `2cpu` gives each thread a CPU of its own.
//!   What the kernel drops (the server's buffer overflowing) is not counted: the rate is
//!   what arrives. Without root, or without the tools the lab needs, these two say
//!   `skipped: why` and only the sim's is measured.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use nslab::Lab;
use nslab::net::UdpSocket;
use std::time::Duration;

/// Payload sizes: the smallest datagrams tests send, a middling one, and one just under a
/// 1500-byte MTU.
const SIZES: [usize; 3] = [64, 512, 1400];
/// Datagrams per burst (sim) and per `sendmmsg` call (kernel).
const BATCH: usize = 64;
const LAB: &str = include_str!("../tests/labs/masquerade.sh");

fn sim_lab() -> Lab {
    let lab = Lab::from_script(LAB).expect("the lab");
    // One lab serves every iteration: neither its trace nor the event-rate guard is what is
    // measured.
    let limits =
        nslab::sim_core::world::Limits { trace_bytes: 4 << 30, events_per_second: u64::MAX, ..Default::default() };
    lab.sim_mut().expect("a lab in the sim").world_mut().set_limits(limits);
    lab
}

/// Floods `n` datagrams of `size` bytes from `lan` to `wan` in the sim; the wall time it
/// took, scaled to `n` from what the server received.
fn sim_flood(lab: &mut Lab, size: usize, n: u64) -> Duration {
    let server = lab
        .spawn("wan", async move {
            let sock = UdpSocket::bind("0.0.0.0:9").await.expect("bind");
            let mut buf = vec![0u8; 2048];
            let mut got = 0u64;
            while got < n {
                // A datagram lost on the way ends the count after a virtual second.
                match tokio::time::timeout(Duration::from_secs(1), sock.recv_from(&mut buf)).await {
                    Ok(r) => {
                        r.expect("recv");
                        got += 1;
                    }
                    Err(_) => break,
                }
            }
            got
        })
        .expect("wan");
    let client = lab
        .spawn("lan", async move {
            let sock = UdpSocket::bind("0.0.0.0:0").await.expect("bind");
            sock.connect("203.0.113.1:9").await.expect("connect");
            let payload = vec![7u8; size];
            let mut sent = 0u64;
            while sent < n {
                for _ in 0..BATCH.min((n - sent) as usize) {
                    sock.send(&payload).await.expect("send");
                    sent += 1;
                }
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        })
        .expect("lan");
    let start = std::time::Instant::now();
    lab.block_on(client).expect("client done").expect("no panic");
    let got = lab.block_on(server).expect("server done").expect("no panic");
    scaled(start.elapsed(), n, got)
}

/// `took` for `got` datagrams, as the time `n` would take at the same rate.
fn scaled(took: Duration, n: u64, got: u64) -> Duration {
    assert!(got > 0, "nothing arrived");
    took.mul_f64(n as f64 / got as f64)
}

fn flood(c: &mut Criterion) {
    let mut g = c.benchmark_group("udp_flood");
    g.throughput(Throughput::Elements(1));
    let mut lab = sim_lab();
    for size in SIZES {
        g.bench_with_input(BenchmarkId::new("sim", size), &size, |b, &size| {
            b.iter_custom(|n| sim_flood(&mut lab, size, n))
        });
    }
    match kernel::Flood::new() {
        Ok(k) => {
            for (name, cpus) in [("kernel_1cpu", 1), ("kernel_2cpu", 2)] {
                for size in SIZES {
                    let run = k.start(size, cpus).expect("the flood's threads");
                    g.bench_with_input(BenchmarkId::new(name, size), &size, |b, _| b.iter_custom(|n| run.receive(n)));
                }
            }
        }
        Err(why) => eprintln!("udp_flood/kernel_*: skipped: {why}"),
    }
    g.finish();
}

/// The kernel's side: real namespaces, a `sendmmsg` flood, a receiving thread.
mod kernel {
    use super::{BATCH, LAB, scaled};
    use kernel_backend::KernelLab;
    use nix::sched::{CloneFlags, CpuSet, sched_setaffinity, setns};
    use nix::sys::socket::{MsgFlags, MultiHeaders, SockaddrIn, sendmmsg};
    use nix::unistd::Pid;
    use std::io::IoSlice;
    use std::net::UdpSocket;
    use std::os::fd::AsRawFd;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, mpsc};
    use std::thread::JoinHandle;
    use std::time::{Duration, Instant};

    /// The lab on the kernel, standing until dropped.
    pub struct Flood {
        lab: KernelLab,
    }

    /// A flood running: the client sends until dropped; [`Run::receive`] times the server.
    pub struct Run {
        stop: Arc<AtomicBool>,
        ask: Option<mpsc::Sender<u64>>,
        told: mpsc::Receiver<Duration>,
        threads: Vec<JoinHandle<()>>,
    }

    impl Flood {
        pub fn new() -> Result<Flood, String> {
            KernelLab::from_script("masquerade.sh", LAB).map(|lab| Flood { lab }).map_err(|e| e.to_string())
        }

        fn enter(&self, ns: &str, cpu: usize) -> Result<impl FnOnce() + use<>, String> {
            let name = self.lab.kernel_name(Some(ns))?;
            let file = std::fs::File::open(kernel_backend::netns::path(&name)).map_err(|e| e.to_string())?;
            Ok(move || {
                setns(&file, CloneFlags::CLONE_NEWNET).expect("setns");
                let mut set = CpuSet::new();
                set.set(cpu).expect("a CPU number");
                sched_setaffinity(Pid::from_raw(0), &set).expect("sched_setaffinity");
            })
        }

        /// Starts a flood of `size`-byte datagrams, its two threads on CPU 0 (`cpus` 1)
        /// or on CPUs 0 and 1.
        pub fn start(&self, size: usize, cpus: usize) -> Result<Run, String> {
            let stop = Arc::new(AtomicBool::new(false));
            let (ask, asked) = mpsc::channel::<u64>();
            let (tell, told) = mpsc::channel();
            let (bound, is_bound) = mpsc::channel();
            let enter_wan = self.enter("wan", 0)?;
            let server = std::thread::spawn(move || {
                enter_wan();
                let sock = UdpSocket::bind("0.0.0.0:9").expect("bind");
                sock.set_read_timeout(Some(Duration::from_secs(1))).expect("timeout");
                bound.send(()).expect("told");
                let mut buf = vec![0u8; 2048];
                while let Ok(n) = asked.recv() {
                    let start = Instant::now();
                    let mut got = 0;
                    while got < n && sock.recv(&mut buf).is_ok() {
                        got += 1;
                    }
                    if tell.send(scaled(start.elapsed(), n, got)).is_err() {
                        return;
                    }
                }
            });
            is_bound.recv().map_err(|_| "the server thread failed".to_string())?;
            let enter_lan = self.enter("lan", cpus - 1)?;
            let flag = stop.clone();
            let client = std::thread::spawn(move || {
                enter_lan();
                let sock = UdpSocket::bind("0.0.0.0:0").expect("bind");
                let payload = vec![7u8; size];
                let slices: Vec<[IoSlice<'_>; 1]> = (0..BATCH).map(|_| [IoSlice::new(&payload)]).collect();
                let to = SockaddrIn::new(203, 0, 113, 1, 9);
                let addrs = vec![Some(to); BATCH];
                let mut headers = MultiHeaders::<SockaddrIn>::preallocate(BATCH, None);
                while !flag.load(Ordering::Relaxed) {
                    // ENOBUFS and the like: the kernel dropped them; go on.
                    let _ = sendmmsg(sock.as_raw_fd(), &mut headers, &slices, &addrs, [], MsgFlags::empty())
                        .map(|r| r.count());
                }
            });
            Ok(Run { stop, ask: Some(ask), told, threads: vec![server, client] })
        }
    }

    impl Run {
        /// The time the server took to receive `n` datagrams (scaled from what came
        /// within its one-second timeout).
        pub fn receive(&self, n: u64) -> Duration {
            self.ask.as_ref().expect("running").send(n).expect("the server thread");
            self.told.recv().expect("the server thread")
        }
    }

    impl Drop for Run {
        fn drop(&mut self) {
            self.stop.store(true, Ordering::Relaxed);
            self.ask = None;
            for t in self.threads.drain(..) {
                let _ = t.join();
            }
        }
    }
}

criterion_group!(benches, flood);
criterion_main!(benches);
