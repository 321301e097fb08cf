//! The writer thread: the one owner of writes, committing one transaction per batch.
//!
//! Recorders hand batches of events to a bounded queue; the writer takes everything queued
//! (up to [`MAX_BATCH_EVENTS`]) and commits it at once, so the commit rate adapts to the
//! load: under a flood each commit carries thousands of events, when quiet each event is
//! committed as soon as it arrives. A `kill -9` loses at most what was queued or in the
//! commit under way; WAL keeps the file consistent.
//!
//! The writer also keeps `sessions.last_write` fresh for the sessions it records (with each
//! batch, and every [`HEARTBEAT`] while they are quiet), which is how every wsdeck process
//! tells a session being recorded from one a crash cut off. A batch that meets a lock held
//! by another process is retried (for up to [`BUSY_RETRY`]) rather than dropped.
//!
//! A batch that cannot be written (disk full, file too large, I/O error) is never dropped
//! quietly: its transaction is rolled back, so what was committed before stays intact, the
//! sessions it carried stop being recorded (a record with a gap in the middle would pass
//! for a whole one), and every [`FailureListener`] hears of it at once with a
//! [`WriteFailure`]. Later events of those sessions are counted as lost; new sessions are
//! recorded again once writing works.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant, SystemTime};

use rusqlite::{Connection, params};
use wsdeck_engine::Event;

use crate::row::{Row, row_of};

/// Most events committed in one transaction.
pub const MAX_BATCH_EVENTS: usize = 10_000;
/// Most events waiting in the queue before recorders wait for the writer.
pub const QUEUE_EVENTS: usize = 50_000;
/// How often the writer confirms, in the database, the sessions it is recording.
pub(crate) const HEARTBEAT: Duration = Duration::from_secs(60);
/// A session not ended and confirmed less than this long ago is being recorded (by some
/// process): three missed heartbeats.
pub(crate) const RECORDING_STALE_MS: i64 = 3 * 60_000;
/// How long a batch is retried while another process holds the database's write lock.
const BUSY_RETRY: Duration = Duration::from_secs(60);

/// Now, in the database's time unit (ms since the Unix epoch).
pub(crate) fn now_ms() -> i64 {
    crate::row::ms_since_epoch(SystemTime::now())
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Nothing held under these locks is left half-updated by a panic that matters.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Set once the batches before it are committed.
#[derive(Debug, Default)]
pub(crate) struct Flushed {
    done: Mutex<Option<Result<(), String>>>,
    cv: Condvar,
}

impl Flushed {
    pub fn wait(&self) -> Result<(), String> {
        let mut done = lock(&self.done);
        loop {
            if let Some(r) = done.take() {
                return r;
            }
            done = self.cv.wait(done).unwrap_or_else(|e| e.into_inner());
        }
    }

    fn set(&self, r: Result<(), String>) {
        *lock(&self.done) = Some(r);
        self.cv.notify_all();
    }
}

#[derive(Debug)]
pub(crate) enum Msg {
    Events { session: i64, events: Vec<Event> },
    End { session: i64 },
    Flush(Arc<Flushed>),
}

impl Msg {
    fn weight(&self) -> usize {
        match self {
            Msg::Events { events, .. } => events.len(),
            _ => 0,
        }
    }
}

#[derive(Debug, Default)]
struct QState {
    items: VecDeque<Msg>,
    events: usize,
    closed: bool,
    wakers: Vec<Waker>,
}

/// A bounded queue usable from threads (blocking) and async tasks (waking).
#[derive(Debug, Default)]
pub(crate) struct Queue {
    st: Mutex<QState>,
    items: Condvar,
    room: Condvar,
}

impl Queue {
    /// Pushes if there is room; gives the message back when full. Err(None) when closed.
    fn try_push(&self, msg: Msg, waker: Option<&Waker>) -> Result<(), Option<Msg>> {
        let mut st = lock(&self.st);
        if st.closed {
            return Err(None);
        }
        let w = msg.weight();
        if w > 0 && st.events > 0 && st.events + w > QUEUE_EVENTS {
            if let Some(waker) = waker {
                st.wakers.push(waker.clone());
            }
            return Err(Some(msg));
        }
        st.events += w;
        st.items.push_back(msg);
        self.items.notify_one();
        Ok(())
    }

    /// Pushes, blocking the thread while the queue is full. False when closed.
    pub fn push(&self, mut msg: Msg) -> bool {
        loop {
            match self.try_push(msg, None) {
                Ok(()) => return true,
                Err(None) => return false,
                Err(Some(m)) => {
                    msg = m;
                    let st = lock(&self.st);
                    if st.events > 0 && !st.closed {
                        drop(self.room.wait(st).unwrap_or_else(|e| e.into_inner()));
                    }
                }
            }
        }
    }

    /// Pushes, waiting (without blocking the thread) while the queue is full.
    pub fn push_async(self: &Arc<Self>, msg: Msg) -> PushFuture {
        PushFuture {
            queue: self.clone(),
            msg: Some(msg),
        }
    }

    /// Takes queued messages (at least one, at most `MAX_BATCH_EVENTS` events unless one
    /// message is larger); `None` once closed and drained.
    #[cfg(test)]
    fn pop_batch(&self, out: &mut Vec<Msg>) -> bool {
        self.pop_batch_within(out, None) != Popped::Closed
    }

    /// Like `pop_batch`, but returns [`Popped::Nothing`] after `wait` with nothing queued.
    fn pop_batch_within(&self, out: &mut Vec<Msg>, wait: Option<Duration>) -> Popped {
        let mut st = lock(&self.st);
        let deadline = wait.map(|w| Instant::now() + w);
        while st.items.is_empty() && !st.closed {
            match deadline {
                None => st = self.items.wait(st).unwrap_or_else(|e| e.into_inner()),
                Some(d) => {
                    let left = d.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return Popped::Nothing;
                    }
                    st = self
                        .items
                        .wait_timeout(st, left)
                        .unwrap_or_else(|e| e.into_inner())
                        .0;
                }
            }
        }
        if st.items.is_empty() {
            return Popped::Closed;
        }
        let mut taken = 0;
        while let Some(front) = st.items.front() {
            let w = front.weight();
            if w > 0 && !out.is_empty() && taken + w > MAX_BATCH_EVENTS {
                break;
            }
            taken += w;
            if let Some(m) = st.items.pop_front() {
                out.push(m);
            }
        }
        st.events -= taken;
        for w in st.wakers.drain(..) {
            w.wake();
        }
        self.room.notify_all();
        Popped::Some
    }

    pub fn close(&self) {
        let mut st = lock(&self.st);
        st.closed = true;
        for w in st.wakers.drain(..) {
            w.wake();
        }
        self.items.notify_all();
        self.room.notify_all();
    }
}

/// What [`Queue::pop_batch_within`] got.
#[derive(Debug, PartialEq, Eq)]
enum Popped {
    Some,
    Nothing,
    Closed,
}

/// The future of [`Queue::push_async`]: true once queued, false if the queue closed.
#[derive(Debug)]
pub(crate) struct PushFuture {
    queue: Arc<Queue>,
    msg: Option<Msg>,
}

impl Future for PushFuture {
    type Output = bool;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<bool> {
        let Some(msg) = self.msg.take() else {
            return Poll::Ready(false);
        };
        match self.queue.try_push(msg, Some(cx.waker())) {
            Ok(()) => Poll::Ready(true),
            Err(None) => Poll::Ready(false),
            Err(Some(m)) => {
                self.msg = Some(m);
                Poll::Pending
            }
        }
    }
}

/// Secrets of the sessions being recorded by this process, by session id. Sessions in it are
/// also spared by `prune`.
pub(crate) type Live = Arc<Mutex<HashMap<i64, Vec<String>>>>;

/// Events that did not reach the history. Either a batch could not be written (`stopped`:
/// the sessions in it are recorded only up to the last batch committed before it, and are
/// no longer recorded), or the recorder fell so far behind a session that its bounded log
/// dropped events before they were read (a gap; recording goes on).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteFailure {
    /// The database file (or `:memory: #n`).
    pub path: String,
    /// The recorded sessions concerned.
    pub sessions: Vec<i64>,
    /// Their events that are not in the history.
    pub lost_events: u64,
    /// What failed, in SQLite's words (`database or disk is full`, `disk I/O error`), or why
    /// events were missed.
    pub reason: String,
    /// Whether recording these sessions stopped (a failed write) or goes on (a gap).
    pub stopped: bool,
    /// What to do about it: free disk space, or (for a damaged file) the command that moves
    /// it away.
    pub advice: String,
}

/// What to do when writing fails for a reason other than a damaged file.
pub(crate) const WRITE_ADVICE: &str = "Free disk space (or check the file's size limit and permissions); new sessions are recorded again once writing works";

impl std::fmt::Display for WriteFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ids: Vec<String> = self.sessions.iter().map(i64::to_string).collect();
        let noun = if ids.len() == 1 {
            "session"
        } else {
            "sessions"
        };
        let sessions = format!("{noun} {}", ids.join(", "));
        if self.stopped {
            write!(
                f,
                "recording into the history {} failed ({}): {sessions} recorded only up to here ({} events not recorded) and no longer recorded; what was recorded before is kept. {}",
                self.path, self.reason, self.lost_events, self.advice,
            )
        } else {
            write!(
                f,
                "the history {} misses {} events of {sessions} ({}); recording goes on after the gap{}",
                self.path,
                self.lost_events,
                self.reason,
                if self.advice.is_empty() {
                    String::new()
                } else {
                    format!(". {}", self.advice)
                },
            )
        }
    }
}

/// Told, on the writer thread, of every [`WriteFailure`] as it happens; it must not block.
pub type FailureListener = Arc<dyn Fn(&WriteFailure) + Send + Sync>;

/// The listeners of one history.
#[derive(Default)]
pub(crate) struct ListenerList(pub Mutex<Vec<FailureListener>>);

impl std::fmt::Debug for ListenerList {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} failure listener(s)", lock(&self.0).len())
    }
}

pub(crate) type Listeners = Arc<ListenerList>;

impl ListenerList {
    /// Tells every listener (outside the lock, so a listener may register another).
    pub fn tell(&self, failure: &WriteFailure) {
        let listeners: Vec<FailureListener> = lock(&self.0).clone();
        for listener in listeners {
            listener(failure);
        }
    }
}

/// The writer thread's loop: runs until the queue is closed and drained.
pub(crate) fn run(
    queue: Arc<Queue>,
    conn: Arc<Mutex<Connection>>,
    live: Live,
    error: Arc<Mutex<Option<String>>>,
    failures: Failures,
) {
    let mut failures = failures;
    let mut batch = Vec::new();
    let mut beat = Instant::now() + HEARTBEAT;
    loop {
        match queue.pop_batch_within(
            &mut batch,
            Some(beat.saturating_duration_since(Instant::now())),
        ) {
            Popped::Closed => break,
            Popped::Nothing => {}
            Popped::Some => {
                failures.drop_stopped(&mut batch);
                if let Err(e) = with_busy_retry(|| write_batch(&mut lock(&conn), &batch, &live)) {
                    *lock(&error) = Some(e.to_string());
                    failures.failed(&batch, &e, &live);
                }
            }
        }
        if Instant::now() >= beat {
            // Quiet sessions are still being recorded: say so for the other processes.
            let ids: Vec<i64> = lock(&live).keys().copied().collect();
            if !ids.is_empty() {
                let _ = with_busy_retry(|| heartbeat(&lock(&conn), &ids));
            }
            beat = Instant::now() + HEARTBEAT;
        }
        for msg in batch.drain(..) {
            if let Msg::Flush(f) = msg {
                // A flush reports any batch that failed since the previous flush.
                f.set(lock(&error).take().map_or(Ok(()), Err));
            }
        }
    }
}

/// What the writer knows of failed batches: the sessions no longer recorded, and who to tell.
pub(crate) struct Failures {
    /// The database, as messages name it.
    pub path: String,
    /// The database's file (`None` in memory), for the command that moves a damaged one away.
    pub file: Option<std::path::PathBuf>,
    pub listeners: Listeners,
    /// Sessions whose recording stopped at a failed batch.
    stopped: BTreeSet<i64>,
}

impl Failures {
    pub fn new(path: String, file: Option<std::path::PathBuf>, listeners: Listeners) -> Self {
        Failures {
            path,
            file,
            listeners,
            stopped: BTreeSet::new(),
        }
    }

    /// Takes the messages of stopped sessions out of `batch`: writing their later events
    /// would leave a gap in the middle of their record, and their end is unknown.
    fn drop_stopped(&self, batch: &mut Vec<Msg>) {
        if !self.stopped.is_empty() {
            batch.retain(|msg| match msg {
                Msg::Events { session, .. } | Msg::End { session } => {
                    !self.stopped.contains(session)
                }
                Msg::Flush(_) => true,
            });
        }
    }

    /// A batch was rolled back: its sessions stop being recorded, and everyone is told.
    fn failed(&mut self, batch: &[Msg], error: &rusqlite::Error, live: &Live) {
        let mut sessions = BTreeSet::new();
        let mut lost_events = 0u64;
        for msg in batch {
            match msg {
                Msg::Events { session, events } => {
                    sessions.insert(*session);
                    lost_events += events.len() as u64;
                }
                Msg::End { session } => {
                    sessions.insert(*session);
                }
                Msg::Flush(_) => {}
            }
        }
        if sessions.is_empty() {
            return;
        }
        {
            let mut live = lock(live);
            for id in &sessions {
                live.remove(id);
            }
        }
        self.stopped.extend(sessions.iter().copied());
        let failure = WriteFailure {
            path: self.path.clone(),
            sessions: sessions.into_iter().collect(),
            lost_events,
            reason: sqlite_reason(error),
            stopped: true,
            advice: match &self.file {
                Some(file) if crate::error::is_damage(error) => format!(
                    "The file is damaged: move it away to start a new history, then start wsdeck again: {}",
                    crate::error::move_away_command(file)
                ),
                _ => WRITE_ADVICE.to_owned(),
            },
        };
        self.listeners.tell(&failure);
    }
}

/// SQLite's own words for a failure, without Rust's wrapping (`SqliteFailure(..)`).
pub(crate) fn sqlite_reason(error: &rusqlite::Error) -> String {
    match error {
        rusqlite::Error::SqliteFailure(_, Some(message)) if !message.is_empty() => message.clone(),
        rusqlite::Error::SqliteFailure(e, _) => e.to_string(),
        other => other.to_string(),
    }
}

/// Runs `write` again while the database is locked by another process, for up to
/// [`BUSY_RETRY`] (each attempt already waits the connection's busy timeout).
fn with_busy_retry(mut write: impl FnMut() -> rusqlite::Result<()>) -> rusqlite::Result<()> {
    let until = Instant::now() + BUSY_RETRY;
    loop {
        match write() {
            Err(rusqlite::Error::SqliteFailure(e, _))
                if matches!(
                    e.code,
                    rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
                ) && Instant::now() < until =>
            {
                std::thread::sleep(Duration::from_millis(100));
            }
            other => return other,
        }
    }
}

/// Marks `ids` as still being recorded now.
fn heartbeat(conn: &Connection, ids: &[i64]) -> rusqlite::Result<()> {
    let mut stmt = conn
        .prepare_cached("UPDATE sessions SET last_write = ?2 WHERE id = ?1 AND ended_at IS NULL")?;
    let now = now_ms();
    for id in ids {
        stmt.execute(params![id, now])?;
    }
    Ok(())
}

/// Inserts rows of one session; returns (rows inserted, bytes) — replays are ignored.
pub(crate) fn insert_rows<'a>(
    tx: &rusqlite::Transaction<'_>,
    session: i64,
    rows: impl IntoIterator<Item = Row<'a>>,
) -> rusqlite::Result<(u64, u64)> {
    let mut insert = tx.prepare_cached(
        "INSERT OR IGNORE INTO events (session, seq, time, mono, kind, direction, format, size, payload, detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    let mut fts = tx.prepare_cached("INSERT INTO message_fts (rowid, body) VALUES (?1, ?2)")?;
    let mut handshake = tx.prepare_cached("UPDATE sessions SET handshake = ?2 WHERE id = ?1")?;
    let mut closed = tx.prepare_cached(
        "UPDATE sessions SET close_code = ?2, close_reason = ?3, ended_at = ?4 WHERE id = ?1",
    )?;
    let (mut count, mut bytes) = (0u64, 0u64);
    for row in rows {
        let detail = row.detail.as_ref().map(|d| d.to_string());
        let n = insert.execute(params![
            session,
            row.seq as i64,
            row.time_ms,
            row.mono_us,
            row.kind,
            row.direction,
            row.format,
            row.size as i64,
            row.payload.as_deref(),
            detail,
        ])?;
        if n == 0 {
            continue;
        }
        count += 1;
        bytes += row.stored_bytes(detail.as_ref().map_or(0, String::len));
        if row.is_text_message() {
            let text = row
                .payload
                .as_deref()
                .map(String::from_utf8_lossy)
                .unwrap_or_default();
            fts.execute(params![tx.last_insert_rowid(), text])?;
        }
        match row.kind {
            "open" => {
                handshake.execute(params![session, detail])?;
            }
            "closed" => {
                let d = row.detail.as_ref();
                closed.execute(params![
                    session,
                    d.and_then(|d| d["code"].as_i64()),
                    d.and_then(|d| d["reason"].as_str()),
                    row.time_ms,
                ])?;
            }
            _ => {}
        }
    }
    tx.prepare_cached(
        "UPDATE sessions SET event_count = event_count + ?2, bytes = bytes + ?3, last_write = ?4 WHERE id = ?1",
    )?
    .execute(params![session, count as i64, bytes as i64, now_ms()])?;
    Ok((count, bytes))
}

fn write_batch(conn: &mut Connection, batch: &[Msg], live: &Live) -> rusqlite::Result<()> {
    // IMMEDIATE: take the write lock first, so a lock held by another process shows as busy
    // here (and is retried) rather than in the middle of the batch.
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    for msg in batch {
        match msg {
            Msg::Events { session, events } => {
                let secrets = lock(live).get(session).cloned().unwrap_or_default();
                insert_rows(&tx, *session, events.iter().map(|e| row_of(e, &secrets)))?;
            }
            Msg::End { session } => {
                tx.execute(
                    "UPDATE sessions SET ended_at = coalesce(
                        (SELECT max(time) FROM events WHERE session = ?1), ended_at, started_at)
                     WHERE id = ?1",
                    params![session],
                )?;
                lock(live).remove(session);
            }
            Msg::Flush(_) => {}
        }
    }
    tx.commit()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::task::Wake;
    use std::time::{Duration, UNIX_EPOCH};
    use wsdeck_engine::{Direction, EventKind, Payload};

    struct Flag(std::sync::atomic::AtomicBool);
    impl Wake for Flag {
        fn wake(self: Arc<Self>) {
            self.0.store(true, std::sync::atomic::Ordering::SeqCst);
        }
    }

    fn events(n: usize) -> Vec<Event> {
        (0..n)
            .map(|i| Event {
                seq: i as u64,
                time: UNIX_EPOCH,
                mono: Duration::ZERO,
                kind: EventKind::Message {
                    direction: Direction::In,
                    payload: Payload::text("x"),
                },
            })
            .collect()
    }

    #[test]
    fn async_push_waits_for_room_and_is_woken() {
        let q = Arc::new(Queue::default());
        assert!(q.push(Msg::Events {
            session: 1,
            events: events(QUEUE_EVENTS)
        }));
        let flag = Arc::new(Flag(Default::default()));
        let waker = Waker::from(flag.clone());
        let mut cx = Context::from_waker(&waker);
        let mut fut = q.push_async(Msg::Events {
            session: 1,
            events: events(10),
        });
        assert!(
            Pin::new(&mut fut).poll(&mut cx).is_pending(),
            "queue is full"
        );
        // Zero-weight messages (end, flush) always get in.
        assert!(q.push(Msg::End { session: 1 }));
        let mut out = Vec::new();
        assert!(q.pop_batch(&mut out));
        assert_eq!(out.len(), 2);
        assert!(
            flag.0.load(std::sync::atomic::Ordering::SeqCst),
            "popping wakes the sender"
        );
        assert!(Pin::new(&mut fut).poll(&mut cx) == Poll::Ready(true));
        q.close();
        out.clear();
        assert!(
            q.pop_batch(&mut out),
            "what was queued is drained after close"
        );
        out.clear();
        assert!(!q.pop_batch(&mut out));
        assert!(!q.push(Msg::End { session: 1 }));
    }
}
