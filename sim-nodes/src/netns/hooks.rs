//! Where netfilter meets the stack: conntrack and NAT at PREROUTING/OUTPUT (destination)
//! and POSTROUTING/INPUT (source), the filter chains INPUT/FORWARD/OUTPUT, confirmation
//! (and `[NEW]`) when a first packet leaves the hooks alive, and events to `conntrack -E`.
//!
//! Both families pass the same hooks: a packet's first nibble says whose tables
//! (`iptables`' or `ip6tables`') it meets; connections of both live in one conntrack
//! table, as in the kernel.
//!
//! Conntrack runs in a namespace only while some rule of the packet's family needs it (a
//! NAT rule or a state match), as the kernel registers its hooks only then.

use super::{Netns, TimerKey};
use crate::netfilter::Family;
use crate::netfilter::cli::TableId;
use crate::netfilter::conntrack::{Dir, Timeouts, Tuple};
use crate::netfilter::nat::{self, Manip, Seen};
use crate::netfilter::rule::{Pkt, Target, ct};
use crate::netfilter::table::{Decided, Verdict};
use crate::netfilter::tcp;
use sim_core::{Context, Instant, Stream};
use std::net::{IpAddr, Ipv4Addr};

/// The family of an IP packet (its version nibble).
pub(crate) fn family_of(p: &[u8]) -> Family {
    if p.first().is_some_and(|v| v >> 4 == 6) { Family::V6 } else { Family::V4 }
}

/// True when `pkt` (a whole datagram, header first) is TCP, UDP, ICMP or ICMPv6 whose
/// checksum does not add up: what conntrack's `tcp_error`, `udp_error`, `icmp_error` and
/// `icmpv6_error` find with `nf_checksum` in PREROUTING, over the rest of the packet from
/// the L4 header on. A UDP checksum of 0 is "no checksum" to conntrack, in both families.
fn l4_checksum_bad(pkt: &[u8]) -> bool {
    use crate::wire::{checksum, checksum_with, pseudo_header_sum};
    if family_of(pkt) == Family::V6 {
        let Some((at, next)) = nat::l4_of6(pkt) else { return false };
        let end = (40 + usize::from(u16::from_be_bytes([pkt[4], pkt[5]]))).min(pkt.len());
        let Some(body) = pkt.get(at..end) else { return false };
        return match next {
            17 if body.get(6..8) == Some(&[0, 0]) => false,
            6 | 17 | 58 => {
                let (src, dst) = (super::ipv6::packet::addr(pkt, 8), super::ipv6::packet::addr(pkt, 24));
                super::ipv6::packet::checksum6(src, dst, next, body) != 0
            }
            _ => false,
        };
    }
    // A fragment (reassembly did not run before this hook) has no whole L4 to sum.
    if pkt.len() < 20 || u16::from_be_bytes([pkt[6], pkt[7]]) & (crate::wire::IP_MF | crate::wire::IP_OFFSET) != 0 {
        return false;
    }
    let ihl = usize::from(pkt[0] & 0x0f) * 4;
    let end = usize::from(u16::from_be_bytes([pkt[2], pkt[3]])).min(pkt.len());
    let Some(body) = pkt.get(ihl..end) else { return false };
    let (src, dst) =
        (Ipv4Addr::new(pkt[12], pkt[13], pkt[14], pkt[15]), Ipv4Addr::new(pkt[16], pkt[17], pkt[18], pkt[19]));
    match pkt[9] {
        17 if body.get(6..8) == Some(&[0, 0]) => false,
        p @ (6 | 17) => checksum_with(pseudo_header_sum(src, dst, p, body.len()), body) != 0,
        1 => checksum(body) != 0,
        _ => false,
    }
}

/// A packet's connection, as the hooks pass it along.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct CtRef {
    /// The connection.
    pub id: u64,
    /// Which way this packet goes in it.
    pub dir: Dir,
    /// The packet made the connection (not yet confirmed).
    pub new: bool,
    /// An ICMP error about the connection.
    pub related: bool,
}

/// What the hooks decided about a packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Tracked {
    /// Its connection, if tracked.
    pub ct: Option<CtRef>,
    /// Its state for `--ctstate`.
    pub state: u8,
}

/// A packet the hooks dropped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Dropped;

/// An interface's name, borrowed (the hooks run per packet: no copies).
fn if_name(ifaces: &std::collections::BTreeMap<u32, Box<super::iface::Iface>>, ix: Option<u32>) -> Option<&str> {
    ix.and_then(|i| ifaces.get(&i)).map(|i| i.name.as_str())
}

fn pkt_view<'a>(p: &[u8], in_if: Option<&'a str>, out_if: Option<&'a str>, state: u8, now: Instant) -> Pkt<'a> {
    if family_of(p) == Family::V6 {
        return pkt_view6(p, in_if, out_if, state, now);
    }
    let ihl = usize::from(p[0] & 0x0f) * 4;
    let proto = p[9];
    // A fragment after the first has no transport header: no port or ICMP type matches it
    // (xt_tcpudp and xt_icmp refuse a non-zero fragment offset).
    let later_fragment = u16::from_be_bytes([p[6], p[7]]) & crate::wire::IP_OFFSET != 0;
    let l4 = if later_fragment { &[][..] } else { p.get(ihl..).unwrap_or_default() };
    let ports = (matches!(proto, 6 | 17) && l4.len() >= 4)
        .then(|| (u16::from_be_bytes([l4[0], l4[1]]), u16::from_be_bytes([l4[2], l4[3]])));
    Pkt {
        in_if,
        out_if,
        src: IpAddr::V4(Ipv4Addr::new(p[12], p[13], p[14], p[15])),
        dst: IpAddr::V4(Ipv4Addr::new(p[16], p[17], p[18], p[19])),
        proto,
        sport: ports.map(|x| x.0),
        dport: ports.map(|x| x.1),
        icmp: (proto == 1 && l4.len() >= 2).then(|| (l4[0], l4[1])),
        state,
        len: p.len(),
        now,
    }
}

/// [`pkt_view`] of an IPv6 packet: the protocol is the transport's, past the extension
/// headers (as `-p` matches it); a fragment shows no ports.
fn pkt_view6<'a>(p: &[u8], in_if: Option<&'a str>, out_if: Option<&'a str>, state: u8, now: Instant) -> Pkt<'a> {
    let a = |at: usize| IpAddr::V6(crate::netns::ipv6::packet::addr(p, at));
    let (at, proto) = nat::l4_of6(p).unwrap_or((p.len(), p.get(6).copied().unwrap_or(0)));
    let l4 = p.get(at..).unwrap_or_default();
    let ports = (matches!(proto, 6 | 17) && l4.len() >= 4)
        .then(|| (u16::from_be_bytes([l4[0], l4[1]]), u16::from_be_bytes([l4[2], l4[3]])));
    Pkt {
        in_if,
        out_if,
        src: a(8),
        dst: a(24),
        proto,
        sport: ports.map(|x| x.0),
        dport: ports.map(|x| x.1),
        icmp: (proto == 58 && l4.len() >= 2).then(|| (l4[0], l4[1])),
        state,
        len: p.len(),
        now,
    }
}

impl Netns {
    /// True while IPv4's hooks run here.
    pub(crate) fn nf_active(&self) -> bool {
        self.nf.tables.tracking() || self.nf.tables.filter.active
    }

    /// True while IPv6's hooks run here (`ip6tables` made a table).
    pub(crate) fn nf6_active(&self) -> bool {
        self.nf.tables6.tracking() || self.nf.tables6.filter.active
    }

    /// The timeouts from the sysctls (read again only after a sysctl write).
    fn timeouts(&mut self) -> Timeouts {
        let generation = self.sysctl.generation();
        if let Some((g, t)) = self.nf.timeouts
            && g == generation
        {
            return t;
        }
        let n = |k: &str| self.sysctl.num(k).max(1) as u64;
        let t = Timeouts {
            udp: n("net.netfilter.nf_conntrack_udp_timeout"),
            udp_stream: n("net.netfilter.nf_conntrack_udp_timeout_stream"),
            icmp: n("net.netfilter.nf_conntrack_icmp_timeout"),
            icmpv6: n("net.netfilter.nf_conntrack_icmpv6_timeout"),
            generic: n("net.netfilter.nf_conntrack_generic_timeout"),
            tcp: tcp::Timeouts {
                syn_sent: n("net.netfilter.nf_conntrack_tcp_timeout_syn_sent"),
                syn_recv: n("net.netfilter.nf_conntrack_tcp_timeout_syn_recv"),
                established: n("net.netfilter.nf_conntrack_tcp_timeout_established"),
                fin_wait: n("net.netfilter.nf_conntrack_tcp_timeout_fin_wait"),
                close_wait: n("net.netfilter.nf_conntrack_tcp_timeout_close_wait"),
                last_ack: n("net.netfilter.nf_conntrack_tcp_timeout_last_ack"),
                time_wait: n("net.netfilter.nf_conntrack_tcp_timeout_time_wait"),
                close: n("net.netfilter.nf_conntrack_tcp_timeout_close"),
                unacknowledged: n("net.netfilter.nf_conntrack_tcp_timeout_unacknowledged"),
            },
        };
        self.nf.timeouts = Some((generation, t));
        t
    }

    /// Conntrack and destination NAT (PREROUTING for received packets, OUTPUT for our own).
    pub(crate) fn nf_pre(
        &mut self,
        cx: &mut Context<'_>,
        pkt: &mut [u8],
        in_if: Option<u32>,
        out_if: Option<u32>,
    ) -> Result<Tracked, Dropped> {
        let fam = family_of(pkt);
        if !self.nf.tables(fam).tracking() {
            return Ok(Tracked { ct: None, state: ct::UNTRACKED });
        }
        if fam == Family::V6 && nat::l4_of6(pkt).is_some_and(|(_, next)| next == 44) {
            // A fragment header behind other extension headers: `nf_defrag_ipv6` would put
            // the packet together; nslab's reassembly reads it right after the fixed header.
            let why = "not supported yet: an ipv6 fragment behind extension headers, through conntrack";
            self.drop_ip(cx, in_if.or(out_if), why, pkt, |_, _| {});
            return Err(Dropped);
        }
        let now = cx.now();
        let to = self.timeouts();
        // nf_conntrack_checksum: in PREROUTING, a packet whose checksum the device did not
        // vouch for is summed, and a bad one is INVALID — untracked, never NATed.
        let bad_sum =
            in_if.is_some() && self.sysctl.hot().nf_conntrack_checksum && !cx.rx_csum_partial() && l4_checksum_bad(pkt);
        let seen = if bad_sum { Seen::Invalid } else { nat::classify(pkt) };
        let (ctr, state) = match seen {
            Seen::Untracked => (None, ct::UNTRACKED),
            Seen::Flow(t, can_new) => self.track_flow(pkt, t, can_new, now, &to),
            // As `icmp_error_message`: the packet inside, inverted, is a tuple of the
            // connection, and its direction is the error's.
            Seen::Error(inner) => match self.nf.ct.find(&inner.invert()) {
                Some((id, dir)) => (Some(CtRef { id, dir, new: false, related: true }), ct::RELATED),
                None => (None, ct::INVALID),
            },
            Seen::Invalid => (None, ct::INVALID),
        };
        if let Some(c) = ctr {
            if c.new && self.nf.ct.get(c.id).is_some_and(|e| !e.dnat_done) {
                let chain = if in_if.is_some() { "PREROUTING" } else { "OUTPUT" };
                let (i, o) = (if_name(&self.ifaces, in_if), if_name(&self.ifaces, out_if));
                let view = pkt_view(pkt, i, o, state, cx.now());
                let (v, at) = self.nf.tables_mut(fam).nat.eval(chain, &view, &mut |_| {});
                let to = match v {
                    Verdict::Nat(Target::Dnat { to, ports }) => Some((Some(to), ports)),
                    Verdict::Nat(Target::Redirect { ports }) => Some((self.redirect_to(pkt, in_if), ports)),
                    _ => None,
                };
                match v {
                    Verdict::Nat(Target::Dnat { .. } | Target::Redirect { .. }) => {
                        let Some((Some(to), ports)) = to else {
                            // `nf_nat_redirect`: no address on the interface, NF_DROP.
                            self.nf.ct.discard(c.id);
                            self.drop_ip(cx, in_if.or(out_if), "REDIRECT: no address here", pkt, |ns, c| {
                                ns.nf_decided(c, fam, TableId::Nat, at)
                            });
                            return Err(Dropped);
                        };
                        if let Some(e) = self.nf.ct.get(c.id) {
                            let r = nat::dnat_reply(&e.orig, to, ports.map(|p| p.0));
                            self.nf.ct.set_reply(c.id, r);
                        }
                    }
                    Verdict::Drop | Verdict::Reject(_) => {
                        self.nf.ct.discard(c.id);
                        self.drop_ip(cx, in_if.or(out_if), "iptables nat: dropped", pkt, |ns, c| {
                            ns.nf_decided(c, fam, TableId::Nat, at)
                        });
                        return Err(Dropped);
                    }
                    _ => {}
                }
                let bound = self.nf.tables(fam).nat.active;
                if let Some(e) = self.nf.ct.get_mut(c.id) {
                    e.dnat_done = true;
                    e.nat_bound |= bound;
                }
            }
            if let Some(e) = self.nf.ct.get(c.id) {
                if c.related {
                    nat::apply_error(pkt, e, c.dir, Manip::Dst);
                } else {
                    nat::apply(pkt, e, c.dir, Manip::Dst);
                }
            }
            self.conntrack_deadline();
        }
        Ok(Tracked { ct: ctr, state })
    }

    /// Finds or makes the connection of a packet of flow `t` (`can_new`: it may start one).
    fn track_flow(&mut self, pkt: &[u8], t: Tuple, can_new: bool, now: Instant, to: &Timeouts) -> (Option<CtRef>, u8) {
        let seg = if t.proto == 6 {
            // `tcp_error`: a broken header is INVALID before any lookup.
            let (at, total) = if family_of(pkt) == Family::V6 {
                let end = 40 + usize::from(u16::from_be_bytes([pkt[4], pkt[5]]));
                (nat::l4_of6(pkt).map_or(pkt.len(), |(at, _)| at), end.min(pkt.len()))
            } else {
                let total = usize::from(u16::from_be_bytes([pkt[2], pkt[3]])).min(pkt.len());
                (usize::from(pkt[0] & 0x0f) * 4, total)
            };
            match pkt.get(at..total).and_then(tcp::Segment::parse) {
                Some(s) => Some(s),
                None => return (None, ct::INVALID),
            }
        } else {
            None
        };
        if let Some((id, dir)) = self.nf.ct.find(&t) {
            let Some(seg) = seg else {
                self.nf.ct.seen(id, dir, now, to);
                return (Some(CtRef { id, dir, new: false, related: false }), self.ct_state(id, dir));
            };
            match self.nf.ct.seen_tcp(id, dir, now, to, &seg) {
                tcp::Outcome::Invalid => return (None, ct::INVALID),
                tcp::Outcome::Tracked { .. } => {
                    return (Some(CtRef { id, dir, new: false, related: false }), self.ct_state(id, dir));
                }
                // Reopening a closed connection: the old one goes, the SYN starts anew.
                tcp::Outcome::Reopen => {
                    self.nf.ct.kill(id, now);
                    self.nf.ct.purge_dying(Some(id));
                }
            }
        }
        if !can_new {
            return (None, ct::INVALID);
        }
        let loose = self.sysctl.hot().nf_conntrack_tcp_loose;
        if seg.is_some_and(|s| !tcp::Track::may_start(&s, loose)) {
            return (None, ct::INVALID);
        }
        let timeout = match t.proto {
            1 => to.icmp,
            58 => to.icmpv6,
            17 => to.udp,
            _ => to.generic,
        };
        let id = self.nf.ct.create(t, now, timeout);
        if let Some(seg) = seg {
            self.nf.ct.seen_tcp(id, Dir::Orig, now, to, &seg);
        }
        (Some(CtRef { id, dir: Dir::Orig, new: true, related: false }), ct::NEW)
    }

    /// `--ctstate` of a packet of a known connection.
    fn ct_state(&self, id: u64, dir: Dir) -> u8 {
        let seen = self.nf.ct.get(id).is_some_and(|e| e.seen_reply);
        if dir == Dir::Reply || seen { ct::ESTABLISHED } else { ct::NEW }
    }

    /// A filter chain (`INPUT`, `FORWARD`, `OUTPUT`) for `pkt`. On a drop the packet's new
    /// connection is forgotten (no event), and REJECT answers.
    pub(crate) fn nf_filter(
        &mut self,
        cx: &mut Context<'_>,
        chain: &str,
        pkt: &[u8],
        in_if: Option<u32>,
        out_if: Option<u32>,
        t: &Tracked,
    ) -> Result<(), Dropped> {
        let fam = family_of(pkt);
        if !self.nf.tables(fam).filter.active {
            return Ok(());
        }
        let (i, o) = (if_name(&self.ifaces, in_if), if_name(&self.ifaces, out_if));
        let view = pkt_view(pkt, i, o, t.state, cx.now());
        let mut logs = Vec::new();
        let (v, at) = self.nf.tables_mut(fam).filter.eval(chain, &view, &mut |p| logs.push(p.to_string()));
        for prefix in logs {
            let line = format!(
                "{prefix}IN={} OUT={} SRC={} DST={} LEN={} PROTO={}",
                i.unwrap_or(""),
                o.unwrap_or(""),
                view.src,
                view.dst,
                view.len,
                crate::netfilter::cli::proto_name(view.proto)
                    .map(str::to_uppercase)
                    .unwrap_or_else(|| view.proto.to_string())
            );
            cx.output(&self.name, 0, Stream::Stderr, format!("kernel: {line}"));
        }
        match v {
            Verdict::Accept | Verdict::Nat(_) => Ok(()),
            Verdict::Drop => {
                self.nf_forget(t);
                self.drop_ip(cx, in_if.or(out_if), "iptables: DROP", pkt, |ns, c| {
                    ns.nf_decided(c, fam, TableId::Filter, at);
                    if ns.nf.tables(fam).tracking() {
                        Self::nf_state_note(c, t.state);
                    }
                });
                Err(Dropped)
            }
            Verdict::Reject(w) => {
                self.nf_forget(t);
                let sent = match fam {
                    Family::V4 => self.icmp_error(cx, pkt, crate::netns::icmp::kind::DEST_UNREACH, w.code(), 0),
                    Family::V6 => self.icmp6_error(cx, pkt, 1, w.code(), 0),
                };
                self.drop_ip(cx, in_if.or(out_if), "iptables: REJECT", pkt, |ns, c| {
                    ns.nf_decided(c, fam, TableId::Filter, at);
                    if ns.nf.tables(fam).tracking() {
                        Self::nf_state_note(c, t.state);
                    }
                    c.icmp = sent.then_some(w.name());
                });
                Err(Dropped)
            }
        }
    }

    /// Names the table, chain and rule `at` of a verdict in a drop's context, and the rule
    /// as `iptables -S` prints it (or the chain's policy).
    fn nf_decided(&self, c: &mut sim_core::DropContext, fam: Family, table: TableId, at: Decided) {
        let t = self.nf.tables(fam).table(table);
        c.table = Some(if table == TableId::Nat { "nat" } else { "filter" });
        c.chain = t.chain_name(at).map(str::to_string);
        c.rule = at.rule;
        let chain = t.chains.get(at.chain);
        c.spec = match (chain, at.rule) {
            (Some(ch), Some(n)) => ch
                .rules
                .get(n as usize - 1)
                .map(|(r, _)| format!("-A {}{}", ch.name, crate::netfilter::show::rule_spec(r))),
            (Some(ch), None) => Some(format!("-P {} DROP", ch.name)),
            _ => None,
        };
    }

    /// The conntrack state a filter rule saw, in iptables' words, for a drop's context.
    fn nf_state_note(c: &mut sim_core::DropContext, state: u8) {
        let names: Vec<&str> = ct::NAMES.iter().filter(|(b, _)| state & b != 0).map(|(_, n)| *n).collect();
        if !names.is_empty() {
            c.note = Some(format!("conntrack state {}", names.join(",")));
        }
    }

    /// ip6tables' OUTPUT for a message the stack makes itself — neighbour discovery, MLD,
    /// router solicitations (`ndisc_send_skb`, `mld_sendpack` pass `NF_INET_LOCAL_OUT`):
    /// untracked, so only the filter table decides. False when it drops it.
    pub(crate) fn nd_output_ok(&mut self, cx: &mut Context<'_>, ifindex: u32, pkt: &[u8]) -> bool {
        if !self.nf.tables6.filter.active {
            return true;
        }
        let t = Tracked { ct: None, state: ct::UNTRACKED };
        self.nf_filter(cx, "OUTPUT", pkt, None, Some(ifindex), &t).is_ok()
    }

    /// Where REDIRECT sends a packet (`nf_nat_redirect_ipv4`/`_ipv6`): our own packets to
    /// the loopback address; a received one to the first address of the interface it came
    /// in on (for IPv6, the first usable one of the destination's scope, link-local or
    /// not). `None`: the interface has none.
    fn redirect_to(&self, pkt: &[u8], in_if: Option<u32>) -> Option<IpAddr> {
        let v6 = family_of(pkt) == Family::V6;
        let Some(i) = in_if.and_then(|i| self.ifaces.get(&i)) else {
            return Some(if v6 { IpAddr::V6(std::net::Ipv6Addr::LOCALHOST) } else { IpAddr::V4(Ipv4Addr::LOCALHOST) });
        };
        if !v6 {
            return i.addrs.first().map(|a| IpAddr::V4(a.addr));
        }
        let link = crate::netns::ipv6::packet::addr(pkt, 24).is_unicast_link_local();
        i.v6.addrs.iter().find(|a| !a.tentative && a.addr.is_unicast_link_local() == link).map(|a| IpAddr::V6(a.addr))
    }

    pub(crate) fn nf_forget(&mut self, t: &Tracked) {
        if let Some(c) = t.ct {
            if c.new {
                self.nf.ct.discard(c.id);
            }
            self.nf.ct.purge_dying(Some(c.id));
        }
    }

    /// Source NAT (POSTROUTING for packets leaving by `out_if` to `nexthop`, INPUT for
    /// ours), then confirmation: the connection is in the table and `[NEW]` reported.
    pub(crate) fn nf_post(
        &mut self,
        cx: &mut Context<'_>,
        pkt: &mut [u8],
        in_if: Option<u32>,
        out_if: Option<u32>,
        nexthop: IpAddr,
        t: &Tracked,
    ) -> Result<(), Dropped> {
        let Some(c) = t.ct else {
            self.deliver_ct_events(cx);
            return Ok(());
        };
        let fam = family_of(pkt);
        if c.new && self.nf.ct.get(c.id).is_some_and(|e| !e.snat_done) {
            let chain = if out_if.is_some() { "POSTROUTING" } else { "INPUT" };
            let (i, o) = (if_name(&self.ifaces, in_if), if_name(&self.ifaces, out_if));
            let view = pkt_view(pkt, i, o, t.state, cx.now());
            let (v, at) = self.nf.tables_mut(fam).nat.eval(chain, &view, &mut |_| {});
            let to = match v {
                // `nf_nat_masquerade_ipv4`: the address the device would pick toward the
                // next hop; `_ipv6`: the source address selected toward the destination.
                Verdict::Nat(Target::Masquerade { ports }) => {
                    let src = match (nexthop, view.dst) {
                        (IpAddr::V4(n), _) => out_if.and_then(|o| self.select_src(o, n)).map(IpAddr::V4),
                        (_, IpAddr::V6(d)) => out_if.and_then(|o| self.select_src6(o, d)).map(IpAddr::V6),
                        _ => None,
                    };
                    src.map(|s| (s, ports))
                }
                Verdict::Nat(Target::Snat { to, ports }) => Some((to, ports)),
                Verdict::Drop | Verdict::Reject(_) => {
                    self.nf.ct.discard(c.id);
                    self.drop_ip(cx, out_if.or(in_if), "iptables nat: dropped", pkt, |ns, c| {
                        ns.nf_decided(c, fam, TableId::Nat, at)
                    });
                    return Err(Dropped);
                }
                _ => None,
            };
            if let Some((src, ports)) = to {
                let tuples = self.nf.ct.get(c.id).map(|e| (e.orig, e.reply));
                if let Some((orig, reply)) = tuples {
                    match nat::snat_reply(&self.nf.ct, &orig, &reply, src, ports, cx.rng()) {
                        Some(r) => self.nf.ct.set_reply(c.id, r),
                        None => {
                            self.nf.nat_exhausted += 1;
                            self.nf.ct.discard(c.id);
                            self.drop_ip(cx, out_if, "nat: no free source port", pkt, |ns, c| {
                                ns.nf_decided(c, fam, TableId::Nat, at)
                            });
                            return Err(Dropped);
                        }
                    }
                }
            }
            let bound = self.nf.tables(fam).nat.active;
            if let Some(e) = self.nf.ct.get_mut(c.id) {
                e.snat_done = true;
                e.nat_bound |= bound;
            }
        }
        if let Some(e) = self.nf.ct.get(c.id) {
            if c.related {
                nat::apply_error(pkt, e, c.dir, Manip::Src);
            } else {
                nat::apply(pkt, e, c.dir, Manip::Src);
            }
        }
        if c.new {
            self.nf.ct.confirm(c.id);
        }
        self.nf.ct.purge_dying(Some(c.id));
        self.conntrack_deadline();
        self.deliver_ct_events(cx);
        Ok(())
    }

    /// Sets conntrack's timer to when its expiry index looks next (the first of an ordered
    /// set).
    pub(crate) fn arm_conntrack_timer(&mut self) {
        let next = self.nf.ct.next_expiry();
        self.timers.set(TimerKey::Conntrack, next);
        self.nf.ct_armed = next;
    }

    /// An entry was refreshed or confirmed: the timer fires when the expiry index says
    /// to look next (no later than the next expiry; it may fire early, at an entry
    /// refreshed since, and then finds the real next one). The timer is touched only when
    /// that moves.
    fn conntrack_deadline(&mut self) {
        let next = self.nf.ct.next_expiry();
        if self.nf.ct_armed != next {
            self.timers.set(TimerKey::Conntrack, next);
            self.nf.ct_armed = next;
        }
    }

    /// Conntrack's timer: expired entries go, `[DESTROY]`.
    pub(crate) fn conntrack_expire(&mut self, cx: &mut Context<'_>) {
        self.nf.ct.expire(cx.now());
        self.nf.ct.purge_dying(None);
        self.arm_conntrack_timer();
        self.deliver_ct_events(cx);
    }

    /// Puts pending conntrack events on every event subscription (`conntrack -E`).
    pub(crate) fn deliver_ct_events(&mut self, cx: &mut Context<'_>) {
        if self.nf.ct.events.is_empty() {
            return;
        }
        let mut events = std::mem::take(&mut self.nf.ct.events);
        // Each event is also a trace record (`nslab run --json`'s `event` lines), as
        // `conntrack -E` would print it.
        for (ev, e) in &events {
            let text = crate::netfilter::conntrack::event_text(*ev, e, 0);
            cx.record(sim_core::Record::Event { at: cx.now(), node: cx.node(), table: "conntrack", text });
        }
        let mut from = super::socktab::SocketId(0);
        while let Some(id) = self.socks.next_conntrack(from) {
            from = id.succ();
            for (ev, e) in &events {
                let meta = super::socktab::Meta::Conntrack { ev: *ev, entry: e.clone() };
                if !self.socks.push(id, meta, &[]) {
                    // ENOBUFS on the netlink socket: conntrack -E reports it and goes on.
                    cx.drop_frame(None, "conntrack: event socket queue full");
                }
            }
        }
        events.clear();
        self.nf.ct.events = events;
    }
}

/// What `iptables` / `conntrack` print.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ToolOutput {
    /// stdout lines.
    pub stdout: Vec<String>,
    /// stderr lines.
    pub stderr: Vec<String>,
}

impl Netns {
    /// `iptables …`: changes a table, or lists it.
    pub fn iptables(&mut self, cmd: &crate::netfilter::Cmd) -> Result<ToolOutput, crate::netfilter::CliError> {
        use crate::netfilter::{Op, show};
        let t = self.nf.tables_mut(cmd.family).table_mut(cmd.table);
        t.apply(cmd).map_err(|e| e.in_family(cmd.family))?;
        t.active = true;
        if matches!(cmd.op, Op::Append(..) | Op::Insert(..) | Op::NewChain(_) | Op::Policy(..)) {
            t.exists = true;
        }
        let stdout = match &cmd.op {
            Op::List { chain, numeric, verbose, line_numbers } => {
                show::list(t, chain.as_deref(), *numeric, *verbose, *line_numbers)
            }
            Op::ListRules(chain) => show::list_rules(t, chain.as_deref()),
            _ => Vec::new(),
        };
        if !self.nf.tracking_any() {
            // The last rule needing conntrack went: the kernel unregisters its hooks.
            self.nf.ct = Default::default();
        }
        Ok(ToolOutput { stdout, stderr: Vec::new() })
    }

    /// `iptables-save [-t T] [-c]` (or `ip6tables-save`, by `family`) at virtual time `now`.
    pub fn iptables_save(
        &self,
        family: Family,
        only: Option<crate::netfilter::TableId>,
        counters: bool,
        now: sim_core::Instant,
    ) -> ToolOutput {
        let stamp = crate::clock::ctime(now);
        let stdout = crate::netfilter::save::save(self.nf.tables(family), only, counters, &stamp);
        ToolOutput { stdout, stderr: Vec::new() }
    }

    /// `iptables-restore [-n]` (or `ip6tables-restore`) with `input` on its stdin: all of
    /// it, or nothing.
    pub fn iptables_restore(
        &mut self,
        family: Family,
        input: &[String],
        noflush: bool,
    ) -> Result<ToolOutput, crate::netfilter::CliError> {
        crate::netfilter::save::restore(self.nf.tables_mut(family), input, noflush).map_err(|e| e.in_family(family))?;
        if !self.nf.tracking_any() {
            self.nf.ct = Default::default();
        }
        Ok(ToolOutput::default())
    }

    /// `conntrack -L [FILTER]` (oldest first; the kernel lists in hash order).
    pub fn conntrack_list(&self, now: sim_core::Instant, f: &crate::netfilter::conntrack::CtFilter) -> ToolOutput {
        let lines: Vec<String> = self
            .nf
            .ct
            .confirmed()
            .filter(|e| f.matches(e))
            .map(|e| crate::netfilter::conntrack::list_line(e, now))
            .collect();
        // conntrack-tools says "entries … have" whatever the number.
        let n = lines.len();
        ToolOutput {
            stdout: lines,
            stderr: vec![format!("{}: {n} flow entries have been shown.", crate::netfilter::CONNTRACK_VERSION)],
        }
    }

    /// `conntrack -D [FILTER]`: each entry deleted is printed as `-L` prints it; none
    /// deleted is conntrack's exit status 1 (its count line is the error).
    pub fn conntrack_delete(
        &mut self,
        cx: &mut Context<'_>,
        f: &crate::netfilter::conntrack::CtFilter,
    ) -> Result<ToolOutput, crate::lab::LabError> {
        let _pid = self.take_pid();
        // The deletions go through conntrack's second netlink socket, whose port id the
        // kernel draws in [S32_MIN, -4097] (`netlink_autobind`): a u32 of 2^31 or more.
        let portid = sim_core::rng::range_u32(cx.rng(), 0x8000_0000, 0xffff_efff);
        let now = cx.now();
        let gone = self.nf.ct.delete(f, now, portid);
        self.arm_conntrack_timer();
        self.deliver_ct_events(cx);
        self.settle(cx);
        let n = gone.len();
        let count = format!("{}: {n} flow entries have been deleted.", crate::netfilter::CONNTRACK_VERSION);
        if n == 0 {
            return Err(crate::lab::LabError::new(count).status(1));
        }
        Ok(ToolOutput {
            stdout: gone.iter().map(|e| crate::netfilter::conntrack::list_line(e, now)).collect(),
            stderr: vec![count],
        })
    }

    /// `conntrack -F`.
    pub fn conntrack_flush(&mut self, cx: &mut Context<'_>) -> ToolOutput {
        // The command is a short-lived process; its netlink port id is its pid.
        let pid = self.take_pid();
        self.nf.ct.flush(cx.now(), pid);
        self.arm_conntrack_timer();
        self.deliver_ct_events(cx);
        self.settle(cx);
        ToolOutput {
            stdout: Vec::new(),
            stderr: vec![format!(
                "{}: connection tracking table has been emptied.",
                crate::netfilter::CONNTRACK_VERSION
            )],
        }
    }

    /// Packets dropped because a source NAT found no free port.
    pub fn nat_exhausted(&self) -> u64 {
        self.nf.nat_exhausted
    }

    /// Confirmed conntrack entries.
    pub fn conntrack_len(&self) -> usize {
        self.nf.ct.len()
    }
}
