//! A hook for whoever must know about every session the API opens — the binary records them
//! in the history — without the API depending on that (the api crate stays about the wire).

use std::sync::Arc;

use serde_json::Value;
use wsdeck_engine::Session;

/// What the API knows about a session it just opened, secrets already masked.
#[derive(Debug, Clone)]
pub struct OpenedSession {
    /// The caller's origin (`local:gateway`, `npm:…`).
    pub caller: String,
    /// The request as sent: `{url, params, headers, protocols, settings}`, with the values of
    /// secret variables replaced by `****`.
    pub request: Value,
    /// The secret values used to resolve the request: to keep out of anything derived from
    /// the session's events that is not a payload (URLs, handshake headers).
    pub secrets: Vec<String>,
}

/// Told about every session opened through the API (both dialects). Called once per
/// session, right after the engine accepted the request and before the handshake; it must
/// not block (spawn a task to read `session.log()`).
pub trait SessionObserver: Send + Sync + std::fmt::Debug {
    fn opened(&self, session: &Session, opened: OpenedSession);

    /// The problems of the history this observer records into, if it records: every caller
    /// is told of the one in force when it attaches and of each new one, with a
    /// `wsdeck.historyError` notification, so that nobody takes a partial record for a
    /// whole one.
    fn history_problems(&self) -> Option<HistoryProblems> {
        None
    }
}

/// The observer an [`crate::Api`] was built with, if any.
pub(crate) type Observer = Option<Arc<dyn SessionObserver>>;

pub use crate::wire::history::{HistoryProblem, HistoryProblemKind};

/// The notification that says `problem` to a caller.
pub fn history_error_notification(problem: &HistoryProblem) -> Value {
    serde_json::json!({
        "jsonrpc": "2.0",
        "method": "wsdeck.historyError",
        "params": problem,
    })
}

/// The latest problem of the history (`None` while all is well); each new one replaces it.
pub type HistoryProblems = tokio::sync::watch::Receiver<Option<HistoryProblem>>;

/// Tells a newly attached caller (through its outbox) of the history's current problem, if
/// any, and of each new one as it happens, until the caller is gone: the returned sender is
/// kept by the caller's `Connection`, and dropping it ends the forwarding (and with it the
/// forwarder's hold on the caller's output, so the transport sees that output end).
pub(crate) fn forward_history_problems(
    observer: &Observer,
    outbox: &crate::outbox::Outbox,
) -> Option<tokio::sync::oneshot::Sender<()>> {
    let mut problems = observer.as_ref().and_then(|o| o.history_problems())?;
    let runtime = tokio::runtime::Handle::try_current().ok()?;
    let outbox = outbox.clone();
    let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
    runtime.spawn(async move {
        // The problem in force when the caller arrives counts as new to it.
        problems.mark_changed();
        loop {
            tokio::select! {
                changed = problems.changed() => {
                    if changed.is_err() {
                        return;
                    }
                }
                _ = &mut stopped => return,
                () = outbox.closed() => return,
            }
            let text = problems
                .borrow_and_update()
                .as_ref()
                .map(|p| history_error_notification(p).to_string());
            if let Some(text) = text {
                tokio::select! {
                    sent = outbox.send(text) => if sent.is_err() { return },
                    _ = &mut stopped => return,
                }
            }
        }
    });
    Some(stop)
}

/// Why the history cannot be used, when it could not be opened: what `wsdeck.history.*`
/// answer instead of "no history", so a caller learns what is wrong and how to fix it.
pub(crate) fn unavailable_history(observer: &Observer) -> Option<String> {
    let problems = observer.as_ref()?.history_problems()?;
    let problem = problems.borrow();
    match problem.as_ref() {
        Some(p) if p.kind == HistoryProblemKind::Unavailable => Some(p.message.clone()),
        _ => None,
    }
}
