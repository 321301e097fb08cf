//! The one error type of the API, with its JSON-RPC code, message and data.
//!
//! The messages are the exact upstream texts (MetaMask `rpc-errors` defaults and the Snaps
//! service's assertion messages), because snaps match on them.

use serde_json::{Value, json};
use wsdeck_engine::EngineError;

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
    /// The caller already holds the maximum number of sockets (-32005; upstream has no limit).
    #[error("Request limit exceeded.")]
    TooManySockets(usize),
    /// The request text is larger than the limit (-32005; upstream has no limit).
    #[error("Request limit exceeded.")]
    RequestTooLarge(usize),
}

impl ApiError {
    /// The JSON-RPC error code.
    pub fn code(&self) -> i64 {
        match self {
            ApiError::Parse => -32700,
            ApiError::InvalidRequest => -32600,
            ApiError::MethodNotFound => -32601,
            ApiError::InvalidParams(_) | ApiError::Rejected(_) => -32602,
            ApiError::Unauthorized => 4100,
            ApiError::Duplicate(_) | ApiError::NotFound(_) => -32603,
            ApiError::OpenFailed => -32002,
            ApiError::TooManySockets(_) | ApiError::RequestTooLarge(_) => -32005,
        }
    }

    /// The `data` member, if any. Assertion failures carry `cause` like upstream's
    /// serialized `AssertionError` (without the JavaScript stack); limits say which limit.
    pub fn data(&self) -> Option<Value> {
        match self {
            ApiError::Duplicate(_) | ApiError::NotFound(_) => Some(json!({
                "cause": {"message": self.to_string(), "code": "ERR_ASSERTION"}
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
