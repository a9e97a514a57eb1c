//! `Netns`: one network namespace — loopback plus interfaces, an IPv4 stack and IPv6
//! ([`ipv6`]).
//!
//! What `ip netns add` makes. L2/L3 are ours: interfaces and addresses ([`iface`]), the FIB
//! ([`fib`]), the neighbour table ([`neigh`]), forwarding gated by `net.ipv4.ip_forward`
//! ([`sysctl`]), ICMP with Linux's rate limits ([`icmp`]), fragmentation and reassembly
//! (`frag.rs`) and path-MTU exceptions (`pmtu.rs`). Receive paths live in `rx.rs`,
//! output paths in `tx.rs`. Programs run inside the namespace and reach the stack only
//! through [`crate::sys::Sys`]; the stack knows no program. It delivers to the socket table
//! ([`socktab`]: receive queues, ready marks) and, once its own work for an event is done,
//! `Netns::settle` calls the owners of ready sockets and lets smoltcp act on what they did
//! (UDP sockets of both families: `udp.rs`; TCP on smoltcp: `sockets.rs`). This module
//! must not import `crate::proc`.
//!
//! The namespace is a sans-IO [`Node`]: frames in through `handle_frame`, deadlines through
//! `handle_timeout`, everything out through the engine's context.

mod addr;
pub mod bridge;
mod bridging;
mod drop;
pub mod fib;
mod frag;
pub mod hooks;
pub mod icmp;
pub mod iface;
pub mod ipv6;
pub mod neigh;
mod pmtu;
mod rx;
mod sockets;
pub mod socktab;
pub use sockets::SocketInfo;
pub use tcp::TcpState;
pub(crate) use tcp::{ListenCheck, ListenSpec};
pub mod sysctl;
mod tc;
mod tcp;
pub mod timers;
mod tx;
mod udp;
mod watch;

use crate::sys::{Process, Sys};
use fib::{Fib, Proto};
use iface::{IfAddr, IfKind, Iface, Scope};
use neigh::{NeighKey, NeighTable};
use sim_core::rng::{self, NodeRng};
use sim_core::{Context, Duration, Instant, MacAddr, Node, PortId};
use std::collections::{BTreeMap, VecDeque};
use std::net::Ipv4Addr;
use sysctl::Sysctl;
use timers::Timers;

pub use bridging::BridgeError;
pub use tx::{Errno, OutSpec, Pmtudisc, RouteOut};

/// What a namespace's deadlines belong to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TimerKey {
    /// Packets waiting on the loopback device.
    Loopback,
    /// A device's qdisc wants to send (its watchdog, or the rest of a batch).
    Qdisc(u32),
    /// A process. Before neighbour entries: a process's deadline at the same instant as
    /// an ARP timer was set before the packet that started the resolution was sent.
    Proc(u32),
    /// A neighbour entry.
    Neigh(NeighKey),
    /// An IPv6 neighbour (neighbour discovery) entry.
    Nd(NeighKey<std::net::Ipv6Addr>),
    /// A bridge's FDB ageing.
    Fdb(u32),
    /// Address lifetimes (`valid_lft`) running out.
    Lifetimes,
    /// Conntrack entries timing out.
    Conntrack,
    /// smoltcp's next deadline (retransmissions, delayed ACKs, TIME-WAIT).
    Sockets,
    /// IP reassembly queues timing out.
    Defrag,
    /// IPv6 reassembly queues timing out.
    Defrag6,
    /// An IPv6 address's duplicate address detection.
    Dad(u32, std::net::Ipv6Addr),
    /// An interface's next router solicitation.
    Rs(u32),
    /// An interface's next MLDv2 state-change report.
    Mld(u32),
    /// An interface's next MLDv2 report after its link-local address's DAD.
    MldDad(u32),
    /// What router advertisements configured running out (addresses, routes).
    Lifetimes6,
    /// An interface's next MLDv2 report of groups it left.
    MldLeave(u32),
    /// The IPv6 routes' garbage collector (`fib6_run_gc`), every `gc_interval`.
    Fib6Gc,
}

/// Counters a namespace keeps (`ip -s link`, `netstat -s` material).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    /// Frames received.
    pub rx_frames: u64,
    /// Frames sent.
    pub tx_frames: u64,
    /// Frames addressed to another host, ignored.
    pub rx_otherhost: u64,
    /// Malformed frames or packets, dropped.
    pub rx_malformed: u64,
    /// Packets dropped because forwarding is off.
    pub fwd_disabled: u64,
    /// Packets forwarded.
    pub forwarded: u64,
    /// ICMP errors suppressed by the rate limit.
    pub icmp_ratelimited: u64,
}

/// Why an address could not be added or removed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AddrError {
    /// Exactly this address and prefix is already on the interface.
    #[error("Error: ipv4: Address already assigned.")]
    Exists,
    /// No such address.
    #[error("Error: ipv4: Address not found.")]
    NotFound,
}

/// Why a route could not be added.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RouteError {
    /// The table refused it.
    #[error(transparent)]
    Fib(#[from] fib::FibError),
    /// The gateway is not on a connected network.
    #[error("Error: Nexthop has invalid gateway.")]
    InvalidGateway,
    /// The device is down.
    #[error("Error: Nexthop device is not up.")]
    DeviceDown,
}

/// A route as `ip route add` asks for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteSpec {
    /// Destination network.
    pub dst: Ipv4Addr,
    /// Prefix length.
    pub prefix: u8,
    /// `via`.
    pub gateway: Option<Ipv4Addr>,
    /// `dev` (resolved to an ifindex).
    pub dev: Option<u32>,
    /// `metric`.
    pub metric: u32,
    /// `src`.
    pub src: Option<Ipv4Addr>,
    /// `proto`.
    pub proto: Proto,
    /// `onlink`: accept a gateway that is not on a connected network.
    pub onlink: bool,
}

/// A namespace.
pub struct Netns {
    name: sim_core::NsName,
    /// Boxed: a map's node holds eleven entries, and most namespaces have two interfaces.
    ifaces: BTreeMap<u32, Box<Iface>>,
    /// Interface names → ifindex (`ip link … dev NAME` looks up by name on every command).
    names: BTreeMap<String, u32>,
    addr_cache: AddrCache,
    bridges: BTreeMap<u32, bridge::Bridge>,
    next_ifindex: u32,
    fib: Fib,
    neigh: NeighTable,
    /// The kernel's IPv6 routes.
    fib6: ipv6::Fib6,
    /// The IPv6 neighbour table, and what it asked for, waiting to be done.
    nd: NeighTable<std::net::Ipv6Addr>,
    pending6: VecDeque<neigh::Action<std::net::Ipv6Addr>>,
    /// Scratch buffers for IPv6's per-packet paths: a packet sent, an echo answered, a
    /// packet forwarded.
    buf6: Vec<u8>,
    echo6: Vec<u8>,
    fwd6: Vec<u8>,
    sysctl: Sysctl,
    /// Processes by pid; a process's slot is empty while it is being called (so that the
    /// call owns it), which every reader here treats as absent.
    procs: BTreeMap<u32, ProcSlot>,
    next_pid: u32,
    timers: Timers<TimerKey>,
    /// The devices' qdiscs (`tc`).
    tc: crate::tc::Tc,
    icmp_rl: icmp::RateLimit,
    ip_id: u16,
    // Scratch buffers for the per-packet paths: empty until first used (an idle
    // namespace holds none), then kept at the size they grew to.
    frame: Vec<u8>,
    /// What is being sent now is a local TCP/UDP segment, or a forwarded packet that came
    /// so: `CHECKSUM_PARTIAL` (`Context::send_buffer_csum_partial`).
    tx_csum_partial: bool,
    pktbuf: Vec<u8>,
    icmpbuf: Vec<u8>,
    /// A UDP datagram being sent (header and payload).
    udpbuf: Vec<u8>,
    fragbuf: Vec<u8>,
    /// Programs waiting for a capture to stop (`tcpdump -c`).
    watches: Vec<(u32, sim_core::CaptureId)>,
    /// A datagram reassembled for local delivery.
    fragin: Vec<u8>,
    defrag: frag::Defrag,
    pmtu: pmtu::Pmtu,
    /// IPv6's path-MTU exceptions, from "packet too big".
    pmtu6: pmtu::Pmtu<std::net::Ipv6Addr>,
    /// IPv6 reassembly queues.
    reasm6: ipv6::frag::Reasm6,
    /// Conntrack's own IPv6 reassembly queues (`nf_defrag_ipv6`).
    ct_reasm6: ipv6::frag::Reasm6,
    /// Fragments being sent.
    frag6: Vec<Vec<u8>>,
    acts: Vec<neigh::Action>,
    pending: VecDeque<neigh::Action>,
    lo_queue: VecDeque<(Instant, Vec<u8>)>,
    counters: Counters,
    nf: crate::netfilter::Netfilter,
    nfbuf: Vec<u8>,
    /// A bridged frame as br_netfilter's NAT rewrites it.
    brbuf: Vec<u8>,
    l4: Option<Box<sockets::L4>>,
    /// The socket table: every socket of every process, by id.
    pub(crate) socks: socktab::SockTab,
}

/// The loopback device's ifindex.
pub const LO: u32 = 1;

/// Addresses the per-packet checks look up, derived from the interfaces.
#[derive(Clone, Debug, Default)]
struct AddrCache {
    local: std::collections::BTreeSet<Ipv4Addr>,
    loopback_net: bool,
    bcast: std::collections::BTreeSet<(u32, Ipv4Addr)>,
    bcast_any: std::collections::BTreeSet<Ipv4Addr>,
}

/// A process, and the deadline last armed for it in the timers.
#[derive(Default)]
struct ProcSlot {
    proc_: Option<Process>,
    armed: Option<Instant>,
}

impl Netns {
    /// A new namespace with `lo` (down), drawing its IP ID counter from `rng`.
    pub fn new(name: &str, rng: &mut NodeRng) -> Self {
        let mut ifaces = BTreeMap::new();
        ifaces.insert(LO, Box::new(Iface::new("lo", LO, IfKind::Loopback, MacAddr::ZERO)));
        let ip_id = rng::range_u32(rng, 0, 0xffff) as u16;
        Netns {
            name: name.into(),
            ifaces,
            names: BTreeMap::from([("lo".to_string(), LO)]),
            addr_cache: AddrCache::default(),
            bridges: BTreeMap::new(),
            next_ifindex: 2,
            fib: Fib::default(),
            neigh: NeighTable::default(),
            fib6: ipv6::Fib6::default(),
            nd: NeighTable::default(),
            pending6: VecDeque::new(),
            buf6: Vec::new(),
            echo6: Vec::new(),
            fwd6: Vec::new(),
            sysctl: Sysctl::default(),
            procs: BTreeMap::new(),
            next_pid: 1,
            timers: Timers::default(),
            tc: crate::tc::Tc::default(),
            icmp_rl: icmp::RateLimit::default(),
            ip_id,
            frame: Vec::new(),
            tx_csum_partial: false,
            pktbuf: Vec::new(),
            icmpbuf: Vec::new(),
            udpbuf: Vec::new(),
            fragbuf: Vec::new(),
            watches: Vec::new(),
            fragin: Vec::new(),
            defrag: frag::Defrag::default(),
            pmtu: pmtu::Pmtu::default(),
            pmtu6: pmtu::Pmtu::default(),
            reasm6: ipv6::frag::Reasm6::default(),
            ct_reasm6: ipv6::frag::Reasm6::default(),
            frag6: Vec::new(),
            acts: Vec::new(),
            pending: VecDeque::new(),
            lo_queue: VecDeque::new(),
            counters: Counters::default(),
            nf: crate::netfilter::Netfilter::default(),
            nfbuf: Vec::new(),
            brbuf: Vec::new(),
            l4: None,
            socks: socktab::SockTab::default(),
        }
    }

    /// The namespace's name.
    pub fn name(&self) -> &str {
        self.name.as_str()
    }
    /// Interfaces by ifindex.
    pub fn ifaces(&self) -> impl Iterator<Item = &Iface> {
        self.ifaces.values().map(|i| &**i)
    }
    /// An interface.
    pub fn iface(&self, ifindex: u32) -> Option<&Iface> {
        self.ifaces.get(&ifindex).map(|i| &**i)
    }
    /// An interface by name.
    pub fn iface_by_name(&self, name: &str) -> Option<&Iface> {
        self.names.get(name).and_then(|ix| self.ifaces.get(ix)).map(|i| &**i)
    }
    /// The routing table.
    pub fn fib(&self) -> &Fib {
        &self.fib
    }
    /// The neighbour table.
    pub fn neigh(&self) -> &NeighTable {
        &self.neigh
    }
    /// Sysctl values.
    pub fn sysctl(&self) -> &Sysctl {
        &self.sysctl
    }
    /// The iptables tables (`filter`, `nat`), as `iptables -S` would show them.
    pub fn iptables_tables(&self) -> &crate::netfilter::table::Tables {
        &self.nf.tables
    }
    /// Counters.
    pub fn counters(&self) -> &Counters {
        &self.counters
    }
    /// Running processes by pid.
    pub fn procs(&self) -> impl Iterator<Item = (&u32, &Process)> {
        self.procs.iter().filter_map(|(pid, p)| Some((pid, p.proc_.as_ref()?)))
    }

    /// True while process `pid` runs.
    pub fn is_running(&self, pid: u32) -> bool {
        self.procs.get(&pid).is_some_and(|p| p.proc_.is_some())
    }

    /// The ifindex a new interface gets, as the kernel's `dev_index_reserve` picks it: a
    /// device moved in keeps `want` when it is free here, and that leaves the namespace's
    /// counter where it was; a device made here takes the first free index from the counter
    /// on (`xa_alloc_cyclic`), and the counter moves past it.
    fn alloc_ifindex(&mut self, want: Option<u32>) -> u32 {
        if let Some(w) = want
            && !self.ifaces.contains_key(&w)
        {
            return w;
        }
        while self.ifaces.contains_key(&self.next_ifindex) {
            self.next_ifindex += 1;
        }
        let i = self.next_ifindex;
        self.next_ifindex += 1;
        i
    }

    /// Adds an interface, keeping `want` as its ifindex if it is free here (as a device
    /// moved between namespaces keeps its index when it can). Returns the ifindex.
    pub fn add_iface(&mut self, rng: &mut NodeRng, name: &str, kind: IfKind, mac: MacAddr, want: Option<u32>) -> u32 {
        let ifindex = self.alloc_ifindex(want);
        let mut i = Iface::new(name, ifindex, kind, mac);
        i.forwarding = self.sysctl.num("net.ipv4.conf.default.forwarding") == 1;
        i.disable_ipv6 = self.sysctl.num("net.ipv6.conf.default.disable_ipv6");
        i.accept_ra = self.sysctl.num("net.ipv6.conf.default.accept_ra");
        self.apply_neigh_parms(&mut i, rng, Instant::ZERO);
        self.names.insert(name.to_string(), ifindex);
        // A new interface is down and has no address: the address caches stand.
        self.ifaces.insert(ifindex, Box::new(i));
        ifindex
    }

    fn apply_neigh_parms(&self, i: &mut Iface, rng: &mut NodeRng, now: Instant) {
        let s = &self.sysctl;
        let n = |leaf: &str| s.neigh(&i.name, leaf).max(0) as u64;
        i.neigh.base_reachable_time = Duration::from_millis(n("base_reachable_time_ms"));
        i.neigh.delay_probe_time = Duration::from_secs(n("delay_first_probe_time"));
        i.neigh.retrans_time = Duration::from_millis(n("retrans_time_ms"));
        i.neigh.ucast_probes = n("ucast_solicit") as u32;
        i.neigh.mcast_probes = n("mcast_solicit") as u32;
        redraw_reachable(&mut i.neigh, rng, now);
    }

    /// Removes an interface (deleted, or moved to another namespace): its addresses,
    /// routes, neighbours and per-interface sysctls go with it.
    pub fn remove_iface(&mut self, ifindex: u32) -> Option<Iface> {
        self.unbridge(ifindex);
        let mut i = self.ifaces.remove(&ifindex)?;
        if self.names.get(&i.name) == Some(&ifindex) {
            self.names.remove(&i.name);
        }
        self.fib.flush_dev(ifindex);
        self.neigh.forget_iface(ifindex, &mut self.timers);
        self.nd.forget_iface(ifindex, &mut self.timers);
        self.routes6_forget(ifindex);
        self.sysctl.forget_iface(&i.name);
        // Its qdiscs go with it (`dev_shutdown`), as when it moves to another namespace.
        self.tc.remove(ifindex);
        self.timers.set(TimerKey::Qdisc(ifindex), None);
        i.addrs.clear();
        i.admin_up = false;
        i.carrier = false;
        self.refresh_addrs();
        Some(*i)
    }

    /// Renames an interface.
    pub fn rename_iface(&mut self, ifindex: u32, name: &str) {
        if let Some(i) = self.ifaces.get_mut(&ifindex) {
            self.names.remove(&i.name);
            i.name = name.to_string();
            self.names.insert(name.to_string(), ifindex);
        }
    }

    /// Sets an interface's MAC address (a bridge then keeps it; a port's local FDB entry
    /// follows it).
    pub fn set_mac(&mut self, ifindex: u32, mac: MacAddr, now: Instant) {
        let Some(i) = self.ifaces.get_mut(&ifindex) else { return };
        let old = i.mac;
        i.mac = mac;
        let master = i.master;
        if mac != old {
            self.changed_addr(ifindex);
        }
        if let Some(br) = self.bridges.get_mut(&ifindex) {
            br.mac_set = true;
            br.remove_local(old, ifindex);
            br.add_local(mac, ifindex, now);
            // A new bridge id (`br_stp_change_bridge_id`) reselects the ports' states, and
            // with them the bridge's carrier: a bridge without ports loses it.
            if mac != old {
                self.update_bridge_carrier(ifindex);
            }
        }
        if let Some(m) = master {
            if let Some(br) = self.bridges.get_mut(&m) {
                br.set_port_mac(ifindex, mac);
                br.remove_local(old, ifindex);
                br.add_local(mac, ifindex, now);
            }
            self.recalc_bridge_mac(m, now);
        }
    }

    /// A device's MAC address changed (`NETDEV_CHANGEADDR`): its neighbour entries go,
    /// permanent ones too, as `neigh_changeaddr()` flushes them, so the next packet
    /// resolves its neighbour from the new address.
    pub(crate) fn changed_addr(&mut self, ifindex: u32) {
        self.neigh.forget_iface(ifindex, &mut self.timers);
        self.nd.forget_iface(ifindex, &mut self.timers);
    }

    /// Sets an interface's MTU.
    pub fn set_mtu(&mut self, ifindex: u32, mtu: u32) {
        if let Some(i) = self.ifaces.get_mut(&ifindex) {
            i.mtu = mtu;
        }
    }

    /// Gives an interface the counters it had elsewhere (a device moved here).
    pub fn set_stats(&mut self, ifindex: u32, stats: iface::IfStats) {
        if let Some(i) = self.ifaces.get_mut(&ifindex) {
            i.stats = stats;
        }
    }

    /// Records the link behind a veth end.
    pub fn set_link(&mut self, ifindex: u32, link: Option<sim_core::LinkId>) {
        if let Some(i) = self.ifaces.get_mut(&ifindex)
            && let IfKind::Veth { link: l } = &mut i.kind
        {
            *l = link;
        }
    }

    /// `ip link set IF up|down`. Up installs the connected routes of the interface's
    /// addresses (and 127.0.0.1/8 on `lo`); down removes every route through it and its
    /// neighbours.
    pub fn set_admin_up(&mut self, ifindex: u32, up: bool) {
        self.admin_up_inner(ifindex, up);
        // Only an interface with addresses changes what is local or broadcast here.
        if self.ifaces.get(&ifindex).is_some_and(|i| !i.addrs.is_empty()) {
            self.refresh_addrs();
        }
    }

    fn admin_up_inner(&mut self, ifindex: u32, up: bool) {
        let Some(i) = self.ifaces.get_mut(&ifindex) else { return };
        if i.admin_up == up {
            return;
        }
        i.admin_up = up;
        i.ever_up |= up;
        // Up attaches the device's qdisc (`dev_activate`); down drops what waits in it.
        if up {
            self.tc.activate(ifindex, i.tx_queues());
        } else {
            self.tc.reset(ifindex, Instant::ZERO);
            self.timers.set(TimerKey::Qdisc(ifindex), None);
        }
        let master = i.master;
        let is_bridge = i.is_bridge();
        if let Some(m) = master {
            if !up {
                self.flush_port_fdb(m, ifindex);
            }
            self.update_bridge_carrier(m);
        }
        if is_bridge {
            let ports: Vec<u32> =
                self.bridges.get(&ifindex).map(|b| b.ports().iter().map(|p| p.0).collect()).unwrap_or_default();
            if !up {
                for &p in &ports {
                    self.flush_port_fdb(ifindex, p);
                }
            }
            // `br_stp_enable_bridge` / `br_stp_disable_bridge` act through the ports: a
            // bridge without any keeps its carrier as it was.
            if !ports.is_empty() {
                self.update_bridge_carrier(ifindex);
            }
        }
        let Some(i) = self.ifaces.get_mut(&ifindex) else { return };
        if up {
            // Below IPv4's least MTU lo comes up without 127.0.0.1 (inetdev_event()).
            if i.is_loopback() && i.mtu >= 68 && !i.addrs.iter().any(|a| a.addr == Ipv4Addr::LOCALHOST) {
                i.addrs.insert(
                    0,
                    IfAddr {
                        addr: Ipv4Addr::LOCALHOST,
                        prefix: 8,
                        broadcast: None,
                        scope: Scope::Host,
                        secondary: false,
                        valid_until: None,
                    },
                );
            }
            let addrs = i.addrs.clone();
            for a in addrs.iter().filter(|a| !a.secondary) {
                self.add_prefix_route(ifindex, a);
            }
        } else {
            self.fib.flush_dev(ifindex);
            self.neigh.flush(Some(ifindex), &mut self.timers);
            self.nd.flush(Some(ifindex), &mut self.timers);
        }
    }

    /// The peer's state changed: carrier follows it. Losing carrier flushes the
    /// interface's neighbours (`neigh_carrier_down`); routes stay, marked `linkdown`.
    /// ([`Netns::settle_lower`] then decides its operstate.)
    pub fn set_carrier(&mut self, ifindex: u32, carrier: bool) {
        let Some(i) = self.ifaces.get_mut(&ifindex) else { return };
        if i.carrier == carrier {
            return;
        }
        i.carrier = carrier;
        i.stats.carrier_changes += 1;
        let master = i.master;
        if !carrier {
            self.neigh.flush(Some(ifindex), &mut self.timers);
            self.nd.flush(Some(ifindex), &mut self.timers);
            // Linkwatch deactivates the device: its qdisc drops what waits.
            self.tc.reset(ifindex, Instant::ZERO);
            self.timers.set(TimerKey::Qdisc(ifindex), None);
        }
        if let Some(m) = master {
            if !carrier {
                self.flush_port_fdb(m, ifindex);
            }
            self.update_bridge_carrier(m);
        }
    }

    /// Linkwatch's verdict on a device without carrier, once the change has settled:
    /// LOWERLAYERDOWN if a device here has the peer's index (`lower`) and is not up, else
    /// DOWN (`default_operstate` looks the index up in the device's own namespace).
    pub fn settle_lower(&mut self, ifindex: u32, lower: Option<u32>) {
        let lower_down =
            lower.and_then(|p| self.ifaces.get(&p)).is_some_and(|d| !(d.admin_up && (d.carrier || d.is_loopback())));
        if let Some(i) = self.ifaces.get_mut(&ifindex).filter(|i| !i.carrier) {
            i.lower_down = lower_down;
        }
    }

    /// Installs a neighbour entry and sends what waited on it (`SIOCSARP`, as dnsmasq does).
    pub fn neigh_inject(&mut self, cx: &mut Context<'_>, ifindex: u32, ip: Ipv4Addr, mac: MacAddr) {
        // SIOCSARP without ATF_PERM (arp_req_set) makes the entry STALE.
        self.neigh_set(cx, ifindex, ip, mac, neigh::Nud::Stale);
    }

    /// Sets a neighbour entry as an administrator does (`ip neigh add|replace|change`,
    /// `SIOCSARP`) and sends what waited on it.
    pub fn neigh_set(&mut self, cx: &mut Context<'_>, ifindex: u32, ip: Ipv4Addr, mac: MacAddr, state: neigh::Nud) {
        let Some(i) = self.ifaces.get(&ifindex) else { return };
        let parms = i.neigh.clone();
        let mut acts = std::mem::take(&mut self.acts);
        let flags = neigh::UpdateFlags { override_: true, weak_override: false, admin: true };
        self.neigh.update(&parms, cx.now(), (ifindex, ip), mac, state, flags, true, &mut self.timers, &mut acts);
        self.pending.extend(acts.drain(..));
        self.acts = acts;
        self.run_pending(cx);
    }

    /// `ip neigh del ADDR dev IF`; whether there was such an entry.
    pub fn neigh_del(&mut self, ifindex: u32, ip: Ipv4Addr) -> bool {
        self.neigh.remove((ifindex, ip), &mut self.timers)
    }

    /// `ip neigh flush [dev IF]`; returns how many entries went.
    pub fn neigh_flush(&mut self, ifindex: Option<u32>) -> usize {
        self.neigh.flush(ifindex, &mut self.timers)
    }

    /// `sysctl KEY`.
    pub fn sysctl_get(&self, key: &str) -> Result<String, sysctl::SysctlError> {
        match self.if6_conf_key(key) {
            Some((i, "accept_ra")) => Ok(i.accept_ra.to_string()),
            Some((i, _)) => Ok(i.disable_ipv6.to_string()),
            None => self.sysctl.get(key, |n| self.iface_by_name(n).is_some()),
        }
    }

    /// The interface and leaf of a `net.ipv6.conf.IF.{disable_ipv6,accept_ra}` `key`:
    /// values the interface itself keeps.
    fn if6_conf_key(&self, key: &str) -> Option<(&Iface, &'static str)> {
        let key = sysctl::normalize(key);
        let rest = key.strip_prefix("net.ipv6.conf.")?;
        ["disable_ipv6", "accept_ra"].into_iter().find_map(|leaf| {
            let name = rest.strip_suffix(leaf)?.strip_suffix('.')?;
            self.iface_by_name(name).map(|i| (i, leaf))
        })
    }

    /// `sysctl -w KEY=VALUE`; returns the value as stored.
    pub fn sysctl_set(&mut self, cx: &mut Context<'_>, key: &str, value: &str) -> Result<String, sysctl::SysctlError> {
        if let Some((ix, leaf)) = self.if6_conf_key(key).map(|(i, l)| (i.ifindex, l)) {
            let n: i64 = value.trim().parse().map_err(|_| sysctl::SysctlError::Invalid {
                key: sysctl::normalize(key),
                why: "expected a number".into(),
            })?;
            match (leaf, self.ifaces.get_mut(&ix)) {
                ("accept_ra", Some(i)) => i.accept_ra = n,
                _ => self.disable_ipv6_change(cx, ix, n),
            }
            return Ok(n.to_string());
        }
        let names: Vec<String> = self.ifaces.values().map(|i| i.name.clone()).collect();
        let (v, effect) = self.sysctl.set(key, value, |n| names.iter().any(|x| x == n))?;
        let now = cx.now();
        match effect {
            sysctl::Effect::None => {}
            sysctl::Effect::DisableIpv6All(off) => {
                let all: Vec<u32> = self.ifaces.keys().copied().collect();
                for ix in all {
                    self.disable_ipv6_change(cx, ix, i64::from(off));
                }
            }
            sysctl::Effect::ForwardingAll(on) => {
                for i in self.ifaces.values_mut() {
                    i.forwarding = on;
                }
            }
            sysctl::Effect::Forwarding6 => self.forwarding6_changed(now),
            sysctl::Effect::ForwardingIf(name, on) => {
                if let Some(i) = self.ifaces.values_mut().find(|i| i.name == name) {
                    i.forwarding = on;
                }
            }
            sysctl::Effect::Neigh(name) => {
                let idx: Vec<u32> =
                    self.ifaces.values().filter(|i| name == "default" || i.name == name).map(|i| i.ifindex).collect();
                for ix in idx {
                    let mut i = self.ifaces.remove(&ix).expect("listed");
                    self.apply_neigh_parms(&mut i, cx.rng(), now);
                    self.ifaces.insert(ix, i);
                }
            }
        }
        Ok(v)
    }

    /// True if `a` is an address of this namespace on an interface that is up (the local
    /// table: `lo`'s whole 127.0.0.0/8 included).
    pub fn is_local(&self, a: Ipv4Addr) -> bool {
        self.addr_cache.local.contains(&a) || (self.addr_cache.loopback_net && a.is_loopback())
    }

    /// True if `a` is the limited broadcast or a subnet broadcast of an interface (of
    /// `ifindex`, when given).
    pub fn is_broadcast(&self, a: Ipv4Addr, ifindex: Option<u32>) -> bool {
        a.is_broadcast()
            || match ifindex {
                Some(i) => self.addr_cache.bcast.contains(&(i, a)),
                None => self.addr_cache.bcast_any.contains(&a),
            }
    }

    /// Removes addresses whose `valid_lft` ran out (the kernel's `check_lifetime`) and
    /// arms the timer for the next one.
    fn expire_addrs(&mut self, now: Instant) {
        let gone: Vec<(u32, Ipv4Addr, u8)> = self
            .ifaces
            .values()
            .flat_map(|i| {
                i.addrs
                    .iter()
                    .filter(|a| a.valid_until.is_some_and(|t| t <= now))
                    .map(move |a| (i.ifindex, a.addr, a.prefix))
            })
            .collect();
        for (ix, a, p) in gone {
            let _ = self.addr_del(ix, a, Some(p));
        }
        self.arm_lifetimes();
    }

    fn arm_lifetimes(&mut self) {
        let next = self.ifaces.values().flat_map(|i| i.addrs.iter().filter_map(|a| a.valid_until)).min();
        self.timers.set(TimerKey::Lifetimes, next);
    }

    /// Sets the lifetime of an address (`ip addr change … valid_lft N`); `None` is forever.
    pub fn set_addr_lifetime(&mut self, ifindex: u32, addr: Ipv4Addr, valid_until: Option<Instant>) {
        if let Some(a) = self.ifaces.get_mut(&ifindex).and_then(|i| i.addrs.iter_mut().find(|a| a.addr == addr)) {
            a.valid_until = valid_until;
        }
        self.arm_lifetimes();
    }

    /// Recomputes the local and broadcast address sets (after any address or link-state
    /// change), so the per-packet checks are lookups rather than scans.
    fn refresh_addrs(&mut self) {
        let mut c = AddrCache::default();
        for i in self.ifaces.values().filter(|i| i.admin_up) {
            for a in &i.addrs {
                c.local.insert(a.addr);
                if i.is_loopback() && a.addr.is_loopback() {
                    c.loopback_net = true;
                }
                for b in [a.subnet_broadcast(), a.broadcast].into_iter().flatten() {
                    c.bcast.insert((i.ifindex, b));
                    c.bcast_any.insert(b);
                }
            }
        }
        self.addr_cache = c;
    }

    /// `inet_select_addr`: the source address for talking to `dst` out of `ifindex` — a
    /// primary address of that interface in `dst`'s subnet, else its first primary, else any
    /// global address of the namespace.
    pub fn select_src(&self, ifindex: u32, dst: Ipv4Addr) -> Option<Ipv4Addr> {
        let i = self.ifaces.get(&ifindex)?;
        let prim = || i.addrs.iter().filter(|a| !a.secondary && a.scope != Scope::Host);
        prim().find(|a| a.contains(dst)).or_else(|| prim().next()).map(|a| a.addr).or_else(|| {
            self.ifaces
                .values()
                .filter(|i| i.admin_up)
                .flat_map(|i| i.addrs.iter())
                .find(|a| a.scope == Scope::Global)
                .map(|a| a.addr)
        })
    }

    /// The namespace's name as the trace has it.
    pub fn ns_name(&self) -> &sim_core::NsName {
        &self.name
    }

    /// The pid the next process gets.
    pub(crate) fn next_pid(&self) -> u32 {
        self.next_pid
    }

    /// Pids from `pid` on: a namespace that takes a deleted one's name continues its pids.
    pub(crate) fn set_next_pid(&mut self, pid: u32) {
        self.next_pid = pid;
    }

    /// A pid for a new process (also a command that runs and ends at once).
    pub(crate) fn take_pid(&mut self) -> u32 {
        let pid = self.next_pid;
        self.next_pid += 1;
        pid
    }

    /// Starts a process in this namespace; returns its pid.
    pub fn spawn(&mut self, cx: &mut Context<'_>, proc_: Process) -> u32 {
        let pid = self.take_pid();
        self.procs.insert(pid, ProcSlot { proc_: Some(proc_), armed: None });
        self.call(cx, pid, |p, sys| p.start(sys));
        self.settle(cx);
        pid
    }

    /// A running process.
    pub(crate) fn proc_mut(&mut self, pid: u32) -> Option<&mut dyn crate::sys::Program> {
        self.procs.get_mut(&pid).and_then(|p| p.proc_.as_mut()).map(|p| p.as_mut())
    }

    /// The pids of running processes whose program is `name`.
    pub fn pids_of(&self, name: &str) -> Vec<u32> {
        self.procs().filter(|(_, p)| p.name() == name).map(|(k, _)| *k).collect()
    }

    /// True if process `pid` has detached from its terminal (a daemon).
    pub fn is_detached(&self, pid: u32) -> bool {
        self.procs.get(&pid).and_then(|p| p.proc_.as_ref()).is_some_and(|p| p.detached())
    }

    /// A line typed into a process's terminal.
    pub fn input(&mut self, cx: &mut Context<'_>, pid: u32, line: &str) {
        self.call(cx, pid, |p, sys| p.on_input(sys, line));
        self.settle(cx);
    }

    /// Sends SIGINT to a process (Ctrl-C, `kill -INT`, or the end of a scenario).
    pub fn interrupt(&mut self, cx: &mut Context<'_>, pid: u32) {
        self.call(cx, pid, |p, sys| p.interrupt(sys));
        self.settle(cx);
    }

    /// Runs `f` as process `pid` — a call from outside the engine's events, such as a
    /// user's future on this namespace — then lets the stack settle, as any entry point
    /// does. `None` if no such process runs.
    pub fn with_sys<R>(
        &mut self,
        cx: &mut Context<'_>,
        pid: u32,
        f: impl FnOnce(&mut Sys<'_, '_, '_>) -> R,
    ) -> Option<R> {
        let mut out = None;
        self.call(cx, pid, |_, sys| out = Some(f(sys)));
        self.settle(cx);
        out
    }

    /// Calls process `pid` with access to the stack; handles its exit and deadline. Only
    /// the namespace's entry points call it, never the stack while it works: the stack
    /// puts what it delivers on sockets, and [`Netns::settle`] calls their owners after.
    fn call(&mut self, cx: &mut Context<'_>, pid: u32, f: impl FnOnce(&mut Process, &mut Sys<'_, '_, '_>)) {
        // Taken out of its slot and put back: two lookups, where removing and inserting
        // it again rebalanced the map on every call.
        let Some(slot) = self.procs.get_mut(&pid) else { return };
        let (Some(mut p), armed) = (slot.proc_.take(), slot.armed) else { return };
        let mut sys = Sys { ns: self, cx, pid, exited: None };
        f(&mut p, &mut sys);
        match sys.exited {
            Some(status) => {
                self.procs.remove(&pid);
                self.reap(cx, pid, status);
            }
            None => {
                // The timers are touched only when its deadline moved (a call per datagram
                // leaves it alone).
                let at = p.poll_timeout();
                if at != armed {
                    self.timers.set(TimerKey::Proc(pid), at);
                }
                *self.procs.entry(pid).or_default() = ProcSlot { proc_: Some(p), armed: at };
            }
        }
    }

    /// Ends process `pid` with `status` without calling it (`kill -KILL`).
    pub(crate) fn kill(&mut self, cx: &mut Context<'_>, pid: u32, status: i32) {
        // Not one being called (its slot is empty): as before, only a process at rest.
        if self.is_running(pid) {
            self.procs.remove(&pid);
            self.reap(cx, pid, status);
        }
    }

    /// A process has ended: its deadline, sockets and table entry go.
    fn reap(&mut self, cx: &mut Context<'_>, pid: u32, status: i32) {
        self.timers.set(TimerKey::Proc(pid), None);
        self.sockets_exit(pid);
        self.socks.close_all(pid);
        cx.exit(&self.name, pid, status);
    }

    /// After the stack's work: calls the owners of ready sockets, in the order they became
    /// ready, and lets smoltcp act on what they did, until nothing is left to do.
    pub(crate) fn settle(&mut self, cx: &mut Context<'_>) {
        if !self.watches.is_empty() {
            self.check_watches(cx);
        }
        let mut rounds = 0u32;
        loop {
            if self.l4.as_ref().is_some_and(|l| l.needs_poll()) {
                // Round after round at one instant counts toward the event budget, which
                // ends a program that keeps its sockets busy for ever.
                if rounds > 0 && !cx.event() {
                    break;
                }
                rounds += 1;
                self.l4_poll(cx);
            } else if let Some((id, pid)) = self.socks.pop_ready() {
                self.call(cx, pid, |p, sys| p.on_ready(sys, id));
            } else {
                break;
            }
        }
    }

    fn next_ip_id(&mut self) -> u16 {
        self.ip_id = self.ip_id.wrapping_add(1);
        self.ip_id
    }
}

/// Redraws the reachable time: uniform in [base/2, 3·base/2) (`neigh_rand_reach_time`).
fn redraw_reachable(p: &mut iface::NeighParms, rng: &mut NodeRng, now: Instant) {
    let base = p.base_reachable_time.as_nanos();
    p.reachable_time =
        if base == 0 { Duration::ZERO } else { Duration::from_nanos(rng::below_u64(rng, base) + base / 2) };
    p.drawn_at = now;
}

impl Node for Netns {
    fn handle_frame(&mut self, cx: &mut Context<'_>, port: PortId, frame: &[u8]) {
        let mut buf = cx.buffer();
        buf.extend_from_slice(frame);
        self.handle_frame_mut(cx, port, &mut buf);
        cx.recycle(buf);
    }

    fn handle_frame_mut(&mut self, cx: &mut Context<'_>, port: PortId, frame: &mut [u8]) {
        self.rx_frame(cx, port.0, frame);
        self.settle(cx);
    }

    fn port_info(&self, port: PortId) -> Option<sim_core::capture::PortInfo> {
        let i = self.ifaces.get(&port.0)?;
        Some(sim_core::capture::PortInfo { name: i.name.clone(), mac: i.mac, loopback: port.0 == LO })
    }

    fn handle_timeout(&mut self, cx: &mut Context<'_>) {
        let now = cx.now();
        let mut handled = 0u32;
        while self.timers.next().is_some_and(|t| t <= now) {
            // The engine counted this call; every further deadline handled in it counts too,
            // so a deadline that keeps re-arming itself at `now` meets the event budget.
            if handled > 0 && !cx.event() {
                break;
            }
            handled += 1;
            let Some(key) = self.timers.pop_due(now) else { break };
            match key {
                TimerKey::Loopback => self.drain_loopback(cx),
                TimerKey::Qdisc(i) => self.qdisc_run(cx, i),
                TimerKey::Neigh(k) => {
                    // The kernel redraws reachable_time every 300 s (neigh_periodic_work).
                    if let Some(i) = self.ifaces.get_mut(&k.0) {
                        if now - i.neigh.drawn_at >= Duration::from_secs(300) {
                            redraw_reachable(&mut i.neigh, cx.rng(), now);
                        }
                        let parms = i.neigh.clone();
                        let mut acts = std::mem::take(&mut self.acts);
                        self.neigh.timer(&parms, now, k, &mut self.timers, &mut acts);
                        self.pending.extend(acts.drain(..));
                        self.acts = acts;
                        self.run_pending(cx);
                    }
                }
                TimerKey::Proc(pid) => {
                    // Its deadline fired: none is armed now.
                    if let Some(s) = self.procs.get_mut(&pid) {
                        s.armed = None;
                    }
                    self.call(cx, pid, |p, sys| p.on_timeout(sys))
                }
                TimerKey::Fdb(br) => self.fdb_expire(cx, br),
                TimerKey::Lifetimes => self.expire_addrs(now),
                TimerKey::Conntrack => self.conntrack_expire(cx),
                TimerKey::Sockets => self.l4_poll(cx),
                TimerKey::Defrag => self.defrag_expire(cx),
                TimerKey::Defrag6 => self.defrag6_expire(cx),
                TimerKey::Dad(i, a) => self.dad_timer(cx, i, a),
                TimerKey::Nd(k) => self.nd_timer(cx, k),
                TimerKey::Rs(i) => self.rs_timer(cx, i),
                TimerKey::Lifetimes6 => self.lifetimes6_expire(cx),
                TimerKey::Mld(i) => self.mld_report(cx, i, false),
                TimerKey::MldDad(i) => self.mld_report(cx, i, true),
                TimerKey::MldLeave(i) => self.mld_leave_report(cx, i),
                TimerKey::Fib6Gc => self.fib6_gc(cx),
            }
            self.settle(cx);
        }
        // A wake-up without a due deadline: a capture a program waits on stopped.
        if !self.watches.is_empty() {
            self.settle(cx);
        }
    }

    fn poll_timeout(&self) -> Option<Instant> {
        self.timers.next()
    }
}
