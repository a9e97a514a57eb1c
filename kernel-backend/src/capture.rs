//! Captures: an AF_PACKET socket per captured interface, opened in-process on a thread
//! inside the interface's namespace, feeding the same frame records the sim's taps make.
//!
//! The filter is the sim's own (`sim_core::Filter`, tcpdump's syntax), applied to each
//! frame as tcpdump's BPF program would; the lines around the frames (`listening on …`, the
//! counts at the end) are the sim tcpdump process's, so both back ends print alike. A
//! frame whose source MAC is the interface's own is outgoing. On `any` the socket is bound
//! to no interface and `recvfrom` tells the interface and the packet type of each frame, as
//! libpcap's cooked capture reads them; `lo`'s outgoing copies are counted, not kept.

use crate::exec::Recorder;
use crate::{KernelError, netns};
use sim_core::capture::{Direction, pkttype};
use sim_core::{CaptureId, Cooked, Filter, NsName, Record, Stream};
use std::os::fd::{AsRawFd, OwnedFd};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// A running capture.
#[derive(Debug)]
pub struct Capture {
    stop: Arc<AtomicBool>,
    count: Arc<AtomicU64>,
    /// Frames the filter passed, kept or not (tcpdump's "received by filter").
    received: Arc<AtomicU64>,
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
        if iface == "any"
            && let Some(why) = filter.cooked_error()
        {
            return Ok(Err(format!("{}\ntcpdump: {why}", sim_core::tcpdump::ANY_LINK_LINE)));
        }
        let file = std::fs::File::open(netns::path(kernel)).map_err(|e| KernelError::Io(format!("{kernel}: {e}")))?;
        let stop = Arc::new(AtomicBool::new(false));
        let count = Arc::new(AtomicU64::new(0));
        let received = Arc::new(AtomicU64::new(0));
        let received2 = received.clone();
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
            let mut src = match Source::open(&iface) {
                Ok(s) => s,
                Err(e) => {
                    let _ = ready_tx.send(Err(e));
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
                let seen = match src.next() {
                    Some(s) => s,
                    None if asked_before > done2.load(Ordering::Acquire) => {
                        done2.store(asked_before, Ordering::Release);
                        continue;
                    }
                    None if stopped_at.is_some() || stop2.load(Ordering::Relaxed) => break,
                    None => continue,
                };
                if !filter.matches(src.frame(&seen)) {
                    continue;
                }
                received2.fetch_add(1, Ordering::Relaxed);
                if !seen.kept {
                    continue;
                }
                let n = count2.fetch_add(1, Ordering::Relaxed) + 1;
                let bytes = src.frame(&seen).to_vec();
                let (dir, cooked) = (seen.dir, seen.cooked);
                rec.push(|at| Record::Frame { at, capture: id, dir, bytes, cooked });
                if let Some(e) = ending.as_ref().filter(|e| n >= e.count) {
                    let received = received2.load(Ordering::Relaxed);
                    for line in sim_core::tcpdump::end_lines(n, received) {
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
            Ok(Ok(())) => Ok(Ok(Capture { stop, count, received, asked, done, finished, thread: Some(thread) })),
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

    /// Stops the capture and waits for its thread; returns how many frames it kept and
    /// how many its filter passed.
    pub fn stop(&mut self) -> (u64, u64) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        (self.count(), self.received.load(Ordering::Relaxed))
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A frame read, and what is known of it beyond its bytes.
struct Seen {
    len: usize,
    dir: Direction,
    cooked: Option<Box<Cooked>>,
    /// False for what libpcap reads and drops (`lo`'s outgoing copy on `any`).
    kept: bool,
}

/// Where a capture reads frames: one interface's channel, or a packet socket bound to none.
enum Source {
    Dev { rx: Box<dyn pnet_datalink::DataLinkReceiver>, own: Option<[u8; 6]>, last: Vec<u8> },
    Any { fd: OwnedFd, buf: Vec<u8> },
}

impl Source {
    /// Opens the capture's socket in the calling thread's namespace; tcpdump's error if it
    /// cannot.
    fn open(iface: &str) -> Result<Source, String> {
        if iface == "any" {
            use nix::sys::socket::{AddressFamily, SockFlag, SockProtocol, SockType, setsockopt, socket, sockopt};
            let fd = socket(AddressFamily::Packet, SockType::Raw, SockFlag::SOCK_CLOEXEC, SockProtocol::EthAll)
                .map_err(|e| format!("tcpdump: any: {e}"))?;
            let t = nix::sys::time::TimeVal::new(0, 20_000);
            setsockopt(&fd, sockopt::ReceiveTimeout, &t).map_err(|e| format!("tcpdump: any: {e}"))?;
            return Ok(Source::Any { fd, buf: vec![0; 65536 + 64] });
        }
        let Some(ni) = pnet_datalink::interfaces().into_iter().find(|i| i.name == iface) else {
            return Err(format!("tcpdump: {iface}: No such device exists"));
        };
        // As libpcap: a device that is not up cannot be captured on.
        if !ni.is_up() {
            return Err(format!("tcpdump: {iface}: That device is not up"));
        }
        let own = ni.mac.map(|m| m.octets());
        let cfg = pnet_datalink::Config {
            read_timeout: Some(std::time::Duration::from_millis(20)),
            read_buffer_size: 65536,
            ..Default::default()
        };
        match pnet_datalink::channel(&ni, cfg) {
            Ok(pnet_datalink::Channel::Ethernet(_, rx)) => Ok(Source::Dev { rx, own, last: Vec::new() }),
            Ok(_) => Err("tcpdump: not an Ethernet channel".into()),
            Err(e) => Err(format!("tcpdump: {iface}: {e}")),
        }
    }

    /// The next frame, or `None` when a read timed out (or failed).
    fn next(&mut self) -> Option<Seen> {
        match self {
            Source::Dev { rx, own, last } => {
                let frame = rx.next().ok()?;
                let out = own.is_some_and(|m| frame.get(6..12) == Some(&m[..]));
                last.clear();
                last.extend_from_slice(frame);
                let dir = if out { Direction::Out } else { Direction::In };
                Some(Seen { len: last.len(), dir, cooked: None, kept: true })
            }
            Source::Any { fd, buf } => {
                let (n, addr) = nix::sys::socket::recvfrom::<nix::sys::socket::LinkAddr>(fd.as_raw_fd(), buf).ok()?;
                let addr = addr?;
                let ifindex = addr.ifindex() as u32;
                let ifname = nix::net::if_::if_indextoname(ifindex)
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|_| "?".into());
                let (hatype, pkt) = (addr.hatype(), addr.pkttype());
                // libpcap drops `lo`'s outgoing copy: the packet comes back in.
                let kept = !(pkt == pkttype::OUTGOING && hatype == sim_core::capture::ARPHRD_LOOPBACK);
                let dir = if pkt == pkttype::OUTGOING { Direction::Out } else { Direction::In };
                let cooked = Some(Box::new(Cooked { ifindex, ifname, hatype, pkttype: pkt }));
                Some(Seen { len: n.min(buf.len()), dir, cooked, kept })
            }
        }
    }

    /// The bytes of the frame `seen` (the last one read).
    fn frame(&self, seen: &Seen) -> &[u8] {
        match self {
            Source::Dev { last, .. } => &last[..seen.len],
            Source::Any { buf, .. } => &buf[..seen.len],
        }
    }
}
