//! Processes that run inside a namespace, and [`Sys`], the system-call surface they use.
//!
//! Each process is a sans-IO state machine: `start`, `on_timeout`, `on_icmp`, `interrupt`
//! feed it; it answers through `Sys` (send a packet, print a line, exit) and reports its
//! next deadline with `poll_timeout`. ping and traceroute use raw sockets in Linux, so they
//! live on our L3 here too, not on smoltcp.

pub mod ping;
pub mod tcpdump;
pub mod traceroute;

use crate::netns::RouteOut;
use crate::netns::{Errno, Netns, OutSpec};
use sim_core::rng::NodeRng;
use sim_core::{Context, Instant, Stream};
use std::net::Ipv4Addr;

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

/// A process.
#[derive(Debug)]
pub enum Process {
    /// iputils `ping`.
    Ping(Box<Ping>),
    /// `tcpdump`.
    Tcpdump(Tcpdump),
    /// Debian's `traceroute`.
    Traceroute(Box<Traceroute>),
}

impl Process {
    /// The program's name, as a shell job shows it.
    pub fn name(&self) -> &'static str {
        match self {
            Process::Ping(_) => "ping",
            Process::Tcpdump(_) => "tcpdump",
            Process::Traceroute(_) => "traceroute",
        }
    }
    pub(crate) fn start(&mut self, sys: &mut Sys<'_, '_, '_>) {
        match self {
            Process::Ping(p) => p.start(sys),
            Process::Tcpdump(t) => t.start(sys),
            Process::Traceroute(t) => t.start(sys),
        }
    }
    pub(crate) fn on_timeout(&mut self, sys: &mut Sys<'_, '_, '_>) {
        match self {
            Process::Ping(p) => p.on_timeout(sys),
            Process::Tcpdump(_) => {}
            Process::Traceroute(t) => t.on_timeout(sys),
        }
    }
    pub(crate) fn on_icmp(&mut self, sys: &mut Sys<'_, '_, '_>, pkt: &IcmpIn<'_>) {
        match self {
            Process::Ping(p) => p.on_icmp(sys, pkt),
            Process::Tcpdump(_) => {}
            Process::Traceroute(t) => t.on_icmp(sys, pkt),
        }
    }
    pub(crate) fn interrupt(&mut self, sys: &mut Sys<'_, '_, '_>) {
        match self {
            Process::Ping(p) => p.interrupt(sys),
            Process::Tcpdump(t) => t.interrupt(sys),
            Process::Traceroute(t) => t.interrupt(sys),
        }
    }
    /// The next deadline.
    pub fn poll_timeout(&self) -> Option<Instant> {
        match self {
            Process::Ping(p) => p.poll_timeout(),
            Process::Tcpdump(_) => None,
            Process::Traceroute(t) => t.poll_timeout(),
        }
    }
    /// True if the process has a raw ICMP socket that takes packets to `dst`.
    pub fn wants_icmp(&self, dst: Ipv4Addr) -> bool {
        match self {
            Process::Ping(p) => p.bound_src().is_none_or(|s| s == dst),
            Process::Tcpdump(_) => false,
            Process::Traceroute(_) => true,
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
}
