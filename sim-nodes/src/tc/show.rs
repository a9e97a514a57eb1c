//! What `tc qdisc|class|filter show` print (iproute2 6.1's `print_qdisc`, `print_class`,
//! `print_filter` and `print_tcstats2_attr`): the header — kind, handle, `dev` when listing
//! every device, `root` or `parent`, `refcnt` — the kind's options, and with `-s` the two
//! counter lines (and htb's `lended`/`tokens` lines).

use super::htb::Htb;
use super::u32::{Proto, show_classid};
use super::{Qdisc, Sched, Stats, units};

/// Appends the lines for one device's qdiscs: its root (`None`: its default `noqueue`)
/// and those grafted below it, in the kernel's listing order.
pub fn qdisc(out: &mut Vec<String>, dev: Option<&str>, q: Option<&Qdisc>, refcnt: u32, stats: bool) {
    let dev = dev.map(|d| format!("dev {d} ")).unwrap_or_default();
    let Some(root) = q else {
        out.push(format!("qdisc noqueue 0: {dev}root refcnt 2 "));
        if stats {
            counters(out, &Stats::default());
        }
        return;
    };
    for q in root.listed() {
        let opts = match &q.sched {
            Sched::Netem(n) => n.print(),
            Sched::Tbf(t) => t.print(),
            Sched::Htb(h) => h.print(),
        };
        // A grafted qdisc has one reference, which tc leaves out.
        let at = match q.parent {
            None => format!("root refcnt {refcnt} "),
            Some(p) => format!("parent {} ", show_classid(p)),
        };
        out.push(format!("qdisc {} {:x}: {dev}{at}{opts}", q.sched.kind(), q.handle));
        if stats {
            counters(out, &q.stats);
        }
    }
}

/// ` Sent … (dropped …, overlimits … requeues …) ` and ` backlog …b …p requeues …`.
pub fn counters(out: &mut Vec<String>, s: &Stats) {
    out.push(format!(
        " Sent {} bytes {} pkt (dropped {}, overlimits {} requeues {}) ",
        s.bytes, s.packets, s.drops, s.overlimits, s.requeues
    ));
    out.push(format!(" backlog {} {}p requeues {}", units::size(s.backlog), s.qlen, s.requeues));
}

/// `tc class show`'s lines for a device's qdiscs (`classid`: only that class): the
/// root's classes, then those of the qdiscs grafted below, in listing order.
pub fn classes(out: &mut Vec<String>, q: Option<&Qdisc>, classid: Option<u32>, stats: bool) {
    let Some(root) = q else { return };
    let leaf = |c: Option<&Qdisc>| c.map(|c| format!("leaf {:x}: ", c.handle)).unwrap_or_default();
    for q in root.listed() {
        let id = u32::from(q.handle) << 16 | 1;
        let own = format!("parent {} ", show_classid(id & 0xffff_0000));
        match &q.sched {
            Sched::Htb(h) => {
                for c in h.classes().filter(|c| classid.is_none_or(|id| id == c.id)) {
                    out.push(h.class_line(c, &leaf(c.child.as_deref())));
                    if stats {
                        counters(out, &c.shown_stats());
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

/// `tc filter show`'s lines: per priority a header, its hash table, then its nodes.
/// (those of the qdisc `parent` names, else of the root).
pub fn filters(out: &mut Vec<String>, q: Option<&Qdisc>, parent: Option<u32>) {
    let q = match parent.filter(|p| *p != 0xffff_ffff) {
        Some(p) => q.and_then(|q| q.find((p >> 16) as u16)),
        None => q,
    };
    let Some(Sched::Htb(h)) = q.map(|q| &q.sched) else { return };
    let own = u32::from(h.major) << 16;
    if parent.is_some_and(|p| p != own && p != 0xffff_ffff) {
        return;
    }
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
            out.push(format!("{head}fh {:x}: ht divisor 1 ", f.ht));
            last = Some(f.prio);
        }
        out.push(format!(
            "{head}fh {:x}::{:x} order {} key ht {:x} bkt 0 *flowid {} not_in_hw ",
            f.ht,
            f.node,
            f.node,
            f.ht,
            show_classid(f.u32.flowid)
        ));
        for k in &f.u32.keys {
            out.push(format!("  match {:08x}/{:08x} at {}", k.val, k.mask, k.off));
        }
    }
}
