use super::*;
use crate::command::{Cidr, LinkKind};

fn ok(src: &str) -> Scenario {
    parse("t.sh", src).unwrap_or_else(|e| panic!("{e}"))
}

fn fails(src: &str) -> ScenarioError {
    parse("t.sh", src).expect_err("should fail")
}

#[test]
fn document_lines_verbatim() {
    let sc = ok(
        "# NSを作成\n$ ip netns add ns1\n$ ip link add ns1-veth0 type veth peer name ns2-veth0\n$ ip link set ns1-veth0 netns ns1\n$ ip netns exec ns1 ip addr add 192.0.2.1/24 dev ns1-veth0\n$ ip netns exec ns1 ip link set ns1-veth0 up\n",
    );
    assert_eq!(sc.steps.len(), 5);
    assert_eq!(
        sc.steps[1].run,
        Command::LinkAdd {
            name: "ns1-veth0".into(),
            kind: LinkKind::Veth { peer: "ns2-veth0".into(), peer_netns: None }
        }
    );
    assert_eq!(sc.steps[3].ns.as_deref(), Some("ns1"));
    assert_eq!(sc.steps[3].text, "ip addr add 192.0.2.1/24 dev ns1-veth0");
    assert_eq!(
        sc.steps[3].run,
        Command::AddrAdd {
            addr: Cidr { addr: "192.0.2.1".parse().unwrap(), prefix: 24 },
            dev: "ns1-veth0".into(),
            brd: None
        }
    );
}

#[test]
fn transcript_output_blocks_keep_inner_blank_lines() {
    let sc = ok(
        "$ ip netns exec ns1 ping -c 1 192.0.2.2\nPING 192.0.2.2 (192.0.2.2) 56(84) bytes of data.\n64 bytes from 192.0.2.2: icmp_seq=1 ttl=64 time={} ms\n\n--- 192.0.2.2 ping statistics ---\n\n$ ip netns list\n",
    );
    assert_eq!(sc.steps.len(), 2);
    let Expect::Output(lines) = &sc.steps[0].expect[0] else { panic!() };
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[2], "");
}

#[test]
fn script_style_with_directives() {
    let sc = ok(
        "#!/bin/sh\n#! seed: 7\n#! description: two namespaces\nip netns add a\nip -n a link show lo\n#> 1: lo: {}\n#> ...\n#! exit: 0\nip netns exec a ping -c 1 -W 1 10.0.0.1\n#! contains: ping: connect: Network is unreachable\n#! exit: 2\n",
    );
    assert_eq!(sc.seed, Some(7));
    assert_eq!(sc.description, "two namespaces");
    assert_eq!(sc.steps[1].expect.len(), 2);
    assert!(matches!(&sc.steps[1].expect[1], Expect::Output(l) if l.len() == 2));
    assert_eq!(
        sc.steps[2].expect,
        vec![Expect::Contains(vec!["ping: connect: Network is unreachable".into()]), Expect::Exit(2)]
    );
}

#[test]
fn abbreviations_like_iproute2() {
    let sc = ok(
        "ip a\nip r\nip n\nip l s dev x up\nip addr sh\nip -n ns1 r add default via 10.0.0.1\nip netns exec ns1 ip n flush all\n",
    );
    assert!(matches!(sc.steps[0].run, Command::AddrShow { dev: None }));
    assert!(matches!(sc.steps[1].run, Command::RouteShow { dev: None }));
    assert!(matches!(sc.steps[2].run, Command::NeighShow { dev: None }));
    assert!(matches!(&sc.steps[3].run, Command::LinkSet(s) if s.up == Some(true) && s.dev == "x"));
    assert_eq!(sc.steps[5].ns.as_deref(), Some("ns1"));
    assert!(matches!(sc.steps[6].run, Command::NeighFlush { dev: None }));
}

#[test]
fn ping_options_anywhere_and_clustered() {
    let sc = ok("ip netns exec ns1 ping -c 3 198.51.100.1 -I 192.0.2.1\nping -c3 -i0.2 -W 1 -qn 10.0.0.1\n");
    let Command::Ping(p) = &sc.steps[0].run else { panic!() };
    assert_eq!((p.count, p.bind.as_deref()), (Some(3), Some("192.0.2.1")));
    let Command::Ping(p) = &sc.steps[1].run else { panic!() };
    assert!(p.quiet && p.count == Some(3) && p.interval.is_some() && p.wait.is_some());
}

#[test]
fn tcpdump_filters_and_background() {
    let sc = ok("ip netns exec ns1 tcpdump -tnel -i ns1-veth0 icmp or arp &\n");
    assert!(sc.steps[0].background);
    let Command::Tcpdump(t) = &sc.steps[0].run else { panic!() };
    assert_eq!(
        (t.iface.as_str(), t.filter.as_str(), t.link_header, t.no_timestamp),
        ("ns1-veth0", "icmp or arp", true, true)
    );
    let e = fails("tcpdump -tnel -i x icmp or &\n");
    assert!(e.message.contains("syntax error"), "{e}");
    let e = fails("tcpdump -tnel -i x icmpp &\n");
    assert_eq!(e.span.col, 20, "{e}");
}

#[test]
fn errors_name_line_column_and_word() {
    let e = fails("ip netns add a\nip netns exec a pingg -c 1 1.1.1.1\n");
    assert_eq!((e.span.line, e.span.col, e.span.len), (2, 17, 5));
    assert!(e.message.contains("unknown command `pingg`"));
    let e = fails("ip link sett x up\n");
    assert_eq!(e.message, "Command \"sett\" is unknown, try \"ip link help\".");
    assert_eq!(e.span.col, 9);
    let e = fails("ip -z link\n");
    assert_eq!(e.message, "Option \"-z\" is unknown, try \"ip -help\".");
    let e = fails("ping -c 3 -y 10.0.0.1\n");
    assert_eq!(e.message, "ping: invalid option -- 'y'");
    let e = fails("ip addr add 192.0.2.1/24\n");
    assert!(e.message.contains("\"dev\" argument is required"));
    let e = fails("ip addr add 192.0.2.1/33 dev x\n");
    assert!(e.message.contains("valid prefix"));
    let e = fails("ip link set x up | cat\n");
    assert!(e.message.contains("not supported yet: pipes other than `| grep`"), "{e}");
    let e = fails("tcpdump -tnel -i x\n");
    assert!(e.hint.unwrap().contains("background"));
    let e = fails("curl -I https://192.0.2.1/\n");
    assert!(e.message.contains("not supported yet: https:// URLs"), "{e}");
    let e = fails("python3 -c 'print(1)'\n");
    assert!(e.message.contains("not supported yet: python3 other than `python3 -m http.server`"), "{e}");
    let e = fails("nc -l 1234\n");
    assert!(e.message.contains("nc -l waits for a connection"), "{e}");
    let e = fails("echo hi | ping -c 1 192.0.2.1\n");
    assert!(e.message.contains("not supported yet: input piped into ping"), "{e}");
    let e = fails("iptables -t mangle -A FORWARD -j DROP\n");
    assert!(e.message.contains("not supported yet: the mangle table"), "{e}");
    let e = fails("#! sed: 3\nip a\n");
    assert!(e.message.contains("unknown directive"));
    let e = fails("echo 'abc\n");
    assert!(e.message.contains("unterminated"));
}

#[test]
fn the_errors_render_with_file_line_and_caret() {
    let e = fails("ip netns add a\nip link set dev\n");
    let text = e.to_string();
    assert!(text.starts_with("error: t.sh:2:16: `dev` needs a value"), "{text}");
}
