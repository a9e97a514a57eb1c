//! The RON front end: the canonical, typed form of a scenario.
//!
//! `implicit_some` and `unwrap_variant_newtypes` are on, so options are written plainly
//! and `Ping(dest: "…", count: 3)` needs no double parentheses; unknown fields are errors.
//! Because RON values carry no positions after deserialisation, a small scanner finds
//! each step's place in the text (and the string literals in it), so errors found later —
//! by validation or by the machine — still name a line and column.

use crate::command::Scenario;
use crate::error::{ScenarioError, Span};
use ron::extensions::Extensions;

/// Parses a RON scenario. `file` names it in errors.
pub fn parse(file: &str, source: &str) -> Result<Scenario, ScenarioError> {
    let opts =
        ron::Options::default().with_default_extension(Extensions::IMPLICIT_SOME | Extensions::UNWRAP_VARIANT_NEWTYPES);
    let mut sc: Scenario = opts.from_str(source).map_err(|e| {
        let p = e.span.start;
        let span = Span::new(p.line.max(1) as u32, p.col.max(1) as u32, 1);
        let msg = e.code.to_string();
        let hint = crate::error::ron_help(&e.code, ron_hint(&msg));
        ScenarioError::at(file, source, span, msg).with_hint(hint)
    })?;
    let spans = step_spans(source);
    for (i, step) in sc.steps.iter_mut().enumerate() {
        step.text = step.run.to_string();
        if let Some((span, words)) = spans.get(i) {
            step.span = *span;
            step.words = words.as_slice().into();
        }
    }
    // Every step that does not validate, each with a help line.
    let mut errors = Vec::new();
    let mut lines: Vec<&str> = Vec::new();
    for step in &sc.steps {
        if let Err(v) = crate::command::validate::step(step) {
            if lines.is_empty() {
                lines = source.lines().collect();
            }
            let at = v.word.as_deref().map(|w| step.locate(w)).unwrap_or(step.span);
            let program = step.run.program();
            let hint = v
                .hint
                .unwrap_or_else(|| format!("that is {program}'s own complaint; scenarios/README.md has the RON form"));
            let text = lines.get(at.line.saturating_sub(1) as usize).copied().unwrap_or("");
            errors.push(ScenarioError::on_line(file, text, at, v.message).with_hint(hint));
        }
    }
    if let Some(e) = ScenarioError::all(errors) {
        return Err(e);
    }
    if sc.steps.is_empty() {
        return Err(ScenarioError::at(file, source, Span::new(1, 1, 1), "no steps in this scenario")
            .with_hint("a scenario is `(steps: [ (run: NetnsAdd(name: \"ns1\")), … ])`"));
    }
    Ok(sc)
}

fn ron_hint(msg: &str) -> Option<String> {
    if msg.contains("needs a prefix length") {
        Some("RON addresses carry their prefix: write \"192.0.2.1/24\" (or \"/32\" for a host)".into())
    } else if msg.contains("Unexpected missing field") || msg.contains("missing field") {
        Some("see scenarios/README.md for the fields each command takes".into())
    } else if msg.contains("Unexpected field") || msg.contains("unknown field") {
        Some("a typo in a field name? RON scenarios reject fields they do not know".into())
    } else if msg.contains("variant") {
        Some(
            "command names are CamelCase: NetnsAdd, LinkAdd, LinkSet, AddrAdd, RouteAdd, Ping, Tcpdump, Sleep, …"
                .into(),
        )
    } else {
        None
    }
}

/// A position-tracking cursor over the source.
struct Cur<'a> {
    s: &'a [u8],
    i: usize,
    line: u32,
    col: u32,
}

impl Cur<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }
    fn bump(&mut self) {
        if let Some(&b) = self.s.get(self.i) {
            self.i += 1;
            if b == b'\n' {
                self.line += 1;
                self.col = 1;
            } else if b & 0xc0 != 0x80 {
                self.col += 1;
            }
        }
    }
    /// The length in bytes of the Unicode whitespace character at the cursor (U+0085,
    /// U+200E, U+200F, U+2028, U+2029, as RON skips them), or 0.
    fn unicode_space(&self) -> usize {
        let rest = &self.s[self.i..self.s.len().min(self.i + 4)];
        let text = match std::str::from_utf8(rest) {
            Ok(t) => t,
            Err(e) => std::str::from_utf8(&rest[..e.valid_up_to()]).unwrap_or_default(),
        };
        match text.chars().next() {
            Some(ch @ ('\u{85}' | '\u{200e}' | '\u{200f}' | '\u{2028}' | '\u{2029}')) => ch.len_utf8(),
            _ => 0,
        }
    }
    /// Skips whitespace and comments.
    fn skip_trivia(&mut self) {
        loop {
            match (self.peek(), self.s.get(self.i + 1).copied()) {
                (Some(b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c), _) => self.bump(),
                // What else RON takes for whitespace (Unicode's Pattern_White_Space).
                (Some(b), _) if b >= 0x80 && self.unicode_space() > 0 => {
                    for _ in 0..self.unicode_space() {
                        self.bump();
                    }
                }
                (Some(b'/'), Some(b'/')) => {
                    while self.peek().is_some_and(|b| b != b'\n') {
                        self.bump();
                    }
                }
                (Some(b'/'), Some(b'*')) => {
                    self.bump();
                    self.bump();
                    let mut depth = 1;
                    while depth > 0 && self.peek().is_some() {
                        match (self.peek(), self.s.get(self.i + 1).copied()) {
                            (Some(b'*'), Some(b'/')) => {
                                depth -= 1;
                                self.bump();
                                self.bump();
                            }
                            (Some(b'/'), Some(b'*')) => {
                                depth += 1;
                                self.bump();
                                self.bump();
                            }
                            _ => self.bump(),
                        }
                    }
                }
                _ => return,
            }
        }
    }
    /// Reads a string literal at the cursor (`"…"`); returns its contents and span.
    fn string(&mut self) -> (String, Span) {
        let (line, col, start) = (self.line, self.col, self.i);
        self.bump();
        let mut out = String::new();
        while let Some(b) = self.peek() {
            if b == b'"' {
                self.bump();
                break;
            }
            if b == b'\\' {
                self.bump();
                if let Some(e) = self.peek() {
                    out.push(match e {
                        b'n' => '\n',
                        b't' => '\t',
                        other => other as char,
                    });
                    self.bump();
                }
                continue;
            }
            let ch_start = self.i;
            self.bump();
            while self.peek().is_some_and(|b| b & 0xc0 == 0x80) {
                self.bump();
            }
            out.push_str(std::str::from_utf8(&self.s[ch_start..self.i]).unwrap_or(""));
        }
        let len = std::str::from_utf8(&self.s[start..self.i]).map(|t| t.chars().count()).unwrap_or(1) as u32;
        (out, Span::new(line, col, len.max(1)))
    }
}

/// Each line's width in characters (as `str::lines` splits them), counted in one pass:
/// looking a step's line up in the source, step by step, made parsing quadratic in steps.
fn line_widths(source: &str) -> Vec<u32> {
    source.lines().map(|l| l.chars().count() as u32).collect()
}

/// For each element of the top-level `steps: [ … ]` list: its span (the element's first
/// line, from its first character to the end of that line's text) and the string literals
/// in it with their spans.
pub fn step_spans(source: &str) -> Vec<(Span, Vec<(String, Span)>)> {
    let widths = line_widths(source);
    let mut c = Cur { s: source.as_bytes(), i: 0, line: 1, col: 1 };
    let mut depth = 0i32;
    let mut out = Vec::new();
    // Find `steps` at depth 1 followed by `:` and `[`.
    loop {
        c.skip_trivia();
        let Some(b) = c.peek() else { return out };
        match b {
            b'"' => {
                c.string();
            }
            b'(' | b'[' | b'{' => {
                depth += 1;
                c.bump();
            }
            b')' | b']' | b'}' => {
                depth -= 1;
                c.bump();
            }
            _ if depth == 1 && source.as_bytes()[c.i..].starts_with(b"steps") => {
                for _ in 0..5 {
                    c.bump();
                }
                c.skip_trivia();
                if c.peek() != Some(b':') {
                    continue;
                }
                c.bump();
                c.skip_trivia();
                if c.peek() != Some(b'[') {
                    continue;
                }
                c.bump();
                break;
            }
            _ => c.bump(),
        }
    }
    // Walk the elements.
    loop {
        c.skip_trivia();
        match c.peek() {
            None | Some(b']') => return out,
            Some(b',') => {
                c.bump();
                continue;
            }
            _ => {}
        }
        let (line, col) = (c.line, c.col);
        let width = (widths.get(line as usize - 1).copied().unwrap_or(0) + 1).saturating_sub(col);
        let mut words = Vec::new();
        let mut d = 0i32;
        while let Some(b) = c.peek() {
            match b {
                b'"' => words.push(c.string()),
                b'(' | b'[' | b'{' => {
                    d += 1;
                    c.bump();
                }
                b')' | b']' | b'}' if d == 0 => break,
                b')' | b']' | b'}' => {
                    d -= 1;
                    c.bump();
                }
                b',' if d == 0 => break,
                b'/' => {
                    let before = c.i;
                    c.skip_trivia();
                    if c.i == before {
                        c.bump();
                    }
                }
                _ => c.bump(),
            }
        }
        out.push((Span::new(line, col, width.max(1)), words));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::{Command, Expect};

    const E: &str = r#"// a comment with "quotes" and steps: [
(
    description: "demo",
    seed: 3,
    steps: [
        (run: NetnsAdd(name: "ns1")),
        (ns: "ns1", run: LinkSet(dev: "lo", up: true)), /* block */
        (ns: "ns1", run: Ping(dest: "127.0.0.1", count: 1), expect: [Contains(["{} 0% packet loss{}"]), Exit(0)]),
    ],
)
"#;

    #[test]
    fn parses_and_locates_steps() {
        let sc = parse("e.ron", E).unwrap();
        assert_eq!(sc.seed, Some(3));
        assert_eq!(sc.steps.len(), 3);
        assert!(matches!(&sc.steps[2].run, Command::Ping(p) if p.count == Some(1)));
        assert_eq!(sc.steps[2].expect[1], Expect::Exit(0));
        assert_eq!((sc.steps[1].span.line, sc.steps[1].span.col), (7, 9));
        assert_eq!(sc.steps[1].locate("lo"), Span::new(7, 39, 4));
        assert_eq!(sc.steps[0].text, "ip netns add ns1");
    }

    #[test]
    fn forty_thousand_steps_parse_in_one_pass() {
        // Once each step's line was looked up from the top of the file (45 s for these in
        // `nslab check`); the line widths are now counted once.
        let step = "(ns: \"a\", run: LinkSet(dev: \"lo\", up: true))";
        let mut tall = String::from("(steps: [\n    (run: NetnsAdd(name: \"a\")),\n");
        let mut wide = String::from("(steps: [(run: NetnsAdd(name: \"a\"))");
        for _ in 0..40_000 {
            tall.push_str(&format!("    {step},\n"));
            wide.push_str(&format!(", {step}"));
        }
        tall.push_str("])\n");
        wide.push_str("])\n");
        let sc = parse("tall.ron", &tall).unwrap();
        assert_eq!(sc.steps.len(), 40_001);
        assert_eq!(sc.steps[40_000].span, Span::new(40_002, 5, step.len() as u32 + 1));
        assert_eq!(sc.steps[40_000].locate("lo"), Span::new(40_002, 5 + step.find("\"lo\"").unwrap() as u32, 4));
        let sc = parse("wide.ron", &wide).unwrap();
        let col = wide.rfind("(ns:").unwrap() as u32 + 1;
        assert_eq!(sc.steps[40_000].span, Span::new(1, col, wide.len() as u32 - 1 + 1 - col));
    }

    #[test]
    fn errors_have_positions_and_hints() {
        let bad = E.replace("LinkSet(dev: \"lo\", up: true)", "LinkSet(dev: \"lo\", upp: true)");
        let e = parse("e.ron", &bad).unwrap_err();
        assert_eq!(e.span.line, 7);
        assert!(e.hint.is_some(), "{e}");
        let bad = E.replace("(run: NetnsAdd(name: \"ns1\")),", "(run: AddrAdd(addr: \"192.0.2.1\", dev: \"x\")),");
        let e = parse("e.ron", &bad).unwrap_err();
        assert!(e.message.contains("needs a prefix length"), "{e}");
        assert_eq!(e.span.line, 6);
        let bad = E.replace("(dest: \"127.0.0.1\", count: 1)", "(dest: \"127.0.0.1\", count: 1, ttl: 0)");
        let e = parse("e.ron", &bad).unwrap_err();
        assert!(e.message.contains("out of range"), "{e}");
        assert_eq!(e.span.line, 8);
    }
}
