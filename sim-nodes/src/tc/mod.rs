//! Traffic control: the qdiscs on a namespace's devices, as `tc` sets them up.
//!
//! Owns, per device ([`Dev`]): the root qdisc — [`netem`], [`tbf`] or [`htb`] with its
//! classes and [`u32`](mod@u32) filters — its queued frames, its counters and, for netem, its own
//! seeded random stream; the `tc` command line ([`cli`]), running it on the devices
//! (`ops.rs`: [`Tc::run`]) and what `tc … show` prints ([`show`]); the number formats
//! iproute2 reads and prints ([`units`]).
//!
//! A qdisc sits on a device's transmit side, as in Linux: `Netns` hands it every frame the
//! device sends (`Dev::xmit`) and puts on the wire what the qdisc lets out, when it lets it
//! out (`Dev::run`, again at [`Dev::wakeup`]). A device without a qdisc of its own has
//! `noqueue` and sends at once. Frames wait in buffers the device recycles, so a shaped
//! device allocates nothing per packet once its queue has been full once.
//!
//! Must not touch: the stack (addresses, routes, sockets) or processes; it sees frames only.

pub mod cli;
pub mod dist;
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

/// A device's root qdisc.
#[derive(Debug)]
pub struct Qdisc {
    /// Its handle's major number (`1:` is 1, `8001:` is 0x8001).
    pub handle: u16,
    /// The scheduler.
    pub sched: Sched,
    /// Its counters.
    pub stats: Stats,
}

impl Qdisc {
    fn enqueue(&mut self, now: Instant, f: Buf, pool: &mut Vec<Buf>) -> Result<(), Buf> {
        match &mut self.sched {
            Sched::Netem(n) => n.enqueue(now, f, &mut self.stats, pool),
            Sched::Tbf(t) => t.enqueue(f, &mut self.stats),
            Sched::Htb(h) => h.enqueue(f, &mut self.stats),
        }
    }

    fn dequeue(&mut self, now: Instant) -> Option<Buf> {
        match &mut self.sched {
            Sched::Netem(n) => n.dequeue(now, &mut self.stats),
            Sched::Tbf(t) => t.dequeue(now, &mut self.stats),
            Sched::Htb(h) => h.dequeue(now, &mut self.stats),
        }
    }

    fn watchdog(&self) -> Option<Instant> {
        match &self.sched {
            Sched::Netem(n) => n.watchdog(),
            Sched::Tbf(t) => t.watchdog(),
            Sched::Htb(h) => h.watchdog(),
        }
    }

    fn reset(&mut self, now: Instant, pool: &mut Vec<Buf>) {
        match &mut self.sched {
            Sched::Netem(n) => n.reset(&mut self.stats, pool),
            Sched::Tbf(t) => t.reset(now, &mut self.stats, pool),
            Sched::Htb(h) => h.reset(&mut self.stats, pool),
        }
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
}

impl Dev {
    /// A device with `tx_queues` transmit queues and `noqueue`.
    pub fn new(tx_queues: u32) -> Self {
        Dev { tx_queues, ..Default::default() }
    }

    /// True when frames go through a qdisc of this device's own.
    pub fn shaped(&self) -> bool {
        self.root.is_some()
    }

    /// `__dev_xmit_skb`: queues `frame` (or drops it, counted), then runs the qdisc. `send`
    /// gets what leaves now.
    pub fn xmit(&mut self, now: Instant, frame: &[u8], send: &mut dyn FnMut(&[u8])) {
        let Some(q) = self.root.as_mut() else {
            send(frame);
            return;
        };
        let mut b = self.pool.pop().unwrap_or_default();
        b.clear();
        b.extend_from_slice(frame);
        if let Err(b) = q.enqueue(now, b, &mut self.pool) {
            self.pool.push(b);
        }
        self.run(now, send);
    }

    /// `__qdisc_run`: sends what the qdisc lets out now, in the kernel's batches (each
    /// dequeue that finds the head frame early counts, as tbf's overlimits show).
    pub fn run(&mut self, now: Instant, send: &mut dyn FnMut(&[u8])) {
        self.wakeup = None;
        let Some(q) = self.root.as_mut() else { return };
        let mut quota = TX_WEIGHT;
        let bulk = if self.tx_queues > 1 { BULK } else { 1 };
        while let Some(first) = q.dequeue(now) {
            self.batch.push(first);
            while self.batch.len() < bulk {
                match q.dequeue(now) {
                    Some(f) => self.batch.push(f),
                    None => break,
                }
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
        self.wakeup = q.watchdog();
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
    devs: std::collections::BTreeMap<u32, Dev>,
    /// Some device has a qdisc of its own (else every frame goes straight out, unlooked-up).
    any_shaped: bool,
}

/// The next automatic handle after `last` (`qdisc_alloc_handle`: one counter for the whole
/// kernel, 8001: first, never ffff:).
pub fn next_auto_handle(last: &mut u16, in_use: Option<u16>) -> u16 {
    loop {
        *last = if *last >= 0xfffe { 0x8000 } else { *last + 1 };
        if Some(*last) != in_use {
            return *last;
        }
    }
}

impl Tc {
    /// The device's traffic control, if it has any.
    pub fn dev(&self, ifindex: u32) -> Option<&Dev> {
        self.devs.get(&ifindex)
    }

    /// The device's traffic control, if it has any.
    pub fn dev_mut(&mut self, ifindex: u32) -> Option<&mut Dev> {
        self.devs.get_mut(&ifindex)
    }

    /// True when some device's frames go through a qdisc: the per-frame path looks its
    /// device up only then.
    pub fn any_shaped(&self) -> bool {
        self.any_shaped
    }

    /// Notes which devices have qdiscs, after a command changed them.
    pub fn refresh(&mut self) {
        self.any_shaped = self.devs.values().any(Dev::shaped);
    }

    /// The device came up: from now on `tc qdisc show` lists its qdisc (`noqueue` if none).
    pub fn activate(&mut self, ifindex: u32, tx_queues: u32) {
        self.devs.entry(ifindex).or_insert_with(|| Dev::new(tx_queues)).activated = true;
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
