//! The renderers: a run's trace → what a user reads (transcript, JSON lines, pcapng) and
//! each step's output, checked against its expectations. They read the trace only.

pub mod expect;
pub mod json;
pub mod transcript;
