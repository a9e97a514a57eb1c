//! The shell-script front end: a file of the tutorials' own command lines.
//!
//! Two styles, both producing the same [`Scenario`]:
//!
//! - **Script**: one command per line, as bash would run it. Comments, blank lines and
//!   `sudo` are fine. Expectations are comments, so the file stays a valid script:
//!   `#> LINE` lines after a command are its whole expected output; `#! contains: LINE`,
//!   `#! lacks: LINE`, `#! exit: N` add checks; `#! seed: N` and `#! description: TEXT`
//!   describe the file.
//! - **Transcript**: when a line starts with a prompt (`$ `, `user@host:~$ `,
//!   `root@host:/# `, …; or bare `# ` prompts, see `paste::style`), only prompted lines
//!   are commands and the plain lines after one are its expected output, exactly as a
//!   tutorial shows a terminal. What a pasted session brings with it — programs run in
//!   another terminal, `^C`, a shell opened in a namespace, `/proc/sys` by hand — is read
//!   as the terminal ran it (`paste.rs`, `steps.rs`).
//!
//! A script in bash's language (variables, functions, loops: `bash::is_program`), and a
//! script a line runs (`./netns.sh create`), go through `bash/` first: it runs the
//! language before the lab does and hands each command it reaches, words expanded, to
//! `steps.rs` as a plain line. A net-tools line (`route add …`, `ifconfig …`) is refused
//! naming the iproute2 line that does the same (`net_tools.rs`). A `docker` line becomes
//! the `ip`, `iptables` and `sysctl` lines that do what Docker's bridge driver does
//! (`docker.rs`), and `docker exec -it C bash` a shell in the container's namespace.
//!
//! In expected lines `{}` matches any text and a line `...` any number of lines.

mod bash;
mod docker;
mod ip;
mod ip6;
pub mod lexer;
mod net_tools;
mod paste;
mod steps;
mod tools;
pub mod words;

use crate::command::{Command, Expect, Family, Known, Scenario, Step};
use crate::error::{ScenarioError, Span};
use lexer::{Tok, lex};
use paste::Style;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use words::{PErr, Words};

/// A command parsed from words.
pub struct Parsed {
    /// Namespace (`ip netns exec`, `ip -n`).
    pub ns: Option<String>,
    /// The command.
    pub cmd: Command,
    /// Index of the word where the command proper starts (after `ip netns exec NS`).
    pub first_word: usize,
}

/// Parses one command's words (`background` tells whether `&` ended it).
pub fn parse_words(words: &[(String, Span)], ns: Option<String>, background: bool) -> Result<Parsed, PErr> {
    let mut w = Words::new(words, 0);
    let mut first = 0;
    while w.peek() == Some("sudo") {
        w.take();
        first += 1;
    }
    let Some(prog) = w.take() else { return Err(w.err("empty command")) };
    let cmd = match prog {
        "ip" => return ip::parse(&mut w, ns, background).map(|p| Parsed { first_word: p.first_word.max(first), ..p }),
        "sysctl" => tools::sysctl(&mut w)?,
        "ping" => tools::ping(&mut w, background, false)?,
        "ping6" => tools::ping(&mut w, background, true)?,
        "tcpdump" => tools::tcpdump(&mut w, background)?,
        "sleep" => tools::sleep(&mut w)?,
        "truncate" => tools::truncate(&mut w)?,
        "kill" => tools::kill(&mut w)?,
        "wait" => tools::wait(&mut w)?,
        "brctl" => tools::brctl(&mut w)?,
        "bridge" => tools::bridge(&mut w)?,
        "traceroute" => tools::traceroute(&mut w, false)?,
        "traceroute6" => tools::traceroute(&mut w, true)?,
        "dnsmasq" => tools::dnsmasq(&mut w)?,
        "dhclient" => tools::dhclient(&mut w)?,
        "iptables" | "iptables-nft" => tools::iptables(&mut w, Family::V4)?,
        "ip6tables" | "ip6tables-nft" => tools::iptables(&mut w, Family::V6)?,
        "conntrack" => tools::conntrack(&mut w)?,
        "tc" => return tools::tc(&mut w, ns).map(|p| Parsed { first_word: p.first_word.max(first), ..p }),
        "nc" | "ncat" | "netcat" => tools::nc(&mut w)?,
        "input" => tools::input(&mut w)?,
        "curl" => tools::curl(&mut w)?,
        "python3" => tools::python3(&mut w)?,
        "iptables-save" => Command::IptablesSave { family: Family::V4, args: tools::rest(&mut w) },
        "iptables-restore" => {
            Command::IptablesRestore { family: Family::V4, args: tools::rest(&mut w), input: Vec::new() }
        }
        "ip6tables-save" => Command::IptablesSave { family: Family::V6, args: tools::rest(&mut w) },
        "ip6tables-restore" => {
            Command::IptablesRestore { family: Family::V6, args: tools::rest(&mut w), input: Vec::new() }
        }
        "echo" => {
            if let Some(o) = w.peek().filter(|o| matches!(*o, "-n" | "-e" | "-E" | "-ne" | "-en")) {
                return Err(w
                    .err(format!("not supported yet: echo {o}"))
                    .hint("nslab's echo prints its words and a newline"));
            }
            Command::Echo { args: tools::rest(&mut w) }
        }
        "cat" => {
            return Err(w
                .err_prev("not supported yet: cat (but for `cat /proc/sys/…`)")
                .hint("nslab has no files; `sysctl KEY` reads a setting"));
        }
        "exit" | "logout" => {
            return Err(w.err_prev(format!("{prog}: there is no shell to leave here")));
        }
        p if crate::command::programs::program(p).is_some_and(|r| r.start.is_some()) => {
            let mut argv = vec![p.to_string()];
            argv.extend(tools::rest(&mut w));
            Command::Exec { argv, input: Vec::new() }
        }
        _ => {
            let args: Vec<&str> = w.rest().iter().map(|(a, _)| a.as_str()).collect();
            let hint = match (paste::instead(prog), paste::nearest(prog)) {
                (Some(_), _) if let Some(h) = net_tools::hint(prog, &args) => h,
                (Some(_), _) if let Some(h) = paste::editing(prog, &args) => h,
                (Some(i), _) => i.to_string(),
                (None, Some(n)) => format!("did you mean `{n}`? nslab runs {}", crate::command::programs::names()),
                (None, None) => format!("nslab runs {}", crate::command::programs::names()),
            };
            return Err(w.err_prev(format!("unknown command `{prog}`")).hint(hint));
        }
    };
    Ok(Parsed { ns, cmd, first_word: first })
}

/// Parses a shell-style scenario. `file` names it in errors. Every line that cannot be
/// read is reported (the first error carries the others): a command that fails takes its
/// expected output and directives with it, and the lines after it are read as usual.
pub fn parse(file: &str, source: &str) -> Result<Scenario, ScenarioError> {
    parse_as(file, source, None).map(|(sc, _)| sc)
}

/// What [`parse_script`] gives: the scenario, and the namespaces of the shells still open
/// at its end (`ip netns exec X bash` without its `exit`; `None`: a shell in the root).
pub type Session = (Scenario, Vec<Option<String>>);

/// Parses `source` as a script whatever its lines look like — `nslab shell`'s session,
/// whose style must not change as lines are added (a pasted `$ ` line would make the whole
/// session a terminal transcript) — and says which shells are still open at its end.
pub fn parse_script(file: &str, source: &str) -> Result<Session, ScenarioError> {
    parse_as(file, source, Some(Style::Script))
}

/// The line without the terminal prompt it starts with (`$ `, `user@host:~$ `), if any.
pub fn strip_prompt(line: &str) -> &str {
    paste::prompt_len(line).map_or(line, |n| &line[n..])
}

/// How much stack the front end runs on: bash's parser and the walk over its syntax tree
/// recurse once per level of nesting (and more in a debug build), and a script is input.
pub(super) const STACK: usize = 256 << 20;

/// A parse for the front-end thread.
type Job = Box<dyn FnOnce() + Send>;

thread_local! {
    /// This thread's front-end thread, made at its first parse with [`STACK`] and kept
    /// (it ends when this thread does). A thread made per parse cost more than a small
    /// scenario's whole parse: its stack mapped and unmapped, and a clone, each time.
    static FRONT: std::cell::RefCell<Option<std::sync::mpsc::Sender<Job>>> = const { std::cell::RefCell::new(None) };
}

/// The front-end thread: it runs the jobs it is sent until its sender goes.
fn front_thread() -> std::io::Result<std::sync::mpsc::Sender<Job>> {
    let (tx, rx) = std::sync::mpsc::channel::<Job>();
    std::thread::Builder::new().name("nslab-front-end".into()).stack_size(STACK).spawn(move || {
        for job in rx {
            job();
        }
    })?;
    Ok(tx)
}

/// Whether a parse of `lines` could reach bash's parser, which recurses once per level of
/// nesting: a program in bash's language, or a line that runs a script or a shell (a word
/// `bash::script_call` would take, looked for in every word of every line, quotes aside —
/// more than it takes, never less).
fn reaches_bash(lines: &[&str]) -> bool {
    let scriptish = |w: &str| {
        let w = w.trim_matches(|c| c == '\'' || c == '"' || c == '(' || c == ')' || c == '`' || c == '$');
        w == "bash" || w == "sh" || w.starts_with("./") || w.starts_with("../") || w.ends_with(".sh")
    };
    bash::is_program(lines) || lines.iter().flat_map(|l| l.split_whitespace()).any(scriptish)
}

fn parse_as(file: &str, source: &str, style: Option<Style>) -> Result<Session, ScenarioError> {
    // Lines that cannot reach bash's parser are read here: the lexer and the steps do not
    // recurse with the input, and the hand-off to the front-end thread costs two wakes.
    if !reaches_bash(&source.lines().collect::<Vec<_>>()) {
        return parse_here(file, source, style);
    }
    // On a thread with a stack a script's nesting cannot exhaust before
    // `bash::MAX_NESTING` refuses it (a test thread has 2 MiB).
    let (f, src) = (file.to_owned(), source.to_owned());
    let (done, result) = std::sync::mpsc::sync_channel(1);
    let job: Job = Box::new(move || {
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| parse_here(&f, &src, style)));
        let _ = done.send(r);
    });
    let cannot =
        |e: String| ScenarioError::at(file, source, Span::new(1, 1, 1), format!("cannot start the front end: {e}"));
    FRONT.with(|front| {
        let mut front = front.borrow_mut();
        if front.is_none() {
            *front = Some(front_thread().map_err(|e| cannot(e.to_string()))?);
        }
        let Some(tx) = front.as_ref() else { return Err(cannot("no thread".into())) };
        tx.send(job).map_err(|_| cannot("its thread has ended".into()))
    })?;
    match result.recv() {
        Ok(Ok(r)) => r,
        Ok(Err(panic)) => std::panic::resume_unwind(panic),
        Err(_) => Err(cannot("its thread has ended".into())),
    }
}

fn parse_here(file: &str, source: &str, style: Option<Style>) -> Result<Session, ScenarioError> {
    let lines: Vec<&str> = source.lines().collect();
    let style = style.unwrap_or_else(|| paste::style(&lines));
    if style == Style::Script && bash::is_program(&lines) {
        return parse_program(file, source, &lines);
    }
    let transcript = style != Style::Script;
    let mut ctx = steps::Ctx::new(file, &lines, transcript, base_dir(file));
    let mut sc = Scenario::default();
    let mut block: Option<Vec<String>> = None;
    let mut errors: Vec<ScenarioError> = Vec::new();
    // The last command was refused: its expected output and directives go with it.
    let mut orphan = false;
    // `^C` under a job typed in the foreground: Ctrl-C before the next command.
    let mut ctrl_c: Option<Step> = None;
    // Jobs a transcript typed in the foreground that run on in another terminal: their
    // command line and step.
    let mut terminals: Vec<(String, usize)> = Vec::new();
    // The step the lines being read belong to, when not the last (a terminal shown again).
    let mut target: Option<usize> = None;
    // The last command line made a step (a shell's `exit` makes none).
    let mut made_step = false;
    // Records an error and goes on with the next line.
    macro_rules! fail {
        ($e:expr) => {{
            errors.push($e);
            orphan = true;
            block = Some(Vec::new());
            continue;
        }};
    }

    let mut i = 0;
    while i < lines.len() {
        let line_no = i as u32 + 1;
        let raw = lines[i];
        i += 1;
        if line_no == 1 && raw.starts_with("#!/") {
            continue;
        }
        let trimmed = raw.trim_start();
        // Expected output and directives.
        if let Some(rest) = trimmed.strip_prefix("#>") {
            let text = rest.strip_prefix(' ').unwrap_or(rest);
            match block.as_mut() {
                Some(b) => b.push(text.to_string()),
                None => {
                    errors.push(ctx.err(Span::new(line_no, 1, 2), "expected output (`#>`) before any command"));
                }
            }
            continue;
        }
        if let Some(rest) = trimmed.strip_prefix("#!") {
            let col = raw.len() - trimmed.len() + 3;
            if orphan && is_step_directive(rest) {
                continue;
            }
            if let Err((sp, m)) = directive(&mut sc, rest, line_no, col) {
                errors.push(ctx.err(sp, m));
            }
            continue;
        }
        let prompt = match style {
            Style::Script => Some(0),
            Style::Transcript => paste::prompt_len(raw),
            Style::RootTranscript => paste::root_prompt(raw).map(|_| 2),
        };
        let Some(offset) = prompt else {
            // The author's comment; inside a command's output it is a note on it, and the
            // output goes on after it.
            if trimmed.starts_with('#') {
                continue;
            }
            // Ctrl-C, as the terminal echoes it, under a command that runs until stopped.
            if raw.trim() == "^C"
                && !orphan
                && made_step
                && ctrl_c.is_none()
                && let Some(idx) = target.or(sc.steps.len().checked_sub(1))
                && steps::stoppable(&sc.steps[idx])
            {
                if !sc.steps[idx].background {
                    steps::to_background(&mut sc.steps[idx], true);
                }
                let s = &sc.steps[idx];
                let mut kill = Step::new(s.ns.as_deref(), Command::Kill { job: 0 });
                kill.text = "^C".into();
                kill.span = Span::new(line_no, 1, 2);
                kill.of_step = Some(idx);
                ctrl_c = Some(kill);
                terminals.retain(|&(_, k)| k != idx);
                // The terminal echoes `^C` and ping's statistics begin with a newline,
                // which ends that line: in ping's output it is the empty line.
                if let (Some(b), Command::Ping(_)) = (block.as_mut(), &s.run) {
                    b.push(String::new());
                }
                continue;
            }
            // Lines before the first command are the document's prose.
            if let Some(b) = block.as_mut() {
                b.push(raw.to_string());
            }
            continue;
        };
        let cmd_text = &raw[offset..];
        let offset = raw[..offset].chars().count();
        if cmd_text.trim().is_empty() || cmd_text.trim_start().starts_with('#') {
            continue;
        }
        let ctrl_c_at = target.or(sc.steps.len().checked_sub(1));
        let pause = ctrl_c.as_ref().and_then(|_| ctrl_c_pause(&sc, ctrl_c_at, block.as_deref()));
        flush(&mut sc, &mut block, orphan, transcript, target.take());
        sc.steps.extend(pause);
        sc.steps.extend(ctrl_c.take());
        orphan = false;
        // Join continuation lines.
        let mut text = cmd_text.to_string();
        let mut cols: Vec<(u32, u32)> = (0..text.chars().count()).map(|k| (line_no, (offset + k) as u32 + 1)).collect();
        while text.ends_with('\\') && i < lines.len() {
            text.pop();
            cols.pop();
            // A transcript shows the shell's `> ` before a continued line.
            let next = if transcript { lines[i].strip_prefix("> ").unwrap_or(lines[i]) } else { lines[i] };
            let skip = lines[i].chars().count() - next.chars().count();
            let end_line = i as u32 + 1;
            i += 1;
            cols.extend((0..next.chars().count()).map(|k| (end_line, (skip + k) as u32 + 1)));
            text.push_str(next);
        }
        // The same command line as a job still running in another terminal: the document
        // shows that terminal again, and the lines under it are that job's.
        // (The same line in another namespace's shell is another terminal.)
        let here = ctx.shells.last().and_then(|(ns, _)| ns.clone()).unwrap_or_default();
        let key = format!("{here}\0{}", text.split_whitespace().collect::<Vec<_>>().join(" "));
        if let Some(&(_, idx)) = terminals.iter().find(|(t, _)| *t == key) {
            target = Some(idx);
            block = Some(Vec::new());
            made_step = true;
            continue;
        }
        let mut toks = match lex(&text, &cols) {
            Ok(t) => t,
            Err(e) => fail!(ctx.err(e.span, e.message)),
        };
        // `CMD <<EOF` (or <<'EOF'): the lines up to `EOF` are CMD's stdin. A transcript
        // shows them after the shell's `> ` prompt.
        let mut heredoc: Option<(Vec<String>, Span)> = None;
        let amp = usize::from(matches!(toks.last(), Some(Tok::Op(o, _)) if o == "&"));
        if toks.len() >= 3 + amp {
            let n = toks.len() - amp;
            if let (Tok::Op(a, at), Tok::Op(b, _), Tok::Word(delim, _)) = (&toks[n - 3], &toks[n - 2], &toks[n - 1])
                && a == "<"
                && b == "<"
            {
                let delim = delim.trim_start_matches('-').to_string();
                let at = *at;
                let mut body = Vec::new();
                let mut ended = false;
                while let Some(l) = lines.get(i) {
                    i += 1;
                    let l = if transcript { l.strip_prefix("> ").unwrap_or(if *l == ">" { "" } else { l }) } else { l };
                    if l == delim {
                        ended = true;
                        break;
                    }
                    body.push(l.to_string());
                }
                if !ended {
                    fail!(
                        ctx.err(at, format!("here-document never ends: no line `{delim}`"))
                            .with_hint(format!("end it with a line holding only `{delim}`"))
                    );
                }
                toks.drain(n - 3..n);
                heredoc = Some((body, at));
            }
        }
        let at = steps::LineAt { text: cmd_text, offset, line_no };
        let before = sc.steps.len();
        if let Err(e) = ctx.line(&at, toks, heredoc, &mut sc.steps) {
            fail!(e);
        }
        if sc.steps.len() == before + 1 && sc.steps[before].other_terminal {
            terminals.push((key, before));
        }
        // A line that made no step (a shell opened or left) keeps nothing under it (bash's
        // own `exit` echo).
        made_step = sc.steps.len() > before;
        block = made_step.then(Vec::new);
    }
    let ctrl_c_at = target.or(sc.steps.len().checked_sub(1));
    let pause = ctrl_c.as_ref().and_then(|_| ctrl_c_pause(&sc, ctrl_c_at, block.as_deref()));
    flush(&mut sc, &mut block, orphan, transcript, target.take());
    sc.steps.extend(pause);
    sc.steps.extend(ctrl_c.take());
    if let Some(e) = ScenarioError::all(errors) {
        return Err(e);
    }
    if sc.steps.is_empty() {
        let e = ctx.err(Span::new(1, 1, 1), "no commands in this file");
        return Err(if style == Style::Script && lines.iter().any(|l| l.starts_with("# ")) {
            e.with_hint("in a script `# …` is a comment; a terminal session shows commands after a prompt (`$ ip …`)")
        } else {
            e
        });
    }
    Ok((sc, ctx.shells.into_iter().map(|(ns, _)| ns).collect()))
}

/// Where a file's scripts (`./netns.sh`) are looked for: beside it, then in a folder named
/// after it (`pasted/004-nat-types/` for `pasted/004-nat-types.sh`), so a scenario's own
/// scripts need not sit among the scenarios.
fn base_dir(file: &str) -> Vec<PathBuf> {
    let p = Path::new(file);
    let dir = p.parent().map(Path::to_path_buf).unwrap_or_default();
    let own = p.file_stem().map(|s| dir.join(s));
    std::iter::once(dir).chain(own).collect()
}

/// A script in the shell language ([`bash::is_program`]): bash's part (variables,
/// functions, loops) runs now, and each command it reaches is read as a plain line is.
/// Expected output and step directives under a command's line belong to each command that
/// line ran (a line in a function called twice ran two).
fn parse_program(file: &str, source: &str, lines: &[&str]) -> Result<Session, ScenarioError> {
    let mut ctx = steps::Ctx::new(file, lines, false, base_dir(file));
    let mut sc = Scenario::default();
    let mut errors = Vec::new();
    // Expected output and step directives, by the line of code above them.
    let mut blocks: BTreeMap<u32, (u32, Vec<String>)> = BTreeMap::new();
    let mut dirs: Vec<(u32, &str, u32, usize)> = Vec::new();
    let mut owner: Option<u32> = None;
    for (k, raw) in lines.iter().enumerate() {
        let line_no = k as u32 + 1;
        let t = raw.trim_start();
        if let Some(rest) = t.strip_prefix("#>") {
            let text = rest.strip_prefix(' ').unwrap_or(rest);
            match owner {
                Some(o) => blocks.entry(o).or_insert((line_no, Vec::new())).1.push(text.to_string()),
                None => errors.push(ctx.err(Span::new(line_no, 1, 2), "expected output (`#>`) before any command")),
            }
        } else if let Some(rest) = t.strip_prefix("#!") {
            if line_no == 1 && raw.starts_with("#!/") {
                continue;
            }
            let col = raw.len() - t.len() + 3;
            if is_step_directive(rest) {
                match owner {
                    Some(o) => dirs.push((o, rest, line_no, col)),
                    None => {
                        errors.push(ctx.err(Span::new(line_no, col as u32, 1), "this directive must follow a command"))
                    }
                }
            } else if let Err((sp, m)) = directive(&mut sc, rest, line_no, col) {
                errors.push(ctx.err(sp, m));
            }
        } else if !t.is_empty() && !t.starts_with('#') {
            owner = Some(line_no);
        }
    }
    let mut owners: Vec<u32> = Vec::new();
    let base = ctx.base.clone();
    let budget = ctx.budget.clone();
    let name = Path::new(file).file_name().and_then(|n| n.to_str()).unwrap_or(file).to_string();
    let ran = {
        let steps = &mut sc.steps;
        let mut sink = |e: bash::Emit| -> Result<(), ScenarioError> {
            let before = steps.len();
            let at = steps::LineAt { text: "", offset: 0, line_no: 0 };
            ctx.line(&at, e.toks, e.heredoc, steps).map_err(|err| from_script(err, &e.from))?;
            owners.extend(std::iter::repeat_n(e.line, steps.len() - before));
            Ok(())
        };
        bash::run(file, source, &name, Vec::new(), &base, None, (0, budget), &mut sink)
    };
    if let Err(e) = ran {
        errors.push(e);
    }
    for (o, (first, block)) in blocks {
        let mine: Vec<usize> = (0..owners.len()).filter(|&i| owners[i] == o).collect();
        if mine.is_empty() && errors.is_empty() {
            errors.push(
                ctx.err(Span::new(first, 1, 2), "expected output under a line that ran no command of its own")
                    .with_hint("put `#>` lines under the command that prints them (inside the function or loop)"),
            );
        }
        for i in mine {
            sc.steps[i].expect.push(Expect::Output(block.clone()));
        }
    }
    for (o, rest, line, col) in dirs {
        let mut one = Scenario::default();
        one.steps.push(Step::new(None, Command::Wait));
        if let Err((sp, m)) = directive(&mut one, rest, line, col) {
            errors.push(ctx.err(sp, m));
            continue;
        }
        let st = one.steps.pop().expect("the step");
        for i in (0..owners.len()).filter(|&i| owners[i] == o) {
            sc.steps[i].expect.extend(st.expect.iter().cloned());
            sc.steps[i].differs.extend(st.differs.iter().cloned());
        }
    }
    if let Some(e) = ScenarioError::all(errors) {
        return Err(e);
    }
    if sc.steps.is_empty() {
        return Err(ctx.err(Span::new(1, 1, 1), "the script runs no command"));
    }
    Ok((sc, ctx.shells.into_iter().map(|(ns, _)| ns).collect()))
}

/// An error in a command a script (run from a line of this file) reached: where in the
/// script it was.
fn from_script(mut e: ScenarioError, from: &Option<(String, u32)>) -> ScenarioError {
    if let Some((file, line)) = from {
        let by = format!(" (run by {file}, line {line})");
        // A script that runs itself names its line once.
        if !e.message.ends_with(&by) {
            e.message.push_str(&by);
        }
    }
    e
}

/// The pause before a `^C` under a ping: the statistics the document shows under it say how
/// many it sent (`N packets transmitted`), so `^C` comes half an interval after the Nth.
fn ctrl_c_pause(sc: &Scenario, at: Option<usize>, block: Option<&[String]>) -> Option<Step> {
    let Command::Ping(p) = &sc.steps.get(at?)?.run else { return None };
    let sent: u64 = block?
        .iter()
        .map(|l| l.trim_start())
        .find_map(|l| l.split(" packets transmitted").next().filter(|n| *n != l)?.parse().ok())?;
    let interval = p.interval.map_or(1_000_000_000, |i| i.0.as_nanos());
    // (A count or an interval no terminal session waits out gets no pause.)
    let wait = sent.checked_sub(1)?.checked_mul(interval)?.checked_add(interval / 2)?;
    if wait > 3_600_000_000_000 {
        return None;
    }
    let secs = crate::command::Secs(sim_core::Duration::from_nanos(wait));
    let mut st = Step::new(sc.steps[at?].ns.as_deref(), Command::Sleep { secs });
    st.text = format!("{}  # {sent} pings sent, then ^C", st.text);
    st.span = sc.steps[at?].span;
    Some(st)
}

/// The command as the file wrote it, from its first word to its last token, when both are
/// on the line's first line; else its words, quoted.
fn shown_text(at: &steps::LineAt<'_>, first: Span, last: Span, words: &[(String, Span)]) -> String {
    if first.line == last.line && first.line == at.line_no && first.col as usize > at.offset {
        let from = (first.col - 1) as usize - at.offset;
        let to = ((last.col - 1 + last.len) as usize).saturating_sub(at.offset).max(from);
        at.text.chars().skip(from).take(to - from).collect()
    } else {
        words.iter().map(|(w, _)| crate::command::shell_quote(w)).collect::<Vec<_>>().join(" ")
    }
}

/// A directive that belongs to the command before it (`#! exit: 2`, `#! contains: …`).
fn is_step_directive(rest: &str) -> bool {
    let key = rest.trim_start().split(':').next().unwrap_or_default().trim();
    matches!(key, "contains" | "lacks" | "exit" | "differs" | "repeats" | "within")
}

/// Attaches a finished expected-output block to step `target` (the last step if `None`),
/// or drops it when the command it belongs to was refused (`orphan`). In a transcript the
/// step is then one whose output the session shows, failure included ([`Step::shown`]);
/// a terminal shown again replaces what it showed before; and the lines under a client
/// typed in another terminal (`nc HOST PORT`), up to a blank line, are what the user
/// typed into it.
fn flush(sc: &mut Scenario, block: &mut Option<Vec<String>>, orphan: bool, transcript: bool, target: Option<usize>) {
    let Some(mut b) = block.take() else { return };
    if orphan {
        return;
    }
    while b.last().is_some_and(|l| l.trim().is_empty()) {
        b.pop();
    }
    let Some(idx) = target.or(sc.steps.len().checked_sub(1)) else { return };
    if b.is_empty() {
        return;
    }
    if transcript && steps::typed_into(&sc.steps[idx]) {
        let (ns, span) = (sc.steps[idx].ns.clone(), sc.steps[idx].span);
        // What was typed ends at the first blank line; the document's prose may follow.
        for l in b.iter().take_while(|l| !l.trim().is_empty()) {
            let line = paste::without_note(l);
            let mut st = Step::new(ns.as_deref(), Command::Input { job: 0, line: line.to_string() });
            st.text = line.to_string();
            st.span = span;
            st.of_step = Some(idx);
            sc.steps.push(st);
        }
        return;
    }
    let s = &mut sc.steps[idx];
    if target.is_some() {
        s.expect.retain(|e| !matches!(e, Expect::Output(_)));
    }
    s.shown = transcript;
    s.expect.push(Expect::Output(b));
}

fn directive(sc: &mut Scenario, rest: &str, line: u32, col: usize) -> Result<(), (Span, String)> {
    let rest = rest.trim_start();
    let (key, value) = rest
        .split_once(':')
        .ok_or_else(|| (Span::new(line, col as u32, 1), "a directive reads `#! KEY: VALUE`".to_string()))?;
    let value = value.strip_prefix(' ').unwrap_or(value);
    let at = Span::new(line, col as u32, key.len() as u32);
    let last = || (at, format!("`#! {key}` must follow a command"));
    match key.trim() {
        "seed" => {
            sc.seed =
                Some(value.trim().parse().map_err(|_| (at, format!("seed must be a number, not `{}`", value.trim())))?)
        }
        "description" => {
            if !sc.description.is_empty() {
                sc.description.push(' ');
            }
            sc.description.push_str(value.trim());
        }
        "contains" => sc.steps.last_mut().ok_or_else(last)?.expect.push(Expect::Contains(vec![value.to_string()])),
        "lacks" => sc.steps.last_mut().ok_or_else(last)?.expect.push(Expect::Lacks(vec![value.to_string()])),
        "exit" => {
            let n = value
                .trim()
                .parse()
                .map_err(|_| (at, format!("exit status must be a number, not `{}`", value.trim())))?;
            sc.steps.last_mut().ok_or_else(last)?.expect.push(Expect::Exit(n));
        }
        "differs" | "repeats" => {
            let (line, why) = value.split_once(" -- ").ok_or_else(|| {
                (at, format!("a known difference reads `#! {}: LINE -- WHY` (the reason is required)", key.trim()))
            })?;
            let repeats = key.trim() == "repeats";
            let k = Known { line: line.to_string(), why: why.trim().to_string(), repeats, within: None };
            sc.steps.last_mut().ok_or_else(last)?.differs.push(k);
        }
        "within" => {
            let bad = || (at, "a tolerance reads `#! within: N% [LINE] -- WHY` (the reason is required)".to_string());
            let (head, why) = value.split_once(" -- ").ok_or_else(bad)?;
            let head = head.trim();
            let (pct, line) = head.split_once(char::is_whitespace).unwrap_or((head, ""));
            let pct: u32 = pct.strip_suffix('%').and_then(|p| p.parse().ok()).ok_or_else(bad)?;
            let k =
                Known { line: line.trim().to_string(), why: why.trim().to_string(), repeats: false, within: Some(pct) };
            sc.steps.last_mut().ok_or_else(last)?.differs.push(k);
        }
        "kernel-skip" => sc.kernel_skip = Some(value.trim().to_string()),
        k => {
            return Err((
                at,
                format!(
                    "unknown directive `{k}` (seed, description, contains, lacks, exit, differs, repeats, within, kernel-skip)"
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
