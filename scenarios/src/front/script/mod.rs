//! The shell-script front end: a file of the tutorials' own command lines.
//!
//! Two styles, both producing the same [`Scenario`]:
//!
//! - **Script**: one command per line, as bash would run it. Comments, blank lines and
//!   `sudo` are fine. Expectations are comments, so the file stays a valid script:
//!   `#> LINE` lines after a command are its whole expected output; `#! contains: LINE`,
//!   `#! lacks: LINE`, `#! exit: N` add checks; `#! seed: N` and `#! description: TEXT`
//!   describe the file.
//! - **Transcript**: when any line starts with `$ `, only those lines are commands and the
//!   plain lines after one are its expected output, exactly as a tutorial shows a terminal.
//!
//! In expected lines `{}` matches any text and a line `...` any number of lines.

mod ip;
pub mod lexer;
mod tools;
pub mod words;

use crate::command::{Command, Expect, Known, Scenario, Step};
use crate::error::{ScenarioError, Span};
use lexer::{Tok, lex};
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
        "ping" => tools::ping(&mut w, background)?,
        "tcpdump" => tools::tcpdump(&mut w, background)?,
        "sleep" => tools::sleep(&mut w)?,
        "kill" => tools::kill(&mut w)?,
        "wait" => tools::wait(&mut w)?,
        "brctl" => tools::brctl(&mut w)?,
        "bridge" => tools::bridge(&mut w)?,
        "traceroute" => tools::traceroute(&mut w)?,
        "dnsmasq" => tools::dnsmasq(&mut w)?,
        "dhclient" => tools::dhclient(&mut w)?,
        "iptables" | "iptables-nft" => tools::iptables(&mut w)?,
        "conntrack" => tools::conntrack(&mut w)?,
        "nc" | "ncat" | "netcat" => tools::nc(&mut w)?,
        "input" => tools::input(&mut w)?,
        "curl" => tools::curl(&mut w)?,
        "python3" => tools::python3(&mut w)?,
        "iptables-save" => Command::IptablesSave { args: tools::rest(&mut w) },
        "iptables-restore" => Command::IptablesRestore { args: tools::rest(&mut w), input: Vec::new() },
        "echo" => {
            return Err(w.err_prev(format!("not supported yet: {prog}")));
        }
        p if crate::command::programs::program(p).is_some_and(|r| r.start.is_some()) => {
            let mut argv = vec![p.to_string()];
            argv.extend(tools::rest(&mut w));
            Command::Exec { argv }
        }
        _ => {
            return Err(w
                .err_prev(format!("unknown command `{prog}`"))
                .hint(format!("nslab runs {}", crate::command::programs::names())));
        }
    };
    Ok(Parsed { ns, cmd, first_word: first })
}

/// Parses a shell-style scenario. `file` names it in errors. Every line that cannot be
/// read is reported (the first error carries the others): a command that fails takes its
/// expected output and directives with it, and the lines after it are read as usual.
pub fn parse(file: &str, source: &str) -> Result<Scenario, ScenarioError> {
    let lines: Vec<&str> = source.lines().collect();
    let transcript = lines.iter().any(|l| l.starts_with("$ ") || *l == "$");
    let mut sc = Scenario::default();
    let mut block: Option<Vec<String>> = None;
    let err = |span: Span, msg: String| {
        let text = lines.get(span.line.saturating_sub(1) as usize).copied().unwrap_or("");
        ScenarioError::on_line(file, text, span, msg)
    };
    let mut errors: Vec<ScenarioError> = Vec::new();
    // The last command was refused: its expected output and directives go with it.
    let mut orphan = false;
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
                    errors.push(err(Span::new(line_no, 1, 2), "expected output (`#>`) before any command".into()));
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
                errors.push(err(sp, m));
            }
            continue;
        }
        let (cmd_text, offset) = if transcript {
            if let Some(rest) = raw.strip_prefix("$ ") {
                (rest, 2)
            } else if raw == "$" {
                ("", 1)
            } else if trimmed.starts_with('#') {
                flush(&mut sc, &mut block, orphan);
                block = None;
                continue;
            } else {
                match block.as_mut() {
                    Some(b) => b.push(raw.to_string()),
                    None if raw.trim().is_empty() => {}
                    None => {
                        errors.push(
                            err(
                                Span::new(line_no, 1, raw.chars().count() as u32),
                                "output line before any `$ ` command".into(),
                            )
                            .with_hint("in a transcript, commands start with `$ `"),
                        );
                    }
                }
                continue;
            }
        } else {
            (raw, 0)
        };
        if cmd_text.trim().is_empty() || cmd_text.trim_start().starts_with('#') {
            continue;
        }
        flush(&mut sc, &mut block, orphan);
        orphan = false;
        // Join continuation lines.
        let mut text = cmd_text.to_string();
        let mut cols: Vec<(u32, u32)> = (0..text.chars().count()).map(|k| (line_no, (offset + k) as u32 + 1)).collect();
        let mut end_line = line_no;
        while text.ends_with('\\') && i < lines.len() {
            text.pop();
            cols.pop();
            let next = lines[i];
            end_line = i as u32 + 1;
            i += 1;
            cols.extend((0..next.chars().count()).map(|k| (end_line, k as u32 + 1)));
            text.push_str(next);
        }
        let mut toks = match lex(&text, &cols) {
            Ok(t) => t,
            Err(e) => fail!(err(e.span, e.message)),
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
                        err(at, format!("here-document never ends: no line `{delim}`"))
                            .with_hint(format!("end it with a line holding only `{delim}`"))
                    );
                }
                toks.drain(n - 3..n);
                heredoc = Some((body, at));
            }
        }
        // `echo LINE | CMD`: LINE is CMD's stdin.
        let mut piped: Option<(String, Span)> = None;
        if matches!(toks.first(), Some(Tok::Word(w, _)) if w == "echo")
            && let Some(bar) = toks.iter().position(|t| matches!(t, Tok::Op(o, _) if o == "|"))
        {
            let line: Vec<String> = toks[1..bar]
                .iter()
                .filter_map(|t| if let Tok::Word(w, _) = t { Some(w.clone()) } else { None })
                .collect();
            piped = Some((line.join(" "), toks[0].span()));
            toks.drain(..=bar);
        }
        let mut words: Vec<(String, Span)> = Vec::new();
        let mut background = false;
        let mut grep = None;
        let mut k = 0;
        let mut bad = None;
        while k < toks.len() {
            match &toks[k] {
                Tok::Word(w, s) => words.push((w.clone(), *s)),
                Tok::Op(op, _) if op == "&" && k == toks.len() - 1 => background = true,
                Tok::Op(op, s) if op == "|" && grep.is_none() => match parse_grep(&toks[k + 1..], *s) {
                    Ok((g, used)) => {
                        grep = Some(g);
                        k += used;
                    }
                    Err((sp, m)) => {
                        bad = Some(err(sp, m));
                        break;
                    }
                },
                Tok::Op(op, s) if op == "<" => {
                    bad = Some(
                        err(*s, "not supported yet: reading a file (`<`); nslab has no files".into())
                            .with_hint("give the input as a here-document: `<<EOF`, the lines, then `EOF`"),
                    );
                    break;
                }
                Tok::Op(op, s) => {
                    bad = Some(
                        err(*s, format!("not supported yet: `{op}` in a scenario line"))
                            .with_hint("one command per line; of pipes only `| grep [-v] [-i] WORD` is modelled"),
                    );
                    break;
                }
            }
            k += 1;
        }
        if let Some(e) = bad {
            fail!(e);
        }
        if words.is_empty() {
            continue;
        }
        let mut parsed = match parse_words(&words, None, background) {
            Ok(p) => p,
            Err(e) => fail!(err(e.span, e.msg).with_opt_hint(e.hint)),
        };
        if let Some((line, at)) = &piped {
            match &mut parsed.cmd {
                Command::Nc(n) => n.input = Some(line.clone()),
                c => {
                    let program = c.program();
                    fail!(
                        err(*at, format!("not supported yet: input piped into {program}"))
                            .with_hint("`echo LINE | nc …` is the pipe nslab models")
                    );
                }
            }
        }
        if let Some((body, at)) = heredoc {
            match &mut parsed.cmd {
                Command::IptablesRestore { input, .. } => *input = body,
                c => {
                    let program = c.program();
                    fail!(
                        err(at, format!("not supported yet: a here-document into {program}"))
                            .with_hint("iptables-restore is what nslab feeds a here-document")
                    );
                }
            }
        }
        let first_span = words[parsed.first_word.min(words.len() - 1)].1;
        let last_span =
            toks.iter().rev().find(|t| !matches!(t, Tok::Op(o, _) if o == "&")).map(|t| t.span()).unwrap_or(first_span);
        let shown: String = if piped.is_some() {
            parsed.cmd.to_string()
        } else if first_span.line == last_span.line && first_span.line == line_no {
            let from = (first_span.col - 1) as usize - offset;
            let to = (last_span.col - 1 + last_span.len) as usize - offset;
            cmd_text.chars().skip(from).take(to - from).collect()
        } else {
            words[parsed.first_word..].iter().map(|(w, _)| crate::command::shell_quote(w)).collect::<Vec<_>>().join(" ")
        };
        let span = Span::new(
            line_no,
            words[0].1.col,
            if end_line == line_no { last_span.col + last_span.len - words[0].1.col } else { 1 },
        );
        let step = Step {
            ns: parsed.ns,
            run: parsed.cmd,
            background,
            grep,
            expect: Vec::new(),
            differs: Vec::new(),
            span,
            text: shown,
            words,
        };
        if let Err(v) = crate::command::validate::step(&step) {
            let at = v.word.as_deref().map(|w| step.locate(w)).unwrap_or(step.span);
            fail!(err(at, v.message).with_opt_hint(v.hint));
        }
        sc.steps.push(step);
        block = Some(Vec::new());
    }
    flush(&mut sc, &mut block, orphan);
    if let Some(e) = ScenarioError::all(errors) {
        return Err(e);
    }
    if sc.steps.is_empty() {
        return Err(err(Span::new(1, 1, 1), "no commands in this file".into()));
    }
    Ok(sc)
}

/// A directive that belongs to the command before it (`#! exit: 2`, `#! contains: …`).
fn is_step_directive(rest: &str) -> bool {
    let key = rest.trim_start().split(':').next().unwrap_or_default().trim();
    matches!(key, "contains" | "lacks" | "exit" | "differs" | "repeats")
}

/// Parses `grep [-v] [-i] [-F] WORD` after a `|`; returns it and how many tokens it used.
fn parse_grep(toks: &[Tok], bar: Span) -> Result<(crate::command::Grep, usize), (Span, String)> {
    let mut g = crate::command::Grep { pattern: String::new(), invert: false, ignore_case: false };
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

/// Attaches a finished expected-output block to the last step (or drops it, when the
/// command it belongs to was refused: `orphan`).
fn flush(sc: &mut Scenario, block: &mut Option<Vec<String>>, orphan: bool) {
    if let Some(mut b) = block.take() {
        if orphan {
            return;
        }
        while b.last().is_some_and(|l| l.trim().is_empty()) {
            b.pop();
        }
        if !b.is_empty()
            && let Some(s) = sc.steps.last_mut()
        {
            s.expect.push(Expect::Output(b));
        }
    }
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
            let k = Known { line: line.to_string(), why: why.trim().to_string(), repeats };
            sc.steps.last_mut().ok_or_else(last)?.differs.push(k);
        }
        "kernel-skip" => sc.kernel_skip = Some(value.trim().to_string()),
        k => {
            return Err((
                at,
                format!(
                    "unknown directive `{k}` (seed, description, contains, lacks, exit, differs, repeats, kernel-skip)"
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
