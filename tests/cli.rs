//! The command line as people use it: exit statuses, a reader that goes away, results on
//! stdout and diagnostics on stderr, colour, scenarios from stdin or by name, completions
//! and the manual page, the JSON schema, and seed sweeps sharded and merged.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Output, Stdio};

fn nslab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_nslab")).args(args).output().expect("nslab runs")
}

fn with_stdin(args: &[&str], input: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_nslab"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("nslab runs");
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

/// A test's own scratch directory, removed when the test ends (a failed assertion too).
struct Scratch(std::path::PathBuf);

impl Scratch {
    fn new(test: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("nslab-cli-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A scenario whose transcript is far larger than a pipe holds (64 KiB).
fn long_scenario() -> String {
    let mut s: String = (0..500).map(|i| format!("ip netns add n{i}\n")).collect();
    s.push_str(&"ip netns list\n".repeat(40));
    s
}

#[test]
fn a_reader_that_goes_away_ends_it_quietly() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_nslab"))
        .args(["run", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(long_scenario().as_bytes()).unwrap();
    // `| head -1`: one line, then the pipe closes while nslab still has ~200 KiB to write.
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    assert_eq!(first, "[   0.001] # ip netns add n0\n");
    let out = child.wait_with_output().unwrap();
    assert_eq!(text(&out.stderr), "", "no panic, no `Broken pipe`");
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn exit_statuses_are_the_documented_ones() {
    // 0: everything held.
    assert_eq!(nslab(&["run", "e01", "-q"]).status.code(), Some(0));
    // 1: an expectation failed.
    let failing = "ip netns add a\nip netns list\n#> b\n";
    let out = with_stdin(&["run", "-"], failing);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    // 2: bad input, the same for run and check; and bad usage.
    let bad = "ip netns add a\nip lnk\n";
    assert_eq!(with_stdin(&["run", "-"], bad).status.code(), Some(2));
    assert_eq!(with_stdin(&["check", "-"], bad).status.code(), Some(2));
    assert_eq!(nslab(&["run", "/nonexistent/x.sh"]).status.code(), Some(2));
    assert_eq!(nslab(&["run", "--no-such-option", "e01"]).status.code(), Some(2));
    // The help says so.
    let help = text(&nslab(&["--help"]).stdout);
    for line in
        ["0    everything held", "2    bad input or usage", "3    kernel mode cannot run here", "130  interrupted"]
    {
        assert!(help.contains(line), "--help lacks {line:?}:\n{help}");
    }
}

/// 3: kernel mode without its privileges (as the unprivileged user `nobody`, when this
/// test is root; as this user, when it is not).
#[test]
fn kernel_mode_without_privileges_exits_3() {
    let bin = env!("CARGO_BIN_EXE_nslab");
    let root = nslab::kernel_backend::capabilities().is_some_and(|c| c.sys_admin);
    let out = if root {
        let setpriv = ["--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", "--bounding-set=-all"];
        match Command::new("setpriv")
            .args(setpriv)
            .args([bin, "run", "--kernel", "scenarios/e01-empty-netns.sh"])
            .output()
        {
            Ok(o) => o,
            Err(e) => {
                nslab::skipped(&format!("setpriv could not run ({e}): apt-get install util-linux"));
                return;
            }
        }
    } else {
        nslab(&["run", "--kernel", "scenarios/e01-empty-netns.sh"])
    };
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("kernel mode needs root"), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty());
}

#[test]
fn results_go_to_stdout_and_diagnostics_to_stderr() {
    let out = nslab(&["run", "e01", "-q"]);
    assert!(text(&out.stdout).starts_with("PASS scenarios/e01-empty-netns.sh: 9 of 9"), "{}", text(&out.stdout));
    assert_eq!(text(&out.stderr), "");
    let failing = with_stdin(&["run", "-q", "-"], "ip netns add a\nip netns list\n#> b\n");
    let stdout = text(&failing.stdout);
    assert!(stdout.contains("FAIL <stdin>: 0 of 1 expectations held"), "{stdout}");
    assert!(stdout.contains("output line 1 differs"), "{stdout}");
    let bad = with_stdin(&["run", "-"], "ip lnk\n");
    assert_eq!(text(&bad.stdout), "");
    assert!(text(&bad.stderr).starts_with("error: <stdin>:1:4: Object \"lnk\" is unknown"), "{}", text(&bad.stderr));
}

#[test]
fn colour_on_request_and_never_with_no_color() {
    let esc = |o: &Output| o.stdout.contains(&0x1b);
    assert!(!esc(&nslab(&["run", "e01", "-q"])), "piped: plain");
    assert!(esc(&nslab(&["run", "e01", "-q", "--color", "always"])));
    let forced =
        Command::new(env!("CARGO_BIN_EXE_nslab")).args(["run", "e01", "-q"]).env("CLICOLOR_FORCE", "1").output();
    assert!(esc(&forced.unwrap()));
    let off = Command::new(env!("CARGO_BIN_EXE_nslab"))
        .args(["run", "e01", "-q"])
        .env("CLICOLOR_FORCE", "1")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(!esc(&off));
    assert!(!esc(&nslab(&["run", "e01", "-q", "--color", "never"])));
}

#[test]
fn a_scenario_comes_from_stdin_or_by_its_bundled_name() {
    let out = with_stdin(&["run", "-"], "ip netns add a\nip netns list\n#> a\n");
    assert_eq!(text(&out.stdout), "[   0.001] # ip netns add a\n[   0.002] # ip netns list\n[   0.002] a\n");
    assert_eq!(out.status.code(), Some(0));
    let by_name = nslab(&["run", "e05", "-q"]);
    assert!(text(&by_name.stdout).starts_with("PASS scenarios/e05-ethernet-router.sh"), "{}", text(&by_name.stdout));
    let ambiguous = nslab(&["run", "e06"]);
    assert_eq!(ambiguous.status.code(), Some(2));
    assert!(
        text(&ambiguous.stderr)
            .contains("names 5 bundled scenarios: e06-bridge-link, e06-bridge-netns, e06-bridge-port-options, e06-bridge, e06-ipv6-bridge")
    );
    let none = nslab(&["run", "nothing-like-it"]);
    assert!(text(&none.stderr).contains("`nslab list` lists the bundled scenarios"), "{}", text(&none.stderr));
    let list = text(&nslab(&["list"]).stdout);
    assert!(list.lines().any(|l| l.starts_with("e05-ethernet-router") && l.contains("E5")), "{list}");
    assert_eq!(list.lines().count(), nslab::scenario_files(&nslab::default_scenario_dir()).unwrap().len() / 2);
}

#[test]
fn completions_and_the_manual_page_are_generated() {
    for (shell, marker) in [("bash", "_nslab()"), ("zsh", "#compdef nslab"), ("fish", "complete -c nslab")] {
        let out = nslab(&["completions", shell]);
        assert!(text(&out.stdout).contains(marker), "{shell}: {}", text(&out.stdout));
        assert!(text(&out.stdout).contains("sweep"), "{shell} completes subcommands");
    }
    let man = text(&nslab(&["man"]).stdout);
    assert!(man.contains(".TH nslab 1"), "{man}");
    assert!(man.contains("Exit status"), "the manual documents the exit statuses");
}

/// Every line of `run --json` is an object of the documented kinds and fields.
#[test]
fn the_json_lines_follow_their_schema() {
    let out = nslab(&["run", "--json", "e08-masquerade"]);
    let lines: Vec<serde_json::Value> =
        text(&out.stdout).lines().map(|l| serde_json::from_str(l).expect("each line is JSON")).collect();
    let first = &lines[0];
    assert_eq!(first["kind"], "run");
    assert_eq!(first["schema"], "nslab.run/1");
    assert_eq!(first["back_end"], "sim");
    assert!(first["seed"].is_u64());
    let last = lines.last().unwrap();
    assert_eq!(last["kind"], "verdict");
    assert_eq!(last["exit"], 0);
    assert_eq!(last["held"], last["expectations"]);
    let mut kinds = std::collections::BTreeSet::new();
    for l in &lines[1..lines.len() - 1] {
        let kind = l["kind"].as_str().unwrap();
        kinds.insert(kind.to_string());
        let fields: &[&str] = match kind {
            "command" => &["at", "step", "text"],
            "output" | "frame" => &["at", "step", "tag", "text"],
            "drop" => &["at", "ns", "port", "reason"],
            "event" => &["at", "ns", "table", "text"],
            other => panic!("kind {other} is not in the schema"),
        };
        for f in fields {
            assert!(l.get(f).is_some(), "{kind} lacks {f}: {l}");
        }
    }
    for k in ["command", "output", "frame", "event"] {
        assert!(kinds.contains(k), "E8 has {k} lines: {kinds:?}");
    }
    assert!(
        lines.iter().any(|l| l["kind"] == "event" && l["table"] == "neigh" && l["ns"] == "router"),
        "a neighbour event of the router, named by its namespace"
    );
    assert!(
        lines.iter().any(|l| l["kind"] == "event"
            && l["table"] == "conntrack"
            && l["ns"] == "router"
            && l["text"].as_str().is_some_and(|t| t.starts_with("[NEW] icmp     1 30 src=192.0.2.1 dst=203.0.113.1"))),
        "the router's conntrack [NEW], as conntrack -E prints it"
    );
}

/// Four shards, each its own process, merge into the summary of the whole sweep, byte for
/// byte; a shard given twice is refused.
#[test]
fn sharded_sweeps_merge_into_the_unsharded_summary() {
    let scratch = Scratch::new("sweep");
    let dir = &scratch.0;
    let scenarios = ["scenarios/e02-veth-pair.sh", "scenarios/e03-router.sh"];
    let whole = nslab(&[&["sweep"][..], &scenarios[..], &["--seeds", "0..12"]].concat());
    assert_eq!(whole.status.code(), Some(0), "{}", text(&whole.stderr));
    let mut shards = Vec::new();
    for k in 1..=4 {
        let path = dir.join(format!("shard-{k}.jsonl"));
        let p = path.to_str().unwrap();
        let shard = format!("{k}/4");
        let out =
            nslab(&[&["sweep"][..], &scenarios[..], &["--seeds", "0..12", "--shard", &shard, "--out", p]].concat());
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        shards.push(p.to_string());
    }
    let merged = nslab(&[&["sweep", "merge"][..], &shards.iter().map(String::as_str).collect::<Vec<_>>()].concat());
    let summary = text(&whole.stdout);
    assert_eq!(text(&merged.stdout), summary);
    assert!(summary.starts_with("24 runs of 2 scenarios: 24 pass, 0 fail, 0 error\n"), "{summary}");
    // Every run is in exactly one shard.
    let lines: usize = shards.iter().map(|p| std::fs::read_to_string(p).unwrap().lines().count()).sum();
    assert_eq!(lines, 24);
    let twice = nslab(&["sweep", "merge", &shards[0], &shards[0]]);
    assert_eq!(twice.status.code(), Some(2));
    assert!(text(&twice.stderr).contains("is in two shards"), "{}", text(&twice.stderr));
}

/// A failing seed is named with the command that replays it, and the sweep fails.
#[test]
fn a_sweep_names_each_failing_seed() {
    // Passes only where the seed gives a MAC ending in an even digit: some seeds fail.
    let scratch = Scratch::new("failing");
    let dir = &scratch.0;
    let file = dir.join("mac.sh");
    let text_of = "ip link add a type veth peer name b\nip link show a\n#! contains:     link/ether {}{0|2|4|6|8} brd ff:ff:ff:ff:ff:ff\n";
    std::fs::write(&file, text_of).unwrap();
    let f = file.to_str().unwrap();
    let out = nslab(&["sweep", f, "--seeds", "0..30"]);
    let summary = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{summary}");
    let fails: Vec<&str> = summary.lines().filter(|l| l.starts_with("FAIL ")).collect();
    assert!(!fails.is_empty() && fails.len() < 30, "{summary}");
    let seed: u64 = fails[0].split(" seed ").nth(1).unwrap().split(':').next().unwrap().parse().unwrap();
    assert!(summary.contains(&format!("  replay: nslab run {f} --seed {seed}\n")), "{summary}");
    // The replay fails as the sweep said.
    assert_eq!(nslab(&["run", f, "--seed", &seed.to_string(), "-q"]).status.code(), Some(1));
}

/// `--pcap DIR`: the combined pcapng names each capture uniquely and stamps frames on the
/// sim's clock (2026-11-22 00:00:00 UTC at virtual time zero); `tcpdump -w x.pcap` is the
/// classic pcap tcpdump writes, which the real `tcpdump -r` reads; without `--pcap` a note
/// says where it would have gone; a `-w` file named as the combined one is refused.
#[test]
fn captures_are_written_as_tcpdump_writes_them() {
    use pcap_file::pcapng::blocks::interface_description::InterfaceDescriptionOption;
    use pcap_file::pcapng::{Block, PcapNgReader};
    let scratch = Scratch::new("pcap");
    let dir = scratch.0.join("out");
    let script = "ip netns add a\nip netns exec a ip link set lo up\n\
        ip netns exec a tcpdump -n -i lo -w /tmp/x.pcap &\nip netns exec a tcpdump -n -i lo icmp &\n\
        ip netns exec a ping -c 2 127.0.0.1\n";
    let d = dir.to_str().unwrap();
    let out = with_stdin(&["run", "-q", "--pcap", d, "-"], script);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let combined = std::fs::read(dir.join("stdin.pcapng")).unwrap();
    let mut r = PcapNgReader::new(&combined[..]).unwrap();
    let (mut names, mut stamps) = (Vec::new(), Vec::new());
    while let Some(b) = r.next_block() {
        match b.unwrap() {
            Block::InterfaceDescription(i) => names.extend(i.options.iter().filter_map(|o| match o {
                InterfaceDescriptionOption::IfName(n) => Some(n.to_string()),
                _ => None,
            })),
            Block::EnhancedPacket(p) => stamps.push(p.timestamp.as_secs()),
            _ => {}
        }
    }
    assert_eq!(names, ["a/lo", "a/lo#2"]);
    assert!(stamps.iter().all(|s| (1_795_305_600..1_795_305_602).contains(s)), "{stamps:?}");
    let pcap = std::fs::read(dir.join("x.pcap")).unwrap();
    assert_eq!(&pcap[..4], &[0xd4, 0xc3, 0xb2, 0xa1], "classic microsecond pcap");
    match Command::new("tcpdump").args(["-r", dir.join("x.pcap").to_str().unwrap(), "-n", "-tttt"]).output() {
        Ok(o) if o.status.success() => {
            let lines = text(&o.stdout);
            assert!(
                lines.starts_with("2026-11-22 00:00:00.005000 IP 127.0.0.1 > 127.0.0.1: ICMP echo request"),
                "{lines}"
            );
            assert_eq!(lines.lines().count(), 4, "{lines}");
        }
        other => nslab::skipped(&format!("tcpdump -r could not run: {other:?}")),
    }
    let without = with_stdin(&["run", "-q", "-"], script);
    assert!(
        text(&without.stderr).contains("note: <stdin>:3: `tcpdump -w /tmp/x.pcap` wrote nothing: nslab writes captures only with --pcap DIR (this one to DIR/x.pcap)"),
        "{}",
        text(&without.stderr)
    );
    let clash = with_stdin(&["run", "-q", "--pcap", d, "-"], &script.replace("/tmp/x.pcap", "stdin.pcapng"));
    assert_eq!(clash.status.code(), Some(2));
    assert!(text(&clash.stderr).contains("would overwrite the combined capture"), "{}", text(&clash.stderr));
    let twice = script.replace("tcpdump -n -i lo icmp &", "tcpdump -n -i lo -w /var/x.pcap icmp &");
    let two = with_stdin(&["run", "-q", "--pcap", d, "-"], &twice);
    assert_eq!(two.status.code(), Some(2));
    assert!(text(&two.stderr).contains("would overwrite another capture's"), "{}", text(&two.stderr));
}

/// A run a guard stops prints its transcript so far — as text, never into `--json`'s lines.
#[test]
fn json_stays_json_when_a_guard_stops_the_run() {
    let flood =
        "ip netns add a\nip netns exec a ip link set lo up\nip netns exec a ping -i 0 -c 1000000 -q 127.0.0.1\n";
    let text_run = with_stdin(&["run", "--event-budget", "1000", "-"], flood);
    assert_eq!(text_run.status.code(), Some(1), "{}", text(&text_run.stderr));
    assert!(text(&text_run.stdout).contains("# ip netns add a"), "the transcript so far");
    let json_run = with_stdin(&["run", "--json", "--event-budget", "1000", "-"], flood);
    assert_eq!(json_run.status.code(), Some(1));
    for l in text(&json_run.stdout).lines() {
        assert!(serde_json::from_str::<serde_json::Value>(l).is_ok(), "not JSON: {l}");
    }
    assert!(text(&json_run.stderr).contains("event"), "{}", text(&json_run.stderr));
}

/// `--stats` tells, on stderr, what a run cost: E3's events, its drops by reason (the
/// scenario's own: forwarding off, a neighbour that never answers, no route, TTL), virtual
/// and wall time, peak memory.
#[test]
fn stats_say_what_a_run_cost() {
    let out = nslab(&["run", "e03-router", "-q", "--stats"]);
    assert_eq!(out.status.code(), Some(0));
    let err = text(&out.stderr);
    assert!(text(&out.stdout).starts_with("PASS scenarios/e03-router.sh"), "stdout has only the verdict");
    assert!(
        err.contains(
            "stats: drops         10: 3 forwarding disabled, 3 neighbour failed, 2 no route to host, 2 ttl exceeded\n"
        ),
        "{err}"
    );
    assert!(err.contains("stats: virtual time  35.037 s ("), "{err}");
    for line in ["stats: events ", "stats: frames ", "stats: wall time ", "stats: peak memory "] {
        assert!(err.contains(line), "{line:?} missing:\n{err}");
    }
    let json = nslab(&["run", "e03-router", "--json", "--stats"]);
    assert!(text(&json.stdout).lines().all(|l| serde_json::from_str::<serde_json::Value>(l).is_ok()));
}

/// Two hosts on a veth pair; `b` drops ICMP by its second INPUT rule; `a` pings it `n` times.
fn icmp_dropped_by_rule(n: u32, interval: &str) -> String {
    format!(
        "ip netns add a\nip netns add b\nip link add va type veth peer name vb\n\
         ip link set va netns a\nip link set vb netns b\nip -n a link set va up\nip -n b link set vb up\n\
         ip -n a addr add 10.0.0.1/24 dev va\nip -n b addr add 10.0.0.2/24 dev vb\n\
         ip netns exec b iptables -A INPUT -p udp -j ACCEPT\nip netns exec b iptables -A INPUT -p icmp -j DROP\n\
         ip netns exec a ping -c {n} -i {interval} -W 1 10.0.0.2\n"
    )
}

/// `--explain` says, after the transcript, why each packet died: E3's router with
/// forwarding off, a TTL of 1, no route, a neighbour that never answers — each under the
/// step that was running, alike drops counted on one line.
#[test]
fn explain_says_why_packets_died() {
    let out = nslab(&["run", "e03-router", "--explain"]);
    assert_eq!(out.status.code(), Some(0));
    let o = text(&out.stdout);
    let at = o.find("explain: why packets died\n").expect(&o);
    let want = "explain: why packets died
  during line 71: ns1# ping -c 3 198.51.100.1 -I 192.0.2.1
    router: dropped 3 packets like 192.0.2.1 > 198.51.100.1: ICMP echo request on gw-veth0: forwarding is disabled (net.ipv4.ip_forward=0)
  during line 98: ns1# ping -c 2 -t 1 198.51.100.1
    router: dropped 2 packets like 192.0.2.1 > 198.51.100.1: ICMP echo request on gw-veth0: TTL exceeded (arrived with ttl 1); time exceeded sent back
  during line 106: ns1# ping -c 2 10.9.9.9
    router: dropped 2 packets like 192.0.2.1 > 10.9.9.9: ICMP echo request on gw-veth0: no route to 10.9.9.9 (no default route); net unreachable sent back
  during line 113: ns1# ping -c 3 198.51.100.9
    router: dropped 3 packets like 192.0.2.1 > 198.51.100.9: ICMP echo request on gw-veth1: no ARP reply from 198.51.100.9 (neighbour FAILED); host unreachable sent back
";
    assert_eq!(&o[at..], want);
    // JSON's drop lines carry the explanation already: both at once is a usage error.
    let both = nslab(&["run", "e03-router", "--explain", "--json"]);
    assert_eq!(both.status.code(), Some(2));
    assert!(text(&both.stderr).contains("cannot be used with"), "{}", text(&both.stderr));
}

/// A drop by an iptables rule names the table, the chain, the rule's number and the rule
/// as `iptables -S` prints it — in `--explain` and in `--json`'s `drop` lines.
#[test]
fn explain_names_the_rule_that_dropped() {
    let script = icmp_dropped_by_rule(2, "1");
    let out = with_stdin(&["run", "-", "--explain"], &script);
    let o = text(&out.stdout);
    assert!(
        o.contains(
            "    b: dropped 2 packets like 10.0.0.1 > 10.0.0.2: ICMP echo request on vb: \
             dropped by iptables -t filter rule 2 of INPUT: -A INPUT -p icmp -j DROP\n"
        ),
        "{o}"
    );
    let json = with_stdin(&["run", "-", "--json"], &script);
    let lines: Vec<serde_json::Value> =
        text(&json.stdout).lines().map(|l| serde_json::from_str(l).expect("JSON")).collect();
    let drop = lines.iter().find(|v| v["kind"] == "drop").expect("a drop line");
    assert_eq!(drop["ns"], "b");
    assert_eq!(drop["iface"], "vb");
    assert_eq!(drop["table"], "filter");
    assert_eq!(drop["chain"], "INPUT");
    assert_eq!(drop["rule"], 2);
    assert_eq!(drop["spec"], "-A INPUT -p icmp -j DROP");
    assert_eq!(drop["packet"], "10.0.0.1 > 10.0.0.2: ICMP echo request");
    let drops: Vec<_> = lines.iter().filter(|v| v["kind"] == "drops").collect();
    assert_eq!(drops.len(), 1, "{drops:?}");
    assert_eq!((drops[0]["reason"].as_str(), drops[0]["count"].as_u64()), (Some("iptables: DROP"), Some(2)));
}

/// A flood of drops is counted, not recorded one by one past 100 of a kind: the trace does
/// not grow with it, and `--explain` and `--stats` still tell the whole count.
#[test]
fn a_flood_of_drops_is_counted_not_recorded() {
    let script = icmp_dropped_by_rule(250, "0.01");
    let out = with_stdin(&["run", "-", "--explain", "--stats"], &script);
    let o = text(&out.stdout);
    assert!(o.contains("    b: dropped 100 packets like 10.0.0.1 > 10.0.0.2: ICMP echo request on vb: "), "{o}");
    assert!(
        o.contains("past the per-reason record limit\n    b: 150 more dropped on vb (iptables: DROP), counted"),
        "{o}"
    );
    assert!(text(&out.stderr).contains("stats: drops         250: 250 iptables: DROP\n"), "{}", text(&out.stderr));
    let json = with_stdin(&["run", "-", "--json"], &script);
    let j = text(&json.stdout);
    assert_eq!(j.lines().filter(|l| l.contains("\"kind\":\"drop\"")).count(), 100);
    assert!(j.contains("\"count\":250"), "{j}");
}
