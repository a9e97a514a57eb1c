//! `nslab graph`: the topology pictures — the README's own (E11 and E13) are what nslab
//! draws today, the SVG is well-formed and shows every namespace, interface and veth pair,
//! dot and Mermaid say the same, `--at LINE` draws the lab as it stood, and bad input is
//! refused with what to do.

use std::process::{Command, Output};

fn nslab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_nslab")).args(args).output().expect("nslab runs")
}

fn stdout(o: &Output) -> String {
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout.clone()).expect("UTF-8")
}

/// The README shows these files: they must be what `nslab graph` draws now.
#[test]
fn the_readme_pictures_are_current() {
    let root = env!("CARGO_MANIFEST_DIR");
    for (scenario, file) in [("e11-home-lan", "docs/e11-home-lan.svg"), ("e13-nat-types", "docs/e13-nat-types.svg")] {
        let drawn = stdout(&nslab(&["graph", scenario]));
        let kept = std::fs::read_to_string(format!("{root}/{file}")).expect("the README's picture");
        assert!(drawn == kept, "{file} is stale: `cargo run -- graph {scenario} -o {file}` redraws it");
        assert!(std::fs::read_to_string(format!("{root}/README.md")).unwrap().contains(file), "README shows {file}");
    }
}

/// E13's picture: five namespaces, each a group with its name; the NAT boxes' roles; four
/// veth pairs as paths; every address.
#[test]
fn the_svg_shows_every_namespace_interface_and_pair() {
    let svg = stdout(&nslab(&["graph", "e13-nat-types", "--format", "svg"]));
    let doc = roxmltree::Document::parse(&svg).expect("well-formed SVG");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    let groups: Vec<&str> = root.children().filter(|n| n.has_tag_name("g")).filter_map(|g| g.attribute("id")).collect();
    assert_eq!(groups, ["ns-ns-inet", "ns-ns-c0", "ns-ns-c0-nat", "ns-ns-c1", "ns-ns-c1-nat"], "in the order made");
    assert_eq!(root.children().filter(|n| n.has_tag_name("path")).count(), 4, "four veth pairs");
    let texts: Vec<&str> = root.descendants().filter(|n| n.has_tag_name("text")).filter_map(|n| n.text()).collect();
    for want in [
        "ve-c0 10.0.1.1/24",
        "ve-c0-nat-inet 100.64.1.100/24",
        "ve-c1-inet 100.64.2.254/24",
        "NAT (DNAT, SNAT)",
        "filter: 2 rules, INPUT DROP, FORWARD DROP",
    ] {
        assert!(texts.contains(&want), "{want:?} not in {texts:?}");
    }
}

/// The same lab in dot and Mermaid: a cluster (subgraph) per namespace, an edge per pair.
#[test]
fn dot_and_mermaid_say_the_same() {
    let dot = stdout(&nslab(&["graph", "e03-router", "--format", "dot"]));
    assert!(dot.starts_with("graph lab {\n"), "{dot}");
    assert_eq!(dot.matches("subgraph cluster_").count(), 3, "{dot}");
    assert_eq!(dot.lines().filter(|l| l.starts_with("  n") && l.contains(" -- ")).count(), 2, "{dot}");
    assert!(dot.contains("label=\"router\\nforwarding\""), "{dot}");
    let mermaid = stdout(&nslab(&["graph", "e03-router", "--format", "mermaid"]));
    assert!(mermaid.starts_with("flowchart LR\n"), "{mermaid}");
    assert_eq!(mermaid.matches("  subgraph ns").count(), 3, "{mermaid}");
    assert_eq!(mermaid.lines().filter(|l| l.contains(" --- ")).count(), 2, "{mermaid}");
}

/// E6 deletes its namespaces at the end: at the end there is nothing to draw (and nslab
/// says to use `--at`); after line 58 the bridge has its three ports, one captured.
#[test]
fn at_draws_the_lab_as_it_stood() {
    let end = nslab(&["graph", "e06-bridge"]);
    assert_eq!(end.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&end.stderr).contains("give --at LINE"), "{:?}", end);
    let mid = stdout(&nslab(&["graph", "e06-bridge", "--at", "58", "--format", "mermaid"]));
    assert!(mid.contains("  subgraph ns0[\"root\"]\n    n0_0[\"br0\"]\n"), "{mid}");
    assert_eq!(mid.lines().filter(|l| l.contains(" -.- n0_0")).count(), 3, "three ports: {mid}");
    assert!(mid.contains("ns3-veth0<br/>192.0.2.3/24<br/>◉ tcpdump"), "{mid}");
    let before = stdout(&nslab(&["graph", "e06-bridge", "--at", "33", "--format", "mermaid"]));
    assert!(!before.contains("[\"br0\"]"), "no bridge before line 34: {before}");
    let past = nslab(&["graph", "e06-bridge", "--at", "999"]);
    assert_eq!(past.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&past.stderr).contains("has commands on lines 6 to 119"));
}

/// E8's ladder: lan → router → wan and back, each frame once though both sides of the
/// router capture it, the NAT's rewrite named on the frame that leaves the router.
#[test]
fn the_flow_shows_each_hop_once_and_the_nat_rewrite() {
    let m = stdout(&nslab(&["flow", "e08-masquerade", "--format", "mermaid", "--max", "4"]));
    let want = "sequenceDiagram
  participant p0 as lan
  participant p1 as router
  participant p2 as wan
  p0->>p1: [0.028] IP 192.0.2.1 > 203.0.113.1: ICMP echo request, id 19346, seq 1, length 64
  p1->>p2: [0.028] IP 203.0.113.254 > 203.0.113.1: ICMP echo request, id 19346, seq 1, length 64
  Note over p1: NAT: src 192.0.2.1 → 203.0.113.254
  p2->>p1: [0.028] IP 203.0.113.1 > 203.0.113.254: ICMP echo reply, id 19346, seq 1, length 64
  p1->>p0: [0.028] IP 203.0.113.1 > 192.0.2.1: ICMP echo reply, id 19346, seq 1, length 64
  Note over p1: NAT: dst 203.0.113.254 → 192.0.2.1
  Note over p0: 28 more not drawn (--max)
";
    assert_eq!(m, want);
}

/// E3's ladder marks where packets died and why, on the router's line.
#[test]
fn the_flow_marks_drops() {
    let m = stdout(&nslab(&["flow", "e03-router", "--format", "mermaid"]));
    assert!(m.starts_with("sequenceDiagram\n  participant p0 as ns1\n  participant p1 as router\n"), "{m}");
    assert!(
        m.contains(
            "  Note over p1: [16.028] ✕ dropped 192.0.2.1 > 198.51.100.1: ICMP echo request: forwarding is disabled \
             (net.ipv4.ip_forward=0)\n"
        ),
        "{m}"
    );
    assert_eq!(m.matches("✕ dropped").count(), 10, "{m}");
}

/// The SVG is well-formed with an arrow per frame; the HTML page holds it and fetches
/// nothing; a scenario without captures is refused with what to add.
#[test]
fn the_flow_as_svg_and_html() {
    let svg = stdout(&nslab(&["flow", "e08-masquerade", "--max", "12"]));
    let doc = roxmltree::Document::parse(&svg).expect("well-formed SVG");
    let arrows = doc.descendants().filter(|n| n.has_tag_name("line") && n.attribute("marker-end").is_some()).count();
    assert_eq!(arrows, 12);
    let html = stdout(&nslab(&["flow", "e08-masquerade", "--format", "html"]));
    assert!(html.starts_with("<!DOCTYPE html>\n"), "{html}");
    assert!(html.contains("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(!html.contains("<script") && !html.contains("<link") && !html.contains("src="), "self-contained");
    let none = nslab(&["flow", "e04-two-routers"]);
    assert_eq!(none.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&none.stderr).contains("nothing was captured: start a capture"));
}

/// Three ARP requests alike, seen at one end only: three arrows (a retry is not the other
/// end's copy of the first).
#[test]
fn the_flow_keeps_a_retry() {
    let script = "ip netns add a\nip netns add b\nip link add va type veth peer name vb\n\
        ip link set va netns a\nip link set vb netns b\nip -n a link set va up\nip -n b link set vb up\n\
        ip -n a addr add 10.0.0.1/24 dev va\nip -n b addr add 10.0.0.2/24 dev vb\n\
        ip netns exec a tcpdump -tnel -i va arp &\nip netns exec a ping -c 1 -W 5 10.0.0.9\n";
    let mut child = Command::new(env!("CARGO_BIN_EXE_nslab"))
        .args(["flow", "-", "--format", "mermaid"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("nslab runs");
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), script.as_bytes()).unwrap();
    let m = stdout(&child.wait_with_output().unwrap());
    assert_eq!(m.matches("p0->>p1: ").count(), 3, "{m}");
    assert_eq!(m.matches("ARP, Request who-has 10.0.0.9 tell 10.0.0.1, length 28").count(), 3, "{m}");
}

/// Each arrow of E8's ladder is what that capture's tcpdump printed in the transcript —
/// TCP's relative numbers too, though a frame the other end captured is drawn once.
#[test]
fn the_flow_says_what_tcpdump_says() {
    let transcript = stdout(&nslab(&["run", "e08-masquerade"]));
    let m = stdout(&nslab(&["flow", "e08-masquerade", "--format", "mermaid"]));
    let arrows: Vec<&str> = m.lines().filter(|l| l.contains("->>")).collect();
    assert!(arrows.len() > 20, "{m}");
    for a in arrows {
        let text = a.split("] ").nth(1).expect("a time, then tcpdump's line");
        let without_ip = text.strip_prefix("IP ").unwrap_or(text);
        assert!(transcript.lines().any(|l| l.ends_with(without_ip)), "{text:?} is not in the transcript");
    }
}
