//! How many hosts one run holds: N host namespaces, each with a veth to a port of one of
//! B bridges in a switch namespace and an address, then a ping from one host per bridge
//! to its neighbour on that bridge. Prints the setup's wall time, the heap it holds per
//! host (counted by this program's allocator), the process's peak memory and the pings'
//! answers.
//!
//! ```text
//! cargo run --release --example scale -- 1000000            # veths made in their namespaces
//! cargo run --release --example scale -- 100000 --root      # made in the root, then moved (the tutorials' form)
//! cargo run --release --example scale -- 100000 --bridges 10
//! cargo run --release --example scale -- 10000 --ipv6        # IPv6 left on
//! ```
//!
//! The hosts are IPv4 hosts: IPv6 is off in every namespace (`Lab::set_ipv6(false)`, as
//! Docker turns it off in its containers) unless `--ipv6` is given. With it on, each host
//! coming up reports its groups, probes its link-local address and solicits routers, and
//! a bridge floods each of those to every port (as Linux's does without a multicast
//! querier): the chatter grows as hosts × ports per bridge, on the kernel as in the sim.
//!
//! The speed issue asks for a million hosts on a thousand bridges, set up and pinging, in
//! one run within 12 GiB, and an idle host of at most 8 KB in both forms.

// A counting global allocator is unsafe by definition (as in `tests/alloc.rs`).
#![allow(unsafe_code)]

use nslab::sim_core::world::Limits;
use nslab::sim_core::{Duration, Record};
use nslab::sim_nodes::Lab;
use nslab::sim_nodes::proc::{Ping, PingArgs};
use std::alloc::{GlobalAlloc, Layout, System};
use std::net::Ipv4Addr;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

/// The system allocator, counting the bytes it holds.
struct Counting;
static HELD: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is passed on to `System` unchanged; the counter only observes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        HELD.fetch_add(l.size(), Relaxed);
        // SAFETY: the caller's contract is `System`'s.
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        HELD.fetch_sub(l.size(), Relaxed);
        // SAFETY: as above.
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        HELD.fetch_add(new, Relaxed);
        HELD.fetch_sub(l.size(), Relaxed);
        // SAFETY: as above.
        unsafe { System.realloc(p, l, new) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

fn peak_rss_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches(" kB").parse().ok())
        .unwrap_or(0)
}

/// Host `i`'s address: 10.0.0.0/8 counted up from 10.0.0.1, skipping .0 and .255.
fn addr(i: u32) -> Ipv4Addr {
    let n = i / 254 * 256 + i % 254 + 1;
    Ipv4Addr::from(0x0a00_0000 | n)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut hosts = 10_000u32;
    let (mut bridges, mut root_form, mut ipv6) = (None, false, false);
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--root" => root_form = true,
            "--ipv6" => ipv6 = true,
            "--bridges" => bridges = Some(args.next().ok_or("--bridges N")?.parse()?),
            n => {
                hosts = n
                    .parse()
                    .map_err(|_| format!("usage: scale [HOSTS] [--root] [--bridges N] [--ipv6]; not a number: {n}"))?
            }
        }
    }
    // `addr` gives 254 hosts per /24 of 10.0.0.0/8.
    if hosts > 254 * 65536 {
        return Err("at most 16646144 hosts: they share 10.0.0.0/8".into());
    }
    let bridges = bridges.unwrap_or_else(|| hosts.div_ceil(1000)).clamp(1, hosts.max(1));
    let wall = std::time::Instant::now();
    let before = HELD.load(Relaxed);

    let mut lab = Lab::new(1);
    lab.set_ipv6(ipv6);
    // The guards' defaults stop a run whose pending frames outgrow 128 MiB or that handles
    // more than a budget of events per virtual second: each ARP request floods its bridge,
    // so a thousand pings on bridges of a thousand ports queue a million frames at once.
    let limits = Limits { queue_bytes: 16 << 30, events_per_second: u64::MAX, ..Default::default() };
    lab.world_mut().set_limits(limits);
    lab.netns_add("sw")?;
    let sw = lab.ns(Some("sw"))?;
    let root = lab.ns(None)?;
    for b in 0..bridges {
        let br = format!("br{b}");
        lab.bridge_add(sw, &br)?;
        lab.link_set_up(sw, &br, true)?;
    }
    for i in 0..hosts {
        let (h, p) = (format!("h{i}"), format!("p{i}"));
        lab.netns_add(&h)?;
        let node = lab.ns(Some(&h))?;
        if root_form {
            // ip link add pI type veth peer name vI; ip link set vI netns hI;
            // ip link set pI netns sw; ip -n hI link set vI name eth0
            let v = format!("v{i}");
            lab.veth_add(root, &p, &v, None)?;
            lab.link_set_netns(root, &v, node)?;
            lab.link_set_netns(root, &p, sw)?;
            lab.link_set_name(node, &v, "eth0")?;
        } else {
            // ip -n sw link add pI type veth peer name eth0 netns hI
            lab.veth_add(sw, &p, "eth0", Some(node))?;
        }
        lab.link_set_master(sw, &p, Some(&format!("br{}", i % bridges)))?;
        lab.link_set_up(sw, &p, true)?;
        lab.addr_add(node, "eth0", addr(i), 8, None)?;
        lab.link_set_up(node, "eth0", true)?;
    }
    let setup = wall.elapsed();
    let held = HELD.load(Relaxed) - before;
    println!(
        "{hosts} hosts on {bridges} bridges ({}, IPv6 {}): set up in {:.2} s, {} bytes of heap per host",
        if root_form { "veths made in the root, then moved" } else { "veths made in their namespaces" },
        if ipv6 { "on" } else { "off" },
        setup.as_secs_f64(),
        held / hosts.max(1) as usize
    );

    // One host per bridge pings the next host on its bridge, once.
    let from = lab.world().trace().records().len();
    for b in 0..bridges.min(hosts.saturating_sub(bridges)) {
        let node = lab.ns(Some(&format!("h{b}")))?;
        let mut a = PingArgs::new(addr(b + bridges));
        a.count = Some(1);
        lab.spawn(node, Box::new(Ping::new(a)));
    }
    let until = lab.world().now() + Duration::from_secs(2);
    lab.world_mut().run_until(until)?;
    let answered = lab.world().trace().records()[from..]
        .iter()
        .filter(|r| matches!(r, Record::Output { line, .. } if line.contains("bytes from")))
        .count();
    println!(
        "pings answered: {answered} of {}; {:.2} s in all; peak memory {} MiB",
        bridges.min(hosts.saturating_sub(bridges)),
        wall.elapsed().as_secs_f64(),
        peak_rss_kb() / 1024
    );
    Ok(())
}
