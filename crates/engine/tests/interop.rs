//! Interoperability: the engine against two foreign servers, Python `websockets`
//! (`tests/peers/python_server.py`) and Node `ws` (`tests/peers/node_server.js`).
//!
//! Every scenario is one `async fn` taking the peer kind, run once per peer by
//! [`against_both_peers!`] (`python::text_echo`, `node::text_echo`, ...). The peers are child
//! processes (see `peers/mod.rs`); the environment comes from `scripts/test`, and without it
//! these tests fail with instructions rather than pass vacuously.
//!
//! Assertions are about behaviour (which events, in which order, with which codes and
//! payloads); time limits only turn a hang into a failure.

mod peers;

use std::fmt::Write as _;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use peers::{Peer, PeerKind};
use wsdeck_engine::{
    Bytes, Direction, Engine, EngineError, Event, EventKind, HandshakeInfo, Initiator, Payload,
    RequestSpec, Session, SessionLog, SessionState,
};

/// Guard against hangs: far above anything these scenarios need on loopback.
const STEP_TIMEOUT: Duration = Duration::from_secs(20);

async fn within<T>(what: &str, fut: impl Future<Output = T>) -> T {
    tokio::time::timeout(STEP_TIMEOUT, fut)
        .await
        .unwrap_or_else(|_| panic!("timed out after {STEP_TIMEOUT:?}: {what}"))
}

/// Reads a session's log in order, remembering what it saw for failure messages.
struct Events {
    log: Arc<SessionLog>,
    next_seq: u64,
    pending: std::collections::VecDeque<Event>,
    seen: Vec<String>,
    ended: bool,
}

impl Events {
    fn new(session: &Session) -> Self {
        Events {
            log: session.log().clone(),
            next_seq: 0,
            pending: Default::default(),
            seen: Vec::new(),
            ended: false,
        }
    }

    /// The next event, or `None` once the session is over and everything was read.
    async fn next(&mut self) -> Option<Event> {
        loop {
            if let Some(event) = self.pending.pop_front() {
                self.seen.push(describe(&event.kind));
                return Some(event);
            }
            if self.ended {
                return None;
            }
            let mut batch = Vec::new();
            let outcome = within(
                &format!("waiting for an event; seen so far:\n{}", self.history()),
                self.log.next_batch(self.next_seq, 256, &mut batch),
            )
            .await;
            assert_eq!(
                outcome.missed, 0,
                "events left memory before they were read"
            );
            self.next_seq = outcome.next_seq;
            self.ended = outcome.at_end;
            self.pending.extend(batch);
        }
    }

    /// Reads until an event matches `pred` and returns it; fails if the session ends first.
    async fn until(&mut self, what: &str, pred: impl Fn(&EventKind) -> bool) -> Event {
        while let Some(event) = self.next().await {
            if pred(&event.kind) {
                return event;
            }
        }
        panic!(
            "the session ended before {what}; its events:\n{}",
            self.history()
        );
    }

    /// Everything up to the end of the session.
    async fn rest(&mut self) -> Vec<Event> {
        let mut out = Vec::new();
        while let Some(event) = self.next().await {
            out.push(event);
        }
        out
    }

    /// Waits for the handshake to succeed.
    async fn opened(&mut self) -> std::sync::Arc<HandshakeInfo> {
        match self
            .until("Open", |k| matches!(k, EventKind::Open(_)))
            .await
            .kind
        {
            EventKind::Open(info) => info,
            _ => unreachable!(),
        }
    }

    /// Waits for the next received data message.
    async fn message_in(&mut self) -> Payload {
        match self
            .until("a received message", |k| {
                matches!(
                    k,
                    EventKind::Message {
                        direction: Direction::In,
                        ..
                    }
                )
            })
            .await
            .kind
        {
            EventKind::Message { payload, .. } => payload,
            _ => unreachable!(),
        }
    }

    /// Waits for the `Closed` event: (code, reason, clean, initiator).
    async fn closed(&mut self) -> (Option<u16>, String, bool, Initiator) {
        match self
            .until("Closed", |k| matches!(k, EventKind::Closed { .. }))
            .await
            .kind
        {
            EventKind::Closed {
                code,
                reason,
                clean,
                initiator,
            } => (code, reason, clean, initiator),
            _ => unreachable!(),
        }
    }

    fn history(&self) -> String {
        let mut s = String::new();
        for (i, line) in self.seen.iter().enumerate() {
            let _ = writeln!(s, "  {i}: {line}");
        }
        s
    }
}

/// One line per event, without megabytes of payload.
fn describe(kind: &EventKind) -> String {
    match kind {
        EventKind::Message { direction, payload } => {
            let preview: String = String::from_utf8_lossy(payload.as_bytes())
                .chars()
                .take(60)
                .collect();
            let kind = match payload {
                Payload::Text(_) => "text",
                Payload::Binary(_) => "binary",
            };
            format!(
                "Message {direction:?} {kind} {} bytes {preview:?}",
                payload.len()
            )
        }
        EventKind::Open(info) => format!("Open {} protocol {:?}", info.url, info.protocol),
        other => format!("{other:?}"),
    }
}

/// Opens a session to `path` on `peer`, with `tweak` applied to the request.
fn open(peer: &Peer, path: &str, tweak: impl FnOnce(&mut RequestSpec)) -> (Session, Events) {
    let mut spec = RequestSpec::new(peer.url(path));
    tweak(&mut spec);
    let session = Engine::new()
        .open(spec)
        .unwrap_or_else(|e| panic!("{} peer {path}: open: {e}", peer.kind().name()));
    let events = Events::new(&session);
    (session, events)
}

/// Sends `payload` and expects the same message back.
async fn assert_echo(session: &Session, events: &mut Events, payload: Payload) {
    session
        .send(payload.clone())
        .await
        .unwrap_or_else(|e| panic!("send: {e}"));
    let back = events.message_in().await;
    assert!(
        back == payload,
        "echo differs: sent {}, received {}",
        describe(&EventKind::Message {
            direction: Direction::Out,
            payload,
        }),
        describe(&EventKind::Message {
            direction: Direction::In,
            payload: back,
        }),
    );
}

/// Closes with 1000 and expects a clean close that we started.
async fn close_normally(session: &Session, events: &mut Events) {
    session
        .close(Some(1000), "")
        .await
        .unwrap_or_else(|e| panic!("close: {e}"));
    let (code, _, clean, initiator) = events.closed().await;
    assert_eq!(
        (code, clean, initiator),
        (Some(1000), true, Initiator::Local),
        "events:\n{}",
        events.history()
    );
    events.rest().await;
    assert_eq!(session.state(), SessionState::Closed);
}

// ---------------------------------------------------------------------------------------------
// Scenarios
// ---------------------------------------------------------------------------------------------

async fn text_echo(kind: PeerKind) {
    let peer = Peer::start(kind);
    let (session, mut events) = open(&peer, "/echo", |_| {});
    let info = events.opened().await;
    assert_eq!(info.url, peer.url("/echo"));
    assert_eq!(
        info.response.start_line.split_whitespace().nth(1),
        Some("101")
    );
    for text in ["hello", "", "ünïcødé ✓ and some more text"] {
        assert_echo(&session, &mut events, Payload::text(text)).await;
    }
    close_normally(&session, &mut events).await;
}

async fn binary_echo(kind: PeerKind) {
    let peer = Peer::start(kind);
    let (session, mut events) = open(&peer, "/echo", |_| {});
    events.opened().await;
    let all_bytes: Vec<u8> = (0..=255).collect();
    assert_echo(&session, &mut events, Payload::binary(all_bytes)).await;
    assert_echo(&session, &mut events, Payload::binary(Vec::new())).await;
    // Not valid UTF-8: must stay binary.
    assert_echo(
        &session,
        &mut events,
        Payload::binary(vec![0xff, 0xfe, 0x00]),
    )
    .await;
    close_normally(&session, &mut events).await;
}

async fn subprotocol_negotiation(kind: PeerKind) {
    let peer = Peer::start(kind);
    let (session, mut events) = open(&peer, "/echo", |spec| {
        spec.protocols = vec!["nope".into(), "superchat".into()];
    });
    let info = events.opened().await;
    assert_eq!(info.protocol.as_deref(), Some("superchat"));
    assert_eq!(
        session.info().negotiated_protocol.as_deref(),
        Some("superchat")
    );
    assert_echo(&session, &mut events, Payload::text("over superchat")).await;
    close_normally(&session, &mut events).await;

    // Nothing the server supports: still connected, without a subprotocol.
    let (session, mut events) = open(&peer, "/echo", |spec| {
        spec.protocols = vec!["nope".into()];
    });
    assert_eq!(events.opened().await.protocol, None);
    close_normally(&session, &mut events).await;
}

async fn custom_headers_reach_the_server(kind: PeerKind) {
    let peer = Peer::start(kind);
    let (session, mut events) = open(&peer, "/headers", |spec| {
        spec.headers = vec![
            ("X-Wsdeck-Test".into(), "interop 1".into()),
            ("X-Repeat".into(), "one".into()),
            ("X-Repeat".into(), "two".into()),
            ("Origin".into(), "http://wsdeck.test".into()),
        ];
    });
    let info = events.opened().await;
    assert!(
        info.request
            .headers
            .iter()
            .any(|(n, v)| n == "X-Wsdeck-Test" && v == "interop 1"),
        "request as sent: {:?}",
        info.request
    );
    let Payload::Text(json) = events.message_in().await else {
        panic!("/headers must answer with a text message");
    };
    let seen: serde_json::Value =
        serde_json::from_str(&json).unwrap_or_else(|e| panic!("/headers JSON {json:?}: {e}"));
    assert_eq!(seen["x-wsdeck-test"], "interop 1", "{json}");
    assert_eq!(seen["x-repeat"], "one, two", "{json}");
    // A user header replaces the default one of the same name.
    assert_eq!(seen["origin"], "http://wsdeck.test", "{json}");
    assert_eq!(seen["upgrade"], "websocket", "{json}");
    assert_eq!(seen["sec-websocket-version"], "13", "{json}");
    close_normally(&session, &mut events).await;
}

async fn authorization_accepted_and_401_without(kind: PeerKind) {
    let peer = Peer::start(kind);
    let (session, mut events) = open(&peer, "/auth", |spec| {
        spec.headers = vec![("Authorization".into(), "Bearer wsdeck".into())];
    });
    events.opened().await;
    assert_echo(&session, &mut events, Payload::text("authorized")).await;
    close_normally(&session, &mut events).await;

    let (session, mut events) = open(&peer, "/auth", |_| {});
    match session.wait_open().await {
        Err(EngineError::HandshakeRejected { status, .. }) => assert_eq!(status, 401),
        other => panic!("/auth without Authorization: expected a 401 rejection, got {other:?}"),
    }
    let rest = events.rest().await;
    assert!(
        rest.iter().any(|e| matches!(
            &e.kind,
            EventKind::Error(err @ EngineError::HandshakeRejected { status: 401, .. })
                if err.to_string().contains("401")
        )),
        "events:\n{}",
        events.history()
    );
    assert!(!rest.iter().any(|e| matches!(e.kind, EventKind::Open(_))));
}

async fn server_close_code_and_reason(kind: PeerKind) {
    let peer = Peer::start(kind);
    let (session, mut events) = open(&peer, "/close?code=4001&reason=bye", |_| {});
    events.opened().await;
    let closing = events
        .until("the server's close frame", |k| {
            matches!(
                k,
                EventKind::Closing {
                    direction: Direction::In,
                    ..
                }
            )
        })
        .await;
    assert!(
        matches!(&closing.kind, EventKind::Closing { code: Some(4001), reason, .. } if reason == "bye"),
        "{:?}",
        closing.kind
    );
    let closed = events.closed().await;
    assert_eq!(
        closed,
        (Some(4001), "bye".to_owned(), true, Initiator::Remote),
        "events:\n{}",
        events.history()
    );
    events.rest().await;
    assert_eq!(session.state(), SessionState::Closed);
    assert_eq!(session.last_error(), None);
}

async fn client_close_code_and_reason(kind: PeerKind) {
    let peer = Peer::start(kind);
    let (session, mut events) = open(&peer, "/echo", |_| {});
    events.opened().await;
    session
        .close(Some(4002), "done")
        .await
        .unwrap_or_else(|e| panic!("close: {e}"));
    let sent = events
        .until("our close frame", |k| {
            matches!(
                k,
                EventKind::Closing {
                    direction: Direction::Out,
                    ..
                }
            )
        })
        .await;
    assert!(
        matches!(&sent.kind, EventKind::Closing { code: Some(4002), reason, .. } if reason == "done"),
        "{:?}",
        sent.kind
    );
    let answer = events
        .until("the server's close answer", |k| {
            matches!(
                k,
                EventKind::Closing {
                    direction: Direction::In,
                    ..
                }
            )
        })
        .await;
    assert!(
        matches!(
            answer.kind,
            EventKind::Closing {
                code: Some(4002),
                ..
            }
        ),
        "the server echoes the close code: {:?}",
        answer.kind
    );
    let (code, _, clean, initiator) = events.closed().await;
    assert_eq!(
        (code, clean, initiator),
        (Some(4002), true, Initiator::Local),
        "events:\n{}",
        events.history()
    );
    events.rest().await;
    assert_eq!(session.last_error(), None);
}

async fn ping_pong_both_ways(kind: PeerKind) {
    let peer = Peer::start(kind);
    // Our ping: the server answers with a pong carrying the same payload.
    let (session, mut events) = open(&peer, "/echo", |_| {});
    events.opened().await;
    session
        .ping(Bytes::from_static(b"wsdeck-ping"))
        .await
        .unwrap_or_else(|e| panic!("ping: {e}"));
    let pong = events
        .until("a pong", |k| {
            matches!(
                k,
                EventKind::Pong {
                    direction: Direction::In,
                    ..
                }
            )
        })
        .await;
    assert!(
        matches!(&pong.kind, EventKind::Pong { payload, .. } if payload.as_ref() == b"wsdeck-ping"),
        "{:?}",
        pong.kind
    );
    assert!(
        events
            .seen
            .iter()
            .any(|e| e.contains("Ping") && e.contains("Out")),
        "our ping is recorded:\n{}",
        events.history()
    );
    close_normally(&session, &mut events).await;

    // The server's pings: recorded, and answered automatically with the same payload.
    let (session, mut events) = open(&peer, "/ping?count=2&payload=hi", |_| {});
    events.opened().await;
    let mut pings_in = 0;
    let mut pongs_out = 0;
    while pongs_out < 2 {
        let Some(event) = events.next().await else {
            panic!("session ended early:\n{}", events.history());
        };
        match event.kind {
            EventKind::Ping {
                direction: Direction::In,
                payload,
            } => {
                assert_eq!(payload.as_ref(), b"hi");
                pings_in += 1;
            }
            EventKind::Pong {
                direction: Direction::Out,
                payload,
            } => {
                assert_eq!(payload.as_ref(), b"hi");
                pongs_out += 1;
                assert!(pongs_out <= pings_in, "a pong before its ping");
            }
            _ => {}
        }
    }
    assert_eq!(pings_in, 2, "events:\n{}", events.history());
    // Still a working connection afterwards.
    assert_echo(&session, &mut events, Payload::text("after pings")).await;
    close_normally(&session, &mut events).await;
}

async fn redirect_then_open(kind: PeerKind) {
    let peer = Peer::start(kind);
    let (session, mut events) = open(&peer, "/redirect?to=/echo", |_| {});
    let redirect = events
        .until("a Redirect", |k| matches!(k, EventKind::Redirect { .. }))
        .await;
    let EventKind::Redirect {
        status, from, to, ..
    } = redirect.kind
    else {
        unreachable!()
    };
    assert_eq!(status, 302);
    assert_eq!(from, peer.url("/redirect?to=/echo"));
    assert_eq!(to, peer.url("/echo"));
    let info = events.opened().await;
    assert_eq!(info.url, peer.url("/echo"));
    assert_echo(&session, &mut events, Payload::text("redirected")).await;
    close_normally(&session, &mut events).await;
}

async fn large_binary_message_8mib(kind: PeerKind) {
    let peer = Peer::start(kind);
    let (session, mut events) = open(&peer, "/echo", |_| {});
    events.opened().await;
    let big: Vec<u8> = (0..8 * 1024 * 1024u32)
        .map(|i| (i.wrapping_mul(31) % 251) as u8)
        .collect();
    assert_echo(&session, &mut events, Payload::binary(big)).await;
    close_normally(&session, &mut events).await;
}

async fn max_message_size_exceeded_closes_with_1009(kind: PeerKind) {
    let peer = Peer::start(kind);
    let (session, mut events) = open(&peer, "/big?size=300000", |spec| {
        spec.settings.max_message_size = 100_000;
    });
    events.opened().await;
    let rest = events.rest().await;
    let history = events.history();
    assert!(
        rest.iter().any(|e| matches!(
            e.kind,
            EventKind::Error(EngineError::MessageTooBig { size, max: 100_000 }) if size > 100_000
        )),
        "expected a MessageTooBig error:\n{history}"
    );
    assert!(
        rest.iter().any(|e| matches!(
            e.kind,
            EventKind::Closing {
                direction: Direction::Out,
                code: Some(1009),
                ..
            }
        )),
        "expected our close frame with 1009:\n{history}"
    );
    assert!(
        !rest.iter().any(|e| matches!(
            e.kind,
            EventKind::Message {
                direction: Direction::In,
                ..
            }
        )),
        "the oversized message must not be delivered:\n{history}"
    );
    assert!(
        matches!(
            rest.last().map(|e| &e.kind),
            Some(EventKind::Closed {
                initiator: Initiator::Local,
                ..
            })
        ),
        "{history}"
    );
    assert!(
        matches!(
            session.last_error(),
            Some(EngineError::MessageTooBig { .. })
        ),
        "last error: {:?}",
        session.last_error()
    );
}

async fn status_500_on_upgrade_is_rejected(kind: PeerKind) {
    let peer = Peer::start(kind);
    let (session, mut events) = open(&peer, "/status?code=500", |_| {});
    match session.wait_open().await {
        Err(EngineError::HandshakeRejected { status, body, .. }) => {
            assert_eq!(status, 500);
            assert!(body.contains("500"), "body {body:?}");
        }
        other => panic!("expected HandshakeRejected 500, got {other:?}"),
    }
    let rest = events.rest().await;
    assert!(
        rest.iter().any(|e| matches!(
            e.kind,
            EventKind::Error(EngineError::HandshakeRejected { status: 500, .. })
        )),
        "events:\n{}",
        events.history()
    );
    assert!(!rest.iter().any(|e| matches!(e.kind, EventKind::Open(_))));
    assert_eq!(session.state(), SessionState::Closed);
}

async fn reconnects_after_server_restart(kind: PeerKind) {
    let mut peer = Peer::start(kind);
    let port = peer.port();
    let (session, mut events) = open(&peer, "/echo", |spec| {
        spec.settings.reconnect_attempts = 10;
        spec.settings.reconnect_interval_ms = 200;
    });
    events.opened().await;
    assert_echo(&session, &mut events, Payload::text("before")).await;

    // Kill the server under the open connection and bring it back on the same port.
    peer.restart();
    assert_eq!(peer.port(), port);

    let reconnecting = events
        .until("Reconnecting", |k| {
            matches!(k, EventKind::Reconnecting { .. })
        })
        .await;
    assert!(
        matches!(
            reconnecting.kind,
            EventKind::Reconnecting {
                attempt: 1,
                of: 10,
                delay_ms: 200
            }
        ),
        "{:?}",
        reconnecting.kind
    );
    let info = events.opened().await;
    assert_eq!(info.url, peer.url("/echo"));
    assert_echo(&session, &mut events, Payload::text("after")).await;
    assert_eq!(
        events
            .seen
            .iter()
            .filter(|e| e.starts_with("Open "))
            .count(),
        2,
        "exactly two opens:\n{}",
        events.history()
    );
    close_normally(&session, &mut events).await;
}

/// Runs each scenario once against each peer: `python::<name>` and `node::<name>`.
macro_rules! against_both_peers {
    ($($scenario:ident),* $(,)?) => {
        mod python {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $scenario() {
                    super::$scenario(super::PeerKind::Python).await;
                }
            )*
        }
        mod node {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $scenario() {
                    super::$scenario(super::PeerKind::Node).await;
                }
            )*
        }
    };
}

against_both_peers!(
    text_echo,
    binary_echo,
    subprotocol_negotiation,
    custom_headers_reach_the_server,
    authorization_accepted_and_401_without,
    server_close_code_and_reason,
    client_close_code_and_reason,
    ping_pong_both_ways,
    redirect_then_open,
    large_binary_message_8mib,
    max_message_size_exceeded_closes_with_1009,
    status_500_on_upgrade_is_rejected,
    reconnects_after_server_restart,
);
