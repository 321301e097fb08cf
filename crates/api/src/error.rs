//! The one error type of the API, with its JSON-RPC code, message and data.
//!
//! The messages are the exact upstream texts (MetaMask `rpc-errors` defaults and the Snaps
//! service's assertion messages), because snaps match on them.

use serde_json::{Value, json};
use wsdeck_engine::{EngineError, ErrorClass};

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

impl ApiError {
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
            | ApiError::BatchTooLarge(_) => -32005,
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
        match self {
            ApiError::Duplicate(_) | ApiError::NotFound(_) => Some(json!({
                "cause": {"message": self.to_string(), "code": "ERR_ASSERTION"}
            })),
            ApiError::HostConstructor {
                name,
                message,
                hint,
            } => Some(json!({
                "cause": {"name": name, "code": dom_exception_code(name), "message": message},
                "hint": hint,
            })),
            ApiError::TooManySockets(max) => Some(json!({
                "limit": "connections",
                "max": max,
                "hint": format!("at most {max} WebSockets per caller; close one with snap_closeWebSocket first"),
            })),
            ApiError::RequestTooLarge(max) => Some(json!({
                "limit": "request_bytes",
                "max": max,
                "hint": format!("a request may be at most {max} bytes"),
            })),
            ApiError::BatchTooLarge(max) => Some(json!({
                "limit": "batch",
                "max": max,
                "hint": format!("a batch may hold at most {max} requests; split it"),
            })),
            ApiError::BadParam { path, reason } => Some(json!({"path": path, "reason": reason})),
            ApiError::ChangedOnDisk { path, reason } => Some(json!({
                "path": path,
                "hint": reason,
            })),
            ApiError::File { path, .. } => path.as_ref().map(|p| json!({"path": p})),
            ApiError::NotFoundResource { kind, id } => Some(json!({"kind": kind, "id": id})),
            ApiError::Engine { error, id } => {
                let mut data = json!({"class": error.class().name()});
                if let Some(id) = id {
                    data["id"] = json!(id);
                }
                Some(data)
            }
            _ => None,
        }
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
