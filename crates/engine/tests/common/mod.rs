//! Helpers shared by the engine's integration tests: echo servers on 127.0.0.1, opening
//! sessions, and reading a session log until an expected event shows up.
//!
//! Every wait is bounded by [`WAIT`], so a regression fails the test (with the events seen
//! so far in the message) instead of hanging it. Nothing here asserts timing.

// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

use std::fmt::Write as _;
use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use wsdeck_echo::{EchoConfig, EchoServer};
use wsdeck_engine::{
    Direction, Engine, EngineError, Event, EventKind, HandshakeInfo, Payload, RequestSpec, Session,
    SessionLog,
};

/// Upper bound for any single wait in a test.
pub const WAIT: Duration = Duration::from_secs(10);

/// Runs `fut`, failing the test with `what` if it takes longer than [`WAIT`].
pub async fn within<T>(what: &str, fut: impl Future<Output = T>) -> T {
    tokio::time::timeout(WAIT, fut)
        .await
        .unwrap_or_else(|_| panic!("timed out after {WAIT:?}: {what}"))
}

/// An echo server on 127.0.0.1 with a free port and default settings.
pub async fn start_server() -> EchoServer {
    start_server_with(EchoConfig::default()).await
}

/// An echo server with `config`.
pub async fn start_server_with(config: EchoConfig) -> EchoServer {
    EchoServer::start(config)
        .await
        .unwrap_or_else(|e| panic!("echo server should start: {e}"))
}

/// Opens a session, failing the test if the request is rejected up front.
pub fn open(engine: &Engine, spec: RequestSpec) -> Session {
    let url = spec.url.clone();
    engine
        .open(spec)
        .unwrap_or_else(|e| panic!("Engine::open({url}) should accept the request: {e}"))
}

/// Opens a session and waits until its handshake succeeds.
pub async fn open_ok(engine: &Engine, spec: RequestSpec) -> (Session, Arc<HandshakeInfo>) {
    let url = spec.url.clone();
    let session = open(engine, spec);
    let info = within(&format!("wait_open({url})"), session.wait_open())
        .await
        .unwrap_or_else(|e| panic!("{url} should open: {e} ({e:?})"));
    (session, info)
}

/// Opens a session and waits until it gives up, returning the error `wait_open` reports.
pub async fn open_err(engine: &Engine, spec: RequestSpec) -> (Session, EngineError) {
    let url = spec.url.clone();
    let session = open(engine, spec);
    let result = within(&format!("wait_open({url})"), session.wait_open()).await;
    match result {
        Ok(info) => panic!("{url} should not open, but opened: {info:?}"),
        Err(e) => (session, e),
    }
}

/// Polls `cond` until it holds, failing the test after [`WAIT`].
pub async fn wait_until(what: &str, mut cond: impl FnMut() -> bool) {
    within(what, async {
        while !cond() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
}

/// A unique path in the system temp directory (nothing is created).
pub fn temp_path(name: &str) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    std::env::temp_dir().join(format!(
        "wsdeck-engine-test-{}-{nanos}-{n}-{name}",
        std::process::id()
    ))
}

/// Writes `contents` to a fresh temp file and returns its path.
pub fn temp_file(name: &str, contents: &str) -> PathBuf {
    let path = temp_path(name);
    std::fs::write(&path, contents).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
    path
}

/// Reads one session's log from sequence 0, keeping every event it has read.
///
/// Expectations are checked in order: [`Events::expect`] looks for a match only among events
/// after the previous match, so a sequence of `expect` calls asserts the events' order.
#[derive(Debug)]
pub struct Events {
    log: Arc<SessionLog>,
    next_seq: u64,
    /// Every event read so far.
    pub seen: Vec<Event>,
    /// Events that had left memory before they could be read.
    pub missed: u64,
    /// The log is finished and everything in it has been read.
    pub ended: bool,
    /// Index in `seen` after the last match.
    scanned: usize,
}

impl Events {
    pub fn of(session: &Session) -> Self {
        Events {
            log: session.log().clone(),
            next_seq: 0,
            seen: Vec::new(),
            missed: 0,
            ended: false,
            scanned: 0,
        }
    }

    /// Reads the next batch (waiting for one). Returns false when the log has ended.
    async fn fill(&mut self) -> bool {
        if self.ended {
            return false;
        }
        let outcome = self
            .log
            .next_batch(self.next_seq, 4096, &mut self.seen)
            .await;
        self.missed += outcome.missed;
        self.next_seq = outcome.next_seq;
        if outcome.at_end {
            self.ended = true;
        }
        true
    }

    async fn find<P: FnMut(&Event) -> bool>(&mut self, pred: &mut P) -> Option<Event> {
        loop {
            while self.scanned < self.seen.len() {
                let i = self.scanned;
                self.scanned += 1;
                if pred(&self.seen[i]) {
                    return Some(self.seen[i].clone());
                }
            }
            if !self.fill().await {
                return None;
            }
        }
    }

    /// Collects events until one after the previous match satisfies `pred` (returned) or the
    /// log ends (`None`). Fails the test after [`WAIT`], printing the events seen.
    pub async fn until(
        &mut self,
        what: &str,
        mut pred: impl FnMut(&Event) -> bool,
    ) -> Option<Event> {
        let result = tokio::time::timeout(WAIT, self.find(&mut pred)).await;
        match result {
            Ok(found) => found,
            Err(_) => panic!(
                "timed out after {WAIT:?} waiting for {what}; events so far:\n{}",
                self.describe()
            ),
        }
    }

    /// Like [`until`](Self::until), but the log ending first fails the test.
    pub async fn expect(&mut self, what: &str, pred: impl FnMut(&Event) -> bool) -> Event {
        match self.until(what, pred).await {
            Some(event) => event,
            None => panic!("the log ended without {what}; events:\n{}", self.describe()),
        }
    }

    /// Reads until the log ends; fails the test if it does not end within [`WAIT`].
    pub async fn until_end(&mut self, what: &str) -> &[Event] {
        if self.until(what, |_| false).await.is_some() {
            unreachable!("the predicate never matches");
        }
        &self.seen
    }

    /// Data messages read so far in `direction`, in order.
    pub fn messages(&self, direction: Direction) -> Vec<Payload> {
        self.seen
            .iter()
            .filter_map(|e| match &e.kind {
                EventKind::Message {
                    direction: d,
                    payload,
                } if *d == direction => Some(payload.clone()),
                _ => None,
            })
            .collect()
    }

    /// How many events read so far satisfy `pred`.
    pub fn count(&self, pred: impl Fn(&Event) -> bool) -> usize {
        self.seen.iter().filter(|e| pred(e)).count()
    }

    /// A readable listing of the events seen (long logs are shortened in the middle).
    pub fn describe(&self) -> String {
        describe_events(&self.seen)
    }
}

/// A readable listing of `events`, payloads shortened, long lists cut in the middle.
pub fn describe_events(events: &[Event]) -> String {
    const HEAD: usize = 20;
    const TAIL: usize = 40;
    let long = events.len() > HEAD + TAIL;
    let mut out = String::new();
    for (i, event) in events.iter().enumerate() {
        if long && i == HEAD {
            let _ = writeln!(out, "  ... {} events ...", events.len() - HEAD - TAIL);
        }
        if long && i >= HEAD && i < events.len() - TAIL {
            continue;
        }
        let _ = writeln!(out, "  #{} {}", event.seq, describe_kind(&event.kind));
    }
    if events.is_empty() {
        out.push_str("  (none)\n");
    }
    out
}

fn short(bytes: &[u8]) -> String {
    const MAX: usize = 48;
    let shown = String::from_utf8_lossy(&bytes[..bytes.len().min(MAX)]).into_owned();
    if bytes.len() > MAX {
        format!("{shown:?}... ({} bytes)", bytes.len())
    } else {
        format!("{shown:?}")
    }
}

/// One event on one line, payloads shortened.
pub fn describe_kind(kind: &EventKind) -> String {
    match kind {
        EventKind::Message { direction, payload } => {
            let what = match payload {
                Payload::Text(_) => "text",
                Payload::Binary(_) => "binary",
            };
            format!("Message {direction:?} {what} {}", short(payload.as_bytes()))
        }
        EventKind::Ping { direction, payload } => format!("Ping {direction:?} {}", short(payload)),
        EventKind::Pong { direction, payload } => format!("Pong {direction:?} {}", short(payload)),
        EventKind::Open(info) => format!(
            "Open url={} protocol={:?} request={:?}",
            info.url, info.protocol, info.request.start_line
        ),
        EventKind::Error(e) => format!("Error {e:?} ({e})"),
        other => format!("{other:?}"),
    }
}

/// Whether `json` (the `/headers` message: compact JSON, lower-case names) has header
/// `name` with exactly `value`.
pub fn json_has_header(json: &str, name: &str, value: &str) -> bool {
    json.contains(&format!("\"{name}\":\"{value}\""))
}

/// Whether `json` (the `/headers` message) has header `name` at all.
pub fn json_has_header_name(json: &str, name: &str) -> bool {
    json.contains(&format!("\"{name}\":"))
}

/// Matches a received data message.
pub fn is_message_in(e: &Event) -> bool {
    matches!(
        e.kind,
        EventKind::Message {
            direction: Direction::In,
            ..
        }
    )
}

/// Matches `Open`.
pub fn is_open(e: &Event) -> bool {
    matches!(e.kind, EventKind::Open(_))
}

/// Matches `Closed`.
pub fn is_closed(e: &Event) -> bool {
    matches!(e.kind, EventKind::Closed { .. })
}

/// Matches `Error`.
pub fn is_error(e: &Event) -> bool {
    matches!(e.kind, EventKind::Error(_))
}

/// Checks the log-wide invariants: sequence numbers strictly increasing and monotonic
/// timestamps non-decreasing.
pub fn assert_ordered(events: &[Event]) {
    for pair in events.windows(2) {
        assert!(
            pair[1].seq > pair[0].seq,
            "sequence numbers must increase: #{} then #{}",
            pair[0].seq,
            pair[1].seq
        );
        assert!(
            pair[1].mono >= pair[0].mono,
            "monotonic timestamps must not go back: #{} at {:?}, #{} at {:?}",
            pair[0].seq,
            pair[0].mono,
            pair[1].seq,
            pair[1].mono
        );
    }
}

/// A port on 127.0.0.1 where nothing listens, and the socket that keeps it that way.
///
/// The socket is bound but never listens, so connecting is refused, and no other process (or
/// another test's server on port 0) can take the port while the returned socket lives —
/// unlike binding a listener and dropping it.
pub fn refused_port() -> (tokio::net::TcpSocket, u16) {
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket
        .bind(std::net::SocketAddr::from(([127, 0, 0, 1], 0)))
        .expect("bind 127.0.0.1:0");
    let port = socket.local_addr().expect("local addr").port();
    (socket, port)
}
