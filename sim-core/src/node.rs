//! The sans-IO [`Node`] trait and the [`Context`] a node acts through.
//!
//! A node reacts to `(now, port, frame)` and to its own deadline; it never sleeps, blocks or
//! reads a clock. What it wants done — frames to send, a trace record, output lines — goes
//! through the context, and the engine asks [`Node::poll_timeout`] after every call for the
//! next deadline (quinn-proto's `handle_*` / `poll_*` / `poll_timeout` shape).

use crate::capture::{Direction, PortInfo, Taps};
use crate::guard::Guard;
use crate::rng::NodeRng;
use crate::time::Instant;
use crate::trace::{DropContext, NsName, Record, Stream, Trace};
use serde::Serialize;
use std::any::Any;

/// A device of the topology (a namespace, a bridge …): a small index into the world's arena.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct NodeId(pub u32);

/// A port of a node. For a namespace this is the interface's ifindex.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct PortId(pub u32);

/// A device driven by the engine.
pub trait Node: Any {
    /// A frame arrived on `port`. `frame` is the whole Ethernet frame; it may be malformed.
    fn handle_frame(&mut self, cx: &mut Context<'_>, port: PortId, frame: &[u8]);
    /// The same, with the frame writable: the engine calls this one, with the buffer the
    /// frame crossed the link in, which is the node's to rewrite in place (as a router
    /// decrements a TTL or NAT rewrites an address) and goes back to the pool afterwards.
    /// By default it is [`Node::handle_frame`].
    fn handle_frame_mut(&mut self, cx: &mut Context<'_>, port: PortId, frame: &mut [u8]) {
        self.handle_frame(cx, port, frame);
    }
    /// The deadline returned by [`Node::poll_timeout`] has come (`cx.now()`).
    fn handle_timeout(&mut self, cx: &mut Context<'_>);
    /// The next instant this node wants [`Node::handle_timeout`] called, if any.
    fn poll_timeout(&self) -> Option<Instant>;
    /// The interface at `port`, for a capture on `any` (a node without named interfaces
    /// answers `None`, and such captures see nothing there).
    fn port_info(&self, port: PortId) -> Option<PortInfo> {
        let _ = port;
        None
    }
}

/// A reusable stock of frame buffers, so steady-state delivery allocates nothing.
#[derive(Default)]
pub struct FramePool {
    free: Vec<Vec<u8>>,
}

impl FramePool {
    const KEEP: usize = 4096;

    /// A cleared buffer, recycled when one is available.
    pub fn take(&mut self) -> Vec<u8> {
        // Room for a whole Ethernet frame: the caller builds one of a size not yet known.
        self.take_for(1536)
    }
    /// A cleared buffer for a copy of a `len`-byte frame: a recycled one when one is
    /// available, else one of just that size (a flood of small frames — a multicast
    /// report to a bridge of 1e4 ports — queues 1e4 copies at once: each holds its
    /// frame, not a full-sized buffer).
    pub fn take_for(&mut self, len: usize) -> Vec<u8> {
        self.free.pop().unwrap_or_else(|| Vec::with_capacity(len))
    }
    /// Returns a buffer for reuse.
    pub fn give(&mut self, mut buf: Vec<u8>) {
        if self.free.len() < Self::KEEP {
            buf.clear();
            self.free.push(buf);
        }
    }
}

/// A frame a node sent, waiting for the end of its call.
pub(crate) struct Outgoing {
    pub(crate) port: PortId,
    pub(crate) buf: Vec<u8>,
    pub(crate) csum_partial: bool,
}

/// What a node may do while the engine calls it.
pub struct Context<'a> {
    pub(crate) now: Instant,
    pub(crate) node: NodeId,
    pub(crate) rng: &'a mut NodeRng,
    pub(crate) outbox: &'a mut Vec<Outgoing>,
    /// The frame being handled came with its L4 checksum vouched for (see
    /// [`Context::send_buffer_csum_partial`]).
    pub(crate) rx_csum_partial: bool,
    pub(crate) pool: &'a mut FramePool,
    pub(crate) trace: &'a mut Trace,
    pub(crate) taps: &'a mut Taps,
    pub(crate) guard: &'a mut Guard,
}

impl<'a> Context<'a> {
    /// The current virtual time.
    pub fn now(&self) -> Instant {
        self.now
    }
    /// The node being called.
    pub fn node(&self) -> NodeId {
        self.node
    }
    /// This node's random stream.
    pub fn rng(&mut self) -> &mut NodeRng {
        self.rng
    }
    /// Sends a copy of `frame` out of `port` (onto the link attached there).
    pub fn send(&mut self, port: PortId, frame: &[u8]) {
        let mut buf = self.pool.take_for(frame.len());
        buf.extend_from_slice(frame);
        self.outbox.push(Outgoing { port, buf, csum_partial: false });
    }
    /// A cleared buffer from the world's pool, to build a frame in and hand over with
    /// [`send_buffer`](Self::send_buffer) (no copy; nothing allocated once the pool is warm).
    pub fn buffer(&mut self) -> Vec<u8> {
        self.pool.take()
    }
    /// Gives a buffer from [`buffer`](Self::buffer) back unsent.
    pub fn recycle(&mut self, buf: Vec<u8>) {
        self.pool.give(buf);
    }
    /// Sends `frame` out of `port`, taking the buffer (best one from [`buffer`](Self::buffer)).
    pub fn send_buffer(&mut self, port: PortId, frame: Vec<u8>) {
        self.outbox.push(Outgoing { port, buf: frame, csum_partial: false });
    }
    /// [`send_buffer`](Self::send_buffer) for a frame whose L4 checksum its sender's stack
    /// vouches for: Linux's `CHECKSUM_PARTIAL`, which a local TCP or UDP segment keeps on a
    /// veth and through forwarding, so that no receiver verifies it (neither the socket
    /// layer nor conntrack's `nf_conntrack_checksum`). The sim writes the whole checksum
    /// anyway; the mark only spares the receivers a sum.
    pub fn send_buffer_csum_partial(&mut self, port: PortId, frame: Vec<u8>) {
        self.outbox.push(Outgoing { port, buf: frame, csum_partial: true });
    }
    /// True when the frame being handled was sent with
    /// [`send_buffer_csum_partial`](Self::send_buffer_csum_partial) (false outside
    /// [`Node::handle_frame`]).
    pub fn rx_csum_partial(&self) -> bool {
        self.rx_csum_partial
    }
    /// Records `frame` as seen on a port that has no link of its own (a bridge device,
    /// loopback): captures on that port see it, exactly as on a linked port; `info` names
    /// the port for a capture on `any`.
    pub fn capture(&mut self, port: PortId, dir: Direction, frame: &[u8], info: impl FnOnce() -> Option<PortInfo>) {
        self.taps.record(self.trace, self.now, self.node, port, dir, frame, info);
    }
    /// True when some capture listens on `port` (lets a node skip building a frame that
    /// only a capture would see).
    pub fn is_tapped(&self, port: PortId) -> bool {
        self.taps.is_tapped(self.node, port)
    }
    /// Frames a capture has kept so far.
    pub fn capture_count(&self, id: crate::capture::CaptureId) -> u64 {
        self.taps.get(id).map_or(0, |c| c.matched)
    }
    /// Frames a capture's filter passed so far, kept or not (tcpdump's "received by
    /// filter").
    pub fn capture_received(&self, id: crate::capture::CaptureId) -> u64 {
        self.taps.get(id).map_or(0, |c| c.received)
    }
    /// True while a capture runs (a limited one stops by itself).
    pub fn capture_active(&self, id: crate::capture::CaptureId) -> bool {
        self.taps.get(id).is_some_and(|c| c.active)
    }
    /// Stops a capture.
    pub fn stop_capture(&mut self, id: crate::capture::CaptureId) {
        self.taps.stop(id);
    }
    /// Records that a frame or packet was dropped, and why.
    pub fn drop_frame(&mut self, port: Option<PortId>, reason: &'static str) {
        self.trace.record_drop(self.now, self.node, port, reason, || None);
    }
    /// Records that a packet was dropped, why, and what explains it: `context` is called only
    /// when the drop is recorded one by one (see [`crate::trace`]), so a flood of drops
    /// builds nothing.
    pub fn drop_packet(&mut self, port: Option<PortId>, reason: &'static str, context: impl FnOnce() -> DropContext) {
        self.trace.record_drop(self.now, self.node, port, reason, || Some(context()));
    }
    /// A line of output from process `pid` of namespace `ns` (this node).
    pub fn output(&mut self, ns: &NsName, pid: u32, stream: Stream, line: String) {
        self.trace.push(Record::Output { at: self.now, ns: ns.clone(), pid, stream, line });
    }
    /// Process `pid` of namespace `ns` (this node) exited with `status`.
    pub fn exit(&mut self, ns: &NsName, pid: u32, status: i32) {
        self.trace.push(Record::Exit { at: self.now, ns: ns.clone(), pid, status });
    }
    /// Any other trace record.
    pub fn record(&mut self, record: Record) {
        self.trace.push(record);
    }
    /// Counts one unit of work done inside this call — a packet the node loops back to
    /// itself, another deadline handled in a loop — against the run's event budget, as the
    /// engine counts the events it pops. False once the budget is exhausted: the node must
    /// stop looping and return, and the engine reports why the run stopped.
    pub fn event(&mut self) -> bool {
        self.guard.count(self.now)
    }
}
