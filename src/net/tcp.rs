//! `TcpListener` and `TcpStream`, as `tokio::net`'s: bind/accept, connect, addresses, and
//! tokio's `AsyncRead`/`AsyncWrite` on a stream (so `AsyncReadExt`, `AsyncWriteExt` and
//! `tokio::io::split` work) — over IPv4 and IPv6, on a namespace's simulated stack
//! (smoltcp's TCP) in virtual time, or real sockets in a lab on the kernel.

use super::{Ctx, Place, ToSocketAddrs, io_error};
use sim_nodes::sys::{SocketId, TcpState};
use std::cell::RefCell;
use std::future::poll_fn;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// The backlog tokio's `TcpListener::bind` asks for.
const BACKLOG: u32 = 1024;

/// How many connection attempts a listener holds before `accept` takes them: its
/// listening sockets (smoltcp's listening socket becomes the connection it takes). Linux
/// holds up to the backlog; past this many at once, an attempt is refused.
const POOL: usize = 16;

/// A listening TCP socket of a lab's host. Its methods are `tokio::net::TcpListener`'s.
///
/// In the sim it is a pool of listening sockets of the namespace's simulated stack; in a
/// lab on the kernel it is a real `tokio::net::TcpListener` opened inside the namespace.
#[derive(Debug)]
pub struct TcpListener(Listener);

#[derive(Debug)]
enum Listener {
    Sim(SimListener),
    #[cfg(feature = "kernel")]
    Kernel(tokio::net::TcpListener),
}

impl TcpListener {
    /// Listens on `addr` (an address of the namespace, `0.0.0.0`, or `::` — which takes
    /// IPv4 too, as a Linux socket does by default), in the namespace of the calling
    /// future.
    pub async fn bind<A: ToSocketAddrs>(addr: A) -> io::Result<TcpListener> {
        let addr = addr.to_addr()?;
        Ok(TcpListener(match Place::current()? {
            Place::Sim(ctx) => Listener::Sim(SimListener::bind(ctx, addr)?),
            #[cfg(feature = "kernel")]
            Place::Kernel(ns) => Listener::Kernel(super::kernel::tcp_listen(&ns, addr, BACKLOG)?),
        }))
    }

    /// The next connection, and where it comes from.
    pub async fn accept(&self) -> io::Result<(TcpStream, SocketAddr)> {
        match &self.0 {
            Listener::Sim(l) => l.accept().await.map(|(s, a)| (TcpStream(Stream::Sim(s)), a)),
            #[cfg(feature = "kernel")]
            Listener::Kernel(l) => l.accept().await.map(|(s, a)| (TcpStream(Stream::Kernel(s)), a)),
        }
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        match &self.0 {
            Listener::Sim(l) => Ok(l.local),
            #[cfg(feature = "kernel")]
            Listener::Kernel(l) => l.local_addr(),
        }
    }
}

/// Listening sockets of the simulated stack.
struct SimListener {
    ctx: Ctx,
    /// Its listening sockets (each accepted connection takes the one it came on).
    pool: RefCell<Vec<SocketId>>,
    local: SocketAddr,
}

impl std::fmt::Debug for SimListener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TcpListener").field("local", &self.local).finish()
    }
}

impl SimListener {
    fn bind(ctx: Ctx, addr: SocketAddr) -> io::Result<SimListener> {
        if addr.port() == 0 {
            return Err(io::Error::new(io::ErrorKind::Unsupported, "not supported yet: listening on port 0"));
        }
        let bind = Some(addr.ip());
        let first = ctx.sys(|sys| sys.tcp_listen_on(bind, addr.port(), BACKLOG, false))?.map_err(io_error)?;
        let listener = SimListener { ctx, pool: RefCell::new(vec![first]), local: addr };
        for _ in 1..POOL {
            let more = listener.listen_more()?;
            listener.pool.borrow_mut().push(more);
        }
        Ok(listener)
    }

    /// One more listening socket on the listener's address.
    fn listen_more(&self) -> io::Result<SocketId> {
        let bind = Some(self.local.ip());
        let port = self.local.port();
        self.ctx.sys(|sys| sys.tcp_listen_more(bind, port, BACKLOG))?.map_err(io_error)
    }

    async fn accept(&self) -> io::Result<(SimStream, SocketAddr)> {
        poll_fn(|cx| {
            // One call to the stack for the whole pool's states.
            let ids: Vec<SocketId> = self.pool.borrow().clone();
            let news: Vec<u64> = ids.iter().map(|id| self.ctx.news(*id)).collect();
            let states = self.ctx.sys(|sys| ids.iter().map(|id| sys.tcp_state(*id)).collect::<Vec<_>>())?;
            for (k, ((id, (state, peer)), news)) in ids.into_iter().zip(states).zip(news).enumerate() {
                match (state, peer) {
                    (TcpState::Established | TcpState::PeerClosed, Some(peer)) => {
                        // The connection keeps the socket it came on; another listens.
                        let next = self.listen_more()?;
                        self.pool.borrow_mut()[k] = next;
                        let local = self.ctx.sys(|sys| sys.tcp_local(id))?;
                        let stream = SimStream { ctx: self.ctx.clone(), id, local: local.unwrap_or(self.local), peer };
                        return Poll::Ready(Ok((stream, peer)));
                    }
                    (TcpState::Closed, _) => {
                        // A connection reset before it was accepted: listen again.
                        self.ctx.forget(id);
                        self.ctx.sys(|sys| {
                            sys.tcp_close(id);
                            sys.tcp_release(id);
                        })?;
                        let next = self.listen_more()?;
                        self.pool.borrow_mut()[k] = next;
                        // A new socket: any news of it came during `listen_more`.
                        self.ctx.wait_since(next, cx.waker(), 0);
                    }
                    _ => self.ctx.wait_since(id, cx.waker(), news),
                }
            }
            Poll::Pending
        })
        .await
    }
}

impl Drop for SimListener {
    fn drop(&mut self) {
        for id in self.pool.borrow().iter().copied() {
            self.ctx.forget(id);
            self.ctx.close(|sys| {
                sys.tcp_close(id);
                sys.tcp_release(id);
            });
        }
    }
}

/// A TCP connection of a lab's host. Its methods are `tokio::net::TcpStream`'s; it is
/// tokio's `AsyncRead` and `AsyncWrite`.
///
/// ```
/// use nslab::{Lab, net::{TcpListener, TcpStream}};
/// use tokio::io::{AsyncReadExt, AsyncWriteExt};
///
/// let mut lab = Lab::builder().netns("a").netns("b").veth(("a", "va"), ("b", "vb"))
///     .addr("a", "va", "10.0.0.1/24").addr("b", "vb", "10.0.0.2/24").build()?;
/// lab.spawn("b", async {
///     let listener = TcpListener::bind("0.0.0.0:80").await?;
///     let (mut conn, from) = listener.accept().await?;
///     conn.write_all(format!("hello, {}", from.ip()).as_bytes()).await
/// })?;
/// let get = lab.spawn("a", async {
///     let mut conn = TcpStream::connect("10.0.0.2:80").await?;
///     let mut text = String::new();
///     conn.read_to_string(&mut text).await?; // until the server's end drops
///     Ok::<_, std::io::Error>(text)
/// })?;
/// assert_eq!(lab.block_on(get)?.unwrap()?, "hello, 10.0.0.1");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// In the sim it is a socket of the namespace's simulated stack; in a lab on the kernel it
/// is a real `tokio::net::TcpStream` whose socket was made inside the namespace.
#[derive(Debug)]
pub struct TcpStream(Stream);

#[derive(Debug)]
enum Stream {
    Sim(SimStream),
    #[cfg(feature = "kernel")]
    Kernel(tokio::net::TcpStream),
}

impl TcpStream {
    /// Connects to `addr` from the namespace of the calling future: done once the
    /// handshake is (`ConnectionRefused` on a reset).
    pub async fn connect<A: ToSocketAddrs>(addr: A) -> io::Result<TcpStream> {
        let addr = addr.to_addr()?;
        Ok(TcpStream(match Place::current()? {
            Place::Sim(ctx) => Stream::Sim(SimStream::connect(ctx, addr).await?),
            #[cfg(feature = "kernel")]
            Place::Kernel(ns) => Stream::Kernel(super::kernel::tcp_connect(&ns, addr).await?),
        }))
    }

    /// The address of this end.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        match &self.0 {
            Stream::Sim(s) => Ok(s.local),
            #[cfg(feature = "kernel")]
            Stream::Kernel(s) => s.local_addr(),
        }
    }

    /// The address of the other end (`NotConnected` once the connection is closed, as
    /// getpeername(2) says of a socket in `TCP_CLOSE`, time-wait included).
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        match &self.0 {
            Stream::Sim(s) => match s.ctx.sys(|sys| sys.tcp_state(s.id).0)? {
                TcpState::Closed => Err(io::Error::from(io::ErrorKind::NotConnected)),
                _ => Ok(s.peer),
            },
            #[cfg(feature = "kernel")]
            Stream::Kernel(s) => s.peer_addr(),
        }
    }
}

impl AsyncRead for TcpStream {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        match &mut self.get_mut().0 {
            Stream::Sim(s) => Pin::new(s).poll_read(cx, buf),
            #[cfg(feature = "kernel")]
            Stream::Kernel(s) => Pin::new(s).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for TcpStream {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        match &mut self.get_mut().0 {
            Stream::Sim(s) => Pin::new(s).poll_write(cx, buf),
            #[cfg(feature = "kernel")]
            Stream::Kernel(s) => Pin::new(s).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match &mut self.get_mut().0 {
            Stream::Sim(s) => Pin::new(s).poll_flush(cx),
            #[cfg(feature = "kernel")]
            Stream::Kernel(s) => Pin::new(s).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match &mut self.get_mut().0 {
            Stream::Sim(s) => Pin::new(s).poll_shutdown(cx),
            #[cfg(feature = "kernel")]
            Stream::Kernel(s) => Pin::new(s).poll_shutdown(cx),
        }
    }
}

/// A connection of the simulated stack.
struct SimStream {
    ctx: Ctx,
    id: SocketId,
    local: SocketAddr,
    peer: SocketAddr,
}

impl std::fmt::Debug for SimStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TcpStream").field("local", &self.local).field("peer", &self.peer).finish()
    }
}

impl SimStream {
    async fn connect(ctx: Ctx, addr: SocketAddr) -> io::Result<SimStream> {
        let id = ctx.sys(|sys| sys.tcp_connect(addr.ip(), addr.port(), None))?.map_err(io_error)?;
        let mut stream = SimStream { ctx, id, local: SocketAddr::new(Ipv4Addr::UNSPECIFIED.into(), 0), peer: addr };
        poll_fn(|cx| {
            let news = stream.ctx.news(id);
            match stream.ctx.sys(|sys| sys.tcp_state(id).0)? {
                TcpState::Connecting => {
                    stream.ctx.wait_since(id, cx.waker(), news);
                    Poll::Pending
                }
                TcpState::Closed => Poll::Ready(Err(io::Error::from(io::ErrorKind::ConnectionRefused))),
                _ => Poll::Ready(Ok(())),
            }
        })
        .await?;
        if let Some(local) = stream.ctx.sys(|sys| sys.tcp_local(id))? {
            stream.local = local;
        }
        Ok(stream)
    }
}

impl AsyncRead for SimStream {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let id = self.id;
        let news = self.ctx.news(id);
        let (n, state) = self.ctx.sys(|sys| {
            let n = sys.tcp_read(id, buf.initialize_unfilled());
            (n, sys.tcp_state(id).0)
        })?;
        if n > 0 {
            buf.advance(n);
            return Poll::Ready(Ok(()));
        }
        match state {
            // The peer closed its side and everything is read: the end.
            TcpState::PeerClosed | TcpState::Closed => Poll::Ready(Ok(())),
            _ => {
                self.ctx.wait_since(id, cx.waker(), news);
                Poll::Pending
            }
        }
    }
}

impl AsyncWrite for SimStream {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        if buf.is_empty() {
            return Poll::Ready(Ok(0));
        }
        let id = self.id;
        let news = self.ctx.news(id);
        let (n, state) = self.ctx.sys(|sys| {
            let n = sys.tcp_send(id, buf);
            (n, sys.tcp_state(id).0)
        })?;
        if n > 0 {
            return Poll::Ready(Ok(n));
        }
        match state {
            TcpState::Closed => Poll::Ready(Err(io::Error::from(io::ErrorKind::BrokenPipe))),
            _ => {
                // The send buffer is full: wait for the peer's acknowledgements.
                self.ctx.wait_since(id, cx.waker(), news);
                Poll::Pending
            }
        }
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        // What `poll_write` took is the stack's, as after write(2).
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        let id = self.id;
        self.ctx.sys(|sys| sys.tcp_close(id))?;
        Poll::Ready(Ok(()))
    }
}

impl Drop for SimStream {
    fn drop(&mut self) {
        let id = self.id;
        self.ctx.forget(id);
        self.ctx.close(|sys| {
            sys.tcp_close(id);
            sys.tcp_release(id);
        });
    }
}
