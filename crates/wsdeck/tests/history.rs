//! Black-box tests of the history in the binary: `wsdeck connect --record` writes it,
//! `wsdeck history` reads, searches, exports (JSON lines, HAR) and imports it; a recording
//! killed with SIGKILL in the middle of a 20k msg/s stream reopens with a gapless prefix.

mod common;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use common::Echo;
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_wsdeck");

struct Temp(PathBuf);

impl Temp {
    fn new(name: &str) -> Temp {
        let dir =
            std::env::temp_dir().join(format!("wsdeck-history-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("mkdir");
        Temp(dir)
    }

    fn db(&self) -> PathBuf {
        self.0.join("history.db")
    }
}

impl Drop for Temp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn history(db: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("history")
        .args(args)
        .arg("--history")
        .arg(db)
        .output()
        .expect("wsdeck history")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Every file and folder under `dir`.
fn tree(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read_dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            found.extend(tree(&path));
        }
        found.push(path);
    }
    found
}

#[test]
fn reading_a_history_that_does_not_exist_creates_nothing() {
    let tmp = Temp::new("missing");
    let typo = tmp.0.join("typo").join("dir").join("h.db");
    for args in [
        &["list"][..],
        &["search", "x"],
        &["show", "1"],
        &["export", "1"],
        &["retention"],
        &["delete", "1"],
        &["prune", "--max-mib", "1"],
    ] {
        let out = history(&typo, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stdout(&out));
        let said = stderr(&out);
        assert!(
            said.contains(&format!("no history database at {}", typo.display()))
                && said.contains("wsdeck connect --record"),
            "{args:?}: {said}"
        );
        assert!(stdout(&out).is_empty(), "{args:?}: {}", stdout(&out));
    }
    assert_eq!(tree(&tmp.0), Vec::<PathBuf>::new(), "nothing is created");

    // The default file not existing yet: nothing was recorded, and nothing is created.
    let run = |args: &[&str]| {
        Command::new(BIN)
            .arg("history")
            .args(args)
            .env("WSDECK_DATA_DIR", tmp.0.join("data"))
            .output()
            .expect("wsdeck history")
    };
    let list = run(&["list"]);
    assert!(list.status.success(), "{}", stderr(&list));
    assert!(
        stdout(&list).starts_with("no sessions recorded yet"),
        "{}",
        stdout(&list)
    );
    let unknown = run(&["show", "1"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        stderr(&unknown).contains("no session 1"),
        "{}",
        stderr(&unknown)
    );
    assert_eq!(tree(&tmp.0), Vec::<PathBuf>::new(), "nothing is created");

    // Commands that store something create it, readable by its owner only.
    let set = run(&["retention", "--max-age-days", "30"]);
    assert!(set.status.success(), "{}", stderr(&set));
    let db = tmp.0.join("data").join("history.db");
    assert!(db.exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&db).expect("db").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[test]
fn help_says_what_the_history_commands_do() {
    let help = |args: &[&str]| {
        let out = Command::new(BIN)
            .args(args)
            .output()
            .expect("wsdeck --help");
        assert!(out.status.success());
        stdout(&out)
    };
    let top = help(&["--help"]);
    let line = top
        .lines()
        .find(|l| l.trim_start().starts_with("history"))
        .expect("history in wsdeck --help");
    for word in [
        "list",
        "show",
        "search",
        "export",
        "import",
        "delete",
        "prune",
        "retention",
    ] {
        assert!(line.contains(word), "{word}: {line}");
    }
    let show = help(&["history", "show", "--help"]);
    // One event shape: show prints the lines connect --jsonl prints and the API returns.
    assert!(show.contains("wsdeck connect --jsonl prints"), "{show}");
    assert!(show.contains("wsdeck.history.events"), "{show}");
    let export = help(&["history", "export", "--help"]);
    assert!(!export.contains("(one session)"), "{export}");
}

/// A history holding one session (imported from a small HAR: no server needed).
fn seeded(tmp: &Temp) -> PathBuf {
    let har = tmp.0.join("seed.har");
    let doc = serde_json::json!({"log": {"version": "1.2", "entries": [
        {"request": {"url": "ws://seed.example/chat"}, "startedDateTime": "2026-01-01T00:00:00Z",
         "_webSocketMessages": [{"type": "send", "time": 1.5, "opcode": 1, "data": "hello seed"}]}
    ]}});
    std::fs::write(&har, doc.to_string()).expect("write HAR");
    let db = tmp.db();
    let imported = history(&db, &["import", har.to_str().expect("utf-8")]);
    assert!(imported.status.success(), "{}", stderr(&imported));
    db
}

#[test]
fn a_url_filter_that_matches_nothing_says_so() {
    let tmp = Temp::new("url");
    let db = seeded(&tmp);
    let filtered = history(&db, &["list", "--url", "nomatch"]);
    assert!(filtered.status.success(), "{}", stderr(&filtered));
    assert_eq!(
        stdout(&filtered).trim(),
        "no session's URL contains \"nomatch\"",
        "sessions exist, none matches"
    );
    assert!(stdout(&history(&db, &["list", "--url", "SEED"])).contains("ws://seed.example/chat"));
}

#[test]
fn empty_and_bad_searches_are_explained() {
    let tmp = Temp::new("search");
    let db = seeded(&tmp);
    let empty = history(&db, &["search", ""]);
    assert_eq!(empty.status.code(), Some(2));
    let said = stderr(&empty);
    assert!(said.contains("give a word to search for"), "{said}");
    assert!(!said.contains("fts5"), "{said}");
    for (query, why) in [
        ("seed AND", "ends too early"),
        ("AND OR", "is not expected there"),
    ] {
        let bad = history(&db, &["search", query]);
        assert_eq!(bad.status.code(), Some(2), "{query}");
        let said = stderr(&bad);
        assert!(
            said.contains("is not valid") && said.contains(why) && said.contains("prefix*"),
            "{query}: {said}"
        );
        assert!(!said.contains("fts5"), "{said}");
    }
    assert!(stdout(&history(&db, &["search", "seed"])).contains("«seed»"));
    // Text FTS5 would take for syntax (`-` and `(` here) is searched as the text it is.
    let literal = history(&db, &["search", "(seed-"]);
    assert_eq!(literal.status.code(), Some(0), "{}", stderr(&literal));
    assert!(stdout(&literal).contains("«seed»"), "{}", stdout(&literal));
}

#[test]
fn prune_refuses_zero_as_retention_does() {
    let tmp = Temp::new("prune");
    let db = seeded(&tmp);
    for flag in ["--max-mib", "--older-than-days"] {
        let zero = history(&db, &["prune", flag, "0"]);
        assert_eq!(zero.status.code(), Some(2), "{flag} 0");
        let said = stderr(&zero);
        assert!(
            said.contains("0 would delete every session") && said.contains("wsdeck history delete"),
            "{said}"
        );
    }
    let listed = stdout(&history(&db, &["list"]));
    assert_eq!(listed.lines().count(), 1, "nothing was deleted: {listed}");
    let pruned = history(&db, &["prune", "--max-mib", "1"]);
    assert!(
        stdout(&pruned).contains("deleted 0 session(s)"),
        "{}",
        stdout(&pruned)
    );
}

#[test]
fn recorded_sessions_are_listed_searched_exported_and_imported() {
    let echo = Echo::start();
    let tmp = Temp::new("cli");
    let db = tmp.db();
    let mut child = Command::new(BIN)
        .args([
            "connect",
            &echo.url("/echo"),
            "--exit-on-eof",
            "--record",
            "--history",
        ])
        .arg(&db)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("wsdeck connect");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"hello history\nsecond line\n")
        .expect("write");
    let out = child.wait_with_output().expect("exit");
    assert!(out.status.success(), "{}", stdout(&out));

    let list = history(&db, &["list"]);
    let text = stdout(&list);
    assert!(list.status.success(), "{text}");
    assert!(text.contains(&echo.url("/echo")), "{text}");
    let id = text.split_whitespace().next().expect("an id").to_owned();

    let found = history(&db, &["search", "history"]);
    assert!(stdout(&found).contains("«history»"), "{}", stdout(&found));
    let bad = history(&db, &["search", "history AND"]);
    assert_eq!(bad.status.code(), Some(2));

    let show = history(&db, &["show", &id]);
    let lines: Vec<Value> = stdout(&show)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    let messages: Vec<&Value> = lines.iter().filter(|v| v["type"] == "message").collect();
    assert_eq!(messages.len(), 4, "2 sent, 2 echoed: {lines:?}");

    let har = history(&db, &["export", &id, "--har"]);
    let doc: Value = serde_json::from_slice(&har.stdout).expect("HAR is JSON");
    assert_eq!(doc["log"]["version"], "1.2");
    let entry = &doc["log"]["entries"][0];
    assert_eq!(entry["response"]["status"], 101);
    assert_eq!(
        entry["_webSocketMessages"].as_array().map(Vec::len),
        Some(4)
    );
    let har_file = tmp.0.join("s.har");
    std::fs::write(&har_file, &har.stdout).expect("write HAR");
    let imported = history(&db, &["import", har_file.to_str().expect("utf-8")]);
    assert!(
        stdout(&imported).contains("imported 1 session"),
        "{}",
        stdout(&imported)
    );
    let listed = stdout(&history(&db, &["list"]));
    assert_eq!(listed.lines().count(), 2, "{listed}");
    // Newest first: the import is marked as one, the recorded session is not.
    let marks: Vec<bool> = listed
        .lines()
        .map(|l| l.ends_with("(imported from HAR)"))
        .collect();
    assert_eq!(marks, [true, false], "{listed}");

    let bad = tmp.0.join("bad.har");
    std::fs::write(&bad, "{\"log\": 1}").expect("write");
    let refused = history(&db, &["import", bad.to_str().expect("utf-8")]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("bad.har"));

    // Retention: none until set; a bad limit is refused; set, it is applied and shown.
    let shown = stdout(&history(&db, &["retention"]));
    assert!(
        shown.contains("keeps: no age limit, no size limit"),
        "{shown}"
    );
    assert!(shown.contains("holds: 2 session(s)"), "{shown}");
    let zero = history(&db, &["retention", "--max-mib", "0"]);
    assert_eq!(zero.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&zero.stderr).contains("at least 1"),
        "{}",
        String::from_utf8_lossy(&zero.stderr)
    );
    let set = stdout(&history(&db, &["retention", "--max-age-days", "30"]));
    assert!(set.contains("applied: deleted 0 session(s)"), "{set}");
    assert!(set.contains("keeps: 30 days, no size limit"), "{set}");
    let off = stdout(&history(&db, &["retention", "--max-age-days", "off"]));
    assert!(off.contains("keeps: no age limit"), "{off}");

    // Delete: all or none.
    let missing = history(&db, &["delete", &id, "999"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains("no session 999"),
        "{}",
        String::from_utf8_lossy(&missing.stderr)
    );
    assert_eq!(stdout(&history(&db, &["list"])).lines().count(), 2);
    let deleted = stdout(&history(&db, &["delete", &id]));
    assert!(deleted.contains("deleted 1 session(s)"), "{deleted}");
    assert_eq!(stdout(&history(&db, &["list"])).lines().count(), 1);
}

#[test]
fn a_recording_killed_mid_stream_keeps_a_gapless_prefix() {
    let echo = Echo::start();
    let tmp = Temp::new("crash");
    let db = tmp.db();
    let mut child = Command::new(BIN)
        .args([
            "connect",
            &echo.url("/stream?rate=20000&size=200&count=1000000"),
            "--record",
            "--history",
        ])
        .arg(&db)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .expect("wsdeck connect");
    std::thread::sleep(Duration::from_millis(2500));
    child.kill().expect("SIGKILL");
    let _ = child.wait();

    let list = history(&db, &["list"]);
    let text = stdout(&list);
    assert!(
        list.status.success(),
        "the database reopens after the kill: {text}"
    );
    let id = text
        .split_whitespace()
        .next()
        .expect("the session")
        .to_owned();
    let show = history(&db, &["show", &id]);
    let seqs: Vec<u64> = stdout(&show)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter_map(|v| v["seq"].as_u64())
        .collect();
    assert!(
        seqs.len() > 10_000,
        "only {} events were committed",
        seqs.len()
    );
    assert!(
        seqs.iter().enumerate().all(|(i, s)| *s == i as u64),
        "the committed events are not a gapless prefix"
    );
}

// ------------------------------------------------------------------ nothing lost silently

/// `wsdeck ARGS…` in a shell whose files may not grow past `bytes` (RLIMIT_FSIZE, with
/// SIGXFSZ ignored so that a write past it fails with EFBIG — a real write error, as on a
/// full disk — instead of killing the process).
fn limited(bytes: u64, args: &[&str]) -> Command {
    let mut script = String::from("trap '' XFSZ; ulimit -f \"$1\"; shift; exec \"$@\"");
    script.push('\n');
    let mut cmd = Command::new("sh");
    // `ulimit -f` counts 512-byte blocks in dash and 1024-byte ones in bash: 512 is the
    // smaller, so the limit is at least `bytes` either way.
    cmd.arg("-c")
        .arg(script)
        .arg("sh")
        .arg((bytes / 512).to_string())
        .arg(BIN)
        .args(args);
    cmd
}

/// The largest of the database's files, which the size limit must leave room above.
fn largest_db_file(db: &Path) -> u64 {
    ["", "-wal", "-shm"]
        .iter()
        .filter_map(|suffix| {
            let mut p = db.as_os_str().to_owned();
            p.push(suffix);
            std::fs::metadata(PathBuf::from(p)).ok().map(|m| m.len())
        })
        .max()
        .unwrap_or(0)
}

/// Records one short session (`/echo`, 2 messages each way) with `connect --record`.
fn record_one(echo: &Echo, db: &Path) {
    let mut child = Command::new(BIN)
        .args([
            "connect",
            &echo.url("/echo"),
            "--exit-on-eof",
            "--record",
            "--history",
        ])
        .arg(db)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("wsdeck connect");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"kept one\nkept two\n")
        .expect("write");
    assert!(child.wait().expect("exit").success());
}

/// The sessions `wsdeck history list` shows: (id, event count, url), and the exit status.
fn listed(db: &Path) -> (Vec<(i64, u64, String)>, Output) {
    let out = history(db, &["list"]);
    let rows = stdout(&out)
        .lines()
        .filter_map(|l| {
            let words: Vec<&str> = l.split_whitespace().collect();
            Some((
                words.first()?.parse().ok()?,
                words.get(3)?.parse().ok()?,
                (*words.last()?).to_owned(),
            ))
        })
        .collect();
    (rows, out)
}

#[test]
fn a_full_disk_under_connect_record_is_said_at_once_and_exits_10_keeping_what_was_recorded() {
    let echo = Echo::start();
    let tmp = Temp::new("full-connect");
    let db = tmp.db();
    record_one(&echo, &db);
    let room = largest_db_file(&db) + 256 * 1024;
    // 5,000 messages of 1,000 bytes: far more than the room left.
    let stream = echo.url("/stream?rate=50000&size=1000&count=5000");
    let out = limited(
        room,
        &[
            "connect",
            &stream,
            "--max-messages",
            "5000",
            "--record",
            "--history",
        ],
    )
    .arg(&db)
    .stdin(Stdio::null())
    .output()
    .expect("wsdeck connect");
    let said = stderr(&out);
    assert_eq!(
        out.status.code(),
        Some(10),
        "exit 10, recording failed: {said}"
    );
    assert!(
        said.contains("recording into the history") && said.contains("no longer recorded"),
        "{said}"
    );
    assert!(
        !said.contains("SqliteFailure") && !said.contains("Some("),
        "{said}"
    );
    // The session went on to the end: every message reached stdout.
    assert_eq!(stdout(&out).lines().count(), 5000);

    let (rows, list) = listed(&db);
    assert!(
        list.status.success(),
        "the database still opens: {}",
        stderr(&list)
    );
    let kept = rows
        .iter()
        .find(|(_, _, url)| url.ends_with("/echo"))
        .unwrap_or_else(|| panic!("the earlier session is listed: {rows:?}"));
    assert_eq!(kept.1, 9, "the earlier session is whole: {rows:?}");
    let show = history(&db, &["show", &kept.0.to_string()]);
    assert!(stdout(&show).contains("kept two"), "{}", stdout(&show));
}

/// A running `wsdeck serve --history`, its stderr collected, killed on drop.
struct Served {
    child: std::process::Child,
    port: u16,
    token: String,
    stderr: std::sync::mpsc::Receiver<String>,
}

impl Served {
    fn spawn(mut cmd: Command) -> Served {
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("wsdeck serve starts");
        let (tx, stderr) = std::sync::mpsc::channel();
        let err = child.stderr.take().expect("stderr");
        std::thread::spawn(move || {
            use std::io::BufRead as _;
            for line in std::io::BufReader::new(err).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let mut line = String::new();
        {
            use std::io::BufRead as _;
            let out = child.stdout.take().expect("stdout");
            std::io::BufReader::new(out)
                .read_line(&mut line)
                .expect("the URL line");
        }
        let url = line
            .trim()
            .strip_prefix("wsdeck gateway listening on ws://127.0.0.1:")
            .unwrap_or_else(|| panic!("wsdeck serve did not start: {line:?}"));
        let (port, token) = url.split_once("/rpc?token=").expect("url with token");
        Served {
            port: port.parse().expect("port"),
            token: token.to_owned(),
            child,
            stderr,
        }
    }

    /// The stderr lines so far (waiting up to `wait` for the first).
    fn said(&self, wait: Duration) -> String {
        let mut lines: Vec<String> = self.stderr.recv_timeout(wait).into_iter().collect();
        lines.extend(self.stderr.try_iter());
        lines.join("\n")
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve_args(db: &Path) -> Vec<String> {
    vec![
        "serve".into(),
        "--port".into(),
        "0".into(),
        "--grant".into(),
        "endowment:network-access".into(),
        "--grant".into(),
        "wsdeck:history".into(),
        "--history".into(),
        db.display().to_string(),
    ]
}

type Ws = tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>;

async fn rpc_client(port: u16, token: &str) -> Ws {
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("tcp connect");
    let (ws, _) =
        tokio_tungstenite::client_async(format!("ws://127.0.0.1:{port}/rpc?token={token}"), tcp)
            .await
            .expect("an authorized client connects");
    ws
}

/// Reads the client's texts until one satisfies `want` (at most `most` texts, each within
/// 10 s); every text read is returned.
async fn read_until(ws: &mut Ws, most: usize, want: impl Fn(&Value) -> bool) -> Vec<Value> {
    use futures_util::StreamExt as _;
    let mut seen = Vec::new();
    for _ in 0..most {
        let frame = tokio::time::timeout(Duration::from_secs(10), ws.next())
            .await
            .expect("a message in time")
            .expect("the connection stays open")
            .expect("a frame");
        let Ok(text) = frame.to_text() else { continue };
        let Ok(v) = serde_json::from_str::<Value>(text) else {
            continue;
        };
        let done = want(&v);
        seen.push(v);
        if done {
            return seen;
        }
    }
    panic!("not found in {most} texts: {:?}", seen.last());
}

fn is_history_error(v: &Value) -> bool {
    v["method"] == "wsdeck.historyError"
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

#[test]
fn a_full_disk_under_serve_history_is_notified_to_api_clients_and_said_on_stderr() {
    use futures_util::SinkExt as _;
    let echo = Echo::start();
    let tmp = Temp::new("full-serve");
    let db = tmp.db();
    record_one(&echo, &db);
    let room = largest_db_file(&db) + 256 * 1024;
    let args = serve_args(&db);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let served = Served::spawn(limited(room, &args));
    let stream = echo.url("/stream?rate=50000&size=1000&count=5000");
    runtime().block_on(async {
        let mut ws = rpc_client(served.port, &served.token).await;
        let open =
            json!({"jsonrpc": "2.0", "id": 1, "method": "wsdeck.open", "params": {"url": stream}});
        ws.send(tokio_tungstenite::tungstenite::Message::text(
            open.to_string(),
        ))
        .await
        .expect("send");
        let seen = read_until(&mut ws, 100_000, is_history_error).await;
        let note = seen.last().expect("the notification");
        assert_eq!(note["params"]["kind"], "writeFailed", "{note}");
        let message = note["params"]["message"].as_str().expect("a message");
        assert!(message.contains("recording into the history"), "{message}");
        assert!(note.get("id").is_none(), "a notification has no id: {note}");

        // A client that arrives later hears of it too.
        let mut late = rpc_client(served.port, &served.token).await;
        let seen = read_until(&mut late, 10, is_history_error).await;
        assert_eq!(seen.last().expect("told")["params"]["kind"], "writeFailed");
    });
    let said = served.said(Duration::from_secs(10));
    assert!(said.contains("recording into the history"), "{said}");
    drop(served);

    let (rows, list) = listed(&db);
    assert!(
        list.status.success(),
        "the database still opens: {}",
        stderr(&list)
    );
    assert!(
        rows.iter()
            .any(|(_, events, url)| url.ends_with("/echo") && *events == 9),
        "the earlier session is whole: {rows:?}"
    );
}

/// A history file of random bytes, and a real one cut in half.
fn damaged_histories(echo: &Echo, tmp: &Temp) -> Vec<PathBuf> {
    let random = tmp.0.join("random.db");
    let mut bytes = vec![0u8; 32 * 1024];
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for b in &mut bytes {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        *b = x as u8;
    }
    std::fs::write(&random, &bytes).expect("write");

    let truncated = tmp.0.join("truncated.db");
    let mut child = Command::new(BIN)
        .args([
            "connect",
            &echo.url("/stream?rate=50000&size=500&count=3000"),
            "--max-messages",
            "3000",
            "--record",
            "--history",
        ])
        .arg(&truncated)
        .stdout(Stdio::null())
        .spawn()
        .expect("connect");
    assert!(child.wait().expect("exit").success());
    // A clean close (this read's) folds the write-ahead log into the file; then the file
    // is cut in half.
    assert!(history(&truncated, &["list"]).status.success());
    let mut wal = truncated.as_os_str().to_owned();
    wal.push("-wal");
    assert!(
        !std::fs::metadata(PathBuf::from(wal)).is_ok_and(|m| m.len() > 0),
        "the write-ahead log was folded in"
    );
    let len = std::fs::metadata(&truncated).expect("db").len();
    assert!(len > 200_000, "a real history of {len} bytes");
    std::fs::OpenOptions::new()
        .write(true)
        .open(&truncated)
        .and_then(|f| f.set_len(len / 2))
        .expect("truncate");
    vec![random, truncated]
}

#[test]
fn history_list_on_a_damaged_database_says_so_in_one_line_and_exits_10() {
    let echo = Echo::start();
    let tmp = Temp::new("damaged-list");
    for db in damaged_histories(&echo, &tmp) {
        let out = history(&db, &["list"]);
        let said = stderr(&out);
        assert_eq!(out.status.code(), Some(10), "{said}");
        assert_eq!(said.trim_end().lines().count(), 1, "one line: {said}");
        assert!(
            said.contains(&format!("mv '{}' '{}.damaged-", db.display(), db.display())),
            "{said}"
        );
    }
}

#[test]
fn serve_starts_on_a_damaged_history_and_says_how_to_move_it_away() {
    let echo = Echo::start();
    let tmp = Temp::new("damaged-serve");
    for db in damaged_histories(&echo, &tmp) {
        let before = std::fs::read(&db).expect("db");
        let args = serve_args(&db);
        let mut cmd = Command::new(BIN);
        cmd.args(&args);
        let served = Served::spawn(cmd);
        let said = served.said(Duration::from_secs(10));
        assert!(
            said.contains("damaged") && said.contains(&format!("mv '{}'", db.display())),
            "{said}"
        );
        runtime().block_on(async {
            use futures_util::SinkExt as _;
            let mut ws = rpc_client(served.port, &served.token).await;
            let seen = read_until(&mut ws, 10, is_history_error).await;
            let note = seen.last().expect("told");
            assert_eq!(note["params"]["kind"], "unavailable", "{note}");
            assert!(
                note["params"]["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("mv '")),
                "{note}"
            );
            // Without a history, sessions still open and work.
            let open = json!({"jsonrpc": "2.0", "id": 7, "method": "wsdeck.open", "params": {"url": echo.url("/echo")}});
            ws.send(tokio_tungstenite::tungstenite::Message::text(open.to_string()))
                .await
                .expect("send");
            let seen = read_until(&mut ws, 50, |v| v["id"] == 7).await;
            let answer = seen.last().expect("answer");
            assert!(answer.get("result").is_some(), "{answer}");
            // The history methods say what is wrong rather than that there is no history.
            let list = json!({"jsonrpc": "2.0", "id": 8, "method": "wsdeck.history.list", "params": {}});
            ws.send(tokio_tungstenite::tungstenite::Message::text(list.to_string()))
                .await
                .expect("send");
            let seen = read_until(&mut ws, 50, |v| v["id"] == 8).await;
            let error = &seen.last().expect("answer")["error"];
            assert!(
                error["message"].as_str().is_some_and(|m| m.contains("mv '")),
                "{error}"
            );
        });
        drop(served);
        assert_eq!(
            std::fs::read(&db).expect("db"),
            before,
            "the damaged file is left as it was"
        );
    }
}

#[test]
fn the_workbench_starts_on_a_damaged_history_and_tells_the_page() {
    let echo = Echo::start();
    let tmp = Temp::new("damaged-ui");
    let assets = tmp.0.join("page");
    std::fs::create_dir_all(&assets).expect("mkdir");
    std::fs::write(
        assets.join("index.html"),
        "<!doctype html><title>wsdeck</title>",
    )
    .expect("write");
    for db in damaged_histories(&echo, &tmp) {
        let mut child = Command::new(BIN)
            .args(["ui", "--no-open", "--port", "0", "--assets"])
            .arg(&assets)
            .arg("--history")
            .arg(&db)
            .env("WSDECK_DATA_DIR", tmp.0.join("data"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("wsdeck ui");
        let mut line = String::new();
        {
            use std::io::BufRead as _;
            std::io::BufReader::new(child.stdout.take().expect("stdout"))
                .read_line(&mut line)
                .expect("the address line");
        }
        let address = line
            .trim()
            .strip_prefix("wsdeck workbench: ")
            .map(str::to_owned);
        let Some(address) = address else {
            let _ = child.kill();
            let out = child.wait_with_output().expect("exit");
            panic!("wsdeck ui did not start: {line:?} {}", stderr(&out));
        };
        let (base, fragment) = address.split_once("/#").expect("a fragment");
        let port: u16 = base
            .trim_start_matches("http://127.0.0.1:")
            .parse()
            .expect("port");
        let token = url::form_urlencoded::parse(fragment.as_bytes())
            .find(|(k, _)| k == "token")
            .map(|(_, v)| v.into_owned())
            .expect("token");
        let note = runtime().block_on(async {
            let mut ws = rpc_client(port, &token).await;
            read_until(&mut ws, 10, is_history_error)
                .await
                .pop()
                .expect("told")
        });
        let _ = child.kill();
        let out = child.wait_with_output().expect("exit");
        assert_eq!(note["params"]["kind"], "unavailable", "{note}");
        let message = note["params"]["message"].as_str().unwrap_or_default();
        assert!(
            message.contains(&format!("mv '{}'", db.display())),
            "{message}"
        );
        let said = stderr(&out);
        assert!(said.contains(&format!("mv '{}'", db.display())), "{said}");
    }
}

#[test]
fn a_full_disk_under_run_record_exits_10_and_says_so() {
    let echo = Echo::start();
    let tmp = Temp::new("full-run");
    let db = tmp.db();
    record_one(&echo, &db);
    let ws = tmp.0.join("ws");
    std::fs::create_dir_all(ws.join("collections")).expect("mkdir");
    std::fs::write(
        ws.join("collections/flood.wsdeck.toml"),
        format!(
            "name = \"flood\"\nurl = \"{}\"\n\n[[messages]]\nname = \"hi\"\nformat = \"text\"\nbody = \"hi\"\n",
            echo.url("/stream?rate=50000&size=1000&count=5000")
        ),
    )
    .expect("request file");
    let room = largest_db_file(&db) + 256 * 1024;
    let out = limited(
        room,
        &["run", "flood", "--wait", "1500", "--record", "--history"],
    )
    .arg(&db)
    .arg("--workspace")
    .arg(&ws)
    .env("WSDECK_DATA_DIR", tmp.0.join("data"))
    .stdin(Stdio::null())
    .output()
    .expect("wsdeck run");
    let said = stderr(&out);
    assert_eq!(
        out.status.code(),
        Some(10),
        "exit 10, recording failed: {said}"
    );
    assert!(said.contains("recording into the history"), "{said}");
    let (rows, list) = listed(&db);
    assert!(list.status.success(), "{}", stderr(&list));
    assert!(
        rows.iter()
            .any(|(_, events, url)| url.ends_with("/echo") && *events == 9),
        "the earlier session is whole: {rows:?}"
    );
}
