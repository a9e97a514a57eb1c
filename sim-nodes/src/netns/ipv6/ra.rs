//! Router advertisements a host takes (`ndisc_router_discovery`) and what they configure
//! (`addrconf_prefix_rcv`): the default route through the router (`proto ra metric 1024
//! expires N hoplimit H`; a router lifetime of 0 removes it), the router as a neighbour
//! (STALE, `router`), each on-link prefix's route (`proto kernel metric 256 expires N`)
//! and, for an autonomous /64, an address of the prefix and the interface's EUI-64
//! identifier (`dynamic mngtmpaddr`, after DAD), its lifetimes counting down in virtual
//! time and set again by each advertisement (RFC 4862's two-hour rule). Solicitations stop
//! once one came. An address whose preferred lifetime ran out is `deprecated`; one whose
//! valid lifetime ran out goes. A route whose time is up is no longer used, and goes at
//! the garbage collector's next run (every `gc_interval`, 30 s, from the first route that
//! expires), listed until then with `expires -Nsec`.
//!
//! Taken when the interface's `accept_ra` is not 0 (its default, 1, from
//! `net.ipv6.conf.default.accept_ra` when the interface came) and the namespace does not
//! forward — or when it does and `accept_ra` is 2 —, from a link-local source with hop
//! limit 255, as RFC 4861 asks. Owns the `Lifetimes6` deadline;
//! it changes the interface's addresses, routes and neighbours as the kernel's RA code does.

use super::{Inet6Addr, Lft, Route6, packet};
use crate::netns::neigh::{Nud, UpdateFlags};
use crate::netns::{Netns, TimerKey};
use sim_core::{Context, Duration, Instant};
use std::net::Ipv6Addr;

/// RFC 4862's two hours: a prefix's valid lifetime is cut below what is left only down to
/// this (`MIN_VALID_LIFETIME`).
const MIN_VALID_LIFETIME: u32 = 2 * 3600;
/// An infinite lifetime.
const INFINITY: u32 = u32::MAX;
/// `net.ipv6.route.gc_interval`.
const GC_INTERVAL: Duration = Duration::from_secs(30);

/// A prefix information option (RFC 4861 4.6.2).
struct PrefixInfo {
    prefix: Ipv6Addr,
    len: u8,
    on_link: bool,
    autonomous: bool,
    valid: u32,
    preferred: u32,
}

/// The options of an advertisement we use: the source link-layer address, the prefixes.
fn options(opts: &[u8]) -> Option<(Option<sim_core::MacAddr>, Vec<PrefixInfo>)> {
    let mut ll = None;
    let mut prefixes = Vec::new();
    let mut at = 0;
    while at + 2 <= opts.len() {
        let len = usize::from(opts[at + 1]) * 8;
        // `ndisc_parse_options`: a zero length, or one past the end, spoils the message.
        if len == 0 || at + len > opts.len() {
            return None;
        }
        let o = &opts[at..at + len];
        match o[0] {
            1 if len >= 8 => ll = sim_core::MacAddr::from_slice(&o[2..8]),
            3 if len == 32 => prefixes.push(PrefixInfo {
                prefix: packet::addr(o, 16),
                len: o[2],
                on_link: o[3] & 0x80 != 0,
                autonomous: o[3] & 0x40 != 0,
                valid: u32::from_be_bytes([o[4], o[5], o[6], o[7]]),
                preferred: u32::from_be_bytes([o[8], o[9], o[10], o[11]]),
            }),
            _ => {}
        }
        at += len;
    }
    Some((ll, prefixes))
}

/// `addrconf_set_timeout`-style deadline of a lifetime from `now` (none when infinite).
fn deadline(now: Instant, secs: u32) -> Option<Instant> {
    (secs != INFINITY).then(|| now + Duration::from_secs(u64::from(secs)))
}

impl Netns {
    /// `ndisc_router_discovery`: an advertisement `src` sent with hop limit `hlim`.
    pub(super) fn rx_ra(&mut self, cx: &mut Context<'_>, ifindex: u32, src: Ipv6Addr, hlim: u8, m: &[u8]) {
        // `ipv6_accept_ra`: the interface's `accept_ra`, which must be 2 on a router.
        let accept = self.ifaces.get(&ifindex).map_or(0, |i| i.accept_ra);
        let accepts = if self.forwarding6() { accept == 2 } else { accept != 0 };
        if !src.is_unicast_link_local() || hlim != 255 || m.len() < 16 || m[1] != 0 || !accepts {
            return;
        }
        let Some((ll, prefixes)) = options(&m[16..]) else { return };
        let Some(i) = self.ifaces.get_mut(&ifindex) else { return };
        i.v6.ra_rcvd = true;
        let parms = i.neigh.clone();
        self.timers.set(TimerKey::Rs(ifindex), None);
        let now = cx.now();
        let cur_hlim = m[4];
        let lifetime = u32::from(u16::from_be_bytes([m[6], m[7]]));
        let at =
            self.fib6.position_to(Ipv6Addr::UNSPECIFIED, 0, |r| r.ra && r.gateway == Some(src) && r.dev == ifindex);
        match (at, lifetime) {
            (Some(k), 0) => {
                self.fib6.remove(k);
            }
            (Some(k), l) => self.fib6.modify(k, |r| {
                r.expires = deadline(now, l);
                r.expired = false;
                if cur_hlim != 0 {
                    r.hoplimit = Some(cur_hlim);
                }
            }),
            (None, 0) => {}
            (None, l) => {
                let r = Route6 {
                    dst: Ipv6Addr::UNSPECIFIED,
                    prefix: 0,
                    gateway: Some(src),
                    dev: ifindex,
                    metric: 1024,
                    kernel: false,
                    ra: true,
                    expires: deadline(now, l),
                    hoplimit: (cur_hlim != 0).then_some(cur_hlim),
                    expired: false,
                };
                self.fib6.insert(r);
            }
        }
        if let Some(mac) = ll {
            // The router, STALE until used, flagged as a router.
            let flags = UpdateFlags { override_: true, weak_override: true, ..Default::default() };
            let mut acts = Vec::new();
            self.nd.update(&parms, now, (ifindex, src), mac, Nud::Stale, flags, true, &mut self.timers, &mut acts);
            self.nd.set_router((ifindex, src), true);
            self.pending6.extend(acts);
        }
        for p in prefixes {
            self.prefix_rcv(cx, ifindex, &p);
        }
        self.arm_lifetimes6();
        self.fib6_start_gc(now);
    }

    /// `addrconf_prefix_rcv`: an on-link prefix's route, an autonomous /64's address.
    fn prefix_rcv(&mut self, cx: &mut Context<'_>, ifindex: u32, p: &PrefixInfo) {
        if p.prefix.is_unicast_link_local() || p.prefix.is_multicast() || p.preferred > p.valid || p.len > 128 {
            return;
        }
        let now = cx.now();
        let net = super::network(p.prefix, p.len);
        if p.on_link {
            let at = self.fib6.position_to(net, p.len, |r| r.kernel && r.gateway.is_none() && r.dev == ifindex);
            match at {
                Some(k) if p.valid == 0 => {
                    self.fib6.remove(k);
                }
                Some(k) => self.fib6.modify(k, |r| {
                    r.expires = deadline(now, p.valid);
                    r.expired = false;
                }),
                None if p.valid == 0 => {}
                None => {
                    let r = Route6 {
                        dst: net,
                        prefix: p.len,
                        gateway: None,
                        dev: ifindex,
                        metric: 256,
                        kernel: true,
                        ra: false,
                        expires: deadline(now, p.valid),
                        hoplimit: None,
                        expired: false,
                    };
                    self.fib6.insert(r);
                }
            }
        }
        if !p.autonomous || p.len != 64 || p.valid == 0 {
            return;
        }
        let Some(i) = self.ifaces.get_mut(&ifindex) else { return };
        let ll = packet::eui64_link_local(i.mac);
        let addr = Ipv6Addr::from((u128::from(net) & !(u128::MAX >> 64)) | (u128::from(ll) & (u128::MAX >> 64)));
        match i.v6.addrs.iter_mut().find(|a| a.addr == addr) {
            Some(a) => {
                // `addrconf_prefix_rcv_add_addr` on an address it made: the lifetimes
                // again, the valid one cut only down to two hours (RFC 4862 5.5.3 e).
                let Some(lft) = a.lft.as_mut() else { return };
                let (left, _) = lft.left(now);
                let valid = if p.valid > MIN_VALID_LIFETIME || p.valid > left {
                    p.valid
                } else {
                    left.min(MIN_VALID_LIFETIME).max(p.valid)
                };
                *lft = Lft { since: now, valid, preferred: p.preferred.min(valid) };
                if p.preferred > 0 {
                    a.deprecated = false;
                }
            }
            None => {
                let mut a = Inet6Addr::new(addr, 64, false);
                a.lft = Some(Lft { since: now, valid: p.valid, preferred: p.preferred });
                let ready = i.v6.ready;
                i.v6.insert(a);
                if ready {
                    self.dad_start(cx, ifindex, addr);
                }
            }
        }
    }

    /// Sets the `Lifetimes6` deadline to the first address to be deprecated or to go, or
    /// route to go.
    pub(crate) fn arm_lifetimes6(&mut self) {
        let addrs = self.ifaces.values().flat_map(|i| {
            i.v6.addrs.iter().filter_map(|a| {
                let l = a.lft?;
                Some(if a.deprecated { l.valid_until() } else { l.preferred_until().min(l.valid_until()) })
            })
        });
        let routes = self.fib6.iter().filter(|r| !r.expired).filter_map(|r| r.expires);
        let next = addrs.chain(routes).min();
        self.timers.set(TimerKey::Lifetimes6, next);
    }

    /// `fib6_start_gc`: a route that expires starts the garbage collector, `gc_interval`
    /// (30 s) from now, unless it is running.
    fn fib6_start_gc(&mut self, now: Instant) {
        if self.fib6.iter().any(|r| r.expires.is_some()) && self.timers.get(TimerKey::Fib6Gc).is_none() {
            self.timers.set(TimerKey::Fib6Gc, Some(now + GC_INTERVAL));
        }
    }

    /// `fib6_run_gc`: expired routes go; it runs again while routes that expire are left.
    pub(crate) fn fib6_gc(&mut self, cx: &mut Context<'_>) {
        self.fib6.retain(|r| !r.expired);
        let more = self.fib6.iter().any(|r| r.expires.is_some());
        self.timers.set(TimerKey::Fib6Gc, more.then(|| cx.now() + GC_INTERVAL));
    }

    /// `addrconf_verify` and the route garbage collector: an address past its preferred
    /// lifetime is deprecated; what ran out goes.
    pub(crate) fn lifetimes6_expire(&mut self, cx: &mut Context<'_>) {
        let now = cx.now();
        for i in self.ifaces.values_mut() {
            for a in i.v6.addrs.iter_mut() {
                if a.lft.is_some_and(|l| l.preferred_until() <= now) {
                    a.deprecated = true;
                }
            }
        }
        let gone: Vec<(u32, Ipv6Addr)> = self
            .ifaces
            .values()
            .flat_map(|i| {
                i.v6.addrs.iter().filter(|a| a.lft.is_some_and(|l| l.valid_until() <= now)).map(|a| (i.ifindex, a.addr))
            })
            .collect();
        for (ix, a) in gone {
            let _ = self.addr6_del(cx, ix, a);
        }
        // A route whose time is up is no longer used, but stays (`expires -Nsec`) until
        // the garbage collector's next run (seen on Linux 6.18).
        self.fib6.modify_all(|r| {
            if r.expires.is_some_and(|t| t <= now) {
                r.expired = true;
            }
        });
        self.arm_lifetimes6();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_are_read_as_ndisc_parses_them() {
        let mut o = vec![1, 1, 2, 0, 0, 0, 0, 1];
        let mut p = vec![3, 4, 64, 0xc0, 0, 1, 0x51, 0x80, 0, 0, 0x38, 0x40, 0, 0, 0, 0];
        p.extend_from_slice(&"2001:db8:1::".parse::<Ipv6Addr>().unwrap().octets());
        o.extend_from_slice(&p);
        let (ll, prefixes) = options(&o).unwrap();
        assert_eq!(ll.map(|m| m.0), Some([2, 0, 0, 0, 0, 1]));
        let p = &prefixes[0];
        assert_eq!((p.len, p.on_link, p.autonomous, p.valid, p.preferred), (64, true, true, 86400, 14400));
        assert_eq!(p.prefix, "2001:db8:1::".parse::<Ipv6Addr>().unwrap());
        // A zero-length option spoils the message.
        assert!(options(&[1, 0, 0, 0, 0, 0, 0, 0]).is_none());
        assert!(options(&[3, 4, 64]).is_none());
    }

    #[test]
    fn lifetimes_count_whole_seconds() {
        let l = Lft { since: Instant::from_secs(10), valid: 86400, preferred: 14400 };
        assert_eq!(l.left(Instant::from_micros(11_900_000)), (86399, 14399));
        assert_eq!(l.preferred_until(), Instant::from_secs(14410));
        assert_eq!(l.valid_until(), Instant::from_secs(86410));
    }
}
