//! Engine events as database rows. The JSON stored for handshakes and connection events is
//! the wire's (`wsdeck-wire`), so what is read back is what the API shows live.

use std::borrow::Cow;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;
use wsdeck_engine::{Direction, Event, EventKind, Payload};
use wsdeck_wire as wire;

/// One row of the `events` table, borrowed from an event where it can be.
#[derive(Debug, Clone)]
pub(crate) struct Row<'a> {
    pub seq: u64,
    pub time_ms: i64,
    pub mono_us: i64,
    pub kind: &'static str,
    pub direction: Option<&'static str>,
    pub format: Option<&'static str>,
    pub size: u64,
    pub payload: Option<Cow<'a, [u8]>>,
    pub detail: Option<Value>,
}

impl Row<'_> {
    /// Whether the payload goes into the full-text index.
    pub fn is_text_message(&self) -> bool {
        self.kind == "message" && self.format == Some("text")
    }

    /// Bytes this row adds to the session's size (payload and detail).
    pub fn stored_bytes(&self, detail_len: usize) -> u64 {
        self.payload.as_ref().map_or(0, |p| p.len() as u64) + detail_len as u64
    }
}

pub(crate) fn ms_since_epoch(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_millis()).unwrap_or(i64::MAX),
    }
}

pub(crate) fn micros(d: Duration) -> i64 {
    i64::try_from(d.as_micros()).unwrap_or(i64::MAX)
}

pub(crate) fn direction_str(d: Direction) -> &'static str {
    match d {
        Direction::In => "in",
        Direction::Out => "out",
    }
}

fn control<'a>(kind: &'static str, direction: Direction, payload: &'a [u8]) -> Row<'a> {
    let format = if std::str::from_utf8(payload).is_ok() {
        "text"
    } else {
        "binary"
    };
    Row {
        seq: 0,
        time_ms: 0,
        mono_us: 0,
        kind,
        direction: Some(direction_str(direction)),
        format: Some(format),
        size: payload.len() as u64,
        payload: Some(Cow::Borrowed(payload)),
        detail: None,
    }
}

fn connection(kind: &'static str, detail: Value) -> Row<'static> {
    Row {
        seq: 0,
        time_ms: 0,
        mono_us: 0,
        kind,
        direction: None,
        format: None,
        size: 0,
        payload: None,
        detail: Some(detail),
    }
}

/// A wire value as a row's detail (a serialization of plain data cannot fail).
fn detail_of<T: wire::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or_default()
}

/// A connection event's row: its wire fields (`wire::event::EventBody`) as the detail, so a
/// recorded session reads back exactly as the API shows a live one; its `type` and
/// `direction` go to their own columns.
fn connection_row(kind: &EventKind) -> Row<'static> {
    let body = wire::event::EventBody::of(kind, None);
    let mut detail = detail_of(&body);
    let direction = match kind {
        EventKind::Closing { direction, .. } => Some(direction_str(*direction)),
        _ => None,
    };
    if let Some(fields) = detail.as_object_mut() {
        fields.remove("type");
        fields.remove("direction");
    }
    Row {
        direction,
        ..connection(body.kind(), detail)
    }
}

/// The row of one engine event; secrets are masked in the detail, never in payloads.
pub(crate) fn row_of<'a>(event: &'a Event, secrets: &[String]) -> Row<'a> {
    let mut row = match &event.kind {
        EventKind::Message { direction, payload } => {
            let (format, bytes): (&'static str, &[u8]) = match payload {
                Payload::Text(t) => ("text", t.as_bytes()),
                Payload::Binary(b) => ("binary", b),
            };
            Row {
                seq: 0,
                time_ms: 0,
                mono_us: 0,
                kind: "message",
                direction: Some(direction_str(*direction)),
                format: Some(format),
                size: bytes.len() as u64,
                payload: Some(Cow::Borrowed(bytes)),
                detail: None,
            }
        }
        EventKind::Ping { direction, payload } => control("ping", *direction, payload),
        EventKind::Pong { direction, payload } => control("pong", *direction, payload),
        // The row holds the whole handshake; the `open` event's other fields are read from it.
        EventKind::Open(h) => connection("open", detail_of(&wire::event::Handshake::from(&**h))),
        other => connection_row(other),
    };
    if let Some(detail) = row.detail.as_mut() {
        mask_value(detail, secrets);
    }
    row.seq = event.seq;
    row.time_ms = ms_since_epoch(event.time);
    row.mono_us = micros(event.mono);
    row
}

/// Headers whose values are credentials: never stored, whatever the caller passed.
const CREDENTIAL_HEADERS: [&str; 4] = [
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
];

/// Replaces every secret with `****` in all strings of `value`, and the values of
/// credential headers (`[name, value]` pairs, the request's and the handshake's shape) with
/// `****` (keeping an auth scheme).
pub(crate) fn mask_value(value: &mut Value, secrets: &[String]) {
    match value {
        Value::String(s) => {
            for secret in secrets.iter().filter(|s| !s.is_empty()) {
                if s.contains(secret.as_str()) {
                    *s = s.replace(secret.as_str(), "****");
                }
            }
        }
        Value::Array(items) => {
            if let [Value::String(name), Value::String(v)] = items.as_mut_slice()
                && CREDENTIAL_HEADERS.contains(&name.to_ascii_lowercase().as_str())
            {
                *v = match v.split_once(' ') {
                    Some((scheme, _)) if !scheme.contains('=') => format!("{scheme} ****"),
                    _ => "****".to_owned(),
                };
            }
            items.iter_mut().for_each(|v| mask_value(v, secrets));
        }
        Value::Object(map) => map.values_mut().for_each(|v| mask_value(v, secrets)),
        _ => {}
    }
}

/// Masks secrets in a URL string.
pub(crate) fn mask_str(s: &str, secrets: &[String]) -> String {
    let mut v = Value::String(s.to_owned());
    mask_value(&mut v, secrets);
    match v {
        Value::String(s) => s,
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use wsdeck_engine::HttpHead;

    #[test]
    fn masks_secrets_and_credential_headers() {
        let mut v = json!({
            "url": "wss://x/?token=abc123",
            "headers": [
                ["Authorization", "Bearer abc123"],
                ["Cookie", "sid=1"],
                ["X-Other", "plain"],
            ],
        });
        mask_value(&mut v, &["abc123".to_owned(), String::new()]);
        assert_eq!(v["url"], "wss://x/?token=****");
        assert_eq!(v["headers"][0][1], "Bearer ****");
        assert_eq!(v["headers"][1][1], "****");
        assert_eq!(v["headers"][2][1], "plain");
    }

    #[test]
    fn a_refused_handshake_is_stored_with_both_heads_credentials_masked() {
        let e = Event {
            seq: 1,
            time: UNIX_EPOCH,
            mono: Duration::ZERO,
            kind: EventKind::Error(wsdeck_engine::EngineError::HandshakeRejected {
                status: 401,
                reason: "Unauthorized".into(),
                headers: vec![("WWW-Authenticate".into(), "Bearer".into())],
                body: String::new(),
                request: Box::new(HttpHead {
                    start_line: "GET /x HTTP/1.1".into(),
                    headers: vec![("Authorization".into(), "Bearer t0ken".into())],
                }),
            }),
        };
        let r = row_of(&e, &[]);
        let d = r.detail.expect("detail");
        assert_eq!(d["status"], 401);
        assert_eq!(
            d["request"]["headers"][0],
            json!(["Authorization", "Bearer ****"])
        );
        assert_eq!(d["response"]["startLine"], "HTTP/1.1 401 Unauthorized");
        assert_eq!(
            d["response"]["headers"][0],
            json!(["WWW-Authenticate", "Bearer"])
        );
    }

    #[test]
    fn binary_pings_are_binary() {
        let e = Event {
            seq: 3,
            time: UNIX_EPOCH + Duration::from_millis(1500),
            mono: Duration::from_micros(42),
            kind: EventKind::Ping {
                direction: Direction::In,
                payload: wsdeck_engine::Bytes::from_static(&[0xff, 0x00]),
            },
        };
        let r = row_of(&e, &[]);
        assert_eq!((r.kind, r.format, r.size), ("ping", Some("binary"), 2));
        assert_eq!((r.seq, r.time_ms, r.mono_us), (3, 1500, 42));
    }
}
