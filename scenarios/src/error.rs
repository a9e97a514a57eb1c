//! Scenario errors: every one names the file, line and column, what went wrong, and what
//! would fix it, rendered the way rustc shows a span (by annotate-snippets). A pass that finds several errors
//! (`nslab check`) returns the first with the others attached, so every caller that prints
//! one error prints them all.
//!
//! Nothing a user typed is echoed at length: a message quotes at most [`QUOTE_MAX`]
//! characters of one word, and the source line is shown as a window around the caret.

use std::fmt;

/// The longest run of non-blank characters an error message quotes whole; a longer one (a
/// megabyte of name) is shown as its start, `…`, its end and its length.
pub const QUOTE_MAX: usize = 64;
/// The most characters of one message line shown; the rest is elided in the middle.
pub const LINE_MAX: usize = 1000;
/// How many characters of the source line are shown around the caret.
const WINDOW: usize = 120;

/// A place in a scenario file (1-based line and column, in characters).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Span {
    /// Line, from 1.
    pub line: u32,
    /// Column, from 1.
    pub col: u32,
    /// Width in characters (at least 1 when shown).
    pub len: u32,
}

impl Span {
    /// A span.
    pub fn new(line: u32, col: u32, len: u32) -> Self {
        Span { line, col, len }
    }
}

/// An error in a scenario: syntax the front end cannot take, or a command the machine
/// refuses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioError {
    /// The file.
    pub file: String,
    /// Where.
    pub span: Span,
    /// The text of that line, for the caret display.
    pub line_text: Box<str>,
    /// What went wrong.
    pub message: String,
    /// What would fix it.
    pub hint: Option<String>,
    /// Further errors the same pass found, in file order (shown after this one).
    pub more: Box<[ScenarioError]>,
}

impl ScenarioError {
    /// An error at `span` of `source`.
    pub fn at(file: &str, source: &str, span: Span, message: impl Into<String>) -> Self {
        let line_text = source.lines().nth(span.line.saturating_sub(1) as usize).unwrap_or("");
        Self::on_line(file, line_text, span, message)
    }
    /// An error at `span`, whose line reads `line_text` (for callers that hold the lines
    /// already: looking a line up in the source costs a scan of the file).
    pub fn on_line(file: &str, line_text: &str, span: Span, message: impl Into<String>) -> Self {
        ScenarioError {
            file: file.to_string(),
            span,
            line_text: line_text.into(),
            message: clip(&message.into()),
            hint: None,
            more: Box::default(),
        }
    }
    /// Adds a hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(clip(&hint.into()));
        self
    }
    /// Adds a hint if there is one.
    pub fn with_opt_hint(self, hint: Option<String>) -> Self {
        match hint {
            Some(h) => self.with_hint(h),
            None => self,
        }
    }
    /// The first of `errors` with the others attached, or `None` if there are none.
    pub fn all(errors: Vec<ScenarioError>) -> Option<ScenarioError> {
        let mut flat = Vec::new();
        for mut e in errors {
            let more = std::mem::take(&mut e.more);
            flat.push(e);
            flat.extend(more.into_vec());
        }
        let mut it = flat.into_iter();
        let mut first = it.next()?;
        first.more = it.collect();
        Some(first)
    }
    /// This error and the ones attached to it, in order.
    pub fn iter(&self) -> impl Iterator<Item = &ScenarioError> {
        std::iter::once(self).chain(self.more.iter())
    }
    /// How many errors this is (1 + those attached).
    pub fn count(&self) -> usize {
        1 + self.more.len()
    }
}

/// `text` with every over-long word shortened (see [`QUOTE_MAX`]) and every over-long line
/// elided in the middle (see [`LINE_MAX`]).
pub fn clip(text: &str) -> String {
    if text.len() <= QUOTE_MAX {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len().min(4 * LINE_MAX));
    for (k, line) in text.split('\n').enumerate() {
        if k > 0 {
            out.push('\n');
        }
        let mut short = String::new();
        let mut rest = line;
        while !rest.is_empty() {
            let blank = rest.find(|c: char| !c.is_whitespace()).unwrap_or(rest.len());
            short.push_str(&rest[..blank]);
            rest = &rest[blank..];
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            short.push_str(&shorten(&rest[..end], QUOTE_MAX));
            rest = &rest[end..];
        }
        out.push_str(&shorten(&short, LINE_MAX));
    }
    out
}

/// `s` itself if it has at most `max` characters, else its start, `…`, its last few
/// characters and how long it was.
fn shorten(s: &str, max: usize) -> String {
    let n = s.chars().count();
    if n <= max {
        return s.to_string();
    }
    let tail = (max / 8).max(1);
    let head: String = s.chars().take(max - tail).collect();
    let end: String = s.chars().skip(n - tail).collect();
    format!("{head}…{end} ({n} characters)")
}

impl ScenarioError {
    /// Renders this one error (not those attached), through annotate-snippets: the title
    /// names the place, the source line is a window around the caret (a line may be a
    /// megabyte long), and the caret counts terminal columns (`テスト` takes six).
    fn render(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use annotate_snippets::{AnnotationKind, Level, Renderer, Snippet};
        let Span { line, col, len } = self.span;
        let caret = col.saturating_sub(1) as usize;
        let total = self.line_text.chars().count();
        let (from, to) = if total <= WINDOW {
            (0, total)
        } else {
            let from = caret.saturating_sub(WINDOW / 3).min(total.saturating_sub(WINDOW));
            (from, (from + WINDOW).min(total))
        };
        let before = if from > 0 { "…" } else { "" };
        let after = if to < total { "…" } else { "" };
        let shown: String = self.line_text.chars().skip(from).take(to - from).collect();
        let source = format!("{before}{shown}{after}");
        // The caret's characters, as byte offsets into what is shown.
        let byte_at = |chars: usize| shown.char_indices().nth(chars).map_or(shown.len(), |(b, _)| b) + before.len();
        let first = caret.saturating_sub(from).min(shown.chars().count());
        let chars = (len.max(1) as usize).min(to.saturating_sub(caret).max(1));
        let span = byte_at(first)..byte_at(first + chars);
        let title = format!("{}:{line}:{col}: {}", self.file, self.message);
        let snippet = Snippet::source(&source).line_start(line as usize).annotation(AnnotationKind::Primary.span(span));
        let mut group = Level::ERROR.primary_title(&title).element(snippet);
        if let Some(h) = &self.hint {
            group = group.element(Level::HELP.message(h));
        }
        write!(f, "{}", Renderer::plain().render(&[group]))
    }
}

impl fmt::Display for ScenarioError {
    /// The error, then each one attached, separated by a blank line, then how many there
    /// were when there are several.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.render(f)?;
        for e in &self.more {
            writeln!(f, "\n")?;
            e.render(f)?;
        }
        if !self.more.is_empty() {
            write!(f, "\n\nerror: {} errors in {}", self.count(), self.file)?;
        }
        Ok(())
    }
}

impl std::error::Error for ScenarioError {}

/// The help line for an error of the RON parser: what the text at the caret should have
/// been. `custom` is a hint the caller has for the message of one of our own types.
pub fn ron_help(code: &ron::Error, custom: Option<String>) -> String {
    use ron::Error as E;
    let near = |found: &str, expected: &[&str]| {
        nearest(found, expected).map(|n| format!("did you mean `{n}`? ")).unwrap_or_default()
    };
    let list = |expected: &[&str]| expected.iter().map(|e| format!("`{e}`")).collect::<Vec<_>>().join(", ");
    let readme =
        "see scenarios/README.md for the fields each command takes (`nslab convert FILE.sh` shows a script as RON)";
    match code {
        E::NoSuchEnumVariant { expected, found, .. } => {
            format!("{}the names are CamelCase, as `nslab convert` writes them", near(found, expected))
        }
        E::NoSuchStructField { expected, found, outer } => format!(
            "{}{} takes {}; RON scenarios reject fields they do not know",
            near(found, expected),
            outer.as_deref().unwrap_or("this"),
            list(expected)
        ),
        E::MissingStructField { field, outer } => {
            format!("add `{field}: …` to {}; {readme}", outer.as_deref().unwrap_or("it"))
        }
        E::DuplicateStructField { field, .. } => format!("`{field}` is given twice: keep one"),
        E::Eof => "the file ends inside a `(`, `[` or string: close it (a scenario is `(steps: [ … ])`)".into(),
        E::ExpectedComma => "separate fields and list elements with `,`, or close what is open with `)` or `]`".into(),
        E::ExpectedArray => "a list goes here: `[…]`, e.g. `steps: [ (run: NetnsAdd(name: \"ns1\")) ]`".into(),
        E::ExpectedArrayEnd => "the list ends here with `]`: is a `,` missing between two elements?".into(),
        E::ExpectedStructLike | E::ExpectedNamedStructLike(_) | E::ExpectedStructName(_) => {
            "a struct goes here: `(field: value, …)`; a command is `Name(field: value, …)`".into()
        }
        E::ExpectedStructLikeEnd => "the `(…)` ends here with `)`: is a `,` missing between two fields?".into(),
        E::ExpectedIdentifier => "a field name goes here: `name: value`".into(),
        E::ExpectedMapColon => "a field is `name: value`".into(),
        E::ExpectedString | E::ExpectedStringEnd => {
            "text goes in double quotes: \"ns1\", \"192.0.2.1/24\" (a quote inside is written \\\")".into()
        }
        E::ExpectedInteger | E::IntegerOutOfBounds | E::InvalidIntegerDigit { .. } | E::UnderscoreAtBeginning => {
            "a whole number in range for the field goes here, e.g. `3`".into()
        }
        E::ExpectedFloat | E::FloatUnderscore => "a number goes here, e.g. `1` or `0.2`".into(),
        E::ExpectedBoolean => "write `true` or `false`".into(),
        E::ExpectedOption | E::ExpectedOptionEnd => {
            "an optional field is written plainly (`count: 3`) or left out".into()
        }
        E::ExpectedUnit => "write `()`".into(),
        E::InvalidEscape(_) => "in a string, write a backslash as `\\\\` and a quote as `\\\"`".into(),
        E::UnclosedBlockComment => "close the comment with `*/`".into(),
        E::UnexpectedChar(_) => "is a `,`, `:`, `)` or quote missing before this?".into(),
        E::TrailingCharacters => "a scenario is one `( … )`: remove what follows its closing `)`".into(),
        E::ExceededRecursionLimit => "the file nests `(`/`[` deeper than any scenario does: close them".into(),
        E::Utf8Error(_) => "scenarios are UTF-8 text: convert the file".into(),
        E::NoSuchExtension(_) => {
            "nslab turns on implicit_some and unwrap_variant_newtypes itself: remove the `#![enable(…)]`".into()
        }
        E::InvalidValueForType { expected, .. } => format!("{expected} goes here"),
        E::ExpectedDifferentLength { expected, .. } => format!("{expected} goes here"),
        E::Message(_) => {
            custom.unwrap_or_else(|| format!("give the field a value its command takes on the command line; {readme}"))
        }
        _ => custom.unwrap_or_else(|| readme.to_string()),
    }
}

/// The word of `expected` closest to `found` (at most two edits away, case aside), if any.
pub(crate) fn nearest<'a>(found: &str, expected: &[&'a str]) -> Option<&'a str> {
    if found.len() > 64 {
        return None;
    }
    let lower = found.to_ascii_lowercase();
    expected
        .iter()
        .map(|e| (edits(&lower, &e.to_ascii_lowercase()), *e))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, e)| e)
}

/// Levenshtein distance.
fn edits(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// A scenario file's bytes as text: scenarios are UTF-8, and a file that is not gets an error
/// at its first byte that is not (line and column in characters, as every error counts them).
pub fn decode(file: &str, bytes: Vec<u8>) -> Result<String, ScenarioError> {
    let e = match String::from_utf8(bytes) {
        Ok(text) => return Ok(text),
        Err(e) => e,
    };
    let bytes = e.as_bytes();
    let at = e.utf8_error().valid_up_to();
    let start = bytes[..at].iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
    let end = bytes[at..].iter().position(|&b| b == b'\n').map_or(bytes.len(), |p| at + p);
    let line = bytes[..start].iter().filter(|&&b| b == b'\n').count() + 1;
    // Everything before `at` is valid UTF-8.
    let col = String::from_utf8_lossy(&bytes[start..at]).chars().count() + 1;
    let bad = e.utf8_error().error_len().unwrap_or(bytes.len() - at).min(4);
    let shown: Vec<String> = bytes[at..at + bad].iter().map(|b| format!("0x{b:02x}")).collect();
    let line_text = String::from_utf8_lossy(&bytes[start..end]);
    let span = Span::new(line as u32, col as u32, 1);
    let what = if e.utf8_error().error_len().is_some() { "is not UTF-8" } else { "ends inside a UTF-8 character" };
    Err(ScenarioError::on_line(file, &line_text, span, format!("this file {what}: byte {} here", shown.join(" ")))
        .with_hint(format!(
            "scenarios are UTF-8 text: convert the file (from Latin-1, say: `iconv -f latin1 -t utf-8 {file}`) or remove the byte"
        )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_caret_after_wide_characters_lands_under_its_word() {
        let src = "ip netns add テスト\nip netns exec テスト ip lnk set x up\n";
        let e = ScenarioError::at("w.sh", src, Span::new(2, 22, 3), "Object \"lnk\" is unknown");
        let text = e.to_string();
        let lines: Vec<&str> = text.lines().collect();
        // テスト is three characters and six columns: the caret is three columns further.
        assert_eq!(lines[3], format!("  | {}^^^", " ".repeat(24)));
        let e = ScenarioError::at("w.sh", src, Span::new(2, 15, 3), "Cannot open network namespace");
        assert_eq!(e.to_string().lines().nth(3), Some(format!("  | {}^^^^^^", " ".repeat(14)).as_str()));
    }

    #[test]
    fn renders_file_line_column_and_caret() {
        let src = "ip netns add ns1\nip netns exec ns1 ip link set ns9 up\n";
        let e = ScenarioError::at("lab.sh", src, Span::new(2, 31, 3), "Cannot find device \"ns9\"")
            .with_hint("interfaces in ns1: lo");
        let text = e.to_string();
        assert_eq!(
            text,
            "error: lab.sh:2:31: Cannot find device \"ns9\"\n  |\n2 | ip netns exec ns1 ip link set ns9 up\n  |                               ^^^\n  |\n  = help: interfaces in ns1: lo"
        );
    }

    #[test]
    fn a_megabyte_is_never_echoed() {
        let name = "a".repeat(1 << 20);
        let src = format!("ip netns add ns1\nip netns exec ns1 ip link set {name} up\n");
        let e = ScenarioError::at("lab.sh", &src, Span::new(2, 31, 1 << 20), format!("Cannot find device \"{name}\""))
            .with_hint(format!("interfaces in ns1: lo, {name}"));
        let text = e.to_string();
        assert!(text.len() < 1000, "{text}");
        assert!(text.starts_with("error: lab.sh:2:31: Cannot find device \"aaaa"), "{text}");
        assert!(text.contains(&format!("…aaaaaaa\" ({} characters)", (1 << 20) + 2)), "{text}");
        // The caret still points under the name's start.
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[2].find("ip link set").map(|k| k + 12), lines[3].find('^'), "{text}");
        // A short message is left as it is.
        assert_eq!(clip("Cannot find device \"ns9\""), "Cannot find device \"ns9\"");
        let words = "word ".repeat(1000);
        assert!(clip(&words).chars().count() < LINE_MAX + 40);
    }

    #[test]
    fn several_errors_print_one_after_another() {
        let src = "a\nb\n";
        let errs = vec![
            ScenarioError::at("f.sh", src, Span::new(1, 1, 1), "first"),
            ScenarioError::at("f.sh", src, Span::new(2, 1, 1), "second"),
        ];
        let e = ScenarioError::all(errs).unwrap();
        assert_eq!(e.count(), 2);
        let text = e.to_string();
        assert!(text.starts_with("error: f.sh:1:1: first\n"), "{text}");
        assert!(text.contains("\n\nerror: f.sh:2:1: second\n"), "{text}");
        assert!(text.ends_with("\n\nerror: 2 errors in f.sh"), "{text}");
        assert!(ScenarioError::all(Vec::new()).is_none());
    }

    #[test]
    fn bytes_that_are_not_utf8_are_located() {
        let e = decode("x.sh", b"ip netns add a\nip netns add caf\xe9 b\n".to_vec()).unwrap_err();
        assert_eq!((e.span.line, e.span.col), (2, 17));
        assert!(e.message.contains("not UTF-8: byte 0xe9"), "{e}");
        assert!(e.hint.as_deref().unwrap_or_default().contains("iconv"), "{e}");
        assert!(e.to_string().contains("2 | ip netns add caf\u{fffd} b"), "{e}");
        let e = decode("x.sh", b"sleep 1 \xc3".to_vec()).unwrap_err();
        assert_eq!((e.span.line, e.span.col), (1, 9));
        assert_eq!(decode("x.sh", "ip netns add caf\u{e9}\n".into()).unwrap(), "ip netns add caf\u{e9}\n");
    }
}
