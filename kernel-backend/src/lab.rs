//! A lab kept standing on the kernel: a script's namespaces made and configured as
//! [`crate::run`] makes them, then left for a library user's code (`nslab::Lab` in kernel
//! mode) — one command line at a time, captures, and sockets opened inside its namespaces —
//! until it is dropped.
//!
//! It owns the run's runtime and its back end ([`Kernel`]), so everything it made goes when
//! it goes (a `Drop`, a panic's unwinding too), and its guard process removes it if the
//! test process is killed. Unlike `nslab run --kernel` it installs no signal handlers: a
//! library must not take Ctrl-C from the test process for good (tokio never gives a
//! handler back); Ctrl-C kills the process as usual and the guard cleans up. It must not
//! open a user's sockets itself: `nslab::net` does, on a thread inside the namespace
//! ([`crate::netns::within`]).

use crate::runner::Kernel;
use crate::{KernelError, preflight, refuse_endless_sleep};
use scenarios::Scenario;
use scenarios::render::transcript::{self, Rendered};
use scenarios::run::shell;
use sim_core::{CaptureId, Filter, Record};
use std::time::Duration;

/// How long [`KernelLab::records`] waits for a capture to take in what its socket holds.
const FLUSH_LIMIT: Duration = Duration::from_secs(1);

/// A script's namespaces on the kernel, standing until dropped.
pub struct KernelLab {
    // Declared first, dropped first: namespaces go before the runtime.
    k: Kernel,
    rt: tokio::runtime::Runtime,
    records: Vec<Record>,
}

impl std::fmt::Debug for KernelLab {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KernelLab").field("prefix", &self.k.names.prefix()).finish_non_exhaustive()
    }
}

impl KernelLab {
    /// Makes the lab of script `text` (named `file` in errors) on the kernel: the same
    /// validation as a run, then [`preflight`], then its steps. Programs it starts in the
    /// background are stopped at its end, as the sim's `Lab::from_script` does.
    pub fn from_script(file: &str, text: &str) -> Result<KernelLab, KernelError> {
        let sc = scenarios::load(file, text)?;
        scenarios::check(file, text, &sc)?;
        refuse_endless_sleep(file, text, &sc)?;
        preflight(&sc)?;
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| KernelError::Io(format!("tokio: {e}")))?;
        let made = rt.block_on(async {
            let mut k = Kernel::begin(file, text).await?;
            shell::run_steps(&mut k, file, text, &sc.steps, false).await.result?;
            Ok::<_, KernelError>(k)
        });
        let k = made?;
        let records = k.rec.take();
        Ok(KernelLab { k, rt, records })
    }

    /// The runtime the lab's work runs on (a user's sockets register with it).
    pub fn runtime(&self) -> &tokio::runtime::Runtime {
        &self.rt
    }

    /// The kernel's name of the scenario's namespace `ns` (`None`: its root), or the
    /// refusal for one the lab does not have, in `ip netns exec`'s words.
    pub fn kernel_name(&self, ns: Option<&str>) -> Result<String, String> {
        self.k.kernel_of(ns).map(|(k, _)| k).map_err(|r| r.message)
    }

    /// Runs the steps of `sc` (parsed from `text`, named `file` in errors) as a script
    /// would: what each printed, rendered. A refused step is the error.
    pub fn run_steps(&mut self, file: &str, text: &str, sc: &Scenario) -> Result<Rendered, KernelError> {
        // The steps passed the front end's checks (`scenarios::load`: a `sysctl` key is one
        // the namespace keeps, never the machine's); their tools must be here.
        preflight(sc)?;
        file.clone_into(&mut self.k.file);
        text.clone_into(&mut self.k.source);
        let k = &mut self.k;
        let ran = self.rt.block_on(shell::run_steps(k, file, text, &sc.steps, false));
        ran.result?;
        let new = self.k.rec.take();
        let rendered = transcript::render(&new, &self.k.attribution, &sc.steps, &ran.exits);
        self.records.extend(new);
        Ok(rendered)
    }

    /// Starts capturing every frame of interface `dev` in namespace `ns` into the lab's
    /// records; `Ok(Err(why))` is tcpdump's refusal (no such device).
    pub fn capture(&mut self, ns: Option<&str>, dev: &str) -> Result<Result<CaptureId, String>, KernelError> {
        let (kernel, name) = match self.k.kernel_of(ns) {
            Ok(x) => x,
            Err(r) => return Ok(Err(r.message)),
        };
        let all = Filter::parse("").expect("the empty filter parses");
        Ok(self.k.open_capture(&kernel, name, ns, dev, (all, None), None)?.map(|(id, _)| id))
    }

    /// Everything recorded so far: commands, their output, and the frames of every capture
    /// (each capture first takes in what its socket already holds).
    pub fn records(&mut self) -> &[Record] {
        for c in self.k.caps.iter().filter(|c| !c.ended) {
            c.cap.flush(FLUSH_LIMIT);
        }
        let new = self.k.rec.take();
        self.records.extend(new);
        &self.records
    }
}

impl Drop for KernelLab {
    fn drop(&mut self) {
        // The captures' threads leave the namespaces before the namespaces go.
        for k in 0..self.k.caps.len() {
            self.k.end_capture(k);
        }
    }
}
