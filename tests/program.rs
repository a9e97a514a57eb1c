//! Code outside nslab runs on a simulated host: a `Program` written here, started with
//! `Lab::spawn`, driven by the namespace in virtual time — its timer, its output, its exit —
//! beside the built-in tools (a ping answering it over the same namespace).

mod common;

use nslab::sim_core::{Duration, Instant, Record, Stream};
use nslab::sim_nodes::proc::{Program, Sys};

/// Prints a line every second, three times, then exits with status 7; Ctrl-C ends it early.
#[derive(Debug, Default)]
struct Ticker {
    ticks: u32,
    next: Option<Instant>,
}

impl Program for Ticker {
    fn name(&self) -> &'static str {
        "ticker"
    }
    fn start(&mut self, sys: &mut Sys<'_, '_, '_>) {
        sys.stdout("ticker: started");
        self.next = Some(sys.now() + Duration::from_secs(1));
    }
    fn on_timeout(&mut self, sys: &mut Sys<'_, '_, '_>) {
        self.ticks += 1;
        sys.stdout(format!("tick {} at {}", self.ticks, sys.now()));
        if self.ticks == 3 {
            sys.exit(7);
            self.next = None;
        } else {
            self.next = Some(sys.now() + Duration::from_secs(1));
        }
    }
    fn interrupt(&mut self, sys: &mut Sys<'_, '_, '_>) {
        sys.stderr("ticker: interrupted");
        sys.exit(130);
    }
    fn poll_timeout(&self) -> Option<Instant> {
        self.next
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn std::any::Any {
        self
    }
}

fn lines(lab: &nslab::sim_nodes::Lab, pid: u32) -> Vec<(u64, String)> {
    lab.world()
        .trace()
        .records()
        .iter()
        .filter_map(|r| match r {
            Record::Output { at, pid: p, stream: Stream::Stdout | Stream::Stderr, line, .. } if *p == pid => {
                Some((at.as_nanos() / 1_000_000_000, line.clone()))
            }
            _ => None,
        })
        .collect()
}

#[test]
fn a_users_program_runs_on_a_host_in_virtual_time() {
    let mut run = common::run_text("lab.sh", "ip netns add a\nip netns exec a ip link set lo up\n").unwrap();
    let lab = &mut run.lab;
    let a = lab.ns(Some("a")).unwrap();
    let job = lab.spawn(a, Box::new(Ticker::default()));
    assert!(lab.is_running(job));
    let t0 = lab.world().now();
    lab.world_mut().run_until(t0 + Duration::from_secs(10)).unwrap();
    assert!(!lab.is_running(job), "it exited by itself");
    let got = lines(lab, job.pid);
    let s = t0.as_nanos() / 1_000_000_000;
    assert_eq!(
        got.iter().map(|(t, l)| (t - s, l.split(" at ").next().unwrap().to_string())).collect::<Vec<_>>(),
        [(0, "ticker: started".into()), (1, "tick 1".into()), (2, "tick 2".into()), (3, "tick 3".into())]
    );
    let exit = lab.world().trace().records().iter().find_map(|r| match r {
        Record::Exit { pid, status, .. } if *pid == job.pid => Some(*status),
        _ => None,
    });
    assert_eq!(exit, Some(7));
}

#[test]
fn ctrl_c_reaches_a_users_program() {
    let mut run = common::run_text("lab.sh", "ip netns add a\n").unwrap();
    let lab = &mut run.lab;
    let a = lab.ns(Some("a")).unwrap();
    let job = lab.spawn(a, Box::new(Ticker::default()));
    let t0 = lab.world().now();
    lab.world_mut().run_until(t0 + Duration::from_millis(1500)).unwrap();
    lab.interrupt(job);
    assert!(!lab.is_running(job));
    let got: Vec<String> = lines(lab, job.pid).into_iter().map(|(_, l)| l).collect();
    assert_eq!(got.len(), 3, "{got:?}");
    assert_eq!(got[2], "ticker: interrupted");
}
