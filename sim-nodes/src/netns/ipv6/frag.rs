//! IPv6 fragments: cut at the source (`ip6_fragment`: only the sender fragments; a router
//! answers "packet too big" instead) and put back together for this host
//! (`net/ipv6/reassembly.c`).
//!
//! A fragment carries the fixed header, a fragment header (the next header, its offset in
//! 8-byte units with the more-fragments flag, a 32-bit identification) and at most
//! `(mtu - 48) & !7` bytes of what followed the fixed header. Reassembly keys a queue by
//! source, destination and identification; as RFC 5722 asks and Linux does, a fragment
//! that overlaps another discards the whole queue (an exact duplicate is only dropped); a
//! last fragment that disagrees with the known end, or one past it, discards it too. A
//! queue lives `ip6frag_time` (60 s) from its first fragment; when it expires and its
//! first fragment came, the caller sends "fragment reassembly time exceeded". No fragment
//! is taken while the queues hold more than `ip6frag_high_thresh` (4 MiB) of data.
//!
//! Owns the queues; must not touch routing, sockets or the wire.

use super::packet::addr;
use sim_core::{Duration, Instant};
use std::collections::BTreeMap;
use std::net::Ipv6Addr;

/// The fragment header's next-header number.
pub const FRAGMENT: u8 = 44;
/// `net.ipv6.ip6frag_time`.
const IP6FRAG_TIME: Duration = Duration::from_secs(60);
/// `net.ipv6.ip6frag_high_thresh`.
const HIGH_THRESH: usize = 4 * 1024 * 1024;

/// Cuts `pkt` (an IPv6 packet with no extension header) into fragments of at most `mtu`
/// bytes, `id` their identification, handing each to `f` in order.
pub(crate) fn fragment(pkt: &[u8], mtu: usize, id: u32, mut f: impl FnMut(&[u8])) {
    let mut buf = Vec::with_capacity(mtu);
    let body = &pkt[40..];
    let per = (mtu.saturating_sub(48) & !7).max(8);
    let mut off = 0;
    while off < body.len() {
        let len = per.min(body.len() - off);
        let more = off + len < body.len();
        buf.clear();
        buf.extend_from_slice(&pkt[..40]);
        buf[4..6].copy_from_slice(&((8 + len) as u16).to_be_bytes());
        buf[6] = FRAGMENT;
        buf.extend_from_slice(&[pkt[6], 0]);
        buf.extend_from_slice(&((off as u16) | u16::from(more)).to_be_bytes());
        buf.extend_from_slice(&id.to_be_bytes());
        buf.extend_from_slice(&body[off..off + len]);
        f(&buf);
        off += len;
    }
}

/// What became of a fragment.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Reasm {
    /// Kept, waiting for the rest.
    Held,
    /// The packet is whole (fixed header first, the fragment header gone).
    Done(Vec<u8>),
    /// Dropped, and why.
    Dropped(&'static str),
}

#[derive(Debug)]
struct Queue {
    expires: Instant,
    /// The first fragment as it came (quoted by "reassembly time exceeded").
    first: Option<Vec<u8>>,
    /// The data by offset.
    parts: BTreeMap<usize, Vec<u8>>,
    /// Where the data ends, once the last fragment came.
    end: Option<usize>,
    bytes: usize,
    /// The largest fragment's length.
    max: usize,
}

/// A namespace's reassembly queues.
#[derive(Debug, Default)]
pub(crate) struct Reasm6 {
    queues: BTreeMap<(Ipv6Addr, Ipv6Addr, u32), Queue>,
    bytes: usize,
    /// The largest fragment of the packet last put back together (`frag_max_size`).
    last_max: usize,
}

impl Reasm6 {
    /// `ipv6_frag_rcv`: `p` is a packet whose fixed header is followed by a fragment header.
    pub(crate) fn queue(&mut self, now: Instant, p: &[u8]) -> Reasm {
        if p.len() < 48 {
            return Reasm::Dropped("ipv6 frag: too short");
        }
        let ofl = u16::from_be_bytes([p[42], p[43]]);
        let (off, more) = (usize::from(ofl & !7), ofl & 1 == 1);
        let id = u32::from_be_bytes([p[44], p[45], p[46], p[47]]);
        let data = &p[48..];
        if off == 0 && !more {
            // An atomic fragment: the packet itself.
            self.last_max = p.len();
            return Reasm::Done(unfragmented(p, p[40], data));
        }
        let end = off + data.len();
        if end > 65535 || (more && !data.len().is_multiple_of(8)) || data.is_empty() {
            return Reasm::Dropped("ipv6 frag: bad length");
        }
        if self.bytes + data.len() > HIGH_THRESH {
            return Reasm::Dropped("ipv6 frag: reassembly memory full");
        }
        let key = (addr(p, 8), addr(p, 24), id);
        let q = self.queues.entry(key).or_insert_with(|| Queue {
            expires: now + IP6FRAG_TIME,
            first: None,
            parts: BTreeMap::new(),
            end: None,
            bytes: 0,
            max: 0,
        });
        let known_end = q.parts.last_key_value().map_or(0, |(o, d)| o + d.len());
        let inconsistent =
            if more { q.end.is_some_and(|e| end > e) } else { q.end.is_some_and(|e| e != end) || known_end > end };
        let dup = q.parts.get(&off).is_some_and(|d| d.len() == data.len());
        let overlaps = q.parts.iter().any(|(o, d)| *o < end && off < o + d.len());
        if dup && !inconsistent {
            return Reasm::Dropped("ipv6 frag: duplicate");
        }
        if inconsistent || overlaps {
            self.discard(key);
            return Reasm::Dropped("ipv6 frag: overlapping or inconsistent fragment");
        }
        if !more {
            q.end = Some(end);
        }
        if off == 0 {
            q.first = Some(p.to_vec());
        }
        q.parts.insert(off, data.to_vec());
        q.max = q.max.max(p.len());
        q.bytes += data.len();
        self.bytes += data.len();
        let Some(end) = q.end else { return Reasm::Held };
        let mut at = 0;
        for (o, d) in &q.parts {
            if *o != at {
                return Reasm::Held;
            }
            at += d.len();
        }
        if at != end || q.first.is_none() {
            return Reasm::Held;
        }
        let q = self.queues.remove(&key).expect("the queue");
        self.bytes -= q.bytes;
        self.last_max = q.max;
        let first = q.first.expect("the first fragment");
        let mut whole = Vec::with_capacity(40 + end);
        for d in q.parts.values() {
            whole.extend_from_slice(d);
        }
        Reasm::Done(unfragmented(&first, first[40], &whole))
    }

    fn discard(&mut self, key: (Ipv6Addr, Ipv6Addr, u32)) {
        if let Some(q) = self.queues.remove(&key) {
            self.bytes -= q.bytes;
        }
    }

    /// The queues out of time at `now`, removed: each one's first fragment, if it came.
    pub(crate) fn expire(&mut self, now: Instant) -> Vec<Option<Vec<u8>>> {
        let due: Vec<_> = self.queues.iter().filter(|(_, q)| q.expires <= now).map(|(k, _)| *k).collect();
        due.into_iter()
            .filter_map(|k| {
                let q = self.queues.remove(&k)?;
                self.bytes -= q.bytes;
                Some(q.first)
            })
            .collect()
    }

    /// The largest fragment of the packet the last [`Reasm::Done`] gave: what conntrack's
    /// reassembly (`nf_ct_frag6_gather`) keeps as `frag_max_size`, so that a forwarder cuts
    /// the packet again into fragments no bigger.
    pub(crate) fn last_max(&self) -> usize {
        self.last_max
    }

    /// When the next queue runs out of time.
    pub(crate) fn next_expiry(&self) -> Option<Instant> {
        self.queues.values().map(|q| q.expires).min()
    }
}

/// `header`'s fixed header with next header `next`, then `data`.
fn unfragmented(header: &[u8], next: u8, data: &[u8]) -> Vec<u8> {
    let mut p = Vec::with_capacity(40 + data.len());
    p.extend_from_slice(&header[..40]);
    p[4..6].copy_from_slice(&(data.len() as u16).to_be_bytes());
    p[6] = next;
    p.extend_from_slice(data);
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    fn packet(n: usize) -> Vec<u8> {
        let mut p = vec![0x60, 0, 0, 0, 0, 0, 58, 64];
        p.extend_from_slice(&"2001:db8::1".parse::<Ipv6Addr>().unwrap().octets());
        p.extend_from_slice(&"2001:db8::2".parse::<Ipv6Addr>().unwrap().octets());
        p.extend((0..n).map(|i| i as u8));
        p[4..6].copy_from_slice(&(n as u16).to_be_bytes());
        p
    }

    fn cut(p: &[u8], mtu: usize) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        fragment(p, mtu, 7, |f| out.push(f.to_vec()));
        out
    }

    #[test]
    fn cut_at_the_mtu_in_eights_and_put_back_in_any_order() {
        // Linux 6.18: a 1408-byte echo request over a path MTU of 1300 goes as 1248 + 160.
        let p = packet(1408);
        let frags = cut(&p, 1300);
        assert_eq!(frags.iter().map(|f| f.len() - 48).collect::<Vec<_>>(), [1248, 160]);
        assert_eq!((frags[0][6], frags[0][40], frags[0][43] & 1, frags[1][43] & 1), (FRAGMENT, 58, 1, 0));
        let mut r = Reasm6::default();
        assert_eq!(r.queue(Instant::ZERO, &frags[1]), Reasm::Held);
        assert_eq!(r.queue(Instant::ZERO, &frags[0]), Reasm::Done(p));
        assert_eq!((r.queues.len(), r.bytes, r.last_max()), (0, 0, 1296));
    }

    #[test]
    fn overlaps_discard_duplicates_drop_and_queues_expire() {
        let p = packet(3000);
        let frags = cut(&p, 1500);
        let mut r = Reasm6::default();
        assert_eq!(r.queue(Instant::ZERO, &frags[0]), Reasm::Held);
        assert!(matches!(r.queue(Instant::ZERO, &frags[0]), Reasm::Dropped(w) if w.contains("duplicate")));
        let mut bad = frags[1].clone();
        bad[43] = 8 | 1; // offset 8: inside the first fragment
        assert!(matches!(r.queue(Instant::ZERO, &bad), Reasm::Dropped(w) if w.contains("overlapping")));
        assert!(r.queues.is_empty(), "the queue is gone");
        assert_eq!(r.queue(Instant::ZERO, &frags[0]), Reasm::Held);
        assert_eq!(r.next_expiry(), Some(Instant::from_secs(60)));
        let gone = r.expire(Instant::from_secs(60));
        assert_eq!(gone, vec![Some(frags[0].clone())]);
        assert_eq!(r.bytes, 0);
    }
}
