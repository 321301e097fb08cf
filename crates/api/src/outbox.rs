//! One caller's outgoing texts (answers and notifications), bounded by bytes.
//!
//! A count bound is not enough: 1,024 texts of 60 KB (`rpc.discover`) or of 8 MB (a page of
//! big messages) are gigabytes. Every text therefore holds a *charge* of its length (plus a
//! small per-text overhead) from the caller's byte budget ([`crate::Limits::max_queued_bytes`])
//! from the moment it is queued until the transport takes it with [`Outgoing::recv`].
//!
//! - Notifications **wait** for room ([`Outbox::send`]), and may take at most half of the
//!   budget, so a fast stream cannot starve the answers: a subscription or socket reader
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
    /// One permit per byte of the whole budget (answers and notifications).
    budget: Budget,
    /// One permit per byte notifications may take of it (half): a fast stream of events
    /// cannot fill the budget and starve the answers to a caller's requests.
    notes: Budget,
    /// Bytes charged to texts now queued.
    queued: AtomicUsize,
    /// The most bytes that were ever queued at once.
    peak: AtomicUsize,
}

#[derive(Debug)]
struct Budget {
    permits: Arc<Semaphore>,
    capacity: usize,
}

impl Budget {
    fn new(bytes: usize) -> Budget {
        // Tokio takes permits 32 bits at a time; a budget beyond 4 GiB is not useful anyway.
        let capacity = bytes.clamp(1, u32::MAX as usize);
        Budget {
            permits: Arc::new(Semaphore::new(capacity)),
            capacity,
        }
    }

    /// What a text of `len` bytes is charged here (at most the whole budget).
    fn charge_of(&self, len: usize) -> usize {
        len.saturating_add(PER_TEXT).min(self.capacity)
    }

    async fn acquire(&self, charge: usize) -> Result<OwnedSemaphorePermit, Gone> {
        let n = u32::try_from(charge).unwrap_or(u32::MAX);
        self.permits
            .clone()
            .acquire_many_owned(n)
            .await
            .map_err(|_| Gone)
    }

    fn try_acquire(&self, charge: usize) -> Result<OwnedSemaphorePermit, TrySendError> {
        let n = u32::try_from(charge).unwrap_or(u32::MAX);
        match self.permits.clone().try_acquire_many_owned(n) {
            Ok(permit) => Ok(permit),
            Err(tokio::sync::TryAcquireError::Closed) => Err(TrySendError::Gone),
            Err(tokio::sync::TryAcquireError::NoPermits) => Err(TrySendError::Full),
        }
    }

    /// Makes `permit` exactly `charge`: gives back the excess, or waits for the rest.
    async fn fit(&self, permit: &mut OwnedSemaphorePermit, charge: usize) -> Result<(), Gone> {
        let have = permit.num_permits();
        if have > charge {
            drop(permit.split(have - charge));
        } else if have < charge {
            permit.merge(self.acquire(charge - have).await?);
        }
        Ok(())
    }
}

#[derive(Debug)]
struct Queued {
    text: String,
    charge: Charge,
}

/// Permits held for one text: of the whole budget, and of the notifications' share.
#[derive(Debug)]
struct Charge {
    budget: OwnedSemaphorePermit,
    notes: Option<OwnedSemaphorePermit>,
}

/// Room reserved in the budget for a text about to be built.
#[derive(Debug)]
pub(crate) struct Reservation(Charge);

impl Reservation {
    /// Adds `other`'s room to this one.
    pub(crate) fn merge(&mut self, other: Reservation) {
        let Charge { budget, notes } = other.0;
        self.0.budget.merge(budget);
        match (&mut self.0.notes, notes) {
            (Some(mine), Some(more)) => mine.merge(more),
            (mine @ None, more) => *mine = more,
            (Some(_), None) => {}
        }
    }
}

/// The receiver was dropped: nobody will read this caller's texts any more.
#[derive(Debug)]
pub(crate) struct Gone;

/// Why a text could not be queued (or room reserved) at once.
#[derive(Debug)]
pub(crate) enum TrySendError {
    /// There is not room for it now.
    Full,
    /// Nobody reads any more.
    Gone,
}

impl Outbox {
    /// A queue holding at most `max_bytes` (at least 1) of texts, and its receiver.
    pub(crate) fn new(max_bytes: usize) -> (Outbox, Outgoing) {
        let shared = Arc::new(Shared {
            budget: Budget::new(max_bytes),
            notes: Budget::new(max_bytes / 2),
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

    /// Resolves once the receiving half is gone (the transport ended).
    pub(crate) async fn closed(&self) {
        self.tx.closed().await;
    }

    /// The budget in bytes.
    pub(crate) fn capacity(&self) -> usize {
        self.shared.budget.capacity
    }

    // ---- notifications: they wait for room -------------------------------------------

    /// Queues a notification, waiting until there is room for it.
    pub(crate) async fn send(&self, text: String) -> Result<(), Gone> {
        let room = self.reserve_note(text.len()).await?;
        self.send_reserved(text, room).await
    }

    /// Reserves room for a notification of up to `bytes` that is not built yet, waiting for
    /// it: a notification is built only once it has room, so building it cannot grow memory.
    pub(crate) async fn reserve_note(&self, bytes: usize) -> Result<Reservation, Gone> {
        let shared = &self.shared;
        let notes = shared.notes.acquire(shared.notes.charge_of(bytes)).await?;
        let budget = shared
            .budget
            .acquire(shared.budget.charge_of(bytes))
            .await?;
        Ok(Reservation(Charge {
            budget,
            notes: Some(notes),
        }))
    }

    /// Queues a notification in room reserved for it; room it does not need goes back at
    /// once (and one larger than its reservation waits for the difference).
    pub(crate) async fn send_reserved(
        &self,
        text: String,
        Reservation(mut charge): Reservation,
    ) -> Result<(), Gone> {
        let shared = &self.shared;
        if let Some(notes) = &mut charge.notes {
            shared
                .notes
                .fit(notes, shared.notes.charge_of(text.len()))
                .await?;
        }
        shared
            .budget
            .fit(&mut charge.budget, shared.budget.charge_of(text.len()))
            .await?;
        self.queue(text, charge)
    }

    // ---- answers: refused rather than held ----------------------------------------------

    /// Queues an answer if there is room for it now.
    pub(crate) fn try_send(&self, text: String) -> Result<(), (TrySendError, String)> {
        match self.try_reserve(text.len()) {
            Ok(Reservation(charge)) => self
                .queue(text, charge)
                .map_err(|_| (TrySendError::Gone, String::new())),
            Err(e) => Err((e, text)),
        }
    }

    /// Queues a short answer (an error), waiting for room: whoever waits here holds
    /// nothing else.
    pub(crate) async fn send_answer(&self, text: String) -> Result<(), Gone> {
        let room = self.reserve(text.len()).await?;
        self.queue_reserved(text, room)
    }

    /// Reserves room for answers of up to `bytes`, waiting for it.
    pub(crate) async fn reserve(&self, bytes: usize) -> Result<Reservation, Gone> {
        let budget = &self.shared.budget;
        Ok(Reservation(Charge {
            budget: budget.acquire(budget.charge_of(bytes)).await?,
            notes: None,
        }))
    }

    /// Reserves room for an answer of `bytes` if there is room now.
    pub(crate) fn try_reserve(&self, bytes: usize) -> Result<Reservation, TrySendError> {
        let budget = &self.shared.budget;
        Ok(Reservation(Charge {
            budget: budget.try_acquire(budget.charge_of(bytes))?,
            notes: None,
        }))
    }

    /// Queues `text` in room reserved for its parts (a batch's answers), without waiting:
    /// room it does not need goes back; bytes beyond the reservation are not charged, since
    /// waiting for them while holding the rest could wait forever.
    pub(crate) fn queue_reserved(
        &self,
        text: String,
        Reservation(mut charge): Reservation,
    ) -> Result<(), Gone> {
        let need = self.shared.budget.charge_of(text.len());
        let have = charge.budget.num_permits();
        if have > need {
            drop(charge.budget.split(have - need));
        }
        self.queue(text, charge)
    }

    /// Waits until at least `bytes` (at most the budget) could be queued: a caller whose
    /// texts fill the budget is not read from until it reads some of them.
    pub(crate) async fn wait_for_room(&self, bytes: usize) -> Result<(), Gone> {
        let budget = &self.shared.budget;
        budget.acquire(bytes.min(budget.capacity)).await.map(drop)
    }

    fn queue(&self, text: String, charge: Charge) -> Result<(), Gone> {
        let bytes = charge.budget.num_permits();
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

    fn release(&self, charge: Charge) {
        self.shared
            .queued
            .fetch_sub(charge.budget.num_permits(), Ordering::SeqCst);
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
        self.shared.budget.permits.close();
        self.shared.notes.permits.close();
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
        assert!(matches!(refused, Err((TrySendError::Full, t)) if t.len() == 600));
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
        assert!(outbox.try_send("a".into()).is_err());
        assert_eq!(rx.recv().await.map(|t| t.len()), Some(500));
        outbox.try_send("a".into()).expect("room again");
    }

    #[tokio::test]
    async fn notifications_leave_half_the_budget_to_answers() {
        let (outbox, mut rx) = Outbox::new(1000);
        outbox.send("n".repeat(400)).await.expect("first note");
        // The notifications' half is used up: the next one waits…
        let waiting = tokio::spawn({
            let outbox = outbox.clone();
            async move { outbox.send("m".repeat(300)).await }
        });
        tokio::task::yield_now().await;
        assert!(!waiting.is_finished());
        // …while an answer still finds room.
        outbox.try_send("a".repeat(400)).expect("room for answers");
        assert_eq!(rx.recv().await.map(|t| t.len()), Some(400));
        waiting
            .await
            .expect("task")
            .expect("sent once room was made");
    }

    #[tokio::test]
    async fn reserved_room_not_used_goes_back() {
        let (outbox, rx) = Outbox::new(2000);
        let room = outbox.reserve_note(900).await.expect("room");
        assert!(outbox.try_send("x".repeat(1100)).is_err());
        outbox
            .send_reserved("y".repeat(100), room)
            .await
            .expect("sent");
        assert_eq!(rx.queued_bytes(), 100 + PER_TEXT);
        outbox.try_send("x".repeat(1100)).expect("room given back");
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
