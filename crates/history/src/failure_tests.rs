//! A history that cannot write, or cannot be read, says so: a failed batch reaches every
//! failure listener at once and leaves what was committed before intact; a damaged file is
//! refused at open with the command that moves it away.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use wsdeck_engine::{Direction, Event, EventKind, Payload};

use crate::{History, HistoryError, SessionFilter, SessionMeta, WriteFailure};

fn meta(url: &str) -> SessionMeta {
    SessionMeta {
        url: url.to_owned(),
        request_json: None,
        started_at: SystemTime::now(),
        secrets: vec![],
    }
}

/// `n` text messages of `size` bytes, numbered from `from`.
fn messages(from: u64, n: u64, size: usize) -> Vec<Event> {
    (from..from + n)
        .map(|seq| Event {
            seq,
            time: UNIX_EPOCH + Duration::from_millis(1_700_000_000_000 + seq),
            mono: Duration::from_micros(seq),
            kind: EventKind::Message {
                direction: Direction::In,
                payload: Payload::text("x".repeat(size)),
            },
        })
        .collect()
}

/// Failures heard by a listener.
fn listen(h: &History) -> Arc<Mutex<Vec<WriteFailure>>> {
    let heard = Arc::new(Mutex::new(Vec::new()));
    let sink = heard.clone();
    h.on_write_failure(move |f| sink.lock().unwrap().push(f.clone()));
    heard
}

#[test]
fn a_failed_batch_is_reported_at_once_and_earlier_sessions_stay_intact() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.db");
    let h = History::open(&path).unwrap();
    let heard = listen(&h);

    let kept = h.start_session(meta("ws://127.0.0.1:1/kept")).unwrap();
    h.record(kept, &messages(0, 50, 100)).unwrap();
    h.end_session(kept).unwrap();
    h.flush().expect("the first session is committed");

    // A real SQLite "database or disk is full": the file may not grow any more.
    let pages: i64 = h
        .write_conn()
        .query_row("PRAGMA page_count", [], |r| r.get(0))
        .unwrap();
    h.write_conn()
        .query_row(
            &format!("PRAGMA max_page_count = {}", pages + 2),
            [],
            |_| Ok(()),
        )
        .unwrap();
    let cut = h.start_session(meta("ws://127.0.0.1:1/cut")).unwrap();
    h.record(cut, &messages(0, 2_000, 1_000)).unwrap();
    let flushed = h.flush();
    let err = flushed.expect_err("the failed batch is reported to flush");
    assert!(err.to_string().contains("full"), "{err}");

    let failures = heard.lock().unwrap().clone();
    assert_eq!(failures.len(), 1, "heard once: {failures:?}");
    assert_eq!(failures[0].sessions, vec![cut]);
    assert_eq!(failures[0].lost_events, 2_000);
    let said = failures[0].to_string();
    assert!(
        said.contains("database or disk is full") && said.contains(&format!("session {cut} ")),
        "{said}"
    );
    assert!(
        !said.contains("SqliteFailure") && !said.contains("Some("),
        "{said}"
    );

    // Later events of the stopped session are not written (no gap in its middle), and no
    // second failure is reported for them.
    h.record(cut, &messages(2_000, 10, 10)).unwrap();
    h.end_session(cut).unwrap();
    h.flush()
        .expect("nothing more was attempted for the stopped session");
    assert_eq!(heard.lock().unwrap().len(), 1);

    // New sessions are recorded again once writing works.
    h.write_conn()
        .query_row("PRAGMA max_page_count = 1000000", [], |_| Ok(()))
        .unwrap();
    let after = h.start_session(meta("ws://127.0.0.1:1/after")).unwrap();
    h.record(after, &messages(0, 3, 10)).unwrap();
    h.end_session(after).unwrap();
    h.flush().expect("writing works again");
    drop(h);

    // The file reopens, and what was committed before the failure is whole.
    let again = History::open_existing(&path).unwrap();
    let listed = again.list_sessions(&SessionFilter::default()).unwrap();
    let by_url = |u: &str| listed.iter().find(|s| s.url.ends_with(u)).cloned().unwrap();
    assert_eq!(by_url("/kept").event_count, 50);
    assert!(by_url("/kept").ended_at_ms.is_some());
    assert_eq!(
        by_url("/cut").event_count,
        0,
        "the failed batch was rolled back"
    );
    assert_eq!(
        by_url("/cut").ended_at_ms,
        None,
        "the cut session is not shown as complete"
    );
    assert_eq!(by_url("/after").event_count, 3);
}

#[test]
fn a_file_of_random_bytes_is_refused_with_the_command_that_moves_it_away() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.db");
    let mut bytes = vec![0u8; 64 * 1024];
    let mut x: u32 = 0x1234_5678;
    for b in &mut bytes {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        *b = x as u8;
    }
    std::fs::write(&path, &bytes).unwrap();
    for opened in [History::open(&path), History::open_existing(&path)] {
        let err = opened.expect_err("random bytes are not a history");
        assert!(err.is_bad_file(), "{err:?}");
        let said = err.to_string();
        assert!(
            said.contains(&format!(
                "mv '{}' '{}.damaged-",
                path.display(),
                path.display()
            )),
            "{said}"
        );
    }
    assert_eq!(
        std::fs::read(&path).unwrap(),
        bytes,
        "the file is left as it was"
    );
}

#[test]
fn a_truncated_history_is_refused_with_the_command_that_moves_it_away() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.db");
    {
        let h = History::open(&path).unwrap();
        let id = h.start_session(meta("ws://127.0.0.1:1/a")).unwrap();
        h.record(id, &messages(0, 2_000, 500)).unwrap();
        h.end_session(id).unwrap();
        h.flush().unwrap();
    }
    let len = std::fs::metadata(&path).unwrap().len();
    assert!(len > 100_000, "a real database of {len} bytes");
    let file = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
    file.set_len(len / 2).unwrap();
    drop(file);
    for opened in [History::open(&path), History::open_existing(&path)] {
        let err = opened.expect_err("a truncated history is refused");
        assert!(matches!(err, HistoryError::Damaged { .. }), "{err:?}");
        assert!(err.to_string().contains("cut off"), "{err}");
        assert!(err.to_string().contains("mv '"), "{err}");
    }
}

#[test]
fn the_move_away_command_quotes_the_path_and_takes_the_side_files() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("it's history.db");
    std::fs::write(&path, b"x").unwrap();
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    std::fs::write(&wal, b"x").unwrap();
    let command = crate::error::move_away_command(&path);
    let quoted = format!("'{}'", path.display().to_string().replace('\'', "'\\''"));
    assert!(command.starts_with(&format!("mv {quoted} ")), "{command}");
    assert!(
        command.contains(" && mv "),
        "the -wal file moves too: {command}"
    );
    assert!(!command.contains("-shm"), "no -shm exists: {command}");
}

#[tokio::test]
async fn events_a_bounded_log_dropped_before_recording_are_reported_not_skipped_silently() {
    use wsdeck_engine::{Retention, SessionLog};
    let h = History::open_in_memory().unwrap();
    let heard = listen(&h);
    let log = Arc::new(SessionLog::new(
        Retention {
            max_events: 10,
            max_bytes: 1 << 20,
        },
        std::time::Instant::now(),
    ));
    // 100 events before the recorder reads any: the log keeps the last 10.
    for _ in 0..100 {
        log.append(EventKind::Message {
            direction: Direction::In,
            payload: Payload::text("x"),
        });
    }
    log.finish();
    let id = h.start_session(meta("ws://127.0.0.1:1/flood")).unwrap();
    let missed = crate::record_log(h.clone(), id, log).await.unwrap();
    assert_eq!(missed, 90);
    let failures = heard.lock().unwrap().clone();
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert_eq!(failures[0].sessions, vec![id]);
    assert_eq!(failures[0].lost_events, 90);
    assert!(!failures[0].stopped);
    let said = failures[0].to_string();
    assert!(said.contains("misses 90 events of session"), "{said}");
}

#[test]
fn damage_found_while_recording_says_how_to_move_the_file_away() {
    use std::io::{Seek, SeekFrom, Write};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.db");
    {
        let h = History::open(&path).unwrap();
        let id = h.start_session(meta("ws://127.0.0.1:1/a")).unwrap();
        h.record(id, &messages(0, 100, 100)).unwrap();
        h.end_session(id).unwrap();
        h.flush().unwrap();
    }
    // Damage the events table's root page only: the file opens, the sessions table works,
    // and the first write of events meets the damage.
    let (root, page_size): (i64, i64) = {
        let conn = rusqlite::Connection::open(&path).unwrap();
        let root = conn
            .query_row(
                "SELECT rootpage FROM sqlite_master WHERE name = 'events'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        let size = conn
            .query_row("PRAGMA page_size", [], |r| r.get(0))
            .unwrap();
        (root, size)
    };
    let mut file = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
    file.seek(SeekFrom::Start(((root - 1) * page_size) as u64))
        .unwrap();
    file.write_all(&vec![0xA5; page_size as usize]).unwrap();
    drop(file);

    let h = History::open(&path).unwrap();
    let heard = listen(&h);
    let id = h.start_session(meta("ws://127.0.0.1:1/b")).unwrap();
    h.record(id, &messages(0, 10, 10)).unwrap();
    assert!(h.flush().is_err());
    let failures = heard.lock().unwrap().clone();
    assert_eq!(failures.len(), 1, "{failures:?}");
    let said = failures[0].to_string();
    assert!(said.contains("damaged") && said.contains("mv '"), "{said}");
    assert!(!said.contains("Free disk space"), "{said}");
}
