//! netem against `sch_netem.c`: the generator's test vectors, the correlation and table
//! arithmetic on worked values, loss/duplicate/corrupt/reorder rates within their binomial
//! 99.9% bounds, jitter's mean and spread within the normal bounds, exact times for fixed
//! settings, and the Markov loss models' state sequences drawn by hand from the generator.

use super::*;
use crate::tc::Stats;
use sim_core::Duration;

fn opts(words: &str) -> NetemOpts {
    parse(&words.split_whitespace().collect::<Vec<_>>()).unwrap()
}

fn netem(words: &str) -> Netem {
    Netem::new(opts(words), Instant::ZERO, rng::stream(7, "test netem"))
}

/// A 98-byte IPv4 frame (a ping's), TOS as given.
fn frame(tos: u8) -> Buf {
    let mut f = vec![0u8; 98];
    f[12..14].copy_from_slice(&[0x08, 0x00]);
    f[14] = 0x45;
    f[15] = tos;
    f[16..18].copy_from_slice(&84u16.to_be_bytes());
    f[22] = 64;
    f[23] = 1;
    let c = crate::wire::checksum(&f[14..34]);
    f[24..26].copy_from_slice(&c.to_be_bytes());
    f
}

/// Sends `n` frames one every `gap`, dequeues everything, returns (send time, out time,
/// frame) per frame out, and the counters.
fn pass(q: &mut Netem, n: u64, gap: Duration) -> (Vec<(Instant, Instant, Buf)>, Stats) {
    let mut st = Stats::default();
    let mut pool = Vec::new();
    let mut out = Vec::new();
    let mut sent = std::collections::BTreeMap::new();
    let mut now = Instant::ZERO;
    let drain = |q: &mut Netem,
                 now: Instant,
                 st: &mut Stats,
                 out: &mut Vec<(Instant, Instant, Buf)>,
                 sent: &std::collections::BTreeMap<u64, Instant>| {
        while let Some(f) = q.dequeue(now, st, &mut Vec::new(), &mut super::Lost::default()) {
            // (A corrupted id is a frame sent "now"; only the corrupt test sees one.)
            let id = u64::from_be_bytes(f[90..98].try_into().unwrap());
            out.push((sent.get(&id).copied().unwrap_or(now), now, f));
        }
    };
    for i in 0..n {
        let mut f = frame(0);
        f[90..98].copy_from_slice(&i.to_be_bytes());
        sent.insert(i, now);
        let _ = q.enqueue(now, f, &mut st, &mut pool);
        drain(q, now, &mut st, &mut out, &sent);
        let next = now + gap;
        while let Some(w) = q.watchdog().filter(|w| *w < next) {
            drain(q, w.max(now), &mut st, &mut out, &sent);
            if q.watchdog() == Some(w) {
                break;
            }
        }
        now = next;
    }
    while let Some(w) = q.watchdog() {
        drain(q, w, &mut st, &mut out, &sent);
    }
    (out, st)
}

/// `k` events in `n` trials of probability `p` lie within the 99.9% normal approximation.
fn binomial_ok(k: u64, n: u64, p: f64) -> bool {
    let mean = n as f64 * p;
    let sd = (n as f64 * p * (1.0 - p)).sqrt();
    (k as f64 - mean).abs() <= 3.29 * sd
}

#[test]
fn generator_matches_the_kernels_test_vectors() {
    for (seed, want) in [
        (0u64, [1_574_944u32, 268_744, 1_109_394_980, 8_552_980, 826_355_289]),
        (1, [276_959_246, 18_909_696, 2_298_495_022, 9_442_690, 3_222_971_081]),
        (42, [3_053_367_555, 794_645_456, 722_109_529, 489_076_602, 564_259_759]),
    ] {
        let mut t = Taus::seeded(seed);
        let got: Vec<u32> = (0..5).map(|_| t.next()).collect();
        assert_eq!(got, want, "seed {seed}");
    }
}

#[test]
fn correlation_and_tables_use_the_kernels_integer_arithmetic() {
    let mut c = Crnd { last: 0x8000_0000, rho: 1_073_741_824 };
    assert_eq!(correlate(3_000_000_000, &mut c), 2_786_870_911);
    assert_eq!(c.last, 2_786_870_911);
    // Uniform: rnd % 2σ + μ − σ.
    assert_eq!(spread(10_000_000, 2_000_000, 3_000_000_000, None), 8_000_000);
    // A table value of −1234 at μ = 10 ms, σ = 2 ms.
    let t = [-1234i16];
    assert_eq!(spread(10_000_000, 2_000_000, 0, Some(&t)), 9_698_730);
}

#[test]
fn parse_converts_as_tc() {
    let o = opts("delay 10ms 2ms 25% loss 1% duplicate 0.1%");
    assert_eq!((o.latency, o.jitter), (156_250, 31_250));
    assert_eq!(o.corr, Some([1_073_741_824, 0, 0]));
    assert_eq!(o.loss, 42_949_673);
    assert_eq!(o.duplicate, 4_294_967);
    // 1 µs is 15 ticks, 960 ns.
    assert_eq!(opts("delay 1us").latency, 15);
    // A duplicate's correlation alone is not sent.
    assert_eq!(opts("duplicate 1% 50%").corr, None);
    assert_eq!(opts("reorder 25% delay 10ms").gap, 1);
}

#[test]
fn shows_as_netem_print_opt() {
    let p = |w: &str| netem(w).print();
    assert_eq!(p(""), "limit 1000");
    assert_eq!(p("delay 10ms 2ms 25%"), "limit 1000 delay 10ms  2ms 25%");
    assert_eq!(p("delay 999us 1us"), "limit 1000 delay 998us  0us");
    assert_eq!(p("loss 0.0001%"), "limit 1000 loss 0.000100001%");
    assert_eq!(p("loss state 1%"), "limit 1000 loss state p13 1% p31 99% p32 0% p23 100% p14 0%");
    assert_eq!(p("loss gemodel 1% 10% 70% 0.1%"), "limit 1000 loss gemodel p 1% r 10% 1-h 70% 1-k 0.1%");
    assert_eq!(p("delay 10ms reorder 25% 50%"), "limit 1000 delay 10ms reorder 25% 50% gap 1");
    assert_eq!(p("rate 1.5mbit 20 100 -5"), "limit 1000 rate 1500Kbit packetoverhead 20 cellsize 100 celloverhead -5");
    assert_eq!(p("slot 800us 1ms packets 10 bytes 1500"), "limit 1000 slot 800us 1ms packets 10 bytes 1500");
    assert_eq!(p("delay 3s 3s"), "limit 1000 delay 3s  2.15s");
    assert_eq!(
        p("delay 10ms 2ms 25% loss 0.3% 25% duplicate 1% corrupt 0.1% reorder 25% 50% rate 1mbit slot 1ms 2ms ecn"),
        "limit 1000 delay 10ms  2ms 25% loss 0.3% 25% duplicate 1% reorder 25% 50% corrupt 0.1% rate 1Mbit slot 1ms 2ms ecn  gap 1"
    );
    // `change` keeps what it does not set.
    let mut n = netem("delay 10ms corrupt 1% rate 1mbit");
    n.change(opts("delay 20ms"), Instant::ZERO);
    assert_eq!(n.print(), "limit 1000 delay 20ms corrupt 1% rate 1Mbit");
}

#[test]
fn refuses_as_tc() {
    let e = |w: &str| parse(&w.split_whitespace().collect::<Vec<_>>()).unwrap_err();
    assert_eq!(e("loss 120%"), ("Illegal \"loss percent\"".into(), 1));
    assert_eq!(e("loss -1%"), ("Unknown loss parameter: -1%".into(), 1));
    assert_eq!(e("loss random"), (crate::tc::cli::INCOMPLETE.into(), 255));
    assert_eq!(e("loss 1% loss 2%").0, "Illegal \"duplicate loss argument\n\"");
    assert_eq!(e("delay 1000s").0, "Illegal 1000000000 time (too large)\nIllegal \"latency\"");
    assert_eq!(e("delay 10ms -1ms").0, format!("What is \"-1ms\"?\n{USAGE}"));
    assert_eq!(e("gap 5").0, format!("gap specified without reorder probability\n{USAGE}"));
    assert_eq!(e("ecn").0, format!("ecn requested without loss model\n{USAGE}"));
    assert_eq!(
        e("delay 10ms distribution normal").0.lines().next(),
        Some("distribution specified but no latency and jitter values")
    );
    assert!(e("delay 10ms 2ms distribution foo").0.starts_with("No distribution data for foo"));
    assert_eq!(e("slot 2ms 1ms").0, "Illegal \"slot max_delay\"");
    assert_eq!(e("gap -1").0, "Illegal \"gap\"");
}

#[test]
fn a_fixed_delay_is_exact_and_keeps_order() {
    let mut q = netem("delay 10ms");
    let (out, st) = pass(&mut q, 100, Duration::from_millis(1));
    assert_eq!(out.len(), 100);
    for (i, (sent, at, _)) in out.iter().enumerate() {
        assert_eq!(*at - *sent, Duration::from_millis(10), "frame {i}");
    }
    assert_eq!((st.packets, st.drops, st.backlog, st.qlen), (100, 0, 0, 0));
}

#[test]
fn a_rate_spaces_frames_by_their_length() {
    // 98 bytes at 1 Mbit/s take 784 µs; sent together they leave 784 µs apart.
    let mut q = netem("rate 1mbit");
    let (out, _) = pass(&mut q, 10, Duration::ZERO);
    let times: Vec<u64> = out.iter().map(|(_, at, _)| at.as_nanos()).collect();
    assert_eq!(times, (1..=10).map(|k| k * 784_000).collect::<Vec<_>>());
}

#[test]
fn random_loss_duplicate_and_corrupt_follow_their_probabilities() {
    let n = 20_000;
    let (out, st) = pass(&mut netem("loss 10%"), n, Duration::from_micros(100));
    assert!(binomial_ok(u64::from(st.drops), n, 0.10), "drops {}", st.drops);
    assert_eq!(out.len() as u64 + u64::from(st.drops), n);

    let (out, _) = pass(&mut netem("duplicate 5%"), n, Duration::from_micros(100));
    assert!(binomial_ok(out.len() as u64 - n, n, 0.05), "copies {}", out.len() as u64 - n);

    let (out, _) = pass(&mut netem("corrupt 5%"), n, Duration::from_micros(100));
    let clean = frame(0);
    // A flipped bit lands in the 90 bytes before the frame's id 90/98 of the time.
    let bad = out.iter().filter(|(_, _, f)| f[..90] != clean[..90]).count() as u64;
    assert!(binomial_ok(bad, n, 0.05 * 90.0 / 98.0), "corrupted {bad}");
}

#[test]
fn uniform_and_normal_jitter_have_the_right_mean_and_spread() {
    let n = 20_000u64;
    for (words, mean_ms, sd_ms) in
        [("delay 50ms 10ms", 50.0, 10.0 / 3f64.sqrt()), ("delay 50ms 10ms distribution normal", 50.0, 10.0)]
    {
        let (out, _) = pass(&mut netem(words), n, Duration::from_millis(1));
        let d: Vec<f64> = out.iter().map(|(s, a, _)| (*a - *s).as_nanos() as f64 / 1e6).collect();
        let m = d.iter().sum::<f64>() / d.len() as f64;
        let sd = (d.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (d.len() - 1) as f64).sqrt();
        assert!((m - mean_ms).abs() <= 3.29 * sd_ms / (n as f64).sqrt() + 0.05, "{words}: mean {m}");
        assert!((sd - sd_ms).abs() / sd_ms < 0.05, "{words}: sd {sd}");
    }
    // Uniform stays within [μ−σ, μ+σ).
    let (out, _) = pass(&mut netem("delay 50ms 10ms"), 2000, Duration::from_millis(1));
    assert!(out.iter().all(|(s, a, _)| (40_000_000..60_000_000).contains(&(*a - *s).as_nanos())));
}

#[test]
fn reorder_sends_some_at_once_and_counts_them_as_requeues() {
    let n = 20_000;
    let (out, st) = pass(&mut netem("delay 10ms reorder 25%"), n, Duration::from_millis(1));
    let at_once = out.iter().filter(|(s, a, _)| s == a).count() as u64;
    assert_eq!(at_once, u64::from(st.requeues));
    assert!(binomial_ok(at_once, n, 0.25), "reordered {at_once}");
    // With gap 5, four of five go delayed before any may jump.
    let (out, st) = pass(&mut netem("delay 10ms reorder 100% gap 5"), 100, Duration::from_millis(1));
    assert_eq!(st.requeues, 20);
    assert!(out.iter().filter(|(s, a, _)| s == a).all(|(s, _, _)| (s.as_nanos() / 1_000_000) % 5 == 4));
}

#[test]
fn markov_loss_models_walk_their_states_as_the_kernel() {
    // seed 1 draws 276959246, 18909696, 2298495022, 9442690, 3222971081.
    // Gilbert-Elliott p 50% r 50% 1-h 100% 1-k 0%: two draws a packet.
    // #1 GOOD: 276959246 < p → BAD; 18909696 < k1 (0)? no → sent.
    // #2 BAD: 2298495022 < r? no, stays BAD; 9442690 > h (0) → lost.
    let mut q = netem("loss gemodel 50% 50% 100% 0% seed 1");
    let mut st = Stats::default();
    let mut pool = Vec::new();
    assert!(q.enqueue(Instant::ZERO, frame(0), &mut st, &mut pool).is_ok());
    assert!(q.enqueue(Instant::ZERO, frame(0), &mut st, &mut pool).is_err());
    assert_eq!(q.clg, 2);
    // 4-state p13 1% (42949673) p31 99%: one draw a packet. 276959246: sent;
    // 18909696 < p13 → lost, burst; 2298495022 < p31 → gap, sent; 9442690: lost;
    // 3222971081: sent.
    let mut q = netem("loss state 1% seed 1");
    let got: Vec<bool> = (0..5).map(|_| q.enqueue(Instant::ZERO, frame(0), &mut st, &mut pool).is_ok()).collect();
    assert_eq!(got, [true, false, true, false, true]);
    assert_eq!(q.clg, 1);
    // 4-state p13 50%: 276959246 < p13 + p14 → lost, burst state; then
    // 18909696 < p32 (0)? no; < p31 + p32 (50%) → back to the gap, sent.
    let mut q = netem("loss state 50% seed 1");
    assert!(q.enqueue(Instant::ZERO, frame(0), &mut st, &mut pool).is_err());
    assert_eq!(q.clg, 4);
    assert!(q.enqueue(Instant::ZERO, frame(0), &mut st, &mut pool).is_ok());
    assert_eq!(q.clg, 1);
}

#[test]
fn ecn_marks_instead_of_dropping() {
    let mut q = netem("loss 100% ecn");
    let mut st = Stats::default();
    let mut pool = Vec::new();
    // ECT(0): marked CE, sent, counted as a drop.
    assert!(q.enqueue(Instant::ZERO, frame(2), &mut st, &mut pool).is_ok());
    let f = q.dequeue(Instant::ZERO, &mut st, &mut pool, &mut super::Lost::default()).unwrap();
    assert_eq!(f[15] & 3, 3);
    assert_eq!(crate::wire::checksum(&f[14..34]), 0, "header checksum redone");
    // Not ECN-capable: dropped.
    assert!(q.enqueue(Instant::ZERO, frame(0), &mut st, &mut pool).is_err());
    assert_eq!(st.drops, 2);
}

#[test]
fn the_limit_drops_what_does_not_fit() {
    let mut q = netem("delay 10ms limit 5");
    let mut st = Stats::default();
    let mut pool = Vec::new();
    let ok = (0..8).filter(|_| q.enqueue(Instant::ZERO, frame(0), &mut st, &mut pool).is_ok()).count();
    assert_eq!((ok, st.drops, st.qlen, st.backlog), (5, 3, 5, 5 * 98));
}

#[test]
fn the_same_seed_gives_the_same_delays() {
    let run = |seed: u64| {
        let mut q = Netem::new(opts("delay 50ms 10ms 25% loss 5%"), Instant::ZERO, rng::stream(seed, "x"));
        pass(&mut q, 500, Duration::from_millis(1)).0.iter().map(|(s, a, _)| (*s, *a)).collect::<Vec<_>>()
    };
    assert_eq!(run(3), run(3));
    assert_ne!(run(3), run(4));
}
