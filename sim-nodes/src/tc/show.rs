//! What `tc qdisc|class|filter show` print (iproute2 6.1's `print_qdisc`, `print_class`,
//! `print_filter` and `print_tcstats2_attr`): the header — kind, handle, `dev` when listing
//! every device, `root` or `parent`, `refcnt` — the kind's options, and with `-s` the two
//! counter lines (and htb's `lended`/`tokens` lines). With `-j` the same for qdiscs and
//! filters as tc's JSON (tc 6.1 prints classes as text even then).

use super::cli::Flags;
use super::estimator::Estimator;
use super::htb::Htb;
use super::u32::{Proto, show_classid};
use super::{Qdisc, Sched, Stats, units};
use crate::show::json::JsonWriter;
use sim_core::Instant;

/// Appends the lines for one device's qdiscs: its root (`None`: its default `noqueue`)
/// and those grafted below it, in the kernel's listing order.
/// (`-r`: each handle also as the kernel's 32 bits, `8001:[80010000]`.)
/// (`now`: when, for rate estimators.)
pub fn qdisc(out: &mut Vec<String>, dev: Option<&str>, q: Option<&Qdisc>, refcnt: u32, flags: &Flags, now: Instant) {
    let dev = dev.map(|d| format!("dev {d} ")).unwrap_or_default();
    let raw = |handle: u16| if flags.raw { format!("[{:08x}]", u32::from(handle) << 16) } else { String::new() };
    let stats = flags.stats;
    let Some(root) = q else {
        out.push(format!("qdisc noqueue 0:{} {dev}root refcnt 2 ", raw(0)));
        if stats {
            counters(out, &Stats::default(), None);
        }
        return;
    };
    for q in root.listed() {
        let opts = match &q.sched {
            // netem prints the same whatever the flags.
            Sched::Netem(n) => n.print(),
            Sched::Tbf(t) => t.print(flags.details, flags.raw),
            Sched::Htb(h) => h.print(flags.details),
        };
        // A grafted qdisc has one reference, which tc leaves out.
        let at = match q.parent {
            None => format!("root refcnt {refcnt} "),
            Some(p) => format!("parent {} ", show_classid(p)),
        };
        out.push(format!("qdisc {} {:x}:{} {dev}{at}{opts}", q.sched.kind(), q.handle, raw(q.handle)));
        if stats {
            counters(out, &q.stats, rate(q.est.as_deref(), &q.stats, now));
        }
    }
}

/// `tc -j qdisc show`'s objects for one device's qdiscs, as [`qdisc`] lists them. `Err`
/// names what has no JSON here yet (nothing, today).
pub fn qdisc_json(
    w: &mut JsonWriter,
    dev: Option<&str>,
    q: Option<&Qdisc>,
    refcnt: u32,
    stats: bool,
    now: Instant,
) -> Result<(), &'static str> {
    let header = |w: &mut JsonWriter, kind: &str, handle: &str| {
        w.start_object();
        w.string_field("kind", kind);
        w.string_field("handle", handle);
        if let Some(d) = dev {
            w.string_field("dev", d);
        }
    };
    let Some(root) = q else {
        header(w, "noqueue", "0:");
        w.true_field("root");
        w.number_field("refcnt", 2);
        w.name("options");
        w.start_object();
        w.end_object();
        if stats {
            counters_json(w, &Stats::default(), None);
        }
        w.end_object();
        return Ok(());
    };
    for q in root.listed() {
        header(w, q.sched.kind(), &format!("{:x}:", q.handle));
        match q.parent {
            None => {
                w.true_field("root");
                w.number_field("refcnt", refcnt);
            }
            Some(p) => w.string_field("parent", &show_classid(p)),
        }
        w.name("options");
        w.start_object();
        match &q.sched {
            Sched::Netem(n) => n.print_json(w),
            Sched::Tbf(t) => t.print_json(w),
            Sched::Htb(h) => h.print_json(w),
        }
        w.end_object();
        if stats {
            counters_json(w, &q.stats, rate(q.est.as_deref(), &q.stats, now));
        }
        w.end_object();
    }
    Ok(())
}

/// What an estimator reads at `now`: bytes and packets a second.
fn rate(est: Option<&Estimator>, s: &Stats, now: Instant) -> Option<(u64, u64)> {
    est.map(|e| e.read(now, s))
}

/// `print_tcstats2_attr`'s counters in JSON (`rate`, in bytes a second, and `pps` where
/// an estimator runs).
fn counters_json(w: &mut JsonWriter, s: &Stats, rate: Option<(u64, u64)>) {
    w.number_field("bytes", s.bytes);
    w.number_field("packets", s.packets);
    w.number_field("drops", s.drops);
    w.number_field("overlimits", s.overlimits);
    w.number_field("requeues", s.requeues);
    if let Some((bps, pps)) = rate {
        w.number_field("rate", bps.min(u64::from(u32::MAX)));
        w.number_field("pps", pps as u32);
    }
    w.number_field("backlog", s.backlog);
    w.number_field("qlen", s.qlen);
}

/// ` Sent … (dropped …, overlimits … requeues …) ` and ` backlog …b …p requeues …`, that
/// line led by ` rate …bit …pps` where an estimator runs (`rate`: bytes and packets a
/// second; the kernel's 32-bit `TCA_STATS_RATE_EST`).
pub fn counters(out: &mut Vec<String>, s: &Stats, rate: Option<(u64, u64)>) {
    out.push(format!(
        " Sent {} bytes {} pkt (dropped {}, overlimits {} requeues {}) ",
        s.bytes, s.packets, s.drops, s.overlimits, s.requeues
    ));
    let est = rate.map_or(String::new(), |(bps, pps)| {
        format!(" rate {} {}pps", units::rate(bps.min(u64::from(u32::MAX))), pps as u32)
    });
    out.push(format!("{est} backlog {} {}p requeues {}", units::size(s.backlog), s.qlen, s.requeues));
}

/// `tc class show`'s lines for a device's qdiscs (`classid`: only that class): the
/// root's classes, then those of the qdiscs grafted below, in listing order.
pub fn classes(out: &mut Vec<String>, q: Option<&Qdisc>, classid: Option<u32>, flags: &Flags, now: Instant) {
    let stats = flags.stats;
    let Some(root) = q else { return };
    let leaf = |c: Option<&Qdisc>| c.map(|c| format!("leaf {:x}: ", c.handle)).unwrap_or_default();
    for q in root.listed() {
        let id = u32::from(q.handle) << 16 | 1;
        let own = format!("parent {} ", show_classid(id & 0xffff_0000));
        match &q.sched {
            Sched::Htb(h) => {
                for c in h.classes().filter(|c| classid.is_none_or(|id| id == c.id)) {
                    out.push(h.class_line(c, &leaf(c.child.as_deref()), flags.details, flags.raw));
                    if stats {
                        counters(out, &c.shown_stats(), rate(c.est.as_deref(), &c.stats, now));
                        out.extend(Htb::class_xstats(c));
                        out.push(String::new());
                    }
                }
            }
            // tbf's one class, which holds its FIFO or a grafted qdisc.
            Sched::Tbf(t) if classid.is_none_or(|c| c == id) => {
                out.push(format!("class tbf {} {own}{}", show_classid(id), leaf(t.child.as_deref())));
                if stats {
                    out.push(String::new());
                }
            }
            // netem's class exists only while a qdisc is grafted to it.
            Sched::Netem(n) if n.child.is_some() && classid.is_none_or(|c| c == id) => {
                out.push(format!("class netem {} {own}{}", show_classid(id), leaf(n.child.as_deref())));
                if stats {
                    out.push(String::new());
                }
            }
            _ => {}
        }
    }
}

/// The htb qdisc whose filters `tc filter show [parent H:]` lists (the one `parent` names,
/// else the root), with its own handle; none when the qdisc is not htb or `parent` names
/// one of its classes.
fn filtered_htb(q: Option<&Qdisc>, parent: Option<u32>) -> Option<(&Htb, u32)> {
    let q = match parent.filter(|p| *p != 0xffff_ffff) {
        Some(p) => q.and_then(|q| q.find((p >> 16) as u16)),
        None => q,
    };
    let Some(Sched::Htb(h)) = q.map(|q| &q.sched) else { return None };
    let own = u32::from(h.major) << 16;
    if parent.is_some_and(|p| p != own && p != 0xffff_ffff) {
        return None;
    }
    Some((h, own))
}

/// `tc filter show`'s lines: per priority a header, its hash table, then its nodes.
/// (those of the qdisc `parent` names, else of the root). `raw` (`-r`): each `fh` also as
/// the kernel's 32 bits (`800::800[80000800]`).
pub fn filters(out: &mut Vec<String>, q: Option<&Qdisc>, parent: Option<u32>, raw: bool) {
    let hex = |h: u32| if raw { format!("[{h:08x}]") } else { String::new() };
    let Some((h, own)) = filtered_htb(q, parent) else { return };
    // `parent 1: ` is left out when the user named it.
    let at = if parent == Some(own) { String::new() } else { format!("parent {} ", show_classid(own)) };
    let mut last = None;
    for f in &h.filters {
        let proto = match f.proto {
            Proto::Ip => "ip",
            Proto::All => "all",
        };
        let head = format!("filter {at}protocol {proto} pref {} u32 chain 0 ", f.prio);
        if last != Some(f.prio) {
            out.push(head.clone());
            out.push(format!("{head}fh {:x}:{} ht divisor 1 ", f.ht, hex(f.ht << 20)));
            last = Some(f.prio);
        }
        out.push(format!(
            "{head}fh {:x}::{:x}{} order {} key ht {:x} bkt 0 *flowid {} not_in_hw ",
            f.ht,
            f.node,
            hex(f.ht << 20 | f.node),
            f.node,
            f.ht,
            show_classid(f.u32.flowid)
        ));
        for k in &f.u32.keys {
            out.push(format!("  match {:08x}/{:08x} at {}", k.val, k.mask, k.off));
        }
    }
}

/// `tc -j filter show`: the objects [`filters`] prints as lines — per priority a header,
/// its hash table, then its nodes, each `match` an object (`value`/`mask` in hex, as
/// `print_raw` writes them).
pub fn filters_json(w: &mut JsonWriter, q: Option<&Qdisc>, parent: Option<u32>) {
    let Some((h, own)) = filtered_htb(q, parent) else { return };
    let mut last = None;
    for f in &h.filters {
        let head = |w: &mut JsonWriter| {
            w.start_object();
            // `parent` is left out when the user named it.
            if parent != Some(own) {
                w.string_field("parent", &show_classid(own));
            }
            w.string_field(
                "protocol",
                match f.proto {
                    Proto::Ip => "ip",
                    Proto::All => "all",
                },
            );
            w.number_field("pref", f.prio);
            w.string_field("kind", "u32");
            w.number_field("chain", 0);
        };
        if last != Some(f.prio) {
            head(w);
            w.end_object();
            head(w);
            w.name("options");
            w.start_object();
            w.string_field("fh", &format!("{:x}:", f.ht));
            w.number_field("ht_divisor", 1);
            w.end_object();
            w.end_object();
            last = Some(f.prio);
        }
        head(w);
        w.name("options");
        w.start_object();
        w.string_field("fh", &format!("{:x}::{:x}", f.ht, f.node));
        w.number_field("order", f.node);
        w.string_field("key_ht", &format!("{:x}", f.ht));
        w.string_field("bkt", "0");
        w.string_field("flowid", &show_classid(f.u32.flowid));
        w.true_field("not_in_hw");
        for k in &f.u32.keys {
            w.name("match");
            w.start_object();
            w.string_field("value", &format!("{:x}", k.val));
            w.string_field("mask", &format!("{:x}", k.mask));
            w.string_field("offmask", "");
            w.number_field("off", k.off);
            w.end_object();
        }
        w.end_object();
        w.end_object();
    }
}
