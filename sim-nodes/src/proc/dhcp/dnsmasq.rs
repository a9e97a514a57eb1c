//! `dnsmasq --dhcp-range=… [--interface=IF] [--no-daemon]`: dnsmasq 2.90's DHCP server.
//!
//! Behaviour checked against dnsmasq 2.90 on the reference machine: the address offered to a
//! new client starts at `range_start + sdbm(MAC) mod range_size` and probes upward; before
//! offering a pool address dnsmasq pings it and waits 3 s for an answer — blocking, as
//! `icmp_ping` does: DHCP packets that arrive meanwhile wait in the socket, and the
//! DHCPDISCOVER line is logged when the wait is over, just before the DHCPOFFER; an address
//! that stayed silent is taken as free, for any client, for 30 s without pinging again (so
//! two clients can be offered the same address, and the first REQUEST wins: the other gets
//! a NAK, `address in use`); the offer and ack go
//! unicast to the client's MAC (dnsmasq injects the ARP entry) unless the client asked for
//! broadcast; router and DNS default to the server's own address on that interface; T1 is
//! half the lease, T2 seven eighths. Log lines are dnsmasq's own. Not modelled: its DNS
//! server (port 53 answers port unreachable here), lease files, tags and most options.
//! Without `--no-daemon` it detaches at once and logs to syslog, so nothing is printed.

use super::{CLIENT_PORT, Kind, Message, SERVER_PORT, emit, parse, pretty_time, udp};
use crate::proc::{IcmpIn, Meta, Program, SocketId, SocketKind, Sys};
use crate::sys::{OutSpec, Pmtudisc};
use crate::wire::icmp::kind as icmp_kind;
use crate::wire::{self, proto};
use sim_core::{Duration, Instant, MacAddr, rng};
use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;

/// dnsmasq's options (the DHCP part).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DnsmasqArgs {
    /// First address of `--dhcp-range`.
    pub start: Ipv4Addr,
    /// Last address.
    pub end: Ipv4Addr,
    /// The netmask, if given.
    pub netmask: Option<Ipv4Addr>,
    /// Lease time in seconds (default 1 h).
    pub lease: u32,
    /// `--interface`.
    pub interface: Option<String>,
    /// `--dhcp-host=MAC,IP` reservations.
    pub hosts: Vec<(MacAddr, Ipv4Addr)>,
    /// `--dhcp-option=3,IP` (`Some(None)`: no router at all).
    pub router: Option<Option<Ipv4Addr>>,
    /// `--dhcp-option=6,IP[,IP]`.
    pub dns: Option<Vec<Ipv4Addr>>,
    /// `--no-ping`.
    pub no_ping: bool,
    /// `--no-daemon` / `-d` / `-k`: stay in the foreground.
    pub foreground: bool,
    /// `--port=0`: DNS disabled.
    pub no_dns: bool,
    /// `--no-resolv`.
    pub no_resolv: bool,
    /// `--no-hosts`.
    pub no_hosts: bool,
}

#[derive(Clone, Debug)]
struct Lease {
    ip: Ipv4Addr,
    expires: Instant,
}

#[derive(Clone, Debug)]
struct Pending {
    msg: Message,
    in_if: u32,
    ip: Ipv4Addr,
    ping_id: u16,
    due: Instant,
}

/// A running dnsmasq.
#[derive(Debug)]
pub struct Dnsmasq {
    args: DnsmasqArgs,
    ifindex: Option<u32>,
    leases: BTreeMap<MacAddr, Lease>,
    /// Addresses that did not answer the ping check, and when (`ping_results`).
    pinged: BTreeMap<Ipv4Addr, Instant>,
    in_use: BTreeSet<Ipv4Addr>,
    pending: Option<Pending>,
    /// Its port 67 socket and its raw ICMP socket.
    socks: Option<(SocketId, SocketId)>,
    /// What its sockets read into.
    ubuf: Vec<u8>,
    ibuf: Vec<u8>,
    malformed: u64,
}

/// How long dnsmasq waits for an answer to its ping check.
pub const PING_WAIT: Duration = Duration::from_secs(3);
/// How long a silent ping check stands for (`PING_CACHE_TIME`).
const PING_CACHE_TIME: Duration = Duration::from_secs(30);

/// dnsmasq's SDBM hash of the hardware address (`address_allocate`).
pub fn sdbm(hw: &[u8]) -> u32 {
    let mut j: u32 = 0;
    for &b in hw {
        j = u32::from(b).wrapping_add(j << 6).wrapping_add(j << 16).wrapping_sub(j);
    }
    if j == 0 { 1 } else { j }
}

impl Dnsmasq {
    /// A dnsmasq that has not started.
    pub fn new(args: DnsmasqArgs) -> Self {
        Dnsmasq {
            args,
            ifindex: None,
            leases: BTreeMap::new(),
            pinged: BTreeMap::new(),
            in_use: BTreeSet::new(),
            pending: None,
            socks: None,
            ubuf: Vec::new(),
            ibuf: Vec::new(),
            malformed: 0,
        }
    }

    /// DHCP messages refused as malformed.
    pub fn malformed(&self) -> u64 {
        self.malformed
    }

    /// A log line: on stderr with `--no-daemon`; a daemon logs to syslog instead.
    fn say(&self, sys: &mut Sys<'_, '_, '_>, line: impl Into<String>) {
        if self.args.foreground {
            sys.stderr(line);
        }
    }

    fn range(&self) -> (u32, u32) {
        (u32::from(self.args.start), u32::from(self.args.end))
    }

    fn in_range(&self, a: Ipv4Addr) -> bool {
        let (s, e) = self.range();
        (s..=e).contains(&u32::from(a))
    }

    /// True if `ip` may go to `mac` now.
    fn free_for(&self, ip: Ipv4Addr, mac: MacAddr, now: Instant, server: Ipv4Addr) -> bool {
        ip != server
            && !self.in_use.contains(&ip)
            && !self.leases.iter().any(|(m, l)| *m != mac && l.ip == ip && l.expires > now)
            && !self.args.hosts.iter().any(|(m, h)| *h == ip && *m != mac)
    }

    /// The address for `mac`, and whether it needs the ping check.
    fn choose(
        &self,
        mac: MacAddr,
        requested: Option<Ipv4Addr>,
        now: Instant,
        server: Ipv4Addr,
    ) -> Option<(Ipv4Addr, bool)> {
        if let Some((_, ip)) = self.args.hosts.iter().find(|(m, _)| *m == mac) {
            return Some((*ip, false));
        }
        if let Some(l) = self.leases.get(&mac)
            && self.free_for(l.ip, mac, now, server)
        {
            return Some((l.ip, false));
        }
        if let Some(r) = requested
            && self.in_range(r)
            && self.free_for(r, mac, now, server)
        {
            return Some((r, false));
        }
        let (s, e) = self.range();
        if e < s {
            return None;
        }
        // In u64: a range of all 2^32 addresses has a size that does not fit a u32.
        let (s, size) = (u64::from(s), u64::from(e) - u64::from(s) + 1);
        let first = u64::from(sdbm(&mac.0)) % size;
        let checked = |ip: &Ipv4Addr| self.pinged.get(ip).is_some_and(|t| now < *t + PING_CACHE_TIME);
        (0..size)
            .map(|k| Ipv4Addr::from((s + (first + k) % size) as u32))
            .find(|ip| self.free_for(*ip, mac, now, server))
            .map(|ip| (ip, !self.args.no_ping && !checked(&ip)))
    }

    /// True when the range serves `ifindex`: dnsmasq links a range to an interface when one
    /// of its addresses shares a non-empty subnet with both ends, under the range's netmask
    /// or, without one, the prefix of an address whose subnet holds either end (dhcp.c
    /// `guess_range_netmask` and `complete_context`). A range of every address never does.
    fn serves(&self, sys: &Sys<'_, '_, '_>, ifindex: u32) -> bool {
        let (s, e) = self.range();
        let same = |a: u32, b: u32, m: u32| a & m == b & m;
        let mut netmask = self.args.netmask.map_or(0, u32::from);
        sys.ifaddrs(ifindex).any(|(addr, prefix)| {
            let local = u32::from(addr);
            let m = crate::wire::mask(prefix);
            if self.args.netmask.is_none() && (same(local, s, m) || same(local, e, m)) {
                netmask = m;
            }
            netmask != 0 && same(local, s, netmask) && same(local, e, netmask)
        })
    }

    /// The server's address on `ifindex` in the range's subnet, with its prefix.
    fn server_addr(&self, sys: &Sys<'_, '_, '_>, ifindex: u32) -> Option<(Ipv4Addr, u8)> {
        let contains = |(a, p): &(Ipv4Addr, u8)| {
            let m = crate::wire::mask(*p);
            u32::from(*a) & m == u32::from(self.args.start) & m
        };
        sys.ifaddrs(ifindex).find(contains).or_else(|| sys.ifaddrs(ifindex).next())
    }

    fn log(&self, sys: &mut Sys<'_, '_, '_>, what: &str, ifname: &str, ip: Option<Ipv4Addr>, mac: MacAddr, tail: &str) {
        let ip = ip.map(|a| format!("{a} ")).unwrap_or_default();
        self.say(sys, format!("dnsmasq-dhcp: {what}({ifname}) {ip}{mac} {tail}"));
    }

    /// Handles what waits in its port 67 socket, until a ping check blocks it (what
    /// arrives meanwhile waits in the socket, up to its receive buffer).
    fn drain(&mut self, sys: &mut Sys<'_, '_, '_>) {
        let Some((udp, _)) = self.socks else { return };
        let mut buf = std::mem::take(&mut self.ubuf);
        while self.pending.is_none() {
            let Some(m) = sys.recv(udp, &mut buf) else { break };
            if let Meta::Udp { in_if, .. } = m
                && self.ifindex.is_none_or(|i| i == in_if)
            {
                self.handle(sys, in_if, &buf);
            }
        }
        self.ubuf = buf;
    }

    fn handle(&mut self, sys: &mut Sys<'_, '_, '_>, in_if: u32, payload: &[u8]) {
        let Some(m) = parse(payload) else {
            self.malformed += 1;
            sys.drop_malformed(in_if, "dnsmasq: malformed DHCP packet");
            return;
        };
        let Some(ifname) = sys.ifname(in_if).map(str::to_string) else { return };
        let Some((server, _)) = self.server_addr(sys, in_if) else {
            self.say(sys, format!("dnsmasq-dhcp: DHCP packet received on {ifname} which has no address"));
            return;
        };
        if !self.serves(sys, in_if) {
            self.say(sys, format!("dnsmasq-dhcp: no address range available for DHCP request via {ifname}"));
            return;
        }
        let now = sys.now();
        match m.kind {
            Kind::Discover => match self.choose(m.chaddr, m.requested_ip, now, server) {
                None => self.log(sys, "DHCPDISCOVER", &ifname, m.requested_ip, m.chaddr, "no address available"),
                Some((ip, true)) => self.ping_check(sys, m, in_if, ip),
                Some((ip, false)) => {
                    self.log(sys, "DHCPDISCOVER", &ifname, m.requested_ip, m.chaddr, "");
                    self.offer(sys, &m, in_if, ip)
                }
            },
            Kind::Request => self.request(sys, &m, in_if, &ifname, server),
            Kind::Release => {
                self.log(sys, "DHCPRELEASE", &ifname, Some(m.ciaddr), m.chaddr, "");
                if self.leases.get(&m.chaddr).is_some_and(|l| l.ip == m.ciaddr) {
                    self.leases.remove(&m.chaddr);
                }
            }
            Kind::Inform => {
                self.log(sys, "DHCPINFORM", &ifname, Some(m.ciaddr), m.chaddr, "");
                self.log(sys, "DHCPACK", &ifname, Some(m.ciaddr), m.chaddr, "");
                let mut r = self.reply(sys, &m, Kind::Ack, Ipv4Addr::UNSPECIFIED, in_if);
                r.lease = None;
                r.t1 = None;
                r.t2 = None;
                self.send(sys, &r, in_if, Some(m.ciaddr));
            }
            Kind::Decline => {
                let ip = m.requested_ip.unwrap_or(m.ciaddr);
                self.log(sys, "DHCPDECLINE", &ifname, Some(ip), m.chaddr, "");
                self.in_use.insert(ip);
                self.leases.remove(&m.chaddr);
            }
            Kind::Offer | Kind::Ack | Kind::Nak => {}
        }
    }

    fn ping_check(&mut self, sys: &mut Sys<'_, '_, '_>, m: Message, in_if: u32, ip: Ipv4Addr) {
        let id = rng::range_u32(sys.rng(), 0, 0xffff) as u16;
        let mut echo = vec![icmp_kind::ECHO_REQUEST, 0, 0, 0];
        echo.extend_from_slice(&id.to_be_bytes());
        echo.extend_from_slice(&[0, 0]);
        echo.extend_from_slice(&[0u8; 20]);
        let c = wire::checksum(&echo);
        echo[2..4].copy_from_slice(&c.to_be_bytes());
        let spec =
            OutSpec { dst: ip, src: None, proto: proto::ICMP, ttl: None, tos: 0, pmtudisc: Pmtudisc::Want, oif: None };
        let _ = sys.send(&spec, &echo);
        let due = sys.now() + PING_WAIT;
        self.pending = Some(Pending { msg: m, in_if, ip, ping_id: id, due });
    }

    /// The wait is over for `pd` and `ip` is free: log the DISCOVER, then offer.
    fn discovered(&mut self, sys: &mut Sys<'_, '_, '_>, pd: &Pending, ip: Option<Ipv4Addr>) {
        let ifname = sys.ifname(pd.in_if).map(str::to_string).unwrap_or_default();
        let m = &pd.msg;
        match ip {
            Some(ip) => {
                self.log(sys, "DHCPDISCOVER", &ifname, m.requested_ip, m.chaddr, "");
                self.offer(sys, m, pd.in_if, ip);
            }
            None => self.log(sys, "DHCPDISCOVER", &ifname, m.requested_ip, m.chaddr, "no address available"),
        }
    }

    pub(crate) fn on_icmp(&mut self, sys: &mut Sys<'_, '_, '_>, p: &IcmpIn<'_>) {
        let m = p.icmp;
        if m[0] != icmp_kind::ECHO_REPLY {
            return;
        }
        let id = u16::from_be_bytes([m[4], m[5]]);
        if !self.pending.as_ref().is_some_and(|pd| pd.ping_id == id && pd.ip == p.src) {
            return;
        }
        // Somebody answers for that address: set it aside and try the next one.
        let pd = self.pending.take().expect("checked");
        self.in_use.insert(pd.ip);
        let Some((server, _)) = self.server_addr(sys, pd.in_if) else { return };
        match self.choose(pd.msg.chaddr, None, sys.now(), server) {
            Some((ip, true)) => self.ping_check(sys, pd.msg, pd.in_if, ip),
            other => {
                self.discovered(sys, &pd, other.map(|(ip, _)| ip));
                self.drain(sys);
            }
        }
    }

    /// The reply's common fields and options.
    fn reply(&self, sys: &Sys<'_, '_, '_>, m: &Message, kind: Kind, yiaddr: Ipv4Addr, in_if: u32) -> Message {
        let (server, prefix) = self.server_addr(sys, in_if).unwrap_or((Ipv4Addr::UNSPECIFIED, 24));
        let mask = self.args.netmask.unwrap_or(Ipv4Addr::from(crate::wire::mask(prefix)));
        let mut r = Message::new(kind, m.xid, m.chaddr);
        r.broadcast = m.broadcast;
        r.yiaddr = yiaddr;
        r.siaddr = server;
        r.server_id = Some(server);
        r.lease = Some(self.args.lease);
        r.t1 = Some(self.args.lease / 2);
        r.t2 = Some((u64::from(self.args.lease) * 7 / 8) as u32);
        r.subnet_mask = Some(mask);
        r.broadcast_addr = Some(Ipv4Addr::from(u32::from(server) | !u32::from(mask)));
        r.router = match self.args.router {
            Some(r) => r,
            None => Some(server),
        };
        r.dns = self.args.dns.clone().unwrap_or_else(|| vec![server]);
        r
    }

    fn offer(&mut self, sys: &mut Sys<'_, '_, '_>, m: &Message, in_if: u32, ip: Ipv4Addr) {
        let ifname = sys.ifname(in_if).map(str::to_string).unwrap_or_default();
        self.log(sys, "DHCPOFFER", &ifname, Some(ip), m.chaddr, "");
        let r = self.reply(sys, m, Kind::Offer, ip, in_if);
        self.send(sys, &r, in_if, None);
    }

    fn request(&mut self, sys: &mut Sys<'_, '_, '_>, m: &Message, in_if: u32, ifname: &str, server: Ipv4Addr) {
        if m.server_id.is_some_and(|s| s != server) {
            // The client took another server's offer.
            return;
        }
        let ip = m.requested_ip.unwrap_or(m.ciaddr);
        self.log(sys, "DHCPREQUEST", ifname, Some(ip), m.chaddr, "");
        let now = sys.now();
        let reserved = self.args.hosts.iter().find(|(mac, _)| *mac == m.chaddr).map(|(_, a)| *a);
        let why = if reserved.is_some_and(|r| r != ip) || (reserved.is_none() && !self.in_range(ip)) {
            Some("wrong address")
        } else if !self.free_for(ip, m.chaddr, now, server) {
            Some("address in use")
        } else {
            None
        };
        match why {
            Some(why) => {
                self.log(sys, "DHCPNAK", ifname, Some(ip), m.chaddr, why);
                let mut r = Message::new(Kind::Nak, m.xid, m.chaddr);
                r.server_id = Some(server);
                r.broadcast = true;
                self.send(sys, &r, in_if, None);
            }
            None => {
                let tail = m.hostname.clone().unwrap_or_default();
                self.log(sys, "DHCPACK", ifname, Some(ip), m.chaddr, &tail);
                self.leases
                    .insert(m.chaddr, Lease { ip, expires: now + Duration::from_secs(u64::from(self.args.lease)) });
                let r = self.reply(sys, m, Kind::Ack, ip, in_if);
                let dst = (!m.ciaddr.is_unspecified()).then_some(m.ciaddr);
                self.send(sys, &r, in_if, dst);
            }
        }
    }

    /// Sends a reply: to `to` when the client has an address, broadcast when it asked for
    /// it (or for a NAK), else unicast to its MAC through an injected ARP entry.
    fn send(&mut self, sys: &mut Sys<'_, '_, '_>, r: &Message, in_if: u32, to: Option<Ipv4Addr>) {
        let Some((server, _)) = self.server_addr(sys, in_if) else { return };
        let dst = match to {
            Some(a) => a,
            None if r.broadcast || r.yiaddr.is_unspecified() => Ipv4Addr::BROADCAST,
            None => {
                sys.neigh_inject(in_if, r.yiaddr, r.chaddr);
                r.yiaddr
            }
        };
        let u = udp(server, dst, SERVER_PORT, CLIENT_PORT, &emit(r));
        let spec = OutSpec {
            dst,
            src: Some(server),
            proto: proto::UDP,
            ttl: None,
            tos: 0xc0,
            pmtudisc: Pmtudisc::Dont,
            oif: Some(in_if),
        };
        let _ = sys.send(&spec, &u);
    }
}

impl Program for Dnsmasq {
    fn name(&self) -> &'static str {
        "dnsmasq"
    }
    fn start(&mut self, sys: &mut Sys<'_, '_, '_>) {
        if let Some(name) = self.args.interface.clone() {
            match sys.ifindex(&name) {
                Some(i) => self.ifindex = Some(i),
                None => {
                    sys.stderr(format!("dnsmasq: unknown interface {name}"));
                    return sys.exit(2);
                }
            }
        }
        // Port 67 on its interface (or all), and a raw ICMP socket for its ping check.
        let udp = sys.socket(SocketKind::Udp { port: SERVER_PORT, dev: self.ifindex });
        let icmp = sys.socket(SocketKind::RawIcmp { bind: None });
        self.socks = Some((udp, icmp));
        if self.args.no_dns {
            self.say(sys, "dnsmasq: started, version 2.90 DNS disabled");
        } else {
            self.say(sys, "dnsmasq: started, version 2.90 cachesize 150");
        }
        self.say(sys, "dnsmasq: compile time options: IPv6 GNU-getopt DBus no-UBus i18n IDN2 DHCP DHCPv6 no-Lua TFTP conntrack ipset nftset auth cryptohash DNSSEC loop-detect inotify dumpfile");
        self.say(
            sys,
            format!(
                "dnsmasq-dhcp: DHCP, IP range {} -- {}, lease time {}",
                self.args.start,
                self.args.end,
                pretty_time(self.args.lease)
            ),
        );
        // The simulated machine's /etc/resolv.conf and /etc/hosts are empty (kernel mode
        // gives its namespaces empty ones too); dnsmasq says "reading" only of a file with
        // servers in it.
        if !self.args.no_dns {
            if !self.args.no_resolv {
                self.say(sys, "dnsmasq: no servers found in /etc/resolv.conf, will retry");
            }
            if !self.args.no_hosts {
                self.say(sys, "dnsmasq: read /etc/hosts - 0 names");
            }
        }
    }
    fn on_timeout(&mut self, sys: &mut Sys<'_, '_, '_>) {
        if self.pending.as_ref().is_some_and(|p| p.due <= sys.now()) {
            let pd = self.pending.take().expect("checked");
            self.pinged.insert(pd.ip, sys.now());
            self.discovered(sys, &pd, Some(pd.ip));
            self.drain(sys);
        }
    }
    fn poll_timeout(&self) -> Option<Instant> {
        self.pending.as_ref().map(|p| p.due)
    }
    fn on_ready(&mut self, sys: &mut Sys<'_, '_, '_>, sock: SocketId) {
        match self.socks {
            Some((udp, _)) if udp == sock => self.drain(sys),
            Some((_, icmp)) if icmp == sock => {
                let mut buf = std::mem::take(&mut self.ibuf);
                crate::proc::each_icmp(sys, sock, &mut buf, |sys, p| self.on_icmp(sys, p));
                self.ibuf = buf;
            }
            _ => {}
        }
    }
    /// SIGINT (Ctrl-C): in debug mode (`--no-daemon`) dnsmasq exits at once with status 5
    /// (`EC_MISC`) and says nothing, as the real one does.
    fn interrupt(&mut self, sys: &mut Sys<'_, '_, '_>) {
        self.pending = None;
        sys.exit(5);
    }
    fn detached(&self) -> bool {
        !self.args.foreground
    }
    crate::proc::any_program!();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_range_of_every_address_picks_without_overflow() {
        let d = Dnsmasq::new(DnsmasqArgs {
            start: Ipv4Addr::UNSPECIFIED,
            end: Ipv4Addr::BROADCAST,
            netmask: None,
            lease: 3600,
            interface: None,
            hosts: Vec::new(),
            router: None,
            dns: None,
            no_ping: true,
            foreground: true,
            no_dns: true,
            no_resolv: true,
            no_hosts: true,
        });
        let mac = MacAddr([0, 0, 0x5e, 0, 0x53, 1]);
        let (ip, _) = d.choose(mac, None, Instant::ZERO, Ipv4Addr::new(10, 0, 0, 1)).unwrap();
        assert_eq!(u32::from(ip), sdbm(&mac.0));
    }

    #[test]
    fn the_hash_picks_what_dnsmasq_picked() {
        // dnsmasq 2.90 on the reference machine offered .123 of .100-.200 to this MAC, and
        // the document's 2.79 offered .186 to b6:98:e1:86:1a:6b.
        let off = |mac: [u8; 6], size: u32| 100 + sdbm(&mac) % size;
        assert_eq!(off([0, 0, 0x5e, 0, 0x53, 0x31], 101), 123);
        assert_eq!(off([0xb6, 0x98, 0xe1, 0x86, 0x1a, 0x6b], 101), 186);
        assert_eq!(off([0, 0, 0x5e, 0, 0x53, 0x31], 2), 100);
    }
}
