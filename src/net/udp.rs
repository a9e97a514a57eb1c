//! `UdpSocket`, as `tokio::net::UdpSocket`: bind, connect, send/recv, send_to/recv_from,
//! addresses, TTL — on a namespace's simulated stack in virtual time, or a real socket in
//! a lab on the kernel.

use super::{Ctx, Place, ToSocketAddrs, io_error};
use sim_nodes::sys::SocketId;
use std::cell::{Cell, RefCell};
use std::future::poll_fn;
use std::io;
use std::net::SocketAddr;
use std::task::Poll;

/// A UDP socket of a lab's host. Its methods are `tokio::net::UdpSocket`'s.
///
/// ```
/// use nslab::{Lab, net::UdpSocket};
///
/// let mut lab = Lab::builder().netns("a").netns("b").veth(("a", "va"), ("b", "vb"))
///     .addr("a", "va", "10.0.0.1/24").addr("b", "vb", "10.0.0.2/24").build()?;
/// let echo = lab.spawn("b", async {
///     let sock = UdpSocket::bind("10.0.0.2:7").await?;
///     let mut buf = [0; 64];
///     let (n, from) = sock.recv_from(&mut buf).await?;
///     sock.send_to(&buf[..n], from).await
/// })?;
/// let client = lab.spawn("a", async {
///     let sock = UdpSocket::bind("0.0.0.0:5000").await?;
///     sock.connect("10.0.0.2:7").await?;
///     sock.send(b"hi").await?;
///     let mut buf = [0; 64];
///     let n = sock.recv(&mut buf).await?;
///     Ok::<_, std::io::Error>((buf[..n].to_vec(), sock.local_addr()?))
/// })?;
/// let (reply, local) = lab.block_on(client)?.unwrap()?;
/// assert_eq!((reply.as_slice(), local.to_string().as_str()), (&b"hi"[..], "0.0.0.0:5000"));
/// assert_eq!(lab.block_on(echo)?.unwrap()?, 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// In the sim it is a socket of the namespace's simulated stack; in a lab on the kernel
/// ([`crate::Lab::kernel_from_script`]) it is a real `tokio::net::UdpSocket` opened inside
/// the namespace.
#[derive(Debug)]
pub struct UdpSocket(Udp);

#[derive(Debug)]
enum Udp {
    Sim(SimUdp),
    #[cfg(feature = "kernel")]
    Kernel(tokio::net::UdpSocket),
}

impl UdpSocket {
    /// Binds a socket to `addr` (`0.0.0.0:0`: any address, an ephemeral port), in the
    /// namespace of the calling future.
    pub async fn bind<A: ToSocketAddrs>(addr: A) -> io::Result<UdpSocket> {
        let addr = addr.to_addr()?;
        Ok(UdpSocket(match Place::current()? {
            Place::Sim(ctx) => Udp::Sim(SimUdp::bind(ctx, addr)?),
            #[cfg(feature = "kernel")]
            Place::Kernel(ns) => Udp::Kernel(super::kernel::udp_bind(&ns, addr)?),
        }))
    }

    /// The address it is bound to.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        match &self.0 {
            Udp::Sim(s) => Ok(s.local),
            #[cfg(feature = "kernel")]
            Udp::Kernel(s) => s.local_addr(),
        }
    }

    /// The address it is connected to.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        match &self.0 {
            Udp::Sim(s) => s.peer.get().ok_or_else(|| io::Error::from(io::ErrorKind::NotConnected)),
            #[cfg(feature = "kernel")]
            Udp::Kernel(s) => s.peer_addr(),
        }
    }

    /// Connects it to `addr`: `send` goes there, and only what comes from there is received.
    pub async fn connect<A: ToSocketAddrs>(&self, addr: A) -> io::Result<()> {
        let addr = addr.to_addr()?;
        match &self.0 {
            Udp::Sim(s) => s.connect(addr),
            #[cfg(feature = "kernel")]
            Udp::Kernel(s) => s.connect(addr).await,
        }
    }

    /// Sends to the connected peer.
    pub async fn send(&self, buf: &[u8]) -> io::Result<usize> {
        match &self.0 {
            Udp::Sim(s) => {
                let peer = s.peer.get().ok_or_else(|| io::Error::from(io::ErrorKind::NotConnected))?;
                s.send_to(buf, peer)
            }
            #[cfg(feature = "kernel")]
            Udp::Kernel(s) => s.send(buf).await,
        }
    }

    /// Sends to `target`.
    pub async fn send_to<A: ToSocketAddrs>(&self, buf: &[u8], target: A) -> io::Result<usize> {
        let target = target.to_addr()?;
        match &self.0 {
            Udp::Sim(s) => s.send_to(buf, target),
            #[cfg(feature = "kernel")]
            Udp::Kernel(s) => s.send_to(buf, target).await,
        }
    }

    /// Receives a datagram from the connected peer into `buf` (the rest of a longer one is
    /// lost, as on Linux): its length.
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        match &self.0 {
            Udp::Sim(s) => {
                if s.peer.get().is_none() {
                    return Err(io::Error::from(io::ErrorKind::NotConnected));
                }
                s.recv_from(buf).await.map(|(n, _)| n)
            }
            #[cfg(feature = "kernel")]
            Udp::Kernel(s) => s.recv(buf).await,
        }
    }

    /// Receives a datagram into `buf` (the rest of a longer one is lost, as on Linux): its
    /// length and where it came from.
    pub async fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        match &self.0 {
            Udp::Sim(s) => s.recv_from(buf).await,
            #[cfg(feature = "kernel")]
            Udp::Kernel(s) => s.recv_from(buf).await,
        }
    }

    /// Sets the TTL of what it sends (`IP_TTL`).
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        match &self.0 {
            Udp::Sim(s) => s.set_ttl(ttl),
            #[cfg(feature = "kernel")]
            Udp::Kernel(s) => s.set_ttl(ttl),
        }
    }
}

/// A socket of the simulated stack.
struct SimUdp {
    ctx: Ctx,
    id: SocketId,
    local: SocketAddr,
    peer: Cell<Option<SocketAddr>>,
    /// The datagram being read (kept: nothing is allocated per datagram).
    buf: RefCell<Vec<u8>>,
}

impl std::fmt::Debug for SimUdp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UdpSocket").field("local", &self.local).field("peer", &self.peer.get()).finish()
    }
}

impl SimUdp {
    fn bind(ctx: Ctx, addr: SocketAddr) -> io::Result<SimUdp> {
        let (id, local) = ctx
            .sys(|sys| {
                let id = sys.udp_bind(addr)?;
                Ok::<_, sim_nodes::sys::Errno>((id, sys.udp_local(id).unwrap_or(addr)))
            })?
            .map_err(io_error)?;
        Ok(SimUdp { ctx, id, local, peer: Cell::new(None), buf: RefCell::new(Vec::with_capacity(65536)) })
    }

    fn connect(&self, addr: SocketAddr) -> io::Result<()> {
        // connect(2) looks the route up at once: an unreachable peer fails here (an
        // address of the other family too, as sendto(2) would).
        let v6 = self.local.is_ipv6();
        self.ctx
            .sys(|sys| match (addr, v6) {
                (SocketAddr::V4(a), false) => sys.route(*a.ip(), None, None).map(|_| ()),
                (SocketAddr::V6(a), true) => sys.route6(*a.ip(), None).map(|_| ()),
                (SocketAddr::V6(_), false) => Err(sim_nodes::sys::Errno::AfNoSupport),
                (SocketAddr::V4(_), true) => Err(sim_nodes::sys::Errno::NetUnreach),
            })?
            .map_err(io_error)?;
        self.ctx.sys(|sys| sys.udp_connect(self.id, addr))?;
        self.peer.set(Some(addr));
        Ok(())
    }

    fn send_to(&self, buf: &[u8], to: SocketAddr) -> io::Result<usize> {
        let id = self.id;
        let connected = self.peer.get().is_some();
        self.ctx
            .sys(|sys| {
                // A connected socket reports the ICMP error an earlier datagram met.
                if connected && sys.take_refused(id) {
                    return Err(io::Error::from(io::ErrorKind::ConnectionRefused));
                }
                sys.udp_send(id, to, buf).map_err(io_error)
            })?
            .map(|()| buf.len())
    }

    async fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        let id = self.id;
        let connected = self.peer.get().is_some();
        poll_fn(|cx| {
            match self.ctx.nothing_new(id) {
                Err(e) => return Poll::Ready(Err(e)),
                Ok(true) => {
                    self.ctx.wait(id, cx.waker());
                    return Poll::Pending;
                }
                Ok(false) => {}
            }
            let mut held = self.buf.borrow_mut();
            let news = self.ctx.news(id);
            let got = self.ctx.sys(|sys| {
                if connected && sys.take_refused(id) {
                    return Err(io::Error::from(io::ErrorKind::ConnectionRefused));
                }
                let from = sys.udp_recv_into(id, &mut held);
                Ok(from.map(|f| (f, sys.udp_readable(id))))
            });
            match got {
                Err(e) | Ok(Err(e)) => Poll::Ready(Err(e)),
                Ok(Ok(Some((from, more)))) => {
                    if !more {
                        // The next read finds nothing until the stack tells news.
                        self.ctx.quiet(id, news);
                    }
                    let n = held.len().min(buf.len());
                    buf[..n].copy_from_slice(&held[..n]);
                    Poll::Ready(Ok((n, from)))
                }
                Ok(Ok(None)) => {
                    self.ctx.wait_quiet(id, cx.waker(), news);
                    Poll::Pending
                }
            }
        })
        .await
    }

    fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        let ttl =
            u8::try_from(ttl).ok().filter(|t| *t > 0).ok_or_else(|| io::Error::from(io::ErrorKind::InvalidInput))?;
        self.ctx.sys(|sys| sys.udp_set_ttl(self.id, Some(ttl)))?.map_err(io_error)
    }
}

impl Drop for SimUdp {
    fn drop(&mut self) {
        self.ctx.forget(self.id);
        let id = self.id;
        self.ctx.close(|sys| sys.udp_close(id));
    }
}
