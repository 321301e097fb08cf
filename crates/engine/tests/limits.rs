//! Message size limits, large messages and broken peers, against the echo server on
//! 127.0.0.1.

mod common;

use common::{Events, is_closed, is_error, is_message_in, open_ok, start_server};
use wsdeck_engine::{
    Bytes, Direction, Engine, EngineError, ErrorClass, EventKind, Initiator, Payload, RequestSpec,
};

fn error_of(events: &Events) -> EngineError {
    events
        .seen
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::Error(err) => Some(err.clone()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no Error event:\n{}", events.describe()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn message_over_the_maximum_size_fails_the_connection_with_1009() {
    let server = start_server().await;
    let engine = Engine::new();
    let mut spec = RequestSpec::new(server.url("/big?size=200000"));
    spec.settings.max_message_size = 100_000;
    let (session, _) = open_ok(&engine, spec).await;
    let mut events = Events::of(&session);
    events
        .expect("Closing Out 1009", |e| {
            matches!(
                e.kind,
                EventKind::Closing {
                    direction: Direction::Out,
                    code: Some(1009),
                    ..
                }
            )
        })
        .await;
    events.until_end("log end after a too-big message").await;
    let err = error_of(&events);
    assert!(
        matches!(err, EngineError::MessageTooBig { max: 100_000, size } if size > 100_000),
        "{err:?}"
    );
    assert_eq!(err.class(), ErrorClass::Protocol);
    assert!(err.to_string().contains("1009"), "{err}");
    assert!(err.to_string().contains("100000"), "{err}");
    // The message names the flag that changes the limit.
    assert!(err.to_string().contains("--max-message-size"), "{err}");
    assert_eq!(
        events.count(is_message_in),
        0,
        "the oversized message is not delivered:\n{}",
        events.describe()
    );
    let closed = events.seen.last().expect("events");
    assert!(is_closed(closed), "{}", events.describe());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn message_at_the_maximum_size_is_accepted() {
    let server = start_server().await;
    let engine = Engine::new();
    let mut spec = RequestSpec::new(server.url("/big?size=100000"));
    spec.settings.max_message_size = 100_000;
    let (session, _) = open_ok(&engine, spec).await;
    let mut events = Events::of(&session);
    events
        .expect("the 100000-byte message", is_message_in)
        .await;
    assert_eq!(events.messages(Direction::In)[0].len(), 100_000);
    assert_eq!(events.count(is_error), 0, "{}", events.describe());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zero_maximum_size_means_unlimited_and_20_mib_arrive_whole() {
    let server = start_server().await;
    let engine = Engine::new();
    let size = 20 << 20;
    let mut spec = RequestSpec::new(server.url(&format!("/big?size={size}")));
    spec.settings.max_message_size = 0;
    let (session, _) = open_ok(&engine, spec).await;
    let mut events = Events::of(&session);
    events.expect("the 20 MiB message", is_message_in).await;
    let received = events.messages(Direction::In);
    assert_eq!(received.len(), 1);
    assert!(matches!(received[0], Payload::Binary(_)));
    assert_eq!(received[0].len(), size);
    assert_eq!(events.count(is_error), 0, "{}", events.describe());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn binary_message_of_16_mib_round_trips_unchanged() {
    let server = start_server().await;
    let engine = Engine::new();
    let (session, _) = open_ok(&engine, RequestSpec::new(server.url("/echo"))).await;
    let data: Vec<u8> = (0..16u32 << 20).map(|i| (i % 251) as u8).collect();
    let payload = Payload::binary(Bytes::from(data));
    session.send(payload.clone()).await.expect("send 16 MiB");
    let mut events = Events::of(&session);
    events.expect("the 16 MiB echo", is_message_in).await;
    let received = events.messages(Direction::In);
    assert_eq!(received.len(), 1);
    assert!(
        received[0] == payload,
        "the echo differs from what was sent"
    );
    assert_eq!(events.count(is_error), 0, "{}", events.describe());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_utf8_text_fails_the_connection_with_1007() {
    let server = start_server().await;
    let engine = Engine::new();
    let (session, _) = open_ok(&engine, RequestSpec::new(server.url("/invalid-utf8"))).await;
    let mut events = Events::of(&session);
    events
        .expect("Closing Out 1007", |e| {
            matches!(
                e.kind,
                EventKind::Closing {
                    direction: Direction::Out,
                    code: Some(1007),
                    ..
                }
            )
        })
        .await;
    events.until_end("log end after invalid UTF-8").await;
    let err = error_of(&events);
    assert_eq!(err, EngineError::InvalidUtf8);
    assert!(err.to_string().contains("1007"), "{err}");
    assert_eq!(
        events.count(is_message_in),
        0,
        "invalid text is never delivered as a message:\n{}",
        events.describe()
    );
    assert!(is_closed(events.seen.last().expect("events")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vanishing_server_is_connection_lost_and_an_unclean_close() {
    let server = start_server().await;
    let engine = Engine::new();
    let (session, _) = open_ok(&engine, RequestSpec::new(server.url("/vanish"))).await;
    let mut events = Events::of(&session);
    let closed = events.expect("Closed", is_closed).await;
    match &closed.kind {
        EventKind::Closed {
            code,
            clean,
            initiator,
            ..
        } => {
            assert_eq!(*code, None);
            assert!(!*clean);
            assert_eq!(*initiator, Initiator::Remote);
        }
        other => panic!("{other:?}"),
    }
    events.until_end("log end after the server vanished").await;
    let err = error_of(&events);
    assert!(matches!(err, EngineError::ConnectionLost(_)), "{err:?}");
    assert_eq!(err.class(), ErrorClass::ConnectionLost);
    assert!(
        matches!(session.last_error(), Some(EngineError::ConnectionLost(_))),
        "{:?}",
        session.last_error()
    );
    assert_eq!(
        events.count(is_message_in),
        0,
        "half a frame is not a message:\n{}",
        events.describe()
    );
}
