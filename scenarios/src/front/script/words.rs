//! A cursor over a command's words, with the error type the command parsers share.

use crate::error::Span;

/// A parse error at a word.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PErr {
    /// Where.
    pub span: Span,
    /// What went wrong (as the tool would say it, where it has a message).
    pub msg: String,
    /// What would fix it.
    pub hint: Option<String>,
}

impl PErr {
    /// Adds a hint.
    pub fn hint(mut self, h: impl Into<String>) -> Self {
        self.hint = Some(h.into());
        self
    }
}

/// Words of one command, with their spans.
pub struct Words<'a> {
    w: &'a [(String, Span)],
    pos: usize,
}

impl<'a> Words<'a> {
    /// A cursor at `pos`.
    pub fn new(w: &'a [(String, Span)], pos: usize) -> Self {
        Words { w, pos }
    }
    /// Index of the current word.
    pub fn pos(&self) -> usize {
        self.pos
    }
    /// The current word.
    pub fn peek(&self) -> Option<&'a str> {
        self.w.get(self.pos).map(|(s, _)| s.as_str())
    }
    /// Takes the current word.
    pub fn take(&mut self) -> Option<&'a str> {
        let r = self.peek();
        if r.is_some() {
            self.pos += 1;
        }
        r
    }
    /// True when all words are taken.
    pub fn done(&self) -> bool {
        self.pos >= self.w.len()
    }
    /// The rest of the words.
    pub fn rest(&self) -> &'a [(String, Span)] {
        &self.w[self.pos.min(self.w.len())..]
    }
    /// Skips to the end.
    pub fn finish(&mut self) {
        self.pos = self.w.len();
    }
    /// The span of the word at `i`, or just after the last word.
    pub fn span_at(&self, i: usize) -> Span {
        match self.w.get(i) {
            Some((_, s)) => *s,
            None => match self.w.last() {
                Some((_, s)) => Span::new(s.line, s.col + s.len, 1),
                None => Span::new(1, 1, 1),
            },
        }
    }
    /// An error at the current word.
    pub fn err(&self, msg: impl Into<String>) -> PErr {
        PErr { span: self.span_at(self.pos), msg: msg.into(), hint: None }
    }
    /// An error at word `i` (an index [`Words::pos`] gave).
    pub fn err_at(&self, i: usize, msg: impl Into<String>) -> PErr {
        PErr { span: self.span_at(i), msg: msg.into(), hint: None }
    }
    /// An error at the word just taken.
    pub fn err_prev(&self, msg: impl Into<String>) -> PErr {
        PErr { span: self.span_at(self.pos.saturating_sub(1)), msg: msg.into(), hint: None }
    }
    /// Takes the value of option `opt` (the word after it).
    pub fn value(&mut self, opt: &str, what: &str) -> Result<&'a str, PErr> {
        self.take().ok_or_else(|| self.err(format!("`{opt}` needs a value: {what}")))
    }
    /// Takes a value and parses it.
    pub fn parse_value<T: std::str::FromStr>(&mut self, opt: &str, what: &str) -> Result<T, PErr> {
        let v = self.value(opt, what)?;
        v.parse().map_err(|_| self.err_prev(format!("`{v}` is not a valid {what} for `{opt}`")))
    }
}

/// iproute2's `matches()`: `word` is a non-empty prefix of `full`.
pub fn matches(word: &str, full: &str) -> bool {
    !word.is_empty() && full.starts_with(word)
}
