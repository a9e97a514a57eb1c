//! The shell language of a script, run before the lab runs: variables and arrays,
//! functions with `local`, positional parameters, `if`/`elif`, `case`, `for`, `while`,
//! `[[ … ]]`, `[ … ]`, `$((…))`, `set -e`/`-u`, `exit`, `return`, and a script run by
//! another (`./netns.sh create`, `bash x.sh`). Bash is parsed by `brush-parser` (the
//! parser of the brush shell); this module walks its syntax tree and hands each simple
//! command it reaches, its words expanded, to the caller — the same tokens a plain line
//! gives `steps.rs` — so a script of functions and loops becomes the steps its run types.
//!
//! Owns: which commands a script runs and with what words. Must not touch: what those
//! words mean (`steps.rs`, `parse_words`), the machine. Everything here is known before
//! the lab runs; what only the run can tell — a command's output (`$(…)`), its status
//! (`$?`, `if ip link show X`), `||` after one — is refused with what to write instead.
//! A command that fails stops the run, as under `set -e`.

mod expand;

use super::lexer::Tok;
use crate::error::{ScenarioError, Span};
use brush_parser::ast;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// How many commands one script may run, and how deep calls may nest, before the front
/// end gives up (bash would run on; a scenario must not grow without bound). `MAX_DEPTH`
/// counts scripts that run each other and, separately, function calls within a script.
const MAX_COMMANDS: usize = 100_000;
const MAX_DEPTH: usize = 32;
const MAX_LOOPS: u64 = 100_000;
/// What all the scripts of a file may do together: each command, loop round and function
/// call counts one ([`Budget`]).
const MAX_STEPS: u64 = 200_000;
/// The longest value a variable may hold, in bytes (and an array's most elements).
const MAX_VALUE: usize = 1 << 20;

/// How many bytes the scripts of a file may write into variables in all (a value may be
/// rewritten, so this bounds what they can hold at once).
const MAX_WRITTEN: u64 = 256 << 20;

/// The steps the scripts of one file have taken and the bytes they wrote into variables,
/// shared by scripts that run each other.
pub(super) type Budget = std::rc::Rc<std::cell::Cell<[u64; 2]>>;
/// How deep brackets and compound commands may nest: the parser and the walk recurse once
/// per level, and a thread's stack (2 MiB for a test's) must hold them.
const MAX_NESTING: usize = 100;
/// How many brackets and compound commands a script may open in all (closed or not): a
/// bound on how deep bash's parser can recurse however the nesting scan is fooled; the
/// front end's 256 MiB stack holds more (`tests.rs` parses that many nested).
const MAX_OPENERS: usize = 20_000;

/// Where the nesting of `(`, `{`, `if`, `case`, `for`, `while`, `until` first goes deeper
/// than [`MAX_NESTING`], outside single quotes and comments, run before the parser sees the
/// text. Keywords count where bash reads them, as a command's first word (`echo done`
/// closes nothing); brackets count inside double quotes too (`"$(( (1) ))"`, `"${x:-${y}}"`
/// nest); quotes go on across lines. It can undercount (a literal `)` of a case label or
/// in quotes closes a level), so it is the friendly error, not the guard: the guard is
/// [`MAX_OPENERS`] and the front end's own large stack.
fn too_deep(source: &str) -> Option<Span> {
    let mut depth: usize = 0;
    let mut quote: Option<char> = None;
    for (n, line) in source.lines().enumerate() {
        let chars: Vec<char> = line.chars().collect();
        let mut i = 0;
        let mut word = String::new();
        // Whether the next word is a command's first (where bash reads keywords).
        let mut command = quote.is_none();
        while i <= chars.len() {
            let c = chars.get(i).copied().unwrap_or('\n');
            match quote {
                Some('\'') => {
                    if c == '\'' {
                        quote = None;
                    }
                    i += 1;
                    continue;
                }
                Some(q) => {
                    match c {
                        _ if c == q => quote = None,
                        '\\' => i += 1,
                        '(' | '{' => depth += 1,
                        ')' | '}' => depth = depth.saturating_sub(1),
                        _ => {}
                    }
                    if depth > MAX_NESTING {
                        return Some(Span::new(n as u32 + 1, i as u32 + 1, 1));
                    }
                    i += 1;
                    continue;
                }
                None => {}
            }
            if c.is_alphanumeric() || c == '_' {
                word.push(c);
                i += 1;
                continue;
            }
            if !word.is_empty() {
                let first = command;
                command = matches!(word.as_str(), "do" | "then" | "else" | "elif" | "time");
                if first {
                    match word.as_str() {
                        "if" | "case" | "for" | "while" | "until" | "select" => {
                            depth += 1;
                            command = word != "for" && word != "case" && word != "select";
                        }
                        "fi" | "esac" | "done" => depth = depth.saturating_sub(1),
                        _ => {}
                    }
                }
            }
            word.clear();
            match c {
                '#' if i == 0 || chars[i - 1].is_whitespace() => break,
                '\'' | '"' => quote = Some(c),
                '\\' => i += 1,
                '(' | '{' => {
                    depth += 1;
                    command = true;
                }
                ')' | '}' => {
                    depth = depth.saturating_sub(1);
                    command = true;
                }
                ';' | '&' | '|' | '!' | '\n' => command = true,
                _ => {}
            }
            if depth > MAX_NESTING {
                return Some(Span::new(n as u32 + 1, i as u32 + 1, 1));
            }
            i += 1;
        }
    }
    None
}

/// One simple command the script runs: its tokens (words expanded, then `|`, redirections
/// and `&` as operators), its here-document, and the line of the top file it belongs to.
pub(super) struct Emit {
    /// Tokens, as `lexer::lex` would give them for the expanded line.
    pub toks: Vec<Tok>,
    /// A here-document's lines and where it is.
    pub heredoc: Option<(Vec<String>, Span)>,
    /// The last line of the command in the file being parsed (the caller's line for a
    /// script run from it): expected output written under that line is this command's.
    pub line: u32,
    /// The script and line it comes from, when that is another file.
    pub from: Option<(String, u32)>,
}

/// Where the commands go: `Err` stops the script.
pub(super) type Sink<'s> = dyn FnMut(Emit) -> Result<(), ScenarioError> + 's;

/// A variable.
#[derive(Clone, Debug)]
pub(super) enum Var {
    Str(String),
    Arr(BTreeMap<i64, String>),
}

/// An error inside a word or builtin: the message and hint; where is the command's.
#[derive(Debug)]
pub(super) struct Fail {
    pub(in crate::front::script) msg: String,
    pub(in crate::front::script) hint: Option<String>,
}

impl Fail {
    pub(super) fn new(msg: impl Into<String>) -> Self {
        Fail { msg: msg.into(), hint: None }
    }
    pub(super) fn hint(mut self, h: impl Into<String>) -> Self {
        self.hint = Some(h.into());
        self
    }
}

/// What a command did to the flow of the script.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Flow {
    Normal,
    Break(u32),
    Continue(u32),
    Return,
    Exit(i32),
}

/// What a loop does once its body ran.
enum LoopStep {
    Next,
    Stop,
    Leave(Flow),
}

/// `break` ends this loop, `break 2` the one around it too; `return` and `exit` leave.
fn after_body(flow: Flow) -> LoopStep {
    match flow {
        Flow::Break(k) if k > 1 => LoopStep::Leave(Flow::Break(k - 1)),
        Flow::Break(_) => LoopStep::Stop,
        Flow::Continue(k) if k > 1 => LoopStep::Leave(Flow::Continue(k - 1)),
        Flow::Normal | Flow::Continue(_) => LoopStep::Next,
        other => LoopStep::Leave(other),
    }
}

/// Whether `set -e` may stop on this pipeline's failure: not after `!`, and not on a
/// compound command's status (`if`, `{ }`, `case`, a loop: what failed inside was where
/// `set -e` did not apply, or it would have stopped there); a simple command, a function
/// call, `[[ ]]` and `(( ))` count.
fn stops(p: &ast::Pipeline) -> bool {
    use ast::CompoundCommand as C;
    !p.bang
        && match p.seq.as_slice() {
            [ast::Command::Compound(c, _)] => matches!(c, C::Arithmetic(_)),
            _ => true,
        }
}

/// The last pipeline of an `&&`/`||` list.
fn last_of(l: &ast::AndOrList) -> &ast::Pipeline {
    match l.additional.last() {
        Some(ast::AndOr::And(p) | ast::AndOr::Or(p)) => p,
        None => &l.first,
    }
}

/// A command's status where the script can know it (a test, `true`), or `Ran`: a command
/// the lab runs, which either succeeds or stops the run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Status {
    Known(bool),
    Ran,
}

struct Frame {
    locals: BTreeMap<String, Var>,
    /// Names `local x` made without a value: unset, yet hiding the caller's `x`.
    declared: std::collections::BTreeSet<String>,
    args: Vec<String>,
}

impl Frame {
    fn holds(&self, name: &str) -> bool {
        self.locals.contains_key(name) || self.declared.contains(name)
    }
}

/// A script being run.
pub(super) struct Shell<'s> {
    /// The file, for errors.
    file: String,
    /// Its text, for errors.
    source: String,
    /// `$0`.
    name: String,
    /// Directories other scripts are looked for in.
    base: Vec<PathBuf>,
    /// Every token's span, when the script was run from a line of another file.
    at: Option<Span>,
    /// Scripts this one was run from.
    depth: usize,
    args: Vec<String>,
    globals: BTreeMap<String, Var>,
    frames: Vec<Frame>,
    funcs: BTreeMap<String, ast::FunctionDefinition>,
    nounset: bool,
    errexit: bool,
    /// Shells the script's lines opened and have not left (`ip netns exec X bash`).
    open_shells: usize,
    /// The span of the command being run.
    cur: Span,
    /// Its last line.
    cur_end: u32,
    emitted: usize,
    /// Shared with the scripts this one runs and that run it.
    budget: Budget,
    /// Loops the running command is inside (`break 5` in one loop leaves that one).
    loops: u32,
    /// The status of the last command whose status is known (`return` without a number).
    last: bool,
    /// How many conditions, `!`s and non-final parts of `&&`/`||` lists the running command
    /// is inside: there, `set -e` does not stop the script (bash's rule).
    no_errexit: u32,
    sink: &'s mut Sink<'s>,
}

/// Whether a script's lines use the shell language (variables, functions, control flow)
/// and so need this module rather than the line-by-line reading of plain commands.
pub(super) fn is_program(lines: &[&str]) -> bool {
    const KEYWORDS: [&str; 18] = [
        "function", "for", "while", "until", "if", "case", "select", "local", "declare", "typeset", "readonly",
        "export", "set", "shift", "unset", "return", "[[", "((",
    ];
    lines.iter().map(|l| l.trim()).filter(|l| !l.is_empty() && !l.starts_with('#')).any(|l| {
        let first = l.split_whitespace().next().unwrap_or("");
        let name_len = l.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(l.len());
        let after = &l[name_len..];
        let assignment = name_len > 0
            && !l.as_bytes()[0].is_ascii_digit()
            && (after.starts_with('=') || after.starts_with("+=") || after.starts_with('['));
        let function = name_len > 0 && after.trim_start().starts_with("()");
        let dollar = l
            .as_bytes()
            .windows(2)
            .any(|w| w[0] == b'$' && (w[1].is_ascii_alphanumeric() || b"_{(#@*?".contains(&w[1])));
        KEYWORDS.contains(&first) || assignment || function || dollar || first == "{" || first == "}"
    })
}

/// Which script a command's words run, if they run one: `./x.sh ARG…`, `bash x.sh ARG…`,
/// `sh x.sh`, a path ending `.sh`. Gives the script's path and its arguments.
pub(super) fn script_call(words: &[&str]) -> Option<(String, Vec<String>)> {
    let args = |from: usize| words.get(from..).unwrap_or_default().iter().map(|w| w.to_string()).collect();
    match words {
        [sh, file, ..] if matches!(*sh, "bash" | "sh") && !file.starts_with('-') => Some((file.to_string(), args(2))),
        [prog, ..] if prog.starts_with("./") || prog.starts_with("../") || prog.ends_with(".sh") => {
            Some((prog.to_string(), args(1)))
        }
        _ => None,
    }
}

/// Why a script run from a line did not run: about that line (the file is missing), or an
/// error inside the script, with its own file and line.
pub(super) enum RunErr {
    Here(Fail),
    Script(ScenarioError),
}

/// Runs the script `path` (looked for in each of `base`) with `args`, every command it
/// runs going to `sink` with the span `at` (a line of another file runs it). `depth`
/// counts the scripts it runs from.
pub(super) fn run_file(
    path: &str,
    args: Vec<String>,
    base: &[PathBuf],
    at: Span,
    (depth, budget): (usize, Budget),
    sink: &mut Sink<'_>,
) -> Result<(), RunErr> {
    if depth >= MAX_DEPTH {
        return Err(RunErr::Here(Fail::new(format!("{path}: scripts run each other more than {MAX_DEPTH} deep"))));
    }
    let tried: Vec<PathBuf> = base.iter().map(|b| b.join(path)).collect();
    let full = tried.iter().find(|p| p.is_file()).or(tried.first()).cloned().unwrap_or_else(|| PathBuf::from(path));
    let bytes = std::fs::read(&full).map_err(|e| {
        let places: Vec<String> = tried.iter().map(|p| p.display().to_string()).collect();
        RunErr::Here(Fail::new(format!("{path}: {}", io_message(&e))).hint(format!(
            "nslab looks for a script beside the file that runs it, or in a folder named after that file: {}",
            places.join(", ")
        )))
    })?;
    let source = String::from_utf8(bytes)
        .map_err(|_| RunErr::Here(Fail::new(format!("{path}: not a text file (not UTF-8)"))))?;
    let file = full.display().to_string();
    run(&file, &source, path, args, base, Some(at), (depth + 1, budget), sink).map_err(RunErr::Script)
}

fn io_message(e: &std::io::Error) -> &'static str {
    match e.kind() {
        std::io::ErrorKind::NotFound => "No such file or directory",
        std::io::ErrorKind::PermissionDenied => "Permission denied",
        _ => "cannot be read",
    }
}

/// Runs a script's text: `file` names it in errors, `name` is its `$0`.
#[allow(clippy::too_many_arguments)]
pub(super) fn run(
    file: &str,
    source: &str,
    name: &str,
    args: Vec<String>,
    base: &[PathBuf],
    at: Option<Span>,
    (depth, budget): (usize, Budget),
    sink: &mut Sink<'_>,
) -> Result<(), ScenarioError> {
    let openers = source.bytes().filter(|b| matches!(b, b'(' | b'{')).count()
        + source
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| matches!(*w, "if" | "case" | "for" | "while" | "until" | "select"))
            .count();
    if openers > MAX_OPENERS {
        return Err(ScenarioError::at(
            file,
            source,
            Span::new(1, 1, 1),
            format!("more than {MAX_OPENERS} brackets and compound commands"),
        )
        .with_hint("bash would take it; nslab's scripts stop at this size"));
    }
    if let Some(at) = too_deep(source) {
        return Err(ScenarioError::at(file, source, at, format!("nested more than {MAX_NESTING} deep"))
            .with_hint("bash would take it; nslab's scripts stop at this depth"));
    }
    let opts = brush_parser::ParserOptions::default();
    let program = brush_parser::Parser::new(std::io::BufReader::new(source.as_bytes()), &opts)
        .parse_program()
        .map_err(|e| parse_error(file, source, &e))?;
    let mut sh = Shell {
        file: file.to_string(),
        source: source.to_string(),
        name: name.to_string(),
        base: base.to_vec(),
        at,
        depth,
        args,
        globals: BTreeMap::new(),
        frames: Vec::new(),
        funcs: BTreeMap::new(),
        nounset: false,
        errexit: false,
        open_shells: 0,
        cur: Span::new(1, 1, 1),
        cur_end: 1,
        emitted: 0,
        budget,
        loops: 0,
        last: true,
        no_errexit: 0,
        sink,
    };
    for list in &program.complete_commands {
        match sh.list(list)?.0 {
            Flow::Exit(0) => break,
            Flow::Exit(n) => {
                return Err(sh
                    .err(Fail::new(format!("the script stops here with status {n}")))
                    .with_hint("bash would stop the script here: nslab runs nothing of a script that fails"));
            }
            _ => {}
        }
    }
    Ok(())
}

fn parse_error(file: &str, source: &str, e: &brush_parser::ParseError) -> ScenarioError {
    let last = Span::new(source.lines().count().max(1) as u32, 1, 1);
    let at = |p: &brush_parser::SourcePosition| Span::new(p.line as u32, p.column as u32, 1);
    let (span, msg) = match e {
        brush_parser::ParseError::ParsingNear(p) => (at(p), "syntax error near here".to_string()),
        brush_parser::ParseError::ParsingAtEndOfInput => (last, "syntax error: unexpected end of file".to_string()),
        brush_parser::ParseError::Tokenizing { inner, position } => {
            (position.as_ref().map_or(last, at), format!("syntax error: {inner}"))
        }
    };
    ScenarioError::at(file, source, span, msg)
}

fn span_of(loc: &Option<brush_parser::SourceSpan>, raw: &str) -> Option<Span> {
    let l = loc.as_ref()?;
    let len = if l.end.line == l.start.line { raw.chars().count().max(1) } else { 1 };
    Some(Span::new(l.start.line as u32, l.start.column as u32, len as u32))
}

impl<'s> Shell<'s> {
    fn err(&self, f: Fail) -> ScenarioError {
        self.err_at(self.cur, f)
    }

    fn err_at(&self, span: Span, f: Fail) -> ScenarioError {
        ScenarioError::at(&self.file, &self.source, span, f.msg).with_opt_hint(f.hint)
    }

    fn args(&self) -> &[String] {
        self.frames.last().map_or(&self.args, |f| &f.args)
    }

    /// Outside every function: `$1` is the script's argument.
    fn in_script_body(&self) -> bool {
        self.frames.is_empty()
    }

    fn short_name(&self) -> &str {
        Path::new(&self.name).file_name().and_then(|n| n.to_str()).unwrap_or(&self.name)
    }

    pub(super) fn var(&self, name: &str) -> Option<&Var> {
        match self.frames.iter().rev().find(|f| f.holds(name)) {
            Some(f) => f.locals.get(name),
            None => self.globals.get(name),
        }
    }

    /// Sets `name` where it lives: the innermost function that made it local, else the
    /// script's globals (or, with `local`, the current function).
    pub(super) fn assign(&mut self, name: &str, v: Var, local: bool) {
        if local && let Some(f) = self.frames.last_mut() {
            f.declared.remove(name);
            f.locals.insert(name.to_string(), v);
            return;
        }
        match self.frames.iter_mut().rev().find(|f| f.holds(name)) {
            Some(f) => {
                f.declared.remove(name);
                f.locals.insert(name.to_string(), v);
            }
            None => {
                self.globals.insert(name.to_string(), v);
            }
        }
    }

    /// The variable `name` where it lives, to change in place.
    pub(super) fn var_mut(&mut self, name: &str) -> Option<&mut Var> {
        match self.frames.iter_mut().rev().find(|f| f.holds(name)) {
            Some(f) => f.locals.get_mut(name),
            None => self.globals.get_mut(name),
        }
    }

    /// `a[i]=value`: a negative `i` counts from the end, as bash counts it.
    pub(super) fn assign_element(&mut self, name: &str, i: i64, value: String) -> Result<(), Fail> {
        if value.len() > MAX_VALUE {
            return Err(Fail::new(format!("{name}: a value longer than {MAX_VALUE} bytes")));
        }
        self.spend_bytes(value.len())?;
        if let Some(Var::Str(s)) = self.var(name) {
            let s = s.clone();
            self.assign(name, Var::Arr(BTreeMap::from([(0, s)])), false);
        }
        if self.var(name).is_none() {
            self.assign(name, Var::Arr(BTreeMap::new()), false);
        }
        let Some(Var::Arr(arr)) = self.var_mut(name) else { return Ok(()) };
        let i = if i < 0 { arr.keys().next_back().map_or(0, |k| k + 1) + i } else { i };
        if i < 0 {
            return Err(Fail::new(format!("{name}[{i}]: bad array subscript")));
        }
        if arr.len() >= MAX_VALUE && !arr.contains_key(&i) {
            return Err(Fail::new(format!("{name}: more than {MAX_VALUE} elements")));
        }
        arr.insert(i, value);
        Ok(())
    }

    /// One step of the file's [`Budget`]: an error once the scripts have taken too many.
    pub(super) fn spend(&self) -> Result<(), ScenarioError> {
        let [n, bytes] = self.budget.get();
        let n = n + 1;
        self.budget.set([n, bytes]);
        if n > MAX_STEPS {
            return Err(self
                .err(Fail::new(format!("the scripts take more than {MAX_STEPS} steps (commands, loop rounds, calls)")))
                .with_hint("bash would go on; nslab's scripts must end before the lab runs"));
        }
        Ok(())
    }

    /// `n` more bytes written into variables: an error once the scripts wrote too much.
    pub(super) fn spend_bytes(&self, n: usize) -> Result<(), Fail> {
        let [steps, bytes] = self.budget.get();
        let bytes = bytes.saturating_add(n as u64);
        self.budget.set([steps, bytes]);
        if bytes > MAX_WRITTEN {
            return Err(Fail::new(format!("the scripts write more than {MAX_WRITTEN} bytes into variables")));
        }
        Ok(())
    }

    /// A list's commands in turn: how it ends, and the status of its last command.
    fn list(&mut self, list: &ast::CompoundList) -> Result<(Flow, Status), ScenarioError> {
        let mut last = Status::Known(true);
        for ast::CompoundListItem(and_or, sep) in &list.0 {
            let background = matches!(sep, ast::SeparatorOperator::Async);
            let (flow, status, errexit) = self.and_or_list(and_or, background)?;
            last = status;
            if flow != Flow::Normal {
                return Ok((flow, status));
            }
            // `set -e` stops on a failure only of the list's last command (`[ … ] && x`
            // that does not hold goes on), and not after `!`.
            if status == Status::Known(false) && self.errexit && errexit && self.no_errexit == 0 {
                return Ok((Flow::Exit(1), status));
            }
        }
        Ok((Flow::Normal, last))
    }

    /// Runs `f` where `set -e` does not stop the script, when `guard` (a condition, a part
    /// of `&&`/`||` before the last, a pipeline after `!`).
    fn guarded<T>(&mut self, guard: bool, f: impl FnOnce(&mut Self) -> T) -> T {
        self.no_errexit += u32::from(guard);
        let r = f(self);
        self.no_errexit -= u32::from(guard);
        r
    }

    /// A loop's body: how it ends.
    fn body(&mut self, list: &ast::CompoundList) -> Result<Flow, ScenarioError> {
        self.loops += 1;
        let r = self.list(list);
        self.loops -= 1;
        Ok(r?.0)
    }

    fn and_or(&mut self, l: &ast::AndOrList, background: bool) -> Result<(Flow, Status), ScenarioError> {
        self.and_or_list(l, background).map(|(f, s, _)| (f, s))
    }

    /// An `&&`/`||` list; the last value says whether `set -e` may stop on its status (its
    /// last pipeline ran, without `!`).
    fn and_or_list(&mut self, l: &ast::AndOrList, background: bool) -> Result<(Flow, Status, bool), ScenarioError> {
        if background && !l.additional.is_empty() {
            return Err(self.err(Fail::new("not supported yet: `&` after a list of `&&` or `||`")));
        }
        let (mut flow, mut status) = self.guarded(!l.additional.is_empty(), |sh| sh.pipeline(&l.first, background))?;
        let mut errexit = l.additional.is_empty() && stops(&l.first);
        for next in &l.additional {
            if flow != Flow::Normal {
                break;
            }
            let (p, run) = match next {
                ast::AndOr::And(p) => (p, status != Status::Known(false)),
                ast::AndOr::Or(p) => {
                    if status == Status::Ran {
                        return Err(self.err(
                            Fail::new("not supported yet: `||` after a command the lab runs (its status is not known before the run)")
                                .hint("write the command that should run on its own line, or expect the failure with `#! exit: N`"),
                        ));
                    }
                    (p, status == Status::Known(false))
                }
            };
            if run {
                let last = std::ptr::eq(p, last_of(l));
                (flow, status) = self.guarded(!last, |sh| sh.pipeline(p, false))?;
                errexit = last && stops(p);
            } else {
                errexit = false;
            }
        }
        Ok((flow, status, errexit))
    }

    fn pipeline(&mut self, p: &ast::Pipeline, background: bool) -> Result<(Flow, Status), ScenarioError> {
        if p.timed.is_some() {
            return Err(self.err(Fail::new("not supported yet: `time`")));
        }
        let (flow, status) = if let [only] = p.seq.as_slice() {
            self.guarded(p.bang, |sh| sh.command(only, background))?
        } else {
            // A pipe between simple commands: one line for `steps.rs` (`echo X | nc`,
            // `| grep`), which says which pipes it models.
            let mut toks = Vec::new();
            let mut heredoc = None;
            for (k, c) in p.seq.iter().enumerate() {
                let ast::Command::Simple(sc) = c else {
                    return Err(self.err(Fail::new("not supported yet: a pipe into or out of a compound command")));
                };
                if k > 0 {
                    toks.push(Tok::Op("|".into(), self.tok_span(self.cur)));
                }
                let Some((words, redirs, hd)) = self.simple_words(sc)? else { continue };
                toks.extend(words);
                toks.extend(redirs);
                heredoc = heredoc.or(hd);
            }
            if background {
                toks.push(Tok::Op("&".into(), self.tok_span(self.cur)));
            }
            self.emit(toks, heredoc)?;
            (Flow::Normal, Status::Ran)
        };
        // `return` without a number returns this (a lab command that ran succeeded).
        self.last = status != Status::Known(p.bang);
        match (p.bang, status) {
            (false, s) => Ok((flow, s)),
            (true, Status::Known(b)) => Ok((flow, Status::Known(!b))),
            (true, Status::Ran) => Err(self.err(Fail::new(
                "not supported yet: `!` before a command the lab runs (its status is not known before the run)",
            ))),
        }
    }

    fn command(&mut self, c: &ast::Command, background: bool) -> Result<(Flow, Status), ScenarioError> {
        use ast::CompoundCommand as C;
        let compound = match c {
            ast::Command::Simple(sc) => return self.simple(sc, background),
            ast::Command::Function(def) => {
                self.funcs.insert(def.fname.value.clone(), def.clone());
                return Ok((Flow::Normal, Status::Known(true)));
            }
            ast::Command::ExtendedTest(t, _) => {
                self.cur = Span::new(t.loc.start.line as u32, t.loc.start.column as u32, 2);
                let b = self.test(&t.expr).map_err(|f| self.err(f))?;
                return Ok((Flow::Normal, Status::Known(b)));
            }
            ast::Command::Compound(cc, redirects) => {
                if redirects.is_some() {
                    return Err(self.err(Fail::new("not supported yet: redirecting a compound command")));
                }
                cc
            }
        };
        if background {
            return Err(self.err(Fail::new("not supported yet: a compound command in the background (`&`)")));
        }
        match compound {
            C::BraceGroup(g) => self.list(&g.list),
            C::IfClause(i) => self.if_clause(i),
            C::CaseClause(c) => self.case_clause(c),
            C::ForClause(f) => self.for_clause(f),
            C::WhileClause(w) => self.while_clause(w, true),
            C::UntilClause(w) => self.while_clause(w, false),
            C::Arithmetic(a) => {
                self.cur = Span::new(a.loc.start.line as u32, a.loc.start.column as u32, 2);
                let v = self.arith(&a.expr.value).map_err(|f| self.err(f))?;
                Ok((Flow::Normal, Status::Known(v != 0)))
            }
            C::ArithmeticForClause(f) => {
                self.cur = Span::new(f.loc.start.line as u32, f.loc.start.column as u32, 3);
                if let Some(i) = &f.initializer {
                    self.arith(&i.value).map_err(|e| self.err(e))?;
                }
                let mut n = 0u64;
                loop {
                    if let Some(c) = &f.condition
                        && self.arith(&c.value).map_err(|e| self.err(e))? == 0
                    {
                        break;
                    }
                    n += 1;
                    self.count_loop(n)?;
                    match after_body(self.body(&f.body.list)?) {
                        LoopStep::Next => {}
                        LoopStep::Stop => break,
                        LoopStep::Leave(flow) => return Ok((flow, Status::Known(true))),
                    }
                    if let Some(u) = &f.updater {
                        self.arith(&u.value).map_err(|e| self.err(e))?;
                    }
                }
                Ok((Flow::Normal, Status::Known(true)))
            }
            C::Subshell(_) => Err(self.err(Fail::new("not supported yet: `( … )` subshells").hint("use `{ …; }`"))),
            C::Coprocess(_) => Err(self.err(Fail::new("not supported yet: `coproc`"))),
        }
    }

    fn count_loop(&self, n: u64) -> Result<(), ScenarioError> {
        self.spend()?;
        if n > MAX_LOOPS {
            return Err(self.err(Fail::new(format!("this loop runs more than {MAX_LOOPS} times"))));
        }
        Ok(())
    }

    /// A condition's value: it must be known before the run (a test, `true`).
    fn condition(&mut self, list: &ast::CompoundList) -> Result<(Flow, bool), ScenarioError> {
        let mut last = (Flow::Normal, true);
        for ast::CompoundListItem(and_or, _) in &list.0 {
            let (flow, status) = self.guarded(true, |sh| sh.and_or(and_or, false))?;
            match status {
                Status::Known(b) => last = (flow, b),
                Status::Ran => {
                    return Err(self.err(
                        Fail::new("not supported yet: a condition on a command the lab runs (its status is not known before the run)")
                            .hint("nslab runs a script's conditions before the lab starts: test variables and arguments (`[[ \"$1\" = create ]]`)"),
                    ));
                }
            }
            if flow != Flow::Normal {
                break;
            }
        }
        Ok(last)
    }

    fn if_clause(&mut self, i: &ast::IfClauseCommand) -> Result<(Flow, Status), ScenarioError> {
        let (flow, yes) = self.condition(&i.condition)?;
        if flow != Flow::Normal {
            return Ok((flow, Status::Known(true)));
        }
        if yes {
            return self.list(&i.then);
        }
        for e in i.elses.iter().flatten() {
            let yes = match &e.condition {
                None => true,
                Some(c) => {
                    let (flow, yes) = self.condition(c)?;
                    if flow != Flow::Normal {
                        return Ok((flow, Status::Known(true)));
                    }
                    yes
                }
            };
            if yes {
                return self.list(&e.body);
            }
        }
        Ok((Flow::Normal, Status::Known(true)))
    }

    fn case_clause(&mut self, c: &ast::CaseClauseCommand) -> Result<(Flow, Status), ScenarioError> {
        self.cur = Span::new(c.loc.start.line as u32, c.loc.start.column as u32, 4);
        let value = self.string(&c.value.value).map_err(|f| self.err(f))?;
        let mut fall_through = false;
        let mut last = Status::Known(true);
        for item in &c.cases {
            let mut hit = fall_through;
            if !hit {
                for p in &item.patterns {
                    let re = self.pattern(&p.value).map_err(|f| self.err(f))?;
                    if re.is_match(&value) {
                        hit = true;
                        break;
                    }
                }
            }
            if !hit {
                continue;
            }
            if let Some(cmd) = &item.cmd {
                let (flow, status) = self.list(cmd)?;
                last = status;
                if flow != Flow::Normal {
                    return Ok((flow, status));
                }
            }
            match item.post_action {
                ast::CaseItemPostAction::ExitCase => break,
                ast::CaseItemPostAction::UnconditionallyExecuteNextCaseItem => fall_through = true,
                ast::CaseItemPostAction::ContinueEvaluatingCases => fall_through = false,
            }
        }
        Ok((Flow::Normal, last))
    }

    fn for_clause(&mut self, f: &ast::ForClauseCommand) -> Result<(Flow, Status), ScenarioError> {
        self.cur = Span::new(f.loc.start.line as u32, f.loc.start.column as u32, 3);
        let items = match &f.values {
            None => self.args().to_vec(),
            Some(words) => {
                let mut v = Vec::new();
                for w in words {
                    v.extend(self.fields(&w.value).map_err(|e| self.err(e))?);
                }
                v
            }
        };
        for item in items {
            self.spend()?;
            self.assign(&f.variable_name, Var::Str(item), false);
            match after_body(self.body(&f.body.list)?) {
                LoopStep::Next => {}
                LoopStep::Stop => break,
                LoopStep::Leave(flow) => return Ok((flow, Status::Known(true))),
            }
        }
        Ok((Flow::Normal, Status::Known(true)))
    }

    fn while_clause(
        &mut self,
        w: &ast::WhileOrUntilClauseCommand,
        want: bool,
    ) -> Result<(Flow, Status), ScenarioError> {
        let mut n = 0u64;
        loop {
            let (flow, yes) = self.condition(&w.0)?;
            if flow != Flow::Normal {
                return Ok((flow, Status::Known(true)));
            }
            if yes != want {
                break;
            }
            n += 1;
            self.cur = Span::new(w.2.start.line as u32, w.2.start.column as u32, 5);
            self.count_loop(n)?;
            match after_body(self.body(&w.1.list)?) {
                LoopStep::Next => {}
                LoopStep::Stop => break,
                LoopStep::Leave(flow) => return Ok((flow, Status::Known(true))),
            }
        }
        Ok((Flow::Normal, Status::Known(true)))
    }

    /// The span a token gets: its own, or the line of another file that ran this script.
    fn tok_span(&self, own: Span) -> Span {
        self.at.unwrap_or(own)
    }

    fn emit(&mut self, toks: Vec<Tok>, heredoc: Option<(Vec<String>, Span)>) -> Result<(), ScenarioError> {
        self.emitted += 1;
        if self.emitted > MAX_COMMANDS {
            return Err(self.err(Fail::new(format!("the script runs more than {MAX_COMMANDS} commands"))));
        }
        let (line, from) = match self.at {
            Some(at) => (at.line, Some((self.file.clone(), self.cur.line))),
            None => (self.cur_end, None),
        };
        (self.sink)(Emit { toks, heredoc, line, from })
    }
}

mod builtins;
#[cfg(test)]
mod tests;
