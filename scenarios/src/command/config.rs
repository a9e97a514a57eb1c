//! The arguments of the configuration commands — `ip` (addresses, links, routes,
//! neighbours), `brctl` and `sysctl` — as [`super::Command`] holds them. It owns their types
//! and how an address with its prefix is read and written; what a command does is the back
//! ends', and how it is typed is the front ends'.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sim_core::MacAddr;
use std::fmt;
use std::net::Ipv4Addr;
use std::str::FromStr;

use super::Secs;

/// An address with its prefix length, written `192.0.2.1/24`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cidr {
    /// The address.
    pub addr: Ipv4Addr,
    /// Prefix length.
    pub prefix: u8,
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

/// Why an address/prefix did not parse.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CidrError {
    /// No `/LEN`.
    #[error("address `{0}` needs a prefix length, e.g. `{0}/24`")]
    NoPrefix(String),
    /// Not an address, or a bad length.
    #[error("`{0}` is not an IPv4 address with a prefix length (like 192.0.2.1/24)")]
    Invalid(String),
}

impl Cidr {
    /// Parses `A/LEN`; with `default_prefix`, a bare address takes that length (as iproute2
    /// gives a bare address /32).
    pub fn parse(s: &str, default_prefix: Option<u8>) -> Result<Cidr, CidrError> {
        match s.split_once('/') {
            Some((a, l)) => {
                let addr = a.parse().map_err(|_| CidrError::Invalid(s.into()))?;
                let prefix: u8 = l.parse().map_err(|_| CidrError::Invalid(s.into()))?;
                if prefix > 32 {
                    return Err(CidrError::Invalid(s.into()));
                }
                Ok(Cidr { addr, prefix })
            }
            None => {
                let addr = s.parse().map_err(|_| CidrError::Invalid(s.into()))?;
                match default_prefix {
                    Some(p) => Ok(Cidr { addr, prefix: p }),
                    None => Err(CidrError::NoPrefix(s.into())),
                }
            }
        }
    }
}

impl FromStr for Cidr {
    type Err = CidrError;
    /// Parses `A/LEN`; the length is required.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Cidr::parse(s, None)
    }
}

impl Serialize for Cidr {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Cidr {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// `ip link add NAME type …`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum LinkKind {
    /// `type veth peer name PEER [netns NS]`.
    Veth {
        /// The other end's name.
        peer: String,
        /// Where the other end is created.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        peer_netns: Option<String>,
    },
    /// `type bridge`.
    Bridge,
}

/// `ip link set DEV …`: each field is one setting; several may be given at once.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LinkSet {
    /// The device.
    pub dev: String,
    /// `up` / `down`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub up: Option<bool>,
    /// `netns NS`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub netns: Option<String>,
    /// `address MAC`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<MacAddr>,
    /// `mtu N`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mtu: Option<u32>,
    /// `name NEW`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `master BR`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub master: Option<String>,
    /// `nomaster`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub nomaster: bool,
    /// `type bridge ageing_time CENTISECONDS`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ageing_time: Option<u32>,
    /// `type bridge mcast_snooping 0`: what nslab's bridges do anyway (they flood
    /// multicast and join no snoopers' group); only 0 is taken.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub no_mcast_snooping: bool,
}

/// bridge-utils' `brctl`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum Brctl {
    /// `brctl addbr BR`.
    Addbr(String),
    /// `brctl delbr BR`.
    Delbr(String),
    /// `brctl addif BR DEV`.
    Addif(String, String),
    /// `brctl delif BR DEV`.
    Delif(String, String),
    /// `brctl show [BR]`.
    Show(Option<String>),
    /// `brctl showmacs BR`.
    Showmacs(String),
    /// `brctl setageing BR SECONDS`.
    Setageing(String, Secs),
}

/// `ip route add|del …`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteArgs {
    /// Destination: `default` is `0.0.0.0/0`.
    pub to: Cidr,
    /// `via`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via: Option<Ipv4Addr>,
    /// `dev`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dev: Option<String>,
    /// `metric`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric: Option<u32>,
    /// `src`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub src: Option<Ipv4Addr>,
    /// `proto` (`static`, `boot`, `dhcp`, `kernel`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proto: Option<String>,
    /// `onlink`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub onlink: bool,
}

/// What `ip neigh` does to an entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NeighOp {
    /// `add`: a new entry (`File exists` if there is one).
    Add,
    /// `replace`: a new entry or the one there.
    Replace,
    /// `change`: the one there (`No such file or directory` if none).
    Change,
    /// `del`.
    Del,
}

impl NeighOp {
    /// The word `ip neigh` takes.
    pub fn word(self) -> &'static str {
        match self {
            NeighOp::Add => "add",
            NeighOp::Replace => "replace",
            NeighOp::Change => "change",
            NeighOp::Del => "del",
        }
    }
}

/// The states `ip neigh add … nud STATE` can give an entry here.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NeighNud {
    /// `permanent` (what `ip neigh add` gives by default).
    Permanent,
    /// `reachable`.
    Reachable,
    /// `stale`.
    Stale,
}

impl NeighNud {
    /// The word `ip neigh` takes.
    pub fn word(self) -> &'static str {
        match self {
            NeighNud::Permanent => "permanent",
            NeighNud::Reachable => "reachable",
            NeighNud::Stale => "stale",
        }
    }
}

/// `ip neigh add|replace|change|del`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeighSetCmd {
    /// What to do.
    pub op: NeighOp,
    /// The neighbour's address (an IPv6 one is `ip -6 neigh`'s, which iproute2 also takes
    /// without `-6`).
    pub addr: std::net::IpAddr,
    /// Its link-layer address (required but for `del`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lladdr: Option<MacAddr>,
    /// The device.
    pub dev: String,
    /// The state (`None`: permanent, as `ip` gives).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nud: Option<NeighNud>,
}

/// What `sysctl` prints.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SysctlOut {
    /// `net.ipv4.ip_forward = 1`.
    #[default]
    Lines,
    /// `-q`: nothing for a write (a read still prints its line).
    Quiet,
    /// `-n`: the value alone.
    Values,
}

impl SysctlOut {
    pub(super) fn is_lines(&self) -> bool {
        *self == SysctlOut::Lines
    }
}

/// `bridge link set dev PORT …`: a bridge port's options (`IFLA_BRPORT_*`); each `None`
/// is left as it is.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BridgePortOpts {
    /// `cost N`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<u32>,
    /// `priority N` (0–63).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<u8>,
    /// `hairpin on|off`: frames may leave by the port they came in on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hairpin: Option<bool>,
    /// `learning on|off`: the bridge learns source addresses behind the port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub learning: Option<bool>,
    /// `flood on|off`: unknown unicast is flooded to the port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flood: Option<bool>,
    /// `mcast_flood on|off`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mcast_flood: Option<bool>,
    /// `bcast_flood on|off`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bcast_flood: Option<bool>,
    /// `isolated on|off`: an isolated port talks to non-isolated ports only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub isolated: Option<bool>,
}

impl BridgePortOpts {
    /// The options as `bridge link set` takes them, in this order.
    pub fn words(&self) -> Vec<String> {
        let mut w = Vec::new();
        if let Some(c) = self.cost {
            w.extend(["cost".to_string(), c.to_string()]);
        }
        if let Some(p) = self.priority {
            w.extend(["priority".to_string(), p.to_string()]);
        }
        for (name, v) in [
            ("hairpin", self.hairpin),
            ("learning", self.learning),
            ("flood", self.flood),
            ("mcast_flood", self.mcast_flood),
            ("bcast_flood", self.bcast_flood),
            ("isolated", self.isolated),
        ] {
            if let Some(on) = v {
                w.extend([name.to_string(), if on { "on" } else { "off" }.to_string()]);
            }
        }
        w
    }
}
