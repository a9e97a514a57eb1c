//! Code outside nslab runs on a simulated host: a `Program` written here, started with
//! `Lab::spawn`, driven by the namespace in virtual time — its timer, its output, its exit —
//! beside the built-in tools (a ping answering it over the same namespace).

mod common;

use nslab::sim_core::{Duration, Instant, Record, Stream};
use nslab::sim_nodes::proc::{Meta, Program, SocketId, SocketKind, Sys};

/// Prints a line every second, three times, then exits with status 7; Ctrl-C ends it early.
#[derive(Debug, Default)]
struct Ticker {
    ticks: u32,
    next: Option<Instant>,
}

impl Program for Ticker {
    fn name(&self) -> &'static str {
        "ticker"
    }
    fn start(&mut self, sys: &mut Sys<'_, '_, '_>) {
        sys.stdout("ticker: started");
        self.next = Some(sys.now() + Duration::from_secs(1));
    }
    fn on_timeout(&mut self, sys: &mut Sys<'_, '_, '_>) {
        self.ticks += 1;
        sys.stdout(format!("tick {} at {}", self.ticks, sys.now()));
        if self.ticks == 3 {
            sys.exit(7);
            self.next = None;
        } else {
            self.next = Some(sys.now() + Duration::from_secs(1));
        }
    }
    fn interrupt(&mut self, sys: &mut Sys<'_, '_, '_>) {
        sys.stderr("ticker: interrupted");
        sys.exit(130);
    }
    fn poll_timeout(&self) -> Option<Instant> {
        self.next
    }
    nslab::sim_nodes::any_program!();
}

fn lines(lab: &nslab::sim_nodes::Lab, pid: u32) -> Vec<(u64, String)> {
    lab.world()
        .trace()
        .records()
        .iter()
        .filter_map(|r| match r {
            Record::Output { at, pid: p, stream: Stream::Stdout | Stream::Stderr, line, .. } if *p == pid => {
                Some((at.as_nanos() / 1_000_000_000, line.clone()))
            }
            _ => None,
        })
        .collect()
}

#[test]
fn a_users_program_runs_on_a_host_in_virtual_time() {
    let mut run = common::run_text("lab.sh", "ip netns add a\nip netns exec a ip link set lo up\n").unwrap();
    let lab = &mut run.lab;
    let a = lab.ns(Some("a")).unwrap();
    let job = lab.spawn(a, Box::new(Ticker::default()));
    assert!(lab.is_running(job));
    let t0 = lab.world().now();
    lab.world_mut().run_until(t0 + Duration::from_secs(10)).unwrap();
    assert!(!lab.is_running(job), "it exited by itself");
    let got = lines(lab, job.pid);
    let s = t0.as_nanos() / 1_000_000_000;
    assert_eq!(
        got.iter().map(|(t, l)| (t - s, l.split(" at ").next().unwrap().to_string())).collect::<Vec<_>>(),
        [(0, "ticker: started".into()), (1, "tick 1".into()), (2, "tick 2".into()), (3, "tick 3".into())]
    );
    let exit = lab.world().trace().records().iter().find_map(|r| match r {
        Record::Exit { pid, status, .. } if *pid == job.pid => Some(*status),
        _ => None,
    });
    assert_eq!(exit, Some(7));
}

#[test]
fn ctrl_c_reaches_a_users_program() {
    let mut run = common::run_text("lab.sh", "ip netns add a\n").unwrap();
    let lab = &mut run.lab;
    let a = lab.ns(Some("a")).unwrap();
    let job = lab.spawn(a, Box::new(Ticker::default()));
    let t0 = lab.world().now();
    lab.world_mut().run_until(t0 + Duration::from_millis(1500)).unwrap();
    lab.interrupt(job);
    assert!(!lab.is_running(job));
    let got: Vec<String> = lines(lab, job.pid).into_iter().map(|(_, l)| l).collect();
    assert_eq!(got.len(), 3, "{got:?}");
    assert_eq!(got[2], "ticker: interrupted");
}

/// A UDP echo server written outside nslab: it binds a port and answers every datagram
/// with the same bytes, upper-cased, from `on_ready`.
#[derive(Debug, Default)]
struct UdpEcho {
    sock: Option<SocketId>,
    served: u32,
}

impl Program for UdpEcho {
    fn name(&self) -> &'static str {
        "udp-echo"
    }
    fn start(&mut self, sys: &mut Sys<'_, '_, '_>) {
        self.sock = Some(sys.udp_open(7).expect("port 7 is free"));
    }
    fn on_ready(&mut self, sys: &mut Sys<'_, '_, '_>, sock: SocketId) {
        while let Some((from, data)) = sys.udp_recv(sock) {
            self.served += 1;
            sys.udp_send(sock, from, &data.to_ascii_uppercase()).unwrap();
        }
    }
    fn interrupt(&mut self, sys: &mut Sys<'_, '_, '_>) {
        sys.exit(0);
    }
    nslab::sim_nodes::any_program!();
}

/// Its client: sends one datagram a second and prints what comes back; also reads a raw
/// ICMP socket and prints the type of every ICMP message for this host.
#[derive(Debug, Default)]
struct UdpClient {
    sock: Option<SocketId>,
    icmp: Option<SocketId>,
    sent: u32,
    next: Option<Instant>,
    buf: Vec<u8>,
}

impl Program for UdpClient {
    fn name(&self) -> &'static str {
        "udp-client"
    }
    fn start(&mut self, sys: &mut Sys<'_, '_, '_>) {
        self.sock = Some(sys.udp_open(0).unwrap());
        self.icmp = Some(sys.socket(SocketKind::RawIcmp { bind: None }));
        self.next = Some(sys.now());
    }
    fn on_timeout(&mut self, sys: &mut Sys<'_, '_, '_>) {
        self.sent += 1;
        let port = if self.sent == 3 { 9 } else { 7 };
        let msg = format!("hello {}", self.sent);
        sys.udp_send(self.sock.unwrap(), ([10, 0, 0, 1], port).into(), msg.as_bytes()).unwrap();
        self.next = (self.sent < 3).then(|| sys.now() + Duration::from_secs(1));
    }
    fn on_ready(&mut self, sys: &mut Sys<'_, '_, '_>, sock: SocketId) {
        if Some(sock) == self.icmp {
            while let Some(Meta::Icmp { src, .. }) = sys.recv(sock, &mut self.buf) {
                sys.stdout(format!("icmp type {} code {} from {src}", self.buf[0], self.buf[1]));
                sys.exit(0);
            }
            return;
        }
        while let Some((from, data)) = sys.udp_recv(sock) {
            sys.stdout(format!("{from} says {}", String::from_utf8_lossy(&data)));
        }
    }
    fn poll_timeout(&self) -> Option<Instant> {
        self.next
    }
    fn interrupt(&mut self, sys: &mut Sys<'_, '_, '_>) {
        sys.exit(130);
    }
    nslab::sim_nodes::any_program!();
}

#[test]
fn users_programs_talk_over_sockets_across_a_veth() {
    let lab = "ip netns add a\nip netns add b\nip -n a link add va type veth peer name vb netns b\n\
               ip -n a addr add 10.0.0.1/24 dev va\nip -n b addr add 10.0.0.2/24 dev vb\n\
               ip -n a link set va up\nip -n b link set vb up\n";
    let mut run = common::run_text("lab.sh", lab).unwrap();
    let lab = &mut run.lab;
    let (a, b) = (lab.ns(Some("a")).unwrap(), lab.ns(Some("b")).unwrap());
    let server = lab.spawn(a, Box::new(UdpEcho::default()));
    let client = lab.spawn(b, Box::new(UdpClient::default()));
    let t0 = lab.world().now();
    lab.world_mut().run_until(t0 + Duration::from_secs(5)).unwrap();
    let got: Vec<String> = lines(lab, client.pid).into_iter().map(|(_, l)| l).collect();
    assert_eq!(got.len(), 3, "{got:?}");
    assert!(got[0].starts_with("10.0.0.1:7 says HELLO 1"), "{got:?}");
    assert!(got[1].starts_with("10.0.0.1:7 says HELLO 2"), "{got:?}");
    // Port 9 is closed: the port unreachable reaches the client's raw ICMP socket.
    assert_eq!(got[2], "icmp type 3 code 3 from 10.0.0.1");
    assert!(!lab.is_running(client));
    assert!(lab.is_running(server));
}

/// A listener that never reads: what is written to it waits in its receive window.
#[derive(Debug, Default)]
struct Sink;

impl Program for Sink {
    fn name(&self) -> &'static str {
        "sink"
    }
    fn start(&mut self, sys: &mut Sys<'_, '_, '_>) {
        sys.tcp_listen(5000, 1).unwrap();
    }
    fn interrupt(&mut self, sys: &mut Sys<'_, '_, '_>) {
        sys.exit(130);
    }
    nslab::sim_nodes::any_program!();
}

/// A program that keeps writing to a TCP connection from every `on_ready` without end: the
/// namespace's rounds at one instant meet the event budget instead of spinning for ever.
/// (A write the socket refuses — a connection refused, a full buffer — is no progress and
/// lets the stack rest, as on Linux.)
#[derive(Debug, Default)]
struct Flooder {
    sock: Option<SocketId>,
}

impl Program for Flooder {
    fn name(&self) -> &'static str {
        "flooder"
    }
    fn start(&mut self, sys: &mut Sys<'_, '_, '_>) {
        self.sock = Some(sys.tcp_connect("127.0.0.1".parse().unwrap(), 5000, None).unwrap());
    }
    fn on_ready(&mut self, sys: &mut Sys<'_, '_, '_>, sock: SocketId) {
        sys.tcp_send(sock, b"x");
    }
    fn interrupt(&mut self, sys: &mut Sys<'_, '_, '_>) {
        sys.exit(130);
    }
    nslab::sim_nodes::any_program!();
}

#[test]
fn a_program_that_never_lets_its_socket_rest_meets_the_event_budget() {
    let mut run = common::run_text("lab.sh", "ip netns add a\nip -n a link set lo up\n").unwrap();
    let lab = &mut run.lab;
    let a = lab.ns(Some("a")).unwrap();
    lab.spawn(a, Box::new(Sink));
    lab.world_mut().set_event_budget(10_000);
    lab.spawn(a, Box::new(Flooder::default()));
    let t0 = lab.world().now();
    let r = lab.world_mut().run_until(t0 + Duration::from_secs(1));
    assert!(r.is_err(), "the budget stops it: {r:?}");
}

/// Sends two UDP datagrams as a raw socket would, from 192.168.1.2:4000 and :4001 to
/// 203.0.113.1:5000: the first with its checksum wrong, the second right.
#[derive(Debug)]
struct RawUdp;

impl Program for RawUdp {
    fn name(&self) -> &'static str {
        "raw-udp"
    }
    fn start(&mut self, sys: &mut Sys<'_, '_, '_>) {
        use nslab::sim_nodes::sys::{OutSpec, Pmtudisc};
        let (src, dst) = (std::net::Ipv4Addr::new(192, 168, 1, 2), std::net::Ipv4Addr::new(203, 0, 113, 1));
        for (sport, bad) in [(4000u16, true), (4001, false)] {
            let mut seg = [0u8; 12];
            seg[0..2].copy_from_slice(&sport.to_be_bytes());
            seg[2..4].copy_from_slice(&5000u16.to_be_bytes());
            seg[4..6].copy_from_slice(&12u16.to_be_bytes());
            seg[8..].copy_from_slice(b"data");
            let sum = nslab::sim_nodes::wire::pseudo_header_sum(src, dst, 17, seg.len());
            let c = nslab::sim_nodes::wire::checksum_with(sum, &seg) ^ u16::from(bad);
            seg[6..8].copy_from_slice(&c.to_be_bytes());
            let spec =
                OutSpec { dst, src: Some(src), proto: 17, ttl: None, tos: 0, pmtudisc: Pmtudisc::Want, oif: None };
            sys.send(&spec, &seg).expect("sent");
        }
        sys.exit(0);
    }
    fn interrupt(&mut self, sys: &mut Sys<'_, '_, '_>) {
        sys.exit(130);
    }
    nslab::sim_nodes::any_program!();
}

/// `nf_conntrack_checksum`, as measured on the kernel through the same MASQUERADE: a UDP
/// datagram whose checksum is wrong is INVALID in the router's PREROUTING — no conntrack
/// entry, forwarded untranslated — while the good one beside it leaves masqueraded. With
/// the sysctl at 0 both are tracked and translated.
#[test]
fn conntrack_leaves_a_datagram_with_a_bad_checksum_invalid_and_untranslated() {
    for check in [1, 0] {
        let mut lab = nslab::Lab::from_script(include_str!("labs/masquerade.sh")).unwrap();
        lab.exec("router", &format!("sysctl -w net.netfilter.nf_conntrack_checksum={check}")).unwrap();
        let cap = lab.capture("wan", "w-r").unwrap();
        {
            let mut sim = lab.sim_mut().unwrap();
            let lan = sim.ns(Some("lan")).unwrap();
            sim.spawn(lan, Box::new(RawUdp));
        }
        lab.run_for(std::time::Duration::from_millis(100)).unwrap();
        let udp: Vec<String> = lab
            .tcpdump(cap, false)
            .into_iter()
            .filter(|l| l.contains("UDP"))
            .map(|l| l.split(": UDP").next().unwrap().to_string())
            .collect();
        let (entries, _) = lab.exec("router", "conntrack -L").unwrap();
        let flows = entries.iter().filter(|l| l.starts_with("udp")).count();
        if check == 1 {
            assert_eq!(
                udp,
                ["IP 192.168.1.2.4000 > 203.0.113.1.5000", "IP 203.0.113.254.4001 > 203.0.113.1.5000"],
                "{entries:?}"
            );
            assert_eq!(flows, 1, "{entries:?}");
        } else {
            assert_eq!(
                udp,
                ["IP 203.0.113.254.4000 > 203.0.113.1.5000", "IP 203.0.113.254.4001 > 203.0.113.1.5000"],
                "{entries:?}"
            );
            assert_eq!(flows, 2, "{entries:?}");
        }
    }
}
