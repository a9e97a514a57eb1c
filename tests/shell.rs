//! `nslab shell` through a pseudo-terminal, as a person types at it: lines run one at a
//! time and print their output, a background capture goes on while later lines run, Tab
//! completes a namespace's name, a refused line is said why and forgotten, `:explain`,
//! `:graph` and `:save` work, `:quit` leaves with status 0.

use nix::pty::{Winsize, openpty};
use std::io::{Read, Write};
use std::os::fd::{AsFd, OwnedFd};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Term {
    master: std::fs::File,
    child: Child,
    seen: String,
}

impl Term {
    fn start(args: &[&str]) -> Term {
        let size = Winsize { ws_row: 50, ws_col: 200, ws_xpixel: 0, ws_ypixel: 0 };
        let pty = openpty(Some(&size), None).expect("a pseudo-terminal");
        let slave: OwnedFd = pty.slave;
        let child = Command::new(env!("CARGO_BIN_EXE_nslab"))
            .args(args)
            .env("TERM", "xterm")
            .env("NO_COLOR", "1")
            .stdin(Stdio::from(slave.try_clone().unwrap()))
            .stdout(Stdio::from(slave.try_clone().unwrap()))
            .stderr(Stdio::from(slave))
            .spawn()
            .expect("nslab runs");
        // Reads must not block past the deadline: `wait_for` polls before each.
        let master = std::fs::File::from(pty.master);
        Term { master, child, seen: String::new() }
    }

    /// Reads until `want` has appeared (after what earlier waits consumed); what came.
    fn wait_for(&mut self, want: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(at) = self.seen.find(want) {
                let got: String = self.seen[..at + want.len()].to_string();
                self.seen.drain(..at + want.len());
                return got;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(!left.is_zero(), "{want:?} never came; the terminal shows:\n{}", self.seen);
            let mut fds = [nix::poll::PollFd::new(self.master.as_fd(), nix::poll::PollFlags::POLLIN)];
            let ms = left.as_millis().min(1000) as u16;
            if nix::poll::poll(&mut fds, ms).unwrap_or(0) > 0 {
                let mut buf = [0u8; 4096];
                match self.master.read(&mut buf) {
                    Ok(0) | Err(_) => {}
                    Ok(n) => self.seen.push_str(&String::from_utf8_lossy(&buf[..n])),
                }
            }
        }
    }

    fn send(&mut self, keys: &str) {
        self.master.write_all(keys.as_bytes()).unwrap();
    }

    /// Types a line and waits for the next top-level prompt; what came before it.
    fn line(&mut self, line: &str) -> String {
        self.send(&format!("{line}\r"));
        self.wait_for(PROMPT)
    }

    /// Waits for the program to end, at most 30 s; its status.
    fn exit_status(&mut self) -> Option<i32> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(st) = self.child.try_wait().expect("wait") {
                return st.code();
            }
            assert!(Instant::now() < deadline, "nslab shell did not end; the terminal shows:\n{}", self.seen);
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// The end of the top-level prompt (`[12.345] nslab# `).
const PROMPT: &str = "] nslab# ";

impl Drop for Term {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn a_lab_typed_line_by_line() {
    let dir = std::env::temp_dir().join(format!("nslab-shell-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let saved = dir.join("typed.sh");
    let mut t = Term::start(&["shell"]);
    t.wait_for(PROMPT);
    for l in [
        "ip netns add router1",
        "ip netns add b",
        "ip link add va type veth peer name vb",
        "ip link set va netns router1",
        "ip link set vb netns b",
        "ip -n router1 link set va up",
        "ip -n b link set vb up",
        "ip -n router1 addr add 10.0.0.1/24 dev va",
        "ip -n b addr add 10.0.0.2/24 dev vb",
        "ip netns exec b tcpdump -tnl -i vb icmp &",
    ] {
        t.line(l);
    }
    // The capture started on an earlier line prints as this line's ping goes out.
    let ping = t.line("ip netns exec router1 ping -c 2 10.0.0.2");
    assert!(ping.contains("2 packets transmitted, 2 received, 0% packet loss"), "{ping}");
    assert!(ping.contains("tcpdump[b/vb] IP 10.0.0.1 > 10.0.0.2: ICMP echo request"), "{ping}");
    // Tab completes the namespace: `rou` alone names none.
    t.send("ip -n rou\t");
    t.wait_for("router1 ");
    let addr = t.line("addr show va");
    assert!(addr.contains("inet 10.0.0.1/24 scope global va"), "{addr}");
    // A refused line says why and is forgotten: what follows runs.
    let refused = t.line("ip link set nosuch up");
    assert!(refused.contains("Cannot find device \"nosuch\""), "{refused}");
    let unreachable = t.line("ip netns exec router1 ping -c 1 -W 1 192.0.2.9");
    assert!(unreachable.contains("connect: Network is unreachable"), "{unreachable}");
    let slept = t.line("sleep 2");
    assert!(slept.contains("[3.0") || slept.contains("[4.0"), "virtual time moved on: {slept}");
    let mermaid = t.line(":graph");
    assert!(mermaid.contains("flowchart LR") && mermaid.contains("va<br/>10.0.0.1/24"), "{mermaid}");
    let explained = t.line(":explain");
    assert!(explained.contains("explain: no packet was dropped"), "{explained}");
    let said = t.line(&format!(":save {}", saved.display()));
    assert!(said.contains("wrote"), "{said}");
    t.send(":quit\r");
    assert_eq!(t.exit_status(), Some(0));
    let text = std::fs::read_to_string(&saved).unwrap();
    assert!(text.starts_with("#! seed: 1\nip netns add router1\n"), "the session's seed first: {text}");
    assert!(!text.contains("nosuch"), "the refused line is not kept: {text}");
    assert!(text.contains("ip -n router1 addr show va\n"), "the completed line is kept: {text}");
    // What was typed replays as a scenario.
    let replay = Command::new(env!("CARGO_BIN_EXE_nslab")).args(["run", saved.to_str().unwrap()]).output().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(replay.status.code(), Some(0), "{}", String::from_utf8_lossy(&replay.stderr));
}

/// A file's lines run first, echoed as a transcript; `exit` at the top level leaves.
#[test]
fn a_session_from_a_file() {
    let mut t = Term::start(&["shell", "e02-veth-pair"]);
    let start = t.wait_for(PROMPT);
    assert!(start.contains("ip link add ns1-veth0 type veth peer name ns2-veth0"), "{start}");
    let neigh = t.line("ip netns exec ns1 ping -c 1 192.0.2.2");
    assert!(neigh.contains("1 packets transmitted, 1 received"), "{neigh}");
    t.send("exit\r");
    assert_eq!(t.exit_status(), Some(0));
}

/// What a learner pastes: a line with its prompt is the command; a shell opened in a
/// namespace shows in the prompt until `exit`, which then leaves it, not nslab; a
/// here-document waits for its end; a `#! seed` would replay the session differently and is
/// refused.
#[test]
fn pasted_prompts_subshells_and_here_documents() {
    let mut t = Term::start(&["shell"]);
    t.wait_for(PROMPT);
    t.line("ip netns add a");
    t.line("ip netns add b");
    let pasted = t.line("$ ip netns list");
    assert!(pasted.contains("b\r\n") && pasted.contains("a\r\n"), "the pasted line ran: {pasted}");
    let listed = t.line("ip netns list");
    assert!(listed.contains("b\r\n"), "and the lines before it still stand: {listed}");
    t.send("ip netns exec a bash\r");
    t.wait_for("] a# ");
    t.send("ip link set lo up\r");
    t.wait_for("] a# ");
    t.send("ip link show lo\r");
    let inside = t.wait_for("] a# ");
    assert!(inside.contains("1: lo: <LOOPBACK,UP,LOWER_UP>"), "ran in a: {inside}");
    t.send("exit\r");
    t.wait_for(PROMPT);
    t.send("ip netns exec a iptables-restore <<EOF\r");
    t.wait_for("> ");
    for l in ["*filter", ":INPUT DROP [0:0]", "COMMIT"] {
        t.send(&format!("{l}\r"));
        t.wait_for("> ");
    }
    t.send("EOF\r");
    t.wait_for(PROMPT);
    let rules = t.line("ip netns exec a iptables -S INPUT");
    assert!(rules.contains("-P INPUT DROP"), "{rules}");
    let seed = t.line("#! seed: 7");
    assert!(seed.contains("the session's seed is fixed"), "{seed}");
    t.send(":quit\r");
    assert_eq!(t.exit_status(), Some(0));
}

/// A pasted session with a program in another terminal has no script form yet: refused,
/// with what to do, before anything runs.
#[test]
fn a_session_with_other_terminals_is_refused() {
    let file = format!("{}/scenarios/pasted/003-masquerade.sh", env!("CARGO_MANIFEST_DIR"));
    let out = Command::new(env!("CARGO_BIN_EXE_nslab")).args(["shell", &file]).stdin(Stdio::null()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("another terminal") && err.contains("`nslab run` it"), "{err}");
}
