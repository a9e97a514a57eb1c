//! Seed sweeps for a user's own test: [`failing_seeds`] runs a test closure for every seed
//! of a range, in parallel on all cores (rayon), and names the seeds that fail — the
//! library's twin of `nslab sweep`.
//!
//! It owns the fan-out and the collection; what a run is, is the test's.

use std::fmt::Display;
use std::ops::Range;

/// The seeds of `seeds` for which `test` failed, each with why (its error, or its panic's
/// message), in seed order. `test` runs once per seed, on `jobs` threads (`None`: one per
/// core); each run builds its own lab, so nothing is shared between them.
///
/// ```
/// // A test that fails for seeds whose veth MAC ends in an odd digit.
/// let failing = nslab::failing_seeds(0..20, None, |seed| {
///     let mut lab = nslab::Lab::from_script_seeded("ip link add a type veth peer name b\n", Some(seed))?;
///     let (lines, _) = lab.exec("", "ip link show a")?;
///     let mac = lines[1].split_whitespace().nth(1).unwrap_or_default().to_string();
///     match mac.ends_with(['0', '2', '4', '6', '8', 'a', 'c', 'e']) {
///         true => Ok(()),
///         false => Err(nslab::Error::Refused(format!("odd MAC {mac}"))),
///     }
/// });
/// assert!(!failing.is_empty() && failing.len() < 20);
/// for (seed, why) in &failing {
///     assert!(why.starts_with("odd MAC"), "seed {seed}: {why}");
/// }
/// ```
pub fn failing_seeds<E, F>(seeds: Range<u64>, jobs: Option<usize>, test: F) -> Vec<(u64, String)>
where
    E: Display,
    F: Fn(u64) -> Result<(), E> + Sync,
{
    use rayon::prelude::*;
    let run = || {
        let mut failing: Vec<(u64, String)> = seeds
            .into_par_iter()
            .filter_map(|seed| {
                let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| test(seed)));
                match outcome {
                    Ok(Ok(())) => None,
                    Ok(Err(e)) => Some((seed, e.to_string())),
                    Err(panic) => {
                        let msg = panic
                            .downcast_ref::<String>()
                            .cloned()
                            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                            .unwrap_or_default();
                        Some((seed, format!("panicked: {msg}")))
                    }
                }
            })
            .collect();
        failing.sort_by_key(|(s, _)| *s);
        failing
    };
    match rayon::ThreadPoolBuilder::new().num_threads(jobs.unwrap_or(0)).build() {
        Ok(pool) => pool.install(run),
        Err(_) => run(),
    }
}
