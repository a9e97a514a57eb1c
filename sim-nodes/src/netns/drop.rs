//! Drops with what explains them: the interface's name, the packet, and the setting or
//! rule that decided — built only when the trace records the drop one by one (see
//! `sim_core::trace`), so a flood of drops costs a count each.
//!
//! It owns the wording of the stack's notes (`net.ipv4.ip_forward=0`, `no default
//! route`); it must not decide anything: the paths in `rx.rs`, `tx.rs` and `hooks.rs` do.

use super::Netns;
use sim_core::{Context, DropContext, PortId};

impl Netns {
    /// Records that IPv4 `packet` died on `ifindex` for `reason`; `add` completes the
    /// context (a note, the rule) from the namespace as it is now.
    pub(crate) fn drop_ip(
        &self,
        cx: &mut Context<'_>,
        ifindex: Option<u32>,
        reason: &'static str,
        packet: &[u8],
        add: impl FnOnce(&Netns, &mut DropContext),
    ) {
        cx.drop_packet(ifindex.map(PortId), reason, || {
            let name = ifindex.and_then(|i| self.ifaces.get(&i)).map(|i| i.name.as_str());
            let mut c = DropContext::new(name, packet);
            add(self, &mut c);
            c
        });
    }

    /// Records that a frame that is not an IPv4 packet (ARP, or one never parsed) died on
    /// `ifindex` for `reason`: its context names the interface only.
    pub(crate) fn drop_l2(&self, cx: &mut Context<'_>, ifindex: u32, reason: &'static str) {
        cx.drop_packet(Some(PortId(ifindex)), reason, || {
            DropContext::new(self.ifaces.get(&ifindex).map(|i| i.name.as_str()), &[])
        });
    }

    /// Why forwarding is off for packets arriving on `in_if`: the global switch, or the
    /// interface's own.
    pub(crate) fn forwarding_note(&self, in_if: u32) -> String {
        if self.sysctl.num("net.ipv4.ip_forward") == 0 {
            return "net.ipv4.ip_forward=0".into();
        }
        let name = self.ifaces.get(&in_if).map_or("?", |i| i.name.as_str());
        format!("net.ipv4.conf.{name}.forwarding=0")
    }

    /// What the routing table lacks when nothing matched: a default route, or a route to
    /// this destination in particular.
    pub(crate) fn no_route_note(&self) -> String {
        match self.fib.routes().iter().any(|r| r.prefix == 0) {
            true => "no route matched".into(),
            false => "no default route".into(),
        }
    }
}
