//! Bad input gets one clear error naming the file, line and column (and a hint where one
//! helps); nothing panics. One test per case the foundation issue lists, each for the shell
//! and the RON front end where the case applies to both.

mod common;

use nslab::scenarios::{self, run::sim};

const SETUP: &str = "ip netns add ns1\nip netns add ns2\nip link add ns1-veth0 type veth peer name ns2-veth0\n";

fn err(name: &str, text: &str) -> String {
    match common::run_text(name, text) {
        Ok(_) => panic!("{name} should have been refused:\n{text}"),
        Err(e) => e,
    }
}

/// Asserts the first line names `file:line:col` and contains `msg`.
fn assert_at(e: &str, file: &str, line: u32, col: u32, msg: &str) {
    let first = e.lines().next().unwrap_or("");
    assert!(first.starts_with(&format!("error: {file}:{line}:{col}: ")), "wrong place:\n{e}");
    assert!(first.contains(msg), "wrong message (wanted {msg:?}):\n{e}");
    assert!(e.contains('^'), "no caret:\n{e}");
}

#[test]
fn unknown_command() {
    let e = err("a.sh", &format!("{SETUP}ip netns exec ns1 pign -c 1 192.0.2.2\n"));
    assert_at(&e, "a.sh", 4, 19, "unknown command `pign`");
    assert!(
        e.contains(
            "help: did you mean `ping`? nslab runs ip, bridge, brctl, sysctl, iptables, iptables-save, iptables-restore, ip6tables, ip6tables-save, ip6tables-restore, conntrack, tc, ping"
        ),
        "{e}"
    );
    let e = err("a.ron", "(steps: [(run: NetnsAdd(name: \"a\")), (run: Pign(dest: \"1.1.1.1\"))])");
    assert_at(&e, "a.ron", 1, 44, "Pign");
}

#[test]
fn unknown_option() {
    let e = err("a.sh", &format!("{SETUP}ip netns exec ns1 ping -c 1 -Z 192.0.2.2\n"));
    assert_at(&e, "a.sh", 4, 29, "ping: invalid option -- 'Z'");
    let e = err("a.sh", "ip link add x type veth peer name y mtu 9000\n");
    assert!(e.contains("not supported yet: peer mtu"), "{e}");
    let e = err("a.ron", "(steps: [(run: Ping(dest: \"1.1.1.1\", cnt: 3))])");
    assert!(e.lines().next().unwrap().starts_with("error: a.ron:1:"), "{e}");
    assert!(e.contains("cnt"), "{e}");
}

#[test]
fn namespace_that_does_not_exist() {
    let e = err("a.sh", &format!("{SETUP}ip netns exec ns3 ip link show\n"));
    assert_at(&e, "a.sh", 4, 15, "Cannot open network namespace \"ns3\"");
    assert!(e.contains("help: namespaces: ns1, ns2"), "{e}");
    let e = err("a.sh", &format!("{SETUP}ip link set ns1-veth0 netns ns9\n"));
    assert_at(&e, "a.sh", 4, 29, "Invalid \"netns\" value");
    let e = err("a.ron", "(steps: [\n  (run: NetnsAdd(name: \"ns1\")),\n  (ns: \"ns2\", run: LinkShow()),\n])");
    assert_at(&e, "a.ron", 3, 8, "Cannot open network namespace \"ns2\"");
}

#[test]
fn interface_that_does_not_exist() {
    let e =
        err("a.sh", &format!("{SETUP}ip link set ns1-veth0 netns ns1\nip netns exec ns1 ip link set ns1-veth9 up\n"));
    assert_at(&e, "a.sh", 5, 31, "Cannot find device \"ns1-veth9\"");
    assert!(e.contains("help: interfaces in ns1: lo, ns1-veth0"), "{e}");
    let e = err(
        "a.ron",
        "(steps: [\n  (run: NetnsAdd(name: \"ns1\")),\n  (ns: \"ns1\", run: AddrAdd(addr: \"192.0.2.1/24\", dev: \"eth0\")),\n])",
    );
    assert_at(&e, "a.ron", 3, 55, "Cannot find device \"eth0\"");
}

#[test]
fn address_without_the_prefix_ron_needs() {
    // RON addresses carry their prefix. (The shell front end follows iproute2, which takes a
    // bare address as /32, exactly as the kernel does.)
    let e = err(
        "a.ron",
        "(steps: [\n  (run: NetnsAdd(name: \"ns1\")),\n  (ns: \"ns1\", run: AddrAdd(addr: \"192.0.2.1\", dev: \"lo\")),\n])",
    );
    assert!(e.lines().next().unwrap().starts_with("error: a.ron:3:"), "{e}");
    assert!(e.contains("needs a prefix length, e.g. `192.0.2.1/24`"), "{e}");
    let r = common::run_text("a.sh", "ip netns add ns1\nip -n ns1 addr add 192.0.2.1 dev lo\nip -n ns1 addr show lo\n#> 1: lo: {}\n#> {}\n#>     inet 192.0.2.1/32 scope global lo\n#> {}\n").unwrap();
    assert!(r.failures("a.sh").is_empty());
}

#[test]
fn duplicate_interface_name() {
    let e = err("a.sh", &format!("{SETUP}ip link add ns1-veth0 type veth peer name other\n"));
    assert_at(&e, "a.sh", 4, 1, "RTNETLINK answers: File exists");
    let e = err("a.sh", "ip link add a type veth peer name a\n");
    assert!(e.contains("two different names"), "{e}");
}

#[test]
fn veth_end_moved_twice() {
    let e = err("a.sh", &format!("{SETUP}ip link set ns1-veth0 netns ns1\nip link set ns1-veth0 netns ns2\n"));
    assert_at(&e, "a.sh", 5, 13, "Cannot find device \"ns1-veth0\"");
    assert!(e.contains("interfaces in the root namespace: lo, ns2-veth0"), "{e}");
}

#[test]
fn expected_failures_are_output_not_errors() {
    let r = common::run_text(
        "a.sh",
        &format!(
            "{SETUP}ip link add ns1-veth0 type veth peer name other\n#> RTNETLINK answers: File exists\n#! exit: 2\n"
        ),
    )
    .unwrap();
    assert!(r.failures("a.sh").is_empty(), "{:?}", r.failures("a.sh"));
}

#[test]
fn check_mode_reports_the_same_errors_without_running() {
    let text = format!("{SETUP}ip netns exec ns1 ping -c 1000 192.0.2.2\nip netns exec ns1 ip link set nope up\n");
    let sc = scenarios::load("a.sh", &text).unwrap();
    let e = sim::run("a.sh", &text, &sc, &sim::RunOptions { dry_run: true, ..Default::default() })
        .err()
        .unwrap()
        .to_string();
    assert_at(&e, "a.sh", 5, 31, "Cannot find device \"nope\"");
}

#[test]
fn a_failed_expectation_is_reported_with_both_lines() {
    let r = common::run_text("a.sh", "ip netns add a\nip netns list\n#> b\n").unwrap();
    let f = r.failures("a.sh");
    assert_eq!(f.len(), 1);
    let text = f[0].to_string();
    assert!(text.starts_with("FAIL a.sh:2:1 `ip netns list`: output line 1 differs"), "{text}");
    assert!(text.contains("expected: b") && text.contains("actual:   a"), "{text}");
}

#[test]
fn dhcp_options_dnsmasq_would_refuse() {
    let e = err("a.sh", &format!("{SETUP}ip netns exec ns1 dnsmasq --dhcp-range=192.0.2.100 --no-daemon &\n"));
    assert_at(&e, "a.sh", 4, 27, "dnsmasq: bad dhcp-range");
    assert!(e.contains("help: write --dhcp-range=START,END"), "{e}");
    let e = err("a.sh", &format!("{SETUP}ip netns exec ns1 dnsmasq --dhcp-range=10.0.0.9,10.0.0.1 --no-daemon &\n"));
    assert_at(&e, "a.sh", 4, 27, "inconsistent DHCP range");
    let e = err("a.sh", &format!("{SETUP}ip netns exec ns1 dnsmasq --dhcp-range=10.0.0.1,10.0.0.9,1q -d &\n"));
    assert_at(&e, "a.sh", 4, 27, "bad dhcp-range lease time: 1q");
    let e = err(
        "a.sh",
        &format!("{SETUP}ip netns exec ns1 dnsmasq --dhcp-range=10.0.0.1,10.0.0.9 --dhcp-option=42,10.0.0.1 -d &\n"),
    );
    assert_at(&e, "a.sh", 4, 58, "not supported yet: dnsmasq --dhcp-option=42,10.0.0.1");
    let e = err(
        "a.sh",
        &format!("{SETUP}ip netns exec ns1 dnsmasq --dhcp-range=10.0.0.1,10.0.0.9 --dhcp-host=10.0.0.5 -d &\n"),
    );
    assert_at(&e, "a.sh", 4, 58, "dnsmasq: bad dhcp-host: 10.0.0.5");
    let e = err("a.sh", &format!("{SETUP}ip netns exec ns1 dnsmasq --interface=x -d &\n"));
    assert!(e.contains("needs --dhcp-range"), "{e}");
    let e =
        err("a.sh", &format!("{SETUP}ip netns exec ns1 dnsmasq --dhcp-range=10.0.0.1,10.0.0.9 --tftp-root=/x -d &\n"));
    assert_at(&e, "a.sh", 4, 58, "not supported yet: dnsmasq --tftp-root");
    let e = err("a.ron", "(steps: [(run: Dnsmasq(dhcp_range: \"10.0.0.1\", no_daemon: true), background: true)])");
    assert!(e.lines().next().unwrap().starts_with("error: a.ron:1:"), "{e}");
    assert!(e.contains("bad dhcp-range"), "{e}");
}

#[test]
fn dhcp_daemons_in_the_foreground_would_hang() {
    let e = err("a.sh", &format!("{SETUP}ip netns exec ns1 dnsmasq --dhcp-range=10.0.0.1,10.0.0.9 --no-daemon\n"));
    assert_at(&e, "a.sh", 4, 19, "dnsmasq --no-daemon runs until it is stopped");
    assert!(e.contains("help: run it in the background with `&`"), "{e}");
    let e = err("a.sh", &format!("{SETUP}ip netns exec ns1 dhclient -d ns1-veth0\n"));
    assert_at(&e, "a.sh", 4, 19, "dhclient -d stays in the foreground for good");
    let e = err("a.sh", &format!("{SETUP}ip netns exec ns1 dhclient -d\n"));
    assert!(e.contains("dhclient needs an interface"), "{e}");
}

#[test]
fn http_tools_refuse_what_they_cannot_do() {
    let e = err("a.sh", &format!("{SETUP}ip netns exec ns1 curl -I http://192.0.2.2:99999/\n"));
    assert_at(&e, "a.sh", 4, 27, "URL using bad/illegal format");
    let e = err("a.sh", &format!("{SETUP}ip netns exec ns1 curl -X POST http://192.0.2.2/\n"));
    assert_at(&e, "a.sh", 4, 24, "not supported yet: curl -X");
    let e = err("a.sh", &format!("{SETUP}ip netns exec ns1 curl -I\n"));
    assert!(e.contains("curl: no URL specified!"), "{e}");
    let e = err("a.sh", &format!("{SETUP}ip netns exec ns1 python3 -m http.server 80\n"));
    assert_at(&e, "a.sh", 4, 19, "python3 -m http.server serves until it is stopped");
    let e = err("a.sh", &format!("{SETUP}ip netns exec ns1 python3 -m http.server eighty &\n"));
    assert_at(&e, "a.sh", 4, 42, "invalid int value: 'eighty'");
    let e =
        err("a.ron", "(steps: [(ns: \"a\", run: NetnsAdd(name: \"a\")), (ns: \"a\", run: Curl(url: \"ftp://x/\"))])");
    assert!(e.starts_with("error: a.ron:") && e.contains("not supported yet: ftp:// URLs"), "{e}");
}

#[test]
fn iptables_restore_needs_its_rules_and_refuses_as_it_does() {
    let e = err("a.sh", &format!("{SETUP}ip netns exec ns1 iptables-restore\n"));
    assert_at(&e, "a.sh", 4, 19, "iptables-restore reads its rules from stdin");
    assert!(e.contains("here-document"), "{e}");
    let e = err("a.sh", &format!("{SETUP}ip netns exec ns1 iptables-restore <<EOF\n*filter\nCOMMIT\n"));
    assert_at(&e, "a.sh", 4, 36, "here-document never ends: no line `EOF`");
    let e = err("a.sh", &format!("{SETUP}ip netns exec ns1 iptables -L <<EOF\nx\nEOF\n"));
    assert_at(&e, "a.sh", 4, 31, "not supported yet: a here-document into iptables");
    // What the kernel's iptables-restore said, as the step's error; nothing applied.
    let e = err(
        "a.sh",
        &format!("{SETUP}ip netns exec ns1 iptables-restore <<'EOF'\n*filter\n-A INPUT -j FOO\nCOMMIT\nEOF\n"),
    );
    // Pointed at the here-document's line.
    assert_at(&e, "a.sh", 6, 1, "iptables-restore v1.8.9 (nf_tables): Chain 'FOO' does not exist");
    assert!(e.contains("Error occurred at line: 2"), "{e}");
    let e = err("a.sh", &format!("{SETUP}ip netns exec ns1 iptables-restore <<EOF\n*filter\n-A INPUT -j DROP\nEOF\n"));
    assert!(e.contains("iptables-restore: COMMIT expected at line 3"), "{e}");
    let e = err("a.sh", &format!("{SETUP}ip netns exec ns1 iptables-restore < rules.v4\n"));
    assert_at(&e, "a.sh", 4, 36, "not supported yet: reading a file");
    assert!(e.contains("here-document"), "{e}");
    let e = err("a.sh", &format!("{SETUP}ip netns exec ns1 iptables-save -t mangle\n"));
    assert!(e.contains("not supported yet: table mangle"), "{e}");
}

#[test]
fn iptables_refuses_as_iptables_does() {
    let e = err("a.sh", &format!("{SETUP}ip netns exec ns1 iptables -A INPUT --dport 80 -j ACCEPT\n"));
    assert_at(&e, "a.sh", 4, 37, "iptables v1.8.9 (nf_tables): unknown option \"--dport\"");
    let e = err("a.sh", &format!("{SETUP}ip netns exec ns1 iptables -A INPUT -j FOO\n"));
    assert!(e.contains("Chain 'FOO' does not exist"), "{e}");
    assert!(e.starts_with("error: a.sh:4:"), "{e}");
    let e = err("a.sh", &format!("{SETUP}ip netns exec ns1 iptables -A NOPE -j ACCEPT\n"));
    assert!(e.contains("iptables: No chain/target/match by that name."), "{e}");
    let e = err("a.sh", &format!("{SETUP}ip netns exec ns1 iptables -A INPUT -j SNAT --to-source 1.2.3.4\n"));
    assert!(e.contains("RULE_APPEND failed (Invalid argument): rule in chain INPUT"), "{e}");
    let e =
        err("a.sh", &format!("{SETUP}ip netns exec ns1 iptables -t nat -A POSTROUTING -s 300.0.0.0/8 -j MASQUERADE\n"));
    assert_at(&e, "a.sh", 4, 53, "host/network `300.0.0.0/8' not found");
    let e = err("a.sh", &format!("{SETUP}ip netns exec ns1 conntrack -E\n"));
    assert!(e.contains("conntrack -E runs until it is stopped"), "{e}");
    let e = err("a.ron", "(steps: [(run: Iptables(args: [\"-A\", \"INPUT\", \"--dport\", \"80\"]))])");
    assert!(e.lines().next().unwrap().starts_with("error: a.ron:1:"), "{e}");
    assert!(e.contains("unknown option \"--dport\""), "{e}");
}

#[test]
fn check_mode_knows_which_jobs_a_run_would_have() {
    let text = format!("{SETUP}ip netns exec ns1 tcpdump -n -i lo &\nkill %1\nkill %2\n");
    let sc = scenarios::load("a.sh", &text).unwrap();
    let e = sim::run("a.sh", &text, &sc, &sim::RunOptions { dry_run: true, ..Default::default() })
        .err()
        .unwrap()
        .to_string();
    assert_at(&e, "a.sh", 6, 1, "kill: %2: no such job");
    assert!(e.contains("help: jobs: %1"), "{e}");
}

#[test]
fn sysctl_outside_the_namespace_is_refused_with_its_place() {
    // kernel.*, vm.*, fs.* are one value for the whole machine, even inside a namespace.
    let e = err("a.sh", "ip netns add a\nip netns exec a sysctl -w kernel.hostname=x\n");
    assert_at(&e, "a.sh", 2, 27, "sysctl kernel.hostname is not kept per network namespace");
    let e = err("a.sh", "ip netns add a\nip netns exec a sysctl vm.swappiness\n");
    assert_at(&e, "a.sh", 2, 24, "sysctl vm.swappiness is not kept per network namespace");
    // Visible in a namespace, but the machine's.
    let e = err("a.sh", "ip netns add a\nip netns exec a sysctl -w net.core.rmem_max=1\n");
    assert_at(&e, "a.sh", 2, 27, "net.core.rmem_max is not kept per network namespace");
    let e = err("a.sh", "ip netns add a\nip netns exec a sysctl -w net.netfilter.nf_hooks_lwtunnel=1\n");
    assert_at(&e, "a.sh", 2, 27, "not kept per network namespace");
    // A path that climbs out, and words a shell would have split.
    let e = err("a.sh", "ip netns add a\nip netns exec a sysctl net/ipv4/../../vm/swappiness\n");
    assert_at(&e, "a.sh", 2, 24, "is not a sysctl key");
    let e = err("a.sh", "ip netns add a\nip netns exec a sysctl -w 'net.ipv4.ip_forward;reboot=1'\n");
    assert_at(&e, "a.sh", 2, 27, "is not a sysctl key");
    let e = err("a.sh", "ip netns add a\nip netns exec a sysctl -w 'net.ipv4.$(id).x=1'\n");
    assert_at(&e, "a.sh", 2, 27, "is not a sysctl key");
    let e = err(
        "a.ron",
        "(steps: [(run: NetnsAdd(name: \"a\")), (ns: \"a\", run: Sysctl(key: \"kernel.hostname\", value: \"x\"))])",
    );
    assert!(e.lines().next().unwrap().starts_with("error: a.ron:1:"), "{e}");
    assert!(e.contains("not kept per network namespace"), "{e}");
    // What each namespace has its own copy of still goes through.
    let run = common::run_text(
        "a.sh",
        "ip netns add a\nip netns exec a sysctl -w net.ipv4.ip_forward=1\nip netns exec a sysctl net/ipv4/ip_forward\n",
    );
    assert!(run.is_ok(), "{run:?}", run = run.err());
}

/// A test's own scratch directory, removed when the test ends — a failed assertion too.
struct Scratch(std::path::PathBuf);

impl Scratch {
    fn new(test: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("nslab-bad-input-{test}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    /// Writes `bytes` to a fresh file named `name` in it.
    fn file(&self, name: &str, bytes: &[u8]) -> std::path::PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn a_file_that_is_not_utf8_gets_a_located_error() {
    // Latin-1 `é` (0xe9) on line 2, after 16 characters.
    let scratch = Scratch::new("utf8");
    let path = scratch.file("latin1.sh", b"ip netns add a\nip netns add caf\xe9\n");
    let e = nslab::read_scenario(&path).unwrap_err();
    let name = path.display().to_string();
    assert_at(&e, &name, 2, 17, "this file is not UTF-8: byte 0xe9");
    assert!(e.contains("= help: scenarios are UTF-8 text"), "{e}");
    // The command line says the same, for run and check alike, and exits 2.
    for args in [["run", name.as_str()], ["check", name.as_str()]] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_nslab")).args(args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.starts_with(&format!("error: {name}:2:17: this file is not UTF-8")), "{args:?}: {stderr}");
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
    }
    // RON, and a file cut inside a character.
    let path = scratch.file("cut.ron", b"(steps: [(run: NetnsAdd(name: \"\xc3");
    let e = nslab::read_scenario(&path).unwrap_err();
    assert_at(&e, &path.display().to_string(), 1, 32, "ends inside a UTF-8 character: byte 0xc3");
}

#[test]
fn a_tcpdump_filter_nested_too_deep_is_refused_at_its_word() {
    // tcpdump itself gives up near 10,000 levels ("memory exhausted"); these once
    // overflowed nslab's stack.
    let deep = format!("'{}icmp{}'", "(".repeat(20_000), ")".repeat(20_000));
    let e = err("a.sh", &format!("ip netns add ns1\nip netns exec ns1 tcpdump -n -i lo udp or {deep} &\n"));
    assert_at(&e, "a.sh", 2, 43, "syntax error near `(`: parentheses and `not` nested more than 256 deep");
    let nots = "not ".repeat(30_000);
    let e = err("a.sh", &format!("ip netns add ns1\nip netns exec ns1 tcpdump -n -i lo '{nots}icmp' &\n"));
    assert_at(&e, "a.sh", 2, 36, "syntax error near `not`");
}

#[test]
fn every_ron_error_has_a_help_line() {
    let cases = [
        // Syntax.
        "(steps: [(run: NetnsAdd(name: \"a\"))",
        "(steps: [(run: NetnsAdd(name: \"a\")) (run: NetnsList)])",
        "(steps: [(run: NetnsAdd(name: \"a))])",
        "(steps: [(run: NetnsAdd(name: a))])",
        "(steps: [(run: NetnsAdd(name: \"a\"))]) trailing",
        "(steps: [(run: NetnsAdd(name: \"a\"))]) /* open",
        "(steps: (run: NetnsAdd(name: \"a\")))",
        "(steps: [(run: NetnsAdd(name: \"\\q\"))])",
        "",
        // Types and values.
        "(steps: [(run: NetnsAdd(name: \"a\")), (ns: \"a\", run: Ping(dest: \"1.1.1.1\", count: \"3\"))])",
        "(steps: [(run: NetnsAdd(name: \"a\")), (ns: \"a\", run: Ping(dest: \"1.1.1.1\", count: 99999999999))])",
        "(steps: [(run: NetnsAdd(name: \"a\")), (ns: \"a\", run: Ping(dest: \"1.1.1.1\", quiet: 1))])",
        "(steps: [(run: NetnsAdd(name: \"a\")), (ns: \"a\", run: Ping(dest: \"1.1.1.300\"))])",
        "(steps: [(run: Sleep(secs: -1))])",
        "(seed: \"x\", steps: [(run: NetnsList)])",
        // Names.
        "(steps: [(run: NetnsAdd(name: \"a\")), (run: Pign(dest: \"1.1.1.1\"))])",
        "(steps: [(run: NetnsAdd(nme: \"a\"))])",
        "(stesp: [(run: NetnsAdd(name: \"a\"))])",
        "(steps: [(run: NetnsAdd())])",
        "(steps: [(run: NetnsAdd(name: \"a\", name: \"b\"))])",
        "(steps: [])",
        // What the front end validates.
        "(steps: [(run: NetnsAdd(name: \"a\")), (ns: \"a\", run: Iptables(args: [\"-A\", \"INPUT\", \"--dport\", \"80\"]))])",
        "(steps: [(run: NetnsAdd(name: \"a\")), (ns: \"a\", run: Tcpdump(iface: \"lo\", filter: \"port port\"), background: true)])",
    ];
    for text in cases {
        let e = err("a.ron", text);
        assert!(e.lines().next().unwrap().starts_with("error: a.ron:1:"), "{text}\n{e}");
        assert!(e.contains("\n  = help: "), "no help line for {text:?}:\n{e}");
    }
    // Where a name is close to one RON knows, the help says which.
    let e = err("a.ron", "(steps: [(run: NetnsAdd(name: \"a\")), (run: Pign(dest: \"1.1.1.1\"))])");
    assert!(e.contains("= help: did you mean `Ping`?"), "{e}");
    let e = err("a.ron", "(steps: [(run: NetnsAdd(nme: \"a\"))])");
    assert!(e.contains("= help: did you mean `name`? NetnsAdd takes `name`"), "{e}");
    let e = err("a.ron", "(steps: [(run: NetnsAdd())])");
    assert!(e.contains("= help: add `name: …` to NetnsAdd"), "{e}");
    // Several steps that do not validate: each is reported.
    let e = err(
        "a.ron",
        "(steps: [\n (run: NetnsAdd(name: \"a\")),\n (ns: \"a\", run: Tcpdump(iface: \"lo\")),\n (ns: \"a\", run: Tcpdump(iface: \"lo\")),\n])",
    );
    assert_at(&e, "a.ron", 3, 2, "tcpdump runs until it is stopped");
    assert!(e.contains("error: a.ron:4:2: tcpdump runs until it is stopped"), "{e}");
    assert!(e.ends_with("error: 2 errors in a.ron"), "{e}");
}

/// Runs `text` and asserts every expectation in it held.
fn holds(name: &str, text: &str) {
    let r = common::run_text(name, text).unwrap_or_else(|e| panic!("{e}"));
    let f = r.failures(name);
    assert!(f.is_empty(), "{}", f.iter().map(|f| f.to_string()).collect::<Vec<_>>().join("\n"));
}

#[test]
fn interface_names_the_kernel_refuses_are_refused_with_its_words() {
    let x16 = "a".repeat(16);
    // Past IFNAMSIZ: the kernel's netlink policy for the device, `ip` itself for `name`.
    let e = err("a.sh", &format!("ip link add {x16} type bridge\n"));
    assert_at(&e, "a.sh", 1, 13, "Error: Attribute failed policy validation.");
    assert!(e.contains("= help: an interface name has 1 to 15 bytes"), "{e}");
    let e = err("a.sh", &format!("ip link add {x16} type veth peer name p0\n"));
    assert_at(&e, "a.sh", 1, 13, "Error: Attribute failed policy validation.");
    let e = err("a.sh", &format!("ip link add veth0 type veth peer name {x16}\n"));
    assert_at(&e, "a.sh", 1, 39, &format!("Error: argument \"{x16}\" is wrong: \"name\" not a valid ifname"));
    let e = err("a.sh", &format!("ip link add veth0 type veth peer name veth1\nip link set dev veth0 name {x16}\n"));
    assert_at(&e, "a.sh", 2, 28, &format!("Error: argument \"{x16}\" is wrong: \"name\" not a valid ifname"));
    // `:`, `.` and `..`: the kernel's dev_valid_name().
    let e = err("a.sh", "ip link add eth0:1 type bridge\n");
    assert_at(&e, "a.sh", 1, 13, "RTNETLINK answers: Invalid argument");
    let e = err("a.sh", "ip link add veth0 type veth peer name eth0:1\n");
    assert_at(&e, "a.sh", 1, 39, "RTNETLINK answers: Invalid argument");
    let e = err("a.sh", "ip link add .. type bridge\n");
    assert_at(&e, "a.sh", 1, 13, "RTNETLINK answers: Invalid argument");
    let e = err("a.sh", "ip link add veth0 type veth peer name veth1\nip link set dev veth0 name eth0:1\n");
    assert_at(&e, "a.sh", 2, 28, "RTNETLINK answers: Invalid argument");
    // A blank or `/`: `ip` refuses the word.
    let e = err("a.sh", "ip link add 'a b' type bridge\n");
    assert_at(&e, "a.sh", 1, 13, "Error: argument \"a b\" is wrong: \"dev\" not a valid ifname");
    let e = err("a.sh", "ip link add a/b type bridge\n");
    assert_at(&e, "a.sh", 1, 13, "Error: argument \"a/b\" is wrong: \"dev\" not a valid ifname");
    let e = err("a.sh", "ip link add veth0 type veth peer name veth1\nip link set dev veth0 name 'a b'\n");
    assert_at(&e, "a.sh", 2, 28, "Error: argument \"a b\" is wrong: \"name\" not a valid ifname");
    let e = err("a.ron", &format!("(steps: [(run: LinkAdd(name: \"{x16}\", kind: Bridge))])"));
    assert_at(&e, "a.ron", 1, 30, "Error: Attribute failed policy validation.");
    // What the kernel takes: 15 bytes, `.` and `=` inside a name.
    holds(
        "a.sh",
        "ip link add aaaaaaaaaaaaaaa type bridge\nip link add a.b type bridge\nip link add a=b type veth peer name b=a\n",
    );
    // Expected, the refusal is the step's output and exit status, as on the kernel.
    holds(
        "a.sh",
        &format!(
            "ip link add {x16} type bridge\n#> Error: Attribute failed policy validation.\n#! exit: 2\n\
             ip link add eth0:1 type bridge\n#> RTNETLINK answers: Invalid argument\n#! exit: 2\n\
             ip link add 'a b' type bridge\n#> Error: argument \"a b\" is wrong: \"dev\" not a valid ifname\n#! exit: 255\n"
        ),
    );
    // brctl hands the kernel a name it cuts to 15 bytes; what it refuses it says its way.
    holds(
        "a.sh",
        "brctl addbr aaaaaaaaaaaaaaaXYZ\nip link set aaaaaaaaaaaaaaa up\nbrctl addbr aaaaaaaaaaaaaaaQQQ\n\
         #> device aaaaaaaaaaaaaaaQQQ already exists; can't create bridge with the same name\n#! exit: 1\n\
         brctl addbr eth0:1\n#> add bridge failed: Invalid argument\n#! exit: 1\n",
    );
    // Namespace names are file names: 255 bytes at most.
    let e = err("a.sh", &format!("ip netns add {}\n", "n".repeat(256)));
    assert_at(&e, "a.sh", 1, 14, "Invalid netns name \"nnnn");
}

#[test]
fn iptables_refuses_jump_loops_and_long_chain_names_as_the_kernel_does() {
    let ns = "ip netns add a\n";
    // A loop is taken while nothing reaches it; the jump from INPUT is refused (exit 4).
    let loop_ = "ip netns exec a iptables -N A\nip netns exec a iptables -N B\n\
                 ip netns exec a iptables -A A -j B\nip netns exec a iptables -A B -j A\n";
    let e = err("a.sh", &format!("{ns}{loop_}ip netns exec a iptables -A INPUT -j A\n"));
    assert_at(
        &e,
        "a.sh",
        6,
        1,
        "iptables v1.8.9 (nf_tables):  RULE_APPEND failed (Too many links): rule in chain INPUT",
    );
    assert!(e.contains("= help: nf_tables refuses a jump"), "{e}");
    holds(
        "a.sh",
        &format!(
            "{ns}{loop_}ip netns exec a iptables -A INPUT -j A\n\
             #> iptables v1.8.9 (nf_tables):  RULE_APPEND failed (Too many links): rule in chain INPUT\n#! exit: 4\n\
             ip netns exec a iptables -I INPUT -g B\n\
             #> iptables v1.8.9 (nf_tables):  RULE_INSERT failed (Too many links): rule in chain INPUT\n#! exit: 4\n\
             ip netns exec a iptables -S INPUT\n#> -P INPUT ACCEPT\n"
        ),
    );
    // A chain jumping to itself, once INPUT reaches it.
    holds(
        "a.sh",
        "ip netns add a\nip netns exec a iptables -N A\nip netns exec a iptables -A A -j A\n\
         ip netns exec a iptables -F A\nip netns exec a iptables -A INPUT -j A\nip netns exec a iptables -A A -j A\n\
         #> iptables v1.8.9 (nf_tables):  RULE_APPEND failed (Too many links): rule in chain A\n#! exit: 4\n",
    );
    // Fifteen chains below INPUT are fine; the sixteenth is refused; the nat table alike.
    let mut deep = String::from(ns);
    for k in 1..=16 {
        deep.push_str(&format!("ip netns exec a iptables -N C{k}\n"));
    }
    deep.push_str("ip netns exec a iptables -A INPUT -j C1\n");
    for k in 1..15 {
        deep.push_str(&format!("ip netns exec a iptables -A C{k} -j C{}\n", k + 1));
    }
    deep.push_str("ip netns exec a iptables -A C15 -j C16\n");
    deep.push_str(
        "#> iptables v1.8.9 (nf_tables):  RULE_APPEND failed (Too many links): rule in chain C15\n#! exit: 4\n",
    );
    deep.push_str("ip netns exec a iptables -t nat -N N\nip netns exec a iptables -t nat -A N -j N\n");
    deep.push_str("ip netns exec a iptables -t nat -A OUTPUT -j N\n");
    deep.push_str(
        "#> iptables v1.8.9 (nf_tables):  RULE_APPEND failed (Too many links): rule in chain OUTPUT\n#! exit: 4\n",
    );
    holds("a.sh", &deep);
    // iptables-restore: nothing applied; the refused rule and every later one in the table.
    holds(
        "a.sh",
        "ip netns add a\nip netns exec a iptables-restore <<EOF\n*filter\n:A - [0:0]\n:B - [0:0]\n\
         -A A -j B\n-A B -j A\n-A INPUT -j A\n-A INPUT -j ACCEPT\nCOMMIT\nEOF\n\
         #> iptables-restore v1.8.9 (nf_tables): \n\
         #> line 6: RULE_APPEND failed (Too many links): rule in chain INPUT\n\
         #> line 7: RULE_APPEND failed (Too many links): rule in chain INPUT\n#! exit: 4\n\
         ip netns exec a iptables -S\n#> -P INPUT ACCEPT\n#> -P FORWARD ACCEPT\n#> -P OUTPUT ACCEPT\n",
    );
    let e = err(
        "a.sh",
        "ip netns add a\nip netns exec a iptables-restore <<EOF\n*filter\n:A - [0:0]\n-A INPUT -j A\n-A A -j A\nCOMMIT\nEOF\n",
    );
    assert_at(&e, "a.sh", 6, 1, "iptables-restore v1.8.9 (nf_tables): ");
    assert!(e.contains("line 4: RULE_APPEND failed (Too many links): rule in chain A"), "{e}");
    // Chain names: 28 characters at most, for every command; what -N refuses besides.
    let x29 = "x".repeat(29);
    let e = err("a.sh", &format!("{ns}ip netns exec a iptables -N {x29}\n"));
    assert_at(
        &e,
        "a.sh",
        2,
        29,
        &format!("iptables v1.8.9 (nf_tables): chain name `{x29}' too long (must be under 29 chars)"),
    );
    assert!(e.contains("Try `iptables -h'"), "{e}");
    for cmd in [format!("-A {x29} -j ACCEPT"), format!("-F {x29}"), format!("-P {x29} DROP"), format!("-L {x29}")] {
        let e = err("a.sh", &format!("{ns}ip netns exec a iptables {cmd}\n"));
        assert!(e.contains("too long (must be under 29 chars)"), "{cmd}: {e}");
    }
    let e = err("a.sh", &format!("{ns}ip netns exec a iptables -A INPUT -j {x29}\n"));
    assert!(e.contains(&format!("Invalid target name `{x29}' (28 chars max)")), "{e}");
    let e = err("a.sh", &format!("{ns}ip netns exec a iptables -A INPUT -i {} -j ACCEPT\n", "e".repeat(16)));
    assert!(e.contains("must be shorter than IFNAMSIZ (15)"), "{e}");
    for (name, says) in [
        ("-bad", "chain name not allowed to start with `-'"),
        ("'a b'", "Invalid chain name `a b'"),
        ("ACCEPT", "chain name may not clash with target name"),
        ("LOG", "chain name may not clash with target name"),
    ] {
        let e = err("a.sh", &format!("{ns}ip netns exec a iptables -N {name}\n"));
        assert!(e.contains(says), "{name}: {e}");
    }
    holds("a.sh", &format!("{ns}ip netns exec a iptables -N {}\nip netns exec a iptables -N 1abc\n", "y".repeat(28)));
    let e = err(
        "a.sh",
        &format!("{ns}ip netns exec a iptables-restore <<EOF\n*filter\n:{} - [0:0]\nCOMMIT\nEOF\n", "y".repeat(29)),
    );
    assert_at(&e, "a.sh", 4, 1, "chain name `yyyyyyyyyyyyyyyyyyyyyyyyyyyyy' too long (must be under 29 chars)");
    assert!(e.contains("Error occurred at line: 2"), "{e}");
}

#[test]
fn a_megabyte_name_gets_a_short_error() {
    let big = "n".repeat(1 << 20);
    let ns = "ip netns add a\n";
    let cases = [
        format!("ip netns add {big}\n"),
        format!("ip netns exec {big} ip link show\n"),
        format!("ip link add {big} type bridge\n"),
        format!("ip link add veth0 type veth peer name {big}\n"),
        format!("ip link set dev {big} up\n"),
        format!("ip link add veth0 type veth peer name veth1\nip link set dev veth0 name {big}\n"),
        format!("ip addr add 192.0.2.1/24 dev {big}\n"),
        format!("ip route add 192.0.2.0/24 dev {big}\n"),
        format!("{ns}ip netns exec a iptables -N {big}\n"),
        format!("{ns}ip netns exec a iptables -A {big} -j ACCEPT\n"),
        format!("{ns}ip netns exec a iptables -A INPUT -j {big}\n"),
        format!("{ns}ip netns exec a iptables -A INPUT -i {big} -j ACCEPT\n"),
        format!("{ns}ip netns exec a tcpdump -n -i {big} &\n"),
        format!("{ns}ip netns exec a sysctl -w net.ipv4.conf.{big}.forwarding=1\n"),
        format!("{ns}ip netns exec a iptables-restore <<EOF\n*filter\n:{big} - [0:0]\nCOMMIT\nEOF\n"),
        format!("{big}\n"),
    ];
    for text in &cases {
        let e = common::run_text("a.sh", text).err().unwrap_or_else(|| panic!("{}… was not refused", &text[..40]));
        assert!(e.len() < 4000, "{} bytes of error for {}…:\n{}", e.len(), &text[..40], &e[..4000]);
        assert!(e.starts_with("error: a.sh:"), "{e}");
        // `nslab check` says the same, as short.
        let sc = scenarios::load("a.sh", text).and_then(|sc| scenarios::check("a.sh", text, &sc));
        assert!(sc.err().is_some_and(|e| e.to_string().len() < 4000), "{}…", &text[..40]);
    }
    let e = err("a.ron", &format!("(steps: [(run: NetnsAdd(name: \"{big}\"))])"));
    assert!(e.len() < 4000 && e.starts_with("error: a.ron:1:"), "{}", &e[..4000.min(e.len())]);
    let e = err("a.ron", &format!("(steps: [(run: NetnsAdd(name: \"a\", {big}: 1))])"));
    assert!(e.len() < 4000 && e.starts_with("error: a.ron:1:"), "{}", &e[..4000.min(e.len())]);
    // brctl keeps 15 bytes of any name, as the kernel does.
    holds("a.sh", &format!("brctl addbr {big}\nip link show nnnnnnnnnnnnnnn\n#> {{}}nnnnnnnnnnnnnnn: {{}}\n#> {{}}\n"));
}

#[test]
fn mtu_outside_the_devices_range_is_refused_as_the_kernel_does() {
    let pair = "ip link add v0 type veth peer name v1\nip link add br0 type bridge\n";
    let e = err("a.sh", &format!("{pair}ip link set dev v0 mtu 65536\n"));
    assert_at(&e, "a.sh", 3, 24, "Error: mtu greater than device maximum.");
    assert!(e.contains("= help: the MTU of a veth is 68 to 65535"), "{e}");
    let e = err("a.sh", &format!("{pair}ip link set dev br0 mtu 65536\n"));
    assert_at(&e, "a.sh", 3, 25, "Error: mtu greater than device maximum.");
    for m in ["67", "0"] {
        let e = err("a.sh", &format!("{pair}ip link set dev v0 mtu {m}\n"));
        assert_at(&e, "a.sh", 3, 24, "Error: mtu less than device minimum.");
        let e = err("a.sh", &format!("{pair}ip link set dev br0 mtu {m}\n"));
        assert_at(&e, "a.sh", 3, 25, "Error: mtu less than device minimum.");
    }
    // As `ip` reads an int: hex and octal, a negative number, words that are none.
    let e = err("a.sh", &format!("{pair}ip link set dev v0 mtu 0100\n"));
    assert_at(&e, "a.sh", 3, 1, "Error: mtu less than device minimum.");
    let e = err("a.sh", &format!("{pair}ip link set dev v0 mtu -1\n"));
    assert_at(&e, "a.sh", 3, 24, "Error: mtu less than device minimum.");
    for bad in ["abc", "4294967296", "2147483648", "1500x"] {
        let e = err("a.sh", &format!("{pair}ip link set dev v0 mtu {bad}\n"));
        assert_at(&e, "a.sh", 3, 24, &format!("Error: argument \"{bad}\" is wrong: Invalid \"mtu\" value"));
    }
    let e =
        err("a.ron", "(steps: [(run: LinkAdd(name: \"v0\", kind: Bridge)), (run: LinkSet(dev: \"v0\", mtu: 65536))])");
    assert!(e.starts_with("error: a.ron:1:") && e.contains("Error: mtu greater than device maximum."), "{e}");
    // The bounds themselves; lo has none; the refusals as a step's expected output.
    holds(
        "a.sh",
        &format!(
            "{pair}ip link set dev v0 mtu 65535\nip link set dev br0 mtu 68\nip link set dev v1 mtu 0x5dc\n\
             ip link set dev lo mtu 65537\nip link show lo\n#> 1: lo: <LOOPBACK> mtu 65537 {{}}\n#> {{}}\n\
             ip link show v1\n#> {{}} mtu 1500 {{}}\n#> {{}}\n\
             ip link set dev v0 mtu 65536\n#> Error: mtu greater than device maximum.\n#! exit: 2\n\
             ip link set dev br0 mtu 67\n#> Error: mtu less than device minimum.\n#! exit: 2\n"
        ),
    );
    // Below 68, lo loses its IPv4 configuration and takes no address until the MTU is back.
    holds(
        "a.sh",
        "ip netns add a\nip -n a link set lo up\nip -n a link set lo mtu 10\nip -n a addr show lo\n\
         #> 1: lo: <LOOPBACK,UP,LOWER_UP> mtu 10 qdisc noqueue state UNKNOWN group default qlen 1000\n\
         #>     link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n\
         ip -n a addr add 10.0.0.1/8 dev lo\n#> RTNETLINK answers: No buffer space available\n#! exit: 2\n\
         ip -n a link set lo mtu 68\nip -n a addr add 10.0.0.1/8 dev lo\nip -n a addr show lo\n\
         #> 1: lo: <LOOPBACK,UP,LOWER_UP> mtu 68 qdisc noqueue state UNKNOWN group default qlen 1000\n\
         #>     link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n#>     inet 10.0.0.1/8 scope global lo\n\
         #>        valid_lft forever preferred_lft forever\n\
         ip -n a link set lo mtu 65536\nip netns exec a ping -c 1 10.0.0.1\n#! contains: 1 packets transmitted, 1 received, 0% packet loss, time 0ms\n",
    );
}

#[test]
fn sleep_takes_what_gnu_sleep_takes_and_inf_runs_until_nothing_can_happen() {
    // Each command starts a shell's gap (1 ms) after the one before, and the final Ctrl-C
    // one more after the last: a lone sleep ends 2 ms past its own length.
    let end = |text: &str| common::run_text("a.sh", text).unwrap_or_else(|e| panic!("{e}")).end().to_string();
    // GNU's forms: suffixes, exponents, hex; operands add up.
    assert_eq!(end("sleep 1d\n"), "86400.002");
    assert_eq!(end("sleep 1.5m\n"), "90.002");
    assert_eq!(end("sleep 0x10\n"), "16.002");
    assert_eq!(end("sleep 1e3\n"), "1000.002");
    assert_eq!(end("sleep 1 2.5\n"), "3.502");
    // For ever, and longer than virtual time counts: until nothing more can happen (at
    // once, here: the clock stays at 2.002).
    for inf in ["inf", "infinity", "INF", "Infinity", "1e12", "1e400", "99999999999999999999"] {
        assert_eq!(end(&format!("sleep 2\nsleep {inf}\n")), "2.003", "sleep {inf}");
    }
    // A ping's packets and the neighbour timers after it, then quiet; the next step goes on.
    let text = "ip netns add a\nip -n a link set lo up\nip netns exec a ping -c 3 127.0.0.1 &\nsleep inf\nip netns list\n#> a\nsleep infinity\nsleep 1\n";
    let r = common::run_text("a.sh", text).unwrap_or_else(|e| panic!("{e}"));
    assert!(r.failures("a.sh").is_empty());
    // The ping starts at 0.003 and its last reply comes at 2.003; three commands and the
    // final Ctrl-C later it is 3.007.
    assert_eq!(r.end().to_string(), "3.007", "two seconds of pings, then nothing, then `sleep 1`");
    // Sleeps that would pass the end of virtual time never overflow it.
    assert_eq!(end("sleep 15000000000\nsleep 15000000000\nsleep 1\n"), "15000000001.004");
    let ron = "(steps: [(run: Sleep(secs: \"infinity\")), (run: Sleep(secs: \"1.5m\")), (run: Sleep(secs: 2))])";
    let r = common::run_text("a.ron", ron).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.end().to_string(), "92.004");
    // A lab that never goes quiet: a located error naming the job, not a hang.
    let e =
        err("a.sh", "ip netns add a\nip -n a link set lo up\nip netns exec a ping -q -i 10 127.0.0.1 &\nsleep inf\n");
    assert_at(&e, "a.sh", 4, 1, "sleep inf: still busy after 24 h of virtual time");
    assert!(e.contains("%1 (line 3) keep going"), "{e}");
    // What GNU sleep refuses, in its words.
    for (text, col, says) in [
        ("sleep abc\n", 7, "sleep: invalid time interval ‘abc’"),
        ("sleep nan\n", 7, "sleep: invalid time interval ‘nan’"),
        ("sleep 1 5x\n", 9, "sleep: invalid time interval ‘5x’"),
        ("sleep -- -1\n", 10, "sleep: invalid time interval ‘-1’"),
        ("sleep -1\n", 7, "sleep: invalid option -- '1'"),
        ("sleep\n", 6, "sleep: missing operand"),
    ] {
        let e = err("a.sh", text);
        assert_at(&e, "a.sh", 1, col, says);
        // GNU sleep's second line, under the title (annotate-snippets indents it under the
        // first line's text, as rustc does).
        assert!(e.lines().nth(1) == Some("       Try 'sleep --help' for more information."), "{e}");
        assert!(e.contains("= help: sleep takes seconds"), "{e}");
    }
    let e = err("a.ron", "(steps: [(run: Sleep(secs: \"abc\"))])");
    assert!(e.starts_with("error: a.ron:1:") && e.contains("invalid time interval ‘abc’"), "{e}");
}

/// What `nslab check` says of `text`: the front end's errors, else the dry run's.
fn check(name: &str, text: &str) -> Result<(), String> {
    let sc = scenarios::load(name, text).map_err(|e| e.to_string())?;
    scenarios::check(name, text, &sc).map_err(|e| e.to_string())
}

#[test]
fn check_refuses_what_run_refuses_and_reports_every_error() {
    // A foreground ping without -c that would not end: run and check alike.
    let text = "ip netns add a\nip -n a link set lo up\nip netns exec a ping 127.0.0.1\n";
    let e = check("a.sh", text).unwrap_err();
    assert_at(&e, "a.sh", 3, 17, "ping without -c never ends in the foreground");
    assert_at(&err("a.sh", text), "a.sh", 3, 17, "ping without -c never ends in the foreground");
    // One that fails at once is fine in both (README: `ping: connect: Network is unreachable`).
    let text = "ip netns add ns1\nip netns exec ns1 ping 1.1.1.1\n#> ping: connect: Network is unreachable\n";
    check("a.sh", text).unwrap();
    holds("a.sh", text);
    // `wait` for a job that never ends by itself, unless it was killed first.
    for job in ["tcpdump -n -i lo &", "ping 127.0.0.1 &", "conntrack -E &"] {
        let text = format!("ip netns add a\nip -n a link set lo up\nip netns exec a {job}\nwait\n");
        assert_at(&check("a.sh", &text).unwrap_err(), "a.sh", 4, 1, "wait: background jobs never end");
        check("a.sh", &text.replace("wait\n", "kill %1\nwait\n")).unwrap();
    }
    check("a.sh", "ip netns add a\nip netns exec a ping 192.0.2.1 &\nwait\n").unwrap();
    // Every error, one after another, in file order: what the front end cannot read…
    let text = "ip netns add a\npign 1.1.1.1\n#> output of the refused line\n#! exit: 1\nip netns list\nip link set\nsleep abc\n";
    let e = check("a.sh", text).unwrap_err();
    assert_at(&e, "a.sh", 2, 1, "unknown command `pign`");
    assert!(e.contains("\n\nerror: a.sh:6:"), "{e}");
    assert!(e.contains("\n\nerror: a.sh:7:7: sleep: invalid time interval ‘abc’"), "{e}");
    assert!(e.ends_with("error: 3 errors in a.sh"), "{e}");
    // …then, once it reads, what the dry run refuses.
    let text = "ip netns add a\nip link set nope up\nip addr add 192.0.2.1/24 dev nope2\nip netns add a\n\
                ip -n a link set lo up\nip netns exec a ping 127.0.0.1\nkill %1\n";
    let e = check("a.sh", text).unwrap_err();
    assert_at(&e, "a.sh", 2, 13, "Cannot find device \"nope\"");
    for (line, col, says) in [
        (3, 30, "Cannot find device \"nope2\""),
        (4, 1, "Cannot create namespace file \"/run/netns/a\": File exists"),
        (6, 17, "ping without -c never ends in the foreground"),
        (7, 1, "kill: %1: no such job"),
    ] {
        assert!(e.contains(&format!("\n\nerror: a.sh:{line}:{col}: {says}")), "{line}:{col} {says}:\n{e}");
    }
    assert!(e.ends_with("error: 5 errors in a.sh"), "{e}");
    // `nslab run` and `nslab check` print them all before running anything.
    let scratch = Scratch::new("all");
    let path = scratch.file("many.sh", text.as_bytes());
    for cmd in ["run", "check"] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_nslab"))
            .args([cmd, path.to_str().unwrap()])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(":7:1: kill: %1: no such job") && stderr.contains("5 errors in"), "{cmd}: {stderr}");
        assert!(out.stdout.is_empty(), "{cmd} ran something: {}", String::from_utf8_lossy(&out.stdout));
        assert_ne!(out.status.code(), Some(0));
    }
}

#[test]
fn bridge_link_beyond_show_is_refused_where_it_is_written() {
    let e = err("a.sh", "ip netns add sw\nip netns exec sw bridge link set dev p1 guard on\n");
    assert_at(&e, "a.sh", 2, 41, "not supported yet: bridge link set … guard");
    let e = err("a.sh", "ip netns add sw\nip netns exec sw bridge link monitor\n");
    assert_at(&e, "a.sh", 2, 30, "not supported yet: bridge link monitor");
    let e = err("a.sh", "ip netns add sw\nip netns exec sw bridge link show dev p1 dev p2\n");
    assert_at(&e, "a.sh", 2, 46, "not supported yet: bridge link show with a second `dev p2`");
    let e = err("a.sh", "ip netns add sw\nip netns exec sw bridge vlan show\n");
    assert_at(&e, "a.sh", 2, 25, "not supported yet: bridge vlan");
    assert!(e.contains("`bridge link show [dev DEV]`"), "{e}");
}

/// IPv6 where IPv4 is required and the reverse, a length past 128, a duplicate address:
/// refused as iproute2 refuses them, at the word.
#[test]
fn ipv6_addresses_iproute2_refuses() {
    let e = err("a.sh", &format!("{SETUP}ip -6 addr add 10.0.0.1/24 dev ns1-veth0\n"));
    assert_at(&e, "a.sh", 4, 16, "Error: inet6 prefix is expected rather than \"10.0.0.1/24\".");
    let e = err("a.sh", &format!("{SETUP}ip addr add 2001:db8::1/129 dev ns1-veth0\n"));
    assert_at(&e, "a.sh", 4, 13, "Error: any valid prefix is expected rather than \"2001:db8::1/129\".");
    let e = err("a.sh", &format!("{SETUP}ip -6 addr add 2001:db8::1/129 dev ns1-veth0\n"));
    assert_at(&e, "a.sh", 4, 16, "Error: inet6 prefix is expected rather than \"2001:db8::1/129\".");
    let e = err("a.sh", &format!("{SETUP}ip -4 addr add 2001:db8::5/64 dev ns1-veth0\n"));
    assert!(e.contains("Error: inet prefix is expected rather than \"2001:db8::5/64\"."), "{e}");
    let e = err("a.sh", &format!("{SETUP}ip addr add 2001:db8::5/64 brd + dev ns1-veth0\n"));
    assert!(e.contains("Broadcast can be set only for IPv4 addresses"), "{e}");
    let e = err(
        "a.sh",
        &format!("{SETUP}ip -6 addr add 2001:db8::5/64 dev ns1-veth0\nip -6 addr add 2001:db8::5/64 dev ns1-veth0\n"),
    );
    assert_at(&e, "a.sh", 5, 1, "Error: ipv6: address already assigned.");
    let e = err("a.ron", "(steps: [(run: Ip6(AddrAdd(addr: \"2001:db8::1/200\", dev: \"lo\")))])");
    assert!(e.lines().next().unwrap().starts_with("error: a.ron:1:"), "{e}");
    assert!(e.contains("the prefix is 0 to 128"), "{e}");
}

/// `ip neigh` with an address of the wrong family, or none: iproute2's words.
#[test]
fn neighbour_addresses_iproute2_refuses() {
    let e = err("a.sh", &format!("{SETUP}ip -6 neigh add 10.0.0.5 lladdr 02:00:00:00:00:05 dev ns1-veth0\n"));
    assert!(e.contains("a.sh:4:") && e.contains("Error: inet6 address is expected rather than \"10.0.0.5\"."), "{e}");
    let e = err("a.sh", &format!("{SETUP}ip -4 neigh add 2001:db8::6 lladdr 02:00:00:00:00:05 dev ns1-veth0\n"));
    assert!(e.contains("a.sh:4:") && e.contains("Error: inet address is expected rather than \"2001:db8::6\"."), "{e}");
    let e = err("a.sh", &format!("{SETUP}ip neigh add foo lladdr 02:00:00:00:00:05 dev ns1-veth0\n"));
    assert!(e.contains("Error: any valid address is expected rather than \"foo\"."), "{e}");
    let e = err("a.sh", &format!("{SETUP}ip -6 neigh add 2001:db8::7 dev ns1-veth0\n"));
    assert_at(&e, "a.sh", 4, 1, "Error: No link layer address given.");
}

/// ping's family options against its destination and its source, and a scope on an IPv4
/// address: iputils' words.
#[test]
fn ping_families_iputils_refuses() {
    let e = err("a.sh", &format!("{SETUP}ip netns exec ns1 ping -6 -c 1 192.0.2.1\n"));
    assert_at(&e, "a.sh", 4, 32, "ping: 192.0.2.1: Address family for hostname not supported");
    let e = err("a.sh", &format!("{SETUP}ip netns exec ns1 ping -4 2001:db8::1\n"));
    assert_at(&e, "a.sh", 4, 27, "ping: 2001:db8::1: Address family for hostname not supported");
    let e = err("a.sh", &format!("{SETUP}ip netns exec ns1 ping6 -c 1 192.0.2.1\n"));
    assert!(e.contains("Address family for hostname not supported"), "{e}");
    let e = err("a.sh", &format!("{SETUP}ip netns exec ns1 ping -I 2001:db8::1 192.0.2.2\n"));
    assert!(e.contains("not supported yet: ping -I with an address of the other family"), "{e}");
    let e = err("a.sh", &format!("{SETUP}ip netns exec ns1 ping 192.0.2.2%ns1-veth0\n"));
    assert!(e.contains("ping: 192.0.2.2%ns1-veth0: Name or service not known"), "{e}");
}

/// `ip -6 route add|del` refused as the kernel refuses them.
#[test]
fn ipv6_routes_the_kernel_refuses() {
    let up = format!(
        "{SETUP}ip link set ns1-veth0 up\nip link set ns2-veth0 up\nip -6 addr add 2001:db8::1/64 dev ns1-veth0\n"
    );
    let e = err("a.sh", &format!("{up}ip -6 route add default via fe80::1\n"));
    assert_at(&e, "a.sh", 7, 1, "Error: Egress device not specified.");
    // The family is the first address's, in the order given (iproute2's iproute_modify).
    let e = err("a.sh", &format!("{up}ip route add 10.0.0.0/24 via 2001:db8::1\n"));
    assert_at(&e, "a.sh", 7, 30, "Error: inet address is expected rather than \"2001:db8::1\".");
    let e = err("a.sh", &format!("{up}ip route add 2001:db8:5::/64 via 10.0.0.1\n"));
    assert_at(&e, "a.sh", 7, 34, "Error: inet6 address is expected rather than \"10.0.0.1\".");
    let e = err("a.sh", &format!("{up}ip -6 route add 2001:db8::/129 dev ns1-veth0\n"));
    assert_at(&e, "a.sh", 7, 17, "Error: inet6 prefix is expected rather than \"2001:db8::/129\".");
    let e = err("a.sh", &format!("{up}ip -6 route get 10.0.0.1\n"));
    assert_at(&e, "a.sh", 7, 17, "Error: inet6 prefix is expected rather than \"10.0.0.1\".");
    let e = err("a.sh", &format!("{up}ip route get 10.0.0.1 from 2001:db8::1\n"));
    assert_at(&e, "a.sh", 7, 28, "Error: inet prefix is expected rather than \"2001:db8::1\".");
    let e = err("a.sh", &format!("{up}ip route get foo\n"));
    assert_at(&e, "a.sh", 7, 14, "Error: any valid prefix is expected rather than \"foo\".");
    // On a device whose IPv6 is off.
    let off = format!("{up}sysctl -w net.ipv6.conf.ns2-veth0.disable_ipv6=1\n");
    let e = err("a.sh", &format!("{off}ip -6 route add 2001:db8:7::/64 dev ns2-veth0\n"));
    assert_at(&e, "a.sh", 8, 1, "Error: IPv6 is disabled on nexthop device.");
    let e = err("a.sh", &format!("{off}ip -6 addr add 2001:db8:7::1/64 dev ns2-veth0\n"));
    assert_at(&e, "a.sh", 8, 1, "Error: ipv6: IPv6 is disabled on this device.");
    // A group is no address (Linux 6.18); on a device whose IPv6 is off, that is named first.
    let e = err("a.sh", &format!("{off}ip -6 addr add ff02::5/128 dev ns2-veth0\n"));
    assert_at(&e, "a.sh", 8, 1, "Error: ipv6: IPv6 is disabled on this device.");
    let e = err("a.sh", &format!("{up}ip -6 addr add ff02::5/128 dev ns2-veth0\n"));
    assert_at(&e, "a.sh", 7, 1, "Error: ipv6: Cannot assign multicast address without \"IFA_F_MCAUTOJOIN\" flag.");
    let e = err("a.sh", &format!("{up}ip -6 route add 2001:db8:5::/64 via 2001:db8:9::1\n"));
    assert_at(&e, "a.sh", 7, 1, "RTNETLINK answers: No route to host");
    let twice = "ip -6 route add default via fe80::1 dev ns1-veth0\n";
    let e = err("a.sh", &format!("{up}{twice}{twice}"));
    assert_at(&e, "a.sh", 8, 1, "RTNETLINK answers: File exists");
    let e = err("a.sh", &format!("{up}ip -6 route del default via fe80::1 dev ns1-veth0\n"));
    assert_at(&e, "a.sh", 7, 1, "RTNETLINK answers: No such process");
}

/// ncat's family options against its host: each refused at its word.
#[test]
fn nc_families_ncat_refuses() {
    let e = err("a.sh", &format!("{SETUP}echo hi | ip netns exec ns1 nc -4 -u 2001:db8::1 5000\n"));
    assert_at(
        &e,
        "a.sh",
        4,
        38,
        "Ncat: Could not resolve hostname \"2001:db8::1\": Address family for hostname not supported. QUITTING.",
    );
    let e = err("a.sh", &format!("{SETUP}echo hi | ip netns exec ns1 nc -6 -u 10.0.0.1 5000\n"));
    assert!(e.contains("Could not resolve hostname \"10.0.0.1\": Address family for hostname not supported"), "{e}");
}

/// curl's IPv6 literals: a bracket left open, text after it, or no IPv6 address in it is
/// curl's error 3, at the URL.
#[test]
fn curl_ipv6_literals_curl_refuses() {
    for url in ["http://[2001:db8::1/", "http://[2001:db8::1]x/", "http://[fe80::zz]/"] {
        let e = err("a.sh", &format!("{SETUP}ip netns exec ns1 curl {url}\n"));
        assert_at(&e, "a.sh", 4, 24, "curl: (3) URL using bad/illegal format or missing URL");
    }
    let e = err("a.sh", &format!("{SETUP}ip netns exec ns1 curl http://[2001:db8::1]:x/\n"));
    assert_at(&e, "a.sh", 4, 24, "curl: (3) URL using bad/illegal format or missing URL: port `x`");
}

/// traceroute's family options against its destination: traceroute 2.1's words.
#[test]
fn traceroute_families_traceroute_refuses() {
    let e = err("a.sh", &format!("{SETUP}ip netns exec ns1 traceroute -4 2001:db8::1\n"));
    assert_at(&e, "a.sh", 4, 33, "2001:db8::1: Address family for hostname not supported");
    let e = err("a.sh", &format!("{SETUP}ip netns exec ns1 traceroute6 -n 192.0.2.2\n"));
    assert_at(&e, "a.sh", 4, 34, "192.0.2.2: Address family for hostname not supported");
    let e = err("a.sh", &format!("{SETUP}ip netns exec ns1 traceroute -6 nosuch.example\n"));
    assert!(e.contains("nosuch.example: Name or service not known"), "{e}");
}

/// `ip -6 route show default` (a selector nslab does not take yet) is refused as such, not
/// read as a device name.
#[test]
fn ip6_route_show_selector_refused() {
    let e = err("a.sh", &format!("{SETUP}ip netns exec ns1 ip -6 route show default\n"));
    assert_at(&e, "a.sh", 4, 36, "not supported yet: ip -6 route show default");
    assert!(e.contains("optionally `dev DEV`"), "{e}");
}

/// A file outside the lab's directory, or a size GNU truncate would read relative to the
/// file, is refused from every front end (kernel mode would write the host's file): RON
/// builds `Truncate` without the shell front end's checks, so validation makes them. curl's
/// `-w` variables likewise.
#[test]
fn a_file_outside_the_labs_directory_is_refused_from_ron_too() {
    let ron = |run: &str| format!("(steps: [\n    (run: {run}),\n])\n");
    for (run, says) in [
        (r#"Truncate(size: "0", file: "/etc/passwd")"#, "no `/`"),
        (r#"Truncate(size: "1K", file: "..")"#, "not a file name"),
        (r#"Truncate(size: "<1K", file: "blob")"#, "truncate: Invalid number: ‘<1K’"),
        (r#"Truncate(size: "9E", file: "blob")"#, "truncate: Invalid number: ‘9E’"),
        (r#"Curl(write_out: "%{local_ip}", url: "http://192.0.2.1/")"#, "not supported yet: curl -w %{local_ip}"),
    ] {
        let e = err("bad.ron", &ron(run));
        assert!(e.contains("bad.ron:2:"), "{run}: {e}");
        assert!(e.contains(says), "{run}: {e}");
    }
    let e = err("bad.sh", "truncate -s 1K ../x\n");
    assert_at(&e, "bad.sh", 1, 16, "no `/`");
}
