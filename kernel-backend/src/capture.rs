//! Captures: an AF_PACKET socket per captured interface, opened in-process on a thread
//! inside the interface's namespace, feeding the same frame records the sim's taps make.
//!
//! The filter is the sim's own (`sim_core::Filter`, tcpdump's syntax), applied to each
//! frame as tcpdump's BPF program would; the lines around the frames (`listening on …`, the
//! counts at the end) are the sim tcpdump process's, so both back ends print alike. A
//! frame whose source MAC is the interface's own is outgoing.

use crate::exec::Recorder;
use crate::{KernelError, netns};
use sim_core::capture::Direction;
use sim_core::{CaptureId, Filter, NsName, Record, Stream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// A running capture.
#[derive(Debug)]
pub struct Capture {
    stop: Arc<AtomicBool>,
    count: Arc<AtomicU64>,
    /// Flushes asked for, and the last one done: a read that found the socket empty
    /// after flush `n` was asked for completes it.
    asked: Arc<AtomicU64>,
    done: Arc<AtomicU64>,
    /// It kept its count (`-c N`) and ended by itself.
    finished: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// `tcpdump -c N`: after N frames the capture ends by itself, recording tcpdump's
/// counters and its exit as the process `pid` of namespace `ns`.
#[derive(Clone, Debug)]
pub struct Ending {
    /// N.
    pub count: u64,
    /// The namespace the lines belong to.
    pub ns: NsName,
    /// The capture's process id in the records.
    pub pid: u32,
}

impl Capture {
    /// Starts capturing on `iface` in namespace `kernel`; returns once the socket is open.
    pub fn start(
        kernel: &str,
        iface: &str,
        filter: Filter,
        id: CaptureId,
        rec: &Arc<Recorder>,
        ending: Option<Ending>,
    ) -> Result<Result<Capture, String>, KernelError> {
        let file = std::fs::File::open(netns::path(kernel)).map_err(|e| KernelError::Io(format!("{kernel}: {e}")))?;
        let stop = Arc::new(AtomicBool::new(false));
        let count = Arc::new(AtomicU64::new(0));
        let (ready_tx, ready_rx) = std::sync::mpsc::channel::<Result<(), String>>();
        let (asked, done) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
        let (stop2, count2, rec, iface) = (stop.clone(), count.clone(), rec.clone(), iface.to_string());
        let (asked2, done2) = (asked.clone(), done.clone());
        let finished = Arc::new(AtomicBool::new(false));
        let finished2 = finished.clone();
        let thread = std::thread::spawn(move || {
            if let Err(e) = nix::sched::setns(&file, nix::sched::CloneFlags::CLONE_NEWNET) {
                let _ = ready_tx.send(Err(format!("setns: {e}")));
                return;
            }
            let Some(ni) = pnet_datalink::interfaces().into_iter().find(|i| i.name == iface) else {
                let _ = ready_tx.send(Err(format!("tcpdump: {iface}: No such device exists")));
                return;
            };
            let own = ni.mac.map(|m| m.octets());
            let cfg = pnet_datalink::Config {
                read_timeout: Some(std::time::Duration::from_millis(20)),
                read_buffer_size: 65536,
                ..Default::default()
            };
            let mut rx = match pnet_datalink::channel(&ni, cfg) {
                Ok(pnet_datalink::Channel::Ethernet(_, rx)) => rx,
                Ok(_) => {
                    let _ = ready_tx.send(Err("tcpdump: not an Ethernet channel".into()));
                    return;
                }
                Err(e) => {
                    let _ = ready_tx.send(Err(format!("tcpdump: {iface}: {e}")));
                    return;
                }
            };
            let _ = ready_tx.send(Ok(()));
            // Once told to stop, it still takes what the socket already holds (a frame the
            // kernel queued before the stop, not yet read: under load the reader lags), and
            // stops at the first read that finds nothing — as a person's Ctrl-C comes long
            // after the last frame was printed.
            // (A flood that never lets a read come back empty is cut off 200 ms after the stop.)
            let mut stopped_at: Option<std::time::Instant> = None;
            loop {
                if stopped_at.is_none() && stop2.load(Ordering::Relaxed) {
                    stopped_at = Some(std::time::Instant::now());
                }
                if stopped_at.is_some_and(|t| t.elapsed() > std::time::Duration::from_millis(200)) {
                    break;
                }
                let asked_before = asked2.load(Ordering::Acquire);
                let frame = match rx.next() {
                    Ok(f) => f,
                    Err(_) if asked_before > done2.load(Ordering::Acquire) => {
                        done2.store(asked_before, Ordering::Release);
                        continue;
                    }
                    Err(_) if stopped_at.is_some() || stop2.load(Ordering::Relaxed) => break,
                    Err(_) => continue,
                };
                if !filter.matches(frame) {
                    continue;
                }
                let dir =
                    if own.is_some_and(|m| frame.get(6..12) == Some(&m[..])) { Direction::Out } else { Direction::In };
                let n = count2.fetch_add(1, Ordering::Relaxed) + 1;
                let bytes = frame.to_vec();
                rec.push(|at| Record::Frame { at, capture: id, dir, bytes });
                if let Some(e) = ending.as_ref().filter(|e| n >= e.count) {
                    for line in sim_core::tcpdump::end_lines(n) {
                        rec.push(|at| Record::Output {
                            at,
                            ns: e.ns.clone(),
                            pid: e.pid,
                            stream: Stream::Stderr,
                            line,
                        });
                    }
                    rec.push(|at| Record::Exit { at, ns: e.ns.clone(), pid: e.pid, status: 0 });
                    finished2.store(true, Ordering::Release);
                    break;
                }
            }
        });
        match ready_rx.recv() {
            Ok(Ok(())) => Ok(Ok(Capture { stop, count, asked, done, finished, thread: Some(thread) })),
            Ok(Err(e)) => {
                let _ = thread.join();
                Ok(Err(e))
            }
            Err(_) => Err(KernelError::Io("capture thread ended before it started".into())),
        }
    }

    /// True once it kept its count and ended by itself (its lines and exit recorded).
    pub fn finished(&self) -> bool {
        self.finished.load(Ordering::Acquire)
    }

    /// Frames captured so far.
    pub fn count(&self) -> u64 {
        self.count.load(Ordering::Relaxed)
    }

    /// Waits until every frame the socket held when this was called is recorded (a read
    /// began after the call and found the socket empty), at most `limit` (a flood may
    /// never leave it empty).
    pub fn flush(&self, limit: std::time::Duration) {
        let n = self.asked.fetch_add(1, Ordering::AcqRel) + 1;
        let until = std::time::Instant::now() + limit;
        while self.done.load(Ordering::Acquire) < n && self.thread.as_ref().is_some_and(|t| !t.is_finished()) {
            if std::time::Instant::now() > until {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
    }

    /// Stops the capture and waits for its thread; returns how many frames it saw.
    pub fn stop(&mut self) -> u64 {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        self.count()
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        self.stop();
    }
}
