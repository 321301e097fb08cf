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
        let mut child = Command::new(BIN)
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
