//! Data messages, request shaping (params, headers, subprotocols), many sessions and log
//! retention, against the echo server on 127.0.0.1.

mod common;

use common::{
    Events, assert_ordered, is_message_in, json_has_header, json_has_header_name, open, open_ok,
    start_server, within,
};
use wsdeck_engine::{
    Bytes, Direction, Engine, EngineError, EventKind, Payload, RequestSpec, Retention, SessionState,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn text_and_binary_messages_are_echoed_with_direction_and_ordered_stamps() {
    let server = start_server().await;
    let engine = Engine::new();
    let (session, _) = open_ok(&engine, RequestSpec::new(server.url("/echo"))).await;
    let text = Payload::text("hello, wsdeck ✓");
    let binary = Payload::binary(Bytes::from_static(&[0, 1, 2, 0xfe, 0xff]));
    within("send text", session.send(text.clone()))
        .await
        .expect("send text");
    within("send binary", session.send(binary.clone()))
        .await
        .expect("send binary");

    let mut events = Events::of(&session);
    let out_text = events
        .expect("text sent", |e| {
            matches!(&e.kind, EventKind::Message { direction: Direction::Out, payload } if *payload == text)
        })
        .await;
    let in_text = events
        .expect("text echoed", |e| {
            matches!(&e.kind, EventKind::Message { direction: Direction::In, payload } if *payload == text)
        })
        .await;
    let in_binary = events
        .expect("binary echoed", |e| {
            matches!(&e.kind, EventKind::Message { direction: Direction::In, payload } if *payload == binary)
        })
        .await;
    assert!(out_text.seq < in_text.seq && in_text.seq < in_binary.seq);
    assert_eq!(
        events.messages(Direction::Out),
        vec![text.clone(), binary.clone()],
        "{}",
        events.describe()
    );
    assert_eq!(events.messages(Direction::In), vec![text, binary]);
    // Text stays text and binary stays binary.
    assert!(matches!(
        events.messages(Direction::In)[0],
        Payload::Text(_)
    ));
    assert!(matches!(
        events.messages(Direction::In)[1],
        Payload::Binary(_)
    ));
    assert_eq!(events.seen[0].seq, 0, "the log starts at sequence 0");
    assert_ordered(&events.seen);
    for pair in events.seen.windows(2) {
        assert_eq!(pair[1].seq, pair[0].seq + 1, "no gaps without eviction");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_batch_of_ten_thousand_messages_is_echoed_whole_and_in_order() {
    let server = start_server().await;
    let engine = Engine::new();
    let (session, _) = open_ok(&engine, RequestSpec::new(server.url("/echo"))).await;
    let batch: Vec<Payload> = (0..10_000)
        .map(|i| Payload::text(format!("m{i}")))
        .collect();
    within("send_batch", session.send_batch(batch.clone()))
        .await
        .expect("send_batch");
    let mut events = Events::of(&session);
    let mut received = 0;
    events
        .expect("10000 echoes", |e| {
            if is_message_in(e) {
                received += 1;
            }
            received == batch.len()
        })
        .await;
    assert_eq!(events.messages(Direction::Out), batch);
    assert_eq!(events.messages(Direction::In), batch);
    for pair in events.seen.windows(2) {
        assert_eq!(
            pair[1].seq,
            pair[0].seq + 1,
            "sequence numbers have no gaps"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn monotonic_timestamps_follow_sequence_order_under_concurrent_traffic() {
    // The server streams while we send: the socket reader and the writer append to the log
    // at the same time, and a later sequence number must never carry an earlier time.
    let server = start_server().await;
    let engine = Engine::new();
    let (session, _) = open_ok(
        &engine,
        RequestSpec::new(server.url("/burst?count=20000&size=4")),
    )
    .await;
    let batch: Vec<Payload> = (0..20_000)
        .map(|i| Payload::text(format!("o{i}")))
        .collect();
    within("send_batch", session.send_batch(batch.clone()))
        .await
        .expect("send_batch");
    let mut events = Events::of(&session);
    let mut received = 0;
    events
        .expect("the burst and the echoes", |e| {
            if is_message_in(e) {
                received += 1;
            }
            received == 40_000
        })
        .await;
    assert_eq!(events.messages(Direction::Out), batch);
    assert_ordered(&events.seen);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn params_are_merged_into_the_request_target() {
    let server = start_server().await;
    let engine = Engine::new();
    let mut spec = RequestSpec::new(server.url("/echo?a=1"));
    spec.params = vec![
        ("b".into(), "x y".into()),
        ("a".into(), "2".into()),
        ("c".into(), "&=".into()),
    ];
    let (session, info) = open_ok(&engine, spec).await;
    assert_eq!(
        info.request.start_line,
        "GET /echo?a=1&b=x+y&a=2&c=%26%3D HTTP/1.1"
    );
    assert!(
        info.url.ends_with("/echo?a=1&b=x+y&a=2&c=%26%3D"),
        "{}",
        info.url
    );
    assert_eq!(session.info().url, info.url);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn custom_headers_reach_the_server_and_override_the_user_agent() {
    let server = start_server().await;
    let engine = Engine::new();
    let mut spec = RequestSpec::new(server.url("/headers"));
    spec.headers = vec![
        ("X-Custom-Thing".into(), "value one".into()),
        ("User-Agent".into(), "tester/1.0".into()),
    ];
    let (session, info) = open_ok(&engine, spec).await;
    let mut events = Events::of(&session);
    let json = match events
        .expect("the /headers message", is_message_in)
        .await
        .kind
    {
        EventKind::Message {
            payload: Payload::Text(t),
            ..
        } => t.to_string(),
        other => panic!("expected a text message, got {other:?}"),
    };
    assert!(
        json_has_header(&json, "x-custom-thing", "value one"),
        "{json}"
    );
    assert!(json_has_header(&json, "user-agent", "tester/1.0"), "{json}");
    assert!(
        !json.contains("wsdeck/"),
        "the default User-Agent must be replaced, not repeated: {json}"
    );
    let agents: Vec<_> = info
        .request
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("user-agent"))
        .collect();
    assert_eq!(agents.len(), 1, "{:?}", info.request.headers);
    assert_eq!(agents[0].1, "tester/1.0");
    assert!(json_has_header_name(&json, "sec-websocket-key"), "{json}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_offered_supported_subprotocol_is_negotiated() {
    let server = start_server().await;
    let engine = Engine::new();
    let mut spec = RequestSpec::new(server.url("/echo"));
    spec.protocols = vec!["unknown.v9".into(), "chat".into(), "graphql-ws".into()];
    let (session, info) = open_ok(&engine, spec).await;
    assert_eq!(info.protocol.as_deref(), Some("chat"));
    assert_eq!(session.info().negotiated_protocol.as_deref(), Some("chat"));
    assert_eq!(
        session.info().protocols,
        vec!["unknown.v9", "chat", "graphql-ws"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_subprotocol_is_negotiated_when_none_matches() {
    let server = start_server().await;
    let engine = Engine::new();
    let mut spec = RequestSpec::new(server.url("/echo"));
    spec.protocols = vec!["nope.v1".into(), "nope.v2".into()];
    let (session, info) = open_ok(&engine, spec).await;
    assert_eq!(info.protocol, None);
    assert_eq!(session.info().negotiated_protocol, None);
    // The connection still works.
    session
        .send(Payload::text("still fine"))
        .await
        .expect("send");
    let mut events = Events::of(&session);
    events.expect("echo", is_message_in).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sending_when_not_open_is_rejected_with_not_open() {
    let server = start_server().await;
    let engine = Engine::new();
    // Still connecting: the server waits 5 s before answering the upgrade.
    let session = open(
        &engine,
        RequestSpec::new(server.url("/slow-handshake?ms=5000")),
    );
    assert_eq!(session.state(), SessionState::Connecting);
    let err = session
        .send(Payload::text("too early"))
        .await
        .expect_err("sending while connecting must fail");
    assert!(
        matches!(
            err,
            EngineError::NotOpen {
                state: "connecting",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("not open"), "{err}");
    let err = session
        .ping(Bytes::from_static(b"p"))
        .await
        .expect_err("pinging while connecting must fail");
    assert!(matches!(err, EngineError::NotOpen { .. }), "{err:?}");

    // Closed: the session is over.
    session.close(Some(1000), "").await.expect("cancel");
    within("session end", session.wait_closed()).await;
    let err = session
        .send(Payload::text("too late"))
        .await
        .expect_err("sending after the end must fail");
    assert!(
        matches!(
            err,
            EngineError::NotOpen {
                state: "closed",
                ..
            }
        ),
        "{err:?}"
    );
    let err = session
        .send_batch(vec![Payload::text("too late")])
        .await
        .expect_err("a batch after the end must fail");
    assert!(matches!(err, EngineError::NotOpen { .. }), "{err:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retention_evicts_old_events_and_reports_how_many_were_missed() {
    let server = start_server().await;
    let engine = Engine::new();
    let mut spec = RequestSpec::new(server.url("/burst?count=1000&size=8"));
    spec.settings.retention = Retention {
        max_events: 100,
        ..Retention::default()
    };
    let session = open(&engine, spec);
    // Connecting, Open and 1000 messages: wait until the last of them exists.
    within("1002 events", session.log().wait_past(1001)).await;
    let log = session.log();
    let mut out = Vec::new();
    let outcome = log.read(0, usize::MAX, &mut out);
    assert!(outcome.missed > 0, "{outcome:?}");
    assert_eq!(outcome.missed, log.first_seq(), "{outcome:?}");
    assert!(out.len() <= 100, "at most 100 events stay: {}", out.len());
    assert_eq!(out.first().map(|e| e.seq), Some(outcome.missed));
    assert_eq!(
        out.last().map(|e| e.seq + 1),
        Some(outcome.next_seq),
        "the newest events are the ones kept"
    );
    assert!(outcome.next_seq >= 1002);
    assert_ordered(&out);
    for pair in out.windows(2) {
        assert_eq!(pair[1].seq, pair[0].seq + 1);
    }
    let burst = Payload::text("xxxxxxxx");
    assert!(
        out.iter().all(|e| matches!(
            &e.kind,
            EventKind::Message { direction: Direction::In, payload } if *payload == burst
        )),
        "the kept events are the last burst messages:\n{}",
        common::describe_events(&out)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_concurrent_sessions_on_one_engine_each_echo() {
    let server = start_server().await;
    let engine = Engine::new();
    let url = server.url("/echo");
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..200 {
        let engine = engine.clone();
        let url = url.clone();
        tasks.spawn(async move {
            let (session, _) = open_ok(&engine, RequestSpec::new(url)).await;
            let message = Payload::text(format!("session {i}"));
            session.send(message.clone()).await.expect("send");
            let mut events = Events::of(&session);
            events.expect("echo", is_message_in).await;
            assert_eq!(events.messages(Direction::In), vec![message]);
            session
        });
    }
    let mut sessions = Vec::new();
    while let Some(joined) = within("200 sessions", tasks.join_next()).await {
        sessions.push(joined.expect("session task"));
    }
    assert_eq!(sessions.len(), 200);
    let listed = engine.sessions();
    assert_eq!(listed.len(), 200);
    let mut ids: Vec<_> = listed.iter().map(|s| s.id).collect();
    ids.dedup();
    assert_eq!(ids.len(), 200, "session ids are unique");
    assert!(
        listed.iter().all(|s| s.state == SessionState::Open),
        "{listed:?}"
    );
}
