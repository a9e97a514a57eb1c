//! The world: the node arena, the topology, the links, the event loop.
//!
//! The world owns virtual time. It pops the earliest event, hands it to its node through a
//! [`Context`], then sends what the node queued and re-arms the node's deadline. It jumps
//! from event to event; nothing ticks. Frames in flight wait in the event queue; each
//! node's one deadline waits in an ordered index beside it, keyed into the same order, so a
//! deadline that moves is moved, never left behind.

use crate::capture::{CaptureId, Direction, Filter, Taps};
use crate::guard::Guard;
pub use crate::guard::{BudgetExhausted, DEFAULT_EVENT_BUDGET, Limit, Limits};
use crate::link::{Link, LinkConfig, LinkEnd, LinkId};
use crate::node::{Context, FramePool, Node, NodeId, Outgoing, PortId};
use crate::rng::{self, NodeRng};
use crate::time::Instant;
use crate::trace::{Record, Trace};
use petgraph::stable_graph::{EdgeIndex, NodeIndex, StableUnGraph};
use std::any::Any;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

enum Event {
    Frame {
        node: NodeId,
        port: PortId,
        buf: Vec<u8>,
        /// Sent `CHECKSUM_PARTIAL` ([`Context::send_buffer_csum_partial`]).
        csum_partial: bool,
    },
    /// A capture of the node's stopped by itself (`tcpdump -c N`): its `handle_timeout`
    /// runs at once, so what waits on the capture hears of it at the same instant.
    Wake { node: NodeId },
}

struct Slot {
    name: String,
    node: Option<Box<dyn Node>>,
    rng: NodeRng,
    /// What the node last asked for: the time it gave, and when and where in the order of
    /// events its timeout is due (`poll_timeout`'s time, not before the instant asked) —
    /// its key in [`World::timers`].
    timer: Option<Wanted>,
    graph_ix: NodeIndex,
    /// `(port, link, side)` sorted by port: a namespace's ports are its ifindexes, which
    /// an interface moved in from another namespace keeps, so they are sparse.
    ports: Vec<(PortId, LinkId, usize)>,
}

impl Slot {
    fn port(&self, port: PortId) -> Result<usize, usize> {
        self.ports.binary_search_by_key(&port, |p| p.0)
    }
}

/// A node's timeout: the time it asked for, and when and where in the order of events it
/// is due.
#[derive(Clone, Copy, PartialEq)]
struct Wanted {
    asked: Instant,
    at: Instant,
    seq: u64,
}

/// What one pending event or timeout costs the queue ceiling, besides a frame's bytes.
const ENTRY: u64 = 64;

/// What a pending event holds, as the queue ceiling counts it: the entry, and a frame's
/// buffer as allocated.
fn cost(ev: &Event) -> u64 {
    match ev {
        Event::Frame { buf, .. } => ENTRY + buf.capacity() as u64,
        Event::Wake { .. } => ENTRY,
    }
}

/// Whether timeout entry `(at, seq, node)` is what its node still wants.
fn timer_is_live(slots: &[Slot], &(at, seq, node): &(Instant, u64, NodeId)) -> bool {
    slots[node.0 as usize].timer.is_some_and(|w| w.at == at && w.seq == seq)
}

/// The simulated world.
pub struct World {
    seed: u64,
    now: Instant,
    queue: crate::queue::EventQueue<Event>,
    /// Each node's timeout by `(time, seq)`, in the same order as the queue's events
    /// (`seq` reserved from the queue), earliest first. A node that moves its deadline
    /// pushes a new entry; the one it replaced is stale (its slot's `timer` no longer names
    /// it) and goes when it reaches the front — the front is always live — or when the
    /// stale ones outnumber the live ones, so few wait (a ping flood moves its deadline on
    /// every packet, and once left hundreds in the event queue).
    timers: BinaryHeap<Reverse<(Instant, u64, NodeId)>>,
    /// How many nodes want a timeout (the live entries of `timers`).
    live_timers: usize,
    slots: Vec<Slot>,
    graph: StableUnGraph<NodeId, LinkId>,
    links: Vec<Option<Link>>,
    /// Each link's edge in `graph`, so removing one finds it without a search.
    edges: Vec<Option<EdgeIndex>>,
    pool: FramePool,
    outbox: Vec<Outgoing>,
    taps: Taps,
    trace: Trace,
    guard: Guard,
    queued_bytes: u64,
}

impl World {
    /// An empty world whose random streams derive from `seed`.
    pub fn new(seed: u64) -> Self {
        World {
            seed,
            now: Instant::ZERO,
            queue: crate::queue::EventQueue::with_capacity(1024),
            timers: BinaryHeap::new(),
            live_timers: 0,
            slots: Vec::new(),
            graph: StableUnGraph::default(),
            links: Vec::new(),
            edges: Vec::new(),
            pool: FramePool::default(),
            outbox: Vec::new(),
            taps: Taps::default(),
            trace: Trace::default(),
            guard: Guard::new(Limits::default()),
            queued_bytes: 0,
        }
    }

    /// The seed of this run.
    pub fn seed(&self) -> u64 {
        self.seed
    }
    /// The current virtual time.
    pub fn now(&self) -> Instant {
        self.now
    }
    /// Events processed so far (those the engine popped and those nodes counted).
    pub fn events_processed(&self) -> u64 {
        self.guard.total()
    }
    /// Sets how many events one second of virtual time may hold before
    /// [`BudgetExhausted`] (see [`crate::guard`]).
    pub fn set_event_budget(&mut self, budget: u64) {
        self.guard.limits.events_per_second = budget;
    }
    /// Why the run was stopped, once one of its guards has tripped.
    pub fn stopped(&self) -> Option<&BudgetExhausted> {
        self.guard.tripped.as_ref()
    }
    /// The guards' limits.
    pub fn limits(&self) -> Limits {
        self.guard.limits
    }
    /// Sets the guards' limits.
    pub fn set_limits(&mut self, limits: Limits) {
        self.guard.limits = limits;
        self.trace.set_drop_records(limits.drop_records);
    }
    /// The trace so far.
    pub fn trace(&self) -> &Trace {
        &self.trace
    }
    /// Takes the trace's records, leaving it none (its counts stay): what a finished run
    /// hands its report without a copy.
    pub fn take_records(&mut self) -> Vec<Record> {
        self.trace.take_records()
    }
    /// Appends a record from outside any node (a command typed, a tool's output).
    pub fn record(&mut self, r: Record) {
        self.trace.push(r);
    }
    /// The topology: nodes are devices, edges are links.
    pub fn graph(&self) -> &StableUnGraph<NodeId, LinkId> {
        &self.graph
    }

    /// Adds a node; its random stream is derived from `(seed, name)`. `make` may draw from
    /// that stream to build the node.
    pub fn add_node<N: Node>(&mut self, name: &str, make: impl FnOnce(&mut NodeRng) -> N) -> NodeId {
        let id = NodeId(self.slots.len() as u32);
        let mut rng = rng::stream(self.seed, name);
        let node = make(&mut rng);
        let graph_ix = self.graph.add_node(id);
        self.slots.push(Slot {
            name: name.to_string(),
            node: Some(Box::new(node)),
            rng,
            timer: None,
            graph_ix,
            ports: Vec::new(),
        });
        self.rearm(id);
        id
    }

    /// Removes a node: its links go with it and events for it are discarded.
    pub fn remove_node(&mut self, id: NodeId) {
        let ports: Vec<_> = self.slots[id.0 as usize].ports.iter().map(|p| p.1).collect();
        for l in ports {
            self.disconnect(l);
        }
        let slot = &mut self.slots[id.0 as usize];
        slot.node = None;
        if slot.timer.take().is_some() {
            self.live_timers -= 1;
            self.queued_bytes -= ENTRY;
        }
        let ix = slot.graph_ix;
        self.clean_timers();
        self.graph.remove_node(ix);
    }

    /// The name a node was added with.
    pub fn node_name(&self, id: NodeId) -> &str {
        &self.slots[id.0 as usize].name
    }

    /// True while the node exists.
    pub fn is_alive(&self, id: NodeId) -> bool {
        self.slots.get(id.0 as usize).is_some_and(|s| s.node.is_some())
    }

    /// Joins two ports with a link.
    pub fn connect(&mut self, a: LinkEnd, b: LinkEnd, config: LinkConfig) -> LinkId {
        let id = LinkId(self.links.len() as u32);
        self.links.push(Some(Link::new(a, b, config)));
        self.attach(a, id, 0);
        self.attach(b, id, 1);
        let (ga, gb) = (self.slots[a.node.0 as usize].graph_ix, self.slots[b.node.0 as usize].graph_ix);
        self.edges.push(Some(self.graph.add_edge(ga, gb, id)));
        id
    }

    fn attach(&mut self, end: LinkEnd, id: LinkId, side: usize) {
        let slot = &mut self.slots[end.node.0 as usize];
        match slot.port(end.port) {
            Ok(i) => slot.ports[i] = (end.port, id, side),
            Err(i) => slot.ports.insert(i, (end.port, id, side)),
        }
    }

    fn detach(&mut self, end: LinkEnd, id: LinkId) {
        if let Some(slot) = self.slots.get_mut(end.node.0 as usize)
            && let Ok(i) = slot.port(end.port)
            && slot.ports[i].1 == id
        {
            slot.ports.remove(i);
        }
    }

    fn remove_edge(&mut self, id: LinkId) {
        // The weight check keeps a freed (and reused) edge slot from being taken for this
        // link's.
        if let Some(e) = self.edges.get_mut(id.0 as usize).and_then(Option::take)
            && self.graph.edge_weight(e) == Some(&id)
        {
            self.graph.remove_edge(e);
        }
    }

    /// Removes a link; frames already in flight still arrive.
    pub fn disconnect(&mut self, id: LinkId) {
        let Some(link) = self.links.get_mut(id.0 as usize).and_then(Option::take) else { return };
        for end in link.ends {
            self.detach(end, id);
        }
        self.remove_edge(id);
    }

    /// Moves one end of a link to another port (an interface moved to another namespace).
    pub fn move_end(&mut self, id: LinkId, from: LinkEnd, to: LinkEnd) {
        let Some(link) = self.links.get_mut(id.0 as usize).and_then(Option::as_mut) else { return };
        let Some(side) = link.ends.iter().position(|e| *e == from) else { return };
        link.ends[side] = to;
        let other = link.ends[1 - side];
        self.detach(from, id);
        self.attach(to, id, side);
        self.remove_edge(id);
        let (ga, gb) = (self.slots[to.node.0 as usize].graph_ix, self.slots[other.node.0 as usize].graph_ix);
        self.edges[id.0 as usize] = Some(self.graph.add_edge(ga, gb, id));
    }

    /// A link's state.
    pub fn link(&self, id: LinkId) -> Option<&Link> {
        self.links.get(id.0 as usize)?.as_ref()
    }
    /// A link's state, to change it (up/down).
    pub fn link_mut(&mut self, id: LinkId) -> Option<&mut Link> {
        self.links.get_mut(id.0 as usize)?.as_mut()
    }
    /// The link attached to a port, and which side of it the port is.
    pub fn link_at(&self, node: NodeId, port: PortId) -> Option<(LinkId, usize)> {
        let slot = self.slots.get(node.0 as usize)?;
        slot.port(port).ok().map(|i| (slot.ports[i].1, slot.ports[i].2))
    }

    /// Starts a capture on `(node, port)`.
    pub fn add_capture(&mut self, node: NodeId, port: PortId, filter: Filter) -> CaptureId {
        self.taps.add(node, port, filter)
    }
    /// Starts a capture on every interface of `node` (`tcpdump -i any`).
    pub fn add_capture_any(&mut self, node: NodeId, filter: Filter) -> CaptureId {
        self.taps.add_any(node, filter)
    }
    /// Stops a capture.
    pub fn stop_capture(&mut self, id: CaptureId) {
        self.taps.stop(id);
    }
    /// Makes a capture stop by itself once it kept `n` frames.
    pub fn limit_capture(&mut self, id: CaptureId, n: u64) {
        self.taps.set_limit(id, n);
    }
    /// The captures.
    pub fn taps(&self) -> &Taps {
        &self.taps
    }

    /// A node's concrete state, read-only. Panics if `N` is not the node's type (a broken
    /// invariant of the caller, not an input error).
    pub fn node<N: Node>(&self, id: NodeId) -> &N {
        let n: &dyn Any = self.slots[id.0 as usize].node.as_deref().expect("node removed");
        n.downcast_ref::<N>().expect("node type")
    }

    /// Calls `f` on a node with a context at the current time, then sends what it queued and
    /// re-arms its deadline. This is how commands act on a node from outside the event loop.
    pub fn with_node<N: Node, R>(&mut self, id: NodeId, f: impl FnOnce(&mut N, &mut Context<'_>) -> R) -> R {
        let r = {
            let slot = &mut self.slots[id.0 as usize];
            let node: &mut dyn Any = slot.node.as_deref_mut().expect("node removed");
            let node = node.downcast_mut::<N>().expect("node type");
            let mut cx = Context {
                now: self.now,
                node: id,
                rng: &mut slot.rng,
                outbox: &mut self.outbox,
                rx_csum_partial: false,
                pool: &mut self.pool,
                trace: &mut self.trace,
                taps: &mut self.taps,
                guard: &mut self.guard,
            };
            f(node, &mut cx)
        };
        self.flush(id);
        self.rearm(id);
        self.wake_finished();
        r
    }

    /// Queues a wake-up, now, for each node whose limited capture just stopped.
    fn wake_finished(&mut self) {
        while let Some(node) = self.taps.take_finished() {
            let ev = Event::Wake { node };
            self.queued_bytes += cost(&ev);
            self.queue.push(self.now, ev);
        }
    }

    fn rearm(&mut self, id: NodeId) {
        let slot = &mut self.slots[id.0 as usize];
        let want = slot.node.as_ref().and_then(|n| n.poll_timeout());
        if want == slot.timer.map(|w| w.asked) {
            return;
        }
        if slot.timer.take().is_some() {
            self.live_timers -= 1;
            self.queued_bytes -= ENTRY;
        }
        if let Some(asked) = want {
            let w = Wanted { asked, at: asked.max(self.now), seq: self.queue.reserve() };
            slot.timer = Some(w);
            self.timers.push(Reverse((w.at, w.seq, id)));
            self.live_timers += 1;
            self.queued_bytes += ENTRY;
        }
        if self.timers.len() > 2 * self.live_timers + 32 {
            let slots = &self.slots;
            self.timers.retain(|Reverse(t)| timer_is_live(slots, t));
        }
        self.clean_timers();
    }

    /// Drops stale timeouts from the front of `timers`.
    fn clean_timers(&mut self) {
        while let Some(Reverse(t)) = self.timers.peek() {
            if timer_is_live(&self.slots, t) {
                break;
            }
            self.timers.pop();
        }
    }

    fn flush(&mut self, from: NodeId) {
        let mut out = std::mem::take(&mut self.outbox);
        for o in out.drain(..) {
            self.transmit(from, o.port, o.buf, o.csum_partial);
        }
        self.outbox = out;
    }

    fn transmit(&mut self, node: NodeId, port: PortId, buf: Vec<u8>, csum_partial: bool) {
        let n = self.slots.get(node.0 as usize).and_then(|s| s.node.as_deref());
        self.taps.record(&mut self.trace, self.now, node, port, Direction::Out, &buf, || n?.port_info(port));
        let Some((lid, side)) = self.link_at(node, port) else {
            self.trace.record_drop(self.now, node, Some(port), "no link on port", || None);
            self.pool.give(buf);
            return;
        };
        let Some(link) = self.links[lid.0 as usize].as_ref() else {
            self.pool.give(buf);
            return;
        };
        match link.schedule(self.now, buf.len()) {
            Ok(at) => {
                let peer = link.ends[1 - side];
                let ev = Event::Frame { node: peer.node, port: peer.port, buf, csum_partial };
                self.queued_bytes += cost(&ev);
                self.queue.push(at, ev);
            }
            Err(why) => {
                self.trace.record_drop(self.now, node, Some(port), why.reason(), || None);
                self.pool.give(buf);
            }
        }
    }

    /// The time of the next pending event.
    pub fn next_event_time(&self) -> Option<Instant> {
        match (self.queue.peek_key(), self.timers.peek()) {
            (Some((a, _)), Some(&Reverse((b, _, _)))) => Some(a.min(b)),
            (a, b) => a.map(|k| k.0).or(b.map(|t| t.0.0)),
        }
    }

    /// Processes one event. Returns `Ok(false)` when nothing is pending, and an error once
    /// one of the run's guards has tripped (see [`crate::guard`]); it stays tripped.
    pub fn step(&mut self) -> Result<bool, BudgetExhausted> {
        // The earlier of the next queued event and the next timeout, by `(time, seq)`.
        let timer = match (self.queue.peek_key(), self.timers.peek()) {
            (None, None) => return Ok(false),
            (Some(q), Some(&Reverse((at, seq, node)))) => ((at, seq) < q).then_some((at, node)),
            (None, Some(&Reverse((at, _, node)))) => Some((at, node)),
            (Some(_), None) => None,
        };
        if let Some((at, node)) = timer {
            if !self.guard.count(at) {
                return Err(self.tripped());
            }
            self.timers.pop();
            self.live_timers -= 1;
            self.queued_bytes -= ENTRY;
            self.now = self.now.max(at);
            self.slots[node.0 as usize].timer = None;
            self.clean_timers();
            if self.slots[node.0 as usize].node.is_some() {
                self.call(node, |n, cx| n.handle_timeout(cx));
            }
            return self.after_step();
        }
        let Some(at) = self.queue.peek_time() else { return Ok(false) };
        if !self.guard.count(at) {
            return Err(self.tripped());
        }
        let Some((at, ev)) = self.queue.pop() else { return Ok(false) };
        self.queued_bytes -= cost(&ev);
        self.now = self.now.max(at);
        match ev {
            Event::Frame { node, port, mut buf, csum_partial } => {
                self.deliver(node, port, &mut buf, csum_partial);
                self.pool.give(buf);
            }
            Event::Wake { node } => {
                if self.slots[node.0 as usize].node.is_some() {
                    self.call(node, |n, cx| n.handle_timeout(cx));
                }
            }
        }
        self.after_step()
    }

    fn after_step(&mut self) -> Result<bool, BudgetExhausted> {
        self.wake_finished();
        self.check_ceilings();
        match self.guard.tripped {
            Some(_) => Err(self.tripped()),
            None => Ok(true),
        }
    }

    fn tripped(&self) -> BudgetExhausted {
        self.guard.tripped.clone().unwrap_or(BudgetExhausted {
            limit: Limit::Events { budget: self.guard.limits.events_per_second },
            at: self.now,
        })
    }

    /// Trips the guard when the trace or the pending events outgrow their ceilings.
    fn check_ceilings(&mut self) {
        if self.guard.tripped.is_some() {
            return;
        }
        let limits = self.guard.limits;
        let limit = if self.trace.bytes() > limits.trace_bytes {
            Limit::Trace { records: self.trace.len() as u64, bytes: self.trace.bytes(), ceiling: limits.trace_bytes }
        } else if self.queued_bytes > limits.queue_bytes {
            Limit::Queue {
                events: (self.queue.len() + self.live_timers) as u64,
                bytes: self.queued_bytes,
                ceiling: limits.queue_bytes,
            }
        } else {
            return;
        };
        self.guard.tripped = Some(BudgetExhausted { limit, at: self.now });
    }

    fn deliver(&mut self, node: NodeId, port: PortId, buf: &mut [u8], csum_partial: bool) {
        if !self.is_alive(node) {
            return;
        }
        let n = self.slots.get(node.0 as usize).and_then(|s| s.node.as_deref());
        self.taps.record(&mut self.trace, self.now, node, port, Direction::In, buf, || n?.port_info(port));
        self.call(node, |n, cx| {
            cx.rx_csum_partial = csum_partial;
            n.handle_frame_mut(cx, port, buf)
        });
    }

    fn call(&mut self, id: NodeId, f: impl FnOnce(&mut dyn Node, &mut Context<'_>)) {
        {
            let slot = &mut self.slots[id.0 as usize];
            let Some(node) = slot.node.as_deref_mut() else { return };
            let mut cx = Context {
                now: self.now,
                node: id,
                rng: &mut slot.rng,
                outbox: &mut self.outbox,
                rx_csum_partial: false,
                pool: &mut self.pool,
                trace: &mut self.trace,
                taps: &mut self.taps,
                guard: &mut self.guard,
            };
            f(node, &mut cx);
        }
        self.flush(id);
        self.rearm(id);
    }

    /// Processes every event due at or before `t`, then sets the clock to `t`.
    pub fn run_until(&mut self, t: Instant) -> Result<(), BudgetExhausted> {
        while self.next_event_time().is_some_and(|at| at <= t) {
            self.step()?;
        }
        self.now = self.now.max(t);
        Ok(())
    }

    /// Processes events while `keep_going` holds and the next event is due no later than
    /// `limit`. Returns true if `keep_going` turned false.
    pub fn run_while(
        &mut self,
        limit: Instant,
        mut keep_going: impl FnMut(&World) -> bool,
    ) -> Result<bool, BudgetExhausted> {
        loop {
            if !keep_going(self) {
                return Ok(true);
            }
            match self.next_event_time() {
                Some(at) if at <= limit => {
                    self.step()?;
                }
                _ => return Ok(false),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::Duration;

    /// Echoes every frame back out of the port it came in on, once per frame, after a
    /// timer; counts what it saw.
    struct Echo {
        seen: u32,
        pending: Vec<(PortId, Vec<u8>)>,
        due: Option<Instant>,
    }

    impl Node for Echo {
        fn handle_frame(&mut self, cx: &mut Context<'_>, port: PortId, frame: &[u8]) {
            self.seen += 1;
            if frame[0] > 0 {
                let mut f = frame.to_vec();
                f[0] -= 1;
                self.pending.push((port, f));
                self.due = Some(cx.now() + Duration::from_millis(1));
            }
        }
        fn handle_timeout(&mut self, cx: &mut Context<'_>) {
            for (p, f) in self.pending.drain(..) {
                cx.send(p, &f);
            }
            self.due = None;
        }
        fn poll_timeout(&self) -> Option<Instant> {
            self.due
        }
    }

    fn echo() -> Echo {
        Echo { seen: 0, pending: vec![], due: None }
    }

    #[test]
    fn frames_bounce_in_virtual_time() {
        let mut w = World::new(1);
        let a = w.add_node("a", |_| echo());
        let b = w.add_node("b", |_| echo());
        let cfg = LinkConfig { delay: Duration::from_micros(10), ..Default::default() };
        w.connect(LinkEnd { node: a, port: PortId(1) }, LinkEnd { node: b, port: PortId(1) }, cfg);
        w.with_node::<Echo, _>(a, |_, cx| cx.send(PortId(1), &[4, 0, 0]));
        w.run_until(Instant::from_secs(1)).unwrap();
        assert_eq!(w.node::<Echo>(b).seen, 3);
        assert_eq!(w.node::<Echo>(a).seen, 2);
        // 5 hops of 10 µs and 4 timers of 1 ms.
        assert_eq!(w.now(), Instant::from_secs(1));
    }

    #[test]
    fn captures_see_both_directions_and_budget_stops_storms() {
        let mut w = World::new(1);
        let a = w.add_node("a", |_| echo());
        let b = w.add_node("b", |_| echo());
        w.connect(LinkEnd { node: a, port: PortId(1) }, LinkEnd { node: b, port: PortId(1) }, LinkConfig::default());
        let cap = w.add_capture(a, PortId(1), Filter::All);
        w.with_node::<Echo, _>(a, |_, cx| cx.send(PortId(1), &[255, 0]));
        w.set_event_budget(50);
        let err = w.run_until(Instant::from_secs(10)).unwrap_err();
        assert_eq!(err.limit, Limit::Events { budget: 50 });
        assert!(w.taps().get(cap).unwrap().matched > 10);
        // It stays tripped.
        assert_eq!(w.step(), Err(err));
    }

    /// Arms a deadline every `every` and, when it comes, does `work` units of work counted
    /// through the context (forever when `work` is `u32::MAX`); prints a line each time
    /// if `chatty`.
    struct Ticker {
        every: Duration,
        work: u32,
        chatty: bool,
        due: Instant,
        ticks: u64,
    }

    impl Node for Ticker {
        fn handle_frame(&mut self, _: &mut Context<'_>, _: PortId, _: &[u8]) {}
        fn handle_timeout(&mut self, cx: &mut Context<'_>) {
            self.ticks += 1;
            let mut n = 0;
            while n < self.work && cx.event() {
                n += 1;
            }
            if self.chatty {
                cx.output(&crate::NsName::default(), 1, crate::Stream::Stdout, "x".repeat(100));
            }
            self.due = cx.now() + self.every;
        }
        fn poll_timeout(&self) -> Option<Instant> {
            Some(self.due)
        }
    }

    fn ticker(every: Duration, work: u32, chatty: bool) -> Ticker {
        Ticker { every, work, chatty, due: Instant::ZERO, ticks: 0 }
    }

    #[test]
    fn a_moved_deadline_leaves_nothing_behind_and_keeps_its_place() {
        let mut w = World::new(1);
        let a = w.add_node("a", |_| ticker(Duration::from_millis(1), 0, false));
        let b = w.add_node("b", |_| ticker(Duration::from_millis(1), 0, false));
        // Deadlines moved back and forth a thousand times: one timeout per node waits.
        for k in 0..1000u64 {
            w.with_node::<Ticker, _>(a, |t, _| t.due = Instant::from_nanos(5_000 + (k % 7) * 1_000));
            w.with_node::<Ticker, _>(b, |t, _| t.due = Instant::from_nanos(5_000 + (k % 5) * 1_000));
        }
        assert_eq!((w.live_timers, w.queue.len()), (2, 0));
        assert!(w.timers.len() <= 2 * 2 + 33, "{} entries", w.timers.len());
        // Both last asked for 5 µs + …: a (k = 999: 5 µs + 5 µs) after b (+ 4 µs).
        assert_eq!(w.next_event_time(), Some(Instant::from_nanos(9_000)));
        w.step().unwrap();
        assert_eq!((w.node::<Ticker>(a).ticks, w.node::<Ticker>(b).ticks), (0, 1));
        // Due at the same instant, they fire in the order they asked.
        w.with_node::<Ticker, _>(b, |t, _| t.due = Instant::from_nanos(20_000));
        w.with_node::<Ticker, _>(a, |t, _| t.due = Instant::from_nanos(20_000));
        w.step().unwrap();
        assert_eq!((w.node::<Ticker>(a).ticks, w.node::<Ticker>(b).ticks), (0, 2));
        w.step().unwrap();
        assert_eq!((w.node::<Ticker>(a).ticks, w.node::<Ticker>(b).ticks), (1, 2));
        w.remove_node(a);
        assert_eq!(w.live_timers, 1);
    }

    #[test]
    fn a_long_steady_run_is_no_loop() {
        // 10 events a second for a day under a budget of 10 a second: 864,000 events, far
        // more than the budget (a whole-run count once stopped such a run).
        let mut w = World::new(1);
        let t = w.add_node("t", |_| ticker(Duration::from_millis(100), 0, false));
        w.set_event_budget(10);
        w.run_until(Instant::from_secs(24 * 3600)).unwrap();
        assert_eq!(w.node::<Ticker>(t).ticks, 24 * 3600 * 10 + 1);
        assert_eq!(w.events_processed(), 24 * 3600 * 10 + 1);
    }

    #[test]
    fn work_inside_one_call_counts_and_a_loop_that_keeps_the_clock_still_is_stopped() {
        let mut w = World::new(1);
        let t = w.add_node("t", |_| ticker(Duration::from_secs(1), u32::MAX, false));
        w.set_event_budget(10_000);
        let err = w.run_until(Instant::from_secs(10)).unwrap_err();
        assert_eq!(err.limit, Limit::Events { budget: 10_000 });
        assert_eq!(err.at, Instant::ZERO);
        assert_eq!(w.node::<Ticker>(t).ticks, 1, "stopped inside the first call");
        // 9 units of work per event, 1,000 events a second: the budget holds 1,000 such.
        let mut w = World::new(1);
        w.add_node("t", |_| ticker(Duration::from_millis(1), 9, false));
        w.set_event_budget(10_000);
        w.run_until(Instant::from_secs(5)).unwrap();
        w.set_event_budget(9_999);
        assert!(w.run_until(Instant::from_secs(6)).is_err());
    }

    #[test]
    fn a_trace_that_grows_without_end_stops_at_its_ceiling() {
        let mut w = World::new(1);
        w.add_node("t", |_| ticker(Duration::from_millis(1), 0, true));
        w.set_limits(Limits { trace_bytes: 1 << 20, ..Limits::default() });
        let err = w.run_until(Instant::from_secs(3600)).unwrap_err();
        let Limit::Trace { records, bytes, ceiling } = err.limit else { panic!("{err}") };
        assert_eq!((records, ceiling), (6394, 1 << 20));
        assert!(bytes > ceiling);
        assert_eq!(
            err.to_string(),
            "memory ceiling reached at 6.393 s: the trace holds 6394 records, 1.0 MiB (the ceiling is 1.0 MiB): output or captures grow without end"
        );
    }

    #[test]
    fn frames_that_multiply_stop_at_the_queue_ceiling() {
        /// Sends every frame it gets back out twice.
        struct Doubler;
        impl Node for Doubler {
            fn handle_frame(&mut self, cx: &mut Context<'_>, port: PortId, frame: &[u8]) {
                cx.send(port, frame);
                cx.send(port, frame);
            }
            fn handle_timeout(&mut self, _: &mut Context<'_>) {}
            fn poll_timeout(&self) -> Option<Instant> {
                None
            }
        }
        let mut w = World::new(1);
        let a = w.add_node("a", |_| Doubler);
        let b = w.add_node("b", |_| Doubler);
        w.connect(LinkEnd { node: a, port: PortId(1) }, LinkEnd { node: b, port: PortId(1) }, LinkConfig::default());
        w.with_node::<Doubler, _>(a, |_, cx| cx.send(PortId(1), &[0; 60]));
        w.set_limits(Limits { queue_bytes: 16 << 20, ..Limits::default() });
        let err = w.run_until(Instant::from_secs(1)).unwrap_err();
        assert!(matches!(err.limit, Limit::Queue { events: 10_000.., ceiling, .. } if ceiling == 16 << 20), "{err}");
        assert!(err.to_string().contains("frames multiply faster than they are delivered"), "{err}");
    }

    #[test]
    fn removed_nodes_and_links_swallow_frames() {
        let mut w = World::new(1);
        let a = w.add_node("a", |_| echo());
        let b = w.add_node("b", |_| echo());
        let l = w.connect(
            LinkEnd { node: a, port: PortId(1) },
            LinkEnd { node: b, port: PortId(1) },
            LinkConfig::default(),
        );
        w.disconnect(l);
        w.with_node::<Echo, _>(a, |_, cx| cx.send(PortId(1), &[1]));
        w.run_until(Instant::from_secs(1)).unwrap();
        assert_eq!(w.node::<Echo>(b).seen, 0);
        assert_eq!(w.trace().drops(), 1);
        w.remove_node(b);
        assert!(!w.is_alive(b));
    }
}
