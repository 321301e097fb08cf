//! The history methods (`wsdeck.history.*`): recorded sessions (`wsdeck-history`) listed,
//! read page by page in the same event shape as live sessions, searched and exported — the
//! UI's history view. They need the permission [`HISTORY`].

use serde::Deserialize;
use serde_json::{Value, json};
use std::borrow::Cow;

use wsdeck_engine::Direction;
use wsdeck_history::{
    History, HistoryError, HistorySize, MAX_AGE_DAYS, MAX_MIB, PruneReport, Retention,
    SessionFilter, StoredEvent, event_json, session_json,
};

use crate::search::{Kind, ScanParams};

use crate::error::ApiError;

/// The permission to read the recorded sessions through the API.
pub const HISTORY: &str = "wsdeck:history";

/// Most events one `wsdeck.history.events` page carries.
const MAX_PAGE: usize = 10_000;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ListParams {
    limit: Option<usize>,
    before_id: Option<i64>,
    url: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct IdParams {
    id: i64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct EventsParams {
    id: i64,
    from: Option<u64>,
    limit: Option<usize>,
    max_data: Option<usize>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SearchParams {
    query: String,
    limit: Option<usize>,
}

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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Empty {}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ImportParams {
    /// The HAR file's text.
    har: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DeleteParams {
    ids: Vec<i64>,
}

/// `null` is "no limit"; both keys are required so that a forgotten one is not a surprise.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RetentionParams {
    max_age_days: Option<u32>,
    max_mib: Option<u64>,
}

/// Retention as the API shows it (sizes in MiB, as people set them), with the history's size.
fn retention_json(r: Retention, size: HistorySize) -> Value {
    json!({
        "maxAgeDays": r.max_age_days,
        "maxMib": r.max_bytes.map(|b| b >> 20),
        "sessions": size.sessions,
        "events": size.events,
        "bytes": size.bytes,
    })
}

fn report_json(r: &PruneReport) -> Value {
    json!({"sessions": r.sessions, "events": r.events, "bytes": r.bytes})
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExportParams {
    ids: Vec<i64>,
    format: ExportFormat,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "lowercase")]
enum ExportFormat {
    Jsonl,
    Har,
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

/// Cuts a text or base64 `data` of an event to `max` bytes (as `wsdeck.events` does).
fn cut(mut event: Value, max: Option<usize>) -> Value {
    let Some(max) = max else { return event };
    if let Some(Value::String(data)) = event.get_mut("data")
        && data.len() > max
    {
        let end = (0..=max)
            .rev()
            .find(|&i| data.is_char_boundary(i))
            .unwrap_or(0);
        data.truncate(end);
        event["truncated"] = json!(true);
    }
    event
}

/// The most payload bytes one page of recorded events holds (an answer's default limit):
/// the page ends early, with `atEnd: false`, and the next one goes on from `nextSeq`.
const PAGE_BYTES: usize = 16 << 20;

/// One page of recorded events, as the API shows them.
struct Page {
    events: Vec<Value>,
    next: u64,
    at_end: bool,
}

/// Reads up to `limit` events from `from`, few at a time while they are large, and stops
/// once [`PAGE_BYTES`] are taken (the first event always comes, whatever its size), so a
/// session of big messages is never loaded whole to answer one request.
fn read_page(
    history: &History,
    id: i64,
    from: u64,
    limit: usize,
    max_data: Option<usize>,
) -> Result<Page, ApiError> {
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
            let json = cut(event_json(event), max_data);
            let size = json.get("data").and_then(Value::as_str).map_or(0, str::len) + 256;
            if !events.is_empty() && bytes + size > PAGE_BYTES {
                return Ok(Page {
                    events,
                    next,
                    at_end: false,
                });
            }
            bytes += size;
            next = event.seq + 1;
            events.push(json);
        }
        if exhausted {
            return Ok(Page {
                events,
                next,
                at_end: true,
            });
        }
        // As many as the room left takes at the sizes seen so far (1 when they are large).
        let average = bytes / events.len().max(1);
        chunk = (PAGE_BYTES.saturating_sub(bytes) / average.max(1)).clamp(1, 256);
    }
    Ok(Page {
        events,
        next,
        at_end: false,
    })
}

/// Runs one history method (SQLite reads: the caller runs it off the async threads).
pub(crate) fn call(
    history: &History,
    method: &str,
    params: Option<Value>,
) -> Result<Value, ApiError> {
    match method {
        "wsdeck.history.list" => {
            let p: ListParams = crate::dialect::parse(params)?;
            let sessions = history
                .list_sessions(&SessionFilter {
                    limit: p.limit.unwrap_or(100).min(1000),
                    before_id: p.before_id,
                    url_contains: p.url,
                })
                .map_err(|e| api_error(e, None))?;
            Ok(Value::Array(sessions.iter().map(session_json).collect()))
        }
        "wsdeck.history.session" => {
            let p: IdParams = crate::dialect::parse(params)?;
            let s = history
                .session(p.id)
                .map_err(|e| api_error(e, Some(p.id)))?;
            Ok(session_json(&s))
        }
        "wsdeck.history.events" => {
            let p: EventsParams = crate::dialect::parse(params)?;
            let limit = p.limit.unwrap_or(1000);
            if limit > MAX_PAGE {
                return Err(ApiError::BadParam {
                    path: "limit".into(),
                    reason: format!("{limit} is more than the maximum of {MAX_PAGE}"),
                });
            }
            let from = p.from.unwrap_or(0);
            let page = read_page(history, p.id, from, limit, p.max_data)?;
            Ok(json!({
                "events": page.events,
                "nextSeq": page.next,
                "missed": 0,
                "atEnd": page.at_end,
            }))
        }
        "wsdeck.history.search" => {
            let p: SearchParams = crate::dialect::parse(params)?;
            let hits = history
                .search(&p.query, p.limit.unwrap_or(100).min(1000))
                .map_err(|e| api_error(e, None))?;
            Ok(Value::Array(
                hits.iter()
                    .map(|h| json!({"session": h.session_id, "seq": h.seq, "snippet": h.snippet}))
                    .collect(),
            ))
        }
        "wsdeck.history.filter" => {
            let p: ScanParams<i64> = crate::dialect::parse(params)?;
            let limit = p.limit(MAX_PAGE)?;
            let filter = p.filter()?;
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
        }
        "wsdeck.history.export" => {
            let p: ExportParams = crate::dialect::parse(params)?;
            let mut out = Vec::new();
            match p.format {
                ExportFormat::Har => history
                    .export_har(&p.ids, &mut out)
                    .map_err(|e| api_error(e, p.ids.first().copied()))?,
                ExportFormat::Jsonl => {
                    for id in &p.ids {
                        history
                            .export_jsonl(*id, &mut out)
                            .map_err(|e| api_error(e, Some(*id)))?;
                    }
                }
            }
            Ok(json!({"text": String::from_utf8_lossy(&out)}))
        }
        "wsdeck.history.import" => {
            let p: ImportParams = crate::dialect::parse(params)?;
            let ids = history
                .import_har(&mut p.har.as_bytes())
                .map_err(|e| api_error(e, None))?;
            Ok(json!({ "sessions": ids }))
        }
        "wsdeck.history.delete" => {
            let p: DeleteParams = crate::dialect::parse(params)?;
            let report = history.delete_sessions(&p.ids).map_err(|e| match e {
                HistoryError::UnknownSession(id) => api_error(e, Some(id)),
                other => api_error(other, None),
            })?;
            Ok(report_json(&report))
        }
        "wsdeck.history.retention" => {
            crate::dialect::parse::<Empty>(params)?;
            let r = history.retention().map_err(|e| api_error(e, None))?;
            let size = history.size().map_err(|e| api_error(e, None))?;
            Ok(retention_json(r, size))
        }
        "wsdeck.history.setRetention" => {
            for key in ["maxAgeDays", "maxMib"] {
                if params.as_ref().is_none_or(|p| p.get(key).is_none()) {
                    return Err(ApiError::BadParam {
                        path: key.into(),
                        reason: "missing: give a number, or null for no limit".into(),
                    });
                }
            }
            let p: RetentionParams = crate::dialect::parse(params)?;
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
                        "0 would delete every session; give at least 1, or null for no limit"
                            .to_owned()
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
            let mut out = retention_json(r, size);
            out["pruned"] = report_json(&pruned);
            Ok(out)
        }
        _ => Err(ApiError::MethodNotFound),
    }
}
