//! nslab: a deterministic, in-process network lab.
//!
//! The public facade over the workspace's crates: [`sim_core`] (the engine),
//! [`sim_nodes`] (namespaces and the processes in them), [`scenarios`] (the command
//! vocabulary, its front ends and the sim runner) and, with the `kernel` feature (on by
//! default), `kernel_backend`. The `nslab` binary
//! is the command-line front end.
//!
//! For users' own code: [`Lab`] (a lab built from a script or in Rust with [`Builder`],
//! whose namespaces run futures — in the sim, or with the `kernel` feature on the real
//! kernel, and `on_both` to compare the two), [`net`] (sockets shaped as `tokio::net`'s,
//! on the lab's stacks), seed sweeps ([`failing_seeds`]) and faults ([`Lab::partition`], [`Lab::link_down`],
//! [`Lab::impair`]).

#[cfg(feature = "kernel")]
mod both;
mod builder;
mod faults;
mod lab;
pub mod net;
mod sweep;

#[cfg(feature = "kernel")]
pub use both::{Both, on_both};
pub use builder::Builder;
pub use faults::{Impairment, PARTITION_CHAIN};
#[cfg(feature = "kernel")]
pub use kernel_backend;
#[cfg(feature = "kernel")]
pub use lab::KERNEL_PATIENCE;
pub use lab::{Error, Lab, PATIENCE, check_determinism, check_determinism_runs};
pub use scenarios;
pub use sim_core;
pub use sim_nodes;
pub use sweep::failing_seeds;

use std::path::{Path, PathBuf};

/// Prints `skipped: WHY` where `cargo test` shows it: straight to stderr, past the test
/// harness's capture (which takes `println!` and `eprintln!` and shows them only for a
/// failing test) — for a test that cannot run here (kernel mode without root) and says so.
pub fn skipped(why: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "skipped: {why}");
}

/// The scenario files (`*.sh`, `*.ron`) in `dir`, sorted by name.
pub fn scenario_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("sh" | "ron")))
        .collect();
    v.sort();
    Ok(v)
}

/// Reads a scenario file: its name as errors show it, and its text. A file that cannot be
/// read says why; one that is not UTF-8 gets a located error (see
/// [`scenarios::error::decode`]).
pub fn read_scenario(path: &Path) -> Result<(String, String), String> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| format!("nslab: {name}: {e}"))?;
    let text = scenarios::error::decode(&name, bytes).map_err(|e| e.to_string())?;
    Ok((name, text))
}

/// Where the bundled scenarios are: `./scenarios` if it exists, else the source tree's.
pub fn default_scenario_dir() -> PathBuf {
    let here = PathBuf::from("scenarios");
    if here.is_dir() { here } else { Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios") }
}
