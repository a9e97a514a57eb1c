//! The shell both back ends run a scenario through ([`run_steps`]): steps in order, like a
//! shell without `set -e`, except that a command the machine refuses stops the run with
//! the file, line and column — unless the step expects that exit status, or is a
//! terminal session's command whose output the session shows (`Step::shown`), in which
//! case the tool's message is its output. A foreground program runs until it exits; `&` makes
//! it a job (`%N`; a transcript's program in another terminal is a job without a number,
//! which its `^C` and typed lines name by step); `kill %N` interrupts one, `input %N` types
//! at it, `wait` waits for this terminal's;
//! at the end every job still the terminal's gets Ctrl-C, so tcpdump prints its counts.
//!
//! It owns the job table, the exit statuses of steps, the refusals and their words, and
//! where an error points in the file. It reaches a machine only through
//! [`Backend`]; it must not import a back end.

use super::backend::{Backend, Refusal, Said};
use crate::command::{Brctl, Command, Expect, LinkKind, Step};
use crate::error::{ScenarioError, Span};
use sim_core::Stream;
use std::collections::BTreeMap;

/// A background job, numbered as the shell numbers them.
#[derive(Clone, Debug)]
pub struct Job<J> {
    /// `%N` (0: a transcript's program in another terminal, which has none).
    pub number: u32,
    /// The step that started it.
    pub step: usize,
    /// That step's line in the scenario file.
    pub line: u32,
    /// The program, as the back end holds it.
    pub job: J,
}

/// What [`run_steps`] leaves: the exit statuses of steps whose status the shell knows
/// (programs' come from the trace), the jobs, and how it ended.
pub struct Ran<B: Backend> {
    /// Exit statuses by step.
    pub exits: BTreeMap<usize, i32>,
    /// The background jobs, as they are at the end.
    pub jobs: Vec<Job<B::Job>>,
    /// The error that stopped the run, if one did.
    pub result: Result<(), B::Error>,
    /// With `go_on`: every step's error, the run having gone past each.
    pub refused: Vec<B::Error>,
}

/// Runs `steps` on `b`. `file` and `source` name the scenario in errors. With `go_on` (a
/// dry run, `nslab check`) a refused step does not stop the run: every error is reported.
pub async fn run_steps<B: Backend>(b: &mut B, file: &str, source: &str, steps: &[Step], go_on: bool) -> Ran<B> {
    let mut sh = Shell { b, file, source, steps, jobs: Vec::new(), exits: BTreeMap::new() };
    let mut refused = Vec::new();
    let mut result = Ok(());
    for (i, step) in steps.iter().enumerate() {
        if let Err(e) = sh.step(i, step).await {
            if go_on {
                refused.push(e);
                continue;
            }
            result = Err(e);
            break;
        }
    }
    let jobs = sh.jobs.iter_mut().map(|j| &mut j.job).collect();
    match result {
        Ok(()) => sh.b.finish(jobs).await,
        Err(_) => sh.b.abandon(jobs).await,
    }
    Ran { exits: sh.exits, jobs: sh.jobs, result, refused }
}

struct Shell<'a, B: Backend> {
    b: &'a mut B,
    file: &'a str,
    source: &'a str,
    steps: &'a [Step],
    jobs: Vec<Job<B::Job>>,
    exits: BTreeMap<usize, i32>,
}

impl<B: Backend> Shell<'_, B> {
    async fn step(&mut self, i: usize, step: &Step) -> Result<(), B::Error> {
        self.b.command(step).await?;
        match &step.run {
            c if c.is_process() => self.start(i, step).await,
            Command::Sleep { secs } => self.b.sleep(step, *secs, &self.jobs).await,
            Command::Kill { job } => {
                let b = &mut *self.b;
                match self.jobs.iter_mut().find(|j| is_job(j, step, *job) && !b.detached(&j.job)) {
                    Some(j) => {
                        b.interrupt(&mut j.job).await;
                        self.exits.insert(i, 0);
                        Ok(())
                    }
                    // A transcript's `^C` under a program that never started: nothing to stop.
                    None if step.of_step.is_some() => Ok(()),
                    None => self.no_such_job(i, step, "kill", *job),
                }
            }
            Command::Input { job, line } => {
                let b = &mut *self.b;
                match self.jobs.iter_mut().find(|j| is_job(j, step, *job)) {
                    Some(j) if b.running(&j.job) => {
                        b.input(&mut j.job, line).await;
                        self.exits.insert(i, 0);
                        Ok(())
                    }
                    // Typed at a transcript's program that has ended: the terminal takes it.
                    _ if step.of_step.is_some() => Ok(()),
                    _ => self.no_such_job(i, step, "input", *job),
                }
            }
            Command::Echo { args } => self.said(i, step, Said::ok(vec![args.join(" ")])),
            Command::Wait => {
                let b = &*self.b;
                // (A program in another terminal is not this shell's to wait for.)
                let endless = self.jobs.iter().any(|j| {
                    j.number != 0
                        && b.running(&j.job)
                        && !b.detached(&j.job)
                        && keeps_wait_waiting(&self.steps[j.step].run)
                });
                if endless {
                    return Err(endless_wait(self.file, self.source, step).into());
                }
                let b = &mut *self.b;
                let live: Vec<&mut B::Job> = self
                    .jobs
                    .iter_mut()
                    .filter(|j| j.number != 0 && b.running(&j.job) && !b.detached(&j.job))
                    .map(|j| &mut j.job)
                    .collect();
                if !b.wait(step, live).await? {
                    return Err(endless_wait(self.file, self.source, step).into());
                }
                self.exits.insert(i, 0);
                Ok(())
            }
            _ => match self.b.configure(i, step).await? {
                Ok(said) => self.said(i, step, said),
                Err(r) => self.refuse(i, step, r),
            },
        }
    }

    async fn start(&mut self, i: usize, step: &Step) -> Result<(), B::Error> {
        let mut job = match self.b.start(i, step).await? {
            Ok(j) => j,
            Err(r) => return self.refuse(i, step, r),
        };
        // A foreground ping without -c is fine only if it ends at once (`connect: Network
        // is unreachable`).
        if matches!(&step.run, Command::Ping(p) if p.count.is_none())
            && !step.background
            && !self.b.ended_at_once(&mut job).await
        {
            self.b.kill(&mut job).await;
            return Err(endless_ping(self.file, self.source, step).into());
        }
        if step.background {
            // A transcript's program in another terminal is no job of this one's (`%0`).
            let number =
                if step.other_terminal { 0 } else { self.jobs.iter().filter(|j| j.number != 0).count() as u32 + 1 };
            self.jobs.push(Job { number, step: i, line: step.span.line, job });
        } else if !self.b.wait(step, vec![&mut job]).await? {
            self.b.kill(&mut job).await;
            return Err(ScenarioError::at(self.file, self.source, step.span, "this command never ends")
                .with_hint("give it a count or a deadline, or run it in the background")
                .into());
        } else if self.b.detached(&job) {
            // A daemon returned the prompt: the process the shell started forked it and
            // exited 0 (a trace that shows that exit says so itself).
            self.exits.insert(i, 0);
        }
        Ok(())
    }

    /// A command that ran: its output, and its status — a failure the step does not
    /// expect stops the run with what the tool printed.
    fn said(&mut self, i: usize, step: &Step, said: Said) -> Result<(), B::Error> {
        if said.status != 0 && expected_exit(step).is_none_or(|n| n == 0) && !step.shown {
            let msg = if said.stderr.is_empty() { said.stdout.join("\n") } else { said.stderr.join("\n") };
            return Err(self.error(step, &Refusal::new(msg, said.status)).into());
        }
        for l in said.stdout {
            self.b.say(step, Stream::Stdout, l);
        }
        for l in said.stderr {
            self.b.say(step, Stream::Stderr, l);
        }
        self.exits.insert(i, said.status);
        Ok(())
    }

    /// A command the machine refused: an error, unless the step expects a failure.
    fn refuse(&mut self, i: usize, step: &Step, r: Refusal) -> Result<(), B::Error> {
        match expected_exit(step) {
            Some(n) if n != 0 => {
                for l in r.message.lines() {
                    self.b.say(step, Stream::Stderr, l.to_string());
                }
                self.exits.insert(i, r.status);
                Ok(())
            }
            None if step.shown => {
                for l in r.message.lines() {
                    self.b.say(step, Stream::Stderr, l.to_string());
                }
                self.exits.insert(i, r.status);
                Ok(())
            }
            _ => Err(self.error(step, &r).into()),
        }
    }

    /// `kill %N`, `input %N` of a job there is not: what bash prints.
    fn no_such_job(&mut self, i: usize, step: &Step, program: &str, job: u32) -> Result<(), B::Error> {
        let numbers: Vec<String> =
            self.jobs.iter().filter(|j| j.number != 0).map(|j| format!("%{}", j.number)).collect();
        let hint = if numbers.is_empty() {
            "no background job was started".to_string()
        } else {
            format!("jobs: {}", numbers.join(" "))
        };
        let r = Refusal { hint: Some(hint), ..Refusal::new(format!("{program}: %{job}: no such job"), 1) };
        self.refuse(i, step, r)
    }

    fn error(&self, step: &Step, r: &Refusal) -> ScenarioError {
        ScenarioError::at(self.file, self.source, locate(self.source, step, r), r.message.clone())
            .with_opt_hint(r.hint.clone())
    }
}

/// Where in the file a refusal points: the line of a here-document `iptables-restore`
/// names, else the word the back end names, the word the message quotes (`Cannot find
/// device "x"`), the name or MTU the kernel refused without quoting it, else the step.
fn locate(source: &str, step: &Step, r: &Refusal) -> Span {
    if let Some(at) = restore_line(source, step, &r.message) {
        return at;
    }
    let quoted = quoted(&r.message);
    let mtu = match &step.run {
        Command::LinkSet(s) if r.message.starts_with("Error: mtu ") => s.mtu.map(|m| m.to_string()),
        _ => None,
    };
    let unquoted = || if quoted.is_none() { bad_ifname(&step.run).or(mtu.as_deref()) } else { None };
    match r.word.as_deref().or(quoted).or_else(unquoted) {
        Some(w) => step.locate(w),
        None => step.span,
    }
}

/// The word an error message names in quotes (`Cannot find device "x"`), if any.
fn quoted(msg: &str) -> Option<&str> {
    let a = msg.find('"')?;
    let b = msg[a + 1..].find('"')?;
    Some(&msg[a + 1..a + 1 + b])
}

/// The first interface name a command would create that the kernel does not take.
fn bad_ifname(cmd: &Command) -> Option<&str> {
    let names: Vec<&str> = match cmd {
        Command::LinkAdd { name, kind: LinkKind::Veth { peer, .. }, .. } => vec![name, peer],
        Command::LinkAdd { name, kind: LinkKind::Bridge, .. } => vec![name],
        Command::LinkSet(s) => s.name.as_deref().into_iter().collect(),
        Command::Brctl(Brctl::Addbr(n)) => vec![n],
        _ => return None,
    };
    names.into_iter().find(|n| !sim_nodes::lab::names::dev_valid_name(n))
}

/// Where in the file the line an `iptables-restore` error names (`Error occurred at
/// line: N`) is: the here-document's Nth line, when the file holds it there.
fn restore_line(source: &str, step: &Step, msg: &str) -> Option<Span> {
    let Command::IptablesRestore { input, .. } = &step.run else { return None };
    // iptables-restore names a line either way: `Error occurred at line: N` for what it
    // refuses itself, `line N: …` for what the kernel refused.
    let n: usize = match msg.split("Error occurred at line: ").nth(1) {
        Some(rest) => rest.lines().next()?.trim().parse().ok()?,
        None => msg.split("\nline ").nth(1)?.split(':').next()?.parse().ok()?,
    };
    let want = input.get(n.checked_sub(1)?).filter(|l| !l.is_empty())?;
    let line_no = step.span.line as usize + n;
    let src = source.lines().nth(line_no - 1)?;
    let col = src.len().checked_sub(want.len())?;
    src.ends_with(want.as_str())
        .then(|| Span::new(line_no as u32, src[..col].chars().count() as u32 + 1, want.chars().count() as u32))
}

/// Whether `j` is the job a `kill`/`input` step means: the program step it names, or `%N`.
fn is_job<J>(j: &Job<J>, step: &Step, number: u32) -> bool {
    match step.of_step {
        Some(k) => j.step == k,
        None => number != 0 && j.number == number,
    }
}

/// The exit status a step says it expects (`#! exit: N`), if it says one.
pub fn expected_exit(step: &Step) -> Option<i32> {
    step.expect.iter().find_map(|x| if let Expect::Exit(n) = x { Some(*n) } else { None })
}

/// A program that never ends by itself: only `kill %N` (or the scenario's end) stops it.
/// (A ping without `-c` may end at once, unreachable; only starting it tells.)
pub fn never_ends(cmd: &Command) -> bool {
    match cmd {
        Command::Tcpdump(t) => t.count.is_none(),
        Command::HttpServer(_) => true,
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
fn endless_wait(file: &str, source: &str, step: &Step) -> ScenarioError {
    ScenarioError::at(file, source, step.span, "wait: background jobs never end")
        .with_hint("a background ping needs -c; tcpdump and dnsmasq never end by themselves: `kill %N` them instead")
}

/// A foreground `ping` without `-c` that did not end at once.
fn endless_ping(file: &str, source: &str, step: &Step) -> ScenarioError {
    ScenarioError::at(file, source, step.locate("ping"), "ping without -c never ends in the foreground")
        .with_hint("add `-c N`, or run it in the background with `&` and stop it with `kill %N`")
}
