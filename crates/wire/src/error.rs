//! The JSON-RPC error object and the `data` each kind of error carries, so a client shows
//! errors from fields instead of parsing their English.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A JSON-RPC error as the API sends it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(rename = "RpcErrorBody")]
pub struct RpcError {
    pub code: i64,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub data: Option<ErrorData>,
}

/// The `data` of an error, by kind; which one comes with which code is in docs/api.md.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(untagged)]
pub enum ErrorData {
    /// -32602 of the `wsdeck.*` methods: where in `params` (dotted, `[i]` for items) and what.
    Param { path: String, reason: String },
    /// -32005: which limit, its value and how to ask for less.
    Limit {
        limit: String,
        max: u64,
        hint: String,
    },
    /// -32001: an unknown (or another caller's) session or subscription.
    Resource { kind: String, id: String },
    /// An engine failure: its class (`connect`, `tls`, `handshake_refused`, …) and the
    /// session, when one exists.
    Engine {
        class: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        id: Option<String>,
    },
    /// An assertion (`snap_*`) or the host's constructor exception, as upstream serializes it.
    Cause {
        cause: Cause,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        hint: Option<String>,
    },
    /// A workspace file: which one, and (-32009) what to do.
    File {
        path: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        hint: Option<String>,
    },
}

/// An exception as upstream serializes it: `AssertionError` (`code: "ERR_ASSERTION"`) or a
/// DOMException (`name` and its legacy numeric `code`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
pub struct Cause {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub name: Option<String>,
    pub code: CauseCode,
    pub message: String,
}

/// `ERR_ASSERTION`, or a DOMException's legacy number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(untagged)]
pub enum CauseCode {
    Text(String),
    Number(u16),
}
