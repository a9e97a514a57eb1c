//! `graph` and `flow`: a scenario's topology as a picture (SVG, dot, Mermaid), from the
//! sim's lab as it stands after a given line of the file or at the end; what crossed its
//! captured interfaces as a ladder (SVG, Mermaid, HTML).
//!
//! It owns the options and where the picture goes; the drawing is the library's
//! (`scenarios::render::graph`, `scenarios::render::flow`).

use super::find;
use super::out;
use super::{Done, Exit, Fail};
use clap::ValueEnum;
use nslab::scenarios::render::flow::Flow;
use nslab::scenarios::render::graph::Topology;
use nslab::scenarios::{self, run::sim};
use std::path::Path;

/// What `graph` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    /// One SVG document, laid out by nslab (no graphviz needed).
    Svg,
    /// Graphviz's `dot` language (`| dot -Tpng`).
    Dot,
    /// A Mermaid flowchart (renders in GitHub's Markdown).
    Mermaid,
}

/// `nslab graph FILE [--at LINE] [--format F] [-o PATH] [--seed N]`.
pub fn graph(arg: &str, at: Option<u32>, format: GraphFormat, output: Option<&Path>, seed: Option<u64>) -> Done {
    let found = find::scenario(arg)?;
    let (name, text) = (&found.name, &found.text);
    let mut sc = scenarios::load(name, text).map_err(|e| Fail::input(e.to_string()))?;
    scenarios::check(name, text, &sc).map_err(|e| Fail::input(e.to_string()))?;
    if let Some(line) = at {
        let first = sc.steps.first().map_or(0, |s| s.span.line);
        let last = sc.steps.last().map_or(0, |s| s.span.line);
        if line < first || line > last {
            return Err(Fail::input(format!(
                "nslab graph: --at {line}: {name} has commands on lines {first} to {last}; \
                 give the line of the command after which to draw the lab"
            )));
        }
        sc.steps.retain(|s| s.span.line <= line);
    }
    let opts = sim::RunOptions { seed, ..Default::default() };
    let run = sim::run(name, text, &sc, &opts).map_err(|e| Fail { code: Exit::Failed, message: e.to_string() })?;
    let t = Topology::of(&run.lab);
    if t.boxes.is_empty() {
        let last = sc.steps.last().map_or(0, |s| s.span.line);
        return Err(Fail::input(format!(
            "nslab graph: nothing to draw: after line {last} of {name} no namespace has an interface but lo \
             (a scenario that cleans up at its end draws nothing there); give --at LINE to draw it before"
        )));
    }
    let picture = match format {
        GraphFormat::Svg => t.svg(),
        GraphFormat::Dot => t.dot(),
        GraphFormat::Mermaid => t.mermaid(),
    };
    write("graph", &picture, output)
}

fn write(cmd: &str, picture: &str, output: Option<&Path>) -> Done {
    match output {
        Some(p) => std::fs::write(p, picture)
            .map_err(|e| Fail { code: Exit::Failed, message: format!("nslab {cmd}: {}: {e}", p.display()) })?,
        None => out::raw(picture),
    }
    Ok(Exit::Ok)
}

/// What `flow` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FlowFormat {
    /// One SVG document.
    Svg,
    /// A Mermaid sequence diagram (renders in GitHub's Markdown).
    Mermaid,
    /// One self-contained HTML page holding the SVG.
    Html,
}

/// `nslab flow FILE [--format F] [-o PATH] [--max N] [--seed N]`.
pub fn flow(arg: &str, format: FlowFormat, output: Option<&Path>, max: usize, seed: Option<u64>) -> Done {
    let found = find::scenario(arg)?;
    let (name, text) = (&found.name, &found.text);
    let sc = scenarios::load(name, text).map_err(|e| Fail::input(e.to_string()))?;
    scenarios::check(name, text, &sc).map_err(|e| Fail::input(e.to_string()))?;
    let opts = sim::RunOptions { seed, ..Default::default() };
    let run = sim::run(name, text, &sc, &opts).map_err(|e| Fail { code: Exit::Failed, message: e.to_string() })?;
    let order = Topology::of(&run.lab).reading_order();
    let f = Flow::of(&run.outcome(), &run.node_names(), &order, max)
        .map_err(|e| Fail::input(format!("nslab flow: {name}: {e}")))?;
    let picture = match format {
        FlowFormat::Svg => f.svg(),
        FlowFormat::Mermaid => f.mermaid(),
        FlowFormat::Html => f.html(name),
    };
    write("flow", &picture, output)
}
