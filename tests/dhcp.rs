//! DHCP in virtual time: E7's client lands in the pool for any MAC, renewals happen when
//! the lease says, two clients offered one address race as with dnsmasq 2.90, and
//! malformed DHCP packets are counted and dropped by both programs.

mod common;

use nslab::scenarios::run::sim::Run;
use nslab::sim_core::{Instant, Node, NodeId, PortId, Record};
use nslab::sim_nodes::proc::dhcp::{self, Kind, Message};
use nslab::sim_nodes::proc::{Dhclient, DhclientArgs, Dnsmasq, DnsmasqArgs, Ping, PingArgs};
use nslab::sim_nodes::{Lab, Netns};
use proptest::prelude::*;
use std::net::Ipv4Addr;

/// (virtual seconds, line) of everything the `program` processes in `ns` printed.
fn lines_of(r: &Run, ns: &str, program: &str) -> Vec<(f64, String)> {
    let procs: Vec<u32> = r
        .attribution
        .procs
        .iter()
        .filter(|((n, _), step)| n == ns && r.steps[**step].run.program() == program)
        .map(|((_, pid), _)| *pid)
        .collect();
    r.lab
        .world()
        .trace()
        .records()
        .iter()
        .filter_map(|rec| match rec {
            Record::Output { at, ns: n, pid, line, .. } if n == ns && procs.contains(pid) => {
                Some((at.as_nanos() as f64 / 1e9, line.clone()))
            }
            _ => None,
        })
        .collect()
}

#[test]
fn e07_any_mac_gets_an_address_in_the_pool_and_answers_pings() {
    let text = std::fs::read_to_string(common::scenario_path("e07-dhcp.sh")).unwrap();
    // Without the document's MAC the address is the hash of a seeded random one.
    let text: String = text.lines().filter(|l| !l.contains("address b6:98")).collect::<Vec<_>>().join("\n");
    let mut seen = std::collections::BTreeSet::new();
    for seed in 1..=12 {
        let r = common::run_text_seeded("e07-any-mac.sh", &text, seed).unwrap();
        let client = r.lab.ns(Some("client")).unwrap();
        let addr = r.lab.addr_show(client, Some("c-veth0")).unwrap().join("\n");
        let got: Ipv4Addr = addr
            .split_whitespace()
            .skip_while(|w| *w != "inet")
            .nth(1)
            .and_then(|a| a.split('/').next())
            .and_then(|a| a.parse().ok())
            .unwrap_or_else(|| panic!("seed {seed}: no address:\n{addr}"));
        let o = got.octets();
        assert!(o[..3] == [192, 0, 2] && (100..=200).contains(&o[3]), "seed {seed}: {got}");
        assert!(addr.contains("/24 brd 192.0.2.255 scope global dynamic c-veth0"), "seed {seed}:\n{addr}");
        let routes = r.lab.route_show(client, None).unwrap();
        assert_eq!(routes[0].trim_end(), "default via 192.0.2.254 dev c-veth0", "seed {seed}");
        // The server pings the address it handed out.
        let mut lab = r.lab;
        let server = lab.ns(Some("server")).unwrap();
        let mut a = PingArgs::new(got);
        a.count = Some(2);
        let job = lab.spawn(server, Box::new(Ping::new(a)));
        let until = lab.world().now() + nslab::sim_core::Duration::from_secs(5);
        lab.world_mut().run_until(until).unwrap();
        assert!(!lab.is_running(job));
        let stats = "2 packets transmitted, 2 received, 0% packet loss";
        let printed = lab.world().trace().records().iter().any(|rec| matches!(rec, Record::Output { ns, pid, line, .. } if ns == "server" && *pid == job.pid && line.starts_with(stats)));
        assert!(printed, "seed {seed}: the server's ping to {got} failed");
        seen.insert(got);
    }
    assert!(seen.len() > 6, "the hash spreads MACs over the pool: {seen:?}");
}

#[test]
fn renewals_happen_when_the_lease_says_then_rebinding_then_expiry() {
    let (_, r) = common::run_file(&common::scenario_path("e07-dhcp-lan.sh"), None);
    let c1 = lines_of(&r, "c1", "dhclient");
    let killed = 600.0;
    let mut renewals = 0;
    let mut last_bind = 0.0;
    for (i, (t, l)) in c1.iter().enumerate() {
        let Some(rest) = l.strip_prefix("bound to 192.0.2.100 -- renewal in ") else { continue };
        let n: f64 = rest.trim_end_matches(" seconds.").parse().unwrap();
        // T1 is half the 120 s lease; dhclient picks between 3/4 of it and all of it.
        assert!((45.0..=60.0).contains(&n), "renewal in {n} s at {t}");
        last_bind = *t;
        let next = c1[i + 1..].iter().find(|(_, l)| l.starts_with("DHCPREQUEST")).expect("a renewal follows");
        let due = t + n;
        assert!(next.0 >= due && next.0 < due + 1.0, "bound at {t} for {n} s, renewed at {}", next.0);
        if next.0 < killed {
            assert_eq!(
                next.1, "DHCPREQUEST for 192.0.2.100 on c1-veth0 to 192.0.2.254 port 67",
                "unicast to the server"
            );
            renewals += 1;
        }
    }
    assert!(renewals >= 9, "ten minutes of 2-minute leases: {renewals} renewals");
    let after: Vec<&(f64, String)> = c1.iter().filter(|(t, _)| *t > killed).collect();
    let rebind =
        after.iter().find(|(_, l)| l.contains("to 255.255.255.255 port 67") && l.starts_with("DHCPREQUEST")).unwrap();
    assert!(
        rebind.0 >= last_bind + 105.0,
        "rebinding after T2 (7/8 of the lease): bound {last_bind}, rebind {}",
        rebind.0
    );
    let discover = after.iter().find(|(_, l)| l.starts_with("DHCPDISCOVER")).unwrap();
    assert!(
        discover.0 > last_bind + 120.0 && discover.0 <= last_bind + 121.0,
        "back to DISCOVER at expiry: {}",
        discover.0
    );
    let c1n = r.lab.ns(Some("c1")).unwrap();
    assert!(!r.lab.addr_show(c1n, Some("c1-veth0")).unwrap().join("\n").contains("inet "));
    assert!(r.lab.route_show(c1n, None).unwrap().is_empty());
}

#[test]
fn two_clients_offered_one_address_race_and_the_loser_is_nakd() {
    // dnsmasq 2.90 on the reference machine: with c2 and c3 discovering at once, the ping
    // check for .101 blocks dnsmasq for 3 s; then both get .101 offered (the silent ping
    // stands for 30 s), the first REQUEST wins and the other gets DHCPNAK "address in use";
    // dhclient without a lease ignores the NAK, asks again until its reboot timeout, and
    // dnsmasq then has nothing left for it.
    let text = "ip netns add server\nip netns add c2\nip netns add c3\nip link add br0 type bridge\nip link set br0 up\n\
        ip link add s-veth0 type veth peer name s-br0\nip link add c2-veth0 type veth peer name c2-br0\nip link add c3-veth0 type veth peer name c3-br0\n\
        ip link set s-veth0 netns server\nip link set c2-veth0 netns c2\nip link set c3-veth0 netns c3\n\
        ip link set s-br0 master br0\nip link set c2-br0 master br0\nip link set c3-br0 master br0\n\
        ip link set s-br0 up\nip link set c2-br0 up\nip link set c3-br0 up\n\
        ip -n server link set s-veth0 up\nip -n c2 link set c2-veth0 up\nip -n c3 link set c3-veth0 up\n\
        ip -n server addr add 192.0.2.254/24 dev s-veth0\n\
        ip netns exec server dnsmasq --dhcp-range=192.0.2.100,192.0.2.101,2m --dhcp-host=00:00:5e:00:53:01,192.0.2.100 --interface=s-veth0 --no-daemon &\n\
        ip netns exec c2 dhclient -d c2-veth0 &\nip netns exec c3 dhclient -d c3-veth0 &\nsleep 40\n";
    let r = common::run_text("race.sh", text).unwrap();
    let server: Vec<String> = lines_of(&r, "server", "dnsmasq").into_iter().map(|(_, l)| l).collect();
    let offers = server.iter().filter(|l| l.contains("DHCPOFFER(s-veth0) 192.0.2.101")).count();
    assert_eq!(offers, 2, "{server:#?}");
    assert_eq!(server.iter().filter(|l| l.contains("DHCPACK(s-veth0) 192.0.2.101")).count(), 1);
    assert!(server.iter().any(|l| l.contains("DHCPNAK(s-veth0) 192.0.2.101") && l.ends_with("address in use")));
    assert!(server.iter().any(|l| l.ends_with("no address available")), "{server:#?}");
    // (dnsmasq logs the DISCOVER, too, once the check is over.)
    let at = |ns, prog, what: &str| lines_of(&r, ns, prog).into_iter().find(|(_, l)| l.contains(what)).unwrap().0;
    let (discover_t, offer_t) = (at("c2", "dhclient", "DHCPDISCOVER on"), at("server", "dnsmasq", "DHCPOFFER"));
    assert!(
        (offer_t - discover_t - 3.0).abs() < 1e-3,
        "the offer waits out the 3 s ping check: {discover_t} {offer_t}"
    );
}

#[test]
fn a_release_ends_the_lease_at_the_server() {
    let text = "ip netns add s\nip netns add c\nip link add a type veth peer name b\nip link set a netns s\nip link set b netns c\n\
        ip -n s link set a up\nip -n c link set b up\nip -n s addr add 10.0.0.1/24 dev a\n\
        ip netns exec s dnsmasq --dhcp-range=10.0.0.50,10.0.0.50 --no-daemon &\n\
        ip netns exec c dhclient -d b &\nsleep 10\nip netns exec c dhclient -r b\nsleep 1\n";
    let r = common::run_text("one.sh", text).unwrap();
    let c = lines_of(&r, "c", "dhclient");
    assert!(c.iter().any(|(_, l)| l.starts_with("bound to 10.0.0.50 -- renewal in ")), "{c:#?}");
    let cn = r.lab.ns(Some("c")).unwrap();
    assert!(!r.lab.addr_show(cn, Some("b")).unwrap().join("\n").contains("inet "), "released: the address went");
    let s: Vec<String> = lines_of(&r, "s", "dnsmasq").into_iter().map(|(_, l)| l).collect();
    assert!(s.iter().any(|l| l.starts_with("dnsmasq-dhcp: DHCPRELEASE(a) 10.0.0.50 ")), "{s:#?}");
}

/// A namespace running dnsmasq on v0 (10.0.0.1/24) and dhclient on w0, each fed frames by hand.
fn rig() -> (Lab, NodeId, u32, u32, u32, u32) {
    let mut lab = Lab::new(5);
    lab.netns_add("h").unwrap();
    let h = lab.ns(Some("h")).unwrap();
    lab.veth_add(h, "v0", "v1", None).unwrap();
    lab.veth_add(h, "w0", "w1", None).unwrap();
    for d in ["v0", "v1", "w0", "w1"] {
        lab.link_set_up(h, d, true).unwrap();
    }
    lab.addr_add(h, "v0", "10.0.0.1".parse().unwrap(), 24, None).unwrap();
    let args = DnsmasqArgs {
        start: "10.0.0.10".parse().unwrap(),
        end: "10.0.0.20".parse().unwrap(),
        netmask: None,
        lease: 3600,
        interface: Some("v0".into()),
        hosts: vec![],
        router: None,
        dns: None,
        no_ping: true,
        foreground: true,
        no_dns: false,
        no_resolv: false,
        no_hosts: false,
    };
    let server = lab.spawn(h, Box::new(Dnsmasq::new(args))).pid;
    let client = lab
        .spawn(
            h,
            Box::new(Dhclient::new(DhclientArgs {
                iface: "w0".into(),
                foreground: true,
                verbose: false,
                release: false,
            })),
        )
        .pid;
    let v0 = lab.dev_index(h, "v0").unwrap();
    let w0 = lab.dev_index(h, "w0").unwrap();
    (lab, h, v0, w0, server, client)
}

/// A broadcast UDP frame to `dport` carrying `payload`.
fn frame(dport: u16, payload: &[u8]) -> Vec<u8> {
    let udp = dhcp::udp(Ipv4Addr::UNSPECIFIED, Ipv4Addr::BROADCAST, 68 + 67 - dport, dport, payload);
    let mut f = vec![0xff; 6];
    f.extend([2, 0, 0, 0, 0, 9, 8, 0]);
    let f_ip = nslab::sim_nodes::wire::Ipv4Fields {
        src: Ipv4Addr::UNSPECIFIED,
        dst: Ipv4Addr::BROADCAST,
        proto: 17,
        ttl: 64,
        id: 0,
        df: false,
        tos: 0,
    };
    nslab::sim_nodes::wire::push_ipv4(&mut f, &f_ip, udp.len());
    f.extend(udp);
    f
}

fn malformed(lab: &Lab, h: NodeId, server: u32, client: u32) -> (u64, u64) {
    let n = lab.netns(h);
    let mut out = (0, 0);
    for (pid, p) in n.procs() {
        if let Some(d) = p.as_any().downcast_ref::<Dnsmasq>()
            && *pid == server
        {
            out.0 = d.malformed();
        }
        if let Some(d) = p.as_any().downcast_ref::<Dhclient>()
            && *pid == client
        {
            out.1 = d.malformed();
        }
    }
    out
}

fn feed(lab: &mut Lab, h: NodeId, port: u32, f: &[u8]) {
    lab.world_mut().with_node::<Netns, _>(h, |n, cx| n.handle_frame(cx, PortId(port), f));
}

#[test]
fn malformed_dhcp_is_counted_and_dropped_by_server_and_client() {
    let (mut lab, h, v0, w0, server, client) = rig();
    let good = dhcp::emit(&Message::new(Kind::Discover, 7, "02:00:00:00:00:09".parse().unwrap()));
    let truncated = good[..100].to_vec();
    let mut cookie = good.clone();
    cookie[236] ^= 0xff;
    let mut overrun = good.clone();
    overrun[240] = 53;
    overrun[241] = 200;
    for bad in [&truncated, &cookie, &overrun] {
        feed(&mut lab, h, v0, &frame(67, bad));
        feed(&mut lab, h, w0, &frame(68, bad));
    }
    assert_eq!(malformed(&lab, h, server, client), (3, 3));
    let drops = lab
        .world()
        .trace()
        .records()
        .iter()
        .filter(|r| matches!(r, Record::Drop { reason, .. } if reason.contains("malformed DHCP")))
        .count();
    assert_eq!(drops, 6);
    // The good one still gets its offer.
    feed(&mut lab, h, v0, &frame(67, &good));
    lab.world_mut().run_until(Instant::from_secs(1)).unwrap();
    let offered =
        lab.world().trace().records().iter().any(
            |r| matches!(r, Record::Output { line, .. } if line.starts_with("dnsmasq-dhcp: DHCPOFFER(v0) 10.0.0.")),
        );
    assert!(offered);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic_dnsmasq_or_dhclient(payloads in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..400), 1..20)) {
        let (mut lab, h, v0, w0, _, _) = rig();
        for p in &payloads {
            feed(&mut lab, h, v0, &frame(67, p));
            feed(&mut lab, h, w0, &frame(68, p));
        }
        lab.world_mut().run_until(Instant::from_secs(120)).unwrap();
    }

    #[test]
    fn mutated_dhcp_never_panics(kind in 0usize..8, flips in prop::collection::vec((0usize..300, any::<u8>()), 1..8)) {
        let kinds = [Kind::Discover, Kind::Offer, Kind::Request, Kind::Decline, Kind::Ack, Kind::Nak, Kind::Release, Kind::Inform];
        let mut m = Message::new(kinds[kind], 7, "02:00:00:00:00:09".parse().unwrap());
        m.requested_ip = Some("10.0.0.15".parse().unwrap());
        m.server_id = Some("10.0.0.1".parse().unwrap());
        m.lease = Some(60);
        let mut b = dhcp::emit(&m);
        for (at, v) in flips {
            if at < b.len() {
                b[at] = v;
            }
        }
        let (mut lab, h, v0, w0, _, _) = rig();
        feed(&mut lab, h, v0, &frame(67, &b));
        feed(&mut lab, h, w0, &frame(68, &b));
        lab.world_mut().run_until(Instant::from_secs(120)).unwrap();
    }
}

#[test]
fn without_d_the_daemons_are_quiet_and_dhclient_returns_once_bound() {
    // As on the reference machine: `dnsmasq …` forks and logs to syslog; `dhclient IF`
    // prints nothing, holds the prompt until bound, then detaches.
    let text = "ip netns add s\nip netns add c\nip link add a type veth peer name b\nip link set a netns s\nip link set b netns c\n\
        ip -n s link set a up\nip -n c link set b up\nip -n s addr add 10.0.0.1/24 dev a\n\
        ip netns exec s dnsmasq --dhcp-range=10.0.0.50,10.0.0.60\n\
        ip netns exec c dhclient b\nip -n c addr show b\n";
    let r = common::run_text("quiet.sh", text).unwrap();
    let printed: Vec<&str> = r
        .lab
        .world()
        .trace()
        .records()
        .iter()
        .filter_map(|rec| if let Record::Output { line, .. } = rec { Some(line.as_str()) } else { None })
        .collect();
    assert!(
        !printed.iter().any(|l| l.contains("dnsmasq") || l.contains("DHCP") || l.starts_with("bound")),
        "{printed:#?}"
    );
    assert!(printed.iter().any(|l| l.contains("inet 10.0.0.5")), "bound before the next command ran: {printed:#?}");
    let show_at = r.lab.world().trace().records().iter().find_map(|rec| match rec {
        Record::Command { at, line, .. } if line.contains("addr show") => Some(*at),
        _ => None,
    });
    assert!(show_at.unwrap() > Instant::from_secs(3), "dhclient held the prompt through the 3 s ping check");
    // The processes the shell started forked the daemons and exited 0, as a shell sees it.
    assert_eq!(r.rendered.steps[8].exit, Some(0), "dnsmasq");
    assert_eq!(r.rendered.steps[9].exit, Some(0), "dhclient");
}

#[test]
fn a_range_covering_every_address_serves_no_interface_as_in_dnsmasq() {
    // dnsmasq 2.90 links a range to an interface only when one of its addresses shares a
    // subnet with both ends (dhcp.c complete_context); 0.0.0.0-255.255.255.255 shares none,
    // so every request gets "no address range available" (it once divided by zero here).
    let text = "ip netns add s\nip netns add c\nip link add a type veth peer name b\nip link set a netns s\nip link set b netns c\n\
        ip -n s link set a up\nip -n c link set b up\nip -n s addr add 10.0.0.1/24 dev a\n\
        ip netns exec s dnsmasq --dhcp-range=0.0.0.0,255.255.255.255 --no-daemon &\n\
        ip netns exec c dhclient -d b &\nsleep 10\n";
    let r = common::run_text("all.sh", text).unwrap();
    let s: Vec<String> = lines_of(&r, "s", "dnsmasq").into_iter().map(|(_, l)| l).collect();
    assert!(s.iter().any(|l| l == "dnsmasq-dhcp: no address range available for DHCP request via a"), "{s:#?}");
    assert!(!s.iter().any(|l| l.contains("DHCPOFFER")), "{s:#?}");
    let c = lines_of(&r, "c", "dhclient");
    assert!(!c.iter().any(|(_, l)| l.starts_with("bound to")), "{c:#?}");
}

#[test]
fn a_range_as_wide_as_a_slash_8_hands_out_an_address() {
    let text = "ip netns add s\nip netns add c\nip link add a type veth peer name b\nip link set a netns s\nip link set b netns c\n\
        ip -n s link set a up\nip -n c link set b up\nip -n s addr add 10.0.0.1/8 dev a\n\
        ip netns exec s dnsmasq --dhcp-range=10.0.0.0,10.255.255.255 --no-daemon &\n\
        ip netns exec c dhclient -d b &\nsleep 10\n";
    let r = common::run_text("wide.sh", text).unwrap();
    let c = lines_of(&r, "c", "dhclient");
    assert!(c.iter().any(|(_, l)| l.starts_with("bound to 10.")), "{c:#?}");
}
