//! The queue from a session's handles to its task: bounded, and empty-handed while idle.
//!
//! A tokio `mpsc` channel would do the job, but it allocates its first block of slots (and a
//! cache-padded channel) up front — about 1.8 KiB per session, a fifth of an idle session's
//! memory budget. This queue is a `VecDeque` that allocates only while commands wait, with a
//! semaphore for the bound (senders wait for room, so memory stays bounded) and a `Notify`
//! for the one consumer.
//!
//! The bound is in bytes, not commands: a batch of 4,000 lines and a ping are not the same
//! weight, and a pipe that reads stdin faster than the socket drains must not pile up
//! hundreds of megabytes here.

use std::collections::VecDeque;
use std::sync::Mutex;

use tokio::sync::{Notify, Semaphore};

use crate::connection::Command;

/// The queue has been closed: the session task has ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Closed;

#[derive(Debug)]
pub(crate) struct CommandQueue {
    /// Commands with the permits they hold.
    items: Mutex<VecDeque<(u32, Command)>>,
    /// One permit per free byte.
    room: Semaphore,
    /// The most permits one command takes: a command larger than the whole queue waits for
    /// an empty queue and then goes alone.
    capacity: u32,
    ready: Notify,
}

/// What one command weighs besides its payload bytes (the command and each message's
/// bookkeeping), so that many empty messages are bounded too.
const COMMAND_OVERHEAD: usize = 64;

/// A drained queue keeps at most this many slots allocated.
const KEEP_SLOTS: usize = 4;

impl CommandQueue {
    /// A queue holding at most `max_bytes` of commands (payloads plus overhead).
    pub(crate) fn new(max_bytes: u32) -> Self {
        let capacity = max_bytes.max(COMMAND_OVERHEAD as u32);
        CommandQueue {
            items: Mutex::new(VecDeque::new()),
            room: Semaphore::new(capacity as usize),
            capacity,
            ready: Notify::new(),
        }
    }

    /// The permits `command` takes.
    fn weight(&self, command: &Command) -> u32 {
        let bytes = match command {
            Command::Send(batch) => batch
                .iter()
                .map(|p| p.as_bytes().len() + COMMAND_OVERHEAD)
                .sum(),
            Command::Ping(payload) | Command::Pong(payload) => payload.len(),
            Command::Close { reason, .. } => reason.len(),
        };
        (bytes + COMMAND_OVERHEAD).min(self.capacity as usize) as u32
    }

    /// Queues `command`, waiting while the queue has no room for it.
    pub(crate) async fn send(&self, command: Command) -> Result<(), Closed> {
        let weight = self.weight(&command);
        self.room
            .acquire_many(weight)
            .await
            .map_err(|_| Closed)?
            .forget();
        self.lock().push_back((weight, command));
        self.ready.notify_one();
        Ok(())
    }

    /// The next command, if one is waiting.
    pub(crate) fn try_recv(&self) -> Option<Command> {
        let mut items = self.lock();
        let (weight, command) = items.pop_front()?;
        if items.is_empty() && items.capacity() > KEEP_SLOTS {
            *items = VecDeque::new();
        }
        drop(items);
        self.room.add_permits(weight as usize);
        Some(command)
    }

    /// Waits for the next command. Cancel-safe: a command is only taken when it is returned.
    /// For the single consumer (the session task).
    pub(crate) async fn recv(&self) -> Command {
        loop {
            if let Some(command) = self.try_recv() {
                return command;
            }
            // A send between the check above and this wait leaves a permit in `ready`.
            self.ready.notified().await;
        }
    }

    /// Refuses further sends (waiting senders get `Closed`) and drops what is queued.
    pub(crate) fn close(&self) {
        self.room.close();
        self.lock().clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<(u32, Command)>> {
        self.items.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use bytes::Bytes;

    use super::*;

    fn ping(n: u8) -> Command {
        Command::Ping(Bytes::from(vec![n]))
    }

    impl Command {
        fn is_send(&self) -> bool {
            matches!(self, Command::Send(_))
        }
    }

    fn number(command: Command) -> u8 {
        match command {
            Command::Ping(p) => p[0],
            other => panic!("unexpected {other:?}"),
        }
    }

    #[tokio::test]
    async fn commands_arrive_in_order_and_senders_wait_for_room() {
        // Room for two one-byte pings (each weighs its byte plus the overhead).
        let queue = Arc::new(CommandQueue::new(2 * (1 + COMMAND_OVERHEAD as u32)));
        queue.send(ping(1)).await.unwrap_or_else(|_| panic!("open"));
        queue.send(ping(2)).await.unwrap_or_else(|_| panic!("open"));
        let third = tokio::spawn({
            let queue = queue.clone();
            async move { queue.send(ping(3)).await }
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!third.is_finished(), "a full queue makes the sender wait");
        assert_eq!(number(queue.recv().await), 1);
        assert_eq!(third.await.ok(), Some(Ok(())));
        assert_eq!(number(queue.recv().await), 2);
        assert_eq!(number(queue.recv().await), 3);
        assert!(queue.try_recv().is_none());
    }

    #[tokio::test]
    async fn the_bound_is_in_bytes_and_an_oversize_command_goes_alone() {
        let queue = Arc::new(CommandQueue::new(10_000));
        let batch = |len: usize| Command::Send(vec![crate::Payload::binary(vec![0u8; len])]);
        queue
            .send(batch(6_000))
            .await
            .unwrap_or_else(|_| panic!("open"));
        let second = tokio::spawn({
            let queue = queue.clone();
            async move { queue.send(batch(6_000)).await }
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!second.is_finished(), "12,000 bytes do not fit in 10,000");
        assert!(queue.recv().await.is_send());
        assert_eq!(second.await.ok(), Some(Ok(())));
        assert!(queue.recv().await.is_send());
        // Larger than the whole queue: it waits for an empty queue, then goes.
        queue
            .send(batch(50_000))
            .await
            .unwrap_or_else(|_| panic!("open"));
        assert!(queue.recv().await.is_send());
    }

    #[tokio::test]
    async fn a_waiting_receiver_is_woken() {
        let queue = Arc::new(CommandQueue::new(8));
        let receiver = tokio::spawn({
            let queue = queue.clone();
            async move { number(queue.recv().await) }
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        queue.send(ping(7)).await.unwrap_or_else(|_| panic!("open"));
        assert_eq!(receiver.await.ok(), Some(7));
    }

    #[tokio::test]
    async fn closing_refuses_senders_and_frees_slots() {
        let queue = CommandQueue::new(100 * (1 + COMMAND_OVERHEAD as u32));
        for n in 0..100 {
            queue.send(ping(n)).await.unwrap_or_else(|_| panic!("open"));
        }
        while queue.try_recv().is_some() {}
        assert!(
            queue.lock().capacity() <= KEEP_SLOTS,
            "a drained queue gives memory back"
        );
        queue.close();
        assert_eq!(queue.send(ping(0)).await, Err(Closed));
    }
}
