//! Black-box tests of `wsdeck ui`'s server: the real binary on 127.0.0.1 serving a page from
//! `--assets DIR` and the gateway the page drives. (The page itself is tested in a real
//! browser by `ui/e2e`.)

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

const BIN: &str = env!("CARGO_BIN_EXE_wsdeck");
const STEP: Duration = Duration::from_secs(10);

/// A running `wsdeck ui`, killed on drop, with the lines it printed first.
struct Ui {
    child: Child,
    lines: Vec<String>,
}

impl Ui {
    fn spawn(args: &[&str], lines: usize) -> Ui {
        Ui::spawn_command(Command::new(BIN), args, lines)
    }

    /// `wsdeck ui` with its open-file limit (soft and hard) set to `open_files`.
    fn spawn_with_open_file_limit(open_files: u32, args: &[&str], lines: usize) -> Ui {
        let mut shell = Command::new("sh");
        shell
            .arg("-c")
            .arg(format!("ulimit -n {open_files} && exec \"$0\" \"$@\""))
            .arg(BIN);
        Ui::spawn_command(shell, args, lines)
    }

    fn spawn_command(mut command: Command, args: &[&str], lines: usize) -> Ui {
        let mut child = command
            .arg("ui")
            .args(["--no-open"])
            .args(args)
            // Never the user's own data folder (the workspace lives there by default).
            .env(
                "WSDECK_DATA_DIR",
                std::env::temp_dir().join("wsdeck-ui-tests-data"),
            )
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("wsdeck ui starts");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            for _ in 0..lines {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    break;
                }
                let _ = tx.send(line.trim_end().to_owned());
            }
        });
        let lines = (0..lines)
            .map(|_| rx.recv_timeout(STEP).expect("wsdeck ui prints its lines"))
            .collect();
        Ui { child, lines }
    }

    /// `http://127.0.0.1:PORT/` and the fragment's pairs.
    fn address(&self) -> (String, Vec<(String, String)>) {
        let url = self.lines[0]
            .strip_prefix("wsdeck workbench: ")
            .unwrap_or_else(|| panic!("unexpected first line: {:?}", self.lines[0]));
        let (base, fragment) = url.split_once('#').expect("a #fragment");
        let pairs = url::form_urlencoded::parse(fragment.as_bytes())
            .into_owned()
            .collect();
        (base.to_owned(), pairs)
    }

    fn port(&self) -> u16 {
        let (base, _) = self.address();
        base.trim_start_matches("http://127.0.0.1:")
            .trim_end_matches('/')
            .parse()
            .expect("port")
    }

    fn token(&self) -> String {
        let (_, pairs) = self.address();
        pairs
            .into_iter()
            .find(|(k, _)| k == "token")
            .map(|(_, v)| v)
            .expect("token")
    }
}

impl Drop for Ui {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A directory with a tiny built page.
fn page_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wsdeck-ui-{name}-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("assets")).expect("mkdir");
    std::fs::write(
        dir.join("index.html"),
        "<!doctype html><title>wsdeck</title>",
    )
    .expect("write");
    std::fs::write(dir.join("assets/app-1234.js"), "console.log(1)").expect("write");
    dir
}

/// One HTTP/1.1 GET with a chosen Host; the status code and the whole response.
fn get(port: u16, path: &str, host: &str) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(STEP)).expect("timeout");
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .expect("write");
    let mut out = String::new();
    s.read_to_string(&mut out).expect("read");
    let status = out
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .expect("status");
    (status, out)
}

#[test]
fn serves_the_page_with_a_strict_policy_only_to_its_own_host() {
    let dir = page_dir("page");
    let ui = Ui::spawn(
        &["--port", "0", "--assets", dir.to_str().expect("utf-8")],
        1,
    );
    let port = ui.port();
    assert_eq!(ui.token().len(), 43);
    let host = format!("127.0.0.1:{port}");

    let (status, page) = get(port, "/", &host);
    assert_eq!(status, 200, "{page}");
    let lower = page.to_ascii_lowercase();
    assert!(lower.contains("content-type: text/html"), "{page}");
    assert!(
        lower.contains("content-security-policy: default-src 'self'"),
        "{page}"
    );
    assert!(lower.contains("cache-control: no-cache"), "{page}");
    assert!(
        page.ends_with("<!doctype html><title>wsdeck</title>"),
        "{page}"
    );

    let (status, js) = get(port, "/assets/app-1234.js", &format!("localhost:{port}"));
    assert_eq!(status, 200);
    assert!(js.to_ascii_lowercase().contains("immutable"), "{js}");

    assert_eq!(get(port, "/nope.js", &host).0, 404);
    assert_eq!(get(port, "/../Cargo.toml", &host).0, 404);
    // DNS rebinding: a page of another site resolving to 127.0.0.1 is refused everywhere.
    let (status, body) = get(port, "/", "evil.example:80");
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("Host header"), "{body}");
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn demo_opens_the_echo_server_and_the_page_may_connect() {
    let dir = page_dir("demo");
    let ui = Ui::spawn(
        &[
            "--port",
            "0",
            "--demo",
            "--assets",
            dir.to_str().expect("utf-8"),
        ],
        2,
    );
    let (_, pairs) = ui.address();
    let get_pair = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
    };
    let demo_url = get_pair("url").expect("url in the fragment");
    assert!(demo_url.starts_with("ws://127.0.0.1:"), "{demo_url}");
    assert_eq!(get_pair("connect").as_deref(), Some("1"));
    assert!(
        ui.lines[1].starts_with("demo echo server: ws://127.0.0.1:"),
        "{:?}",
        ui.lines
    );

    // The page's own origin may use the gateway, and the caller may open connections.
    let port = ui.port();
    let mut req = tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(
        format!("ws://127.0.0.1:{port}/rpc?token={}", ui.token()),
    )
    .expect("request");
    req.headers_mut().insert(
        "Origin",
        format!("http://127.0.0.1:{port}").parse().expect("origin"),
    );
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("tcp");
    let (mut ws, _) = tokio::time::timeout(STEP, tokio_tungstenite::client_async(req, tcp))
        .await
        .expect("in time")
        .expect("upgrade");
    let open =
        json!({"jsonrpc": "2.0", "id": 1, "method": "wsdeck.open", "params": {"url": demo_url}});
    ws.send(Message::text(open.to_string()))
        .await
        .expect("send");
    let answer = loop {
        let frame = tokio::time::timeout(STEP, ws.next())
            .await
            .expect("an answer in time")
            .expect("frame")
            .expect("ok");
        let v: Value = serde_json::from_str(frame.to_text().expect("text")).expect("json");
        if v["id"] == 1 {
            break v;
        }
    };
    assert!(answer["result"]["id"].is_string(), "{answer}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn keep_token_reuses_the_token_across_runs() {
    let dir = page_dir("keep");
    let file = dir.join("token");
    let args = [
        "--port",
        "0",
        "--assets",
        dir.to_str().expect("utf-8"),
        "--keep-token",
        file.to_str().expect("utf-8"),
    ];
    let first = Ui::spawn(&args, 1).token();
    let second = Ui::spawn(&args, 1).token();
    assert_eq!(first, second);
    use std::os::unix::fs::PermissionsExt as _;
    let mode = std::fs::metadata(&file)
        .expect("token file")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);

    std::fs::write(&file, "not a token\n").expect("write");
    let out = Command::new(BIN)
        .env(
            "WSDECK_DATA_DIR",
            std::env::temp_dir().join("wsdeck-ui-tests-data"),
        )
        .args(["ui", "--no-open"])
        .args(args)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("does not hold a wsdeck token"), "{err}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_directory_without_a_page_is_a_usage_error_that_says_how_to_build_it() {
    let dir = std::env::temp_dir().join(format!("wsdeck-ui-empty-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("mkdir");
    let out = Command::new(BIN)
        .args(["ui", "--no-open", "--assets", dir.to_str().expect("utf-8")])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("has no index.html") && err.contains("npm run build"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_flood_of_half_open_requests_leaves_the_page_and_the_gateway_reachable() {
    // More half-open connections than `wsdeck ui` has file descriptors.
    const OPEN_FILES: u32 = 128;
    const FLOOD: usize = 300;
    let dir = page_dir("flood");
    let ui = Ui::spawn_with_open_file_limit(
        OPEN_FILES,
        &[
            "--port",
            "0",
            "--no-history",
            "--assets",
            dir.to_str().expect("utf-8"),
        ],
        1,
    );
    let port = ui.port();
    let host = format!("127.0.0.1:{port}");
    let mut flood = Vec::with_capacity(FLOOD);
    for _ in 0..FLOOD {
        let address = std::net::SocketAddr::from(([127, 0, 0, 1], port));
        let mut tcp = TcpStream::connect_timeout(&address, STEP)
            .expect("wsdeck keeps accepting connections during the flood");
        // Ignored: wsdeck may already have closed it to make room.
        let _ = tcp.write_all(b"GET / HTTP/1.1\r\n");
        flood.push(tcp);
    }
    let (status, page) = get(port, "/", &host);
    assert_eq!(status, 200, "{page}");

    // The page's WebSocket, token in hand, is upgraded too.
    let mut ws = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    ws.set_read_timeout(Some(STEP)).expect("timeout");
    write!(
        ws,
        "GET /rpc?token={} HTTP/1.1\r\nHost: {host}\r\nOrigin: http://{host}\r\n\
         Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
        ui.token()
    )
    .expect("write");
    let mut head = [0u8; 12];
    ws.read_exact(&mut head).expect("an answer");
    assert_eq!(&head, b"HTTP/1.1 101", "{}", String::from_utf8_lossy(&head));
    drop(flood);
    let _ = std::fs::remove_dir_all(dir);
}
