//! wsdeck's connection engine.
//!
//! One [`Engine`] holds many [`Session`]s. A session is opened from a [`RequestSpec`],
//! connects (following redirects, with TLS, reconnecting as its settings say) and records
//! every state change and frame as an [`Event`] in its [`SessionLog`]. Front ends read the
//! log each with its own [`LogCursor`] and never touch sockets.
//!
//! The engine prints nothing and knows no JSON: it is the same under the CLI, the JSON-RPC
//! API and the web UI.

mod batch_writer;
mod command_queue;
mod connection;
mod cursor;
mod dial;
mod engine;
mod error;
mod event;
mod frame;
mod log;
mod session;
mod spec;
mod stream;
mod tls;

pub use bytes::Bytes;
pub use bytestring::ByteString;
pub use cursor::{Batch, LogCursor};
pub use engine::{Engine, UrlCredentials, url_credentials};
pub use error::{EngineError, ErrorClass};
pub use event::{
    Direction, Event, EventKind, HandshakeInfo, HandshakeTimings, HttpHead, Initiator, Payload,
};
pub use log::{LogBudget, ReadOutcome, SessionLog};
pub use session::{Session, SessionId, SessionInfo, SessionState, validate_close_code};
pub use spec::{KeyPassphrase, RequestSpec, Retention, Settings, SettingsPatch, TlsSettings};
