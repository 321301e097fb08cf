//! The echo server fails broken connections with the close code that names the reason
//! (1002 protocol errors, 1007 invalid UTF-8, 1009 too large) and answers a client's close
//! with the same code before it ends the TCP connection. Driven by a raw client writing
//! hand-made frames on 127.0.0.1.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use wsdeck_echo::{EchoConfig, EchoServer};

const STEP: Duration = Duration::from_secs(10);

/// A client that writes frames byte by byte as the test spells them.
struct RawClient {
    tcp: TcpStream,
    /// Bytes read but not yet taken as frames.
    read: Vec<u8>,
}

/// A masked client frame: `first` is the whole first byte (FIN, RSV1-3, opcode).
fn masked(first: u8, payload: &[u8]) -> Vec<u8> {
    let mask = [0x37, 0xfa, 0x21, 0x3d];
    let mut frame = vec![first];
    push_length(&mut frame, 0x80, payload.len());
    frame.extend_from_slice(&mask);
    frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
    frame
}

/// The same frame without a mask, which a server must refuse.
fn unmasked(first: u8, payload: &[u8]) -> Vec<u8> {
    let mut frame = vec![first];
    push_length(&mut frame, 0, payload.len());
    frame.extend_from_slice(payload);
    frame
}

fn push_length(frame: &mut Vec<u8>, mask_bit: u8, len: usize) {
    if len < 126 {
        frame.push(mask_bit | len as u8);
    } else if let Ok(len) = u16::try_from(len) {
        frame.push(mask_bit | 126);
        frame.extend_from_slice(&len.to_be_bytes());
    } else {
        frame.push(mask_bit | 127);
        frame.extend_from_slice(&(len as u64).to_be_bytes());
    }
}

/// A close frame's payload: the code, then the reason's bytes.
fn close_payload(code: u16, reason: &[u8]) -> Vec<u8> {
    let mut payload = code.to_be_bytes().to_vec();
    payload.extend_from_slice(reason);
    payload
}

impl RawClient {
    async fn connect(server: &EchoServer, path: &str) -> RawClient {
        let mut tcp = TcpStream::connect(server.local_addr())
            .await
            .expect("connect");
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\
             Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
            server.local_addr()
        );
        tcp.write_all(request.as_bytes()).await.expect("write");
        let mut client = RawClient {
            tcp,
            read: Vec::new(),
        };
        let head_end = loop {
            if let Some(i) = client.read.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            let have = client.read.len();
            assert!(client.fill(have + 1).await, "closed before the answer");
        };
        let head = String::from_utf8_lossy(&client.read[..head_end]).into_owned();
        assert!(head.starts_with("HTTP/1.1 101"), "{head}");
        client.read.drain(..head_end);
        client
    }

    async fn write(&mut self, bytes: &[u8]) {
        self.tcp.write_all(bytes).await.expect("write frame");
    }

    /// Reads until `read` holds `n` bytes; `false` when the server closed first.
    async fn fill(&mut self, n: usize) -> bool {
        while self.read.len() < n {
            let mut chunk = [0u8; 4096];
            let got = tokio::time::timeout(STEP, self.tcp.read(&mut chunk))
                .await
                .expect("the server answers in time")
                .unwrap_or(0);
            if got == 0 {
                return false;
            }
            self.read.extend_from_slice(&chunk[..got]);
        }
        true
    }

    /// The next server frame: its first byte and payload; `None` at the end of the stream.
    async fn frame(&mut self) -> Option<(u8, Vec<u8>)> {
        if !self.fill(2).await {
            return None;
        }
        assert_eq!(self.read[1] & 0x80, 0, "server frames are not masked");
        let (len, header) = match self.read[1] & 0x7f {
            126 => {
                assert!(self.fill(4).await, "frame header");
                (u16::from_be_bytes([self.read[2], self.read[3]]) as usize, 4)
            }
            127 => {
                assert!(self.fill(10).await, "frame header");
                let bytes: [u8; 8] = self.read[2..10].try_into().expect("8 bytes");
                (u64::from_be_bytes(bytes) as usize, 10)
            }
            n => (n as usize, 2),
        };
        assert!(self.fill(header + len).await, "frame payload");
        let first = self.read[0];
        let payload = self.read[header..header + len].to_vec();
        self.read.drain(..header + len);
        Some((first, payload))
    }

    /// Skips data frames up to the server's close frame: its code (`None` for an empty close
    /// payload) and reason.
    async fn close_frame(&mut self) -> (Option<u16>, String) {
        loop {
            let (first, payload) = self
                .frame()
                .await
                .expect("a close frame before the connection ends");
            if first & 0x0f != 0x8 {
                continue;
            }
            if payload.is_empty() {
                return (None, String::new());
            }
            let code = u16::from_be_bytes([payload[0], payload[1]]);
            let reason = String::from_utf8(payload[2..].to_vec()).expect("UTF-8 reason");
            return (Some(code), reason);
        }
    }

    /// Whether the server ends the TCP connection (after its close frame) in time.
    async fn ends(&mut self) -> bool {
        self.frame().await.is_none()
    }
}

async fn start() -> EchoServer {
    EchoServer::start(EchoConfig::default())
        .await
        .expect("echo server starts on 127.0.0.1:0")
}

#[tokio::test]
async fn protocol_errors_are_answered_with_close_1002_on_every_endpoint() {
    let server = start().await;
    let text = b"hi";
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("RSV1 set", masked(0x80 | 0x40 | 0x1, text)),
        ("RSV2 set", masked(0x80 | 0x20 | 0x2, text)),
        ("reserved data opcode 0x3", masked(0x83, text)),
        ("reserved control opcode 0xb", masked(0x8b, b"")),
        ("unmasked client frame", unmasked(0x81, text)),
        ("fragmented ping", masked(0x09, b"p")),
        ("ping of 126 bytes", masked(0x89, &[b'p'; 126])),
        ("continuation with nothing to continue", masked(0x80, text)),
        ("new message inside a fragmented one", {
            let mut both = masked(0x01, b"a");
            both.extend(masked(0x82, b"b"));
            both
        }),
        ("close with a 1-byte payload", masked(0x88, &[0x03])),
        (
            "close code 1006 sent on the wire",
            masked(0x88, &close_payload(1006, b"")),
        ),
    ];
    for path in ["/echo", "/ping?count=1&interval_ms=1", "/stream?rate=1"] {
        for (what, frames) in &cases {
            let mut client = RawClient::connect(&server, path).await;
            client.write(frames).await;
            let (code, reason) = client.close_frame().await;
            assert_eq!(code, Some(1002), "{path}, {what}: {reason}");
            assert!(
                reason.starts_with("protocol error") || reason == "Protocol violation",
                "{path}, {what}: {reason}"
            );
            assert!(client.ends().await, "{path}, {what}: the connection ends");
        }
    }
    server.shutdown().await;
}

#[tokio::test]
async fn invalid_utf8_is_answered_with_close_1007() {
    let server = start().await;
    // A UTF-16 surrogate encoded in UTF-8, which UTF-8 forbids.
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("text frame", masked(0x81, b"ab\xed\xa0\x80cd")),
        ("second fragment of a text message", {
            let mut both = masked(0x01, b"ab");
            both.extend(masked(0x80, b"\xff"));
            both
        }),
        (
            "close reason",
            masked(0x88, &close_payload(1000, b"\xc3\x28")),
        ),
    ];
    for (what, frames) in cases {
        let mut client = RawClient::connect(&server, "/echo").await;
        client.write(&frames).await;
        let (code, reason) = client.close_frame().await;
        assert_eq!(code, Some(1007), "{what}: {reason}");
        assert!(client.ends().await, "{what}: the connection ends");
    }
    // The same bytes as binary are echoed.
    let mut client = RawClient::connect(&server, "/echo").await;
    client.write(&masked(0x82, b"ab\xed\xa0\x80cd")).await;
    assert_eq!(
        client.frame().await,
        Some((0x82, b"ab\xed\xa0\x80cd".to_vec()))
    );
    server.shutdown().await;
}

#[tokio::test]
async fn a_clients_close_is_answered_with_its_code_before_the_connection_ends() {
    let server = start().await;
    for (code, reason) in [(1000, "bye"), (1001, ""), (4001, "custom code")] {
        let mut client = RawClient::connect(&server, "/echo").await;
        client
            .write(&masked(0x88, &close_payload(code, reason.as_bytes())))
            .await;
        assert_eq!(client.close_frame().await, (Some(code), reason.to_owned()));
        assert!(client.ends().await, "{code}: the connection ends");
    }
    let mut client = RawClient::connect(&server, "/echo").await;
    client.write(&masked(0x88, b"")).await;
    assert_eq!(client.close_frame().await, (None, String::new()));
    assert!(client.ends().await);
    server.shutdown().await;
}
