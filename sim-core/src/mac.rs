//! Ethernet MAC addresses as `ip link` prints and parses them.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// A 48-bit Ethernet address.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct MacAddr(pub [u8; 6]);

impl MacAddr {
    /// `ff:ff:ff:ff:ff:ff`.
    pub const BROADCAST: MacAddr = MacAddr([0xff; 6]);
    /// `00:00:00:00:00:00`.
    pub const ZERO: MacAddr = MacAddr([0; 6]);

    /// True for the broadcast address.
    pub fn is_broadcast(&self) -> bool {
        *self == Self::BROADCAST
    }
    /// True for group addresses (the I/G bit), broadcast included.
    pub fn is_multicast(&self) -> bool {
        self.0[0] & 1 == 1
    }
    /// True for the all-zero address.
    pub fn is_zero(&self) -> bool {
        *self == Self::ZERO
    }
    /// A random locally administered unicast address, as the kernel's
    /// `eth_random_addr` makes them: clear the multicast bit, set the local bit.
    pub fn random_local(bytes: [u8; 6]) -> Self {
        let mut b = bytes;
        b[0] &= 0xfe;
        b[0] |= 0x02;
        MacAddr(b)
    }
    /// Reads six bytes from the front of `b`; `None` if shorter.
    pub fn from_slice(b: &[u8]) -> Option<Self> {
        Some(MacAddr(b.get(..6)?.try_into().ok()?))
    }
}

impl fmt::Display for MacAddr {
    /// Lower-case, colon-separated, as iproute2 and tcpdump print it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = self.0;
        write!(f, "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}", b[0], b[1], b[2], b[3], b[4], b[5])
    }
}

impl fmt::Debug for MacAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Why a MAC address did not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("\"{0}\" is invalid lladdr")]
pub struct MacParseError(pub String);

impl FromStr for MacAddr {
    type Err = MacParseError;
    /// Accepts six colon-separated hex octets in either case (`00:00:5E:00:53:01`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || MacParseError(s.to_string());
        let mut out = [0u8; 6];
        let mut parts = s.split(':');
        for b in &mut out {
            let p = parts.next().ok_or_else(err)?;
            if p.is_empty() || p.len() > 2 {
                return Err(err());
            }
            *b = u8::from_str_radix(p, 16).map_err(|_| err())?;
        }
        if parts.next().is_some() {
            return Err(err());
        }
        Ok(MacAddr(out))
    }
}

impl Serialize for MacAddr {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for MacAddr {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_like_iproute2() {
        let m: MacAddr = "00:00:5E:00:53:01".parse().unwrap();
        assert_eq!(m.to_string(), "00:00:5e:00:53:01");
        assert!("00:00:5e:00:53".parse::<MacAddr>().is_err());
        assert!("00:00:5e:00:53:01:02".parse::<MacAddr>().is_err());
        assert!("zz:00:5e:00:53:01".parse::<MacAddr>().is_err());
        assert!("".parse::<MacAddr>().is_err());
    }

    #[test]
    fn random_local_is_unicast_and_local() {
        let m = MacAddr::random_local([0xff; 6]);
        assert!(!m.is_multicast());
        assert_eq!(m.0[0] & 2, 2);
    }
}
