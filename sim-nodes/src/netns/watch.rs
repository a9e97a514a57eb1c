//! Captures a program waits on: `tcpdump -c N` ends when its capture has kept N frames.
//!
//! Owns the namespace's list of (program, capture) watches; `Netns::settle` looks at it
//! after each event and calls the program (its `on_timeout`) once its capture stopped. It
//! must not know what the program is.

use super::Netns;
use sim_core::{CaptureId, Context};

impl Netns {
    /// Program `pid` wants to hear when capture `id` stops by itself.
    pub(crate) fn watch_capture(&mut self, pid: u32, id: CaptureId) {
        self.watches.push((pid, id));
    }

    /// Calls each program whose watched capture stopped, in the order they asked.
    pub(crate) fn check_watches(&mut self, cx: &mut Context<'_>) {
        while let Some(k) = self.watches.iter().position(|(_, id)| !cx.capture_active(*id)) {
            let (pid, _) = self.watches.remove(k);
            self.call(cx, pid, |p, sys| p.on_timeout(sys));
        }
    }
}
