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

/// Text as XML and HTML show it literally (`&`, `<`, `>`, `"` as entities): what the SVG and
/// HTML renderers put between tags and in attributes.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}
