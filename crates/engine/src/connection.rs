//! Running one established connection: a reader task that turns frames into events, and a
//! writer loop that sends user commands and the frames the protocol obliges us to send.
//!
//! The reader never waits on the writer or on any consumer: it appends to the session log
//! and hands obligations (pongs, the close echo, a failure) to the writer through
//! [`ToWriter`], whose size is bounded whatever the peer sends.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use bytestring::ByteString;
use tokio::io::{ReadHalf, WriteHalf};
use tokio::sync::Notify;

use crate::batch_writer::BatchWriter;
use crate::command_queue::CommandQueue;
use crate::error::EngineError;
use crate::event::{Direction, EventKind, Initiator, Payload};
use crate::frame::{self, FrameReader, Kind, ReadError};
use crate::log::SessionLog;
use crate::spec::Settings;
use crate::stream::{MaybeTls, Prefixed};

type Stream = Prefixed<MaybeTls>;
type Reader = FrameReader<ReadHalf<Stream>>;
type Writer = BatchWriter<WriteHalf<Stream>>;

/// Largest frame accepted when the message size is unlimited: a length header beyond this is
/// an attack or a bug, and reserving memory for it would abort the process.
const UNLIMITED_FRAME_CAP: u64 = 1 << 34;

/// What the user (or another front end) asks a session to do.
#[derive(Debug)]
pub(crate) enum Command {
    /// Send these messages in order, flushing once after the batch.
    Send(Vec<Payload>),
    Ping(Bytes),
    Pong(Bytes),
    Close {
        code: Option<u16>,
        reason: String,
    },
}

/// What the reader asks of the writer: answers to pings, the echo of the peer's close frame,
/// or failing the connection.
///
/// Each field is a state, not a queue, so nothing here grows with what the peer sends: pings
/// keep at most [`MAX_PENDING_PONGS`] payloads (RFC 6455 §5.5.3 allows answering only the
/// most recent ping), a close arrives once, a failure ends the reader. Nothing is allocated
/// until the peer asks for something.
#[derive(Debug, Default)]
struct Obligations {
    /// Payloads of pings not answered yet.
    pongs: VecDeque<Bytes>,
    /// The peer's close frame (code, reason); the writer echoes it and remembers it, so that
    /// the outcome is known even if the peer then never closes the TCP connection.
    close_received: Option<(Option<u16>, String)>,
    /// Fail the connection: send this close code, then drop the socket.
    fail: Option<(u16, &'static str)>,
}

/// The reader's side of [`Obligations`], shared with the writer.
#[derive(Debug, Default)]
struct ToWriter {
    pending: std::sync::Mutex<Obligations>,
    wake: Notify,
    /// Frames read so far: the keepalive's sign of life.
    frames_read: AtomicU64,
    /// The reader is held back by a slow lossless consumer (pacing), so frames may be
    /// waiting unread: the connection counts as alive.
    paused: AtomicBool,
}

impl ToWriter {
    fn update(&self, change: impl FnOnce(&mut Obligations)) {
        change(&mut self.pending.lock().unwrap_or_else(|e| e.into_inner()));
        self.wake.notify_one();
    }

    fn take(&self) -> Obligations {
        std::mem::take(&mut *self.pending.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Queues a ping's payload for answering, keeping only the newest.
    fn answer_ping(&self, payload: Bytes) {
        self.update(|o| {
            o.pongs.push_back(payload);
            if o.pongs.len() > MAX_PENDING_PONGS {
                o.pongs.pop_front();
            }
        });
    }

    fn fail(&self, code: u16, reason: &'static str) {
        self.update(|o| o.fail = Some((code, reason)));
    }
}

/// How many unanswered pings are remembered.
const MAX_PENDING_PONGS: usize = 32;

/// Keepalive pings (`Settings::ping_interval_ms`) and the dead-path check
/// (`Settings::ping_timeout_ms`), driven by the writer loop.
#[derive(Debug)]
struct Keepalive {
    interval: Option<Duration>,
    timeout: Option<Duration>,
    next_ping: tokio::time::Instant,
    /// The unanswered ping: when it went out and how many frames had been read by then.
    waiting: Option<(tokio::time::Instant, u64)>,
}

/// What the keepalive wants done now.
#[derive(Debug, PartialEq, Eq)]
enum KeepaliveDue {
    Nothing,
    Ping,
    /// Nothing arrived within the timeout after a ping.
    Dead,
}

impl Keepalive {
    fn new(settings: &Settings) -> Keepalive {
        let ms = |v: u64| (v > 0).then(|| Duration::from_millis(v));
        let interval = ms(settings.ping_interval_ms);
        Keepalive {
            interval,
            timeout: interval.and(ms(settings.ping_timeout_ms)),
            next_ping: tokio::time::Instant::now() + interval.unwrap_or(Duration::ZERO),
            waiting: None,
        }
    }

    /// When to look again (far away when keepalive is off).
    fn deadline(&self) -> tokio::time::Instant {
        let far = tokio::time::Instant::now() + Duration::from_secs(86_400 * 365);
        let Some(_) = self.interval else { return far };
        let check = self
            .waiting
            .zip(self.timeout)
            .map(|((sent, _), timeout)| sent + timeout);
        check.map_or(self.next_ping, |c| c.min(self.next_ping))
    }

    /// Called at the deadline: is a ping due, or is the connection dead?
    fn due(&mut self, to_writer: &ToWriter) -> KeepaliveDue {
        let now = tokio::time::Instant::now();
        let frames = to_writer.frames_read.load(Ordering::Relaxed);
        if let Some((sent, seen)) = self.waiting {
            if frames != seen || to_writer.paused.load(Ordering::Relaxed) {
                self.waiting = None;
            } else if self.timeout.is_some_and(|t| now >= sent + t) {
                return KeepaliveDue::Dead;
            }
        }
        match self.interval {
            Some(interval) if now >= self.next_ping => {
                self.next_ping = now + interval;
                if self.waiting.is_none() {
                    self.waiting = Some((now, frames));
                }
                KeepaliveDue::Ping
            }
            _ => KeepaliveDue::Nothing,
        }
    }
}

/// How the reader ended.
struct ReadEnd {
    /// Close frame received from the peer: code and reason.
    close_received: Option<(Option<u16>, String)>,
    error: Option<EngineError>,
}

/// How a connection ended, for the session's reconnection decision.
#[derive(Debug)]
pub(crate) struct ConnectionEnd {
    pub error: Option<EngineError>,
    /// The peer closed with 1000 Normal Closure.
    pub normal_remote_close: bool,
}

/// Hooks the session gives the connection so it can publish state changes.
pub(crate) trait StateSink: Send + Sync {
    fn closing(&self);
}

/// The writer's side of the closing handshake.
#[derive(Debug, Default)]
struct Closing {
    /// The close frame we sent (its code), once sent.
    sent: Option<Option<u16>>,
    /// The peer's close frame, once it arrived.
    seen: Option<(Option<u16>, String)>,
    initiator: Option<Initiator>,
}

/// Runs the connection until it ends, recording everything in `log`.
pub(crate) async fn run(
    stream: Stream,
    settings: &Settings,
    log: &Arc<SessionLog>,
    commands: &CommandQueue,
    state: &dyn StateSink,
) -> ConnectionEnd {
    let (read_half, write_half) = tokio::io::split(stream);
    let mut writer = BatchWriter::new(write_half);
    let max = settings.max_message_size;
    let to_writer = Arc::new(ToWriter::default());
    let mut read_task = tokio::spawn(read_loop(
        FrameReader::new(read_half),
        log.clone(),
        max,
        settings.auto_pong,
        to_writer.clone(),
    ));

    let mut closing = Closing::default();
    let mut write_error: Option<EngineError> = None;
    let close_timeout = Duration::from_millis(settings.close_timeout_ms.max(1));
    let close_deadline = tokio::time::sleep(Duration::MAX);
    tokio::pin!(close_deadline);
    let mut keepalive = Keepalive::new(settings);
    let keepalive_deadline = tokio::time::sleep_until(keepalive.deadline());
    tokio::pin!(keepalive_deadline);

    let read_end: Option<ReadEnd> = loop {
        tokio::select! {
            biased;
            // Obligations go out before the reader's end is looked at, so a close echo is not
            // lost when the peer hangs up right after its close frame.
            () = to_writer.wake.notified() => {
                let obligations = to_writer.take();
                let failing = obligations.fail.is_some();
                let result = meet(obligations, &mut writer, log, &mut closing, state).await;
                if closing.sent.is_some() && !failing {
                    close_deadline.as_mut().reset(tokio::time::Instant::now() + close_timeout);
                }
                let result = result.and(flush(&mut writer).await);
                if failing {
                    // A failed connection is dropped without waiting for the peer; the
                    // reader has already returned its error.
                    break read_task.await.ok();
                }
                if let Err(e) = result {
                    write_error = Some(e);
                    read_task.abort();
                    break None;
                }
            }
            // A lossless reader of the log that is far behind holds back what we send too
            // (our own messages are events it must print): the commands wait in their
            // bounded queue, and whoever sends them waits for room there.
            () = log.wait_for_room(), if closing.sent.is_none() && log.is_full() => {}
            cmd = commands.recv(), if closing.sent.is_none() && !log.is_full() => {
                let mut result = apply(cmd, &mut writer, log, &mut closing.sent).await;
                // Drain what is already queued so a burst costs one flush — but no further
                // than the pacing reader allows: the whole queue at once put eight times
                // the pacing window into the log of a pipe sending small messages.
                while result.is_ok() && closing.sent.is_none() && !log.is_full() {
                    match commands.try_recv() {
                        Some(cmd) => result = apply(cmd, &mut writer, log, &mut closing.sent).await,
                        None => break,
                    }
                }
                if closing.sent.is_some() {
                    closing.initiator.get_or_insert(Initiator::Local);
                    state.closing();
                    close_deadline.as_mut().reset(tokio::time::Instant::now() + close_timeout);
                }
                if let Err(e) = result.and(flush(&mut writer).await) {
                    write_error = Some(e);
                    read_task.abort();
                    break None;
                }
            }
            end = &mut read_task => {
                // What the reader asked for just before it ended (it cannot ask any more).
                let _ = meet(to_writer.take(), &mut writer, log, &mut closing, state).await;
                break end.ok();
            }
            () = &mut close_deadline => {
                // The peer did not finish the closing handshake in time.
                read_task.abort();
                break None;
            }
            () = &mut keepalive_deadline, if closing.sent.is_none() => {
                let due = keepalive.due(&to_writer);
                keepalive_deadline.as_mut().reset(keepalive.deadline());
                let result = match due {
                    KeepaliveDue::Nothing => Ok(()),
                    KeepaliveDue::Ping => {
                        let ping = Command::Ping(Bytes::new());
                        match apply(ping, &mut writer, log, &mut closing.sent).await {
                            Ok(()) => flush(&mut writer).await,
                            Err(e) => Err(e),
                        }
                    }
                    KeepaliveDue::Dead => {
                        let timeout_ms = settings.ping_timeout_ms;
                        // A close frame, in case the server is alive but mute; the path may
                        // be dead, so it is not waited for long.
                        let close = Command::Close { code: Some(1001), reason: "ping timeout".into() };
                        let _ = tokio::time::timeout(Duration::from_secs(1), async {
                            if apply(close, &mut writer, log, &mut closing.sent).await.is_ok() {
                                let _ = flush(&mut writer).await;
                            }
                        })
                        .await;
                        closing.initiator.get_or_insert(Initiator::Local);
                        Err(EngineError::PingTimeout { timeout_ms })
                    }
                };
                if let Err(e) = result {
                    write_error = Some(e);
                    read_task.abort();
                    break None;
                }
            }
        }
    };
    let _ = flush(&mut writer).await;

    let (close_received, read_error) = match read_end {
        Some(end) => (end.close_received.or(closing.seen), end.error),
        // The reader was stopped: after the close handshake, when the peer kept the TCP
        // connection open past the close timeout, or after a write error.
        None => (closing.seen, None),
    };
    let initiator = closing.initiator.unwrap_or(Initiator::Remote);
    let close_sent = closing.sent;
    let error = write_error.or(read_error);
    // Clean: the peer's close frame arrived before the connection ended, without error.
    let clean = close_received.is_some() && error.is_none();
    let (code, reason) = match (&close_received, close_sent) {
        (Some((code, reason)), _) => (*code, reason.clone()),
        (None, Some(code)) => (code, String::new()),
        (None, None) => (None, String::new()),
    };
    if let Some(e) = &error {
        log.append(EventKind::Error(e.clone()));
    }
    let error = error.or_else(|| {
        (close_received.is_none()).then(|| {
            EngineError::ConnectionLost(if close_sent.is_some() {
                "the server did not answer the close frame in time".into()
            } else {
                "the connection ended without a close frame".into()
            })
        })
    });
    log.append(EventKind::Closed {
        code,
        reason,
        clean,
        initiator,
    });
    ConnectionEnd {
        normal_remote_close: initiator == Initiator::Remote && code == Some(1000),
        error: if clean { None } else { error },
    }
}

/// Sends what the reader asked for: pong answers, the echo of the peer's close frame, or the
/// close frame that fails the connection.
async fn meet(
    obligations: Obligations,
    writer: &mut Writer,
    log: &SessionLog,
    closing: &mut Closing,
    state: &dyn StateSink,
) -> Result<(), EngineError> {
    let Obligations {
        pongs,
        close_received,
        fail,
    } = obligations;
    for payload in pongs {
        if closing.sent.is_some() {
            break;
        }
        write(writer, Kind::Pong, &payload).await?;
        log.append(EventKind::Pong {
            direction: Direction::Out,
            payload,
        });
    }
    if let Some((code, reason)) = close_received {
        if closing.sent.is_none() {
            // Echo the peer's close frame (RFC 6455 §5.5.1).
            closing.sent = Some(code);
            state.closing();
            log.append(EventKind::Closing {
                direction: Direction::Out,
                code,
                reason: reason.clone(),
            });
            write(writer, Kind::Close, &close_payload(code, &reason)).await?;
        }
        closing.seen = Some((code, reason));
    }
    if let Some((code, reason)) = fail
        && closing.sent.is_none()
    {
        closing.sent = Some(Some(code));
        closing.initiator = Some(Initiator::Local);
        state.closing();
        log.append(EventKind::Closing {
            direction: Direction::Out,
            code: Some(code),
            reason: reason.to_owned(),
        });
        write(writer, Kind::Close, &close_payload(Some(code), reason)).await?;
    }
    Ok(())
}

async fn apply(
    cmd: Command,
    writer: &mut Writer,
    log: &SessionLog,
    close_sent: &mut Option<Option<u16>>,
) -> Result<(), EngineError> {
    match cmd {
        Command::Send(batch) => {
            // Logged together once written (or as far as written when a write fails): one
            // wake-up of the log's readers per batch, not per message.
            let mut written = Vec::with_capacity(batch.len());
            let mut result = Ok(());
            for payload in batch {
                result = match &payload {
                    Payload::Text(t) => write(writer, Kind::Text, t.as_bytes()).await,
                    Payload::Binary(b) => write(writer, Kind::Binary, b).await,
                };
                if result.is_err() {
                    break;
                }
                written.push(EventKind::Message {
                    direction: Direction::Out,
                    payload,
                });
            }
            log.append_all(written);
            result?;
        }
        Command::Ping(payload) => {
            write(writer, Kind::Ping, &payload).await?;
            log.append(EventKind::Ping {
                direction: Direction::Out,
                payload,
            });
        }
        Command::Pong(payload) => {
            write(writer, Kind::Pong, &payload).await?;
            log.append(EventKind::Pong {
                direction: Direction::Out,
                payload,
            });
        }
        Command::Close { code, reason } => {
            *close_sent = Some(code);
            write(writer, Kind::Close, &close_payload(code, &reason)).await?;
            log.append(EventKind::Closing {
                direction: Direction::Out,
                code,
                reason,
            });
        }
    }
    Ok(())
}

/// A close frame's payload: the code (big-endian) and the reason, or nothing without a code.
fn close_payload(code: Option<u16>, reason: &str) -> Vec<u8> {
    match code {
        Some(code) => [&code.to_be_bytes()[..], reason.as_bytes()].concat(),
        None => Vec::new(),
    }
}

/// Adds one frame to the write batch (writing the batch out first when it is full).
async fn write(writer: &mut Writer, kind: Kind, payload: &[u8]) -> Result<(), EngineError> {
    let out = writer.room(payload.len() + 14).await.map_err(write_error)?;
    frame::encode(out, kind, payload);
    Ok(())
}

async fn flush(writer: &mut Writer) -> Result<(), EngineError> {
    use tokio::io::AsyncWriteExt;
    writer.flush().await.map_err(write_error)
}

fn write_error(e: std::io::Error) -> EngineError {
    EngineError::ConnectionLost(format!("sending failed: {}", io_error_words(&e)))
}

/// An I/O error of an open connection in words: a TLS failure (a fatal alert, a bad record)
/// as the TLS wording says it, never as rustls's type names.
fn io_error_words(e: &std::io::Error) -> String {
    let is_tls = e
        .get_ref()
        .is_some_and(|inner| inner.downcast_ref::<rustls::Error>().is_some());
    if is_tls {
        crate::tls::describe_tls_error(e, crate::tls::TlsContext::default()).0
    } else {
        e.to_string()
    }
}

/// Splits a close frame's payload into code and reason. `Err` when the payload breaks RFC
/// 6455 §5.5.1/§7.4: one byte, a code no endpoint may send, or a reason that is not UTF-8.
fn parse_close(payload: &[u8]) -> Result<(Option<u16>, String), (u16, &'static str, EngineError)> {
    match payload {
        [] => Ok((None, String::new())),
        [_] => Err((
            1002,
            "protocol error",
            EngineError::Protocol("a close frame has a 1-byte payload (a code takes 2)".into()),
        )),
        [hi, lo, reason @ ..] => {
            let code = u16::from_be_bytes([*hi, *lo]);
            let Ok(reason) = std::str::from_utf8(reason) else {
                return Err((1007, "invalid UTF-8", EngineError::InvalidUtf8));
            };
            if !tungstenite::protocol::frame::coding::CloseCode::from(code).is_allowed() {
                return Err((
                    1002,
                    "protocol error",
                    EngineError::Protocol(format!(
                        "the server sent close code {code}, which no endpoint may send"
                    )),
                ));
            }
            Ok((Some(code), reason.to_owned()))
        }
    }
}

/// A message being reassembled from fragments.
struct Partial {
    text: bool,
    data: BytesMut,
    /// For text: how much of `data` is known to be valid UTF-8 (a character may be split
    /// across fragments, so the tail may still be incomplete).
    checked: usize,
}

impl Partial {
    fn new(text: bool, first: &[u8]) -> Option<Self> {
        let mut p = Partial {
            text,
            data: BytesMut::new(),
            checked: 0,
        };
        p.push(first).then_some(p)
    }

    /// Appends a fragment; false when text is already invalid UTF-8, so the connection
    /// fails fast instead of after the last fragment.
    fn push(&mut self, fragment: &[u8]) -> bool {
        self.data.extend_from_slice(fragment);
        if !self.text {
            return true;
        }
        match std::str::from_utf8(&self.data[self.checked..]) {
            Ok(_) => {
                self.checked = self.data.len();
                true
            }
            Err(e) => {
                self.checked += e.valid_up_to();
                // `error_len() == None` means an incomplete character at the end: wait for more.
                e.error_len().is_none()
            }
        }
    }
}

async fn read_loop(
    mut reader: Reader,
    log: Arc<SessionLog>,
    max: u64,
    auto_pong: bool,
    to_writer: Arc<ToWriter>,
) -> ReadEnd {
    let mut partial: Option<Partial> = None;
    let mut close_received = None;
    let fail = |code: u16, reason: &'static str, error: EngineError, close_received| {
        to_writer.fail(code, reason);
        ReadEnd {
            close_received,
            error: Some(error),
        }
    };
    let protocol = |text: &str, close_received| {
        fail(
            1002,
            "protocol error",
            EngineError::Protocol(text.into()),
            close_received,
        )
    };
    let too_big = |size: u64, close_received| {
        fail(
            1009,
            "message too big",
            EngineError::MessageTooBig { size, max },
            close_received,
        )
    };
    let invalid_utf8 = |close_received| {
        fail(
            1007,
            "invalid UTF-8",
            EngineError::InvalidUtf8,
            close_received,
        )
    };
    let limit = if max == 0 { UNLIMITED_FRAME_CAP } else { max };
    // Messages are appended unannounced while more frames are already buffered, and the
    // log's readers woken once before the next wait (for the socket or for room): a read of
    // many small messages costs a waiting printer one wake-up, not one per message.
    let _announce_at_end = AnnounceOnDrop(&log);
    loop {
        // A lossless reader (see `Settings::pacing_bytes`) that is far behind pauses us here,
        // so TCP slows the peer down.
        // Marked paused only while actually held back (the keepalive counts that as alive),
        // so the usual frame costs one atomic load here.
        if log.is_full() {
            log.announce();
            to_writer.paused.store(true, Ordering::Relaxed);
            log.wait_for_room().await;
            to_writer.paused.store(false, Ordering::Relaxed);
        }
        if !reader.has_whole_frame() {
            log.announce();
        }
        // A fragment may only bring the message up to the limit.
        let so_far = partial.as_ref().map_or(0, |p| p.data.len() as u64);
        let frame = match reader.read_frame(limit.saturating_sub(so_far)).await {
            Ok(frame) => frame,
            Err(ReadError::Eof | ReadError::Io(_)) if close_received.is_some() => {
                return ReadEnd {
                    close_received,
                    error: None,
                };
            }
            Err(ReadError::Eof) => {
                return ReadEnd {
                    close_received,
                    error: Some(EngineError::ConnectionLost(
                        "the server closed the connection without a close frame".into(),
                    )),
                };
            }
            Err(ReadError::Io(e)) => {
                return ReadEnd {
                    close_received,
                    error: Some(EngineError::ConnectionLost(io_error_words(&e))),
                };
            }
            Err(ReadError::Protocol(text)) => return protocol(&text, close_received),
            Err(ReadError::TooBig(len)) => return too_big(so_far + len, close_received),
        };
        to_writer.frames_read.fetch_add(1, Ordering::Relaxed);
        let fin = frame.fin;
        match frame.kind {
            Kind::Text | Kind::Binary => {
                let text = frame.kind == Kind::Text;
                if partial.is_some() {
                    return protocol(
                        "a new message started before the previous fragmented one ended",
                        close_received,
                    );
                }
                if fin {
                    if !append_message(&log, text, frame.payload) {
                        return invalid_utf8(close_received);
                    }
                } else {
                    match Partial::new(text, &frame.payload) {
                        Some(p) => partial = Some(p),
                        None => return invalid_utf8(close_received),
                    }
                }
            }
            Kind::Continuation => {
                let Some(mut p) = partial.take() else {
                    return protocol(
                        "continuation frame without a message to continue",
                        close_received,
                    );
                };
                if !p.push(&frame.payload) {
                    return invalid_utf8(close_received);
                }
                if fin {
                    if !append_message(&log, p.text, p.data.freeze()) {
                        return invalid_utf8(close_received);
                    }
                } else {
                    partial = Some(p);
                }
            }
            Kind::Ping => {
                log.append(EventKind::Ping {
                    direction: Direction::In,
                    payload: frame.payload.clone(),
                });
                if auto_pong && close_received.is_none() {
                    to_writer.answer_ping(frame.payload);
                }
            }
            Kind::Pong => {
                log.append(EventKind::Pong {
                    direction: Direction::In,
                    payload: frame.payload,
                });
            }
            Kind::Close => {
                let (code, reason) = match parse_close(&frame.payload) {
                    Ok(parsed) => parsed,
                    Err((code, text, error)) => return fail(code, text, error, close_received),
                };
                log.append(EventKind::Closing {
                    direction: Direction::In,
                    code,
                    reason: reason.clone(),
                });
                to_writer.update(|o| o.close_received = Some((code, reason.clone())));
                close_received = Some((code, reason));
            }
        }
    }
}

/// Wakes the log's readers when the socket reader ends, however it ends.
struct AnnounceOnDrop<'a>(&'a SessionLog);

impl Drop for AnnounceOnDrop<'_> {
    fn drop(&mut self) {
        self.0.announce();
    }
}

/// Records a received message, unannounced (see `read_loop`); false when a text message
/// is not UTF-8.
fn append_message(log: &SessionLog, text: bool, bytes: Bytes) -> bool {
    let payload = if text {
        match ByteString::try_from(bytes) {
            Ok(t) => Payload::Text(t),
            Err(_) => return false,
        }
    } else {
        Payload::Binary(bytes)
    };
    log.append_unannounced(EventKind::Message {
        direction: Direction::In,
        payload,
    });
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unanswered_pings_are_bounded_and_keep_the_newest() {
        let to_writer = ToWriter::default();
        for i in 0..40u8 {
            to_writer.answer_ping(Bytes::from(vec![i]));
        }
        let kept: Vec<u8> = to_writer.take().pongs.iter().map(|b| b[0]).collect();
        assert_eq!(kept, (8..40).collect::<Vec<u8>>());
        assert!(to_writer.take().pongs.is_empty(), "taken once");
    }

    #[test]
    fn close_payloads_are_checked() {
        let code = |payload: &[u8]| parse_close(payload).map_err(|(code, _, _)| code);
        assert_eq!(code(b""), Ok((None, String::new())));
        assert_eq!(code(&[3, 232, b'o', b'k']), Ok((Some(1000), "ok".into())));
        assert_eq!(code(&[15, 160]), Ok((Some(4000), String::new())));
        assert_eq!(code(&[3]), Err(1002), "one byte");
        assert_eq!(code(&[3, 237]), Err(1002), "1005 may not be sent");
        assert_eq!(code(&[0, 0]), Err(1002), "code 0");
        assert_eq!(code(&[3, 232, 0xff]), Err(1007), "reason not UTF-8");
    }
}
