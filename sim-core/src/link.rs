//! Links: what joins two ports (a veth pair).
//!
//! A link carries frames both ways after a fixed one-way delay, refuses a frame larger than
//! its MTU, and drops everything while it is down (how a veth with one end down behaves).
//! It models nothing else: delay, jitter, loss and rate a user sets are qdiscs on a
//! device's transmit side (`tc … netem|tbf|htb`, in `sim-nodes`' `tc` module), one layer
//! per qdisc, as on Linux.

use crate::node::{NodeId, PortId};
use crate::time::{Duration, Instant};
use serde::{Deserialize, Serialize};

/// One-way delay of a link unless configured: a veth hop in the kernel takes a few
/// microseconds; 10 µs keeps ping's RTTs in the range a real machine prints.
pub const DEFAULT_DELAY: Duration = Duration::from_micros(10);

/// A link's fixed properties.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LinkConfig {
    /// One-way propagation delay.
    pub delay: Duration,
    /// Largest frame payload (bytes after the Ethernet header) the link carries.
    pub mtu: u32,
}

impl Default for LinkConfig {
    fn default() -> Self {
        LinkConfig { delay: DEFAULT_DELAY, mtu: 65535 }
    }
}

/// A handle to a link.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct LinkId(pub u32);

/// One end of a link.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct LinkEnd {
    /// The node holding this end.
    pub node: NodeId,
    /// The port on that node.
    pub port: PortId,
}

/// Why a link refused a frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkDrop {
    /// The link is down.
    Down,
    /// The frame is larger than the link's MTU allows.
    TooBig,
}

impl LinkDrop {
    /// The reason as the trace records it.
    pub fn reason(self) -> &'static str {
        match self {
            LinkDrop::Down => "link down",
            LinkDrop::TooBig => "frame larger than link mtu",
        }
    }
}

/// A link's state.
#[derive(Clone, Debug)]
pub struct Link {
    /// The two ends.
    pub ends: [LinkEnd; 2],
    /// Delay and MTU.
    pub config: LinkConfig,
    /// Whether frames pass at all.
    pub up: bool,
}

impl Link {
    /// A new, up link.
    pub fn new(a: LinkEnd, b: LinkEnd, config: LinkConfig) -> Self {
        Link { ends: [a, b], config, up: true }
    }

    /// When a frame of `len` bytes sent now arrives at the other end, or why it does not.
    pub fn schedule(&self, now: Instant, len: usize) -> Result<Instant, LinkDrop> {
        if !self.up {
            return Err(LinkDrop::Down);
        }
        if len > self.config.mtu as usize + 14 {
            return Err(LinkDrop::TooBig);
        }
        Ok(now + self.config.delay)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn end(n: u32) -> LinkEnd {
        LinkEnd { node: NodeId(n), port: PortId(1) }
    }

    #[test]
    fn down_and_mtu() {
        let mut l = Link::new(end(0), end(1), LinkConfig { mtu: 1500, ..Default::default() });
        assert_eq!(l.schedule(Instant::ZERO, 1514), Ok(Instant::ZERO + DEFAULT_DELAY));
        assert_eq!(l.schedule(Instant::ZERO, 1515), Err(LinkDrop::TooBig));
        l.up = false;
        assert_eq!(l.schedule(Instant::ZERO, 60), Err(LinkDrop::Down));
    }
}
