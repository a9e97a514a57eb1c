//! A namespace's deadlines: one per key, ordered by `(instant, key)`.
//!
//! Neighbour entries, processes and the loopback queue each hold at most one deadline;
//! setting a key's deadline replaces the old one. The earliest is what the namespace reports
//! to the engine through `poll_timeout`. A key's deadline is found by hash (looked up per
//! packet, never iterated); the order is a heap whose replaced deadlines are dropped lazily.

use sim_core::Instant;
use std::cmp::Reverse;
use std::collections::hash_map::Entry;
use std::collections::{BinaryHeap, HashMap};
use std::hash::Hash;

/// Deadlines keyed by `K`.
#[derive(Debug)]
pub struct Timers<K: Ord + Hash + Copy> {
    /// Each key's deadline, and the count of sets that gave it (its entry in `order`).
    by_key: HashMap<K, (Instant, u64), foldhash::fast::FixedState>,
    /// Every deadline set, earliest first — also ones since replaced or cleared (stale:
    /// `by_key` no longer gives their key that instant and count). The front is always
    /// live: stale ones go when they reach it, or all at once when they outnumber the live
    /// ones, so a deadline moved on every packet costs one lookup and a push, not a
    /// B-tree's remove and insert.
    order: BinaryHeap<Reverse<(Instant, K, u64)>>,
    /// Sets so far.
    sets: u64,
}

impl<K: Ord + Hash + Copy> Default for Timers<K> {
    fn default() -> Self {
        Timers { by_key: HashMap::default(), order: BinaryHeap::new(), sets: 0 }
    }
}

impl<K: Ord + Hash + Copy> Timers<K> {
    /// Sets (or with `None`, clears) the deadline of `key`.
    pub fn set(&mut self, key: K, at: Option<Instant>) {
        let old = match at {
            Some(at) => {
                let old = match self.by_key.entry(key) {
                    Entry::Occupied(e) if e.get().0 == at => return,
                    Entry::Occupied(mut e) => Some(e.insert((at, self.sets + 1))),
                    Entry::Vacant(e) => {
                        e.insert((at, self.sets + 1));
                        None
                    }
                };
                self.sets += 1;
                self.order.push(Reverse((at, key, self.sets)));
                if self.order.len() > 2 * self.by_key.len() + 32 {
                    let by_key = &self.by_key;
                    self.order.retain(|Reverse((at, k, n))| by_key.get(k) == Some(&(*at, *n)));
                }
                old
            }
            None => self.by_key.remove(&key),
        };
        // The front was live; only the entry just replaced or cleared can have made it
        // stale.
        if let Some((at, n)) = old
            && self.order.peek().is_some_and(|Reverse(front)| *front == (at, key, n))
        {
            self.clean_front();
        }
    }

    /// Drops stale deadlines from the front.
    fn clean_front(&mut self) {
        while let Some(Reverse((at, k, n))) = self.order.peek() {
            if self.by_key.get(k) == Some(&(*at, *n)) {
                break;
            }
            self.order.pop();
        }
    }

    /// The deadline of `key`.
    pub fn get(&self, key: K) -> Option<Instant> {
        self.by_key.get(&key).map(|(at, _)| *at)
    }

    /// The earliest deadline.
    pub fn next(&self) -> Option<Instant> {
        self.order.peek().map(|Reverse((t, _, _))| *t)
    }

    /// Takes the earliest key whose deadline is at or before `now`.
    pub fn pop_due(&mut self, now: Instant) -> Option<K> {
        let Reverse((at, _, _)) = self.order.peek()?;
        if *at > now {
            return None;
        }
        let Reverse((_, k, _)) = self.order.pop()?;
        self.by_key.remove(&k);
        self.clean_front();
        Some(k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_and_pops_in_order() {
        let mut t = Timers::default();
        t.set(1u32, Some(Instant::from_secs(5)));
        t.set(2, Some(Instant::from_secs(3)));
        t.set(1, Some(Instant::from_secs(1)));
        assert_eq!(t.next(), Some(Instant::from_secs(1)));
        assert_eq!(t.pop_due(Instant::from_secs(4)), Some(1));
        assert_eq!(t.pop_due(Instant::from_secs(4)), Some(2));
        assert_eq!(t.pop_due(Instant::from_secs(4)), None);
        t.set(3, Some(Instant::from_secs(9)));
        t.set(3, None);
        assert_eq!(t.next(), None);
    }

    /// A deadline moved back and forth forever keeps the heap small: what it replaced goes.
    #[test]
    fn moved_deadlines_leave_little_behind() {
        let mut t = Timers::default();
        for k in 0..100_000u64 {
            t.set(1u32, Some(Instant::from_secs(10 + k % 2)));
            t.set(2u32, Some(Instant::from_secs(20 + k % 3)));
        }
        assert!(t.order.len() <= 2 * 2 + 33, "{}", t.order.len());
        assert_eq!(t.next(), Some(Instant::from_secs(11)));
        assert_eq!(t.pop_due(Instant::from_secs(30)), Some(1));
        assert_eq!(t.pop_due(Instant::from_secs(30)), Some(2));
        assert_eq!(t.pop_due(Instant::from_secs(30)), None);
        assert!(t.order.is_empty());
    }

    proptest::proptest! {
        /// Any run of sets, clears and pops gives what a plain map of deadlines gives:
        /// the same earliest deadline after each step, the same keys popped in order.
        #[test]
        fn agrees_with_a_plain_map(ops in proptest::collection::vec((0u8..4, 0u32..6, 0u64..20), 0..300)) {
            let mut t = Timers::default();
            let mut model = std::collections::BTreeMap::<u32, Instant>::new();
            for (op, key, at) in ops {
                let at = Instant::from_secs(at);
                match op {
                    0 | 1 => {
                        t.set(key, Some(at));
                        model.insert(key, at);
                    }
                    2 => {
                        t.set(key, None);
                        model.remove(&key);
                    }
                    _ => {
                        let due = model.iter().map(|(k, a)| (*a, *k)).min().filter(|(a, _)| *a <= at);
                        if let Some((_, k)) = due {
                            model.remove(&k);
                        }
                        proptest::prop_assert_eq!(t.pop_due(at), due.map(|(_, k)| k));
                    }
                }
                proptest::prop_assert_eq!(t.next(), model.values().min().copied());
                proptest::prop_assert_eq!(t.get(key), model.get(&key).copied());
            }
        }
    }
}
