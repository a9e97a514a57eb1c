//! The kernel runner: a scenario's steps, in order, on real namespaces in real time.
//!
//! It keeps the sim runner's shape so the two transcripts read alike: each step is a
//! command record, then what it printed; processes started with `&` are jobs (`kill %N`,
//! `wait`), and at the end every job still attached to the terminal gets SIGINT. A
//! configuration command the kernel refuses stops the run with the scenario's file, line
//! and column — unless the step expects that failure.

use crate::capture::Capture;
use crate::exec::{self, Proc, Recorder};
use crate::names::Names;
use crate::rtnl::{self, Refused, Rtnl};
use crate::{KernelError, netns};
use scenarios::command::{Command, LinkKind, Scenario, Step};
use scenarios::render::transcript::{self, Attribution, CaptureName, Rendered};
use scenarios::{ScenarioError, Span};
use sim_core::tcpdump::{self, Options};
use sim_core::{CaptureId, Filter, NodeId, Record, Stream};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// How long a foreground process or `wait` may take, in real time.
const PATIENCE: Duration = Duration::from_secs(600);
/// How long a job has to end after SIGINT before it gets SIGKILL.
const GRACE: Duration = Duration::from_secs(3);
/// How long the kernel may take to settle link states (linkwatch) before the next step.
const LINK_SETTLE: Duration = Duration::from_secs(5);
/// How long a background process gets to start before the next step.
const SETTLE: Duration = Duration::from_millis(300);
/// PIDs for the in-process captures' lines (they are not processes of the machine).
const CAPTURE_PID_BASE: u32 = 0x4000_0000;

/// What a kernel run produced: the same parts a sim run has.
#[derive(Debug)]
pub struct KernelRun {
    /// The steps, as run.
    pub steps: Vec<Step>,
    /// Which step every process and capture belongs to.
    pub attribution: Attribution,
    /// Exit statuses of configuration steps.
    pub exits: BTreeMap<usize, i32>,
    /// The trace.
    pub records: Vec<Record>,
    /// The captures, named.
    pub captures: Vec<CaptureName>,
    /// Everything rendered from the trace.
    pub rendered: Rendered,
    /// How long it took.
    pub elapsed: Duration,
}

impl KernelRun {
    /// What the command line prints and writes of it.
    pub fn into_outcome(self) -> transcript::Outcome {
        transcript::Outcome {
            how: format!("on the kernel ({:.1} s)", self.elapsed.as_secs_f64()),
            steps: self.steps,
            records: self.records,
            attribution: self.attribution,
            captures: self.captures,
            rendered: self.rendered,
        }
    }

    /// Checks every step's expectations, as for a sim run.
    pub fn failures(&self, file: &str) -> Vec<transcript::Failure> {
        transcript::failures(file, &self.steps, &self.rendered)
    }
}

enum JobKind {
    Proc { proc_: Proc, daemon: bool },
    Capture { cap: Capture, node: NodeId, pid: u32, ended: bool },
}

struct Job {
    number: u32,
    step: usize,
    kind: JobKind,
}

/// Removes the run's namespaces and files however the run ends (return, error, panic).
/// Its guard goes last (a field drops after `drop` ran): the record is removed and the
/// guard process let go only once everything else is.
pub(crate) struct Cleanup {
    pub(crate) made: Vec<(String, Option<u64>)>,
    pub(crate) dir: PathBuf,
    pub(crate) _guard: crate::guard::Guard,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        for (k, ino) in self.made.iter().rev() {
            let _ = netns::remove(k, *ino);
            crate::registry::forget(k);
        }
        let _ = std::fs::remove_dir_all(&self.dir);
        crate::registry::forget_dir(&self.dir);
    }
}

struct Kr<'a> {
    file: &'a str,
    source: &'a str,
    names: Names,
    rtnl: Rtnl,
    rec: Arc<Recorder>,
    nodes: BTreeMap<Option<String>, NodeId>,
    next_node: u32,
    cleanup: Cleanup,
    jobs: Vec<Job>,
    attribution: Attribution,
    exits: BTreeMap<usize, i32>,
    captures: Vec<CaptureName>,
    /// A step may have changed link states the kernel has not settled yet.
    unsettled: bool,
}

/// An argv of fixed words.
fn fixed(words: &[&str]) -> Vec<String> {
    words.iter().map(|w| w.to_string()).collect()
}

/// The dhclient.conf kernel mode gives dhclient: Debian's, without `send host-name` (the
/// sim's machine has no host name to send).
const DHCLIENT_CONF: &str = "option rfc3442-classless-static-routes code 121 = array of unsigned integer 8;\n\
request subnet-mask, broadcast-address, time-offset, routers,\n\
\tdomain-name, domain-name-servers, domain-search, host-name,\n\
\tdhcp6.name-servers, dhcp6.domain-search, dhcp6.fqdn, dhcp6.sntp-servers,\n\
\tnetbios-name-servers, netbios-scope, interface-mtu,\n\
\trfc3442-classless-static-routes, ntp-servers;\n";

impl<'a> Kr<'a> {
    fn error(&self, step: &Step, message: impl Into<String>, word: Option<&str>) -> ScenarioError {
        let at: Span = word.map(|w| step.locate(w)).unwrap_or(step.span);
        ScenarioError::at(self.file, self.source, at, message)
    }

    fn say(&self, node: NodeId, stream: Stream, line: String) {
        self.rec.push(|at| Record::Output { at, node, pid: 0, stream, line });
    }

    fn kernel_of(&self, ns: Option<&str>) -> Result<(String, NodeId), Refused> {
        match self.nodes.get(&ns.map(str::to_string)) {
            Some(n) => Ok((self.names.kernel(ns), *n)),
            None => Err(Refused {
                message: format!(
                    "Cannot open network namespace \"{}\": No such file or directory",
                    ns.unwrap_or_default()
                ),
                status: 1,
            }),
        }
    }

    async fn make_ns(&mut self, ns: Option<&str>) -> Result<(), KernelError> {
        let k = self.names.kernel(ns);
        crate::registry::remember(&k, None);
        self.cleanup.made.push((k.clone(), None));
        let ino = netns::create(&k).await?;
        crate::registry::remember(&k, Some(ino));
        if let Some(last) = self.cleanup.made.last_mut() {
            last.1 = Some(ino);
        }
        self.nodes.insert(ns.map(str::to_string), NodeId(self.next_node));
        self.next_node += 1;
        Ok(())
    }

    /// A refused command: its message as output when the step expects the failure, else
    /// the run stops here.
    fn refuse(&mut self, i: usize, step: &Step, node: NodeId, r: Refused) -> Result<(), KernelError> {
        let mut exits = std::mem::take(&mut self.exits);
        let say = |l| self.say(node, Stream::Stderr, l);
        let stop = || KernelError::Refused(Box::new(self.error(step, r.message.clone(), None)));
        let res = scenarios::run::shell::refuse(i, step, &r.message, r.status, &mut exits, say, stop);
        self.exits = exits;
        res
    }

    async fn tool(
        &mut self,
        i: usize,
        step: &Step,
        kernel: &str,
        node: NodeId,
        argv: Vec<String>,
    ) -> Result<(), KernelError> {
        let mut out = match &step.run {
            Command::IptablesRestore { args, input } => {
                let argv: Vec<String> =
                    std::iter::once("iptables-restore".to_string()).chain(args.iter().cloned()).collect();
                let text: String = input.iter().map(|l| format!("{l}\n")).collect();
                exec::run_input(kernel, &argv, text.as_bytes(), &self.names).await?
            }
            _ => exec::run(kernel, &argv, &self.names).await?,
        };
        // The scenario's root namespace has no name on a real machine: iproute2 shows a
        // link into it by id, not `link-netns root`.
        if out.stdout.iter().any(|l| l.contains("link-netns root")) {
            let ids = exec::run(kernel, &fixed(&["ip", "netns", "list-id"]), &self.names).await?;
            let id = ids
                .stdout
                .iter()
                .find(|l| l.ends_with("(iproute2 netns name: root)"))
                .and_then(|l| l.split_whitespace().nth(1));
            if let Some(id) = id {
                let with = format!("link-netnsid {id}");
                for l in &mut out.stdout {
                    *l = l.replace("link-netns root", &with);
                }
            }
        }
        // `ip … show` names a link's peer namespace by asking the kernel about every file in
        // /var/run/netns; one that another run is removing at that moment makes iproute2
        // print this, though its answer is complete. Nothing of this scenario's.
        if out.status == 0 {
            out.stderr.retain(|l| l != "Error: Peer netns reference is invalid.");
        }
        if out.status != 0 && scenarios::run::shell::expected_exit(step).is_none_or(|n| n == 0) {
            let msg = if out.stderr.is_empty() { out.stdout.join("\n") } else { out.stderr.join("\n") };
            return Err(KernelError::Refused(Box::new(self.error(step, msg, None))));
        }
        for l in out.stdout {
            self.say(node, Stream::Stdout, l);
        }
        for l in out.stderr {
            self.say(node, Stream::Stderr, l);
        }
        self.exits.insert(i, out.status);
        Ok(())
    }

    /// Waits (up to [`LINK_SETTLE`]) until every namespace's links are settled
    /// ([`rtnl::settled`]): what the time a person takes to type the next command gives.
    async fn settle(&mut self) -> Result<(), KernelError> {
        let kernels: Vec<String> = self.nodes.keys().map(|k| self.names.kernel(k.as_deref())).collect();
        let until = std::time::Instant::now() + LINK_SETTLE;
        for k in kernels {
            let h = self.rtnl.handle(&k)?;
            while !rtnl::settled(&h).await.unwrap_or(true) && std::time::Instant::now() < until {
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
        }
        Ok(())
    }

    async fn run_step(&mut self, steps: &[Step], i: usize, step: &Step) -> Result<(), KernelError> {
        if std::mem::take(&mut self.unsettled) {
            self.settle().await?;
        }
        // Anything but a look or a wait may change a link (a veth's peer, a bridge's ports).
        self.unsettled = !matches!(
            step.run,
            Command::LinkShow { .. }
                | Command::AddrShow { .. }
                | Command::RouteShow { .. }
                | Command::NeighShow { .. }
                | Command::BridgeFdbShow { .. }
                | Command::Sleep { .. }
        );
        let prompt = step.ns.clone().unwrap_or_default();
        let line = step.text.clone();
        self.rec.push(|at| Record::Command { at, prompt, line });
        let (kernel, node) = match self.kernel_of(step.ns.as_deref()) {
            Ok(x) => x,
            Err(r) => return self.refuse(i, step, NodeId(0), r),
        };
        match &step.run {
            Command::NetnsAdd { name } => {
                if self.nodes.contains_key(&Some(name.clone())) {
                    let r = Refused {
                        message: format!("Cannot create namespace file \"/run/netns/{name}\": File exists"),
                        status: 1,
                    };
                    return self.refuse(i, step, node, r);
                }
                self.make_ns(Some(name)).await?;
                self.exits.insert(i, 0);
            }
            Command::NetnsDel { name } => match self.kernel_of(Some(name)) {
                Ok((k, n)) => {
                    // Only the name goes: what still runs in it keeps it (and its links) alive.
                    self.rtnl.forget(&k);
                    let ids = self.peer_ids(&k).await;
                    netns::unname(&k)?;
                    self.nodes.remove(&Some(name.clone()));
                    let ino = self.cleanup.made.iter().find(|(m, _)| *m == k).and_then(|(_, i)| *i);
                    let held = ino.is_some_and(|i| !netns::pids(i).is_empty())
                        || self
                            .jobs
                            .iter()
                            .any(|j| matches!(&j.kind, JobKind::Capture { node, ended: false, .. } if *node == n));
                    if !held {
                        // The kernel tears a namespace down in a work queue, a little later:
                        // wait until the others no longer know its id.
                        self.wait_gone(&ids).await;
                    }
                    self.exits.insert(i, 0);
                }
                Err(_) => {
                    let r = Refused {
                        message: format!(
                            "Cannot remove namespace file \"/run/netns/{name}\": No such file or directory"
                        ),
                        status: 1,
                    };
                    return self.refuse(i, step, node, r);
                }
            },
            Command::NetnsList => {
                // Newest first, as `ip netns list` reads /run/netns here.
                let mut ours: Vec<(NodeId, &String)> =
                    self.nodes.iter().filter_map(|(k, v)| k.as_ref().map(|n| (*v, n))).collect();
                ours.sort();
                for (_, n) in ours.into_iter().rev() {
                    self.say(node, Stream::Stdout, n.clone());
                }
                self.exits.insert(i, 0);
            }
            Command::Sleep { secs } => {
                tokio::time::sleep(Duration::from_nanos(secs.0.as_nanos())).await;
            }
            Command::Kill { job } => self.kill(i, step, node, *job).await?,
            Command::Wait => self.wait(steps, step).await?,
            Command::Input { job, line } => {
                let found = self.jobs.iter_mut().find(|j| j.number == *job);
                match found {
                    Some(Job { kind: JobKind::Proc { proc_, .. }, .. }) if proc_.running() => {
                        proc_.type_line(line).await;
                        // What it sends takes a moment to be on its way.
                        tokio::time::sleep(SETTLE).await;
                        self.exits.insert(i, 0);
                    }
                    _ => {
                        let r = Refused { message: scenarios::run::shell::no_such_job("input", *job), status: 1 };
                        return self.refuse(i, step, node, r);
                    }
                }
            }
            Command::Tcpdump(t) => {
                let filter = Filter::parse(&t.filter)
                    .map_err(|e| KernelError::Refused(Box::new(self.error(step, e.to_string(), None))))?;
                let id = CaptureId(self.captures.len() as u32);
                match Capture::start(&kernel, &t.iface, filter, id, &self.rec)? {
                    Ok(cap) => {
                        let pid = CAPTURE_PID_BASE + id.0;
                        for l in tcpdump::start_lines(&t.iface, t.write.is_some()) {
                            self.rec.push(|at| Record::Output { at, node, pid, stream: Stream::Stderr, line: l });
                        }
                        let ns = step.ns.as_deref().unwrap_or("root");
                        self.captures.push(CaptureName {
                            id,
                            name: format!("{ns}/{}", t.iface),
                            filter: (!t.filter.is_empty()).then(|| t.filter.clone()),
                        });
                        let opts = Options { link_header: t.link_header, timestamp: !t.no_timestamp };
                        self.attribution.captures.insert(id, (i, opts, t.write.is_some()));
                        self.attribution.procs.insert((node, pid), i);
                        let number = self.jobs.len() as u32 + 1;
                        self.jobs.push(Job {
                            number,
                            step: i,
                            kind: JobKind::Capture { cap, node, pid, ended: false },
                        });
                    }
                    Err(msg) => return self.refuse(i, step, node, Refused { message: msg, status: 1 }),
                }
            }
            c if c.is_process() => self.start_process(i, step, &kernel, node).await?,
            _ => self.configure(i, step, &kernel, node).await?,
        }
        Ok(())
    }

    async fn configure(&mut self, i: usize, step: &Step, kernel: &str, node: NodeId) -> Result<(), KernelError> {
        let h = self.rtnl.handle(kernel)?;
        let res: Result<(), Refused> = match &step.run {
            Command::LinkAdd { name, kind: LinkKind::Veth { peer, peer_netns } } => {
                let file = match peer_netns {
                    Some(p) => match self.kernel_of(Some(p)) {
                        Ok((k, _)) => {
                            Some(std::fs::File::open(netns::path(&k)).map_err(|e| KernelError::Io(e.to_string()))?)
                        }
                        Err(r) => return self.refuse(i, step, node, r),
                    },
                    None => None,
                };
                rtnl::veth_add(&h, name, peer, file.as_ref()).await
            }
            Command::LinkAdd { name, kind: LinkKind::Bridge } => rtnl::bridge_add(&h, name).await,
            Command::LinkDel { dev } => rtnl::link_del(&h, dev).await,
            Command::LinkSet(s) => {
                let target = match &s.netns {
                    Some(t) => match self.kernel_of(Some(t)) {
                        Ok((k, _)) => {
                            let th = self.rtnl.handle(&k)?;
                            let f = std::fs::File::open(netns::path(&k)).map_err(|e| KernelError::Io(e.to_string()))?;
                            Some((th, f))
                        }
                        Err(_) => {
                            let r = Refused {
                                message: format!("Error: argument \"{t}\" is wrong: Invalid \"netns\" value"),
                                status: 255,
                            };
                            return self.refuse(i, step, node, r);
                        }
                    },
                    None => None,
                };
                let mut plain = s.clone();
                let ageing = plain.ageing_time.take();
                let r = rtnl::link_set(&h, &plain, target.as_ref().map(|(h, f)| (h, f))).await;
                match (r, ageing) {
                    (Ok(()), Some(a)) => {
                        let dev = s.name.clone().unwrap_or_else(|| s.dev.clone());
                        let a = a.to_string();
                        let argv = fixed(&["ip", "link", "set", "dev", &dev, "type", "bridge", "ageing_time", &a]);
                        return self.tool(i, step, kernel, node, argv).await;
                    }
                    (r, _) => r,
                }
            }
            Command::AddrAdd { addr, dev, brd } => rtnl::addr_add(&h, *addr, dev, *brd).await,
            Command::AddrDel { addr, dev } => rtnl::addr_del(&h, *addr, dev).await,
            Command::AddrFlush { dev } => rtnl::addr_flush(&h, dev).await,
            Command::RouteAdd(r) => rtnl::route_add(&h, r).await,
            Command::RouteDel(r) => rtnl::route_del(&h, r).await,
            other => {
                // Shows, neighbour flushes, bridge tables, brctl, sysctl: the tool itself.
                let argv = other.argv();
                return self.tool(i, step, kernel, node, argv).await;
            }
        };
        match res {
            Ok(()) => {
                self.exits.insert(i, 0);
                Ok(())
            }
            Err(r) => self.refuse(i, step, node, r),
        }
    }

    fn argv(&self, step: &Step) -> Result<(Vec<String>, bool), KernelError> {
        if let Command::Nc(n) = &step.run {
            // nmap's ncat, which the sim models (Debian's `nc` may be another netcat).
            let mut argv = vec!["ncat".to_string()];
            argv.extend(n.args());
            return Ok((argv, false));
        }
        let dir = self.cleanup.dir.display().to_string();
        match &step.run {
            Command::Curl(_) => {
                // What a terminal shows: curl draws its progress meter only into a pipe.
                let mut argv = step.run.argv();
                argv.insert(1, "--no-progress-meter".into());
                return Ok((argv, false));
            }
            Command::HttpServer(_) => {
                // Unbuffered as on a terminal, serving an empty directory (as the sim does).
                let www = self.cleanup.dir.join("www");
                std::fs::create_dir_all(&www).map_err(|e| KernelError::Io(format!("{}: {e}", www.display())))?;
                let mut argv = vec!["env".into(), "PYTHONUNBUFFERED=1".into()];
                argv.extend(step.run.argv());
                argv.extend(["--directory".into(), www.display().to_string()]);
                return Ok((argv, false));
            }
            _ => {}
        }
        let mut argv = step.run.argv();
        let ns = step.ns.as_deref().unwrap_or("root");
        let daemon = match &step.run {
            Command::Dnsmasq(d) => {
                let n = self.jobs.len();
                argv.push(format!("--pid-file={dir}/dnsmasq-{ns}-{n}.pid"));
                argv.push(format!("--dhcp-leasefile={dir}/dnsmasq-{ns}-{n}.leases"));
                argv.push("--conf-file=/dev/null".into());
                !d.no_daemon
            }
            Command::Dhclient(d) => {
                let conf = self.cleanup.dir.join("dhclient.conf");
                std::fs::write(&conf, DHCLIENT_CONF)
                    .map_err(|e| KernelError::Io(format!("{}: {e}", conf.display())))?;
                let iface = argv.pop().unwrap_or_default();
                argv.extend([
                    "-pf".into(),
                    format!("{dir}/dhclient-{ns}-{iface}.pid"),
                    "-lf".into(),
                    format!("{dir}/dhclient-{ns}-{iface}.leases"),
                    "-cf".into(),
                    conf.display().to_string(),
                    iface,
                ]);
                !d.foreground && !d.release
            }
            _ => false,
        };
        Ok((argv, daemon))
    }

    async fn start_process(&mut self, i: usize, step: &Step, kernel: &str, node: NodeId) -> Result<(), KernelError> {
        let endless = matches!(&step.run, Command::Ping(p) if p.count.is_none()) && !step.background;
        let (argv, daemon) = self.argv(step)?;
        let stdin = match &step.run {
            Command::Nc(n) => n.input.as_ref().map(|l| format!("{l}\n").into_bytes()),
            _ => None,
        };
        let mut proc_ = exec::spawn(kernel, &argv, stdin, node, &self.rec, &self.names)?;
        self.attribution.procs.insert((node, proc_.pid), i);
        // A foreground ping without -c is fine only if it fails at once (`connect:
        // Network is unreachable`), as the sim lets it.
        if endless && proc_.wait(Duration::from_secs(1)).await.is_none() {
            proc_.kill();
            return Err(KernelError::Refused(Box::new(scenarios::run::shell::endless_ping(
                self.file,
                self.source,
                step,
            ))));
        }
        if step.background {
            // Give it the moment a person gives a program started in another terminal:
            // `conntrack -E` prints nothing until an event, dnsmasq must bind its port.
            tokio::time::sleep(SETTLE).await;
            // A server started in another terminal is listening by the time a person types
            // the next command: wait (up to 10 s) until its port is bound, looking with `ss`
            // (no traffic that a capture would see). Python takes a while to start; under
            // load anything may.
            let listens = match &step.run {
                Command::HttpServer(h) => Some(("-Hltn", h.port.unwrap_or(8000))),
                Command::Nc(n) if n.listen => Some((if n.udp { "-Hlun" } else { "-Hltn" }, n.port)),
                Command::Dnsmasq(_) => Some(("-Hlun", 67)),
                _ => None,
            };
            if let Some((flags, port)) = listens {
                let sport = format!("sport = :{port}");
                let argv = fixed(&["ss", flags, &sport]);
                for _ in 0..100 {
                    match exec::run(kernel, &argv, &self.names).await {
                        Ok(o) if !o.stdout.is_empty() => break,
                        _ if !proc_.running() => break,
                        _ => tokio::time::sleep(Duration::from_millis(100)).await,
                    }
                }
            }
            let number = self.jobs.len() as u32 + 1;
            self.jobs.push(Job { number, step: i, kind: JobKind::Proc { proc_, daemon } });
        } else if proc_.wait(PATIENCE).await.is_none() {
            proc_.kill();
            return Err(KernelError::Refused(Box::new(
                self.error(step, "this command never ends", None)
                    .with_hint("give it a count or a deadline, or run it in the background"),
            )));
        }
        Ok(())
    }

    /// For each namespace of ours that has an id for `kernel`: that namespace and the id.
    async fn peer_ids(&self, kernel: &str) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let others: Vec<String> =
            self.nodes.keys().map(|k| self.names.kernel(k.as_deref())).filter(|k| k != kernel).collect();
        let raw = Names::default();
        for o in others {
            let Ok(r) = exec::run(&o, &fixed(&["ip", "netns", "list-id"]), &raw).await else { continue };
            for l in r.stdout {
                if l.ends_with(&format!("(iproute2 netns name: {kernel})"))
                    && let Some(id) = l.split_whitespace().nth(1)
                {
                    out.push((o.clone(), id.to_string()));
                }
            }
        }
        out
    }

    /// Waits (up to 3 s) until none of `ids` is known any more: the namespace is gone.
    async fn wait_gone(&self, ids: &[(String, String)]) {
        let raw = Names::default();
        for _ in 0..300 {
            let mut left = false;
            for (o, id) in ids {
                if let Ok(r) = exec::run(o, &fixed(&["ip", "netns", "list-id"]), &raw).await {
                    left |= r.stdout.iter().any(|l| l.split_whitespace().nth(1) == Some(id.as_str()));
                }
            }
            if !left {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    async fn kill(&mut self, i: usize, step: &Step, node: NodeId, number: u32) -> Result<(), KernelError> {
        let Some(j) = self.jobs.iter_mut().find(|j| j.number == number) else {
            let r = Refused { message: scenarios::run::shell::no_such_job("kill", number), status: 1 };
            return self.refuse(i, step, node, r);
        };
        match &mut j.kind {
            // A daemon that detached is no longer the terminal's job.
            JobKind::Proc { proc_, daemon: true } if !proc_.running() => {
                let r = Refused { message: scenarios::run::shell::no_such_job("kill", number), status: 1 };
                return self.refuse(i, step, node, r);
            }
            JobKind::Proc { proc_, .. } => proc_.interrupt(),
            JobKind::Capture { cap, node, pid, ended } => {
                if !*ended {
                    end_capture(&self.rec, cap, *node, *pid);
                    *ended = true;
                }
            }
        }
        self.exits.insert(i, 0);
        Ok(())
    }

    async fn wait(&mut self, steps: &[Step], step: &Step) -> Result<(), KernelError> {
        // Jobs that never end by themselves: the sim refuses to wait on them too.
        let never = self.jobs.iter().any(|j| match &j.kind {
            JobKind::Capture { ended, .. } => !ended,
            JobKind::Proc { proc_, .. } => {
                proc_.running() && scenarios::run::shell::keeps_wait_waiting(&steps[j.step].run)
            }
        });
        if never {
            return Err(KernelError::Refused(Box::new(scenarios::run::shell::endless_wait(
                self.file,
                self.source,
                step,
            ))));
        }
        for j in &mut self.jobs {
            if let JobKind::Proc { proc_, .. } = &mut j.kind
                && proc_.running()
                && proc_.wait(PATIENCE).await.is_none()
            {
                return Err(KernelError::Refused(Box::new(scenarios::run::shell::endless_wait(
                    self.file,
                    self.source,
                    step,
                ))));
            }
        }
        Ok(())
    }

    /// The end of the scenario: Ctrl-C to every job still attached.
    async fn finish(&mut self) {
        for j in &mut self.jobs {
            match &mut j.kind {
                JobKind::Proc { proc_, .. } if proc_.running() => {
                    proc_.interrupt();
                    if proc_.wait(GRACE).await.is_none() {
                        proc_.kill();
                        let _ = proc_.wait(GRACE).await;
                    }
                }
                JobKind::Proc { .. } => {}
                JobKind::Capture { cap, node, pid, ended } => {
                    if !*ended {
                        end_capture(&self.rec, cap, *node, *pid);
                        *ended = true;
                    }
                }
            }
        }
    }
}

fn end_capture(rec: &Recorder, cap: &mut Capture, node: NodeId, pid: u32) {
    let n = cap.stop();
    for l in tcpdump::end_lines(n) {
        rec.push(|at| Record::Output { at, node, pid, stream: Stream::Stderr, line: l });
    }
    rec.push(|at| Record::Exit { at, node, pid, status: 0 });
}

/// Runs a scenario on the kernel. The caller has checked privileges and tools.
pub(crate) async fn run(file: &str, source: &str, sc: &Scenario) -> Result<KernelRun, KernelError> {
    let started = std::time::Instant::now();
    let names = Names::new();
    let dir = std::env::temp_dir().join(names.prefix());
    let guard = crate::guard::Guard::start(names.prefix(), &dir)?;
    crate::registry::remember_dir(&dir);
    let mut kr = Kr {
        file,
        source,
        rtnl: Rtnl::new(tokio::runtime::Handle::current()),
        rec: Arc::new(Recorder::new()),
        nodes: BTreeMap::new(),
        next_node: 0,
        cleanup: Cleanup { made: Vec::new(), dir, _guard: guard },
        jobs: Vec::new(),
        attribution: Attribution::default(),
        exits: BTreeMap::new(),
        captures: Vec::new(),
        unsettled: false,
        names,
    };
    kr.make_ns(None).await?;
    let mut res = Ok(());
    for (i, step) in sc.steps.iter().enumerate() {
        res = kr.run_step(&sc.steps, i, step).await;
        if res.is_err() {
            break;
        }
    }
    kr.finish().await;
    res?;
    let records = kr.rec.take();
    let rendered = transcript::render(&records, &kr.attribution, &sc.steps, &kr.exits);
    Ok(KernelRun {
        steps: sc.steps.clone(),
        attribution: std::mem::take(&mut kr.attribution),
        exits: std::mem::take(&mut kr.exits),
        records,
        captures: std::mem::take(&mut kr.captures),
        rendered,
        elapsed: started.elapsed(),
    })
}
