//! Programs that run inside a namespace: [`Program`], the trait each one implements, and
//! [`Sys`], the system-call surface they use.
//!
//! A program is a sans-IO state machine: `start`, `on_timeout`, `on_input`, `on_sockets`,
//! `on_icmp`, `on_udp`, `on_frame`, `on_conntrack`, `interrupt` feed it; it answers through
//! `Sys` (send a packet or a raw frame, print a line, change an address or route, exit) and
//! reports its next deadline with `poll_timeout`. The built-in tools are implementations,
//! one module each; code outside this crate writes its own and starts it with `Lab::spawn`.
//! ping and traceroute use raw sockets in Linux, dnsmasq a UDP socket plus `SIOCSARP`,
//! dhclient a packet socket, so they live on our L3/L2 here too, not on smoltcp's sockets
//! (DHCP messages themselves go through `smoltcp::wire`).
//!
//! A program opens the sockets it reads with [`Sys::socket`] (raw ICMP, packet, UDP outside
//! smoltcp, conntrack events) or smoltcp's TCP/UDP calls; the namespace delivers to their
//! owners by lookup. Not yet as ARCHITECTURE.md draws it: delivery still calls the owner
//! while the stack is working, so a program's `Sys` call can re-enter the stack; receive
//! queues with readiness, and sends queued and flushed after the call, are the next step.

pub mod conntrack;
pub mod dhcp;
pub mod http;
pub mod nc;
pub mod ping;
pub mod tcpdump;
pub mod traceroute;

use crate::netns::RouteOut;
pub use crate::netns::socktab::{SocketId, SocketKind};
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

/// A program running on a host: a sans-IO state machine the namespace drives. `start`
/// runs it; then the namespace calls it when its time comes ([`Program::poll_timeout`] →
/// `on_timeout`), when a line is typed into its terminal, when its sockets may have news,
/// when a packet for one of its raw, packet or UDP sockets arrives, and on Ctrl-C. It acts
/// only through [`Sys`]. The built-in tools are implementations, each in its own module;
/// code outside this crate implements it too and runs on a host with `Lab::spawn`.
pub trait Program: std::fmt::Debug + std::any::Any {
    /// The program's name, as a shell job shows it (`ping`, `nc`).
    fn name(&self) -> &'static str;
    /// Starts it.
    fn start(&mut self, sys: &mut Sys<'_, '_, '_>);
    /// A line typed into its terminal.
    fn on_input(&mut self, _sys: &mut Sys<'_, '_, '_>, _line: &str) {}
    /// Its TCP/UDP sockets may have news (data, a connection, a close).
    fn on_sockets(&mut self, _sys: &mut Sys<'_, '_, '_>) {}
    /// Its deadline ([`Program::poll_timeout`]) has come.
    fn on_timeout(&mut self, _sys: &mut Sys<'_, '_, '_>) {}
    /// An ICMP packet for one of its raw ICMP sockets ([`SocketKind::RawIcmp`]).
    fn on_icmp(&mut self, _sys: &mut Sys<'_, '_, '_>, _pkt: &IcmpIn<'_>) {}
    /// A datagram for a UDP port it bound ([`SocketKind::Udp`]).
    fn on_udp(&mut self, _sys: &mut Sys<'_, '_, '_>, _u: &UdpIn<'_>) {}
    /// A frame for one of its packet sockets ([`SocketKind::Packet`]).
    fn on_frame(&mut self, _sys: &mut Sys<'_, '_, '_>, _ifindex: u32, _frame: &[u8]) {}
    /// A conntrack event, for a program subscribed to them ([`SocketKind::ConntrackEvents`]).
    fn on_conntrack(
        &mut self,
        _sys: &mut Sys<'_, '_, '_>,
        _ev: crate::netfilter::conntrack::Event,
        _e: &crate::netfilter::conntrack::Entry,
    ) {
    }
    /// Ctrl-C in its terminal.
    fn interrupt(&mut self, sys: &mut Sys<'_, '_, '_>);
    /// Its next deadline.
    fn poll_timeout(&self) -> Option<Instant> {
        None
    }
    /// True once it has detached from the terminal (a daemon).
    fn detached(&self) -> bool {
        false
    }
    /// Itself, to be told apart from other programs (`dhclient -r` finds the running
    /// dhclient; a test reads a program's counters).
    fn as_any(&self) -> &dyn std::any::Any;
    /// Itself, mutably.
    fn as_any_mut(&mut self) -> &mut dyn std::any::Any;
}

/// A running program, as a namespace holds it.
pub type Process = Box<dyn Program>;

/// Implements [`Program::as_any`] and [`Program::as_any_mut`].
macro_rules! any_program {
    () => {
        fn as_any(&self) -> &dyn std::any::Any {
            self
        }
        fn as_any_mut(&mut self) -> &mut dyn std::any::Any {
            self
        }
    };
}
pub(crate) use any_program;

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
    /// Opens a socket of the namespace's table; it closes when the program exits.
    pub fn socket(&mut self, kind: SocketKind) -> SocketId {
        self.ns.socks.open(self.pid, kind)
    }
    /// Closes a socket.
    pub fn close(&mut self, id: SocketId) {
        self.ns.socks.close(id);
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
