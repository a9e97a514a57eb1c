//! A TCP client and server across a partition: the client sends a request every half
//! second and gives up when an answer takes longer than its timeout (5 s). TCP's
//! retransmissions carry a connection across a partition shorter than that; a longer one
//! fails the client. The same code, the same outcome, in the sim and (as root) on the
//! real kernel.
//!
//! Run it with `cargo run --example tcp_partition`; `cargo test` runs its tests.

use nslab::net::{TcpListener, TcpStream};
use nslab::{Error, Lab};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// lan (192.168.1.2) — router (MASQUERADE, 203.0.113.254) — wan (203.0.113.1).
pub const LAB: &str = include_str!("../tests/labs/masquerade.sh");

/// How many requests the client makes.
const REQUESTS: u32 = 10;
/// How long it waits for an answer.
const TIMEOUT: Duration = Duration::from_secs(5);
/// When the partition begins (between the third and the fourth request).
const CUT_AT: Duration = Duration::from_millis(1250);

/// Echoes 8-byte requests until the client goes.
async fn server() -> std::io::Result<()> {
    let listener = TcpListener::bind("0.0.0.0:7000").await?;
    let (mut stream, _) = listener.accept().await?;
    let mut req = [0u8; 8];
    while stream.read_exact(&mut req).await.is_ok() {
        stream.write_all(&req).await?;
    }
    Ok(())
}

/// Sends [`REQUESTS`] requests, 500 ms apart: how many were answered, or the first one that
/// was not answered within [`TIMEOUT`].
async fn client() -> std::io::Result<Result<u32, String>> {
    let mut stream = TcpStream::connect("203.0.113.1:7000").await?;
    for i in 0..REQUESTS {
        stream.write_all(&u64::from(i).to_be_bytes()).await?;
        let mut answer = [0u8; 8];
        match tokio::time::timeout(TIMEOUT, stream.read_exact(&mut answer)).await {
            Ok(r) => {
                r?;
            }
            Err(_) => return Ok(Err(format!("request {i}: no answer within {TIMEOUT:?}"))),
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    Ok(Ok(REQUESTS))
}

/// Runs the client against the server with lan and wan cut off from each other for `cut`
/// from [`CUT_AT`] on: the client's outcome.
pub fn across(lab: &mut Lab, cut: Duration) -> Result<Result<u32, String>, Error> {
    lab.spawn("wan", server())?;
    let c = lab.spawn("lan", client())?;
    lab.run_for(CUT_AT)?;
    lab.partition(&["lan"], &["wan"])?;
    lab.run_for(cut)?;
    lab.heal()?;
    lab.block_on(c)?.expect("the client did not panic").map_err(|e| Error::Refused(e.to_string()))
}

fn main() -> Result<(), Error> {
    for secs in [2, 8] {
        let mut lab = Lab::from_script(LAB)?;
        let outcome = across(&mut lab, Duration::from_secs(secs))?;
        println!("a {secs} s partition: {outcome:?} (virtual time {:?})", lab.now());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2 s of partition: TCP retransmits once it is repaired and every request is answered.
    #[test]
    fn a_short_partition_is_survived_on_both() {
        let both = nslab::on_both(LAB, |lab| across(lab, Duration::from_secs(2))).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(both.sim, Ok(REQUESTS));
    }

    /// 8 s of partition: the fourth request, sent into it, is not answered in 5 s.
    #[test]
    fn a_long_partition_fails_the_client_on_both() {
        let both = nslab::on_both(LAB, |lab| across(lab, Duration::from_secs(8))).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(both.sim, Err("request 3: no answer within 5s".to_string()));
    }

    /// While it lasts, the partition is rules anyone can list, and repairing it removes
    /// them all.
    #[test]
    fn the_partition_is_iptables_rules_that_go_when_healed() {
        let mut lab = Lab::from_script(LAB).unwrap();
        lab.partition(&["lan"], &["wan"]).unwrap();
        let (rules, _) = lab.exec("lan", "iptables -S").unwrap();
        assert_eq!(
            rules,
            [
                "-P INPUT ACCEPT",
                "-P FORWARD ACCEPT",
                "-P OUTPUT ACCEPT",
                "-N NSLAB-PARTITION",
                "-A INPUT -j NSLAB-PARTITION",
                "-A OUTPUT -j NSLAB-PARTITION",
                "-A NSLAB-PARTITION -s 203.0.113.1/32 -j DROP",
                "-A NSLAB-PARTITION -d 203.0.113.1/32 -j DROP",
            ]
        );
        lab.heal().unwrap();
        let (rules, _) = lab.exec("lan", "iptables -S").unwrap();
        assert_eq!(rules, ["-P INPUT ACCEPT", "-P FORWARD ACCEPT", "-P OUTPUT ACCEPT"]);
    }
}
