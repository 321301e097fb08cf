//! Reconnection after a lost connection or a failed connect, on 127.0.0.1.

mod common;

use std::net::SocketAddr;

use common::{Events, is_message_in, is_open, open, open_ok, start_server, within};
use wsdeck_echo::{EchoConfig, EchoServer};
use wsdeck_engine::{Engine, EngineError, Event, EventKind, Payload, RequestSpec};

fn is_reconnecting(e: &Event) -> bool {
    matches!(e.kind, EventKind::Reconnecting { .. })
}

/// Starts a server on exactly `addr`, retrying while the port is still being released.
async fn restart_on(addr: SocketAddr) -> EchoServer {
    within("rebinding the same port", async {
        loop {
            let config = EchoConfig {
                bind: addr,
                ..EchoConfig::default()
            };
            match EchoServer::start(config).await {
                Ok(server) => return server,
                Err(_) => tokio::time::sleep(std::time::Duration::from_millis(20)).await,
            }
        }
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_reconnects_after_the_server_restarts_and_works_again() {
    let server = start_server().await;
    let addr = server.local_addr();
    let engine = Engine::new();
    let mut spec = RequestSpec::new(server.url("/echo"));
    spec.settings.reconnect_attempts = 5;
    spec.settings.reconnect_interval_ms = 200;
    let (session, _) = open_ok(&engine, spec).await;

    // The server goes away without close frames, then comes back on the same port.
    server.shutdown().await;
    let mut events = Events::of(&session);
    let first_open = events.expect("first Open", is_open).await;
    events
        .expect(
            "Reconnecting after the connection was lost",
            is_reconnecting,
        )
        .await;
    let server = restart_on(addr).await;
    let second_open = events.expect("second Open", is_open).await;
    assert!(second_open.seq > first_open.seq);
    assert!(
        events
            .seen
            .iter()
            .any(|e| matches!(&e.kind, EventKind::Error(EngineError::ConnectionLost(_)))),
        "the lost connection is recorded:\n{}",
        events.describe()
    );
    assert!(
        events
            .seen
            .iter()
            .any(|e| matches!(e.kind, EventKind::Connecting { attempt, .. } if attempt >= 1)),
        "{}",
        events.describe()
    );

    session
        .send(Payload::text("after reconnect"))
        .await
        .expect("send after reconnecting");
    events
        .expect("echo on the new connection", is_message_in)
        .await;
    assert_eq!(
        events.messages(wsdeck_engine::Direction::In),
        vec![Payload::text("after reconnect")]
    );
    assert!(server.stats().upgrades >= 1);
    session.close(Some(1000), "").await.expect("close");
    events.until_end("log end after close").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconnect_attempts_are_bounded_against_a_refused_port() {
    let (_reserved, port) = common::refused_port();
    let engine = Engine::new();
    let mut spec = RequestSpec::new(format!("ws://127.0.0.1:{port}/echo"));
    spec.settings.reconnect_attempts = 2;
    spec.settings.reconnect_interval_ms = 50;
    let session = open(&engine, spec);
    let mut events = Events::of(&session);
    events.until_end("log end after the last attempt").await;
    let reconnecting: Vec<(u32, u32, u64)> = events
        .seen
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::Reconnecting {
                attempt,
                of,
                delay_ms,
            } => Some((attempt, of, delay_ms)),
            _ => None,
        })
        .collect();
    assert_eq!(
        reconnecting,
        vec![(1, 2, 50), (2, 2, 50)],
        "{}",
        events.describe()
    );
    let connecting = events.count(|e| matches!(e.kind, EventKind::Connecting { .. }));
    assert_eq!(
        connecting,
        3,
        "one attempt and two retries:\n{}",
        events.describe()
    );
    let connect_errors =
        events.count(|e| matches!(&e.kind, EventKind::Error(EngineError::Connect { .. })));
    assert_eq!(connect_errors, 3, "{}", events.describe());
    assert!(
        matches!(
            events.seen.last().map(|e| &e.kind),
            Some(EventKind::Closed { .. })
        ),
        "{}",
        events.describe()
    );
    assert_eq!(events.count(is_open), 0);
    assert!(
        matches!(session.last_error(), Some(EngineError::Connect { .. })),
        "{:?}",
        session.last_error()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn normal_server_close_does_not_trigger_reconnection() {
    let server = start_server().await;
    let engine = Engine::new();
    let mut spec = RequestSpec::new(server.url("/close?code=1000&reason=done"));
    spec.settings.reconnect_attempts = 3;
    spec.settings.reconnect_interval_ms = 50;
    let session = open(&engine, spec);
    let mut events = Events::of(&session);
    events.until_end("log end after a normal close").await;
    assert_eq!(events.count(is_reconnecting), 0, "{}", events.describe());
    assert_eq!(events.count(is_open), 1, "{}", events.describe());
    assert!(
        matches!(
            events.seen.last().map(|e| &e.kind),
            Some(EventKind::Closed {
                code: Some(1000),
                clean: true,
                ..
            })
        ),
        "{}",
        events.describe()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_close_does_not_trigger_reconnection() {
    let server = start_server().await;
    let engine = Engine::new();
    let mut spec = RequestSpec::new(server.url("/echo"));
    spec.settings.reconnect_attempts = 3;
    spec.settings.reconnect_interval_ms = 50;
    let (session, _) = open_ok(&engine, spec).await;
    session.close(Some(1001), "leaving").await.expect("close");
    let mut events = Events::of(&session);
    events.until_end("log end after a user close").await;
    assert_eq!(events.count(is_reconnecting), 0, "{}", events.describe());
    assert_eq!(events.count(is_open), 1, "{}", events.describe());
    assert_eq!(server.stats().upgrades, 1);
}
