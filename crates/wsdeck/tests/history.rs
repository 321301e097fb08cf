//! Black-box tests of the history in the binary: `wsdeck connect --record` writes it,
//! `wsdeck history` reads, searches, exports (JSON lines, HAR) and imports it; a recording
//! killed with SIGKILL in the middle of a 20k msg/s stream reopens with a gapless prefix.

mod common;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use common::Echo;
use serde_json::Value;

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
    let none = history(&db, &["search", "\"unterminated"]);
    assert_eq!(none.status.code(), Some(2));

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
