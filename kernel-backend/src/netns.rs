//! Making, entering and removing the run's namespaces.
//!
//! A namespace is made by `ip netns add` itself (the `/run/netns/NAME` bind mount that
//! `ip netns exec` and `ip -n` reach). Not rtnetlink's `NetworkNamespace::add`: it forks
//! this multi-threaded process and allocates in the child, which can deadlock on a lock
//! another thread held at the fork (seen: a parity run hung with such children). Each gets an
//! `/etc/netns/NAME/` with empty `resolv.conf` and `hosts`, which `ip netns exec` mounts
//! over the machine's — so dhclient-script never writes the machine's resolver file, and
//! dnsmasq reads the same empty files the sim's machine has. IPv6 is left as Linux makes
//! it, on (the sim's namespaces have it on too).
//!
//! Work inside a namespace happens on a short-lived thread that `setns()`es into it:
//! netlink and packet sockets belong to the namespace of the thread that opens them.

use crate::KernelError;
use nix::sched::{CloneFlags, setns};
use std::fs::File;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// Where `ip netns` keeps its namespaces.
pub const NETNS_DIR: &str = "/run/netns";
/// Where `ip netns exec` finds per-namespace files for `/etc`.
pub const ETC_NETNS_DIR: &str = "/etc/netns";

/// The bind mount of a namespace.
pub fn path(kernel: &str) -> PathBuf {
    Path::new(NETNS_DIR).join(kernel)
}

fn io(what: &str, e: impl std::fmt::Display) -> KernelError {
    KernelError::Io(format!("{what}: {e}"))
}

/// Runs `f` on a thread inside the namespace `kernel`.
pub fn within<T: Send + 'static>(kernel: &str, f: impl FnOnce() -> T + Send + 'static) -> Result<T, KernelError> {
    let file = File::open(path(kernel)).map_err(|e| io(&format!("open namespace {kernel}"), e))?;
    std::thread::spawn(move || {
        setns(&file, CloneFlags::CLONE_NEWNET).map_err(|e| io("setns", e))?;
        Ok(f())
    })
    .join()
    .map_err(|_| KernelError::Io("a thread inside a namespace panicked".into()))?
}

/// Makes the namespace `kernel` and its `/etc/netns` files (IPv6 left on, as Linux makes
/// it). Returns its inode, which finds its processes even after its name is gone.
pub async fn create(kernel: &str) -> Result<u64, KernelError> {
    let out = tokio::process::Command::new("ip")
        .args(["netns", "add", kernel])
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .map_err(|e| io(&format!("ip netns add {kernel}"), e))?;
    if !out.status.success() {
        let why = String::from_utf8_lossy(&out.stderr).trim().to_string();
        return Err(io(&format!("ip netns add {kernel}"), why));
    }
    let etc = Path::new(ETC_NETNS_DIR).join(kernel);
    std::fs::create_dir_all(&etc).map_err(|e| io(&etc.display().to_string(), e))?;
    for f in ["resolv.conf", "hosts"] {
        std::fs::write(etc.join(f), "").map_err(|e| io(f, e))?;
    }
    inode(kernel).ok_or_else(|| io(kernel, "vanished"))
}

/// The inode that identifies the namespace (what `/proc/PID/ns/net` links to).
pub fn inode(kernel: &str) -> Option<u64> {
    std::fs::metadata(path(kernel)).ok().map(|m| m.ino())
}

/// Every process in the namespace with inode `ino` (what `ip netns pids` lists).
pub fn pids(ino: u64) -> Vec<i32> {
    let want = format!("net:[{ino}]");
    let me = std::process::id() as i32;
    let Ok(dir) = std::fs::read_dir("/proc") else { return Vec::new() };
    dir.filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_str().and_then(|s| s.parse::<i32>().ok()))
        .filter(|pid| {
            *pid != me
                && std::fs::read_link(format!("/proc/{pid}/ns/net")).is_ok_and(|l| l.to_str() == Some(want.as_str()))
        })
        .collect()
}

/// `ip netns del`: the name goes (the bind mount); processes in it keep it alive.
pub fn unname(kernel: &str) -> Result<(), KernelError> {
    let p = path(kernel);
    if p.exists() {
        let _ = nix::mount::umount2(&p, nix::mount::MntFlags::MNT_DETACH);
        std::fs::remove_file(&p).map_err(|e| io(&p.display().to_string(), e))?;
    }
    Ok(())
}

/// Removes a namespace for good: kills what runs in it, unnames it, removes its files.
/// Works without a runtime, so it can run from a signal handler's task or a `Drop`.
///
/// What ran in a namespace when the scenario took its name away (`ip netns del`), each
/// process with its start time: while the run held the namespace open its inode was
/// surely its own, so these are the run's.
pub type Snapshot = Vec<(i32, u64)>;

/// Every process in the namespace with inode `ino` now, with its start time.
pub fn snapshot(ino: u64) -> Snapshot {
    pids(ino).into_iter().filter_map(|p| Some((p, start_time(p)?))).collect()
}

/// While it still has its name, what runs in it is found by the inode the name leads to.
/// Once the name is gone (`ip netns del` in the scenario), its inode — `ino`, taken when it
/// was made — may have been freed and given to a new namespace, another run's (in another
/// process, or in this one: the parity suite runs scenarios side by side): then only the
/// processes `known` holds (what ran there when the name went) and those they started are
/// killed, never another run's (a reused number had killed a concurrent run's `ping`).
pub fn remove(kernel: &str, ino: Option<u64>, known: Option<&Snapshot>) -> Result<(), KernelError> {
    let named = inode(kernel);
    let ino = named.or(ino);
    for _ in 0..50 {
        let mut left = ino.map(pids).unwrap_or_default();
        if named.is_none() {
            left.retain(|p| known.is_some_and(|k| descends_from(*p, k)));
        }
        if left.is_empty() {
            break;
        }
        for pid in left {
            let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), nix::sys::signal::Signal::SIGKILL);
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    unname(kernel)?;
    let etc = Path::new(ETC_NETNS_DIR).join(kernel);
    if etc.exists() {
        std::fs::remove_dir_all(&etc).map_err(|e| io(&etc.display().to_string(), e))?;
    }
    Ok(())
}

/// A process's `/proc/PID/stat` fields after the command name (field 3 on).
fn stat_fields(pid: i32) -> Option<Vec<String>> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may hold spaces.
    Some(stat.rsplit_once(") ")?.1.split_whitespace().map(str::to_string).collect())
}

/// A process's parent (field 4).
fn parent(pid: i32) -> Option<i32> {
    stat_fields(pid)?.get(1)?.parse().ok()
}

/// A process's start time in clock ticks since boot (field 22): with its PID, what names
/// it for good (a PID is reused, the pair is not).
fn start_time(pid: i32) -> Option<u64> {
    stat_fields(pid)?.get(19)?.parse().ok()
}

/// True if `pid` is one of `known` (same start time) or was started by one of them.
fn descends_from(pid: i32, known: &Snapshot) -> bool {
    let mut p = pid;
    for _ in 0..64 {
        if known.iter().any(|(k, t)| *k == p && start_time(p) == Some(*t)) {
            return true;
        }
        match parent(p) {
            Some(q) if q > 1 => p = q,
            _ => return false,
        }
    }
    false
}

/// The kernel-mode namespaces that exist now (by name).
pub fn existing() -> Vec<String> {
    let Ok(dir) = std::fs::read_dir(NETNS_DIR) else { return Vec::new() };
    let mut v: Vec<String> = dir
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with(crate::names::PREFIX))
        .collect();
    v.sort();
    v
}

#[cfg(test)]
mod tests {
    use super::parent;

    #[test]
    fn a_parent_is_read_from_proc() {
        let me = std::process::id() as i32;
        assert_eq!(parent(me), Some(nix::unistd::getppid().as_raw()));
        let mut child = std::process::Command::new("sleep").arg("5").spawn().unwrap();
        assert_eq!(parent(child.id() as i32), Some(me));
        // It and what it starts descend from it; this process does not.
        let known = vec![(child.id() as i32, super::start_time(child.id() as i32).unwrap())];
        assert!(super::descends_from(child.id() as i32, &known));
        assert!(!super::descends_from(me, &known));
        assert!(!super::descends_from(child.id() as i32, &vec![(child.id() as i32, 0)]), "a reused PID is not it");
        let _ = child.kill();
        let _ = child.wait();
        assert_eq!(parent(-1), None);
    }
}
