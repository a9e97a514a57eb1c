//! `run`, `check`, `convert`, `diff`, `all`, `list`, `doctor` and `kernel gc`: one
//! scenario (or a directory of them) through the library, its results on stdout.
//!
//! It owns what each subcommand prints and its status; it must not run anything itself.

use super::find::{self, Found};
use super::out::{self, Kind};
use super::{Done, Exit, Fail, kernel_fail};
use nslab::scenarios::render::{explain, json, transcript};
use nslab::scenarios::{self, command::Scenario, run::sim};
use std::collections::BTreeMap;
use std::path::Path;

/// `nslab run`'s options.
pub struct RunOpts<'a> {
    /// The sim's seed.
    pub seed: Option<u64>,
    /// Where captures go.
    pub pcap: Option<&'a Path>,
    /// Verdict only.
    pub quiet: bool,
    /// JSON lines.
    pub json: bool,
    /// The event guard.
    pub event_budget: Option<u64>,
    /// On the kernel.
    pub kernel: bool,
    /// Print the run's statistics at the end.
    pub stats: bool,
    /// Explain every packet that died, after the transcript.
    pub explain: bool,
}

/// A spinner on stderr while a long piece of work runs, on a terminal only (indicatif hides
/// it otherwise); cleared before anything is printed.
fn spinner(message: String) -> indicatif::ProgressBar {
    let spin = indicatif::ProgressBar::new_spinner().with_message(message);
    spin.enable_steady_tick(std::time::Duration::from_millis(120));
    spin
}

fn load(f: &Found) -> Result<Scenario, Fail> {
    scenarios::load(&f.name, &f.text).map_err(|e| Fail::input(e.to_string()))
}

/// What a run gives the printing: the outcome, the names of the namespaces its records
/// name, the sim's seed, and its engine's counts (sim: events, virtual time at the end).
type Ran = (transcript::Outcome, BTreeMap<nslab::sim_core::NodeId, String>, Option<u64>, Option<Engine>);

/// A sim run's events processed and its virtual time at the end.
type Engine = (u64, nslab::sim_core::Instant);

/// Runs `sc` on the back end `o` names (on the kernel with `live`, printing the transcript
/// as it happens); a run a guard stopped is the failure with the transcript up to then.
fn run_on(name: &str, text: &str, sc: Scenario, o: &RunOpts<'_>, live: bool) -> Result<Ran, (Fail, Option<String>)> {
    if o.kernel {
        let collect = nslab::kernel_backend::Collect { drop_counters: o.explain };
        let sink: Option<nslab::kernel_backend::runner::Sink> = live.then(|| Box::new(out::raw) as _);
        let run = nslab::kernel_backend::run_collecting(name, text, &sc, collect, sink);
        let run = run.map_err(|e| (kernel_fail(e), None))?;
        return Ok((run.into_outcome(), BTreeMap::new(), None, None));
    }
    // Every error to be found without running, all of them, before anything runs.
    scenarios::check(name, text, &sc).map_err(|e| (Fail::input(e.to_string()), None))?;
    let opts = sim::RunOptions { seed: o.seed, event_budget: o.event_budget, ..Default::default() };
    let limits = nslab::sim_core::world::Limits::default();
    match sim::run_owned(name, text, sc, &opts, limits) {
        Ok(r) => {
            let nodes = r.node_names();
            let engine = (r.lab.world().events_processed(), r.end());
            let seed = r.seed;
            Ok((r.into_outcome(), nodes, Some(seed), Some(engine)))
        }
        Err(f) => Err((Fail { code: Exit::Failed, message: f.error.to_string() }, f.transcript)),
    }
}

/// `nslab run [--kernel]`: one path for both back ends — load, run on the sim or the
/// kernel (each validates first: kernel mode runs nothing `check` refuses), print, write
/// captures, report.
pub fn run(arg: &str, o: RunOpts<'_>) -> Done {
    let found = find::scenario(arg)?;
    let (name, text) = (&found.name, &found.text);
    let sc = load(&found)?;
    // On the kernel, real time passes: the transcript is printed as it happens.
    let live = o.kernel && !o.quiet && !o.json;
    let wall = std::time::Instant::now();
    let spin = match live {
        true => indicatif::ProgressBar::hidden(),
        false => spinner(format!("{name}: {} steps{}", sc.steps.len(), if o.kernel { " on the kernel" } else { "" })),
    };
    let checks: usize = sc.steps.iter().map(|s| s.expect.len()).sum();
    let ran = run_on(name, text, sc, &o, live);
    spin.finish_and_clear();
    let (out, nodes, seed, engine) = match ran {
        Ok(x) => x,
        Err((fail, so_far)) => {
            // A guard stopped the run: what happened up to there, then why.
            if let Some(t) = so_far.filter(|_| !o.quiet && !o.json) {
                out::raw(&t);
            }
            return Err(fail);
        }
    };
    let failures = out.failures(name);
    if o.json {
        let back_end = if o.kernel { "kernel" } else { "sim" };
        let header = json::Header { scenario: name, back_end, seed };
        out::raw(&json::lines(&header, &out, &nodes, &failures, checks));
    } else if !o.quiet && !live {
        out::raw(&transcript::text(&out.rendered));
    }
    if o.explain && o.kernel {
        // The kernel says how many, not which packet: its counters at the end.
        match out.drop_counters.is_empty() {
            true => out::line("explain: none of the kernel's drop counters nslab reads counted a packet"),
            false => {
                out::line("explain: the kernel's drop counters at the end (per namespace, the whole run)");
                for l in &out.drop_counters {
                    out::line(&format!("  {l}"));
                }
            }
        }
    } else if o.explain && !o.json {
        let lines = explain::explain(&out, &nodes);
        match lines.is_empty() {
            true => out::line("explain: no packet was dropped"),
            false => {
                out::line("explain: why packets died");
                for l in lines {
                    out::line(&format!("  {l}"));
                }
            }
        }
    }
    match o.pcap {
        Some(dir) => write_pcaps(&out, found.path.as_deref(), dir)?,
        None => {
            for (w, step) in written_files(&out) {
                let line = out.steps[step].span.line;
                out::diag(&format!(
                    "note: {name}:{line}: `tcpdump -w {w}` wrote nothing: nslab writes captures only with --pcap DIR (this one to DIR/{})",
                    file_name(&w)
                ));
            }
        }
    }
    if !o.json {
        verdict(name, checks, &failures, o.quiet, &out.how);
    }
    if o.stats {
        out::diag(&stats(&out, engine, wall.elapsed()));
    }
    Ok(if failures.is_empty() { Exit::Ok } else { Exit::Failed })
}

/// `--stats`: what a run cost, for sizing a lab.
fn stats(out: &transcript::Outcome, engine: Option<Engine>, wall: std::time::Duration) -> String {
    use nslab::sim_core::Record;
    let frames = out.records.iter().filter(|r| matches!(r, Record::Frame { .. })).count();
    let mut drops: BTreeMap<&str, u64> = BTreeMap::new();
    for ((_, _, reason), n) in &out.drop_counts {
        *drops.entry(reason).or_default() += n;
    }
    let total: u64 = drops.values().sum();
    let mut by: Vec<(&&str, &u64)> = drops.iter().collect();
    by.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let reasons: Vec<String> = by.iter().map(|(r, n)| format!("{n} {r}")).collect();
    let mut s = String::new();
    if let Some((events, _)) = engine {
        s += &format!("stats: events        {events}\n");
    }
    s += &format!("stats: frames        {frames} captured\n");
    s += &format!("stats: drops         {total}{}{}\n", if total > 0 { ": " } else { "" }, reasons.join(", "));
    if let Some((_, end)) = engine {
        let v = end.as_nanos() as f64 / 1e9;
        let ratio = if wall.as_secs_f64() > 0.0 { v / wall.as_secs_f64() } else { 0.0 };
        s += &format!("stats: virtual time  {v:.3} s ({ratio:.0}× real time)\n");
    }
    s += &format!("stats: wall time     {:.3} s\n", wall.as_secs_f64());
    let peak = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|t| t.lines().find_map(|l| l.strip_prefix("VmHWM:").map(|v| v.trim().to_string())));
    s += &format!("stats: peak memory   {}", peak.unwrap_or_else(|| "unknown".into()));
    s
}

/// Prints a run's failed expectations and, when quiet or failing, its verdict line.
fn verdict(name: &str, checks: usize, failures: &[transcript::Failure], quiet: bool, how: &str) {
    for f in failures {
        out::line(&f.to_string());
    }
    if quiet || !failures.is_empty() {
        let word = if failures.is_empty() { "PASS" } else { "FAIL" };
        out::line(&format!("{word} {name}: {} of {checks} expectations held {how}", checks - failures.len()));
    }
}

/// The `-w FILE` of each capture that has one, with its step, in capture order.
fn written_files(out: &transcript::Outcome) -> Vec<(String, usize)> {
    out.attribution
        .captures
        .values()
        .filter_map(|&(step, _, _)| match &out.steps[step].run {
            scenarios::Command::Tcpdump(t) => t.write.clone().map(|w| (w, step)),
            _ => None,
        })
        .collect()
}

/// The file name of a `-w` path (`/tmp/x.pcap` → `x.pcap`).
fn file_name(w: &str) -> String {
    Path::new(w).file_name().and_then(|n| n.to_str()).unwrap_or("capture.pcap").to_string()
}

/// `--pcap DIR`: every capture in `DIR/<scenario>.pcapng`, and each `tcpdump -w FILE` as
/// tcpdump writes it — classic pcap, or pcapng when FILE ends in `.pcapng` — in `DIR/FILE`.
/// A `-w` file named as the combined one is refused before anything is written.
fn write_pcaps(out: &transcript::Outcome, file: Option<&Path>, dir: &Path) -> Result<(), Fail> {
    let io = |p: &Path, e: std::io::Error| Fail { code: Exit::Failed, message: format!("nslab: {}: {e}", p.display()) };
    let (caps, records) = (&out.captures, &out.records);
    let stem = file.and_then(|f| f.file_stem()).and_then(|s| s.to_str()).unwrap_or("stdin");
    let combined = format!("{stem}.pcapng");
    let mut names = std::collections::BTreeSet::new();
    for (w, step) in written_files(out) {
        if !names.insert(file_name(&w)) {
            return Err(Fail::input(format!(
                "nslab: line {}: `tcpdump -w {w}` would overwrite another capture's {}: give it another name",
                out.steps[step].span.line,
                dir.join(file_name(&w)).display()
            )));
        }
        if file_name(&w) == combined {
            return Err(Fail::input(format!(
                "nslab: line {}: `tcpdump -w {w}` would overwrite the combined capture {}: give it another name",
                out.steps[step].span.line,
                dir.join(&combined).display()
            )));
        }
    }
    std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    let all = transcript::pcapng(caps, records, None, out.epoch).map_err(|e| Fail::input(e.to_string()))?;
    let path = dir.join(&combined);
    std::fs::write(&path, all).map_err(|e| io(&path, e))?;
    for (cap, &(step, _, _)) in &out.attribution.captures {
        if let scenarios::Command::Tcpdump(t) = &out.steps[step].run
            && let Some(w) = &t.write
        {
            let name = file_name(w);
            let bytes = if name.ends_with(".pcapng") {
                transcript::pcapng(caps, records, Some(*cap), out.epoch)
            } else {
                transcript::pcap(records, *cap, t.iface == "any", out.epoch)
            };
            let p = dir.join(name);
            std::fs::write(&p, bytes.map_err(|e| Fail::input(e.to_string()))?).map_err(|e| io(&p, e))?;
        }
    }
    Ok(())
}

/// `nslab check`: every error of every file, on stderr; `ok …` per good file on stdout.
pub fn check(files: &[String]) -> Done {
    let mut code = Exit::Ok;
    for f in files {
        let res = find::scenario(f).and_then(|found| load(&found).map(|sc| (found, sc))).and_then(|(found, sc)| {
            scenarios::check(&found.name, &found.text, &sc).map_err(|e| Fail::input(e.to_string()))?;
            Ok((found, sc))
        });
        match res {
            Ok((found, sc)) => out::line(&format!(
                "ok {}: {} steps, {} expectations",
                found.name,
                sc.steps.len(),
                sc.steps.iter().map(|s| s.expect.len()).sum::<usize>()
            )),
            Err(e) => {
                code = Exit::BadInput;
                out::diag(&e.message);
            }
        }
    }
    Ok(code)
}

/// `nslab convert`: the scenario in the other form.
pub fn convert(arg: &str) -> Done {
    let found = find::scenario(arg)?;
    let sc = load(&found)?;
    if found.name.ends_with(".ron") {
        out::raw(&scenarios::front::convert::to_script(&sc));
    } else {
        out::raw(&scenarios::front::convert::to_ron(&sc).map_err(|e| Fail::input(e.to_string()))?);
    }
    Ok(Exit::Ok)
}

/// `nslab diff`: both back ends, compared step by step.
pub fn diff(
    arg: &str,
    seed: Option<u64>,
    json: Option<&Path>,
    html: Option<&Path>,
    drops: bool,
    verbose: bool,
) -> Done {
    let found = find::scenario(arg)?;
    let (name, text) = (&found.name, &found.text);
    let sc = load(&found)?;
    let opts = sim::RunOptions { seed, ..Default::default() };
    let sim = sim::run(name, text, &sc, &opts).map_err(|e| Fail::input(e.to_string()))?;
    // Real time passes on the kernel: a spinner on a terminal (nothing when piped).
    let spin = spinner(format!("{name}: running on the kernel"));
    let collect = nslab::kernel_backend::Collect { drop_counters: drops };
    let kernel = nslab::kernel_backend::run_collecting(name, text, &sc, collect, None);
    spin.finish_and_clear();
    let kernel = kernel.map_err(kernel_fail)?;
    if verbose {
        out::raw(&format!("--- sim (seed {})\n{}", sim.seed, transcript::text(&sim.rendered)));
        out::raw(&format!(
            "--- kernel ({:.1} s)\n{}",
            kernel.elapsed.as_secs_f64(),
            transcript::text(&kernel.rendered)
        ));
    }
    let mut report = scenarios::diff::compare(
        name,
        &sc,
        scenarios::diff::Side { name: "sim", rendered: &sim.rendered },
        scenarios::diff::Side { name: "kernel", rendered: &kernel.rendered },
    );
    if drops {
        report.add_lines("drop counters, as the kernel keeps them", &sim.drop_counters(), &kernel.drop_counters);
    }
    out::print(&report.text(), Kind::Diff);
    let write = |path: &Path, page: String| {
        std::fs::write(path, page)
            .map_err(|e| Fail { code: Exit::Failed, message: format!("nslab: {}: {e}", path.display()) })?;
        out::line(&format!("report: {}", path.display()));
        Ok::<(), Fail>(())
    };
    if let Some(path) = json {
        write(path, report.json())?;
    }
    if let Some(path) = html {
        write(path, report.html())?;
    }
    Ok(if report.agrees() { Exit::Ok } else { Exit::Failed })
}

/// `nslab all`: every scenario of a directory, a verdict line each.
pub fn all(dir: &Path) -> Done {
    let files = nslab::scenario_files(dir).map_err(|e| Fail::input(format!("nslab: {}: {e}", dir.display())))?;
    if files.is_empty() {
        return Err(Fail::input(format!("nslab: no scenarios (*.sh, *.ron) in {}", dir.display())));
    }
    let mut code = Exit::Ok;
    // A bar under the verdicts on a terminal; each verdict is printed above it.
    let bar = indicatif::ProgressBar::new(files.len() as u64).with_style(
        indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    for f in files {
        bar.inc(1);
        let (name, text) = match nslab::read_scenario(&f) {
            Ok(x) => x,
            Err(e) => {
                code = Exit::Failed;
                bar.suspend(|| {
                    out::line(&format!("ERROR {}", f.display()));
                    out::diag(&e);
                });
                continue;
            }
        };
        bar.set_message(name.clone());
        let verdict = scenarios::load(&name, &text).and_then(|sc| {
            let r = sim::run(&name, &text, &sc, &sim::RunOptions::default())?;
            Ok((sc, r))
        });
        match verdict {
            Ok((sc, r)) => {
                let failures = r.failures(&name);
                let checks: usize = sc.steps.iter().map(|s| s.expect.len()).sum();
                let word = if failures.is_empty() { "PASS" } else { "FAIL" };
                let mut text = format!(
                    "{word} {name}: {}/{checks} expectations, {} steps, {} s virtual\n",
                    checks - failures.len(),
                    sc.steps.len(),
                    r.end()
                );
                for fl in &failures {
                    text.push_str(&format!("  {fl}\n"));
                }
                bar.suspend(|| out::print(&text, Kind::Plain));
                if !failures.is_empty() {
                    code = Exit::Failed;
                }
            }
            Err(e) => {
                code = Exit::Failed;
                bar.suspend(|| {
                    out::line(&format!("ERROR {name}"));
                    out::diag(&e.to_string());
                });
            }
        }
    }
    bar.finish_and_clear();
    Ok(code)
}

/// `nslab list`: the bundled scenarios, a name and a description each.
pub fn list(dir: &Path) -> Done {
    let files = nslab::scenario_files(dir).map_err(|e| Fail::input(format!("nslab: {}: {e}", dir.display())))?;
    let scripts: Vec<_> = files.into_iter().filter(|f| f.extension().is_some_and(|e| e == "sh")).collect();
    let rows: Vec<(String, String)> = scripts
        .iter()
        .map(|f| {
            let stem = f.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_string();
            let about = nslab::read_scenario(f)
                .ok()
                .and_then(|(name, text)| scenarios::load(&name, &text).ok())
                .map(|sc| sc.description)
                .unwrap_or_default();
            (stem, about)
        })
        .collect();
    let width = rows.iter().map(|(n, _)| n.len()).max().unwrap_or(0);
    let text: String = rows.iter().map(|(n, d)| format!("{n:<width$}  {d}\n")).collect();
    out::raw(&text);
    Ok(Exit::Ok)
}

/// `nslab doctor`.
pub fn doctor() -> Done {
    let lines = nslab::kernel_backend::doctor();
    let ok = lines.iter().all(|l| !l.starts_with("no "));
    out::raw(&lines.iter().map(|l| format!("{l}\n")).collect::<String>());
    Ok(if ok { Exit::Ok } else { Exit::NoKernel })
}

/// `nslab kernel gc`.
pub fn gc() -> Done {
    let gone = nslab::kernel_backend::gc();
    let mut text: String = gone.iter().map(|g| format!("removed {g}\n")).collect();
    text.push_str(&format!("{} left-overs removed\n", gone.len()));
    out::raw(&text);
    Ok(Exit::Ok)
}
