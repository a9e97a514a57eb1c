//! What `tc qdisc show` prints (iproute2 6.1's `print_qdisc` and `print_tcstats2_attr`):
//! the header — kind, handle, `dev` when listing every device, `root`, `refcnt` — the
//! kind's options, and with `-s` the two counter lines.

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
