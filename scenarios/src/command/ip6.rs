//! `ip -6 …`: the IPv6 commands (addresses, the kernel's routes), one variant of
//! [`super::Command`] so a scenario's use of IPv6 is one match away.

use super::{Format, c, opt, q};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::net::Ipv6Addr;
use std::str::FromStr;

/// An IPv6 address with its prefix length, written `2001:db8::1/64`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cidr6 {
    /// The address.
    pub addr: Ipv6Addr,
    /// Prefix length.
    pub prefix: u8,
}

impl fmt::Display for Cidr6 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

impl FromStr for Cidr6 {
    type Err = String;
    /// `A[/LEN]`: a bare address is /128, as iproute2 takes it.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (a, l) = s.split_once('/').unwrap_or((s, "128"));
        let addr = a.parse().map_err(|_| format!("`{s}` is not an IPv6 address (like 2001:db8::1/64)"))?;
        let prefix = l.parse().ok().filter(|p| *p <= 128).ok_or_else(|| format!("`{s}`: the prefix is 0 to 128"))?;
        Ok(Cidr6 { addr, prefix })
    }
}

impl Serialize for Cidr6 {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Cidr6 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// What `ip -6 route add|del` names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Route6Args {
    /// Destination (`::/0` for `default`).
    pub to: Cidr6,
    /// `via`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via: Option<Ipv6Addr>,
    /// `dev`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dev: Option<String>,
    /// `metric`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric: Option<u32>,
}

impl fmt::Display for Route6Args {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.to.prefix == 0 && self.to.addr.is_unspecified() {
            f.write_str("default")?;
        } else {
            write!(f, "{}", self.to)?;
        }
        opt(f, "via", &self.via)?;
        opt(f, "dev", &self.dev)?;
        opt(f, "metric", &self.metric)
    }
}

/// An `ip -6` command.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum Ip6Command {
    /// `ip -6 addr add A/P dev DEV [nodad]`.
    AddrAdd {
        /// Address and prefix.
        addr: Cidr6,
        /// Device.
        dev: String,
        /// `nodad`: no duplicate address detection.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        nodad: bool,
    },
    /// `ip -6 addr del A/P dev DEV`.
    AddrDel {
        /// Address and prefix.
        addr: Cidr6,
        /// Device.
        dev: String,
    },
    /// `ip -6 [-br] addr show [dev DEV]`.
    AddrShow {
        /// `-br`: a line per interface.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        brief: bool,
        /// Device.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        dev: Option<String>,
        /// `-o`, `-j`, `-j -p`: how it prints.
        #[serde(default, skip_serializing_if = "Format::is_text")]
        fmt: Format,
        /// `-c`: in iproute2's colours.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        color: bool,
    },
    /// `ip -6 route add DST [via GW] [dev DEV] [metric N]`.
    RouteAdd(Route6Args),
    /// `ip -6 route del DST [via GW] [dev DEV] [metric N]`.
    RouteDel(Route6Args),
    /// `ip -6 neigh show [dev DEV]`.
    NeighShow {
        /// Device.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        dev: Option<String>,
        /// `-c`: in iproute2's colours.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        color: bool,
    },
    /// `ip -6 route show [dev DEV]`.
    RouteShow {
        /// Device.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        dev: Option<String>,
        /// `-c`: in iproute2's colours.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        color: bool,
    },
}

impl Ip6Command {
    /// The interfaces the command names.
    pub fn dev(&self) -> Option<&str> {
        match self {
            Ip6Command::AddrAdd { dev, .. } | Ip6Command::AddrDel { dev, .. } => Some(dev),
            Ip6Command::RouteAdd(r) | Ip6Command::RouteDel(r) => r.dev.as_deref(),
            Ip6Command::AddrShow { dev, .. }
            | Ip6Command::RouteShow { dev, .. }
            | Ip6Command::NeighShow { dev, .. } => dev.as_deref(),
        }
    }
}

impl fmt::Display for Ip6Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ip6Command::AddrAdd { addr, dev, nodad } => {
                write!(f, "ip -6 addr add {addr} dev {}{}", q(dev), if *nodad { " nodad" } else { "" })
            }
            Ip6Command::AddrDel { addr, dev } => write!(f, "ip -6 addr del {addr} dev {}", q(dev)),
            Ip6Command::AddrShow { brief, dev, fmt, color } => {
                write!(f, "ip {}{}-6 {}addr show", fmt.flags(), c(*color), if *brief { "-br " } else { "" })?;
                opt(f, "dev", dev)
            }
            Ip6Command::RouteShow { dev, color } => {
                write!(f, "ip {}-6 route show", c(*color))?;
                opt(f, "dev", dev)
            }
            Ip6Command::RouteAdd(r) => write!(f, "ip -6 route add {r}"),
            Ip6Command::RouteDel(r) => write!(f, "ip -6 route del {r}"),
            Ip6Command::NeighShow { dev, color } => {
                write!(f, "ip {}-6 neigh show", c(*color))?;
                opt(f, "dev", dev)
            }
        }
    }
}
