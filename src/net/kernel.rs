//! Real sockets for a lab on the kernel: each made on a short-lived thread inside the
//! host's namespace (a socket belongs to the namespace of the thread that creates it),
//! then handed to the lab's tokio runtime on the calling thread.
//!
//! It owns nothing; it must not enter a namespace but through
//! `kernel_backend::netns::within`, so the calling thread never leaves the machine's.

use std::io;
use std::net::SocketAddr;

/// Runs `f` on a thread inside the kernel's namespace `ns`.
fn inside<T: Send + 'static>(ns: &str, f: impl FnOnce() -> io::Result<T> + Send + 'static) -> io::Result<T> {
    kernel_backend::netns::within(ns, f).map_err(|e| io::Error::other(e.to_string()))?
}

/// A UDP socket of namespace `ns`, bound to `addr`; an IPv6 one hearing IPv4 too
/// (`IPV6_V6ONLY` off, whatever `net.ipv6.bindv6only` says), as the sim's do.
pub(crate) fn udp_bind(ns: &str, addr: SocketAddr) -> io::Result<tokio::net::UdpSocket> {
    let std = inside(ns, move || {
        let s = socket2::Socket::new(socket2::Domain::for_address(addr), socket2::Type::DGRAM, None)?;
        if addr.is_ipv6() {
            s.set_only_v6(false)?;
        }
        s.bind(&addr.into())?;
        Ok(std::net::UdpSocket::from(s))
    })?;
    std.set_nonblocking(true)?;
    tokio::net::UdpSocket::from_std(std)
}

/// A TCP listener of namespace `ns` on `addr`, made as `tokio::net::TcpListener::bind`
/// makes one (`SO_REUSEADDR`, then listen with `backlog`).
pub(crate) fn tcp_listen(ns: &str, addr: SocketAddr, backlog: u32) -> io::Result<tokio::net::TcpListener> {
    let sock = inside(ns, move || {
        let s = tcp_socket(addr)?;
        s.set_reuseaddr(true)?;
        s.bind(addr)?;
        Ok(s)
    })?;
    sock.listen(backlog)
}

/// A TCP socket of `addr`'s family.
fn tcp_socket(addr: SocketAddr) -> io::Result<tokio::net::TcpSocket> {
    if addr.is_ipv4() { tokio::net::TcpSocket::new_v4() } else { tokio::net::TcpSocket::new_v6() }
}

/// A TCP connection from namespace `ns` to `addr`.
pub(crate) async fn tcp_connect(ns: &str, addr: SocketAddr) -> io::Result<tokio::net::TcpStream> {
    let sock = inside(ns, move || tcp_socket(addr))?;
    sock.connect(addr).await
}
