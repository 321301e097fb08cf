//! wsdeck's JSON-RPC API, transport-agnostic: the MetaMask-Snaps-compatible `snap_*`
//! WebSocket dialect and wsdeck's own `wsdeck.*` dialect (full request specs, event paging,
//! coalesced subscriptions, format helpers; see [`dialect`]) over JSON-RPC 2.0 texts, plus
//! `rpc.discover` (an OpenRPC document of every method in [`METHODS`]).
//!
//! A transport (stdio today; later the WebSocket gateway) calls [`Api::attach`] once per
//! client, feeds each incoming text to [`Connection::handle`] and writes every string from
//! the returned receiver (responses and `onWebSocketEvent` notifications) back. This crate
//! is the only one that defines wire types; the engine below knows no JSON.
//!
//! The behaviour follows the written specification of upstream MetaMask Snaps (at
//! snaps-controllers 21.0.0). Deliberate deviations:
//!
//! - **Ownership is per attachment.** Upstream keys sockets by snap id; here a
//!   [`Connection`] owns its sockets, so two clients that claim the same origin still cannot
//!   see each other's ids (lookups answer "not found", like upstream for another snap).
//! - **Detaching is uninstalling.** Dropping a [`Connection`] closes all of its sockets, the
//!   analogue of upstream's `#closeAll` on snap uninstall: nobody is left to receive events.
//! - **Limits.** At most [`Limits::max_sockets`] sockets per caller and
//!   [`Limits::max_request_bytes`] per request text; both answer -32005 "Request limit
//!   exceeded." with a `data` hint. Upstream has no limits. The engine's default handshake
//!   timeout (20 s) and message size limit (64 MiB) apply; upstream relies on the host.
//! - **Requests the engine refuses up front** (where upstream's `new WebSocket()` throws a
//!   DOMException with an undefined wire shape) answer -32602 with the engine's message.
//! - **Assertion errors** carry `data.cause {message, code: "ERR_ASSERTION"}` without a
//!   JavaScript `stack`.
//! - **Order:** the `snap_openWebSocket` response is written before that socket's `open`
//!   event (upstream's order is not defined), so a client always knows the id first.
//! - **Send after close started** returns `null` and drops the data, like WHATWG `send()`.

pub mod dialect;
mod discover;
mod error;
mod history;
mod observer;
mod params;
pub mod request_vars;
mod search;
mod secrets;
mod snap;
mod workspace;

use std::collections::BTreeSet;
use std::sync::Arc;

use serde_json::{Value, json};
use tokio::sync::mpsc;
use wsdeck_engine::Engine;

pub use discover::{METHODS, openrpc};
pub use error::ApiError;
pub use history::HISTORY;
pub use observer::{
    HistoryProblem, HistoryProblemKind, HistoryProblems, OpenedSession, SessionObserver,
    history_error_notification,
};
pub use params::{Message, OpenParams, to_uint8};
pub use snap::NETWORK_ACCESS;
pub use workspace::WORKSPACE;

/// Every permission a caller can be granted. A transport refuses others by name, so a typo
/// (`endowment:network_access`) is caught at start rather than met as 4100 on every call.
pub const PERMISSIONS: &[&str] = &[NETWORK_ACCESS, dialect::READ_FILES, WORKSPACE, HISTORY];

/// Limits that upstream does not have, so one client cannot exhaust the process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Sockets one caller may hold at once (connecting and closing ones count).
    pub max_sockets: usize,
    /// Largest request text, in bytes.
    pub max_request_bytes: usize,
    /// Outgoing texts buffered for a slow transport before event readers wait.
    pub outgoing_queue: usize,
    /// Requests (texts) one caller may have running at once; [`Connection::handle`] waits
    /// for one to finish beyond that, so a client that floods requests without reading the
    /// answers is slowed down by its transport instead of growing the process.
    pub max_in_flight: usize,
    /// Requests one JSON-RPC batch may hold (each runs as its own task).
    pub max_batch: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_sockets: 256,
            max_request_bytes: 1 << 20,
            outgoing_queue: 1024,
            max_in_flight: 64,
            max_batch: 1000,
        }
    }
}

/// Who is calling: the snap id and the permissions granted to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// A snap id (`npm:…` or `local:…`); other origins may not call `snap_` methods.
    pub origin: String,
    /// Granted permissions; `endowment:network-access` is needed for every `snap_` method.
    pub permissions: BTreeSet<String>,
}

impl Caller {
    /// Whether this caller is a snap, which decides if `snap_` methods exist for it.
    pub fn is_snap(&self) -> bool {
        self.origin.starts_with("npm:") || self.origin.starts_with("local:")
    }
}

/// The API over one engine. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Api {
    engine: Engine,
    limits: Limits,
    observer: observer::Observer,
    workspace: Option<Arc<wsdeck_workspace::Workspace>>,
    history: Option<wsdeck_history::History>,
}

impl Api {
    /// An API with default [`Limits`].
    pub fn new(engine: Engine) -> Self {
        Self::with_limits(engine, Limits::default())
    }

    /// An API with these limits.
    pub fn with_limits(engine: Engine, limits: Limits) -> Self {
        Api {
            engine,
            limits,
            observer: None,
            workspace: None,
            history: None,
        }
    }

    /// The same API, letting callers with [`HISTORY`] read this history.
    pub fn with_history(mut self, history: wsdeck_history::History) -> Self {
        self.history = Some(history);
        self
    }

    /// The same API, serving this workspace's files to callers with [`WORKSPACE`].
    pub fn with_workspace(mut self, workspace: wsdeck_workspace::Workspace) -> Self {
        self.workspace = Some(Arc::new(workspace));
        self
    }

    /// The same API, telling `observer` about every session it opens.
    pub fn with_observer(mut self, observer: Arc<dyn SessionObserver>) -> Self {
        self.observer = Some(observer);
        self
    }

    /// Starts serving one client. The receiver yields every outgoing JSON text, one per
    /// item; it ends after the connection is dropped and its sockets have closed.
    pub fn attach(&self, caller: Caller) -> (Connection, mpsc::Receiver<String>) {
        let (tx, rx) = mpsc::channel(self.limits.outgoing_queue.max(1));
        observer::forward_history_problems(&self.observer, &tx);
        let dialect = dialect::State::new(
            self.engine.clone(),
            self.limits,
            caller.clone(),
            tx.clone(),
            self.observer.clone(),
        );
        let state = snap::State::new(
            self.engine.clone(),
            self.limits,
            caller,
            tx,
            self.observer.clone(),
        );
        (
            Connection {
                state: Arc::new(Inner {
                    in_flight: Arc::new(tokio::sync::Semaphore::new(self.limits.max_in_flight)),
                    snap: Arc::new(state),
                    dialect: Arc::new(dialect),
                    workspace: self
                        .workspace
                        .clone()
                        .map(|w| Arc::new(workspace::State::new(w))),
                    history: self.history.clone(),
                    history_unavailable: observer::unavailable_history(&self.observer),
                }),
            },
            rx,
        )
    }
}

/// One attached client. Dropping it closes all of its sockets (see the crate docs).
#[derive(Debug)]
pub struct Connection {
    state: Arc<Inner>,
}

/// Both dialects' tables of one connection.
#[derive(Debug)]
struct Inner {
    /// One permit per running request text (see [`Limits::max_in_flight`]).
    in_flight: Arc<tokio::sync::Semaphore>,
    snap: Arc<snap::State>,
    dialect: Arc<dialect::State>,
    workspace: Option<Arc<workspace::State>>,
    history: Option<wsdeck_history::History>,
    /// Why there is no history, when it could not be opened (said instead of "no history").
    history_unavailable: Option<String>,
}

impl Inner {
    fn emit_now(&self, v: Value) {
        self.snap.emit_now(v);
    }

    async fn emit(&self, text: String) {
        self.snap.emit(text).await;
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.state.snap.close_all_in_background();
        self.state.dialect.close_all_in_background();
    }
}

/// One parsed request of a text.
enum Item {
    /// Answer with this at once (framing errors).
    Done(Value),
    /// Run this call; `id` is `None` for a notification.
    Call {
        id: Option<Value>,
        method: String,
        params: Option<Value>,
    },
}

impl Connection {
    /// Handles one incoming text (a request, a notification or a batch): calls run as
    /// tasks, so a `snap_openWebSocket` waiting for its handshake blocks nothing else, and
    /// this returns once the text is started. It waits only while
    /// [`Limits::max_in_flight`] texts are still running — the backpressure every transport
    /// gets; a transport must keep draining the receiver from [`Api::attach`] (where the
    /// responses go) meanwhile. Must be called within a tokio runtime.
    pub async fn handle(&self, text: &str) {
        let state = self.state.clone();
        if text.len() > state.snap.limits.max_request_bytes {
            let err = ApiError::RequestTooLarge(state.snap.limits.max_request_bytes);
            state.emit_now(error_response(Value::Null, &err));
            return;
        }
        // Lone surrogates (`"\ud800"`) read as U+FFFD, as a browser host reads them.
        let value: Value = match serde_json::from_str(text).or_else(|e| {
            params::replace_lone_surrogates(text)
                .ok_or(e)
                .and_then(|t| serde_json::from_str(&t))
        }) {
            Ok(v) => v,
            Err(_) => {
                state.emit_now(error_response(Value::Null, &ApiError::Parse));
                return;
            }
        };
        match value {
            Value::Array(items) => {
                if items.is_empty() {
                    state.emit_now(error_response(Value::Null, &ApiError::InvalidRequest));
                    return;
                }
                let max = state.snap.limits.max_batch;
                if items.len() > max {
                    state.emit_now(error_response(Value::Null, &ApiError::BatchTooLarge(max)));
                    return;
                }
                let parsed: Vec<Item> = items.into_iter().map(parse_item).collect();
                let permit = state.in_flight.clone().acquire_owned().await;
                tokio::spawn(async move {
                    let mut tasks = Vec::new();
                    for item in parsed {
                        let state = state.clone();
                        tasks.push(tokio::spawn(async move { run(&state, item).await }));
                    }
                    let mut out = Vec::new();
                    let mut releases = Vec::new();
                    for task in tasks {
                        if let Ok((answer, release)) = task.await {
                            out.extend(answer);
                            releases.extend(release);
                        }
                    }
                    if !out.is_empty() {
                        state.emit(Value::Array(out).to_string()).await;
                    }
                    drop(releases);
                    drop(permit);
                });
            }
            other => {
                let item = parse_item(other);
                let permit = state.in_flight.clone().acquire_owned().await;
                tokio::spawn(async move {
                    let (answer, release) = run(&state, item).await;
                    if let Some(answer) = answer {
                        state.emit(answer.to_string()).await;
                    }
                    // Only now may that socket's `open` event follow.
                    drop(release);
                    drop(permit);
                });
            }
        }
    }

    /// Waits (at most `wait`) until every text given to [`handle`](Self::handle) has been
    /// answered: a transport whose input ended (stdin closed after the last request) still
    /// owes the caller those answers before it closes the sockets. Returns whether all were.
    pub async fn finish_in_flight(&self, wait: std::time::Duration) -> bool {
        let all = u32::try_from(self.state.snap.limits.max_in_flight).unwrap_or(u32::MAX);
        matches!(
            tokio::time::timeout(wait, self.state.in_flight.acquire_many(all)).await,
            Ok(Ok(_))
        )
    }

    /// Closes all of this caller's sockets and waits (at most `wait`) until their `close`
    /// events were emitted.
    pub async fn close_all(&self, wait: std::time::Duration) {
        self.state.dialect.close_all(wait).await;
        self.state.snap.close_all(wait).await;
    }
}

/// A method served off the async threads (file or SQLite work): the permission first, then
/// the service if this API has one, else a worded error saying how to get one.
async fn blocking_call<S: Send + Sync + 'static>(
    granted: bool,
    service: Option<S>,
    missing: &str,
    run: fn(&S, &str, Option<Value>) -> Result<Value, ApiError>,
    method: &str,
    params: Option<Value>,
) -> Result<Value, ApiError> {
    if !granted {
        return Err(ApiError::Unauthorized);
    }
    let Some(service) = service else {
        return Err(ApiError::File {
            message: missing.to_owned(),
            path: None,
        });
    };
    let name = method.to_owned();
    tokio::task::spawn_blocking(move || run(&service, &name, params))
        .await
        .unwrap_or_else(|e| {
            Err(ApiError::File {
                message: format!("{method} failed: {e}"),
                path: None,
            })
        })
}

/// Routes a method by the one list [`METHODS`]: names not in it answer -32601.
async fn dispatch(
    state: &Inner,
    method: &str,
    params: Option<Value>,
) -> (Result<Value, ApiError>, Option<snap::Release>) {
    if !METHODS.contains(&method) {
        return (Err(ApiError::MethodNotFound), None);
    }
    if method == "rpc.discover" {
        return (Ok(openrpc()), None);
    }
    if method.starts_with("snap_") {
        return state.snap.call(method, params).await;
    }
    if discover::is_workspace_method(method) {
        let answer = blocking_call(
            state.snap.caller_has(WORKSPACE),
            state.workspace.clone(),
            "this wsdeck serves no workspace (wsdeck ui does; for wsdeck serve pass --workspace DIR)",
            |ws: &Arc<workspace::State>, m, p| ws.call(m, p),
            method,
            params,
        );
        return (answer.await, None);
    }
    if method.starts_with("wsdeck.history.") {
        let answer = blocking_call(
            state.snap.caller_has(HISTORY),
            state.history.clone(),
            state.history_unavailable.as_deref().unwrap_or(
                "this wsdeck keeps no history (wsdeck ui does unless --no-history; wsdeck serve with --history FILE)",
            ),
            history::call,
            method,
            params,
        );
        return (answer.await, None);
    }
    state.dialect.call(method, params).await
}

/// Runs one item; the second value, when dropped, lets an opened socket's events flow.
async fn run(state: &Inner, item: Item) -> (Option<Value>, Option<snap::Release>) {
    match item {
        Item::Done(v) => (Some(v), None),
        Item::Call { id, method, params } => {
            let (result, release) = dispatch(state, &method, params).await;
            let answer = id.map(|id| match result {
                Ok(v) => json!({"jsonrpc": "2.0", "id": id, "result": v}),
                Err(e) => error_response(id, &e),
            });
            (answer, release)
        }
    }
}

fn error_response(id: Value, err: &ApiError) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "error": err.to_json()})
}

/// JSON-RPC 2.0 request checks: `jsonrpc` exactly "2.0", `id` a string, number or null (absent:
/// a notification), `method` a string.
fn parse_item(v: Value) -> Item {
    let Value::Object(mut map) = v else {
        return Item::Done(error_response(Value::Null, &ApiError::InvalidRequest));
    };
    let id = map.remove("id");
    let id_ok = matches!(
        id,
        None | Some(Value::String(_) | Value::Number(_) | Value::Null)
    );
    if !id_ok {
        return Item::Done(error_response(Value::Null, &ApiError::InvalidRequest));
    }
    let reply_id = id.clone().unwrap_or(Value::Null);
    if map.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return Item::Done(error_response(reply_id, &ApiError::InvalidRequest));
    }
    let Some(Value::String(method)) = map.remove("method") else {
        return Item::Done(error_response(reply_id, &ApiError::InvalidRequest));
    };
    Item::Call {
        id,
        method,
        params: map.remove("params"),
    }
}
