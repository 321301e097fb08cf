//! A recorded session in the wire's shapes: its summary, its events (read back from their
//! rows, which hold the same wire shapes) and what a deletion removed.

use wsdeck_history::{Format, SessionSummary, StoredEvent};

use crate::wire::event::{Data, Direction, ErrorEvent, Event, EventBody, Handshake, rfc3339_ms};
use crate::wire::history::{PruneReport, RecordedSession};

/// A recorded event in the live shape: a recorded session reads back like a live one.
/// `max_data` cuts payload data as [`Event::of`] does. A row this version cannot read
/// (written by a wsdeck that stored another shape) becomes an `error` event saying so,
/// so one odd row does not hide a session.
pub fn recorded_event(e: &StoredEvent, max_data: Option<usize>) -> Event {
    Event {
        seq: e.seq,
        time: rfc3339_ms(e.time_ms),
        mono_ms: e.mono_us as f64 / 1000.0,
        body: recorded_body(e, max_data),
    }
}

fn recorded_body(e: &StoredEvent, max_data: Option<usize>) -> EventBody {
    let direction = e.direction.map(Direction::from).unwrap_or(Direction::In);
    let data = || {
        let is_text = e.format == Some(Format::Text);
        Data::of(direction, &e.payload, is_text, max_data)
    };
    match e.kind.as_str() {
        "message" => return EventBody::Message(data()),
        "ping" => return EventBody::Ping(data()),
        "pong" => return EventBody::Pong(data()),
        _ => {}
    }
    let read = match e.kind.as_str() {
        "open" => e
            .detail
            .clone()
            .map(serde_json::from_value::<Handshake>)
            .transpose()
            .map(|handshake| {
                let h = handshake.as_ref();
                EventBody::Open {
                    url: h.map(|h| h.url.clone()).unwrap_or_default(),
                    protocol: h.and_then(|h| h.protocol.clone()),
                    extensions: h.map(|h| h.extensions.clone()).unwrap_or_default(),
                    handshake,
                }
            }),
        kind => {
            let mut fields = match &e.detail {
                Some(serde_json::Value::Object(m)) => m.clone(),
                _ => serde_json::Map::new(),
            };
            fields.insert("type".into(), kind.into());
            if let Some(d) = e.direction {
                let d = serde_json::to_value(Direction::from(d)).unwrap_or_default();
                fields.insert("direction".into(), d);
            }
            serde_json::from_value(serde_json::Value::Object(fields))
        }
    };
    read.unwrap_or_else(|problem| {
        EventBody::Error(ErrorEvent {
            message: format!(
                "a recorded `{}` event this wsdeck cannot read: {problem}",
                e.kind
            ),
            class: "internal".into(),
            status: None,
            request: None,
            response: None,
        })
    })
}

/// A recorded session; a stored request or handshake this version cannot read shows as none
/// (the events still carry what was recorded).
pub fn recorded_session(s: &SessionSummary) -> RecordedSession {
    fn read<T: serde::de::DeserializeOwned>(v: &Option<serde_json::Value>) -> Option<T> {
        v.clone().and_then(|v| serde_json::from_value(v).ok())
    }
    RecordedSession {
        id: s.id,
        started_at: rfc3339_ms(s.started_at_ms),
        ended_at: s.ended_at_ms.map(rfc3339_ms),
        url: s.url.clone(),
        request: read(&s.request),
        handshake: read(&s.handshake),
        close_code: s.close_code,
        close_reason: s.close_reason.clone(),
        event_count: s.event_count,
        bytes: s.bytes,
    }
}

/// What a deletion or a prune removed.
pub fn prune_report(r: &wsdeck_history::PruneReport) -> PruneReport {
    PruneReport {
        sessions: r.sessions.clone(),
        events: r.events,
        bytes: r.bytes,
    }
}
