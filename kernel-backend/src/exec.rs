//! The real tools, run inside the run's namespaces, and the recorder their output goes to.
//!
//! Everything is started as `ip netns exec NAME setpriv --pdeathsig KILL stdbuf -oL -eL
//! TOOL ARGS` — `ip netns exec` for the namespace and its `/etc/netns` files, `setpriv` so
//! the tool dies with nslab however nslab ends (`ip netns exec`, `setpriv`, `sh` and
//! `stdbuf` all exec, so the tool keeps nslab as its parent), `stdbuf` so a tool writing to
//! a pipe still prints line by line — with each argument one argv word, never split again
//! by a shell. Each line becomes a trace record stamped with the time since the run began,
//! exactly the record the sim makes for its own processes.

use crate::KernelError;
use crate::names::Names;
use sim_core::{Instant, NsName, Record, Stream};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::sync::watch;

/// The trace of a kernel run, stamped in time since its start.
#[derive(Debug)]
pub struct Recorder {
    start: std::time::Instant,
    /// The machine's clock at `start`, in ns since 1970 (a capture file's time zero).
    epoch: u64,
    records: Mutex<Vec<Record>>,
}

impl Recorder {
    /// An empty trace starting now.
    pub fn new() -> Self {
        let epoch =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64);
        Recorder { start: std::time::Instant::now(), epoch, records: Mutex::new(Vec::new()) }
    }

    /// When the run began, in ns since 1970.
    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    /// Time since the run began.
    pub fn now(&self) -> Instant {
        Instant::from_nanos(self.start.elapsed().as_nanos() as u64)
    }

    /// Appends a record stamped now (stamped under the lock, so the trace stays in order).
    pub fn push(&self, make: impl FnOnce(Instant) -> Record) {
        let mut r = self.records.lock().unwrap_or_else(|p| p.into_inner());
        let at = self.now();
        r.push(make(at));
    }

    /// A copy of the records so far (they stay).
    pub fn snapshot(&self) -> Vec<Record> {
        self.records.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The records so far.
    pub fn take(&self) -> Vec<Record> {
        std::mem::take(&mut *self.records.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

impl Default for Recorder {
    fn default() -> Self {
        Self::new()
    }
}

/// What a short tool run printed.
#[derive(Clone, Debug, Default)]
pub struct Output {
    /// stdout lines.
    pub stdout: Vec<String>,
    /// stderr lines.
    pub stderr: Vec<String>,
    /// Exit status.
    pub status: i32,
}

/// Makes the tool die when the thread that started it does (nslab's runner thread).
const DIE_WITH_US: [&str; 3] = ["setpriv", "--pdeathsig", "KILL"];

fn command(kernel: &str, argv: &[String]) -> tokio::process::Command {
    let mut c = tokio::process::Command::new("ip");
    c.args(["netns", "exec", kernel]).args(DIE_WITH_US).args(["stdbuf", "-oL", "-eL"]).args(argv).stdin(Stdio::null());
    c
}

/// Runs a tool to completion inside `kernel` (`ip addr show`, `sysctl -w …`).
pub async fn run(kernel: &str, argv: &[String], names: &Names) -> Result<Output, KernelError> {
    let out = command(kernel, argv)
        .output()
        .await
        .map_err(|e| KernelError::Io(format!("ip netns exec {kernel} {}: {e}", argv.join(" "))))?;
    let lines = |b: &[u8]| -> Vec<String> { String::from_utf8_lossy(b).lines().map(|l| names.rewrite(l)).collect() };
    Ok(Output { stdout: lines(&out.stdout), stderr: lines(&out.stderr), status: out.status.code().unwrap_or(128) })
}

/// Runs a tool to completion inside `kernel` with `input` on its stdin (`iptables-restore`).
pub async fn run_input(kernel: &str, argv: &[String], input: &[u8], names: &Names) -> Result<Output, KernelError> {
    use tokio::io::AsyncWriteExt;
    let fail = |e: std::io::Error| KernelError::Io(format!("ip netns exec {kernel} {}: {e}", argv.join(" ")));
    let mut child = command(kernel, argv)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(fail)?;
    if let Some(mut pipe) = child.stdin.take() {
        pipe.write_all(input).await.map_err(fail)?;
    }
    let out = child.wait_with_output().await.map_err(fail)?;
    let lines = |b: &[u8]| -> Vec<String> { String::from_utf8_lossy(b).lines().map(|l| names.rewrite(l)).collect() };
    Ok(Output { stdout: lines(&out.stdout), stderr: lines(&out.stderr), status: out.status.code().unwrap_or(128) })
}

/// A process started in the background of the run.
#[derive(Debug)]
pub struct Proc {
    /// Its PID.
    pub pid: u32,
    /// Its exit status, once it has one.
    pub status: watch::Receiver<Option<i32>>,
    /// Its stdin, held open as a terminal's would be (never at EOF).
    stdin: Option<tokio::process::ChildStdin>,
    /// Whether it has had its Ctrl-C.
    interrupted: std::sync::atomic::AtomicBool,
}

impl Proc {
    /// True while it runs.
    pub fn running(&self) -> bool {
        self.status.borrow().is_none()
    }

    /// Types a line into its terminal.
    pub async fn type_line(&mut self, line: &str) {
        use tokio::io::AsyncWriteExt;
        if let Some(p) = self.stdin.as_mut() {
            let _ = p.write_all(format!("{line}\n").as_bytes()).await;
            let _ = p.flush().await;
        }
    }

    /// True once it has been sent SIGINT.
    pub fn interrupted(&self) -> bool {
        self.interrupted.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Sends SIGINT, as Ctrl-C in its terminal would.
    pub fn interrupt(&self) {
        self.interrupted.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Ok(pid) = i32::try_from(self.pid) {
            let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), nix::sys::signal::Signal::SIGINT);
        }
    }

    /// Sends SIGKILL.
    pub fn kill(&self) {
        if let Ok(pid) = i32::try_from(self.pid) {
            let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), nix::sys::signal::Signal::SIGKILL);
        }
    }

    /// Waits (in real time) until it exits or `limit` passes; its status if it exited.
    pub async fn wait(&mut self, limit: std::time::Duration) -> Option<i32> {
        let r = tokio::time::timeout(limit, self.status.wait_for(Option::is_some)).await;
        match r {
            Ok(Ok(s)) => *s,
            _ => None,
        }
    }
}

/// Starts `argv` inside `kernel`; its lines go to `rec` as namespace `ns`'s (the
/// scenario's name, empty for the root), with its PID. `stdin`,
/// if given, is written to it and then closed (`echo LINE | …`).
pub fn spawn(
    kernel: &str,
    argv: &[String],
    stdin: Option<Vec<u8>>,
    ns: &NsName,
    rec: &Arc<Recorder>,
    names: &Names,
) -> Result<Proc, KernelError> {
    // As in a terminal: stdout and stderr interleaved in the order written (one pipe),
    // stdin open. `sh` and `stdbuf` exec, so the PID is the tool's.
    let mut cmd = tokio::process::Command::new("ip");
    cmd.args(["netns", "exec", kernel])
        .args(DIE_WITH_US)
        .args(["sh", "-c", "exec stdbuf -oL -eL \"$@\" 2>&1", "sh"])
        .args(argv);
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| KernelError::Io(format!("ip netns exec {kernel} {}: {e}", argv.join(" "))))?;
    let pid = child.id().unwrap_or(0);
    let mut held = child.stdin.take();
    if let Some(data) = stdin
        && let Some(mut pipe) = held.take()
    {
        tokio::spawn(async move {
            use tokio::io::AsyncWriteExt;
            let _ = pipe.write_all(&data).await;
            let _ = pipe.shutdown().await;
        });
    }
    let mut readers = Vec::new();
    let out =
        child.stdout.take().map(|s| (Box::new(s) as Box<dyn tokio::io::AsyncRead + Unpin + Send>, Stream::Stdout));
    let err =
        child.stderr.take().map(|s| (Box::new(s) as Box<dyn tokio::io::AsyncRead + Unpin + Send>, Stream::Stderr));
    for (pipe, stream) in [out, err].into_iter().flatten() {
        let (rec, ns) = (rec.clone(), ns.clone());
        let names = names.clone();
        readers.push(tokio::spawn(async move {
            let mut lines = BufReader::new(pipe).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                let line = names.rewrite(&line);
                rec.push(|at| Record::Output { at, ns: ns.clone(), pid, stream, line });
            }
        }));
    }
    let (tx, rx) = watch::channel(None);
    let (rec, ns) = (rec.clone(), ns.clone());
    tokio::spawn(async move {
        let status = child.wait().await.ok().and_then(|s| s.code().or_else(|| signal_status(&s))).unwrap_or(128);
        // A daemon it forked may hold the pipes: do not wait on them for ever.
        for r in readers {
            let _ = tokio::time::timeout(std::time::Duration::from_secs(1), r).await;
        }
        rec.push(|at| Record::Exit { at, ns, pid, status });
        let _ = tx.send(Some(status));
    });
    Ok(Proc { pid, status: rx, stdin: held, interrupted: Default::default() })
}

fn signal_status(s: &std::process::ExitStatus) -> Option<i32> {
    use std::os::unix::process::ExitStatusExt;
    s.signal().map(|n| 128 + n)
}
