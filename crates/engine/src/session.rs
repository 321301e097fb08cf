//! A session: one request, connected (and reconnected) over its lifetime, with its log.
//!
//! A [`Session`] is a cheap handle; the work happens in a task spawned by
//! [`Engine::open`](crate::Engine::open). Commands go to the task through a bounded queue, so
//! a sender that outruns the socket waits instead of growing memory without bound.

use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use tokio::sync::Notify;

use crate::command_queue::CommandQueue;
use crate::connection::{self, Command, StateSink};
use crate::cursor::LogCursor;
use crate::dial::{self, Established, Prepared};
use crate::error::EngineError;
use crate::event::{EventKind, HandshakeInfo, Initiator, Payload};
use crate::log::SessionLog;
use crate::spec::RequestSpec;

/// Identifies a session within one engine.
pub type SessionId = u64;

/// Where a session is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SessionState {
    /// Dialling, TLS, or waiting for the upgrade answer.
    Connecting,
    /// Open: messages can be sent.
    Open,
    /// A close frame was sent or received; waiting for the end.
    Closing,
    /// Waiting before a reconnection attempt.
    Reconnecting,
    /// Over; the log is complete.
    Closed,
}

impl SessionState {
    fn from_u8(v: u8) -> Self {
        match v {
            0 => SessionState::Connecting,
            1 => SessionState::Open,
            2 => SessionState::Closing,
            3 => SessionState::Reconnecting,
            _ => SessionState::Closed,
        }
    }

    /// Lower-case name, for messages and listings.
    pub fn as_str(self) -> &'static str {
        match self {
            SessionState::Connecting => "connecting",
            SessionState::Open => "open",
            SessionState::Closing => "closing",
            SessionState::Reconnecting => "reconnecting",
            SessionState::Closed => "closed",
        }
    }
}

/// A summary of a session, for listings.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    pub id: SessionId,
    /// The URL as requested (params merged).
    pub url: String,
    /// Subprotocols offered.
    pub protocols: Vec<String>,
    pub state: SessionState,
    /// The subprotocol negotiated on the current or last connection.
    pub negotiated_protocol: Option<String>,
    /// How many events the session has recorded.
    pub event_count: u64,
}

#[derive(Debug)]
pub(crate) struct Shared {
    pub id: SessionId,
    pub spec: RequestSpec,
    pub url: String,
    pub log: Arc<SessionLog>,
    state: AtomicU8,
    user_closed: AtomicBool,
    stop: Notify,
    handshake: Mutex<Option<Arc<HandshakeInfo>>>,
    last_error: Mutex<Option<EngineError>>,
    commands: CommandQueue,
}

impl Shared {
    fn set_state(&self, state: SessionState) {
        self.state.store(state as u8, Ordering::Release);
    }

    fn state(&self) -> SessionState {
        SessionState::from_u8(self.state.load(Ordering::Acquire))
    }
}

impl StateSink for Shared {
    fn closing(&self) {
        self.set_state(SessionState::Closing);
    }
}

/// A handle to a session. Clones refer to the same session.
#[derive(Debug, Clone)]
pub struct Session {
    pub(crate) shared: Arc<Shared>,
}

/// How long a connection must stay open before reconnection attempts are counted afresh.
const HEALTHY_AFTER: Duration = Duration::from_secs(10);

/// How long `close` waits for room in a full command queue.
const CLOSE_QUEUE_WAIT: Duration = Duration::from_secs(1);

/// How many bytes of commands (messages waiting to be written) may wait for the socket
/// before senders wait: enough to keep a fast socket busy, little enough that a pipe reading
/// stdin faster than the server takes it holds a few megabytes, not hundreds.
const COMMAND_QUEUE_BYTES: u32 = 4 << 20;

impl Session {
    pub(crate) fn start(
        id: SessionId,
        spec: RequestSpec,
        prepared: Prepared,
        log: Arc<SessionLog>,
    ) -> Session {
        let shared = Arc::new(Shared {
            id,
            url: prepared.url.to_string(),
            spec,
            log,
            state: AtomicU8::new(SessionState::Connecting as u8),
            user_closed: AtomicBool::new(false),
            stop: Notify::new(),
            handshake: Mutex::new(None),
            last_error: Mutex::new(None),
            commands: CommandQueue::new(COMMAND_QUEUE_BYTES),
        });
        tokio::spawn(drive(shared.clone(), prepared));
        Session { shared }
    }

    /// The session's id.
    pub fn id(&self) -> SessionId {
        self.shared.id
    }

    /// The request this session was opened with.
    pub fn spec(&self) -> &RequestSpec {
        &self.shared.spec
    }

    /// The session's event log; read it from any position.
    pub fn log(&self) -> &Arc<SessionLog> {
        &self.shared.log
    }

    /// The current state.
    pub fn state(&self) -> SessionState {
        self.shared.state()
    }

    /// The handshake of the current or last connection.
    pub fn handshake(&self) -> Option<Arc<HandshakeInfo>> {
        lock(&self.shared.handshake).clone()
    }

    /// The error that ended the last connection or attempt, if it did not end cleanly.
    pub fn last_error(&self) -> Option<EngineError> {
        lock(&self.shared.last_error).clone()
    }

    /// A summary for listings.
    pub fn info(&self) -> SessionInfo {
        SessionInfo {
            id: self.shared.id,
            url: self.shared.url.clone(),
            protocols: self.shared.spec.protocols.clone(),
            state: self.state(),
            negotiated_protocol: lock(&self.shared.handshake)
                .as_ref()
                .and_then(|h| h.protocol.clone()),
            event_count: self.shared.log.next_seq(),
        }
    }

    fn require_open(&self, action: &'static str) -> Result<(), EngineError> {
        match self.state() {
            SessionState::Open => Ok(()),
            other => Err(EngineError::NotOpen {
                state: other.as_str(),
                action,
            }),
        }
    }

    async fn command(&self, cmd: Command, action: &'static str) -> Result<(), EngineError> {
        self.require_open(action)?;
        self.shared
            .commands
            .send(cmd)
            .await
            .map_err(|_| EngineError::NotOpen {
                state: "closed",
                action,
            })
    }

    /// Sends one message.
    pub async fn send(&self, payload: Payload) -> Result<(), EngineError> {
        self.command(Command::Send(vec![payload]), "sending a message")
            .await
    }

    /// Sends several messages in order with one flush: the fast path for pipes and scripts.
    pub async fn send_batch(&self, batch: Vec<Payload>) -> Result<(), EngineError> {
        if batch.is_empty() {
            return Ok(());
        }
        self.command(Command::Send(batch), "sending a message")
            .await
    }

    /// Sends a ping with up to 125 bytes of payload.
    pub async fn ping(&self, payload: Bytes) -> Result<(), EngineError> {
        check_control_payload("ping", &payload)?;
        self.command(Command::Ping(payload), "sending a ping").await
    }

    /// Sends an unsolicited pong with up to 125 bytes of payload.
    pub async fn pong(&self, payload: Bytes) -> Result<(), EngineError> {
        check_control_payload("pong", &payload)?;
        self.command(Command::Pong(payload), "sending a pong").await
    }

    /// Starts the closing handshake with `code` and `reason` (no code: an empty close frame),
    /// or cancels a connection attempt or a reconnection wait. Closing a closed session is a
    /// no-op.
    pub async fn close(&self, code: Option<u16>, reason: &str) -> Result<(), EngineError> {
        if let Some(code) = code {
            validate_close_code(code)?;
        } else if !reason.is_empty() {
            return Err(EngineError::CloseReasonWithoutCode);
        }
        if reason.len() > 123 {
            return Err(EngineError::CloseReasonTooLong(reason.len()));
        }
        self.shared.user_closed.store(true, Ordering::Release);
        // Stop first: a connection attempt or a reconnection wait ends at once.
        self.shared.stop.notify_one();
        if !matches!(self.state(), SessionState::Closed | SessionState::Closing) {
            // Queued even while connecting: if the handshake completes before the stop is
            // seen, the new connection reads this first and closes. The wait is bounded: if
            // the queue is full and nobody drains it (the connection just dropped), the stop
            // above already ends the session.
            let command = Command::Close {
                code,
                reason: reason.to_owned(),
            };
            let _ =
                tokio::time::timeout(CLOSE_QUEUE_WAIT, self.shared.commands.send(command)).await;
        }
        Ok(())
    }

    /// Waits until the handshake succeeds (returning its details) or the session gives up.
    pub async fn wait_open(&self) -> Result<Arc<HandshakeInfo>, EngineError> {
        let mut cursor = LogCursor::new(self.shared.log.clone());
        let mut batch = Vec::new();
        let mut error = None;
        loop {
            let outcome = cursor.next(256, &mut batch).await;
            for event in &batch {
                match &event.kind {
                    EventKind::Open(info) => return Ok(info.clone()),
                    EventKind::Error(e) => error = Some(e.clone()),
                    _ => {}
                }
            }
            if outcome.at_end {
                return Err(error.or_else(|| self.last_error()).unwrap_or(
                    EngineError::ConnectionLost("the session ended before it opened".into()),
                ));
            }
        }
    }

    /// Waits until the session is over.
    pub async fn wait_closed(&self) {
        loop {
            let next = self.shared.log.next_seq();
            if self.shared.log.is_finished() {
                return;
            }
            self.shared.log.wait_past(next).await;
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn check_control_payload(kind: &'static str, payload: &[u8]) -> Result<(), EngineError> {
    if payload.len() > 125 {
        Err(EngineError::ControlPayloadTooLong {
            kind,
            len: payload.len(),
        })
    } else {
        Ok(())
    }
}

/// RFC 6455 §7.4: codes an endpoint may put in a close frame.
pub fn validate_close_code(code: u16) -> Result<(), EngineError> {
    match code {
        1000..=1003 | 1007..=1014 | 3000..=4999 => Ok(()),
        _ => Err(EngineError::InvalidCloseCode(code)),
    }
}

/// The session task: connect, run, and reconnect as the settings say.
async fn drive(shared: Arc<Shared>, prepared: Prepared) {
    let settings = &prepared.settings;
    let log = shared.log.clone();
    let mut failures: u32 = 0;
    let mut attempt: u32 = 0;
    loop {
        if shared.user_closed.load(Ordering::Acquire) {
            log.append(cancelled());
            break;
        }
        shared.set_state(SessionState::Connecting);
        log.append(EventKind::Connecting {
            url: shared.url.clone(),
            attempt,
        });
        attempt += 1;
        let dialed = tokio::select! {
            // Boxed: the dial future is large and short-lived; inline it would make the
            // session task's allocation large for the whole life of the session.
            r = Box::pin(dial::dial(&prepared, &log)) => Some(r),
            () = shared.stop.notified() => None,
        };
        let retry = match dialed {
            None => {
                log.append(cancelled());
                break;
            }
            Some(Err(error)) => {
                log.append(EventKind::Error(error.clone()));
                let transient = error.is_transient();
                log.append(EventKind::Closed {
                    code: None,
                    reason: String::new(),
                    clean: false,
                    initiator: Initiator::Remote,
                });
                *lock(&shared.last_error) = Some(error);
                transient
            }
            Some(Ok(established)) => {
                let opened_at = std::time::Instant::now();
                let Established { stream, info } = *established;
                let info = Arc::new(info);
                *lock(&shared.handshake) = Some(info.clone());
                *lock(&shared.last_error) = None;
                shared.set_state(SessionState::Open);
                log.append(EventKind::Open(info));
                let end = Box::pin(connection::run(
                    stream,
                    settings,
                    &log,
                    &shared.commands,
                    shared.as_ref(),
                ))
                .await;
                // A connection that stayed up for a while earns a fresh set of attempts; one
                // that fails right after opening keeps counting, so the attempts stay bounded.
                if opened_at.elapsed() >= HEALTHY_AFTER {
                    failures = 0;
                }
                let retry = !end.normal_remote_close
                    && end.error.as_ref().is_none_or(EngineError::is_transient);
                *lock(&shared.last_error) = end.error;
                retry
            }
        };
        if !retry || shared.user_closed.load(Ordering::Acquire) {
            break;
        }
        if failures >= settings.reconnect_attempts {
            break;
        }
        failures += 1;
        shared.set_state(SessionState::Reconnecting);
        log.append(EventKind::Reconnecting {
            attempt: failures,
            of: settings.reconnect_attempts,
            delay_ms: settings.reconnect_interval_ms,
        });
        let waited = tokio::select! {
            () = tokio::time::sleep(Duration::from_millis(settings.reconnect_interval_ms)) => true,
            () = shared.stop.notified() => false,
        };
        if !waited {
            log.append(cancelled());
            break;
        }
    }
    shared.set_state(SessionState::Closed);
    shared.commands.close();
    log.finish();
}

fn cancelled() -> EventKind {
    EventKind::Closed {
        code: None,
        reason: "cancelled".into(),
        clean: true,
        initiator: Initiator::Local,
    }
}
