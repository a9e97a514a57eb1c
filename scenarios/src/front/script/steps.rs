//! One logical line of a shell-style scenario, as tokens, into steps: commands between
//! `;`, `&&` and `&`; `echo LINE | CMD` and `| grep`; `sudo` and `ip netns exec X` in
//! front of a shell (`bash` … `exit`), of `sh -c '…'`, or of `/proc/sys` read and written
//! by hand; and, in a transcript, a command that runs until stopped typed in the
//! foreground (it ran in another terminal: it becomes a background job).
//!
//! It owns what a line's words become; [`super::parse`] owns which lines are commands,
//! their here-documents and expected output.

use super::lexer::{Tok, lex};
use super::paste;
use super::{parse_words, shown_text};
use crate::command::{Command, Grep, Step};
use crate::error::{ScenarioError, Span};

/// What a line is read in: the file, and the shells opened in it.
pub(super) struct Ctx<'a> {
    /// The file's name, for errors.
    pub file: &'a str,
    /// Its lines, for errors.
    pub lines: &'a [&'a str],
    /// Whether the file is a terminal session (prompts) rather than a script.
    pub transcript: bool,
    /// Shells opened by `ip netns exec X bash` (and `sudo -i`), innermost last: the
    /// namespace each runs in (`None`: the machine's).
    pub shells: Vec<(Option<String>, Span)>,
    /// Where scripts the file runs (`./netns.sh create`) are looked for.
    pub base: Vec<std::path::PathBuf>,
    /// How many scripts run each other here (`./x.sh` whose line runs `./y.sh`).
    pub script_depth: usize,
    /// What every script the file runs may do in all (`bash::Budget`).
    pub budget: super::bash::Budget,
    /// What `docker` lines have made so far.
    pub docker: super::docker::Daemon,
}

/// A logical line: the text after its prompt, where that text starts, and its line numbers.
pub(super) struct LineAt<'a> {
    /// The command text (after the prompt).
    pub text: &'a str,
    /// Columns of prompt before it.
    pub offset: usize,
    /// Its first line.
    pub line_no: u32,
}

impl<'a> Ctx<'a> {
    pub(super) fn new(file: &'a str, lines: &'a [&'a str], transcript: bool, base: Vec<std::path::PathBuf>) -> Self {
        Ctx {
            file,
            lines,
            transcript,
            shells: Vec::new(),
            base,
            script_depth: 0,
            budget: Default::default(),
            docker: Default::default(),
        }
    }

    pub(super) fn err(&self, span: Span, msg: impl Into<String>) -> ScenarioError {
        let text = self.lines.get(span.line.saturating_sub(1) as usize).copied().unwrap_or("");
        ScenarioError::on_line(self.file, text, span, msg)
    }

    /// The namespace a plain command runs in: the innermost open shell's.
    fn here(&self) -> Option<String> {
        self.shells.last().and_then(|(ns, _)| ns.clone())
    }

    /// Appends the steps of one logical line to `out`.
    pub(super) fn line(
        &mut self,
        at: &LineAt<'_>,
        toks: Vec<Tok>,
        mut heredoc: Option<(Vec<String>, Span)>,
        out: &mut Vec<Step>,
    ) -> Result<(), ScenarioError> {
        let segments = self.split(toks)?;
        let last = segments.len().saturating_sub(1);
        for (k, (seg, background)) in segments.into_iter().enumerate() {
            let hd = if k == last { heredoc.take() } else { None };
            self.segment(at, seg, background, hd, out)?;
        }
        Ok(())
    }

    /// Splits at `;`, `&&` and `&`: the commands of a line, and whether each runs in the
    /// background.
    fn split(&self, toks: Vec<Tok>) -> Result<Vec<(Vec<Tok>, bool)>, ScenarioError> {
        let mut out = Vec::new();
        let mut cur = Vec::new();
        for t in toks {
            match &t {
                Tok::Op(o, _) if o == ";" || o == "&&" || o == "&" => {
                    if cur.is_empty() {
                        return Err(self.err(t.span(), format!("syntax error near unexpected token `{o}'")));
                    }
                    out.push((std::mem::take(&mut cur), o == "&"));
                }
                Tok::Op(o, s) if o == "||" => {
                    return Err(self
                        .err(*s, "not supported yet: `||` (a command run only when the one before fails)")
                        .with_hint("write the command that should run on its own line, or expect the failure with `#! exit: N`"));
                }
                _ => cur.push(t),
            }
        }
        if !cur.is_empty() {
            out.push((cur, false));
        }
        Ok(out)
    }

    /// One command of a line.
    fn segment(
        &mut self,
        at: &LineAt<'_>,
        mut toks: Vec<Tok>,
        background: bool,
        heredoc: Option<(Vec<String>, Span)>,
        out: &mut Vec<Step>,
    ) -> Result<(), ScenarioError> {
        // `sudo` and `ip netns exec X` in front: where the rest runs.
        let mut ns = self.here();
        let mut lead = 0;
        // Where the last `ip netns exec X` ends: a shell after it may begin with `sudo`.
        let mut after_exec = 0;
        loop {
            match &toks[lead..] {
                [Tok::Word(s, _), ..] if s == "sudo" => lead += 1,
                [Tok::Word(ip, _), Tok::Word(n, _), Tok::Word(e, _), Tok::Word(name, _), ..]
                    if ip == "ip" && n == "netns" && e == "exec" =>
                {
                    ns = Some(name.clone());
                    lead += 4;
                    after_exec = lead;
                }
                _ => break,
            }
        }
        let rest: Vec<&str> =
            toks[after_exec..].iter().map(|t| if let Tok::Word(w, _) = t { w.as_str() } else { "" }).collect();
        let all_words = toks.iter().all(|t| matches!(t, Tok::Word(..)));
        if all_words && paste::is_shell(&rest) {
            self.shells.push((ns, toks[0].span()));
            return Ok(());
        }
        if all_words && paste::closes_shell(&words_of(&toks)) {
            if self.shells.pop().is_none() {
                return Err(self
                    .err(toks[0].span(), "exit: there is no shell to leave")
                    .with_hint("`exit` leaves a shell opened with `ip netns exec NS bash`; none is open here"));
            }
            return Ok(());
        }
        // `./netns.sh create`, `bash x.sh`: the script's commands, run where the prefix says.
        let from_lead: Vec<&str> = rest.get(lead.saturating_sub(after_exec)..).unwrap_or_default().to_vec();
        if all_words && let Some((path, args)) = super::bash::script_call(&from_lead) {
            let at = toks[lead].span();
            let depth = self.shells.len();
            self.shells.push((ns, at));
            let base = self.base.clone();
            let budget = self.budget.clone();
            // A script whose line runs a script (itself, too) counts one deeper.
            let scripts = self.script_depth;
            self.script_depth += 1;
            let ran = {
                let mut sink = |e: super::bash::Emit| -> Result<(), ScenarioError> {
                    let sub = LineAt { text: "", offset: 0, line_no: 0 };
                    self.line(&sub, e.toks, e.heredoc, out).map_err(|err| super::from_script(err, &e.from))
                };
                super::bash::run_file(&path, args, &base, at, (scripts, budget), &mut sink)
            };
            self.script_depth = scripts;
            self.shells.truncate(depth);
            return ran.map_err(|e| match e {
                super::bash::RunErr::Here(f) => self.err(at, f.msg).with_opt_hint(f.hint),
                super::bash::RunErr::Script(e) => e,
            });
        }
        // `docker …`: the lines that do to the network what Docker does, run by the daemon
        // (in the root namespace, whichever shell the line was typed in).
        if matches!(toks.get(lead), Some(Tok::Word(w, _)) if w == "docker") {
            return self.docker(&toks[lead..], out);
        }
        // `sh -c '…'`: its string is the line, run where the prefix says.
        if let [Tok::Word(sh, _), Tok::Word(c, _), Tok::Word(inner, s)] = &toks[lead..]
            && matches!(sh.as_str(), "sh" | "bash")
            && c == "-c"
        {
            let cols: Vec<(u32, u32)> = (0..inner.chars().count()).map(|k| (s.line, s.col + 1 + k as u32)).collect();
            let inner_toks = lex(inner, &cols).map_err(|e| self.err(e.span, e.message))?;
            // The string's characters start one column after its opening quote.
            let sub = LineAt { text: inner, offset: s.col as usize, line_no: s.line };
            // What the string opens or leaves (`exit`) is its own shell's business.
            let depth = self.shells.len();
            self.shells.push((ns, *s));
            let r = self.line(&sub, inner_toks, heredoc, out);
            self.shells.truncate(depth);
            return r;
        }
        // `/proc/sys` by hand. A redirection, or `| tee`, is the shell's: `ip netns exec X
        // echo 1 > /proc/sys/…` writes the shell's own namespace, as on Linux.
        if let Some(cmd) = paste::proc_sys(&toks[lead..]) {
            let cmd = cmd.map_err(|(s, m)| self.err(s, m))?;
            let writes = matches!(&cmd, Command::Sysctl { value: Some(_), .. });
            let ns = if writes { self.here() } else { ns };
            let words = words_of(&toks);
            let step = self.step(at, &toks, words, ns, cmd, background, None, lead)?;
            out.push(step);
            return Ok(());
        }
        // `echo LINE | CMD`: LINE is CMD's stdin.
        let mut piped: Option<(String, Span)> = None;
        if matches!(toks.first(), Some(Tok::Word(w, _)) if w == "echo")
            && let Some(bar) = toks.iter().position(|t| matches!(t, Tok::Op(o, _) if o == "|"))
        {
            let line: Vec<String> = words_of(&toks[1..bar]).into_iter().map(|(w, _)| w).collect();
            piped = Some((line.join(" "), toks[0].span()));
            toks.drain(..=bar);
        }
        let echo_piped = piped.is_some();
        let mut words: Vec<(String, Span)> = Vec::new();
        let mut grep = None;
        let mut k = 0;
        while k < toks.len() {
            match &toks[k] {
                Tok::Word(w, s) => words.push((w.clone(), *s)),
                Tok::Op(op, s) if op == "|" && grep.is_none() => {
                    let (g, used) = parse_grep(&toks[k + 1..], *s).map_err(|(sp, m)| self.err(sp, m))?;
                    grep = Some(g);
                    k += used;
                }
                // A here-string is a line on stdin, as `echo LINE |` gives it.
                Tok::Op(op, s) if op == "<<<" && piped.is_none() => match toks.get(k + 1) {
                    Some(Tok::Word(w, _)) => {
                        piped = Some((w.clone(), *s));
                        k += 1;
                    }
                    _ => return Err(self.err(*s, "syntax error near unexpected token `newline'")),
                },
                Tok::Op(op, s) if op == "<" => {
                    return Err(self
                        .err(*s, "not supported yet: reading a file (`<`); nslab has no files")
                        .with_hint("give the input as a here-document: `<<EOF`, the lines, then `EOF`"));
                }
                Tok::Op(op, s) => {
                    return Err(self.err(*s, format!("not supported yet: `{op}` in a scenario line")).with_hint(
                        "of pipes only `| grep [-v] [-i] WORD` is modelled; of redirections, `echo V > /proc/sys/…`",
                    ));
                }
            }
            k += 1;
        }
        if words.is_empty() {
            return Ok(());
        }
        let mut parsed = parse_words(&words, self.here(), background).map_err(|mut e| {
            // A container's name where an address goes: Docker's DNS would have found it.
            if let Some(name) = e.msg.strip_suffix(": Name or service not known").and_then(|m| m.rsplit(": ").next())
                && let Some(a) = self.docker.address_of(name)
            {
                e.hint = Some(format!(
                    "nslab has no DNS (Docker's embedded DNS is not modelled): `{name}` is a container at {a}; give that address"
                ));
            }
            self.err(e.span, e.msg).with_opt_hint(e.hint)
        })?;
        if let Some((line, at)) = &piped {
            match &mut parsed.cmd {
                Command::Nc(n) => n.input = Some(line.clone()),
                c => {
                    return Err(self
                        .err(*at, format!("not supported yet: input piped into {}", c.program()))
                        .with_hint("`echo LINE | nc …` is the pipe nslab models"));
                }
            }
        }
        if let Some((body, at)) = heredoc {
            match &mut parsed.cmd {
                Command::IptablesRestore { input, .. }
                | Command::SysctlLoad { input, .. }
                | Command::Exec { input, .. } => *input = body,
                c => {
                    return Err(self
                        .err(at, format!("not supported yet: a here-document into {}", c.program()))
                        .with_hint("iptables-restore, sysctl -p - and radvd -C /dev/stdin are what nslab feeds a here-document"));
                }
            }
        }
        let shown_words = echo_piped.then(|| parsed.cmd.to_string());
        let mut step = self.step(at, &toks, words, parsed.ns, parsed.cmd, background, grep, parsed.first_word)?;
        if let Some(s) = shown_words {
            step.text = s;
        }
        out.push(step);
        Ok(())
    }

    /// A `docker` line: the daemon's lines, each parsed as if typed in the root namespace
    /// (errors point at the `docker` line), or a shell opened in a container.
    fn docker(&mut self, toks: &[Tok], out: &mut Vec<Step>) -> Result<(), ScenarioError> {
        // The words before a pipe or redirection: only `docker exec C CMD` may have one
        // (it is CMD's).
        let n = toks.iter().position(|t| !matches!(t, Tok::Word(..))).unwrap_or(toks.len());
        let words = words_of(&toks[..n]);
        let w: Vec<&str> = words.iter().map(|(w, _)| w.as_str()).collect();
        let exec = matches!(w.get(1..3), Some(["exec", _] | ["container", "exec"]));
        if n < toks.len() && !exec {
            return Err(self
                .err(toks[n].span(), "not supported yet: a pipe or redirection after this docker command")
                .with_hint("of docker's lines only `docker exec CONTAINER CMD … | grep …` takes one"));
        }
        let action = self.docker.expand(&w).map_err(|r| {
            let at = words[r.word.min(words.len() - 1)].1;
            self.err(at, r.msg).with_opt_hint(r.hint)
        })?;
        let at = words[0].1;
        let (lines, then) = match action {
            super::docker::Action::Lines(l) => (l, None),
            super::docker::Action::LinesThenShell(l, c) => (l, Some(c)),
            super::docker::Action::Shell(c) => (Vec::new(), Some(c)),
            super::docker::Action::Exec(c, from) => {
                // `docker exec C CMD…` is `ip netns exec C CMD…`.
                let mut run: Vec<Tok> = ["ip", "netns", "exec", c.as_str()].map(|w| Tok::Word(w.into(), at)).to_vec();
                run.extend(toks[from..].iter().cloned());
                let sub = LineAt { text: "", offset: 0, line_no: 0 };
                return self.line(&sub, run, None, out);
            }
        };
        let depth = self.shells.len();
        self.shells.push((None, at));
        for l in &lines {
            let cols = vec![(at.line, at.col); l.chars().count()];
            let sub = LineAt { text: "", offset: 0, line_no: 0 };
            let r = lex(l, &cols).map_err(|e| self.err(e.span, e.message)).and_then(|t| self.line(&sub, t, None, out));
            if let Err(e) = r {
                self.shells.truncate(depth);
                return Err(e);
            }
        }
        self.shells.truncate(depth);
        if let Some(c) = then {
            self.shells.push((Some(c), at));
        }
        Ok(())
    }

    /// A step from a command's words; validated.
    #[allow(clippy::too_many_arguments)]
    fn step(
        &self,
        at: &LineAt<'_>,
        toks: &[Tok],
        words: Vec<(String, Span)>,
        ns: Option<String>,
        run: Command,
        background: bool,
        grep: Option<Grep>,
        first_word: usize,
    ) -> Result<Step, ScenarioError> {
        let first_span = words[first_word.min(words.len() - 1)].1;
        let last_span = toks.last().map(|t| t.span()).unwrap_or(first_span);
        let text = shown_text(at, first_span, last_span, &words[first_word.min(words.len() - 1)..]);
        let span = Span::new(
            words[0].1.line,
            words[0].1.col,
            if last_span.line == words[0].1.line { last_span.col + last_span.len - words[0].1.col } else { 1 },
        );
        let mut step = Step {
            ns,
            run,
            background,
            grep,
            expect: Vec::new(),
            differs: Vec::new(),
            span,
            text,
            words: words.as_slice().into(),
            shown: false,
            other_terminal: false,
            of_step: None,
        };
        // A command that runs until stopped, typed in the foreground of a terminal session
        // followed by more commands: the author ran it in another terminal.
        if self.transcript && !step.background && another_terminal(&step.run) {
            to_background(&mut step, false);
        }
        if let Err(v) = crate::command::validate::step(&step) {
            let at = v.word.as_deref().map(|w| step.locate(w)).unwrap_or(step.span);
            return Err(self.err(at, v.message).with_opt_hint(v.hint));
        }
        Ok(step)
    }
}

/// What a tutorial types in a second terminal: a program that only Ctrl-C ends, or one
/// that waits for the other side (`nc -l`, an `nc` client reading the terminal). (A ping
/// without `-c` may end at once, unreachable: it is one only when `^C` follows it.)
pub(super) fn another_terminal(cmd: &Command) -> bool {
    crate::run::shell::never_ends(cmd)
        || matches!(cmd, Command::Tcpdump(_))
        || matches!(cmd, Command::Nc(n) if n.listen || (n.input.is_none() && !n.zero))
}

/// Makes a step typed in the foreground run on beside the commands after it, saying so in
/// its text: in another terminal, or (`until_ctrl_c`) in this one until `^C`. Either way it
/// takes no job number of this terminal's (`Step::other_terminal`).
pub(super) fn to_background(step: &mut Step, until_ctrl_c: bool) {
    step.background = true;
    step.other_terminal = true;
    step.text.push_str(if until_ctrl_c { " &  # until ^C" } else { " &  # in another terminal" });
}

/// Whether `^C` under the step stops it: a job in another terminal, or a foreground ping
/// without `-c`.
pub(super) fn stoppable(step: &Step) -> bool {
    step.other_terminal || (!step.background && matches!(&step.run, Command::Ping(p) if p.count.is_none()))
}

/// Whether the lines under the step are typed into it: an `nc` client in another terminal.
pub(super) fn typed_into(step: &Step) -> bool {
    step.other_terminal && matches!(&step.run, Command::Nc(n) if !n.listen && n.input.is_none())
}

fn words_of(toks: &[Tok]) -> Vec<(String, Span)> {
    toks.iter().filter_map(|t| if let Tok::Word(w, s) = t { Some((w.clone(), *s)) } else { None }).collect()
}

/// Parses `grep [-v] [-i] [-F] WORD` after a `|`; returns it and how many tokens it used.
fn parse_grep(toks: &[Tok], bar: Span) -> Result<(Grep, usize), (Span, String)> {
    let mut g = Grep { pattern: String::new(), invert: false, ignore_case: false };
    let mut used = 0;
    let mut pattern = None;
    match toks.first() {
        Some(Tok::Word(w, _)) if w == "grep" => used += 1,
        Some(t) => return Err((t.span(), "not supported yet: pipes other than `| grep`".into())),
        None => return Err((bar, "a pipe needs a command after it".into())),
    }
    while let Some(Tok::Word(w, s)) = toks.get(used) {
        match w.as_str() {
            "-v" => g.invert = true,
            "-i" => g.ignore_case = true,
            "-F" => {}
            o if o.starts_with('-') && pattern.is_none() => return Err((*s, format!("not supported yet: grep {o}"))),
            p if pattern.is_none() => {
                if p.contains(['*', '[', '^', '$', '\\']) || (p.contains('.') && p.contains(".*")) {
                    return Err((*s, "not supported yet: grep regular expressions (fixed strings only)".into()));
                }
                pattern = Some(p.to_string());
            }
            _ => return Err((*s, "grep takes one pattern here".into())),
        }
        used += 1;
    }
    g.pattern = pattern.ok_or((bar, "grep needs a pattern".to_string()))?;
    Ok((g, used))
}
