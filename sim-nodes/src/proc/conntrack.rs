//! `conntrack -E [-f ipv4|ipv6] [-p PROTO]`: prints the namespace's conntrack events as they happen, as
//! conntrack-tools 1.4.7 does, and how many it showed when interrupted. It reads them from
//! a conntrack event socket (`NFNLGRP_CONNTRACK_*`).

use super::{Meta, Program, SocketId, SocketKind, Sys};
use crate::netfilter::CONNTRACK_VERSION;
use crate::netfilter::conntrack::event_line;

/// A running `conntrack -E`.
#[derive(Debug)]
pub struct ConntrackEvents {
    family: Option<crate::netfilter::Family>,
    proto: Option<u8>,
    shown: u64,
    rbuf: Vec<u8>,
}

impl ConntrackEvents {
    /// Follows events of `family` and protocol `proto` (all when `None`).
    pub fn new(family: Option<crate::netfilter::Family>, proto: Option<u8>) -> Self {
        ConntrackEvents { family, proto, shown: 0, rbuf: Vec::new() }
    }
}

impl Program for ConntrackEvents {
    fn name(&self) -> &'static str {
        "conntrack"
    }
    fn start(&mut self, sys: &mut Sys<'_, '_, '_>) {
        sys.socket(SocketKind::ConntrackEvents);
    }
    fn on_ready(&mut self, sys: &mut Sys<'_, '_, '_>, sock: SocketId) {
        while let Some(m) = sys.recv(sock, &mut self.rbuf) {
            if let Meta::Conntrack { ev, entry } = m
                && self.proto.is_none_or(|p| p == entry.orig.proto)
                && self.family.is_none_or(|f| f == crate::netfilter::Family::of(entry.orig.src))
            {
                self.shown += 1;
                sys.stdout(event_line(ev, &entry));
            }
        }
    }
    fn interrupt(&mut self, sys: &mut Sys<'_, '_, '_>) {
        // Plural whatever the number, as conntrack-tools prints it.
        sys.stderr(format!("{CONNTRACK_VERSION}: {} flow events have been shown.", self.shown));
        sys.exit(0);
    }
    crate::proc::any_program!();
}
