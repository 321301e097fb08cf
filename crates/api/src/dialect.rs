//! The `wsdeck.*` session methods: wsdeck's own methods over the same [`crate::Connection`]
//! and caller model as `snap_*`, exposing what the engine can do that the Snaps dialect
//! cannot (full request specs, handshake details, paged event logs, coalesced subscriptions
//! — their pump is `subscription.rs`). The pure helpers of `wsdeck-format` are `helpers.rs`.
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

use serde_json::Value;
use tokio::sync::oneshot;
use tokio::task::AbortHandle;
use wsdeck_engine::{Bytes, Engine, EngineError, LogBudget, Payload, Session, SessionState};
use wsdeck_format::binary::{decode_base64, decode_hex};
use wsdeck_format::dynamic::SystemSource;
use wsdeck_format::resolve::Resolver;
use wsdeck_format::scope::Scopes;

use crate::bounded::{
    Encoded, JsonArray, PAGE_OVERHEAD, Room, encode_event, event_too_large, too_large,
};
use crate::error::ApiError;
use crate::helpers::json_reply;
use crate::methods::SessionMethod;
use crate::observer::{Observer, OpenedSession};
use crate::outbox::Outbox;
use crate::parse::{bad_param, engine_error, not_found, parse, resolve_error, variables_of};
use crate::request_vars::{param_path, resolve_request};
use crate::secrets::Secrets;
use crate::snap::{Release, new_id};
use crate::subscription::{COALESCE, Feed, pump};
use crate::wire::NoParams;
use crate::wire::event::Handshake;
use crate::wire::history::RecordedRequest;
use crate::wire::sessions::{
    CloseParams, ControlParams, EventsParams, IdParams, OpenParams, OpenResult, SearchParams,
    SendParams, SessionInfo, SubscribeParams, SubscribeResult, UnsubscribeParams,
};
use crate::{Caller, Limits, Reply};

/// Most events one `wsdeck.events` page or one `wsdeck.events` notification carries.
pub const MAX_EVENTS: usize = 10_000;

/// Events per page when `limit` is not given.
pub const DEFAULT_LIMIT: usize = 1_000;

/// Events one `wsdeck.search` call looks at, at most (it answers where to continue).
pub const SEARCH_SCAN: usize = 200_000;

/// A running `wsdeck.subscribe`.
#[derive(Debug)]
struct Subscription {
    task: AbortHandle,
    /// The session's id as the caller knows it (subscriptions are counted per session).
    session: String,
}

/// One session of the caller's list.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    id: String,
    pub(crate) session: Session,
    /// Secret values its request was resolved with: hidden in what we show of it.
    pub(crate) secrets: Secrets,
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

    /// Runs one `wsdeck.*` session method; the dispatcher has already checked its permission
    /// by the method table. The release, when given, must be dropped after the response is
    /// written.
    pub(crate) async fn call(
        &self,
        method: SessionMethod,
        params: Option<Value>,
    ) -> (Result<Reply, ApiError>, Option<Release>) {
        let result = match method {
            SessionMethod::Open => self.open(params).await.map(json_reply),
            SessionMethod::Send => self.send(params).await.map(json_reply),
            SessionMethod::Ping => self.control(params, true).await.map(json_reply),
            SessionMethod::Pong => self.control(params, false).await.map(json_reply),
            SessionMethod::Close => self.close(params).await.map(json_reply),
            SessionMethod::Forget => self.forget(params).await.map(json_reply),
            SessionMethod::List => self.list(params).map(Reply::Text),
            SessionMethod::Handshake => self.handshake(params).map(Reply::Json),
            SessionMethod::Events => self.events(params).map(Reply::Text),
            SessionMethod::Search => self.search(params).map(json_reply),
            SessionMethod::Subscribe => {
                return match self.subscribe(params) {
                    Ok((v, release)) => (Ok(json_reply(v)), Some(release)),
                    Err(e) => (Err(e), None),
                };
            }
            SessionMethod::Unsubscribe => self.unsubscribe(params).map(json_reply),
        };
        (result, None)
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

    async fn open(&self, params: Option<Value>) -> Result<OpenResult, ApiError> {
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
            let mut request =
                serde_json::to_value(RecordedRequest::from(&spec)).unwrap_or_default();
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
            return Ok(OpenResult {
                id,
                handshake: None,
            });
        }
        match session.wait_open().await {
            Ok(info) => Ok(OpenResult {
                id,
                handshake: Some(secrets.hide_in_typed(Handshake::from(&*info))),
            }),
            Err(error) => Err(ApiError::Engine {
                error,
                id: Some(id),
            }),
        }
    }

    async fn send(&self, params: Option<Value>) -> Result<(), ApiError> {
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
        session.send(payload).await.map_err(engine_error(&p.id))
    }

    async fn control(&self, params: Option<Value>, ping: bool) -> Result<(), ApiError> {
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
        })
    }

    async fn close(&self, params: Option<Value>) -> Result<(), ApiError> {
        let p: CloseParams = parse(params)?;
        let session = self.session(&p.id)?;
        let reason = p.reason.unwrap_or_default();
        session.close(p.code, &reason).await.map_err(|e| match e {
            EngineError::InvalidCloseCode(_) | EngineError::CloseReasonWithoutCode => {
                bad_param("code", e.to_string())
            }
            EngineError::CloseReasonTooLong(_) => bad_param("reason", e.to_string()),
            e => engine_error(&p.id)(e),
        })
    }

    /// Drops a session from the caller's list (closing it first if it is not closed), so
    /// a long-lived caller such as the UI does not keep every old log in memory.
    async fn forget(&self, params: Option<Value>) -> Result<(), ApiError> {
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
        Ok(())
    }

    /// The caller's sessions, written row by row within the answer limit.
    fn list(&self, params: Option<Value>) -> Result<String, ApiError> {
        let _: NoParams = parse(params)?;
        let entries: Vec<Entry> = lock(&self.sessions).clone();
        let max = Room::of(self.limits.max_response_bytes);
        let mut out = JsonArray::new(max.room);
        for e in &entries {
            let info = e.session.info();
            let row = e.secrets.hide_in_typed(SessionInfo {
                id: e.id.clone(),
                url: info.url,
                protocols: info.protocols,
                state: info.state.into(),
                negotiated_protocol: info.negotiated_protocol,
                event_count: info.event_count,
            });
            if !out.push(&serde_json::to_string(&row).unwrap_or_default()) {
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
        let handshake = entry
            .session
            .handshake()
            .map(|info| Handshake::from(&*info));
        Ok(serde_json::to_value(entry.secrets.hide_in_typed(handshake)).unwrap_or_default())
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
        Ok(crate::bounded::events_page(
            &events.finish(),
            next_seq,
            outcome.missed,
            at_end,
        ))
    }

    fn search(
        &self,
        params: Option<Value>,
    ) -> Result<crate::wire::sessions::SearchResult, ApiError> {
        let p: SearchParams<String> = parse(params)?;
        let limit = crate::search::limit_of(&p, MAX_EVENTS)?;
        let filter = crate::search::filter_of(&p)?;
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

    fn subscribe(&self, params: Option<Value>) -> Result<(SubscribeResult, Release), ApiError> {
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
        Ok((SubscribeResult { subscription }, release))
    }

    fn unsubscribe(&self, params: Option<Value>) -> Result<(), ApiError> {
        let p: UnsubscribeParams = parse(params)?;
        match lock(&self.subscriptions).remove(&p.subscription) {
            Some(s) => {
                s.task.abort();
                Ok(())
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
