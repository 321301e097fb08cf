//! wsdeck's history: every session recorded in an embedded SQLite database.
//!
//! A [`History`] is one database file (WAL, so a `kill -9` never corrupts it) with a
//! dedicated writer thread. Front ends [`start_session`](History::start_session), then hand
//! the session's events to [`record_log`] (or [`History::record`]); the writer commits one
//! transaction per batch, so floods of messages are recorded in full. The same handle lists,
//! pages, searches (FTS5), deletes and prunes (also by stored retention settings) and exports sessions (JSONL, HAR) and imports HAR files.
//!
//! The file is readable by its owner only (0600 on Unix, -wal and -shm too): payloads may
//! hold secrets. Writers [`open`](History::open) it, creating it if need be; readers use
//! [`open_existing`](History::open_existing), which creates nothing.
//!
//! Secrets: the caller passes the request already masked and the secret values in
//! [`SessionMeta::secrets`]; they are replaced by `****` in the stored URL, request,
//! handshake and connection-event details (never in message payloads), and the values of
//! `Authorization`, `Proxy-Authorization`, `Cookie` and `Set-Cookie` headers are never stored.

mod error;
mod export;
#[cfg(test)]
mod failure_tests;
mod private;
mod query;
mod retention;
mod row;
mod schema;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::SystemTime;

use rusqlite::{Connection, OpenFlags, params};
use serde_json::Value;
use wsdeck_engine::{Event, LogCursor, SessionLog};

pub use error::{HistoryError, Result};
pub use query::{Format, SearchHit, SessionFilter, SessionSummary, StoredEvent};
pub use retention::{HistorySize, MAX_AGE_DAYS, MAX_MIB, PruneReport, Retention};
pub use schema::SCHEMA_VERSION;
pub use writer::{FailureListener, MAX_BATCH_EVENTS, QUEUE_EVENTS, WriteFailure};

use writer::{Failures, Flushed, Listeners, Live, Msg, Queue, lock};

/// The id of a recorded session (the `sessions` table's primary key; not the engine's id).
pub type SessionRecordId = i64;

/// What is known about a session when its recording starts.
#[derive(Debug, Clone)]
pub struct SessionMeta {
    /// The URL as people may see it (secrets already masked by the caller, or listed below).
    pub url: String,
    /// The request (URL, headers, protocols, settings) as JSON, secrets already masked.
    pub request_json: Option<Value>,
    /// When the session started.
    pub started_at: SystemTime,
    /// Secret values to replace by `****` in the URL, request and handshake (not payloads).
    pub secrets: Vec<String>,
}

/// A history database: cheap to clone, shared by every recorder and reader of the process.
#[derive(Debug, Clone)]
pub struct History {
    shared: Arc<Shared>,
}

/// The name the brief gives the cloneable handle; a [`History`] is one.
pub type HistoryHandle = History;

#[derive(Debug)]
struct Shared {
    label: String,
    path: Option<PathBuf>,
    /// The writer thread's connection; also used for short writes (sessions, prune, import).
    write: Arc<Mutex<Connection>>,
    /// Queries; a second connection for files (WAL readers do not wait for the writer), the
    /// same one in memory.
    read: Arc<Mutex<Connection>>,
    live: Live,
    queue: Arc<Queue>,
    writer_error: Arc<Mutex<Option<String>>>,
    writer: Mutex<Option<JoinHandle<()>>>,
    /// Told of every batch the writer could not write.
    failure_listeners: Listeners,
}

impl Drop for Shared {
    fn drop(&mut self) {
        // The writer drains what was queued, commits it and ends.
        self.queue.close();
        if let Some(handle) = lock(&self.writer).take() {
            let _ = handle.join();
        }
    }
}

static MEMORY_DBS: AtomicU64 = AtomicU64::new(0);

impl History {
    /// Opens (or creates, with its parent directories) the history at `path`: for front ends
    /// that record or otherwise write (a new file is made readable by its owner only, since
    /// message payloads may hold secrets).
    pub fn open(path: impl AsRef<Path>) -> Result<History> {
        let path = path.as_ref();
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| HistoryError::CreateDir {
                path: parent.to_owned(),
                source,
            })?;
        }
        private::create(path)?;
        Self::open_file(path, OpenFlags::SQLITE_OPEN_CREATE)
    }

    /// Opens the history at `path` only if it exists ([`HistoryError::NoDatabase`] if not),
    /// creating nothing: for readers, so that a mistyped path is reported instead of being
    /// answered with a new empty history (and new folders) there.
    pub fn open_existing(path: impl AsRef<Path>) -> Result<History> {
        let path = path.as_ref();
        if !path.exists() {
            return Err(HistoryError::NoDatabase {
                path: path.to_owned(),
            });
        }
        Self::open_file(path, OpenFlags::empty()).map_err(|e| match e {
            // Removed between the check and the open: SQLite was told not to create it.
            HistoryError::Open { .. } if !path.exists() => HistoryError::NoDatabase {
                path: path.to_owned(),
            },
            e => e,
        })
    }

    /// Opens both connections of an existing (or, with `create`, new) file and brings it to
    /// the current schema.
    fn open_file(path: &Path, create: OpenFlags) -> Result<History> {
        let label = path.display().to_string();
        // `Connection::open`'s flags, with SQLITE_OPEN_CREATE only when asked for.
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | create;
        // Before SQLite opens it: its -wal and -shm files take the database file's mode.
        private::tighten(path);
        let open = || {
            Connection::open_with_flags(path, flags).map_err(|source| HistoryError::Open {
                path: label.clone(),
                source,
            })
        };
        let mut write = open()?;
        check_not_truncated(path, &label)?;
        schema::prepare(&mut write, &label, Some(path))?;
        // An older wsdeck (or a crash) may have left them readable by others.
        for suffix in ["-wal", "-shm"] {
            let mut side = path.as_os_str().to_owned();
            side.push(suffix);
            private::tighten(Path::new(&side));
        }
        let read = open()?;
        read.busy_timeout(std::time::Duration::from_secs(5))
            .and_then(|()| read.execute_batch("PRAGMA query_only = ON;"))
            .map_err(|source| HistoryError::Open {
                path: label.clone(),
                source,
            })?;
        Ok(Self::start(label, Some(path.to_owned()), write, Some(read)))
    }

    /// A history that lives in memory only, for tests and `--no-history` runs.
    pub fn open_in_memory() -> Result<History> {
        let n = MEMORY_DBS.fetch_add(1, Ordering::Relaxed);
        let label = format!(":memory: #{n}");
        let mut conn = Connection::open_in_memory().map_err(|source| HistoryError::Open {
            path: label.clone(),
            source,
        })?;
        schema::prepare(&mut conn, &label, None)?;
        Ok(Self::start(label, None, conn, None))
    }

    fn start(
        label: String,
        path: Option<PathBuf>,
        write: Connection,
        read: Option<Connection>,
    ) -> History {
        let write = Arc::new(Mutex::new(write));
        let read = match read {
            Some(r) => Arc::new(Mutex::new(r)),
            None => write.clone(),
        };
        let queue = Arc::new(Queue::default());
        let live: Live = Arc::default();
        let writer_error = Arc::new(Mutex::new(None));
        let failure_listeners = Listeners::default();
        let handle = {
            let (queue, conn, live, error) = (
                queue.clone(),
                write.clone(),
                live.clone(),
                writer_error.clone(),
            );
            let failures = Failures::new(label.clone(), path.clone(), failure_listeners.clone());
            std::thread::Builder::new()
                .name("wsdeck-history-writer".into())
                .spawn(move || writer::run(queue, conn, live, error, failures))
        };
        let writer = match handle {
            Ok(h) => Some(h),
            Err(e) => {
                // Without a thread nothing can be recorded; every record call will say so.
                queue.close();
                *lock(&writer_error) = Some(format!("could not start the writer thread: {e}"));
                None
            }
        };
        History {
            shared: Arc::new(Shared {
                label,
                path,
                write,
                read,
                live,
                queue,
                writer_error,
                writer: Mutex::new(writer),
                failure_listeners,
            }),
        }
    }

    /// Calls `listener` (on the writer thread, so it must not block) each time a batch of
    /// events cannot be written: the sessions in it are no longer recorded, and whoever
    /// records them must tell the user at once rather than let the record end silently.
    pub fn on_write_failure(&self, listener: impl Fn(&WriteFailure) + Send + Sync + 'static) {
        lock(&self.shared.failure_listeners.0).push(Arc::new(listener));
    }

    /// Tells the failure listeners that `missed` events of `session` never reached the
    /// history (its log dropped them before they were read); recording goes on.
    pub fn report_gap(&self, session: SessionRecordId, missed: u64) {
        self.shared.failure_listeners.tell(&WriteFailure {
            path: self.shared.label.clone(),
            sessions: vec![session],
            lost_events: missed,
            reason: "the session's log, which is bounded, dropped them before the history could take them: the recorder fell behind".to_owned(),
            stopped: false,
            advice: String::new(),
        });
    }

    /// The database file, `None` in memory.
    pub fn path(&self) -> Option<&Path> {
        self.shared.path.as_deref()
    }

    pub(crate) fn sql(
        &self,
        action: &'static str,
    ) -> impl Fn(rusqlite::Error) -> HistoryError + '_ {
        move |source| {
            HistoryError::from_sqlite(
                &self.shared.label,
                self.shared.path.as_deref(),
                action,
                source,
            )
        }
    }

    pub(crate) fn read_conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        lock(&self.shared.read)
    }

    pub(crate) fn write_conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        lock(&self.shared.write)
    }

    pub(crate) fn live_ids(&self) -> Vec<i64> {
        lock(&self.shared.live).keys().copied().collect()
    }

    /// Creates the session's row; its events are recorded under the returned id.
    pub fn start_session(&self, meta: SessionMeta) -> Result<SessionRecordId> {
        let secrets: Vec<String> = meta.secrets.into_iter().filter(|s| !s.is_empty()).collect();
        let url = row::mask_str(&meta.url, &secrets);
        let request = meta.request_json.map(|mut v| {
            row::mask_value(&mut v, &secrets);
            v.to_string()
        });
        let id = {
            let conn = self.write_conn();
            conn.execute(
                "INSERT INTO sessions (started_at, url, request, last_write) VALUES (?1, ?2, ?3, ?4)",
                params![
                    row::ms_since_epoch(meta.started_at),
                    url,
                    request,
                    writer::now_ms()
                ],
            )
            .map_err(self.sql("recording a new session"))?;
            conn.last_insert_rowid()
        };
        lock(&self.shared.live).insert(id, secrets);
        Ok(id)
    }

    fn stopped(&self) -> HistoryError {
        match lock(&self.shared.writer_error).clone() {
            Some(e) => HistoryError::Recorder(e),
            None => HistoryError::RecorderStopped,
        }
    }

    /// Queues events of a session for the writer, blocking this thread while the queue is
    /// full (use [`record_async`](Self::record_async) from async code).
    pub fn record(&self, session: SessionRecordId, events: &[Event]) -> Result<()> {
        if events.is_empty() {
            return Ok(());
        }
        let msg = Msg::Events {
            session,
            events: events.to_vec(),
        };
        if self.shared.queue.push(msg) {
            Ok(())
        } else {
            Err(self.stopped())
        }
    }

    /// Queues events without blocking the thread: waits for room in the queue instead.
    pub async fn record_async(&self, session: SessionRecordId, events: Vec<Event>) -> Result<()> {
        if events.is_empty() {
            return Ok(());
        }
        if self
            .shared
            .queue
            .push_async(Msg::Events { session, events })
            .await
        {
            Ok(())
        } else {
            Err(self.stopped())
        }
    }

    /// Marks the session ended (its end time is its last event's) once its events are written.
    pub fn end_session(&self, session: SessionRecordId) -> Result<()> {
        if self.shared.queue.push(Msg::End { session }) {
            Ok(())
        } else {
            Err(self.stopped())
        }
    }

    /// Waits until everything queued before is committed; reports a failed commit. Blocks
    /// the thread (from async code, call it on a blocking thread).
    pub fn flush(&self) -> Result<()> {
        let flushed = Arc::new(Flushed::default());
        if !self.shared.queue.push(Msg::Flush(flushed.clone())) {
            return Err(self.stopped());
        }
        flushed.wait().map_err(HistoryError::Recorder)
    }
}

/// Refuses a database file shorter than its own header says (cut off by a copy, a full disk
/// or a bad sync): SQLite opens such a file and fails only when a query reaches a missing
/// page, which would let a recorder start on a file it cannot use. Checked only when no
/// write-ahead log is waiting to be replayed (a checkpoint interrupted by a crash may leave
/// the header ahead of the file until the log is replayed).
fn check_not_truncated(path: &Path, label: &str) -> Result<()> {
    use std::io::Read as _;
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    if std::fs::metadata(Path::new(&wal)).is_ok_and(|m| m.len() > 0) {
        return Ok(());
    }
    let Ok(mut file) = std::fs::File::open(path) else {
        return Ok(()); // SQLite's own open says what is wrong.
    };
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let mut header = [0u8; 100];
    let damaged = |reason: String| HistoryError::Damaged {
        path: label.to_owned(),
        reason,
        move_away: error::move_away_command(path),
    };
    if len == 0 {
        return Ok(()); // A new, empty database.
    }
    if len < header.len() as u64 || file.read_exact(&mut header).is_err() {
        return Err(damaged(format!(
            "the file is only {len} bytes long, shorter than a database header"
        )));
    }
    if &header[..16] != b"SQLite format 3\0" {
        return Ok(()); // Not SQLite at all: SQLite says so.
    }
    let be32 = |at: usize| {
        u32::from_be_bytes([header[at], header[at + 1], header[at + 2], header[at + 3]])
    };
    let page_size = match u16::from_be_bytes([header[16], header[17]]) {
        1 => 65_536u64,
        n => u64::from(n),
    };
    // The page count in the header is valid only when written by a version that keeps it.
    let count_valid = be32(24) == be32(92);
    let expected = u64::from(be32(28)) * page_size;
    if count_valid && expected > len {
        return Err(damaged(format!(
            "the file is {len} bytes long but its header says {expected}: it was cut off"
        )));
    }
    Ok(())
}

/// Records a session's log from seq 0 until it ends, in batches of up to 1,000 events. The
/// log is bounded: events it dropped before they were read are missing from the history too
/// — each such gap is told to the failure listeners as it is found (never silently), and
/// the total is returned. Ends the session's record at the end.
pub async fn record_log(
    history: History,
    id: SessionRecordId,
    log: Arc<SessionLog>,
) -> Result<u64> {
    let mut cursor = LogCursor::new(log);
    let mut missed = 0;
    loop {
        let mut batch = Vec::with_capacity(64);
        let outcome = cursor.next(1000, &mut batch).await;
        if outcome.missed > 0 {
            history.report_gap(id, outcome.missed);
        }
        missed += outcome.missed;
        history.record_async(id, batch).await?;
        if outcome.at_end {
            break;
        }
    }
    history.end_session(id)?;
    Ok(missed)
}
