//! A simple command: its assignments, its words expanded, and what bash itself does with
//! it — a builtin (`local`, `set`, `shift`, `exit`, `return`, `[`, `true`), a function
//! call, another script — or the command the lab runs.

use super::{Fail, Flow, Frame, MAX_DEPTH, RunErr, Shell, Status, Var, run_file, script_call, span_of};
use crate::error::{ScenarioError, Span};
use crate::front::script::lexer::Tok;
use brush_parser::ast::{self, BinaryPredicate as B, CommandPrefixOrSuffixItem as Item, UnaryPredicate as U};
use std::collections::BTreeMap;

/// Whether the words open an interactive shell (`ip netns exec X bash`, `sudo -i`), whose
/// lines up to `exit` a pasted script runs inside it.
fn opens_shell(argv: &[String]) -> bool {
    let mut w: Vec<&str> = argv.iter().map(String::as_str).collect();
    loop {
        match w.as_slice() {
            ["sudo", rest @ ..] if rest.first().is_some_and(|r| !r.starts_with('-')) => w.remove(0),
            ["ip", "netns", "exec", _, ..] => {
                w.drain(..4);
                continue;
            }
            _ => break,
        };
    }
    crate::front::script::paste::is_shell(&w)
}

/// A command's tokens (words then redirections) and its here-document.
type Words = (Vec<Tok>, Vec<Tok>, Option<(Vec<String>, Span)>);

impl Shell<'_> {
    /// Points the errors of what follows at the command `sc`.
    fn locate(&mut self, sc: &ast::SimpleCommand) {
        let mut first: Option<Span> = None;
        let mut end = 0;
        let items = sc.prefix.iter().flat_map(|p| p.0.iter()).chain(sc.suffix.iter().flat_map(|s| s.0.iter()));
        let word = sc.word_or_name.iter().map(|w| (w.loc.clone(), w.value.as_str()));
        let words = items
            .filter_map(|i| match i {
                Item::Word(w) | Item::AssignmentWord(_, w) => Some((w.loc.clone(), w.value.as_str())),
                _ => None,
            })
            .chain(word);
        for (loc, raw) in words {
            if let Some(s) = span_of(&loc, raw) {
                if first.is_none_or(|f| (s.line, s.col) < (f.line, f.col)) {
                    first = Some(s);
                }
                end = end.max(loc.as_ref().map_or(0, |l| l.end.line as u32));
            }
        }
        if let Some(f) = first {
            self.cur = f;
            self.cur_end = end.max(f.line);
        }
    }

    /// The tokens of a simple command (`None`: no words).
    pub(super) fn simple_words(&mut self, sc: &ast::SimpleCommand) -> Result<Option<Words>, ScenarioError> {
        self.locate(sc);
        if sc.prefix.as_ref().is_some_and(|p| p.0.iter().any(|i| matches!(i, Item::AssignmentWord(..)))) {
            return Err(self.err(Fail::new("not supported yet: `VAR=value command` (a variable for one command)")));
        }
        let mut words = Vec::new();
        let mut redirs = Vec::new();
        let mut heredoc = None;
        let items = sc.prefix.iter().flat_map(|p| p.0.iter());
        let name: Vec<Item> = sc.word_or_name.iter().cloned().map(Item::Word).collect();
        let all: Vec<&Item> = items.chain(name.iter()).chain(sc.suffix.iter().flat_map(|s| s.0.iter())).collect();
        for item in all {
            match item {
                Item::Word(w) | Item::AssignmentWord(_, w) => {
                    let own = span_of(&w.loc, &w.value).unwrap_or(self.cur);
                    let span = self.tok_span(own);
                    let fields = self.fields(&w.value).map_err(|e| self.err_at(own, e))?;
                    for f in fields {
                        words.push(Tok::Word(f, span));
                    }
                }
                Item::IoRedirect(r) => self.redirect(r, &mut redirs, &mut heredoc)?,
                Item::ProcessSubstitution(..) => {
                    return Err(self.err(Fail::new("not supported yet: process substitution `<(…)`")));
                }
            }
        }
        if words.is_empty() && redirs.is_empty() {
            return Ok(None);
        }
        Ok(Some((words, redirs, heredoc)))
    }

    fn redirect(
        &mut self,
        r: &ast::IoRedirect,
        out: &mut Vec<Tok>,
        heredoc: &mut Option<(Vec<String>, Span)>,
    ) -> Result<(), ScenarioError> {
        let at = self.tok_span(self.cur);
        let fd = |fd: &Option<i32>| fd.map(|n| n.to_string()).unwrap_or_default();
        match r {
            ast::IoRedirect::File(n, kind, target) => {
                use ast::IoFileRedirectKind as K;
                let op = match kind {
                    K::Read => "<",
                    K::Write => ">",
                    K::Append => ">>",
                    K::ReadAndWrite => "<>",
                    K::Clobber => ">|",
                    K::DuplicateInput => "<&",
                    K::DuplicateOutput => ">&",
                };
                out.push(Tok::Op(format!("{}{op}", fd(n)), at));
                let target = match target {
                    ast::IoFileRedirectTarget::Filename(w) | ast::IoFileRedirectTarget::Duplicate(w) => {
                        self.string(&w.value).map_err(|e| self.err(e))?
                    }
                    ast::IoFileRedirectTarget::Fd(n) => n.to_string(),
                    ast::IoFileRedirectTarget::ProcessSubstitution(..) => {
                        return Err(self.err(Fail::new("not supported yet: process substitution `>(…)`")));
                    }
                };
                out.push(Tok::Word(target, at));
            }
            ast::IoRedirect::HereString(_, w) => {
                out.push(Tok::Op("<<<".into(), at));
                let s = self.string(&w.value).map_err(|e| self.err(e))?;
                out.push(Tok::Word(s, at));
            }
            ast::IoRedirect::HereDocument(_, doc) => {
                let text = if doc.requires_expansion {
                    self.heredoc_text(&doc.doc.value).map_err(|e| self.err(e))?
                } else {
                    doc.doc.value.clone()
                };
                let lines = text
                    .lines()
                    .map(|l| if doc.remove_tabs { l.trim_start_matches('\t').to_string() } else { l.to_string() })
                    .collect();
                *heredoc = Some((lines, at));
            }
            ast::IoRedirect::OutputAndError(w, append) => {
                out.push(Tok::Op(if *append { "&>>" } else { "&>" }.into(), at));
                let s = self.string(&w.value).map_err(|e| self.err(e))?;
                out.push(Tok::Word(s, at));
            }
        }
        Ok(())
    }

    fn heredoc_text(&mut self, raw: &str) -> Result<String, Fail> {
        // Expanded as the inside of "…", but a here-document's `"` is literal and its
        // backslash quotes only `$`, `` ` ``, `\` and a newline.
        let mut quoted = String::from("\"");
        let mut chars = raw.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\\' => match chars.peek() {
                    Some(&n @ ('$' | '`' | '\\' | '\n')) => {
                        quoted.push('\\');
                        quoted.push(n);
                        chars.next();
                    }
                    _ => quoted.push_str("\\\\"),
                },
                '"' => quoted.push_str("\\\""),
                c => quoted.push(c),
            }
        }
        quoted.push('"');
        self.string(&quoted)
    }

    pub(super) fn simple(
        &mut self,
        sc: &ast::SimpleCommand,
        background: bool,
    ) -> Result<(Flow, Status), ScenarioError> {
        self.locate(sc);
        self.spend()?;
        if sc.word_or_name.is_none() {
            for item in sc.prefix.iter().flat_map(|p| p.0.iter()) {
                match item {
                    Item::AssignmentWord(a, _) => self.assignment(a, false).map_err(|e| self.err(e))?,
                    _ => return Err(self.err(Fail::new("not supported yet: a redirection without a command"))),
                }
            }
            return Ok((Flow::Normal, Status::Known(true)));
        }
        let name = sc.word_or_name.as_ref().map(|w| w.value.as_str()).unwrap_or_default();
        if name == "readonly" {
            return Err(self.err(Fail::new("not supported yet: `readonly`").hint("a plain assignment: `NAME=VALUE`")));
        }
        if matches!(name, "local" | "declare" | "typeset" | "export") {
            return self.declare(name, sc).map(|()| (Flow::Normal, Status::Known(true)));
        }
        let Some((words, redirs, heredoc)) = self.simple_words(sc)? else {
            return Ok((Flow::Normal, Status::Known(true)));
        };
        let argv: Vec<String> =
            words.iter().filter_map(|t| if let Tok::Word(w, _) = t { Some(w.clone()) } else { None }).collect();
        let Some(prog) = argv.first().cloned() else {
            return Ok((Flow::Normal, Status::Known(true)));
        };
        let args = &argv[1..];
        let number = |s: Option<&String>, default: i64| -> Result<i64, Fail> {
            match s {
                None => Ok(default),
                Some(s) => s.parse().map_err(|_| Fail::new(format!("{prog}: {s}: numeric argument required"))),
            }
        };
        let known = |b: bool| Ok((Flow::Normal, Status::Known(b)));
        match prog.as_str() {
            ":" | "true" => known(true),
            "false" => known(false),
            // A shell a line opened (`ip netns exec X bash`) is left by `exit`, as a pasted
            // session leaves it (`steps.rs`); else `exit` ends the script.
            "exit" | "logout" if self.open_shells > 0 && args.len() <= 1 => {
                self.open_shells -= 1;
                self.emit(words, None)?;
                Ok((Flow::Normal, Status::Ran))
            }
            "exit" => Ok((Flow::Exit(number(args.first(), 0).map_err(|e| self.err(e))? as i32), Status::Known(true))),
            "return" => {
                if self.frames.is_empty() {
                    return Err(self.err(Fail::new("return: can only `return' from a function or sourced script")));
                }
                // Without a number: the status of the last command.
                let n = number(args.first(), if self.last { 0 } else { 1 }).map_err(|e| self.err(e))?;
                Ok((Flow::Return, Status::Known(n == 0)))
            }
            "break" | "continue" => {
                // `break 5` in two loops leaves both, as bash does.
                let n = (number(args.first(), 1).map_err(|e| self.err(e))?.max(1) as u32).min(self.loops.max(1));
                Ok((if prog == "break" { Flow::Break(n) } else { Flow::Continue(n) }, Status::Known(true)))
            }
            "shift" => {
                let n = number(args.first(), 1).map_err(|e| self.err(e))? as usize;
                let a = match self.frames.last_mut() {
                    Some(f) => &mut f.args,
                    None => &mut self.args,
                };
                if n > a.len() {
                    return known(false);
                }
                a.drain(..n);
                known(true)
            }
            "set" => self.set(args).map(|()| (Flow::Normal, Status::Known(true))),
            "unset" => {
                let funcs = args.first().is_some_and(|a| a == "-f");
                for n in args.iter().filter(|a| !a.starts_with('-')) {
                    if funcs {
                        self.funcs.remove(n);
                        continue;
                    }
                    // `unset 'a[1]'`: one element.
                    if let Some((name, idx)) = n.strip_suffix(']').and_then(|x| x.split_once('[')) {
                        let i = self.arith(idx).map_err(|e| self.err(e))?;
                        if let Some(Var::Arr(a)) = self.var_mut(name) {
                            a.remove(&i);
                        }
                        continue;
                    }
                    // A local of the function running stays local, unset (bash's default,
                    // without `localvar_unset`); one of a caller goes, showing what it hid.
                    let top = self.frames.len().checked_sub(1);
                    match self.frames.iter_mut().enumerate().rev().find(|(_, f)| f.holds(n)) {
                        Some((i, f)) => {
                            f.locals.remove(n);
                            if Some(i) == top {
                                f.declared.insert(n.clone());
                            } else {
                                f.declared.remove(n);
                            }
                        }
                        None => {
                            self.globals.remove(n);
                        }
                    };
                }
                known(true)
            }
            "[" | "test" => {
                let mut a: Vec<String> = args.to_vec();
                if prog == "[" && a.pop().as_deref() != Some("]") {
                    return Err(self.err(Fail::new("[: missing `]'")));
                }
                let b = self.test_command(&a).map_err(|e| self.err(e))?;
                known(b)
            }
            "source" | "." => Err(self.err(
                Fail::new(format!("not supported yet: `{prog}` (running a file in this shell)"))
                    .hint("run the file as a script: `bash FILE`"),
            )),
            f if self.funcs.contains_key(f) => {
                if !redirs.is_empty() || heredoc.is_some() || background {
                    return Err(self.err(Fail::new(format!(
                        "not supported yet: redirecting or backgrounding a function call (`{f}`)"
                    ))));
                }
                self.call(f, args.to_vec())
            }
            _ => {
                let words_only: Vec<&str> = argv.iter().map(String::as_str).collect();
                if let Some((path, sargs)) = script_call(&words_only) {
                    if !redirs.is_empty() || heredoc.is_some() || background {
                        return Err(self.err(Fail::new("not supported yet: redirecting or backgrounding a script")));
                    }
                    let at = self.tok_span(self.cur);
                    let base = self.base.clone();
                    let depth = self.depth;
                    match run_file(&path, sargs, &base, at, (depth, self.budget.clone()), &mut *self.sink) {
                        Ok(()) => {}
                        Err(RunErr::Here(f)) => return Err(self.err(f)),
                        Err(RunErr::Script(e)) => return Err(e),
                    }
                    return Ok((Flow::Normal, Status::Ran));
                }
                if redirs.is_empty() && opens_shell(&argv) {
                    self.open_shells += 1;
                }
                let mut toks = words;
                toks.extend(redirs);
                if background {
                    toks.push(Tok::Op("&".into(), self.tok_span(self.cur)));
                }
                self.emit(toks, heredoc)?;
                Ok((Flow::Normal, Status::Ran))
            }
        }
    }

    fn call(&mut self, name: &str, args: Vec<String>) -> Result<(Flow, Status), ScenarioError> {
        self.spend()?;
        if self.frames.len() >= MAX_DEPTH {
            return Err(self.err(Fail::new(format!("{name}: maximum function nesting level exceeded ({MAX_DEPTH})"))));
        }
        let def = self.funcs.get(name).cloned().expect("a defined function");
        self.frames.push(Frame { locals: BTreeMap::new(), declared: Default::default(), args });
        // A function's `break` counts its own loops, not its caller's.
        let loops = std::mem::take(&mut self.loops);
        let r = self.command(&ast::Command::Compound(def.body.0.clone(), def.body.1.clone()), false);
        self.loops = loops;
        self.frames.pop();
        match r? {
            (Flow::Return, s) => Ok((Flow::Normal, s)),
            (Flow::Break(_) | Flow::Continue(_), s) => Ok((Flow::Normal, s)),
            other => Ok(other),
        }
    }

    fn set(&mut self, args: &[String]) -> Result<(), ScenarioError> {
        let mut it = args.iter();
        while let Some(a) = it.next() {
            match a.as_str() {
                "--" => {
                    let rest: Vec<String> = it.cloned().collect();
                    match self.frames.last_mut() {
                        Some(f) => f.args = rest,
                        None => self.args = rest,
                    }
                    return Ok(());
                }
                "-o" | "+o" => match it.next().map(String::as_str) {
                    Some("errexit") => self.errexit = a == "-o",
                    Some("nounset") => self.nounset = a == "-o",
                    Some("pipefail") => {}
                    o => return Err(self.err(Fail::new(format!("not supported yet: set -o {}", o.unwrap_or(""))))),
                },
                flags if flags.starts_with('-') || flags.starts_with('+') => {
                    let on = flags.starts_with('-');
                    for c in flags[1..].chars() {
                        match c {
                            'e' => self.errexit = on,
                            'u' => self.nounset = on,
                            // `set -euo pipefail`: `o` takes the next word.
                            'o' => match it.next().map(String::as_str) {
                                Some("errexit") => self.errexit = on,
                                Some("nounset") => self.nounset = on,
                                Some("pipefail") => {}
                                o => {
                                    return Err(
                                        self.err(Fail::new(format!("not supported yet: set -o {}", o.unwrap_or(""))))
                                    );
                                }
                            },
                            _ => {
                                return Err(self.err(Fail::new(format!("not supported yet: set -{c}")).hint(
                                    "nslab's scripts take `set -e`, `set -u`, `set -o pipefail` and `set -- ARG…`",
                                )));
                            }
                        }
                    }
                }
                _ => return Err(self.err(Fail::new("not supported yet: `set` without options"))),
            }
        }
        Ok(())
    }

    fn declare(&mut self, builtin: &str, sc: &ast::SimpleCommand) -> Result<(), ScenarioError> {
        if builtin == "local" && self.frames.is_empty() {
            return Err(self.err(Fail::new("local: can only be used in a function")));
        }
        let mut local = matches!(builtin, "local" | "declare" | "typeset") && !self.frames.is_empty();
        for item in sc.suffix.iter().flat_map(|s| s.0.iter()) {
            match item {
                Item::AssignmentWord(a, _) => {
                    self.assignment(a, local).map_err(|e| self.err(e))?;
                }
                Item::Word(w) => {
                    let word = self.string(&w.value).map_err(|e| self.err(e))?;
                    if let Some(flags) = word.strip_prefix('-') {
                        for c in flags.chars() {
                            match c {
                                'g' => local = false,
                                'a' => {}
                                'x' => {}
                                _ => {
                                    return Err(self.err(Fail::new(format!("not supported yet: {builtin} -{c}"))));
                                }
                            }
                        }
                    } else if local && let Some(f) = self.frames.last_mut().filter(|f| !f.holds(&word)) {
                        // Declared without a value: unset (`${x-default}` gives the default),
                        // yet the caller's `x` is hidden until the function returns.
                        f.declared.insert(word);
                    }
                }
                _ => return Err(self.err(Fail::new(format!("not supported yet: a redirection of `{builtin}`")))),
            }
        }
        Ok(())
    }

    fn assignment(&mut self, a: &ast::Assignment, local: bool) -> Result<(), Fail> {
        if let ast::AssignmentName::VariableName(n) | ast::AssignmentName::ArrayElementName(n, _) = &a.name
            && matches!(n.as_str(), "IFS" | "RANDOM" | "SRANDOM" | "SECONDS" | "LINENO" | "BASHPID" | "EPOCHSECONDS")
        {
            return Err(Fail::new(format!("not supported yet: setting bash's own variable {n}")));
        }
        match (&a.name, &a.value) {
            (ast::AssignmentName::VariableName(n), ast::AssignmentValue::Scalar(w)) => {
                let v = self.string(&w.value)?;
                let old_len = match (a.append, self.var(n)) {
                    (true, Some(Var::Str(old))) => old.len(),
                    (true, Some(Var::Arr(arr))) => arr.get(&0).map_or(0, String::len),
                    _ => 0,
                };
                if old_len + v.len() > super::MAX_VALUE {
                    return Err(Fail::new(format!("{n}: a value longer than {} bytes", super::MAX_VALUE)));
                }
                self.spend_bytes(v.len())?;
                if a.append && !local {
                    match self.var_mut(n) {
                        Some(Var::Str(old)) => {
                            old.push_str(&v);
                            return Ok(());
                        }
                        Some(Var::Arr(arr)) => {
                            arr.entry(0).or_default().push_str(&v);
                            return Ok(());
                        }
                        None => {}
                    }
                }
                self.assign(n, Var::Str(v), local);
            }
            (ast::AssignmentName::VariableName(n), ast::AssignmentValue::Array(items)) => {
                // The new elements first (they may read the array), then into it in place.
                let mut add: Vec<(Option<i64>, String)> = Vec::new();
                for (key, value) in items {
                    if add.len() > super::MAX_VALUE {
                        return Err(Fail::new(format!("{n}: more than {} elements", super::MAX_VALUE)));
                    }
                    match key {
                        Some(k) => {
                            let k = self.arith(&k.value)?;
                            add.push((Some(k), self.string(&value.value)?));
                        }
                        None => add.extend(self.fields(&value.value)?.into_iter().map(|f| (None, f))),
                    }
                }
                self.spend_bytes(add.iter().map(|(_, v)| v.len() + 8).sum())?;
                let mut arr = match (a.append, self.var_mut(n)) {
                    (true, Some(Var::Arr(arr))) => std::mem::take(arr),
                    (true, Some(Var::Str(s))) => BTreeMap::from([(0, std::mem::take(s))]),
                    _ => BTreeMap::new(),
                };
                let mut next = arr.keys().next_back().map_or(0, |k| k + 1);
                for (key, v) in add {
                    if let Some(k) = key {
                        next = k;
                    }
                    arr.insert(next, v);
                    next += 1;
                }
                if arr.len() > super::MAX_VALUE {
                    return Err(Fail::new(format!("{n}: more than {} elements", super::MAX_VALUE)));
                }
                self.assign(n, Var::Arr(arr), local);
            }
            (ast::AssignmentName::ArrayElementName(n, index), ast::AssignmentValue::Scalar(w)) => {
                let i = self.arith(index)?;
                let mut v = self.string(&w.value)?;
                if a.append
                    && let Some(Var::Arr(arr)) = self.var(n)
                    && let Some(old) = arr.get(&i)
                {
                    v = format!("{old}{v}");
                }
                self.assign_element(n, i, v)?;
            }
            (ast::AssignmentName::ArrayElementName(n, _), ast::AssignmentValue::Array(_)) => {
                return Err(Fail::new(format!("{n}: cannot assign list to array member")));
            }
        }
        Ok(())
    }

    /// `[[ … ]]`.
    pub(super) fn test(&mut self, e: &ast::ExtendedTestExpr) -> Result<bool, Fail> {
        use ast::ExtendedTestExpr as E;
        Ok(match e {
            E::And(a, b) => self.test(a)? && self.test(b)?,
            E::Or(a, b) => self.test(a)? || self.test(b)?,
            E::Not(a) => !self.test(a)?,
            E::Parenthesized(a) => self.test(a)?,
            E::UnaryTest(p, w) => {
                let s = self.string(&w.value)?;
                self.unary(p, &s)?
            }
            E::BinaryTest(p, l, r) => {
                let left = self.string(&l.value)?;
                match p {
                    B::StringExactlyMatchesPattern | B::StringDoesNotExactlyMatchPattern => {
                        let re = self.pattern(&r.value)?;
                        re.is_match(&left) == matches!(p, B::StringExactlyMatchesPattern)
                    }
                    B::StringMatchesRegex => {
                        // A quoted right side matches itself; what matched goes in BASH_REMATCH.
                        let raw = r.value.as_str();
                        let whole = (raw.starts_with('"') && raw.ends_with('"') && raw.len() >= 2)
                            || (raw.starts_with('\'') && raw.ends_with('\'') && raw.len() >= 2);
                        if !whole && (raw.contains('"') || raw.contains('\'')) {
                            return Err(Fail::new("not supported yet: a partly quoted regular expression after `=~`")
                                .hint("quote all of it (to match it as text) or none of it"));
                        }
                        // Unquoted, a backslash stays for the regex (`a\.b` matches a dot).
                        let text = if whole { self.string(raw)? } else { self.string(&raw.replace('\\', "\\\\"))? };
                        let r = if whole { regex::escape(&text) } else { text };
                        let re =
                            regex::Regex::new(&r).map_err(|_| Fail::new(format!("`{r}`: not a regular expression")))?;
                        match re.captures(&left) {
                            Some(c) => {
                                let groups = (0..c.len())
                                    .map(|i| (i as i64, c.get(i).map_or("", |m| m.as_str()).to_string()))
                                    .collect();
                                self.assign("BASH_REMATCH", Var::Arr(groups), false);
                                true
                            }
                            None => {
                                self.assign("BASH_REMATCH", Var::Arr(BTreeMap::new()), false);
                                false
                            }
                        }
                    }
                    _ => {
                        let right = self.string(&r.value)?;
                        self.binary(p, &left, &right, true)?
                    }
                }
            }
        })
    }

    /// `[ … ]` and `test`: words already expanded.
    fn test_command(&mut self, args: &[String]) -> Result<bool, Fail> {
        if args.is_empty() {
            return Ok(false);
        }
        super::expand::long_expression(&args.concat())?;
        let e = brush_parser::test_command::parse(args).map_err(|e| Fail::new(format!("test: {e}")))?;
        self.test_expr(&e)
    }

    fn test_expr(&mut self, e: &ast::TestExpr) -> Result<bool, Fail> {
        use ast::TestExpr as T;
        Ok(match e {
            T::False => false,
            T::Literal(s) => !s.is_empty(),
            T::And(a, b) => self.test_expr(a)? && self.test_expr(b)?,
            T::Or(a, b) => self.test_expr(a)? || self.test_expr(b)?,
            T::Not(a) => !self.test_expr(a)?,
            T::Parenthesized(a) => self.test_expr(a)?,
            T::UnaryTest(p, s) => self.unary(p, s)?,
            T::BinaryTest(p, l, r) => match p {
                // In `[ ]`, `=` compares strings.
                B::StringExactlyMatchesPattern => l == r,
                B::StringDoesNotExactlyMatchPattern => l != r,
                _ => self.binary(p, l, r, false)?,
            },
        })
    }

    fn unary(&mut self, p: &U, s: &str) -> Result<bool, Fail> {
        Ok(match p {
            U::StringHasZeroLength => s.is_empty(),
            U::StringHasNonZeroLength => !s.is_empty(),
            U::ShellVariableIsSetAndAssigned => self.var(s).is_some(),
            U::ShellOptionEnabled | U::ShellVariableIsSetAndNameRef | U::FdIsOpenTerminal => {
                return Err(Fail::new(format!("not supported yet: the test `{p}`")));
            }
            _ => {
                return Err(Fail::new(format!("not supported yet: the file test `{p}`: nslab has no files"))
                    .hint("test variables and arguments instead"));
            }
        })
    }

    /// A binary test; `arith`: `[[ ]]`, whose `-eq` reads arithmetic (`010` is 8), where
    /// `[ ]` reads a decimal integer.
    fn binary(&mut self, p: &B, l: &str, r: &str, arith: bool) -> Result<bool, Fail> {
        let num = |sh: &mut Self, s: &str| -> Result<i64, Fail> {
            if arith {
                return sh.arith(&format!("\"{s}\""));
            }
            let t = s.trim();
            let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
            match t.parse::<i64>() {
                Ok(n) if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) => Ok(n),
                _ => Err(Fail::new(format!("[: {s}: integer expression expected"))),
            }
        };
        Ok(match p {
            B::StringExactlyMatchesString | B::StringExactlyMatchesPattern => l == r,
            B::StringDoesNotExactlyMatchString | B::StringDoesNotExactlyMatchPattern => l != r,
            B::StringContainsSubstring => l.contains(r),
            B::LeftSortsBeforeRight => l < r,
            B::LeftSortsAfterRight => l > r,
            B::ArithmeticEqualTo => num(self, l)? == num(self, r)?,
            B::ArithmeticNotEqualTo => num(self, l)? != num(self, r)?,
            B::ArithmeticLessThan => num(self, l)? < num(self, r)?,
            B::ArithmeticLessThanOrEqualTo => num(self, l)? <= num(self, r)?,
            B::ArithmeticGreaterThan => num(self, l)? > num(self, r)?,
            B::ArithmeticGreaterThanOrEqualTo => num(self, l)? >= num(self, r)?,
            B::StringMatchesRegex => {
                regex::Regex::new(r).map_err(|_| Fail::new(format!("`{r}`: not a regular expression")))?.is_match(l)
            }
            _ => {
                return Err(Fail::new(format!("not supported yet: the file test `{p}`: nslab has no files")));
            }
        })
    }
}
