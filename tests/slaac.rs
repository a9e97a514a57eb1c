//! Router advertisements and SLAAC in the sim, beyond what `e07-ipv6-slaac` checks against
//! the kernel: radvd's timing (at start, then 16 s apart twice, then at a random time
//! between its intervals), a solicitation answered at once to its sender, lifetimes that
//! run out (the address deprecated, then gone with its prefix route), and radvd's own
//! errors and nslab's refusals.

mod common;

use nslab::sim_core::Record;

/// The host's link coming up, as most tests have it.
const HOST_UP: &str = "ip -n h link set h-eth0 up\n";

/// A router `r` (forwarding, radvd's config `conf`) and a host `h` on a veth pair; the
/// host's own set-up lines `host` come once the router's link is up.
fn lab_with(host: &str, conf: &str, rest: &str) -> String {
    format!(
        "ip netns add r\nip netns add h\nip link add r-lan type veth peer name h-eth0\n\
         ip link set r-lan netns r\nip link set h-eth0 netns h\n\
         ip -n r link set r-lan address 02:00:00:00:00:01\nip -n h link set h-eth0 address 02:00:00:00:00:02\n\
         ip netns exec r sysctl -q -w net.ipv6.conf.all.forwarding=1\n\
         ip -n r link set r-lan up\n{host}sleep 3\n\
         ip netns exec r tcpdump -tn -i r-lan icmp6 &\n\
         ip netns exec r radvd -n -C /dev/stdin <<EOF &\n{conf}EOF\n{rest}"
    )
}

/// [`lab_with`] with the host's link simply up.
fn lab(conf: &str, rest: &str) -> String {
    lab_with(HOST_UP, conf, rest)
}

const CONF: &str = "interface r-lan {\n AdvSendAdvert on;\n prefix 2001:db8:1::/64 { };\n};\n";

/// (seconds, ICMPv6 type, IPv6 destination) of each ICMPv6 message the capture saw.
fn icmp6_seen(r: &nslab::scenarios::run::sim::Run) -> Vec<(f64, u8, std::net::Ipv6Addr)> {
    let mut out = Vec::new();
    for rec in r.lab.world().trace().records() {
        if let Record::Frame { at, bytes, .. } = rec
            && bytes.len() >= 14 + 41
            && bytes[12..14] == [0x86, 0xdd]
            && bytes[14 + 6] == 58
        {
            let dst: [u8; 16] = bytes[14 + 24..14 + 40].try_into().unwrap();
            out.push((at.as_nanos() as f64 / 1e9, bytes[14 + 40], dst.into()));
        }
    }
    out
}

#[test]
fn radvd_advertises_at_start_then_twice_16_s_apart_then_at_random() {
    let r = common::run_text("a.sh", &lab(CONF, "sleep 1500\n")).unwrap();
    let ras: Vec<f64> = icmp6_seen(&r).iter().filter(|(_, t, _)| *t == 134).map(|(at, _, _)| *at).collect();
    assert!(ras.len() >= 5, "{ras:?}");
    let gaps: Vec<f64> = ras.windows(2).map(|w| w[1] - w[0]).collect();
    assert!((gaps[0] - 16.0).abs() < 1e-6 && (gaps[1] - 16.0).abs() < 1e-6, "{gaps:?}");
    // MinRtrAdvInterval (0.33 × 600) to MaxRtrAdvInterval (600), not all the same.
    let later = &gaps[2..gaps.len() - 1];
    assert!(later.iter().all(|g| (198.0..600.0).contains(g)), "{gaps:?}");
    assert!(later.windows(2).any(|w| (w[0] - w[1]).abs() > 1.0), "{gaps:?}");
    // The last is the stop advertisement at the end of the run.
    assert!(r.failures("a.sh").is_empty(), "{:?}", r.failures("a.sh"));
}

#[test]
fn a_solicitation_is_answered_at_once_to_its_sender() {
    // The host's IPv6 is off when radvd starts (the first advertisement passes it by), then
    // on: its router solicitation (from its link-local address, once DAD is done) gets an
    // advertisement to that address.
    let rest = "ip netns exec h sysctl -q -w net.ipv6.conf.h-eth0.disable_ipv6=0\nsleep 5\nip -n h -6 route\n\
                #> 2001:db8:1::/64 dev h-eth0 proto kernel metric 256 expires {}sec pref medium\n\
                #> fe80::/64 dev h-eth0 proto kernel metric 256 pref medium\n\
                #> default via fe80::ff:fe00:1 dev h-eth0 proto ra metric 1024 expires {}sec hoplimit 64 pref medium\n";
    let off = "ip netns exec h sysctl -q -w net.ipv6.conf.h-eth0.disable_ipv6=1\n";
    let r = common::run_text("a.sh", &lab_with(&format!("{off}{HOST_UP}"), CONF, rest)).unwrap();
    assert!(r.failures("a.sh").is_empty(), "{:?}", r.failures("a.sh"));
    let seen = icmp6_seen(&r);
    let host: std::net::Ipv6Addr = "fe80::ff:fe00:2".parse().unwrap();
    let rs = seen.iter().find(|(_, t, _)| *t == 133).expect("a solicitation");
    let answer = seen.iter().find(|(_, t, d)| *t == 134 && *d == host).expect("an advertisement to the host");
    assert!(answer.0 >= rs.0 && answer.0 - rs.0 < 0.001, "{rs:?} {answer:?}");
    // Neither is sent again: the host has its router.
    assert_eq!(seen.iter().filter(|(_, t, _)| *t == 133).count(), 1, "{seen:?}");
}

#[test]
fn lifetimes_run_out_deprecated_then_gone() {
    // Advertisements at 0, 16 and 32 s, then not before 92 s: the prefix (valid 40 s,
    // preferred 20 s from the one at 32 s) is deprecated at 52 s and its address gone at
    // 72 s; its route, expired then, is listed (`expires -8sec` at 80 s) until the garbage
    // collector's run at 90 s (every 30 s from the first advertisement), as on Linux 6.18;
    // the default route (100 s) stays.
    let conf = "interface r-lan {\n AdvSendAdvert on;\n MaxRtrAdvInterval 100;\n MinRtrAdvInterval 75;\n \
                AdvDefaultLifetime 100;\n prefix 2001:db8:1::/64 {\n  AdvValidLifetime 40;\n  AdvPreferredLifetime 20;\n };\n};\n";
    let rest = "sleep 60\nip -n h -6 addr show dev h-eth0\n\
                #> 2: h-eth0@if{}: {}\n\
                #>     inet6 2001:db8:1::ff:fe00:2/64 scope global deprecated dynamic mngtmpaddr \n\
                #>        valid_lft 12sec preferred_lft 0sec\n\
                #>     inet6 fe80::ff:fe00:2/64 scope link \n\
                #>        valid_lft forever preferred_lft forever\n\
                sleep 20\nip -n h -6 addr show dev h-eth0\n\
                #> 2: h-eth0@if{}: {}\n\
                #>     inet6 fe80::ff:fe00:2/64 scope link \n\
                #>        valid_lft forever preferred_lft forever\n\
                ip -n h -6 route\n\
                #> 2001:db8:1::/64 dev h-eth0 proto kernel metric 256 expires -8sec pref medium\n\
                #> fe80::/64 dev h-eth0 proto kernel metric 256 pref medium\n\
                #> default via fe80::ff:fe00:1 dev h-eth0 proto ra metric 1024 expires {}sec hoplimit 64 pref medium\n\
                sleep 15\nip -n h -6 route\n\
                #> fe80::/64 dev h-eth0 proto kernel metric 256 pref medium\n\
                #> default via fe80::ff:fe00:1 dev h-eth0 proto ra metric 1024 expires {}sec hoplimit 64 pref medium\n";
    let r = common::run_text("a.sh", &lab(conf, rest)).unwrap();
    assert!(r.failures("a.sh").is_empty(), "{:?}", r.failures("a.sh"));
}

#[test]
fn a_config_radvd_cannot_read_ends_it_as_radvd_says() {
    let rest = "#> /dev/stdin:2 error: syntax error\n#> [{}] radvd ({}): exiting, failed to read config file\n\
                #! exit: 1\nsleep 1\n";
    let r = common::run_text("a.sh", &lab("interface r-lan {\n AdvSendAdvert yes;\n};\n", rest)).unwrap();
    assert!(r.failures("a.sh").is_empty(), "{:?}", r.failures("a.sh"));
}

#[test]
fn an_interface_that_comes_up_later_is_advertised_on_a_second_after() {
    // The host's end is down when radvd starts: the router's link has no carrier and no
    // link-local address; radvd advertises once it has both, and the host configures.
    let rest = "sleep 2\nip -n h link set h-eth0 up\nsleep 6\nip -n h -6 route\n\
                #> 2001:db8:1::/64 dev h-eth0 proto kernel metric 256 expires {}sec pref medium\n\
                #> fe80::/64 dev h-eth0 proto kernel metric 256 pref medium\n\
                #> default via fe80::ff:fe00:1 dev h-eth0 proto ra metric 1024 expires {}sec hoplimit 64 pref medium\n";
    let text = lab_with("", CONF, rest);
    let r = common::run_text("a.sh", &text).unwrap();
    assert!(r.failures("a.sh").is_empty(), "{:?}", r.failures("a.sh"));
}

#[test]
fn radvd_refusals_name_their_line() {
    let refused = |conf: &str, args: &str| {
        let text = lab(conf, "").replace("radvd -n -C /dev/stdin", &format!("radvd {args}"));
        common::run_text("a.sh", &text).map(|_| ()).unwrap_err()
    };
    let e = refused(CONF, "-C /dev/stdin");
    assert!(e.starts_with("error: a.sh:13:") && e.contains("not supported yet: radvd as a daemon"), "{e}");
    assert!(e.contains("radvd -n"), "{e}");
    let e = refused(CONF, "-n -C /etc/radvd.conf");
    assert!(e.contains("not supported yet: radvd -C /etc/radvd.conf (nslab has no files)"), "{e}");
    let e = refused("interface r-lan {\n RDNSS 2001:db8::53 { };\n};\n", "-n -C /dev/stdin");
    assert!(e.contains("not supported yet: radvd's `RDNSS` (line 2 of its config)"), "{e}");
    let e = refused(CONF, "-n -C /dev/stdin -q");
    assert!(e.contains("radvd: unrecognized option '-q'"), "{e}");
}

#[test]
fn a_deprecated_address_is_a_source_only_when_nothing_better_is_left() {
    // The host has a static address of another prefix too. Towards the advertised prefix
    // the SLAAC address is the better match; once deprecated (preferred 20 s), the other
    // is chosen (RFC 6724's third rule before its eighth).
    let conf = "interface r-lan {\n AdvSendAdvert on;\n MaxRtrAdvInterval 100;\n MinRtrAdvInterval 75;\n \
                AdvDefaultLifetime 100;\n prefix 2001:db8:1::/64 {\n  AdvValidLifetime 40;\n  AdvPreferredLifetime 20;\n };\n};\n";
    let rest = "ip -n h -6 addr add 2001:db8:2::99/64 dev h-eth0 nodad\nsleep 5\n\
                ip -n h -6 route get 2001:db8:1::1\n\
                #> 2001:db8:1::1 from :: dev h-eth0 proto kernel src 2001:db8:1::ff:fe00:2 metric 256 pref medium\n\
                sleep 55\nip -n h -6 route get 2001:db8:1::1\n\
                #> 2001:db8:1::1 from :: dev h-eth0 proto kernel src 2001:db8:2::99 metric 256 pref medium\n";
    let r = common::run_text("a.sh", &lab(conf, rest)).unwrap();
    assert!(r.failures("a.sh").is_empty(), "{:?}", r.failures("a.sh"));
}

#[test]
fn accept_ra_decides_who_takes_an_advertisement() {
    // An interface's accept_ra 0: nothing is taken. A router (forwarding) takes one only
    // with accept_ra 2. (`all.accept_ra` does not reach an interface that is there.)
    let nothing = "sleep 2\nip -n h -6 route\n#> fe80::/64 dev h-eth0 proto kernel metric 256 pref medium\n";
    let off = "ip netns exec h sysctl -q -w net.ipv6.conf.all.accept_ra=0\n\
               ip netns exec h sysctl -w net.ipv6.conf.h-eth0.accept_ra=0\n\
               #> net.ipv6.conf.h-eth0.accept_ra = 0\n";
    let text = lab_with(&format!("{off}{HOST_UP}"), CONF, nothing);
    let r = common::run_text("a.sh", &text).unwrap();
    assert!(r.failures("a.sh").is_empty(), "{:?}", r.failures("a.sh"));
    let router = "ip netns exec h sysctl -q -w net.ipv6.conf.all.forwarding=1\n";
    let text = lab_with(&format!("{router}{HOST_UP}"), CONF, nothing);
    let r = common::run_text("a.sh", &text).unwrap();
    assert!(r.failures("a.sh").is_empty(), "{:?}", r.failures("a.sh"));
    let taken = "sleep 2\nip -n h -6 route\n\
                 #> 2001:db8:1::/64 dev h-eth0 proto kernel metric 256 expires {}sec pref medium\n\
                 #> fe80::/64 dev h-eth0 proto kernel metric 256 pref medium\n\
                 #> default via fe80::ff:fe00:1 dev h-eth0 proto ra metric 1024 expires {}sec hoplimit 64 pref medium\n";
    let two = "ip netns exec h sysctl -q -w net.ipv6.conf.h-eth0.accept_ra=2\n";
    let text = lab_with(&format!("{router}{two}{HOST_UP}"), CONF, taken);
    let r = common::run_text("a.sh", &text).unwrap();
    assert!(r.failures("a.sh").is_empty(), "{:?}", r.failures("a.sh"));
}
