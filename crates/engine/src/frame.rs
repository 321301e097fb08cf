//! WebSocket frames on the wire: a reader that holds no buffer while the connection is idle,
//! and an encoder that masks straight into the write batch.
//!
//! Header parsing and formatting come from tungstenite's `FrameHeader` (the most widely used
//! Rust implementation); this module adds what the engine needs around it: the client-side
//! checks of RFC 6455 §5, payloads that never pin the read buffer (so the session log's memory
//! is what retention says), and a read buffer that exists only while bytes are arriving — with
//! thousands of idle sessions open, an always-allocated buffer per connection would be most of
//! their memory.

use std::io::Cursor;
use std::mem::MaybeUninit;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use bytes::{Buf, BufMut, Bytes, BytesMut};
use tokio::io::{AsyncRead, AsyncReadExt, ReadBuf};
use tungstenite::protocol::frame::FrameHeader;
use tungstenite::protocol::frame::coding::{Control, Data, OpCode};

/// What a frame carries, as the engine distinguishes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Text,
    Binary,
    Continuation,
    Ping,
    Pong,
    Close,
}

impl Kind {
    fn opcode(self) -> OpCode {
        match self {
            Kind::Text => OpCode::Data(Data::Text),
            Kind::Binary => OpCode::Data(Data::Binary),
            Kind::Continuation => OpCode::Data(Data::Continue),
            Kind::Ping => OpCode::Control(Control::Ping),
            Kind::Pong => OpCode::Control(Control::Pong),
            Kind::Close => OpCode::Control(Control::Close),
        }
    }

    fn is_control(self) -> bool {
        matches!(self, Kind::Ping | Kind::Pong | Kind::Close)
    }
}

/// One frame as received.
#[derive(Debug)]
pub(crate) struct InFrame {
    pub fin: bool,
    pub kind: Kind,
    /// Owned compactly: never a view into the reader's buffer.
    pub payload: Bytes,
}

/// Why no frame could be read.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// The peer closed the TCP connection (at a frame boundary or not).
    Eof,
    Io(std::io::Error),
    /// The peer broke RFC 6455; the text says how. The connection fails with 1002.
    Protocol(String),
    /// A frame announced more payload than allowed; the connection fails with 1009.
    TooBig(u64),
}

/// Control frames carry at most this much payload (RFC 6455 §5.5).
pub(crate) const MAX_CONTROL_PAYLOAD: usize = 125;

/// Bytes read per system call while data is flowing.
const READ_CHUNK: usize = 64 * 1024;
/// Stack space for the first read after an idle period (no heap buffer is held while idle).
const IDLE_SCRATCH: usize = 2 * 1024;
/// Payloads at least this large are read straight into a buffer of their exact size.
const DIRECT_PAYLOAD: usize = 64 * 1024;

/// Reads frames from a server (client role: frames must arrive unmasked).
#[derive(Debug)]
pub(crate) struct FrameReader<R> {
    stream: R,
    /// Bytes received and not yet consumed. Unallocated while the connection is idle.
    buf: BytesMut,
    copier: PayloadCopier,
}

impl<R: AsyncRead + Unpin> FrameReader<R> {
    pub(crate) fn new(stream: R) -> Self {
        FrameReader {
            stream,
            buf: BytesMut::new(),
            copier: PayloadCopier::new(),
        }
    }

    /// Whether a whole frame is already buffered: the next [`read_frame`](Self::read_frame)
    /// returns without waiting for the socket.
    pub(crate) fn has_whole_frame(&self) -> bool {
        let mut cursor = Cursor::new(&self.buf[..]);
        match FrameHeader::parse(&mut cursor) {
            Ok(Some((_, len))) => (self.buf.len() as u64).saturating_sub(cursor.position()) >= len,
            // No header yet, or a bad one (read_frame reports it without waiting).
            Ok(None) => false,
            Err(_) => true,
        }
    }

    /// Reads the next frame. `max_data` bounds the payload a data frame may announce; a
    /// larger one fails before any of it is read. (Control frames have their own limit.)
    pub(crate) async fn read_frame(&mut self, max_data: u64) -> Result<InFrame, ReadError> {
        let (header, header_len, len) = loop {
            let mut cursor = Cursor::new(&self.buf[..]);
            match FrameHeader::parse(&mut cursor) {
                Ok(Some((header, len))) => break (header, cursor.position() as usize, len),
                Ok(None) => self.fill(self.buf.len() + 1).await?,
                // The only header tungstenite rejects is one with a reserved opcode.
                Err(_) => {
                    return Err(ReadError::Protocol(format!(
                        "a frame has the reserved opcode {:#x}",
                        self.buf[0] & 0x0f
                    )));
                }
            }
        };
        let kind = check_header(&header, len)?;
        if !kind.is_control() && len > max_data {
            return Err(ReadError::TooBig(len));
        }
        // Fits: `max_data` is at most the engine's frame cap, far below usize::MAX on 64-bit.
        let len = usize::try_from(len).map_err(|_| ReadError::TooBig(len))?;
        self.buf.advance(header_len);
        let payload = if len >= DIRECT_PAYLOAD && self.buf.len() < len {
            self.read_direct(len).await?
        } else {
            while self.buf.len() < len {
                self.fill(len).await?;
            }
            let payload = self.copier.copy(&self.buf[..len]);
            self.buf.advance(len);
            payload
        };
        Ok(InFrame {
            fin: header.is_final,
            kind,
            payload,
        })
    }

    /// Reads a large payload into a buffer of exactly its size: no copy afterwards, and
    /// nothing of it stays behind in the read buffer.
    async fn read_direct(&mut self, len: usize) -> Result<Bytes, ReadError> {
        let mut payload = BytesMut::with_capacity(len);
        payload.extend_from_slice(&self.buf);
        self.buf = BytesMut::new();
        while payload.len() < len {
            let want = len - payload.len();
            let n = self
                .stream
                .read_buf(&mut (&mut payload).limit(want))
                .await
                .map_err(ReadError::Io)?;
            if n == 0 {
                return Err(ReadError::Eof);
            }
        }
        Ok(payload.freeze())
    }

    /// Reads more bytes, aiming for `want` buffered in all.
    async fn fill(&mut self, want: usize) -> Result<(), ReadError> {
        let n = std::future::poll_fn(|cx| self.poll_fill(cx, want))
            .await
            .map_err(ReadError::Io)?;
        if n == 0 { Err(ReadError::Eof) } else { Ok(()) }
    }

    fn poll_fill(&mut self, cx: &mut Context<'_>, want: usize) -> Poll<std::io::Result<usize>> {
        if self.buf.capacity() == 0 {
            // Idle until now: read onto the stack, and allocate only once bytes arrived.
            let mut scratch = [MaybeUninit::<u8>::uninit(); IDLE_SCRATCH];
            let mut read = ReadBuf::uninit(&mut scratch);
            ready!(Pin::new(&mut self.stream).poll_read(cx, &mut read))?;
            let got = read.filled();
            if !got.is_empty() {
                self.buf.reserve(READ_CHUNK.max(want));
                self.buf.extend_from_slice(got);
            }
            return Poll::Ready(Ok(got.len()));
        }
        let spare = self.buf.capacity() - self.buf.len();
        if spare < READ_CHUNK / 4 || self.buf.len() + spare < want {
            self.buf
                .reserve(READ_CHUNK.max(want.saturating_sub(self.buf.len())));
        }
        match tokio_util::io::poll_read_buf(Pin::new(&mut self.stream), cx, &mut self.buf) {
            Poll::Pending => {
                // Nothing waiting and nothing half-read: give the buffer back while idle.
                if self.buf.is_empty() {
                    self.buf = BytesMut::new();
                }
                Poll::Pending
            }
            ready => ready,
        }
    }
}

/// The client-side checks of RFC 6455 §5 that the header alone decides.
fn check_header(header: &FrameHeader, len: u64) -> Result<Kind, ReadError> {
    let protocol = |s: String| Err(ReadError::Protocol(s));
    if header.rsv1 || header.rsv2 || header.rsv3 {
        return protocol(
            "a frame has reserved bits (RSV1-3) set, but no extension was negotiated".into(),
        );
    }
    if header.mask.is_some() {
        return protocol("the server masked a frame; servers must not (RFC 6455 §5.1)".into());
    }
    let kind = match header.opcode {
        OpCode::Data(Data::Text) => Kind::Text,
        OpCode::Data(Data::Binary) => Kind::Binary,
        OpCode::Data(Data::Continue) => Kind::Continuation,
        OpCode::Control(Control::Ping) => Kind::Ping,
        OpCode::Control(Control::Pong) => Kind::Pong,
        OpCode::Control(Control::Close) => Kind::Close,
        OpCode::Data(Data::Reserved(n)) | OpCode::Control(Control::Reserved(n)) => {
            return protocol(format!("a frame has the reserved opcode {n:#x}"));
        }
    };
    if kind.is_control() {
        if !header.is_final {
            return protocol("a control frame was fragmented".into());
        }
        if len > MAX_CONTROL_PAYLOAD as u64 {
            return protocol(format!(
                "a control frame has {len} bytes of payload (at most 125 allowed)"
            ));
        }
    }
    Ok(kind)
}

/// Appends one whole (FIN) frame, masked with a fresh random key as a client must, to `out`.
pub(crate) fn encode(out: &mut Vec<u8>, kind: Kind, payload: &[u8]) {
    let mask: [u8; 4] = rand::random();
    let header = FrameHeader {
        is_final: true,
        rsv1: false,
        rsv2: false,
        rsv3: false,
        opcode: kind.opcode(),
        mask: Some(mask),
    };
    out.reserve(header.len(payload.len() as u64) + payload.len());
    // Writing into a Vec cannot fail.
    let _ = header.format(payload.len() as u64, out);
    let start = out.len();
    out.extend_from_slice(payload);
    apply_mask(&mut out[start..], mask);
}

/// XORs `data` with the repeating 4-byte `mask`, eight bytes at a time.
pub(crate) fn apply_mask(data: &mut [u8], mask: [u8; 4]) {
    let wide = u64::from_ne_bytes([
        mask[0], mask[1], mask[2], mask[3], mask[0], mask[1], mask[2], mask[3],
    ]);
    let mut chunks = data.chunks_exact_mut(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        chunk.copy_from_slice(&(u64::from_ne_bytes(word) ^ wide).to_ne_bytes());
    }
    for (byte, m) in chunks.into_remainder().iter_mut().zip(mask.iter().cycle()) {
        *byte ^= m;
    }
}

/// Copies received payloads out of the read buffer.
///
/// Keeping slices of the read buffer in the log would pin whole buffers (memory far above
/// what retention accounts for). Small payloads are packed into a shared chunk instead —
/// consecutive messages leave the log together, so a chunk is freed as a whole, and clones
/// stay a counter increment. Larger payloads get an exact-size copy. The chunk starts small
/// and doubles while traffic keeps filling it, so a quiet connection holds little.
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
        if data.is_empty() {
            return Bytes::new();
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncWriteExt;

    /// A server frame (unmasked) with the given first byte and payload.
    fn server_frame(first: u8, payload: &[u8]) -> Vec<u8> {
        let mut out = vec![first];
        match payload.len() {
            n if n < 126 => out.push(n as u8),
            n if n <= 0xffff => {
                out.push(126);
                out.extend_from_slice(&(n as u16).to_be_bytes());
            }
            n => {
                out.push(127);
                out.extend_from_slice(&(n as u64).to_be_bytes());
            }
        }
        out.extend_from_slice(payload);
        out
    }

    async fn read_all(bytes: Vec<u8>, max: u64) -> Vec<Result<InFrame, ReadError>> {
        let mut reader = FrameReader::new(&bytes[..]);
        let mut out = Vec::new();
        loop {
            let r = reader.read_frame(max).await;
            let stop = r.is_err();
            out.push(r);
            if stop {
                return out;
            }
        }
    }

    #[tokio::test]
    async fn reads_frames_of_every_length_form_then_eof() {
        let big = vec![7u8; 70_000];
        let mid = vec![3u8; 300];
        let mut wire = server_frame(0x81, b"hi");
        wire.extend(server_frame(0x02, &mid));
        wire.extend(server_frame(0x80, &big));
        wire.extend(server_frame(0x89, b"p"));
        let frames = read_all(wire, u64::MAX).await;
        assert_eq!(frames.len(), 5);
        let ok: Vec<&InFrame> = frames[..4]
            .iter()
            .map(|r| r.as_ref().unwrap_or_else(|e| panic!("{e:?}")))
            .collect();
        assert_eq!(
            (ok[0].kind, ok[0].fin, &ok[0].payload[..]),
            (Kind::Text, true, &b"hi"[..])
        );
        assert_eq!(
            (ok[1].kind, ok[1].fin, ok[1].payload.len()),
            (Kind::Binary, false, 300)
        );
        assert_eq!((ok[2].kind, ok[2].fin), (Kind::Continuation, true));
        assert_eq!(ok[2].payload, big);
        assert_eq!((ok[3].kind, &ok[3].payload[..]), (Kind::Ping, &b"p"[..]));
        assert!(matches!(frames[4], Err(ReadError::Eof)));
    }

    #[tokio::test]
    async fn client_side_rules_are_enforced() {
        let cases: [(Vec<u8>, &str); 5] = [
            (server_frame(0xC1, b"x"), "reserved bits"),
            (server_frame(0x83, b""), "reserved opcode 0x3"),
            (server_frame(0x09, b""), "fragmented"),
            (server_frame(0x89, &[0u8; 126]), "126 bytes"),
            (vec![0x81, 0x81, 1, 2, 3, 4, b'x' ^ 1], "masked"),
        ];
        for (wire, expected) in cases {
            match read_all(wire, u64::MAX).await.pop() {
                Some(Err(ReadError::Protocol(text))) => {
                    assert!(
                        text.contains(expected),
                        "{text:?} should mention {expected:?}"
                    )
                }
                other => panic!("expected a protocol error about {expected}, got {other:?}"),
            }
        }
    }

    #[tokio::test]
    async fn oversize_frames_fail_before_their_payload_is_read() {
        // Only the header arrives: the limit is applied without waiting for 1 MB.
        let mut header = vec![0x82, 127];
        header.extend_from_slice(&1_000_000u64.to_be_bytes());
        match read_all(header, 1000).await.pop() {
            Some(Err(ReadError::TooBig(1_000_000))) => {}
            other => panic!("expected TooBig, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn a_frame_cut_short_is_eof() {
        let mut wire = server_frame(0x82, &[1u8; 100_000]);
        wire.truncate(50_000);
        assert!(matches!(
            read_all(wire, u64::MAX).await.pop(),
            Some(Err(ReadError::Eof))
        ));
    }

    #[tokio::test]
    async fn the_buffer_is_released_while_idle() {
        let (mut server, client) = tokio::io::duplex(1 << 20);
        let mut reader = FrameReader::new(client);
        server
            .write_all(&server_frame(0x81, b"hello"))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let frame = reader
            .read_frame(u64::MAX)
            .await
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(&frame.payload[..], b"hello");
        // Nothing more has arrived: the next read parks, and gives the buffer back.
        let pending = tokio::time::timeout(
            std::time::Duration::from_millis(20),
            reader.read_frame(u64::MAX),
        )
        .await;
        assert!(pending.is_err(), "no frame was sent");
        assert_eq!(reader.buf.capacity(), 0, "an idle reader holds no buffer");
    }

    #[test]
    fn encoded_frames_are_masked_and_decode_back() {
        for len in [0usize, 5, 125, 126, 65_535, 65_536] {
            let payload: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
            let mut out = Vec::new();
            encode(&mut out, Kind::Binary, &payload);
            let mut cursor = Cursor::new(&out[..]);
            let (header, n) = FrameHeader::parse(&mut cursor)
                .unwrap_or_else(|e| panic!("{e}"))
                .unwrap_or_else(|| panic!("incomplete header for {len}"));
            assert_eq!(n, len as u64);
            assert!(header.is_final);
            let mask = header.mask.unwrap_or_else(|| panic!("clients must mask"));
            let mut body = out[cursor.position() as usize..].to_vec();
            assert_eq!(body.len(), len);
            apply_mask(&mut body, mask);
            assert_eq!(body, payload, "length {len}");
        }
    }

    #[test]
    fn masking_matches_the_bytewise_definition() {
        let mask = [0x12, 0x34, 0x56, 0x78];
        for len in 0..40 {
            let data: Vec<u8> = (0..len as u8).collect();
            let mut fast = data.clone();
            apply_mask(&mut fast, mask);
            let slow: Vec<u8> = data
                .iter()
                .enumerate()
                .map(|(i, b)| b ^ mask[i % 4])
                .collect();
            assert_eq!(fast, slow);
        }
    }

    #[test]
    fn small_payloads_share_chunks_and_large_ones_are_exact() {
        let mut copier = PayloadCopier::new();
        let a = copier.copy(b"first");
        let b = copier.copy(b"second");
        assert_eq!((&a[..], &b[..]), (&b"first"[..], &b"second"[..]));
        let big = vec![9u8; 10_000];
        let c = copier.copy(&big);
        assert_eq!(&c[..], &big[..]);
        let copies: Vec<Bytes> = (0..5000u32)
            .map(|i| copier.copy(&i.to_be_bytes()))
            .collect();
        for (i, c) in copies.iter().enumerate() {
            assert_eq!(&c[..], &(i as u32).to_be_bytes());
        }
    }
}
