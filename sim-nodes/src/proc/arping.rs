//! `arping` as iputils 20221126 prints it (`arping.c` at tag 20221126): ARP requests from a
//! packet socket, one a second, to a target address.
//!
//! Checked against that version on the reference machine. The first probe goes to
//! ff:ff:ff:ff:ff:ff with ff:ff:ff:ff:ff:ff as the ARP target hardware address too
//! (`find_broadcast_address`), later ones to the MAC of the newest reply (unless `-b`). A
//! periodic timer ticks every `-i` seconds (1 s; `-i 0` never ticks); at each tick arping
//! exits once `-c` ticks have passed, else sends: `-c N` sends N probes and ends 1 s after
//! the last, replies or not. `-f` and `-D` end at the first reply, `-w T` after T seconds (or
//! when `-c` replies have come), Ctrl-C at once; each way prints the summary. Reply times
//! are iputils' own arithmetic ([`fmt_elapsed`]: the RTT plus 500 µs). Exit statuses follow
//! `finish` and the end of `event_loop`: an unanswered `-D` is 0, an answered one 1; `-U`
//! and `-A` 0; otherwise 1 unless as many replies came as probes went (so duplicates and
//! partial loss are 1), or with `-w` and no `-c` any reply.
//!
//! Without `-I` the device is the route's (`guess_device`: RTM_GETROUTE); the source is
//! the kernel's for a datagram socket bound to the device and connected to the target
//! (`connect()` with `SO_BINDTODEVICE`), 0.0.0.0 with `-D`, the target itself with `-U` or
//! `-A`. It differs from the kernel in what the sim cannot ask: `SO_DONTROUTE` ignores
//! gateway routes, which the sim's route lookup does not (only a `src` on a gateway route
//! can tell); a hostname target needs a resolver the sim does not have (refused). This
//! module owns the tool; the frames' way through the stack, and the peers' answers (the
//! kernel's `arp_process`, which answers a DAD probe too), are the namespace's.

use super::{Meta, Process, Program, SocketId, SocketKind, Sys};
use crate::sys::ArgError;
use crate::wire::arp::{self, Arp};
use crate::wire::ethertype;
use sim_core::{Duration, Instant, MacAddr};
use std::net::Ipv4Addr;

/// C's `INT_MAX`: the largest `-c`, `-w` and `-i`.
const INT_MAX: i64 = i32::MAX as i64;

/// What to do instead of the usage text (`usage()` prints it and exits 2).
const USAGE_HINT: &str =
    "usage: arping [-fqbDUA] [-c COUNT] [-w TIMEOUT] [-i INTERVAL] [-I DEVICE] [-s SOURCE] DESTINATION";

/// arping's options (`getopt` string `h?bfDUAqc:w:i:s:I:V`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArpingArgs {
    /// The destination.
    pub target: Ipv4Addr,
    /// `-c`: how many probes (1 to `INT_MAX`); `None` (C's -1): until stopped.
    pub count: Option<u32>,
    /// `-w`: seconds until arping gives up; 0 (the default): never.
    pub timeout: u32,
    /// `-i`: seconds between probes (1); 0: only the first probe goes.
    pub interval: u32,
    /// `-I`: the device; `None` (or empty): the route's.
    pub device: Option<String>,
    /// `-s`: the source address.
    pub source: Option<Ipv4Addr>,
    /// `-b`: keep broadcasting.
    pub broadcast_only: bool,
    /// `-D`: duplicate address detection.
    pub dad: bool,
    /// `-U` (or `-A`): unsolicited ARP, the target is the source.
    pub unsolicited: bool,
    /// `-A`: ARP replies instead of requests.
    pub advert: bool,
    /// `-q`: print nothing.
    pub quiet: bool,
    /// `-f` (or `-D`): end at the first reply.
    pub quit_on_reply: bool,
}

impl ArpingArgs {
    /// Defaults for `arping TARGET`.
    pub fn new(target: Ipv4Addr) -> Self {
        ArpingArgs {
            target,
            count: None,
            timeout: 0,
            interval: 1,
            device: None,
            source: None,
            broadcast_only: false,
            dad: false,
            unsolicited: false,
            advert: false,
            quiet: false,
            quit_on_reply: false,
        }
    }

    /// Reads the words after `arping` as glibc's `getopt` does (options may follow the
    /// destination; `-qc2` is `-q -c 2`; `--` ends the options). Errors are arping's own,
    /// in the order it meets them.
    pub fn parse(argv: &[String]) -> Result<Self, ArgError> {
        let mut a = ArpingArgs::new(Ipv4Addr::UNSPECIFIED);
        let mut source = None;
        let mut operands: Vec<&str> = Vec::new();
        let mut i = 0;
        while i < argv.len() {
            let w = argv[i].as_str();
            i += 1;
            if w == "--" {
                operands.extend(argv[i..].iter().map(String::as_str));
                break;
            }
            if !w.starts_with('-') || w == "-" {
                operands.push(w);
                continue;
            }
            for (at, c) in w.char_indices().skip(1) {
                match c {
                    'b' => a.broadcast_only = true,
                    'D' => {
                        a.dad = true;
                        a.quit_on_reply = true;
                    }
                    'U' => a.unsolicited = true,
                    'A' => {
                        a.advert = true;
                        a.unsolicited = true;
                    }
                    'q' => a.quiet = true,
                    'f' => a.quit_on_reply = true,
                    'c' | 'w' | 'i' | 's' | 'I' => {
                        let rest = &w[at + c.len_utf8()..];
                        let val = if !rest.is_empty() {
                            rest
                        } else if let Some(next) = argv.get(i) {
                            i += 1;
                            next.as_str()
                        } else {
                            return Err(ArgError::at(w, format!("arping: option requires an argument -- '{c}'"))
                                .hint(USAGE_HINT));
                        };
                        match c {
                            'c' => a.count = Some(strtol_or_err(val, 1)? as u32),
                            'w' => a.timeout = strtol_or_err(val, 0)? as u32,
                            'i' => a.interval = strtol_or_err(val, 0)? as u32,
                            's' => source = Some(val),
                            _ => a.device = Some(val.to_string()),
                        }
                        break;
                    }
                    'V' | 'h' => {
                        return Err(ArgError::at(w, format!("not supported yet: arping -{c}")).hint(USAGE_HINT));
                    }
                    _ => {
                        return Err(ArgError::at(w, format!("arping: invalid option -- '{c}'")).hint(USAGE_HINT));
                    }
                }
            }
        }
        let [target] = operands[..] else {
            let msg = if operands.is_empty() { "arping: no destination" } else { "arping: more than one destination" };
            return Err(ArgError::new(msg).hint(USAGE_HINT));
        };
        a.target = match inet_aton(target) {
            Some(t) => t,
            None => {
                return Err(ArgError::at(target, format!("not supported yet: arping {target} (a name to resolve)"))
                    .hint("give the destination as an IPv4 address"));
            }
        };
        if a.device.as_deref() == Some("") {
            a.device = None;
        }
        if let Some(s) = source {
            a.source = Some(inet_aton(s).ok_or_else(|| {
                ArgError::at(s, format!("arping: invalid source {s}")).hint("-s takes an IPv4 address")
            })?);
        }
        Ok(a)
    }
}

/// iputils' `strtol_or_err(optarg, "invalid argument", min, INT_MAX)`: C's `strtol` in
/// base 10 (leading blanks and a sign allowed), nothing after the digits.
fn strtol_or_err(s: &str, min: i64) -> Result<i64, ArgError> {
    let t = s.trim_start_matches([' ', '\t', '\n', '\x0b', '\x0c', '\r']);
    let (neg, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let bad = || ArgError::at(s, format!("arping: invalid argument: '{s}'"));
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let Ok(n) = digits.parse::<i64>() else {
        return Err(ArgError::at(s, format!("arping: invalid argument: '{s}': Numerical result out of range")));
    };
    let n = if neg { -n } else { n };
    if n < min || n > INT_MAX {
        return Err(ArgError::at(
            s,
            format!("arping: invalid argument: '{s}': out of range: {min} <= value <= {INT_MAX}"),
        ));
    }
    Ok(n)
}

/// glibc's `inet_aton`: one to four parts, each decimal, octal (`0…`) or hex (`0x…`), the
/// last one filling the remaining bytes; anything after a blank is ignored.
pub fn inet_aton(s: &str) -> Option<Ipv4Addr> {
    let b = s.as_bytes();
    let mut parts: Vec<u64> = Vec::with_capacity(4);
    let mut at = 0;
    let val = loop {
        if !b.get(at).is_some_and(u8::is_ascii_digit) {
            return None;
        }
        let (radix, start) = match (b[at], b.get(at + 1)) {
            (b'0', Some(b'x' | b'X')) if b.get(at + 2).is_some_and(u8::is_ascii_hexdigit) => (16, at + 2),
            (b'0', _) => (8, at),
            _ => (10, at),
        };
        let mut end = start;
        let mut v: u64 = 0;
        while let Some(d) = b.get(end).and_then(|&c| (c as char).to_digit(radix)) {
            v = v.checked_mul(u64::from(radix))?.checked_add(u64::from(d))?;
            end += 1;
        }
        at = end;
        if b.get(at) == Some(&b'.') {
            if parts.len() > 2 || v > 0xff {
                return None;
            }
            parts.push(v);
            at += 1;
        } else {
            break v;
        }
    };
    // C stops at a NUL; isspace() also takes a vertical tab.
    if b.get(at).is_some_and(|c| !c.is_ascii_whitespace() && *c != 0x0b && *c != 0) {
        return None;
    }
    let max = [0xffff_ffffu64, 0xff_ffff, 0xffff, 0xff][parts.len()];
    if val > max {
        return None;
    }
    let mut word = val as u32;
    for (k, p) in parts.iter().enumerate() {
        word |= (*p as u32) << (24 - 8 * k);
    }
    Some(Ipv4Addr::from(word))
}

/// A reply's time as `recv_pack` prints it, from the probe sent at `last` to `now` (both
/// `CLOCK_MONOTONIC`): whole µs, then `msecs = (usecs+500)/1000; usecs -= msecs*1000-500`,
/// printed `msecs.usecs` — so the RTT plus 500 µs, in ms with three decimals (43 µs prints
/// `0.543`). C's division truncates toward zero, also on a negative nanosecond difference.
pub fn fmt_elapsed(last: Instant, now: Instant) -> String {
    let split = |t: Instant| ((t.as_nanos() / 1_000_000_000) as i64, (t.as_nanos() % 1_000_000_000) as i64);
    let ((ls, ln), (ns, nn)) = (split(last), split(now));
    let mut usecs = (ns - ls) * 1_000_000 + (nn - ln + 500) / 1000;
    let msecs = (usecs + 500) / 1000;
    usecs -= msecs * 1000 - 500;
    format!("{msecs}.{usecs:03}")
}

/// `print_hex`: a hardware address in upper case.
fn hex(m: MacAddr) -> String {
    m.to_string().to_ascii_uppercase()
}

/// How the frame was addressed (`sll_pkttype`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PktType {
    Host,
    Broadcast,
    Multicast,
}

/// A running arping.
#[derive(Debug)]
pub struct Arping {
    args: ArpingArgs,
    ifindex: u32,
    /// `ctl->me`: our MAC.
    me: MacAddr,
    /// `ctl->he`: where probes go (broadcast, then the newest replier).
    he: MacAddr,
    /// `ctl->gsrc`: the ARP sender address.
    gsrc: Ipv4Addr,
    unicasting: bool,
    /// When the newest probe went (`ctl->last`).
    last: Option<Instant>,
    sent: u32,
    brd_sent: u32,
    received: u32,
    brd_recv: u32,
    req_recv: u32,
    /// Timer expirations so far, the first probe counting as one (`total_expires`).
    total_expires: u64,
    /// The interval timer's next expiry.
    next_tick: Option<Instant>,
    /// The `-w` timer's expiry.
    deadline: Option<Instant>,
    sock: Option<SocketId>,
    done: bool,
    rbuf: Vec<u8>,
}

/// The table of programs' `start`: an arping from its words.
pub fn start(argv: &[String], _input: &[String]) -> Result<Process, ArgError> {
    Ok(Box::new(Arping::new(ArpingArgs::parse(argv)?)))
}

impl Arping {
    /// An arping that has not started.
    pub fn new(args: ArpingArgs) -> Self {
        Arping {
            args,
            ifindex: 0,
            me: MacAddr::ZERO,
            he: MacAddr::BROADCAST,
            gsrc: Ipv4Addr::UNSPECIFIED,
            unicasting: false,
            last: None,
            sent: 0,
            brd_sent: 0,
            received: 0,
            brd_recv: 0,
            req_recv: 0,
            total_expires: 1,
            next_tick: None,
            deadline: None,
            sock: None,
            done: false,
            rbuf: Vec::new(),
        }
    }

    /// Probes sent, broadcast ones among them, and replies taken (a test reads them).
    pub fn counts(&self) -> (u32, u32, u32) {
        (self.sent, self.brd_sent, self.received)
    }

    fn fail(&mut self, sys: &mut Sys<'_, '_, '_>, msg: String, status: i32) {
        sys.stderr(msg);
        self.done = true;
        sys.exit(status);
    }

    /// `main` from the device check on, then the first probe of `event_loop`.
    fn begin(&mut self, sys: &mut Sys<'_, '_, '_>) {
        let a = self.args.clone();
        // guess_device: the route's output interface (RTM_GETROUTE; a refusal is an
        // NLMSG_ERROR, which arping reports this way and exits 1).
        let name = match &a.device {
            Some(d) => d.clone(),
            None => match sys.route(a.target, None, None).ok().and_then(|r| sys.ifname(r.ifindex).map(String::from)) {
                Some(n) => n,
                None => return self.fail(sys, "arping: NETLINK_ROUTE unexpected iov element".into(), 1),
            },
        };
        // check_device / check_ifflags.
        let Some(ifindex) = sys.ifindex(&name) else {
            return self.fail(sys, format!("arping: Device {name} not available."), 2);
        };
        // IFF_UP: the limited broadcast routes out of a device bound to only when it is up.
        if sys.route(Ipv4Addr::BROADCAST, None, Some(ifindex)).is_err() {
            return self.stop_early(sys, format!("Interface \"{name}\" is down"), 2);
        }
        let me = sys.ifmac(ifindex).unwrap_or_default();
        // IFF_LOOPBACK: only the loopback device has no hardware address.
        if me.is_zero() {
            return self.stop_early(sys, format!("Interface \"{name}\" is not ARPable"), if a.dad { 0 } else { 2 });
        }
        let mut gsrc = a.source.unwrap_or(Ipv4Addr::UNSPECIFIED);
        if !a.dad && a.unsolicited && a.source.is_none() {
            gsrc = a.target;
        }
        if !a.dad || a.source.is_some() {
            if a.source.is_some() || !gsrc.is_unspecified() {
                // bind(): an address of ours, a broadcast or multicast one, or INADDR_ANY.
                let ok =
                    gsrc.is_unspecified() || gsrc.is_multicast() || sys.is_local_addr(gsrc) || sys.is_broadcast(gsrc);
                if !ok {
                    return self.fail(sys, "arping: bind: Cannot assign requested address".into(), 2);
                }
            } else if !a.dad && !a.unsolicited {
                // connect() with SO_BINDTODEVICE; with no route the kernel takes the
                // destination as on-link and the device's address as the source.
                gsrc = match sys.route(a.target, None, Some(ifindex)) {
                    Ok(r) => r.src,
                    Err(_) => sys.ifaddrs(ifindex).next().map_or(Ipv4Addr::UNSPECIFIED, |(ip, _)| ip),
                };
            }
        }
        self.ifindex = ifindex;
        self.me = me;
        self.gsrc = gsrc;
        if !a.quiet {
            sys.stdout(format!("ARPING {} from {gsrc} {name}", a.target));
        }
        if a.source.is_none() && gsrc.is_unspecified() && !a.dad {
            return self.fail(sys, "arping: no source address in not-DAD mode".into(), 2);
        }
        self.sock = Some(sys.socket(SocketKind::Packet { ifindex }));
        let now = sys.now();
        if a.interval > 0 {
            self.next_tick = Some(now + Duration::from_secs(u64::from(a.interval)));
        }
        if a.timeout > 0 {
            self.deadline = Some(now + Duration::from_secs(u64::from(a.timeout)));
        }
        self.send_pack(sys);
    }

    /// `check_ifflags`' way out: a line on stdout (unless `-q`) and an exit.
    fn stop_early(&mut self, sys: &mut Sys<'_, '_, '_>, line: String, status: i32) {
        if !self.args.quiet {
            sys.stdout(line);
        }
        self.done = true;
        sys.exit(status);
    }

    /// `send_pack`: a request (a reply with `-A`) to `he`.
    fn send_pack(&mut self, sys: &mut Sys<'_, '_, '_>) {
        let a = &self.args;
        let body = Arp {
            op: if a.advert { arp::REPLY } else { arp::REQUEST },
            sha: self.me,
            spa: self.gsrc,
            tha: if a.advert { self.me } else { self.he },
            tpa: a.target,
        };
        sys.send_frame(self.ifindex, self.he, ethertype::ARP, &body.to_bytes());
        self.last = Some(sys.now());
        self.sent += 1;
        if !self.unicasting {
            self.brd_sent += 1;
        }
    }

    /// `recv_pack`: true when arping is done (`FINAL_PACKS`).
    fn recv_pack(&mut self, sys: &mut Sys<'_, '_, '_>, pkt: PktType, payload: &[u8]) -> bool {
        // Parsing checks what recv_pack checks: Ethernet/IPv4, a request or a reply.
        let Some(p) = Arp::parse(payload) else { return false };
        let a = &self.args;
        if !a.dad {
            if p.spa != a.target || p.tpa != self.gsrc || p.tha != self.me {
                return false;
            }
        } else if p.spa != a.target || p.sha == self.me || (!self.gsrc.is_unspecified() && self.gsrc != p.tpa) {
            return false;
        }
        if !a.quiet {
            let kind = if pkt == PktType::Host { "Unicast" } else { "Broadcast" };
            let op = if p.op == arp::REPLY { "reply" } else { "request" };
            let mut line = format!("{kind} {op} from {} [{}] ", p.spa, hex(p.sha));
            let mut s_printed = false;
            if p.tpa != self.gsrc {
                line.push_str(&format!("for {} ", p.tpa));
                s_printed = true;
            }
            if p.tha != self.me {
                if !s_printed {
                    line.push_str("for ");
                }
                line.push_str(&format!("[{}]", hex(p.tha)));
            }
            match self.last {
                Some(last) => line.push_str(&format!(" {}ms", fmt_elapsed(last, sys.now()))),
                None => line.push_str(" UNSOLICITED?"),
            }
            sys.stdout(line);
        }
        self.received += 1;
        if a.timeout > 0 && a.count == Some(self.received) {
            return true;
        }
        if pkt != PktType::Host {
            self.brd_recv += 1;
        }
        if p.op == arp::REQUEST {
            self.req_recv += 1;
        }
        if a.quit_on_reply {
            return true;
        }
        if !a.broadcast_only {
            self.he = p.sha;
            self.unicasting = true;
        }
        false
    }

    /// `finish` and the end of `event_loop`: the summary and the exit status.
    fn finish(&mut self, sys: &mut Sys<'_, '_, '_>) {
        let a = &self.args;
        if !a.quiet {
            sys.stdout(format!("Sent {} probes ({} broadcast(s))", self.sent, self.brd_sent));
            let mut line = format!("Received {} response(s)", self.received);
            if self.brd_recv > 0 || self.req_recv > 0 {
                line.push_str(" (");
                if self.req_recv > 0 {
                    line.push_str(&format!("{} request(s)", self.req_recv));
                }
                if self.brd_recv > 0 {
                    let sep = if self.req_recv > 0 { ", " } else { "" };
                    line.push_str(&format!("{sep}{} broadcast(s)", self.brd_recv));
                }
                line.push(')');
            }
            sys.stdout(line);
        }
        let mut rc = if a.dad {
            i32::from(self.received > 0)
        } else if a.unsolicited {
            0
        } else {
            i32::from(self.received == 0)
        };
        if a.unsolicited {
        } else if a.dad && a.quit_on_reply {
            rc |= i32::from(self.brd_sent == self.received);
        } else if a.timeout > 0 && a.count.is_none() {
            rc |= i32::from(self.received == 0);
        } else {
            rc |= i32::from(self.sent != self.received);
        }
        self.done = true;
        self.next_tick = None;
        self.deadline = None;
        sys.exit(rc);
    }
}

impl Program for Arping {
    fn name(&self) -> &'static str {
        "arping"
    }
    fn start(&mut self, sys: &mut Sys<'_, '_, '_>) {
        self.begin(sys);
    }
    fn on_timeout(&mut self, sys: &mut Sys<'_, '_, '_>) {
        if self.done {
            return;
        }
        let now = sys.now();
        let mut exit_loop = false;
        // poll() reports the interval timer before the -w timer.
        if let Some(t) = self.next_tick.filter(|t| *t <= now) {
            self.next_tick = Some(t + Duration::from_secs(u64::from(self.args.interval)));
            self.total_expires += 1;
            if self.args.count.is_some_and(|c| u64::from(c) < self.total_expires) {
                exit_loop = true;
            } else {
                self.send_pack(sys);
            }
        }
        if self.deadline.is_some_and(|t| t <= now) {
            exit_loop = true;
        }
        if exit_loop {
            self.finish(sys);
        }
    }
    fn poll_timeout(&self) -> Option<Instant> {
        match (self.next_tick, self.deadline) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
    fn on_ready(&mut self, sys: &mut Sys<'_, '_, '_>, sock: SocketId) {
        let mut buf = std::mem::take(&mut self.rbuf);
        while !self.done
            && let Some(m) = sys.recv(sock, &mut buf)
        {
            // A packet socket bound to ETH_P_ARP on our device: ARP frames only.
            let Meta::Frame { ifindex } = m else { continue };
            if ifindex != self.ifindex || buf.len() < 14 || u16::from_be_bytes([buf[12], buf[13]]) != ethertype::ARP {
                continue;
            }
            let dst = MacAddr::from_slice(&buf).unwrap_or_default();
            let pkt = if dst.is_broadcast() {
                PktType::Broadcast
            } else if dst.is_multicast() {
                PktType::Multicast
            } else {
                // The stack hands a packet socket only the unicast frames it takes as ours.
                PktType::Host
            };
            if self.recv_pack(sys, pkt, &buf[14..]) {
                self.finish(sys);
            }
        }
        self.rbuf = buf;
    }
    fn interrupt(&mut self, sys: &mut Sys<'_, '_, '_>) {
        if !self.done {
            self.finish(sys);
        }
    }
    crate::proc::any_program!();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    fn parse(s: &str) -> Result<ArpingArgs, ArgError> {
        ArpingArgs::parse(&words(s))
    }

    #[test]
    fn options_read_as_getopt_reads_them() {
        let a = parse("-c 3 -I veth0 10.0.0.2").unwrap();
        assert_eq!((a.count, a.device.as_deref(), a.target), (Some(3), Some("veth0"), Ipv4Addr::new(10, 0, 0, 2)));
        // Clustered flags, an attached argument, options after the destination.
        let b = parse("10.0.0.2 -qDc2 -Iveth0").unwrap();
        assert!(b.quiet && b.dad && b.quit_on_reply);
        assert_eq!((b.count, b.device.as_deref()), (Some(2), Some("veth0")));
        let c = parse("-A -w 5 -i 0 -b -s 10.0.0.1 -- 10.0.0.1").unwrap();
        assert!(c.advert && c.unsolicited && c.broadcast_only);
        assert_eq!((c.timeout, c.interval, c.source), (5, 0, Some(Ipv4Addr::new(10, 0, 0, 1))));
        assert_eq!(parse("-c +4 10.0.0.2").map(|a| a.count), Ok(Some(4)));
        assert_eq!(ArpingArgs::parse(&["-I".into(), String::new(), "1.2.3.4".into()]).unwrap().device, None);
    }

    #[test]
    fn argument_errors_are_arpings_own() {
        let msg = |s: &str| parse(s).unwrap_err().message;
        assert_eq!(msg("-c 0 10.0.0.2"), "arping: invalid argument: '0': out of range: 1 <= value <= 2147483647");
        assert_eq!(msg("-c abc 10.0.0.2"), "arping: invalid argument: 'abc'");
        assert_eq!(msg("-c 3x 10.0.0.2"), "arping: invalid argument: '3x'");
        assert_eq!(msg("-w -1 10.0.0.2"), "arping: invalid argument: '-1': out of range: 0 <= value <= 2147483647");
        assert_eq!(
            msg("-c 99999999999999999999 10.0.0.2"),
            "arping: invalid argument: '99999999999999999999': Numerical result out of range"
        );
        assert_eq!(msg("-x 10.0.0.2"), "arping: invalid option -- 'x'");
        assert_eq!(msg("--count 10.0.0.2"), "arping: invalid option -- '-'");
        assert_eq!(msg("10.0.0.2 -c"), "arping: option requires an argument -- 'c'");
        assert_eq!(msg("-V"), "not supported yet: arping -V");
        assert_eq!(msg("-h 10.0.0.2"), "not supported yet: arping -h");
        assert_eq!(msg(""), "arping: no destination");
        assert_eq!(msg("10.0.0.2 10.0.0.3"), "arping: more than one destination");
        assert_eq!(msg("-s nowhere 10.0.0.2"), "arping: invalid source nowhere");
        let e = parse("-c 1 gateway.example").unwrap_err();
        assert_eq!(e.message, "not supported yet: arping gateway.example (a name to resolve)");
        assert_eq!(e.word.as_deref(), Some("gateway.example"));
        assert!(e.hint.is_some());
        // Odd words never panic.
        for s in ["-", "-c", "-\u{e9}", "-c\u{e9}", "\u{e9}", "-I", "-- -c"] {
            let _ = parse(s);
        }
    }

    #[test]
    fn addresses_read_as_inet_aton_reads_them() {
        let ip = Ipv4Addr::new;
        assert_eq!(inet_aton("10.0.0.2"), Some(ip(10, 0, 0, 2)));
        assert_eq!(inet_aton("10.2"), Some(ip(10, 0, 0, 2)));
        assert_eq!(inet_aton("10.1.258"), Some(ip(10, 1, 1, 2)));
        assert_eq!(inet_aton("0x0a.010.0.1"), Some(ip(10, 8, 0, 1)));
        assert_eq!(inet_aton("167772162"), Some(ip(10, 0, 0, 2)));
        assert_eq!(inet_aton("10.0.0.2 trailing"), Some(ip(10, 0, 0, 2)));
        for bad in ["", "10.0.0.256", "1.2.3.4.5", "08", "0x", "a.b.c.d", "10.0.0.2x", "10..2", "4294967296", "-1"] {
            assert_eq!(inet_aton(bad), None, "{bad}");
        }
    }

    #[test]
    fn reply_time_is_the_rtt_plus_half_a_millisecond() {
        let t = |s: u64, ns: u64| Instant::from_nanos(s * 1_000_000_000 + ns);
        assert_eq!(fmt_elapsed(t(5, 0), t(5, 43_000)), "0.543");
        assert_eq!(fmt_elapsed(t(5, 0), t(5, 0)), "0.500");
        assert_eq!(fmt_elapsed(t(5, 0), t(5, 499_000)), "0.999");
        assert_eq!(fmt_elapsed(t(5, 0), t(5, 500_000)), "1.000");
        assert_eq!(fmt_elapsed(t(5, 0), t(5, 600_000)), "1.100");
        assert_eq!(fmt_elapsed(t(5, 0), t(6, 250_000_000)), "1250.500");
        // Sub-µs rounding, and C's truncation of a negative nanosecond difference.
        assert_eq!(fmt_elapsed(t(5, 0), t(5, 43_499)), "0.543");
        assert_eq!(fmt_elapsed(t(5, 0), t(5, 43_500)), "0.544");
        assert_eq!(fmt_elapsed(t(1, 999_999_000), t(2, 100)), "0.502");
    }

    #[test]
    fn start_makes_an_arping_or_refuses() {
        let p = start(&words("-c 1 -I veth0 192.0.2.2"), &[]).unwrap();
        assert_eq!(p.name(), "arping");
        assert!(p.as_any().downcast_ref::<Arping>().is_some_and(|a| a.counts() == (0, 0, 0)));
        assert!(start(&words("-c 1"), &[]).is_err());
    }
}
