//! `ping -6` (and `ping6`, and `ping` of an IPv6 address) as iputils 20221126's
//! `ping6_common.c` prints it: `PING A(A) 56 data bytes`, `ttl=` the reply's hop limit,
//! `From A icmp_seq=N` and `print_icmp`'s words for ICMPv6 errors. The schedule, the
//! counting and the statistics are `mod.rs`'s, shared with IPv4.

use super::super::{Icmp6In, Sys};
use super::Ping;
use crate::netns::ipv6::Out6;
use crate::sys::Errno;
use sim_core::rng;
use std::net::{IpAddr, Ipv6Addr};

/// ICMPv6 types ping sends and reads.
pub(super) mod kind6 {
    /// Echo request.
    pub const ECHO_REQUEST: u8 = 128;
    /// Echo reply.
    pub const ECHO_REPLY: u8 = 129;
}

/// `print_icmp`: an ICMPv6 error's words.
fn describe6(t: u8, code: u8, info: u32) -> String {
    match t {
        1 => {
            let what = match code {
                0 => "No route".to_string(),
                1 => "Administratively prohibited".to_string(),
                2 => "Beyond scope of source address".to_string(),
                3 => "Address unreachable".to_string(),
                4 => "Port unreachable".to_string(),
                c => format!("Unknown code {c}"),
            };
            format!("Destination unreachable: {what}")
        }
        2 if code != 0 => format!("Packet too big: mtu={info}, code={code}"),
        2 => format!("Packet too big: mtu={info}"),
        3 => match code {
            0 => "Time exceeded: Hop limit".to_string(),
            1 => "Time exceeded: Defragmentation failure".to_string(),
            c => format!("Time exceeded: code {c}"),
        },
        4 => {
            let what = match code {
                0 => "Wrong header field ".to_string(),
                1 => "Unknown header ".to_string(),
                2 => "Unknown option ".to_string(),
                c => format!("code {c} "),
            };
            format!("Parameter problem: {what}at {info}")
        }
        t => format!("unknown icmp type: {t}"),
    }
}

/// `pr_addr`: a link-local source with its scope, the interface it came in on
/// (`fe80::1%eth0`).
fn scoped(sys: &Sys<'_, '_, '_>, p: &Icmp6In<'_>) -> Scoped {
    let dev = sys.ifname(p.in_if).filter(|_| p.src.is_unicast_link_local()).map(str::to_string);
    Scoped { addr: p.src, dev }
}

/// A reply's source as ping prints it (formatted only when printed; the device's name is
/// copied only for a link-local source).
struct Scoped {
    addr: Ipv6Addr,
    dev: Option<String>,
}

impl std::fmt::Display for Scoped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.dev {
            Some(dev) => write!(f, "{}%{dev}", self.addr),
            None => write!(f, "{}", self.addr),
        }
    }
}

impl Ping {
    /// `ping6_run`: the socket, its `connect()` (which picks the source and fails without
    /// a route), the first line, the first probe.
    pub(super) fn start6(&mut self, sys: &mut Sys<'_, '_, '_>, dest: Ipv6Addr) {
        let name = self.dest_name();
        // `ADDR%IFACE`: getaddrinfo resolves the name to its index, the probes' device.
        if let Some(dev) = self.args.scope.clone() {
            match sys.ifindex(&dev) {
                Some(ix) => self.oif = Some(ix),
                None => {
                    sys.stderr(format!("ping: {name}: Name or service not known"));
                    return sys.exit(2);
                }
            }
        }
        let mut bound = None;
        let from_dev = match self.args.bind.clone() {
            Some(super::Bind::Dev(d)) => match self.bind_dev(sys, d) {
                Some(d) => Some(d),
                None => return,
            },
            Some(super::Bind::Addr6(a)) => {
                if !sys.is_local6(a) {
                    sys.stderr("ping: bind icmp socket: Cannot assign requested address");
                    return sys.exit(2);
                }
                bound = Some(a);
                None
            }
            _ => None,
        };
        match sys.route6(dest, self.oif) {
            Ok((_, src)) => self.src6 = Some(bound.unwrap_or(src)),
            Err(e) => {
                sys.stderr(format!("ping: connect: {e}"));
                return sys.exit(2);
            }
        }
        self.id = rng::range_u32(sys.rng(), 0, 0xffff) as u16;
        let src = self.src6.unwrap_or(Ipv6Addr::UNSPECIFIED);
        self.flow = sys.flow_label(src, dest, self.id);
        let from = match (from_dev, bound) {
            // iputils leaves the source to the kernel here, and says so.
            (Some(d), _) => {
                sys.stderr(format!("ping: Warning: source address might be selected on device other than: {d}"));
                format!("from :: {d}: ")
            }
            (None, Some(a)) => format!("from {a} : "),
            (None, None) => String::new(),
        };
        sys.stdout(format!("PING {name}({name}) {from}{} data bytes", self.args.size));
        self.start = sys.now();
        self.sched = self.start;
        self.send_probe(sys);
    }

    /// A probe out of the ICMPv6 socket.
    pub(super) fn send6(&mut self, sys: &mut Sys<'_, '_, '_>, dest: Ipv6Addr, m: &[u8]) -> Result<(), Errno> {
        let spec = Out6 { dst: dest, src: self.src6, next: 58, hlim: self.args.ttl, flow: self.flow, oif: self.oif };
        sys.send6(&spec, m)
    }

    /// An ICMPv6 message on the socket: a reply to us, or an error about one of our probes.
    pub(crate) fn on_icmp6(&mut self, sys: &mut Sys<'_, '_, '_>, p: &Icmp6In<'_>) {
        let m = p.icmp;
        if m.len() < 8 {
            return;
        }
        let IpAddr::V6(dest) = self.args.dest else { return };
        match m[0] {
            kind6::ECHO_REPLY => {
                if u16::from_be_bytes([m[4], m[5]]) != self.id || p.src != dest {
                    return;
                }
                let from = scoped(sys, p);
                self.echo_reply(sys, &from, p.hlim, m);
            }
            1..=4 => {
                // The quoted probe: an IPv6 header, then our echo request.
                let inner = &m[8..];
                let Some(e) = inner.get(40..48) else { return };
                let idst = crate::netns::ipv6::packet::addr(inner, 24);
                if inner[6] != 58
                    || e[0] != kind6::ECHO_REQUEST
                    || idst != dest
                    || u16::from_be_bytes([e[4], e[5]]) != self.id
                {
                    return;
                }
                let seq = u16::from_be_bytes([e[6], e[7]]);
                let info = u32::from_be_bytes([m[4], m[5], m[6], m[7]]);
                let from = scoped(sys, p);
                self.icmp_error(sys, &from, seq, || describe6(m[0], m[1], info));
            }
            _ => return,
        }
        self.answered(sys);
    }
}

#[cfg(test)]
mod tests {
    use super::describe6;

    #[test]
    fn errors_read_as_print_icmp_prints_them() {
        assert_eq!(describe6(1, 3, 0), "Destination unreachable: Address unreachable");
        assert_eq!(describe6(3, 0, 0), "Time exceeded: Hop limit");
        assert_eq!(describe6(2, 0, 1400), "Packet too big: mtu=1400");
        assert_eq!(describe6(4, 1, 6), "Parameter problem: Unknown header at 6");
    }
}
