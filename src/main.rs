//! `nslab`: run, check, convert, diff and sweep network-lab scenarios (see `cli/`).
//!
//! With no arguments it replays every scenario in `scenarios/` and prints a verdict line
//! for each.

mod cli;

use clap::{CommandFactory, Parser};
use cli::{Cli, Cmd, Color, Exit, KernelCmd, out, scenario};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let choice = match cli.color {
        Color::Auto => anstream::ColorChoice::Auto,
        Color::Always => anstream::ColorChoice::Always,
        Color::Never => anstream::ColorChoice::Never,
    };
    choice.write_global();
    let done = match cli.cmd {
        Some(Cmd::Run { file, seed, pcap, quiet, json, event_budget, kernel, stats, explain }) => {
            let o =
                scenario::RunOpts { seed, pcap: pcap.as_deref(), quiet, json, event_budget, kernel, stats, explain };
            scenario::run(&file, o)
        }
        Some(Cmd::Check { files }) => scenario::check(&files),
        Some(Cmd::Diff { file, seed, json, html, drops, verbose }) => {
            scenario::diff(&file, seed, json.as_deref(), html.as_deref(), drops, verbose)
        }
        Some(Cmd::Sweep(args)) => cli::sweep::sweep(args),
        Some(Cmd::Graph { file, at, format, output, seed }) => {
            cli::picture::graph(&file, at, format, output.as_deref(), seed)
        }
        Some(Cmd::Shell { file, seed }) => cli::shell::shell(file.as_deref(), seed),
        Some(Cmd::Flow { file, format, output, max, seed }) => {
            cli::picture::flow(&file, format, output.as_deref(), max, seed)
        }
        Some(Cmd::List { dir }) => scenario::list(&dir.unwrap_or_else(nslab::default_scenario_dir)),
        Some(Cmd::Doctor) => scenario::doctor(),
        Some(Cmd::Kernel { cmd: KernelCmd::Gc }) => scenario::gc(),
        Some(Cmd::Convert { file }) => scenario::convert(&file),
        Some(Cmd::All { dir }) => scenario::all(&dir.unwrap_or_else(nslab::default_scenario_dir)),
        Some(Cmd::Completions { shell }) => {
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "nslab", &mut buf);
            out::raw(&String::from_utf8_lossy(&buf));
            Ok(Exit::Ok)
        }
        Some(Cmd::Man) => {
            let mut buf = Vec::new();
            match clap_mangen::Man::new(Cli::command()).render(&mut buf) {
                Ok(()) => {
                    out::raw(&String::from_utf8_lossy(&buf));
                    Ok(Exit::Ok)
                }
                Err(e) => Err(cli::Fail { code: Exit::Failed, message: format!("nslab man: {e}") }),
            }
        }
        None => scenario::all(&nslab::default_scenario_dir()),
    };
    let code = match done {
        Ok(code) => code,
        Err(f) => {
            out::diag(&f.message);
            f.code
        }
    };
    ExitCode::from(code as u8)
}
