//! `tcpdump [-c N] [-v] -i IF|any [FILTER]`: a capture that lives as a process.
//!
//! The frames themselves are trace records made by the engine's tap; this process prints
//! what tcpdump 4.99 prints around them — the two stderr lines when it starts and the three
//! counters when it is interrupted, or with `-c N` when its capture kept N frames and
//! stopped by itself (then it exits 0) — and stops its capture. `-w FILE` prints one
//! `listening on` line and no frame lines.

use super::{Program, Sys};
use sim_core::CaptureId;
use sim_core::tcpdump::{end_lines, start_lines};

/// A running tcpdump.
#[derive(Debug)]
pub struct Tcpdump {
    capture: CaptureId,
    iface: String,
    writes_file: bool,
    /// `-c N`: its capture stops by itself after N frames.
    count: Option<u64>,
    /// `-v`: it does not say that verbose output is suppressed.
    verbose: bool,
}

impl Tcpdump {
    /// A tcpdump reading `capture` on `iface`.
    pub fn new(capture: CaptureId, iface: &str, writes_file: bool) -> Self {
        Tcpdump { capture, iface: iface.to_string(), writes_file, count: None, verbose: false }
    }

    /// `-v`: its frames print in full (the renderer's business) and it starts without
    /// suggesting `-v`.
    pub fn verbose(mut self, on: bool) -> Self {
        self.verbose = on;
        self
    }

    /// `-c N`: it ends by itself once its capture (limited to N by the caller) stopped.
    pub fn with_count(mut self, n: u64) -> Self {
        self.count = Some(n);
        self
    }

    /// The capture it reads.
    pub fn capture(&self) -> CaptureId {
        self.capture
    }
}

impl Program for Tcpdump {
    fn name(&self) -> &'static str {
        "tcpdump"
    }
    fn start(&mut self, sys: &mut Sys<'_, '_, '_>) {
        for l in start_lines(&self.iface, self.writes_file, self.verbose) {
            sys.stderr(l);
        }
        if self.count.is_some() {
            sys.watch_capture(self.capture);
        }
    }
    fn on_timeout(&mut self, sys: &mut Sys<'_, '_, '_>) {
        // Its capture kept its count: tcpdump prints its counters and ends.
        if self.count.is_some() && !sys.capture_active(self.capture) {
            self.interrupt(sys);
        }
    }
    fn interrupt(&mut self, sys: &mut Sys<'_, '_, '_>) {
        let (captured, received) = sys.capture_stop(self.capture);
        for l in end_lines(captured, received) {
            sys.stderr(l);
        }
        sys.exit(0);
    }
    crate::proc::any_program!();
}
