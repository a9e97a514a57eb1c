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
            netns: None,
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
    assert!(matches!(sc.steps[0].run, Command::AddrShow { dev: None, inet: false, stats: false, .. }));
    assert!(matches!(sc.steps[1].run, Command::RouteShow { dev: None, .. }));
    assert!(matches!(sc.steps[2].run, Command::NeighShow { dev: None, .. }));
    assert!(matches!(&sc.steps[3].run, Command::LinkSet(s) if s.up == Some(true) && s.dev == "x"));
    assert_eq!(sc.steps[5].ns.as_deref(), Some("ns1"));
    assert!(matches!(sc.steps[6].run, Command::NeighFlush { dev: None }));
}

/// traceroute's `-I` and `-w MAX,HERE,NEAR` (a factor of 0 turns its rule off).
#[test]
fn traceroute_icmp_and_wait_factors() {
    let sc = ok("traceroute -I -n -w 5,0,0 10.0.0.1\ntraceroute -w 2,1.5 10.0.0.1\ntraceroute -w 3 10.0.0.1\n");
    let t = |i: usize| match &sc.steps[i].run {
        Command::Traceroute(t) => t.clone(),
        c => panic!("{c:?}"),
    };
    assert!(t(0).icmp && t(0).factors.is_some());
    assert_eq!(sc.steps[0].run.to_string(), "traceroute -I -n -w 5,0,0 10.0.0.1");
    assert_eq!(sc.steps[1].run.to_string(), "traceroute -w 2,1.5,10 10.0.0.1");
    assert_eq!((sc.steps[2].run.to_string(), t(2).factors), ("traceroute -w 3 10.0.0.1".to_string(), None));
    let e = fails("traceroute -w 1,2,3,4 10.0.0.1\n");
    assert_eq!(e.message, "bad wait specifications `1,2,3,4' used");
}

/// `-j`, `-j -p`, `-o` and `-c[olor][=WHEN]` as iproute2 reads them: `-p` alone and
/// `-color=never|auto` (a transcript is not a terminal) change nothing.
#[test]
fn ip_output_options() {
    use sim_nodes::show::Format;
    let sc = ok("ip -j a
ip -j -p r
ip -p -o l
ip -c n
ip -color=auto -br l
ip -col=always -j a
");
    assert!(matches!(sc.steps[0].run, Command::AddrShow { fmt: Format::Json, color: false, .. }));
    assert!(matches!(sc.steps[1].run, Command::RouteShow { fmt: Format::JsonPretty, .. }));
    assert!(matches!(sc.steps[2].run, Command::LinkShow { fmt: Format::Oneline, .. }));
    assert!(matches!(sc.steps[3].run, Command::NeighShow { fmt: Format::Text, color: true, .. }));
    assert!(matches!(sc.steps[4].run, Command::Brief { color: false, .. }));
    assert!(matches!(sc.steps[5].run, Command::AddrShow { fmt: Format::Json, color: true, .. }));
    assert_eq!(sc.steps[1].run.to_string(), "ip -j -p route show");
    assert_eq!(sc.steps[5].run.to_string(), "ip -j -c addr show");
    let e = fails("ip -color=sometimes link\n");
    assert_eq!(e.message, "Option \"-color=sometimes\" is unknown, try \"ip -help\".");
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
    let e = fails("tcpdump -n -c 0 -i lo &\n");
    assert_eq!((e.message.as_str(), e.span.col), ("tcpdump: invalid packet count 0", 15));
    let e = fails("tcpdump -n -c abc -i lo &\n");
    assert_eq!(e.message, "tcpdump: invalid packet count abc");
    // Three `-v` or more print as three, as in tcpdump.
    let sc = ok("tcpdump -nvvv -i lo &\ntcpdump -n -vv -i lo -vv &\n");
    for st in &sc.steps {
        assert!(matches!(&st.run, Command::Tcpdump(t) if t.verbose == 3), "{:?}", st.run);
    }
    assert_eq!(sc.steps[1].run.to_string(), "tcpdump -nlvvv -i lo");
    let sc = ok("tcpdump -n -i any &\ntcpdump -n --interface=any icmp &\n");
    for st in &sc.steps {
        assert!(matches!(&st.run, Command::Tcpdump(t) if t.iface == "any"), "{:?}", st.run);
    }
    let sc = ok("tcpdump -nvv -i lo &\ntcpdump -n -v -i lo -v &\n");
    for st in &sc.steps {
        assert!(matches!(&st.run, Command::Tcpdump(t) if t.verbose == 2), "{:?}", st.run);
    }
    assert_eq!(sc.steps[0].run.to_string(), "tcpdump -nlvv -i lo");
    let sc = ok("tcpdump -tnelv -i lo &\ntcpdump -i lo -n icmp -v &\n");
    for st in &sc.steps {
        assert!(matches!(&st.run, Command::Tcpdump(t) if t.verbose == 1), "{:?}", st.run);
    }
    assert_eq!(sc.steps[1].run.to_string(), "tcpdump -nlv -i lo icmp");
    let e = fails("ping -c 1 -M probe 10.0.0.1\n");
    assert_eq!((e.message.as_str(), e.span.col), ("ping: invalid -M argument: probe", 14));
    let e = fails("ip netns exec a ping -c 1 127.0.0.1 &\nip netns exec a ping -c 1 127.0.0.1 &\nkill %1 %2\n");
    assert_eq!((e.message.as_str(), e.span.line, e.span.col), ("not supported yet: kill with several jobs", 3, 9));
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

#[test]
fn a_root_terminal_pasted_with_bare_hash_prompts() {
    // 002's slides: `# ` is root's prompt, and the lines after a command are its output.
    let sc =
        ok("# ip netns show\n# ip netns add test_ns\n# ip netns show\ntest_ns\n# 先ほど作成したtest_nsは消しておく\n");
    assert_eq!(sc.steps.len(), 3);
    assert_eq!(sc.steps[1].run, Command::NetnsAdd { name: "test_ns".into() });
    assert_eq!(sc.steps[2].expect, vec![Expect::Output(vec!["test_ns".into()])]);
    assert_eq!(sc.steps[1].span, Span::new(2, 3, 20));
    // In a script, the same `# ip …` line is a comment.
    let sc = ok("# ip netns add is how one is made\nip netns add a\n");
    assert_eq!(sc.steps.len(), 1);
}

#[test]
fn user_at_host_prompts_and_a_shell_inside_a_namespace() {
    let sc = ok(
        "ubuntu@ip-xxx:~$ sudo ip netns add ns1\nubuntu@ip-xxx:~$ sudo ip netns exec ns1 bash\nroot@ip-xxx:/home/ubuntu# ip link set lo up\nroot@ip-xxx:/home/ubuntu# ping 127.0.0.1 -c 2\nPING 127.0.0.1 (127.0.0.1) 56(84) bytes of data.\nroot@ip-xxx:/home/ubuntu# exit\nubuntu@ip-xxx:~$ ip netns list\n",
    );
    assert_eq!(sc.steps.len(), 4);
    assert_eq!(sc.steps[1].ns.as_deref(), Some("ns1"));
    assert_eq!(sc.steps[2].ns.as_deref(), Some("ns1"));
    assert_eq!(sc.steps[2].text, "ping 127.0.0.1 -c 2");
    assert_eq!(sc.steps[2].expect.len(), 1);
    assert_eq!(sc.steps[3].ns, None);
    let e = fails("$ exit\n");
    assert!(e.message.contains("no shell to leave"), "{e}");
}

#[test]
fn sysctl_load_takes_a_here_document_on_stdin() {
    let sc = ok(
        "ip netns add r\nip netns exec r sysctl -p - <<EOF\n# on\nnet.ipv4.ip_forward = 1\nEOF\nip netns exec r sysctl -q -p /dev/stdin <<X\nnet.ipv4.ip_forward=0\nX\nip netns exec r sysctl --load=- <<EOF\nnet.ipv4.ip_forward=1\nEOF\n",
    );
    let load =
        |quiet, input: &[&str]| Command::SysctlLoad { quiet, input: input.iter().map(|l| l.to_string()).collect() };
    assert_eq!(sc.steps[1].run, load(false, &["# on", "net.ipv4.ip_forward = 1"]));
    assert_eq!(sc.steps[1].ns.as_deref(), Some("r"));
    assert_eq!(sc.steps[2].run, load(true, &["net.ipv4.ip_forward=0"]));
    assert_eq!(sc.steps[3].run, load(false, &["net.ipv4.ip_forward=1"]));
    assert_eq!(sc.steps[1].run.to_string(), "sysctl -p - <<EOF\n# on\nnet.ipv4.ip_forward = 1\nEOF");
    // Files nslab does not have, and settings it must not pass on to the kernel.
    for (text, col, msg) in [
        ("sysctl -p\n", 10, "not supported yet: sysctl -p without a file reads /etc/sysctl.conf"),
        ("sysctl -p /etc/sysctl.conf\n", 27, "not supported yet: sysctl -p /etc/sysctl.conf; nslab has no files"),
        ("sysctl -p/etc/x.conf\n", 21, "not supported yet: sysctl -p /etc/x.conf"),
        ("sysctl -p -\n", 1, "sysctl -p - reads its settings from stdin"),
        (
            "sysctl -p - <<EOF\n\n-kernel.hostname = x\nEOF\n",
            1,
            "sysctl kernel.hostname is not kept per network namespace",
        ),
        ("sysctl -p - <<EOF\nnet.core.rmem_max=1\nEOF\n", 1, "net.core.rmem_max is not kept per network namespace"),
        ("sysctl -n -p - <<EOF\nnet.ipv4.ip_forward=1\nEOF\n", 15, "not supported yet: sysctl -n -p"),
    ] {
        let e = fails(text);
        assert!(e.message.contains(msg), "{text:?}: {e}");
        assert_eq!((e.span.line, e.span.col), (1, col), "{text:?}: {e}");
    }
}

#[test]
fn sysctl_lines_are_read_as_procps_reads_them() {
    use crate::command::{SysctlLine, sysctl_lines, sysctl_text};
    let lines: Vec<String> = ["  # c", "; c", "", " a.b = 1 2 ", "-c.d=x=y", "e.f=", "-g.h", "nothing"]
        .iter()
        .map(|l| l.to_string())
        .collect();
    let set = |k: &str, v: &str, i| SysctlLine::Setting { key: k.into(), value: v.into(), ignore_failure: i };
    let got = sysctl_lines(&lines).unwrap();
    assert_eq!(
        got,
        [
            SysctlLine::Skip,
            SysctlLine::Skip,
            SysctlLine::Skip,
            set("a.b", "1 2", false),
            set("c.d", "x=y", true),
            set("e.f", "", false),
            SysctlLine::Skip,
            SysctlLine::Invalid
        ]
    );
    // The kernel's copy: only checked settings, the numbering kept.
    assert_eq!(sysctl_text(&lines).unwrap(), "#\n#\n#\na.b = 1 2\n-c.d = x=y\ne.f = \n#\nnothing\n");
    // A newline inside one of the RON form's strings would be two lines to the real sysctl.
    let hidden = ["# x\nvm.swappiness = 10".to_string()];
    assert_eq!(sysctl_lines(&hidden).unwrap_err().0, 1);
}

#[test]
fn proc_sys_by_hand_is_sysctl() {
    use crate::command::SysctlOut;
    let sc = ok(
        "ip netns add r\nip netns exec r sh -c 'echo 1 > /proc/sys/net/ipv4/ip_forward'\nip netns exec r cat /proc/sys/net/ipv4/ip_forward\necho 1 | sudo tee /proc/sys/net/ipv4/conf/all/forwarding\nip netns exec r echo 0 > /proc/sys/net/ipv4/ip_forward\n",
    );
    let sysctl = |k: &str, v: Option<&str>, out| Command::Sysctl { key: k.into(), value: v.map(Into::into), out };
    assert_eq!(sc.steps[1].run, sysctl("net.ipv4.ip_forward", Some("1"), SysctlOut::Quiet));
    assert_eq!(sc.steps[1].ns.as_deref(), Some("r"));
    assert_eq!(sc.steps[1].text, "echo 1 > /proc/sys/net/ipv4/ip_forward");
    assert_eq!(sc.steps[2].run, sysctl("net.ipv4.ip_forward", None, SysctlOut::Values));
    assert_eq!(sc.steps[2].ns.as_deref(), Some("r"));
    assert_eq!(sc.steps[3].run, sysctl("net.ipv4.conf.all.forwarding", Some("1"), SysctlOut::Values));
    // The redirection is the outer shell's: it writes the machine's namespace, as on Linux.
    assert_eq!(sc.steps[4].ns, None);
    let e = fails("echo 1 > /etc/sysctl.conf\n");
    assert!(e.message.contains("not supported yet: files (/etc/sysctl.conf)"), "{e}");
    assert_eq!(e.span.col, 10);
}

#[test]
fn semicolons_and_double_ampersands_split_commands() {
    let sc = ok("ip netns add a; ip netns add b && ip -n a link set lo up\nip netns list & ip netns list\n");
    assert_eq!(sc.steps.len(), 5);
    assert_eq!(sc.steps[1].text, "ip netns add b");
    assert_eq!(sc.steps[2].ns.as_deref(), Some("a"));
    assert_eq!(sc.steps[2].text, "ip -n a link set lo up");
    assert!(sc.steps[3].background && !sc.steps[4].background);
    let e = fails("ip netns add a || true\n");
    assert!(e.message.contains("not supported yet: `||`"), "{e}");
    let e = fails("; ip netns add a\n");
    assert!(e.message.contains("syntax error near unexpected token `;'"), "{e}");
}

#[test]
fn another_terminal_and_ctrl_c() {
    // A transcript's foreground tcpdump ran in a second terminal.
    let sc = ok(
        "$ ip netns add a\n$ ip netns exec a tcpdump -i lo -n\nlistening on lo\n$ ip netns exec a ping 127.0.0.1\nPING 127.0.0.1 (127.0.0.1) 56(84) bytes of data.\n^C\n--- 127.0.0.1 ping statistics ---\n$ ip netns list\n",
    );
    assert_eq!(sc.steps.len(), 5, "{:?}", sc.steps.iter().map(|s| &s.text).collect::<Vec<_>>());
    assert!(sc.steps[1].background && sc.steps[1].other_terminal);
    assert_eq!(sc.steps[1].text, "tcpdump -i lo -n &  # in another terminal");
    assert!(sc.steps[2].background, "a ping stopped with ^C");
    assert_eq!(sc.steps[2].text, "ping 127.0.0.1 &  # until ^C");
    let Expect::Output(lines) = &sc.steps[2].expect[0] else { panic!() };
    // `^C` is the terminal's echo; the newline ping's statistics begin with ends it.
    assert_eq!(lines, &["PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data.", "", "--- 127.0.0.1 ping statistics ---"]);
    assert_eq!((&sc.steps[3].run, sc.steps[3].of_step), (&Command::Kill { job: 0 }, Some(2)));
    assert_eq!(sc.steps[3].text, "^C");
    // In a script a foreground tcpdump is still refused.
    assert!(fails("tcpdump -n -i lo\nip netns list\n").message.contains("runs until it is stopped"));
}

#[test]
fn unknown_commands_name_what_to_use() {
    let e = fails("ip netns add a\nip netns exec a ifconfig\n");
    assert!(e.hint.as_deref().unwrap().contains("`ip addr`"), "{e}");
    let e = fails("route -n\n");
    assert!(e.hint.as_deref().unwrap().contains("ip route"), "{e}");
    // Seed 000's line: the exact iproute2 command, the only edit needed.
    let e = fails("sudo route add -net 172.18.0.0 gw 172.19.0.2 netmask 255.255.0.0 eth0\n");
    assert_eq!(
        e.hint.as_deref(),
        Some(
            "net-tools are not modelled; in iproute2 this command: `ip route add 172.18.0.0/16 via 172.19.0.2 dev eth0`"
        ),
        "{e}"
    );
    // Docker's listings are refused naming what shows the same.
    let e = fails("sudo docker network create --driver bridge testnw2\ndocker network ls\n");
    assert!(e.hint.as_deref().unwrap().contains("`ip -br addr`"), "{e}");
    let e = fails("pign -c 1 10.0.0.1\n");
    assert!(e.hint.as_deref().unwrap().starts_with("did you mean `ping`?"), "{e}");
}

#[test]
fn a_terminal_shown_again_is_that_job_and_a_client_is_typed_into() {
    // 001 ch7: a server and a client each in a terminal of its own; the document shows
    // the server's terminal again after the client typed a line.
    let sc = ok("$ ip netns add a\n\
$ ip netns exec a nc -lnv 54321\n\
\n\
Start the client in terminal 2\n\
\n\
$ ip netns exec a nc 127.0.0.1 54321\n\
Hello World! # <- type anything and Enter\n\
\n\
The server shows\n\
\n\
$ ip netns exec a nc -lnv 54321\n\
Ncat: Listening on 0.0.0.0:54321\n\
Hello World!\n");
    let texts: Vec<&str> = sc.steps.iter().map(|s| s.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            "ip netns add a",
            "nc -lnv 54321 &  # in another terminal",
            "nc 127.0.0.1 54321 &  # in another terminal",
            "Hello World!"
        ]
    );
    assert_eq!(sc.steps[3].run, Command::Input { job: 0, line: "Hello World!".into() });
    assert_eq!(sc.steps[3].of_step, Some(2));
    assert_eq!(
        sc.steps[1].expect,
        vec![Expect::Output(vec!["Ncat: Listening on 0.0.0.0:54321".into(), "Hello World!".into()])],
        "the server's terminal shown again replaces what it showed before"
    );
    // Once stopped with ^C, the same line is a new command.
    let sc = ok("$ ip netns add a\n$ ip netns exec a tcpdump -n -i lo\n^C\n$ ip netns exec a tcpdump -n -i lo\n");
    assert_eq!(sc.steps.len(), 4);
    assert_eq!(sc.steps[2].of_step, Some(1));
}

#[test]
fn a_here_string_is_a_line_on_stdin() {
    let sc = ok("ip netns add a\nip netns exec a nc -u 127.0.0.1 9 <<< 'hello there'\n");
    let Command::Nc(n) = &sc.steps[1].run else { panic!() };
    assert_eq!(n.input.as_deref(), Some("hello there"));
    assert_eq!(sc.steps[1].text, "nc -u 127.0.0.1 9 <<< 'hello there'");
    let e = fails("ip netns add a\nip netns exec a ping -c 1 127.0.0.1 <<< x\n");
    assert!(e.message.contains("not supported yet: input piped into ping"), "{e}");
}

#[test]
fn review_edges_of_pasted_sessions() {
    // `sudo -i` inside a namespace opens a shell; bash's `exit` echo is no command's output.
    let sc = ok(
        "$ ip netns add a\n$ sudo ip netns exec a sudo -i\n# ip link set lo up\n$ ip link show lo\n$ exit\nlogout\n$ ip netns list\na\n",
    );
    let texts: Vec<(Option<&str>, &str)> = sc.steps.iter().map(|s| (s.ns.as_deref(), s.text.as_str())).collect();
    assert_eq!(texts[1], (Some("a"), "ip link show lo"), "{texts:?}");
    assert_eq!(texts[2], (None, "ip netns list"));
    assert_eq!(sc.steps[1].expect, vec![], "`logout` is not ip's output");
    // `exit` inside `sh -c` leaves only the string's own shell.
    let sc = ok(
        "ip netns add a\nip netns add b\nip netns exec a bash\nsh -c 'ip link show lo; exit'\nip link show lo\nexit\n",
    );
    assert_eq!(sc.steps[3].ns.as_deref(), Some("a"));
    // `| tee` runs in the outer shell.
    let sc = ok("ip netns add a\nip netns exec a echo 1 | tee /proc/sys/net/ipv4/ip_forward\n");
    assert_eq!(sc.steps[1].ns, None);
    // A program in another terminal takes no %N: the author's own `kill %1` is the ping's.
    let sc =
        ok("$ ip netns add a\n$ ip netns exec a tcpdump -n -i lo\n$ ip netns exec a ping 127.0.0.1 &\n$ kill %1\n");
    assert!(sc.steps[1].other_terminal && !sc.steps[2].other_terminal);
    assert_eq!(sc.steps[3].run, Command::Kill { job: 1 });
    // sysctl -q silences a write even with -n.
    let sc = ok("sysctl -nq net.ipv4.ip_forward=1\nsysctl -n -q net.ipv4.ip_forward\n");
    assert!(matches!(&sc.steps[0].run, Command::Sysctl { out: crate::command::SysctlOut::Quiet, .. }));
    assert!(matches!(&sc.steps[1].run, Command::Sysctl { out: crate::command::SysctlOut::Values, .. }));
}

#[test]
fn ctrl_c_under_a_ping_comes_after_the_pings_its_statistics_show() {
    let sc = ok(
        "$ ip netns add a\n$ ip netns exec a ping 127.0.0.1\nPING 127.0.0.1 (127.0.0.1) 56(84) bytes of data.\n^C\n--- 127.0.0.1 ping statistics ---\n2 packets transmitted, 2 received, 0% packet loss, time 1001ms\n$ ip netns list\n",
    );
    let texts: Vec<&str> = sc.steps.iter().map(|s| s.text.as_str()).collect();
    assert_eq!(
        texts,
        ["ip netns add a", "ping 127.0.0.1 &  # until ^C", "sleep 1.5  # 2 pings sent, then ^C", "^C", "ip netns list"]
    );
}

#[test]
fn stats_twice_asks_for_the_error_counters_and_only_snooping_off_is_taken() {
    let sc = ok("ip -s -s link show v1\nip -s -stats addr\nip -s link\nip link set br0 type bridge mcast_snooping 0\n");
    assert!(matches!(&sc.steps[0].run, Command::LinkShow { stats: true, errors: true, .. }));
    assert_eq!(sc.steps[0].run.to_string(), "ip -s -s link show dev v1");
    assert!(matches!(&sc.steps[1].run, Command::AddrShow { stats: true, errors: true, .. }));
    assert!(matches!(&sc.steps[2].run, Command::LinkShow { stats: true, errors: false, .. }));
    assert!(matches!(&sc.steps[3].run, Command::LinkSet(s) if s.no_mcast_snooping));
    assert_eq!(sc.steps[3].run.to_string(), "ip link set br0 type bridge mcast_snooping 0");
    let sc = ok("ip -d link show v1\nip -d -s -j addr\nip -d -br link\n");
    assert!(matches!(&sc.steps[0].run, Command::LinkShow { details: true, stats: false, .. }));
    assert_eq!(sc.steps[0].run.to_string(), "ip -d link show dev v1");
    assert!(matches!(&sc.steps[1].run, Command::AddrShow { details: true, stats: true, .. }));
    assert!(matches!(&sc.steps[2].run, Command::Brief { .. }), "-br ignores -d, as iproute2 does");
    for bad in ["ip -d route\n", "ip -d -4 addr\n", "ip -d neigh\n"] {
        assert!(fails(bad).message.starts_with("not supported yet: ip -d"), "{bad}");
    }
    let e = fails("ip link set br0 type bridge mcast_snooping 1\n");
    assert!(e.message.starts_with("not supported yet: mcast_snooping 1"), "{e}");
}

#[test]
fn traceroute_t_probes_with_tcp_to_port_80_unless_told() {
    let sc = ok("traceroute -T -n 10.0.0.1\ntraceroute -n -T -p 8080 10.0.0.1\n");
    assert!(matches!(&sc.steps[0].run, Command::Traceroute(t) if t.tcp && !t.icmp && t.port.is_none()));
    assert_eq!(sc.steps[1].run.to_string(), "traceroute -T -n -p 8080 10.0.0.1");
    assert!(matches!(&ok("traceroute -T -6 -n 2001:db8::1\n").steps[0].run, Command::Traceroute(t) if t.tcp));
}

#[test]
fn traceroute_takes_the_last_method_given_and_u_probes_one_port() {
    // The real traceroute 2.1: `-I -T` sends SYNs, `-T -I` echo requests.
    let sc = ok("traceroute -I -T -n 10.0.0.1\ntraceroute -T -I -n 10.0.0.1\ntraceroute -U -n 10.0.0.1\n");
    assert!(matches!(&sc.steps[0].run, Command::Traceroute(t) if t.tcp && !t.icmp && !t.udp));
    assert!(matches!(&sc.steps[1].run, Command::Traceroute(t) if t.icmp && !t.tcp && !t.udp));
    assert!(matches!(&sc.steps[2].run, Command::Traceroute(t) if t.udp && !t.icmp && !t.tcp && t.port.is_none()));
    assert_eq!(sc.steps[2].run.to_string(), "traceroute -U -n 10.0.0.1");
}

#[test]
fn bridge_link_set_takes_the_port_options_nslab_models() {
    let sc = ok("bridge link set dev p1 cost 7 priority 5 hairpin on learning off\nbridge -d link show\n");
    assert_eq!(sc.steps[0].run.to_string(), "bridge link set dev p1 cost 7 priority 5 hairpin on learning off");
    assert!(matches!(&sc.steps[1].run, Command::BridgeLinkShow { details: true, dev: None }));
    let e = fails("bridge link set dev p1 hairpin maybe\n");
    assert_eq!(e.message, "Error: argument of \"hairpin\" must be one of \"off\", \"on\", not \"maybe\"");
    assert!(fails("bridge link set dev p1 guard on\n").message.starts_with("not supported yet: bridge link set"));
    assert!(fails("bridge link set hairpin on\n").message.contains("Device is a required argument"));
}

#[test]
fn truncate_makes_a_file_of_the_labs_directory_and_curl_writes_out() {
    let sc = ok(
        "truncate -s 200K blob\ncurl -s -o /dev/null -w '%{http_code} %{time_total}\\n' http://192.0.2.1:8000/blob\n",
    );
    assert_eq!(sc.steps[0].run, Command::Truncate { size: "200K".into(), file: "blob".into() });
    assert_eq!(sc.steps[0].run.to_string(), "truncate -s 200K blob");
    let Command::Curl(c) = &sc.steps[1].run else { panic!("{:?}", sc.steps[1].run) };
    assert!(c.discard && c.silent);
    assert_eq!(c.write_out.as_deref(), Some("%{http_code} %{time_total}\\n"));
    assert_eq!(
        sc.steps[1].run.to_string(),
        "curl -s -o /dev/null -w '%{http_code} %{time_total}\\n' http://192.0.2.1:8000/blob"
    );
    // As GNU truncate 9.1 read each here (`stat -c %s` after it).
    for (size, bytes) in [
        ("4096", 4096),
        ("200K", 204_800),
        ("1k", 1024),
        ("1m", 1 << 20),
        ("1g", 1 << 30),
        ("1KB", 1000),
        ("1kB", 1000),
        ("1kiB", 1024),
        ("2MiB", 2 << 20),
        ("1MB", 1_000_000),
    ] {
        assert_eq!(crate::command::truncate_size(size), Some(bytes), "{size}");
    }
    for bad in ["", "K", "+1K", "1Q", "-5", "1mb", "1b", "1KiBB"] {
        assert_eq!(crate::command::truncate_size(bad), None, "{bad}");
    }
    let e = fails("truncate -s 1Q blob\n");
    assert_eq!(e.message, "truncate: Invalid number: ‘1Q’");
    let e = fails("truncate -s 1K /etc/passwd\n");
    assert!(e.message.contains("no `/`"), "{e}");
    let e = fails("truncate -s 1K a.exe\n");
    assert!(e.message.contains("nslab knows the MIME type of"), "{e}");
    assert!(ok("truncate -s 1K notes.txt\ntruncate -s 1M disk.img\n").steps.len() == 2);
    let e = fails("truncate blob\n");
    assert!(e.message.contains("you must specify either ‘--size’"), "{e}");
    let e = fails("curl -o out.html http://192.0.2.1/\n");
    assert!(e.message.contains("not supported yet: curl -o out.html"), "{e}");
    let e = fails("curl -w '%{time_connect}' http://192.0.2.1/\n");
    assert!(e.message.contains("not supported yet: curl -w %{time_connect}"), "{e}");
}

/// A `docker` line is the lines that do what Docker does, run in the root namespace even
/// from a shell in a container; `docker exec -it C bash` opens a shell in C, and a refused
/// `docker` line or a container's name for an address point at the word at fault.
#[test]
fn docker_lines_become_the_host_lines_and_exec_a_shell() {
    let sc = ok(
        "docker network create n\ndocker run -itd --name c --net n img\ndocker exec -it c /bin/bash\nip route\ndocker network create m\nexit\nip link\n",
    );
    let texts: Vec<(&str, Option<&str>)> = sc.steps.iter().map(|s| (s.text.as_str(), s.ns.as_deref())).collect();
    assert!(texts.contains(&("ip -n c addr add 172.18.0.2/16 brd + dev eth0", Some("c"))), "{texts:?}");
    assert!(texts.contains(&("ip route", Some("c"))), "{texts:?}");
    // Typed in c's shell, the daemon's lines still run on the host.
    assert!(texts.iter().any(|(t, ns)| t.starts_with("ip addr add 172.19.0.1/16") && ns.is_none()), "{texts:?}");
    assert_eq!(texts.last(), Some(&("ip link", None)));
    // A pipe after `docker exec` is the command's; after any other docker line, refused.
    let sc = ok("docker network create n\ndocker run -d --name c --net n img\ndocker exec c ip addr | grep inet\n");
    let last = sc.steps.last().unwrap();
    assert_eq!((last.text.as_str(), last.ns.as_deref(), last.grep.is_some()), ("ip addr", Some("c"), true));
    let e = fails("docker network ls | grep n\n");
    assert!(e.message.contains("a pipe or redirection after this docker command"), "{e}");
    let e = fails("docker network create n\ndocker network connect n nope\n");
    assert_eq!((e.span.line, e.span.col), (2, 26), "{e}");
    assert!(e.message.contains("No such container: nope"), "{e}");
    let e = fails(
        "docker network create n\ndocker run -d --name c --hostname C1 --net n img\nip netns exec c ping -c 1 C1\n",
    );
    assert!(e.hint.as_deref().is_some_and(|h| h.contains("172.18.0.2")), "{e:?}");
}
