//! Running a `tc` command on a namespace's devices ([`Tc::run`]): the kernel's rules for
//! adding, changing, replacing and deleting a root qdisc (handles, kinds, flags), htb's
//! classes and their `u32` filters, and what each `show` lists.

use super::cli::{KindOpts, Op, TcCmd, TcError};
use super::estimator::{EstOpts, Estimator};
use super::htb::{self, ClassOpts, Filter};
use super::u32::{Proto, U32};
use super::{Dev, DevInfo, Leaf, Lost, Qdisc, Sched, Tc, netem, next_auto_handle, show, tbf};
use sim_core::Instant;

/// What a `tc` command did: what it printed, and the device whose qdisc it changed.
#[derive(Debug, Default)]
pub struct Done {
    /// stdout lines.
    pub stdout: Vec<String>,
    /// stderr lines (a warning of a command that succeeded).
    pub stderr: Vec<String>,
    /// The device whose qdisc changed.
    pub changed: Option<u32>,
}

fn no_such() -> TcError {
    TcError::kernel("RTNETLINK answers: No such file or directory")
}

/// `qdisc_graft` under class `classid` of device `t`: `new` (or the class's default)
/// takes the place of what hung there, whose frames are dropped, counted by every qdisc
/// above.
fn graft(t: &mut Dev, classid: u32, new: Option<Box<Qdisc>>, now: Instant) -> Result<(), String> {
    let major = (classid >> 16) as u16;
    let root = t.root.as_mut().ok_or("RTNETLINK answers: No such file or directory")?;
    let p = root.find_mut(major).ok_or("RTNETLINK answers: No such file or directory")?;
    let lost = p.graft(classid, new, now, &mut t.pool)?;
    root.reduce_path(major, lost);
    // A run already due (the quota's `Some(now)`) stays due; a later one was a watchdog
    // of the tree as it was, which the tree as it is now replaces.
    let due = t.wakeup.filter(|w| *w <= now);
    t.wakeup = due.or_else(|| t.root.as_ref().and_then(|r| r.watchdog(now)));
    Ok(())
}

/// `tc class add|change|replace|del` on device `t`'s htb.
fn class_cmd(
    t: &mut Dev,
    op: Op,
    parent: Option<u32>,
    classid: Option<u32>,
    opts: Option<&ClassOpts>,
    est: Option<EstOpts>,
    now: Instant,
) -> Result<Vec<String>, TcError> {
    // `tc_ctl_tclass`: the qdisc is the one `parent` or `classid` names, else the root;
    // when both name one, it must be the same.
    let invalid = || TcError::kernel("RTNETLINK answers: Invalid argument");
    let Some(root) = t.root.as_mut() else { return Err(no_such()) };
    let (qid, pid) = (classid.map_or(0, |c| c >> 16), parent.map_or(0, |p| p >> 16));
    if qid != 0 && pid != 0 && qid != pid {
        return Err(invalid());
    }
    let major = match qid.max(pid) {
        0 => root.handle,
        m => m as u16,
    };
    let Some(q) = root.find_mut(major) else { return Err(no_such()) };
    let Sched::Htb(h) = &mut q.sched else {
        // tbf's and netem's one class always exists, and cannot be changed.
        return Err(TcError::kernel(match op {
            Op::Add => "RTNETLINK answers: File exists",
            _ => "RTNETLINK answers: Operation not supported",
        }));
    };
    let major = u32::from(h.major);
    let Some(id) = classid else { return Err(invalid()) };
    if id >> 16 != major || id & 0xffff == 0 {
        return Err(invalid());
    }
    let pool = &mut t.pool;
    // What a deleted class or a leaf turned inner held is dropped: the qdiscs above this
    // htb lose it from their counts too (`qdisc_purge_queue`).
    let above = q.parent.map(|p| (p >> 16) as u16);
    let before = (q.stats.qlen, q.stats.backlog);
    let warn = match (op, h.class(id).is_some(), opts) {
        (Op::Del, true, _) => {
            h.delete_class(id, &mut q.stats, pool).map_err(TcError::kernel)?;
            None
        }
        (Op::Del, false, _) | (Op::Change, false, _) => return Err(no_such()),
        (Op::Add, true, _) => return Err(TcError::kernel("RTNETLINK answers: File exists")),
        (_, true, Some(o)) => h.change_class(id, *o),
        (_, false, Some(o)) => {
            let p = parent.filter(|p| *p & 0xffff != 0);
            h.add_class(id, p, *o, now, &mut q.stats, pool).map_err(TcError::kernel)?
        }
        (_, _, None) => return Err(TcError::kernel("RTNETLINK answers: Invalid argument")),
    };
    // `htb_change_class`: `TCA_RATE` makes an estimator, or replaces the class's own.
    if let Some(o) = est
        && op != Op::Del
    {
        h.set_estimator(id, o, now);
    }
    let lost = Lost { packets: before.0 - q.stats.qlen, bytes: before.1 - q.stats.backlog };
    if let Some(above) = above
        && lost.packets > 0
    {
        root.reduce_path(above, lost);
    }
    Ok(warn.into_iter().collect())
}

/// `tc filter add|del` on device `t`'s htb.
fn filter_cmd(
    t: &mut Dev,
    op: Op,
    parent: Option<u32>,
    proto: Proto,
    prio: Option<u32>,
    f: Option<&U32>,
) -> Result<(), TcError> {
    let gone = || TcError::kernel("Error: Parent Qdisc doesn't exists.\nWe have an error talking to the kernel");
    let root = t.root.as_mut().ok_or_else(gone)?;
    // The qdisc `parent` names (`root` or none: the device's root).
    let q = match parent.filter(|p| *p != 0xffff_ffff) {
        Some(p) if p & 0xffff != 0 => return Err(gone()),
        Some(p) => root.find_mut((p >> 16) as u16).ok_or_else(gone)?,
        None => root,
    };
    let Sched::Htb(h) = &mut q.sched else {
        return Err(TcError::kernel("Error: Class doesn't support blocks.\nWe have an error talking to the kernel"));
    };
    if op == Op::Del {
        let before = h.filters.len();
        match prio {
            Some(p) => h.filters.retain(|x| x.prio != p),
            None => h.filters.clear(),
        }
        if before == h.filters.len() {
            return Err(TcError::kernel(if before == 0 {
                "Error: Cannot find specified filter chain.\nWe have an error talking to the kernel"
            } else {
                "Error: Filter with specified priority/protocol not found.\nWe have an error talking to the kernel"
            }));
        }
        return Ok(());
    }
    let Some(f) = f else { return Ok(()) };
    // No prio: one below the lowest at or above 0x8000, else 0xC000 (tcf_auto_prio).
    let prio = prio
        .unwrap_or_else(|| h.filters.iter().map(|x| x.prio).filter(|p| *p >= 0x8000).min().map_or(0xc000, |p| p - 1));
    if h.filters.iter().any(|x| x.prio == prio && x.proto != proto) {
        return Err(TcError::kernel(
            "Error: Filter with specified priority/protocol not found.\nWe have an error talking to the kernel",
        ));
    }
    // One hash table per priority: `800:` for the first, then `801:`…; nodes from 0x800.
    let ht = match h.filters.iter().find(|x| x.prio == prio) {
        Some(x) => x.ht,
        None => h.filters.iter().map(|x| x.ht + 1).max().unwrap_or(0x800),
    };
    let node = h.filters.iter().filter(|x| x.ht == ht).map(|x| x.node + 1).max().unwrap_or(0x800);
    h.filters.push(Filter { prio, proto, ht, node, u32: f.clone() });
    h.filters.sort_by_key(|x| (x.prio, x.node));
    Ok(())
}

impl Tc {
    /// Runs a `tc` command on this namespace's devices (`devs`, in ifindex order). `auto`
    /// is the machine's automatic-handle counter; `stream` makes a new netem's random
    /// stream from where it sits. Returns what `tc` prints and the device it changed.
    pub fn run(
        &mut self,
        cmd: &TcCmd,
        devs: &[DevInfo<'_>],
        now: Instant,
        auto: &mut u16,
        stream: &mut dyn FnMut(&str) -> sim_core::rng::NodeRng,
    ) -> Result<Done, TcError> {
        let find = |name: &str| {
            devs.iter().find(|d| d.name == name).copied().ok_or_else(|| TcError {
                message: format!("Cannot find device \"{name}\""),
                status: 1,
                word: Some(name.to_string()),
            })
        };
        let (op, dev, root, parent, handle, kind, kind_name, est) = match cmd {
            TcCmd::QdiscShow { dev, flags } => {
                let mut out = Vec::new();
                let only = dev.as_deref().map(find).transpose()?;
                let mut json = flags.json_writer();
                for d in devs.iter().filter(|d| only.is_none_or(|o| o.ifindex == d.ifindex)) {
                    let Some(t) = self.devs.get(&d.ifindex) else { continue };
                    if t.root.is_none() && !t.activated {
                        continue;
                    }
                    let name = only.is_none().then_some(d.name);
                    let (root, refcnt) = (t.root.as_ref(), t.tx_queues + 1);
                    match &mut json {
                        Some(w) => show::qdisc_json(w, name, root, refcnt, flags.stats, now)
                            .map_err(|what| TcError::new(format!("not supported yet: {what}"), 1, None))?,
                        None => show::qdisc(&mut out, name, root, refcnt, flags, now),
                    }
                }
                return Ok(Done { stdout: json.map_or(out, |w| w.finish()), ..Done::default() });
            }
            TcCmd::Qdisc { op, dev, root, parent, handle, kind, kind_name, est } => {
                (*op, dev, *root, *parent, *handle, kind, kind_name, *est)
            }
            TcCmd::ClassShow { dev, classid, flags } => {
                let Some(dev) = dev else { return Ok(Done::default()) };
                let info = find(dev)?;
                let mut out = Vec::new();
                if let Some(t) = self.devs.get(&info.ifindex) {
                    show::classes(&mut out, t.root.as_ref(), *classid, flags, now);
                }
                return Ok(Done { stdout: out, ..Done::default() });
            }
            TcCmd::FilterShow { dev, parent, flags } => {
                let Some(dev) = dev else { return Ok(Done::default()) };
                let info = find(dev)?;
                let mut out = Vec::new();
                let mut json = flags.json_writer();
                if let Some(t) = self.devs.get(&info.ifindex) {
                    match &mut json {
                        Some(w) => show::filters_json(w, t.root.as_ref(), *parent),
                        None => show::filters(&mut out, t.root.as_ref(), *parent, flags.raw),
                    }
                }
                return Ok(Done { stdout: json.map_or(out, |w| w.finish()), ..Done::default() });
            }
            TcCmd::Class { op, dev, parent, classid, opts, est } => {
                let info = find(dev)?;
                let t = self.devs.entry(info.ifindex).or_insert_with(|| Box::new(Dev::new(info.tx_queues)));
                let stderr = class_cmd(t, *op, *parent, *classid, opts.as_ref(), *est, now)?;
                return Ok(Done { stderr, changed: Some(info.ifindex), ..Done::default() });
            }
            TcCmd::Filter { op, dev, parent, proto, prio, filter } => {
                let info = find(dev)?;
                let t = self.devs.entry(info.ifindex).or_insert_with(|| Box::new(Dev::new(info.tx_queues)));
                filter_cmd(t, *op, *parent, *proto, *prio, filter.as_ref())?;
                return Ok(Done::default());
            }
        };
        let info = find(dev)?;
        let kernel = |m: &str| Err(TcError::kernel(format!("Error: {m}.")));
        let t = self.devs.entry(info.ifindex).or_insert_with(|| Box::new(Dev::new(info.tx_queues)));
        if !root && parent.is_none() {
            // A qdisc named by its handle alone (`qdisc_lookup`).
            let found = handle.and_then(|h| t.find(h)).map(|q| (q.parent, q.sched.kind()));
            return match (op, handle, found) {
                (Op::Del, Some(_), Some((_, k))) if kind_name.as_deref().is_some_and(|n| n != k) => {
                    kernel("Invalid qdisc name: must match existing qdisc")
                }
                (Op::Del, Some(_), Some(_)) => kernel("Classid cannot be zero"),
                (Op::Del, _, _) => kernel("Failed to find qdisc with specified handle"),
                (_, None, _) => kernel("Handle cannot be zero"),
                (_, Some(_), None) => kernel("Specified qdisc not found"),
                (Op::Add, _, Some(_)) => kernel("Exclusivity flag on, cannot modify"),
                (_, _, Some((at, _))) => self.run(
                    &TcCmd::Qdisc {
                        op,
                        dev: dev.clone(),
                        root: at.is_none(),
                        parent: at,
                        handle,
                        kind: kind.clone(),
                        kind_name: kind_name.clone(),
                        est,
                    },
                    devs,
                    now,
                    auto,
                    stream,
                ),
            };
        }
        // What hangs where the command points (`p` and `q` of `tc_modify_qdisc`): the
        // qdisc there, with its handle and kind, or the kernel's own (`Builtin`, named
        // by its kind) or nothing.
        let (cur, builtin) = match parent {
            None => (t.root.as_ref().map(|q| (q.handle, q.sched.kind())), Some("noqueue")),
            Some(c) => {
                let Some(p) = t.find((c >> 16) as u16) else {
                    return kernel(if op == Op::Del {
                        "Failed to find qdisc with specified classid"
                    } else {
                        "Failed to find specified qdisc"
                    });
                };
                match p.leaf(c) {
                    Leaf::Qdisc(q) => (Some((q.handle, q.sched.kind())), None),
                    Leaf::Builtin => (
                        None,
                        Some(match &p.sched {
                            Sched::Tbf(t) if t.noop => "noop",
                            Sched::Tbf(_) => "bfifo",
                            _ => "pfifo",
                        }),
                    ),
                    Leaf::Nothing => (None, None),
                    Leaf::NoClass => return kernel("Specified class not found"),
                }
            }
        };
        if op == Op::Del {
            if cur.is_none() && builtin.is_none() {
                return kernel("Cannot find specified qdisc on specified device");
            }
            if handle.is_some() && handle != cur.map(|c| c.0) {
                return kernel("Invalid handle");
            }
            if kind_name.is_some() && kind_name.as_deref() != cur.map(|c| c.1).or(builtin) {
                return kernel("Invalid qdisc name: must match existing qdisc");
            }
            if cur.is_none() {
                return kernel("Cannot delete qdisc with handle of zero");
            }
            match parent {
                None => {
                    t.clear();
                    // On a device that is down the root is the builtin noop again.
                    t.activated = info.up;
                }
                Some(c) => graft(t, c, None, now).map_err(TcError::kernel)?,
            }
            return Ok(Done { changed: Some(info.ifindex), ..Done::default() });
        }
        let Some(kind) = kind else { return kernel("Specified qdisc kind is unknown") };
        if info.bridge {
            return Err(TcError {
                message: "not supported yet: a qdisc on a bridge device (its ports' qdiscs work)".into(),
                status: 2,
                word: None,
            });
        }
        // `__tc_modify_qdisc`.
        enum Do {
            Create(Option<u16>),
            Change(u16),
        }
        let what = match (cur, handle) {
            (Some((c, _)), Some(h)) if c != h => {
                if op != Op::Replace {
                    return kernel("NLM_F_REPLACE needed to override");
                }
                Do::Create(Some(h))
            }
            (None, h) => {
                if op == Op::Change {
                    return kernel("Qdisc not found. To create specify NLM_F_CREATE flag");
                }
                Do::Create(h)
            }
            (Some((_, k)), None) if k != kind.name() => Do::Create(None),
            (Some((_, k)), Some(_)) if k != kind.name() => {
                if op == Op::Add {
                    return kernel("Exclusivity flag on, cannot modify");
                }
                return kernel("Invalid qdisc name: must match existing qdisc");
            }
            (Some((c, _)), _) => {
                if op == Op::Add {
                    return kernel("Exclusivity flag on, cannot modify");
                }
                Do::Change(c)
            }
        };
        match what {
            Do::Change(h) => {
                let q = t.root.as_mut().and_then(|r| r.find_mut(h)).expect("a qdisc to change");
                match (&mut q.sched, kind) {
                    (Sched::Netem(n), KindOpts::Netem(o)) => n.change((**o).clone(), now),
                    (Sched::Tbf(b), KindOpts::Tbf(o)) => b.change(o.clone()).map_err(TcError::kernel)?,
                    (Sched::Htb(_), _) => return kernel("Change operation not supported by specified qdisc"),
                    _ => unreachable!("the kinds were compared"),
                }
                // `qdisc_change`, once the kind's change took: a new estimator keeps the old
                // one's averages.
                if let Some(o) = est {
                    q.est = Some(Box::new(Estimator::new(o, now, &q.stats, q.est.as_deref())));
                }
            }
            Do::Create(h) => {
                if h.is_some_and(|h| t.find(h).is_some()) {
                    return kernel("Cannot move an existing qdisc to a different parent");
                }
                let handle = match h {
                    Some(h) => h,
                    None => next_auto_handle(auto, |h| t.find(h).is_some()),
                };
                let sched = match kind {
                    KindOpts::Netem(o) => {
                        let rng = stream(&format!("tc {} {handle:x}:", info.name));
                        Sched::Netem(Box::new(netem::Netem::new((**o).clone(), now, rng)))
                    }
                    KindOpts::Tbf(o) => Sched::Tbf(tbf::Tbf::new(o.clone(), now).map_err(TcError::kernel)?),
                    KindOpts::Htb(o) => Sched::Htb(Box::new(htb::Htb::new(*o, handle))),
                };
                let mut q = Qdisc::new(handle, parent, sched, t.next_born());
                q.est = est.map(|o| Box::new(Estimator::new(o, now, &q.stats, None)));
                match parent {
                    None => {
                        t.clear();
                        t.root = Some(q);
                    }
                    Some(c) => graft(t, c, Some(Box::new(q)), now).map_err(TcError::kernel)?,
                }
            }
        }
        // A change takes effect at the qdisc's next run (`qdisc_change` does not run it).
        Ok(Done { changed: Some(info.ifindex), ..Done::default() })
    }
}
