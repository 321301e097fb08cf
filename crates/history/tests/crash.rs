//! Crash safety: a child process records into a file and is killed with SIGKILL mid-flood.
//! The child is this test binary run again with `--exact crash_child` and an env var.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::*;
use wsdeck_engine::Direction;
use wsdeck_history::History;

const CHILD_ENV: &str = "WSDECK_HISTORY_CRASH_CHILD_DB";
const READY: &str = "CRASH-CHILD-READY";

/// The child role: records forever until killed. Does nothing in a normal test run.
#[test]
fn crash_child() {
    let Ok(path) = std::env::var(CHILD_ENV) else {
        return;
    };
    let h = History::open(&path).expect("child opens the history");
    let id = h.start_session(meta("ws://crash/")).expect("start");
    let mut seq = 0u64;
    let mut announced = false;
    loop {
        let batch: Vec<_> = (seq..seq + 500)
            .map(|s| event(s, text(Direction::In, &format!("crash test message {s}"))))
            .collect();
        seq += 500;
        h.record(id, &batch).expect("record");
        if !announced && seq >= 20_000 {
            h.flush().expect("flush");
            println!("{READY}");
            std::io::stdout().flush().ok();
            announced = true;
        }
    }
}

#[test]
fn kill_9_leaves_a_consistent_committed_prefix() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.db");
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "crash_child", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, &path)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn the child test binary");
    let stdout = child.stdout.take().unwrap();
    let ready = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .any(|l| l.contains(READY));
    assert!(ready, "the child never reported it was recording");
    // Let it record (and commit) a while longer, then kill it mid-write.
    std::thread::sleep(Duration::from_millis(400));
    child.kill().expect("SIGKILL the child");
    child.wait().unwrap();

    let conn = rusqlite::Connection::open(&path).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    let (n, min, max): (i64, i64, i64) = conn
        .query_row("SELECT count(*), min(seq), max(seq) FROM events", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    assert!(n >= 20_000, "at least what was flushed before READY: {n}");
    assert_eq!((min, max), (0, n - 1), "seqs 0..{n} without gaps");
    let counted: i64 = conn
        .query_row("SELECT event_count FROM sessions", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        counted, n,
        "the session's count is committed with its events"
    );
    conn.execute_batch("INSERT INTO message_fts (message_fts) VALUES ('integrity-check');")
        .expect("the full-text index matches the events");
    drop(conn);

    let h = History::open(&path).unwrap();
    let hits = h.search("\"message 0\"", 10).unwrap();
    assert_eq!(hits.len(), 1);
    println!("child was killed after committing {n} events");
}
