//! Answers written as text within a byte limit: a JSON array item by item, events refused
//! from their payload's size before they are built, and the limit's words for errors.

use wsdeck_engine::{Event, EventKind, Payload};

use crate::error::ApiError;
use crate::secrets::Secrets;
use crate::wire;

/// A JSON array written item by item, refusing items beyond `max` bytes.
pub(crate) struct JsonArray {
    text: String,
    count: usize,
    max: usize,
}

impl JsonArray {
    pub(crate) fn new(max: usize) -> Self {
        JsonArray {
            text: String::from("["),
            count: 0,
            max,
        }
    }

    /// Bytes an item may still take.
    pub(crate) fn room(&self) -> usize {
        self.max.saturating_sub(self.text.len() + 2)
    }

    pub(crate) fn count(&self) -> usize {
        self.count
    }

    /// Appends `item` (valid JSON) if it fits; says whether it did.
    pub(crate) fn push(&mut self, item: &str) -> bool {
        if item.len() > self.room() {
            return false;
        }
        if self.count > 0 {
            self.text.push(',');
        }
        self.text.push_str(item);
        self.count += 1;
        true
    }

    pub(crate) fn finish(mut self) -> String {
        self.text.push(']');
        self.text
    }
}

/// An event as JSON text if it fits in a byte budget.
pub(crate) enum Encoded {
    Fits(String),
    /// It would take about this many bytes.
    TooLarge(usize),
}

/// Bytes of an event's fields besides its data (generous: `seq`, `time`, …, `size`).
pub(crate) const EVENT_OVERHEAD: usize = 256;

/// Bytes of a page around its events.
pub(crate) const PAGE_OVERHEAD: usize = 128;

/// Writes `e` as its [`wire::event::Event`], unless it would take more than `budget` bytes —
/// found from the payload's size before anything is built, so a message far too large for
/// the budget is never copied.
pub(crate) fn encode_event(
    e: &Event,
    max_data: Option<usize>,
    secrets: &Secrets,
    budget: usize,
) -> Encoded {
    if let Some(size) = payload_json_len(e, max_data, budget.saturating_sub(EVENT_OVERHEAD))
        && size.saturating_add(EVENT_OVERHEAD) > budget
    {
        return Encoded::TooLarge(size.saturating_add(EVENT_OVERHEAD));
    }
    let text = shown_event(e, max_data, secrets);
    if text.len() > budget {
        return Encoded::TooLarge(text.len());
    }
    Encoded::Fits(text)
}

/// The JSON text of an event as a caller sees it: its secret values masked.
pub(crate) fn shown_event(e: &Event, max_data: Option<usize>, secrets: &Secrets) -> String {
    let event = wire::event::Event::of(e, max_data);
    // Payloads are never masked: messages (the hot path) go straight to text, without the
    // detour through a `Value` that only masking needs.
    let payload = matches!(
        e.kind,
        EventKind::Message { .. } | EventKind::Ping { .. } | EventKind::Pong { .. }
    );
    if secrets.is_empty() || payload {
        return serde_json::to_string(&event).unwrap_or_default();
    }
    let mut v = serde_json::to_value(event).unwrap_or_default();
    secrets.hide_in_event(&mut v);
    v.to_string()
}

/// The JSON length of an event's `data`, cut as [`wire::event::Data::of`] cuts it; `None` for events
/// without a payload. Text is counted exactly only when it matters: at least its own
/// length and at most six times that (`\u0001`) decide most cases without a pass over it.
fn payload_json_len(e: &Event, max_data: Option<usize>, budget: usize) -> Option<usize> {
    let (bytes, is_text): (&[u8], bool) = match &e.kind {
        EventKind::Message { payload, .. } => match payload {
            Payload::Text(t) => (t.as_bytes(), true),
            Payload::Binary(b) => (&b[..], false),
        },
        EventKind::Ping { payload, .. } | EventKind::Pong { payload, .. } => (&payload[..], true),
        _ => return None,
    };
    let text = if is_text {
        std::str::from_utf8(bytes).ok()
    } else {
        None
    };
    let cut = max_data.filter(|&m| m < bytes.len());
    Some(match text {
        Some(t) => {
            let end = cut.map_or(t.len(), |m| {
                (0..=m).rev().find(|&i| t.is_char_boundary(i)).unwrap_or(0)
            });
            let t = &t[..end];
            if t.len() + 2 > budget {
                t.len() + 2
            } else if t.len().saturating_mul(6) + 2 <= budget {
                t.len().saturating_mul(6) + 2
            } else {
                json_string_len(t)
            }
        }
        None => cut.unwrap_or(bytes.len()).div_ceil(3) * 4 + 2,
    })
}

/// The length of `s` as a JSON string, quotes included, without writing it.
pub(crate) fn json_string_len(s: &str) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    // Writing a `str` to a counter cannot fail.
    let _ = serde_json::to_writer(&mut count, s);
    count.0
}

/// The bytes the running call's result may take, and the configured limit (which errors
/// name in `data.max`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Room {
    /// What is left for this result (less in a batch whose other answers hold some).
    pub(crate) room: usize,
    /// [`Limits::max_response_bytes`].
    pub(crate) limit: usize,
}

impl Room {
    pub(crate) fn of(limit: usize) -> Room {
        Room {
            room: crate::answer_room(limit),
            limit,
        }
    }

    /// The words for "more than the room": the limit, or what a batch left of it.
    pub(crate) fn words(&self) -> String {
        if self.room + 1024 >= self.limit {
            format!("the {} bytes an answer may hold", self.limit)
        } else {
            format!(
                "the {} bytes left of the {} an answer may hold (the other answers of its batch hold the rest)",
                self.room, self.limit
            )
        }
    }
}

pub(crate) fn too_large(max: Room, hint: impl Into<String>) -> ApiError {
    ApiError::ResponseTooLarge {
        max: max.limit,
        hint: hint.into(),
    }
}

pub(crate) fn event_too_large(seq: u64, size: usize, max: Room) -> ApiError {
    too_large(
        max,
        format!(
            "event {seq} alone takes about {size} bytes as JSON, more than {}; pass `maxData` to cut its data",
            max.words()
        ),
    )
}

// ---- the envelopes of answers written as text ---------------------------------------------
// Each is its wire type's JSON around an array already written item by item (see the tests,
// which hold each to its type).

/// A [`wire::sessions::EventsPage`] around `events`, a JSON array of events.
pub(crate) fn events_page(events: &str, next_seq: u64, missed: u64, at_end: bool) -> String {
    format!(r#"{{"events":{events},"nextSeq":{next_seq},"missed":{missed},"atEnd":{at_end}}}"#)
}

/// The `wsdeck.events` notification of a subscription, its params a
/// [`wire::sessions::EventsNotification`] around `events`, a JSON array of events.
pub(crate) fn events_notification(
    subscription: &str,
    id: &str,
    events: &str,
    missed: u64,
    at_end: bool,
) -> String {
    let quote = |s: &str| serde_json::Value::from(s).to_string();
    format!(
        r#"{{"jsonrpc":"2.0","method":"wsdeck.events","params":{{"subscription":{},"id":{},"events":{events},"missed":{missed},"atEnd":{at_end}}}}}"#,
        quote(subscription),
        quote(id),
    )
}

/// A [`wire::format::Validation`] around `errors`, a JSON array of diagnostics; `omitted`
/// only when some were left out.
pub(crate) fn validation(ok: bool, errors: &str, omitted: u64) -> String {
    if omitted > 0 {
        format!(r#"{{"ok":{ok},"errors":{errors},"omitted":{omitted}}}"#)
    } else {
        format!(r#"{{"ok":{ok},"errors":{errors}}}"#)
    }
}

/// A [`wire::format::Hexdump`] around `lines`, a JSON array of lines.
pub(crate) fn hexdump(lines: &str) -> String {
    format!(r#"{{"lines":{lines}}}"#)
}

#[cfg(test)]
mod envelope_tests {
    use super::*;
    use serde_json::{Value, json};
    use wire::format::{Diagnostic, Hexdump, HexdumpLine, Severity, Validation};
    use wire::sessions::{EventsNotification, EventsPage};

    fn event() -> wire::event::Event {
        wire::event::Event {
            seq: 7,
            time: "2026-12-07T00:00:00.000Z".into(),
            mono_ms: 1.5,
            body: wire::event::EventBody::Connecting {
                url: "ws://h/\"q\"".into(),
                attempt: 0,
            },
        }
    }

    /// `text` read as `T` and written again equals `expected` written.
    fn holds<T: serde::de::DeserializeOwned + serde::Serialize>(text: &str, expected: &T) {
        let read: T = serde_json::from_str(text).expect("the text is its wire type");
        assert_eq!(
            serde_json::to_value(read).expect("JSON"),
            serde_json::to_value(expected).expect("JSON"),
            "{text}"
        );
    }

    #[test]
    fn an_events_page_is_its_wire_type() {
        let events = serde_json::to_string(&[event()]).expect("JSON");
        let expected = EventsPage {
            events: vec![event()],
            next_seq: 8,
            missed: 2,
            at_end: false,
        };
        holds(&events_page(&events, 8, 2, false), &expected);
    }

    #[test]
    fn an_events_notification_is_its_wire_type() {
        let events = serde_json::to_string(&[event()]).expect("JSON");
        let text = events_notification("s\"1", "id", &events, 0, true);
        let note: Value = serde_json::from_str(&text).expect("JSON");
        assert_eq!(note["method"], "wsdeck.events");
        let expected = EventsNotification {
            subscription: "s\"1".into(),
            id: "id".into(),
            events: vec![event()],
            missed: 0,
            at_end: true,
        };
        holds(&note["params"].to_string(), &expected);
    }

    #[test]
    fn a_validation_and_a_hexdump_are_their_wire_types() {
        let d = Diagnostic {
            severity: Severity::Error,
            message: "m".into(),
            hint: None,
            line: 1,
            column: 2,
            offset: 1,
        };
        let errors = serde_json::to_string(std::slice::from_ref(&d)).expect("JSON");
        for omitted in [0, 3] {
            let expected = Validation {
                ok: false,
                errors: vec![d.clone()],
                omitted: (omitted > 0).then_some(omitted),
            };
            holds(&validation(false, &errors, omitted), &expected);
        }
        let line = HexdumpLine {
            offset: 0,
            hex: "41".into(),
            ascii: "A".into(),
        };
        let lines = json!([line]).to_string();
        holds(&hexdump(&lines), &Hexdump { lines: vec![line] });
    }
}
