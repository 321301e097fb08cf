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
    assert!(!show.contains("like wsdeck connect --jsonl"), "{show}");
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
