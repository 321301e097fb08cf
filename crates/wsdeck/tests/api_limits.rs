//! The API's byte limits end to end: the real `wsdeck serve` and `wsdeck ui` binaries on
//! 127.0.0.1, driven by a tokio-tungstenite client. The probes of issue 11 ("a few small
//! requests make the process allocate gigabytes") are re-run and the process's peak memory
//! (`VmHWM`, read once everything was answered) is what is asserted.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

const BIN: &str = env!("CARGO_BIN_EXE_wsdeck");
const STEP: Duration = Duration::from_secs(30);

type Ws = WebSocketStream<TcpStream>;

/// A running `wsdeck` server (serve or ui), killed on drop.
struct Server {
    child: Child,
    port: u16,
    token: String,
}

impl Server {
    fn serve() -> Server {
        let mut child = Command::new(BIN)
            .args(["serve", "--port", "0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("wsdeck serve starts");
        let line = first_line(&mut child);
        let rest = line
            .trim()
            .strip_prefix("wsdeck gateway listening on ws://127.0.0.1:")
            .unwrap_or_else(|| panic!("unexpected first line: {line:?}"));
        let (port, token) = rest.split_once("/rpc?token=").expect("url with token");
        Server {
            port: port.parse().expect("port"),
            token: token.to_owned(),
            child,
        }
    }

    fn ui() -> Server {
        let dir = std::env::temp_dir().join(format!("wsdeck-api-limits-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("mkdir");
        std::fs::write(dir.join("index.html"), "<!doctype html><title>t</title>").expect("page");
        let mut child = Command::new(BIN)
            .args(["ui", "--no-open", "--no-history", "--assets"])
            .arg(&dir)
            .env("WSDECK_DATA_DIR", dir.join("data"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("wsdeck ui starts");
        let line = first_line(&mut child);
        let url = line
            .trim()
            .strip_prefix("wsdeck workbench: http://127.0.0.1:")
            .unwrap_or_else(|| panic!("unexpected first line: {line:?}"));
        let (port, fragment) = url.split_once("/#").expect("a #fragment");
        let token = url::form_urlencoded::parse(fragment.as_bytes())
            .find(|(k, _)| k == "token")
            .map(|(_, v)| v.into_owned())
            .expect("token");
        Server {
            port: port.parse().expect("port"),
            token,
            child,
        }
    }

    async fn client(&self) -> Ws {
        let request = format!("ws://127.0.0.1:{}/rpc?token={}", self.port, self.token)
            .into_client_request()
            .expect("request");
        let tcp = TcpStream::connect(("127.0.0.1", self.port))
            .await
            .expect("tcp connect");
        // Accept any answer size: what the server sends is what is measured.
        let config = WebSocketConfig::default()
            .max_message_size(None)
            .max_frame_size(None);
        tokio_tungstenite::client_async_with_config(request, tcp, Some(config))
            .await
            .expect("authorized upgrade")
            .0
    }

    /// The most memory the process has held (`VmHWM`), in KiB.
    fn peak_kib(&self) -> u64 {
        let status =
            std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).expect("status");
        let line = status
            .lines()
            .find(|l| l.starts_with("VmHWM:"))
            .expect("VmHWM");
        line.split_whitespace()
            .nth(1)
            .and_then(|n| n.parse().ok())
            .expect("a number")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn first_line(child: &mut Child) -> String {
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        let _ = reader.read_line(&mut line);
        let _ = tx.send(line);
        // Keep draining so the server never blocks on its stdout.
        let mut rest = String::new();
        while reader.read_line(&mut rest).unwrap_or(0) > 0 {
            rest.clear();
        }
    });
    rx.recv_timeout(STEP)
        .expect("the server prints its address")
}

/// The next text frame.
async fn next_text(ws: &mut Ws) -> String {
    loop {
        let msg = tokio::time::timeout(STEP, ws.next())
            .await
            .expect("a frame in time")
            .expect("stream open")
            .expect("frame");
        match msg {
            Message::Text(t) => return t.as_str().to_owned(),
            Message::Ping(_) | Message::Pong(_) => {}
            other => panic!("unexpected frame {other:?}"),
        }
    }
}

/// The probe: `rpc.discover` (no permission needed) batched ×1,000, twenty times, not read
/// until all were sent. Before, `wsdeck serve` reached 1.6 GB.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_twenty_unread_batches_of_discover_stay_bounded() {
    let server = Server::serve();
    let ws = server.client().await;
    let calls: Vec<String> = (0..1000)
        .map(|i| format!(r#"{{"jsonrpc":"2.0","id":{i},"method":"rpc.discover"}}"#))
        .collect();
    let batch = format!("[{}]", calls.join(","));
    let (mut sink, mut stream) = ws.split();
    let sender = tokio::spawn(async move {
        for _ in 0..20 {
            sink.send(Message::text(batch.clone())).await.expect("send");
        }
        sink
    });
    // Read only now: twenty batch answers, each within the answer limit.
    let mut refused = 0;
    for _ in 0..20 {
        let msg = tokio::time::timeout(STEP, stream.next())
            .await
            .expect("an answer in time")
            .expect("open")
            .expect("frame");
        let Message::Text(text) = msg else {
            panic!("not text: {msg:?}")
        };
        assert!(text.len() <= 16 << 20, "an answer of {} bytes", text.len());
        let answers: Vec<Value> = serde_json::from_str(text.as_str()).expect("JSON");
        assert_eq!(answers.len(), 1000);
        refused += answers
            .iter()
            .filter(|a| a["error"]["code"] == -32005)
            .count();
    }
    assert!(refused > 0, "the limit was reached");
    let sink = sender.await.expect("sender");
    drop(sink.reunite(stream));
    let peak = server.peak_kib();
    eprintln!("wsdeck serve peak: {peak} KiB");
    assert!(
        peak < 400 * 1024,
        "wsdeck serve peaked at {peak} KiB for twenty unread batches"
    );
}

/// The probe: `wsdeck.format.hexdump` with width 1 on 6 MB through the `wsdeck ui` gateway
/// (which takes requests of up to 128 MiB). Before, the process grew by 5.3 GiB.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ui_refuses_a_hexdump_of_width_one_on_six_megabytes() {
    let server = Server::ui();
    let mut ws = server.client().await;
    let bytes: Vec<u8> = (0..6_000_000u32).map(|i| (i % 251) as u8).collect();
    let request = json!({
        "jsonrpc": "2.0", "id": 1, "method": "wsdeck.format.hexdump",
        "params": {"base64": wsdeck_format::binary::encode_base64(&bytes), "width": 1},
    });
    ws.send(Message::text(request.to_string()))
        .await
        .expect("send");
    let answer: Value = serde_json::from_str(&next_text(&mut ws).await).expect("JSON");
    assert_eq!(answer["id"], 1);
    assert_eq!(answer["error"]["code"], -32005, "{answer}");
    assert_eq!(answer["error"]["data"]["limit"], "response_bytes");
    let message = answer["error"]["message"].as_str().expect("message");
    assert!(message.contains("wider width"), "{message}");
    let peak = server.peak_kib();
    eprintln!("wsdeck ui peak: {peak} KiB");
    assert!(
        peak < 512 * 1024,
        "wsdeck ui peaked at {peak} KiB for one hexdump"
    );
}
