//! The MetaMask Snaps WebSocket methods (`snap_*`) and their `onWebSocketEvent`
//! notification. Their params are checked by hand in `params.rs` (snaps compare error
//! texts, which reproduce upstream's superstruct wording) into these types.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Params of `snap_openWebSocket`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
pub struct OpenWebSocketParams {
    /// The URL exactly as given (not normalised): the duplicate rule and listings use it.
    pub url: String,
    /// Requested subprotocols; a missing key is `[]`.
    #[serde(default)]
    #[ts(as = "Option<Vec<String>>", optional)]
    pub protocols: Vec<String>,
}

/// What `snap_sendWebSocketMessage` sends: a string is a text frame, a number array a binary
/// frame (each number wrapped like JavaScript's ToUint8).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(untagged)]
pub enum Message {
    Text(String),
    Binary(Vec<u8>),
}

/// Params of `snap_sendWebSocketMessage`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
pub struct SendWebSocketMessageParams {
    pub id: String,
    pub message: Message,
}

/// Params of `snap_closeWebSocket`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
pub struct CloseWebSocketParams {
    pub id: String,
}

/// One socket of `snap_getWebSockets`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
pub struct SnapSocket {
    pub id: String,
    pub url: String,
    pub protocols: Vec<String>,
}

/// A message's data in an `onWebSocketEvent`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(tag = "type", content = "message", rename_all = "lowercase")]
pub enum SnapData {
    Text(String),
    /// The bytes as numbers.
    Binary(Vec<u8>),
}

/// The event of an `onWebSocketEvent` notification (`params: {event}`), as the Snaps
/// service sends it to the snap's `onWebSocketEvent` handler.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(
    tag = "type",
    rename_all = "lowercase",
    rename_all_fields = "camelCase"
)]
pub enum SnapEvent {
    Open {
        id: String,
        origin: String,
    },
    /// WHATWG close semantics: 1005 for a close frame without a code, 1006 without one.
    Close {
        id: String,
        origin: String,
        code: u16,
        reason: String,
        was_clean: bool,
    },
    Message {
        id: String,
        origin: String,
        data: SnapData,
    },
}

/// Params of the `onWebSocketEvent` notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
pub struct SnapEventNotification {
    pub event: SnapEvent,
}
