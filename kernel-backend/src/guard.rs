//! What a run makes is marked as its own, guarded while it runs, and collected if it dies.
//!
//! - The **record** `/run/nslab/PREFIX` (a file of nslab's own) says which process made the
//!   run — its PID and that process's start time, so a reused PID is never taken for it — and
//!   where its scratch directory is. It is written before anything else is made.
//! - The scratch directory holds a **marker**, `.nslab-run`, naming the prefix.
//! - The **guard**, a small `sh` in a session of its own (no terminal signal reaches it),
//!   waits for end-of-file on a pipe that only this process holds. However this process
//!   ends — return, panic, SIGTERM, even SIGKILL — the pipe closes, and the guard kills
//!   what still runs in the run's namespaces (daemons that detached included), removes the
//!   namespaces, their `/etc/netns` files, the scratch directory (if it has the marker) and
//!   the record. After a normal end the run has already removed all of it; the guard finds
//!   nothing.
//! - [`gc`] removes a dead run's leftovers only where a record says nslab made them: a
//!   name that merely looks like ours (`/tmp/nslab-2024-notes`) is never touched.
//!
//! It owns nothing else and touches nothing outside `/run/nslab`, `/run/netns`,
//! `/etc/netns` and the run's scratch directory.

use crate::KernelError;
use crate::names::run_prefix;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};

/// Where runs keep their records.
pub const RECORD_DIR: &str = "/run/nslab";
/// The marker file in a run's scratch directory.
pub const MARKER: &str = ".nslab-run";

/// The guard's script: `$1` the run prefix, `$2` its scratch directory, `$3` its record.
///
/// It kills what runs in the run's namespaces round after round, and removes them only
/// after three rounds in a row found nothing: a process that was forking, or an `ip netns
/// exec` that had opened a namespace but not yet entered it, when one list was taken is in
/// a later one (seen once under load: a process left behind after SIGKILL). It never looks
/// for processes by namespace inode once the names are gone: a freed namespace's number
/// goes to the next new one, which may be another run's.
const GUARD: &str = r#"trap '' INT HUP TERM QUIT
while read -r _; do :; done
ours=""
for n in $(ip netns list 2>/dev/null | cut -d' ' -f1); do
  case "$n" in "$1"|"$1"-*) ours="$ours $n" ;; esac
done
quiet=0
[ -n "$ours" ] && for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30; do
  pids=""
  for n in $ours; do pids="$pids $(ip netns pids "$n" 2>/dev/null)"; done
  if [ -z "$(echo $pids)" ]; then
    quiet=$((quiet + 1))
    [ "$quiet" -ge 3 ] && break
  else
    quiet=0
    kill -9 $pids 2>/dev/null
  fi
  sleep 0.05
done
for n in $ours; do
  ip netns delete "$n" 2>/dev/null
  rm -rf "/etc/netns/$n"
done
[ -f "$2/.nslab-run" ] && rm -rf "$2"
rm -f "$3"
"#;

/// The record's path for a run prefix.
pub fn record_path(prefix: &str) -> PathBuf {
    Path::new(RECORD_DIR).join(prefix)
}

/// This process's start time (field 22 of `/proc/PID/stat`, in clock ticks since boot).
fn start_time(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) may hold spaces and parentheses: count from its end.
    let after = &stat[stat.rfind(')')? + 1..];
    after.split_whitespace().nth(19)?.parse().ok()
}

fn io(what: &Path, e: impl std::fmt::Display) -> KernelError {
    KernelError::Io(format!("{}: {e}", what.display()))
}

/// A live run's record and guard. Dropping it (after the run removed what it made) removes
/// the record and lets the guard go.
#[derive(Debug)]
pub struct Guard {
    record: PathBuf,
    pipe: Option<ChildStdin>,
    child: Option<Child>,
}

impl Guard {
    /// Writes the run's record, makes its scratch directory with the marker, and starts its
    /// guard — before the run makes anything in the kernel.
    pub fn start(prefix: &str, dir: &Path) -> Result<Guard, KernelError> {
        let me = std::process::id();
        let start = start_time(me).ok_or_else(|| KernelError::Io("cannot read /proc/self/stat".into()))?;
        std::fs::create_dir_all(RECORD_DIR).map_err(|e| io(Path::new(RECORD_DIR), e))?;
        let record = record_path(prefix);
        let text = format!("pid={me}\nstart={start}\ndir={}\n", dir.display());
        std::fs::write(&record, text).map_err(|e| io(&record, e))?;
        let mut g = Guard { record, pipe: None, child: None };
        std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
        std::fs::write(dir.join(MARKER), format!("{prefix}\n")).map_err(|e| io(dir, e))?;
        // `setsid`: a session of its own, so Ctrl-C or a hang-up in the terminal that kills
        // nslab does not kill the guard first. Rust opens the pipe close-on-exec: no tool
        // the run starts holds it open.
        let mut child = Command::new("setsid")
            .args(["sh", "-c", GUARD, "nslab-guard", prefix])
            .arg(dir)
            .arg(&g.record)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| KernelError::Io(format!("setsid sh (the run's guard): {e}")))?;
        g.pipe = child.stdin.take();
        g.child = Some(child);
        Ok(g)
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.record);
        if let Some(mut p) = self.pipe.take() {
            let _ = p.flush();
        }
        if let Some(mut c) = self.child.take() {
            let _ = c.wait();
        }
    }
}

/// Removes the records this process wrote (the signal path, where no destructor runs;
/// the namespaces and directories they name are already gone).
pub fn forget_records_of_this_process() {
    let me = std::process::id();
    let Ok(dir) = std::fs::read_dir(RECORD_DIR) else { return };
    for e in dir.filter_map(|e| e.ok()) {
        let name = e.file_name();
        if name.to_str().and_then(run_prefix).is_some_and(|(_, pid)| pid == me) {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// A run's record, read back.
#[derive(Debug, PartialEq, Eq)]
struct Record {
    pid: u32,
    start: u64,
    dir: Option<PathBuf>,
}

fn parse_record(text: &str) -> Option<Record> {
    let mut pid = None;
    let mut start = None;
    let mut dir = None;
    for l in text.lines() {
        match l.split_once('=') {
            Some(("pid", v)) => pid = v.parse().ok(),
            Some(("start", v)) => start = v.parse().ok(),
            Some(("dir", v)) => dir = Some(PathBuf::from(v)),
            _ => {}
        }
    }
    Some(Record { pid: pid?, start: start?, dir })
}

/// True while the process that wrote the record still runs (same PID, same start time).
fn alive(r: &Record) -> bool {
    start_time(r.pid) == Some(r.start)
}

/// Removes what dead runs left: for each record whose process is gone, the namespaces of
/// its prefix (killing what runs in them), their `/etc/netns` files, its scratch directory
/// if that holds the marker, and the record. Returns what it removed.
pub fn gc() -> Vec<String> {
    let mut gone = Vec::new();
    let Ok(dir) = std::fs::read_dir(RECORD_DIR) else { return gone };
    let mut records: Vec<(String, PathBuf)> = dir
        .filter_map(|e| e.ok())
        .filter_map(|e| Some((e.file_name().into_string().ok()?, e.path())))
        .filter(|(n, _)| run_prefix(n).is_some_and(|(p, _)| p == n))
        .collect();
    records.sort();
    for (prefix, path) in records {
        let Some(rec) = std::fs::read_to_string(&path).ok().and_then(|t| parse_record(&t)) else { continue };
        if alive(&rec) {
            continue;
        }
        let mine = |n: &str| run_prefix(n).is_some_and(|(p, _)| p == prefix);
        for k in crate::netns::existing().into_iter().filter(|k| mine(k)) {
            if crate::netns::remove(&k, None, None).is_ok() {
                gone.push(k);
            }
        }
        if let Ok(etc) = std::fs::read_dir(crate::netns::ETC_NETNS_DIR) {
            for e in etc.filter_map(|e| e.ok()) {
                if e.file_name().to_str().is_some_and(mine) && std::fs::remove_dir_all(e.path()).is_ok() {
                    gone.push(e.path().display().to_string());
                }
            }
        }
        if let Some(d) = rec.dir.filter(|d| d.join(MARKER).is_file())
            && std::fs::remove_dir_all(&d).is_ok()
        {
            gone.push(d.display().to_string());
        }
        if std::fs::remove_file(&path).is_ok() {
            gone.push(path.display().to_string());
        }
    }
    gone
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_read_back() {
        let r = parse_record("pid=42\nstart=7\ndir=/tmp/nslab-42-01234567\n").unwrap();
        assert_eq!(r, Record { pid: 42, start: 7, dir: Some("/tmp/nslab-42-01234567".into()) });
        assert_eq!(parse_record("pid=42\n"), None);
    }

    #[test]
    fn this_process_is_alive_and_a_reused_pid_is_not() {
        let me = std::process::id();
        let start = start_time(me).unwrap();
        assert!(alive(&Record { pid: me, start, dir: None }));
        assert!(!alive(&Record { pid: me, start: start + 1, dir: None }));
    }
}
