//! The renderers: a run's trace → what a user reads (transcript, JSON lines, pcapng, the
//! explanation of its drops) and each step's output, checked against its expectations.
//! They read the trace only — but for `graph`, which draws the lab's topology from its
//! state.

pub mod counters;
pub mod expect;
pub mod explain;
pub mod flow;
pub mod graph;
pub mod json;
pub mod transcript;
