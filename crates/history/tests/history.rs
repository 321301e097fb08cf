mod common;

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use common::*;
use wsdeck_engine::{Direction, Retention, SessionLog};
use wsdeck_history::{Format, History, HistoryError, SessionFilter, record_log};

#[test]
fn round_trip_record_list_events() {
    let h = History::open_in_memory().unwrap();
    let a = record_session(&h, "ws://127.0.0.1:9001/chat?token=s3cret", 10);
    let b = record_session(&h, "ws://other.example/feed", 3);

    let all = h.list_sessions(&SessionFilter::default()).unwrap();
    assert_eq!(all.iter().map(|s| s.id).collect::<Vec<_>>(), vec![b, a]);
    let s = h.session(a).unwrap();
    assert_eq!(s.event_count, 16);
    assert_eq!(s.url, "ws://127.0.0.1:9001/chat?token=****");
    assert_eq!(s.close_code, Some(1000));
    assert_eq!(s.close_reason.as_deref(), Some("bye"));
    assert_eq!(s.started_at_ms, T0_MS as i64);
    assert_eq!(s.ended_at_ms, Some(T0_MS as i64 + 15));
    let hs = s.handshake.unwrap();
    assert_eq!(hs["protocol"], "chat");
    let text = hs.to_string();
    assert!(!text.contains("s3cret"), "secrets masked: {text}");
    assert_eq!(hs["request"]["headers"][1][1], "Bearer ****");
    assert!(!s.request.unwrap().to_string().contains("s3cret"));

    let events = h.events(a, 0, 1000).unwrap();
    assert_eq!(events.len(), 16);
    assert!(events.iter().enumerate().all(|(i, e)| e.seq == i as u64));
    assert_eq!(events[0].kind, "connecting");
    assert_eq!(events[1].kind, "open");
    let m = &events[2];
    assert_eq!(m.kind, "message");
    assert_eq!(m.direction, Some(Direction::Out));
    assert_eq!(m.format, Some(Format::Text));
    assert_eq!(m.payload, b"message number 0 about bananas");
    assert_eq!(m.size, 30);
    assert_eq!(m.time_ms, T0_MS as i64 + 2);
    assert_eq!(m.mono_us, 2007);
    assert_eq!(events[12].format, Some(Format::Binary));
    assert_eq!(events[12].payload, vec![0, 159, 146, 150, 255]);
    assert_eq!(events[15].detail.as_ref().unwrap()["initiator"], "local");

    // Paging and filters.
    let page = h.events(a, 5, 3).unwrap();
    assert_eq!(
        page.iter().map(|e| e.seq).collect::<Vec<_>>(),
        vec![5, 6, 7]
    );
    let f = SessionFilter {
        url_contains: Some("OTHER".into()),
        ..Default::default()
    };
    assert_eq!(h.list_sessions(&f).unwrap().len(), 1);
    let f = SessionFilter {
        before_id: Some(b),
        limit: 10,
        ..Default::default()
    };
    assert_eq!(h.list_sessions(&f).unwrap()[0].id, a);
    assert!(matches!(
        h.events(999, 0, 10),
        Err(HistoryError::UnknownSession(999))
    ));

    // Recording the same events again changes nothing.
    h.record(a, &session_events("ws://x", 10)).unwrap();
    h.flush().unwrap();
    assert_eq!(h.session(a).unwrap().event_count, 16);
    assert_eq!(h.events(a, 0, 1000).unwrap().len(), 16);
}

#[test]
fn record_log_reads_a_whole_session_log() {
    let h = History::open_in_memory().unwrap();
    let log = Arc::new(SessionLog::new(Retention::default(), Instant::now()));
    for e in session_events("ws://127.0.0.1/log", 2500) {
        log.append(e.kind);
    }
    log.finish();
    let id = h.start_session(meta("ws://127.0.0.1/log")).unwrap();
    let missed = block_on(record_log(h.clone(), id, log)).unwrap();
    assert_eq!(missed, 0);
    h.flush().unwrap();
    let s = h.session(id).unwrap();
    assert_eq!(s.event_count, 2506);
    assert!(s.ended_at_ms.is_some());
    let events = h.events(id, 0, 10_000).unwrap();
    assert_eq!(events.len(), 2506);
    assert_eq!(events.last().unwrap().kind, "closed");
}

#[test]
fn record_log_follows_a_live_log() {
    let h = History::open_in_memory().unwrap();
    let log = Arc::new(SessionLog::new(Retention::default(), Instant::now()));
    let id = h.start_session(meta("ws://127.0.0.1/live")).unwrap();
    let task = {
        let (h, log) = (h.clone(), log.clone());
        std::thread::spawn(move || block_on(record_log(h, id, log)))
    };
    for e in session_events("ws://127.0.0.1/live", 300) {
        log.append(e.kind);
        if e.seq % 50 == 0 {
            std::thread::sleep(Duration::from_millis(1));
        }
    }
    log.finish();
    assert_eq!(task.join().unwrap().unwrap(), 0);
    h.flush().unwrap();
    assert_eq!(h.session(id).unwrap().event_count, 306);
}

/// 200,000 messages through the writer as fast as it takes them (into a file, WAL).
#[test]
fn records_a_flood_in_full() {
    const N: u64 = 200_000;
    let dir = tempfile::tempdir().unwrap();
    let h = History::open(dir.path().join("sub/history.db")).unwrap();
    let id = h.start_session(meta("ws://127.0.0.1/flood")).unwrap();
    let payload = r#"{"type":"tick","n":12345,"price":101.25,"symbol":"WSDK"}"#;
    let started = Instant::now();
    let mut batch = Vec::with_capacity(1000);
    for seq in 0..N {
        let dir = if seq % 2 == 0 {
            Direction::In
        } else {
            Direction::Out
        };
        batch.push(event(seq, text(dir, payload)));
        if batch.len() == 1000 {
            h.record(id, &batch).unwrap();
            batch.clear();
        }
    }
    h.record(id, &batch).unwrap();
    h.flush().unwrap();
    let elapsed = started.elapsed();
    let s = h.session(id).unwrap();
    assert_eq!(s.event_count, N);
    assert_eq!(h.events(id, N - 1, 10).unwrap().len(), 1);
    println!(
        "recorded {N} messages ({} bytes each, FTS-indexed) in {:.2?}: {:.0} msg/s",
        payload.len(),
        elapsed,
        N as f64 / elapsed.as_secs_f64()
    );
    let hits = h.search("tick", 5).unwrap();
    assert_eq!(hits.len(), 5);
}

#[test]
fn full_text_search_and_bad_queries() {
    let h = History::open_in_memory().unwrap();
    let a = record_session(&h, "ws://a/", 4);
    let b = h.start_session(meta("ws://b/")).unwrap();
    h.record(
        b,
        &[
            event(0, text(Direction::In, "the quick brown fox")),
            event(1, text(Direction::In, "jumps over the lazy dog")),
            event(2, binary(Direction::In, b"fox in binary is not indexed")),
        ],
    )
    .unwrap();
    h.flush().unwrap();

    let hits = h.search("fox", 10).unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!((hits[0].session_id, hits[0].seq), (b, 0));
    assert!(hits[0].snippet.contains("«fox»"), "{}", hits[0].snippet);
    let hits = h.search("bananas", 100).unwrap();
    assert_eq!(hits.len(), 4);
    assert!(hits.iter().all(|x| x.session_id == a));
    assert_eq!(h.search("\"number 3\"", 10).unwrap()[0].seq, 5);
    assert_eq!(h.search("laz*", 10).unwrap()[0].seq, 1);
    assert!(h.search("zebra", 10).unwrap().is_empty());

    // What FTS5 would read as syntax is searched as the text it is.
    h.record(
        b,
        &[event(
            3,
            text(
                Direction::In,
                r#"{"user": "first-session", "id": "7a36-b8da"}"#,
            ),
        )],
    )
    .unwrap();
    h.flush().unwrap();
    for literal in [
        "first-session",
        "7a36-b8da",
        "user:",
        r#"{"user""#,
        "(first-session",
        "\"first-session",
    ] {
        let hits = h
            .search(literal, 10)
            .unwrap_or_else(|e| panic!("{literal:?}: {e}"));
        assert_eq!(
            hits.iter().map(|x| x.seq).collect::<Vec<_>>(),
            [3],
            "{literal:?}"
        );
    }
    assert_eq!(h.search("fox)", 10).unwrap()[0].seq, 0);
    assert!(h.search("nothing-like-this", 10).unwrap().is_empty());

    for bad in ["AND OR", "fox AND", "NOT fox", "fox OR NOT"] {
        match h.search(bad, 10) {
            Err(e @ HistoryError::BadQuery { .. }) => {
                let msg = e.to_string();
                assert!(msg.contains(bad), "{msg}");
                assert!(msg.contains("is not valid"), "{msg}");
                assert!(
                    msg.contains("words, \"phrases\", AND/OR/NOT and prefix*"),
                    "the syntax is named: {msg}"
                );
                assert!(msg.contains("double quotes"), "{msg}");
                assert!(!msg.contains("fts5:"), "FTS5's own wording: {msg}");
            }
            other => panic!("{bad:?}: {other:?}"),
        }
    }
    // FTS5 says `syntax error near ""` for these, naming nothing.
    let msg = h.search("fox AND", 10).unwrap_err().to_string();
    assert!(msg.contains("ends too early"), "{msg}");
    for empty in ["", "  "] {
        match h.search(empty, 10) {
            Err(e @ HistoryError::BadQuery { .. }) => {
                let msg = e.to_string();
                assert!(msg.starts_with("give a word to search for"), "{msg}");
                assert!(!msg.contains("near"), "{msg}");
            }
            other => panic!("{empty:?}: {other:?}"),
        }
    }
}

#[test]
fn retention_by_age_and_size() {
    let h = History::open_in_memory().unwrap();
    let now = SystemTime::now();
    let day = Duration::from_secs(86_400);
    let mut ids = Vec::new();
    for (i, age) in [10u32, 5, 1, 0].into_iter().enumerate() {
        let id = h
            .start_session(meta_at(&format!("ws://h/{i}"), now - day * age))
            .unwrap();
        let events: Vec<_> = (0..10)
            .map(|s| wsdeck_engine::Event {
                time: now - day * age,
                ..event(s, text(Direction::In, &"x".repeat(100)))
            })
            .collect();
        h.record(id, &events).unwrap();
        h.end_session(id).unwrap();
        ids.push(id);
    }
    h.flush().unwrap();
    assert_eq!(h.search("x*", 100).unwrap().len(), 40);

    let r = h.prune(Some(day * 3), None).unwrap();
    assert_eq!(r.sessions, vec![ids[0], ids[1]]);
    assert_eq!(r.events, 20);
    assert_eq!(r.bytes, 2000);
    assert!(matches!(
        h.session(ids[0]),
        Err(HistoryError::UnknownSession(_))
    ));
    assert_eq!(
        h.search("x*", 100).unwrap().len(),
        20,
        "index entries go too"
    );

    // 2 sessions of 1000 bytes remain; a 1500-byte budget drops the older one.
    let r = h.prune(None, Some(1500)).unwrap();
    assert_eq!(r.sessions, vec![ids[2]]);
    let left: Vec<_> = h
        .list_sessions(&SessionFilter::default())
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(left, vec![ids[3]]);
    assert_eq!(
        h.prune(Some(day), Some(1500)).unwrap().sessions,
        Vec::<i64>::new()
    );

    // A session still being recorded is never pruned.
    let live = h
        .start_session(meta_at("ws://live", now - day * 30))
        .unwrap();
    h.flush().unwrap();
    assert!(
        !h.prune(Some(day), Some(0))
            .unwrap()
            .sessions
            .contains(&live)
    );
}

#[test]
fn har_export_and_import_round_trip() {
    let h = History::open_in_memory().unwrap();
    let a = record_session(&h, "ws://127.0.0.1:9001/chat?room=1", 6);
    let b = record_session(&h, "ws://127.0.0.1:9001/two", 2);
    let never_opened = h.start_session(meta("ws://nowhere/")).unwrap();
    let mut out = Vec::new();
    h.export_har(&[a, b, never_opened], &mut out).unwrap();
    let har: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let log = &har["log"];
    assert_eq!(log["version"], "1.2");
    assert_eq!(log["creator"]["name"], "wsdeck");
    assert!(log["creator"]["version"].is_string());
    assert!(log["pages"].is_array());
    let entries = log["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    let e = &entries[0];
    for field in [
        "startedDateTime",
        "time",
        "request",
        "response",
        "cache",
        "timings",
    ] {
        assert!(!e[field].is_null(), "entry has {field}");
    }
    for field in [
        "method",
        "url",
        "httpVersion",
        "cookies",
        "headers",
        "queryString",
        "headersSize",
        "bodySize",
    ] {
        assert!(!e["request"][field].is_null(), "request has {field}");
    }
    for field in [
        "status",
        "statusText",
        "httpVersion",
        "cookies",
        "headers",
        "content",
        "redirectURL",
        "headersSize",
        "bodySize",
    ] {
        assert!(!e["response"][field].is_null(), "response has {field}");
    }
    for field in ["send", "wait", "receive"] {
        assert!(e["timings"][field].is_number(), "timings has {field}");
    }
    assert_eq!(e["request"]["method"], "GET");
    assert_eq!(e["request"]["httpVersion"], "HTTP/1.1");
    assert_eq!(e["request"]["queryString"][0]["name"], "room");
    assert_eq!(e["response"]["status"], 101);
    assert_eq!(e["response"]["statusText"], "Switching Protocols");
    assert_eq!(e["response"]["content"]["size"], 0);
    assert_eq!(e["_resourceType"], "websocket");
    assert!(!String::from_utf8_lossy(&out).contains("s3cret"));
    let msgs = e["_webSocketMessages"].as_array().unwrap();
    assert_eq!(msgs.len(), 7);
    assert_eq!(msgs[0]["type"], "send");
    assert_eq!(msgs[0]["opcode"], 1);
    assert_eq!(msgs[1]["type"], "receive");
    assert_eq!(msgs[6]["opcode"], 2);
    assert_eq!(msgs[6]["data"], "AJ+Slv8=");
    assert!((msgs[0]["time"].as_f64().unwrap() - (T0_MS + 2) as f64 / 1000.0).abs() < 1e-6);

    let ids = h.import_har(&mut out.as_slice()).unwrap();
    assert_eq!(ids.len(), 2);
    let messages = |id| -> Vec<_> {
        h.events(id, 0, 1000)
            .unwrap()
            .into_iter()
            .filter(|e| e.kind == "message")
            .map(|e| (e.direction, e.format, e.payload, e.time_ms))
            .collect()
    };
    assert_eq!(messages(ids[0]), messages(a));
    assert_eq!(messages(ids[1]), messages(b));
    let imported = h.session(ids[0]).unwrap();
    assert_eq!(imported.url, "ws://127.0.0.1:9001/chat?room=1");
    assert_eq!(imported.handshake.unwrap()["protocol"], "chat");
    assert_eq!(
        h.search("bananas", 100).unwrap().len(),
        16,
        "imported text is searchable"
    );
}

#[test]
fn har_import_errors_name_entry_and_field() {
    let h = History::open_in_memory().unwrap();
    let bad = serde_json::json!({"log": {"version": "1.2", "entries": [
        {"request": {"url": "https://x/"}, "startedDateTime": "2026-01-01T00:00:00Z"},
        {"request": {"url": "ws://x/"}, "startedDateTime": "2026-01-01T00:00:00Z",
         "_webSocketMessages": [{"type": "send", "time": 1.5, "opcode": 1, "data": "ok"},
                                {"type": "receive", "time": 1.6, "opcode": 2, "data": "%%%"}]}
    ]}});
    let err = h.import_har(&mut bad.to_string().as_bytes()).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("entry 1") && msg.contains("_webSocketMessages[1].data"),
        "{msg}"
    );
    assert!(
        h.list_sessions(&SessionFilter::default())
            .unwrap()
            .is_empty(),
        "nothing imported"
    );

    let bad = serde_json::json!({"log": {"entries": [
        {"request": {}, "startedDateTime": "2026-01-01T00:00:00Z", "_webSocketMessages": []}
    ]}});
    let msg = h
        .import_har(&mut bad.to_string().as_bytes())
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("entry 0") && msg.contains("request.url"),
        "{msg}"
    );
    let msg = h
        .import_har(&mut "not json".as_bytes())
        .unwrap_err()
        .to_string();
    assert!(msg.starts_with("not a HAR file"), "{msg}");
}

#[test]
fn reopens_and_refuses_foreign_files() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.db");
    let id = {
        let h = History::open(&path).unwrap();
        record_session(&h, "ws://persist/", 3)
    };
    let h = History::open(&path).unwrap();
    assert_eq!(h.session(id).unwrap().event_count, 9);
    drop(h);

    let junk = dir.path().join("junk.db");
    std::fs::write(
        &junk,
        b"this is not a database at all, not even close........................................",
    )
    .unwrap();
    let msg = History::open(&junk).unwrap_err().to_string();
    assert!(
        msg.contains("is damaged or not a database")
            && msg.contains("move it away")
            && msg.contains(&format!("mv '{}'", junk.display())),
        "{msg}"
    );

    let other = dir.path().join("other.db");
    rusqlite::Connection::open(&other)
        .unwrap()
        .execute_batch("CREATE TABLE t (x);")
        .unwrap();
    let msg = History::open(&other).unwrap_err().to_string();
    assert!(
        msg.contains("is not a wsdeck history") && msg.contains("mv '"),
        "{msg}"
    );

    let newer = dir.path().join("newer.db");
    drop(History::open(&newer).unwrap());
    rusqlite::Connection::open(&newer)
        .unwrap()
        .execute_batch("PRAGMA user_version = 99;")
        .unwrap();
    let msg = History::open(&newer).unwrap_err().to_string();
    assert!(msg.contains("schema version 99"), "{msg}");
}

#[test]
fn dropping_the_last_handle_commits_what_was_queued() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("h.db");
    let id = {
        let h = History::open(&path).unwrap();
        let id = h.start_session(meta("ws://drop/")).unwrap();
        h.record(id, &session_events("ws://drop/", 100)).unwrap();
        id
    };
    let h = History::open(&path).unwrap();
    assert_eq!(h.session(id).unwrap().event_count, 106);
}

#[test]
fn readers_open_only_an_existing_history_and_create_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("typo").join("dir").join("h.db");
    match History::open_existing(&path) {
        Err(e @ HistoryError::NoDatabase { .. }) => {
            assert_eq!(
                e.to_string(),
                format!("no history database at {}", path.display())
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(
        !dir.path().join("typo").exists(),
        "no folders are created for a reader"
    );

    let path = dir.path().join("h.db");
    assert!(matches!(
        History::open_existing(&path),
        Err(HistoryError::NoDatabase { .. })
    ));
    assert!(!path.exists(), "no file is created for a reader");
    let id = {
        let h = History::open(&path).unwrap();
        record_session(&h, "ws://exists/", 2)
    };
    let h = History::open_existing(&path).unwrap();
    assert_eq!(h.session(id).unwrap().url, "ws://exists/");
}

#[cfg(unix)]
#[test]
fn the_database_and_its_wal_files_are_readable_by_their_owner_only() {
    use std::os::unix::fs::PermissionsExt as _;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let side = |p: &std::path::Path, suffix: &str| {
        let mut s = p.as_os_str().to_owned();
        s.push(suffix);
        std::path::PathBuf::from(s)
    };
    let dir = tempfile::tempdir().unwrap();

    // A new history: 0600 whatever the umask (the test process's is usually 022).
    let path = dir.path().join("history.db");
    let h = History::open(&path).unwrap();
    record_session(&h, "ws://private/", 3);
    assert_eq!(mode(&path), 0o600);
    for suffix in ["-wal", "-shm"] {
        assert!(side(&path, suffix).exists(), "WAL mode keeps {suffix} open");
        assert_eq!(mode(&side(&path, suffix)), 0o600, "{suffix}");
    }
    drop(h);

    // One an older wsdeck left readable by everyone is tightened when opened.
    let old = dir.path().join("old.db");
    drop(History::open(&old).unwrap());
    let open_wal = rusqlite::Connection::open(&old).unwrap();
    open_wal
        .execute_batch("PRAGMA journal_mode = WAL; CREATE TABLE IF NOT EXISTS keep (x);")
        .unwrap();
    let files = [old.clone(), side(&old, "-wal"), side(&old, "-shm")];
    for f in &files {
        std::fs::set_permissions(f, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let h = History::open(&old).unwrap();
    for f in &files {
        assert_eq!(mode(f), 0o600, "{}", f.display());
    }
    drop((h, open_wal));
}
