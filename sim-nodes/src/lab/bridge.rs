//! The `Lab`'s bridge vocabulary: `ip link add … type bridge`, `master` / `nomaster`,
//! `ageing_time`, `bridge fdb show`, and bridge-utils' `brctl`.

use super::{Lab, LabError};
use crate::netns::{BridgeError, Netns};
use crate::show;
use sim_core::{Duration, MacAddr, NodeId};

impl From<BridgeError> for LabError {
    fn from(e: BridgeError) -> Self {
        let hint = match e {
            BridgeError::NotABridge => "`master` must name a bridge (ip link add NAME type bridge)",
            BridgeError::BridgeIntoBridge => "a bridge cannot be a port of a bridge (nor of itself)",
            BridgeError::Loopback => "lo cannot be a bridge port",
        };
        LabError::new(e.to_string()).hint(hint)
    }
}

impl Lab {
    /// `ip link add NAME type bridge`.
    pub fn bridge_add(&mut self, node: NodeId, name: &str) -> Result<(), LabError> {
        super::names::ip_ifname(name, super::names::IfnameArg::Dev)?;
        super::names::kernel_ifname(name)?;
        self.add_bridge_dev(node, name)
    }

    /// `brctl addbr NAME`: the kernel keeps the name's first 15 bytes.
    pub fn brctl_addbr(&mut self, node: NodeId, name: &str) -> Result<(), LabError> {
        let kept = super::names::brctl_bridge_name(name)?;
        if self.netns(node).iface_by_name(kept).is_some() {
            return Err(LabError::new(format!("device {name} already exists; can't create bridge with the same name"))
                .status(1)
                .hint("an interface of that name already exists there"));
        }
        self.add_bridge_dev(node, kept)
    }

    fn add_bridge_dev(&mut self, node: NodeId, name: &str) -> Result<(), LabError> {
        if self.netns(node).iface_by_name(name).is_some() {
            return Err(
                LabError::new("RTNETLINK answers: File exists").hint("an interface of that name already exists there")
            );
        }
        self.world_mut().with_node::<Netns, _>(node, |n, cx| {
            let mut b = [0u8; 6];
            sim_core::rng::fill(cx.rng(), &mut b);
            let now = cx.now();
            n.add_bridge(cx.rng(), name, MacAddr::random_local(b), now)
        });
        Ok(())
    }

    /// `ip link set DEV master BR` (`Some`) or `nomaster` (`None`).
    pub fn link_set_master(&mut self, node: NodeId, dev: &str, master: Option<&str>) -> Result<(), LabError> {
        let ix = self.ifindex(node, dev)?;
        let m = master.map(|m| self.ifindex(node, m)).transpose()?;
        let old = self.netns(node).iface(ix).and_then(|i| i.master);
        self.world_mut().with_node::<Netns, _>(node, |n, cx| n.set_master(ix, m, cx.now()))?;
        // Enslaving or releasing a port changes the bridges' carrier.
        let changed: Vec<u32> = [Some(ix), old, m].into_iter().flatten().collect();
        self.world_mut().with_node::<Netns, _>(node, |n, cx| n.addrconf_sync_near(cx, &changed));
        Ok(())
    }

    /// `ip link set BR type bridge ageing_time CENTISECONDS` / `brctl setageing BR SECONDS`.
    pub fn bridge_set_ageing(&mut self, node: NodeId, br: &str, ageing: Duration) -> Result<(), LabError> {
        let ix = self.bridge_index(node, br)?;
        self.world_mut().with_node::<Netns, _>(node, |n, cx| n.set_ageing(cx, ix, ageing));
        Ok(())
    }

    /// `ip link set BR type bridge mcast_snooping 0`: the way nslab's bridges work anyway
    /// (they flood multicast and join no snoopers' group, so send no IGMP or MLD report of
    /// their own when they come up); `ip -d link` then says so. An error when `BR` is not
    /// a bridge.
    pub fn bridge_set_no_snooping(&mut self, node: NodeId, br: &str) -> Result<(), LabError> {
        let ix = self.bridge_index(node, br)?;
        self.world_mut().with_node::<Netns, _>(node, |n, _| n.set_no_snooping(ix));
        Ok(())
    }

    /// `bridge link set dev PORT …`: `f` changes the port's options; errors as the kernel
    /// answers them (a device that is no bridge's port: not supported; a priority past 63:
    /// out of range).
    pub fn bridge_link_set(
        &mut self,
        node: NodeId,
        dev: &str,
        priority: Option<u8>,
        f: impl FnOnce(&mut crate::netns::bridge::PortOpts),
    ) -> Result<(), LabError> {
        let Ok(ix) = self.ifindex(node, dev) else {
            return Err(LabError::new(format!("Cannot find bridge device \"{dev}\"")).status(255));
        };
        if self.netns(node).iface(ix).and_then(|i| i.master).is_none() {
            return Err(LabError::new("RTNETLINK answers: Operation not supported")
                .status(255)
                .hint(format!("{dev} is not a bridge port: `ip link set {dev} master BRIDGE` first")));
        }
        if priority.is_some_and(|p| p > 63) {
            return Err(LabError::new("RTNETLINK answers: Numerical result out of range").status(255));
        }
        self.world_mut().with_node::<Netns, _>(node, |n, _| n.set_port_opts(ix, f));
        Ok(())
    }

    fn bridge_index(&self, node: NodeId, br: &str) -> Result<u32, LabError> {
        let ix = self.ifindex(node, br)?;
        if self.netns(node).bridge(ix).is_none() {
            return Err(LabError::new(format!("{br} is not a bridge")).status(1));
        }
        Ok(ix)
    }

    /// `brctl delbr BR`: only a bridge that is down.
    pub fn brctl_delbr(&mut self, node: NodeId, br: &str) -> Result<(), LabError> {
        let ix = self
            .bridge_index(node, br)
            .map_err(|_| LabError::new(format!("bridge {br} doesn't exist; can't delete it")).status(1))?;
        if self.netns(node).iface(ix).is_some_and(|i| i.admin_up) {
            return Err(LabError::new(format!("bridge {br} is still up; can't delete it"))
                .status(1)
                .hint(format!("ip link set {br} down first")));
        }
        self.delete_iface(node, ix);
        Ok(())
    }

    /// `bridge fdb show [br BR]`, in the kernel's dump order: devices by ifindex; for a port,
    /// its bridge's entries for it (newest first) then its own multicast addresses; for a
    /// bridge, its own multicast addresses then its own address.
    pub fn bridge_fdb_show(&self, node: NodeId, br: Option<&str>) -> Result<Vec<String>, LabError> {
        let ns = self.netns(node);
        let only = br.map(|b| self.bridge_index(node, b)).transpose()?;
        let mut out = Vec::new();
        for i in ns.ifaces() {
            if i.is_loopback() {
                continue;
            }
            let of_bridge = match (i.master, ns.bridge(i.ifindex)) {
                (Some(m), _) => Some(m),
                (None, Some(_)) => Some(i.ifindex),
                (None, None) => None,
            };
            if only.is_some() && of_bridge != only {
                continue;
            }
            if let Some(m) = i.master {
                let (Some(b), Some(bname)) = (ns.bridge(m), ns.iface(m).map(|x| x.name.as_str())) else { continue };
                let mut entries: Vec<_> = b.fdb().iter().filter(|(_, e)| e.port == i.ifindex).collect();
                entries.sort_by_key(|(_, e)| std::cmp::Reverse(e.seq));
                for (mac, e) in entries {
                    out.push(format!("{mac} dev {} master {bname} {}", i.name, if e.local { "permanent" } else { "" }));
                }
            }
            for mc in show::self_multicast(i) {
                out.push(format!("{mc} dev {} self permanent", i.name));
            }
            for mc in i.v6.group_macs() {
                out.push(format!("{mc} dev {} self permanent", i.name));
            }
            if let Some(b) = ns.bridge(i.ifindex)
                && let Some(e) = b.fdb().get(&i.mac)
                && e.port == i.ifindex
            {
                out.push(format!("{} dev {} master {} permanent", i.mac, i.name, i.name));
            }
        }
        Ok(out)
    }

    /// `bridge link show [dev DEV]`: each bridge port by ifindex, as `print_linkinfo` of
    /// iproute2's `bridge/link.c` prints it (measured on Linux 6.18, iproute2 6.1):
    /// `N: NAME@LINK: <FLAGS> mtu M master BR state S priority P cost C `. LINK names the
    /// device of *this* namespace whose ifindex is the veth peer's (a peer elsewhere is
    /// usually ifindex 2, so a port often reads `p1@br0`), `ifN` when there is none, nothing
    /// when it is the port's own; `M-DOWN` joins the flags when that device is down. The state is `forwarding` while
    /// the port and its bridge are up with carrier (no STP), else `disabled`; a veth's
    /// path cost is 2 (10 Gb/s) and its priority 32 unless `bridge link set` changed them.
    /// With `details` (`bridge -d`) a second line holds the port's flags. A device that is
    /// not a port prints nothing.
    pub fn bridge_link_show(&self, node: NodeId, dev: Option<&str>, details: bool) -> Result<Vec<String>, LabError> {
        let ns = self.netns(node);
        // `bridge` exits 255 where `ip` exits 1.
        let only = dev.map(|d| self.ifindex(node, d).map_err(|e| e.status(255))).transpose()?;
        let mut out = Vec::new();
        for i in ns.ifaces() {
            let Some(m) = i.master.filter(|_| only.is_none_or(|o| o == i.ifindex)) else { continue };
            let Some(br) = ns.iface(m) else { continue };
            // `br_fill_ifinfo` gives IFLA_LINK only when the peer's ifindex is not the
            // port's own (measured: both ends interface 2 print `2: v0:`).
            let peer = self.peer_of(node, i.ifindex).map(|(_, _, e)| e.ifindex).filter(|&p| p != i.ifindex);
            let link = peer.map(|p| match ns.iface(p) {
                Some(l) => (l.name.clone(), !l.admin_up),
                None => (format!("if{p}"), false),
            });
            let (name, mdown) = match link {
                Some((l, down)) => (format!("{}@{l}", i.name), down),
                None => (i.name.clone(), false),
            };
            let state = if i.is_running() && br.admin_up { "forwarding" } else { "disabled" };
            let o = ns.bridge(m).map(|b| b.port_opts(i.ifindex)).unwrap_or_default();
            out.push(format!(
                "{}: {name}: <{}> mtu {} master {} state {state} priority {} cost {} ",
                i.ifindex,
                show::flags(i, mdown),
                i.mtu,
                br.name,
                o.priority,
                o.cost
            ));
            if details {
                let f = |b: bool| if b { "on" } else { "off" };
                out.push(format!(
                    "    hairpin {} guard off root_block off fastleave off learning {} flood {} mcast_flood {} \
                     bcast_flood {} mcast_router 1 mcast_to_unicast off neigh_suppress off vlan_tunnel off isolated {} \
                     locked off ",
                    f(o.hairpin),
                    f(o.learning),
                    f(o.flood),
                    f(o.mcast_flood),
                    f(o.bcast_flood),
                    f(o.isolated)
                ));
            }
        }
        Ok(out)
    }

    /// `brctl show [BR]`.
    pub fn brctl_show(&self, node: NodeId, br: Option<&str>) -> Result<Vec<String>, LabError> {
        let ns = self.netns(node);
        let only = br.map(|b| self.bridge_index(node, b)).transpose()?;
        let mut out = vec!["bridge name\tbridge id\t\tSTP enabled\tinterfaces".to_string()];
        for i in ns.ifaces().filter(|i| i.is_bridge() && only.is_none_or(|o| o == i.ifindex)) {
            // The STP bridge id: zero until the bridge has a port (or an address set by hand).
            let has_id = ns.bridge(i.ifindex).is_some_and(|b| !b.ports().is_empty() || b.mac_set);
            let mac = if has_id { i.mac } else { sim_core::MacAddr::ZERO };
            let id: String = mac.0.iter().map(|b| format!("{b:02x}")).collect();
            let ports: Vec<&str> = ns
                .bridge(i.ifindex)
                .map(|b| b.ports().iter().filter_map(|(p, _)| ns.iface(*p).map(|x| x.name.as_str())).collect())
                .unwrap_or_default();
            let mut first = format!("{}\t\t8000.{id}\tno\t\t", i.name);
            if let Some(p) = ports.first() {
                first.push_str(p);
            }
            out.push(first);
            for p in ports.iter().skip(1) {
                out.push(format!("\t\t\t\t\t\t\t{p}"));
            }
        }
        Ok(out)
    }

    /// `brctl showmacs BR`: entries sorted by MAC, with port numbers and seconds since each
    /// learned entry was last refreshed.
    pub fn brctl_showmacs(&self, node: NodeId, br: &str) -> Result<Vec<String>, LabError> {
        let ix = self.bridge_index(node, br)?;
        let ns = self.netns(node);
        let b = ns.bridge(ix).expect("checked");
        let now = self.world().now();
        let mut out = vec!["port no\tmac addr\t\tis local?\tageing timer".to_string()];
        for (mac, e) in b.fdb() {
            let Some(&(_, no)) = b.ports().iter().find(|(p, _)| *p == e.port) else { continue };
            let age = if e.local { Duration::ZERO } else { now - e.updated };
            let cs = age.as_millis() / 10;
            out.push(format!(
                "{no:>3}\t{mac}\t{}\t\t{:>4}.{:02}",
                if e.local { "yes" } else { "no" },
                cs / 100,
                cs % 100
            ));
        }
        Ok(out)
    }
}

impl Lab {
    /// A bridge loop, if the topology has one: bridges are vertices, every veth pair whose
    /// two ends are bridge ports is an edge, and the first edge that joins two bridges
    /// already connected closes a cycle. Returns the cycle as text, e.g.
    /// `br0 (root) -[a0|a1]- br1 (root) -[b1|b0]- br0 (root)`.
    pub fn bridge_loop(&self) -> Option<String> {
        use petgraph::graph::{NodeIndex, UnGraph};
        use petgraph::unionfind::UnionFind;
        use std::collections::BTreeMap;
        let mut g: UnGraph<(NodeId, u32), (String, String)> = UnGraph::new_undirected();
        let mut ix: BTreeMap<(NodeId, u32), NodeIndex> = BTreeMap::new();
        let mut vertex = |g: &mut UnGraph<_, _>, k: (NodeId, u32)| *ix.entry(k).or_insert_with(|| g.add_node(k));
        let mut closing = None;
        let mut uf = UnionFind::<usize>::new(self.veths.len() * 2 + 1);
        for ends in self.veths.values() {
            let master =
                |e: &super::End| self.netns(e.node).iface(e.ifindex).and_then(|i| i.master).map(|m| (e.node, m));
            let (Some(a), Some(b)) = (master(&ends[0]), master(&ends[1])) else { continue };
            let name = |e: &super::End| self.netns(e.node).iface(e.ifindex).map(|i| i.name.clone()).unwrap_or_default();
            let (va, vb) = (vertex(&mut g, a), vertex(&mut g, b));
            if uf.find(va.index()) == uf.find(vb.index()) {
                closing = Some((va, vb, (name(&ends[0]), name(&ends[1]))));
                break;
            }
            uf.union(va.index(), vb.index());
            g.add_edge(va, vb, (name(&ends[0]), name(&ends[1])));
        }
        let (va, vb, (na, nb)) = closing?;
        let label = |v: NodeIndex| {
            let (node, br) = g[v];
            let ns = self.netns_name(node).unwrap_or("root");
            format!("{} ({ns})", self.netns(node).iface(br).map(|i| i.name.as_str()).unwrap_or("?"))
        };
        // The path from vb back to va in the forest, then the closing edge.
        let path = petgraph::algo::astar(&g, vb, |n| n == va, |_| 1, |_| 0).map(|(_, p)| p).unwrap_or_else(|| vec![vb]);
        let mut text = format!("{} -[{na}|{nb}]- {}", label(va), label(vb));
        for w in path.windows(2) {
            let e = g.find_edge(w[0], w[1]).map(|e| g[e].clone()).unwrap_or_default();
            text.push_str(&format!(" -[{}|{}]- {}", e.0, e.1, label(w[1])));
        }
        Some(text)
    }
}
