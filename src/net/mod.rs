//! Sockets for user code on simulated hosts, named and shaped as `tokio::net`'s: a test
//! swaps `use tokio::net::UdpSocket` for `use nslab::net::UdpSocket` and runs its code
//! inside a namespace of a [`crate::Lab`] — through that namespace's routes, iptables,
//! conntrack and NAT, bridges and ARP — in virtual time.
//!
//! A socket belongs to the namespace of the future that made it (see
//! [`crate::Lab::spawn`]). In a lab on the kernel ([`crate::Lab::kernel_from_script`],
//! feature `kernel`) each type wraps the real `tokio::net` socket, made inside the
//! namespace (`kernel.rs`); the same code runs on both. Addresses are numeric: there is no DNS in a lab, so a host name
//! is an error.
//!
//! Supported so far: [`UdpSocket`], [`TcpListener`] and [`TcpStream`] (tokio's
//! `AsyncRead`/`AsyncWrite`). A listener holds 16 connection attempts before `accept`
//! takes them (Linux holds up to the backlog; past 16 at once, an attempt is refused),
//! and `ss` shows each of its 16 listening sockets.

mod host;
#[cfg(feature = "kernel")]
mod kernel;
mod tcp;
mod udp;

pub(crate) use host::{Ctx, Host, HostProgram, Place, Wakers};
pub use tcp::{TcpListener, TcpStream};
pub use udp::UdpSocket;

use sim_nodes::sys::Errno;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

/// What can name a socket address: as `tokio::net::ToSocketAddrs`, for numeric addresses
/// (`"10.0.0.1:80"`, `"[2001:db8::1]:80"`, `(Ipv4Addr, u16)`, a `SocketAddr`).
pub trait ToSocketAddrs {
    /// The address, or why it is not one a lab takes.
    fn to_addr(&self) -> io::Result<SocketAddr>;
}

impl ToSocketAddrs for SocketAddr {
    fn to_addr(&self) -> io::Result<SocketAddr> {
        Ok(*self)
    }
}

impl ToSocketAddrs for SocketAddrV4 {
    fn to_addr(&self) -> io::Result<SocketAddr> {
        Ok(SocketAddr::V4(*self))
    }
}

impl ToSocketAddrs for SocketAddrV6 {
    fn to_addr(&self) -> io::Result<SocketAddr> {
        Ok(SocketAddr::V6(*self))
    }
}

impl ToSocketAddrs for (Ipv4Addr, u16) {
    fn to_addr(&self) -> io::Result<SocketAddr> {
        Ok(SocketAddr::new(self.0.into(), self.1))
    }
}

impl ToSocketAddrs for (Ipv6Addr, u16) {
    fn to_addr(&self) -> io::Result<SocketAddr> {
        Ok(SocketAddr::new(self.0.into(), self.1))
    }
}

impl ToSocketAddrs for (IpAddr, u16) {
    fn to_addr(&self) -> io::Result<SocketAddr> {
        Ok(SocketAddr::new(self.0, self.1))
    }
}

impl ToSocketAddrs for str {
    fn to_addr(&self) -> io::Result<SocketAddr> {
        self.parse::<SocketAddr>().map_err(|_| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{self:?}: not a numeric address:port (a lab has no DNS)"),
            )
        })
    }
}

impl ToSocketAddrs for String {
    fn to_addr(&self) -> io::Result<SocketAddr> {
        self.as_str().to_addr()
    }
}

impl<T: ToSocketAddrs + ?Sized> ToSocketAddrs for &T {
    fn to_addr(&self) -> io::Result<SocketAddr> {
        (**self).to_addr()
    }
}

/// Linux's `ENOBUFS`.
const ENOBUFS: i32 = 105;
/// Linux's `EMSGSIZE`.
const EMSGSIZE: i32 = 90;
/// Linux's `EAFNOSUPPORT`.
const EAFNOSUPPORT: i32 = 97;

/// The error the kernel's errno is to a Rust program.
pub(crate) fn io_error(e: Errno) -> io::Error {
    let kind = match e {
        // No `ErrorKind` names it: the raw errno, as a real socket's error carries it.
        Errno::NoBufs => return io::Error::from_raw_os_error(ENOBUFS),
        Errno::MsgSize => return io::Error::from_raw_os_error(EMSGSIZE),
        Errno::AfNoSupport => return io::Error::from_raw_os_error(EAFNOSUPPORT),
        Errno::NetUnreach => io::ErrorKind::NetworkUnreachable,
        Errno::HostUnreach => io::ErrorKind::HostUnreachable,
        Errno::AddrNotAvail => io::ErrorKind::AddrNotAvailable,
        Errno::AddrInUse => io::ErrorKind::AddrInUse,
        Errno::Access | Errno::Perm => io::ErrorKind::PermissionDenied,
        Errno::Inval | Errno::NoDev => io::ErrorKind::InvalidInput,
    };
    io::Error::new(kind, e.to_string())
}
