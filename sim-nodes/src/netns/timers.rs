//! A namespace's deadlines: one per key, ordered by `(instant, key)`.
//!
//! Neighbour entries, processes and the loopback queue each hold at most one deadline;
//! setting a key's deadline replaces the old one. The earliest is what the namespace reports
//! to the engine through `poll_timeout`. A key's deadline is found by hash (looked up per
//! packet, never iterated); only the order is a B-tree.

use sim_core::Instant;
use std::collections::{BTreeSet, HashMap};
use std::hash::Hash;

/// Deadlines keyed by `K`.
#[derive(Debug)]
pub struct Timers<K: Ord + Hash + Copy> {
    by_key: HashMap<K, Instant, foldhash::fast::FixedState>,
    order: BTreeSet<(Instant, K)>,
}

impl<K: Ord + Hash + Copy> Default for Timers<K> {
    fn default() -> Self {
        Timers { by_key: HashMap::default(), order: BTreeSet::new() }
    }
}

impl<K: Ord + Hash + Copy> Timers<K> {
    /// Sets (or with `None`, clears) the deadline of `key`.
    pub fn set(&mut self, key: K, at: Option<Instant>) {
        match at {
            Some(at) => match self.by_key.insert(key, at) {
                Some(old) if old == at => {}
                old => {
                    if let Some(old) = old {
                        self.order.remove(&(old, key));
                    }
                    self.order.insert((at, key));
                }
            },
            None => {
                if let Some(old) = self.by_key.remove(&key) {
                    self.order.remove(&(old, key));
                }
            }
        }
    }
    /// The deadline of `key`.
    pub fn get(&self, key: K) -> Option<Instant> {
        self.by_key.get(&key).copied()
    }
    /// The earliest deadline.
    pub fn next(&self) -> Option<Instant> {
        self.order.first().map(|(t, _)| *t)
    }
    /// Removes and returns a key whose deadline is at or before `now`, earliest first.
    pub fn pop_due(&mut self, now: Instant) -> Option<K> {
        if self.order.first()?.0 > now {
            return None;
        }
        let (_, k) = self.order.pop_first()?;
        self.by_key.remove(&k);
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
}
