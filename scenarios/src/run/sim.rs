//! The sim back end: runs a scenario's steps on a [`Lab`] in virtual time.
//!
//! Commands run in order, like a shell without `set -e`… except that a configuration
//! command the machine refuses stops the run with the file, line and column — unless the
//! step expects that exit status, in which case the tool's message is its output. A
//! foreground process runs until it exits; `&` leaves it running; `sleep` advances time;
//! at the end every background job is interrupted (Ctrl-C), so tcpdump prints its counts.

use crate::command::{Brctl, Command, LinkKind, Scenario, Step};
use crate::error::ScenarioError;
use crate::render::transcript::{self, Attribution, Failure, Rendered, failures};
use sim_core::tcpdump::Options;
use sim_core::world::{BudgetExhausted, DEFAULT_EVENT_BUDGET, Limit, Limits};
use sim_core::{Duration, Filter, Instant, NodeId, Record, Stream};
use sim_nodes::netns::fib::Proto;
use sim_nodes::proc::Ping;
use sim_nodes::{Job, Lab, LabError};
use std::collections::BTreeMap;

/// How long a foreground process or `wait` may run, in virtual time, before the run is
/// declared stuck.
pub const PATIENCE: Duration = Duration::from_secs(24 * 3600);

/// Run options.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// The seed (overrides the scenario's).
    pub seed: Option<u64>,
    /// Validate only: configuration commands run, processes do not start, time stands still.
    pub dry_run: bool,
    /// Event budget: events in one second of virtual time (a loop and storm guard; see
    /// `sim_core::guard`).
    pub event_budget: Option<u64>,
}

/// The seed used when neither the command line nor the scenario gives one.
pub const DEFAULT_SEED: u64 = 1;

/// A background job, numbered as the shell numbers them.
#[derive(Clone, Debug)]
pub struct JobInfo {
    /// `%N`.
    pub number: u32,
    /// The step that started it.
    pub step: usize,
    /// That step's line in the scenario file.
    pub line: u32,
    /// The process.
    pub job: Job,
}

/// What a run produced.
pub struct Run {
    /// The machine, with its trace.
    pub lab: Lab,
    /// The seed used.
    pub seed: u64,
    /// Which step every process and capture belongs to.
    pub attribution: Attribution,
    /// The steps, as run.
    pub steps: Vec<Step>,
    /// Exit statuses of configuration steps (processes' come from the trace).
    pub exits: BTreeMap<usize, i32>,
    /// Everything rendered from the trace.
    pub rendered: Rendered,
}

struct Runner<'a> {
    file: &'a str,
    source: &'a str,
    lab: Lab,
    jobs: Vec<JobInfo>,
    attribution: Attribution,
    exits: BTreeMap<usize, i32>,
    dry: bool,
    /// In a dry run (`nslab check`) nothing starts: the background jobs a run would have,
    /// each `true` while it would never end by itself (tcpdump, a ping without `-c`, …) and
    /// no `kill %N` has stopped it.
    dry_jobs: Vec<bool>,
}

/// The word an error message names in quotes (`Cannot find device "x"`), if any.
fn quoted(msg: &str) -> Option<&str> {
    let a = msg.find('"')?;
    let b = msg[a + 1..].find('"')?;
    Some(&msg[a + 1..a + 1 + b])
}

/// The first interface name a command would create that the kernel does not take.
fn bad_ifname(cmd: &Command) -> Option<&str> {
    let names: Vec<&str> = match cmd {
        Command::LinkAdd { name, kind: LinkKind::Veth { peer, .. } } => vec![name, peer],
        Command::LinkAdd { name, kind: LinkKind::Bridge } => vec![name],
        Command::LinkSet(s) => s.name.as_deref().into_iter().collect(),
        Command::Brctl(Brctl::Addbr(n)) => vec![n],
        _ => return None,
    };
    names.into_iter().find(|n| !sim_nodes::lab::names::dev_valid_name(n))
}

impl Runner<'_> {
    fn error(&self, step: &Step, e: LabError, word: Option<&str>) -> ScenarioError {
        let w = word.or_else(|| quoted(&e.message));
        let at = self.restore_line(step, &e.message).or_else(|| w.map(|w| step.locate(w))).unwrap_or(step.span);
        ScenarioError::at(self.file, self.source, at, e.message.clone()).with_opt_hint(e.hint)
    }

    /// Where in the file the line an `iptables-restore` error names (`Error occurred at
    /// line: N`) is: the here-document's Nth line, when the file holds it there.
    fn restore_line(&self, step: &Step, msg: &str) -> Option<crate::error::Span> {
        let Command::IptablesRestore { input, .. } = &step.run else { return None };
        // iptables-restore names a line either way: `Error occurred at line: N` for what
        // it refuses itself, `line N: …` for what the kernel refused.
        let n: usize = match msg.split("Error occurred at line: ").nth(1) {
            Some(rest) => rest.lines().next()?.trim().parse().ok()?,
            None => msg.split("\nline ").nth(1)?.split(':').next()?.parse().ok()?,
        };
        let want = input.get(n.checked_sub(1)?).filter(|l| !l.is_empty())?;
        let line_no = step.span.line as usize + n;
        let src = self.source.lines().nth(line_no - 1)?;
        let col = src.len().checked_sub(want.len())?;
        src.ends_with(want.as_str()).then(|| {
            crate::error::Span::new(line_no as u32, src[..col].chars().count() as u32 + 1, want.chars().count() as u32)
        })
    }

    fn say(&mut self, node: NodeId, stream: Stream, line: String) {
        let at = self.lab.world().now();
        self.lab.world_mut().record(Record::Output { at, node, pid: 0, stream, line });
    }

    fn run_step(&mut self, i: usize, step: &Step) -> Result<(), ScenarioError> {
        let node = self.lab.ns(step.ns.as_deref()).map_err(|e| self.error(step, e, step.ns.as_deref()))?;
        let at = self.lab.world().now();
        let prompt = step.ns.clone().unwrap_or_default();
        self.lab.world_mut().record(Record::Command { at, prompt, line: step.text.clone() });
        match &step.run {
            c if c.is_process() => return self.start_process(i, step, node),
            Command::Iptables { .. }
            | Command::Conntrack { .. }
            | Command::IptablesSave { .. }
            | Command::IptablesRestore { .. } => {
                let res = match &step.run {
                    Command::Iptables { args } => self.lab.iptables(node, args),
                    Command::IptablesSave { args } => self.lab.iptables_save(node, args),
                    Command::IptablesRestore { args, input } => self.lab.iptables_restore(node, args, input),
                    Command::Conntrack { args } => self.lab.conntrack(node, args),
                    _ => unreachable!("matched above"),
                };
                match res {
                    Ok(out) => {
                        for l in out.stdout {
                            self.say(node, Stream::Stdout, l);
                        }
                        for l in out.stderr {
                            self.say(node, Stream::Stderr, l);
                        }
                        self.exits.insert(i, 0);
                    }
                    Err(e) => self.refuse(i, step, node, e, None)?,
                }
            }
            Command::Sleep { secs } => {
                if !self.dry {
                    let now = self.lab.world().now().as_nanos();
                    match now.checked_add(secs.0.as_nanos()).filter(|_| !secs.is_infinite()) {
                        Some(until) => {
                            let until = Instant::from_nanos(until);
                            self.lab.world_mut().run_until(until).map_err(|e| self.budget(step, e))?;
                        }
                        None => self.sleep_until_quiet(step)?,
                    }
                }
            }
            Command::Kill { job } | Command::Input { job, .. } if self.dry => {
                match self.dry_jobs.get_mut((*job as usize).wrapping_sub(1)) {
                    Some(endless) => {
                        if matches!(step.run, Command::Kill { .. }) {
                            *endless = false;
                        }
                    }
                    None => self.no_such_job(i, step, node, step.run.program(), *job)?,
                }
            }
            Command::Kill { job } => {
                match self.jobs.iter().find(|j| j.number == *job && !self.lab.is_detached(j.job)) {
                    Some(j) => {
                        let jb = j.job;
                        self.lab.interrupt(jb);
                        self.exits.insert(i, 0);
                    }
                    None => self.no_such_job(i, step, node, "kill", *job)?,
                }
            }
            Command::Input { job, line } => match self.jobs.iter().find(|j| j.number == *job) {
                Some(j) if self.lab.is_running(j.job) => {
                    let jb = j.job;
                    self.lab.input(jb, line);
                    self.exits.insert(i, 0);
                }
                _ => self.no_such_job(i, step, node, "input", *job)?,
            },
            Command::Wait if self.dry => {
                if self.dry_jobs.iter().any(|endless| *endless) {
                    return Err(self.endless_wait(step));
                }
                self.exits.insert(i, 0);
            }
            Command::Wait => {
                let running: Vec<Job> = self.jobs.iter().map(|j| j.job).collect();
                let limit = self.lab.world().now() + PATIENCE;
                let done = self
                    .lab
                    .world_mut()
                    .run_while(limit, |w| {
                        running.iter().any(|j| {
                            w.is_alive(j.node) && {
                                let n = w.node::<sim_nodes::Netns>(j.node);
                                n.is_running(j.pid) && !n.is_detached(j.pid)
                            }
                        })
                    })
                    .map_err(|e| self.budget(step, e))?;
                if !done && running.iter().any(|j| self.lab.is_running(*j) && !self.lab.is_detached(*j)) {
                    return Err(self.endless_wait(step));
                }
                self.exits.insert(i, 0);
            }
            _ => match self.configure(node, &step.run) {
                Ok(lines) => {
                    for l in lines {
                        self.say(node, Stream::Stdout, l);
                    }
                    self.exits.insert(i, 0);
                }
                Err(e) => {
                    // The kernel's refusals of a name or an MTU do not quote it: point at it.
                    let mtu = match &step.run {
                        Command::LinkSet(s) if e.message.starts_with("Error: mtu ") => s.mtu.map(|m| m.to_string()),
                        _ => None,
                    };
                    let word =
                        if quoted(&e.message).is_none() { bad_ifname(&step.run).or(mtu.as_deref()) } else { None };
                    self.refuse(i, step, node, e, word)?
                }
            },
        }
        Ok(())
    }

    /// `sleep inf`, and a sleep whose end virtual time cannot count: runs until nothing
    /// more can happen — no event due at all — and leaves the clock at the last thing that
    /// did. A lab that is still busy after [`PATIENCE`] never would be quiet: that is an
    /// error naming what keeps it busy, not a hang.
    fn sleep_until_quiet(&mut self, step: &Step) -> Result<(), ScenarioError> {
        let limit = self.lab.world().now() + PATIENCE;
        self.lab.world_mut().run_while(limit, |_| true).map_err(|e| self.budget(step, e))?;
        if self.lab.world().next_event_time().is_none() {
            return Ok(());
        }
        let busy: Vec<String> = self
            .jobs
            .iter()
            .filter(|j| self.lab.is_running(j.job))
            .map(|j| format!("%{} (line {})", j.number, j.line))
            .collect();
        let what = if busy.is_empty() { "timers of the machine itself".to_string() } else { busy.join(", ") };
        Err(ScenarioError::at(
            self.file,
            self.source,
            step.span,
            format!("{}: still busy after 24 h of virtual time, so it would never end", step.text),
        )
        .with_hint(format!(
            "an endless sleep runs until nothing more can happen; here {what} keep going: `kill %N` them first, or sleep a finite time"
        )))
    }

    /// `wait` while a job runs that never ends by itself.
    fn endless_wait(&self, step: &Step) -> ScenarioError {
        crate::run::shell::endless_wait(self.file, self.source, step)
    }

    /// A foreground `ping` without `-c` that did not end at once.
    fn endless_ping(&self, step: &Step) -> ScenarioError {
        crate::run::shell::endless_ping(self.file, self.source, step)
    }

    fn jobs_hint(&self) -> String {
        if self.dry {
            return match self.dry_jobs.len() {
                0 => "no background job was started".into(),
                n => format!("jobs: {}", (1..=n).map(|k| format!("%{k}")).collect::<Vec<_>>().join(" ")),
            };
        }
        if self.jobs.is_empty() {
            "no background job was started".into()
        } else {
            format!("jobs: {}", self.jobs.iter().map(|j| format!("%{}", j.number)).collect::<Vec<_>>().join(" "))
        }
    }

    /// `kill %N` / `input %N` of a job there is not.
    fn no_such_job(
        &mut self,
        i: usize,
        step: &Step,
        node: NodeId,
        program: &str,
        job: u32,
    ) -> Result<(), ScenarioError> {
        let message = crate::run::shell::no_such_job(program, job);
        let e = LabError { message, status: 1, hint: Some(self.jobs_hint()) };
        self.refuse(i, step, node, e, None)
    }

    /// A refused command: an error, unless the step expects a failure.
    fn refuse(
        &mut self,
        i: usize,
        step: &Step,
        node: NodeId,
        e: LabError,
        word: Option<&str>,
    ) -> Result<(), ScenarioError> {
        let (message, status) = (e.message.clone(), e.status);
        let mut exits = std::mem::take(&mut self.exits);
        let mut said = Vec::new();
        let res = crate::run::shell::refuse(
            i,
            step,
            &message,
            status,
            &mut exits,
            |l| said.push(l),
            || self.error(step, e, word),
        );
        self.exits = exits;
        for l in said {
            self.say(node, Stream::Stderr, l);
        }
        res
    }

    /// The error of a run one of the engine's guards stopped (see `sim_core::guard`), at
    /// the step that was running; [`run`] attaches the transcript up to then.
    fn budget(&self, step: &Step, e: BudgetExhausted) -> ScenarioError {
        if !matches!(e.limit, Limit::Trace { .. })
            && let Some(cycle) = self.lab.bridge_loop()
        {
            return ScenarioError::at(self.file, self.source, step.span, format!("{e}; bridge loop: {cycle}")).with_hint(
                "Linux allows a bridge loop without STP and floods around it forever, as here: remove one of the links in the loop",
            );
        }
        let hint = match e.limit {
            Limit::Events { .. } => format!(
                "raise it with --event-budget N (events per virtual second, {DEFAULT_EVENT_BUDGET} unless given), or look for a loop"
            ),
            Limit::Trace { .. } => "end the run sooner (a shorter sleep, `kill %N`), quieten the flood (ping -q) or narrow the capture's filter".into(),
            Limit::Queue { .. } => "look for a loop: a bridge or a route that sends frames back where they came from".into(),
        };
        ScenarioError::at(self.file, self.source, step.span, e.to_string()).with_hint(hint)
    }

    fn start_process(&mut self, i: usize, step: &Step, node: NodeId) -> Result<(), ScenarioError> {
        if self.dry {
            if let Command::Tcpdump(t) = &step.run {
                self.lab.dev_index(node, &t.iface).map_err(|e| self.error(step, e, Some(&t.iface)))?;
            }
            let mut endless = crate::run::shell::never_ends(&step.run);
            if let Command::Ping(p) = &step.run
                && p.count.is_none()
            {
                // Whether it ends at once (no route, an address it cannot bind) only
                // starting it tells: start it on this machine that runs nothing, and stop it.
                let job = self.lab.spawn(node, Box::new(Ping::new(crate::run::spawn::ping_args(p))));
                endless = self.lab.is_running(job);
                if endless {
                    self.lab.interrupt(job);
                    if !step.background {
                        return Err(self.endless_ping(step));
                    }
                }
            }
            if step.background {
                self.dry_jobs.push(endless);
            }
            return Ok(());
        }
        let job = match &step.run {
            Command::Tcpdump(t) => {
                let filter = Filter::parse(&t.filter)
                    .map_err(|e| ScenarioError::at(self.file, self.source, step.span, e.to_string()))?;
                match self.lab.tcpdump(node, &t.iface, filter, &t.filter, t.write.is_some()) {
                    Ok((job, cap)) => {
                        let opts = Options { link_header: t.link_header, timestamp: !t.no_timestamp };
                        self.attribution.captures.insert(cap, (i, opts, t.write.is_some()));
                        job
                    }
                    Err(e) => return self.refuse(i, step, node, e, Some(&t.iface)),
                }
            }
            cmd => match crate::run::spawn::process(cmd) {
                Some(Ok(p)) => self.lab.spawn(node, p),
                Some(Err(v)) => {
                    let at = v.word.as_deref().map(|w| step.locate(w)).unwrap_or(step.span);
                    return Err(ScenarioError::at(self.file, self.source, at, v.message).with_opt_hint(v.hint));
                }
                None => unreachable!("start_process takes processes only"),
            },
        };
        self.attribution.procs.insert((job.node, job.pid), i);
        if step.background {
            let number = self.jobs.len() as u32 + 1;
            self.jobs.push(JobInfo { number, step: i, line: step.span.line, job });
        } else {
            if matches!(&step.run, Command::Ping(p) if p.count.is_none()) && self.lab.is_running(job) {
                return Err(self.endless_ping(step));
            }
            let limit = self.lab.world().now() + PATIENCE;
            let done = self
                .lab
                .world_mut()
                .run_while(limit, |w| {
                    // A daemon returns the prompt once it detaches (dhclient when bound).
                    w.is_alive(job.node) && {
                        let n = w.node::<sim_nodes::Netns>(job.node);
                        n.is_running(job.pid) && !n.is_detached(job.pid)
                    }
                })
                .map_err(|e| self.budget(step, e))?;
            if !done && self.lab.is_running(job) && !self.lab.is_detached(job) {
                return Err(ScenarioError::at(self.file, self.source, step.span, "this command never ends")
                    .with_hint("give it a count or a deadline, or run it in the background"));
            }
        }
        Ok(())
    }

    /// Configuration commands: the `ip` and `sysctl` vocabulary.
    fn configure(&mut self, node: NodeId, cmd: &Command) -> Result<Vec<String>, LabError> {
        let lab = &mut self.lab;
        match cmd {
            Command::NetnsAdd { name } => lab.netns_add(name).map(|_| vec![]),
            Command::NetnsDel { name } => lab.netns_del(name).map(|_| vec![]),
            Command::NetnsList => Ok(lab.netns_list()),
            Command::LinkAdd { name, kind: LinkKind::Veth { peer, peer_netns } } => {
                let pn = peer_netns.as_deref().map(|n| lab.ns(Some(n))).transpose()?;
                lab.veth_add(node, name, peer, pn).map(|_| vec![])
            }
            Command::LinkAdd { name, kind: LinkKind::Bridge } => lab.bridge_add(node, name).map(|_| vec![]),
            Command::LinkDel { dev } => lab.link_del(node, dev).map(|_| vec![]),
            Command::LinkSet(s) => {
                let target = s.netns.as_deref().map(|n| {
                    lab.ns(Some(n)).map_err(|e| LabError {
                        message: format!("Error: argument \"{n}\" is wrong: Invalid \"netns\" value"),
                        status: 255,
                        hint: e.hint,
                    })
                });
                let target = target.transpose()?;
                // `ip` checks its words before it looks the device up.
                if let Some(n) = &s.name {
                    sim_nodes::lab::names::ip_ifname(n, sim_nodes::lab::names::IfnameArg::Name)?;
                }
                lab.dev_index(node, &s.dev)?;
                if let Some(m) = s.address {
                    lab.link_set_address(node, &s.dev, m)?;
                }
                if let Some(m) = s.mtu {
                    lab.link_set_mtu(node, &s.dev, m)?;
                }
                let mut dev = s.dev.clone();
                if let Some(n) = &s.name {
                    lab.link_set_name(node, &s.dev, n)?;
                    dev = n.clone();
                }
                if let Some(m) = &s.master {
                    lab.link_set_master(node, &dev, Some(m))?;
                }
                if s.nomaster {
                    lab.link_set_master(node, &dev, None)?;
                }
                if let Some(a) = s.ageing_time {
                    lab.bridge_set_ageing(node, &dev, Duration::from_millis(u64::from(a) * 10))?;
                }
                let mut at = node;
                if let Some(t) = target {
                    lab.link_set_netns(node, &dev, t)?;
                    at = t;
                }
                if let Some(up) = s.up {
                    lab.link_set_up(at, &dev, up)?;
                }
                Ok(vec![])
            }
            Command::LinkShow { dev } => lab.link_show(node, dev.as_deref()),
            Command::AddrAdd { addr, dev, brd } => {
                lab.addr_add(node, dev, addr.addr, addr.prefix, *brd).map(|_| vec![])
            }
            Command::AddrDel { addr, dev } => lab.addr_del(node, dev, addr.addr, Some(addr.prefix)).map(|_| vec![]),
            Command::AddrFlush { dev } => lab.addr_flush(node, dev).map(|_| vec![]),
            Command::AddrShow { dev } => lab.addr_show(node, dev.as_deref()),
            Command::RouteAdd(r) | Command::RouteDel(r) => {
                let proto = match r.proto.as_deref() {
                    None | Some("boot") => Proto::Boot,
                    Some("static") => Proto::Static,
                    Some("dhcp") => Proto::Dhcp,
                    Some("kernel") => Proto::Kernel,
                    Some(p) => return Err(LabError::unsupported(format!("proto {p}"))),
                };
                if matches!(cmd, Command::RouteAdd(_)) {
                    lab.route_add(
                        node,
                        r.to.addr,
                        r.to.prefix,
                        r.via,
                        r.dev.as_deref(),
                        r.metric.unwrap_or(0),
                        r.src,
                        proto,
                        r.onlink,
                    )
                    .map(|_| vec![])
                } else {
                    lab.route_del(node, r.to.addr, r.to.prefix, r.via, r.dev.as_deref(), r.metric.unwrap_or(0))
                        .map(|_| vec![])
                }
            }
            Command::RouteShow { dev } => lab.route_show(node, dev.as_deref()),
            Command::NeighShow { dev } => lab.neigh_show(node, dev.as_deref()),
            Command::NeighFlush { dev } => lab.neigh_flush(node, dev.as_deref()).map(|_| vec![]),
            Command::BridgeFdbShow { br } => lab.bridge_fdb_show(node, br.as_deref()),
            Command::Brctl(b) => match b {
                Brctl::Addbr(n) => lab.brctl_addbr(node, n).map(|_| vec![]),
                Brctl::Delbr(n) => lab.brctl_delbr(node, n).map(|_| vec![]),
                Brctl::Addif(br, d) => lab.link_set_master(node, d, Some(br)).map(|_| vec![]),
                Brctl::Delif(_, d) => lab.link_set_master(node, d, None).map(|_| vec![]),
                Brctl::Show(br) => lab.brctl_show(node, br.as_deref()),
                Brctl::Showmacs(br) => lab.brctl_showmacs(node, br),
                Brctl::Setageing(br, t) => lab.bridge_set_ageing(node, br, t.0).map(|_| vec![]),
            },
            Command::Sysctl { key, value: Some(v) } => lab.sysctl_set(node, key, v).map(|l| vec![l]),
            Command::Sysctl { key, value: None } => lab.sysctl_get(node, key).map(|l| vec![l]),
            Command::Ping(_)
            | Command::Tcpdump(_)
            | Command::Traceroute(_)
            | Command::Dnsmasq(_)
            | Command::Dhclient(_)
            | Command::Iptables { .. }
            | Command::IptablesSave { .. }
            | Command::IptablesRestore { .. }
            | Command::Conntrack { .. }
            | Command::Nc(_)
            | Command::Curl(_)
            | Command::HttpServer(_)
            | Command::Sleep { .. }
            | Command::Kill { .. }
            | Command::Input { .. }
            | Command::Wait
            | Command::Exec { .. } => {
                unreachable!("not configuration")
            }
        }
    }
}

/// A run that ended in an error: the error and, when one of the engine's guards stopped
/// the run (see `sim_core::guard`), the transcript up to then, as `nslab run` prints one.
#[derive(Debug)]
pub struct Failed {
    /// The error.
    pub error: ScenarioError,
    /// The transcript of a run a guard stopped.
    pub transcript: Option<String>,
}

/// Runs a scenario. `file` and `source` name it in errors.
pub fn run(file: &str, source: &str, sc: &Scenario, opts: &RunOptions) -> Result<Run, ScenarioError> {
    run_with_limits(file, source, sc, opts, Limits::default()).map_err(|f| f.error)
}

/// [`run`] with the engine's guards set to `limits` (`opts.event_budget`, if given, still
/// sets the event budget); a run a guard stopped keeps its transcript up to then.
pub fn run_with_limits(
    file: &str,
    source: &str,
    sc: &Scenario,
    opts: &RunOptions,
    mut limits: Limits,
) -> Result<Run, Box<Failed>> {
    let seed = opts.seed.or(sc.seed).unwrap_or(DEFAULT_SEED);
    let mut lab = Lab::new(seed);
    if let Some(b) = opts.event_budget {
        limits.events_per_second = b;
    }
    lab.world_mut().set_limits(limits);
    let mut r = Runner {
        file,
        source,
        lab,
        jobs: Vec::new(),
        attribution: Attribution::default(),
        exits: BTreeMap::new(),
        dry: opts.dry_run,
        dry_jobs: Vec::new(),
    };
    // A dry run (`nslab check`) goes on past a refused step, to report every one.
    let mut refused = Vec::new();
    for (i, step) in sc.steps.iter().enumerate() {
        if let Err(e) = r.run_step(i, step) {
            if r.dry {
                refused.push(e);
                r.lab.reap();
                continue;
            }
            let transcript = r.lab.world().stopped().map(|_| {
                transcript::text(&transcript::render(
                    r.lab.world().trace().records(),
                    &r.attribution,
                    &sc.steps,
                    &r.exits,
                ))
            });
            return Err(Box::new(Failed { error: e, transcript }));
        }
        r.lab.reap();
    }
    if let Some(error) = ScenarioError::all(refused) {
        return Err(Box::new(Failed { error, transcript: None }));
    }
    for j in r.jobs.clone() {
        // A daemon that detached is no longer the terminal's job: Ctrl-C does not reach it.
        if !r.lab.is_detached(j.job) {
            r.lab.interrupt(j.job);
        }
    }
    r.lab.reap();
    let rendered = transcript::render(r.lab.world().trace().records(), &r.attribution, &sc.steps, &r.exits);
    Ok(Run { lab: r.lab, seed, attribution: r.attribution, steps: sc.steps.clone(), exits: r.exits, rendered })
}

impl Run {
    /// What the command line prints and writes of it.
    pub fn outcome(&self) -> transcript::Outcome {
        transcript::Outcome {
            steps: self.steps.clone(),
            records: self.records().to_vec(),
            attribution: self.attribution.clone(),
            captures: self.captures(),
            rendered: self.rendered.clone(),
            how: format!("(seed {}, {} s virtual)", self.seed, self.end()),
        }
    }

    /// Checks every step's expectations.
    pub fn failures(&self, file: &str) -> Vec<Failure> {
        failures(file, &self.steps, &self.rendered)
    }

    /// The captures, named, for [`transcript::pcapng`].
    pub fn captures(&self) -> Vec<transcript::CaptureName> {
        transcript::captures_of(&self.lab)
    }

    /// The trace.
    pub fn records(&self) -> &[Record] {
        self.lab.world().trace().records()
    }

    /// The virtual time the run ended at.
    pub fn end(&self) -> Instant {
        self.lab.world().now()
    }
}
