//! Word expansion as bash does it for what a script can know before the lab runs:
//! parameters (`$x`, `${x}`, `${a[i]}`, `"${a[@]}"`, `$1`, `$#`, `$@`), their operators
//! (`:-`, `:=`, `:?`, `:+`, `${#x}`, `%`, `%%`, `#`, `##`, `:offset:length`), `$((…))`, quotes
//! and field splitting; glob patterns for `case`, `[[ = ]]` and the trimming operators.
//!
//! Owns: a word's text into its fields. Must not touch: which commands run (`mod.rs`), what
//! they mean (`steps.rs`). What only the run can tell (`$(…)`, `$?`, `$!`) is refused.

use super::{Fail, Shell, Var};
use brush_parser::ast::{ArithmeticExpr, ArithmeticTarget, BinaryOperator, UnaryAssignmentOperator, UnaryOperator};
use brush_parser::word::{
    Parameter, ParameterExpr, ParameterTestType, SpecialParameter, WordPiece, WordPieceWithSource,
};

/// Variables bash sets itself from the machine or the process (and `IFS`, which changes
/// splitting): reading one the script did not set, or setting one, is refused.
pub(super) const SHELL_VARIABLES: [&str; 22] = [
    "HOME",
    "RANDOM",
    "SRANDOM",
    "BASH_SOURCE",
    "BASH_LINENO",
    "FUNCNAME",
    "EUID",
    "UID",
    "LINENO",
    "PIPESTATUS",
    "PWD",
    "OLDPWD",
    "USER",
    "HOSTNAME",
    "SECONDS",
    "PPID",
    "BASHPID",
    "OSTYPE",
    "HOSTTYPE",
    "BASH_VERSION",
    "EPOCHSECONDS",
    "IFS",
];

/// A parameter's value: one string, or the elements of `"$@"` / `"${a[@]}"`.
enum Val {
    One(String),
    Many(Vec<String>),
}

impl Val {
    fn joined(self) -> String {
        match self {
            Val::One(s) => s,
            Val::Many(v) => v.join(" "),
        }
    }
}

/// Fields being built: the finished ones and the one being added to.
#[derive(Default)]
struct Fields {
    done: Vec<String>,
    cur: String,
    started: bool,
    /// Nothing is split (an assignment's value, `case`'s word): expansions are kept whole.
    whole: bool,
}

impl Fields {
    /// Text that is not split: literal or quoted.
    fn lit(&mut self, s: &str) {
        self.cur.push_str(s);
        self.started = true;
    }
    /// An unquoted expansion: split at blanks (the default `IFS`).
    fn split(&mut self, s: &str) {
        if self.whole {
            return self.lit(s);
        }
        for c in s.chars() {
            if matches!(c, ' ' | '\t' | '\n') {
                if self.started {
                    self.done.push(std::mem::take(&mut self.cur));
                    self.started = false;
                }
            } else {
                self.cur.push(c);
                self.started = true;
            }
        }
    }
    /// `"${a[@]}"` (each element a field) or, unquoted, each element split.
    fn list(&mut self, items: &[String], quoted: bool) {
        if self.whole {
            return self.lit(&items.join(" "));
        }
        for (k, item) in items.iter().enumerate() {
            if quoted {
                if k > 0 {
                    self.done.push(std::mem::take(&mut self.cur));
                }
                self.lit(item);
            } else {
                if k > 0 && self.started {
                    self.done.push(std::mem::take(&mut self.cur));
                    self.started = false;
                }
                self.split(item);
            }
        }
    }
    fn finish(mut self) -> Vec<String> {
        if self.started {
            self.done.push(self.cur);
        }
        self.done
    }
}

/// The longest expression (or `[ … ]`'s words, in all) a script may build and hand to
/// bash's parsers while it runs: they recurse once per level.
pub(super) const MAX_EXPRESSION: usize = 10_000;

pub(super) fn long_expression(text: &str) -> Result<(), Fail> {
    if text.len() > MAX_EXPRESSION {
        return Err(Fail::new(format!("not supported yet: an expression longer than {MAX_EXPRESSION} characters")));
    }
    Ok(())
}

/// Whether unquoted text holds a brace expansion bash would make (`{1..3}`, `{a,b}`).
fn braces(s: &str) -> bool {
    let Some(open) = s.find('{') else { return false };
    let Some(close) = s[open..].find('}') else { return false };
    let inner = &s[open + 1..open + close];
    inner.contains(',') || inner.contains("..")
}

fn parse_word(raw: &str) -> Result<Vec<WordPieceWithSource>, Fail> {
    brush_parser::word::parse(raw, &brush_parser::ParserOptions::default())
        .map_err(|e| Fail::new(format!("bash cannot read `{raw}`: {e}")))
}

impl Shell<'_> {
    /// A word's fields, as bash gives them to a command.
    pub(super) fn fields(&mut self, raw: &str) -> Result<Vec<String>, Fail> {
        let pieces = parse_word(raw)?;
        let mut f = Fields::default();
        self.pieces(&pieces, false, &mut f)?;
        Ok(f.finish())
    }

    /// A word expanded without splitting (an assignment's value, `case`'s word, `[[ ]]`).
    pub(super) fn string(&mut self, raw: &str) -> Result<String, Fail> {
        let pieces = parse_word(raw)?;
        // Not split, but read as unquoted text is (`x=a\ b` is `a b`).
        let mut f = Fields { whole: true, ..Fields::default() };
        self.pieces(&pieces, false, &mut f)?;
        Ok(f.finish().join(" "))
    }

    /// A word as a glob pattern, anchored: quoted parts match themselves.
    pub(super) fn pattern(&mut self, raw: &str) -> Result<regex::Regex, Fail> {
        let pieces = parse_word(raw)?;
        let mut pat = String::new();
        self.pattern_pieces(&pieces, false, &mut pat)?;
        let re = brush_parser::pattern::pattern_to_regex_str(&pat, false)
            .map_err(|e| Fail::new(format!("bash cannot read the pattern `{raw}`: {e}")))?;
        regex::Regex::new(&format!("^(?s:{re})$")).map_err(|e| Fail::new(format!("pattern `{raw}`: {e}")))
    }

    fn pattern_pieces(&mut self, ps: &[WordPieceWithSource], quoted: bool, out: &mut String) -> Result<(), Fail> {
        let esc = |s: &str, out: &mut String| {
            for c in s.chars() {
                if matches!(c, '*' | '?' | '[' | ']' | '\\') {
                    out.push('\\');
                }
                out.push(c);
            }
        };
        for p in ps {
            match &p.piece {
                WordPiece::Text(s) if !quoted => out.push_str(s),
                WordPiece::DoubleQuotedSequence(inner) | WordPiece::GettextDoubleQuotedSequence(inner) => {
                    self.pattern_pieces(inner, true, out)?
                }
                WordPiece::SingleQuotedText(s) => esc(s, out),
                WordPiece::ParameterExpansion(_) | WordPiece::ArithmeticExpression(_) if !quoted => {
                    let mut f = Fields::default();
                    self.pieces(std::slice::from_ref(p), true, &mut f)?;
                    out.push_str(&f.finish().join(" "));
                }
                _ => {
                    let mut f = Fields::default();
                    self.pieces(std::slice::from_ref(p), true, &mut f)?;
                    esc(&f.finish().join(" "), out);
                }
            }
        }
        Ok(())
    }

    fn pieces(&mut self, ps: &[WordPieceWithSource], quoted: bool, f: &mut Fields) -> Result<(), Fail> {
        for p in ps {
            match &p.piece {
                WordPiece::Text(s) if !quoted && !f.whole && braces(s) => {
                    return Err(Fail::new(format!("not supported yet: brace expansion (`{s}`)"))
                        .hint("list the words (`for i in 1 2 3`) or count (`for ((i = 1; i <= 3; i++))`)"));
                }
                WordPiece::Text(s) => f.lit(s),
                WordPiece::SingleQuotedText(s) => f.lit(s),
                WordPiece::EscapeSequence(s) => {
                    let c = s.strip_prefix('\\').unwrap_or(s);
                    match c.chars().next() {
                        // A quoted newline continues the line.
                        Some('\n') => {}
                        Some(ch) if !quoted || matches!(ch, '$' | '`' | '"' | '\\') => f.lit(c),
                        _ => f.lit(s),
                    }
                }
                WordPiece::DoubleQuotedSequence(inner) | WordPiece::GettextDoubleQuotedSequence(inner) => {
                    // `""` is an empty field; `"${a[@]}"` of no elements is none.
                    if !inner.iter().all(|p| is_list(&p.piece)) {
                        f.started = true;
                    }
                    self.pieces(inner, true, f)?;
                }
                WordPiece::AnsiCQuotedText(_) => {
                    return Err(Fail::new("not supported yet: `$'…'` quoting").hint("write the text in '…' or \"…\""));
                }
                WordPiece::TildeExpansion(_) => {
                    return Err(Fail::new("not supported yet: `~` (nslab has no home directory)"));
                }
                WordPiece::CommandSubstitution(_) | WordPiece::BackquotedCommandSubstitution(_) => {
                    return Err(Fail::new(
                        "not supported yet: command substitution: what a command prints is not known until the lab runs",
                    )
                    .hint("nslab runs a script's variables, functions and loops before the lab starts; write the value itself"));
                }
                WordPiece::ParameterExpansion(e) => match self.param(e)? {
                    Val::One(s) if quoted => f.lit(&s),
                    Val::One(s) => f.split(&s),
                    Val::Many(items) => f.list(&items, quoted),
                },
                WordPiece::ArithmeticExpression(e) => {
                    let n = self.arith(&e.value)?;
                    f.lit(&n.to_string());
                }
            }
        }
        Ok(())
    }

    /// A parameter's value; `None` when unset.
    fn get(&mut self, p: &Parameter) -> Result<Option<Val>, Fail> {
        Ok(match p {
            Parameter::Positional(0) => Some(Val::One(self.name.to_string())),
            Parameter::Positional(n) => self.args().get(*n as usize - 1).cloned().map(Val::One),
            Parameter::Special(SpecialParameter::AllPositionalParameters { concatenate }) => {
                let a = self.args().to_vec();
                Some(if *concatenate { Val::One(a.join(" ")) } else { Val::Many(a) })
            }
            Parameter::Special(SpecialParameter::PositionalParameterCount) => {
                Some(Val::One(self.args().len().to_string()))
            }
            Parameter::Special(SpecialParameter::ShellName) => Some(Val::One(self.name.to_string())),
            Parameter::Special(s) => {
                let what = match s {
                    SpecialParameter::LastExitStatus => "`$?`: a command's status is not known until the lab runs",
                    SpecialParameter::ProcessId | SpecialParameter::LastBackgroundProcessId => {
                        "`$$` and `$!`: process numbers are not known until the lab runs"
                    }
                    _ => "`$-`",
                };
                return Err(Fail::new(format!("not supported yet: {what}")));
            }
            Parameter::Named(n) if self.var(n).is_none() && SHELL_VARIABLES.contains(&n.as_str()) => {
                return Err(Fail::new(format!("not supported yet: ${n}: bash sets it from the machine it runs on"))
                    .hint("give the value itself, or as an argument of the script"));
            }
            Parameter::Named(n) => self.var(n).map(|v| match v {
                Var::Str(s) => Val::One(s.clone()),
                Var::Arr(a) => Val::One(a.get(&0).cloned().unwrap_or_default()),
            }),
            Parameter::NamedWithIndex { name, index } => {
                let i = self.arith(index)?;
                match self.var(name) {
                    Some(Var::Arr(a)) => {
                        let i = if i < 0 { a.keys().next_back().map_or(i, |last| last + 1 + i) } else { i };
                        a.get(&i).cloned().map(Val::One)
                    }
                    Some(Var::Str(s)) if i == 0 => Some(Val::One(s.clone())),
                    _ => None,
                }
            }
            Parameter::NamedWithAllIndices { name, concatenate } => {
                let items: Vec<String> = match self.var(name) {
                    Some(Var::Arr(a)) => a.values().cloned().collect(),
                    Some(Var::Str(s)) => vec![s.clone()],
                    // Unset: `"${a[@]}"` is no field at all.
                    None if !*concatenate => return Ok(Some(Val::Many(Vec::new()))),
                    None => return Ok(None),
                };
                Some(if *concatenate { Val::One(items.join(" ")) } else { Val::Many(items) })
            }
        })
    }

    fn param(&mut self, e: &ParameterExpr) -> Result<Val, Fail> {
        let null = |v: &Option<Val>, t: &ParameterTestType| match (v, t) {
            (None, _) => true,
            (Some(Val::One(s)), ParameterTestType::UnsetOrNull) => s.is_empty(),
            _ => false,
        };
        match e {
            ParameterExpr::Parameter { parameter, indirect: false } => {
                let v = self.get(parameter)?;
                match v {
                    Some(v) => Ok(v),
                    None if self.nounset && !matches!(parameter, Parameter::NamedWithAllIndices { .. }) => {
                        Err(Fail::new(format!("{}: unbound variable", name_of(parameter))))
                    }
                    None => Ok(Val::One(String::new())),
                }
            }
            ParameterExpr::UseDefaultValues { parameter, indirect: false, test_type, default_value } => {
                let v = self.get(parameter)?;
                if null(&v, test_type) { Ok(Val::One(self.opt_string(default_value)?)) } else { Ok(v.expect("set")) }
            }
            ParameterExpr::AssignDefaultValues { parameter, indirect: false, test_type, default_value } => {
                let v = self.get(parameter)?;
                if !null(&v, test_type) {
                    return Ok(v.expect("set"));
                }
                let value = self.opt_string(default_value)?;
                match parameter {
                    Parameter::Named(n) => self.assign(n, Var::Str(value.clone()), false),
                    p => return Err(Fail::new(format!("{p}: cannot assign in this way"))),
                }
                Ok(Val::One(value))
            }
            ParameterExpr::IndicateErrorIfNullOrUnset { parameter, indirect: false, test_type, error_message } => {
                let v = self.get(parameter)?;
                if !null(&v, test_type) {
                    return Ok(v.expect("set"));
                }
                let msg = match error_message {
                    Some(m) if !m.is_empty() => self.string(m)?,
                    _ if matches!(test_type, ParameterTestType::Unset) => "parameter not set".to_string(),
                    _ => "parameter null or not set".to_string(),
                };
                let mut fail = Fail::new(format!("{}: {msg}", name_of(parameter)));
                if matches!(parameter, Parameter::Positional(_)) && self.in_script_body() {
                    fail = fail.hint(format!(
                        "the script takes arguments: run it from a scenario line, `./{} ARG…` (or `bash {} ARG…`)",
                        self.short_name(),
                        self.short_name()
                    ));
                }
                Err(fail)
            }
            ParameterExpr::UseAlternativeValue { parameter, indirect: false, test_type, alternative_value } => {
                let v = self.get(parameter)?;
                if null(&v, test_type) {
                    Ok(Val::One(String::new()))
                } else {
                    Ok(Val::One(self.opt_string(alternative_value)?))
                }
            }
            ParameterExpr::ParameterLength { parameter, indirect: false } => {
                // `${#a[@]}` and `${#a[*]}`: how many elements; `${#x}`: how many characters.
                if let Parameter::NamedWithAllIndices { name, .. } = parameter {
                    let n = match self.var(name) {
                        Some(Var::Arr(a)) => a.len(),
                        Some(Var::Str(_)) => 1,
                        None => 0,
                    };
                    return Ok(Val::One(n.to_string()));
                }
                Ok(Val::One(match self.get(parameter)? {
                    None => "0".to_string(),
                    Some(Val::One(s)) => s.chars().count().to_string(),
                    Some(Val::Many(v)) => v.len().to_string(),
                }))
            }
            ParameterExpr::RemoveSmallestSuffixPattern { parameter, indirect: false, pattern } => {
                self.trim(parameter, pattern, Trim::Suffix, false)
            }
            ParameterExpr::RemoveLargestSuffixPattern { parameter, indirect: false, pattern } => {
                self.trim(parameter, pattern, Trim::Suffix, true)
            }
            ParameterExpr::RemoveSmallestPrefixPattern { parameter, indirect: false, pattern } => {
                self.trim(parameter, pattern, Trim::Prefix, false)
            }
            ParameterExpr::RemoveLargestPrefixPattern { parameter, indirect: false, pattern } => {
                self.trim(parameter, pattern, Trim::Prefix, true)
            }
            ParameterExpr::Substring { parameter, indirect: false, offset, length } => {
                let s = self.get(parameter)?.map(Val::joined).unwrap_or_default();
                let chars: Vec<char> = s.chars().collect();
                let n = chars.len() as i64;
                let off = self.arith(&offset.value)?;
                // An offset before the start gives nothing (bash: `${x: -5}` of `abc` is empty).
                if off < 0 && n.saturating_add(off) < 0 {
                    return Ok(Val::One(String::new()));
                }
                let from = if off < 0 { n + off } else { off.min(n) };
                let to = match length {
                    None => n,
                    Some(l) => {
                        let l = self.arith(&l.value)?;
                        if l < 0 { n.saturating_add(l) } else { from.saturating_add(l).min(n) }
                    }
                };
                if to < from {
                    return Err(Fail::new(format!("{}: substring expression < 0", self.arith_text(length))));
                }
                Ok(Val::One(chars[from as usize..to as usize].iter().collect()))
            }
            _ => Err(Fail::new("not supported yet: this parameter expansion")
                .hint("nslab's scripts take `${x}`, `${x:-…}`, `${x:=…}`, `${x:?…}`, `${x:+…}`, `${#x}`, `${x%…}`, `${x#…}` and `${x:N:M}`")),
        }
    }

    fn arith_text(&self, e: &Option<brush_parser::ast::UnexpandedArithmeticExpr>) -> String {
        e.as_ref().map(|e| e.value.clone()).unwrap_or_default()
    }

    fn opt_string(&mut self, raw: &Option<String>) -> Result<String, Fail> {
        match raw {
            Some(r) => self.string(r),
            None => Ok(String::new()),
        }
    }

    fn trim(&mut self, p: &Parameter, pattern: &Option<String>, side: Trim, largest: bool) -> Result<Val, Fail> {
        let re = self.pattern(pattern.as_deref().unwrap_or(""))?;
        let cut = |s: &str| -> String {
            let mut cuts: Vec<usize> = s.char_indices().map(|(i, _)| i).chain(std::iter::once(s.len())).collect();
            // Smallest first: a suffix from the end backwards, a prefix from the start on.
            if matches!(side, Trim::Suffix) {
                cuts.reverse();
            }
            if largest {
                cuts.reverse();
            }
            for i in cuts {
                match side {
                    Trim::Suffix if re.is_match(&s[i..]) => return s[..i].to_string(),
                    Trim::Prefix if re.is_match(&s[..i]) => return s[i..].to_string(),
                    _ => {}
                }
            }
            s.to_string()
        };
        Ok(match self.get(p)? {
            None => Val::One(String::new()),
            Some(Val::One(s)) => Val::One(cut(&s)),
            Some(Val::Many(v)) => Val::Many(v.iter().map(|s| cut(s)).collect()),
        })
    }

    /// `$((…))`, `((…))`, an array index: the text's parameters expanded, then evaluated.
    pub(super) fn arith(&mut self, text: &str) -> Result<i64, Fail> {
        let text = self.string(text)?;
        if text.trim().is_empty() {
            return Ok(0);
        }
        long_expression(&text)?;
        let e = brush_parser::arithmetic::parse(&text)
            .map_err(|_| Fail::new(format!("{}: syntax error in expression", text.trim())))?;
        self.eval(&e, 0)
    }

    fn eval(&mut self, e: &ArithmeticExpr, depth: u32) -> Result<i64, Fail> {
        if depth > 256 {
            return Err(Fail::new("expression recursion level exceeded"));
        }
        let d = depth + 1;
        Ok(match e {
            ArithmeticExpr::Literal(n) => *n,
            ArithmeticExpr::Reference(t) => self.target_value(t, d)?,
            ArithmeticExpr::UnaryOp(op, x) => {
                let x = self.eval(x, d)?;
                match op {
                    UnaryOperator::UnaryPlus => x,
                    UnaryOperator::UnaryMinus => x.wrapping_neg(),
                    UnaryOperator::BitwiseNot => !x,
                    UnaryOperator::LogicalNot => i64::from(x == 0),
                }
            }
            ArithmeticExpr::BinaryOp(BinaryOperator::LogicalAnd, a, b) => {
                i64::from(self.eval(a, d)? != 0 && self.eval(b, d)? != 0)
            }
            ArithmeticExpr::BinaryOp(BinaryOperator::LogicalOr, a, b) => {
                i64::from(self.eval(a, d)? != 0 || self.eval(b, d)? != 0)
            }
            ArithmeticExpr::BinaryOp(op, a, b) => {
                let (a, b) = (self.eval(a, d)?, self.eval(b, d)?);
                binary(*op, a, b)?
            }
            ArithmeticExpr::Conditional(c, a, b) => {
                if self.eval(c, d)? != 0 {
                    self.eval(a, d)?
                } else {
                    self.eval(b, d)?
                }
            }
            ArithmeticExpr::Assignment(t, x) => {
                let v = self.eval(x, d)?;
                self.set_target(t, v, d)?;
                v
            }
            ArithmeticExpr::BinaryAssignment(op, t, x) => {
                let v = binary(*op, self.target_value(t, d)?, self.eval(x, d)?)?;
                self.set_target(t, v, d)?;
                v
            }
            ArithmeticExpr::UnaryAssignment(op, t) => {
                let old = self.target_value(t, d)?;
                let (new, shown) = match op {
                    UnaryAssignmentOperator::PrefixIncrement => (old.wrapping_add(1), old.wrapping_add(1)),
                    UnaryAssignmentOperator::PrefixDecrement => (old.wrapping_sub(1), old.wrapping_sub(1)),
                    UnaryAssignmentOperator::PostfixIncrement => (old.wrapping_add(1), old),
                    UnaryAssignmentOperator::PostfixDecrement => (old.wrapping_sub(1), old),
                };
                self.set_target(t, new, d)?;
                shown
            }
        })
    }

    fn target_value(&mut self, t: &ArithmeticTarget, d: u32) -> Result<i64, Fail> {
        let text = match t {
            ArithmeticTarget::Variable(n) => match self.var(n) {
                Some(Var::Str(s)) => s.clone(),
                Some(Var::Arr(a)) => a.get(&0).cloned().unwrap_or_default(),
                None => String::new(),
            },
            ArithmeticTarget::ArrayElement(n, i) => {
                let i = self.eval(i, d)?;
                match self.var(n) {
                    Some(Var::Arr(a)) => a.get(&i).cloned().unwrap_or_default(),
                    Some(Var::Str(s)) if i == 0 => s.clone(),
                    _ => String::new(),
                }
            }
        };
        let text = text.trim();
        if text.is_empty() {
            return Ok(0);
        }
        // (A leading 0 is octal: `x=010; $((x))` is 8.)
        if let Ok(n) = text.parse::<i64>()
            && (!text.starts_with('0') || text == "0")
        {
            return Ok(n);
        }
        long_expression(text)?;
        // A variable holding an expression is evaluated in turn, as bash does.
        let e = brush_parser::arithmetic::parse(text)
            .map_err(|_| Fail::new(format!("{text}: syntax error in expression")))?;
        self.eval(&e, d)
    }

    fn set_target(&mut self, t: &ArithmeticTarget, v: i64, d: u32) -> Result<(), Fail> {
        match t {
            ArithmeticTarget::Variable(n) => self.assign(n, Var::Str(v.to_string()), false),
            ArithmeticTarget::ArrayElement(n, i) => {
                let i = self.eval(i, d)?;
                self.assign_element(n, i, v.to_string())?;
            }
        }
        Ok(())
    }
}

/// A parameter as bash names it in an error (`1`, `x`, `a[2]`).
fn name_of(p: &Parameter) -> String {
    match p {
        Parameter::Positional(n) => n.to_string(),
        Parameter::Named(n) => n.clone(),
        Parameter::NamedWithIndex { name, index } => format!("{name}[{index}]"),
        Parameter::NamedWithAllIndices { name, concatenate } => {
            format!("{name}[{}]", if *concatenate { '*' } else { '@' })
        }
        other => other.to_string(),
    }
}

/// `$@` or `${a[@]}`: as many fields as elements.
fn is_list(p: &WordPiece) -> bool {
    matches!(
        p,
        WordPiece::ParameterExpansion(ParameterExpr::Parameter {
            parameter: Parameter::NamedWithAllIndices { concatenate: false, .. }
                | Parameter::Special(SpecialParameter::AllPositionalParameters { concatenate: false }),
            ..
        })
    )
}

#[derive(Clone, Copy)]
enum Trim {
    Suffix,
    Prefix,
}

fn binary(op: BinaryOperator, a: i64, b: i64) -> Result<i64, Fail> {
    use BinaryOperator as B;
    Ok(match op {
        B::Power => {
            if b < 0 {
                return Err(Fail::new("exponent less than 0"));
            }
            a.wrapping_pow(b.min(u32::MAX as i64) as u32)
        }
        B::Multiply => a.wrapping_mul(b),
        B::Divide | B::Modulo if b == 0 => return Err(Fail::new("division by 0")),
        B::Divide => a.wrapping_div(b),
        B::Modulo => a.wrapping_rem(b),
        B::Comma => b,
        B::Add => a.wrapping_add(b),
        B::Subtract => a.wrapping_sub(b),
        B::ShiftLeft => a.wrapping_shl(b as u32),
        B::ShiftRight => a.wrapping_shr(b as u32),
        B::LessThan => i64::from(a < b),
        B::LessThanOrEqualTo => i64::from(a <= b),
        B::GreaterThan => i64::from(a > b),
        B::GreaterThanOrEqualTo => i64::from(a >= b),
        B::Equals => i64::from(a == b),
        B::NotEquals => i64::from(a != b),
        B::BitwiseAnd => a & b,
        B::BitwiseXor => a ^ b,
        B::BitwiseOr => a | b,
        B::LogicalAnd => i64::from(a != 0 && b != 0),
        B::LogicalOr => i64::from(a != 0 || b != 0),
    })
}
