//! IPv6 in a namespace, as far as it goes yet: addresses and what an interface does when
//! its link becomes ready (`net/ipv6/addrconf.c`) — the EUI-64 link-local address,
//! duplicate address detection (one neighbour solicitation from `::` after a random delay
//! below `rtr_solicit_delay`, then `retrans_time`), the MLDv2 reports of the
//! solicited-node groups it joins (`mcast.c`: one two ticks later, one more within
//! `mldv2_unsolicited_report_interval`; again from the link-local address once DAD is
//! done) and leaves (the group alone, `CHANGE_TO_INCLUDE`), router solicitations with RFC 7559's backoff (`rtr_solicit_interval`, ±10%,
//! doubling up to `rtr_solicit_max_interval`) — and the kernel routes of its prefixes.
//!
//! What comes in is `rx.rs`'s; output and neighbour discovery are `nd.rs`'s; the routes
//! `route.rs`'s; forwarding and ICMPv6 errors `forward.rs`'s; fragments `frag.rs`'s;
//! router advertisements and SLAAC `ra.rs`'s; UDP
//! over IPv6 is the namespace's `udp.rs`'s, TCP smoltcp's (`sockets.rs`, `tcp.rs`).
//!
//! On, as in a new Linux namespace, unless `disable_ipv6` says otherwise (per interface,
//! or `all`/`default`; [`Netns::set_ipv6`] for a whole namespace). Router advertisements
//! and the addresses and routes they configure are `ra.rs`'s. ip6tables' hooks are called
//! from `rx.rs` (PREROUTING, INPUT), `forward.rs` (FORWARD, POSTROUTING) and `nd.rs`
//! (OUTPUT, POSTROUTING of what sockets send); the hooks themselves are `netns/hooks.rs`'s.
//!
//! Owns the interfaces' [`If6`] state and the `Dad`, `Rs` and `Mld` deadlines; must not
//! touch IPv4 state.

mod fib6;
mod forward;
pub(crate) mod frag;
mod nd;
pub mod packet;
mod ra;
mod route;
mod rx;
pub(crate) use fib6::Fib6;
pub use nd::Out6;
pub use route::{Route6Error, Route6Spec};

use super::iface::{AllNodes, Scope};
use super::{Netns, TimerKey};
use sim_core::{Context, Duration, rng};
use std::net::Ipv6Addr;

/// `rtr_solicit_delay` (also the bound of DAD's first random delay).
const RTR_SOLICIT_DELAY: Duration = Duration::from_secs(1);
/// `rtr_solicit_interval`.
const RTR_SOLICIT_INTERVAL: Duration = Duration::from_secs(4);
/// `rtr_solicit_max_interval`.
const RTR_SOLICIT_MAX_INTERVAL: Duration = Duration::from_secs(3600);
/// `mldv2_unsolicited_report_interval`.
const MLD_REPORT_INTERVAL: Duration = Duration::from_secs(1);
/// Two of the kernel's ticks (`CONFIG_HZ` 250, as Debian builds it): MLD's work runs
/// that long after it is due (`mld_ifc_start_work`: `tv + 2`).
const MLD_TICKS: Duration = Duration::from_millis(8);
/// MLD's robustness variable: each change is reported this many times.
const MLD_QRV: u32 = 2;
/// `IPV6_MIN_MTU`: a smaller device carries no IPv6.
const MIN_MTU: u32 = 1280;
/// `dad_transmits`.
const DAD_TRANSMITS: u32 = 1;

/// An IPv6 address on an interface (`struct inet6_ifaddr`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inet6Addr {
    /// The address.
    pub addr: Ipv6Addr,
    /// Prefix length.
    pub prefix: u8,
    /// Scope: `link` for `fe80::/10`, `host` for `::1`, else `global`.
    pub scope: Scope,
    /// Duplicate address detection has not finished.
    pub tentative: bool,
    /// Another host answered for it.
    pub dadfailed: bool,
    /// `nodad`: no duplicate address detection.
    pub nodad: bool,
    /// Made by autoconfiguration from a router's prefix (`dynamic mngtmpaddr`): its
    /// lifetimes. `None`: permanent (`forever`).
    pub lft: Option<Lft>,
    /// `IFA_F_DEPRECATED`: its preferred lifetime ran out (set when it does; a source only
    /// when nothing better is left).
    pub deprecated: bool,
    /// Solicitations still to send for DAD.
    dad_probes: u32,
}

/// An autoconfigured address's lifetimes, as the kernel keeps them (`tstamp`,
/// `valid_lft`, `prefered_lft`): whole seconds from when the last advertisement set them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lft {
    /// When they were set.
    pub since: sim_core::Instant,
    /// Valid lifetime, seconds.
    pub valid: u32,
    /// Preferred lifetime, seconds.
    pub preferred: u32,
}

impl Lft {
    /// What `ip addr` shows at `now`: each lifetime less the whole seconds gone by
    /// (`inet6_fill_ifaddr`).
    pub fn left(&self, now: sim_core::Instant) -> (u32, u32) {
        let gone = u32::try_from((now - self.since).as_secs()).unwrap_or(u32::MAX);
        (self.valid.saturating_sub(gone), self.preferred.saturating_sub(gone))
    }

    /// When the address goes.
    pub fn valid_until(&self) -> sim_core::Instant {
        self.since + Duration::from_secs(u64::from(self.valid))
    }

    /// When the preferred lifetime is over (`deprecated` from then).
    pub fn preferred_until(&self) -> sim_core::Instant {
        self.since + Duration::from_secs(u64::from(self.preferred))
    }
}

impl Inet6Addr {
    /// A new address, tentative unless `nodad` (or `::1`).
    pub fn new(addr: Ipv6Addr, prefix: u8, nodad: bool) -> Self {
        let scope = if addr.is_loopback() {
            Scope::Host
        } else if addr.is_unicast_link_local() {
            Scope::Link
        } else {
            Scope::Global
        };
        let tentative = !nodad && !addr.is_loopback();
        Inet6Addr {
            addr,
            prefix,
            scope,
            tentative,
            dadfailed: false,
            nodad,
            lft: None,
            deprecated: false,
            dad_probes: DAD_TRANSMITS,
        }
    }

    /// The network `addr/prefix` belongs to.
    pub fn network(&self) -> Ipv6Addr {
        network(self.addr, self.prefix)
    }
}

/// The network address of `a/prefix`.
pub fn network(a: Ipv6Addr, prefix: u8) -> Ipv6Addr {
    let bits = u128::from(a);
    let mask = if prefix == 0 { 0 } else { u128::MAX << (128 - u32::from(prefix.min(128))) };
    Ipv6Addr::from(bits & mask)
}

/// An interface's IPv6 state (`struct inet6_dev`).
#[derive(Clone, Debug, Default)]
pub struct If6 {
    /// Its addresses, in the kernel's order: wider scope first, newest first within one.
    pub addrs: Vec<Inet6Addr>,
    /// `IF_READY`: the link came up with carrier since the interface went up.
    pub ready: bool,
    /// The interface was up when addrconf last looked (going down then removes addresses).
    up: bool,
    /// Multicast groups joined that MLD reports (solicited-node groups), newest first.
    groups: Vec<Ipv6Addr>,
    /// `mc_ifc_count`: state-change reports still to send.
    ifc_count: u32,
    /// `mc_dad_count`: full reports still to send after the link-local address's DAD.
    dad_count: u32,
    /// Router solicitations sent, and the current interval.
    rs_probes: u32,
    rs_interval: Duration,
    /// `IF_RA_RCVD`: a router advertisement came (solicitations stop).
    ra_rcvd: bool,
    /// Groups left, still to be reported (`mca_tomb`), and how many reports are left.
    left: Vec<Ipv6Addr>,
    left_count: u32,
}

impl If6 {
    /// Adds `a` where the kernel's list puts it (`ipv6_link_dev_addr`).
    fn insert(&mut self, a: Inet6Addr) {
        let rank = |s: Scope| match s {
            Scope::Global => 2,
            Scope::Link => 1,
            Scope::Host => 0,
        };
        let at = self.addrs.iter().position(|x| rank(a.scope) >= rank(x.scope)).unwrap_or(self.addrs.len());
        self.addrs.insert(at, a);
    }

    /// True when the interface listens to multicast group `g` (a solicited-node group).
    pub fn joined(&self, g: Ipv6Addr) -> bool {
        self.groups.contains(&g)
    }

    /// The Ethernet addresses its IPv6 groups add to the device's multicast filter, in the
    /// order they were added (one for groups that share one), as `bridge fdb` lists them.
    pub fn group_macs(&self) -> Vec<sim_core::MacAddr> {
        let mut out: Vec<sim_core::MacAddr> = Vec::new();
        for g in self.groups.iter().rev() {
            let m = packet::multicast_mac(*g);
            if !out.contains(&m) {
                out.push(m);
            }
        }
        out
    }

    /// Joins `g` (newest first, as reports list groups).
    fn join(&mut self, g: Ipv6Addr) {
        self.groups.insert(0, g);
    }

    /// Leaves the groups of `gs` it is in.
    fn leave(&mut self, gs: &[Ipv6Addr]) {
        self.groups.retain(|g| !gs.contains(g));
    }

    /// A change to report: `MLD_QRV` reports to come.
    fn start_reports(&mut self) {
        self.ifc_count = MLD_QRV;
    }

    /// A link-local address that finished DAD (the source of reports and solicitations).
    pub(crate) fn link_local(&self) -> Option<Ipv6Addr> {
        self.addrs.iter().find(|a| a.scope == Scope::Link && !a.tentative && !a.dadfailed).map(|a| a.addr)
    }
}

/// An IPv6 route: the kernel's (a prefix of an address, `proto kernel metric 256`) or one
/// `ip -6 route add` made (no `proto`, metric 1024 unless given).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route6 {
    /// Destination.
    pub dst: Ipv6Addr,
    /// Prefix length.
    pub prefix: u8,
    /// `via`.
    pub gateway: Option<Ipv6Addr>,
    /// Device.
    pub dev: u32,
    /// Metric.
    pub metric: u32,
    /// The kernel made it (`proto kernel`).
    pub kernel: bool,
    /// A router advertisement made it (`proto ra`).
    pub ra: bool,
    /// When it goes (`expires Nsec`), if it does.
    pub expires: Option<sim_core::Instant>,
    /// `hoplimit`: the router's hop limit for what goes its way.
    pub hoplimit: Option<u8>,
    /// Its time is up: no packet takes it, and it waits for the garbage collector (shown
    /// with `expires -Nsec` until then).
    pub expired: bool,
}

/// Why an IPv6 address could not be added or removed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Addr6Error {
    /// Already there.
    #[error("Error: ipv6: address already assigned.")]
    Exists,
    /// No such address.
    #[error("Error: ipv6: address not found.")]
    NotFound,
    /// `disable_ipv6` is set on the device.
    #[error("Error: ipv6: IPv6 is disabled on this device.")]
    Disabled,
    /// A group given as an address (`ip` without `autojoin`).
    #[error("Error: ipv6: Cannot assign multicast address without \"IFA_F_MCAUTOJOIN\" flag.")]
    Multicast,
}

/// `±10%` of `d` (`rfc3315_s14_backoff_init`).
fn jitter(cx: &mut Context<'_>, d: Duration, base_pct: u64) -> Duration {
    let f = base_pct * 10_000 + rng::below_u64(cx.rng(), 200_001);
    Duration::from_nanos((u128::from(d.as_nanos()) * u128::from(f) / 1_000_000) as u64)
}

impl Netns {
    /// Turns IPv6 on or off in a namespace being made, as `sysctl -w
    /// net.ipv6.conf.all.disable_ipv6=1` would: for the interfaces it has and those to come.
    pub fn set_ipv6(&mut self, on: bool) {
        let v = if on { "0" } else { "1" };
        // A key of the table with a value it takes: it cannot fail.
        let _ = self.sysctl.set("net.ipv6.conf.all.disable_ipv6", v, |_| false);
        for i in self.ifaces.values_mut() {
            i.disable_ipv6 = i64::from(!on);
        }
    }

    /// True when IPv6 is on for the interfaces to come (`default.disable_ipv6` is 0).
    pub fn ipv6(&self) -> bool {
        self.sysctl.num("net.ipv6.conf.default.disable_ipv6") == 0
    }

    /// `dev_disable_change`: `disable_ipv6` written for an interface. Turning it on takes
    /// every address away, as going down does; turning it off starts the interface's IPv6
    /// as coming up does (when it is up).
    pub(crate) fn disable_ipv6_change(&mut self, cx: &mut Context<'_>, ifindex: u32, value: i64) {
        let Some(i) = self.ifaces.get_mut(&ifindex) else { return };
        let was = i.disable_ipv6 != 0;
        i.disable_ipv6 = value;
        if was == (value != 0) {
            return;
        }
        if value != 0 {
            self.addrconf_ifdown(ifindex);
            // Turned off while up, the device is back in the all-nodes group, now after
            // IPv4's all-hosts group (seen on Linux 6.18: only when it is up).
            if let Some(i) = self.ifaces.get_mut(&ifindex)
                && i.admin_up
            {
                i.all_nodes = AllNodes::Rejoined;
            }
        } else {
            self.addrconf_sync(cx, ifindex);
        }
    }

    /// `NETDEV_CHANGEMTU`: below 1280 an interface's IPv6 goes (`addrconf_ifdown`); raised
    /// again, it starts over as a link coming up does — except `lo`, whose IPv6 device
    /// stays and so gets `::1` back only when it next comes up.
    pub(crate) fn addrconf_mtu(&mut self, cx: &mut Context<'_>, ifindex: u32) {
        let Some(i) = self.ifaces.get(&ifindex) else { return };
        if i.disable_ipv6 != 0 {
            return;
        }
        let (lo, up, small) = (i.is_loopback(), i.admin_up, i.mtu < MIN_MTU);
        if small {
            self.addrconf_ifdown(ifindex);
            if lo && let Some(i) = self.ifaces.get_mut(&ifindex) {
                i.v6.up = up;
            }
        } else if !lo {
            self.addrconf_sync(cx, ifindex);
        }
    }

    /// `addrconf_ifdown`: every address, route, timer and neighbour of the interface's IPv6
    /// goes.
    fn addrconf_ifdown(&mut self, ifindex: u32) {
        let Some(i) = self.ifaces.get_mut(&ifindex) else { return };
        let gone: Vec<Ipv6Addr> = i.v6.addrs.iter().map(|a| a.addr).collect();
        i.v6 = If6::default();
        // `ipv6_mc_down`: the device's filter lets the all-nodes group go.
        i.all_nodes = AllNodes::Left;
        for a in gone {
            self.timers.set(TimerKey::Dad(ifindex, a), None);
        }
        self.timers.set(TimerKey::Rs(ifindex), None);
        self.timers.set(TimerKey::Mld(ifindex), None);
        self.timers.set(TimerKey::MldDad(ifindex), None);
        self.timers.set(TimerKey::MldLeave(ifindex), None);
        self.routes6_forget(ifindex);
        self.arm_lifetimes6();
        self.nd.forget_iface(ifindex, &mut self.timers);
    }

    /// IPv6 routes, in `ip -6 route show`'s order.
    pub fn routes6(&self) -> impl Iterator<Item = &Route6> {
        self.fib6.iter()
    }

    /// `ip -6 addr add A/P dev X [nodad]`.
    pub fn addr6_add(
        &mut self,
        cx: &mut Context<'_>,
        ifindex: u32,
        addr: Ipv6Addr,
        prefix: u8,
        nodad: bool,
    ) -> Result<(), Addr6Error> {
        let Some(i) = self.ifaces.get_mut(&ifindex) else { return Err(Addr6Error::NotFound) };
        // Linux 6.18 names a device whose IPv6 is off first, then a group.
        if i.disable_ipv6 != 0 {
            return Err(Addr6Error::Disabled);
        }
        if addr.is_multicast() {
            return Err(Addr6Error::Multicast);
        }
        if i.v6.addrs.iter().any(|a| a.addr == addr) {
            return Err(Addr6Error::Exists);
        }
        let mut a = Inet6Addr::new(addr, prefix, nodad);
        // `lo` does no DAD (IFF_LOOPBACK).
        a.tentative &= !i.is_loopback();
        let (ready, up) = (i.v6.ready, i.admin_up);
        i.v6.insert(a.clone());
        // A down device's routes are not shown; going up restores them.
        if prefix < 128 && up {
            self.route6_add(ifindex, a.network(), prefix);
        }
        if ready {
            self.dad_start(cx, ifindex, addr);
        }
        Ok(())
    }

    /// `ip -6 addr del A/P dev X`: its prefix route goes with the last address of the
    /// prefix (a permanent one's), its solicited-node group with the last address of the
    /// group (reported).
    pub fn addr6_del(&mut self, cx: &mut Context<'_>, ifindex: u32, addr: Ipv6Addr) -> Result<(), Addr6Error> {
        let Some(i) = self.ifaces.get_mut(&ifindex) else { return Err(Addr6Error::NotFound) };
        let Some(at) = i.v6.addrs.iter().position(|a| a.addr == addr) else { return Err(Addr6Error::NotFound) };
        let a = i.v6.addrs.remove(at);
        let still = i.v6.addrs.iter().any(|x| x.prefix == a.prefix && x.network() == a.network());
        let group = packet::solicited_node(addr);
        if !i.v6.addrs.iter().any(|x| packet::solicited_node(x.addr) == group) {
            self.mld_leave(cx, ifindex, group);
        }
        self.timers.set(TimerKey::Dad(ifindex, addr), None);
        // `ipv6_del_addr`: only a permanent address takes its prefix route along; an
        // autoconfigured one leaves it to its own lifetime (seen on Linux 6.18).
        if !still && a.lft.is_none() {
            self.fib6.retain(|r| !(r.dev == ifindex && r.dst == a.network() && r.prefix == a.prefix));
        }
        Ok(())
    }

    fn route6_add(&mut self, dev: u32, dst: Ipv6Addr, prefix: u8) {
        let r = Route6 {
            dst,
            prefix,
            gateway: None,
            dev,
            metric: 256,
            kernel: true,
            ra: false,
            expires: None,
            hoplimit: None,
            expired: false,
        };
        if self.fib6.position_to(dst, prefix, |x| *x == r).is_none() {
            self.fib6.insert(r);
        }
    }

    /// [`Netns::addrconf_sync`] for the interfaces `changed` and their bridges (a bridge's
    /// carrier follows its ports), in the order of their indexes: what one change to a
    /// link can have changed. Every other interface was synced at its own last change, so
    /// the cost does not grow with the namespace's size (a bridge of 1e5 ports).
    pub(crate) fn addrconf_sync_near(&mut self, cx: &mut Context<'_>, changed: &[u32]) {
        let mut near: Vec<u32> = changed.to_vec();
        near.extend(changed.iter().filter_map(|ix| self.ifaces.get(ix).and_then(|i| i.master)));
        near.sort_unstable();
        near.dedup();
        for ix in near {
            self.addrconf_sync(cx, ix);
        }
    }

    /// What addrconf does on `NETDEV_UP`, `NETDEV_CHANGE` and `NETDEV_DOWN` for the
    /// interface as it now is: becoming ready (up with carrier) adds the link-local address
    /// and starts DAD; going down removes every address (`keep_addr_on_down` is 0).
    pub(crate) fn addrconf_sync(&mut self, cx: &mut Context<'_>, ifindex: u32) {
        let Some(i) = self.ifaces.get_mut(&ifindex) else { return };
        if i.disable_ipv6 != 0 {
            return;
        }
        let was_up = std::mem::replace(&mut i.v6.up, i.admin_up);
        if !i.admin_up {
            if was_up {
                self.addrconf_ifdown(ifindex);
            }
            return;
        }
        if !was_up && i.all_nodes == AllNodes::Left {
            // `ipv6_mc_up`: the all-nodes group joined again.
            i.all_nodes = AllNodes::Rejoined;
        }
        if !was_up {
            // `addrconf_permanent_addr`: the routes of the addresses kept while down.
            let nets: Vec<(Ipv6Addr, u8)> =
                i.v6.addrs.iter().filter(|a| a.prefix < 128).map(|a| (a.network(), a.prefix)).collect();
            for (n, p) in nets {
                self.route6_add(ifindex, n, p);
            }
        }
        let Some(i) = self.ifaces.get_mut(&ifindex) else { return };
        if i.is_loopback() {
            // `init_loopback`, when `lo` comes up (not on every later event).
            if !was_up && i.mtu >= MIN_MTU && !i.v6.addrs.iter().any(|a| a.addr == Ipv6Addr::LOCALHOST) {
                i.v6.ready = true;
                // Its route is the local table's only (`ip -6 route` does not show it).
                i.v6.insert(Inet6Addr::new(Ipv6Addr::LOCALHOST, 128, false));
            }
            return;
        }
        if i.v6.ready || !i.carrier || i.mtu < MIN_MTU {
            return;
        }
        i.v6.ready = true;
        let ll = packet::eui64_link_local(i.mac);
        if !i.v6.addrs.iter().any(|a| a.addr == ll) {
            i.v6.insert(Inet6Addr::new(ll, 64, false));
        }
        if self.sysctl.num("net.ipv6.conf.all.forwarding") != 0 {
            // `ipv6_add_dev` on a router: the router groups (reported with what follows).
            for g in forward::ROUTER_GROUPS {
                i.v6.join(g);
            }
        }
        // The addresses still to test, and those given `nodad` while the link was not ready
        // (their solicited-node group is joined, and reported, now).
        let pending: Vec<Ipv6Addr> =
            i.v6.addrs
                .iter()
                .filter(|a| a.tentative || (a.nodad && !i.v6.joined(packet::solicited_node(a.addr))))
                .map(|a| a.addr)
                .collect();
        self.route6_add(ifindex, Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 0), 64);
        for a in pending {
            self.dad_start(cx, ifindex, a);
        }
    }

    /// `addrconf_dad_begin`: join the address's solicited-node group, then the first
    /// solicitation after a random delay below `rtr_solicit_delay`.
    fn dad_start(&mut self, cx: &mut Context<'_>, ifindex: u32, addr: Ipv6Addr) {
        self.mld_join(cx, ifindex, packet::solicited_node(addr));
        let nodad =
            self.ifaces.get(&ifindex).and_then(|i| i.v6.addrs.iter().find(|a| a.addr == addr)).is_none_or(|a| a.nodad);
        if nodad {
            return self.dad_completed(cx, ifindex, addr);
        }
        let delay = Duration::from_nanos(rng::below_u64(cx.rng(), RTR_SOLICIT_DELAY.as_nanos()));
        self.timers.set(TimerKey::Dad(ifindex, addr), Some(cx.now() + delay));
    }

    /// `addrconf_dad_work`: a solicitation, or the end of DAD.
    pub(crate) fn dad_timer(&mut self, cx: &mut Context<'_>, ifindex: u32, addr: Ipv6Addr) {
        let Some(i) = self.ifaces.get_mut(&ifindex) else { return };
        let mac = i.mac;
        let retrans = i.neigh.retrans_time.max(Duration::from_millis(10));
        let Some(a) = i.v6.addrs.iter_mut().find(|a| a.addr == addr && a.tentative) else { return };
        if a.dad_probes == 0 {
            return self.dad_completed(cx, ifindex, addr);
        }
        a.dad_probes -= 1;
        self.timers.set(TimerKey::Dad(ifindex, addr), Some(cx.now() + retrans));
        // Enhanced DAD (RFC 7527) adds a random nonce.
        let mut nonce = [0u8; 6];
        while nonce == [0; 6] {
            rng::fill(cx.rng(), &mut nonce);
        }
        let dst = packet::solicited_node(addr);
        let mut buf = std::mem::take(&mut self.pktbuf);
        buf.clear();
        packet::neighbor_solicit(&mut buf, Ipv6Addr::UNSPECIFIED, dst, addr, mac, Some(nonce));
        if self.nd_output_ok(cx, ifindex, &buf) {
            self.xmit(cx, ifindex, packet::multicast_mac(dst), packet::ETHERTYPE, &buf);
        }
        self.pktbuf = buf;
    }

    /// `addrconf_dad_completed`: the address is ours. The link-local address's also sends
    /// the full MLD report (`ipv6_mc_dad_complete`) and starts router solicitation.
    fn dad_completed(&mut self, cx: &mut Context<'_>, ifindex: u32, addr: Ipv6Addr) {
        self.timers.set(TimerKey::Dad(ifindex, addr), None);
        let forwarding = self.forwarding6();
        let Some(i) = self.ifaces.get_mut(&ifindex) else { return };
        let Some(a) = i.v6.addrs.iter_mut().find(|a| a.addr == addr) else { return };
        a.tentative = false;
        let anycast = (a.prefix < 127).then(|| packet::solicited_node(a.network()));
        if forwarding && let Some(g) = anycast {
            // `addrconf_join_anycast`: the subnet-router anycast address's group.
            self.mld_join(cx, ifindex, g);
        }
        let Some(i) = self.ifaces.get_mut(&ifindex) else { return };
        let Some(a) = i.v6.addrs.iter().find(|a| a.addr == addr) else { return };
        let first_ll = a.scope == Scope::Link
            && !i.v6.addrs.iter().any(|x| x.addr != addr && x.scope == Scope::Link && !x.tentative);
        if !first_ll || i.is_loopback() {
            return;
        }
        i.v6.dad_count = MLD_QRV;
        self.mld_report(cx, ifindex, true);
        if forwarding {
            return;
        }
        self.send_rs(cx, ifindex);
        let Some(i) = self.ifaces.get_mut(&ifindex) else { return };
        i.v6.rs_probes = 1;
        i.v6.rs_interval = jitter(cx, RTR_SOLICIT_INTERVAL, 90);
        self.timers.set(TimerKey::Rs(ifindex), Some(cx.now() + i.v6.rs_interval));
    }

    /// `addrconf_rs_timer`: the next solicitation, the interval doubling (±10%) up to its
    /// maximum. `rtr_solicits` is -1: they go on until a router answers.
    pub(crate) fn rs_timer(&mut self, cx: &mut Context<'_>, ifindex: u32) {
        // A router does not solicit (`addrconf_rs_timer`: forwarding ends it), nor a host
        // that heard from one.
        if self.forwarding6() || self.ifaces.get(&ifindex).is_none_or(|i| i.v6.ra_rcvd) {
            return;
        }
        self.send_rs(cx, ifindex);
        let Some(i) = self.ifaces.get_mut(&ifindex) else { return };
        let prev = i.v6.rs_interval;
        i.v6.rs_probes += 1;
        let mut next = jitter(cx, prev, 190);
        if next > RTR_SOLICIT_MAX_INTERVAL {
            next = jitter(cx, RTR_SOLICIT_MAX_INTERVAL, 90);
        }
        let Some(i) = self.ifaces.get_mut(&ifindex) else { return };
        i.v6.rs_interval = next;
        self.timers.set(TimerKey::Rs(ifindex), Some(cx.now() + next));
    }

    fn send_rs(&mut self, cx: &mut Context<'_>, ifindex: u32) {
        let Some(i) = self.ifaces.get(&ifindex) else { return };
        let Some(src) = i.v6.link_local() else { return };
        let mac = i.mac;
        let mut buf = std::mem::take(&mut self.pktbuf);
        buf.clear();
        packet::router_solicit(&mut buf, src, mac);
        if self.nd_output_ok(cx, ifindex, &buf) {
            self.xmit(cx, ifindex, packet::multicast_mac(packet::ALL_ROUTERS), packet::ETHERTYPE, &buf);
        }
        self.pktbuf = buf;
    }

    /// `igmp6_group_added` in MLDv2 mode: the join is reported two ticks later and again
    /// after a random delay below `mldv2_unsolicited_report_interval` (and two ticks). Each report lists every
    /// group joined, newest first (as the kernel's do: checked with `tcpdump -v`).
    pub(crate) fn mld_join(&mut self, cx: &mut Context<'_>, ifindex: u32, group: Ipv6Addr) {
        let Some(i) = self.ifaces.get_mut(&ifindex) else { return };
        if i.v6.groups.contains(&group) {
            return;
        }
        i.v6.groups.insert(0, group);
        i.v6.ifc_count = MLD_QRV;
        self.timers.set(TimerKey::Mld(ifindex), Some(cx.now() + MLD_TICKS));
    }

    /// `igmp6_group_dropped` in MLDv2 mode: the group leaves the list, and a report of it
    /// (`CHANGE_TO_INCLUDE`, no sources) goes two ticks later and again within
    /// `mldv2_unsolicited_report_interval` (measured on Linux 6.18: one record each).
    fn mld_leave(&mut self, cx: &mut Context<'_>, ifindex: u32, group: Ipv6Addr) {
        let Some(i) = self.ifaces.get_mut(&ifindex) else { return };
        if !i.v6.groups.contains(&group) {
            return;
        }
        i.v6.leave(&[group]);
        if !i.v6.left.contains(&group) {
            i.v6.left.insert(0, group);
        }
        i.v6.left_count = MLD_QRV;
        self.timers.set(TimerKey::MldLeave(ifindex), Some(cx.now() + MLD_TICKS));
    }

    /// A report of the groups left; another follows while the count lasts.
    pub(crate) fn mld_leave_report(&mut self, cx: &mut Context<'_>, ifindex: u32) {
        let Some(i) = self.ifaces.get_mut(&ifindex) else { return };
        if i.v6.left_count == 0 || i.v6.left.is_empty() {
            return;
        }
        i.v6.left_count -= 1;
        let again = i.v6.left_count > 0;
        let src = i.v6.link_local().unwrap_or(Ipv6Addr::UNSPECIFIED);
        let mut buf = std::mem::take(&mut self.pktbuf);
        buf.clear();
        packet::mldv2_report(&mut buf, src, &i.v6.left, packet::TO_IN);
        if !again {
            i.v6.left.clear();
        }
        if self.nd_output_ok(cx, ifindex, &buf) {
            self.xmit(cx, ifindex, packet::multicast_mac(packet::MLDV2_ROUTERS), packet::ETHERTYPE, &buf);
        }
        self.pktbuf = buf;
        if again {
            let d = Duration::from_nanos(rng::below_u64(cx.rng(), MLD_REPORT_INTERVAL.as_nanos())) + MLD_TICKS;
            self.timers.set(TimerKey::MldLeave(ifindex), Some(cx.now() + d));
        }
    }

    /// A report of every group: a state change's (`dad` false, `mc_ifc_count`) or the
    /// one after the link-local address's DAD (`mc_dad_count`); another follows while the
    /// count lasts.
    pub(crate) fn mld_report(&mut self, cx: &mut Context<'_>, ifindex: u32, dad: bool) {
        let Some(i) = self.ifaces.get_mut(&ifindex) else { return };
        let count = if dad { &mut i.v6.dad_count } else { &mut i.v6.ifc_count };
        if *count == 0 {
            return;
        }
        *count -= 1;
        let again = *count > 0;
        self.send_mld(cx, ifindex);
        if again {
            let d = Duration::from_nanos(rng::below_u64(cx.rng(), MLD_REPORT_INTERVAL.as_nanos())) + MLD_TICKS;
            let key = if dad { TimerKey::MldDad(ifindex) } else { TimerKey::Mld(ifindex) };
            self.timers.set(key, Some(cx.now() + d));
        }
    }

    /// A report of every group the interface joined (built in the scratch buffer: nothing
    /// allocated once it has grown).
    fn send_mld(&mut self, cx: &mut Context<'_>, ifindex: u32) {
        let Some(i) = self.ifaces.get(&ifindex) else { return };
        if i.v6.groups.is_empty() {
            return;
        }
        let src = i.v6.link_local().unwrap_or(Ipv6Addr::UNSPECIFIED);
        let mut buf = std::mem::take(&mut self.pktbuf);
        buf.clear();
        packet::mldv2_report(&mut buf, src, &i.v6.groups, packet::TO_EX);
        if self.nd_output_ok(cx, ifindex, &buf) {
            self.xmit(cx, ifindex, packet::multicast_mac(packet::MLDV2_ROUTERS), packet::ETHERTYPE, &buf);
        }
        self.pktbuf = buf;
    }
}
