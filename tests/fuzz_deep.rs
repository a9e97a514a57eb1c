//! Fuzzing past the parsers (`tests/fuzz.rs` covers random text and frames into one bare
//! namespace): structurally plausible frames with fuzzed fields go into a lab with a
//! bridge, NAT and conntrack, TCP and UDP sockets, DHCP on both ends and captures, through
//! every port a neighbour could send them from; ICMP errors quote arbitrary packets or the
//! live NAT flows; TCP segments continue the live connections; the tcpdump formatter and
//! the pcapng writer take every frame; generated scripts, their RON and mutated bundled
//! scenarios go through `check` and `run`.
//!
//! It asserts that nothing panics, that no input makes traffic run away (an event budget
//! per case), that a frame a host must find malformed is counted, and that everything
//! rendered afterwards (shows, transcript, JSON, tcpdump lines, pcapng framing) is sound.
//!
//! A bounded run is part of `cargo test`. The long run (README.md, "The two commands"):
//!
//! ```text
//! NSLAB_FUZZ_CASES=20000 NSLAB_FUZZ_SEED=1 cargo test --profile fuzz --test fuzz_deep
//! ```
//!
//! `NSLAB_FUZZ_CASES` sets every property's case count (the default run's are given per
//! property below); `NSLAB_FUZZ_SEED` picks proptest's seed (default 0, so `cargo test` is
//! deterministic; `random` for a fresh one). The `fuzz` profile (root `Cargo.toml`) is
//! release with overflow checks and debug assertions on.

#[path = "fuzz_deep/aim.rs"]
mod aim;
#[path = "fuzz_deep/lab.rs"]
mod lab;
#[path = "fuzz_deep/scripts.rs"]
mod scripts;
#[path = "fuzz_deep/wire.rs"]
mod wire;

use nslab::scenarios::{self, render::transcript, run::sim};
use nslab::sim_core::tcpdump::{Formatter, Options};
use nslab::sim_core::{Duration, Filter, Instant};
use proptest::prelude::*;
use proptest::test_runner::RngSeed;

/// The event budget of a case (`--event-budget`): far more than any frame sequence or
/// script here causes, far less than a storm.
const CASE_BUDGET: u64 = 2_000_000;

/// Proptest's configuration: `default` cases unless `NSLAB_FUZZ_CASES` says how many.
fn config(default: u32) -> ProptestConfig {
    let cases = std::env::var("NSLAB_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default);
    let rng_seed = match std::env::var("NSLAB_FUZZ_SEED").as_deref() {
        Ok("random") => RngSeed::Random,
        Ok(s) => RngSeed::Fixed(s.parse().expect("NSLAB_FUZZ_SEED is a number or `random`")),
        Err(_) => RngSeed::Fixed(0),
    };
    ProptestConfig { cases, rng_seed, failure_persistence: None, ..ProptestConfig::default() }
}

/// How long to let the lab run after a frame.
fn gap() -> impl Strategy<Value = Duration> {
    prop_oneof![
        3 => Just(Duration::ZERO),
        2 => Just(Duration::from_micros(15)),
        2 => Just(Duration::from_millis(1)),
        2 => Just(Duration::from_secs(1)),
        1 => Just(Duration::from_secs(31)),
    ]
}

/// One thing done to the lab.
#[derive(Clone, Debug)]
enum Op {
    /// A frame in by this port.
    Frame(usize, wire::Frame),
    /// A change made at a prompt (see [`lab::FuzzLab::act`]).
    Act(u8, u8),
}

fn act() -> impl Strategy<Value = Op> {
    (any::<u8>(), any::<u8>()).prop_map(|(k, a)| Op::Act(k, a))
}

/// Plays the ops, checking each frame is counted when it must be, lets the lab run out its
/// timers, and renders everything.
fn play(ops: &[(Op, Duration)]) -> Result<(String, Vec<u8>), TestCaseError> {
    let mut fl = lab::FuzzLab::new();
    fl.lab.world_mut().set_event_budget(CASE_BUDGET);
    for (op, gap) in ops {
        match op {
            Op::Frame(port, f) => {
                let flows = fl.flows();
                if let Some(got) = fl.inject(*port, f, &flows) {
                    prop_assert!(
                        !got.must_count || got.counted,
                        "a malformed frame went uncounted: {:02x?}",
                        got.bytes
                    );
                }
            }
            Op::Act(kind, arg) => fl.act(*kind, *arg),
        }
        prop_assert!(fl.run_for(*gap).is_ok(), "traffic ran away after {op:?}");
    }
    // Long enough for conntrack, neighbour, DHCP and TCP timers to fire.
    prop_assert!(fl.run_for(Duration::from_secs(130)).is_ok(), "traffic ran away");
    Ok(fl.finish_and_render())
}

/// [`play`] twice: the same ops give the same transcript and pcapng.
fn into_the_lab(ops: &[(Op, Duration)]) -> Result<(), TestCaseError> {
    let (text, pcap) = play(ops)?;
    let (again, pcap2) = play(ops)?;
    prop_assert!(text == again && pcap == pcap2, "two runs of the same ops differ");
    Ok(())
}

proptest! {
    #![proptest_config(config(12))]

    /// Any frame, into any port (the bridge's ports, the NAT router's two sides, the
    /// hosts), and changes to the lab between them.
    #[test]
    fn frames_into_bridge_nat_sockets_and_dhcp(
        ops in prop::collection::vec((prop_oneof![6 => (0usize..8, wire::frame()).prop_map(|(p, f)| Op::Frame(p, f)), 1 => act()], gap()), 1..12)
    ) {
        into_the_lab(&ops)?;
    }

    /// Frames aimed at what listens: TCP into the listeners and the live connections (in
    /// sequence), UDP through the DNAT, DHCP into dnsmasq and into dhclient (with the
    /// transaction id it waits on), ICMP errors about live flows; changes between them.
    #[test]
    fn aimed_frames_into_sockets_nat_and_dhcp(
        ops in prop::collection::vec((prop_oneof![8 => aim::aimed().prop_map(|(p, f)| Op::Frame(p, f)), 1 => act()], gap()), 1..20)
    ) {
        into_the_lab(&ops)?;
    }

    /// ICMP errors quoting the NAT's live flows (or anything): conntrack must find the
    /// connection an error is about and translate it back, or drop it.
    #[test]
    fn icmp_errors_quoting_flows_into_the_nat(errors in prop::collection::vec((aim::icmp_errors(), gap()), 1..8)) {
        let ops: Vec<_> = errors.into_iter().map(|((p, f), g)| (Op::Frame(p, f), g)).collect();
        into_the_lab(&ops)?;
    }
}

proptest! {
    #![proptest_config(config(256))]

    /// The tcpdump formatter (both layouts), capture filters (the scenarios' kinds, and any
    /// made of filter words) and the pcapng writer take any frame.
    #[test]
    fn formatter_filters_and_pcapng_take_any_frame(
        fuzzed in scripts::filter(),
        frames in prop::collection::vec(prop_oneof![
            3 => wire::frame().prop_map(|f| wire::build(&f, &wire::Ctx { local: wire::MACS[0], peer: wire::MACS[1], flows: &[], records: &[] })),
            1 => prop::collection::vec(any::<u8>(), 0..1600),
            // IPv6 (and IPv4) headers of random bytes, with ICMP's and ICMPv6's types
            // likely: the printers past the first header.
            1 => (prop_oneof![Just([0x86u8, 0xdd]), Just([0x08, 0x00])], any::<u8>(), prop_oneof![Just(58u8), Just(0), Just(1), any::<u8>()],
                  prop::collection::vec(any::<u8>(), 0..600)).prop_map(|(et, ver, nh, rest)| {
                let mut f = vec![0x33, 0x33, 0, 0, 0, 1, 0, 0, 0x5e, 0, 0x53, 1, et[0], et[1]];
                if et[0] == 0x86 {
                    f.extend([0x60 | (ver & 0x0f), 0, 0, 0]);
                    f.extend(((rest.len().saturating_sub(36)) as u16).to_be_bytes());
                    f.extend([nh, 255]);
                } else {
                    f.extend([0x45, 0]);
                    f.extend(((rest.len() + 4) as u16).to_be_bytes());
                }
                f.extend(rest);
                f
            }),
        ], 1..10)
    ) {
        let filters = ["", "icmp", "arp", "tcp port 80", "udp port 67 or udp port 68", "not arp", "host 192.168.1.1",
            "ether host 00:00:5e:00:53:01", "net 192.168.0.0/16 and not udp", "src host 10.0.0.1 or dst port 53",
            "broadcast", "ip and (tcp or udp)"];
        for f in &filters {
            let filter = Filter::parse(f).unwrap_or_else(|e| panic!("{f}: {e}"));
            for fr in &frames {
                let _ = filter.matches(fr);
            }
        }
        if let Ok(filter) = Filter::parse(&fuzzed) {
            for fr in &frames {
                let _ = filter.matches(fr);
            }
        }
        for opts in [Options { timestamp: true, ..Options::default() }, Options { link_header: false, ..Options::default() }] {
            let mut fmt = Formatter::new(opts);
            for (i, fr) in frames.iter().enumerate() {
                let line = fmt.line(i as u64 * 1_000_003, fr);
                // One line, but for what tcpdump dumps of a packet it has no printer for.
                prop_assert!(line.split('\n').skip(1).all(|l| l.starts_with('\t')), "{line:?}");
            }
        }
        // `-v`, `-vv` and the dumps on the same frames: several lines a frame, never a panic.
        for link_header in [true, false] {
            for verbose in [1, 2] {
                let mut fmt = Formatter::new(Options { link_header, verbose, ..Options::default() });
                for (i, fr) in frames.iter().enumerate() {
                    let _ = fmt.line(i as u64, fr);
                }
            }
            for (x, big_x, a) in [(1, 0, 0), (2, 0, 0), (0, 1, 0), (0, 2, 0), (0, 0, 1), (0, 0, 2)] {
                let dump = nslab::sim_core::tcpdump::Dump::from_flags(x, big_x, a);
                let mut fmt = Formatter::new(Options { link_header, dump, ..Options::default() });
                for (i, fr) in frames.iter().enumerate() {
                    let _ = fmt.line(i as u64, fr);
                }
            }
        }
        let ifs = [nslab::sim_core::pcapng::Interface { name: "x/y".into(), filter: Some("icmp".into()), cooked: false }];
        let pkts = frames.iter().enumerate().map(|(i, b)| nslab::sim_core::pcapng::Packet {
            interface: 0,
            at: Instant::from_nanos(i as u64),
            dir: nslab::sim_core::capture::Direction::In,
            bytes: b,
        });
        let file = nslab::sim_core::pcapng::write(&ifs, pkts, 0).unwrap();
        prop_assert_eq!(lab::pcapng_blocks(&file), (1, frames.len()));
    }
}

/// Runs a scenario's text through load, check and run (bounded); every refusal is located.
fn check_and_run(name: &str, text: &str) {
    let sc = match scenarios::load(name, text) {
        Ok(sc) => sc,
        Err(e) => {
            assert!(e.to_string().contains(name), "an error without its place: {e}");
            return;
        }
    };
    if let Err(e) = scenarios::check(name, text, &sc) {
        assert!(e.to_string().contains(name), "an error without its place: {e}");
    }
    let opts = sim::RunOptions { event_budget: Some(CASE_BUDGET), ..Default::default() };
    match sim::run(name, text, &sc, &opts) {
        Ok(r) => {
            let _ = r.failures(name);
            let _ = transcript::text(&r.rendered);
            let _ = transcript::json(&r.rendered);
            let caps = r.captures();
            let file = transcript::pcapng(&caps, r.records(), None, transcript::SIM_EPOCH_NS).expect("pcapng builds");
            assert_eq!(lab::pcapng_blocks(&file).0, caps.len());
        }
        Err(e) => assert!(e.to_string().contains(name), "an error without its place: {e}"),
    }
}

proptest! {
    #![proptest_config(config(64))]

    /// Scripts that mostly make sense, run for real.
    #[test]
    fn generated_scripts_check_and_run(text in scripts::script()) {
        check_and_run("f.sh", &text);
    }

    /// The same scripts as RON (`nslab convert`), a few characters or lines changed.
    #[test]
    fn generated_ron_checks_and_runs(text in scripts::script(), edits in scripts::edits()) {
        let Ok(sc) = scenarios::front::script::parse("f.sh", &text) else { return Ok(()) };
        let ron = scenarios::front::convert::to_ron(&sc).expect("a parsed script converts");
        check_and_run("f.ron", &scripts::mutate(&ron, &edits));
    }

    /// The bundled scenarios with lines dropped, repeated, swapped or changed.
    #[test]
    fn mutated_scenarios_check_and_run(which in any::<prop::sample::Index>(), edits in scripts::edits()) {
        let files = nslab::scenario_files(&nslab::default_scenario_dir()).unwrap();
        let f = which.get(&files);
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(f).unwrap();
        check_and_run(&name, &scripts::mutate(&text, &edits));
    }
}

/// Found by the long run (`NSLAB_FUZZ_SEED=4`, after 14,751 mutated scenarios): a RON
/// file with a character RON takes for whitespace (U+0085, U+200E, U+2028) outside a
/// string panics `nslab check` and `run` — `front/ron.rs` looks for `steps` with
/// `source[c.i..]`, and its byte cursor stops inside the character ("start byte index 737
/// is not a char boundary"). The fix belongs there (compare bytes:
/// `source.as_bytes()[c.i..].starts_with(b"steps")`, and skip those characters as trivia so
/// spans stay right), which is what it does now.
#[test]
fn ron_with_unicode_whitespace_between_fields_does_not_panic() {
    for ws in ["\u{85}", "\u{200e}", "\u{2028}"] {
        check_and_run("w.ron", &format!("({ws}steps: [])"));
    }
}

/// A plausible IPv4 frame from `src` to `dst` (indices into [`wire::ADDRS`]), sent to the
/// receiving interface's MAC by its neighbour.
fn packet(src: u8, dst: u8, ihl: Option<u8>, l4: wire::L4) -> wire::Frame {
    let ip = wire::Ip {
        version: 4,
        ihl,
        tos: 0,
        id: 1,
        frag: 0x4000,
        ttl: 63,
        proto: None,
        src: wire::AddrPick::Known(src),
        dst: wire::AddrPick::Known(dst),
        flow: None,
        options: vec![],
        total_len: wire::Fix::Right,
        csum: wire::Fix::Right,
        l4,
    };
    wire::Frame {
        dst: wire::MacPick::Local,
        src: wire::MacPick::Peer,
        body: wire::Body::Ip(Box::new(ip)),
        flips: vec![],
        cut: None,
    }
}

/// The lab the frames go into is what the fuzzing relies on: dhclient bound, the ncat
/// connection through the NAT open, the flows visible; a frame with a bad header sent by a
/// neighbour is counted, and a TCP connection to pc's ncat (a SYN, then data in sequence
/// after pc's SYN-ACK, as the router would forward them from 198.51.100.1) gets through.
#[test]
fn the_fuzz_lab_is_alive() {
    let mut fl = lab::FuzzLab::new();
    let dhc = fl.lab.ns(Some("dhc")).unwrap();
    let addrs = fl.lab.addr_show(dhc, Some("dhc-eth0")).unwrap().join("\n");
    assert!(addrs.contains("inet 192.168.1."), "dhclient is bound:\n{addrs}");
    let flows = fl.flows();
    assert!(
        flows.iter().any(|f| f.orig.3 == 7 && f.reply.1.octets() == [203, 0, 113, 1]),
        "ncat's flow is NATed: {flows:?}"
    );
    let icmp = wire::L4::Icmp(wire::Icmp {
        ty: 8,
        code: 0,
        rest: 1,
        csum: wire::Fix::Right,
        body: wire::IcmpBody::Data(vec![0; 8]),
    });
    let got = fl.inject(6, &packet(9, 1, Some(4), icmp), &flows).expect("pc-eth0's link is there");
    assert!(got.must_count && got.counted, "IHL 4 is counted: {:02x?}", got.bytes);
    let tcp = |flags: u8, data: &[u8]| {
        let syn = flags == 0x02;
        wire::L4::Tcp(wire::Tcp {
            sport: wire::PortPick::Raw(40000),
            dport: wire::PortPick::Known(0),
            seq: syn.then_some(1000),
            seq_delta: 0,
            ack: syn.then_some(0),
            doff: None,
            flags,
            win: 65535,
            urg: 0,
            options: vec![],
            data: data.to_vec(),
            csum: wire::Fix::Right,
        })
    };
    fl.inject(6, &packet(9, 1, None, tcp(0x02, b"")), &[]).unwrap();
    fl.run_for(Duration::from_millis(1)).unwrap();
    fl.inject(6, &packet(9, 1, None, tcp(0x18, b"hi\n")), &[]).unwrap();
    fl.run_for(Duration::from_millis(1)).unwrap();
    let heard = fl
        .lab
        .world()
        .trace()
        .records()
        .iter()
        .any(|r| matches!(r, nslab::sim_core::Record::Output { ns, line, .. } if ns == "pc" && line == "hi"));
    assert!(heard, "pc's ncat printed what came in");
}
