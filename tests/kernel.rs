//! Kernel parity: every scenario in `scenarios/` runs on the real kernel and is diffed with
//! the sim (`nslab diff`), all at once; afterwards the machine's own namespace is what it
//! was, and no namespace of ours is left. A run the kernel refuses half-way, and a run
//! stopped with Ctrl-C, leave nothing behind either.
//!
//! These need root and the Debian tools; without them each test prints why it skipped.

mod common;

use nslab::kernel_backend;
use nslab::scenarios::{self, diff, runner};
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
        println!("skipped {name} on the kernel: {why}");
        return Ok(None);
    }
    if let Err(e) = kernel_backend::preflight(&sc) {
        println!("skipped {name} on the kernel: {e}");
        return Ok(None);
    }
    let sim = runner::run(&name, &text, &sc, &runner::RunOptions::default()).map_err(|e| e.to_string())?;
    let kernel = kernel_backend::run(&name, &text, &sc).map_err(|e| e.to_string())?;
    println!("{name}: kernel run took {:.1} s", kernel.elapsed.as_secs_f64());
    Ok(Some(diff::compare(
        &name,
        &sc,
        diff::Side { name: "sim", rendered: &sim.rendered },
        diff::Side { name: "kernel", rendered: &kernel.rendered },
    )))
}

#[test]
fn every_scenario_agrees_with_the_kernel_and_the_machine_is_untouched() {
    if let Some(why) = skip_reason("ip netns add a\n") {
        println!("skipped: {why}");
        return;
    }
    let before = host_state();
    // The `.ron` twins are the same scenarios (tests/front_ends.rs): run the scripts.
    let files: Vec<_> =
        common::scenario_files().into_iter().filter(|p| p.extension().is_some_and(|e| e == "sh")).collect();
    let handles: Vec<_> = files.into_iter().map(|f| std::thread::spawn(move || (f.clone(), parity(&f)))).collect();
    let mut bad = Vec::new();
    for h in handles {
        let (f, r) = h.join().expect("a parity thread panicked");
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
    assert_eq!(host_state(), before, "the machine's own namespace changed");
}

#[test]
fn a_run_the_kernel_refuses_half_way_leaves_nothing_behind() {
    let text = "ip netns add a\nip netns add b\nip link add x type veth peer name y\nip link set y netns b\n\
        ip netns exec a ip link set nosuch up\n";
    if let Some(why) = skip_reason(text) {
        println!("skipped: {why}");
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

#[test]
fn ctrl_c_removes_the_runs_namespaces() {
    let text = "ip netns add a\nip netns exec a ping -c 100 127.0.0.1 &\nsleep 60\n";
    if let Some(why) = skip_reason(text) {
        println!("skipped: {why}");
        return;
    }
    let dir = std::env::temp_dir().join(format!("nslab-test-ctrlc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("long.sh");
    std::fs::write(&file, text).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_nslab"))
        .args(["run", "--kernel", "-q"])
        .arg(&file)
        .spawn()
        .expect("nslab runs");
    let prefix = format!("{}{}-", kernel_backend::names::PREFIX, child.id());
    let theirs =
        || kernel_backend::netns::existing().into_iter().filter(|n| n.starts_with(&prefix)).collect::<Vec<_>>();
    let mut waited = 0;
    while theirs().len() < 2 && waited < 200 {
        std::thread::sleep(std::time::Duration::from_millis(50));
        waited += 1;
    }
    assert_eq!(theirs().len(), 2, "the run made its root namespace and `a`");
    let pid = nix::unistd::Pid::from_raw(child.id() as i32);
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGINT).unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    assert_eq!(theirs(), Vec::<String>::new(), "Ctrl-C left namespaces behind");
    let _ = std::fs::remove_dir_all(dir);
}
