//! scenarios: the `Command` vocabulary, its two front ends and the sim back end's runner.
//!
//! | module | owns |
//! |---|---|
//! | [`command`] | `Command`, `Step`, `Scenario`, `Expect` — the one vocabulary |
//! | [`script`] | the shell-script front end (the tutorials' own lines) |
//! | [`ron_front`] | the RON front end (the canonical typed form) |
//! | [`error`] | errors with file, line, column and a hint |
//! | [`dhcp`] | dnsmasq's and dhclient's option values → the sim processes' arguments |
//! | [`validate`] | checks a step needs before it can run |
//! | [`shell`] | the shell both back ends put in front of a scenario: expected exits, jobs' endings, its refusals' texts |
//! | [`runner`] | the sim runner: steps → `Lab` → trace |
//! | [`spawn`] | which sim process each program command starts, with its arguments |
//! | [`transcript`] | trace → transcript, per-step output, JSON, pcapng; which step each record belongs to; expectations' failures |
//! | [`expect`] | matching expectations against output |
//! | [`diff`] | comparing a sim run with a kernel run, step by step |
//!
//! It must not depend on the kernel back end.

pub mod command;
pub mod convert;
pub mod dhcp;
pub mod diff;
pub mod error;
pub mod expect;
pub mod ron_front;
pub mod runner;
pub mod script;
pub mod shell;
pub mod spawn;
pub mod transcript;
pub mod validate;

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
    let dry = runner::RunOptions { dry_run: true, ..Default::default() };
    runner::run(file, source, sc, &dry).map(|_| ())
}

/// Loads a scenario file of either kind: `.ron` is RON, anything else a shell script.
pub fn load(file: &str, source: &str) -> Result<Scenario, ScenarioError> {
    if file.ends_with(".ron") { ron_front::parse(file, source) } else { script::parse(file, source) }
}
