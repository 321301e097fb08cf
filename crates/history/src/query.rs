//! Reading the history: sessions, pages of events, full-text search.

use rusqlite::{OptionalExtension, Row as SqlRow, params};
use serde_json::Value;
use wsdeck_engine::Direction;

use crate::error::{HistoryError, Result};
use crate::{History, SessionRecordId};

/// Which sessions [`History::list_sessions`] returns, newest first.
#[derive(Debug, Clone, Default)]
pub struct SessionFilter {
    /// Most sessions returned; 0 means 100.
    pub limit: usize,
    /// Only sessions with a smaller id (the next page after the last one seen).
    pub before_id: Option<SessionRecordId>,
    /// Only sessions whose URL contains this text (case-insensitive).
    pub url_contains: Option<String>,
}

/// One recorded session, as listed.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionSummary {
    /// The record's id, for `events`, exports and `prune` reports.
    pub id: SessionRecordId,
    /// Milliseconds since the Unix epoch.
    pub started_at_ms: i64,
    /// Milliseconds since the Unix epoch; `None` while recording, or if the recorder died.
    pub ended_at_ms: Option<i64>,
    /// The URL, secrets masked.
    pub url: String,
    /// The request as the caller gave it (masked).
    pub request: Option<Value>,
    /// The last handshake (see the `open` event's detail for its fields).
    pub handshake: Option<Value>,
    /// The code of the last `closed` event (`None`: never closed, or 1006).
    pub close_code: Option<u16>,
    /// The reason of the last `closed` event.
    pub close_reason: Option<String>,
    /// Events recorded.
    pub event_count: u64,
    /// Bytes of payloads and details stored: what retention by size counts.
    pub bytes: u64,
}

impl SessionSummary {
    /// Where the session came from when wsdeck did not record it itself (`"har"` for one read
    /// by `import_har`), so lists can tell a user which sessions are someone else's capture.
    pub fn imported_from(&self) -> Option<&str> {
        self.request.as_ref()?.get("importedFrom")?.as_str()
    }
}

/// Whether a payload is text (UTF-8) or binary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Valid UTF-8 (always so for text messages).
    Text,
    /// Anything else.
    Binary,
}

impl Format {
    /// `"text"` or `"binary"`, as in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Binary => "binary",
        }
    }
}

/// One recorded event.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEvent {
    /// Position in the session, from 0, without gaps.
    pub seq: u64,
    /// Wall-clock time, milliseconds since the Unix epoch.
    pub time_ms: i64,
    /// Monotonic time since the engine started, microseconds.
    pub mono_us: i64,
    /// The API's event type: `message`, `ping`, `pong`, `open`, `closing`, `closed`,
    /// `connecting`, `redirect`, `error`, `reconnecting`.
    pub kind: String,
    /// For messages, pings, pongs and `closing`.
    pub direction: Option<Direction>,
    /// For messages, pings and pongs.
    pub format: Option<Format>,
    /// Payload size in bytes.
    pub size: u64,
    /// Message, ping or pong body (text as UTF-8); empty for connection events.
    pub payload: Vec<u8>,
    /// The fields of connection events, camelCase as in the API (`open`: the handshake).
    pub detail: Option<Value>,
}

/// One full-text search match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchHit {
    /// The session the message belongs to.
    pub session_id: SessionRecordId,
    /// The message's event seq (for `events(session_id, seq, …)`).
    pub seq: u64,
    /// Text around the match, matched terms between `«` and `»`, cuts shown as `…`.
    pub snippet: String,
}

const SESSION_COLUMNS: &str = "id, started_at, ended_at, url, request, handshake, close_code, close_reason, event_count, bytes";

fn json_column(s: Option<String>) -> Option<Value> {
    s.and_then(|s| serde_json::from_str(&s).ok())
}

fn session_of(r: &SqlRow<'_>) -> rusqlite::Result<SessionSummary> {
    Ok(SessionSummary {
        id: r.get(0)?,
        started_at_ms: r.get(1)?,
        ended_at_ms: r.get(2)?,
        url: r.get(3)?,
        request: json_column(r.get(4)?),
        handshake: json_column(r.get(5)?),
        close_code: r
            .get::<_, Option<i64>>(6)?
            .and_then(|c| u16::try_from(c).ok()),
        close_reason: r.get(7)?,
        event_count: r.get::<_, i64>(8)?.max(0) as u64,
        bytes: r.get::<_, i64>(9)?.max(0) as u64,
    })
}

pub(crate) fn event_of(r: &SqlRow<'_>) -> rusqlite::Result<StoredEvent> {
    Ok(StoredEvent {
        seq: r.get::<_, i64>(0)?.max(0) as u64,
        time_ms: r.get(1)?,
        mono_us: r.get(2)?,
        kind: r.get(3)?,
        direction: match r.get::<_, Option<String>>(4)?.as_deref() {
            Some("in") => Some(Direction::In),
            Some("out") => Some(Direction::Out),
            _ => None,
        },
        format: match r.get::<_, Option<String>>(5)?.as_deref() {
            Some("text") => Some(Format::Text),
            Some("binary") => Some(Format::Binary),
            _ => None,
        },
        size: r.get::<_, i64>(6)?.max(0) as u64,
        payload: r.get::<_, Option<Vec<u8>>>(7)?.unwrap_or_default(),
        detail: json_column(r.get(8)?),
    })
}

pub(crate) const EVENT_QUERY: &str =
    "SELECT seq, time, mono, kind, direction, format, size, payload, detail
     FROM events WHERE session = ?1 AND seq >= ?2 ORDER BY seq LIMIT ?3";

impl History {
    /// Sessions, newest first.
    pub fn list_sessions(&self, filter: &SessionFilter) -> Result<Vec<SessionSummary>> {
        let limit = if filter.limit == 0 { 100 } else { filter.limit };
        let conn = self.read_conn();
        let mut stmt = conn
            .prepare_cached(&format!(
                "SELECT {SESSION_COLUMNS} FROM sessions
                 WHERE (?1 IS NULL OR id < ?1) AND (?2 IS NULL OR instr(lower(url), lower(?2)) > 0)
                 ORDER BY id DESC LIMIT ?3"
            ))
            .map_err(self.sql("listing sessions"))?;
        stmt.query_map(
            params![filter.before_id, filter.url_contains, limit as i64],
            session_of,
        )
        .and_then(|rows| rows.collect())
        .map_err(self.sql("listing sessions"))
    }

    /// One session.
    pub fn session(&self, id: SessionRecordId) -> Result<SessionSummary> {
        let conn = self.read_conn();
        conn.query_row(
            &format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE id = ?1"),
            [id],
            session_of,
        )
        .optional()
        .map_err(self.sql("reading a session"))?
        .ok_or(HistoryError::UnknownSession(id))
    }

    /// Up to `limit` events of a session from `from_seq` on, in order.
    pub fn events(
        &self,
        id: SessionRecordId,
        from_seq: u64,
        limit: usize,
    ) -> Result<Vec<StoredEvent>> {
        self.session(id)?;
        let conn = self.read_conn();
        let mut stmt = conn
            .prepare_cached(EVENT_QUERY)
            .map_err(self.sql("reading events"))?;
        stmt.query_map(
            params![
                id,
                i64::try_from(from_seq).unwrap_or(i64::MAX),
                limit.min(i64::MAX as usize) as i64
            ],
            event_of,
        )
        .and_then(|rows| rows.collect())
        .map_err(self.sql("reading events"))
    }

    /// Full-text search over the text messages of all sessions (FTS5 query syntax: words,
    /// `"phrases"`, `prefix*`, `AND`/`OR`/`NOT`), best matches first.
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<SearchHit>> {
        // FTS5 answers an empty query with `syntax error near ""`, which names nothing.
        if query.trim().is_empty() {
            return Err(HistoryError::BadQuery {
                query: query.to_owned(),
                reason: "it is empty".into(),
            });
        }
        let conn = self.read_conn();
        let run = |query: &str| -> rusqlite::Result<Vec<SearchHit>> {
            let mut stmt = conn.prepare_cached(
                "SELECT e.session, e.seq, snippet(message_fts, 0, '«', '»', '…', 12)
                 FROM message_fts JOIN events e ON e.rowid = message_fts.rowid
                 WHERE message_fts MATCH ?1 ORDER BY rank LIMIT ?2",
            )?;
            stmt.query_map(params![query, limit.min(i64::MAX as usize) as i64], |r| {
                Ok(SearchHit {
                    session_id: r.get(0)?,
                    seq: r.get::<_, i64>(1)?.max(0) as u64,
                    snippet: r.get(2)?,
                })
            })?
            .collect()
        };
        let first = run(query);
        // `first-session`, `user:postman`, `{"a"`: FTS5 syntax to FTS5, text to whoever typed
        // it. A query FTS5 refuses is tried once more with such words taken literally.
        let result = match first {
            Err(rusqlite::Error::SqliteFailure(f, _)) if f.extended_code == 1 => {
                match literal_query(query) {
                    Some(literal) => run(&literal).or(first),
                    None => first,
                }
            }
            other => other,
        };
        result.map_err(|e| match &e {
            // The statement is fixed, so a plain SQLITE_ERROR can only come from the query
            // text (FTS5 reports "fts5: syntax error", "unterminated string", "no such
            // column" for `a-b`, …); busy, I/O and corruption errors have their own codes.
            rusqlite::Error::SqliteFailure(f, Some(msg)) if f.extended_code == 1 => {
                HistoryError::BadQuery {
                    query: query.to_owned(),
                    reason: explain_fts5(msg),
                }
            }
            _ => HistoryError::Sqlite {
                path: self.shared.label.clone(),
                action: "searching",
                source: e,
            },
        })
    }
}

/// `query` with each word FTS5 would read as syntax (`a-b`, `user:x`, `{"a"`, `(x`) put in
/// double quotes, so it is searched as the text it is; `AND`/`OR`/`NOT`/`NEAR`, plain words and
/// `prefix*` stay as they are. `None` when nothing would change.
fn literal_query(query: &str) -> Option<String> {
    let bare = |w: &str| {
        !w.is_empty()
            && w.chars()
                .all(|c| c.is_alphanumeric() || c == '_' || !c.is_ascii())
    };
    let words: Vec<String> = query
        .split_whitespace()
        .map(|w| {
            let stem = w.strip_suffix('*').unwrap_or(w);
            if matches!(w, "AND" | "OR" | "NOT" | "NEAR") || bare(stem) {
                w.to_owned()
            } else {
                format!("\"{}\"", w.replace('"', "\"\""))
            }
        })
        .collect();
    let literal = words.join(" ");
    (literal != query).then_some(literal)
}

/// FTS5's complaint about a query in words: its messages name the token it stopped at, and
/// some (`syntax error near ""`, `no such column`) make sense only to those who know FTS5.
fn explain_fts5(msg: &str) -> String {
    let msg = msg.strip_prefix("fts5: ").unwrap_or(msg);
    if msg == "syntax error near \"\"" {
        "it ends too early (an unclosed parenthesis, or AND/OR/NOT/NEAR with nothing after it)"
            .into()
    } else if let Some(token) = msg.strip_prefix("syntax error near ") {
        format!("{token} is not expected there")
    } else if msg == "unterminated string" {
        "a double quote is not closed".into()
    } else if let Some(column) = msg.strip_prefix("no such column: ") {
        format!("outside double quotes, - and : pick columns, and there is no column {column:?}")
    } else if msg.starts_with("unknown special query") {
        "* alone is no word (a prefix search needs letters before the *)".into()
    } else {
        msg.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::explain_fts5;

    #[test]
    fn fts5_complaints_are_reworded() {
        assert!(explain_fts5("fts5: syntax error near \"\"").contains("ends too early"));
        assert!(explain_fts5("fts5: syntax error near \")\"").starts_with("\")\" is not expected"));
        assert_eq!(
            explain_fts5("unterminated string"),
            "a double quote is not closed"
        );
        assert!(explain_fts5("no such column: like").contains("no column \"like\""));
        assert!(explain_fts5("unknown special query: ").contains("* alone"));
        assert_eq!(explain_fts5("something new"), "something new");
    }
}
