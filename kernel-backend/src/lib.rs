//! kernel-backend: runs a scenario's commands on the real kernel — namespaces, veth pairs,
//! addresses and routes through rtnetlink, iptables inside the namespaces, the Debian tools
//! as processes, AF_PACKET captures into the same trace records the sim produces — so
//! `nslab diff` can compare the two runs.
//!
//! Status: only the public shape exists. [`capabilities`] reports whether this process could
//! run kernel mode; [`run`] refuses with [`KernelError::NotBuiltYet`]. The rules it will
//! follow (ARCHITECTURE.md, "Kernel mode rules"): root only; every namespace carries a
//! unique run prefix; a scenario's root namespace is a namespace of its own; nothing is
//! created in, moved to or routed to the machine's own namespace; everything made is
//! removed at the end, on error, on panic and on Ctrl-C.

/// Why kernel mode cannot run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KernelError {
    /// The process lacks CAP_NET_ADMIN / CAP_SYS_ADMIN.
    #[error("kernel mode needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN); this process has {0}")]
    NotPrivileged(String),
    /// Kernel mode is not implemented in this build.
    #[error("not supported yet: kernel mode (the sim back end runs every scenario; the kernel back end is planned)")]
    NotBuiltYet,
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

/// Runs a scenario on the kernel. Not built yet: always refuses, saying why.
pub fn run() -> Result<(), KernelError> {
    match capabilities() {
        Some(c) if c.net_admin && c.sys_admin => Err(KernelError::NotBuiltYet),
        Some(c) => Err(KernelError::NotPrivileged(format!("net_admin={}, sys_admin={}", c.net_admin, c.sys_admin))),
        None => Err(KernelError::NotPrivileged("no /proc/self/status".into())),
    }
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
    fn run_refuses_with_a_reason() {
        let e = run().unwrap_err();
        assert!(matches!(e, KernelError::NotBuiltYet | KernelError::NotPrivileged(_)));
        assert!(!e.to_string().is_empty());
    }
}
