//! `nslab::Lab`: a lab in code, whose namespaces run users' futures.
//!
//! A lab is built from the tutorial's own lines ([`Lab::from_script`]), then futures are
//! spawned into its namespaces ([`Lab::spawn`]) and the lab runs — for a virtual duration
//! ([`Lab::run_for`]) or until a future completes ([`Lab::block_on`]).
//!
//! Time is virtual. The futures run on a current-thread tokio runtime whose clock is
//! paused: it moves only when every task waits, straight to the next thing due — a
//! timer of a future (`tokio::time::sleep`, `timeout`, `interval`) or an event of the
//! engine (a frame on a link, a neighbour timer). One task, the driver, runs the engine
//! up to the runtime's clock and moves the clock to what is due next (see `drive`); a
//! socket call brings the engine up to the clock first. Nothing ticks, and one seed
//! gives the same run. A task that only yields (a loop around `yield_now`) gets a turn
//! each time the clock moves; one that never returns holds the clock still, as it would
//! hold a real thread.
//!
//! On the kernel ([`Lab::kernel_from_script`]) the same lab is real namespaces
//! (`kernel_backend::KernelLab`), the futures run on that back end's runtime in real time,
//! and their sockets are real ones made inside the namespaces (`crate::net`).
//!
//! It owns the runtime and the engine's lab (or the kernel lab); sockets live in
//! `crate::net`, faults in `crate::faults`. It must not reach a namespace's stack but
//! through a host program's `Sys`.

use crate::net::{Ctx, Host, HostProgram, Place};
use scenarios::ScenarioError;
use sim_core::NodeId;
use std::cell::{Ref, RefCell, RefMut};
use std::collections::BTreeMap;
use std::future::Future;
use std::io;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::task::{JoinHandle, LocalSet};

/// How long [`Lab::block_on`] waits in virtual time for a future that is not done.
pub const PATIENCE: Duration = Duration::from_secs(24 * 3600);

/// What went wrong with a lab.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The script was refused: where, and why.
    #[error("{0}")]
    Script(#[from] Box<ScenarioError>),
    /// A namespace the lab does not have.
    #[error("{0}")]
    NoNamespace(String),
    /// The machine refused what was asked, in its tool's words (a capture on a device
    /// there is not: `tcpdump: nope: No such device exists`).
    #[error("{0}")]
    Refused(String),
    /// A future waited [`PATIENCE`] of virtual time (on the kernel, `KERNEL_PATIENCE` of
    /// real time) and was not done.
    #[error("still not done after {} s of virtual time (on the kernel: 600 s of real time)", PATIENCE.as_secs())]
    Stuck,
    /// One of the engine's guards stopped the lab (see `sim_core::guard`).
    #[error("the lab stopped: {0}")]
    Stopped(String),
    /// Two runs with the same seed gave different traces ([`check_determinism`]).
    #[error("not deterministic: {0}")]
    Diverged(String),
    /// The sim and the kernel gave different results (`nslab::on_both`).
    #[error("the sim and the kernel differ: {0}")]
    Differs(String),
    /// Kernel mode cannot run here (not root, a tool missing): why.
    #[error("{0}")]
    KernelUnavailable(String),
    /// Kernel mode failed (something the machine did not let it do).
    #[error("{0}")]
    Kernel(String),
}

#[cfg(feature = "kernel")]
impl From<kernel_backend::KernelError> for Error {
    fn from(e: kernel_backend::KernelError) -> Self {
        use kernel_backend::KernelError as K;
        match e {
            K::Refused(e) => Error::Script(e),
            K::NotPrivileged(_) | K::MissingTools(_) | K::MissingFeature(_) => Error::KernelUnavailable(e.to_string()),
            K::Io(_) => Error::Kernel(e.to_string()),
        }
    }
}

/// Runs `test` twice with `seed` and compares the traces of the labs it returns, record by
/// record (commands, output, exits, and the frames of every capture started): the first
/// difference is the error. See [`check_determinism_runs`].
///
/// ```
/// let script = "ip netns add a\nip netns exec a ip link set lo up\n";
/// nslab::check_determinism(42, |seed| {
///     let mut lab = nslab::Lab::from_script_seeded(script, Some(seed))?;
///     lab.capture("a", "lo")?;
///     let h = lab.spawn("a", async {
///         let sock = nslab::net::UdpSocket::bind("127.0.0.1:0").await?;
///         sock.send_to(b"x", "127.0.0.1:9").await
///     })?;
///     lab.block_on(h)?.unwrap().unwrap();
///     Ok(lab)
/// })?;
/// # Ok::<(), nslab::Error>(())
/// ```
pub fn check_determinism<F>(seed: u64, test: F) -> Result<(), Error>
where
    F: FnMut(u64) -> Result<Lab, Error>,
{
    check_determinism_runs(seed, 2, test)
}

/// [`check_determinism`] over `runs` runs (at least two), each compared with the first.
pub fn check_determinism_runs<F>(seed: u64, runs: usize, mut test: F) -> Result<(), Error>
where
    F: FnMut(u64) -> Result<Lab, Error>,
{
    let trace = |lab: Lab| {
        if lab.on_kernel() {
            return Err(Error::Kernel(
                "check_determinism: a lab on the kernel runs in real time; it is not deterministic".into(),
            ));
        }
        Ok(lab.records())
    };
    let first = trace(test(seed)?)?;
    for run in 1..runs.max(2) {
        let again = trace(test(seed)?)?;
        if let Some(i) = (0..first.len().max(again.len())).find(|i| first.get(*i) != again.get(*i)) {
            return Err(Error::Diverged(format!(
                "run {} differs from run 1 at record {i}: {:?} where run 1 has {:?}",
                run + 1,
                again.get(i),
                first.get(i)
            )));
        }
    }
    Ok(())
}

/// What the lab's tasks share: the engine's lab and the clock between the two.
pub(crate) struct Shared {
    pub(crate) lab: RefCell<sim_nodes::Lab>,
    /// The runtime's instant that is the engine's `base_v`.
    base_t: tokio::time::Instant,
    base_v: sim_core::Instant,
    /// Something may be due sooner than the driver thought (a socket call sent).
    pub(crate) poke: Poke,
    hosts: RefCell<BTreeMap<NodeId, Rc<Host>>>,
    /// How many times the lab's tasks have been polled: the driver waits until this
    /// stands still (every task waits) before it moves the clock.
    polls: std::cell::Cell<u64>,
    /// tokio's clock as the driver last moved or read it, while only the driver can move
    /// it (it is not waiting, so the runtime cannot jump to a timer): a socket call reads
    /// this rather than the clock's lock. `None` while the driver waits, and between runs.
    /// (A task that moves the clock itself is seen at the driver's next turn.)
    clock: std::cell::Cell<Option<sim_core::Instant>>,
    /// How many times a task of the lab's was woken (by anything: the engine, a timer,
    /// another task, itself): while this stands still, none was queued to run.
    wakes: Arc<AtomicU64>,
    /// A task of the lab's is being polled: a socket waited on outside one is a task's
    /// that `tokio::task::spawn_local` started, whose wakes are not counted.
    pub(crate) in_task: std::cell::Cell<bool>,
    /// A socket was waited on by a task whose wakes are not counted: from then on the
    /// driver learns that every task waits by polls, not wakes.
    pub(crate) uncounted: std::cell::Cell<bool>,
    /// How many times a task has waited on one of its sockets (`Ctx::wait`).
    pub(crate) waits: std::cell::Cell<u64>,
    /// A task was last seen waiting on something other than its sockets (a timer, another
    /// task, or `yield_now`, which the runtime wakes only at its next park).
    unseen: std::cell::Cell<bool>,
    /// A task has ended (the future that awaits it wakes only at the runtime's next park).
    ended: std::cell::Cell<bool>,
    /// How many times the engine has woken a task (a socket with news and a waiter).
    woken: Rc<std::cell::Cell<u64>>,
    /// Why the engine stopped, once a guard stopped it.
    stopped: RefCell<Option<String>>,
}

impl Shared {
    /// The virtual time now: the runtime's clock.
    pub(crate) fn now(&self) -> sim_core::Instant {
        match self.clock.get() {
            Some(v) => v,
            None => self.virtual_at(tokio::time::Instant::now()),
        }
    }

    /// The virtual time of the runtime's instant `t`.
    fn virtual_at(&self, t: tokio::time::Instant) -> sim_core::Instant {
        let d = t.saturating_duration_since(self.base_t);
        self.base_v + sim_core::Duration::from_nanos(d.as_nanos() as u64)
    }

    /// The runtime's instant of virtual time `v`.
    fn at(&self, v: sim_core::Instant) -> tokio::time::Instant {
        self.base_t + Duration::from_nanos(v.as_nanos().saturating_sub(self.base_v.as_nanos()))
    }

    /// Runs the engine's events up to virtual time `v`: an error once one of its guards
    /// stopped it (then and for good), also where the guard tripped while a socket call
    /// settled, which counts toward the same budget.
    fn run_to(&self, v: sim_core::Instant) -> io::Result<()> {
        if self.stopped.borrow().is_none() {
            let mut lab = self.lab.borrow_mut();
            let world = lab.world_mut();
            let ran = match world.stopped() {
                Some(_) => false,
                None => world.now() >= v || world.run_until(v).is_ok(),
            };
            if ran {
                return Ok(());
            }
            drop(lab);
            self.note_stopped();
        }
        Err(self.stopped_error())
    }

    /// Keeps why the engine stopped (its guards stay tripped).
    #[cold]
    fn note_stopped(&self) {
        let why = self.lab.borrow().world().stopped().map(|e| e.to_string());
        *self.stopped.borrow_mut() = why;
    }

    /// The error of a call once the engine stopped.
    #[cold]
    fn stopped_error(&self) -> io::Error {
        let why = self.stopped.borrow().clone().unwrap_or_default();
        io::Error::other(format!("the lab stopped: {why}"))
    }

    /// Runs the engine up to now.
    pub(crate) fn catch_up(&self) -> io::Result<()> {
        self.run_to(self.now())
    }
}

/// tokio's timers fire on whole milliseconds of its clock (counted from the runtime's
/// start, which is `Shared::base_t`).
const TICK: Duration = Duration::from_millis(1);

/// The engine's side of the runtime. It runs the engine up to the clock; once every task
/// waits, it runs the engine's events that come before tokio's next millisecond (tokio's
/// timers cannot fire in between) one by one until one wakes a task, and moves the clock
/// once, to that event; with none before the next millisecond, it lets tokio's paused
/// clock jump to the next timer on a whole millisecond — its own, on the last millisecond
/// before the engine's next event, or a task's. Both kinds of deadline are met exactly,
/// in order, and nothing ticks.
///
/// "Every task waits" is learnt without a trip through the runtime's scheduler where it
/// can be: the driver goes to the back of the local queue (`requeue`) until no task was
/// woken during a round of it (each task's waker counts its wakes; once a task that
/// `spawn_local` started waits on a socket, until a round polls no task). Only the
/// scheduler's park runs what it cannot see there — a task that
/// `yield_now` deferred, one a timer woke, the future awaiting a task that ended — so the
/// driver yields to it once a task ended or was last seen waiting on anything but its
/// sockets. A task that only yields gets one turn each time the clock moves; a datagram
/// between two tasks that wait on sockets costs no trip through the scheduler.
async fn drive(shared: Rc<Shared>) {
    loop {
        if shared.catch_up().is_err() {
            return;
        }
        // Let every task that can run, run.
        let mut yielded = false;
        loop {
            // Rounds behind every task queued, until none was woken during one, so none
            // is queued behind it (by polls, where some task's wakes are not counted).
            loop {
                let (wakes, polls) = (shared.wakes.load(Ordering::Relaxed), shared.polls.get());
                requeue().await;
                if shared.wakes.load(Ordering::Relaxed) == wakes
                    && (!shared.uncounted.get() || shared.polls.get() == polls)
                {
                    break;
                }
            }
            if !shared.ended.replace(false) && (yielded || !shared.unseen.get()) {
                break;
            }
            shared.unseen.set(false);
            tokio::task::yield_now().await;
            yielded = true;
        }
        // What the tasks' calls sent, the driver sees from here on.
        shared.poke.clear();
        // The clock as the driver left it, unless the runtime ran what the driver cannot
        // see: a task that moves tokio's clock itself yields (`advance` does) and is seen.
        let now_v = match shared.clock.get() {
            Some(v) if !yielded => v,
            _ => shared.virtual_at(tokio::time::Instant::now()),
        };
        shared.clock.set(Some(now_v));
        if shared.catch_up().is_err() {
            return;
        }
        let into_tick = (now_v - shared.base_v).as_nanos() % TICK.as_nanos() as u64;
        let tick_v = now_v + sim_core::Duration::from_nanos(TICK.as_nanos() as u64 - into_tick);
        // Within this millisecond, run the engine ahead of the clock, event by event, until
        // one wakes a task: the clock then moves once, to that event, rather than once per
        // event (a datagram crosses several links between two tasks' turns).
        let woken = shared.woken.get();
        let mut reached = None;
        loop {
            let next = shared.lab.borrow().world().next_event_time();
            let Some(v) = next.filter(|v| *v < tick_v) else { break };
            if shared.run_to(v).is_err() {
                return;
            }
            reached = Some(v);
            if shared.woken.get() != woken {
                break;
            }
        }
        if let Some(v) = reached {
            // Within the millisecond no timer falls due: the woken tasks run next, in this
            // tick of the local set.
            advance_within_tick(Duration::from_nanos((v - now_v).as_nanos()));
            shared.clock.set(Some(v));
            continue;
        }
        let next = shared.lab.borrow().world().next_event_time().map(|t| shared.at(t));
        match next {
            // Onto the millisecond first, so tokio's jumps land on whole ones.
            _ if into_tick != 0 => {
                // The clock moves when the advance is first polled; the yield after it
                // parks with no timeout, which never jumps to a timer.
                shared.clock.set(Some(tick_v));
                tokio::time::advance(Duration::from_nanos((tick_v - now_v).as_nanos())).await
            }
            Some(t) => {
                shared.clock.set(None);
                let whole = t - Duration::from_nanos((t - shared.base_t).as_nanos() as u64 % TICK.as_nanos() as u64);
                tokio::select! {
                    biased;
                    _ = shared.poke.wait() => {}
                    _ = tokio::time::sleep_until(whole) => {}
                }
            }
            None => {
                shared.clock.set(None);
                shared.poke.wait().await
            }
        }
    }
}

/// Tells the driver, waiting, that something may be due sooner than it thought: a socket
/// call sent something. A poke while the driver runs is kept until it next looks at the
/// engine, which sees what the call did anyway.
#[derive(Default)]
pub(crate) struct Poke {
    poked: std::cell::Cell<bool>,
    waiter: std::cell::Cell<Option<std::task::Waker>>,
}

impl Poke {
    /// Something may be due sooner.
    pub(crate) fn poke(&self) {
        self.poked.set(true);
        if let Some(w) = self.waiter.take() {
            w.wake();
        }
    }

    /// The driver is about to look at the engine.
    fn clear(&self) {
        self.poked.set(false);
    }

    /// Until the next poke.
    fn wait(&self) -> impl Future<Output = ()> + '_ {
        std::future::poll_fn(move |cx| {
            if self.poked.replace(false) {
                return std::task::Poll::Ready(());
            }
            self.waiter.set(Some(cx.waker().clone()));
            std::task::Poll::Pending
        })
    }
}

/// Marks a task of the lab's as being polled, until dropped (also by a panic).
struct InTask<'a>(&'a std::cell::Cell<bool>);

impl<'a> InTask<'a> {
    fn enter(flag: &'a std::cell::Cell<bool>) -> InTask<'a> {
        flag.set(true);
        InTask(flag)
    }
}

impl Drop for InTask<'_> {
    fn drop(&mut self) {
        self.0.set(false);
    }
}

/// The waker a task of the lab's sees: it counts the task's wakes, then wakes it.
struct CountingWaker {
    inner: std::task::Waker,
    wakes: Arc<AtomicU64>,
}

impl std::task::Wake for CountingWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.wakes.fetch_add(1, Ordering::Relaxed);
        self.inner.wake_by_ref();
    }
}

/// Puts the calling task at the back of the local set's queue: the tasks queued ahead of
/// it run first, in the same tick, with no trip through the runtime's scheduler (which
/// `yield_now` waits for).
fn requeue() -> impl Future<Output = ()> {
    let mut queued = false;
    std::future::poll_fn(move |cx| {
        if queued {
            return std::task::Poll::Ready(());
        }
        queued = true;
        cx.waker().wake_by_ref();
        std::task::Poll::Pending
    })
}

/// Moves tokio's paused clock forward by `d`, which stays within the current millisecond,
/// at once. `tokio::time::advance` moves the clock when first polled and then yields to
/// the scheduler, so that timers due at the new time fire; no timer falls due within a
/// millisecond (they fire on whole ones), so the yield is not needed and is not awaited.
fn advance_within_tick(d: Duration) {
    // Read only to check (in debug builds): tokio's clock is behind a mutex.
    #[cfg(debug_assertions)]
    let before = tokio::time::Instant::now();
    let advance = std::pin::pin!(tokio::time::advance(d));
    // The yield defers this waker, which does nothing, to the scheduler's next park.
    let _ = advance.poll(&mut std::task::Context::from_waker(std::task::Waker::noop()));
    #[cfg(debug_assertions)]
    debug_assert_eq!(tokio::time::Instant::now() - before, d, "tokio::time::advance moves the clock when first polled");
}

/// A lab whose namespaces run users' futures, in virtual time.
///
/// ```
/// use nslab::{Lab, net::UdpSocket};
/// use std::time::Duration;
///
/// // Two namespaces and a veth between them, as a tutorial makes them.
/// let mut lab = Lab::from_script(
///     "ip netns add a\nip netns add b\n\
///      ip link add va type veth peer name vb\nip link set va netns a\nip link set vb netns b\n\
///      ip -n a addr add 10.0.0.1/24 dev va\nip -n b addr add 10.0.0.2/24 dev vb\n\
///      ip -n a link set va up\nip -n b link set vb up\n",
/// )?;
/// lab.spawn("b", async {
///     let sock = UdpSocket::bind("0.0.0.0:7").await?;
///     let mut buf = [0; 64];
///     let (n, from) = sock.recv_from(&mut buf).await?;
///     sock.send_to(&buf[..n], from).await
/// })?;
/// let ping = lab.spawn("a", async {
///     let sock = UdpSocket::bind("0.0.0.0:0").await?;
///     tokio::time::sleep(Duration::from_secs(60)).await; // a minute, in no time
///     sock.send_to(b"ping", "10.0.0.2:7").await?;
///     let mut buf = [0; 64];
///     let (n, _) = sock.recv_from(&mut buf).await?;
///     Ok::<_, std::io::Error>(buf[..n].to_vec())
/// })?;
/// assert_eq!(lab.block_on(ping)?.unwrap()?, b"ping");
/// assert!(lab.now() >= Duration::from_secs(60));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Lab {
    // Declared first, dropped first: the tasks (and their sockets) go while the runtime
    // and the engine (or the kernel's namespaces) are still there.
    local: LocalSet,
    back: Back,
    /// The namespaces a partition has rules in (`crate::faults`).
    pub(crate) partitioned: std::collections::BTreeSet<String>,
}

/// Where a lab runs.
enum Back {
    /// In the sim: a runtime whose clock is virtual, and the engine.
    Sim { rt: tokio::runtime::Runtime, shared: Rc<Shared>, driving: bool },
    /// On the kernel, in real time.
    #[cfg(feature = "kernel")]
    Kernel { kl: Box<RefCell<kernel_backend::KernelLab>>, start: std::time::Instant },
}

impl std::fmt::Debug for Lab {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let on = match &self.back {
            Back::Sim { .. } => "sim",
            #[cfg(feature = "kernel")]
            Back::Kernel { .. } => "kernel",
        };
        f.debug_struct("Lab").field("on", &on).finish_non_exhaustive()
    }
}

/// How long [`Lab::block_on`] waits in real time on the kernel (as kernel mode waits for
/// a foreground program).
#[cfg(feature = "kernel")]
pub const KERNEL_PATIENCE: Duration = Duration::from_secs(600);

impl Lab {
    /// A lab made by a script of the tutorial's own lines (`ip netns add a`, `ip link add
    /// …`, `sysctl -w …`, `iptables …`), run to its end with the script's seed (`# seed: N`)
    /// or 1. Programs it starts in the background are stopped at its end.
    pub fn from_script(text: &str) -> Result<Lab, Error> {
        Self::from_script_seeded(text, None)
    }

    /// [`Lab::from_script`] with `seed` (over the script's own).
    pub fn from_script_seeded(text: &str, seed: Option<u64>) -> Result<Lab, Error> {
        let file = "lab.sh";
        let sc = scenarios::load(file, text).map_err(Box::new)?;
        let opts = scenarios::run::sim::RunOptions { seed, ..Default::default() };
        let run = scenarios::run::sim::run(file, text, &sc, &opts).map_err(Box::new)?;
        Ok(Self::new(run.lab))
    }

    /// The lab of the same script on the real kernel, as root: its namespaces are real
    /// ones (named with a run prefix, as kernel mode names them), made and configured as
    /// `nslab run --kernel` does, and removed when the lab is dropped — however the test
    /// ends. Futures spawned into it open real `tokio::net` sockets inside those
    /// namespaces, and time is real. Without root, or without a tool the script needs, the
    /// error is [`Error::KernelUnavailable`], saying why.
    ///
    /// What a kernel lab cannot do: [`Lab::sim`] is `None`, and
    /// [`check_determinism`] refuses it.
    #[cfg(feature = "kernel")]
    pub fn kernel_from_script(text: &str) -> Result<Lab, Error> {
        let kl = kernel_backend::KernelLab::from_script("lab.sh", text).map_err(Error::from)?;
        let back = Back::Kernel { kl: Box::new(RefCell::new(kl)), start: std::time::Instant::now() };
        Ok(Lab { local: LocalSet::new(), back, partitioned: Default::default() })
    }

    /// A lab around an engine's lab as it stands.
    pub fn new(lab: sim_nodes::Lab) -> Lab {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .build()
            .expect("a current-thread runtime with a paused clock needs no resources that can fail");
        let base_t = {
            let _in = rt.enter();
            tokio::time::Instant::now()
        };
        let base_v = lab.world().now();
        let shared = Rc::new(Shared {
            lab: RefCell::new(lab),
            base_t,
            base_v,
            poke: Poke::default(),
            hosts: RefCell::new(BTreeMap::new()),
            polls: std::cell::Cell::new(0),
            clock: std::cell::Cell::new(None),
            waits: std::cell::Cell::new(0),
            wakes: Arc::new(AtomicU64::new(0)),
            in_task: std::cell::Cell::new(false),
            uncounted: std::cell::Cell::new(false),
            unseen: std::cell::Cell::new(false),
            ended: std::cell::Cell::new(false),
            woken: Rc::new(std::cell::Cell::new(0)),
            stopped: RefCell::new(None),
        });
        Lab { local: LocalSet::new(), back: Back::Sim { rt, shared, driving: false }, partitioned: Default::default() }
    }

    /// Whether the lab runs on the real kernel ([`Lab::kernel_from_script`]).
    pub fn on_kernel(&self) -> bool {
        !matches!(self.back, Back::Sim { .. })
    }

    /// Runs `fut` in namespace `ns` (`""` for the root): the sockets it makes are that
    /// namespace's. It starts when the lab runs ([`Lab::run_for`], [`Lab::block_on`]).
    pub fn spawn<F>(&mut self, ns: &str, fut: F) -> Result<JoinHandle<F::Output>, Error>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        match &self.back {
            Back::Sim { rt, shared, .. } => {
                let host = host(shared, ns)?;
                let fut = Place::Sim(Ctx { shared: shared.clone(), host }).scope(fut);
                let shared = shared.clone();
                let mut fut = Box::pin(fut);
                // The task sees a waker that counts its wakes (made once: tokio's waker of a
                // task does not change).
                let mut counting: Option<(std::task::Waker, std::task::Waker)> = None;
                let counted = std::future::poll_fn(move |cx| {
                    shared.polls.set(shared.polls.get() + 1);
                    let waits = shared.waits.get();
                    if !counting.as_ref().is_some_and(|(theirs, _)| theirs.will_wake(cx.waker())) {
                        let ours = Arc::new(CountingWaker { inner: cx.waker().clone(), wakes: shared.wakes.clone() });
                        counting = Some((cx.waker().clone(), ours.into()));
                    }
                    let ours = counting.as_ref().map(|(_, ours)| ours).unwrap_or(cx.waker());
                    let polled = {
                        let _in = InTask::enter(&shared.in_task);
                        fut.as_mut().poll(&mut std::task::Context::from_waker(ours))
                    };
                    match polled {
                        std::task::Poll::Ready(_) => shared.ended.set(true),
                        std::task::Poll::Pending if shared.waits.get() == waits => shared.unseen.set(true),
                        std::task::Poll::Pending => {}
                    }
                    polled
                });
                let _in = rt.enter();
                Ok(self.local.spawn_local(counted))
            }
            #[cfg(feature = "kernel")]
            Back::Kernel { kl, .. } => {
                let kl = kl.borrow();
                let name = kl.kernel_name(nonempty(ns)).map_err(Error::NoNamespace)?;
                let fut = Place::Kernel(name.into()).scope(fut);
                let _in = kl.runtime().enter();
                Ok(self.local.spawn_local(fut))
            }
        }
    }

    /// Runs the lab until `fut` completes (at most [`PATIENCE`] of virtual time; on the
    /// kernel, `KERNEL_PATIENCE` of real time): its output.
    pub fn block_on<F: Future>(&mut self, fut: F) -> Result<F::Output, Error> {
        self.run(fut, true)
    }

    /// Runs the lab for `d` of virtual time (on the kernel, of real time).
    pub fn run_for(&mut self, d: Duration) -> Result<(), Error> {
        self.run(async move { tokio::time::sleep(d).await }, false)
    }

    /// Runs the lab until `fut` completes; with `patience`, for at most [`PATIENCE`]
    /// (`KERNEL_PATIENCE` on the kernel).
    fn run<F: Future>(&mut self, fut: F, patience: bool) -> Result<F::Output, Error> {
        let Lab { local, back, .. } = self;
        let limited = |limit: Duration| async move {
            match patience {
                true => tokio::time::timeout(limit, fut).await.map_err(|_| Error::Stuck),
                false => Ok(fut.await),
            }
        };
        match back {
            Back::Sim { rt, shared, driving } => {
                start_driver(local, rt, shared, driving);
                shared.clock.set(None);
                let out = local.block_on(rt, limited(PATIENCE));
                shared.clock.set(None);
                check(shared)?;
                out
            }
            #[cfg(feature = "kernel")]
            Back::Kernel { kl, .. } => {
                let kl = kl.borrow();
                local.block_on(kl.runtime(), limited(KERNEL_PATIENCE))
            }
        }
    }

    /// Runs one command line in namespace `ns` (`""` for the root), as a script would —
    /// `ip route`, `iptables -t nat -L -n -v`, `conntrack -L`, `bridge fdb show`, `sysctl
    /// …`, `ip link set X down` — now, between runs: what it printed (stdout and stderr, as
    /// a terminal shows them) and its exit status. A command the machine refuses is the
    /// error, with the tool's message. A program that runs in time (`ping`, `nc`,
    /// `tcpdump`) is not supported yet here: put it in the script, or spawn a future.
    ///
    /// ```
    /// let mut lab = nslab::Lab::from_script("ip netns add a\n")?;
    /// let (lines, status) = lab.exec("a", "sysctl net.ipv4.ip_forward")?;
    /// assert_eq!((lines, status), (vec!["net.ipv4.ip_forward = 0".to_string()], 0));
    /// let e = lab.exec("a", "ip link set eth0 up").unwrap_err();
    /// assert!(e.to_string().contains("Cannot find device \"eth0\""), "{e}");
    /// # Ok::<(), nslab::Error>(())
    /// ```
    pub fn exec(&mut self, ns: &str, line: &str) -> Result<(Vec<String>, i32), Error> {
        let text = if ns.is_empty() { format!("{line}\n") } else { format!("ip netns exec {ns} {line}\n") };
        let file = "exec";
        let sc = scenarios::load(file, &text).map_err(Box::new)?;
        if let Some(step) = sc.steps.iter().find(|s| s.run.is_process()) {
            let e = ScenarioError::at(
                file,
                &text,
                step.span,
                format!("not supported yet: `{}` from Lab::exec", step.run.program()),
            )
            .with_hint("a program that runs in time goes in the script, or is a future you spawn");
            return Err(Error::Script(Box::new(e)));
        }
        let rendered = match &self.back {
            Back::Sim { rt, shared, .. } => {
                {
                    let _in = rt.enter();
                    shared.catch_up().map_err(|e| Error::Stopped(e.to_string()))?;
                }
                let mut cell = shared.lab.borrow_mut();
                let lab = std::mem::replace(&mut *cell, sim_nodes::Lab::new(0));
                let (lab, out) = scenarios::run::sim::run_on(lab, file, &text, &sc);
                // A command takes virtual time, as one typed does: the clock follows the
                // engine, so that the tasks' time and the engine's stay one.
                let ahead = {
                    let _in = rt.enter();
                    lab.world().now().as_nanos().saturating_sub(shared.now().as_nanos())
                };
                *cell = lab;
                drop(cell);
                if ahead > 0 {
                    rt.block_on(tokio::time::advance(Duration::from_nanos(ahead)));
                }
                out.map_err(|e| Error::Script(Box::new(e)))?
            }
            #[cfg(feature = "kernel")]
            Back::Kernel { kl, .. } => kl.borrow_mut().run_steps(file, &text, &sc)?,
        };
        let step = rendered.steps.into_iter().next().unwrap_or_default();
        Ok((step.output, step.exit.unwrap_or(0)))
    }

    /// Starts capturing every frame interface `dev` of namespace `ns` sends and receives,
    /// as `tcpdump -i dev` would (without printing): see [`Lab::tcpdump`], [`Lab::records`].
    pub fn capture(&mut self, ns: &str, dev: &str) -> Result<sim_core::CaptureId, Error> {
        match &self.back {
            Back::Sim { shared, .. } => {
                let mut lab = shared.lab.borrow_mut();
                let node = lab.ns(nonempty(ns)).map_err(|e| Error::NoNamespace(e.message))?;
                let all = sim_core::Filter::parse("").expect("the empty filter parses");
                let (_, id) = lab.tcpdump(node, dev, all, "", true).map_err(|e| Error::Refused(e.message))?;
                Ok(id)
            }
            #[cfg(feature = "kernel")]
            Back::Kernel { kl, .. } => kl.borrow_mut().capture(nonempty(ns), dev)?.map_err(Error::Refused),
        }
    }

    /// What capture `id` saw so far, as `tcpdump -tnel` prints it (`-e`: with MACs).
    ///
    /// ```
    /// let mut lab = nslab::Lab::from_script("ip netns add a\nip netns exec a ip link set lo up\n")?;
    /// let lo = lab.capture("a", "lo")?;
    /// let h = lab.spawn("a", async {
    ///     let sock = nslab::net::UdpSocket::bind("127.0.0.1:5353").await?;
    ///     sock.send_to(b"hello", "127.0.0.1:5353").await
    /// })?;
    /// lab.block_on(h)?.unwrap()?;
    /// assert_eq!(lab.tcpdump(lo, false), ["IP 127.0.0.1.5353 > 127.0.0.1.5353: UDP, length 5"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn tcpdump(&self, id: sim_core::CaptureId, link_header: bool) -> Vec<String> {
        let opts = sim_core::tcpdump::Options { link_header, ..Default::default() };
        let mut fmt = sim_core::tcpdump::Formatter::new(opts);
        self.with_records(|records| {
            let frames = records.iter().filter_map(|r| match r {
                sim_core::Record::Frame { at, capture, bytes, cooked, .. } if *capture == id => {
                    Some((at, bytes, cooked))
                }
                _ => None,
            });
            frames.map(|(at, bytes, cooked)| fmt.line_of(at.as_nanos(), bytes, cooked.as_deref())).collect()
        })
    }

    /// Everything the lab recorded so far, typed: commands, programs' output and exits,
    /// captured frames, drops with their reason and context (the packet, the interface, the
    /// iptables rule), table events (conntrack, neighbours, FDB). The first 100 drops of
    /// each namespace, interface and reason are recorded one by one, the rest counted
    /// ([`sim_core::world::Limits::drop_records`] sets how many; the engine's trace has the
    /// counts). On the kernel: the commands [`Lab::exec`] ran, their output, and captured
    /// frames.
    pub fn records(&self) -> Vec<sim_core::Record> {
        self.with_records(<[sim_core::Record]>::to_vec)
    }

    fn with_records<R>(&self, f: impl FnOnce(&[sim_core::Record]) -> R) -> R {
        match &self.back {
            Back::Sim { shared, .. } => f(shared.lab.borrow().world().trace().records()),
            #[cfg(feature = "kernel")]
            Back::Kernel { kl, .. } => f(kl.borrow_mut().records()),
        }
    }

    /// The time now, since the lab began: virtual in the sim, real on the kernel.
    pub fn now(&self) -> Duration {
        match &self.back {
            Back::Sim { rt, shared, .. } => {
                let _in = rt.enter();
                Duration::from_nanos(shared.now().as_nanos())
            }
            #[cfg(feature = "kernel")]
            Back::Kernel { start, .. } => start.elapsed(),
        }
    }

    /// The engine's lab (its namespaces, trace and captures); `None` on the kernel.
    pub fn sim(&self) -> Option<Ref<'_, sim_nodes::Lab>> {
        match &self.back {
            Back::Sim { shared, .. } => Some(shared.lab.borrow()),
            #[cfg(feature = "kernel")]
            Back::Kernel { .. } => None,
        }
    }

    /// The engine's lab, to change (start a capture, change a link) between runs; `None`
    /// on the kernel.
    pub fn sim_mut(&self) -> Option<RefMut<'_, sim_nodes::Lab>> {
        match &self.back {
            Back::Sim { shared, .. } => Some(shared.lab.borrow_mut()),
            #[cfg(feature = "kernel")]
            Back::Kernel { .. } => None,
        }
    }
}

/// `None` for the root namespace's `""`.
pub(crate) fn nonempty(ns: &str) -> Option<&str> {
    (!ns.is_empty()).then_some(ns)
}

/// The host of namespace `ns` in the sim, started on first use.
fn host(shared: &Rc<Shared>, ns: &str) -> Result<Rc<Host>, Error> {
    let mut lab = shared.lab.borrow_mut();
    let node = lab.ns(nonempty(ns)).map_err(|e| Error::NoNamespace(e.message))?;
    if let Some(h) = shared.hosts.borrow().get(&node) {
        return Ok(h.clone());
    }
    let wakers = crate::net::Wakers::default();
    let program = HostProgram { wakers: wakers.clone(), woken: shared.woken.clone() };
    let job = lab.spawn(node, Box::new(program));
    let host = Rc::new(Host { job, wakers });
    shared.hosts.borrow_mut().insert(node, host.clone());
    Ok(host)
}

fn start_driver(local: &LocalSet, rt: &tokio::runtime::Runtime, shared: &Rc<Shared>, driving: &mut bool) {
    if !std::mem::replace(driving, true) {
        let _in = rt.enter();
        local.spawn_local(drive(shared.clone()));
    }
}

/// Whether one of the engine's guards stopped it — in the driver's run, or in a socket
/// call's settling, which counts toward the same budget.
fn check(shared: &Shared) -> Result<(), Error> {
    if let Some(e) = shared.stopped.borrow().as_ref() {
        return Err(Error::Stopped(e.clone()));
    }
    match shared.lab.borrow().world().stopped() {
        Some(e) => Err(Error::Stopped(e.to_string())),
        None => Ok(()),
    }
}
