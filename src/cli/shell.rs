//! `shell`: an interactive lab, like Mininet's CLI. The lines typed so far are a scenario;
//! each new line runs it again from the start in the sim — one seed, so everything before
//! happens again exactly as it did — with the background jobs left running, and what is
//! new in the transcript is printed. A line the sim refuses is said why and forgotten.
//! `sleep 5` moves virtual time on, and the jobs with it. Editing, history and completion
//! (commands, namespaces, interfaces) are rustyline's.
//!
//! It owns the session (what was typed, what was printed) and the `:` commands; parsing,
//! checking, running and drawing are the library's.

use super::out;
use super::{Done, Exit, Fail};
use nslab::scenarios::render::transcript::Kind;
use nslab::scenarios::render::{explain, graph::Topology};
use nslab::scenarios::{self, run::sim};
use rustyline::completion::{Completer, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::history::DefaultHistory;
use rustyline::validate::Validator;
use rustyline::{Config, Editor, Helper};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

/// The name errors give the session's script.
const NAME: &str = "shell";

const HELP: &str = "Type the tutorial's lines: ip, iptables, ping, tcpdump … &, sleep N, kill %N.
Each runs in the sim; background jobs go on in virtual time (sleep moves it).
  :graph [FILE]   the topology (Mermaid here; FILE.svg, .dot or .mmd writes that)
  :explain        why packets died so far
  :save FILE      write what was typed as a scenario
  :kernel         run what was typed on the real kernel (root only)
  :help           this
  :quit           leave (Ctrl-D, or exit at the top level)";

/// The words a line starts with that complete at the prompt.
const COMMANDS: &[&str] = &[
    "arping",
    "bridge",
    "brctl",
    "conntrack",
    "curl",
    "dhclient",
    "dnsmasq",
    "echo",
    "ip",
    "iptables",
    "iptables-save",
    "kill",
    "nc",
    "ncat",
    "ping",
    "python3",
    "sleep",
    "ss",
    "sysctl",
    "tc",
    "tcpdump",
    "traceroute",
    "wait",
    ":explain",
    ":graph",
    ":help",
    ":kernel",
    ":quit",
    ":save",
];

/// What the completer knows of the lab: its namespaces and interfaces, after the last line.
#[derive(Default)]
struct Names {
    netns: Vec<String>,
    ifaces: Vec<String>,
}

struct LabHelper {
    names: Rc<RefCell<Names>>,
}

impl Completer for LabHelper {
    type Candidate = Pair;

    fn complete(&self, line: &str, pos: usize, _: &rustyline::Context<'_>) -> rustyline::Result<(usize, Vec<Pair>)> {
        let before = &line[..pos];
        let start = before.rfind(char::is_whitespace).map_or(0, |i| i + 1);
        let word = &before[start..];
        let prev = before[..start].split_whitespace().last();
        let names = self.names.borrow();
        let pool: Vec<&str> = match prev {
            None => COMMANDS.to_vec(),
            Some("exec" | "-n" | "netns" | "-netns") => names.netns.iter().map(String::as_str).collect(),
            Some("dev" | "-i" | "master" | "show" | "del" | "set") => names.ifaces.iter().map(String::as_str).collect(),
            _ => Vec::new(),
        };
        let found = pool
            .into_iter()
            .filter(|c| c.starts_with(word))
            .map(|c| Pair { display: c.to_string(), replacement: format!("{c} ") })
            .collect();
        Ok((start, found))
    }
}

impl Hinter for LabHelper {
    type Hint = String;
}
impl Highlighter for LabHelper {}
impl Validator for LabHelper {}
impl Helper for LabHelper {}

/// The session: what was typed, and how much of its transcript is on the screen.
struct Session {
    seed: Option<u64>,
    text: String,
    printed: usize,
    last: Option<sim::Run>,
}

impl Session {
    /// Runs `text` from the start; the run, or why not.
    fn run(&self, text: &str) -> Result<sim::Run, String> {
        let sc = scenarios::load(NAME, text).map_err(|e| e.to_string())?;
        scenarios::check(NAME, text, &sc).map_err(|e| e.to_string())?;
        let opts = sim::RunOptions { seed: self.seed, keep_jobs: true, ..Default::default() };
        sim::run(NAME, text, &sc, &opts).map_err(|e| e.to_string())
    }

    /// Adds `lines` (one command, or a file's) and prints what is new; echoes the
    /// commands themselves only when `echo` (a file's, which nobody typed).
    fn add(&mut self, lines: &str, echo: bool) {
        let text = format!("{}{lines}\n", self.text);
        match self.run(&text) {
            Ok(run) => {
                for l in run.rendered.lines.iter().skip(self.printed) {
                    if l.kind == Kind::Command && !echo {
                        continue;
                    }
                    let tag = l.tag.as_deref().map_or(String::new(), |t| format!("{t} "));
                    out::line(&format!("{tag}{}", l.text));
                }
                self.printed = run.rendered.lines.len();
                self.text = text;
                self.last = Some(run);
            }
            Err(e) => out::diag(&e),
        }
    }

    /// The prompt: the virtual time, and the namespace of an open `ip netns exec X bash`.
    fn prompt(&self, inside: &[String]) -> String {
        let now = self.last.as_ref().map_or(String::from("0.000"), |r| r.end().to_string());
        match inside.last() {
            Some(ns) => format!("[{now}] {ns}# "),
            None => format!("[{now}] nslab# "),
        }
    }

    fn names(&self) -> Names {
        let Some(run) = &self.last else { return Names::default() };
        let mut n = Names::default();
        for (name, node) in run.lab.namespaces() {
            if let Some(name) = name {
                n.netns.push(name.to_string());
            }
            for i in run.lab.netns(node).ifaces() {
                if !n.ifaces.contains(&i.name) {
                    n.ifaces.push(i.name.clone());
                }
            }
        }
        n
    }

    /// `:graph [FILE]`.
    fn graph(&self, file: Option<&str>) {
        let Some(run) = &self.last else { return out::diag("nothing to draw yet") };
        let t = Topology::of(&run.lab);
        let Some(file) = file else { return out::raw(&t.mermaid()) };
        let picture = match std::path::Path::new(file).extension().and_then(|e| e.to_str()) {
            Some("dot") => t.dot(),
            Some("mmd") => t.mermaid(),
            _ => t.svg(),
        };
        match std::fs::write(file, picture) {
            Ok(()) => out::line(&format!("wrote {file}")),
            Err(e) => out::diag(&format!(":graph: {file}: {e}")),
        }
    }

    /// `:explain`.
    fn explain(&self) {
        let Some(run) = &self.last else { return out::line("explain: no packet was dropped") };
        let mut nodes = BTreeMap::new();
        for k in run.lab.world().trace().drop_counts().keys() {
            nodes.entry(k.0).or_insert_with(|| run.lab.netns_name(k.0).unwrap_or("root").to_string());
        }
        let lines = explain::explain(&run.outcome(), &nodes);
        if lines.is_empty() {
            return out::line("explain: no packet was dropped");
        }
        out::line("explain: why packets died");
        for l in lines {
            out::line(&format!("  {l}"));
        }
    }

    /// `:kernel`: what was typed, on the real kernel, its transcript as it happens.
    fn kernel(&self) {
        let sc = match scenarios::load(NAME, &self.text) {
            Ok(sc) => sc,
            Err(e) => return out::diag(&e.to_string()),
        };
        match nslab::kernel_backend::run_live(NAME, &self.text, &sc, out::raw) {
            Ok(run) => {
                let failures = run.failures(NAME);
                out::line(&format!(
                    "on the kernel: {} lines, {} failed expectations",
                    run.rendered.lines.len(),
                    failures.len()
                ));
            }
            Err(e) => out::diag(&format!(":kernel: {e}")),
        }
    }
}

/// Whether `lines` still lacks its end: a `\` continuation, or a here-document whose
/// delimiter has not come.
fn incomplete(lines: &str) -> bool {
    if lines.ends_with('\\') {
        return true;
    }
    let first = lines.lines().next().unwrap_or("");
    let Some(at) = first.find("<<") else { return false };
    let delim = first[at + 2..].trim_start_matches('-').trim().trim_matches(['\'', '"']);
    let delim = delim.split_whitespace().next().unwrap_or("");
    !delim.is_empty() && !lines.lines().skip(1).any(|l| l.trim() == delim)
}

/// `nslab shell [FILE] [--seed N]`.
pub fn shell(file: Option<&str>, seed: Option<u64>) -> Done {
    let mut s = Session { seed, text: String::new(), printed: 0, last: None };
    if let Some(f) = file {
        let found = super::find::scenario(f)?;
        // The file as a plain script (a terminal session's or a RON file's steps, one
        // command a line), so the lines typed after it are commands too.
        let sc = scenarios::load(&found.name, &found.text).map_err(|e| Fail::input(e.to_string()))?;
        s.add(scenarios::front::convert::to_script(&sc).trim_end_matches('\n'), true);
        if s.last.is_none() {
            return Err(Fail::input(format!(
                "nslab shell: {} did not run (above): fix it, or start without it",
                found.name
            )));
        }
    }
    let names = Rc::new(RefCell::new(s.names()));
    let config = Config::builder().auto_add_history(true).build();
    let mut rl: Editor<LabHelper, DefaultHistory> =
        Editor::with_config(config).map_err(|e| Fail { code: Exit::Failed, message: format!("nslab shell: {e}") })?;
    rl.set_helper(Some(LabHelper { names: names.clone() }));
    out::line("nslab shell: type the tutorial's lines; :help for more, :quit to leave");
    let mut inside: Vec<String> = Vec::new();
    loop {
        let mut lines = match rl.readline(&s.prompt(&inside)) {
            Ok(l) => l,
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => break,
            Err(e) => return Err(Fail { code: Exit::Failed, message: format!("nslab shell: {e}") }),
        };
        while incomplete(&lines) {
            match rl.readline("> ") {
                Ok(more) => lines = format!("{lines}\n{more}"),
                Err(_) => break,
            }
        }
        let line = lines.trim();
        let (cmd, arg) = line.split_once(char::is_whitespace).map_or((line, None), |(c, a)| (c, Some(a.trim())));
        match cmd {
            "" => continue,
            ":quit" | ":q" => break,
            "exit" | "logout" if inside.is_empty() => break,
            ":help" => out::line(HELP),
            ":graph" => s.graph(arg),
            ":explain" => s.explain(),
            ":kernel" => s.kernel(),
            ":save" => match arg {
                Some(f) => match std::fs::write(f, &s.text) {
                    Ok(()) => out::line(&format!("wrote {f}: {} lines", s.text.lines().count())),
                    Err(e) => out::diag(&format!(":save: {f}: {e}")),
                },
                None => out::diag(":save FILE: the file to write the scenario to"),
            },
            c if c.starts_with(':') => out::diag(&format!("{c}: no such command; :help lists them")),
            _ => {
                let before = s.text.len();
                s.add(&lines, false);
                if s.text.len() != before {
                    track_subshell(&mut inside, line);
                }
                *names.borrow_mut() = s.names();
            }
        }
    }
    Ok(Exit::Ok)
}

/// Follows `ip netns exec X bash` (or `sh`, `sudo -i`) and `exit`, for the prompt.
fn track_subshell(inside: &mut Vec<String>, line: &str) {
    let w: Vec<&str> = line.split_whitespace().filter(|w| *w != "sudo").collect();
    match w.as_slice() {
        ["exit" | "logout"] => {
            inside.pop();
        }
        ["ip", "netns", "exec", ns, "bash" | "sh" | "-i"] => inside.push(ns.to_string()),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn here_documents_and_continuations_wait_for_their_end() {
        assert!(incomplete("ip link add a \\"));
        assert!(incomplete("iptables-restore <<EOF"));
        assert!(incomplete("iptables-restore <<'EOF'\n*filter"));
        assert!(!incomplete("iptables-restore <<EOF\n*filter\nCOMMIT\nEOF"));
        assert!(!incomplete("ip netns add a"));
    }

    #[test]
    fn a_subshell_opens_and_closes() {
        let mut inside = Vec::new();
        track_subshell(&mut inside, "sudo ip netns exec ns1 bash");
        assert_eq!(inside, ["ns1"]);
        track_subshell(&mut inside, "ip addr");
        track_subshell(&mut inside, "exit");
        assert!(inside.is_empty());
    }
}
