//! How Linux's NATs behave to a UDP application, found by running one: an RFC 4787
//! classifier (mapping and filtering behaviour, as a STUN client works them out) against
//! the NATs of E13 — netns.sh's full cone, restricted cone, port-restricted cone and
//! symmetric rules — and UDP hole punching between two hosts behind each pair of them.
//!
//! Run it with `cargo run --example nat_behaviour` (add `-- --kernel` to run it on the
//! real kernel, as root); `cargo test` runs its tests, the kernel's half as root.
//!
//! The lab: c0 (10.0.1.1) behind nat0 (100.64.1.100) and c1 (10.0.2.1) behind nat1
//! (100.64.2.100), both NATs' outsides routed by `inet`, and a server host `srv` with two
//! addresses (198.51.100.1 and .2) on the internet side: the classifier's STUN servers
//! and the hole punchers' rendezvous.

use nslab::Lab;
use nslab::net::UdpSocket;
use std::cell::RefCell;
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::Duration;

/// A NAT as netns.sh's `set_iptables_for_nat` writes it: its rules, with `{out}` the
/// outside interface, `{in}` the inside one, `{pub}` the public address, `{host}` the
/// host behind it.
pub struct Nat {
    /// What netns.sh calls it.
    pub name: &'static str,
    /// Its rules.
    pub rules: &'static str,
}

const NATS: &[Nat] = &[
    Nat {
        name: "full cone",
        rules: "\
iptables -t nat -A POSTROUTING -o {out} -p udp -j SNAT --to-source {pub}:54321
iptables -t nat -A PREROUTING -i {out} -p udp --dport 54321 -j DNAT --to-destination {host}:12345
iptables -A FORWARD -p udp -i {in} -j ACCEPT
iptables -A FORWARD -p udp -d {host} --dport 12345 -j ACCEPT",
    },
    Nat {
        name: "restricted cone",
        rules: "\
iptables -t nat -A POSTROUTING -o {out} -p udp -j SNAT --to-source {pub}:54321
iptables -t nat -A PREROUTING -i {out} -p udp --dport 54321 -j DNAT --to-destination {host}:12345
iptables -A FORWARD -p udp -i {in} -j ACCEPT
iptables -A FORWARD -p udp -d {host} -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT",
    },
    Nat {
        name: "port-restricted cone",
        rules: "\
iptables -t nat -A POSTROUTING -o {out} -p udp -j SNAT --to-source {pub}:54321
iptables -t nat -A PREROUTING -i {out} -p udp --dport 54321 -j DNAT --to-destination {host}:12345
iptables -A FORWARD -p udp -i {in} -j ACCEPT
iptables -A FORWARD -p udp -d {host} --dport 12345 -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT",
    },
    Nat { name: "symmetric (as netns.sh writes it)", rules: "iptables -t nat -A POSTROUTING -o {out} -j MASQUERADE" },
    Nat {
        name: "symmetric, forwarding (as E13 completes it)",
        rules: "\
iptables -t nat -A POSTROUTING -o {out} -j MASQUERADE
iptables -A FORWARD -i {in} -j ACCEPT
iptables -A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT",
    },
];

/// The lab's script: both NATs with the given rules.
fn script(nat0: &Nat, nat1: &Nat) -> String {
    let mut s = String::from(
        "ip netns add inet\nip netns exec inet sysctl -w net.ipv4.ip_forward=1\n\
         ip netns add srv\nip link add s-i type veth peer name i-s\nip link set s-i netns srv\nip link set i-s netns inet\n\
         ip -n srv addr add 198.51.100.1/24 dev s-i\nip -n srv addr add 198.51.100.2/24 dev s-i\nip -n srv link set s-i up\n\
         ip -n srv route add default via 198.51.100.254\n\
         ip -n inet addr add 198.51.100.254/24 dev i-s\nip -n inet link set i-s up\n",
    );
    for (k, nat) in [nat0, nat1].into_iter().enumerate() {
        let n = k + 1;
        let (host, inner, public) = (format!("10.0.{n}.1"), format!("10.0.{n}.100"), format!("100.64.{n}.100"));
        s += &format!(
            "ip netns add c{k}\nip netns add nat{k}\n\
             ip link add c{k}-n type veth peer name n{k}-c\nip link set c{k}-n netns c{k}\nip link set n{k}-c netns nat{k}\n\
             ip link add n{k}-i type veth peer name i-n{k}\nip link set n{k}-i netns nat{k}\nip link set i-n{k} netns inet\n\
             ip -n c{k} addr add {host}/24 dev c{k}-n\nip -n c{k} link set c{k}-n up\nip -n c{k} route add default via {inner}\n\
             ip -n nat{k} addr add {inner}/24 dev n{k}-c\nip -n nat{k} link set n{k}-c up\n\
             ip -n nat{k} addr add {public}/24 dev n{k}-i\nip -n nat{k} link set n{k}-i up\n\
             ip -n nat{k} route add default via 100.64.{n}.254\n\
             ip -n inet addr add 100.64.{n}.254/24 dev i-n{k}\nip -n inet link set i-n{k} up\n\
             ip netns exec nat{k} sysctl -w net.ipv4.ip_forward=1\n\
             ip netns exec nat{k} iptables -P INPUT DROP\nip netns exec nat{k} iptables -P FORWARD DROP\n"
        );
        for rule in nat.rules.lines() {
            let rule = rule
                .replace("{out}", &format!("n{k}-i"))
                .replace("{in}", &format!("n{k}-c"))
                .replace("{pub}", &public)
                .replace("{host}", &host);
            s += &format!("ip netns exec nat{k} {rule}\n");
        }
    }
    s
}

/// RFC 4787's three behaviours, for mapping and for filtering.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Behaviour {
    /// Endpoint-independent.
    EndpointIndependent,
    /// Address-dependent.
    AddressDependent,
    /// Address- and port-dependent.
    AddressAndPortDependent,
}

/// What the classifier found about one NAT: `None` where no UDP got through at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Classified {
    /// Mapping: how the public address depends on where a host sends.
    pub mapping: Option<Behaviour>,
    /// Filtering: what from outside gets in once a host has sent.
    pub filtering: Option<Behaviour>,
}

const A1: &str = "198.51.100.1:3478";
const A2: &str = "198.51.100.1:3479";
const B1: &str = "198.51.100.2:3478";

/// A STUN-like server at `addr`: answers each datagram with the address it came from.
async fn reflector(addr: &'static str) -> std::io::Result<()> {
    let sock = UdpSocket::bind(addr).await?;
    let mut buf = [0u8; 64];
    loop {
        let (_, from) = sock.recv_from(&mut buf).await?;
        sock.send_to(from.to_string().as_bytes(), from).await?;
    }
}

/// Sends one datagram from c0's port 12345 to each of `to` and reads the reflected
/// addresses (within a second each).
async fn mapped_addresses(to: &[&str]) -> std::io::Result<Vec<Option<SocketAddr>>> {
    let sock = UdpSocket::bind("0.0.0.0:12345").await?;
    let mut out = Vec::new();
    for t in to {
        sock.send_to(b"binding request", t).await?;
        let mut buf = [0u8; 64];
        let got = tokio::time::timeout(Duration::from_secs(1), sock.recv_from(&mut buf)).await;
        out.push(match got {
            Ok(Ok((n, _))) => std::str::from_utf8(&buf[..n]).ok().and_then(|s| s.parse().ok()),
            _ => None,
        });
    }
    Ok(out)
}

/// How a lab is made: [`Lab::from_script`] (the sim) or `Lab::kernel_from_script`.
pub type Make = fn(&str) -> Result<Lab, nslab::Error>;

/// RFC 4787 §4.1 and §5, as a STUN client tests them from c0 behind `nat`.
pub fn classify(nat: &Nat) -> Result<Classified, nslab::Error> {
    classify_on(nat, Lab::from_script)
}

/// [`classify`] on labs that `make` makes.
pub fn classify_on(nat: &Nat, make: Make) -> Result<Classified, nslab::Error> {
    // Mapping: one local port toward three servers.
    let mut lab = make(&script(nat, &NATS[0]))?;
    for a in [A1, A2, B1] {
        lab.spawn("srv", reflector(a))?;
    }
    let m = lab.spawn("c0", mapped_addresses(&[A1, A2, B1]))?;
    let mapped = lab.block_on(m)?.expect("no panic").expect("sockets");
    let mapping = match (mapped[0], mapped[1], mapped[2]) {
        (Some(a1), Some(a2), Some(b1)) if a1 == a2 && a1 == b1 => Some(Behaviour::EndpointIndependent),
        (Some(a1), Some(a2), Some(_)) if a1 == a2 => Some(Behaviour::AddressDependent),
        (Some(_), Some(_), Some(_)) => Some(Behaviour::AddressAndPortDependent),
        _ => None,
    };
    // Filtering: c0 sends to A1 only; then A1, A2 and B1 each send to its mapping.
    let mut lab = make(&script(nat, &NATS[0]))?;
    let mapping_seen: Rc<RefCell<Option<SocketAddr>>> = Rc::default();
    let seen = mapping_seen.clone();
    lab.spawn("srv", async move {
        let a1 = UdpSocket::bind(A1).await?;
        let a2 = UdpSocket::bind(A2).await?;
        let b1 = UdpSocket::bind(B1).await?;
        let mut buf = [0u8; 64];
        let (_, from) = a1.recv_from(&mut buf).await?;
        *seen.borrow_mut() = Some(from);
        for (sock, what) in [(&b1, "B1"), (&a2, "A2"), (&a1, "A1")] {
            sock.send_to(what.as_bytes(), from).await?;
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Ok::<_, std::io::Error>(())
    })?;
    let c = lab.spawn("c0", async {
        let sock = UdpSocket::bind("0.0.0.0:12345").await?;
        sock.send_to(b"binding request", A1).await?;
        let mut heard = Vec::new();
        let mut buf = [0u8; 64];
        while let Ok(Ok((n, _))) = tokio::time::timeout(Duration::from_secs(1), sock.recv_from(&mut buf)).await {
            heard.push(String::from_utf8_lossy(&buf[..n]).into_owned());
        }
        Ok::<_, std::io::Error>(heard)
    })?;
    let heard = lab.block_on(c)?.expect("no panic").expect("sockets");
    let has = |w: &str| heard.iter().any(|h| h == w);
    let filtering = match (has("A1"), has("A2"), has("B1")) {
        (_, _, true) => Some(Behaviour::EndpointIndependent),
        (_, true, false) => Some(Behaviour::AddressDependent),
        (true, false, false) => Some(Behaviour::AddressAndPortDependent),
        (false, false, false) => None,
    };
    Ok(Classified { mapping, filtering })
}

/// UDP hole punching between c0 (behind `nat0`) and c1 (behind `nat1`): both tell the
/// rendezvous their mapping, learn the other's, and send to it five times, 100 ms apart.
/// Whether each heard the other.
pub fn punch(nat0: &Nat, nat1: &Nat) -> Result<(bool, bool), nslab::Error> {
    punch_lab(nat0, nat1, None).map(|(_, r)| r)
}

/// [`punch`] on the lab that `make` makes (captures on the kernel are no use here).
pub fn punch_on(nat0: &Nat, nat1: &Nat, make: Make) -> Result<(bool, bool), nslab::Error> {
    let mut lab = make(&script(nat0, nat1))?;
    punch_in(&mut lab)
}

/// [`punch`]'s run, with `seed` over the script's, and a capture on both NATs' outsides:
/// the lab afterwards, and the outcome.
pub fn punch_lab(nat0: &Nat, nat1: &Nat, seed: Option<u64>) -> Result<(Lab, (bool, bool)), nslab::Error> {
    let mut lab = Lab::from_script_seeded(&script(nat0, nat1), seed)?;
    lab.capture("nat0", "n0-i")?;
    lab.capture("nat1", "n1-i")?;
    let outcome = punch_in(&mut lab)?;
    Ok((lab, outcome))
}

/// The hole punching itself, in `lab`.
fn punch_in(lab: &mut Lab) -> Result<(bool, bool), nslab::Error> {
    lab.spawn("srv", async {
        let sock = UdpSocket::bind(A1).await?;
        let mut buf = [0u8; 64];
        let (_, p0) = sock.recv_from(&mut buf).await?;
        let (_, p1) = sock.recv_from(&mut buf).await?;
        sock.send_to(p1.to_string().as_bytes(), p0).await?;
        sock.send_to(p0.to_string().as_bytes(), p1).await?;
        Ok::<_, std::io::Error>(())
    })?;
    let peer = |delay: u64| async move {
        // c0 registers first, then c1: the rendezvous tells them apart by order.
        tokio::time::sleep(Duration::from_millis(delay)).await;
        let sock = UdpSocket::bind("0.0.0.0:12345").await?;
        sock.send_to(b"register", A1).await?;
        let mut buf = [0u8; 64];
        let Ok(Ok((n, _))) = tokio::time::timeout(Duration::from_secs(2), sock.recv_from(&mut buf)).await else {
            return Ok(false);
        };
        let Ok(other) = std::str::from_utf8(&buf[..n]).unwrap_or("").parse::<SocketAddr>() else { return Ok(false) };
        let mut heard = false;
        for _ in 0..5 {
            sock.send_to(b"punch", other).await?;
            if let Ok(Ok((_, from))) = tokio::time::timeout(Duration::from_millis(100), sock.recv_from(&mut buf)).await
            {
                heard |= from == other;
            }
        }
        Ok::<_, std::io::Error>(heard)
    };
    let a = lab.spawn("c0", peer(0))?;
    let b = lab.spawn("c1", peer(10))?;
    let a = lab.block_on(a)?.expect("no panic").unwrap_or(false);
    let b = lab.block_on(b)?.expect("no panic").unwrap_or(false);
    Ok((a, b))
}

fn main() -> Result<(), nslab::Error> {
    // `-- --kernel`: the same on the real kernel (as root).
    let (make, on): (Make, &str) = match std::env::args().any(|a| a == "--kernel") {
        true => (Lab::kernel_from_script, "on the kernel"),
        false => (Lab::from_script, "in the sim"),
    };
    println!("RFC 4787 behaviour of E13's NATs (mapping / filtering), {on}:");
    for nat in NATS {
        let c = classify_on(nat, make)?;
        let show = |b: Option<Behaviour>| b.map_or("nothing gets through".to_string(), |b| format!("{b:?}"));
        println!("  {:<44} {} / {}", nat.name, show(c.mapping), show(c.filtering));
    }
    println!("UDP hole punching, c0 behind the row's NAT, c1 behind the column's:");
    for a in NATS {
        let row: Vec<String> = NATS
            .iter()
            .map(|b| match punch_on(a, b, make) {
                Ok((true, true)) => "yes".to_string(),
                Ok(_) => "no".to_string(),
                Err(e) => format!("error: {e}"),
            })
            .collect();
        println!("  {:<44} {}", a.name, row.join(" "));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use Behaviour::*;

    /// Linux's conntrack maps endpoint-independently while the port is free (MASQUERADE
    /// keeps the source port; SNAT to one port uses that one for every peer), and filters
    /// by the whole 5-tuple unless a rule lets everything in: netns.sh's "restricted" and
    /// "port-restricted" cones are the same NAT on Linux. netns.sh's symmetric case lets
    /// nothing through (E13, continued).
    #[test]
    fn the_classifier_finds_what_e13_shows() {
        let got: Vec<Classified> = NATS.iter().map(|n| classify(n).unwrap()).collect();
        let want = [
            Classified { mapping: Some(EndpointIndependent), filtering: Some(EndpointIndependent) },
            Classified { mapping: Some(EndpointIndependent), filtering: Some(AddressAndPortDependent) },
            Classified { mapping: Some(EndpointIndependent), filtering: Some(AddressAndPortDependent) },
            Classified { mapping: None, filtering: None },
            Classified { mapping: Some(EndpointIndependent), filtering: Some(AddressAndPortDependent) },
        ];
        assert_eq!(got, want);
    }

    /// Every pair punches through, except with netns.sh's symmetric NAT, which lets no
    /// UDP through at all.
    #[test]
    fn hole_punching_works_between_every_pair_that_forwards() {
        for (i, a) in NATS.iter().enumerate() {
            for (j, b) in NATS.iter().enumerate() {
                let got = punch(a, b).unwrap();
                let open = i != 3 && j != 3;
                assert_eq!(got == (true, true), open, "{} × {}: {got:?}", a.name, b.name);
            }
        }
    }

    /// The same classification and the same hole punching on the real kernel, as root
    /// (without root, or without iptables, it says why it skips).
    #[test]
    fn the_kernel_agrees() {
        let probe = match Lab::kernel_from_script(&script(&NATS[0], &NATS[0])) {
            Ok(lab) => lab,
            Err(nslab::Error::KernelUnavailable(why)) => {
                nslab::skipped(&why);
                return;
            }
            Err(e) => panic!("{e}"),
        };
        drop(probe);
        for nat in NATS {
            let on_kernel = classify_on(nat, Lab::kernel_from_script).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(on_kernel, classify(nat).unwrap(), "{}", nat.name);
        }
        for a in NATS {
            for b in NATS {
                let on_kernel = punch_on(a, b, Lab::kernel_from_script).unwrap_or_else(|e| panic!("{e}"));
                assert_eq!(on_kernel, punch(a, b).unwrap(), "{} × {}", a.name, b.name);
            }
        }
    }

    /// One seed, one trace: the hole punching between every pair of NATs, ten runs each,
    /// every frame on both NATs' outsides compared.
    #[test]
    fn the_same_seed_gives_the_same_trace() {
        for a in NATS {
            for b in NATS {
                nslab::check_determinism_runs(4787, 10, |seed| punch_lab(a, b, Some(seed)).map(|(lab, _)| lab))
                    .unwrap_or_else(|e| panic!("{} × {}: {e}", a.name, b.name));
            }
        }
    }
}
