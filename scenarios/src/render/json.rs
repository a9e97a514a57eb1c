//! `nslab run --json`: a run as JSON lines, schema `nslab.run/1`. One object per line, each
//! with a `kind`:
//!
//! | kind | fields |
//! |---|---|
//! | `run` (first) | `schema`, `scenario`, `back_end` (`sim`/`kernel`), `seed` (the sim's) |
//! | `command` | `at` (ns of virtual or real time), `step`, `text` (prompt and command line) |
//! | `output` | `at`, `step`, `tag` (the background job, or null), `text` |
//! | `frame` | `at`, `step`, `tag` (`tcpdump[ns/dev]`), `text` (as that tcpdump printed it) |
//! | `drop` | `at`, `ns`, `port` (ifindex, or null), `reason` (`forwarding disabled`, …), `iface`, `packet` (in a few words, as `--explain` prints it), `table`, `chain`, `rule` (netfilter's verdict: its number, null for the policy), `spec` (that rule as `iptables -S` prints it), `note`, `explain` (the sentence `--explain` prints); the fields after `reason` are null where they do not apply. The first 100 drops of each namespace, port and reason (see `drops`) |
//! | `drops` | `ns`, `port`, `reason`, `count`: every drop of that kind, recorded or only counted (the sim's) |
//! | `event` | `at`, `ns`, `table` (`conntrack`, `neigh`, `fdb`), `text` (as the tool prints it) |
//! | `verdict` (last) | `exit` (0 or 1), `expectations`, `held`, `failures` (each as the text verdict prints it) |
//!
//! Fields are added, never renamed or removed, within a schema version. It reads the
//! outcome only.

use super::explain;
use super::transcript::{Failure, Outcome};
use serde_json::json;
use sim_core::{NodeId, Record};
use std::collections::BTreeMap;

/// The schema these lines follow.
pub const SCHEMA: &str = "nslab.run/1";

/// What the first line says about the run.
#[derive(Clone, Debug)]
pub struct Header<'a> {
    /// The scenario, as errors name it.
    pub scenario: &'a str,
    /// `sim` or `kernel`.
    pub back_end: &'a str,
    /// The sim's seed.
    pub seed: Option<u64>,
}

/// The run as JSON lines: the header, the transcript, drops and table events in time
/// order, the verdict. `nodes` names the namespaces of drop and event records.
pub fn lines(
    header: &Header<'_>,
    out: &Outcome,
    nodes: &BTreeMap<NodeId, String>,
    failures: &[Failure],
    expectations: usize,
) -> String {
    let mut s = String::new();
    let mut push = |v: serde_json::Value| {
        s.push_str(&v.to_string());
        s.push('\n');
    };
    push(json!({
        "kind": "run",
        "schema": SCHEMA,
        "scenario": header.scenario,
        "back_end": header.back_end,
        "seed": header.seed,
    }));
    for l in &out.rendered.lines {
        push(json!({ "kind": l.kind, "at": l.at, "step": l.step, "tag": l.tag, "text": l.text }));
    }
    let ns = |n: &NodeId| nodes.get(n).cloned().unwrap_or_else(|| format!("node{}", n.0));
    for r in &out.records {
        match r {
            Record::Drop { at, node, port, reason, context } => {
                let c = context.as_deref();
                push(json!({
                    "kind": "drop",
                    "at": at,
                    "ns": ns(node),
                    "port": port.map(|p| p.0),
                    "reason": reason,
                    "iface": c.and_then(|c| c.iface.as_deref()),
                    "packet": c.and_then(|c| explain::packet_summary(&c.packet)),
                    "table": c.and_then(|c| c.table),
                    "chain": c.and_then(|c| c.chain.as_deref()),
                    "rule": c.and_then(|c| c.rule),
                    "spec": c.and_then(|c| c.spec.as_deref()),
                    "note": c.and_then(|c| c.note.as_deref()),
                    "explain": explain::sentence(reason, c),
                }))
            }
            Record::Event { at, node, table, text } => {
                push(json!({ "kind": "event", "at": at, "ns": ns(node), "table": table, "text": text }))
            }
            _ => {}
        }
    }
    for ((node, port, reason), count) in &out.drop_counts {
        push(json!({ "kind": "drops", "ns": ns(node), "port": port.map(|p| p.0), "reason": reason, "count": count }));
    }
    push(json!({
        "kind": "verdict",
        "exit": if failures.is_empty() { 0 } else { 1 },
        "expectations": expectations,
        "held": expectations - failures.len().min(expectations),
        "failures": failures.iter().map(|f| f.to_string()).collect::<Vec<_>>(),
    }));
    s
}
