//! The same code, written as tokio's documentation writes it, against `tokio::net` and
//! `nslab::net`: the macro below is the only place it is written, each module differs only
//! by its import. The tokio copy is compiled, never run (it would need the machine's
//! network); the nslab copy runs through a MASQUERADE router in the sim. (tokio's own TCP
//! example hands each connection to `tokio::spawn`, which a lab's sockets do not support
//! yet: they are not `Send`.)

use std::io;
use std::time::Duration;

macro_rules! udp_echo {
    ($net:path) => {
        use $net as net;

        /// tokio's `UdpSocket` example: echo every datagram back.
        pub async fn server(addr: &str) -> io::Result<()> {
            let sock = net::UdpSocket::bind(addr).await?;
            let mut buf = [0; 1024];
            loop {
                let (len, addr) = sock.recv_from(&mut buf).await?;
                let _len = sock.send_to(&buf[..len], addr).await?;
            }
        }

        /// A client: connect, send, receive the echo, within a second.
        pub async fn client(server: &str) -> io::Result<(Vec<u8>, std::net::SocketAddr)> {
            let sock = net::UdpSocket::bind("0.0.0.0:0").await?;
            sock.connect(server).await?;
            sock.send(b"hello world").await?;
            sock.set_ttl(32)?;
            let mut buf = [0; 64];
            let len = tokio::time::timeout(Duration::from_secs(1), sock.recv(&mut buf)).await??;
            let _local = sock.local_addr()?;
            Ok((buf[..len].to_vec(), sock.peer_addr()?))
        }
    };
}

macro_rules! tcp_echo {
    ($net:path) => {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};

        /// tokio's `TcpListener` echo, one connection: copy what comes back until EOF.
        pub async fn tcp_server(addr: &str) -> io::Result<u64> {
            let listener = net::TcpListener::bind(addr).await?;
            let (socket, _peer) = listener.accept().await?;
            let (mut rd, mut wr) = tokio::io::split(socket);
            let n = tokio::io::copy(&mut rd, &mut wr).await?;
            wr.shutdown().await?;
            Ok(n)
        }

        /// A client: write, close its side, read everything back.
        pub async fn tcp_client(server: &str, data: &[u8]) -> io::Result<Vec<u8>> {
            let mut stream = net::TcpStream::connect(server).await?;
            let _ = (stream.local_addr()?, stream.peer_addr()?);
            stream.write_all(data).await?;
            stream.shutdown().await?;
            let mut back = Vec::new();
            stream.read_to_end(&mut back).await?;
            Ok(back)
        }
    };
}

#[allow(dead_code)]
mod with_tokio {
    use super::*;
    udp_echo!(tokio::net);
    tcp_echo!(tokio::net);
}

mod with_nslab {
    use super::*;
    udp_echo!(nslab::net);
    tcp_echo!(nslab::net);
}

/// lan — router (MASQUERADE) — wan, as `tests/library.rs` has it.
const MASQUERADE: &str = include_str!("labs/masquerade.sh");

#[test]
fn tokios_udp_echo_runs_unchanged_through_masquerade() {
    let mut lab = nslab::Lab::from_script(MASQUERADE).unwrap_or_else(|e| panic!("{e}"));
    let _server = lab.spawn("wan", with_nslab::server("0.0.0.0:8080")).unwrap();
    let client = lab.spawn("lan", with_nslab::client("203.0.113.1:8080")).unwrap();
    let (echo, peer) = lab.block_on(client).unwrap().unwrap().unwrap();
    assert_eq!(echo, b"hello world");
    assert_eq!(peer.to_string(), "203.0.113.1:8080");
}

#[test]
fn tokios_tcp_echo_runs_unchanged_through_masquerade() {
    let mut lab = nslab::Lab::from_script(MASQUERADE).unwrap_or_else(|e| panic!("{e}"));
    let server = lab.spawn("wan", with_nslab::tcp_server("0.0.0.0:8080")).unwrap();
    // 200 KiB: more than the windows and buffers hold, so flow control has to work.
    let data: Vec<u8> = (0..200 * 1024).map(|i| (i % 251) as u8).collect();
    let sent = data.clone();
    let client = lab.spawn("lan", async move { with_nslab::tcp_client("203.0.113.1:8080", &sent).await }).unwrap();
    let back = lab.block_on(client).unwrap().unwrap().unwrap();
    assert_eq!(back.len(), data.len());
    assert!(back == data, "the echo differs");
    assert_eq!(lab.block_on(server).unwrap().unwrap().unwrap(), data.len() as u64);
}
