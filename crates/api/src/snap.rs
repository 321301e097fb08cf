//! The `snap_*` WebSocket methods and the `onWebSocketEvent` notifications: upstream's
//! `WebSocketService` (a table of sockets per caller) on top of engine sessions.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use tokio::sync::{oneshot, watch};
use url::Url;
use wsdeck_engine::{Direction, Engine, EventKind, LogCursor, Payload, RequestSpec, Session};

use crate::error::ApiError;
use crate::methods::SnapMethod;
use crate::observer::{Observer, OpenedSession};
use crate::outbox::Outbox;
use crate::params;
use crate::wire::history::RecordedRequest;
use crate::wire::snap::{Message, SnapEvent, SnapEventNotification, SnapSocket};
use crate::{Caller, Limits};

/// The permission every `snap_` WebSocket method needs (and upstream's event delivery too).
pub const NETWORK_ACCESS: &str = "endowment:network-access";

/// Dropped after the `snap_openWebSocket` response is written; until then that socket's
/// events wait, so the client learns the id before any event that carries it.
pub(crate) type Release = oneshot::Sender<()>;

/// How long an opened socket's events wait for their response to be written.
const RELEASE_WAIT: Duration = Duration::from_secs(10);

/// Bytes of a socket's events the pump may leave unsent to the caller before the socket
/// stops reading (the engine's pacing, see `Settings::pacing_bytes`): a caller that reads
/// its notifications slowly slows the server through TCP, and no event leaves the session
/// log before the pump has turned it into a notification. Upstream has no backpressure;
/// its events cannot be lost to a full buffer either, they are dispatched one by one.
const PACING_BYTES: u64 = 4 << 20;

/// Bytes of events a socket's log keeps (the engine default is 256 MiB, for paging back in
/// `wsdeck.events`). A snap socket is never paged: its pump reads each event once, paced,
/// and the history's recorder (when one is attached) reads alongside. So 256 sockets of one
/// caller hold at most 4 GiB, not 64. One message bigger than this is still kept whole.
const RETENTION_BYTES: usize = 16 << 20;

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
    /// `snap_closeWebSocket` was called: the socket is CLOSING, and WHATWG drops messages
    /// that arrive from then on (a message task returns unless the state is OPEN).
    close_called: Arc<AtomicBool>,
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

    /// Whether this connection's caller is a snap (only snaps see the `snap_*` methods).
    pub(crate) fn caller_is_snap(&self) -> bool {
        self.caller.is_snap()
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

    /// Writes a text of about `estimate` bytes, built only once the caller's outgoing budget
    /// has room for it: a large message's notification is not built while unread ones wait.
    async fn emit_built(&self, estimate: usize, build: impl FnOnce() -> String) {
        let Ok(room) = self.tx.reserve_note(estimate).await else {
            return;
        };
        let _ = self.tx.send_reserved(build(), room).await;
    }

    /// Runs one `snap_*` method. The dispatcher has already checked, by the method table,
    /// that the method exists, that the caller is a snap (else -32601) and that it holds the
    /// network permission (else 4100), before any params are read.
    pub(crate) async fn call(
        self: &Arc<Self>,
        method: SnapMethod,
        params: Option<Value>,
    ) -> (Result<Value, ApiError>, Option<Release>) {
        let params = params.as_ref();
        match method {
            SnapMethod::Open => match self.open(params).await {
                Ok((id, release)) => (Ok(Value::String(id)), Some(release)),
                Err(e) => (Err(e), None),
            },
            SnapMethod::Send => (self.send(params).await, None),
            SnapMethod::Close => (self.close(params).await, None),
            SnapMethod::List => (Ok(self.list()), None),
        }
    }

    async fn open(self: &Arc<Self>, params: Option<&Value>) -> Result<(String, Release), ApiError> {
        let p = params::open(params).map_err(ApiError::InvalidParams)?;
        // The params check parsed it already; a failure here would be a bug, answered as one.
        let parsed = Url::parse(&p.url).map_err(|_| {
            ApiError::InvalidParams(format!("At path: url -- Expected URL, got \"{}\"", p.url))
        })?;
        let origin = parsed.origin().ascii_serialization();
        let (release_tx, release_rx) = oneshot::channel();
        let (open_tx, mut opened) = watch::channel(OpenState::Connecting);
        let close_called = Arc::new(AtomicBool::new(false));
        let (id, session) = {
            let mut table = self.table();
            // Upstream's order: the service's duplicate check, then the host's constructor.
            if table
                .iter()
                .any(|e| e.url == p.url && e.protocols == p.protocols)
            {
                return Err(ApiError::Duplicate(p.url));
            }
            host_constructor_check(&parsed, &p.protocols)?;
            if table.len() >= self.limits.max_sockets {
                return Err(ApiError::TooManySockets(self.limits.max_sockets));
            }
            let spec = host_request(&parsed, &p.protocols);
            let (request, secrets) = observed_request(&spec, &parsed);
            let session = self.engine.open(spec).map_err(ApiError::Rejected)?;
            if let Some(observer) = &self.observer {
                observer.opened(
                    &session,
                    OpenedSession {
                        caller: self.caller.origin.clone(),
                        request,
                        secrets,
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
                close_called: close_called.clone(),
            });
            (id, session)
        };
        tokio::spawn(pump(
            self.clone(),
            Socket {
                id: id.clone(),
                session,
                origin,
                close_called,
            },
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

    /// Marks the socket CLOSING (no `message` events from now on) and returns its session.
    fn start_closing(&self, id: &str) -> Result<Session, ApiError> {
        self.table()
            .iter()
            .find(|e| e.id == id)
            .map(|e| {
                e.close_called.store(true, Ordering::Release);
                e.session.clone()
            })
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
        let session = self.start_closing(&id)?;
        // No code and no reason, like `socket.close()`; the entry goes when the close completes.
        let _ = session.close(None, "").await;
        Ok(Value::Null)
    }

    fn list(&self) -> Value {
        let sockets: Vec<SnapSocket> = self
            .table()
            .iter()
            .map(|e| SnapSocket {
                id: e.id.clone(),
                url: e.url.clone(),
                protocols: e.protocols.clone(),
            })
            .collect();
        serde_json::to_value(sockets).unwrap_or_default()
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

/// One socket as its pump sees it.
struct Socket {
    id: String,
    session: Session,
    /// `new URL(url).origin`, which every event carries.
    origin: String,
    /// Set by `snap_closeWebSocket` (see [`Entry::close_called`]).
    close_called: Arc<AtomicBool>,
}

/// Reads one session's log and turns it into `onWebSocketEvent` notifications, resolves the
/// pending open, and removes the entry when the socket is gone. It is the session's pacing
/// reader: it acknowledges each batch once its notifications are queued.
async fn pump(
    state: Arc<State>,
    socket: Socket,
    open_tx: watch::Sender<OpenState>,
    release_rx: oneshot::Receiver<()>,
) {
    let Socket {
        id,
        session,
        origin,
        close_called,
    } = socket;
    let mut release_rx = Some(release_rx);
    let mut cursor = LogCursor::new(session.log().clone());
    let mut batch = Vec::new();
    let requested_protocol = !session.spec().protocols.is_empty();
    let mut opened = false;
    // The server's 101 broke a rule the host enforces: the socket never opens.
    let mut refused = false;
    // The close frame received from the server, if any: (code, reason).
    let mut close_frame: Option<(Option<u16>, String)> = None;
    let mut closed = false;
    loop {
        let outcome = cursor.next(256, &mut batch).await;
        for event in batch.drain(..) {
            match event.kind {
                EventKind::Open(info) if !opened && !refused => {
                    if requested_protocol && info.protocol.is_none() {
                        // WHATWG Fetch, "obtain a WebSocket connection": protocols were
                        // requested and the answer names none, so the connection fails.
                        refused = true;
                        let _ = session
                            .close(Some(1002), "no subprotocol in the handshake answer")
                            .await;
                        continue;
                    }
                    opened = true;
                    open_tx.send_replace(OpenState::Open);
                    if let Some(rx) = release_rx.take() {
                        let _ = tokio::time::timeout(RELEASE_WAIT, rx).await;
                    }
                    let event = SnapEvent::Open {
                        id: id.clone(),
                        origin: origin.clone(),
                    };
                    state.emit(notification(event)).await;
                }
                EventKind::Message {
                    direction: Direction::In,
                    payload,
                } if opened && !close_called.load(Ordering::Acquire) => {
                    let estimate = message_notification_estimate(&id, &origin, &payload);
                    state
                        .emit_built(estimate, || message_notification(&id, &origin, &payload))
                        .await;
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
        cursor.acknowledge();
        if outcome.at_end {
            break;
        }
    }
    if !closed {
        finish(&state, &id, &origin, opened, &open_tx, &None, false).await;
    }
    let _ = state.engine.remove(session.id()).await;
}

/// The engine request for a socket, as the host's WebSocket makes it: the URL as the WHATWG
/// parser serialised it (what a browser connects to: `ws:///host` is `ws://host/`, tabs and
/// newlines are gone, `0x7f.1` is `127.0.0.1`), redirects refused (WebSocket fetches use
/// redirect mode "error": a 3xx fails the connection), no reconnection; paced by the pump
/// and with a smaller log (see [`PACING_BYTES`], [`RETENTION_BYTES`]).
fn host_request(url: &Url, protocols: &[String]) -> RequestSpec {
    let mut spec = RequestSpec::new(url.as_str());
    spec.protocols = protocols.to_vec();
    spec.settings.follow_redirects = false;
    spec.settings.reconnect_attempts = 0;
    spec.settings.pacing_bytes = PACING_BYTES;
    spec.settings.retention.max_bytes = RETENTION_BYTES;
    spec
}

/// The request as an observer (the history) may keep it, and the secrets to keep out of what
/// it derives from the session: credentials in the URL (`ws://user:password@host`) are
/// secrets, so both read `****` and their values, as written and percent-decoded, are listed.
fn observed_request(spec: &RequestSpec, url: &Url) -> (Value, Vec<String>) {
    let mut request = serde_json::to_value(RecordedRequest::from(spec)).unwrap_or_default();
    let mut secrets = Vec::new();
    if url.username().is_empty() && url.password().is_none() {
        return (request, secrets);
    }
    for written in [url.username(), url.password().unwrap_or_default()] {
        let decoded = percent_decode(written);
        for value in [written.to_owned(), decoded] {
            if !value.is_empty() && !secrets.contains(&value) {
                secrets.push(value);
            }
        }
    }
    let mut shown = url.clone();
    let _ = shown.set_username("****");
    let _ = shown.set_password(Some("****"));
    request["url"] = Value::String(shown.into());
    (request, secrets)
}

/// `%XX` escapes decoded (invalid UTF-8 replaced), as the engine decodes URL credentials.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = s
            .get(i + 1..i + 3)
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// What the host's `new WebSocket(url, protocols)` throws on once the params passed
/// (WHATWG WebSockets, the constructor's steps): a URL with a fragment (even an empty `#`),
/// then a subprotocol that is not an RFC 7230 token (what `Sec-WebSocket-Protocol` may
/// carry: non-empty, letters, digits and ``!#$%&'*+-.^_`|~``), then one that occurs twice
/// (case-sensitive). Worded as Chromium, the extension's main host, words these
/// SyntaxErrors; like Chromium, every token is checked before any repetition. Nothing is
/// stored or connected when this fails.
fn host_constructor_check(url: &Url, protocols: &[String]) -> Result<(), ApiError> {
    let syntax_error = |detail: String, hint: &'static str| ApiError::HostConstructor {
        name: "SyntaxError",
        message: format!("Failed to construct 'WebSocket': {detail}"),
        hint,
    };
    if let Some(fragment) = url.fragment() {
        return Err(syntax_error(
            format!(
                "The URL contains a fragment identifier ('{fragment}'). Fragment identifiers are not allowed in WebSocket URLs."
            ),
            "remove the #… part from the URL",
        ));
    }
    if let Some(bad) = protocols.iter().find(|p| !is_token(p)) {
        return Err(syntax_error(
            format!("The subprotocol '{}' is invalid.", escape_subprotocol(bad)),
            "a subprotocol is one word of ASCII letters, digits and !#$%&'*+-.^_`|~ (an RFC 7230 token)",
        ));
    }
    let mut seen = HashSet::new();
    if let Some(repeated) = protocols.iter().find(|p| !seen.insert(p.as_str())) {
        return Err(syntax_error(
            format!(
                "The subprotocol '{}' is duplicated.",
                escape_subprotocol(repeated)
            ),
            "list each subprotocol once",
        ));
    }
    Ok(())
}

/// An RFC 7230 `token`: one or more `tchar`.
fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// A subprotocol as Chromium quotes it in an error: UTF-16 units outside printable ASCII
/// as `\uXXXX`, a backslash doubled, so no control character reaches whoever reads it.
fn escape_subprotocol(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for unit in s.encode_utf16() {
        match unit {
            0x5c => out.push_str("\\\\"),
            0x20..=0x7e => out.push(char::from(unit as u8)),
            _ => out.push_str(&format!("\\u{unit:04X}")),
        }
    }
    out
}

/// The socket is gone: drop the entry, fail a pending open, and send the `close` event with
/// WHATWG semantics (1005 for a close frame without code, 1006 without a close frame, and
/// 1006 for a socket that never opened, whatever its connection exchanged).
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
        Some((code, reason)) if opened => (code.unwrap_or(1005), reason.clone(), clean),
        _ => (1006, String::new(), false),
    };
    let event = SnapEvent::Close {
        id: id.to_owned(),
        origin: origin.to_owned(),
        code,
        reason,
        was_clean,
    };
    state.emit(notification(event)).await;
}

/// The `message` event's notification, written as text: a binary message's bytes as a JSON
/// array of numbers (as upstream sends them) without building a value per byte (a tree of 64
/// million numbers took gigabytes for one 64 MiB message). The same JSON, key for key, as
/// [`notification`] makes of the event.
fn message_notification(id: &str, origin: &str, payload: &Payload) -> String {
    let quote = |s: &str| serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_owned());
    let mut out = String::with_capacity(message_notification_estimate(id, origin, payload));
    out.push_str(
        r#"{"jsonrpc":"2.0","method":"onWebSocketEvent","params":{"event":{"type":"message","id":"#,
    );
    out.push_str(&quote(id));
    out.push_str(r#","origin":"#);
    out.push_str(&quote(origin));
    match payload {
        Payload::Text(t) => {
            out.push_str(r#","data":{"type":"text","message":"#);
            out.push_str(&quote(t));
        }
        Payload::Binary(b) => {
            out.push_str(r#","data":{"type":"binary","message":["#);
            for (i, byte) in b.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                let _ = std::fmt::Write::write_fmt(&mut out, format_args!("{byte}"));
            }
            out.push(']');
        }
    }
    out.push_str("}}}}");
    out
}

/// At least the length of [`message_notification`]'s text (text messages: a few escapes
/// more are made room for as the text is queued).
fn message_notification_estimate(id: &str, origin: &str, payload: &Payload) -> usize {
    let body = match payload {
        Payload::Text(t) => t.len() + 2,
        Payload::Binary(b) => b.len() * 4 + 2,
    };
    160 + id.len() + origin.len() + body
}

fn notification(event: SnapEvent) -> String {
    let params = serde_json::to_value(SnapEventNotification { event }).unwrap_or_default();
    serde_json::json!({"jsonrpc": "2.0", "method": "onWebSocketEvent", "params": params})
        .to_string()
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::snap::SnapData;

    #[test]
    fn a_message_notification_is_the_json_of_its_event() {
        for payload in [
            Payload::text("hé \"quoted\" \n\u{1}"),
            Payload::binary(vec![0u8, 1, 127, 128, 255]),
            Payload::binary(Vec::new()),
        ] {
            let data = match &payload {
                Payload::Text(t) => SnapData::Text(t.to_string()),
                Payload::Binary(b) => SnapData::Binary(b.to_vec()),
            };
            let event = SnapEvent::Message {
                id: "i\"d".into(),
                origin: "npm:x".into(),
                data,
            };
            let text = message_notification("i\"d", "npm:x", &payload);
            assert_eq!(text, notification(event));
            assert!(text.len() <= message_notification_estimate("i\"d", "npm:x", &payload));
        }
    }
}
