//! Where the command line's words go: results (transcripts, verdicts, reports) to stdout,
//! diagnostics (errors, warnings) to stderr — each in colour on a terminal and plain when
//! piped, with `NO_COLOR` or `--color never` (anstream decides, per stream).
//!
//! A reader that goes away (`nslab all | head -1`) ends the program quietly with status 0,
//! as `yes | head` does. It owns the two streams; it must not decide what is printed.

use anstyle::{AnsiColor, Style};
use std::io::Write;

const PASS: Style = AnsiColor::Green.on_default().bold();
const FAIL: Style = AnsiColor::Red.on_default().bold();
const ERROR: Style = AnsiColor::Red.on_default().bold();
const HELP: Style = AnsiColor::Cyan.on_default();
const REMOVED: Style = AnsiColor::Red.on_default();
const ADDED: Style = AnsiColor::Green.on_default();

/// What a line is, for its colour.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Plain text (a transcript, a report).
    Plain,
    /// A diff's lines: `-` and `+` lines coloured.
    Diff,
}

/// `text` with the words people scan for coloured: a verdict's `PASS`/`FAIL`, `error:`,
/// the caret under an error, `= help:`, and in a diff its `-`/`+` lines.
fn paint(text: &str, kind: Kind) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for line in text.split_inclusive('\n') {
        let (body, nl) = match line.strip_suffix('\n') {
            Some(b) => (b, "\n"),
            None => (line, ""),
        };
        let trimmed = body.trim_start();
        let lead = &body[..body.len() - trimmed.len()];
        let styled = |style: Style, word: &str, rest: &str| format!("{lead}{style}{word}{style:#}{rest}");
        let painted = if let Some(rest) = trimmed.strip_prefix("PASS") {
            styled(PASS, "PASS", rest)
        } else if let Some(rest) = trimmed.strip_prefix("FAIL") {
            styled(FAIL, "FAIL", rest)
        } else if let Some(rest) = trimmed.strip_prefix("ERROR") {
            styled(FAIL, "ERROR", rest)
        } else if let Some(rest) = trimmed.strip_prefix("error:") {
            styled(ERROR, "error:", rest)
        } else if let Some(i) = body.find('^').filter(|_| body.contains("| ") && body.trim_end().ends_with('^')) {
            // The caret line under a snippet: `  |     ^^^`.
            let (head, carets) = body.split_at(i);
            format!("{head}{ERROR}{carets}{ERROR:#}")
        } else if let Some(rest) = trimmed.strip_prefix("= help:") {
            styled(HELP, "= help:", rest)
        } else if kind == Kind::Diff && trimmed.starts_with("-  ") {
            format!("{lead}{REMOVED}{trimmed}{REMOVED:#}")
        } else if kind == Kind::Diff && trimmed.starts_with("+  ") {
            format!("{lead}{ADDED}{trimmed}{ADDED:#}")
        } else if kind == Kind::Diff && (trimmed.starts_with("DIFFER") || trimmed.starts_with("AGREE")) {
            let word = trimmed.split_whitespace().next().unwrap_or_default().trim_end_matches(':');
            let style = if word.starts_with("DIFFER") { FAIL } else { PASS };
            styled(style, word, &trimmed[word.len()..])
        } else {
            body.to_string()
        };
        out.push_str(&painted);
        out.push_str(nl);
    }
    out
}

/// Writes `text` to stdout as it is (a transcript, JSON): no colour added.
pub fn raw(text: &str) {
    write(&mut anstream::stdout(), text);
}

/// Writes `text` to stdout, coloured as `kind` says.
pub fn print(text: &str, kind: Kind) {
    write(&mut anstream::stdout(), &paint(text, kind));
}

/// Writes `text` and a newline to stdout, coloured.
pub fn line(text: &str) {
    print(&format!("{text}\n"), Kind::Plain);
}

/// Writes `text` and a newline to stderr, coloured.
pub fn diag(text: &str) {
    write(&mut anstream::stderr(), &paint(&format!("{text}\n"), Kind::Plain));
}

fn write(w: &mut impl Write, text: &str) {
    if let Err(e) = w.write_all(text.as_bytes()).and_then(|()| w.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            // The reader is gone (`| head`): nothing more to say to anyone.
            std::process::exit(0);
        }
        // stderr may be what failed: there is nowhere left to report it.
        std::process::exit(super::Exit::Failed as i32);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_errors_and_carets_are_painted_and_nothing_else() {
        let text =
            "PASS e01: 3 of 3\nerror: a.sh:2:3: nope\n  |\n2 | ip lnk\n  |    ^^^\n  = help: try ip link\nplain\n";
        let painted = paint(text, Kind::Plain);
        assert!(painted.contains("\u{1b}[1m\u{1b}[32mPASS\u{1b}[0m e01"), "{painted:?}");
        assert!(painted.contains("\u{1b}[1m\u{1b}[31merror:\u{1b}[0m a.sh"), "{painted:?}");
        assert!(painted.contains("  |    \u{1b}[1m\u{1b}[31m^^^\u{1b}[0m\n"), "{painted:?}");
        assert!(painted.ends_with("\nplain\n"));
        // Stripped of its colour, it is the text.
        assert_eq!(anstream::adapter::strip_str(&painted).to_string(), text);
        // A diff report's removed and added lines, and its verdicts.
        let report = "DIFFERS a.sh:3  ip route
        -  10.0.0.0/24 dev a
        +  10.0.0.0/8 dev a
DIFFER: 0 agree
";
        let painted = paint(report, Kind::Diff);
        assert!(painted.contains("        \u{1b}[31m-  10.0.0.0/24 dev a\u{1b}[0m\n"), "{painted:?}");
        assert!(painted.contains("        \u{1b}[32m+  10.0.0.0/8 dev a\u{1b}[0m\n"), "{painted:?}");
        assert!(painted.starts_with("\u{1b}[1m\u{1b}[31mDIFFERS\u{1b}[0m a.sh:3"), "{painted:?}");
        assert_eq!(anstream::adapter::strip_str(&painted).to_string(), report);
    }
}
