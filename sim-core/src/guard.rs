//! The run's guards: what stops a run that would never end or never stop growing.
//!
//! A long run is not an error: a day of traffic in virtual time is as legitimate as a
//! second of it. What the guards catch is a run that makes no progress or grows without
//! bound:
//!
//! - the **event budget**: at most [`Limits::events_per_second`] events in any one second of
//!   virtual time (the windows are whole seconds, `[k s, k+1 s)`). A loop that keeps the
//!   clock still, or a storm that multiplies frames, spends it within a few seconds of wall
//!   time; a busy but finite workload (a `ping -i 0` flood is some 200,000 events a second)
//!   stays well under it for as long as it runs. Every event counts: those the engine pops
//!   and the work a node does inside one call (a packet it loops back to itself, a deadline
//!   it handles in a loop; see [`Context::event`](crate::Context::event)).
//! - the **trace ceiling**: the records kept for the transcript (output lines, captured
//!   frames), counted in bytes.
//! - the **queue ceiling**: the events pending (frames in flight with their buffers,
//!   timers), counted in bytes.
//!
//! Whichever trips first stops the run with a [`BudgetExhausted`] saying which it was.

use crate::time::Instant;
use std::fmt;

/// Default event budget: events in one second of virtual time.
pub const DEFAULT_EVENT_BUDGET: u64 = 2_000_000;
/// Default trace ceiling, in bytes (records and their text and frame bytes).
pub const DEFAULT_TRACE_BYTES: u64 = 128 << 20;
/// Default queue ceiling, in bytes (pending events and their frame buffers).
pub const DEFAULT_QUEUE_BYTES: u64 = 128 << 20;

/// What a run may spend before a guard stops it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Events in any one second of virtual time (`--event-budget`).
    pub events_per_second: u64,
    /// Bytes the trace may hold.
    pub trace_bytes: u64,
    /// Bytes the pending events may hold.
    pub queue_bytes: u64,
    /// Drops of one node, port and reason recorded one by one; beyond this they are only
    /// counted (see [`crate::trace`]).
    pub drop_records: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            events_per_second: DEFAULT_EVENT_BUDGET,
            trace_bytes: DEFAULT_TRACE_BYTES,
            queue_bytes: DEFAULT_QUEUE_BYTES,
            drop_records: crate::trace::DEFAULT_DROP_RECORDS,
        }
    }
}

/// Which guard stopped a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    /// More events in one second of virtual time than the budget.
    Events {
        /// The budget (events per virtual second).
        budget: u64,
    },
    /// The trace grew past its ceiling.
    Trace {
        /// Records held.
        records: u64,
        /// Bytes held.
        bytes: u64,
        /// The ceiling.
        ceiling: u64,
    },
    /// The pending events grew past their ceiling.
    Queue {
        /// Events pending.
        events: u64,
        /// Bytes they hold.
        bytes: u64,
        /// The ceiling.
        ceiling: u64,
    },
}

/// The run stopped because a guard tripped.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct BudgetExhausted {
    /// Which guard, with its numbers.
    pub limit: Limit,
    /// When it tripped.
    pub at: Instant,
}

fn mib(b: u64) -> String {
    format!("{:.1} MiB", b as f64 / f64::from(1 << 20))
}

impl fmt::Display for BudgetExhausted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = self.at;
        match self.limit {
            Limit::Events { budget } => write!(
                f,
                "event budget of {budget} events per virtual second exhausted at {at} s: traffic is not settling (a loop or a storm?)"
            ),
            Limit::Trace { records, bytes, ceiling } => write!(
                f,
                "memory ceiling reached at {at} s: the trace holds {records} records, {} (the ceiling is {}): output or captures grow without end",
                mib(bytes),
                mib(ceiling)
            ),
            Limit::Queue { events, bytes, ceiling } => write!(
                f,
                "memory ceiling reached at {at} s: {events} events pending, {} (the ceiling is {}): frames multiply faster than they are delivered (a storm?)",
                mib(bytes),
                mib(ceiling)
            ),
        }
    }
}

/// The event counter behind the budget; shared by the engine and, through the context,
/// by nodes.
#[derive(Debug, Default)]
pub struct Guard {
    pub(crate) limits: Limits,
    second: u64,
    in_second: u64,
    total: u64,
    pub(crate) tripped: Option<BudgetExhausted>,
}

impl Guard {
    pub(crate) fn new(limits: Limits) -> Self {
        Guard { limits, ..Default::default() }
    }

    /// Counts one event at `at`; false (and the guard tripped) once the second `at` falls in
    /// has had more than the budget.
    pub(crate) fn count(&mut self, at: Instant) -> bool {
        if self.tripped.is_some() {
            return false;
        }
        self.total += 1;
        let second = at.as_nanos() / 1_000_000_000;
        if second != self.second {
            self.second = second;
            self.in_second = 0;
        }
        self.in_second += 1;
        if self.in_second > self.limits.events_per_second {
            self.tripped = Some(BudgetExhausted { limit: Limit::Events { budget: self.limits.events_per_second }, at });
            return false;
        }
        true
    }

    /// Events counted so far.
    pub(crate) fn total(&self) -> u64 {
        self.total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_is_per_second_of_virtual_time() {
        let mut g = Guard::new(Limits { events_per_second: 3, ..Limits::default() });
        // Three a second for an hour: fine.
        for s in 0..3600 {
            for k in 0..3 {
                assert!(g.count(Instant::from_nanos(s * 1_000_000_000 + k)));
            }
        }
        assert_eq!(g.total(), 3 * 3600);
        // A fourth within one second trips it, for good.
        assert!(!g.count(Instant::from_secs(3599) + crate::Duration::from_millis(999)));
        assert!(!g.count(Instant::from_secs(4000)));
        let e = g.tripped.clone().unwrap();
        assert_eq!(e.limit, Limit::Events { budget: 3 });
        assert_eq!(
            e.to_string(),
            "event budget of 3 events per virtual second exhausted at 3599.999 s: traffic is not settling (a loop or a storm?)"
        );
    }
}
