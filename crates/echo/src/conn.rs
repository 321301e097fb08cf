//! One client connection: read the request head, shake hands, run the endpoint's behaviour.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use futures_util::{FutureExt, SinkExt, StreamExt};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::time::{Instant, sleep_until, timeout};
use tokio_tungstenite::{WebSocketStream, accept_hdr_async_with_config};
use tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tungstenite::protocol::WebSocketConfig;
use tungstenite::protocol::frame::coding::{CloseCode, Data, OpCode};
use tungstenite::protocol::frame::{CloseFrame, Frame, FrameHeader};
use tungstenite::{Message, Utf8Bytes};

use crate::EchoError;
use crate::fail::failure_close;
use crate::prefixed::Prefixed;
use crate::route::{self, Behavior, Plan};

/// How long a client may take to send its request head.
const HEAD_TIMEOUT: Duration = Duration::from_secs(30);
/// Largest request head accepted (tungstenite itself allows 124 headers).
const MAX_HEAD: usize = 64 * 1024;
/// How long the server waits for the peer's close frame after sending its own.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(10);
/// Messages echoed before a flush is forced, when the peer pipelines.
const ECHO_BATCH: usize = 256;
/// Messages this large or larger are echoed without tungstenite's write buffer ([`feed_echo`]).
const DIRECT_ECHO_BYTES: usize = 64 << 10;
/// How long, at most, [`linger`] keeps reading after a failing close frame went out.
const LINGER_FOR: Duration = Duration::from_secs(2);
/// A pause this long in what the client sends ends [`linger`] early.
const LINGER_IDLE: Duration = Duration::from_millis(250);
/// At most this much is read and discarded by [`linger`].
const LINGER_BYTES: usize = 64 << 20;
/// The `/invalid-utf8` payload: valid UTF-8 ("κόσμε") followed by an encoded surrogate
/// (0xed 0xa0 0x80), which UTF-8 forbids, then "edited" (Autobahn case 6.3.1's bytes).
const INVALID_UTF8: &[u8] = &[
    0xce, 0xba, 0xe1, 0xbd, 0xb9, 0xcf, 0x83, 0xce, 0xbc, 0xce, 0xb5, 0xed, 0xa0, 0x80, 0x65, 0x64,
    0x69, 0x74, 0x65, 0x64,
];

/// State shared by all connections of one server.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) subprotocols: Vec<String>,
    pub(crate) ws_config: WebSocketConfig,
    pub(crate) stats: Stats,
}

/// Counters behind [`crate::EchoStats`].
#[derive(Debug, Default)]
pub(crate) struct Stats {
    pub(crate) connections: AtomicU64,
    pub(crate) upgrades: AtomicU64,
    pub(crate) rejections: AtomicU64,
    pub(crate) pongs: AtomicU64,
}

/// Counts an accepted TCP connection.
pub(crate) fn bump_connections(stats: &Stats) {
    bump(&stats.connections);
}

fn bump(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}

type Ws<S> = WebSocketStream<Prefixed<S>>;

/// Serves one connection (plain TCP or TLS) to the end. Errors only end this connection.
pub(crate) async fn serve<S>(mut stream: S, shared: &Shared) -> Result<(), EchoError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let head = match timeout(HEAD_TIMEOUT, read_head(&mut stream)).await {
        Err(_) => return Err(EchoError::Timeout("reading the request head")),
        Ok(head) => head?,
    };
    let head = match head {
        Head::Eof | Head::NotHttp => return Ok(()),
        Head::TooLarge => {
            bump(&shared.stats.rejections);
            let body = format!("wsdeck echo: request head larger than {MAX_HEAD} bytes\n");
            return write_plain(
                &mut stream,
                "431 Request Header Fields Too Large",
                "",
                &body,
            )
            .await;
        }
        Head::Complete(head) => head,
    };
    let target = request_target(&head);
    if !is_websocket_upgrade(&head) {
        bump(&shared.stats.rejections);
        let body = format!(
            "wsdeck echo: {target} is a WebSocket endpoint; connect with a WebSocket client \
             (ws:// or wss://)\n"
        );
        let extra = "Upgrade: websocket\r\n";
        return write_plain(&mut stream, "426 Upgrade Required", extra, &body).await;
    }
    if let Some(delay) = route::slow_handshake_delay(&target) {
        tokio::time::sleep(delay).await;
    }

    let mut plan: Option<Plan> = None;
    let subprotocols = &shared.subprotocols;
    #[allow(
        clippy::result_large_err,
        reason = "the error type is fixed by tungstenite's Callback trait"
    )]
    let callback = |request: &Request, mut response: Response| -> Result<Response, ErrorResponse> {
        match route::plan(request, subprotocols) {
            Ok(accepted) => {
                if let Some(protocol) = &accepted.subprotocol {
                    response
                        .headers_mut()
                        .insert(http::header::SEC_WEBSOCKET_PROTOCOL, protocol.clone());
                }
                plan = Some(accepted);
                // Counted here, before the answer is written, so a client that has seen the
                // answer also sees the count.
                bump(&shared.stats.upgrades);
                Ok(response)
            }
            Err(rejection) => {
                bump(&shared.stats.rejections);
                Err(rejection.into_response())
            }
        }
    };
    let stream = Prefixed::new(head.freeze(), stream);
    let mut ws = match accept_hdr_async_with_config(stream, callback, Some(shared.ws_config)).await
    {
        Ok(ws) => ws,
        // The callback refused the upgrade and tungstenite has written our response.
        Err(tungstenite::Error::Http(_)) => return Ok(()),
        Err(e) => return Err(e.into()),
    };
    let Some(plan) = plan else {
        // Not reachable: tungstenite only completes after the callback accepted.
        return Ok(());
    };
    match run(&mut ws, plan.behavior, &shared.stats).await {
        // Whatever the endpoint was doing, a broken frame (1002), invalid UTF-8 (1007) or a
        // message over `max_message_size` (1009) is answered the same way: a close frame that
        // says so.
        Err(EchoError::WebSocket(error)) => match failure_close(&error) {
            Some(frame) => fail(&mut ws, frame).await,
            None => Err(error.into()),
        },
        other => other,
    }
}

enum Head {
    Complete(BytesMut),
    Eof,
    TooLarge,
    /// The first byte cannot start an HTTP request (e.g. 0x16, a TLS ClientHello from a
    /// `wss://` client): closing at once lets the client say "use ws://" now, not after a
    /// timeout.
    NotHttp,
}

/// Reads up to and including the blank line that ends the HTTP request head.
async fn read_head<S: AsyncRead + Unpin>(stream: &mut S) -> Result<Head, EchoError> {
    let mut buf = BytesMut::with_capacity(2048);
    loop {
        let searched_from = buf.len().saturating_sub(3);
        let n = stream
            .read_buf(&mut buf)
            .await
            .map_err(|source| EchoError::Io {
                context: "reading the request head",
                source,
            })?;
        if n == 0 {
            return Ok(Head::Eof);
        }
        if !buf[0].is_ascii_uppercase() {
            return Ok(Head::NotHttp);
        }
        if buf[searched_from..].windows(4).any(|w| w == b"\r\n\r\n") {
            return Ok(Head::Complete(buf));
        }
        if buf.len() > MAX_HEAD {
            return Ok(Head::TooLarge);
        }
    }
}

/// The request target of the head's first line (`GET /burst?count=3 HTTP/1.1`).
fn request_target(head: &[u8]) -> String {
    let line = head.split(|&b| b == b'\r').next().unwrap_or_default();
    let target = line.split(|&b| b == b' ').nth(1).unwrap_or_default();
    String::from_utf8_lossy(target).into_owned()
}

/// Whether the head carries `Upgrade: websocket` (tungstenite checks the rest).
fn is_websocket_upgrade(head: &[u8]) -> bool {
    head.split(|&b| b == b'\n').skip(1).any(|line| {
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            return false;
        };
        let (name, value) = line.split_at(colon);
        name.trim_ascii().eq_ignore_ascii_case(b"upgrade")
            && value
                .get(1..)
                .unwrap_or_default()
                .split(|&b| b == b',')
                .any(|v| v.trim_ascii().eq_ignore_ascii_case(b"websocket"))
    })
}

/// Answers a non-WebSocket request with a plain-text HTTP response and closes.
async fn write_plain<S: AsyncWrite + Unpin>(
    stream: &mut S,
    status_line: &str,
    extra_headers: &str,
    body: &str,
) -> Result<(), EchoError> {
    let response = format!(
        "HTTP/1.1 {status_line}\r\nContent-Type: text/plain; charset=utf-8\r\n\
         Content-Length: {}\r\nConnection: close\r\n{extra_headers}\r\n{body}",
        body.len()
    );
    let io = |source| EchoError::Io {
        context: "writing a plain HTTP response",
        source,
    };
    stream.write_all(response.as_bytes()).await.map_err(io)?;
    stream.flush().await.map_err(io)?;
    stream.shutdown().await.map_err(io)
}

/// Runs the endpoint behaviour on an established WebSocket.
async fn run<S>(ws: &mut Ws<S>, behavior: Behavior, stats: &Stats) -> Result<(), EchoError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    match behavior {
        Behavior::Echo => echo(ws, stats).await,
        Behavior::Burst {
            count,
            size,
            binary,
            close,
        } => {
            let message = if binary {
                Message::Binary(Bytes::from(vec![b'x'; size]))
            } else {
                Message::Text(Utf8Bytes::from("x".repeat(size)))
            };
            for _ in 0..count {
                ws.feed(message.clone()).await?;
            }
            ws.flush().await?;
            if close {
                close_and_drain(ws, 1000, "burst done").await
            } else {
                echo(ws, stats).await
            }
        }
        Behavior::Headers { json } => {
            ws.send(Message::text(json)).await?;
            echo(ws, stats).await
        }
        Behavior::Close {
            code,
            reason,
            after,
        } => {
            if echo_until(ws, deadline_after(after), stats).await? {
                close_and_drain(ws, code, &reason).await
            } else {
                Ok(())
            }
        }
        Behavior::Ping {
            count,
            interval,
            payload,
        } => {
            let mut next_at = Instant::now();
            for _ in 0..count {
                if !echo_until(ws, next_at, stats).await? {
                    return Ok(());
                }
                ws.send(Message::Ping(payload.clone())).await?;
                next_at = deadline_from(next_at, interval);
            }
            echo(ws, stats).await
        }
        Behavior::InvalidUtf8 => {
            let frame = Frame::message(
                Bytes::from_static(INVALID_UTF8),
                OpCode::Data(Data::Text),
                true,
            );
            ws.send(Message::Frame(frame)).await?;
            echo(ws, stats).await
        }
        Behavior::Stream { rate, size, count } => {
            let start = Instant::now();
            let mut sent = 0u64;
            while sent < count {
                let elapsed = start.elapsed().as_secs_f64();
                // Messages due by now (the first one at once), sent in one flush.
                let due = ((elapsed * rate as f64) as u64 + 1).min(count);
                while sent < due {
                    ws.feed(Message::text(stream_message(sent, size))).await?;
                    sent += 1;
                }
                ws.flush().await?;
                // Wake for the next message, but at most every 5 ms: a high rate is sent in
                // small batches rather than one syscall per message.
                let next = start + Duration::from_secs_f64(sent as f64 / rate as f64);
                let next = next.max(Instant::now() + Duration::from_millis(5));
                if sent < count && !echo_until(ws, next, stats).await? {
                    return Ok(());
                }
            }
            echo(ws, stats).await
        }
        Behavior::Vanish { size } => vanish(ws, size).await,
        Behavior::Big { size } => {
            ws.send(Message::Binary(Bytes::from(vec![b'x'; size])))
                .await?;
            echo(ws, stats).await
        }
    }
}

/// Message `seq` of `/stream`: `{"seq":N,"ts":MS,"data":"xx…"}` padded with `x` to `size`
/// bytes (longer when `size` is smaller than the JSON around the padding).
fn stream_message(seq: u64, size: usize) -> String {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    let mut text = format!("{{\"seq\":{seq},\"ts\":{ms},\"data\":\"");
    let pad = size.saturating_sub(text.len() + 2);
    text.extend(std::iter::repeat_n('x', pad));
    text.push_str("\"}");
    text
}

fn deadline_after(delay: Duration) -> Instant {
    deadline_from(Instant::now(), delay)
}

fn deadline_from(start: Instant, delay: Duration) -> Instant {
    // Delays are capped at ten minutes, so this never saturates in practice.
    start.checked_add(delay).unwrap_or(start)
}

/// What to send back for one received message: data is echoed, control frames are not
/// (tungstenite answers pings and close frames itself).
fn reply(message: Message, stats: &Stats) -> Option<Message> {
    match message {
        Message::Text(_) | Message::Binary(_) => Some(message),
        Message::Pong(_) => {
            bump(&stats.pongs);
            None
        }
        Message::Ping(_) | Message::Close(_) | Message::Frame(_) => None,
    }
}

/// Echoes until the peer closes (its close code is echoed by tungstenite) or fails.
///
/// Messages that are already readable are echoed in one batch and flushed together, so a
/// pipelining client is not answered one syscall per message.
async fn echo<S>(ws: &mut Ws<S>, stats: &Stats) -> Result<(), EchoError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    while let Some(first) = ws.next().await {
        let mut pending = false;
        if let Some(answer) = reply(first?, stats) {
            feed_echo(ws, answer).await?;
            pending = true;
        }
        for _ in 0..ECHO_BATCH {
            match ws.next().now_or_never() {
                None => break,
                Some(None) => return Ok(()),
                Some(Some(message)) => {
                    if let Some(answer) = reply(message?, stats) {
                        feed_echo(ws, answer).await?;
                        pending = true;
                    }
                }
            }
        }
        if pending {
            ws.flush().await?;
        }
    }
    Ok(())
}

/// Queues the echo of one message. A large one is written straight from its payload to the
/// socket, as one frame like any other, after what was queued before: tungstenite would copy
/// it into its write buffer, which never shrinks, so a connection that echoed one 64 MiB
/// message would keep 64 MiB for as long as it stays open.
async fn feed_echo<S>(ws: &mut Ws<S>, answer: Message) -> Result<(), EchoError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let (opcode, payload) = match answer {
        Message::Text(text) if text.len() >= DIRECT_ECHO_BYTES => (Data::Text, Bytes::from(text)),
        Message::Binary(data) if data.len() >= DIRECT_ECHO_BYTES => (Data::Binary, data),
        other => return Ok(ws.feed(other).await?),
    };
    ws.flush().await?;
    let header = FrameHeader {
        opcode: OpCode::Data(opcode),
        ..FrameHeader::default()
    };
    // A server frame's header: at most 10 bytes (no mask).
    let mut head = Vec::with_capacity(10);
    header.format(payload.len() as u64, &mut head)?;
    let io = |source| EchoError::Io {
        context: "writing a large echo",
        source,
    };
    let stream = ws.get_mut();
    stream.write_all(&head).await.map_err(io)?;
    stream.write_all(&payload).await.map_err(io)?;
    stream.flush().await.map_err(io)
}

/// Echoes until `deadline`. Returns `false` when the peer ended the connection first.
async fn echo_until<S>(ws: &mut Ws<S>, deadline: Instant, stats: &Stats) -> Result<bool, EchoError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    loop {
        tokio::select! {
            () = sleep_until(deadline) => return Ok(true),
            next = ws.next() => match next {
                None => return Ok(false),
                Some(message) => {
                    if let Some(answer) = reply(message?, stats) {
                        feed_echo(ws, answer).await?;
                        ws.flush().await?;
                    }
                }
            }
        }
    }
}

/// Sends a close frame and waits (bounded) for the peer's reply, finishing the handshake.
async fn close_and_drain<S>(ws: &mut Ws<S>, code: u16, reason: &str) -> Result<(), EchoError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let frame = CloseFrame {
        code: CloseCode::from(code),
        reason: Utf8Bytes::from(reason.to_owned()),
    };
    ws.close(Some(frame)).await?;
    // Data the peer sent before seeing our close is discarded; the stream ends when the
    // peer's close frame arrives (or the peer drops the connection).
    let drained = timeout(CLOSE_TIMEOUT, async {
        while let Some(Ok(_)) = ws.next().await {}
    })
    .await;
    drained.map_err(|_| EchoError::Timeout("waiting for the peer's close frame"))
}

/// Writes the header and half the payload of a `size`-byte binary frame; the caller then
/// drops the connection without a close frame.
async fn vanish<S>(ws: &mut Ws<S>, size: usize) -> Result<(), EchoError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut raw = Vec::with_capacity(10 + size / 2);
    raw.push(0x82); // FIN + binary opcode
    match u16::try_from(size) {
        Ok(len) if len < 126 => raw.push(len as u8),
        Ok(len) => {
            raw.push(126);
            raw.extend_from_slice(&len.to_be_bytes());
        }
        Err(_) => {
            raw.push(127);
            raw.extend_from_slice(&(size as u64).to_be_bytes());
        }
    }
    raw.resize(raw.len() + size / 2, b'v');
    let io = |source| EchoError::Io {
        context: "writing the /vanish partial frame",
        source,
    };
    let stream = ws.get_mut().inner_mut();
    stream.write_all(&raw).await.map_err(io)?;
    stream.flush().await.map_err(io)
}

/// Fails the connection with `frame` (see [`failure_close`]), then [`linger`]s so the client,
/// perhaps still writing the frame that was refused, gets to read why.
async fn fail<S>(ws: &mut Ws<S>, frame: CloseFrame) -> Result<(), EchoError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    ws.close(Some(frame)).await?;
    linger(ws.get_mut()).await;
    Ok(())
}

/// Reads and discards what the client still sends — until it closes its side, pauses for
/// [`LINGER_IDLE`], [`LINGER_FOR`] has passed or [`LINGER_BYTES`] were read — then shuts the
/// connection down: a "lingering close".
///
/// Why: the server refuses an oversize message after reading only its frame header (and a
/// broken frame before reading what follows it), while the client may still be writing.
/// Closing the socket with unread data makes the kernel send a reset, so the client's write
/// fails ("broken pipe", "connection reset") and the close frame saying why is never read.
///
/// Public (as `wsdeck_echo::linger`) because wsdeck's API gateway fails connections the same
/// way.
pub async fn linger<S>(stream: &mut S)
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let deadline = Instant::now() + LINGER_FOR;
    let mut buffer = vec![0u8; 64 << 10];
    let mut discarded = 0usize;
    while discarded < LINGER_BYTES {
        let wait = LINGER_IDLE.min(deadline.saturating_duration_since(Instant::now()));
        match timeout(wait, stream.read(&mut buffer)).await {
            Ok(Ok(n)) if n > 0 => discarded += n,
            _ => break,
        }
    }
    // The connection ends either way; a failed shutdown has nothing left to tell.
    let _ = stream.shutdown().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn head_helpers() {
        let head = b"GET /burst?count=3 HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\n\
                     upgrade:  WebSocket \r\n\r\n";
        assert_eq!(request_target(head), "/burst?count=3");
        assert!(is_websocket_upgrade(head));
        assert!(!is_websocket_upgrade(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
        assert!(!is_websocket_upgrade(
            b"GET / HTTP/1.1\r\nX-Upgrade: websocket\r\n\r\n"
        ));
        assert_eq!(request_target(b""), "");
    }
}
