//! `sysctl` keys a namespace understands, with the kernel's defaults.
//!
//! Keys are stored in their dotted form. Writing a key the model does not implement is an
//! error (never a silent skip); per-interface keys (`net.ipv4.conf.IF.*`,
//! `net.ipv4.neigh.IF.*`) are validated against the interfaces that exist;
//! `net.ipv6.conf.IF.disable_ipv6` lives on its interface (the namespace reads and writes it). A namespace
//! keeps only what was written; the defaults are one table every namespace shares.

use std::collections::BTreeMap;
use std::sync::LazyLock;

/// Why a sysctl could not be read or written.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SysctlError {
    /// No such key in Linux either.
    #[error("sysctl: cannot stat /proc/sys/{0}: No such file or directory")]
    Unknown(String),
    /// Linux has it; the model does not implement it yet.
    #[error("not supported yet: sysctl {0} (nslab does not model it)")]
    Unsupported(String),
    /// The value is not what the key takes.
    #[error("sysctl: setting key \"{key}\": Invalid argument")]
    Invalid {
        /// The key.
        key: String,
        /// Why.
        why: String,
    },
}

/// The global (non per-interface) keys, their defaults and the values they accept.
const GLOBAL: &[(&str, &str, Kind)] = &[
    ("net.ipv4.ip_forward", "0", Kind::Bool),
    ("net.ipv4.ip_default_ttl", "64", Kind::Range(1, 255)),
    ("net.ipv4.ip_local_port_range", "32768\t60999", Kind::PortRange),
    ("net.ipv4.icmp_echo_ignore_all", "0", Kind::Bool),
    // Its floor is ipfrag_low_thresh (3 MiB, not modelled otherwise).
    ("net.ipv4.ipfrag_high_thresh", "4194304", Kind::Range(3_145_728, i64::MAX)),
    ("net.ipv4.ipfrag_time", "30", Kind::Range(0, i32::MAX as i64)),
    ("net.ipv4.icmp_echo_ignore_broadcasts", "1", Kind::Bool),
    ("net.ipv4.icmp_ratelimit", "1000", Kind::Range(0, i64::MAX)),
    ("net.ipv4.icmp_ratemask", "6168", Kind::Range(0, i64::MAX)),
    ("net.ipv4.icmp_msgs_per_sec", "1000", Kind::Range(0, i64::MAX)),
    ("net.ipv4.icmp_msgs_burst", "50", Kind::Range(0, i64::MAX)),
    ("net.ipv4.conf.all.forwarding", "0", Kind::Bool),
    ("net.ipv4.conf.default.forwarding", "0", Kind::Bool),
    // 100 ms, as the reference machine's Linux 6.18 has it.
    ("net.ipv6.icmp.ratelimit", "100", Kind::Range(0, i32::MAX as i64)),
    ("net.ipv6.conf.all.forwarding", "0", Kind::Bool),
    ("net.ipv6.conf.default.forwarding", "0", Kind::Bool),
    // Any number: not 0 is off (the kernel keeps what was written, `2` included).
    ("net.ipv6.conf.all.disable_ipv6", "0", Kind::Range(i32::MIN as i64, i32::MAX as i64)),
    ("net.ipv6.conf.default.disable_ipv6", "0", Kind::Range(i32::MIN as i64, i32::MAX as i64)),
    // `all` does not reach the interfaces that are there; `default` is a new one's.
    ("net.ipv6.conf.all.accept_ra", "1", Kind::Range(i32::MIN as i64, i32::MAX as i64)),
    ("net.ipv6.conf.default.accept_ra", "1", Kind::Range(i32::MIN as i64, i32::MAX as i64)),
    ("net.ipv4.neigh.default.base_reachable_time_ms", "30000", Kind::Range(1, i64::MAX)),
    ("net.ipv4.neigh.default.delay_first_probe_time", "5", Kind::Range(1, i64::MAX)),
    ("net.ipv4.neigh.default.retrans_time_ms", "1000", Kind::Range(10, i64::MAX)),
    ("net.ipv4.neigh.default.ucast_solicit", "3", Kind::Range(0, 255)),
    ("net.ipv4.neigh.default.mcast_solicit", "3", Kind::Range(0, 255)),
    ("net.netfilter.nf_conntrack_checksum", "1", Kind::Range(0, 1)),
    ("net.netfilter.nf_conntrack_tcp_be_liberal", "0", Kind::Range(0, i32::MAX as i64)),
    ("net.netfilter.nf_conntrack_tcp_loose", "1", Kind::Range(0, i32::MAX as i64)),
    ("net.netfilter.nf_conntrack_tcp_timeout_close", "10", Kind::Range(1, i32::MAX as i64)),
    ("net.netfilter.nf_conntrack_tcp_timeout_close_wait", "60", Kind::Range(1, i32::MAX as i64)),
    ("net.netfilter.nf_conntrack_tcp_timeout_established", "432000", Kind::Range(1, i32::MAX as i64)),
    ("net.netfilter.nf_conntrack_tcp_timeout_fin_wait", "120", Kind::Range(1, i32::MAX as i64)),
    ("net.netfilter.nf_conntrack_tcp_timeout_last_ack", "30", Kind::Range(1, i32::MAX as i64)),
    ("net.netfilter.nf_conntrack_tcp_timeout_max_retrans", "300", Kind::Range(1, i32::MAX as i64)),
    ("net.netfilter.nf_conntrack_tcp_timeout_syn_recv", "60", Kind::Range(1, i32::MAX as i64)),
    ("net.netfilter.nf_conntrack_tcp_timeout_syn_sent", "120", Kind::Range(1, i32::MAX as i64)),
    ("net.netfilter.nf_conntrack_tcp_timeout_time_wait", "120", Kind::Range(1, i32::MAX as i64)),
    ("net.netfilter.nf_conntrack_tcp_timeout_unacknowledged", "300", Kind::Range(1, i32::MAX as i64)),
    ("net.netfilter.nf_conntrack_udp_timeout", "30", Kind::Range(1, i32::MAX as i64)),
    ("net.netfilter.nf_conntrack_udp_timeout_stream", "120", Kind::Range(1, i32::MAX as i64)),
    ("net.netfilter.nf_conntrack_icmp_timeout", "30", Kind::Range(1, i32::MAX as i64)),
    ("net.netfilter.nf_conntrack_icmpv6_timeout", "30", Kind::Range(1, i32::MAX as i64)),
    ("net.netfilter.nf_conntrack_generic_timeout", "600", Kind::Range(1, i32::MAX as i64)),
    ("net.netfilter.nf_conntrack_max", "262144", Kind::Range(0, i32::MAX as i64)),
    // br_netfilter, loaded as on the reference machine (and every Docker host).
    ("net.bridge.bridge-nf-call-iptables", "1", Kind::Bool),
    ("net.bridge.bridge-nf-call-arptables", "1", Kind::Bool),
    ("net.bridge.bridge-nf-call-ip6tables", "1", Kind::Bool),
];

/// Keys that exist in Linux under `net.` that the model recognises but does not implement.
const KNOWN_UNMODELLED_PREFIXES: &[&str] =
    &["net.ipv6.", "net.core.", "net.ipv4.tcp_", "net.ipv4.udp_", "net.ipv4.route.", "net.netfilter.", "net.bridge."];

#[derive(Clone, Copy, Debug)]
enum Kind {
    Bool,
    Range(i64, i64),
    PortRange,
}

fn check(kind: Kind, key: &str, v: &str) -> Result<String, SysctlError> {
    let bad = |why: &str| SysctlError::Invalid { key: key.to_string(), why: why.to_string() };
    match kind {
        Kind::Bool => match v.trim() {
            "0" | "1" => Ok(v.trim().to_string()),
            _ => Err(bad("expected 0 or 1")),
        },
        Kind::Range(lo, hi) => {
            let n: i64 = v.trim().parse().map_err(|_| bad("expected a number"))?;
            if n < lo || n > hi {
                return Err(bad(&format!("expected {lo}..={hi}")));
            }
            Ok(n.to_string())
        }
        Kind::PortRange => {
            let mut it = v.split_whitespace().map(str::parse::<u16>);
            match (it.next(), it.next(), it.next()) {
                (Some(Ok(a)), Some(Ok(b)), None) if a > 0 && a <= b => Ok(format!("{a}\t{b}")),
                _ => Err(bad("expected two ports, low then high")),
            }
        }
    }
}

/// Per-interface keys (`net.ipv4.conf.IF.K`, `net.ipv4.neigh.IF.K`) and their kinds.
const PER_IF_CONF: &[(&str, Kind)] = &[("forwarding", Kind::Bool)];
const PER_IF_NEIGH: &[(&str, Kind)] = &[
    ("base_reachable_time_ms", Kind::Range(1, i64::MAX)),
    ("delay_first_probe_time", Kind::Range(1, i64::MAX)),
    ("retrans_time_ms", Kind::Range(10, i64::MAX)),
    ("ucast_solicit", Kind::Range(0, 255)),
    ("mcast_solicit", Kind::Range(0, 255)),
];

/// A namespace's sysctl values.
#[derive(Clone, Debug, Default)]
pub struct Sysctl {
    /// What was written here; every other key reads as [`DEFAULTS`].
    values: BTreeMap<String, String>,
    /// Counts writes, so that readers may cache what they derive from the values.
    generation: u64,
    /// The values the stack reads for every packet, typed (refreshed on each write).
    hot: Hot,
}

/// The settings read per packet, kept typed so that no packet parses a string.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hot {
    /// `net.ipv4.ip_default_ttl`.
    pub ip_default_ttl: u8,
    /// `net.ipv4.icmp_echo_ignore_all`.
    pub icmp_echo_ignore_all: bool,
    /// `net.ipv4.icmp_echo_ignore_broadcasts`.
    pub icmp_echo_ignore_broadcasts: bool,
    /// `net.netfilter.nf_conntrack_tcp_loose` (non-zero).
    pub nf_conntrack_tcp_loose: bool,
    /// `net.ipv6.conf.all.forwarding` (non-zero).
    pub ipv6_forwarding: bool,
    /// `net.netfilter.nf_conntrack_checksum`.
    pub nf_conntrack_checksum: bool,
    /// `net.bridge.bridge-nf-call-iptables`.
    pub bridge_nf_call_iptables: bool,
}

impl Hot {
    fn read(num: impl Fn(&str) -> i64) -> Hot {
        Hot {
            ip_default_ttl: num("net.ipv4.ip_default_ttl").clamp(1, 255) as u8,
            icmp_echo_ignore_all: num("net.ipv4.icmp_echo_ignore_all") == 1,
            icmp_echo_ignore_broadcasts: num("net.ipv4.icmp_echo_ignore_broadcasts") == 1,
            nf_conntrack_tcp_loose: num("net.netfilter.nf_conntrack_tcp_loose") != 0,
            ipv6_forwarding: num("net.ipv6.conf.all.forwarding") != 0,
            nf_conntrack_checksum: num("net.netfilter.nf_conntrack_checksum") != 0,
            bridge_nf_call_iptables: num("net.bridge.bridge-nf-call-iptables") == 1,
        }
    }
}

impl Default for Hot {
    fn default() -> Hot {
        Hot::read(|k| DEFAULTS.get(k).and_then(|v| v.parse().ok()).unwrap_or(0))
    }
}

/// The kernel's defaults of the global keys, shared by every namespace.
static DEFAULTS: LazyLock<BTreeMap<&'static str, &'static str>> =
    LazyLock::new(|| GLOBAL.iter().map(|(k, v, _)| (*k, *v)).collect());

/// What a write changed that the namespace must act on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Nothing beyond the stored value.
    None,
    /// Forwarding was set for every interface (and the default).
    ForwardingAll(bool),
    /// Forwarding was set for one interface.
    ForwardingIf(String, bool),
    /// IPv6 forwarding was set for every interface.
    Forwarding6,
    /// `disable_ipv6` was set for every interface (and the default).
    DisableIpv6All(bool),
    /// A neighbour parameter changed for one interface (`default` for new ones).
    Neigh(String),
}

/// Normalises `net/ipv4/ip_forward` to `net.ipv4.ip_forward`.
pub fn normalize(key: &str) -> String {
    key.trim().replace('/', ".")
}

impl Sysctl {
    /// A key's value: written here, or the default.
    fn value(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(String::as_str).or_else(|| DEFAULTS.get(key).copied())
    }

    /// Reads a key; `iface_exists` validates per-interface keys.
    pub fn get(&self, key: &str, iface_exists: impl Fn(&str) -> bool) -> Result<String, SysctlError> {
        let key = normalize(key);
        if let Some(v) = self.value(&key) {
            return Ok(v.to_string());
        }
        match split_per_if(&key) {
            Some((table, ifname, leaf)) if iface_exists(ifname) => {
                let default = format!("net.ipv4.{table}.default.{leaf}");
                self.value(&default).map(str::to_string).ok_or(SysctlError::Unknown(key.replace('.', "/")))
            }
            _ => Err(self.unknown(&key)),
        }
    }

    fn unknown(&self, key: &str) -> SysctlError {
        if KNOWN_UNMODELLED_PREFIXES.iter().any(|p| key.starts_with(p))
            || key.starts_with("net.netfilter.")
            || key.starts_with("net.bridge.")
        {
            SysctlError::Unsupported(key.to_string())
        } else {
            SysctlError::Unknown(key.replace('.', "/"))
        }
    }

    /// Writes a key; returns the stored value and what else changed.
    pub fn set(
        &mut self,
        key: &str,
        value: &str,
        iface_exists: impl Fn(&str) -> bool,
    ) -> Result<(String, Effect), SysctlError> {
        let r = self.write(key, value, iface_exists);
        self.hot = Hot::read(|k| self.num(k));
        r
    }

    fn write(
        &mut self,
        key: &str,
        value: &str,
        iface_exists: impl Fn(&str) -> bool,
    ) -> Result<(String, Effect), SysctlError> {
        let key = normalize(key);
        if let Some((_, _, kind)) = GLOBAL.iter().find(|(k, _, _)| *k == key) {
            let v = check(*kind, &key, value)?;
            self.generation += 1;
            self.values.insert(key.clone(), v.clone());
            let effect = match key.as_str() {
                "net.ipv4.ip_forward" | "net.ipv4.conf.all.forwarding" => {
                    let on = v == "1";
                    for k in ["net.ipv4.ip_forward", "net.ipv4.conf.all.forwarding", "net.ipv4.conf.default.forwarding"]
                    {
                        self.generation += 1;
                        self.values.insert(k.to_string(), v.clone());
                    }
                    let prefix = "net.ipv4.conf.";
                    let per_if: Vec<String> = self
                        .values
                        .keys()
                        .filter(|k| k.starts_with(prefix) && k.ends_with(".forwarding"))
                        .cloned()
                        .collect();
                    for k in per_if {
                        self.generation += 1;
                        self.values.insert(k, v.clone());
                    }
                    Effect::ForwardingAll(on)
                }
                "net.ipv6.conf.all.forwarding" => {
                    // `addrconf_fixup_forwarding`: the default follows.
                    self.generation += 1;
                    self.values.insert("net.ipv6.conf.default.forwarding".into(), v.clone());
                    Effect::Forwarding6
                }
                "net.ipv6.conf.all.disable_ipv6" => {
                    // `addrconf_disable_ipv6`: the default takes the value as written.
                    self.generation += 1;
                    self.values.insert("net.ipv6.conf.default.disable_ipv6".into(), v.clone());
                    Effect::DisableIpv6All(v != "0")
                }
                k if k.starts_with("net.ipv4.neigh.default.") => Effect::Neigh("default".into()),
                _ => Effect::None,
            };
            return Ok((v, effect));
        }
        if let Some((table, ifname, leaf)) = split_per_if(&key)
            && iface_exists(ifname)
        {
            let list = if table == "conf" { PER_IF_CONF } else { PER_IF_NEIGH };
            if let Some((_, kind)) = list.iter().find(|(k, _)| *k == leaf) {
                let v = check(*kind, &key, value)?;
                let ifname = ifname.to_string();
                self.generation += 1;
                self.values.insert(key.clone(), v.clone());
                let effect =
                    if table == "conf" { Effect::ForwardingIf(ifname, v == "1") } else { Effect::Neigh(ifname) };
                return Ok((v, effect));
            }
            return Err(SysctlError::Unsupported(key));
        }
        Err(self.unknown(&key))
    }

    /// How many writes there have been (a cache keyed by it stays valid until the next).
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// The settings read per packet.
    pub fn hot(&self) -> &Hot {
        &self.hot
    }

    /// A numeric value (keys from the table above always parse).
    pub fn num(&self, key: &str) -> i64 {
        self.value(key).and_then(|v| v.parse().ok()).unwrap_or(0)
    }

    /// A per-interface neighbour value, falling back to the default.
    pub fn neigh(&self, ifname: &str, leaf: &str) -> i64 {
        let k = format!("net.ipv4.neigh.{ifname}.{leaf}");
        self.values
            .get(&k)
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| self.num(&format!("net.ipv4.neigh.default.{leaf}")))
    }

    /// `net.ipv4.ip_local_port_range` as (low, high).
    pub fn local_port_range(&self) -> (u16, u16) {
        let v = self.value("net.ipv4.ip_local_port_range").unwrap_or_default();
        let mut it = v.split_whitespace().filter_map(|x| x.parse().ok());
        (it.next().unwrap_or(32768), it.next().unwrap_or(60999))
    }

    /// Forgets per-interface values of an interface that left the namespace.
    pub fn forget_iface(&mut self, ifname: &str) {
        let c = format!("net.ipv4.conf.{ifname}.");
        let n = format!("net.ipv4.neigh.{ifname}.");
        self.values.retain(|k, _| !k.starts_with(&c) && !k.starts_with(&n));
    }
}

fn split_per_if(key: &str) -> Option<(&str, &str, &str)> {
    let rest = key.strip_prefix("net.ipv4.")?;
    let (table, rest) = rest.split_once('.')?;
    if table != "conf" && table != "neigh" {
        return None;
    }
    let (ifname, leaf) = rest.rsplit_once('.')?;
    if ifname == "all" || ifname == "default" {
        return None;
    }
    Some((table, ifname, leaf))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_typed_settings_follow_each_write() {
        let mut s = Sysctl::default();
        assert_eq!(
            *s.hot(),
            Hot {
                ip_default_ttl: 64,
                icmp_echo_ignore_all: false,
                icmp_echo_ignore_broadcasts: true,
                nf_conntrack_tcp_loose: true,
                ipv6_forwarding: false,
                nf_conntrack_checksum: true,
                bridge_nf_call_iptables: true,
            }
        );
        s.set("net.netfilter.nf_conntrack_checksum", "0", |_| false).unwrap();
        assert!(!s.hot().nf_conntrack_checksum);
        assert!(s.set("net.netfilter.nf_conntrack_checksum", "2", |_| false).is_err());
        s.set("net.ipv4.ip_default_ttl", "9", |_| false).unwrap();
        s.set("net/ipv4/icmp_echo_ignore_all", "1", |_| false).unwrap();
        s.set("net.netfilter.nf_conntrack_tcp_loose", "0", |_| false).unwrap();
        assert!(s.set("net.ipv4.ip_default_ttl", "0", |_| false).is_err());
        assert_eq!(s.hot().ip_default_ttl, 9);
        assert!(s.hot().icmp_echo_ignore_all && !s.hot().nf_conntrack_tcp_loose);
    }

    #[test]
    fn ip_forward_sets_every_forwarding_key() {
        let mut s = Sysctl::default();
        let (v, e) = s.set("net/ipv4/ip_forward", "1", |_| false).unwrap();
        assert_eq!(v, "1");
        assert_eq!(e, Effect::ForwardingAll(true));
        assert_eq!(s.get("net.ipv4.conf.all.forwarding", |_| false).unwrap(), "1");
    }

    #[test]
    fn rejects_unknown_and_invalid() {
        let mut s = Sysctl::default();
        assert!(matches!(s.set("net.ipv4.ip_forwardd", "1", |_| false), Err(SysctlError::Unknown(_))));
        assert!(matches!(s.set("net.ipv4.ip_forward", "2", |_| false), Err(SysctlError::Invalid { .. })));
        assert!(matches!(s.set("net.ipv6.conf.all.use_tempaddr", "1", |_| false), Err(SysctlError::Unsupported(_))));
        assert_eq!(s.set("net.ipv6.conf.all.accept_ra", "0", |_| false).unwrap().1, Effect::None);
        assert_eq!(s.set("net.ipv6.conf.all.disable_ipv6", "2", |_| false).unwrap().1, Effect::DisableIpv6All(true));
        assert_eq!(s.get("net.ipv6.conf.default.disable_ipv6", |_| false).unwrap(), "2");
        assert!(matches!(s.set("net.ipv4.conf.eth9.forwarding", "1", |_| false), Err(SysctlError::Unknown(_))));
        assert_eq!(
            s.set("net.ipv4.conf.eth0.forwarding", "1", |n| n == "eth0").unwrap().1,
            Effect::ForwardingIf("eth0".into(), true)
        );
    }

    #[test]
    fn port_range_round_trips() {
        let mut s = Sysctl::default();
        assert_eq!(s.local_port_range(), (32768, 60999));
        s.set("net.ipv4.ip_local_port_range", "1024 2048", |_| false).unwrap();
        assert_eq!(s.local_port_range(), (1024, 2048));
        assert!(s.set("net.ipv4.ip_local_port_range", "2048 1024", |_| false).is_err());
    }
}
