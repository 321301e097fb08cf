//! The database layout and its versions (`PRAGMA user_version`).

use rusqlite::{Connection, TransactionBehavior};

use std::path::Path;

use crate::error::{HistoryError, Result, is_damage, move_away_command};
use crate::writer::sqlite_reason;

/// The schema version this code writes and reads.
pub const SCHEMA_VERSION: i64 = 2;

/// `PRAGMA application_id`: "wsdh", marks the file as a wsdeck history.
pub const APPLICATION_ID: i64 = 0x7773_6468;

/// Version 1. Times are milliseconds since the Unix epoch, monotonic times microseconds.
/// `events.payload` holds the message body (text as UTF-8), `events.detail` the JSON of
/// connection events. `message_fts` indexes text message bodies, with `events` (through
/// the `message_text` view) as its external content, so the text is stored once.
/// Session ids are AUTOINCREMENT so that an id pruned away is never given to a new session.
const SCHEMA_V1: &str = "
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at INTEGER NOT NULL,
    ended_at INTEGER,
    url TEXT NOT NULL,
    request TEXT,
    handshake TEXT,
    close_code INTEGER,
    close_reason TEXT,
    event_count INTEGER NOT NULL DEFAULT 0,
    bytes INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE events (
    session INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    time INTEGER NOT NULL,
    mono INTEGER NOT NULL,
    kind TEXT NOT NULL,
    direction TEXT,
    format TEXT,
    size INTEGER NOT NULL,
    payload BLOB,
    detail TEXT,
    UNIQUE (session, seq)
);
CREATE VIEW message_text AS
    SELECT rowid AS id, CAST(payload AS TEXT) AS body FROM events;
CREATE VIRTUAL TABLE message_fts USING fts5(body, content='message_text', content_rowid='id');
";

/// Version 2: the history's own settings (retention), one JSON value per key; and
/// `sessions.last_write`, when a recorder last wrote or confirmed a live session (its
/// heartbeat), so that every process can tell a session being recorded (by any wsdeck) from
/// one cut off by a crash.
const SCHEMA_V2: &str = "
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
ALTER TABLE sessions ADD COLUMN last_write INTEGER;
";

/// Switches to WAL and returns the journal mode then in force. Switching needs the database
/// to itself for a moment, and SQLite answers "database is locked" at once (without the busy
/// handler) when another process is switching or reading at that instant — as several
/// recorders starting together do. So it is retried, for at most [`WAL_SWITCH_WAIT`].
fn journal_mode_wal(conn: &Connection) -> rusqlite::Result<String> {
    let deadline = std::time::Instant::now() + WAL_SWITCH_WAIT;
    loop {
        match conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0)) {
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::DatabaseBusy
                    && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            other => return other,
        }
    }
}

/// How long [`journal_mode_wal`] retries while other processes hold the database.
const WAL_SWITCH_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// Brings a freshly opened connection to the current schema, or says why it cannot.
/// `file` is the database's file (`None` in memory), named in the command that moves a bad
/// one away.
pub fn prepare(conn: &mut Connection, label: &str, file: Option<&Path>) -> Result<()> {
    let move_away = || file.map(move_away_command).unwrap_or_default();
    let not_history = |e: rusqlite::Error| {
        if is_damage(&e) {
            HistoryError::Damaged {
                path: label.to_owned(),
                reason: sqlite_reason(&e),
                move_away: move_away(),
            }
        } else {
            HistoryError::NotHistory {
                path: label.to_owned(),
                reason: sqlite_reason(&e),
                move_away: move_away(),
            }
        }
    };
    // First, so the statements below wait for other processes' locks instead of failing.
    conn.busy_timeout(std::time::Duration::from_secs(5))
        .map_err(not_history)?;
    // Must come before the first table exists; no effect on an existing database.
    conn.execute_batch("PRAGMA auto_vacuum = INCREMENTAL;")
        .map_err(not_history)?;
    let mode = journal_mode_wal(conn).map_err(not_history)?;
    if !mode.eq_ignore_ascii_case("wal") && !mode.eq_ignore_ascii_case("memory") {
        return Err(HistoryError::NotHistory {
            path: label.to_owned(),
            reason: format!("journal mode stays {mode:?} instead of WAL"),
            move_away: move_away(),
        });
    }
    conn.execute_batch("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = OFF;")
        .map_err(not_history)?;

    let fts5: bool = conn
        .query_row("SELECT sqlite_compileoption_used('ENABLE_FTS5')", [], |r| {
            r.get(0)
        })
        .map_err(not_history)?;
    if !fts5 {
        return Err(HistoryError::NoFts5);
    }

    // Checked and changed under a write lock, so two processes opening an old (or new)
    // database at once do not both upgrade (or create) it.
    let sqlite = |action: &'static str| {
        move |source: rusqlite::Error| HistoryError::from_sqlite(label, file, action, source)
    };
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(sqlite("locking the database to check its schema"))?;
    let version: i64 = tx
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(not_history)?;
    let app_id: i64 = tx
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .map_err(not_history)?;
    let tables: i64 = tx
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
        .map_err(not_history)?;

    if tables == 0 && version == 0 {
        tx.execute_batch(SCHEMA_V1)
            .and_then(|()| tx.execute_batch(SCHEMA_V2))
            .and_then(|()| {
                tx.execute_batch(&format!(
                    "PRAGMA user_version = {SCHEMA_VERSION}; PRAGMA application_id = {APPLICATION_ID};"
                ))
            })
            .map_err(sqlite("creating the schema"))?;
        return tx.commit().map_err(sqlite("creating the schema"));
    }
    if app_id != APPLICATION_ID {
        return Err(HistoryError::NotHistory {
            path: label.to_owned(),
            reason: format!("it is an SQLite database of another application (id {app_id:#x})"),
            move_away: move_away(),
        });
    }
    if version > SCHEMA_VERSION {
        return Err(HistoryError::TooNew {
            path: label.to_owned(),
            found: version,
            known: SCHEMA_VERSION,
            move_away: move_away(),
        });
    }
    if version < 1 {
        return Err(HistoryError::NotHistory {
            path: label.to_owned(),
            reason: format!("unknown schema version {version}"),
            move_away: move_away(),
        });
    }
    if version < 2 {
        tx.execute_batch(SCHEMA_V2)
            .and_then(|()| tx.execute_batch("PRAGMA user_version = 2;"))
            .map_err(sqlite("upgrading the schema to version 2"))?;
    }
    tx.commit().map_err(sqlite("checking the schema"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_sqlite_has_fts5_and_the_schema_is_versioned() {
        let mut conn = Connection::open_in_memory().unwrap();
        let fts5: bool = conn
            .query_row("SELECT sqlite_compileoption_used('ENABLE_FTS5')", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert!(fts5);
        prepare(&mut conn, "test", None).unwrap();
        let v: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, SCHEMA_VERSION);
        // Preparing again is a no-op on a current database.
        prepare(&mut conn, "test", None).unwrap();
    }

    #[test]
    fn a_version_1_database_is_upgraded_in_place() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(SCHEMA_V1).unwrap();
        conn.execute_batch(&format!(
            "PRAGMA user_version = 1; PRAGMA application_id = {APPLICATION_ID};"
        ))
        .unwrap();
        conn.execute(
            "INSERT INTO sessions (started_at, url) VALUES (1, 'ws://127.0.0.1/')",
            [],
        )
        .unwrap();
        prepare(&mut conn, "test", None).unwrap();
        let v: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, 2);
        let kept: i64 = conn
            .query_row("SELECT count(*) FROM sessions", [], |r| r.get(0))
            .unwrap();
        assert_eq!(kept, 1, "the sessions recorded before the upgrade stay");
        conn.execute("INSERT INTO settings VALUES ('k', '1')", [])
            .unwrap();
        conn.execute("UPDATE sessions SET last_write = 2", [])
            .unwrap();
    }

    #[test]
    fn processes_opening_an_old_database_at_once_upgrade_it_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("history.db");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(SCHEMA_V1).unwrap();
            conn.execute_batch(&format!(
                "PRAGMA user_version = 1; PRAGMA application_id = {APPLICATION_ID};"
            ))
            .unwrap();
        }
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(4));
        let openers: Vec<_> = (0..4)
            .map(|_| {
                let (path, barrier) = (path.clone(), barrier.clone());
                std::thread::spawn(move || {
                    let mut conn = Connection::open(&path).unwrap();
                    barrier.wait();
                    prepare(&mut conn, "test", None).map_err(|e| e.to_string())
                })
            })
            .collect();
        for opener in openers {
            assert_eq!(opener.join().unwrap(), Ok(()));
        }
        let conn = Connection::open(&path).unwrap();
        let v: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, SCHEMA_VERSION);
    }
}
