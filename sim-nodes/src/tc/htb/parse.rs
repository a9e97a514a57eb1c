//! `tc qdisc … htb` and `tc class … htb` as iproute2 6.1's `q_htb.c` reads them: the
//! qdisc's `r2q`, `default` (hex) and `direct_qlen`; a class's rates, bursts (1600-byte
//! MTU by default, sent as 64-ns ticks), `prio` and `quantum`; its messages and the usage
//! it prints after them.

use crate::tc::cli::{INCOMPLETE, matches};
use crate::tc::units;

/// The usage `tc` prints after an htb error.
pub const USAGE: &str = "Usage: ... qdisc add ... htb [default N] [r2q N]
                      [direct_qlen P] [offload]
 default  minor id of class to which unclassified packets are sent {0}
 r2q      DRR quantums are computed as rate in Bps/r2q {10}
 debug    string of 16 numbers each 0-3 {0}

 direct_qlen  Limit of the direct queue {in packets}
 offload  enable hardware offload
... class add ... htb rate R1 [burst B1] [mpu B] [overhead O]
                      [prio P] [slot S] [pslot PS]
                      [ceil R2] [cburst B2] [mtu MTU] [quantum Q]
 rate     rate allocated to this class (class can still borrow)
 burst    max bytes burst which can be accumulated during idle period {computed}
 mpu      minimum packet size used in rate computations
 overhead per-packet size overhead used in rate computations
 linklay  adapting to a linklayer e.g. atm
 ceil     definite upper class rate (no borrows) {rate}
 cburst   burst but for ceil {computed}
 mtu      max packet size we create rate map for {1600}
 prio     priority of leaf; lower are served first {0}
 quantum  how much bytes to serve from leaf at once {use r2q}

TC HTB version 3.3";

type PErr = (String, i32);

fn illegal(what: &str) -> PErr {
    (format!("Illegal \"{what}\"\n{USAGE}"), 1)
}

/// The qdisc's options.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HtbOpts {
    /// `r2q`: a leaf's quantum is its rate in bytes/s over this.
    pub r2q: u32,
    /// `default`: the minor number of the class for what no filter classifies.
    pub defcls: u32,
    /// `direct_qlen` (None: the device's `txqueuelen`, 1000).
    pub direct_qlen: Option<u32>,
}

/// A class's options, as `htb_parse_class_opt` sends them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClassOpts {
    /// `rate`, bytes/s.
    pub rate: u64,
    /// `ceil`, bytes/s (the rate when not given).
    pub ceil: u64,
    /// `burst` as 64-ns ticks at the rate.
    pub buffer: u32,
    /// `cburst` as ticks at the ceil.
    pub cbuffer: u32,
    /// `prio` (0 first).
    pub prio: u32,
    /// `quantum` (0: from `r2q`).
    pub quantum: u32,
    /// `overhead`.
    pub overhead: u16,
    /// `mpu`: the least length a packet is charged for.
    pub mpu: u16,
}

fn value<'a>(args: &[&'a str], i: &mut usize) -> Result<&'a str, PErr> {
    *i += 1;
    args.get(*i).copied().ok_or_else(|| (INCOMPLETE.to_string(), 255))
}

/// `htb_parse_opt`.
pub fn parse_qdisc(args: &[&str]) -> Result<HtbOpts, PErr> {
    let mut o = HtbOpts { r2q: 10, defcls: 0, direct_qlen: None };
    let mut i = 0;
    while i < args.len() {
        let a = args[i];
        if matches(a, "r2q") {
            o.r2q = value(args, &mut i)?.parse().map_err(|_| illegal("r2q"))?;
        } else if matches(a, "default") {
            let v = value(args, &mut i)?;
            let hex = v.strip_prefix("0x").or_else(|| v.strip_prefix("0X")).unwrap_or(v);
            o.defcls = u32::from_str_radix(hex, 16).map_err(|_| illegal("default"))?;
        } else if matches(a, "debug") {
            value(args, &mut i)?;
        } else if matches(a, "direct_qlen") {
            o.direct_qlen = Some(value(args, &mut i)?.parse().map_err(|_| illegal("direct_qlen"))?);
        } else if matches(a, "offload") {
            return Err(("not supported yet: htb offload".into(), 1));
        } else {
            return Err((format!("What is \"{a}\"?\n{USAGE}"), 1));
        }
        i += 1;
    }
    Ok(o)
}

/// `htb_parse_class_opt`.
pub fn parse_class(args: &[&str]) -> Result<ClassOpts, PErr> {
    let (mut rate, mut ceil, mut buffer, mut cbuffer) = (0u64, 0u64, 0u32, 0u32);
    let (mut prio, mut quantum, mut mtu, mut overhead, mut mpu) = (0u32, 0u32, 1600u32, 0u16, 0u16);
    let mut i = 0;
    let size = |v: &str| units::get_size(v.split('/').next().unwrap_or(v));
    while i < args.len() {
        let a = args[i];
        if matches(a, "prio") {
            prio = value(args, &mut i)?.parse().map_err(|_| illegal("prio"))?;
        } else if matches(a, "mtu") {
            mtu = value(args, &mut i)?.parse().map_err(|_| illegal("mtu"))?;
        } else if matches(a, "mpu") {
            mpu = value(args, &mut i)?.parse::<u16>().map_err(|_| illegal("mpu"))?;
        } else if matches(a, "overhead") {
            overhead = value(args, &mut i)?.parse().map_err(|_| illegal("overhead"))?;
        } else if matches(a, "linklayer") {
            if value(args, &mut i)? != "ethernet" {
                return Err(("not supported yet: htb linklayer other than ethernet".into(), 1));
            }
        } else if matches(a, "quantum") {
            quantum = value(args, &mut i)?.parse().map_err(|_| illegal("quantum"))?;
        } else if matches(a, "burst") || a == "buffer" || a == "maxburst" {
            buffer = size(value(args, &mut i)?).ok_or_else(|| illegal("burst"))?;
        } else if matches(a, "cburst") || a == "cbuffer" || a == "cmaxburst" {
            cbuffer = size(value(args, &mut i)?).ok_or_else(|| illegal("cburst"))?;
        } else if a == "ceil" {
            let v = value(args, &mut i)?;
            if ceil != 0 {
                return Err(("Double \"ceil\" spec".into(), 1));
            }
            ceil = units::get_rate(v).ok_or_else(|| illegal("ceil"))?;
        } else if a == "rate" {
            let v = value(args, &mut i)?;
            if rate != 0 {
                return Err(("Double \"rate\" spec".into(), 1));
            }
            rate = units::get_rate(v).ok_or_else(|| illegal("rate"))?;
        } else if a == "help" {
            return Err((USAGE.into(), 1));
        } else {
            return Err((format!("What is \"{a}\"?\n{USAGE}"), 1));
        }
        i += 1;
    }
    if rate == 0 {
        return Err(("\"rate\" is required.".into(), 1));
    }
    if ceil == 0 {
        ceil = rate;
    }
    // `rate / get_hz() + mtu`: get_hz() is 1e9 here, so the MTU for any rate below 8 Gbit/s.
    if buffer == 0 {
        buffer = (rate / 1_000_000_000) as u32 + mtu;
    }
    if cbuffer == 0 {
        cbuffer = (ceil / 1_000_000_000) as u32 + mtu;
    }
    Ok(ClassOpts {
        rate,
        ceil,
        buffer: units::xmittime(rate, buffer),
        cbuffer: units::xmittime(ceil, cbuffer),
        prio,
        quantum,
        overhead,
        mpu,
    })
}
