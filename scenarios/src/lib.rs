//! Placeholder crate: filled in by the following commits.
