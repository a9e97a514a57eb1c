//! `netem_print_opt` in JSON (iproute2 6.1's `q_netem.c`): times in seconds and
//! probabilities as fractions, each a C `%g`; a correlation under each impairment even
//! when zero; `ecn` and `gap` always. The reference machine's kernel has no netem, so
//! this follows the source alone (`e18-tc-json` checks tbf's and htb's against the kernel).

use super::{Model, Netem};
use crate::show::json::JsonWriter;
use crate::tc::units;

impl Netem {
    /// The options object's fields (the caller opens and closes it).
    pub fn print_json(&self, w: &mut JsonWriter) {
        let o = &self.shown;
        let float = |w: &mut JsonWriter, k: &str, v: f64| w.raw_field(k, &units::g(v, 6));
        let frac = |w: &mut JsonWriter, k: &str, p: u32| float(w, k, f64::from(p) / f64::from(u32::MAX));
        // An object of one probability and its correlation (`loss-random`, `duplicate`, …).
        let pair = |w: &mut JsonWriter, obj: &str, k: &str, p: u32, c: u32| {
            w.name(obj);
            w.start_object();
            frac(w, k, p);
            frac(w, "correlation", c);
            w.end_object();
        };
        let corr = o.corr.unwrap_or([0; 3]);
        w.number_field("limit", o.limit);
        if o.latency != 0 {
            w.name("delay");
            w.start_object();
            let jitter = ((u64::from(o.jitter) << 6).min(i32::MAX as u64) >> 6) as u32;
            float(w, "delay", f64::from(units::tick2time(o.latency)) / 1e6);
            float(w, "jitter", f64::from(units::tick2time(jitter)) / 1e6);
            frac(w, "correlation", corr[0]);
            w.end_object();
        }
        if o.loss != 0 {
            pair(w, "loss-random", "loss", o.loss, corr[1]);
        }
        match o.model {
            Some(Model::State(m)) => {
                w.name("loss-state");
                w.start_object();
                for (k, p) in ["p13", "p31", "p32", "p23", "p14"].iter().zip(m) {
                    frac(w, k, p);
                }
                w.end_object();
            }
            Some(Model::Ge(m)) => {
                w.name("loss-gemodel");
                w.start_object();
                for (k, p) in ["p", "r", "1-h", "1-k"].iter().zip([m[0], m[1], u32::MAX - m[2], m[3]]) {
                    frac(w, k, p);
                }
                w.end_object();
            }
            None => {}
        }
        if o.duplicate != 0 {
            pair(w, "duplicate", "duplicate", o.duplicate, corr[2]);
        }
        for (name, v) in [("reorder", o.reorder), ("corrupt", o.corrupt)] {
            if let Some((p, c)) = v.filter(|(p, _)| *p != 0) {
                pair(w, name, name, p, c);
            }
        }
        if let Some(r) = o.rate.filter(|r| r.rate != 0) {
            w.name("rate");
            w.start_object();
            w.number_field("rate", r.rate);
            w.number_field("packetoverhead", r.packet_overhead);
            w.number_field("cellsize", r.cell_size);
            w.number_field("celloverhead", r.cell_overhead);
            w.end_object();
        }
        if let Some(mut sl) = o.slot.filter(|s| s.min_delay | s.max_delay | s.dist_jitter != 0) {
            sl.dist_jitter = sl.dist_jitter.min(i64::from(i32::MAX));
            for v in [&mut sl.max_packets, &mut sl.max_bytes] {
                if *v == i32::MAX {
                    *v = 0;
                }
            }
            w.name("slot");
            w.start_object();
            let secs = |ns: i64| ns as f64 / 1e9;
            if sl.dist_jitter > 0 {
                float(w, "distribution", secs(sl.dist_delay));
                float(w, "jitter", secs(sl.dist_jitter));
            } else {
                float(w, "min-delay", secs(sl.min_delay));
                float(w, "max-delay", secs(sl.max_delay));
            }
            w.number_field("packets", sl.max_packets);
            w.number_field("bytes", sl.max_bytes);
            w.end_object();
        }
        // iproute2 6.6's `seed`, where nslab's text prints it too.
        if let Some(seed) = o.seed {
            w.number_field("seed", seed);
        }
        w.bool_field("ecn", o.ecn);
        w.number_field("gap", o.gap);
    }
}
