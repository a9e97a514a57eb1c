//! The hot path allocates nothing per frame in steady state: once ARP is resolved and the
//! buffers have warmed up, forwarding echo requests across E3's router and answering them
//! makes no heap allocation at all (a counting global allocator watches) — also through
//! iptables filter and nat rules with conntrack.

// A global allocator is unsafe by definition; this test file is the only place that needs one.
#![allow(unsafe_code)]

mod common;

use nslab::sim_core::{Duration, Node, PortId};
use nslab::sim_nodes::Netns;
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering};

struct Counting;
static ALLOCS: AtomicU64 = AtomicU64::new(0);

thread_local! {
    /// Set on the thread being measured: the test harness's own threads allocate while a
    /// test runs (reporting another test's result), and those are not the hot path's.
    static MEASURED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

fn count() {
    if MEASURED.try_with(|m| m.get()).unwrap_or(false) {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
    }
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        count();
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, n: usize) -> *mut u8 {
        count();
        unsafe { System.realloc(p, l, n) }
    }
}

#[global_allocator]
static A: Counting = Counting;

const E3: &str = "ip netns add ns1\nip netns add ns2\nip netns add router\n\
ip link add ns1-veth0 type veth peer name gw-veth0\nip link add ns2-veth0 type veth peer name gw-veth1\n\
ip link set ns1-veth0 netns ns1\nip link set gw-veth0 netns router\nip link set ns2-veth0 netns ns2\nip link set gw-veth1 netns router\n\
ip -n ns1 link set ns1-veth0 up\nip -n ns2 link set ns2-veth0 up\nip -n router link set gw-veth0 up\nip -n router link set gw-veth1 up\n\
ip -n ns1 addr add 192.0.2.1/24 dev ns1-veth0\nip -n router addr add 192.0.2.254/24 dev gw-veth0\n\
ip -n ns2 addr add 198.51.100.1/24 dev ns2-veth0\nip -n router addr add 198.51.100.254/24 dev gw-veth1\n\
ip -n ns1 route add default via 192.0.2.254\nip -n ns2 route add default via 198.51.100.254\n\
ip netns exec router sysctl -w net.ipv4.ip_forward=1\nip netns exec ns1 ping -c 2 198.51.100.1\n";

/// Sends 1000 echo requests into the router (after 50 to warm up) and asserts that
/// forwarding them and their replies allocated nothing.
fn forwards_without_allocating(setup: &str) {
    // The counter is global: one measurement at a time.
    static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let mut run = common::run_text("e3.sh", setup).unwrap();
    let lab = &mut run.lab;
    let ns1 = lab.ns(Some("ns1")).unwrap();
    let router = lab.ns(Some("router")).unwrap();
    let src = lab.netns(ns1).iface_by_name("ns1-veth0").unwrap().mac;
    let dst = lab.netns(router).iface_by_name("gw-veth0").unwrap().mac;
    let port = PortId(lab.dev_index(router, "gw-veth0").unwrap());
    // An echo request from ns1 to ns2, as ns1 would put it on the wire.
    let mut f = dst.0.to_vec();
    f.extend(src.0);
    f.extend([8, 0]);
    let mut icmp = vec![8, 0, 0, 0, 0x12, 0x34, 0, 1];
    icmp.extend([0x5a; 56]);
    let c = nslab::sim_nodes::wire::checksum(&icmp);
    icmp[2..4].copy_from_slice(&c.to_be_bytes());
    let mut ip = vec![0x45, 0, 0, 84, 0, 1, 0x40, 0, 64, 1, 0, 0, 192, 0, 2, 1, 198, 51, 100, 1];
    let c = nslab::sim_nodes::wire::checksum(&ip);
    ip[10..12].copy_from_slice(&c.to_be_bytes());
    f.extend(ip);
    f.extend(icmp);
    let send = |lab: &mut nslab::sim_nodes::Lab, n: u32| {
        for _ in 0..n {
            lab.world_mut().with_node::<Netns, _>(router, |r, cx| r.handle_frame(cx, port, &f));
            let t = lab.world().now() + Duration::from_micros(100);
            lab.world_mut().run_until(t).unwrap();
        }
    };
    send(lab, 50);
    let forwarded = lab.netns(router).counters().forwarded;
    let trace_len = lab.world().trace().len();
    MEASURED.with(|m| m.set(true));
    let before = ALLOCS.load(Ordering::Relaxed);
    send(lab, 1000);
    let after = ALLOCS.load(Ordering::Relaxed);
    MEASURED.with(|m| m.set(false));
    assert_eq!(
        lab.netns(router).counters().forwarded - forwarded,
        2000,
        "each request and each reply crossed the router"
    );
    assert_eq!(lab.world().trace().len(), trace_len, "nothing traced in steady state");
    assert_eq!(after - before, 0, "allocations while forwarding 2000 packets");
}

#[test]
fn forwarding_allocates_nothing_per_frame() {
    forwards_without_allocating(E3);
}

#[test]
fn netfilter_allocates_nothing_per_frame() {
    // The same through a filter chain with a state match and a MASQUERADE: conntrack finds
    // the connection, NAT rewrites, the filter walks its rules — per frame, no allocation.
    let setup = format!(
        "{E3}ip netns exec router iptables -A FORWARD -p icmp -m conntrack --ctstate NEW,ESTABLISHED -j ACCEPT\n\
         ip netns exec router iptables -P FORWARD DROP\n\
         ip netns exec router iptables -t nat -A POSTROUTING -o gw-veth1 -j MASQUERADE\n"
    );
    forwards_without_allocating(&setup);
}
