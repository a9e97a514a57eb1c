//! The kernel's rules for `tc qdisc add|change|replace|del` on a device's root, and what
//! `tc qdisc show` lists, as measured on Linux 6.18 with iproute2 6.1.

use super::*;

const DEVS: [DevInfo<'static>; 3] = [
    DevInfo { ifindex: 1, name: "lo", tx_queues: 1, up: true, bridge: false },
    DevInfo { ifindex: 2, name: "v0", tx_queues: 2, up: true, bridge: false },
    DevInfo { ifindex: 3, name: "br0", tx_queues: 1, up: false, bridge: true },
];

fn tc(t: &mut Tc, auto: &mut u16, line: &str) -> Result<Vec<String>, String> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let cmd = cli::parse(&words).map_err(|e| e.message)?;
    let mut stream = |at: &str| sim_core::rng::stream(1, at);
    t.run(&cmd, &DEVS, Instant::ZERO, auto, &mut stream).map(|d| d.stdout).map_err(|e| e.message)
}

#[test]
fn qdisc_commands_follow_the_kernels_rules() {
    let mut t = Tc::default();
    let mut auto = 0x8000;
    t.activate(1, 1);
    t.activate(2, 2);
    let mut ok = |t: &mut Tc, l: &str| tc(t, &mut auto, l).unwrap_or_else(|e| panic!("{l}: {e}"));
    assert_eq!(
        ok(&mut t, "qdisc show"),
        ["qdisc noqueue 0: dev lo root refcnt 2 ", "qdisc noqueue 0: dev v0 root refcnt 2 "]
    );
    ok(&mut t, "qdisc add dev v0 root netem delay 1ms");
    assert_eq!(ok(&mut t, "qdisc show dev v0"), ["qdisc netem 8001: root refcnt 3 limit 1000 delay 1ms"]);
    // Named by its handle alone, the root qdisc changes.
    ok(&mut t, "qdisc change dev v0 handle 8001: netem delay 3ms");
    assert_eq!(ok(&mut t, "qdisc show dev v0"), ["qdisc netem 8001: root refcnt 3 limit 1000 delay 3ms"]);
    // `add` of another kind replaces it, with a new handle.
    ok(&mut t, "qdisc add dev v0 root tbf rate 1mbit burst 10k latency 50ms");
    assert_eq!(ok(&mut t, "qdisc show dev v0"), ["qdisc tbf 8002: root refcnt 3 rate 1Mbit burst 10Kb lat 50ms "]);
    ok(&mut t, "qdisc replace dev v0 root handle 5: netem delay 1ms");
    assert_eq!(ok(&mut t, "qdisc show dev v0"), ["qdisc netem 5: root refcnt 3 limit 1000 delay 1ms"]);
    // `handle none` is no handle: the kernel's counter goes on.
    ok(&mut t, "qdisc replace dev v0 root handle none tbf rate 1mbit burst 10k latency 50ms");
    assert_eq!(ok(&mut t, "qdisc show dev v0")[0], "qdisc tbf 8003: root refcnt 3 rate 1Mbit burst 10Kb lat 50ms ");
    ok(&mut t, "qdisc del dev v0 root");
    assert_eq!(ok(&mut t, "qdisc show dev v0"), ["qdisc noqueue 0: root refcnt 2 "]);
}

#[test]
fn qdisc_refusals_are_the_kernels() {
    let mut t = Tc::default();
    let mut auto = 0x8000;
    t.activate(2, 2);
    let e = |t: &mut Tc, auto: &mut u16, l: &str| tc(t, auto, l).unwrap_err();
    assert_eq!(e(&mut t, &mut auto, "qdisc del dev v0 root"), "Error: Cannot delete qdisc with handle of zero.");
    assert_eq!(
        e(&mut t, &mut auto, "qdisc del dev v0 root htb"),
        "Error: Invalid qdisc name: must match existing qdisc."
    );
    assert_eq!(
        e(&mut t, &mut auto, "qdisc change dev v0 root netem delay 1ms"),
        "Error: Qdisc not found. To create specify NLM_F_CREATE flag."
    );
    assert_eq!(e(&mut t, &mut auto, "qdisc add dev v0 netem delay 1ms"), "Error: Handle cannot be zero.");
    assert_eq!(e(&mut t, &mut auto, "qdisc add dev v9 root netem"), "Cannot find device \"v9\"");
    tc(&mut t, &mut auto, "qdisc add dev v0 root handle 1: netem delay 1ms").unwrap();
    assert_eq!(
        e(&mut t, &mut auto, "qdisc add dev v0 root netem delay 2ms"),
        "Error: Exclusivity flag on, cannot modify."
    );
    assert_eq!(
        e(&mut t, &mut auto, "qdisc add dev v0 root handle 2: tbf rate 1mbit burst 10k latency 5ms"),
        "Error: NLM_F_REPLACE needed to override."
    );
    assert_eq!(
        e(&mut t, &mut auto, "qdisc change dev v0 root handle 1: tbf rate 1mbit burst 10k latency 5ms"),
        "Error: Invalid qdisc name: must match existing qdisc."
    );
    assert_eq!(e(&mut t, &mut auto, "qdisc del dev v0 root handle 2:"), "Error: Invalid handle.");
    assert_eq!(e(&mut t, &mut auto, "qdisc del dev v0 handle 1:"), "Error: Classid cannot be zero.");
    assert!(e(&mut t, &mut auto, "qdisc add dev br0 root netem delay 1ms").starts_with("not supported yet"));
    // The kind's words are read before the device is looked for.
    assert_eq!(e(&mut t, &mut auto, "qdisc add dev v9 netem loss 120%"), "Illegal \"loss percent\"");
    assert_eq!(e(&mut t, &mut auto, "qdisc l dev v0"), "not supported yet: tc qdisc link");
}

#[test]
fn a_down_device_shows_only_a_qdisc_of_its_own() {
    let mut t = Tc::default();
    let mut auto = 0x8000;
    // br0 is down and was never up: nothing, until a qdisc is added to it.
    assert_eq!(tc(&mut t, &mut auto, "qdisc show").unwrap(), Vec::<String>::new());
}

#[test]
fn grafted_qdiscs_list_in_the_kernels_hash_order() {
    // Root first, then `hash_32(handle, 4)`'s buckets: 8001: is in bucket 0, 30: in 2,
    // 10: in 6, 20: in 12.
    let mut t = Tc::default();
    let mut auto = 0x8000;
    t.activate(2, 2);
    let mut ok = |t: &mut Tc, l: &str| tc(t, &mut auto, l).unwrap_or_else(|e| panic!("{l}: {e}"));
    ok(&mut t, "qdisc add dev v0 root handle 1: htb");
    for c in ["10", "20", "30", "40"] {
        ok(&mut t, &format!("class add dev v0 parent 1: classid 1:{c} htb rate 1mbit"));
    }
    ok(&mut t, "qdisc add dev v0 parent 1:20 handle 20: netem delay 1ms");
    ok(&mut t, "qdisc add dev v0 parent 1:10 handle 10: netem delay 1ms");
    ok(&mut t, "qdisc add dev v0 parent 1:30 handle 30: netem delay 1ms");
    ok(&mut t, "qdisc add dev v0 parent 1:40 netem delay 1ms");
    let shown: Vec<String> =
        ok(&mut t, "qdisc show dev v0").iter().map(|l| l[..l.find(" limit").unwrap_or(l.len())].to_string()).collect();
    assert_eq!(
        shown,
        [
            "qdisc htb 1: root refcnt 3 r2q 10 default 0 direct_packets_stat 0 direct_qlen 1000",
            "qdisc netem 8001: parent 1:40",
            "qdisc netem 30: parent 1:30",
            "qdisc netem 10: parent 1:10",
            "qdisc netem 20: parent 1:20",
        ]
    );
    // A leaf that gets a class of its own becomes inner: its qdisc goes.
    ok(&mut t, "class add dev v0 parent 1:40 classid 1:41 htb rate 1mbit");
    assert_eq!(ok(&mut t, "qdisc show dev v0").len(), 4);
}

#[test]
fn a_frame_the_child_refuses_is_a_drop_at_every_level() {
    // netem hands every due frame to its tbf child before it takes one back
    // (`netem_dequeue`); the tbf's FIFO holds one, so of three frames due together the
    // tbf sends one and drops two — and netem, which had counted them queued, counts the
    // drops too.
    let mut t = Tc::default();
    let mut auto = 0x8000;
    t.activate(2, 2);
    let mut ok = |t: &mut Tc, l: &str| tc(t, &mut auto, l).unwrap_or_else(|e| panic!("{l}: {e}"));
    ok(&mut t, "qdisc add dev v0 root handle 1: netem delay 1ms");
    ok(&mut t, "qdisc add dev v0 parent 1:1 handle 10: tbf rate 8kbit burst 1100 limit 1100");
    let d = t.dev_mut(2).unwrap();
    let mut sent = Vec::new();
    for _ in 0..3 {
        d.xmit(Instant::ZERO, &[0u8; 1000], &mut |f| sent.push(f.len()));
    }
    assert!(sent.is_empty());
    assert_eq!(d.wakeup(), Some(Instant::from_nanos(1_000_000)));
    d.run(Instant::from_nanos(1_000_000), &mut |f| sent.push(f.len()));
    assert_eq!(sent, [1000]);
    let root = d.root.as_ref().unwrap();
    let tbf = root.find(0x10).unwrap();
    assert_eq!((root.stats.drops, root.stats.qlen, root.stats.backlog, root.stats.packets), (2, 0, 0, 1));
    assert_eq!((tbf.stats.drops, tbf.stats.qlen, tbf.stats.packets), (2, 0, 1));
    assert_eq!(d.wakeup(), None);
}

#[test]
fn a_class_deleted_below_another_qdisc_leaves_its_counts_too() {
    // tbf at the root, an htb under it whose one class holds frames: deleting the class
    // drops them, and the tbf above forgets them too (`qdisc_purge_queue`).
    let mut t = Tc::default();
    let mut auto = 0x8000;
    t.activate(2, 2);
    let mut ok = |t: &mut Tc, l: &str| tc(t, &mut auto, l).unwrap_or_else(|e| panic!("{l}: {e}"));
    ok(&mut t, "qdisc add dev v0 root handle 1: tbf rate 10mbit burst 10k latency 50ms");
    ok(&mut t, "qdisc add dev v0 parent 1:1 handle 2: htb default 1");
    ok(&mut t, "class add dev v0 parent 2: classid 2:1 htb rate 8kbit burst 1000 cburst 1000");
    let d = t.dev_mut(2).unwrap();
    let mut sent = 0;
    // The bucket holds exactly one frame: it lets two go (the second takes it below zero).
    for _ in 0..4 {
        d.xmit(Instant::ZERO, &[0u8; 1000], &mut |_| sent += 1);
    }
    assert_eq!(sent, 2);
    assert_eq!(d.root.as_ref().unwrap().stats.qlen, 2);
    ok(&mut t, "class del dev v0 classid 2:1");
    let root = t.dev(2).unwrap().root.as_ref().unwrap();
    assert_eq!((root.stats.qlen, root.stats.backlog, root.stats.drops), (0, 0, 2));
    assert_eq!(root.find(2).unwrap().stats.drops, 2);
}

#[test]
fn tbfs_one_class_exists_and_cannot_be_changed() {
    // Measured on the kernel with a root tbf: its class is found for any minor, so `add`
    // clashes, and it has no class operations to change or delete it.
    let mut t = Tc::default();
    let mut auto = 0x8000;
    t.activate(2, 2);
    tc(&mut t, &mut auto, "qdisc add dev v0 root handle 1: tbf rate 1mbit burst 10k latency 50ms").unwrap();
    let mut e = |l: &str| tc(&mut t, &mut auto, l).unwrap_err();
    assert_eq!(e("class add dev v0 parent 1: classid 1:5 htb rate 1mbit"), "RTNETLINK answers: File exists");
    for l in [
        "class change dev v0 classid 1:1 htb rate 1mbit",
        "class replace dev v0 classid 1:1 htb rate 1mbit",
        "class del dev v0 classid 1:1",
    ] {
        assert_eq!(e(l), "RTNETLINK answers: Operation not supported", "{l}");
    }
}

#[test]
fn only_net_xmit_drop_reaches_the_sender() {
    // `dev_queue_xmit`'s verdict, as `net_xmit_errno` gives it to a local sender: a full
    // FIFO (tbf's, htb's leaf's through its tbf child) and netem's `limit` are
    // NET_XMIT_DROP, ENOBUFS; `noop` (NET_XMIT_CN) and netem's loss (__NET_XMIT_BYPASS)
    // are success, though the frame is gone.
    let mut auto = 0x8000;
    let frames = |t: &mut Tc, n: usize| -> Vec<bool> {
        let d = t.dev_mut(2).unwrap();
        (0..n).map(|_| d.xmit(Instant::ZERO, &[0u8; 1000], &mut |_| {})).collect()
    };
    let mut t = Tc::default();
    t.activate(2, 2);
    let mut ok = |t: &mut Tc, l: &str| tc(t, &mut auto, l).unwrap_or_else(|e| panic!("{l}: {e}"));
    // The bucket sends one, the FIFO holds one, the third is refused aloud.
    ok(&mut t, "qdisc add dev v0 root handle 1: tbf rate 8kbit burst 1100 limit 1100");
    assert_eq!(frames(&mut t, 3), [false, false, true]);
    // A child deleted leaves noop: every frame dropped, no sender told.
    ok(&mut t, "qdisc add dev v0 parent 1:1 handle 10: netem delay 1ms");
    ok(&mut t, "qdisc del dev v0 parent 1:1 handle 10:");
    assert_eq!(frames(&mut t, 2), [false, false]);
    // The refused one, the one the FIFO held when the child took its place, two to noop.
    assert_eq!(t.dev(2).unwrap().root.as_ref().unwrap().stats.drops, 4);
    // netem: loss is silent; past `limit` the sender hears of it.
    ok(&mut t, "qdisc replace dev v0 root handle 2: netem loss 100%");
    assert_eq!(frames(&mut t, 2), [false, false]);
    ok(&mut t, "qdisc replace dev v0 root handle 2: netem delay 1s limit 2");
    assert_eq!(frames(&mut t, 3), [false, false, true]);
    // htb passes its child's verdict up.
    ok(&mut t, "qdisc replace dev v0 root handle 3: htb default 1");
    ok(&mut t, "class add dev v0 parent 3: classid 3:1 htb rate 8kbit");
    ok(&mut t, "qdisc add dev v0 parent 3:1 handle 30: tbf rate 8kbit burst 1100 limit 1100");
    assert_eq!(frames(&mut t, 3), [false, false, true]);
}

/// `-j` and `-p` as tc 6.1 reads them: JSON for qdiscs and filters, `-p` alone changes
/// nothing; netem's options as `netem_print_opt` writes them (times in seconds,
/// probabilities as fractions, `%g`; a correlation even when zero; `ecn` and `gap` always).
#[test]
fn json_shows_and_their_limits() {
    let mut t = Tc::default();
    let mut auto = 0x8000;
    t.activate(2, 2);
    let mut run = |t: &mut Tc, l: &str| tc(t, &mut auto, l);
    assert_eq!(
        run(&mut t, "-j qdisc show dev v0").unwrap(),
        [r#"[{"kind":"noqueue","handle":"0:","root":true,"refcnt":2,"options":{}}]"#]
    );
    assert_eq!(run(&mut t, "-p qdisc show dev v0").unwrap(), ["qdisc noqueue 0: root refcnt 2 "]);
    assert_eq!(run(&mut t, "-j filter show dev v0").unwrap(), ["[]"]);
    run(&mut t, "qdisc add dev v0 root netem delay 100ms 10ms 25% loss 1% duplicate 0.5% rate 1mbit").unwrap();
    assert_eq!(
        run(&mut t, "-j qdisc show dev v0").unwrap(),
        [concat!(
            r#"[{"kind":"netem","handle":"8001:","root":true,"refcnt":3,"options":{"limit":1000,"#,
            r#""delay":{"delay":0.1,"jitter":0.01,"correlation":0.25},"#,
            r#""loss-random":{"loss":0.01,"correlation":0},"#,
            r#""duplicate":{"duplicate":0.005,"correlation":0},"#,
            r#""rate":{"rate":125000,"packetoverhead":0,"cellsize":0,"celloverhead":0},"#,
            r#""ecn":false,"gap":0}}]"#
        )]
    );
}

/// An estimator comes with a qdisc made or changed with `est`, shows as ` rate …` under
/// `-s`, and stays as it was when the change itself is refused (`qdisc_change` returns
/// before `gen_replace_estimator`).
#[test]
fn an_estimator_follows_the_qdiscs_change() {
    let mut t = Tc::default();
    let mut auto = 0x8000;
    t.activate(2, 2);
    let mut run = |t: &mut Tc, l: &str| tc(t, &mut auto, l);
    run(&mut t, "qdisc add dev v0 root handle 1: htb").unwrap();
    assert_eq!(run(&mut t, "-s qdisc show dev v0").unwrap()[2], " backlog 0b 0p requeues 0");
    let e = run(&mut t, "qdisc change dev v0 root handle 1: est 1sec 8sec htb").unwrap_err();
    assert_eq!(e, "Error: Change operation not supported by specified qdisc.");
    assert_eq!(run(&mut t, "-s qdisc show dev v0").unwrap()[2], " backlog 0b 0p requeues 0");
    run(&mut t, "qdisc replace dev v0 root handle 2: est 1sec 8sec tbf rate 1mbit burst 10k latency 50ms").unwrap();
    assert_eq!(run(&mut t, "-s qdisc show dev v0").unwrap()[2], " rate 0bit 0pps backlog 0b 0p requeues 0");
}
