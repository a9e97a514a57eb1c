//! The ladder drawn as SVG, and as one self-contained HTML page around it: a lifeline per
//! namespace, an arrow per frame at its own row (rows are in time order, evenly spaced, the
//! virtual time at the left), its tcpdump line above it, a NAT's rewrite below it in
//! orange, a drop as a red cross on its namespace's line. Monospace text, so widths need no
//! font metrics and the same ladder gives the same bytes.

use super::{Flow, Item};
use crate::render::escape as esc;
use std::fmt::Write;

const CHAR_W: f64 = 6.6;
const ROW_H: f64 = 40.0;
const HEAD_H: f64 = 44.0;
const TIME_W: f64 = 92.0;
const MARGIN: f64 = 16.0;

impl Flow {
    /// The x of each column's lifeline: wide enough apart for the labels drawn between them.
    fn xs(&self) -> Vec<f64> {
        let n = self.columns.len();
        // Between neighbouring columns, room for the longest label of an arrow that spans
        // only them (longer arrows have more room).
        let mut gap = vec![150.0f64; n.saturating_sub(1)];
        for it in &self.items {
            let (a, b, len) = match it {
                Item::Frame { from, to, text, nat, .. } => {
                    let len = text.chars().count().max(nat.as_deref().map_or(0, |t| t.chars().count()));
                    (*from.min(to), *from.max(to), len)
                }
                Item::Drop { col, text, .. } => (*col, *col + 1, text.chars().count() / 2),
            };
            if b == a + 1 && a < gap.len() {
                gap[a] = gap[a].max((len as f64 * CHAR_W + 24.0).min(640.0));
            }
        }
        let mut xs = Vec::with_capacity(n);
        let mut x = MARGIN + TIME_W + 60.0;
        for i in 0..n {
            xs.push(x);
            x += gap.get(i).copied().unwrap_or(0.0);
        }
        xs
    }

    /// The ladder as one SVG document.
    pub fn svg(&self) -> String {
        let xs = self.xs();
        let last = xs.last().copied().unwrap_or(MARGIN);
        let tail = self.items.iter().map(|i| if let Item::Drop { text, .. } = i { text.chars().count() } else { 0 });
        let width = last + 200.0f64.max(tail.max().unwrap_or(0) as f64 * CHAR_W / 2.0) + MARGIN;
        let rows = self.items.len() + usize::from(self.omitted > 0);
        let height = HEAD_H + rows as f64 * ROW_H + 2.0 * MARGIN;
        let mut s = String::new();
        let _ = writeln!(
            s,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.0}\" height=\"{height:.0}\" viewBox=\"0 0 \
             {width:.0} {height:.0}\" xml:space=\"preserve\" font-family=\"monospace\" font-size=\"11\">"
        );
        s.push_str("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#334155\"/></marker></defs>\n");
        s.push_str("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
        for (c, x) in self.columns.iter().zip(&xs) {
            let _ = writeln!(
                s,
                "<text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"13\" font-weight=\"bold\" fill=\"#0f172a\">{}</text>",
                MARGIN + 14.0,
                esc(c)
            );
            let _ = writeln!(
                s,
                "<line x1=\"{x:.1}\" y1=\"{:.1}\" x2=\"{x:.1}\" y2=\"{:.1}\" stroke=\"#cbd5e1\" stroke-width=\"1.5\"/>",
                MARGIN + 22.0,
                height - MARGIN
            );
        }
        let text = |s: &mut String, x: f64, y: f64, fill: &str, anchor: &str, t: &str| {
            let _ = writeln!(
                s,
                "<text x=\"{x:.1}\" y=\"{y:.1}\" text-anchor=\"{anchor}\" fill=\"{fill}\" stroke=\"#ffffff\" \
                 stroke-width=\"3\" paint-order=\"stroke\">{}</text>",
                esc(t)
            );
        };
        for (k, it) in self.items.iter().enumerate() {
            let y = MARGIN + HEAD_H + k as f64 * ROW_H + ROW_H / 2.0;
            let at = match it {
                Item::Frame { at, .. } | Item::Drop { at, .. } => at,
            };
            text(&mut s, MARGIN, y + 4.0, "#64748b", "start", &format!("{at}"));
            match it {
                Item::Frame { from, to, text: t, nat, .. } => {
                    let (x1, x2) = (xs[*from], xs[*to]);
                    if from == to {
                        let _ = writeln!(
                            s,
                            "<path d=\"M{x1:.1},{:.1} h40 v12 h-38\" fill=\"none\" stroke=\"#334155\" stroke-width=\"1.5\" marker-end=\"url(#arrow)\"/>",
                            y - 6.0
                        );
                        text(&mut s, x1 + 46.0, y - 2.0, "#0f172a", "start", t);
                    } else {
                        let _ = writeln!(
                            s,
                            "<line x1=\"{x1:.1}\" y1=\"{y:.1}\" x2=\"{x2:.1}\" y2=\"{y:.1}\" stroke=\"#334155\" stroke-width=\"1.5\" marker-end=\"url(#arrow)\"/>"
                        );
                        text(&mut s, x1.min(x2) + 6.0, y - 5.0, "#0f172a", "start", t);
                    }
                    if let Some(n) = nat {
                        text(&mut s, x1.min(x2) + 6.0, y + 13.0, "#c2410c", "start", n);
                    }
                }
                Item::Drop { col, text: t, .. } => {
                    let x = xs[*col];
                    let _ = writeln!(
                        s,
                        "<path d=\"M{:.1},{:.1} l10,10 m0,-10 l-10,10\" stroke=\"#dc2626\" stroke-width=\"2.5\"/>",
                        x - 5.0,
                        y - 5.0
                    );
                    text(&mut s, x + 10.0, y + 4.0, "#dc2626", "start", t);
                }
            }
        }
        if self.omitted > 0 {
            let y = MARGIN + HEAD_H + self.items.len() as f64 * ROW_H + ROW_H / 2.0;
            text(&mut s, MARGIN, y, "#64748b", "start", &format!("… {} more not drawn (--max)", self.omitted));
        }
        s.push_str("</svg>\n");
        s
    }

    /// One HTML page holding the ladder: nothing to fetch, open it anywhere.
    pub fn html(&self, title: &str) -> String {
        let frames = self.items.iter().filter(|i| matches!(i, Item::Frame { .. })).count();
        let drops = self.items.len() - frames;
        format!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>nslab flow: {t}</title>\n\
             <style>body{{font-family:sans-serif;margin:1.5em;color:#0f172a}}h1{{font-size:1.2em}}\
             .legend span{{margin-right:1.5em}}.nat{{color:#c2410c}}.drop{{color:#dc2626}}\
             .ladder{{overflow-x:auto;border:1px solid #e2e8f0}}</style>\n</head>\n<body>\n\
             <h1>nslab flow: {t}</h1>\n<p class=\"legend\"><span>{frames} frames, {drops} drops{more}</span>\
             <span>arrow: a frame, with tcpdump's line</span><span class=\"nat\">orange: a NAT's rewrite</span>\
             <span class=\"drop\">✕ red: a drop and why</span></p>\n<div class=\"ladder\">\n{svg}</div>\n</body>\n</html>\n",
            t = esc(title),
            more = if self.omitted > 0 { format!(" ({} more not drawn)", self.omitted) } else { String::new() },
            svg = self.svg(),
        )
    }
}
