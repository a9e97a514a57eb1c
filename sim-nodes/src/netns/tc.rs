//! The `tc` command on a namespace's devices: the devices as `tc` sees them, the command
//! run on their qdiscs ([`crate::tc`]), and the qdisc it changed run at once (new settings
//! may let waiting frames go).

use super::hooks::ToolOutput;
use super::{Netns, TimerKey};
use crate::tc::{DevInfo, cli};
use sim_core::rng::NodeRng;
use sim_core::{Context, PortId};

impl Netns {
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
            .map(|i| DevInfo { ifindex: i.ifindex, name: &i.name, tx_queues: i.tx_queues() })
            .collect();
        let (stdout, changed) = self.tc.run(cmd, &devs, cx.now(), auto, stream)?;
        if let Some(ifindex) = changed
            && let Some(d) = self.tc.dev_mut(ifindex)
        {
            let now = cx.now();
            d.run(now, &mut |f| cx.send(PortId(ifindex), f));
            self.timers.set(TimerKey::Qdisc(ifindex), d.wakeup());
        }
        Ok(ToolOutput { stdout, stderr: Vec::new() })
    }
}
