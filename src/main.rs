//! `nslab`: run, check and convert network-lab scenarios.
//!
//! With no arguments it replays every scenario in `scenarios/` and prints a verdict line
//! for each.

use clap::{Parser, Subcommand};
use nslab::scenarios::{self, render::transcript, run::sim};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "nslab",
    version,
    about = "A deterministic network lab: Linux namespaces, veth, routes and tcpdump in virtual time"
)]
struct Cli {
    #[command(subcommand)]
    cmd: Option<Cmd>,
}

#[derive(Subcommand)]
enum Cmd {
    /// Run a scenario and print the transcript a terminal would have shown.
    Run {
        /// A `.sh` (tutorial commands) or `.ron` scenario.
        file: PathBuf,
        /// Seed for every random choice (MACs, ping ids, timers); overrides the file's.
        #[arg(long)]
        seed: Option<u64>,
        /// Write the captures as pcapng files into this directory.
        #[arg(long, value_name = "DIR")]
        pcap: Option<PathBuf>,
        /// Print only the verdict and failures.
        #[arg(long, short)]
        quiet: bool,
        /// Print the transcript as JSON lines.
        #[arg(long, conflicts_with = "quiet")]
        json: bool,
        /// Stop a run that processes more than N events in one second of virtual time (a loop
        /// and storm guard; default 2000000).
        #[arg(long)]
        event_budget: Option<u64>,
        /// Run on the real kernel (root only) instead of the sim.
        #[arg(long, conflicts_with_all = ["seed", "event_budget"])]
        kernel: bool,
    },
    /// Validate a scenario without running it (syntax, names, configuration).
    Check {
        /// Scenario files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Print a scenario in the other form (`.sh` → RON, `.ron` → shell script).
    Convert {
        /// The scenario.
        file: PathBuf,
    },
    /// Run a scenario on the sim and on the kernel (root only) and compare them.
    Diff {
        /// The scenario.
        file: PathBuf,
        /// The sim's seed (overrides the file's).
        #[arg(long)]
        seed: Option<u64>,
        /// Where to write the report as JSON (default: FILE's name with `.diff.json`, here).
        #[arg(long, value_name = "PATH")]
        json: Option<PathBuf>,
        /// Also print both transcripts.
        #[arg(long, short)]
        verbose: bool,
    },
    /// Report what kernel mode can do on this machine.
    Doctor,
    /// Kernel-mode housekeeping.
    Kernel {
        #[command(subcommand)]
        cmd: KernelCmd,
    },
    /// Replay every scenario in a directory and print one verdict line each.
    All {
        /// The directory (default: `scenarios/`).
        dir: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum KernelCmd {
    /// Remove the namespaces and files runs that were killed left behind.
    Gc,
}

fn diff(file: &Path, seed: Option<u64>, json: Option<&Path>, verbose: bool) -> Result<bool, String> {
    let (name, text) = read(file)?;
    let sc = scenarios::load(&name, &text).map_err(|e| e.to_string())?;
    let opts = sim::RunOptions { seed, ..Default::default() };
    let sim = sim::run(&name, &text, &sc, &opts).map_err(|e| e.to_string())?;
    let kernel = nslab::kernel_backend::run(&name, &text, &sc).map_err(|e| e.to_string())?;
    if verbose {
        println!("--- sim (seed {})", sim.seed);
        print!("{}", transcript::text(&sim.rendered));
        println!("--- kernel ({:.1} s)", kernel.elapsed.as_secs_f64());
        print!("{}", transcript::text(&kernel.rendered));
    }
    let report = scenarios::diff::compare(
        &name,
        &sc,
        scenarios::diff::Side { name: "sim", rendered: &sim.rendered },
        scenarios::diff::Side { name: "kernel", rendered: &kernel.rendered },
    );
    print!("{}", report.text());
    let path = match json {
        Some(p) => p.to_path_buf(),
        None => PathBuf::from(format!("{}.diff.json", file.file_stem().and_then(|s| s.to_str()).unwrap_or("scenario"))),
    };
    std::fs::write(&path, report.json()).map_err(|e| format!("nslab: {}: {e}", path.display()))?;
    println!("report: {}", path.display());
    Ok(report.agrees())
}

fn read(path: &Path) -> Result<(String, String), String> {
    nslab::read_scenario(path)
}

/// `nslab run [--kernel]`: one path for both back ends — load, run on the sim or the
/// kernel (each validates first: kernel mode runs nothing `check` refuses), print, write
/// captures, report.
fn run(file: &Path, o: RunOpts<'_>) -> Result<bool, String> {
    let (name, text) = read(file)?;
    let sc = scenarios::load(&name, &text).map_err(|e| e.to_string())?;
    let out = if o.kernel {
        nslab::kernel_backend::run(&name, &text, &sc).map_err(|e| e.to_string())?.into_outcome()
    } else {
        // Every error to be found without running, all of them, before anything runs.
        scenarios::check(&name, &text, &sc).map_err(|e| e.to_string())?;
        let opts = sim::RunOptions { seed: o.seed, dry_run: false, event_budget: o.event_budget };
        let limits = nslab::sim_core::world::Limits::default();
        match sim::run_with_limits(&name, &text, &sc, &opts, limits) {
            Ok(r) => r.outcome(),
            Err(f) => {
                // A guard stopped the run: what happened up to there, then why.
                if let Some(t) = f.transcript.as_deref().filter(|_| !o.quiet) {
                    print!("{t}");
                }
                return Err(f.error.to_string());
            }
        }
    };
    if o.json {
        print!("{}", transcript::json(&out.rendered));
    } else if !o.quiet {
        print!("{}", transcript::text(&out.rendered));
    }
    if let Some(dir) = o.pcap {
        write_pcaps(&out, file, dir)?;
    }
    Ok(report(&name, &sc, &out.failures(&name), o.quiet, &out.how))
}

/// `nslab run`'s options.
struct RunOpts<'a> {
    seed: Option<u64>,
    pcap: Option<&'a Path>,
    quiet: bool,
    json: bool,
    event_budget: Option<u64>,
    kernel: bool,
}

/// Prints a run's failed expectations and, when quiet or failing, its verdict line.
fn report(
    name: &str,
    sc: &scenarios::command::Scenario,
    failures: &[impl std::fmt::Display],
    quiet: bool,
    how: &str,
) -> bool {
    for f in failures {
        eprintln!("{f}");
    }
    let checks: usize = sc.steps.iter().map(|s| s.expect.len()).sum();
    if quiet || !failures.is_empty() {
        let verdict = if failures.is_empty() { "PASS" } else { "FAIL" };
        eprintln!("{verdict} {name}: {} of {checks} expectations held {how}", checks - failures.len());
    }
    failures.is_empty()
}

fn write_pcaps(out: &transcript::Outcome, file: &Path, dir: &Path) -> Result<(), String> {
    let (caps, records, attribution, steps) = (&out.captures, &out.records, &out.attribution, &out.steps);
    std::fs::create_dir_all(dir).map_err(|e| format!("nslab: {}: {e}", dir.display()))?;
    let stem = file.file_stem().and_then(|s| s.to_str()).unwrap_or("capture");
    let all = transcript::pcapng(caps, records, None).map_err(|e| e.to_string())?;
    let path = dir.join(format!("{stem}.pcapng"));
    std::fs::write(&path, all).map_err(|e| format!("nslab: {}: {e}", path.display()))?;
    for (cap, &(step, _, _)) in &attribution.captures {
        if let scenarios::Command::Tcpdump(t) = &steps[step].run
            && let Some(w) = &t.write
        {
            let name = Path::new(w).file_name().map(|n| n.to_owned()).unwrap_or_else(|| "capture.pcapng".into());
            let bytes = transcript::pcapng(caps, records, Some(*cap)).map_err(|e| e.to_string())?;
            let p = dir.join(name);
            std::fs::write(&p, bytes).map_err(|e| format!("nslab: {}: {e}", p.display()))?;
        }
    }
    Ok(())
}

fn check(files: &[PathBuf]) -> Result<bool, String> {
    let mut ok = true;
    for f in files {
        let (name, text) = read(f)?;
        let res = scenarios::load(&name, &text).and_then(|sc| scenarios::check(&name, &text, &sc).map(|_| sc));
        match res {
            Ok(sc) => println!(
                "ok {name}: {} steps, {} expectations",
                sc.steps.len(),
                sc.steps.iter().map(|s| s.expect.len()).sum::<usize>()
            ),
            Err(e) => {
                ok = false;
                eprintln!("{e}");
            }
        }
    }
    Ok(ok)
}

fn convert(file: &Path) -> Result<bool, String> {
    let (name, text) = read(file)?;
    let sc = scenarios::load(&name, &text).map_err(|e| e.to_string())?;
    if name.ends_with(".ron") {
        print!("{}", scenarios::front::convert::to_script(&sc));
    } else {
        print!("{}", scenarios::front::convert::to_ron(&sc).map_err(|e| e.to_string())?);
    }
    Ok(true)
}

fn all(dir: &Path) -> Result<bool, String> {
    let files = nslab::scenario_files(dir).map_err(|e| format!("nslab: {}: {e}", dir.display()))?;
    if files.is_empty() {
        return Err(format!("nslab: no scenarios (*.sh, *.ron) in {}", dir.display()));
    }
    let mut ok = true;
    for f in files {
        let (name, text) = match read(&f) {
            Ok(x) => x,
            Err(e) => {
                ok = false;
                println!("ERROR {}", f.display());
                println!("{e}");
                continue;
            }
        };
        let verdict = scenarios::load(&name, &text).and_then(|sc| {
            let r = sim::run(&name, &text, &sc, &sim::RunOptions::default())?;
            Ok((sc, r))
        });
        match verdict {
            Ok((sc, r)) => {
                let failures = r.failures(&name);
                let checks: usize = sc.steps.iter().map(|s| s.expect.len()).sum();
                let word = if failures.is_empty() { "PASS" } else { "FAIL" };
                println!(
                    "{word} {name}: {}/{checks} expectations, {} steps, {} s virtual",
                    checks - failures.len(),
                    sc.steps.len(),
                    r.end()
                );
                for fl in &failures {
                    println!("  {fl}");
                }
                ok &= failures.is_empty();
            }
            Err(e) => {
                ok = false;
                println!("ERROR {name}");
                println!("{e}");
            }
        }
    }
    Ok(ok)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let res = match cli.cmd {
        Some(Cmd::Run { file, seed, pcap, quiet, json, event_budget, kernel }) => {
            run(&file, RunOpts { seed, pcap: pcap.as_deref(), quiet, json, event_budget, kernel })
        }
        Some(Cmd::Check { files }) => check(&files),
        Some(Cmd::Diff { file, seed, json, verbose }) => diff(&file, seed, json.as_deref(), verbose),
        Some(Cmd::Doctor) => {
            let lines = nslab::kernel_backend::doctor();
            let ok = lines.iter().all(|l| !l.starts_with("no "));
            for l in lines {
                println!("{l}");
            }
            Ok(ok)
        }
        Some(Cmd::Kernel { cmd: KernelCmd::Gc }) => {
            let gone = nslab::kernel_backend::gc();
            for g in &gone {
                println!("removed {g}");
            }
            println!("{} left-overs removed", gone.len());
            Ok(true)
        }
        Some(Cmd::Convert { file }) => convert(&file),
        Some(Cmd::All { dir }) => all(&dir.unwrap_or_else(nslab::default_scenario_dir)),
        None => all(&nslab::default_scenario_dir()),
    };
    match res {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
    }
}
