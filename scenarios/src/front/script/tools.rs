//! The non-`ip` commands: `sysctl`, `ping`, `tcpdump`, `sleep`, `kill`, `wait`, with each
//! tool's own option syntax (getopt-style clusters like `-tnel`, `-c3`, options after the
//! destination as GNU getopt permits).

use super::words::{PErr, Words};
use crate::command::{
    Brctl, Command, CurlCmd, DhclientCmd, DnsmasqCmd, HttpServerCmd, NcCmd, PingCmd, PmtuDisc, Secs, SysctlOut,
    TcpdumpCmd, TracerouteCmd,
};
use sim_core::{Duration, Filter};
use std::net::Ipv4Addr;

/// `sysctl [-w] [-q] [-n] KEY[=VALUE]`, and `sysctl [-q] -p -` (settings on stdin: a
/// here-document the script front end attaches).
pub fn sysctl(w: &mut Words<'_>) -> Result<Command, PErr> {
    let mut key = None;
    let (mut quiet, mut values) = (false, false);
    // `-p`/`--load` (procps reads the words after the options as its files), `-pFILE`,
    // `--load=FILE`: the files; only stdin, for nslab has no files.
    let mut load = false;
    let mut files: Vec<String> = Vec::new();
    while let Some(a) = w.take() {
        match a {
            "-p" | "--load" => load = true,
            _ if a.starts_with("--load=") || (a.starts_with("-p") && a.len() > 2) => {
                load = true;
                files.push(a.trim_start_matches("--load=").trim_start_matches("-p").to_string());
            }
            "--write" | "--quiet" | "--values" => {
                quiet |= a == "--quiet";
                values |= a == "--values";
            }
            "-a" | "--all" | "--system" => {
                return Err(w
                    .err_prev(format!("not supported yet: sysctl {a}"))
                    .hint("set each key on its own line: `sysctl -w net.ipv4.ip_forward=1`"));
            }
            _ if a.starts_with('-') && a.len() > 1 && a[1..].chars().all(|c| "wqn".contains(c)) => {
                quiet |= a.contains('q');
                values |= a.contains('n');
            }
            _ if a.starts_with('-') && a.len() > 1 => return Err(w.err_prev(format!("sysctl: unknown option {a}"))),
            _ if load => files.push(a.to_string()),
            _ if key.is_some() => {
                return Err(w
                    .err_prev("one key per sysctl command in a scenario")
                    .hint("write the second setting on its own line"));
            }
            _ => key = Some(a.to_string()),
        }
    }
    if load {
        let hint = "give the settings as a here-document: `sysctl -p - <<EOF`, the lines, then `EOF`";
        if let Some(k) = key {
            return Err(w.err(format!("not supported yet: sysctl -p with a key ({k}) before it")).hint(hint));
        }
        if files.is_empty() {
            return Err(w
                .err("not supported yet: sysctl -p without a file reads /etc/sysctl.conf; nslab has no files")
                .hint(hint));
        }
        if let Some(f) = files.iter().find(|f| *f != "-" && *f != "/dev/stdin") {
            return Err(w.err(format!("not supported yet: sysctl -p {f}; nslab has no files")).hint(hint));
        }
        if files.len() > 1 {
            return Err(w.err("not supported yet: sysctl -p with stdin named twice").hint(hint));
        }
        if values {
            return Err(w.err("not supported yet: sysctl -n -p"));
        }
        return Ok(Command::SysctlLoad { quiet, input: Vec::new() });
    }
    let kv = key.ok_or_else(|| w.err("sysctl needs a key, e.g. net.ipv4.ip_forward=1"))?;
    let (key, value) = match kv.split_once('=') {
        Some((k, v)) => (k.trim().to_string(), Some(v.trim().to_string())),
        None => (kv, None),
    };
    // `-q` silences a write, `-n` or not; a read prints its value (`-n`) or line.
    let out = match (quiet && value.is_some(), values) {
        (true, _) => SysctlOut::Quiet,
        (false, true) => SysctlOut::Values,
        (false, false) => SysctlOut::Lines,
    };
    Ok(Command::Sysctl { key, value, out })
}

/// Splits getopt-style clusters: calls `f(flag, words)` for each flag letter; `f` returns
/// true when the flag took a value (the rest of the cluster, or the next word).
fn cluster<'a>(
    w: &mut Words<'a>,
    arg: &'a str,
    mut f: impl FnMut(char, Option<&'a str>, &mut Words<'a>) -> Result<bool, PErr>,
) -> Result<(), PErr> {
    let body = &arg[1..];
    for (i, c) in body.char_indices() {
        let rest = &body[i + c.len_utf8()..];
        let attached = if rest.is_empty() { None } else { Some(rest) };
        if f(c, attached, w)? {
            return Ok(());
        }
    }
    Ok(())
}

fn opt_value<'a>(attached: Option<&'a str>, w: &mut Words<'a>, flag: char, what: &str) -> Result<&'a str, PErr> {
    match attached {
        Some(v) => Ok(v),
        None => w.take().ok_or_else(|| w.err(format!("option requires an argument -- '{flag}' ({what})"))),
    }
}

fn secs(v: &str, w: &Words<'_>, flag: char) -> Result<Secs, PErr> {
    Duration::from_secs_str(v)
        .map(Secs)
        .ok_or_else(|| w.err_prev(format!("bad value for -{flag}: `{v}` (seconds, e.g. 1 or 0.2)")))
}

fn num<T: std::str::FromStr>(v: &str, w: &Words<'_>, flag: char, what: &str) -> Result<T, PErr> {
    v.parse().map_err(|_| w.err_prev(format!("invalid argument for -{flag}: '{v}' ({what})")))
}

/// `ping [options] DEST` (iputils); `ping6` is `ping -6`.
pub fn ping(w: &mut Words<'_>, background: bool, six: bool) -> Result<Command, PErr> {
    let start = w.pos();
    // `-4`/`-6`: the family the destination must have (the last given wins).
    let mut family = six.then_some(6);
    let mut p = PingCmd {
        dest: Ipv4Addr::UNSPECIFIED.into(),
        count: None,
        interval: None,
        bind: None,
        wait: None,
        ttl: None,
        size: None,
        quiet: false,
        broadcast: false,
        pmtudisc: None,
        flood: false,
        scope: None,
        family: None,
    };
    let mut dest = None;
    while let Some(a) = w.take() {
        if a.starts_with('-') && a.len() > 1 {
            cluster(w, a, |c, att, w| {
                Ok(match c {
                    'c' => {
                        let v = opt_value(att, w, c, "a count")?;
                        p.count = Some(num(v, w, c, "a count")?);
                        true
                    }
                    'i' => {
                        p.interval = Some(secs(opt_value(att, w, c, "seconds")?, w, c)?);
                        true
                    }
                    'W' => {
                        p.wait = Some(secs(opt_value(att, w, c, "seconds")?, w, c)?);
                        true
                    }
                    'I' => {
                        let v = opt_value(att, w, c, "an interface or address")?;
                        p.bind = Some(v.to_string());
                        true
                    }
                    't' => {
                        let v = opt_value(att, w, c, "a TTL")?;
                        p.ttl = Some(num(v, w, c, "a TTL from 1 to 255")?);
                        true
                    }
                    's' => {
                        let v = opt_value(att, w, c, "a size")?;
                        p.size = Some(num(v, w, c, "a payload size")?);
                        true
                    }
                    'M' => {
                        let v = opt_value(att, w, c, "do, dont or want")?;
                        p.pmtudisc = Some(match v {
                            "do" => PmtuDisc::Do,
                            "dont" => PmtuDisc::Dont,
                            "want" => PmtuDisc::Want,
                            _ => {
                                return Err(w
                                    .err_prev(format!("ping: invalid -M argument: {v}"))
                                    .hint("-M takes do, dont or want (iputils 20221126 has no probe)"));
                            }
                        });
                        true
                    }
                    'q' => {
                        p.quiet = true;
                        false
                    }
                    'b' => {
                        p.broadcast = true;
                        false
                    }
                    'f' => {
                        p.flood = true;
                        false
                    }
                    'n' => false,
                    '4' => {
                        family = Some(4);
                        false
                    }
                    '6' => {
                        family = Some(6);
                        false
                    }
                    'w' | 'R' | 'r' | 'p' | 'l' | 'Q' | 'S' | 'T' | 'D' | 'O' | 'a' | 'A' | 'U' | 'v' | 'L' | 'B'
                    | 'm' => {
                        return Err(w.err_prev(format!("not supported yet: ping -{c}")));
                    }
                    _ => return Err(w.err_prev(format!("ping: invalid option -- '{c}'"))),
                })
            })?;
        } else if dest.is_some() {
            return Err(w.err_prev(format!("ping: unexpected argument `{a}`")).hint("ping takes one destination"));
        } else {
            // `ADDR%IFACE`: an IPv6 address on that interface's link (its index the scope id).
            let (a, scope) = match a.split_once('%') {
                Some((addr, dev)) if addr.parse::<std::net::Ipv6Addr>().is_ok() && !dev.is_empty() => {
                    (addr, Some(dev.to_string()))
                }
                _ => (a, None),
            };
            p.scope = scope;
            let d: std::net::IpAddr = a.parse().map_err(|_| {
                w.err_prev(format!("ping: {a}: Name or service not known"))
                    .hint("nslab has no DNS: give an IPv4 or IPv6 address")
            })?;
            if family.is_some_and(|f| (f == 6) != d.is_ipv6()) {
                return Err(w.err_prev(format!("ping: {a}: Address family for hostname not supported")));
            }
            if d.is_ipv6() && d.is_multicast() {
                return Err(w.err_prev(format!("not supported yet: ping {a} (IPv6 multicast)")));
            }
            dest = Some(d);
        }
    }
    p.dest = dest.ok_or_else(|| w.err("ping: usage error: Destination address required"))?;
    p.family = family;
    if let Some(Ok(b)) = p.bind.as_deref().map(str::parse::<std::net::IpAddr>)
        && b.is_ipv6() != p.dest.is_ipv6()
    {
        return Err(w
            .err("not supported yet: ping -I with an address of the other family")
            .hint("give -I an address of the destination's family, or an interface"));
    }
    let _ = (start, background);
    Ok(Command::Ping(p))
}

/// `tcpdump [-tnelv] [-c N] -i IF [-w FILE] [EXPRESSION]` (`-i any`: every interface of the
/// namespace, as Linux's cooked capture).
pub fn tcpdump(w: &mut Words<'_>, background: bool) -> Result<Command, PErr> {
    let mut t = TcpdumpCmd {
        iface: String::new(),
        filter: String::new(),
        link_header: false,
        no_timestamp: false,
        write: None,
        count: None,
        verbose: 0,
        hex: 0,
        hex_ascii: 0,
        ascii: 0,
    };
    let mut iface = None;
    let mut numeric = false;
    let mut expr: Vec<(String, crate::error::Span)> = Vec::new();
    // GNU getopt permutes: an option may come after the filter (`tcpdump -i X icmp -nn`),
    // until `--`.
    let mut options = true;
    while let Some(a) = w.take() {
        if let Some(v) = a.strip_prefix("--interface=").filter(|_| options) {
            iface = Some(v.to_string());
        } else if a == "--" && options {
            options = false;
        } else if a.starts_with('-') && a.len() > 1 && options {
            cluster(w, a, |c, att, w| {
                Ok(match c {
                    't' => {
                        if t.no_timestamp {
                            return Err(w.err_prev("not supported yet: tcpdump -tt (absolute timestamps)"));
                        }
                        t.no_timestamp = true;
                        false
                    }
                    'n' => {
                        numeric = true;
                        false
                    }
                    'e' => {
                        t.link_header = true;
                        false
                    }
                    'l' | 'U' | 'p' => false,
                    'i' => {
                        let v = opt_value(att, w, c, "an interface")?;
                        iface = Some(v.to_string());
                        true
                    }
                    'w' => {
                        t.write = Some(opt_value(att, w, c, "a file name")?.to_string());
                        true
                    }
                    'c' => {
                        let v = opt_value(att, w, c, "a packet count")?;
                        let n = v.parse::<u64>().ok().filter(|n| (1..=i32::MAX as u64).contains(n));
                        t.count = Some(n.ok_or_else(|| w.err_prev(format!("tcpdump: invalid packet count {v}")))?);
                        true
                    }
                    'v' => {
                        t.verbose = (t.verbose + 1).min(3);
                        false
                    }
                    'x' | 'X' | 'A' => {
                        let n = match c {
                            'x' => &mut t.hex,
                            'X' => &mut t.hex_ascii,
                            _ => &mut t.ascii,
                        };
                        // Two or more mean the same (from the link-level header on).
                        *n = (*n + 1).min(2);
                        false
                    }
                    'r' | 's' | 'S' | 'q' | 'K' | 'Q' | 'G' | 'C' | 'y' | 'B' | 'D' => {
                        return Err(w.err_prev(format!("not supported yet: tcpdump -{c}")));
                    }
                    _ => return Err(w.err_prev(format!("tcpdump: invalid option -- '{c}'"))),
                })
            })?;
        } else {
            let span = w.span_at(w.pos() - 1);
            expr.push((a.to_string(), span));
        }
    }
    if !numeric {
        return Err(w
            .err("not supported yet: tcpdump without -n (name resolution)")
            .hint("add -n (the documents use -tnel)"));
    }
    t.iface = iface
        .ok_or_else(|| w.err("tcpdump needs an interface: -i IF").hint("nslab does not pick a default interface"))?;
    let words: Vec<&str> = expr.iter().map(|(s, _)| s.as_str()).collect();
    if let Err(e) = Filter::parse_words(&words) {
        let span = expr.get(e.word).map(|(_, s)| *s).unwrap_or_else(|| w.span_at(w.pos()));
        return Err(PErr { span, msg: format!("tcpdump: {e}"), hint: None });
    }
    t.filter = words.join(" ");
    let _ = background;
    Ok(Command::Tcpdump(t))
}

/// `sleep NUMBER[SUFFIX]…` as GNU coreutils reads it (see [`Secs::gnu_interval`]): the
/// operands add up; `inf`, `infinity` and intervals past 2^64 ns sleep for ever.
pub fn sleep(w: &mut Words<'_>) -> Result<Command, PErr> {
    const TRY: &str = "Try 'sleep --help' for more information.";
    const FORMS: &str = "sleep takes seconds with an optional s, m, h or d: `sleep 1.5`, `sleep 2m`, `sleep infinity`";
    let mut total = Duration::ZERO;
    let mut operands = 0;
    let mut options_end = false;
    while let Some(a) = w.take() {
        if !options_end && a == "--" {
            options_end = true;
            continue;
        }
        if !options_end && a.len() > 1 && a.starts_with('-') {
            let msg = match a.strip_prefix("--") {
                Some("help" | "version") => format!("not supported yet: sleep {a}"),
                Some(_) => format!("sleep: unrecognized option '{a}'\n{TRY}"),
                None => format!("sleep: invalid option -- '{}'\n{TRY}", a[1..].chars().next().unwrap_or('-')),
            };
            return Err(w.err_prev(msg).hint(FORMS));
        }
        operands += 1;
        let s = Secs::gnu_interval(a)
            .ok_or_else(|| w.err_prev(format!("sleep: invalid time interval ‘{a}’\n{TRY}")).hint(FORMS))?;
        total = total + s.0;
    }
    if operands == 0 {
        return Err(w.err(format!("sleep: missing operand\n{TRY}")).hint(FORMS));
    }
    Ok(Command::Sleep { secs: Secs(total) })
}

/// `truncate -s SIZE FILE`: a file in the lab's directory (the one `python3 -m
/// http.server` serves).
pub fn truncate(w: &mut Words<'_>) -> Result<Command, PErr> {
    const FORM: &str = "truncate -s SIZE FILE (SIZE as 4096, 200K or 1M)";
    let (mut size, mut file) = (None, None);
    while let Some(a) = w.take() {
        match a {
            "-s" | "--size" => {
                let v = w.value(a, "a size")?;
                if crate::command::truncate_size(v).is_none() {
                    return Err(w.err_prev(format!("truncate: Invalid number: ‘{v}’")).hint(FORM));
                }
                size = Some(v.to_string());
            }
            _ if a.starts_with('-') => {
                return Err(w.err_prev(format!("not supported yet: truncate {a}")).hint(FORM));
            }
            _ if file.is_none() => {
                if let Some(why) = sim_nodes::files::refuse(a) {
                    return Err(w.err_prev(format!("not supported yet: the file `{a}`: {why}")).hint(FORM));
                }
                file = Some(a.to_string());
            }
            _ => return Err(w.err_prev("not supported yet: truncate of more than one file").hint(FORM)),
        }
    }
    let Some(size) = size else {
        return Err(w.err("truncate: you must specify either ‘--size’ or ‘--reference’").hint(FORM));
    };
    let Some(file) = file else {
        return Err(w.err("truncate: missing file operand").hint(FORM));
    };
    Ok(Command::Truncate { size, file })
}

/// `kill [-INT|-2|-SIGINT] %N`.
pub fn kill(w: &mut Words<'_>) -> Result<Command, PErr> {
    let mut job = None;
    while let Some(a) = w.take() {
        match a {
            "-INT" | "-2" | "-SIGINT" | "-s" => {
                if a == "-s" && !matches!(w.take(), Some("INT" | "SIGINT")) {
                    return Err(w.err_prev("not supported yet: signals other than SIGINT"));
                }
            }
            _ if a.starts_with('%') && job.is_some() => {
                return Err(w
                    .err_prev("not supported yet: kill with several jobs")
                    .hint("one `kill %N` per job, each on its own line"));
            }
            _ if a.starts_with('%') => {
                job = Some(a[1..].parse::<u32>().map_err(|_| w.err_prev(format!("kill: {a}: no such job")))?);
            }
            _ if a.starts_with('-') => return Err(w.err_prev("not supported yet: signals other than SIGINT")),
            _ => {
                return Err(w
                    .err_prev("kill takes a job: `kill %1`")
                    .hint("nslab has no real pids; use the job number the shell printed"));
            }
        }
    }
    Ok(Command::Kill { job: job.ok_or_else(|| w.err("kill: usage: kill %N"))? })
}

/// `wait`.
pub fn wait(w: &mut Words<'_>) -> Result<Command, PErr> {
    if !w.done() {
        return Err(w.err("not supported yet: wait with arguments"));
    }
    Ok(Command::Wait)
}

/// `brctl addbr|delbr|addif|delif|show|showmacs|setageing …`.
pub fn brctl(w: &mut Words<'_>) -> Result<Command, PErr> {
    let sub = w
        .take()
        .ok_or_else(|| w.err("brctl needs a command").hint("addbr, delbr, addif, delif, show, showmacs, setageing"))?;
    let arg = |w: &mut Words<'_>, what: &str| {
        w.take().map(str::to_string).ok_or_else(|| w.err(format!("brctl {sub}: {what} missing")))
    };
    let b = match sub {
        "addbr" => Brctl::Addbr(arg(w, "bridge name")?),
        "delbr" => Brctl::Delbr(arg(w, "bridge name")?),
        "addif" => Brctl::Addif(arg(w, "bridge name")?, arg(w, "interface name")?),
        "delif" => Brctl::Delif(arg(w, "bridge name")?, arg(w, "interface name")?),
        "show" => Brctl::Show(w.take().map(str::to_string)),
        "showmacs" => Brctl::Showmacs(arg(w, "bridge name")?),
        "setageing" => {
            let br = arg(w, "bridge name")?;
            let v = arg(w, "seconds")?;
            Brctl::Setageing(br, secs(&v, w, 'a')?)
        }
        "stp" | "setfd" | "sethello" | "setmaxage" | "setbridgeprio" | "setpathcost" | "setportprio" | "showstp"
        | "hairpin" => {
            return Err(w.err_prev(format!("not supported yet: brctl {sub}")));
        }
        _ => return Err(w.err_prev(format!("never heard of command [{sub}]"))),
    };
    if !w.done() {
        return Err(w.err("too many arguments"));
    }
    Ok(Command::Brctl(b))
}

/// `bridge fdb show [br BR]`, `bridge [-d] link [show] [dev DEV]`, `bridge link set dev
/// PORT …`.
pub fn bridge(w: &mut Words<'_>) -> Result<Command, PErr> {
    let mut obj = w.take().unwrap_or("");
    let mut details = false;
    while matches!(obj, "-d" | "-details") {
        details = true;
        obj = w.take().unwrap_or("");
    }
    if super::words::matches(obj, "link") {
        return bridge_link(w, details);
    }
    if details {
        return Err(w
            .err_prev(format!("not supported yet: bridge -d {obj}"))
            .hint("nslab knows `bridge -d link show`"));
    }
    if !super::words::matches(obj, "fdb") {
        return Err(w
            .err_prev(format!("not supported yet: bridge {obj}"))
            .hint("nslab knows `bridge fdb show [br BR]` and `bridge link show [dev DEV]`"));
    }
    let sub = w.take().unwrap_or("show");
    if !super::words::matches(sub, "show") && sub != "list" {
        return Err(w.err_prev(format!("not supported yet: bridge fdb {sub}")));
    }
    let mut br = None;
    while let Some(a) = w.take() {
        match a {
            "br" => br = Some(w.value("br", "a bridge name")?.to_string()),
            _ => return Err(w.err_prev(format!("not supported yet: bridge fdb show {a}"))),
        }
    }
    Ok(Command::BridgeFdbShow { br })
}

/// `bridge [-d] link [show|list|lst] [dev DEV]`. Any other word is skipped, as iproute2's
/// `brlink_show` skips it (measured: `bridge link show p1` lists every port).
fn bridge_link(w: &mut Words<'_>, details: bool) -> Result<Command, PErr> {
    let sub = w.take().unwrap_or("show");
    if sub == "set" || sub == "change" {
        return bridge_link_set(w);
    }
    if !["show", "list", "lst"].iter().any(|k| super::words::matches(sub, k)) {
        return Err(w
            .err_prev(format!("not supported yet: bridge link {sub}"))
            .hint("nslab knows `bridge link show [dev DEV]` and `bridge link set dev PORT …`"));
    }
    let mut dev = None;
    while let Some(a) = w.take() {
        if a != "dev" {
            continue;
        }
        let name = w.value("dev", "an interface name")?;
        if dev.is_some() {
            // bridge: `Error: duplicate "dev": "NAME" is the second value.`, status 255.
            return Err(w.err_prev(format!("not supported yet: bridge link show with a second `dev {name}`")));
        }
        dev = Some(name.to_string());
    }
    Ok(Command::BridgeLinkShow { dev, details })
}

/// `bridge link set dev PORT [cost N] [priority N] [hairpin|learning|flood|mcast_flood|
/// bcast_flood|isolated on|off]…`, with iproute2's messages for what it refuses.
fn bridge_link_set(w: &mut Words<'_>) -> Result<Command, PErr> {
    let mut dev = None;
    let mut o = crate::command::BridgePortOpts::default();
    while let Some(a) = w.take() {
        let on_off = |w: &mut Words<'_>| -> Result<bool, PErr> {
            match w.take() {
                Some("on") => Ok(true),
                Some("off") => Ok(false),
                Some(v) => {
                    Err(w.err_prev(format!("Error: argument of \"{a}\" must be one of \"off\", \"on\", not \"{v}\"")))
                }
                None => Err(w.err("Command line is not complete. Try option \"help\"")),
            }
        };
        match a {
            "dev" => dev = Some(w.value("dev", "a port's name")?.to_string()),
            "cost" => o.cost = Some(w.parse_value("cost", "a path cost")?),
            "priority" => o.priority = Some(w.parse_value("priority", "a port priority (0–63)")?),
            "hairpin" => o.hairpin = Some(on_off(w)?),
            "learning" => o.learning = Some(on_off(w)?),
            "flood" => o.flood = Some(on_off(w)?),
            "mcast_flood" => o.mcast_flood = Some(on_off(w)?),
            "bcast_flood" => o.bcast_flood = Some(on_off(w)?),
            "isolated" => o.isolated = Some(on_off(w)?),
            "guard" | "root_block" | "fastleave" | "state" | "learning_sync" | "mcast_router" | "mcast_to_unicast"
            | "neigh_suppress" | "vlan_tunnel" | "locked" | "mab" | "backup_port" | "nobackup_port" | "self"
            | "master" | "hwmode" => {
                return Err(w.err_prev(format!("not supported yet: bridge link set … {a}")).hint(
                    "nslab sets cost, priority, hairpin, learning, flood, mcast_flood, bcast_flood and isolated",
                ));
            }
            _ => return Err(w.err_prev(format!("Unknown bridge link set option \"{a}\""))),
        }
    }
    let dev = dev.ok_or_else(|| w.err("Device is a required argument"))?;
    Ok(Command::BridgeLinkSet { dev, opts: o })
}

/// `traceroute [-n] [-f FIRST] [-m MAX] [-q N] [-w S] [-p PORT] [-N SIM] DEST` (Debian's).
pub fn traceroute(w: &mut Words<'_>, six: bool) -> Result<Command, PErr> {
    let mut family = six.then_some(6);
    let mut t = TracerouteCmd {
        dest: Ipv4Addr::UNSPECIFIED.into(),
        numeric: false,
        max_hops: None,
        first_hop: None,
        queries: None,
        wait: None,
        port: None,
        sim_queries: None,
        icmp: false,
        tcp: false,
        udp: false,
        factors: None,
    };
    let mut dest = None;
    while let Some(a) = w.take() {
        if a.starts_with('-') && a.len() > 1 {
            cluster(w, a, |c, att, w| {
                Ok(match c {
                    'n' => {
                        t.numeric = true;
                        false
                    }
                    '4' => {
                        family = Some(4);
                        false
                    }
                    '6' => {
                        family = Some(6);
                        false
                    }
                    // One method: the last of `-I`, `-T`, `-U` given wins, as each sets
                    // traceroute's module (checked with the real one: `-I -T` sends SYNs).
                    'I' | 'T' | 'U' => {
                        (t.icmp, t.tcp, t.udp) = (c == 'I', c == 'T', c == 'U');
                        false
                    }
                    'm' => {
                        let v = opt_value(att, w, c, "hops")?;
                        t.max_hops = Some(num(v, w, c, "a hop count from 1 to 255")?);
                        true
                    }
                    'f' => {
                        let v = opt_value(att, w, c, "hops")?;
                        t.first_hop = Some(num(v, w, c, "a hop number")?);
                        true
                    }
                    'q' => {
                        let v = opt_value(att, w, c, "probes")?;
                        t.queries = Some(num(v, w, c, "probes per hop (1..10)")?);
                        true
                    }
                    'N' => {
                        let v = opt_value(att, w, c, "probes")?;
                        t.sim_queries = Some(num(v, w, c, "simultaneous probes")?);
                        true
                    }
                    'w' => {
                        let v = opt_value(att, w, c, "seconds")?;
                        // `MAX[,HERE[,NEAR]]`: the wait and the two factors of its
                        // adaptive rules (traceroute 2.1's defaults 5, 3 and 10).
                        let mut parts = v.split(',');
                        t.wait = Some(secs(parts.next().unwrap_or_default(), w, c)?);
                        if let Some(here) = parts.next() {
                            let near = parts.next().unwrap_or("10");
                            if parts.next().is_some() {
                                return Err(w.err_prev(format!("bad wait specifications `{v}' used")));
                            }
                            t.factors = Some((secs(here, w, c)?, secs(near, w, c)?));
                        }
                        true
                    }
                    'p' => {
                        let v = opt_value(att, w, c, "a port")?;
                        t.port = Some(num(v, w, c, "a port")?);
                        true
                    }
                    'M' | 'P' | 'i' | 's' | 'g' | 't' | 'x' | 'z' | 'A' | 'e' | 'F' | 'r' | 'd' | 'V' => {
                        return Err(w.err_prev(format!("not supported yet: traceroute -{c}")));
                    }
                    _ => return Err(w.err_prev(format!("Bad option `-{c}' (argc 1)"))),
                })
            })?;
        } else if dest.is_none() {
            dest = Some((a, w.pos() - 1));
            let d = a.parse::<std::net::IpAddr>().map_err(|_| {
                w.err_prev(format!("{a}: Name or service not known")).hint("nslab has no DNS: give an address")
            })?;
            t.dest = d;
        } else {
            return Err(w.err_prev("not supported yet: traceroute packetlen argument"));
        }
    }
    let (word, at) = dest.ok_or_else(|| w.err("Specify \"host\" missing argument."))?;
    if family.is_some_and(|f| (f == 6) != t.dest.is_ipv6()) {
        return Err(w.err_at(at, format!("{word}: Address family for hostname not supported")));
    }
    if t.queries.is_some_and(|q| q == 0 || q > 10) {
        return Err(w.err("no more than 10 probes per hop"));
    }
    if t.max_hops == Some(0) || t.first_hop.is_some_and(|f| f == 0 || f > t.max_hops.unwrap_or(30)) {
        return Err(w.err("first hop out of range"));
    }
    Ok(Command::Traceroute(t))
}

/// `dnsmasq --dhcp-range=… [--interface=IF] [--dhcp-host=MAC,IP] [--dhcp-option=…] [--no-daemon] …`.
pub fn dnsmasq(w: &mut Words<'_>) -> Result<Command, PErr> {
    let mut d = DnsmasqCmd {
        dhcp_range: String::new(),
        interface: None,
        dhcp_host: Vec::new(),
        dhcp_option: Vec::new(),
        no_daemon: false,
        no_ping: false,
        port: None,
        no_resolv: false,
        no_hosts: false,
    };
    let mut range = None;
    while let Some(a) = w.take() {
        let (opt, val) = match a.split_once('=') {
            Some((o, v)) => (o, Some(v.to_string())),
            None => (a, None),
        };
        let value = |w: &mut Words<'_>| -> Result<String, PErr> {
            match &val {
                Some(v) => Ok(v.clone()),
                None => w
                    .take()
                    .map(str::to_string)
                    .ok_or_else(|| w.err(format!("dnsmasq: option {opt} needs an argument"))),
            }
        };
        match opt {
            "--dhcp-range" | "-F" => range = Some(value(w)?),
            "--interface" | "-i" => d.interface = Some(value(w)?),
            "--dhcp-host" | "-G" => d.dhcp_host.push(value(w)?),
            "--dhcp-option" | "-O" => d.dhcp_option.push(value(w)?),
            "--no-daemon" | "-d" | "--keep-in-foreground" | "-k" => d.no_daemon = true,
            "--no-ping" => d.no_ping = true,
            "--no-resolv" | "-R" => d.no_resolv = true,
            "--no-hosts" | "-h" => d.no_hosts = true,
            "--port" | "-p" => {
                let v = value(w)?;
                d.port = Some(v.parse().map_err(|_| w.err_prev(format!("dnsmasq: bad port: {v}")))?);
            }
            "--dhcp-leasefile" | "-l" | "--pid-file" | "-x" | "--log-facility" | "--conf-file" | "-C" => {
                value(w)?;
            }
            "--bind-interfaces" | "-z" | "--log-dhcp" | "--log-queries" | "-q" | "--dhcp-authoritative" | "-K" => {}
            _ if opt.starts_with('-') => return Err(w.err_prev(format!("not supported yet: dnsmasq {opt}"))),
            _ => return Err(w.err_prev(format!("dnsmasq: junk found in command line: {a}"))),
        }
    }
    d.dhcp_range = range.ok_or_else(|| w.err("nslab's dnsmasq needs --dhcp-range=START,END[,MASK][,LEASE]"))?;
    Ok(Command::Dnsmasq(d))
}

/// `dhclient [-d] [-v] [-r] [-1] [-lf F] [-pf F] [-cf F] IF`.
pub fn dhclient(w: &mut Words<'_>) -> Result<Command, PErr> {
    let mut d = DhclientCmd { iface: String::new(), foreground: false, verbose: false, release: false };
    let mut iface = None;
    while let Some(a) = w.take() {
        match a {
            "-d" => d.foreground = true,
            "-v" => d.verbose = true,
            "-r" | "-x" => d.release = true,
            "-4" | "--no-pid" | "-q" | "-nw" => {}
            "-lf" | "-pf" | "-cf" | "-sf" => {
                w.value(a, "a file")?;
            }
            "-1" | "-6" | "-s" | "-p" | "-e" | "-I" | "-D" => {
                return Err(w.err_prev(format!("not supported yet: dhclient {a}")));
            }
            _ if a.starts_with('-') => return Err(w.err_prev(format!("Unknown command: {a}"))),
            _ if iface.is_none() => iface = Some(a.to_string()),
            _ => return Err(w.err_prev("nslab's dhclient takes one interface")),
        }
    }
    d.iface = iface.ok_or_else(|| w.err("dhclient needs an interface: dhclient -d IF"))?;
    Ok(Command::Dhclient(d))
}

/// `iptables ARGS` (`ip6tables` for `Family::V6`): the words are kept as typed; their
/// syntax is checked as the tool checks it (`validate`), so an error points at the word.
pub fn iptables(w: &mut Words<'_>, family: crate::command::Family) -> Result<Command, PErr> {
    Ok(Command::Iptables { family, args: rest(w) })
}

/// The remaining words, as they are (the tool reads them itself).
pub fn rest(w: &mut Words<'_>) -> Vec<String> {
    let mut args = Vec::new();
    while let Some(a) = w.take() {
        args.push(a.to_string());
    }
    args
}

/// `conntrack -L|-D|-F|-E [FILTER]` (its words are read by `sim_nodes::netfilter::parse_conntrack`).
pub fn conntrack(w: &mut Words<'_>) -> Result<Command, PErr> {
    let mut args = Vec::new();
    while let Some(a) = w.take() {
        args.push(a.to_string());
    }
    Ok(Command::Conntrack { args })
}

/// `tc [-n NS] ARGS`: the namespace option is the step's namespace (as `ip -n`); the other
/// words are kept as typed and checked as `tc` checks them (`validate`).
pub fn tc(w: &mut Words<'_>, mut ns: Option<String>) -> Result<super::Parsed, PErr> {
    let first = w.pos() - 1;
    let mut args = Vec::new();
    while let Some(a) = w.take() {
        match a {
            "-n" | "-net" | "-netns" | "--netns" if args.iter().all(|a: &String| a.starts_with('-')) => {
                ns = Some(w.value(a, "a namespace name")?.to_string());
            }
            _ => args.push(a.to_string()),
        }
    }
    Ok(super::Parsed { ns, cmd: Command::Tc { args }, first_word: first })
}

/// `nc|ncat [-l] [-u] [-v] [-n] [-k] [-p PORT] [HOST] PORT` (options anywhere, as ncat
/// permutes them).
pub fn nc(w: &mut Words<'_>) -> Result<Command, PErr> {
    let mut n = NcCmd {
        listen: false,
        udp: false,
        verbose: false,
        numeric: false,
        keep_open: false,
        zero: false,
        source_port: None,
        family: None,
        host: None,
        port: 0,
        input: None,
    };
    // The operands, with their word's index (an error about one points at it).
    let mut pos: Vec<&str> = Vec::new();
    let mut at: Vec<usize> = Vec::new();
    while let Some(a) = w.take() {
        match a {
            "--listen" => n.listen = true,
            "--udp" => n.udp = true,
            "--verbose" => n.verbose = true,
            "--nodns" => n.numeric = true,
            "--keep-open" => n.keep_open = true,
            "-p" | "--source-port" => n.source_port = Some(w.parse_value(a, "a port")?),
            "-w" | "--wait" | "-i" | "--idle-timeout" => {
                w.value(a, "a time")?;
            }
            "-e" | "-c" | "--exec" | "--sh-exec" | "-x" | "-s" | "--source" | "-C" | "--crlf" | "-q" => {
                return Err(w.err_prev(format!("not supported yet: nc {a}")));
            }
            _ if a.starts_with("--") => return Err(w.err_prev(format!("Ncat: unrecognized option '{a}'"))),
            _ if a.starts_with('-') && a.len() > 1 => {
                for c in a[1..].chars() {
                    match c {
                        'l' => n.listen = true,
                        'u' => n.udp = true,
                        'v' => n.verbose = true,
                        'n' => n.numeric = true,
                        'k' => n.keep_open = true,
                        'z' => n.zero = true,
                        '4' => n.family = Some(4),
                        '6' => n.family = Some(6),
                        _ => return Err(w.err_prev(format!("Ncat: invalid option -- '{c}'"))),
                    }
                }
            }
            _ => {
                pos.push(a);
                at.push(w.pos() - 1);
            }
        }
    }
    let port = |s: &str, w: &Words<'_>| -> Result<u16, PErr> {
        s.parse().map_err(|_| w.err_prev(format!("Ncat: Invalid port number \"{s}\". QUITTING.")))
    };
    match (n.listen, pos.as_slice()) {
        (true, [p]) => n.port = port(p, w)?,
        (true, []) => match n.source_port.take() {
            Some(p) => n.port = p,
            None => n.port = 31337,
        },
        (false, [h, p]) => {
            let host: std::net::IpAddr = h.parse().map_err(|_| {
                w.err_at(at[0], format!("not supported yet: a host name ({h}); nslab has no DNS"))
                    .hint("give the address")
            })?;
            if n.family.is_some_and(|f| (f == 6) != host.is_ipv6()) {
                return Err(w.err_at(
                    at[0],
                    format!(
                        "Ncat: Could not resolve hostname \"{h}\": Address family for hostname not supported. QUITTING."
                    ),
                ));
            }
            n.host = Some(host);
            n.port = port(p, w)?;
        }
        (false, _) => return Err(w.err("Ncat: You must specify a host to connect to. QUITTING.").hint("nc HOST PORT")),
        (true, _) => return Err(w.err_prev("Ncat: Got more than one port specification. QUITTING.")),
    }
    Ok(Command::Nc(n))
}

/// `input %N LINE…`: a line typed into background job N.
pub fn input(w: &mut Words<'_>) -> Result<Command, PErr> {
    let j = w.take().ok_or_else(|| w.err("input needs a job: input %1 LINE"))?;
    let job = j
        .strip_prefix('%')
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| w.err_prev(format!("input: {j}: not a job (write %N)")))?;
    let mut line = Vec::new();
    while let Some(a) = w.take() {
        line.push(a);
    }
    Ok(Command::Input { job, line: line.join(" ") })
}

fn curl_secs(w: &mut Words<'_>, opt: &str) -> Result<Secs, PErr> {
    let v = w.value(opt, "seconds")?;
    Duration::from_secs_str(v)
        .map(Secs)
        .ok_or_else(|| w.err_prev(format!("curl: option {opt}: expected a proper numerical parameter")))
}

/// `curl [-I] [-s] [-S] [-m S] [--connect-timeout S] [-o /dev/null] [-w FORMAT] URL`.
pub fn curl(w: &mut Words<'_>) -> Result<Command, PErr> {
    const TAKES: &str = "nslab's curl takes -I, -s, -S, -m, --connect-timeout, -o /dev/null and -w";
    let mut c = CurlCmd {
        head: false,
        silent: false,
        show_error: false,
        max_time: None,
        connect_timeout: None,
        discard: false,
        write_out: None,
        url: String::new(),
    };
    let mut url = None;
    while let Some(a) = w.take() {
        match a {
            "--head" => c.head = true,
            "--silent" => c.silent = true,
            "--show-error" => c.show_error = true,
            "-m" | "--max-time" => c.max_time = Some(curl_secs(w, a)?),
            "--connect-timeout" => c.connect_timeout = Some(curl_secs(w, a)?),
            "-o" | "--output" => {
                let v = w.value(a, "a file")?;
                if v != "/dev/null" {
                    return Err(w
                        .err_prev(format!("not supported yet: curl -o {v} (nslab's curl writes no files)"))
                        .hint("`-o /dev/null` with `-w '%{size_download}\\n'` says what arrived"));
                }
                c.discard = true;
            }
            "-w" | "--write-out" => {
                let v = w.value(a, "a format")?;
                if let Some(var) = crate::command::write_out_unknown(v) {
                    return Err(w
                        .err_prev(format!("not supported yet: curl -w %{{{var}}}"))
                        .hint(format!("nslab's curl knows %{{{}}}", crate::command::WRITE_OUT_VARS.join("}, %{"))));
                }
                c.write_out = Some(v.to_string());
            }
            _ if a.starts_with("--") => {
                return Err(w.err_prev(format!("not supported yet: curl {a}")).hint(TAKES));
            }
            _ if a.starts_with('-') && a.len() > 1 => {
                for ch in a[1..].chars() {
                    match ch {
                        'I' => c.head = true,
                        's' => c.silent = true,
                        'S' => c.show_error = true,
                        _ => return Err(w.err_prev(format!("not supported yet: curl -{ch}")).hint(TAKES)),
                    }
                }
            }
            _ if url.is_none() => url = Some(a),
            _ => return Err(w.err_prev("one URL per curl in a scenario")),
        }
    }
    let Some(u) = url else {
        return Err(w.err("curl: no URL specified!").hint("curl -I http://ADDRESS[:PORT]/"));
    };
    c.url = u.to_string();
    c.target().map_err(|e| w.err_prev(e))?;
    Ok(Command::Curl(c))
}

/// `python3 -m http.server [PORT] [--bind ADDR]` (nothing else of Python).
pub fn python3(w: &mut Words<'_>) -> Result<Command, PErr> {
    if w.take() != Some("-m") || w.take() != Some("http.server") {
        return Err(w.err_prev("not supported yet: python3 other than `python3 -m http.server`"));
    }
    let mut h = HttpServerCmd { port: None, bind: None };
    while let Some(a) = w.take() {
        match a {
            "-b" | "--bind" => {
                let v = w.value(a, "an address")?;
                h.bind = Some(v.parse().map_err(|_| {
                    w.err_prev(format!("not supported yet: binding to `{v}`")).hint("give an IPv4 or IPv6 address")
                })?);
            }
            "-d" | "--directory" => {
                return Err(w.err_prev("not supported yet: http.server --directory (nslab serves the lab's one directory, where `truncate` makes files)"));
            }
            _ if a.starts_with('-') => {
                return Err(w.err_prev(format!("http.server: error: unrecognized arguments: {a}")));
            }
            _ if h.port.is_none() => {
                h.port =
                    Some(a.parse().map_err(|_| {
                        w.err_prev(format!("http.server: error: argument port: invalid int value: '{a}'"))
                    })?);
            }
            _ => return Err(w.err_prev(format!("http.server: error: unrecognized arguments: {a}"))),
        }
    }
    Ok(Command::HttpServer(h))
}
