//! Every endpoint over real `ws://` connections on 127.0.0.1, driven by the tokio-tungstenite
//! client (and by a raw TCP client where the exact bytes on the wire matter).

use std::future::Future;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::handshake::client::Response;
use tokio_tungstenite::tungstenite::http::{HeaderName, HeaderValue};
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Bytes, Error as WsError, Message};
use tokio_tungstenite::{WebSocketStream, client_async};
use wsdeck_echo::{EchoConfig, EchoError, EchoServer};

type Client = WebSocketStream<TcpStream>;

/// Bounds every network step so a regression fails the test instead of hanging it.
async fn within<T>(what: &str, fut: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(10), fut)
        .await
        .unwrap_or_else(|_| panic!("timed out: {what}"))
}

async fn start() -> EchoServer {
    EchoServer::start(EchoConfig::default())
        .await
        .expect("echo server starts on 127.0.0.1:0")
}

async fn try_connect(
    server: &EchoServer,
    path: &str,
    headers: &[(&str, &str)],
) -> Result<(Client, Response), WsError> {
    let mut request = server.url(path).into_client_request()?;
    for (name, value) in headers {
        request.headers_mut().append(
            HeaderName::from_bytes(name.as_bytes()).expect("test header name"),
            HeaderValue::from_str(value).expect("test header value"),
        );
    }
    let tcp = TcpStream::connect(server.local_addr()).await?;
    client_async(request, tcp).await
}

async fn connect(server: &EchoServer, path: &str) -> Client {
    within(path, try_connect(server, path, &[]))
        .await
        .unwrap_or_else(|e| panic!("connect to {path}: {e}"))
        .0
}

async fn next(client: &mut Client) -> Message {
    within("next message", client.next())
        .await
        .expect("stream still open")
        .expect("message without error")
}

/// A raw handshake response: status, lowercase header names, body.
#[derive(Debug)]
struct Raw {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Raw {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// What [`raw_request`] reads after a `101` head.
#[derive(Debug, Clone, Copy)]
enum After101 {
    /// Nothing (the server keeps the connection open).
    Nothing,
    /// At least this many bytes.
    AtLeast(usize),
    /// Everything until the server closes.
    Eof,
}

/// Sends an upgrade request by hand and reads the response: the head, then for non-101
/// answers the body until the server closes, for 101 what `after` says.
async fn raw_request(
    server: &EchoServer,
    target: &str,
    extra_headers: &str,
    upgrade: bool,
    after: After101,
) -> Raw {
    within(target, async {
        let mut tcp = TcpStream::connect(server.local_addr())
            .await
            .expect("tcp connect");
        let upgrade_headers = if upgrade {
            "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        } else {
            ""
        };
        let request = format!(
            "GET {target} HTTP/1.1\r\nHost: {}\r\n{upgrade_headers}{extra_headers}\r\n",
            server.local_addr()
        );
        tcp.write_all(request.as_bytes()).await.expect("write");
        let mut buf = Vec::new();
        let head_end = loop {
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            let mut chunk = [0u8; 4096];
            let n = tcp.read(&mut chunk).await.expect("read head");
            assert!(n > 0, "connection closed before the response head");
            buf.extend_from_slice(&chunk[..n]);
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
        let mut lines = head.split("\r\n");
        let status_line = lines.next().expect("status line");
        let status = status_line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .expect("status code");
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        let mut body = buf[head_end..].to_vec();
        match (status, after) {
            (101, After101::Nothing) => {}
            (101, After101::AtLeast(n)) => {
                while body.len() < n {
                    let mut chunk = [0u8; 4096];
                    let got = tcp.read(&mut chunk).await.expect("read frames");
                    assert!(got > 0, "connection closed after {} bytes", body.len());
                    body.extend_from_slice(&chunk[..got]);
                }
            }
            _ => {
                tcp.read_to_end(&mut body).await.expect("read body");
            }
        }
        Raw {
            status,
            headers,
            body,
        }
    })
    .await
}

async fn raw(server: &EchoServer, target: &str) -> Raw {
    raw_request(server, target, "", true, After101::Nothing).await
}

fn close_of(message: Message) -> (u16, String) {
    match message {
        Message::Close(Some(CloseFrame { code, reason })) => (code.into(), reason.to_string()),
        other => panic!("expected a close frame, got {other:?}"),
    }
}

#[tokio::test]
async fn echo_returns_text_and_binary_and_echoes_the_close_code() {
    let server = start().await;
    let mut ws = connect(&server, "/echo").await;
    ws.send(Message::text("hello")).await.expect("send text");
    assert_eq!(next(&mut ws).await, Message::text("hello"));
    ws.send(Message::binary(vec![0u8, 1, 2, 255]))
        .await
        .expect("send binary");
    assert_eq!(next(&mut ws).await, Message::binary(vec![0u8, 1, 2, 255]));
    ws.send(Message::Ping(Bytes::from_static(b"p")))
        .await
        .expect("send ping");
    assert_eq!(next(&mut ws).await, Message::Pong(Bytes::from_static(b"p")));
    ws.send(Message::Close(Some(CloseFrame {
        code: CloseCode::from(4001),
        reason: "done".into(),
    })))
    .await
    .expect("send close");
    assert_eq!(close_of(next(&mut ws).await), (4001, "done".to_owned()));
    assert!(
        within("end", ws.next()).await.is_none(),
        "stream ends after close"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn root_and_unknown_paths_echo() {
    let server = start().await;
    for path in ["/", "/no-such-endpoint?x=1"] {
        let mut ws = connect(&server, path).await;
        ws.send(Message::text(path)).await.expect("send");
        assert_eq!(next(&mut ws).await, Message::text(path));
    }
    server.shutdown().await;
}

#[tokio::test]
async fn pipelined_messages_are_all_echoed_in_order() {
    let server = start().await;
    let mut ws = connect(&server, "/echo").await;
    for i in 0..1000 {
        ws.feed(Message::text(i.to_string())).await.expect("feed");
    }
    ws.flush().await.expect("flush");
    for i in 0..1000 {
        assert_eq!(next(&mut ws).await, Message::text(i.to_string()));
    }
    server.shutdown().await;
}

#[tokio::test]
async fn small_and_large_pipelined_messages_are_echoed_in_order_and_whole() {
    let server = start().await;
    let mut ws = connect(&server, "/echo").await;
    // Large ones are written straight to the socket, small ones through tungstenite's buffer.
    let large_text = "t".repeat(300_000);
    let large_binary: Vec<u8> = (0..200_000).map(|i| (i % 251) as u8).collect();
    let sent = [
        Message::text("a"),
        Message::text(large_text.clone()),
        Message::binary(vec![1u8, 2]),
        Message::binary(large_binary.clone()),
        Message::text("b"),
        Message::binary(large_binary),
        Message::text(large_text),
        Message::text("c"),
    ];
    for message in &sent {
        ws.feed(message.clone()).await.expect("feed");
    }
    ws.flush().await.expect("flush");
    for message in sent {
        assert!(
            next(&mut ws).await == message,
            "echoed out of order or altered"
        );
    }
    server.shutdown().await;
}

#[tokio::test]
async fn subprotocol_is_the_first_offered_one_the_server_supports() {
    let server = start().await;
    let (_ws, response) = within(
        "subprotocol",
        try_connect(
            &server,
            "/echo",
            &[("Sec-WebSocket-Protocol", "nope, graphql-ws, chat")],
        ),
    )
    .await
    .expect("handshake with a supported subprotocol");
    assert_eq!(
        response
            .headers()
            .get("sec-websocket-protocol")
            .and_then(|v| v.to_str().ok()),
        Some("graphql-ws")
    );

    // None supported: 101 without any Sec-WebSocket-Protocol header.
    let raw = raw_request(
        &server,
        "/echo",
        "Sec-WebSocket-Protocol: nope, CHAT\r\n",
        true,
        After101::Nothing,
    )
    .await;
    assert_eq!(raw.status, 101);
    assert_eq!(raw.header("sec-websocket-protocol"), None);

    // Custom list from the config.
    let custom = EchoServer::start(EchoConfig {
        subprotocols: vec!["mine".to_owned()],
        ..EchoConfig::default()
    })
    .await
    .expect("start");
    let raw = raw_request(
        &custom,
        "/",
        "Sec-WebSocket-Protocol: chat\r\nSec-WebSocket-Protocol: mine\r\n",
        true,
        After101::Nothing,
    )
    .await;
    assert_eq!(raw.header("sec-websocket-protocol"), Some("mine"));
    server.shutdown().await;
    custom.shutdown().await;
}

#[tokio::test]
async fn burst_sends_count_messages_then_closes() {
    let server = start().await;
    let mut ws = connect(&server, "/burst?count=5&size=7&close=1").await;
    for _ in 0..5 {
        assert_eq!(next(&mut ws).await, Message::text("xxxxxxx"));
    }
    assert_eq!(
        close_of(next(&mut ws).await),
        (1000, "burst done".to_owned())
    );
    assert!(within("end", ws.next()).await.is_none());

    let mut ws = connect(&server, "/burst").await;
    for _ in 0..10 {
        assert_eq!(next(&mut ws).await, Message::text("x".repeat(32)));
    }
    ws.send(Message::text("after")).await.expect("send");
    assert_eq!(next(&mut ws).await, Message::text("after"));
    server.shutdown().await;
}

#[tokio::test]
async fn binary_burst_without_close_keeps_echoing() {
    let server = start().await;
    let mut ws = connect(&server, "/burst?count=3&size=4&binary=1").await;
    for _ in 0..3 {
        assert_eq!(next(&mut ws).await, Message::binary(b"xxxx".to_vec()));
    }
    ws.send(Message::text("still here")).await.expect("send");
    assert_eq!(next(&mut ws).await, Message::text("still here"));
    server.shutdown().await;
}

#[tokio::test]
async fn burst_above_the_cap_is_refused_with_400() {
    let server = start().await;
    let raw = raw(&server, "/burst?count=100000000&size=100").await;
    assert_eq!(raw.status, 400);
    assert!(raw.body_text().contains("`count`"), "{}", raw.body_text());
    server.shutdown().await;
}

#[tokio::test]
async fn redirect_answers_with_status_and_location() {
    let server = start().await;
    let raw1 = raw(&server, "/redirect?to=/echo&status=307").await;
    assert_eq!(raw1.status, 307);
    assert_eq!(raw1.header("location"), Some("/echo"));

    let raw2 = raw(&server, "/redirect?to=ws%3A%2F%2F127.0.0.1%3A1%2Fx").await;
    assert_eq!(raw2.status, 302);
    assert_eq!(raw2.header("location"), Some("ws://127.0.0.1:1/x"));

    // What a tungstenite client sees: an HTTP error carrying the status and Location.
    match within("redirect", try_connect(&server, "/redirect", &[])).await {
        Err(WsError::Http(response)) => {
            assert_eq!(response.status().as_u16(), 302);
            assert_eq!(
                response.headers().get("location").map(|v| v.as_bytes()),
                Some(&b"/echo"[..])
            );
        }
        other => panic!("expected a 302, got {other:?}"),
    }

    let bad = raw(&server, "/redirect?status=200").await;
    assert_eq!(bad.status, 400);
    assert!(bad.body_text().contains("`status`"));
    server.shutdown().await;
}

#[tokio::test]
async fn redirect_chain_takes_n_hops_then_reaches_the_target() {
    let server = start().await;
    let mut target = "/redirect-chain?n=3&to=%2Fheaders".to_owned();
    let mut hops = 0;
    loop {
        let raw = raw(&server, &target).await;
        if raw.status == 101 {
            break;
        }
        assert_eq!(raw.status, 302, "hop {hops} to {target}");
        target = raw.header("location").expect("Location").to_owned();
        hops += 1;
        assert!(hops <= 3, "too many hops");
    }
    assert_eq!(hops, 3);
    assert_eq!(target, "/headers");

    let looped = raw(&server, "/redirect-loop").await;
    assert_eq!(looped.status, 302);
    assert_eq!(looped.header("location"), Some("/redirect-loop"));
    let again = raw(&server, "/redirect-loop").await;
    assert_eq!(again.header("location"), Some("/redirect-loop"));
    server.shutdown().await;
}

#[tokio::test]
async fn auth_answers_401_without_the_header_and_101_with_it() {
    let server = start().await;
    let missing = raw(&server, "/auth").await;
    assert_eq!(missing.status, 401);
    assert_eq!(missing.header("www-authenticate"), Some("Bearer"));
    assert!(
        missing.body_text().contains("Authorization is missing"),
        "{}",
        missing.body_text()
    );

    let wrong = raw_request(
        &server,
        "/auth",
        "Authorization: Bearer other\r\n",
        true,
        After101::Nothing,
    )
    .await;
    assert_eq!(wrong.status, 401);
    assert!(wrong.body_text().contains("wrong value"));

    let (mut ws, response) = within(
        "auth",
        try_connect(&server, "/auth", &[("Authorization", "Bearer wsdeck")]),
    )
    .await
    .expect("authorized handshake");
    assert_eq!(response.status().as_u16(), 101);
    ws.send(Message::text("in")).await.expect("send");
    assert_eq!(next(&mut ws).await, Message::text("in"));

    let custom = "/auth?name=X-Api-Key&value=s3cret%20k";
    assert!(
        within(
            "custom auth",
            try_connect(&server, custom, &[("X-Api-Key", "s3cret k")])
        )
        .await
        .is_ok()
    );
    match within("custom auth", try_connect(&server, custom, &[])).await {
        Err(WsError::Http(response)) => assert_eq!(response.status().as_u16(), 401),
        other => panic!("expected 401, got {other:?}"),
    }
    server.shutdown().await;
}

#[tokio::test]
async fn status_answers_the_requested_code_with_a_body() {
    let server = start().await;
    let raw503 = raw(&server, "/status?code=503").await;
    assert_eq!(raw503.status, 503);
    assert_eq!(raw503.body_text(), "wsdeck echo: status 503 requested\n");
    assert_eq!(
        raw503.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    match within("status", try_connect(&server, "/status?code=418", &[])).await {
        Err(WsError::Http(response)) => assert_eq!(response.status().as_u16(), 418),
        other => panic!("expected 418, got {other:?}"),
    }
    let bad = raw(&server, "/status?code=302").await;
    assert_eq!(bad.status, 400);
    assert!(bad.body_text().contains("`code`"));
    server.shutdown().await;
}

#[tokio::test]
async fn headers_sends_the_request_headers_as_json() {
    let server = start().await;
    let (mut ws, _) = within(
        "headers",
        try_connect(
            &server,
            "/headers",
            &[("X-Test", "a b"), ("X-Multi", "1"), ("X-Multi", "2")],
        ),
    )
    .await
    .expect("handshake");
    let Message::Text(json) = next(&mut ws).await else {
        panic!("expected a text message");
    };
    let value: serde_json::Value = serde_json::from_str(json.as_str()).expect("valid JSON");
    assert_eq!(value["x-test"], "a b");
    assert_eq!(value["x-multi"], "1, 2");
    assert_eq!(value["upgrade"], "websocket");
    assert_eq!(value["host"], server.local_addr().to_string());
    assert!(value["sec-websocket-key"].is_string());
    ws.send(Message::text("then echo")).await.expect("send");
    assert_eq!(next(&mut ws).await, Message::text("then echo"));
    server.shutdown().await;
}

#[tokio::test]
async fn close_endpoint_closes_with_code_and_reason() {
    let server = start().await;
    let mut ws = connect(&server, "/close?code=4000&reason=bye").await;
    assert_eq!(close_of(next(&mut ws).await), (4000, "bye".to_owned()));
    assert!(within("end", ws.next()).await.is_none());

    // With a delay the connection echoes until the close.
    let mut ws = connect(&server, "/close?code=1001&reason=later&after_ms=300").await;
    ws.send(Message::text("before")).await.expect("send");
    assert_eq!(next(&mut ws).await, Message::text("before"));
    assert_eq!(close_of(next(&mut ws).await), (1001, "later".to_owned()));

    let bad = raw(&server, "/close?code=1005").await;
    assert_eq!(bad.status, 400);
    assert!(bad.body_text().contains("`code`"));
    server.shutdown().await;
}

#[tokio::test]
async fn ping_endpoint_sends_pings_and_counts_pongs() {
    let server = start().await;
    let mut ws = connect(&server, "/ping?count=3&interval_ms=10&payload=hi").await;
    for _ in 0..3 {
        assert_eq!(
            next(&mut ws).await,
            Message::Ping(Bytes::from_static(b"hi"))
        );
    }
    // The client answers pings while reading; this round trip flushes the last pong.
    ws.send(Message::text("echo")).await.expect("send");
    assert_eq!(next(&mut ws).await, Message::text("echo"));
    within("pongs counted", async {
        while server.stats().pongs < 3 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
    assert_eq!(server.stats().pongs, 3);
    server.shutdown().await;
}

#[tokio::test]
async fn invalid_utf8_text_frame_fails_the_client_read() {
    let server = start().await;
    let mut ws = connect(&server, "/invalid-utf8").await;
    match within("invalid utf8", ws.next()).await {
        Some(Err(WsError::Utf8(_))) => {}
        other => panic!("expected a UTF-8 error, got {other:?}"),
    }
    // On the wire: one final text frame with exactly those 20 bytes.
    let raw = raw_request(&server, "/invalid-utf8", "", true, After101::AtLeast(22)).await;
    assert_eq!(raw.status, 101);
    assert!(raw.body.len() >= 22, "{:?}", raw.body);
    assert_eq!(raw.body[..2], [0x81, 20]);
    assert_eq!(
        raw.body[2..22],
        [
            0xce, 0xba, 0xe1, 0xbd, 0xb9, 0xcf, 0x83, 0xce, 0xbc, 0xce, 0xb5, 0xed, 0xa0, 0x80,
            0x65, 0x64, 0x69, 0x74, 0x65, 0x64
        ]
    );
    server.shutdown().await;
}

#[tokio::test]
async fn vanish_writes_half_a_frame_then_drops_the_connection() {
    let server = start().await;
    let raw = raw_request(&server, "/vanish?size=1000", "", true, After101::Eof).await;
    assert_eq!(raw.status, 101);
    let mut expected = vec![0x82, 126, 0x03, 0xe8];
    expected.extend(std::iter::repeat_n(b'v', 500));
    assert_eq!(raw.body, expected, "header + half the payload, then EOF");

    let mut ws = connect(&server, "/vanish").await;
    match within("vanish", ws.next()).await {
        Some(Err(_)) | None => {}
        Some(Ok(message)) => panic!("expected the server to vanish, got {message:?}"),
    }
    server.shutdown().await;
}

#[tokio::test]
async fn big_sends_one_binary_message_of_the_requested_size() {
    let server = start().await;
    let mut ws = connect(&server, "/big?size=300000").await;
    match next(&mut ws).await {
        Message::Binary(data) => assert_eq!(data.len(), 300_000),
        other => panic!("expected binary, got {other:?}"),
    }
    ws.send(Message::text("after")).await.expect("send");
    assert_eq!(next(&mut ws).await, Message::text("after"));
    server.shutdown().await;
}

/// Regression: a message over `max_message_size` used to end the connection at once, with
/// the rest of the message unread, so the kernel reset it: the client's write failed and the
/// close frame saying why was lost. Now the server answers close 1009 naming the limit and
/// keeps reading (discarding) until the client has written it all.
#[tokio::test]
async fn oversize_message_gets_close_1009_naming_the_limit() {
    let server = EchoServer::start(EchoConfig {
        max_message_size: Some(1024),
        ..EchoConfig::default()
    })
    .await
    .expect("echo server starts on 127.0.0.1:0");
    // `/close` with a long delay reads through `echo_until`, `/echo` through `echo`.
    for path in ["/echo", "/close?after_ms=60000"] {
        let mut ws = connect(&server, path).await;
        ws.send(Message::binary(vec![b'y'; 1024]))
            .await
            .expect("send a message at the limit");
        assert_eq!(next(&mut ws).await, Message::binary(vec![b'y'; 1024]));
        // Far more than socket buffers hold, so the server must keep reading for the write
        // to complete.
        within(
            "oversize send",
            ws.send(Message::binary(vec![b'x'; 8 << 20])),
        )
        .await
        .unwrap_or_else(|e| panic!("{path}: the whole oversize message is written: {e}"));
        let (code, reason) = close_of(next(&mut ws).await);
        assert_eq!(code, 1009, "{path}: {reason}");
        assert!(reason.contains("1024 bytes"), "{path}: {reason:?}");
    }

    // The server still serves new connections.
    let mut ws = connect(&server, "/echo").await;
    ws.send(Message::text("still here")).await.expect("send");
    assert_eq!(next(&mut ws).await, Message::text("still here"));
    server.shutdown().await;
}

#[tokio::test]
async fn slow_handshake_delays_the_answer() {
    let server = start().await;
    let quick = tokio::time::timeout(
        Duration::from_millis(100),
        try_connect(&server, "/slow-handshake?ms=5000", &[]),
    )
    .await;
    assert!(
        quick.is_err(),
        "the handshake must not finish within 100 ms"
    );

    let started = std::time::Instant::now();
    let mut ws = connect(&server, "/slow-handshake?ms=300").await;
    assert!(started.elapsed() >= Duration::from_millis(300));
    ws.send(Message::text("late")).await.expect("send");
    assert_eq!(next(&mut ws).await, Message::text("late"));

    let bad = raw(&server, "/slow-handshake?ms=forever").await;
    assert_eq!(bad.status, 400);
    assert!(bad.body_text().contains("`ms`"));
    server.shutdown().await;
}

#[tokio::test]
async fn bad_query_values_are_refused_naming_the_parameter() {
    let server = start().await;
    for (target, param) in [
        ("/burst?count=ten", "`count`"),
        ("/burst?size=1&size=2", "`size`"),
        ("/ping?interval_ms=-1", "`interval_ms`"),
        ("/big?size=99999999999", "`size`"),
        ("/redirect-chain?n=0", "`n`"),
        ("/auth?name=bad%20name", "`name`"),
    ] {
        let raw = raw(&server, target).await;
        assert_eq!(raw.status, 400, "{target}");
        assert!(
            raw.body_text().contains(param),
            "{target}: {}",
            raw.body_text()
        );
    }
    server.shutdown().await;
}

#[tokio::test]
async fn plain_http_gets_426_upgrade_required() {
    let server = start().await;
    let raw = raw_request(&server, "/echo", "", false, After101::Nothing).await;
    assert_eq!(raw.status, 426);
    assert_eq!(raw.header("upgrade"), Some("websocket"));
    assert!(raw.body_text().contains("WebSocket endpoint"));
    server.shutdown().await;
}

#[tokio::test]
async fn stats_count_connections_upgrades_and_rejections() {
    let server = start().await;
    let _ws = connect(&server, "/echo").await;
    let _ = raw(&server, "/status?code=500").await;
    let _ = raw_request(&server, "/", "", false, After101::Nothing).await;
    let stats = server.stats();
    assert_eq!(stats.connections, 3);
    assert_eq!(stats.upgrades, 1);
    assert_eq!(stats.rejections, 2);
    server.shutdown().await;
}

#[tokio::test]
async fn shutdown_drops_live_connections_and_stops_listening() {
    let server = start().await;
    let addr = server.local_addr();
    let mut ws = connect(&server, "/echo").await;
    server.shutdown().await;
    match within("dropped", ws.next()).await {
        None | Some(Err(_)) => {}
        Some(Ok(message)) => panic!("expected the connection to be gone, got {message:?}"),
    }
    assert!(TcpStream::connect(addr).await.is_err(), "listener closed");
}

#[tokio::test]
async fn url_and_config_errors() {
    let server = start().await;
    let port = server.local_addr().port();
    assert_eq!(server.url("/echo"), format!("ws://127.0.0.1:{port}/echo"));
    assert_eq!(
        server.url("burst?count=1"),
        format!("ws://127.0.0.1:{port}/burst?count=1")
    );
    assert_eq!(server.ca_pem(), None);

    let taken = EchoServer::start(EchoConfig {
        bind: server.local_addr(),
        ..EchoConfig::default()
    })
    .await;
    assert!(matches!(taken, Err(EchoError::Bind { .. })), "{taken:?}");

    let bad_proto = EchoServer::start(EchoConfig {
        subprotocols: vec!["has space".to_owned()],
        ..EchoConfig::default()
    })
    .await;
    assert!(matches!(bad_proto, Err(EchoError::InvalidConfig(_))));

    let ca_without_tls = EchoServer::start(EchoConfig {
        client_ca: Some("ca.pem".into()),
        ..EchoConfig::default()
    })
    .await;
    assert!(matches!(ca_without_tls, Err(EchoError::InvalidConfig(_))));
    server.shutdown().await;
}

#[tokio::test]
async fn ipv6_loopback_url_is_bracketed() {
    let Ok(server) = EchoServer::start(EchoConfig {
        bind: "[::1]:0".parse().expect("addr"),
        ..EchoConfig::default()
    })
    .await
    else {
        // No IPv6 loopback on this machine; nothing to check.
        return;
    };
    let port = server.local_addr().port();
    assert_eq!(server.url("/"), format!("ws://[::1]:{port}/"));
    let mut ws = connect(&server, "/").await;
    ws.send(Message::text("v6")).await.expect("send");
    assert_eq!(next(&mut ws).await, Message::text("v6"));
    server.shutdown().await;
}
