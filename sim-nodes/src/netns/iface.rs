//! Interfaces of a namespace: name, ifindex, MAC, MTU, state and IPv4 addresses (IPv6's
//! are `ipv6`'s).

use sim_core::{Duration, Instant, LinkId, MacAddr};
use std::fmt;
use std::net::Ipv4Addr;

/// Address and route scope, as iproute2 names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Scope {
    /// Valid everywhere.
    Global,
    /// Valid on the link only.
    Link,
    /// Valid on this host only.
    Host,
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Scope::Global => "global",
            Scope::Link => "link",
            Scope::Host => "host",
        })
    }
}

/// What kind of device an interface is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IfKind {
    /// `lo`.
    Loopback,
    /// One end of a veth pair; `link` joins it to its peer.
    Veth {
        /// The link to the peer, while the peer exists.
        link: Option<LinkId>,
    },
    /// A bridge device (its switching state is the namespace's `Bridge` of this ifindex).
    Bridge,
}

/// An IPv4 address on an interface.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IfAddr {
    /// The address.
    pub addr: Ipv4Addr,
    /// Prefix length.
    pub prefix: u8,
    /// The broadcast address, when one was given (`brd`).
    pub broadcast: Option<Ipv4Addr>,
    /// Scope.
    pub scope: Scope,
    /// True when another address on the interface already covers the same subnet.
    pub secondary: bool,
    /// For addresses with a lifetime (DHCP): when it ends; `None` is forever.
    pub valid_until: Option<Instant>,
}

impl IfAddr {
    /// The network the address belongs to.
    pub fn network(&self) -> Ipv4Addr {
        network(self.addr, self.prefix)
    }
    /// True if `a` is in this address's subnet.
    pub fn contains(&self, a: Ipv4Addr) -> bool {
        network(a, self.prefix) == self.network()
    }
    /// The subnet's directed broadcast address, as the kernel's local table holds it
    /// (prefixes shorter than /31 only).
    pub fn subnet_broadcast(&self) -> Option<Ipv4Addr> {
        if self.prefix >= 31 {
            return None;
        }
        Some(Ipv4Addr::from(u32::from(self.addr) | !mask(self.prefix)))
    }
}

/// The netmask for a prefix length.
pub fn mask(prefix: u8) -> u32 {
    crate::wire::mask(prefix)
}

/// The network address of `a/prefix`.
pub fn network(a: Ipv4Addr, prefix: u8) -> Ipv4Addr {
    Ipv4Addr::from(u32::from(a) & mask(prefix))
}

/// Neighbour parameters of an interface (`net.ipv4.neigh.IF.*`), with the reachable time
/// drawn from them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NeighParms {
    /// `base_reachable_time_ms`.
    pub base_reachable_time: Duration,
    /// The randomised reachable time in use: uniform in [base/2, 3·base/2).
    pub reachable_time: Duration,
    /// When `reachable_time` was last drawn (the kernel redraws it every 300 s).
    pub drawn_at: Instant,
    /// `retrans_time_ms`.
    pub retrans_time: Duration,
    /// `delay_first_probe_time`.
    pub delay_probe_time: Duration,
    /// `ucast_solicit`.
    pub ucast_probes: u32,
    /// `mcast_solicit`.
    pub mcast_probes: u32,
    /// Packets held per unresolved neighbour.
    pub unres_qlen: usize,
    /// `locktime`: an entry updated less than this ago ignores an overriding reply.
    pub locktime: Duration,
}

impl Default for NeighParms {
    fn default() -> Self {
        NeighParms {
            base_reachable_time: Duration::from_secs(30),
            reachable_time: Duration::from_secs(30),
            drawn_at: Instant::ZERO,
            retrans_time: Duration::from_secs(1),
            delay_probe_time: Duration::from_secs(5),
            ucast_probes: 3,
            mcast_probes: 3,
            unres_qlen: 101,
            locktime: Duration::from_secs(1),
        }
    }
}

/// An interface.
#[derive(Clone, Debug)]
pub struct Iface {
    /// Name (`ns1-veth0`).
    pub name: String,
    /// Index, unique in the namespace.
    pub ifindex: u32,
    /// Kind of device.
    pub kind: IfKind,
    /// Hardware address.
    pub mac: MacAddr,
    /// MTU.
    pub mtu: u32,
    /// `ip link set … up`.
    pub admin_up: bool,
    /// Has been up at least once (its qdisc then shows `noqueue`).
    pub ever_up: bool,
    /// The lower layer is up (for a veth: the peer is up).
    pub carrier: bool,
    /// Without carrier, the operstate is LOWERLAYERDOWN (else DOWN): decided, as the
    /// kernel's linkwatch decides it, when the carrier was last lost — the peer's index
    /// looked up in this namespace then; a new veth starts beside its peer, which is down.
    pub lower_down: bool,
    /// IPv4 addresses, primaries first, in the order they were added.
    pub addrs: Vec<IfAddr>,
    /// IPv6 state and addresses.
    pub v6: super::ipv6::If6,
    /// `net.ipv6.conf.IF.disable_ipv6` (not 0: off), taken from the default when the
    /// interface came to the namespace.
    pub disable_ipv6: i64,
    /// `net.ipv6.conf.IF.accept_ra`: router advertisements are taken when not 0 (when
    /// forwarding, only when 2). From the default when the interface came.
    pub accept_ra: i64,
    /// Where the IPv6 all-nodes group (`33:33:00:00:00:01`) stands in the device's
    /// multicast filter.
    pub all_nodes: AllNodes,
    /// `net.ipv4.conf.IF.forwarding`.
    pub forwarding: bool,
    /// The bridge this interface is a port of (`master BR`).
    pub master: Option<u32>,
    /// Neighbour parameters.
    pub neigh: NeighParms,
    /// What the device received and sent (`ip -s link`).
    pub stats: IfStats,
}

/// The IPv6 all-nodes group in a device's multicast filter, which `bridge fdb show` lists
/// in the filter's order (measured on Linux 6.18).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AllNodes {
    /// Joined when the device was made (`ipv6_add_dev`), first in the filter; a device
    /// whose IPv6 is off keeps it so.
    #[default]
    Initial,
    /// Left: the device went down with IPv6 on (`ipv6_mc_down`), or IPv6 was turned off
    /// while it was down.
    Left,
    /// Joined again when it came up (or had IPv6 turned off while up), after IPv4's
    /// all-hosts group.
    Rejoined,
}

/// A device's counters, as `rtnl_link_stats64` has them (the ones a veth, a bridge or
/// `lo` moves; errors, missed, multicast, carrier and collisions stay 0 here as on them).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IfStats {
    /// Frames received.
    pub rx_packets: u64,
    /// Their bytes, Ethernet header included (`lo`: without it).
    pub rx_bytes: u64,
    /// Frames sent.
    pub tx_packets: u64,
    /// Their bytes.
    pub tx_bytes: u64,
    /// Frames the device could not send (a veth whose peer is down).
    pub tx_dropped: u64,
    /// Times its carrier came or went (`IFLA_CARRIER_CHANGES`, `ip -s -s`'s `transns`): a
    /// veth starts at 1, as `veth_newlink` turns off a carrier that was on.
    pub carrier_changes: u64,
}

impl IfStats {
    /// One frame of `len` bytes received.
    pub fn rx(&mut self, len: usize) {
        self.rx_packets += 1;
        self.rx_bytes += len as u64;
    }
    /// One frame of `len` bytes sent.
    pub fn tx(&mut self, len: usize) {
        self.tx_packets += 1;
        self.tx_bytes += len as u64;
    }
}

impl Iface {
    /// Transmit queues: a veth has one per CPU of the machine modelled (two), the others one.
    pub fn tx_queues(&self) -> u32 {
        if matches!(self.kind, IfKind::Veth { .. }) { 2 } else { 1 }
    }

    /// A new interface, down, no addresses.
    pub fn new(name: &str, ifindex: u32, kind: IfKind, mac: MacAddr) -> Self {
        let mtu = if kind == IfKind::Loopback { 65536 } else { 1500 };
        let kind_is_veth = matches!(kind, IfKind::Veth { .. });
        Iface {
            name: name.to_string(),
            ifindex,
            carrier: kind == IfKind::Loopback,
            lower_down: true,
            kind,
            mac,
            mtu,
            admin_up: false,
            ever_up: false,
            addrs: Vec::new(),
            v6: super::ipv6::If6::default(),
            disable_ipv6: 0,
            accept_ra: 1,
            all_nodes: AllNodes::Initial,
            forwarding: false,
            master: None,
            neigh: NeighParms::default(),
            stats: IfStats { carrier_changes: u64::from(kind_is_veth), ..IfStats::default() },
        }
    }
    /// Up and with carrier: frames can flow.
    pub fn is_running(&self) -> bool {
        self.admin_up && self.carrier
    }
    /// True for `lo`.
    pub fn is_loopback(&self) -> bool {
        self.kind == IfKind::Loopback
    }
    /// The first primary address, if any.
    pub fn primary(&self) -> Option<&IfAddr> {
        self.addrs.iter().find(|a| !a.secondary)
    }
    /// The link joining this interface to its peer, if any.
    pub fn link(&self) -> Option<LinkId> {
        match self.kind {
            IfKind::Veth { link } => link,
            IfKind::Loopback | IfKind::Bridge => None,
        }
    }
    /// True for a bridge device.
    pub fn is_bridge(&self) -> bool {
        self.kind == IfKind::Bridge
    }
}
