//! What a connection that echoed one large message keeps while it stays open, in bytes
//! (this process's resident memory, the server in process, raw clients). Alone in its test
//! binary, so no other test allocates meanwhile.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use wsdeck_echo::{EchoConfig, EchoServer};

const STEP: Duration = Duration::from_secs(10);
const CONNECTIONS: usize = 16;
const MESSAGE: usize = 1 << 20;

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

/// An upgraded connection to `/echo` that has sent one `MESSAGE`-byte binary message and
/// read its echo (checking every byte).
async fn open_and_echo_big(server: &EchoServer) -> TcpStream {
    let mut tcp = TcpStream::connect(server.local_addr())
        .await
        .expect("connect");
    let request = format!(
        "GET /echo HTTP/1.1\r\nHost: {}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\
         Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
        server.local_addr()
    );
    tcp.write_all(request.as_bytes()).await.expect("write");
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        let mut byte = [0u8; 1];
        tokio::time::timeout(STEP, tcp.read_exact(&mut byte))
            .await
            .expect("the answer in time")
            .expect("read");
        head.push(byte[0]);
    }
    assert!(head.starts_with(b"HTTP/1.1 101"));
    let payload: Vec<u8> = (0..MESSAGE).map(|i| (i % 251) as u8).collect();
    // Binary, FIN, a 64-bit length, a zero mask (so the payload goes as is).
    let mut frame = vec![0x82, 0x80 | 127];
    frame.extend_from_slice(&(MESSAGE as u64).to_be_bytes());
    frame.extend_from_slice(&[0, 0, 0, 0]);
    frame.extend_from_slice(&payload);
    tcp.write_all(&frame).await.expect("write");
    let mut header = [0u8; 10];
    tokio::time::timeout(STEP, tcp.read_exact(&mut header))
        .await
        .expect("the echo in time")
        .expect("read");
    assert_eq!(header[..2], [0x82, 127], "one unfragmented binary frame");
    assert_eq!(
        u64::from_be_bytes(header[2..].try_into().expect("8 bytes")),
        MESSAGE as u64
    );
    let mut echoed = vec![0u8; MESSAGE];
    tokio::time::timeout(STEP, tcp.read_exact(&mut echoed))
        .await
        .expect("the echo in time")
        .expect("read");
    assert!(echoed == payload, "the echo is the message");
    tcp
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_echoed_large_message_is_kept_once_not_twice() {
    let server = EchoServer::start(EchoConfig::default())
        .await
        .expect("echo server starts on 127.0.0.1:0");
    let warm = open_and_echo_big(&server).await;
    drop(warm);
    let before = rss_bytes();
    let mut open = Vec::with_capacity(CONNECTIONS);
    for _ in 0..CONNECTIONS {
        open.push(open_and_echo_big(&server).await);
    }
    let per_connection = rss_bytes().saturating_sub(before) / CONNECTIONS as u64;
    eprintln!("{per_connection} bytes per open connection after a {MESSAGE}-byte echo");
    // The read buffer keeps the largest frame read (tungstenite reuses it); the echo must not
    // keep a second copy in a write buffer.
    assert!(
        per_connection <= (MESSAGE + MESSAGE / 2) as u64,
        "{per_connection} bytes per open connection"
    );
    drop(open);
    server.shutdown().await;
}
