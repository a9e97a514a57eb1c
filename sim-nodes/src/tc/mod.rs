//! Traffic control: the qdiscs on a namespace's devices, as `tc` sets them up.
//!
//! Owns, per device ([`Dev`]): the root qdisc — [`netem`], [`tbf`] or [`htb`] with its
//! classes and [`u32`](mod@u32) filters — and the qdiscs grafted under its classes (a
//! tree: each [`Qdisc`] holds its children, at an htb leaf or at tbf's or netem's one
//! class), their queued frames, their counters and, for netem, its own seeded random
//! stream; the `tc` command line ([`cli`]), running it on the devices (`ops.rs`:
//! [`Tc::run`]) and what `tc … show` prints ([`show`]); the number formats iproute2 reads
//! and prints ([`units`]); rate estimators (`est`, [`estimator`]).
//!
//! A qdisc sits on a device's transmit side, as in Linux: `Netns` hands it every frame the
//! device sends (`Dev::xmit`) and puts on the wire what the qdisc lets out, when it lets it
//! out (`Dev::run`, again at [`Dev::wakeup`]). A parent passes frames to its children and
//! takes them back as its kernel twin does (tbf peeks at its child's next frame,
//! `qdisc_peek_dequeued`; htb passes over a leaf whose qdisc gives nothing; netem hands
//! due frames down), and a frame lost inside the tree is a drop at every level ([`Lost`]).
//! A device without a qdisc of its own has `noqueue` and sends at once. Frames wait in
//! buffers the device recycles, so a shaped device allocates nothing per packet once its
//! queues have been full once.
//!
//! Must not touch: the stack (addresses, routes, sockets) or processes; it sees frames only.

pub mod cli;
pub mod dist;
pub mod estimator;
pub mod htb;
pub mod netem;
mod ops;
pub mod show;
pub mod tbf;
pub mod u32;
pub mod units;

pub use ops::Done;

use sim_core::Instant;

/// A frame waiting in a qdisc.
pub type Buf = Vec<u8>;

/// A frame a qdisc refused, and whether its sender hears of it. `dev_queue_xmit` returns
/// the root's verdict: `NET_XMIT_DROP` (a full FIFO, a frame too big for tbf, netem's
/// `limit`) is `ENOBUFS` to a local sender; `NET_XMIT_CN` (`noop`) and netem's loss
/// (`NET_XMIT_SUCCESS | __NET_XMIT_BYPASS`) are success to it (`net_xmit_errno`).
#[derive(Debug)]
pub struct Refused {
    /// The frame, back for the pool.
    pub buf: Buf,
    /// `NET_XMIT_DROP`: the sender gets `ENOBUFS`.
    pub told: bool,
}

impl Refused {
    /// `NET_XMIT_DROP`.
    pub fn drop(buf: Buf) -> Self {
        Refused { buf, told: true }
    }
    /// `NET_XMIT_CN`, or netem's loss: dropped, and the sender not told.
    pub fn quiet(buf: Buf) -> Self {
        Refused { buf, told: false }
    }
}

/// A qdisc's (or class's) counters, as `tc -s` shows them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Bytes sent (whole frames, Ethernet header included).
    pub bytes: u64,
    /// Frames sent.
    pub packets: u32,
    /// Frames dropped.
    pub drops: u32,
    /// Times the qdisc held a frame back for its rate.
    pub overlimits: u32,
    /// Frames put back at the head of the queue.
    pub requeues: u32,
    /// Bytes queued.
    pub backlog: u32,
    /// Frames queued.
    pub qlen: u32,
}

impl Stats {
    fn enqueued(&mut self, len: u32) {
        self.backlog = self.backlog.wrapping_add(len);
        self.qlen += 1;
    }
    fn dequeued(&mut self, len: u32) {
        self.backlog -= len;
        self.qlen -= 1;
        self.bytes += u64::from(len);
        self.packets += 1;
    }
}

/// What a qdisc does with frames.
#[derive(Debug)]
pub enum Sched {
    /// `netem`.
    Netem(Box<netem::Netem>),
    /// `tbf`.
    Tbf(tbf::Tbf),
    /// `htb` with its classes and filters.
    Htb(Box<htb::Htb>),
}

impl Sched {
    /// The kind, as `tc` names it.
    pub fn kind(&self) -> &'static str {
        match self {
            Sched::Netem(_) => "netem",
            Sched::Tbf(_) => "tbf",
            Sched::Htb(_) => "htb",
        }
    }
}

/// Frames a qdisc's subtree dropped while it was being dequeued (netem handing a due
/// frame to a full child): `qdisc_tree_reduce_backlog` takes them off every ancestor's
/// queue counts and counts them as its drops.
#[derive(Clone, Copy, Debug, Default)]
pub struct Lost {
    /// Frames.
    pub packets: u32,
    /// Their bytes.
    pub bytes: u32,
}

impl Lost {
    /// Charges `sub` (lost below) to `stats` and passes it on up.
    fn take(&mut self, sub: Lost, stats: &mut Stats) {
        if sub.packets == 0 {
            return;
        }
        stats.qlen -= sub.packets;
        stats.backlog -= sub.bytes;
        stats.drops += sub.packets;
        self.packets += sub.packets;
        self.bytes += sub.bytes;
    }
}

/// A qdisc: at a device's root, or grafted to a class of another (`parent 1:10`).
#[derive(Debug)]
pub struct Qdisc {
    /// Its handle's major number (`1:` is 1, `8001:` is 0x8001).
    pub handle: u16,
    /// The class it hangs from; `None` at the device's root.
    pub parent: Option<u32>,
    /// The scheduler.
    pub sched: Sched,
    /// Its counters.
    pub stats: Stats,
    /// A frame dequeued for a parent's peek (`qdisc_peek_dequeued`), still counted as
    /// queued until the parent takes it.
    peeked: Option<Buf>,
    /// Its place in the order the device's qdiscs were made (`tc qdisc show` lists a
    /// hash bucket newest first).
    pub(crate) born: u64,
    /// Its rate estimator (`est`), if it was given one.
    pub est: Option<Box<estimator::Estimator>>,
}

/// What hangs from a class, as `qdisc_leaf` finds it.
#[derive(Debug)]
pub enum Leaf<'a> {
    /// An htb class that is not a leaf (the kernel's `htb_leaf` gives none), or a netem
    /// without a child.
    Nothing,
    /// No such htb class (`qdisc_leaf`: `Specified class not found`).
    NoClass,
    /// The kernel's own qdisc, handle 0 (tbf's bfifo or noop, an htb leaf's pfifo).
    Builtin,
    /// A qdisc grafted there.
    Qdisc(&'a Qdisc),
}

impl Qdisc {
    /// A qdisc with no frames yet.
    pub fn new(handle: u16, parent: Option<u32>, sched: Sched, born: u64) -> Self {
        Qdisc { handle, parent, sched, stats: Stats::default(), peeked: None, born, est: None }
    }

    pub(crate) fn enqueue(&mut self, now: Instant, f: Buf, pool: &mut Vec<Buf>) -> Result<(), Refused> {
        match &mut self.sched {
            Sched::Netem(n) => n.enqueue(now, f, &mut self.stats, pool),
            Sched::Tbf(t) => t.enqueue(now, f, &mut self.stats, pool),
            Sched::Htb(h) => h.enqueue(now, f, &mut self.stats, pool),
        }
    }

    /// The next frame to send, if one may go now (a frame a parent peeked at first).
    pub(crate) fn dequeue(&mut self, now: Instant, pool: &mut Vec<Buf>, lost: &mut Lost) -> Option<Buf> {
        // Its counters change only here: the estimator's ticks until now see them as they
        // were.
        if let Some(e) = self.est.as_mut() {
            e.sync(now, &self.stats);
        }
        if let Some(f) = self.peeked.take() {
            self.stats.backlog -= f.len() as u32;
            self.stats.qlen -= 1;
            return Some(f);
        }
        match &mut self.sched {
            Sched::Netem(n) => n.dequeue(now, &mut self.stats, pool, lost),
            Sched::Tbf(t) => t.dequeue(now, &mut self.stats, pool, lost),
            Sched::Htb(h) => h.dequeue(now, &mut self.stats, pool, lost),
        }
    }

    /// `qdisc_peek_dequeued`: the length of the frame that would go next, taken out and
    /// kept (still counted as queued) so a parent can decide on it.
    pub(crate) fn peek_len(&mut self, now: Instant, pool: &mut Vec<Buf>, lost: &mut Lost) -> Option<u32> {
        if self.peeked.is_none() {
            let f = self.dequeue(now, pool, lost)?;
            self.stats.enqueued(f.len() as u32);
            self.peeked = Some(f);
        }
        self.peeked.as_ref().map(|f| f.len() as u32)
    }

    /// When this qdisc or one below it wants to be run again, after `now`: a watchdog at
    /// or before `now` has fired (the kernel's are one-shot timers) and is left out, so a
    /// child its parent no longer asks cannot hold the device at `now`.
    pub(crate) fn watchdog(&self, now: Instant) -> Option<Instant> {
        let mut w = match &self.sched {
            Sched::Netem(n) => n.watchdog(),
            Sched::Tbf(t) => t.watchdog(),
            Sched::Htb(h) => h.watchdog(),
        }
        .filter(|w| *w > now);
        let mut merge = |c: &Qdisc| {
            if let Some(c) = c.watchdog(now) {
                w = Some(w.map_or(c, |w| w.min(c)));
            }
        };
        match &self.sched {
            Sched::Netem(n) => n.child.as_deref().into_iter().for_each(&mut merge),
            Sched::Tbf(t) => t.child.as_deref().into_iter().for_each(&mut merge),
            Sched::Htb(h) => h.children().for_each(&mut merge),
        }
        w
    }

    /// Calls `f` on every netem in this subtree (no allocation).
    pub(crate) fn each_netem(&mut self, f: &mut dyn FnMut(&mut netem::Netem)) {
        match &mut self.sched {
            Sched::Netem(n) => {
                f(n);
                if let Some(c) = n.child.as_mut() {
                    c.each_netem(f);
                }
            }
            Sched::Tbf(t) => {
                if let Some(c) = t.child.as_mut() {
                    c.each_netem(f);
                }
            }
            Sched::Htb(h) => {
                for c in h.children_mut() {
                    c.each_netem(f);
                }
            }
        }
    }

    /// `qdisc_reset`: every frame in this subtree dropped (returned to `pool`).
    pub(crate) fn reset(&mut self, now: Instant, pool: &mut Vec<Buf>) {
        pool.extend(self.peeked.take());
        match &mut self.sched {
            Sched::Netem(n) => n.reset(&mut self.stats, pool),
            Sched::Tbf(t) => t.reset(now, &mut self.stats, pool),
            Sched::Htb(h) => h.reset(&mut self.stats, pool),
        }
    }

    /// The qdiscs grafted directly below this one.
    pub fn children(&self) -> Vec<&Qdisc> {
        match &self.sched {
            Sched::Netem(n) => n.child.iter().map(|c| &**c).collect(),
            Sched::Tbf(t) => t.child.iter().map(|c| &**c).collect(),
            Sched::Htb(h) => h.children().collect(),
        }
    }

    fn children_mut(&mut self) -> Vec<&mut Qdisc> {
        match &mut self.sched {
            Sched::Netem(n) => n.child.iter_mut().map(|c| &mut **c).collect(),
            Sched::Tbf(t) => t.child.iter_mut().map(|c| &mut **c).collect(),
            Sched::Htb(h) => h.children_mut().collect(),
        }
    }

    /// This qdisc and every one below it, level by level.
    pub fn subtree(&self) -> Vec<&Qdisc> {
        let mut out = vec![self];
        let mut i = 0;
        while i < out.len() {
            let q = out[i];
            out.extend(q.children());
            i += 1;
        }
        out
    }

    /// This qdisc, then the rest of its subtree in the kernel's `qdisc_hash` order (16
    /// buckets by `hash_32(handle)`, each newest first), as `tc qdisc show` lists them.
    pub fn listed(&self) -> Vec<&Qdisc> {
        let mut rest: Vec<&Qdisc> = self.subtree().into_iter().skip(1).collect();
        let bucket = |q: &Qdisc| (u32::from(q.handle) << 16).wrapping_mul(0x61c8_8647) >> 28;
        rest.sort_by_key(|q| (bucket(q), std::cmp::Reverse(q.born)));
        std::iter::once(self).chain(rest).collect()
    }

    /// The qdisc with handle `major` in this subtree (`qdisc_lookup`).
    pub fn find(&self, major: u16) -> Option<&Qdisc> {
        self.subtree().into_iter().find(|q| q.handle == major)
    }

    /// The qdisc with handle `major` in this subtree, to change.
    pub fn find_mut(&mut self, major: u16) -> Option<&mut Qdisc> {
        if self.handle == major {
            return Some(self);
        }
        self.children_mut().into_iter().find_map(|c| c.find_mut(major))
    }

    /// What hangs from class `classid` of this qdisc (`qdisc_leaf`).
    pub fn leaf(&self, classid: u32) -> Leaf<'_> {
        match &self.sched {
            Sched::Netem(n) => n.child.as_deref().map_or(Leaf::Nothing, Leaf::Qdisc),
            Sched::Tbf(t) => t.child.as_deref().map_or(Leaf::Builtin, Leaf::Qdisc),
            Sched::Htb(h) => match h.class(classid) {
                Some(c) if c.level == 0 => c.child.as_deref().map_or(Leaf::Builtin, Leaf::Qdisc),
                Some(_) => Leaf::Nothing,
                None => Leaf::NoClass,
            },
        }
    }

    /// `cops->graft`: puts `new` (or the class's default, for `None`) at class `classid`
    /// and returns what the old one (or the class's builtin FIFO) held, now dropped
    /// (`qdisc_purge_queue`: the caller takes it off this qdisc's and its ancestors'
    /// counts). Errors are the kernel's.
    pub(crate) fn graft(
        &mut self,
        classid: u32,
        new: Option<Box<Qdisc>>,
        now: Instant,
        pool: &mut Vec<Buf>,
    ) -> Result<Lost, String> {
        let mut new = new;
        if let Some(Sched::Netem(n)) = new.as_mut().map(|q| &mut q.sched) {
            // Its duplicates go to the device's root qdisc (`qdisc_root_bh`), not into it.
            n.nested = true;
        }
        let slot = match &mut self.sched {
            Sched::Netem(n) => &mut n.child,
            Sched::Tbf(t) => {
                // Deleting tbf's child leaves `noop`, which drops every frame.
                t.noop = new.is_none();
                &mut t.child
            }
            Sched::Htb(h) => h.leaf_slot(classid)?,
        };
        let old = std::mem::replace(slot, new);
        let mut lost = Lost::default();
        if let Some(mut o) = old {
            lost = Lost { packets: o.stats.qlen, bytes: o.stats.backlog };
            o.reset(now, pool);
        }
        // The builtin FIFO that was there, if it was, goes the same way.
        let (n, b) = match &mut self.sched {
            Sched::Netem(_) => (0, 0),
            Sched::Tbf(t) => t.flush_fifo(pool),
            Sched::Htb(h) => h.flush_leaf(classid, pool),
        };
        lost.packets += n;
        lost.bytes += b;
        Ok(lost)
    }

    /// Takes `lost` off the counts of the qdisc with handle `major` and of every qdisc
    /// above it, each counting them as drops (`qdisc_tree_reduce_backlog`). True if
    /// `major` is in this subtree.
    pub(crate) fn reduce_path(&mut self, major: u16, lost: Lost) -> bool {
        let hit = self.handle == major || self.children_mut().into_iter().any(|c| c.reduce_path(major, lost));
        if hit {
            Lost::default().take(lost, &mut self.stats);
        }
        hit
    }
}

/// `dev_tx_weight`: frames one run of a qdisc sends before it yields.
const TX_WEIGHT: i32 = 64;
/// Frames one restart takes on a multiqueue device (a veth): the first, and up to eight
/// more that `try_bulk_dequeue_skb_slow` adds (`do … while (++cnt < 8)`).
const BULK: usize = 9;

/// A device's traffic control.
#[derive(Debug, Default)]
pub struct Dev {
    /// The root qdisc; `None` is `noqueue`.
    pub root: Option<Qdisc>,
    /// Whether the device has been up once (the kernel shows its `noqueue` from then on).
    pub activated: bool,
    /// Transmit queues: a veth has one per CPU of the machine modelled (2), so `refcnt 3`.
    pub tx_queues: u32,
    /// When the root qdisc wants to be run again.
    wakeup: Option<Instant>,
    pool: Vec<Buf>,
    batch: Vec<Buf>,
    /// Qdiscs made on this device so far.
    made: u64,
    /// A netem below the root duplicates.
    nested_dups: bool,
}

/// Enqueues at the root the copies netems below it made (`rootq->enqueue` with the
/// copy's `tc_depth` raised, so no netem duplicates it again). The kernel does it inside
/// the netem's own enqueue, before the original; here it follows it.
fn requeue_copies(root: &mut Qdisc, now: Instant, pool: &mut Vec<Buf>) -> bool {
    let mut any = false;
    loop {
        let mut copy = None;
        root.each_netem(&mut |n| {
            if copy.is_none() {
                copy = n.to_root.pop_front();
            }
        });
        let Some(c) = copy else { return any };
        any = true;
        root.each_netem(&mut |n| n.copying = true);
        if let Err(r) = root.enqueue(now, c, pool) {
            pool.push(r.buf);
        }
        root.each_netem(&mut |n| n.copying = false);
    }
}

impl Dev {
    /// A device with `tx_queues` transmit queues and `noqueue`.
    pub fn new(tx_queues: u32) -> Self {
        Dev { tx_queues, ..Default::default() }
    }

    /// The qdisc with handle `major` anywhere in this device's tree.
    pub fn find(&self, major: u16) -> Option<&Qdisc> {
        self.root.as_ref()?.find(major)
    }

    /// Every qdisc of the device as `tc qdisc show` lists them: the root, then the rest
    /// in the kernel's `qdisc_hash` order (16 buckets by `hash_32(handle)`, each newest
    /// first).
    pub fn listed(&self) -> Vec<&Qdisc> {
        self.root.as_ref().map(Qdisc::listed).unwrap_or_default()
    }

    /// A number for the next qdisc made on this device.
    pub(crate) fn next_born(&mut self) -> u64 {
        self.made += 1;
        self.made
    }

    /// True when frames go through a qdisc of this device's own.
    pub fn shaped(&self) -> bool {
        self.root.is_some()
    }

    /// `__dev_xmit_skb`: queues `frame` (or drops it, counted), then runs the qdisc. `send`
    /// gets what leaves now. True when the qdisc refused the frame with `NET_XMIT_DROP`,
    /// which a local sender hears as `ENOBUFS`.
    pub fn xmit(&mut self, now: Instant, frame: &[u8], send: &mut dyn FnMut(&[u8])) -> bool {
        let Some(q) = self.root.as_mut() else {
            send(frame);
            return false;
        };
        let mut b = self.pool.pop().unwrap_or_default();
        b.clear();
        b.extend_from_slice(frame);
        let mut told = false;
        if let Err(r) = q.enqueue(now, b, &mut self.pool) {
            told = r.told;
            self.pool.push(r.buf);
        }
        if self.nested_dups {
            requeue_copies(q, now, &mut self.pool);
        }
        self.run(now, send);
        told
    }

    /// `__qdisc_run`: sends what the qdisc lets out now, in the kernel's batches (each
    /// dequeue that finds the head frame early counts, as tbf's overlimits show).
    pub fn run(&mut self, now: Instant, send: &mut dyn FnMut(&[u8])) {
        self.wakeup = None;
        let Some(q) = self.root.as_mut() else { return };
        let mut quota = TX_WEIGHT;
        let bulk = if self.tx_queues > 1 { BULK } else { 1 };
        let mut lost = Lost::default();
        loop {
            while let Some(first) = q.dequeue(now, &mut self.pool, &mut lost) {
                self.batch.push(first);
                while self.batch.len() < bulk {
                    if self.nested_dups {
                        requeue_copies(q, now, &mut self.pool);
                    }
                    match q.dequeue(now, &mut self.pool, &mut lost) {
                        Some(f) => self.batch.push(f),
                        None => break,
                    }
                }
                if self.nested_dups {
                    requeue_copies(q, now, &mut self.pool);
                }
                quota -= self.batch.len() as i32;
                for f in self.batch.drain(..) {
                    send(&f);
                    self.pool.push(f);
                }
                if quota <= 0 {
                    // `__netif_schedule`: the rest goes in the next softirq, at once.
                    self.wakeup = Some(now);
                    return;
                }
            }
            // A copy the last dequeue made (a netem handing a frame to a duplicating
            // child) may go at once: the kernel enqueued it during that dequeue.
            if !(self.nested_dups && requeue_copies(q, now, &mut self.pool)) {
                break;
            }
        }
        self.wakeup = q.watchdog(now);
    }

    /// Notes whether a netem below the root duplicates (its copies then go through the
    /// root: [`Dev::xmit`] and [`Dev::run`] look for them only then).
    pub(crate) fn note_tree(&mut self) {
        let mut any = false;
        if let Some(r) = self.root.as_mut() {
            r.each_netem(&mut |n| any |= n.nested && n.duplicates());
        }
        self.nested_dups = any;
    }

    /// When [`Dev::run`] must be called again.
    pub fn wakeup(&self) -> Option<Instant> {
        self.wakeup
    }

    /// The device went down: `qdisc_reset` drops what waits.
    pub fn reset(&mut self, now: Instant) {
        if let Some(q) = self.root.as_mut() {
            q.reset(now, &mut self.pool);
        }
        self.wakeup = None;
    }

    /// Removes the root qdisc (its frames are dropped); the device has `noqueue` again.
    pub fn clear(&mut self) {
        if let Some(mut q) = self.root.take() {
            q.reset(Instant::ZERO, &mut self.pool);
        }
        self.wakeup = None;
    }
}

/// A device as `tc` sees it: its index, its name and its transmit queues.
#[derive(Clone, Copy, Debug)]
pub struct DevInfo<'a> {
    /// ifindex.
    pub ifindex: u32,
    /// Name.
    pub name: &'a str,
    /// Transmit queues (a veth has one per CPU).
    pub tx_queues: u32,
    /// Whether it is up.
    pub up: bool,
    /// Whether it is a bridge.
    pub bridge: bool,
}

/// One namespace's traffic control: a [`Dev`] for each device that has been up or has a
/// qdisc of its own.
#[derive(Debug, Default)]
pub struct Tc {
    /// Boxed: a map's node holds eleven entries, and a device with no qdisc of its own
    /// needs only its `activated` mark.
    devs: std::collections::BTreeMap<u32, Box<Dev>>,
    /// Some device has a qdisc of its own (else every frame goes straight out, unlooked-up).
    any_shaped: bool,
}

/// The next automatic handle after `last` not `in_use` on the device (`qdisc_alloc_handle`:
/// one counter for the whole kernel, 8001: first, never ffff:).
pub fn next_auto_handle(last: &mut u16, in_use: impl Fn(u16) -> bool) -> u16 {
    loop {
        *last = if *last >= 0xfffe { 0x8000 } else { *last + 1 };
        if !in_use(*last) {
            return *last;
        }
    }
}

impl Tc {
    /// The device's traffic control, if it has any.
    pub fn dev(&self, ifindex: u32) -> Option<&Dev> {
        self.devs.get(&ifindex).map(|d| &**d)
    }

    /// The device's traffic control, if it has any.
    pub fn dev_mut(&mut self, ifindex: u32) -> Option<&mut Dev> {
        self.devs.get_mut(&ifindex).map(|d| &mut **d)
    }

    /// True when some device's frames go through a qdisc: the per-frame path looks its
    /// device up only then.
    pub fn any_shaped(&self) -> bool {
        self.any_shaped
    }

    /// Notes which devices have qdiscs, after a command changed them.
    pub fn refresh(&mut self) {
        self.any_shaped = self.devs.values().any(|d| d.shaped());
        self.devs.values_mut().for_each(|d| d.note_tree());
    }

    /// The device came up: from now on `tc qdisc show` lists its qdisc (`noqueue` if none).
    pub fn activate(&mut self, ifindex: u32, tx_queues: u32) {
        self.devs.entry(ifindex).or_insert_with(|| Box::new(Dev::new(tx_queues))).activated = true;
    }

    /// The device went down or lost its carrier: what waits is dropped.
    pub fn reset(&mut self, ifindex: u32, now: Instant) {
        if let Some(d) = self.devs.get_mut(&ifindex) {
            d.reset(now);
        }
    }

    /// The device left the namespace or was deleted: its qdiscs go with it.
    pub fn remove(&mut self, ifindex: u32) {
        self.devs.remove(&ifindex);
        self.refresh();
    }
}

#[cfg(test)]
mod tests;
