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
}

/// The observer an [`crate::Api`] was built with, if any.
pub(crate) type Observer = Option<Arc<dyn SessionObserver>>;
