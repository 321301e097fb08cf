//! `wsdeck.search`: which events of a session's log match a filter (text or regex, case,
//! kinds). The UI's message list shows only matches; it asks for their sequence numbers here
//! and fetches the events it shows by page, so one matching rule serves every front end.

use std::borrow::Cow;

use regex::bytes::{Regex, RegexBuilder};
use wsdeck_engine::{Direction, Event, EventKind, Payload};

use crate::error::ApiError;
use crate::wire::sessions::{SearchParams, SearchResult};

/// Largest compiled pattern: a hostile regex fails to compile instead of eating memory.
const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// Entry kinds, as the UI's type filter names them.
pub(crate) use crate::wire::sessions::SearchKind as Kind;

/// A compiled filter.
#[derive(Debug)]
pub(crate) struct Filter {
    pattern: Option<Regex>,
    kinds: Vec<Kind>,
}

impl Filter {
    /// `text` empty matches everything; `regex` false takes it literally. An empty `kinds`
    /// means every kind.
    pub(crate) fn new(
        text: &str,
        case_sensitive: bool,
        regex: bool,
        kinds: Vec<Kind>,
    ) -> Result<Filter, ApiError> {
        let pattern = if text.is_empty() {
            None
        } else {
            let source = if regex {
                Cow::Borrowed(text)
            } else {
                Cow::Owned(regex::escape(text))
            };
            let compiled = RegexBuilder::new(&source)
                .case_insensitive(!case_sensitive)
                .size_limit(REGEX_SIZE_LIMIT)
                .build()
                .map_err(|e| ApiError::BadParam {
                    path: "text".into(),
                    reason: format!("not a valid regular expression: {}", one_line(&e)),
                })?;
            Some(compiled)
        };
        Ok(Filter { pattern, kinds })
    }

    pub(crate) fn matches(&self, e: &Event) -> bool {
        self.matches_parts(kind_of(&e.kind), || searchable(&e.kind))
    }

    /// The same test for an event known by its kind and searchable bytes (a recorded one).
    pub(crate) fn matches_parts<'b>(
        &self,
        kind: Kind,
        bytes: impl FnOnce() -> Cow<'b, [u8]>,
    ) -> bool {
        if !self.kinds.is_empty() && !self.kinds.contains(&kind) {
            return false;
        }
        match &self.pattern {
            None => true,
            Some(p) => p.is_match(&bytes()),
        }
    }
}

/// The filter a search's params describe (a bad regex is a params error at `text`).
pub(crate) fn filter_of<I>(p: &SearchParams<I>) -> Result<Filter, ApiError> {
    Filter::new(
        p.text.as_deref().unwrap_or(""),
        p.case_sensitive.unwrap_or(false),
        p.regex.unwrap_or(false),
        p.kinds.clone().unwrap_or_default(),
    )
}

/// A search's `limit`, checked against `max` (default 1000).
pub(crate) fn limit_of<I>(p: &SearchParams<I>, max: usize) -> Result<usize, ApiError> {
    let limit = p.limit.unwrap_or(1000);
    if limit > max {
        return Err(ApiError::BadParam {
            path: "limit".into(),
            reason: format!("{limit} is more than the maximum of {max}"),
        });
    }
    Ok(limit)
}

/// Events read at a time while scanning.
const CHUNK: usize = 4_096;

/// Scans a log from `from` in chunks (`read(seq, CHUNK)` gives the events from `seq` on,
/// skipping any that are gone) and answers `{seqs, nextSeq, atEnd}`: at most `limit`
/// matches and `max_scan` events per call; `atEnd` once the newest event was looked at.
pub(crate) fn scan<T>(
    from: u64,
    limit: usize,
    max_scan: usize,
    mut read: impl FnMut(u64, usize) -> Result<Vec<T>, ApiError>,
    seq_of: impl Fn(&T) -> u64,
    matches: impl Fn(&T) -> bool,
) -> Result<SearchResult, ApiError> {
    let mut seq = from;
    let mut seqs = Vec::new();
    let mut scanned = 0;
    let mut caught_up = false;
    'scan: while scanned < max_scan {
        let chunk = read(seq, CHUNK)?;
        for e in &chunk {
            seq = seq_of(e) + 1;
            scanned += 1;
            if matches(e) {
                seqs.push(seq - 1);
                if seqs.len() == limit {
                    break 'scan;
                }
            }
        }
        if chunk.len() < CHUNK {
            caught_up = true;
            break;
        }
    }
    Ok(SearchResult {
        seqs,
        next_seq: seq,
        at_end: caught_up,
    })
}

fn one_line(e: &regex::Error) -> String {
    // The regex crate's messages span lines with a caret diagram; keep the last line,
    // which says what is wrong.
    let text = e.to_string();
    text.lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or(&text)
        .trim()
        .trim_start_matches("error: ")
        .to_owned()
}

fn kind_of(kind: &EventKind) -> Kind {
    match kind {
        EventKind::Message {
            direction: Direction::In,
            ..
        } => Kind::In,
        EventKind::Message {
            direction: Direction::Out,
            ..
        } => Kind::Out,
        EventKind::Ping { .. } | EventKind::Pong { .. } => Kind::Control,
        _ => Kind::Connection,
    }
}

/// The bytes a search looks at: a message's or control frame's payload as sent (binary
/// too: a pattern can match bytes), and for connection events what their row shows.
fn searchable(kind: &EventKind) -> Cow<'_, [u8]> {
    match kind {
        EventKind::Message { payload, .. } => Cow::Borrowed(match payload {
            Payload::Text(t) => t.as_bytes(),
            Payload::Binary(b) => b,
        }),
        EventKind::Ping { payload, .. } | EventKind::Pong { payload, .. } => Cow::Borrowed(payload),
        EventKind::Connecting { url, .. } => Cow::Borrowed(url.as_bytes()),
        EventKind::Redirect { from, to, .. } => Cow::Owned(format!("{from} {to}").into_bytes()),
        EventKind::Open(info) => Cow::Owned(
            format!("{} {}", info.url, info.protocol.as_deref().unwrap_or("")).into_bytes(),
        ),
        EventKind::Closing { code, reason, .. } | EventKind::Closed { code, reason, .. } => {
            Cow::Owned(format!("{} {reason}", code.map_or(0, u16::from)).into_bytes())
        }
        EventKind::Error(err) => Cow::Owned(err.to_string().into_bytes()),
        EventKind::Reconnecting { .. } => Cow::Borrowed(b"reconnecting"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, SystemTime};
    use wsdeck_engine::Bytes;

    fn event(kind: EventKind) -> Event {
        Event {
            seq: 0,
            time: SystemTime::UNIX_EPOCH,
            mono: Duration::ZERO,
            kind,
        }
    }

    fn message(direction: Direction, text: &str) -> Event {
        event(EventKind::Message {
            direction,
            payload: Payload::text(text.to_owned()),
        })
    }

    #[test]
    fn text_is_literal_and_case_insensitive_unless_asked() {
        let f = Filter::new("a.b", false, false, vec![]).expect("filter");
        assert!(f.matches(&message(Direction::In, "xA.By")));
        assert!(!f.matches(&message(Direction::In, "axb")));
        let f = Filter::new("a.b", true, true, vec![]).expect("filter");
        assert!(f.matches(&message(Direction::In, "axb")));
        assert!(!f.matches(&message(Direction::In, "AXB")));
    }

    #[test]
    fn kinds_select_directions_control_frames_and_connection_events() {
        let f = Filter::new("", false, false, vec![Kind::Out, Kind::Control]).expect("filter");
        assert!(f.matches(&message(Direction::Out, "x")));
        assert!(!f.matches(&message(Direction::In, "x")));
        assert!(f.matches(&event(EventKind::Ping {
            direction: Direction::In,
            payload: Bytes::from_static(b"p"),
        })));
        assert!(!f.matches(&event(EventKind::Connecting {
            url: "ws://h/".into(),
            attempt: 1,
        })));
    }

    #[test]
    fn binary_payloads_match_bytes() {
        // `(?-u)` makes `\xff` a byte rather than the character U+00FF.
        let f = Filter::new("(?-u)\\x00\\xff", true, true, vec![]).expect("filter");
        let e = event(EventKind::Message {
            direction: Direction::In,
            payload: Payload::Binary(Bytes::from_static(&[1, 0, 0xff])),
        });
        assert!(f.matches(&e));
    }

    #[test]
    fn a_bad_regex_is_a_params_error_in_one_line() {
        let e = Filter::new("(unclosed", false, true, vec![]).expect_err("bad regex");
        let ApiError::BadParam { path, reason } = e else {
            panic!("not a params error: {e:?}");
        };
        assert_eq!(path, "text");
        assert!(
            reason.starts_with("not a valid regular expression: "),
            "{reason}"
        );
        assert!(!reason.contains('\n'), "{reason}");
    }
}
