//! The one table of programs a scenario can run: what each is to the shell (a builtin, a
//! command that runs to completion, or a program the back end starts), which binary kernel
//! mode runs for it and the Debian package that holds that binary, and — for a tool run by
//! its argv — how the sim makes it. A new tool is its module in `sim_nodes::proc` plus a
//! row here with `start`: the shell front end reads its words as `Command::Exec`, `check`
//! validates them with `start`, the sim spawns what `start` makes and kernel mode runs the
//! binary. The runners, `nslab check`, kernel mode's preflight and `nslab doctor` read this
//! table rather than lists of their own.

/// What a program is to the shell that runs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A shell builtin (`sleep`, `kill`, `wait`) or nslab's own (`input`): no process.
    Builtin,
    /// Runs to completion: configures the machine or shows it (`ip`, `sysctl`, `iptables`).
    Runs,
    /// A program the back end starts: the shell waits for it to exit, or runs it in the
    /// background with `&` (`ping`, `tcpdump`, `nc`, `ss`).
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
    /// How the sim makes it from its words, for a program the shell runs by its argv
    /// (`Command::Exec`); `None` for the commands that have a typed `Command` of their own.
    pub start: Option<sim_nodes::sys::Start>,
}

/// `ip`.
pub const IP: Program = Program { name: "ip", kind: Kind::Runs, kernel_tool: Some(("ip", "iproute2")), start: None };
/// `bridge`.
pub const BRIDGE: Program =
    Program { name: "bridge", kind: Kind::Runs, kernel_tool: Some(("bridge", "iproute2")), start: None };
/// `brctl`.
pub const BRCTL: Program =
    Program { name: "brctl", kind: Kind::Runs, kernel_tool: Some(("brctl", "bridge-utils")), start: None };
/// `sysctl`.
pub const SYSCTL: Program =
    Program { name: "sysctl", kind: Kind::Runs, kernel_tool: Some(("sysctl", "procps")), start: None };
/// `iptables`.
pub const IPTABLES: Program =
    Program { name: "iptables", kind: Kind::Runs, kernel_tool: Some(("iptables", "iptables")), start: None };
/// `iptables-save`.
pub const IPTABLES_SAVE: Program =
    Program { name: "iptables-save", kind: Kind::Runs, kernel_tool: Some(("iptables-save", "iptables")), start: None };
/// `iptables-restore`.
pub const IPTABLES_RESTORE: Program = Program {
    name: "iptables-restore",
    kind: Kind::Runs,
    kernel_tool: Some(("iptables-restore", "iptables")),
    start: None,
};
/// `ip6tables`.
pub const IP6TABLES: Program =
    Program { name: "ip6tables", kind: Kind::Runs, kernel_tool: Some(("ip6tables", "iptables")), start: None };
/// `ip6tables-save`.
pub const IP6TABLES_SAVE: Program = Program {
    name: "ip6tables-save",
    kind: Kind::Runs,
    kernel_tool: Some(("ip6tables-save", "iptables")),
    start: None,
};
/// `ip6tables-restore`.
pub const IP6TABLES_RESTORE: Program = Program {
    name: "ip6tables-restore",
    kind: Kind::Runs,
    kernel_tool: Some(("ip6tables-restore", "iptables")),
    start: None,
};
/// `conntrack`: `-L`/`-D`/`-F` run to completion; `-E` is a process (`Command::is_process`).
pub const CONNTRACK: Program =
    Program { name: "conntrack", kind: Kind::Runs, kernel_tool: Some(("conntrack", "conntrack")), start: None };
/// `tc`: qdiscs, classes and filters of a device.
pub const TC: Program = Program { name: "tc", kind: Kind::Runs, kernel_tool: Some(("tc", "iproute2")), start: None };
/// `ping`.
pub const PING: Program =
    Program { name: "ping", kind: Kind::Process, kernel_tool: Some(("ping", "iputils-ping")), start: None };
/// `traceroute`.
pub const TRACEROUTE: Program =
    Program { name: "traceroute", kind: Kind::Process, kernel_tool: Some(("traceroute", "traceroute")), start: None };
/// `tcpdump`.
pub const TCPDUMP: Program = Program { name: "tcpdump", kind: Kind::Process, kernel_tool: None, start: None };
/// `dnsmasq`.
pub const DNSMASQ: Program =
    Program { name: "dnsmasq", kind: Kind::Process, kernel_tool: Some(("dnsmasq", "dnsmasq-base")), start: None };
/// `dhclient`.
pub const DHCLIENT: Program =
    Program { name: "dhclient", kind: Kind::Process, kernel_tool: Some(("dhclient", "isc-dhcp-client")), start: None };
/// `nc`: nmap's ncat, which the sim models (Debian's `nc` may be another netcat).
pub const NC: Program = Program { name: "nc", kind: Kind::Process, kernel_tool: Some(("ncat", "ncat")), start: None };
/// `curl`.
pub const CURL: Program =
    Program { name: "curl", kind: Kind::Process, kernel_tool: Some(("curl", "curl")), start: None };
/// `python3`.
pub const PYTHON3: Program =
    Program { name: "python3", kind: Kind::Process, kernel_tool: Some(("python3", "python3")), start: None };
/// `ss`.
pub const SS: Program = Program {
    name: "ss",
    kind: Kind::Process,
    kernel_tool: Some(("ss", "iproute2")),
    start: Some(sim_nodes::proc::ss::start),
};
/// `arping`.
pub const ARPING: Program = Program {
    name: "arping",
    kind: Kind::Process,
    kernel_tool: Some(("arping", "iputils-arping")),
    start: Some(sim_nodes::proc::arping::start),
};
/// `radvd`: router advertisements.
pub const RADVD: Program = Program {
    name: "radvd",
    kind: Kind::Process,
    kernel_tool: Some(("radvd", "radvd")),
    start: Some(sim_nodes::proc::radvd::start),
};
/// `truncate`: a file in the lab's directory.
pub const TRUNCATE: Program =
    Program { name: "truncate", kind: Kind::Runs, kernel_tool: Some(("truncate", "coreutils")), start: None };
/// `sleep`.
pub const SLEEP: Program = Program { name: "sleep", kind: Kind::Builtin, kernel_tool: None, start: None };
/// `kill`.
pub const KILL: Program = Program { name: "kill", kind: Kind::Builtin, kernel_tool: None, start: None };
/// `wait`.
pub const WAIT: Program = Program { name: "wait", kind: Kind::Builtin, kernel_tool: None, start: None };
/// `echo`: bash's builtin.
pub const ECHO: Program = Program { name: "echo", kind: Kind::Builtin, kernel_tool: None, start: None };
/// `input`.
pub const INPUT: Program = Program { name: "input", kind: Kind::Builtin, kernel_tool: None, start: None };

/// Every program, in the order `nslab` lists them.
pub const PROGRAMS: &[Program] = &[
    IP,
    BRIDGE,
    BRCTL,
    SYSCTL,
    IPTABLES,
    IPTABLES_SAVE,
    IPTABLES_RESTORE,
    IP6TABLES,
    IP6TABLES_SAVE,
    IP6TABLES_RESTORE,
    CONNTRACK,
    TC,
    PING,
    TRACEROUTE,
    TCPDUMP,
    DNSMASQ,
    DHCLIENT,
    NC,
    CURL,
    PYTHON3,
    SS,
    ARPING,
    RADVD,
    TRUNCATE,
    SLEEP,
    KILL,
    WAIT,
    ECHO,
    INPUT,
];

/// Every program's name, as a sentence lists them (`ip, bridge, … and wait`).
pub fn names() -> String {
    let n: Vec<&str> =
        PROGRAMS.iter().map(|p| if p.name == "python3" { "python3 -m http.server" } else { p.name }).collect();
    match n.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => n.concat(),
    }
}

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
