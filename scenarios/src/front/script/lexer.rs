//! Splits a shell line into words the way a POSIX shell does for the subset scenarios use:
//! blanks separate words, `'…'` and `"…"` quote, `\` escapes, `#` at the start of a word
//! begins a comment, and `&`, `|`, `;`, `<`, `>` are operators. Every word keeps its span.

use crate::error::Span;

/// A word or an operator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tok {
    /// A word, quotes removed.
    Word(String, Span),
    /// An operator (`&`, `&&`, `|`, `||`, `;`, `<`, `<<<`, `>`, `>>`, `2>` …).
    Op(String, Span),
}

impl Tok {
    /// The token's span.
    pub fn span(&self) -> Span {
        match self {
            Tok::Word(_, s) | Tok::Op(_, s) => *s,
        }
    }
}

/// A lexing problem: where, and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LexError {
    /// Where.
    pub span: Span,
    /// What.
    pub message: String,
}

/// Splits `text` (one logical line; `cols[i]` is the (line, column) of its i-th character)
/// into tokens.
pub fn lex(text: &str, cols: &[(u32, u32)]) -> Result<Vec<Tok>, LexError> {
    let chars: Vec<char> = text.chars().collect();
    let at = |i: usize| cols.get(i).copied().or_else(|| cols.last().map(|&(l, c)| (l, c + 1))).unwrap_or((1, 1));
    let span = |from: usize, to: usize| {
        let (l, c) = at(from);
        let (l2, c2) = at(to.saturating_sub(1).max(from));
        let len = if l2 == l { c2 + 1 - c } else { 1 };
        Span::new(l, c, len.max(1))
    };
    let mut toks = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == ' ' || c == '\t' {
            i += 1;
            continue;
        }
        if c == '#' {
            break;
        }
        if "&|;<>".contains(c) || (c == '2' && chars.get(i + 1) == Some(&'>')) {
            let start = i;
            let mut op = String::new();
            if c == '2' {
                op.push('2');
                i += 1;
            }
            let first = chars[i];
            op.push(first);
            i += 1;
            if first == '<' && chars.get(i..i + 2) == Some(&['<', '<']) {
                // A here-string, `<<< WORD`. (`<<` stays two `<`: the here-document's.)
                op.push_str("<<");
                i += 2;
            } else if i < chars.len() && chars[i] == first && first != ';' && first != '<' {
                op.push(first);
                i += 1;
            }
            toks.push(Tok::Op(op, span(start, i)));
            continue;
        }
        let start = i;
        let mut w = String::new();
        while i < chars.len() {
            let c = chars[i];
            match c {
                ' ' | '\t' | '&' | '|' | ';' | '<' | '>' => break,
                '\'' => {
                    let open = i;
                    i += 1;
                    while i < chars.len() && chars[i] != '\'' {
                        w.push(chars[i]);
                        i += 1;
                    }
                    if i >= chars.len() {
                        return Err(LexError {
                            span: span(open, open + 1),
                            message: "unterminated single quote".into(),
                        });
                    }
                    i += 1;
                }
                '"' => {
                    let open = i;
                    i += 1;
                    while i < chars.len() && chars[i] != '"' {
                        if chars[i] == '\\' && i + 1 < chars.len() && "\"\\$`".contains(chars[i + 1]) {
                            i += 1;
                        } else if chars[i] == '$' || chars[i] == '`' {
                            return Err(LexError {
                                span: span(i, i + 1),
                                message: "not supported yet: shell expansion (`$`, backquotes)".into(),
                            });
                        }
                        w.push(chars[i]);
                        i += 1;
                    }
                    if i >= chars.len() {
                        return Err(LexError {
                            span: span(open, open + 1),
                            message: "unterminated double quote".into(),
                        });
                    }
                    i += 1;
                }
                '\\' => {
                    if i + 1 < chars.len() {
                        w.push(chars[i + 1]);
                    }
                    i += 2;
                }
                '$' | '`' => {
                    return Err(LexError {
                        span: span(i, i + 1),
                        message: "not supported yet: shell expansion (`$`, backquotes)".into(),
                    });
                }
                _ => {
                    w.push(c);
                    i += 1;
                }
            }
        }
        toks.push(Tok::Word(w, span(start, i)));
    }
    Ok(toks)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cols(s: &str) -> Vec<(u32, u32)> {
        (0..s.chars().count()).map(|i| (1, i as u32 + 1)).collect()
    }

    fn words(s: &str) -> Vec<String> {
        lex(s, &cols(s))
            .unwrap()
            .into_iter()
            .map(|t| match t {
                Tok::Word(w, _) => w,
                Tok::Op(o, _) => format!("<{o}>"),
            })
            .collect()
    }

    #[test]
    fn words_quotes_comments_and_operators() {
        assert_eq!(
            words("ip netns exec ns1 ping -c 3 192.0.2.2  # comment"),
            ["ip", "netns", "exec", "ns1", "ping", "-c", "3", "192.0.2.2"]
        );
        assert_eq!(words("tcpdump -i x 'icmp or arp' &"), ["tcpdump", "-i", "x", "icmp or arp", "<&>"]);
        assert_eq!(words(r#"echo "a b" c\ d|x"#), ["echo", "a b", "c d", "<|>", "x"]);
        assert_eq!(words("a && b 2>/dev/null"), ["a", "<&&>", "b", "<2>>", "/dev/null"]);
        assert_eq!(words("a#b"), ["a#b"]);
        assert_eq!(words("nc h 1 <<< 'hi there'"), ["nc", "h", "1", "<<<<>", "hi there"]);
        assert_eq!(words("cat <<EOF"), ["cat", "<<>", "<<>", "EOF"]);
    }

    #[test]
    fn spans_are_columns() {
        let s = "ip link set  ns9 up";
        let t = lex(s, &cols(s)).unwrap();
        assert_eq!(t[3].span(), Span::new(1, 14, 3));
    }

    #[test]
    fn errors_on_open_quotes_and_expansion() {
        assert!(lex("echo 'abc", &cols("echo 'abc")).is_err());
        assert_eq!(lex("echo $HOME", &cols("echo $HOME")).unwrap_err().span, Span::new(1, 6, 1));
    }
}
