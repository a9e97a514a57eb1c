//! The built-in programs, one module each: ping, traceroute, tcpdump, dnsmasq, dhclient,
//! radvd, `conntrack -E`, nc, curl and `python3 -m http.server`. Each implements
//! [`crate::sys::Program`] and sees the stack only through [`crate::sys::Sys`]; none
//! imports the namespace's internals. ping and traceroute use raw ICMP sockets as in Linux,
//! dnsmasq a UDP socket on our L3 plus `SIOCSARP`, dhclient a packet socket; nc, curl and
//! the HTTP server use TCP sockets (smoltcp behind the socket table) and UDP sockets. DHCP messages
//! themselves are parsed and built with `smoltcp::wire`.

pub mod arping;
pub mod conntrack;
pub mod dhcp;
pub mod http;
pub mod nc;
pub mod ping;
pub mod radvd;
pub mod ss;
pub mod tcpdump;
pub mod traceroute;

pub(crate) use crate::any_program;
pub use crate::sys::{Meta, Process, Program, SocketId, SocketKind, Sys};
pub use conntrack::ConntrackEvents;
pub use dhcp::dhclient::{Dhclient, DhclientArgs};
pub use dhcp::dnsmasq::{Dnsmasq, DnsmasqArgs};
pub use http::{Curl, CurlArgs, HttpServer, HttpServerArgs};
pub use nc::{Nc, NcArgs};
pub use ping::{Bind, Ping, PingArgs};
pub use tcpdump::Tcpdump;
pub use traceroute::{Traceroute, TracerouteArgs};

use std::net::Ipv4Addr;

/// An ICMP message read from a raw socket, with its IP header's fields.
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

/// An ICMPv6 message a raw ICMPv6 socket read, with its IPv6 header's fields.
#[derive(Debug)]
pub struct Icmp6In<'a> {
    /// The interface it came in on.
    pub in_if: u32,
    /// Source.
    pub src: std::net::Ipv6Addr,
    /// Hop limit.
    pub hlim: u8,
    /// The ICMPv6 message.
    pub icmp: &'a [u8],
}

/// Reads every message waiting on raw ICMPv6 socket `sock` into `buf`, each to `f`.
pub(crate) fn each_icmp6(
    sys: &mut Sys<'_, '_, '_>,
    sock: SocketId,
    buf: &mut Vec<u8>,
    mut f: impl FnMut(&mut Sys<'_, '_, '_>, &Icmp6In<'_>),
) {
    while let Some(m) = sys.recv(sock, buf) {
        if let Meta::Icmp6 { in_if, src, hlim, .. } = m {
            f(sys, &Icmp6In { in_if, src, hlim, icmp: buf });
        }
    }
}

/// Reads every packet waiting on raw ICMP socket `sock` into `buf` and hands each to `f`.
pub(crate) fn each_icmp(
    sys: &mut Sys<'_, '_, '_>,
    sock: SocketId,
    buf: &mut Vec<u8>,
    mut f: impl FnMut(&mut Sys<'_, '_, '_>, &IcmpIn<'_>),
) {
    while let Some(m) = sys.recv(sock, buf) {
        if let Meta::Icmp { src, dst, ttl } = m {
            f(sys, &IcmpIn { src, dst, ttl, icmp: buf });
        }
    }
}
