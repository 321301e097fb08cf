//! Params and results of the history methods (`wsdeck.history.*`): recorded sessions.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::Pair;
use super::event::Handshake;
use super::sessions::SettingsParams;

/// The request of a recorded session, as sent (secret values masked).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct RecordedRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub params: Option<Vec<Pair>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headers: Option<Vec<Pair>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocols: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<SettingsParams>,
    /// Set on a session wsdeck did not record itself (`har`: read from a HAR file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub imported_from: Option<String>,
}

impl From<&wsdeck_engine::RequestSpec> for RecordedRequest {
    /// What was sent: the request with every setting's value (defaults included), so a
    /// recorded session tells how it connected.
    fn from(spec: &wsdeck_engine::RequestSpec) -> Self {
        RecordedRequest {
            url: Some(spec.url.clone()),
            params: Some(spec.params.clone()),
            headers: Some(spec.headers.clone()),
            protocols: Some(spec.protocols.clone()),
            settings: Some(SettingsParams::recorded(&spec.settings)),
            imported_from: None,
        }
    }
}

/// A recorded session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "HistorySession")]
pub struct RecordedSession {
    pub id: i64,
    pub started_at: String,
    /// Null while live, or if the recording was cut off.
    pub ended_at: Option<String>,
    pub url: String,
    pub request: Option<RecordedRequest>,
    pub handshake: Option<Handshake>,
    pub close_code: Option<u16>,
    pub close_reason: Option<String>,
    pub event_count: u64,
    pub bytes: u64,
}

/// Params of `wsdeck.history.list`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, TS)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct ListParams {
    /// At most this many (default 100, at most 1000).
    pub limit: Option<usize>,
    /// Only sessions older than this one (paging).
    pub before_id: Option<i64>,
    /// Only sessions whose URL holds this text.
    pub url: Option<String>,
}

/// Params naming a recorded session.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, TS)]
#[serde(deny_unknown_fields)]
pub struct RecordIdParams {
    pub id: i64,
}

/// Params of `wsdeck.history.events`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, TS)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct RecordedEventsParams {
    #[ts(optional = false)]
    pub id: i64,
    pub from: Option<u64>,
    #[schemars(range(max = 10000))]
    pub limit: Option<usize>,
    pub max_data: Option<usize>,
}

/// Params of `wsdeck.history.search`: an FTS5 query over every recorded text message.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, TS)]
#[serde(deny_unknown_fields)]
#[ts(optional_fields)]
pub struct HistorySearchParams {
    #[ts(optional = false)]
    pub query: String,
    pub limit: Option<usize>,
}

/// One match of `wsdeck.history.search`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, TS)]
pub struct HistoryHit {
    pub session: i64,
    pub seq: u64,
    /// The match between `«` and `»`.
    pub snippet: String,
}

/// The format of `wsdeck.history.export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema, TS)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    /// A session line, then one line per event.
    Jsonl,
    /// HAR 1.2 with Chrome's `_webSocketMessages`.
    Har,
}

/// Params of `wsdeck.history.export`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, TS)]
#[serde(deny_unknown_fields)]
pub struct ExportParams {
    pub ids: Vec<i64>,
    pub format: ExportFormat,
}

/// Params of `wsdeck.history.import`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, TS)]
#[serde(deny_unknown_fields)]
pub struct ImportParams {
    /// The HAR file's text.
    pub har: String,
}

/// Result of `wsdeck.history.import`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, TS)]
pub struct Imported {
    /// The new recorded sessions.
    pub sessions: Vec<i64>,
}

/// Params of `wsdeck.history.delete`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, TS)]
#[serde(deny_unknown_fields)]
pub struct DeleteParams {
    pub ids: Vec<i64>,
}

/// What was deleted.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, TS)]
pub struct PruneReport {
    pub sessions: Vec<i64>,
    pub events: u64,
    pub bytes: u64,
}

/// Params of `wsdeck.history.setRetention`: both keys are required (null: no limit), so a
/// forgotten one is not a surprise.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, TS)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RetentionParams {
    #[schemars(required, range(min = 1, max = 36500))]
    pub max_age_days: Option<u32>,
    #[schemars(required, range(min = 1, max = 1048576))]
    pub max_mib: Option<u64>,
}

/// The history's retention settings (sizes in MiB, as people set them) and its size; with
/// what applying them deleted after `wsdeck.history.setRetention`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
pub struct RetentionInfo {
    pub max_age_days: Option<u32>,
    pub max_mib: Option<u64>,
    pub sessions: u64,
    pub events: u64,
    pub bytes: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub pruned: Option<PruneReport>,
}

/// The first line of a session in the JSON lines export: `type: "session"` and the session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
pub struct JsonlSession {
    /// The shape's version (now 1).
    pub v: u32,
    /// Always `session`: tells this line from the events after it.
    #[serde(rename = "type")]
    pub kind: SessionLineKind,
    #[serde(flatten)]
    pub session: RecordedSession,
}

/// The `type` of a [`JsonlSession`] line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "lowercase")]
pub enum SessionLineKind {
    Session,
}

/// What is wrong with the history sessions are recorded into, for every caller to hear at
/// once (the params of the `wsdeck.historyError` notification).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
pub struct HistoryProblem {
    pub kind: HistoryProblemKind,
    /// What happened and what to do, in words (the command that moves a damaged file away).
    pub message: String,
}

/// The two ways recording can fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
pub enum HistoryProblemKind {
    /// The history could not be opened (damaged, not a history, too new): nothing is
    /// recorded until the file is moved away and wsdeck started again.
    Unavailable,
    /// Writing failed (disk full, I/O error): the sessions named are recorded only up to
    /// there.
    WriteFailed,
}
