//! `tc … netem` as iproute2 6.1's `netem_parse_opt` reads it: prefix keywords in its
//! order, optional numbers taken only when the next word starts with a digit, percentages
//! on the 2^32 scale, delays through 32-bit 64-ns ticks, and its messages and exit codes.

use super::{Model, NetemOpts, RateOpts, SlotOpts};
use crate::tc::dist;
use crate::tc::units::{self, get_rate, get_s32, get_u32};

/// The usage `tc` prints after a netem error.
pub const USAGE: &str = "Usage: ... netem [ limit PACKETS ]
                 [ delay TIME [ JITTER [CORRELATION]]]
                 [ distribution {uniform|normal|pareto|paretonormal} ]
                 [ corrupt PERCENT [CORRELATION]]
                 [ duplicate PERCENT [CORRELATION]]
                 [ loss random PERCENT [CORRELATION]]
                 [ loss state P13 [P31 [P32 [P23 P14]]]
                 [ loss gemodel PERCENT [R [1-H [1-K]]]
                 [ ecn ]
                 [ reorder PERCENT [CORRELATION] [ gap DISTANCE ]]
                 [ rate RATE [PACKETOVERHEAD] [CELLSIZE] [CELLOVERHEAD]]
                 [ slot MIN_DELAY [MAX_DELAY] [packets MAX_PACKETS] [bytes MAX_BYTES]]
                 [ slot distribution {uniform|normal|pareto|paretonormal|custom}
                   DELAY JITTER [packets MAX_PACKETS] [bytes MAX_BYTES]]";

type PErr = (String, i32);

fn illegal(what: &str) -> PErr {
    (format!("Illegal \"{what}\""), 1)
}

/// `parse_percent` + `set_percent`: `5`, `5%`, `0.1%` on the 2^32 scale.
fn percent(s: &str) -> Option<u32> {
    let (v, rest) = fraction(s)?;
    if !(0.0..=1.0).contains(&v) || !(rest.is_empty() || rest == "%") {
        return None;
    }
    Some(set_percent(v))
}

fn fraction(s: &str) -> Option<(f64, &str)> {
    let end =
        s.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == '+' || c == 'e')).unwrap_or(s.len());
    let v: f64 = s[..end].parse().ok()?;
    Some((v / 100.0, &s[end..]))
}

fn set_percent(v: f64) -> u32 {
    (v * f64::from(u32::MAX)).round_ties_even() as u32
}

/// `get_ticks`: a time in 64-ns ticks, refused (as tc does) when it does not fit 32 bits.
fn ticks(s: &str, what: &str) -> Result<u32, PErr> {
    let us = match units::split_time_us(s) {
        Some(us) => us,
        None => return Err(illegal(what)),
    };
    // tc's `get_time` stores the double in an unsigned int: `-1ms` wraps.
    let t = us as i64 as u32;
    if (u64::from(t) as f64 * 15.625) as u64 >> 32 != 0 {
        return Err((format!("Illegal {t} time (too large)\nIllegal \"{what}\""), 1));
    }
    Ok((f64::from(t) * 15.625) as u32)
}

fn starts_digit(s: Option<&&str>) -> bool {
    s.is_some_and(|w| w.starts_with(|c: char| c.is_ascii_digit()))
}

fn starts_signed(s: Option<&&str>) -> bool {
    s.is_some_and(|w| w.starts_with(|c: char| c.is_ascii_digit() || c == '-'))
}

fn dist_table(name: &str) -> Result<&'static str, PErr> {
    if name == "experimental" {
        return Err((
            "not supported yet: distribution experimental (nslab makes normal, pareto and paretonormal)".into(),
            1,
        ));
    }
    dist::NAMES.iter().copied().find(|n| *n == name).ok_or_else(|| {
        (
            format!(
                "No distribution data for {name} (/usr/lib/x86_64-linux-gnu/tc//{name}.dist: No such file or directory)"
            ),
            1,
        )
    })
}

/// `netem_parse_opt`.
pub fn parse(args: &[&str]) -> Result<NetemOpts, PErr> {
    use crate::tc::cli::{INCOMPLETE, matches};
    let mut o = NetemOpts { limit: 1000, ..Default::default() };
    let mut corr = [0u32; 3];
    let mut corr_present = false;
    let mut loss_model: Option<Model> = None;
    let mut i = 0;
    let incomplete = || (INCOMPLETE.to_string(), 255);
    macro_rules! next {
        () => {{
            i += 1;
            *args.get(i).ok_or_else(incomplete)?
        }};
    }
    while i < args.len() {
        let a = args[i];
        if matches(a, "limit") {
            let v = next!();
            o.limit = units::get_size(v).ok_or_else(|| illegal("limit"))?;
        } else if matches(a, "latency") || matches(a, "delay") {
            o.latency = ticks(next!(), "latency")?;
            if starts_digit(args.get(i + 1)) {
                o.jitter = ticks(next!(), "latency")?;
                if starts_digit(args.get(i + 1)) {
                    corr_present = true;
                    corr[0] = percent(next!()).ok_or_else(|| illegal("latency"))?;
                }
            }
        } else if matches(a, "loss") || matches(a, "drop") {
            if o.loss > 0 || loss_model.is_some() {
                return Err(illegal("duplicate loss argument\n"));
            }
            let mut w = next!();
            let random = w.starts_with(|c: char| c.is_ascii_digit());
            if random || w == "random" {
                if !random {
                    w = next!();
                }
                o.loss = percent(w).ok_or_else(|| illegal("loss percent"))?;
                if starts_digit(args.get(i + 1)) {
                    corr_present = true;
                    corr[1] = percent(next!()).ok_or_else(|| illegal("loss correlation"))?;
                }
            } else if w == "state" {
                let v = next!();
                let p13 = fraction(v).filter(|(p, r)| (0.0..=1.0).contains(p) && (r.is_empty() || *r == "%"));
                let (p13, _) = p13.ok_or_else(|| illegal("loss p13"))?;
                let mut m = [set_percent(p13), set_percent(1.0 - p13), 0, set_percent(1.0), 0];
                for (k, name) in [(1, "loss p31"), (2, "loss p32"), (3, "loss p23"), (4, "loss p14")] {
                    if !starts_digit(args.get(i + 1)) {
                        break;
                    }
                    m[k] = percent(next!()).ok_or_else(|| illegal(name))?;
                }
                loss_model = Some(Model::State(m));
            } else if w == "gemodel" {
                let v = next!();
                let p = fraction(v).filter(|(p, r)| (0.0..=1.0).contains(p) && (r.is_empty() || *r == "%"));
                let (p, _) = p.ok_or_else(|| illegal("loss gemodel p"))?;
                let mut m = [set_percent(p), set_percent(1.0 - p), 0, 0];
                for (k, name) in [(1, "loss gemodel r"), (2, "loss gemodel h"), (3, "loss gemodel k")] {
                    if !starts_digit(args.get(i + 1)) {
                        break;
                    }
                    m[k] = percent(next!()).ok_or_else(|| illegal(name))?;
                    if k == 2 {
                        m[2] = u32::MAX - m[2];
                    }
                }
                loss_model = Some(Model::Ge(m));
            } else {
                return Err((format!("Unknown loss parameter: {w}"), 1));
            }
        } else if matches(a, "ecn") {
            o.ecn = true;
        } else if matches(a, "reorder") {
            let p = percent(next!()).ok_or_else(|| illegal("reorder"))?;
            let mut c = 0;
            if starts_digit(args.get(i + 1)) {
                corr_present = true;
                c = percent(next!()).ok_or_else(|| illegal("reorder"))?;
            }
            o.reorder = Some((p, c));
        } else if matches(a, "corrupt") {
            let p = percent(next!()).ok_or_else(|| illegal("corrupt"))?;
            let mut c = 0;
            if starts_digit(args.get(i + 1)) {
                corr_present = true;
                c = percent(next!()).ok_or_else(|| illegal("corrupt"))?;
            }
            o.corrupt = Some((p, c));
        } else if matches(a, "gap") {
            o.gap = get_u32(next!()).ok_or_else(|| illegal("gap"))?;
        } else if matches(a, "duplicate") {
            o.duplicate = percent(next!()).ok_or_else(|| illegal("duplicate"))?;
            if starts_digit(args.get(i + 1)) {
                // tc sends this correlation only along with another one.
                corr[2] = percent(next!()).ok_or_else(|| illegal("duplicate"))?;
            }
        } else if matches(a, "distribution") {
            o.dist = Some(dist_table(next!())?);
        } else if matches(a, "rate") {
            let v = next!();
            if v.contains('%') {
                return Err(("not supported yet: a netem rate as a percentage of the device's speed".into(), 1));
            }
            let rate = get_rate(v).ok_or_else(|| illegal("rate"))?;
            // One struct for every `rate` on the line, as in tc: a second keeps what it
            // does not set.
            let mut r = o.rate.unwrap_or(RateOpts { rate, packet_overhead: 0, cell_size: 0, cell_overhead: 0 });
            r.rate = rate;
            if starts_signed(args.get(i + 1)) {
                r.packet_overhead = get_s32(next!()).ok_or_else(|| illegal("rate"))?;
            }
            if starts_digit(args.get(i + 1)) {
                r.cell_size = get_u32(next!()).ok_or_else(|| illegal("rate"))?;
            }
            if starts_signed(args.get(i + 1)) {
                r.cell_overhead = get_s32(next!()).ok_or_else(|| illegal("rate"))?;
            }
            o.rate = Some(r);
        } else if matches(a, "slot") {
            let mut s = o.slot.unwrap_or(SlotOpts {
                min_delay: 0,
                max_delay: 0,
                dist: None,
                dist_delay: 0,
                dist_jitter: 0,
                max_packets: 0,
                max_bytes: 0,
            });
            if starts_digit(args.get(i + 1)) {
                s.min_delay = units::get_time_ns(next!()).ok_or_else(|| illegal("slot min_delay"))?;
                if starts_digit(args.get(i + 1)) {
                    s.max_delay = units::get_time_ns(next!())
                        .filter(|m| *m >= s.min_delay)
                        .ok_or_else(|| illegal("slot max_delay"))?;
                } else {
                    s.max_delay = s.min_delay;
                }
            } else {
                let w = next!();
                if w != "distribution" {
                    return Err((format!("Unknown slot parameter: {w}"), 1));
                }
                s.dist = Some(dist_table(next!())?);
                s.dist_delay = units::get_time_ns(next!()).ok_or_else(|| illegal("slot delay"))?;
                s.dist_jitter = units::get_time_ns(next!()).ok_or_else(|| illegal("slot jitter"))?;
                if s.dist_jitter <= 0 {
                    return Err(("Non-positive jitter".into(), 1));
                }
            }
            if args.get(i + 1).is_some_and(|w| matches(w, "packets")) {
                i += 1;
                s.max_packets = args.get(i + 1).and_then(|w| get_s32(w)).ok_or_else(|| illegal("slot packets"))?;
                i += 1;
            }
            if args.get(i + 1).is_some_and(|w| matches(w, "bytes")) {
                i += 1;
                s.max_bytes =
                    args.get(i + 1).and_then(|w| units::get_size(w)).ok_or_else(|| illegal("slot bytes"))? as i32;
                i += 1;
            }
            o.slot = Some(s);
        } else if a == "seed" {
            // iproute2 6.6's keyword: the machine's 6.1 does not know it, but a seed is what
            // makes a netem run repeatable, so nslab takes it.
            let v = next!();
            o.seed = Some(v.parse().map_err(|_| illegal("seed"))?);
        } else {
            let what = if a == "help" { String::new() } else { format!("What is \"{a}\"?\n") };
            return Err((format!("{what}{USAGE}"), 1));
        }
        i += 1;
    }
    if o.reorder.is_some_and(|(p, _)| p != 0) {
        if o.latency == 0 {
            return Err((format!("reordering not possible without specifying some delay\n{USAGE}"), 1));
        }
        if o.gap == 0 {
            o.gap = 1;
        }
    } else if o.gap > 0 {
        return Err((format!("gap specified without reorder probability\n{USAGE}"), 1));
    }
    if o.ecn && o.loss == 0 && loss_model.is_none() {
        return Err((format!("ecn requested without loss model\n{USAGE}"), 1));
    }
    if o.dist.is_some() && (o.latency == 0 || o.jitter == 0) {
        return Err((format!("distribution specified but no latency and jitter values\n{USAGE}"), 1));
    }
    // The kernel's `validate_slot` (6.18): what tc lets through, it refuses.
    if let Some(s) = o.slot {
        if s.max_packets < 0 || s.max_bytes < 0 {
            return Err(("Error: negative slot limit.".into(), 2));
        }
        if s.dist_delay < 0 {
            return Err(("Error: negative dist delay.".into(), 2));
        }
    }
    o.corr = corr_present.then_some(corr);
    o.model = loss_model;
    Ok(o)
}
