//! A host: the program through which a namespace's user futures hold their sockets, and
//! the context a future finds itself in (which namespace, which lab).
//!
//! One [`HostProgram`] runs per namespace that runs user futures; every socket a future
//! opens there is that program's. When the stack marks one of its sockets ready, the
//! program wakes the tasks waiting on it; the futures themselves call the stack through
//! [`Ctx::sys`], between the engine's events, never inside one.

use crate::lab::Shared;
use sim_nodes::Job;
use sim_nodes::sys::{Program, SocketId, Sys};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::io;
use std::rc::Rc;
use std::task::Waker;

/// Tasks waiting on a socket, by socket.
pub(crate) type Wakers = Rc<RefCell<BTreeMap<SocketId, Waiting>>>;

/// What waits on one socket.
#[derive(Default)]
pub(crate) struct Waiting {
    /// The tasks to wake at its next news.
    wakers: Vec<Waker>,
    /// A call found nothing to read, and the stack has told no news of it since: reading
    /// again would find nothing, so it need not ask the stack.
    quiet: bool,
    /// How many times the stack has told news of it: a reader marks the socket quiet only
    /// if no news came while it was reading (the stack may tell news while it settles
    /// after the call, before the reader learns what the call found).
    news: u64,
}

/// The program that holds a namespace's user sockets.
pub(crate) struct HostProgram {
    pub(crate) wakers: Wakers,
    /// The lab's count of wakes (the driver stops running the engine ahead once it moves).
    pub(crate) woken: Rc<std::cell::Cell<u64>>,
}

impl std::fmt::Debug for HostProgram {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HostProgram")
    }
}

impl Program for HostProgram {
    fn name(&self) -> &'static str {
        "host"
    }
    fn start(&mut self, _: &mut Sys<'_, '_, '_>) {}
    fn on_ready(&mut self, _: &mut Sys<'_, '_, '_>, sock: SocketId) {
        // The socket's list stays (empty) for its next waiters: nothing is allocated per wait.
        let mut wakers = self.wakers.borrow_mut();
        // Counted for every socket, waited on or not yet: a reader's first read compares.
        {
            let w = wakers.entry(sock).or_default();
            w.quiet = false;
            w.news += 1;
            if !w.wakers.is_empty() {
                self.woken.set(self.woken.get() + 1);
                for w in w.wakers.drain(..) {
                    w.wake();
                }
            }
        }
    }
    fn interrupt(&mut self, sys: &mut Sys<'_, '_, '_>) {
        sys.exit(130);
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn std::any::Any {
        self
    }
}

impl Drop for HostProgram {
    /// The host ended (its namespace deleted, or interrupted): every task waiting on one of
    /// its sockets is woken, to find that out.
    fn drop(&mut self) {
        if let Ok(mut wakers) = self.wakers.try_borrow_mut() {
            for w in wakers.values_mut() {
                w.quiet = false;
                for w in w.wakers.drain(..) {
                    self.woken.set(self.woken.get() + 1);
                    w.wake();
                }
            }
        }
    }
}

/// A namespace running user futures.
pub(crate) struct Host {
    /// The host program.
    pub(crate) job: Job,
    /// Its waiting tasks.
    pub(crate) wakers: Wakers,
}

/// Where a future runs: its lab and its host.
#[derive(Clone)]
pub(crate) struct Ctx {
    pub(crate) shared: Rc<Shared>,
    pub(crate) host: Rc<Host>,
}

/// Where a future runs: a host of the sim, or a namespace on the kernel.
#[derive(Clone)]
pub(crate) enum Place {
    /// A namespace of the sim.
    Sim(Ctx),
    /// A namespace on the kernel, by the kernel's name for it.
    #[cfg(feature = "kernel")]
    Kernel(Rc<str>),
}

tokio::task_local! {
    static CURRENT: Place;
}

impl Place {
    /// Where the running future runs: an error outside a lab's host (a socket made by a
    /// future that [`crate::Lab::spawn`] did not start).
    pub(crate) fn current() -> io::Result<Place> {
        CURRENT.try_with(Place::clone).map_err(|_| {
            io::Error::other("nslab::net: not inside a host; start the future with Lab::spawn(namespace, future)")
        })
    }

    /// Runs `fut` as a future of this place.
    pub(crate) fn scope<F: std::future::Future>(self, fut: F) -> impl std::future::Future<Output = F::Output> {
        CURRENT.scope(self, fut)
    }
}

impl Ctx {
    /// Calls the stack as the host program, at the current virtual time (events due
    /// until then happen first).
    pub(crate) fn sys<R>(&self, f: impl FnOnce(&mut Sys<'_, '_, '_>) -> R) -> io::Result<R> {
        self.shared.catch_up()?;
        let mut lab = self.shared.lab.borrow_mut();
        let r = lab.with_sys(self.host.job, f).ok_or_else(ended);
        drop(lab);
        // What the call sent may be due now: the driver looks again.
        self.shared.poke.poke();
        r
    }

    /// Closes what `f` closes, at the engine's time, without letting time pass: a socket
    /// dropped (also when the lab itself goes).
    pub(crate) fn close(&self, f: impl FnOnce(&mut Sys<'_, '_, '_>)) {
        if let Ok(mut lab) = self.shared.lab.try_borrow_mut() {
            lab.with_sys(self.host.job, f);
        }
    }

    /// Wakes `waker` when socket `sock` has news.
    pub(crate) fn wait(&self, sock: SocketId, waker: &Waker) {
        self.shared.waits.set(self.shared.waits.get() + 1);
        if !self.shared.in_task.get() {
            self.shared.uncounted.set(true);
        }
        let mut w = self.host.wakers.borrow_mut();
        let list = &mut w.entry(sock).or_default().wakers;
        if !list.iter().any(|x| x.will_wake(waker)) {
            list.push(waker.clone());
        }
    }

    /// How many times the stack has told news of `sock`: what a reader takes before it
    /// reads, for [`Ctx::quiet`].
    pub(crate) fn news(&self, sock: SocketId) -> u64 {
        self.host.wakers.borrow().get(&sock).map_or(0, |w| w.news)
    }

    /// [`Ctx::wait`], for a caller that took `news` from [`Ctx::news`] before the call
    /// whose result made it wait: if news came while that call ran (as the stack settled
    /// after it), before this waker was there to be woken, the task is woken at once to
    /// poll again instead of waiting for news that has already come.
    pub(crate) fn wait_since(&self, sock: SocketId, waker: &Waker, news: u64) {
        self.wait(sock, waker);
        if self.news(sock) != news {
            waker.wake_by_ref();
        }
    }

    /// [`Ctx::wait_since`], once a read of `sock` found nothing: see [`Ctx::quiet`].
    pub(crate) fn wait_quiet(&self, sock: SocketId, waker: &Waker, news: u64) {
        self.quiet(sock, news);
        self.wait_since(sock, waker, news);
    }

    /// Marks `sock` as having nothing to read (a read found nothing, or took the last of
    /// its queue) — unless the stack told news of it since the reader took `news` from
    /// [`Ctx::news`]: until the stack tells news of it, [`Ctx::nothing_new`] says so
    /// without asking the stack.
    pub(crate) fn quiet(&self, sock: SocketId, news: u64) {
        let mut wakers = self.host.wakers.borrow_mut();
        let w = wakers.entry(sock).or_default();
        if w.news == news {
            w.quiet = true;
        }
    }

    /// True when a read of `sock` would find what the last one found — nothing —, the
    /// engine having run up to now (as [`Ctx::sys`] runs it): a waiting reader that is
    /// polled again costs no call into the stack. (A host that ends clears every mark:
    /// its waiting readers then ask the stack, and learn it.)
    pub(crate) fn nothing_new(&self, sock: SocketId) -> io::Result<bool> {
        let quiet = || self.host.wakers.borrow().get(&sock).is_some_and(|w| w.quiet);
        if !quiet() {
            return Ok(false);
        }
        self.shared.catch_up()?;
        // What the engine did may be due sooner than the driver thought, as after `sys`.
        self.shared.poke.poke();
        Ok(quiet())
    }

    /// Forgets socket `sock`'s waiters (it is closed).
    pub(crate) fn forget(&self, sock: SocketId) {
        self.host.wakers.borrow_mut().remove(&sock);
    }
}

/// What a call finds once its host has ended.
fn ended() -> io::Error {
    io::Error::other("nslab::net: the host has ended")
}
