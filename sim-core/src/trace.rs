//! Trace records: everything a run observed, in the order it happened.
//!
//! Both back ends produce these records; every user-visible rendering (transcript, tcpdump
//! text, pcapng, JSON) is made from them, so sim and kernel output compare line by line.
//! What both make names things as the scenario does: a command by its prompt, a process by
//! its namespace's name and pid, a frame by its capture (which the renderer names
//! `namespace/interface`). Drops and table events are the sim's alone so far, and name the
//! engine's node and port.
//!
//! Drops are counted per `(node, port, reason)` always, and recorded one by one only up to
//! [`DEFAULT_DROP_RECORDS`] per key (a flood under a `DROP` rule counts, it does not grow
//! the trace); a recorded drop may carry its [`DropContext`] — the packet and the rule —
//! for `nslab run --explain`.

use crate::capture::{CaptureId, Direction};
use crate::node::{NodeId, PortId};
use crate::time::Instant;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;

/// How many drops of one `(node, port, reason)` the trace records one by one by default;
/// beyond that it counts them ([`Trace::drop_counts`]).
pub const DEFAULT_DROP_RECORDS: u64 = 100;

/// What a reader needs to explain a drop beyond its reason: the interface, the packet, and
/// the netfilter rule or the state of the stack that decided it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct DropContext {
    /// The interface, by its name when the packet died.
    pub iface: Option<String>,
    /// The packet from its IPv4 header on (its first [`DropContext::KEEP`] bytes), or
    /// empty when the drop happened before there was one.
    #[serde(serialize_with = "hex")]
    pub packet: Vec<u8>,
    /// The netfilter table whose verdict dropped it (`filter`, `nat`).
    pub table: Option<&'static str>,
    /// That table's chain that decided.
    pub chain: Option<String>,
    /// The deciding rule's number in its chain, counted from 1 as `iptables -L
    /// --line-numbers` does; `None` with a chain: the chain's policy.
    pub rule: Option<u32>,
    /// That rule as `iptables -S` prints it (`-A FORWARD -i veth0 -j DROP`), or the chain's
    /// policy (`-P FORWARD DROP`).
    pub spec: Option<String>,
    /// What the stack knew that explains it (`net.ipv4.ip_forward=0`, `no default route`,
    /// `conntrack state NEW`).
    pub note: Option<String>,
    /// The ICMP error the stack sent back about it (`time exceeded`, `port unreachable`,
    /// `icmp-port-unreachable` for a REJECT), if it sent one: a rate limit, a packet no
    /// error may answer or no route back send none.
    pub icmp: Option<&'static str>,
}

impl DropContext {
    /// Bytes of the packet a context keeps: the longest IPv4 header and the first bytes of
    /// what it carries, enough for tcpdump's one-line summary.
    pub const KEEP: usize = 96;

    /// A context for `packet` (an IPv4 packet, kept up to [`DropContext::KEEP`] bytes)
    /// dropped on `iface`.
    pub fn new(iface: Option<&str>, packet: &[u8]) -> Self {
        DropContext {
            iface: iface.map(str::to_string),
            packet: packet[..packet.len().min(Self::KEEP)].to_vec(),
            ..Default::default()
        }
    }
}

/// Which stream a process wrote a line to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Stream {
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
}

/// A namespace's name as the scenario gives it (empty for the root): how a trace names
/// where a process runs. Shared, so a record costs a reference count, not a copy.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NsName(Arc<str>);

impl NsName {
    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&str> for NsName {
    fn from(s: &str) -> Self {
        NsName(s.into())
    }
}

impl std::ops::Deref for NsName {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl PartialEq<str> for NsName {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for NsName {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl std::fmt::Display for NsName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for NsName {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

/// One observation.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Record {
    /// A command typed at a prompt (`prompt` is the namespace's name, empty for the root).
    Command {
        /// When it was typed.
        at: Instant,
        /// Where it was typed.
        prompt: String,
        /// The command line.
        line: String,
    },
    /// A frame that a capture saw on an interface.
    Frame {
        /// When it was seen.
        at: Instant,
        /// The capture that saw it.
        capture: CaptureId,
        /// Received or sent by the interface.
        dir: Direction,
        /// The whole Ethernet frame.
        #[serde(serialize_with = "hex")]
        bytes: Vec<u8>,
        /// On a capture of `any`: the interface and how Linux classed the frame.
        #[serde(skip_serializing_if = "Option::is_none")]
        cooked: Option<Box<crate::capture::Cooked>>,
    },
    /// A line a process printed.
    Output {
        /// When it was printed.
        at: Instant,
        /// The namespace the process runs in, by its name (empty for the root), as both
        /// back ends name it.
        ns: NsName,
        /// The process, unique within its namespace.
        pid: u32,
        /// stdout or stderr.
        stream: Stream,
        /// The text, without newline.
        line: String,
    },
    /// A process ended.
    Exit {
        /// When.
        at: Instant,
        /// The namespace it ran in (empty for the root).
        ns: NsName,
        /// The process.
        pid: u32,
        /// Its exit status.
        status: i32,
    },
    /// A frame or packet was dropped.
    Drop {
        /// When.
        at: Instant,
        /// Where.
        node: NodeId,
        /// On which port, when one applies.
        port: Option<PortId>,
        /// Why, in a few words.
        reason: &'static str,
        /// The packet, the interface and the rule, where the stack could tell.
        context: Option<Box<DropContext>>,
    },
    /// A state change worth showing (a neighbour entry, an FDB entry, a conntrack event).
    Event {
        /// When.
        at: Instant,
        /// Where.
        node: NodeId,
        /// Which table (`neigh`, `fdb`, `conntrack`).
        table: &'static str,
        /// The change, rendered as the matching tool prints it.
        text: String,
    },
}

impl Record {
    /// When the record happened.
    pub fn at(&self) -> Instant {
        match self {
            Record::Command { at, .. }
            | Record::Frame { at, .. }
            | Record::Output { at, .. }
            | Record::Exit { at, .. }
            | Record::Drop { at, .. }
            | Record::Event { at, .. } => *at,
        }
    }
}

impl Record {
    /// The record's size and the bytes it owns, about (a fixed size per record, so the
    /// count is the same on every machine).
    fn bytes(&self) -> u64 {
        const RECORD: usize = 64;
        let heap = match self {
            Record::Command { prompt, line, .. } => prompt.len() + line.len(),
            Record::Frame { bytes, .. } => bytes.len(),
            Record::Output { line, .. } => line.len(),
            Record::Event { text, .. } => text.len(),
            Record::Drop { context, .. } => context.as_ref().map_or(0, |c| {
                let text = [&c.iface, &c.chain, &c.spec, &c.note];
                // (`icmp` and `table` are static strings: they hold nothing.)
                c.packet.len() + text.iter().map(|t| t.as_ref().map_or(0, String::len)).sum::<usize>()
            }),
            Record::Exit { .. } => 0,
        };
        (RECORD + heap) as u64
    }
}

fn hex<S: serde::Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        use std::fmt::Write;
        let _ = write!(out, "{b:02x}");
    }
    s.serialize_str(&out)
}

/// Where drops are counted: a namespace's node, the port (if one applies), the reason.
pub type DropKey = (NodeId, Option<PortId>, &'static str);

/// The records of a run, in order.
#[derive(Debug)]
pub struct Trace {
    records: Vec<Record>,
    drops: u64,
    drop_counts: BTreeMap<DropKey, u64>,
    drop_records: u64,
    bytes: u64,
}

impl Default for Trace {
    fn default() -> Self {
        Trace {
            records: Vec::new(),
            drops: 0,
            drop_counts: BTreeMap::new(),
            drop_records: DEFAULT_DROP_RECORDS,
            bytes: 0,
        }
    }
}

impl Trace {
    /// Appends a record; a drop is counted (as [`Trace::record_drop`] counts it), and kept
    /// only while its key has fewer than the limit's records ([`Trace::set_drop_records`]).
    pub fn push(&mut self, r: Record) {
        if let Record::Drop { node, port, reason, .. } = &r
            && !self.count_drop(*node, *port, reason)
        {
            return;
        }
        self.bytes += r.bytes();
        self.records.push(r);
    }
    /// Counts a drop; true when it is to be recorded too (its key has not reached the
    /// limit).
    fn count_drop(&mut self, node: NodeId, port: Option<PortId>, reason: &'static str) -> bool {
        self.drops += 1;
        let n = self.drop_counts.entry((node, port, reason)).or_insert(0);
        *n += 1;
        *n <= self.drop_records
    }
    /// Counts a drop, and records it with what `context` builds while its key has fewer
    /// than the limit's records (`context` is not called otherwise).
    pub fn record_drop(
        &mut self,
        at: Instant,
        node: NodeId,
        port: Option<PortId>,
        reason: &'static str,
        context: impl FnOnce() -> Option<DropContext>,
    ) {
        if self.count_drop(node, port, reason) {
            let r = Record::Drop { at, node, port, reason, context: context().map(Box::new) };
            self.bytes += r.bytes();
            self.records.push(r);
        }
    }
    /// How many drops of one key are recorded one by one (the rest are counted).
    pub fn set_drop_records(&mut self, n: u64) {
        self.drop_records = n;
    }
    /// Every drop so far, counted by node, port and reason (recorded or not).
    pub fn drop_counts(&self) -> &BTreeMap<DropKey, u64> {
        &self.drop_counts
    }
    /// All records so far.
    pub fn records(&self) -> &[Record] {
        &self.records
    }
    /// Takes the records, leaving none (the byte count and the drop counts stay).
    pub fn take_records(&mut self) -> Vec<Record> {
        std::mem::take(&mut self.records)
    }
    /// Records from index `from` on (for incremental rendering).
    pub fn since(&self, from: usize) -> &[Record] {
        &self.records[from.min(self.records.len())..]
    }
    /// Number of records.
    pub fn len(&self) -> usize {
        self.records.len()
    }
    /// True when nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }
    /// What the records hold in memory, about: each record and its text or frame bytes
    /// (what the run's trace ceiling counts).
    pub fn bytes(&self) -> u64 {
        self.bytes
    }
    /// Number of drops, recorded or only counted.
    pub fn drops(&self) -> u64 {
        self.drops
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Drops past the limit of their key are counted, not recorded; each key has its own.
    #[test]
    fn drops_past_the_limit_are_counted_not_recorded() {
        let mut t = Trace::default();
        t.set_drop_records(3);
        let (a, b) = (NodeId(1), NodeId(2));
        let mut built = 0;
        for i in 0..10 {
            t.record_drop(Instant::from_nanos(i), a, Some(PortId(2)), "iptables: DROP", || {
                built += 1;
                Some(DropContext::new(Some("v0"), &[0x45; 40]))
            });
        }
        t.push(Record::Drop { at: Instant::ZERO, node: b, port: None, reason: "runt frame", context: None });
        assert_eq!(built, 3, "the context is built only for recorded drops");
        assert_eq!(t.len(), 4);
        assert_eq!(t.drops(), 11);
        assert_eq!(t.drop_counts().get(&(a, Some(PortId(2)), "iptables: DROP")), Some(&10));
        assert_eq!(t.drop_counts().get(&(b, None, "runt frame")), Some(&1));
        let held = t.bytes();
        t.record_drop(Instant::ZERO, a, Some(PortId(2)), "iptables: DROP", || None);
        assert_eq!(t.bytes(), held, "a counted drop holds nothing");
    }
}
