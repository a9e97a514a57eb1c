//! `nc` / `ncat` (nmap's ncat 7.93, what Debian's `nc` points to): TCP and UDP, listening or
//! connecting, printing what arrives; what was piped into it (`echo … | nc …`) is sent.
//! TCP and UDP go over IPv4 or IPv6 (`-4`, `-6`, or the host's family).
//!
//! As ncat does: `-v` prints its version, `Listening on :::P` and `Listening on 0.0.0.0:P`
//! (a listener has a socket of each family, IPv6's `IPV6_V6ONLY`; the IPv6 one is made
//! even where IPv6 is off), then `Connection from A.` and, for TCP, `Connection from A:P.`;
//! without `-k` a TCP listener closes both sockets once a client is in; with `-k` it takes
//! every client that comes, prints what each sends and sends what is typed to all of them;
//! a UDP listener answers only the first peer it heard from (its socket is connected;
//! others get port unreachable, and the other family's socket is no longer read). A client
//! sends its input, then (stdin at EOF) a TCP client closes its side and waits for the peer
//! to close; a UDP client is done once its datagram is sent and no port unreachable came
//! back for it (Linux delivers that within the send along veths; here ncat waits 1 ms for
//! it), and with `-v` says how many bytes went each way. A client reading a terminal stays
//! after the server closed (CLOSE-WAIT), until Ctrl-C. A TCP listener ends when its peer
//! closes (unless `-k`; `-k` with `-u` is refused, as ncat refuses it). `Connection
//! refused.` and status 1 for a refused connection or datagram.

use super::{Program, SocketId, Sys};
use sim_core::{Duration, Instant};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// ncat's `listen()` backlog.
const BACKLOG: u32 = 10;

/// ncat's options.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NcArgs {
    /// `-l`.
    pub listen: bool,
    /// `-u`.
    pub udp: bool,
    /// `-v`.
    pub verbose: bool,
    /// `-k`.
    pub keep_open: bool,
    /// `-z`: connect, report (with `-v`), close; a refusal is quiet without `-v`.
    pub zero: bool,
    /// `-4` or `-6`: that family only (a listener otherwise listens on both).
    pub family: Option<u8>,
    /// The host to connect to.
    pub host: Option<IpAddr>,
    /// The port (to listen on, or to connect to).
    pub port: u16,
    /// `-p`: the local port of a client.
    pub source_port: Option<u16>,
    /// What stdin holds (lines without their newline); `None`: a terminal, never at EOF.
    pub input: Option<Vec<String>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Listening,
    Connecting,
    Connected,
    /// Input sent; stdin's EOF (and our FIN) comes once it is acknowledged — on a veth
    /// the ACK is back before ncat's next read returns, so Linux shows data, ACK, FIN.
    Sent,
    Closing,
    /// The server closed; stdin, a terminal, is still open.
    Lingering,
    Done,
}

/// A running ncat.
#[derive(Debug)]
pub struct Nc {
    args: NcArgs,
    sock: Option<SocketId>,
    phase: Phase,
    peer: Option<SocketAddr>,
    partial: Vec<u8>,
    /// Typed but not yet taken by the socket (its send buffer was full): it waits, as in
    /// ncat's stdin pipe.
    outbound: Vec<u8>,
    /// `-k`: the listening socket, still listening while a connection is served (the
    /// next client may connect meanwhile).
    next: Option<SocketId>,
    /// A listener's socket of the other family. UDP: once a peer came on one, the other is
    /// never read again (its datagrams queue unread, as in ncat); TCP with `-k`: it listens
    /// on for that family's clients.
    idle: Option<SocketId>,
    /// `-k`: the clients connected while the first (`sock`) is served, each read as it
    /// sends; the oldest is served first once `sock` is done.
    others: Vec<SocketId>,
    /// Bytes a UDP client received (its `-v` summary says).
    received: usize,
    /// A UDP client with its input sent: when it exits, unless refused first.
    deadline: Option<Instant>,
    /// When it started (`-zv` reports how long the connection took).
    started: Instant,
}

/// How long a UDP client whose stdin ended waits for an ICMP error about what it sent.
const UDP_LINGER: Duration = Duration::from_millis(1);

const VERSION: &str = "Ncat: Version 7.93 ( https://nmap.org/ncat )";

impl Nc {
    /// An ncat that has not started.
    pub fn new(args: NcArgs) -> Self {
        Nc {
            args,
            sock: None,
            phase: Phase::Done,
            peer: None,
            partial: Vec::new(),
            outbound: Vec::new(),
            next: None,
            idle: None,
            others: Vec::new(),
            received: 0,
            deadline: None,
            started: Instant::ZERO,
        }
    }

    fn input_bytes(&self) -> Option<Vec<u8>> {
        self.args
            .input
            .as_ref()
            .map(|lines| lines.iter().flat_map(|l| l.bytes().chain(std::iter::once(b'\n'))).collect())
    }

    fn fail(&mut self, sys: &mut Sys<'_, '_, '_>, msg: String, status: i32) {
        sys.stderr(msg);
        self.phase = Phase::Done;
        sys.exit(status);
    }

    fn print(&mut self, sys: &mut Sys<'_, '_, '_>, data: &[u8], flush: bool) {
        self.partial.extend_from_slice(data);
        while let Some(i) = self.partial.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = self.partial.drain(..=i).collect();
            // A line ends at `\n`, a `\r` before it included, as a terminal shows it.
            let text = line[..line.len() - 1].strip_suffix(b"\r").unwrap_or(&line[..line.len() - 1]);
            sys.stdout(String::from_utf8_lossy(text).into_owned());
        }
        if flush && !self.partial.is_empty() {
            let rest = std::mem::take(&mut self.partial);
            sys.stdout(String::from_utf8_lossy(&rest).into_owned());
        }
    }

    /// `-l`: ncat listens on `::` (`IPV6_V6ONLY`) and `0.0.0.0`, or one of them with
    /// `-6` or `-4`.
    fn listen(&mut self, sys: &mut Sys<'_, '_, '_>) {
        let port = self.args.port;
        let family = self.args.family;
        let mut bound = Vec::new();
        for (fam, any) in [(6, IpAddr::V6(Ipv6Addr::UNSPECIFIED)), (4, IpAddr::V4(Ipv4Addr::UNSPECIFIED))] {
            if family.is_some_and(|f| f != fam) {
                continue;
            }
            let r = match (self.args.udp, fam) {
                // ncat's IPv6 listening socket is IPV6_V6ONLY: its IPv4 one takes IPv4.
                (true, 6) => sys.udp_bind_v6only(std::net::SocketAddrV6::new(Ipv6Addr::UNSPECIFIED, port, 0, 0)),
                (true, _) => sys.udp_bind(SocketAddr::new(any, port)),
                (false, 6) => sys.tcp_listen_v6only(Ipv6Addr::UNSPECIFIED, port, BACKLOG, false),
                (false, _) => sys.tcp_listen(port, BACKLOG),
            };
            match r {
                Ok(h) => bound.push(h),
                Err(e) => {
                    let at = if fam == 6 { format!(":::{port}") } else { format!("0.0.0.0:{port}") };
                    return self.fail(sys, format!("Ncat: bind to {at}: {e}. QUITTING."), 2);
                }
            }
        }
        // Both are watched; the one a client comes to is the connection.
        self.sock = bound.pop();
        self.idle = bound.pop();
        self.phase = Phase::Listening;
        if self.args.verbose {
            if family != Some(4) {
                sys.stderr(format!("Ncat: Listening on :::{port}"));
            }
            if family != Some(6) {
                sys.stderr(format!("Ncat: Listening on 0.0.0.0:{port}"));
            }
        }
    }

    pub(crate) fn on_sockets(&mut self, sys: &mut Sys<'_, '_, '_>) {
        let Some(h) = self.sock else { return };
        if self.args.udp {
            if sys.take_refused(h) && !self.args.listen {
                self.deadline = None;
                return self.fail(sys, "Ncat: Connection refused.".into(), 1);
            }
            // A listener's first datagram, on either of its sockets, picks the peer and
            // the socket.
            for s in [Some(h), self.idle].into_iter().flatten() {
                if self.peer.is_some() && self.sock != Some(s) {
                    continue;
                }
                while let Some((from, data)) = sys.udp_recv(s) {
                    if self.peer.is_none() {
                        self.peer = Some(from);
                        sys.udp_connect(s, from);
                        if s != h {
                            (self.sock, self.idle) = (Some(s), Some(h));
                        }
                        if self.args.verbose {
                            sys.stderr(format!("Ncat: Connection from {}.", from.ip()));
                        }
                    }
                    self.received += data.len();
                    self.print(sys, &data, false);
                }
            }
            return;
        }
        use crate::sys::TcpState as S;
        let connected = |sys: &Sys<'_, '_, '_>, s| matches!(sys.tcp_state(s).0, S::Established | S::PeerClosed);
        if self.args.keep_open && self.phase != Phase::Listening {
            self.serve_others(sys);
        }
        let mut h = h;
        if self.phase == Phase::Listening
            && let Some(other) = self.idle
            && !connected(sys, h)
            && connected(sys, other)
        {
            // A client came to the other family's listener.
            (self.sock, self.idle, h) = (Some(other), Some(h), other);
        }
        let (state, peer) = sys.tcp_state(h);
        match (self.phase, state) {
            (Phase::Listening, S::Established | S::PeerClosed) => {
                self.phase = Phase::Connected;
                self.peer = peer;
                if self.args.keep_open {
                    // accept(): the listener listens on.
                    self.next = self.listen_again(sys, h);
                } else if let Some(other) = self.idle.take() {
                    // Without -k ncat closes its listening sockets once a client is in.
                    sys.tcp_close(other);
                    sys.tcp_release(other);
                }
                if self.args.verbose
                    && let Some(peer) = peer
                {
                    // (`inet_socktop`: an IPv6 address without brackets.)
                    sys.stderr(format!("Ncat: Connection from {}.", peer.ip()));
                    sys.stderr(format!("Ncat: Connection from {}:{}.", peer.ip(), peer.port()));
                }
            }
            (Phase::Connecting, S::Established | S::PeerClosed) => {
                self.phase = Phase::Connected;
                if self.args.verbose {
                    sys.stderr(format!(
                        "Ncat: Connected to {}:{}.",
                        self.args.host.unwrap_or(Ipv4Addr::UNSPECIFIED.into()),
                        self.args.port
                    ));
                }
                if self.args.zero {
                    // -z: nothing sent; close and report.
                    if self.args.verbose {
                        let secs = (sys.now() - self.started).as_nanos() as f64 / 1e9;
                        sys.stderr(format!("Ncat: 0 bytes sent, 0 bytes received in {secs:.2} seconds."));
                    }
                    sys.tcp_close(h);
                    self.phase = Phase::Done;
                    sys.exit(0);
                    return;
                }
                if let Some(data) = self.input_bytes() {
                    sys.tcp_send(h, &data);
                    self.phase = Phase::Sent;
                }
            }
            (Phase::Sent, _) if sys.tcp_unacked(h) == 0 => {
                // stdin at EOF: close our side, wait for theirs.
                sys.tcp_close(h);
                self.phase = Phase::Closing;
            }
            // (`-z` is quiet about it without `-v`.)
            (Phase::Connecting, S::Closed) if self.args.zero && !self.args.verbose => {
                self.phase = Phase::Done;
                sys.exit(1);
            }
            (Phase::Connecting, S::Closed) => return self.fail(sys, "Ncat: Connection refused.".into(), 1),
            _ => {}
        }
        if self.phase == Phase::Connected {
            self.flush(sys, h);
        }
        if matches!(self.phase, Phase::Connected | Phase::Closing) {
            let data = sys.tcp_recv(h);
            let (state, _) = sys.tcp_state(h);
            let over = matches!(state, S::PeerClosed | S::Closed);
            self.print(sys, &data, over);
            if over && state == S::PeerClosed && !self.args.listen && self.args.input.is_none() {
                // A client reading a terminal stays (CLOSE-WAIT) after the server closed:
                // ncat ends when its stdin does, or on Ctrl-C.
                self.phase = Phase::Lingering;
                return;
            }
            if over {
                if self.phase == Phase::Connected {
                    sys.tcp_close(h);
                }
                if self.args.keep_open && self.args.listen {
                    // -k: on to the next client (who may be connected already).
                    self.partial.clear();
                    if !self.others.is_empty() {
                        sys.tcp_release(h);
                        self.sock = Some(self.others.remove(0));
                        self.phase = Phase::Connected;
                        return self.on_sockets(sys);
                    }
                    let again = self.next.take().or_else(|| self.listen_again(sys, h));
                    sys.tcp_release(h);
                    self.sock = again;
                    self.phase = Phase::Listening;
                    return self.on_sockets(sys);
                }
                self.phase = Phase::Done;
                sys.exit(0);
            }
        }
    }

    /// `-k` while a client is served: clients that came to either listener meanwhile are
    /// taken (each listener listens on), and what each sent is printed; one that closed is
    /// closed and let go.
    fn serve_others(&mut self, sys: &mut Sys<'_, '_, '_>) {
        use crate::sys::TcpState as S;
        for which in [0, 1] {
            let slot = if which == 0 { self.next } else { self.idle };
            let Some(l) = slot else { continue };
            let (S::Established | S::PeerClosed, Some(peer)) = sys.tcp_state(l) else { continue };
            let again = self.listen_again(sys, l);
            if which == 0 {
                self.next = again
            } else {
                self.idle = again
            }
            self.others.push(l);
            if self.args.verbose {
                sys.stderr(format!("Ncat: Connection from {}.", peer.ip()));
                sys.stderr(format!("Ncat: Connection from {}:{}.", peer.ip(), peer.port()));
            }
        }
        let mut k = 0;
        while k < self.others.len() {
            let o = self.others[k];
            let data = sys.tcp_recv(o);
            let over = matches!(sys.tcp_state(o).0, S::PeerClosed | S::Closed);
            self.print(sys, &data, over);
            if over {
                sys.tcp_close(o);
                sys.tcp_release(o);
                self.others.remove(k);
            } else {
                k += 1;
            }
        }
    }

    /// The listening socket of `h`'s family again (`-k`'s next accept).
    fn listen_again(&self, sys: &mut Sys<'_, '_, '_>, h: SocketId) -> Option<SocketId> {
        let port = self.args.port;
        match sys.tcp_local(h) {
            Some(a) if a.is_ipv6() => sys.tcp_listen_v6only(Ipv6Addr::UNSPECIFIED, port, BACKLOG, true).ok(),
            _ => sys.tcp_listen_on(None, port, BACKLOG, true).ok(),
        }
    }

    fn flush(&mut self, sys: &mut Sys<'_, '_, '_>, h: SocketId) {
        if !self.outbound.is_empty() {
            let n = sys.tcp_send(h, &self.outbound);
            self.outbound.drain(..n);
        }
    }
}

impl Program for Nc {
    fn name(&self) -> &'static str {
        "nc"
    }
    fn start(&mut self, sys: &mut Sys<'_, '_, '_>) {
        self.started = sys.now();
        if self.args.verbose {
            sys.stderr(VERSION);
        }
        if self.args.udp && self.args.keep_open {
            let m = "Ncat: UDP mode does not support the -k or --keep-open options, except with --exec or --sh-exec. QUITTING.";
            return self.fail(sys, m.into(), 2);
        }
        if self.args.listen {
            return self.listen(sys);
        }
        let Some(host) = self.args.host else {
            return self.fail(sys, "Ncat: You must specify a host to connect to. QUITTING.".into(), 2);
        };
        if self.args.udp {
            let any = match host {
                IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
                IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
            };
            let to = SocketAddr::new(host, self.args.port);
            match sys.udp_bind(SocketAddr::new(any, self.args.source_port.unwrap_or(0))) {
                Ok(h) => {
                    self.sock = Some(h);
                    self.peer = Some(to);
                    sys.udp_connect(h, to);
                    self.phase = Phase::Connected;
                    if self.args.verbose {
                        // (ncat writes an IPv6 address without brackets here.)
                        sys.stderr(format!("Ncat: Connected to {host}:{}.", self.args.port));
                    }
                    if let Some(data) = self.input_bytes() {
                        if !data.is_empty()
                            && let Err(e) = sys.udp_send(h, to, &data)
                        {
                            return self.fail(sys, format!("Ncat: {e}."), 1);
                        }
                        // stdin at EOF: a UDP client is done, unless its datagram was
                        // refused. On Linux the ICMP error along veths comes back within
                        // the send call, so ncat sees it before stdin's EOF; here hops take
                        // time, so it waits for it a shell's gap (1 ms).
                        self.phase = Phase::Sent;
                        self.deadline = Some(sys.now() + UDP_LINGER);
                    }
                }
                Err(e) => self.fail(sys, format!("Ncat: {e}. QUITTING."), 2),
            }
            return;
        }
        match sys.tcp_connect(host, self.args.port, self.args.source_port) {
            Ok(h) => {
                self.sock = Some(h);
                self.phase = Phase::Connecting;
            }
            Err(e) => self.fail(sys, format!("Ncat: {e}."), 1),
        }
    }
    fn on_ready(&mut self, sys: &mut Sys<'_, '_, '_>, _sock: SocketId) {
        Nc::on_sockets(self, sys)
    }
    /// A line typed at ncat: to its peer (a UDP socket sends it to the peer it is connected
    /// to; over TCP it goes on the connection, once there is one).
    fn on_input(&mut self, sys: &mut Sys<'_, '_, '_>, line: &str) {
        let Some(h) = self.sock else { return };
        let data = format!("{line}\n").into_bytes();
        if self.args.udp {
            if let Some(to) = self.peer {
                let _ = sys.udp_send(h, to, &data);
            }
        } else if matches!(self.phase, Phase::Connected | Phase::Connecting | Phase::Listening) {
            // Typed before the connection is up, it waits in the terminal for ncat's first
            // read of stdin once connected.
            self.outbound.extend_from_slice(&data);
            if self.phase == Phase::Connected {
                self.flush(sys, h);
                // With -k, every client hears what is typed.
                for o in &self.others {
                    sys.tcp_send(*o, &data);
                }
            }
        }
    }
    /// A UDP client's wait for a refusal is over: done.
    fn on_timeout(&mut self, sys: &mut Sys<'_, '_, '_>) {
        if self.deadline.take().is_some() {
            self.phase = Phase::Done;
            if self.args.verbose {
                let sent = self.input_bytes().map_or(0, |d| d.len());
                let secs = (sys.now() - self.started).as_nanos() as f64 / 1e9;
                sys.stderr(format!("Ncat: {sent} bytes sent, {} bytes received in {secs:.2} seconds.", self.received));
            }
            sys.exit(0);
        }
    }
    fn poll_timeout(&self) -> Option<Instant> {
        self.deadline
    }
    /// SIGINT: ncat dies of it.
    fn interrupt(&mut self, sys: &mut Sys<'_, '_, '_>) {
        self.deadline = None;
        self.phase = Phase::Done;
        sys.exit(130);
    }
    crate::proc::any_program!();
}
