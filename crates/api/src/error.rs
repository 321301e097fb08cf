//! The one error type of the API, with its JSON-RPC code, message and data.
//!
//! The messages are the exact upstream texts (MetaMask `rpc-errors` defaults and the Snaps
//! service's assertion messages), because snaps match on them.

use serde_json::{Value, json};
use wsdeck_engine::{EngineError, ErrorClass};

use crate::wire::error::{Cause, CauseCode, ErrorData};

/// Everything a JSON-RPC call can fail with.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiError {
    /// The text was not JSON (-32700).
    #[error(
        "Invalid JSON was received by the server. An error occurred on the server while parsing the JSON text."
    )]
    Parse,
    /// The JSON was not a valid request object (-32600).
    #[error("The JSON sent is not a valid Request object.")]
    InvalidRequest,
    /// Unknown method, or a `snap_` method from a caller that is not a snap (-32601).
    #[error("The method does not exist / is not available.")]
    MethodNotFound,
    /// Params failed validation; the detail is the superstruct wording (-32602).
    #[error("Invalid params: {0}.")]
    InvalidParams(String),
    /// The engine refused the request before connecting (-32602): upstream's host
    /// `new WebSocket()` throws a SyntaxError here, whose wire shape is undefined.
    #[error("{0}")]
    Rejected(EngineError),
    /// `snap_openWebSocket` params that passed validation but that the host's
    /// `new WebSocket(url, protocols)` throws a DOMException on (a `#fragment`, an empty,
    /// non-token or repeated subprotocol), -32602. The message is `<name>: <the browser's
    /// text>`; `data.cause` is the exception (`name`, legacy `code`, `message`) and
    /// `data.hint` says what to change. (Upstream forwards the DOMException object itself,
    /// whose wire shape is undefined.)
    #[error("{name}: {message}")]
    HostConstructor {
        /// The DOMException name, e.g. `SyntaxError`.
        name: &'static str,
        /// Chromium's wording of the exception.
        message: String,
        /// What to change in the request.
        hint: &'static str,
    },
    /// The caller lacks `endowment:network-access` (4100).
    #[error("The requested account and/or method has not been authorized by the user.")]
    Unauthorized,
    /// Same caller, same URL string and same protocols (-32603, an assertion upstream).
    #[error("An open WebSocket connection to {0} already exists.")]
    Duplicate(String),
    /// Unknown id, or another caller's id (-32603, an assertion upstream).
    #[error("Socket with ID \"{0}\" not found.")]
    NotFound(String),
    /// The handshake failed or the socket closed before it opened (-32002).
    #[error("An error occurred while opening the WebSocket.")]
    OpenFailed,
    /// A workspace file changed on disk since the caller loaded it (-32009).
    #[error("Changed on disk.")]
    ChangedOnDisk {
        /// The file.
        path: String,
        /// What happened and what to do, in words.
        reason: String,
    },
    /// Reading or writing a workspace file failed (-32603); the message says which file,
    /// what happened and what to do.
    #[error("{message}")]
    File {
        /// The worded error.
        message: String,
        /// The file or folder, when there is one.
        path: Option<String>,
    },
    /// The caller already holds the maximum number of sockets (-32005; upstream has no limit).
    #[error("Request limit exceeded.")]
    TooManySockets(usize),
    /// The request text is larger than the limit (-32005; upstream has no limit).
    #[error("Request limit exceeded.")]
    RequestTooLarge(usize),
    /// A batch holds more requests than the limit (-32005; each one would run as a task).
    #[error("Request limit exceeded.")]
    BatchTooLarge(usize),
    /// A batch text is larger than the limit (-32005).
    #[error(
        "Request limit exceeded: a batch may be at most {0} bytes; send fewer requests per batch."
    )]
    BatchBytesTooLarge(usize),
    /// An answer (or a batch's answers together) would be larger than the limit (-32005).
    #[error("Request limit exceeded: {hint}.")]
    ResponseTooLarge {
        /// The limit in bytes.
        max: usize,
        /// What would have been too large and how to ask for less, in words.
        hint: String,
    },
    /// The caller's unread answers and notifications fill its outgoing budget (-32005).
    #[error(
        "Request limit exceeded: answers and notifications waiting to be written to this client exceed {0} bytes; read them before sending more requests."
    )]
    QueueFull(usize),
    /// The caller (or the session) already has the maximum number of subscriptions (-32005).
    #[error("Request limit exceeded: {}", subscriptions_text(*max, *per_session))]
    TooManySubscriptions {
        /// The limit.
        max: usize,
        /// Whether it is the limit per session (else per caller).
        per_session: bool,
    },
    /// A request's `params` hold more JSON values than the limit (-32005).
    #[error(
        "Request limit exceeded: params may hold at most {0} values (numbers, strings, arrays, objects); send binary data as base64 (wsdeck.send's `binary`) or split it."
    )]
    TooManyParamValues(usize),
    /// The caller keeps the maximum number of `wsdeck.*` sessions (-32005).
    #[error(
        "Request limit exceeded: at most {0} sessions are kept per client (closed ones too); remove closed ones with wsdeck.forget."
    )]
    TooManySessions(usize),
    /// `wsdeck.*` params failed validation at `path` (-32602); `data` is `{path, reason}`.
    #[error("Invalid params: at `{path}`: {reason}.")]
    BadParam {
        /// Where in `params`, dotted (`settings.tls.verify`, `headers.0`); empty for the whole.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// `wsdeck.*`: an unknown session or subscription id, or another caller's (-32001);
    /// `data` is `{kind, id}`.
    #[error("Resource not found.")]
    NotFoundResource {
        /// `session` or `subscription`.
        kind: &'static str,
        /// The id asked for.
        id: String,
    },
    /// `wsdeck.*`: the engine failed. The message is the engine's; `data` is `{class}` (and
    /// `id` when a session exists). -32602 for the class `invalid_request`, else -32002.
    #[error("{error}")]
    Engine {
        /// What failed.
        error: EngineError,
        /// The session the failure belongs to, when one was created.
        id: Option<String>,
    },
}

/// The wording of [`ApiError::TooManySubscriptions`].
fn subscriptions_text(max: usize, per_session: bool) -> String {
    let scope = if per_session {
        "per session"
    } else {
        "per client"
    };
    format!("at most {max} subscriptions {scope} at once; end one with wsdeck.unsubscribe first.")
}

impl ApiError {
    /// An answer larger than `max` bytes, with the default advice.
    pub fn response_too_large(max: usize) -> ApiError {
        ApiError::ResponseTooLarge {
            max,
            hint: format!(
                "the answer would be larger than {max} bytes; ask for less (a smaller `limit`, `maxData` to cut message data, a smaller input) or split the batch"
            ),
        }
    }

    /// The JSON-RPC error code.
    pub fn code(&self) -> i64 {
        match self {
            ApiError::Parse => -32700,
            ApiError::InvalidRequest => -32600,
            ApiError::MethodNotFound => -32601,
            ApiError::InvalidParams(_)
            | ApiError::Rejected(_)
            | ApiError::HostConstructor { .. } => -32602,
            ApiError::Unauthorized => 4100,
            ApiError::Duplicate(_) | ApiError::NotFound(_) | ApiError::File { .. } => -32603,
            ApiError::ChangedOnDisk { .. } => -32009,
            ApiError::OpenFailed => -32002,
            ApiError::TooManySockets(_)
            | ApiError::RequestTooLarge(_)
            | ApiError::BatchTooLarge(_)
            | ApiError::BatchBytesTooLarge(_)
            | ApiError::ResponseTooLarge { .. }
            | ApiError::QueueFull(_)
            | ApiError::TooManySubscriptions { .. }
            | ApiError::TooManySessions(_)
            | ApiError::TooManyParamValues(_) => -32005,
            ApiError::BadParam { .. } => -32602,
            ApiError::NotFoundResource { .. } => -32001,
            ApiError::Engine { error, .. } => match error.class() {
                ErrorClass::InvalidRequest => -32602,
                _ => -32002,
            },
        }
    }

    /// The `data` member, if any. Assertion failures carry `cause` like upstream's
    /// serialized `AssertionError` (without the JavaScript stack); limits say which limit.
    pub fn data(&self) -> Option<Value> {
        self.error_data()
            .map(|d| serde_json::to_value(d).unwrap_or_default())
    }

    /// [`Self::data`] as its wire type.
    pub fn error_data(&self) -> Option<ErrorData> {
        let limit = |limit: &str, max: usize, hint: String| ErrorData::Limit {
            limit: limit.into(),
            max: max as u64,
            hint,
        };
        Some(match self {
            ApiError::Duplicate(_) | ApiError::NotFound(_) => ErrorData::Cause {
                cause: Cause {
                    name: None,
                    code: CauseCode::Text("ERR_ASSERTION".into()),
                    message: self.to_string(),
                },
                hint: None,
            },
            ApiError::HostConstructor {
                name,
                message,
                hint,
            } => ErrorData::Cause {
                cause: Cause {
                    name: Some((*name).into()),
                    code: CauseCode::Number(dom_exception_code(name)),
                    message: message.clone(),
                },
                hint: Some((*hint).into()),
            },
            ApiError::TooManySockets(max) => limit(
                "connections",
                *max,
                format!(
                    "at most {max} WebSockets per caller; close one with snap_closeWebSocket first"
                ),
            ),
            ApiError::RequestTooLarge(max) => limit(
                "request_bytes",
                *max,
                format!("a request may be at most {max} bytes"),
            ),
            ApiError::BatchTooLarge(max) => limit(
                "batch",
                *max,
                format!("a batch may hold at most {max} requests; split it"),
            ),
            ApiError::BatchBytesTooLarge(max) => limit(
                "batch_bytes",
                *max,
                format!("a batch may be at most {max} bytes; split it"),
            ),
            ApiError::ResponseTooLarge { max, hint } => limit("response_bytes", *max, hint.clone()),
            ApiError::QueueFull(max) => limit(
                "queued_bytes",
                *max,
                "read the answers and notifications already sent, then send this request again"
                    .into(),
            ),
            ApiError::TooManySubscriptions { max, per_session } => limit(
                if *per_session {
                    "session_subscriptions"
                } else {
                    "subscriptions"
                },
                *max,
                "end one with wsdeck.unsubscribe first".into(),
            ),
            ApiError::TooManyParamValues(max) => limit(
                "param_values",
                *max,
                "send binary data as base64 (wsdeck.send's `binary`) or in smaller parts".into(),
            ),
            ApiError::TooManySessions(max) => limit(
                "sessions",
                *max,
                "remove closed sessions with wsdeck.forget".into(),
            ),
            ApiError::BadParam { path, reason } => ErrorData::Param {
                path: path.clone(),
                reason: reason.clone(),
            },
            ApiError::ChangedOnDisk { path, reason } => ErrorData::File {
                path: path.clone(),
                hint: Some(reason.clone()),
            },
            ApiError::File {
                path: Some(path), ..
            } => ErrorData::File {
                path: path.clone(),
                hint: None,
            },
            ApiError::NotFoundResource { kind, id } => ErrorData::Resource {
                kind: (*kind).into(),
                id: id.clone(),
            },
            ApiError::Engine { error, id } => ErrorData::Engine {
                class: error.class().name().into(),
                id: id.clone(),
            },
            _ => return None,
        })
    }

    /// The JSON-RPC error object.
    pub fn to_json(&self) -> Value {
        let mut obj = json!({"code": self.code(), "message": self.to_string()});
        if let Some(data) = self.data() {
            obj["data"] = data;
        }
        obj
    }
}

/// The legacy numeric `code` of a DOMException by name (WebIDL's table); 0 for names
/// without one.
fn dom_exception_code(name: &str) -> u16 {
    match name {
        "SyntaxError" => 12,
        "InvalidAccessError" => 15,
        "InvalidStateError" => 11,
        "SecurityError" => 18,
        _ => 0,
    }
}
