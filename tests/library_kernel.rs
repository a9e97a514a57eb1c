//! The same user code in the sim and on the real kernel (`nslab::on_both`): a TCP echo
//! through MASQUERADE (the UDP echo is `examples/udp_echo.rs`), a command's output, and
//! what a capture on the router saw, UDP over IPv6 (echo, wrong-family errors, port
//! unreachable, an IPv6 socket hearing IPv4, ICMPv6's rate limit), TCP over IPv6 (echo,
//! a dual-stack listener, a refusal), each compared; and a kernel lab leaves nothing behind however its test
//! ends.
//!
//! The kernel's halves need root and the Debian tools; without them each test prints
//! `skipped: why` and checks the sim's half only.

use nslab::net::{TcpListener, TcpStream, UdpSocket};
use nslab::{Error, Lab, kernel_backend, on_both};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// lan (192.168.1.2) — router (MASQUERADE out of r-w, 203.0.113.254) — wan (203.0.113.1).
const MASQUERADE: &str = include_str!("labs/masquerade.sh");

/// Kernel-mode namespaces this test process has now.
fn ours() -> Vec<String> {
    let me = format!("{}{}-", kernel_backend::names::PREFIX, std::process::id());
    kernel_backend::netns::existing().into_iter().filter(|n| n.starts_with(&me)).collect()
}

/// Each test's kernel labs are its own: tests run one at a time, so `ours()` sees only
/// the running test's.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner())
}

/// `line` with each MAC address (random on a real veth) as `MAC`.
fn no_macs(line: &str) -> String {
    let is_mac =
        |w: &str| w.len() == 17 && w.split(':').all(|h| h.len() == 2 && h.chars().all(|c| c.is_ascii_hexdigit()));
    line.split(' ')
        .map(|w| match w.strip_suffix(',') {
            Some(m) if is_mac(m) => "MAC,",
            _ if is_mac(w) => "MAC",
            _ => w,
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A task's result, or the lab's error: a panic in the task fails the test.
fn joined<T>(r: Result<Result<std::io::Result<T>, tokio::task::JoinError>, Error>) -> Result<T, Error> {
    r?.expect("the task did not panic").map_err(|e| Error::Refused(e.to_string()))
}

#[test]
fn a_tcp_echo_through_masquerade_is_the_same_on_both() {
    let _one = one_at_a_time();
    let both = on_both(MASQUERADE, |lab| {
        let server = lab.spawn("wan", async {
            let listener = TcpListener::bind("0.0.0.0:8080").await?;
            let (mut stream, from) = listener.accept().await?;
            let mut got = Vec::new();
            stream.read_to_end(&mut got).await?;
            stream.write_all(&got).await?;
            stream.shutdown().await?;
            Ok((from.ip(), got.len()))
        })?;
        let client = lab.spawn("lan", async {
            let mut stream = TcpStream::connect("203.0.113.1:8080").await?;
            let data: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
            stream.write_all(&data).await?;
            stream.shutdown().await?;
            let mut back = Vec::new();
            stream.read_to_end(&mut back).await?;
            let refused = TcpStream::connect("203.0.113.1:9").await.map(|_| ()).map_err(|e| e.kind());
            Ok::<_, std::io::Error>((back == data, refused))
        })?;
        let client = joined(lab.block_on(client))?;
        let server = joined(lab.block_on(server))?;
        Ok((client, server))
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let want = ((true, Err(std::io::ErrorKind::ConnectionRefused)), ("203.0.113.254".parse().unwrap(), 100_000));
    assert_eq!(both.sim, want);
    assert_eq!(ours(), Vec::<String>::new(), "namespaces left behind");
}

/// `exec` runs the real tool on the kernel and the sim's on the sim: the same bytes; and
/// the capture on the router's outside shows the same lines (`tcpdump -tnl`).
#[test]
fn exec_and_captures_read_the_same_on_both() {
    let _one = one_at_a_time();
    let both = on_both(MASQUERADE, |lab| {
        let route = lab.exec("lan", "ip route")?;
        let nat = lab.exec("router", "iptables -t nat -S")?;
        let refused = match lab.exec("lan", "ip link set nosuch up") {
            Err(Error::Script(e)) => e.message.clone(),
            other => format!("not refused: {other:?}"),
        };
        let outside = lab.capture("router", "r-w")?;
        let server = lab.spawn("wan", async {
            let sock = UdpSocket::bind("0.0.0.0:7").await?;
            let mut buf = [0u8; 64];
            let (n, from) = sock.recv_from(&mut buf).await?;
            sock.send_to(&buf[..n], from).await
        })?;
        let client = lab.spawn("lan", async {
            let sock = UdpSocket::bind("0.0.0.0:40000").await?;
            sock.send_to(b"hello", "203.0.113.1:7").await?;
            let mut buf = [0u8; 64];
            sock.recv_from(&mut buf).await.map(|_| ())
        })?;
        joined(lab.block_on(client))?;
        joined(lab.block_on(server))?;
        // IPv4 only: what IPv6 sends on its own (MLD reports, router solicitations) comes at
        // random times on both sides, as `tcpdump not ip6` would leave it out.
        let v4: Vec<String> = lab
            .tcpdump(outside, false)
            .iter()
            .filter(|l| !l.split(' ').any(|w| w == "IP6"))
            .map(|l| no_macs(l))
            .collect();
        Ok((route, nat, refused, v4))
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let (route, nat, refused, lines) = both.sim;
    assert_eq!(
        route.0,
        ["default via 192.168.1.1 dev l-r ", "192.168.1.0/24 dev l-r proto kernel scope link src 192.168.1.2 "]
    );
    assert!(nat.0.contains(&"-A POSTROUTING -o r-w -j MASQUERADE".to_string()), "{nat:?}");
    assert!(refused.contains("Cannot find device \"nosuch\""), "{refused}");
    assert_eq!(lines[1], "ARP, Reply 203.0.113.1 is-at MAC, length 28");
    assert!(lines.contains(&"IP 203.0.113.254.40000 > 203.0.113.1.7: UDP, length 5".to_string()), "{lines:?}");
    assert!(lines.contains(&"IP 203.0.113.1.7 > 203.0.113.254.40000: UDP, length 5".to_string()), "{lines:?}");
}

/// A namespace the script did not make, a socket outside a host, and a test that panics
/// while its kernel lab stands: clear errors, and nothing left behind.
#[test]
fn a_kernel_lab_refuses_clearly_and_leaves_nothing_behind() {
    let _one = one_at_a_time();
    let mut lab = match Lab::kernel_from_script(MASQUERADE) {
        Ok(lab) => lab,
        Err(Error::KernelUnavailable(why)) => {
            nslab::skipped(&why);
            return;
        }
        Err(e) => panic!("{e}"),
    };
    assert!(lab.on_kernel() && lab.sim().is_none());
    let e = lab.spawn("nowhere", async {}).unwrap_err();
    assert_eq!(e.to_string(), "Cannot open network namespace \"nowhere\": No such file or directory");
    let outside = lab.block_on(async { UdpSocket::bind("0.0.0.0:0").await.unwrap_err().to_string() }).unwrap();
    assert!(outside.contains("Lab::spawn"), "{outside}");
    assert!(matches!(nslab::check_determinism(1, |_| Lab::kernel_from_script(MASQUERADE)), Err(Error::Kernel(_))));
    // An impairment is the kernel's own netem, or tc's refusal where the kernel has none.
    let slow = nslab::Impairment { delay: Some(std::time::Duration::from_millis(20)), ..Default::default() };
    match lab.impair("lan", "l-r", slow) {
        Ok(()) => {
            let (qdisc, _) = lab.exec("lan", "tc qdisc show dev l-r").unwrap();
            assert!(qdisc[0].starts_with("qdisc netem ") && qdisc[0].contains(" delay 20ms"), "{qdisc:?}");
        }
        Err(e) => assert!(e.to_string().contains("Error: Specified qdisc kind is unknown."), "{e}"),
    }
    assert_eq!(ours().len(), 4, "the lab's root, lan, router and wan: {:?}", ours());
    let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
        let _lab = lab;
        panic!("the user's assertion failed");
    }));
    assert!(panicked.is_err());
    assert_eq!(ours(), Vec::<String>::new(), "namespaces left behind");
}

/// a (2001:db8::1) — b (2001:db8::2) on a veth pair, IPv6 only.
const V6_PAIR: &str = "ip netns add a
ip netns add b
ip link add va type veth peer name vb
ip link set va netns a
ip link set vb netns b
ip -n a link set lo up
ip -n b link set lo up
ip -n a link set va up
ip -n b link set vb up
ip -n a -6 addr add 2001:db8::1/64 dev va nodad
ip -n b -6 addr add 2001:db8::2/64 dev vb nodad
";

/// UDP over IPv6 as a user's code meets it: an echo (its source as recvfrom(2) gives it),
/// an address of the other family (EAFNOSUPPORT from an IPv4 socket; from an IPv6 one, an
/// IPv4 datagram that has no route here), and ICMPv6 port unreachable reaching a connected
/// socket.
#[test]
fn udp_over_ipv6_is_the_same_on_both() {
    let _one = one_at_a_time();
    let both = on_both(V6_PAIR, |lab| {
        let server = lab.spawn("b", async {
            let sock = UdpSocket::bind("[::]:7").await?;
            let mut buf = [0u8; 64];
            let (n, from) = sock.recv_from(&mut buf).await?;
            sock.send_to(&buf[..n], from).await?;
            Ok(from)
        })?;
        let client = lab.spawn("a", async {
            let sock = UdpSocket::bind("[::]:40000").await?;
            let local = sock.local_addr()?;
            sock.send_to(b"hello", "[2001:db8::2]:7").await?;
            let mut buf = [0u8; 64];
            let (n, from) = sock.recv_from(&mut buf).await?;
            let v4 = UdpSocket::bind("0.0.0.0:0").await?;
            let to_v6 = v4.send_to(b"x", "[2001:db8::2]:7").await.map_err(|e| e.raw_os_error());
            let to_v4 = sock.send_to(b"x", "10.0.0.9:7").await.map_err(|e| e.kind());
            sock.connect("[2001:db8::2]:9").await?;
            sock.send(b"anyone?").await?;
            let refused = sock.recv(&mut buf).await.map_err(|e| e.kind());
            Ok::<_, std::io::Error>((local, buf[..n].to_vec(), from, to_v6, to_v4, refused))
        })?;
        let client = joined(lab.block_on(client))?;
        let server = joined(lab.block_on(server))?;
        Ok((client, server))
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let ((local, echoed, from, to_v6, to_v4, refused), seen) = both.sim;
    assert_eq!(local, "[::]:40000".parse().unwrap());
    assert_eq!((echoed.as_slice(), from), (&b"hello"[..], "[2001:db8::2]:7".parse().unwrap()));
    assert_eq!(seen, "[2001:db8::1]:40000".parse().unwrap());
    assert_eq!(to_v6, Err(Some(97)), "EAFNOSUPPORT");
    assert_eq!(to_v4, Err(std::io::ErrorKind::NetworkUnreachable));
    assert_eq!(refused, Err(std::io::ErrorKind::ConnectionRefused));
    assert_eq!(ours(), Vec::<String>::new(), "namespaces left behind");
}

/// ICMPv6's rate limit on the kernel and in the sim: twenty datagrams to a closed port draw
/// six port unreachables, then one per `net.ipv6.icmp.ratelimit` (100 ms).
#[test]
fn icmpv6_errors_are_rate_limited_the_same_on_both() {
    let _one = one_at_a_time();
    let both = on_both(V6_PAIR, |lab| {
        let seen = lab.capture("a", "va")?;
        let client = lab.spawn("a", async {
            let sock = UdpSocket::bind("[::]:40000").await?;
            for _ in 0..20 {
                sock.send_to(b"x", "[2001:db8::2]:9").await?;
            }
            tokio::time::sleep(std::time::Duration::from_millis(250)).await;
            for _ in 0..5 {
                sock.send_to(b"x", "[2001:db8::2]:9").await?;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            Ok::<_, std::io::Error>(())
        })?;
        joined(lab.block_on(client))?;
        let unreachable = lab.tcpdump(seen, false).iter().filter(|l| l.contains("unreachable port")).count();
        Ok(unreachable)
    })
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(both.sim, 6 + 2);
    assert_eq!(ours(), Vec::<String>::new(), "namespaces left behind");
}

/// An IPv6 socket bound to `[::]` hears IPv4 too, as Linux's default makes it: the IPv4
/// client's datagram arrives from `[::ffff:10.0.0.1]`, the answer goes back over IPv4, and
/// the port is taken for IPv4 sockets as well.
#[test]
fn an_ipv6_socket_hears_ipv4_the_same_on_both() {
    let _one = one_at_a_time();
    let script = format!("{V6_PAIR}ip -n a addr add 10.0.0.1/24 dev va\nip -n b addr add 10.0.0.2/24 dev vb\n");
    let both = on_both(&script, |lab| {
        let server = lab.spawn("b", async {
            let sock = UdpSocket::bind("[::]:7").await?;
            let v4_too = UdpSocket::bind("0.0.0.0:7").await.map(|_| ()).map_err(|e| e.kind());
            let mut buf = [0u8; 64];
            let (n, from) = sock.recv_from(&mut buf).await?;
            sock.send_to(&buf[..n], from).await?;
            Ok((from.ip(), v4_too))
        })?;
        let client = lab.spawn("a", async {
            let sock = UdpSocket::bind("0.0.0.0:40000").await?;
            sock.send_to(b"hello", "10.0.0.2:7").await?;
            let mut buf = [0u8; 64];
            let (n, from) = sock.recv_from(&mut buf).await?;
            Ok::<_, std::io::Error>((buf[..n].to_vec(), from))
        })?;
        let client = joined(lab.block_on(client))?;
        let server = joined(lab.block_on(server))?;
        Ok((client, server))
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let ((echoed, from), (seen, v4_too)) = both.sim;
    assert_eq!((echoed.as_slice(), from), (&b"hello"[..], "10.0.0.2:7".parse().unwrap()));
    assert_eq!(seen, "::ffff:10.0.0.1".parse::<std::net::IpAddr>().unwrap());
    assert_eq!(v4_too, Err(std::io::ErrorKind::AddrInUse));
    assert_eq!(ours(), Vec::<String>::new(), "namespaces left behind");
}

/// TCP over IPv6 as a user's code meets it: an echo between two IPv6 addresses (each end
/// sees the other's), a listener on `[::]` taking an IPv4 client as `[::ffff:10.0.0.1]`
/// (its own address likewise), and a port nobody listens on refusing with RST.
#[test]
fn tcp_over_ipv6_is_the_same_on_both() {
    let _one = one_at_a_time();
    let script = format!("{V6_PAIR}ip -n a addr add 10.0.0.1/24 dev va\nip -n b addr add 10.0.0.2/24 dev vb\n");
    let both = on_both(&script, |lab| {
        let server = lab.spawn("b", async {
            let listener = TcpListener::bind("[::]:7").await?;
            let mut seen = Vec::new();
            for _ in 0..2 {
                let (mut stream, from) = listener.accept().await?;
                let mut got = Vec::new();
                stream.read_to_end(&mut got).await?;
                stream.write_all(&got).await?;
                stream.shutdown().await?;
                seen.push((from.ip(), stream.local_addr()?.ip(), got.len()));
            }
            Ok(seen)
        })?;
        let client = lab.spawn("a", async {
            let mut out = Vec::new();
            for to in ["[2001:db8::2]:7", "10.0.0.2:7"] {
                let mut stream = TcpStream::connect(to).await?;
                let (local, peer) = (stream.local_addr()?.ip(), stream.peer_addr()?);
                let data: Vec<u8> = (0..20_000u32).map(|i| (i % 251) as u8).collect();
                stream.write_all(&data).await?;
                stream.shutdown().await?;
                let mut back = Vec::new();
                stream.read_to_end(&mut back).await?;
                // Closed both ways (time-wait): getpeername(2) has no peer any more.
                let gone = stream.peer_addr().map_err(|e| e.kind());
                out.push((back == data, local, peer, gone));
            }
            let refused = TcpStream::connect("[2001:db8::2]:9").await.map(|_| ()).map_err(|e| e.kind());
            Ok::<_, std::io::Error>((out, refused))
        })?;
        let client = joined(lab.block_on(client))?;
        let server = joined(lab.block_on(server))?;
        Ok((client, server))
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let ip = |s: &str| s.parse::<std::net::IpAddr>().unwrap();
    use std::io::ErrorKind::NotConnected;
    let ((out, refused), seen) = both.sim;
    assert_eq!(
        out,
        vec![
            (true, ip("2001:db8::1"), "[2001:db8::2]:7".parse().unwrap(), Err(NotConnected)),
            (true, ip("10.0.0.1"), "10.0.0.2:7".parse().unwrap(), Err(NotConnected)),
        ]
    );
    assert_eq!(refused, Err(std::io::ErrorKind::ConnectionRefused));
    assert_eq!(
        seen,
        vec![(ip("2001:db8::1"), ip("2001:db8::2"), 20_000), (ip("::ffff:10.0.0.1"), ip("::ffff:10.0.0.2"), 20_000)]
    );
    assert_eq!(ours(), Vec::<String>::new(), "namespaces left behind");
}
