//! Processes that run inside a namespace, and [`Sys`], the system-call surface they use.
//!
//! Each process is a sans-IO state machine: `start`, `on_timeout`, `on_icmp`, `on_udp`,
//! `on_frame`, `interrupt` feed it; it answers through `Sys` (send a packet or a raw frame,
//! print a line, change an address or route, exit) and reports its next deadline with
//! `poll_timeout`. ping and traceroute use raw sockets in Linux, dnsmasq a UDP socket plus
//! `SIOCSARP`, dhclient a packet socket, so they live on our L3/L2 here too, not on
//! smoltcp's sockets (DHCP messages themselves go through `smoltcp::wire`).

pub mod conntrack;
pub mod dhcp;
pub mod http;
pub mod nc;
pub mod ping;
pub mod tcpdump;
pub mod traceroute;

use crate::netns::RouteOut;
use crate::netns::{Errno, Netns, OutSpec};
use sim_core::rng::NodeRng;
use sim_core::{Context, Instant, Stream};
use std::net::Ipv4Addr;

pub use conntrack::ConntrackEvents;
pub use dhcp::dhclient::{Dhclient, DhclientArgs};
pub use dhcp::dnsmasq::{Dnsmasq, DnsmasqArgs};
pub use http::{Curl, CurlArgs, HttpServer, HttpServerArgs};
pub use nc::{Nc, NcArgs};
pub use ping::{Bind, Ping, PingArgs};
pub use tcpdump::Tcpdump;
pub use traceroute::{Traceroute, TracerouteArgs};

/// An ICMP packet handed to a raw socket.
#[derive(Clone, Copy, Debug)]
pub struct IcmpIn<'a> {
    /// IP source.
    pub src: Ipv4Addr,
    /// IP destination.
    pub dst: Ipv4Addr,
    /// IP TTL.
    pub ttl: u8,
    /// The ICMP message.
    pub icmp: &'a [u8],
}

/// A UDP datagram delivered to a process that bound its port.
#[derive(Clone, Copy, Debug)]
pub struct UdpIn<'a> {
    /// The interface it came in on.
    pub in_if: u32,
    /// IP source.
    pub src: Ipv4Addr,
    /// IP destination.
    pub dst: Ipv4Addr,
    /// UDP source port.
    pub sport: u16,
    /// UDP destination port.
    pub dport: u16,
    /// The payload.
    pub payload: &'a [u8],
}

/// A process.
#[derive(Debug)]
pub enum Process {
    /// iputils `ping`.
    Ping(Box<Ping>),
    /// `tcpdump`.
    Tcpdump(Tcpdump),
    /// Debian's `traceroute`.
    Traceroute(Box<Traceroute>),
    /// `dnsmasq` (its DHCP server).
    Dnsmasq(Box<Dnsmasq>),
    /// ISC `dhclient`.
    Dhclient(Box<Dhclient>),
    /// `conntrack -E`.
    Conntrack(ConntrackEvents),
    /// `nc` / `ncat`.
    Nc(Box<Nc>),
    /// `curl`.
    Curl(Box<Curl>),
    /// `python3 -m http.server`.
    HttpServer(Box<HttpServer>),
}

impl Process {
    /// The program's name, as a shell job shows it.
    pub fn name(&self) -> &'static str {
        match self {
            Process::Ping(_) => "ping",
            Process::Tcpdump(_) => "tcpdump",
            Process::Traceroute(_) => "traceroute",
            Process::Dnsmasq(_) => "dnsmasq",
            Process::Dhclient(_) => "dhclient",
            Process::Conntrack(_) => "conntrack",
            Process::Nc(_) => "nc",
            Process::Curl(_) => "curl",
            Process::HttpServer(_) => "python3",
        }
    }
    pub(crate) fn start(&mut self, sys: &mut Sys<'_, '_, '_>) {
        match self {
            Process::Ping(p) => p.start(sys),
            Process::Tcpdump(t) => t.start(sys),
            Process::Traceroute(t) => t.start(sys),
            Process::Dnsmasq(d) => d.start(sys),
            Process::Dhclient(d) => d.start(sys),
            Process::Conntrack(_) => {}
            Process::Nc(n) => n.start(sys),
            Process::Curl(c) => c.start(sys),
            Process::HttpServer(h) => h.start(sys),
        }
    }
    /// A line typed into its terminal (ncat sends it; the others ignore it).
    pub(crate) fn on_input(&mut self, sys: &mut Sys<'_, '_, '_>, line: &str) {
        if let Process::Nc(n) = self {
            n.on_input(sys, line);
        }
    }
    /// Its sockets may have news (data, a connection, a close).
    pub(crate) fn on_sockets(&mut self, sys: &mut Sys<'_, '_, '_>) {
        match self {
            Process::Nc(n) => n.on_sockets(sys),
            Process::Curl(c) => c.on_sockets(sys),
            Process::HttpServer(h) => h.on_sockets(sys),
            _ => {}
        }
    }
    pub(crate) fn on_timeout(&mut self, sys: &mut Sys<'_, '_, '_>) {
        match self {
            Process::Ping(p) => p.on_timeout(sys),
            Process::Tcpdump(_) => {}
            Process::Traceroute(t) => t.on_timeout(sys),
            Process::Dnsmasq(d) => d.on_timeout(sys),
            Process::Dhclient(d) => d.on_timeout(sys),
            Process::Curl(c) => c.on_timeout(sys),
            Process::HttpServer(h) => h.on_timeout(sys),
            Process::Conntrack(_) | Process::Nc(_) => {}
        }
    }
    pub(crate) fn on_icmp(&mut self, sys: &mut Sys<'_, '_, '_>, pkt: &IcmpIn<'_>) {
        match self {
            Process::Ping(p) => p.on_icmp(sys, pkt),
            Process::Tcpdump(_) => {}
            Process::Traceroute(t) => t.on_icmp(sys, pkt),
            Process::Dnsmasq(d) => d.on_icmp(sys, pkt),
            _ => {}
        }
    }
    pub(crate) fn interrupt(&mut self, sys: &mut Sys<'_, '_, '_>) {
        match self {
            Process::Ping(p) => p.interrupt(sys),
            Process::Tcpdump(t) => t.interrupt(sys),
            Process::Traceroute(t) => t.interrupt(sys),
            Process::Dnsmasq(d) => d.interrupt(sys),
            Process::Dhclient(d) => d.interrupt(sys),
            Process::Conntrack(c) => c.interrupt(sys),
            Process::Nc(n) => n.interrupt(sys),
            Process::Curl(c) => c.interrupt(sys),
            Process::HttpServer(h) => h.interrupt(sys),
        }
    }
    /// The next deadline.
    pub fn poll_timeout(&self) -> Option<Instant> {
        match self {
            Process::Ping(p) => p.poll_timeout(),
            Process::Tcpdump(_) => None,
            Process::Traceroute(t) => t.poll_timeout(),
            Process::Dnsmasq(d) => d.poll_timeout(),
            Process::Dhclient(d) => d.poll_timeout(),
            Process::Curl(c) => c.poll_timeout(),
            Process::HttpServer(h) => h.poll_timeout(),
            Process::Conntrack(_) | Process::Nc(_) => None,
        }
    }
    /// True if the process has a raw ICMP socket that takes packets to `dst`.
    pub fn wants_icmp(&self, dst: Ipv4Addr) -> bool {
        match self {
            Process::Ping(p) => p.bound_src().is_none_or(|s| s == dst),
            Process::Tcpdump(_) => false,
            Process::Traceroute(_) => true,
            Process::Dnsmasq(_) => true,
            _ => false,
        }
    }
    /// The interface a packet socket (AF_PACKET) of the process listens on.
    pub fn packet_iface(&self) -> Option<u32> {
        match self {
            Process::Dhclient(d) => d.packet_iface(),
            _ => None,
        }
    }
    /// The UDP port the process bound, and the device it bound to (SO_BINDTODEVICE).
    pub fn udp_port(&self) -> Option<(u16, Option<u32>)> {
        match self {
            Process::Dnsmasq(d) => d.udp_port(),
            Process::Dhclient(d) => d.udp_port(),
            _ => None,
        }
    }
    /// True once the process has detached from the terminal (a daemon).
    pub fn detached(&self) -> bool {
        match self {
            Process::Dhclient(d) => d.detached(),
            Process::Dnsmasq(d) => d.detached(),
            _ => false,
        }
    }
    pub(crate) fn on_frame(&mut self, sys: &mut Sys<'_, '_, '_>, ifindex: u32, frame: &[u8]) {
        if let Process::Dhclient(d) = self {
            d.on_frame(sys, ifindex, frame);
        }
    }
    pub(crate) fn on_udp(&mut self, sys: &mut Sys<'_, '_, '_>, u: &UdpIn<'_>) {
        if let Process::Dnsmasq(d) = self {
            d.on_udp(sys, u);
        }
    }
}

/// What a process can ask of its namespace while it is being called.
pub struct Sys<'n, 'c, 'w> {
    pub(crate) ns: &'n mut Netns,
    pub(crate) cx: &'c mut Context<'w>,
    pub(crate) pid: u32,
    pub(crate) exited: Option<i32>,
}

impl Sys<'_, '_, '_> {
    /// Virtual time.
    pub fn now(&self) -> Instant {
        self.cx.now()
    }
    /// The namespace's random stream.
    pub fn rng(&mut self) -> &mut NodeRng {
        self.cx.rng()
    }
    /// Prints a line on stdout.
    pub fn stdout(&mut self, line: impl Into<String>) {
        self.ns.output_line(self.cx, self.pid, Stream::Stdout, line.into());
    }
    /// Prints a line on stderr.
    pub fn stderr(&mut self, line: impl Into<String>) {
        self.ns.output_line(self.cx, self.pid, Stream::Stderr, line.into());
    }
    /// Ends the process with `status`.
    pub fn exit(&mut self, status: i32) {
        self.exited = Some(status);
    }
    /// Where a packet to `dst` would go (`connect()` on a datagram socket).
    pub fn route(&self, dst: Ipv4Addr, src: Option<Ipv4Addr>, oif: Option<u32>) -> Result<RouteOut, Errno> {
        self.ns.route_output(dst, src, oif)
    }
    /// Sends an IP packet (raw `sendmsg`).
    pub fn send(&mut self, spec: &OutSpec, payload: &[u8]) -> Result<(), Errno> {
        self.ns.output(self.cx, spec, payload)
    }
    /// Opens a UDP socket on `port` (0: ephemeral).
    pub fn udp_open(&mut self, port: u16) -> Result<smoltcp::iface::SocketHandle, Errno> {
        self.ns.udp_open(self.cx, self.pid, port)
    }
    /// Sends a datagram.
    pub fn udp_send(
        &mut self,
        h: smoltcp::iface::SocketHandle,
        dst: Ipv4Addr,
        dport: u16,
        data: &[u8],
    ) -> Result<(), Errno> {
        self.ns.udp_send(h, dst, dport, data)
    }
    /// Receives a datagram.
    pub fn udp_recv(&mut self, h: smoltcp::iface::SocketHandle) -> Option<(Ipv4Addr, u16, Vec<u8>)> {
        self.ns.udp_recv(h)
    }
    /// `connect()` a UDP socket to its peer.
    pub fn udp_connect(&mut self, h: smoltcp::iface::SocketHandle, peer: (Ipv4Addr, u16)) {
        self.ns.udp_connect(h, peer);
    }
    /// A pending ECONNREFUSED on the socket.
    pub fn take_refused(&mut self, h: smoltcp::iface::SocketHandle) -> bool {
        self.ns.take_refused(h)
    }
    /// Listens on a TCP port.
    pub fn tcp_listen(&mut self, port: u16) -> Result<smoltcp::iface::SocketHandle, Errno> {
        self.ns.tcp_listen(self.cx, self.pid, None, port, false)
    }
    /// Listens on a TCP port at one address (or all); `again`: the next accept of a
    /// listener whose socket just took a connection.
    pub fn tcp_listen_on(
        &mut self,
        bind: Option<Ipv4Addr>,
        port: u16,
        again: bool,
    ) -> Result<smoltcp::iface::SocketHandle, Errno> {
        self.ns.tcp_listen(self.cx, self.pid, bind, port, again)
    }
    /// Lets go of a TCP socket (it closes on its own).
    pub fn tcp_release(&mut self, h: smoltcp::iface::SocketHandle) {
        self.ns.tcp_release(h);
    }
    /// Connects over TCP.
    pub fn tcp_connect(
        &mut self,
        dst: Ipv4Addr,
        dport: u16,
        sport: Option<u16>,
    ) -> Result<smoltcp::iface::SocketHandle, Errno> {
        self.ns.tcp_connect(self.cx, self.pid, dst, dport, sport)
    }
    /// A TCP socket's state and peer.
    pub fn tcp_state(&self, h: smoltcp::iface::SocketHandle) -> (crate::netns::TcpState, Option<(Ipv4Addr, u16)>) {
        self.ns.tcp_state(h)
    }
    /// Queues data on a TCP socket.
    pub fn tcp_send(&mut self, h: smoltcp::iface::SocketHandle, data: &[u8]) -> usize {
        self.ns.tcp_send(h, data)
    }
    /// Takes what a TCP socket received.
    pub fn tcp_recv(&mut self, h: smoltcp::iface::SocketHandle) -> Vec<u8> {
        self.ns.tcp_recv(h)
    }
    /// Bytes on a TCP socket not yet acknowledged.
    pub fn tcp_unacked(&self, h: smoltcp::iface::SocketHandle) -> usize {
        self.ns.tcp_unacked(h)
    }
    /// Closes a TCP socket's sending side.
    pub fn tcp_close(&mut self, h: smoltcp::iface::SocketHandle) {
        self.ns.tcp_close(h);
    }
    /// The ifindex of an interface of this namespace.
    pub fn ifindex(&self, name: &str) -> Option<u32> {
        self.ns.iface_by_name(name).map(|i| i.ifindex)
    }
    /// True if `a` is an address of this namespace (bind() would take it).
    pub fn is_local_addr(&self, a: Ipv4Addr) -> bool {
        self.ns.ifaces().any(|i| i.addrs.iter().any(|x| x.addr == a))
    }
    /// True if `a` is a broadcast address here.
    pub fn is_broadcast(&self, a: Ipv4Addr) -> bool {
        self.ns.is_broadcast(a, None)
    }
    /// An interface of the namespace.
    pub fn iface(&self, ifindex: u32) -> Option<&crate::netns::iface::Iface> {
        self.ns.iface(ifindex)
    }
    /// Sends a whole Ethernet frame's payload out of `ifindex` (an AF_PACKET socket).
    pub fn send_frame(&mut self, ifindex: u32, dst: sim_core::MacAddr, ethertype: u16, payload: &[u8]) {
        self.ns.xmit(self.cx, ifindex, dst, ethertype, payload);
    }
    /// Installs a neighbour entry (`SIOCSARP`, as dnsmasq's `arp_inject` does).
    pub fn neigh_inject(&mut self, ifindex: u32, ip: Ipv4Addr, mac: sim_core::MacAddr) {
        self.ns.neigh_inject(self.cx, ifindex, ip, mac);
    }
    /// `ip addr add A/P broadcast B dev IF valid_lft L` (or changes the lifetime of an
    /// address that is already there).
    pub fn addr_replace(
        &mut self,
        ifindex: u32,
        addr: Ipv4Addr,
        prefix: u8,
        brd: Option<Ipv4Addr>,
        valid_until: Option<Instant>,
    ) {
        let exists =
            self.ns.iface(ifindex).is_some_and(|i| i.addrs.iter().any(|a| a.addr == addr && a.prefix == prefix));
        if exists {
            self.ns.set_addr_lifetime(ifindex, addr, valid_until);
        } else {
            let _ = self.ns.addr_add(ifindex, addr, prefix, brd, valid_until);
        }
    }
    /// `ip addr flush dev IF` (its routes go with the addresses).
    pub fn addr_flush(&mut self, ifindex: u32) {
        self.ns.addr_flush(ifindex);
    }
    /// `ip route add default via GW dev IF`.
    pub fn default_route(&mut self, ifindex: u32, gw: Ipv4Addr) {
        let spec = crate::netns::RouteSpec {
            dst: Ipv4Addr::UNSPECIFIED,
            prefix: 0,
            gateway: Some(gw),
            dev: Some(ifindex),
            metric: 0,
            src: None,
            proto: crate::netns::fib::Proto::Boot,
            onlink: false,
        };
        let _ = self.ns.route_add(&spec);
    }
    /// Runs `f` on another process of this namespace (a signal, `dhclient -r` telling the
    /// running dhclient to release).
    pub fn with_other(&mut self, pid: u32, f: impl FnOnce(&mut Process, &mut Sys<'_, '_, '_>)) {
        self.ns.with_proc(self.cx, pid, f);
    }
    /// Running processes of this namespace named `name`.
    pub fn pids_of(&self, name: &str) -> Vec<u32> {
        self.ns.pids_of(name)
    }
    /// This process's pid.
    pub fn pid(&self) -> u32 {
        self.pid
    }
}
