//! Every scenario in `scenarios/` replayed with its expectations, and the determinism rule:
//! same seed, byte-identical transcript and pcapng.

mod common;

use nslab::scenarios::{self, render::transcript, run::sim};

#[test]
fn every_scenario_meets_its_expectations() {
    let files = common::scenario_files();
    assert!(files.len() >= 10, "E1–E5 as .sh and .ron: {files:?}");
    let mut failed = Vec::new();
    for f in &files {
        let (name, r) = common::run_file(f, None);
        let checks: usize = r.steps.iter().map(|s| s.expect.len()).sum();
        assert!(checks > 0, "{name} has no expectations");
        for fl in r.failures(&name) {
            failed.push(fl.to_string());
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

/// Every scenario holds for any seed, not only its own: a line whose outcome hangs on a
/// random choice (a neighbour's reachable time, dhclient's retry interval) says so in its
/// expectation (`{A|B}`, `...`), as it would have to on the kernel. (About 13 s in a debug
/// build on one core, so the seeds run one after another.)
#[test]
fn every_scenario_meets_its_expectations_for_seeds_0_to_99() {
    let mut failed = Vec::new();
    for f in common::scenario_files() {
        let name = f.display().to_string();
        let text = std::fs::read_to_string(&f).expect("readable");
        let sc = scenarios::load(&name, &text).unwrap_or_else(|e| panic!("{e}"));
        for seed in 0..100 {
            let opts = sim::RunOptions { seed: Some(seed), ..Default::default() };
            match sim::run(&name, &text, &sc, &opts) {
                Ok(r) => failed.extend(r.failures(&name).iter().map(|f| format!("seed {seed}: {f}"))),
                Err(e) => failed.push(format!("seed {seed}: {e}")),
            }
        }
    }
    assert!(failed.is_empty(), "{} failures:\n{}", failed.len(), failed.join("\n"));
}

#[test]
fn nslab_check_accepts_every_scenario_without_running_it() {
    for f in common::scenario_files() {
        let name = f.display().to_string();
        let text = std::fs::read_to_string(&f).expect("readable");
        let sc = scenarios::load(&name, &text).expect("parses");
        let opts = sim::RunOptions { dry_run: true, ..Default::default() };
        if let Err(e) = sim::run(&name, &text, &sc, &opts) {
            panic!("{e}");
        }
    }
}

#[test]
fn same_seed_gives_byte_identical_transcript_and_pcapng() {
    for f in common::scenario_files() {
        let (_, a) = common::run_file(&f, Some(42));
        let (_, b) = common::run_file(&f, Some(42));
        assert_eq!(transcript::text(&a.rendered), transcript::text(&b.rendered), "{}", f.display());
        assert_eq!(transcript::json(&a.rendered), transcript::json(&b.rendered));
        let pa = transcript::pcapng(&a.captures(), a.records(), None, transcript::SIM_EPOCH_NS).unwrap();
        let pb = transcript::pcapng(&b.captures(), b.records(), None, transcript::SIM_EPOCH_NS).unwrap();
        assert_eq!(pa, pb, "{}", f.display());
    }
}

#[test]
fn another_seed_changes_random_choices_only() {
    let f = common::scenario_files().into_iter().find(|p| p.ends_with("e02-veth-pair.sh")).unwrap();
    let (name, a) = common::run_file(&f, Some(1));
    let (_, b) = common::run_file(&f, Some(2));
    let (ta, tb) = (transcript::text(&a.rendered), transcript::text(&b.rendered));
    assert_ne!(ta, tb, "ping ids and random MACs come from the seed");
    assert_eq!(ta.lines().count(), tb.lines().count());
    assert!(a.failures(&name).is_empty() && b.failures(&name).is_empty());
}

#[test]
fn e02_capture_has_the_kernels_shape() {
    let f = common::scenario_files().into_iter().find(|p| p.ends_with("e02-veth-pair.sh")).unwrap();
    let (_, r) = common::run_file(&f, None);
    let frames: Vec<&transcript::Line> =
        r.rendered.lines.iter().filter(|l| l.kind == transcript::Kind::Frame).collect();
    assert_eq!(frames.len(), 10);
    // The responder's unicast re-confirmation comes delay_first_probe_time (5 s) after the
    // first exchange, not at the end of the ping.
    let first = frames[0].at;
    let probe = frames[8].at;
    assert_eq!((probe - first).as_secs(), 5);
    assert!(frames[8].text.starts_with("00:00:5e:00:53:02 > 00:00:5e:00:53:01, ethertype ARP"));
}

/// The trace names a process by its namespace's name and pid: a namespace deleted while
/// its ping runs and made again under the same name continues its pids, so each ping's
/// lines stay with the step that started it.
#[test]
fn a_namespace_name_used_again_keeps_each_process_its_own_lines() {
    let text = "ip netns add a\n\
                ip netns exec a ip link set lo up\n\
                ip netns exec a ping -i 0.5 127.0.0.1 &\n\
                sleep 1\n\
                ip netns del a\n\
                ip netns add a\n\
                ip netns exec a ip link set lo up\n\
                ip netns exec a ping -c 1 127.0.0.1\n";
    let r = common::run_text("readd.sh", text).unwrap_or_else(|e| panic!("{e}"));
    let replies = |step: usize| -> Vec<String> {
        r.rendered.steps[step].output.iter().filter(|l| l.starts_with("64 bytes")).cloned().collect()
    };
    assert_eq!(replies(7), ["64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=0.020 ms"]);
    let first = replies(2);
    assert_eq!(first.len(), 3, "{first:#?}");
    assert!(first[2].contains("icmp_seq=3"), "{first:#?}");
    assert!(r.rendered.steps[2].output.iter().any(|l| l.starts_with("3 packets transmitted")));
}

/// The seeds' command blocks pasted as a reader copies them (`scenarios/pasted/`): each
/// runs to its end, no line refused, and shows what the tutorial is about. (Their output
/// lines are the authors' machines': where they differ, `nslab run` says so; the kernel
/// parity suite compares the pastes with the kernel.)
#[test]
fn every_pasted_tutorial_runs_as_pasted() {
    // File, and lines its transcript shows, with how many times at least.
    let shows: &[(&str, &[(&str, usize)])] = &[
        (
            "000-docker.sh",
            &[
                // `docker network connect testnw myrouter`: eth1, and testnw's gateway.
                ("myrouter# ip -n myrouter route replace default via 172.18.0.1 dev eth1", 1),
                // Across the two networks, once both clients route through the router.
                ("1 packets transmitted, 1 received, 0% packet loss", 4),
            ],
        ),
        (
            "001-document.sh",
            &[
                ("3 packets transmitted, 3 received, 0% packet loss", 14),
                // ch4-1: pings across MAC addresses changed after the first ping.
                ("ns1-veth0 address 00:00:5E:00:53:01", 1),
                // ch7: a line typed into the client reaches the server behind DNAT.
                ("nc[lan] Hello World!", 1),
                ("Ncat: Connection from 203.0.113.1:", 1),
            ],
        ),
        (
            "002-slides.sh",
            &[
                ("3 packets transmitted, 3 received, 0% packet loss", 4),
                ("# ^C", 1),
                ("2 packets transmitted, 0 received, 100% packet loss", 1),
            ],
        ),
        ("003-masquerade.sh", &[("ns1# ping 8.8.8.8 -c 2", 1), ("2 packets transmitted, 2 received", 1)]),
        (
            "004-nat-types.sh",
            &[
                // netns.sh create, three times (create, clean, create): its `case` per type.
                ("set ve-c0-nat-inet to fullcone", 2),
                ("set ve-c1-nat-inet to restcone", 2),
                ("ns-c0-nat# iptables -A FORWARD -p udp -d 10.0.1.1 --dport 12345 -j ACCEPT", 2),
                (
                    "ns-c1-nat# iptables -A FORWARD -p udp -d 10.0.2.1 -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT",
                    2,
                ),
                // The full cone lets c1's datagram through to c0's listener.
                ("[NEW] udp      17 30 src=100.64.2.100 dst=100.64.1.100 sport=54321 dport=54321 [UNREPLIED]", 1),
                ("nc[ns-c0] abc", 1),
                ("# ip netns del ns-c1-nat", 2),
            ],
        ),
    ];
    let dir = nslab::default_scenario_dir().join("pasted");
    let files = nslab::scenario_files(&dir).expect("scenarios/pasted is readable");
    assert_eq!(files.len(), shows.len(), "{files:?}");
    for f in files {
        let (name, text) = nslab::read_scenario(&f).unwrap();
        let want = shows.iter().find(|(n, _)| name.ends_with(n)).unwrap_or_else(|| panic!("{name} has no checks"));
        let sc = scenarios::load(&name, &text).unwrap_or_else(|e| panic!("{e}"));
        let r = sim::run(&name, &text, &sc, &sim::RunOptions::default()).unwrap_or_else(|e| panic!("{e}"));
        let t = transcript::text(&r.rendered);
        for (line, n) in want.1 {
            let seen = t.matches(line).count();
            assert!(seen >= *n, "{name}: `{line}` {seen} times, not {n}:\n{t}");
        }
    }
}
