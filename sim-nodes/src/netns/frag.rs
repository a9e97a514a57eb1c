//! IPv4 fragmentation and reassembly, as `net/ipv4/ip_output.c` (`ip_do_fragment`) and
//! `net/ipv4/ip_fragment.c` with `inet_fragment.c` do them.
//!
//! Owns a namespace's reassembly queues and the memory they hold; `rx.rs` decides where a
//! fragment is reassembled (local delivery, or conntrack's defrag before PREROUTING),
//! `bridging.rs` where a bridge with br_netfilter does, and `tx.rs` where a packet is
//! fragmented (after POSTROUTING). This module must not touch
//! routing, netfilter, sockets or the wire: it works on packets and hands them back.
//!
//! Reassembly follows `ip_frag_queue`: a fragment's end is cut to a multiple of 8 unless
//! it is the last; a last fragment that disagrees with what is known of the length, or a
//! fragment beyond a known end, discards the queue; fragments are kept as runs of
//! contiguous data, and one that lies wholly inside a run is a duplicate (dropped, the
//! queue kept) while any other overlap discards the queue (RFC 5722 as Linux applies it to
//! IPv4). The datagram is whole when the first and the last fragment are in and the bytes
//! add up; its header is the first fragment's, with DF when its largest fragment carried
//! DF (`max_df_size == max_size`; a smaller fragment without it does not clear it). A queue lives `net.ipv4.ipfrag_time` seconds from its first fragment;
//! if its first fragment came, the caller sends "fragment reassembly time exceeded". No
//! fragment is taken while the queues hold more than `net.ipv4.ipfrag_high_thresh` bytes
//! (each fragment counted at its `skb->truesize`: its length plus the 576 bytes of
//! `struct sk_buff` and `skb_shared_info`, or at what it grew the queue's buffer by when
//! that is more — a lone fragment far out costs here what its offset costs; each queue at
//! `sizeof(struct ipq)`).
//!
//! Not modelled: `ipfrag_max_dist` (the per-peer counter that reinitialises a queue whose
//! fragments are too far apart in a source's stream), IP options (no packet here carries
//! any; a fragment's options would all be copied), and `ip_do_fragment`'s fast path (a
//! reassembled packet is refragmented by the slow path's sizes; the fast path keeps the
//! original fragments, which differs only when they were not cut at the MTU).

use crate::wire::{self, IP_DF, IP_MF, Ipv4};
use sim_core::{Duration, Instant};
use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;

/// Bytes `skb->truesize` adds to a packet's length: `struct sk_buff` and
/// `struct skb_shared_info`, each cache-aligned (x86-64).
const SKB_OVERHEAD: usize = 576;

/// What a queue itself costs (`sizeof(struct ipq)`, counted when it is made).
const QUEUE_SIZE: usize = 192;

/// Who reassembles (`enum ip_defrag_users`): each has its own queues.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum DefragUser {
    /// Conntrack, before PREROUTING (`IP_DEFRAG_CONNTRACK_IN`).
    ConntrackIn,
    /// Local delivery (`IP_DEFRAG_LOCAL_DELIVER`).
    LocalDeliver,
    /// br_netfilter, before a bridge decides (`IP_DEFRAG_CONNTRACK_BRIDGE_IN`).
    BridgeIn,
}

/// A queue's key: the datagram's addresses, ID and protocol, and who reassembles it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct FragKey {
    src: Ipv4Addr,
    dst: Ipv4Addr,
    id: u16,
    proto: u8,
    user: DefragUser,
}

#[derive(Debug)]
struct Queue {
    /// Runs of contiguous fragments, `[start, end)` in payload bytes, sorted; the last is
    /// `fragments_tail`'s run.
    runs: Vec<(usize, usize)>,
    /// The payload, each fragment's bytes at its offset.
    data: Vec<u8>,
    /// The first fragment's header, once it came (`INET_FRAG_FIRST_IN`).
    first: Option<Vec<u8>>,
    /// The first fragment's payload length (for the ICMP error that quotes it).
    first_len: usize,
    /// The datagram's payload length as far as known (`q.len`).
    len: usize,
    last_in: bool,
    /// Payload bytes received (`q.meat`).
    meat: usize,
    max_size: usize,
    max_df_size: usize,
    expires: Instant,
    truesize: usize,
}

/// What became of a fragment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Reasm {
    /// Queued: the datagram is not whole yet.
    Held,
    /// The datagram is whole, in the caller's buffer; `frag_max_size` is its largest
    /// fragment (`IPCB(skb)->frag_max_size`), the size a forwarder cuts it to again.
    Done { frag_max_size: usize },
    /// Dropped, with the reason (`kfree_skb_reason`).
    Dropped(&'static str),
}

/// A namespace's reassembly queues.
#[derive(Debug, Default)]
pub(crate) struct Defrag {
    queues: BTreeMap<FragKey, Queue>,
    by_expiry: BTreeSet<(Instant, FragKey)>,
    mem: usize,
}

/// A queue that timed out: the first fragment (header and as much of its payload as an
/// ICMP error quotes), if it came.
#[derive(Debug)]
pub(crate) struct Expired {
    pub(crate) user: DefragUser,
    pub(crate) first: Option<Vec<u8>>,
}

impl Defrag {
    /// Bytes the queues hold (`/proc/net/sockstat`'s `FRAG: … memory`).
    #[cfg(test)]
    pub(crate) fn mem(&self) -> usize {
        self.mem
    }

    /// The earliest queue's deadline.
    pub(crate) fn next_expiry(&self) -> Option<Instant> {
        self.by_expiry.first().map(|(t, _)| *t)
    }

    /// Takes one queue that timed out by `now` (`ip_expire`).
    pub(crate) fn pop_expired(&mut self, now: Instant) -> Option<Expired> {
        let &(t, key) = self.by_expiry.first()?;
        if t > now {
            return None;
        }
        let q = self.kill(key)?;
        let first = q.first.map(|mut h| {
            // icmp_send quotes at most 576 bytes of the datagram in all.
            let n = q.first_len.min(576usize.saturating_sub(h.len() + 28));
            h.extend_from_slice(&q.data[..n]);
            h
        });
        Some(Expired { user: key.user, first })
    }

    fn kill(&mut self, key: FragKey) -> Option<Queue> {
        let q = self.queues.remove(&key)?;
        self.by_expiry.remove(&(q.expires, key));
        self.mem -= q.truesize;
        Some(q)
    }

    /// `ip_defrag`: queues a fragment; when it completes its datagram, the datagram is
    /// written to `out`. `timeout` is `ipfrag_time`, `high_thresh` `ipfrag_high_thresh`.
    pub(crate) fn queue(
        &mut self,
        now: Instant,
        ip: &Ipv4<'_>,
        user: DefragUser,
        (timeout, high_thresh): (Duration, usize),
        out: &mut Vec<u8>,
    ) -> Reasm {
        let key = FragKey { src: ip.src(), dst: ip.dst(), id: ip.id(), proto: ip.proto(), user };
        // inet_frag_find, before it looks: above the threshold every fragment is dropped,
        // a queue's next one too (queues go only by completion, timeout or a discard).
        if high_thresh == 0 || self.mem > high_thresh {
            return Reasm::Dropped("ip fragment: reassembly memory full");
        }
        let q = match self.queues.entry(key) {
            Entry::Occupied(o) => o.into_mut(),
            Entry::Vacant(v) => {
                let expires = now + timeout;
                self.by_expiry.insert((expires, key));
                self.mem += QUEUE_SIZE;
                v.insert(Queue {
                    runs: Vec::new(),
                    data: Vec::new(),
                    first: None,
                    first_len: 0,
                    len: 0,
                    last_in: false,
                    meat: 0,
                    max_size: 0,
                    max_df_size: 0,
                    expires,
                    truesize: QUEUE_SIZE,
                })
            }
        };
        let offset = ip.frag_offset();
        let payload = ip.payload();
        let mut end = offset + payload.len();
        if !ip.more_frags() {
            // The last fragment: nothing may lie beyond it, and the end must agree.
            if end < q.len || (q.last_in && end != q.len) {
                self.kill(key);
                return Reasm::Dropped("ip fragment: inconsistent length");
            }
            q.last_in = true;
            q.len = end;
        } else {
            end &= !7;
            if end > q.len {
                if q.last_in {
                    self.kill(key);
                    return Reasm::Dropped("ip fragment: beyond the last fragment");
                }
                q.len = end;
            }
        }
        if end == offset {
            self.kill(key);
            return Reasm::Dropped("ip fragment: empty");
        }
        if let Err(why) = insert_run(&mut q.runs, offset, end) {
            if why == Insert::Dup {
                return Reasm::Dropped("ip fragment: duplicate");
            }
            self.kill(key);
            return Reasm::Dropped("ip fragment: overlap");
        }
        // Charged at its truesize — or at what the queue's buffer grew by, if more (a
        // fragment far out grows it to its offset): the threshold bounds real memory.
        let grown = end.saturating_sub(q.data.len());
        if q.data.len() < end {
            q.data.resize(end, 0);
        }
        q.data[offset..end].copy_from_slice(&payload[..end - offset]);
        q.meat += end - offset;
        let truesize = (ip.total_len() + SKB_OVERHEAD).max(grown + SKB_OVERHEAD);
        q.truesize += truesize;
        self.mem += truesize;
        if offset == 0 {
            q.first = Some(ip.header().to_vec());
            q.first_len = end;
        }
        let fragsize = end - offset + ip.header().len();
        q.max_size = q.max_size.max(fragsize);
        if ip.df() {
            q.max_df_size = q.max_df_size.max(fragsize);
        }
        if q.first.is_none() || !q.last_in || q.meat != q.len {
            return Reasm::Held;
        }
        let q = self.kill(key).expect("present");
        let head = q.first.expect("first in");
        let total = head.len() + q.len;
        if total > 65535 {
            return Reasm::Dropped("ip fragment: oversized datagram");
        }
        out.clear();
        out.extend_from_slice(&head);
        out.extend_from_slice(&q.data[..q.len]);
        let field = if q.max_df_size == q.max_size { IP_DF } else { 0 };
        wire::set_len_frag(&mut out[..head.len()], total, field);
        Reasm::Done { frag_max_size: q.max_size.max(q.max_df_size) }
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Insert {
    Dup,
    Overlap,
}

/// `inet_frag_queue_insert` on runs: appending to the tail run, a new run at the end, or a
/// place found between runs; a fragment wholly inside one run is a duplicate.
fn insert_run(runs: &mut Vec<(usize, usize)>, offset: usize, end: usize) -> Result<(), Insert> {
    match runs.last_mut() {
        None => runs.push((offset, end)),
        Some(tail) if tail.1 < end => {
            if offset < tail.1 {
                return Err(Insert::Overlap);
            }
            if offset == tail.1 {
                tail.1 = end;
            } else {
                runs.push((offset, end));
            }
        }
        Some(_) => {
            let i = runs.partition_point(|r| r.1 <= offset);
            if let Some(&(s, e)) = runs.get(i)
                && end > s
            {
                return Err(if offset >= s && end <= e { Insert::Dup } else { Insert::Overlap });
            }
            runs.insert(i, (offset, end));
        }
    }
    Ok(())
}

/// `ip_do_fragment`'s slow path: cuts `pkt` (a datagram, or itself a fragment) into
/// fragments of at most `mtu` bytes, each handed to `emit` in order in `buf`; stops at the
/// first fragment `emit` refuses (returns true), and returns whether one was refused.
/// Every fragment keeps the packet's header and ID; its offset counts from the packet's
/// own, MF is set on all but the last (and on the last if the packet had it), and DF only
/// when `df` (a reassembled datagram whose largest fragment had DF).
pub(crate) fn fragment(
    pkt: &[u8],
    mtu: usize,
    df: bool,
    buf: &mut Vec<u8>,
    mut emit: impl FnMut(&[u8]) -> bool,
) -> bool {
    let hlen = usize::from(pkt[0] & 0x0f) * 4;
    let field = u16::from_be_bytes([pkt[6], pkt[7]]);
    let mut offset = usize::from(field & wire::IP_OFFSET) * 8;
    let not_last = field & IP_MF != 0;
    let room = mtu.saturating_sub(hlen);
    let mut left = pkt.len() - hlen;
    let mut ptr = hlen;
    while left > 0 {
        let mut len = left.min(room);
        if len < left {
            len &= !7;
        }
        if len == 0 {
            return false;
        }
        let mut f = ((offset / 8) as u16) & wire::IP_OFFSET;
        if df {
            f |= IP_DF;
        }
        if left > len || not_last {
            f |= IP_MF;
        }
        buf.clear();
        buf.extend_from_slice(&pkt[..hlen]);
        buf.extend_from_slice(&pkt[ptr..ptr + len]);
        wire::set_len_frag(&mut buf[..hlen], hlen + len, f);
        if emit(buf) {
            return true;
        }
        ptr += len;
        offset += len;
        left -= len;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{Ipv4Fields, push_ipv4};

    fn datagram(len: usize, id: u16) -> Vec<u8> {
        let f = Ipv4Fields {
            src: Ipv4Addr::new(10, 0, 1, 1),
            dst: Ipv4Addr::new(10, 0, 2, 1),
            proto: 1,
            ttl: 64,
            id,
            df: false,
            tos: 0,
        };
        let mut p = Vec::new();
        push_ipv4(&mut p, &f, len);
        p.extend((0..len).map(|i| (i * 7) as u8));
        p
    }

    fn frags(pkt: &[u8], mtu: usize) -> Vec<Vec<u8>> {
        let mut v = Vec::new();
        let mut buf = Vec::new();
        fragment(pkt, mtu, false, &mut buf, |f| {
            v.push(f.to_vec());
            false
        });
        v
    }

    const LIMITS: (Duration, usize) = (Duration::from_secs(30), 4 << 20);

    fn feed(d: &mut Defrag, f: &[u8], out: &mut Vec<u8>) -> Reasm {
        let ip = Ipv4::new_checked(f).expect("valid fragment");
        d.queue(Instant::ZERO, &ip, DefragUser::LocalDeliver, LIMITS, out)
    }

    #[test]
    fn cuts_as_the_kernel_does() {
        // ping -s 2000 over a 1500-byte MTU: 1480 + 528 bytes of ICMP (measured: frames of
        // 1514 and 562 bytes); a 1400 router cuts the first again into 1376 + 104.
        let p = datagram(2008, 7);
        let f = frags(&p, 1500);
        let sizes: Vec<usize> = f.iter().map(Vec::len).collect();
        assert_eq!(sizes, [1500, 548]);
        let again = frags(&f[0], 1400);
        let sizes: Vec<usize> = again.iter().map(Vec::len).collect();
        assert_eq!(sizes, [1396, 124]);
        for g in &again {
            let ip = Ipv4::new_checked(g).expect("valid");
            assert!(ip.more_frags(), "a cut first fragment keeps MF on its last piece");
            assert_eq!(ip.id(), 7);
        }
        let last = Ipv4::new_checked(&f[1]).expect("valid");
        assert_eq!((last.frag_offset(), last.more_frags()), (1480, false));
    }

    #[test]
    fn reassembles_in_any_order() {
        let p = datagram(3008, 9);
        let mut f = frags(&p, 1400);
        assert_eq!(f.len(), 3);
        f.swap(0, 2);
        let mut d = Defrag::default();
        let mut out = Vec::new();
        assert_eq!(feed(&mut d, &f[0], &mut out), Reasm::Held);
        assert_eq!(feed(&mut d, &f[1], &mut out), Reasm::Held);
        assert_eq!(feed(&mut d, &f[2], &mut out), Reasm::Done { frag_max_size: 1396 });
        assert_eq!(out, p);
        assert_eq!(d.mem(), 0);
        assert_eq!(d.next_expiry(), None);
    }

    #[test]
    fn duplicates_are_dropped_and_overlaps_discard_the_queue() {
        let p = datagram(3008, 1);
        let f = frags(&p, 1400);
        let mut d = Defrag::default();
        let mut out = Vec::new();
        assert_eq!(feed(&mut d, &f[0], &mut out), Reasm::Held);
        assert_eq!(feed(&mut d, &f[0], &mut out), Reasm::Dropped("ip fragment: duplicate"));
        assert_eq!(feed(&mut d, &f[1], &mut out), Reasm::Held);
        assert_eq!(feed(&mut d, &f[2], &mut out), Reasm::Done { frag_max_size: 1396 });
        // An overlap: the same data cut at another size.
        let g = frags(&p, 1000);
        assert_eq!(feed(&mut d, &f[0], &mut out), Reasm::Held);
        assert_eq!(feed(&mut d, &g[1], &mut out), Reasm::Dropped("ip fragment: overlap"));
        assert_eq!(d.mem(), 0, "the queue went with the overlap");
        assert_eq!(feed(&mut d, &f[1], &mut out), Reasm::Held, "a new queue");
    }

    #[test]
    fn a_queue_times_out_with_its_first_fragment() {
        let p = datagram(2008, 3);
        let f = frags(&p, 1500);
        let mut d = Defrag::default();
        let mut out = Vec::new();
        feed(&mut d, &f[0], &mut out);
        assert_eq!(d.next_expiry(), Some(Instant::from_secs(30)));
        assert!(d.pop_expired(Instant::from_secs(29)).is_none());
        let e = d.pop_expired(Instant::from_secs(30)).expect("expired");
        let first = e.first.expect("the first fragment came");
        assert_eq!(&first[..20], &f[0][..20]);
        assert_eq!(first.len(), 20 + 528, "576 bytes quoted in all, with the ICMP and outer headers");
        assert_eq!(d.mem(), 0);
        // Only the last fragment: no first to quote.
        feed(&mut d, &f[1], &mut out);
        assert!(d.pop_expired(Instant::from_secs(60)).expect("expired").first.is_none());
    }

    #[test]
    fn memory_is_bounded() {
        let mut d = Defrag::default();
        let mut out = Vec::new();
        let mut held = 0;
        for id in 0..10_000u16 {
            let p = datagram(2008, id);
            let f = frags(&p, 1500);
            if feed(&mut d, &f[0], &mut out) == Reasm::Held {
                held += 1;
            }
        }
        assert!(d.mem() <= (4 << 20) + 1500 + SKB_OVERHEAD + QUEUE_SIZE, "{}", d.mem());
        assert!(held < 10_000 && held > 1000, "{held}");
    }

    #[test]
    fn a_fragment_far_out_is_charged_what_it_costs() {
        let p = datagram(65000, 8);
        let f = frags(&p, 1500);
        let mut d = Defrag::default();
        let mut out = Vec::new();
        feed(&mut d, f.last().unwrap(), &mut out);
        assert!(d.mem() > 64_000, "{}", d.mem());
    }

    #[test]
    fn inconsistent_lengths_discard() {
        let p = datagram(2008, 5);
        let f = frags(&p, 1500);
        let mut d = Defrag::default();
        let mut out = Vec::new();
        assert_eq!(feed(&mut d, &f[1], &mut out), Reasm::Held);
        // A second "last" fragment ending elsewhere.
        let q = datagram(3008, 5);
        let g = frags(&q, 1500);
        assert_eq!(feed(&mut d, &g[2], &mut out), Reasm::Dropped("ip fragment: inconsistent length"));
    }
}
