//! `conntrack -E [-p PROTO]`: prints the namespace's conntrack events as they happen, as
//! conntrack-tools 1.4.7 does, and how many it showed when interrupted.

use super::Sys;
use crate::netfilter::CONNTRACK_VERSION;
use crate::netfilter::conntrack::{Entry, Event, event_line};

/// A running `conntrack -E`.
#[derive(Debug)]
pub struct ConntrackEvents {
    proto: Option<u8>,
    shown: u64,
}

impl ConntrackEvents {
    /// Follows events of protocol `proto` (all when `None`).
    pub fn new(proto: Option<u8>) -> Self {
        ConntrackEvents { proto, shown: 0 }
    }

    pub(crate) fn event(&mut self, sys: &mut Sys<'_, '_, '_>, ev: Event, e: &Entry) {
        if self.proto.is_some_and(|p| p != e.orig.proto) {
            return;
        }
        self.shown += 1;
        sys.stdout(event_line(ev, e));
    }

    pub(crate) fn interrupt(&mut self, sys: &mut Sys<'_, '_, '_>) {
        // Plural whatever the number, as conntrack-tools prints it.
        sys.stderr(format!("{CONNTRACK_VERSION}: {} flow events have been shown.", self.shown));
        sys.exit(0);
    }
}

impl super::Program for ConntrackEvents {
    fn name(&self) -> &'static str {
        "conntrack"
    }
    fn start(&mut self, sys: &mut Sys<'_, '_, '_>) {
        sys.socket(super::SocketKind::ConntrackEvents);
    }
    fn on_conntrack(&mut self, sys: &mut Sys<'_, '_, '_>, ev: Event, e: &Entry) {
        self.event(sys, ev, e)
    }
    fn interrupt(&mut self, sys: &mut Sys<'_, '_, '_>) {
        ConntrackEvents::interrupt(self, sys)
    }
    crate::proc::any_program!();
}
