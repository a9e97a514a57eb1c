//! The Debian tools kernel mode runs, which package holds each, and which a scenario needs.

use scenarios::command::programs::PROGRAMS;
use scenarios::command::{Command, Scenario};
use std::path::{Path, PathBuf};

/// The tools kernel mode itself needs besides the scenario's programs (whose tools and
/// packages are the table of programs, `scenarios::command::programs`).
const INFRASTRUCTURE: &[(&str, &str)] = &[
    ("ip", "iproute2"),
    ("ss", "iproute2"),
    ("stdbuf", "coreutils"),
    ("env", "coreutils"),
    ("setpriv", "util-linux"),
    ("setsid", "util-linux"),
];

/// Every tool kernel mode may run, with its Debian package: its own, then the programs'.
pub fn tools() -> impl Iterator<Item = (&'static str, &'static str)> {
    let programs = PROGRAMS.iter().filter_map(|p| p.kernel_tool);
    let mut seen: Vec<&str> = Vec::new();
    INFRASTRUCTURE.iter().copied().chain(programs).filter(move |(t, _)| {
        let new = !seen.contains(t);
        seen.push(t);
        new
    })
}

/// The package that holds `tool`.
pub fn package(tool: &str) -> &'static str {
    tools().find(|(t, _)| *t == tool).map(|(_, p)| p).unwrap_or("?")
}

/// Where `tool` is, looking in `$PATH` and the sbin directories root's path has.
pub fn which(tool: &str) -> Option<PathBuf> {
    let path = std::env::var("PATH").unwrap_or_default();
    path.split(':')
        .chain(["/usr/local/sbin", "/usr/sbin", "/sbin", "/usr/bin", "/bin"])
        .map(|d| Path::new(d).join(tool))
        .find(|p| p.is_file())
}

/// The tools a scenario's commands need on the kernel: each step's program's, as the table
/// of programs names it.
pub fn needed_by(sc: &Scenario) -> Vec<&'static str> {
    let mut v = vec!["ip", "stdbuf", "setpriv", "setsid"];
    for s in &sc.steps {
        let Some((t, _)) = s.run.info().kernel_tool else { continue };
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
