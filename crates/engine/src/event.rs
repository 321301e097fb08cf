//! Everything that happens on a session, as data.
//!
//! Front ends never see sockets: they read these events from the session log and render
//! them (a terminal line, a JSON-RPC notification, a row in the UI's message pane).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use bytestring::ByteString;

use crate::error::EngineError;

/// One entry of a session log.
#[derive(Debug, Clone)]
pub struct Event {
    /// Position in the session log, from 0, without gaps.
    pub seq: u64,
    /// Wall-clock time, for display.
    pub time: SystemTime,
    /// Monotonic time since the engine started, for differences between events.
    pub mono: Duration,
    /// What happened.
    pub kind: EventKind,
}

/// Which way a frame went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Received from the server.
    In,
    /// Sent by us.
    Out,
}

/// Who started a close.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Initiator {
    /// We (the user, or the engine failing the connection) sent the first close frame.
    Local,
    /// The server sent the first close frame, or dropped the connection.
    Remote,
}

/// The body of a data message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Payload {
    /// A text message; always valid UTF-8.
    Text(ByteString),
    /// A binary message.
    Binary(Bytes),
}

impl Payload {
    /// Size in bytes on the wire (before framing).
    pub fn len(&self) -> usize {
        match self {
            Payload::Text(t) => t.len(),
            Payload::Binary(b) => b.len(),
        }
    }

    /// Whether the message is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The raw bytes, text or not.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Payload::Text(t) => t.as_bytes(),
            Payload::Binary(b) => b,
        }
    }

    /// A text payload from anything string-like.
    pub fn text(s: impl Into<ByteString>) -> Self {
        Payload::Text(s.into())
    }

    /// A binary payload from anything byte-like.
    pub fn binary(b: impl Into<Bytes>) -> Self {
        Payload::Binary(b.into())
    }
}

/// The status line and headers of one side of the HTTP upgrade.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HttpHead {
    /// `GET /path HTTP/1.1` for a request, `HTTP/1.1 101 Switching Protocols` for a response.
    pub start_line: String,
    /// Headers in the order they were sent or received.
    pub headers: Vec<(String, String)>,
}

/// Where the time of a handshake went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HandshakeTimings {
    /// Name resolution.
    pub dns: Duration,
    /// TCP connect.
    pub connect: Duration,
    /// TLS handshake (zero for `ws://`).
    pub tls: Duration,
    /// HTTP upgrade request until the 101 answer.
    pub upgrade: Duration,
    /// From the first `Connecting` to open, redirects included.
    pub total: Duration,
}

/// What a successful handshake established: the UI's connection-badge details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandshakeInfo {
    /// The URL finally connected to, after redirects.
    pub url: String,
    /// The server's address.
    pub remote_addr: SocketAddr,
    /// The upgrade request as sent.
    pub request: HttpHead,
    /// The 101 answer as received.
    pub response: HttpHead,
    /// The subprotocol the server chose, if any.
    pub protocol: Option<String>,
    /// The extensions the server accepted, if any.
    pub extensions: Vec<String>,
    /// TLS version and cipher suite for `wss://`.
    pub tls: Option<String>,
    /// Time spent per phase.
    pub timings: HandshakeTimings,
}

/// Everything a session records.
#[derive(Debug, Clone)]
pub enum EventKind {
    /// A connection attempt starts (attempt 0 is the first, then reconnections).
    Connecting { url: String, attempt: u32 },
    /// One redirect hop was followed.
    Redirect {
        status: u16,
        from: String,
        to: String,
        hop: u32,
        /// Headers dropped because the redirect went to another host.
        dropped_headers: Vec<String>,
    },
    /// The handshake succeeded.
    Open(Arc<HandshakeInfo>),
    /// A data message was sent or received.
    Message {
        direction: Direction,
        payload: Payload,
    },
    /// A ping was sent or received.
    Ping {
        direction: Direction,
        payload: Bytes,
    },
    /// A pong was sent or received (automatic answers to pings included).
    Pong {
        direction: Direction,
        payload: Bytes,
    },
    /// A close frame was sent or received; the closing handshake is under way.
    Closing {
        direction: Direction,
        code: Option<u16>,
        reason: String,
    },
    /// The connection is gone.
    Closed {
        /// The close code received from the peer, else the one we sent; `None` is 1006.
        code: Option<u16>,
        reason: String,
        /// Both close frames were exchanged before the TCP connection ended.
        clean: bool,
        initiator: Initiator,
    },
    /// Something failed; a `Closed` or `Reconnecting` event usually follows.
    Error(EngineError),
    /// Waiting before the next connection attempt.
    Reconnecting {
        attempt: u32,
        of: u32,
        delay_ms: u64,
    },
}

impl EventKind {
    /// Bytes of payload the event holds, for memory accounting and size display.
    pub fn payload_len(&self) -> usize {
        match self {
            EventKind::Message { payload, .. } => payload.len(),
            EventKind::Ping { payload, .. } | EventKind::Pong { payload, .. } => payload.len(),
            EventKind::Closing { reason, .. } | EventKind::Closed { reason, .. } => reason.len(),
            _ => 0,
        }
    }
}
