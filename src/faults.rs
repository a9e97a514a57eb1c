//! Faults from code: a link down and up, a partition between two sets of hosts and its
//! repair, and delay, loss and rate on a veth pair (sim only until `tc` comes).
//!
//! Each is what a person would type, run through [`Lab::exec`] so it works alike in the
//! sim and on the kernel and shows in the trace as the command it is: `ip link set DEV
//! down`, and for a partition the iptables rules of a chain `NSLAB-PARTITION` in each
//! host. It must not reach into a namespace's stack; the link model is `sim_core`'s.

use crate::{Error, Lab};
use std::time::Duration;

/// The chain a partition's rules go in, in every host on either side.
pub const PARTITION_CHAIN: &str = "NSLAB-PARTITION";

/// Impairments of a veth pair in the sim: sim-core's link model, both directions alike.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Impairment {
    /// One-way delay (the sim's default is a few microseconds).
    pub delay: Option<Duration>,
    /// Frames lost, per million, drawn from the link's own seeded stream.
    pub loss_ppm: u32,
    /// Bits per second each way; 0: unlimited.
    pub rate_bps: u64,
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

    /// Sets the impairments of the veth pair whose end is `dev` in namespace `ns` — both
    /// directions, as sim-core models a link today (`tc` on one device's transmit side is
    /// still to come). In the sim only: on the kernel it is refused (delay and loss there
    /// need `tc qdisc … netem`).
    pub fn impair(&mut self, ns: &str, dev: &str, imp: Impairment) -> Result<(), Error> {
        let Some(mut lab) = self.sim_mut() else {
            return Err(Error::Refused(
                "not supported yet on the kernel: Lab::impair (delay and loss there need tc netem)".into(),
            ));
        };
        let node = lab.ns(crate::lab::nonempty(ns)).map_err(|e| Error::NoNamespace(e.message))?;
        let ix = lab.dev_index(node, dev).map_err(|e| Error::Refused(e.message))?;
        let world = lab.world_mut();
        let Some((id, _)) = world.link_at(node, sim_core::PortId(ix)) else {
            return Err(Error::Refused(format!("{dev} is not one end of a veth pair: it has no link to impair")));
        };
        let link = world.link_mut(id).expect("link_at names a link");
        if let Some(d) = imp.delay {
            link.config.delay = sim_core::Duration::from_nanos(d.as_nanos() as u64);
        }
        link.config.loss_ppm = imp.loss_ppm;
        link.config.rate_bps = imp.rate_bps;
        Ok(())
    }
}
