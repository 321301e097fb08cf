//! The session log: append-only, addressed by sequence number, bounded by retention.
//!
//! The socket reader only appends and never waits for a reader. Each consumer keeps its own
//! position (a plain `u64`) and reads from it; a consumer that falls behind further than the
//! retention allows is told exactly how many events it missed, so nothing is lost silently.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime};

use tokio::sync::Notify;

use crate::event::{Event, EventKind};
use crate::spec::Retention;

/// Bytes charged per event on top of its payload, so that many tiny events are bounded too:
/// what an event really costs, its slot in the deque plus the allocator's header of its
/// payload (charging less let a log of 32-byte messages hold a third more than its budget).
const EVENT_OVERHEAD: usize = std::mem::size_of::<Event>() + 16;

/// A byte budget that several session logs share (all the sessions of one API caller): each
/// log keeps its own retention, and on top of it none may grow while the logs together hold
/// more than `max_bytes` — the log that appends then lets its own oldest events go. So a
/// caller with a thousand sessions holds at most this much, not a thousand retentions.
/// Cloning gives another handle to the same budget.
#[derive(Debug, Clone)]
pub struct LogBudget {
    shared: Arc<BudgetShared>,
}

#[derive(Debug)]
struct BudgetShared {
    max_bytes: usize,
    used: AtomicUsize,
}

impl LogBudget {
    /// A budget of `max_bytes` (payloads plus the per-event overhead) for all its logs.
    pub fn new(max_bytes: usize) -> Self {
        LogBudget {
            shared: Arc::new(BudgetShared {
                max_bytes,
                used: AtomicUsize::new(0),
            }),
        }
    }

    /// Bytes the logs of this budget hold now.
    pub fn used(&self) -> usize {
        self.shared.used.load(Ordering::Relaxed)
    }

    /// The budget.
    pub fn max_bytes(&self) -> usize {
        self.shared.max_bytes
    }

    fn charge(&self, bytes: usize) {
        self.shared.used.fetch_add(bytes, Ordering::Relaxed);
    }

    fn release(&self, bytes: usize) {
        self.shared.used.fetch_sub(bytes, Ordering::Relaxed);
    }

    fn exceeded(&self) -> bool {
        self.used() > self.shared.max_bytes
    }
}

/// A session's events in memory.
#[derive(Debug)]
pub struct SessionLog {
    inner: Mutex<Inner>,
    appended: Notify,
    /// Readers waiting in [`wait_past`](Self::wait_past); appends skip the wake-up when none.
    waiting: AtomicUsize,
    epoch: Instant,
    /// Wall-clock time at `epoch`: event times are `epoch_wall + mono`, one clock read per
    /// event instead of two.
    epoch_wall: SystemTime,
    /// Set while a pacing reader is too far behind (see [`SessionLog::set_pacing`]); checked
    /// by the socket reader before each frame without taking the lock.
    full: AtomicBool,
    /// Woken when the pacing reader acknowledges events.
    room: Notify,
}

#[derive(Debug)]
struct Inner {
    events: VecDeque<Event>,
    /// Sequence number of `events[0]`.
    first_seq: u64,
    bytes: usize,
    retention: Retention,
    /// Shared with the caller's other logs, when there is one.
    budget: Option<LogBudget>,
    finished: bool,
    /// Bytes the pacing reader may leave unacknowledged; 0 when pacing is off.
    pace_limit: usize,
    /// The pacing reader has acknowledged every event before this one.
    acked_seq: u64,
    /// Bytes (payload and overhead) of the events from `acked_seq` on.
    unacked: usize,
}

/// What a read returned besides the events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadOutcome {
    /// Where the next read should start.
    pub next_seq: u64,
    /// Events between the requested position and the oldest kept one that left memory.
    pub missed: u64,
    /// The session has ended and `next_seq` is past its last event.
    pub at_end: bool,
}

impl SessionLog {
    /// An empty log; `epoch` is the engine's start, the origin of monotonic timestamps.
    pub fn new(retention: Retention, epoch: Instant) -> Self {
        Self::within(retention, None, epoch)
    }

    /// An empty log that also stays within `budget`, shared with other logs (see
    /// [`LogBudget`]), when one is given.
    pub fn within(retention: Retention, budget: Option<LogBudget>, epoch: Instant) -> Self {
        SessionLog {
            inner: Mutex::new(Inner {
                events: VecDeque::new(),
                first_seq: 0,
                bytes: 0,
                retention,
                budget,
                finished: false,
                pace_limit: 0,
                acked_seq: 0,
                unacked: 0,
            }),
            appended: Notify::new(),
            waiting: AtomicUsize::new(0),
            full: AtomicBool::new(false),
            room: Notify::new(),
            epoch,
            epoch_wall: SystemTime::now()
                .checked_sub(epoch.elapsed())
                .unwrap_or_else(SystemTime::now),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding this lock cannot leave the deque half-updated in a way that
        // matters to readers, so a poisoned lock is still usable.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Appends an event stamped now and wakes readers. Returns its sequence number.
    pub fn append(&self, kind: EventKind) -> u64 {
        let seq = self.push(&mut self.lock(), kind);
        self.wake_readers();
        seq
    }

    /// Appends an event without waking readers: for a producer that appends a run of events
    /// and then calls [`announce`](Self::announce) once (the socket reader, before it waits
    /// for the socket). Readers that are not waiting see the event at their next read.
    pub fn append_unannounced(&self, kind: EventKind) -> u64 {
        self.push(&mut self.lock(), kind)
    }

    /// Wakes readers waiting for events appended with
    /// [`append_unannounced`](Self::append_unannounced).
    pub fn announce(&self) {
        self.wake_readers();
    }

    /// Appends several events, stamped now, in order, and wakes readers once: a burst of
    /// sent messages costs a reader one wake-up instead of one per message. Returns the
    /// sequence number of the last one, or `None` when `kinds` was empty.
    pub fn append_all(&self, kinds: impl IntoIterator<Item = EventKind>) -> Option<u64> {
        let last = {
            let mut inner = self.lock();
            kinds.into_iter().map(|k| self.push(&mut inner, k)).last()
        };
        if last.is_some() {
            self.wake_readers();
        }
        last
    }

    /// Adds one event under the lock (stamped there, so that time order is sequence order
    /// even when the reader and the writer append at once).
    fn push(&self, inner: &mut Inner, kind: EventKind) -> u64 {
        let mono = self.epoch.elapsed();
        let time = self.epoch_wall + mono;
        let seq = inner.first_seq + inner.events.len() as u64;
        let size = kind.payload_len() + EVENT_OVERHEAD;
        inner.bytes += size;
        if let Some(budget) = &inner.budget {
            budget.charge(size);
        }
        if inner.pace_limit > 0 {
            inner.unacked += size;
            if inner.unacked > inner.pace_limit {
                self.full.store(true, Ordering::Release);
            }
        }
        inner.events.push_back(Event {
            seq,
            time,
            mono,
            kind,
        });
        inner.evict();
        seq
    }

    /// Marks the log complete: no event will follow. Readers waiting at the end wake up.
    pub fn finish(&self) {
        self.lock().finished = true;
        self.appended.notify_waiters();
    }

    /// Turns on flow control for one reader that must not miss events (a terminal or pipe
    /// printer): once more than `limit` bytes are unacknowledged,
    /// [`wait_for_room`](Self::wait_for_room) makes the socket reader pause, so the peer is
    /// slowed by TCP instead of the log dropping events. Other readers are unaffected; without
    /// this the socket reader never waits.
    pub fn set_pacing(&self, limit: usize) {
        let mut inner = self.lock();
        inner.pace_limit = limit;
        inner.acked_seq = inner.first_seq + inner.events.len() as u64;
        inner.unacked = 0;
        self.full.store(false, Ordering::Release);
    }

    /// Whether a pacing reader is further behind than its limit: producers of events wait
    /// (see [`wait_for_room`](Self::wait_for_room)).
    pub fn is_full(&self) -> bool {
        self.full.load(Ordering::Acquire)
    }

    /// Whether the pacing reader has events left to handle (it is not caught up).
    pub fn pacing_backlog(&self) -> bool {
        let inner = self.lock();
        inner.pace_limit > 0 && inner.acked_seq < inner.first_seq + inner.events.len() as u64
    }

    /// The pacing reader has handled every event before `next_seq`.
    pub fn acknowledge(&self, next_seq: u64) {
        let mut inner = self.lock();
        if inner.pace_limit == 0 || next_seq <= inner.acked_seq {
            return;
        }
        let from = inner.acked_seq.max(inner.first_seq);
        let to = next_seq.min(inner.first_seq + inner.events.len() as u64);
        let released: usize = (from..to)
            .filter_map(|seq| inner.events.get((seq - inner.first_seq) as usize))
            .map(|e| e.kind.payload_len() + EVENT_OVERHEAD)
            .sum();
        inner.unacked = inner.unacked.saturating_sub(released);
        inner.acked_seq = next_seq;
        // What the retention held back for this reader may go now.
        inner.evict();
        // Producers resume once the reader has caught up by half the window, not at the
        // first byte below it: otherwise each acknowledgement lets one frame in and the
        // socket reader and the printer wake each other per message.
        if inner.unacked <= inner.pace_limit / 2 && self.full.swap(false, Ordering::AcqRel) {
            self.room.notify_waiters();
        }
    }

    /// Waits while the pacing reader is too far behind; returns at once when pacing is off
    /// or the log is finished.
    pub async fn wait_for_room(&self) {
        while self.full.load(Ordering::Acquire) {
            let notified = self.room.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if !self.full.load(Ordering::Acquire) || self.is_finished() {
                return;
            }
            notified.await;
        }
    }

    fn wake_readers(&self) {
        // A reader counts itself before it checks for events under the lock, and the append
        // happened under the same lock, so a reader that missed the event is counted here.
        if self.waiting.load(Ordering::SeqCst) > 0 {
            self.appended.notify_waiters();
        }
    }

    /// Whether [`finish`](Self::finish) was called.
    pub fn is_finished(&self) -> bool {
        self.lock().finished
    }

    /// Sequence number the next event will get.
    pub fn next_seq(&self) -> u64 {
        let inner = self.lock();
        inner.first_seq + inner.events.len() as u64
    }

    /// Sequence number of the oldest event still in memory.
    pub fn first_seq(&self) -> u64 {
        self.lock().first_seq
    }

    /// Copies up to `max` events starting at `from` into `out` (events are cheap to clone:
    /// payloads are reference-counted).
    pub fn read(&self, from: u64, max: usize, out: &mut Vec<Event>) -> ReadOutcome {
        let inner = self.lock();
        let end = inner.first_seq + inner.events.len() as u64;
        let (start, missed) = if from < inner.first_seq {
            (inner.first_seq, inner.first_seq - from)
        } else {
            (from.min(end), 0)
        };
        let offset = (start - inner.first_seq) as usize;
        let take = max.min(inner.events.len() - offset);
        out.extend(inner.events.range(offset..offset + take).cloned());
        let next_seq = start + take as u64;
        ReadOutcome {
            next_seq,
            missed,
            at_end: inner.finished && next_seq >= end,
        }
    }

    /// Waits until an event with sequence number `seq` or later exists, or the log is finished.
    pub async fn wait_past(&self, seq: u64) {
        struct Waiting<'a>(&'a AtomicUsize);
        impl Drop for Waiting<'_> {
            fn drop(&mut self) {
                self.0.fetch_sub(1, Ordering::SeqCst);
            }
        }
        self.waiting.fetch_add(1, Ordering::SeqCst);
        let _waiting = Waiting(&self.waiting);
        loop {
            let notified = self.appended.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            {
                let inner = self.lock();
                if inner.finished || inner.first_seq + inner.events.len() as u64 > seq {
                    return;
                }
            }
            notified.await;
        }
    }

    /// Reads the next batch from `from`, waiting for one if none is there yet.
    pub async fn next_batch(&self, from: u64, max: usize, out: &mut Vec<Event>) -> ReadOutcome {
        self.wait_past(from).await;
        self.read(from, max, out)
    }
}

impl Inner {
    /// Drops the oldest events beyond the retention — but never one the pacing reader has
    /// not acknowledged: that reader must not miss anything, and what it has not read yet is
    /// bounded by its producers waiting for room (the socket reader in
    /// [`SessionLog::wait_for_room`], the writer before taking more commands).
    fn evict(&mut self) {
        while self.events.len() > 1
            && (self.events.len() > self.retention.max_events
                || self.bytes > self.retention.max_bytes
                || self.budget.as_ref().is_some_and(LogBudget::exceeded))
            && (self.pace_limit == 0 || self.first_seq < self.acked_seq)
        {
            if let Some(old) = self.events.pop_front() {
                let size = old.kind.payload_len() + EVENT_OVERHEAD;
                self.bytes -= size;
                if let Some(budget) = &self.budget {
                    budget.release(size);
                }
                self.first_seq += 1;
            }
        }
    }
}

impl Drop for SessionLog {
    /// What a forgotten session held goes back to its budget.
    fn drop(&mut self) {
        let inner = self.inner.get_mut().unwrap_or_else(|e| e.into_inner());
        if let Some(budget) = &inner.budget {
            budget.release(inner.bytes);
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::event::{Direction, Payload};

    /// A received text message (also for the cursor's tests).
    pub(crate) fn msg(s: &str) -> EventKind {
        EventKind::Message {
            direction: Direction::In,
            payload: Payload::text(s.to_owned()),
        }
    }

    /// A retention of `max_events` events, bytes unbounded.
    pub(crate) fn keeping(max_events: usize) -> Retention {
        Retention {
            max_events,
            max_bytes: usize::MAX,
        }
    }

    #[test]
    fn reads_from_any_position_in_order() {
        let log = SessionLog::new(Retention::default(), Instant::now());
        for i in 0..10 {
            assert_eq!(log.append(msg(&i.to_string())), i);
        }
        let mut out = Vec::new();
        let r = log.read(3, 4, &mut out);
        assert_eq!(
            out.iter().map(|e| e.seq).collect::<Vec<_>>(),
            vec![3, 4, 5, 6]
        );
        assert_eq!(r.next_seq, 7);
        assert_eq!(r.missed, 0);
        assert!(!r.at_end);
    }

    #[test]
    fn eviction_is_reported_to_readers_behind_it() {
        let retention = keeping(5);
        let log = SessionLog::new(retention, Instant::now());
        for i in 0..12 {
            log.append(msg(&i.to_string()));
        }
        let mut out = Vec::new();
        let r = log.read(0, 100, &mut out);
        assert_eq!(r.missed, 7, "events 0..7 left memory");
        assert_eq!(out.first().map(|e| e.seq), Some(7));
        assert_eq!(out.len(), 5);
        assert_eq!(r.next_seq, 12);
    }

    #[test]
    fn byte_retention_bounds_memory() {
        let retention = Retention {
            max_events: usize::MAX,
            max_bytes: 10 * (EVENT_OVERHEAD + 1000),
        };
        let log = SessionLog::new(retention, Instant::now());
        let big = "x".repeat(1000);
        for _ in 0..100 {
            log.append(msg(&big));
        }
        assert_eq!(log.next_seq() - log.first_seq(), 10);
    }

    #[test]
    fn at_end_only_after_finish() {
        let log = SessionLog::new(Retention::default(), Instant::now());
        log.append(msg("a"));
        let mut out = Vec::new();
        assert!(!log.read(0, 10, &mut out).at_end);
        log.finish();
        out.clear();
        let r = log.read(0, 10, &mut out);
        assert!(r.at_end);
        assert_eq!(out.len(), 1);
    }

    #[tokio::test]
    async fn waiting_reader_wakes_on_append() {
        let log = std::sync::Arc::new(SessionLog::new(Retention::default(), Instant::now()));
        let reader = {
            let log = log.clone();
            tokio::spawn(async move {
                let mut out = Vec::new();
                log.next_batch(0, 10, &mut out).await;
                out.len()
            })
        };
        tokio::task::yield_now().await;
        log.append(msg("hello"));
        assert_eq!(reader.await.ok(), Some(1));
    }

    #[tokio::test]
    async fn pacing_holds_the_writer_until_the_reader_acknowledges() {
        let log = std::sync::Arc::new(SessionLog::new(Retention::default(), Instant::now()));
        log.set_pacing(10 * (EVENT_OVERHEAD + 1));
        for i in 0..20 {
            log.append(msg(&(i % 10).to_string()));
        }
        let waiter = {
            let log = log.clone();
            tokio::spawn(async move { log.wait_for_room().await })
        };
        tokio::task::yield_now().await;
        assert!(
            !waiter.is_finished(),
            "20 unacknowledged events exceed room for 10"
        );
        log.acknowledge(5);
        tokio::task::yield_now().await;
        assert!(!waiter.is_finished(), "15 are still unacknowledged");
        log.acknowledge(20);
        assert!(
            tokio::time::timeout(std::time::Duration::from_secs(5), waiter)
                .await
                .is_ok(),
            "acknowledging everything makes room"
        );
    }

    #[tokio::test]
    async fn producers_resume_once_the_reader_is_half_a_window_behind() {
        let log = std::sync::Arc::new(SessionLog::new(Retention::default(), Instant::now()));
        log.set_pacing(10 * (EVENT_OVERHEAD + 1));
        for i in 0..11 {
            log.append(msg(&(i % 10).to_string()));
        }
        assert!(log.is_full(), "11 unacknowledged events exceed room for 10");
        log.acknowledge(3);
        assert!(
            log.is_full(),
            "8 unacknowledged: below the window, but not half of it"
        );
        log.acknowledge(6);
        assert!(!log.is_full(), "5 unacknowledged: half the window");
    }

    #[test]
    fn append_all_keeps_order_and_counts_like_single_appends() {
        let log = SessionLog::new(Retention::default(), Instant::now());
        log.append(msg("first"));
        assert_eq!(log.append_all(["a", "b", "c"].map(msg)), Some(3));
        assert_eq!(log.append_all(std::iter::empty()), None);
        let mut out = Vec::new();
        log.read(0, 10, &mut out);
        let seqs: Vec<u64> = out.iter().map(|e| e.seq).collect();
        assert_eq!(seqs, [0, 1, 2, 3]);
        assert!(out.windows(2).all(|w| w[0].mono <= w[1].mono));
        assert_eq!(log.next_seq(), 4);
    }

    #[test]
    fn logs_sharing_a_budget_hold_no_more_than_it_and_give_it_back_when_dropped() {
        let budget = LogBudget::new(100 * (EVENT_OVERHEAD + 10));
        let epoch = Instant::now();
        let first = SessionLog::within(Retention::default(), Some(budget.clone()), epoch);
        for _ in 0..80 {
            first.append(msg("0123456789"));
        }
        assert_eq!(first.first_seq(), 0, "80 events fit in a budget of 100");
        let second = SessionLog::within(Retention::default(), Some(budget.clone()), epoch);
        for _ in 0..80 {
            second.append(msg("0123456789"));
        }
        assert!(budget.used() <= budget.max_bytes(), "{}", budget.used());
        assert_eq!(
            (first.first_seq(), second.first_seq()),
            (0, 60),
            "the log that grows lets its own oldest go"
        );
        drop(first);
        assert_eq!(budget.used(), 20 * (EVENT_OVERHEAD + 10));
        for _ in 0..50 {
            second.append(msg("0123456789"));
        }
        assert_eq!(
            second.first_seq(),
            60,
            "room again once the first log is gone"
        );
    }

    #[test]
    fn the_pacing_reader_never_misses_an_event_the_retention_would_drop() {
        let retention = keeping(4);
        let log = SessionLog::new(retention, Instant::now());
        log.set_pacing(1 << 20);
        for i in 0..10 {
            log.append(msg(&i.to_string()));
        }
        let mut events = Vec::new();
        let r = log.read(0, 100, &mut events);
        assert_eq!(
            (r.missed, events.len()),
            (0, 10),
            "nothing unread leaves memory"
        );
        // Once read and acknowledged, the retention applies again.
        log.acknowledge(r.next_seq);
        assert_eq!(log.first_seq(), 6, "four events kept");
        // Another reader (no pacing of its own) is told what it missed, as before.
        events.clear();
        assert_eq!(log.read(0, 100, &mut events).missed, 6);
    }

    #[tokio::test]
    async fn without_pacing_the_writer_never_waits() {
        let log = SessionLog::new(Retention::default(), Instant::now());
        for i in 0..1000 {
            log.append(msg(&i.to_string()));
        }
        tokio::time::timeout(std::time::Duration::from_secs(1), log.wait_for_room())
            .await
            .unwrap_or_else(|_| panic!("wait_for_room blocked without pacing"));
    }

    #[test]
    fn timestamps_are_monotonic() {
        let log = SessionLog::new(Retention::default(), Instant::now());
        for i in 0..100 {
            log.append(msg(&i.to_string()));
        }
        let mut out = Vec::new();
        log.read(0, 100, &mut out);
        assert!(out.windows(2).all(|w| w[0].mono <= w[1].mono));
    }
}
