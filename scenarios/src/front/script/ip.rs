//! `ip`: the iproute2 grammar the documents use — `netns`, `link`, `addr`, `route`,
//! `neigh` — with iproute2's prefix abbreviations (`ip a`, `ip r`, `ip n`, `ip link s`) and
//! its messages for what it does not know.

use super::words::{PErr, Words, matches};
use super::{Parsed, parse_words};
use crate::command::{Cidr, Command, Format, LinkKind, LinkSet, NeighNud, NeighOp, NeighSetCmd, RouteArgs};
use std::net::Ipv4Addr;

/// Parses what follows `ip`.
pub fn parse(w: &mut Words<'_>, mut ns: Option<String>, background: bool) -> Result<Parsed, PErr> {
    let first = w.pos() - 1;
    let mut brief = false;
    let mut inet = false;
    let mut inet6 = false;
    let mut stats = false;
    let mut errors = false;
    let mut details = false;
    let (mut json, mut pretty, mut oneline, mut color) = (false, false, false, false);
    while let Some(opt) = w.peek().filter(|o| o.starts_with('-')) {
        w.take();
        match opt {
            "-n" | "-netns" | "--netns" => ns = Some(w.value(opt, "a namespace name")?.to_string()),
            // The last family given wins (iproute2's `preferred_family`).
            "-4" => (inet, inet6) = (true, false),
            "-6" => (inet, inet6) = (false, true),
            "-br" | "-brief" => brief = true,
            "-s" | "-stats" | "-statistics" if stats => errors = true,
            "-s" | "-stats" | "-statistics" => stats = true,
            "-j" | "-json" => json = true,
            "-p" | "-pretty" => pretty = true,
            "-o" | "-oneline" => oneline = true,
            // `matches_color`: `-c[olor][=always|auto|never]`; a transcript is not a
            // terminal, so `auto` means no colours.
            o if o.split('=').next().is_some_and(|c| c.len() >= 2 && "-color".starts_with(c)) => {
                color = match o.split_once('=').map(|(_, v)| v) {
                    None | Some("always") => true,
                    Some("auto" | "never") => false,
                    Some(_) => return Err(w.err_prev(format!("Option \"{o}\" is unknown, try \"ip -help\"."))),
                }
            }
            "-d" | "-details" => details = true,
            _ => return Err(w.err_prev(format!("Option \"{opt}\" is unknown, try \"ip -help\"."))),
        }
    }
    // iproute2: `-p` only shapes JSON; JSON has no lines to join.
    let fmt = match (json, pretty, oneline) {
        (true, true, _) => Format::JsonPretty,
        (true, false, _) => Format::Json,
        (false, _, true) => Format::Oneline,
        (false, _, false) => Format::Text,
    };
    let Some(obj) = w.take() else {
        return Err(w
            .err("ip needs an object")
            .hint("nslab knows `ip netns`, `ip link`, `ip addr`, `ip route`, `ip neigh`"));
    };
    // iproute2 ignores `-d` under `-br`; elsewhere nslab shows details of links only.
    if details && !brief && (inet || inet6 || !(matches(obj, "link") || matches(obj, "address"))) {
        return Err(w
            .err_prev(format!(
                "not supported yet: ip -d {}{obj}",
                if inet6 {
                    "-6 "
                } else if inet {
                    "-4 "
                } else {
                    ""
                }
            ))
            .hint("nslab shows details with `ip -d link` and `ip -d addr`"));
    }
    if stats && (brief || !(matches(obj, "link") || matches(obj, "address"))) {
        return Err(w
            .err_prev(format!("not supported yet: ip -s {}{obj}", if brief { "-br " } else { "" }))
            .hint("nslab shows counters with `ip -s link` and `ip -s addr`"));
    }
    let cmd = if inet6 && !matches(obj, "link") && !matches(obj, "netns") {
        super::ip6::parse(w, obj, brief, fmt, color, false)?
    } else if brief {
        let addr = matches(obj, "address");
        if !addr && !matches(obj, "link") {
            return Err(w
                .err_prev(format!("not supported yet: ip -br {obj}"))
                .hint("nslab shows `ip -br link` and `ip -br addr`"));
        }
        let dev = match w.take() {
            None => None,
            Some(s) if matches(s, "show") || matches(s, "list") => dev_arg(w)?,
            Some(s) => return Err(w.err_prev(format!("not supported yet: ip -br {obj} {s}"))),
        };
        Command::Brief { addr, inet: inet && addr, dev, fmt, color }
    } else if matches(obj, "route") && super::ip6::names_v6_route(w) && !inet {
        super::ip6::parse(w, obj, false, fmt, color, true)?
    } else if matches(obj, "address") && super::ip6::names_v6_addr(w) {
        if let Some(e) = inet.then(|| super::ip6::refuse_in_inet(w)).flatten() {
            return Err(e);
        }
        super::ip6::parse(w, obj, false, fmt, color, true)?
    } else if matches(obj, "address") {
        match addr(w)? {
            Command::AddrShow { dev, .. } => Command::AddrShow { dev, inet, stats, errors, details, fmt, color },
            c => c,
        }
    } else if matches(obj, "route") {
        match route(w, inet.then_some(4))? {
            Command::RouteShow { dev, .. } => Command::RouteShow { dev, fmt, color },
            c => c,
        }
    } else if matches(obj, "neighbor") || matches(obj, "neighbour") {
        match neigh(w, inet.then_some(4))? {
            Command::NeighShow { dev, .. } => Command::NeighShow { dev, fmt, color },
            c => c,
        }
    } else if matches(obj, "link") {
        match link(w)? {
            Command::LinkShow { dev, .. } => Command::LinkShow { dev, stats, errors, details, fmt, color },
            c => c,
        }
    } else if matches(obj, "netns") {
        return netns(w, ns, background, first);
    } else if [
        "rule",
        "maddress",
        "monitor",
        "tunnel",
        "nexthop",
        "mroute",
        "xfrm",
        "vrf",
        "ntable",
        "tuntap",
        "addrlabel",
    ]
    .iter()
    .any(|o| matches(obj, o))
    {
        return Err(w.err_prev(format!("not supported yet: ip {obj}")));
    } else {
        return Err(w.err_prev(format!("Object \"{obj}\" is unknown, try \"ip help\".")));
    };
    if !w.done() {
        return Err(
            w.err(format!("Error: either \"dev\" is duplicate, or \"{}\" is a garbage.", w.peek().unwrap_or("")))
        );
    }
    Ok(Parsed { ns, cmd, first_word: first })
}

fn unknown_sub(w: &Words<'_>, obj: &str, sub: &str) -> PErr {
    w.err_prev(format!("Command \"{sub}\" is unknown, try \"ip {obj} help\"."))
}

fn netns(w: &mut Words<'_>, ns: Option<String>, background: bool, first: usize) -> Result<Parsed, PErr> {
    let sub = w.take().unwrap_or("list");
    let name = |w: &mut Words<'_>| -> Result<String, PErr> {
        let n = w.take().ok_or_else(|| w.err("No netns name specified"))?;
        if !w.done() {
            return Err(w.err("one namespace name per command"));
        }
        Ok(n.to_string())
    };
    let cmd = if matches(sub, "list") || sub == "show" {
        Command::NetnsList
    } else if matches(sub, "add") {
        Command::NetnsAdd { name: name(w)? }
    } else if matches(sub, "delete") {
        Command::NetnsDel { name: name(w)? }
    } else if matches(sub, "exec") {
        let target = w.take().ok_or_else(|| w.err("No netns name specified"))?.to_string();
        if w.done() {
            return Err(w.err("No command specified"));
        }
        let offset = w.pos();
        let inner = parse_words(w.rest(), Some(target), background)?;
        return Ok(Parsed { first_word: inner.first_word + offset, ..inner });
    } else {
        return Err(unknown_sub(w, "netns", sub));
    };
    Ok(Parsed { ns, cmd, first_word: first })
}

/// C's `strtol(s, &end, 0)` over all of `s`, as iproute2's `get_integer()` reads a number:
/// leading blanks, a sign, then hex (`0x`), octal (`0`) or decimal digits, and nothing after.
fn c_integer(s: &str) -> Option<i64> {
    let t = s.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let (neg, t) = match t.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let (radix, digits) = if let Some(h) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        (16, h)
    } else if t.len() > 1 && t.starts_with('0') {
        (8, &t[1..])
    } else {
        (10, t)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let v = i64::from_str_radix(digits.get(..digits.len().min(24))?, radix).ok()?;
    Some(if neg { -v } else { v })
}

/// `mtu N`: an `int` as `ip` reads it. A negative one reaches the kernel, which refuses it.
fn mtu(w: &mut Words<'_>) -> Result<u32, PErr> {
    let v = w.value("mtu", "an MTU")?;
    match c_integer(v) {
        Some(n) if (0..=i64::from(i32::MAX)).contains(&n) => Ok(n as u32),
        Some(n) if n < 0 && n >= i64::from(i32::MIN) => Err(w
            .err_prev("Error: mtu less than device minimum.")
            .hint("an MTU is at least 68 (0 on lo); nslab takes no negative MTU")),
        _ => Err(w
            .err_prev(format!("Error: argument \"{v}\" is wrong: Invalid \"mtu\" value"))
            .hint("an MTU is a number: 68 to 65535 on a veth or bridge")),
    }
}

fn link(w: &mut Words<'_>) -> Result<Command, PErr> {
    let sub = w.take().unwrap_or("show");
    if matches(sub, "add") {
        let mut name = None;
        let mut kind = None;
        let mut netns = None;
        while let Some(a) = w.take() {
            match a {
                "name" | "dev" => name = Some(w.value(a, "an interface name")?.to_string()),
                "netns" if kind.is_none() => {
                    let v = w.value(a, "a namespace name")?;
                    if netns.is_some() {
                        return Err(w.err_prev(format!("Error: duplicate \"netns\": \"{v}\" is the second value.")));
                    }
                    netns = Some(v.to_string());
                }
                "type" => {
                    let t = w.value("type", "a link type (veth, bridge)")?;
                    kind = Some(match t {
                        "veth" => veth_peer(w)?,
                        "bridge" => LinkKind::Bridge,
                        _ => {
                            return Err(w
                                .err_prev(format!("not supported yet: link type {t}"))
                                .hint("nslab makes veth pairs and bridges"));
                        }
                    });
                }
                "address" | "mtu" | "txqueuelen" | "link" => {
                    return Err(w.err_prev(format!("not supported yet: ip link add … {a}")));
                }
                _ if name.is_none() => name = Some(a.to_string()),
                _ => return Err(w.err_prev(format!("Error: either \"dev\" is duplicate, or \"{a}\" is a garbage."))),
            }
        }
        let name = name.ok_or_else(|| w.err("Not enough information: \"dev\" argument is required."))?;
        let kind = kind.ok_or_else(|| w.err("Not enough information: \"type\" argument is required."))?;
        Ok(Command::LinkAdd { name, netns, kind })
    } else if matches(sub, "delete") {
        let dev = dev_arg(w)?.ok_or_else(|| w.err("Not enough information: \"dev\" argument is required."))?;
        Ok(Command::LinkDel { dev })
    } else if matches(sub, "set") || matches(sub, "change") {
        let mut s = LinkSet::default();
        let mut dev = None;
        while let Some(a) = w.take() {
            match a {
                "up" => s.up = Some(true),
                "down" => s.up = Some(false),
                "dev" => dev = Some(w.value("dev", "an interface name")?.to_string()),
                "netns" => s.netns = Some(w.value("netns", "a namespace name")?.to_string()),
                "address" => {
                    let v = w.value("address", "a MAC address")?;
                    s.address = Some(v.parse().map_err(|e: sim_core::mac::MacParseError| w.err_prev(e.to_string()))?);
                }
                "mtu" => s.mtu = Some(mtu(w)?),
                "name" => s.name = Some(w.value("name", "a new interface name")?.to_string()),
                "master" => s.master = Some(w.value("master", "a bridge name")?.to_string()),
                "nomaster" => s.nomaster = true,
                "type" => {
                    if w.take() != Some("bridge") {
                        return Err(w.err_prev("not supported yet: ip link set … type other than bridge"));
                    }
                    while let Some(o) = w.peek() {
                        match o {
                            "ageing_time" => {
                                w.take();
                                s.ageing_time = Some(w.parse_value("ageing_time", "centiseconds")?);
                            }
                            "mcast_snooping" => {
                                w.take();
                                let v: u8 = w.parse_value("mcast_snooping", "0 or 1")?;
                                if v != 0 {
                                    return Err(w
                                        .err_prev("not supported yet: mcast_snooping 1 (IGMP/MLD snooping)")
                                        .hint("nslab's bridges flood multicast and join no snoopers' group, as with `mcast_snooping 0`"));
                                }
                                s.no_mcast_snooping = true;
                            }
                            "stp_state" | "forward_delay" | "vlan_filtering" | "priority" | "hello_time"
                            | "max_age" => {
                                w.take();
                                return Err(w.err_prev(format!("not supported yet: bridge option {o}")));
                            }
                            _ => break,
                        }
                    }
                }
                "promisc" | "arp" | "multicast" | "txqueuelen" | "alias" | "group" => {
                    return Err(w.err_prev(format!("not supported yet: ip link set … {a}")));
                }
                _ if dev.is_none() => dev = Some(a.to_string()),
                _ => return Err(w.err_prev(format!("Error: either \"dev\" is duplicate, or \"{a}\" is a garbage."))),
            }
        }
        s.dev = dev.ok_or_else(|| w.err("Not enough information: \"dev\" argument is required."))?;
        if s == (LinkSet { dev: s.dev.clone(), ..Default::default() }) {
            return Err(w
                .err("ip link set needs a setting")
                .hint("up, down, netns NS, address MAC, mtu N or name NEW"));
        }
        Ok(Command::LinkSet(s))
    } else if matches(sub, "show") || matches(sub, "list") || sub == "lst" {
        Ok(Command::LinkShow {
            dev: dev_arg(w)?,
            stats: false,
            errors: false,
            details: false,
            fmt: Format::Text,
            color: false,
        })
    } else {
        Err(unknown_sub(w, "link", sub))
    }
}

fn veth_peer(w: &mut Words<'_>) -> Result<LinkKind, PErr> {
    if w.take() != Some("peer") {
        return Err(w.err_prev("a veth needs its peer: `type veth peer name PEER`"));
    }
    let mut peer = None;
    let mut peer_netns = None;
    while let Some(a) = w.take() {
        match a {
            "name" => peer = Some(w.value("name", "the peer's name")?.to_string()),
            "netns" => peer_netns = Some(w.value("netns", "a namespace name")?.to_string()),
            "address" | "mtu" => return Err(w.err_prev(format!("not supported yet: peer {a}"))),
            _ if peer.is_none() => peer = Some(a.to_string()),
            _ => return Err(w.err_prev(format!("Error: either \"dev\" is duplicate, or \"{a}\" is a garbage."))),
        }
    }
    let peer = peer.ok_or_else(|| w.err("a veth needs its peer's name: `peer name PEER`"))?;
    Ok(LinkKind::Veth { peer, peer_netns })
}

fn dev_arg(w: &mut Words<'_>) -> Result<Option<String>, PErr> {
    match w.take() {
        None => Ok(None),
        Some("dev") => Ok(Some(w.value("dev", "an interface name")?.to_string())),
        Some(d) => Ok(Some(d.to_string())),
    }
}

fn addr(w: &mut Words<'_>) -> Result<Command, PErr> {
    let sub = w.take().unwrap_or("show");
    if matches(sub, "add") || matches(sub, "delete") {
        let mut dev = None;
        let mut a: Option<Cidr> = None;
        let mut brd = None;
        let mut plus = false;
        while let Some(x) = w.take() {
            match x {
                "dev" => dev = Some(w.value("dev", "an interface name")?.to_string()),
                "brd" | "broadcast" => match w.value(x, "an address or +")? {
                    "+" => plus = true,
                    v => {
                        brd =
                            Some(v.parse::<Ipv4Addr>().map_err(|_| {
                                w.err_prev(format!("Error: inet address is expected rather than \"{v}\"."))
                            })?)
                    }
                },
                "label" | "scope" | "valid_lft" | "preferred_lft" | "noprefixroute" | "peer" => {
                    return Err(w.err_prev(format!("not supported yet: ip addr {sub} … {x}")));
                }
                "local" => {
                    let v = w.value("local", "an address")?;
                    a = Some(cidr(w, v)?);
                }
                _ if a.is_none() => a = Some(cidr(w, x)?),
                _ => return Err(w.err_prev(format!("Error: either \"local\" is duplicate, or \"{x}\" is a garbage."))),
            }
        }
        let a = a.ok_or_else(|| w.err("an address is required: `ip addr add 192.0.2.1/24 dev DEV`"))?;
        let dev = dev.ok_or_else(|| w.err("Not enough information: \"dev\" argument is required."))?;
        if plus {
            let host = !crate_mask(a.prefix);
            brd = Some(Ipv4Addr::from(u32::from(a.addr) | host));
        }
        if matches(sub, "add") {
            Ok(Command::AddrAdd { addr: a, dev, brd })
        } else {
            Ok(Command::AddrDel { addr: a, dev })
        }
    } else if matches(sub, "flush") {
        match dev_arg(w)? {
            Some(dev) => Ok(Command::AddrFlush { dev }),
            None => Err(w.err("Flush requires arguments.").hint("ip addr flush dev DEV")),
        }
    } else if matches(sub, "show") || matches(sub, "list") || sub == "lst" {
        Ok(Command::AddrShow {
            dev: dev_arg(w)?,
            inet: false,
            stats: false,
            errors: false,
            details: false,
            fmt: Format::Text,
            color: false,
        })
    } else {
        Err(unknown_sub(w, "address", sub))
    }
}

fn crate_mask(prefix: u8) -> u32 {
    if prefix == 0 { 0 } else { u32::MAX << (32 - u32::from(prefix)) }
}

/// An address with optional `/LEN` (a bare address is /32, as iproute2 takes it).
fn cidr(w: &Words<'_>, s: &str) -> Result<Cidr, PErr> {
    Cidr::parse(s, Some(32))
        .map_err(|_| w.err_prev(format!("Error: any valid prefix is expected rather than \"{s}\".")))
}

fn route(w: &mut Words<'_>, family: Option<u8>) -> Result<Command, PErr> {
    let sub = w.take().unwrap_or("show");
    if matches(sub, "add") || matches(sub, "delete") || matches(sub, "replace") {
        let mut to: Option<Cidr> = None;
        let mut r = RouteArgs {
            to: Cidr { addr: Ipv4Addr::UNSPECIFIED, prefix: 0 },
            via: None,
            dev: None,
            metric: None,
            src: None,
            proto: None,
            onlink: false,
        };
        while let Some(x) = w.take() {
            match x {
                "via" => {
                    let v = w.value("via", "a gateway address")?;
                    r.via =
                        Some(v.parse().map_err(|_| {
                            w.err_prev(format!("Error: inet address is expected rather than \"{v}\"."))
                        })?);
                }
                "dev" | "oif" => r.dev = Some(w.value(x, "an interface name")?.to_string()),
                "metric" | "priority" | "preference" => r.metric = Some(w.parse_value(x, "metric")?),
                "src" => r.src = Some(w.parse_value("src", "address")?),
                "proto" | "protocol" => {
                    let p = w.value(x, "a protocol")?;
                    if !["static", "boot", "kernel", "dhcp"].contains(&p) {
                        return Err(w.err_prev(format!("not supported yet: proto {p}")));
                    }
                    r.proto = Some(p.to_string());
                }
                "onlink" => r.onlink = true,
                "to" => {
                    let v = w.value("to", "a destination")?;
                    to = Some(prefix(w, v)?);
                }
                "scope" => {
                    // The kernel's default scope (link without a gateway, global with one) is
                    // all nslab models; saying it explicitly is fine.
                    let v = w.value("scope", "link or global")?;
                    let implied = if r.via.is_some() { "global" } else { "link" };
                    if v != implied && !(v == "universe" && implied == "global") {
                        return Err(w.err_prev(format!(
                            "not supported yet: scope {v} on this route (nslab derives {implied})"
                        )));
                    }
                }
                "table" | "mtu" | "nexthop" | "type" | "tos" | "realm" => {
                    return Err(w.err_prev(format!("not supported yet: ip route {sub} … {x}")));
                }
                _ if to.is_none() => to = Some(prefix(w, x)?),
                _ => return Err(w.err_prev(format!("Error: either \"to\" is duplicate, or \"{x}\" is a garbage."))),
            }
        }
        r.to = to.ok_or_else(|| w.err("a destination is required: `default` or a prefix like 198.51.100.0/24"))?;
        if matches(sub, "add") || matches(sub, "replace") {
            if r.via.is_none() && r.dev.is_none() {
                return Err(w.err("a route needs `via GATEWAY` or `dev DEVICE`"));
            }
            Ok(if matches(sub, "add") { Command::RouteAdd(r) } else { Command::RouteReplace(r) })
        } else {
            Ok(Command::RouteDel(r))
        }
    } else if matches(sub, "show") || matches(sub, "list") || sub == "lst" {
        let dev = match w.take() {
            None => None,
            Some("dev") => Some(w.value("dev", "an interface name")?.to_string()),
            Some(x) => {
                return Err(w
                    .err_prev(format!("not supported yet: ip route show {x}"))
                    .hint("nslab shows the main table, optionally `dev DEV`"));
            }
        };
        Ok(Command::RouteShow { dev, fmt: Format::Text, color: false })
    } else if matches(sub, "get") {
        route_get(w, family)
    } else if matches(sub, "change") || matches(sub, "flush") || matches(sub, "append") {
        Err(w.err_prev(format!("not supported yet: ip route {sub}")))
    } else {
        Err(unknown_sub(w, "route", sub))
    }
}

/// `ip route get [to] ADDR [from ADDR]`.
/// `ip [-4|-6] route get ADDR [from ADDR]`: the family is `-4`'s or `-6`'s, else the
/// first address's, and a word that is not one is refused in iproute2's words.
pub(super) fn route_get(w: &mut Words<'_>, mut family: Option<u8>) -> Result<Command, PErr> {
    let mut dst = None;
    let mut from = None;
    let mut addr = |w: &Words<'_>, v: &str| -> Result<std::net::IpAddr, PErr> {
        let a = of_family(v, family, "prefix").map_err(|e| w.err_prev(e))?;
        family = Some(if a.is_ipv4() { 4 } else { 6 });
        Ok(a)
    };
    while let Some(x) = w.take() {
        match x {
            "to" => {
                let v = w.value("to", "an address")?;
                dst = Some(addr(w, v)?);
            }
            "from" => {
                let v = w.value("from", "an address")?;
                from = Some(addr(w, v)?);
            }
            "iif" | "oif" | "dev" | "mark" | "tos" | "dsfield" | "vrf" | "ipproto" | "sport" | "dport"
            | "connected" | "fibmatch" | "uid" => {
                return Err(w.err_prev(format!("not supported yet: ip route get … {x}")));
            }
            _ if dst.is_none() => dst = Some(addr(w, x)?),
            _ => return Err(w.err_prev(format!("Error: either \"to\" is duplicate, or \"{x}\" is a garbage."))),
        }
    }
    let dst = dst.ok_or_else(|| w.err("need at least a destination address"))?;
    Ok(Command::RouteGet { dst, from })
}

fn prefix(w: &Words<'_>, s: &str) -> Result<Cidr, PErr> {
    if s == "default" || s == "all" || s == "any" {
        return Ok(Cidr { addr: Ipv4Addr::UNSPECIFIED, prefix: 0 });
    }
    cidr(w, s)
}

fn neigh(w: &mut Words<'_>, family: Option<u8>) -> Result<Command, PErr> {
    let sub = w.take().unwrap_or("show");
    if matches(sub, "show") || matches(sub, "list") || sub == "lst" {
        Ok(Command::NeighShow { dev: dev_arg(w)?, fmt: Format::Text, color: false })
    } else if matches(sub, "flush") {
        match w.take() {
            None => Err(w.err("Flush requires arguments.").hint("ip neigh flush all, or ip neigh flush dev DEV")),
            Some("all") | Some("any") | Some("default") => Ok(Command::NeighFlush { dev: None }),
            Some("dev") => Ok(Command::NeighFlush { dev: Some(w.value("dev", "an interface name")?.to_string()) }),
            Some(x) => Err(w.err_prev(format!("not supported yet: ip neigh flush {x}"))),
        }
    } else if matches(sub, "add") {
        neigh_set(w, NeighOp::Add, family)
    } else if matches(sub, "delete") {
        neigh_set(w, NeighOp::Del, family)
    } else if matches(sub, "replace") {
        neigh_set(w, NeighOp::Replace, family)
    } else if matches(sub, "change") || sub == "chg" {
        neigh_set(w, NeighOp::Change, family)
    } else if matches(sub, "get") {
        Err(w.err_prev(format!("not supported yet: ip neigh {sub}")))
    } else {
        Err(unknown_sub(w, "neigh", sub))
    }
}

/// `ip [-4|-6] neigh add|replace|change|del ADDR [lladdr MAC] dev DEV [nud STATE]`, with
/// the words and messages of iproute2's `ipneigh_modify()`; `family` is `-4`'s or `-6`'s
/// (none: the address's own).
pub(super) fn neigh_set(w: &mut Words<'_>, op: NeighOp, family: Option<u8>) -> Result<Command, PErr> {
    let mut addr = None;
    let mut lladdr = None;
    let mut dev = None;
    let mut nud = None;
    while let Some(a) = w.take() {
        match a {
            "lladdr" => {
                let v = w.value("lladdr", "a MAC address")?;
                lladdr = Some(v.parse().map_err(|_| w.err_prev("Error: Invalid link address."))?);
            }
            "dev" => dev = Some(w.value("dev", "an interface name")?.to_string()),
            "nud" => {
                let v = w.value("nud", "a state")?;
                nud = Some(match v {
                    "permanent" | "perm" => NeighNud::Permanent,
                    "reachable" => NeighNud::Reachable,
                    "stale" => NeighNud::Stale,
                    "noarp" | "delay" | "probe" | "failed" | "incomplete" | "none" => {
                        return Err(w.err_prev(format!("not supported yet: ip neigh … nud {v}")));
                    }
                    _ => return Err(w.err_prev(format!("Error: argument \"{v}\" is wrong: nud state is bad"))),
                });
            }
            "to" => addr = Some(w.value("to", "an address")?),
            "proxy" | "router" | "extern_learn" | "use" | "managed" | "protocol" => {
                return Err(w.err_prev(format!("not supported yet: ip neigh … {a}")));
            }
            _ if addr.is_none() => addr = Some(a),
            _ => return Err(w.err_prev(format!("Error: either \"to\" is duplicate, or \"{a}\" is a garbage."))),
        }
    }
    let (Some(addr), Some(dev)) = (addr, dev) else {
        return Err(w
            .err("Device and destination are required arguments.")
            .hint("ip neigh add ADDR lladdr MAC dev DEV"));
    };
    let addr = of_family(addr, family, "address").map_err(|e| w.err(e))?;
    Ok(Command::NeighSet(NeighSetCmd { op, addr, lladdr, dev, nud }))
}

/// An address of `family` (`-4`, `-6`, or none: either), or iproute2's words for what is
/// not one (`get_addr`/`get_prefix`: "inet6 prefix is expected rather than …"; `what` is
/// `address` or `prefix`).
fn of_family(v: &str, family: Option<u8>, what: &str) -> Result<std::net::IpAddr, String> {
    let a = v.parse::<std::net::IpAddr>().ok().filter(|a| match family {
        Some(4) => a.is_ipv4(),
        Some(6) => a.is_ipv6(),
        _ => true,
    });
    let name = match family {
        Some(4) => "inet",
        Some(6) => "inet6",
        _ => "any valid",
    };
    a.ok_or_else(|| format!("Error: {name} {what} is expected rather than \"{v}\"."))
}
