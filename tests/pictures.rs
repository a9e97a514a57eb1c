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
    let dot = stdout(&nslab(&["graph", "e03", "--format", "dot"]));
    assert!(dot.starts_with("graph lab {\n"), "{dot}");
    assert_eq!(dot.matches("subgraph cluster_").count(), 3, "{dot}");
    assert_eq!(dot.lines().filter(|l| l.starts_with("  n") && l.contains(" -- ")).count(), 2, "{dot}");
    assert!(dot.contains("label=\"router\\nforwarding\""), "{dot}");
    let mermaid = stdout(&nslab(&["graph", "e03", "--format", "mermaid"]));
    assert!(mermaid.starts_with("flowchart LR\n"), "{mermaid}");
    assert_eq!(mermaid.matches("  subgraph ns").count(), 3, "{mermaid}");
    assert_eq!(mermaid.lines().filter(|l| l.contains(" --- ")).count(), 2, "{mermaid}");
}

/// E6 deletes its namespaces at the end: at the end there is nothing to draw (and nslab
/// says to use `--at`); after line 49 the bridge has its three ports, one captured.
#[test]
fn at_draws_the_lab_as_it_stood() {
    let end = nslab(&["graph", "e06-bridge"]);
    assert_eq!(end.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&end.stderr).contains("give --at LINE"), "{:?}", end);
    let mid = stdout(&nslab(&["graph", "e06-bridge", "--at", "49", "--format", "mermaid"]));
    assert!(mid.contains("  subgraph ns0[\"root\"]\n    n0_0[\"br0\"]\n"), "{mid}");
    assert_eq!(mid.lines().filter(|l| l.contains(" -.- n0_0")).count(), 3, "three ports: {mid}");
    assert!(mid.contains("ns3-veth0<br/>192.0.2.3/24<br/>◉ tcpdump"), "{mid}");
    let before = stdout(&nslab(&["graph", "e06-bridge", "--at", "24", "--format", "mermaid"]));
    assert!(!before.contains("[\"br0\"]"), "no bridge before line 25: {before}");
    let past = nslab(&["graph", "e06-bridge", "--at", "999"]);
    assert_eq!(past.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&past.stderr).contains("has commands on lines 6 to 110"));
}
