//! The neighbour (ARP) table with Linux's NUD state machine.
//!
//! States and transitions follow `net/core/neighbour.c`: `__neigh_event_send` (a packet needs
//! an address), `neigh_timer_handler` (REACHABLE → DELAY/STALE, DELAY → REACHABLE/PROBE,
//! INCOMPLETE/PROBE retransmits, FAILED after `ucast_solicit`/`mcast_solicit` probes) and
//! `__neigh_update` (what an ARP packet does to an entry). The table is pure data: the
//! caller passes `now`, and gets back [`Action`]s (solicit, send the queued packets, report
//! the failed ones) and deadlines in its [`Timers`].
//!
//! Known simplification: `used` is refreshed by every packet sent through the entry (the
//! kernel's cached-header fast path may leave it older), which can move a REACHABLE entry
//! to DELAY instead of STALE when its reachable time runs out during steady traffic.

use super::TimerKey;
use super::iface::NeighParms;
use super::timers::Timers;
use sim_core::{Duration, Instant, MacAddr};
use std::collections::{BTreeMap, VecDeque};
use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

/// NUD states (`include/net/neighbour.h`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nud {
    /// No entry yet (never shown).
    None,
    /// Resolution in progress.
    Incomplete,
    /// Confirmed recently.
    Reachable,
    /// Valid address, reachability unknown.
    Stale,
    /// Waiting `delay_first_probe_time` for a confirmation before probing.
    Delay,
    /// Probing with unicast requests.
    Probe,
    /// Resolution failed.
    Failed,
    /// Added with `nud permanent`.
    Permanent,
}

impl Nud {
    fn valid(self) -> bool {
        matches!(self, Nud::Reachable | Nud::Stale | Nud::Delay | Nud::Probe | Nud::Permanent)
    }
    fn connected(self) -> bool {
        matches!(self, Nud::Reachable | Nud::Permanent)
    }
    fn in_timer(self) -> bool {
        matches!(self, Nud::Incomplete | Nud::Reachable | Nud::Delay | Nud::Probe)
    }
}

impl fmt::Display for Nud {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Nud::None => "NONE",
            Nud::Incomplete => "INCOMPLETE",
            Nud::Reachable => "REACHABLE",
            Nud::Stale => "STALE",
            Nud::Delay => "DELAY",
            Nud::Probe => "PROBE",
            Nud::Failed => "FAILED",
            Nud::Permanent => "PERMANENT",
        })
    }
}

/// A neighbour entry.
#[derive(Clone, Debug)]
pub struct Neighbour {
    /// The resolved hardware address.
    pub lladdr: Option<MacAddr>,
    /// NUD state.
    pub state: Nud,
    /// Last positive confirmation (`None`: never).
    pub confirmed: Option<Instant>,
    /// Last use by an outgoing packet.
    pub used: Instant,
    /// Last state or address change.
    pub updated: Instant,
    /// Probes sent in the current INCOMPLETE/PROBE round.
    pub probes: u32,
    /// `NTF_ROUTER`: the neighbour said it routes (IPv6 advertisements).
    pub router: bool,
    queue: VecDeque<Vec<u8>>,
}

impl Neighbour {
    fn new(now: Instant) -> Self {
        Neighbour {
            lladdr: None,
            state: Nud::None,
            confirmed: None,
            used: now,
            updated: now,
            probes: 0,
            router: false,
            queue: VecDeque::new(),
        }
    }
}

/// `(ifindex, address)`.
pub type NeighKey<A = Ipv4Addr> = (u32, A);

/// A protocol address the table resolves: IPv4 (ARP) or IPv6 (neighbour discovery). The
/// state machine is the same (`net/core/neighbour.c` serves both `arp_tbl` and `nd_tbl`).
pub trait NeighAddr: Copy + Ord + fmt::Debug {
    /// The deadline key of an entry.
    fn timer(key: NeighKey<Self>) -> TimerKey;
    /// The source address of a queued IP packet (the solicitation's source hint).
    fn packet_src(packet: &[u8]) -> Option<Self>;
}

impl NeighAddr for Ipv4Addr {
    fn timer(key: NeighKey<Self>) -> TimerKey {
        TimerKey::Neigh(key)
    }
    fn packet_src(packet: &[u8]) -> Option<Self> {
        packet.get(12..16).map(|s| Ipv4Addr::new(s[0], s[1], s[2], s[3]))
    }
}

impl NeighAddr for Ipv6Addr {
    fn timer(key: NeighKey<Self>) -> TimerKey {
        TimerKey::Nd(key)
    }
    fn packet_src(packet: &[u8]) -> Option<Self> {
        let s: [u8; 16] = packet.get(8..24)?.try_into().ok()?;
        Some(Ipv6Addr::from(s))
    }
}

/// Something the namespace must do on behalf of the table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action<A = Ipv4Addr> {
    /// Send an ARP request for `target` out of `ifindex`: to `unicast` if set, else to
    /// broadcast. `saddr` is the source of the packet that triggered it, if any.
    Solicit {
        /// Interface.
        ifindex: u32,
        /// Address asked for.
        target: A,
        /// Unicast destination (PROBE), or broadcast.
        unicast: Option<MacAddr>,
        /// Source address hint.
        saddr: Option<A>,
    },
    /// A queued IP packet can now go out to `mac`.
    Send {
        /// Interface.
        ifindex: u32,
        /// Destination hardware address.
        mac: MacAddr,
        /// The IP packet.
        packet: Vec<u8>,
    },
    /// Resolution failed for a queued IP packet (the caller sends host unreachable).
    Failed {
        /// Interface.
        ifindex: u32,
        /// The address that did not answer.
        nexthop: A,
        /// The IP packet.
        packet: Vec<u8>,
    },
    /// The entry changed state or address (for `ip monitor neigh`).
    Changed(NeighKey<A>),
}

/// How an update may change an entry (`NEIGH_UPDATE_F_*`).
#[derive(Clone, Copy, Debug, Default)]
pub struct UpdateFlags {
    /// A different address replaces the cached one.
    pub override_: bool,
    /// A different address on a connected entry makes it STALE instead of being ignored.
    pub weak_override: bool,
    /// An administrative change (`ip neigh replace`).
    pub admin: bool,
}

/// The table.
#[derive(Clone, Debug)]
pub struct NeighTable<A = Ipv4Addr> {
    entries: BTreeMap<NeighKey<A>, Neighbour>,
}

impl<A> Default for NeighTable<A> {
    fn default() -> Self {
        NeighTable { entries: BTreeMap::new() }
    }
}

/// `gc_thresh3`: past this many entries a new one first makes room (`neigh_forced_gc`),
/// and is refused if none can go ("neighbour table overflow").
pub const GC_THRESH3: usize = 1024;

fn retrans(p: &NeighParms) -> Duration {
    p.retrans_time.max(Duration::from_millis(10))
}

fn within(now: Instant, since: Option<Instant>, d: Duration) -> bool {
    since.is_some_and(|t| now <= t + d)
}

impl<A: NeighAddr> NeighTable<A> {
    /// Sets an entry's router flag.
    pub fn set_router(&mut self, key: NeighKey<A>, router: bool) {
        if let Some(e) = self.entries.get_mut(&key) {
            e.router = router;
        }
    }

    /// An entry.
    pub fn get(&self, key: NeighKey<A>) -> Option<&Neighbour> {
        self.entries.get(&key)
    }

    /// All entries, ordered by interface then address.
    pub fn iter(&self) -> impl Iterator<Item = (&NeighKey<A>, &Neighbour)> {
        self.entries.iter().filter(|(_, n)| n.state != Nud::None)
    }

    /// A packet for `key` wants to go out (`neigh_resolve_output` → `neigh_event_send`).
    /// Returns the address to send it to now, or `None` when it was queued (or dropped).
    pub fn output(
        &mut self,
        p: &NeighParms,
        now: Instant,
        key: NeighKey<A>,
        packet: &[u8],
        timers: &mut Timers<TimerKey>,
        actions: &mut Vec<Action<A>>,
    ) -> Option<MacAddr> {
        if !self.room_for(key, timers) {
            return None;
        }
        let e = self.entries.entry(key).or_insert_with(|| Neighbour::new(now));
        e.used = now;
        match e.state {
            Nud::Reachable | Nud::Delay | Nud::Probe | Nud::Permanent => e.lladdr,
            Nud::Stale => {
                e.state = Nud::Delay;
                e.updated = now;
                timers.set(A::timer(key), Some(now + p.delay_probe_time));
                actions.push(Action::Changed(key));
                e.lladdr
            }
            Nud::None | Nud::Failed | Nud::Incomplete => {
                if e.state != Nud::Incomplete {
                    if p.mcast_probes == 0 {
                        e.state = Nud::Failed;
                        actions.push(Action::Changed(key));
                        return None;
                    }
                    e.probes = p.ucast_probes;
                    e.state = Nud::Incomplete;
                    e.updated = now;
                    timers.set(A::timer(key), Some(now + retrans(p)));
                    actions.push(Action::Changed(key));
                    e.queue.push_back(packet.to_vec());
                    Self::probe(p, key, e, actions);
                } else {
                    while e.queue.len() >= p.unres_qlen.max(1) {
                        e.queue.pop_front();
                    }
                    e.queue.push_back(packet.to_vec());
                }
                None
            }
        }
    }

    /// Whether `key` has or can get an entry: at [`GC_THRESH3`] entries the FAILED and
    /// STALE ones, oldest first, make room for it (`neigh_forced_gc`).
    fn room_for(&mut self, key: NeighKey<A>, timers: &mut Timers<TimerKey>) -> bool {
        if self.entries.len() < GC_THRESH3 || self.entries.contains_key(&key) {
            return true;
        }
        let mut old: Vec<(Instant, NeighKey<A>)> = self
            .entries
            .iter()
            .filter(|(_, n)| matches!(n.state, Nud::Failed | Nud::Stale | Nud::None))
            .map(|(k, n)| (n.updated, *k))
            .collect();
        old.sort();
        let excess = self.entries.len() + 1 - GC_THRESH3;
        for (_, k) in old.into_iter().take(excess.max(GC_THRESH3 / 8)) {
            self.entries.remove(&k);
            timers.set(A::timer(k), None);
        }
        self.entries.len() < GC_THRESH3
    }

    /// `neigh_probe`: one solicitation, counted.
    fn probe(p: &NeighParms, key: NeighKey<A>, e: &mut Neighbour, actions: &mut Vec<Action<A>>) {
        let saddr = e.queue.back().and_then(|pkt| A::packet_src(pkt));
        let unicast = if e.probes < p.ucast_probes { e.lladdr } else { None };
        actions.push(Action::Solicit { ifindex: key.0, target: key.1, unicast, saddr });
        e.probes += 1;
    }

    /// The entry's deadline came (`neigh_timer_handler`).
    pub fn timer(
        &mut self,
        p: &NeighParms,
        now: Instant,
        key: NeighKey<A>,
        timers: &mut Timers<TimerKey>,
        actions: &mut Vec<Action<A>>,
    ) {
        let Some(e) = self.entries.get_mut(&key) else { return };
        if !e.state.in_timer() {
            return;
        }
        let mut next = now + Duration::from_secs(1);
        let mut notify = false;
        match e.state {
            Nud::Reachable => {
                if within(now, e.confirmed, p.reachable_time) {
                    next = e.confirmed.unwrap_or(now) + p.reachable_time;
                } else if within(now, Some(e.used), p.delay_probe_time) {
                    e.state = Nud::Delay;
                    e.updated = now;
                    notify = true;
                    next = now + p.delay_probe_time;
                } else {
                    e.state = Nud::Stale;
                    e.updated = now;
                    notify = true;
                }
            }
            Nud::Delay => {
                if within(now, e.confirmed, p.delay_probe_time) {
                    e.state = Nud::Reachable;
                    e.updated = now;
                    notify = true;
                    next = e.confirmed.unwrap_or(now) + p.reachable_time;
                } else {
                    e.state = Nud::Probe;
                    e.updated = now;
                    e.probes = 0;
                    notify = true;
                    next = now + retrans(p);
                }
            }
            _ => next = now + retrans(p),
        }
        let max_probes = p.ucast_probes + if e.state == Nud::Probe { 0 } else { p.mcast_probes };
        if matches!(e.state, Nud::Incomplete | Nud::Probe) && e.probes >= max_probes {
            e.state = Nud::Failed;
            e.updated = now;
            timers.set(A::timer(key), None);
            actions.push(Action::Changed(key));
            for packet in e.queue.drain(..) {
                actions.push(Action::Failed { ifindex: key.0, nexthop: key.1, packet });
            }
            return;
        }
        if notify {
            actions.push(Action::Changed(key));
        }
        if e.state.in_timer() {
            timers.set(A::timer(key), Some(next.max(now + Duration::from_millis(10))));
        } else {
            timers.set(A::timer(key), None);
        }
        if matches!(e.state, Nud::Incomplete | Nud::Probe) {
            Self::probe(p, key, e, actions);
        }
    }

    /// An ARP packet says `key` is at `lladdr` (`__neigh_update`). With `create`, a missing
    /// entry is made (a request for one of our addresses, `neigh_event_ns`); without it, only
    /// an existing entry is touched.
    #[allow(clippy::too_many_arguments)]
    pub fn update(
        &mut self,
        p: &NeighParms,
        now: Instant,
        key: NeighKey<A>,
        lladdr: MacAddr,
        new: Nud,
        flags: UpdateFlags,
        create: bool,
        timers: &mut Timers<TimerKey>,
        actions: &mut Vec<Action<A>>,
    ) {
        if create && !self.room_for(key, timers) {
            return;
        }
        let e = match self.entries.entry(key) {
            std::collections::btree_map::Entry::Occupied(o) => o.into_mut(),
            std::collections::btree_map::Entry::Vacant(v) if create => v.insert(Neighbour::new(now)),
            std::collections::btree_map::Entry::Vacant(_) => return,
        };
        let old = e.state;
        if !flags.admin && old == Nud::Permanent {
            return;
        }
        let mut new = new;
        let mut lladdr = lladdr;
        if old.valid() {
            if Some(lladdr) != e.lladdr && !flags.override_ {
                if flags.weak_override && old.connected() {
                    lladdr = e.lladdr.unwrap_or(lladdr);
                    new = Nud::Stale;
                } else {
                    return;
                }
            } else if Some(lladdr) == e.lladdr && new == Nud::Stale && !flags.admin {
                new = old;
            }
        }
        if new != old || Some(lladdr) != e.lladdr {
            e.updated = now;
        }
        if new.connected() {
            e.confirmed = Some(now);
        }
        if new != old {
            timers.set(A::timer(key), None);
            if new == Nud::Probe {
                e.probes = 0;
            }
            if new.in_timer() {
                let d = if new == Nud::Reachable { p.reachable_time } else { Duration::ZERO };
                timers.set(A::timer(key), Some(now + d));
            }
            e.state = new;
            actions.push(Action::Changed(key));
        }
        if Some(lladdr) != e.lladdr {
            e.lladdr = Some(lladdr);
            if !new.connected() {
                e.confirmed = None;
            }
            if new == old {
                actions.push(Action::Changed(key));
            }
        }
        if new != old && !old.valid() && new.valid() {
            for packet in e.queue.drain(..) {
                actions.push(Action::Send { ifindex: key.0, mac: lladdr, packet });
            }
        }
    }

    /// Removes dynamic entries of `ifindex` (or all), as `ip neigh flush` and a device going
    /// down do. Returns how many went.
    pub fn flush(&mut self, ifindex: Option<u32>, timers: &mut Timers<TimerKey>) -> usize {
        let keys: Vec<NeighKey<A>> = self
            .entries
            .iter()
            .filter(|(k, n)| ifindex.is_none_or(|i| i == k.0) && n.state != Nud::Permanent)
            .map(|(k, _)| *k)
            .collect();
        for k in &keys {
            self.entries.remove(k);
            timers.set(A::timer(*k), None);
        }
        keys.len()
    }

    /// Removes every entry of `ifindex`, permanent ones too (the device left).
    pub fn forget_iface(&mut self, ifindex: u32, timers: &mut Timers<TimerKey>) {
        let keys: Vec<NeighKey<A>> = self.entries.keys().filter(|k| k.0 == ifindex).copied().collect();
        for k in keys {
            self.entries.remove(&k);
            timers.set(A::timer(k), None);
        }
    }

    /// Removes one entry (`ip neigh del`); whether there was one. What waited on it goes.
    pub fn remove(&mut self, key: NeighKey<A>, timers: &mut Timers<TimerKey>) -> bool {
        timers.set(A::timer(key), None);
        self.entries.remove(&key).is_some()
    }

    /// Whether there is an entry for `key`, in any state.
    pub fn contains(&self, key: NeighKey<A>) -> bool {
        self.entries.contains_key(&key)
    }

    /// Adds or replaces a permanent entry (`ip neigh add|replace … nud permanent`).
    pub fn set_permanent(
        &mut self,
        key: NeighKey<A>,
        mac: MacAddr,
        now: Instant,
        timers: &mut Timers<TimerKey>,
        actions: &mut Vec<Action<A>>,
    ) {
        let p = NeighParms::default();
        let flags = UpdateFlags { override_: true, weak_override: false, admin: true };
        self.update(&p, now, key, mac, Nud::Permanent, flags, true, timers, actions);
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAC: MacAddr = MacAddr([0, 0, 0x5e, 0, 0x53, 2]);

    fn key() -> NeighKey {
        (2, Ipv4Addr::new(192, 0, 2, 2))
    }

    fn pkt() -> Vec<u8> {
        let mut p = vec![0x45; 20];
        p[12..16].copy_from_slice(&[192, 0, 2, 1]);
        p
    }

    fn fire(t: &mut NeighTable, p: &NeighParms, timers: &mut Timers<TimerKey>, acts: &mut Vec<Action>) -> Instant {
        let at = timers.next().unwrap();
        let k = timers.pop_due(at).unwrap();
        let TimerKey::Neigh(k) = k else { panic!() };
        t.timer(p, at, k, timers, acts);
        at
    }

    /// A flood of new destinations (or of solicitations from new sources) never grows the
    /// table past gc_thresh3; once they have failed, they make room for new ones.
    #[test]
    fn the_table_stays_within_gc_thresh3() {
        let p = NeighParms::default();
        let mut t = NeighTable::default();
        let mut timers = Timers::default();
        let mut acts = vec![];
        let k = |i: u32| (2, Ipv4Addr::from(0x0a00_0000 + i));
        for i in 0..2000 {
            t.output(&p, Instant::ZERO, k(i), &pkt(), &mut timers, &mut acts);
        }
        assert_eq!(t.len(), GC_THRESH3, "incomplete entries cannot go: the rest are refused");
        while timers.next().is_some() {
            fire(&mut t, &p, &mut timers, &mut acts);
        }
        assert!(t.iter().all(|(_, n)| n.state == Nud::Failed));
        t.output(&p, Instant::from_secs(10), k(5000), &pkt(), &mut timers, &mut acts);
        assert!(t.contains(k(5000)) && t.len() <= GC_THRESH3, "failed entries made room");
        let flags = UpdateFlags { override_: true, ..Default::default() };
        for i in 6000..8000 {
            t.update(&p, Instant::from_secs(11), k(i), MAC, Nud::Stale, flags, true, &mut timers, &mut acts);
        }
        assert!(t.len() <= GC_THRESH3);
    }

    #[test]
    fn failed_after_three_broadcasts_one_second_apart() {
        let p = NeighParms::default();
        let mut t = NeighTable::default();
        let mut timers = Timers::default();
        let mut acts = vec![];
        assert_eq!(t.output(&p, Instant::ZERO, key(), &pkt(), &mut timers, &mut acts), None);
        let solicits = |a: &[Action]| a.iter().filter(|x| matches!(x, Action::Solicit { unicast: None, .. })).count();
        assert_eq!(solicits(&acts), 1);
        assert_eq!(fire(&mut t, &p, &mut timers, &mut acts), Instant::from_secs(1));
        assert_eq!(fire(&mut t, &p, &mut timers, &mut acts), Instant::from_secs(2));
        assert_eq!(solicits(&acts), 3);
        assert_eq!(fire(&mut t, &p, &mut timers, &mut acts), Instant::from_secs(3));
        assert_eq!(solicits(&acts), 3);
        assert_eq!(t.get(key()).unwrap().state, Nud::Failed);
        assert_eq!(acts.iter().filter(|a| matches!(a, Action::Failed { .. })).count(), 1);
        assert!(timers.next().is_none());
    }

    #[test]
    fn stale_entry_goes_delay_then_probe_after_five_seconds() {
        // ns2 in E2: a request from ns1 creates a STALE entry; ns2's reply to the ping
        // moves it to DELAY; five seconds later it probes by unicast.
        let p = NeighParms::default();
        let mut t = NeighTable::default();
        let mut timers = Timers::default();
        let mut acts = vec![];
        let ns1 = (2, Ipv4Addr::new(192, 0, 2, 1));
        let mac1 = MacAddr([0, 0, 0x5e, 0, 0x53, 1]);
        t.update(
            &p,
            Instant::ZERO,
            ns1,
            mac1,
            Nud::Stale,
            UpdateFlags { override_: true, ..Default::default() },
            true,
            &mut timers,
            &mut acts,
        );
        assert_eq!(t.get(ns1).unwrap().state, Nud::Stale);
        assert!(timers.next().is_none());
        assert_eq!(t.output(&p, Instant::from_micros(20), ns1, &pkt(), &mut timers, &mut acts), Some(mac1));
        assert_eq!(t.get(ns1).unwrap().state, Nud::Delay);
        acts.clear();
        assert_eq!(fire(&mut t, &p, &mut timers, &mut acts), Instant::from_micros(5_000_020));
        assert_eq!(t.get(ns1).unwrap().state, Nud::Probe);
        assert!(acts.contains(&Action::Solicit { ifindex: 2, target: ns1.1, unicast: Some(mac1), saddr: None }));
        // The reply confirms: REACHABLE.
        t.update(
            &p,
            Instant::from_secs(6),
            ns1,
            mac1,
            Nud::Reachable,
            UpdateFlags::default(),
            false,
            &mut timers,
            &mut acts,
        );
        assert_eq!(t.get(ns1).unwrap().state, Nud::Reachable);
    }

    #[test]
    fn reply_resolves_and_releases_queue_then_ages_to_stale() {
        let p = NeighParms::default();
        let mut t = NeighTable::default();
        let mut timers = Timers::default();
        let mut acts = vec![];
        t.output(&p, Instant::ZERO, key(), &pkt(), &mut timers, &mut acts);
        t.output(&p, Instant::ZERO, key(), &pkt(), &mut timers, &mut acts);
        acts.clear();
        t.update(
            &p,
            Instant::from_micros(20),
            key(),
            MAC,
            Nud::Reachable,
            UpdateFlags::default(),
            false,
            &mut timers,
            &mut acts,
        );
        assert_eq!(acts.iter().filter(|a| matches!(a, Action::Send { .. })).count(), 2);
        // No traffic for the reachable time: STALE, no more timers. At the exact deadline
        // the entry is still within its time (time_before_eq), so the kernel re-arms at the
        // HZ/100 minimum and goes STALE then.
        let at = fire(&mut t, &p, &mut timers, &mut acts);
        assert_eq!(at, Instant::from_micros(20) + p.reachable_time);
        assert_eq!(t.get(key()).unwrap().state, Nud::Reachable);
        let at = fire(&mut t, &p, &mut timers, &mut acts);
        assert_eq!(at, Instant::from_micros(20) + p.reachable_time + Duration::from_millis(10));
        assert_eq!(t.get(key()).unwrap().state, Nud::Stale);
        assert!(timers.next().is_none());
        // A request from the same MAC does not change a valid entry's state.
        t.update(
            &p,
            Instant::from_secs(40),
            key(),
            MAC,
            Nud::Stale,
            UpdateFlags { override_: true, ..Default::default() },
            true,
            &mut timers,
            &mut acts,
        );
        assert_eq!(t.get(key()).unwrap().state, Nud::Stale);
    }

    #[test]
    fn unsolicited_reply_does_not_create() {
        let p = NeighParms::default();
        let mut t = NeighTable::default();
        let mut timers = Timers::default();
        let mut acts = vec![];
        t.update(&p, Instant::ZERO, key(), MAC, Nud::Reachable, UpdateFlags::default(), false, &mut timers, &mut acts);
        assert!(t.get(key()).is_none());
    }
}
