//! `ip -j` (and `-p`): iproute2 6.1's JSON, written as its `lib/json_writer.c` writes it —
//! compact on one line, or with `-p` four spaces an indent, `[ {` and `} ]` where an array
//! holds objects and `[ "A","B" ]` where it holds values — and the fields of
//! `print_linkinfo`, `print_addrinfo`, `print_route` and `print_neigh` in their order.
//! Only `super`'s callers reach it; it reads the views `super` builds and nothing else.

use super::{LinkView, Peer, flags, operstate};
use crate::netns::fib::{Proto, Route};
use crate::netns::iface::{IfStats, Scope};
use crate::netns::neigh::{Neighbour, Nud};
use sim_core::{Instant, MacAddr};
use std::fmt::Write;
use std::net::Ipv4Addr;

/// `json_writer_t`: the text so far, the nesting depth, and whether the next item needs a
/// comma first.
#[derive(Debug)]
pub struct JsonWriter {
    out: String,
    depth: usize,
    pretty: bool,
    sep: bool,
}

impl JsonWriter {
    /// `new_json_obj`: a writer whose document is one array.
    pub fn new(pretty: bool) -> Self {
        let mut w = JsonWriter { out: String::new(), depth: 0, pretty, sep: false };
        w.start_array();
        w
    }

    /// `delete_json_obj`: the document's lines (with `-p`, several).
    pub fn finish(mut self) -> Vec<String> {
        self.end_array();
        self.out.split('\n').map(str::to_string).collect()
    }

    fn eol(&mut self) {
        if self.pretty {
            self.out.push('\n');
            for _ in 0..self.depth {
                self.out.push_str("    ");
            }
        }
    }

    fn eor(&mut self) {
        if self.sep {
            self.out.push(',');
        }
        self.sep = true;
    }

    fn puts(&mut self, s: &str) {
        self.out.push('"');
        for c in s.chars() {
            match c {
                '\t' => self.out.push_str("\\t"),
                '\n' => self.out.push_str("\\n"),
                '\r' => self.out.push_str("\\r"),
                '\u{c}' => self.out.push_str("\\f"),
                '\u{8}' => self.out.push_str("\\b"),
                '\\' => self.out.push_str("\\\\"),
                '"' => self.out.push_str("\\\""),
                c => self.out.push(c),
            }
        }
        self.out.push('"');
    }

    fn begin(&mut self, c: char) {
        self.eor();
        self.out.push(c);
        self.depth += 1;
        self.sep = false;
    }

    fn end(&mut self, c: char) {
        self.depth -= 1;
        if self.sep {
            self.eol();
        }
        self.out.push(c);
        self.sep = true;
    }

    /// `jsonw_name`: a key; its value follows.
    pub fn name(&mut self, name: &str) {
        self.eor();
        self.eol();
        self.sep = false;
        self.puts(name);
        self.out.push(':');
        if self.pretty {
            self.out.push(' ');
        }
    }

    /// `jsonw_start_object` (after a key, or as an array's element).
    pub fn start_object(&mut self) {
        self.begin('{');
    }

    /// `jsonw_end_object`.
    pub fn end_object(&mut self) {
        self.end('}');
    }

    /// `jsonw_start_array`.
    pub fn start_array(&mut self) {
        self.begin('[');
        if self.pretty {
            self.out.push(' ');
        }
    }

    /// `jsonw_end_array`.
    pub fn end_array(&mut self) {
        if self.pretty && self.sep {
            self.out.push(' ');
        }
        self.sep = false;
        self.end(']');
    }

    /// A string value.
    pub fn string(&mut self, v: &str) {
        self.eor();
        self.puts(v);
    }

    /// A number value.
    pub fn number(&mut self, v: impl std::fmt::Display) {
        self.eor();
        let _ = write!(self.out, "{v}");
    }

    /// `"key":"value"`.
    pub fn string_field(&mut self, k: &str, v: &str) {
        self.name(k);
        self.string(v);
    }

    /// `"key":N`.
    pub fn number_field(&mut self, k: &str, v: impl std::fmt::Display) {
        self.name(k);
        self.number(v);
    }

    /// `"key":true` (iproute2's `print_bool`).
    pub fn true_field(&mut self, k: &str) {
        self.bool_field(k, true);
    }

    /// `"key":true` or `"key":false`.
    pub fn bool_field(&mut self, k: &str, v: bool) {
        self.raw_field(k, if v { "true" } else { "false" });
    }

    /// `"key":V` with `V` already JSON (a number as C's `%g` printed it).
    pub fn raw_field(&mut self, k: &str, v: &str) {
        self.name(k);
        self.eor();
        self.out.push_str(v);
    }

    /// `"key":[ … ]` of strings.
    pub fn strings_field<'a>(&mut self, k: &str, vs: impl IntoIterator<Item = &'a str>) {
        self.name(k);
        self.start_array();
        for v in vs {
            self.string(v);
        }
        self.end_array();
    }
}

/// An interface's fields as `print_linkinfo` prints them: `link` adds `linkmode` (`ip
/// link`, not `ip addr`), `inet` (`ip -4`) leaves out the link-layer addresses, `stats` (how
/// many `-s`) adds `stats64` (where `ip link` puts it; `ip addr` puts it after `addr_info`:
/// [`stats64`]).
pub fn link(w: &mut JsonWriter, v: &LinkView<'_>, link: bool, inet: bool, stats: u8) {
    let i = v.iface;
    w.number_field("ifindex", i.ifindex);
    let local_down = name_and_link(w, v);
    w.strings_field("flags", flags(i, local_down).split(','));
    w.number_field("mtu", i.mtu);
    w.string_field("qdisc", v.qdisc.unwrap_or(if v.ever_up || i.admin_up { "noqueue" } else { "noop" }));
    if let Some(m) = &v.master {
        w.string_field("master", m);
    }
    w.string_field("operstate", operstate(v));
    if link {
        w.string_field("linkmode", "DEFAULT");
    }
    w.string_field("group", "default");
    w.number_field("txqlen", 1000);
    if !inet {
        let (kind, mac, brd) = if i.is_loopback() {
            ("loopback", MacAddr::ZERO, MacAddr::ZERO)
        } else {
            ("ether", i.mac, MacAddr::BROADCAST)
        };
        w.string_field("link_type", kind);
        w.string_field("address", &mac.to_string());
        w.string_field("broadcast", &brd.to_string());
    }
    if let Peer::Remote { nsid, .. } = v.peer {
        w.number_field("link_netnsid", nsid);
    }
    if let Some(d) = &v.details {
        d.json(w, link);
    }
    if link && stats > 0 {
        stats64(w, &i.stats, stats > 1);
    }
}

/// `print_name_and_link` in JSON: the peer (`link_index` in another namespace, `link` in
/// this one) before `ifname`; whether a same-namespace peer is down (`M-DOWN`).
fn name_and_link(w: &mut JsonWriter, v: &LinkView<'_>) -> bool {
    let down = match &v.peer {
        Peer::None => false,
        Peer::Remote { ifindex, .. } => {
            w.number_field("link_index", ifindex);
            false
        }
        Peer::Local { name, down } => {
            w.string_field("link", name);
            *down
        }
    };
    w.string_field("ifname", &v.iface.name);
    down
}

/// `__print_link_stats` in JSON; `errors` (`-s -s`) adds the error counters, and the
/// carrier changes last.
pub fn stats64(w: &mut JsonWriter, s: &IfStats, errors: bool) {
    w.name("stats64");
    w.start_object();
    let rx_errors = ["length_errors", "crc_errors", "frame_errors", "fifo_errors", "missed_errors"];
    let tx_errors = ["aborted_errors", "fifo_errors", "window_errors", "heartbeat_errors"];
    for (dir, [bytes, packets, dropped], [c, d], more) in [
        ("rx", [s.rx_bytes, s.rx_packets, 0], ["over_errors", "multicast"], &rx_errors[..]),
        ("tx", [s.tx_bytes, s.tx_packets, s.tx_dropped], ["carrier_errors", "collisions"], &tx_errors[..]),
    ] {
        w.name(dir);
        w.start_object();
        w.number_field("bytes", bytes);
        w.number_field("packets", packets);
        w.number_field("errors", 0);
        w.number_field("dropped", dropped);
        w.number_field(c, 0);
        w.number_field(d, 0);
        if errors {
            for f in more {
                w.number_field(f, 0);
            }
            if dir == "tx" {
                w.number_field("carrier_changes", s.carrier_changes);
            }
        }
        w.end_object();
    }
    w.end_object();
}

/// `print_selected_addrinfo`: the interface's addresses, `"addr_info":[ … ]`; `brief`
/// gives each only its address and prefix.
pub fn addr_info(w: &mut JsonWriter, v: &LinkView<'_>, now: Instant, brief: bool, family: super::Family) {
    w.name("addr_info");
    w.start_array();
    let v4 = if family == super::Family::Inet6 { &[][..] } else { &v.iface.addrs[..] };
    for a in v4 {
        w.start_object();
        if !brief {
            w.string_field("family", "inet");
        }
        w.string_field("local", &a.addr.to_string());
        w.number_field("prefixlen", a.prefix);
        if !brief {
            if let Some(b) = a.broadcast {
                w.string_field("broadcast", &b.to_string());
            }
            w.string_field("scope", &a.scope.to_string());
            if a.secondary {
                w.true_field("secondary");
            }
            if a.valid_until.is_some() {
                w.true_field("dynamic");
            }
            w.string_field("label", &v.iface.name);
            let left = a.valid_until.map_or(u64::from(u32::MAX), |t| (t - now).as_secs());
            w.number_field("valid_life_time", left);
            w.number_field("preferred_life_time", left);
        }
        w.end_object();
    }
    let v6 = if family == super::Family::Inet { &[][..] } else { &v.iface.v6.addrs[..] };
    for a in v6 {
        w.start_object();
        if !brief {
            w.string_field("family", "inet6");
        }
        w.string_field("local", &a.addr.to_string());
        w.number_field("prefixlen", a.prefix);
        if !brief {
            w.string_field("scope", &a.scope.to_string());
            for (on, name) in [(a.nodad, "nodad"), (a.dadfailed, "dadfailed"), (a.tentative, "tentative")] {
                if on {
                    w.true_field(name);
                }
            }
            w.number_field("valid_life_time", u64::from(u32::MAX));
            w.number_field("preferred_life_time", u64::from(u32::MAX));
        }
        w.end_object();
    }
    w.end_array();
}

/// `print_linkinfo_brief` in JSON: the name, the state, and for `ip -br link` the MAC and
/// flags (`ip -br addr`'s addresses follow: [`addr_info`]).
pub fn brief(w: &mut JsonWriter, v: &LinkView<'_>, addr: bool) {
    let local_down = name_and_link(w, v);
    w.string_field("operstate", operstate(v));
    if !addr {
        let i = v.iface;
        let mac = if i.is_loopback() { MacAddr::ZERO } else { i.mac };
        w.string_field("address", &mac.to_string());
        w.strings_field("flags", flags(i, local_down).split(','));
    }
}

/// `print_route` in JSON; `dev` is `None` when the command named the device (`ip route
/// show dev X` leaves it out).
pub fn route(w: &mut JsonWriter, r: &Route, dev: Option<&str>, linkdown: bool) {
    w.start_object();
    let dst = match r.prefix {
        0 => "default".to_string(),
        32 => r.dst.to_string(),
        p => format!("{}/{p}", r.dst),
    };
    w.string_field("dst", &dst);
    if let Some(g) = r.gateway {
        w.string_field("gateway", &g.to_string());
    }
    if let Some(d) = dev {
        w.string_field("dev", d);
    }
    if r.proto != Proto::Boot {
        w.string_field("protocol", &r.proto.to_string());
    }
    if r.scope != Scope::Global {
        w.string_field("scope", &r.scope.to_string());
    }
    if let Some(s) = r.src {
        w.string_field("prefsrc", &s.to_string());
    }
    if r.metric != 0 {
        w.number_field("metric", r.metric);
    }
    w.strings_field("flags", linkdown.then_some("linkdown"));
    w.end_object();
}

/// `print_neigh` in JSON (`dev` as in [`route`]).
pub fn neigh(w: &mut JsonWriter, ip: Ipv4Addr, dev: Option<&str>, n: &Neighbour) {
    w.start_object();
    w.string_field("dst", &ip.to_string());
    if let Some(d) = dev {
        w.string_field("dev", d);
    }
    if n.state != Nud::Failed
        && n.state != Nud::Incomplete
        && let Some(m) = n.lladdr
    {
        w.string_field("lladdr", &m.to_string());
    }
    if n.state != Nud::None {
        w.strings_field("state", [n.state.to_string().as_str()]);
    }
    w.end_object();
}

#[cfg(test)]
mod tests {
    use super::JsonWriter;

    /// What iproute2 6.1 prints for an object with a value array, an empty array and a
    /// nested object, compact and with `-p`.
    #[test]
    fn writes_as_json_writer_c_does() {
        let doc = |pretty| {
            let mut w = JsonWriter::new(pretty);
            w.start_object();
            w.number_field("ifindex", 1);
            w.strings_field("flags", ["LOOPBACK", "UP"]);
            w.strings_field("empty", []);
            w.name("stats64");
            w.start_object();
            w.string_field("a\"b", "c\\d\te");
            w.end_object();
            w.end_object();
            w.start_object();
            w.true_field("secondary");
            w.end_object();
            w.finish()
        };
        assert_eq!(
            doc(false),
            [r#"[{"ifindex":1,"flags":["LOOPBACK","UP"],"empty":[],"stats64":{"a\"b":"c\\d\te"}},{"secondary":true}]"#]
        );
        assert_eq!(
            doc(true),
            [
                "[ {",
                "        \"ifindex\": 1,",
                "        \"flags\": [ \"LOOPBACK\",\"UP\" ],",
                "        \"empty\": [ ],",
                "        \"stats64\": {",
                "            \"a\\\"b\": \"c\\\\d\\te\"",
                "        }",
                "    },{",
                "        \"secondary\": true",
                "    } ]",
            ]
        );
    }
}
