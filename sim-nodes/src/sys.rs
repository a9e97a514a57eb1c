//! The boundary between the stack and the programs on it: [`Program`], the trait each
//! program implements, and [`Sys`], the system calls it makes.
//!
//! A program is a sans-IO state machine (as quinn's protocol state is): the namespace calls
//! `start`, then `on_ready(socket)` when one of its sockets has news, `on_timeout` when its
//! deadline ([`Program::poll_timeout`]) comes, `on_input` for a line typed into its
//! terminal and `interrupt` for Ctrl-C. It answers only through [`Sys`]: open, bind,
//! connect, send, receive and close sockets; ask for addresses, routes and neighbours as
//! `ip` would; print; exit; read the clock and its random stream.
//!
//! Nothing re-enters: the namespace calls a program only from its own entry points, after
//! the stack has done its work — the stack puts what it delivers on the sockets' receive
//! queues and marks them ready; [`crate::netns::Netns`] then calls the owners of ready
//! sockets. What a program sends goes out through the stack at once (the stack calls no
//! program while doing so; a TCP socket's data leaves in smoltcp's next round).
//!
//! This module owns the surface only. It names no `Netns` internals, `Context`, interface
//! struct or smoltcp type in its public API; the built-in tools (`crate::proc`) and code
//! outside the crate see nothing else of the stack.

use crate::netns::{Netns, RouteSpec};
use sim_core::rng::NodeRng;
use sim_core::{CaptureId, Context, Instant, MacAddr, PortId, Stream};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

pub use crate::netns::socktab::{Meta, RCVBUF_PACKETS, SocketId, SocketKind};
pub use crate::netns::{Errno, OutSpec, Pmtudisc, RouteOut, SocketInfo, TcpState};
use crate::netns::{ListenCheck, ListenSpec};

/// A program running on a host. See the module documentation for when each call comes.
///
/// A sans-IO program of your own: it prints a line a second, three times, then exits.
///
/// ```
/// use sim_core::{Duration, Instant, Record};
/// use sim_nodes::sys::{Program, Sys};
///
/// #[derive(Debug, Default)]
/// struct Ticker { ticks: u32, next: Option<Instant> }
///
/// impl Program for Ticker {
///     fn name(&self) -> &'static str { "ticker" }
///     fn start(&mut self, sys: &mut Sys<'_, '_, '_>) {
///         self.next = Some(sys.now() + Duration::from_secs(1));
///     }
///     fn on_timeout(&mut self, sys: &mut Sys<'_, '_, '_>) {
///         self.ticks += 1;
///         sys.stdout(format!("tick {}", self.ticks));
///         self.next = Some(sys.now() + Duration::from_secs(1));
///         if self.ticks == 3 {
///             sys.exit(0);
///             self.next = None;
///         }
///     }
///     fn interrupt(&mut self, sys: &mut Sys<'_, '_, '_>) { sys.exit(130) } // Ctrl-C
///     fn poll_timeout(&self) -> Option<Instant> { self.next }
///     sim_nodes::any_program!();
/// }
///
/// let mut lab = sim_nodes::Lab::new(1);
/// lab.netns_add("a").unwrap();
/// let a = lab.ns(Some("a")).unwrap();
/// let job = lab.spawn(a, Box::new(Ticker::default()));
/// lab.world_mut().run_until(Instant::ZERO + Duration::from_secs(10)).unwrap();
/// assert!(!lab.is_running(job));
/// let printed: Vec<&str> = lab.world().trace().records().iter().filter_map(|r| match r {
///     Record::Output { pid, line, .. } if *pid == job.pid => Some(line.as_str()),
///     _ => None,
/// }).collect();
/// assert_eq!(printed, ["tick 1", "tick 2", "tick 3"]);
/// ```
pub trait Program: std::fmt::Debug + std::any::Any {
    /// The program's name, as a shell job shows it (`ping`, `nc`).
    fn name(&self) -> &'static str;
    /// Starts it.
    fn start(&mut self, sys: &mut Sys<'_, '_, '_>);
    /// Socket `sock` has news: packets on its receive queue ([`Sys::recv`]), or — for a
    /// TCP or UDP socket — data, a connection or a close.
    fn on_ready(&mut self, _sys: &mut Sys<'_, '_, '_>, _sock: SocketId) {}
    /// Its deadline ([`Program::poll_timeout`]) has come.
    fn on_timeout(&mut self, _sys: &mut Sys<'_, '_, '_>) {}
    /// A line typed into its terminal.
    fn on_input(&mut self, _sys: &mut Sys<'_, '_, '_>, _line: &str) {}
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

/// Why a program's arguments were refused, as its own usage error would say it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArgError {
    /// What is wrong.
    pub message: String,
    /// The word it is about, if one is.
    pub word: Option<String>,
    /// How to fix it.
    pub hint: Option<String>,
}

impl ArgError {
    /// An error about `word`.
    pub fn at(word: &str, message: impl Into<String>) -> Self {
        ArgError { message: message.into(), word: Some(word.to_string()), hint: None }
    }
    /// An error about the command as a whole.
    pub fn new(message: impl Into<String>) -> Self {
        ArgError { message: message.into(), word: None, hint: None }
    }
    /// With a hint.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

/// How a program is made from its arguments (the words after its name) and the lines of
/// its stdin (a here-document; empty without one): what a table of programs points to, so
/// a new tool is its module plus one row.
pub type Start = fn(&[String], &[String]) -> Result<Process, ArgError>;

/// Implements [`Program::as_any`] and [`Program::as_any_mut`] inside an `impl Program`
/// block: `sim_nodes::any_program!();` (through the facade, `nslab::sim_nodes::any_program!();`).
#[macro_export]
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

/// What a program can ask of its namespace while it is being called.
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
        self.cx.output(self.ns.ns_name(), self.pid, Stream::Stdout, line.into());
    }
    /// Prints a line on stderr.
    pub fn stderr(&mut self, line: impl Into<String>) {
        self.cx.output(self.ns.ns_name(), self.pid, Stream::Stderr, line.into());
    }
    /// Ends the program with `status`.
    pub fn exit(&mut self, status: i32) {
        self.exited = Some(status);
    }
    /// This program's pid.
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// Opens a raw, packet, UDP or conntrack-event socket; it closes when the program exits.
    pub fn socket(&mut self, kind: SocketKind) -> SocketId {
        self.ns.socks.open(self.pid, crate::netns::socktab::Backing::Ours(kind))
    }
    /// Closes a socket.
    pub fn close(&mut self, id: SocketId) {
        self.ns.socks.close(id);
    }
    /// Takes the next packet of a raw, packet, UDP or conntrack-event socket into `buf`
    /// (replacing what it held; keep one buffer and nothing is allocated); what came with it.
    /// Nothing once the program has exited.
    pub fn recv(&mut self, id: SocketId, buf: &mut Vec<u8>) -> Option<Meta> {
        if self.exited.is_some() {
            return None;
        }
        self.ns.socks.recv(id, buf)
    }
    /// Counts a packet the program could not parse and drops it (the engine's drop counter,
    /// by interface).
    pub fn drop_malformed(&mut self, ifindex: u32, reason: &'static str) {
        self.cx.drop_frame(Some(PortId(ifindex)), reason);
    }

    /// Where a packet to `dst` would go (`connect()` on a datagram socket).
    pub fn route(&self, dst: Ipv4Addr, src: Option<Ipv4Addr>, oif: Option<u32>) -> Result<RouteOut, Errno> {
        self.ns.route_output(dst, src, oif)
    }
    /// The MTU of the path to `dst` (`IP_MTU`; what an `EMSGSIZE` from [`Sys::send`] with
    /// [`Pmtudisc::Do`] reports as the local error's `ee_info`).
    pub fn path_mtu(&self, dst: Ipv4Addr, src: Option<Ipv4Addr>, oif: Option<u32>) -> Option<u32> {
        let r = self.ns.route_output(dst, src, oif).ok()?;
        Some(self.ns.path_mtu(r.ifindex, dst, self.cx.now()))
    }
    /// The path MTU toward IPv6 `dst` (`IPV6_MTU` on a connected socket): the device's, or
    /// less where "packet too big" said so.
    pub fn path_mtu6(&self, dst: std::net::Ipv6Addr) -> u32 {
        self.ns.path_mtu6(dst, self.cx.now())
    }
    /// Sends an IP packet (raw `sendmsg`).
    pub fn send(&mut self, spec: &OutSpec, payload: &[u8]) -> Result<(), Errno> {
        self.ns.output(self.cx, spec, payload)
    }
    /// Sends an IPv6 packet (raw ICMPv6 `sendmsg`; the stack fills in ICMPv6's checksum).
    pub fn send6(&mut self, spec: &crate::netns::ipv6::Out6, payload: &[u8]) -> Result<(), Errno> {
        self.ns.output6(self.cx, spec, payload)
    }
    /// The device and source address IPv6 routing picks for `dst` (`connect` on an IPv6
    /// socket; `ENETUNREACH` without a route).
    pub fn route6(&self, dst: std::net::Ipv6Addr, oif: Option<u32>) -> Result<(u32, std::net::Ipv6Addr), Errno> {
        self.ns.route6_output(dst, oif)
    }
    /// True if `a` is a usable IPv6 address of this namespace.
    pub fn is_local6(&self, a: std::net::Ipv6Addr) -> bool {
        self.ns.is_local6(a)
    }
    /// The flow label this namespace's auto flow labels give `src → dst` for socket `id`.
    pub fn flow_label(&self, src: std::net::Ipv6Addr, dst: std::net::Ipv6Addr, id: u16) -> u32 {
        self.ns.flow_label(src, dst, id)
    }
    /// Sends an Ethernet payload out of `ifindex` (`sendto` on an AF_PACKET socket).
    pub fn send_frame(&mut self, ifindex: u32, dst: MacAddr, ethertype: u16, payload: &[u8]) {
        self.ns.xmit(self.cx, ifindex, dst, ethertype, payload);
    }

    /// Opens an IPv4 UDP socket on `port` (0: ephemeral), any address.
    pub fn udp_open(&mut self, port: u16) -> Result<SocketId, Errno> {
        self.ns.udp_open(self.cx, self.pid, SocketAddr::new(Ipv4Addr::UNSPECIFIED.into(), port), false)
    }
    /// Opens a UDP socket of `addr`'s family bound to it, as socket(2) and bind(2) do: the
    /// address one of this namespace's or the wildcard (`0.0.0.0`, `::`), port 0 an
    /// ephemeral one. An IPv6 socket hears IPv4 too (`::ffff:a.b.c.d`), as Linux's are.
    pub fn udp_bind(&mut self, addr: SocketAddr) -> Result<SocketId, Errno> {
        self.ns.udp_open(self.cx, self.pid, addr, false)
    }
    /// The same with `IPV6_V6ONLY` set before bind(2): IPv6 only, and its port free for
    /// IPv4 sockets.
    pub fn udp_bind_v6only(&mut self, addr: std::net::SocketAddrV6) -> Result<SocketId, Errno> {
        self.ns.udp_open(self.cx, self.pid, SocketAddr::V6(addr), true)
    }
    /// Sends a datagram to `to` (sendto(2)).
    pub fn udp_send(&mut self, id: SocketId, to: SocketAddr, data: &[u8]) -> Result<(), Errno> {
        self.ns.udp_send(self.cx, id, to, data)
    }
    /// Receives a datagram: its source and payload.
    pub fn udp_recv(&mut self, id: SocketId) -> Option<(SocketAddr, Vec<u8>)> {
        self.ns.udp_recv(id)
    }
    /// True when a datagram waits in UDP socket `id` (`poll`'s `POLLIN`).
    pub fn udp_readable(&self, id: SocketId) -> bool {
        self.ns.socks.has_queued(id)
    }
    /// Receives a datagram into `buf` (replacing what it held; nothing is allocated once
    /// `buf` is large enough): its source.
    pub fn udp_recv_into(&mut self, id: SocketId, buf: &mut Vec<u8>) -> Option<SocketAddr> {
        self.ns.udp_recv_into(id, buf)
    }
    /// Closes a UDP socket (its port is free again).
    pub fn udp_close(&mut self, id: SocketId) {
        self.ns.udp_close(id)
    }
    /// A UDP socket's local address (the wildcard when not bound to one) and port.
    pub fn udp_local(&self, id: SocketId) -> Option<SocketAddr> {
        self.ns.udp_local(id)
    }
    /// Sets a UDP socket's TTL (`IP_TTL`; `None`: the namespace's default).
    pub fn udp_set_ttl(&mut self, id: SocketId, ttl: Option<u8>) -> Result<(), Errno> {
        self.ns.udp_set_ttl(id, ttl)
    }
    /// `connect()` a UDP socket to its peer.
    pub fn udp_connect(&mut self, id: SocketId, peer: SocketAddr) {
        self.ns.udp_connect(id, peer);
    }
    /// A pending ECONNREFUSED on the socket.
    pub fn take_refused(&mut self, id: SocketId) -> bool {
        self.ns.take_refused(id)
    }
    /// Listens on a TCP port of IPv4's wildcard, `listen(fd, backlog)` (the backlog is what
    /// `ss` shows).
    pub fn tcp_listen(&mut self, port: u16, backlog: u32) -> Result<SocketId, Errno> {
        let spec = ListenSpec::new(None, port, false);
        self.ns.tcp_listen(self.cx, self.pid, spec, backlog, ListenCheck::New)
    }
    /// Listens on a TCP port at one address, or a family's wildcard (`None`: `0.0.0.0`;
    /// `::` hears IPv4 too, as an `AF_INET6` socket does unless `IPV6_V6ONLY`); `again`:
    /// the next accept of a listener whose socket just took a connection.
    pub fn tcp_listen_on(
        &mut self,
        bind: Option<IpAddr>,
        port: u16,
        backlog: u32,
        again: bool,
    ) -> Result<SocketId, Errno> {
        let check = if again { ListenCheck::Again } else { ListenCheck::New };
        self.ns.tcp_listen(self.cx, self.pid, ListenSpec::new(bind, port, false), backlog, check)
    }
    /// The same on `bind` (an IPv6 address, or `::`) with `IPV6_V6ONLY` set: IPv6 only, and
    /// IPv4's port left free.
    pub fn tcp_listen_v6only(
        &mut self,
        bind: Ipv6Addr,
        port: u16,
        backlog: u32,
        again: bool,
    ) -> Result<SocketId, Errno> {
        let check = if again { ListenCheck::Again } else { ListenCheck::New };
        let spec = ListenSpec::new(Some(IpAddr::V6(bind)), port, true);
        self.ns.tcp_listen(self.cx, self.pid, spec, backlog, check)
    }
    /// Reads what a TCP socket has received into `buf`: how many bytes (0: nothing yet, or
    /// the end — [`Sys::tcp_state`] tells which).
    pub fn tcp_read(&mut self, id: SocketId, buf: &mut [u8]) -> usize {
        self.ns.tcp_read(id, buf)
    }
    /// A TCP socket's local address and port, once it has them.
    pub fn tcp_local(&self, id: SocketId) -> Option<SocketAddr> {
        self.ns.tcp_local(id)
    }
    /// One more listening socket for a listener that holds `port` already: a connection
    /// attempt that comes while its other sockets are taken finds this one, as a
    /// listener's backlog holds it on Linux.
    pub fn tcp_listen_more(&mut self, bind: Option<IpAddr>, port: u16, backlog: u32) -> Result<SocketId, Errno> {
        self.ns.tcp_listen(self.cx, self.pid, ListenSpec::new(bind, port, false), backlog, ListenCheck::More)
    }
    /// Every socket of the namespace (`sock_diag`, as `ss` reads them).
    pub fn sockets(&self) -> Vec<SocketInfo> {
        self.ns.socket_list()
    }
    /// The name of a running program (its `comm`).
    pub fn program_name(&self, pid: u32) -> Option<&'static str> {
        if pid == self.pid {
            return None;
        }
        self.ns.procs().find(|(p, _)| **p == pid).map(|(_, p)| p.name())
    }
    /// Lets go of a TCP socket (it closes on its own).
    pub fn tcp_release(&mut self, id: SocketId) {
        self.ns.tcp_release(id);
    }
    /// Connects over TCP, from a socket of `dst`'s family.
    pub fn tcp_connect(&mut self, dst: IpAddr, dport: u16, sport: Option<u16>) -> Result<SocketId, Errno> {
        self.ns.tcp_connect(self.cx, self.pid, dst, dport, sport)
    }
    /// A TCP socket's state and peer (an IPv6 socket's IPv4 peer as `::ffff:a.b.c.d`).
    pub fn tcp_state(&self, id: SocketId) -> (TcpState, Option<SocketAddr>) {
        self.ns.tcp_state(id)
    }
    /// Queues data on a TCP socket; how much it took.
    pub fn tcp_send(&mut self, id: SocketId, data: &[u8]) -> usize {
        self.ns.tcp_send(id, data)
    }
    /// Takes what a TCP socket received.
    pub fn tcp_recv(&mut self, id: SocketId) -> Vec<u8> {
        self.ns.tcp_recv(id)
    }
    /// Appends what a TCP socket received to `buf`; how many bytes (nothing is allocated
    /// once `buf` has room).
    pub fn tcp_recv_into(&mut self, id: SocketId, buf: &mut Vec<u8>) -> usize {
        self.ns.tcp_recv_into(id, buf)
    }
    /// Bytes on a TCP socket not yet acknowledged.
    pub fn tcp_unacked(&self, id: SocketId) -> usize {
        self.ns.tcp_unacked(id)
    }
    /// Closes a TCP socket's sending side.
    pub fn tcp_close(&mut self, id: SocketId) {
        self.ns.tcp_close(id);
    }

    /// The ifindex of an interface (`if_nametoindex`).
    pub fn ifindex(&self, name: &str) -> Option<u32> {
        self.ns.iface_by_name(name).map(|i| i.ifindex)
    }
    /// An interface's name (`if_indextoname`).
    pub fn ifname(&self, ifindex: u32) -> Option<&str> {
        self.ns.iface(ifindex).map(|i| i.name.as_str())
    }
    /// An interface's MAC address (`SIOCGIFHWADDR`).
    pub fn ifmac(&self, ifindex: u32) -> Option<MacAddr> {
        self.ns.iface(ifindex).map(|i| i.mac)
    }
    /// True if an interface is up and running (`IFF_UP` and carrier).
    pub fn if_up(&self, ifindex: u32) -> bool {
        self.ns.iface(ifindex).is_some_and(|i| i.admin_up && i.carrier)
    }
    /// An interface's link-local IPv6 address, once DAD has passed (`getifaddrs`' first
    /// `fe80::`).
    pub fn link_local6(&self, ifindex: u32) -> Option<std::net::Ipv6Addr> {
        self.ns.iface(ifindex).and_then(|i| i.v6.link_local())
    }
    /// Joins an IPv6 multicast group on an interface (`IPV6_ADD_MEMBERSHIP`): the kernel
    /// reports it with MLD when it is new.
    pub fn join6(&mut self, ifindex: u32, group: std::net::Ipv6Addr) {
        self.ns.mld_join(self.cx, ifindex, group);
    }
    /// A sysctl's value as a number (`/proc/sys/…`), if the key is there.
    pub fn sysctl_num(&self, key: &str) -> Option<i64> {
        self.ns.sysctl_get(key).ok().and_then(|v| v.trim().parse().ok())
    }
    /// An interface's addresses with their prefixes, in `ip addr` order.
    pub fn ifaddrs(&self, ifindex: u32) -> impl Iterator<Item = (Ipv4Addr, u8)> + '_ {
        self.ns.iface(ifindex).into_iter().flat_map(|i| i.addrs.iter().map(|a| (a.addr, a.prefix)))
    }
    /// True if `a` is an address of this namespace (bind() would take it).
    pub fn is_local_addr(&self, a: Ipv4Addr) -> bool {
        self.ns.ifaces().any(|i| i.addrs.iter().any(|x| x.addr == a))
    }
    /// True if `a` is a broadcast address here.
    pub fn is_broadcast(&self, a: Ipv4Addr) -> bool {
        self.ns.is_broadcast(a, None)
    }
    /// `net.ipv4.ip_local_port_range`.
    pub fn local_port_range(&self) -> (u16, u16) {
        self.ns.sysctl().local_port_range()
    }
    /// Installs a neighbour entry (`SIOCSARP`, as dnsmasq's `arp_inject` does).
    pub fn neigh_inject(&mut self, ifindex: u32, ip: Ipv4Addr, mac: MacAddr) {
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
        if self.ifaddrs(ifindex).any(|a| a == (addr, prefix)) {
            self.ns.set_addr_lifetime(ifindex, addr, valid_until);
        } else {
            let _ = self.ns.addr_add(ifindex, addr, prefix, brd, valid_until);
        }
    }
    /// `ip addr flush dev IF` (its routes go with the addresses).
    pub fn addr_flush(&mut self, ifindex: u32) {
        self.ns.addr_flush(ifindex);
    }
    /// `ip route add default via GW dev IF proto boot`.
    pub fn default_route(&mut self, ifindex: u32, gw: Ipv4Addr) {
        let spec = RouteSpec {
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

    /// Asks to be called (`on_timeout`) once capture `id` stops by itself.
    pub fn watch_capture(&mut self, id: CaptureId) {
        self.ns.watch_capture(self.pid, id);
    }
    /// True while capture `id` runs.
    pub fn capture_active(&self, id: CaptureId) -> bool {
        self.cx.capture_active(id)
    }
    /// Stops a capture this program runs; how many packets it took, and how many its
    /// filter passed (see [`sim_core::capture::Capture::received`]).
    pub fn capture_stop(&mut self, id: CaptureId) -> (u64, u64) {
        let n = (self.cx.capture_count(id), self.cx.capture_received(id));
        self.cx.stop_capture(id);
        n
    }

    /// Running programs of this namespace named `name`.
    pub fn pids_of(&self, name: &str) -> Vec<u32> {
        self.ns.pids_of(name)
    }
    /// Another running program of this namespace, if it is a `T` (to read or change its
    /// state; it is not called).
    pub fn program_mut<T: Program>(&mut self, pid: u32) -> Option<&mut T> {
        self.ns.proc_mut(pid)?.as_any_mut().downcast_mut::<T>()
    }
    /// Ends another program of this namespace with `status` (`kill -KILL`: it is not
    /// called; its sockets and deadline go). A program ends itself with [`Sys::exit`].
    pub fn kill(&mut self, pid: u32, status: i32) {
        self.ns.kill(self.cx, pid, status);
    }
}
