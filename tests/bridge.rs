//! Bridges: learning and flooding seen from a third port, ageing in virtual time, misuse
//! errors, a port moving to a second master, and a bridge loop stopped by the event budget
//! with the loop named.

mod common;

use nslab::scenarios::{self, run::sim};

/// Three hosts 192.0.2.1-3 (MACs :01-:03) on br0 in the root namespace, IPv6 off: what it
/// sends on its own (MLD reports, router solicitations) would teach the bridge every host.
const LAB: &str = "ip netns add ns1\nip netns add ns2\nip netns add ns3\n\
sysctl -qw net.ipv6.conf.all.disable_ipv6=1\nip netns exec ns1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1\n\
ip netns exec ns2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1\nip netns exec ns3 sysctl -qw net.ipv6.conf.all.disable_ipv6=1\n\
ip link add br0 type bridge\nip link set br0 up\n\
ip link add ns1-veth0 type veth peer name ns1-br0\nip link add ns2-veth0 type veth peer name ns2-br0\nip link add ns3-veth0 type veth peer name ns3-br0\n\
ip link set ns1-veth0 netns ns1\nip link set ns2-veth0 netns ns2\nip link set ns3-veth0 netns ns3\n\
ip -n ns1 link set ns1-veth0 address 00:00:5e:00:53:01\nip -n ns2 link set ns2-veth0 address 00:00:5e:00:53:02\nip -n ns3 link set ns3-veth0 address 00:00:5e:00:53:03\n\
ip -n ns1 addr add 192.0.2.1/24 dev ns1-veth0\nip -n ns2 addr add 192.0.2.2/24 dev ns2-veth0\nip -n ns3 addr add 192.0.2.3/24 dev ns3-veth0\n\
ip -n ns1 link set ns1-veth0 up\nip -n ns2 link set ns2-veth0 up\nip -n ns3 link set ns3-veth0 up\n\
ip link set ns1-br0 master br0\nip link set ns2-br0 master br0\nip link set ns3-br0 master br0\n\
ip link set ns1-br0 up\nip link set ns2-br0 up\nip link set ns3-br0 up\n";

fn ok(extra: &str) -> sim::Run {
    let text = format!("{LAB}{extra}");
    let r = common::run_text("b.sh", &text).unwrap_or_else(|e| panic!("{e}"));
    let f = r.failures("b.sh");
    assert!(f.is_empty(), "{}", f.iter().map(|x| x.to_string()).collect::<Vec<_>>().join("\n"));
    r
}

fn err(extra: &str) -> String {
    common::run_text("b.sh", &format!("{LAB}{extra}")).err().expect("should be refused")
}

#[test]
fn flooding_before_learning_unicast_after() {
    // ns3 sees the broadcast ARP request (flooded) but none of the unicast that follows; the
    // table then holds ns1 and ns2 on their own ports and nothing for ns3.
    ok("ip netns exec ns3 tcpdump -tnel -i ns3-veth0 &\n\
        #! contains: 00:00:5e:00:53:01 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 192.0.2.2 tell 192.0.2.1, length 28\n\
        #! lacks: 00:00:5e:00:53:0{} > 00:00:5e:00:53:0{}\n\
        ip netns exec ns1 ping -c 2 192.0.2.2\n\
        kill %1\n\
        bridge fdb show br br0\n\
        #! contains: 00:00:5e:00:53:01 dev ns1-br0 master br0\n\
        #! contains: 00:00:5e:00:53:02 dev ns2-br0 master br0\n\
        #! lacks: 00:00:5e:00:53:03 dev{}\n");
}

#[test]
fn unknown_unicast_is_flooded_after_ageing() {
    ok("ip link set br0 type bridge ageing_time 500\nip netns exec ns1 ping -c 1 192.0.2.2\nsleep 20\n\
        bridge fdb show br br0 | grep 00:00:5e:00:53\n#! exit: 0\n#! lacks: {}\n\
        ip netns exec ns3 tcpdump -tnel -i ns3-veth0 icmp &\n\
        #! contains: 00:00:5e:00:53:01 > 00:00:5e:00:53:02, ethertype IPv4 (0x0800), length 98: 192.0.2.1 > 192.0.2.2: ICMP echo request, id {}, seq 1, length 64\n\
        ip netns exec ns1 ping -c 1 192.0.2.2\n");
}

#[test]
fn entries_age_out_in_virtual_time_without_waiting() {
    // Default ageing: 300 s. One ping, then 299 s: still there; at 320 s: gone.
    let r = ok("ip netns exec ns1 ping -c 1 192.0.2.3\nsleep 290\nbridge fdb show br br0 | grep 00:00:5e:00:53:03\n\
        #> 00:00:5e:00:53:03 dev ns3-br0 master br0\nsleep 30\nbridge fdb show br br0 | grep 00:00:5e:00:53\n#! lacks: {}\n");
    assert!(r.end().as_secs_f64() >= 320.0);
}

#[test]
fn fdb_show_lists_ports_permanent_and_learned_entries_in_kernel_order() {
    // Devices in ifindex order (br0 was made first here, so its own entries lead, as on the
    // kernel); per port, the bridge's entries for it newest first, then the port's own
    // multicast filter.
    ok("ip netns exec ns1 ping -c 1 192.0.2.2\nbridge fdb show br br0\n\
        #> 33:33:00:00:00:01 dev br0 self permanent\n#> 01:00:5e:00:00:6a dev br0 self permanent\n#> 33:33:00:00:00:6a dev br0 self permanent\n#> 01:00:5e:00:00:01 dev br0 self permanent\n\
        #> 00:00:5e:00:53:01 dev ns1-br0 master br0\n#> {} dev ns1-br0 master br0 permanent\n#> 33:33:00:00:00:01 dev ns1-br0 self permanent\n#> 01:00:5e:00:00:01 dev ns1-br0 self permanent\n\
        #> 00:00:5e:00:53:02 dev ns2-br0 master br0\n#> {} dev ns2-br0 master br0 permanent\n#> 33:33:00:00:00:01 dev ns2-br0 self permanent\n#> 01:00:5e:00:00:01 dev ns2-br0 self permanent\n\
        #> {} dev ns3-br0 master br0 permanent\n#> 33:33:00:00:00:01 dev ns3-br0 self permanent\n#> 01:00:5e:00:00:01 dev ns3-br0 self permanent\n");
}

#[test]
fn bridge_takes_the_lowest_port_mac_unless_set() {
    let r = ok("ip link show br0\n");
    let ports: Vec<String> = ["ns1-br0", "ns2-br0", "ns3-br0"].iter().map(|p| mac_of(&r, p)).collect();
    assert_eq!(mac_of(&r, "br0"), *ports.iter().min().unwrap());
    ok(
        "ip link set br0 address 00:00:5e:00:53:99\nip link add x0 type veth peer name x1\nip link set x0 master br0\nip link show br0\n#! contains:     link/ether 00:00:5e:00:53:99 brd ff:ff:ff:ff:ff:ff\n",
    );
}

fn mac_of(r: &sim::Run, dev: &str) -> String {
    let root = r.lab.ns(None).unwrap();
    r.lab.netns(root).iface_by_name(dev).unwrap().mac.to_string()
}

#[test]
fn misuse_is_refused_like_linux() {
    let e = err("ip link set ns1-br0 master ns2-br0\n");
    assert!(e.contains("RTNETLINK answers: Operation not supported") && e.contains("must name a bridge"), "{e}");
    let e = err("ip link set ns1-br0 master br9\n");
    assert!(e.contains("Cannot find device \"br9\""), "{e}");
    let e = err("ip link set br0 master br0\n");
    assert!(e.contains("Error: Can not enslave a bridge to a bridge."), "{e}");
    let e = err("ip link add br1 type bridge\nip link set br1 master br0\n");
    assert!(e.contains("Error: Can not enslave a bridge to a bridge."), "{e}");
    let e = err("ip link set lo master br0\n");
    assert!(e.contains("RTNETLINK answers: Invalid argument"), "{e}");
    // A bridge and lo stay in the namespace they were made in (NETIF_F_NETNS_LOCAL).
    for dev in ["br0", "lo"] {
        let e = err(&format!("ip netns add x\nip link set {dev} netns x\n"));
        assert!(e.contains("Error: The interface netns is immutable."), "{e}");
    }
    let e = err("brctl delbr br0\n");
    assert!(e.contains("bridge br0 is still up; can't delete it"), "{e}");
    let e = err("brctl addif br0 nope\n");
    assert!(e.contains("Cannot find device \"nope\""), "{e}");
    let first = e.lines().next().unwrap();
    assert!(first.starts_with("error: b.sh:31:"), "{first}");
}

#[test]
fn a_port_given_a_second_master_moves() {
    ok("ip link add br1 type bridge\nip link set br1 up\nip link set ns3-br0 master br1\nip link show ns3-br0\n\
        #! contains: {}: ns3-br0@if{}: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue master br1 state UP{}\n\
        brctl show\n#> bridge name\tbridge id\t\tSTP enabled\tinterfaces\n#> br0\t\t8000.{}\tno\t\tns1-br0\n#> \t\t\t\t\t\t\tns2-br0\n#> br1\t\t8000.{}\tno\t\tns3-br0\n\
        ip netns exec ns1 ping -c 1 -W 1 192.0.2.3\n#! exit: 1\nip netns exec ns1 ping -c 1 192.0.2.2\n#! exit: 0\n");
}

#[test]
fn a_bridge_loop_is_bounded_and_named() {
    let text = "ip link add br0 type bridge\nip link add br1 type bridge\nip link set br0 up\nip link set br1 up\n\
        ip link add a0 type veth peer name a1\nip link add b0 type veth peer name b1\n\
        ip link set a0 master br0\nip link set a1 master br1\nip link set b0 master br0\nip link set b1 master br1\n\
        ip link set a0 up\nip link set a1 up\nip link set b0 up\nip link set b1 up\n\
        ip netns add h\nip link add h0 type veth peer name hp netns h\nip link set h0 master br0\nip link set h0 up\n\
        ip -n h link set hp up\nip -n h addr add 10.0.0.1/24 dev hp\nip netns exec h ping -c 1 10.0.0.2\n";
    let sc = scenarios::load("loop.sh", text).unwrap();
    let e = sim::run("loop.sh", text, &sc, &sim::RunOptions { event_budget: Some(200_000), ..Default::default() })
        .err()
        .expect("a storm")
        .to_string();
    let first = e.lines().next().unwrap();
    assert!(
        first.starts_with("error: loop.sh:21:1: event budget of 200000 events per virtual second exhausted"),
        "{e}"
    );
    assert!(first.contains("bridge loop: br0 (root) -[b0|b1]- br1 (root) -[a0|a1]- br0 (root)"), "{e}");
    assert!(e.contains("remove one of the links"), "{e}");
}
