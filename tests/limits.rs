//! Runs that would never end or never stop growing: `ping -i 0` paced as iputils paces it,
//! ping's sequence numbers wrapping at 65,536, and the guards that stop a runaway run — an
//! event budget per second of virtual time (a day of traffic is not a loop) and memory
//! ceilings — each saying what stopped the run and keeping the transcript up to then.

mod common;

use nslab::scenarios::{self, run::sim};
use nslab::sim_core::world::Limits;

/// The lines a step printed.
fn out(r: &sim::Run, step_starts: &str) -> Vec<String> {
    let i = r.steps.iter().position(|s| s.text.starts_with(step_starts)).expect("step");
    r.rendered.steps[i].output.clone()
}

const LO: &str = "ip netns add a\nip netns exec a ip link set lo up\n";

#[test]
fn ping_i_0_ping_pongs_with_its_replies() {
    // Once this sent every probe at one instant and never let time move (9 GB in 60 s).
    // iputils sends the next probe as soon as the last is answered: 20 µs on loopback here.
    let r = common::run_text("flood.sh", &format!("{LO}ip netns exec a ping -i 0 127.0.0.1 &\nsleep 1\n")).unwrap();
    let lines = out(&r, "ping -i 0");
    assert_eq!(lines[0], "PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data.");
    assert_eq!(lines[1], "64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=0.020 ms");
    let n = lines.len();
    // Started at 0.003 s (each command a shell's 1 ms after the last), interrupted 1.002 s
    // later (after `sleep 1` and the shell's gap before Ctrl-C) with the probe sent then in
    // flight, as Ctrl-C leaves it.
    assert_eq!(lines[n - 2], "50101 packets transmitted, 50100 received, 0.00199597% packet loss, time 1002ms");
    assert_eq!(lines[n - 1], "rtt min/avg/max/mdev = 0.020/0.020/0.020/0.000 ms, ipg/ewma 0.020/0.020 ms");
}

#[test]
fn ping_i_0_without_replies_sends_a_hundred_a_second() {
    // With nothing answering, each wait for a reply times out after 10 ms (MININTERVAL).
    let text = format!(
        "{LO}ip netns exec a sysctl -w net.ipv4.icmp_echo_ignore_all=1\n\
         ip netns exec a ping -i 0 -c 5 -W 1 127.0.0.1\n"
    );
    let r = common::run_text("quiet.sh", &text).unwrap();
    let lines = out(&r, "ping -i 0");
    assert_eq!(lines[lines.len() - 2], "5 packets transmitted, 0 received, 100% packet loss, time 40ms", "{lines:#?}");
}

#[test]
fn a_small_interval_waits_for_the_reply_or_the_interval_whichever_is_later() {
    let r = common::run_text("i2.sh", &format!("{LO}ip netns exec a ping -i 0.002 -c 3 -q 127.0.0.1\n")).unwrap();
    let lines = out(&r, "ping -i 0.002");
    assert_eq!(lines[lines.len() - 2], "3 packets transmitted, 3 received, 0% packet loss, time 4ms", "{lines:#?}");
    // No ipg/ewma: the interval is not 0.
    assert_eq!(lines[lines.len() - 1], "rtt min/avg/max/mdev = 0.020/0.020/0.020/0.000 ms");
}

#[test]
fn seventy_thousand_pings_wrap_the_sequence_without_duplicates() {
    // Once: "65536 received, +4464 duplicates" and an average below the minimum.
    let r = common::run_text("wrap.sh", &format!("{LO}ip netns exec a ping -c 70000 -i 0.01 127.0.0.1\n")).unwrap();
    let lines = out(&r, "ping -c 70000");
    assert!(!lines.iter().any(|l| l.contains("DUP!")), "no duplicates");
    let seq = |s: &str| lines.iter().position(|l| l.contains(&format!(": icmp_seq={s} ttl="))).expect(s);
    assert_eq!(seq("65535") + 1, seq("0"), "65535 is followed by 0");
    assert_eq!(lines[seq("0") + 4464], "64 bytes from 127.0.0.1: icmp_seq=4464 ttl=64 time=0.020 ms");
    let n = lines.len();
    assert_eq!(lines[n - 2], "70000 packets transmitted, 70000 received, 0% packet loss, time 699990ms");
    assert_eq!(lines[n - 1], "rtt min/avg/max/mdev = 0.020/0.020/0.020/0.000 ms");
}

fn run_with_budget(name: &str, text: &str, budget: u64) -> Result<sim::Run, Box<sim::Failed>> {
    let sc = scenarios::load(name, text).unwrap();
    let opts = sim::RunOptions { event_budget: Some(budget), ..Default::default() };
    sim::run_with_limits(name, text, &sc, &opts, Limits::default())
}

#[test]
fn an_hour_of_pings_needs_no_bigger_budget_than_one_second_of_them() {
    // A whole-run count once stopped long runs ("a loop?"); the budget is per virtual second.
    let text = format!("{LO}ip netns exec a ping -i 0.2 -q 127.0.0.1 &\nsleep 3600\n");
    let r = run_with_budget("hour.sh", &text, 100).unwrap();
    let lines = out(&r, "ping -i 0.2");
    // The last probe, sent at 3600.003 s, is answered before Ctrl-C comes a shell's gap
    // after `sleep 3600` ends (3600.004 s).
    let stats = "18001 packets transmitted, 18001 received, 0% packet loss, time 3600000ms";
    assert_eq!(lines[lines.len() - 2], stats);
    assert!(r.lab.world().events_processed() > 50_000);
}

#[test]
fn looped_back_packets_count_against_the_budget() {
    // ping -i 0 on loopback, per probe: the two engine events that deliver the request and
    // the reply, the two packets looped back in them, and ping's deadline handled in the
    // same call: 5 events, 250,000 in a second (without the looped-back packets, 150,000),
    // and part of them for the probe in flight at Ctrl-C.
    let text = format!("{LO}ip netns exec a ping -i 0 -q 127.0.0.1 &\nsleep 1\n");
    let r = run_with_budget("lo.sh", &text, 250_000).unwrap();
    let stats = out(&r, "ping -i 0").into_iter().find(|l| l.contains("packets transmitted")).unwrap();
    let received: u64 = stats.split(", ").nth(1).unwrap().split(' ').next().unwrap().parse().unwrap();
    let extra = r.lab.world().events_processed() - 5 * received;
    assert!(extra < 5, "{} events for {received} answered probes", r.lab.world().events_processed());
    // The ping starts at 0.003 s; 200,000 events are 40,000 probes, 0.8 s, later.
    let e = run_with_budget("lo.sh", &text, 200_000).err().expect("over the budget").error;
    assert!(e.message.starts_with("event budget of 200000 events per virtual second exhausted at 0.803 s"), "{e}");
}

#[test]
fn a_stopped_run_names_the_guard_and_keeps_the_transcript() {
    let text = format!("{LO}ip netns exec a ping -c 1 127.0.0.1\nip netns exec a ping -i 0 127.0.0.1 &\nsleep 10\n");
    let f = run_with_budget("stop.sh", &text, 10_000).err().expect("over the budget");
    let e = &f.error;
    let first = e.to_string().lines().next().unwrap().to_string();
    assert!(first.starts_with("error: stop.sh:5:1: event budget of 10000 events per virtual second exhausted at 0.0"));
    assert!(e.to_string().contains("help: raise it with --event-budget N (events per virtual second"), "{e}");
    let t = f.transcript.as_deref().expect("the transcript up to the stop");
    assert!(t.contains("a# ping -c 1 127.0.0.1\n"), "{t}");
    assert!(t.contains("1 packets transmitted, 1 received, 0% packet loss, time 0ms"), "{t}");
    assert!(t.contains("ping[a] 64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=0.020 ms"), "{t}");
}

#[test]
fn output_without_end_stops_at_the_memory_ceiling() {
    // Quietly, ping -i 0 is only events; printing, it fills the trace: 50,000 lines a second
    // (-i 0.0002 is -i 0 to iputils), for a day, would be 4 G lines. The ceiling stops it.
    let text = format!("{LO}ip netns exec a ping -i 0.0002 127.0.0.1 &\nsleep 86400\n");
    let sc = scenarios::load("chatty.sh", &text).unwrap();
    let limits = Limits { trace_bytes: 8 << 20, ..Limits::default() };
    let f = sim::run_with_limits("chatty.sh", &text, &sc, &sim::RunOptions::default(), limits).err().expect("stopped");
    let e = &f.error;
    assert!(e.message.starts_with("memory ceiling reached at "), "{e}");
    assert!(e.message.contains("the trace holds"), "{e}");
    assert!(e.to_string().contains("help: end the run sooner"), "{e}");
    assert!(f.transcript.as_deref().is_some_and(|t| t.lines().count() > 10_000));
}

#[test]
fn a_storm_that_multiplies_stops_at_the_queue_ceiling_and_names_the_loop() {
    // Three links between two bridges: every broadcast comes back twice. This once grew
    // until the machine killed nslab (24 GB).
    let mut text = String::from(
        "ip link add br0 type bridge\nip link add br1 type bridge\nip link set br0 up\nip link set br1 up\n",
    );
    for l in ["a", "b", "c"] {
        text.push_str(&format!(
            "ip link add {l}0 type veth peer name {l}1\nip link set {l}0 master br0\nip link set {l}1 master br1\n\
             ip link set {l}0 up\nip link set {l}1 up\n"
        ));
    }
    text.push_str(
        "ip netns add h\nip link add h0 type veth peer name hp netns h\nip link set h0 master br0\nip link set h0 up\n\
         ip -n h link set hp up\nip -n h addr add 10.0.0.1/24 dev hp\nip netns exec h ping -c 1 10.0.0.2\n",
    );
    let e = common::run_text("storm.sh", &text).err().expect("a storm");
    let first = e.lines().next().unwrap();
    // IPv6 is on, as on Linux: the first MLD report a port sends, two ticks (8 ms) after
    // it comes up, already goes round the loop — during the 20th command, before the ping.
    assert!(first.starts_with("error: storm.sh:20:1: memory ceiling reached at 0.019 s: "), "{e}");
    assert!(first.contains("events pending, 128.") && first.contains("frames multiply faster"), "{e}");
    assert!(first.contains("; bridge loop: br0 (root) -["), "{e}");
}
