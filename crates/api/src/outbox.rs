//! One caller's outgoing texts (answers and notifications), bounded by bytes.
//!
//! A count bound is not enough: 1,024 texts of 60 KB (`rpc.discover`) or of 8 MB (a page of
//! big messages) are gigabytes. Every text therefore holds a *charge* of its length (plus a
//! small per-text overhead) from the caller's byte budget ([`crate::Limits::max_queued_bytes`])
//! from the moment it is queued until the transport takes it with [`Outgoing::recv`].
//!
//! - Notifications **wait** for room ([`Outbox::send`]): a subscription or socket reader
//!   pauses, its session log keeps the events (and reports `missed` if its retention drops
//!   some meanwhile), so a slow caller slows its readers instead of growing the process.
//! - Answers **do not wait** once built ([`Outbox::try_send`]): an answer that does not fit
//!   is replaced by a short -32005 error saying so, which waits for room like a
//!   notification. Waiting with a built answer would keep it in memory outside the budget.
//! - [`crate::Connection::handle`] waits for room before starting a request, so a client
//!   that does not read its answers stops being read (backpressure through its transport).
//!
//! A single text larger than the whole budget is charged the whole budget: it waits until
//! nothing else is queued, then goes alone.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc};

/// Bytes charged per text on top of its length (the queue entry itself).
const PER_TEXT: usize = 64;

/// The sending half, shared by a caller's answer tasks and event readers. Cheap to clone.
#[derive(Debug, Clone)]
pub(crate) struct Outbox {
    shared: Arc<Shared>,
    tx: mpsc::UnboundedSender<Queued>,
}

#[derive(Debug)]
struct Shared {
    /// One permit per byte of the budget.
    budget: Arc<Semaphore>,
    /// The budget's size in permits.
    capacity: usize,
    /// Bytes charged to texts now queued.
    queued: AtomicUsize,
    /// The most bytes that were ever queued at once.
    peak: AtomicUsize,
}

#[derive(Debug)]
struct Queued {
    text: String,
    charge: OwnedSemaphorePermit,
}

/// Room reserved in the budget for a text about to be built ([`Outbox::reserve`]).
#[derive(Debug)]
pub(crate) struct Reservation(OwnedSemaphorePermit);

impl Reservation {
    /// Adds `other`'s room to this one.
    pub(crate) fn merge(&mut self, other: Reservation) {
        self.0.merge(other.0);
    }
}

/// The receiver was dropped: nobody will read this caller's texts any more.
#[derive(Debug)]
pub(crate) struct Gone;

/// Why [`Outbox::try_send`] did not queue a text.
#[derive(Debug)]
pub(crate) enum TrySendError {
    /// There is not room for it now; the text is handed back.
    Full(String),
    /// Nobody reads any more.
    Gone,
}

impl Outbox {
    /// A queue holding at most `max_bytes` (at least 1) of texts, and its receiver.
    pub(crate) fn new(max_bytes: usize) -> (Outbox, Outgoing) {
        // Tokio takes permits 32 bits at a time; a budget beyond 4 GiB is not useful anyway.
        let capacity = max_bytes.clamp(1, u32::MAX as usize);
        let shared = Arc::new(Shared {
            budget: Arc::new(Semaphore::new(capacity)),
            capacity,
            queued: AtomicUsize::new(0),
            peak: AtomicUsize::new(0),
        });
        let (tx, rx) = mpsc::unbounded_channel();
        (
            Outbox {
                shared: shared.clone(),
                tx,
            },
            Outgoing { rx, shared },
        )
    }

    /// What a text of `len` bytes is charged (at most the whole budget).
    fn charge_of(&self, len: usize) -> u32 {
        let charge = len.saturating_add(PER_TEXT).min(self.shared.capacity);
        u32::try_from(charge).unwrap_or(u32::MAX)
    }

    /// The budget in bytes.
    pub(crate) fn capacity(&self) -> usize {
        self.shared.capacity
    }

    /// Queues `text`, waiting until there is room for it.
    pub(crate) async fn send(&self, text: String) -> Result<(), Gone> {
        let charge = self
            .shared
            .budget
            .clone()
            .acquire_many_owned(self.charge_of(text.len()))
            .await
            .map_err(|_| Gone)?;
        self.queue(text, charge)
    }

    /// Queues `text` if there is room for it now.
    pub(crate) fn try_send(&self, text: String) -> Result<(), TrySendError> {
        match self
            .shared
            .budget
            .clone()
            .try_acquire_many_owned(self.charge_of(text.len()))
        {
            Ok(charge) => self.queue(text, charge).map_err(|_| TrySendError::Gone),
            Err(tokio::sync::TryAcquireError::Closed) => Err(TrySendError::Gone),
            Err(tokio::sync::TryAcquireError::NoPermits) => Err(TrySendError::Full(text)),
        }
    }

    /// Reserves room for a text of up to `bytes` that is not built yet, waiting for it: a
    /// notification is built only once it has room, so building it cannot grow memory.
    pub(crate) async fn reserve(&self, bytes: usize) -> Result<Reservation, Gone> {
        self.shared
            .budget
            .clone()
            .acquire_many_owned(self.charge_of(bytes))
            .await
            .map(Reservation)
            .map_err(|_| Gone)
    }

    /// Reserves room for `bytes` if there is room now.
    pub(crate) fn try_reserve(&self, bytes: usize) -> Result<Reservation, TrySendError> {
        match self
            .shared
            .budget
            .clone()
            .try_acquire_many_owned(self.charge_of(bytes))
        {
            Ok(charge) => Ok(Reservation(charge)),
            Err(tokio::sync::TryAcquireError::Closed) => Err(TrySendError::Gone),
            Err(tokio::sync::TryAcquireError::NoPermits) => Err(TrySendError::Full(String::new())),
        }
    }

    /// Queues `text` in room reserved for its parts (a batch's answers), without waiting:
    /// room it does not need goes back; bytes beyond the reservation (the short errors of
    /// the calls that found no room) are not charged, since waiting for them while holding
    /// the rest could wait forever.
    pub(crate) fn queue_reserved(
        &self,
        text: String,
        Reservation(mut charge): Reservation,
    ) -> Result<(), Gone> {
        let need = self.charge_of(text.len()) as usize;
        let have = charge.num_permits();
        if have > need {
            drop(charge.split(have - need));
        }
        self.queue(text, charge)
    }

    /// Queues `text` in room reserved for it; room it does not need goes back at once (and
    /// a text larger than the reservation waits for the difference).
    pub(crate) async fn send_reserved(
        &self,
        text: String,
        Reservation(mut charge): Reservation,
    ) -> Result<(), Gone> {
        let need = self.charge_of(text.len()) as usize;
        let have = charge.num_permits();
        if have > need {
            drop(charge.split(have - need));
        } else if have < need {
            let more = u32::try_from(need - have).unwrap_or(u32::MAX);
            let extra = self
                .shared
                .budget
                .clone()
                .acquire_many_owned(more)
                .await
                .map_err(|_| Gone)?;
            charge.merge(extra);
        }
        self.queue(text, charge)
    }

    /// Waits until at least `bytes` (at most the budget) could be queued: a caller whose
    /// texts fill the budget is not read from until it reads some of them.
    pub(crate) async fn wait_for_room(&self, bytes: usize) -> Result<(), Gone> {
        self.shared
            .budget
            .acquire_many(self.charge_of(bytes.saturating_sub(PER_TEXT)))
            .await
            .map(drop)
            .map_err(|_| Gone)
    }

    fn queue(&self, text: String, charge: OwnedSemaphorePermit) -> Result<(), Gone> {
        let bytes = charge.num_permits();
        let now = self.shared.queued.fetch_add(bytes, Ordering::SeqCst) + bytes;
        self.shared.peak.fetch_max(now, Ordering::SeqCst);
        self.tx.send(Queued { text, charge }).map_err(|_| {
            self.shared.queued.fetch_sub(bytes, Ordering::SeqCst);
            Gone
        })
    }
}

/// The receiving half: every outgoing JSON text of one caller, in order. A transport writes
/// each one it takes; what it has not taken counts against the caller's byte budget.
#[derive(Debug)]
pub struct Outgoing {
    rx: mpsc::UnboundedReceiver<Queued>,
    shared: Arc<Shared>,
}

impl Outgoing {
    /// The next text; `None` once the connection is dropped and its sockets have closed.
    /// Cancel-safe (it can be a branch of `tokio::select!`).
    pub async fn recv(&mut self) -> Option<String> {
        let Queued { text, charge } = self.rx.recv().await?;
        self.release(charge);
        Some(text)
    }

    /// The next text if one is waiting now (like [`mpsc::Receiver::try_recv`]).
    pub fn try_recv(&mut self) -> Result<String, mpsc::error::TryRecvError> {
        let Queued { text, charge } = self.rx.try_recv()?;
        self.release(charge);
        Ok(text)
    }

    fn release(&self, charge: OwnedSemaphorePermit) {
        self.shared
            .queued
            .fetch_sub(charge.num_permits(), Ordering::SeqCst);
        drop(charge);
    }

    /// Bytes charged to the texts waiting to be taken now (each text's length plus a small
    /// overhead).
    pub fn queued_bytes(&self) -> usize {
        self.shared.queued.load(Ordering::SeqCst)
    }

    /// The most bytes that were ever waiting at once: never more than
    /// [`crate::Limits::max_queued_bytes`].
    pub fn peak_queued_bytes(&self) -> usize {
        self.shared.peak.load(Ordering::SeqCst)
    }
}

impl Drop for Outgoing {
    fn drop(&mut self) {
        // Readers waiting for room learn that nobody reads any more.
        self.shared.budget.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn texts_are_charged_until_taken() {
        let (outbox, mut rx) = Outbox::new(1000);
        outbox.try_send("x".repeat(400)).expect("room");
        assert_eq!(rx.queued_bytes(), 400 + PER_TEXT);
        let refused = outbox.try_send("y".repeat(600));
        assert!(matches!(refused, Err(TrySendError::Full(t)) if t.len() == 600));
        assert_eq!(rx.recv().await.map(|t| t.len()), Some(400));
        assert_eq!(rx.queued_bytes(), 0);
        outbox.try_send("y".repeat(600)).expect("room now");
        assert_eq!(rx.peak_queued_bytes(), 600 + PER_TEXT);
    }

    #[tokio::test]
    async fn a_text_larger_than_the_budget_goes_alone() {
        let (outbox, mut rx) = Outbox::new(100);
        outbox.send("z".repeat(500)).await.expect("sent");
        assert_eq!(rx.queued_bytes(), 100);
        assert!(matches!(
            outbox.try_send("a".into()),
            Err(TrySendError::Full(_))
        ));
        assert_eq!(rx.recv().await.map(|t| t.len()), Some(500));
        outbox.try_send("a".into()).expect("room again");
    }

    #[tokio::test]
    async fn reserved_room_not_used_goes_back() {
        let (outbox, rx) = Outbox::new(1000);
        let room = outbox.reserve(900).await.expect("room");
        assert!(matches!(
            outbox.try_send("x".repeat(200)),
            Err(TrySendError::Full(_))
        ));
        outbox
            .send_reserved("y".repeat(100), room)
            .await
            .expect("sent");
        assert_eq!(rx.queued_bytes(), 100 + PER_TEXT);
        outbox.try_send("x".repeat(200)).expect("room given back");
    }

    #[tokio::test]
    async fn waiting_senders_learn_the_receiver_left() {
        let (outbox, rx) = Outbox::new(10);
        outbox.try_send("0123456789".into()).expect("room");
        let waiting = tokio::spawn({
            let outbox = outbox.clone();
            async move { outbox.send("more".into()).await }
        });
        drop(rx);
        assert!(waiting.await.expect("task").is_err());
    }
}
