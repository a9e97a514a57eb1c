//! `nslab flow`: what crossed the captured interfaces as a ladder (sequence) diagram — a
//! column per namespace, an arrow per frame from the namespace that sent it to the one at
//! the other end of the veth, a NAT's rewrite named on the arrow that leaves it (the same
//! packet, by its IP id and length, came in with other addresses), drops marked where they
//! happened — as Mermaid, SVG or one self-contained HTML file.
//!
//! It reads a run's [`Outcome`] only (frames, drops, each capture's namespace and the
//! namespace at the other end of its veth); the drawing is [`svg`].

pub mod svg;

use super::explain;
use super::transcript::Outcome;
use sim_core::tcpdump::{Formatter, Options};
use sim_core::{CaptureId, Direction, Instant, NodeId, Record};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::net::Ipv4Addr;

/// What happens at one moment of the ladder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    /// A frame from column `from` to column `to` (the same for a frame whose other end is
    /// not a namespace: a bridge's own device).
    Frame {
        /// When it was first seen.
        at: Instant,
        /// The sender's column.
        from: usize,
        /// The receiver's column.
        to: usize,
        /// tcpdump's `-tn` line for it.
        text: String,
        /// How a NAT in `from` rewrote it (`NAT: src 10.0.0.1:5000 → 203.0.113.1:5000`).
        nat: Option<String>,
    },
    /// Packets dropped in a column.
    Drop {
        /// When.
        at: Instant,
        /// Where.
        col: usize,
        /// What and why, as `--explain` says it.
        text: String,
    },
}

/// A ladder: its columns (namespaces) and what happened, in order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Flow {
    /// Namespace names, in the order they first appear.
    pub columns: Vec<String>,
    /// Frames and drops, in time order.
    pub items: Vec<Item>,
    /// Items past the limit, not drawn.
    pub omitted: usize,
}

/// The addresses and ports of an IPv4 packet, and what identifies it across a NAT.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Ends {
    id: (u16, u8, u16),
    src: (Ipv4Addr, Option<u16>),
    dst: (Ipv4Addr, Option<u16>),
}

fn ends(frame: &[u8]) -> Option<Ends> {
    if frame.get(12..14)? != [0x08, 0x00] {
        return None;
    }
    let ip = &frame[14..];
    let ihl = (*ip.first()? as usize & 0x0f) * 4;
    let addr = |at: usize| Some(Ipv4Addr::new(*ip.get(at)?, *ip.get(at + 1)?, *ip.get(at + 2)?, *ip.get(at + 3)?));
    let port = |at: usize| Some(u16::from_be_bytes([*ip.get(ihl + at)?, *ip.get(ihl + at + 1)?]));
    let proto = *ip.get(9)?;
    let ports = matches!(proto, 6 | 17);
    let p = |at| if ports { port(at) } else { None };
    Some(Ends {
        id: (u16::from_be_bytes([*ip.get(4)?, *ip.get(5)?]), proto, u16::from_be_bytes([*ip.get(2)?, *ip.get(3)?])),
        src: (addr(12)?, p(0)),
        dst: (addr(16)?, p(2)),
    })
}

fn show(e: (Ipv4Addr, Option<u16>)) -> String {
    match e.1 {
        Some(p) => format!("{}:{p}", e.0),
        None => e.0.to_string(),
    }
}

/// How `out` differs from `inn`, the same packet before a NAT: `NAT: src a → b`, `NAT: dst
/// a → b` (a reply's rewrite too, which conntrack derives from the original's).
fn rewrite(inn: &Ends, out: &Ends) -> Option<String> {
    let mut parts = Vec::new();
    if inn.src != out.src {
        parts.push(format!("NAT: src {} → {}", show(inn.src), show(out.src)));
    }
    if inn.dst != out.dst {
        parts.push(format!("NAT: dst {} → {}", show(inn.dst), show(out.dst)));
    }
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// Text as Mermaid shows it literally: `#` starts an entity and `;` ends a statement, `<`
/// and `&` may start HTML, `"` ends a label — each as its `#N;` code (`>` alone is only
/// text, and tcpdump's lines are full of it).
pub fn mermaid_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '#' | ';' | '<' | '&' | '"' => {
                let _ = write!(out, "#{};", ch as u32);
            }
            c => out.push(c),
        }
    }
    out
}

impl Flow {
    /// The ladder of a run: every captured frame (a frame both ends captured counts once),
    /// every drop in a namespace that has a column, up to `max` items. `nodes` names the
    /// namespaces of drop records; `order` is the columns' order where it names them (the
    /// topology's reading order), the others follow as they first appear. An error says
    /// what is missing (no capture).
    pub fn of(out: &Outcome, nodes: &BTreeMap<NodeId, String>, order: &[String], max: usize) -> Result<Flow, String> {
        if out.captures.is_empty() {
            return Err("nothing was captured: start a capture where the packets go (`ip netns exec NS tcpdump -i \
                        IFACE &`) and run it again"
                .into());
        }
        fn col(f: &mut Flow, ns: &str) -> usize {
            match f.columns.iter().position(|c| c == ns) {
                Some(i) => i,
                None => {
                    f.columns.push(ns.to_string());
                    f.columns.len() - 1
                }
            }
        }
        let mut f = Flow::default();
        let caps: BTreeMap<CaptureId, (String, Option<String>)> = out
            .captures
            .iter()
            .map(|c| {
                let ns = c.name.split('/').next().unwrap_or("root").to_string();
                (c.id, (ns, c.peer.clone()))
            })
            .collect();
        for (ns, peer) in caps.values() {
            col(&mut f, ns);
            if let Some(p) = peer {
                col(&mut f, p);
            }
        }
        let mut fmts: BTreeMap<CaptureId, Formatter> = BTreeMap::new();
        // Frames seen at one end of a link and not yet at the other: (the capture that saw
        // it, from, to, bytes), the last few. The same frame twice on one capture (an ARP
        // retry, a retransmission) is two frames.
        let mut in_flight: Vec<(CaptureId, usize, usize, Vec<u8>)> = Vec::new();
        // Per column, the last packets that arrived in it (for a NAT's rewrite).
        let mut arrived: BTreeMap<usize, Vec<Ends>> = BTreeMap::new();
        let mut items = Vec::new();
        for r in &out.records {
            match r {
                Record::Frame { at, capture, dir, bytes, .. } => {
                    let Some((ns, peer)) = caps.get(capture) else { continue };
                    let here = col(&mut f, ns);
                    let there = peer.as_deref().map_or(here, |p| col(&mut f, p));
                    let (from, to) = if *dir == Direction::Out { (here, there) } else { (there, here) };
                    // Every frame goes through its capture's formatter, drawn or not: TCP's
                    // relative numbers need the whole conversation, as tcpdump sees it.
                    let fmt = fmts
                        .entry(*capture)
                        .or_insert_with(|| Formatter::new(Options { link_header: false, ..Options::default() }));
                    let text = fmt.line(at.as_nanos(), bytes);
                    let other_end =
                        in_flight.iter().position(|(c, a, b, x)| c != capture && (*a, *b) == (from, to) && x == bytes);
                    if let Some(i) = other_end {
                        in_flight.remove(i);
                        continue;
                    }
                    if from != to {
                        in_flight.push((*capture, from, to, bytes.clone()));
                        if in_flight.len() > 64 {
                            in_flight.remove(0);
                        }
                    }
                    let e = ends(bytes);
                    // The same packet (by IP id, protocol, length) that last came into the
                    // sender, if its addresses changed there.
                    let nat = e.and_then(|e| {
                        let came = arrived.get(&from)?.iter().rev().find(|s| s.id == e.id)?;
                        rewrite(came, &e)
                    });
                    if let Some(e) = e {
                        let seen = arrived.entry(to).or_default();
                        seen.push(e);
                        if seen.len() > 32 {
                            seen.remove(0);
                        }
                    }
                    items.push(Item::Frame { at: *at, from, to, text, nat });
                }
                Record::Drop { at, node, reason, context, .. } => {
                    let Some(ns) = nodes.get(node) else { continue };
                    let Some(c) = f.columns.iter().position(|x| x == ns) else { continue };
                    let ctx = context.as_deref();
                    let what = ctx.and_then(|c| explain::packet_summary(&c.packet));
                    let mut text = String::from("✕ dropped");
                    if let Some(w) = what {
                        let _ = write!(text, " {w}");
                    }
                    let _ = write!(text, ": {}", explain::sentence(reason, ctx));
                    items.push(Item::Drop { at: *at, col: c, text });
                }
                _ => {}
            }
        }
        // Columns in `order`, the rest after them as they came; items follow their columns.
        let rank = |c: &String| order.iter().position(|o| o == c).unwrap_or(order.len());
        let mut perm: Vec<usize> = (0..f.columns.len()).collect();
        perm.sort_by_key(|&i| (rank(&f.columns[i]), i));
        let mut to_new = vec![0; perm.len()];
        for (new, &old) in perm.iter().enumerate() {
            to_new[old] = new;
        }
        f.columns = perm.iter().map(|&i| f.columns[i].clone()).collect();
        for it in &mut items {
            match it {
                Item::Frame { from, to, .. } => {
                    *from = to_new[*from];
                    *to = to_new[*to];
                }
                Item::Drop { col, .. } => *col = to_new[*col],
            }
        }
        f.omitted = items.len().saturating_sub(max);
        items.truncate(max);
        f.items = items;
        Ok(f)
    }

    /// A Mermaid `sequenceDiagram`.
    pub fn mermaid(&self) -> String {
        let q = mermaid_text;
        let mut s = String::from("sequenceDiagram\n");
        for (i, c) in self.columns.iter().enumerate() {
            let _ = writeln!(s, "  participant p{i} as {}", q(c));
        }
        for it in &self.items {
            match it {
                Item::Frame { at, from, to, text, nat } => {
                    let _ = writeln!(s, "  p{from}->>p{to}: [{at}] {}", q(text));
                    if let Some(n) = nat {
                        let _ = writeln!(s, "  Note over p{from}: {}", q(n));
                    }
                }
                Item::Drop { at, col, text } => {
                    let _ = writeln!(s, "  Note over p{col}: [{at}] {}", q(text));
                }
            }
        }
        if self.omitted > 0 {
            let _ = writeln!(s, "  Note over p0: {} more not drawn (--max)", self.omitted);
        }
        s
    }
}
