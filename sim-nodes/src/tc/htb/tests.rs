//! htb against `sch_htb.c` and iproute2 6.1: the class hash's listing order, the lines and
//! counters the kernel showed for the same commands, and shaping: a leaf at its rate, two
//! leaves sharing their parent's ceil.

use super::*;
use crate::tc::u32;

fn class(words: &str) -> ClassOpts {
    parse_class(&words.split_whitespace().collect::<Vec<_>>()).unwrap()
}

/// `1:1` rate 10mbit, `1:10` rate 1mbit ceil 5mbit, `1:20` rate 2mbit ceil 10mbit prio 1
/// burst 15k cburst 3000 — the tree of the kernel's transcript.
fn tree() -> (Htb, Stats, Vec<Buf>) {
    let mut h = Htb::new(parse_qdisc(&["default", "10"]).unwrap(), 1);
    let (mut st, mut pool) = (Stats::default(), Vec::new());
    let t = Instant::ZERO;
    h.add_class(0x10001, None, class("rate 10mbit"), t, &mut st, &mut pool).unwrap();
    h.add_class(0x10010, Some(0x10001), class("rate 1mbit ceil 5mbit"), t, &mut st, &mut pool).unwrap();
    h.add_class(
        0x10020,
        Some(0x10001),
        class("rate 2mbit ceil 10mbit prio 1 burst 15k cburst 3000"),
        t,
        &mut st,
        &mut pool,
    )
    .unwrap();
    (h, st, pool)
}

fn frame(dst: [u8; 4], len: usize) -> Buf {
    let mut f = vec![0u8; len];
    f[12..14].copy_from_slice(&[0x08, 0x00]);
    f[14] = 0x45;
    f[30..34].copy_from_slice(&dst);
    f
}

#[test]
fn classes_list_in_the_kernels_hash_order() {
    let (h, _, _) = tree();
    let ids: Vec<u32> = h.classes().map(|c| c.id).collect();
    assert_eq!(ids, [0x10010, 0x10001, 0x10020]);
    let mut h = Htb::new(parse_qdisc(&[]).unwrap(), 1);
    let (mut st, mut pool) = (Stats::default(), Vec::new());
    for m in [1, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70] {
        h.add_class(0x10000 | m, None, class("rate 1mbit"), Instant::ZERO, &mut st, &mut pool).unwrap();
    }
    let ids: Vec<u32> = h.classes().map(|c| c.id & 0xffff).collect();
    assert_eq!(ids, [0x10, 1, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70]);
}

#[test]
fn lines_are_the_kernels() {
    let (h, _, _) = tree();
    assert_eq!(h.print(false), "r2q 10 default 0x10 direct_packets_stat 0 direct_qlen 1000");
    let lines: Vec<String> = h.classes().map(|c| h.class_line(c, "", false, false)).collect();
    assert_eq!(
        lines,
        [
            "class htb 1:10 parent 1:1 prio 0 rate 1Mbit ceil 5Mbit burst 1600b cburst 1600b ",
            "class htb 1:1 root rate 10Mbit ceil 10Mbit burst 1600b cburst 1600b ",
            "class htb 1:20 parent 1:1 prio 1 rate 2Mbit ceil 10Mbit burst 15Kb cburst 3000b ",
        ]
    );
    let x: Vec<[String; 2]> = h.classes().map(Htb::class_xstats).collect();
    assert_eq!(x[0][1], " tokens: 200000 ctokens: 40000");
    assert_eq!(x[1][1], " tokens: 20000 ctokens: 20000");
    assert_eq!(x[2][1], " tokens: 960000 ctokens: 37500");
}

#[test]
fn one_frame_is_charged_as_the_kernel_charged_it() {
    // The kernel's transcript: a 1042-byte ping to 1:20 leaves 894875 / 24475 ticks, and a
    // 42-byte ARP to the default 1:10 leaves 194750 / 38950.
    let (mut h, mut st, _) = tree();
    h.filters.push(Filter {
        prio: 1,
        proto: u32::Proto::Ip,
        ht: 0x800,
        node: 0x800,
        u32: u32::parse(&["match", "ip", "dst", "10.0.0.2/32", "flowid", "1:20"]).unwrap(),
    });
    let now = Instant::from_secs(1);
    let mut arp = vec![0u8; 42];
    arp[12..14].copy_from_slice(&[0x08, 0x06]);
    h.enqueue(Instant::ZERO, arp, &mut st, &mut Vec::new()).unwrap();
    assert_eq!(h.dequeue(now, &mut st, &mut Vec::new(), &mut Lost::default()).map(|f| f.len()), Some(42));
    h.enqueue(Instant::ZERO, frame([10, 0, 0, 2], 1042), &mut st, &mut Vec::new()).unwrap();
    assert_eq!(h.dequeue(now, &mut st, &mut Vec::new(), &mut Lost::default()).map(|f| f.len()), Some(1042));
    let x = |id: u32| Htb::class_xstats(h.class(id).unwrap());
    assert_eq!(x(0x10020)[1], " tokens: 894875 ctokens: 24475");
    assert_eq!(x(0x10010)[1], " tokens: 194750 ctokens: 38950");
    assert_eq!(x(0x10020)[0], " lended: 1 borrowed: 0 giants: 0");
    assert_eq!((st.packets, st.bytes), (2, 1084));
}

/// Keeps both leaves' queues full for `secs` and returns the bytes each sent.
fn flood(h: &mut Htb, st: &mut Stats, dsts: &[[u8; 4]], secs: u64) -> Vec<u64> {
    let mut sent = vec![0u64; dsts.len()];
    let mut now = Instant::ZERO;
    let end = Instant::from_secs(secs);
    while now < end {
        for (i, d) in dsts.iter().enumerate() {
            while h.classes.values().filter(|c| c.level == 0).nth(i).is_some_and(|c| c.queue.len() < 10) {
                h.enqueue(Instant::ZERO, frame(*d, 1042), st, &mut Vec::new()).unwrap();
            }
        }
        match h.dequeue(now, st, &mut Vec::new(), &mut Lost::default()) {
            Some(f) => {
                let i = dsts.iter().position(|d| f[30..34] == d[..]).unwrap();
                sent[i] += f.len() as u64;
            }
            None => {
                let w = h.watchdog().unwrap();
                assert!(w > now, "a watchdog at {w} for {now} would never move time on");
                now = w;
            }
        }
    }
    sent
}

#[test]
fn a_leaf_sends_at_its_rate_and_two_share_their_parents_ceil() {
    // One leaf, rate = ceil = 1 Mbit/s: 125000 bytes a second, plus its 1600-byte burst,
    // give or take a frame.
    let mut h = Htb::new(parse_qdisc(&[]).unwrap(), 1);
    let (mut st, mut pool) = (Stats::default(), Vec::new());
    h.add_class(0x10010, None, class("rate 1mbit"), Instant::ZERO, &mut st, &mut pool).unwrap();
    h.filters.push(Filter {
        prio: 1,
        proto: u32::Proto::Ip,
        ht: 0x800,
        node: 0x800,
        u32: u32::parse(&["match", "ip", "dst", "10.0.0.2", "flowid", "1:10"]).unwrap(),
    });
    let sent = flood(&mut h, &mut st, &[[10, 0, 0, 2]], 10);
    assert!((sent[0] as i64 - 1_250_000 - 1600).abs() <= 1042, "{sent:?}");
    // Two leaves (500 kbit/s and 1 Mbit/s, each up to 2 Mbit/s) under 1:1 at 2 Mbit/s:
    // together 2 Mbit/s; each gets its rate, and the rest by quantum (6250 : 12500).
    let mut h = Htb::new(parse_qdisc(&[]).unwrap(), 1);
    let mut st = Stats::default();
    h.add_class(0x10001, None, class("rate 2mbit"), Instant::ZERO, &mut st, &mut pool).unwrap();
    h.add_class(0x10010, Some(0x10001), class("rate 500kbit ceil 2mbit"), Instant::ZERO, &mut st, &mut pool).unwrap();
    h.add_class(0x10020, Some(0x10001), class("rate 1mbit ceil 2mbit"), Instant::ZERO, &mut st, &mut pool).unwrap();
    for (d, id) in [("10.0.0.2", "1:10"), ("10.0.0.3", "1:20")] {
        let n = h.filters.len() as u32;
        h.filters.push(Filter {
            prio: 1,
            proto: u32::Proto::Ip,
            ht: 0x800,
            node: 0x800 + n,
            u32: u32::parse(&["match", "ip", "dst", d, "flowid", id]).unwrap(),
        });
    }
    let sent = flood(&mut h, &mut st, &[[10, 0, 0, 2], [10, 0, 0, 3]], 10);
    let total = sent[0] + sent[1];
    assert!((total as i64 - 2_500_000).abs() <= 4 * 1042, "{sent:?}");
    let share = sent[1] as f64 / total as f64;
    assert!((share - 2.0 / 3.0).abs() < 0.03, "{sent:?}");
    let x = |id: u32| Htb::class_xstats(h.class(id).unwrap());
    assert!(x(0x10010)[0].contains("borrowed: "), "{:?}", x(0x10010));
    assert!(h.class(0x10010).unwrap().borrows > 0 && h.class(0x10001).unwrap().lends > 0);
}

#[test]
fn unclassified_goes_direct_and_quantums_warn() {
    let mut h = Htb::new(parse_qdisc(&["direct_qlen", "2"]).unwrap(), 1);
    let (mut st, mut pool) = (Stats::default(), Vec::new());
    for _ in 0..3 {
        let _ = h.enqueue(Instant::ZERO, frame([1, 2, 3, 4], 100), &mut st, &mut Vec::new());
    }
    assert_eq!((st.qlen, st.drops), (2, 1));
    assert_eq!(h.print(false), "r2q 10 default 0 direct_packets_stat 2 direct_qlen 2");
    let w = h.add_class(0x10040, None, class("rate 40kbit"), Instant::ZERO, &mut st, &mut pool).unwrap();
    assert_eq!(w.as_deref(), Some("Warning: sch_htb: quantum of class 10040 is small. Consider r2q change."));
    let w = h.add_class(0x10050, None, class("rate 100mbit"), Instant::ZERO, &mut st, &mut pool).unwrap();
    assert_eq!(w.as_deref(), Some("Warning: sch_htb: quantum of class 10050 is big. Consider r2q change."));
    let e = |w: &str| parse_class(&w.split_whitespace().collect::<Vec<_>>()).unwrap_err().0;
    assert_eq!(e("ceil 1mbit"), "\"rate\" is required.");
    assert_eq!(e("rate 1mbit ceil 2mbit rate 3mbit"), "Double \"rate\" spec");
    assert!(e("rate 1mbit foo").starts_with("What is \"foo\"?\nUsage: ... qdisc add ... htb"));
}
