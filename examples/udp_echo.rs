//! The first test a user writes: a UDP echo server and its client, as tokio's docs write
//! them, with `nslab::net` in place of `tokio::net`, on two hosts with a MASQUERADE router
//! between them — in the sim, and (as root) on the real kernel with the same code.
//!
//! Run it with `cargo run --example udp_echo`; `cargo test` runs its test.

use nslab::net::UdpSocket;
use nslab::{Error, Lab};
use std::net::SocketAddr;

/// lan (192.168.1.2) — router (MASQUERADE out of r-w, 203.0.113.254) — wan (203.0.113.1),
/// as a tutorial types it.
pub const LAB: &str = include_str!("../tests/labs/masquerade.sh");

/// The server: echoes one datagram; where it came from.
async fn server() -> std::io::Result<SocketAddr> {
    let sock = UdpSocket::bind("0.0.0.0:7").await?;
    let mut buf = [0u8; 1500];
    let (n, from) = sock.recv_from(&mut buf).await?;
    sock.send_to(&buf[..n], from).await?;
    Ok(from)
}

/// The client: one datagram from port 40000, and the answer.
async fn client() -> std::io::Result<(String, SocketAddr)> {
    let sock = UdpSocket::bind("0.0.0.0:40000").await?;
    sock.connect("203.0.113.1:7").await?;
    sock.send(b"hello").await?;
    let mut buf = [0u8; 64];
    let n = sock.recv(&mut buf).await?;
    Ok((String::from_utf8_lossy(&buf[..n]).into_owned(), sock.peer_addr()?))
}

/// Runs both in `lab`: what the client got back, and where the server saw it come from.
pub fn echo(lab: &mut Lab) -> Result<((String, SocketAddr), SocketAddr), Error> {
    let s = lab.spawn("wan", server())?;
    let c = lab.spawn("lan", client())?;
    let io = |e: std::io::Error| Error::Refused(e.to_string());
    let got = lab.block_on(c)?.expect("the client did not panic").map_err(io)?;
    let seen = lab.block_on(s)?.expect("the server did not panic").map_err(io)?;
    Ok((got, seen))
}

fn main() -> Result<(), Error> {
    let mut lab = Lab::from_script(LAB)?;
    let ((reply, from), seen) = echo(&mut lab)?;
    println!("the client got {reply:?} from {from}; the server saw it come from {seen}");
    println!("after {:?} of virtual time", lab.now());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The echo comes back, and the server sees the router's address with the client's
    /// port (MASQUERADE keeps a free port) — in the sim and, as root, on the kernel.
    #[test]
    fn the_echo_crosses_the_nat_alike_on_both() {
        let both = nslab::on_both(LAB, echo).unwrap_or_else(|e| panic!("{e}"));
        let want = (("hello".to_string(), "203.0.113.1:7".parse().unwrap()), "203.0.113.254:40000".parse().unwrap());
        assert_eq!(both.sim, want);
    }

    /// Ten runs with one seed, one trace.
    #[test]
    fn the_same_seed_gives_the_same_trace() {
        nslab::check_determinism_runs(7, 10, |seed| {
            let mut lab = Lab::from_script_seeded(LAB, Some(seed))?;
            lab.capture("router", "r-w")?;
            echo(&mut lab)?;
            Ok(lab)
        })
        .unwrap_or_else(|e| panic!("{e}"));
    }
}
