//! Traffic control end to end: a thousand pings across `netem delay 50ms 10ms loss 10%`
//! lose what a binomial allows and come back with the spread the delay model gives; the
//! same seed gives the same transcript; tc's refusals point at file, line and column.

mod common;

/// A veth pair, IPv6 off: what it sends on its own (MLD reports, router solicitations) would
/// add to the qdiscs' counters.
const LINK: &str = "ip netns add a\nip netns add b\n\
    ip netns exec a sysctl -qw net.ipv6.conf.all.disable_ipv6=1\nip netns exec b sysctl -qw net.ipv6.conf.all.disable_ipv6=1\n\
    ip -n a link add v0 type veth peer name v1 netns b\n\
    ip -n a addr add 10.0.0.1/24 dev v0\nip -n b addr add 10.0.0.2/24 dev v1\n\
    ip -n a link set v0 up\nip -n b link set v1 up\nip netns exec a ping -c 1 -q 10.0.0.2\n";

fn out(r: &nslab::scenarios::run::sim::Run, step_starts: &str) -> Vec<String> {
    let i = r.steps.iter().rposition(|s| s.text.starts_with(step_starts)).expect("step");
    r.rendered.steps[i].output.clone()
}

/// `(transmitted, received, avg ms, mdev ms)` from ping's last two lines.
fn stats(lines: &[String]) -> (f64, f64, f64, f64) {
    let t = lines.iter().find(|l| l.contains("packets transmitted")).expect("statistics");
    let w: Vec<&str> = t.split_whitespace().collect();
    let (tx, rx) = (w[0].parse().unwrap(), w[3].parse().unwrap());
    let r = lines.iter().find(|l| l.starts_with("rtt ")).expect("rtt line");
    let v: Vec<f64> = r.split(" = ").nth(1).unwrap().split([' ', '/']).take(4).map(|x| x.parse().unwrap()).collect();
    (tx, rx, v[1], v[3])
}

fn ping_across(netem: &str, seed: u64) -> (nslab::scenarios::run::sim::Run, Vec<String>) {
    let text = format!(
        "{LINK}ip netns exec a tc qdisc add dev v0 root {netem}\nip netns exec a ping -q -c 1000 -i 0.01 10.0.0.2\n"
    );
    let r = common::run_text_seeded("netem.sh", &text, seed).unwrap_or_else(|e| panic!("{e}"));
    let lines = out(&r, "ping -q -c 1000");
    (r, lines)
}

#[test]
fn a_thousand_pings_across_netem_lose_and_wait_as_its_model_says() {
    let n = 1000.0;
    // Loss: within the 99.9% interval of Binomial(1000, 0.1) — 3.29 standard deviations.
    for (netem, sd) in [
        ("netem delay 50ms 10ms loss 10%", 10.0 / 3f64.sqrt()),
        ("netem delay 50ms 10ms distribution normal loss 10%", 10.0),
    ] {
        for seed in [1, 2, 3] {
            let (_, lines) = ping_across(netem, seed);
            let (tx, rx, avg, mdev) = stats(&lines);
            assert_eq!(tx, n, "{lines:?}");
            let lost = tx - rx;
            let bound = 3.29 * (n * 0.1 * 0.9f64).sqrt();
            assert!((lost - 100.0).abs() <= bound, "{netem}, seed {seed}: {lost} lost");
            // One-way delay only (the reply path has no netem): mean 50 ms within 3.29
            // standard errors (plus the veths' microseconds), spread as the model's.
            let se = sd / rx.sqrt();
            assert!((avg - 50.0).abs() <= 3.29 * se + 0.1, "{netem}, seed {seed}: avg {avg}");
            assert!((mdev - sd).abs() / sd < 0.15, "{netem}, seed {seed}: mdev {mdev} (model {sd:.2})");
        }
    }
}

#[test]
fn the_same_seed_gives_the_same_transcript() {
    let (a, _) = ping_across("netem delay 50ms 10ms 25% loss 10% duplicate 1%", 9);
    let (b, _) = ping_across("netem delay 50ms 10ms 25% loss 10% duplicate 1%", 9);
    let (c, _) = ping_across("netem delay 50ms 10ms 25% loss 10% duplicate 1%", 10);
    assert_eq!(a.records(), b.records());
    assert_ne!(a.records(), c.records());
}

#[test]
fn bad_tc_input_is_refused_with_its_place_and_tcs_words() {
    for (line, says) in [
        ("tc qdisc add dev v0 root netem loss 120%", "Illegal \"loss percent\""),
        ("tc qdisc add dev v0 root netem delay -1ms", "Illegal 4294966296 time (too large)"),
        ("tc qdisc add dev v0 root netem reorder 25%", "reordering not possible without specifying some delay"),
        ("tc qdisc add dev v0 root foo", "Error: Specified qdisc kind is unknown."),
        ("tc qdisc add dev v0 root tbf rate 1mbit latency 50ms", "tbf: the \"burst\" parameter is mandatory."),
        ("tc qdisc add dev v0 root est 1sec 1sec netem", "Error: estimator parameters are out of range."),
        ("tc qdisc add dev v0 root est 1min 8sec netem", "Error: argument \"invalid estimator interval\" is wrong"),
        (
            "tc qdisc add dev v0 root est 1sec 8sec est 1sec 8sec netem",
            "Error: duplicate \"estimator\": \"1sec\" is the second value.",
        ),
        ("tc class add dev v0 classid 1:1 est 9sec 64sec htb rate 1mbit", "estimator parameters are out of range"),
        ("tc -j -d qdisc show", "not supported yet: tc -j with -d"),
    ] {
        let text = format!("{LINK}ip netns exec a {line}\n");
        let Err(e) = common::run_text("bad.sh", &text) else { panic!("{line} ran") };
        assert!(e.contains("bad.sh:11:"), "{line}: {e}");
        assert!(e.contains(says), "{line}: {e}");
    }
    // A handle clash is the kernel's refusal, at run time, at the line.
    let text = format!(
        "{LINK}ip netns exec a tc qdisc add dev v0 root handle 1: tbf rate 1mbit burst 10k latency 50ms\n\
         ip netns exec a tc qdisc add dev v0 root handle 2: netem delay 1ms\n"
    );
    let Err(e) = common::run_text("clash.sh", &text) else { panic!("the clash ran") };
    assert!(e.contains("clash.sh:12:"), "{e}");
    assert!(e.contains("Error: NLM_F_REPLACE needed to override."), "{e}");
}

#[test]
fn a_qdisc_follows_its_device() {
    // Down drops what waits; a device moved to another namespace leaves its qdisc behind
    // (it shows nothing until up again, then noqueue).
    let text = format!(
        "{LINK}ip netns exec a tc qdisc add dev v0 root netem delay 1s\n\
         ip netns exec a ping -c 3 -i 0.2 -W 1 10.0.0.2 &\nsleep 0.5\n\
         ip netns exec a ip link set v0 down\nip netns exec a tc -s qdisc show dev v0\n\
         ip netns exec a ip link set v0 netns b\nip netns exec b tc qdisc show dev v0\n\
         ip netns exec b ip link set v0 up\nip netns exec b tc qdisc show dev v0\nwait\n"
    );
    let r = common::run_text("follow.sh", &text).unwrap_or_else(|e| panic!("{e}"));
    let shown = out(&r, "tc -s qdisc show dev v0");
    assert_eq!(shown[0].trim_end(), "qdisc netem 8001: root refcnt 3 limit 1000 delay 1s");
    assert_eq!(shown[2].trim_end(), " backlog 0b 0p requeues 0", "{shown:?}");
    let moved = out(&r, "tc qdisc show dev v0");
    assert_eq!(moved.len(), 1, "{moved:?}");
    assert_eq!(moved[0].trim_end(), "qdisc noqueue 0: root refcnt 2");
}

/// Each reply's round trip in ms, from ping's `time=` lines.
fn rtts(lines: &[String]) -> Vec<f64> {
    lines.iter().filter_map(|l| l.split("time=").nth(1)).map(|t| t.trim_end_matches(" ms").parse().unwrap()).collect()
}

#[test]
fn netem_under_an_htb_class_delays_only_that_class() {
    // htb passes over a leaf whose netem holds frames not yet due, and sends them when
    // netem's own watchdog says so: 100 ms for 10.0.0.3's class, nothing for the rest.
    let text = format!(
        "{LINK}ip -n b addr add 10.0.0.3/24 dev v1\nip netns exec a ping -c 1 -q 10.0.0.3\n\
         ip netns exec a tc qdisc add dev v0 root handle 1: htb default 20\n\
         ip netns exec a tc class add dev v0 parent 1: classid 1:10 htb rate 10mbit\n\
         ip netns exec a tc class add dev v0 parent 1: classid 1:20 htb rate 10mbit\n\
         ip netns exec a tc filter add dev v0 parent 1: protocol ip prio 1 u32 match ip dst 10.0.0.3/32 flowid 1:10\n\
         ip netns exec a tc qdisc add dev v0 parent 1:10 handle 10: netem delay 100ms\n\
         ip netns exec a ping -c 5 -i 0.05 10.0.0.3\nip netns exec a ping -c 5 -i 0.05 10.0.0.2\n\
         ip netns exec a tc -s qdisc show dev v0\nip netns exec a tc class show dev v0 classid 1:10\n"
    );
    let r = common::run_text("tree.sh", &text).unwrap_or_else(|e| panic!("{e}"));
    let delayed = rtts(&out(&r, "ping -c 5 -i 0.05 10.0.0.3"));
    assert_eq!(delayed.len(), 5);
    assert!(delayed.iter().all(|t| (100.0..100.1).contains(t)), "{delayed:?}");
    let direct = rtts(&out(&r, "ping -c 5 -i 0.05 10.0.0.2"));
    assert!(direct.iter().all(|t| *t < 0.1), "{direct:?}");
    let shown = out(&r, "tc -s qdisc show dev v0");
    assert_eq!(shown[3].trim_end(), "qdisc netem 10: parent 1:10 limit 1000 delay 100ms", "{shown:?}");
    assert_eq!(shown[4].trim_end(), " Sent 490 bytes 5 pkt (dropped 0, overlimits 0 requeues 0)", "{shown:?}");
    let class = out(&r, "tc class show dev v0 classid 1:10");
    assert!(class[0].starts_with("class htb 1:10 root leaf 10: prio 0 rate 10Mbit"), "{class:?}");
}

#[test]
fn tbf_under_netem_shapes_after_the_delay() {
    // netem hands each frame to its tbf child when it is due; the tbf then holds it for its
    // tokens (30 kbit/s: a 1042-byte frame every 278 ms), so round trips are 50 ms plus
    // the tbf's growing wait — the tutorial's "delay and a rate limit".
    let text = format!(
        "{LINK}ip netns exec a tc qdisc add dev v0 root handle 1: netem delay 50ms\n\
         ip netns exec a tc qdisc add dev v0 parent 1:1 handle 10: tbf rate 30kbit burst 1100 latency 2s\n\
         ip netns exec a ping -c 4 -i 0.2 -s 1000 10.0.0.2\n\
         ip netns exec a tc -s qdisc show dev v0\nip netns exec a tc class show dev v0\n\
         ip netns exec a tc qdisc del dev v0 parent 1:1\nip netns exec a tc class ls dev v0\n\
         ip netns exec a ping -c 2 -i 0.2 -s 1000 10.0.0.2\n"
    );
    let r = common::run_text("tree.sh", &text).unwrap_or_else(|e| panic!("{e}"));
    let t = rtts(&out(&r, "ping -c 4 -i 0.2 -s 1000"));
    assert_eq!(t.len(), 4, "{t:?}");
    assert!((50.0..50.1).contains(&t[0]), "{t:?}");
    // Each later frame waits 278 - 200 ms longer than the one before it, less the bucket's
    // first 58 bytes.
    for w in t.windows(2).skip(1) {
        assert!((w[1] - w[0] - 77.9).abs() < 0.5, "{t:?}");
    }
    let shown = out(&r, "tc -s qdisc show dev v0");
    assert_eq!(shown[0].trim_end(), "qdisc netem 1: root refcnt 3 limit 1000 delay 50ms");
    assert_eq!(shown[1].trim_end(), " Sent 4168 bytes 4 pkt (dropped 0, overlimits 0 requeues 0)");
    assert_eq!(shown[3].trim_end(), "qdisc tbf 10: parent 1:1 rate 30Kbit burst 1099b lat 2s");
    let classes = out(&r, "tc class show dev v0");
    assert_eq!(classes[0].trim_end(), "class netem 1:1 parent 1: leaf 10:");
    assert_eq!(classes[1].trim_end(), "class tbf 10:1 parent 10:");
    // Without its child, netem has no class, and sends as it did alone.
    let after = out(&r, "tc class ls dev v0");
    assert!(after.is_empty(), "{after:?}");
    let alone = rtts(&out(&r, "ping -c 2 -i 0.2 -s 1000"));
    assert!(alone.iter().all(|t| (50.0..50.1).contains(t)), "{alone:?}");
}

#[test]
fn a_netem_child_its_htb_passes_over_does_not_hold_the_device() {
    // 1:10 (netem 10ms) and 1:20 borrow from 1:1; 1:20's flood spends 1:1's tokens, so htb
    // stops asking 1:10's netem, whose watchdog then lies in the past: the device must
    // still move on in time, and every ping come back.
    let text = format!(
        "{LINK}ip -n b addr add 10.0.0.3/24 dev v1\nip netns exec a ping -c 1 -q 10.0.0.3\n\
         ip netns exec a tc qdisc add dev v0 root handle 1: htb\n\
         ip netns exec a tc class add dev v0 parent 1: classid 1:1 htb rate 400kbit\n\
         ip netns exec a tc class add dev v0 parent 1:1 classid 1:10 htb rate 40kbit ceil 400kbit\n\
         ip netns exec a tc class add dev v0 parent 1:1 classid 1:20 htb rate 40kbit ceil 400kbit\n\
         ip netns exec a tc filter add dev v0 parent 1: protocol ip prio 1 u32 match ip dst 10.0.0.3/32 flowid 1:10\n\
         ip netns exec a tc filter add dev v0 parent 1: protocol ip prio 1 u32 match ip dst 10.0.0.2/32 flowid 1:20\n\
         ip netns exec a tc qdisc add dev v0 parent 1:10 handle 10: netem delay 10ms\n\
         ip netns exec a ping -q -c 200 -i 0.005 -s 1000 10.0.0.2 &\n\
         ip netns exec a ping -q -c 40 -i 0.05 -s 1000 10.0.0.3\nwait\nsleep 5\n\
         ip netns exec a tc -s qdisc show dev v0\n"
    );
    let r = common::run_text("pass-over.sh", &text).unwrap_or_else(|e| panic!("{e}"));
    let (tx, rx, _, _) = stats(&out(&r, "ping -q -c 40 -i 0.05 -s 1000 10.0.0.3"));
    assert!(tx == 40.0 && rx > 0.0, "{tx} {rx}");
    let shown = out(&r, "tc -s qdisc show dev v0");
    assert!(shown[2].starts_with(" backlog 0b 0p"), "{shown:?}");
}

#[test]
fn netem_below_another_qdisc_duplicates_through_the_root_and_its_loss_counts_above() {
    // Copies go back to the root qdisc (tbf here) as frames of their own: ping sees each
    // reply twice and every counter comes back to zero. netem's loss is a drop of htb's
    // and its class's too (`net_xmit_drop_count` ignores `__NET_XMIT_BYPASS`).
    let text = format!(
        "{LINK}ip netns exec a tc qdisc add dev v0 root handle 1: tbf rate 10mbit burst 10k latency 50ms\n\
         ip netns exec a tc qdisc add dev v0 parent 1:1 handle 10: netem duplicate 100%\n\
         ip netns exec a ping -c 3 -i 0.2 10.0.0.2\nip netns exec a tc -s qdisc show dev v0\n\
         ip netns exec a tc qdisc del dev v0 root\n\
         ip netns exec a tc qdisc add dev v0 root handle 1: htb default 10\n\
         ip netns exec a tc class add dev v0 parent 1: classid 1:10 htb rate 10mbit\n\
         ip netns exec a tc qdisc add dev v0 parent 1:10 handle 10: netem loss 100%\n\
         ip netns exec a ping -c 3 -i 0.2 -W 1 10.0.0.2\nip netns exec a tc -s qdisc show dev v0\n"
    );
    let r = common::run_text("dup.sh", &text).unwrap_or_else(|e| panic!("{e}"));
    let dup = out(&r, "ping -c 3 -i 0.2 10.0.0.2");
    // (ping is gone when the last request's copy comes back.)
    assert_eq!(dup.iter().filter(|l| l.ends_with("(DUP!)")).count(), 2, "{dup:?}");
    assert!(dup[8].starts_with("3 packets transmitted, 3 received, +2 duplicates,"), "{dup:?}");
    let shown: Vec<String> = r
        .steps
        .iter()
        .zip(&r.rendered.steps)
        .filter(|(s, _)| s.text.starts_with("tc -s qdisc show"))
        .flat_map(|(_, o)| o.output.iter().map(|l| l.trim_end().to_string()))
        .collect();
    // Three requests, each sent twice by the tbf.
    assert_eq!(shown[1], " Sent 588 bytes 6 pkt (dropped 0, overlimits 0 requeues 0)", "{shown:?}");
    assert_eq!(shown[2], " backlog 0b 0p requeues 0");
    assert_eq!(shown[5], " backlog 0b 0p requeues 0");
    // Every frame lost in netem, counted there and by htb.
    assert_eq!(shown[7], " Sent 0 bytes 0 pkt (dropped 3, overlimits 0 requeues 0)", "{shown:?}");
    assert!(shown[10].starts_with(" Sent 0 bytes 0 pkt (dropped 3,"), "{shown:?}");
}

#[test]
fn a_copy_is_not_duplicated_again_below() {
    // netem at the root hands frames to a child netem that duplicates every one; the copy
    // goes back through the root and down again, where it must not be copied again (the
    // kernel's `tc_depth`): each request twice on the wire, each reply seen twice.
    let text = format!(
        "{LINK}ip netns exec a tc qdisc add dev v0 root handle 1: netem delay 5ms\n\
         ip netns exec a tc qdisc add dev v0 parent 1:1 handle 10: netem duplicate 100%\n\
         ip netns exec a ping -c 3 -i 0.2 10.0.0.2\nsleep 1\nip netns exec a tc -s qdisc show dev v0\n"
    );
    let r = common::run_text("redup.sh", &text).unwrap_or_else(|e| panic!("{e}"));
    let shown = out(&r, "tc -s qdisc show dev v0");
    // The root sent each request and its copy (which it delayed again); so did the child.
    for l in [1, 4] {
        assert_eq!(shown[l].trim_end(), " Sent 588 bytes 6 pkt (dropped 0, overlimits 0 requeues 0)", "{shown:?}");
        assert_eq!(shown[l + 1].trim_end(), " backlog 0b 0p requeues 0", "{shown:?}");
    }
}

#[test]
fn a_probe_its_own_qdisc_always_refuses_turns_into_a_hard_error_after_the_linger_time() {
    // tbf's bucket (500 bytes) is smaller than the frame (1042): every probe is refused,
    // NET_XMIT_DROP, ENOBUFS. iputils retries each silently after nores_interval (500 ms,
    // waited out to the 1 s interval) while oom_count × 500 ms < the 10 s linger time;
    // the 20th refusal is a hard error (printed, counted as sent), and so is every one
    // after, since only a probe that goes resets the count. Measured on the kernel in
    // scratch namespaces: three `ping: sendmsg: No buffer space available`, `3 packets
    // transmitted, 0 received, 100% packet loss, time 21031ms`, tbf `dropped 22`.
    let text = format!(
        "{LINK}ip netns exec a tc qdisc add dev v0 root tbf rate 1mbit burst 500 limit 3000\n\
         ip netns exec a ping -c 3 -i 1 -s 1000 10.0.0.2\n#! exit: 1\nip netns exec a tc -s qdisc show dev v0\n"
    );
    let r = common::run_text("enobufs.sh", &text).unwrap_or_else(|e| panic!("{e}"));
    let ping = out(&r, "ping -c 3 -i 1 -s 1000");
    let hard = ping.iter().filter(|l| *l == "ping: sendmsg: No buffer space available").count();
    assert_eq!(hard, 3, "{ping:#?}");
    assert!(ping.iter().any(|l| l == "3 packets transmitted, 0 received, 100% packet loss, time 21000ms"), "{ping:#?}");
    // (What was sent differs from the measurement's: there the neighbour was pinned, here
    // an ARP request re-confirms it; the drops are the probes.)
    let tc = out(&r, "tc -s qdisc show");
    assert!(tc.iter().any(|l| l.contains("(dropped 22, overlimits 0 requeues 0)")), "{tc:#?}");
}
