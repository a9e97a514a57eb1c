//! `Lab::builder()`: a lab built in Rust, one call per thing a tutorial makes — or mixed
//! with the tutorial's own lines ([`Builder::line`], [`Builder::script`]).
//!
//! Each call writes the command a person would type (`ip netns add a`, `ip -n a addr add
//! …`); [`Builder::build`] runs them through the same shell as a script, so a mistake is
//! refused with the tool's words and the line that made it. It owns nothing but those
//! lines; it must not reach the engine.

use crate::{Error, Lab};

/// Builds a lab. See the module documentation.
///
/// ```
/// let mut lab = nslab::Lab::builder()
///     .seed(7)
///     .netns("a")
///     .netns("b")
///     .veth(("a", "va"), ("b", "vb"))
///     .addr("a", "va", "10.0.0.1/24")
///     .line("b", "ip addr add 10.0.0.2/24 dev vb") // a tutorial's own line, mixed in
///     .build()?;
/// let (routes, status) = lab.exec("a", "ip route")?;
/// assert_eq!(routes, ["10.0.0.0/24 dev va proto kernel scope link src 10.0.0.1 "]);
/// assert_eq!(status, 0);
/// # Ok::<(), nslab::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct Builder {
    seed: Option<u64>,
    lines: Vec<String>,
}

/// `ip` for namespace `ns` (`""`: the root).
fn ip(ns: &str) -> String {
    if ns.is_empty() { "ip".into() } else { format!("ip -n {ns}") }
}

/// A command run in namespace `ns` (`""`: the root).
fn inside(ns: &str, cmd: &str) -> String {
    if ns.is_empty() { cmd.into() } else { format!("ip netns exec {ns} {cmd}") }
}

impl Builder {
    /// The seed (1 unless given).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// `ip netns add NAME`.
    pub fn netns(mut self, name: &str) -> Self {
        self.lines.push(format!("ip netns add {name}"));
        self
    }

    /// A veth pair between `a` and `b`, each `(namespace, interface)` (`""`: the root),
    /// both ends up — as a tutorial makes one: `ip link add … type veth peer name …`, then
    /// `ip link set … netns …` and `up`.
    pub fn veth(mut self, (ns_a, dev_a): (&str, &str), (ns_b, dev_b): (&str, &str)) -> Self {
        self.lines.push(format!("ip link add {dev_a} type veth peer name {dev_b}"));
        for (ns, dev) in [(ns_a, dev_a), (ns_b, dev_b)] {
            if !ns.is_empty() {
                self.lines.push(format!("ip link set {dev} netns {ns}"));
            }
            self.lines.push(format!("{} link set {dev} up", ip(ns)));
        }
        self
    }

    /// A bridge `name` in namespace `ns`, up.
    pub fn bridge(mut self, ns: &str, name: &str) -> Self {
        self.lines.push(format!("{} link add {name} type bridge", ip(ns)));
        self.lines.push(format!("{} link set {name} up", ip(ns)));
        self
    }

    /// Interface `dev` of namespace `ns` becomes a port of bridge `bridge`.
    pub fn master(mut self, ns: &str, dev: &str, bridge: &str) -> Self {
        self.lines.push(format!("{} link set {dev} master {bridge}", ip(ns)));
        self
    }

    /// `ip addr add CIDR dev DEV` in namespace `ns`.
    pub fn addr(mut self, ns: &str, dev: &str, cidr: &str) -> Self {
        self.lines.push(format!("{} addr add {cidr} dev {dev}", ip(ns)));
        self
    }

    /// `ip route add ROUTE` in namespace `ns` (`"default via 10.0.0.1"`).
    pub fn route(mut self, ns: &str, route: &str) -> Self {
        self.lines.push(format!("{} route add {route}", ip(ns)));
        self
    }

    /// `sysctl -w KEY=VALUE` in namespace `ns`.
    pub fn sysctl(mut self, ns: &str, key: &str, value: &str) -> Self {
        self.lines.push(inside(ns, &format!("sysctl -w {key}={value}")));
        self
    }

    /// `iptables RULE` in namespace `ns` (`"-t nat -A POSTROUTING -o eth0 -j MASQUERADE"`).
    pub fn iptables(mut self, ns: &str, rule: &str) -> Self {
        self.lines.push(inside(ns, &format!("iptables {rule}")));
        self
    }

    /// `ip6tables RULE` in namespace `ns` (`"-t nat -A POSTROUTING -o eth0 -j MASQUERADE"`).
    pub fn ip6tables(mut self, ns: &str, rule: &str) -> Self {
        self.lines.push(inside(ns, &format!("ip6tables {rule}")));
        self
    }

    /// Any command line, run in namespace `ns`, as a script holds it.
    pub fn line(mut self, ns: &str, line: &str) -> Self {
        self.lines.push(inside(ns, line));
        self
    }

    /// A tutorial's lines, as they are.
    pub fn script(mut self, text: &str) -> Self {
        self.lines.extend(text.lines().map(str::to_string));
        self
    }

    /// The script the calls so far make.
    pub fn to_script(&self) -> String {
        self.lines.iter().map(|l| format!("{l}\n")).collect()
    }

    /// Runs the lines and gives the lab; a refused one is the error, with its line.
    pub fn build(self) -> Result<Lab, Error> {
        Lab::from_script_seeded(&self.to_script(), self.seed)
    }
}

impl Lab {
    /// A lab built in Rust. See [`Builder`].
    pub fn builder() -> Builder {
        Builder::default()
    }
}
