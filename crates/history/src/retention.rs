//! Removing recorded sessions: by hand ([`History::delete_sessions`]), in one go by age and
//! size ([`History::prune`]), and by the history's own retention settings, kept in the
//! database so that `wsdeck ui`, `wsdeck serve` and `wsdeck history` all apply the same ones.
//!
//! A session being recorded (by this process, or by another whose heartbeat in
//! `sessions.last_write` is fresh) is never removed: its rows are still growing.

use std::time::{Duration, SystemTime};

use std::collections::HashSet;

use rusqlite::{Connection, OptionalExtension as _, Transaction, TransactionBehavior};

use crate::error::{HistoryError, Result};
use crate::row::ms_since_epoch;
use crate::writer::{RECORDING_STALE_MS, now_ms};
use crate::{History, SessionRecordId};

/// Pages returned to the file system per step (4 MiB with 4 KiB pages).
const VACUUM_STEP: i64 = 1024;

/// The `settings` key retention is stored under (a JSON object).
const RETENTION_KEY: &str = "retention";

/// What a removal deleted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PruneReport {
    /// Deleted sessions, oldest first.
    pub sessions: Vec<SessionRecordId>,
    /// Their events.
    pub events: u64,
    /// Their bytes (as in [`crate::SessionSummary::bytes`]).
    pub bytes: u64,
}

/// The longest age limit accepted (100 years): beyond it, say "no limit".
pub const MAX_AGE_DAYS: u32 = 36_500;
/// The largest size limit accepted, in MiB (1 TiB): beyond it, say "no limit".
pub const MAX_MIB: u64 = 1 << 20;

/// How much history to keep; `None` means no limit of that kind. The default keeps
/// everything: nothing recorded is deleted unless someone asked for it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Retention {
    /// Sessions that ended more than this many days ago are deleted.
    pub max_age_days: Option<u32>,
    /// The oldest sessions are deleted while all sessions together hold more bytes.
    pub max_bytes: Option<u64>,
}

impl Retention {
    fn to_json(self) -> serde_json::Value {
        serde_json::json!({"maxAgeDays": self.max_age_days, "maxBytes": self.max_bytes})
    }

    fn from_json(v: &serde_json::Value) -> Retention {
        Retention {
            max_age_days: v["maxAgeDays"].as_u64().and_then(|d| u32::try_from(d).ok()),
            max_bytes: v["maxBytes"].as_u64(),
        }
    }

    /// Whether any limit is set.
    pub fn is_limited(&self) -> bool {
        self.max_age_days.is_some() || self.max_bytes.is_some()
    }
}

/// How big the history is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HistorySize {
    pub sessions: u64,
    pub events: u64,
    /// Payload and detail bytes of all sessions (what retention by size counts).
    pub bytes: u64,
}

impl History {
    /// The retention settings stored in this database (no limits if never set).
    pub fn retention(&self) -> Result<Retention> {
        let text: Option<String> = self
            .read_conn()
            .query_row(
                "SELECT value FROM settings WHERE key = ?1",
                [RETENTION_KEY],
                |r| r.get(0),
            )
            .optional()
            .map_err(self.sql("reading the retention settings"))?;
        Ok(text
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
            .map(|v| Retention::from_json(&v))
            .unwrap_or_default())
    }

    /// Stores `retention` (it applies from now on: call [`History::apply_retention`]).
    pub fn set_retention(&self, retention: Retention) -> Result<()> {
        self.write_conn()
            .execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (RETENTION_KEY, retention.to_json().to_string()),
            )
            .map_err(self.sql("storing the retention settings"))?;
        Ok(())
    }

    /// Deletes what the stored retention settings do not keep.
    pub fn apply_retention(&self) -> Result<PruneReport> {
        let r = self.retention()?;
        if !r.is_limited() {
            return Ok(PruneReport::default());
        }
        self.prune(
            r.max_age_days
                .map(|d| Duration::from_secs(u64::from(d) * 86_400)),
            r.max_bytes,
        )
    }

    /// Sessions, events and bytes recorded.
    pub fn size(&self) -> Result<HistorySize> {
        self.read_conn()
            .query_row(
                "SELECT count(*), coalesce(sum(event_count), 0), coalesce(sum(bytes), 0) FROM sessions",
                [],
                |r| {
                    Ok(HistorySize {
                        sessions: r.get::<_, i64>(0)?.max(0) as u64,
                        events: r.get::<_, i64>(1)?.max(0) as u64,
                        bytes: r.get::<_, i64>(2)?.max(0) as u64,
                    })
                },
            )
            .map_err(self.sql("measuring the history"))
    }

    /// Deletes the sessions `ids`, all or none: an unknown id or one being recorded right
    /// now (by this or another wsdeck) is refused and nothing is deleted.
    pub fn delete_sessions(&self, ids: &[SessionRecordId]) -> Result<PruneReport> {
        let ids: Vec<SessionRecordId> = {
            let mut seen = HashSet::new();
            ids.iter().copied().filter(|id| seen.insert(*id)).collect()
        };
        let mut report = PruneReport::default();
        {
            let mut conn = self.write_conn();
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(self.sql("deleting sessions"))?;
            let recording = self.recording_ids(&tx)?;
            if let Some(id) = ids.iter().find(|id| recording.contains(id)) {
                return Err(HistoryError::SessionLive(*id));
            }
            for &id in &ids {
                let counts: Option<(i64, i64)> = tx
                    .query_row(
                        "SELECT event_count, bytes FROM sessions WHERE id = ?1",
                        [id],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                    .optional()
                    .map_err(self.sql("deleting sessions"))?;
                let Some((events, bytes)) = counts else {
                    return Err(HistoryError::UnknownSession(id));
                };
                self.delete_rows(&tx, id)?;
                report.sessions.push(id);
                report.events += events.max(0) as u64;
                report.bytes += bytes.max(0) as u64;
            }
            tx.commit().map_err(self.sql("deleting sessions"))?;
        }
        self.return_free_pages(&report)?;
        Ok(report)
    }

    /// Deletes whole sessions, oldest first: those that ended (or started, if they never
    /// ended) more than `older_than` ago, then as many more as needed to bring the bytes of
    /// the sessions not being recorded under `max_bytes`. Sessions being recorded (by this
    /// or another wsdeck) are kept and not counted. One session per transaction, so recorders
    /// wait for the database at most the time one deletion takes; freed pages are returned
    /// to the file system in small steps too (no full `VACUUM`).
    pub fn prune(
        &self,
        older_than: Option<Duration>,
        max_bytes: Option<u64>,
    ) -> Result<PruneReport> {
        let (sessions, recording) = {
            let conn = self.write_conn();
            let recording = self.recording_ids(&conn)?;
            let mut stmt = conn
                .prepare("SELECT id, coalesce(ended_at, started_at), event_count, bytes FROM sessions ORDER BY id")
                .map_err(self.sql("pruning"))?;
            let sessions: Vec<(i64, i64, u64, u64)> = stmt
                .query_map([], |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get::<_, i64>(2)?.max(0) as u64,
                        r.get::<_, i64>(3)?.max(0) as u64,
                    ))
                })
                .and_then(|rows| rows.collect::<rusqlite::Result<_>>())
                .map_err(self.sql("pruning"))?;
            (sessions, recording)
        };
        let cutoff = older_than.map(|age| {
            ms_since_epoch(SystemTime::now())
                .saturating_sub(i64::try_from(age.as_millis()).unwrap_or(i64::MAX))
        });
        let mut total: u64 = sessions
            .iter()
            .filter(|s| !recording.contains(&s.0))
            .map(|s| s.3)
            .sum();
        let mut report = PruneReport::default();
        for &(id, last, events, bytes) in &sessions {
            if recording.contains(&id) {
                continue;
            }
            let too_old = cutoff.is_some_and(|c| last < c);
            let too_big = max_bytes.is_some_and(|m| total > m);
            if !too_old && !too_big {
                continue;
            }
            let deleted = {
                let mut conn = self.write_conn();
                let tx = conn
                    .transaction_with_behavior(TransactionBehavior::Immediate)
                    .map_err(self.sql("pruning"))?;
                // Started being recorded again meanwhile (a resumed import, another process)?
                if self.recording_ids(&tx)?.contains(&id) {
                    false
                } else {
                    self.delete_rows(&tx, id)?;
                    tx.commit().map_err(self.sql("pruning"))?;
                    true
                }
            };
            if deleted {
                total -= bytes;
                report.sessions.push(id);
                report.events += events;
                report.bytes += bytes;
            }
        }
        self.return_free_pages(&report)?;
        Ok(report)
    }

    /// Sessions being recorded now: by this process, or not ended and confirmed by their
    /// recorder's heartbeat within [`RECORDING_STALE_MS`] (another wsdeck). A session a
    /// crash cut off stops being confirmed and may be removed.
    fn recording_ids(&self, conn: &Connection) -> Result<HashSet<SessionRecordId>> {
        let mut ids: HashSet<SessionRecordId> = self.live_ids().into_iter().collect();
        let mut stmt = conn
            .prepare_cached("SELECT id FROM sessions WHERE ended_at IS NULL AND last_write >= ?1")
            .map_err(self.sql("finding the sessions being recorded"))?;
        let rows = stmt
            .query_map([now_ms() - RECORDING_STALE_MS], |r| r.get::<_, i64>(0))
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(self.sql("finding the sessions being recorded"))?;
        ids.extend(rows);
        Ok(ids)
    }

    /// One session's rows: its full-text index entries, events and summary.
    fn delete_rows(&self, tx: &Transaction<'_>, id: SessionRecordId) -> Result<()> {
        tx.execute(
            "INSERT INTO message_fts (message_fts, rowid, body)
             SELECT 'delete', rowid, CAST(payload AS TEXT) FROM events
             WHERE session = ?1 AND kind = 'message' AND format = 'text'",
            [id],
        )
        .and_then(|_| tx.execute("DELETE FROM events WHERE session = ?1", [id]))
        .and_then(|_| tx.execute("DELETE FROM sessions WHERE id = ?1", [id]))
        .map_err(self.sql("deleting a session"))?;
        Ok(())
    }

    /// Gives freed pages back to the file system, [`VACUUM_STEP`] pages at a time with the
    /// lock released in between (bounded: at most what the file holds free now).
    fn return_free_pages(&self, report: &PruneReport) -> Result<()> {
        if report.sessions.is_empty() {
            return Ok(());
        }
        let free: i64 = self
            .write_conn()
            .query_row("PRAGMA freelist_count", [], |r| r.get(0))
            .map_err(self.sql("returning free pages"))?;
        for _ in 0..(free.max(0) as u64).div_ceil(VACUUM_STEP as u64).max(1) {
            self.write_conn()
                .execute_batch(&format!("PRAGMA incremental_vacuum({VACUUM_STEP});"))
                .map_err(self.sql("returning free pages"))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SessionMeta;

    /// A session started now and still being recorded.
    fn live_session(h: &History, url: &str) -> SessionRecordId {
        h.start_session(SessionMeta {
            url: url.to_owned(),
            request_json: None,
            started_at: SystemTime::now(),
            secrets: vec![],
        })
        .expect("start")
    }

    /// A session recorded and ended.
    fn session(h: &History, url: &str) -> SessionRecordId {
        let id = live_session(h, url);
        h.end_session(id).expect("end");
        h.flush().expect("committed");
        id
    }

    #[test]
    fn retention_is_stored_and_defaults_to_keeping_everything() {
        let h = History::open_in_memory().expect("open");
        assert_eq!(h.retention().expect("read"), Retention::default());
        let kept = Retention {
            max_age_days: Some(30),
            max_bytes: Some(1 << 30),
        };
        h.set_retention(kept).expect("store");
        assert_eq!(h.retention().expect("read"), kept);
        h.set_retention(Retention::default()).expect("store");
        assert_eq!(h.retention().expect("read"), Retention::default());
        let a = session(&h, "ws://127.0.0.1:1/a");
        h.write_conn()
            .execute("UPDATE sessions SET bytes = 10", [])
            .expect("bytes");
        assert_eq!(h.apply_retention().expect("apply"), PruneReport::default());
        assert_eq!(h.size().expect("size").sessions, 1);
        h.set_retention(Retention {
            max_age_days: None,
            max_bytes: Some(0),
        })
        .expect("store");
        let report = h.apply_retention().expect("apply");
        assert_eq!(report.sessions, vec![a]);
        assert_eq!(h.size().expect("size"), HistorySize::default());
    }

    #[test]
    fn deleting_is_all_or_nothing() {
        let h = History::open_in_memory().expect("open");
        let a = session(&h, "ws://127.0.0.1:1/a");
        let b = session(&h, "ws://127.0.0.1:1/b");
        let err = h.delete_sessions(&[a, 999]).expect_err("unknown id");
        assert!(matches!(err, HistoryError::UnknownSession(999)), "{err}");
        assert_eq!(h.size().expect("size").sessions, 2, "nothing was deleted");
        let report = h.delete_sessions(&[b, b]).expect("delete");
        assert_eq!(report.sessions, vec![b]);
        assert!(h.session(b).is_err());
        assert!(h.session(a).is_ok());
    }

    #[test]
    fn a_session_being_recorded_is_not_deleted() {
        let h = History::open_in_memory().expect("open");
        let live = live_session(&h, "ws://127.0.0.1:1/live");
        let err = h.delete_sessions(&[live]).expect_err("live");
        assert!(
            matches!(err, HistoryError::SessionLive(id) if id == live),
            "{err}"
        );
        assert!(err.to_string().contains("being recorded"), "{err}");
        assert!(h.prune(None, Some(0)).expect("prune").sessions.is_empty());
    }

    #[test]
    fn a_session_another_process_records_is_kept_until_it_ends_or_goes_stale() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("history.db");
        // Two handles on one file: to each other, they are other processes.
        let recorder = History::open(&path).expect("open");
        let other = History::open(&path).expect("open again");
        let live = live_session(&recorder, "ws://127.0.0.1:1/live");
        let err = other
            .delete_sessions(&[live])
            .expect_err("recorded elsewhere");
        assert!(
            matches!(err, HistoryError::SessionLive(id) if id == live),
            "{err}"
        );
        assert!(
            other
                .prune(None, Some(0))
                .expect("prune")
                .sessions
                .is_empty()
        );

        // A crash: never ended, not confirmed for longer than the heartbeat allows.
        let crashed = session(&other, "ws://127.0.0.1:1/crashed");
        other
            .write_conn()
            .execute(
                "UPDATE sessions SET ended_at = NULL, last_write = ?2 WHERE id = ?1",
                (crashed, now_ms() - RECORDING_STALE_MS - 1),
            )
            .expect("age it");
        assert_eq!(
            other.delete_sessions(&[crashed]).expect("delete").sessions,
            vec![crashed]
        );

        recorder.end_session(live).expect("end");
        recorder.flush().expect("committed");
        assert_eq!(
            other.delete_sessions(&[live]).expect("delete").sessions,
            vec![live]
        );
    }
}
