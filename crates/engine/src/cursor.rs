//! A reader's place in a session log.
//!
//! Every consumer of a log — the CLI printer, the API's subscriptions and snap sockets, the
//! history recorder, Autobahn, `Session::wait_open` — reads the same way: a batch from its
//! position, the events it missed because the retention dropped them, and whether the log
//! has ended. [`LogCursor`] keeps that position so no reader does the bookkeeping by hand.

use std::sync::Arc;

use crate::event::Event;
use crate::log::SessionLog;

/// What one read brought besides its events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Batch {
    /// Events between the cursor and the oldest kept one that left memory before they
    /// were read (told once, at the read that skipped them).
    pub missed: u64,
    /// The session has ended and the cursor is past its last event: no read will bring more.
    pub at_end: bool,
}

/// A position in one session log, moved past what each read returns.
#[derive(Debug, Clone)]
pub struct LogCursor {
    log: Arc<SessionLog>,
    next_seq: u64,
}

impl LogCursor {
    /// A cursor at the log's first event (sequence number 0).
    pub fn new(log: Arc<SessionLog>) -> Self {
        Self::at(log, 0)
    }

    /// A cursor at sequence number `seq`.
    pub fn at(log: Arc<SessionLog>, seq: u64) -> Self {
        LogCursor { log, next_seq: seq }
    }

    /// The sequence number the next read starts at.
    pub fn position(&self) -> u64 {
        self.next_seq
    }

    /// The log read.
    pub fn log(&self) -> &Arc<SessionLog> {
        &self.log
    }

    /// Replaces `out` with up to `max` events from the cursor, waiting until there is at
    /// least one or the log has ended, and moves past them.
    pub async fn next(&mut self, max: usize, out: &mut Vec<Event>) -> Batch {
        self.log.wait_past(self.next_seq).await;
        self.read_now(max, out)
    }

    /// As [`next`](Self::next) without waiting: `out` may be left empty.
    pub fn read_now(&mut self, max: usize, out: &mut Vec<Event>) -> Batch {
        out.clear();
        let outcome = self.log.read(self.next_seq, max, out);
        self.next_seq = outcome.next_seq;
        Batch {
            missed: outcome.missed,
            at_end: outcome.at_end,
        }
    }

    /// Waits until an event at or past the cursor exists, or the log has ended.
    pub async fn wait(&self) {
        self.log.wait_past(self.next_seq).await;
    }

    /// Moves the cursor to `seq`: a reader that handled only part of a batch comes back for
    /// the rest.
    pub fn seek(&mut self, seq: u64) {
        self.next_seq = seq;
    }

    /// For the log's pacing reader (see `SessionLog::set_pacing`): every event before the
    /// cursor has been handled, so the socket may go on.
    pub fn acknowledge(&self) {
        self.log.acknowledge(self.next_seq);
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::*;
    use crate::event::{EventKind, Payload};
    use crate::log::tests::{keeping, msg};
    use crate::spec::Retention;

    fn texts(events: &[Event]) -> Vec<String> {
        events
            .iter()
            .map(|e| match &e.kind {
                EventKind::Message {
                    payload: Payload::Text(t),
                    ..
                } => t.to_string(),
                other => format!("{other:?}"),
            })
            .collect()
    }

    #[tokio::test]
    async fn reads_on_from_where_it_stopped_and_says_when_the_log_ends() {
        let log = Arc::new(SessionLog::new(Retention::default(), Instant::now()));
        for s in ["a", "b", "c"] {
            log.append(msg(s));
        }
        let mut cursor = LogCursor::new(log.clone());
        let mut out = vec![];
        let batch = cursor.next(2, &mut out).await;
        assert_eq!(
            (texts(&out), batch.at_end),
            (vec!["a".into(), "b".into()], false)
        );
        log.finish();
        let batch = cursor.next(10, &mut out).await;
        assert_eq!(texts(&out), ["c"]);
        assert!(batch.at_end);
        assert_eq!(cursor.position(), 3);
    }

    #[tokio::test]
    async fn waits_for_the_next_event() {
        let log = Arc::new(SessionLog::new(Retention::default(), Instant::now()));
        let mut cursor = LogCursor::new(log.clone());
        let mut out = vec![];
        assert_eq!(cursor.read_now(10, &mut out).missed, 0);
        assert!(out.is_empty(), "nothing there yet");
        let writer = tokio::spawn({
            let log = log.clone();
            async move {
                tokio::time::sleep(Duration::from_millis(20)).await;
                log.append(msg("late"));
            }
        });
        tokio::time::timeout(Duration::from_secs(5), cursor.next(10, &mut out))
            .await
            .expect("woken by the append");
        assert_eq!(texts(&out), ["late"]);
        writer.await.expect("writer");
    }

    #[test]
    fn tells_what_the_retention_dropped_once_and_can_go_back() {
        let retention = keeping(2);
        let log = Arc::new(SessionLog::new(retention, Instant::now()));
        for s in ["a", "b", "c", "d"] {
            log.append(msg(s));
        }
        let mut cursor = LogCursor::new(log);
        let mut out = vec![];
        assert_eq!(cursor.read_now(1, &mut out).missed, 2);
        assert_eq!(texts(&out), ["c"]);
        cursor.seek(2);
        assert_eq!(cursor.read_now(10, &mut out).missed, 0, "told once");
        assert_eq!(texts(&out), ["c", "d"]);
    }
}
