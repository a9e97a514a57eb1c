//! `dhclient [-d] [-v] [-r] IF`: ISC dhclient 4.4's client state machine, raw as the real one
//! is (it sends and receives on a packet socket, LPF, not on an IP socket, until bound).
//!
//! Timing from `client/dhclient.c`: the first DISCOVER's interval is 3 s plus up to twice
//! that at random, growing by up to twice itself each time (cut off near 15 s); after 60 s
//! without an offer it gives up and sleeps 5 minutes. Renewal is at T1 (from the server, or
//! half the lease), randomised to between ¾ T1 and T1; renewing requests go unicast to the
//! server until T2, then broadcast (rebinding) until the lease expires, when the address goes
//! and DISCOVER starts again. What dhclient-script does is done directly: the address with
//! its lifetime, the default route, removal on expiry or release. Without `-d` it detaches
//! once bound. Messages are the ones 4.4.3-P1 prints — with `-d` or `-v` only: otherwise it
//! is quiet, as the real one is by default. `dhclient -r` prints `Killed old client process`
//! when it stopped one, and with `-v` the release it sent.

use super::{CLIENT_PORT, Kind, Message, SERVER_PORT, emit, parse, udp};
use crate::proc::{Meta, Program, SocketId, SocketKind, Sys};
use crate::sys::{OutSpec, Pmtudisc};
use crate::wire::{self, Ipv4, Ipv4Fields, ethertype, proto};
use sim_core::{Duration, Instant, MacAddr, rng};
use std::net::Ipv4Addr;

/// dhclient's options.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DhclientArgs {
    /// The interface.
    pub iface: String,
    /// `-d`: stay in the foreground.
    pub foreground: bool,
    /// `-v`: print what it does (`-d` does too; otherwise dhclient is quiet).
    pub verbose: bool,
    /// `-r`: release the current lease and stop the running client.
    pub release: bool,
}

const INITIAL_INTERVAL: u64 = 3;
const BACKOFF_CUTOFF: u64 = 15;
const TIMEOUT: u64 = 60;
const RETRY_INTERVAL: u64 = 300;
const REBOOT_TIMEOUT: u64 = 10;
/// The parameter request list dhclient 4.4.3 sends (as captured on the reference machine).
const PARAMS: [u8; 13] = [1, 28, 2, 3, 15, 6, 119, 12, 44, 47, 26, 121, 42];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Selecting,
    Requesting,
    Bound,
    Renewing,
    Rebinding,
    Sleeping,
    Done,
}

#[derive(Clone, Debug)]
struct Active {
    address: Ipv4Addr,
    server: Ipv4Addr,
    rebind: Instant,
    expiry: Instant,
}

/// A running dhclient.
#[derive(Debug)]
pub struct Dhclient {
    args: DhclientArgs,
    ifindex: u32,
    mac: MacAddr,
    state: State,
    xid: u32,
    first_sending: Instant,
    interval: u64,
    timer: Option<Instant>,
    offer: Option<(Message, Ipv4Addr)>,
    active: Option<Active>,
    old_address: Option<Ipv4Addr>,
    detached: bool,
    malformed: u64,
    /// Its packet socket, and the buffer its sockets read into.
    packet: Option<SocketId>,
    rbuf: Vec<u8>,
}

fn secs(d: u64) -> Duration {
    Duration::from_secs(d)
}

impl Dhclient {
    /// A dhclient that has not started.
    pub fn new(args: DhclientArgs) -> Self {
        Dhclient {
            args,
            ifindex: 0,
            mac: MacAddr::ZERO,
            state: State::Selecting,
            xid: 0,
            first_sending: Instant::ZERO,
            interval: 0,
            timer: None,
            offer: None,
            active: None,
            old_address: None,
            detached: false,
            malformed: 0,
            packet: None,
            rbuf: Vec::new(),
        }
    }

    /// DHCP messages refused as malformed.
    pub fn malformed(&self) -> u64 {
        self.malformed
    }

    fn quiet(&self) -> bool {
        !(self.args.foreground || self.args.verbose)
    }

    fn say(&self, sys: &mut Sys<'_, '_, '_>, line: impl Into<String>) {
        if !self.quiet() {
            sys.stderr(line);
        }
    }

    fn header(&self, sys: &mut Sys<'_, '_, '_>) {
        for l in [
            "Internet Systems Consortium DHCP Client 4.4.3-P1",
            "Copyright 2004-2022 Internet Systems Consortium.",
            "All rights reserved.",
            "For info, please visit https://www.isc.org/software/dhcp/",
            "",
        ] {
            self.say(sys, l);
        }
        let (n, m) = (&self.args.iface, self.mac);
        self.say(sys, format!("Listening on LPF/{n}/{m}"));
        self.say(sys, format!("Sending on   LPF/{n}/{m}"));
        self.say(sys, "Sending on   Socket/fallback");
    }

    /// `dhclient -r`: the running client on the interface releases and stops.
    fn release_other(&mut self, sys: &mut Sys<'_, '_, '_>) {
        let me = sys.pid();
        let ifindex = self.ifindex;
        let mut released = None;
        let mut killed = false;
        for pid in sys.pids_of("dhclient").into_iter().filter(|p| *p != me) {
            // The running client's lease is its own (ISC's is in its lease file): this
            // one takes it, releases it, and kills the old one.
            let Some(d) = sys.program_mut::<Dhclient>(pid) else { continue };
            if d.ifindex != ifindex {
                continue;
            }
            self.active = d.active.take();
            let r = self.release(sys);
            released = released.or(r);
            killed = true;
            sys.kill(pid, 0);
        }
        if killed {
            sys.stderr("Killed old client process");
        }
        self.header(sys);
        self.state = State::Done;
        if let Some((addr, server)) = released {
            self.say(sys, format!("DHCPRELEASE of {addr} on {} to {server} port {SERVER_PORT}", self.args.iface));
        }
        sys.exit(0);
    }

    /// Sends DHCPRELEASE for the active lease and removes the address; returns what it
    /// released.
    fn release(&mut self, sys: &mut Sys<'_, '_, '_>) -> Option<(Ipv4Addr, Ipv4Addr)> {
        let a = self.active.take()?;
        let mut m = Message::new(Kind::Release, rng::next_u64(sys.rng()) as u32, self.mac);
        m.ciaddr = a.address;
        m.server_id = Some(a.server);
        Self::unicast(sys, a.address, a.server, &m);
        sys.addr_flush(self.ifindex);
        self.state = State::Done;
        self.timer = None;
        Some((a.address, a.server))
    }

    fn state_init(&mut self, sys: &mut Sys<'_, '_, '_>) {
        self.xid = rng::next_u64(sys.rng()) as u32;
        self.state = State::Selecting;
        self.first_sending = sys.now();
        self.interval = INITIAL_INTERVAL;
        self.offer = None;
        self.send_discover(sys);
    }

    fn grow(&mut self, sys: &mut Sys<'_, '_, '_>) {
        let r = rng::next_u64(sys.rng());
        self.interval += r % (2 * self.interval.max(1));
        if self.interval > BACKOFF_CUTOFF {
            self.interval = BACKOFF_CUTOFF / 2 + rng::next_u64(sys.rng()) % BACKOFF_CUTOFF;
        }
    }

    fn elapsed(&self, now: Instant) -> u64 {
        (now - self.first_sending).as_secs()
    }

    fn send_discover(&mut self, sys: &mut Sys<'_, '_, '_>) {
        let now = sys.now();
        let since = self.elapsed(now);
        if since > TIMEOUT {
            self.say(sys, "No DHCPOFFERS received.");
            self.say(sys, "No working leases in persistent database - sleeping.");
            self.state = State::Sleeping;
            self.timer = Some(now + secs(RETRY_INTERVAL));
            return;
        }
        self.grow(sys);
        if since + self.interval > TIMEOUT {
            self.interval = TIMEOUT - since + 1;
        }
        self.say(
            sys,
            format!(
                "DHCPDISCOVER on {} to 255.255.255.255 port {SERVER_PORT} interval {}",
                self.args.iface, self.interval
            ),
        );
        let mut m = Message::new(Kind::Discover, self.xid, self.mac);
        m.secs = since.min(65535) as u16;
        m.requested_ip = self.old_address;
        m.params = PARAMS.to_vec();
        self.lpf_send(sys, Ipv4Addr::UNSPECIFIED, &m);
        self.timer = Some(now + secs(self.interval));
    }

    /// Sends a message from the bound address to the server through the stack (the
    /// fallback socket), as dhclient does once it has an address.
    fn unicast(sys: &mut Sys<'_, '_, '_>, src: Ipv4Addr, server: Ipv4Addr, m: &Message) {
        let u = udp(src, server, CLIENT_PORT, SERVER_PORT, &emit(m));
        let spec = OutSpec {
            dst: server,
            src: Some(src),
            proto: proto::UDP,
            ttl: None,
            tos: 0x10,
            pmtudisc: Pmtudisc::Dont,
            oif: None,
        };
        // An unroutable server is a lost message; the retransmission timer covers it.
        let _ = sys.send(&spec, &u);
    }

    /// Sends a message broadcast on the packet socket, as dhclient's LPF does.
    fn lpf_send(&mut self, sys: &mut Sys<'_, '_, '_>, src: Ipv4Addr, m: &Message) {
        let u = udp(src, Ipv4Addr::BROADCAST, CLIENT_PORT, SERVER_PORT, &emit(m));
        let f = Ipv4Fields { src, dst: Ipv4Addr::BROADCAST, proto: proto::UDP, ttl: 128, id: 0, df: false, tos: 0x10 };
        let mut pkt = Vec::with_capacity(20 + u.len());
        wire::push_ipv4(&mut pkt, &f, u.len());
        pkt.extend_from_slice(&u);
        sys.send_frame(self.ifindex, MacAddr::BROADCAST, ethertype::IPV4, &pkt);
    }

    fn send_request(&mut self, sys: &mut Sys<'_, '_, '_>) {
        let now = sys.now();
        let since = self.elapsed(now);
        if self.state == State::Requesting && since > REBOOT_TIMEOUT {
            return self.state_init(sys);
        }
        if let Some(a) = &self.active
            && self.state != State::Requesting
            && now > a.expiry
        {
            // EXPIRE: the address goes; PREINIT; back to INIT.
            self.old_address = Some(a.address);
            self.active = None;
            sys.addr_flush(self.ifindex);
            return self.state_init(sys);
        }
        self.grow(sys);
        if let Some(a) = &self.active
            && self.state != State::Requesting
        {
            let left = (a.expiry - now).as_secs();
            if self.interval > left {
                self.interval = left + 1;
            }
            if now > a.rebind {
                self.state = State::Rebinding;
            }
        }
        let broadcast = matches!(self.state, State::Requesting | State::Rebinding);
        let (addr, server) = match (&self.offer, &self.active, self.state) {
            (Some((o, s)), _, State::Requesting) => (o.yiaddr, *s),
            (_, Some(a), _) => (a.address, a.server),
            _ => return self.state_init(sys),
        };
        let to = if broadcast { Ipv4Addr::BROADCAST } else { server };
        self.say(sys, format!("DHCPREQUEST for {addr} on {} to {to} port {SERVER_PORT}", self.args.iface));
        let mut m = Message::new(Kind::Request, self.xid, self.mac);
        m.secs = since.min(65535) as u16;
        m.params = PARAMS.to_vec();
        if self.state == State::Requesting {
            m.requested_ip = Some(addr);
            m.server_id = Some(server);
            self.lpf_send(sys, Ipv4Addr::UNSPECIFIED, &m);
        } else {
            m.ciaddr = addr;
            if broadcast {
                self.lpf_send(sys, addr, &m);
            } else {
                Self::unicast(sys, addr, server, &m);
            }
        }
        self.timer = Some(now + secs(self.interval));
    }

    pub(crate) fn on_frame(&mut self, sys: &mut Sys<'_, '_, '_>, _ifindex: u32, frame: &[u8]) {
        if frame.len() < 14 || u16::from_be_bytes([frame[12], frame[13]]) != ethertype::IPV4 {
            return;
        }
        let Ok(ip) = Ipv4::new_checked(&frame[14..]) else { return };
        let p = ip.payload();
        if ip.proto() != proto::UDP || p.len() < 8 || u16::from_be_bytes([p[2], p[3]]) != CLIENT_PORT {
            return;
        }
        let Some(m) = parse(&p[8..]) else {
            self.malformed += 1;
            sys.drop_malformed(self.ifindex, "dhclient: malformed DHCP packet");
            return;
        };
        if m.xid != self.xid || m.chaddr != self.mac {
            return;
        }
        let from = ip.src();
        match (m.kind, self.state) {
            (Kind::Offer, State::Selecting) => {
                self.say(sys, format!("DHCPOFFER of {} from {from}", m.yiaddr));
                let server = m.server_id.unwrap_or(from);
                self.offer = Some((m, server));
                self.state = State::Requesting;
                self.first_sending = sys.now();
                self.interval = INITIAL_INTERVAL;
                self.send_request(sys);
            }
            (Kind::Ack, State::Requesting | State::Renewing | State::Rebinding) => {
                self.say(sys, format!("DHCPACK of {} from {from}", m.yiaddr));
                self.bind(sys, &m, from);
            }
            (Kind::Nak, State::Requesting | State::Renewing | State::Rebinding) => {
                self.say(sys, format!("DHCPNAK from {from}"));
                // dhcpnak(): without an active lease the NAK changes nothing; the REQUEST
                // goes on until the reboot timeout sends the client back to DISCOVER.
                if self.active.take().is_some() {
                    sys.addr_flush(self.ifindex);
                    self.state_init(sys);
                }
            }
            _ => {}
        }
    }

    fn bind(&mut self, sys: &mut Sys<'_, '_, '_>, m: &Message, from: Ipv4Addr) {
        let now = sys.now();
        let lease = u64::from(m.lease.unwrap_or(0));
        if lease == 0 {
            self.say(sys, "no expiry time on offered lease.");
            return self.state_init(sys);
        }
        let t1 = m.t1.map(u64::from).filter(|t| *t > 0).unwrap_or(lease / 2 + 1);
        // bind_lease: (T1 * 3 + 3) / 4 + ((random() % T1) + 3) / 4.
        let mut renewal = (t1 * 3).div_ceil(4) + (rng::next_u64(sys.rng()) % t1).div_ceil(4);
        let rebind = m.t2.map(u64::from).filter(|t| *t > 0).unwrap_or(lease * 7 / 8);
        if renewal > rebind {
            renewal = rebind * 3 / 4;
        }
        let prefix = m.subnet_mask.map(|k| u32::from(k).leading_ones() as u8).unwrap_or(24);
        let expiry = now + secs(lease);
        let renewing = self.active.is_some();
        sys.addr_replace(self.ifindex, m.yiaddr, prefix, m.broadcast_addr, Some(expiry));
        if !renewing && let Some(r) = m.router {
            sys.default_route(self.ifindex, r);
        }
        let server = m.server_id.unwrap_or(from);
        self.active = Some(Active { address: m.yiaddr, server, rebind: now + secs(rebind), expiry });
        self.old_address = None;
        self.offer = None;
        // The renewal timeout gets a random sub-second part (bind_lease).
        let usec = if renewal > 1 { rng::next_u64(sys.rng()) % 1_000_000 } else { 0 };
        self.timer = Some(now + secs(renewal) + Duration::from_micros(usec));
        self.say(sys, format!("bound to {} -- renewal in {renewal} seconds.", m.yiaddr));
        self.state = State::Bound;
        if !self.args.foreground {
            self.detached = true;
        }
    }
}

impl Program for Dhclient {
    fn name(&self) -> &'static str {
        "dhclient"
    }
    fn start(&mut self, sys: &mut Sys<'_, '_, '_>) {
        let Some(i) = sys.ifindex(&self.args.iface) else {
            sys.stderr(format!("Error getting hardware address for \"{}\": No such device", self.args.iface));
            return sys.exit(1);
        };
        self.ifindex = i;
        self.mac = sys.ifmac(i).unwrap_or_default();
        if self.args.release {
            return self.release_other(sys);
        }
        // Its LPF packet socket on the interface; and 0.0.0.0:68 (its "Socket/fallback",
        // for sending unicast): what arrives there is read and thrown away — the packet
        // socket saw it already — but the port is bound, so the stack sends no port
        // unreachable for a unicast reply. Both close when it exits.
        self.packet = Some(sys.socket(SocketKind::Packet { ifindex: i }));
        sys.socket(SocketKind::Udp { port: CLIENT_PORT, dev: None });
        self.header(sys);
        self.state_init(sys);
    }
    fn on_timeout(&mut self, sys: &mut Sys<'_, '_, '_>) {
        let now = sys.now();
        if self.timer.is_some_and(|t| t > now) {
            return;
        }
        self.timer = None;
        match self.state {
            State::Selecting => self.send_discover(sys),
            State::Requesting | State::Renewing | State::Rebinding => self.send_request(sys),
            State::Bound => {
                // T1: renew with the server that gave the lease.
                self.state = State::Renewing;
                self.first_sending = now;
                self.interval = INITIAL_INTERVAL;
                self.xid = rng::next_u64(sys.rng()) as u32;
                self.send_request(sys);
            }
            State::Sleeping => self.state_init(sys),
            State::Done => {}
        }
    }
    fn poll_timeout(&self) -> Option<Instant> {
        self.timer
    }
    fn on_ready(&mut self, sys: &mut Sys<'_, '_, '_>, sock: SocketId) {
        let mut buf = std::mem::take(&mut self.rbuf);
        while let Some(m) = sys.recv(sock, &mut buf) {
            // Port 68's datagrams are read and thrown away: the packet socket saw them.
            if let Meta::Frame { ifindex } = m
                && Some(sock) == self.packet
            {
                self.on_frame(sys, ifindex, &buf);
            }
        }
        self.rbuf = buf;
    }
    /// SIGINT: dhclient dies of it (status 130), silently, and leaves the address in place.
    fn interrupt(&mut self, sys: &mut Sys<'_, '_, '_>) {
        self.state = State::Done;
        self.timer = None;
        sys.exit(130);
    }
    fn detached(&self) -> bool {
        self.detached
    }
    crate::proc::any_program!();
}
