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
    let mut v = serde_json::to_value(wire::event::Event::of(e, max_data)).unwrap_or_default();
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
