//! The `tc` command on a namespace's devices: the devices as `tc` sees them, the command
//! run on their qdiscs ([`crate::tc`]), and the qdisc's timer kept in step with it.

use super::hooks::ToolOutput;
use super::{Netns, TimerKey};
use crate::tc::{DevInfo, cli};
use sim_core::Context;
use sim_core::rng::NodeRng;

impl Netns {
    /// The kind of the device's root qdisc, when `tc` gave it one (`ip link` shows it).
    pub fn qdisc_kind(&self, ifindex: u32) -> Option<&'static str> {
        self.tc.dev(ifindex).and_then(|d| d.root.as_ref()).map(|q| q.sched.kind())
    }

    /// `tc …`. `auto` is the machine's automatic-handle counter; `stream` gives a new
    /// qdisc its random stream from where it sits.
    pub fn tc(
        &mut self,
        cx: &mut Context<'_>,
        cmd: &cli::TcCmd,
        auto: &mut u16,
        stream: &mut dyn FnMut(&str) -> NodeRng,
    ) -> Result<ToolOutput, cli::TcError> {
        let devs: Vec<DevInfo<'_>> = self
            .ifaces
            .values()
            .map(|i| DevInfo {
                ifindex: i.ifindex,
                name: &i.name,
                tx_queues: i.tx_queues(),
                up: i.admin_up,
                bridge: i.is_bridge(),
            })
            .collect();
        let done = self.tc.run(cmd, &devs, cx.now(), auto, stream);
        self.tc.refresh();
        let done = done?;
        // The qdisc's next run stays as it was (a new or deleted one has none).
        if let Some(ifindex) = done.changed {
            let next = self.tc.dev(ifindex).and_then(crate::tc::Dev::wakeup);
            self.timers.set(TimerKey::Qdisc(ifindex), next);
        }
        Ok(ToolOutput { stdout: done.stdout, stderr: done.stderr })
    }
}
