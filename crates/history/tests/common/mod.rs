//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use wsdeck_engine::{
    Bytes, Direction, Event, EventKind, HandshakeInfo, HandshakeTimings, HttpHead, Initiator,
    Payload,
};
use wsdeck_history::{History, SessionMeta};

/// Runs a future to completion on this thread (the history needs no runtime).
pub fn block_on<F: Future>(f: F) -> F::Output {
    struct Unpark(std::thread::Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Arc::new(Unpark(std::thread::current())).into();
    let mut cx = Context::from_waker(&waker);
    let mut f = pin!(f);
    loop {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
        std::thread::park();
    }
}

pub const T0_MS: u64 = 1_790_000_000_000;

pub fn event(seq: u64, kind: EventKind) -> Event {
    Event {
        seq,
        time: UNIX_EPOCH + Duration::from_millis(T0_MS + seq),
        mono: Duration::from_micros(1000 * seq + 7),
        kind,
    }
}

pub fn text(dir: Direction, s: &str) -> EventKind {
    EventKind::Message {
        direction: dir,
        payload: Payload::text(s.to_owned()),
    }
}

pub fn binary(dir: Direction, b: &[u8]) -> EventKind {
    EventKind::Message {
        direction: dir,
        payload: Payload::binary(Bytes::copy_from_slice(b)),
    }
}

pub fn handshake(url: &str) -> Arc<HandshakeInfo> {
    Arc::new(HandshakeInfo {
        url: url.to_owned(),
        remote_addr: "127.0.0.1:9001".parse().expect("address"),
        request: HttpHead {
            start_line: "GET /chat?token=s3cret HTTP/1.1".into(),
            headers: vec![
                ("Host".into(), "127.0.0.1:9001".into()),
                ("Authorization".into(), "Bearer s3cret".into()),
                ("Sec-WebSocket-Protocol".into(), "chat".into()),
            ],
        },
        response: HttpHead {
            start_line: "HTTP/1.1 101 Switching Protocols".into(),
            headers: vec![
                ("Upgrade".into(), "websocket".into()),
                ("Sec-WebSocket-Protocol".into(), "chat".into()),
            ],
        },
        protocol: Some("chat".into()),
        extensions: vec![],
        tls: None,
        timings: HandshakeTimings {
            dns: Duration::from_millis(1),
            connect: Duration::from_millis(2),
            tls: Duration::ZERO,
            upgrade: Duration::from_millis(3),
            total: Duration::from_millis(6),
        },
    })
}

/// A whole session: connecting, open, `n` messages alternating text out / text in, a
/// binary message, a ping, closing and closed. Returns the events.
pub fn session_events(url: &str, n: usize) -> Vec<Event> {
    let mut kinds = vec![
        EventKind::Connecting {
            url: url.to_owned(),
            attempt: 0,
        },
        EventKind::Open(handshake(url)),
    ];
    for i in 0..n {
        let dir = if i % 2 == 0 {
            Direction::Out
        } else {
            Direction::In
        };
        kinds.push(text(dir, &format!("message number {i} about bananas")));
    }
    kinds.push(binary(Direction::In, &[0, 159, 146, 150, 255]));
    kinds.push(EventKind::Ping {
        direction: Direction::In,
        payload: Bytes::from_static(b"hi"),
    });
    kinds.push(EventKind::Closing {
        direction: Direction::Out,
        code: Some(1000),
        reason: "bye".into(),
    });
    kinds.push(EventKind::Closed {
        code: Some(1000),
        reason: "bye".into(),
        clean: true,
        initiator: Initiator::Local,
    });
    kinds
        .into_iter()
        .enumerate()
        .map(|(i, k)| event(i as u64, k))
        .collect()
}

pub fn meta(url: &str) -> SessionMeta {
    SessionMeta {
        url: url.to_owned(),
        request_json: Some(serde_json::json!({"url": url, "headers": [["X-Token", "s3cret"]]})),
        started_at: UNIX_EPOCH + Duration::from_millis(T0_MS),
        secrets: vec!["s3cret".into()],
    }
}

pub fn meta_at(url: &str, started_at: SystemTime) -> SessionMeta {
    SessionMeta {
        started_at,
        ..meta(url)
    }
}

/// Records a whole session and waits until it is committed.
pub fn record_session(h: &History, url: &str, n: usize) -> i64 {
    let id = h.start_session(meta(url)).expect("start");
    h.record(id, &session_events(url, n)).expect("record");
    h.end_session(id).expect("end");
    h.flush().expect("flush");
    id
}
