//! Cutting stdin into messages, one per line.
//!
//! Stdin is read in large chunks into one reusable buffer. The complete lines of a chunk are
//! copied once into an exact-size shared block, and every line becomes a slice of that block
//! (a reference-counted view, no further copy). The unfinished last line stays at the front of
//! the buffer for the next read, so a line longer than a chunk is never copied repeatedly.

use std::io::Read;

use bytes::Bytes;

/// How much stdin is read at once.
const CHUNK: usize = 1 << 20;

/// Reads stdin-like input in chunks and yields batches of lines (without `\n` or `\r\n`).
#[derive(Debug)]
pub struct LineReader<R> {
    input: R,
    buf: Vec<u8>,
    /// Bytes at the front of `buf` that belong to an unfinished line.
    carried: usize,
    done: bool,
}

impl<R: Read> LineReader<R> {
    pub fn new(input: R) -> Self {
        LineReader {
            input,
            buf: Vec::new(),
            carried: 0,
            done: false,
        }
    }

    /// The next batch of complete lines, as many as one read brought; `Ok(None)` at the end.
    /// A final line without a newline is returned at the end of the input.
    pub fn next_batch(&mut self) -> std::io::Result<Option<Vec<Bytes>>> {
        while !self.done {
            let start = self.carried;
            if self.buf.len() < start + CHUNK {
                self.buf.resize(start + CHUNK, 0);
            }
            let n = loop {
                match self.input.read(&mut self.buf[start..start + CHUNK]) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                }
            };
            let filled = start + n;
            let complete = if n == 0 {
                self.done = true;
                if filled == 0 {
                    return Ok(None);
                }
                // The last line had no newline: it ends here.
                filled
            } else {
                match memchr::memrchr(b'\n', &self.buf[start..filled]) {
                    Some(i) => start + i + 1,
                    None => {
                        // No line ended in this read: keep gathering.
                        self.carried = filled;
                        continue;
                    }
                }
            };
            let block = Bytes::copy_from_slice(&self.buf[..complete]);
            self.buf.copy_within(complete..filled, 0);
            self.carried = filled - complete;
            return Ok(Some(split_lines(&block)));
        }
        Ok(None)
    }
}

/// Lines of `block` as slices of it; a last line without `\n` counts as a line.
fn split_lines(block: &Bytes) -> Vec<Bytes> {
    let mut lines = Vec::new();
    let mut line_start = 0;
    let ends = memchr::memchr_iter(b'\n', block)
        .chain((block.last() != Some(&b'\n') && !block.is_empty()).then_some(block.len()));
    for newline in ends {
        let mut end = newline;
        if end > line_start && block[end - 1] == b'\r' {
            end -= 1;
        }
        lines.push(block.slice(line_start..end));
        line_start = newline + 1;
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_lines(input: impl Read) -> Vec<Vec<u8>> {
        let mut reader = LineReader::new(input);
        let mut out = Vec::new();
        while let Some(batch) = reader.next_batch().unwrap_or_else(|e| panic!("{e}")) {
            out.extend(batch.into_iter().map(|b| b.to_vec()));
        }
        out
    }

    #[test]
    fn splits_lines_and_strips_line_endings() {
        assert_eq!(
            all_lines(&b"a\nbb\r\n\nlast"[..]),
            vec![
                b"a".to_vec(),
                b"bb".to_vec(),
                b"".to_vec(),
                b"last".to_vec()
            ]
        );
        assert!(all_lines(&b""[..]).is_empty());
        assert_eq!(all_lines(&b"\n"[..]), vec![b"".to_vec()]);
    }

    /// A reader that returns a few bytes at a time, so lines straddle reads.
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
            all_lines(Trickle(b"hello\nworld\n!", 3)),
            vec![b"hello".to_vec(), b"world".to_vec(), b"!".to_vec()]
        );
    }

    #[test]
    fn a_line_longer_than_a_chunk_arrives_whole() {
        let mut input = vec![b'x'; 3 * CHUNK + 17];
        input.push(b'\n');
        input.extend_from_slice(b"next\n");
        let lines = all_lines(Trickle(&input, 64 * 1024));
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].len(), 3 * CHUNK + 17);
        assert_eq!(lines[1], b"next");
    }
}
