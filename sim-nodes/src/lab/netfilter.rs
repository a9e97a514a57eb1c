//! The `Lab`'s netfilter and traffic-control vocabulary: `iptables`, `iptables-save` /
//! `-restore`, `conntrack -L` / `-F` (`conntrack -E` is a process) and `tc`.

use super::{Lab, LabError};
use crate::netfilter::{self, CtCmd, Family};
use crate::netns::{Netns, hooks::ToolOutput};
use sim_core::NodeId;

impl From<netfilter::CliError> for LabError {
    fn from(e: netfilter::CliError) -> Self {
        let hint = netfilter::cli::hint(&e);
        LabError { message: e.message, status: e.status, hint }
    }
}

impl From<crate::tc::cli::TcError> for LabError {
    fn from(e: crate::tc::cli::TcError) -> Self {
        LabError { message: e.message, status: e.status, hint: None }
    }
}

impl Lab {
    /// `tc ARGS` in namespace `node`. A new netem draws from a stream of its own, keyed by
    /// the run's seed, the namespace, the device and the handle.
    pub fn tc<S: AsRef<str>>(&mut self, node: NodeId, args: &[S]) -> Result<ToolOutput, LabError> {
        let cmd = crate::tc::cli::parse(args)?;
        let seed = self.world.seed();
        let ns = self.world.node_name(node).to_string();
        let auto = &mut self.auto_handle;
        let mut stream = |at: &str| sim_core::rng::stream(seed, &format!("{ns} {at}"));
        Ok(self.world.with_node::<Netns, _>(node, |n, cx| n.tc(cx, &cmd, auto, &mut stream))?)
    }

    /// `iptables ARGS` in namespace `node`.
    pub fn iptables<S: AsRef<str>>(&mut self, node: NodeId, args: &[S]) -> Result<ToolOutput, LabError> {
        let cmd = netfilter::cli::parse(args)?;
        Ok(self.world.with_node::<Netns, _>(node, |n, _| n.iptables(&cmd))?)
    }

    /// `ip6tables ARGS` in namespace `node`.
    pub fn ip6tables<S: AsRef<str>>(&mut self, node: NodeId, args: &[S]) -> Result<ToolOutput, LabError> {
        let cmd = netfilter::cli::parse_family(args, Family::V6)?;
        Ok(self.world.with_node::<Netns, _>(node, |n, _| n.iptables(&cmd))?)
    }

    /// `iptables-save ARGS` in namespace `node`.
    pub fn iptables_save<S: AsRef<str>>(&mut self, node: NodeId, args: &[S]) -> Result<ToolOutput, LabError> {
        self.save(node, Family::V4, args)
    }

    /// `ip6tables-save ARGS` in namespace `node`.
    pub fn ip6tables_save<S: AsRef<str>>(&mut self, node: NodeId, args: &[S]) -> Result<ToolOutput, LabError> {
        self.save(node, Family::V6, args)
    }

    /// `iptables-save` or `ip6tables-save`, by `family`.
    pub(crate) fn save<S: AsRef<str>>(
        &mut self,
        node: NodeId,
        family: Family,
        args: &[S],
    ) -> Result<ToolOutput, LabError> {
        let (only, counters) = netfilter::save::parse_save(family, args)?;
        let now = self.world.now();
        Ok(self.netns(node).iptables_save(family, only, counters, now))
    }

    /// `iptables-restore ARGS` in namespace `node`, `input` on its stdin.
    pub fn iptables_restore<S: AsRef<str>>(
        &mut self,
        node: NodeId,
        args: &[S],
        input: &[String],
    ) -> Result<ToolOutput, LabError> {
        self.restore(node, Family::V4, args, input)
    }

    /// `ip6tables-restore ARGS` in namespace `node`, `input` on its stdin.
    pub fn ip6tables_restore<S: AsRef<str>>(
        &mut self,
        node: NodeId,
        args: &[S],
        input: &[String],
    ) -> Result<ToolOutput, LabError> {
        self.restore(node, Family::V6, args, input)
    }

    /// `iptables-restore` or `ip6tables-restore`, by `family`.
    pub(crate) fn restore<S: AsRef<str>>(
        &mut self,
        node: NodeId,
        family: Family,
        args: &[S],
        input: &[String],
    ) -> Result<ToolOutput, LabError> {
        let noflush = netfilter::save::parse_restore(family, args)?;
        Ok(self.world.with_node::<Netns, _>(node, |n, _| n.iptables_restore(family, input, noflush))?)
    }

    /// `conntrack -L|-D|-F` in namespace `node`.
    pub fn conntrack<S: AsRef<str>>(&mut self, node: NodeId, args: &[S]) -> Result<ToolOutput, LabError> {
        match netfilter::parse_conntrack(args)? {
            CtCmd::List(f) => {
                let now = self.world.now();
                Ok(self.netns(node).conntrack_list(now, &f))
            }
            CtCmd::Delete(f) => self.world.with_node::<Netns, _>(node, |n, cx| n.conntrack_delete(cx, &f)),
            CtCmd::Flush => Ok(self.world.with_node::<Netns, _>(node, |n, cx| n.conntrack_flush(cx))),
            CtCmd::Events(..) => Err(LabError::new("conntrack -E runs as a process")),
        }
    }
}
