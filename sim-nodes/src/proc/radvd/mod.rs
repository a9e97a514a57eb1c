//! `radvd` (Debian's radvd 2.19) in the foreground (`-n`), its config a here-document on
//! `-C /dev/stdin`: router advertisements on each interface with `AdvSendAdvert on`, from
//! its link-local address to ff02::1 with hop limit 255 — the header (`AdvCurHopLimit`,
//! the M/O flags, `AdvDefaultLifetime`, reachable time, retrans timer), then each
//! prefix's information option, the MTU option when `AdvLinkMTU` is set, and the source
//! link-layer address, in `build_ra_options`' order.
//!
//! When, as radvd does it: the first advertisement at start, the next two 16 s apart
//! (`MAX_INITIAL_RTR_ADVERT_INTERVAL`, `MAX_INITIAL_RTR_ADVERTISEMENTS`), then at a uniform
//! random time between `MinRtrAdvInterval` and `MaxRtrAdvInterval`. A router solicitation
//! (hop limit 255, code 0) from an address is answered at once by an advertisement to
//! that address (RFC 7772, `AdvRASolicitedUnicast`); one from `::` by a multicast one, no
//! sooner than `MinDelayBetweenRAs` after the last. Ctrl-C (or `kill`) sends a last
//! advertisement with router lifetime 0 on each interface ("stop adverts").
//!
//! Its log on stderr (`-m stderr`, the default with `-n`; `stderr_clean` without the
//! `[date] radvd (pid): ` prefix; `none`): `version 2.19 started`, the forwarding warnings,
//! `NAME not found: No such device`, and the stop sequence; a config radvd's grammar
//! rejects gives `PATH:LINE error: syntax error` and exit 1. An interface not ready at
//! start (down, no carrier, no link-local address yet) is set up a second after it is
//! (radvd hears of it from netlink; nslab's looks every 100 ms). Not modelled: the daemon
//! (without `-n`), config files (nslab has none: the here-document is the file), an
//! interface that goes away, privilege separation.

mod config;
pub use config::{ConfigError, IfaceConf, PrefixConf};

use super::{Program, SocketId, SocketKind, Sys};
use crate::netns::ipv6::Out6;
use crate::netns::ipv6::packet::{self, kind};
use crate::sys::{ArgError, Process};
use sim_core::{Duration, Instant, rng};
use std::net::Ipv6Addr;

/// `MAX_INITIAL_RTR_ADVERT_INTERVAL`.
const INITIAL_INTERVAL: f64 = 16.0;
/// `MAX_INITIAL_RTR_ADVERTISEMENTS`.
const INITIAL_ADVERTS: u32 = 3;
/// `MAX_RA_DELAY_SECONDS`.
const MAX_RA_DELAY: f64 = 0.5;
/// `IFACE_SETUP_DELAY`: radvd sets an interface up this long after netlink says it changed.
const SETUP_DELAY: Duration = Duration::from_secs(1);
/// How often nslab's radvd looks at an interface it waits for (its stand-in for netlink's
/// news: a change is seen within this, and set up `SETUP_DELAY` after).
const WATCH: Duration = Duration::from_millis(100);

/// How radvd logs (`-m`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogMethod {
    /// `stderr`: `[Mon DD HH:MM:SS] radvd (PID): MESSAGE`.
    Stderr,
    /// `stderr_clean`: the message alone.
    StderrClean,
    /// `none`.
    None,
}

/// radvd's options.
#[derive(Clone, Debug, PartialEq)]
pub struct RadvdArgs {
    /// `-C`: the config's path, as radvd names it.
    pub config_path: String,
    /// The config's text (the here-document).
    pub config: String,
    /// `-p` (Debian's default `/run/radvd.pid`).
    pub pidfile: String,
    /// `-m`.
    pub log: LogMethod,
    /// `-c`: check the config and exit.
    pub configtest: bool,
}

fn usage(m: impl Into<String>) -> ArgError {
    ArgError::new(m)
}

impl RadvdArgs {
    /// Reads radvd's options (the words after `radvd`) and its stdin.
    pub fn parse(argv: &[String], input: &[String]) -> Result<Self, ArgError> {
        let mut config_path = "/etc/radvd.conf".to_string();
        let mut pidfile = "/run/radvd.pid".to_string();
        let (mut nodaemon, mut configtest, mut log) = (false, false, None);
        let mut it = argv.iter();
        while let Some(a) = it.next() {
            let mut value = |opt: &str| {
                it.next().cloned().ok_or_else(|| usage(format!("radvd: option requires an argument -- '{opt}'")))
            };
            match a.as_str() {
                "-n" | "--nodaemon" => nodaemon = true,
                "-c" | "--configtest" => configtest = true,
                "-C" | "--config" => config_path = value("C")?,
                "-p" | "--pidfile" => pidfile = value("p")?,
                "-m" | "--logmethod" => {
                    let v = value("m")?;
                    log = Some(match v.as_str() {
                        "stderr" => LogMethod::Stderr,
                        "stderr_clean" => LogMethod::StderrClean,
                        "none" => LogMethod::None,
                        "syslog" | "stderr_syslog" | "logfile" => {
                            return Err(ArgError::at(a, format!("not supported yet: radvd -m {v}"))
                                .hint("nslab's radvd logs with -m stderr, stderr_clean or none"));
                        }
                        _ => return Err(ArgError::at(a, format!("radvd: unknown log method: {v}"))),
                    });
                }
                "-d" | "--debug" | "-u" | "--username" | "-t" | "--chrootdir" | "-l" | "--logfile" | "-f"
                | "--facility" => {
                    return Err(ArgError::at(a, format!("not supported yet: radvd {a}"))
                        .hint("nslab's radvd takes -n, -C /dev/stdin, -m, -p and -c"));
                }
                _ => return Err(ArgError::at(a, format!("radvd: unrecognized option '{a}'"))),
            }
        }
        if !nodaemon && !configtest {
            return Err(usage("not supported yet: radvd as a daemon").hint("run it in the foreground: `radvd -n … &`"));
        }
        if !matches!(config_path.as_str(), "/dev/stdin" | "/proc/self/fd/0") || input.is_empty() {
            return Err(usage(format!("not supported yet: radvd -C {config_path} (nslab has no files)"))
                .hint("give the config as a here-document: `radvd -n -C /dev/stdin <<EOF`, the config, then `EOF`"));
        }
        let config: String = input.iter().map(|l| format!("{l}\n")).collect();
        if let Err(ConfigError::Unsupported(k, line)) = config::parse(&config, &config_path) {
            return Err(usage(format!("not supported yet: radvd's `{k}` (line {line} of its config)"))
                .hint("nslab's radvd advertises prefixes, with the interface's timing, flags and lifetimes"));
        }
        // With -n and no -m, radvd logs to stderr; -c forces it.
        let log = log.unwrap_or(LogMethod::Stderr);
        Ok(RadvdArgs { config_path, config, pidfile, log, configtest })
    }
}

/// Makes a radvd from its words and stdin (the table of programs points here).
pub fn start(argv: &[String], input: &[String]) -> Result<Process, ArgError> {
    Ok(Box::new(Radvd::new(RadvdArgs::parse(argv, input)?)))
}

/// One configured interface as radvd runs it.
#[derive(Debug)]
struct Iface {
    conf: IfaceConf,
    ifindex: Option<u32>,
    /// Advertisements sent, up to the initial count.
    racount: u32,
    /// The next unsolicited advertisement.
    next: Option<Instant>,
    /// The last multicast one.
    last_multicast: Option<Instant>,
    /// Not set up yet (down, no carrier, no link-local address): when radvd next looks, or
    /// sets it up once it was seen ready.
    waiting: Option<(Instant, bool)>,
}

/// A running radvd.
#[derive(Debug)]
pub struct Radvd {
    args: RadvdArgs,
    /// In radvd's list order (the config's last interface first, as its parser prepends).
    ifaces: Vec<Iface>,
    sock: Option<SocketId>,
    buf: Vec<u8>,
}

impl Radvd {
    /// A radvd that has not started.
    pub fn new(args: RadvdArgs) -> Self {
        Radvd { args, ifaces: Vec::new(), sock: None, buf: Vec::new() }
    }

    /// `flog`: a line on stderr in the log method's form.
    fn log(&self, sys: &mut Sys<'_, '_, '_>, msg: &str) {
        match self.args.log {
            LogMethod::Stderr => {
                let c = crate::clock::at(sys.now());
                let pid = sys.pid();
                let at = format!("{} {:02} {:02}:{:02}:{:02}", c.month_name(), c.day, c.hour, c.min, c.sec);
                sys.stderr(format!("[{at}] radvd ({pid}): {msg}"));
            }
            LogMethod::StderrClean => sys.stderr(msg.to_string()),
            LogMethod::None => {}
        }
    }

    /// `rand_between(lower, upper)`: uniform in [lower, upper).
    fn rand_between(sys: &mut Sys<'_, '_, '_>, lower: f64, upper: f64) -> f64 {
        let u = (rng::next_u64(sys.rng()) >> 11) as f64 / (1u64 << 53) as f64;
        lower + (upper - lower) * u
    }

    fn secs(s: f64) -> Duration {
        Duration::from_nanos((s.max(0.0) * 1e9) as u64)
    }

    /// The interval after an advertisement (`reschedule_iface`): 16 s while the initial
    /// ones last, then a random one.
    fn interval(sys: &mut Sys<'_, '_, '_>, i: &Iface) -> Duration {
        if i.racount < INITIAL_ADVERTS {
            return Self::secs(INITIAL_INTERVAL.min(i.conf.max_interval));
        }
        Self::secs(Self::rand_between(sys, i.conf.min_interval, i.conf.max_interval))
    }

    /// `send_ra_forall`: an advertisement on interface `k` to `dst` (ff02::1, or a
    /// soliciting host); `stopping`: router lifetime 0.
    fn send_ra(&mut self, sys: &mut Sys<'_, '_, '_>, k: usize, dst: Ipv6Addr, stopping: bool) {
        let i = &mut self.ifaces[k];
        let Some(ix) = i.ifindex else { return };
        let (Some(src), Some(mac)) = (sys.link_local6(ix), sys.ifmac(ix)) else { return };
        i.racount = (i.racount + 1).min(INITIAL_ADVERTS);
        let c = &i.conf;
        let mut m = Vec::with_capacity(64);
        let lifetime = if stopping { 0 } else { c.default_lifetime.min(0xffff) as u16 };
        let flags = if c.managed { 0x80 } else { 0 } | if c.other { 0x40 } else { 0 };
        m.extend_from_slice(&[kind::ROUTER_ADVERT, 0, 0, 0, c.cur_hop_limit, flags]);
        m.extend_from_slice(&lifetime.to_be_bytes());
        m.extend_from_slice(&c.reachable.to_be_bytes());
        m.extend_from_slice(&c.retrans.to_be_bytes());
        for p in &c.prefixes {
            let f = if p.on_link { 0x80 } else { 0 }
                | if p.autonomous { 0x40 } else { 0 }
                | if p.router_addr { 0x20 } else { 0 };
            m.extend_from_slice(&[3, 4, p.len, f]);
            m.extend_from_slice(&p.valid.to_be_bytes());
            m.extend_from_slice(&p.preferred.to_be_bytes());
            m.extend_from_slice(&[0; 4]);
            m.extend_from_slice(&p.addr.octets());
        }
        if c.link_mtu != 0 {
            m.extend_from_slice(&[5, 1, 0, 0]);
            m.extend_from_slice(&c.link_mtu.to_be_bytes());
        }
        if c.source_ll {
            m.extend_from_slice(&[1, 1]);
            m.extend_from_slice(&mac.0);
        }
        let flow = sys.flow_label(src, dst, 0);
        let spec = Out6 { dst, src: Some(src), next: packet::ICMPV6, hlim: Some(255), flow, oif: Some(ix) };
        let _ = sys.send6(&spec, &m);
        if dst.is_multicast() {
            self.ifaces[k].last_multicast = Some(sys.now());
        }
    }

    /// `setup_iface` and `kickoff_adverts`: an interface that is up, running and has a
    /// link-local address is joined to all-routers and gets its first advertisement at
    /// once; false (radvd says nothing) when it is not ready.
    fn setup_iface(&mut self, sys: &mut Sys<'_, '_, '_>, k: usize) -> bool {
        let name = self.ifaces[k].conf.name.clone();
        let Some(ix) = sys.ifindex(&name) else { return false };
        if !sys.if_up(ix) || sys.link_local6(ix).is_none() {
            return false;
        }
        self.ifaces[k].ifindex = Some(ix);
        self.ifaces[k].waiting = None;
        let all = sys.sysctl_num("net.ipv6.conf.all.forwarding").unwrap_or(0);
        if sys.sysctl_num(&format!("net.ipv6.conf.{name}.forwarding")).unwrap_or(all) < 1 {
            self.log(sys, "IPv6 forwarding on interface seems to be disabled, but continuing anyway");
        }
        sys.join6(ix, packet::ALL_ROUTERS);
        if self.ifaces[k].conf.send_advert {
            // `kickoff_adverts`: one at once.
            self.send_ra(sys, k, packet::ALL_NODES, false);
            let next = Self::interval(sys, &self.ifaces[k]);
            self.ifaces[k].next = Some(sys.now() + next);
        }
        true
    }

    /// An interface radvd waits for: seen ready, it is set up a second later.
    fn watch(&mut self, sys: &mut Sys<'_, '_, '_>, k: usize) {
        let now = sys.now();
        let Some((at, seen)) = self.ifaces[k].waiting else { return };
        if at > now {
            return;
        }
        if seen {
            if !self.setup_iface(sys, k) {
                self.ifaces[k].waiting = Some((now + WATCH, false));
            }
            return;
        }
        let name = &self.ifaces[k].conf.name;
        let ready = sys.ifindex(name).is_some_and(|ix| sys.if_up(ix) && sys.link_local6(ix).is_some());
        self.ifaces[k].waiting = Some(if ready { (now + SETUP_DELAY, true) } else { (now + WATCH, false) });
    }

    /// `process_rs`: a solicitation on `in_if` from `src`.
    fn on_rs(&mut self, sys: &mut Sys<'_, '_, '_>, in_if: u32, src: Ipv6Addr, hlim: u8, m: &[u8]) {
        let Some(k) = self.ifaces.iter().position(|i| i.ifindex == Some(in_if)) else { return };
        if m[1] != 0 {
            let name = self.ifaces[k].conf.name.clone();
            let msg = format!("{name} received icmpv6 RS/RA packet with invalid code ({}) from {src}", m[1]);
            return self.log(sys, &msg);
        }
        if hlim != 255 {
            let name = self.ifaces[k].conf.name.clone();
            return self.log(sys, &format!("{name} received RS or RA with invalid hoplimit {hlim} from {src}"));
        }
        if !self.ifaces[k].conf.send_advert {
            return;
        }
        // The delay is drawn for every solicitation, used only when one must wait.
        let delay = Self::rand_between(sys, 0.0, MAX_RA_DELAY);
        if !src.is_unspecified() {
            return self.send_ra(sys, k, src, false);
        }
        let now = sys.now();
        let i = &self.ifaces[k];
        let since = i.last_multicast.map(|t| (now - t).as_nanos() as f64 / 1e9);
        match since {
            Some(s) if s < i.conf.min_delay => {
                let wait = if i.racount < INITIAL_ADVERTS {
                    INITIAL_INTERVAL.min(i.conf.max_interval)
                } else {
                    i.conf.min_delay - s + delay
                };
                self.ifaces[k].next = Some(now + Self::secs(wait));
            }
            _ => {
                self.send_ra(sys, k, packet::ALL_NODES, false);
                let next = Self::interval(sys, &self.ifaces[k]);
                self.ifaces[k].next = Some(now + next);
            }
        }
    }
}

impl Program for Radvd {
    fn name(&self) -> &'static str {
        "radvd"
    }

    fn start(&mut self, sys: &mut Sys<'_, '_, '_>) {
        let conf = match config::parse(&self.args.config, &self.args.config_path) {
            Ok(c) => c,
            Err(e) => {
                match e {
                    ConfigError::Syntax(line) => {
                        sys.stderr(format!("{}:{line} error: syntax error", self.args.config_path));
                    }
                    ConfigError::Invalid(m, _) | ConfigError::Unsupported(m, _) => self.log(sys, &m),
                }
                self.log(sys, "exiting, failed to read config file");
                return sys.exit(1);
            }
        };
        if self.args.configtest {
            self.log(sys, &format!("config file, {}, syntax ok", self.args.config_path));
            return sys.exit(0);
        }
        self.log(sys, "version 2.19 started");
        let forwarding = sys.sysctl_num("net.ipv6.conf.all.forwarding").unwrap_or(0);
        if forwarding == 0 {
            self.log(sys, "IPv6 forwarding setting is: 0, should be 1 or 2");
            self.log(sys, "IPv6 forwarding seems to be disabled, but continuing anyway");
        }
        self.sock = Some(sys.socket(SocketKind::RawIcmp6));
        // radvd's list: the parser puts each interface first.
        self.ifaces = conf
            .into_iter()
            .rev()
            .map(|conf| Iface { conf, ifindex: None, racount: 0, next: None, last_multicast: None, waiting: None })
            .collect();
        for k in 0..self.ifaces.len() {
            let name = self.ifaces[k].conf.name.clone();
            if sys.ifindex(&name).is_none() {
                self.log(sys, &format!("{name} not found: No such device"));
                if !self.ifaces[k].conf.ignore_if_missing {
                    self.log(sys, &format!("interface {name} does not exist or is not set up properly"));
                    return sys.exit(1);
                }
            }
            if !self.setup_iface(sys, k) {
                self.ifaces[k].waiting = Some((sys.now() + WATCH, false));
            }
        }
    }

    fn on_ready(&mut self, sys: &mut Sys<'_, '_, '_>, _sock: SocketId) {
        let Some(sock) = self.sock else { return };
        let mut buf = std::mem::take(&mut self.buf);
        let mut rs = Vec::new();
        super::each_icmp6(sys, sock, &mut buf, |_, p| {
            // The socket's ICMP6 filter passes solicitations and advertisements; radvd
            // compares the advertisements of others with its own (nothing to say here).
            if p.icmp.len() >= 8 && p.icmp[0] == kind::ROUTER_SOLICIT {
                rs.push((p.in_if, p.src, p.hlim, p.icmp[..8].to_vec()));
            }
        });
        self.buf = buf;
        for (in_if, src, hlim, m) in rs {
            self.on_rs(sys, in_if, src, hlim, &m);
        }
    }

    fn on_timeout(&mut self, sys: &mut Sys<'_, '_, '_>) {
        let now = sys.now();
        for k in 0..self.ifaces.len() {
            self.watch(sys, k);
            if self.ifaces[k].next.is_some_and(|t| t <= now) {
                self.send_ra(sys, k, packet::ALL_NODES, false);
                let next = Self::interval(sys, &self.ifaces[k]);
                self.ifaces[k].next = Some(now + next);
            }
        }
    }

    fn poll_timeout(&self) -> Option<Instant> {
        self.ifaces.iter().flat_map(|i| [i.next, i.waiting.map(|w| w.0)]).flatten().min()
    }

    /// SIGINT (or `kill`): the stop adverts, and out.
    fn interrupt(&mut self, sys: &mut Sys<'_, '_, '_>) {
        self.log(sys, "exiting, 1 sigint(s) received");
        self.log(sys, "sending stop adverts");
        for k in 0..self.ifaces.len() {
            if self.ifaces[k].conf.send_advert {
                self.send_ra(sys, k, packet::ALL_NODES, true);
            }
            self.ifaces[k].next = None;
            self.ifaces[k].waiting = None;
        }
        let pidfile = self.args.pidfile.clone();
        self.log(sys, &format!("removing {pidfile}"));
        self.log(sys, "returning from radvd main");
        sys.exit(0);
    }

    crate::proc::any_program!();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn options_as_radvd_takes_them() {
        let conf = vec!["interface a { AdvSendAdvert on; };".to_string()];
        let a = RadvdArgs::parse(&words("-n -C /dev/stdin -m stderr_clean -p /tmp/r.pid"), &conf).unwrap();
        assert_eq!((a.log, a.pidfile.as_str(), a.configtest), (LogMethod::StderrClean, "/tmp/r.pid", false));
        let e = |s: &str, input: &[String]| RadvdArgs::parse(&words(s), input).unwrap_err().message;
        assert!(e("-C /dev/stdin", &conf).contains("radvd as a daemon"));
        assert!(e("-n -C /etc/radvd.conf", &conf).contains("nslab has no files"));
        assert!(e("-n -C /dev/stdin", &[]).contains("nslab has no files"));
        assert!(e("-n -C /dev/stdin -x", &conf).contains("unrecognized option '-x'"));
        let rdnss = vec!["interface a {".to_string(), " RDNSS 2001:db8::53 { };".to_string(), "};".to_string()];
        assert!(e("-n -C /dev/stdin", &rdnss).contains("not supported yet: radvd's `RDNSS` (line 2"));
        // A syntax error is radvd's to report when it runs, as radvd does.
        assert!(RadvdArgs::parse(&words("-n -C /dev/stdin"), &["interface {".to_string()]).is_ok());
    }
}
