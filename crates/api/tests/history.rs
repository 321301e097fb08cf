//! The history methods over the API: sessions opened through the same API are recorded by
//! an observer (as `wsdeck ui` does) and read back in the live event shape.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{Client, WAIT};
use serde_json::{Value, json};
use wsdeck_api::{Api, HISTORY, OpenedSession, SessionObserver};
use wsdeck_echo::{EchoConfig, EchoServer};
use wsdeck_engine::{Engine, Session};
use wsdeck_history::{History, SessionMeta};

/// Records like the binary's recorder.
#[derive(Debug)]
struct Rec(History);

impl SessionObserver for Rec {
    fn opened(&self, session: &Session, opened: OpenedSession) {
        let history = self.0.clone();
        let log = session.log().clone();
        let id = history
            .start_session(SessionMeta {
                url: opened.request["url"].as_str().unwrap_or("").to_owned(),
                request_json: Some(opened.request),
                started_at: std::time::SystemTime::now(),
                secrets: opened.secrets,
            })
            .expect("start");
        tokio::spawn(wsdeck_history::record_log(history, id, log));
    }
}

/// An echo server, and an API that records every session it opens into an in-memory
/// history it also serves.
async fn recording_api() -> (EchoServer, Api) {
    let server = EchoServer::start(EchoConfig::default())
        .await
        .expect("echo");
    let history = History::open_in_memory().expect("history");
    let api = Api::new(Engine::new())
        .with_history(history.clone())
        .with_observer(Arc::new(Rec(history)));
    (server, api)
}

/// A client of `api` allowed sessions and the history, with a session open on the echo path.
async fn open_echo(api: &Api, server: &EchoServer) -> (Client, String) {
    let mut c = Client::with_permissions(api, "local:ui", &["endowment:network-access", HISTORY]);
    let open = c
        .ok("wsdeck.open", json!({"url": server.url("/echo")}))
        .await;
    let id = open["id"].as_str().expect("id").to_owned();
    (c, id)
}

#[tokio::test]
async fn recorded_sessions_read_back_like_live_ones() {
    let (server, api) = recording_api().await;
    let (mut c, id) = open_echo(&api, &server).await;
    c.ok(
        "wsdeck.send",
        json!({"id": id, "text": "recorded words here"}),
    )
    .await;
    c.ok("wsdeck.close", json!({"id": id})).await;

    // Wait for the recorder to finish the session.
    let deadline = Instant::now() + WAIT;
    let session = loop {
        let list = c.ok("wsdeck.history.list", json!({})).await;
        if list[0]["endedAt"].is_string() {
            break list[0].clone();
        }
        assert!(Instant::now() < deadline, "never ended: {list}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(session["url"], server.url("/echo"));
    let rid = session["id"].clone();
    let page = c
        .ok("wsdeck.history.events", json!({"id": rid, "maxData": 8}))
        .await;
    let events = page["events"].as_array().expect("events");
    let messages: Vec<&Value> = events.iter().filter(|e| e["type"] == "message").collect();
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[0]["data"], "recorded");
    assert_eq!(messages[0]["truncated"], true);
    assert_eq!(page["atEnd"], true);
    assert_eq!(
        events.last().map(|e| e["type"].clone()),
        Some(json!("closed"))
    );

    let filtered = c
        .ok(
            "wsdeck.history.filter",
            json!({"id": rid, "text": "RECORDED", "kinds": ["in"]}),
        )
        .await;
    let echo_seq = events
        .iter()
        .find(|e| e["type"] == "message" && e["direction"] == "in")
        .map(|e| e["seq"].clone());
    assert_eq!(filtered["seqs"], json!([echo_seq]));
    assert_eq!(filtered["atEnd"], true);
    let hits = c
        .ok("wsdeck.history.search", json!({"query": "words"}))
        .await;
    assert_eq!(hits[0]["session"], rid);
    let e = c
        .err("wsdeck.history.search", json!({"query": "open AND"}))
        .await;
    assert_eq!(e["data"]["path"], "query");
    let har = c
        .ok(
            "wsdeck.history.export",
            json!({"ids": [rid], "format": "har"}),
        )
        .await;
    let doc: Value = serde_json::from_str(har["text"].as_str().expect("text")).expect("HAR");
    assert_eq!(
        doc["log"]["entries"][0]["_webSocketMessages"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    let e = c.err("wsdeck.history.session", json!({"id": 999})).await;
    assert_eq!(e["code"], -32001);

    // The HAR export comes back in through the API as a new session with the same messages.
    let imported = c
        .ok("wsdeck.history.import", json!({"har": har["text"]}))
        .await;
    let new_id = imported["sessions"][0].clone();
    assert_ne!(new_id, rid);
    let page = c.ok("wsdeck.history.events", json!({"id": new_id})).await;
    let texts: Vec<&Value> = page["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["type"] == "message")
        .map(|e| &e["data"])
        .collect();
    assert_eq!(texts, vec!["recorded words here", "recorded words here"]);
    let e = c
        .err("wsdeck.history.import", json!({"har": "{\"log\": 1}"}))
        .await;
    assert_eq!(e["data"]["path"], "har", "{e}");
    c.ok("wsdeck.history.delete", json!({"ids": [new_id]}))
        .await;

    // Retention: none by default; stored, applied at once; 0 MiB is refused.
    let kept = c.ok("wsdeck.history.retention", json!({})).await;
    assert_eq!(kept["maxAgeDays"], Value::Null);
    assert_eq!(kept["maxMib"], Value::Null);
    assert_eq!(kept["sessions"], 1);
    assert!(kept["bytes"].as_u64().is_some_and(|b| b > 0), "{kept}");
    let e = c
        .err(
            "wsdeck.history.setRetention",
            json!({"maxAgeDays": null, "maxMib": 0}),
        )
        .await;
    assert_eq!(e["data"]["path"], "maxMib", "{e}");
    let e = c
        .err(
            "wsdeck.history.setRetention",
            json!({"maxAgeDays": 0, "maxMib": null}),
        )
        .await;
    assert_eq!(e["data"]["path"], "maxAgeDays", "{e}");
    let e = c
        .err(
            "wsdeck.history.setRetention",
            json!({"maxAgeDays": null, "maxMib": 2_000_000}),
        )
        .await;
    assert!(
        e["data"]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("at most")),
        "{e}"
    );
    let e = c
        .err("wsdeck.history.setRetention", json!({"maxAgeDays": 30}))
        .await;
    assert_eq!(
        e["data"]["path"], "maxMib",
        "a forgotten key is not \"no limit\": {e}"
    );
    let set = c
        .ok(
            "wsdeck.history.setRetention",
            json!({"maxAgeDays": 30, "maxMib": 1024}),
        )
        .await;
    assert_eq!(set["maxAgeDays"], 30);
    assert_eq!(set["maxMib"], 1024);
    assert_eq!(
        set["pruned"]["sessions"],
        json!([]),
        "a fresh session is kept"
    );
    assert_eq!(
        c.ok("wsdeck.history.retention", json!({})).await["maxMib"],
        1024
    );

    // Deleting: all or none; an unknown id names itself.
    let e = c
        .err("wsdeck.history.delete", json!({"ids": [rid, 999]}))
        .await;
    assert_eq!(e["code"], -32001, "{e}");
    let deleted = c.ok("wsdeck.history.delete", json!({"ids": [rid]})).await;
    assert_eq!(deleted["sessions"], json!([rid]));
    assert_eq!(
        deleted["events"], session["eventCount"],
        "{deleted} vs {session}"
    );
    assert_eq!(c.ok("wsdeck.history.list", json!({})).await, json!([]));
    assert_eq!(
        c.ok("wsdeck.history.search", json!({"query": "words"}))
            .await,
        json!([]),
        "the full-text index forgets deleted messages"
    );

    let mut outsider = Client::new(&api, "local:other", true);
    assert_eq!(
        outsider.err("wsdeck.history.list", json!({})).await["code"],
        4100
    );
}

/// An observer whose history problems the test sets, as the binary's recorder does when a
/// write fails.
#[derive(Debug)]
struct Troubled(tokio::sync::watch::Sender<Option<wsdeck_api::HistoryProblem>>);

impl wsdeck_api::SessionObserver for Troubled {
    fn opened(&self, _: &wsdeck_engine::Session, _: wsdeck_api::OpenedSession) {}

    fn history_problems(&self) -> Option<wsdeck_api::HistoryProblems> {
        Some(self.0.subscribe())
    }
}

#[tokio::test]
async fn history_problems_reach_every_caller_as_notifications_at_once_and_on_arrival() {
    use wsdeck_api::{HistoryProblem, HistoryProblemKind};
    let problems = tokio::sync::watch::Sender::new(None);
    let api = wsdeck_api::Api::new(wsdeck_engine::Engine::new())
        .with_observer(std::sync::Arc::new(Troubled(problems.clone())));
    let mut early = common::Client::new(&api, "local:test", true);
    // Nothing to say while all is well: the first output is the answer.
    let answer = early.call("rpc.discover", None).await;
    assert!(answer.get("result").is_some());
    assert!(early.pending.is_empty(), "{:?}", early.pending);

    problems.send_replace(Some(HistoryProblem {
        kind: HistoryProblemKind::WriteFailed,
        message: "recording into the history h.db failed (database or disk is full)".into(),
    }));
    let note = early.notification().await;
    assert_eq!(note["method"], "wsdeck.historyError");
    assert_eq!(note["params"]["kind"], "writeFailed");
    assert!(note.get("id").is_none());
    assert!(
        note["params"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("disk is full"))
    );

    // A caller attaching later is told of the problem in force.
    let mut late = common::Client::new(&api, "local:test", true);
    let note = late.notification().await;
    assert_eq!(note["params"]["kind"], "writeFailed");
}

#[tokio::test]
async fn a_page_of_big_recorded_messages_ends_early_and_pages_on() {
    let (server, api) = recording_api().await;
    let mut c = Client::with_permissions(&api, "local:ui", &["endowment:network-access", HISTORY]);
    // Four binary messages of 5 MB: 27 MB of base64 in all, more than one answer may hold.
    c.ok(
        "wsdeck.open",
        json!({"url": server.url("/burst?count=4&size=5000000&binary=1&close=true")}),
    )
    .await;
    let deadline = Instant::now() + WAIT;
    let rid = loop {
        let list = c.ok("wsdeck.history.list", json!({})).await;
        if list[0]["endedAt"].is_string() {
            break list[0]["id"].clone();
        }
        assert!(Instant::now() < deadline, "never ended: {list}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let (mut from, mut messages, mut pages) = (0u64, 0usize, 0usize);
    // Bounded: at most one page per event, and the session has a handful.
    for _ in 0..20 {
        let page = c
            .ok("wsdeck.history.events", json!({"id": rid, "from": from}))
            .await;
        pages += 1;
        let events = page["events"].as_array().expect("events");
        let size: usize = events
            .iter()
            .map(|e| e["data"].as_str().map_or(0, str::len))
            .sum();
        assert!(size <= 16 << 20, "a page of {size} bytes");
        messages += events.iter().filter(|e| e["type"] == "message").count();
        from = page["nextSeq"].as_u64().expect("nextSeq");
        if page["atEnd"] == true {
            break;
        }
    }
    assert_eq!(messages, 4, "every message, over several pages");
    assert!(pages > 1, "the messages did not fit in one page");
}

/// One event shape: a session's live events (`wsdeck.events`), the same session read back
/// from the history (`wsdeck.history.events`) and its JSON lines export (each line an event
/// with the shape's version `v`, the lines `wsdeck connect --jsonl` prints) are equal, field
/// for field, for every kind the session went through.
#[tokio::test]
async fn live_recorded_and_exported_events_are_one_shape() {
    let (server, api) = recording_api().await;
    let (mut c, id) = open_echo(&api, &server).await;
    c.ok("wsdeck.send", json!({"id": id, "text": "text é \u{1}"}))
        .await;
    c.ok("wsdeck.send", json!({"id": id, "hex": "00ff10"}))
        .await;
    c.ok("wsdeck.ping", json!({"id": id, "data": "p"})).await;
    c.ok(
        "wsdeck.close",
        json!({"id": id, "code": 4000, "reason": "bye"}),
    )
    .await;

    let deadline = Instant::now() + WAIT;
    let (live, rid) = loop {
        let live = c.ok("wsdeck.events", json!({"id": id})).await;
        let list = c.ok("wsdeck.history.list", json!({})).await;
        let closed = live["events"]
            .as_array()
            .and_then(|e| e.last())
            .is_some_and(|e| e["type"] == "closed");
        if closed && list[0]["endedAt"].is_string() {
            break (live["events"].clone(), list[0]["id"].clone());
        }
        assert!(Instant::now() < deadline, "never ended: {live} {list}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let kinds: Vec<&str> = live
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["type"].as_str())
        .collect();
    for kind in [
        "connecting",
        "open",
        "message",
        "ping",
        "pong",
        "closing",
        "closed",
    ] {
        assert!(kinds.contains(&kind), "no {kind} in {kinds:?}");
    }
    assert!(
        live[1]["handshake"]["request"]["startLine"].is_string(),
        "{live}"
    );

    let recorded = c.ok("wsdeck.history.events", json!({"id": rid})).await;
    assert_eq!(recorded["events"], live, "recorded vs live");

    let export = c
        .ok(
            "wsdeck.history.export",
            json!({"ids": [rid], "format": "jsonl"}),
        )
        .await;
    let lines: Vec<Value> = export["text"]
        .as_str()
        .expect("text")
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert_eq!(lines[0]["type"], "session", "{}", lines[0]);
    assert_eq!(lines[0]["v"], 1);
    assert_eq!(lines[0]["eventCount"], live.as_array().map_or(0, Vec::len));
    let events: Vec<Value> = lines[1..]
        .iter()
        .map(|line| {
            assert_eq!(line["v"], 1, "{line}");
            let mut event = line.clone();
            event.as_object_mut().map(|e| e.remove("v"));
            event
        })
        .collect();
    assert_eq!(Value::Array(events), live, "exported vs live");
}
