//! nslab as a library: users' futures on simulated hosts, with sockets shaped as
//! `tokio::net`'s, through a MASQUERADE router, in virtual time.

use nslab::Lab;
use nslab::net::UdpSocket;
use std::net::SocketAddr;
use std::time::Duration;

/// lan (192.168.1.2) — router (MASQUERADE out of r-w, 203.0.113.254) — wan (203.0.113.1).
const MASQUERADE: &str = include_str!("labs/masquerade.sh");

/// A UDP echo server as tokio's docs write one: what it heard from, once.
async fn echo_once(port: u16) -> std::io::Result<SocketAddr> {
    let sock = UdpSocket::bind(("0.0.0.0".parse::<std::net::IpAddr>().unwrap(), port)).await?;
    let mut buf = [0u8; 1500];
    let (n, from) = sock.recv_from(&mut buf).await?;
    sock.send_to(&buf[..n], from).await?;
    Ok(from)
}

/// Its client: from `bind`, one datagram to `to` and the answer: what came back, and from
/// where.
async fn ask(bind: &'static str, payload: &'static [u8], to: &'static str) -> std::io::Result<(Vec<u8>, SocketAddr)> {
    let sock = UdpSocket::bind(bind).await?;
    sock.send_to(payload, to).await?;
    let mut buf = [0u8; 64];
    let (n, from) = sock.recv_from(&mut buf).await?;
    Ok((buf[..n].to_vec(), from))
}

#[test]
fn udp_echo_through_masquerade() {
    let mut lab = Lab::from_script(MASQUERADE).unwrap_or_else(|e| panic!("{e}"));
    let t0 = lab.now();
    let server = lab.spawn("wan", echo_once(7)).unwrap();
    let client = lab
        .spawn("lan", async {
            let sock = UdpSocket::bind("0.0.0.0:0").await?;
            sock.send_to(b"hello", "203.0.113.1:7").await?;
            let mut buf = [0u8; 64];
            let (n, from) = sock.recv_from(&mut buf).await?;
            Ok::<_, std::io::Error>((buf[..n].to_vec(), from, sock.local_addr()?))
        })
        .unwrap();
    let (reply, from, local) = lab.block_on(client).unwrap().unwrap().unwrap();
    assert_eq!(reply, b"hello");
    assert_eq!(from, "203.0.113.1:7".parse().unwrap());
    let seen = lab.block_on(server).unwrap().unwrap().unwrap();
    // The server saw the router's address: the datagram left the NAT masqueraded.
    assert_eq!(seen.ip().to_string(), "203.0.113.254");
    assert_eq!(seen.port(), local.port(), "MASQUERADE keeps the source port when it is free");
    // ARP on both links and two hops each way: well under a millisecond of virtual time.
    assert!(lab.now() - t0 < Duration::from_millis(1), "{:?} → {:?}", t0, lab.now());
}

#[test]
fn big_datagrams_go_in_fragments_and_come_back_whole() {
    // The far link carries 1400 bytes: the router reassembles (conntrack needs the whole
    // datagram to NAT it) and cuts it again for that link; wan reassembles and echoes.
    let script = format!("{MASQUERADE}ip -n router link set r-w mtu 1400\nip -n wan link set w-r mtu 1400\n");
    let mut lab = Lab::from_script(&script).unwrap_or_else(|e| panic!("{e}"));
    let lan = lab.capture("lan", "l-r").unwrap();
    let wan = lab.capture("wan", "w-r").unwrap();
    let server = lab
        .spawn("wan", async {
            let sock = UdpSocket::bind("0.0.0.0:7").await?;
            let mut buf = vec![0u8; 65536];
            let (n, from) = sock.recv_from(&mut buf).await?;
            sock.send_to(&buf[..n], from).await?;
            Ok::<_, std::io::Error>(n)
        })
        .unwrap();
    let client = lab
        .spawn("lan", async {
            let sock = UdpSocket::bind("0.0.0.0:4000").await?;
            let too_big = sock.send_to(&[0u8; 65508], "203.0.113.1:7").await.map_err(|e| e.raw_os_error());
            let payload: Vec<u8> = (0..3000u32).map(|i| (i % 251) as u8).collect();
            sock.send_to(&payload, "203.0.113.1:7").await?;
            let mut buf = vec![0u8; 65536];
            let (n, _) = sock.recv_from(&mut buf).await?;
            Ok::<_, std::io::Error>((too_big, buf[..n] == payload[..]))
        })
        .unwrap();
    let (too_big, same) = lab.block_on(client).unwrap().unwrap().unwrap();
    assert_eq!(too_big, Err(Some(90)), "EMSGSIZE: more than an IPv4 packet holds");
    assert!(same, "the echo came back whole");
    assert_eq!(lab.block_on(server).unwrap().unwrap().unwrap(), 3000);
    // 3008 bytes of UDP: 1480 + 1480 + 48 on the 1500 link; 1376 + 1376 + 256 on the 1400
    // one, from the router's address, the header only in the first.
    let lines = lab.tcpdump(lan, false);
    let out: Vec<&String> = lines.iter().filter(|l| l.starts_with("IP 192.168.1.2")).collect();
    assert_eq!(out.len(), 3, "{lines:#?}");
    assert_eq!(out[0], "IP 192.168.1.2.4000 > 203.0.113.1.7: UDP, length 3000");
    assert_eq!(out[1], "IP 192.168.1.2 > 203.0.113.1: ip-proto-17");
    let lines = lab.tcpdump(wan, false);
    let inbound: Vec<&String> = lines.iter().filter(|l| l.starts_with("IP 203.0.113.254")).collect();
    assert_eq!(inbound.len(), 3, "{lines:#?}");
    assert_eq!(inbound[0], "IP 203.0.113.254.4000 > 203.0.113.1.7: UDP, length 3000");
}

#[test]
fn tokio_time_follows_virtual_time() {
    let mut lab = Lab::from_script("ip netns add a\n").unwrap();
    let t0 = lab.now();
    let h = lab
        .spawn("a", async {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            let sock = UdpSocket::bind("127.0.0.1:9").await.unwrap_err();
            sock.kind()
        })
        .unwrap();
    // lo is down: 127.0.0.1 is not an address the namespace has.
    assert_eq!(lab.block_on(h).unwrap().unwrap(), std::io::ErrorKind::AddrNotAvailable);
    assert_eq!(lab.now() - t0, Duration::from_secs(3600), "an hour of virtual time, in no time");
}

#[test]
fn a_reply_that_never_comes_times_out_in_virtual_time() {
    let mut lab = Lab::from_script(MASQUERADE).unwrap();
    let h = lab
        .spawn("lan", async {
            let sock = UdpSocket::bind("0.0.0.0:0").await?;
            sock.connect("203.0.113.1:9").await?;
            sock.send(b"anyone?").await?;
            let mut buf = [0u8; 64];
            // Port unreachable comes back through the NAT: the connected socket hears it.
            let first = tokio::time::timeout(Duration::from_secs(1), sock.recv(&mut buf)).await;
            Ok::<_, std::io::Error>(first.map(|r| r.map_err(|e| e.kind())))
        })
        .unwrap();
    let got = lab.block_on(h).unwrap().unwrap().unwrap();
    assert_eq!(got, Ok(Err(std::io::ErrorKind::ConnectionRefused)));
}

/// An unconnected socket does not hear of a port unreachable (Linux tells only connected
/// ones, without IP_RECVERR), and connecting to another peer later leaves nothing pending.
#[test]
fn port_unreachable_reaches_only_a_connected_socket() {
    let mut lab = Lab::from_script(MASQUERADE).unwrap();
    let server = lab.spawn("wan", echo_once(7)).unwrap();
    let h = lab
        .spawn("lan", async {
            let sock = UdpSocket::bind("0.0.0.0:0").await?;
            sock.send_to(b"anyone?", "203.0.113.1:9").await?;
            tokio::time::sleep(Duration::from_millis(100)).await;
            sock.connect("203.0.113.1:7").await?;
            sock.send(b"echo").await?;
            let mut buf = [0u8; 64];
            let n = sock.recv(&mut buf).await?;
            Ok::<_, std::io::Error>(buf[..n].to_vec())
        })
        .unwrap();
    assert_eq!(lab.block_on(h).unwrap().unwrap().unwrap(), b"echo");
    lab.block_on(server).unwrap().unwrap().unwrap();
}

#[test]
fn a_future_waiting_for_nothing_is_stuck_not_hung() {
    let mut lab = Lab::from_script("ip netns add a\nip netns exec a ip link set lo up\n").unwrap();
    let h = lab
        .spawn("a", async {
            let sock = UdpSocket::bind("127.0.0.1:5000").await.unwrap();
            let mut buf = [0u8; 16];
            sock.recv_from(&mut buf).await.map(|(n, _)| n)
        })
        .unwrap();
    assert!(matches!(lab.block_on(h), Err(nslab::Error::Stuck)));
}

/// A reader waiting on a socket whose queue it emptied learns that its host has ended
/// (interrupted, as Ctrl-C ends a program) instead of waiting for ever.
#[test]
fn a_reader_learns_that_its_host_has_ended() {
    let mut lab = Lab::from_script("ip netns add a\nip netns exec a ip link set lo up\n").unwrap();
    let h = lab
        .spawn("a", async {
            let sock = UdpSocket::bind("127.0.0.1:5000").await?;
            sock.send_to(b"one", "127.0.0.1:5000").await?;
            let mut buf = [0u8; 16];
            // It takes the last datagram of the queue: the socket is quiet.
            sock.recv_from(&mut buf).await?;
            sock.recv_from(&mut buf).await.map(|(n, _)| n)
        })
        .unwrap();
    lab.run_for(Duration::from_millis(10)).unwrap();
    {
        let mut sim = lab.sim_mut().unwrap();
        let node = sim.namespaces().into_iter().find(|(n, _)| *n == Some("a")).unwrap().1;
        let pid = sim.netns(node).pids_of("host")[0];
        sim.interrupt(nslab::sim_nodes::Job { node, pid });
    }
    let e = lab.block_on(h).unwrap().unwrap().unwrap_err();
    assert!(e.to_string().contains("the host has ended"), "{e}");
}

#[test]
fn outside_a_host_a_socket_says_how_to_get_one() {
    let mut lab = Lab::from_script("ip netns add a\n").unwrap();
    let e = lab.block_on(UdpSocket::bind("0.0.0.0:0")).unwrap().unwrap_err();
    assert!(e.to_string().contains("Lab::spawn"), "{e}");
    assert!(matches!(lab.spawn("nope", async {}), Err(nslab::Error::NoNamespace(_))));
}

/// The same seed, the same trace: the whole exchange twice, compared record by record.
#[test]
fn the_same_seed_gives_the_same_trace() {
    let run = || {
        let mut lab = Lab::from_script_seeded(MASQUERADE, Some(7)).unwrap();
        lab.capture("router", "r-w").unwrap();
        let _server = lab.spawn("wan", echo_once(7)).unwrap();
        let c = lab
            .spawn("lan", async {
                let sock = UdpSocket::bind("0.0.0.0:0").await.unwrap();
                for i in 0..3u8 {
                    sock.send_to(&[i], "203.0.113.1:7").await.unwrap();
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            })
            .unwrap();
        lab.block_on(c).unwrap().unwrap();
        lab.run_for(Duration::from_secs(1)).unwrap();
        lab.records()
    };
    let first = run();
    let frames = first.iter().filter(|r| matches!(r, nslab::sim_core::Record::Frame { .. })).count();
    // ARP both ways, then three datagrams out (the first one echoed back).
    assert!(frames >= 6, "{frames} frames: {first:#?}");
    assert_eq!(first, run());
}

/// Traffic that never lets up meets the engine's event budget: the run ends with the
/// guard's error, at once, rather than waiting out its patience or hanging.
#[test]
fn a_flood_meets_the_event_budget_and_says_so() {
    let mut lab = Lab::from_script(MASQUERADE).unwrap();
    let limits = nslab::sim_core::world::Limits { events_per_second: 10_000, ..Default::default() };
    lab.sim_mut().expect("a lab in the sim").world_mut().set_limits(limits);
    let _server = lab.spawn("wan", echo_once(7)).unwrap();
    let flood = lab
        .spawn("lan", async {
            let sock = UdpSocket::bind("0.0.0.0:0").await?;
            loop {
                sock.send_to(b"flood", "203.0.113.1:9").await?;
                tokio::task::yield_now().await;
            }
            #[allow(unreachable_code)]
            Ok::<(), std::io::Error>(())
        })
        .unwrap();
    match lab.block_on(flood) {
        Err(nslab::Error::Stopped(e)) => assert!(e.contains("event budget"), "{e}"),
        other => panic!("{other:?}"),
    }
}

/// TCP through the NAT: the server sees the router's address; a port nobody listens on
/// refuses (the RST comes back through the NAT).
#[test]
fn tcp_connects_through_masquerade_and_a_closed_port_refuses() {
    use nslab::net::{TcpListener, TcpStream};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut lab = Lab::from_script(MASQUERADE).unwrap();
    let server = lab
        .spawn("wan", async {
            let l = TcpListener::bind("203.0.113.1:80").await?;
            let (mut s, peer) = l.accept().await?;
            s.write_all(b"hi\n").await?;
            Ok::<_, std::io::Error>(peer)
        })
        .unwrap();
    let client = lab
        .spawn("lan", async {
            let refused = TcpStream::connect("203.0.113.1:81").await.unwrap_err().kind();
            let mut s = TcpStream::connect("203.0.113.1:80").await?;
            let mut line = String::new();
            s.read_to_string(&mut line).await?;
            Ok::<_, std::io::Error>((refused, line, s.local_addr()?))
        })
        .unwrap();
    let (refused, line, local) = lab.block_on(client).unwrap().unwrap().unwrap();
    assert_eq!(refused, std::io::ErrorKind::ConnectionRefused);
    assert_eq!(line, "hi\n", "read to the end: the server's side closed when it dropped");
    let peer = lab.block_on(server).unwrap().unwrap().unwrap();
    assert_eq!(peer.ip().to_string(), "203.0.113.254");
    assert_eq!(local.ip().to_string(), "192.168.1.2");
}

/// bind(2)'s rule: one port on two addresses is two sockets; the wildcard clashes with both.
#[test]
fn one_port_on_two_addresses_binds_and_the_wildcard_clashes() {
    let script = "ip netns add a\nip link add x type veth peer name y\nip link set x netns a\n\
                  ip -n a addr add 198.51.100.1/24 dev x\nip -n a addr add 198.51.100.2/24 dev x\nip -n a link set x up\n";
    let mut lab = Lab::from_script(script).unwrap();
    let h = lab
        .spawn("a", async {
            let one = UdpSocket::bind("198.51.100.1:3478").await?;
            let two = UdpSocket::bind("198.51.100.2:3478").await?;
            let any = UdpSocket::bind("0.0.0.0:3478").await.unwrap_err().kind();
            let again = UdpSocket::bind("198.51.100.2:3478").await.unwrap_err().kind();
            Ok::<_, std::io::Error>((one.local_addr()?, two.local_addr()?, any, again))
        })
        .unwrap();
    let (one, two, any, again) = lab.block_on(h).unwrap().unwrap().unwrap();
    assert_eq!((one.to_string().as_str(), two.to_string().as_str()), ("198.51.100.1:3478", "198.51.100.2:3478"));
    assert_eq!((any, again), (std::io::ErrorKind::AddrInUse, std::io::ErrorKind::AddrInUse));
}

/// check_determinism finds a run that differs: here the test itself sends something else
/// the second time, and the capture on the router shows it.
#[test]
fn check_determinism_names_the_first_difference() {
    let mut run = 0u8;
    let e = nslab::check_determinism(1, |seed| {
        run += 1;
        let payload = vec![run; 4];
        let mut lab = Lab::from_script_seeded(MASQUERADE, Some(seed))?;
        lab.capture("router", "r-w")?;
        let h = lab.spawn("lan", async move {
            let sock = UdpSocket::bind("0.0.0.0:0").await.unwrap();
            sock.send_to(&payload, "203.0.113.1:9").await.unwrap();
        })?;
        lab.block_on(h)?.unwrap();
        lab.run_for(Duration::from_millis(10))?;
        Ok(lab)
    })
    .unwrap_err();
    assert!(matches!(&e, nslab::Error::Diverged(m) if m.contains("run 2 differs")), "{e}");
}

/// The tools from code, between runs: the router's conntrack table holds the echo's NAT
/// entry, `ip route` reads as on the kernel, a refusal is the tool's message, and a
/// program that runs in time is refused with what to do instead.
#[test]
fn exec_runs_the_familiar_tools_between_runs() {
    let mut lab = Lab::from_script(MASQUERADE).unwrap();
    let _server = lab.spawn("wan", echo_once(7)).unwrap();
    let c = lab.spawn("lan", ask("0.0.0.0:40000", b"hi", "203.0.113.1:7")).unwrap();
    lab.block_on(c).unwrap().unwrap().unwrap();
    let (ct, status) = lab.exec("router", "conntrack -L").unwrap();
    assert_eq!(status, 0);
    assert!(
        ct.iter().any(|l| l.starts_with("udp      17 ")
            && l.contains("src=192.168.1.2 dst=203.0.113.1 sport=40000 dport=7")
            && l.contains("src=203.0.113.1 dst=203.0.113.254 sport=7 dport=40000")),
        "{ct:#?}"
    );
    let (routes, _) = lab.exec("lan", "ip route").unwrap();
    assert_eq!(
        routes,
        ["default via 192.168.1.1 dev l-r ", "192.168.1.0/24 dev l-r proto kernel scope link src 192.168.1.2 "]
    );
    let e = lab.exec("lan", "ip route add 10.0.0.0/8 via 172.16.0.1").unwrap_err().to_string();
    assert!(e.contains("Nexthop has invalid gateway"), "{e}");
    let e = lab.exec("lan", "ping -c 1 203.0.113.1").unwrap_err().to_string();
    assert!(e.contains("not supported yet: `ping` from Lab::exec"), "{e}");
}

/// A fault from code, between runs: the router's outside link goes down for two seconds
/// in the middle of a TCP transfer; TCP retransmits, and the transfer completes once the
/// link is back, later than it would have.
#[test]
fn tcp_survives_a_short_partition() {
    use nslab::net::{TcpListener, TcpStream};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let transfer = |cut: bool| {
        let mut lab = Lab::from_script(MASQUERADE).unwrap();
        let server = lab
            .spawn("wan", async {
                let l = TcpListener::bind("0.0.0.0:5001").await?;
                let (mut s, _) = l.accept().await?;
                let mut all = Vec::new();
                s.read_to_end(&mut all).await?;
                Ok::<_, std::io::Error>((all.len(), tokio::time::Instant::now()))
            })
            .unwrap();
        let _client = lab
            .spawn("lan", async {
                let mut s = TcpStream::connect("203.0.113.1:5001").await?;
                for _ in 0..100 {
                    s.write_all(&[7u8; 1000]).await?;
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                s.shutdown().await
            })
            .unwrap();
        let t0 = lab.now();
        lab.run_for(Duration::from_millis(500)).unwrap();
        if cut {
            lab.exec("router", "ip link set r-w down").unwrap();
            lab.run_for(Duration::from_secs(2)).unwrap();
            lab.exec("router", "ip link set r-w up").unwrap();
        }
        let (n, _) = lab.block_on(server).unwrap().unwrap().unwrap();
        (n, lab.now() - t0)
    };
    let (n_plain, t_plain) = transfer(false);
    let (n_cut, t_cut) = transfer(true);
    assert_eq!((n_plain, n_cut), (100_000, 100_000), "every byte arrives, partition or not");
    assert!(t_cut > t_plain + Duration::from_millis(1500), "{t_plain:?} vs {t_cut:?}: the cut cost its time");
}

/// Ten clients connect at the same instant, before the server accepts any: the listener
/// holds them all (as a backlog does) and serves them one after another.
#[test]
fn a_listener_holds_connections_until_it_accepts_them() {
    use nslab::net::{TcpListener, TcpStream};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut lab = Lab::from_script(MASQUERADE).unwrap();
    let _server = lab
        .spawn("wan", async {
            let l = TcpListener::bind("0.0.0.0:80").await?;
            tokio::time::sleep(Duration::from_secs(1)).await;
            loop {
                let (mut s, peer) = l.accept().await?;
                s.write_all(peer.to_string().as_bytes()).await?;
            }
            #[allow(unreachable_code)]
            Ok::<(), std::io::Error>(())
        })
        .unwrap();
    let clients: Vec<_> = (0..10)
        .map(|_| {
            lab.spawn("lan", async {
                let mut s = TcpStream::connect("203.0.113.1:80").await?;
                let mut seen = String::new();
                s.read_to_string(&mut seen).await?;
                Ok::<_, std::io::Error>((seen, s.local_addr()?.port()))
            })
            .unwrap()
        })
        .collect();
    for c in clients {
        let (seen, port) = lab.block_on(c).unwrap().unwrap().unwrap();
        assert_eq!(seen, format!("203.0.113.254:{port}"), "each one served, through the NAT");
    }
}

/// What happened, typed and as tcpdump prints it: the datagram left the NAT from the
/// router's address, and the echo came back to it.
#[test]
fn a_capture_shows_the_datagram_leaving_the_nat() {
    let mut lab = Lab::from_script(MASQUERADE).unwrap();
    let outside = lab.capture("router", "r-w").unwrap();
    let _server = lab.spawn("wan", echo_once(7)).unwrap();
    let c = lab.spawn("lan", ask("0.0.0.0:40000", b"hello", "203.0.113.1:7")).unwrap();
    lab.block_on(c).unwrap().unwrap().unwrap();
    let lines = lab.tcpdump(outside, false);
    assert!(lines.contains(&"IP 203.0.113.254.40000 > 203.0.113.1.7: UDP, length 5".to_string()), "{lines:#?}");
    assert!(lines.contains(&"IP 203.0.113.1.7 > 203.0.113.254.40000: UDP, length 5".to_string()), "{lines:#?}");
    let frames = lab
        .records()
        .iter()
        .filter(|r| matches!(r, nslab::sim_core::Record::Frame { capture, .. } if *capture == outside))
        .count();
    assert_eq!(frames, lines.len());
    assert!(
        matches!(lab.capture("router", "nope"), Err(nslab::Error::Refused(m)) if m.contains("nope: No such device"))
    );
}

/// The same lab built in Rust: the builder writes the lines a person would type, so the
/// lab is the script's — the same routes, and the echo through the NAT.
#[test]
fn a_lab_built_in_rust_is_the_scripts_lab() {
    let mut lab = Lab::builder()
        .seed(1)
        .netns("lan")
        .netns("router")
        .netns("wan")
        .veth(("lan", "l-r"), ("router", "r-l"))
        .veth(("router", "r-w"), ("wan", "w-r"))
        .addr("lan", "l-r", "192.168.1.2/24")
        .addr("router", "r-l", "192.168.1.1/24")
        .addr("router", "r-w", "203.0.113.254/24")
        .addr("wan", "w-r", "203.0.113.1/24")
        .route("lan", "default via 192.168.1.1")
        .sysctl("router", "net.ipv4.ip_forward", "1")
        .iptables("router", "-t nat -A POSTROUTING -o r-w -j MASQUERADE")
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let mut scripted = Lab::from_script(MASQUERADE).unwrap();
    for ns in ["lan", "router", "wan"] {
        assert_eq!(lab.exec(ns, "ip route").unwrap(), scripted.exec(ns, "ip route").unwrap(), "{ns}");
    }
    let _server = lab.spawn("wan", echo_once(7)).unwrap();
    let c = lab.spawn("lan", ask("0.0.0.0:0", b"built", "203.0.113.1:7")).unwrap();
    assert_eq!(lab.block_on(c).unwrap().unwrap().unwrap().0, b"built");
    // A mistake is refused with the tool's words and the line that made it.
    let e = Lab::builder().netns("a").addr("a", "eth9", "10.0.0.1/24").build().unwrap_err().to_string();
    assert!(e.contains("Cannot find device \"eth9\"") && e.contains("ip -n a addr add 10.0.0.1/24 dev eth9"), "{e}");
}

/// A bridge from the builder: two hosts on one bridge in a switch namespace reach each
/// other.
#[test]
fn the_builder_makes_a_bridge() {
    let mut lab = Lab::builder()
        .netns("sw")
        .netns("h1")
        .netns("h2")
        .bridge("sw", "br0")
        .veth(("h1", "eth0"), ("sw", "p1"))
        .veth(("h2", "eth0"), ("sw", "p2"))
        .master("sw", "p1", "br0")
        .master("sw", "p2", "br0")
        .addr("h1", "eth0", "10.0.0.1/24")
        .addr("h2", "eth0", "10.0.0.2/24")
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let _server = lab.spawn("h2", echo_once(7)).unwrap();
    let c = lab.spawn("h1", ask("0.0.0.0:0", b"bridged", "10.0.0.2:7")).unwrap();
    let (got, from) = lab.block_on(c).unwrap().unwrap().unwrap();
    assert_eq!((got.as_slice(), from.to_string().as_str()), (&b"bridged"[..], "10.0.0.2:7"));
    let (fdb, _) = lab.exec("sw", "bridge fdb show br br0").unwrap();
    assert!(fdb.iter().any(|l| l.contains("dev p1") && !l.contains("permanent")), "h1's MAC learned on p1: {fdb:#?}");
}

/// `tokio::time::interval` inside a host ticks in virtual time: five datagrams a quarter
/// second apart, and the server sees them arrive a quarter second apart (plus the same
/// few microseconds of wire each).
#[test]
fn an_interval_ticks_in_virtual_time() {
    let mut lab = Lab::from_script(MASQUERADE).unwrap();
    let server = lab
        .spawn("wan", async {
            let sock = UdpSocket::bind("0.0.0.0:7").await?;
            let mut buf = [0u8; 8];
            let mut at = Vec::new();
            for _ in 0..5 {
                sock.recv_from(&mut buf).await?;
                at.push(tokio::time::Instant::now());
            }
            Ok::<_, std::io::Error>(at.windows(2).map(|w| w[1] - w[0]).collect::<Vec<_>>())
        })
        .unwrap();
    lab.spawn("lan", async {
        let sock = UdpSocket::bind("0.0.0.0:0").await?;
        let mut every = tokio::time::interval(Duration::from_millis(250));
        for i in 0..5u8 {
            every.tick().await;
            sock.send_to(&[i], "203.0.113.1:7").await?;
        }
        Ok::<_, std::io::Error>(())
    })
    .unwrap();
    let t0 = lab.now();
    let gaps = lab.block_on(server).unwrap().unwrap().unwrap();
    // The first datagram waits for ARP on both links; the rest find the neighbours known.
    assert_eq!(gaps[1..], [Duration::from_millis(250); 3]);
    assert!(gaps[0] < Duration::from_millis(250) && gaps[0] > Duration::from_millis(249), "{gaps:?}");
    assert!(lab.now() - t0 >= Duration::from_secs(1) && lab.now() - t0 < Duration::from_millis(1001));
}

/// `IP_TTL` is the TTL the datagram leaves with: 1 dies at the router, which says so with
/// a time exceeded; 2 gets through.
#[test]
fn set_ttl_is_the_datagrams_ttl() {
    let mut lab = Lab::from_script(MASQUERADE).unwrap();
    let inside = lab.capture("router", "r-l").unwrap();
    let server = lab
        .spawn("wan", async {
            let sock = UdpSocket::bind("0.0.0.0:7").await?;
            let mut buf = [0u8; 64];
            let (n, _) = sock.recv_from(&mut buf).await?;
            Ok::<_, std::io::Error>(buf[..n].to_vec())
        })
        .unwrap();
    let client = lab
        .spawn("lan", async {
            let sock = UdpSocket::bind("0.0.0.0:40000").await?;
            sock.set_ttl(1)?;
            sock.send_to(b"one", "203.0.113.1:7").await?;
            tokio::time::sleep(Duration::from_millis(10)).await;
            sock.set_ttl(2)?;
            sock.send_to(b"two", "203.0.113.1:7").await?;
            Ok::<_, std::io::Error>(())
        })
        .unwrap();
    lab.block_on(client).unwrap().unwrap().unwrap();
    assert_eq!(lab.block_on(server).unwrap().unwrap().unwrap(), b"two");
    let lines = lab.tcpdump(inside, false);
    assert!(
        lines.contains(&"IP 192.168.1.1 > 192.168.1.2: ICMP time exceeded in-transit, length 39".to_string()),
        "{lines:#?}"
    );
}

/// A datagram an OUTPUT rule drops fails its sendto(2) with `EPERM`, as `ip_send_skb`
/// returns the hook's verdict (checked on the kernel: `Operation not permitted`); others go.
#[test]
fn a_datagram_an_output_rule_drops_is_eperm() {
    let script = format!("{MASQUERADE}ip netns exec lan iptables -A OUTPUT -p udp --dport 9 -j DROP\n");
    let mut lab = Lab::from_script(&script).unwrap();
    let _server = lab.spawn("wan", echo_once(7)).unwrap();
    let client = lab
        .spawn("lan", async {
            let sock = UdpSocket::bind("0.0.0.0:0").await?;
            let dropped = sock.send_to(b"x", "203.0.113.1:9").await.unwrap_err();
            sock.send_to(b"y", "203.0.113.1:7").await?;
            let mut buf = [0u8; 8];
            let (n, _) = sock.recv_from(&mut buf).await?;
            Ok::<_, std::io::Error>((dropped.kind(), dropped.to_string(), buf[..n].to_vec()))
        })
        .unwrap();
    let (kind, text, echo) = lab.block_on(client).unwrap().unwrap().unwrap();
    assert_eq!(
        (kind, text.as_str(), echo.as_slice()),
        (std::io::ErrorKind::PermissionDenied, "Operation not permitted", &b"y"[..])
    );
}

/// A UDP round trip from lan to wan through the router, timed in virtual time: `None` when
/// no answer came within a second.
fn round_trip(lab: &mut Lab) -> Option<Duration> {
    let server = lab.spawn("wan", echo_once(7)).unwrap();
    let client = lab
        .spawn("lan", async {
            let t0 = tokio::time::Instant::now();
            let answer = tokio::time::timeout(Duration::from_secs(1), ask("0.0.0.0:0", b"x", "203.0.113.1:7")).await;
            answer.ok().map(|_| t0.elapsed())
        })
        .unwrap();
    let took = lab.block_on(client).unwrap().unwrap();
    server.abort();
    took
}

#[test]
fn an_impairment_is_a_netem_qdisc_on_one_side() {
    use nslab::Impairment;
    let mut lab = Lab::from_script(MASQUERADE).unwrap();
    let plain = round_trip(&mut lab).unwrap();
    assert!(plain < Duration::from_millis(1), "{plain:?}");
    // 20 ms on what lan sends: one way only, so the round trip grows by 20 ms.
    let slow = Impairment { delay: Some(Duration::from_millis(20)), ..Default::default() };
    lab.impair("lan", "l-r", slow).unwrap();
    let (qdisc, _) = lab.exec("lan", "tc qdisc show dev l-r").unwrap();
    assert_eq!(qdisc, ["qdisc netem 8001: root refcnt 3 limit 1000 delay 20ms"]);
    let delayed = round_trip(&mut lab).unwrap();
    assert!(delayed >= Duration::from_millis(20) && delayed < Duration::from_millis(21), "{delayed:?}");
    // The same on wan's side: both ways.
    lab.impair("wan", "w-r", slow).unwrap();
    let both = round_trip(&mut lab).unwrap();
    assert!(both >= Duration::from_millis(40) && both < Duration::from_millis(41), "{both:?}");
    // Everything lost on the way out: no answer; cleared, the path is as before.
    lab.impair("lan", "l-r", Impairment { loss_ppm: 1_000_000, ..Default::default() }).unwrap();
    assert_eq!(round_trip(&mut lab), None);
    lab.clear_impairment("lan", "l-r").unwrap();
    lab.clear_impairment("wan", "w-r").unwrap();
    let (qdisc, _) = lab.exec("lan", "tc qdisc show dev l-r").unwrap();
    assert_eq!(qdisc, ["qdisc noqueue 0: root refcnt 2 "]);
    assert!(round_trip(&mut lab).unwrap() < Duration::from_millis(1));
    // A device there is not: tc's own words.
    let e = lab.impair("lan", "nope", slow).unwrap_err().to_string();
    assert!(e.contains("Cannot find device \"nope\""), "{e}");
}

#[test]
fn an_impairment_is_the_tc_line_a_person_would_type() {
    use nslab::Impairment;
    let line = |delay: Option<u64>, loss_ppm, rate_bps| {
        Impairment { delay: delay.map(Duration::from_micros), loss_ppm, rate_bps }.tc_line("eth0")
    };
    assert_eq!(line(None, 0, 0), "tc qdisc replace dev eth0 root netem");
    assert_eq!(line(Some(1500), 0, 0), "tc qdisc replace dev eth0 root netem delay 1500us");
    assert_eq!(line(None, 12_345, 0), "tc qdisc replace dev eth0 root netem loss random 1.2345%");
    assert_eq!(line(None, 500_000, 0), "tc qdisc replace dev eth0 root netem loss random 50%");
    assert_eq!(line(None, 1, 0), "tc qdisc replace dev eth0 root netem loss random 0.0001%");
    assert_eq!(line(None, 0, 64_000), "tc qdisc replace dev eth0 root netem rate 64000bit");
}

/// A reader that took the last datagram of its socket's queue does not ask the stack again
/// until the stack tells news of it: datagrams that arrive together are all read, one that
/// comes later wakes it, and so does a refusal (ICMP port unreachable) after a read that
/// emptied the queue.
#[test]
fn a_reader_misses_nothing_that_arrives_after_it_emptied_its_queue() {
    let mut lab = Lab::from_script(MASQUERADE).unwrap();
    let server = lab
        .spawn("wan", async {
            let sock = UdpSocket::bind("0.0.0.0:7").await?;
            let mut buf = [0u8; 64];
            let mut got = Vec::new();
            for _ in 0..4 {
                let (n, from) = sock.recv_from(&mut buf).await?;
                got.push(buf[..n].to_vec());
                if got.len() == 3 {
                    // Answer the burst once: the client then sends its last one.
                    sock.send_to(b"ok", from).await?;
                }
            }
            Ok::<_, std::io::Error>(got)
        })
        .unwrap();
    let client = lab
        .spawn("lan", async {
            let sock = UdpSocket::bind("0.0.0.0:0").await?;
            sock.connect("203.0.113.1:7").await?;
            for m in [&b"one"[..], b"two", b"three"] {
                sock.send(m).await?;
            }
            let mut buf = [0u8; 64];
            let n = sock.recv(&mut buf).await?;
            assert_eq!(&buf[..n], b"ok");
            tokio::time::sleep(Duration::from_millis(50)).await;
            sock.send(b"four").await?;
            // Nothing listens on port 9: the refusal reaches the reader, whose last read
            // emptied its queue.
            sock.connect("203.0.113.1:9").await?;
            sock.send(b"anyone?").await?;
            let refused = sock.recv(&mut buf).await.map(|n| buf[..n].to_vec());
            Ok::<_, std::io::Error>(refused.map_err(|e| e.kind()))
        })
        .unwrap();
    assert_eq!(lab.block_on(client).unwrap().unwrap().unwrap(), Err(std::io::ErrorKind::ConnectionRefused));
    let got = lab.block_on(server).unwrap().unwrap().unwrap();
    assert_eq!(got, [&b"one"[..], b"two", b"three", b"four"]);
}

/// Tasks woken by other tasks (a channel, not a socket) run at the instant they were
/// woken, a chain of them too: the frames the first had just sent do not move the clock
/// first.
#[test]
fn a_task_woken_by_another_runs_before_the_clock_moves() {
    use std::cell::Cell;
    use std::rc::Rc;
    let mut lab = Lab::from_script(MASQUERADE).unwrap();
    lab.capture("router", "r-w").unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let (tx2, rx2) = tokio::sync::oneshot::channel::<()>();
    let relayed = Rc::new(Cell::new(None));
    let at = relayed.clone();
    let _relay = lab
        .spawn("lan", async move {
            let sock = UdpSocket::bind("0.0.0.0:0").await?;
            rx.await.map_err(std::io::Error::other)?;
            at.set(Some(tokio::time::Instant::now()));
            tx2.send(()).map_err(|_| std::io::Error::other("second relay gone"))?;
            // It goes on waiting on its socket (nothing comes).
            let mut buf = [0u8; 8];
            sock.recv_from(&mut buf).await
        })
        .unwrap();
    let second = lab
        .spawn("lan", async move {
            rx2.await.map_err(std::io::Error::other)?;
            Ok::<_, std::io::Error>(tokio::time::Instant::now())
        })
        .unwrap();
    let sent = Rc::new(Cell::new(None));
    let at = sent.clone();
    let _starter = lab
        .spawn("lan", async move {
            tokio::time::sleep(Duration::from_millis(2)).await;
            let sock = UdpSocket::bind("0.0.0.0:0").await?;
            // Frames on their way (ARP, then the datagram, then the port unreachable): the
            // engine has events within this millisecond, which wake no task of ours.
            sock.send_to(b"knock", "203.0.113.1:9").await?;
            at.set(Some(tokio::time::Instant::now()));
            tx.send(()).map_err(|_| std::io::Error::other("relay gone"))?;
            // It goes on waiting on its socket, as a server does (nothing comes).
            let mut buf = [0u8; 8];
            sock.recv_from(&mut buf).await
        })
        .unwrap();
    let second = lab.block_on(second).unwrap().unwrap().unwrap();
    let sent = sent.get().expect("the starter ran");
    let relayed = relayed.get().expect("the relay ran");
    assert_eq!(relayed, sent, "the relay ran at the instant the starter woke it");
    assert_eq!(second, sent, "and the task the relay woke, at the same instant");
    lab.run_for(Duration::from_millis(5)).unwrap();
    let frames = lab.records().iter().filter(|r| matches!(r, nslab::sim_core::Record::Frame { .. })).count();
    // Out of the router: its ARP request, the reply, the knock, and back the port unreachable.
    assert!(frames >= 4, "the knock crossed the router: {frames} frames");
}
