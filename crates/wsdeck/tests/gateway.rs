//! Black-box tests of `wsdeck serve`: the real binary on 127.0.0.1, driven by a
//! tokio-tungstenite client, against a `wsdeck-echo` server on 127.0.0.1. Every test runs
//! under a wall-clock guard and the gateway process is killed when the test ends.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use wsdeck_echo::{EchoConfig, EchoServer};

const BIN: &str = env!("CARGO_BIN_EXE_wsdeck");
const GUARD: Duration = Duration::from_secs(40);
const STEP: Duration = Duration::from_secs(10);

type Ws = WebSocketStream<TcpStream>;

/// A running `wsdeck serve`, killed on drop.
struct Gateway {
    child: Child,
    port: u16,
    token: String,
}

impl Gateway {
    fn spawn() -> Gateway {
        Gateway::spawn_with(&[])
    }

    fn spawn_with(extra: &[&str]) -> Gateway {
        Gateway::spawn_command(Command::new(BIN), extra)
    }

    /// `wsdeck serve` with its open-file limit (soft and hard) set to `open_files`.
    fn spawn_with_open_file_limit(open_files: u32) -> Gateway {
        let mut shell = Command::new("sh");
        shell
            .arg("-c")
            .arg(format!("ulimit -n {open_files} && exec \"$0\" \"$@\""))
            .arg(BIN);
        Gateway::spawn_command(shell, &[])
    }

    fn spawn_command(mut command: Command, extra: &[&str]) -> Gateway {
        let mut child = command
            .args([
                "serve",
                "--port",
                "0",
                "--grant",
                "endowment:network-access",
            ])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("wsdeck serve starts");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx
            .recv_timeout(STEP)
            .expect("wsdeck serve prints its URL line");
        let url = line
            .trim()
            .strip_prefix("wsdeck gateway listening on ws://127.0.0.1:")
            .unwrap_or_else(|| panic!("unexpected first line: {line:?}"));
        let (port, token) = url.split_once("/rpc?token=").expect("url with token");
        assert_eq!(token.len(), 43, "32 bytes base64url");
        Gateway {
            port: port.parse().expect("port"),
            token: token.to_owned(),
            child,
        }
    }

    /// Opens `/rpc?query` with extra headers (a `Host` here replaces the default).
    async fn open(&self, query: &str, headers: &[(&str, &str)]) -> Result<Ws, WsError> {
        let mut req = format!("ws://127.0.0.1:{}/rpc{query}", self.port)
            .into_client_request()
            .expect("request");
        for (k, v) in headers {
            req.headers_mut().insert(
                http_name(k),
                HeaderValue::from_str(v).expect("header value"),
            );
        }
        let tcp = TcpStream::connect(("127.0.0.1", self.port))
            .await
            .expect("tcp connect");
        tokio_tungstenite::client_async(req, tcp)
            .await
            .map(|(ws, _)| ws)
    }

    async fn client(&self) -> Ws {
        self.open(&format!("?token={}", self.token), &[])
            .await
            .expect("authorized upgrade")
    }

    fn alive(&mut self) -> bool {
        self.child.try_wait().expect("try_wait").is_none()
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn http_name(name: &str) -> tokio_tungstenite::tungstenite::http::HeaderName {
    name.parse().expect("header name")
}

/// The HTTP status and body of a refused upgrade.
fn refusal(result: Result<Ws, WsError>) -> (u16, String) {
    match result {
        Err(WsError::Http(resp)) => {
            let body = resp
                .body()
                .as_ref()
                .map(|b| String::from_utf8_lossy(b).into_owned())
                .unwrap_or_default();
            (resp.status().as_u16(), body)
        }
        Err(e) => panic!("expected an HTTP refusal, got {e}"),
        Ok(_) => panic!("expected an HTTP refusal, got an upgrade"),
    }
}

/// The whole answer to `GET path` without any WebSocket headers.
async fn plain_get(port: u16, path: &str) -> String {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let mut tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect");
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n");
    tcp.write_all(request.as_bytes()).await.expect("write");
    let mut answer = String::new();
    tcp.read_to_string(&mut answer).await.expect("read");
    answer
}

async fn send(ws: &mut Ws, v: Value) {
    ws.send(Message::text(v.to_string())).await.expect("send");
}

/// The next text frame as JSON.
async fn next_json(ws: &mut Ws) -> Value {
    loop {
        let msg = tokio::time::timeout(STEP, ws.next())
            .await
            .expect("a frame in time")
            .expect("stream open")
            .expect("frame");
        match msg {
            Message::Text(t) => return serde_json::from_str(t.as_str()).expect("json"),
            Message::Ping(_) | Message::Pong(_) => {}
            other => panic!("unexpected frame {other:?}"),
        }
    }
}

/// Reads until the response with this id (skipping notifications).
async fn response(ws: &mut Ws, id: u64) -> Value {
    loop {
        let v = next_json(ws).await;
        if v["id"] == json!(id) {
            return v;
        }
    }
}

async fn call(ws: &mut Ws, id: u64, method: &str, params: Value) -> Value {
    send(
        ws,
        json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}),
    )
    .await;
    response(ws, id).await
}

async fn guarded<F: std::future::Future<Output = ()>>(f: F) {
    tokio::time::timeout(GUARD, f)
        .await
        .expect("test finished within its wall-clock guard");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn happy_path_open_send_receive_close() {
    guarded(async {
        let echo = EchoServer::start(EchoConfig::default())
            .await
            .expect("echo");
        let gw = Gateway::spawn();
        let mut ws = gw.client().await;
        let url = echo.url("/echo");
        let open = call(&mut ws, 1, "snap_openWebSocket", json!({"url": url})).await;
        let id = open["result"].as_str().expect("socket id").to_owned();
        let ev = next_json(&mut ws).await;
        assert_eq!(ev["method"], "onWebSocketEvent");
        assert_eq!(ev["params"]["event"]["type"], "open");
        assert_eq!(ev["params"]["event"]["id"], id);

        let sent = call(
            &mut ws,
            2,
            "snap_sendWebSocketMessage",
            json!({"id": id, "message": "Ping"}),
        )
        .await;
        assert_eq!(sent["result"], Value::Null, "{sent}");
        let ev = next_json(&mut ws).await;
        assert_eq!(ev["params"]["event"]["type"], "message", "{ev}");
        assert_eq!(
            ev["params"]["event"]["data"],
            json!({"type": "text", "message": "Ping"})
        );

        let closed = call(&mut ws, 3, "snap_closeWebSocket", json!({"id": id})).await;
        assert_eq!(closed["result"], Value::Null);
        let ev = next_json(&mut ws).await;
        assert_eq!(ev["params"]["event"]["type"], "close", "{ev}");
        assert_eq!(ev["params"]["event"]["wasClean"], true);

        ws.close(None).await.expect("close");
        echo.shutdown().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_are_401_and_403_without_echoing_the_token() {
    guarded(async {
        let gw = Gateway::spawn();
        let port = gw.port;
        let good = format!("?token={}", gw.token);

        let (status, body) = refusal(gw.open("", &[]).await);
        assert_eq!(status, 401, "{body}");
        assert!(body.contains("missing token"), "{body}");

        let wrong = format!("?token={}x", gw.token);
        let (status, body) = refusal(gw.open(&wrong, &[]).await);
        assert_eq!(status, 401, "{body}");
        assert!(body.contains("wrong token"), "{body}");
        assert!(!body.contains(&gw.token), "token echoed: {body}");

        let (status, body) = refusal(gw.open("?token=short", &[]).await);
        assert_eq!(status, 401, "{body}");

        let (status, body) = refusal(gw.open(&good, &[("Origin", "http://evil.example")]).await);
        assert_eq!(status, 403, "{body}");
        assert!(body.contains("Origin"), "{body}");

        let evil_host = format!("evil.example:{port}");
        let (status, body) = refusal(gw.open(&good, &[("Host", &evil_host)]).await);
        assert_eq!(status, 403, "{body}");
        assert!(body.contains("Host"), "{body}");

        // A plain GET with the right token is not a handshake: 400, saying so.
        let plain = plain_get(port, &format!("/rpc{good}")).await;
        assert!(plain.starts_with("HTTP/1.1 400"), "{plain}");
        assert!(plain.contains("not a WebSocket handshake"), "{plain}");

        // Accepted: the bearer header, the gateway's own origin, localhost as Host.
        let bearer = format!("Bearer {}", gw.token);
        let own = format!("http://127.0.0.1:{port}");
        let localhost = format!("localhost:{port}");
        let mut ws = gw
            .open(
                "",
                &[
                    ("Authorization", &bearer),
                    ("Origin", &own),
                    ("Host", &localhost),
                ],
            )
            .await
            .expect("bearer token, own origin, localhost host");
        let got = call(&mut ws, 1, "snap_getWebSockets", json!({})).await;
        assert_eq!(got["result"], json!([]));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_cannot_see_each_others_sockets() {
    guarded(async {
        let echo = EchoServer::start(EchoConfig::default())
            .await
            .expect("echo");
        let gw = Gateway::spawn();
        let mut a = gw.client().await;
        let mut b = gw.client().await;
        let open = call(
            &mut a,
            1,
            "snap_openWebSocket",
            json!({"url": echo.url("/echo")}),
        )
        .await;
        let id = open["result"].as_str().expect("socket id").to_owned();

        let listed = call(&mut b, 1, "snap_getWebSockets", json!({})).await;
        assert_eq!(listed["result"], json!([]));
        let sent = call(
            &mut b,
            2,
            "snap_sendWebSocketMessage",
            json!({"id": id, "message": "x"}),
        )
        .await;
        assert_eq!(sent["error"]["code"], -32603, "{sent}");
        let closed = call(&mut b, 3, "snap_closeWebSocket", json!({"id": id})).await;
        assert_eq!(closed["error"]["code"], -32603, "{closed}");

        let listed = call(&mut a, 2, "snap_getWebSockets", json!({})).await;
        assert_eq!(listed["result"][0]["id"], id);

        a.close(None).await.expect("close");
        echo.shutdown().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn binary_and_oversized_frames() {
    guarded(async {
        let gw = Gateway::spawn();
        let mut ws = gw.client().await;
        ws.send(Message::binary(vec![1u8, 2, 3]))
            .await
            .expect("send");
        let v = next_json(&mut ws).await;
        assert_eq!(v["error"]["code"], -32600, "{v}");
        assert_eq!(v["id"], Value::Null);

        // Far more than socket buffers hold: the gateway refuses the frame after its header
        // and must keep reading the rest, or the client's write fails with a reset instead
        // of the client reading why.
        ws.send(Message::text("x".repeat(8 << 20)))
            .await
            .expect("the whole oversize frame is written");
        let frame = tokio::time::timeout(STEP, ws.next())
            .await
            .expect("a frame in time");
        match frame {
            Some(Ok(Message::Close(Some(c)))) => assert_eq!(c.code, CloseCode::Size),
            other => panic!("expected close 1009, got {other:?}"),
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_without_reading_is_bounded_and_answered() {
    guarded(async {
        const N: u64 = 10_000;
        let mut gw = Gateway::spawn();
        let ws = gw.client().await;
        let (mut sink, mut stream) = ws.split();
        let sender = tokio::spawn(async move {
            for id in 0..N {
                let req = json!({"jsonrpc": "2.0", "id": id, "method": "snap_getWebSockets"});
                sink.send(Message::text(req.to_string()))
                    .await
                    .expect("send");
            }
            sink
        });
        // Do not read for a while: the gateway must stop reading, not grow.
        tokio::time::sleep(Duration::from_secs(2)).await;
        assert!(gw.alive(), "gateway died under the flood");
        if let Some(kb) = rss_kb(gw.child.id()) {
            assert!(kb < 512 * 1024, "gateway RSS {kb} kB under the flood");
        }
        // Another client is served meanwhile.
        let mut other = gw.client().await;
        let got = call(&mut other, 1, "snap_getWebSockets", json!({})).await;
        assert_eq!(got["result"], json!([]));

        // Now read: every request is answered.
        let mut seen = 0;
        while seen < N {
            let msg = tokio::time::timeout(STEP, stream.next())
                .await
                .expect("responses keep coming")
                .expect("open")
                .expect("frame");
            if let Message::Text(t) = msg {
                let v: Value = serde_json::from_str(t.as_str()).expect("json");
                assert_eq!(v["result"], json!([]), "{v}");
                seen += 1;
            }
        }
        let sink = tokio::time::timeout(STEP, sender)
            .await
            .expect("sender done")
            .expect("sender ok");
        let mut ws = sink.reunite(stream).expect("reunite");
        let got = call(&mut ws, N + 1, "snap_getWebSockets", json!({})).await;
        assert_eq!(got["result"], json!([]));
        assert!(gw.alive());
    })
    .await;
}

fn rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_beyond_the_limit_are_refused_until_one_leaves() {
    guarded(async {
        let gw = Gateway::spawn();
        let mut clients = Vec::new();
        for _ in 0..64 {
            clients.push(gw.client().await);
        }
        let good = format!("?token={}", gw.token);
        let (status, body) = refusal(gw.open(&good, &[]).await);
        assert_eq!(status, 503, "{body}");
        assert!(body.contains("at most 64"), "{body}");

        // One leaves: its place is free again (the gateway notices the close).
        let mut gone = clients.pop().expect("a client");
        gone.close(None).await.expect("close");
        while gone.next().await.is_some() {}
        let deadline = std::time::Instant::now() + STEP;
        loop {
            match gw.open(&good, &[]).await {
                Ok(mut ws) => {
                    let got = call(&mut ws, 1, "snap_getWebSockets", json!({})).await;
                    assert_eq!(got["result"], json!([]));
                    break;
                }
                Err(e) => {
                    assert!(std::time::Instant::now() < deadline, "still refused: {e}");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_closes_every_socket_and_the_history_keeps_all_it_saw() {
    guarded(async {
        const N: usize = 300;
        let echo = EchoServer::start(EchoConfig::default())
            .await
            .expect("echo");
        let dir = std::env::temp_dir().join(format!("wsdeck-gw-stop-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("mkdir");
        let db = dir.join("history.db");
        let mut gw = Gateway::spawn_with(&["--history", db.to_str().expect("utf-8")]);
        let mut ws = gw.client().await;
        let open = call(
            &mut ws,
            1,
            "snap_openWebSocket",
            json!({"url": echo.url("/echo")}),
        )
        .await;
        let id = open["result"].as_str().expect("socket id").to_owned();
        // Every send is answered before the next (answers and echoes interleave).
        for i in 0..N {
            let sent = call(
                &mut ws,
                10 + i as u64,
                "snap_sendWebSocketMessage",
                json!({"id": id, "message": format!("m{i}")}),
            )
            .await;
            assert_eq!(sent["result"], Value::Null, "{sent}");
        }

        // Ctrl-C right away: echoes may still be on their way.
        let pid = gw.child.id().to_string();
        let killed = Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .expect("kill");
        assert!(killed.success());
        // The client hears the socket close, then the gateway's own close 1001.
        let mut socket_closed = false;
        let away = loop {
            let frame = tokio::time::timeout(STEP, ws.next())
                .await
                .expect("a frame in time");
            match frame {
                Some(Ok(Message::Text(t))) => {
                    let v: Value = serde_json::from_str(&t).expect("json");
                    if v["params"]["event"]["type"] == "close" {
                        socket_closed = true;
                    }
                }
                Some(Ok(Message::Close(c))) => break c,
                other => panic!("expected texts then a close frame, got {other:?}"),
            }
        };
        assert!(socket_closed, "no close event for the open socket");
        assert_eq!(away.map(|c| c.code), Some(CloseCode::Away));
        let status = {
            let deadline = std::time::Instant::now() + STEP;
            loop {
                if let Some(status) = gw.child.try_wait().expect("try_wait") {
                    break status;
                }
                assert!(
                    std::time::Instant::now() < deadline,
                    "wsdeck serve did not exit"
                );
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        };
        assert!(status.success(), "{status:?}");

        let shown = Command::new(BIN)
            .args(["history", "show", "1", "--history"])
            .arg(&db)
            .output()
            .expect("wsdeck history show");
        assert!(
            shown.status.success(),
            "{}",
            String::from_utf8_lossy(&shown.stderr)
        );
        let events: Vec<Value> = String::from_utf8_lossy(&shown.stdout)
            .lines()
            .map(|l| serde_json::from_str(l).expect("a JSON line"))
            .collect();
        let messages = |direction: &str| {
            events
                .iter()
                .filter(|e| e["type"] == "message" && e["direction"] == direction)
                .count()
        };
        assert_eq!(messages("out"), N, "every sent message is recorded");
        assert_eq!(messages("in"), N, "every echo that came back is recorded");
        let last = events.last().expect("events");
        assert_eq!(
            last["type"], "closed",
            "the socket's close is recorded: {last}"
        );
        assert_eq!(last["clean"], true, "closed with a close handshake: {last}");
        assert_eq!(events[0]["type"], "session");
        assert!(
            events[0]["endedAt"].is_string(),
            "the session is marked ended: {}",
            events[0]
        );
        let _ = std::fs::remove_dir_all(&dir);
        echo.shutdown().await;
    })
    .await;
}

// ---- WebSocket protocol errors and the close handshake, with hand-made frames ----------

/// A client that writes frames byte by byte as the test spells them, on an upgraded `/rpc`.
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
    async fn connect(gw: &Gateway) -> RawClient {
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        let mut tcp = TcpStream::connect(("127.0.0.1", gw.port))
            .await
            .expect("connect");
        let request = format!(
            "GET /rpc?token={} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: Upgrade\r\n\
             Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
            gw.token, gw.port
        );
        tcp.write_all(request.as_bytes()).await.expect("write");
        let mut read = Vec::new();
        let head_end = loop {
            if let Some(i) = read.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            let mut chunk = [0u8; 4096];
            let n = tokio::time::timeout(STEP, tcp.read(&mut chunk))
                .await
                .expect("the upgrade answer in time")
                .expect("read");
            assert!(n > 0, "closed before the upgrade answer");
            read.extend_from_slice(&chunk[..n]);
        };
        let head = String::from_utf8_lossy(&read[..head_end]).into_owned();
        assert!(head.starts_with("HTTP/1.1 101"), "{head}");
        read.drain(..head_end);
        RawClient { tcp, read }
    }

    async fn write(&mut self, bytes: &[u8]) {
        use tokio::io::AsyncWriteExt as _;
        self.tcp.write_all(bytes).await.expect("write frame");
    }

    /// Reads until `read` holds `n` bytes; `false` when the server closed first.
    async fn fill(&mut self, n: usize) -> bool {
        use tokio::io::AsyncReadExt as _;
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

    /// Skips text frames (answers, notifications) up to the server's close frame: its code
    /// (`None` for an empty close payload) and reason.
    async fn close_frame(&mut self) -> (Option<u16>, String) {
        loop {
            let (first, payload) = self
                .frame()
                .await
                .expect("a close frame before the connection ends");
            match first & 0x0f {
                0x8 => {
                    assert_eq!(first & 0x80, 0x80, "FIN set on a close frame");
                    if payload.is_empty() {
                        return (None, String::new());
                    }
                    let code = u16::from_be_bytes([payload[0], payload[1]]);
                    let reason = String::from_utf8(payload[2..].to_vec()).expect("UTF-8 reason");
                    return (Some(code), reason);
                }
                0x1 | 0x9 | 0xa => {}
                other => panic!("unexpected opcode {other:#x}"),
            }
        }
    }

    /// Whether the server ends the TCP connection (after its close frame) in time.
    async fn ends(&mut self) -> bool {
        self.frame().await.is_none()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn protocol_errors_are_answered_with_close_1002() {
    guarded(async {
        let gw = Gateway::spawn();
        let text = b"{}";
        let cases: Vec<(&str, Vec<u8>)> = vec![
            ("RSV1 set", masked(0x80 | 0x40 | 0x1, text)),
            ("RSV3 set", masked(0x80 | 0x10 | 0x2, text)),
            ("reserved data opcode 0x3", masked(0x83, text)),
            ("reserved control opcode 0xb", masked(0x8b, b"")),
            ("unmasked client frame", unmasked(0x81, text)),
            ("fragmented ping", masked(0x09, b"p")),
            ("ping of 126 bytes", masked(0x89, &[b'p'; 126])),
            ("continuation with nothing to continue", masked(0x80, text)),
            ("new message inside a fragmented one", {
                let mut both = masked(0x01, b"[");
                both.extend(masked(0x81, b"{}"));
                both
            }),
            ("close with a 1-byte payload", masked(0x88, &[0x03])),
            (
                "close code 1005 sent on the wire",
                masked(0x88, &close_payload(1005, b"")),
            ),
            ("close code 999", masked(0x88, &close_payload(999, b""))),
        ];
        for (what, frames) in cases {
            let mut client = RawClient::connect(&gw).await;
            client.write(&frames).await;
            let (code, reason) = client.close_frame().await;
            assert_eq!(code, Some(1002), "{what}: {reason}");
            assert!(
                reason.starts_with("protocol error") || reason == "Protocol violation",
                "{what}: {reason}"
            );
            assert!(
                client.ends().await,
                "{what}: the server ends the connection"
            );
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_utf8_is_answered_with_close_1007() {
    guarded(async {
        let gw = Gateway::spawn();
        // A UTF-16 surrogate encoded in UTF-8, which UTF-8 forbids.
        let bad = b"{\"x\":\"\xed\xa0\x80\"}";
        let cases: Vec<(&str, Vec<u8>)> = vec![
            ("text frame", masked(0x81, bad)),
            ("second fragment of a text message", {
                let mut both = masked(0x01, b"{\"x\":");
                both.extend(masked(0x80, b"\"\xff\"}"));
                both
            }),
            (
                "close reason",
                masked(0x88, &close_payload(1000, b"\xc3\x28")),
            ),
        ];
        for (what, frames) in cases {
            let mut client = RawClient::connect(&gw).await;
            client.write(&frames).await;
            let (code, reason) = client.close_frame().await;
            assert_eq!(code, Some(1007), "{what}: {reason}");
            assert!(
                client.ends().await,
                "{what}: the server ends the connection"
            );
        }
        // The same bytes as binary are no protocol error (the gateway answers, -32600).
        let mut client = RawClient::connect(&gw).await;
        client.write(&masked(0x82, bad)).await;
        let (first, answer) = client.frame().await.expect("an answer");
        assert_eq!(first, 0x81, "a text frame");
        let answer: Value = serde_json::from_slice(&answer).expect("json");
        assert_eq!(answer["error"]["code"], -32600, "{answer}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clients_close_is_answered_with_its_code_before_the_connection_ends() {
    guarded(async {
        let echo = EchoServer::start(EchoConfig::default())
            .await
            .expect("echo");
        let gw = Gateway::spawn();
        for (code, reason) in [(1000, "bye"), (1001, ""), (4001, "custom code")] {
            let mut client = RawClient::connect(&gw).await;
            client
                .write(&masked(0x88, &close_payload(code, reason.as_bytes())))
                .await;
            assert_eq!(client.close_frame().await, (Some(code), reason.to_owned()));
            assert!(
                client.ends().await,
                "{code}: the server ends the connection"
            );
        }
        // An empty close is answered with an empty close.
        let mut client = RawClient::connect(&gw).await;
        client.write(&masked(0x88, b"")).await;
        assert_eq!(client.close_frame().await, (None, String::new()));
        assert!(client.ends().await);

        // Also while the client has a socket open (the API has events on their way), and
        // after a request whose answer it has not read.
        let mut client = RawClient::connect(&gw).await;
        let open = json!({"jsonrpc": "2.0", "id": 1, "method": "snap_openWebSocket",
                          "params": {"url": echo.url("/stream?rate=1000")}});
        client
            .write(&masked(0x81, open.to_string().as_bytes()))
            .await;
        let (first, _) = client.frame().await.expect("an answer or event");
        assert_eq!(first, 0x81);
        let list = json!({"jsonrpc": "2.0", "id": 2, "method": "snap_getWebSockets"});
        client
            .write(&masked(0x81, list.to_string().as_bytes()))
            .await;
        client
            .write(&masked(0x88, &close_payload(1000, b"done")))
            .await;
        assert_eq!(client.close_frame().await, (Some(1000), "done".to_owned()));
        assert!(client.ends().await);
        echo.shutdown().await;
    })
    .await;
}

// ---- the HTTP edge: slow heads, idle connections, floods of unauthenticated ones --------

/// How long the gateway waits for a request head (`HEAD_TIMEOUT` in gateway/edge.rs), plus
/// room for a slow machine: a connection the gateway should close is closed by then.
const HEAD_TIMEOUT_AND_MARGIN: Duration = Duration::from_secs(25);

/// Reads (and discards) until the server closes the connection; `false` if it is still open
/// after [`HEAD_TIMEOUT_AND_MARGIN`].
async fn closed_by_server(tcp: &mut TcpStream) -> bool {
    use tokio::io::AsyncReadExt as _;
    let drained = tokio::time::timeout(HEAD_TIMEOUT_AND_MARGIN, async {
        let mut chunk = [0u8; 4096];
        // Bounded: each read returns data, EOF or an error; the server sends little.
        for _ in 0..10_000 {
            match tcp.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    });
    drained.await.is_ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stalled_heads_and_idle_connections_are_closed_by_the_server() {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    guarded(async {
        let gw = Gateway::spawn();
        let connect = || TcpStream::connect(("127.0.0.1", gw.port));
        // Half a request head, and never the rest.
        let mut half_open = connect().await.expect("connect");
        half_open
            .write_all(b"GET /rpc HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            .await
            .expect("write");
        // Nothing at all.
        let mut silent = connect().await.expect("connect");
        // One whole request answered, then nothing more on the kept-alive connection.
        let mut kept_alive = connect().await.expect("connect");
        let request = format!(
            "GET /nothing-here HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\r\n",
            gw.port
        );
        kept_alive
            .write_all(request.as_bytes())
            .await
            .expect("write");
        let mut answer = [0u8; 12];
        tokio::time::timeout(STEP, kept_alive.read_exact(&mut answer))
            .await
            .expect("an answer in time")
            .expect("read");
        assert_eq!(&answer, b"HTTP/1.1 404");

        let (a, b, c) = tokio::join!(
            closed_by_server(&mut half_open),
            closed_by_server(&mut silent),
            closed_by_server(&mut kept_alive),
        );
        assert!(a, "a half-sent request head is timed out");
        assert!(b, "a connection that sends nothing is closed");
        assert!(c, "an idle kept-alive connection is closed");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_half_open_requests_does_not_lock_out_the_token_holder() {
    use tokio::io::AsyncWriteExt as _;
    // More half-open connections than the gateway has file descriptors: before, every one
    // held a descriptor until none was left for the real client.
    const OPEN_FILES: u32 = 128;
    const FLOOD: usize = 300;
    guarded(async {
        let echo = EchoServer::start(EchoConfig::default())
            .await
            .expect("echo");
        let gw = Gateway::spawn_with_open_file_limit(OPEN_FILES);
        let mut flood = Vec::with_capacity(FLOOD);
        for _ in 0..FLOOD {
            let mut tcp = tokio::time::timeout(STEP, TcpStream::connect(("127.0.0.1", gw.port)))
                .await
                .expect("the gateway keeps accepting connections during the flood")
                .expect("connect");
            // Ignored: the gateway may already have closed it to make room.
            let _ = tcp.write_all(b"GET /rpc HTTP/1.1\r\n").await;
            flood.push(tcp);
        }
        // The real client, token in hand, connects and is served...
        let mut ws = tokio::time::timeout(STEP, gw.client())
            .await
            .expect("the token holder is answered during the flood");
        let got = call(&mut ws, 1, "snap_getWebSockets", json!({})).await;
        assert_eq!(got["result"], json!([]));
        // ...and has descriptors left for its own sockets.
        let open = call(
            &mut ws,
            2,
            "snap_openWebSocket",
            json!({"url": echo.url("/echo")}),
        )
        .await;
        let id = open["result"]
            .as_str()
            .unwrap_or_else(|| panic!("{open}"))
            .to_owned();
        let ev = next_json(&mut ws).await;
        assert_eq!(ev["params"]["event"]["type"], "open", "{ev}");
        let sent = call(
            &mut ws,
            3,
            "snap_sendWebSocketMessage",
            json!({"id": id, "message": "still here"}),
        )
        .await;
        assert_eq!(sent["result"], Value::Null, "{sent}");
        let ev = next_json(&mut ws).await;
        assert_eq!(
            ev["params"]["event"]["data"]["message"], "still here",
            "{ev}"
        );
        // The flood's oldest connections were closed to make room.
        assert!(
            closed_by_server(&mut flood[0]).await,
            "the longest-waiting unauthenticated connection was closed"
        );
        drop(flood);
        echo.shutdown().await;
    })
    .await;
}
