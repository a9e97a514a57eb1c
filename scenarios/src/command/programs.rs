//! The one table of programs a scenario can run: what each is to the shell (a builtin, a
//! command that runs to completion, or a process that lives on in virtual time), which
//! binary kernel mode runs for it and the Debian package that holds that binary. A new
//! tool is a row here plus its `Command` variant; the runners, `nslab check`, kernel mode's
//! preflight and `nslab doctor` read this table rather than lists of their own.

/// What a program is to the shell that runs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A shell builtin (`sleep`, `kill`, `wait`) or nslab's own (`input`): no process.
    Builtin,
    /// Runs to completion: configures the machine or shows it (`ip`, `sysctl`, `iptables`).
    Runs,
    /// Lives on, in the background with `&` or until it exits (`ping`, `tcpdump`, `nc`).
    Process,
}

/// One row of the table.
#[derive(Clone, Copy, Debug)]
pub struct Program {
    /// Its name, as typed and as `jobs` shows it.
    pub name: &'static str,
    /// What it is to the shell.
    pub kind: Kind,
    /// The binary kernel mode runs for it and the Debian package that holds it (`None`:
    /// kernel mode does it itself — a shell builtin, or tcpdump, an in-process capture there).
    pub kernel_tool: Option<(&'static str, &'static str)>,
}

/// `ip`.
pub const IP: Program = Program { name: "ip", kind: Kind::Runs, kernel_tool: Some(("ip", "iproute2")) };
/// `bridge`.
pub const BRIDGE: Program = Program { name: "bridge", kind: Kind::Runs, kernel_tool: Some(("bridge", "iproute2")) };
/// `brctl`.
pub const BRCTL: Program = Program { name: "brctl", kind: Kind::Runs, kernel_tool: Some(("brctl", "bridge-utils")) };
/// `sysctl`.
pub const SYSCTL: Program = Program { name: "sysctl", kind: Kind::Runs, kernel_tool: Some(("sysctl", "procps")) };
/// `iptables`.
pub const IPTABLES: Program =
    Program { name: "iptables", kind: Kind::Runs, kernel_tool: Some(("iptables", "iptables")) };
/// `iptables-save`.
pub const IPTABLES_SAVE: Program =
    Program { name: "iptables-save", kind: Kind::Runs, kernel_tool: Some(("iptables-save", "iptables")) };
/// `iptables-restore`.
pub const IPTABLES_RESTORE: Program =
    Program { name: "iptables-restore", kind: Kind::Runs, kernel_tool: Some(("iptables-restore", "iptables")) };
/// `conntrack`: `-L`/`-F` run to completion; `-E` is a process (`Command::is_process`).
pub const CONNTRACK: Program =
    Program { name: "conntrack", kind: Kind::Runs, kernel_tool: Some(("conntrack", "conntrack")) };
/// `ping`.
pub const PING: Program = Program { name: "ping", kind: Kind::Process, kernel_tool: Some(("ping", "iputils-ping")) };
/// `traceroute`.
pub const TRACEROUTE: Program =
    Program { name: "traceroute", kind: Kind::Process, kernel_tool: Some(("traceroute", "traceroute")) };
/// `tcpdump`.
pub const TCPDUMP: Program = Program { name: "tcpdump", kind: Kind::Process, kernel_tool: None };
/// `dnsmasq`.
pub const DNSMASQ: Program =
    Program { name: "dnsmasq", kind: Kind::Process, kernel_tool: Some(("dnsmasq", "dnsmasq-base")) };
/// `dhclient`.
pub const DHCLIENT: Program =
    Program { name: "dhclient", kind: Kind::Process, kernel_tool: Some(("dhclient", "isc-dhcp-client")) };
/// `nc`: nmap's ncat, which the sim models (Debian's `nc` may be another netcat).
pub const NC: Program = Program { name: "nc", kind: Kind::Process, kernel_tool: Some(("ncat", "ncat")) };
/// `curl`.
pub const CURL: Program = Program { name: "curl", kind: Kind::Process, kernel_tool: Some(("curl", "curl")) };
/// `python3`.
pub const PYTHON3: Program =
    Program { name: "python3", kind: Kind::Process, kernel_tool: Some(("python3", "python3")) };
/// `sleep`.
pub const SLEEP: Program = Program { name: "sleep", kind: Kind::Builtin, kernel_tool: None };
/// `kill`.
pub const KILL: Program = Program { name: "kill", kind: Kind::Builtin, kernel_tool: None };
/// `wait`.
pub const WAIT: Program = Program { name: "wait", kind: Kind::Builtin, kernel_tool: None };
/// `input`.
pub const INPUT: Program = Program { name: "input", kind: Kind::Builtin, kernel_tool: None };

/// Every program, in the order `nslab` lists them.
pub const PROGRAMS: &[Program] = &[
    IP,
    BRIDGE,
    BRCTL,
    SYSCTL,
    IPTABLES,
    IPTABLES_SAVE,
    IPTABLES_RESTORE,
    CONNTRACK,
    PING,
    TRACEROUTE,
    TCPDUMP,
    DNSMASQ,
    DHCLIENT,
    NC,
    CURL,
    PYTHON3,
    SLEEP,
    KILL,
    WAIT,
    INPUT,
];

/// The row for `name` (every name `Command::program` gives has one).
pub fn program(name: &str) -> Option<&'static Program> {
    PROGRAMS.iter().find(|p| p.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique() {
        for (i, p) in PROGRAMS.iter().enumerate() {
            assert!(PROGRAMS[i + 1..].iter().all(|q| q.name != p.name), "{} twice", p.name);
        }
    }
}
