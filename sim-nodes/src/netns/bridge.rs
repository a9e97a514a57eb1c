//! `Bridge`: a learning switch — its ports, its forwarding database (FDB), ageing.
//!
//! Semantics from `net/bridge/br_input.c` / `br_fdb.c` with STP off (the default): every
//! port forwards as soon as it is up; the FDB learns each frame's source MAC on its ingress
//! port (moving the entry when a MAC roams); broadcast, multicast and unknown unicast are
//! flooded to every other port; a known unicast goes to its port alone, and is dropped when
//! that is the ingress port; frames for a local address (a port's own MAC, the bridge's MAC)
//! go up to the bridge device. Learned entries expire after `ageing_time` (300 s) of
//! silence. Pure data: the namespace passes `now` and sends what [`Bridge::decide`] says.
//!
//! Known simplification: an expired entry is removed at its expiry instant; the kernel's
//! garbage collector runs periodically, so it may linger up to a few seconds longer.

use sim_core::{Duration, Instant, MacAddr};
use std::collections::{BTreeMap, BTreeSet};

/// Default `ageing_time`.
pub const DEFAULT_AGEING: Duration = Duration::from_secs(300);

/// An FDB entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FdbEntry {
    /// The port (ifindex) behind which the MAC lives; the bridge's own ifindex for the
    /// bridge device's address.
    pub port: u32,
    /// A local address (a port's or the bridge's own): permanent, delivered up.
    pub local: bool,
    /// Last time a frame from this MAC was seen (learned entries).
    pub updated: Instant,
    /// Creation order, for the kernel's newest-first listing.
    pub seq: u64,
    /// When the ageing index looks at this learned entry next: at or before it ages out (a
    /// frame from the MAC moves `updated` without touching the index).
    check: Option<Instant>,
}

/// What to do with a frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Send it out of this port only.
    Forward(u32),
    /// Send it out of every port but `except`; also deliver it up if `local`.
    Flood {
        /// The ingress port (none for frames the bridge itself sends).
        except: Option<u32>,
        /// Also deliver to the bridge device.
        local: bool,
    },
    /// Deliver it to the bridge device only.
    Local,
    /// Drop it (destination is behind the ingress port, or the source is invalid).
    Drop,
}

/// A port's options (`bridge link set`, the kernel's `IFLA_BRPORT_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PortOpts {
    /// `priority` (0–63; 32).
    pub priority: u8,
    /// `cost` (a veth's 10 Gb/s: 2).
    pub cost: u32,
    /// `hairpin`: a frame may leave by the port it came in on.
    pub hairpin: bool,
    /// `learning`: source addresses behind the port are learned.
    pub learning: bool,
    /// `flood`: unknown unicast is flooded to it.
    pub flood: bool,
    /// `mcast_flood`: so is multicast (from other ports).
    pub mcast_flood: bool,
    /// `bcast_flood`: and broadcast (from other ports).
    pub bcast_flood: bool,
    /// `isolated`: no frame goes between two isolated ports.
    pub isolated: bool,
}

impl Default for PortOpts {
    fn default() -> Self {
        PortOpts {
            priority: 32,
            cost: 2,
            hairpin: false,
            learning: true,
            flood: true,
            mcast_flood: true,
            bcast_flood: true,
            isolated: false,
        }
    }
}

/// A bridge's state.
#[derive(Clone, Debug)]
pub struct Bridge {
    /// Ports by ifindex, with their port numbers (`brctl showmacs`), in enslaving order.
    ports: Vec<(u32, u16)>,
    /// Each port's MAC, and the same by MAC: membership and the lowest port MAC without a
    /// scan of the ports.
    port_mac: BTreeMap<u32, MacAddr>,
    by_mac: BTreeSet<(MacAddr, u32)>,
    next_port_no: u16,
    fdb: BTreeMap<MacAddr, FdbEntry>,
    /// Learned entries by when to look at them next (`FdbEntry::check`): ageing looks at
    /// the entries due, never the whole table.
    ageing_index: BTreeSet<(Instant, MacAddr)>,
    seq: u64,
    /// `ageing_time` (set with [`Bridge::set_ageing`], which re-indexes the entries).
    ageing: Duration,
    /// The address was set by the user (`ip link set br0 address`): it no longer follows
    /// the lowest port MAC.
    pub mac_set: bool,
    /// `mcast_snooping 0` was set. (nslab's bridges snoop nothing either way; this is what
    /// `ip -d link` reports.)
    pub no_snooping: bool,
    /// Ports whose options are not the defaults.
    opts: BTreeMap<u32, PortOpts>,
}

impl Default for Bridge {
    fn default() -> Self {
        Bridge {
            ports: Vec::new(),
            port_mac: BTreeMap::new(),
            by_mac: BTreeSet::new(),
            next_port_no: 1,
            fdb: BTreeMap::new(),
            ageing_index: BTreeSet::new(),
            seq: 0,
            ageing: DEFAULT_AGEING,
            mac_set: false,
            no_snooping: false,
            opts: BTreeMap::new(),
        }
    }
}

impl Bridge {
    /// Ports (ifindex, port number) in enslaving order.
    pub fn ports(&self) -> &[(u32, u16)] {
        &self.ports
    }
    /// True if `ifindex` is a port.
    pub fn has_port(&self, ifindex: u32) -> bool {
        self.port_mac.contains_key(&ifindex)
    }
    /// The FDB.
    pub fn fdb(&self) -> &BTreeMap<MacAddr, FdbEntry> {
        &self.fdb
    }

    fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// Adds a port with MAC `mac` (its local entry is created).
    pub fn add_port(&mut self, ifindex: u32, mac: MacAddr, now: Instant) {
        if self.has_port(ifindex) {
            return;
        }
        let no = self.next_port_no;
        self.next_port_no += 1;
        self.ports.push((ifindex, no));
        self.port_mac.insert(ifindex, mac);
        self.by_mac.insert((mac, ifindex));
        self.add_local(mac, ifindex, now);
    }

    /// A port's options.
    pub fn port_opts(&self, port: u32) -> PortOpts {
        self.opts.get(&port).copied().unwrap_or_default()
    }

    /// Sets a port's options.
    pub fn set_port_opts(&mut self, port: u32, o: PortOpts) {
        if o == PortOpts::default() {
            self.opts.remove(&port);
        } else {
            self.opts.insert(port, o);
        }
    }

    /// Whether a frame to `dst` that came in on `ingress` (none: the bridge device sent it)
    /// is flooded to `port` (`br_flood` and `should_deliver`): not back to its ingress
    /// port unless that one hairpins, not between two isolated ports, and only to ports
    /// that take its kind of flood — broadcast and multicast the bridge device sends go
    /// to every port.
    pub fn floods_to(&self, port: u32, ingress: Option<u32>, dst: MacAddr) -> bool {
        let o = self.port_opts(port);
        if Some(port) == ingress && !o.hairpin {
            return false;
        }
        if ingress.is_some_and(|i| o.isolated && self.port_opts(i).isolated) {
            return false;
        }
        if dst.is_broadcast() {
            o.bcast_flood || ingress.is_none()
        } else if dst.is_multicast() {
            o.mcast_flood || ingress.is_none()
        } else {
            o.flood
        }
    }

    /// Removes a port and every entry behind it.
    pub fn remove_port(&mut self, ifindex: u32) {
        self.opts.remove(&ifindex);
        self.ports.retain(|(p, _)| *p != ifindex);
        if let Some(mac) = self.port_mac.remove(&ifindex) {
            self.by_mac.remove(&(mac, ifindex));
        }
        let index = &mut self.ageing_index;
        self.fdb.retain(|m, e| {
            if e.port != ifindex {
                return true;
            }
            if let Some(c) = e.check {
                index.remove(&(c, *m));
            }
            false
        });
    }

    /// Takes `mac`'s entry out of the ageing index.
    fn unindex(&mut self, mac: MacAddr) {
        if let Some(c) = self.fdb.get_mut(&mac).and_then(|e| e.check.take()) {
            self.ageing_index.remove(&(c, mac));
        }
    }

    /// Adds a local (permanent) entry, unless one exists for that MAC.
    pub fn add_local(&mut self, mac: MacAddr, port: u32, now: Instant) {
        if self.fdb.get(&mac).is_some_and(|e| e.local) {
            return;
        }
        self.unindex(mac);
        let seq = self.next_seq();
        self.fdb.insert(mac, FdbEntry { port, local: true, updated: now, seq, check: None });
    }

    /// Removes the local entry of `mac` held for `port`.
    pub fn remove_local(&mut self, mac: MacAddr, port: u32) {
        if self.fdb.get(&mac).is_some_and(|e| e.local && e.port == port) {
            self.fdb.remove(&mac);
        }
    }

    /// Forgets a learned entry.
    pub fn remove_learned(&mut self, mac: MacAddr) {
        if self.fdb.get(&mac).is_some_and(|e| !e.local) {
            self.unindex(mac);
            self.fdb.remove(&mac);
        }
    }

    /// Learns `src` on `port` (`br_fdb_update`). Returns true if a new entry was made.
    pub fn learn(&mut self, src: MacAddr, port: u32, now: Instant) -> bool {
        if src.is_multicast() || src.is_zero() {
            return false;
        }
        if let Some(e) = self.fdb.get_mut(&src) {
            if !e.local {
                e.port = port;
                e.updated = now;
            }
            return false;
        }
        let seq = self.next_seq();
        let check = now + self.ageing;
        self.fdb.insert(src, FdbEntry { port, local: false, updated: now, seq, check: Some(check) });
        self.ageing_index.insert((check, src));
        true
    }

    /// Where a frame to `dst` arriving on `ingress` (or sent by the bridge itself when
    /// `None`) goes.
    pub fn decide(&self, dst: MacAddr, ingress: Option<u32>) -> Verdict {
        if dst.is_multicast() {
            return Verdict::Flood { except: ingress, local: ingress.is_some() };
        }
        match self.fdb.get(&dst) {
            Some(e) if e.local => {
                if ingress.is_some() {
                    Verdict::Local
                } else {
                    Verdict::Drop
                }
            }
            // Back out of its ingress port only by hairpin; never between isolated ports.
            Some(e) if Some(e.port) == ingress && !self.port_opts(e.port).hairpin => Verdict::Drop,
            Some(e) if ingress.is_some_and(|i| self.port_opts(i).isolated && self.port_opts(e.port).isolated) => {
                Verdict::Drop
            }
            Some(e) => Verdict::Forward(e.port),
            None => Verdict::Flood { except: ingress, local: false },
        }
    }

    /// Removes the learned entries aged out by `now`: what went (MAC and port, in MAC
    /// order) and when to look next. Only the entries due are looked at.
    pub fn expire(&mut self, now: Instant) -> (Vec<(MacAddr, u32)>, Option<Instant>) {
        let mut gone = Vec::new();
        while let Some(&(t, mac)) = self.ageing_index.first() {
            if t > now {
                break;
            }
            self.ageing_index.pop_first();
            let Some(e) = self.fdb.get_mut(&mac) else { continue };
            e.check = None;
            if e.local {
                continue;
            }
            let due = e.updated + self.ageing;
            if due > now {
                // Seen since: look again when it would age out.
                e.check = Some(due);
                self.ageing_index.insert((due, mac));
            } else {
                gone.push((mac, e.port));
                self.fdb.remove(&mac);
            }
        }
        gone.sort();
        (gone, self.next_expiry())
    }

    /// When ageing should look next: no later than the next entry ages out.
    pub fn next_expiry(&self) -> Option<Instant> {
        self.ageing_index.first().map(|(t, _)| *t)
    }

    /// `ageing_time`.
    pub fn ageing(&self) -> Duration {
        self.ageing
    }

    /// Sets `ageing_time`: every learned entry is looked at again by the new time.
    pub fn set_ageing(&mut self, ageing: Duration) {
        self.ageing = ageing;
        self.ageing_index.clear();
        for (m, e) in self.fdb.iter_mut().filter(|(_, e)| !e.local) {
            let due = e.updated + ageing;
            e.check = Some(due);
            self.ageing_index.insert((due, *m));
        }
    }

    /// A port's MAC changed (`ip link set PORT address …`).
    pub fn set_port_mac(&mut self, ifindex: u32, mac: MacAddr) {
        if let Some(old) = self.port_mac.get_mut(&ifindex) {
            self.by_mac.remove(&(*old, ifindex));
            *old = mac;
            self.by_mac.insert((mac, ifindex));
        }
    }

    /// The lowest port MAC, which a bridge whose address was not set adopts.
    pub fn lowest_port_mac(&self) -> Option<MacAddr> {
        self.by_mac.first().map(|(m, _)| *m)
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn port_options_steer_forwarding_as_br_forward_does() {
        use super::{Bridge, PortOpts, Verdict};
        use sim_core::{Instant, MacAddr};
        let (a, b, c) = (MacAddr([2, 0, 0, 0, 0, 1]), MacAddr([2, 0, 0, 0, 0, 2]), MacAddr([2, 0, 0, 0, 0, 3]));
        let mut br = Bridge::default();
        for (p, m) in [(1, a), (2, b), (3, c)] {
            br.add_port(p, MacAddr([2, 0, 0, 0, 1, p as u8]), Instant::ZERO);
            br.learn(m, p, Instant::ZERO);
        }
        // A destination behind the ingress port: dropped, unless the port hairpins.
        assert_eq!(br.decide(a, Some(1)), Verdict::Drop);
        br.set_port_opts(1, PortOpts { hairpin: true, ..PortOpts::default() });
        assert_eq!(br.decide(a, Some(1)), Verdict::Forward(1));
        assert!(br.floods_to(1, Some(1), MacAddr::BROADCAST), "hairpin floods back too");
        // Two isolated ports: nothing between them; either still reaches the third.
        br.set_port_opts(1, PortOpts { isolated: true, ..PortOpts::default() });
        br.set_port_opts(2, PortOpts { isolated: true, ..PortOpts::default() });
        assert_eq!(br.decide(b, Some(1)), Verdict::Drop);
        assert_eq!(br.decide(c, Some(1)), Verdict::Forward(3));
        assert!(!br.floods_to(2, Some(1), MacAddr::BROADCAST));
        assert!(br.floods_to(3, Some(1), MacAddr::BROADCAST));
        // Flood flags: unknown unicast, broadcast and multicast each their own; the bridge
        // device's own broadcast and multicast go everywhere.
        let unknown = MacAddr([2, 0, 0, 0, 0, 9]);
        let mcast = MacAddr([1, 0, 0x5e, 0, 0, 1]);
        br.set_port_opts(3, PortOpts { flood: false, bcast_flood: false, mcast_flood: false, ..PortOpts::default() });
        assert!(!br.floods_to(3, Some(1), unknown));
        assert!(!br.floods_to(3, Some(1), MacAddr::BROADCAST));
        assert!(!br.floods_to(3, Some(1), mcast));
        assert!(br.floods_to(3, None, MacAddr::BROADCAST));
        assert!(br.floods_to(3, None, mcast));
        assert!(!br.floods_to(3, None, unknown));
        // Defaults are not stored; a port that leaves forgets its options.
        br.set_port_opts(3, PortOpts::default());
        br.remove_port(1);
        assert_eq!(br.port_opts(1), PortOpts::default());
    }
    use super::*;

    fn m(b: u8) -> MacAddr {
        MacAddr([0, 0, 0x5e, 0, 0x53, b])
    }

    #[test]
    fn floods_until_learned_then_forwards() {
        let mut br = Bridge::default();
        let t = Instant::ZERO;
        br.add_port(2, m(0xa2), t);
        br.add_port(3, m(0xa3), t);
        br.add_port(4, m(0xa4), t);
        assert_eq!(br.decide(m(2), Some(2)), Verdict::Flood { except: Some(2), local: false });
        assert_eq!(br.decide(MacAddr::BROADCAST, Some(2)), Verdict::Flood { except: Some(2), local: true });
        br.learn(m(1), 2, t);
        br.learn(m(2), 3, t);
        assert_eq!(br.decide(m(2), Some(2)), Verdict::Forward(3));
        assert_eq!(br.decide(m(1), Some(2)), Verdict::Drop, "behind the ingress port");
        assert_eq!(br.decide(m(0xa4), Some(2)), Verdict::Local, "a port's own MAC goes up");
        // Roaming moves the entry.
        br.learn(m(2), 4, t);
        assert_eq!(br.decide(m(2), Some(2)), Verdict::Forward(4));
        // Learning never overrides a local entry, nor learns a multicast source.
        br.learn(m(0xa4), 2, t);
        assert!(br.fdb()[&m(0xa4)].local);
        assert!(!br.learn(MacAddr::BROADCAST, 2, t));
    }

    #[test]
    fn entries_age_out_after_ageing_time() {
        let mut br = Bridge::default();
        br.add_port(2, m(0xa2), Instant::ZERO);
        br.learn(m(1), 2, Instant::from_secs(10));
        assert_eq!(br.next_expiry(), Some(Instant::from_secs(310)));
        assert_eq!(br.expire(Instant::from_secs(309)), (vec![], Some(Instant::from_secs(310))));
        assert!(br.fdb().contains_key(&m(1)));
        assert_eq!(br.expire(Instant::from_secs(310)), (vec![(m(1), 2)], None));
        assert!(!br.fdb().contains_key(&m(1)));
        assert!(br.fdb().contains_key(&m(0xa2)), "local entries never age");
    }

    /// A frame from a learned MAC keeps it: ageing looks at it when it would have aged out,
    /// and again when it ages out; a shorter ageing time takes effect at once.
    #[test]
    fn a_refreshed_entry_ages_from_its_last_frame() {
        let mut br = Bridge::default();
        br.add_port(2, m(0xa2), Instant::ZERO);
        br.learn(m(1), 2, Instant::ZERO);
        br.learn(m(2), 2, Instant::from_secs(5));
        br.learn(m(1), 2, Instant::from_secs(200));
        assert_eq!(br.next_expiry(), Some(Instant::from_secs(300)), "a lower bound until it looks");
        assert_eq!(br.expire(Instant::from_secs(300)), (vec![], Some(Instant::from_secs(305))));
        assert_eq!(br.expire(Instant::from_secs(305)), (vec![(m(2), 2)], Some(Instant::from_secs(500))));
        br.set_ageing(Duration::from_secs(100));
        assert_eq!(br.next_expiry(), Some(Instant::from_secs(300)));
        assert_eq!(br.expire(Instant::from_secs(300)), (vec![(m(1), 2)], None));
        br.learn(m(3), 2, Instant::from_secs(301));
        br.remove_port(2);
        assert_eq!(br.next_expiry(), None, "a removed port's entries leave the index");
    }

    #[test]
    fn removing_a_port_forgets_its_entries() {
        let mut br = Bridge::default();
        br.add_port(2, m(0xa2), Instant::ZERO);
        br.add_port(3, m(0xa3), Instant::ZERO);
        br.learn(m(1), 2, Instant::ZERO);
        br.remove_port(2);
        assert!(br.fdb().keys().all(|k| *k != m(1) && *k != m(0xa2)));
        assert_eq!(br.lowest_port_mac(), Some(m(0xa3)));
    }
}
