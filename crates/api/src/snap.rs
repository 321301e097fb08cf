//! The `snap_*` WebSocket methods and the `onWebSocketEvent` notifications: upstream's
//! `WebSocketService` (a table of sockets per caller) on top of engine sessions.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::{oneshot, watch};
use wsdeck_engine::{Direction, Engine, EventKind, Payload, RequestSpec, Session};

use crate::dialect::request_json;
use crate::error::ApiError;
use crate::observer::{Observer, OpenedSession};
use crate::outbox::Outbox;
use crate::params::{self, Message};
use crate::{Caller, Limits};

/// The permission every `snap_` WebSocket method needs (and upstream's event delivery too).
pub const NETWORK_ACCESS: &str = "endowment:network-access";

/// Dropped after the `snap_openWebSocket` response is written; until then that socket's
/// events wait, so the client learns the id before any event that carries it.
pub(crate) type Release = oneshot::Sender<()>;

/// How long an opened socket's events wait for their response to be written.
const RELEASE_WAIT: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OpenState {
    Connecting,
    Open,
    Failed,
}

#[derive(Debug)]
struct Entry {
    id: String,
    url: String,
    protocols: Vec<String>,
    session: Session,
    opened: watch::Receiver<OpenState>,
}

/// One caller's socket table and outgoing channel.
#[derive(Debug)]
pub(crate) struct State {
    engine: Engine,
    pub(crate) limits: Limits,
    caller: Caller,
    tx: Outbox,
    /// In insertion order, which `snap_getWebSockets` reports.
    table: Mutex<Vec<Entry>>,
    observer: Observer,
}

impl State {
    pub(crate) fn new(
        engine: Engine,
        limits: Limits,
        caller: Caller,
        tx: Outbox,
        observer: Observer,
    ) -> Self {
        State {
            engine,
            limits,
            caller,
            tx,
            table: Mutex::new(Vec::new()),
            observer,
        }
    }

    /// Whether this connection's caller was granted `permission`.
    pub(crate) fn caller_has(&self, permission: &str) -> bool {
        self.caller.permissions.contains(permission)
    }

    fn table(&self) -> std::sync::MutexGuard<'_, Vec<Entry>> {
        self.table.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Writes one text; a gone receiver just means nobody listens any more.
    pub(crate) async fn emit(&self, text: String) {
        let _ = self.tx.send(text).await;
    }

    /// Routes a method: non-`snap_` and unknown methods and non-snap callers get -32601,
    /// then the permission (4100) is checked before any params.
    pub(crate) async fn call(
        self: &Arc<Self>,
        method: &str,
        params: Option<Value>,
    ) -> (Result<Value, ApiError>, Option<Release>) {
        let known = matches!(
            method,
            "snap_openWebSocket"
                | "snap_sendWebSocketMessage"
                | "snap_closeWebSocket"
                | "snap_getWebSockets"
        );
        if !known || !self.caller.is_snap() {
            return (Err(ApiError::MethodNotFound), None);
        }
        if !self.caller.permissions.contains(NETWORK_ACCESS) {
            return (Err(ApiError::Unauthorized), None);
        }
        let params = params.as_ref();
        match method {
            "snap_openWebSocket" => match self.open(params).await {
                Ok((id, release)) => (Ok(Value::String(id)), Some(release)),
                Err(e) => (Err(e), None),
            },
            "snap_sendWebSocketMessage" => (self.send(params).await, None),
            "snap_closeWebSocket" => (self.close(params).await, None),
            _ => (Ok(self.list()), None),
        }
    }

    async fn open(self: &Arc<Self>, params: Option<&Value>) -> Result<(String, Release), ApiError> {
        let p = params::open(params).map_err(ApiError::InvalidParams)?;
        let origin = url::Url::parse(&p.url)
            .map(|u| u.origin().ascii_serialization())
            .unwrap_or_default();
        let (release_tx, release_rx) = oneshot::channel();
        let (open_tx, mut opened) = watch::channel(OpenState::Connecting);
        let (id, session) = {
            let mut table = self.table();
            if table
                .iter()
                .any(|e| e.url == p.url && e.protocols == p.protocols)
            {
                return Err(ApiError::Duplicate(p.url));
            }
            if table.len() >= self.limits.max_sockets {
                return Err(ApiError::TooManySockets(self.limits.max_sockets));
            }
            let mut spec = RequestSpec::new(p.url.clone());
            spec.protocols = p.protocols.clone();
            let request = request_json(&spec);
            let session = self.engine.open(spec).map_err(ApiError::Rejected)?;
            if let Some(observer) = &self.observer {
                observer.opened(
                    &session,
                    OpenedSession {
                        caller: self.caller.origin.clone(),
                        request,
                        secrets: Vec::new(),
                    },
                );
            }
            let id = new_id();
            table.push(Entry {
                id: id.clone(),
                url: p.url,
                protocols: p.protocols,
                session: session.clone(),
                opened: opened.clone(),
            });
            (id, session)
        };
        tokio::spawn(pump(
            self.clone(),
            id.clone(),
            session,
            origin,
            open_tx,
            release_rx,
        ));
        match opened.wait_for(|s| *s != OpenState::Connecting).await {
            Ok(s) if *s == OpenState::Open => Ok((id, release_tx)),
            _ => Err(ApiError::OpenFailed),
        }
    }

    fn lookup(&self, id: &str) -> Result<(Session, watch::Receiver<OpenState>), ApiError> {
        self.table()
            .iter()
            .find(|e| e.id == id)
            .map(|e| (e.session.clone(), e.opened.clone()))
            .ok_or_else(|| ApiError::NotFound(id.to_owned()))
    }

    async fn send(&self, params: Option<&Value>) -> Result<Value, ApiError> {
        let (id, message) = params::send(params).map_err(ApiError::InvalidParams)?;
        let (session, mut opened) = self.lookup(&id)?;
        // Still connecting: wait for the handshake, as upstream awaits its open promise.
        match opened.wait_for(|s| *s != OpenState::Connecting).await {
            Ok(s) if *s == OpenState::Open => {}
            _ => return Err(ApiError::OpenFailed),
        }
        let payload = match message {
            Message::Text(s) => Payload::text(s),
            Message::Binary(b) => Payload::binary(b),
        };
        // A socket that is already closing drops the data silently, like WHATWG `send()`.
        let _ = session.send(payload).await;
        Ok(Value::Null)
    }

    async fn close(&self, params: Option<&Value>) -> Result<Value, ApiError> {
        let id = params::close(params).map_err(ApiError::InvalidParams)?;
        let (session, _) = self.lookup(&id)?;
        // No code and no reason, like `socket.close()`; the entry goes when the close completes.
        let _ = session.close(None, "").await;
        Ok(Value::Null)
    }

    fn list(&self) -> Value {
        Value::Array(
            self.table()
                .iter()
                .map(|e| json!({"id": e.id, "url": e.url, "protocols": e.protocols}))
                .collect(),
        )
    }

    fn sessions(&self) -> Vec<Session> {
        self.table().iter().map(|e| e.session.clone()).collect()
    }

    /// Starts closing every socket (used on drop, where nothing can be awaited).
    pub(crate) fn close_all_in_background(&self) {
        let sessions = self.sessions();
        if sessions.is_empty() {
            return;
        }
        if let Ok(handle) = tokio::runtime::Handle::try_current() {
            handle.spawn(async move {
                for s in sessions {
                    let _ = s.close(None, "").await;
                }
            });
        }
    }

    /// Closes every socket and waits until their entries are gone (or `wait` passes).
    pub(crate) async fn close_all(&self, wait: Duration) {
        for s in self.sessions() {
            let _ = s.close(None, "").await;
        }
        let _ = tokio::time::timeout(wait, async {
            while !self.table().is_empty() {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
        .await;
    }
}

/// Reads one session's log and turns it into `onWebSocketEvent` notifications, resolves the
/// pending open, and removes the entry when the socket is gone.
async fn pump(
    state: Arc<State>,
    id: String,
    session: Session,
    origin: String,
    open_tx: watch::Sender<OpenState>,
    release_rx: oneshot::Receiver<()>,
) {
    let log = session.log().clone();
    let mut release_rx = Some(release_rx);
    let mut seq = 0;
    let mut batch = Vec::new();
    let mut opened = false;
    // The close frame received from the server, if any: (code, reason).
    let mut close_frame: Option<(Option<u16>, String)> = None;
    let mut closed = false;
    loop {
        batch.clear();
        let outcome = log.next_batch(seq, 256, &mut batch).await;
        for event in batch.drain(..) {
            match event.kind {
                EventKind::Open(_) if !opened => {
                    opened = true;
                    open_tx.send_replace(OpenState::Open);
                    if let Some(rx) = release_rx.take() {
                        let _ = tokio::time::timeout(RELEASE_WAIT, rx).await;
                    }
                    let event = json!({"type": "open", "id": id, "origin": origin});
                    state.emit(notification(event)).await;
                }
                EventKind::Message {
                    direction: Direction::In,
                    payload,
                } => {
                    let data = match payload {
                        Payload::Text(t) => json!({"type": "text", "message": &*t}),
                        Payload::Binary(b) => json!({"type": "binary", "message": &b[..]}),
                    };
                    let event =
                        json!({"type": "message", "id": id, "origin": origin, "data": data});
                    state.emit(notification(event)).await;
                }
                EventKind::Closing {
                    direction: Direction::In,
                    code,
                    reason,
                } => close_frame = Some((code, reason)),
                EventKind::Closed { clean, .. } if !closed => {
                    closed = true;
                    finish(&state, &id, &origin, opened, &open_tx, &close_frame, clean).await;
                }
                _ => {}
            }
        }
        seq = outcome.next_seq;
        if outcome.at_end {
            break;
        }
    }
    if !closed {
        finish(&state, &id, &origin, opened, &open_tx, &None, false).await;
    }
    let _ = state.engine.remove(session.id()).await;
}

/// The socket is gone: drop the entry, fail a pending open, and send the `close` event with
/// WHATWG semantics (1005 for a close frame without code, 1006 without a close frame).
async fn finish(
    state: &State,
    id: &str,
    origin: &str,
    opened: bool,
    open_tx: &watch::Sender<OpenState>,
    close_frame: &Option<(Option<u16>, String)>,
    clean: bool,
) {
    state.table().retain(|e| e.id != id);
    if !opened {
        open_tx.send_replace(OpenState::Failed);
    }
    let (code, reason, was_clean) = match close_frame {
        Some((code, reason)) => (code.unwrap_or(1005), reason.clone(), clean),
        None => (1006, String::new(), false),
    };
    let event = json!({
        "type": "close", "id": id, "origin": origin,
        "code": code, "reason": reason, "wasClean": was_clean,
    });
    state.emit(notification(event)).await;
}

fn notification(event: Value) -> String {
    json!({"jsonrpc": "2.0", "method": "onWebSocketEvent", "params": {"event": event}}).to_string()
}

/// A nanoid-like id: 21 characters from `[A-Za-z0-9_-]`, 126 random bits.
pub(crate) fn new_id() -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
    let mut bytes = [0u8; 21];
    if getrandom::fill(&mut bytes).is_err() {
        // No OS randomness: fall back to the std hasher's per-process random keys.
        use std::hash::{BuildHasher, Hasher};
        for (i, b) in bytes.iter_mut().enumerate() {
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_usize(i);
            *b = h.finish() as u8;
        }
    }
    bytes
        .iter()
        .map(|b| ALPHABET[usize::from(b & 63)] as char)
        .collect()
}
