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

/// The session: what was typed, how much of its transcript is on the screen, and the
/// shells `ip netns exec X bash` left open.
struct Session {
    seed: Option<u64>,
    text: String,
    printed: usize,
    last: Option<sim::Run>,
    shells: Vec<Option<String>>,
}

impl Session {
    /// Runs `text` from the start — always read as a script, whatever a pasted line looks
    /// like — on the session's seed; the run and the shells open at its end, or why not.
    fn run(&self, text: &str) -> Result<(sim::Run, Vec<Option<String>>), String> {
        let (sc, shells) = scenarios::front::script::parse_script(NAME, text).map_err(|e| e.to_string())?;
        if sc.seed.is_some() {
            return Err("#! seed: the session's seed is fixed (nslab shell --seed N): every line replays on it".into());
        }
        scenarios::check(NAME, text, &sc).map_err(|e| e.to_string())?;
        let opts = sim::RunOptions { seed: self.seed, keep_jobs: true, ..Default::default() };
        let run = sim::run(NAME, text, &sc, &opts).map_err(|e| e.to_string())?;
        if let Some(Some(ns)) = shells.last()
            && run.lab.ns(Some(ns)).is_err()
        {
            return Err(format!("Cannot open network namespace \"{ns}\": No such file or directory"));
        }
        Ok((run, shells))
    }

    /// Adds `lines` (one command, or a file's) and prints what is new; echoes the
    /// commands themselves only when `echo` (a file's, which nobody typed). A line that
    /// would change what was already shown is refused: the session stays a scenario that
    /// replays as it was seen.
    fn add(&mut self, lines: &str, echo: bool) {
        let text = format!("{}{lines}\n", self.text);
        let (run, shells) = match self.run(&text) {
            Ok(x) => x,
            Err(e) => return out::diag(&e),
        };
        let before = self.last.as_ref().map_or(&[][..], |r| &r.rendered.lines[..self.printed]);
        if run.rendered.lines.get(..self.printed) != Some(before) {
            return out::diag("this line would change what the lines before it did; it is not kept");
        }
        for l in run.rendered.lines.iter().skip(self.printed) {
            if l.kind == Kind::Command && !echo {
                continue;
            }
            let tag = l.tag.as_deref().map_or(String::new(), |t| format!("{t} "));
            out::line(&format!("{tag}{}", l.text));
        }
        self.printed = run.rendered.lines.len();
        self.text = text;
        // The seed of the first run stays the session's (`:save` writes it).
        self.seed = Some(run.seed);
        self.last = Some(run);
        self.shells = shells;
    }

    /// The prompt: the virtual time, and the namespace of an open `ip netns exec X bash`.
    fn prompt(&self) -> String {
        let now = self.last.as_ref().map_or(String::from("0.000"), |r| r.end().to_string());
        match self.shells.last() {
            Some(ns) => format!("[{now}] {}# ", ns.as_deref().unwrap_or("root")),
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
        let lines = explain::explain(&run.outcome(), &run.node_names());
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

/// Whether `lines` still lacks its end: a `\` continuation on its last line, or a
/// here-document (`<<EOF`, `<<-EOF`, not a `<<<` here-string) whose delimiter line has not
/// come — exactly the delimiter, as the parser wants it (after tabs, for `<<-`).
fn incomplete(lines: &str) -> bool {
    if lines.lines().last().unwrap_or("").ends_with('\\') {
        return true;
    }
    let all: Vec<&str> = lines.lines().collect();
    for (i, l) in all.iter().enumerate() {
        let Some(at) = l.find("<<") else { continue };
        let rest = &l[at + 2..];
        if rest.starts_with('<') {
            continue;
        }
        let dash = rest.starts_with('-');
        let word = rest.trim_start_matches('-').split_whitespace().next().unwrap_or("");
        let delim = word.trim_matches(['\'', '"']);
        if delim.is_empty() {
            continue;
        }
        let ends = |x: &&str| if dash { x.trim_start_matches('\t') == delim } else { *x == delim };
        return !all[i + 1..].iter().any(ends);
    }
    false
}

/// `nslab shell [FILE] [--seed N]`.
pub fn shell(file: Option<&str>, seed: Option<u64>) -> Done {
    let mut s = Session { seed, text: String::new(), printed: 0, last: None, shells: Vec::new() };
    if let Some(f) = file {
        let found = super::find::scenario(f)?;
        // The file as a plain script (a terminal session's or a RON file's steps, one
        // command a line), so the lines typed after it are commands too. What a script
        // cannot say — a program in another terminal, its ^C, lines typed at it — is
        // refused rather than changed.
        let sc = scenarios::load(&found.name, &found.text).map_err(|e| Fail::input(e.to_string()))?;
        if let Some(st) = sc.steps.iter().find(|st| st.other_terminal || st.of_step.is_some()) {
            return Err(Fail::input(format!(
                "nslab shell: {}:{}: a terminal session's program in another terminal (its ^C, what is typed at \
                 it) has no script form yet; `nslab run` it, or start the shell without it",
                found.name, st.span.line
            )));
        }
        if let Some(seed) = sc.seed {
            s.seed.get_or_insert(seed);
        }
        let mut script = sc.clone();
        script.seed = None;
        s.add(scenarios::front::convert::to_script(&script).trim_end_matches('\n'), true);
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
    loop {
        let mut lines = match rl.readline(&s.prompt()) {
            Ok(l) => l,
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => break,
            Err(e) => return Err(Fail { code: Exit::Failed, message: format!("nslab shell: {e}") }),
        };
        // A pasted prompt (`$ `, `user@host:~$ `) is not part of the command.
        lines = scenarios::front::script::strip_prompt(&lines).to_string();
        let mut cancelled = false;
        while incomplete(&lines) {
            match rl.readline("> ") {
                Ok(more) => lines = format!("{lines}\n{more}"),
                // Ctrl-C or Ctrl-D in the middle: the half-typed command is dropped.
                Err(_) => {
                    cancelled = true;
                    break;
                }
            }
        }
        if cancelled {
            continue;
        }
        let line = lines.trim();
        let (cmd, arg) = line.split_once(char::is_whitespace).map_or((line, None), |(c, a)| (c, Some(a.trim())));
        match cmd {
            "" => continue,
            ":quit" | ":q" => break,
            "exit" | "logout" if s.shells.is_empty() => break,
            ":help" => out::line(HELP),
            ":graph" => s.graph(arg),
            ":explain" => s.explain(),
            ":kernel" => s.kernel(),
            ":save" => match arg {
                Some(f) => {
                    let seed = s.seed.map_or(String::new(), |n| format!("#! seed: {n}\n"));
                    match std::fs::write(f, format!("{seed}{}", s.text)) {
                        Ok(()) => out::line(&format!("wrote {f}: {} lines", s.text.lines().count())),
                        Err(e) => out::diag(&format!(":save: {f}: {e}")),
                    }
                }
                None => out::diag(":save FILE: the file to write the scenario to"),
            },
            c if c.starts_with(':') => out::diag(&format!("{c}: no such command; :help lists them")),
            _ => {
                s.add(&lines, false);
                *names.borrow_mut() = s.names();
            }
        }
    }
    Ok(Exit::Ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn here_documents_and_continuations_wait_for_their_end() {
        assert!(incomplete("ip link add a \\"));
        assert!(!incomplete("ip netns exec a \\\nip link"), "a continuation ends with a line without one");
        assert!(incomplete("iptables-restore <<EOF"));
        assert!(incomplete("iptables-restore <<'EOF'\n*filter"));
        assert!(!incomplete("iptables-restore <<EOF\n*filter\nCOMMIT\nEOF"));
        assert!(incomplete("iptables-restore <<EOF\n*filter\nCOMMIT\n EOF"), "the delimiter alone on its line");
        assert!(!incomplete("iptables-restore <<-EOF\n\t*filter\n\tEOF"), "<<- strips tabs");
        assert!(!incomplete("nc -u 10.0.0.1 9 <<< hello"), "a here-string is one line");
        assert!(!incomplete("ip netns add a"));
    }
}
