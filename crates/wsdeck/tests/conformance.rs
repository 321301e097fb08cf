//! Conformance of the `snap_*` JSON-RPC API with the Snaps WebSocket specification
//! (`snaps-websocket-spec.md` §2–§7), driven through the real `wsdeck` binary over both of
//! its transports:
//!
//! - stdio: `wsdeck rpc` (newline-delimited JSON on stdin/stdout);
//! - gateway: `wsdeck serve --port 0` driven with tokio-tungstenite (one text frame per
//!   JSON-RPC text).
//!
//! One table holds every validation row of the spec (each case: the request text and the
//! whole expected response), and the same table runs over both transports. A live sequence
//! against an in-process `wsdeck_echo::EchoServer` also runs over both. Every spawned
//! process has a wall-clock watchdog (killed after [`GUARD`]) and is killed on drop.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::mpsc::RecvTimeoutError;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use wsdeck_echo::{EchoConfig, EchoServer};

const BIN: &str = env!("CARGO_BIN_EXE_wsdeck");
/// Wall-clock limit of every spawned process.
const GUARD: Duration = Duration::from_secs(30);
/// Limit of a single wait for output.
const STEP: Duration = Duration::from_secs(10);
const GRANT: &str = "endowment:network-access";

const UNAUTHORIZED: &str =
    "The requested account and/or method has not been authorized by the user.";
const METHOD_NOT_FOUND: &str = "The method does not exist / is not available.";
const INVALID_REQUEST: &str = "The JSON sent is not a valid Request object.";
const PARSE_ERROR: &str = "Invalid JSON was received by the server. An error occurred on the server while parsing the JSON text.";
const OPEN_FAILED: &str = "An error occurred while opening the WebSocket.";

// ---------------------------------------------------------------------------------------
// Processes with a wall-clock guard

/// A spawned process, killed by a watchdog thread after [`GUARD`] and killed on drop.
struct Guarded {
    child: Arc<Mutex<Child>>,
    stop: Option<std::sync::mpsc::Sender<()>>,
    watchdog: Option<std::thread::JoinHandle<()>>,
}

impl Guarded {
    fn spawn(mut cmd: Command, what: &str) -> (Guarded, Option<ChildStdin>, ChildStdout) {
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("{what} starts: {e}"));
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().expect("stdout piped");
        let child = Arc::new(Mutex::new(child));
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let watched = Arc::clone(&child);
        let what = what.to_owned();
        let watchdog = std::thread::spawn(move || {
            if let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(GUARD) {
                let mut c = watched.lock().unwrap_or_else(|e| e.into_inner());
                if matches!(c.try_wait(), Ok(None)) {
                    eprintln!("watchdog: killing {what} after {GUARD:?}");
                    let _ = c.kill();
                    let _ = c.wait();
                }
            }
        });
        (
            Guarded {
                child,
                stop: Some(stop),
                watchdog: Some(watchdog),
            },
            stdin,
            stdout,
        )
    }
}

impl Drop for Guarded {
    fn drop(&mut self) {
        drop(self.stop.take());
        {
            let mut c = self.child.lock().unwrap_or_else(|e| e.into_inner());
            if matches!(c.try_wait(), Ok(None)) {
                let _ = c.kill();
            }
            let _ = c.wait();
        }
        if let Some(h) = self.watchdog.take() {
            let _ = h.join();
        }
    }
}

// ---------------------------------------------------------------------------------------
// Transports

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Transport {
    Stdio,
    Gateway,
}

/// Which caller a case is sent from.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Who {
    /// A snap origin holding `endowment:network-access`.
    Granted,
    /// A snap origin without any permission.
    Ungranted,
    /// An origin that is not a snap (`--origin https://example.com`); stdio only, because
    /// the gateway maps non-snap origins to `local:gateway`.
    NonSnap,
}

type Ws = WebSocketStream<TcpStream>;

enum Link {
    Stdio {
        stdin: ChildStdin,
        lines: UnboundedReceiver<String>,
    },
    Gateway {
        ws: Box<Ws>,
    },
}

/// One JSON-RPC client connection over either transport. Owns its process.
struct Conn {
    label: String,
    link: Link,
    /// Notifications read while waiting for a response.
    pending: VecDeque<Value>,
    _proc: Guarded,
}

impl Conn {
    async fn open(transport: Transport, who: Who) -> Conn {
        match transport {
            Transport::Stdio => Conn::stdio(who),
            Transport::Gateway => Conn::gateway(who).await,
        }
    }

    fn stdio(who: Who) -> Conn {
        let mut cmd = Command::new(BIN);
        cmd.arg("rpc");
        match who {
            Who::Granted => cmd.args(["--grant", GRANT]),
            Who::Ungranted => &mut cmd,
            Who::NonSnap => cmd.args(["--origin", "https://example.com", "--grant", GRANT]),
        };
        cmd.stdin(Stdio::piped());
        let label = format!("stdio/{who:?}");
        let (proc, stdin, stdout) = Guarded::spawn(cmd, &format!("wsdeck rpc ({label})"));
        let (tx, lines) = unbounded_channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Conn {
            label,
            link: Link::Stdio {
                stdin: stdin.expect("stdin piped"),
                lines,
            },
            pending: VecDeque::new(),
            _proc: proc,
        }
    }

    async fn gateway(who: Who) -> Conn {
        let mut cmd = Command::new(BIN);
        cmd.args(["serve", "--port", "0"]);
        match who {
            Who::Granted => {
                cmd.args(["--grant", GRANT]);
            }
            Who::Ungranted => {}
            Who::NonSnap => panic!("the gateway has no non-snap callers"),
        }
        cmd.stdin(Stdio::null());
        let label = format!("gateway/{who:?}");
        let (proc, _, stdout) = Guarded::spawn(cmd, &format!("wsdeck serve ({label})"));
        let (tx, first) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            let _ = tx.send(lines.next().and_then(Result::ok).unwrap_or_default());
            // Keep draining so the gateway never blocks on a full pipe.
            for _ in lines.by_ref() {}
        });
        let line = first
            .recv_timeout(STEP)
            .expect("wsdeck serve prints its URL line");
        let url = line
            .trim()
            .strip_prefix("wsdeck gateway listening on ")
            .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
            .to_owned();
        assert!(url.starts_with("ws://127.0.0.1:"), "{url}");
        let port: u16 = url
            .strip_prefix("ws://127.0.0.1:")
            .and_then(|rest| rest.split_once('/'))
            .and_then(|(port, _)| port.parse().ok())
            .unwrap_or_else(|| panic!("no port in {url}"));
        let req = url.as_str().into_client_request().expect("request");
        let tcp = TcpStream::connect(("127.0.0.1", port))
            .await
            .expect("tcp connect");
        let (ws, _) = tokio::time::timeout(STEP, tokio_tungstenite::client_async(req, tcp))
            .await
            .expect("upgrade in time")
            .expect("authorized upgrade");
        Conn {
            label,
            link: Link::Gateway { ws: Box::new(ws) },
            pending: VecDeque::new(),
            _proc: proc,
        }
    }

    /// Sends one JSON-RPC text (one line / one text frame).
    async fn send_text(&mut self, text: &str) {
        assert!(!text.contains('\n'), "one line per request");
        match &mut self.link {
            Link::Stdio { stdin, .. } => {
                writeln!(stdin, "{text}").expect("write request");
                stdin.flush().expect("flush");
            }
            Link::Gateway { ws } => ws
                .send(Message::text(text.to_owned()))
                .await
                .expect("send frame"),
        }
    }

    /// The next output (response or notification), within [`STEP`].
    async fn recv(&mut self) -> Value {
        let label = self.label.clone();
        let text = match &mut self.link {
            Link::Stdio { lines, .. } => tokio::time::timeout(STEP, lines.recv())
                .await
                .unwrap_or_else(|_| panic!("{label}: no output within {STEP:?}"))
                .unwrap_or_else(|| panic!("{label}: the process ended")),
            Link::Gateway { ws } => loop {
                let msg = tokio::time::timeout(STEP, ws.next())
                    .await
                    .unwrap_or_else(|_| panic!("{label}: no frame within {STEP:?}"))
                    .unwrap_or_else(|| panic!("{label}: connection ended"))
                    .unwrap_or_else(|e| panic!("{label}: {e}"));
                match msg {
                    Message::Text(t) => break t.as_str().to_owned(),
                    Message::Ping(_) | Message::Pong(_) => {}
                    other => panic!("{label}: unexpected frame {other:?}"),
                }
            },
        };
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{label}: not JSON: {text}: {e}"))
    }

    /// Sends `text` and returns the next output that is not a notification.
    async fn exchange(&mut self, text: &str) -> Value {
        self.send_text(text).await;
        loop {
            let v = self.recv().await;
            if is_notification(&v) {
                self.pending.push_back(v);
            } else {
                return v;
            }
        }
    }

    async fn call(&mut self, id: u64, method: &str, params: Value) -> Value {
        let req = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        let r = self.exchange(&req.to_string()).await;
        assert_eq!(
            r["id"],
            json!(id),
            "{}: response to another request: {r}",
            self.label
        );
        r
    }

    /// The next `onWebSocketEvent` event.
    async fn event(&mut self) -> Value {
        let v = match self.pending.pop_front() {
            Some(v) => v,
            None => self.recv().await,
        };
        assert_eq!(v["jsonrpc"], "2.0", "{}: {v}", self.label);
        assert_eq!(v["method"], "onWebSocketEvent", "{}: {v}", self.label);
        assert!(
            v.get("id").is_none(),
            "{}: notification with id {v}",
            self.label
        );
        v["params"]["event"].clone()
    }
}

fn is_notification(v: &Value) -> bool {
    v.is_object() && v.get("method").is_some() && v.get("id").is_none()
}

// ---------------------------------------------------------------------------------------
// The conformance table

struct Case {
    name: String,
    who: Who,
    /// The exact request text (one line).
    request: String,
    /// The whole expected response.
    expect: Value,
}

#[derive(Default)]
struct Table {
    cases: Vec<Case>,
    next_id: u64,
}

fn err(code: i64, message: &str) -> Value {
    json!({"code": code, "message": message})
}

/// The wire shape of an upstream `AssertionError` (spec §2.3, without the optional stack).
fn assertion(message: &str) -> Value {
    json!({"code": -32603, "message": message, "data": {"cause": {"message": message, "code": "ERR_ASSERTION"}}})
}

impl Table {
    fn id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    fn request(id: u64, method: &str, params: Option<Value>) -> String {
        let mut req = json!({"jsonrpc": "2.0", "id": id, "method": method});
        if let Some(p) = params {
            req["params"] = p;
        }
        req.to_string()
    }

    /// A call expected to fail with exactly `error` (the whole error object).
    fn fails(
        &mut self,
        section: &str,
        who: Who,
        method: &str,
        params: Option<Value>,
        error: Value,
    ) {
        let id = self.id();
        let name = format!("{section} {method} {}", describe(&params));
        self.cases.push(Case {
            name,
            who,
            request: Table::request(id, method, params),
            expect: json!({"jsonrpc": "2.0", "id": id, "error": error}),
        });
    }

    fn invalid_params(
        &mut self,
        section: &str,
        method: &str,
        params: Option<Value>,
        message: &str,
    ) {
        self.fails(section, Who::Granted, method, params, err(-32602, message));
    }

    fn succeeds(
        &mut self,
        section: &str,
        who: Who,
        method: &str,
        params: Option<Value>,
        result: Value,
    ) {
        let id = self.id();
        let name = format!("{section} {method} {}", describe(&params));
        self.cases.push(Case {
            name,
            who,
            request: Table::request(id, method, params),
            expect: json!({"jsonrpc": "2.0", "id": id, "result": result}),
        });
    }

    fn raw(&mut self, section: &str, request: String, expect: Value) {
        self.cases.push(Case {
            name: format!("{section} {request}"),
            who: Who::Granted,
            request,
            expect,
        });
    }
}

fn describe(params: &Option<Value>) -> String {
    match params {
        None => "(no params)".to_owned(),
        Some(p) => p.to_string(),
    }
}

fn table() -> Vec<Case> {
    let mut t = Table {
        next_id: 100,
        ..Table::default()
    };

    // §3.1 snap_openWebSocket params.
    let open = "snap_openWebSocket";
    let s = "§3.1";
    let union = "Invalid params: At path: url -- At path: protocol -- Expected the value to satisfy a union of `\"wss:\" | \"ws:\"`, but received:";
    t.invalid_params(
        s,
        open,
        None,
        "Invalid params: Expected an object, but received: undefined.",
    );
    for p in [json!({}), json!([1, 2])] {
        t.invalid_params(
            s,
            open,
            Some(p),
            "Invalid params: At path: url -- Expected a string, but received: undefined.",
        );
    }
    t.invalid_params(
        s,
        open,
        Some(json!({"url": 5})),
        "Invalid params: At path: url -- Expected a string, but received: 5.",
    );
    t.invalid_params(
        s,
        open,
        Some(json!({"url": "not a url"})),
        "Invalid params: At path: url -- Expected URL, got \"not a url\".",
    );
    t.invalid_params(
        s,
        open,
        Some(json!({"url": "http://metamask.io"})),
        &format!("{union} \"http:\"."),
    );
    t.invalid_params(
        s,
        open,
        Some(json!({"url": "https://metamask.io/x"})),
        &format!("{union} \"https:\"."),
    );
    t.invalid_params(
        s,
        open,
        Some(json!({"url": "wss://a", "protocols": null})),
        "Invalid params: At path: protocols -- Expected an array value, but received: null.",
    );
    t.invalid_params(
        s,
        open,
        Some(json!({"url": "wss://a", "protocols": "x"})),
        "Invalid params: At path: protocols -- Expected an array value, but received: \"x\".",
    );
    t.invalid_params(
        s,
        open,
        Some(json!({"url": "wss://a", "protocols": ["x", 1]})),
        "Invalid params: At path: protocols.1 -- Expected a string, but received: 1.",
    );
    t.invalid_params(
        s,
        open,
        Some(json!({"url": "wss://a", "foo": 1})),
        "Invalid params: At path: foo -- Expected a value of type `never`, but received: `1`.",
    );

    // §4.1 snap_sendWebSocketMessage params.
    let send = "snap_sendWebSocketMessage";
    let s = "§4.1";
    let union = "Invalid params: At path: message -- Expected the value to satisfy a union of `string | array`, but received:";
    t.invalid_params(
        s,
        send,
        Some(json!({})),
        "Invalid params: At path: id -- Expected a string, but received: undefined.",
    );
    t.invalid_params(
        s,
        send,
        Some(json!({"id": "x"})),
        &format!("{union} undefined."),
    );
    t.invalid_params(
        s,
        send,
        Some(json!({"id": "x", "message": 5})),
        &format!("{union} 5."),
    );
    t.invalid_params(
        s,
        send,
        Some(json!({"id": "x", "message": null})),
        &format!("{union} null."),
    );
    t.invalid_params(
        s,
        send,
        Some(json!({"id": "x", "message": [1, "a"]})),
        &format!("{union} 1,a."),
    );
    t.invalid_params(
        s,
        send,
        Some(json!({"id": "x", "message": "", "extra": true})),
        "Invalid params: At path: extra -- Expected a value of type `never`, but received: `true`.",
    );

    // §5 snap_closeWebSocket params.
    let close = "snap_closeWebSocket";
    let s = "§5";
    t.invalid_params(
        s,
        close,
        Some(json!({})),
        "Invalid params: At path: id -- Expected a string, but received: undefined.",
    );
    t.invalid_params(
        s,
        close,
        Some(json!({"id": 5})),
        "Invalid params: At path: id -- Expected a string, but received: 5.",
    );
    t.invalid_params(
        s,
        close,
        Some(json!({"id": "x", "more": "y"})),
        "Invalid params: At path: more -- Expected a value of type `never`, but received: `\"y\"`.",
    );
    t.invalid_params(
        s,
        close,
        None,
        "Invalid params: Expected an object, but received: undefined.",
    );

    // §6 snap_getWebSockets ignores params.
    let list = "snap_getWebSockets";
    let s = "§6";
    for p in [
        None,
        Some(json!(null)),
        Some(json!({"any": [1, 2]})),
        Some(json!("junk")),
    ] {
        t.succeeds(s, Who::Granted, list, p, json!([]));
    }

    // §4.3 / §5 unknown ids: an assertion error, -32603.
    let nf = "Socket with ID \"x\" not found.";
    t.fails(
        "§4.3",
        Who::Granted,
        send,
        Some(json!({"id": "x", "message": "hi"})),
        assertion(nf),
    );
    t.fails(
        "§4.3",
        Who::Granted,
        send,
        Some(json!({"id": "x", "message": [1, 2]})),
        assertion(nf),
    );
    t.fails(
        "§5",
        Who::Granted,
        close,
        Some(json!({"id": "x"})),
        assertion(nf),
    );

    // §2.2 the permission is checked first: 4100 for all four methods, even with bad params.
    let s = "§2.2";
    for (m, p) in [
        (open, Some(json!({"url": "ws://127.0.0.1:9/x"}))),
        (open, Some(json!({"url": "http://bad"}))),
        (open, None),
        (send, Some(json!({"id": "x", "message": "hi"}))),
        (send, Some(json!({}))),
        (close, Some(json!({"id": "x"}))),
        (close, None),
        (list, None),
    ] {
        t.fails(s, Who::Ungranted, m, p, err(4100, UNAUTHORIZED));
    }

    // §2.1 snap_ methods from a non-snap origin: -32601 (checked before the permission).
    let s = "§2.1";
    for m in [open, send, close, list] {
        t.fails(
            s,
            Who::NonSnap,
            m,
            Some(json!({})),
            err(-32601, METHOD_NOT_FOUND),
        );
    }

    // JSON-RPC framing.
    let s = "framing";
    t.raw(
        s,
        "{not json".to_owned(),
        json!({"jsonrpc": "2.0", "id": null, "error": err(-32700, PARSE_ERROR)}),
    );
    let id = t.id();
    t.raw(
        s,
        format!(r#"{{"jsonrpc":"1.0","id":{id},"method":"snap_getWebSockets"}}"#),
        json!({"jsonrpc": "2.0", "id": id, "error": err(-32600, INVALID_REQUEST)}),
    );
    let id = t.id();
    t.raw(
        s,
        format!(r#"{{"id":{id},"method":"snap_getWebSockets"}}"#),
        json!({"jsonrpc": "2.0", "id": id, "error": err(-32600, INVALID_REQUEST)}),
    );
    let id = t.id();
    t.raw(
        s,
        format!(r#"{{"jsonrpc":"2.0","id":{id},"method":5}}"#),
        json!({"jsonrpc": "2.0", "id": id, "error": err(-32600, INVALID_REQUEST)}),
    );
    t.raw(
        s,
        r#"{"jsonrpc":"2.0","id":{},"method":"snap_getWebSockets"}"#.to_owned(),
        json!({"jsonrpc": "2.0", "id": null, "error": err(-32600, INVALID_REQUEST)}),
    );
    t.raw(
        s,
        "5".to_owned(),
        json!({"jsonrpc": "2.0", "id": null, "error": err(-32600, INVALID_REQUEST)}),
    );
    t.raw(
        s,
        "[]".to_owned(),
        json!({"jsonrpc": "2.0", "id": null, "error": err(-32600, INVALID_REQUEST)}),
    );
    for m in ["snap_doesNotExist", "eth_chainId", "nope"] {
        t.fails(s, Who::Granted, m, None, err(-32601, METHOD_NOT_FOUND));
    }
    let (a, b) = (t.id(), t.id());
    t.raw(
        s,
        format!(
            r#"[{{"jsonrpc":"2.0","id":{a},"method":"snap_getWebSockets"}},{{"jsonrpc":"2.0","id":{b},"method":"nope"}}]"#
        ),
        json!([
            {"jsonrpc": "2.0", "id": a, "result": []},
            {"jsonrpc": "2.0", "id": b, "error": err(-32601, METHOD_NOT_FOUND)},
        ]),
    );
    t.cases
}

/// Runs every case over `transport`; returns (ran, skipped, each case's actual response).
async fn run_table(transport: Transport, cases: &[Case]) -> (usize, usize, Vec<Option<Value>>) {
    let mut conns: Vec<(Who, Conn)> = Vec::new();
    for who in [Who::Granted, Who::Ungranted, Who::NonSnap] {
        if transport == Transport::Gateway && who == Who::NonSnap {
            continue;
        }
        conns.push((who, Conn::open(transport, who).await));
    }
    let (mut ran, mut skipped) = (0, 0);
    let mut actual = Vec::new();
    for case in cases {
        let Some((_, conn)) = conns.iter_mut().find(|(w, _)| *w == case.who) else {
            skipped += 1;
            actual.push(None);
            continue;
        };
        let got = conn.exchange(&case.request).await;
        ran += 1;
        actual.push(Some(got));
    }
    // No socket was opened and no event was sent by any case.
    for (_, conn) in &mut conns {
        assert!(
            conn.pending.is_empty(),
            "{}: {:?}",
            conn.label,
            conn.pending
        );
    }
    (ran, skipped, actual)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance_table_over_stdio_and_gateway() {
    let cases = table();
    let mut problems = Vec::new();
    let mut results = Vec::new();
    for transport in [Transport::Stdio, Transport::Gateway] {
        let (ran, skipped, actual) = run_table(transport, &cases).await;
        eprintln!(
            "{transport:?}: {ran} of {} cases ran, {skipped} skipped",
            cases.len()
        );
        for (case, got) in cases.iter().zip(&actual) {
            if let Some(got) = got
                && *got != case.expect
            {
                problems.push(format!(
                    "[{transport:?}] {} ({:?})\n    request:  {}\n    expected: {}\n    got:      {got}",
                    case.name, case.who, case.request, case.expect
                ));
            }
        }
        results.push(actual);
    }
    // Anything answered differently by the two transports.
    for (i, case) in cases.iter().enumerate() {
        if let (Some(a), Some(b)) = (&results[0][i], &results[1][i])
            && a != b
        {
            problems.push(format!(
                "[stdio != gateway] {}\n    stdio:   {a}\n    gateway: {b}",
                case.name
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "{} conformance problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

// ---------------------------------------------------------------------------------------
// Live sequence against an echo server

async fn live_sequence(transport: Transport) {
    let echo = EchoServer::start(EchoConfig::default())
        .await
        .expect("echo server on 127.0.0.1:0");
    let url = echo.url("/echo");
    let origin = format!("ws://127.0.0.1:{}", echo.local_addr().port());
    let mut c = Conn::open(transport, Who::Granted).await;
    let l = c.label.clone();

    // Open: the id, then the open event carrying the URL's origin.
    let r = c.call(1, "snap_openWebSocket", json!({"url": url})).await;
    let id = r["result"]
        .as_str()
        .unwrap_or_else(|| panic!("{l}: open answers an id: {r}"))
        .to_owned();
    assert_eq!(id.len(), 21, "{l}: {id}");
    assert!(
        id.chars()
            .all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '-'),
        "{l}: {id}"
    );
    assert_eq!(
        c.event().await,
        json!({"type": "open", "id": id, "origin": origin}),
        "{l}"
    );

    // Text round trip.
    let r = c
        .call(
            2,
            "snap_sendWebSocketMessage",
            json!({"id": id, "message": "Ping"}),
        )
        .await;
    assert_eq!(r, json!({"jsonrpc": "2.0", "id": 2, "result": null}), "{l}");
    assert_eq!(
        c.event().await,
        json!({"type": "message", "id": id, "origin": origin, "data": {"type": "text", "message": "Ping"}}),
        "{l}"
    );

    // Binary round trip.
    let r = c
        .call(
            3,
            "snap_sendWebSocketMessage",
            json!({"id": id, "message": [80, 105, 110, 103]}),
        )
        .await;
    assert_eq!(r, json!({"jsonrpc": "2.0", "id": 3, "result": null}), "{l}");
    assert_eq!(
        c.event().await,
        json!({"type": "message", "id": id, "origin": origin, "data": {"type": "binary", "message": [80, 105, 110, 103]}}),
        "{l}"
    );

    // Duplicate open (same url string, same default protocols).
    let r = c.call(4, "snap_openWebSocket", json!({"url": url})).await;
    let dup = format!("An open WebSocket connection to {url} already exists.");
    assert_eq!(r["error"]["code"], -32603, "{l}: {r}");
    assert_eq!(r["error"]["message"], json!(dup), "{l}: {r}");
    assert_eq!(r["error"], assertion(&dup), "{l}: whole error object");

    // Listed with the requested (empty) protocols.
    let r = c.call(5, "snap_getWebSockets", json!(null)).await;
    assert_eq!(
        r["result"],
        json!([{"id": id, "url": url, "protocols": []}]),
        "{l}"
    );

    // Close: null at once, then a clean close event without a status code.
    let r = c.call(6, "snap_closeWebSocket", json!({"id": id})).await;
    assert_eq!(r, json!({"jsonrpc": "2.0", "id": 6, "result": null}), "{l}");
    assert_eq!(
        c.event().await,
        json!({"type": "close", "id": id, "origin": origin, "code": 1005, "reason": "", "wasClean": true}),
        "{l}"
    );
    let r = c.call(7, "snap_getWebSockets", json!(null)).await;
    assert_eq!(r, json!({"jsonrpc": "2.0", "id": 7, "result": []}), "{l}");

    // A failed open: -32002, then a 1006 close event for an id never returned.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    let refused = format!("ws://127.0.0.1:{port}/x");
    let r = c
        .call(8, "snap_openWebSocket", json!({"url": refused}))
        .await;
    assert_eq!(
        r,
        json!({"jsonrpc": "2.0", "id": 8, "error": err(-32002, OPEN_FAILED)}),
        "{l}"
    );
    let ev = c.event().await;
    let ev_id = ev["id"].as_str().unwrap_or_default().to_owned();
    assert_eq!(ev_id.len(), 21, "{l}: {ev}");
    assert_ne!(ev_id, id, "{l}: {ev}");
    assert_eq!(
        ev,
        json!({"type": "close", "id": ev_id, "origin": format!("ws://127.0.0.1:{port}"), "code": 1006, "reason": "", "wasClean": false}),
        "{l}"
    );
    let r = c.call(9, "snap_getWebSockets", json!(null)).await;
    assert_eq!(r, json!({"jsonrpc": "2.0", "id": 9, "result": []}), "{l}");
    assert!(c.pending.is_empty(), "{l}: stray events {:?}", c.pending);

    drop(c);
    echo.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_sequence_over_stdio() {
    live_sequence(Transport::Stdio).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_sequence_over_gateway() {
    live_sequence(Transport::Gateway).await;
}
