//! `tcpdump -i IF [FILTER]`: a capture that lives as a process.
//!
//! The frames themselves are trace records made by the engine's tap; this process prints
//! what tcpdump 4.99 prints around them — the two stderr lines when it starts and the three
//! counters when it is interrupted — and stops its capture. `-w FILE` prints one
//! `listening on` line and no frame lines.

use super::Sys;
use sim_core::CaptureId;

/// A running tcpdump.
#[derive(Debug)]
pub struct Tcpdump {
    capture: CaptureId,
    iface: String,
    writes_file: bool,
}

impl Tcpdump {
    /// A tcpdump reading `capture` on `iface`.
    pub fn new(capture: CaptureId, iface: &str, writes_file: bool) -> Self {
        Tcpdump { capture, iface: iface.to_string(), writes_file }
    }

    /// The capture it reads.
    pub fn capture(&self) -> CaptureId {
        self.capture
    }

    pub(crate) fn start(&mut self, sys: &mut Sys<'_, '_, '_>) {
        let listening =
            format!("listening on {}, link-type EN10MB (Ethernet), snapshot length 262144 bytes", self.iface);
        if self.writes_file {
            sys.stderr(format!("tcpdump: {listening}"));
        } else {
            sys.stderr("tcpdump: verbose output suppressed, use -v[v]... for full protocol decode");
            sys.stderr(listening);
        }
    }

    pub(crate) fn interrupt(&mut self, sys: &mut Sys<'_, '_, '_>) {
        let n = sys.cx.capture_count(self.capture);
        sys.cx.stop_capture(self.capture);
        let s = if n == 1 { "" } else { "s" };
        sys.stderr(format!("{n} packet{s} captured"));
        sys.stderr(format!("{n} packet{s} received by filter"));
        sys.stderr("0 packets dropped by kernel");
        sys.exit(0);
    }
}
