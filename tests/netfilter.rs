//! iptables, conntrack and NAT in virtual time: timeouts from the sysctls, a day of flows
//! through a NAT with its table staying small, FORWARD policies and state matches, REJECT,
//! DNAT, and ICMP errors about NATed packets finding their way back.

mod common;

use nslab::sim_core::{Duration, Instant, Record};
use nslab::sim_nodes::Lab;
use nslab::sim_nodes::proc::{Ping, PingArgs};

/// E8's three namespaces (lan - router - wan), forwarding on, routes both ways.
const TOPOLOGY: &str = "ip netns add lan\nip netns add router\nip netns add wan\n\
    ip link add lan-veth0 type veth peer name gw-veth0\nip link add wan-veth0 type veth peer name gw-veth1\n\
    ip link set lan-veth0 netns lan\nip link set gw-veth0 netns router\nip link set gw-veth1 netns router\nip link set wan-veth0 netns wan\n\
    ip -n lan link set lan-veth0 up\nip -n router link set gw-veth0 up\nip -n router link set gw-veth1 up\nip -n wan link set wan-veth0 up\n\
    ip -n router addr add 192.0.2.254/24 dev gw-veth0\nip -n router addr add 203.0.113.254/24 dev gw-veth1\n\
    ip netns exec router sysctl -w net.ipv4.ip_forward=1\n\
    ip -n lan addr add 192.0.2.1/24 dev lan-veth0\nip -n lan route add default via 192.0.2.254\n\
    ip -n wan addr add 203.0.113.1/24 dev wan-veth0\n";

fn out(r: &nslab::scenarios::run::sim::Run, step_starts: &str) -> Vec<String> {
    let i = r.steps.iter().position(|s| s.text.starts_with(step_starts)).expect("step");
    r.rendered.steps[i].output.clone()
}

#[test]
fn a_short_icmp_timeout_destroys_the_entry_after_three_seconds() {
    let text = format!(
        "{TOPOLOGY}ip netns exec router sysctl -w net.netfilter.nf_conntrack_icmp_timeout=3\n\
         ip netns exec router iptables -t nat -A POSTROUTING -o gw-veth1 -j MASQUERADE\n\
         ip netns exec router conntrack -E &\nip netns exec lan ping -c 1 203.0.113.1\nsleep 10\n"
    );
    let r = common::run_text("timeout.sh", &text).unwrap();
    let lines = out(&r, "conntrack -E");
    assert!(lines[0].starts_with("    [NEW] icmp     1 3 src=192.0.2.1"), "{lines:#?}");
    assert!(lines[1].starts_with(" [UPDATE] icmp     1 3 "), "{lines:#?}");
    assert!(lines[2].starts_with("[DESTROY] icmp     1 src=192.0.2.1"), "{lines:#?}");
    // When: 3 s after the reply, the last packet of the flow.
    let times: Vec<Instant> = r
        .records()
        .iter()
        .filter_map(|rec| match rec {
            Record::Output { at, ns, line, .. } if ns == "router" && line.contains("icmp     1") => Some(*at),
            _ => None,
        })
        .collect();
    let lived = times[2].saturating_since(times[1]);
    assert_eq!(lived, Duration::from_secs(3), "destroyed 3 s after the reply");
}

#[test]
fn a_day_of_flows_through_a_nat_keeps_the_table_small() {
    let text = format!("{TOPOLOGY}ip netns exec router iptables -t nat -A POSTROUTING -o gw-veth1 -j MASQUERADE\n");
    let r = common::run_text("day.sh", &text).unwrap();
    let mut lab: Lab = r.lab;
    let lan = lab.ns(Some("lan")).unwrap();
    let router = lab.ns(Some("router")).unwrap();
    let mut biggest = 0;
    let mut flows = 0u32;
    let day = Instant::from_secs(24 * 3600);
    while lab.world().now() < day {
        // A new ping (a new ICMP id: a new flow) every 10 s, each answered.
        let mut a = PingArgs::new("203.0.113.1".parse::<std::net::Ipv4Addr>().unwrap());
        a.count = Some(1);
        lab.spawn(lan, Box::new(Ping::new(a)));
        flows += 1;
        let next = lab.world().now() + Duration::from_secs(10);
        lab.world_mut().run_until(next).unwrap();
        biggest = biggest.max(lab.netns(router).conntrack_len());
    }
    assert!(flows >= 8000, "{flows} flows");
    // ICMP entries live 30 s after their last packet: at most 3-4 at any time.
    assert!(biggest <= 4, "the table grew to {biggest}");
    lab.world_mut().run_until(day + Duration::from_secs(60)).unwrap();
    assert_eq!(lab.netns(router).conntrack_len(), 0, "all expired");
    assert_eq!(lab.netns(router).nat_exhausted(), 0);
}

#[test]
fn forward_policy_drop_with_a_state_rule_lets_answers_back_only() {
    let text = format!(
        "{TOPOLOGY}ip -n wan route add default via 203.0.113.254\n\
         ip netns exec router iptables -P FORWARD DROP\n\
         ip netns exec router iptables -A FORWARD -i gw-veth0 -o gw-veth1 -j ACCEPT\n\
         ip netns exec router iptables -A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\n\
         ip netns exec lan ping -c 2 203.0.113.1\n\
         ip netns exec wan ping -c 2 -W 1 192.0.2.1\n\
         ip netns exec router iptables -L FORWARD -v -n\n"
    );
    let r = common::run_text("fwd.sh", &text).unwrap();
    assert!(out(&r, "ping -c 2 203.0.113.1").iter().any(|l| l.starts_with("2 packets transmitted, 2 received")));
    assert!(out(&r, "ping -c 2 -W 1 192.0.2.1").iter().any(|l| l.starts_with("2 packets transmitted, 0 received")));
    let l = out(&r, "iptables -L FORWARD");
    assert_eq!(l[0], "Chain FORWARD (policy DROP 2 packets, 168 bytes)", "{l:#?}");
    assert!(l[2].starts_with("    2   168 ACCEPT     0    --  gw-veth0 gw-veth1"), "{l:#?}");
    assert!(l[3].starts_with("    2   168 ACCEPT     0    --  *      *  "), "{l:#?}");
}

#[test]
fn reject_answers_with_the_icmp_error_it_names() {
    let text = format!(
        "{TOPOLOGY}ip netns exec router iptables -A FORWARD -d 203.0.113.1 -j REJECT --reject-with icmp-host-prohibited\n\
         ip netns exec lan ping -c 1 203.0.113.1\n"
    );
    let r = common::run_text("reject.sh", &text).unwrap();
    let p = out(&r, "ping -c 1");
    // As on the kernel (iptables-nft 1.8.9, Linux 6.18).
    assert!(p.contains(&"From 192.0.2.254 icmp_seq=1 Destination Host Prohibited".to_string()), "{p:#?}");
}

#[test]
fn dnat_sends_the_router_address_to_the_lan_host_and_answers_come_back_from_it() {
    let text = format!(
        "{TOPOLOGY}ip netns exec router iptables -t nat -A PREROUTING -d 203.0.113.254 -p icmp -j DNAT --to-destination 192.0.2.1\n\
         ip netns exec lan tcpdump -tnel -i lan-veth0 icmp &\n\
         ip netns exec wan ping -c 1 203.0.113.254\n"
    );
    let r = common::run_text("dnat.sh", &text).unwrap();
    assert!(out(&r, "ping -c 1").iter().any(|l| l.starts_with("64 bytes from 203.0.113.254: icmp_seq=1 ttl=63")));
    let cap = out(&r, "tcpdump");
    assert!(cap.iter().any(|l| l.contains("203.0.113.1 > 192.0.2.1: ICMP echo request")), "{cap:#?}");
}

#[test]
fn an_icmp_error_about_a_natted_packet_is_translated_back() {
    // 203.0.113.99 does not exist: the router's ARP fails and it answers Host Unreachable
    // about a packet that already left through MASQUERADE — so to 203.0.113.254, itself,
    // from 203.0.113.254; conntrack maps the error (and the packet inside it) back to the
    // lan host. The kernel prints exactly this line.
    let text = format!(
        "{TOPOLOGY}ip netns exec router iptables -t nat -A POSTROUTING -o gw-veth1 -j MASQUERADE\n\
         ip netns exec lan ping -c 1 -W 5 203.0.113.99\n"
    );
    let r = common::run_text("related.sh", &text).unwrap();
    let p = out(&r, "ping -c 1");
    assert!(p.contains(&"From 203.0.113.254 icmp_seq=1 Destination Host Unreachable".to_string()), "{p:#?}");
}

/// E13's testbed (both NATs and their rules), from the scenario file.
fn e13_testbed() -> String {
    let text = std::fs::read_to_string(common::scenario_path("e13-nat-types.sh")).unwrap();
    let end = text.find("# conntrack -E on both NATs").unwrap();
    text[..end].to_string()
}

#[test]
fn a_udp_timeout_of_three_seconds_destroys_the_mapping_after_three_seconds() {
    let text = format!(
        "{}$ ip netns exec ns-c1-nat sysctl -w net.netfilter.nf_conntrack_udp_timeout=3\n\
         $ ip netns exec ns-c1-nat conntrack -E &\n\
         $ echo hi | ip netns exec ns-c1 nc -u 100.64.1.100 54321\n$ sleep 10\n",
        e13_testbed()
    );
    let r = common::run_text("udp3.sh", &text).unwrap();
    let lines = out(&r, "conntrack -E");
    assert!(lines[0].starts_with("    [NEW] udp      17 3 src=10.0.2.1"), "{lines:#?}");
    assert!(lines[1].starts_with("[DESTROY] udp      17 src=10.0.2.1"), "{lines:#?}");
    let at: Vec<Instant> = r
        .records()
        .iter()
        .filter_map(|rec| match rec {
            Record::Output { at, ns, line, .. } if ns == "ns-c1-nat" && line.contains("udp      17") => Some(*at),
            _ => None,
        })
        .collect();
    assert_eq!(at[1].saturating_since(at[0]), Duration::from_secs(3));
}

/// c1 sends through its restricted-cone NAT every `every` seconds for two minutes; how
/// many mappings c1-nat made.
fn keepalive(every: u64) -> usize {
    let mut text = format!(
        "{}$ ip netns exec ns-c1-nat conntrack -E &\n$ ip netns exec ns-c1 nc -u 100.64.1.100 54321 &\n",
        e13_testbed()
    );
    for _ in 0..(120 / every) {
        text.push_str(&format!("$ input %2 ping\n$ sleep {every}\n"));
    }
    let r = common::run_text("keepalive.sh", &text).unwrap();
    out(&r, "conntrack -E").iter().filter(|l| l.contains("[NEW]")).count()
}

#[test]
fn a_keepalive_every_25_s_keeps_the_mapping_and_every_35_s_loses_it() {
    // The UDP timeout is 30 s before a reply makes the entry ASSURED: WireGuard's 25 s
    // PersistentKeepalive (the article's point) keeps one mapping; 35 s makes a new one
    // each time.
    assert_eq!(keepalive(25), 1);
    assert_eq!(keepalive(35), 3);
}

#[test]
fn an_idle_tcp_connection_lives_as_long_as_the_established_sysctl_says() {
    let text = format!(
        "{TOPOLOGY}ip netns exec router sysctl -w net.netfilter.nf_conntrack_tcp_timeout_established=10\n\
         ip netns exec router iptables -t nat -A POSTROUTING -o gw-veth1 -j MASQUERADE\n\
         ip netns exec router conntrack -E -p tcp &\nip netns exec wan nc -l 7000 &\n\
         ip netns exec lan nc 203.0.113.1 7000 &\nsleep 9\nip netns exec router conntrack -L\nsleep 2\n"
    );
    let r = common::run_text("established.sh", &text).unwrap();
    let events = out(&r, "conntrack -E");
    assert!(events[2].starts_with(" [UPDATE] tcp      6 10 ESTABLISHED src=192.0.2.1"), "{events:#?}");
    // Still there after 9 s of silence, with a second left; gone after 10.
    let list = out(&r, "conntrack -L");
    assert!(list[0].starts_with("tcp      6 1 ESTABLISHED src=192.0.2.1"), "{list:#?}");
    assert!(events[3].starts_with("[DESTROY] tcp      6 ESTABLISHED src=192.0.2.1"), "{events:#?}");
    let at: Vec<Instant> = r
        .records()
        .iter()
        .filter_map(|rec| match rec {
            Record::Output { at, ns, line, .. } if ns == "router" && line.contains("] tcp      6") => Some(*at),
            _ => None,
        })
        .collect();
    assert_eq!(at[3].saturating_since(at[2]), Duration::from_secs(10), "{at:?}");
}

#[test]
fn e11_connections_leave_as_the_host_each_with_a_port_of_its_own() {
    // Several seeds: the ports are random, their distinctness is not.
    for seed in [11, 1, 2, 3, 4] {
        let (_, r) = common::run_file(&common::scenario_path("e11-home-lan.sh"), Some(seed));
        let lines = out(&r, "conntrack -L -p tcp");
        let mut ports: Vec<&str> = lines
            .iter()
            .filter(|l| l.starts_with("tcp "))
            .map(|l| {
                // The reply tuple: what 1.1.1.1 answers to is the host, at the binding's port.
                let reply = l.split(" src=1.1.1.1 dst=").nth(1).expect("reply tuple");
                assert!(reply.starts_with("10.138.0.3 "), "{l}");
                reply.split("dport=").nth(1).and_then(|p| p.split(' ').next()).expect("port")
            })
            .collect();
        assert_eq!(ports.len(), 3, "{lines:#?}");
        ports.sort_unstable();
        ports.dedup();
        assert_eq!(ports.len(), 3, "three connections, three ports (seed {seed}): {lines:#?}");
    }
}

#[test]
fn conntrack_flush_reports_the_time_left_and_who_asked() {
    // As the kernel printed it for the same steps: the time the entry had left, then
    // `[USERSPACE] portid=PID progname=conntrack` (the pid of `conntrack -F`).
    let text = format!(
        "{TOPOLOGY}ip netns exec router iptables -t nat -A POSTROUTING -o gw-veth1 -j MASQUERADE\n\
         ip netns exec router conntrack -E &\nip netns exec lan ping -c 1 203.0.113.1\nsleep 1.5\n\
         ip netns exec router conntrack -F\nsleep 0.5\n"
    );
    let r = common::run_text("flush.sh", &text).unwrap();
    let lines = out(&r, "conntrack -E");
    let d = &lines[2];
    assert!(d.starts_with("[DESTROY] icmp     1 28 src=192.0.2.1 dst=203.0.113.1 type=8"), "{lines:#?}");
    let (_, who) = d.split_once(" [USERSPACE] portid=").expect("who asked");
    let (pid, prog) = who.split_once(' ').expect("pid");
    assert!(pid.parse::<u32>().is_ok() && prog == "progname=conntrack", "{d}");
    assert_eq!(
        out(&r, "conntrack -F"),
        vec!["conntrack v1.4.7 (conntrack-tools): connection tracking table has been emptied."]
    );
}

/// Docker's FORWARD rules go in at the top, before the rules the host already had, as
/// dockerd inserts them (`ensureJumpRule`, and each network's rules right after).
#[test]
fn docker_puts_its_forward_rules_before_the_hosts() {
    let text = "iptables -A FORWARD -j ACCEPT\ndocker network create n\niptables -S FORWARD\n";
    let r = common::run_text("docker.sh", text).unwrap();
    let out = &r.rendered.steps.last().unwrap().output;
    let rules: Vec<&str> = out.iter().map(String::as_str).filter(|l| l.starts_with("-A")).collect();
    assert_eq!(rules.first(), Some(&"-A FORWARD -j DOCKER-USER"), "{out:?}");
    assert_eq!(rules.get(1), Some(&"-A FORWARD -j DOCKER-ISOLATION-STAGE-1"), "{out:?}");
    assert_eq!(rules.last(), Some(&"-A FORWARD -j ACCEPT"), "{out:?}");
    assert_eq!(rules.len(), 11, "docker0's four, n's four, the two jumps, the host's: {out:?}");
}
