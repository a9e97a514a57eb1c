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

/// Checks one step.
pub fn step(s: &Step) -> Result<(), Invalid> {
    match &s.run {
        Command::Ping(p) => {
            if p.ttl == Some(0) {
                return Err(invalid(
                    "ping: invalid argument: '0': out of range: 1 <= value <= 255",
                    "a TTL is 1 to 255",
                    None,
                ));
            }
            if p.size.is_some_and(|n| n > 65507) {
                return Err(invalid("ping: invalid argument: packet size too large", "at most 65507 bytes", None));
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
            crate::dhcp::dnsmasq_args(d)?;
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
        Command::Iptables { args } => {
            if let Err(e) = sim_nodes::netfilter::cli::parse(args) {
                return Err(Invalid { message: e.message, hint: None, word: e.word });
            }
        }
        Command::Nc(n) if n.listen && !s.background => {
            return Err(invalid(
                "nc -l waits for a connection",
                "run the listener in the background with `&`, then connect to it",
                Some("nc"),
            ));
        }
        Command::Nc(n) if !n.listen && n.input.is_none() && !s.background => {
            return Err(invalid(
                "nc without input reads a terminal for good",
                "pipe a line into it (`echo hello | nc HOST PORT`), or run it in the background",
                Some("nc"),
            ));
        }
        Command::IptablesSave { args } => {
            if let Err(e) = sim_nodes::netfilter::save::parse_save(args) {
                return Err(Invalid { message: e.message, hint: None, word: e.word });
            }
        }
        Command::IptablesRestore { args, input } => {
            if let Err(e) = sim_nodes::netfilter::save::parse_restore(args) {
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
        Command::Kill { job: 0 } => return Err(invalid("kill: %0: no such job", "jobs count from 1", None)),
        _ => {}
    }
    Ok(())
}
