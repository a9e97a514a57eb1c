//! The Debian tools kernel mode runs, which package holds each, and which a scenario needs.

use scenarios::command::{Command, Scenario};
use std::path::{Path, PathBuf};

/// Every tool kernel mode may run, with its Debian package.
pub const TOOLS: &[(&str, &str)] = &[
    ("ip", "iproute2"),
    ("bridge", "iproute2"),
    ("ss", "iproute2"),
    ("stdbuf", "coreutils"),
    ("setpriv", "util-linux"),
    ("setsid", "util-linux"),
    ("sysctl", "procps"),
    ("brctl", "bridge-utils"),
    ("ping", "iputils-ping"),
    ("traceroute", "traceroute"),
    ("dnsmasq", "dnsmasq-base"),
    ("dhclient", "isc-dhcp-client"),
    ("tcpdump", "tcpdump"),
    ("iptables", "iptables"),
    ("iptables-save", "iptables"),
    ("iptables-restore", "iptables"),
    ("conntrack", "conntrack"),
    ("ncat", "ncat"),
    ("curl", "curl"),
    ("python3", "python3"),
    ("env", "coreutils"),
];

/// The package that holds `tool`.
pub fn package(tool: &str) -> &'static str {
    TOOLS.iter().find(|(t, _)| *t == tool).map(|(_, p)| *p).unwrap_or("?")
}

/// Where `tool` is, looking in `$PATH` and the sbin directories root's path has.
pub fn which(tool: &str) -> Option<PathBuf> {
    let path = std::env::var("PATH").unwrap_or_default();
    path.split(':')
        .chain(["/usr/local/sbin", "/usr/sbin", "/sbin", "/usr/bin", "/bin"])
        .map(|d| Path::new(d).join(tool))
        .find(|p| p.is_file())
}

/// The tools a scenario's commands need on the kernel: each step's program, as
/// [`Command::program`] names it.
pub fn needed_by(sc: &Scenario) -> Vec<&'static str> {
    let mut v = vec!["ip", "stdbuf", "setpriv", "setsid"];
    for s in &sc.steps {
        let t = match s.run.program() {
            // Shell builtins and nslab's own `input`; tcpdump is captured in-process.
            "sleep" | "kill" | "input" | "wait" | "tcpdump" => continue,
            // nmap's ncat, which the sim models (Debian's `nc` may be another netcat).
            "nc" => "ncat",
            p => p,
        };
        // `ss` tells when a server's port listens.
        let also = matches!(s.run, Command::HttpServer(_) | Command::Nc(_) | Command::Dnsmasq(_)).then_some("ss");
        for t in std::iter::once(t).chain(also) {
            if !v.contains(&t) {
                v.push(t);
            }
        }
    }
    v
}

/// The tools a scenario needs that this machine lacks, with their packages.
pub fn missing(sc: &Scenario) -> Vec<(&'static str, &'static str)> {
    needed_by(sc).into_iter().filter(|t| which(t).is_none()).map(|t| (t, package(t))).collect()
}
