//! TCP sockets as a program sees them: listen, connect, send, receive, close, over IPv4
//! and IPv6. The connections themselves are smoltcp's (`sockets.rs` feeds it); this file
//! owns what Linux adds on top: a socket's family (`AF_INET`, `AF_INET6`, `IPV6_V6ONLY`),
//! which listener a SYN finds (`__inet_lookup_listener`'s score: a bound address before a
//! wildcard, `AF_INET` before a dual-stack socket for IPv4; a family that cannot hear it
//! is not asked, so with no listener of its family the SYN is answered with RST), the
//! port clashes of `bind` between families, and IPv4 peers of an IPv6 socket seen as
//! `::ffff:a.b.c.d`. It must not touch the namespace's routing or packets beyond asking
//! routing for a source address.

use super::socktab::{Backing, SocketId};
use super::{Errno, Netns};
use sim_core::Context;
use smoltcp::iface::SocketHandle;
use smoltcp::socket::tcp;
use smoltcp::wire::{IpAddress, IpEndpoint, IpListenEndpoint};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// How a socket is doing, as a process asks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TcpState {
    /// Connecting.
    Connecting,
    /// Connected (data may flow).
    Established,
    /// The peer closed its side.
    PeerClosed,
    /// Closed (or refused).
    Closed,
    /// Listening.
    Listening,
}

/// What a new listening TCP socket must not clash with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ListenCheck {
    /// A new listener: nothing may hold the port.
    New,
    /// The listener's next socket after its last one took a connection: no other may
    /// listen on the port.
    Again,
    /// One more socket of a listener that holds the port (its backlog): none.
    More,
}

/// A TCP socket's family.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub(crate) enum Family {
    /// `AF_INET`.
    #[default]
    V4,
    /// `AF_INET6`; `v6only`: `IPV6_V6ONLY` (else it hears IPv4 too, `bindv6only` being 0).
    V6 {
        /// `IPV6_V6ONLY`.
        v6only: bool,
    },
}

impl Family {
    /// True if a socket of this family takes a segment of IPv6 (`v6`) or IPv4.
    pub(crate) fn hears(self, v6: bool) -> bool {
        match self {
            Family::V4 => !v6,
            Family::V6 { v6only } => v6 || !v6only,
        }
    }

    /// True if two sockets of these families bound to one port clash (`inet_bind_conflict`
    /// across families: only an `IPV6_V6ONLY` socket leaves IPv4's port free).
    fn overlaps(self, other: Family) -> bool {
        (self.hears(false) && other.hears(false)) || (self.hears(true) && other.hears(true))
    }

    /// An address as a socket of this family reports it: IPv4 as `::ffff:a.b.c.d` to an
    /// IPv6 socket.
    pub(super) fn show(self, a: IpAddr) -> IpAddr {
        match (self, a) {
            (Family::V6 { .. }, IpAddr::V4(v4)) => IpAddr::V6(v4.to_ipv6_mapped()),
            _ => a,
        }
    }
}

/// A listening socket: where, and of what family.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ListenSpec {
    /// The address bound (`None`: the wildcard of the family).
    pub(crate) bind: Option<IpAddr>,
    /// The port.
    pub(crate) port: u16,
    /// The family.
    pub(crate) family: Family,
}

impl ListenSpec {
    /// What `bind(2)` of `addr` (`None`: `0.0.0.0`) makes: the family of the address, an
    /// unspecified address being the wildcard; `v6only` for an IPv6 socket with
    /// `IPV6_V6ONLY`.
    pub(crate) fn new(addr: Option<IpAddr>, port: u16, v6only: bool) -> ListenSpec {
        let family = match addr {
            Some(IpAddr::V6(_)) => Family::V6 { v6only },
            _ => Family::V4,
        };
        ListenSpec { bind: addr.filter(|a| !a.is_unspecified()), port, family }
    }
}

/// The TCP head of an IP packet smoltcp is about to take: IPv6 or not, destination,
/// destination port, flags.
fn tcp_head(p: &[u8]) -> Option<(bool, IpAddress, u16, u8)> {
    let (v6, dst, at) = match p.first()? >> 4 {
        4 if p.get(9) == Some(&6) => {
            let d: [u8; 4] = p.get(16..20)?.try_into().ok()?;
            (false, IpAddress::Ipv4(Ipv4Addr::from(d)), usize::from(p[0] & 0x0f) * 4)
        }
        6 if p.get(6) == Some(&6) => {
            let d: [u8; 16] = p.get(24..40)?.try_into().ok()?;
            (true, IpAddress::Ipv6(Ipv6Addr::from(d)), 40)
        }
        _ => return None,
    };
    let t = p.get(at..at + 14)?;
    Some((v6, dst, u16::from_be_bytes([t[2], t[3]]), t[13]))
}

impl super::sockets::L4 {
    /// Before smoltcp takes the next queued packet: if it is a SYN (no ACK, no RST) for a
    /// port with listeners, the listeners smoltcp would offer it to ahead of the one Linux
    /// picks are taken out of listening for that one packet (all of them, when none may
    /// hear it: smoltcp then answers with RST, as Linux does). [`Self::unpark`] puts them
    /// back. Nothing is allocated unless a listener has to step aside.
    pub(crate) fn park_for_front(&mut self, parked: &mut Vec<(SocketHandle, IpListenEndpoint)>) {
        const ACK_RST: u8 = 0x14;
        let Some((v6, dst, port, flags)) = self.dev.front().and_then(tcp_head) else { return };
        if flags & ACK_RST != 0 {
            return;
        }
        let takes = |t: &tcp::Socket<'_>| {
            let ep = t.listen_endpoint();
            t.state() == tcp::State::Listen && ep.port == port && ep.addr.is_none_or(|a| a == dst)
        };
        let mut best: Option<(u8, SocketHandle)> = None;
        let mut first = None;
        for (h, s) in self.sockets.iter() {
            let smoltcp::socket::Socket::Tcp(t) = s;
            if !takes(t) {
                continue;
            }
            first.get_or_insert(h);
            let family = self.family.get(&h).copied().unwrap_or_default();
            if !family.hears(v6) {
                continue;
            }
            let score = 2 * u8::from(t.listen_endpoint().addr.is_some()) + u8::from(family == Family::V4);
            if best.is_none_or(|b| score > b.0) {
                best = Some((score, h));
            }
        }
        if first.is_none() || first == best.map(|b| b.1) {
            return;
        }
        for (h, s) in self.sockets.iter_mut() {
            if Some(h) == best.map(|b| b.1) {
                break;
            }
            let smoltcp::socket::Socket::Tcp(t) = s;
            if takes(t) {
                parked.push((h, t.listen_endpoint()));
                t.abort();
            }
        }
    }

    /// The listeners [`Self::park_for_front`] set aside listen again.
    pub(crate) fn unpark(&mut self, parked: &mut Vec<(SocketHandle, IpListenEndpoint)>) {
        for (h, ep) in parked.drain(..) {
            let _ = self.sockets.get_mut::<tcp::Socket>(h).listen(ep);
        }
    }

    /// True if a TCP socket of a family that overlaps `family` holds `port`.
    pub(crate) fn tcp_port_taken(&self, port: u16, family: Option<Family>) -> bool {
        self.sockets.iter().any(|(h, s)| {
            let smoltcp::socket::Socket::Tcp(t) = s;
            let holds = t.listen_endpoint().port == port || t.local_endpoint().is_some_and(|e| e.port == port);
            holds && family.is_none_or(|f| f.overlaps(self.family.get(&h).copied().unwrap_or_default()))
        })
    }

    /// True if a socket of a family that overlaps `family` listens on `port`.
    fn listening(&self, port: u16, family: Family) -> bool {
        self.sockets.iter().any(|(h, s)| {
            let smoltcp::socket::Socket::Tcp(t) = s;
            t.state() == tcp::State::Listen
                && t.listen_endpoint().port == port
                && family.overlaps(self.family.get(&h).copied().unwrap_or_default())
        })
    }

    /// Forgets socket `h` (closed and let go).
    pub(crate) fn remove(&mut self, h: SocketHandle) {
        self.sockets.remove(h);
        self.owners.remove(&h);
        self.family.remove(&h);
    }
}

/// A new smoltcp TCP socket with Linux's behaviour where smoltcp's differs.
fn new_socket() -> tcp::Socket<'static> {
    let mut s = tcp::Socket::new(tcp::SocketBuffer::new(vec![0; 65536]), tcp::SocketBuffer::new(vec![0; 65536]));
    // Linux acknowledges a new connection's first segments at once (quickack), and
    // ncat, curl and Python send at once (TCP_NODELAY, or small single writes).
    s.set_ack_delay(None);
    s
}

impl Netns {
    /// The smoltcp socket behind entry `id`.
    fn handle(&self, id: SocketId) -> Option<SocketHandle> {
        match self.socks.get(id)?.1 {
            Backing::Tcp(h) => Some(h),
            Backing::Dgram(_) | Backing::Ours(_) => None,
        }
    }

    /// The family of TCP socket `h`.
    pub(super) fn tcp_family(&self, h: SocketHandle) -> Family {
        self.l4.as_ref().and_then(|l| l.family.get(&h).copied()).unwrap_or_default()
    }

    /// What TCP socket `id` has received, appended to `buf`; how many bytes.
    pub(crate) fn tcp_recv_into(&mut self, id: SocketId, buf: &mut Vec<u8>) -> usize {
        let Some(h) = self.handle(id) else { return 0 };
        let Some(l4) = self.l4.as_mut() else { return 0 };
        let s = l4.sockets.get_mut::<tcp::Socket>(h);
        let mut n = 0;
        while let Ok(got) = s.recv(|d| {
            buf.extend_from_slice(d);
            (d.len(), d.len())
        }) {
            if got == 0 {
                break;
            }
            n += got;
        }
        n
    }

    /// Opens a listening TCP socket.
    pub(crate) fn tcp_listen(
        &mut self,
        cx: &mut Context<'_>,
        pid: u32,
        spec: ListenSpec,
        backlog: u32,
        check: ListenCheck,
    ) -> Result<SocketId, Errno> {
        match spec.bind {
            Some(IpAddr::V4(a)) if !self.is_local(a) => return Err(Errno::AddrNotAvail),
            Some(IpAddr::V6(a)) if !self.is_local6(a) => return Err(Errno::AddrNotAvail),
            _ => {}
        }
        let l4 = self.l4_mut(cx);
        let taken = match check {
            ListenCheck::New => l4.tcp_port_taken(spec.port, Some(spec.family)),
            // The same listening socket accepting its next connection (a connected socket
            // keeps the port; only another listener would clash).
            ListenCheck::Again => l4.listening(spec.port, spec.family),
            ListenCheck::More => false,
        };
        if taken {
            return Err(Errno::AddrInUse);
        }
        let mut s = new_socket();
        let ep = IpListenEndpoint { addr: spec.bind.map(IpAddress::from), port: spec.port };
        s.listen(ep).map_err(|_| Errno::Inval)?;
        let h = l4.sockets.add(s);
        l4.owners.insert(h, pid);
        l4.family.insert(h, spec.family);
        let id = self.socks.open(pid, Backing::Tcp(h));
        self.socks.set_backlog(id, backlog);
        Ok(id)
    }

    /// The process lets go of TCP socket `h`: it finishes closing on its own, then goes.
    pub(crate) fn tcp_release(&mut self, id: SocketId) {
        if let Some(h) = self.handle(id)
            && let Some(l4) = self.l4.as_mut()
        {
            l4.owners.remove(&h);
        }
        self.socks.close(id);
    }

    /// Connects a TCP socket of `dst`'s family to `dst:dport` from an ephemeral port (or
    /// `sport`), from the source address routing picks.
    pub(crate) fn tcp_connect(
        &mut self,
        cx: &mut Context<'_>,
        pid: u32,
        dst: IpAddr,
        dport: u16,
        sport: Option<u16>,
    ) -> Result<SocketId, Errno> {
        let (src, family) = match dst {
            IpAddr::V4(d) => (IpAddr::V4(self.route_output(d, None, None)?.src), Family::V4),
            IpAddr::V6(d) => (IpAddr::V6(self.route6_output(d, None)?.1), Family::V6 { v6only: false }),
        };
        self.l4_mut(cx);
        let sport = match sport {
            Some(p) => p,
            None => self.ephemeral(cx, false).ok_or(Errno::AddrNotAvail)?,
        };
        let l4 = self.l4.as_mut().expect("made");
        let mut s = new_socket();
        s.set_nagle_enabled(false);
        let local = IpListenEndpoint { addr: Some(src.into()), port: sport };
        s.connect(l4.iface.context(), IpEndpoint::new(dst.into(), dport), local).map_err(|_| Errno::Inval)?;
        let h = l4.sockets.add(s);
        l4.owners.insert(h, pid);
        l4.family.insert(h, family);
        l4.dirty = true;
        Ok(self.socks.open(pid, Backing::Tcp(h)))
    }

    /// Reads what TCP socket `id` has received into `buf`: how many bytes.
    pub(crate) fn tcp_read(&mut self, id: SocketId, buf: &mut [u8]) -> usize {
        let Some(h) = self.handle(id) else { return 0 };
        let Some(l4) = self.l4.as_mut() else { return 0 };
        let n = l4.sockets.get_mut::<tcp::Socket>(h).recv_slice(buf).unwrap_or(0);
        if n > 0 {
            // The window opened: the peer hears of it.
            l4.dirty = true;
        }
        n
    }

    /// A TCP socket's local address and port, once it has them (an IPv6 socket's IPv4
    /// address as `::ffff:a.b.c.d`).
    pub(crate) fn tcp_local(&self, id: SocketId) -> Option<SocketAddr> {
        let h = self.handle(id)?;
        let e = self.l4.as_ref()?.sockets.get::<tcp::Socket>(h).local_endpoint()?;
        Some(SocketAddr::new(self.tcp_family(h).show(e.addr.into()), e.port))
    }

    /// How TCP socket `h` is doing, and its peer.
    pub(crate) fn tcp_state(&self, id: SocketId) -> (TcpState, Option<SocketAddr>) {
        let (Some(l4), Some(h)) = (self.l4.as_ref(), self.handle(id)) else { return (TcpState::Closed, None) };
        let s = l4.sockets.get::<tcp::Socket>(h);
        let family = self.tcp_family(h);
        let peer = s.remote_endpoint().map(|e| SocketAddr::new(family.show(e.addr.into()), e.port));
        use tcp::State as S;
        let st = match s.state() {
            S::Listen => TcpState::Listening,
            S::SynSent | S::SynReceived => TcpState::Connecting,
            S::Established | S::FinWait1 | S::FinWait2 => TcpState::Established,
            S::CloseWait | S::LastAck => TcpState::PeerClosed,
            S::Closed | S::Closing | S::TimeWait => TcpState::Closed,
        };
        (st, peer)
    }

    /// Queues data on TCP socket `h`.
    pub(crate) fn tcp_send(&mut self, id: SocketId, data: &[u8]) -> usize {
        let Some(h) = self.handle(id) else { return 0 };
        let Some(l4) = self.l4.as_mut() else { return 0 };
        let n = l4.sockets.get_mut::<tcp::Socket>(h).send_slice(data).unwrap_or(0);
        // A full buffer took nothing: nothing for smoltcp to act on (a writer that tries
        // again at each wakeup must not keep the stack polling at one instant).
        l4.dirty |= n > 0 || data.is_empty();
        n
    }

    /// What TCP socket `h` has received.
    pub(crate) fn tcp_recv(&mut self, id: SocketId) -> Vec<u8> {
        let mut out = Vec::new();
        self.tcp_recv_into(id, &mut out);
        out
    }

    /// Bytes queued on TCP socket `h` not yet acknowledged.
    pub(crate) fn tcp_unacked(&self, id: SocketId) -> usize {
        let Some(h) = self.handle(id) else { return 0 };
        self.l4.as_ref().map(|l| l.sockets.get::<tcp::Socket>(h).send_queue()).unwrap_or(0)
    }

    /// Closes TCP socket `h` (FIN).
    pub(crate) fn tcp_close(&mut self, id: SocketId) {
        let Some(h) = self.handle(id) else { return };
        if let Some(l4) = self.l4.as_mut() {
            let s = l4.sockets.get_mut::<tcp::Socket>(h);
            if s.state() == tcp::State::SynSent {
                // Linux just forgets a connection still in SYN_SENT (no RST, unlike
                // smoltcp's close); the socket is gone after this.
                l4.remove(h);
                self.socks.close(id);
                return;
            }
            s.close();
            l4.dirty = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_clash_as_linux_binds_them() {
        let v4 = Family::V4;
        let dual = Family::V6 { v6only: false };
        let only6 = Family::V6 { v6only: true };
        assert!(v4.overlaps(v4) && v4.overlaps(dual) && dual.overlaps(only6) && only6.overlaps(only6));
        assert!(!v4.overlaps(only6) && !only6.overlaps(v4));
        assert!(v4.hears(false) && !v4.hears(true));
        assert!(dual.hears(false) && dual.hears(true));
        assert!(!only6.hears(false) && only6.hears(true));
    }

    #[test]
    fn an_ipv6_socket_sees_ipv4_mapped() {
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        assert_eq!(Family::V6 { v6only: false }.show(a), "::ffff:10.0.0.1".parse::<IpAddr>().unwrap());
        assert_eq!(Family::V4.show(a), a);
    }

    #[test]
    fn the_head_of_a_syn_is_read_in_both_families() {
        let mut v4 = vec![0x45, 0, 0, 40, 0, 0, 0, 0, 64, 6, 0, 0, 10, 0, 0, 2, 10, 0, 0, 1];
        v4.extend_from_slice(&[0x9c, 0x40, 0, 80, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02]);
        assert_eq!(tcp_head(&v4), Some((false, IpAddress::Ipv4(Ipv4Addr::new(10, 0, 0, 1)), 80, 0x02)));
        let mut v6 = vec![0x60, 0, 0, 0, 0, 20, 6, 64];
        v6.extend_from_slice(&Ipv6Addr::LOCALHOST.octets());
        v6.extend_from_slice(&"2001:db8::1".parse::<Ipv6Addr>().unwrap().octets());
        v6.extend_from_slice(&[0x9c, 0x40, 0x1f, 0x90, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x12]);
        let d: Ipv6Addr = "2001:db8::1".parse().unwrap();
        assert_eq!(tcp_head(&v6), Some((true, IpAddress::Ipv6(d), 8080, 0x12)));
        assert_eq!(tcp_head(&v6[..50]), None);
    }
}
