//! What a net-tools line (`route`, `ifconfig`, `arp`, `netstat`) is in iproute2: nslab
//! does not model net-tools, and refuses such a line naming the exact `ip` (or `ss`) line
//! that does the same, so that the only edit a pasted tutorial needs is the one the error
//! names. Owns only that translation; it runs nothing and must not grow a second parser
//! of `ip`'s own syntax.
//!
//! The meanings are net-tools 2.10's as measured on Linux: `ifconfig IF A` takes the
//! address class's prefix (`inet_abc_len`: 10.1.2.3 is /8), sets the broadcast address and
//! brings the device up; `route add -net A` without `netmask` is refused by the kernel
//! (`SIOCADDRT: Invalid argument`); `route … metric N` is `ip route … metric N`.

use std::net::Ipv4Addr;

/// How an error names the iproute2 command(s) that do what `prog args` does, when nslab
/// can say it exactly: "`ip …`", or "`ip …` then `ip …`" where it takes two lines.
pub fn hint(prog: &str, args: &[&str]) -> Option<String> {
    let line = as_ip(prog, args)?;
    let parts: Vec<String> = line.split(" && ").map(|l| format!("`{l}`")).collect();
    let what = if parts.len() > 1 { "these commands" } else { "this command" };
    Some(format!("net-tools are not modelled; in iproute2 {what}: {}", parts.join(", then ")))
}

/// The iproute2 line that does what `prog args` does (two joined by ` && `), when nslab
/// can say it exactly.
pub fn as_ip(prog: &str, args: &[&str]) -> Option<String> {
    match prog {
        "route" => route(args),
        "ifconfig" => ifconfig(args),
        "arp" => arp(args),
        "netstat" => netstat(args),
        _ => None,
    }
}

/// Options that change only how a listing looks (`-n`, `-e`, `-v`…).
fn display_only(args: &[&str]) -> bool {
    args.iter().all(|a| a.starts_with('-') && a.len() > 1 && a[1..].chars().all(|c| matches!(c, 'n' | 'e' | 'v' | 'F')))
}

fn route(args: &[&str]) -> Option<String> {
    if display_only(args) {
        return Some("ip route".into());
    }
    let (verb, rest) = args.split_first()?;
    let verb = match *verb {
        "add" => "add",
        "del" | "delete" => "del",
        _ => return None,
    };
    let mut host = false;
    let mut target = None;
    let (mut mask, mut gw, mut metric, mut dev) = (None, None, None, None);
    let mut it = rest.iter();
    while let Some(&a) = it.next() {
        match a {
            "-net" => host = false,
            "-host" => host = true,
            "netmask" => mask = Some(it.next()?.parse::<Ipv4Addr>().ok()?),
            "gw" => gw = Some(*it.next()?),
            "metric" => metric = Some(it.next()?.parse::<u32>().ok()?),
            "dev" => dev = Some(*it.next()?),
            _ if target.is_none() => target = Some(a),
            _ if dev.is_none() => dev = Some(a),
            _ => return None,
        }
    }
    let target = target?;
    let dst = if target == "default" || target == "0.0.0.0" && mask.is_none() {
        "default".to_string()
    } else if target.contains('/') {
        target.to_string()
    } else {
        let a: Ipv4Addr = target.parse().ok()?;
        match (host, mask) {
            (true, _) => a.to_string(),
            (false, Some(m)) => format!("{a}/{}", prefix(m)?),
            (false, None) => return None, // the kernel refuses it: no exact line to name
        }
    };
    let mut line = format!("ip route {verb} {dst}");
    if let Some(g) = gw {
        line.push_str(&format!(" via {g}"));
    }
    if let Some(d) = dev {
        line.push_str(&format!(" dev {d}"));
    }
    if let Some(m) = metric.filter(|m| *m > 0) {
        line.push_str(&format!(" metric {m}"));
    }
    Some(line)
}

/// The prefix length of a contiguous netmask.
fn prefix(mask: Ipv4Addr) -> Option<u32> {
    let m = u32::from(mask);
    (m.leading_ones() + m.trailing_zeros() == 32).then(|| m.leading_ones())
}

/// `inet_abc_len`: the classful prefix the kernel gives an address set without a mask.
fn classful(a: Ipv4Addr) -> Option<u32> {
    match a.octets()[0] {
        0..=127 => Some(8),
        128..=191 => Some(16),
        192..=223 => Some(24),
        _ => None,
    }
}

fn ifconfig(args: &[&str]) -> Option<String> {
    match args {
        [] | ["-a"] => return Some("ip addr".into()),
        ["-s"] | ["-a", "-s"] | ["-s", "-a"] => return Some("ip -s link".into()),
        [dev] => return Some(format!("ip addr show dev {dev}")),
        _ => {}
    }
    let (dev, rest) = args.split_first()?;
    let mut link = Vec::new();
    let mut addr: Option<(Ipv4Addr, Option<u32>)> = None;
    let mut mask = None;
    let mut brd = None;
    let mut up = None;
    let mut it = rest.iter();
    while let Some(&a) = it.next() {
        match a {
            "up" => up = Some(true),
            "down" => up = Some(false),
            "netmask" => mask = Some(prefix(it.next()?.parse().ok()?)?),
            "broadcast" => brd = Some(*it.next()?),
            "mtu" => link.push(format!("mtu {}", it.next()?.parse::<u32>().ok()?)),
            "hw" => {
                if *it.next()? != "ether" {
                    return None;
                }
                link.push(format!("address {}", it.next()?));
            }
            "promisc" => link.push("promisc on".into()),
            "-promisc" => link.push("promisc off".into()),
            "arp" => link.push("arp on".into()),
            "-arp" => link.push("arp off".into()),
            _ if addr.is_none() => {
                let (a, len) = match a.split_once('/') {
                    Some((a, l)) => (a, Some(l.parse::<u32>().ok().filter(|l| *l <= 32)?)),
                    None => (a, None),
                };
                addr = Some((a.parse().ok()?, len));
            }
            _ => return None,
        }
    }
    let mut lines = Vec::new();
    if let Some((a, len)) = addr {
        let len = mask.or(len).or_else(|| classful(a))?;
        let brd = brd.unwrap_or("+");
        lines.push(format!("ip addr add {a}/{len} brd {brd} dev {dev}"));
        // An address set this way brings the device up too.
        up.get_or_insert(true);
    } else if mask.is_some() || brd.is_some() {
        return None;
    }
    if let Some(u) = up {
        link.push(if u { "up" } else { "down" }.into());
    }
    if !link.is_empty() {
        lines.push(format!("ip link set {dev} {}", link.join(" ")));
    }
    (!lines.is_empty()).then(|| lines.join(" && "))
}

fn arp(args: &[&str]) -> Option<String> {
    let mut dev = None;
    let mut action = None;
    let mut it = args.iter();
    while let Some(&a) = it.next() {
        match a {
            "-i" => dev = Some(*it.next()?),
            "-s" => action = Some(("s", *it.next()?, Some(*it.next()?))),
            "-d" => action = Some(("d", *it.next()?, None)),
            _ if a.starts_with('-') && a[1..].chars().all(|c| matches!(c, 'a' | 'n' | 'e' | 'v')) => {}
            _ => return None,
        }
    }
    let on = |d: Option<&str>| d.map(|d| format!(" dev {d}")).unwrap_or_default();
    Some(match action {
        None => format!("ip neigh{}", dev.map(|d| format!(" show dev {d}")).unwrap_or_default()),
        Some(("s", a, Some(mac))) => {
            format!("ip neigh replace {a} lladdr {mac}{} nud permanent", on(Some(dev.unwrap_or("DEV"))))
        }
        Some((_, a, _)) => format!("ip neigh del {a}{}", on(Some(dev.unwrap_or("DEV")))),
    })
}

fn netstat(args: &[&str]) -> Option<String> {
    let letters: String =
        args.iter().map(|a| a.strip_prefix('-').filter(|l| !l.starts_with('-'))).collect::<Option<_>>()?;
    if letters.contains('r') {
        return letters.chars().all(|c| matches!(c, 'r' | 'n' | 'e')).then(|| "ip route".into());
    }
    if letters.contains('i') {
        return letters.chars().all(|c| matches!(c, 'i' | 'n' | 'e')).then(|| "ip -s link".into());
    }
    // The socket listings: ss takes the same letters.
    let keep: String =
        letters.chars().filter(|c| matches!(c, 't' | 'u' | 'l' | 'a' | 'n' | 'p' | 'x' | 'w' | 'e')).collect();
    (keep.len() == letters.len() && !keep.is_empty()).then(|| format!("ss -{keep}"))
}

#[cfg(test)]
mod tests {
    use super::as_ip;

    fn ip(line: &str) -> Option<String> {
        let w: Vec<&str> = line.split_whitespace().collect();
        as_ip(w[0], &w[1..])
    }

    #[test]
    fn route_lines_as_seed_000_writes_them() {
        let cases = [
            ("route", "ip route"),
            ("route -n", "ip route"),
            (
                "route add -net 172.18.0.0 gw 172.19.0.2 netmask 255.255.0.0 eth0",
                "ip route add 172.18.0.0/16 via 172.19.0.2 dev eth0",
            ),
            (
                "route add -net 192.168.0.0 netmask 255.255.0.0 gw 172.20.0.1 metric 5 v1",
                "ip route add 192.168.0.0/16 via 172.20.0.1 dev v1 metric 5",
            ),
            ("route add -host 10.8.0.1 gw 172.20.0.1", "ip route add 10.8.0.1 via 172.20.0.1"),
            ("route add default gw 10.0.0.1", "ip route add default via 10.0.0.1"),
            ("route del default gw 10.0.0.1 dev eth0", "ip route del default via 10.0.0.1 dev eth0"),
        ];
        for (line, want) in cases {
            assert_eq!(ip(line).as_deref(), Some(want), "{line}");
        }
        // The kernel refuses a network without its mask; nothing exact to name.
        assert_eq!(ip("route add -net 10.9.0.0 gw 172.20.0.1 v1"), None);
        assert_eq!(ip("route add -net 10.0.0.0 netmask 255.0.255.0 dev x"), None);
        assert_eq!(ip("route flush"), None);
    }

    #[test]
    fn the_hint_names_each_command() {
        let w = ["v0", "10.1.2.3"];
        assert_eq!(
            super::hint("ifconfig", &w).as_deref(),
            Some(
                "net-tools are not modelled; in iproute2 these commands: `ip addr add 10.1.2.3/8 brd + dev v0`, then `ip link set v0 up`"
            )
        );
        assert_eq!(
            super::hint("arp", &["-n"]).as_deref(),
            Some("net-tools are not modelled; in iproute2 this command: `ip neigh`")
        );
        assert_eq!(super::hint("ping", &[]), None);
    }

    #[test]
    fn ifconfig_arp_and_netstat_lines() {
        let cases = [
            ("ifconfig", "ip addr"),
            ("ifconfig eth0", "ip addr show dev eth0"),
            ("ifconfig v0 10.1.2.3", "ip addr add 10.1.2.3/8 brd + dev v0 && ip link set v0 up"),
            (
                "ifconfig v1 172.20.0.5 netmask 255.255.255.0 up",
                "ip addr add 172.20.0.5/24 brd + dev v1 && ip link set v1 up",
            ),
            ("ifconfig eth0 down", "ip link set eth0 down"),
            ("ifconfig eth0 hw ether 02:00:00:00:00:01", "ip link set eth0 address 02:00:00:00:00:01"),
            ("ifconfig eth0 mtu 1400 up", "ip link set eth0 mtu 1400 up"),
            ("arp -a", "ip neigh"),
            ("arp -n -i eth0", "ip neigh show dev eth0"),
            (
                "arp -i eth0 -s 10.0.0.9 02:00:00:00:00:09",
                "ip neigh replace 10.0.0.9 lladdr 02:00:00:00:00:09 dev eth0 nud permanent",
            ),
            ("arp -d 10.0.0.9", "ip neigh del 10.0.0.9 dev DEV"),
            ("netstat -rn", "ip route"),
            ("netstat -i", "ip -s link"),
            ("netstat -tulpn", "ss -tulpn"),
        ];
        for (line, want) in cases {
            assert_eq!(ip(line).as_deref(), Some(want), "{line}");
        }
        assert_eq!(ip("ifconfig eth0 224.0.0.1"), None);
        assert_eq!(ip("netstat -s"), None);
    }
}
