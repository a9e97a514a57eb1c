//! Links, addresses and routes through rtnetlink, answered in iproute2's words.
//!
//! One netlink connection per namespace, opened on a thread inside it (a netlink socket
//! belongs to its opener's namespace), with extended acks on so the kernel's own reason
//! comes back. A refusal is reported as `ip` reports it: `Error: REASON.` when the kernel
//! gave one, else `RTNETLINK answers: STRERROR`, exit status 2; a device that does not
//! exist is `Cannot find device "X"`, status 1. Requests are built as iproute2 builds them
//! (`ip route add` is `proto boot`, a route without a gateway has link scope, `ip addr add`
//! sets no broadcast unless given), so what `ip route show` prints afterwards is the same.

use crate::{KernelError, netns};
use futures::TryStreamExt;
use rtnetlink::packet_route::address::AddressAttribute;
use rtnetlink::packet_route::route::{RouteProtocol, RouteScope, RouteType};
use rtnetlink::sys::AsyncSocket;
use rtnetlink::{Handle, LinkBridge, LinkUnspec, LinkVeth, RouteMessageBuilder};
use scenarios::command::{Cidr, LinkSet, RouteArgs};
use std::collections::BTreeMap;
use std::fs::File;
use std::net::{IpAddr, Ipv4Addr};

/// A command the kernel refused, as the tool would print it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refused {
    /// The tool's message.
    pub message: String,
    /// Its exit status.
    pub status: i32,
}

fn no_device(dev: &str) -> Refused {
    Refused { message: format!("Cannot find device \"{dev}\""), status: 1 }
}

/// The message `NLMSGERR_ATTR_MSG` carries after the echoed request, if any.
fn extack(after_code: &[u8]) -> Option<String> {
    let orig = u32::from_ne_bytes(after_code.get(..4)?.try_into().ok()?) as usize;
    let mut at = orig.max(16).next_multiple_of(4);
    while at + 4 <= after_code.len() {
        let len = u16::from_ne_bytes([after_code[at], after_code[at + 1]]) as usize;
        let kind = u16::from_ne_bytes([after_code[at + 2], after_code[at + 3]]) & 0x3fff;
        if len < 4 || at + len > after_code.len() {
            return None;
        }
        if kind == 1 {
            let s = &after_code[at + 4..at + len];
            let s = s.split(|b| *b == 0).next().unwrap_or_default();
            return Some(String::from_utf8_lossy(s).into_owned());
        }
        at += len.next_multiple_of(4);
    }
    None
}

fn refused(e: rtnetlink::Error) -> Refused {
    match e {
        rtnetlink::Error::NetlinkError(m) => {
            if let Some(msg) = extack(&m.header) {
                let dot = if msg.ends_with('.') { "" } else { "." };
                return Refused { message: format!("Error: {msg}{dot}"), status: 2 };
            }
            let s = m.to_io().to_string();
            let s = s.split(" (os error").next().unwrap_or(&s).to_string();
            Refused { message: format!("RTNETLINK answers: {s}"), status: 2 }
        }
        other => Refused { message: format!("RTNETLINK answers: {other}"), status: 2 },
    }
}

/// rtnetlink connections, one per namespace.
pub struct Rtnl {
    rt: tokio::runtime::Handle,
    handles: BTreeMap<String, (Handle, tokio::task::JoinHandle<()>)>,
}

impl Rtnl {
    /// No connection yet.
    pub fn new(rt: tokio::runtime::Handle) -> Self {
        Rtnl { rt, handles: BTreeMap::new() }
    }

    /// The connection into namespace `kernel`, opened on first use.
    pub fn handle(&mut self, kernel: &str) -> Result<Handle, KernelError> {
        if let Some((h, _)) = self.handles.get(kernel) {
            return Ok(h.clone());
        }
        let rt = self.rt.clone();
        let (h, task) = netns::within(kernel, move || -> std::io::Result<_> {
            let _g = rt.enter();
            let (mut conn, handle, _) = rtnetlink::new_connection()?;
            conn.socket_mut().socket_mut().set_ext_ack(true)?;
            Ok((handle, rt.spawn(conn)))
        })?
        .map_err(|e| KernelError::Io(format!("netlink in {kernel}: {e}")))?;
        self.handles.insert(kernel.to_string(), (h.clone(), task));
        Ok(h)
    }

    /// Closes the connection into a namespace: its socket would keep the namespace alive.
    pub fn forget(&mut self, kernel: &str) {
        if let Some((_, task)) = self.handles.remove(kernel) {
            task.abort();
        }
    }
}

/// The ifindex of `dev`.
pub async fn index(h: &Handle, dev: &str) -> Result<u32, Refused> {
    let mut s = h.link().get().match_name(dev.to_string()).execute();
    match s.try_next().await {
        Ok(Some(l)) => Ok(l.header.index),
        _ => Err(no_device(dev)),
    }
}

/// `ip link add NAME type veth peer name PEER [netns NS]`.
pub async fn veth_add(
    h: &Handle,
    name: &str,
    ns: Option<&File>,
    peer: &str,
    peer_ns: Option<&File>,
) -> Result<(), Refused> {
    use rtnetlink::packet_route::link::{InfoData, InfoKind, InfoVeth};
    use std::os::fd::AsRawFd;
    let mut p = rtnetlink::LinkMessageBuilder::<LinkUnspec>::new().name(peer.to_string());
    if let Some(f) = peer_ns {
        p = p.setns_by_fd(f.as_raw_fd());
    }
    let mut b = rtnetlink::LinkMessageBuilder::<LinkVeth>::new_with_info_kind(InfoKind::Veth)
        .name(name.to_string())
        .set_info_data(InfoData::Veth(InfoVeth::Peer(p.build())));
    if let Some(f) = ns {
        b = b.setns_by_fd(f.as_raw_fd());
    }
    h.link().add(b.build()).execute().await.map_err(refused)
}

/// `ip link add NAME [netns NS] type bridge`.
pub async fn bridge_add(h: &Handle, name: &str, ns: Option<&File>) -> Result<(), Refused> {
    use std::os::fd::AsRawFd;
    // Not `LinkBridge::new`, which also sets the bridge up: `ip link add` leaves it down.
    let mut b = rtnetlink::LinkMessageBuilder::<LinkBridge>::new(name);
    if let Some(f) = ns {
        b = b.setns_by_fd(f.as_raw_fd());
    }
    h.link().add(b.build()).execute().await.map_err(refused)
}

/// `ip link del DEV`.
pub async fn link_del(h: &Handle, dev: &str) -> Result<(), Refused> {
    let i = index(h, dev).await?;
    h.link().del(i).execute().await.map_err(refused)
}

/// `ip link set DEV …` in the order the sim applies it: address, mtu, name, master,
/// netns, then up/down in the namespace the device ends in. `target` is the namespace to
/// move to (its handle and fd). Bridge ageing goes through `ip` (see the runner).
pub async fn link_set(h: &Handle, s: &LinkSet, target: Option<(&Handle, &File)>) -> Result<(), Refused> {
    let i = index(h, &s.dev).await?;
    let set = |b: rtnetlink::LinkMessageBuilder<LinkUnspec>| async {
        h.link().set(b.build()).execute().await.map_err(refused)
    };
    if let Some(m) = s.address {
        set(LinkUnspec::new_with_index(i).address(m.0.to_vec())).await?;
    }
    if let Some(m) = s.mtu {
        set(LinkUnspec::new_with_index(i).mtu(m)).await?;
    }
    if let Some(n) = &s.name {
        set(LinkUnspec::new_with_index(i).name(n.clone())).await?;
    }
    if let Some(m) = &s.master {
        let b = index(h, m).await?;
        set(LinkUnspec::new_with_index(i).controller(b)).await?;
    }
    if s.nomaster {
        set(LinkUnspec::new_with_index(i).nocontroller()).await?;
    }
    let (h, i) = match target {
        Some((th, f)) => {
            use std::os::fd::AsRawFd;
            set(LinkUnspec::new_with_index(i).setns_by_fd(f.as_raw_fd())).await?;
            let dev = s.name.as_deref().unwrap_or(&s.dev);
            (th, index(th, dev).await?)
        }
        None => (h, i),
    };
    match s.up {
        Some(true) => h.link().set(LinkUnspec::new_with_index(i).up().build()).execute().await.map_err(refused),
        Some(false) => h.link().set(LinkUnspec::new_with_index(i).down().build()).execute().await.map_err(refused),
        None => Ok(()),
    }
}

/// `ip addr add A/P [brd B] dev DEV`.
pub async fn addr_add(h: &Handle, a: Cidr, dev: &str, brd: Option<Ipv4Addr>) -> Result<(), Refused> {
    let i = index(h, dev).await?;
    let mut req = h.address().add(i, IpAddr::V4(a.addr), a.prefix);
    // iproute2 sets no broadcast unless asked; rtnetlink's builder adds one.
    req.message_mut().attributes.retain(|x| !matches!(x, AddressAttribute::Broadcast(_)));
    if let Some(b) = brd {
        req.message_mut().attributes.push(AddressAttribute::Broadcast(b));
    }
    req.execute().await.map_err(refused)
}

/// `ip addr del A/P dev DEV`.
pub async fn addr_del(h: &Handle, a: Cidr, dev: &str) -> Result<(), Refused> {
    let i = index(h, dev).await?;
    let mut s = h.address().get().set_link_index_filter(i).execute();
    while let Some(m) = s.try_next().await.map_err(refused)? {
        let ours = m.header.prefix_len == a.prefix
            && m.attributes.iter().any(|x| matches!(x, AddressAttribute::Local(IpAddr::V4(l)) if *l == a.addr));
        if ours {
            return h.address().del(m).execute().await.map_err(refused);
        }
    }
    Err(Refused { message: "RTNETLINK answers: Cannot assign requested address".into(), status: 2 })
}

/// `ip addr flush dev DEV`.
pub async fn addr_flush(h: &Handle, dev: &str) -> Result<(), Refused> {
    let i = index(h, dev).await?;
    let mut found = Vec::new();
    let mut s = h.address().get().set_link_index_filter(i).execute();
    while let Some(m) = s.try_next().await.map_err(refused)? {
        if m.header.family == rtnetlink::packet_route::AddressFamily::Inet {
            found.push(m);
        }
    }
    for m in found {
        // A secondary may go with its primary: ignore "not there any more".
        let _ = h.address().del(m).execute().await;
    }
    Ok(())
}

/// True once the kernel has caught up with the namespace's link changes: a link's carrier
/// (`LOWER_UP`, set at once) and its operational state (`RUNNING`, set by linkwatch's work
/// queue, later — and with it the qdisc that lets frames out and the routes' `linkdown`
/// flag) agree. A person typing the next command never sees the gap; a fast runner does.
pub async fn settled(h: &Handle) -> Result<bool, Refused> {
    use rtnetlink::packet_route::link::LinkFlags;
    let mut carrier = BTreeMap::new();
    let mut links = h.link().get().execute();
    let mut calm = true;
    while let Some(l) = links.try_next().await.map_err(refused)? {
        let f = l.header.flags;
        let lower_up = f.contains(LinkFlags::LowerUp);
        if f.contains(LinkFlags::Up) && lower_up != f.contains(LinkFlags::Running) {
            calm = false;
        }
        carrier.insert(l.header.index, lower_up);
    }
    let mut routes = h.route().get(RouteMessageBuilder::<Ipv4Addr>::new().build()).execute();
    while let Some(r) = routes.try_next().await.map_err(refused)? {
        let oif = r.attributes.iter().find_map(|a| match a {
            rtnetlink::packet_route::route::RouteAttribute::Oif(i) => Some(*i),
            _ => None,
        });
        let linkdown = r.header.flags.contains(rtnetlink::packet_route::route::RouteFlags::Linkdown);
        if linkdown && oif.and_then(|i| carrier.get(&i)).copied().unwrap_or(false) {
            calm = false;
        }
    }
    Ok(calm)
}

fn protocol(p: Option<&str>) -> Result<RouteProtocol, Refused> {
    Ok(match p {
        None | Some("boot") => RouteProtocol::Boot,
        Some("static") => RouteProtocol::Static,
        Some("kernel") => RouteProtocol::Kernel,
        Some("dhcp") => RouteProtocol::Dhcp,
        Some(other) => match other.parse::<u8>() {
            Ok(n) => RouteProtocol::from(n),
            Err(_) => {
                return Err(Refused {
                    message: format!("Error: argument \"{other}\" is wrong: \"protocol\" value is invalid"),
                    status: 255,
                });
            }
        },
    })
}

async fn route_message(
    h: &Handle,
    r: &RouteArgs,
    add: bool,
) -> Result<rtnetlink::packet_route::route::RouteMessage, Refused> {
    let mut b = RouteMessageBuilder::<Ipv4Addr>::new().destination_prefix(r.to.addr, r.to.prefix);
    if let Some(v) = r.via {
        b = b.gateway(v);
    }
    if let Some(d) = &r.dev {
        b = b.output_interface(index(h, d).await?);
    }
    if let Some(m) = r.metric {
        b = b.priority(m);
    }
    if let Some(s) = r.src {
        b = b.pref_source(s);
    }
    if r.onlink {
        b = b.onlink();
    }
    let mut m = b.build();
    if add {
        m.header.protocol = protocol(r.proto.as_deref())?;
        m.header.scope = if r.via.is_none() { RouteScope::Link } else { RouteScope::Universe };
        m.header.kind = RouteType::Unicast;
    } else {
        // As iproute2 deletes: any scope, any protocol, any type.
        m.header.protocol = match &r.proto {
            Some(p) => protocol(Some(p))?,
            None => RouteProtocol::Unspec,
        };
        m.header.scope = RouteScope::NoWhere;
        m.header.kind = RouteType::Unspec;
    }
    Ok(m)
}

/// `ip route add …`.
/// `ip route add …`, or with `replace` `ip route replace …` (NLM_F_REPLACE).
pub async fn route_add(h: &Handle, r: &RouteArgs, replace: bool) -> Result<(), Refused> {
    let m = route_message(h, r, true).await?;
    let req = h.route().add(m);
    if replace { req.replace() } else { req }.execute().await.map_err(refused)
}

/// `ip route del …`.
pub async fn route_del(h: &Handle, r: &RouteArgs) -> Result<(), Refused> {
    let m = route_message(h, r, false).await?;
    h.route().del(m).execute().await.map_err(refused)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_kernels_reason_after_the_echoed_request() {
        // An echoed 20-byte request, then NLMSGERR_ATTR_MSG "Nexthop has invalid gateway".
        let mut b = vec![0u8; 20];
        b[..4].copy_from_slice(&20u32.to_ne_bytes());
        let msg = b"Nexthop has invalid gateway\0";
        let len = 4 + msg.len();
        b.extend((len as u16).to_ne_bytes());
        b.extend(1u16.to_ne_bytes());
        b.extend(msg);
        assert_eq!(extack(&b).as_deref(), Some("Nexthop has invalid gateway"));
        assert_eq!(extack(&b[..20]), None);
        assert_eq!(extack(&[1, 2]), None);
    }
}
