//! Traffic control end to end: a thousand pings across `netem delay 50ms 10ms loss 10%`
//! lose what a binomial allows and come back with the spread the delay model gives; the
//! same seed gives the same transcript; tc's refusals point at file, line and column.

mod common;

const LINK: &str = "ip netns add a\nip netns add b\nip -n a link add v0 type veth peer name v1 netns b\n\
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
    ] {
        let text = format!("{LINK}ip netns exec a {line}\n");
        let Err(e) = common::run_text("bad.sh", &text) else { panic!("{line} ran") };
        assert!(e.contains("bad.sh:9:"), "{line}: {e}");
        assert!(e.contains(says), "{line}: {e}");
    }
    // A handle clash is the kernel's refusal, at run time, at the line.
    let text = format!(
        "{LINK}ip netns exec a tc qdisc add dev v0 root handle 1: tbf rate 1mbit burst 10k latency 50ms\n\
         ip netns exec a tc qdisc add dev v0 root handle 2: netem delay 1ms\n"
    );
    let Err(e) = common::run_text("clash.sh", &text) else { panic!("the clash ran") };
    assert!(e.contains("clash.sh:10:"), "{e}");
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
