//! Helpers shared by the integration tests.
#![allow(dead_code)]

use nslab::scenarios::{self, run::sim};
use std::path::{Path, PathBuf};

/// Every scenario file shipped in `scenarios/`.
pub fn scenario_files() -> Vec<PathBuf> {
    nslab::scenario_files(&nslab::default_scenario_dir()).expect("scenarios/ is readable")
}

/// Loads and runs a scenario file with `seed` (or its own).
pub fn run_file(path: &Path, seed: Option<u64>) -> (String, sim::Run) {
    let (name, text) = nslab::read_scenario(path).unwrap_or_else(|e| panic!("{e}"));
    let sc = scenarios::load(&name, &text).unwrap_or_else(|e| panic!("{e}"));
    let r =
        sim::run(&name, &text, &sc, &sim::RunOptions { seed, ..Default::default() }).unwrap_or_else(|e| panic!("{e}"));
    (name, r)
}

/// Loads and runs scenario text; returns the error text if any step is refused.
pub fn run_text(name: &str, text: &str) -> Result<sim::Run, String> {
    let sc = scenarios::load(name, text).map_err(|e| e.to_string())?;
    sim::run(name, text, &sc, &sim::RunOptions::default()).map_err(|e| e.to_string())
}

/// Like [`run_text`], with a seed.
pub fn run_text_seeded(name: &str, text: &str, seed: u64) -> Result<sim::Run, String> {
    let sc = scenarios::load(name, text).map_err(|e| e.to_string())?;
    sim::run(name, text, &sc, &sim::RunOptions { seed: Some(seed), ..Default::default() }).map_err(|e| e.to_string())
}

/// The path of a shipped scenario.
pub fn scenario_path(file: &str) -> PathBuf {
    nslab::default_scenario_dir().join(file)
}
