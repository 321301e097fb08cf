//! Params and results of the session methods (`wsdeck.open` … `wsdeck.unsubscribe`) and the
//! `wsdeck.events` notification.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::event::{Event, Handshake};
use super::{Pair, Variable};

/// Params of `wsdeck.open`: a whole request.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema, TS)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct OpenParams {
    #[ts(optional = false)]
    pub url: String,
    /// Query parameters added to the URL, in order.
    #[serde(default)]
    #[ts(as = "Option<Vec<Pair>>", optional)]
    pub params: Vec<Pair>,
    #[serde(default)]
    #[ts(as = "Option<Vec<Pair>>", optional)]
    pub headers: Vec<Pair>,
    /// Subprotocols offered in `Sec-WebSocket-Protocol`.
    #[serde(default)]
    #[ts(as = "Option<Vec<String>>", optional)]
    pub protocols: Vec<String>,
    #[serde(default)]
    #[ts(as = "Option<SettingsParams>", optional)]
    pub settings: SettingsParams,
    /// `{{name}}` in url, params, headers and protocols, resolved before connecting (only
    /// when given: without it, `{{` is literal text); secret values stay masked.
    pub variables: Option<Vec<Variable>>,
    /// Answer after the handshake (default), or at once with the id only.
    pub wait: Option<bool>,
}

/// How a session connects, reconnects and closes; each field left out keeps its default.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema, TS)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct SettingsParams {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handshake_timeout_ms: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub follow_redirects: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_redirects: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reconnect_attempts: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reconnect_interval_ms: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_message_size: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auto_pong: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub close_timeout_ms: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls: Option<TlsParams>,
}

/// TLS of a `wss://` session. The files are read by wsdeck, so naming them needs the
/// `wsdeck:read-files` permission.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema, TS)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct TlsParams {
    /// Verify the server's certificate and name (default true).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verify: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_cert: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_key: Option<String>,
}

/// Result of `wsdeck.open`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, TS)]
pub struct OpenResult {
    pub id: String,
    /// The handshake, unless `wait: false` was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub handshake: Option<Handshake>,
}

/// Params naming one session.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, TS)]
#[serde(deny_unknown_fields)]
pub struct IdParams {
    pub id: String,
}

/// Params of `wsdeck.send`: exactly one of `text`, `binary` and `hex`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, TS)]
#[serde(deny_unknown_fields)]
#[ts(optional_fields)]
pub struct SendParams {
    #[ts(optional = false)]
    pub id: String,
    /// A text message (`{{variables}}` resolved when `variables` is given).
    pub text: Option<String>,
    /// A binary message, base64.
    pub binary: Option<String>,
    /// A binary message, hex digits (spaces allowed).
    pub hex: Option<String>,
    pub variables: Option<Vec<Variable>>,
}

/// Params of `wsdeck.ping` and `wsdeck.pong`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, TS)]
#[serde(deny_unknown_fields)]
#[ts(optional_fields)]
pub struct ControlParams {
    #[ts(optional = false)]
    pub id: String,
    /// Up to 125 bytes of UTF-8.
    pub data: Option<String>,
}

/// Params of `wsdeck.close`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, TS)]
#[serde(deny_unknown_fields)]
#[ts(optional_fields)]
pub struct CloseParams {
    #[ts(optional = false)]
    pub id: String,
    #[schemars(range(min = 1000, max = 4999))]
    pub code: Option<u16>,
    pub reason: Option<String>,
}

/// Params of `wsdeck.events`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, TS)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct EventsParams {
    #[ts(optional = false)]
    pub id: String,
    /// The first `seq` wanted (default 0).
    pub from: Option<u64>,
    #[schemars(range(max = 10000))]
    pub limit: Option<usize>,
    /// Cut each event's `data` to this many bytes (`truncated: true` tells it was).
    pub max_data: Option<usize>,
}

/// A page of events (`wsdeck.events`, `wsdeck.history.events`).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
pub struct EventsPage {
    pub events: Vec<Event>,
    /// Where the next page starts (pass as `from`).
    pub next_seq: u64,
    /// Events between `from` and the first one returned that the log no longer holds.
    pub missed: u64,
    /// True when the page reached the end of what the log holds now.
    pub at_end: bool,
}

/// Which entries a search looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema, TS)]
#[serde(rename_all = "lowercase")]
pub enum SearchKind {
    /// Incoming messages.
    In,
    /// Outgoing messages.
    Out,
    /// Pings and pongs.
    Control,
    /// Connection events.
    Connection,
}

/// Params of `wsdeck.search` (`id`: a session's id) and `wsdeck.history.filter` (`id`: a
/// recorded session's number).
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, TS)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "SearchParams_for_{I}")]
#[ts(optional_fields)]
pub struct SearchParams<I> {
    #[ts(optional = false)]
    pub id: I,
    pub from: Option<u64>,
    #[schemars(range(max = 10000))]
    pub limit: Option<usize>,
    pub text: Option<String>,
    pub case_sensitive: Option<bool>,
    pub regex: Option<bool>,
    pub kinds: Option<Vec<SearchKind>>,
}

/// Result of `wsdeck.search` and `wsdeck.history.filter`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
pub struct SearchResult {
    /// Sequence numbers of matching events, ascending.
    pub seqs: Vec<u64>,
    /// Where the next call should continue (pass as `from`).
    pub next_seq: u64,
    /// True when the scan reached the end of what the log holds now.
    pub at_end: bool,
}

/// Params of `wsdeck.subscribe`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, TS)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct SubscribeParams {
    #[ts(optional = false)]
    pub id: String,
    pub from: Option<u64>,
    pub max_data: Option<usize>,
}

/// Result of `wsdeck.subscribe`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, TS)]
pub struct SubscribeResult {
    pub subscription: String,
}

/// Params of `wsdeck.unsubscribe`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, TS)]
#[serde(deny_unknown_fields)]
pub struct UnsubscribeParams {
    pub subscription: String,
}

/// Where a session is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "lowercase")]
pub enum SessionState {
    Connecting,
    Open,
    Closing,
    /// Waiting before a reconnection attempt.
    Reconnecting,
    Closed,
}

impl From<wsdeck_engine::SessionState> for SessionState {
    fn from(s: wsdeck_engine::SessionState) -> Self {
        match s {
            wsdeck_engine::SessionState::Connecting => SessionState::Connecting,
            wsdeck_engine::SessionState::Open => SessionState::Open,
            wsdeck_engine::SessionState::Closing => SessionState::Closing,
            wsdeck_engine::SessionState::Reconnecting => SessionState::Reconnecting,
            wsdeck_engine::SessionState::Closed => SessionState::Closed,
        }
    }
}

/// One row of `wsdeck.sessions`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
pub struct SessionInfo {
    pub id: String,
    pub url: String,
    pub protocols: Vec<String>,
    pub state: SessionState,
    pub negotiated_protocol: Option<String>,
    pub event_count: u64,
}

/// Params of the `wsdeck.events` notification of a subscription.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
pub struct EventsNotification {
    pub subscription: String,
    /// The session's id.
    pub id: String,
    pub events: Vec<Event>,
    /// Events the log dropped before this notification could carry them.
    pub missed: u64,
    /// True when the session ended and this is the subscription's last notification.
    pub at_end: bool,
}

impl TlsParams {
    /// The files named (CA, client certificate, client key), taken out of the params.
    fn take_files(&mut self) -> (Option<String>, Option<String>, Option<String>) {
        (
            self.ca_file.take(),
            self.client_cert.take(),
            self.client_key.take(),
        )
    }
}

impl SettingsParams {
    /// Applies every setting given to `settings`; the rest keep their values. One
    /// conversion for every front end: destructured whole, so a setting added to the wire
    /// type cannot be dropped here without the compiler saying so.
    pub fn apply_to(mut self, settings: &mut wsdeck_engine::Settings) {
        let files = self.tls.as_mut().map(TlsParams::take_files);
        // Without its files, the settings always make a patch.
        if let Ok(patch) = self.into_patch() {
            settings.apply(&patch);
        }
        let Some((ca_file, client_cert, client_key)) = files else {
            return;
        };
        let tls = &mut settings.tls;
        for (target, file) in [
            (&mut tls.ca_file, ca_file),
            (&mut tls.client_cert, client_cert),
            (&mut tls.client_key, client_key),
        ] {
            if let Some(file) = file {
                *target = Some(file.into());
            }
        }
    }

    /// The settings a patch names (a saved request's), the rest left out.
    pub fn of_patch(p: &wsdeck_engine::SettingsPatch) -> SettingsParams {
        let wsdeck_engine::SettingsPatch {
            handshake_timeout_ms,
            follow_redirects,
            max_redirects,
            reconnect_attempts,
            reconnect_interval_ms,
            max_message_size,
            auto_pong,
            close_timeout_ms,
            tls_verify,
        } = p.clone();
        SettingsParams {
            handshake_timeout_ms,
            follow_redirects,
            max_redirects,
            reconnect_attempts,
            reconnect_interval_ms,
            max_message_size,
            auto_pong,
            close_timeout_ms,
            tls: tls_verify.map(|verify| TlsParams {
                verify: Some(verify),
                ..TlsParams::default()
            }),
        }
    }

    /// The engine's patch of these settings, for a saved request, which keeps no TLS files:
    /// `Err` names the first one given (as its params path below `settings.tls`).
    pub fn into_patch(self) -> Result<wsdeck_engine::SettingsPatch, &'static str> {
        let SettingsParams {
            handshake_timeout_ms,
            follow_redirects,
            max_redirects,
            reconnect_attempts,
            reconnect_interval_ms,
            max_message_size,
            auto_pong,
            close_timeout_ms,
            tls,
        } = self;
        let TlsParams {
            verify,
            ca_file,
            client_cert,
            client_key,
        } = tls.unwrap_or_default();
        for (name, file) in [
            ("caFile", &ca_file),
            ("clientCert", &client_cert),
            ("clientKey", &client_key),
        ] {
            if file.is_some() {
                return Err(name);
            }
        }
        Ok(wsdeck_engine::SettingsPatch {
            handshake_timeout_ms,
            follow_redirects,
            max_redirects,
            reconnect_attempts,
            reconnect_interval_ms,
            max_message_size,
            auto_pong,
            close_timeout_ms,
            tls_verify: verify,
        })
    }

    /// Every setting a session ran with, as a recorded request shows them (the TLS files
    /// are not named: a recording says how it connected, not where keys live).
    pub fn recorded(s: &wsdeck_engine::Settings) -> SettingsParams {
        SettingsParams {
            handshake_timeout_ms: Some(s.handshake_timeout_ms),
            follow_redirects: Some(s.follow_redirects),
            max_redirects: Some(s.max_redirects),
            reconnect_attempts: Some(s.reconnect_attempts),
            reconnect_interval_ms: Some(s.reconnect_interval_ms),
            max_message_size: Some(s.max_message_size),
            auto_pong: Some(s.auto_pong),
            close_timeout_ms: Some(s.close_timeout_ms),
            tls: Some(TlsParams {
                verify: Some(s.tls.verify),
                ..TlsParams::default()
            }),
        }
    }
}

impl OpenParams {
    /// The engine's request: url, params, headers, protocols and settings (variables are
    /// resolved by the caller, before or after).
    pub fn into_spec(self) -> wsdeck_engine::RequestSpec {
        let mut spec = wsdeck_engine::RequestSpec::new(self.url);
        spec.params = self.params;
        spec.headers = self.headers;
        spec.protocols = self.protocols;
        self.settings.apply_to(&mut spec.settings);
        spec
    }
}
