//! The arguments of the programs a step runs in a namespace (dnsmasq, dhclient, nc, curl,
//! python3's http.server, traceroute, ping, tcpdump), as both front ends give them.

use super::Secs;
use serde::{Deserialize, Serialize};

/// `dnsmasq --dhcp-range=START,END[,MASK][,LEASE] [--interface=IF] [--no-daemon] …`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DnsmasqCmd {
    /// `--dhcp-range` as written (`192.0.2.100,192.0.2.200,255.255.255.0,1h`).
    pub dhcp_range: String,
    /// `--interface`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interface: Option<String>,
    /// `--dhcp-host=MAC,IP`, each as written.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dhcp_host: Vec<String>,
    /// `--dhcp-option=…`, each as written (`3,192.0.2.1`, `option:dns-server,192.0.2.53`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dhcp_option: Vec<String>,
    /// `--no-daemon` (or `-d`, `-k`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub no_daemon: bool,
    /// `--no-ping`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub no_ping: bool,
    /// `--port=N` (0 disables DNS).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    /// `--no-resolv`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub no_resolv: bool,
    /// `--no-hosts`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub no_hosts: bool,
}

/// `dhclient [-d] [-v] [-r] IF`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DhclientCmd {
    /// The interface.
    pub iface: String,
    /// `-d`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub foreground: bool,
    /// `-v`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub verbose: bool,
    /// `-r`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub release: bool,
}

/// `[echo LINE |] nc|ncat [-l] [-u] [-v] [-n] [-k] [-p PORT] [HOST] PORT`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NcCmd {
    /// `-l`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub listen: bool,
    /// `-u`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub udp: bool,
    /// `-v`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub verbose: bool,
    /// `-n`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub numeric: bool,
    /// `-k`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub keep_open: bool,
    /// `-z`: connect, report, close (a TCP client only).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub zero: bool,
    /// `-p`: a client's source port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_port: Option<u16>,
    /// `-4` or `-6`: that family only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family: Option<u8>,
    /// The host to connect to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<std::net::IpAddr>,
    /// The port.
    pub port: u16,
    /// A line piped in with `echo LINE |` (stdin then ends).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<String>,
}

/// `curl [-I] [-s] [-S] [-m S] [--connect-timeout S] [-o /dev/null] [-w FORMAT] URL`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CurlCmd {
    /// `-I`: HEAD, print the headers.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub head: bool,
    /// `-s`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub silent: bool,
    /// `-S`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub show_error: bool,
    /// `-m`: limit for the whole transfer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_time: Option<Secs>,
    /// `--connect-timeout`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connect_timeout: Option<Secs>,
    /// `-o /dev/null`: the body is not printed (the only file curl may write here).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub discard: bool,
    /// `-w FORMAT`: what curl prints once done (`%{http_code}`, `%{size_download}`,
    /// `%{time_total}`, `%{speed_download}`, `\n`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub write_out: Option<String>,
    /// The URL (`http://HOST[:PORT][/PATH]`).
    pub url: String,
}

/// What curl's `-w` knows here.
pub const WRITE_OUT_VARS: [&str; 4] = ["http_code", "size_download", "time_total", "speed_download"];

/// The first `%{VARIABLE}` of a `-w` format that nslab's curl does not know (`%%` is a
/// literal `%`).
pub fn write_out_unknown(fmt: &str) -> Option<&str> {
    let mut rest = fmt;
    while let Some(i) = rest.find('%') {
        let after = &rest[i + 1..];
        if let Some(r) = after.strip_prefix('%') {
            rest = r;
        } else if let Some(r) = after.strip_prefix('{')
            && let Some(end) = r.find('}')
        {
            if !WRITE_OUT_VARS.contains(&&r[..end]) {
                return Some(&r[..end]);
            }
            rest = &r[end + 1..];
        } else {
            rest = after;
        }
    }
    None
}

/// Where a URL points: host as written, port, path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// The host as written.
    pub host: String,
    /// The port.
    pub port: u16,
    /// The path (`/` at least).
    pub path: String,
}

impl CurlCmd {
    /// The URL's parts, as curl reads an `http://` URL (the scheme may be left out).
    pub fn target(&self) -> Result<Target, String> {
        let rest = match self.url.split_once("://") {
            Some(("http" | "HTTP", r)) => r,
            Some((scheme, _)) => return Err(format!("not supported yet: {scheme}:// URLs (nslab's curl speaks http)")),
            None => &self.url,
        };
        let (authority, path) = match rest.find(['/', '?', '#']) {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        let path = if path.starts_with('/') { path.to_string() } else { format!("/{path}") };
        // An IPv6 literal is in brackets (`[2001:db8::1]:8080`); the host keeps them, as
        // curl's `Host:` header does.
        let split = match authority.strip_prefix('[') {
            Some(r) => {
                let Some(end) = r.find(']') else {
                    return Err("curl: (3) URL using bad/illegal format or missing URL".into());
                };
                if r[..end].parse::<std::net::Ipv6Addr>().is_err() {
                    return Err("curl: (3) URL using bad/illegal format or missing URL".into());
                }
                let rest = &r[end + 1..];
                match rest.strip_prefix(':') {
                    Some(p) => Some((&authority[..end + 2], p)),
                    None if rest.is_empty() => None,
                    None => return Err("curl: (3) URL using bad/illegal format or missing URL".into()),
                }
            }
            None => authority.rsplit_once(':'),
        };
        let (host, port) = match split {
            Some((h, p)) => {
                let port = p
                    .parse::<u16>()
                    .map_err(|_| format!("curl: (3) URL using bad/illegal format or missing URL: port `{p}`"))?;
                (h, port)
            }
            None => (authority, 80),
        };
        if host.is_empty() {
            return Err("curl: (3) URL using bad/illegal format or missing URL".into());
        }
        Ok(Target { host: host.to_string(), port, path })
    }
}

/// `python3 -m http.server [PORT] [--bind ADDR]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpServerCmd {
    /// The port (8000 if not given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    /// `--bind ADDR`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bind: Option<std::net::IpAddr>,
}

impl NcCmd {
    /// The words after the program name, as ncat takes them.
    pub fn args(&self) -> Vec<String> {
        let mut flags = String::new();
        for (on, c) in [
            (self.listen, 'l'),
            (self.udp, 'u'),
            (self.numeric, 'n'),
            (self.verbose, 'v'),
            (self.keep_open, 'k'),
            (self.zero, 'z'),
            (self.family == Some(4), '4'),
            (self.family == Some(6), '6'),
        ] {
            if on {
                flags.push(c);
            }
        }
        let mut v = Vec::new();
        if !flags.is_empty() {
            v.push(format!("-{flags}"));
        }
        if let Some(p) = self.source_port {
            v.extend(["-p".to_string(), p.to_string()]);
        }
        if let Some(h) = self.host {
            v.push(h.to_string());
        }
        v.push(self.port.to_string());
        v
    }
}

/// `traceroute [-I|-T|-U] [-n] [-m MAX] [-q N] [-w S] [-f FIRST] [-p PORT] [-N SIM] DEST`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TracerouteCmd {
    /// Destination address (an IPv6 one traces over IPv6).
    pub dest: std::net::IpAddr,
    /// `-n`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub numeric: bool,
    /// `-m`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_hops: Option<u8>,
    /// `-f`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_hop: Option<u8>,
    /// `-q`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queries: Option<u8>,
    /// `-w` (the maximum wait).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait: Option<Secs>,
    /// `-w MAX,HERE,NEAR`'s factors (plain numbers, 3 and 10 when absent, 0 turning the
    /// rule off; held as [`Secs`] for its exact decimal reading and printing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub factors: Option<(Secs, Secs)>,
    /// `-p`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    /// `-N`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sim_queries: Option<u8>,
    /// `-I`: ICMP echo probes instead of UDP.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub icmp: bool,
    /// `-T`: TCP SYN probes (to port 80 unless `-p`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub tcp: bool,
    /// `-U`: UDP probes all to one port (53 unless `-p`), where plain traceroute counts
    /// the port up.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub udp: bool,
}

/// `ping -M`: path-MTU discovery on the probe socket (`IP_MTU_DISCOVER`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PmtuDisc {
    /// `-M do`: DF always; a probe bigger than the path MTU is a local error.
    Do,
    /// `-M dont`: no DF; big probes are fragmented.
    Dont,
    /// `-M want`: DF when the probe fits the path MTU (the default).
    Want,
}

impl PmtuDisc {
    /// As `-M` takes it.
    pub fn as_str(self) -> &'static str {
        match self {
            PmtuDisc::Do => "do",
            PmtuDisc::Dont => "dont",
            PmtuDisc::Want => "want",
        }
    }
}

/// `ping [-c N] [-i S] [-I IF|ADDR] [-W S] [-t TTL] [-s SIZE] [-M do|dont|want] [-q] [-b] [-f]
/// DEST`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PingCmd {
    /// Destination address (an IPv6 one pings over ICMPv6).
    pub dest: std::net::IpAddr,
    /// `-c`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    /// `-i`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<Secs>,
    /// `-I`: an address or an interface name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bind: Option<String>,
    /// `-W`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait: Option<Secs>,
    /// `-t`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl: Option<u8>,
    /// `-s`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<usize>,
    /// `-q`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub quiet: bool,
    /// `-b`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub broadcast: bool,
    /// `-M`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pmtudisc: Option<PmtuDisc>,
    /// `-f`: flood.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub flood: bool,
    /// An IPv6 destination's `%IFACE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// `-4` or `-6` (`ping6` is `-6`): 4 or 6.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family: Option<u8>,
}

/// `tcpdump [-t] [-n] [-e] [-l] [-v] [-x|-X|-A…] -i IF [-w FILE] [FILTER]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TcpdumpCmd {
    /// `-i`.
    pub iface: String,
    /// The filter expression.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub filter: String,
    /// `-e`: print link-level headers (default true: the documents use `-tnel`).
    #[serde(default = "super::yes")]
    pub link_header: bool,
    /// `-t`: no timestamps (default true).
    #[serde(default = "super::yes")]
    pub no_timestamp: bool,
    /// `-w FILE`: write the capture (under `--pcap DIR`) instead of printing it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub write: Option<String>,
    /// `-c N`: stop after N packets (tcpdump then prints its counters and exits 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
    /// How many `-v` (at most 3): print each packet in full (IP header, checksums, the
    /// packet inside an ICMP error, DHCP's options; with three DHCP's padding and end too).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub verbose: u8,
    /// `-x` given this many times (1: each packet in hex from its IP header; 2: from the
    /// frame's first byte).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub hex: u8,
    /// `-X` given this many times: hex and text side by side (wins over `-x`).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub hex_ascii: u8,
    /// `-A` given this many times: the packet as text (`-x` and `-X` win over it).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub ascii: u8,
}

impl TcpdumpCmd {
    /// How the formatter prints this capture's packets.
    pub fn options(&self) -> sim_core::tcpdump::Options {
        sim_core::tcpdump::Options {
            link_header: self.link_header,
            timestamp: !self.no_timestamp,
            verbose: self.verbose,
            dump: sim_core::tcpdump::Dump::from_flags(self.hex, self.hex_ascii, self.ascii),
        }
    }
}

fn is_zero(v: &u8) -> bool {
    *v == 0
}
