//! iproute2's output formats: `ip link`, `ip addr`, `ip route`, `ip neigh` — as text, as
//! `-o` one-liners, and as `-j` JSON ([`json`]).
//!
//! Lines end the way iproute2 ends them (route and neigh lines carry a trailing space);
//! matching and diffing trim trailing whitespace, printing keeps it.

pub mod details;
pub mod json;

use crate::netns::fib::{Proto, Route};
use crate::netns::iface::{IfKind, Iface, Scope};
use crate::netns::neigh::{Neighbour, Nud};
use serde::{Deserialize, Serialize};
use sim_core::{Instant, MacAddr};
use std::fmt::Write;
use std::net::Ipv4Addr;

/// How `ip` prints what it shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Format {
    /// Its text.
    #[default]
    Text,
    /// `-o`: one line an interface (an address, with `ip addr`), `\` where the text
    /// breaks a line.
    Oneline,
    /// `-j`: JSON on one line.
    Json,
    /// `-j -p`: JSON, indented.
    JsonPretty,
}

impl Format {
    /// True for plain text.
    pub fn is_text(&self) -> bool {
        *self == Format::Text
    }

    /// The options that ask for it, each followed by a space (`-j -p `).
    pub fn flags(&self) -> &'static str {
        match self {
            Format::Text => "",
            Format::Oneline => "-o ",
            Format::Json => "-j ",
            Format::JsonPretty => "-j -p ",
        }
    }

    /// A JSON writer, for the JSON formats.
    pub fn json(&self) -> Option<json::JsonWriter> {
        match self {
            Format::Json => Some(json::JsonWriter::new(false)),
            Format::JsonPretty => Some(json::JsonWriter::new(true)),
            _ => None,
        }
    }
}

/// What `ip link|addr show` adds to each interface: counters (`-s`, once or twice) and
/// details (`-d`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Extra {
    /// How many `-s` (0, 1, 2).
    pub stats: u8,
    /// `-d`.
    pub details: bool,
}

/// Where a veth's peer is, as `ip link` describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Peer {
    /// No peer (loopback, or the peer is gone).
    None,
    /// In the same namespace: `@name`; `down` gives `M-DOWN`.
    Local {
        /// The peer's name.
        name: String,
        /// The peer is administratively down.
        down: bool,
    },
    /// In another namespace: `@ifN` and `link-netns NAME` (`link-netnsid 0` for the
    /// scenario's unnamed root namespace).
    Remote {
        /// The peer's ifindex there.
        ifindex: u32,
        /// The namespace's name, `None` for the root namespace or one whose name is gone.
        netns: Option<String>,
        /// The id the viewing namespace has for it (`link-netnsid`).
        nsid: u32,
    },
}

/// Data `ip link` needs about one interface beyond the interface itself.
pub struct LinkView<'a> {
    /// The interface.
    pub iface: &'a Iface,
    /// Where its peer is.
    pub peer: Peer,
    /// The peer's ifindex, wherever it is.
    pub peer_ifindex: Option<u32>,
    /// True once the interface has been up (its qdisc is then `noqueue`).
    pub ever_up: bool,
    /// The bridge it is a port of.
    pub master: Option<String>,
    /// For a bridge: how many ports it has.
    pub bridge_ports: Option<usize>,
    /// Its root qdisc's kind, when `tc` gave it one.
    pub qdisc: Option<&'static str>,
    /// `ip -c`: in iproute2's colours.
    pub color: bool,
    /// `ip -d`: what it adds.
    pub details: Option<details::Details>,
}

/// Which addresses `ip addr` shows: both families, or `-4`'s or `-6`'s (each also leaves
/// out the interfaces without an address of its family, and the `link/` lines).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Family {
    /// Both.
    #[default]
    Any,
    /// `-4`.
    Inet,
    /// `-6`.
    Inet6,
}

impl Family {
    /// True when an interface has an address this family shows.
    pub fn has_addr(self, i: &Iface) -> bool {
        match self {
            Family::Any => true,
            Family::Inet => !i.addrs.is_empty(),
            Family::Inet6 => !i.v6.addrs.is_empty(),
        }
    }
}

/// What `ip -c` colours (`enum color_attr`), in the palette `lib/color.c` uses for a light
/// background — its default, when `COLORFGBG` does not say the background is dark.
#[derive(Clone, Copy, Debug)]
pub enum Color {
    /// An interface's name (cyan).
    Ifname,
    /// A MAC address (yellow).
    Mac,
    /// An IPv4 address (magenta).
    Inet,
    /// An IPv6 address (blue).
    Inet6,
    /// The `UP` state (green).
    Up,
    /// The `DOWN` state (red).
    Down,
}

/// `color_fprintf`: `s` between the colour's escape and the reset when `on`.
pub fn paint(on: bool, c: Color, s: &str) -> String {
    if !on {
        return s.to_string();
    }
    let code = match c {
        Color::Ifname => "\x1b[36m",
        Color::Mac => "\x1b[33m",
        Color::Inet => "\x1b[35m",
        Color::Inet6 => "\x1b[34m",
        Color::Up => "\x1b[32m",
        Color::Down => "\x1b[31m",
    };
    format!("{code}{s}\x1b[0m")
}

/// The operational state as iproute2 prints it after `state ` (`%s `, coloured when up
/// or down; `ip -br`: `%-14s `).
fn state(v: &LinkView<'_>, width: usize) -> String {
    let st = operstate(v);
    let text = format!("{st:<width$} ");
    match st {
        "UP" => paint(v.color, Color::Up, &text),
        "DOWN" => paint(v.color, Color::Down, &text),
        _ => text,
    }
}

/// iproute2's flag list: NO-CARRIER first, M-DOWN last (a same-namespace peer that is down).
pub(crate) fn flags(i: &Iface, local_peer_down: bool) -> String {
    let mut f: Vec<&str> = Vec::new();
    if i.admin_up && !i.is_running() {
        f.push("NO-CARRIER");
    }
    if i.is_loopback() {
        f.push("LOOPBACK");
    } else {
        f.push("BROADCAST");
        f.push("MULTICAST");
    }
    if i.admin_up {
        f.push("UP");
        if i.is_running() {
            f.push("LOWER_UP");
        }
    }
    if local_peer_down {
        f.push("M-DOWN");
    }
    f.join(",")
}

/// The operational state word.
fn operstate(v: &LinkView<'_>) -> &'static str {
    let (i, peer_ifindex, bridge_ports) = (v.iface, v.peer_ifindex, v.bridge_ports);
    if i.is_loopback() {
        return if i.admin_up { "UNKNOWN" } else { "DOWN" };
    }
    if let Some(n) = bridge_ports {
        return match (i.admin_up, n, i.carrier) {
            (false, _, _) => "DOWN",
            // A bridge that never had a port keeps the carrier it was made with.
            (true, 0, true) => "UNKNOWN",
            (true, _, true) => "UP",
            (true, _, false) => "DOWN",
        };
    }
    if !i.admin_up {
        return "DOWN";
    }
    if i.carrier {
        return "UP";
    }
    // default_operstate: no carrier and a lower device (the veth peer's index) that is not
    // up → LOWERLAYERDOWN. The kernel looks that index up in this namespace when the
    // carrier goes (`Iface::lower_down`): a peer in another one is found only if a device
    // here happens to have its index.
    match (peer_ifindex, i.lower_down) {
        (Some(p), true) if p != i.ifindex => "LOWERLAYERDOWN",
        _ => "DOWN",
    }
}

fn head(v: &LinkView<'_>, mode: bool) -> String {
    let i = v.iface;
    let (at, local_down) = peer_part(v);
    let qdisc = v.qdisc.unwrap_or(if v.ever_up || i.admin_up { "noqueue" } else { "noop" });
    let mode = if mode { "mode DEFAULT " } else { "" };
    let master = v.master.as_ref().map(|m| format!(" master {m}")).unwrap_or_default();
    format!(
        "{}: {}<{}> mtu {} qdisc {}{} state {}{}group default qlen 1000",
        i.ifindex,
        paint(v.color, Color::Ifname, &format!("{}{at}: ", i.name)),
        flags(i, local_down),
        i.mtu,
        qdisc,
        master,
        state(v, 0),
        mode
    )
}

/// The interface's line under `ip -6 addr` without a device: what the kernel's IPv6 link dump
/// (`inet6_fill_ifinfo`) carries has no qdisc, group or namespace, and the peer's index
/// only when it differs from the device's own (iproute2 then names it as a device of
/// this namespace: `@ifN`, or the name of a device here with that index).
fn head6(v: &LinkView<'_>, local_name: Option<&str>) -> String {
    let i = v.iface;
    let (_, local_down) = peer_part(v);
    let at = match v.peer_ifindex.filter(|p| *p != i.ifindex) {
        Some(p) => local_name.map_or_else(|| format!("@if{p}"), |n| format!("@{n}")),
        None => String::new(),
    };
    format!(
        "{}: {}<{}> mtu {} state {}qlen 1000",
        i.ifindex,
        paint(v.color, Color::Ifname, &format!("{}{at}: ", i.name)),
        flags(i, local_down),
        i.mtu,
        state(v, 0),
    )
}

fn link_line(v: &LinkView<'_>) -> String {
    let i = v.iface;
    let (kind, mac, brd) = match i.kind {
        IfKind::Loopback => ("loopback", MacAddr::ZERO, MacAddr::ZERO),
        IfKind::Veth { .. } | IfKind::Bridge => ("ether", i.mac, MacAddr::BROADCAST),
    };
    let paint_mac = |m: MacAddr| paint(v.color, Color::Mac, &m.to_string());
    format!("    link/{kind} {} brd {}{}", paint_mac(mac), paint_mac(brd), peer_netns(v))
}

/// ` link-netns NAME` (or ` link-netnsid N`) for a veth whose peer is in another namespace.
fn peer_netns(v: &LinkView<'_>) -> String {
    match &v.peer {
        Peer::Remote { netns: Some(n), .. } => format!(" link-netns {n}"),
        Peer::Remote { netns: None, nsid, .. } => format!(" link-netnsid {nsid}"),
        _ => String::new(),
    }
}

/// `ip -br link` (`addr`: `ip -br addr`) line for one interface: the name (with its peer),
/// padded to 16, the state, padded to 14, then the MAC and flags, or each address.
pub fn brief(v: &LinkView<'_>, addr: bool, family: Family) -> String {
    let i = v.iface;
    let (at, local_down) = peer_part(v);
    // `%-16s` pads by bytes (a name may hold non-ASCII bytes).
    let name = format!("{}{at}", i.name);
    let pad = " ".repeat(16usize.saturating_sub(name.len()));
    let mut s = paint(v.color, Color::Ifname, &format!("{name}{pad} "));
    s.push_str(&state(v, 14));
    if addr {
        if family != Family::Inet6 {
            for a in &i.addrs {
                let _ = write!(s, "{}/{} ", paint(v.color, Color::Inet, &a.addr.to_string()), a.prefix);
            }
        }
        if family != Family::Inet {
            for a in &i.v6.addrs {
                let _ = write!(s, "{}/{} ", paint(v.color, Color::Inet6, &a.addr.to_string()), a.prefix);
            }
        }
    } else {
        let mac = if i.is_loopback() { MacAddr::ZERO } else { i.mac };
        let _ = write!(s, "{}<{}> ", paint(v.color, Color::Mac, &format!("{mac} ")), flags(i, local_down));
    }
    s
}

/// `@peer` (or `@ifN`) after a veth's name, and whether its same-namespace peer is down.
fn peer_part(v: &LinkView<'_>) -> (String, bool) {
    match &v.peer {
        Peer::None => (String::new(), false),
        Peer::Local { name, down } => (format!("@{name}"), *down),
        Peer::Remote { ifindex, .. } => (format!("@if{ifindex}"), false),
    }
}

/// `ip link show` lines for one interface.
pub fn link(v: &LinkView<'_>, out: &mut Vec<String>) {
    out.push(head(v, true));
    link_lines(v, true, out);
}

/// The `link/` line, and with `-d` what follows it.
fn link_lines(v: &LinkView<'_>, link: bool, out: &mut Vec<String>) {
    let mut l = link_line(v);
    match &v.details {
        Some(d) => d.text(&mut l, link, out),
        None => out.push(l),
    }
}

/// `ip -s link|addr`'s counter lines as iproute2 6.1's `print_stats64` prints them: four,
/// or with `errors` (`-s -s`) six — the error counters under each direction, carrier
/// changes (`transns`) last. Each column is as wide as its header word or its widest
/// number (`size_columns`), numbers right aligned with a space after each, headers padded
/// for a `compressed` column nobody fills.
pub fn stats(s: &crate::netns::iface::IfStats, errors: bool, out: &mut Vec<String>) {
    let mut cols =
        ["*X errors:", "packets", "errors", "dropped", "heartbt", "overrun", "compressed", "otherhost"].map(str::len);
    let mut size = |v: [u64; 8]| {
        for (c, n) in cols.iter_mut().zip(v) {
            *c = (*c).max(n.to_string().len());
        }
    };
    let rx = [s.rx_bytes, s.rx_packets, 0, 0, 0, 0];
    let tx = [s.tx_bytes, s.tx_packets, 0, s.tx_dropped, 0, 0];
    let cc = s.carrier_changes;
    size([rx[0], rx[1], rx[2], rx[3], rx[4], rx[5], 0, 0]);
    size([tx[0], tx[1], tx[2], tx[3], tx[4], tx[5], 0, 0]);
    if errors {
        // (iproute2 sizes the carrier changes into the seventh column and prints them in
        // the sixth.)
        size([0, 0, 0, 0, 0, 0, cc, 0]);
    }
    let head = |dir: &str, [e, f]: [&str; 2]| {
        let [a, b, c, d, ew, fw, g, _] = cols;
        format!(
            "    {dir}: {:>w$} {:>b$} {:>c$} {:>d$} {e:>ew$} {f:>fw$} {:>g$}",
            "bytes",
            "packets",
            "errors",
            "dropped",
            "",
            w = a - 4
        )
    };
    let nums = |indent: usize, from: usize, v: &[u64]| {
        let mut l = " ".repeat(indent);
        for (n, w) in v.iter().zip(&cols[from..]) {
            let _ = write!(l, "{n:>w$} ");
        }
        l
    };
    let err_head = |words: [&str; 5]| {
        let mut l =
            format!("    {}:{:w$}", if words[0] == "length" { "RX errors" } else { "TX errors" }, "", w = cols[0] - 10);
        for (word, w) in words.iter().zip(&cols[1..]) {
            let _ = write!(l, " {word:>w$}");
        }
        l
    };
    out.push(head("RX", ["missed", "mcast"]));
    out.push(nums(4, 0, &rx));
    if errors {
        out.push(err_head(["length", "crc", "frame", "fifo", "overrun"]));
        out.push(nums(cols[0] + 5, 1, &[0, 0, 0, 0, 0]));
    }
    out.push(head("TX", ["carrier", "collsns"]));
    out.push(nums(4, 0, &tx));
    if errors {
        out.push(err_head(["aborted", "fifo", "window", "heartbt", "transns"]));
        out.push(nums(cols[0] + 5, 1, &[0, 0, 0, 0, cc]));
    }
}

/// `ip addr show` lines for one interface; with a family (`ip -4`, `ip -6`), as iproute2's
/// family filter prints them: no `link/` line, the peer's namespace at the end of the first
/// — except that `ip -6`'s dump of every interface (`dumped`: with the name of the device
/// here whose index is the peer's, if one is) prints `head6`'s line.
pub fn addr(v: &LinkView<'_>, now: Instant, family: Family, dumped: Option<Option<&str>>, out: &mut Vec<String>) {
    match family {
        Family::Any => {
            out.push(head(v, false));
            link_lines(v, false, out);
        }
        Family::Inet6 if dumped.is_some() => out.push(head6(v, dumped.flatten())),
        Family::Inet | Family::Inet6 => out.push(format!("{}{}", head(v, false), peer_netns(v))),
    }
    for (a, lft) in addr_lines(v, now, family) {
        out.push(a);
        out.push(lft);
    }
}

/// `ip -o addr`: a line for each address, `N: NAME` first and `\` before its lifetimes.
pub fn addr_oneline(v: &LinkView<'_>, now: Instant, family: Family, out: &mut Vec<String>) {
    for (a, lft) in addr_lines(v, now, family) {
        out.push(format!("{}: {}{a}\\{lft}", v.iface.ifindex, v.iface.name));
    }
}

/// Each address's two lines: `inet …` (or `inet6 …`) and its lifetimes.
fn addr_lines(v: &LinkView<'_>, now: Instant, family: Family) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let v4 = if family == Family::Inet6 { &[][..] } else { &v.iface.addrs[..] };
    for a in v4 {
        let mut s = format!("    inet {}/{} ", paint(v.color, Color::Inet, &a.addr.to_string()), a.prefix);
        if let Some(b) = a.broadcast {
            let _ = write!(s, "brd {}", paint(v.color, Color::Inet, &format!("{b} ")));
        }
        let _ = write!(s, "scope {} ", a.scope);
        // `print_ifa_flags` walks `ifa_flag_data`: `secondary` before `dynamic`.
        if a.secondary {
            s.push_str("secondary ");
        }
        if a.valid_until.is_some() {
            s.push_str("dynamic ");
        }
        s.push_str(&v.iface.name);
        let lft = match a.valid_until {
            Some(t) => {
                let left = (t - now).as_secs();
                format!("       valid_lft {left}sec preferred_lft {left}sec")
            }
            None => "       valid_lft forever preferred_lft forever".to_string(),
        };
        out.push((s, lft));
    }
    if family == Family::Inet {
        return out;
    }
    for a in &v.iface.v6.addrs {
        let mut s = format!("    inet6 {}/{} ", paint(v.color, Color::Inet6, &a.addr.to_string()), a.prefix);
        let _ = write!(s, "scope {} ", a.scope);
        // `print_ifa_flags`' order; an autoconfigured address is not IFA_F_PERMANENT
        // (`dynamic`) and is IFA_F_MANAGETEMPADDR.
        let flags = [
            (a.nodad, "nodad "),
            (a.dadfailed, "dadfailed "),
            (a.deprecated, "deprecated "),
            (a.tentative, "tentative "),
            (a.lft.is_some(), "dynamic mngtmpaddr "),
        ];
        for (on, name) in flags {
            if on {
                s.push_str(name);
            }
        }
        let lft = match a.lft {
            Some(l) => {
                let (valid, preferred) = l.left(now);
                format!("       valid_lft {valid}sec preferred_lft {preferred}sec")
            }
            None => "       valid_lft forever preferred_lft forever".to_string(),
        };
        out.push((s, lft));
    }
    out
}

/// One `ip -6 route show` line: `dev` is `None` when the command named the device.
pub fn route6(r: &crate::netns::ipv6::Route6, dev: Option<&str>, linkdown: bool, color: bool, now: Instant) -> String {
    let mut s = if r.prefix == 0 {
        "default ".to_string()
    } else if r.prefix == 128 {
        paint(color, Color::Inet6, &format!("{} ", r.dst))
    } else {
        paint(color, Color::Inet6, &format!("{}/{} ", r.dst, r.prefix))
    };
    if let Some(g) = r.gateway {
        let _ = write!(s, "via {}", paint(color, Color::Inet6, &format!("{g} ")));
    }
    if let Some(d) = dev {
        let _ = write!(s, "dev {} ", paint(color, Color::Ifname, d));
    }
    if r.kernel {
        s.push_str("proto kernel ");
    } else if r.ra {
        s.push_str("proto ra ");
    }
    let _ = write!(s, "metric {} ", r.metric);
    if linkdown {
        s.push_str("linkdown ");
    }
    // `print_route`: the time left in whole seconds (`rta_expires` over `hz`), then the
    // metrics.
    if let Some(t) = r.expires {
        // Past it (an expired route the collector has not taken yet): negative, the
        // division truncating toward zero as iproute2's does.
        if t >= now || (now - t).as_secs() == 0 {
            let _ = write!(s, "expires {}sec ", (t - now).as_secs());
        } else {
            let _ = write!(s, "expires -{}sec ", (now - t).as_secs());
        }
    }
    if let Some(h) = r.hoplimit {
        let _ = write!(s, "hoplimit {h} ");
    }
    s.push_str("pref medium");
    s
}

/// One `ip route show` line; `dev` is `None` when the command named the device (`ip route
/// show dev X` leaves it out); `color`: `ip -c`.
pub fn route(r: &Route, dev: Option<&str>, linkdown: bool, color: bool) -> String {
    let mut s = String::new();
    let inet = |a: String| paint(color, Color::Inet, &a);
    if r.prefix == 0 {
        s.push_str("default ");
    } else if r.prefix == 32 {
        s.push_str(&inet(format!("{} ", r.dst)));
    } else {
        s.push_str(&inet(format!("{}/{} ", r.dst, r.prefix)));
    }
    if let Some(g) = r.gateway {
        let _ = write!(s, "via {}", inet(format!("{g} ")));
    }
    if let Some(d) = dev {
        let _ = write!(s, "dev {}", paint(color, Color::Ifname, &format!("{d} ")));
    }
    if r.proto != Proto::Boot {
        let _ = write!(s, "proto {} ", r.proto);
    }
    if r.scope != Scope::Global {
        let _ = write!(s, "scope {} ", r.scope);
    }
    if let Some(src) = r.src {
        let _ = write!(s, "src {}", inet(format!("{src} ")));
    }
    if r.metric != 0 {
        let _ = write!(s, "metric {} ", r.metric);
    }
    if linkdown {
        s.push_str("linkdown ");
    }
    s
}

/// One `ip neigh show` line (`dev` omitted when the command named the device; `color`:
/// `ip -c`).
pub fn neigh(ip: std::net::IpAddr, dev: Option<&str>, n: &Neighbour, color: bool) -> String {
    let c = if ip.is_ipv6() { Color::Inet6 } else { Color::Inet };
    let mut s = paint(color, c, &format!("{ip} "));
    if let Some(d) = dev {
        let _ = write!(s, "dev {}", paint(color, Color::Ifname, &format!("{d} ")));
    }
    if n.state != Nud::Failed
        && n.state != Nud::Incomplete
        && let Some(m) = n.lladdr
    {
        let _ = write!(s, "lladdr {}", paint(color, Color::Mac, &format!("{m} ")));
    }
    if n.router {
        s.push_str("router ");
    }
    let _ = write!(s, "{} ", n.state);
    s
}

/// A neighbour change as `ip monitor neigh` prints it (no trailing space).
pub fn neigh_line(ip: Ipv4Addr, dev: &str, n: &Neighbour) -> String {
    neigh(ip.into(), Some(dev), n, false).trim_end().to_string()
}

/// The multicast addresses a device's own filter holds, as `bridge fdb show` lists them
/// (`self permanent`), in the filter's order: the IPv6 all-nodes group where it stands
/// ([`AllNodes`](crate::netns::iface::AllNodes)), a bridge's router-discovery groups and
/// the IPv4 all-hosts group while the device is up (checked on Linux 6.18). The
/// solicited-node groups follow (`If6::group_macs`).
pub fn self_multicast(i: &Iface) -> Vec<&'static str> {
    use crate::netns::iface::AllNodes;
    const ALL_NODES: &str = "33:33:00:00:00:01";
    let mut v = Vec::with_capacity(5);
    if i.all_nodes == AllNodes::Initial {
        v.push(ALL_NODES);
    }
    if i.admin_up {
        if i.is_bridge() {
            v.extend(["01:00:5e:00:00:6a", "33:33:00:00:00:6a"]);
        }
        v.push("01:00:5e:00:00:01");
        if i.all_nodes == AllNodes::Rejoined {
            v.push(ALL_NODES);
        }
    }
    v
}
