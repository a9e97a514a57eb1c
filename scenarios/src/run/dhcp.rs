//! dnsmasq's and dhclient's option values (as written in a step) → the sim processes'
//! typed arguments. Both front ends validate through here, so a bad `--dhcp-range` in a
//! RON file and in a script get the same error; the kernel back end passes the words on.

use crate::command::validate::Invalid;
use crate::command::{DhclientCmd, DnsmasqCmd};
use sim_core::MacAddr;
use sim_nodes::proc::{DhclientArgs, DnsmasqArgs};
use std::net::Ipv4Addr;

/// dnsmasq's shortest lease: it raises anything under two minutes to 120 s.
const MIN_LEASE: u32 = 120;
/// dnsmasq's default lease.
const DEFAULT_LEASE: u32 = 3600;

fn bad(message: String, hint: &str, word: &str) -> Invalid {
    Invalid { message, hint: Some(hint.to_string()), word: Some(word.to_string()) }
}

/// A lease time as dnsmasq reads it: `infinite`, or a number with an optional `s`, `m`,
/// `h`, `d` or `w` suffix.
pub fn lease_time(s: &str) -> Option<u32> {
    if s == "infinite" {
        return Some(u32::MAX);
    }
    let (digits, fac) = match s.char_indices().last()? {
        (i, 's' | 'S') => (&s[..i], 1),
        (i, 'm' | 'M') => (&s[..i], 60),
        (i, 'h' | 'H') => (&s[..i], 3600),
        (i, 'd' | 'D') => (&s[..i], 86400),
        (i, 'w' | 'W') => (&s[..i], 7 * 86400),
        _ => (s, 1),
    };
    let n: u32 = digits.parse().ok()?;
    Some(n.saturating_mul(fac).max(MIN_LEASE))
}

fn addr(s: &str) -> Option<Ipv4Addr> {
    s.parse().ok()
}

/// `--dhcp-range=START,END[,MASK][,LEASE]`.
fn range(a: &mut DnsmasqArgs, v: &str) -> Result<(), Invalid> {
    const HINT: &str = "write --dhcp-range=START,END[,NETMASK][,LEASE], e.g. 192.0.2.100,192.0.2.200,255.255.255.0,1h";
    let parts: Vec<&str> = v.split(',').collect();
    if parts.iter().any(|p| p.starts_with("tag:") || p.starts_with("set:")) || parts.contains(&"static") {
        return Err(bad(format!("not supported yet: dnsmasq --dhcp-range={v}"), HINT, v));
    }
    let (Some(start), Some(end)) = (parts.first().and_then(|p| addr(p)), parts.get(1).and_then(|p| addr(p))) else {
        return Err(bad(format!("dnsmasq: bad dhcp-range at line 1 of command line option: {v}"), HINT, v));
    };
    if u32::from(end) < u32::from(start) {
        return Err(bad(format!("dnsmasq: inconsistent DHCP range at line 1 of command line option: {v}"), HINT, v));
    }
    a.start = start;
    a.end = end;
    let mut rest = &parts[2..];
    if let Some(m) = rest.first().and_then(|p| addr(p)) {
        if u32::from(m).leading_ones() + u32::from(m).trailing_zeros() != 32 {
            return Err(bad(format!("dnsmasq: bad netmask in dhcp-range: {v}"), HINT, v));
        }
        a.netmask = Some(m);
        rest = &rest[1..];
    }
    match rest {
        [] => {}
        [l] => {
            a.lease = lease_time(l).ok_or_else(|| bad(format!("dnsmasq: bad dhcp-range lease time: {l}"), HINT, v))?
        }
        _ => return Err(bad(format!("dnsmasq: bad dhcp-range at line 1 of command line option: {v}"), HINT, v)),
    }
    Ok(())
}

/// `--dhcp-host=MAC,IP`.
fn host(v: &str) -> Result<(MacAddr, Ipv4Addr), Invalid> {
    const HINT: &str = "nslab's dnsmasq takes reservations as --dhcp-host=MAC,IP";
    let mut mac = None;
    let mut ip = None;
    for p in v.split(',') {
        if let Ok(m) = p.parse::<MacAddr>() {
            mac = Some(m);
        } else if let Some(a) = addr(p) {
            ip = Some(a);
        } else {
            return Err(bad(format!("not supported yet: dnsmasq --dhcp-host field {p}"), HINT, v));
        }
    }
    match (mac, ip) {
        (Some(m), Some(a)) => Ok((m, a)),
        _ => Err(bad(format!("dnsmasq: bad dhcp-host: {v}"), HINT, v)),
    }
}

/// `--dhcp-option=3,IP` / `option:router,IP` / `6,IP[,IP]` / `option:dns-server,…`.
fn option(a: &mut DnsmasqArgs, v: &str) -> Result<(), Invalid> {
    const HINT: &str = "nslab's dnsmasq sets the router (3, option:router) and DNS servers (6, option:dns-server)";
    let mut parts = v.split(',');
    let code = parts.next().unwrap_or_default();
    let values: Vec<&str> = parts.collect();
    let addrs: Option<Vec<Ipv4Addr>> = values.iter().map(|p| addr(p)).collect();
    let Some(addrs) = addrs else {
        return Err(bad(format!("dnsmasq: bad IP address in dhcp-option: {v}"), HINT, v));
    };
    match code {
        "3" | "option:router" => a.router = Some(addrs.first().copied()),
        "6" | "option:dns-server" => a.dns = Some(addrs),
        _ => return Err(bad(format!("not supported yet: dnsmasq --dhcp-option={v}"), HINT, v)),
    }
    Ok(())
}

/// The server's arguments, or why they are refused.
pub fn dnsmasq_args(d: &DnsmasqCmd) -> Result<DnsmasqArgs, Invalid> {
    let mut a = DnsmasqArgs {
        start: Ipv4Addr::UNSPECIFIED,
        end: Ipv4Addr::UNSPECIFIED,
        netmask: None,
        lease: DEFAULT_LEASE,
        interface: d.interface.clone(),
        hosts: Vec::new(),
        router: None,
        dns: None,
        no_ping: d.no_ping,
        foreground: d.no_daemon,
        no_dns: d.port == Some(0),
        no_resolv: d.no_resolv,
        no_hosts: d.no_hosts,
    };
    range(&mut a, &d.dhcp_range)?;
    for h in &d.dhcp_host {
        a.hosts.push(host(h)?);
    }
    for o in &d.dhcp_option {
        option(&mut a, o)?;
    }
    Ok(a)
}

/// The client's arguments.
pub fn dhclient_args(d: &DhclientCmd) -> DhclientArgs {
    DhclientArgs { iface: d.iface.clone(), foreground: d.foreground, verbose: d.verbose, release: d.release }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd(range: &str) -> DnsmasqCmd {
        DnsmasqCmd {
            dhcp_range: range.into(),
            interface: None,
            dhcp_host: vec![],
            dhcp_option: vec![],
            no_daemon: true,
            no_ping: false,
            port: None,
            no_resolv: false,
            no_hosts: false,
        }
    }

    #[test]
    fn ranges_read_as_dnsmasq_reads_them() {
        let a = dnsmasq_args(&cmd("192.0.2.100,192.0.2.200,255.255.255.0")).unwrap();
        assert_eq!(
            (a.start, a.end, a.netmask, a.lease),
            (
                "192.0.2.100".parse().unwrap(),
                "192.0.2.200".parse().unwrap(),
                Some("255.255.255.0".parse().unwrap()),
                3600
            )
        );
        assert_eq!(dnsmasq_args(&cmd("10.0.0.10,10.0.0.11,2m")).unwrap().lease, 120);
        assert_eq!(dnsmasq_args(&cmd("10.0.0.10,10.0.0.11,255.255.255.0,30")).unwrap().lease, 120, "raised to 2 min");
        assert_eq!(dnsmasq_args(&cmd("10.0.0.10,10.0.0.11,infinite")).unwrap().lease, u32::MAX);
        assert!(dnsmasq_args(&cmd("10.0.0.10")).is_err());
        assert!(dnsmasq_args(&cmd("10.0.0.20,10.0.0.10")).is_err());
        assert!(dnsmasq_args(&cmd("10.0.0.10,10.0.0.20,1x")).is_err());
        assert!(dnsmasq_args(&cmd("10.0.0.10,10.0.0.20,255.0.255.0")).is_err());
    }

    #[test]
    fn hosts_and_options() {
        let mut c = cmd("10.0.0.10,10.0.0.20");
        c.dhcp_host = vec!["02:00:00:00:00:01,10.0.0.5".into()];
        c.dhcp_option = vec!["option:router,10.0.0.1".into(), "6,10.0.0.53,10.0.0.54".into()];
        let a = dnsmasq_args(&c).unwrap();
        assert_eq!(a.hosts, vec![("02:00:00:00:00:01".parse().unwrap(), "10.0.0.5".parse().unwrap())]);
        assert_eq!(a.router, Some(Some("10.0.0.1".parse().unwrap())));
        assert_eq!(a.dns.as_ref().map(Vec::len), Some(2));
        c.dhcp_option = vec!["3".into()];
        assert_eq!(dnsmasq_args(&c).unwrap().router, Some(None), "an empty router option sends none");
        c.dhcp_option = vec!["42,10.0.0.1".into()];
        assert!(dnsmasq_args(&c).unwrap_err().message.starts_with("not supported yet"));
    }
}
