//! `nslab diff --html PATH`: the report as one HTML page — per step, the two sides next to
//! each other as they were compared (normalised), lines that differ highlighted, the known
//! differences with their reasons, each side's output as printed a click away; steps that
//! agree folded. Nothing to fetch: the page holds its style.
//!
//! It reads a [`Report`] only.

use super::{Report, Verdict};
use crate::render::escape as esc;
use std::fmt::Write;

const STYLE: &str = "body{font-family:sans-serif;margin:1.5em;color:#0f172a}\
h1{font-size:1.25em}h2{font-size:1em;margin:0}\
section{border:1px solid #e2e8f0;border-radius:6px;margin:0.8em 0;padding:0.6em 0.8em}\
.agree{color:#15803d}.known{color:#a16207}.differs{color:#b91c1c}\
table{border-collapse:collapse;width:100%;font-family:monospace;font-size:12px;margin-top:0.5em}\
td,th{border:1px solid #e2e8f0;padding:1px 6px;vertical-align:top;white-space:pre-wrap;word-break:break-all;width:50%}\
th{background:#f8fafc;text-align:left}\
tr.changed td{background:#fef9c3}tr.only td.a,tr.gone td.b{background:#fee2e2}\
tr.only td.b,tr.gone td.a{background:#f1f5f9}tr.extra td.b{background:#dcfce7}tr.extra td.a{background:#f1f5f9}\
ul.known{margin:0.3em 0;color:#a16207}details{margin-top:0.4em}pre{font-size:12px;margin:0.2em 0}";

impl Report {
    /// The report as one HTML page.
    pub fn html(&self) -> String {
        let (a, b) = (&self.sides.0, &self.sides.1);
        let count = |v: Verdict| self.items.iter().filter(|i| i.verdict == v).count();
        let mut s = String::new();
        let _ = write!(
            s,
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>nslab diff: {f}</title>\n\
             <style>{STYLE}</style>\n</head>\n<body>\n<h1>nslab diff {f}: {a} vs {b} — <span class=\"{c}\">{v}</span></h1>\n\
             <p>{n1} steps agree, {n2} agree with known differences, {n3} differ. Lines are shown as compared: \
             what may differ between the machines (MAC addresses, echo ids, ports, times) is replaced by symbols in \
             order of first appearance.</p>\n",
            f = esc(&self.file),
            a = esc(a),
            b = esc(b),
            c = if self.agrees() { "agree" } else { "differs" },
            v = if self.agrees() { "AGREE" } else { "DIFFER" },
            n1 = count(Verdict::Agree),
            n2 = count(Verdict::Known),
            n3 = count(Verdict::Differs),
        );
        for i in &self.items {
            let (class, word) = match i.verdict {
                Verdict::Agree => ("agree", "agree"),
                Verdict::Known => ("known", "known differences"),
                Verdict::Differs => ("differs", "DIFFERS"),
            };
            let (id, at) = match i.line {
                0 => ("end".to_string(), "(end)".to_string()),
                n => (format!("step-{}", i.step), format!(":{n}")),
            };
            let _ = writeln!(
                s,
                "<section id=\"{id}\">\n<h2><span class=\"{class}\">{word}</span> {}{at} — {}</h2>",
                esc(&self.file),
                esc(&i.title)
            );
            if !i.known.is_empty() {
                s.push_str("<ul class=\"known\">\n");
                for (why, na, nb) in &i.known {
                    let _ = writeln!(
                        s,
                        "<li>known difference ({na} {} / {nb} {} lines): {}</li>",
                        esc(a),
                        esc(b),
                        esc(why)
                    );
                }
                s.push_str("</ul>\n");
            }
            let open = if i.verdict == Verdict::Agree { "" } else { " open" };
            let _ = writeln!(
                s,
                "<details{open}><summary>side by side, as compared</summary>\n<table>\n<tr><th>{}</th><th>{}</th></tr>",
                esc(a),
                esc(b)
            );
            for r in &i.rows {
                let class = match (&r.a, &r.b) {
                    (Some(x), Some(y)) if x == y => "same",
                    (Some(_), Some(_)) => "changed",
                    (Some(_), None) => "only",
                    (None, Some(_)) => "extra",
                    (None, None) => "same",
                };
                let cell = |c: &Option<String>| c.as_deref().map(esc).unwrap_or_default();
                let _ = writeln!(
                    s,
                    "<tr class=\"{class}\"><td class=\"a\">{}</td><td class=\"b\">{}</td></tr>",
                    cell(&r.a),
                    cell(&r.b)
                );
            }
            s.push_str("</table>\n</details>\n");
            for (side, lines) in [(a, &i.printed.0), (b, &i.printed.1)] {
                let _ = writeln!(
                    s,
                    "<details><summary>{} printed ({} lines)</summary><pre>{}</pre></details>",
                    esc(side),
                    lines.len(),
                    esc(&lines.join("\n"))
                );
            }
            s.push_str("</section>\n");
        }
        s.push_str("</body>\n</html>\n");
        s
    }
}

#[cfg(test)]
mod tests {
    use crate::diff::{Side, compare};
    use crate::render::transcript::{Rendered, StepOut};

    fn rendered(outputs: &[&[&str]]) -> Rendered {
        Rendered {
            lines: Vec::new(),
            steps: outputs
                .iter()
                .map(|o| StepOut { output: o.iter().map(|l| l.to_string()).collect(), exit: Some(0) })
                .collect(),
        }
    }

    /// A step that differs is open, its differing line marked; a known difference gives its
    /// reason; a step that agrees is folded; text is escaped.
    #[test]
    fn the_page_shows_the_sides_next_to_each_other() {
        let text = "ip netns add a\nip netns exec a ip link show\n#! differs: extra <line> -- the kernel's own\n\
                    ip netns exec a ip route\n";
        let sc = crate::load("t.sh", text).expect("parses");
        let a = rendered(&[&[], &["1: lo: x", "same"], &["10.0.0.0/24 dev a"]]);
        let b = rendered(&[&[], &["1: lo: x", "extra <line>", "same"], &["10.9.0.0/24 dev a"]]);
        let report = compare("t.sh", &sc, Side { name: "sim", rendered: &a }, Side { name: "kernel", rendered: &b });
        let html = report.html();
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(
            html.contains("<h1>nslab diff t.sh: sim vs kernel — <span class=\"differs\">DIFFER</span></h1>"),
            "{html}"
        );
        assert!(html.contains("<li>known difference (0 sim / 1 kernel lines): the kernel's own</li>"), "{html}");
        assert!(html.contains("<tr class=\"changed\"><td class=\"a\">10.0.0.0/24 dev a</td><td class=\"b\">10.9.0.0/24 dev a</td></tr>"), "{html}");
        assert!(
            html.contains("<pre>1: lo: x\nextra &lt;line&gt;\nsame</pre>"),
            "what the kernel printed, escaped: {html}"
        );
        assert!(!html.contains("<script") && !html.contains("<link"), "self-contained");
    }

    /// Lines of no step (the drop counters) come last, named as the end of the run.
    #[test]
    fn lines_of_the_whole_run_come_last() {
        let sc = crate::load("t.sh", "ip netns add a\n").expect("parses");
        let r = rendered(&[&[]]);
        let mut report =
            compare("t.sh", &sc, Side { name: "sim", rendered: &r }, Side { name: "kernel", rendered: &r });
        let (a, b) = (
            vec!["a: Udp NoPorts 3 (no socket on the port)".to_string()],
            vec!["a: Udp NoPorts 2 (no socket on the port)".to_string()],
        );
        report.add_lines("drop counters", &a, &b);
        assert!(!report.agrees());
        assert!(report.text().contains("DIFFERS t.sh (end)  drop counters\n"), "{}", report.text());
        assert!(report.html().contains("<section id=\"end\">"), "{}", report.html());
    }
}
