//! What an open connection costs the echo server, in bytes: measured as this process's
//! resident memory while the server (in process) holds many connections from raw clients
//! (a few hundred bytes each on the client side). Alone in its test binary, so no other test
//! allocates meanwhile.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use wsdeck_echo::{EchoConfig, EchoServer};

const STEP: Duration = Duration::from_secs(10);
const CONNECTIONS: usize = 500;
/// Resident bytes one open connection may cost, at most. tungstenite's defaults (a 128 KiB
/// read buffer filled on the first read, and TLS state in every task) cost over 140 KiB.
const MAX_BYTES_PER_CONNECTION: u64 = 32 << 10;

fn rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .expect("VmRSS");
    kib << 10
}

/// An upgraded connection to `/echo` that has sent one small message and read its echo.
async fn open_and_echo(server: &EchoServer) -> TcpStream {
    let mut tcp = TcpStream::connect(server.local_addr())
        .await
        .expect("connect");
    let request = format!(
        "GET /echo HTTP/1.1\r\nHost: {}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\
         Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
        server.local_addr()
    );
    tcp.write_all(request.as_bytes()).await.expect("write");
    let mut read = Vec::new();
    while !read.windows(4).any(|w| w == b"\r\n\r\n") {
        let mut chunk = [0u8; 512];
        let n = tokio::time::timeout(STEP, tcp.read(&mut chunk))
            .await
            .expect("the answer in time")
            .expect("read");
        assert!(n > 0, "closed before the answer");
        read.extend_from_slice(&chunk[..n]);
    }
    assert!(read.starts_with(b"HTTP/1.1 101"));
    // "hi", masked with a zero mask; the echo is an unmasked 4-byte frame.
    tcp.write_all(&[0x81, 0x82, 0, 0, 0, 0, b'h', b'i'])
        .await
        .expect("write");
    let mut echo = [0u8; 4];
    tokio::time::timeout(STEP, tcp.read_exact(&mut echo))
        .await
        .expect("the echo in time")
        .expect("read");
    assert_eq!(echo, [0x81, 2, b'h', b'i']);
    tcp
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_open_connection_costs_a_few_kib() {
    let server = EchoServer::start(EchoConfig::default())
        .await
        .expect("echo server starts on 127.0.0.1:0");
    // Warm up the runtime, the server and the allocator with a first batch.
    let warm: Vec<_> =
        futures_util::future::join_all((0..50).map(|_| open_and_echo(&server))).await;
    drop(warm);
    let before = rss_bytes();
    let mut open = Vec::with_capacity(CONNECTIONS);
    for _ in 0..CONNECTIONS {
        open.push(open_and_echo(&server).await);
    }
    let per_connection = rss_bytes().saturating_sub(before) / CONNECTIONS as u64;
    eprintln!("{per_connection} bytes per open connection");
    assert!(
        per_connection <= MAX_BYTES_PER_CONNECTION,
        "{per_connection} bytes per open connection"
    );
    drop(open);
    server.shutdown().await;
}
