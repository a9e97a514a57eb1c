//! The `nslab` command line: its arguments (clap), its exit statuses, and one module per
//! group of subcommands — `scenario.rs` (run, check, convert, all, list, diff), `sweep.rs`
//! (sweep, merge), `picture.rs` (graph, flow), `shell.rs` (shell), `find.rs` (what `run FILE` names: a path, `-`, a bundled scenario),
//! `out.rs` (stdout for results, stderr for diagnostics, colour).
//!
//! It owns the process's streams and exit status; the work is the library's.

pub mod find;
pub mod out;
pub mod picture;
pub mod scenario;
pub mod shell;
pub mod sweep;

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// How the process ends, as scripts and CI read it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// Everything held.
    Ok = 0,
    /// An expectation failed, sim and kernel differ, or a sweep found failing seeds.
    Failed = 1,
    /// Bad input or usage: a scenario refused, a file that cannot be read, a wrong option.
    BadInput = 2,
    /// Kernel mode cannot run here (not root, a tool or kernel module missing).
    NoKernel = 3,
    // Interrupted: 130 (Ctrl-C), 143 (SIGTERM), 129 (SIGHUP) — the signal's own status in
    // the sim, kernel mode's signal task's after it removed the run's namespaces.
}

/// Why a command stopped: its status, and what to say on stderr.
#[derive(Debug)]
pub struct Fail {
    /// The status.
    pub code: Exit,
    /// The message (already located and explained where it comes from a scenario).
    pub message: String,
}

impl Fail {
    /// Bad input, saying `message`.
    pub fn input(message: impl Into<String>) -> Fail {
        Fail { code: Exit::BadInput, message: message.into() }
    }
}

/// What a command returns: its status, or why it stopped.
pub type Done = Result<Exit, Fail>;

/// Kernel mode's errors, by what they mean to the caller.
pub fn kernel_fail(e: nslab::kernel_backend::KernelError) -> Fail {
    use nslab::kernel_backend::KernelError as K;
    let code = match e {
        K::Refused(_) => Exit::BadInput,
        K::NotPrivileged(_) | K::MissingTools(_) | K::MissingFeature(_) => Exit::NoKernel,
        // Something the machine did not let a run do, once it was under way.
        K::Io(_) => Exit::Failed,
    };
    Fail { code, message: e.to_string() }
}

/// When to colour.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Color {
    /// On a terminal, unless `NO_COLOR` is set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

const EXIT_STATUSES: &str = "\
Exit status:
  0    everything held
  1    an expectation failed, sim and kernel differ, or a sweep found failing seeds
  2    bad input or usage (the error names the file, line and column)
  3    kernel mode cannot run here (not root, a tool or kernel module missing)
  130  interrupted (143 terminated, 129 hung up)

Results go to stdout, diagnostics to stderr. Colour: on a terminal, unless NO_COLOR is
set or --color says otherwise.";

/// The command line.
#[derive(Parser)]
#[command(
    name = "nslab",
    version,
    about = "A deterministic network lab: Linux namespaces, veth, routes and tcpdump in virtual time",
    after_help = EXIT_STATUSES
)]
pub struct Cli {
    /// When to colour the output.
    #[arg(long, global = true, value_enum, default_value = "auto", value_name = "WHEN")]
    pub color: Color,
    #[command(subcommand)]
    pub cmd: Option<Cmd>,
}

/// The subcommands.
#[derive(Subcommand)]
pub enum Cmd {
    /// Run a scenario and print the transcript a terminal would have shown.
    Run {
        /// A `.sh` (tutorial commands) or `.ron` scenario; `-` reads one from stdin; a bundled
        /// scenario by name or prefix (`e05`; `nslab list` lists them).
        file: String,
        /// Seed for every random choice (MACs, ping ids, timers); overrides the file's.
        #[arg(long)]
        seed: Option<u64>,
        /// Write the captures into this directory: all of them as `<scenario>.pcapng`, and each
        /// `tcpdump -w FILE` as FILE (classic pcap, as tcpdump writes it; pcapng for `.pcapng`).
        #[arg(long, value_name = "DIR")]
        pcap: Option<PathBuf>,
        /// Print only the verdict and failures.
        #[arg(long, short)]
        quiet: bool,
        /// Print the run as JSON lines (schema `nslab.run/1`, see the README).
        #[arg(long, conflicts_with = "quiet")]
        json: bool,
        /// Stop a run that processes more than N events in one second of virtual time (a loop
        /// and storm guard; default 2000000).
        #[arg(long)]
        event_budget: Option<u64>,
        /// Run on the real kernel (root only) instead of the sim.
        #[arg(long, conflicts_with_all = ["seed", "event_budget"])]
        kernel: bool,
        /// At the end, on stderr: events, frames captured, drops by reason, virtual and
        /// wall time, peak memory — for sizing a lab.
        #[arg(long)]
        stats: bool,
        /// After the transcript: every packet that died, where and why (the step that was
        /// running, the namespace and interface, the setting or iptables rule), alike drops
        /// counted on one line. With --kernel: the kernel's drop counters at the end, per
        /// namespace (it does not say which packet). (In the sim, `--json`'s `drop` lines
        /// carry the same sentences.)
        #[arg(long, conflicts_with_all = ["quiet", "json"])]
        explain: bool,
    },
    /// Validate scenarios without running them (syntax, names, configuration): every error.
    Check {
        /// Scenario files (or `-`, or bundled names).
        #[arg(required = true)]
        files: Vec<String>,
    },
    /// Print a scenario in the other form (`.sh` → RON, `.ron` → shell script).
    Convert {
        /// The scenario.
        file: String,
    },
    /// Run a scenario on the sim and on the kernel (root only) and compare them.
    Diff {
        /// The scenario.
        file: String,
        /// The sim's seed (overrides the file's).
        #[arg(long)]
        seed: Option<u64>,
        /// Where to write the report as JSON (default: none).
        #[arg(long, value_name = "PATH")]
        json: Option<PathBuf>,
        /// Where to write the report as one HTML page: per step the sides next to each
        /// other, differences highlighted, known differences with their reasons.
        #[arg(long, value_name = "PATH")]
        html: Option<PathBuf>,
        /// Also compare the drop counters at the end, as the kernel keeps them (`Ip
        /// InAddrErrors`, `Udp NoPorts`, iptables' DROP rules and policies), per namespace.
        #[arg(long)]
        drops: bool,
        /// Also print both transcripts.
        #[arg(long, short)]
        verbose: bool,
    },
    /// Draw a scenario's topology: namespaces with their interfaces and addresses, veth
    /// pairs, bridges and their ports, routers and NAT boxes, captured interfaces.
    Graph {
        /// The scenario (a file, `-`, or a bundled name).
        file: String,
        /// Draw the lab as it stands after the command on this line of the file (default:
        /// after the last).
        #[arg(long, value_name = "LINE")]
        at: Option<u32>,
        /// What to write.
        #[arg(long, value_enum, default_value = "svg")]
        format: picture::GraphFormat,
        /// Write it to this file instead of stdout.
        #[arg(long, short, value_name = "PATH")]
        output: Option<PathBuf>,
        /// The sim's seed (MAC addresses and DHCP leases may depend on it).
        #[arg(long)]
        seed: Option<u64>,
    },
    /// Draw what crossed a scenario's captured interfaces as a ladder: a column per
    /// namespace, an arrow per frame with tcpdump's line, NAT rewrites, drops and why.
    Flow {
        /// The scenario (a file, `-`, or a bundled name).
        file: String,
        /// What to write.
        #[arg(long, value_enum, default_value = "svg")]
        format: picture::FlowFormat,
        /// Write it to this file instead of stdout.
        #[arg(long, short, value_name = "PATH")]
        output: Option<PathBuf>,
        /// Draw at most this many frames and drops.
        #[arg(long, default_value_t = 300)]
        max: usize,
        /// The sim's seed.
        #[arg(long)]
        seed: Option<u64>,
    },
    /// An interactive lab: type the tutorial's lines one at a time and see their output;
    /// background jobs go on in virtual time (`sleep N` moves it); `:help` lists `:graph`,
    /// `:explain`, `:save FILE`, `:kernel`.
    Shell {
        /// A scenario to start from (its lines run first).
        file: Option<String>,
        /// The sim's seed.
        #[arg(long)]
        seed: Option<u64>,
    },
    /// Run scenarios for many seeds, in parallel: which seeds break an expectation.
    Sweep(sweep::SweepArgs),
    /// List the bundled scenarios with their descriptions.
    List {
        /// The directory (default: `scenarios/`).
        dir: Option<PathBuf>,
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
    /// Print a shell's completion script (`nslab completions bash > /etc/bash_completion.d/nslab`).
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff: `nslab man | man -l -`).
    Man,
}

/// `nslab kernel …`.
#[derive(Subcommand)]
pub enum KernelCmd {
    /// Remove the namespaces and files runs that were killed left behind.
    Gc,
}
