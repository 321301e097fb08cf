//! The `wsdeck.*` dialect: wsdeck's own methods over the same [`crate::Connection`] and
//! caller model as `snap_*`, exposing what the engine can do that the Snaps dialect cannot
//! (full request specs, handshake details, paged event logs, coalesced subscriptions) and
//! the pure helpers of `wsdeck-format`.
//!
//! Rules (see `docs/api.md` for every method):
//!
//! - **Permission.** Session methods (`wsdeck.open` … `wsdeck.unsubscribe`) need
//!   `endowment:network-access` (4100 otherwise, before params). Any origin may call them
//!   (unlike `snap_*`, which only snaps can). The pure helpers (`wsdeck.format.*`,
//!   `wsdeck.vars.complete`) need no permission: they touch nothing outside the request.
//! - **Params** are strict (unknown keys are errors) and fail with -32602
//!   `Invalid params: at `<path>`: <reason>.` and `data: {path, reason}`; the path is
//!   dotted with `[i]` for array items (`settings.tls.verify`, `headers[0]`), `params` for
//!   the whole object.
//! - **Ownership.** A caller sees only its own sessions and subscriptions; an unknown id or
//!   another caller's id answers -32001 "Resource not found." with `data: {kind, id}`.
//! - **Engine errors** answer with the engine's message and `data: {class}` (plus `id` when
//!   a session exists): -32602 for the class `invalid_request`, -32002 otherwise.
//! - **Lifetime.** Sessions stay listed after they close (their events and handshake remain
//!   readable) until the connection detaches, which closes and removes them all; only
//!   sessions that are not closed count against [`crate::Limits::max_sockets`].

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};
use tokio::sync::oneshot;
use tokio::task::AbortHandle;
use wsdeck_engine::{
    Bytes, Direction, Engine, EngineError, Event, EventKind, LogBudget, LogCursor, Payload,
    RequestSpec, Session, SessionState, SettingsPatch,
};
use wsdeck_format::binary::{decode_base64, decode_hex, encode_base64};
use wsdeck_format::dynamic::SystemSource;
use wsdeck_format::environment::Variable;
use wsdeck_format::resolve::{ResolveError, Resolver};
use wsdeck_format::scope::Scopes;
use wsdeck_format::{Diagnostic, FormatError, HexDump, Indent, Severity};

use crate::error::ApiError;
use crate::observer::{Observer, OpenedSession};
use crate::outbox::Outbox;
use crate::request_vars::{param_path, resolve_request};
use crate::search::ScanParams;
use crate::secrets::Secrets;
use crate::snap::{Release, new_id};
use crate::{Caller, Limits, Reply};
/// One handshake shape for live and recorded sessions (headers as `[name, value]` pairs).
pub(crate) use wsdeck_history::handshake_json;

/// Most events one `wsdeck.events` page or one `wsdeck.events` notification carries.
pub const MAX_EVENTS: usize = 10_000;

/// Events per page when `limit` is not given.
pub const DEFAULT_LIMIT: usize = 1_000;

/// Subscriptions send at most one notification per this interval (unless a full batch of
/// [`MAX_EVENTS`] is waiting, which goes at once).
pub const COALESCE: Duration = Duration::from_millis(50);

/// Events one `wsdeck.search` call looks at, at most (it answers where to continue).
pub const SEARCH_SCAN: usize = 200_000;

/// How long a subscription's first notification waits for the `wsdeck.subscribe` response.
const RELEASE_WAIT: Duration = Duration::from_secs(10);

/// A running `wsdeck.subscribe`.
#[derive(Debug)]
struct Subscription {
    task: AbortHandle,
    /// The session's id as the caller knows it (subscriptions are counted per session).
    session: String,
}

#[derive(Debug, Clone)]
struct Entry {
    id: String,
    session: Session,
    /// Secret values its request was resolved with: hidden in what we show of it.
    secrets: Secrets,
}

/// The permission to name local files in requests (TLS CA, client certificate and key).
pub const READ_FILES: &str = "wsdeck:read-files";

/// One caller's `wsdeck.*` sessions and subscriptions.
#[derive(Debug)]
pub(crate) struct State {
    engine: Engine,
    limits: Limits,
    caller: Caller,
    tx: Outbox,
    sessions: Mutex<Vec<Entry>>,
    /// What this caller's session logs may hold together ([`Limits::max_log_bytes`]).
    log_budget: LogBudget,
    subscriptions: Mutex<HashMap<String, Subscription>>,
    observer: Observer,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
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
            sessions: Mutex::new(Vec::new()),
            log_budget: LogBudget::new(limits.max_log_bytes),
            subscriptions: Mutex::new(HashMap::new()),
            observer,
        }
    }

    /// Runs one `wsdeck.*` session or helper method; the dispatcher has already checked its
    /// permission by the method table. The release, when given, must be dropped after the
    /// response is written.
    pub(crate) async fn call(
        &self,
        method: &str,
        params: Option<Value>,
    ) -> (Result<Reply, ApiError>, Option<Release>) {
        // Pure helpers: no permission needed; their output is bounded by the answer limit.
        let max = Room::of(self.limits.max_response_bytes);
        let pure = match method {
            "wsdeck.format.detect" => Some(format_detect(params.clone()).map(Reply::Json)),
            "wsdeck.format.beautify" => Some(format_render(params.clone(), true, max)),
            "wsdeck.format.minify" => Some(format_render(params.clone(), false, max)),
            "wsdeck.format.validate" => Some(format_validate(params.clone(), max)),
            "wsdeck.format.hexdump" => Some(format_hexdump(params.clone(), max)),
            "wsdeck.vars.complete" => Some(vars_complete(params.clone()).map(Reply::Json)),
            _ => None,
        };
        if let Some(result) = pure {
            return (result, None);
        }
        let result = match method {
            "wsdeck.open" => self.open(params).await,
            "wsdeck.send" => self.send(params).await,
            "wsdeck.ping" => self.control(params, true).await,
            "wsdeck.pong" => self.control(params, false).await,
            "wsdeck.close" => self.close(params).await,
            "wsdeck.forget" => self.forget(params).await,
            "wsdeck.sessions" => return (self.list(params).map(Reply::Text), None),
            "wsdeck.handshake" => self.handshake(params),
            "wsdeck.events" => return (self.events(params).map(Reply::Text), None),
            "wsdeck.search" => self.search(params),
            "wsdeck.subscribe" => {
                return match self.subscribe(params) {
                    Ok((v, release)) => (Ok(Reply::Json(v)), Some(release)),
                    Err(e) => (Err(e), None),
                };
            }
            "wsdeck.unsubscribe" => self.unsubscribe(params),
            _ => Err(ApiError::MethodNotFound),
        };
        (result.map(Reply::Json), None)
    }

    fn entry(&self, id: &str) -> Result<Entry, ApiError> {
        lock(&self.sessions)
            .iter()
            .find(|e| e.id == id)
            .cloned()
            .ok_or_else(|| not_found("session", id))
    }

    fn session(&self, id: &str) -> Result<Session, ApiError> {
        self.entry(id).map(|e| e.session)
    }

    async fn open(&self, params: Option<Value>) -> Result<Value, ApiError> {
        let mut p: OpenParams = parse(params)?;
        let wait = p.wait.unwrap_or(true);
        let variables = p.variables.take().map(variables_of);
        let spec = p.into_spec();
        let (spec, secrets) = match variables {
            // Without `variables`, `{{` is sent as it is (a script's literal text).
            None => (spec, Secrets::default()),
            Some(variables) => {
                let mut source = SystemSource::new();
                let mut resolver = Resolver::new(Scopes::new().with_local(&variables), &mut source);
                let spec =
                    resolve_request(&spec, &mut resolver, param_path).map_err(resolve_error)?;
                (spec, Secrets::of(&variables))
            }
        };
        let tls = &spec.settings.tls;
        let reads_files =
            tls.ca_file.is_some() || tls.client_cert.is_some() || tls.client_key.is_some();
        if reads_files && !self.caller.permissions.contains(READ_FILES) {
            // The files are read by the process serving the API: a caller must be trusted
            // with the local file system (answers would reveal whether a path exists).
            return Err(ApiError::BadParam {
                path: "settings.tls".into(),
                reason: format!(
                    "reading local files (caFile, clientCert, clientKey) needs the permission `{READ_FILES}` (--grant {READ_FILES})"
                ),
            });
        }
        let (id, session) = {
            let mut table = lock(&self.sessions);
            let live = table
                .iter()
                .filter(|e| e.session.state() != SessionState::Closed)
                .count();
            if live >= self.limits.max_sockets {
                return Err(ApiError::TooManySockets(self.limits.max_sockets));
            }
            if table.len() >= self.limits.max_sessions {
                return Err(ApiError::TooManySessions(self.limits.max_sessions));
            }
            let mut request = request_json(&spec);
            let session = self
                .engine
                .open_within(spec, &self.log_budget)
                .map_err(|error| ApiError::Engine { error, id: None })?;
            if let Some(observer) = &self.observer {
                secrets.hide_in(&mut request);
                observer.opened(
                    &session,
                    OpenedSession {
                        caller: self.caller.origin.clone(),
                        request,
                        secrets: secrets.values().to_vec(),
                    },
                );
            }
            let id = new_id();
            table.push(Entry {
                id: id.clone(),
                session: session.clone(),
                secrets: secrets.clone(),
            });
            (id, session)
        };
        if !wait {
            return Ok(json!({ "id": id }));
        }
        match session.wait_open().await {
            Ok(info) => {
                let mut handshake = handshake_json(&info);
                secrets.hide_in(&mut handshake);
                Ok(json!({"id": id, "handshake": handshake}))
            }
            Err(error) => Err(ApiError::Engine {
                error,
                id: Some(id),
            }),
        }
    }

    async fn send(&self, params: Option<Value>) -> Result<Value, ApiError> {
        let p: SendParams = parse(params)?;
        let payload = match (p.text, p.binary, p.hex) {
            (Some(t), None, None) if p.variables.is_none() => Payload::text(t),
            (Some(t), None, None) => {
                let variables = variables_of(p.variables.unwrap_or_default());
                let mut source = SystemSource::new();
                let mut resolver = Resolver::new(Scopes::new().with_local(&variables), &mut source);
                let resolved = resolver.resolve("text", &t).map_err(resolve_error)?;
                Payload::text(resolved.into_parts().0)
            }
            (None, Some(b), None) => {
                Payload::binary(decode_base64(&b).map_err(|e| bad_param("binary", e.to_string()))?)
            }
            (None, None, Some(h)) => {
                Payload::binary(decode_hex(&h).map_err(|e| bad_param("hex", e.to_string()))?)
            }
            _ => {
                return Err(bad_param(
                    "params",
                    "give exactly one of `text` (a string), `binary` (base64) and `hex`",
                ));
            }
        };
        let session = self.session(&p.id)?;
        session.send(payload).await.map_err(engine_error(&p.id))?;
        Ok(Value::Null)
    }

    async fn control(&self, params: Option<Value>, ping: bool) -> Result<Value, ApiError> {
        let p: ControlParams = parse(params)?;
        let session = self.session(&p.id)?;
        let data = Bytes::from(p.data.unwrap_or_default().into_bytes());
        let result = if ping {
            session.ping(data).await
        } else {
            session.pong(data).await
        };
        result.map_err(|e| match e {
            EngineError::ControlPayloadTooLong { .. } => bad_param("data", e.to_string()),
            e => engine_error(&p.id)(e),
        })?;
        Ok(Value::Null)
    }

    async fn close(&self, params: Option<Value>) -> Result<Value, ApiError> {
        let p: CloseParams = parse(params)?;
        let session = self.session(&p.id)?;
        let reason = p.reason.unwrap_or_default();
        session.close(p.code, &reason).await.map_err(|e| match e {
            EngineError::InvalidCloseCode(_) | EngineError::CloseReasonWithoutCode => {
                bad_param("code", e.to_string())
            }
            EngineError::CloseReasonTooLong(_) => bad_param("reason", e.to_string()),
            e => engine_error(&p.id)(e),
        })?;
        Ok(Value::Null)
    }

    /// Drops a session from the caller's list (closing it first if it is not closed), so
    /// a long-lived caller such as the UI does not keep every old log in memory.
    async fn forget(&self, params: Option<Value>) -> Result<Value, ApiError> {
        let p: IdParams = parse(params)?;
        let entry = {
            let mut table = lock(&self.sessions);
            let index = table
                .iter()
                .position(|e| e.id == p.id)
                .ok_or_else(|| not_found("session", &p.id))?;
            table.remove(index)
        };
        // Unknown to the engine only if it already dropped the session: nothing to close.
        let _ = self.engine.remove(entry.session.id()).await;
        Ok(Value::Null)
    }

    /// The caller's sessions, written row by row within the answer limit.
    fn list(&self, params: Option<Value>) -> Result<String, ApiError> {
        let _: NoParams = parse(params)?;
        let entries: Vec<Entry> = lock(&self.sessions).clone();
        let max = Room::of(self.limits.max_response_bytes);
        let mut out = JsonArray::new(max.room);
        for e in &entries {
            let info = e.session.info();
            let mut row = json!({
                "id": e.id,
                "url": info.url,
                "protocols": info.protocols,
                "state": info.state.as_str(),
                "negotiatedProtocol": info.negotiated_protocol,
                "eventCount": info.event_count,
            });
            e.secrets.hide_in(&mut row);
            if !out.push(&row.to_string()) {
                return Err(too_large(
                    max,
                    "the list of sessions is larger than an answer may be; remove closed sessions with wsdeck.forget",
                ));
            }
        }
        Ok(out.finish())
    }

    fn handshake(&self, params: Option<Value>) -> Result<Value, ApiError> {
        let p: IdParams = parse(params)?;
        let entry = self.entry(&p.id)?;
        let mut handshake = entry
            .session
            .handshake()
            .map_or(Value::Null, |info| handshake_json(&info));
        entry.secrets.hide_in(&mut handshake);
        Ok(handshake)
    }

    /// A page of events, written event by event: it ends early (`atEnd: false`, `nextSeq`
    /// at the first event left out) when the next event would take the answer beyond
    /// [`Limits::max_response_bytes`].
    fn events(&self, params: Option<Value>) -> Result<String, ApiError> {
        let p: EventsParams = parse(params)?;
        let limit = p.limit.unwrap_or(DEFAULT_LIMIT);
        if limit > MAX_EVENTS {
            return Err(bad_param(
                "limit",
                format!("{limit} is more than the maximum of {MAX_EVENTS}"),
            ));
        }
        let entry = self.entry(&p.id)?;
        let mut out = Vec::new();
        let outcome = entry
            .session
            .log()
            .read(p.from.unwrap_or(0), limit, &mut out);
        let max = Room::of(self.limits.max_response_bytes);
        // Room for `{"events":[…],"nextSeq":…,"missed":…,"atEnd":…}` around the events.
        let mut events = JsonArray::new(max.room.saturating_sub(PAGE_OVERHEAD));
        let mut next_seq = outcome.next_seq;
        let mut at_end = outcome.at_end;
        for e in &out {
            match encode_event(e, p.max_data, &entry.secrets, events.room()) {
                Encoded::Fits(text) if events.push(&text) => {}
                Encoded::Fits(_) | Encoded::TooLarge(_) if events.count() > 0 => {
                    next_seq = e.seq;
                    at_end = false;
                    break;
                }
                Encoded::Fits(text) => return Err(event_too_large(e.seq, text.len(), max)),
                Encoded::TooLarge(size) => return Err(event_too_large(e.seq, size, max)),
            }
        }
        Ok(format!(
            r#"{{"events":{},"nextSeq":{next_seq},"missed":{},"atEnd":{at_end}}}"#,
            events.finish(),
            outcome.missed
        ))
    }

    fn search(&self, params: Option<Value>) -> Result<Value, ApiError> {
        let p: ScanParams<String> = parse(params)?;
        let limit = p.limit(MAX_EVENTS)?;
        let filter = p.filter()?;
        let session = self.session(&p.id)?;
        let log = session.log();
        crate::search::scan(
            p.from.unwrap_or(0),
            limit,
            SEARCH_SCAN,
            |from, max| {
                let mut chunk = Vec::new();
                log.read(from, max, &mut chunk);
                Ok(chunk)
            },
            |e| e.seq,
            |e| filter.matches(e),
        )
    }

    fn subscribe(&self, params: Option<Value>) -> Result<(Value, Release), ApiError> {
        let p: SubscribeParams = parse(params)?;
        let entry = self.entry(&p.id)?;
        let mut subscriptions = lock(&self.subscriptions);
        // Finished subscriptions (their session ended) no longer count.
        subscriptions.retain(|_, s| !s.task.is_finished());
        let max = self.limits.max_subscriptions;
        if subscriptions.len() >= max {
            return Err(ApiError::TooManySubscriptions {
                max,
                per_session: false,
            });
        }
        let max = self.limits.max_subscriptions_per_session;
        if subscriptions.values().filter(|s| s.session == p.id).count() >= max {
            return Err(ApiError::TooManySubscriptions {
                max,
                per_session: true,
            });
        }
        let subscription = new_id();
        let (release, release_rx) = oneshot::channel();
        let task = tokio::spawn(pump(
            Feed {
                tx: self.tx.clone(),
                subscription: subscription.clone(),
                id: p.id.clone(),
                entry,
                max_data: p.max_data,
                limits: self.limits,
            },
            p.from.unwrap_or(0),
            release_rx,
        ));
        subscriptions.insert(
            subscription.clone(),
            Subscription {
                task: task.abort_handle(),
                session: p.id,
            },
        );
        Ok((json!({ "subscription": subscription }), release))
    }

    fn unsubscribe(&self, params: Option<Value>) -> Result<Value, ApiError> {
        let p: UnsubscribeParams = parse(params)?;
        match lock(&self.subscriptions).remove(&p.subscription) {
            Some(s) => {
                s.task.abort();
                Ok(Value::Null)
            }
            None => Err(not_found("subscription", &p.subscription)),
        }
    }

    fn take_all(&self) -> Vec<Session> {
        for (_, s) in lock(&self.subscriptions).drain() {
            s.task.abort();
        }
        lock(&self.sessions).drain(..).map(|e| e.session).collect()
    }

    /// Ends every subscription and closes and removes every session (used on drop).
    pub(crate) fn close_all_in_background(&self) {
        let sessions = self.take_all();
        if sessions.is_empty() {
            return;
        }
        if let Ok(handle) = tokio::runtime::Handle::try_current() {
            let engine = self.engine.clone();
            handle.spawn(async move {
                for s in sessions {
                    let _ = engine.remove(s.id()).await;
                }
            });
        }
    }

    /// Closes every session and waits (at most `wait`) until they are closed and every
    /// subscription has delivered their last events (the close included), then ends the
    /// subscriptions still running.
    pub(crate) async fn close_all(&self, wait: Duration) {
        let pumps: Vec<tokio::task::AbortHandle> = lock(&self.subscriptions)
            .drain()
            .map(|(_, s)| s.task)
            .collect();
        let sessions: Vec<Session> = lock(&self.sessions).drain(..).map(|e| e.session).collect();
        for s in &sessions {
            let _ = self.engine.remove(s.id()).await;
        }
        let _ = tokio::time::timeout(wait, async {
            for s in &sessions {
                s.wait_closed().await;
            }
            // A pump ends by itself once it has sent its log's end.
            while pumps.iter().any(|p| !p.is_finished()) {
                tokio::time::sleep(COALESCE / 5).await;
            }
        })
        .await;
        for pump in pumps {
            pump.abort();
        }
    }
}

/// Where a subscription's notifications go and what they carry.
struct Feed {
    tx: Outbox,
    subscription: String,
    /// The session's id as the caller knows it.
    id: String,
    entry: Entry,
    max_data: Option<usize>,
    limits: Limits,
}

/// Events a subscription reads from the log at a time (each read is a short lock).
const PUMP_READ: usize = 256;

/// Bytes of a notification around its events (`jsonrpc`, `method`, ids, `missed`, …).
const NOTE_OVERHEAD: usize = 256;

/// One subscription: reads the log from `seq` and writes coalesced `wsdeck.events`
/// notifications until the log ends, the receiver is gone or the task is aborted.
///
/// Each notification is built only after room for it was reserved in the caller's
/// outgoing budget, and holds at most [`Limits::max_notification_bytes`] (one event larger
/// than that goes alone, cut to [`Limits::max_response_bytes`] with `truncated: true` if it
/// is larger still). A caller that does not read makes this wait; the log keeps the events
/// meanwhile, and those its retention drops are counted in the next notification's `missed`.
async fn pump(feed: Feed, seq: u64, release_rx: oneshot::Receiver<()>) {
    let _ = tokio::time::timeout(RELEASE_WAIT, release_rx).await;
    let mut cursor = LogCursor::at(feed.entry.session.log().clone(), seq);
    let note_max = feed
        .limits
        .max_notification_bytes
        .min(feed.limits.max_response_bytes);
    let mut batch = Vec::with_capacity(PUMP_READ);
    loop {
        cursor.wait().await;
        let Ok(mut room) = feed.tx.reserve_note(note_max).await else {
            return;
        };
        let mut events = JsonArray::new(note_max.saturating_sub(NOTE_OVERHEAD));
        let mut missed = 0;
        let mut at_end = false;
        let mut full = false;
        'read: loop {
            let outcome = cursor.read_now(PUMP_READ, &mut batch);
            missed += outcome.missed;
            for e in &batch {
                if let Encoded::Fits(text) =
                    encode_event(e, feed.max_data, &feed.entry.secrets, events.room())
                    && events.push(&text)
                {
                    continue;
                }
                full = true;
                // This one waits for the next notification (unless it goes alone, below).
                cursor.seek(e.seq);
                if events.count() == 0 {
                    // Alone it is larger than a notification: it goes alone, in room
                    // reserved for its size before it is written.
                    // Reserved for the most it can take as an event of an answer.
                    drop(room);
                    let want = feed.limits.max_response_bytes + NOTE_OVERHEAD;
                    let Ok(bigger) = feed.tx.reserve_note(want).await else {
                        return;
                    };
                    room = bigger;
                    events = JsonArray::new(usize::MAX);
                    events.push(&large_event(&feed, e));
                    cursor.seek(e.seq + 1);
                }
                break 'read;
            }
            if outcome.at_end {
                at_end = true;
                break;
            }
            if batch.len() < PUMP_READ {
                break;
            }
        }
        if events.count() > 0 || missed > 0 || at_end {
            let note = format!(
                r#"{{"jsonrpc":"2.0","method":"wsdeck.events","params":{{"subscription":{},"id":{},"events":{},"missed":{missed},"atEnd":{at_end}}}}}"#,
                Value::from(feed.subscription.as_str()),
                Value::from(feed.id.as_str()),
                events.finish(),
            );
            if feed.tx.send_reserved(note, room).await.is_err() {
                return;
            }
        } else {
            drop(room);
        }
        if at_end {
            return;
        }
        if !full {
            tokio::time::sleep(COALESCE).await;
        }
    }
}

/// An event larger than a notification, as text — cut with `truncated: true` if even an
/// answer could not hold it.
fn large_event(feed: &Feed, e: &Event) -> String {
    let budget = feed.limits.max_response_bytes.saturating_sub(NOTE_OVERHEAD);
    match encode_event(e, feed.max_data, &feed.entry.secrets, budget) {
        Encoded::Fits(text) => text,
        Encoded::TooLarge(_) => {
            // JSON escaping makes at most 6 bytes of one; base64 4 of 3.
            let cut = budget.saturating_sub(EVENT_OVERHEAD) / 6;
            let cut = feed.max_data.map_or(cut, |m| m.min(cut));
            let mut v = event_json(e, Some(cut));
            feed.entry.secrets.hide_in_event(&mut v);
            v.to_string()
        }
    }
}

// ---- answers written as text, within a byte limit --------------------------------------

/// A JSON array written item by item, refusing items beyond `max` bytes.
struct JsonArray {
    text: String,
    count: usize,
    max: usize,
}

impl JsonArray {
    fn new(max: usize) -> Self {
        JsonArray {
            text: String::from("["),
            count: 0,
            max,
        }
    }

    /// Bytes an item may still take.
    fn room(&self) -> usize {
        self.max.saturating_sub(self.text.len() + 2)
    }

    fn count(&self) -> usize {
        self.count
    }

    /// Appends `item` (valid JSON) if it fits; says whether it did.
    fn push(&mut self, item: &str) -> bool {
        if item.len() > self.room() {
            return false;
        }
        if self.count > 0 {
            self.text.push(',');
        }
        self.text.push_str(item);
        self.count += 1;
        true
    }

    fn finish(mut self) -> String {
        self.text.push(']');
        self.text
    }
}

/// An event as JSON text if it fits in a byte budget.
enum Encoded {
    Fits(String),
    /// It would take about this many bytes.
    TooLarge(usize),
}

/// Bytes of an event's fields besides its data (generous: `seq`, `time`, …, `size`).
const EVENT_OVERHEAD: usize = 256;

/// Bytes of a page around its events.
const PAGE_OVERHEAD: usize = 128;

/// Writes `e` as [`event_json`] would, unless it would take more than `budget` bytes —
/// found from the payload's size before anything is built, so a message far too large for
/// the budget is never copied.
fn encode_event(e: &Event, max_data: Option<usize>, secrets: &Secrets, budget: usize) -> Encoded {
    if let Some(size) = payload_json_len(e, max_data, budget.saturating_sub(EVENT_OVERHEAD))
        && size.saturating_add(EVENT_OVERHEAD) > budget
    {
        return Encoded::TooLarge(size.saturating_add(EVENT_OVERHEAD));
    }
    let mut v = event_json(e, max_data);
    secrets.hide_in_event(&mut v);
    let text = v.to_string();
    if text.len() > budget {
        return Encoded::TooLarge(text.len());
    }
    Encoded::Fits(text)
}

/// The JSON length of an event's `data`, cut as `data_fields` cuts it; `None` for events
/// without a payload. Text is counted exactly only when it matters: at least its own
/// length and at most six times that (`\u0001`) decide most cases without a pass over it.
fn payload_json_len(e: &Event, max_data: Option<usize>, budget: usize) -> Option<usize> {
    let (bytes, is_text): (&[u8], bool) = match &e.kind {
        EventKind::Message { payload, .. } => match payload {
            Payload::Text(t) => (t.as_bytes(), true),
            Payload::Binary(b) => (&b[..], false),
        },
        EventKind::Ping { payload, .. } | EventKind::Pong { payload, .. } => (&payload[..], true),
        _ => return None,
    };
    let text = if is_text {
        std::str::from_utf8(bytes).ok()
    } else {
        None
    };
    let cut = max_data.filter(|&m| m < bytes.len());
    Some(match text {
        Some(t) => {
            let end = cut.map_or(t.len(), |m| {
                (0..=m).rev().find(|&i| t.is_char_boundary(i)).unwrap_or(0)
            });
            let t = &t[..end];
            if t.len() + 2 > budget {
                t.len() + 2
            } else if t.len().saturating_mul(6) + 2 <= budget {
                t.len().saturating_mul(6) + 2
            } else {
                json_string_len(t)
            }
        }
        None => cut.unwrap_or(bytes.len()).div_ceil(3) * 4 + 2,
    })
}

/// The length of `s` as a JSON string, quotes included, without writing it.
fn json_string_len(s: &str) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    // Writing a `str` to a counter cannot fail.
    let _ = serde_json::to_writer(&mut count, s);
    count.0
}

/// The bytes the running call's result may take, and the configured limit (which errors
/// name in `data.max`).
#[derive(Debug, Clone, Copy)]
struct Room {
    /// What is left for this result (less in a batch whose other answers hold some).
    room: usize,
    /// [`Limits::max_response_bytes`].
    limit: usize,
}

impl Room {
    fn of(limit: usize) -> Room {
        Room {
            room: crate::answer_room(limit),
            limit,
        }
    }

    /// The words for "more than the room": the limit, or what a batch left of it.
    fn words(&self) -> String {
        if self.room + 1024 >= self.limit {
            format!("the {} bytes an answer may hold", self.limit)
        } else {
            format!(
                "the {} bytes left of the {} an answer may hold (the other answers of its batch hold the rest)",
                self.room, self.limit
            )
        }
    }
}

fn too_large(max: Room, hint: impl Into<String>) -> ApiError {
    ApiError::ResponseTooLarge {
        max: max.limit,
        hint: hint.into(),
    }
}

fn event_too_large(seq: u64, size: usize, max: Room) -> ApiError {
    too_large(
        max,
        format!(
            "event {seq} alone takes about {size} bytes as JSON, more than {}; pass `maxData` to cut its data",
            max.words()
        ),
    )
}

// ---- params ----------------------------------------------------------------------------

/// Deserializes params strictly; a missing or `null` params is an empty object.
pub(crate) fn parse<T: DeserializeOwned>(params: Option<Value>) -> Result<T, ApiError> {
    let value = match params {
        None | Some(Value::Null) => Value::Object(Map::new()),
        Some(v) => v,
    };
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let path = if path == "." { "params".into() } else { path };
        ApiError::BadParam {
            path,
            reason: plain_words(&e.into_inner().to_string()),
        }
    })
}

/// serde's wording with Rust's names for types replaced by JSON's (one table, in the format
/// crate, for the API, environment files and the workspace).
fn plain_words(reason: &str) -> String {
    wsdeck_format::serde_words::json_words(reason)
}

/// Variables as the format crate holds them.
fn variables_of(params: Vec<VariableParam>) -> Vec<Variable> {
    params
        .into_iter()
        .map(|v| {
            if v.secret {
                Variable::secret(v.name, v.value)
            } else {
                Variable::new(v.name, v.value)
            }
        })
        .collect()
}

/// A `{{variable}}` problem as a params error at the first problem's field, listing all.
fn resolve_error(e: ResolveError) -> ApiError {
    let path = e
        .problems()
        .first()
        .map_or_else(|| "params".to_owned(), |p| p.field.clone());
    ApiError::BadParam {
        path,
        reason: e.to_string(),
    }
}

fn bad_param(path: &str, reason: impl Into<String>) -> ApiError {
    ApiError::BadParam {
        path: path.into(),
        reason: reason.into(),
    }
}

fn not_found(kind: &'static str, id: &str) -> ApiError {
    ApiError::NotFoundResource {
        kind,
        id: id.into(),
    }
}

fn engine_error(id: &str) -> impl Fn(EngineError) -> ApiError + '_ {
    move |error| ApiError::Engine {
        error,
        id: Some(id.to_owned()),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct OpenParams {
    url: String,
    #[serde(default)]
    params: Vec<(String, String)>,
    #[serde(default)]
    headers: Vec<(String, String)>,
    #[serde(default)]
    protocols: Vec<String>,
    #[serde(default)]
    settings: SettingsParams,
    /// `{{name}}` in url, params, headers and protocols, resolved before connecting
    /// (only when given: without it, `{{` is literal text).
    variables: Option<Vec<VariableParam>>,
    wait: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct SettingsParams {
    handshake_timeout_ms: Option<u64>,
    follow_redirects: Option<bool>,
    max_redirects: Option<u32>,
    reconnect_attempts: Option<u32>,
    reconnect_interval_ms: Option<u64>,
    max_message_size: Option<u64>,
    auto_pong: Option<bool>,
    close_timeout_ms: Option<u64>,
    tls: Option<TlsParams>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct TlsParams {
    verify: Option<bool>,
    ca_file: Option<String>,
    client_cert: Option<String>,
    client_key: Option<String>,
}

impl OpenParams {
    fn into_spec(self) -> RequestSpec {
        let mut spec = RequestSpec::new(self.url);
        spec.params = self.params;
        spec.headers = self.headers;
        spec.protocols = self.protocols;
        let s = self.settings;
        let out = &mut spec.settings;
        out.apply(&SettingsPatch {
            handshake_timeout_ms: s.handshake_timeout_ms,
            follow_redirects: s.follow_redirects,
            max_redirects: s.max_redirects,
            reconnect_attempts: s.reconnect_attempts,
            reconnect_interval_ms: s.reconnect_interval_ms,
            max_message_size: s.max_message_size,
            auto_pong: s.auto_pong,
            close_timeout_ms: s.close_timeout_ms,
            tls_verify: s.tls.as_ref().and_then(|t| t.verify),
        });
        if let Some(tls) = s.tls {
            out.tls.ca_file = tls.ca_file.map(Into::into);
            out.tls.client_cert = tls.client_cert.map(Into::into);
            out.tls.client_key = tls.client_key.map(Into::into);
        }
        spec
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NoParams {}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct IdParams {
    id: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SendParams {
    id: String,
    text: Option<String>,
    binary: Option<String>,
    hex: Option<String>,
    /// `{{name}}` in `text`, resolved before sending (only when given).
    variables: Option<Vec<VariableParam>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ControlParams {
    id: String,
    data: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CloseParams {
    id: String,
    code: Option<u16>,
    reason: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
struct EventsParams {
    id: String,
    from: Option<u64>,
    limit: Option<usize>,
    /// Cut each event's `data` to this many bytes (`truncated: true` tells it was).
    max_data: Option<usize>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct SubscribeParams {
    id: String,
    from: Option<u64>,
    max_data: Option<usize>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UnsubscribeParams {
    subscription: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DetectParams {
    text: Option<String>,
    base64: Option<String>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
enum TextFormat {
    Json,
    Xml,
    Html,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum IndentParam {
    Spaces(u8),
    Tab(TabWord),
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "lowercase")]
enum TabWord {
    Tab,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RenderParams {
    text: String,
    format: TextFormat,
    indent: Option<IndentParam>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ValidateParams {
    text: String,
    format: ValidateFormat,
}

/// What `wsdeck.format.validate` checks: the text formats, and binary input as typed.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
enum ValidateFormat {
    Json,
    Xml,
    Html,
    Hex,
    Base64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct HexdumpParams {
    base64: String,
    width: Option<usize>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CompleteParams {
    text: String,
    cursor: usize,
    #[serde(default)]
    variables: Vec<VariableParam>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct VariableParam {
    name: String,
    value: String,
    #[serde(default)]
    secret: bool,
}

// ---- format helpers --------------------------------------------------------------------

/// Widest hexdump line accepted.
const MAX_HEX_WIDTH: usize = 256;

fn format_detect(params: Option<Value>) -> Result<Value, ApiError> {
    let p: DetectParams = parse(params)?;
    let bytes = match (p.text, p.base64) {
        (Some(t), None) => t.into_bytes(),
        (None, Some(b)) => decode_base64(&b).map_err(|e| bad_param("base64", e.to_string()))?,
        _ => {
            return Err(bad_param(
                "params",
                "give exactly one of `text` and `base64`",
            ));
        }
    };
    let found = wsdeck_format::detect(&bytes);
    Ok(json!({
        "format": found.format.name().to_lowercase(),
        "mime": found.mime,
        "size": found.size,
    }))
}

/// Beautify or minify, producing at most `max` bytes of answer (the format crate stops
/// at its output limit, so a hostile input cannot make it write gigabytes).
fn format_render(params: Option<Value>, pretty: bool, max: Room) -> Result<Reply, ApiError> {
    use wsdeck_format::{Style, html, json as fjson, xml};
    let p: RenderParams = parse(params)?;
    if !pretty && p.indent.is_some() {
        return Err(bad_param("indent", "minify takes no indent"));
    }
    let indent = match p.indent {
        None => Indent::default(),
        Some(IndentParam::Spaces(n)) if n <= 16 => Indent::Spaces(n),
        Some(IndentParam::Spaces(n)) => {
            return Err(bad_param("indent", format!("{n} is more than 16 spaces")));
        }
        Some(IndentParam::Tab(TabWord::Tab)) => Indent::Tab,
    };
    let style = Style {
        max_output: max.room,
        ..if pretty {
            Style::pretty(indent)
        } else {
            Style::minified()
        }
    };
    let mut text = String::new();
    let result = match p.format {
        TextFormat::Json => fjson::format_into(&p.text, &style, &mut text),
        TextFormat::Xml => xml::format_into(&p.text, &style, &mut text),
        TextFormat::Html => html::format_into(&p.text, &style, &mut text),
    };
    let what = if pretty { "beautified" } else { "minified" };
    let too_big = || {
        too_large(
            max,
            format!("the {what} text would be larger than {}", max.words()),
        )
    };
    result.map_err(|e| match e {
        FormatError::TooLarge { .. } => too_big(),
        e => bad_param("text", e.to_string()),
    })?;
    if json_string_len(&text) + 16 > max.room {
        return Err(too_big());
    }
    Ok(Reply::Json(json!({ "text": text })))
}

fn diagnostic_json(d: &Diagnostic) -> Value {
    json!({
        "severity": match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        },
        "message": d.message,
        "hint": d.hint,
        "line": d.at.line,
        "column": d.at.column,
        "offset": d.at.offset,
    })
}

/// Diagnostics of a text, at most `max` bytes of them: the rest are counted in `omitted`.
fn format_validate(params: Option<Value>, max: Room) -> Result<Reply, ApiError> {
    use wsdeck_format::{html, json as fjson, xml};
    let p: ValidateParams = parse(params)?;
    let first = |r: Result<(), FormatError>| -> Vec<Diagnostic> {
        r.err().map(Into::into).into_iter().collect()
    };
    let diagnostics: Vec<Diagnostic> = match p.format {
        ValidateFormat::Json => first(fjson::validate(&p.text)),
        ValidateFormat::Xml => first(xml::validate(&p.text)),
        ValidateFormat::Html => html::check(&p.text),
        ValidateFormat::Hex => first(decode_hex(&p.text).map(drop)),
        ValidateFormat::Base64 => first(decode_base64(&p.text).map(drop)),
    };
    let ok = diagnostics.iter().all(|d| d.severity != Severity::Error);
    let mut errors = JsonArray::new(max.room.saturating_sub(PAGE_OVERHEAD));
    let mut omitted = 0;
    for d in &diagnostics {
        if omitted > 0 || !errors.push(&diagnostic_json(d).to_string()) {
            omitted += 1;
        }
    }
    let omitted = if omitted > 0 {
        format!(r#","omitted":{omitted}"#)
    } else {
        String::new()
    };
    Ok(Reply::Text(format!(
        r#"{{"ok":{ok},"errors":{}{omitted}}}"#,
        errors.finish()
    )))
}

/// A hexdump's lines, written one by one; refused before anything is built when its size
/// would certainly exceed `max` (and stopped as soon as it does while being written).
fn format_hexdump(params: Option<Value>, max: Room) -> Result<Reply, ApiError> {
    let p: HexdumpParams = parse(params)?;
    let bytes = decode_base64(&p.base64).map_err(|e| bad_param("base64", e.to_string()))?;
    let mut dump = HexDump::new(&bytes);
    if let Some(width) = p.width {
        if width == 0 || width > MAX_HEX_WIDTH {
            return Err(bad_param(
                "width",
                format!("{width} is not between 1 and {MAX_HEX_WIDTH}"),
            ));
        }
        dump = dump.with_width(width);
    }
    let width = dump.width();
    let lines = dump.line_count();
    // At least `{"offset":0,"hex":"","ascii":""}` plus 3 characters per byte; at most
    // about 64 plus 5 per byte.
    let least = lines.saturating_mul(32 + 3 * width);
    let estimate = lines.saturating_mul(64 + 5 * width);
    let too_big = |size: usize| {
        too_large(
            max,
            format!(
                "a hexdump of {} bytes at width {width} takes about {size} bytes, more than {}; dump fewer bytes or use a wider width",
                bytes.len(),
                max.words()
            ),
        )
    };
    // The estimate is an upper bound: refuse only what is certainly too large before
    // writing, and check the real size while writing.
    if least > max.room {
        return Err(too_big(estimate));
    }
    let mut out = JsonArray::new(max.room.saturating_sub(PAGE_OVERHEAD));
    for l in dump.lines() {
        let line = json!({"offset": l.offset, "hex": l.hex(), "ascii": l.ascii()});
        if !out.push(&line.to_string()) {
            return Err(too_big(estimate));
        }
    }
    Ok(Reply::Text(format!(r#"{{"lines":{}}}"#, out.finish())))
}

fn vars_complete(params: Option<Value>) -> Result<Value, ApiError> {
    let p: CompleteParams = parse(params)?;
    let variables = variables_of(p.variables);
    let scopes = Scopes::new().with_local(&variables);
    let completion = wsdeck_format::autocomplete::complete(&p.text, p.cursor, &scopes);
    let items: Vec<Value> = completion
        .items
        .iter()
        .map(|i| {
            json!({
                "name": i.name,
                "scope": i.scope.label(),
                "preview": i.preview,
                "description": i.description,
                "insertText": i.insert_text,
            })
        })
        .collect();
    Ok(json!({
        "replaceRange": {"start": completion.replace_range.start, "end": completion.replace_range.end},
        "items": items,
    }))
}

// ---- wire shapes of engine values -------------------------------------------------------

fn ms(d: Duration) -> f64 {
    d.as_micros() as f64 / 1000.0
}

fn direction(d: Direction) -> &'static str {
    match d {
        Direction::In => "in",
        Direction::Out => "out",
    }
}

/// A request as the history keeps it (and the observer receives it): what was sent.
pub(crate) fn request_json(spec: &RequestSpec) -> Value {
    let s = &spec.settings;
    json!({
        "url": spec.url,
        "params": spec.params,
        "headers": spec.headers,
        "protocols": spec.protocols,
        "settings": {
            "handshakeTimeoutMs": s.handshake_timeout_ms,
            "followRedirects": s.follow_redirects,
            "maxRedirects": s.max_redirects,
            "reconnectAttempts": s.reconnect_attempts,
            "reconnectIntervalMs": s.reconnect_interval_ms,
            "maxMessageSize": s.max_message_size,
            "autoPong": s.auto_pong,
            "closeTimeoutMs": s.close_timeout_ms,
            "tls": {"verify": s.tls.verify},
        },
    })
}

/// `format` and `data` of a payload: text as is, anything else as base64; with `max`,
/// `data` holds at most that many bytes of it (text cut at a character boundary) and
/// `truncated: true` says so. `size` is always the whole payload's.
fn data_fields(bytes: &[u8], is_text: bool, max: Option<usize>, out: &mut Value) {
    let text = if is_text {
        std::str::from_utf8(bytes).ok()
    } else {
        None
    };
    let cut = max.filter(|&m| m < bytes.len());
    match text {
        Some(t) => {
            out["format"] = json!("text");
            let end = cut.map_or(t.len(), |m| {
                (0..=m).rev().find(|&i| t.is_char_boundary(i)).unwrap_or(0)
            });
            out["data"] = json!(&t[..end]);
        }
        None => {
            out["format"] = json!("binary");
            out["data"] = json!(encode_base64(&bytes[..cut.unwrap_or(bytes.len())]));
        }
    }
    if cut.is_some() {
        out["truncated"] = json!(true);
    }
    out["size"] = json!(bytes.len());
}

/// One event as JSON: `seq`, `time` (RFC 3339, UTC, milliseconds), `monoMs`, `type` and the
/// fields of its kind.
/// `max_data` cuts payload data (see `data_fields`).
pub(crate) fn event_json(e: &Event, max_data: Option<usize>) -> Value {
    let time = DateTime::<Utc>::from(e.time).to_rfc3339_opts(SecondsFormat::Millis, true);
    let mut v = json!({"seq": e.seq, "time": time, "monoMs": ms(e.mono)});
    if let Some((kind, Value::Object(fields))) = wsdeck_history::connection_fields(&e.kind) {
        v["type"] = json!(kind);
        if let EventKind::Closing { direction: d, .. } = &e.kind {
            v["direction"] = json!(direction(*d));
        }
        if let Value::Object(out) = &mut v {
            out.extend(fields);
        }
        return v;
    }
    match &e.kind {
        EventKind::Open(info) => {
            v["type"] = json!("open");
            v["url"] = json!(info.url);
            v["protocol"] = json!(info.protocol);
            v["extensions"] = json!(info.extensions);
        }
        EventKind::Message {
            direction: d,
            payload,
        } => {
            v["type"] = json!("message");
            v["direction"] = json!(direction(*d));
            match payload {
                Payload::Text(t) => data_fields(t.as_bytes(), true, max_data, &mut v),
                Payload::Binary(b) => data_fields(b, false, max_data, &mut v),
            }
        }
        EventKind::Ping {
            direction: d,
            payload,
        }
        | EventKind::Pong {
            direction: d,
            payload,
        } => {
            let is_ping = matches!(e.kind, EventKind::Ping { .. });
            v["type"] = json!(if is_ping { "ping" } else { "pong" });
            v["direction"] = json!(direction(*d));
            data_fields(payload, true, max_data, &mut v);
        }
        // Connection events: above.
        _ => {}
    }
    v
}
