//! Faults from code: a link down and up, a partition between two sets of hosts and its
//! repair, and delay, loss and rate on a device's transmit side.
//!
//! Each is what a person would type, run through [`Lab::exec`] so it works alike in the
//! sim and on the kernel and shows in the trace as the command it is: `ip link set DEV
//! down`, for a partition the iptables rules of a chain `NSLAB-PARTITION` in each host, for
//! an impairment `tc qdisc replace dev DEV root netem …`. It must not reach into a
//! namespace's stack or the engine's links.

use crate::{Error, Lab};
use std::fmt::Write as _;
use std::time::Duration;

/// The chain a partition's rules go in, in every host on either side.
pub const PARTITION_CHAIN: &str = "NSLAB-PARTITION";

/// What [`Lab::impair`] adds to a device's transmit side: a netem qdisc's `delay`, `loss`
/// and `rate`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Impairment {
    /// Added one-way delay (`delay TIME`, in whole microseconds).
    pub delay: Option<Duration>,
    /// Packets lost, per million (`loss random PERCENT`), drawn from the qdisc's own seeded
    /// stream in the sim.
    pub loss_ppm: u32,
    /// Bits per second (`rate RATE`); 0: unlimited.
    pub rate_bps: u64,
}

impl Impairment {
    /// The `tc` line that sets it on `dev`: `tc qdisc replace dev DEV root netem …`.
    pub fn tc_line(&self, dev: &str) -> String {
        let mut line = format!("tc qdisc replace dev {dev} root netem");
        if let Some(d) = self.delay {
            let _ = write!(line, " delay {}us", d.as_micros());
        }
        if self.loss_ppm > 0 {
            // A percentage with as many decimals as a part per million needs, and no more.
            let pct = format!("{}.{:04}", self.loss_ppm / 10_000, self.loss_ppm % 10_000);
            let _ = write!(line, " loss random {}%", pct.trim_end_matches('0').trim_end_matches('.'));
        }
        if self.rate_bps > 0 {
            let _ = write!(line, " rate {}bit", self.rate_bps);
        }
        line
    }
}

impl Lab {
    /// `ip link set DEV down` in namespace `ns`: the veth's peer loses its carrier, as
    /// on Linux.
    pub fn link_down(&mut self, ns: &str, dev: &str) -> Result<(), Error> {
        self.exec(ns, &format!("ip link set {dev} down")).map(|_| ())
    }

    /// `ip link set DEV up` in namespace `ns`.
    pub fn link_up(&mut self, ns: &str, dev: &str) -> Result<(), Error> {
        self.exec(ns, &format!("ip link set {dev} up")).map(|_| ())
    }

    /// Cuts every host of `a` off from every host of `b`, both ways: each host drops what
    /// it sends to, or receives from, an IPv4 address of the other side (iptables rules in
    /// chain [`PARTITION_CHAIN`], jumped to first from INPUT and OUTPUT). Routers between
    /// them are left alone: through a NAT, a host of `b` still sends to the NAT's address,
    /// and the host of `a` behind it drops what arrives. [`Lab::heal`] repairs it.
    ///
    /// ```
    /// use nslab::{Lab, net::UdpSocket};
    ///
    /// let mut lab = Lab::builder().netns("a").netns("b").veth(("a", "va"), ("b", "vb"))
    ///     .addr("a", "va", "10.0.0.1/24").addr("b", "vb", "10.0.0.2/24").build()?;
    /// let heard = lab.spawn("b", async {
    ///     let sock = UdpSocket::bind("0.0.0.0:7").await?;
    ///     let mut buf = [0; 8];
    ///     let (n, _) = sock.recv_from(&mut buf).await?;
    ///     Ok::<_, std::io::Error>(buf[..n].to_vec())
    /// })?;
    /// lab.partition(&["a"], &["b"])?;
    /// let send = |what: &'static [u8]| async move {
    ///     let sock = UdpSocket::bind("0.0.0.0:0").await?;
    ///     // During the partition, Linux's sendto(2) fails with EPERM (iptables' DROP in
    ///     // OUTPUT); the sim's does not yet, so this ignores what it returns.
    ///     let _ = sock.send_to(what, "10.0.0.2:7").await;
    ///     Ok::<_, std::io::Error>(())
    /// };
    /// let cut = lab.spawn("a", send(b"lost"))?;
    /// lab.block_on(cut)?.unwrap()?;
    /// lab.heal()?;
    /// let again = lab.spawn("a", send(b"found"))?;
    /// lab.block_on(again)?.unwrap()?;
    /// assert_eq!(lab.block_on(heard)?.unwrap()?, b"found");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn partition(&mut self, a: &[&str], b: &[&str]) -> Result<(), Error> {
        for (side, other) in [(a, b), (b, a)] {
            let mut addrs = Vec::new();
            for ns in other {
                addrs.extend(self.addresses(ns)?);
            }
            for ns in side {
                if self.partitioned.insert(ns.to_string()) {
                    self.exec(ns, &format!("iptables -N {PARTITION_CHAIN}"))?;
                    self.exec(ns, &format!("iptables -I INPUT 1 -j {PARTITION_CHAIN}"))?;
                    self.exec(ns, &format!("iptables -I OUTPUT 1 -j {PARTITION_CHAIN}"))?;
                }
                for addr in &addrs {
                    self.exec(ns, &format!("iptables -A {PARTITION_CHAIN} -s {addr} -j DROP"))?;
                    self.exec(ns, &format!("iptables -A {PARTITION_CHAIN} -d {addr} -j DROP"))?;
                }
            }
        }
        Ok(())
    }

    /// Repairs every partition: the rules and chains [`Lab::partition`] added go.
    pub fn heal(&mut self) -> Result<(), Error> {
        for ns in std::mem::take(&mut self.partitioned) {
            self.exec(&ns, &format!("iptables -D INPUT -j {PARTITION_CHAIN}"))?;
            self.exec(&ns, &format!("iptables -D OUTPUT -j {PARTITION_CHAIN}"))?;
            self.exec(&ns, &format!("iptables -F {PARTITION_CHAIN}"))?;
            self.exec(&ns, &format!("iptables -X {PARTITION_CHAIN}"))?;
        }
        Ok(())
    }

    /// The IPv4 addresses of namespace `ns` but loopback's, as `ip -4 addr show` lists
    /// them.
    fn addresses(&mut self, ns: &str) -> Result<Vec<String>, Error> {
        let (lines, _) = self.exec(ns, "ip -4 addr show")?;
        let words = lines.iter().filter_map(|l| {
            let mut w = l.split_whitespace();
            w.find(|w| *w == "inet")?;
            w.next()?.split('/').next().map(str::to_string)
        });
        Ok(words.filter(|a| !a.starts_with("127.")).collect())
    }

    /// Impairs what `dev` in namespace `ns` transmits — one direction, as a qdisc is one
    /// device's: it runs [`Impairment::tc_line`] (`tc qdisc replace dev DEV root netem
    /// delay … loss random …% rate …bit`), replacing whatever root qdisc `dev` had. Impair
    /// both ends of a veth pair for both directions. The sim runs netem as `sch_netem.c`
    /// does; on the kernel it needs the `sch_netem` module, and where the kernel has none
    /// `tc`'s own error comes back (`Error: Specified qdisc kind is unknown.`).
    /// [`Lab::clear_impairment`] takes it off.
    ///
    /// ```
    /// use nslab::{Impairment, Lab};
    /// use std::time::Duration;
    ///
    /// let mut lab = Lab::builder().netns("a").netns("b").veth(("a", "va"), ("b", "vb")).build()?;
    /// let wan = Impairment { delay: Some(Duration::from_millis(20)), loss_ppm: 5_000, rate_bps: 1_000_000 };
    /// lab.impair("a", "va", wan)?;
    /// let (lines, _) = lab.exec("a", "tc qdisc show dev va")?;
    /// assert_eq!(lines, ["qdisc netem 8001: root refcnt 3 limit 1000 delay 20ms loss 0.5% rate 1Mbit"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn impair(&mut self, ns: &str, dev: &str, imp: Impairment) -> Result<(), Error> {
        self.exec_ok(ns, &imp.tc_line(dev))
    }

    /// Takes an impairment off `dev`: `tc qdisc del dev DEV root`, back to the default
    /// qdisc.
    pub fn clear_impairment(&mut self, ns: &str, dev: &str) -> Result<(), Error> {
        self.exec_ok(ns, &format!("tc qdisc del dev {dev} root"))
    }

    /// Runs `line` in `ns`; a nonzero exit status is an error carrying what it printed.
    fn exec_ok(&mut self, ns: &str, line: &str) -> Result<(), Error> {
        match self.exec(ns, line)? {
            (_, 0) => Ok(()),
            (out, status) => Err(Error::Refused(format!("`{line}` in {ns} exited {status}: {}", out.join("\n")))),
        }
    }
}
