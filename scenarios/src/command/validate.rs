//! Checks on a parsed step that do not depend on the machine's state: tcpdump must run in
//! the background and its filter must parse, values must be in range. Both front ends
//! run these, so a RON file and a script get the same errors.

use crate::command::{Command, Step};
use sim_core::Filter;

/// Why a step is refused, and which of its words to point at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invalid {
    /// What is wrong.
    pub message: String,
    /// What would fix it.
    pub hint: Option<String>,
    /// The word to point at, if one is to blame.
    pub word: Option<String>,
}

fn invalid(message: impl Into<String>, hint: &str, word: Option<&str>) -> Invalid {
    Invalid { message: message.into(), hint: Some(hint.to_string()), word: word.map(str::to_string) }
}

/// Keys under `net.` that a namespace sees but whose value is the whole machine's (a few are
/// read-only there, where `sysctl -w` still exits 0; `nf_hooks_lwtunnel` is writable and
/// switches on a kernel-wide hook for good). Found on Linux 6.18 by comparing a fresh
/// namespace with the machine's (`find /proc/sys/net ! -perm -u+w`) and in the kernel's
/// sysctl tables (`net/core/sysctl_net_core.c`, `net/netfilter/nf_conntrack_standalone.c`,
/// `net/ipv4/sysctl_net_ipv4.c`). `*` stands for one component (an interface).
const GLOBAL_NET_KEYS: &[&str] = &[
    "net.netfilter.nf_hooks_lwtunnel",
    "net.core.rmem_default",
    "net.core.rmem_max",
    "net.core.wmem_default",
    "net.core.wmem_max",
    "net.netfilter.nf_conntrack_max",
    "net.netfilter.nf_conntrack_expect_max",
    "net.netfilter.nf_conntrack_buckets",
    "net.netfilter.nf_conntrack_count",
    "net.nf_conntrack_max",
    "net.ipv4.tcp_allowed_congestion_control",
    "net.ipv4.tcp_available_congestion_control",
    "net.ipv4.tcp_ehash_entries",
    "net.ipv4.udp_hash_entries",
    "net.ipv4.conf.*.mc_forwarding",
    "net.ipv6.conf.*.mc_forwarding",
    "net.mptcp.available_path_managers",
    "net.mptcp.available_schedulers",
];

/// The trees under `net.` that each namespace has its own copy of.
const PER_NETNS_TREES: &[&str] = &["ipv4", "ipv6", "core", "netfilter", "bridge", "unix", "mptcp"];

fn matches_key(pattern: &str, key: &str) -> bool {
    let (mut p, mut k) = (pattern.split('.'), key.split('.'));
    loop {
        match (p.next(), k.next()) {
            (None, None) => return true,
            (Some(a), Some(b)) if a == "*" || a == b => {}
            _ => return false,
        }
    }
}

/// A `sysctl` key a lab may read or write: one the kernel keeps per network namespace —
/// `net.{ipv4,ipv6,core,netfilter,bridge,unix,mptcp}.…`, less `GLOBAL_NET_KEYS` — in
/// dotted form (`net.ipv4.ip_forward`) or as a path (`net/ipv4/ip_forward`). Never
/// `kernel.*`, `vm.*`, `fs.*` (one value for the whole machine, even inside a namespace),
/// and never a path that climbs out (`net/ipv4/../../vm/swappiness`).
pub fn sysctl_key(key: &str) -> Result<(), Invalid> {
    // The path form, without dots; the dotted form, without slashes (sysctl reads a `/` in
    // it as a dot inside a component, an interface like `eth0.100`, which labs do not make).
    let dotted = if key.contains('/') && !key.contains('.') { key.replace('/', ".") } else { key.to_string() };
    let parts: Vec<&str> = dotted.split('.').collect();
    // `net` and `net.ipv4` are directories (sysctl would list them), not keys.
    let directory = parts.len() < 2 || (parts.len() == 2 && parts[0] == "net" && PER_NETNS_TREES.contains(&parts[1]));
    let well_formed = key.len() <= 256
        && !directory
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'));
    if !well_formed {
        return Err(invalid(
            format!("sysctl: `{}` is not a sysctl key nslab can pass on", key.chars().take(64).collect::<String>()),
            "a key is a dotted name such as net.ipv4.ip_forward (letters, digits, `_` and `-` between the dots)",
            Some(key),
        ));
    }
    let global = GLOBAL_NET_KEYS.iter().any(|g| matches_key(g, &dotted));
    if parts[0] != "net" || !PER_NETNS_TREES.contains(&parts[1]) || global {
        return Err(invalid(
            format!("sysctl {dotted} is not kept per network namespace: it is the whole machine's"),
            "a lab may only read and write the net.* keys each namespace has its own copy of (net.ipv4.…, net.netfilter.…)",
            Some(key),
        ));
    }
    Ok(())
}

/// Checks one step.
pub fn step(s: &Step) -> Result<(), Invalid> {
    match &s.run {
        Command::Exec { argv, input } => {
            crate::run::spawn::exec(argv, input)?;
        }
        Command::Ping(p) => {
            if p.ttl == Some(0) {
                return Err(invalid(
                    "ping: invalid argument: '0': out of range: 1 <= value <= 255",
                    "a TTL is 1 to 255",
                    None,
                ));
            }
            // iputils 20221126 takes any size up to INT_MAX (`strtol_or_err`); beyond 65507
            // bytes the kernel refuses each probe (`ping: local error: message too long`).
            if let Some(n) = p.size.filter(|&n| n > i32::MAX as usize) {
                return Err(invalid(
                    format!("ping: invalid argument: '{n}': out of range: 0 <= value <= 2147483647"),
                    "at most 65507 bytes fit in an IPv4 packet",
                    None,
                ));
            }
        }
        Command::Tcpdump(t) => {
            if !s.background {
                return Err(invalid(
                    "tcpdump runs until it is stopped",
                    "run it in the background with `&`; the scenario's end (or `kill %N`) stops it",
                    Some("tcpdump"),
                ));
            }
            if let Err(e) = Filter::parse(&t.filter) {
                return Err(Invalid { message: format!("tcpdump: {e}"), hint: None, word: Some(e.near) });
            }
        }
        Command::Dnsmasq(d) => {
            crate::run::dhcp::dnsmasq_args(d)?;
            if d.no_daemon && !s.background {
                return Err(invalid(
                    "dnsmasq --no-daemon runs until it is stopped",
                    "run it in the background with `&` (the document runs it in another terminal)",
                    Some("dnsmasq"),
                ));
            }
        }
        Command::Dhclient(d) if d.foreground && !d.release && !s.background => {
            return Err(invalid(
                "dhclient -d stays in the foreground for good",
                "run it in the background with `&`, or drop -d: then it returns once bound",
                Some("dhclient"),
            ));
        }
        Command::Iptables { family, args } => {
            if let Err(e) = sim_nodes::netfilter::cli::parse_family(args, *family) {
                let hint = sim_nodes::netfilter::cli::hint(&e);
                return Err(Invalid { message: e.message, hint, word: e.word });
            }
        }
        // (`-u -k` is refused by ncat at once: nothing to wait for.)
        Command::Nc(n) if n.listen && !(n.udp && n.keep_open) && !s.background => {
            return Err(invalid(
                "nc -l waits for a connection",
                "run the listener in the background with `&`, then connect to it",
                Some("nc"),
            ));
        }
        Command::Nc(n) if n.zero && (n.listen || n.udp) => {
            return Err(invalid(
                "not supported yet: nc -z with -l or -u",
                "`nc -z HOST PORT` checks a TCP port",
                Some("nc"),
            ));
        }
        Command::Nc(n) if !n.listen && !n.zero && n.input.is_none() && !s.background => {
            return Err(invalid(
                "nc without input reads a terminal for good",
                "pipe a line into it (`echo hello | nc HOST PORT`), or run it in the background",
                Some("nc"),
            ));
        }
        Command::Tc { args } => {
            if let Err(e) = sim_nodes::tc::cli::parse(args) {
                return Err(Invalid { message: e.message, hint: None, word: e.word });
            }
        }
        Command::IptablesSave { family, args } => {
            if let Err(e) = sim_nodes::netfilter::save::parse_save(*family, args) {
                return Err(Invalid { message: e.message, hint: None, word: e.word });
            }
        }
        Command::IptablesRestore { family, args, input } => {
            if let Err(e) = sim_nodes::netfilter::save::parse_restore(*family, args) {
                return Err(Invalid { message: e.message, hint: None, word: e.word });
            }
            if input.is_empty() {
                return Err(invalid(
                    "iptables-restore reads its rules from stdin",
                    "give them as a here-document: `iptables-restore <<EOF`, the rules, then `EOF`",
                    Some("iptables-restore"),
                ));
            }
        }
        Command::Curl(c) => {
            if let Err(m) = c.target() {
                return Err(Invalid {
                    message: m,
                    hint: Some("curl -I http://ADDRESS[:PORT]/".into()),
                    word: Some(c.url.clone()),
                });
            }
            if let Some(var) = c.write_out.as_deref().and_then(crate::command::write_out_unknown) {
                return Err(invalid(
                    format!("not supported yet: curl -w %{{{var}}}"),
                    "nslab's curl knows %{http_code}, %{size_download}, %{time_total}, %{speed_download}",
                    Some("-w"),
                ));
            }
        }
        // Every front end's files pass here: a name of the lab's directory, a size GNU
        // truncate reads (kernel mode writes nothing else, nowhere else).
        Command::Truncate { size, file } => {
            if crate::command::truncate_size(size).is_none() {
                return Err(invalid(
                    format!("truncate: Invalid number: ‘{size}’"),
                    "truncate -s SIZE FILE (SIZE as 4096, 200K or 1M)",
                    Some(size),
                ));
            }
            if let Some(why) = sim_nodes::files::refuse(file) {
                return Err(invalid(
                    format!("not supported yet: the file `{file}`: {why}"),
                    "truncate -s SIZE FILE (SIZE as 4096, 200K or 1M)",
                    Some(file),
                ));
            }
        }
        Command::HttpServer(_) if !s.background => {
            return Err(invalid(
                "python3 -m http.server serves until it is stopped",
                "run it in the background with `&`; the scenario's end (or `kill %N`) stops it",
                Some("python3"),
            ));
        }
        Command::Conntrack { args } => {
            if let Err(e) = sim_nodes::netfilter::parse_conntrack(args) {
                return Err(Invalid { message: e.message, hint: None, word: e.word });
            }
            if s.run.is_conntrack_events() && !s.background {
                return Err(invalid(
                    "conntrack -E runs until it is stopped",
                    "run it in the background with `&`; the scenario's end (or `kill %N`) stops it",
                    Some("conntrack"),
                ));
            }
        }
        Command::Sysctl { key, .. } if key.is_empty() => {
            return Err(invalid("sysctl needs a key", "e.g. net.ipv4.ip_forward=1", None));
        }
        Command::Sysctl { key, .. } => sysctl_key(key)?,
        Command::SysctlLoad { input, .. } => {
            if input.is_empty() {
                return Err(invalid(
                    "sysctl -p - reads its settings from stdin",
                    "give them as a here-document: `sysctl -p - <<EOF`, the `KEY = VALUE` lines, then `EOF`",
                    Some("sysctl"),
                ));
            }
            // Every key is checked as `sysctl -w` checks it: the kernel is given these
            // settings and nothing else (`sysctl_text`).
            let lines = super::sysctl_lines(input)
                .map_err(|(_, m)| invalid(m, "each line is a `KEY = VALUE` setting or a comment", Some("sysctl")))?;
            for l in &lines {
                if let super::SysctlLine::Setting { key, .. } = l {
                    sysctl_key(key)?;
                }
            }
        }
        Command::Kill { job: 0 } => return Err(invalid("kill: %0: no such job", "jobs count from 1", None)),
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::sysctl_key;

    #[test]
    fn only_per_namespace_net_keys_pass() {
        for ok in [
            "net.ipv4.ip_forward",
            "net/ipv4/ip_forward",
            "net.ipv4.conf.ns1-veth0.forwarding",
            "net.netfilter.nf_conntrack_udp_timeout",
            "net.bridge.bridge-nf-call-iptables",
            "net.core.somaxconn",
        ] {
            assert!(sysctl_key(ok).is_ok(), "{ok}");
        }
        for global in [
            "kernel.hostname",
            "vm.swappiness",
            "fs.file-max",
            "net.core.rmem_max",
            "net.netfilter.nf_conntrack_max",
            "net.ipv4.conf.eth0.mc_forwarding",
            "net.netfilter.nf_hooks_lwtunnel",
            "net.nf_conntrack_max",
        ] {
            let e = sysctl_key(global).unwrap_err();
            assert!(e.message.contains("not kept per network namespace"), "{global}: {}", e.message);
        }
        for bad in [
            "net",
            "net.ipv4",
            "net..ipv4.x",
            "net/ipv4/../../vm/swappiness",
            "net.ipv4.a b",
            "net.ipv4.$(id)",
            "net.ipv4.ip_forward;x",
            "net.ipv4/conf.x",
            "net.ipv4.*.forwarding",
            "",
        ] {
            assert!(sysctl_key(bad).unwrap_err().message.contains("is not a sysctl key"), "{bad}");
        }
    }
}
