//! Renders a run's trace into what a user reads: the transcript (commands, their output,
//! each capture's tcpdump lines, in virtual-time order), each step's output for the
//! expectations, JSON lines, and pcapng files.

use crate::command::Step;
use serde::Serialize;
use sim_core::tcpdump::{Formatter, Options};
use sim_core::{CaptureId, Instant, NsName, Record};
use sim_nodes::Lab;
use std::collections::BTreeMap;
use std::fmt;

/// What a transcript line is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A command typed at a prompt.
    Command,
    /// A line a command or process printed.
    Output,
    /// A frame, as tcpdump printed it.
    Frame,
}

/// One transcript line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Line {
    /// When.
    pub at: Instant,
    /// What.
    pub kind: Kind,
    /// The background job it came from (`tcpdump[ns1/ns1-veth0]`), if any.
    pub tag: Option<String>,
    /// The text.
    pub text: String,
    /// The step it belongs to.
    pub step: usize,
}

impl fmt::Display for Line {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{:>8}] ", self.at.to_string())?;
        if let Some(t) = &self.tag {
            write!(f, "{t} ")?;
        }
        f.write_str(&self.text)
    }
}

/// A step's output and exit status.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StepOut {
    /// Lines printed (stdout and stderr, as a terminal interleaves them).
    pub output: Vec<String>,
    /// Exit status, once it has one.
    pub exit: Option<i32>,
}

/// Everything rendered from one run.
#[derive(Clone, Debug, Default)]
pub struct Rendered {
    /// The transcript.
    pub lines: Vec<Line>,
    /// Per step.
    pub steps: Vec<StepOut>,
}

fn tag(step: &Step) -> String {
    let ns = step.ns.as_deref().unwrap_or("root");
    match &step.run {
        crate::Command::Tcpdump(t) => format!("tcpdump[{ns}/{}]", t.iface),
        c => format!("{}[{ns}]", c.program()),
    }
}

/// Renders a trace (the sim's, or the kernel back end's: the same records).
pub fn render(records: &[Record], attr: &Attribution, steps: &[Step], exits: &BTreeMap<usize, i32>) -> Rendered {
    let mut out = Rendered { lines: Vec::new(), steps: vec![StepOut::default(); steps.len()] };
    let mut fmts: BTreeMap<CaptureId, Formatter> = BTreeMap::new();
    let mut commands = 0usize;
    for r in records {
        match r {
            Record::Command { at, prompt, line } => {
                let step = commands.min(steps.len().saturating_sub(1));
                commands += 1;
                out.lines.push(Line {
                    at: *at,
                    kind: Kind::Command,
                    tag: None,
                    text: format!("{prompt}# {line}"),
                    step,
                });
            }
            Record::Output { at, ns, pid, line, .. } => {
                let (step, tag) = if *pid == 0 {
                    (commands.saturating_sub(1), None)
                } else {
                    match attr.procs.get(&(ns.clone(), *pid)) {
                        Some(&s) => (s, steps[s].background.then(|| tag(&steps[s]))),
                        None => continue,
                    }
                };
                if steps.get(step).and_then(|s| s.grep.as_ref()).is_some_and(|g| !g.keeps(line)) {
                    continue;
                }
                out.steps[step].output.push(line.clone());
                out.lines.push(Line { at: *at, kind: Kind::Output, tag, text: line.clone(), step });
            }
            Record::Frame { at, capture, bytes, cooked, .. } => {
                let Some(&(step, opts, writes)) = attr.captures.get(capture) else { continue };
                if writes {
                    continue;
                }
                let fmt = fmts.entry(*capture).or_insert_with(|| Formatter::new(opts));
                let text = fmt.line_of(at.as_nanos(), bytes, cooked.as_deref());
                // `-v` prints a frame on several lines; `| grep` sees each.
                for piece in text.split('\n') {
                    if steps[step].grep.as_ref().is_some_and(|g| !g.keeps(piece)) {
                        continue;
                    }
                    out.steps[step].output.push(piece.to_string());
                    let text = piece.to_string();
                    out.lines.push(Line { at: *at, kind: Kind::Frame, tag: Some(tag(&steps[step])), text, step });
                }
            }
            Record::Exit { ns, pid, status, .. } => {
                if let Some(&s) = attr.procs.get(&(ns.clone(), *pid)) {
                    out.steps[s].exit = Some(*status);
                }
            }
            Record::Drop { .. } | Record::Event { .. } => {}
        }
    }
    for (i, e) in exits {
        if let Some(s) = out.steps.get_mut(*i) {
            s.exit.get_or_insert(*e);
        }
    }
    out
}

/// The transcript as text, one line each.
pub fn text(r: &Rendered) -> String {
    let mut s = String::new();
    for l in &r.lines {
        s.push_str(&l.to_string());
        s.push('\n');
    }
    s
}

/// The transcript as JSON lines.
pub fn json(r: &Rendered) -> String {
    let mut s = String::new();
    for l in &r.lines {
        s.push_str(&serde_json::to_string(l).unwrap_or_default());
        s.push('\n');
    }
    s
}

/// A capture as pcapng names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaptureName {
    /// The capture.
    pub id: CaptureId,
    /// `namespace/interface` (`root/…` for the root namespace).
    pub name: String,
    /// The tcpdump filter, if any.
    pub filter: Option<String>,
    /// The namespace at the other end of the captured veth (`root` for the root's), where
    /// the back end knows it: what `nslab flow` draws a frame's arrow to.
    pub peer: Option<String>,
    /// A capture of `any` (Linux cooked frames in a file).
    pub cooked: bool,
}

/// The captures of a sim run, named (see [`unique_names`]).
pub fn captures_of(lab: &Lab) -> Vec<CaptureName> {
    let mut caps: Vec<CaptureName> = lab
        .captures()
        .iter()
        .map(|c| CaptureName {
            id: c.id,
            name: format!("{}/{}", c.netns.as_deref().unwrap_or("root"), c.iface),
            filter: (!c.filter_text.is_empty()).then(|| c.filter_text.clone()),
            peer: c.peer.as_ref().map(|p| p.as_deref().unwrap_or("root").to_string()),
            cooked: c.iface == "any",
        })
        .collect();
    unique_names(&mut caps);
    caps
}

/// Makes capture names unique, as a pcapng reader lists interfaces: the second capture of
/// `root/ens4` becomes `root/ens4#2`, the third `root/ens4#3`.
pub fn unique_names(caps: &mut [CaptureName]) {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for c in caps.iter_mut() {
        let n = seen.entry(c.name.clone()).or_insert(0);
        *n += 1;
        if *n > 1 {
            c.name = format!("{}#{n}", c.name);
        }
    }
}

/// The sim's time zero in ns since 1970 (`sim_nodes::clock::EPOCH`): a capture's
/// timestamps read as the transcript's clock and the tools' dates do.
pub const SIM_EPOCH_NS: u64 = sim_nodes::clock::EPOCH * 1_000_000_000;

/// A pcapng of the captures in `which` (all when `None`): one interface block per
/// capture, named `namespace/interface`; `epoch` (ns since 1970) is the run's time zero
/// ([`SIM_EPOCH_NS`] for the sim).
pub fn pcapng(
    captures: &[CaptureName],
    records: &[Record],
    which: Option<CaptureId>,
    epoch: u64,
) -> Result<Vec<u8>, sim_core::pcapng::PcapngError> {
    let caps: Vec<_> = captures.iter().filter(|c| which.is_none_or(|w| w == c.id)).collect();
    let index: BTreeMap<CaptureId, u32> = caps.iter().enumerate().map(|(i, c)| (c.id, i as u32)).collect();
    let ifs: Vec<sim_core::pcapng::Interface> = caps
        .iter()
        .map(|c| sim_core::pcapng::Interface { name: c.name.clone(), filter: c.filter.clone(), cooked: c.cooked })
        .collect();
    let frames: Vec<_> = records
        .iter()
        .filter_map(|r| match r {
            Record::Frame { at, capture, dir, bytes, cooked } => {
                index.get(capture).map(|&interface| (interface, *at, *dir, file_bytes(bytes, cooked.as_deref())))
            }
            _ => None,
        })
        .collect();
    let packets = frames.iter().map(|(interface, at, dir, bytes)| sim_core::pcapng::Packet {
        interface: *interface,
        at: *at,
        dir: *dir,
        bytes,
    });
    sim_core::pcapng::write(&ifs, packets, epoch)
}

/// A frame as a capture file holds it: as seen, or as libpcap made it on `any`.
fn file_bytes<'a>(bytes: &'a [u8], cooked: Option<&sim_core::Cooked>) -> std::borrow::Cow<'a, [u8]> {
    match cooked {
        Some(c) => std::borrow::Cow::Owned(c.sll2(bytes)),
        None => std::borrow::Cow::Borrowed(bytes),
    }
}

/// The classic pcap file `tcpdump -w FILE` writes, of capture `which` (`cooked`: of `any`).
pub fn pcap(
    records: &[Record],
    which: CaptureId,
    cooked: bool,
    epoch: u64,
) -> Result<Vec<u8>, sim_core::pcapng::PcapngError> {
    let frames: Vec<_> = records
        .iter()
        .filter_map(|r| match r {
            Record::Frame { at, capture, dir, bytes, cooked } if *capture == which => {
                Some((*at, *dir, file_bytes(bytes, cooked.as_deref())))
            }
            _ => None,
        })
        .collect();
    let packets =
        frames.iter().map(|(at, dir, bytes)| sim_core::pcapng::Packet { interface: 0, at: *at, dir: *dir, bytes });
    sim_core::pcapng::write_pcap(packets, cooked, epoch)
}

/// How a step's process or capture is identified in the trace.
#[derive(Clone, Debug, Default)]
pub struct Attribution {
    /// `(namespace, pid)` → step; the namespace by its name, empty for the root.
    pub procs: BTreeMap<(NsName, u32), usize>,
    /// capture → (step, tcpdump print options, writes a file).
    pub captures: BTreeMap<CaptureId, (usize, Options, bool)>,
}

/// An expectation that did not hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// The step.
    pub step: usize,
    /// `file:line:col`.
    pub place: String,
    /// The command line.
    pub command: String,
    /// What failed.
    pub mismatch: crate::render::expect::Mismatch,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FAIL {} `{}`: {}", self.place, self.command, self.mismatch.message)?;
        if let Some(e) = &self.mismatch.expected {
            write!(f, "\n  expected: {e}")?;
        }
        if let Some(a) = &self.mismatch.actual {
            write!(f, "\n  actual:   {a}")?;
        }
        Ok(())
    }
}

/// Checks every step's expectations against what a run (of either back end) rendered.
pub fn failures(file: &str, steps: &[Step], rendered: &Rendered) -> Vec<Failure> {
    let mut out = Vec::new();
    for (i, s) in steps.iter().enumerate() {
        let o = &rendered.steps[i];
        for x in &s.expect {
            if let Err(m) = crate::render::expect::check(x, &o.output, o.exit) {
                out.push(Failure {
                    step: i,
                    place: format!("{file}:{}:{}", s.span.line, s.span.col),
                    command: s.text.clone(),
                    mismatch: m,
                });
            }
        }
    }
    out
}

/// What a run produced, on either back end: what the command line prints and writes.
pub struct Outcome {
    /// The steps, as run.
    pub steps: Vec<Step>,
    /// The trace.
    pub records: Vec<Record>,
    /// Which step every process and capture belongs to.
    pub attribution: Attribution,
    /// The captures, named.
    pub captures: Vec<CaptureName>,
    /// Everything rendered from the trace.
    pub rendered: Rendered,
    /// How it ran, for the verdict line: `(seed 1, 3.000 s virtual)`, `on the kernel (4.2 s)`.
    pub how: String,
    /// Its time zero in ns since 1970: [`SIM_EPOCH_NS`], or when a kernel run began.
    pub epoch: u64,
    /// Every drop, counted by node, port and reason, recorded one by one or not (the sim's;
    /// empty on the kernel).
    pub drop_counts: BTreeMap<sim_core::trace::DropKey, u64>,
    /// Each namespace's drop counters at the end, as the kernel keeps them (see
    /// [`super::counters`]): a kernel run's when it was asked to collect them, else empty.
    pub drop_counters: Vec<String>,
}

impl Outcome {
    /// Checks every step's expectations.
    pub fn failures(&self, file: &str) -> Vec<Failure> {
        failures(file, &self.steps, &self.rendered)
    }
}
