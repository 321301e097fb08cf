//! Cutting stdin into messages (`--split`).
//!
//! Text is cut into lines by default (`\n`, with a `\r` before it dropped), as websocat and
//! wscat do. Binary input (`-b`) must reach the server byte for byte, so by default each read
//! of stdin becomes one message of at most `--chunk-size` bytes: a file is cut into equal
//! chunks (the echoes, written one after another, are the file again), a stream's messages
//! are what its writer wrote, and memory stays bounded whatever the input. `whole` sends all
//! of stdin as one message (bounded by a limit), `null` cuts at NUL bytes (websocat's `-0`).
//!
//! Stdin is read in large chunks into one reusable buffer. The complete messages of a chunk are
//! copied once into an exact-size shared block, and every message becomes a slice of that block
//! (a reference-counted view, no further copy). An unfinished last message stays at the front
//! of the buffer for the next read, so one longer than a chunk is never copied repeatedly.

use std::io::Read;

use bytes::Bytes;
use clap::ValueEnum;

/// How much stdin is read at once when cutting at a delimiter: large enough for few reads
/// and sends per second, small enough that a pipe stays a few megabytes.
const CHUNK: usize = 128 << 10;

/// Where one message of stdin ends (`--split`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SplitMode {
    /// Each line is a message; the `\n` (and, for text, a `\r` before it) is not sent.
    Line,
    /// Each NUL-terminated piece is a message; the NUL is not sent (websocat's -0).
    Null,
    /// Each read of stdin is a message of at most --chunk-size bytes (binary only).
    Chunk,
    /// All of stdin is one message, sent when it ends (at most --max-message-size).
    Whole,
}

impl SplitMode {
    /// What separates received messages on stdout, so that what `--split` cut is put back
    /// together the same way (`-b < file > copy` gives the file again).
    pub fn separator(self) -> &'static [u8] {
        match self {
            SplitMode::Line => b"\n",
            SplitMode::Null => b"\0",
            SplitMode::Chunk | SplitMode::Whole => b"",
        }
    }
}

/// How a [`MessageReader`] cuts its input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cut {
    /// At this byte, which is not part of the message. `strip_cr` also drops a `\r` before
    /// it (text lines: `\r\n` endings).
    Delimiter { byte: u8, strip_cr: bool },
    /// Each read, at most this many bytes.
    Chunk(usize),
    /// Everything, at most this many bytes.
    Whole(u64),
}

/// Why stdin could not be cut into messages.
#[derive(Debug)]
pub enum SplitError {
    Io(std::io::Error),
    /// `--split whole` met more input than the limit allows.
    TooLarge {
        limit: u64,
    },
}

impl std::fmt::Display for SplitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SplitError::Io(e) => write!(f, "reading stdin failed: {e}"),
            SplitError::TooLarge { limit } => write!(
                f,
                "stdin is larger than {limit} bytes, the most --split whole sends as one message; \
                 raise --max-message-size or use --split chunk"
            ),
        }
    }
}

/// Reads stdin-like input and yields batches of messages.
#[derive(Debug)]
pub struct MessageReader<R> {
    input: R,
    cut: Cut,
    buf: Vec<u8>,
    /// Bytes at the front of `buf` that belong to an unfinished message.
    carried: usize,
    done: bool,
}

impl<R: Read> MessageReader<R> {
    pub fn new(input: R, cut: Cut) -> Self {
        MessageReader {
            input,
            cut,
            buf: Vec::new(),
            carried: 0,
            done: false,
        }
    }

    /// The next batch of complete messages, as many as one read brought; `Ok(None)` at the
    /// end. With a delimiter, a final piece without one is a message at the end of the input.
    pub fn next_batch(&mut self) -> Result<Option<Vec<Bytes>>, SplitError> {
        match self.cut {
            Cut::Delimiter { byte, strip_cr } => self.next_delimited(byte, strip_cr),
            Cut::Chunk(size) => self.next_chunk(size.max(1)),
            Cut::Whole(limit) => self.whole(limit),
        }
    }

    fn read_into(&mut self, start: usize, len: usize) -> Result<usize, SplitError> {
        if self.buf.len() < start + len {
            self.buf.resize(start + len, 0);
        }
        loop {
            match self.input.read(&mut self.buf[start..start + len]) {
                Ok(n) => return Ok(n),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(SplitError::Io(e)),
            }
        }
    }

    fn next_chunk(&mut self, size: usize) -> Result<Option<Vec<Bytes>>, SplitError> {
        if self.done {
            return Ok(None);
        }
        let n = self.read_into(0, size)?;
        if n == 0 {
            self.done = true;
            self.buf = Vec::new();
            return Ok(None);
        }
        Ok(Some(vec![Bytes::copy_from_slice(&self.buf[..n])]))
    }

    fn whole(&mut self, limit: u64) -> Result<Option<Vec<Bytes>>, SplitError> {
        if self.done {
            return Ok(None);
        }
        self.done = true;
        let mut all = Vec::new();
        // One byte past the limit tells "exactly the limit" from "more".
        let cap = limit.saturating_add(1);
        (&mut self.input)
            .take(cap)
            .read_to_end(&mut all)
            .map_err(SplitError::Io)?;
        if all.len() as u64 > limit {
            return Err(SplitError::TooLarge { limit });
        }
        // No input, no message (as for the other modes); `-x ''` sends an empty one.
        Ok((!all.is_empty()).then(|| vec![Bytes::from(all)]))
    }

    fn next_delimited(
        &mut self,
        byte: u8,
        strip_cr: bool,
    ) -> Result<Option<Vec<Bytes>>, SplitError> {
        while !self.done {
            let start = self.carried;
            let n = self.read_into(start, CHUNK)?;
            let filled = start + n;
            let complete = if n == 0 {
                self.done = true;
                if filled == 0 {
                    return Ok(None);
                }
                // The last message had no delimiter: it ends here.
                filled
            } else {
                match memchr::memrchr(byte, &self.buf[start..filled]) {
                    Some(i) => start + i + 1,
                    None => {
                        // No message ended in this read: keep gathering.
                        self.carried = filled;
                        continue;
                    }
                }
            };
            let block = Bytes::copy_from_slice(&self.buf[..complete]);
            self.buf.copy_within(complete..filled, 0);
            self.carried = filled - complete;
            return Ok(Some(split_at(&block, byte, strip_cr)));
        }
        Ok(None)
    }
}

/// Messages of `block` as slices of it; a last piece without the delimiter counts as one.
fn split_at(block: &Bytes, byte: u8, strip_cr: bool) -> Vec<Bytes> {
    let mut messages = Vec::new();
    let mut start = 0;
    let ends = memchr::memchr_iter(byte, block)
        .chain((block.last() != Some(&byte) && !block.is_empty()).then_some(block.len()));
    for delimiter in ends {
        let mut end = delimiter;
        if strip_cr && end > start && block[end - 1] == b'\r' {
            end -= 1;
        }
        messages.push(block.slice(start..end));
        start = delimiter + 1;
    }
    messages
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINES: Cut = Cut::Delimiter {
        byte: b'\n',
        strip_cr: true,
    };

    fn all(input: impl Read, cut: Cut) -> Vec<Vec<u8>> {
        let mut reader = MessageReader::new(input, cut);
        let mut out = Vec::new();
        while let Some(batch) = reader.next_batch().unwrap_or_else(|e| panic!("{e}")) {
            out.extend(batch.into_iter().map(|b| b.to_vec()));
        }
        out
    }

    #[test]
    fn splits_lines_and_strips_line_endings() {
        assert_eq!(
            all(&b"a\nbb\r\n\nlast"[..], LINES),
            vec![
                b"a".to_vec(),
                b"bb".to_vec(),
                b"".to_vec(),
                b"last".to_vec()
            ]
        );
        assert!(all(&b""[..], LINES).is_empty());
        assert_eq!(all(&b"\n"[..], LINES), vec![b"".to_vec()]);
    }

    #[test]
    fn binary_lines_keep_their_carriage_returns() {
        let cut = Cut::Delimiter {
            byte: b'\n',
            strip_cr: false,
        };
        assert_eq!(
            all(&b"a\r\nb\r"[..], cut),
            vec![b"a\r".to_vec(), b"b\r".to_vec()]
        );
    }

    #[test]
    fn null_delimited_pieces() {
        let cut = Cut::Delimiter {
            byte: 0,
            strip_cr: false,
        };
        assert_eq!(
            all(&b"a\nb\0\0c\r\n"[..], cut),
            vec![b"a\nb".to_vec(), b"".to_vec(), b"c\r\n".to_vec()]
        );
    }

    /// A reader that returns a few bytes at a time, so messages straddle reads.
    struct Trickle<'a>(&'a [u8], usize);
    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.0.len().min(self.1).min(buf.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn lines_split_across_reads_are_joined() {
        assert_eq!(
            all(Trickle(b"hello\nworld\n!", 3), LINES),
            vec![b"hello".to_vec(), b"world".to_vec(), b"!".to_vec()]
        );
    }

    #[test]
    fn a_line_longer_than_a_chunk_arrives_whole() {
        let mut input = vec![b'x'; 3 * CHUNK + 17];
        input.push(b'\n');
        input.extend_from_slice(b"next\n");
        let lines = all(Trickle(&input, 64 * 1024), LINES);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].len(), 3 * CHUNK + 17);
        assert_eq!(lines[1], b"next");
    }

    #[test]
    fn chunks_are_each_read_and_join_back_to_the_input() {
        let input: Vec<u8> = (0..100_000u32).map(|i| (i * 7 + 3) as u8).collect();
        let chunks = all(&input[..], Cut::Chunk(4096));
        assert!(chunks.iter().all(|c| !c.is_empty() && c.len() <= 4096));
        assert_eq!(chunks.len(), 100_000usize.div_ceil(4096));
        assert_eq!(chunks.concat(), input);
        // A trickling stream: every read is its own message.
        let chunks = all(Trickle(&input[..10], 3), Cut::Chunk(4096));
        assert_eq!(chunks.len(), 4);
        assert!(all(&b""[..], Cut::Chunk(4096)).is_empty());
    }

    #[test]
    fn whole_input_is_one_message_up_to_the_limit() {
        let input = b"{\n  \"a\": 1\n}\n".to_vec();
        assert_eq!(all(&input[..], Cut::Whole(13)), vec![input.clone()]);
        let mut reader = MessageReader::new(&input[..], Cut::Whole(12));
        let err = reader.next_batch().expect_err("over the limit");
        assert!(err.to_string().contains("--split chunk"), "{err}");
        assert!(all(&b""[..], Cut::Whole(10)).is_empty());
    }
}
