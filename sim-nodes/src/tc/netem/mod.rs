//! `netem`, as `net/sched/sch_netem.c` (Linux 6.18) runs it and `tc/q_netem.c` (iproute2
//! 6.1) reads and prints it: delay with jitter (uniform, or a distribution table) and
//! correlation, random / 4-state / Gilbert-Elliott loss, duplication, corruption,
//! reordering with a gap, a rate with overheads, slots, ECN marking, a packet limit.
//!
//! Every draw the kernel makes from the qdisc's seeded generator (`prandom_u32_state`,
//! LFSR113) is made here from the same generator, in the same order, with the same integer
//! arithmetic; the draws the kernel makes from its unseeded CSPRNG (a correlation's first
//! `last`, the corrupted bit, a uniform slot length) come from the qdisc's own ChaCha
//! stream. Both are keyed by the run's seed, or by `seed N` when given.

mod json;
mod parse;
pub use parse::{USAGE, parse};

use super::units;
use super::{Buf, Lost, Qdisc, Refused, Stats, dist};
use sim_core::Instant;
use sim_core::rng::{self, NodeRng};
use std::collections::{BinaryHeap, VecDeque};

/// A loss model other than random loss.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Model {
    /// `loss state p13 p31 p32 p23 p14`.
    State([u32; 5]),
    /// `loss gemodel p r h k1` (h as the kernel keeps it: UINT32_MAX − (1-h)).
    Ge([u32; 4]),
}

/// `rate RATE [PACKETOVERHEAD [CELLSIZE [CELLOVERHEAD]]]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateOpts {
    /// Bytes per second.
    pub rate: u64,
    /// Added to every packet's length.
    pub packet_overhead: i32,
    /// Cell size (0: none).
    pub cell_size: u32,
    /// Added to every cell.
    pub cell_overhead: i32,
}

/// `slot …`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SlotOpts {
    /// Shortest slot (ns).
    pub min_delay: i64,
    /// Longest slot (ns).
    pub max_delay: i64,
    /// `slot distribution NAME DELAY JITTER`: the table.
    pub dist: Option<&'static str>,
    /// Its delay (ns).
    pub dist_delay: i64,
    /// Its jitter (ns).
    pub dist_jitter: i64,
    /// `packets N` (0: unlimited).
    pub max_packets: i32,
    /// `bytes N` (0: unlimited).
    pub max_bytes: i32,
}

/// What `tc qdisc … netem WORDS` asks for, as `netem_parse_opt` sends it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NetemOpts {
    /// `limit` (packets).
    pub limit: u32,
    /// `delay`, 64-ns ticks.
    pub latency: u32,
    /// Jitter, ticks.
    pub jitter: u32,
    /// Random loss probability (2^32 scale).
    pub loss: u32,
    /// `gap`.
    pub gap: u32,
    /// `duplicate`.
    pub duplicate: u32,
    /// Correlations of delay, loss and duplicate, when one was typed.
    pub corr: Option<[u32; 3]>,
    /// `reorder P [CORR]`.
    pub reorder: Option<(u32, u32)>,
    /// `corrupt P [CORR]`.
    pub corrupt: Option<(u32, u32)>,
    /// `ecn`.
    pub ecn: bool,
    /// `loss state|gemodel`.
    pub model: Option<Model>,
    /// `rate`.
    pub rate: Option<RateOpts>,
    /// `distribution NAME`.
    pub dist: Option<&'static str>,
    /// `slot`.
    pub slot: Option<SlotOpts>,
    /// `seed N` (iproute2 6.6's keyword): the generator's seed.
    pub seed: Option<u64>,
}

/// The kernel's `prandom_u32_state` (LFSR113).
#[derive(Clone, Copy, Debug)]
struct Taus([u32; 4]);

impl Taus {
    /// `prandom_seed_state`.
    fn seeded(seed: u64) -> Self {
        let i = ((seed >> 32) ^ (seed << 10) ^ seed) as u32;
        let s = |m: u32| if i < m { i + m } else { i };
        Taus([s(2), s(8), s(16), s(128)])
    }

    fn next(&mut self) -> u32 {
        fn t(s: u32, a: u32, b: u32, c: u32, d: u32) -> u32 {
            ((s & c) << d) ^ (((s << a) ^ s) >> b)
        }
        let s = &mut self.0;
        s[0] = t(s[0], 6, 13, 4_294_967_294, 18);
        s[1] = t(s[1], 2, 27, 4_294_967_288, 2);
        s[2] = t(s[2], 13, 21, 4_294_967_280, 7);
        s[3] = t(s[3], 3, 12, 4_294_967_168, 13);
        s[0] ^ s[1] ^ s[2] ^ s[3]
    }
}

/// `struct crndstate`: a correlated stream.
#[derive(Clone, Copy, Debug, Default)]
struct Crnd {
    last: u32,
    rho: u32,
}

/// `get_crandom`.
fn crandom(c: &mut Crnd, p: &mut Taus) -> u32 {
    correlate(p.next(), c)
}

/// `get_crandom` given the generator's draw.
fn correlate(value: u32, c: &mut Crnd) -> u32 {
    if c.rho == 0 {
        return value;
    }
    let rho = u64::from(c.rho) + 1;
    let answer = ((u64::from(value) * ((1u64 << 32) - rho) + u64::from(c.last) * rho) >> 32) as u32;
    c.last = answer;
    answer
}

/// `tabledist`: `mu` give or take `sigma`, uniform or from a table.
fn tabledist(mu: i64, sigma: i32, c: Option<&mut Crnd>, p: &mut Taus, table: Option<&[i16]>) -> i64 {
    if sigma == 0 {
        return mu;
    }
    let rnd = match c {
        Some(c) => crandom(c, p),
        None => p.next(),
    };
    spread(mu, sigma, rnd, table)
}

/// `tabledist` given its draw.
fn spread(mu: i64, sigma: i32, rnd: u32, table: Option<&[i16]>) -> i64 {
    let Some(t) = table else {
        return i64::from(rnd % (2 * sigma as u32)) + mu - i64::from(sigma);
    };
    let t = i64::from(t[rnd as usize % t.len()]);
    let sigma = i64::from(sigma);
    let mut x = (sigma % dist::SCALE) * t;
    if x >= 0 {
        x += dist::SCALE / 2;
    } else {
        x -= dist::SCALE / 2;
    }
    x / dist::SCALE + (sigma / dist::SCALE) * t + mu
}

/// A frame in the time-ordered part of the queue, earliest first in the heap.
#[derive(Debug)]
struct Timed {
    tts: u64,
    seq: u64,
    buf: Buf,
    /// A duplicate (the kernel's raised `skb->tc_depth`, as in the stable kernels since the
    /// netem fixes of January 2026, which also dropped `check_netem_in_tree`): no netem
    /// below duplicates it again.
    copy: bool,
}

impl PartialEq for Timed {
    fn eq(&self, o: &Self) -> bool {
        (self.tts, self.seq) == (o.tts, o.seq)
    }
}
impl Eq for Timed {}
impl PartialOrd for Timed {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Timed {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        (o.tts, o.seq).cmp(&(self.tts, self.seq))
    }
}

/// A netem qdisc's state.
#[derive(Debug)]
pub struct Netem {
    shown: NetemOpts,
    limit: u32,
    latency: i64,
    jitter: i64,
    loss: u32,
    gap: u32,
    counter: u32,
    duplicate: u32,
    reorder: u32,
    corrupt: u32,
    ecn: bool,
    rate: Option<RateOpts>,
    model: Option<Model>,
    clg: u8,
    delay_cor: Crnd,
    loss_cor: Crnd,
    dup_cor: Crnd,
    reorder_cor: Crnd,
    corrupt_cor: Crnd,
    prng: Taus,
    rng: NodeRng,
    dist: Option<&'static [i16]>,
    slot: Option<SlotOpts>,
    slot_dist: Option<&'static [i16]>,
    slot_next: Option<u64>,
    packets_left: i32,
    bytes_left: i32,
    /// In-order part of the time FIFO (non-decreasing send times).
    t_list: VecDeque<(u64, Buf, bool)>,
    /// Out-of-order part (the kernel's rbtree), earliest first; ties in arrival order.
    t_heap: BinaryHeap<Timed>,
    t_heap_max: u64,
    seq: u64,
    /// Reordered frames, sent before anything else (newest first).
    reordered: VecDeque<(u64, Buf)>,
    watchdog: Option<Instant>,
    /// A qdisc grafted to its class (`parent H:1`): due frames go through it.
    pub child: Option<Box<Qdisc>>,
    /// It hangs below another qdisc: its duplicates go to the root ([`Netem::to_root`]).
    pub(crate) nested: bool,
    /// Copies waiting to be enqueued at the device's root qdisc.
    pub(crate) to_root: VecDeque<Buf>,
    /// A copy is going through the tree (its `tc_depth` is raised): no netem duplicates it.
    pub(crate) copying: bool,
}

impl Netem {
    /// `netem_init`: the generator seeded (from `seed N`, else from the qdisc's stream),
    /// then `netem_change`.
    pub fn new(opts: NetemOpts, now: Instant, mut rng: NodeRng) -> Self {
        let seed = opts.seed.unwrap_or_else(|| rng::next_u64(&mut rng));
        let mut n = Netem {
            shown: NetemOpts::default(),
            limit: 0,
            latency: 0,
            jitter: 0,
            loss: 0,
            gap: 0,
            counter: 0,
            duplicate: 0,
            reorder: 0,
            corrupt: 0,
            ecn: false,
            rate: None,
            model: None,
            clg: 1,
            delay_cor: Crnd::default(),
            loss_cor: Crnd::default(),
            dup_cor: Crnd::default(),
            reorder_cor: Crnd::default(),
            corrupt_cor: Crnd::default(),
            prng: Taus::seeded(seed),
            rng,
            dist: None,
            slot: None,
            slot_dist: None,
            slot_next: None,
            packets_left: 0,
            bytes_left: 0,
            t_list: VecDeque::new(),
            t_heap: BinaryHeap::new(),
            t_heap_max: 0,
            seq: 0,
            reordered: VecDeque::new(),
            watchdog: None,
            child: None,
            nested: false,
            to_root: VecDeque::new(),
            copying: false,
        };
        n.change(opts, now);
        n
    }

    fn init_crandom(&mut self, which: fn(&mut Netem) -> &mut Crnd, rho: u32) {
        let last = rng::range_u32(&mut self.rng, 0, u32::MAX);
        *which(self) = Crnd { last, rho };
    }

    /// `netem_change`: what the words set is set; what they leave out (correlations,
    /// reorder, corrupt, rate, ecn, slot, the table, the generator) stays as it was.
    pub fn change(&mut self, o: NetemOpts, now: Instant) {
        self.model = o.model;
        if o.model.is_some() {
            self.clg = 1;
        }
        if let Some(d) = o.dist {
            self.dist = dist::table(d);
        }
        if let Some(s) = o.slot.and_then(|s| s.dist) {
            self.slot_dist = dist::table(s);
        }
        self.limit = o.limit;
        self.latency = i64::from(o.latency) << 6;
        self.jitter = i64::from(o.jitter) << 6;
        self.gap = o.gap;
        self.counter = 0;
        self.loss = o.loss;
        self.duplicate = o.duplicate;
        if self.gap != 0 {
            self.reorder = u32::MAX;
        }
        if let Some([d, l, u]) = o.corr {
            self.init_crandom(|n| &mut n.delay_cor, d);
            self.init_crandom(|n| &mut n.loss_cor, l);
            self.init_crandom(|n| &mut n.dup_cor, u);
        }
        if let Some((p, c)) = o.reorder {
            self.reorder = p;
            self.init_crandom(|n| &mut n.reorder_cor, c);
        }
        if let Some((p, c)) = o.corrupt {
            self.corrupt = p;
            self.init_crandom(|n| &mut n.corrupt_cor, c);
        }
        if o.rate.is_some() {
            self.rate = o.rate;
        }
        if o.ecn {
            self.ecn = true;
        }
        if let Some(s) = o.slot {
            self.slot = Some(s);
            let on = s.min_delay | s.max_delay | s.dist_jitter != 0;
            self.slot_next = on.then_some(now.as_nanos());
            self.packets_left = if s.max_packets == 0 { i32::MAX } else { s.max_packets };
            self.bytes_left = if s.max_bytes == 0 { i32::MAX } else { s.max_bytes };
        }
        self.jitter = self.jitter.abs().min(i64::from(i32::MAX));
        if let Some(seed) = o.seed {
            self.prng = Taus::seeded(seed);
        }
        // What `tc qdisc show` reads back: the new words over what stays.
        let mut shown = o;
        if shown.corr.is_none() {
            shown.corr = self.shown.corr;
        }
        if shown.reorder.is_none() {
            shown.reorder = self.shown.reorder;
        }
        if shown.corrupt.is_none() {
            shown.corrupt = self.shown.corrupt;
        }
        shown.rate = self.rate;
        shown.ecn = self.ecn;
        shown.slot = self.slot;
        shown.seed = shown.seed.or(self.shown.seed);
        self.shown = shown;
    }

    fn loss_event(&mut self) -> bool {
        match self.model {
            None => self.loss != 0 && self.loss >= crandom(&mut self.loss_cor, &mut self.prng),
            Some(Model::State([p13, p31, p32, p23, p14])) => {
                let rnd = self.prng.next();
                match self.clg {
                    1 if rnd < p14 => {
                        self.clg = 3;
                        true
                    }
                    1 if rnd < p13.wrapping_add(p14) => {
                        self.clg = 4;
                        true
                    }
                    1 => false,
                    2 if rnd < p23 => {
                        self.clg = 4;
                        true
                    }
                    2 => false,
                    4 if rnd < p32 => {
                        self.clg = 2;
                        false
                    }
                    4 if rnd < p31.wrapping_add(p32) => {
                        self.clg = 1;
                        false
                    }
                    4 => true,
                    _ => {
                        self.clg = 1;
                        false
                    }
                }
            }
            Some(Model::Ge([p, r, h, k1])) => {
                if self.clg == 1 {
                    if self.prng.next() < p {
                        self.clg = 2;
                    }
                    self.prng.next() < k1
                } else {
                    if self.prng.next() < r {
                        self.clg = 1;
                    }
                    self.prng.next() > h
                }
            }
        }
    }

    /// `packet_time_ns`.
    fn packet_time(&self, len: u32, r: &RateOpts) -> u64 {
        let mut len = u64::from(len).wrapping_add(r.packet_overhead as i64 as u64);
        let l = len as u32;
        if let Some(mut cells) = l.checked_div(r.cell_size) {
            if l > cells * r.cell_size {
                cells += 1;
            }
            len = u64::from(cells.wrapping_mul(r.cell_size.wrapping_add(r.cell_overhead as u32)));
        }
        len.wrapping_mul(1_000_000_000) / r.rate.max(1)
    }

    /// `netem_enqueue`.
    pub fn enqueue(&mut self, now: Instant, f: Buf, stats: &mut Stats, pool: &mut Vec<Buf>) -> Result<(), Refused> {
        self.enqueue_one(now, f, stats, pool, false)
    }

    fn enqueue_one(
        &mut self,
        now: Instant,
        mut f: Buf,
        stats: &mut Stats,
        pool: &mut Vec<Buf>,
        is_dup: bool,
    ) -> Result<(), Refused> {
        let mut count = 1;
        if self.duplicate != 0
            && !is_dup
            && !self.copying
            && self.duplicate >= crandom(&mut self.dup_cor, &mut self.prng)
        {
            count += 1;
        }
        if self.loss_event() {
            if self.ecn && set_ce(&mut f) {
                stats.drops += 1;
            } else {
                count -= 1;
            }
        }
        if count == 0 {
            // NET_XMIT_SUCCESS | __NET_XMIT_BYPASS: the sender is not told.
            stats.drops += 1;
            return Err(Refused::quiet(f));
        }
        let dup = (count > 1).then(|| {
            let mut d = pool.pop().unwrap_or_default();
            d.clear();
            d.extend_from_slice(&f);
            d
        });
        if self.corrupt != 0 && self.corrupt >= crandom(&mut self.corrupt_cor, &mut self.prng) && !f.is_empty() {
            let at = rng::range_u32(&mut self.rng, 0, f.len() as u32 - 1) as usize;
            f[at] ^= 1 << rng::range_u32(&mut self.rng, 0, 7);
        }
        if stats.qlen >= self.limit {
            stats.drops += 1;
            if let Some(d) = dup {
                pool.push(d);
            }
            return Err(Refused::drop(f));
        }
        if let Some(d) = dup {
            // The copy goes through the root qdisc first, as a packet of its own: this one
            // at the root; below another qdisc, the device enqueues it at the root after
            // this call (`Dev::xmit`).
            if self.nested {
                self.to_root.push_back(d);
            } else if let Err(d) = self.enqueue_one(now, d, stats, pool, true) {
                pool.push(d.buf);
            }
        }
        let len = f.len() as u32;
        let now_ns = now.as_nanos();
        if self.gap == 0 || self.counter < self.gap - 1 || self.reorder < crandom(&mut self.reorder_cor, &mut self.prng)
        {
            let mut delay =
                tabledist(self.latency, self.jitter as i32, Some(&mut self.delay_cor), &mut self.prng, self.dist);
            let mut base = now_ns as i64;
            if let Some(r) = self.rate.filter(|r| r.rate != 0) {
                let last = [
                    self.reordered.back().map(|(t, _)| *t),
                    (!self.t_heap.is_empty()).then_some(self.t_heap_max),
                    self.t_list.back().map(|(t, _, _)| *t),
                ]
                .into_iter()
                .flatten()
                .max();
                if let Some(last) = last {
                    delay = (delay - (last as i64 - now_ns as i64)).max(0);
                    base = last as i64;
                }
                delay = delay.wrapping_add(self.packet_time(len, &r) as i64);
            }
            let tts = base.wrapping_add(delay).max(0) as u64;
            self.counter = self.counter.wrapping_add(1);
            self.tfifo_enqueue(tts, f, is_dup || self.copying);
        } else {
            self.counter = 0;
            self.reordered.push_front((now_ns, f));
            stats.requeues += 1;
        }
        stats.enqueued(len);
        Ok(())
    }

    fn tfifo_enqueue(&mut self, tts: u64, f: Buf, copy: bool) {
        if self.t_list.back().is_none_or(|(t, _, _)| tts >= *t) {
            self.t_list.push_back((tts, f, copy));
        } else {
            if self.t_heap.is_empty() || tts > self.t_heap_max {
                self.t_heap_max = tts;
            }
            self.seq += 1;
            self.t_heap.push(Timed { tts, seq: self.seq, buf: f, copy });
        }
    }

    /// The earliest frame's send time, and whether it is in the heap.
    fn peek(&self) -> Option<(u64, bool)> {
        let h = self.t_heap.peek().map(|t| t.tts);
        let l = self.t_list.front().map(|(t, _, _)| *t);
        match (h, l) {
            (Some(h), Some(l)) if h < l => Some((h, true)),
            (Some(h), None) => Some((h, true)),
            (_, Some(l)) => Some((l, false)),
            (None, None) => None,
        }
    }

    fn slot_next_at(&mut self, now: u64) {
        let Some(s) = self.slot else { return };
        let next = match self.slot_dist {
            None => {
                let r = u64::from(rng::range_u32(&mut self.rng, 0, u32::MAX));
                // `mul_u64_u32_shr`: a 128-bit product.
                s.min_delay + ((u128::from((s.max_delay - s.min_delay) as u64) * u128::from(r)) >> 32) as i64
            }
            Some(t) => {
                tabledist(s.dist_delay, s.dist_jitter.min(i64::from(i32::MAX)) as i32, None, &mut self.prng, Some(t))
            }
        };
        self.slot_next = Some((now as i64 + next).max(0) as u64);
        self.packets_left = if s.max_packets == 0 { i32::MAX } else { s.max_packets };
        self.bytes_left = if s.max_bytes == 0 { i32::MAX } else { s.max_bytes };
    }

    /// `netem_dequeue`: reordered frames first, then the earliest frame once it is due
    /// (and its slot open) — handed to the child qdisc if there is one, whose frames then
    /// go — else the watchdog is set for then. A frame the child refuses is a drop here and
    /// in every qdisc above (`lost`).
    pub fn dequeue(&mut self, now: Instant, stats: &mut Stats, pool: &mut Vec<Buf>, lost: &mut Lost) -> Option<Buf> {
        loop {
            if let Some((_, f)) = self.reordered.pop_front() {
                stats.dequeued(f.len() as u32);
                return Some(f);
            }
            let Some((tts, in_heap)) = self.peek() else { break };
            let now_ns = now.as_nanos();
            if self.slot_next.is_some_and(|s| s < tts) {
                self.slot_next_at(now_ns);
            }
            let slot = self.slot_next.unwrap_or(0);
            if tts <= now_ns && slot <= now_ns {
                let (f, copy) = if in_heap {
                    let t = self.t_heap.pop()?;
                    (t.buf, t.copy)
                } else {
                    let (_, f, copy) = self.t_list.pop_front()?;
                    (f, copy)
                };
                if self.slot_next.is_some() {
                    self.packets_left = self.packets_left.wrapping_sub(1);
                    self.bytes_left = self.bytes_left.wrapping_sub(f.len() as i32);
                    if self.packets_left <= 0 || self.bytes_left <= 0 {
                        self.slot_next_at(now_ns);
                    }
                }
                self.watchdog = None;
                if let Some(c) = self.child.as_mut() {
                    let len = f.len() as u32;
                    // A copy stays one below too: no netem there duplicates it.
                    if copy {
                        c.each_netem(&mut |n| n.copying = true);
                    }
                    let r = c.enqueue(now, f, pool);
                    if copy {
                        c.each_netem(&mut |n| n.copying = false);
                    }
                    if let Err(r) = r {
                        // (netem's loss, `__NET_XMIT_BYPASS`, counts as a drop too:
                        // `net_xmit_drop_count` looks only at `__NET_XMIT_STOLEN`.)
                        pool.push(r.buf);
                        stats.drops += 1;
                        stats.backlog -= len;
                        stats.qlen -= 1;
                        lost.packets += 1;
                        lost.bytes += len;
                    }
                    continue;
                }
                stats.dequeued(f.len() as u32);
                return Some(f);
            }
            if let Some(f) = self.child_dequeue(now, stats, pool, lost) {
                return Some(f);
            }
            self.watchdog = Some(Instant::from_nanos(tts.max(slot)));
            return None;
        }
        self.child_dequeue(now, stats, pool, lost)
    }

    fn child_dequeue(&mut self, now: Instant, stats: &mut Stats, pool: &mut Vec<Buf>, lost: &mut Lost) -> Option<Buf> {
        let c = self.child.as_mut()?;
        let mut sub = Lost::default();
        let f = c.dequeue(now, pool, &mut sub);
        lost.take(sub, stats);
        let f = f?;
        stats.dequeued(f.len() as u32);
        Some(f)
    }

    /// True when it duplicates frames.
    pub fn duplicates(&self) -> bool {
        self.duplicate != 0
    }

    /// When its own watchdog fires (while its time queue holds frames; a child's is its
    /// own).
    pub fn watchdog(&self) -> Option<Instant> {
        self.watchdog.filter(|_| !(self.t_list.is_empty() && self.t_heap.is_empty()))
    }

    /// `netem_reset`: the queue emptied.
    pub fn reset(&mut self, stats: &mut Stats, pool: &mut Vec<Buf>) {
        if let Some(c) = self.child.as_mut() {
            c.reset(Instant::ZERO, pool);
        }
        pool.extend(self.to_root.drain(..));
        pool.extend(self.t_list.drain(..).map(|(_, b, _)| b));
        pool.extend(self.t_heap.drain().map(|t| t.buf));
        pool.extend(self.reordered.drain(..).map(|(_, b)| b));
        stats.backlog = 0;
        stats.qlen = 0;
        self.watchdog = None;
    }

    /// What `netem_print_opt` prints (iproute2 6.1's order and spacing).
    pub fn print(&self) -> String {
        let o = &self.shown;
        let pct = |p: u32| format!("{}%", units::g(100.0 * f64::from(p) / f64::from(u32::MAX), 6));
        let corr = o.corr.unwrap_or([0; 3]);
        let mut s = format!("limit {}", o.limit as i32);
        if o.latency != 0 {
            s += &format!(" delay {}", units::time(units::tick2time(o.latency)));
            // The kernel keeps jitter at most INT_MAX ns.
            let jitter = (u64::from(o.jitter) << 6).min(i32::MAX as u64) >> 6;
            if jitter != 0 {
                s += &format!("  {}", units::time(units::tick2time(jitter as u32)));
                if corr[0] != 0 {
                    s += &format!(" {}", pct(corr[0]));
                }
            }
        }
        if o.loss != 0 {
            s += &format!(" loss {}", pct(o.loss));
            if corr[1] != 0 {
                s += &format!(" {}", pct(corr[1]));
            }
        }
        match o.model {
            Some(Model::State(m)) => {
                s += &format!(
                    " loss state p13 {} p31 {} p32 {} p23 {} p14 {}",
                    pct(m[0]),
                    pct(m[1]),
                    pct(m[2]),
                    pct(m[3]),
                    pct(m[4])
                );
            }
            Some(Model::Ge(m)) => {
                s += &format!(
                    " loss gemodel p {} r {} 1-h {} 1-k {}",
                    pct(m[0]),
                    pct(m[1]),
                    pct(u32::MAX - m[2]),
                    pct(m[3])
                );
            }
            None => {}
        }
        if o.duplicate != 0 {
            s += &format!(" duplicate {}", pct(o.duplicate));
            if corr[2] != 0 {
                s += &format!(" {}", pct(corr[2]));
            }
        }
        if let Some((p, c)) = o.reorder.filter(|(p, _)| *p != 0) {
            s += &format!(" reorder {}", pct(p));
            if c != 0 {
                s += &format!(" {}", pct(c));
            }
        }
        if let Some((p, c)) = o.corrupt.filter(|(p, _)| *p != 0) {
            s += &format!(" corrupt {}", pct(p));
            if c != 0 {
                s += &format!(" {}", pct(c));
            }
        }
        if let Some(r) = o.rate.filter(|r| r.rate != 0) {
            s += &format!(" rate {}", units::rate(r.rate));
            if r.packet_overhead != 0 {
                s += &format!(" packetoverhead {}", r.packet_overhead);
            }
            if r.cell_size != 0 {
                s += &format!(" cellsize {}", r.cell_size);
            }
            if r.cell_overhead != 0 {
                s += &format!(" celloverhead {}", r.cell_overhead);
            }
        }
        // The kernel dumps a slot only when it has a length, INT_MAX limits as none, and
        // the jitter as it keeps it (at most INT_MAX ns).
        if let Some(mut sl) = o.slot.filter(|s| s.min_delay | s.max_delay | s.dist_jitter != 0) {
            sl.dist_jitter = sl.dist_jitter.min(i64::from(i32::MAX));
            for v in [&mut sl.max_packets, &mut sl.max_bytes] {
                if *v == i32::MAX {
                    *v = 0;
                }
            }
            if sl.dist_jitter > 0 {
                s += &format!(" slot distribution {} {}", time64(sl.dist_delay), time64(sl.dist_jitter));
            } else {
                s += &format!(" slot {} {}", time64(sl.min_delay), time64(sl.max_delay));
            }
            if sl.max_packets != 0 {
                s += &format!(" packets {}", sl.max_packets);
            }
            if sl.max_bytes != 0 {
                s += &format!(" bytes {}", sl.max_bytes);
            }
        }
        if let Some(seed) = o.seed {
            s += &format!(" seed {seed}");
        }
        if o.ecn {
            s += " ecn ";
        }
        if o.gap != 0 {
            s += &format!(" gap {}", o.gap);
        }
        s
    }
}

/// `sprint_time64`: nanoseconds.
fn time64(ns: i64) -> String {
    let n = ns as f64;
    if ns >= 1_000_000_000 {
        format!("{}s", units::g(n / 1e9, 3))
    } else if ns >= 1_000_000 {
        format!("{}ms", units::g(n / 1e6, 3))
    } else if ns >= 1000 {
        format!("{}us", units::g(n / 1e3, 3))
    } else {
        format!("{ns}ns")
    }
}

/// `INET_ECN_set_ce` on an IPv4 frame: ECT becomes CE (the header checksum redone); true
/// when the packet carries CE now.
fn set_ce(f: &mut [u8]) -> bool {
    if f.len() < 34 || f[12..14] != [0x08, 0x00] {
        return false;
    }
    match f[15] & 3 {
        0 => false,
        3 => true,
        _ => {
            f[15] |= 3;
            let ihl = usize::from(f[14] & 0x0f) * 4;
            if f.len() >= 14 + ihl && ihl >= 20 {
                f[24..26].copy_from_slice(&[0, 0]);
                let c = crate::wire::checksum(&f[14..14 + ihl]);
                f[24..26].copy_from_slice(&c.to_be_bytes());
            }
            true
        }
    }
}

#[cfg(test)]
mod tests;
