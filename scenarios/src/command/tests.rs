//! Tests of the vocabulary: parsing and rendering commands.

use super::*;
use sim_core::Duration;

#[test]
fn cidr_requires_prefix_unless_defaulted() {
    assert_eq!("192.0.2.1/24".parse::<Cidr>().unwrap().prefix, 24);
    assert_eq!("192.0.2.1".parse::<Cidr>(), Err(CidrError::NoPrefix("192.0.2.1".into())));
    assert_eq!(Cidr::parse("192.0.2.1", Some(32)).unwrap().prefix, 32);
    assert!("192.0.2.1/33".parse::<Cidr>().is_err());
    assert!("foo/24".parse::<Cidr>().is_err());
}

#[test]
fn commands_render_as_shell() {
    let s = Step {
        ns: Some("ns1".into()),
        ..Step::new(
            None,
            Command::Ping(PingCmd {
                dest: "192.0.2.2".parse().unwrap(),
                count: Some(3),
                interval: Some(Secs(Duration::from_millis(200))),
                bind: Some("192.0.2.1".into()),
                wait: None,
                ttl: None,
                size: None,
                quiet: false,
                broadcast: false,
                pmtudisc: None,
                flood: false,
                scope: None,
                family: Some(4),
            }),
        )
    };
    assert_eq!(s.shell_line(), "ip netns exec ns1 ping -c 3 -i 0.2 -4 192.0.2.2 -I 192.0.2.1");
    let r = Command::RouteAdd(RouteArgs {
        to: Cidr { addr: Ipv4Addr::UNSPECIFIED, prefix: 0 },
        via: Some("192.0.2.254".parse().unwrap()),
        dev: None,
        metric: None,
        src: None,
        proto: None,
        onlink: false,
    });
    assert_eq!(r.to_string(), "ip route add default via 192.0.2.254");
}

#[test]
fn argv_keeps_every_word_whole() {
    let hostile = "a b;$(touch /tmp/x)`id`'\"&|#*";
    let sysctl = Command::Sysctl { key: hostile.into(), value: Some("1 2".into()), out: SysctlOut::Lines };
    assert_eq!(sysctl.argv(), ["sysctl", "-w", &format!("{hostile}=1 2")]);
    let read = Command::Sysctl { key: hostile.into(), value: None, out: SysctlOut::Values };
    assert_eq!(read.argv(), ["sysctl", "-n", hostile]);
    let show = Command::AddrShow {
        dev: Some(hostile.into()),
        inet: false,
        stats: false,
        errors: false,
        details: false,
        fmt: Format::Text,
        color: false,
    };
    assert_eq!(show.argv(), ["ip", "addr", "show", "dev", hostile]);
    let br = Command::Brctl(Brctl::Addif(hostile.into(), "x y".into()));
    assert_eq!(br.argv(), ["brctl", "addif", hostile, "x y"]);
    let add = Command::NetnsAdd { name: hostile.into() };
    assert_eq!(add.argv(), ["ip", "netns", "add", hostile]);
    let flush = Command::NeighFlush { dev: Some("".into()) };
    let set = Command::NeighSet(NeighSetCmd {
        op: NeighOp::Add,
        addr: Ipv4Addr::new(192, 0, 2, 9).into(),
        lladdr: Some(sim_core::MacAddr([0, 0, 0x5e, 0, 0x53, 9])),
        dev: hostile.into(),
        nud: Some(NeighNud::Stale),
    });
    assert_eq!(
        set.argv(),
        ["ip", "neigh", "add", "192.0.2.9", "lladdr", "00:00:5e:00:53:09", "dev", hostile, "nud", "stale"]
    );
    assert_eq!(flush.argv(), ["ip", "neigh", "flush", "dev", ""]);
    let set6 = Command::NeighSet(NeighSetCmd {
        op: NeighOp::Del,
        addr: "2001:db8::9".parse().unwrap(),
        lladdr: None,
        dev: hostile.into(),
        nud: None,
    });
    assert_eq!(set6.argv(), ["ip", "neigh", "del", "2001:db8::9", "dev", hostile]);
}

#[test]
fn a_steps_words_point_errors_at_the_word_they_name() {
    let at = |col| Span { line: 3, col, len: 3 };
    let words: Vec<(String, Span)> = [("ip", 1), ("addr", 4), ("--dhcp-range=a,b", 9), ("", 26), ("dev", 28)]
        .map(|(w, c)| (w.to_string(), at(c)))
        .to_vec();
    let mut step = Step::new(None, Command::Wait);
    step.span = Span { line: 3, col: 1, len: 30 };
    step.words = words.as_slice().into();
    let back: Vec<(&str, Span)> = step.words.iter().collect();
    assert_eq!(back, words.iter().map(|(w, s)| (w.as_str(), *s)).collect::<Vec<_>>());
    assert_eq!(step.locate("dev"), at(28));
    assert_eq!(step.locate("a,b"), at(9));
    assert_eq!(step.locate("nowhere"), step.span);
    assert_eq!(StepWords::default().iter().count(), 0);
}
