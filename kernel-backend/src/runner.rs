//! The kernel back end: a scenario's steps on real namespaces, in real time, as
//! [`scenarios::run::shell`] drives them through [`Backend`].
//!
//! It owns the run's namespaces, the real processes and in-process captures it starts,
//! and the trace they write; job numbers, refusals and their words are the shell's, so a
//! scenario reads alike on either back end. It must not touch anything outside the run's
//! namespaces and its own directory (see the crate's doc).

use crate::capture::Capture;
use crate::exec::{self, Proc, Recorder};
use crate::names::Names;
use crate::rtnl::{self, Refused, Rtnl};
use crate::{KernelError, netns};
use scenarios::command::{Command, LinkKind, Scenario, Secs, Step};
use scenarios::render::transcript::{self, Attribution, CaptureName, Rendered};
use scenarios::run::backend::{Backend, Refusal, Said};
use scenarios::run::shell::{self, Job as ShellJob};
use scenarios::{ScenarioError, Span};
use sim_core::tcpdump;
use sim_core::{CaptureId, Filter, NsName, Record, Stream};
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
/// How long the jobs still running at the end of a run get to end by themselves.
const END_GRACE: Duration = Duration::from_secs(1);
/// How often a run printing as it goes (`run_live`) prints what happened meanwhile, while a
/// step waits.
const LIVE_EVERY: Duration = Duration::from_millis(250);
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
    /// When it began, in ns since 1970.
    pub epoch: u64,
    /// Each namespace's drop counters at the end, when asked for (see
    /// `scenarios::render::counters`), sorted.
    pub drop_counters: Vec<String>,
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
            epoch: self.epoch,
            drop_counts: Default::default(),
            drop_counters: self.drop_counters,
        }
    }

    /// Checks every step's expectations, as for a sim run.
    pub fn failures(&self, file: &str) -> Vec<transcript::Failure> {
        transcript::failures(file, &self.steps, &self.rendered)
    }
}

impl From<Refused> for Refusal {
    fn from(r: Refused) -> Self {
        Refusal::new(r.message, r.status)
    }
}

/// A program kernel mode started: a real process, or one of its in-process captures
/// (an index into `Kernel::caps`).
#[derive(Debug)]
pub enum KernelJob {
    /// A process; `daemon` when it forks away and its first process exits.
    Proc {
        /// The process.
        proc_: Proc,
        /// It daemonizes.
        daemon: bool,
    },
    /// A capture.
    Capture(usize),
}

/// A capture, as long as the run lasts.
pub(crate) struct Cap {
    pub(crate) cap: Capture,
    /// Its namespace, by the scenario's name (empty for the root).
    pub(crate) ns: NsName,
    pub(crate) pid: u32,
    pub(crate) ended: bool,
    /// `tcpdump -c N`: it ends by itself, and `wait` waits for it.
    pub(crate) counted: bool,
}

/// Removes the run's namespaces and files however the run ends (return, error, panic).
/// Its guard goes last (a field drops after `drop` ran): the record is removed and the
/// guard process let go only once everything else is.
pub(crate) struct Cleanup {
    pub(crate) made: Vec<(String, Option<u64>)>,
    /// Each named namespace, held open until the scenario deletes it or the run ends: while
    /// held its inode is its own, so what runs there is the run's.
    pub(crate) held: Vec<(String, std::fs::File)>,
    /// What ran in each namespace the scenario deleted when it did (`netns::Snapshot`).
    pub(crate) unnamed: Vec<(String, netns::Snapshot)>,
    pub(crate) dir: PathBuf,
    pub(crate) _guard: crate::guard::Guard,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        for (k, ino) in self.made.iter().rev() {
            let known = self.unnamed.iter().find(|(u, _)| u == k).map(|(_, s)| s);
            let _ = netns::remove(k, *ino, known);
            crate::registry::forget(k);
        }
        self.held.clear();
        let _ = std::fs::remove_dir_all(&self.dir);
        crate::registry::forget_dir(&self.dir);
    }
}

/// The kernel back end.
pub struct Kernel {
    /// The scenario's file name and text, for errors.
    pub(crate) file: String,
    pub(crate) source: String,
    pub(crate) names: Names,
    rtnl: Rtnl,
    pub(crate) rec: Arc<Recorder>,
    /// The scenario's namespaces (`None` the root) and when each was made (a count).
    pub(crate) nodes: BTreeMap<Option<String>, u32>,
    made: u32,
    cleanup: Cleanup,
    pub(crate) caps: Vec<Cap>,
    /// Programs started so far (their files are numbered by it).
    started: usize,
    pub(crate) attribution: Attribution,
    pub(crate) captures: Vec<CaptureName>,
    /// A step may have changed link states the kernel has not settled yet.
    unsettled: bool,
    /// Where the transcript goes as it happens, for a run that prints as it goes.
    pub(crate) live: Option<Live>,
}

/// A transcript printed as it happens: everything so far is rendered again at each step and
/// while a step waits, and the lines not yet printed go out. Lines only ever append: the
/// trace is in time order, and every process and capture is attributed (synchronously,
/// where it is started) before the next chance to print.
pub(crate) struct Live {
    steps: Vec<Step>,
    printed: usize,
    sink: Sink,
}

/// Where a live transcript's lines go.
pub type Sink = Box<dyn FnMut(&str) + Send>;

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

impl Kernel {
    /// Prints the transcript lines that happened since the last time.
    fn flush_live(&mut self) {
        let Some(live) = self.live.as_mut() else { return };
        let records = self.rec.snapshot();
        let r = transcript::render(&records, &self.attribution, &live.steps, &BTreeMap::new());
        let fresh: String = r.lines.iter().skip(live.printed).map(|l| format!("{l}\n")).collect();
        live.printed = r.lines.len().max(live.printed);
        if !fresh.is_empty() {
            (live.sink)(&fresh);
        }
    }

    fn error(&self, step: &Step, message: impl Into<String>) -> KernelError {
        let at: Span = step.span;
        KernelError::Refused(Box::new(ScenarioError::at(&self.file, &self.source, at, message)))
    }

    /// A namespace of the scenario: the kernel's name for it, and the scenario's name (as
    /// the trace names it, empty for the root).
    pub(crate) fn kernel_of(&self, ns: Option<&str>) -> Result<(String, NsName), Refused> {
        match self.nodes.get(&ns.map(str::to_string)) {
            Some(_) => Ok((self.names.kernel(ns), ns.unwrap_or_default().into())),
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
        let hold = std::fs::File::open(netns::path(&k)).map_err(|e| KernelError::Io(format!("{k}: {e}")))?;
        self.cleanup.held.push((k.clone(), hold));
        crate::registry::remember(&k, Some(ino));
        if let Some(last) = self.cleanup.made.last_mut() {
            last.1 = Some(ino);
        }
        self.nodes.insert(ns.map(str::to_string), self.made);
        self.made += 1;
        Ok(())
    }

    /// Runs the tool itself (`ip … show`, `sysctl`, `iptables`, `brctl`): what it printed.
    async fn tool(&mut self, step: &Step, kernel: &str, argv: Vec<String>) -> Result<Said, KernelError> {
        let mut out = match &step.run {
            Command::IptablesRestore { family, args, input } => {
                let argv: Vec<String> =
                    std::iter::once(format!("{}-restore", family.tool())).chain(args.iter().cloned()).collect();
                let text: String = input.iter().map(|l| format!("{l}\n")).collect();
                exec::run_input(kernel, &argv, text.as_bytes(), &self.names).await?
            }
            Command::SysctlLoad { quiet, input } => {
                let argv = if *quiet { fixed(&["sysctl", "-q", "-p", "-"]) } else { fixed(&["sysctl", "-p", "-"]) };
                // The settings the front end checked, and nothing else (`sysctl_text`).
                let text = scenarios::command::sysctl_text(input)
                    .map_err(|(_, m)| KernelError::Io(format!("sysctl -p: {m}")))?;
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
        Ok(Said { stdout: out.stdout, stderr: out.stderr, status: out.status })
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

    async fn ip(&mut self, step: &Step, kernel: &str) -> Result<Result<Said, Refusal>, KernelError> {
        let h = self.rtnl.handle(kernel)?;
        let res: Result<(), Refused> = match &step.run {
            Command::LinkAdd { name, netns, kind } => {
                // A namespace named in the command, as an open file for `IFLA_NET_NS_FD`.
                let open = |ns: &Option<String>| -> Result<Result<Option<std::fs::File>, Refusal>, KernelError> {
                    let Some(p) = ns else { return Ok(Ok(None)) };
                    match self.kernel_of(Some(p)) {
                        Ok((k, _)) => std::fs::File::open(netns::path(&k))
                            .map(|f| Ok(Some(f)))
                            .map_err(|e| KernelError::Io(e.to_string())),
                        // ip's own words for a `netns` it cannot open.
                        Err(_) => Ok(Err(Refused {
                            message: format!("Error: argument \"{p}\" is wrong: Invalid \"netns\" value"),
                            status: 255,
                        }
                        .into())),
                    }
                };
                let at = match open(netns)? {
                    Ok(f) => f,
                    Err(r) => return Ok(Err(r)),
                };
                match kind {
                    LinkKind::Veth { peer, peer_netns } => {
                        let file = match open(peer_netns)? {
                            Ok(f) => f,
                            Err(r) => return Ok(Err(r)),
                        };
                        rtnl::veth_add(&h, name, at.as_ref(), peer, file.as_ref()).await
                    }
                    LinkKind::Bridge => rtnl::bridge_add(&h, name, at.as_ref()).await,
                }
            }
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
                            return Ok(Err(r.into()));
                        }
                    },
                    None => None,
                };
                let mut plain = s.clone();
                let ageing = plain.ageing_time.take();
                let no_snooping = std::mem::take(&mut plain.no_mcast_snooping);
                let r = rtnl::link_set(&h, &plain, target.as_ref().map(|(h, f)| (h, f))).await;
                // Bridge options: iproute2 itself, after what rtnetlink set.
                let mut opts = Vec::new();
                if let Some(a) = ageing {
                    opts.extend(["ageing_time".to_string(), a.to_string()]);
                }
                if no_snooping {
                    opts.extend(["mcast_snooping".to_string(), "0".to_string()]);
                }
                match r {
                    Ok(()) if !opts.is_empty() => {
                        let dev = s.name.clone().unwrap_or_else(|| s.dev.clone());
                        let mut argv = fixed(&["ip", "link", "set", "dev", &dev, "type", "bridge"]);
                        argv.extend(opts);
                        return self.tool(step, kernel, argv).await.map(Ok);
                    }
                    r => r,
                }
            }
            Command::AddrAdd { addr, dev, brd } => rtnl::addr_add(&h, *addr, dev, *brd).await,
            Command::AddrDel { addr, dev } => rtnl::addr_del(&h, *addr, dev).await,
            Command::AddrFlush { dev } => rtnl::addr_flush(&h, dev).await,
            Command::RouteAdd(r) => rtnl::route_add(&h, r, false).await,
            Command::RouteReplace(r) => rtnl::route_add(&h, r, true).await,
            Command::RouteDel(r) => rtnl::route_del(&h, r).await,
            Command::Truncate { size, file } => {
                // In the run's own directory, the one its http.server serves, and nowhere
                // else (validation refused any other name; this holds without it).
                if sim_nodes::files::refuse(file).is_some() || scenarios::command::truncate_size(size).is_none() {
                    let r = Refused { message: format!("not supported yet: truncate -s {size} {file}"), status: 1 };
                    return Ok(Err(r.into()));
                }
                let www = self.cleanup.dir.join("www");
                std::fs::create_dir_all(&www).map_err(|e| KernelError::Io(format!("{}: {e}", www.display())))?;
                let argv = vec!["truncate".into(), "-s".into(), size.clone(), www.join(file).display().to_string()];
                return self.tool(step, kernel, argv).await.map(Ok);
            }
            other => {
                // Shows, neighbour flushes, bridge tables, brctl, sysctl: the tool itself.
                let argv = other.argv();
                return self.tool(step, kernel, argv).await.map(Ok);
            }
        };
        Ok(res.map(|()| Said::default()).map_err(Refusal::from))
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
                // Unbuffered as on a terminal, serving the run's own directory (where its
                // `truncate` makes files, as the sim's lab directory).
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
                let n = self.started;
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
            Command::Exec { argv: words, .. } if words.first().is_some_and(|w| w == "radvd") => {
                // Its pid file is the run's, not the machine's /run/radvd.pid (the last -p
                // wins).
                let n = self.started;
                argv.extend(["-p".into(), format!("{dir}/radvd-{ns}-{n}.pid")]);
                false
            }
            _ => false,
        };
        Ok((argv, daemon))
    }

    /// `ip netns add|del|list`: the run's own namespaces.
    async fn netns(&mut self, step: &Step) -> Result<Result<Said, Refusal>, KernelError> {
        match &step.run {
            Command::NetnsAdd { name } => {
                if self.nodes.contains_key(&Some(name.clone())) {
                    let msg = format!("Cannot create namespace file \"/run/netns/{name}\": File exists");
                    return Ok(Err(Refusal::new(msg, 1)));
                }
                self.make_ns(Some(name)).await?;
                Ok(Ok(Said::default()))
            }
            Command::NetnsDel { name } => match self.kernel_of(Some(name)) {
                Ok((k, n)) => {
                    // Only the name goes: what still runs in it keeps it (and its links) alive.
                    self.rtnl.forget(&k);
                    let ids = self.peer_ids(&k).await;
                    netns::unname(&k)?;
                    self.nodes.remove(&Some(name.clone()));
                    let ino = self.cleanup.made.iter().find(|(m, _)| *m == k).and_then(|(_, i)| *i);
                    // Still held open here: its inode is surely its own. What runs there now
                    // is the run's, to kill at the end; then the namespace is let go, to
                    // die with its last process as on Linux.
                    let known = ino.map(netns::snapshot).unwrap_or_default();
                    crate::registry::unnamed(&k, known.clone());
                    let was_held = !known.is_empty();
                    self.cleanup.unnamed.push((k.clone(), known));
                    self.cleanup.held.retain(|(h, _)| *h != k);
                    let held = was_held || self.caps.iter().any(|c| c.ns == n && !c.ended);
                    if !held {
                        // The kernel tears a namespace down in a work queue, a little later:
                        // wait until the others no longer know its id.
                        self.wait_gone(&ids).await;
                    }
                    Ok(Ok(Said::default()))
                }
                Err(_) => {
                    let msg = format!("Cannot remove namespace file \"/run/netns/{name}\": No such file or directory");
                    Ok(Err(Refusal::new(msg, 1)))
                }
            },
            _ => {
                // Newest first, as `ip netns list` reads /run/netns here.
                let mut ours: Vec<(u32, &String)> =
                    self.nodes.iter().filter_map(|(k, v)| k.as_ref().map(|n| (*v, n))).collect();
                ours.sort();
                Ok(Ok(Said::ok(ours.into_iter().rev().map(|(_, n)| n.clone()).collect())))
            }
        }
    }

    /// Starts tcpdump's in-process twin on the interface.
    fn capture(
        &mut self,
        i: usize,
        step: &Step,
        kernel: &str,
        ns: NsName,
    ) -> Result<Result<KernelJob, Refusal>, KernelError> {
        let Command::Tcpdump(t) = &step.run else { unreachable!("capture takes tcpdump only") };
        let filter = Filter::parse(&t.filter).map_err(|e| self.error(step, e.to_string()))?;
        let shown = (!t.filter.is_empty()).then(|| t.filter.clone());
        let (id, pid) =
            match self.open_capture(kernel, ns.clone(), step.ns.as_deref(), &t.iface, (filter, t.count), shown)? {
                Ok(x) => x,
                Err(msg) => return Ok(Err(Refusal::new(msg, 1).at_word(&t.iface))),
            };
        for l in tcpdump::start_lines(&t.iface, t.write.is_some(), t.verbose > 0) {
            self.rec.push(|at| Record::Output { at, ns: ns.clone(), pid, stream: Stream::Stderr, line: l });
        }
        let opts = t.options();
        self.attribution.captures.insert(id, (i, opts, t.write.is_some()));
        self.attribution.procs.insert((ns, pid), i);
        Ok(Ok(KernelJob::Capture(self.caps.len() - 1)))
    }

    /// Starts capturing on `dev` of namespace `kernel` (`ns` by the trace's name, `label`
    /// by the scenario's, `None` the root) into the run's records: its id and pid, or
    /// tcpdump's refusal. A scenario's `tcpdump` and a library lab's capture both start here.
    pub(crate) fn open_capture(
        &mut self,
        kernel: &str,
        ns: NsName,
        label: Option<&str>,
        dev: &str,
        (filter, count): (Filter, Option<u64>),
        shown: Option<String>,
    ) -> Result<Result<(CaptureId, u32), String>, KernelError> {
        let id = CaptureId(self.captures.len() as u32);
        let pid = CAPTURE_PID_BASE + id.0;
        let ending = count.map(|count| crate::capture::Ending { count, ns: ns.clone(), pid });
        let cap = match Capture::start(kernel, dev, filter, id, &self.rec, ending)? {
            Ok(cap) => cap,
            Err(msg) => return Ok(Err(msg)),
        };
        self.captures.push(CaptureName {
            id,
            name: format!("{}/{dev}", label.unwrap_or("root")),
            filter: shown,
            peer: None,
            cooked: dev == "any",
        });
        self.caps.push(Cap { cap, ns, pid, ended: false, counted: count.is_some() });
        Ok(Ok((id, pid)))
    }

    /// Starts a real program; a background one is given the moment a person gives a
    /// program started in another terminal.
    async fn program(&mut self, i: usize, step: &Step, kernel: &str, ns: NsName) -> Result<KernelJob, KernelError> {
        let (argv, daemon) = self.argv(step)?;
        self.started += 1;
        let stdin = match &step.run {
            Command::Nc(n) => n.input.as_ref().map(|l| format!("{l}\n").into_bytes()),
            // A here-document (radvd's config on /dev/stdin).
            Command::Exec { input, .. } if !input.is_empty() => {
                Some(input.iter().map(|l| format!("{l}\n")).collect::<String>().into_bytes())
            }
            _ => None,
        };
        let proc_ = exec::spawn(kernel, &argv, stdin, &ns, &self.rec, &self.names)?;
        self.attribution.procs.insert((ns, proc_.pid), i);
        if step.background {
            // `conntrack -E` prints nothing until an event, dnsmasq must bind its port.
            tokio::time::sleep(SETTLE).await;
            // A server started in another terminal is listening by the time a person types
            // the next command: wait (up to 10 s) until its port is bound, looking with `ss`
            // (no traffic that a capture would see). Python takes a while to start; under
            // load anything may.
            // A TCP client in another terminal has connected by then too (the sim's has,
            // a millisecond later): wait until its connection is established, or it ended.
            // (A client whose SYN goes unanswered is not waited for past a second.)
            let listens = match &step.run {
                Command::HttpServer(h) => Some(("-Hltn", format!("sport = :{}", h.port.unwrap_or(8000)), 100)),
                Command::Nc(n) if n.listen => {
                    Some((if n.udp { "-Hlun" } else { "-Hltn" }, format!("sport = :{}", n.port), 100))
                }
                Command::Nc(n) if !n.udp => {
                    let host = n.host.map(|h| h.to_string()).unwrap_or_default();
                    Some(("-Htn", format!("dst {host}:{}", n.port), 10))
                }
                Command::Dnsmasq(_) => Some(("-Hlun", "sport = :67".to_string(), 100)),
                _ => None,
            };
            if let Some((flags, filter, tries)) = listens {
                let mut words = vec!["ss", flags];
                if filter.starts_with("dst") {
                    words.extend(["state", "established"]);
                }
                words.push(&filter);
                let argv = fixed(&words);
                for _ in 0..tries {
                    match exec::run(kernel, &argv, &self.names).await {
                        Ok(o) if !o.stdout.is_empty() => break,
                        _ if !proc_.running() => break,
                        _ => tokio::time::sleep(Duration::from_millis(100)).await,
                    }
                }
            }
        }
        Ok(KernelJob::Proc { proc_, daemon })
    }

    pub(crate) fn end_capture(&mut self, k: usize) {
        let Some(c) = self.caps.get_mut(k) else { return };
        if c.ended {
            return;
        }
        c.ended = true;
        // `-c N` that kept its count ended by itself and said so.
        if c.cap.finished() {
            c.cap.stop();
            return;
        }
        let pid = c.pid;
        let (captured, received) = c.cap.stop();
        for l in tcpdump::end_lines(captured, received) {
            self.rec.push(|at| Record::Output { at, ns: c.ns.clone(), pid, stream: Stream::Stderr, line: l });
        }
        self.rec.push(|at| Record::Exit { at, ns: c.ns.clone(), pid, status: 0 });
    }

    /// The end of the run: Ctrl-C to every job still attached (once: a job the scenario
    /// already interrupted, still ending, is not interrupted again — Python dies of a second
    /// one in its cleanup), SIGKILL to one that outlives its grace.
    async fn end_all(&mut self, jobs: Vec<&mut KernelJob>) {
        for j in jobs {
            match j {
                KernelJob::Proc { proc_, .. } if proc_.running() => {
                    if !proc_.interrupted() {
                        proc_.interrupt();
                    }
                    if proc_.wait(GRACE).await.is_none() {
                        proc_.kill();
                        let _ = proc_.wait(GRACE).await;
                    }
                }
                KernelJob::Proc { .. } => {}
                KernelJob::Capture(k) => self.end_capture(*k),
            }
        }
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
}

impl Backend for Kernel {
    type Job = KernelJob;
    type Error = KernelError;

    async fn command(&mut self, step: &Step) -> Result<(), KernelError> {
        self.flush_live();
        if std::mem::take(&mut self.unsettled) {
            self.settle().await?;
        }
        // Anything but a look or a wait may change a link (a veth's peer, a bridge's ports).
        self.unsettled = !matches!(
            step.run,
            Command::LinkShow { .. }
                | Command::AddrShow { .. }
                | Command::Brief { .. }
                | Command::RouteGet { .. }
                | Command::RouteShow { .. }
                | Command::NeighShow { .. }
                | Command::BridgeFdbShow { .. }
                | Command::BridgeLinkShow { .. }
                | Command::Sleep { .. }
                | Command::Echo { .. }
                | Command::Ip6(
                    scenarios::command::Ip6Command::AddrShow { .. }
                        | scenarios::command::Ip6Command::RouteShow { .. }
                        | scenarios::command::Ip6Command::NeighShow { .. }
                )
        );
        let prompt = step.ns.clone().unwrap_or_default();
        let line = step.text.clone();
        self.rec.push(|at| Record::Command { at, prompt, line });
        Ok(())
    }

    fn say(&mut self, step: &Step, stream: Stream, line: String) {
        let ns = step.ns.as_deref().unwrap_or_default().into();
        self.rec.push(|at| Record::Output { at, ns, pid: 0, stream, line });
    }

    async fn configure(&mut self, _: usize, step: &Step) -> Result<Result<Said, Refusal>, KernelError> {
        let kernel = match self.kernel_of(step.ns.as_deref()) {
            Ok((k, _)) => k,
            Err(r) => return Ok(Err(r.into())),
        };
        match &step.run {
            Command::NetnsAdd { .. } | Command::NetnsDel { .. } | Command::NetnsList => self.netns(step).await,
            _ => self.ip(step, &kernel).await,
        }
    }

    async fn start(&mut self, i: usize, step: &Step) -> Result<Result<KernelJob, Refusal>, KernelError> {
        let (kernel, ns) = match self.kernel_of(step.ns.as_deref()) {
            Ok(x) => x,
            Err(r) => return Ok(Err(r.into())),
        };
        match &step.run {
            Command::Tcpdump(_) => self.capture(i, step, &kernel, ns),
            _ => self.program(i, step, &kernel, ns).await.map(Ok),
        }
    }

    async fn ended_at_once(&mut self, job: &mut KernelJob) -> bool {
        // `connect: Network is unreachable` comes at once; a second is plenty.
        match job {
            KernelJob::Proc { proc_, .. } => proc_.wait(Duration::from_secs(1)).await.is_some(),
            KernelJob::Capture(_) => false,
        }
    }

    async fn wait(&mut self, _: &Step, jobs: Vec<&mut KernelJob>) -> Result<bool, KernelError> {
        let until = std::time::Instant::now() + PATIENCE;
        for j in jobs {
            if let KernelJob::Capture(k) = j {
                // `tcpdump -c N` ends by itself; another runs until it is stopped.
                while self.caps.get(*k).is_some_and(|c| c.counted && !c.ended && !c.cap.finished()) {
                    tokio::time::sleep(LIVE_EVERY).await;
                    self.flush_live();
                    if std::time::Instant::now() >= until {
                        return Ok(false);
                    }
                }
                continue;
            }
            // A daemon's first process exits once it detached.
            let KernelJob::Proc { proc_, .. } = j else { continue };
            while proc_.running() && proc_.wait(LIVE_EVERY).await.is_none() {
                self.flush_live();
                if std::time::Instant::now() >= until {
                    return Ok(false);
                }
            }
        }
        Ok(true)
    }

    fn running(&self, job: &KernelJob) -> bool {
        match job {
            KernelJob::Proc { proc_, .. } => proc_.running(),
            KernelJob::Capture(k) => self.caps.get(*k).is_some_and(|c| !c.ended && !c.cap.finished()),
        }
    }

    fn detached(&self, job: &KernelJob) -> bool {
        matches!(job, KernelJob::Proc { proc_, daemon: true } if !proc_.running())
    }

    async fn interrupt(&mut self, job: &mut KernelJob) {
        match job {
            KernelJob::Proc { proc_, .. } => proc_.interrupt(),
            KernelJob::Capture(k) => self.end_capture(*k),
        }
    }

    async fn kill(&mut self, job: &mut KernelJob) {
        match job {
            KernelJob::Proc { proc_, .. } => proc_.kill(),
            KernelJob::Capture(k) => self.end_capture(*k),
        }
    }

    async fn input(&mut self, job: &mut KernelJob, line: &str) {
        if let KernelJob::Proc { proc_, .. } = job {
            proc_.type_line(line).await;
            // What it sends takes a moment to be on its way.
            tokio::time::sleep(SETTLE).await;
        }
    }

    async fn sleep(&mut self, _: &Step, secs: Secs, _: &[ShellJob<KernelJob>]) -> Result<(), KernelError> {
        let until = tokio::time::Instant::now() + Duration::from_nanos(secs.0.as_nanos());
        while tokio::time::Instant::now() < until {
            tokio::time::sleep_until(until.min(tokio::time::Instant::now() + LIVE_EVERY)).await;
            self.flush_live();
        }
        Ok(())
    }

    async fn finish(&mut self, mut jobs: Vec<&mut KernelJob>) {
        // What the last step set off is still under way: a listener whose client just
        // closed is ending by itself (the sim's ends at the instant the FIN arrives). Give
        // the jobs the moment a person gives — more under load — to end on their own
        // before the Ctrl-C; a job that stays (a daemon, `nc -lk`) costs that moment once.
        let until = tokio::time::Instant::now() + END_GRACE;
        for j in jobs.iter_mut() {
            if let KernelJob::Proc { proc_, .. } = j
                && proc_.running()
            {
                let left = until.saturating_duration_since(tokio::time::Instant::now());
                if left.is_zero() || proc_.wait(left).await.is_none() {
                    break;
                }
            }
        }
        self.end_all(jobs).await
    }

    async fn abandon(&mut self, jobs: Vec<&mut KernelJob>) {
        self.end_all(jobs).await
    }
}

/// Runs a scenario on the kernel. The caller has checked privileges and tools.
pub(crate) async fn run(
    file: &str,
    source: &str,
    sc: &Scenario,
    sink: Option<Sink>,
    collect: crate::Collect,
) -> Result<KernelRun, KernelError> {
    let started = std::time::Instant::now();
    let mut k = Kernel::begin(file, source).await?;
    k.live = sink.map(|sink| Live { steps: sc.steps.clone(), printed: 0, sink });
    let ran = shell::run_steps(&mut k, file, source, &sc.steps, false).await;
    ran.result?;
    k.flush_live();
    let drop_counters = match collect.drop_counters {
        true => k.drop_counters().await?,
        false => Vec::new(),
    };
    let records = k.rec.take();
    let rendered = transcript::render(&records, &k.attribution, &sc.steps, &ran.exits);
    let mut captures = std::mem::take(&mut k.captures);
    transcript::unique_names(&mut captures);
    Ok(KernelRun {
        steps: sc.steps.clone(),
        attribution: std::mem::take(&mut k.attribution),
        exits: ran.exits,
        records,
        captures,
        rendered,
        elapsed: started.elapsed(),
        epoch: k.rec.epoch(),
        drop_counters,
    })
}

impl Kernel {
    /// Each of the scenario's namespaces' drop counters as they stand: `/proc/net/snmp`
    /// and `/proc/net/netstat`, and `iptables-save -c`, read inside it.
    async fn drop_counters(&self) -> Result<Vec<String>, KernelError> {
        use scenarios::render::counters;
        let mut out = Vec::new();
        for ns in self.nodes.keys() {
            let kernel = self.names.kernel(ns.as_deref());
            let name = ns.as_deref().unwrap_or("root");
            let argv = |w: &[&str]| w.iter().map(|s| s.to_string()).collect::<Vec<_>>();
            let snmp = exec::run(&kernel, &argv(&["cat", "/proc/net/snmp", "/proc/net/netstat"]), &self.names).await?;
            if snmp.status != 0 {
                return Err(KernelError::Io(format!("{name}: reading /proc/net/snmp: {}", snmp.stderr.join(" "))));
            }
            out.extend(counters::from_snmp(name, &snmp.stdout.join("\n")));
            let save = exec::run(&kernel, &argv(&["iptables-save", "-c"]), &self.names).await?;
            match save.status {
                0 => out.extend(counters::from_iptables_save(name, &save.stdout)),
                n => {
                    out.push(format!("{name}: iptables-save -c failed (status {n}): its rules' counters are not read"))
                }
            }
        }
        out.sort();
        Ok(out)
    }

    /// A run's back end with its own prefix, guard and directory, and the scenario's root
    /// namespace made (IPv6 on, as in any new namespace). Everything it makes goes when it
    /// is dropped.
    pub(crate) async fn begin(file: &str, source: &str) -> Result<Kernel, KernelError> {
        let names = Names::new();
        let dir = std::env::temp_dir().join(names.prefix());
        let guard = crate::guard::Guard::start(names.prefix(), &dir)?;
        crate::registry::remember_dir(&dir);
        let mut k = Kernel {
            file: file.to_string(),
            source: source.to_string(),
            rtnl: Rtnl::new(tokio::runtime::Handle::current()),
            rec: Arc::new(Recorder::new()),
            nodes: BTreeMap::new(),
            made: 0,
            cleanup: Cleanup { made: Vec::new(), held: Vec::new(), unnamed: Vec::new(), dir, _guard: guard },
            caps: Vec::new(),
            started: 0,
            attribution: Attribution::default(),
            captures: Vec::new(),
            unsettled: false,
            live: None,
            names,
        };
        k.make_ns(None).await?;
        Ok(k)
    }
}
