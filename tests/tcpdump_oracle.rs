//! The tcpdump formatter checked against the real tcpdump: frames the sim produced (ARP,
//! echo, time exceeded, net/host unreachable) and synthetic UDP/TCP/ICMP frames go into a
//! pcapng file; `tcpdump -tnel -r` must print exactly the lines our formatter prints.
//! Skipped, with the reason printed, where tcpdump is not installed.

mod common;

use nslab::sim_core::capture::Direction;
use nslab::sim_core::pcapng::{self, Interface, Packet};
use nslab::sim_core::tcpdump::{Dump, Formatter, Options};
use nslab::sim_core::{Cooked, Instant, Record};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

fn tcpdump_lines(frames: &[Vec<u8>], flags: &str) -> Option<Vec<String>> {
    tcpdump_lines_of(frames, false, flags)
}

/// What the real tcpdump prints of `frames`: Ethernet frames, or (`cooked`) `LINUX_SLL2`
/// frames as a capture of `any` writes them.
fn tcpdump_lines_of(frames: &[Vec<u8>], cooked: bool, flags: &str) -> Option<Vec<String>> {
    let ifs = [Interface { name: "oracle".into(), filter: None, cooked }];
    let pkts = frames.iter().enumerate().map(|(i, f)| Packet {
        interface: 0,
        at: Instant::from_micros(i as u64),
        dir: Direction::In,
        bytes: f,
    });
    let bytes = pcapng::write(&ifs, pkts, 0).unwrap();
    // The tests run in parallel: each call gets a directory of its own (one shared
    // directory was removed by one test while another wrote into it).
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("nslab-oracle-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("frames{flags}.pcapng"));
    std::fs::write(&path, bytes).unwrap();
    let out = Command::new("tcpdump").arg(flags).arg("-r").arg(&path).output();
    let _ = std::fs::remove_file(&path);
    let _ = std::fs::remove_dir(&dir);
    let out = match out {
        Ok(o) => o,
        Err(e) => {
            nslab::skipped(&format!("tcpdump could not run ({e}); install it with `apt-get install tcpdump`"));
            return None;
        }
    };
    assert!(out.status.success(), "tcpdump failed: {}", String::from_utf8_lossy(&out.stderr));
    Some(String::from_utf8(out.stdout).unwrap().lines().map(str::to_string).collect())
}

fn ours(frames: &[Vec<u8>], opts: Options) -> Vec<String> {
    let mut f = Formatter::new(opts);
    frames.iter().map(|x| f.line(0, x)).collect()
}

fn sim_frames() -> Vec<Vec<u8>> {
    let script = "ip netns add ns1\nip netns add ns2\nip netns add router\n\
        ip link add ns1-veth0 type veth peer name gw-veth0\nip link add ns2-veth0 type veth peer name gw-veth1\n\
        ip link set ns1-veth0 netns ns1\nip link set gw-veth0 netns router\nip link set ns2-veth0 netns ns2\nip link set gw-veth1 netns router\n\
        ip -n ns1 link set ns1-veth0 up\nip -n ns2 link set ns2-veth0 up\nip -n router link set gw-veth0 up\nip -n router link set gw-veth1 up\n\
        ip -n ns1 addr add 192.0.2.1/24 dev ns1-veth0\nip -n router addr add 192.0.2.254/24 dev gw-veth0\n\
        ip -n ns2 addr add 198.51.100.1/24 dev ns2-veth0\nip -n router addr add 198.51.100.254/24 dev gw-veth1\n\
        ip -n ns1 route add default via 192.0.2.254\nip -n ns2 route add default via 198.51.100.254\n\
        ip netns exec router sysctl -w net.ipv4.ip_forward=1\n\
        ip netns exec router tcpdump -tnel -i gw-veth0 &\n\
        ip netns exec ns1 ping -c 2 198.51.100.1\nip netns exec ns1 ping -c 1 -t 1 198.51.100.1\n\
        ip netns exec ns1 ping -c 1 10.1.1.1\nip netns exec ns1 ping -c 1 -s 1000 198.51.100.9\n\
        ip netns exec ns1 ping -c 1 -s 2000 198.51.100.1\nsleep 6\n";
    frames_of("oracle.sh", script)
}

/// A DHCP exchange (dnsmasq and dhclient) and a UDP datagram to a closed port, from the sim:
/// `-v` prints DHCP's options and the datagram inside the port unreachable.
fn sim_dhcp_frames() -> Vec<Vec<u8>> {
    let script = "ip netns add server\nip netns add client\n\
        ip link add s-veth0 type veth peer name c-veth0\nip link set s-veth0 netns server\nip link set c-veth0 netns client\n\
        ip netns exec server ip link set s-veth0 up\nip netns exec client ip link set c-veth0 up\n\
        ip netns exec server ip addr add 192.0.2.254/24 dev s-veth0\n\
        ip netns exec server tcpdump -tnel -i s-veth0 &\n\
        ip netns exec server dnsmasq --dhcp-range=192.0.2.100,192.0.2.200,255.255.255.0 --interface=s-veth0 --dhcp-option=option:dns-server,192.0.2.53,192.0.2.54 --no-daemon &\n\
        ip netns exec client dhclient -d c-veth0 &\nsleep 10\n\
        echo hi | ip netns exec server nc -u -w 1 192.0.2.186 5555\nsleep 2\n";
    frames_of("oracle-dhcp.sh", script)
}

/// IPv6 from the sim: two ends' link-up (MLDv2 reports, DAD probes, router solicitations),
/// a static address, and one whose DAD fails (the holder's advertisement to all nodes);
/// `ping -6` (neighbour discovery, echo with flow labels, a unicast probe and its 24-byte
/// answer); a UDP datagram to a closed port and the port unreachable quoting it; a ping
/// too big for the link, in fragments both ways; TCP over IPv6 (an HTTP exchange, with
/// its handshake, options, data and close, and a SYN answered with RST) to a third
/// address (b holds a failed copy of 2001:db8::1, so an advertisement for it is to b a
/// DAD failure, never a neighbour, as `ndisc_recv_na` has it); router advertisements
/// from radvd (flags, an MTU, infinite and finite lifetimes, two prefixes; the last with
/// router lifetime 0).
fn sim_ipv6_frames() -> Vec<Vec<u8>> {
    let script = "ip netns add a\nip netns add b\nip link add v1 type veth peer name v2\n\
        ip link set v1 netns a\nip link set v2 netns b\n\
        ip -n a link set v1 address 02:00:00:00:00:01\nip -n b link set v2 address 02:00:00:00:00:02\n\
        ip -n a link set v1 up\nip -n b link set v2 up\n\
        ip netns exec b tcpdump -tnel -i v2 &\nsleep 3\n\
        ip -n a -6 addr add 2001:db8::1/64 dev v1\nsleep 3\n\
        ip -n b -6 addr add 2001:db8::1/64 dev v2\nsleep 9\n\
        ip -n b -6 addr add 2001:db8::2/64 dev v2 nodad\nip netns exec a ping -6 -c 2 2001:db8::2\n\
        ip netns exec a ping -c 1 fe80::ff:fe00:2\n\
        echo hi | ip netns exec a nc -u 2001:db8::2 5555\n\
        ip netns exec a ping -6 -c 1 -s 2000 2001:db8::2\nsleep 6\n\
        ip -n a -6 addr add 2001:db8::3/64 dev v1 nodad\n\
        ip netns exec a python3 -m http.server 80 --bind 2001:db8::3 &\nsleep 1\n\
        ip netns exec b curl -I http://[2001:db8::3]/\nip netns exec b curl http://[2001:db8::3]:81/\nsleep 1\n\
        ip netns exec a radvd -n -C /dev/stdin <<EOF &\ninterface v1 {\n AdvSendAdvert on;\n AdvManagedFlag on;\n \
        AdvOtherConfigFlag on;\n AdvLinkMTU 1400;\n AdvReachableTime 30000;\n AdvRetransTimer 1000;\n \
        prefix 2001:db8:9::/64 {\n  AdvValidLifetime infinity;\n  AdvPreferredLifetime infinity;\n };\n \
        prefix 2001:db8:a::/48 {\n  AdvAutonomous off;\n  AdvRouterAddr on;\n };\n};\nEOF\nsleep 1\n";
    frames_of("oracle-ipv6.sh", script)
}

/// ICMPv6 the stack does not send yet, built by hand: echo request and reply (one with a
/// wrong checksum), port and address unreachable, time exceeded, packet too big,
/// parameter problem, an MLDv2 query and an MLDv1 report.
fn ipv6_synthetic() -> Vec<Vec<u8>> {
    let a: [u8; 16] = "2001:db8::1".parse::<std::net::Ipv6Addr>().unwrap().octets();
    let b: [u8; 16] = "2001:db8::2".parse::<std::net::Ipv6Addr>().unwrap().octets();
    let frame = |src: [u8; 16], dst: [u8; 16], hlim: u8, mut icmp: Vec<u8>, good: bool| {
        let mut sum = 0u32;
        for c in src.chunks(2).chain(dst.chunks(2)) {
            sum += u32::from(u16::from_be_bytes([c[0], c[1]]));
        }
        sum += icmp.len() as u32 + 58;
        let c = checksum(sum, &icmp);
        icmp[2..4].copy_from_slice(&(if good { c } else { c ^ 0x1111 }).to_be_bytes());
        let mut f = eth(1, 2);
        f[12..14].copy_from_slice(&[0x86, 0xdd]);
        f.extend_from_slice(&[0x60, 0, 0, 0]);
        f.extend_from_slice(&(icmp.len() as u16).to_be_bytes());
        f.extend_from_slice(&[58, hlim]);
        f.extend_from_slice(&src);
        f.extend_from_slice(&dst);
        f.extend_from_slice(&icmp);
        f
    };
    // A UDP datagram from b to a's port 5555, quoted by the errors.
    let mut quoted = vec![0x60, 0, 0, 0, 0, 12, 17, 64];
    quoted.extend_from_slice(&b);
    quoted.extend_from_slice(&a);
    quoted.extend_from_slice(&[0xd4, 0x31, 0x15, 0xb3, 0, 12, 0, 0, b'h', b'i', b'!', b'\n']);
    let err = |t: u8, c: u8, info: u32| {
        let mut m = vec![t, c, 0, 0];
        m.extend_from_slice(&info.to_be_bytes());
        m.extend_from_slice(&quoted);
        m
    };
    let mut echo = vec![128, 0, 0, 0, 0x12, 0x34, 0, 1];
    echo.extend((0..56).map(|i| i as u8));
    let mut reply = echo.clone();
    reply[0] = 129;
    let mut query = vec![130, 0, 0, 0, 0x27, 0x10, 0, 0];
    query.extend_from_slice(&[0; 16]);
    query.extend_from_slice(&[0x02, 125, 0, 0]);
    let mut v1report = vec![131, 0, 0, 0, 0, 0, 0, 0];
    v1report.extend_from_slice(&"ff02::1:ff00:1".parse::<std::net::Ipv6Addr>().unwrap().octets());
    vec![
        frame(b, a, 64, echo.clone(), true),
        frame(a, b, 64, reply, true),
        frame(b, a, 64, echo, false),
        frame(a, b, 64, err(1, 4, 0), true),
        frame(a, b, 64, err(1, 3, 0), true),
        frame(a, b, 64, err(1, 0, 0), true),
        frame(a, b, 64, err(3, 0, 0), true),
        frame(a, b, 64, err(2, 0, 1400), true),
        frame(a, b, 64, err(4, 1, 6), true),
        frame(a, b, 1, query, true),
        frame(a, b, 1, v1report, true),
    ]
}

/// Every frame a run of `script` captured, in order.
fn frames_of(name: &str, script: &str) -> Vec<Vec<u8>> {
    let r = common::run_text(name, script).unwrap();
    r.lab
        .world()
        .trace()
        .records()
        .iter()
        .filter_map(|x| if let Record::Frame { bytes, .. } = x { Some(bytes.clone()) } else { None })
        .collect()
}

/// Frames only `-v` tells apart: IP options, a header checksum that is right, ECN bits,
/// DF with MF, a TCP segment with a right checksum, a RST with data, an ICMP message with
/// a wrong checksum, a time exceeded quoting a TCP segment, and a DHCP message with the
/// options a relay and other clients send.
fn verbose_frames() -> Vec<Vec<u8>> {
    let c = [192, 0, 2, 1];
    let s = [198, 51, 100, 1];
    let fix_ip = |f: &mut Vec<u8>| {
        let ihl = usize::from(f[14] & 0x0f) * 4;
        f[24] = 0;
        f[25] = 0;
        let sum = checksum(0, &f[14..14 + ihl]);
        f[24..26].copy_from_slice(&sum.to_be_bytes());
    };
    let mut out = Vec::new();
    // Options: record route, router alert, a timestamp; tos with ECN; DF and MF.
    let opts: [&[u8]; 3] = [
        &[7, 11, 8, 192, 0, 2, 1, 0, 0, 0, 0, 1],
        &[148, 4, 0, 0, 1, 0, 0, 0],
        &[68, 12, 5, 0x10, 0, 0, 0, 7, 0, 0, 0, 0],
    ];
    for (i, o) in opts.iter().enumerate() {
        let mut f = eth(1, 2);
        let ihl = 20 + o.len();
        let payload = [8u8, 0, 0xf7, 0xff, 0, 0, 0, 0];
        f.extend([0x40 | (ihl / 4) as u8, [0, 1, 3][i]]);
        f.extend(((ihl + payload.len()) as u16).to_be_bytes());
        f.extend([0, 7, [0x40, 0x60, 0x20][i], 0, 64, 1, 0, 0]);
        f.extend(c);
        f.extend(s);
        f.extend(*o);
        f.extend(payload);
        fix_ip(&mut f);
        out.push(f);
    }
    // TCP with a right checksum, and a RST carrying text.
    for (flags, data) in [(0x18u8, &b"GET / HTTP/1.0\r\n"[..]), (0x14, &b"reset: no such connection, go away now"[..])]
    {
        let mut t = vec![0x9c, 0x40, 0, 80, 0, 0, 0, 1, 0, 0, 0, 1, 0x50, flags, 0x10, 0, 0, 0, 0, 0];
        t.extend(data);
        let sum = checksum(pseudo(c, s, 6, t.len()), &t);
        t[16..18].copy_from_slice(&sum.to_be_bytes());
        let mut f = eth(1, 2);
        ipv4(&mut f, 6, c, s, &t);
        fix_ip(&mut f);
        out.push(f);
    }
    // Time exceeded quoting a whole SYN, and an echo request whose checksum is wrong.
    let mut syn = Vec::new();
    ipv4(&mut syn, 6, c, s, &[0x9c, 0x40, 0, 80, 0, 0, 0, 9, 0, 0, 0, 0, 0x50, 2, 0x10, 0, 0, 0, 0, 0]);
    let mut m = vec![11, 0, 0, 0, 0, 0, 0, 0];
    m.extend(&syn);
    let mut f = eth(2, 1);
    ipv4(&mut f, 1, [10, 0, 0, 1], c, &m);
    out.push(f);
    let mut f = eth(1, 2);
    ipv4(&mut f, 1, c, s, &[8, 0, 0x12, 0x34, 0, 1, 0, 1, 0xde, 0xad]);
    out.push(f);
    // DHCP: a relayed request with a client id, a hostname with odd bytes, FQDN, user class,
    // classless routes, an agent-information option, an unknown option, and PAD.
    let mut d = vec![0u8; 236];
    d[..4].copy_from_slice(&[1, 1, 6, 1]);
    d[4..8].copy_from_slice(&0xdead_beefu32.to_be_bytes());
    d[8..10].copy_from_slice(&3u16.to_be_bytes());
    d[10] = 0x80;
    d[24..28].copy_from_slice(&[10, 0, 0, 1]);
    d[28..34].copy_from_slice(&[2, 0, 0, 0, 0, 9]);
    d[44..48].copy_from_slice(b"srv\0");
    d.extend([0x63, 0x82, 0x53, 0x63]);
    d.extend([53, 1, 3, 0, 61, 7, 1, 2, 0, 0, 0, 0, 9]);
    d.extend([12, 6, b'h', 0xe9, b'\t', b'x', 0x7f, b'y']);
    d.extend([81, 6, 0x05, 0, 0, b'a', b'.', b'b']);
    d.extend([77, 4, 3, b'a', b'b', b'c']);
    d.extend([121, 14, 24, 10, 1, 2, 10, 0, 0, 1, 0, 10, 0, 0, 254]);
    d.extend([82, 9, 1, 3, b'c', b'i', b'd', 9, 2, 0xab, 0xcd]);
    d.extend([46, 2, 8, 1, 52, 1, 3, 200, 3, 1, 2, 3, 57, 2, 2, 64, 23, 1, 64, 19, 1, 1, 0, 0, 255]);
    let mut u = vec![0, 68, 0, 67];
    u.extend(((8 + d.len()) as u16).to_be_bytes());
    u.extend([0, 0]);
    u.extend(&d);
    let mut f = eth(1, 2);
    ipv4(&mut f, 17, [10, 0, 0, 1], s, &u);
    fix_ip(&mut f);
    out.push(f);
    out
}

/// Frames a review crafted where `-v` once differed from tcpdump: a RST whose text the
/// capture cut short, a 128-character HTTP token, an HTTP line cut short, a DHCP `sname`
/// without its NUL, an ICMP error quoting a cut HTTP response.
const REVIEW_FRAMES: [&str; 8] = [
    // ARP with an operation tcpdump has no case for (it dumps the packet, even without
    // -x), and with a protocol it does not know (the address formats, nothing more).
    concat!("00005e00530100005e00530108060001080006040005", "00005e005301c0a80101", "00005e005301c0a80101"),
    concat!("00005e00530100005e00530108060001123406040001", "00005e005301c0a80101", "00005e005301c0a80101"),
    "00005e00530200005e0053010800450000370007000040068e84c0000201c63364019c40138800000001000000015014100008c600006162636465666768696a",
    "00005e00530200005e0053010800450000b10007000040068e0ac0000201c63364019c400050000000010000000150181000006c0000414141414141414141414141414141414141414141414141414141414141414141414141414141414141414141414141414141414141414141414141414141414141414141414141414141414141414141414141414141414141414141414141414141414141414141414141414141414141414141414141414141414141414120323030204f4b0d0a",
    "00005e00530200005e00530108004500004d0007000040068e6ec0000201c63364019c400050000000010000000150181000e00d0000474554202f696e646578",
    "00005e00530200005e00530108004500011000070000401179d700000000ffffffff0044004300fc0000010106000000000500000000000000000000000000000000000000000200000000090000000000000000000073737373737373737373737373737373737373737373737373737373737373737373737373737373737373737373737373737373737373737373737373737373626f6f740000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000063825363350101ff",
    "00005e00530200005e005301080045000038000700004001aebc0a000001c00002010b00586f000000004500000a0007000040068eb1c0000201c63364019c40005000000000",
    "00005e00530200005e00530108004500024000070000400143840a0000fec63364010304353d00000500450005dc00094000400648ddc6336401c000020100509c40000000010000000150181000206a0000485454502f312e3020323030204f4b0d0a5365727665723a2053696d706c65485454502f302e3620507974686f6e2f332e31312e320d0a436f6e74656e742d747970653a20746578742f68746d6c0d0a0d0a3c703e787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878783c2f703e0a3c703e787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878783c2f703e0a3c703e787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878783c2f703e0a3c703e787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878783c2f703e0a3c703e787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878783c2f703e0a3c703e787878787878787878787878787878787878787878787878787878787878787878",
];

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

fn checksum(start: u32, data: &[u8]) -> u16 {
    nslab::sim_nodes::wire::checksum_with(start, data)
}

fn pseudo(src: [u8; 4], dst: [u8; 4], proto: u8, len: usize) -> u32 {
    nslab::sim_nodes::wire::pseudo_header_sum(src.into(), dst.into(), proto, len)
}

fn eth(src: u8, dst: u8) -> Vec<u8> {
    let mut f = vec![0, 0, 0x5e, 0, 0x53, dst, 0, 0, 0x5e, 0, 0x53, src];
    f.extend([0x08, 0x00]);
    f
}

fn ipv4(f: &mut Vec<u8>, proto: u8, src: [u8; 4], dst: [u8; 4], payload: &[u8]) {
    let len = (20 + payload.len()) as u16;
    f.extend([0x45, 0]);
    f.extend(len.to_be_bytes());
    f.extend([0x12, 0x34, 0x40, 0, 64, proto, 0, 0]);
    f.extend(src);
    f.extend(dst);
    f.extend(payload);
}

fn synthetic() -> Vec<Vec<u8>> {
    let c = [192, 0, 2, 1];
    let s = [198, 51, 100, 1];
    let mut out = Vec::new();
    // A time exceeded with an RFC 4884 extension holding an MPLS label stack entry (its
    // label, cut short, abandons the packet).
    let mut quoted = vec![0x45, 0, 0, 128, 0, 1, 0, 0, 1, 17, 0, 0];
    quoted.extend(c);
    quoted.extend(s);
    quoted.resize(128, 0);
    let mut ext = vec![0x20, 0, 0, 0, 0, 8, 1, 1, 0x01, 0x23, 0x41, 0xfe];
    let sum = checksum(0, &ext);
    ext[2..4].copy_from_slice(&sum.to_be_bytes());
    let mut icmp = vec![11, 0, 0, 0, 0, 32, 0, 0];
    icmp.extend(&quoted);
    icmp.extend(&ext);
    let sum = checksum(0, &icmp);
    icmp[2..4].copy_from_slice(&sum.to_be_bytes());
    let mut f = eth(1, 2);
    ipv4(&mut f, 1, s, c, &icmp);
    out.push(f);
    // An ethertype tcpdump has no printer for: its payload is dumped.
    let mut f = eth(1, 2);
    f[12..14].copy_from_slice(&[0x88, 0xb5]);
    f.extend(b"local experimental ethertype, 40 bytes".iter().copied());
    out.push(f);
    // UDP datagram, 32 bytes.
    let mut u = vec![0xaf, 0x2d, 0x82, 0x9a, 0, 40, 0, 0];
    u.extend([0u8; 32]);
    let mut f = eth(1, 2);
    ipv4(&mut f, 17, c, s, &u);
    out.push(f);
    // The first fragment of a 3008-byte UDP datagram (MF set), and a datagram whose UDP
    // length says more than the packet holds (not a fragment).
    let mut u = vec![0x0f, 0xa0, 0x15, 0xb3, 0x0b, 0xc0, 0, 0];
    u.extend([0u8; 32]);
    for mf in [0x20u8, 0x40] {
        let mut f = eth(1, 2);
        ipv4(&mut f, 17, c, s, &u);
        f[14 + 6] = mf;
        out.push(f);
    }
    // TCP handshake with options, data, FIN, and a RST-ACK.
    let tcp = |sp: u16, dp: u16, seq: u32, ack: u32, flags: u8, opts: &[u8], data: &[u8]| {
        let mut t = Vec::new();
        t.extend(sp.to_be_bytes());
        t.extend(dp.to_be_bytes());
        t.extend(seq.to_be_bytes());
        t.extend(ack.to_be_bytes());
        t.push((((20 + opts.len()) / 4) << 4) as u8);
        t.push(flags);
        t.extend(64240u16.to_be_bytes());
        t.extend([0, 0, 0, 0]);
        t.extend(opts);
        t.extend(data);
        t
    };
    let syn_opts = [2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7];
    let ts = [1, 1, 8, 10, 0, 0, 0, 2, 0, 0, 0, 1];
    let segs = [
        (c, s, tcp(35234, 5555, 1175206699, 0, 0x02, &syn_opts, b"")),
        (s, c, tcp(5555, 35234, 3261490245, 1175206700, 0x12, &syn_opts, b"")),
        (c, s, tcp(35234, 5555, 1175206700, 3261490246, 0x10, &ts, b"")),
        (c, s, tcp(35234, 5555, 1175206700, 3261490246, 0x18, &ts, b"Hello World!\n")),
        (s, c, tcp(5555, 35234, 3261490246, 1175206713, 0x10, &ts, b"")),
        (c, s, tcp(35234, 5555, 1175206713, 3261490246, 0x11, &ts, b"")),
        (s, c, tcp(5557, 49104, 0, 810009372, 0x14, &[], b"")),
    ];
    for (a, b, t) in segs {
        let mut f = eth(1, 2);
        ipv4(&mut f, 6, a, b, &t);
        out.push(f);
    }
    // ICMP port unreachable about a UDP datagram, and protocol unreachable (about an
    // experimental protocol, 253: tcpdump decodes GRE, IGMP and others itself, which the
    // formatter prints as `ip-proto-N`).
    for (code, proto) in [(3u8, 17u8), (2, 253)] {
        let mut inner = Vec::new();
        ipv4(&mut inner, proto, c, s, &[0x9c, 0x40, 0x15, 0xb4, 0, 11, 0, 0, b'h', b'i', b'\n']);
        let mut m = vec![3, code, 0, 0, 0, 0, 0, 0];
        m.extend(&inner);
        let mut f = eth(2, 1);
        ipv4(&mut f, 1, s, c, &m);
        out.push(f);
    }
    out
}

#[test]
fn formatter_matches_real_tcpdump() {
    let mut frames = sim_frames();
    assert!(frames.len() > 10, "the sim run should have produced frames");
    frames.extend(sim_ipv6_frames());
    frames.extend(ipv6_synthetic());
    frames.extend(synthetic());
    frames.extend(verbose_frames());
    frames.extend(REVIEW_FRAMES.iter().map(|h| unhex(h)));
    let Some(real) = tcpdump_lines(&frames, "-tnel") else { return };
    // (A packet tcpdump has no printer for is dumped on lines of its own.)
    let lines = |v: Vec<String>| v.iter().flat_map(|l| l.split('\n').map(str::to_string)).collect::<Vec<_>>();
    let mine = lines(ours(&frames, Options::default()));
    assert_eq!(real.len(), mine.len());
    for (i, (r, m)) in real.iter().zip(&mine).enumerate() {
        assert_eq!(r, m, "frame {i}");
    }
    let Some(real) = tcpdump_lines(&frames, "-tnl") else { return };
    let mine = lines(ours(&frames, Options { link_header: false, ..Options::default() }));
    assert_eq!(real.len(), mine.len());
    for (i, (r, m)) in real.iter().zip(&mine).enumerate() {
        assert_eq!(r, m, "frame {i} without -e");
    }
}

#[test]
fn verbose_matches_real_tcpdump() {
    let mut frames = sim_frames();
    frames.extend(sim_ipv6_frames());
    frames.extend(ipv6_synthetic());
    let dhcp = sim_dhcp_frames();
    assert!(dhcp.len() > 6, "the DHCP run should have produced frames");
    frames.extend(dhcp);
    frames.extend(synthetic());
    frames.extend(verbose_frames());
    frames.extend(REVIEW_FRAMES.iter().map(|h| unhex(h)));
    for flags in ["-tnelv", "-tnlv", "-tnelvv", "-tnlvv", "-tnelvvv", "-tnlvvv"] {
        let Some(real) = tcpdump_lines(&frames, flags) else { return };
        let mine: Vec<String> = ours(&frames, options_for(flags))
            .iter()
            .flat_map(|l| l.split('\n').map(str::to_string).collect::<Vec<_>>())
            .collect();
        for (i, (r, m)) in real.iter().zip(&mine).enumerate() {
            assert_eq!(r, m, "line {i} with {flags}");
        }
        assert_eq!(real.len(), mine.len(), "{flags}");
    }
}

/// `-x`, `-X`, `-A` and their doubles: the dumps after each line, on every frame above and
/// on frames shorter than an Ethernet header.
#[test]
fn dumps_match_real_tcpdump() {
    let mut frames = sim_frames();
    frames.extend(sim_ipv6_frames());
    frames.extend(ipv6_synthetic());
    frames.extend(sim_dhcp_frames());
    frames.extend(synthetic());
    frames.extend(verbose_frames());
    frames.extend(REVIEW_FRAMES.iter().map(|h| unhex(h)));
    let short = frames[0].clone();
    frames.extend([short[..10].to_vec(), short[..13].to_vec(), short[..14].to_vec()]);
    for flags in ["-tnelx", "-tnelxx", "-tnelX", "-tnlXX", "-tnelA", "-tnlAA", "-tnelAXx", "-tnelvX"] {
        let Some(real) = tcpdump_lines(&frames, flags) else { return };
        let mine: Vec<String> =
            ours(&frames, options_for(flags)).iter().flat_map(|l| l.split('\n').map(str::to_string)).collect();
        for (i, (r, m)) in real.iter().zip(&mine).enumerate() {
            let packet = real[..i].iter().rev().find(|l| !l.starts_with('\t')).map_or("", String::as_str);
            assert_eq!(r, m, "line {i} with {flags}, in the dump of: {packet}");
        }
        assert_eq!(real.len(), mine.len(), "{flags}");
    }
}

#[test]
fn oracle_sees_what_we_think_it_sees() {
    let frames = synthetic();
    let Some(real) = tcpdump_lines(&frames, "-tnel") else { return };
    for l in &real {
        println!("{l}");
    }
    assert!(real.iter().any(|l| l.contains("Flags [S.], seq 3261490245, ack 1175206700, win 64240, options [mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7], length 0")));
    assert!(
        real.iter()
            .any(|l| l.contains("Flags [P.], seq 1:14, ack 1, win 64240, options [nop,nop,TS val 2 ecr 1], length 13"))
    );
    assert!(real.iter().any(|l| l.ends_with("ICMP 198.51.100.1 udp port 5556 unreachable, length 39")));
    let Some(real) = tcpdump_lines(&frames, "-tnelv") else { return };
    assert!(real.iter().any(|l| l.contains("label 4660, tc 0, [S], ttl 254")), "{real:#?}");
}

/// The options a tcpdump flag string such as `-tnelvX` asks for.
fn options_for(flags: &str) -> Options {
    let n = |c: char| flags.chars().filter(|&f| f == c).count() as u8;
    Options {
        link_header: n('e') > 0,
        verbose: n('v'),
        dump: Dump::from_flags(n('x'), n('X'), n('A')),
        ..Options::default()
    }
}

/// Every prefix of every distinct frame above, from one byte to the whole frame: where
/// tcpdump stops each printer when the bytes run out, with and without `-v`, and where its
/// dump then starts (the whole frame, when a printer gave up part-way).
#[test]
fn truncated_frames_match_real_tcpdump() {
    let mut frames = sim_frames();
    frames.extend(sim_ipv6_frames());
    frames.extend(ipv6_synthetic());
    frames.extend(sim_dhcp_frames());
    frames.extend(synthetic());
    frames.extend(verbose_frames());
    frames.extend(REVIEW_FRAMES.iter().map(|h| unhex(h)));
    let mut seen = std::collections::BTreeSet::new();
    let cut: Vec<Vec<u8>> = frames
        .iter()
        .filter(|f| seen.insert(f.get(12..).unwrap_or_default().to_vec()))
        .flat_map(|f| (1..=f.len()).map(|n| f[..n].to_vec()))
        .collect();
    assert!(cut.len() > 5000, "{} prefixes", cut.len());
    for flags in ["-tnelvx", "-tnlX", "-tnelA", "-tnelvv", "-tnelvvv"] {
        let Some(real) = tcpdump_lines(&cut, flags) else { return };
        let mine: Vec<String> =
            ours(&cut, options_for(flags)).iter().flat_map(|l| l.split('\n').map(str::to_string)).collect();
        for (i, (r, m)) in real.iter().zip(&mine).enumerate() {
            let packet = real[..=i].iter().rev().find(|l| !l.starts_with(['\t', ' '])).map_or("", String::as_str);
            assert_eq!(r, m, "line {i} with {flags}, in: {packet}");
        }
        assert_eq!(real.len(), mine.len(), "{flags}");
    }
}

/// `tcpdump -i any`'s lines: every frame above as libpcap's cooked capture hands it over
/// (each packet type, an interface index no machine has, so the real tcpdump names it `?`
/// as the formatter is told to), with and without `-e`, `-v` and the dumps.
#[test]
fn cooked_frames_match_real_tcpdump() {
    let mut frames = sim_frames();
    frames.extend(sim_ipv6_frames());
    frames.extend(sim_dhcp_frames());
    frames.extend(synthetic());
    frames.extend(verbose_frames());
    let cooked: Vec<Cooked> = (0..frames.len())
        .map(|i| Cooked { ifindex: 900_000 + i as u32 % 3, ifname: "?".into(), hatype: 1, pkttype: (i % 5) as u8 })
        .collect();
    let sll2: Vec<Vec<u8>> = frames.iter().zip(&cooked).map(|(f, c)| c.sll2(f)).collect();
    for flags in ["-tnel", "-tnl", "-tnelv", "-tnelxx", "-tnlX", "-tnelA"] {
        let Some(real) = tcpdump_lines_of(&sll2, true, flags) else { return };
        let mut f = Formatter::new(options_for(flags));
        let mine: Vec<String> = frames
            .iter()
            .zip(&cooked)
            .flat_map(|(x, c)| f.line_of(0, x, Some(c)).split('\n').map(str::to_string).collect::<Vec<_>>())
            .collect();
        for (i, (r, m)) in real.iter().zip(&mine).enumerate() {
            assert_eq!(r, m, "line {i} with {flags}");
        }
        assert_eq!(real.len(), mine.len(), "{flags}");
    }
}
