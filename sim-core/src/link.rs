//! Links: what joins two ports (a veth pair), with its impairments as layers.
//!
//! A link carries frames both ways. Each direction has its own transmit queue when a rate
//! is set; delay, loss and the MTU apply on top (as smoltcp's `FaultInjector` wraps a
//! device). A link that is down drops everything, which is how a veth with one end down
//! behaves.

use crate::node::{NodeId, PortId};
use crate::time::{Duration, Instant};
use serde::{Deserialize, Serialize};

/// One-way delay of a link unless configured: a veth hop in the kernel takes a few
/// microseconds; 10 µs keeps ping's RTTs in the range a real machine prints.
pub const DEFAULT_DELAY: Duration = Duration::from_micros(10);

/// A link's impairments.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LinkConfig {
    /// One-way propagation delay.
    pub delay: Duration,
    /// Bits per second each way; 0 means unlimited (no serialisation delay, no queue).
    pub rate_bps: u64,
    /// Frames lost per million, drawn from the link's own seeded stream.
    pub loss_ppm: u32,
    /// Largest frame payload (bytes after the Ethernet header) the link carries.
    pub mtu: u32,
    /// Frames that may wait for the wire each way when a rate is set; 0 means unbounded.
    pub queue_frames: u32,
}

impl Default for LinkConfig {
    fn default() -> Self {
        LinkConfig { delay: DEFAULT_DELAY, rate_bps: 0, loss_ppm: 0, mtu: 65535, queue_frames: 0 }
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
    /// The transmit queue is full.
    QueueFull,
    /// Random loss.
    Loss,
}

impl LinkDrop {
    /// The reason as the trace records it.
    pub fn reason(self) -> &'static str {
        match self {
            LinkDrop::Down => "link down",
            LinkDrop::TooBig => "frame larger than link mtu",
            LinkDrop::QueueFull => "link queue full",
            LinkDrop::Loss => "link loss",
        }
    }
}

/// A link's state.
#[derive(Clone, Debug)]
pub struct Link {
    /// The two ends.
    pub ends: [LinkEnd; 2],
    /// Impairments.
    pub config: LinkConfig,
    /// Whether frames pass at all.
    pub up: bool,
    busy_until: [Instant; 2],
}

impl Link {
    /// A new, up link.
    pub fn new(a: LinkEnd, b: LinkEnd, config: LinkConfig) -> Self {
        Link { ends: [a, b], config, up: true, busy_until: [Instant::ZERO; 2] }
    }

    /// When a frame of `len` bytes sent now from end `side` arrives at the other end, or why
    /// it does not. `lost` is the outcome of the loss draw, made by the caller only when
    /// `loss_ppm > 0`.
    pub fn schedule(&mut self, side: usize, now: Instant, len: usize, lost: bool) -> Result<Instant, LinkDrop> {
        if !self.up {
            return Err(LinkDrop::Down);
        }
        if len > self.config.mtu as usize + 14 {
            return Err(LinkDrop::TooBig);
        }
        let mut depart = now;
        if let Some(ns) = (len as u64 * 8).saturating_mul(1_000_000_000).checked_div(self.config.rate_bps) {
            let tx = Duration::from_nanos(ns);
            let start = self.busy_until[side].max(now);
            if self.config.queue_frames > 0 && tx.as_nanos() > 0 {
                // Frames still ahead of this one, the one on the wire included.
                let ahead = (start - now).as_nanos().div_ceil(tx.as_nanos());
                if ahead > u64::from(self.config.queue_frames) {
                    return Err(LinkDrop::QueueFull);
                }
            }
            depart = start + tx;
            self.busy_until[side] = depart;
        }
        if lost {
            return Err(LinkDrop::Loss);
        }
        Ok(depart + self.config.delay)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn end(n: u32) -> LinkEnd {
        LinkEnd { node: NodeId(n), port: PortId(1) }
    }

    #[test]
    fn rate_serialises_and_queue_bounds() {
        let cfg =
            LinkConfig { delay: Duration::from_micros(5), rate_bps: 8_000_000, queue_frames: 2, ..Default::default() };
        let mut l = Link::new(end(0), end(1), cfg);
        let t0 = Instant::ZERO;
        // 1000 bytes at 8 Mbit/s = 1 ms on the wire.
        assert_eq!(l.schedule(0, t0, 1000, false), Ok(Instant::from_nanos(1_005_000)));
        assert_eq!(l.schedule(0, t0, 1000, false), Ok(Instant::from_nanos(2_005_000)));
        assert_eq!(l.schedule(0, t0, 1000, false), Ok(Instant::from_nanos(3_005_000)));
        assert_eq!(l.schedule(0, t0, 1000, false), Err(LinkDrop::QueueFull));
        // The other direction has its own queue.
        assert_eq!(l.schedule(1, t0, 1000, false), Ok(Instant::from_nanos(1_005_000)));
    }

    #[test]
    fn down_and_mtu() {
        let mut l = Link::new(end(0), end(1), LinkConfig { mtu: 1500, ..Default::default() });
        assert!(l.schedule(0, Instant::ZERO, 1514, false).is_ok());
        assert_eq!(l.schedule(0, Instant::ZERO, 1515, false), Err(LinkDrop::TooBig));
        l.up = false;
        assert_eq!(l.schedule(0, Instant::ZERO, 60, false), Err(LinkDrop::Down));
    }
}
