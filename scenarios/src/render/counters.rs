//! Drop counters as the kernel keeps them, one line each — `router: Ip InAddrErrors 3
//! (forwarding is disabled)`, `fw: iptables -t filter -P FORWARD DROP: 2 packets` — made
//! the same way from either back end, so `nslab run --kernel --explain` can show why the
//! kernel dropped packets and `nslab diff --drops` can compare the two.
//!
//! The kernel's side comes from each namespace's `/proc/net/snmp` and `/proc/net/netstat`
//! and `iptables-save -c` ([`from_snmp`], [`from_iptables_save`]); the sim's from its drop
//! counts by reason ([`from_reasons`], through [`COUNTERS`], which says which counters each
//! reason of the sim's adds to on Linux — read off the kernel in namespaces of its own: E3's
//! router with forwarding off counts `InAddrErrors`, with a TTL of 1 `InHdrErrors`, with no
//! route `InNoRoutes`; a UDP datagram too short for its header `Udp InErrors`, as a full
//! receive queue does beside its `RcvbufErrors`; a broadcast to a closed port only
//! `IgnoredMulti`, no drop) and its own `iptables-save -c`. A drop with no counter on Linux
//! (a neighbour that never answered) has no line. It reads text and counts only.

use std::collections::BTreeMap;

/// The kernel counters read, what each means, and the sim's drop reasons each counts (a
/// reason may add to several: a full receive queue is an `InErrors` and a `RcvbufErrors`).
pub const COUNTERS: &[(&str, &str, &[&str])] = &[
    ("Ip InAddrErrors", "forwarding is disabled", &["forwarding disabled"]),
    ("Ip InHdrErrors", "TTL exceeded", &["ttl exceeded"]),
    ("IpExt InNoRoutes", "no route", &["no route to host"]),
    ("Udp NoPorts", "no socket on the port", &["udp: no socket"]),
    ("Udp InErrors", "a datagram too short or not taken", &["udp: packet too short", "udp: socket receive queue full"]),
    ("Udp RcvbufErrors", "the socket's receive queue was full", &["udp: socket receive queue full"]),
];

fn line(ns: &str, counter: &str, n: u64, why: &str) -> String {
    format!("{ns}: {counter} {n} ({why})")
}

/// The counters of [`COUNTERS`] that are not zero in a namespace's `/proc/net/snmp` and
/// `/proc/net/netstat` (their text, one after the other: a header line and a value line per
/// group).
pub fn from_snmp(ns: &str, text: &str) -> Vec<String> {
    let mut values: BTreeMap<String, u64> = BTreeMap::new();
    // A header line, then a line of values of the same group (`Ip: Forwarding …`, `Ip: 1 …`);
    // a line that is neither is skipped, and takes no header with it.
    let mut head: Option<&str> = None;
    for l in text.lines() {
        let group = l.split_whitespace().next().unwrap_or("");
        let is_values = l.split_whitespace().skip(1).all(|w| w.parse::<i64>().is_ok());
        match head {
            Some(h) if is_values && h.split_whitespace().next() == Some(group) => {
                for (name, value) in h.split_whitespace().zip(l.split_whitespace()).skip(1) {
                    if let Ok(n) = value.parse::<u64>() {
                        values.insert(format!("{} {name}", group.trim_end_matches(':')), n);
                    }
                }
                head = None;
            }
            _ => head = (!is_values && group.ends_with(':')).then_some(l),
        }
    }
    COUNTERS
        .iter()
        .filter_map(|(counter, why, _)| {
            let n = *values.get(*counter)?;
            (n > 0).then(|| line(ns, counter, n, why))
        })
        .collect()
}

/// The same lines from the sim's drop counts of a namespace, by reason.
pub fn from_reasons(ns: &str, counts: &BTreeMap<&str, u64>) -> Vec<String> {
    COUNTERS
        .iter()
        .filter_map(|(counter, why, reasons)| {
            let n: u64 = reasons.iter().filter_map(|r| counts.get(r)).sum();
            (n > 0).then(|| line(ns, counter, n, why))
        })
        .collect()
}

/// The rules that drop (`-j DROP`, `-j REJECT`) and the `DROP` policies, with the packets
/// they counted, from `iptables-save -c`'s lines; those that counted none are left out.
pub fn from_iptables_save<'a>(ns: &str, lines: &'a [String]) -> Vec<String> {
    let mut table: &'a str = "filter";
    let mut out = Vec::new();
    for l in lines {
        if let Some(t) = l.strip_prefix('*') {
            table = t.trim();
        } else if let Some(policy) = l.strip_prefix(':') {
            // `:FORWARD DROP [3:252]`
            let mut w = policy.split_whitespace();
            let (Some(chain), Some("DROP"), Some(c)) = (w.next(), w.next(), w.next()) else { continue };
            if let Some(n) = packets(c).filter(|n| *n > 0) {
                out.push(format!("{ns}: iptables -t {table} -P {chain} DROP: {n} packets"));
            }
        } else if let Some(rest) = l.strip_prefix('[') {
            // `[2:168] -A INPUT -p icmp -j DROP`
            let Some((c, rule)) = rest.split_once("] ") else { continue };
            let drops = rule.ends_with(" -j DROP") || rule.contains(" -j REJECT");
            if let Some(n) = packets(&format!("[{c}]")).filter(|n| *n > 0 && drops) {
                out.push(format!("{ns}: iptables -t {table} {rule}: {n} packets"));
            }
        }
    }
    out
}

/// The packets of an `[packets:bytes]` counter.
fn packets(c: &str) -> Option<u64> {
    c.strip_prefix('[')?.split(':').next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What E3's router showed on the kernel after three pings with forwarding off, two
    /// with a TTL of 1 and two with no route.
    #[test]
    fn the_kernel_counters_read_as_lines() {
        let snmp = "Ip: Forwarding DefaultTTL InReceives InHdrErrors InAddrErrors ForwDatagrams\n\
                    Ip: 1 64 7 2 3 0\n\
                    a stray line\n\
                    Udp: InDatagrams NoPorts InErrors\n\
                    Udp: 0 0 0\n\
                    IpExt: InNoRoutes InTruncatedPkts\n\
                    IpExt: 2 0\n";
        assert_eq!(
            from_snmp("router", snmp),
            [
                "router: Ip InAddrErrors 3 (forwarding is disabled)",
                "router: Ip InHdrErrors 2 (TTL exceeded)",
                "router: IpExt InNoRoutes 2 (no route)",
            ]
        );
        let sim = BTreeMap::from([
            ("forwarding disabled", 3),
            ("ttl exceeded", 2),
            ("no route to host", 2),
            ("neighbour failed", 3),
        ]);
        assert_eq!(from_reasons("router", &sim), from_snmp("router", snmp), "a neighbour's failure has no counter");
        // A datagram too short (the kernel counted it in InErrors, in a namespace of ours)
        // and one whose socket's queue was full (udp.c counts it in both).
        let udp = "Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors\nUdp: 0 0 2 0 1\n";
        let sim = BTreeMap::from([("udp: packet too short", 1), ("udp: socket receive queue full", 1)]);
        assert_eq!(from_reasons("b", &sim), from_snmp("b", udp));
    }

    #[test]
    fn iptables_rules_and_policies_that_dropped() {
        let save: Vec<String> = [
            "# Generated by iptables-save v1.8.9 (nf_tables) on x",
            "*filter",
            ":INPUT ACCEPT [0:0]",
            ":FORWARD DROP [3:252]",
            ":OUTPUT ACCEPT [0:0]",
            "[2:168] -A INPUT -p icmp -j DROP",
            "[0:0] -A INPUT -p tcp -j REJECT --reject-with icmp-port-unreachable",
            "[5:420] -A INPUT -p udp -j ACCEPT",
            "COMMIT",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(
            from_iptables_save("fw", &save),
            [
                "fw: iptables -t filter -P FORWARD DROP: 3 packets",
                "fw: iptables -t filter -A INPUT -p icmp -j DROP: 2 packets"
            ]
        );
    }
}
