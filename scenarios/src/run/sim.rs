//! The sim back end: a scenario's steps on a [`Lab`], in virtual time, as
//! [`super::shell`] drives them through [`Backend`]. A dry run (`nslab check`) is this back
//! end with nothing started: configuration commands run on a lab that runs nothing, time
//! stands still, and a background job is only a note of whether it would ever end.
//!
//! It owns the lab, its trace, and which step each process and capture belongs to; job
//! numbers, refusals and their words are the shell's.

use super::backend::{Backend, Refusal, Said};
use super::shell::{self, Job as ShellJob};
use crate::command::{Brctl, Command, Ip6Command, LinkKind, Scenario, Secs, Step, SysctlOut};
use crate::error::ScenarioError;
use crate::render::transcript::{self, Attribution, Failure, Rendered, failures};
use sim_nodes::netfilter::Family as NfFamily;

use sim_core::world::{BudgetExhausted, DEFAULT_EVENT_BUDGET, Limit, Limits};
use sim_core::{Duration, Filter, Instant, NodeId, Record, Stream};
use sim_nodes::netns::fib::Proto;
use sim_nodes::proc::Ping;
use sim_nodes::show::{Extra, Family};
use sim_nodes::{Job, Lab, LabError};
use std::collections::BTreeMap;
use std::net::IpAddr;

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
    /// Leave the background jobs running at the end rather than give each Ctrl-C (`nslab
    /// shell`: the next line goes on with them).
    pub keep_jobs: bool,
}

/// The seed used when neither the command line nor the scenario gives one.
pub const DEFAULT_SEED: u64 = 1;

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

/// A program the sim started; in a dry run, one it would have started.
#[derive(Clone, Copy, Debug)]
pub enum SimJob {
    /// A process of the lab.
    Live(Job),
    /// A dry run's job: `stopped` once it would no longer run (`kill %N`, or a ping
    /// without `-c` that ends at once).
    Dry {
        /// It would not run any more.
        stopped: bool,
    },
}

/// The sim back end.
pub struct Sim<'a> {
    file: &'a str,
    source: &'a str,
    lab: Lab,
    attribution: Attribution,
    dry: bool,
    keep_jobs: bool,
}

/// Polls a future of the sim back end, which never waits: it is ready at once.
fn ready<F: std::future::Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match f.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(v) => v,
        std::task::Poll::Pending => unreachable!("the sim back end never waits: its futures are ready at once"),
    }
}

impl Sim<'_> {
    fn node(&self, step: &Step) -> Result<NodeId, Refusal> {
        self.lab.ns(step.ns.as_deref()).map_err(|e| {
            let r = Refusal::from(e);
            match step.ns.as_deref() {
                Some(ns) => r.at_word(ns),
                None => r,
            }
        })
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

    /// `sleep inf`, and a sleep whose end virtual time cannot count: runs until nothing
    /// more can happen — no event due at all — and leaves the clock at the last thing that
    /// did. A lab that is still busy after [`PATIENCE`] never would be quiet: that is an
    /// error naming what keeps it busy, not a hang.
    fn sleep_until_quiet(&mut self, step: &Step, jobs: &[ShellJob<SimJob>]) -> Result<(), ScenarioError> {
        let limit = self.lab.world().now() + PATIENCE;
        self.lab.world_mut().run_while(limit, |_| true).map_err(|e| self.budget(step, e))?;
        if self.lab.world().next_event_time().is_none() {
            return Ok(());
        }
        let busy: Vec<String> = jobs
            .iter()
            .filter(|j| self.running(&j.job))
            .map(|j| match j.number {
                0 => format!("the job of line {}", j.line),
                n => format!("%{n} (line {})", j.line),
            })
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

    /// [`SHELL_GAP`] of virtual time passes (none in a dry run).
    fn shell_gap(&mut self) -> Result<(), BudgetExhausted> {
        if self.dry {
            return Ok(());
        }
        let until = self.lab.world().now() + SHELL_GAP;
        self.lab.world_mut().run_until(until)
    }

    /// A dry run's start: nothing starts, but a capture's interface must exist, and a
    /// ping without `-c` is started on this machine that runs nothing, to see whether it
    /// ends at once (no route, an address it cannot bind), and stopped.
    fn start_dry(&mut self, step: &Step, node: NodeId) -> Result<SimJob, Refusal> {
        if let Command::Tcpdump(t) = &step.run
            && t.iface != "any"
        {
            self.lab.dev_index(node, &t.iface).map_err(|e| Refusal::from(e).at_word(&t.iface))?;
        }
        let mut stopped = false;
        if let Command::Ping(p) = &step.run
            && p.count.is_none()
        {
            let job = self.lab.spawn(node, Box::new(Ping::new(crate::run::spawn::ping_args(p))));
            stopped = !self.lab.is_running(job);
            if !stopped {
                self.lab.interrupt(job);
            }
        }
        Ok(SimJob::Dry { stopped })
    }

    /// Starts a program on the lab.
    fn start_live(&mut self, i: usize, step: &Step, node: NodeId) -> Result<Result<SimJob, Refusal>, ScenarioError> {
        let job = match &step.run {
            Command::Tcpdump(t) => {
                let filter = Filter::parse(&t.filter)
                    .map_err(|e| ScenarioError::at(self.file, self.source, step.span, e.to_string()))?;
                let (writes, verbose) = (t.write.is_some(), t.verbose > 0);
                match self.lab.tcpdump_count(node, &t.iface, (filter, &t.filter), writes, t.count, verbose) {
                    Ok((job, cap)) => {
                        let opts = t.options();
                        self.attribution.captures.insert(cap, (i, opts, t.write.is_some()));
                        job
                    }
                    Err(e) => return Ok(Err(Refusal::from(e).at_word(&t.iface))),
                }
            }
            cmd => match crate::run::spawn::process(cmd, &self.lab.files().clone()) {
                Some(Ok(p)) => self.lab.spawn(node, p),
                Some(Err(v)) => {
                    let at = v.word.as_deref().map(|w| step.locate(w)).unwrap_or(step.span);
                    return Err(ScenarioError::at(self.file, self.source, at, v.message).with_opt_hint(v.hint));
                }
                None => unreachable!("start takes processes only"),
            },
        };
        let ns = self.lab.netns(job.node).ns_name().clone();
        self.attribution.procs.insert((ns, job.pid), i);
        Ok(Ok(SimJob::Live(job)))
    }

    /// `iptables`, `iptables-save`, `iptables-restore`, `conntrack`, `tc`: what the tool
    /// printed.
    fn netfilter(&mut self, node: NodeId, cmd: &Command) -> Result<Said, LabError> {
        let out = match cmd {
            Command::Iptables { family: NfFamily::V4, args } => self.lab.iptables(node, args),
            Command::Iptables { family: NfFamily::V6, args } => self.lab.ip6tables(node, args),
            Command::IptablesSave { family: NfFamily::V4, args } => self.lab.iptables_save(node, args),
            Command::IptablesSave { family: NfFamily::V6, args } => self.lab.ip6tables_save(node, args),
            Command::IptablesRestore { family: NfFamily::V4, args, input } => {
                self.lab.iptables_restore(node, args, input)
            }
            Command::IptablesRestore { family: NfFamily::V6, args, input } => {
                self.lab.ip6tables_restore(node, args, input)
            }
            // What `conntrack` finds depends on traffic, which a dry run has none of: its
            // words were checked; its answer is the run's.
            Command::Conntrack { .. } if self.dry => Ok(Default::default()),
            Command::Conntrack { args } => self.lab.conntrack(node, args),
            Command::Tc { args } => self.lab.tc(node, args),
            _ => unreachable!("netfilter takes the netfilter and tc tools only"),
        }?;
        Ok(Said { stdout: out.stdout, stderr: out.stderr, status: 0 })
    }

    /// Configuration commands: the `ip` and `sysctl` vocabulary.
    fn ip(&mut self, node: NodeId, cmd: &Command) -> Result<Vec<String>, LabError> {
        // Which route a packet takes depends on routes programs add as they run (a router
        // advertisement's, dhclient's), which a dry run has none of: its words were
        // checked; a route it does not find yet is the run's to say.
        if self.dry && matches!(cmd, Command::RouteGet { .. }) {
            let r = self.ip_now(node, cmd);
            return Ok(r.unwrap_or_default());
        }
        self.ip_now(node, cmd)
    }

    fn ip_now(&mut self, node: NodeId, cmd: &Command) -> Result<Vec<String>, LabError> {
        let lab = &mut self.lab;
        match cmd {
            Command::NetnsAdd { name } => lab.netns_add(name).map(|_| vec![]),
            Command::NetnsDel { name } => lab.netns_del(name).map(|_| vec![]),
            Command::NetnsList => Ok(lab.netns_list()),
            Command::LinkAdd { name, netns, kind } => {
                // The device in `netns` (else here); a veth's peer in its own `netns`, else
                // here. ip opens each namespace before it asks the kernel anything.
                let open = |lab: &sim_nodes::Lab, n: &Option<String>| -> Result<NodeId, LabError> {
                    let Some(n) = n else { return Ok(node) };
                    lab.ns(Some(n)).map_err(|e| LabError {
                        message: format!("Error: argument \"{n}\" is wrong: Invalid \"netns\" value"),
                        status: 255,
                        hint: e.hint,
                    })
                };
                let at = open(lab, netns)?;
                match kind {
                    LinkKind::Veth { peer, peer_netns } => {
                        let pn = open(lab, peer_netns)?;
                        lab.veth_add(at, name, peer, Some(pn)).map(|_| vec![])
                    }
                    LinkKind::Bridge => lab.bridge_add(at, name).map(|_| vec![]),
                }
            }
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
                if s.no_mcast_snooping {
                    // nslab's bridges snoop nothing: this only checks that DEV is one.
                    lab.bridge_set_no_snooping(node, &dev)?;
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
            Command::LinkShow { dev, stats, errors, details, fmt, color } => {
                let extra = Extra { stats: u8::from(*stats) + u8::from(*errors), details: *details };
                lab.link_show_with(node, dev.as_deref(), extra, *fmt, *color)
            }
            Command::Brief { addr, inet, dev, fmt, color } => {
                let family = if *inet { Family::Inet } else { Family::Any };
                lab.brief_show(node, *addr, family, dev.as_deref(), *fmt, *color)
            }
            Command::AddrAdd { addr, dev, brd } => {
                lab.addr_add(node, dev, addr.addr, addr.prefix, *brd).map(|_| vec![])
            }
            Command::AddrDel { addr, dev } => lab.addr_del(node, dev, addr.addr, Some(addr.prefix)).map(|_| vec![]),
            Command::AddrFlush { dev } => lab.addr_flush(node, dev).map(|_| vec![]),
            Command::AddrShow { dev, inet, stats, errors, details, fmt, color } => {
                let family = if *inet { Family::Inet } else { Family::Any };
                let extra = Extra { stats: u8::from(*stats) + u8::from(*errors), details: *details };
                lab.addr_show_family(node, dev.as_deref(), family, extra, *fmt, *color)
            }
            Command::Ip6(c) => ip6(lab, node, c),
            Command::RouteAdd(r) | Command::RouteDel(r) | Command::RouteReplace(r) => {
                let proto = match r.proto.as_deref() {
                    None | Some("boot") => Proto::Boot,
                    Some("static") => Proto::Static,
                    Some("dhcp") => Proto::Dhcp,
                    Some("kernel") => Proto::Kernel,
                    Some(p) => return Err(LabError::unsupported(format!("proto {p}"))),
                };
                if !matches!(cmd, Command::RouteDel(_)) {
                    let replace = matches!(cmd, Command::RouteReplace(_));
                    let spec = (r.to.addr, r.to.prefix, r.via, r.dev.as_deref());
                    lab.route_set(node, spec, r.metric.unwrap_or(0), r.src, proto, r.onlink, replace).map(|_| vec![])
                } else {
                    lab.route_del(node, r.to.addr, r.to.prefix, r.via, r.dev.as_deref(), r.metric.unwrap_or(0))
                        .map(|_| vec![])
                }
            }
            Command::RouteShow { dev, fmt, color } => lab.route_show_as(node, dev.as_deref(), *fmt, *color),
            Command::RouteGet { dst, from } => match (dst, from) {
                (IpAddr::V4(d), None) => lab.route_get(node, *d, None),
                (IpAddr::V4(d), Some(IpAddr::V4(f))) => lab.route_get(node, *d, Some(*f)),
                (IpAddr::V6(d), None) => lab.route6_get(node, *d, None),
                (IpAddr::V6(d), Some(IpAddr::V6(f))) => lab.route6_get(node, *d, Some(*f)),
                (_, Some(f)) => {
                    let family = if dst.is_ipv4() { "inet" } else { "inet6" };
                    Err(LabError {
                        message: format!("Error: {family} prefix is expected rather than \"{f}\"."),
                        status: 1,
                        hint: Some("`from` takes an address of the destination's family".into()),
                    })
                }
            },
            Command::NeighShow { dev, fmt, color } => lab.neigh_show_as(node, dev.as_deref(), *fmt, *color),
            Command::NeighFlush { dev } => lab.neigh_flush(node, dev.as_deref()).map(|_| vec![]),
            Command::NeighSet(n) => {
                use crate::command::{NeighNud, NeighOp};
                use sim_nodes::netns::neigh::Nud;
                let state = match (n.op, n.nud) {
                    (NeighOp::Del, _) => None,
                    (_, None | Some(NeighNud::Permanent)) => Some(Nud::Permanent),
                    (_, Some(NeighNud::Reachable)) => Some(Nud::Reachable),
                    (_, Some(NeighNud::Stale)) => Some(Nud::Stale),
                };
                let (create, exclusive) = match n.op {
                    NeighOp::Add => (true, true),
                    NeighOp::Replace => (true, false),
                    NeighOp::Change | NeighOp::Del => (false, false),
                };
                lab.neigh_set(node, &n.dev, n.addr, n.lladdr, state, create, exclusive).map(|_| vec![])
            }
            Command::BridgeFdbShow { br } => lab.bridge_fdb_show(node, br.as_deref()),
            Command::BridgeLinkShow { dev, details } => lab.bridge_link_show(node, dev.as_deref(), *details),
            Command::BridgeLinkSet { dev, opts } => {
                let o = opts.clone();
                lab.bridge_link_set(node, dev, o.priority, move |p| {
                    if let Some(c) = o.cost {
                        p.cost = c;
                    }
                    if let Some(x) = o.priority {
                        p.priority = x;
                    }
                    let flags = [
                        (&mut p.hairpin, o.hairpin),
                        (&mut p.learning, o.learning),
                        (&mut p.flood, o.flood),
                        (&mut p.mcast_flood, o.mcast_flood),
                        (&mut p.bcast_flood, o.bcast_flood),
                        (&mut p.isolated, o.isolated),
                    ];
                    for (field, v) in flags {
                        if let Some(v) = v {
                            *field = v;
                        }
                    }
                })?;
                Ok(vec![])
            }
            Command::Brctl(b) => match b {
                Brctl::Addbr(n) => lab.brctl_addbr(node, n).map(|_| vec![]),
                Brctl::Delbr(n) => lab.brctl_delbr(node, n).map(|_| vec![]),
                Brctl::Addif(br, d) => lab.link_set_master(node, d, Some(br)).map(|_| vec![]),
                Brctl::Delif(_, d) => lab.link_set_master(node, d, None).map(|_| vec![]),
                Brctl::Show(br) => lab.brctl_show(node, br.as_deref()),
                Brctl::Showmacs(br) => lab.brctl_showmacs(node, br),
                Brctl::Setageing(br, t) => lab.bridge_set_ageing(node, br, t.0).map(|_| vec![]),
            },
            Command::Sysctl { key, value, out } => {
                let line = match value {
                    Some(v) => lab.sysctl_set(node, key, v)?,
                    None => lab.sysctl_get(node, key)?,
                };
                Ok(match out {
                    SysctlOut::Quiet if value.is_some() => vec![],
                    SysctlOut::Values => vec![line.split_once(" = ").map_or(line.clone(), |(_, v)| v.to_string())],
                    _ => vec![line],
                })
            }
            Command::Truncate { size, file } => {
                let bytes = crate::command::truncate_size(size)
                    .ok_or_else(|| LabError::unsupported(format!("truncate -s {size}")))?;
                lab.files().truncate(file, bytes, lab.world().now());
                Ok(vec![])
            }
            Command::SysctlLoad { .. }
            | Command::Ping(_)
            | Command::Tcpdump(_)
            | Command::Traceroute(_)
            | Command::Dnsmasq(_)
            | Command::Dhclient(_)
            | Command::Iptables { .. }
            | Command::IptablesSave { .. }
            | Command::IptablesRestore { .. }
            | Command::Conntrack { .. }
            | Command::Tc { .. }
            | Command::Nc(_)
            | Command::Curl(_)
            | Command::HttpServer(_)
            | Command::Sleep { .. }
            | Command::Kill { .. }
            | Command::Input { .. }
            | Command::Wait
            | Command::Echo { .. }
            | Command::Exec { .. } => {
                unreachable!("not configuration")
            }
        }
    }
}

impl Backend for Sim<'_> {
    type Job = SimJob;
    type Error = ScenarioError;

    async fn command(&mut self, step: &Step) -> Result<(), ScenarioError> {
        // The shell starting the command: what ran meanwhile (a connection's handshake, a
        // datagram on its way) has run, as on the kernel.
        self.shell_gap().map_err(|e| self.budget(step, e))?;
        self.lab.reap();
        let at = self.lab.world().now();
        let prompt = step.ns.clone().unwrap_or_default();
        self.lab.world_mut().record(Record::Command { at, prompt, line: step.text.clone() });
        Ok(())
    }

    fn say(&mut self, step: &Step, stream: Stream, line: String) {
        let at = self.lab.world().now();
        let ns = step.ns.as_deref().unwrap_or_default().into();
        self.lab.world_mut().record(Record::Output { at, ns, pid: 0, stream, line });
    }

    async fn configure(&mut self, _: usize, step: &Step) -> Result<Result<Said, Refusal>, ScenarioError> {
        let node = match self.node(step) {
            Ok(n) => n,
            Err(r) => return Ok(Err(r)),
        };
        let res = match &step.run {
            c @ (Command::Iptables { .. }
            | Command::Conntrack { .. }
            | Command::Tc { .. }
            | Command::IptablesSave { .. }
            | Command::IptablesRestore { .. }) => self.netfilter(node, c),
            Command::SysctlLoad { quiet, input } => sysctl_load(&mut self.lab, node, *quiet, input),
            c => self.ip(node, c).map(Said::ok),
        };
        Ok(res.map_err(Refusal::from))
    }

    async fn start(&mut self, i: usize, step: &Step) -> Result<Result<SimJob, Refusal>, ScenarioError> {
        let node = match self.node(step) {
            Ok(n) => n,
            Err(r) => return Ok(Err(r)),
        };
        if self.dry {
            return Ok(self.start_dry(step, node));
        }
        self.start_live(i, step, node)
    }

    async fn ended_at_once(&mut self, job: &mut SimJob) -> bool {
        !self.running(job)
    }

    async fn wait(&mut self, step: &Step, jobs: Vec<&mut SimJob>) -> Result<bool, ScenarioError> {
        let live: Vec<Job> =
            jobs.iter().filter_map(|j| if let SimJob::Live(j) = j { Some(*j) } else { None }).collect();
        let limit = self.lab.world().now() + PATIENCE;
        let done = self
            .lab
            .world_mut()
            .run_while(limit, |w| {
                // A daemon returns the prompt once it detaches (dhclient when bound).
                live.iter().any(|j| {
                    w.is_alive(j.node) && {
                        let n = w.node::<sim_nodes::Netns>(j.node);
                        n.is_running(j.pid) && !n.is_detached(j.pid)
                    }
                })
            })
            .map_err(|e| self.budget(step, e))?;
        Ok(done || !live.iter().any(|j| self.lab.is_running(*j) && !self.lab.is_detached(*j)))
    }

    fn running(&self, job: &SimJob) -> bool {
        match job {
            SimJob::Live(j) => self.lab.is_running(*j),
            SimJob::Dry { stopped } => !stopped,
        }
    }

    fn detached(&self, job: &SimJob) -> bool {
        match job {
            SimJob::Live(j) => self.lab.is_detached(*j),
            SimJob::Dry { .. } => false,
        }
    }

    async fn interrupt(&mut self, job: &mut SimJob) {
        match job {
            SimJob::Live(j) => self.lab.interrupt(*j),
            SimJob::Dry { stopped } => *stopped = true,
        }
    }

    async fn kill(&mut self, job: &mut SimJob) {
        // Every program of the sim ends on Ctrl-C.
        self.interrupt(job).await
    }

    async fn input(&mut self, job: &mut SimJob, line: &str) {
        if let SimJob::Live(j) = job {
            self.lab.input(*j, line);
        }
    }

    async fn sleep(&mut self, step: &Step, secs: Secs, jobs: &[ShellJob<SimJob>]) -> Result<(), ScenarioError> {
        if self.dry {
            return Ok(());
        }
        let now = self.lab.world().now().as_nanos();
        match now.checked_add(secs.0.as_nanos()).filter(|_| !secs.is_infinite()) {
            Some(until) => {
                let until = Instant::from_nanos(until);
                self.lab.world_mut().run_until(until).map_err(|e| self.budget(step, e))
            }
            None => self.sleep_until_quiet(step, jobs),
        }
    }

    async fn finish(&mut self, jobs: Vec<&mut SimJob>) {
        // Ctrl-C in each job's terminal, one after another as a person (or kernel mode,
        // waiting for each to exit) gives them, each a shell's gap after the last: what one
        // set going as it ended (a FIN, its answer) has happened before the next. (Should a
        // guard stop one of those milliseconds, the run ends all the same.)
        let _ = self.shell_gap();
        self.lab.reap();
        if self.keep_jobs {
            return;
        }
        for j in jobs {
            // A daemon that detached is no longer the terminal's job: Ctrl-C does not reach it.
            if let SimJob::Live(j) = j
                && !self.lab.is_detached(*j)
                && self.lab.is_running(*j)
            {
                self.lab.interrupt(*j);
                let _ = self.shell_gap();
                self.lab.reap();
            }
        }
    }

    async fn abandon(&mut self, _: Vec<&mut SimJob>) {
        // The lab stops with the run; the transcript shows it as it was at the error.
    }
}

/// The virtual time a shell takes to start a scenario's next command: a fork
/// and an exec, 1.1 ms on the reference machine (`/bin/true` in a loop; `ip netns exec NS
/// ip …` takes 5 ms). Every command starts this long after the one before, so what the one
/// before set going (a TCP handshake, a datagram, an ARP exchange) has happened by then, as
/// it has on the kernel.
pub const SHELL_GAP: Duration = Duration::from_millis(1);

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
    limits: Limits,
) -> Result<Run, Box<Failed>> {
    run_owned(file, source, sc.clone(), opts, limits)
}

/// [`run_with_limits`] for a caller done with `sc`: the run keeps its steps without a
/// copy (a script of 10⁵ hosts holds 7·10⁵ of them).
pub fn run_owned(
    file: &str,
    source: &str,
    sc: Scenario,
    opts: &RunOptions,
    limits: Limits,
) -> Result<Run, Box<Failed>> {
    let Executed { lab, seed, attribution, exits } = execute(file, source, &sc, opts, limits)?;
    let rendered = transcript::render(lab.world().trace().records(), &attribution, &sc.steps, &exits);
    Ok(Run { lab, seed, attribution, steps: sc.steps, exits, rendered })
}

/// Checks `sc` by a dry run (see [`crate::check`]): what [`run`] does with
/// [`RunOptions::dry_run`], without keeping a copy of the steps or rendering a transcript
/// nobody reads.
pub fn dry_run(file: &str, source: &str, sc: &Scenario) -> Result<(), ScenarioError> {
    let dry = RunOptions { dry_run: true, ..Default::default() };
    execute(file, source, sc, &dry, Limits::default()).map(|_| ()).map_err(|f| f.error)
}

/// What running the steps left.
struct Executed {
    lab: Lab,
    seed: u64,
    attribution: Attribution,
    exits: BTreeMap<usize, i32>,
}

/// Runs the steps: the lab as they left it, the seed, who started what, and the
/// configuration steps' exit statuses.
fn execute(
    file: &str,
    source: &str,
    sc: &Scenario,
    opts: &RunOptions,
    mut limits: Limits,
) -> Result<Executed, Box<Failed>> {
    let seed = opts.seed.or(sc.seed).unwrap_or(DEFAULT_SEED);
    let mut lab = Lab::new(seed);
    if let Some(b) = opts.event_budget {
        limits.events_per_second = b;
    }
    lab.world_mut().set_limits(limits);
    let mut sim =
        Sim { file, source, lab, attribution: Attribution::default(), dry: opts.dry_run, keep_jobs: opts.keep_jobs };
    // A dry run (`nslab check`) goes on past a refused step, to report every one.
    let ran = ready(shell::run_steps(&mut sim, file, source, &sc.steps, opts.dry_run));
    if let Err(error) = ran.result {
        let transcript = sim.lab.world().stopped().map(|_| {
            transcript::text(&transcript::render(
                sim.lab.world().trace().records(),
                &sim.attribution,
                &sc.steps,
                &ran.exits,
            ))
        });
        return Err(Box::new(Failed { error, transcript }));
    }
    if let Some(error) = ScenarioError::all(ran.refused) {
        return Err(Box::new(Failed { error, transcript: None }));
    }
    Ok(Executed { lab: sim.lab, seed, attribution: sim.attribution, exits: ran.exits })
}

/// Runs `sc`'s steps on `lab` as it stands — a lab a library user holds — and gives it
/// back with what the steps printed (rendered from the records they added), or the error
/// that stopped them.
pub fn run_on(lab: Lab, file: &str, source: &str, sc: &Scenario) -> (Lab, Result<Rendered, ScenarioError>) {
    let from = lab.world().trace().records().len();
    let mut sim = Sim { file, source, lab, attribution: Attribution::default(), dry: false, keep_jobs: false };
    let ran = ready(shell::run_steps(&mut sim, file, source, &sc.steps, false));
    let out = ran.result.map(|()| {
        transcript::render(&sim.lab.world().trace().records()[from..], &sim.attribution, &sc.steps, &ran.exits)
    });
    (sim.lab, out)
}

impl Run {
    /// What the command line prints and writes of it, the run given up: its steps and
    /// rendering move rather than being copied (a run of 10⁵ hosts has 6·10⁵ steps).
    pub fn into_outcome(mut self) -> transcript::Outcome {
        let captures = self.captures();
        let how = format!("(seed {}, {} s virtual)", self.seed, self.end());
        let drop_counts = self.lab.world().trace().drop_counts().clone();
        transcript::Outcome {
            // Taken, not copied: the lab goes with this run.
            records: self.lab.world_mut().take_records(),
            steps: self.steps,
            attribution: self.attribution,
            captures,
            rendered: self.rendered,
            how,
            epoch: transcript::SIM_EPOCH_NS,
            drop_counts,
            drop_counters: Vec::new(),
        }
    }

    /// What the command line prints and writes of it.
    pub fn outcome(&self) -> transcript::Outcome {
        transcript::Outcome {
            steps: self.steps.clone(),
            records: self.records().to_vec(),
            attribution: self.attribution.clone(),
            captures: self.captures(),
            rendered: self.rendered.clone(),
            how: format!("(seed {}, {} s virtual)", self.seed, self.end()),
            epoch: transcript::SIM_EPOCH_NS,
            drop_counts: self.lab.world().trace().drop_counts().clone(),
            drop_counters: Vec::new(),
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

    /// The names of the namespaces the run's drops (recorded or only counted) and table
    /// events name (`root` for the root's): what the renderers print for a node.
    pub fn node_names(&self) -> BTreeMap<NodeId, String> {
        let trace = self.lab.world().trace();
        let counted = trace.drop_counts().keys().map(|k| k.0);
        let recorded = trace.records().iter().filter_map(|r| match r {
            Record::Drop { node, .. } | Record::Event { node, .. } => Some(*node),
            _ => None,
        });
        counted.chain(recorded).map(|n| (n, self.lab.netns_name(n).unwrap_or("root").to_string())).collect()
    }

    /// Each namespace's drop counters as the kernel would show them at the end (see
    /// [`crate::render::counters`]), sorted.
    pub fn drop_counters(&self) -> Vec<String> {
        use crate::render::counters;
        let mut by_node: BTreeMap<NodeId, BTreeMap<&str, u64>> = BTreeMap::new();
        for ((node, _, reason), n) in self.lab.world().trace().drop_counts() {
            *by_node.entry(*node).or_default().entry(*reason).or_default() += n;
        }
        let mut out = Vec::new();
        for (name, node) in self.lab.namespaces() {
            let ns = name.unwrap_or("root");
            if let Some(reasons) = by_node.get(&node) {
                out.extend(counters::from_reasons(ns, reasons));
            }
            let save = sim_nodes::netfilter::save::save(self.lab.netns(node).iptables_tables(), None, true, "");
            out.extend(counters::from_iptables_save(ns, &save));
        }
        out.sort();
        out
    }
}

/// `sysctl -p -`: each setting written in order, as `-w` prints it; one that fails is
/// warned about on stderr and the rest still go, the status then 1 (measured: a `-KEY`
/// line's failure too, with procps-ng 4.0.2); a line without `=` is warned about first
/// (procps reads the whole file before it writes) and skipped, the status unchanged.
fn sysctl_load(lab: &mut Lab, node: NodeId, quiet: bool, input: &[String]) -> Result<Said, LabError> {
    use crate::command::SysctlLine;
    let lines =
        crate::command::sysctl_lines(input).map_err(|(_, message)| LabError { message, status: 255, hint: None })?;
    let mut said = Said::ok(Vec::new());
    // procps reads the whole file (warning about its bad lines) before it writes anything.
    for (n, l) in lines.iter().enumerate() {
        if *l == SysctlLine::Invalid {
            said.stderr.push(format!("sysctl: -({}): invalid syntax, continuing...", n + 1));
        }
    }
    for l in &lines {
        if let SysctlLine::Setting { key, value, .. } = l {
            match lab.sysctl_set(node, key, value) {
                Ok(line) if !quiet => said.stdout.push(line),
                Ok(_) => {}
                Err(e) => {
                    said.stderr.push(e.message);
                    said.status = 1;
                }
            }
        }
    }
    Ok(said)
}

/// An `ip -6` command on the lab.
fn ip6(lab: &mut Lab, node: NodeId, c: &Ip6Command) -> Result<Vec<String>, LabError> {
    match c {
        Ip6Command::AddrAdd { addr, dev, nodad } => {
            lab.addr6_add(node, dev, addr.addr, addr.prefix, *nodad).map(|_| vec![])
        }
        Ip6Command::AddrDel { addr, dev } => lab.addr6_del(node, dev, addr.addr).map(|_| vec![]),
        Ip6Command::AddrShow { brief: true, dev, fmt, color } => {
            lab.brief_show(node, true, Family::Inet6, dev.as_deref(), *fmt, *color)
        }
        Ip6Command::AddrShow { brief: false, dev, fmt, color } => {
            lab.addr_show_family(node, dev.as_deref(), Family::Inet6, Extra::default(), *fmt, *color)
        }
        Ip6Command::RouteShow { dev, color } => lab.route6_show(node, dev.as_deref(), *color),
        Ip6Command::NeighShow { dev, color } => lab.neigh6_show(node, dev.as_deref(), *color),
        Ip6Command::RouteAdd(r) | Ip6Command::RouteDel(r) => {
            let add = matches!(c, Ip6Command::RouteAdd(_));
            lab.route6_change(node, add, (r.to.addr, r.to.prefix), r.via, r.dev.as_deref(), r.metric).map(|_| vec![])
        }
    }
}
