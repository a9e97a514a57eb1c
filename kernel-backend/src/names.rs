//! Run prefixes: the kernel's name for each of a scenario's namespaces, and the way back.
//!
//! Every namespace a run makes is called `nslab-PID-STAMP-NAME` (the scenario's root
//! namespace is `nslab-PID-STAMP` itself; STAMP is 8 or more lower-case hex digits), so two
//! runs — or parallel tests — never collide. [`run_prefix`] recognises exactly that format;
//! `nslab kernel gc` also wants the run's record (see `guard`) before it removes anything.
//! Output that names a namespace (`ip netns list`, `link-netns …`) is rewritten to the
//! scenario's names.

use std::sync::atomic::{AtomicU32, Ordering};

/// What every kernel-mode namespace's name starts with.
pub const PREFIX: &str = "nslab-";

static RUNS: AtomicU32 = AtomicU32::new(0);

/// One run's names.
#[derive(Clone, Debug)]
pub struct Names {
    prefix: String,
}

impl Names {
    /// Fresh names for a run of this process.
    pub fn new() -> Self {
        // The stamp tells this process's runs apart, and a reused PID's from a dead run's.
        let nanos =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
        let n = RUNS.fetch_add(1, Ordering::Relaxed);
        Names { prefix: format!("{PREFIX}{}-{:06x}{n:02x}", std::process::id(), (nanos >> 8) & 0xff_ffff) }
    }

    /// The run's prefix: its root namespace's name, its scratch directory's and record's.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The kernel's name for a scenario namespace (`None`: the scenario's root namespace).
    pub fn kernel(&self, ns: Option<&str>) -> String {
        match ns {
            None => self.prefix.clone(),
            Some(n) => format!("{}-{n}", self.prefix),
        }
    }

    /// The scenario's name for a kernel namespace of this run, if it is one
    /// (`Some(None)`: the root namespace).
    pub fn scenario<'a>(&self, kernel: &'a str) -> Option<Option<&'a str>> {
        let rest = kernel.strip_prefix(&self.prefix)?;
        if rest.is_empty() {
            return Some(None);
        }
        rest.strip_prefix('-').map(Some)
    }

    /// `line` with this run's kernel names replaced by the scenario's.
    pub fn rewrite(&self, line: &str) -> String {
        if !line.contains(&self.prefix) {
            return line.to_string();
        }
        let with_dash = format!("{}-", self.prefix);
        line.replace(&with_dash, "").replace(&self.prefix, "root")
    }
}

impl Default for Names {
    fn default() -> Self {
        Self::new()
    }
}

/// The run prefix (`nslab-PID-STAMP`) a name made by a run starts with, and the PID in it —
/// `None` unless the name has exactly the format runs give (`nslab-2024-notes` is not one).
pub fn run_prefix(name: &str) -> Option<(&str, u32)> {
    let rest = name.strip_prefix(PREFIX)?;
    let (pid, rest) = rest.split_once('-')?;
    if pid.is_empty() || pid.len() > 10 || !pid.bytes().all(|b| b.is_ascii_digit()) || pid.starts_with('0') {
        return None;
    }
    let stamp = rest.split('-').next()?;
    if stamp.len() < 8 || !stamp.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        return None;
    }
    let end = PREFIX.len() + pid.len() + 1 + stamp.len();
    Some((&name[..end], pid.parse().ok()?))
}

/// The PID of the process that made a kernel-mode namespace, from its name.
pub fn owner(kernel: &str) -> Option<u32> {
    run_prefix(kernel).map(|(_, pid)| pid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_go_both_ways() {
        let n = Names::new();
        let k = n.kernel(Some("ns1"));
        assert!(k.starts_with(PREFIX) && k.ends_with("-ns1"));
        assert_eq!(n.scenario(&k), Some(Some("ns1")));
        assert_eq!(n.scenario(&n.kernel(None)), Some(None));
        assert_eq!(n.scenario("nslab-1-2-x"), None);
        assert_eq!(n.rewrite(&format!("link/ether 02:… link-netns {k}")), "link/ether 02:… link-netns ns1");
        assert_eq!(owner(&k), Some(std::process::id()));
        assert_ne!(Names::new().kernel(None), n.kernel(None), "two runs never share a prefix");
        assert_eq!(run_prefix(&k), Some((n.prefix(), std::process::id())));
        assert_eq!(run_prefix(n.prefix()), Some((n.prefix(), std::process::id())));
    }

    #[test]
    fn only_the_runs_format_is_a_run_prefix() {
        assert_eq!(run_prefix("nslab-2024-notes"), None);
        assert_eq!(run_prefix("nslab-2024"), None);
        assert_eq!(run_prefix("nslab-12-abc"), None, "stamp too short");
        assert_eq!(run_prefix("nslab-12-0123456G"), None);
        assert_eq!(run_prefix("nslab-x1-01234567"), None);
        assert_eq!(run_prefix("nslab-012-01234567"), None);
        assert_eq!(run_prefix("nslab-12-01234567"), Some(("nslab-12-01234567", 12)));
        assert_eq!(run_prefix("nslab-12-01234567-ns-1"), Some(("nslab-12-01234567", 12)));
    }
}
