//! Trace records: everything a run observed, in the order it happened.
//!
//! Both back ends produce these records; every user-visible rendering (transcript, tcpdump
//! text, pcapng, JSON) is made from them, so sim and kernel output compare line by line.
//! What both make names things as the scenario does: a command by its prompt, a process by
//! its namespace's name and pid, a frame by its capture (which the renderer names
//! `namespace/interface`). Drops and table events are the sim's alone so far, and name the
//! engine's node and port.

use crate::capture::{CaptureId, Direction};
use crate::node::{NodeId, PortId};
use crate::time::Instant;
use serde::Serialize;
use std::sync::Arc;

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
            Record::Exit { .. } | Record::Drop { .. } => 0,
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

/// The records of a run, in order.
#[derive(Default, Debug)]
pub struct Trace {
    records: Vec<Record>,
    drops: u64,
    bytes: u64,
}

impl Trace {
    /// Appends a record.
    pub fn push(&mut self, r: Record) {
        if matches!(r, Record::Drop { .. }) {
            self.drops += 1;
        }
        self.bytes += r.bytes();
        self.records.push(r);
    }
    /// All records so far.
    pub fn records(&self) -> &[Record] {
        &self.records
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
    /// Number of drop records.
    pub fn drops(&self) -> u64 {
        self.drops
    }
}
