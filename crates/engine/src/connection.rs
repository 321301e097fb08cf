//! Running one established connection: a reader task that turns frames into events, and a
//! writer loop that sends user commands and the frames the protocol obliges us to send.
//!
//! The reader never waits on the writer or on any consumer: it appends to the session log
//! and hands obligated frames (pongs, close echoes) to the writer through an unbounded queue
//! whose size is bounded by what the peer sends.

use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use bytestring::ByteString;
use fastwebsockets::{Frame, OpCode, Role, WebSocketError, WebSocketRead, WebSocketWrite};
use tokio::io::{ReadHalf, WriteHalf};
use tokio::sync::mpsc;

use crate::batch_writer::BatchWriter;
use crate::dial::{MaybeTls, Prefixed};
use crate::error::EngineError;
use crate::event::{Direction, EventKind, Initiator, Payload};
use crate::log::SessionLog;
use crate::spec::Settings;

type Stream = Prefixed<MaybeTls>;
type Reader = WebSocketRead<ReadHalf<Stream>>;
type Writer = WebSocketWrite<BatchWriter<WriteHalf<Stream>>>;

/// Largest frame accepted when the message size is unlimited: a length header beyond this is
/// an attack or a bug, and reserving memory for it would abort the process.
const UNLIMITED_FRAME_CAP: usize = 1 << 34;

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

/// What the reader hands to the writer.
enum FromReader {
    /// A frame the protocol obliges us to send (close echo from the library).
    Obligated(Box<Frame<'static>>),
    /// Answer the pings whose payloads wait in the shared [`PendingPongs`] queue.
    Pong,
    /// Fail the connection: send this close code, then drop the socket.
    Fail(u16, &'static str),
    /// The peer's close frame arrived (code, reason). The writer remembers it, so that the
    /// outcome is known even if the peer then never closes the TCP connection.
    CloseReceived(Option<u16>, String),
}

/// Payloads of pings not answered yet, at most [`MAX_PENDING_PONGS`]. A peer that floods
/// pings while not reading our writes could otherwise grow the reader→writer queue without
/// bound; past the limit the oldest are dropped (RFC 6455 §5.5.3 allows answering only the
/// most recent ping), while ordinary bursts are all answered.
type PendingPongs = Arc<std::sync::Mutex<std::collections::VecDeque<Bytes>>>;

/// How many unanswered pings are remembered.
const MAX_PENDING_PONGS: usize = 32;

/// Queues a ping's payload for answering; true when the queue was empty (a notice is due).
fn remember_ping(pending: &PendingPongs, payload: Bytes) -> bool {
    let mut queue = pending.lock().unwrap_or_else(|e| e.into_inner());
    let was_empty = queue.is_empty();
    queue.push_back(payload);
    if queue.len() > MAX_PENDING_PONGS {
        queue.pop_front();
    }
    was_empty
}

fn take_pending(pending: &PendingPongs) -> std::collections::VecDeque<Bytes> {
    std::mem::take(&mut *pending.lock().unwrap_or_else(|e| e.into_inner()))
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

/// Runs the connection until it ends, recording everything in `log`.
pub(crate) async fn run(
    stream: Stream,
    settings: &Settings,
    log: &Arc<SessionLog>,
    commands: &mut mpsc::Receiver<Command>,
    state: &dyn StateSink,
) -> ConnectionEnd {
    let (read_half, write_half) = tokio::io::split(stream);
    let (mut reader, mut writer) = fastwebsockets::after_handshake_split(
        read_half,
        BatchWriter::new(write_half),
        Role::Client,
    );
    // Pings are answered here, not by the library, so that they can be recorded and the
    // answer switched off.
    reader.set_auto_pong(false);
    reader.set_auto_close(true);
    let max = settings.max_message_size;
    reader.set_max_message_size(if max == 0 {
        UNLIMITED_FRAME_CAP
    } else {
        usize::try_from(max).unwrap_or(usize::MAX).saturating_add(1)
    });

    // Unbounded, but bounded in practice: at most one Pong notice waits at a time (see
    // PendingPong), and the other items come once per connection.
    let (to_writer, mut from_reader) = mpsc::unbounded_channel();
    let pending_pong = PendingPongs::default();
    let mut read_task = tokio::spawn(read_loop(
        reader,
        log.clone(),
        max,
        settings.auto_pong.then(|| pending_pong.clone()),
        to_writer,
    ));

    let mut close_sent: Option<Option<u16>> = None;
    let mut initiator = Initiator::Remote;
    let mut write_error: Option<EngineError> = None;
    let close_timeout = Duration::from_millis(settings.close_timeout_ms.max(1));
    let close_deadline = tokio::time::sleep(Duration::MAX);
    tokio::pin!(close_deadline);
    let mut commands_open = true;

    let mut reader_items_open = true;
    let mut close_seen: Option<(Option<u16>, String)> = None;
    let read_end: Option<ReadEnd> = loop {
        tokio::select! {
            biased;
            // Frames the reader queued go out before its end is looked at, so a close echo
            // is not lost when the peer hangs up right after its close frame.
            item = from_reader.recv(), if reader_items_open => {
                let Some(item) = item else { reader_items_open = false; continue };
                let result = match item {
                    FromReader::Pong => {
                        let mut r = Ok(());
                        for payload in take_pending(&pending_pong) {
                            if close_sent.is_some() || r.is_err() {
                                break;
                            }
                            r = write(&mut writer, Frame::pong(fastwebsockets::Payload::Borrowed(&payload))).await;
                            log.append(EventKind::Pong { direction: Direction::Out, payload });
                        }
                        r
                    }
                    FromReader::Obligated(frame) => {
                        if close_sent.is_some() { Ok(()) } else {
                            // The library echoes the peer's close frame.
                            let (code, reason) = parse_close(&frame.payload);
                            close_sent = Some(code);
                            state.closing();
                            let r = write(&mut writer, *frame).await;
                            log.append(EventKind::Closing { direction: Direction::Out, code, reason });
                            close_deadline.as_mut().reset(tokio::time::Instant::now() + close_timeout);
                            r
                        }
                    }
                    FromReader::Fail(code, reason) => {
                        let mut r = Ok(());
                        if close_sent.is_none() {
                            close_sent = Some(Some(code));
                            initiator = Initiator::Local;
                            state.closing();
                            r = write(&mut writer, Frame::close(code, reason.as_bytes())).await;
                            log.append(EventKind::Closing { direction: Direction::Out, code: Some(code), reason: reason.to_owned() });
                        }
                        // A failed connection is dropped without waiting for the peer; the
                        // reader has already returned its error.
                        let _ = r.and(flush(&mut writer).await);
                        break read_task.await.ok();
                    }
                    FromReader::CloseReceived(code, reason) => {
                        close_seen = Some((code, reason));
                        Ok(())
                    }
                };
                if let Err(e) = result.and(flush(&mut writer).await) {
                    write_error = Some(e);
                    read_task.abort();
                    break None;
                }
            }
            cmd = commands.recv(), if commands_open && close_sent.is_none() => {
                let Some(cmd) = cmd else { commands_open = false; continue };
                let mut result = apply(cmd, &mut writer, log, &mut close_sent).await;
                // Drain what is already queued so a burst costs one flush.
                while result.is_ok() && close_sent.is_none() {
                    match commands.try_recv() {
                        Ok(cmd) => result = apply(cmd, &mut writer, log, &mut close_sent).await,
                        Err(_) => break,
                    }
                }
                if close_sent.is_some() {
                    initiator = Initiator::Local;
                    state.closing();
                    close_deadline.as_mut().reset(tokio::time::Instant::now() + close_timeout);
                }
                if let Err(e) = result.and(flush(&mut writer).await) {
                    write_error = Some(e);
                    read_task.abort();
                    break None;
                }
            }
            end = &mut read_task => break end.ok(),
            () = &mut close_deadline => {
                // The peer did not finish the closing handshake in time.
                read_task.abort();
                break None;
            }
        }
    };
    let _ = flush(&mut writer).await;

    let (close_received, read_error) = match read_end {
        Some(end) => (end.close_received.or(close_seen), end.error),
        // The reader was stopped: after the close handshake, when the peer kept the TCP
        // connection open past the close timeout, or after a write error.
        None => (close_seen, None),
    };
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

async fn apply(
    cmd: Command,
    writer: &mut Writer,
    log: &SessionLog,
    close_sent: &mut Option<Option<u16>>,
) -> Result<(), EngineError> {
    match cmd {
        Command::Send(batch) => {
            for payload in batch {
                let frame = match &payload {
                    Payload::Text(t) => {
                        Frame::text(fastwebsockets::Payload::Borrowed(t.as_bytes()))
                    }
                    Payload::Binary(b) => Frame::binary(fastwebsockets::Payload::Borrowed(b)),
                };
                write(writer, frame).await?;
                log.append(EventKind::Message {
                    direction: Direction::Out,
                    payload,
                });
            }
        }
        Command::Ping(payload) => {
            write(
                writer,
                Frame::new(
                    true,
                    OpCode::Ping,
                    None,
                    fastwebsockets::Payload::Borrowed(&payload),
                ),
            )
            .await?;
            log.append(EventKind::Ping {
                direction: Direction::Out,
                payload,
            });
        }
        Command::Pong(payload) => {
            write(
                writer,
                Frame::pong(fastwebsockets::Payload::Borrowed(&payload)),
            )
            .await?;
            log.append(EventKind::Pong {
                direction: Direction::Out,
                payload,
            });
        }
        Command::Close { code, reason } => {
            let frame = match code {
                Some(code) => Frame::close(code, reason.as_bytes()),
                None => Frame::close_raw(fastwebsockets::Payload::Owned(Vec::new())),
            };
            *close_sent = Some(code);
            write(writer, frame).await?;
            log.append(EventKind::Closing {
                direction: Direction::Out,
                code,
                reason,
            });
        }
    }
    Ok(())
}

async fn write(writer: &mut Writer, frame: Frame<'_>) -> Result<(), EngineError> {
    writer.write_frame(frame).await.map_err(write_error)
}

async fn flush(writer: &mut Writer) -> Result<(), EngineError> {
    writer.flush().await.map_err(write_error)
}

fn write_error(e: WebSocketError) -> EngineError {
    EngineError::ConnectionLost(format!("sending failed: {e}"))
}

fn parse_close(payload: &[u8]) -> (Option<u16>, String) {
    if payload.len() >= 2 {
        (
            Some(u16::from_be_bytes([payload[0], payload[1]])),
            String::from_utf8_lossy(&payload[2..]).into_owned(),
        )
    } else {
        (None, String::new())
    }
}

/// Copies received payloads out of the library's read buffer.
///
/// The library hands out slices of its read buffer; keeping those in the log would pin whole
/// buffers (memory far above what retention accounts for). Small payloads are packed into a
/// shared chunk instead — consecutive messages leave the log together, so a chunk is freed
/// as a whole, and clones stay a counter increment. Large payloads get an exact-size copy.
/// The chunk starts small and doubles while traffic keeps filling it, so a quiet connection
/// holds little.
#[derive(Debug)]
struct PayloadCopier {
    chunk: BytesMut,
    next_chunk: usize,
}

impl PayloadCopier {
    const MIN_CHUNK: usize = 512;
    const MAX_CHUNK: usize = 64 * 1024;
    const SMALL: usize = 2048;

    fn new() -> Self {
        PayloadCopier {
            chunk: BytesMut::new(),
            next_chunk: Self::MIN_CHUNK,
        }
    }

    fn copy(&mut self, data: &[u8]) -> Bytes {
        if data.len() > Self::SMALL {
            return Bytes::copy_from_slice(data);
        }
        if self.chunk.capacity() - self.chunk.len() < data.len() {
            self.chunk = BytesMut::with_capacity(self.next_chunk);
            self.next_chunk = (self.next_chunk * 2).min(Self::MAX_CHUNK);
        }
        self.chunk.extend_from_slice(data);
        self.chunk.split().freeze()
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

/// Control frames carry at most this much payload (RFC 6455 §5.5).
const MAX_CONTROL_PAYLOAD: usize = 125;

async fn read_loop(
    mut reader: Reader,
    log: Arc<SessionLog>,
    max: u64,
    auto_pong: Option<PendingPongs>,
    to_writer: mpsc::UnboundedSender<FromReader>,
) -> ReadEnd {
    let obligated = to_writer.clone();
    let mut send_fn = move |frame: Frame<'static>| {
        // The library echoes any close frame; one too long for a control frame is a
        // protocol error instead.
        let item = if frame.opcode == OpCode::Close && frame.payload.len() > MAX_CONTROL_PAYLOAD {
            FromReader::Fail(1002, "protocol error")
        } else {
            FromReader::Obligated(Box::new(frame))
        };
        let result = obligated
            .send(item)
            .map_err(|_| std::io::Error::other("connection writer has stopped"));
        std::future::ready(result)
    };
    let mut partial: Option<Partial> = None;
    let mut copier = PayloadCopier::new();
    let mut close_received = None;
    let fail = |code: u16, reason: &'static str, error: EngineError, close_received| {
        let _ = to_writer.send(FromReader::Fail(code, reason));
        ReadEnd {
            close_received,
            error: Some(error),
        }
    };
    let too_big = |size: u64| EngineError::MessageTooBig { size, max };
    let invalid_utf8 = |close_received| {
        fail(
            1007,
            "invalid UTF-8",
            EngineError::InvalidUtf8,
            close_received,
        )
    };
    loop {
        // A lossless reader (see `Settings::pacing_bytes`) that is far behind pauses us here,
        // so TCP slows the peer down.
        log.wait_for_room().await;
        let frame = match reader.read_frame(&mut send_fn).await {
            Ok(frame) => frame,
            Err(e) => {
                return match e {
                    WebSocketError::UnexpectedEOF
                    | WebSocketError::IoError(_)
                    | WebSocketError::SendError(_) => ReadEnd {
                        error: if close_received.is_some() {
                            None
                        } else {
                            Some(EngineError::ConnectionLost(match &e {
                                WebSocketError::IoError(io) => format!("{io}"),
                                _ => {
                                    "the server closed the connection without a close frame".into()
                                }
                            }))
                        },
                        close_received,
                    },
                    WebSocketError::InvalidUTF8 => invalid_utf8(close_received),
                    WebSocketError::FrameTooLarge => fail(
                        1009,
                        "message too big",
                        too_big(max.saturating_add(1)),
                        close_received,
                    ),
                    other => fail(
                        1002,
                        "protocol error",
                        EngineError::Protocol(other.to_string()),
                        close_received,
                    ),
                };
            }
        };
        let fin = frame.fin;
        match frame.opcode {
            OpCode::Text | OpCode::Binary => {
                let text = frame.opcode == OpCode::Text;
                if partial.is_some() {
                    return fail(
                        1002,
                        "protocol error",
                        EngineError::Protocol(
                            "a new message started before the previous fragmented one ended".into(),
                        ),
                        close_received,
                    );
                }
                if fin {
                    if !append_message(&log, text, copier.copy(&frame.payload)) {
                        return invalid_utf8(close_received);
                    }
                } else {
                    match Partial::new(text, &frame.payload) {
                        Some(p) => partial = Some(p),
                        None => return invalid_utf8(close_received),
                    }
                }
            }
            OpCode::Continuation => {
                let Some(mut p) = partial.take() else {
                    return fail(
                        1002,
                        "protocol error",
                        EngineError::Protocol(
                            "continuation frame without a message to continue".into(),
                        ),
                        close_received,
                    );
                };
                if !p.push(&frame.payload) {
                    return invalid_utf8(close_received);
                }
                if max != 0 && p.data.len() as u64 > max {
                    let size = p.data.len() as u64;
                    return fail(1009, "message too big", too_big(size), close_received);
                }
                if fin {
                    if !append_message(&log, p.text, p.data.freeze()) {
                        return invalid_utf8(close_received);
                    }
                } else {
                    partial = Some(p);
                }
            }
            OpCode::Ping => {
                let payload = copier.copy(&frame.payload);
                log.append(EventKind::Ping {
                    direction: Direction::In,
                    payload: payload.clone(),
                });
                if let Some(pending) = &auto_pong
                    && close_received.is_none()
                {
                    // One notice in the channel per batch of pending pongs.
                    if remember_ping(pending, payload) {
                        let _ = to_writer.send(FromReader::Pong);
                    }
                }
            }
            OpCode::Pong | OpCode::Close if frame.payload.len() > MAX_CONTROL_PAYLOAD => {
                return fail(
                    1002,
                    "protocol error",
                    EngineError::Protocol(format!(
                        "control frame with {} bytes of payload (at most 125 allowed)",
                        frame.payload.len()
                    )),
                    close_received,
                );
            }
            OpCode::Pong => {
                log.append(EventKind::Pong {
                    direction: Direction::In,
                    payload: copier.copy(&frame.payload),
                });
            }
            OpCode::Close => {
                let (code, reason) = parse_close(&frame.payload);
                log.append(EventKind::Closing {
                    direction: Direction::In,
                    code,
                    reason: reason.clone(),
                });
                let _ = to_writer.send(FromReader::CloseReceived(code, reason.clone()));
                close_received = Some((code, reason));
            }
        }
    }
}

/// Records a received message; false when a text message is not UTF-8.
fn append_message(log: &SessionLog, text: bool, bytes: Bytes) -> bool {
    let payload = if text {
        match ByteString::try_from(bytes) {
            Ok(t) => Payload::Text(t),
            Err(_) => return false,
        }
    } else {
        Payload::Binary(bytes)
    };
    log.append(EventKind::Message {
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
        let pending = PendingPongs::default();
        let notices = (0..40u8)
            .filter(|i| remember_ping(&pending, Bytes::from(vec![*i])))
            .count();
        assert_eq!(
            notices, 1,
            "one notice while the writer has not drained the queue"
        );
        let kept: Vec<u8> = take_pending(&pending).iter().map(|b| b[0]).collect();
        assert_eq!(kept, (8..40).collect::<Vec<u8>>());
        assert!(
            remember_ping(&pending, Bytes::from_static(b"x")),
            "drained: a new notice"
        );
    }

    #[test]
    fn small_payloads_share_chunks_and_large_ones_are_exact() {
        let mut copier = PayloadCopier::new();
        let a = copier.copy(b"first");
        let b = copier.copy(b"second");
        assert_eq!((&a[..], &b[..]), (&b"first"[..], &b"second"[..]));
        let big = vec![9u8; 10_000];
        let c = copier.copy(&big);
        assert_eq!(c.len(), 10_000);
        assert_eq!(&c[..], &big[..]);
        // Many small copies keep their contents while chunks are replaced.
        let copies: Vec<Bytes> = (0..5000u32)
            .map(|i| copier.copy(&i.to_be_bytes()))
            .collect();
        for (i, c) in copies.iter().enumerate() {
            assert_eq!(&c[..], &(i as u32).to_be_bytes());
        }
    }
}
