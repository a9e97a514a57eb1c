//! The `Lab`'s `ip … show` vocabulary: `ip link`, `ip addr`, `ip -br`, `ip route` and
//! `ip neigh` as text, `-o` or `-j` (the formats themselves are `crate::show`'s).

use super::{Lab, LabError};
use crate::netns::Netns;
use crate::netns::iface::{IfKind, Iface};
use crate::show::details::{BridgeOpts, Details, Kind, Port};
use crate::show::{self, Extra, Family, Format, LinkView};
use sim_core::{Duration, NodeId, PortId};

impl Lab {
    /// What every `… show [dev DEV]` starts from: the namespace, and the ifindex of `DEV`
    /// when one is named (`Cannot find device` when it does not exist).
    pub(super) fn show_scope(&self, node: NodeId, dev: Option<&str>) -> Result<(&Netns, Option<u32>), LabError> {
        Ok((self.netns(node), dev.map(|d| self.ifindex(node, d)).transpose()?))
    }

    /// `ip link show [DEV]`.
    pub fn link_show(&self, node: NodeId, dev: Option<&str>) -> Result<Vec<String>, LabError> {
        self.link_show_with(node, dev, Extra::default(), Format::Text, false)
    }

    /// `ip [-s [-s]] [-d] link show [DEV]`: with `extra.stats` (how many `-s`), each
    /// interface's counters after it (with two, the error counters too), with
    /// `extra.details` what `-d` adds; in `fmt`, and with `color` (`ip -c`) in iproute2's
    /// colours.
    pub fn link_show_with(
        &self,
        node: NodeId,
        dev: Option<&str>,
        extra: Extra,
        fmt: Format,
        color: bool,
    ) -> Result<Vec<String>, LabError> {
        let stats = extra.stats;
        let mut out = Vec::new();
        let (ns, only) = self.show_scope(node, dev)?;
        let mut json = fmt.json();
        for i in ns.ifaces().filter(|i| only.is_none_or(|o| o == i.ifindex)) {
            let details = extra.details.then(|| self.details(node, i));
            let v = LinkView { color, details, ..self.view(node, i) };
            if let Some(w) = &mut json {
                w.start_object();
                show::json::link(w, &v, true, false, stats);
                w.end_object();
                continue;
            }
            let mut lines = Vec::new();
            show::link(&v, &mut lines);
            if stats > 0 {
                show::stats(&i.stats, stats > 1, &mut lines);
            }
            match fmt {
                Format::Oneline => out.push(lines.join("\\")),
                _ => out.extend(lines),
            }
        }
        Ok(json.map_or(out, |w| w.finish()))
    }

    /// `ip [-4|-6] -br link|addr show [DEV]`: one line per interface (with a family: only
    /// those with an address of it, as iproute2's family filter leaves them).
    pub fn brief_show(
        &self,
        node: NodeId,
        addr: bool,
        family: Family,
        dev: Option<&str>,
        fmt: Format,
        color: bool,
    ) -> Result<Vec<String>, LabError> {
        let (ns, only) = self.show_scope(node, dev)?;
        let now = self.world.now();
        let shown = ns.ifaces().filter(|i| only.is_none_or(|o| o == i.ifindex) && family.has_addr(i));
        let Some(mut w) = fmt.json() else {
            return Ok(shown.map(|i| show::brief(&LinkView { color, ..self.view(node, i) }, addr, family)).collect());
        };
        for i in shown {
            let v = LinkView { color, ..self.view(node, i) };
            w.start_object();
            show::json::brief(&mut w, &v, addr);
            if addr {
                show::json::addr_info(&mut w, &v, now, true, family);
            }
            w.end_object();
        }
        Ok(w.finish())
    }

    /// `ip addr show [DEV]`.
    pub fn addr_show(&self, node: NodeId, dev: Option<&str>) -> Result<Vec<String>, LabError> {
        self.addr_show_family(node, dev, Family::Any, Extra::default(), Format::Text, false)
    }

    /// `ip [-4|-6] addr show [DEV]`: with a family, only interfaces with an address of it
    /// and only those addresses' lines (iproute2's family filter drops the `link/` line too,
    /// and shows a veth peer's namespace at the end of the first line).
    /// With `extra.stats` (how many `-s`), each interface's counters after its addresses;
    /// with `extra.details` (`-d`, both families only), what `-d` adds after the `link/` line.
    pub fn addr_show_family(
        &self,
        node: NodeId,
        dev: Option<&str>,
        family: Family,
        extra: Extra,
        fmt: Format,
        color: bool,
    ) -> Result<Vec<String>, LabError> {
        let stats = extra.stats;
        let mut out = Vec::new();
        let (ns, only) = self.show_scope(node, dev)?;
        let now = self.world.now();
        let mut json = fmt.json();
        for i in ns.ifaces().filter(|i| only.is_none_or(|o| o == i.ifindex)) {
            if !family.has_addr(i) {
                continue;
            }
            let details = (extra.details && family == Family::Any).then(|| self.details(node, i));
            let v = LinkView { color, details, ..self.view(node, i) };
            match (&mut json, fmt) {
                (Some(w), _) => {
                    w.start_object();
                    show::json::link(w, &v, false, family != Family::Any, 0);
                    show::json::addr_info(w, &v, now, false, family);
                    if stats > 0 {
                        show::json::stats64(w, &i.stats, stats > 1);
                    }
                    w.end_object();
                }
                // (Without the interface's own lines, `-o` has no counters to add.)
                (None, Format::Oneline) => show::addr_oneline(&v, now, family, &mut out),
                (None, _) => {
                    // What `ip -6`'s dump names the peer's index by: a device here.
                    let here = v.peer_ifindex.and_then(|p| ns.iface(p)).map(|d| d.name.as_str());
                    show::addr(&v, now, family, only.is_none().then_some(here), &mut out);
                    if stats > 0 {
                        show::stats(&i.stats, stats > 1, &mut out);
                    }
                }
            }
        }
        Ok(json.map_or(out, |w| w.finish()))
    }

    /// `ip route show [dev DEV]`.
    pub fn route_show(&self, node: NodeId, dev: Option<&str>) -> Result<Vec<String>, LabError> {
        self.route_show_as(node, dev, Format::Text, false)
    }

    /// `ip route show [dev DEV]` in `fmt` (`-o` changes nothing: a route is one line), with
    /// `color` in iproute2's colours.
    pub fn route_show_as(
        &self,
        node: NodeId,
        dev: Option<&str>,
        fmt: Format,
        color: bool,
    ) -> Result<Vec<String>, LabError> {
        let (ns, only) = self.show_scope(node, dev)?;
        let mut out = Vec::new();
        let mut json = fmt.json();
        for r in ns.fib().routes() {
            if only.is_some_and(|o| o != r.dev) {
                continue;
            }
            let Some(i) = ns.iface(r.dev) else { continue };
            if let Some(w) = &mut json {
                show::json::route(w, r, only.is_none().then_some(i.name.as_str()), !i.carrier);
                continue;
            }
            out.push(show::route(r, only.is_none().then_some(i.name.as_str()), !i.carrier, color));
        }
        Ok(json.map_or(out, |w| w.finish()))
    }

    /// `ip neigh show [dev DEV]`, ordered by address (the kernel dumps in hash order).
    pub fn neigh_show(&self, node: NodeId, dev: Option<&str>) -> Result<Vec<String>, LabError> {
        self.neigh_show_as(node, dev, Format::Text, false)
    }

    /// `ip neigh show [dev DEV]` in `fmt` (`-o` changes nothing: an entry is one line), with
    /// `color` in iproute2's colours.
    pub fn neigh_show_as(
        &self,
        node: NodeId,
        dev: Option<&str>,
        fmt: Format,
        color: bool,
    ) -> Result<Vec<String>, LabError> {
        let (ns, only) = self.show_scope(node, dev)?;
        let mut rows = Vec::new();
        for (&(ix, ip), n) in ns.neigh().iter() {
            if only.is_some_and(|o| o != ix) {
                continue;
            }
            let Some(i) = ns.iface(ix) else { continue };
            rows.push((ip, ix, if only.is_some() { None } else { Some(i.name.as_str()) }, n));
        }
        rows.sort_by_key(|&(ip, ix, ..)| (u32::from(ip), ix));
        let Some(mut w) = fmt.json() else {
            return Ok(rows.into_iter().map(|(ip, _, dev, n)| show::neigh(ip.into(), dev, n, color)).collect());
        };
        for (ip, _, dev, n) in rows {
            show::json::neigh(&mut w, ip, dev, n);
        }
        Ok(w.finish())
    }

    /// What `ip -d` shows of interface `i` of `node`.
    fn details(&self, node: NodeId, i: &Iface) -> Details {
        let ns = self.netns(node);
        let port = i.master.is_some();
        let captures = self.world.taps().on_port(node, PortId(i.ifindex)) as u32;
        let kind = match i.kind {
            IfKind::Loopback => Kind::Loopback,
            IfKind::Veth { .. } => Kind::Veth(i.master.and_then(|m| {
                let br = ns.iface(m)?;
                let b = ns.bridge(m)?;
                let no = b.ports().iter().find(|(p, _)| *p == i.ifindex)?.1;
                let opts = b.port_opts(i.ifindex);
                Some(Port { forwarding: br.admin_up && i.is_running(), no, bridge_mac: br.mac, opts })
            })),
            IfKind::Bridge => {
                let b = ns.bridge(i.ifindex);
                let now = self.world.now();
                let gc_timer = b
                    .and_then(|b| b.next_expiry())
                    .filter(|_| i.admin_up)
                    .map_or(Duration::ZERO, |t| t.saturating_since(now));
                Kind::Bridge(BridgeOpts {
                    mac: i.mac,
                    ageing: b.map_or(Duration::ZERO, |b| b.ageing()),
                    gc_timer,
                    snooping: !b.is_some_and(|b| b.no_snooping),
                })
            }
        };
        Details { promiscuity: u32::from(port) + captures, allmulti: u32::from(port), kind }
    }
}
