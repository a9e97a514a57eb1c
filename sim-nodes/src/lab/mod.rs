//! `Lab`: the machine — its namespaces, the veth pairs between them, and the `ip` / `sysctl`
//! vocabulary acting on them.
//!
//! Each namespace is a [`Netns`] node of the engine's world; each veth pair is a link whose
//! ends are ports (ifindexes) of two namespaces. The scenario's "root namespace" (where a
//! tutorial typed commands without `ip netns exec`) is a namespace like the others, without
//! a name. Errors carry the message the real tool prints, plus a hint.

mod bridge;
mod ip_show;
mod ipv6;
pub mod names;
mod netfilter;

use crate::netns::fib::Proto;
use crate::netns::iface::IfKind;
use crate::netns::neigh::Nud;
use crate::netns::{AddrError, Netns, RouteError, RouteSpec};
use crate::show::{LinkView, Peer};
use crate::sys::Process;
use sim_core::capture::CaptureId;
use sim_core::{Filter, LinkConfig, LinkEnd, LinkId, MacAddr, NodeId, PortId, World};
use std::collections::BTreeMap;
use std::net::Ipv4Addr;

/// `IPV4_MIN_MTU`: the least MTU a device carrying IPv4 has (and a veth's or bridge's least).
pub const IPV4_MIN_MTU: u32 = 68;
/// A veth's and a bridge's `maxmtu` (`ETH_MAX_MTU`).
pub const MAX_MTU: u32 = 65535;

/// The engine's node name of the root namespace (a netns name cannot contain `/`).
pub const ROOT_NODE: &str = "/";

/// An error as the real tool reports it, with a hint for the scenario author.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct LabError {
    /// What the tool prints on stderr.
    pub message: String,
    /// The tool's exit status.
    pub status: i32,
    /// What would fix it.
    pub hint: Option<String>,
}

impl LabError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        LabError { message: message.into(), status: 2, hint: None }
    }
    pub(crate) fn hint(mut self, h: impl Into<String>) -> Self {
        self.hint = Some(h.into());
        self
    }
    pub(crate) fn status(mut self, s: i32) -> Self {
        self.status = s;
        self
    }
    /// A feature nslab does not model yet.
    pub fn unsupported(what: impl Into<String>) -> Self {
        LabError::new(format!("not supported yet: {}", what.into()))
    }
}

impl From<AddrError> for LabError {
    fn from(e: AddrError) -> Self {
        LabError::new(e.to_string())
    }
}
impl From<RouteError> for LabError {
    fn from(e: RouteError) -> Self {
        let hint = match e {
            RouteError::InvalidGateway => {
                Some("the gateway must be in a subnet of an address on that device (or add `onlink`)")
            }
            RouteError::DeviceDown => Some("bring the device up first: `ip link set DEV up`"),
            _ => None,
        };
        let mut le = LabError::new(e.to_string());
        le.hint = hint.map(str::to_string);
        le
    }
}

/// One end of a veth pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct End {
    node: NodeId,
    ifindex: u32,
}

/// A running process, addressed from outside.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Job {
    /// The namespace it runs in.
    pub node: NodeId,
    /// Its pid there.
    pub pid: u32,
}

/// A capture started by `tcpdump`.
#[derive(Clone, Debug)]
pub struct CaptureInfo {
    /// Engine id.
    pub id: CaptureId,
    /// The namespace it captures in.
    pub node: NodeId,
    /// Namespace name (`None`: root).
    pub netns: Option<String>,
    /// Interface name.
    pub iface: String,
    /// The filter as typed.
    pub filter_text: String,
    /// The namespace at the other end of the captured veth when the capture began (`None`:
    /// the root's; the outer `None`: not a veth, or its peer is gone).
    pub peer: Option<Option<String>>,
}

/// The machine.
pub struct Lab {
    world: World,
    names: BTreeMap<String, NodeId>,
    order: Vec<NodeId>,
    root: NodeId,
    veths: BTreeMap<LinkId, [End; 2]>,
    captures: Vec<CaptureInfo>,
    /// Per namespace, how many peer namespaces it has ids for (`link-netnsid`: the kernel
    /// numbers them in order from 0).
    nsids: BTreeMap<NodeId, u32>,
    /// The id a (viewer) namespace has for a (peer) one.
    nsid_of: BTreeMap<(NodeId, NodeId), u32>,
    /// Namespaces whose name is gone but whose processes still run (they keep it alive).
    orphans: Vec<NodeId>,
    /// For a name deleted, the pid its next namespace of that name starts at: the trace
    /// names a process by namespace name and pid, so a name used again never reuses one.
    next_pids: BTreeMap<String, u32>,
    /// The kernel's automatic qdisc handle counter (one for the machine: `8001:` first).
    auto_handle: u16,
    /// IPv6 is on in the namespaces made from now on (as Linux makes them; see
    /// [`Lab::set_ipv6`]).
    ipv6: bool,
    /// The machine's directory (`truncate`, `http.server`).
    files: crate::files::Files,
}

impl Lab {
    /// A machine with only its root namespace; random streams derive from `seed`.
    pub fn new(seed: u64) -> Self {
        let mut world = World::new(seed);
        let root = world.add_node(ROOT_NODE, |rng| Netns::new("", rng));
        Lab {
            world,
            names: BTreeMap::new(),
            order: Vec::new(),
            root,
            veths: BTreeMap::new(),
            captures: Vec::new(),
            auto_handle: 0x8000,
            next_pids: BTreeMap::new(),
            nsids: BTreeMap::new(),
            nsid_of: BTreeMap::new(),
            orphans: Vec::new(),
            ipv6: true,
            files: Default::default(),
        }
    }

    /// The machine's directory: the files `truncate` made, which `http.server` serves.
    pub fn files(&self) -> &crate::files::Files {
        &self.files
    }

    /// Gives each of `a` and `b` an id for the other, as the kernel does when a link
    /// first joins them.
    fn nsid_alloc(&mut self, a: NodeId, b: NodeId) {
        if a == b {
            return;
        }
        for (v, p) in [(a, b), (b, a)] {
            if let std::collections::btree_map::Entry::Vacant(slot) = self.nsid_of.entry((v, p)) {
                let next = self.nsids.entry(v).or_default();
                slot.insert(*next);
                *next += 1;
            }
        }
    }

    /// The id `viewer` has for `peer`'s namespace.
    fn nsid(&self, viewer: NodeId, peer: NodeId) -> u32 {
        self.nsid_of.get(&(viewer, peer)).copied().unwrap_or(0)
    }

    /// The engine.
    pub fn world(&self) -> &World {
        &self.world
    }
    /// The engine, mutable (to run time forward).
    pub fn world_mut(&mut self) -> &mut World {
        &mut self.world
    }

    /// The node of a namespace (`None`: root).
    pub fn ns(&self, name: Option<&str>) -> Result<NodeId, LabError> {
        match name {
            None => Ok(self.root),
            Some(n) => self.names.get(n).copied().ok_or_else(|| {
                LabError::new(format!("Cannot open network namespace \"{n}\": No such file or directory"))
                    .status(1)
                    .hint(self.known_netns_hint())
            }),
        }
    }

    fn known_netns_hint(&self) -> String {
        if self.names.is_empty() {
            "no namespace exists yet: `ip netns add NAME` first".to_string()
        } else {
            format!("namespaces: {}", self.names.keys().cloned().collect::<Vec<_>>().join(", "))
        }
    }

    /// A namespace's state.
    pub fn netns(&self, node: NodeId) -> &Netns {
        self.world.node::<Netns>(node)
    }

    /// The name of a namespace node (`None` for root).
    pub fn netns_name(&self, node: NodeId) -> Option<&str> {
        if node == self.root || self.orphans.contains(&node) { None } else { Some(self.world.node_name(node)) }
    }

    /// `ip netns add NAME`.
    pub fn netns_add(&mut self, name: &str) -> Result<(), LabError> {
        if self.names.contains_key(name) {
            return Err(
                LabError::new(format!("Cannot create namespace file \"/run/netns/{name}\": File exists")).status(1)
            );
        }
        names::netns_name(name)?;
        let next_pid = self.next_pids.get(name).copied();
        let ipv6 = self.ipv6;
        let node = self.world.add_node(name, |rng| {
            let mut ns = Netns::new(name, rng);
            ns.set_ipv6(ipv6);
            if let Some(pid) = next_pid {
                ns.set_next_pid(pid);
            }
            ns
        });
        self.names.insert(name.to_string(), node);
        self.order.push(node);
        Ok(())
    }

    /// `ip netns del NAME`: the name goes. The namespace goes with it unless a process
    /// still runs in it — a tcpdump started with `ip netns exec` keeps it, and its
    /// interfaces, alive until it ends (see [`Lab::reap`]). When it goes, its interfaces go;
    /// a veth's peer elsewhere goes with its end.
    pub fn netns_del(&mut self, name: &str) -> Result<(), LabError> {
        let node = self.ns(Some(name))?;
        self.names.remove(name);
        self.next_pids.insert(name.to_string(), self.netns(node).next_pid());
        self.order.retain(|n| *n != node);
        if self.netns(node).procs().next().is_some() {
            self.orphans.push(node);
            return Ok(());
        }
        self.destroy(node);
        Ok(())
    }

    /// Destroys the namespaces that lost their name once their last process has ended.
    pub fn reap(&mut self) {
        let done: Vec<NodeId> =
            self.orphans.iter().copied().filter(|n| self.netns(*n).procs().next().is_none()).collect();
        for n in done {
            self.orphans.retain(|o| *o != n);
            self.destroy(n);
        }
    }

    fn destroy(&mut self, node: NodeId) {
        let ifs: Vec<u32> = self.netns(node).ifaces().map(|i| i.ifindex).collect();
        for ix in ifs {
            self.delete_iface(node, ix);
        }
        for c in &self.captures {
            if c.node == node {
                self.world.stop_capture(c.id);
            }
        }
        self.world.remove_node(node);
    }

    /// Every namespace, the root's first (named `None`), then the named ones in the order
    /// they were made.
    pub fn namespaces(&self) -> Vec<(Option<&str>, NodeId)> {
        let named = self.order.iter().map(|n| (Some(self.world.node_name(*n)), *n));
        std::iter::once((None, self.root)).chain(named).collect()
    }

    /// `ip netns list` (newest first, as the directory listing shows them).
    pub fn netns_list(&self) -> Vec<String> {
        self.order.iter().rev().map(|n| self.world.node_name(*n).to_string()).collect()
    }

    pub(crate) fn ifindex(&self, node: NodeId, dev: &str) -> Result<u32, LabError> {
        self.netns(node).iface_by_name(dev).map(|i| i.ifindex).ok_or_else(|| {
            let names: Vec<&str> = self.netns(node).ifaces().map(|i| i.name.as_str()).collect();
            let here =
                self.netns_name(node).map(|n| format!("in {n}")).unwrap_or_else(|| "in the root namespace".into());
            LabError::new(format!("Cannot find device \"{dev}\""))
                .status(1)
                .hint(format!("interfaces {here}: {}", names.join(", ")))
        })
    }

    /// The ifindex of `dev` in namespace `node`.
    pub fn dev_index(&self, node: NodeId, dev: &str) -> Result<u32, LabError> {
        self.ifindex(node, dev)
    }

    /// `ip link add NAME type veth peer name PEER [netns PEERNS]`, run in `node`.
    pub fn veth_add(
        &mut self,
        node: NodeId,
        name: &str,
        peer: &str,
        peer_node: Option<NodeId>,
    ) -> Result<(), LabError> {
        names::ip_ifname(name, names::IfnameArg::Dev)?;
        names::ip_ifname(peer, names::IfnameArg::Name)?;
        names::kernel_ifname(name)?;
        names::kernel_ifname(peer)?;
        let peer_node = peer_node.unwrap_or(node);
        let exists = LabError::new("RTNETLINK answers: File exists");
        if name == peer && node == peer_node {
            return Err(exists.hint("a veth pair needs two different names"));
        }
        if self.netns(node).iface_by_name(name).is_some() || self.netns(peer_node).iface_by_name(peer).is_some() {
            return Err(exists.hint("an interface of that name already exists there"));
        }
        // The kernel draws random addresses for both ends, registers the peer first.
        let (mac_peer, mac_dev) = self.world.with_node::<Netns, _>(node, |_, cx| {
            let mut b = [0u8; 12];
            sim_core::rng::fill(cx.rng(), &mut b);
            (
                MacAddr::random_local(b[..6].try_into().unwrap_or_default()),
                MacAddr::random_local(b[6..].try_into().unwrap_or_default()),
            )
        });
        let p_ix = self.world.with_node::<Netns, _>(peer_node, |n, cx| {
            n.add_iface(cx.rng(), peer, IfKind::Veth { link: None }, mac_peer, None)
        });
        let d_ix = self.world.with_node::<Netns, _>(node, |n, cx| {
            n.add_iface(cx.rng(), name, IfKind::Veth { link: None }, mac_dev, None)
        });
        let a = LinkEnd { node, port: PortId(d_ix) };
        let b = LinkEnd { node: peer_node, port: PortId(p_ix) };
        let link = self.world.connect(a, b, LinkConfig::default());
        if let Some(l) = self.world.link_mut(link) {
            l.up = false;
        }
        self.world.with_node::<Netns, _>(node, |n, _| n.set_link(d_ix, Some(link)));
        self.world.with_node::<Netns, _>(peer_node, |n, _| n.set_link(p_ix, Some(link)));
        self.veths.insert(link, [End { node, ifindex: d_ix }, End { node: peer_node, ifindex: p_ix }]);
        self.nsid_alloc(node, peer_node);
        Ok(())
    }

    fn peer_of(&self, node: NodeId, ifindex: u32) -> Option<(LinkId, usize, End)> {
        let link = self.netns(node).iface(ifindex)?.link()?;
        let ends = self.veths.get(&link)?;
        let side = ends.iter().position(|e| e.node == node && e.ifindex == ifindex)?;
        Some((link, side, ends[1 - side]))
    }

    pub(crate) fn delete_iface(&mut self, node: NodeId, ifindex: u32) {
        if let Some((link, _, peer)) = self.peer_of(node, ifindex) {
            self.world.disconnect(link);
            self.veths.remove(&link);
            self.world.with_node::<Netns, _>(peer.node, |n, _| n.remove_iface(peer.ifindex));
        }
        self.world.with_node::<Netns, _>(node, |n, _| n.remove_iface(ifindex));
    }

    /// `ip link del DEV` (a veth takes its peer with it).
    pub fn link_del(&mut self, node: NodeId, dev: &str) -> Result<(), LabError> {
        let ix = self.ifindex(node, dev)?;
        if ix == crate::netns::LO {
            return Err(LabError::new("RTNETLINK answers: Operation not supported"));
        }
        self.delete_iface(node, ix);
        Ok(())
    }

    /// `ip link set DEV netns NS`: the device leaves `node` down and without addresses,
    /// keeping its ifindex in the target when that index is free there.
    pub fn link_set_netns(&mut self, node: NodeId, dev: &str, target: NodeId) -> Result<(), LabError> {
        let ix = self.ifindex(node, dev)?;
        if target == node {
            return Ok(());
        }
        // lo and a bridge are NETIF_F_NETNS_LOCAL: they stay where they were made.
        let local = ix == crate::netns::LO || self.netns(node).iface(ix).is_some_and(|i| i.kind == IfKind::Bridge);
        if local {
            return Err(LabError::new("Error: The interface netns is immutable.")
                .status(2)
                .hint("lo and a bridge stay in the namespace they were made in: make the bridge there (`ip -n NS link add NAME type bridge`)"));
        }
        if self.netns(target).iface_by_name(dev).is_some() {
            return Err(LabError::new("RTNETLINK answers: File exists")
                .hint("the target namespace already has an interface of that name"));
        }
        let peer = self.peer_of(node, ix);
        let had_carrier = self.netns(node).iface(ix).is_some_and(|i| i.carrier);
        if peer.is_some() {
            self.set_up(node, ix, false);
        }
        let Some(old) = self.world.with_node::<Netns, _>(node, |n, _| n.remove_iface(ix)) else { return Ok(()) };
        let new_ix = self.world.with_node::<Netns, _>(target, |n, cx| {
            n.add_iface(cx.rng(), &old.name, old.kind.clone(), old.mac, Some(ix))
        });
        self.world.with_node::<Netns, _>(target, |n, _| {
            n.set_mtu(new_ix, old.mtu);
            // The device moves, its counters with it.
            n.set_stats(new_ix, old.stats);
        });
        if let Some((link, side, _)) = peer {
            self.world.move_end(
                link,
                LinkEnd { node, port: PortId(ix) },
                LinkEnd { node: target, port: PortId(new_ix) },
            );
            if let Some(e) = self.veths.get_mut(&link) {
                e[side] = End { node: target, ifindex: new_ix };
            }
            if let Some((_, _, p)) = self.peer_of(target, new_ix) {
                self.nsid_alloc(target, p.node);
            }
        }
        self.update_carrier_of(target, new_ix);
        // A carrier lost by the move is judged after it (linkwatch waits for the lock the
        // move holds): the ends look their peers up where they are now.
        if peer.is_some() && had_carrier {
            self.settle_lower(target, new_ix);
        }
        Ok(())
    }

    pub(crate) fn set_up(&mut self, node: NodeId, ix: u32, up: bool) {
        self.world.with_node::<Netns, _>(node, |n, _| n.set_admin_up(ix, up));
        self.update_carrier_of(node, ix);
        self.world.with_node::<Netns, _>(node, |n, cx| n.addrconf_sync_near(cx, &[ix]));
    }

    /// Recomputes carrier on both ends of the veth at `(node, ix)`: a veth has carrier
    /// when both ends are up.
    fn update_carrier_of(&mut self, node: NodeId, ix: u32) {
        let Some((link, _, peer)) = self.peer_of(node, ix) else { return };
        let up_a = self.netns(node).iface(ix).is_some_and(|i| i.admin_up);
        let up_b = self.netns(peer.node).iface(peer.ifindex).is_some_and(|i| i.admin_up);
        let carrier = up_a && up_b;
        if let Some(l) = self.world.link_mut(link) {
            l.up = carrier;
        }
        let was = self.netns(node).iface(ix).is_some_and(|i| i.carrier);
        self.world.with_node::<Netns, _>(node, |n, cx| {
            n.set_carrier(ix, carrier);
            n.addrconf_sync_near(cx, &[ix]);
        });
        self.world.with_node::<Netns, _>(peer.node, |n, cx| {
            n.set_carrier(peer.ifindex, carrier);
            n.addrconf_sync_near(cx, &[peer.ifindex]);
        });
        if was && !carrier {
            self.settle_lower(node, ix);
        }
    }

    /// Linkwatch's operstate for both ends of the veth at `(node, ix)` after a carrier loss
    /// (each end looks its peer's index up in its own namespace).
    fn settle_lower(&mut self, node: NodeId, ix: u32) {
        let Some((_, _, peer)) = self.peer_of(node, ix) else { return };
        self.world.with_node::<Netns, _>(node, |n, _| n.settle_lower(ix, Some(peer.ifindex)));
        self.world.with_node::<Netns, _>(peer.node, |n, _| n.settle_lower(peer.ifindex, Some(ix)));
    }

    /// `ip link set DEV up|down`.
    pub fn link_set_up(&mut self, node: NodeId, dev: &str, up: bool) -> Result<(), LabError> {
        let ix = self.ifindex(node, dev)?;
        self.set_up(node, ix, up);
        Ok(())
    }

    /// `ip link set DEV address MAC`.
    pub fn link_set_address(&mut self, node: NodeId, dev: &str, mac: MacAddr) -> Result<(), LabError> {
        let ix = self.ifindex(node, dev)?;
        if mac.is_multicast() || mac.is_zero() {
            return Err(LabError::new("RTNETLINK answers: Cannot assign requested address")
                .hint("use a unicast, non-zero MAC address"));
        }
        self.world.with_node::<Netns, _>(node, |n, cx| n.set_mac(ix, mac, cx.now()));
        Ok(())
    }

    /// `ip link set DEV mtu N`, within the device's `minmtu`/`maxmtu` (`ip -d link show`):
    /// 68 to 65535 for a veth or a bridge; lo has no bounds (`minmtu 0 maxmtu 0`). The kernel
    /// takes the MTU as an `int`, so a value past `i32::MAX` is a negative one.
    ///
    /// Below 68 (`IPV4_MIN_MTU`) a device cannot carry IPv4: the kernel drops its IPv4
    /// configuration, addresses and the routes through them (`inetdev_destroy()`), and
    /// refuses new addresses until the MTU is raised. Below 1280 (`IPV6_MIN_MTU`) IPv6
    /// goes the same way (`NETDEV_CHANGEMTU` in addrconf).
    pub fn link_set_mtu(&mut self, node: NodeId, dev: &str, mtu: u32) -> Result<(), LabError> {
        let ix = self.ifindex(node, dev)?;
        let Some(i) = self.netns(node).iface(ix) else { return Ok(()) };
        let (min, max, what) = match i.kind {
            IfKind::Loopback => (0, i32::MAX as u32, "lo"),
            IfKind::Veth { .. } => (IPV4_MIN_MTU, MAX_MTU, "a veth"),
            IfKind::Bridge => (IPV4_MIN_MTU, MAX_MTU, "a bridge"),
        };
        let range = if max == MAX_MTU {
            format!("the MTU of {what} is 68 to 65535")
        } else {
            format!("{what} takes any MTU from 0")
        };
        if mtu < min || mtu > i32::MAX as u32 {
            return Err(LabError::new("Error: mtu less than device minimum.").hint(range));
        }
        if mtu > max {
            return Err(LabError::new("Error: mtu greater than device maximum.").hint(range));
        }
        self.world.with_node::<Netns, _>(node, |n, cx| {
            n.set_mtu(ix, mtu);
            if mtu < IPV4_MIN_MTU {
                n.addr_flush(ix);
            }
            n.addrconf_mtu(cx, ix);
        });
        Ok(())
    }

    /// `ip link set DEV name NEW` (the device must be down, as in Linux).
    pub fn link_set_name(&mut self, node: NodeId, dev: &str, new: &str) -> Result<(), LabError> {
        names::ip_ifname(new, names::IfnameArg::Name)?;
        let ix = self.ifindex(node, dev)?;
        names::kernel_ifname(new)?;
        if self.netns(node).iface_by_name(new).is_some() {
            return Err(LabError::new("RTNETLINK answers: File exists"));
        }
        if self.netns(node).iface(ix).is_some_and(|i| i.admin_up) {
            return Err(LabError::new("RTNETLINK answers: Device or resource busy")
                .hint("take the device down before renaming it"));
        }
        self.world.with_node::<Netns, _>(node, |n, _| n.rename_iface(ix, new));
        Ok(())
    }

    /// `ip addr add A/P [brd B] dev DEV`.
    pub fn addr_add(
        &mut self,
        node: NodeId,
        dev: &str,
        addr: Ipv4Addr,
        prefix: u8,
        brd: Option<Ipv4Addr>,
    ) -> Result<(), LabError> {
        let ix = self.ifindex(node, dev)?;
        if self.netns(node).iface(ix).is_some_and(|i| i.mtu < IPV4_MIN_MTU) {
            // No IPv4 configuration on a device with so small an MTU (inet_rtm_newaddr()).
            return Err(LabError::new("RTNETLINK answers: No buffer space available")
                .hint(format!("{dev}'s MTU is below 68, too small for IPv4: raise it first")));
        }
        self.world.with_node::<Netns, _>(node, |n, _| n.addr_add(ix, addr, prefix, brd, None))?;
        Ok(())
    }

    /// `ip addr del A[/P] dev DEV`.
    pub fn addr_del(&mut self, node: NodeId, dev: &str, addr: Ipv4Addr, prefix: Option<u8>) -> Result<(), LabError> {
        let ix = self.ifindex(node, dev)?;
        self.world.with_node::<Netns, _>(node, |n, _| n.addr_del(ix, addr, prefix)).map_err(|e| {
            let m = if e == AddrError::NotFound {
                "RTNETLINK answers: Cannot assign requested address".to_string()
            } else {
                e.to_string()
            };
            LabError::new(m)
        })
    }

    /// `ip addr flush dev DEV`.
    pub fn addr_flush(&mut self, node: NodeId, dev: &str) -> Result<(), LabError> {
        let ix = self.ifindex(node, dev)?;
        self.world.with_node::<Netns, _>(node, |n, _| n.addr_flush(ix));
        Ok(())
    }

    /// `ip route add …` (`replace`: `ip route replace …`) with `(dst, prefix, via, dev)`
    /// the route's destination and nexthop (`dev` named, resolved here).
    #[allow(clippy::too_many_arguments)]
    pub fn route_set(
        &mut self,
        node: NodeId,
        (dst, prefix, via, dev): (Ipv4Addr, u8, Option<Ipv4Addr>, Option<&str>),
        metric: u32,
        src: Option<Ipv4Addr>,
        proto: Proto,
        onlink: bool,
        replace: bool,
    ) -> Result<(), LabError> {
        let spec = self.route_spec(node, dst, prefix, via, dev, metric, src, proto, onlink)?;
        self.world.with_node::<Netns, _>(node, |n, _| n.route_insert(&spec, replace))?;
        Ok(())
    }

    /// `ip route add …` (`dev` named, resolved here).
    #[allow(clippy::too_many_arguments)]
    pub fn route_add(
        &mut self,
        node: NodeId,
        dst: Ipv4Addr,
        prefix: u8,
        via: Option<Ipv4Addr>,
        dev: Option<&str>,
        metric: u32,
        src: Option<Ipv4Addr>,
        proto: Proto,
        onlink: bool,
    ) -> Result<(), LabError> {
        let spec = self.route_spec(node, dst, prefix, via, dev, metric, src, proto, onlink)?;
        self.world.with_node::<Netns, _>(node, |n, _| n.route_add(&spec))?;
        Ok(())
    }

    /// `ip route del …`.
    #[allow(clippy::too_many_arguments)]
    pub fn route_del(
        &mut self,
        node: NodeId,
        dst: Ipv4Addr,
        prefix: u8,
        via: Option<Ipv4Addr>,
        dev: Option<&str>,
        metric: u32,
    ) -> Result<(), LabError> {
        // RTM_DELROUTE matches what it is given: `ip route del default` needs no nexthop.
        let dev = dev.map(|d| self.ifindex(node, d)).transpose()?;
        let spec = RouteSpec { dst, prefix, gateway: via, dev, metric, src: None, proto: Proto::Boot, onlink: false };
        self.world.with_node::<Netns, _>(node, |n, _| n.route_del(&spec))?;
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn route_spec(
        &self,
        node: NodeId,
        dst: Ipv4Addr,
        prefix: u8,
        via: Option<Ipv4Addr>,
        dev: Option<&str>,
        metric: u32,
        src: Option<Ipv4Addr>,
        proto: Proto,
        onlink: bool,
    ) -> Result<RouteSpec, LabError> {
        let dev = dev.map(|d| self.ifindex(node, d)).transpose()?;
        if via.is_none() && dev.is_none() {
            return Err(
                LabError::new("Error: Device for nexthop is not up.").hint("give `via GATEWAY` or `dev DEVICE`")
            );
        }
        Ok(RouteSpec { dst, prefix, gateway: via, dev, metric, src, proto, onlink })
    }

    /// `ip route get ADDR [from ADDR]`: the route a packet from this host would take, as
    /// iproute2 prints the kernel's answer (`uid 0`: root asks).
    pub fn route_get(&self, node: NodeId, dst: Ipv4Addr, from: Option<Ipv4Addr>) -> Result<Vec<String>, LabError> {
        let n = self.netns(node);
        if from.is_some_and(|f| !n.is_local(f)) {
            return Err(LabError::new("not supported yet: ip route get … from an address not of this host"));
        }
        if dst.is_multicast() || dst.is_unspecified() || (dst.is_broadcast() && from.is_some()) {
            return Err(LabError::new(format!(
                "not supported yet: ip route get {dst} (a multicast, unspecified or limited broadcast destination)"
            )));
        }
        let r = n
            .route_output(dst, from, None)
            .map_err(|_| LabError::new("RTNETLINK answers: Network is unreachable").status(2))?;
        let dev = n.iface(r.ifindex).map(|i| i.name.clone()).unwrap_or_default();
        let from_part = from.map(|f| format!(" from {f}")).unwrap_or_default();
        let src_part = if from.is_none() { format!(" src {}", r.src) } else { String::new() };
        Ok(if r.broadcast {
            vec![format!("broadcast {dst}{from_part} dev {dev}{src_part} uid 0 "), "    cache <local,brd> ".into()]
        } else if n.is_local(dst) {
            vec![format!("local {dst}{from_part} dev {dev}{src_part} uid 0 "), "    cache <local> ".into()]
        } else {
            let via = if r.nexthop != dst { format!(" via {}", r.nexthop) } else { String::new() };
            // A path-MTU exception shows on the cache line: its time left in whole seconds
            // (the kernel's jiffies as USER_HZ, divided by 100 by iproute2).
            let cache = match n.pmtu_exception(dst, self.world.now()) {
                Some((mtu, left, lock)) => {
                    format!("    cache expires {}sec mtu {}{mtu} ", left.as_secs(), if lock { "lock " } else { "" })
                }
                None => "    cache ".into(),
            };
            vec![format!("{dst}{from_part}{via} dev {dev}{src_part} uid 0 "), cache]
        })
    }

    /// `ip [-6] neigh add|replace|change ADDR lladdr MAC dev DEV [nud STATE]` (`create`,
    /// `exclusive`: the netlink flags of each) and `ip neigh del` (`mac` `None` with
    /// `state` `None`), answered as the kernel answers.
    #[allow(clippy::too_many_arguments)]
    pub fn neigh_set(
        &mut self,
        node: NodeId,
        dev: &str,
        ip: std::net::IpAddr,
        mac: Option<MacAddr>,
        state: Option<Nud>,
        create: bool,
        exclusive: bool,
    ) -> Result<(), LabError> {
        let ix = self.ifindex(node, dev)?;
        let exists = match ip {
            std::net::IpAddr::V4(a) => self.netns(node).neigh().contains((ix, a)),
            std::net::IpAddr::V6(a) => self.netns(node).nd().contains((ix, a)),
        };
        let Some(state) = state else {
            let gone = self.world.with_node::<Netns, _>(node, |n, _| match ip {
                std::net::IpAddr::V4(a) => n.neigh_del(ix, a),
                std::net::IpAddr::V6(a) => n.neigh6_del(ix, a),
            });
            if !gone {
                return Err(LabError::new("RTNETLINK answers: No such file or directory").status(2));
            }
            return Ok(());
        };
        if exists && exclusive {
            return Err(LabError::new("RTNETLINK answers: File exists").status(2));
        }
        if !exists && !create {
            return Err(LabError::new("RTNETLINK answers: No such file or directory").status(2));
        }
        let Some(mac) = mac else {
            return Err(LabError::new("Error: No link layer address given.")
                .status(2)
                .hint("give the neighbour's MAC address: `lladdr MAC`"));
        };
        self.world.with_node::<Netns, _>(node, |n, cx| match ip {
            std::net::IpAddr::V4(a) => n.neigh_set(cx, ix, a, mac, state),
            std::net::IpAddr::V6(a) => n.neigh6_set(cx, ix, a, mac, state),
        });
        Ok(())
    }

    /// `ip neigh flush [dev DEV]`.
    pub fn neigh_flush(&mut self, node: NodeId, dev: Option<&str>) -> Result<(), LabError> {
        let ix = dev.map(|d| self.ifindex(node, d)).transpose()?;
        self.world.with_node::<Netns, _>(node, |n, _| n.neigh_flush(ix));
        Ok(())
    }

    /// `sysctl KEY`: the line sysctl prints.
    pub fn sysctl_get(&self, node: NodeId, key: &str) -> Result<String, LabError> {
        let v = self.netns(node).sysctl_get(key).map_err(|e| LabError::new(e.to_string()).status(255))?;
        Ok(format!("{} = {}", crate::netns::sysctl::normalize(key), v))
    }

    /// `sysctl -w KEY=VALUE`: the line sysctl prints.
    pub fn sysctl_set(&mut self, node: NodeId, key: &str, value: &str) -> Result<String, LabError> {
        let v = self
            .world
            .with_node::<Netns, _>(node, |n, cx| n.sysctl_set(cx, key, value))
            .map_err(|e| LabError::new(e.to_string()).status(255))?;
        Ok(format!("{} = {}", crate::netns::sysctl::normalize(key), v))
    }

    fn view<'a>(&'a self, node: NodeId, i: &'a crate::netns::iface::Iface) -> LinkView<'a> {
        let (peer, peer_ifindex) = match self.peer_of(node, i.ifindex) {
            None => (Peer::None, None),
            Some((_, _, p)) if p.node == node => {
                let pi = self.netns(node).iface(p.ifindex);
                (
                    Peer::Local {
                        name: pi.map(|x| x.name.clone()).unwrap_or_default(),
                        down: pi.is_some_and(|x| !x.admin_up),
                    },
                    Some(p.ifindex),
                )
            }
            Some((_, _, p)) => (
                Peer::Remote {
                    ifindex: p.ifindex,
                    netns: self.netns_name(p.node).map(str::to_string),
                    nsid: self.nsid(node, p.node),
                },
                Some(p.ifindex),
            ),
        };
        let ns = self.netns(node);
        let master = i.master.and_then(|m| ns.iface(m)).map(|m| m.name.clone());
        let bridge_ports = ns.bridge(i.ifindex).map(|b| b.ports().len());
        let qdisc = ns.qdisc_kind(i.ifindex);
        LinkView {
            iface: i,
            peer,
            peer_ifindex,
            ever_up: i.ever_up,
            master,
            bridge_ports,
            qdisc,
            color: false,
            details: None,
        }
    }

    /// Starts a process in a namespace.
    pub fn spawn(&mut self, node: NodeId, p: Process) -> Job {
        let pid = self.world.with_node::<Netns, _>(node, |n, cx| n.spawn(cx, p));
        Job { node, pid }
    }

    /// True while a job runs.
    pub fn is_running(&self, job: Job) -> bool {
        self.world.is_alive(job.node) && self.netns(job.node).is_running(job.pid)
    }

    /// True once a running job has detached from the terminal (a daemon).
    pub fn is_detached(&self, job: Job) -> bool {
        self.is_running(job) && self.netns(job.node).is_detached(job.pid)
    }

    /// Runs `f` as `job` with its `Sys`, then lets the namespace settle: how code outside
    /// the engine's events (a user's future) opens, uses and closes `job`'s sockets.
    /// `None` once the job has ended.
    pub fn with_sys<R>(&mut self, job: Job, f: impl FnOnce(&mut crate::sys::Sys<'_, '_, '_>) -> R) -> Option<R> {
        if !self.world.is_alive(job.node) {
            return None;
        }
        self.world.with_node::<Netns, _>(job.node, |n, cx| n.with_sys(cx, job.pid, f))
    }

    /// Types a line into a job's terminal.
    pub fn input(&mut self, job: Job, line: &str) {
        if self.world.is_alive(job.node) {
            self.world.with_node::<Netns, _>(job.node, |n, cx| n.input(cx, job.pid, line));
        }
    }

    /// Interrupts a job (SIGINT).
    pub fn interrupt(&mut self, job: Job) {
        if self.is_running(job) {
            self.world.with_node::<Netns, _>(job.node, |n, cx| n.interrupt(cx, job.pid));
        }
    }

    /// `tcpdump -i DEV [FILTER]` in `node`: starts a capture and the process that reports it.
    pub fn tcpdump(
        &mut self,
        node: NodeId,
        dev: &str,
        filter: Filter,
        filter_text: &str,
        writes_file: bool,
    ) -> Result<(Job, CaptureId), LabError> {
        self.tcpdump_count(node, dev, (filter, filter_text), writes_file, None, false)
    }

    /// `tcpdump [-c N] [-v] -i DEV [FILTER]`: with a count, the capture stops by itself after
    /// N frames and the process ends; `verbose` (`-v`) changes what it says when it starts.
    /// `DEV` `any` captures every interface of the namespace, as Linux's cooked capture does.
    pub fn tcpdump_count(
        &mut self,
        node: NodeId,
        dev: &str,
        (filter, filter_text): (Filter, &str),
        writes_file: bool,
        count: Option<u64>,
        verbose: bool,
    ) -> Result<(Job, CaptureId), LabError> {
        let (id, peer) = if dev == "any" {
            // libpcap compiles the filter for cooked frames, which have no Ethernet header.
            if let Some(why) = filter.cooked_error() {
                return Err(LabError {
                    message: format!("{}\ntcpdump: {why}", sim_core::tcpdump::ANY_LINK_LINE),
                    status: 1,
                    hint: Some("on `any`, filter by protocol, address or port, not by MAC".into()),
                });
            }
            (self.world.add_capture_any(node, filter), None)
        } else {
            let ix = self.ifindex(node, dev).map_err(|e| LabError {
                message: format!("tcpdump: {dev}: No such device exists\n(SIOCGIFHWADDR: No such device)"),
                status: 1,
                hint: e.hint,
            })?;
            // libpcap's activation fails on a device that is not up (PCAP_ERROR_IFACE_NOT_UP).
            if !self.netns(node).iface(ix).is_some_and(|i| i.admin_up) {
                return Err(LabError {
                    message: format!("tcpdump: {dev}: That device is not up"),
                    status: 1,
                    hint: Some(format!("bring it up first: `ip link set {dev} up`")),
                });
            }
            let peer = match self.netns(node).iface(ix).map(|i| &i.kind) {
                Some(IfKind::Veth { link: Some(l) }) => self.veths.get(l).and_then(|ends| {
                    let other = ends.iter().find(|e| (e.node, e.ifindex) != (node, ix))?;
                    Some(self.netns_name(other.node).map(str::to_string))
                }),
                _ => None,
            };
            (self.world.add_capture(node, PortId(ix), filter), peer)
        };
        self.captures.push(CaptureInfo {
            id,
            node,
            netns: self.netns_name(node).map(str::to_string),
            iface: dev.to_string(),
            filter_text: filter_text.to_string(),
            peer,
        });
        let mut prog = crate::proc::Tcpdump::new(id, dev, writes_file).verbose(verbose);
        if let Some(n) = count {
            self.world.limit_capture(id, n);
            prog = prog.with_count(n);
        }
        let job = self.spawn(node, Box::new(prog));
        Ok((job, id))
    }

    /// Every capture started so far.
    pub fn captures(&self) -> &[CaptureInfo] {
        &self.captures
    }
}
