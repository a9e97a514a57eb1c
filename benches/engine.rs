//! Criterion benchmarks (filled in with the runner).
fn main() {}
