//! scenarios: everything between a scenario file and a back end, laid out as the pipeline
//! runs: front ends → `Command` → back ends' shells → trace → renderers → diff.
//!
//! | folder / module | owns |
//! |---|---|
//! | [`front`] | the front ends: the shell-script one ([`front::script`], the tutorials' own lines), the RON one ([`front::ron`], the canonical typed form), and converting between them ([`front::convert`]) |
//! | [`command`] | `Command`, `Step`, `Scenario`, `Expect` — the one vocabulary; the one table of programs ([`command::programs`]); the checks a step needs before it can run ([`command::validate`]) |
//! | [`run`] | what runs a scenario: [`run::shell`], what both back ends' shells share (expected exits, jobs that never end, the refusals' texts); [`run::sim`], the sim back end's runner (steps → `Lab` → trace); [`run::spawn`], which sim program each program command starts; [`run::dhcp`], dnsmasq's and dhclient's options → those programs' arguments. Kernel mode's runner is the `kernel-backend` crate |
//! | [`render`] | a run's trace → transcript, per-step output, JSON, pcapng, which step each record belongs to ([`render::transcript`]); matching expectations ([`render::expect`]) |
//! | [`diff`] | comparing a sim run with a kernel run, step by step |
//! | [`error`] | errors with file, line, column and a hint (every stage's) |
//!
//! Front ends know no back end; `command` knows no runner; renderers read only the trace.
//! It must not depend on the kernel back end.

pub mod command;
pub mod diff;
pub mod error;
pub mod front;
pub mod render;
pub mod run;

pub use command::{Command, Expect, Scenario, Step};
pub use error::{ScenarioError, Span};

/// The one validation pass, run before any back end starts: the front ends' checks of each
/// step (done by [`load`]) and then the whole configuration applied to a machine that runs
/// nothing — names, addresses, routes, sysctls, iptables rules, job numbers, and what a run
/// would refuse without running (a foreground `ping` without `-c` that would not end at
/// once, `wait` for a job that never ends). `nslab check`, `nslab run`, and kernel mode all
/// go through it, so kernel mode never runs what `check` refuses. It goes on past a refused
/// step: the error it returns is the first, carrying every other one
/// ([`ScenarioError::more`]), as [`load`] does for what the front ends cannot read.
pub fn check(file: &str, source: &str, sc: &Scenario) -> Result<(), ScenarioError> {
    run::sim::dry_run(file, source, sc)
}

/// Loads a scenario file of either kind: `.ron` is RON, anything else a shell script.
pub fn load(file: &str, source: &str) -> Result<Scenario, ScenarioError> {
    let mut sc =
        if file.ends_with(".ron") { front::ron::parse(file, source) } else { front::script::parse(file, source) }?;
    // The steps hold what they are, not what growing them left spare: a script of 10⁵
    // hosts has 7·10⁵ steps, a third of whose room was spare.
    sc.steps.shrink_to_fit();
    Ok(sc)
}
