//! The topology drawn as SVG, laid out here (no graphviz): namespaces in columns by their
//! distance along the veth pairs from one end of the lab (the far end of a breadth-first
//! sweep from the first namespace, so a chain of routers reads left to right, with the
//! first namespace made in the left half), ordered in
//! a column by the rows they connect to in the column before, each box a header (name and
//! roles) over one row per interface; a veth pair is a curve between its two rows, a
//! bridge's ports are indented under it. Text is monospace so widths are known without a
//! font; the same topology gives the same bytes.

use super::{NsBox, Topology};
use crate::render::escape as esc;
use std::collections::VecDeque;
use std::fmt::Write;

const CHAR_W: f64 = 7.2;
const ROW_H: f64 = 18.0;
const HEAD_H: f64 = 22.0;
const ROLE_H: f64 = 15.0;
const PAD: f64 = 8.0;
const COL_GAP: f64 = 90.0;
const BOX_GAP: f64 = 28.0;
const MARGIN: f64 = 16.0;

/// Where a box went.
#[derive(Clone, Copy, Debug, Default)]
struct Place {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
    col: usize,
}

/// A row's text, indented under its bridge.
fn row_label(b: &NsBox, r: usize) -> String {
    let row = &b.rows[r];
    let text = Topology::row_text(row);
    match row.master {
        Some(_) => format!("  └ {text}"),
        None => text,
    }
}

fn box_size(b: &NsBox) -> (f64, f64) {
    let mut chars = b.name.len() + 2;
    for role in &b.roles {
        chars = chars.max(role.chars().count());
    }
    for r in 0..b.rows.len() {
        chars = chars.max(row_label(b, r).chars().count() + if b.rows[r].captured { 3 } else { 0 });
    }
    let rows = b.rows.len().max(1) as f64;
    (chars as f64 * CHAR_W + 2.0 * PAD, HEAD_H + b.roles.len() as f64 * ROLE_H + rows * ROW_H + PAD)
}

/// Breadth-first distances from `start` over `adj`, `usize::MAX` where unreachable.
fn bfs(adj: &[Vec<usize>], start: usize) -> Vec<usize> {
    let mut d = vec![usize::MAX; adj.len()];
    let mut q = VecDeque::from([start]);
    d[start] = 0;
    while let Some(u) = q.pop_front() {
        for &v in &adj[u] {
            if d[v] == usize::MAX {
                d[v] = d[u] + 1;
                q.push_back(v);
            }
        }
    }
    d
}

/// Columns and order: each connected group of namespaces laid out from the far end of a
/// sweep from its first box, groups one under the other.
fn layout(t: &Topology) -> Vec<Place> {
    let n = t.boxes.len();
    let mut adj = vec![Vec::new(); n];
    for w in &t.wires {
        if w.a.0 != w.b.0 {
            adj[w.a.0].push(w.b.0);
            adj[w.b.0].push(w.a.0);
        }
    }
    let mut places = vec![Place::default(); n];
    let mut done = vec![false; n];
    let mut top = MARGIN;
    for first in 0..n {
        if done[first] {
            continue;
        }
        let d0 = bfs(&adj, first);
        let far =
            (0..n).filter(|&i| d0[i] != usize::MAX).max_by_key(|&i| (d0[i], std::cmp::Reverse(i))).unwrap_or(first);
        let mut d = bfs(&adj, far);
        let group: Vec<usize> = (0..n).filter(|&i| d[i] != usize::MAX).collect();
        let cols = group.iter().map(|&i| d[i]).max().unwrap_or(0) + 1;
        // The first namespace made reads on the left half.
        if 2 * d[first] > cols - 1 {
            for &i in &group {
                d[i] = cols - 1 - d[i];
            }
        }
        // Order within a column: by the mean position of neighbours in the column before.
        let mut columns: Vec<Vec<usize>> = vec![Vec::new(); cols];
        for &i in &group {
            columns[d[i]].push(i);
        }
        for c in 1..cols {
            let prev = columns[c - 1].clone();
            let key = |i: usize| {
                let ps: Vec<usize> = adj[i].iter().filter_map(|j| prev.iter().position(|p| p == j)).collect();
                match ps.is_empty() {
                    true => usize::MAX,
                    false => ps.iter().sum::<usize>() * 1000 / ps.len(),
                }
            };
            columns[c].sort_by_key(|&i| (key(i), i));
        }
        let mut x = MARGIN;
        let mut bottom = top;
        for (c, col) in columns.iter().enumerate() {
            let w = col.iter().map(|&i| box_size(&t.boxes[i]).0).fold(0.0, f64::max);
            let mut y = top;
            for &i in col {
                let (_, h) = box_size(&t.boxes[i]);
                places[i] = Place { x, y, w, h, col: c };
                y += h + BOX_GAP;
                done[i] = true;
            }
            bottom = bottom.max(y);
            x += w + COL_GAP;
        }
        top = bottom;
    }
    places
}

/// The y of row `r`'s middle in a box at `p`.
fn row_y(t: &Topology, b: usize, p: &Place, r: usize) -> f64 {
    p.y + HEAD_H + t.boxes[b].roles.len() as f64 * ROLE_H + r as f64 * ROW_H + ROW_H / 2.0 + 2.0
}

impl Topology {
    /// The namespaces as the picture reads, left to right and top to bottom: the order a
    /// ladder's columns take.
    pub fn reading_order(&self) -> Vec<String> {
        let places = layout(self);
        let mut order: Vec<usize> = (0..self.boxes.len()).collect();
        order.sort_by(|&a, &b| {
            (places[a].col, places[a].y).partial_cmp(&(places[b].col, places[b].y)).unwrap_or(std::cmp::Ordering::Equal)
        });
        order.into_iter().map(|i| self.boxes[i].name.clone()).collect()
    }

    /// The picture as one SVG document.
    pub fn svg(&self) -> String {
        let places = layout(self);
        let width = places.iter().map(|p| p.x + p.w).fold(0.0, f64::max) + MARGIN;
        let height = places.iter().map(|p| p.y + p.h).fold(0.0, f64::max) + MARGIN;
        let mut s = String::new();
        let _ = writeln!(
            s,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.0}\" height=\"{height:.0}\" \
             viewBox=\"0 0 {width:.0} {height:.0}\" xml:space=\"preserve\" font-family=\"monospace\" font-size=\"12\">"
        );
        s.push_str("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
        // Wires under the boxes.
        for w in &self.wires {
            let (pa, pb) = (&places[w.a.0], &places[w.b.0]);
            let (ya, yb) = (row_y(self, w.a.0, pa, w.a.1), row_y(self, w.b.0, pb, w.b.1));
            let dash = if w.up { "" } else { " stroke-dasharray=\"5,4\"" };
            let path = if w.a.0 == w.b.0 || pa.col == pb.col {
                // Same column: out of the right side and back.
                let (xa, xb) = (pa.x + pa.w, pb.x + pb.w);
                let bend = xa.max(xb) + 40.0;
                format!("M{xa:.1},{ya:.1} C{bend:.1},{ya:.1} {bend:.1},{yb:.1} {xb:.1},{yb:.1}")
            } else {
                let ((l, yl), (r, yr)) = if pa.col < pb.col { ((pa, ya), (pb, yb)) } else { ((pb, yb), (pa, ya)) };
                let (x1, x2) = (l.x + l.w, r.x);
                let mid = (x1 + x2) / 2.0;
                format!("M{x1:.1},{yl:.1} C{mid:.1},{yl:.1} {mid:.1},{yr:.1} {x2:.1},{yr:.1}")
            };
            let _ = writeln!(s, "<path d=\"{path}\" fill=\"none\" stroke=\"#334155\" stroke-width=\"2\"{dash}/>");
        }
        for (b, (x, p)) in self.boxes.iter().zip(&places).enumerate() {
            let router = x.roles.iter().any(|r| r == "forwarding");
            let nat = x.roles.iter().any(|r| r.starts_with("NAT"));
            let stroke = if nat {
                "#c2410c"
            } else if router {
                "#1d4ed8"
            } else {
                "#64748b"
            };
            let _ = writeln!(s, "<g id=\"ns-{}\">", esc(&x.name));
            let _ = writeln!(
                s,
                "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"6\" fill=\"#f8fafc\" stroke=\"{stroke}\" stroke-width=\"{}\"/>",
                p.x,
                p.y,
                p.w,
                p.h,
                if router || nat { 2.5 } else { 1.5 }
            );
            let _ = writeln!(
                s,
                "<text x=\"{:.1}\" y=\"{:.1}\" font-weight=\"bold\" fill=\"{stroke}\">{}</text>",
                p.x + PAD,
                p.y + 15.0,
                esc(&x.name)
            );
            for (k, role) in x.roles.iter().enumerate() {
                let _ = writeln!(
                    s,
                    "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" fill=\"{stroke}\">{}</text>",
                    p.x + PAD,
                    p.y + HEAD_H + k as f64 * ROLE_H + 9.0,
                    esc(role)
                );
            }
            if x.rows.is_empty() {
                let _ = writeln!(
                    s,
                    "<text x=\"{:.1}\" y=\"{:.1}\" fill=\"#94a3b8\">(only lo)</text>",
                    p.x + PAD,
                    row_y(self, b, p, 0) + 4.0
                );
            }
            for (r, row) in x.rows.iter().enumerate() {
                let y = row_y(self, b, p, r);
                let colour = if row.running { "#0f172a" } else { "#94a3b8" };
                let label = row_label(x, r);
                let _ = writeln!(
                    s,
                    "<text x=\"{:.1}\" y=\"{:.1}\" fill=\"{colour}\">{}</text>",
                    p.x + PAD,
                    y + 4.0,
                    esc(&label)
                );
                if row.captured {
                    let cx = p.x + PAD + (label.chars().count() as f64 + 1.5) * CHAR_W;
                    let _ = writeln!(
                        s,
                        "<circle cx=\"{cx:.1}\" cy=\"{y:.1}\" r=\"4.5\" fill=\"#dc2626\"><title>tcpdump on {}</title></circle>",
                        esc(&row.name)
                    );
                }
            }
            s.push_str("</g>\n");
        }
        s.push_str("</svg>\n");
        s
    }
}
