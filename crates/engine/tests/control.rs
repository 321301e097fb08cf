//! Closing handshakes and ping/pong, against the echo server on 127.0.0.1.

mod common;

use common::{Events, is_closed, is_message_in, open_ok, start_server, wait_until, within};
use wsdeck_engine::{
    Bytes, Direction, Engine, EngineError, Event, EventKind, Initiator, Payload, RequestSpec,
    SessionState,
};

fn is_ping(e: &Event, dir: Direction, expected: &[u8]) -> bool {
    matches!(&e.kind, EventKind::Ping { direction, payload } if *direction == dir && payload.as_ref() == expected)
}

fn is_pong(e: &Event, dir: Direction, expected: &[u8]) -> bool {
    matches!(&e.kind, EventKind::Pong { direction, payload } if *direction == dir && payload.as_ref() == expected)
}

fn is_pong_out(e: &Event) -> bool {
    matches!(
        e.kind,
        EventKind::Pong {
            direction: Direction::Out,
            ..
        }
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_close_sends_closing_then_ends_cleanly_as_local() {
    let server = start_server().await;
    let engine = Engine::new();
    let (session, _) = open_ok(&engine, RequestSpec::new(server.url("/echo"))).await;
    within("close", session.close(Some(4001), "done here"))
        .await
        .expect("close");
    let mut events = Events::of(&session);
    let closing = events
        .expect("Closing Out", |e| {
            matches!(
                e.kind,
                EventKind::Closing {
                    direction: Direction::Out,
                    ..
                }
            )
        })
        .await;
    match &closing.kind {
        EventKind::Closing { code, reason, .. } => {
            assert_eq!(*code, Some(4001));
            assert_eq!(reason, "done here");
        }
        other => panic!("{other:?}"),
    }
    let closed = events.expect("Closed", is_closed).await;
    match &closed.kind {
        EventKind::Closed {
            code,
            clean,
            initiator,
            ..
        } => {
            assert_eq!(*code, Some(4001), "{}", events.describe());
            assert!(*clean, "{}", events.describe());
            assert_eq!(*initiator, Initiator::Local, "{}", events.describe());
        }
        other => panic!("{other:?}"),
    }
    events.until_end("log end after a user close").await;
    assert!(
        events.count(common::is_error) == 0,
        "a clean close records no error:\n{}",
        events.describe()
    );
    assert_eq!(session.state(), SessionState::Closed);
    assert_eq!(session.last_error(), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_close_with_code_and_reason_is_a_clean_remote_close() {
    let server = start_server().await;
    let engine = Engine::new();
    let (session, _) = open_ok(
        &engine,
        RequestSpec::new(server.url("/close?code=4000&reason=bye")),
    )
    .await;
    let mut events = Events::of(&session);
    events
        .expect("Closing In 4000 bye", |e| {
            matches!(&e.kind, EventKind::Closing { direction: Direction::In, code: Some(4000), reason } if reason == "bye")
        })
        .await;
    let closed = events.expect("Closed", is_closed).await;
    match &closed.kind {
        EventKind::Closed {
            code,
            reason,
            clean,
            initiator,
        } => {
            assert_eq!(*code, Some(4000), "{}", events.describe());
            assert_eq!(reason, "bye");
            assert!(*clean, "{}", events.describe());
            assert_eq!(*initiator, Initiator::Remote);
        }
        other => panic!("{other:?}"),
    }
    events.until_end("log end after a server close").await;
    // The close frame was answered before the end.
    assert_eq!(
        events.count(|e| matches!(
            e.kind,
            EventKind::Closing {
                direction: Direction::Out,
                ..
            }
        )),
        1,
        "{}",
        events.describe()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_close_codes_are_rejected_and_the_session_stays_open() {
    let server = start_server().await;
    let engine = Engine::new();
    let (session, _) = open_ok(&engine, RequestSpec::new(server.url("/echo"))).await;
    for code in [0, 999, 1004, 1005, 1006, 1015, 2999, 5000] {
        let err = session
            .close(Some(code), "")
            .await
            .expect_err("reserved close code must be rejected");
        assert_eq!(err, EngineError::InvalidCloseCode(code));
        assert!(err.to_string().contains(&code.to_string()), "{err}");
    }
    let err = session
        .close(Some(1000), &"r".repeat(124))
        .await
        .expect_err("a 124-byte reason does not fit");
    assert_eq!(err, EngineError::CloseReasonTooLong(124));
    let err = session
        .close(None, "bye")
        .await
        .expect_err("a reason needs a code");
    assert_eq!(err, EngineError::CloseReasonWithoutCode);
    assert!(err.to_string().contains("needs a close code"), "{err}");
    assert_eq!(session.state(), SessionState::Open);
    session
        .send(Payload::text("still open"))
        .await
        .expect("send after a rejected close");
    let mut events = Events::of(&session);
    events.expect("echo", is_message_in).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_ping_is_answered_by_a_pong_with_the_same_payload() {
    let server = start_server().await;
    let engine = Engine::new();
    let (session, _) = open_ok(&engine, RequestSpec::new(server.url("/echo"))).await;
    let payload = Bytes::from_static(b"are you there?");
    within("ping", session.ping(payload.clone()))
        .await
        .expect("ping");
    let mut events = Events::of(&session);
    events
        .expect("Ping Out", |e| is_ping(e, Direction::Out, &payload))
        .await;
    events
        .expect("Pong In with the ping's payload", |e| {
            is_pong(e, Direction::In, &payload)
        })
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_pings_are_answered_automatically_and_recorded() {
    let server = start_server().await;
    let engine = Engine::new();
    let (_session, _) = open_ok(
        &engine,
        RequestSpec::new(server.url("/ping?count=2&payload=hi")),
    )
    .await;
    let mut events = Events::of(&_session);
    for n in 1..=2 {
        events
            .expect(&format!("Ping In #{n}"), |e| {
                is_ping(e, Direction::In, b"hi")
            })
            .await;
        events
            .expect(&format!("Pong Out #{n}"), |e| {
                is_pong(e, Direction::Out, b"hi")
            })
            .await;
    }
    wait_until("the server counts 2 pongs", || server.stats().pongs >= 2).await;
    assert_eq!(server.stats().pongs, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auto_pong_off_records_pings_and_sends_no_pongs() {
    let server = start_server().await;
    let engine = Engine::new();
    let mut spec = RequestSpec::new(server.url("/ping?count=2&payload=hi"));
    spec.settings.auto_pong = false;
    let (session, _) = open_ok(&engine, spec).await;
    let mut events = Events::of(&session);
    for n in 1..=2 {
        events
            .expect(&format!("Ping In #{n}"), |e| {
                is_ping(e, Direction::In, b"hi")
            })
            .await;
    }
    // A round trip after the second ping, then a full closing handshake: anything the engine
    // meant to send in answer to the pings has reached the server by the end.
    session.send(Payload::text("sync")).await.expect("send");
    events.expect("echo", is_message_in).await;
    session.close(Some(1000), "").await.expect("close");
    events.until_end("log end").await;
    assert_eq!(
        events.count(is_pong_out),
        0,
        "no pong may be sent with auto-pong off:\n{}",
        events.describe()
    );
    assert_eq!(server.stats().pongs, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn control_payloads_over_125_bytes_are_rejected() {
    let server = start_server().await;
    let engine = Engine::new();
    let (session, _) = open_ok(&engine, RequestSpec::new(server.url("/echo"))).await;
    let err = session
        .ping(Bytes::from(vec![b'p'; 126]))
        .await
        .expect_err("126-byte ping");
    assert_eq!(
        err,
        EngineError::ControlPayloadTooLong {
            kind: "ping",
            len: 126
        }
    );
    assert!(err.to_string().contains("125"), "{err}");
    let err = session
        .pong(Bytes::from(vec![b'p'; 200]))
        .await
        .expect_err("200-byte pong");
    assert!(
        matches!(
            err,
            EngineError::ControlPayloadTooLong {
                kind: "pong",
                len: 200
            }
        ),
        "{err:?}"
    );
    // 125 bytes is allowed and still answered.
    let max = Bytes::from(vec![b'm'; 125]);
    session.ping(max.clone()).await.expect("125-byte ping");
    let mut events = Events::of(&session);
    events
        .expect("Pong In of 125 bytes", |e| is_pong(e, Direction::In, &max))
        .await;
}

/// A peer that answers the close frame but never closes the TCP connection: the closing
/// handshake is still complete, so after the close timeout the session ends cleanly.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn close_handshake_is_clean_even_if_the_server_keeps_tcp_open() {
    use futures_util::StreamExt;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let server = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.expect("accept");
        let mut ws = tokio_tungstenite::accept_async(tcp).await.expect("upgrade");
        // Reading the close frame makes tungstenite queue its answer; flush sends it.
        while let Some(Ok(msg)) = ws.next().await {
            if msg.is_close() {
                break;
            }
        }
        let _ = futures_util::SinkExt::flush(&mut ws).await;
        // Hold the socket open well past the client's close timeout.
        tokio::time::sleep(std::time::Duration::from_secs(5)).await;
        drop(ws);
    });
    let engine = Engine::new();
    let mut spec = RequestSpec::new(format!("ws://127.0.0.1:{port}/"));
    spec.settings.close_timeout_ms = 300;
    let (session, _) = open_ok(&engine, spec).await;
    within("close", session.close(Some(1000), "bye"))
        .await
        .expect("close");
    let mut events = Events::of(&session);
    let closed = events.expect("Closed", is_closed).await;
    match &closed.kind {
        EventKind::Closed {
            code,
            clean,
            initiator,
            ..
        } => {
            assert_eq!(*code, Some(1000));
            assert!(
                *clean,
                "both close frames were exchanged: {}",
                events.describe()
            );
            assert_eq!(*initiator, Initiator::Local);
        }
        other => panic!("{other:?}"),
    }
    assert!(session.last_error().is_none(), "{:?}", session.last_error());
    server.abort();
}
