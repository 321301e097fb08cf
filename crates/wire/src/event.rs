//! One event shape: what `wsdeck.events` pages and `wsdeck.events` notifications carry, what
//! `wsdeck.history.events` and `wsdeck history export` read back from the history, and each
//! line of `wsdeck connect --jsonl` (as a [`JsonlEvent`], the same fields and a version).

use chrono::{DateTime, SecondsFormat, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use wsdeck_engine::{EngineError, HandshakeInfo, Initiator as EngineInitiator, Payload};
use wsdeck_format::binary::encode_base64;

/// Which way a message or control frame went, seen from wsdeck.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    In,
    Out,
}

impl From<wsdeck_engine::Direction> for Direction {
    fn from(d: wsdeck_engine::Direction) -> Self {
        match d {
            wsdeck_engine::Direction::In => Direction::In,
            wsdeck_engine::Direction::Out => Direction::Out,
        }
    }
}

/// Who started the close: wsdeck (`local`) or the server (`remote`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "lowercase")]
pub enum Initiator {
    Local,
    Remote,
}

impl From<EngineInitiator> for Initiator {
    fn from(i: EngineInitiator) -> Self {
        match i {
            EngineInitiator::Local => Initiator::Local,
            EngineInitiator::Remote => Initiator::Remote,
        }
    }
}

/// How `data` holds a payload: the text itself, or base64 of bytes that are not UTF-8 text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "lowercase")]
pub enum DataFormat {
    Text,
    Binary,
}

/// One event of a session's log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "WsEvent")]
pub struct Event {
    /// Position in the session's log, from 0, without gaps.
    pub seq: u64,
    /// RFC 3339 UTC with milliseconds.
    pub time: String,
    /// Monotonic milliseconds since the engine started: use for time differences.
    pub mono_ms: f64,
    #[serde(flatten)]
    pub body: EventBody,
}

/// The kind of an event (`type`) with the fields of that kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum EventBody {
    /// A connection attempt starts (attempt 0 is the first, then reconnections).
    Connecting {
        url: String,
        attempt: u32,
    },
    /// One redirect was followed; headers wsdeck did not carry to another host are named.
    Redirect {
        status: u16,
        from: String,
        to: String,
        hop: u32,
        dropped_headers: Vec<String>,
    },
    /// The handshake succeeded: what was negotiated, and the whole handshake (both heads,
    /// TLS, timings) — absent only in sessions recorded before wsdeck kept it.
    Open {
        url: String,
        protocol: Option<String>,
        extensions: Vec<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        handshake: Option<Handshake>,
    },
    Message(Data),
    Ping(Data),
    Pong(Data),
    /// A close frame went out or came in; the closing handshake is under way.
    Closing {
        direction: Direction,
        code: Option<u16>,
        reason: String,
    },
    /// The connection is gone (`code` null: a close frame without a code (1005, `clean`) or
    /// none at all (1006)).
    Closed {
        code: Option<u16>,
        reason: String,
        clean: bool,
        initiator: Initiator,
    },
    /// Something failed; a refused handshake brings its status and both heads.
    Error(ErrorEvent),
    /// Waiting before the next connection attempt.
    Reconnecting {
        attempt: u32,
        of: u32,
        delay_ms: u64,
    },
}

/// A message, ping or pong: where it went and its payload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
pub struct Data {
    pub direction: Direction,
    pub format: DataFormat,
    /// The text, or base64 for binary (control frames: text when UTF-8).
    pub data: String,
    /// True when `data` was cut to `maxData` bytes (fetch the event alone to get it all).
    #[serde(default, skip_serializing_if = "is_false")]
    #[ts(optional = nullable)]
    pub truncated: bool,
    /// Bytes of the whole payload.
    pub size: u64,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// An `error` event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
pub struct ErrorEvent {
    pub message: String,
    /// The error's class (`connect`, `tls`, `handshake_refused`, `timeout`, …).
    pub class: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub status: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub request: Option<HttpHead>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub response: Option<HttpHead>,
}

/// A request or response head: the start line and the headers as `[name, value]` pairs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
pub struct HttpHead {
    pub start_line: String,
    pub headers: Vec<(String, String)>,
}

impl From<&wsdeck_engine::HttpHead> for HttpHead {
    fn from(h: &wsdeck_engine::HttpHead) -> Self {
        HttpHead {
            start_line: h.start_line.clone(),
            headers: h.headers.clone(),
        }
    }
}

/// How long each step of the connection took, in milliseconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
pub struct Timings {
    pub dns_ms: f64,
    pub connect_ms: f64,
    pub tls_ms: f64,
    pub upgrade_ms: f64,
    pub total_ms: f64,
}

/// A handshake that succeeded: both heads, what was negotiated, TLS, timings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
pub struct Handshake {
    pub url: String,
    pub remote_addr: String,
    pub request: HttpHead,
    pub response: HttpHead,
    pub protocol: Option<String>,
    pub extensions: Vec<String>,
    /// The TLS version and cipher suite (`wss://`), else null.
    pub tls: Option<String>,
    pub timings: Timings,
}

fn ms(d: std::time::Duration) -> f64 {
    d.as_micros() as f64 / 1000.0
}

impl From<&HandshakeInfo> for Handshake {
    fn from(h: &HandshakeInfo) -> Self {
        Handshake {
            url: h.url.clone(),
            remote_addr: h.remote_addr.to_string(),
            request: (&h.request).into(),
            response: (&h.response).into(),
            protocol: h.protocol.clone(),
            extensions: h.extensions.clone(),
            tls: h.tls.clone(),
            timings: Timings {
                dns_ms: h.timings.dns.as_secs_f64() * 1000.0,
                connect_ms: h.timings.connect.as_secs_f64() * 1000.0,
                tls_ms: h.timings.tls.as_secs_f64() * 1000.0,
                upgrade_ms: h.timings.upgrade.as_secs_f64() * 1000.0,
                total_ms: h.timings.total.as_secs_f64() * 1000.0,
            },
        }
    }
}

impl From<&EngineError> for ErrorEvent {
    /// A refused handshake also brings both heads (the request as sent, the answer with its
    /// headers: `WWW-Authenticate`, `Retry-After`, …): that is what a refusal is debugged with.
    fn from(e: &EngineError) -> Self {
        let mut out = ErrorEvent {
            message: e.to_string(),
            class: e.class().name().to_owned(),
            status: None,
            request: None,
            response: None,
        };
        if let EngineError::HandshakeRejected {
            status,
            reason,
            headers,
            request,
            ..
        } = e
        {
            out.status = Some(*status);
            out.request = Some((&**request).into());
            out.response = Some(HttpHead {
                start_line: format!("HTTP/1.1 {status} {reason}").trim_end().to_owned(),
                headers: headers.clone(),
            });
        }
        out
    }
}

impl Data {
    /// A payload as `format` and `data`: text as is, anything else as base64. With `max`,
    /// `data` holds at most that many bytes of it (text cut at a character boundary) and
    /// `truncated` says so; `size` is always the whole payload's.
    pub fn of(direction: Direction, bytes: &[u8], is_text: bool, max: Option<usize>) -> Data {
        let text = is_text.then(|| std::str::from_utf8(bytes).ok()).flatten();
        let cut = max.filter(|&m| m < bytes.len());
        let (format, data) = match text {
            Some(t) => {
                let end = cut.map_or(t.len(), |m| {
                    (0..=m).rev().find(|&i| t.is_char_boundary(i)).unwrap_or(0)
                });
                (DataFormat::Text, t[..end].to_owned())
            }
            None => (
                DataFormat::Binary,
                encode_base64(&bytes[..cut.unwrap_or(bytes.len())]),
            ),
        };
        Data {
            direction,
            format,
            data,
            truncated: cut.is_some(),
            size: bytes.len() as u64,
        }
    }
}

/// RFC 3339, UTC, milliseconds: the `time` of an event.
pub fn rfc3339(time: std::time::SystemTime) -> String {
    DateTime::<Utc>::from(time).to_rfc3339_opts(SecondsFormat::Millis, true)
}

impl EventBody {
    /// Its `type`, as the wire and the history's rows name it.
    pub fn kind(&self) -> &'static str {
        match self {
            EventBody::Connecting { .. } => "connecting",
            EventBody::Redirect { .. } => "redirect",
            EventBody::Open { .. } => "open",
            EventBody::Message(_) => "message",
            EventBody::Ping(_) => "ping",
            EventBody::Pong(_) => "pong",
            EventBody::Closing { .. } => "closing",
            EventBody::Closed { .. } => "closed",
            EventBody::Error(_) => "error",
            EventBody::Reconnecting { .. } => "reconnecting",
        }
    }

    /// The wire form of an engine event's kind; `max_data` cuts payload data (see [`Data::of`]).
    pub fn of(kind: &wsdeck_engine::EventKind, max_data: Option<usize>) -> EventBody {
        use wsdeck_engine::EventKind as K;
        match kind {
            K::Connecting { url, attempt } => EventBody::Connecting {
                url: url.clone(),
                attempt: *attempt,
            },
            K::Redirect {
                status,
                from,
                to,
                hop,
                dropped_headers,
            } => EventBody::Redirect {
                status: *status,
                from: from.clone(),
                to: to.clone(),
                hop: *hop,
                dropped_headers: dropped_headers.clone(),
            },
            K::Open(info) => EventBody::Open {
                url: info.url.clone(),
                protocol: info.protocol.clone(),
                extensions: info.extensions.clone(),
                handshake: Some(Handshake::from(&**info)),
            },
            K::Message { direction, payload } => EventBody::Message(match payload {
                Payload::Text(t) => Data::of((*direction).into(), t.as_bytes(), true, max_data),
                Payload::Binary(b) => Data::of((*direction).into(), b, false, max_data),
            }),
            K::Ping { direction, payload } => {
                EventBody::Ping(Data::of((*direction).into(), payload, true, max_data))
            }
            K::Pong { direction, payload } => {
                EventBody::Pong(Data::of((*direction).into(), payload, true, max_data))
            }
            K::Closing {
                direction,
                code,
                reason,
            } => EventBody::Closing {
                direction: (*direction).into(),
                code: *code,
                reason: reason.clone(),
            },
            K::Closed {
                code,
                reason,
                clean,
                initiator,
            } => EventBody::Closed {
                code: *code,
                reason: reason.clone(),
                clean: *clean,
                initiator: (*initiator).into(),
            },
            K::Error(e) => EventBody::Error(e.into()),
            K::Reconnecting {
                attempt,
                of,
                delay_ms,
            } => EventBody::Reconnecting {
                attempt: *attempt,
                of: *of,
                delay_ms: *delay_ms,
            },
        }
    }
}

impl Event {
    /// Bytes of `data` (a message's, ping's or pong's), 0 for other events: what a page of
    /// events counts against its size.
    pub fn data_len(&self) -> usize {
        match &self.body {
            EventBody::Message(d) | EventBody::Ping(d) | EventBody::Pong(d) => d.data.len(),
            _ => 0,
        }
    }

    /// The wire form of an engine event; `max_data` cuts payload data (see [`Data::of`]).
    pub fn of(e: &wsdeck_engine::Event, max_data: Option<usize>) -> Event {
        Event {
            seq: e.seq,
            time: rfc3339(e.time),
            mono_ms: ms(e.mono),
            body: EventBody::of(&e.kind, max_data),
        }
    }
}

/// The version of [`JsonlEvent`]'s shape; raised when a field changes meaning or goes away.
pub const JSONL_VERSION: u32 = 1;

/// One line of `wsdeck connect --jsonl` and of `wsdeck history export`: an [`Event`] with
/// the version of its shape first, so a consumer can tell which shape it reads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
pub struct JsonlEvent {
    /// The shape's version (now 1).
    pub v: u32,
    #[serde(flatten)]
    pub event: Event,
}

impl From<Event> for JsonlEvent {
    fn from(event: Event) -> Self {
        JsonlEvent {
            v: JSONL_VERSION,
            event,
        }
    }
}

/// RFC 3339 of milliseconds since the Unix epoch.
pub fn rfc3339_ms(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The `--jsonl` line that stands for events a slow reader missed: the log let them go
/// before they could be printed (with `--jsonl`, wsdeck says so instead of skipping silently).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
pub struct JsonlMissed {
    /// The shape's version (now 1).
    pub v: u32,
    /// Always `missed`.
    #[serde(rename = "type")]
    pub kind: MissedKind,
    /// How many events were missed.
    pub count: u64,
    pub message: String,
}

/// The `type` of a [`JsonlMissed`] line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "lowercase")]
pub enum MissedKind {
    Missed,
}

impl JsonlMissed {
    /// The line for `count` missed events.
    pub fn new(count: u64) -> Self {
        JsonlMissed {
            v: JSONL_VERSION,
            kind: MissedKind::Missed,
            count,
            message: "output was too slow; these events left memory before they could be printed"
                .into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_is_named_as_serde_tags_it() {
        let data = Data::of(Direction::In, b"x", true, None);
        let bodies = [
            EventBody::Connecting {
                url: "ws://h/".into(),
                attempt: 0,
            },
            EventBody::Redirect {
                status: 301,
                from: "ws://a/".into(),
                to: "ws://b/".into(),
                hop: 1,
                dropped_headers: Vec::new(),
            },
            EventBody::Open {
                url: "ws://h/".into(),
                protocol: None,
                extensions: Vec::new(),
                handshake: None,
            },
            EventBody::Message(data.clone()),
            EventBody::Ping(data.clone()),
            EventBody::Pong(data),
            EventBody::Closing {
                direction: Direction::Out,
                code: Some(1000),
                reason: String::new(),
            },
            EventBody::Error(ErrorEvent {
                message: "m".into(),
                class: "connect".into(),
                status: None,
                request: None,
                response: None,
            }),
            EventBody::Closed {
                code: None,
                reason: String::new(),
                clean: false,
                initiator: Initiator::Remote,
            },
            EventBody::Reconnecting {
                attempt: 1,
                of: 2,
                delay_ms: 3,
            },
        ];
        for body in bodies {
            let json = serde_json::to_value(&body).expect("JSON");
            assert_eq!(json["type"], body.kind(), "{json}");
        }
    }
}
