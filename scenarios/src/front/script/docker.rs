//! What a `docker` line does to the network, as the `ip`, `iptables` and `sysctl` lines
//! that do the same: seed 000 builds its lab with Docker's bridge networks, and a learner
//! pastes those lines. nslab has no containers, images or files; a container here is its
//! network namespace (named as the container), joined to its network's bridge by a veth,
//! exactly as Docker's bridge driver (libnetwork) wires it. The lines are shown in the
//! transcript as they run, so a reader sees what `docker network create` is.
//!
//! Owns the daemon's state (networks, containers, the addresses it handed out) and the
//! translation; it runs nothing itself and must not parse `ip` or `iptables`: what it
//! returns goes through the same parsers as a typed line. Its first line starts the
//! daemon: `ip_forward` on, bridged IPv4 through iptables (br_netfilter), the FORWARD
//! policy DROP with Docker's chains, and the default network `bridge` (`docker0`,
//! 172.17.0.0/16).
//!
//! Docker Engine 25's bridge driver with the iptables back end, as it sets the host up
//! (later versions differ in details: 26 turns IPv6 off on `eth0` only, 27 hands out the
//! lowest free subnet where 25 goes round, 27.3 loads br_netfilter only with `icc=false`,
//! 28 gives containers random MACs); where nslab differs: a deleted network's subnet is
//! the next one handed out (as 27), IDs and random names are not Docker's (a network's bridge is `br-` and
//! twelve hex digits of a hash of its name, a veth `veth` and seven), nothing is printed
//! (Docker prints the new object's ID), the embedded DNS is absent (a container is
//! reached by its address; a name in `ping` is refused naming the address), the nat
//! table's `DOCKER` chain is made but not jumped to (`-m addrtype` is not modelled, and
//! published ports, `-p`, are refused), every container is privileged, and mounts,
//! volumes, images and commands other than a shell are accepted and have no effect on
//! the network.

use std::net::Ipv4Addr;

/// A `docker` line nslab refuses: the word at fault, why, and what to do instead.
#[derive(Debug)]
pub struct Refusal {
    /// Index of the word the refusal is about.
    pub word: usize,
    pub msg: String,
    pub hint: Option<String>,
}

/// What a `docker` line becomes.
#[derive(Debug)]
pub enum Action {
    /// These lines, in the root namespace (the daemon's).
    Lines(Vec<String>),
    /// A shell in this container: the lines up to `exit` run in its namespace.
    Shell(String),
    /// These lines, then a shell in the container (`docker run -it IMAGE`).
    LinesThenShell(Vec<String>, String),
    /// The words from this index on, run in this container (`docker exec C CMD…`).
    Exec(String, usize),
}

/// One network.
#[derive(Clone, Debug)]
struct Network {
    name: String,
    bridge: String,
    subnet: Ipv4Addr,
    prefix: u8,
    gateway: Ipv4Addr,
    /// Host numbers handed out (the gateway's included).
    taken: Vec<u32>,
}

/// One container: its name, its hostname, and its interfaces (`eth0`, `eth1`…) by network.
#[derive(Clone, Debug)]
struct Container {
    name: String,
    hostname: Option<String>,
    ifaces: Vec<(String, Ipv4Addr)>,
}

/// The daemon's state.
#[derive(Clone, Debug, Default)]
pub struct Daemon {
    started: bool,
    networks: Vec<Network>,
    containers: Vec<Container>,
}

/// The default address pools: 172.17.0.0/16 to 172.31.0.0/16, then 192.168.0.0/20 to
/// 192.168.240.0/20 (libnetwork's `ipamutils` local scope defaults).
fn pool(k: usize) -> Option<(Ipv4Addr, u8)> {
    if k < 15 {
        return Some((Ipv4Addr::new(172, 17 + k as u8, 0, 0), 16));
    }
    let j = k - 15;
    (j < 16).then(|| (Ipv4Addr::new(192, 168, (j * 16) as u8, 0), 20))
}

/// A name's stand-in for a Docker ID, as hex: FNV-1a, then splitmix64's finaliser (so that
/// names a letter apart do not get IDs a digit apart).
fn hex_id(name: &str, digits: usize) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^= h >> 31;
    format!("{h:016x}")[..digits].to_string()
}

fn refuse(word: usize, msg: impl Into<String>, hint: Option<&str>) -> Refusal {
    Refusal { word, msg: msg.into(), hint: hint.map(str::to_string) }
}

fn overlaps(a: Ipv4Addr, ap: u8, b: Ipv4Addr, bp: u8) -> bool {
    let p = ap.min(bp);
    let mask = if p == 0 { 0 } else { u32::MAX << (32 - p) };
    u32::from(a) & mask == u32::from(b) & mask
}

impl Daemon {
    /// The lines of `docker ARGS…` (`words[0]` is `docker`). A refused line changes
    /// nothing: not even the daemon's start, nor the containers a `docker rm A B` named
    /// before the one it refused.
    pub fn expand(&mut self, words: &[&str]) -> Result<Action, Refusal> {
        let before = self.clone();
        let r = self.expand_all(words);
        if r.is_err() {
            *self = before;
        }
        r
    }

    fn expand_all(&mut self, words: &[&str]) -> Result<Action, Refusal> {
        let mut out = Vec::new();
        if !self.started {
            self.started = true;
            self.start(&mut out);
        }
        let typed = words.iter().take(3).copied().filter(|w| !w.starts_with('-')).collect::<Vec<_>>().join(" ");
        let (obj, verb, at) = match words.get(1..) {
            Some(["network", v, ..]) => ("network", *v, 2),
            Some(["container", v, ..]) => ("container", *v, 2),
            Some([v, ..]) => ("container", *v, 1),
            _ => {
                return Err(refuse(
                    0,
                    "docker: a command is needed",
                    Some("`docker network create NAME`, `docker run …`"),
                ));
            }
        };
        let args = &words[at + 1..];
        let base = at + 1;
        let action = match (obj, verb) {
            ("network", "create") => {
                self.network_create(args, base, &mut out)?;
                Action::Lines(out)
            }
            ("network", "connect") => {
                self.network_connect(args, base, &mut out)?;
                Action::Lines(out)
            }
            ("network", "rm" | "remove") => {
                for (k, n) in args.iter().enumerate() {
                    self.network_rm(n, base + k, &mut out)?;
                }
                Action::Lines(out)
            }
            ("container", "run") => return self.run(args, base, out),
            ("container", "exec") => return self.exec(args, base, out),
            ("container", "stop" | "kill" | "start" | "restart") => {
                return Err(refuse(
                    at,
                    format!("not supported yet: `{typed}` (a stopped container keeps its name and addresses)"),
                    Some("`docker rm -f NAME` removes a container and its network namespace"),
                ));
            }
            ("container", "rm") => {
                for (k, c) in args.iter().enumerate().filter(|(_, a)| !a.starts_with('-')) {
                    self.container_rm(c, base + k, &mut out)?;
                }
                Action::Lines(out)
            }
            ("network", "ls" | "list" | "inspect") => {
                return Err(refuse(
                    at,
                    format!("not supported yet: `{typed}`"),
                    Some(
                        "each network is a bridge in the root namespace (docker0, br-…): `ip -br addr` lists them with their gateways",
                    ),
                ));
            }
            ("container", "ls" | "ps" | "inspect" | "list") => {
                return Err(refuse(
                    at,
                    format!("not supported yet: `{typed}`"),
                    Some(
                        "each container is the namespace named after it: `ip netns list`, and `ip -n NAME addr` for its addresses",
                    ),
                ));
            }
            ("container", "pull" | "images" | "image" | "build" | "create") => {
                return Err(refuse(
                    at,
                    format!("not supported yet: `{typed}`"),
                    Some(
                        "nslab has no images: `docker run --name NAME --net NETWORK IMAGE` makes a container's network",
                    ),
                ));
            }
            _ => return Err(refuse(at, format!("not supported yet: `{typed}`"), None)),
        };
        Ok(action)
    }

    /// What dockerd does to the host when it starts.
    fn start(&mut self, out: &mut Vec<String>) {
        out.extend(
            [
                "sysctl -q -w net.ipv4.ip_forward=1",
                "sysctl -q -w net.bridge.bridge-nf-call-iptables=1",
                "iptables -t nat -N DOCKER",
                "iptables -N DOCKER",
                "iptables -N DOCKER-ISOLATION-STAGE-1",
                "iptables -N DOCKER-ISOLATION-STAGE-2",
                "iptables -N DOCKER-USER",
                "iptables -P FORWARD DROP",
                "iptables -A DOCKER-ISOLATION-STAGE-1 -j RETURN",
                "iptables -A DOCKER-ISOLATION-STAGE-2 -j RETURN",
                "iptables -A DOCKER-USER -j RETURN",
                // At the top, before any rule the host had (`ensureJumpRule` inserts them
                // first); each network's rules go in right after them.
                "iptables -I FORWARD 1 -j DOCKER-USER",
                "iptables -I FORWARD 2 -j DOCKER-ISOLATION-STAGE-1",
            ]
            .map(str::to_string),
        );
        let (subnet, prefix) = (Ipv4Addr::new(172, 17, 0, 0), 16);
        self.add_network("bridge".into(), "docker0".into(), (subnet, prefix), None, out);
    }

    fn add_network(
        &mut self,
        name: String,
        bridge: String,
        (subnet, prefix): (Ipv4Addr, u8),
        gateway: Option<Ipv4Addr>,
        out: &mut Vec<String>,
    ) {
        let gateway = gateway.unwrap_or(Ipv4Addr::from(u32::from(subnet) + 1));
        let gw_host = u32::from(gateway) - u32::from(subnet);
        let net = format!("{subnet}/{prefix}");
        let b = &bridge;
        let m = hex_id(&format!("mac\0{name}"), 8);
        let mac = format!("02:42:{}:{}:{}:{}", &m[..2], &m[2..4], &m[4..6], &m[6..]);
        out.extend([
            format!("ip link add {b} type bridge"),
            format!("ip link set {b} address {mac}"),
            format!("ip addr add {gateway}/{prefix} brd + dev {b}"),
            format!("ip link set {b} up"),
            format!("iptables -t nat -I POSTROUTING -s {net} ! -o {b} -j MASQUERADE"),
            format!("iptables -t nat -I DOCKER -i {b} -j RETURN"),
            format!("iptables -I FORWARD 3 -o {b} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT"),
            format!("iptables -I FORWARD 4 -o {b} -j DOCKER"),
            format!("iptables -I FORWARD 5 -i {b} ! -o {b} -j ACCEPT"),
            format!("iptables -I FORWARD 6 -i {b} -o {b} -j ACCEPT"),
            format!("iptables -I DOCKER-ISOLATION-STAGE-1 -i {b} ! -o {b} -j DOCKER-ISOLATION-STAGE-2"),
            format!("iptables -I DOCKER-ISOLATION-STAGE-2 -o {b} -j DROP"),
        ]);
        self.networks.push(Network { name, bridge, subnet, prefix, gateway, taken: vec![gw_host] });
    }

    fn network_create(&mut self, args: &[&str], base: usize, out: &mut Vec<String>) -> Result<(), Refusal> {
        let (mut subnet, mut gateway, mut name) = (None, None, None);
        let mut k = 0;
        while k < args.len() {
            let (flag, inline) = match args[k].split_once('=') {
                Some((f, v)) if f.starts_with("--") => (f, Some(v)),
                _ => (args[k], None),
            };
            let mut value = || -> Result<&str, Refusal> {
                if let Some(v) = inline {
                    return Ok(v);
                }
                k += 1;
                args.get(k)
                    .copied()
                    .ok_or_else(|| refuse(base + k - 1, format!("flag needs an argument: {flag}"), None))
            };
            match flag {
                "--driver" | "-d" => {
                    let d = value()?;
                    if d != "bridge" {
                        return Err(refuse(
                            base + k,
                            format!("not supported yet: the `{d}` driver"),
                            Some("nslab models Docker's `bridge` driver"),
                        ));
                    }
                }
                "--subnet" => {
                    let v = value()?;
                    let parsed =
                        v.split_once('/').and_then(|(a, p)| Some((a.parse::<Ipv4Addr>().ok()?, p.parse::<u8>().ok()?)));
                    match parsed {
                        Some((a, p)) if (8..=30).contains(&p) => subnet = Some((a, p)),
                        _ => {
                            return Err(refuse(
                                base + k,
                                format!("invalid subnet {v}"),
                                Some("an IPv4 network such as 172.30.0.0/16"),
                            ));
                        }
                    }
                }
                "--gateway" => {
                    let v = value()?;
                    gateway = Some(
                        v.parse::<Ipv4Addr>().map_err(|_| refuse(base + k, format!("invalid gateway {v}"), None))?,
                    );
                }
                f if f.starts_with('-') => {
                    return Err(refuse(
                        base + k,
                        format!("not supported yet: docker network create {f}"),
                        Some("nslab models --driver bridge, --subnet and --gateway"),
                    ));
                }
                n => {
                    if name.replace(n).is_some() {
                        return Err(refuse(base + k, "\"docker network create\" requires exactly 1 argument.", None));
                    }
                }
            }
            k += 1;
        }
        let Some(name) = name else {
            return Err(refuse(
                base.saturating_sub(1),
                "\"docker network create\" requires exactly 1 argument.",
                Some("name the network: `docker network create NAME`"),
            ));
        };
        let at = base + args.iter().position(|a| *a == name).unwrap_or(0);
        if self.networks.iter().any(|n| n.name == name) {
            return Err(refuse(
                at,
                format!("Error response from daemon: network with name {name} already exists"),
                None,
            ));
        }
        let taken = |a: Ipv4Addr, p: u8| self.networks.iter().any(|n| overlaps(n.subnet, n.prefix, a, p));
        let subnet = match subnet {
            Some((a, p)) => {
                let mask = u32::MAX << (32 - p);
                let a = Ipv4Addr::from(u32::from(a) & mask);
                if taken(a, p) {
                    return Err(refuse(
                        at,
                        "Error response from daemon: invalid pool request: Pool overlaps with other one on this address space",
                        None,
                    ));
                }
                (a, p)
            }
            None => (0..).map_while(pool).find(|&(a, p)| !taken(a, p)).ok_or_else(|| {
                refuse(at, "Error response from daemon: all predefined address pools have been fully subnetted", None)
            })?,
        };
        if let Some(g) = gateway {
            let inside = overlaps(g, 32, subnet.0, subnet.1) && g != subnet.0;
            if !inside {
                return Err(refuse(
                    at,
                    format!("Error response from daemon: no matching subnet for gateway {g}"),
                    None,
                ));
            }
        }
        let bridge = format!("br-{}", hex_id(name, 12));
        self.add_network(name.to_string(), bridge, subnet, gateway, out);
        Ok(())
    }

    fn network(&self, name: &str, word: usize) -> Result<usize, Refusal> {
        self.networks.iter().position(|n| n.name == name).ok_or_else(|| {
            refuse(
                word,
                format!("Error response from daemon: network {name} not found"),
                Some("make it first: `docker network create NAME`"),
            )
        })
    }

    fn container(&self, name: &str, word: usize) -> Result<usize, Refusal> {
        self.containers
            .iter()
            .position(|c| c.name == name)
            .ok_or_else(|| refuse(word, format!("Error response from daemon: No such container: {name}"), None))
    }

    /// The next free address of network `n` (or `ip`), taken.
    fn lease(&mut self, n: usize, ip: Option<Ipv4Addr>, word: usize) -> Result<Ipv4Addr, Refusal> {
        let net = &mut self.networks[n];
        let size = 1u32 << (32 - net.prefix);
        let host = match ip {
            Some(a) => {
                let h = u32::from(a).wrapping_sub(u32::from(net.subnet));
                if h == 0 || h >= size - 1 || !overlaps(a, 32, net.subnet, net.prefix) {
                    return Err(refuse(
                        word,
                        format!(
                            "Error response from daemon: invalid IPv4 address {a}: not in {}/{}",
                            net.subnet, net.prefix
                        ),
                        None,
                    ));
                }
                if net.taken.contains(&h) {
                    return Err(refuse(word, "Error response from daemon: Address already in use", None));
                }
                h
            }
            None => (1..size - 1).find(|h| !net.taken.contains(h)).ok_or_else(|| {
                refuse(
                    word,
                    format!(
                        "Error response from daemon: no available IPv4 addresses on this network's address pools: {}",
                        net.name
                    ),
                    None,
                )
            })?,
        };
        net.taken.push(host);
        Ok(Ipv4Addr::from(u32::from(net.subnet) + host))
    }

    /// Joins container `c` to network `n`: a veth whose host end is a port of the bridge
    /// and whose container end is `ethN`, its MAC made from its address (02:42 then the
    /// four bytes, as Docker before 28 makes it), the address, and the default route when
    /// this network's gateway is the container's.
    fn attach(
        &mut self,
        c: usize,
        n: usize,
        ip: Option<Ipv4Addr>,
        word: usize,
        out: &mut Vec<String>,
    ) -> Result<(), Refusal> {
        let addr = self.lease(n, ip, word)?;
        let (cname, k) = (self.containers[c].name.clone(), self.containers[c].ifaces.len());
        let net = &self.networks[n];
        let veth = format!("veth{}", hex_id(&format!("{cname}\0{}", net.name), 7));
        let o = addr.octets();
        let mac = format!("02:42:{:02x}:{:02x}:{:02x}:{:02x}", o[0], o[1], o[2], o[3]);
        let (br, prefix, gw) = (net.bridge.clone(), net.prefix, net.gateway);
        out.extend([
            format!("ip link add {veth} type veth peer name eth{k} netns {cname}"),
            format!("ip link set {veth} master {br}"),
            format!("ip link set {veth} up"),
            format!("ip -n {cname} link set eth{k} address {mac}"),
            format!("ip -n {cname} addr add {addr}/{prefix} brd + dev eth{k}"),
            format!("ip -n {cname} link set eth{k} up"),
        ]);
        // The default route goes through the network whose name sorts first (libnetwork's
        // `getGatewayEndpoint`): a network joined later takes it over when it sorts first.
        let first = self.containers[c].ifaces.iter().map(|(m, _)| m.as_str()).min();
        if first.is_none_or(|f| net.name.as_str() < f) {
            let verb = if first.is_some() { "replace" } else { "add" };
            out.push(format!("ip -n {cname} route {verb} default via {gw} dev eth{k}"));
        }
        let name = net.name.clone();
        self.containers[c].ifaces.push((name, addr));
        Ok(())
    }

    fn network_connect(&mut self, args: &[&str], base: usize, out: &mut Vec<String>) -> Result<(), Refusal> {
        let mut ip = None;
        let mut pos = Vec::new();
        let mut k = 0;
        while k < args.len() {
            match args[k] {
                "--ip" => {
                    k += 1;
                    let v = args.get(k).copied().unwrap_or_default();
                    ip = Some(
                        v.parse::<Ipv4Addr>()
                            .map_err(|_| refuse(base + k, format!("invalid IPv4 address: {v}"), None))?,
                    );
                }
                f if f.starts_with('-') => {
                    return Err(refuse(base + k, format!("not supported yet: docker network connect {f}"), None));
                }
                w => pos.push((w, base + k)),
            }
            k += 1;
        }
        let [(net, nw), (cont, cw)] = pos[..] else {
            return Err(refuse(
                base.saturating_sub(1),
                "\"docker network connect\" requires exactly 2 arguments.",
                Some("`docker network connect NETWORK CONTAINER`"),
            ));
        };
        let n = self.network(net, nw)?;
        let c = self.container(cont, cw)?;
        if self.containers[c].ifaces.iter().any(|(m, _)| m == net) {
            return Err(refuse(
                cw,
                format!("Error response from daemon: endpoint with name {cont} already exists in network {net}"),
                None,
            ));
        }
        self.attach(c, n, ip, cw, out)
    }

    fn network_rm(&mut self, name: &str, word: usize, out: &mut Vec<String>) -> Result<(), Refusal> {
        let n = self.network(name, word)?;
        if name == "bridge" {
            return Err(refuse(
                word,
                "Error response from daemon: bridge is a pre-defined network and cannot be removed",
                None,
            ));
        }
        if self.containers.iter().any(|c| c.ifaces.iter().any(|(m, _)| m == name)) {
            return Err(refuse(
                word,
                format!(
                    "Error response from daemon: error while removing network: network {name} has active endpoints"
                ),
                Some("remove its containers first: `docker rm -f NAME`"),
            ));
        }
        let net = self.networks.remove(n);
        let (b, s) = (&net.bridge, format!("{}/{}", net.subnet, net.prefix));
        out.extend([
            format!("iptables -D DOCKER-ISOLATION-STAGE-2 -o {b} -j DROP"),
            format!("iptables -D DOCKER-ISOLATION-STAGE-1 -i {b} ! -o {b} -j DOCKER-ISOLATION-STAGE-2"),
            format!("iptables -D FORWARD -i {b} -o {b} -j ACCEPT"),
            format!("iptables -D FORWARD -i {b} ! -o {b} -j ACCEPT"),
            format!("iptables -D FORWARD -o {b} -j DOCKER"),
            format!("iptables -D FORWARD -o {b} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT"),
            format!("iptables -t nat -D DOCKER -i {b} -j RETURN"),
            format!("iptables -t nat -D POSTROUTING -s {s} ! -o {b} -j MASQUERADE"),
            format!("ip link del {b}"),
        ]);
        Ok(())
    }

    fn container_rm(&mut self, name: &str, word: usize, out: &mut Vec<String>) -> Result<(), Refusal> {
        let c = self.container(name, word)?;
        let gone = self.containers.remove(c);
        for (net, addr) in gone.ifaces {
            if let Some(n) = self.networks.iter_mut().find(|n| n.name == net) {
                let h = u32::from(addr) - u32::from(n.subnet);
                n.taken.retain(|t| *t != h);
            }
        }
        // Its namespace goes, and the veths with it.
        out.push(format!("ip netns delete {name}"));
        Ok(())
    }

    /// `docker run [OPTIONS] IMAGE [COMMAND]`.
    fn run(&mut self, args: &[&str], base: usize, mut out: Vec<String>) -> Result<Action, Refusal> {
        let (mut net, mut name, mut hostname, mut ip) = (None, None, None, None);
        let (mut interactive, mut tty, mut detach) = (false, false, false);
        let mut k = 0;
        let image = loop {
            let Some(&a) = args.get(k) else {
                return Err(refuse(
                    base.saturating_sub(1),
                    "\"docker run\" requires at least 1 argument.",
                    Some("`docker run -itd --name NAME --net NETWORK IMAGE`"),
                ));
            };
            let (flag, inline) = match a.split_once('=') {
                Some((f, v)) if f.starts_with("--") => (f, Some(v)),
                _ => (a, None),
            };
            let value = |k: &mut usize| -> Result<(&str, usize), Refusal> {
                if let Some(v) = inline {
                    return Ok((v, *k));
                }
                *k += 1;
                args.get(*k)
                    .map(|v| (*v, *k))
                    .ok_or_else(|| refuse(base + *k - 1, format!("flag needs an argument: {flag}"), None))
            };
            match flag {
                "--net" | "--network" => net = Some(value(&mut k)?),
                "--name" => name = Some(value(&mut k)?),
                "--hostname" | "-h" => hostname = Some(value(&mut k)?.0),
                "--ip" => {
                    let (v, at) = value(&mut k)?;
                    ip = Some((
                        v.parse::<Ipv4Addr>()
                            .map_err(|_| refuse(base + at, format!("invalid IPv4 address: {v}"), None))?,
                        at,
                    ));
                }
                "-p" | "--publish" | "-P" | "--publish-all" => {
                    return Err(refuse(
                        base + k,
                        "not supported yet: published ports (docker run -p)",
                        Some(
                            "a DNAT rule does what -p does: `iptables -t nat -A PREROUTING -p tcp --dport HOST_PORT -j DNAT --to-destination CONTAINER_IP:PORT`",
                        ),
                    ));
                }
                "--dns" | "--add-host" | "--ipv6" | "--ip6" | "--mac-address" | "--network-alias" | "--net-alias"
                | "--link" => {
                    return Err(refuse(base + k, format!("not supported yet: docker run {flag}"), None));
                }
                // Options without a value.
                "--privileged" | "--rm" | "--init" | "--interactive" | "--tty" | "--detach" | "--read-only" => {
                    interactive |= flag == "--interactive";
                    tty |= flag == "--tty";
                    detach |= flag == "--detach";
                }
                // Options with a value that leave the network as it is.
                "--mount" | "-v" | "--volume" | "-e" | "--env" | "-w" | "--workdir" | "-u" | "--user" | "--cap-add"
                | "--cap-drop" | "-l" | "--label" | "--restart" | "--platform" | "--entrypoint" | "--env-file"
                | "--memory" | "-m" | "--cpus" => {
                    value(&mut k)?;
                }
                f if f.starts_with("--") => {
                    return Err(refuse(base + k, format!("not supported yet: docker run {f}"), None));
                }
                f if f.starts_with('-') && f.len() > 1 && f[1..].chars().all(|c| matches!(c, 'i' | 't' | 'd')) => {
                    interactive |= f.contains('i');
                    tty |= f.contains('t');
                    detach |= f.contains('d');
                }
                f if f.starts_with('-') => {
                    return Err(refuse(base + k, format!("not supported yet: docker run {f}"), None));
                }
                image => break image,
            }
            k += 1;
        };
        let _ = image;
        let command = &args[k + 1..];
        let Some((name, name_at)) = name else {
            return Err(refuse(
                base + k,
                "nslab names a container's namespace after it: give the container a name",
                Some("add `--name NAME` before the image"),
            ));
        };
        if self.containers.iter().any(|c| c.name == name) {
            return Err(refuse(
                base + name_at,
                format!(
                    "docker: Error response from daemon: Conflict. The container name \"/{name}\" is already in use"
                ),
                Some("remove it first: `docker rm -f NAME`"),
            ));
        }
        let (net, net_at) = net.unwrap_or(("bridge", k));
        let n = self.network(net, base + net_at)?;
        self.containers.push(Container {
            name: name.to_string(),
            hostname: hostname.map(str::to_string),
            ifaces: Vec::new(),
        });
        let c = self.containers.len() - 1;
        out.extend([
            format!("ip netns add {name}"),
            // Docker turns IPv6 off in a container unless its network has IPv6.
            format!("ip netns exec {name} sysctl -q -w net.ipv6.conf.all.disable_ipv6=1"),
            format!("ip netns exec {name} sysctl -q -w net.ipv6.conf.default.disable_ipv6=1"),
            // A new namespace copies the host's `all` settings (`devinet_init_net`), and
            // dockerd turned forwarding on there.
            format!("ip netns exec {name} sysctl -q -w net.ipv4.ip_forward=1"),
            format!("ip -n {name} link set lo up"),
        ]);
        if let Err(e) = self.attach(c, n, ip.map(|(a, _)| a), base + ip.map_or(net_at, |(_, at)| at), &mut out) {
            self.containers.pop();
            return Err(e);
        }
        // `-it` without `-d`: the terminal is the container's shell until `exit`.
        let shell = interactive && tty && !detach;
        if shell && (command.is_empty() || command.len() == 1 && is_shell_path(command[0])) {
            return Ok(Action::LinesThenShell(out, name.to_string()));
        }
        Ok(Action::Lines(out))
    }

    /// `docker exec [-i] [-t] [-u U] CONTAINER COMMAND…`.
    fn exec(&mut self, args: &[&str], base: usize, out: Vec<String>) -> Result<Action, Refusal> {
        let mut k = 0;
        let (mut it, mut detach) = (false, false);
        while let Some(&a) = args.get(k) {
            match a {
                "-u" | "--user" | "-w" | "--workdir" | "-e" | "--env" => k += 1,
                "--privileged" | "--interactive" | "--tty" => it |= a != "--privileged",
                "--detach" => detach = true,
                f if f.starts_with('-') && f.len() > 1 && f[1..].chars().all(|c| matches!(c, 'i' | 't' | 'd')) => {
                    it |= f.contains(['i', 't']);
                    detach |= f.contains('d');
                }
                f if f.starts_with('-') => {
                    return Err(refuse(base + k, format!("not supported yet: docker exec {f}"), None));
                }
                _ => break,
            }
            k += 1;
        }
        let Some(&name) = args.get(k) else {
            return Err(refuse(
                base.saturating_sub(1),
                "\"docker exec\" requires at least 2 arguments.",
                Some("`docker exec -it CONTAINER bash`"),
            ));
        };
        self.container(name, base + k)?;
        let command = &args[k + 1..];
        if !out.is_empty() {
            // The daemon's first line: it had no container to run in.
            return Err(refuse(base + k, format!("Error response from daemon: No such container: {name}"), None));
        }
        match command {
            [] => Err(refuse(
                base + k,
                "\"docker exec\" requires at least 2 arguments.",
                Some("`docker exec -it CONTAINER bash`"),
            )),
            _ if detach => Err(refuse(
                base + k,
                "not supported yet: docker exec -d",
                Some("run it in the background on the host: `ip netns exec CONTAINER COMMAND… &`"),
            )),
            [sh] if is_shell_path(sh) && it => Ok(Action::Shell(name.to_string())),
            _ => Ok(Action::Exec(name.to_string(), base + k + 1)),
        }
    }

    /// The address to give in place of `name` when it is a container's name or hostname.
    pub fn address_of(&self, name: &str) -> Option<Ipv4Addr> {
        self.containers
            .iter()
            .find(|c| c.name == name || c.hostname.as_deref() == Some(name))
            .and_then(|c| c.ifaces.first().map(|(_, a)| *a))
    }
}

fn is_shell_path(w: &str) -> bool {
    matches!(w, "bash" | "sh" | "/bin/bash" | "/bin/sh" | "/usr/bin/bash" | "zsh")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(d: &mut Daemon, line: &str) -> Vec<String> {
        let words: Vec<&str> = line.split_whitespace().collect();
        match d.expand(&words).unwrap() {
            Action::Lines(l) | Action::LinesThenShell(l, _) => l,
            a => panic!("{a:?}"),
        }
    }

    #[test]
    fn networks_take_the_default_pools_in_order_and_containers_the_next_address() {
        let mut d = Daemon::default();
        let first = lines(&mut d, "docker network create --driver bridge testnw");
        assert!(first.contains(&"ip addr add 172.17.0.1/16 brd + dev docker0".to_string()), "{first:?}");
        let br = format!("br-{}", hex_id("testnw", 12));
        assert!(first.contains(&format!("ip addr add 172.18.0.1/16 brd + dev {br}")), "{first:?}");
        let second = lines(&mut d, "docker network create testnw2");
        assert!(second.iter().any(|l| l.starts_with("ip addr add 172.19.0.1/16")), "{second:?}");
        lines(&mut d, "docker run -itd --net testnw --name myserver ubuntu:latest");
        let c = lines(
            &mut d,
            "docker container run -itd --privileged --mount type=bind,source=/d,target=/app --net testnw --hostname Client1 --name myclient ubuntu:latest",
        );
        assert!(c.contains(&"ip -n myclient addr add 172.18.0.3/16 brd + dev eth0".to_string()), "{c:?}");
        assert!(c.contains(&"ip -n myclient link set eth0 address 02:42:ac:12:00:03".to_string()), "{c:?}");
        assert!(c.contains(&"ip -n myclient route add default via 172.18.0.1 dev eth0".to_string()), "{c:?}");
        lines(&mut d, "docker run -itd --net testnw2 --name myrouter ubuntu:latest");
        let r = lines(&mut d, "docker network connect testnw myrouter");
        assert!(r.contains(&"ip -n myrouter addr add 172.18.0.4/16 brd + dev eth1".to_string()), "{r:?}");
        // testnw sorts before testnw2: its gateway becomes the router's.
        assert_eq!(r.last().unwrap(), "ip -n myrouter route replace default via 172.18.0.1 dev eth1");
        lines(&mut d, "docker network create zeta");
        let z = lines(&mut d, "docker network connect zeta myrouter");
        assert!(!z.iter().any(|l| l.contains("default")), "{z:?}");
        assert_eq!(d.address_of("Client1"), Some(Ipv4Addr::new(172, 18, 0, 3)));
    }

    #[test]
    fn what_docker_refuses_nslab_refuses_with_dockers_words() {
        let mut d = Daemon::default();
        let e = d.expand(&["docker", "network", "connect", "testnw", "x"]).unwrap_err();
        assert_eq!(e.msg, "Error response from daemon: network testnw not found");
        assert_eq!(e.word, 3);
        let e = d.expand(&["docker", "run", "-d", "-p", "80:80", "--name", "w", "nginx"]).unwrap_err();
        assert!(e.msg.contains("published ports"), "{}", e.msg);
        let e = d.expand(&["docker", "run", "-d", "ubuntu"]).unwrap_err();
        assert!(e.hint.unwrap().contains("--name"));
        let e = d.expand(&["docker", "network", "create", "--driver", "overlay", "o"]).unwrap_err();
        assert_eq!(e.word, 4);
        lines(&mut d, "docker network create a");
        let e = d.expand(&["docker", "network", "create", "a"]).unwrap_err();
        assert!(e.msg.contains("already exists"), "{}", e.msg);
    }

    #[test]
    fn a_refused_line_changes_nothing() {
        let mut d = Daemon::default();
        // The first line is refused: the daemon has not started, and the next line starts it.
        assert!(d.expand(&["docker", "ps"]).is_err());
        let first = lines(&mut d, "docker network create n");
        assert!(first.iter().any(|l| l.contains("docker0")), "{first:?}");
        lines(&mut d, "docker run -d --net n --name c1 img");
        // `rm c1 nosuch`: refused at nosuch, and c1 is still there.
        assert!(d.expand(&["docker", "rm", "-f", "c1", "nosuch"]).is_err());
        assert_eq!(d.address_of("c1"), Some(Ipv4Addr::new(172, 18, 0, 2)));
        let e = d.expand(&["docker", "exec", "-d", "c1", "bash"]).unwrap_err();
        assert!(e.msg.contains("docker exec -d") && e.hint.unwrap().contains('&'), "{}", e.msg);
    }

    #[test]
    fn a_removed_network_takes_its_rules_and_a_removed_container_its_address() {
        let mut d = Daemon::default();
        lines(&mut d, "docker network create n");
        lines(&mut d, "docker run -d --net n --name c1 img");
        assert!(d.expand(&["docker", "network", "rm", "n"]).is_err());
        // A stopped container keeps its name: not modelled, so refused rather than removed.
        assert!(d.expand(&["docker", "stop", "c1"]).unwrap_err().msg.contains("not supported yet"));
        assert_eq!(lines(&mut d, "docker rm -f c1"), ["ip netns delete c1"]);
        let rm = lines(&mut d, "docker network rm n");
        assert_eq!(rm.last().unwrap(), &format!("ip link del br-{}", hex_id("n", 12)));
        lines(&mut d, "docker network create n2");
        let c = lines(&mut d, "docker run -d --net n2 --name c2 img");
        assert!(c.iter().any(|l| l.contains("addr add 172.18.0.2/16")), "{c:?}");
    }
}
