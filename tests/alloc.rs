//! The hot path allocates nothing per frame in steady state: once ARP is resolved and the
//! buffers have warmed up, forwarding echo requests across E3's router and answering them
//! makes no heap allocation at all (a counting global allocator watches) — over IPv6 too
//! (neighbour discovery, forwarding, echo replies), also through
//! iptables filter and nat rules with conntrack, across a bridge (with br_netfilter and
//! NAT too), through netem and tbf qdiscs, into a UDP socket a program reads (over IPv4 and
//! over IPv6), and along a TCP stream between programs.

// A global allocator is unsafe by definition; this test file and `examples/scale.rs` are the
// only places that need one.
#![allow(unsafe_code)]

mod common;

use nslab::sim_core::{Duration, Instant, Node, PortId};
use nslab::sim_nodes::Netns;
use nslab::sim_nodes::proc::{Program, SocketId, Sys};
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

/// IPv6 off (as in the other IPv4 labs here): what it sends on its own — MLD reports, router
/// solicitations — would fall into the measured steady state.
const E3: &str = "ip netns add ns1\nip netns add ns2\nip netns add router\n\
ip netns exec ns1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1\nip netns exec ns2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1\nip netns exec router sysctl -qw net.ipv6.conf.all.disable_ipv6=1\n\
ip link add ns1-veth0 type veth peer name gw-veth0\nip link add ns2-veth0 type veth peer name gw-veth1\n\
ip link set ns1-veth0 netns ns1\nip link set gw-veth0 netns router\nip link set ns2-veth0 netns ns2\nip link set gw-veth1 netns router\n\
ip -n ns1 link set ns1-veth0 up\nip -n ns2 link set ns2-veth0 up\nip -n router link set gw-veth0 up\nip -n router link set gw-veth1 up\n\
ip -n ns1 addr add 192.0.2.1/24 dev ns1-veth0\nip -n router addr add 192.0.2.254/24 dev gw-veth0\n\
ip -n ns2 addr add 198.51.100.1/24 dev ns2-veth0\nip -n router addr add 198.51.100.254/24 dev gw-veth1\n\
ip -n ns1 route add default via 192.0.2.254\nip -n ns2 route add default via 198.51.100.254\n\
ip netns exec router sysctl -w net.ipv4.ip_forward=1\nip netns exec ns1 ping -c 2 198.51.100.1\n";

/// An Ethernet frame holding an ICMP echo request from `sip` to `dip` (56 bytes of data).
fn echo_request(dst: nslab::sim_core::MacAddr, src: nslab::sim_core::MacAddr, sip: [u8; 4], dip: [u8; 4]) -> Vec<u8> {
    let mut f = dst.0.to_vec();
    f.extend(src.0);
    f.extend([8, 0]);
    let mut icmp = vec![8, 0, 0, 0, 0x12, 0x34, 0, 1];
    icmp.extend([0x5a; 56]);
    let c = nslab::sim_nodes::wire::checksum(&icmp);
    icmp[2..4].copy_from_slice(&c.to_be_bytes());
    let mut ip = vec![0x45, 0, 0, 84, 0, 1, 0x40, 0, 64, 1, 0, 0];
    ip.extend(sip);
    ip.extend(dip);
    let c = nslab::sim_nodes::wire::checksum(&ip);
    ip[10..12].copy_from_slice(&c.to_be_bytes());
    f.extend(ip);
    f.extend(icmp);
    f
}

/// Sends 1000 echo requests into the router (after 50 to warm up) and asserts that
/// forwarding them and their replies allocated nothing.
fn forwards_without_allocating(setup: &str) {
    forwards_without_allocating_after(setup, 50);
}

/// [`forwards_without_allocating`] after `warm` requests to warm up.
fn forwards_without_allocating_after(setup: &str, warm: u32) {
    forwards_frames_without_allocating(setup, warm, |dst, src| {
        echo_request(dst, src, [192, 0, 2, 1], [198, 51, 100, 1])
    });
}

/// Sends `warm`, then 1000, of the frames `make(router's MAC, ns1's MAC)` builds into the
/// router: the 1000 and their replies cross it without a heap allocation.
fn forwards_frames_without_allocating(
    setup: &str,
    warm: u32,
    make: impl Fn(nslab::sim_core::MacAddr, nslab::sim_core::MacAddr) -> Vec<u8>,
) {
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
    let f = make(dst, src);
    let send = |lab: &mut nslab::sim_nodes::Lab, n: u32| {
        for _ in 0..n {
            lab.world_mut().with_node::<Netns, _>(router, |r, cx| r.handle_frame(cx, port, &f));
            let t = lab.world().now() + Duration::from_micros(100);
            lab.world_mut().run_until(t).unwrap();
        }
    };
    send(lab, warm);
    let t = lab.world().now() + Duration::from_millis(10);
    lab.world_mut().run_until(t).unwrap();
    let forwarded = lab.netns(router).counters().forwarded;
    let trace_len = lab.world().trace().len();
    MEASURED.with(|m| m.set(true));
    let before = ALLOCS.load(Ordering::Relaxed);
    send(lab, 1000);
    // What a qdisc still holds goes out too.
    let t = lab.world().now() + Duration::from_millis(10);
    lab.world_mut().run_until(t).unwrap();
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

/// E3 over IPv6: the router forwards with `net.ipv6.conf.all.forwarding`, ns2 answers.
const E3_V6: &str = "ip netns add ns1\nip netns add ns2\nip netns add router\n\
ip link add ns1-veth0 type veth peer name gw-veth0\nip link add ns2-veth0 type veth peer name gw-veth1\n\
ip link set ns1-veth0 netns ns1\nip link set gw-veth0 netns router\nip link set ns2-veth0 netns ns2\nip link set gw-veth1 netns router\n\
ip netns exec router sysctl -w net.ipv6.conf.all.forwarding=1\n\
ip -n ns1 link set ns1-veth0 up\nip -n ns2 link set ns2-veth0 up\nip -n router link set gw-veth0 up\nip -n router link set gw-veth1 up\n\
ip -n ns1 -6 addr add 2001:db8:1::2/64 dev ns1-veth0 nodad\nip -n router -6 addr add 2001:db8:1::1/64 dev gw-veth0 nodad\n\
ip -n ns2 -6 addr add 2001:db8:2::2/64 dev ns2-veth0 nodad\nip -n router -6 addr add 2001:db8:2::1/64 dev gw-veth1 nodad\n\
sleep 3\nip -n ns1 -6 route add default via 2001:db8:1::1\nip -n ns2 -6 route add default via 2001:db8:2::1\n\
ip netns exec ns1 ping -6 -c 2 2001:db8:2::2\n";

/// An Ethernet frame holding an ICMPv6 echo request from 2001:db8:1::2 to 2001:db8:2::2.
fn echo_request6(dst: nslab::sim_core::MacAddr, src: nslab::sim_core::MacAddr) -> Vec<u8> {
    use nslab::sim_nodes::netns::ipv6::packet;
    let (s, d): (std::net::Ipv6Addr, std::net::Ipv6Addr) =
        ("2001:db8:1::2".parse().unwrap(), "2001:db8:2::2".parse().unwrap());
    let mut icmp = vec![128, 0, 0, 0, 0x12, 0x34, 0, 1];
    icmp.extend([0x5a; 56]);
    let c = packet::icmp6_checksum(s, d, &icmp);
    icmp[2..4].copy_from_slice(&c.to_be_bytes());
    let mut f = dst.0.to_vec();
    f.extend(src.0);
    f.extend([0x86, 0xdd]);
    packet::header(&mut f, (s, d), 58, 64, 0x12345, icmp.len());
    f.extend(icmp);
    f
}

#[test]
fn ipv6_forwarding_allocates_nothing_per_frame() {
    forwards_frames_without_allocating(E3_V6, 50, echo_request6);
}

#[test]
fn ip6tables_allocates_nothing_per_frame() {
    // E3 over IPv6 through ip6tables: a user chain, a state match and a MASQUERADE —
    // conntrack finds the connection, NAT rewrites the addresses and the ICMPv6 checksum.
    let setup = format!(
        "{E3_V6}ip netns exec router ip6tables -N audit\n\
         ip netns exec router ip6tables -A audit -p udp -j DROP\n\
         ip netns exec router ip6tables -A audit -j RETURN\n\
         ip netns exec router ip6tables -A FORWARD -j audit\n\
         ip netns exec router ip6tables -A FORWARD -p icmpv6 -m conntrack --ctstate NEW,ESTABLISHED -j ACCEPT\n\
         ip netns exec router ip6tables -P FORWARD DROP\n\
         ip netns exec router ip6tables -t nat -A POSTROUTING -o gw-veth1 -j MASQUERADE\n"
    );
    forwards_frames_without_allocating(&setup, 50, echo_request6);
}

#[test]
fn netfilter_allocates_nothing_per_frame() {
    // The same through a filter chain with a jump to a user chain that returns, a state
    // match and a MASQUERADE: conntrack finds the connection, NAT rewrites, the filter walks
    // its rules — per frame, no allocation.
    let setup = format!(
        "{E3}ip netns exec router iptables -N audit\n\
         ip netns exec router iptables -A audit -p udp -j DROP\n\
         ip netns exec router iptables -A audit -j RETURN\n\
         ip netns exec router iptables -A FORWARD -j audit\n\
         ip netns exec router iptables -A FORWARD -p icmp -m conntrack --ctstate NEW,ESTABLISHED -j ACCEPT\n\
         ip netns exec router iptables -P FORWARD DROP\n\
         ip netns exec router iptables -t nat -A POSTROUTING -o gw-veth1 -j MASQUERADE\n"
    );
    forwards_without_allocating(&setup);
}

/// Runs `work` once to warm up, then again while counting; the allocations it made.
fn measured(lab: &mut nslab::sim_nodes::Lab, mut work: impl FnMut(&mut nslab::sim_nodes::Lab)) -> u64 {
    work(lab);
    MEASURED.with(|m| m.set(true));
    let before = ALLOCS.load(Ordering::Relaxed);
    work(lab);
    let after = ALLOCS.load(Ordering::Relaxed);
    MEASURED.with(|m| m.set(false));
    after - before
}

static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// IPv6 off, as in [`E3`].
const BRIDGE: &str = "ip netns add ns1\nip netns add ns2\nip netns add sw\n\
ip netns exec ns1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1\nip netns exec ns2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1\nip netns exec sw sysctl -qw net.ipv6.conf.all.disable_ipv6=1\n\
ip link add ns1-veth0 type veth peer name sw-veth1\nip link add ns2-veth0 type veth peer name sw-veth2\n\
ip link set ns1-veth0 netns ns1\nip link set ns2-veth0 netns ns2\nip link set sw-veth1 netns sw\nip link set sw-veth2 netns sw\n\
ip -n sw link add br0 type bridge\nip -n sw link set sw-veth1 master br0\nip -n sw link set sw-veth2 master br0\n\
ip -n sw link set br0 up\nip -n sw link set sw-veth1 up\nip -n sw link set sw-veth2 up\n\
ip -n ns1 link set ns1-veth0 up\nip -n ns2 link set ns2-veth0 up\n\
ip -n ns1 addr add 192.0.2.1/24 dev ns1-veth0\nip -n ns2 addr add 192.0.2.2/24 dev ns2-veth0\n\
ip netns exec ns1 ping -c 2 192.0.2.2\n";

/// Echo requests from ns1 into the bridge's port: the bridge forwards them to ns2, ns2
/// answers, the bridge forwards the replies back.
fn bridges_without_allocating(setup: &str) {
    let _one = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let mut run = common::run_text("bridge.sh", setup).unwrap();
    let lab = &mut run.lab;
    let (ns1, ns2, sw) = (lab.ns(Some("ns1")).unwrap(), lab.ns(Some("ns2")).unwrap(), lab.ns(Some("sw")).unwrap());
    let src = lab.netns(ns1).iface_by_name("ns1-veth0").unwrap().mac;
    let dst = lab.netns(ns2).iface_by_name("ns2-veth0").unwrap().mac;
    let port = PortId(lab.dev_index(sw, "sw-veth1").unwrap());
    let f = echo_request(dst, src, [192, 0, 2, 1], [192, 0, 2, 2]);
    let before = lab.netns(ns2).counters().tx_frames;
    let n = measured(lab, |lab| {
        for _ in 0..500 {
            lab.world_mut().with_node::<Netns, _>(sw, |r, cx| r.handle_frame(cx, port, &f));
            let t = lab.world().now() + Duration::from_micros(100);
            lab.world_mut().run_until(t).unwrap();
        }
    });
    assert_eq!(lab.netns(ns2).counters().tx_frames - before, 1000, "ns2 answered every request");
    assert_eq!(n, 0, "allocations while bridging 2000 frames");
}

#[test]
fn bridging_allocates_nothing_per_frame() {
    bridges_without_allocating(BRIDGE);
}

#[test]
fn bridging_through_br_netfilter_and_nat_allocates_nothing_per_frame() {
    let setup = format!(
        "{BRIDGE}ip netns exec sw sysctl -w net.bridge.bridge-nf-call-iptables=1\n\
         ip netns exec sw iptables -A FORWARD -m conntrack --ctstate NEW,ESTABLISHED -j ACCEPT\n\
         ip netns exec sw iptables -t nat -A POSTROUTING -o br0 -j ACCEPT\n"
    );
    bridges_without_allocating(&setup);
}

/// IPv6 off, as in [`E3`].
const VETH: &str = "ip netns add a\nip netns add b\n\
ip netns exec a sysctl -qw net.ipv6.conf.all.disable_ipv6=1\nip netns exec b sysctl -qw net.ipv6.conf.all.disable_ipv6=1\n\
ip -n a link add va type veth peer name vb netns b\n\
ip -n a addr add 10.0.0.1/24 dev va\nip -n b addr add 10.0.0.2/24 dev vb\n\
ip -n a link set va up\nip -n b link set vb up\nip netns exec a ping -c 1 10.0.0.2\n";

/// The same pair over IPv6 only, past its start-up chatter (DAD, MLD, router
/// solicitations), its neighbours resolved.
const VETH6: &str = "ip netns add a\nip netns add b\n\
ip -n a link add va type veth peer name vb netns b\n\
ip -n a link set va up\nip -n b link set vb up\n\
ip -n a -6 addr add 2001:db8::1/64 dev va nodad\nip -n b -6 addr add 2001:db8::2/64 dev vb nodad\n\
sleep 20\nip netns exec a ping -6 -c 1 2001:db8::2\n";

/// Sends a 512-byte datagram to 10.0.0.1:9 (or `to`) every 100 µs.
#[derive(Debug, Default)]
struct UdpSource {
    to: Option<std::net::SocketAddr>,
    sock: Option<SocketId>,
    next: Option<Instant>,
    data: Vec<u8>,
}

impl Program for UdpSource {
    fn name(&self) -> &'static str {
        "udp-source"
    }
    fn start(&mut self, sys: &mut Sys<'_, '_, '_>) {
        self.sock = match self.to {
            Some(to) if to.is_ipv6() => sys.udp_bind("[::]:0".parse().unwrap()).ok(),
            _ => sys.udp_open(0).ok(),
        };
        self.data = vec![7; 512];
        self.next = Some(sys.now());
    }
    fn on_timeout(&mut self, sys: &mut Sys<'_, '_, '_>) {
        let to = self.to.unwrap_or_else(|| "10.0.0.1:9".parse().unwrap());
        let _ = sys.udp_send(self.sock.unwrap(), to, &self.data);
        self.next = Some(sys.now() + Duration::from_micros(100));
    }
    fn poll_timeout(&self) -> Option<Instant> {
        self.next
    }
    fn interrupt(&mut self, sys: &mut Sys<'_, '_, '_>) {
        sys.exit(130);
    }
    nslab::sim_nodes::any_program!();
}

/// Reads port 9 (UDP, `[::]:9` with `v6`) or a TCP connection on port 9 into one buffer
/// and counts bytes.
#[derive(Debug, Default)]
struct Sink {
    tcp: bool,
    v6: bool,
    buf: Vec<u8>,
    bytes: u64,
}

impl Program for Sink {
    fn name(&self) -> &'static str {
        "sink"
    }
    fn start(&mut self, sys: &mut Sys<'_, '_, '_>) {
        if self.tcp {
            sys.tcp_listen(9, 128).unwrap()
        } else if self.v6 {
            sys.udp_bind("[::]:9".parse().unwrap()).unwrap()
        } else {
            sys.udp_open(9).unwrap()
        };
        self.buf = Vec::with_capacity(1 << 17);
    }
    fn on_ready(&mut self, sys: &mut Sys<'_, '_, '_>, sock: SocketId) {
        if self.tcp {
            self.buf.clear();
            self.bytes += sys.tcp_recv_into(sock, &mut self.buf) as u64;
        } else {
            while sys.udp_recv_into(sock, &mut self.buf).is_some() {
                self.bytes += self.buf.len() as u64;
            }
        }
    }
    fn interrupt(&mut self, sys: &mut Sys<'_, '_, '_>) {
        sys.exit(130);
    }
    nslab::sim_nodes::any_program!();
}

/// Streams to 10.0.0.1:9 over TCP, keeping 16 KiB in flight.
#[derive(Debug, Default)]
struct TcpSource {
    sock: Option<SocketId>,
    data: Vec<u8>,
}

impl Program for TcpSource {
    fn name(&self) -> &'static str {
        "tcp-source"
    }
    fn start(&mut self, sys: &mut Sys<'_, '_, '_>) {
        self.sock = sys.tcp_connect("10.0.0.1".parse().unwrap(), 9, None).ok();
        self.data = vec![7; 4096];
    }
    fn on_ready(&mut self, sys: &mut Sys<'_, '_, '_>, sock: SocketId) {
        if sys.tcp_state(sock).0 == nslab::sim_nodes::sys::TcpState::Established && sys.tcp_unacked(sock) < 16384 {
            sys.tcp_send(sock, &self.data);
        }
    }
    fn interrupt(&mut self, sys: &mut Sys<'_, '_, '_>) {
        sys.exit(130);
    }
    nslab::sim_nodes::any_program!();
}

fn sink_bytes(lab: &nslab::sim_nodes::Lab, job: nslab::sim_nodes::Job) -> u64 {
    let n = lab.netns(job.node);
    n.procs().find(|(p, _)| **p == job.pid).and_then(|(_, p)| p.as_any().downcast_ref::<Sink>()).unwrap().bytes
}

#[test]
fn udp_socket_delivery_allocates_nothing_per_datagram() {
    let _one = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let mut run = common::run_text("veth.sh", VETH).unwrap();
    let lab = &mut run.lab;
    let (a, b) = (lab.ns(Some("a")).unwrap(), lab.ns(Some("b")).unwrap());
    let sink = lab.spawn(a, Box::new(Sink::default()));
    lab.spawn(b, Box::new(UdpSource::default()));
    let n = measured(lab, |lab| {
        let t = lab.world().now() + Duration::from_millis(100);
        lab.world_mut().run_until(t).unwrap();
    });
    assert!(sink_bytes(lab, sink) >= 1900 * 512, "the sink read about 2000 datagrams: {}", sink_bytes(lab, sink));
    assert_eq!(n, 0, "allocations while delivering 1000 datagrams to a socket");
}

#[test]
fn udp_over_ipv6_allocates_nothing_per_datagram() {
    let _one = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let mut run = common::run_text("veth6.sh", VETH6).unwrap();
    let lab = &mut run.lab;
    let (a, b) = (lab.ns(Some("a")).unwrap(), lab.ns(Some("b")).unwrap());
    let sink = lab.spawn(a, Box::new(Sink { v6: true, ..Sink::default() }));
    let to = Some("[2001:db8::1]:9".parse().unwrap());
    lab.spawn(b, Box::new(UdpSource { to, ..UdpSource::default() }));
    let n = measured(lab, |lab| {
        let t = lab.world().now() + Duration::from_millis(100);
        lab.world_mut().run_until(t).unwrap();
    });
    assert!(sink_bytes(lab, sink) >= 1900 * 512, "the sink read about 2000 datagrams: {}", sink_bytes(lab, sink));
    assert_eq!(n, 0, "allocations while delivering IPv6 datagrams to a socket");
}

#[test]
fn a_tcp_stream_allocates_nothing_per_segment() {
    let _one = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let mut run = common::run_text("veth.sh", VETH).unwrap();
    let lab = &mut run.lab;
    let (a, b) = (lab.ns(Some("a")).unwrap(), lab.ns(Some("b")).unwrap());
    let sink = lab.spawn(a, Box::new(Sink { tcp: true, ..Sink::default() }));
    lab.spawn(b, Box::new(TcpSource::default()));
    // Until the pools of segment buffers have grown to what the window keeps in flight.
    let t = lab.world().now() + Duration::from_millis(50);
    lab.world_mut().run_until(t).unwrap();
    let got = sink_bytes(lab, sink);
    let n = measured(lab, |lab| {
        let t = lab.world().now() + Duration::from_millis(10);
        lab.world_mut().run_until(t).unwrap();
    });
    assert!(sink_bytes(lab, sink) - got > 1 << 18, "more than 256 KiB streamed: {}", sink_bytes(lab, sink) - got);
    assert_eq!(n, 0, "allocations while streaming");
}

#[test]
fn qdiscs_allocate_nothing_per_frame() {
    // Through netem (a jittered delay, so frames pass each other in its time queue) on the
    // way out and a tbf with a rate estimator on the way back: frames wait in buffers the
    // devices recycle.
    let setup = format!(
        "{E3}ip netns exec router tc qdisc add dev gw-veth1 root netem delay 1ms 200us\n\
         ip netns exec router tc qdisc add dev gw-veth0 root est 250ms 1sec tbf rate 100mbit burst 64kb latency 50ms\n"
    );
    // Warm-up long enough for the jitter's deepest reordering to have sized the queues.
    forwards_without_allocating_after(&setup, 500);
}

#[test]
fn htb_allocates_nothing_per_frame() {
    // Requests classified by a u32 filter into a borrowing leaf with a rate estimator;
    // replies unclassified, through the direct queue.
    let setup = format!(
        "{E3}ip netns exec router tc qdisc add dev gw-veth1 root handle 1: htb\n\
         ip netns exec router tc class add dev gw-veth1 parent 1: classid 1:1 htb rate 100mbit\n\
         ip netns exec router tc class add dev gw-veth1 parent 1:1 classid 1:10 est 250ms 1sec htb rate 10mbit ceil 100mbit\n\
         ip netns exec router tc filter add dev gw-veth1 parent 1: protocol ip prio 1 u32 match ip dst 198.51.100.1/32 flowid 1:10\n\
         ip netns exec router tc qdisc add dev gw-veth0 root handle 1: htb\n"
    );
    forwards_without_allocating(&setup);
}

#[test]
fn qdisc_trees_allocate_nothing_per_frame() {
    // A netem under an htb leaf (htb passing over it while its frames wait) one way, a tbf
    // under a netem (peeked at through the child) the other. The jitter reorders frames in
    // two queues now (netem's and htb's view of it): the warm-up is long enough for the
    // deepest reordering of this seeded run to have sized them.
    let setup = format!(
        "{E3}ip netns exec router tc qdisc add dev gw-veth1 root handle 1: htb default 10\n\
         ip netns exec router tc class add dev gw-veth1 parent 1: classid 1:10 htb rate 100mbit\n\
         ip netns exec router tc qdisc add dev gw-veth1 parent 1:10 handle 10: netem delay 1ms 200us\n\
         ip netns exec router tc qdisc add dev gw-veth0 root handle 1: netem delay 1ms\n\
         ip netns exec router tc qdisc add dev gw-veth0 parent 1:1 handle 10: tbf rate 100mbit burst 64kb latency 50ms\n"
    );
    forwards_without_allocating_after(&setup, 3000);
}
