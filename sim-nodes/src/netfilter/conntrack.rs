//! Connection tracking as Linux does it: tuples for TCP, UDP and ICMP (the echo id as the
//! port), entries confirmed — and `[NEW]` reported — only when the first packet leaves the
//! hooks alive; `[UPDATE]` on the first reply, on a TCP state change, and when a connection
//! becomes `[ASSURED]` (UDP: a packet more than 2 s after creation once a reply was seen,
//! then 120 s instead of 30 s; TCP: see [`super::tcp`]); ICMP never assured; `[DESTROY]` on
//! expiry. NAT bindings live in the entry: the reply tuple is what the other side sees.

use super::tcp;
use sim_core::Instant;
use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;
use std::net::IpAddr;

/// The tuple index's hasher: foldhash with a fixed seed, a few instructions per tuple where
/// a `BTreeMap` compared whole tuples level by level. The index is only ever looked up,
/// never iterated, so no hash order can reach an output.
type TupleIndex = HashMap<Tuple, (u64, Dir), foldhash::fast::FixedState>;

/// Entries by id, hashed the same way. What lists them (`-L`, `-D`, `-F`) sorts the ids
/// first, so they come oldest first as before.
type Entries = HashMap<u64, Entry, foldhash::fast::FixedState>;

/// One direction of a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Tuple {
    /// Protocol.
    pub proto: u8,
    /// Source (either family, as the kernel's `union nf_inet_addr`).
    pub src: IpAddr,
    /// Destination.
    pub dst: IpAddr,
    /// Source port (ICMP: the id).
    pub sport: u16,
    /// Destination port (ICMP: `type << 8 | code`).
    pub dport: u16,
}

impl Tuple {
    /// The tuple of the answer to this one.
    pub fn invert(&self) -> Tuple {
        if self.proto == 1 || self.proto == ICMPV6 {
            let t = (self.dport >> 8) as u8;
            let code = self.dport & 0xff;
            let reply = if self.proto == 1 { icmp_reply_type(t) } else { icmpv6_reply_type(t) };
            return Tuple {
                proto: self.proto,
                src: self.dst,
                dst: self.src,
                sport: self.sport,
                dport: (u16::from(reply.unwrap_or(t)) << 8) | code,
            };
        }
        Tuple { proto: self.proto, src: self.dst, dst: self.src, sport: self.dport, dport: self.sport }
    }
}

/// The reply type of an ICMP query type Linux tracks.
pub fn icmp_reply_type(t: u8) -> Option<u8> {
    Some(match t {
        8 => 0,
        13 => 14,
        15 => 16,
        17 => 18,
        0 => 8,
        14 => 13,
        16 => 15,
        18 => 17,
        _ => return None,
    })
}

/// ICMPv6's protocol number.
pub const ICMPV6: u8 = 58;

/// The reply type of an ICMPv6 query type Linux tracks (`invmap` in
/// `nf_conntrack_proto_icmpv6.c`: echo and node information).
pub fn icmpv6_reply_type(t: u8) -> Option<u8> {
    Some(match t {
        128 => 129,
        129 => 128,
        139 => 140,
        140 => 139,
        _ => return None,
    })
}

/// True for an ICMP or ICMPv6 tuple (whose source port is the query's id).
pub fn is_icmp(proto: u8) -> bool {
    proto == 1 || proto == ICMPV6
}

/// Which way a packet goes in its connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dir {
    /// As the first packet went.
    Orig,
    /// Back.
    Reply,
}

/// A tracked connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The first packet's tuple.
    pub orig: Tuple,
    /// What an answer looks like (NAT changes it).
    pub reply: Tuple,
    /// A reply has been seen.
    pub seen_reply: bool,
    /// ASSURED.
    pub assured: bool,
    /// When it was made.
    pub created: Instant,
    /// When it expires.
    pub expires: Instant,
    /// The timeout it was last given, in seconds (what the events print).
    pub timeout: u64,
    /// Source NAT has been decided.
    pub snat_done: bool,
    /// Destination NAT has been decided.
    pub dnat_done: bool,
    /// The nat hooks bound it (`IPS_SRC_NAT_DONE | IPS_DST_NAT_DONE`, a null binding when
    /// no rule translated it): NAT was decided while the namespace's nat table of its
    /// family existed.
    pub nat_bound: bool,
    /// In the table (its first packet got through).
    pub confirmed: bool,
    /// Killed while its packet is still in the hooks: out of the table, gone afterwards.
    pub dying: bool,
    /// TCP state (TCP only).
    pub tcp: tcp::Track,
    /// When the expiry index looks at this entry next: at or before `expires` (a refresh
    /// moves `expires` later without touching the index; the look then reschedules).
    check: Option<Instant>,
}

impl Entry {
    /// Whether the expiry index must move: the entry is in the table and its expiry is
    /// now earlier than when the index looks next (or the index does not have it).
    fn needs_schedule(&self) -> bool {
        self.confirmed && self.check.is_none_or(|c| c > self.expires)
    }
}

/// Timeouts, from the `net.netfilter.nf_conntrack_*` sysctls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    /// `nf_conntrack_udp_timeout`.
    pub udp: u64,
    /// `nf_conntrack_udp_timeout_stream`.
    pub udp_stream: u64,
    /// `nf_conntrack_icmp_timeout`.
    pub icmp: u64,
    /// `nf_conntrack_icmpv6_timeout`.
    pub icmpv6: u64,
    /// `nf_conntrack_generic_timeout`.
    pub generic: u64,
    /// `nf_conntrack_tcp_timeout_*`.
    pub tcp: tcp::Timeouts,
}

/// An event for `conntrack -E`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// `[NEW]`.
    New,
    /// `[UPDATE]`.
    Update,
    /// `[DESTROY]`.
    Destroy,
    /// `[DESTROY]` asked for from userspace (`conntrack -F` with that pid): the kernel
    /// adds `[USERSPACE] portid=PID progname=conntrack`.
    Flushed(u32),
    /// `[DESTROY]` asked for by `conntrack -D`, whose second netlink socket has a random
    /// port id that names no process: `[USERSPACE] portid=N` alone.
    Deleted(u32),
}

/// What `conntrack -L|-D` select: `-p`, `-s`, `-d`, `--sport`, `--dport`, all of the
/// original direction.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CtFilter {
    /// `-f ipv4|ipv6` (or the family of `-s`/`-d`): that family's entries only; both
    /// without it.
    pub family: Option<super::Family>,
    /// `-p`.
    pub proto: Option<u8>,
    /// `-s` / `--orig-src`: an address and its prefix length (`10.0.0.0/24`).
    pub src: Option<(IpAddr, u8)>,
    /// `-d` / `--orig-dst`.
    pub dst: Option<(IpAddr, u8)>,
    /// `--sport` / `--orig-port-src`.
    pub sport: Option<u16>,
    /// `--dport` / `--orig-port-dst`.
    pub dport: Option<u16>,
    /// `-n` / `--src-nat [IP]`, `-g` / `--dst-nat [IP]`, `-j` / `--any-nat [IP]`.
    pub nat: NatFilter,
}

/// conntrack-tools' NAT filters: each `None` when not given, `Some(None)` without an
/// address, `Some(Some(ip))` with one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NatFilter {
    /// `-n` / `--src-nat`.
    pub src: Option<Option<IpAddr>>,
    /// `-g` / `--dst-nat`.
    pub dst: Option<Option<IpAddr>>,
    /// `-j` / `--any-nat`.
    pub any: Option<Option<IpAddr>>,
}

impl NatFilter {
    /// conntrack 1.4.7's `filter_nat` with libnetfilter_conntrack's `NFCT_GOPT_IS_SNAT`,
    /// `IS_SPAT`, `IS_DNAT`, `IS_DPAT`: a translated address or port in the reply tuple,
    /// on an entry the nat hooks bound. The port test compares the raw layer-4 words, so an
    /// ICMP entry (its id against its type and code) counts as translated both ways; an
    /// address given selects on the translated address only (`--src-nat IP`: the reply's
    /// destination, `--dst-nat IP`: its source). `-n -g` wants both, `-j` either.
    pub fn matches(&self, e: &Entry) -> bool {
        if self.src.is_none() && self.dst.is_none() && self.any.is_none() {
            return true;
        }
        let (o, r) = (&e.orig, &e.reply);
        let is_snat = e.nat_bound && r.dst != o.src;
        let is_spat = e.nat_bound && r.dport != o.sport;
        let is_dnat = e.nat_bound && r.src != o.dst;
        let is_dpat = e.nat_bound && r.sport != o.dport;
        let src_with = |ip: Option<IpAddr>| match ip {
            Some(ip) => is_snat && ip == r.dst,
            None => is_snat || is_spat,
        };
        let dst_with = |ip: Option<IpAddr>| match ip {
            Some(ip) => is_dnat && ip == r.src,
            None => is_dnat || is_dpat,
        };
        if let Some(ip) = self.any {
            // `-j IP` sets both addresses to check.
            return src_with(ip) || dst_with(ip);
        }
        match (self.src, self.dst) {
            (Some(s), Some(d)) => src_with(s) && dst_with(d),
            (Some(s), None) => src_with(s),
            (None, Some(d)) => dst_with(d),
            (None, None) => true,
        }
    }
}

impl CtFilter {
    /// True when `e` is selected.
    pub fn matches(&self, e: &Entry) -> bool {
        let o = &e.orig;
        let within = |(net, len): (IpAddr, u8), a: IpAddr| super::rule::Net::new(net, len).contains(a);
        self.family.is_none_or(|f| f == super::Family::of(o.src))
            && self.proto.is_none_or(|p| p == o.proto)
            && self.src.is_none_or(|n| within(n, o.src))
            && self.dst.is_none_or(|n| within(n, o.dst))
            && self.sport.is_none_or(|p| p == o.sport)
            && self.dport.is_none_or(|p| p == o.dport)
            && self.nat.matches(e)
    }
}

/// A namespace's conntrack table.
#[derive(Clone, Debug, Default)]
pub struct Conntrack {
    entries: Entries,
    index: TupleIndex,
    /// Confirmed entries by when to look at them next (`Entry::check`): the expiry index,
    /// so a timer's work is the entries due, never the whole table.
    deadlines: BTreeSet<(Instant, u64)>,
    /// Entries killed while their packet was in the hooks, to forget afterwards.
    dying: Vec<u64>,
    next: u64,
    /// Events not yet handed to listeners.
    pub events: Vec<(Event, Entry)>,
}

impl Conntrack {
    /// The entry with id `id`.
    pub fn get(&self, id: u64) -> Option<&Entry> {
        self.entries.get(&id)
    }

    /// The entry with id `id`, mutable.
    pub fn get_mut(&mut self, id: u64) -> Option<&mut Entry> {
        self.entries.get_mut(&id)
    }

    /// Confirmed entries, oldest first.
    pub fn confirmed(&self) -> impl Iterator<Item = &Entry> {
        let mut v: Vec<(u64, &Entry)> =
            self.entries.iter().filter(|(_, e)| e.confirmed).map(|(i, e)| (*i, e)).collect();
        v.sort_unstable_by_key(|(i, _)| *i);
        v.into_iter().map(|(_, e)| e)
    }

    /// How many entries are confirmed.
    pub fn len(&self) -> usize {
        self.index.len() / 2
    }

    /// True when the table is empty.
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// The connection a tuple belongs to.
    pub fn find(&self, t: &Tuple) -> Option<(u64, Dir)> {
        self.index.get(t).copied()
    }

    /// True if some confirmed entry uses `t` as either direction's tuple.
    pub fn taken(&self, t: &Tuple) -> bool {
        self.index.contains_key(t)
    }

    /// A new, unconfirmed entry for a first packet.
    pub fn create(&mut self, orig: Tuple, now: Instant, timeout: u64) -> u64 {
        let id = self.next;
        self.next += 1;
        let e = Entry {
            orig,
            reply: orig.invert(),
            seen_reply: false,
            assured: false,
            created: now,
            expires: now + sim_core::Duration::from_secs(timeout),
            timeout,
            snat_done: false,
            dnat_done: false,
            nat_bound: false,
            confirmed: false,
            dying: false,
            tcp: tcp::Track::default(),
            check: None,
        };
        self.entries.insert(id, e);
        id
    }

    /// Forgets entries killed while their packet was in the hooks: `id`'s, or all.
    pub fn purge_dying(&mut self, id: Option<u64>) {
        // Every dying entry is in the list (`kill`): with none, there is nothing to look at.
        if self.dying.is_empty() {
            return;
        }
        match id {
            Some(id) => {
                if self.entries.get(&id).is_some_and(|e| e.dying) {
                    self.entries.remove(&id);
                }
                self.dying.retain(|d| *d != id);
            }
            None => {
                for id in std::mem::take(&mut self.dying) {
                    if self.entries.get(&id).is_some_and(|e| e.dying) {
                        self.entries.remove(&id);
                    }
                }
            }
        }
    }

    /// Entry `id`'s expiry moved: the index looks at it no later than its new expiry.
    /// A later expiry leaves the index alone (the look finds it and reschedules), so a
    /// refresh per packet costs nothing here.
    fn schedule(&mut self, id: u64) {
        let Some(e) = self.entries.get_mut(&id) else { return };
        if !e.confirmed {
            return;
        }
        match e.check {
            Some(c) if c <= e.expires => {}
            old => {
                if let Some(c) = old {
                    self.deadlines.remove(&(c, id));
                }
                e.check = Some(e.expires);
                self.deadlines.insert((e.expires, id));
            }
        }
    }

    /// Takes entry `id` out of the expiry index.
    fn unschedule(&mut self, id: u64) {
        if let Some(c) = self.entries.get_mut(&id).and_then(|e| e.check.take()) {
            self.deadlines.remove(&(c, id));
        }
    }

    /// Ends a confirmed connection now, `[DESTROY]` (with the time it had left, as the
    /// kernel reports it); the entry stays readable (for this packet's NAT) until
    /// [`Conntrack::purge_dying`].
    pub fn kill(&mut self, id: u64, now: Instant) {
        self.unschedule(id);
        let Some(e) = self.entries.get_mut(&id) else { return };
        if !e.dying {
            self.dying.push(id);
        }
        if e.confirmed {
            self.index.remove(&e.orig);
            self.index.remove(&e.reply);
            e.confirmed = false;
            let mut gone = e.clone();
            gone.timeout = secs_left(e.expires, now);
            self.events.push((Event::Destroy, gone));
        }
        e.dying = true;
    }

    /// Forgets an unconfirmed entry whose packet was dropped: no event at all.
    pub fn discard(&mut self, id: u64) {
        if self.entries.get(&id).is_some_and(|e| !e.confirmed) {
            self.entries.remove(&id);
        }
    }

    /// The first packet got through: the entry goes into the table, `[NEW]`.
    pub fn confirm(&mut self, id: u64) {
        let Some(e) = self.entries.get_mut(&id) else { return };
        if e.confirmed {
            return;
        }
        if self.index.contains_key(&e.orig) || self.index.contains_key(&e.reply) {
            // A clash (the same flow confirmed meanwhile): the kernel drops this one.
            self.entries.remove(&id);
            return;
        }
        e.confirmed = true;
        let e = e.clone();
        self.index.insert(e.orig, (id, Dir::Orig));
        self.index.insert(e.reply, (id, Dir::Reply));
        self.events.push((Event::New, e));
        self.schedule(id);
    }

    /// Changes the reply tuple (a NAT binding) of an unconfirmed entry.
    pub fn set_reply(&mut self, id: u64, reply: Tuple) {
        if let Some(e) = self.entries.get_mut(&id) {
            e.reply = reply;
        }
    }

    /// A packet of connection `id` went `dir`: timeouts and states as the protocol says.
    /// TCP packets go to [`Conntrack::seen_tcp`] instead.
    pub fn seen(&mut self, id: u64, dir: Dir, now: Instant, t: &Timeouts) {
        let Some(e) = self.entries.get_mut(&id) else { return };
        // As the kernel: the protocol looks at the flags as they were before this packet.
        let was_seen = e.seen_reply;
        let mut assured_now = false;
        let timeout = match e.orig.proto {
            17 if was_seen => {
                // Still active two seconds after it began: a stream.
                if now > e.created + sim_core::Duration::from_secs(2) {
                    if !e.assured {
                        e.assured = true;
                        assured_now = true;
                    }
                    t.udp_stream
                } else {
                    t.udp
                }
            }
            17 => t.udp,
            1 => t.icmp,
            ICMPV6 => t.icmpv6,
            _ => t.generic,
        };
        e.timeout = timeout;
        e.expires = now + sim_core::Duration::from_secs(timeout);
        if e.needs_schedule() {
            self.schedule(id);
        }
        self.reply_seen(id, dir, assured_now);
    }

    /// Marks the first reply, and reports `[UPDATE]` when something changed.
    fn reply_seen(&mut self, id: u64, dir: Dir, changed: bool) {
        let Some(e) = self.entries.get_mut(&id) else { return };
        let first_reply = dir == Dir::Reply && !e.seen_reply;
        if first_reply {
            e.seen_reply = true;
        }
        if e.confirmed && (first_reply || changed) {
            let e = e.clone();
            self.events.push((Event::Update, e));
        }
    }

    /// A TCP segment of connection `id` went `dir` (its first segment too, when the entry
    /// is new). [`tcp::Outcome::Reopen`]: the caller kills the entry and starts anew.
    pub fn seen_tcp(&mut self, id: u64, dir: Dir, now: Instant, t: &Timeouts, seg: &tcp::Segment) -> tcp::Outcome {
        let Some(e) = self.entries.get_mut(&id) else { return tcp::Outcome::Invalid };
        let out = e.tcp.packet(dir, seg, e.seen_reply, e.assured, &t.tcp);
        let tcp::Outcome::Tracked { refresh, assure, kill, changed } = out else { return out };
        if kill {
            self.kill(id, now);
            return out;
        }
        if let Some(timeout) = refresh {
            e.timeout = timeout;
            e.expires = now + sim_core::Duration::from_secs(timeout);
        }
        if assure {
            e.assured = true;
        }
        if e.needs_schedule() {
            self.schedule(id);
        }
        self.reply_seen(id, dir, changed || assure);
        out
    }

    /// When the timer should look next: no later than the next expiry (it may be earlier,
    /// at an entry refreshed since, which [`Conntrack::expire`] then reschedules).
    pub fn next_expiry(&self) -> Option<Instant> {
        self.deadlines.first().map(|(t, _)| *t)
    }

    /// Removes what has expired by `now`, with `[DESTROY]` events (in order of expiry,
    /// then of creation). Only the entries due are looked at.
    pub fn expire(&mut self, now: Instant) {
        while let Some(&(t, id)) = self.deadlines.first() {
            if t > now {
                break;
            }
            self.deadlines.pop_first();
            let Some(e) = self.entries.get_mut(&id) else { continue };
            e.check = None;
            if !e.confirmed {
                continue;
            }
            if e.expires > now {
                // Refreshed since: look again at its expiry.
                e.check = Some(e.expires);
                self.deadlines.insert((e.expires, id));
                continue;
            }
            if let Some(mut e) = self.entries.remove(&id) {
                self.index.remove(&e.orig);
                self.index.remove(&e.reply);
                e.timeout = 0;
                self.events.push((Event::Destroy, e));
            }
        }
    }

    /// `conntrack -D` asking from netlink port `portid`: the confirmed entries `f` selects
    /// go, with `[DESTROY]` and who asked; returns them as they were.
    pub fn delete(&mut self, f: &CtFilter, now: Instant, portid: u32) -> Vec<Entry> {
        let mut ids: Vec<u64> =
            self.entries.iter().filter(|(_, e)| e.confirmed && f.matches(e)).map(|(i, _)| *i).collect();
        ids.sort_unstable();
        let mut gone = Vec::with_capacity(ids.len());
        for id in ids {
            self.unschedule(id);
            if let Some(mut e) = self.entries.remove(&id) {
                self.index.remove(&e.orig);
                self.index.remove(&e.reply);
                gone.push(e.clone());
                e.timeout = secs_left(e.expires, now);
                self.events.push((Event::Deleted(portid), e));
            }
        }
        gone
    }

    /// `conntrack -F` run as process `pid`: every entry goes (with `[DESTROY]`, the time
    /// each had left, and who asked).
    pub fn flush(&mut self, now: Instant, pid: u32) {
        self.deadlines.clear();
        self.dying.clear();
        let mut all: Vec<u64> = self.entries.keys().copied().collect();
        all.sort_unstable();
        for id in all {
            if let Some(mut e) = self.entries.remove(&id)
                && e.confirmed
            {
                self.index.remove(&e.orig);
                self.index.remove(&e.reply);
                e.timeout = secs_left(e.expires, now);
                self.events.push((Event::Flushed(pid), e));
            }
        }
    }
}

/// Whole seconds from `now` until `expires`, as the kernel counts them: both instants in
/// jiffies (Debian's HZ = 250, 4 ms), the difference divided by HZ.
pub fn secs_left(expires: Instant, now: Instant) -> u64 {
    const JIFFY_US: u64 = 4_000;
    let j = |t: Instant| t.as_micros() / JIFFY_US;
    j(expires).saturating_sub(j(now)) * JIFFY_US / 1_000_000
}

fn proto_name(p: u8) -> &'static str {
    match p {
        1 => "icmp",
        6 => "tcp",
        17 => "udp",
        ICMPV6 => "icmpv6",
        _ => "unknown",
    }
}

fn write_tuple(s: &mut String, t: &Tuple) {
    let _ = match t.proto {
        1 | ICMPV6 => {
            write!(s, "src={} dst={} type={} code={} id={}", t.src, t.dst, t.dport >> 8, t.dport & 0xff, t.sport)
        }
        6 | 17 => write!(s, "src={} dst={} sport={} dport={}", t.src, t.dst, t.sport, t.dport),
        _ => write!(s, "src={} dst={}", t.src, t.dst),
    };
}

/// An entry as conntrack-tools prints it: `udp      17 30 src=… [UNREPLIED] src=…`.
/// `timeout` is `None` for an expired entry's `[DESTROY]`, which prints none.
pub fn entry_text(e: &Entry, timeout: Option<u64>) -> String {
    let mut s = String::with_capacity(160);
    write_entry(&mut s, e, timeout);
    s
}

/// [`entry_text`], written at the end of `s` (one buffer for the whole line).
fn write_entry(s: &mut String, e: &Entry, timeout: Option<u64>) {
    let _ = write!(s, "{:<8} {}", proto_name(e.orig.proto), e.orig.proto);
    if let Some(t) = timeout {
        let _ = write!(s, " {t}");
    }
    if e.orig.proto == 6 {
        s.push(' ');
        s.push_str(e.tcp.state.name());
    }
    s.push(' ');
    write_tuple(s, &e.orig);
    if !e.seen_reply {
        s.push_str(" [UNREPLIED]");
    }
    s.push(' ');
    write_tuple(s, &e.reply);
    if e.assured {
        s.push_str(" [ASSURED]");
    }
}

/// A `conntrack -E` line.
pub fn event_line(ev: Event, e: &Entry) -> String {
    event_text(ev, e, 9)
}

/// A `conntrack -E` line with its tag right-aligned in `width` columns (0: as is, which
/// is how the trace records it).
pub fn event_text(ev: Event, e: &Entry, width: usize) -> String {
    let (tag, t) = match ev {
        Event::New => ("[NEW]", Some(e.timeout)),
        Event::Update => ("[UPDATE]", Some(e.timeout)),
        // The kernel leaves out a timeout of zero: an expired entry's; one killed or
        // flushed early still shows what it had left.
        Event::Destroy | Event::Flushed(_) | Event::Deleted(_) => ("[DESTROY]", (e.timeout > 0).then_some(e.timeout)),
    };
    let mut s = String::with_capacity(192);
    let _ = write!(s, "{tag:>width$} ");
    write_entry(&mut s, e, t);
    let _ = match ev {
        Event::Flushed(pid) => write!(s, " [USERSPACE] portid={pid} progname=conntrack"),
        Event::Deleted(portid) => write!(s, " [USERSPACE] portid={portid}"),
        _ => Ok(()),
    };
    s
}

/// A `conntrack -L` line (remaining timeout at `now`).
pub fn list_line(e: &Entry, now: Instant) -> String {
    let left = secs_left(e.expires, now);
    format!("{} mark=0 use=1", entry_text(e, Some(left)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(src: &str, dst: &str, sp: u16, dp: u16) -> Tuple {
        Tuple { proto: 17, src: src.parse().unwrap(), dst: dst.parse().unwrap(), sport: sp, dport: dp }
    }

    /// The expiry index: a refresh moves an expiry later without an early removal; the
    /// timer's look finds only what is due; a killed entry leaves the index; destroys come
    /// in order of expiry.
    #[test]
    fn expiry_follows_refreshes_and_kills() {
        let to = Timeouts { udp: 30, udp_stream: 120, icmp: 30, icmpv6: 30, generic: 600, tcp: Default::default() };
        let at = |s: u64| Instant::ZERO + sim_core::Duration::from_secs(s);
        let mut c = Conntrack::default();
        let a = c.create(t("10.0.0.1", "10.0.0.2", 1, 53), at(0), 30);
        c.confirm(a);
        let b = c.create(t("10.0.0.1", "10.0.0.2", 2, 53), at(1), 30);
        c.confirm(b);
        let k = c.create(t("10.0.0.1", "10.0.0.2", 3, 53), at(2), 30);
        c.confirm(k);
        assert_eq!(c.next_expiry(), Some(at(30)));
        // a is refreshed at 20 s: it now expires at 50 s.
        c.seen(a, Dir::Orig, at(20), &to);
        assert_eq!(c.next_expiry(), Some(at(30)), "a lower bound until the timer looks");
        c.kill(k, at(21));
        c.purge_dying(None);
        c.events.clear();
        c.expire(at(30));
        assert!(c.get(a).is_some() && c.get(b).is_some(), "nothing expired at 30 s");
        assert_eq!(c.next_expiry(), Some(at(31)));
        c.expire(at(31));
        assert!(c.get(b).is_none() && c.get(a).is_some());
        assert_eq!(c.next_expiry(), Some(at(50)));
        c.expire(at(60));
        assert!(c.is_empty() && c.next_expiry().is_none());
        let destroyed: Vec<u16> = c.events.iter().map(|(_, e)| e.orig.sport).collect();
        assert_eq!(destroyed, [2, 1]);
    }

    /// `-n`/`-g`/`-j`: a translation in the reply tuple of an entry the nat hooks bound; an
    /// ICMP entry counts as translated both ways (its id against its type and code); without
    /// the nat hooks nothing does.
    #[test]
    fn nat_filters_read_the_reply_tuple_of_bound_entries() {
        let entry = |orig: Tuple, reply: Tuple, bound: bool| {
            let mut c = Conntrack::default();
            let id = c.create(orig, Instant::ZERO, 30);
            c.set_reply(id, reply);
            let mut e = c.get(id).unwrap().clone();
            e.nat_bound = bound;
            e
        };
        let masq = entry(t("10.0.0.1", "10.0.1.1", 5555, 9), t("10.0.1.1", "10.0.1.254", 9, 5555), true);
        let plain = entry(t("10.0.0.1", "10.0.1.1", 5555, 9), t("10.0.1.1", "10.0.0.1", 9, 5555), true);
        let icmp = Tuple {
            proto: 1,
            src: "10.0.0.1".parse().unwrap(),
            dst: "10.0.1.1".parse().unwrap(),
            sport: 7,
            dport: 8 << 8,
        };
        let ping = entry(icmp, icmp.invert(), true);
        let unbound = entry(icmp, icmp.invert(), false);
        let ip = |s: &str| Some(s.parse::<IpAddr>().unwrap());
        let n = |src, dst, any| NatFilter { src, dst, any };
        assert!(n(Some(None), None, None).matches(&masq));
        assert!(!n(Some(None), None, None).matches(&plain));
        assert!(!n(None, Some(None), None).matches(&masq));
        assert!(n(Some(None), Some(None), None).matches(&ping) && n(None, None, Some(None)).matches(&ping));
        assert!(!n(None, None, Some(None)).matches(&unbound));
        assert!(n(Some(ip("10.0.1.254")), None, None).matches(&masq));
        assert!(!n(Some(ip("10.0.1.254")), None, None).matches(&ping));
        assert!(!n(Some(ip("10.0.1.253")), None, None).matches(&masq));
        assert!(NatFilter::default().matches(&unbound));
    }

    #[test]
    fn lines_read_as_conntrack_tools_prints_them() {
        let mut c = Conntrack::default();
        let id = c.create(t("100.64.2.100", "100.64.1.100", 54321, 54321), Instant::ZERO, 30);
        c.set_reply(id, t("10.0.1.1", "100.64.2.100", 12345, 54321));
        c.confirm(id);
        let (ev, e) = c.events[0].clone();
        assert_eq!(
            event_line(ev, &e),
            "    [NEW] udp      17 30 src=100.64.2.100 dst=100.64.1.100 sport=54321 dport=54321 [UNREPLIED] src=10.0.1.1 dst=100.64.2.100 sport=12345 dport=54321"
        );
        let to = Timeouts { udp: 30, udp_stream: 120, icmp: 30, icmpv6: 30, generic: 600, tcp: Default::default() };
        c.seen(id, Dir::Reply, Instant::from_secs(1), &to);
        assert_eq!(c.events[1].0, Event::Update);
        assert!(!c.events[1].1.assured);
        c.seen(id, Dir::Orig, Instant::from_secs(3), &to);
        let (ev, e) = c.events[2].clone();
        assert_eq!(
            event_line(ev, &e),
            " [UPDATE] udp      17 120 src=100.64.2.100 dst=100.64.1.100 sport=54321 dport=54321 src=10.0.1.1 dst=100.64.2.100 sport=12345 dport=54321 [ASSURED]"
        );
        c.expire(Instant::from_secs(200));
        let (ev, e) = c.events[3].clone();
        assert!(event_line(ev, &e).starts_with("[DESTROY] udp      17 src=100.64.2.100"));
        assert!(c.is_empty());
    }

    #[test]
    fn a_dropped_first_packet_leaves_no_trace() {
        let mut c = Conntrack::default();
        let id = c.create(t("10.0.1.1", "100.64.2.100", 1, 2), Instant::ZERO, 30);
        c.discard(id);
        assert!(c.events.is_empty() && c.get(id).is_none());
    }

    #[test]
    fn icmp_tuples_invert_request_to_reply() {
        let r = Tuple {
            proto: 1,
            src: "192.0.2.1".parse().unwrap(),
            dst: "203.0.113.1".parse().unwrap(),
            sport: 7,
            dport: 8 << 8,
        };
        let i = r.invert();
        assert_eq!((i.src, i.dport >> 8, i.sport), (r.dst, 0, 7));
    }
}
