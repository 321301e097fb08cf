//! Cutting stdin into messages, one per line, without copying each line.
//!
//! Stdin is read in large chunks; every complete line becomes a slice of its chunk (a
//! reference-counted view, no copy). The unfinished last line is carried into the next chunk.

use std::io::Read;

use bytes::Bytes;

/// How much stdin is read at once.
const CHUNK: usize = 1 << 20;

/// Reads stdin-like input in chunks and yields batches of lines (without `\n` or `\r\n`).
#[derive(Debug)]
pub struct LineReader<R> {
    input: R,
    carry: Vec<u8>,
    done: bool,
}

impl<R: Read> LineReader<R> {
    pub fn new(input: R) -> Self {
        LineReader {
            input,
            carry: Vec::new(),
            done: false,
        }
    }

    /// The next batch of complete lines, as many as one read brought; `Ok(None)` at the end.
    /// A final line without a newline is returned at the end of the input.
    pub fn next_batch(&mut self) -> std::io::Result<Option<Vec<Bytes>>> {
        loop {
            if self.done {
                return Ok(None);
            }
            let mut chunk = std::mem::take(&mut self.carry);
            let start = chunk.len();
            chunk.resize(start + CHUNK, 0);
            let n = loop {
                match self.input.read(&mut chunk[start..]) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                }
            };
            chunk.truncate(start + n);
            if n == 0 {
                self.done = true;
                if chunk.is_empty() {
                    return Ok(None);
                }
                // The last line had no newline.
                chunk.push(b'\n');
            }
            let chunk = Bytes::from(chunk);
            let mut lines = Vec::new();
            let mut line_start = 0;
            for newline in memchr::memchr_iter(b'\n', &chunk) {
                let mut end = newline;
                if end > line_start && chunk[end - 1] == b'\r' {
                    end -= 1;
                }
                lines.push(chunk.slice(line_start..end));
                line_start = newline + 1;
            }
            self.carry = chunk[line_start..].to_vec();
            if !lines.is_empty() {
                return Ok(Some(lines));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_lines(input: &[u8]) -> Vec<Vec<u8>> {
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
            all_lines(b"a\nbb\r\n\nlast"),
            vec![
                b"a".to_vec(),
                b"bb".to_vec(),
                b"".to_vec(),
                b"last".to_vec()
            ]
        );
        assert!(all_lines(b"").is_empty());
    }

    /// A reader that returns a few bytes at a time, so lines straddle reads.
    struct Trickle<'a>(&'a [u8]);
    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.0.len().min(3).min(buf.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn lines_split_across_reads_are_joined() {
        let mut reader = LineReader::new(Trickle(b"hello\nworld\n!"));
        let mut out = Vec::new();
        while let Some(batch) = reader.next_batch().unwrap_or_else(|e| panic!("{e}")) {
            out.extend(batch.into_iter().map(|b| b.to_vec()));
        }
        assert_eq!(
            out,
            vec![b"hello".to_vec(), b"world".to_vec(), b"!".to_vec()]
        );
    }
}
