//! `htb`, the hierarchical token bucket, as `net/sched/sch_htb.c` runs it: classes with a
//! rate (tokens) and a ceil (ctokens) kept as nanoseconds of transmit time, a leaf sending
//! on its own tokens, borrowing from the nearest ancestor that has some, or waiting;
//! lower levels, then lower `prio`, first, and a deficit round robin by `quantum` among
//! equals; `lended`/`borrowed` and overlimits (a class entering "can't send") counted as
//! `htb_charge_class` counts them. Unclassified traffic goes to the `default` class, or
//! the direct queue, which is sent first and unshaped. Filters are `u32` ([`crate::tc::u32`]).
//!
//! One simplification: a class's mode is worked out from its tokens when it is needed
//! (the kernel keeps it in a wait queue and updates it when its time comes, which is the
//! same but for a charge made before an ancestor's update in the same dequeue).

pub mod parse;

use super::u32::{Proto, U32, show_classid};
use super::units::{self, RateCfg};
use super::{Buf, Lost, Qdisc, Refused, Stats};
pub use parse::{ClassOpts, HtbOpts, USAGE, parse_class, parse_qdisc};
use sim_core::{Duration, Instant};
use std::collections::{BTreeMap, VecDeque};

/// Longest a class accumulates tokens for (`mbuffer`, 60 s).
const MBUFFER: i64 = 60_000_000_000;
/// `TC_HTB_MAXDEPTH`.
const MAXDEPTH: u8 = 8;
/// A leaf's pfifo limit and the direct queue's default: the device's `txqueuelen`.
const TX_QUEUE_LEN: u32 = 1000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    CantSend,
    MayBorrow,
    CanSend,
}

/// One class.
#[derive(Debug)]
pub struct Class {
    /// Its id (`1:10` is 0x10010).
    pub id: u32,
    /// Its parent class (`None`: a root class).
    pub parent: Option<u32>,
    /// 0 for a leaf; an inner class one less than its parent's (7 at the root).
    pub level: u8,
    opts: ClassOpts,
    rate: RateCfg,
    ceil: RateCfg,
    buffer: i64,
    cbuffer: i64,
    tokens: i64,
    ctokens: i64,
    t_c: Instant,
    quantum: u32,
    prio: u8,
    deficit: [i64; MAXDEPTH as usize],
    /// A leaf's builtin pfifo, used while no qdisc is grafted to it.
    queue: VecDeque<Buf>,
    /// A qdisc grafted to this leaf (`parent 1:10`), which then holds its frames.
    pub child: Option<Box<Qdisc>>,
    /// Counters (a leaf's Sent is what left it; an inner class's what it was charged; a
    /// leaf with a child shows the child's backlog and queue length — its own are not kept
    /// up to date then: [`Class::shown_stats`]).
    pub stats: Stats,
    lends: u32,
    borrows: u32,
    children: u32,
    /// Its rate estimator (`est`), if it was given one.
    pub est: Option<Box<crate::tc::estimator::Estimator>>,
}

impl Class {
    /// Frames waiting in this leaf (in its pfifo or its child).
    fn qlen(&self) -> u32 {
        match &self.child {
            Some(c) => c.stats.qlen,
            None => self.queue.len() as u32,
        }
    }

    /// Its counters as `tc -s class show` prints them.
    pub fn shown_stats(&self) -> Stats {
        match &self.child {
            Some(c) => Stats { backlog: c.stats.backlog, qlen: c.stats.qlen, ..self.stats },
            None => self.stats,
        }
    }

    fn mode(&self, now: Instant) -> Mode {
        let diff = ((now - self.t_c).as_nanos() as i64).min(MBUFFER);
        mode_of(self.tokens, self.ctokens, diff)
    }

    /// When its mode will next improve, from what it is `now` (not `CanSend`): the ceil's
    /// debt paid while it cannot send, the rate's while it may only borrow.
    fn next_change(&self, now: Instant) -> Instant {
        let owed = if self.mode(now) == Mode::CantSend { -self.ctokens } else { -self.tokens };
        self.t_c + Duration::from_nanos(owed.max(1) as u64)
    }

    /// `htb_change_class` on an existing class: rates and bursts, tokens kept.
    fn set(&mut self, o: ClassOpts, r2q: u32) -> Option<String> {
        self.rate = RateCfg::new(o.rate, o.overhead).with_mpu(o.mpu);
        self.ceil = RateCfg::new(o.ceil, o.overhead).with_mpu(o.mpu);
        self.buffer = i64::from(o.buffer) << 6;
        self.cbuffer = i64::from(o.cbuffer) << 6;
        self.opts = o;
        let mut warn = None;
        if self.level == 0 {
            let q = (o.rate / u64::from(r2q.max(1))).min(i32::MAX as u64) as u32;
            self.quantum = match o.quantum {
                0 if q < 1000 => {
                    warn = Some("small");
                    1000
                }
                0 if q > 200_000 => {
                    warn = Some("big");
                    200_000
                }
                0 => q,
                n => n,
            };
            self.prio = o.prio.min(7) as u8;
        }
        warn.map(|w| format!("Warning: sch_htb: quantum of class {:X} is {w}. Consider r2q change.", self.id))
    }
}

fn mode_of(tokens: i64, ctokens: i64, diff: i64) -> Mode {
    if ctokens + diff < 0 {
        Mode::CantSend
    } else if tokens + diff >= 0 {
        Mode::CanSend
    } else {
        Mode::MayBorrow
    }
}

/// `htb_accnt_tokens`: refill by `diff` up to `buffer`, pay for the frame.
fn accnt(tokens: i64, diff: i64, buffer: i64, cost: u64) -> i64 {
    let toks = (diff + tokens).min(buffer) - cost as i64;
    if toks <= -MBUFFER { 1 - MBUFFER } else { toks }
}

/// `qdisc_class_hash`: the table `tc class show` walks, so classes list in its order.
#[derive(Debug, Default)]
struct ClassHash {
    buckets: Vec<Vec<u32>>,
    n: usize,
}

impl ClassHash {
    fn bucket(id: u32, size: usize) -> usize {
        let mut h = id;
        h ^= h >> 8;
        h ^= h >> 4;
        (h as usize) & (size - 1)
    }

    /// `qdisc_class_hash_insert` (at the bucket's head), then `_grow` past 3/4 full.
    fn insert(&mut self, id: u32) {
        if self.buckets.is_empty() {
            self.buckets = vec![Vec::new(); 4];
        }
        let b = Self::bucket(id, self.buckets.len());
        self.buckets[b].insert(0, id);
        self.n += 1;
        if self.n * 4 > self.buckets.len() * 3 {
            let size = self.buckets.len() * 2;
            let mut new = vec![Vec::new(); size];
            for old in &self.buckets {
                for &id in old {
                    new[Self::bucket(id, size)].insert(0, id);
                }
            }
            self.buckets = new;
        }
    }

    fn remove(&mut self, id: u32) {
        for b in &mut self.buckets {
            if let Some(i) = b.iter().position(|x| *x == id) {
                b.remove(i);
                self.n -= 1;
                return;
            }
        }
    }

    fn order(&self) -> impl Iterator<Item = u32> + '_ {
        self.buckets.iter().flatten().copied()
    }
}

/// A `u32` filter on the qdisc.
#[derive(Clone, Debug)]
pub struct Filter {
    /// `prio`/`pref`.
    pub prio: u32,
    /// `protocol`.
    pub proto: Proto,
    /// Its hash table (`800:`, `801:` …, one per priority).
    pub ht: u32,
    /// Its node in the table (`800::800` …).
    pub node: u32,
    /// Keys and class.
    pub u32: U32,
}

/// Where `htb_classify` sends a frame.
enum Target {
    Direct,
    Leaf(u32),
}

/// An htb qdisc's state.
#[derive(Debug)]
pub struct Htb {
    /// Its options.
    pub opts: HtbOpts,
    /// Its handle's major number (classes are `major:minor`).
    pub major: u16,
    direct: VecDeque<Buf>,
    direct_pkts: u32,
    classes: BTreeMap<u32, Class>,
    hash: ClassHash,
    /// Its filters, by priority then node.
    pub filters: Vec<Filter>,
    /// Round-robin position per level and priority: the class to serve next.
    ptr: [[u32; 8]; MAXDEPTH as usize],
    /// `near_ev_cache`: per level, when its next event is due — the earliest a waiting
    /// class's mode improves, or a second on when none waits — worked out again only once
    /// it has passed (so a qdisc with frames it cannot send wakes at least once a second).
    near_ev: [Instant; MAXDEPTH as usize],
    watchdog: Option<Instant>,
    /// True once a class has a rate estimator.
    estimators: bool,
}

impl Htb {
    /// `htb_init`.
    pub fn new(opts: HtbOpts, major: u16) -> Self {
        Htb {
            opts: HtbOpts { r2q: opts.r2q.max(1), ..opts },
            major,
            direct: VecDeque::new(),
            direct_pkts: 0,
            classes: BTreeMap::new(),
            hash: ClassHash::default(),
            filters: Vec::new(),
            ptr: [[0; 8]; MAXDEPTH as usize],
            near_ev: [Instant::ZERO; MAXDEPTH as usize],
            watchdog: None,
            estimators: false,
        }
    }

    /// The class `id`.
    pub fn class(&self, id: u32) -> Option<&Class> {
        self.classes.get(&id)
    }

    /// Classes in the order `tc class show` lists them.
    pub fn classes(&self) -> impl Iterator<Item = &Class> + '_ {
        self.hash.order().filter_map(|id| self.classes.get(&id))
    }

    /// `htb_change_class` for a new class `id` under `parent` (an unknown parent makes a
    /// root class, as the kernel does). Returns the quantum warning, if any.
    pub fn add_class(
        &mut self,
        id: u32,
        parent: Option<u32>,
        o: ClassOpts,
        now: Instant,
        stats: &mut Stats,
        pool: &mut Vec<Buf>,
    ) -> Result<Option<String>, String> {
        let parent = parent.filter(|p| self.classes.contains_key(p));
        if let Some(g) = parent.and_then(|p| self.classes[&p].parent)
            && self.classes[&g].level < 2
        {
            return Err("Error: sch_htb: tree is too deep.".into());
        }
        if let Some(p) = parent {
            let grand = self.classes[&p].parent.map(|g| self.classes[&g].level);
            let pc = self.classes.get_mut(&p).expect("parent");
            pc.children += 1;
            if pc.level == 0 {
                // A leaf with a child becomes an inner class: what it held is dropped,
                // its qdisc with it.
                for f in pc.queue.drain(..) {
                    stats.backlog -= f.len() as u32;
                    stats.qlen -= 1;
                    stats.drops += 1;
                    pool.push(f);
                }
                if let Some(mut q) = pc.child.take() {
                    Lost::default().take(Lost { packets: q.stats.qlen, bytes: q.stats.backlog }, stats);
                    q.reset(now, pool);
                }
                pc.stats.backlog = 0;
                pc.stats.qlen = 0;
                pc.level = grand.unwrap_or(MAXDEPTH) - 1;
                // The kernel makes it CAN_SEND until its next charge.
                pc.tokens = pc.tokens.max(0);
                pc.ctokens = pc.ctokens.max(0);
            }
        }
        let mut c = Class {
            id,
            parent,
            level: 0,
            opts: o,
            rate: RateCfg::default(),
            ceil: RateCfg::default(),
            buffer: 0,
            cbuffer: 0,
            tokens: i64::from(o.buffer) << 6,
            ctokens: i64::from(o.cbuffer) << 6,
            t_c: now,
            quantum: 0,
            prio: 0,
            deficit: [0; MAXDEPTH as usize],
            queue: VecDeque::new(),
            est: None,
            child: None,
            stats: Stats::default(),
            lends: 0,
            borrows: 0,
            children: 0,
        };
        let warn = c.set(o, self.opts.r2q);
        self.classes.insert(id, c);
        self.hash.insert(id);
        Ok(warn)
    }

    /// Gives class `id` a rate estimator at `now` (`gen_new_estimator`, or
    /// `gen_replace_estimator` keeping the old one's averages).
    pub fn set_estimator(&mut self, id: u32, o: crate::tc::estimator::EstOpts, now: Instant) {
        if let Some(c) = self.classes.get_mut(&id) {
            c.est = Some(Box::new(crate::tc::estimator::Estimator::new(o, now, &c.stats, c.est.as_deref())));
            self.estimators = true;
        }
    }

    /// `htb_change_class` on an existing class.
    pub fn change_class(&mut self, id: u32, o: ClassOpts) -> Option<String> {
        let r2q = self.opts.r2q;
        self.classes.get_mut(&id).and_then(|c| c.set(o, r2q))
    }

    /// `htb_delete`: refused while it has children or a filter points at it.
    pub fn delete_class(&mut self, id: u32, stats: &mut Stats, pool: &mut Vec<Buf>) -> Result<(), String> {
        let Some(c) = self.classes.get(&id) else {
            return Err("RTNETLINK answers: No such file or directory".into());
        };
        if c.children > 0 || self.filters.iter().any(|f| f.u32.flowid == id) {
            return Err("Error: HTB class in use.".into());
        }
        let mut c = self.classes.remove(&id).expect("present");
        self.hash.remove(id);
        for f in c.queue.drain(..) {
            stats.backlog -= f.len() as u32;
            stats.qlen -= 1;
            stats.drops += 1;
            pool.push(f);
        }
        if let Some(mut q) = c.child.take() {
            Lost::default().take(Lost { packets: q.stats.qlen, bytes: q.stats.backlog }, stats);
            q.reset(Instant::ZERO, pool);
        }
        if let Some(p) = c.parent.and_then(|p| self.classes.get_mut(&p)) {
            p.children -= 1;
            if p.children == 0 {
                // Its last child gone, the parent is a leaf again.
                p.level = 0;
                p.tokens = p.buffer;
                p.ctokens = p.cbuffer;
                let o = p.opts;
                let r2q = self.opts.r2q;
                let _ = p.set(o, r2q);
            }
        }
        Ok(())
    }

    fn classify(&self, f: &[u8]) -> Target {
        let ipv4 = f.len() >= 14 && f[12..14] == [0x08, 0x00];
        let ip = f.get(14..).unwrap_or_default();
        let mut skip_prio = None;
        for flt in &self.filters {
            if flt.proto == Proto::Ip && !ipv4 || skip_prio == Some(flt.prio) {
                continue;
            }
            match flt.u32.matches(ip) {
                // Too short to read a key: that priority's table stops matching.
                None => skip_prio = Some(flt.prio),
                Some(false) => {}
                Some(true) => {
                    let id = flt.u32.flowid;
                    if id == u32::from(self.major) << 16 {
                        return Target::Direct;
                    }
                    match self.classes.get(&id) {
                        Some(c) if c.level == 0 => return Target::Leaf(id),
                        _ => break,
                    }
                }
            }
        }
        let def = u32::from(self.major) << 16 | (self.opts.defcls & 0xffff);
        match self.classes.get(&def) {
            Some(c) if c.level == 0 && self.opts.defcls != 0 => Target::Leaf(def),
            _ => Target::Direct,
        }
    }

    /// The qdiscs grafted to its leaves.
    pub fn children(&self) -> impl Iterator<Item = &Qdisc> + '_ {
        self.classes.values().filter_map(|c| c.child.as_deref())
    }

    pub(crate) fn children_mut(&mut self) -> impl Iterator<Item = &mut Qdisc> + '_ {
        self.classes.values_mut().filter_map(|c| c.child.as_deref_mut())
    }

    /// Where a qdisc grafted to class `id` goes (`htb_graft`: leaves only).
    pub(crate) fn leaf_slot(&mut self, id: u32) -> Result<&mut Option<Box<Qdisc>>, String> {
        match self.classes.get_mut(&id) {
            None => Err("Error: Specified class not found.".into()),
            Some(c) if c.level > 0 => Err("RTNETLINK answers: Invalid argument".into()),
            Some(c) => Ok(&mut c.child),
        }
    }

    /// Empties leaf `id`'s pfifo (a qdisc was grafted in its place, or taken away): what
    /// it held. The class's queue counts start again from its new qdisc's.
    pub(crate) fn flush_leaf(&mut self, id: u32, pool: &mut Vec<Buf>) -> (u32, u32) {
        let Some(c) = self.classes.get_mut(&id) else { return (0, 0) };
        let n = c.queue.len() as u32;
        let b = c.queue.iter().map(|f| f.len() as u32).sum();
        pool.extend(c.queue.drain(..));
        c.stats.backlog = 0;
        c.stats.qlen = 0;
        (n, b)
    }

    /// `htb_enqueue`.
    pub fn enqueue(&mut self, now: Instant, f: Buf, stats: &mut Stats, pool: &mut Vec<Buf>) -> Result<(), Refused> {
        let len = f.len() as u32;
        match self.classify(&f) {
            Target::Direct => {
                if self.direct.len() as u32 >= self.opts.direct_qlen.unwrap_or(TX_QUEUE_LEN) {
                    stats.drops += 1;
                    return Err(Refused::drop(f));
                }
                self.direct.push_back(f);
                self.direct_pkts += 1;
            }
            Target::Leaf(id) => {
                let c = self.classes.get_mut(&id).expect("classified to a class");
                let r = match c.child.as_mut() {
                    Some(q) => q.enqueue(now, f, pool),
                    None if c.queue.len() as u32 >= TX_QUEUE_LEN => Err(Refused::drop(f)),
                    None => {
                        c.queue.push_back(f);
                        Ok(())
                    }
                };
                if r.is_err() {
                    // (netem's loss too: `net_xmit_drop_count` ignores `__NET_XMIT_BYPASS`.)
                    stats.drops += 1;
                    c.stats.drops += 1;
                    return r;
                }
                c.stats.enqueued(len);
            }
        }
        stats.enqueued(len);
        Ok(())
    }

    /// The level a leaf may send at now: 0 on its own tokens, an ancestor's level when it
    /// borrows from it; `None` while it (or every lender) cannot send.
    fn send_level(&self, leaf: &Class, now: Instant) -> Option<u8> {
        let mut c = leaf;
        loop {
            match c.mode(now) {
                Mode::CanSend => return Some(c.level),
                Mode::CantSend => return None,
                Mode::MayBorrow => c = self.classes.get(&c.parent?)?,
            }
        }
    }

    /// `htb_dequeue`: the direct queue first; then, lowest level first and lowest prio
    /// first, the class the row's round robin points at. A leaf whose qdisc gives nothing
    /// though it holds frames (a netem child waiting) is passed over, the row's pointer
    /// moving on (`htb_dequeue_tree`).
    pub fn dequeue(&mut self, now: Instant, stats: &mut Stats, pool: &mut Vec<Buf>, lost: &mut Lost) -> Option<Buf> {
        // The classes' counters change only here: their estimators' ticks until now see
        // them as they were.
        if self.estimators {
            for c in self.classes.values_mut() {
                if let Some(e) = c.est.as_mut() {
                    e.sync(now, &c.stats);
                }
            }
        }
        if let Some(f) = self.direct.pop_front() {
            stats.dequeued(f.len() as u32);
            return Some(f);
        }
        if stats.qlen == 0 {
            self.watchdog = None;
            return None;
        }
        // Every (level, prio) with a class that may send, as bits `level * 8 + prio`.
        let mut rows = 0u64;
        for c in self.classes.values().filter(|c| c.level == 0 && c.qlen() > 0) {
            if let Some(l) = self.send_level(c, now) {
                rows |= 1 << (u32::from(l) * 8 + u32::from(c.prio));
            }
        }
        // The kernel visits the levels in order, each one's event first, until one sends.
        let mut next = now + Duration::from_secs(5);
        let mut seen = 0;
        while rows != 0 {
            let k = rows.trailing_zeros();
            rows &= rows - 1;
            let (level, prio) = ((k / 8) as u8, (k % 8) as u8);
            for l in seen..=level {
                next = next.min(self.level_event(l, now));
            }
            seen = level + 1;
            let mut start = None;
            // At most one try per class: a leaf whose qdisc dropped its frames while giving
            // none leaves the row, and `start` might never come round again.
            let mut tries = self.classes.len();
            loop {
                if tries == 0 {
                    break;
                }
                tries -= 1;
                let ptr = self.ptr[level as usize][prio as usize];
                let (mut first, mut from_ptr) = (None, None);
                for c in self.classes.values().filter(|c| c.level == 0 && c.prio == prio && c.qlen() > 0) {
                    if self.send_level(c, now) == Some(level) {
                        first = first.or(Some(c.id));
                        if c.id >= ptr {
                            from_ptr = Some(c.id);
                            break;
                        }
                    }
                }
                let Some(id) = from_ptr.or(first) else { break };
                if start == Some(id) {
                    break;
                }
                start = start.or(Some(id));
                let c = self.classes.get_mut(&id).expect("ready");
                let f = match c.child.as_mut() {
                    Some(q) => {
                        let mut sub = Lost::default();
                        let f = q.dequeue(now, pool, &mut sub);
                        lost.take(sub, stats);
                        f
                    }
                    None => c.queue.pop_front(),
                };
                let Some(f) = f else {
                    // `qdisc_warn_nonwc`, and the row's pointer moves on.
                    self.ptr[level as usize][prio as usize] = id.wrapping_add(1);
                    continue;
                };
                let len = f.len() as u32;
                c.stats.dequeued(len);
                c.deficit[level as usize] -= i64::from(len);
                let mut next = if c.deficit[level as usize] < 0 {
                    c.deficit[level as usize] += i64::from(c.quantum);
                    id.wrapping_add(1)
                } else {
                    id
                };
                let emptied = c.qlen() == 0;
                self.charge(id, level, len, now, stats);
                // A class leaving its row (emptied, or no longer sending at this level)
                // moves the row's pointer on (`htb_remove_class_from_row`).
                if level == 0 && (emptied || self.classes.get(&id).is_some_and(|c| c.mode(now) != Mode::CanSend)) {
                    next = id.wrapping_add(1);
                }
                self.ptr[level as usize][prio as usize] = next;
                stats.dequeued(len);
                self.watchdog = None;
                return Some(f);
            }
        }
        for l in seen..MAXDEPTH {
            next = next.min(self.level_event(l, now));
        }
        self.watchdog = Some(next);
        None
    }

    /// Level `level`'s next event (`htb_do_events` when the cached one has passed).
    fn level_event(&mut self, level: u8, now: Instant) -> Instant {
        let l = usize::from(level);
        if now >= self.near_ev[l] {
            let waiting = self.classes.values().filter(|c| c.level == level && c.mode(now) != Mode::CanSend);
            let first = waiting.map(|c| c.next_change(now)).filter(|t| *t > now).min();
            self.near_ev[l] = first.unwrap_or(now + Duration::from_secs(1));
        }
        self.near_ev[l]
    }

    /// `htb_charge_class`: the leaf and every ancestor pay for `len` bytes.
    fn charge(&mut self, leaf: u32, level: u8, len: u32, now: Instant, stats: &mut Stats) {
        let mut at = Some(leaf);
        while let Some(id) = at {
            let Some(c) = self.classes.get_mut(&id) else { break };
            let old = c.mode(now);
            let diff = ((now - c.t_c).as_nanos() as i64).min(MBUFFER);
            if c.level >= level {
                if c.level == level {
                    c.lends += 1;
                }
                c.tokens = accnt(c.tokens, diff, c.buffer, c.rate.l2t(len));
            } else {
                c.borrows += 1;
                c.tokens += diff;
            }
            c.ctokens = accnt(c.ctokens, diff, c.cbuffer, c.ceil.l2t(len));
            c.t_c = now;
            let mode = mode_of(c.tokens, c.ctokens, 0);
            if mode == Mode::CantSend && old != Mode::CantSend {
                c.stats.overlimits += 1;
                stats.overlimits += 1;
            }
            if mode != old && mode != Mode::CanSend {
                // `htb_add_to_wait_tree`: the level's event comes no later than this one.
                let l = usize::from(c.level);
                self.near_ev[l] = self.near_ev[l].min(c.next_change(now));
            }
            if c.level > 0 {
                c.stats.bytes += u64::from(len);
                c.stats.packets += 1;
            }
            at = c.parent;
        }
    }

    /// When its own watchdog fires (its leaves' qdiscs have their own).
    pub fn watchdog(&self) -> Option<Instant> {
        self.watchdog
    }

    /// `htb_reset`: every queue emptied.
    pub fn reset(&mut self, stats: &mut Stats, pool: &mut Vec<Buf>) {
        pool.extend(self.direct.drain(..));
        for c in self.classes.values_mut() {
            pool.extend(c.queue.drain(..));
            if let Some(q) = c.child.as_mut() {
                q.reset(Instant::ZERO, pool);
            }
            c.stats.backlog = 0;
            c.stats.qlen = 0;
        }
        stats.backlog = 0;
        stats.qlen = 0;
        self.watchdog = None;
    }

    /// What `htb_print_opt` prints for the qdisc.
    /// (`details`, `-d`: the version of htb's interface, 3.17, as the kernel reports it.)
    pub fn print(&self, details: bool) -> String {
        let def = if self.opts.defcls == 0 { "0".to_string() } else { format!("{:#x}", self.opts.defcls) };
        format!(
            "r2q {} default {def} direct_packets_stat {}{} direct_qlen {}",
            self.opts.r2q,
            self.direct_pkts,
            if details { " ver 3.17" } else { "" },
            self.opts.direct_qlen.unwrap_or(TX_QUEUE_LEN)
        )
    }

    /// `htb_print_opt`'s qdisc options in JSON (`default` as the text's hex string).
    pub fn print_json(&self, w: &mut crate::show::json::JsonWriter) {
        let def = if self.opts.defcls == 0 { "0".to_string() } else { format!("{:#x}", self.opts.defcls) };
        w.number_field("r2q", self.opts.r2q);
        w.string_field("default", &def);
        w.number_field("direct_packets_stat", self.direct_pkts);
        w.number_field("direct_qlen", self.opts.direct_qlen.unwrap_or(TX_QUEUE_LEN));
    }

    /// `tc class show`'s line for class `c` (`leaf`: `leaf H: ` for a leaf with a qdisc
    /// grafted to it). `details` (`-d`): a leaf's quantum, the link layer, each bucket as
    /// `SIZE/CELL mpu SIZE`, the level; `raw` (`-r`): the buckets in ticks.
    pub fn class_line(&self, c: &Class, leaf: &str, details: bool, raw: bool) -> String {
        let parent = match c.parent {
            None => "root ".to_string(),
            Some(p) => format!("parent {} ", show_classid(p)),
        };
        let mut prio = String::new();
        if c.level == 0 {
            prio = format!("prio {} ", c.prio);
            if details {
                prio += &format!("quantum {} ", c.quantum);
            }
        }
        let o = &c.opts;
        let overhead = if o.overhead != 0 { format!("overhead {} ", o.overhead) } else { String::new() };
        let (burst, cburst) =
            (units::size(units::xmitsize(o.rate, o.buffer)), units::size(units::xmitsize(o.ceil, o.cbuffer)));
        let buckets = if details {
            let mpu = units::size(u32::from(o.mpu));
            format!("linklayer ethernet burst {burst}/1 mpu {mpu} cburst {cburst}/1 mpu {mpu} level {} ", c.level)
        } else {
            format!("burst {burst} cburst {cburst} ")
        };
        let ticks = if raw { format!("buffer [{:08x}] cbuffer [{:08x}] ", o.buffer, o.cbuffer) } else { String::new() };
        format!(
            "class htb {} {parent}{leaf}{prio}rate {} {overhead}ceil {} {buckets}{ticks}",
            show_classid(c.id),
            units::rate(o.rate),
            units::rate(o.ceil),
        )
    }

    /// `htb_print_xstats`: what `tc -s class show` adds after the counters.
    pub fn class_xstats(c: &Class) -> [String; 2] {
        let ticks = |ns: i64| (ns >> 6).clamp(i64::from(i32::MIN), i64::from(i32::MAX));
        [
            format!(" lended: {} borrowed: {} giants: 0", c.lends, c.borrows),
            format!(" tokens: {} ctokens: {}", ticks(c.tokens), ticks(c.ctokens)),
        ]
    }
}

#[cfg(test)]
mod tests;
