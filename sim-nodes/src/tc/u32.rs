//! `tc filter … u32`: the universal 32-bit classifier as `cls_u32.c` keeps it (keys of a
//! value, a mask and an offset into the IP header; knodes in hash table `800:` and on) and
//! as iproute2 6.1's `f_u32.c` reads `match ip src|dst A/N`, `match ip sport|dport P M`,
//! `match ip protocol N M`, `match u32 V M at OFF` and `flowid|classid X:Y`, and prints them.

use crate::tc::cli::{INCOMPLETE, matches};
use crate::tc::units::{get_hex as hex, get_u32 as num};
use std::net::Ipv4Addr;

/// One key: the 32-bit word at `off` (from the IP header) masked equals `val`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Key {
    /// Value (already masked).
    pub val: u32,
    /// Mask.
    pub mask: u32,
    /// Offset, a multiple of 4.
    pub off: i32,
}

/// What a filter matches on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Proto {
    /// `protocol ip`.
    Ip,
    /// `protocol all` (the default).
    All,
}

/// A `u32` filter's keys and where it sends what matches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct U32 {
    /// The keys, all of which must match.
    pub keys: Vec<Key>,
    /// `flowid`: the class.
    pub flowid: u32,
}

/// The usage `tc` prints after a u32 error.
pub const USAGE: &str = "Usage: ... u32 [ match SELECTOR ... ] [ link HTID ] [ classid CLASSID ]
               [ action ACTION_SPEC ] [ offset OFFSET_SPEC ]
               [ ht HTID ] [ hashkey HASHKEY_SPEC ]
               [ sample SAMPLE ] [skip_hw | skip_sw]
or         u32 divisor DIVISOR

Where: SELECTOR := SAMPLE SAMPLE ...
       SAMPLE := { ip | ip6 | udp | tcp | icmp | u{32|16|8} | mark }
                 SAMPLE_ARGS [ divisor DIVISOR ]
       FILTERID := X:Y:Z

NOTE: CLASSID is parsed at hexadecimal input.";

type PErr = (String, i32);

fn illegal(what: &str) -> PErr {
    (format!("Illegal \"{what}\""), 1)
}

/// `get_tc_classid`: `1:10` (hex), `:10`, `1:`, `root`, `none`.
pub fn classid(s: &str) -> Option<u32> {
    match s {
        "root" => return Some(0xffff_ffff),
        "none" => return Some(0),
        _ => {}
    }
    let (maj, min) = s.split_once(':')?;
    let maj = if maj.is_empty() { 0 } else { u32::from_str_radix(maj, 16).ok().filter(|m| *m < 0x10000)? };
    let min = if min.is_empty() { 0 } else { u32::from_str_radix(min, 16).ok().filter(|m| *m < 0x10000)? };
    Some(maj << 16 | min)
}

/// `print_tc_classid`.
pub fn show_classid(id: u32) -> String {
    match (id, id >> 16, id & 0xffff) {
        (0xffff_ffff, _, _) => "root".into(),
        (0, _, _) => "none".into(),
        (_, 0, min) => format!(":{min:x}"),
        (_, maj, 0) => format!("{maj:x}:"),
        (_, maj, min) => format!("{maj:x}:{min:x}"),
    }
}

/// Adds a key (`pack_key`): keys at the same offset merge.
fn pack(keys: &mut Vec<Key>, val: u32, mask: u32, off: i32) -> Result<(), PErr> {
    let val = val & mask;
    if let Some(k) = keys.iter_mut().find(|k| k.off == off) {
        if (k.val ^ val) & k.mask & mask != 0 {
            return Err(illegal("match"));
        }
        k.val |= val;
        k.mask |= mask;
        return Ok(());
    }
    keys.push(Key { val, mask, off });
    Ok(())
}

/// `u32 match … flowid X` (the words after `u32`).
pub fn parse(args: &[&str]) -> Result<U32, PErr> {
    let mut keys = Vec::new();
    let mut flowid = None;
    let mut i = 0;
    let next = |i: &mut usize| -> Result<&str, PErr> {
        *i += 1;
        args.get(*i).copied().ok_or_else(|| (INCOMPLETE.to_string(), 255))
    };
    while i < args.len() {
        let a = args[i];
        if matches(a, "match") {
            let what = next(&mut i)?;
            match what {
                "ip" => {
                    let field = next(&mut i)?;
                    match field {
                        "src" | "dst" => {
                            let v = next(&mut i)?;
                            let (addr, len) = v.split_once('/').unwrap_or((v, "32"));
                            let addr: Ipv4Addr = addr.parse().map_err(|_| illegal("match"))?;
                            let len: u32 = len.parse().ok().filter(|l| *l <= 32).ok_or_else(|| illegal("match"))?;
                            let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
                            pack(&mut keys, u32::from(addr), mask, if field == "src" { 12 } else { 16 })?;
                        }
                        "sport" | "dport" => {
                            let p = num(next(&mut i)?).filter(|p| *p <= 0xffff).ok_or_else(|| illegal("match"))?;
                            let m = hex(next(&mut i)?).filter(|m| *m <= 0xffff).ok_or_else(|| illegal("match"))?;
                            let shift = if field == "sport" { 16 } else { 0 };
                            pack(&mut keys, p << shift, m << shift, 20)?;
                        }
                        "protocol" => {
                            let p = num(next(&mut i)?).filter(|p| *p <= 0xff).ok_or_else(|| illegal("match"))?;
                            let m = hex(next(&mut i)?).filter(|m| *m <= 0xff).ok_or_else(|| illegal("match"))?;
                            pack(&mut keys, p << 16, m << 16, 8)?;
                        }
                        f => return Err((format!("not supported yet: u32 match ip {f}"), 1)),
                    }
                }
                "u32" => {
                    let v = num(next(&mut i)?).ok_or_else(|| illegal("match"))?;
                    let m = hex(next(&mut i)?).ok_or_else(|| illegal("match"))?;
                    // `at OFF` is optional (offset 0).
                    let mut off = 0;
                    if args.get(i + 1) == Some(&"at") {
                        i += 1;
                        off = next(&mut i)?.parse().map_err(|_| illegal("match"))?;
                    }
                    if off % 4 != 0 {
                        return Err(illegal("match"));
                    }
                    pack(&mut keys, v, m, off)?;
                }
                w => return Err((format!("not supported yet: u32 match {w}"), 1)),
            }
        } else if matches(a, "classid") || matches(a, "flowid") {
            let v = next(&mut i)?;
            flowid = Some(classid(v).ok_or_else(|| illegal("classid"))?);
        } else if a == "help" {
            return Err((USAGE.into(), 1));
        } else if ["link", "ht", "hashkey", "sample", "divisor", "offset", "action", "police", "skip_hw", "skip_sw"]
            .iter()
            .any(|k| matches(a, k))
        {
            return Err((format!("not supported yet: u32 {a}"), 1));
        } else {
            return Err((format!("What is \"{a}\"?\n{USAGE}"), 1));
        }
        i += 1;
    }
    if keys.is_empty() {
        return Err(("Error: cls_u32: Selector not specified.\nWe have an error talking to the kernel".into(), 2));
    }
    let Some(flowid) = flowid else {
        return Err(("not supported yet: a u32 filter without flowid".into(), 1));
    };
    Ok(U32 { keys, flowid })
}

impl U32 {
    /// `u32_classify` on one knode: every key against the IP packet; `None` when the
    /// packet is too short to read a key.
    pub fn matches(&self, ip: &[u8]) -> Option<bool> {
        for k in &self.keys {
            let at = usize::try_from(k.off).ok()?;
            let w = ip.get(at..at + 4)?;
            let word = u32::from_be_bytes([w[0], w[1], w[2], w[3]]);
            if (word ^ k.val) & k.mask != 0 {
                return Some(false);
            }
        }
        Some(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<U32, PErr> {
        parse(&s.split_whitespace().collect::<Vec<_>>())
    }

    #[test]
    fn keys_as_f_u32_packs_them() {
        let f = p("match ip dst 10.0.0.2/32 flowid 1:10").unwrap();
        assert_eq!(f.keys, [Key { val: 0x0a00_0002, mask: 0xffff_ffff, off: 16 }]);
        assert_eq!(f.flowid, 0x10010);
        let f = p("match ip dport 5001 0xffff classid 1:20").unwrap();
        assert_eq!(f.keys, [Key { val: 0x1389, mask: 0xffff, off: 20 }]);
        // Masks are hex with or without 0x; `at` is optional.
        assert_eq!(p("match ip dport 80 ffff flowid 1:1").unwrap().keys, [Key { val: 80, mask: 0xffff, off: 20 }]);
        assert_eq!(p("match u32 0 0 flowid 1:30").unwrap().keys, [Key { val: 0, mask: 0, off: 0 }]);
        let f = p("match ip src 10.0.0.0/24 match ip dst 10.0.0.4 flowid 1:10").unwrap();
        assert_eq!(f.keys.len(), 2);
        assert_eq!(f.keys[0], Key { val: 0x0a00_0000, mask: 0xffff_ff00, off: 12 });
        assert_eq!(p("match ip dst 10.0.0.2/33 flowid 1:1").unwrap_err().0, "Illegal \"match\"");
        assert!(p("flowid 1:1").unwrap_err().0.starts_with("Error: cls_u32: Selector not specified."));
        assert_eq!(show_classid(0x10010), "1:10");
        assert_eq!(show_classid(0x10000), "1:");
    }

    #[test]
    fn matches_the_ip_header() {
        let mut ip = [0u8; 28];
        ip[16..20].copy_from_slice(&[10, 0, 0, 2]);
        ip[22..24].copy_from_slice(&5001u16.to_be_bytes());
        assert_eq!(p("match ip dst 10.0.0.2 flowid 1:1").unwrap().matches(&ip), Some(true));
        assert_eq!(p("match ip dst 10.0.0.3 flowid 1:1").unwrap().matches(&ip), Some(false));
        assert_eq!(p("match ip dport 5001 0xffff flowid 1:1").unwrap().matches(&ip), Some(true));
        assert_eq!(p("match ip dst 10.0.0.2 flowid 1:1").unwrap().matches(&ip[..10]), None);
    }
}
