//! How each program command starts in the sim: a [`Command`] → the `sim_nodes` process that
//! models it, with its arguments. The one place that knows this mapping; the runner and
//! the fuzz harness both start programs through it. (tcpdump is a capture the runner sets
//! up itself; the configuration commands are no processes.)

use crate::command::validate::Invalid;
use crate::command::{Command, PingCmd, PmtuDisc};
use sim_core::Duration;
use sim_nodes::proc::{self, Bind, PingArgs, Process};
use sim_nodes::sys::Pmtudisc;

/// iputils ping's arguments from the command's.
pub fn ping_args(p: &PingCmd) -> PingArgs {
    let mut a = PingArgs::new(p.dest);
    a.count = p.count;
    // `-f` without `-i`: an interval of 0 (as fast as replies come, 100 a second without).
    match p.interval {
        Some(iv) => a.interval = iv.0,
        None if p.flood => a.interval = Duration::ZERO,
        None => {}
    }
    a.flood = p.flood;
    a.bind = p.bind.as_ref().map(|b| match b.parse() {
        Ok(std::net::IpAddr::V4(addr)) => Bind::Addr(addr),
        Ok(std::net::IpAddr::V6(addr)) => Bind::Addr6(addr),
        Err(_) => Bind::Dev(b.clone()),
    });
    a.scope = p.scope.clone();
    a.family = p.family;
    a.linger = p.wait.map(|w| w.0);
    a.ttl = p.ttl;
    if let Some(s) = p.size {
        a.size = s;
    }
    a.quiet = p.quiet;
    a.broadcast = p.broadcast;
    a.pmtudisc = match p.pmtudisc {
        Some(PmtuDisc::Do) => Pmtudisc::Do,
        Some(PmtuDisc::Dont) => Pmtudisc::Dont,
        Some(PmtuDisc::Want) | None => Pmtudisc::Want,
    };
    a
}

/// The process a program command runs as (`None` for tcpdump and for commands that are no
/// process); an argument the validation pass would have refused is an error here too.
/// (`files`: the lab's directory, which `http.server` serves.)
pub fn process(cmd: &Command, files: &sim_nodes::files::Files) -> Option<Result<Process, Invalid>> {
    let p: Process = match cmd {
        Command::Ping(p) => Box::new(proc::Ping::new(ping_args(p))),
        Command::Traceroute(t) => {
            let mut a = proc::TracerouteArgs::new(t.dest);
            a.numeric = t.numeric;
            a.max_hops = t.max_hops.unwrap_or(a.max_hops);
            a.first_hop = t.first_hop.unwrap_or(a.first_hop);
            a.queries = t.queries.unwrap_or(a.queries);
            a.wait = t.wait.map(|w| w.0).unwrap_or(a.wait);
            if let Some((here, near)) = t.factors {
                (a.here, a.near) = (here.0, near.0);
            }
            a.icmp = t.icmp;
            a.tcp = t.tcp;
            a.udp = t.udp;
            a.port = t.port.unwrap_or(match (t.icmp, t.tcp, t.udp) {
                (true, _, _) => 0,
                (_, true, _) => 80,
                (_, _, true) => 53,
                _ => a.port,
            });
            a.sim_queries = t.sim_queries.unwrap_or(a.sim_queries).max(1);
            Box::new(proc::Traceroute::new(a))
        }
        Command::Dnsmasq(d) => match crate::run::dhcp::dnsmasq_args(d) {
            Ok(a) => Box::new(proc::Dnsmasq::new(a)),
            Err(v) => return Some(Err(v)),
        },
        Command::Dhclient(d) => Box::new(proc::Dhclient::new(crate::run::dhcp::dhclient_args(d))),
        Command::Nc(n) => Box::new(proc::Nc::new(proc::NcArgs {
            listen: n.listen,
            udp: n.udp,
            verbose: n.verbose,
            keep_open: n.keep_open,
            zero: n.zero,
            family: n.family,
            host: n.host,
            port: n.port,
            source_port: n.source_port,
            input: n.input.clone().map(|l| vec![l]),
        })),
        Command::Curl(c) => {
            let t = match c.target() {
                Ok(t) => t,
                Err(m) => return Some(Err(Invalid { message: m, hint: None, word: Some(c.url.clone()) })),
            };
            Box::new(proc::Curl::new(proc::CurlArgs {
                head: c.head,
                silent: c.silent,
                show_error: c.show_error,
                max_time: c.max_time.map(|s| s.0),
                connect_timeout: c.connect_timeout.map(|s| s.0),
                discard: c.discard,
                write_out: c.write_out.clone(),
                host: t.host,
                port: t.port,
                path: t.path,
            }))
        }
        Command::HttpServer(h) => {
            let a = proc::HttpServerArgs { port: h.port.unwrap_or(8000), bind: h.bind };
            Box::new(proc::HttpServer::new(a, files.clone()))
        }
        c @ Command::Conntrack { args } if c.is_conntrack_events() => {
            let (family, proto) = match sim_nodes::netfilter::parse_conntrack(args) {
                Ok(sim_nodes::netfilter::CtCmd::Events(f, p)) => (f, p),
                _ => (None, None),
            };
            Box::new(proc::ConntrackEvents::new(family, proto))
        }
        Command::Exec { argv, input } => return Some(exec(argv, input)),
        _ => return None,
    };
    Some(Ok(p))
}

/// The program a table row's `start` makes from `argv` (its name first).
pub fn exec(argv: &[String], input: &[String]) -> Result<Process, Invalid> {
    let name = argv.first().map(String::as_str).unwrap_or_default();
    let Some(start) = crate::command::programs::program(name).and_then(|p| p.start) else {
        return Err(Invalid { message: format!("unknown command `{name}`"), hint: None, word: Some(name.into()) });
    };
    start(&argv[1..], input).map_err(|e| Invalid { message: e.message, hint: e.hint, word: e.word })
}
