//! Kernel parity: every scenario in `scenarios/` runs on the real kernel and is diffed with
//! the sim (`nslab diff`), all at once; afterwards the machine's own namespace is what it
//! was, and no namespace of ours is left. A run the kernel refuses half-way, and a run
//! stopped with Ctrl-C, leave nothing behind either.
//!
//! These need root and the Debian tools; without them each test prints why it skipped.

mod common;

use nslab::kernel_backend;
use nslab::scenarios::{self, diff, run::sim};
use std::path::Path;
use std::process::Command;

/// Why kernel tests cannot run here, if they cannot.
fn skip_reason(text: &str) -> Option<String> {
    let sc = scenarios::load("probe.sh", text).expect("probe parses");
    kernel_backend::preflight(&sc).err().map(|e| e.to_string())
}

fn sh(cmd: &str) -> String {
    let out = Command::new("sh").arg("-c").arg(cmd).output().expect("sh runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The machine's own namespace, as the tools show it.
fn host_state() -> String {
    [
        "ip -o link show",
        "ip -o addr show",
        "ip route show table all",
        "ip rule show",
        "ip neigh show permanent",
        "sysctl net.ipv4.ip_forward",
        "iptables-save 2>/dev/null | grep -v '^#'",
    ]
    .iter()
    .map(|c| format!("$ {c}\n{}", sh(c)))
    .collect()
}

/// Held by every test but the parity suite while it has things of its own on the machine
/// (a run's scratch directory, the gc test's decoys such as `/tmp/nslab-2024-notes`), so
/// the parity suite's before/after pictures of the machine see none of them.
static MACHINE: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn machine() -> std::sync::MutexGuard<'static, ()> {
    MACHINE.lock().unwrap_or_else(|e| e.into_inner())
}

/// What in `/tmp`, `/run/nslab` and `/etc/netns` could be nslab's (other programs on the
/// machine come and go in `/tmp`).
fn tmp_listing() -> String {
    let _quiet = machine();
    sh("ls -d /tmp/nslab* /run/nslab/* /etc/netns/* 2>/dev/null")
}

/// Kernel-mode namespaces made by this test process.
fn ours() -> Vec<String> {
    let me = format!("{}{}-", kernel_backend::names::PREFIX, std::process::id());
    kernel_backend::netns::existing().into_iter().filter(|n| n.starts_with(&me)).collect()
}

fn parity(path: &Path) -> Result<Option<diff::Report>, String> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let sc = scenarios::load(&name, &text).map_err(|e| e.to_string())?;
    if let Some(why) = &sc.kernel_skip {
        nslab::skipped(&format!("{name} on the kernel: {why}"));
        return Ok(None);
    }
    if let Err(e) = kernel_backend::preflight(&sc) {
        nslab::skipped(&format!("{name} on the kernel: {e}"));
        return Ok(None);
    }
    let sim = sim::run(&name, &text, &sc, &sim::RunOptions::default()).map_err(|e| e.to_string())?;
    let kernel = kernel_backend::run(&name, &text, &sc).map_err(|e| e.to_string())?;
    println!("{name}: kernel run took {:.1} s", kernel.elapsed.as_secs_f64());
    Ok(Some(diff::compare(
        &name,
        &sc,
        diff::Side { name: "sim", rendered: &sim.rendered },
        diff::Side { name: "kernel", rendered: &kernel.rendered },
    )))
}

/// Whether scenario `path` expects a neighbour entry in state FAILED (`ip neigh show`).
fn shows_failed_neighbour(path: &Path) -> bool {
    std::fs::read_to_string(path)
        .is_ok_and(|t| t.lines().any(|l| l.starts_with("#> ") && l.trim_end().ends_with(" FAILED")))
}

#[test]
fn every_scenario_agrees_with_the_kernel_and_the_machine_is_untouched() {
    if let Some(why) = skip_reason("ip netns add a\n") {
        nslab::skipped(&why);
        return;
    }
    let before = (host_state(), machine_settings(), tmp_listing());
    // The `.ron` twins are the same scenarios (tests/front_ends.rs): run the scripts, and
    // the seeds' pastes.
    let pasted = nslab::scenario_files(&nslab::default_scenario_dir().join("pasted")).expect("scenarios/pasted");
    let files: Vec<_> = common::scenario_files()
        .into_iter()
        .chain(pasted)
        .filter(|p| p.extension().is_some_and(|e| e == "sh"))
        .collect();
    // The kernel's neighbour tables are global: when all the namespaces of the machine hold
    // more than `gc_thresh1` (128) entries, `neigh_periodic_work` removes FAILED ones in
    // every namespace (measured: a FAILED IPv6 entry lasts over 40 s alone, 12 s beside 200
    // entries in another namespace). The scenarios that show a FAILED entry therefore run
    // after the others, one at a time, when only their own entries are in the table.
    let (alone, together): (Vec<_>, Vec<_>) = files.into_iter().partition(|f| shows_failed_neighbour(f));
    let handles: Vec<_> = together.into_iter().map(|f| std::thread::spawn(move || (f.clone(), parity(&f)))).collect();
    let results: Vec<_> = handles
        .into_iter()
        .map(|h| h.join().expect("a parity thread panicked"))
        .chain(alone.into_iter().map(|f| (f.clone(), parity(&f))))
        .collect();
    let mut bad = Vec::new();
    for (f, r) in results {
        match r {
            Ok(Some(report)) => {
                if !report.agrees() {
                    bad.push(report.text());
                }
            }
            Ok(None) => {}
            Err(e) => bad.push(format!("{}: {e}", f.display())),
        }
    }
    assert!(bad.is_empty(), "sim and kernel disagree:\n{}", bad.join("\n"));
    assert_eq!(ours(), Vec::<String>::new(), "namespaces left behind");
    assert_eq!((host_state(), machine_settings(), tmp_listing()), before, "the machine changed");
}

#[test]
fn a_run_the_kernel_refuses_half_way_leaves_nothing_behind() {
    let _machine = machine();
    let text = "ip netns add a\nip netns add b\nip link add x type veth peer name y\nip link set y netns b\n\
        ip netns exec a ip link set nosuch up\n";
    if let Some(why) = skip_reason(text) {
        nslab::skipped(&why);
        return;
    }
    let sc = scenarios::load("half.sh", text).unwrap();
    let e = kernel_backend::run("half.sh", text, &sc).expect_err("the kernel refuses it");
    let msg = e.to_string();
    assert!(msg.starts_with("error: half.sh:5:"), "{msg}");
    assert!(msg.contains("Cannot find device \"nosuch\""), "{msg}");
    // The parity suite runs in parallel in this process; no scenario of it has namespaces
    // called `a` or `b`, so these are this run's.
    let left: Vec<String> = ours().into_iter().filter(|n| n.ends_with("-a") || n.ends_with("-b")).collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

/// What a kernel run must never change on the machine: values that are the whole
/// machine's, read before and after.
fn machine_settings() -> String {
    [
        "cat /proc/sys/kernel/hostname /proc/sys/kernel/domainname",
        "sysctl vm.swappiness vm.overcommit_memory vm.dirty_ratio fs.file-max kernel.pid_max",
        "sysctl net.core.rmem_max net.core.wmem_max net.netfilter.nf_hooks_lwtunnel 2>/dev/null",
    ]
    .iter()
    .map(|c| format!("$ {c}\n{}", sh(c)))
    .collect()
}

#[test]
fn a_hostile_scenario_is_refused_before_anything_is_made() {
    let _machine = machine();
    let probe = "ip netns add a\n";
    if let Some(why) = skip_reason(probe) {
        nslab::skipped(&why);
        return;
    }
    let before = (machine_settings(), host_state());
    let hostile = [
        (
            "ip netns add hostile\nip netns exec hostile sysctl -w kernel.hostname=pwned\n",
            2,
            "not kept per network namespace",
        ),
        ("ip netns add hostile\nip netns exec hostile sysctl vm.swappiness\n", 2, "not kept per network namespace"),
        (
            "ip netns add hostile\nip netns exec hostile sysctl -w net.core.rmem_max=4096\n",
            2,
            "not kept per network namespace",
        ),
        ("ip netns add hostile\nip netns exec hostile sysctl -w net.netfilter.nf_hooks_lwtunnel=1\n", 2, "not kept"),
        ("ip netns add hostile\nip netns exec hostile sysctl net/ipv4/../../vm/swappiness\n", 2, "is not a sysctl key"),
        (
            "ip netns add hostile\nip netns exec hostile sysctl -w 'net.ipv4.ip_forward=1; hostname pwned'\n",
            2,
            "Invalid argument",
        ),
        // Real time has no end for it.
        ("ip netns add hostile\nsleep inf\n", 2, "this sleep would never end"),
        // The kernel would take it; `nslab check` does not, so neither does kernel mode.
        (
            "ip netns add hostile\nip netns exec hostile sysctl -w net.ipv4.tcp_keepalive_time=10\n",
            2,
            "not supported yet",
        ),
    ];
    for (text, line, msg) in hostile {
        // The front end refuses most at once; what only the configuration shows (a value the
        // key does not take) kernel mode's validation pass refuses before making anything.
        let e = match scenarios::load("hostile.sh", text) {
            Err(e) => e.to_string(),
            Ok(sc) => kernel_backend::run("hostile.sh", text, &sc).expect_err(text).to_string(),
        };
        assert!(e.starts_with(&format!("error: hostile.sh:{line}:")), "{text}\n{e}");
        assert!(e.contains(msg), "{text}\n{e}");
        let made: Vec<String> = ours().into_iter().filter(|n| n.ends_with("-hostile")).collect();
        assert!(made.is_empty(), "{text}: made {made:?}");
    }
    // Words a shell would split or expand reach the tools as they are, one argv word each.
    // (A namespace name has no `/`: the canary is made relative to the working directory.)
    let canary = std::path::PathBuf::from(format!("kernel-test-canary-{}", std::process::id()));
    let name = format!("h;touch {c};$(touch {c})`touch {c}`", c = canary.display());
    let text = format!(
        "ip netns add '{name}'\nip netns exec '{name}' ip link show lo\nip netns exec '{name}' sysctl net.ipv4.ip_forward\n"
    );
    let sc = scenarios::load("literal.sh", &text).unwrap();
    let r = kernel_backend::run("literal.sh", &text, &sc).unwrap_or_else(|e| panic!("{e}"));
    let out = scenarios::render::transcript::text(&r.rendered);
    assert!(out.contains("net.ipv4.ip_forward = 0"), "{out}");
    assert!(out.contains("1: lo: <LOOPBACK>"), "{out}");
    assert!(!canary.exists(), "a name was run by a shell");
    assert_eq!((machine_settings(), host_state()), before, "the machine changed");
}

/// Starts `nslab run --kernel` on a scenario with background jobs (a daemon that detaches
/// among them), waits until they run, sends `sig`, and checks that nothing of the run is
/// left: namespaces, processes in them, `/etc/netns` files, the scratch directory, the
/// record. `None` for the status: killed with SIGKILL, which only the run's guard (and
/// `nslab kernel gc`) can clean up after.
fn a_signal_leaves_nothing(sig: nix::sys::signal::Signal, status: Option<i32>) {
    let _machine = machine();
    let text = "ip netns add a\nip netns add b\nip link add va type veth peer name vb\n\
        ip link set va netns a\nip link set vb netns b\n\
        ip netns exec a ip addr add 192.0.2.1/24 dev va\nip netns exec b ip addr add 192.0.2.2/24 dev vb\n\
        ip netns exec a ip link set va up\nip netns exec b ip link set vb up\nip netns exec a ip link set lo up\n\
        ip netns exec a dnsmasq --dhcp-range=192.0.2.10,192.0.2.20 --interface=va\n\
        ip netns exec a ping -c 100 127.0.0.1 &\nip netns exec b nc -l 5555 &\nsleep 60\n";
    if let Some(why) = skip_reason(text) {
        nslab::skipped(&why);
        return;
    }
    let dir = std::env::temp_dir().join(format!("kernel-test-{sig}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("long.sh");
    std::fs::write(&file, text).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_nslab"))
        .args(["run", "--kernel", "-q"])
        .arg(&file)
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("nslab runs");
    let prefix = format!("{}{}-", kernel_backend::names::PREFIX, child.id());
    let theirs =
        || kernel_backend::netns::existing().into_iter().filter(|n| n.starts_with(&prefix)).collect::<Vec<_>>();
    let leftovers = |inodes: &[u64]| -> Vec<String> {
        let mut v = theirs();
        v.extend(inodes.iter().flat_map(|i| kernel_backend::netns::pids(*i)).map(|p| format!("process {p}")));
        for d in [kernel_backend::netns::ETC_NETNS_DIR, kernel_backend::guard::RECORD_DIR, "/tmp"] {
            if let Ok(rd) = std::fs::read_dir(d) {
                v.extend(
                    rd.filter_map(|e| e.ok()).map(|e| e.path().display().to_string()).filter(|p| p.contains(&prefix)),
                );
            }
        }
        v
    };
    // Until ping and nc run (the last steps before the sleep).
    let mut inodes = Vec::new();
    for _ in 0..400 {
        inodes = theirs().iter().filter_map(|n| kernel_backend::netns::inode(n)).collect();
        if inodes.len() == 3 && inodes.iter().map(|i| kernel_backend::netns::pids(*i).len()).sum::<usize>() >= 3 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(inodes.len(), 3, "the run made its root namespace, `a` and `b`");
    let pid = nix::unistd::Pid::from_raw(child.id() as i32);
    nix::sys::signal::kill(pid, sig).unwrap();
    let st = child.wait().unwrap();
    assert_eq!(st.code(), status, "exit status after {sig}");
    if status.is_none() {
        // The guard notices the closed pipe and cleans up; give it a moment.
        for _ in 0..200 {
            if leftovers(&inodes).is_empty() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let gc = Command::new(env!("CARGO_BIN_EXE_nslab")).args(["kernel", "gc"]).output().unwrap();
        assert!(gc.status.success());
    }
    assert_eq!(leftovers(&inodes), Vec::<String>::new(), "{sig} left these behind");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn ctrl_c_removes_the_runs_namespaces() {
    a_signal_leaves_nothing(nix::sys::signal::Signal::SIGINT, Some(130));
}

#[test]
fn sigterm_removes_everything() {
    a_signal_leaves_nothing(nix::sys::signal::Signal::SIGTERM, Some(143));
}

#[test]
fn sighup_removes_everything() {
    a_signal_leaves_nothing(nix::sys::signal::Signal::SIGHUP, Some(129));
}

#[test]
fn kill_9_is_cleaned_up_by_the_runs_guard() {
    a_signal_leaves_nothing(nix::sys::signal::Signal::SIGKILL, None);
}

/// `nslab kernel gc` removes what a dead run's record names, and nothing that merely looks
/// like nslab's.
#[test]
fn gc_removes_only_what_a_record_says_nslab_made() {
    let _machine = machine();
    if let Some(why) = skip_reason("ip netns add a\n") {
        nslab::skipped(&why);
        return;
    }
    let me = std::process::id();
    // A dead run: this process's PID with another start time (as a reused PID would be).
    let dead = format!("nslab-{me}-dead0001");
    let stranger = format!("nslab-{me}-dead0002");
    let notes = std::env::temp_dir().join("nslab-2024-notes");
    let scratch = std::env::temp_dir().join(&dead);
    let unmarked = std::env::temp_dir().join(&stranger);
    for n in [format!("{dead}-x"), stranger.clone()] {
        assert!(Command::new("ip").args(["netns", "add", &n]).status().unwrap().success());
    }
    std::fs::create_dir_all(&notes).unwrap();
    std::fs::write(notes.join("keep.txt"), "mine\n").unwrap();
    std::fs::create_dir_all(&scratch).unwrap();
    std::fs::write(scratch.join(kernel_backend::guard::MARKER), format!("{dead}\n")).unwrap();
    std::fs::create_dir_all(&unmarked).unwrap();
    std::fs::create_dir_all(kernel_backend::guard::RECORD_DIR).unwrap();
    let record = kernel_backend::guard::record_path(&dead);
    std::fs::write(&record, format!("pid={me}\nstart=0\ndir={}\n", scratch.display())).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_nslab")).args(["kernel", "gc"]).output().unwrap();
    let said = String::from_utf8_lossy(&out.stdout).into_owned();
    let existing = kernel_backend::netns::existing();
    let stranger_left = existing.contains(&stranger);
    // Tidy up what the test made before asserting.
    let _ = Command::new("ip").args(["netns", "del", &stranger]).output();
    let _ = Command::new("ip").args(["netns", "del", &format!("{dead}-x")]).output();
    let notes_left = notes.join("keep.txt").exists();
    let unmarked_left = unmarked.exists();
    let _ = std::fs::remove_dir_all(&notes);
    let _ = std::fs::remove_dir_all(&unmarked);
    assert!(out.status.success(), "{said}");
    assert!(!existing.contains(&format!("{dead}-x")), "the dead run's namespace is gone: {said}");
    assert!(!scratch.exists() && !record.exists(), "its directory and record are gone: {said}");
    assert!(notes_left, "a user's /tmp/nslab-2024-notes was removed: {said}");
    assert!(stranger_left && unmarked_left, "a namespace/directory no record names was removed: {said}");
}

/// `run --kernel` prints its transcript as it happens: the lines come while the run goes
/// on (the first long before a two-second sleep ends), and together they are the run's
/// whole transcript, byte for byte.
#[test]
fn the_kernel_transcript_streams_as_it_happens() {
    let text = "ip netns add a\nip netns exec a ip link set lo up\nip netns exec a ping -c 2 127.0.0.1\nsleep 2\nip netns list\n";
    if let Some(why) = skip_reason(text) {
        nslab::skipped(&why);
        return;
    }
    let _machine = machine();
    let sc = scenarios::load("live.sh", text).unwrap();
    let got: std::sync::Arc<std::sync::Mutex<Vec<(std::time::Instant, String)>>> = Default::default();
    let sink = got.clone();
    let t0 = std::time::Instant::now();
    let run = kernel_backend::run_live("live.sh", text, &sc, move |lines| {
        sink.lock().unwrap().push((std::time::Instant::now(), lines.to_string()));
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let end = std::time::Instant::now();
    let got = got.lock().unwrap();
    let streamed: String = got.iter().map(|(_, l)| l.as_str()).collect();
    assert_eq!(streamed, nslab::scenarios::render::transcript::text(&run.rendered));
    assert!(streamed.contains("64 bytes from 127.0.0.1: icmp_seq=2"), "{streamed}");
    let first = got.first().expect("something was printed").0;
    assert!(
        end - first > std::time::Duration::from_millis(1500),
        "the first lines came {:?} into a {:?} run",
        first - t0,
        end - t0
    );
    assert!(got.len() >= 3, "printed in several pieces: {}", got.len());
    // (That nothing is left behind is the parity suite's check: it runs alongside, with
    // namespaces of this process's prefix.)
}

/// `nslab diff --html PATH --json PATH`: both reports go where they are told (nothing into
/// the current directory); the page shows each step's sides next to each other.
#[test]
fn diff_writes_its_reports_where_asked() {
    let text = std::fs::read_to_string(nslab::default_scenario_dir().join("e02-veth-pair.sh")).unwrap();
    if let Some(why) = skip_reason(&text) {
        nslab::skipped(&why);
        return;
    }
    let _machine = machine();
    let dir = std::env::temp_dir().join(format!("nslab-diff-html-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("cwd")).unwrap();
    let (html, json) = (dir.join("e02.html"), dir.join("e02.json"));
    let out = Command::new(env!("CARGO_BIN_EXE_nslab"))
        .args(["diff", "e02-veth-pair", "--html", html.to_str().unwrap(), "--json", json.to_str().unwrap()])
        .current_dir(dir.join("cwd"))
        .output()
        .unwrap();
    let page = std::fs::read_to_string(&html).unwrap_or_default();
    let report = std::fs::read_to_string(&json).unwrap_or_default();
    let cwd_files = std::fs::read_dir(dir.join("cwd")).unwrap().count();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    assert_eq!(cwd_files, 0, "nothing written into the current directory");
    assert!(page.contains("<span class=\"agree\">AGREE</span></h1>"), "{page}");
    assert!(page.contains("<tr><th>sim</th><th>kernel</th></tr>"), "{page}");
    assert!(page.matches("<section id=\"step-").count() >= 5, "{page}");
    assert!(serde_json::from_str::<serde_json::Value>(&report).is_ok(), "{report}");
}

/// The kernel's side of `--explain`: E3's router counts what the sim explains packet by
/// packet — forwarding off, a TTL of 1, no route — and `nslab diff --drops` finds the
/// sim's counters the same.
#[test]
fn the_kernel_counts_the_drops_the_sim_explains() {
    let text = std::fs::read_to_string(nslab::default_scenario_dir().join("e03-router.sh")).unwrap();
    if let Some(why) = skip_reason(&text) {
        nslab::skipped(&why);
        return;
    }
    let _machine = machine();
    let sc = scenarios::load("e03-router.sh", &text).unwrap();
    let collect = kernel_backend::Collect { drop_counters: true };
    let kernel =
        kernel_backend::run_collecting("e03-router.sh", &text, &sc, collect, None).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        kernel.drop_counters,
        [
            "router: Ip InAddrErrors 3 (forwarding is disabled)",
            "router: Ip InHdrErrors 2 (TTL exceeded)",
            "router: IpExt InNoRoutes 2 (no route)",
        ]
    );
    let sim = sim::run("e03-router.sh", &text, &sc, &sim::RunOptions::default()).unwrap();
    assert_eq!(sim.drop_counters(), kernel.drop_counters);
}
