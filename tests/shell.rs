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

    /// Types a line and waits for the next prompt; what came before it.
    fn line(&mut self, line: &str) -> String {
        self.send(&format!("{line}\r"));
        self.wait_for("nslab# ")
    }
}

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
    t.wait_for("nslab# ");
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
    let status = t.child.wait().expect("nslab ends");
    assert_eq!(status.code(), Some(0));
    let text = std::fs::read_to_string(&saved).unwrap();
    assert!(text.starts_with("ip netns add router1\n"), "{text}");
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
    let start = t.wait_for("nslab# ");
    assert!(start.contains("ip link add ns1-veth0 type veth peer name ns2-veth0"), "{start}");
    let neigh = t.line("ip netns exec ns1 ping -c 1 192.0.2.2");
    assert!(neigh.contains("1 packets transmitted, 1 received"), "{neigh}");
    t.send("exit\r");
    assert_eq!(t.child.wait().unwrap().code(), Some(0));
}
