//! Scenario errors: every one names the file, line and column, what went wrong, and what
//! would fix it, rendered the way rustc shows a span.

use std::fmt;

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
    pub line_text: String,
    /// What went wrong.
    pub message: String,
    /// What would fix it.
    pub hint: Option<String>,
}

impl ScenarioError {
    /// An error at `span` of `source`.
    pub fn at(file: &str, source: &str, span: Span, message: impl Into<String>) -> Self {
        let line_text = source.lines().nth(span.line.saturating_sub(1) as usize).unwrap_or("").to_string();
        ScenarioError { file: file.to_string(), span, line_text, message: message.into(), hint: None }
    }
    /// Adds a hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
    /// Adds a hint if there is one.
    pub fn with_opt_hint(mut self, hint: Option<String>) -> Self {
        if hint.is_some() {
            self.hint = hint;
        }
        self
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Span { line, col, len } = self.span;
        writeln!(f, "error: {}:{line}:{col}: {}", self.file, self.message)?;
        let num = line.to_string();
        let pad = " ".repeat(num.len());
        writeln!(f, "{pad} |")?;
        writeln!(f, "{num} | {}", self.line_text)?;
        let lead: String = self
            .line_text
            .chars()
            .take(col.saturating_sub(1) as usize)
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        write!(f, "{pad} | {lead}{}", "^".repeat(len.max(1) as usize))?;
        if let Some(h) = &self.hint {
            write!(f, "\n{pad} = help: {h}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ScenarioError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_file_line_column_and_caret() {
        let src = "ip netns add ns1\nip netns exec ns1 ip link set ns9 up\n";
        let e = ScenarioError::at("lab.sh", src, Span::new(2, 31, 3), "Cannot find device \"ns9\"")
            .with_hint("interfaces in ns1: lo");
        let text = e.to_string();
        assert_eq!(
            text,
            "error: lab.sh:2:31: Cannot find device \"ns9\"\n  |\n2 | ip netns exec ns1 ip link set ns9 up\n  |                               ^^^\n  = help: interfaces in ns1: lo"
        );
    }
}
