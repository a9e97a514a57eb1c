//! The one interface every back end offers the shell ([`super::shell`]): record a command,
//! configure, start a program, give it input, interrupt it, let time pass, wait for jobs,
//! end the run. The sim ([`super::sim`]) and kernel mode (`kernel_backend::runner`) are
//! its implementations; a dry run (`nslab check`) is the sim's, with nothing started.
//!
//! A back end knows how to do one thing on its machine; the shell knows the rest — job
//! numbers, `kill %N`, `wait`, which failures a step expects, what is refused and in which
//! words, where in the file an error points. A back end must not number jobs or word a
//! refusal the shell words; the shell must not touch a machine but through this trait.
//!
//! The methods are `async`: kernel mode waits on real processes in tokio; the sim never
//! waits (virtual time runs inside the call), so its futures are ready at once.

use super::shell::Job;
use crate::command::{Secs, Step};
use crate::error::ScenarioError;
use sim_core::Stream;

/// What a command the back end ran printed, and its exit status.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Said {
    /// stdout lines.
    pub stdout: Vec<String>,
    /// stderr lines.
    pub stderr: Vec<String>,
    /// Exit status (a non-zero one stops the run unless the step expects it).
    pub status: i32,
}

impl Said {
    /// A command that printed `stdout` and succeeded.
    pub fn ok(stdout: Vec<String>) -> Self {
        Said { stdout, stderr: Vec::new(), status: 0 }
    }
}

/// A command the machine refused, as its tool refuses it: the message the tool prints on
/// stderr, its exit status, what would fix it, and the word of the command it is about
/// (where the error points when the message does not quote one).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// The tool's message.
    pub message: String,
    /// Its exit status.
    pub status: i32,
    /// What would fix it.
    pub hint: Option<String>,
    /// The word of the step it is about, if the back end knows better than the message.
    pub word: Option<String>,
}

impl Refusal {
    /// A refusal with `message` and exit status `status`.
    pub fn new(message: impl Into<String>, status: i32) -> Self {
        Refusal { message: message.into(), status, hint: None, word: None }
    }

    /// The same, pointing at `word` of the step.
    pub fn at_word(mut self, word: &str) -> Self {
        self.word = Some(word.to_string());
        self
    }
}

impl From<sim_nodes::LabError> for Refusal {
    fn from(e: sim_nodes::LabError) -> Self {
        Refusal { message: e.message, status: e.status, hint: e.hint, word: None }
    }
}

/// A machine the shell runs a scenario's steps on.
#[allow(async_fn_in_trait)] // Called only from the shell, never sent across threads.
pub trait Backend {
    /// A program the back end started, as it holds it.
    type Job;
    /// What ends a run that the shell does not word itself: a guard of the engine, a
    /// failure of the machine. A scenario's own error converts into it.
    type Error: From<ScenarioError>;

    /// A step begins: record its command line at its prompt.
    async fn command(&mut self, step: &Step) -> Result<(), Self::Error>;

    /// A line printed as the step's output: a configuration command's, or a refusal's
    /// message the shell prints on stderr.
    fn say(&mut self, step: &Step, stream: Stream, line: String);

    /// Runs a configuration command (`ip`, `sysctl`, `iptables`, `conntrack`, `brctl`,
    /// `bridge`, `ip netns`): what it printed and its status, or the machine's refusal.
    async fn configure(&mut self, i: usize, step: &Step) -> Result<Result<Said, Refusal>, Self::Error>;

    /// Starts step `i`'s program (`step.run.is_process()`), in the foreground or, with
    /// `step.background`, as a job; a background program has started (bound its port)
    /// when this returns, as it has by the time a person types the next command.
    async fn start(&mut self, i: usize, step: &Step) -> Result<Result<Self::Job, Refusal>, Self::Error>;

    /// Whether a program just started has already ended: a ping without `-c` that cannot
    /// send, which is fine in the foreground.
    async fn ended_at_once(&mut self, job: &mut Self::Job) -> bool;

    /// Lets the jobs run until each has ended or detached (a daemon returns the prompt), or
    /// until the back end's patience runs out: whether they all did.
    async fn wait(&mut self, step: &Step, jobs: Vec<&mut Self::Job>) -> Result<bool, Self::Error>;

    /// Whether the job still runs.
    fn running(&self, job: &Self::Job) -> bool;

    /// Whether the job detached from the terminal (a daemon once it forked away): it is no
    /// longer the shell's job, and Ctrl-C does not reach it.
    fn detached(&self, job: &Self::Job) -> bool;

    /// Ctrl-C (`kill %N`, which the shell's `kill` sends as SIGINT).
    async fn interrupt(&mut self, job: &mut Self::Job);

    /// Ends a program for good (a foreground one that never ends).
    async fn kill(&mut self, job: &mut Self::Job);

    /// A line typed at the job's terminal.
    async fn input(&mut self, job: &mut Self::Job, line: &str);

    /// `sleep`: time passes. `jobs` are the shell's, to name what keeps a machine busy.
    async fn sleep(&mut self, step: &Step, secs: Secs, jobs: &[Job<Self::Job>]) -> Result<(), Self::Error>;

    /// The scenario ended: Ctrl-C to every job still the terminal's, and what each prints.
    async fn finish(&mut self, jobs: Vec<&mut Self::Job>);

    /// The run stopped at an error: what is still running must not outlive it.
    async fn abandon(&mut self, jobs: Vec<&mut Self::Job>);
}
