//! What `tc qdisc|class|filter show` print (iproute2 6.1's `print_qdisc`, `print_class`,
//! `print_filter` and `print_tcstats2_attr`): the header — kind, handle, `dev` when listing
//! every device, `root` or `parent`, `refcnt` — the kind's options, and with `-s` the two
//! counter lines (and htb's `lended`/`tokens` lines).

use super::htb::Htb;
use super::u32::{Proto, show_classid};
use super::{Qdisc, Sched, Stats, units};

/// Appends the lines for one device's root qdisc (`None`: its default `noqueue`).
pub fn qdisc(out: &mut Vec<String>, dev: Option<&str>, q: Option<&Qdisc>, refcnt: u32, stats: bool) {
    let dev = dev.map(|d| format!("dev {d} ")).unwrap_or_default();
    let (line, st) = match q {
        None => (format!("qdisc noqueue 0: {dev}root refcnt 2 "), Stats::default()),
        Some(q) => {
            let opts = match &q.sched {
                Sched::Netem(n) => n.print(),
                Sched::Tbf(t) => t.print(),
                Sched::Htb(h) => h.print(),
            };
            (format!("qdisc {} {:x}: {dev}root refcnt {refcnt} {opts}", q.sched.kind(), q.handle), q.stats)
        }
    };
    out.push(line);
    if stats {
        counters(out, &st);
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

/// `tc class show`'s lines for a device's root qdisc (`classid`: only that class).
pub fn classes(out: &mut Vec<String>, q: Option<&Qdisc>, classid: Option<u32>, stats: bool) {
    let Some(q) = q else { return };
    match &q.sched {
        Sched::Htb(h) => {
            for c in h.classes().filter(|c| classid.is_none_or(|id| id == c.id)) {
                out.push(h.class_line(c));
                if stats {
                    counters(out, &c.stats);
                    out.extend(Htb::class_xstats(c));
                    out.push(String::new());
                }
            }
        }
        // tbf's one class, which holds its FIFO.
        Sched::Tbf(_) => {
            let id = u32::from(q.handle) << 16 | 1;
            if classid.is_none_or(|c| c == id) {
                out.push(format!("class tbf {} parent {} ", show_classid(id), show_classid(id & 0xffff_0000)));
                if stats {
                    out.push(String::new());
                }
            }
        }
        Sched::Netem(_) => {}
    }
}

/// `tc filter show`'s lines: per priority a header, its hash table, then its nodes.
pub fn filters(out: &mut Vec<String>, q: Option<&Qdisc>, parent: Option<u32>) {
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
