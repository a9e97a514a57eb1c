//! IPv6 through the same netfilter: `ip6tables` read and refused as ip6tables 1.8.9 does
//! (its messages measured on the reference machine), IPv6 packets rewritten by NAT with
//! their checksums right, ICMPv6 tracked as `nf_conntrack_proto_icmpv6` tracks it, and
//! `conntrack -f` choosing a family.

use super::cli::{Op, parse, parse_family};
use super::conntrack::{Conntrack, CtFilter, Dir, Tuple};
use super::nat::{self, Manip, Seen};
use super::rule::{RejectWith, Target};
use super::{CtCmd, Family, parse_conntrack};
use crate::netns::ipv6::packet;
use std::net::{IpAddr, Ipv6Addr};

fn p6(s: &str) -> Result<super::Cmd, super::CliError> {
    parse_family(&s.split_whitespace().collect::<Vec<_>>(), Family::V6)
}

fn rule(s: &str) -> super::rule::Rule {
    match p6(s).unwrap().op {
        Op::Append(_, r) => *r,
        o => panic!("{o:?}"),
    }
}

#[test]
fn ip6tables_reads_its_own_words() {
    let r = rule("-A INPUT -s 2001:db8::/32 -p icmpv6 --icmpv6-type neighbor-solicitation -j ACCEPT");
    assert_eq!(r.src.unwrap().v.to_string(), "2001:db8::/32");
    assert_eq!((r.proto.unwrap().v, r.icmp_type.unwrap().v), (58, (135, None)));
    assert_eq!(rule("-A INPUT -j REJECT").target, Target::Reject(RejectWith::PortUnreach6));
    assert_eq!(rule("-A INPUT -j REJECT --reject-with no-route").target, Target::Reject(RejectWith::NoRoute6));
    // A mask as an address; a bare DNAT address with colons is an address, not a port.
    assert_eq!(rule("-A INPUT -d 2001:db8::/ffff:ffff:: -j DROP").dst.unwrap().v.prefix, 32);
    let d = rule("-t nat -A PREROUTING -j DNAT --to-destination 2001:db8::1:80").target;
    assert_eq!(d, Target::Dnat { to: "2001:db8::1:80".parse().unwrap(), ports: None });
    let d = rule("-t nat -A PREROUTING -p tcp -j DNAT --to-destination [2001:db8::1]:80").target;
    assert_eq!(d, Target::Dnat { to: "2001:db8::1".parse().unwrap(), ports: Some((80, 80)) });
    // `-p icmp` is taken silently, as ip6tables takes it.
    assert_eq!(rule("-A INPUT -p icmp -j ACCEPT").proto.unwrap().v, 1);
}

#[test]
fn ip6tables_refuses_as_ip6tables_does() {
    let e = |s: &str| p6(s).unwrap_err();
    let try_line = "\nTry `ip6tables -h' or 'ip6tables --help' for more information.";
    assert_eq!(
        e("-A INPUT -s 10.0.0.1 -j ACCEPT").message,
        format!("ip6tables v1.8.9 (nf_tables): host/network `10.0.0.1' not found{try_line}")
    );
    assert_eq!(
        e("-A INPUT -s 2001:db8::/129 -j ACCEPT").message,
        format!("ip6tables v1.8.9 (nf_tables): invalid mask `129' specified{try_line}")
    );
    assert!(
        e("-A INPUT -p icmpv6 --icmp-type echo-request -j ACCEPT").message.contains("unknown option \"--icmp-type\"")
    );
    assert!(e("-A INPUT -p icmpv6 --icmpv6-type bogus -j ACCEPT").message.contains("Unknown ICMPv6 type `bogus'"));
    assert!(
        e("-A INPUT -j REJECT --reject-with icmp-port-unreachable")
            .message
            .contains("unknown reject type \"icmp-port-unreachable\"")
    );
    assert!(e("-t nat -A POSTROUTING -j SNAT --to-source 10.0.0.1").message.contains("Bad IP address \"10.0.0.1\""));
    assert!(
        e("-t nat -A POSTROUTING -j SNAT --to-source [2001:db8:2::1]:1000-2000")
            .message
            .contains("Need TCP, UDP, SCTP or DCCP with port specification")
    );
    assert!(e("-A INPUT -p tcp -j REJECT --reject-with tcp-reset").message.contains("not supported yet"));
    assert_eq!(e("-A INPUT -s 10.0.0.1 -j ACCEPT").status, 2);
    // And iptables the other way round.
    let v4 = |s: &str| parse(&s.split_whitespace().collect::<Vec<_>>()).unwrap_err().message;
    assert!(
        v4("-A INPUT -s 2001:db8::1 -j ACCEPT").contains("iptables v1.8.9 (nf_tables): host/network `2001:db8::1'")
    );
    assert!(v4("-A INPUT -s 10.0.0.0/33 -j ACCEPT").contains("invalid mask `33' specified"));
    assert!(v4("-t nat -A POSTROUTING -j MASQUERADE --to-ports 1000").contains("Need TCP, UDP"));
}

/// An IPv6 packet with a transport header (`body`, its checksum filled in).
fn packet6(src: &str, dst: &str, next: u8, mut body: Vec<u8>) -> Vec<u8> {
    let (s, d): (Ipv6Addr, Ipv6Addr) = (src.parse().unwrap(), dst.parse().unwrap());
    let at = match next {
        58 => 2,
        17 => 6,
        _ => 16,
    };
    body[at..at + 2].fill(0);
    let c = packet::checksum6(s, d, next, &body);
    body[at..at + 2].copy_from_slice(&c.to_be_bytes());
    let mut p = Vec::new();
    packet::header(&mut p, (s, d), next, 64, 0, body.len());
    p.extend(body);
    p
}

fn sum_ok(p: &[u8]) -> bool {
    packet::checksum6(packet::addr(p, 8), packet::addr(p, 24), p[6], &p[40..]) == 0
}

#[test]
fn masquerade_of_an_ipv6_echo_and_its_error() {
    let mut ct = Conntrack::default();
    let mut rng = sim_core::rng::stream(1, "t");
    let echo = packet6("2001:db8:1::2", "2001:db8:2::1", 58, vec![128, 0, 0, 0, 0x12, 0x34, 0, 1, 9, 9]);
    let Seen::Flow(t, true) = nat::classify(&echo) else { panic!() };
    assert_eq!((t.proto, t.sport, t.dport), (58, 0x1234, 128 << 8));
    let id = ct.create(t, sim_core::Instant::ZERO, 30);
    let to: IpAddr = "2001:db8:2::254".parse().unwrap();
    let r = nat::snat_reply(&ct, &t, &t.invert(), to, None, &mut rng).unwrap();
    assert_eq!((r.src, r.dst, r.sport, r.dport >> 8), (t.dst, to, 0x1234, 129));
    ct.set_reply(id, r);
    ct.confirm(id);
    let e = ct.get(id).unwrap().clone();
    let mut out = echo.clone();
    nat::apply(&mut out, &e, Dir::Orig, Manip::Src);
    assert_eq!(packet::addr(&out, 8), "2001:db8:2::254".parse::<Ipv6Addr>().unwrap());
    assert!(sum_ok(&out), "the ICMPv6 checksum covers the new source");
    // The reply finds the connection and goes back to the LAN host.
    let back = packet6("2001:db8:2::1", "2001:db8:2::254", 58, vec![129, 0, 0, 0, 0x12, 0x34, 0, 1, 9, 9]);
    let Seen::Flow(bt, false) = nat::classify(&back) else { panic!() };
    assert_eq!(ct.find(&bt), Some((id, Dir::Reply)));
    let mut inb = back.clone();
    nat::apply(&mut inb, &e, Dir::Reply, Manip::Dst);
    assert_eq!(packet::addr(&inb, 24), "2001:db8:1::2".parse::<Ipv6Addr>().unwrap());
    assert!(sum_ok(&inb));
    // An error quoting the translated request is about the connection, and both its
    // outer destination and the quoted source go back.
    let mut err = vec![1, 4, 0, 0, 0, 0, 0, 0];
    err.extend_from_slice(&out);
    let err = packet6("2001:db8:2::1", "2001:db8:2::254", 58, err);
    let Seen::Error(inner) = nat::classify(&err) else { panic!() };
    assert_eq!(ct.find(&inner.invert()), Some((id, Dir::Reply)));
    let mut e2 = err.clone();
    nat::apply_error(&mut e2, &e, Dir::Reply, Manip::Dst);
    assert_eq!(packet::addr(&e2, 24), "2001:db8:1::2".parse::<Ipv6Addr>().unwrap());
    assert_eq!(packet::addr(&e2, 48 + 8), "2001:db8:1::2".parse::<Ipv6Addr>().unwrap());
    assert!(sum_ok(&e2));
}

#[test]
fn udp_over_ipv6_keeps_its_port_and_checksum() {
    let mut ct = Conntrack::default();
    let mut rng = sim_core::rng::stream(1, "t");
    let udp = packet6("2001:db8:1::2", "2001:db8:2::1", 17, vec![0x9c, 0x40, 0, 53, 0, 10, 0, 0, b'h', b'i']);
    let Seen::Flow(t, true) = nat::classify(&udp) else { panic!() };
    let id = ct.create(t, sim_core::Instant::ZERO, 30);
    let r = nat::snat_reply(&ct, &t, &t.invert(), "2001:db8:2::254".parse().unwrap(), None, &mut rng).unwrap();
    assert_eq!(r.dport, 40000, "the port is kept while free");
    ct.set_reply(id, r);
    ct.confirm(id);
    let mut out = udp.clone();
    nat::apply(&mut out, ct.get(id).unwrap(), Dir::Orig, Manip::Src);
    assert!(sum_ok(&out));
}

#[test]
fn neighbour_discovery_is_untracked_and_a_lone_reply_invalid() {
    for ty in [133, 134, 135, 136, 143] {
        let nd = packet6("fe80::1", "ff02::1", 58, vec![ty, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(nat::classify(&nd), Seen::Untracked, "type {ty}");
    }
    let reply = packet6("2001:db8::1", "2001:db8::2", 58, vec![129, 0, 0, 0, 0, 1, 0, 1]);
    assert!(matches!(nat::classify(&reply), Seen::Flow(_, false)));
    let other = packet6("2001:db8::1", "2001:db8::2", 58, vec![200, 0, 0, 0, 0, 1, 0, 1]);
    assert!(matches!(nat::classify(&other), Seen::Flow(_, false)));
}

#[test]
fn conntrack_chooses_a_family() {
    let c = |s: &str| parse_conntrack(&s.split_whitespace().collect::<Vec<_>>());
    let CtCmd::List(f) = c("-L -f ipv6").unwrap() else { panic!() };
    assert_eq!(f.family, Some(Family::V6));
    let CtCmd::List(f) = c("-L -s 2001:db8:1::/64 -p icmpv6").unwrap() else { panic!() };
    assert_eq!((f.family, f.proto), (Some(Family::V6), Some(58)));
    assert_eq!(c("-E -f ipv4").unwrap(), CtCmd::Events(Some(Family::V4), None));
    let e = c("-L -f ipv4 -s 2001:db8:1::2").unwrap_err();
    assert!(e.message.starts_with("conntrack v1.4.7 (conntrack-tools): mismatched address family\nTry"));
    assert_eq!(e.status, 2);
    // Without -f, both families.
    let v4 =
        Tuple { proto: 1, src: "10.0.0.1".parse().unwrap(), dst: "10.0.0.2".parse().unwrap(), sport: 1, dport: 8 << 8 };
    let v6 = Tuple {
        src: "2001:db8::1".parse().unwrap(),
        dst: "2001:db8::2".parse().unwrap(),
        proto: 58,
        dport: 128 << 8,
        ..v4
    };
    let mut ct = Conntrack::default();
    for t in [v4, v6] {
        let id = ct.create(t, sim_core::Instant::ZERO, 30);
        ct.confirm(id);
    }
    let all = CtFilter::default();
    let six = CtFilter { family: Some(Family::V6), ..all };
    assert_eq!(ct.confirmed().filter(|e| all.matches(e)).count(), 2);
    assert_eq!(ct.confirmed().filter(|e| six.matches(e)).map(|e| e.orig.proto).collect::<Vec<_>>(), [58]);
    assert!(super::conntrack::list_line(ct.confirmed().nth(1).unwrap(), sim_core::Instant::ZERO)
        .starts_with("icmpv6   58 30 src=2001:db8::1 dst=2001:db8::2 type=128 code=0 id=1 [UNREPLIED] src=2001:db8::2 dst=2001:db8::1 type=129 code=0 id=1"));
}
