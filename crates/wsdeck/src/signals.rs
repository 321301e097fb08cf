//! Ctrl-C, SIGTERM and SIGHUP end a command politely; a second one ends it at once.
//!
//! A terminal closing (SIGHUP), `kill`, `timeout`, systemd and CI runners (SIGTERM) mean the
//! same as Ctrl-C: the user wants the command to stop. The first signal starts the polite
//! end (a close frame, the history finished); a second one exits at once, in every mode, with
//! the shell's code for that signal (128 + its number).

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::runtime::Handle;
use tokio::signal::unix::{SignalKind, signal};

/// The signals that ask a command to stop.
const STOP_SIGNALS: [(SignalKind, i32); 3] = [
    (SignalKind::interrupt(), 2),
    (SignalKind::terminate(), 15),
    (SignalKind::hangup(), 1),
];

/// Whether the user has asked to stop once already.
#[derive(Debug, Clone, Default)]
pub struct StopSignals {
    first_given: Arc<AtomicBool>,
}

impl StopSignals {
    /// The user asked to stop in another way (Ctrl-C read by the line editor as a key, not
    /// as a signal): the next signal exits at once.
    pub fn first_given(&self) {
        self.first_given.store(true, Ordering::SeqCst);
    }
}

/// Runs `polite_stop` when the first stop signal arrives; the next one exits the process
/// at once.
pub fn on_stop<F, Fut>(rt: &Handle, polite_stop: F) -> StopSignals
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let stop = StopSignals::default();
    let first_given = stop.first_given.clone();
    let _entered = rt.enter();
    // Registered now, before anything is sent, so no signal finds the default handler.
    let mut streams = Vec::new();
    for (kind, number) in STOP_SIGNALS {
        match signal(kind) {
            Ok(stream) => streams.push((stream, number)),
            // Without a handler the signal keeps its default action (ending the process).
            Err(_) => continue,
        }
    }
    if streams.is_empty() {
        return stop;
    }
    rt.spawn(async move {
        let mut polite_stop = Some(polite_stop);
        // At most two rounds: the first signal stops politely, the second exits.
        for _ in 0..2 {
            let Some(number) = next_signal(&mut streams).await else {
                return;
            };
            match polite_stop.take() {
                Some(stop) if !first_given.swap(true, Ordering::SeqCst) => {
                    tokio::spawn(stop());
                }
                _ => std::process::exit(128 + number),
            }
        }
    });
    stop
}

/// Waits for any of the signals; its number, or `None` when no more can arrive.
async fn next_signal(streams: &mut [(tokio::signal::unix::Signal, i32)]) -> Option<i32> {
    let waits = streams.iter_mut().map(|(stream, number)| {
        let number = *number;
        Box::pin(async move { stream.recv().await.map(|()| number) })
    });
    futures_util::future::select_all(waits).await.0
}
