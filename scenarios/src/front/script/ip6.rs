//! `ip -6 …` (and `ip addr add|del` of an IPv6 address, which iproute2 takes as `-6`):
//! addresses and `ip -6 route show`, with iproute2's messages for what is not one.

use super::words::{PErr, Words, matches};
use crate::command::{Cidr6, Command, Format, Ip6Command, NeighOp, Route6Args};

/// True when `ip addr add|del` names an IPv6 address (the family iproute2 then takes).
pub fn names_v6_addr(w: &Words<'_>) -> bool {
    let rest = w.rest();
    let Some((sub, _)) = rest.first() else { return false };
    if !(matches(sub, "add") || matches(sub, "delete")) {
        return false;
    }
    let mut it = rest[1..].iter().map(|(x, _)| x.as_str());
    while let Some(x) = it.next() {
        match x {
            "dev" | "label" | "brd" | "broadcast" | "scope" | "valid_lft" | "preferred_lft" | "peer" => {
                it.next();
            }
            "local" => return it.next().is_some_and(|a| a.contains(':')),
            a => return a.contains(':'),
        }
    }
    false
}

/// Parses `ip -6 OBJ …` after the object's name; `implied`: no `-6` was given, the
/// address itself said IPv6 (a bad one is then "any valid prefix", as iproute2 says).
pub fn parse(
    w: &mut Words<'_>,
    obj: &str,
    brief: bool,
    fmt: Format,
    color: bool,
    implied: bool,
) -> Result<Command, PErr> {
    if matches(obj, "address") {
        return addr(w, brief, fmt, color, implied).map(Command::Ip6);
    }
    if brief {
        return Err(w.err_prev(format!("not supported yet: ip -6 -br {obj}")));
    }
    if matches(obj, "route") {
        let sub = w.take().unwrap_or("show");
        if matches(sub, "add") || matches(sub, "delete") {
            let r = route_args(w, implied)?;
            return Ok(Command::Ip6(if matches(sub, "add") {
                Ip6Command::RouteAdd(r)
            } else {
                Ip6Command::RouteDel(r)
            }));
        }
        if matches(sub, "get") {
            return super::ip::route_get(w, Some(6));
        }
        if !(matches(sub, "show") || matches(sub, "list")) {
            return Err(w.err_prev(format!("not supported yet: ip -6 route {sub}")));
        }
        if fmt != Format::Text {
            return Err(w.err_prev("not supported yet: ip -6 route show with -j or -o"));
        }
        // A bare word selects routes (`default`, a prefix), as for IPv4: only `dev DEV` so far.
        let dev = match w.take() {
            None => None,
            Some("dev") => Some(w.value("dev", "an interface name")?.to_string()),
            Some(x) => {
                return Err(w
                    .err_prev(format!("not supported yet: ip -6 route show {x}"))
                    .hint("nslab shows the main table, optionally `dev DEV`"));
            }
        };
        return Ok(Command::Ip6(Ip6Command::RouteShow { dev, color }));
    }
    if matches(obj, "neighbor") || matches(obj, "neighbour") {
        let sub = w.take().unwrap_or("show");
        let op = if matches(sub, "add") {
            Some(NeighOp::Add)
        } else if matches(sub, "delete") {
            Some(NeighOp::Del)
        } else if matches(sub, "replace") {
            Some(NeighOp::Replace)
        } else if matches(sub, "change") || sub == "chg" {
            Some(NeighOp::Change)
        } else {
            None
        };
        if let Some(op) = op {
            return super::ip::neigh_set(w, op, Some(6));
        }
        if !(matches(sub, "show") || matches(sub, "list")) {
            return Err(w.err_prev(format!("not supported yet: ip -6 neigh {sub}")));
        }
        if fmt != Format::Text {
            return Err(w.err_prev("not supported yet: ip -6 neigh show with -j or -o"));
        }
        return Ok(Command::Ip6(Ip6Command::NeighShow { dev: dev_arg(w)?, color }));
    }
    Err(w
        .err_prev(format!("not supported yet: ip -6 {obj}"))
        .hint("nslab has `ip -6 addr`, `ip -6 route` and `ip -6 neigh` so far"))
}

/// `ip -6 route add|del`'s words after the verb.
fn route_args(w: &mut Words<'_>, implied: bool) -> Result<Route6Args, PErr> {
    let mut r = Route6Args {
        to: Cidr6 { addr: std::net::Ipv6Addr::UNSPECIFIED, prefix: 0 },
        via: None,
        dev: None,
        metric: None,
    };
    let mut to = None;
    while let Some(x) = w.take() {
        match x {
            "via" => {
                let v = w.value("via", "a gateway address")?;
                r.via = Some(
                    v.parse()
                        .map_err(|_| w.err_prev(format!("Error: inet6 address is expected rather than \"{v}\".")))?,
                );
            }
            "dev" | "oif" => r.dev = Some(w.value(x, "an interface name")?.to_string()),
            "metric" | "priority" | "preference" => r.metric = Some(w.parse_value(x, "metric")?),
            "proto" | "protocol" | "src" | "onlink" | "table" | "scope" | "mtu" | "pref" | "expires" => {
                return Err(w.err_prev(format!("not supported yet: ip -6 route … {x}")));
            }
            "to" => {
                let v = w.value("to", "a destination")?;
                to = Some(cidr6(w, v, implied)?);
            }
            "default" if to.is_none() => to = Some(r.to),
            _ if to.is_none() => to = Some(cidr6(w, x, implied)?),
            _ => return Err(w.err_prev(format!("Error: either \"to\" is duplicate, or \"{x}\" is a garbage."))),
        }
    }
    r.to = to.ok_or_else(|| w.err("a destination is required: `ip -6 route add 2001:db8:2::/64 via 2001:db8:1::1`"))?;
    Ok(r)
}

/// True when `ip route add|del` names an IPv6 address first: iproute2 takes
/// the family of the first address it reads, in the order given (`10.0.0.0/24 via
/// 2001:db8::1` is IPv4, and its gateway then the wrong family).
pub fn names_v6_route(w: &Words<'_>) -> bool {
    let rest = w.rest();
    let Some((sub, _)) = rest.first() else { return false };
    if !(matches(sub, "add") || matches(sub, "delete")) {
        return false;
    }
    let v6 = |x: &str| x.contains(':') && x.split('/').next().is_some_and(|a| a.parse::<std::net::Ipv6Addr>().is_ok());
    let mut it = rest[1..].iter().map(|(x, _)| x.as_str());
    while let Some(x) = it.next() {
        let a = match x {
            "to" | "via" | "src" => it.next().unwrap_or_default(),
            "dev" | "oif" | "metric" | "priority" | "preference" | "proto" | "protocol" | "scope" | "table" | "mtu"
            | "type" | "tos" | "realm" => {
                it.next();
                continue;
            }
            "onlink" | "default" => continue,
            x => x,
        };
        return v6(a);
    }
    false
}

fn dev_arg(w: &mut Words<'_>) -> Result<Option<String>, PErr> {
    match w.take() {
        None => Ok(None),
        Some("dev") => Ok(Some(w.value("dev", "an interface name")?.to_string())),
        Some(d) => Ok(Some(d.to_string())),
    }
}

fn addr(w: &mut Words<'_>, brief: bool, fmt: Format, color: bool, implied: bool) -> Result<Ip6Command, PErr> {
    let sub = w.take().unwrap_or("show");
    if matches(sub, "show") || matches(sub, "list") || sub == "lst" {
        if matches!(fmt, Format::Json | Format::JsonPretty) {
            return Err(w.err_prev("not supported yet: ip -j -6 addr"));
        }
        return Ok(Ip6Command::AddrShow { brief, dev: dev_arg(w)?, fmt, color });
    }
    if !(matches(sub, "add") || matches(sub, "delete")) {
        return Err(w.err_prev(format!("not supported yet: ip -6 addr {sub}")));
    }
    let (mut dev, mut a, mut nodad) = (None, None, false);
    while let Some(x) = w.take() {
        match x {
            "dev" => dev = Some(w.value("dev", "an interface name")?.to_string()),
            "nodad" => nodad = true,
            "brd" | "broadcast" => return Err(w.err_prev("Broadcast can be set only for IPv4 addresses")),
            "label" | "scope" | "valid_lft" | "preferred_lft" | "noprefixroute" | "peer" | "optimistic" | "home"
            | "mngtmpaddr" | "autojoin" => {
                return Err(w.err_prev(format!("not supported yet: ip -6 addr {sub} … {x}")));
            }
            "local" => {
                let v = w.value("local", "an address")?;
                a = Some(cidr6(w, v, implied)?);
            }
            _ if a.is_none() => a = Some(cidr6(w, x, implied)?),
            _ => return Err(w.err_prev(format!("Error: either \"local\" is duplicate, or \"{x}\" is a garbage."))),
        }
    }
    let a = a.ok_or_else(|| w.err("an address is required: `ip -6 addr add 2001:db8::1/64 dev DEV`"))?;
    let dev = dev.ok_or_else(|| w.err("Not enough information: \"dev\" argument is required."))?;
    if matches(sub, "add") {
        Ok(Ip6Command::AddrAdd { addr: a, dev, nodad })
    } else {
        Ok(Ip6Command::AddrDel { addr: a, dev })
    }
}

/// An IPv6 address with optional `/LEN` (a bare address is /128), refused as
/// `get_prefix` refuses it: an IPv4 address where IPv6 is wanted, a length past 128.
fn cidr6(w: &Words<'_>, s: &str, implied: bool) -> Result<Cidr6, PErr> {
    let family = if implied { "any valid" } else { "inet6" };
    s.parse().map_err(|_: String| w.err_prev(format!("Error: {family} prefix is expected rather than \"{s}\".")))
}

/// `ip -4 addr add|del` of an IPv6 address: what iproute2 says.
pub fn refuse_in_inet(w: &Words<'_>) -> Option<PErr> {
    let rest = w.rest();
    let a = rest.iter().skip(1).map(|(x, _)| x.as_str()).find(|x| x.contains(':'))?;
    names_v6_addr(w).then(|| w.err(format!("Error: inet prefix is expected rather than \"{a}\".")))
}
