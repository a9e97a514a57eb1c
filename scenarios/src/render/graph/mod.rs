//! `nslab graph`: the lab's topology as a picture — namespaces as boxes listing their
//! interfaces and addresses, veth pairs as lines between them, a bridge's ports under it,
//! routers and NAT boxes marked (forwarding on, NAT rules, filter policies), captured
//! interfaces marked — as SVG (drawn here, no graphviz needed), Graphviz `dot` or Mermaid.
//!
//! It reads a sim lab's state only ([`Topology::of`]); the layout and the SVG are in
//! [`svg`]. It must not change the lab.

pub mod svg;

use sim_core::{LinkId, NodeId};
use sim_nodes::Lab;
use sim_nodes::netfilter::rule::Target;
use sim_nodes::netfilter::table::Tables;
use sim_nodes::netns::iface::IfKind;
use std::collections::BTreeMap;
use std::fmt::Write;

/// One interface, as a row of its namespace's box.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// Its name.
    pub name: String,
    /// `veth`, `bridge` or `lo`.
    pub kind: &'static str,
    /// Its IPv4 addresses, `192.0.2.1/24`.
    pub addrs: Vec<String>,
    /// Administratively up and with carrier.
    pub running: bool,
    /// The bridge it is a port of (its row in the same box).
    pub master: Option<usize>,
    /// Some capture (`tcpdump`) was started on it.
    pub captured: bool,
}

/// A namespace: a box.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NsBox {
    /// Its name (`root` for the machine's own).
    pub name: String,
    /// What it does beyond a host: `forwarding`, `NAT`, `filter: FORWARD DROP`.
    pub roles: Vec<String>,
    /// Its interfaces but `lo`, a bridge's ports after it.
    pub rows: Vec<Row>,
}

/// A veth pair: two rows of (possibly the same) boxes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Wire {
    /// One end: box, row.
    pub a: (usize, usize),
    /// The other end.
    pub b: (usize, usize),
    /// Both ends running.
    pub up: bool,
}

/// What a namespace's iptables does, in a few words: `NAT (MASQUERADE, DNAT)`, `filter: 2
/// rules, FORWARD DROP` (a chain's policy when it drops).
fn netfilter_roles(t: &Tables) -> Vec<String> {
    let mut roles = Vec::new();
    let mut nat: Vec<&str> = Vec::new();
    for (r, _) in t.nat.chains.iter().flat_map(|c| &c.rules) {
        let word = match r.target {
            Target::Masquerade { .. } => "MASQUERADE",
            Target::Snat { .. } => "SNAT",
            Target::Dnat { .. } => "DNAT",
            Target::Redirect { .. } => "REDIRECT",
            _ => continue,
        };
        if !nat.contains(&word) {
            nat.push(word);
        }
    }
    if !nat.is_empty() {
        roles.push(format!("NAT ({})", nat.join(", ")));
    }
    let rules: usize = t.filter.chains.iter().map(|c| c.rules.len()).sum();
    let mut filter: Vec<String> = Vec::new();
    if rules > 0 {
        filter.push(format!("{rules} rule{}", if rules == 1 { "" } else { "s" }));
    }
    filter.extend(t.filter.chains.iter().filter(|c| c.policy == Some(false)).map(|c| format!("{} DROP", c.name)));
    if !filter.is_empty() {
        roles.push(format!("filter: {}", filter.join(", ")));
    }
    roles
}

/// What a picture shows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Topology {
    /// The namespaces, the root's first when it has interfaces, then in the order made.
    pub boxes: Vec<NsBox>,
    /// The veth pairs.
    pub wires: Vec<Wire>,
}

impl Topology {
    /// The topology of `lab` as it stands.
    pub fn of(lab: &Lab) -> Topology {
        let captured: Vec<(NodeId, &str)> = lab.captures().iter().map(|c| (c.node, c.iface.as_str())).collect();
        let mut t = Topology::default();
        let mut ends: BTreeMap<LinkId, Vec<(usize, usize, bool)>> = BTreeMap::new();
        for (name, node) in lab.namespaces() {
            let ns = lab.netns(node);
            let ifaces: Vec<_> = ns.ifaces().filter(|i| i.kind != IfKind::Loopback).collect();
            if name.is_none() && ifaces.is_empty() {
                continue;
            }
            let b = t.boxes.len();
            // Bridges and plain interfaces in ifindex order, each bridge's ports after it.
            let mut order: Vec<&sim_nodes::netns::iface::Iface> = Vec::new();
            for i in ifaces.iter().filter(|i| i.master.is_none_or(|m| ns.iface(m).is_none())) {
                order.push(i);
                order.extend(ifaces.iter().filter(|p| p.master == Some(i.ifindex)));
            }
            let mut rows = Vec::new();
            for i in &order {
                let master = i.master.and_then(|m| order.iter().position(|o| o.ifindex == m));
                if let IfKind::Veth { link: Some(l) } = i.kind {
                    ends.entry(l).or_default().push((b, rows.len(), i.is_running()));
                }
                rows.push(Row {
                    name: i.name.clone(),
                    kind: match i.kind {
                        IfKind::Bridge => "bridge",
                        IfKind::Veth { .. } => "veth",
                        IfKind::Loopback => "lo",
                    },
                    addrs: i.addrs.iter().map(|a| format!("{}/{}", a.addr, a.prefix)).collect(),
                    running: i.is_running(),
                    master,
                    captured: captured.contains(&(node, i.name.as_str())),
                });
            }
            let mut roles = Vec::new();
            if ns.sysctl().num("net.ipv4.ip_forward") == 1 {
                roles.push("forwarding".to_string());
            }
            roles.extend(netfilter_roles(ns.iptables_tables()));
            t.boxes.push(NsBox { name: name.unwrap_or("root").to_string(), roles, rows });
        }
        for e in ends.values() {
            if let [a, b] = e[..] {
                t.wires.push(Wire { a: (a.0, a.1), b: (b.0, b.1), up: a.2 && b.2 });
            }
        }
        t
    }

    /// A row's text: its name, then its addresses.
    pub fn row_text(r: &Row) -> String {
        let mut s = r.name.clone();
        if r.kind == "bridge" {
            s.push_str(" (bridge)");
        }
        for a in &r.addrs {
            let _ = write!(s, " {a}");
        }
        if !r.running {
            s.push_str(" DOWN");
        }
        s
    }

    /// Graphviz `dot`: a cluster per namespace, a node per interface, an edge per veth
    /// pair and per bridge port.
    pub fn dot(&self) -> String {
        let q = |s: &str| s.replace('\\', "\\\\").replace('"', "\\\"");
        let mut s = String::from(
            "graph lab {\n  rankdir=LR;\n  compound=true;\n  node [shape=box, fontname=\"monospace\", fontsize=10];\n",
        );
        for (b, x) in self.boxes.iter().enumerate() {
            let mut label = q(&x.name);
            if !x.roles.is_empty() {
                let _ = write!(label, "\\n{}", q(&x.roles.join(", ")));
            }
            let _ = writeln!(s, "  subgraph cluster_{b} {{\n    label=\"{label}\";\n    fontname=\"monospace\";");
            if x.rows.is_empty() {
                let _ = writeln!(s, "    n{b} [label=\"(only lo)\", shape=plaintext];");
            }
            for (r, row) in x.rows.iter().enumerate() {
                let mut l = q(&row.name);
                for a in &row.addrs {
                    let _ = write!(l, "\\n{a}");
                }
                let mut attrs = format!("label=\"{l}\"");
                if row.captured {
                    attrs.push_str(", color=red, xlabel=\"tcpdump\"");
                }
                if !row.running {
                    attrs.push_str(", style=dashed");
                }
                if row.kind == "bridge" {
                    attrs.push_str(", shape=box3d");
                }
                let _ = writeln!(s, "    n{b}_{r} [{attrs}];");
            }
            for (r, row) in x.rows.iter().enumerate() {
                if let Some(m) = row.master {
                    let _ = writeln!(s, "    n{b}_{r} -- n{b}_{m} [style=dotted];");
                }
            }
            s.push_str("  }\n");
        }
        for w in &self.wires {
            let style = if w.up { "" } else { " [style=dashed]" };
            let _ = writeln!(s, "  n{}_{} -- n{}_{}{style};", w.a.0, w.a.1, w.b.0, w.b.1);
        }
        s.push_str("}\n");
        s
    }

    /// Mermaid `flowchart LR`: a subgraph per namespace, a node per interface.
    pub fn mermaid(&self) -> String {
        let q = crate::render::flow::mermaid_text;
        let mut s = String::from("flowchart LR\n");
        for (b, x) in self.boxes.iter().enumerate() {
            let mut title = q(&x.name);
            if !x.roles.is_empty() {
                let _ = write!(title, "<br/>{}", q(&x.roles.join(", ")));
            }
            let _ = writeln!(s, "  subgraph ns{b}[\"{title}\"]");
            if x.rows.is_empty() {
                let _ = writeln!(s, "    n{b}[\"(only lo)\"]");
            }
            for (r, row) in x.rows.iter().enumerate() {
                let mut l = q(&row.name);
                for a in &row.addrs {
                    let _ = write!(l, "<br/>{a}");
                }
                if row.captured {
                    l.push_str("<br/>◉ tcpdump");
                }
                if !row.running {
                    l.push_str("<br/>DOWN");
                }
                let _ = writeln!(s, "    n{b}_{r}[\"{l}\"]");
            }
            s.push_str("  end\n");
        }
        for (b, x) in self.boxes.iter().enumerate() {
            for (r, row) in x.rows.iter().enumerate() {
                if let Some(m) = row.master {
                    let _ = writeln!(s, "  n{b}_{r} -.- n{b}_{m}");
                }
            }
        }
        for w in &self.wires {
            let arrow = if w.up { "---" } else { "-.-" };
            let _ = writeln!(s, "  n{}_{} {arrow} n{}_{}", w.a.0, w.a.1, w.b.0, w.b.1);
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lab(script: &str) -> Lab {
        let sc = crate::load("t.sh", script).expect("parses");
        crate::run::sim::run("t.sh", script, &sc, &Default::default()).expect("runs").lab
    }

    const ROUTED: &str = "ip netns add a\nip netns add r\nip link add va type veth peer name ra\n\
        ip link set va netns a\nip link set ra netns r\nip -n a link set va up\nip -n r link set ra up\n\
        ip -n a addr add 10.0.0.1/24 dev va\nip -n r addr add 10.0.0.254/24 dev ra\n\
        ip netns exec r sysctl -w net.ipv4.ip_forward=1\n\
        ip netns exec r iptables -t nat -A POSTROUTING -o ra -j MASQUERADE\n\
        ip netns exec r ip link add br0 type bridge\nip netns exec r ip link add p0 type veth peer name p1\n\
        ip netns exec r ip link set p0 master br0\n";

    #[test]
    fn boxes_rows_wires_and_roles() {
        let t = Topology::of(&lab(ROUTED));
        let names: Vec<&str> = t.boxes.iter().map(|b| b.name.as_str()).collect();
        assert_eq!(names, ["a", "r"], "the root has no interface but lo: no box");
        assert_eq!(t.boxes[1].roles, ["forwarding", "NAT (MASQUERADE)"]);
        let rows: Vec<String> = t.boxes[1].rows.iter().map(Topology::row_text).collect();
        assert_eq!(rows, ["ra 10.0.0.254/24", "br0 (bridge) DOWN", "p0 DOWN", "p1 DOWN"]);
        assert_eq!(t.boxes[1].rows[2].master, Some(1));
        assert_eq!(t.wires.len(), 2, "a–r and p0–p1");
        assert_eq!(t.wires[0], Wire { a: (0, 0), b: (1, 0), up: true });
        assert_eq!(t.wires[1], Wire { a: (1, 2), b: (1, 3), up: false });
        let odd =
            Topology { boxes: vec![NsBox { name: "a\"b#c;<d>".into(), roles: vec![], rows: vec![] }], wires: vec![] };
        assert!(odd.dot().contains("label=\"a\\\"b#c;<d>\";"), "{}", odd.dot());
        assert!(odd.mermaid().contains("subgraph ns0[\"a#34;b#35;c#59;#60;d>\"]"), "{}", odd.mermaid());
        let dot = t.dot();
        assert!(dot.contains("label=\"r\\nforwarding, NAT (MASQUERADE)\""), "{dot}");
        assert!(dot.contains("  n0_0 -- n1_0;\n"), "{dot}");
        assert!(dot.contains("    n1_2 -- n1_1 [style=dotted];\n"), "{dot}");
        let m = t.mermaid();
        assert!(m.starts_with("flowchart LR\n  subgraph ns0[\"a\"]\n    n0_0[\"va<br/>10.0.0.1/24\"]\n"), "{m}");
        assert!(m.contains("  n1_2 -.- n1_3\n"), "a pair down is dotted: {m}");
    }
}
