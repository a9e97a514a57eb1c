//! The shell both back ends put in front of a scenario: what a job is to it, when a step's
//! failure is what the scenario expects, and the texts of its refusals (`kill %N` of no
//! job, `wait` on a job that never ends, a foreground `ping` without `-c`). The sim runner
//! ([`super::sim`]) and kernel mode's (`kernel_backend::runner`) both take these from here, so
//! a scenario is refused with the same words on either. It owns no back end and runs
//! nothing; it must not import either runner.

use crate::command::{Command, Expect, Step};
use crate::error::ScenarioError;

/// The exit status a step says it expects (`#! exit: N`), if it says one.
pub fn expected_exit(step: &Step) -> Option<i32> {
    step.expect.iter().find_map(|x| if let Expect::Exit(n) = x { Some(*n) } else { None })
}

/// A command the machine refused (its message and exit status): when the step expects a
/// failure (`#! exit: N`, N ≠ 0), the message is the command's stderr (`say`) and the status
/// its exit (`exits`), and the run goes on; otherwise the run stops with `stop()`.
pub fn refuse<E>(
    i: usize,
    step: &Step,
    message: &str,
    status: i32,
    exits: &mut std::collections::BTreeMap<usize, i32>,
    mut say: impl FnMut(String),
    stop: impl FnOnce() -> E,
) -> Result<(), E> {
    match expected_exit(step) {
        Some(n) if n != 0 => {
            for l in message.lines() {
                say(l.to_string());
            }
            exits.insert(i, status);
            Ok(())
        }
        _ => Err(stop()),
    }
}

/// `kill %N`, `input %N` of a job there is not: what bash prints.
pub fn no_such_job(program: &str, job: u32) -> String {
    format!("{program}: %{job}: no such job")
}

/// A program that never ends by itself: only `kill %N` (or the scenario's end) stops it.
/// (A ping without `-c` may end at once, unreachable; only starting it tells.)
pub fn never_ends(cmd: &Command) -> bool {
    match cmd {
        Command::Tcpdump(_) | Command::HttpServer(_) => true,
        Command::Dnsmasq(d) => d.no_daemon,
        Command::Dhclient(d) => d.foreground && !d.release,
        Command::Nc(n) => n.listen && n.keep_open,
        c => c.is_conntrack_events(),
    }
}

/// A background job that keeps `wait` waiting for ever, as the back end finds it running:
/// one that [`never_ends`], or a ping without `-c`.
pub fn keeps_wait_waiting(cmd: &Command) -> bool {
    never_ends(cmd) || matches!(cmd, Command::Ping(p) if p.count.is_none())
}

/// `wait` while a job runs that never ends by itself.
pub fn endless_wait(file: &str, source: &str, step: &Step) -> ScenarioError {
    ScenarioError::at(file, source, step.span, "wait: background jobs never end")
        .with_hint("a background ping needs -c; tcpdump and dnsmasq never end by themselves: `kill %N` them instead")
}

/// A foreground `ping` without `-c` that did not end at once.
pub fn endless_ping(file: &str, source: &str, step: &Step) -> ScenarioError {
    ScenarioError::at(file, source, step.locate("ping"), "ping without -c never ends in the foreground")
        .with_hint("add `-c N`, or run it in the background with `&` and stop it with `kill %N`")
}
