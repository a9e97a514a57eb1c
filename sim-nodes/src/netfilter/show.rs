//! `iptables -L [-n] [-v]` and `iptables -S`, printed as iptables-nft 1.8.9 prints them.
//! (Without `-n` iptables would look names up; the simulated machine has no DNS and an
//! `/etc/services` of the usual ports, so addresses stay numeric and ports get names.)

use super::cli::{SERVICES, proto_name};
use super::rule::{Extra, Neg, Net, Ports, Rule, StateModule, Target, ct};
use super::table::{Chain, Counters, Table};
use std::fmt::Write as _;

fn num(n: u64) -> String {
    if n <= 99_999 {
        return format!("{n:>5} ");
    }
    let mut n = n.div_ceil(1000);
    for unit in ['K', 'M', 'G', 'T'] {
        if n <= 9_999 {
            return format!("{n:>4}{unit} ");
        }
        n = n.div_ceil(1000);
    }
    format!("{n:>4}P ")
}

fn addr(n: &Net, numeric: bool) -> String {
    if n.is_any() {
        let any = if n.addr.is_ipv6() { "::/0" } else { "0.0.0.0/0" };
        return if numeric { any.into() } else { "anywhere".into() };
    }
    if n.is_host() { n.addr.to_string() } else { n.to_string() }
}

/// A NAT target's address and ports as iptables writes them (`to:` in `-L`, the value of
/// `--to-source` in `-S`): an IPv6 address with ports in brackets.
fn nat_to(to: &std::net::IpAddr, ports: Option<Ports>) -> String {
    match (to, ports) {
        (_, None) => to.to_string(),
        (std::net::IpAddr::V6(a), Some(p)) => format!("[{a}]:{}", ports_range(p)),
        (a, Some(p)) => format!("{a}:{}", ports_range(p)),
    }
}

/// `libip6t_icmp6.c`'s name of a type (and code), if it has one.
fn icmpv6_name(t: u8, code: Option<u8>) -> Option<&'static str> {
    super::cli::ICMPV6_NAMES.iter().find(|(_, ty, c)| *ty == t && *c == code).map(|(n, ..)| *n)
}

fn service(p: u16, numeric: bool) -> String {
    if !numeric && let Some((_, s)) = SERVICES.iter().find(|(x, _)| *x == p) {
        return s.to_string();
    }
    p.to_string()
}

fn port_text(kind: &str, m: &Neg<Ports>, numeric: bool) -> String {
    let bang = if m.neg { "!" } else { "" };
    if m.v.0 == m.v.1 {
        format!("{kind}:{bang}{}", service(m.v.0, numeric))
    } else {
        format!("{kind}s:{bang}{}:{}", service(m.v.0, numeric), service(m.v.1, numeric))
    }
}

fn states(mask: u8) -> String {
    ct::NAMES.iter().filter(|(b, _)| mask & b != 0).map(|(_, n)| *n).collect::<Vec<_>>().join(",")
}

fn ports_range(p: Ports) -> String {
    if p.0 == p.1 { p.0.to_string() } else { format!("{}-{}", p.0, p.1) }
}

/// The rule's matches in the order they were given: the fixed ones (ports, ICMP type,
/// state) as `fixed` renders each, with the comment and multiport matches (`extra`) between
/// them where they came.
fn in_order(r: &Rule, fixed: [Option<String>; 3], extra: impl Fn(&Extra) -> String) -> String {
    let groups: Vec<String> = fixed.into_iter().flatten().collect();
    let mut s = String::new();
    for k in 0..=groups.len() {
        for (_, e) in r.extras.iter().filter(|(slot, _)| usize::from(*slot) == k) {
            s.push_str(&extra(e));
        }
        if let Some(g) = groups.get(k) {
            s.push_str(g);
        }
    }
    s
}

/// `-L`'s words for a comment or multiport match.
fn extra_l(e: &Extra, numeric: bool) -> String {
    match e {
        Extra::Comment(c) => format!(" /* {c} */"),
        Extra::Multiport(dir, m) => {
            let list: Vec<String> =
                m.v.iter()
                    .map(|&(a, b)| {
                        if a == b {
                            service(a, numeric)
                        } else {
                            format!("{}:{}", service(a, numeric), service(b, numeric))
                        }
                    })
                    .collect();
            let bang = if m.neg { " !" } else { "" };
            format!(" multiport {} {bang}{}", dir.word(), list.join(","))
        }
        Extra::Limit(l) => {
            let (rate, unit) = l.rate();
            format!(" limit: avg {rate}/{unit} burst {}", l.burst)
        }
    }
}

/// `-S`'s words for a comment or multiport match.
fn extra_s(e: &Extra) -> String {
    match e {
        Extra::Comment(c) => format!(" -m comment --comment {}", save_string(c)),
        Extra::Multiport(dir, m) => {
            let list: Vec<String> =
                m.v.iter().map(|&(a, b)| if a == b { a.to_string() } else { format!("{a}:{b}") }).collect();
            let mut s = " -m multiport".to_string();
            neg_opt(&mut s, m.neg, &format!("--{}", dir.word()), &list.join(","));
            s
        }
        Extra::Limit(l) => {
            let (rate, unit) = l.rate();
            let burst = if l.burst != 5 { format!(" --limit-burst {}", l.burst) } else { String::new() };
            format!(" -m limit --limit {rate}/{unit}{burst}")
        }
    }
}

/// A string as iptables saves it (`xtables_save_string`): bare if nothing in it needs
/// quoting, else in double quotes with `"` and `\` escaped.
fn save_string(v: &str) -> String {
    if !v.is_empty() && !v.chars().any(|c| c.is_whitespace() || matches!(c, '"' | '\'' | '\\')) {
        return v.to_string();
    }
    let mut s = String::from("\"");
    for c in v.chars() {
        if matches!(c, '"' | '\\') {
            s.push('\\');
        }
        s.push(c);
    }
    s.push('"');
    s
}

/// What `-L` prints after the addresses: matches, then the target's options.
fn extras(r: &Rule, numeric: bool) -> String {
    let proto = r.proto.as_ref().map(|p| p.v).unwrap_or(0);
    let mut ports = None;
    if (r.sport.is_some() || r.dport.is_some())
        && let Some(n) = proto_name(proto)
    {
        let mut s = format!(" {n}");
        if let Some(m) = &r.sport {
            let _ = write!(s, " {}", port_text("spt", m, numeric));
        }
        if let Some(m) = &r.dport {
            let _ = write!(s, " {}", port_text("dpt", m, numeric));
        }
        ports = Some(s);
    }
    let icmp = r.icmp_type.as_ref().map(|m| {
        let bang = if m.neg { "!" } else { "" };
        let code = m.v.1.map_or(String::new(), |c| format!(" code {c}"));
        if proto != 58 {
            return format!(" icmptype {bang}{}{code}", m.v.0);
        }
        // `icmp6_print`: a name unless -n, else `type N` right after the word.
        match icmpv6_name(m.v.0, m.v.1).filter(|_| !numeric) {
            Some(n) => format!(" ipv6-icmp {bang}{n}"),
            None => format!(" ipv6-icmp{}type {}{code}", if m.neg { " !" } else { "" }, m.v.0),
        }
    });
    let state = r.state.as_ref().map(|(module, m)| {
        let word = if *module == StateModule::State { "state" } else { "ctstate" };
        let bang = if m.neg { "! " } else { "" };
        format!(" {word} {bang}{}", states(m.v))
    });
    let mut s = in_order(r, [ports, icmp, state], |e| extra_l(e, numeric));
    match &r.target {
        Target::Reject(w) => {
            let _ = write!(s, " reject-with {}", w.name());
        }
        Target::Log { prefix } => {
            let level = if numeric { "flags 0 level 4" } else { "level warn" };
            let _ = write!(s, " LOG {level}");
            if let Some(p) = prefix {
                let _ = write!(s, " prefix \"{p}\"");
            }
        }
        Target::Masquerade { ports: Some(p) } => {
            let _ = write!(s, " masq ports: {}", ports_range(*p));
        }
        Target::Redirect { ports: Some(p) } => {
            let _ = write!(s, " redir ports {}", ports_range(*p));
        }
        Target::Snat { to, ports } | Target::Dnat { to, ports } => {
            let _ = write!(s, " to:{}", nat_to(to, *ports));
        }
        _ => {}
    }
    s
}

fn rule_line(
    r: &Rule,
    k: &Counters,
    family: super::Family,
    (numeric, verbose): (bool, bool),
    number: Option<usize>,
) -> String {
    let mut s = String::new();
    if let Some(n) = number {
        let _ = write!(s, "{n:<4} ");
    }
    if verbose {
        s.push_str(&num(k.pkts));
        s.push_str(&num(k.bytes));
    }
    let _ = write!(s, "{:<9} ", r.target.name());
    let (pneg, pnum) = r.proto.as_ref().map(|p| (p.neg, p.v)).unwrap_or((false, 0));
    s.push(if pneg { '!' } else { ' ' });
    // `%-4s ` (a longer name, `ipv6-icmp`, pushes the rest along).
    match (numeric, proto_name(pnum)) {
        (false, Some(n)) => {
            let _ = write!(s, "{n:<4} ");
        }
        _ => {
            let _ = write!(s, "{pnum:<4} ");
        }
    }
    s.push_str("-- ");
    if verbose {
        // `" %-6s "` for in, `"%-6s "` for out, a `!` inside the name; no interface is
        // `*` with -n and `any` without.
        let name = |m: &Option<Neg<String>>| match m {
            Some(x) if x.neg => format!("!{}", x.v),
            Some(x) => x.v.clone(),
            None if numeric => "*".into(),
            None => "any".into(),
        };
        let _ = write!(s, " {:<6} {:<6} ", name(&r.in_if), name(&r.out_if));
    }
    let any = match family {
        super::Family::V4 => Net::new(std::net::Ipv4Addr::UNSPECIFIED.into(), 0),
        super::Family::V6 => Net::new(std::net::Ipv6Addr::UNSPECIFIED.into(), 0),
    };
    for m in [&r.src, &r.dst] {
        let (bang, n) = m.as_ref().map(|x| (x.neg, x.v)).unwrap_or((false, any));
        let _ = write!(s, "{}{:<19} ", if bang { '!' } else { ' ' }, addr(&n, numeric));
    }
    s.push_str(&extras(r, numeric));
    s
}

fn header(c: &Chain, t: &Table, verbose: bool) -> String {
    match c.policy {
        Some(p) => {
            let p = if p { "ACCEPT" } else { "DROP" };
            if verbose {
                format!(
                    "Chain {} (policy {p} {} packets, {} bytes)",
                    c.name, c.policy_counters.pkts, c.policy_counters.bytes
                )
            } else {
                format!("Chain {} (policy {p})", c.name)
            }
        }
        None => format!("Chain {} ({} references)", c.name, t.references(&c.name)),
    }
}

/// `iptables [-t T] -L [CHAIN] [-n] [-v] [--line-numbers]`.
pub fn list(t: &Table, chain: Option<&str>, numeric: bool, verbose: bool, line_numbers: bool) -> Vec<String> {
    let mut out = Vec::new();
    for c in t.chains.iter().filter(|c| chain.is_none_or(|n| n == c.name)) {
        if !out.is_empty() {
            out.push(String::new());
        }
        out.push(header(c, t, verbose));
        let mut h = String::new();
        if line_numbers {
            h.push_str("num  ");
        }
        if verbose {
            h.push_str(" pkts bytes ");
        }
        h.push_str("target     prot opt ");
        if verbose {
            h.push_str("in     out     ");
        }
        h.push_str("source               destination         ");
        out.push(h);
        for (i, (r, k)) in c.rules.iter().enumerate() {
            out.push(rule_line(r, k, t.family, (numeric, verbose), line_numbers.then_some(i + 1)));
        }
    }
    out
}

fn neg_opt(s: &mut String, neg: bool, opt: &str, v: &str) {
    if neg {
        let _ = write!(s, " ! {opt} {v}");
    } else {
        let _ = write!(s, " {opt} {v}");
    }
}

/// One rule as `-S` prints it (without `-A CHAIN`).
pub fn rule_spec(r: &Rule) -> String {
    let mut s = String::new();
    if let Some(m) = &r.src {
        neg_opt(&mut s, m.neg, "-s", &m.v.to_string());
    }
    if let Some(m) = &r.dst {
        neg_opt(&mut s, m.neg, "-d", &m.v.to_string());
    }
    if let Some(m) = &r.in_if {
        neg_opt(&mut s, m.neg, "-i", &m.v);
    }
    if let Some(m) = &r.out_if {
        neg_opt(&mut s, m.neg, "-o", &m.v);
    }
    let proto = r.proto.as_ref().map(|p| p.v).unwrap_or(0);
    if let Some(m) = &r.proto
        && m.v != 0
    {
        let name = proto_name(m.v).map(str::to_string).unwrap_or_else(|| m.v.to_string());
        neg_opt(&mut s, m.neg, "-p", &name);
    }
    let ports = (r.sport.is_some() || r.dport.is_some()).then(|| {
        let mut g = format!(" -m {}", proto_name(proto).unwrap_or("tcp"));
        for (opt, m) in [("--sport", &r.sport), ("--dport", &r.dport)] {
            if let Some(m) = m {
                let v = if m.v.0 == m.v.1 { m.v.0.to_string() } else { format!("{}:{}", m.v.0, m.v.1) };
                neg_opt(&mut g, m.neg, opt, &v);
            }
        }
        g
    });
    let icmp = r.icmp_type.as_ref().map(|m| {
        let v = match m.v.1 {
            Some(c) => format!("{}/{c}", m.v.0),
            None => m.v.0.to_string(),
        };
        let (module, opt) = if proto == 58 { ("icmp6", "--icmpv6-type") } else { ("icmp", "--icmp-type") };
        let mut g = format!(" -m {module}");
        neg_opt(&mut g, m.neg, opt, &v);
        g
    });
    let state = r.state.as_ref().map(|(module, m)| {
        let (name, opt) = if *module == StateModule::State { ("state", "--state") } else { ("conntrack", "--ctstate") };
        let mut g = format!(" -m {name}");
        neg_opt(&mut g, m.neg, opt, &states(m.v));
        g
    });
    s.push_str(&in_order(r, [ports, icmp, state], extra_s));
    if r.target != Target::None {
        let _ = write!(s, " -j {}", r.target.name());
    }
    match &r.target {
        Target::Reject(w) => {
            let _ = write!(s, " --reject-with {}", w.name());
        }
        Target::Log { prefix: Some(p) } => {
            let _ = write!(s, " --log-prefix \"{p}\"");
        }
        Target::Masquerade { ports: Some(p) } | Target::Redirect { ports: Some(p) } => {
            let _ = write!(s, " --to-ports {}", ports_range(*p));
        }
        Target::Snat { to, ports } | Target::Dnat { to, ports } => {
            let opt = if matches!(r.target, Target::Snat { .. }) { "--to-source" } else { "--to-destination" };
            let _ = write!(s, " {opt} {}", nat_to(to, *ports));
        }
        _ => {}
    }
    s
}

/// `iptables [-t T] -S [CHAIN]`.
pub fn list_rules(t: &Table, chain: Option<&str>) -> Vec<String> {
    let mut out = Vec::new();
    let chains: Vec<&Chain> = t.chains.iter().filter(|c| chain.is_none_or(|n| n == c.name)).collect();
    for c in &chains {
        match c.policy {
            Some(p) => out.push(format!("-P {} {}", c.name, if p { "ACCEPT" } else { "DROP" })),
            None => out.push(format!("-N {}", c.name)),
        }
    }
    for c in &chains {
        for (r, _) in &c.rules {
            out.push(format!("-A {}{}", c.name, rule_spec(r)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::cli::{Op, TableId, parse};
    use super::*;

    fn table(id: TableId, cmds: &[&str]) -> Table {
        let mut t = Table::new(id);
        for c in cmds {
            let cmd = parse(&c.split_whitespace().collect::<Vec<_>>()).unwrap();
            t.apply(&cmd).unwrap();
        }
        t
    }

    /// Lines printed by iptables v1.8.9 (nf_tables) on the reference machine.
    #[test]
    fn prints_as_iptables_nft_does() {
        let f = table(
            TableId::Filter,
            &[
                "-A FORWARD -i eth0 -p tcp --dport 80 -j ACCEPT",
                "-A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT",
                "-A INPUT -p icmp -j DROP",
                "-A INPUT -s 10.0.0.0/8 ! -d 10.1.2.3 -p udp --sport 53 -j REJECT",
                "-P FORWARD DROP",
                "-N MYCHAIN",
                "-A OUTPUT -j MYCHAIN",
            ],
        );
        let l = list(&f, None, false, false, false);
        assert_eq!(l[0], "Chain INPUT (policy ACCEPT)");
        assert_eq!(l[1], "target     prot opt source               destination         ");
        assert_eq!(l[2], "DROP       icmp --  anywhere             anywhere            ");
        assert_eq!(
            l[3],
            "REJECT     udp  --  10.0.0.0/8          !10.1.2.3             udp spt:domain reject-with icmp-port-unreachable"
        );
        assert_eq!(l[7], "ACCEPT     tcp  --  anywhere             anywhere             tcp dpt:http");
        assert_eq!(l[8], "ACCEPT     all  --  anywhere             anywhere             ctstate RELATED,ESTABLISHED");
        assert_eq!(l.last().unwrap(), "target     prot opt source               destination         ");
        assert!(l.contains(&"Chain MYCHAIN (1 references)".to_string()));
        let v = list(&f, Some("FORWARD"), true, true, false);
        assert_eq!(v[0], "Chain FORWARD (policy DROP 0 packets, 0 bytes)");
        assert_eq!(v[1], " pkts bytes target     prot opt in     out     source               destination         ");
        assert_eq!(
            v[2],
            "    0     0 ACCEPT     6    --  eth0   *       0.0.0.0/0            0.0.0.0/0            tcp dpt:80"
        );
        let s = list_rules(&f, None);
        assert_eq!(
            s,
            [
                "-P INPUT ACCEPT",
                "-P FORWARD DROP",
                "-P OUTPUT ACCEPT",
                "-N MYCHAIN",
                "-A INPUT -p icmp -j DROP",
                "-A INPUT -s 10.0.0.0/8 ! -d 10.1.2.3/32 -p udp -m udp --sport 53 -j REJECT --reject-with icmp-port-unreachable",
                "-A FORWARD -i eth0 -p tcp -m tcp --dport 80 -j ACCEPT",
                "-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
                "-A OUTPUT -j MYCHAIN",
            ]
        );
        let n = table(
            TableId::Nat,
            &[
                "-t nat -A PREROUTING -p tcp --dport 54321 -d 203.0.113.254 -j DNAT --to-destination 192.0.2.1",
                "-t nat -A POSTROUTING -s 192.0.2.0/24 -o gw-veth1 -j MASQUERADE",
                "-t nat -A POSTROUTING -o x -p udp -j SNAT --to-source 100.64.1.100:54321",
            ],
        );
        let l = list(&n, None, true, false, false);
        assert_eq!(l[2], "DNAT       6    --  0.0.0.0/0            203.0.113.254        tcp dpt:54321 to:192.0.2.1");
        assert!(l.contains(&"MASQUERADE  0    --  192.0.2.0/24         0.0.0.0/0           ".to_string()));
        assert!(l.contains(
            &"SNAT       17   --  0.0.0.0/0            0.0.0.0/0            to:100.64.1.100:54321".to_string()
        ));
        let s = list_rules(&n, None);
        assert!(
            s.contains(
                &"-A PREROUTING -d 203.0.113.254/32 -p tcp -m tcp --dport 54321 -j DNAT --to-destination 192.0.2.1"
                    .to_string()
            )
        );
        assert!(s.contains(&"-A POSTROUTING -o x -p udp -j SNAT --to-source 100.64.1.100:54321".to_string()));
        let _ = Op::Flush(None);
    }

    fn table6(id: TableId, cmds: &[&str]) -> Table {
        let mut t = Table::of(id, super::super::Family::V6);
        for c in cmds {
            let words: Vec<&str> = c.split_whitespace().collect();
            let cmd = super::super::cli::parse_family(&words, super::super::Family::V6).unwrap();
            t.apply(&cmd).unwrap();
        }
        t
    }

    /// Lines printed by ip6tables v1.8.9 (nf_tables) on the reference machine (trailing
    /// blanks as it prints them).
    #[test]
    fn prints_as_ip6tables_nft_does() {
        let f = table6(
            TableId::Filter,
            &[
                "-A INPUT -p udp --dport 53 -j REJECT",
                "-A INPUT -d 2001:db8:1::1 -p icmpv6 --icmpv6-type echo-request -j ACCEPT",
                "-A INPUT -p icmpv6 ! --icmpv6-type echo-reply -j ACCEPT",
                "-A INPUT -p icmpv6 --icmpv6-type 1/3 -j ACCEPT",
                "-A INPUT -p icmpv6 --icmpv6-type 1/200 -j ACCEPT",
                "-A FORWARD -p ipv6-icmp -j ACCEPT",
                "-A FORWARD -s 2001:db8:1::/64 -p tcp --dport 80 -j REJECT --reject-with adm-prohibited",
            ],
        );
        let n = list(&f, None, true, false, false);
        assert_eq!(
            n[2],
            "REJECT     17   --  ::/0                 ::/0                 udp dpt:53 reject-with icmp6-port-unreachable"
        );
        assert_eq!(n[3], "ACCEPT     58   --  ::/0                 2001:db8:1::1        ipv6-icmptype 128");
        assert_eq!(n[4], "ACCEPT     58   --  ::/0                 ::/0                 ipv6-icmp !type 129");
        assert_eq!(n[5], "ACCEPT     58   --  ::/0                 ::/0                 ipv6-icmptype 1 code 3");
        assert_eq!(n[10], "ACCEPT     58   --  ::/0                 ::/0                ");
        let l = list(&f, None, false, false, false);
        assert_eq!(l[3], "ACCEPT     ipv6-icmp --  anywhere             2001:db8:1::1        ipv6-icmp echo-request");
        assert_eq!(l[4], "ACCEPT     ipv6-icmp --  anywhere             anywhere             ipv6-icmp !echo-reply");
        assert_eq!(
            l[5],
            "ACCEPT     ipv6-icmp --  anywhere             anywhere             ipv6-icmp address-unreachable"
        );
        assert_eq!(l[6], "ACCEPT     ipv6-icmp --  anywhere             anywhere             ipv6-icmptype 1 code 200");
        assert_eq!(
            l[11],
            "REJECT     tcp  --  2001:db8:1::/64      anywhere             tcp dpt:http reject-with icmp6-adm-prohibited"
        );
        let v = list(&f, Some("FORWARD"), false, true, false);
        assert_eq!(
            v[2],
            "    0     0 ACCEPT     ipv6-icmp --  any    any     anywhere             anywhere            "
        );
        assert_eq!(
            list_rules(&f, None)[3..6],
            [
                "-A INPUT -p udp -m udp --dport 53 -j REJECT --reject-with icmp6-port-unreachable",
                "-A INPUT -d 2001:db8:1::1/128 -p ipv6-icmp -m icmp6 --icmpv6-type 128 -j ACCEPT",
                "-A INPUT -p ipv6-icmp -m icmp6 ! --icmpv6-type 129 -j ACCEPT",
            ]
        );
        let nat = table6(
            TableId::Nat,
            &[
                "-A PREROUTING -i wan -p tcp --dport 8080 -j DNAT --to-destination [2001:db8:1::2]:80",
                "-A PREROUTING -p tcp --dport 2222 -j REDIRECT --to-ports 22",
                "-A POSTROUTING -o wan -j MASQUERADE",
                "-A POSTROUTING -s 2001:db8:1::5 -j SNAT --to-source 2001:db8:2::1",
                "-A POSTROUTING -s 2001:db8:1::6 -p tcp -j SNAT --to-source [2001:db8:2::1]:1000-2000",
            ],
        );
        let n = list(&nat, None, true, false, false);
        assert_eq!(
            n[2],
            "DNAT       6    --  ::/0                 ::/0                 tcp dpt:8080 to:[2001:db8:1::2]:80"
        );
        assert_eq!(n[3], "REDIRECT   6    --  ::/0                 ::/0                 tcp dpt:2222 redir ports 22");
        assert_eq!(n[13], "MASQUERADE  0    --  ::/0                 ::/0                ");
        assert_eq!(n[14], "SNAT       0    --  2001:db8:1::5        ::/0                 to:2001:db8:2::1");
        assert_eq!(n[15], "SNAT       6    --  2001:db8:1::6        ::/0                 to:[2001:db8:2::1]:1000-2000");
        assert_eq!(
            list_rules(&nat, None)[4..],
            [
                "-A PREROUTING -i wan -p tcp -m tcp --dport 8080 -j DNAT --to-destination [2001:db8:1::2]:80",
                "-A PREROUTING -p tcp -m tcp --dport 2222 -j REDIRECT --to-ports 22",
                "-A POSTROUTING -o wan -j MASQUERADE",
                "-A POSTROUTING -s 2001:db8:1::5/128 -j SNAT --to-source 2001:db8:2::1",
                "-A POSTROUTING -s 2001:db8:1::6/128 -p tcp -j SNAT --to-source [2001:db8:2::1]:1000-2000",
            ]
        );
    }
}
