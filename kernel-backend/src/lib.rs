//! kernel-backend: runs a scenario's commands on the real kernel — namespaces, veth pairs,
//! bridges, addresses and routes through rtnetlink, the Debian tools for everything a
//! person would type (`ip … show`, `bridge`, `brctl`, `sysctl`, `ping`, `traceroute`,
//! `dnsmasq`, `dhclient`), AF_PACKET captures into the same trace records the sim makes —
//! so a run reads like the sim's and `nslab diff` can compare the two.
//!
//! | module | owns |
//! |---|---|
//! | [`names`] | run prefixes; scenario ↔ kernel namespace names |
//! | [`netns`] | making, entering and removing namespaces |
//! | [`rtnl`] | links, addresses, routes via rtnetlink, refusals in iproute2's words |
//! | [`exec`] | the real tools inside a namespace; the trace recorder |
//! | [`capture`] | AF_PACKET captures |
//! | [`runner`] | the kernel's `Backend` (`scenarios::run::backend`): what the shell asks, done on the kernel in real time |
//! | [`lab`] | a script's namespaces kept standing for a library user's code (`nslab::Lab` in kernel mode) |
//! | [`tools`] | which tools a scenario needs and their Debian packages |
//! | [`guard`] | each run's record and marker, the guard process that cleans up after a killed run, `gc` |
//!
//! The rules (ARCHITECTURE.md, "Kernel mode rules"): the scenario passes the same validation
//! as `nslab check` before anything is made (so only per-namespace `net.*` sysctls reach the
//! kernel); root only; every namespace carries a unique run prefix; a scenario's root
//! namespace is a namespace of its own; nothing is created in, moved to or routed to the
//! machine's own namespace; every tool gets its arguments as separate argv words (no shell
//! splits them) and dies with the run (`setpriv --pdeathsig KILL`); everything made is
//! removed at the end, on error, on panic (a `Drop` guard), on SIGINT, SIGTERM and SIGHUP
//! (a signal task), and after SIGKILL by the run's guard process; [`gc`] removes what a
//! dead run left, and only what a record says nslab made.

pub mod capture;
pub mod exec;
pub mod guard;
pub mod lab;
pub mod names;
pub mod netns;
mod registry;
pub mod rtnl;
pub mod runner;
pub mod tools;

pub use lab::KernelLab;
pub use runner::KernelRun;
use scenarios::{Scenario, ScenarioError};

/// Why kernel mode cannot run, or stopped.
#[derive(Debug, thiserror::Error)]
pub enum KernelError {
    /// The process lacks CAP_NET_ADMIN / CAP_SYS_ADMIN.
    #[error("kernel mode needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN); this process has {0}")]
    NotPrivileged(String),
    /// Tools the scenario needs are not installed.
    #[error("kernel mode needs {}", .0.iter().map(|(t, p)| format!("{t} (apt-get install {p})")).collect::<Vec<_>>().join(", "))]
    MissingTools(Vec<(&'static str, &'static str)>),
    /// A kernel feature the scenario needs is not there (a module not loaded).
    #[error("kernel mode needs {0}")]
    MissingFeature(String),
    /// The kernel refused a step the scenario expected to work.
    #[error("{0}")]
    Refused(Box<ScenarioError>),
    /// Something the machine did not let kernel mode do.
    #[error("kernel mode: {0}")]
    Io(String),
}

impl From<ScenarioError> for KernelError {
    fn from(e: ScenarioError) -> Self {
        KernelError::Refused(Box::new(e))
    }
}

/// What this process may do, read from `/proc/self/status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capabilities {
    /// CAP_NET_ADMIN (bit 12): links, addresses, routes.
    pub net_admin: bool,
    /// CAP_SYS_ADMIN (bit 21): creating and entering namespaces.
    pub sys_admin: bool,
}

/// Parses the `CapEff:` line of a `/proc/PID/status` text.
pub fn parse_cap_eff(status: &str) -> Option<Capabilities> {
    let hex = status.lines().find_map(|l| l.strip_prefix("CapEff:"))?.trim();
    let bits = u64::from_str_radix(hex, 16).ok()?;
    Some(Capabilities { net_admin: bits & (1 << 12) != 0, sys_admin: bits & (1 << 21) != 0 })
}

/// The effective capabilities of this process (`None` off Linux).
pub fn capabilities() -> Option<Capabilities> {
    parse_cap_eff(&std::fs::read_to_string("/proc/self/status").ok()?)
}

/// Checks that kernel mode can run `sc` here: privileges, then tools.
pub fn preflight(sc: &Scenario) -> Result<(), KernelError> {
    match capabilities() {
        Some(c) if c.net_admin && c.sys_admin => {}
        Some(c) => {
            return Err(KernelError::NotPrivileged(format!("net_admin={}, sys_admin={}", c.net_admin, c.sys_admin)));
        }
        None => return Err(KernelError::NotPrivileged("no /proc/self/status".into())),
    }
    let missing = tools::missing(sc);
    if !missing.is_empty() {
        return Err(KernelError::MissingTools(missing));
    }
    // br_netfilter's sysctls exist only while the module is loaded; kernel mode does not
    // load modules into the machine's kernel.
    let bridge_nf = sc.steps.iter().any(|s| match &s.run {
        scenarios::Command::Sysctl { key, .. } => key.starts_with("net.bridge."),
        scenarios::Command::SysctlLoad { input, .. } => scenarios::command::sysctl_lines(input).is_ok_and(|v| {
            v.iter().any(
                |l| matches!(l, scenarios::command::SysctlLine::Setting { key, .. } if key.starts_with("net.bridge.")),
            )
        }),
        _ => false,
    });
    if bridge_nf && !std::path::Path::new("/proc/sys/net/bridge").exists() {
        return Err(KernelError::MissingFeature("the br_netfilter module (modprobe br_netfilter)".into()));
    }
    Ok(())
}

/// Runs a scenario on the kernel: first the same validation pass as `nslab check` and the
/// sim (nothing is made for a scenario it refuses), then [`preflight`], then the steps.
pub fn run(file: &str, source: &str, sc: &Scenario) -> Result<KernelRun, KernelError> {
    run_with(file, source, sc, None, Collect::default())
}

/// What a kernel run collects beyond its transcript.
#[derive(Clone, Copy, Debug, Default)]
pub struct Collect {
    /// Each namespace's drop counters at the end ([`KernelRun::drop_counters`]), for `run
    /// --kernel --explain` and `diff --drops`: two tools run in each namespace.
    pub drop_counters: bool,
}

/// [`run`] or [`run_live`] (with `sink`: a boxed `FnMut(&str)`), collecting what `collect`
/// asks for.
pub fn run_collecting(
    file: &str,
    source: &str,
    sc: &Scenario,
    collect: Collect,
    sink: Option<runner::Sink>,
) -> Result<KernelRun, KernelError> {
    run_with(file, source, sc, sink, collect)
}

/// [`run`], printing the transcript as it happens: `sink` gets its lines (each ending in a
/// newline) at each step and, while a step waits, every quarter second — in the end, the
/// whole transcript of the run, as [`KernelRun::rendered`] has it.
pub fn run_live(
    file: &str,
    source: &str,
    sc: &Scenario,
    sink: impl FnMut(&str) + Send + 'static,
) -> Result<KernelRun, KernelError> {
    run_with(file, source, sc, Some(Box::new(sink)), Collect::default())
}

fn run_with(
    file: &str,
    source: &str,
    sc: &Scenario,
    sink: Option<runner::Sink>,
    collect: Collect,
) -> Result<KernelRun, KernelError> {
    scenarios::check(file, source, sc).map_err(|e| KernelError::Refused(Box::new(e)))?;
    refuse_endless_sleep(file, source, sc)?;
    preflight(sc)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| KernelError::Io(format!("tokio: {e}")))?;
    rt.block_on(async {
        let guard = tokio::spawn(on_signal());
        let r = runner::run(file, source, sc, sink, collect).await;
        guard.abort();
        r
    })
}

/// The sim runs `sleep inf` until nothing more can happen; real time has no such end.
pub(crate) fn refuse_endless_sleep(file: &str, source: &str, sc: &Scenario) -> Result<(), KernelError> {
    if let Some(step) =
        sc.steps.iter().find(|s| matches!(&s.run, scenarios::Command::Sleep { secs } if secs.is_infinite()))
    {
        let e =
            ScenarioError::at(file, source, step.span, "kernel mode sleeps in real time: this sleep would never end")
                .with_hint(
                    "on the kernel, sleep a number of seconds (the sim runs `sleep inf` until nothing more can happen)",
                );
        return Err(KernelError::Refused(Box::new(e)));
    }
    Ok(())
}

/// SIGINT (Ctrl-C), SIGTERM (`kill`, `timeout`, CI runners) and SIGHUP (a closed terminal)
/// end a run the same way: everything it made is removed, and the process exits as a shell
/// reports a death by that signal (128 + its number).
pub(crate) async fn on_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let kinds = [
        (SignalKind::interrupt(), "interrupted", 130),
        (SignalKind::terminate(), "terminated", 143),
        (SignalKind::hangup(), "hung up", 129),
    ];
    let mut streams = Vec::new();
    for (kind, what, code) in kinds {
        match signal(kind) {
            Ok(s) => streams.push((s, what, code)),
            Err(e) => eprintln!("nslab: cannot watch for {what}: {e}"),
        }
    }
    let waits = streams.iter_mut().map(|(s, what, code)| {
        let (what, code) = (*what, *code);
        Box::pin(async move {
            s.recv().await;
            (what, code)
        })
    });
    let ((what, code), _, _) = futures::future::select_all(waits).await;
    registry::remove_all();
    eprintln!("nslab: {what}; the run's namespaces are removed");
    std::process::exit(code);
}

/// Removes what dead runs left (see [`guard::gc`]). Returns what it removed.
pub fn gc() -> Vec<String> {
    guard::gc()
}

/// `nslab doctor`: what kernel mode can do on this machine, a line each.
pub fn doctor() -> Vec<String> {
    let mut out = Vec::new();
    match capabilities() {
        Some(c) if c.net_admin && c.sys_admin => {
            out.push("ok    privileges: CAP_NET_ADMIN and CAP_SYS_ADMIN".to_string())
        }
        Some(c) => out.push(format!(
            "no    privileges: net_admin={}, sys_admin={} — kernel mode needs root",
            c.net_admin, c.sys_admin
        )),
        None => out.push("no    privileges: cannot read /proc/self/status".into()),
    }
    for (t, p) in tools::tools() {
        match tools::which(t) {
            Some(path) => out.push(format!("ok    {t}: {}", path.display())),
            None => out.push(format!("no    {t}: apt-get install {p}")),
        }
    }
    out.extend(qdiscs());
    let left = netns::existing();
    if left.is_empty() {
        out.push("ok    no namespaces left by earlier runs".into());
    } else {
        out.push(format!(
            "note  {} kernel-mode namespaces exist ({}); `nslab kernel gc` removes dead runs'",
            left.len(),
            left.join(", ")
        ));
    }
    out
}

/// Which of the qdiscs nslab models this kernel has: each is tried on `lo` in a namespace
/// of its own that ends with the `tc` that tried it (`unshare --net`), so nothing is left.
fn qdiscs() -> Vec<String> {
    const KINDS: [(&str, &[&str]); 3] =
        [("netem", &["delay", "1ms"]), ("tbf", &["rate", "1mbit", "burst", "10k", "latency", "10ms"]), ("htb", &[])];
    let (Some(unshare), Some(tc)) = (tools::which("unshare"), tools::which("tc")) else {
        return vec!["note  qdiscs: not checked (needs unshare and tc)".into()];
    };
    let mut out = Vec::new();
    for (kind, args) in KINDS {
        let run = std::process::Command::new(&unshare)
            .arg("--net")
            .arg("--")
            .arg(&tc)
            .args(["qdisc", "add", "dev", "lo", "root", kind])
            .args(args)
            .output();
        out.push(match run {
            Ok(o) if o.status.success() => format!("ok    qdisc {kind}: the kernel has it"),
            Ok(o) if String::from_utf8_lossy(&o.stderr).contains("kind is unknown") => {
                format!("note  qdisc {kind}: this kernel has none; scenarios with it run in the sim only")
            }
            Ok(o) => format!("note  qdisc {kind}: not checked ({})", String::from_utf8_lossy(&o.stderr).trim()),
            Err(e) => format!("note  qdisc {kind}: not checked ({e})"),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_capability_bits() {
        let root = "Name:\tcat\nCapEff:\t000001ffffffffff\n";
        assert_eq!(parse_cap_eff(root), Some(Capabilities { net_admin: true, sys_admin: true }));
        let user = "CapEff:\t0000000000000000\n";
        assert_eq!(parse_cap_eff(user), Some(Capabilities { net_admin: false, sys_admin: false }));
        assert_eq!(parse_cap_eff("nothing"), None);
    }

    #[test]
    fn missing_tools_name_their_packages() {
        let e = KernelError::MissingTools(vec![("dhclient", "isc-dhcp-client")]);
        assert_eq!(e.to_string(), "kernel mode needs dhclient (apt-get install isc-dhcp-client)");
    }
}
