//! The history methods (`wsdeck.history.*`): recorded sessions (`wsdeck-history`) listed,
//! read page by page in the same event shape as live sessions, searched and exported — the
//! UI's history view. They need the permission [`HISTORY`].

use std::borrow::Cow;
use std::io::Write;

use serde_json::Value;
use wsdeck_engine::Direction;
use wsdeck_history::{
    History, HistoryError, HistorySize, MAX_AGE_DAYS, MAX_MIB, Retention, SessionFilter,
    StoredEvent,
};

use crate::Reply;
use crate::error::ApiError;
use crate::helpers::json_reply;
use crate::methods::HistoryMethod;
use crate::parse::parse;
use crate::recorded::{prune_report, recorded_event, recorded_session};
use crate::search::Kind;
use crate::wire::NoParams;
use crate::wire::event::{Event, JsonlEvent};
use crate::wire::format::TextResult;
use crate::wire::history::{
    DeleteParams, ExportFormat, ExportParams, HistoryHit, HistorySearchParams, ImportParams,
    Imported, JsonlSession, ListParams, RecordIdParams, RecordedEventsParams, RetentionInfo,
    RetentionParams, SessionLineKind,
};
use crate::wire::sessions::{EventsPage, SearchParams};

/// The permission to read the recorded sessions through the API.
pub const HISTORY: &str = "wsdeck:history";

/// Most events one `wsdeck.history.events` page carries.
const MAX_PAGE: usize = 10_000;

/// A recorded event's kind for the filter (the same kinds as live events).
fn kind_of(e: &StoredEvent) -> Kind {
    match (e.kind.as_str(), e.direction) {
        ("message", Some(Direction::In)) => Kind::In,
        ("message", _) => Kind::Out,
        ("ping" | "pong", _) => Kind::Control,
        _ => Kind::Connection,
    }
}

/// What a search looks at in a recorded event: the payload, or the connection event's
/// details as text.
fn searchable(e: &StoredEvent) -> Cow<'_, [u8]> {
    match e.kind.as_str() {
        "message" | "ping" | "pong" => Cow::Borrowed(&e.payload),
        _ => Cow::Owned(
            e.detail
                .as_ref()
                .map(|d| d.to_string())
                .unwrap_or_default()
                .into_bytes(),
        ),
    }
}

/// Retention as the API shows it (sizes in MiB, as people set them), with the history's size.
fn retention_info(r: Retention, size: HistorySize) -> RetentionInfo {
    RetentionInfo {
        max_age_days: r.max_age_days,
        max_mib: r.max_bytes.map(|b| b >> 20),
        sessions: size.sessions,
        events: size.events,
        bytes: size.bytes,
        pruned: None,
    }
}

fn api_error(e: HistoryError, id: Option<i64>) -> ApiError {
    match e {
        HistoryError::UnknownSession(_) => ApiError::NotFoundResource {
            kind: "recorded session",
            id: id.map(|i| i.to_string()).unwrap_or_default(),
        },
        HistoryError::BadQuery { .. } => ApiError::BadParam {
            path: "query".into(),
            reason: e.to_string(),
        },
        HistoryError::SessionLive(_) => ApiError::BadParam {
            path: "ids".into(),
            reason: e.to_string(),
        },
        HistoryError::NotHar(_) | HistoryError::HarEntry { .. } => ApiError::BadParam {
            path: "har".into(),
            reason: e.to_string(),
        },
        other => ApiError::File {
            message: other.to_string(),
            path: None,
        },
    }
}

/// The most payload bytes one page of recorded events holds (an answer's default limit):
/// the page ends early, with `atEnd: false`, and the next one goes on from `nextSeq`.
const PAGE_BYTES: usize = 16 << 20;

/// Reads up to `limit` events from `from`, few at a time while they are large, and stops
/// once [`PAGE_BYTES`] are taken (the first event always comes, whatever its size), so a
/// session of big messages is never loaded whole to answer one request.
fn read_page(
    history: &History,
    id: i64,
    from: u64,
    limit: usize,
    max_data: Option<usize>,
) -> Result<EventsPage, ApiError> {
    let mut events = Vec::new();
    let (mut next, mut bytes) = (from, 0usize);
    let mut chunk = 8usize;
    while events.len() < limit {
        let want = chunk.min(limit - events.len());
        let read = history
            .events(id, next, want)
            .map_err(|e| api_error(e, Some(id)))?;
        let exhausted = read.len() < want;
        for event in &read {
            let shown = recorded_event(event, max_data);
            let size = shown.data_len() + 256;
            if !events.is_empty() && bytes + size > PAGE_BYTES {
                return Ok(page(events, next, false));
            }
            bytes += size;
            next = event.seq + 1;
            events.push(shown);
        }
        if exhausted {
            return Ok(page(events, next, true));
        }
        // As many as the room left takes at the sizes seen so far (1 when they are large).
        let average = bytes / events.len().max(1);
        chunk = (PAGE_BYTES.saturating_sub(bytes) / average.max(1)).clamp(1, 256);
    }
    Ok(page(events, next, false))
}

fn page(events: Vec<Event>, next_seq: u64, at_end: bool) -> EventsPage {
    EventsPage {
        events,
        next_seq,
        missed: 0,
        at_end,
    }
}

/// Runs one history method (SQLite reads: the caller runs it off the async threads).
pub(crate) fn call(
    history: &History,
    method: HistoryMethod,
    params: Option<Value>,
) -> Result<Reply, ApiError> {
    use HistoryMethod as M;
    match method {
        M::List => {
            let p: ListParams = parse(params)?;
            let sessions = history
                .list_sessions(&SessionFilter {
                    limit: p.limit.unwrap_or(100).min(1000),
                    before_id: p.before_id,
                    url_contains: p.url,
                })
                .map_err(|e| api_error(e, None))?;
            Ok(json_reply(
                sessions.iter().map(recorded_session).collect::<Vec<_>>(),
            ))
        }
        M::Session => {
            let p: RecordIdParams = parse(params)?;
            let s = history
                .session(p.id)
                .map_err(|e| api_error(e, Some(p.id)))?;
            Ok(json_reply(recorded_session(&s)))
        }
        M::Events => {
            let p: RecordedEventsParams = parse(params)?;
            let limit = p.limit.unwrap_or(1000);
            if limit > MAX_PAGE {
                return Err(ApiError::BadParam {
                    path: "limit".into(),
                    reason: format!("{limit} is more than the maximum of {MAX_PAGE}"),
                });
            }
            let from = p.from.unwrap_or(0);
            read_page(history, p.id, from, limit, p.max_data).map(json_reply)
        }
        M::Search => {
            let p: HistorySearchParams = parse(params)?;
            let hits = history
                .search(&p.query, p.limit.unwrap_or(100).min(1000))
                .map_err(|e| api_error(e, None))?;
            Ok(json_reply(
                hits.into_iter()
                    .map(|h| HistoryHit {
                        session: h.session_id,
                        seq: h.seq,
                        snippet: h.snippet,
                    })
                    .collect::<Vec<_>>(),
            ))
        }
        M::Filter => {
            let p: SearchParams<i64> = parse(params)?;
            let limit = crate::search::limit_of(&p, MAX_PAGE)?;
            let filter = crate::search::filter_of(&p)?;
            crate::search::scan(
                p.from.unwrap_or(0),
                limit,
                crate::dialect::SEARCH_SCAN,
                |from, max| {
                    history
                        .events(p.id, from, max)
                        .map_err(|e| api_error(e, Some(p.id)))
                },
                |e| e.seq,
                |e| filter.matches_parts(kind_of(e), || searchable(e)),
            )
            .map(json_reply)
        }
        M::Export => {
            let p: ExportParams = parse(params)?;
            let mut out = Vec::new();
            match p.format {
                ExportFormat::Har => history
                    .export_har(&p.ids, &mut out)
                    .map_err(|e| api_error(e, p.ids.first().copied()))?,
                ExportFormat::Jsonl => {
                    for id in &p.ids {
                        export_jsonl(history, *id, &mut out)
                            .map_err(|e| api_error(e, Some(*id)))?;
                    }
                }
            }
            Ok(json_reply(TextResult {
                text: String::from_utf8_lossy(&out).into_owned(),
            }))
        }
        M::Import => {
            let p: ImportParams = parse(params)?;
            let ids = history
                .import_har(&mut p.har.as_bytes())
                .map_err(|e| api_error(e, None))?;
            Ok(json_reply(Imported { sessions: ids }))
        }
        M::Delete => {
            let p: DeleteParams = parse(params)?;
            let report = history.delete_sessions(&p.ids).map_err(|e| match e {
                HistoryError::UnknownSession(id) => api_error(e, Some(id)),
                other => api_error(other, None),
            })?;
            Ok(json_reply(prune_report(&report)))
        }
        M::Retention => {
            let _: NoParams = parse(params)?;
            let r = history.retention().map_err(|e| api_error(e, None))?;
            let size = history.size().map_err(|e| api_error(e, None))?;
            Ok(json_reply(retention_info(r, size)))
        }
        M::SetRetention => set_retention(history, params).map(json_reply),
    }
}

/// `wsdeck.history.setRetention`: checks both limits, stores them and applies them now.
fn set_retention(history: &History, params: Option<Value>) -> Result<RetentionInfo, ApiError> {
    for key in ["maxAgeDays", "maxMib"] {
        if params.as_ref().is_none_or(|p| p.get(key).is_none()) {
            return Err(ApiError::BadParam {
                path: key.into(),
                reason: "missing: give a number, or null for no limit".into(),
            });
        }
    }
    let p: RetentionParams = parse(params)?;
    for (key, value, most) in [
        (
            "maxAgeDays",
            p.max_age_days.map(u64::from),
            u64::from(MAX_AGE_DAYS),
        ),
        ("maxMib", p.max_mib, MAX_MIB),
    ] {
        let reason = match value {
            Some(0) => {
                "0 would delete every session; give at least 1, or null for no limit".to_owned()
            }
            Some(n) if n > most => {
                format!("{n} is more than {most}; give at most that, or null for no limit")
            }
            _ => continue,
        };
        return Err(ApiError::BadParam {
            path: key.into(),
            reason,
        });
    }
    let r = Retention {
        max_age_days: p.max_age_days,
        max_bytes: p.max_mib.map(|m| m.saturating_mul(1 << 20)),
    };
    history.set_retention(r).map_err(|e| api_error(e, None))?;
    let pruned = history.apply_retention().map_err(|e| api_error(e, None))?;
    let size = history.size().map_err(|e| api_error(e, None))?;
    Ok(RetentionInfo {
        pruned: Some(prune_report(&pruned)),
        ..retention_info(r, size)
    })
}

/// Events read per query while exporting.
const EXPORT_PAGE: usize = 2000;

/// One recorded session as JSON lines: a [`JsonlSession`] line, then one [`JsonlEvent`]
/// per event — the lines `wsdeck connect --jsonl` prints, so one reader serves both.
pub fn export_jsonl(
    history: &History,
    id: i64,
    writer: &mut dyn Write,
) -> Result<(), HistoryError> {
    let session = history.session(id)?;
    let line = JsonlSession {
        v: crate::wire::event::JSONL_VERSION,
        kind: SessionLineKind::Session,
        session: recorded_session(&session),
    };
    write_line(writer, &line)?;
    let mut from = 0;
    loop {
        let events = history.events(id, from, EXPORT_PAGE)?;
        for e in &events {
            write_line(writer, &JsonlEvent::from(recorded_event(e, None)))?;
            from = e.seq + 1;
        }
        if events.len() < EXPORT_PAGE {
            return writer.flush().map_err(HistoryError::Write);
        }
    }
}

fn write_line(w: &mut dyn Write, line: &impl serde::Serialize) -> Result<(), HistoryError> {
    serde_json::to_writer(&mut *w, line)
        .map_err(|e| HistoryError::Write(std::io::Error::other(e)))?;
    w.write_all(b"\n").map_err(HistoryError::Write)
}
