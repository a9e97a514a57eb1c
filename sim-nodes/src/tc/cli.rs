//! The `tc` command line, as iproute2 6.1's `tc/tc.c`, `tc_qdisc.c`, `tc_class.c` and
//! `tc_filter.c` read it: global options, the object (`qdisc`, `class`, `filter`), the
//! command (`add|change|replace|del|show`, prefixes allowed), `dev`, `root`/`parent`,
//! `handle`/`classid`, `protocol`/`prio`, then the kind and its own words
//! ([`super::netem::parse`], [`super::tbf::parse`], [`super::htb::parse_qdisc`],
//! [`super::htb::parse_class`], [`super::u32::parse`]). Errors carry tc's own text and exit
//! status (1 for bad options, 255 for an incomplete or malformed line).

use super::estimator::{self, EstOpts};
use super::htb::{self, ClassOpts, HtbOpts};
use super::netem::{self, NetemOpts};
use super::tbf::{self, TbfOpts};
use super::u32::{self, Proto, U32};

/// What tc prints when a keyword's value is missing.
pub const INCOMPLETE: &str = "Command line is not complete. Try option \"help\"";

/// iproute2's `matches`: `word` is a non-empty prefix of `keyword`.
pub fn matches(word: &str, keyword: &str) -> bool {
    !word.is_empty() && keyword.starts_with(word)
}

/// Why `tc` refuses a command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TcError {
    /// What it prints on stderr (all lines).
    pub message: String,
    /// Its exit status.
    pub status: i32,
    /// The word to point at.
    pub word: Option<String>,
}

impl TcError {
    pub(crate) fn new(message: impl Into<String>, status: i32, word: Option<&str>) -> Self {
        TcError { message: message.into(), status, word: word.map(str::to_string) }
    }

    /// The kernel's answer (`Error: …` from its extack), exit status 2.
    pub fn kernel(message: impl Into<String>) -> Self {
        TcError { message: message.into(), status: 2, word: None }
    }
}

/// The global options that change what `show` prints.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Flags {
    /// `-s`: counters.
    pub stats: bool,
    /// `-j`: JSON (`tc qdisc show` and `tc filter show`; tc 6.1 prints classes as text).
    pub json: bool,
    /// `-p`: the JSON indented.
    pub pretty: bool,
    /// `-d`: details (each bucket's cell and MPU, the link layer, htb's version, level
    /// and quantum).
    pub details: bool,
    /// `-r`: raw values (handles and buckets in hex, as the kernel holds them).
    pub raw: bool,
}

impl Flags {
    /// A JSON writer, under `-j`.
    pub fn json_writer(&self) -> Option<crate::show::json::JsonWriter> {
        self.json.then(|| crate::show::json::JsonWriter::new(self.pretty))
    }
}

/// `add`, `change`, `replace`, `del`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// `add` (create, exclusive).
    Add,
    /// `change` (modify in place).
    Change,
    /// `replace` (create or replace).
    Replace,
    /// `del`.
    Del,
}

/// A qdisc kind with its options.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KindOpts {
    /// `netem …`.
    Netem(Box<NetemOpts>),
    /// `tbf …`.
    Tbf(TbfOpts),
    /// `htb …`.
    Htb(HtbOpts),
}

impl KindOpts {
    /// The kind's name.
    pub fn name(&self) -> &'static str {
        match self {
            KindOpts::Netem(_) => "netem",
            KindOpts::Tbf(_) => "tbf",
            KindOpts::Htb(_) => "htb",
        }
    }
}

/// One `tc` command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TcCmd {
    /// `tc [-s] qdisc show [dev DEV]`.
    QdiscShow {
        /// `dev`.
        dev: Option<String>,
        /// Global options.
        flags: Flags,
    },
    /// `tc qdisc add|change|replace|del dev DEV [root] [handle H:] [KIND OPTS]`.
    Qdisc {
        /// What to do.
        op: Op,
        /// `dev`.
        dev: String,
        /// `root` (or `parent root`).
        root: bool,
        /// `parent X:Y`: the class the qdisc hangs from (neither `root` nor `parent`: the
        /// qdisc is named by its handle alone).
        parent: Option<u32>,
        /// `handle` (the major number; `none` and `0:` are none).
        handle: Option<u16>,
        /// The kind and its options (`del` may leave it out).
        kind: Option<KindOpts>,
        /// The kind as typed (for `del`, any name: the kernel compares it).
        kind_name: Option<String>,
        /// `est INTERVAL TIME-CONST`: a rate estimator.
        est: Option<EstOpts>,
    },
    /// `tc [-s] class show dev DEV [classid C]`.
    ClassShow {
        /// `dev` (none: tc shows nothing).
        dev: Option<String>,
        /// `classid`.
        classid: Option<u32>,
        /// Global options.
        flags: Flags,
    },
    /// `tc class add|change|replace|del dev DEV parent P classid C [htb OPTS]`.
    Class {
        /// What to do.
        op: Op,
        /// `dev`.
        dev: String,
        /// `parent` (`root`: none).
        parent: Option<u32>,
        /// `classid`.
        classid: Option<u32>,
        /// htb's options (`del` has none).
        opts: Option<ClassOpts>,
        /// `est INTERVAL TIME-CONST`: a rate estimator.
        est: Option<EstOpts>,
    },
    /// `tc filter show dev DEV [parent P]`.
    FilterShow {
        /// `dev` (none: tc shows nothing).
        dev: Option<String>,
        /// `parent`.
        parent: Option<u32>,
        /// `-j`, `-p`.
        flags: Flags,
    },
    /// `tc filter add|del dev DEV [parent P] [protocol ip|all] [prio N] [u32 …]`.
    Filter {
        /// `add` (`change`/`replace` are refused) or `del`.
        op: Op,
        /// `dev`.
        dev: String,
        /// `parent` (none: the root qdisc).
        parent: Option<u32>,
        /// `protocol`.
        proto: Proto,
        /// `prio`/`pref` (none: the kernel picks one).
        prio: Option<u32>,
        /// The u32 filter (`del` has none).
        filter: Option<U32>,
    },
}

/// Kinds the kernel has that nslab does not model.
const OTHER_KINDS: &[&str] = &[
    "pfifo",
    "bfifo",
    "pfifo_fast",
    "pfifo_head_drop",
    "fq_codel",
    "fq",
    "fq_pie",
    "sfq",
    "prio",
    "cake",
    "red",
    "codel",
    "pie",
    "hfsc",
    "drr",
    "qfq",
    "ets",
    "choke",
    "gred",
    "skbprio",
    "taprio",
    "mqprio",
    "multiq",
    "mq",
    "plug",
    "hhf",
    "cbs",
    "etf",
    "ingress",
    "clsact",
    "noqueue",
];

/// Reads `tc ARGS`.
pub fn parse<S: AsRef<str>>(args: &[S]) -> Result<TcCmd, TcError> {
    let args: Vec<&str> = args.iter().map(AsRef::as_ref).collect();
    let mut flags = Flags::default();
    let mut i = 0;
    while let Some(&o) = args.get(i).filter(|a| a.starts_with('-')) {
        let o = o.strip_prefix("--").map_or(o, |r| &o[o.len() - r.len() - 1..]);
        if matches(o, "-stats") || matches(o, "-statistics") {
            flags.stats = true;
        } else if matches(o, "-pretty") {
            flags.pretty = true;
        } else if matches(o, "-json") {
            flags.json = true;
        } else if matches(o, "-details") {
            flags.details = true;
        } else if matches(o, "-raw") {
            flags.raw = true;
        } else if ["-iec", "-color", "-batch", "-force"].iter().any(|k| matches(o, k)) {
            return Err(TcError::new(format!("not supported yet: tc {o}"), 1, Some(args[i])));
        } else {
            return Err(TcError::new(
                format!("Option \"{}\" is unknown, try \"tc -help\".", args[i]),
                255,
                Some(args[i]),
            ));
        }
        i += 1;
    }
    if flags.json && (flags.details || flags.raw) {
        let o = if flags.details { "-d" } else { "-r" };
        return Err(TcError::new(format!("not supported yet: tc -j with {o}"), 1, None));
    }
    let Some(&obj) = args.get(i) else {
        return Err(TcError::new(
            "tc needs an object: `tc qdisc show`, `tc qdisc add dev DEV root netem …`",
            255,
            None,
        ));
    };
    if matches(obj, "qdisc") {
        return qdisc(&args[i + 1..], flags);
    }
    if matches(obj, "class") {
        return class(&args[i + 1..], flags);
    }
    if matches(obj, "filter") {
        return filter(&args[i + 1..], flags);
    }
    if matches(obj, "chain") || matches(obj, "actions") || matches(obj, "monitor") {
        return Err(TcError::new(format!("not supported yet: tc {obj}"), 1, Some(obj)));
    }
    Err(TcError::new(format!("Object \"{obj}\" is unknown, try \"tc help\"."), 255, Some(obj)))
}

fn qdisc(args: &[&str], flags: Flags) -> Result<TcCmd, TcError> {
    let Some(&cmd) = args.first() else { return Ok(TcCmd::QdiscShow { dev: None, flags }) };
    // `do_qdisc`'s order decides what a prefix means (`l` is `link`).
    let op = if matches(cmd, "add") {
        Op::Add
    } else if matches(cmd, "change") {
        Op::Change
    } else if matches(cmd, "replace") {
        Op::Replace
    } else if matches(cmd, "link") {
        return Err(TcError::new("not supported yet: tc qdisc link", 1, Some(cmd)));
    } else if matches(cmd, "delete") {
        Op::Del
    } else if matches(cmd, "list") || matches(cmd, "show") || matches(cmd, "lst") {
        return show(&args[1..], flags);
    } else {
        return Err(TcError::new(format!("Command \"{cmd}\" is unknown, try \"tc qdisc help\"."), 255, Some(cmd)));
    };
    let mut dev: Option<&str> = None;
    let mut root = false;
    let mut parent: Option<u32> = None;
    let mut handle: Option<Option<u16>> = None;
    let mut i = 1;
    let mut kind = None;
    let mut est = None;
    while i < args.len() {
        let a = args[i];
        let value = |i: usize| args.get(i + 1).copied().ok_or_else(|| TcError::new(INCOMPLETE, 255, Some(a)));
        if matches(a, "estimator") {
            est = Some(estimator(args, i, est)?);
            i += 3;
            continue;
        }
        match a {
            "dev" => {
                let v = value(i)?;
                if let Some(d) = dev {
                    return Err(TcError::new(
                        format!("Error: duplicate \"dev\": \"{v}\" is the second value."),
                        255,
                        Some(d),
                    ));
                }
                dev = Some(v);
                i += 1;
            }
            "handle" => {
                let v = value(i)?;
                if handle.is_some() {
                    return Err(TcError::new(
                        format!("Error: duplicate \"handle\": \"{v}\" is the second value."),
                        255,
                        Some(v),
                    ));
                }
                let h = qdisc_handle(v).ok_or_else(|| {
                    TcError::new(format!("Error: argument \"{v}\" is wrong: invalid qdisc ID"), 255, Some(v))
                })?;
                // `handle none` and `0:` are no handle: the kernel picks one.
                handle = Some((h != 0).then_some(h));
                i += 1;
            }
            "root" => {
                if root || parent.is_some() {
                    return Err(TcError::new("Error: \"root\" is duplicate parent ID", 255, Some(a)));
                }
                root = true;
            }
            "parent" => {
                let v = value(i)?;
                if root || parent.is_some() {
                    return Err(TcError::new(
                        format!("Error: duplicate \"parent\": \"{v}\" is the second value."),
                        255,
                        Some(v),
                    ));
                }
                match classid_value(args, i, "parent")? {
                    0xffff_ffff => root = true,
                    0 => {}
                    p => parent = Some(p),
                }
                i += 1;
            }
            "ingress" | "clsact" | "stab" | "ingress_block" | "egress_block" => {
                return Err(TcError::new(
                    format!("not supported yet: tc qdisc … {a} (nslab models a device's transmit side)"),
                    1,
                    Some(a),
                ));
            }
            _ => {
                kind = Some((a, &args[i + 1..]));
                break;
            }
        }
        i += 1;
    }
    // tc reads the kind's words before it asks the kernel anything.
    let kind_name = kind.map(|(k, _)| k.to_string());
    let kind = match kind {
        None => None,
        Some((k, rest)) => {
            let bad = |(m, s): (String, i32)| TcError::new(m, s, Some(k));
            Some(match k {
                "netem" => KindOpts::Netem(Box::new(netem::parse(rest).map_err(bad)?)),
                "tbf" => KindOpts::Tbf(tbf::parse(rest).map_err(bad)?),
                "htb" => KindOpts::Htb(htb::parse_qdisc(rest).map_err(bad)?),
                // `del` only names the kind: the kernel compares it with the qdisc there.
                _ if op == Op::Del => {
                    if !rest.is_empty() && !OTHER_KINDS.contains(&k) {
                        return Err(TcError::new(
                            format!("Unknown qdisc \"{k}\", hence option \"{}\" is unparsable", rest[0]),
                            1,
                            Some(k),
                        ));
                    }
                    return Ok(TcCmd::Qdisc {
                        op,
                        dev: dev.ok_or_else(|| TcError::new("RTNETLINK answers: No such device", 2, None))?.to_string(),
                        root,
                        parent,
                        handle: handle.flatten(),
                        kind: None,
                        kind_name,
                        est,
                    });
                }
                k if OTHER_KINDS.contains(&k) => {
                    return Err(TcError::new(
                        format!("not supported yet: tc qdisc {k} (nslab models netem, tbf and htb)"),
                        1,
                        Some(k),
                    ));
                }
                k if !rest.is_empty() => {
                    return Err(TcError::new(
                        format!("Unknown qdisc \"{k}\", hence option \"{}\" is unparsable", rest[0]),
                        1,
                        Some(k),
                    ));
                }
                k => return Err(TcError::new("Error: Specified qdisc kind is unknown.", 2, Some(k))),
            })
        }
    };
    let dev = dev.ok_or_else(|| TcError::new("RTNETLINK answers: No such device", 2, None))?.to_string();
    if kind.is_none() && op != Op::Del && (root || parent.is_some()) {
        return Err(TcError::new("Error: Specified qdisc kind is unknown.", 2, None));
    }
    Ok(TcCmd::Qdisc { op, dev, root, parent, handle: handle.flatten(), kind, kind_name, est })
}

/// `parse_estimator` at `args[i]` (`est`), refusing a second one as tc does.
fn estimator(args: &[&str], i: usize, had: Option<EstOpts>) -> Result<EstOpts, TcError> {
    let (interval, time_const) = (args.get(i + 1).copied(), args.get(i + 2).copied());
    if had.is_some() {
        let v = interval.unwrap_or_default();
        return Err(TcError::new(
            format!("Error: duplicate \"estimator\": \"{v}\" is the second value."),
            255,
            Some(v),
        ));
    }
    estimator::parse(interval, time_const).map_err(|(m, s)| TcError::new(m, s, Some(args[i])))
}

fn show(args: &[&str], flags: Flags) -> Result<TcCmd, TcError> {
    let mut dev = None;
    let mut i = 0;
    while i < args.len() {
        match args[i] {
            "dev" => {
                dev = Some(args.get(i + 1).ok_or_else(|| TcError::new(INCOMPLETE, 255, Some("dev")))?.to_string());
                i += 1;
            }
            "root" => {}
            w @ ("ingress" | "clsact" | "parent" | "handle" | "invisible") => {
                return Err(TcError::new(format!("not supported yet: tc qdisc show {w}"), 1, Some(w)));
            }
            w => {
                return Err(TcError::new(format!("What is \"{w}\"? Try \"tc qdisc help\"."), 255, Some(w)));
            }
        }
        i += 1;
    }
    Ok(TcCmd::QdiscShow { dev, flags })
}

fn op_of(cmd: &str, object: &str) -> Result<Op, TcError> {
    Ok(if matches(cmd, "add") {
        Op::Add
    } else if matches(cmd, "change") {
        Op::Change
    } else if matches(cmd, "replace") {
        Op::Replace
    } else if matches(cmd, "delete") {
        Op::Del
    } else {
        return Err(TcError::new(format!("Command \"{cmd}\" is unknown, try \"tc {object} help\"."), 255, Some(cmd)));
    })
}

fn dev_value<'a>(args: &[&'a str], i: usize, dev: Option<&str>) -> Result<&'a str, TcError> {
    let v = args.get(i + 1).copied().ok_or_else(|| TcError::new(INCOMPLETE, 255, Some("dev")))?;
    if dev.is_some() {
        return Err(TcError::new(format!("Error: duplicate \"dev\": \"{v}\" is the second value."), 255, Some(v)));
    }
    Ok(v)
}

fn classid_value(args: &[&str], i: usize, what: &str) -> Result<u32, TcError> {
    let v = args.get(i + 1).copied().ok_or_else(|| TcError::new(INCOMPLETE, 255, Some(what)))?;
    u32::classid(v)
        .ok_or_else(|| TcError::new(format!("Error: argument \"{v}\" is wrong: invalid {what} ID"), 255, Some(v)))
}

/// `tc class …` (`tc_class_modify`, `tc_class_list`).
fn class(args: &[&str], flags: Flags) -> Result<TcCmd, TcError> {
    let show = args.first().is_none_or(|c| matches(c, "list") || matches(c, "show") || matches(c, "lst"));
    let op = if show { None } else { Some(op_of(args[0], "class")?) };
    let (mut dev, mut parent, mut classid, mut opts, mut est) = (None, None, None, None, None);
    let mut i = usize::from(!args.is_empty());
    while i < args.len() {
        let a = args[i];
        if !show && matches(a, "estimator") {
            est = Some(estimator(args, i, est)?);
            i += 3;
            continue;
        }
        match a {
            "dev" => {
                dev = Some(dev_value(args, i, dev)?);
                i += 1;
            }
            "classid" => {
                classid = Some(classid_value(args, i, "class")?);
                i += 1;
            }
            "parent" => {
                parent = Some(classid_value(args, i, "parent")?);
                i += 1;
            }
            "root" => parent = Some(0xffff_ffff),
            "htb" if !show => {
                let bad = |(m, s): (String, i32)| TcError::new(m, s, Some("htb"));
                if op != Some(Op::Del) {
                    opts = Some(htb::parse_class(&args[i + 1..]).map_err(bad)?);
                }
                break;
            }
            "tbf" | "netem" | "pfifo" | "bfifo" | "fq_codel" | "sfq" if !show => {
                return Err(TcError::new(format!("Error: Qdisc \"{a}\" is classless."), 1, Some(a)));
            }
            _ => {
                return Err(TcError::new(
                    format!("not supported yet: tc class … {a} (nslab's classes are htb's)"),
                    1,
                    Some(a),
                ));
            }
        }
        i += 1;
    }
    let Some(op) = op else {
        return Ok(TcCmd::ClassShow { dev: dev.map(str::to_string), classid, flags });
    };
    let dev = dev.ok_or_else(|| TcError::new("RTNETLINK answers: No such device", 2, None))?.to_string();
    if op != Op::Del && opts.is_none() {
        return Err(TcError::new("RTNETLINK answers: Invalid argument", 2, None));
    }
    Ok(TcCmd::Class { op, dev, parent: parent.filter(|p| *p != 0xffff_ffff), classid, opts, est })
}

/// `tc filter …` (`tc_filter_modify`, `tc_filter_list`).
fn filter(args: &[&str], flags: Flags) -> Result<TcCmd, TcError> {
    let show = args.first().is_none_or(|c| matches(c, "list") || matches(c, "show") || matches(c, "lst"));
    let op = if show { None } else { Some(op_of(args[0], "filter")?) };
    if matches!(op, Some(Op::Change | Op::Replace)) {
        return Err(TcError::new("not supported yet: tc filter change|replace", 1, Some(args[0])));
    }
    let (mut dev, mut parent, mut proto, mut prio, mut f) = (None, None, Proto::All, None, None);
    let mut i = usize::from(!args.is_empty());
    while i < args.len() {
        let a = args[i];
        let value = |i: usize| args.get(i + 1).copied().ok_or_else(|| TcError::new(INCOMPLETE, 255, Some(a)));
        match a {
            "dev" => {
                dev = Some(dev_value(args, i, dev)?);
                i += 1;
            }
            "parent" => {
                parent = Some(classid_value(args, i, "parent")?);
                i += 1;
            }
            "root" => parent = Some(0xffff_ffff),
            "protocol" => {
                proto = match value(i)? {
                    "ip" => Proto::Ip,
                    "all" => Proto::All,
                    p => return Err(TcError::new(format!("not supported yet: tc filter protocol {p}"), 1, Some(p))),
                };
                i += 1;
            }
            _ if a == "prio" || matches(a, "preference") || matches(a, "priority") => {
                let v = value(i)?;
                let p: u32 = v.parse().ok().filter(|p| *p <= 0xffff).ok_or_else(|| {
                    TcError::new(format!("Error: argument \"{v}\" is wrong: invalid priority value"), 255, Some(v))
                })?;
                // 0 is no priority: the kernel picks one.
                prio = (p != 0).then_some(p);
                i += 1;
            }
            "u32" if !show => {
                if op != Some(Op::Del) {
                    f = Some(u32::parse(&args[i + 1..]).map_err(|(m, s)| TcError::new(m, s, Some("u32")))?);
                }
                break;
            }
            "chain" | "handle" | "estimator" | "block" | "ingress" | "egress" => {
                return Err(TcError::new(format!("not supported yet: tc filter … {a}"), 1, Some(a)));
            }
            _ => {
                return Err(TcError::new(
                    format!("not supported yet: tc filter … {a} (nslab's filters are u32)"),
                    1,
                    Some(a),
                ));
            }
        }
        i += 1;
    }
    let Some(op) = op else {
        if flags.pretty {
            // tc 6.1's `-p` decodes u32 keys (`match IP dst 10.0.0.2/32`), and with `-j`
            // leaves a JSON object open: neither is modelled.
            return Err(TcError::new("not supported yet: tc -p filter show (u32's decoded keys)", 1, None));
        }
        return Ok(TcCmd::FilterShow { dev: dev.map(str::to_string), parent, flags });
    };
    let dev = dev.ok_or_else(|| TcError::new("RTNETLINK answers: No such device", 2, None))?.to_string();
    if op == Op::Add && f.is_none() {
        return Err(TcError::new("Unknown filter \"\", hence option is unparsable", 1, None));
    }
    Ok(TcCmd::Filter { op, dev, parent, proto, prio, filter: f })
}

/// `get_qdisc_handle`: `1:`, `8001`, `none`; the major number.
fn qdisc_handle(s: &str) -> Option<u16> {
    if s == "none" {
        return Some(0);
    }
    let maj = s.split(':').next()?;
    let v = u32::from_str_radix(maj, 16).ok()?;
    u16::try_from(v).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<TcCmd, TcError> {
        parse(&s.split_whitespace().collect::<Vec<_>>())
    }

    #[test]
    fn reads_qdisc_commands() {
        assert_eq!(p("qdisc").unwrap(), TcCmd::QdiscShow { dev: None, flags: Flags::default() });
        assert_eq!(
            p("-s q s dev v0").unwrap(),
            TcCmd::QdiscShow { dev: Some("v0".into()), flags: Flags { stats: true, ..Flags::default() } }
        );
        let TcCmd::Qdisc { op, dev, handle, kind, .. } = p("qdisc add dev v0 root handle 1: netem delay 10ms").unwrap()
        else {
            panic!()
        };
        assert_eq!((op, dev.as_str(), handle), (Op::Add, "v0", Some(1)));
        assert_eq!(kind.unwrap().name(), "netem");
        assert!(matches!(p("qdisc del dev v0 root").unwrap(), TcCmd::Qdisc { op: Op::Del, kind: None, .. }));
    }

    #[test]
    fn refuses_as_tc_does() {
        let e = |s: &str| p(s).unwrap_err();
        assert_eq!(e("qdisc add dev v0 root foo").message, "Error: Specified qdisc kind is unknown.");
        assert_eq!(e("qdisc add dev v0 root foo").status, 2);
        assert_eq!(
            e("qdisc add dev v0 root foo bar").message,
            "Unknown qdisc \"foo\", hence option \"bar\" is unparsable"
        );
        assert_eq!(e("qdisc add dev v0 root root tbf").message, "Error: \"root\" is duplicate parent ID");
        assert_eq!(e("qdisc foo dev v0").status, 255);
        assert_eq!(e("-p filter show dev v0").message, "not supported yet: tc -p filter show (u32's decoded keys)");
        assert_eq!(e("qdisc add dev v0 root netem loss 120%").message, "Illegal \"loss percent\"");
        assert_eq!(e("qdisc add dev v0 root netem loss 120%").word.as_deref(), Some("netem"));
        let neg = e("qdisc add dev v0 root netem delay -1ms");
        assert_eq!(neg.message, "Illegal 4294966296 time (too large)\nIllegal \"latency\"");
        assert!(
            e("qdisc add dev v0 root netem reorder 25%")
                .message
                .starts_with("reordering not possible without specifying some delay\nUsage: ... netem")
        );
        assert_eq!(e("qdisc add dev v0 root netem delay").status, 255);
        assert!(e("qdisc add dev v0 root sfq").message.starts_with("not supported yet"));
    }
}
