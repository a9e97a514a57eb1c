//! `nslab run --explain`: every packet that died, where and why, one line each, in the
//! words a tutorial uses — `router: dropped 192.0.2.1 > 198.51.100.1: ICMP echo request on
//! gw-veth0: forwarding is disabled (net.ipv4.ip_forward=0)` — grouped under the step that
//! was running and counted when many are alike.
//!
//! It reads the trace's drop records, their [`DropContext`] and the trace's drop counts
//! only; what a drop's context holds is decided where the stack drops (`sim-nodes`'s
//! `netns/drop.rs`). The sentence of one drop is also what `--json`'s `drop` lines carry.

use super::transcript::Outcome;
use sim_core::tcpdump::{Formatter, Options};
use sim_core::{DropContext, NodeId, Record};
use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};

/// A packet in a few words: tcpdump's `-tn` line without its counters
/// (`192.0.2.1 > 198.51.100.1: ICMP echo request`, `10.0.0.1.40000 > 10.0.0.2.80: Flags [S]`).
/// `packet` starts at the IP header (either family); `None` when it is empty.
pub fn packet_summary(packet: &[u8]) -> Option<String> {
    if packet.is_empty() {
        return None;
    }
    let mut frame = vec![0u8; 12];
    if packet[0] >> 4 == 6 {
        frame.extend_from_slice(&[0x86, 0xdd]);
        frame.extend_from_slice(packet);
        // The payload length says what is kept.
        if frame.len() >= 14 + 40 {
            let kept = (frame.len() - 14 - 40) as u16;
            let ip = &mut frame[14..];
            if u16::from_be_bytes([ip[4], ip[5]]) > kept {
                ip[4..6].copy_from_slice(&kept.to_be_bytes());
            }
        }
        let line = Formatter::new(Options { link_header: false, ..Options::default() }).line(0, &frame);
        let line = line.strip_prefix("IP6 ").unwrap_or(&line);
        let cut = [", id ", ", seq ", ", length ", " length "].iter().filter_map(|m| line.find(m)).min();
        return Some(line[..cut.unwrap_or(line.len())].trim_end_matches(',').to_string());
    }
    frame.extend_from_slice(&[0x08, 0x00]);
    frame.extend_from_slice(packet);
    // A context keeps the packet's first bytes only: say the lengths are what is kept, so
    // the formatter does not report a truncated packet (the lengths are cut off below).
    let ip = &mut frame[14..];
    if ip.len() >= 20 {
        let kept = ip.len() as u16;
        if u16::from_be_bytes([ip[2], ip[3]]) > kept {
            ip[2..4].copy_from_slice(&kept.to_be_bytes());
        }
        let ihl = (ip[0] as usize & 0x0f) * 4;
        if ip[9] == 17 && ip.len() >= ihl + 8 {
            let room = (ip.len() - ihl) as u16;
            if u16::from_be_bytes([ip[ihl + 4], ip[ihl + 5]]) > room {
                ip[ihl + 4..ihl + 6].copy_from_slice(&room.to_be_bytes());
            }
        }
    }
    let line = Formatter::new(Options { link_header: false, ..Options::default() }).line(0, &frame);
    let line = line.strip_prefix("IP ").unwrap_or(&line);
    let cut = [", id ", ", seq ", ", length ", " length "].iter().filter_map(|m| line.find(m)).min();
    Some(line[..cut.unwrap_or(line.len())].trim_end_matches(',').to_string())
}

fn dst(packet: &[u8]) -> Option<IpAddr> {
    if packet.first()? >> 4 == 6 {
        let b: [u8; 16] = packet.get(24..40)?.try_into().ok()?;
        return Some(IpAddr::V6(b.into()));
    }
    Some(IpAddr::V4(Ipv4Addr::new(*packet.get(16)?, *packet.get(17)?, *packet.get(18)?, *packet.get(19)?)))
}

/// Why one packet died, as a sentence: the reason, what the context says of it, and the
/// ICMP error sent back, if one was.
pub fn sentence(reason: &str, c: Option<&DropContext>) -> String {
    let s = why(reason, c);
    match c.and_then(|c| c.icmp) {
        Some(icmp) => format!("{s}; {icmp} sent back"),
        None => s,
    }
}

fn why(reason: &str, c: Option<&DropContext>) -> String {
    let note = c.and_then(|c| c.note.as_deref());
    let with_note = |s: String| match note {
        Some(n) => format!("{s} ({n})"),
        None => s,
    };
    let iface = c.and_then(|c| c.iface.as_deref()).unwrap_or("the interface");
    let by_rule = |verb: &str| {
        let Some(c) = c else { return verb.to_string() };
        let table = c.table.unwrap_or("filter");
        let chain = c.chain.as_deref().unwrap_or("?");
        let what = match (c.rule, c.spec.as_deref()) {
            (Some(n), Some(spec)) => format!("rule {n} of {chain}: {spec}"),
            (Some(n), None) => format!("rule {n} of {chain}"),
            (None, _) => format!("{chain} policy DROP"),
        };
        let tool = if c.packet.first().is_some_and(|v| v >> 4 == 6) { "ip6tables" } else { "iptables" };
        with_note(format!("{verb} by {tool} -t {table} {what}"))
    };
    match reason {
        "forwarding disabled" => with_note("forwarding is disabled".into()),
        "no route to host" => {
            let to = c.and_then(|c| dst(&c.packet)).map_or(String::new(), |d| format!(" to {d}"));
            with_note(format!("no route{to}"))
        }
        "ttl exceeded" => with_note("TTL exceeded".into()),
        "iptables: DROP" => by_rule("dropped"),
        "iptables: REJECT" => by_rule("rejected"),
        "iptables nat: dropped" => by_rule("dropped"),
        "nat: no free source port" => match c.and_then(|c| c.spec.as_deref()) {
            Some(spec) => format!("NAT found no free source port for {spec}"),
            None => "NAT found no free source port".into(),
        },
        "neighbour failed" => format!("{} (neighbour FAILED)", note.unwrap_or("no ARP reply")),
        "udp: no socket" => note.unwrap_or("no socket").to_string(),
        "no carrier" => format!("{iface} has no carrier (its peer is down or gone)"),
        "interface down" => format!("{iface} is down"),
        "udp: socket receive queue full" => "the receiving socket's queue was full".into(),
        other => with_note(other.to_string()),
    }
}

/// One line of the explanation: where, how many, what, why.
fn line(ns: &str, n: u64, summary: Option<&str>, iface: Option<&str>, why: &str) -> String {
    let what = match (n, summary) {
        (1, Some(s)) => format!("dropped {s}"),
        (1, None) => "dropped a frame".into(),
        (n, Some(s)) => format!("dropped {n} packets like {s}"),
        (n, None) => format!("dropped {n} frames"),
    };
    let on = iface.map_or(String::new(), |i| format!(" on {i}"));
    format!("{ns}: {what}{on}: {why}")
}

/// The explanation of a run: a heading per step during which packets died, a line per
/// kind of drop under it, and the drops only counted (past the trace's per-reason limit)
/// at the end. Empty when nothing died. `nodes` names the namespaces.
pub fn explain(out: &Outcome, nodes: &BTreeMap<NodeId, String>) -> Vec<String> {
    // Alike: the same step, namespace, interface, reason and rule, between the same two
    // addresses with the same protocol (ports and ids may differ: a traceroute's probes).
    type Key = (Option<usize>, NodeId, Option<String>, &'static str, Option<(String, Option<u32>)>, Option<[u8; 33]>);
    struct Group {
        key: Key,
        n: u64,
        summary: Option<String>,
        why: String,
    }
    let ns = |n: &NodeId| nodes.get(n).cloned().unwrap_or_else(|| format!("node{}", n.0));
    let flow = |p: &[u8]| -> Option<[u8; 33]> {
        let mut f = [0u8; 33];
        if p.first()? >> 4 == 6 {
            let h = p.get(..40)?;
            f[0] = h[6];
            f[1..].copy_from_slice(&h[8..40]);
        } else {
            let h = p.get(..20)?;
            f[0] = h[9];
            f[1..9].copy_from_slice(&h[12..20]);
        }
        Some(f)
    };
    let mut groups: Vec<Group> = Vec::new();
    let mut recorded: BTreeMap<sim_core::trace::DropKey, (u64, Option<String>)> = BTreeMap::new();
    let mut commands = 0usize;
    for r in &out.records {
        match r {
            Record::Command { .. } => commands += 1,
            Record::Drop { node, port, reason, context, .. } => {
                let c = context.as_deref();
                let r = recorded.entry((*node, *port, *reason)).or_default();
                r.0 += 1;
                if r.1.is_none() {
                    r.1 = c.and_then(|c| c.iface.clone());
                }
                let key: Key = (
                    commands.checked_sub(1),
                    *node,
                    c.and_then(|c| c.iface.clone()),
                    reason,
                    c.and_then(|c| c.chain.clone().map(|ch| (ch, c.rule))),
                    c.and_then(|c| flow(&c.packet)),
                );
                match groups.iter_mut().find(|g| g.key == key) {
                    Some(g) => g.n += 1,
                    None => groups.push(Group {
                        key,
                        n: 1,
                        summary: c.and_then(|c| packet_summary(&c.packet)),
                        why: sentence(reason, c),
                    }),
                }
            }
            _ => {}
        }
    }
    let mut lines = Vec::new();
    let mut step = None;
    for g in &groups {
        let (s, node, iface) = (g.key.0, &g.key.1, g.key.2.as_deref());
        if step != Some(s) {
            step = Some(s);
            lines.push(match s.and_then(|s| out.steps.get(s)) {
                Some(st) => format!("during line {}: {}# {}", st.span.line, st.ns.as_deref().unwrap_or(""), st.text),
                None => "before the first command".into(),
            });
        }
        lines.push(format!("  {}", line(&ns(node), g.n, g.summary.as_deref(), iface, &g.why)));
    }
    let unrecorded: Vec<String> = out
        .drop_counts
        .iter()
        .filter_map(|(k, &n)| {
            let (kept, iface) = recorded.get(k).cloned().unwrap_or_default();
            let more = n - kept.min(n);
            let on = iface.map_or(String::new(), |i| format!(" on {i}"));
            (more > 0).then(|| {
                format!("  {}: {more} more dropped{on} ({}), counted but not recorded one by one", ns(&k.0), k.2)
            })
        })
        .collect();
    if !unrecorded.is_empty() {
        lines.push("past the per-reason record limit".into());
        lines.extend(unrecorded);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn echo() -> Vec<u8> {
        let mut p = vec![0x45, 0, 0, 84, 0, 1, 0x40, 0, 64, 1, 0, 0, 192, 0, 2, 1, 198, 51, 100, 1];
        p.extend_from_slice(&[8, 0, 0, 0, 0, 7, 0, 1]);
        p.extend_from_slice(&[0u8; 56]);
        p
    }

    #[test]
    fn a_packet_in_few_words() {
        assert_eq!(packet_summary(&echo()).as_deref(), Some("192.0.2.1 > 198.51.100.1: ICMP echo request"));
        assert_eq!(packet_summary(&[]), None);
        // A context keeps 96 bytes of a 1500-byte datagram: the summary is the datagram's.
        let mut big = vec![0x45, 0, 0x05, 0xdc, 0, 1, 0x40, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2];
        big.extend_from_slice(&[0x13, 0x88, 0x00, 0x35, 0x05, 0xc8, 0, 0]);
        big.resize(1500, 0);
        let kept = DropContext::new(None, &big).packet;
        assert_eq!(kept.len(), DropContext::KEEP);
        assert_eq!(packet_summary(&kept).as_deref(), Some("10.0.0.1.5000 > 10.0.0.2.53: UDP"));
        let mut tcp = vec![0x45, 0, 0x05, 0xdc, 0, 1, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2];
        tcp.extend_from_slice(&[0x13, 0x88, 0, 80, 0, 0, 0, 1, 0, 0, 0, 1, 0x50, 0x18, 0xff, 0xff, 0, 0, 0, 0]);
        tcp.resize(1500, 0);
        let kept = DropContext::new(None, &tcp).packet;
        assert_eq!(packet_summary(&kept).as_deref(), Some("10.0.0.1.5000 > 10.0.0.2.80: Flags [P.]"));
    }

    #[test]
    fn sentences_name_the_setting_and_the_rule() {
        let mut c = DropContext::new(Some("gw-veth0"), &echo());
        c.note = Some("net.ipv4.ip_forward=0".into());
        assert_eq!(sentence("forwarding disabled", Some(&c)), "forwarding is disabled (net.ipv4.ip_forward=0)");
        c.note = Some("no default route".into());
        assert_eq!(sentence("no route to host", Some(&c)), "no route to 198.51.100.1 (no default route)");
        let rule = DropContext {
            table: Some("filter"),
            chain: Some("FORWARD".into()),
            rule: Some(2),
            spec: Some("-A FORWARD -i gw-veth0 -j DROP".into()),
            note: Some("conntrack state NEW".into()),
            ..c.clone()
        };
        assert_eq!(
            sentence("iptables: DROP", Some(&rule)),
            "dropped by iptables -t filter rule 2 of FORWARD: -A FORWARD -i gw-veth0 -j DROP (conntrack state NEW)"
        );
        let policy =
            DropContext { rule: None, spec: Some("-P INPUT DROP".into()), chain: Some("INPUT".into()), ..rule };
        assert_eq!(
            sentence("iptables: DROP", Some(&policy)),
            "dropped by iptables -t filter INPUT policy DROP (conntrack state NEW)"
        );
        assert_eq!(sentence("no carrier", Some(&c)), "gw-veth0 has no carrier (its peer is down or gone)");
        let ttl = DropContext { note: Some("arrived with ttl 1".into()), icmp: Some("time exceeded"), ..c.clone() };
        assert_eq!(sentence("ttl exceeded", Some(&ttl)), "TTL exceeded (arrived with ttl 1); time exceeded sent back");
        let quiet = DropContext { icmp: None, ..ttl };
        assert_eq!(sentence("ttl exceeded", Some(&quiet)), "TTL exceeded (arrived with ttl 1)", "no error, no claim");
        assert_eq!(sentence("runt frame", None), "runt frame");
    }
}
