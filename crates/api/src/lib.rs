//! wsdeck's JSON-RPC API, transport-agnostic: the MetaMask-Snaps-compatible `snap_*`
//! WebSocket dialect and wsdeck's own `wsdeck.*` dialect (full request specs, event paging,
//! coalesced subscriptions, format helpers; see [`dialect`]) over JSON-RPC 2.0 texts, plus
//! `rpc.discover` (an OpenRPC document of every method of the method table, `methods.rs`).
//!
//! A transport (stdio, or the WebSocket gateway) calls [`Api::attach`] once per client,
//! feeds each incoming text to [`Connection::handle`] and writes every string from the
//! returned [`Outgoing`] (responses and notifications) back, reading it concurrently. This crate
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
//!   Memory is bounded by bytes per caller, not only by counts: every answer (a batch's
//!   together) by [`Limits::max_response_bytes`], what waits to be written by
//!   [`Limits::max_queued_bytes`] (see [`Outgoing`]: the transport stops reading a caller
//!   that does not read, notifications wait, answers that find no room are refused),
//!   batches, subscriptions and kept sessions by their own limits.
//! - **Ids** are kept as the JSON text the client sent ([`serde_json::value::RawValue`]),
//!   so every answer carries the id exactly as sent (`18446744073709551616`, `1.50`).
//! - **Requests the engine refuses up front** (where upstream's `new WebSocket()` throws a
//!   DOMException with an undefined wire shape) answer -32602 with the engine's message.
//! - **Assertion errors** carry `data.cause {message, code: "ERR_ASSERTION"}` without a
//!   JavaScript `stack`.
//! - **Order:** the `snap_openWebSocket` response is written before that socket's `open`
//!   event (upstream's order is not defined), so a client always knows the id first.
//! - **Send after close started** returns `null` and drops the data, like WHATWG `send()`.

mod bounded;
pub mod dialect;
mod discover;
mod error;
mod helpers;
mod history;
mod methods;
mod observer;
mod outbox;
mod params;
mod parse;
mod recorded;
pub mod request_vars;
mod search;
mod secrets;
pub use secrets::secret_shapes;
mod snap;
mod subscription;
/// The wire contract (the `wsdeck-wire` crate): every type this API puts on the wire.
pub use wsdeck_wire as wire;
mod workspace;

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use serde_json::Value;
use serde_json::value::RawValue;
use wsdeck_engine::Engine;

use methods::Route;
use outbox::{Outbox, TrySendError};

pub use discover::{openrpc, typescript};
pub use error::ApiError;
pub use history::{HISTORY, export_jsonl};
pub use methods::method_names;
pub use observer::{
    HistoryProblem, HistoryProblemKind, HistoryProblems, OpenedSession, SessionObserver,
    history_error_notification,
};
pub use outbox::Outgoing;
pub use params::to_uint8;
pub use snap::NETWORK_ACCESS;
pub use workspace::WORKSPACE;

/// Every permission a caller can be granted. A transport refuses others by name, so a typo
/// (`endowment:network_access`) is caught at start rather than met as 4100 on every call.
pub const PERMISSIONS: &[&str] = &[NETWORK_ACCESS, dialect::READ_FILES, WORKSPACE, HISTORY];

/// Limits that upstream does not have, so one client cannot exhaust the process.
///
/// Every input a client controls is bounded by bytes, not only by counts: a few small
/// requests (a batch of `rpc.discover`, a page of big messages, a hexdump of width 1) must
/// not be able to make the process allocate gigabytes. Going beyond a limit answers -32005
/// "Request limit exceeded." with `data: {limit, max, hint}` (see `docs/api.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Sockets one caller may hold at once (connecting and closing ones count). Default 256.
    pub max_sockets: usize,
    /// `wsdeck.*` sessions one caller may keep listed, open or closed (closed ones keep their
    /// log until `wsdeck.forget`). Default 1,024.
    pub max_sessions: usize,
    /// Largest request text, in bytes. Default 1 MiB.
    pub max_request_bytes: usize,
    /// Largest answer text, in bytes: one response, or a whole batch's array of responses.
    /// Every helper's output (formatted text, hexdumps, event pages, lists) is bounded by
    /// it before it is built. Default 16 MiB.
    pub max_response_bytes: usize,
    /// Bytes of answers and notifications waiting to be written to one caller. When they
    /// fill it, event readers pause, answers that do not fit are refused, and no request is
    /// read until the caller reads. Default 64 MiB (raised to `max_response_bytes` plus half
    /// this budget when that is more, so the largest answer always fits).
    pub max_queued_bytes: usize,
    /// Largest `wsdeck.events` notification (one that would be larger carries fewer events;
    /// the rest follow in the next). Default 1 MiB.
    pub max_notification_bytes: usize,
    /// Requests (texts) one caller may have running at once; [`Connection::handle`] waits
    /// for one to finish beyond that, so a client that floods requests without reading the
    /// answers is slowed down by its transport instead of growing the process. Default 64.
    pub max_in_flight: usize,
    /// Requests one JSON-RPC batch may hold (each runs as its own task). Default 1,000.
    pub max_batch: usize,
    /// Largest batch text, in bytes (a transport may accept larger single requests, e.g.
    /// `wsdeck ui` for sending big messages; batches are for many small calls). Default 1 MiB.
    pub max_batch_bytes: usize,
    /// JSON values (numbers, strings, arrays, objects, …) one request's `params` may hold:
    /// each costs tens of bytes once parsed, so a request of a million tiny numbers would
    /// take far more memory than its text. Default 262,144 (a `snap_sendWebSocketMessage`
    /// number array of 256 KiB; bigger binary data goes as base64 in `wsdeck.send`).
    pub max_param_values: usize,
    /// Bytes the session logs of one caller's `wsdeck.*` sessions may hold together (each
    /// also keeps its own retention, 256 MiB by default). Beyond it, the session that
    /// receives or sends lets its own oldest events go (readers are told how many they
    /// missed); `wsdeck.forget` gives a session's share back. Default 1 GiB.
    pub max_log_bytes: usize,
    /// `wsdeck.subscribe` subscriptions one caller may hold at once. Default 64.
    pub max_subscriptions: usize,
    /// Subscriptions to one session, at most. Default 8.
    pub max_subscriptions_per_session: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_sockets: 256,
            max_sessions: 1024,
            max_request_bytes: 1 << 20,
            max_response_bytes: 16 << 20,
            max_queued_bytes: 64 << 20,
            max_notification_bytes: 1 << 20,
            max_in_flight: 64,
            max_batch: 1000,
            max_batch_bytes: 1 << 20,
            max_param_values: 1 << 18,
            max_log_bytes: 1 << 30,
            max_subscriptions: 64,
            max_subscriptions_per_session: 8,
        }
    }
}

impl Limits {
    /// The outgoing budget actually used: room for the largest answer plus half the
    /// configured budget, so one answer of the maximum size always fits once the caller
    /// has read what came before, while notifications keep flowing.
    pub(crate) fn queue_budget(&self) -> usize {
        self.max_queued_bytes.max(
            self.max_response_bytes
                .saturating_add(self.max_queued_bytes / 2),
        )
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
    /// item; it ends after the connection is dropped and its sockets have closed. What the
    /// transport has not taken yet is bounded by [`Limits::max_queued_bytes`].
    pub fn attach(&self, caller: Caller) -> (Connection, Outgoing) {
        let (outbox, rx) = Outbox::new(self.limits.queue_budget());
        let history_problems = observer::forward_history_problems(&self.observer, &outbox);
        let dialect = dialect::State::new(
            self.engine.clone(),
            self.limits,
            caller.clone(),
            outbox.clone(),
            self.observer.clone(),
        );
        let state = snap::State::new(
            self.engine.clone(),
            self.limits,
            caller,
            outbox.clone(),
            self.observer.clone(),
        );
        (
            Connection {
                state: Arc::new(Inner {
                    limits: self.limits,
                    outbox,
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
                _history_problems: history_problems,
            },
            rx,
        )
    }
}

/// One attached client. Dropping it closes all of its sockets (see the crate docs).
#[derive(Debug)]
pub struct Connection {
    state: Arc<Inner>,
    /// Stops forwarding the history's problems to this caller when dropped (the forwarder
    /// holds a sender of the caller's output, which would otherwise never end).
    _history_problems: Option<tokio::sync::oneshot::Sender<()>>,
}

/// Both dialects' tables of one connection.
#[derive(Debug)]
struct Inner {
    limits: Limits,
    /// Where answers and notifications wait for the transport, bounded by bytes.
    outbox: Outbox,
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
    /// Queues an answer text. One that does not fit in the caller's outgoing budget now is
    /// replaced by `refusal` (the same ids answered with -32005), which waits for room:
    /// holding a large answer while waiting would keep it outside the budget.
    async fn answer(&self, text: String, refusal: impl FnOnce() -> String) {
        match self.outbox.try_send(text) {
            Ok(()) | Err((TrySendError::Gone, _)) => {}
            Err((TrySendError::Full, text)) => {
                drop(text);
                let _ = self.outbox.send_answer(refusal()).await;
            }
        }
    }

    /// Queues a short error answer, waiting for room.
    async fn answer_error(&self, id: &RawValue, err: &ApiError) {
        let _ = self.outbox.send_answer(error_response(id, err)).await;
    }

    /// The refusal of an answer that found no room: the bytes still waiting to be written.
    fn queue_full(&self) -> ApiError {
        ApiError::QueueFull(self.outbox.capacity())
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
    /// Answer with this error at once (framing errors), with this id.
    Invalid(Box<RawValue>, ApiError),
    /// Run this call; `id` is `None` for a notification. The id is kept as the exact JSON
    /// text the client sent, so `18446744073709551616` or `1.50` come back unchanged.
    Call {
        id: Option<Box<RawValue>>,
        method: String,
        params: Option<Value>,
    },
}

impl Item {
    /// The id an answer to this item carries (`null` when there is none).
    fn reply_id(&self) -> &RawValue {
        match self {
            Item::Invalid(id, _) => id,
            Item::Call { id, .. } => id.as_deref().unwrap_or_else(|| null_id()),
        }
    }
}

/// A whole text: one request or a batch of them, borrowed from the text (a request of
/// 100 MB is not copied to be looked at).
enum Text<'a> {
    One(&'a RawValue),
    Batch(Vec<&'a RawValue>),
}

/// Reads a text as JSON without interpreting numbers, so ids keep their exact spelling.
fn parse_text(text: &str) -> Option<Text<'_>> {
    let first = text.trim_start_matches([' ', '\t', '\n', '\r']).as_bytes();
    if first.first() == Some(&b'[') {
        serde_json::from_str(text).ok().map(Text::Batch)
    } else {
        serde_json::from_str(text).ok().map(Text::One)
    }
}

impl Connection {
    /// Handles one incoming text (a request, a notification or a batch): calls run as
    /// tasks, so a `snap_openWebSocket` waiting for its handshake blocks nothing else, and
    /// this returns once the text is started. It waits while [`Limits::max_in_flight`]
    /// texts are still running, and while the caller's unread answers and notifications
    /// leave less room than one large answer needs ([`Limits::max_queued_bytes`]) — the
    /// backpressure every transport gets: it reads no more from a caller that does not
    /// read. A transport must keep draining the receiver from [`Api::attach`] meanwhile.
    /// Must be called within a tokio runtime.
    pub async fn handle(&self, text: &str) {
        let state = self.state.clone();
        let limits = state.limits;
        // Stop reading this caller while its unread texts fill the budget.
        let room = limits.max_response_bytes.min(state.outbox.capacity() / 2);
        if state.outbox.wait_for_room(room).await.is_err() {
            return;
        }
        if text.len() > limits.max_request_bytes {
            let err = ApiError::RequestTooLarge(limits.max_request_bytes);
            state.answer_error(null_id(), &err).await;
            return;
        }
        let Some(parsed) = parse_text(text) else {
            state.answer_error(null_id(), &ApiError::Parse).await;
            return;
        };
        match parsed {
            Text::Batch(items) => {
                if items.is_empty() {
                    state
                        .answer_error(null_id(), &ApiError::InvalidRequest)
                        .await;
                    return;
                }
                if items.len() > limits.max_batch {
                    let err = ApiError::BatchTooLarge(limits.max_batch);
                    state.answer_error(null_id(), &err).await;
                    return;
                }
                if text.len() > limits.max_batch_bytes {
                    let err = ApiError::BatchBytesTooLarge(limits.max_batch_bytes);
                    state.answer_error(null_id(), &err).await;
                    return;
                }
                let parsed: Vec<Item> = items
                    .iter()
                    .map(|raw| parse_item(raw, limits.max_param_values))
                    .collect();
                drop(items);
                let needed = error_room(&parsed);
                if needed > limits.max_response_bytes {
                    // Even one short error per call would not fit in an answer.
                    let err = ApiError::ResponseTooLarge {
                        max: limits.max_response_bytes,
                        hint: format!(
                            "the answers to a batch of {} requests need at least {needed} bytes, more than the {} an answer may hold; split the batch",
                            parsed.len(),
                            limits.max_response_bytes
                        ),
                    };
                    state.answer_error(null_id(), &err).await;
                    return;
                }
                let permit = state.in_flight.clone().acquire_owned().await;
                tokio::spawn(run_batch(state, parsed, permit));
            }
            Text::One(raw) => {
                let item = parse_item(raw, limits.max_param_values);
                let permit = state.in_flight.clone().acquire_owned().await;
                tokio::spawn(async move {
                    let reply_id = item.reply_id().to_owned();
                    let (answer, release) = run(&state, item).await;
                    if let Some(answer) = answer {
                        let answer = bounded(answer, &reply_id, state.limits.max_response_bytes);
                        let refusal = || error_response(&reply_id, &state.queue_full());
                        state.answer(answer, refusal).await;
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
        let all = u32::try_from(self.state.limits.max_in_flight).unwrap_or(u32::MAX);
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

/// An answer longer than `max` bytes becomes the error saying so (same id).
fn bounded(answer: String, id: &RawValue, max: usize) -> String {
    if answer.len() <= max {
        return answer;
    }
    error_response(id, &ApiError::response_too_large(max))
}

tokio::task_local! {
    /// In a batch's calls: the bytes its answer holds so far (see [`answer_room`]).
    static BATCH_USED: Arc<std::sync::atomic::AtomicUsize>;
}

/// Bytes of answer JSON RPC envelope around a result, beyond the id.
const ENVELOPE: usize = 64;

/// How many bytes the result of the running call may take: [`Limits::max_response_bytes`],
/// less what the other answers of its batch already hold. Methods whose result grows with
/// their input or with message sizes build within this, so a batch's later calls stop early
/// (a shorter page) or refuse before they build anything rather than after.
pub(crate) fn answer_room(max: usize) -> usize {
    let used = BATCH_USED
        .try_with(|used| used.load(std::sync::atomic::Ordering::SeqCst))
        .unwrap_or(0);
    max.saturating_sub(used).saturating_sub(ENVELOPE)
}

/// Room kept in a batch's answer for each call's error (beyond its id): every refusal
/// of the API is shorter.
const ERROR_ROOM: usize = 1024;

/// The room a batch's answer keeps for errors: one per call, so the errors of calls whose
/// answers found no room always fit in the limits.
fn error_room(items: &[Item]) -> usize {
    items
        .iter()
        .map(|i| i.reply_id().get().len() + ERROR_ROOM + 1)
        .sum::<usize>()
        + 2
}

/// Runs a batch: every call as its own task. Each answer, once built, must find room both
/// in the batch's answer ([`Limits::max_response_bytes`] for all of them together, with
/// room kept for one error per call) and in the caller's outgoing budget, which it reserves
/// at once — so what all running batches hold is bounded by the budget, not by their
/// number. A call that finds no room answers -32005 instead, with its own id.
async fn run_batch(
    state: Arc<Inner>,
    items: Vec<Item>,
    permit: Result<tokio::sync::OwnedSemaphorePermit, tokio::sync::AcquireError>,
) {
    // Room for the errors first (waiting for it holds nothing else, so it cannot wait on
    // another batch).
    let kept = error_room(&items);
    let Ok(mut room) = state.outbox.reserve(kept).await else {
        return;
    };
    // Bytes of this batch's answer so far, counting the room kept for errors.
    let used = Arc::new(std::sync::atomic::AtomicUsize::new(kept));
    let mut tasks = Vec::new();
    for item in items {
        let state = state.clone();
        let used = used.clone();
        tasks.push(tokio::spawn(BATCH_USED.scope(used.clone(), async move {
            let reply_id = item.reply_id().to_owned();
            let (answer, release) = run(&state, item).await;
            let answer = answer.map(|answer| claim(&state, &used, answer, &reply_id));
            (answer, release)
        })));
    }
    let mut out = String::from("[");
    let mut releases = Vec::new();
    for task in tasks {
        if let Ok((answer, release)) = task.await {
            if let Some((answer, reserved)) = answer {
                if out.len() > 1 {
                    out.push(',');
                }
                out.push_str(&answer);
                if let Some(more) = reserved {
                    room.merge(more);
                }
            }
            releases.extend(release);
        }
    }
    out.push(']');
    if out.len() > 2 {
        let _ = state.outbox.queue_reserved(out, room);
    }
    drop(releases);
    drop(permit);
}

/// Claims room for one answer of a batch — in the batch's answer and in the caller's
/// outgoing budget — or gives the -32005 answer saying which has none (which fits in the
/// room the batch kept for it).
fn claim(
    state: &Inner,
    used: &std::sync::atomic::AtomicUsize,
    answer: String,
    id: &RawValue,
) -> (String, Option<outbox::Reservation>) {
    use std::sync::atomic::Ordering;
    let max = state.limits.max_response_bytes;
    let fits_batch = used
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |now| {
            let after = now.checked_add(answer.len() + 1)?;
            (after <= max).then_some(after)
        })
        .is_ok();
    let refusal = if !fits_batch {
        ApiError::response_too_large(max)
    } else {
        match state.outbox.try_reserve(answer.len()) {
            Ok(room) => return (answer, Some(room)),
            Err(_) => {
                used.fetch_sub(answer.len() + 1, Ordering::SeqCst);
                state.queue_full()
            }
        }
    };
    (error_response(id, &refusal), None)
}

/// A method served off the async threads (file or SQLite work): the service if this API has
/// one, else a worded error saying how to get one.
async fn blocking_call<S: Send + Sync + 'static, M: Send + 'static>(
    service: Option<S>,
    missing: &str,
    run: fn(&S, M, Option<Value>) -> Result<Reply, ApiError>,
    name: &'static str,
    method: M,
    params: Option<Value>,
) -> Result<Reply, ApiError> {
    let Some(service) = service else {
        return Err(ApiError::File {
            message: missing.to_owned(),
            path: None,
        });
    };
    tokio::task::spawn_blocking(move || run(&service, method, params))
        .await
        .unwrap_or_else(|e| {
            Err(ApiError::File {
                message: format!("{name} failed: {e}"),
                path: None,
            })
        })
}

/// A method's result: a JSON value, or JSON text already written (large results are
/// written straight to text, so they never exist as a tree of values).
#[derive(Debug)]
pub(crate) enum Reply {
    /// A value, serialized when the response is written.
    Json(Value),
    /// Valid JSON text.
    Text(String),
}

impl From<Value> for Reply {
    fn from(v: Value) -> Self {
        Reply::Json(v)
    }
}

/// Routes a method by the method table: names not in it answer -32601 (and `snap_*` to a
/// caller that is not a snap, as upstream), a caller without the method's permission 4100 —
/// before any params are read — and the rest go to their family's handler.
async fn dispatch(
    state: &Inner,
    method: &str,
    params: Option<Value>,
) -> (Result<Reply, ApiError>, Option<snap::Release>) {
    let Some(entry) = methods::find(method) else {
        return (Err(ApiError::MethodNotFound), None);
    };
    if matches!(entry.route, Route::Snap(_)) && !state.snap.caller_is_snap() {
        return (Err(ApiError::MethodNotFound), None);
    }
    if let Some(permission) = entry.permission
        && !state.snap.caller_has(permission)
    {
        return (Err(ApiError::Unauthorized), None);
    }
    match entry.route {
        Route::Discover => (Ok(Reply::Text(discover::openrpc_text().to_owned())), None),
        Route::Snap(m) => {
            let (result, release) = state.snap.call(m, params).await;
            (result.map(Reply::Json), release)
        }
        Route::Sessions(m) => state.dialect.call(m, params).await,
        Route::Helpers(m) => {
            let max = bounded::Room::of(state.limits.max_response_bytes);
            (helpers::call(m, params, max), None)
        }
        Route::Workspace(m) => {
            let answer = blocking_call(
                state.workspace.clone(),
                "this wsdeck serves no workspace (wsdeck ui does; for wsdeck serve pass --workspace DIR)",
                |ws: &Arc<workspace::State>, m, p| ws.call(m, p),
                entry.name,
                m,
                params,
            );
            (answer.await, None)
        }
        Route::History(m) => {
            let answer = blocking_call(
                state.history.clone(),
                state.history_unavailable.as_deref().unwrap_or(
                    "this wsdeck keeps no history (wsdeck ui does unless --no-history; wsdeck serve with --history FILE)",
                ),
                history::call,
                entry.name,
                m,
                params,
            );
            (answer.await, None)
        }
    }
}

/// Runs one item; returns its response text (none for a notification) and a value that,
/// when dropped, lets an opened socket's events flow.
async fn run(state: &Inner, item: Item) -> (Option<String>, Option<snap::Release>) {
    match item {
        Item::Invalid(id, err) => (Some(error_response(&id, &err)), None),
        Item::Call { id, method, params } => {
            let (result, release) = dispatch(state, &method, params).await;
            let answer = id.map(|id| match result {
                Ok(reply) => result_response(&id, reply),
                Err(e) => error_response(&id, &e),
            });
            (answer, release)
        }
    }
}

/// Whether the JSON text `json` holds at least `n` values (counted from its commas and
/// brackets outside strings, which is never fewer than there are) — a scan of the text
/// that allocates nothing.
fn json_values_at_least(json: &str, n: usize) -> bool {
    let mut count = 1;
    let mut in_string = false;
    let mut escaped = false;
    for &b in json.as_bytes() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b',' | b'[' | b'{' => {
                count += 1;
                if count >= n {
                    return true;
                }
            }
            _ => {}
        }
    }
    count >= n
}

/// `null`, as an id.
fn null_id() -> &'static RawValue {
    static NULL: std::sync::OnceLock<Box<RawValue>> = std::sync::OnceLock::new();
    NULL.get_or_init(|| RawValue::from_string("null".to_owned()).expect("null is JSON"))
}

fn result_response(id: &RawValue, reply: Reply) -> String {
    let result = match reply {
        Reply::Json(v) => v.to_string(),
        Reply::Text(t) => t,
    };
    format!(r#"{{"jsonrpc":"2.0","id":{},"result":{result}}}"#, id.get())
}

fn error_response(id: &RawValue, err: &ApiError) -> String {
    format!(
        r#"{{"jsonrpc":"2.0","id":{},"error":{}}}"#,
        id.get(),
        err.to_json()
    )
}

/// JSON-RPC 2.0 request checks: `jsonrpc` exactly "2.0", `id` a string, number or null (absent:
/// a notification), `method` a string. When a member appears twice, the last one counts.
/// `params` holding more than `max_values` JSON values is refused before it is parsed.
/// Params as a value. Lone surrogates (`"\ud800"`, which JavaScript's `JSON.parse` accepts)
/// are read as U+FFFD, as a browser host's USVStrings hold them.
fn read_params(raw: &str) -> serde_json::Result<Value> {
    serde_json::from_str(raw).or_else(|e| {
        params::replace_lone_surrogates(raw)
            .ok_or(e)
            .and_then(|repaired| serde_json::from_str(&repaired))
    })
}

fn parse_item(raw: &RawValue, max_values: usize) -> Item {
    let invalid = |id: Box<RawValue>| Item::Invalid(id, ApiError::InvalidRequest);
    let Ok(mut map) = serde_json::from_str::<HashMap<String, &RawValue>>(raw.get()) else {
        return invalid(null_id().to_owned());
    };
    let id = map.remove("id").map(ToOwned::to_owned);
    let id_ok = id.as_deref().is_none_or(|id| {
        matches!(
            id.get().as_bytes().first(),
            Some(b'"' | b'-' | b'0'..=b'9' | b'n')
        )
    });
    if !id_ok {
        return invalid(null_id().to_owned());
    }
    let reply_id = || id.clone().unwrap_or_else(|| null_id().to_owned());
    let version = map
        .get("jsonrpc")
        .and_then(|v| serde_json::from_str::<String>(v.get()).ok());
    if version.as_deref() != Some("2.0") {
        return invalid(reply_id());
    }
    let Some(method) = map
        .get("method")
        .and_then(|v| serde_json::from_str::<String>(v.get()).ok())
    else {
        return invalid(reply_id());
    };
    let params = match map.remove("params") {
        None => None,
        Some(raw) if json_values_at_least(raw.get(), max_values + 1) => {
            return Item::Invalid(reply_id(), ApiError::TooManyParamValues(max_values));
        }
        Some(raw) => match read_params(raw.get()) {
            Ok(v) => Some(v),
            // Valid JSON that serde_json cannot hold (a number beyond f64, e.g. 1e400).
            Err(_) => {
                let reason = "params hold a number too large to read";
                return Item::Invalid(reply_id(), ApiError::InvalidParams(reason.into()));
            }
        },
    };
    Item::Call { id, method, params }
}
