//! `nslab sweep`: every scenario for every seed of a range, in parallel on all cores
//! (rayon), one JSON line per run (`--out`), and a summary that names each failing seed
//! with the command that replays it. `--shard K/N` takes a deterministic share (a hash of
//! scenario and seed, as `cargo nextest --partition hash:K/N` does), so the same sweep runs
//! as a Kubernetes Indexed Job, a Slurm job array or a CI matrix; `nslab sweep merge`
//! combines the shards' JSON lines into the same summary, byte for byte.
//!
//! It owns the sweep's records and summary; runs are the library's (`scenarios::run::sim`).

use super::out::{self, Kind};
use super::{Done, Exit, Fail, find};
use nslab::scenarios::{self, render::transcript, run::sim};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::hash::Hasher;
use std::io::Write;
use std::path::PathBuf;
use std::str::FromStr;

/// The schema of a sweep's JSON lines.
pub const SCHEMA: &str = "nslab.sweep/1";

/// How many failing seeds the summary lists per scenario (the JSON lines have them all).
const LISTED: usize = 20;

/// `nslab sweep …`.
#[derive(clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct SweepArgs {
    #[command(subcommand)]
    cmd: Option<SweepCmd>,
    /// Scenario files, directories of them (their `.sh` files), or bundled names.
    paths: Vec<String>,
    /// The seeds: `A..B` (B excluded, as in Rust) or one seed.
    #[arg(long, value_name = "A..B")]
    seeds: Option<Seeds>,
    /// Runs at once (default: one per core).
    #[arg(long, short)]
    jobs: Option<usize>,
    /// Run only share K of N (1 ≤ K ≤ N): a hash of scenario and seed decides.
    #[arg(long, value_name = "K/N")]
    shard: Option<Shard>,
    /// Write one JSON line per run here (schema `nslab.sweep/1`).
    #[arg(long, value_name = "PATH")]
    out: Option<PathBuf>,
}

#[derive(clap::Subcommand)]
enum SweepCmd {
    /// Combine shards' JSON lines into one summary.
    Merge {
        /// The shards' `--out` files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

/// A range of seeds.
#[derive(Clone, Copy, Debug)]
pub struct Seeds(u64, u64);

impl FromStr for Seeds {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let num = |t: &str| t.trim().parse::<u64>().map_err(|_| format!("`{t}` is not a seed (0 to 2^64-1)"));
        match s.split_once("..") {
            Some((a, b)) => {
                let (a, b) = (num(a)?, num(b)?);
                if a >= b {
                    return Err(format!("{a}..{b} holds no seed: the end is excluded (0..10 is ten seeds)"));
                }
                Ok(Seeds(a, b))
            }
            None => num(s).map(|a| Seeds(a, a + 1)),
        }
    }
}

/// Share K of N.
#[derive(Clone, Copy, Debug)]
pub struct Shard(u64, u64);

impl FromStr for Shard {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (k, n) = s.split_once('/').ok_or("write it K/N, as 2/4")?;
        let (k, n) = (k.parse::<u64>().map_err(|e| e.to_string())?, n.parse::<u64>().map_err(|e| e.to_string())?);
        if n == 0 || k == 0 || k > n {
            return Err(format!("{k}/{n}: K counts from 1 to N (a Kubernetes index or Slurm task id plus one)"));
        }
        Ok(Shard(k, n))
    }
}

/// One run of a sweep, as its JSON line holds it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RunRecord {
    /// [`SCHEMA`].
    pub schema: String,
    /// The scenario file, as given.
    pub scenario: String,
    /// The seed.
    pub seed: u64,
    /// `pass`, `fail` (an expectation) or `error` (refused, or stopped by a guard).
    pub verdict: String,
    /// What failed, as the text verdict prints it.
    pub failures: Vec<String>,
    /// FNV-1a 64 of the transcript text (equal runs, equal hashes).
    pub transcript: String,
    /// Wall time of the run (not in the summary: it is the machine's, not the run's).
    pub wall_ms: u64,
}

fn fnv(bytes: &[u8]) -> u64 {
    let mut h = fnv::FnvHasher::default();
    h.write(bytes);
    h.finish()
}

/// Whether `(scenario, seed)` is in `shard`.
fn in_shard(shard: Option<Shard>, scenario: &str, seed: u64) -> bool {
    shard.is_none_or(|Shard(k, n)| fnv(format!("{scenario}\0{seed}").as_bytes()) % n == k - 1)
}

/// `nslab sweep` and `nslab sweep merge`.
pub fn sweep(a: SweepArgs) -> Done {
    if let Some(SweepCmd::Merge { files }) = a.cmd {
        return merge(&files);
    }
    let Some(Seeds(from, to)) = a.seeds else {
        return Err(Fail::input("nslab sweep: which seeds? --seeds A..B (B excluded), as --seeds 0..1000"));
    };
    if a.paths.is_empty() {
        return Err(Fail::input(
            "nslab sweep: which scenarios? give files or a directory, as `nslab sweep scenarios/`",
        ));
    }
    let files = find::files(&a.paths)?;
    // Every scenario parsed and checked before anything runs.
    let mut loaded = Vec::new();
    for f in &files {
        let (name, text) = nslab::read_scenario(f).map_err(Fail::input)?;
        let sc = scenarios::load(&name, &text).map_err(|e| Fail::input(e.to_string()))?;
        scenarios::check(&name, &text, &sc).map_err(|e| Fail::input(e.to_string()))?;
        loaded.push((name, text, sc));
    }
    let work: Vec<(usize, u64)> = (0..loaded.len())
        .flat_map(|i| (from..to).map(move |s| (i, s)))
        .filter(|&(i, s)| in_shard(a.shard, &loaded[i].0, s))
        .collect();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(a.jobs.unwrap_or(0))
        .build()
        .map_err(|e| Fail { code: Exit::Failed, message: format!("nslab sweep: {e}") })?;
    let bar = indicatif::ProgressBar::new(work.len() as u64).with_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} runs, {per_sec}, {eta} left")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let mut records: Vec<RunRecord> = pool.install(|| {
        work.par_iter()
            .map(|&(i, seed)| {
                let (name, text, sc) = &loaded[i];
                let r = one(name, text, sc, seed);
                bar.inc(1);
                r
            })
            .collect()
    });
    bar.finish_and_clear();
    records.sort_by(|x, y| (&x.scenario, x.seed).cmp(&(&y.scenario, y.seed)));
    if let Some(path) = &a.out {
        write_lines(path, &records)?;
    }
    report(&records)
}

/// One run: its record.
fn one(name: &str, text: &str, sc: &scenarios::command::Scenario, seed: u64) -> RunRecord {
    let t0 = std::time::Instant::now();
    let opts = sim::RunOptions { seed: Some(seed), ..Default::default() };
    let (verdict, failures, transcript) = match sim::run(name, text, sc, &opts) {
        Ok(r) => {
            let failures: Vec<String> = r.failures(name).iter().map(|f| f.to_string()).collect();
            let hash = fnv(transcript::text(&r.rendered).as_bytes());
            let verdict = if failures.is_empty() { "pass" } else { "fail" };
            (verdict, failures, format!("fnv1a64:{hash:016x}"))
        }
        Err(e) => ("error", vec![e.to_string()], String::new()),
    };
    RunRecord {
        schema: SCHEMA.into(),
        scenario: name.into(),
        seed,
        verdict: verdict.into(),
        failures,
        transcript,
        wall_ms: t0.elapsed().as_millis() as u64,
    }
}

fn write_lines(path: &PathBuf, records: &[RunRecord]) -> Result<(), Fail> {
    let io = |e: std::io::Error| Fail { code: Exit::Failed, message: format!("nslab: {}: {e}", path.display()) };
    let mut w = std::io::BufWriter::new(std::fs::File::create(path).map_err(io)?);
    for r in records {
        let line = serde_json::to_string(r).map_err(|e| io(std::io::Error::other(e)))?;
        writeln!(w, "{line}").map_err(io)?;
    }
    w.flush().map_err(io)
}

/// `nslab sweep merge`: the shards' records, one summary.
fn merge(files: &[PathBuf]) -> Done {
    let mut records = Vec::new();
    let mut seen = BTreeSet::new();
    for f in files {
        let text = std::fs::read_to_string(f).map_err(|e| Fail::input(format!("nslab: {}: {e}", f.display())))?;
        for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            let r: RunRecord = serde_json::from_str(line).map_err(|e| {
                Fail::input(format!("nslab: {}:{}: not a sweep record ({SCHEMA}): {e}", f.display(), n + 1))
            })?;
            if r.schema != SCHEMA {
                return Err(Fail::input(format!(
                    "nslab: {}:{}: schema {} (this nslab reads {SCHEMA})",
                    f.display(),
                    n + 1,
                    r.schema
                )));
            }
            if !seen.insert((r.scenario.clone(), r.seed)) {
                return Err(Fail::input(format!(
                    "nslab: {}:{}: {} seed {} is in two shards: were they made with the same --shard?",
                    f.display(),
                    n + 1,
                    r.scenario,
                    r.seed
                )));
            }
            records.push(r);
        }
    }
    records.sort_by(|x, y| (&x.scenario, x.seed).cmp(&(&y.scenario, y.seed)));
    report(&records)
}

/// Prints the summary of `records` (in scenario, seed order): the same text for a sweep
/// and for the merge of its shards.
fn report(records: &[RunRecord]) -> Done {
    #[derive(Default)]
    struct Tally<'a> {
        pass: usize,
        fail: usize,
        error: usize,
        hashes: BTreeSet<&'a str>,
        bad: Vec<&'a RunRecord>,
    }
    let mut by: BTreeMap<&str, Tally<'_>> = BTreeMap::new();
    for r in records {
        let t = by.entry(&r.scenario).or_default();
        match r.verdict.as_str() {
            "pass" => t.pass += 1,
            "fail" => t.fail += 1,
            _ => t.error += 1,
        }
        if !r.transcript.is_empty() {
            t.hashes.insert(&r.transcript);
        }
        if r.verdict != "pass" {
            t.bad.push(r);
        }
    }
    let (pass, fail, error) = by.values().fold((0, 0, 0), |(p, f, e), t| (p + t.pass, f + t.fail, e + t.error));
    let width = by.keys().map(|k| k.len()).max().unwrap_or(8).max(8);
    let mut s = format!("{} runs of {} scenarios: {pass} pass, {fail} fail, {error} error\n", records.len(), by.len());
    s.push_str(&format!(
        "{:<width$}  {:>6}  {:>6}  {:>6}  {:>11}\n",
        "scenario", "pass", "fail", "error", "transcripts"
    ));
    for (name, t) in &by {
        s.push_str(&format!("{name:<width$}  {:>6}  {:>6}  {:>6}  {:>11}\n", t.pass, t.fail, t.error, t.hashes.len()));
    }
    for (name, t) in &by {
        for r in t.bad.iter().take(LISTED) {
            let why = r.failures.first().and_then(|f| f.lines().next()).unwrap_or("");
            let word = if r.verdict == "fail" { "FAIL" } else { "ERROR" };
            s.push_str(&format!(
                "{word} {name} seed {}: {why}\n  replay: nslab run {name} --seed {}\n",
                r.seed, r.seed
            ));
        }
        if t.bad.len() > LISTED {
            s.push_str(&format!("  … and {} more failing seeds of {name} (in the JSON lines)\n", t.bad.len() - LISTED));
        }
    }
    out::print(&s, Kind::Plain);
    Ok(if fail + error == 0 { Exit::Ok } else { Exit::Failed })
}
