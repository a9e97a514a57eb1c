//! `ip -d link|addr`: what iproute2 6.1 adds about an interface with `-d` — promiscuity,
//! the MTU range, the kind (`veth`, `bridge` with `bridge_print_opt`'s options and timers,
//! `bridge_slave` for a port), IPv6's address generation mode, the queues and the
//! segmentation limits — as text and as JSON, in iproute2's order.
//!
//! The values are the sim's state where it has one (the bridge's address, ageing time,
//! snooping, a port's number and state, promiscuity from bridge ports and captures) and
//! Linux 6.18's defaults where it has none (the multicast and STP parameters nslab does
//! not model). A veth has as many queues as the reference machine has CPUs.

use super::json::JsonWriter;
use sim_core::{Duration, MacAddr};
use std::fmt::Write;

/// The queues a veth gets: `num_possible_cpus()` of the reference machine (two CPUs).
pub const VETH_QUEUES: u32 = 2;

/// What `-d` shows of one interface.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Details {
    /// `promiscuity` (a bridge port, and each capture of the interface, adds one).
    pub promiscuity: u32,
    /// `allmulti` (a bridge port).
    pub allmulti: u32,
    /// What kind of device.
    pub kind: Kind,
}

/// The device's kind and what `-d` says of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `lo`: no `linkinfo`.
    Loopback,
    /// A veth, a bridge port or not.
    Veth(Option<Port>),
    /// A bridge.
    Bridge(BridgeOpts),
}

/// `bridge_print_opt`'s state of a bridge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BridgeOpts {
    /// Its address, which makes the bridge id.
    pub mac: MacAddr,
    /// `ageing_time`.
    pub ageing: Duration,
    /// Until the FDB's next expiry (the kernel's `gc_timer`), zero when none or down.
    pub gc_timer: Duration,
    /// `mcast_snooping`.
    pub snooping: bool,
}

/// `bridge_slave_print_opt`'s state of a port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Port {
    /// Forwarding (else disabled: down or without carrier).
    pub forwarding: bool,
    /// Its port number.
    pub no: u16,
    /// The bridge's address (`designated_bridge`, `designated_root`).
    pub bridge_mac: MacAddr,
    /// Its options (`bridge link set`).
    pub opts: crate::netns::bridge::PortOpts,
}

impl Port {
    /// `port_id`: the priority in the top six bits, then the port number.
    fn id(&self) -> u32 {
        (u32::from(self.opts.priority) << 10) | u32::from(self.no)
    }
}

fn on_off(b: bool) -> &'static str {
    if b { "on" } else { "off" }
}

/// `%s %4i.%.2i ` of a timer, as iproute2 prints a bridge's (text).
fn timer(out: &mut String, name: &str, d: Duration) {
    let cs = d.as_nanos() / 10_000_000;
    let _ = write!(out, "{name} {:4}.{:02} ", cs / 100, cs % 100);
}

/// `%i.%.2i`, the same in JSON.
fn timer_json(d: Duration) -> String {
    let cs = d.as_nanos() / 10_000_000;
    format!("{}.{:02}", cs / 100, cs % 100)
}

/// A bridge id as iproute2's `format_bridge_id` prints it: the priority, then each byte of
/// the address in hex without padding (`8000.2:0:0:0:0:fe`).
fn bridge_id(mac: MacAddr) -> String {
    let b = mac.0;
    format!("8000.{:x}:{:x}:{:x}:{:x}:{:x}:{:x}", b[0], b[1], b[2], b[3], b[4], b[5])
}

impl Details {
    fn mtu_range(&self) -> (u32, u32) {
        match self.kind {
            Kind::Loopback => (0, 0),
            _ => (68, 65535),
        }
    }

    fn queues(&self) -> u32 {
        match self.kind {
            Kind::Veth(_) => VETH_QUEUES,
            _ => 1,
        }
    }

    /// The text `-d` adds: appended to the `link/` line (`link_line`), then the lines of
    /// the kind. `link` (`ip link`, not `ip addr`) adds the address generation mode.
    pub fn text(&self, link_line: &mut String, link: bool, out: &mut Vec<String>) {
        let (min, max) = self.mtu_range();
        let _ = write!(
            link_line,
            " promiscuity {}  allmulti {} minmtu {min} maxmtu {max} ",
            self.promiscuity, self.allmulti
        );
        let mut tail = String::new();
        if link {
            tail.push_str("addrgenmode eui64 ");
        }
        let q = self.queues();
        let _ = write!(
            tail,
            "numtxqueues {q} numrxqueues {q} gso_max_size 65536 gso_max_segs 65535 tso_max_size 524280 \
             tso_max_segs 65535 gro_max_size 65536 "
        );
        match &self.kind {
            Kind::Loopback => {
                link_line.push_str(&tail);
                out.push(std::mem::take(link_line));
            }
            Kind::Veth(None) => {
                out.push(std::mem::take(link_line));
                out.push(format!("    veth {tail}"));
            }
            Kind::Veth(Some(p)) => {
                out.push(std::mem::take(link_line));
                out.push("    veth ".into());
                out.push(format!("    {}{tail}", slave_text(p)));
            }
            Kind::Bridge(b) => {
                out.push(std::mem::take(link_line));
                out.push(format!("    {}{tail}", bridge_text(b)));
            }
        }
    }

    /// The JSON `-d` adds, after the link-layer fields.
    pub fn json(&self, w: &mut JsonWriter, link: bool) {
        let (min, max) = self.mtu_range();
        w.number_field("promiscuity", self.promiscuity);
        w.number_field("allmulti", self.allmulti);
        w.number_field("min_mtu", min);
        w.number_field("max_mtu", max);
        match &self.kind {
            Kind::Loopback => {}
            Kind::Veth(port) => {
                w.name("linkinfo");
                w.start_object();
                w.string_field("info_kind", "veth");
                if let Some(p) = port {
                    w.string_field("info_slave_kind", "bridge");
                    w.name("info_slave_data");
                    w.start_object();
                    slave_json(w, p);
                    w.end_object();
                }
                w.end_object();
            }
            Kind::Bridge(b) => {
                w.name("linkinfo");
                w.start_object();
                w.string_field("info_kind", "bridge");
                w.name("info_data");
                w.start_object();
                bridge_json(w, b);
                w.end_object();
                w.end_object();
            }
        }
        if link {
            w.string_field("inet6_addr_gen_mode", "eui64");
        }
        let q = self.queues();
        w.number_field("num_tx_queues", q);
        w.number_field("num_rx_queues", q);
        for (k, v) in [
            ("gso_max_size", 65536),
            ("gso_max_segs", 65535),
            ("tso_max_size", 524280),
            ("tso_max_segs", 65535),
            ("gro_max_size", 65536),
        ] {
            w.number_field(k, v);
        }
    }
}

/// The multicast options nslab does not model, with Linux 6.18's defaults: (text name,
/// JSON name, value).
const MCAST: [(&str, &str, u32); 21] = [
    ("no_linklocal_learn", "no_linklocal_learn", 0),
    ("mcast_vlan_snooping", "mcast_vlan_snooping", 0),
    ("mcast_router", "mcast_router", 1),
    ("mcast_query_use_ifaddr", "mcast_query_use_ifaddr", 0),
    ("mcast_querier", "mcast_querier", 0),
    ("mcast_hash_elasticity", "mcast_hash_elasticity", 16),
    ("mcast_hash_max", "mcast_hash_max", 4096),
    ("mcast_last_member_count", "mcast_last_member_cnt", 2),
    ("mcast_startup_query_count", "mcast_startup_query_cnt", 2),
    ("mcast_last_member_interval", "mcast_last_member_intvl", 100),
    ("mcast_membership_interval", "mcast_membership_intvl", 26000),
    ("mcast_querier_interval", "mcast_querier_intvl", 25500),
    ("mcast_query_interval", "mcast_query_intvl", 12500),
    ("mcast_query_response_interval", "mcast_query_response_intvl", 1000),
    ("mcast_startup_query_interval", "mcast_startup_query_intvl", 3124),
    ("mcast_stats_enabled", "mcast_stats_enabled", 0),
    ("mcast_igmp_version", "mcast_igmp_version", 2),
    ("mcast_mld_version", "mcast_mld_version", 1),
    ("nf_call_iptables", "nf_call_iptables", 0),
    ("nf_call_ip6tables", "nf_call_ip6tables", 0),
    ("nf_call_arptables", "nf_call_arptables", 0),
];

fn bridge_text(b: &BridgeOpts) -> String {
    let id = bridge_id(b.mac);
    let mut s = format!(
        "bridge forward_delay 1500 hello_time 200 max_age 2000 ageing_time {} stp_state 0 priority 32768 \
         vlan_filtering 0 bridge_id {id} designated_root {id} root_port 0 root_path_cost 0 topology_change 0 \
         topology_change_detected 0 ",
        b.ageing.as_nanos() / 10_000_000
    );
    for t in ["hello_timer", "tcn_timer", "topology_change_timer"] {
        timer(&mut s, t, Duration::ZERO);
    }
    timer(&mut s, "gc_timer", b.gc_timer);
    let _ = write!(s, "group_fwd_mask 0 group_address 01:80:c2:00:00:00 mcast_snooping {} ", u8::from(b.snooping));
    for (name, _, v) in MCAST {
        let _ = write!(s, "{name} {v} ");
    }
    s
}

fn bridge_json(w: &mut JsonWriter, b: &BridgeOpts) {
    let id = bridge_id(b.mac);
    for (k, v) in [("forward_delay", 1500), ("hello_time", 200), ("max_age", 2000)] {
        w.number_field(k, v);
    }
    w.number_field("ageing_time", b.ageing.as_nanos() / 10_000_000);
    for (k, v) in [("stp_state", 0), ("priority", 32768), ("vlan_filtering", 0)] {
        w.number_field(k, v);
    }
    w.string_field("bridge_id", &id);
    w.string_field("root_id", &id);
    for k in ["root_port", "root_path_cost", "topology_change", "topology_change_detected"] {
        w.number_field(k, 0);
    }
    for t in ["hello_timer", "tcn_timer", "topology_change_timer"] {
        w.raw_field(t, &timer_json(Duration::ZERO));
    }
    w.raw_field("gc_timer", &timer_json(b.gc_timer));
    w.string_field("group_fwd_mask", "0");
    w.string_field("group_addr", "01:80:c2:00:00:00");
    w.number_field("mcast_snooping", u8::from(b.snooping));
    for (_, k, v) in MCAST {
        w.number_field(k, v);
    }
}

fn slave_text(p: &Port) -> String {
    let id = bridge_id(p.bridge_mac);
    let o = &p.opts;
    let mut s = format!(
        "bridge_slave state {} priority {} cost {} hairpin {} guard off root_block off fastleave off learning {} \
         flood {} port_id {:#x} port_no {:#x} designated_port {} designated_cost 0 designated_bridge {id} \
         designated_root {id} ",
        if p.forwarding { "forwarding" } else { "disabled" },
        o.priority,
        o.cost,
        on_off(o.hairpin),
        on_off(o.learning),
        on_off(o.flood),
        p.id(),
        p.no,
        p.id(),
    );
    for t in ["hold_timer", "message_age_timer", "forward_delay_timer"] {
        timer(&mut s, t, Duration::ZERO);
    }
    let _ = write!(
        s,
        "topology_change_ack 0 config_pending 0 proxy_arp off proxy_arp_wifi off mcast_router 1 mcast_fast_leave off \
         mcast_flood {} bcast_flood {} mcast_to_unicast off neigh_suppress off group_fwd_mask 0 \
         group_fwd_mask_str 0x0 vlan_tunnel off isolated {} locked off ",
        on_off(o.mcast_flood),
        on_off(o.bcast_flood),
        on_off(o.isolated)
    );
    s
}

fn slave_json(w: &mut JsonWriter, p: &Port) {
    let id = bridge_id(p.bridge_mac);
    let o = &p.opts;
    w.string_field("state", if p.forwarding { "forwarding" } else { "disabled" });
    w.number_field("priority", o.priority);
    w.number_field("cost", o.cost);
    w.bool_field("hairpin", o.hairpin);
    for k in ["guard", "root_block", "fastleave"] {
        w.bool_field(k, false);
    }
    w.bool_field("learning", o.learning);
    w.bool_field("flood", o.flood);
    w.string_field("id", &format!("{:#x}", p.id()));
    w.string_field("no", &format!("{:#x}", p.no));
    w.number_field("designated_port", p.id());
    w.number_field("designated_cost", 0);
    w.string_field("bridge_id", &id);
    w.string_field("root_id", &id);
    for t in ["hold_timer", "message_age_timer", "forward_delay_timer"] {
        w.raw_field(t, &timer_json(Duration::ZERO));
    }
    w.number_field("topology_change_ack", 0);
    w.number_field("config_pending", 0);
    w.bool_field("proxy_arp", false);
    w.bool_field("proxy_arp_wifi", false);
    w.number_field("multicast_router", 1);
    w.bool_field("mcast_flood", o.mcast_flood);
    w.bool_field("bcast_flood", o.bcast_flood);
    w.bool_field("mcast_to_unicast", false);
    w.bool_field("neigh_suppress", false);
    w.string_field("group_fwd_mask", "0");
    w.string_field("group_fwd_mask_str", "0x0");
    w.bool_field("vlan_tunnel", false);
    w.bool_field("isolated", o.isolated);
    w.bool_field("locked", false);
}
