//! Opening connections: redirects, refusals, timeouts, connect failures and cancelling,
//! against the echo server on 127.0.0.1.

mod common;

use common::{
    Events, describe_events, is_closed, is_error, is_message_in, is_open, json_has_header,
    json_has_header_name, open, open_err, open_ok, start_server,
};
use wsdeck_engine::{Engine, EngineError, ErrorClass, Event, EventKind, Payload, RequestSpec};

fn redirects(events: &[Event]) -> Vec<(u16, String, String, u32, Vec<String>)> {
    events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Redirect {
                status,
                from,
                to,
                hop,
                dropped_headers,
            } => Some((
                *status,
                from.clone(),
                to.clone(),
                *hop,
                dropped_headers.clone(),
            )),
            _ => None,
        })
        .collect()
}

/// After a failed open: an `Error` event with `expected`, then `Closed`, then the log ends.
async fn assert_error_then_closed_then_end(events: &mut Events, expected: &EngineError) {
    let error = events.expect("Error event", is_error).await;
    match &error.kind {
        EventKind::Error(e) => assert_eq!(e, expected),
        other => panic!("{other:?}"),
    }
    let closed = events.expect("Closed after the error", is_closed).await;
    assert_eq!(closed.seq, error.seq + 1, "{}", events.describe());
    events.until_end("log end after a refused handshake").await;
    assert_eq!(events.count(is_open), 0, "{}", events.describe());
}

async fn first_text(session: &wsdeck_engine::Session) -> String {
    let mut events = Events::of(session);
    match events.expect("first message", is_message_in).await.kind {
        EventKind::Message {
            payload: Payload::Text(t),
            ..
        } => t.to_string(),
        other => panic!("expected a text message, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redirect_is_followed_and_recorded_before_open() {
    let server = start_server().await;
    let engine = Engine::new();
    let (session, info) =
        open_ok(&engine, RequestSpec::new(server.url("/redirect?to=/echo"))).await;
    assert!(info.url.ends_with("/echo"), "{}", info.url);
    assert_eq!(info.request.start_line, "GET /echo HTTP/1.1");
    let mut events = Events::of(&session);
    let redirect = events
        .expect("Redirect", |e| matches!(e.kind, EventKind::Redirect { .. }))
        .await;
    events.expect("Open after the redirect", is_open).await;
    match redirect.kind {
        EventKind::Redirect {
            status,
            from,
            to,
            hop,
            dropped_headers,
        } => {
            assert_eq!(status, 302);
            assert!(from.contains("/redirect?to="), "{from}");
            assert_eq!(to, server.url("/echo"));
            assert_eq!(hop, 1);
            assert!(dropped_headers.is_empty(), "{dropped_headers:?}");
        }
        other => panic!("{other:?}"),
    }
    // The redirected connection is a working echo.
    session
        .send(Payload::text("after redirect"))
        .await
        .expect("send");
    events.expect("echo", is_message_in).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redirect_is_not_followed_when_following_is_off() {
    let server = start_server().await;
    let engine = Engine::new();
    let mut spec = RequestSpec::new(server.url("/redirect?to=/echo&status=307"));
    spec.settings.follow_redirects = false;
    let (session, err) = open_err(&engine, spec).await;
    assert_eq!(
        err,
        EngineError::RedirectNotFollowed {
            status: 307,
            location: "/echo".into()
        }
    );
    assert!(err.to_string().contains("/echo"), "{err}");
    assert!(err.to_string().contains("--no-follow-redirects"), "{err}");
    let mut events = Events::of(&session);
    assert_error_then_closed_then_end(&mut events, &err).await;
    assert!(redirects(&events.seen).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redirect_loop_is_detected() {
    let server = start_server().await;
    let engine = Engine::new();
    let (session, err) = open_err(&engine, RequestSpec::new(server.url("/redirect-loop"))).await;
    assert!(
        matches!(&err, EngineError::RedirectLoop { url, .. } if url.ends_with("/redirect-loop")),
        "{err:?}"
    );
    assert_eq!(err.class(), ErrorClass::HandshakeRefused);
    let mut events = Events::of(&session);
    assert_error_then_closed_then_end(&mut events, &err).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redirect_chain_longer_than_the_maximum_fails() {
    let server = start_server().await;
    let engine = Engine::new();
    let mut spec = RequestSpec::new(server.url("/redirect-chain?n=15"));
    spec.settings.max_redirects = 10;
    let (session, err) = open_err(&engine, spec).await;
    assert_eq!(err, EngineError::TooManyRedirects { max: 10 });
    assert!(err.to_string().contains("10"), "{err}");
    assert!(err.to_string().contains("raise --max-redirects"), "{err}");
    let mut events = Events::of(&session);
    assert_error_then_closed_then_end(&mut events, &err).await;
    let hops: Vec<u32> = redirects(&events.seen).iter().map(|r| r.3).collect();
    assert_eq!(hops, (1..=10).collect::<Vec<_>>(), "{}", events.describe());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redirect_chain_within_the_maximum_opens() {
    let server = start_server().await;
    let engine = Engine::new();
    let mut spec = RequestSpec::new(server.url("/redirect-chain?n=3"));
    spec.settings.max_redirects = 3;
    let (session, info) = open_ok(&engine, spec).await;
    assert!(info.url.ends_with("/echo"), "{}", info.url);
    let mut events = Events::of(&session);
    events.expect("Open", is_open).await;
    assert_eq!(redirects(&events.seen).len(), 3, "{}", events.describe());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authorization_is_not_forwarded_on_a_redirect_to_another_host() {
    let server = start_server().await;
    let engine = Engine::new();
    let port = server.local_addr().port();
    let target = format!("ws://localhost:{port}/headers");
    let mut spec = RequestSpec::new(server.url("/redirect"));
    spec.params = vec![("to".into(), target.clone())];
    spec.headers = vec![
        ("Authorization".into(), "Bearer secret".into()),
        ("Cookie".into(), "session=secret".into()),
        ("X-Kept".into(), "yes".into()),
    ];
    let (session, info) = open_ok(&engine, spec).await;
    assert_eq!(info.url, target);
    let json = first_text(&session).await;
    let mut events = Events::of(&session);
    events.expect("Open", is_open).await;
    let hops = redirects(&events.seen);
    assert_eq!(hops.len(), 1, "{}", events.describe());
    assert_eq!(hops[0].2, target);
    let mut dropped = hops[0].4.clone();
    dropped.sort();
    assert_eq!(
        dropped,
        vec!["authorization".to_owned(), "cookie".to_owned()]
    );
    assert!(!json_has_header_name(&json, "authorization"), "{json}");
    assert!(!json_has_header_name(&json, "cookie"), "{json}");
    assert!(json_has_header(&json, "x-kept", "yes"), "{json}");
    assert!(
        !info
            .request
            .headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("authorization")),
        "{:?}",
        info.request.headers
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authorization_is_kept_on_a_same_host_redirect() {
    let server = start_server().await;
    let engine = Engine::new();
    let mut spec = RequestSpec::new(server.url("/redirect?to=/headers"));
    spec.headers = vec![("Authorization".into(), "Bearer secret".into())];
    let (session, info) = open_ok(&engine, spec).await;
    assert!(info.url.ends_with("/headers"), "{}", info.url);
    let json = first_text(&session).await;
    let mut events = Events::of(&session);
    events.expect("Open", is_open).await;
    let hops = redirects(&events.seen);
    assert_eq!(hops.len(), 1, "{}", events.describe());
    assert!(hops[0].4.is_empty(), "{:?}", hops[0].4);
    assert!(
        json_has_header(&json, "authorization", "Bearer secret"),
        "{json}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn non_101_answer_is_reported_with_status_and_body() {
    let server = start_server().await;
    let engine = Engine::new();
    let (session, err) = open_err(&engine, RequestSpec::new(server.url("/status?code=500"))).await;
    match &err {
        EngineError::HandshakeRejected {
            status,
            reason,
            body,
            ..
        } => {
            assert_eq!(*status, 500);
            assert_eq!(reason, "Internal Server Error");
            assert!(body.contains("status 500"), "{body:?}");
        }
        other => panic!("expected HandshakeRejected, got {other:?}"),
    }
    let text = err.to_string();
    assert!(
        text.starts_with("server answered 500 Internal Server Error"),
        "{text}"
    );
    assert!(text.contains("status 500 requested"), "{text}");
    let mut events = Events::of(&session);
    assert_error_then_closed_then_end(&mut events, &err).await;
    assert_eq!(session.last_error(), Some(err));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auth_endpoint_refuses_a_request_without_credentials() {
    let server = start_server().await;
    let engine = Engine::new();
    let (session, err) = open_err(&engine, RequestSpec::new(server.url("/auth"))).await;
    match &err {
        EngineError::HandshakeRejected {
            status,
            headers,
            body,
            ..
        } => {
            assert_eq!(*status, 401);
            assert!(
                headers
                    .iter()
                    .any(|(n, v)| n.eq_ignore_ascii_case("www-authenticate") && v == "Bearer"),
                "{headers:?}"
            );
            assert!(body.contains("Authorization is missing"), "{body:?}");
        }
        other => panic!("expected HandshakeRejected, got {other:?}"),
    }
    assert!(
        err.to_string()
            .starts_with("server answered 401 Unauthorized"),
        "{err}"
    );
    let mut events = Events::of(&session);
    assert_error_then_closed_then_end(&mut events, &err).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auth_endpoint_opens_with_the_right_authorization_header() {
    let server = start_server().await;
    let engine = Engine::new();
    let mut spec = RequestSpec::new(server.url("/auth"));
    spec.headers = vec![("Authorization".into(), "Bearer wsdeck".into())];
    let (session, _) = open_ok(&engine, spec).await;
    session
        .send(Payload::text("authorised"))
        .await
        .expect("send");
    let mut events = Events::of(&session);
    events.expect("echo", is_message_in).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handshake_timeout_is_enforced() {
    let server = start_server().await;
    let engine = Engine::new();
    let mut spec = RequestSpec::new(server.url("/slow-handshake?ms=3000"));
    spec.settings.handshake_timeout_ms = 300;
    let (session, err) = open_err(&engine, spec).await;
    assert!(
        matches!(&err, EngineError::HandshakeTimeout { timeout_ms: 300, url, phase } if url.contains("/slow-handshake") && phase.contains("upgrade")),
        "{err:?}"
    );
    assert_eq!(err.class(), ErrorClass::Timeout);
    assert!(err.to_string().contains("300 ms"), "{err}");
    // The message names the flag that changes the limit.
    assert!(
        err.to_string().contains("raise --handshake-timeout"),
        "{err}"
    );
    let mut events = Events::of(&session);
    assert_error_then_closed_then_end(&mut events, &err).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_tls_handshake_times_out_and_says_so() {
    // A TCP server that accepts and then says nothing: the TLS handshake never completes.
    let (listener, port) = local_listener().await;
    let holder = tokio::spawn(async move {
        let (socket, _) = listener.accept().await.unwrap_or_else(|e| panic!("{e}"));
        tokio::time::sleep(std::time::Duration::from_secs(5)).await;
        drop(socket);
    });
    let engine = Engine::new();
    let mut spec = RequestSpec::new(format!("wss://127.0.0.1:{port}/"));
    spec.settings.handshake_timeout_ms = 300;
    let (_session, err) = open_err(&engine, spec).await;
    assert!(
        matches!(&err, EngineError::HandshakeTimeout { phase, .. } if phase.contains("TLS")),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("during the TLS handshake")
            && err.to_string().contains("use ws://")
            && err.to_string().contains("--handshake-timeout"),
        "{err}"
    );
    holder.abort();
}

/// `wss://` to a server that answers in plain HTTP: the error says so and names the fix,
/// rather than rustls' "received corrupt message of type InvalidContentType".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wss_to_a_plain_http_server_says_to_use_ws() {
    let (port, server) =
        answer_once(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            .await;
    let engine = Engine::new();
    let (_session, err) = open_err(
        &engine,
        RequestSpec::new(format!("wss://127.0.0.1:{port}/")),
    )
    .await;
    assert!(matches!(&err, EngineError::Tls { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("not TLS") && text.contains("use ws:// instead of wss://"),
        "{text}"
    );
    server.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_port_is_a_connect_error_saying_nothing_listens() {
    let (_reserved, port) = common::refused_port();
    let engine = Engine::new();
    let (session, err) = open_err(
        &engine,
        RequestSpec::new(format!("ws://127.0.0.1:{port}/echo")),
    )
    .await;
    assert!(
        matches!(&err, EngineError::Connect { addr, .. } if *addr == format!("127.0.0.1:{port}")),
        "{err:?}"
    );
    assert!(err.to_string().contains("nothing is listening"), "{err}");
    assert_eq!(err.class(), ErrorClass::Connect);
    let mut events = Events::of(&session);
    assert_error_then_closed_then_end(&mut events, &err).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unresolvable_host_is_a_resolve_error() {
    let engine = Engine::new();
    let (session, err) = open_err(&engine, RequestSpec::new("ws://nonexistent.invalid/")).await;
    assert!(
        matches!(&err, EngineError::Resolve { host, .. } if host == "nonexistent.invalid"),
        "{err:?}"
    );
    assert!(err.to_string().contains("nonexistent.invalid"), "{err}");
    let mut events = Events::of(&session);
    assert_error_then_closed_then_end(&mut events, &err).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn close_while_connecting_cancels_the_attempt() {
    let server = start_server().await;
    let engine = Engine::new();
    let session = open(
        &engine,
        RequestSpec::new(server.url("/slow-handshake?ms=5000")),
    );
    let mut events = Events::of(&session);
    events
        .expect("Connecting", |e| {
            matches!(e.kind, EventKind::Connecting { .. })
        })
        .await;
    session.close(Some(1000), "").await.expect("cancel");
    let seen = events.until_end("log end after cancelling").await.to_vec();
    let last = seen.last().expect("events");
    assert!(
        matches!(
            &last.kind,
            EventKind::Closed {
                initiator: wsdeck_engine::Initiator::Local,
                ..
            }
        ),
        "the log ends with a local Closed:\n{}",
        describe_events(&seen)
    );
    assert!(
        !seen.iter().any(is_open),
        "a cancelled attempt never opens:\n{}",
        describe_events(&seen)
    );
    assert_eq!(session.state(), wsdeck_engine::SessionState::Closed);
    let err = session.wait_open().await.expect_err("never opened");
    assert!(
        !matches!(err, EngineError::HandshakeTimeout { .. }),
        "{err:?}"
    );
}

/// A 101 whose Sec-WebSocket-Accept does not match the key: refused, with both values and
/// the rule in words (not Rust's `Some("…")`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_sec_websocket_accept_is_refused_in_words() {
    let (port, server) = answer_once(
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: wrong\r\n\r\n",
    )
    .await;
    let engine = Engine::new();
    let (_session, err) =
        open_err(&engine, RequestSpec::new(format!("ws://127.0.0.1:{port}/"))).await;
    assert!(matches!(&err, EngineError::InvalidHandshake(_)), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("sent \"Sec-WebSocket-Accept: wrong\"")
            && text.contains("Sec-WebSocket-Accept header equal to \"")
            && text.contains("Sec-WebSocket-Key")
            && !text.contains("Some("),
        "{text}"
    );
    server.abort();
}

/// A TCP server on 127.0.0.1 that answers its first connection's first read with `answer`
/// (raw bytes: whatever a real server would not send), then holds the socket briefly.
async fn answer_once(answer: &'static [u8]) -> (u16, tokio::task::JoinHandle<()>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (listener, port) = local_listener().await;
    let server = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap_or_else(|e| panic!("{e}"));
        let mut request = [0u8; 2048];
        let _ = socket.read(&mut request).await;
        let _ = socket.write_all(answer).await;
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    });
    (port, server)
}

/// A listener on a free port of 127.0.0.1, and the port.
async fn local_listener() -> (tokio::net::TcpListener, u16) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("bind: {e}"));
    let port = listener
        .local_addr()
        .unwrap_or_else(|e| panic!("{e}"))
        .port();
    (listener, port)
}
