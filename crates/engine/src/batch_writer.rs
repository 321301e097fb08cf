//! A write buffer that exists only while there is something to send.
//!
//! Bursts of small frames must leave in few syscalls, but an idle connection should hold no
//! buffer at all: with thousands of sessions open, an always-allocated 64 KiB buffer would
//! dominate memory. This writer gathers writes until `flush` (or until it holds
//! [`FLUSH_AT`] bytes) and gives a large allocation back once it is drained.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use tokio::io::AsyncWrite;

/// Gathered bytes are written out once this many are waiting.
const FLUSH_AT: usize = 64 * 1024;
/// A drained buffer larger than this is freed rather than kept.
const KEEP: usize = 4 * 1024;

#[derive(Debug)]
pub(crate) struct BatchWriter<W> {
    inner: W,
    buf: Vec<u8>,
    /// How much of `buf` has already been written to `inner`.
    written: usize,
}

impl<W: AsyncWrite + Unpin> BatchWriter<W> {
    pub(crate) fn new(inner: W) -> Self {
        BatchWriter {
            inner,
            buf: Vec::new(),
            written: 0,
        }
    }

    /// Writes out everything gathered so far.
    fn poll_drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.written < self.buf.len() {
            let n = ready!(Pin::new(&mut self.inner).poll_write(cx, &self.buf[self.written..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.written += n;
        }
        self.written = 0;
        if self.buf.capacity() > KEEP {
            self.buf = Vec::new();
        } else {
            self.buf.clear();
        }
        Poll::Ready(Ok(()))
    }

    /// The batch to append `additional` bytes to; a full batch is written out first.
    pub(crate) async fn room(&mut self, additional: usize) -> io::Result<&mut Vec<u8>> {
        if !self.buf.is_empty() && self.buf.len() + additional > FLUSH_AT {
            std::future::poll_fn(|cx| self.poll_drain(cx)).await?;
        }
        Ok(&mut self.buf)
    }
}

impl<W: AsyncWrite + Unpin> AsyncWrite for BatchWriter<W> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.buf.len() + data.len() > FLUSH_AT {
            ready!(this.poll_drain(cx))?;
            if data.len() >= FLUSH_AT {
                return Pin::new(&mut this.inner).poll_write(cx, data);
            }
        }
        this.buf.extend_from_slice(data);
        Poll::Ready(Ok(data.len()))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let total: usize = bufs.iter().map(|b| b.len()).sum();
        let this = self.get_mut();
        if this.buf.len() + total > FLUSH_AT {
            ready!(this.poll_drain(cx))?;
            if total >= FLUSH_AT {
                return Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
            }
        }
        for b in bufs {
            this.buf.extend_from_slice(b);
        }
        Poll::Ready(Ok(total))
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_drain(cx))?;
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_drain(cx))?;
        Pin::new(&mut this.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncWriteExt;

    #[tokio::test]
    async fn gathers_until_flush_and_frees_large_buffers() {
        let mut w = BatchWriter::new(Vec::new());
        w.write_all(b"hello ")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        w.write_all(b"world")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(w.inner.is_empty(), "nothing written before flush");
        w.flush().await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(w.inner, b"hello world");

        let big = vec![7u8; 20_000];
        w.write_all(&big).await.unwrap_or_else(|e| panic!("{e}"));
        w.flush().await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(w.buf.capacity(), 0, "a drained large buffer is freed");
        assert_eq!(w.inner.len(), 11 + 20_000);
    }

    #[tokio::test]
    async fn writes_through_when_the_batch_is_full() {
        let mut w = BatchWriter::new(Vec::new());
        let chunk = vec![1u8; 1000];
        for _ in 0..100 {
            w.write_all(&chunk).await.unwrap_or_else(|e| panic!("{e}"));
        }
        assert!(
            w.inner.len() >= 64_000,
            "a full batch is written without a flush"
        );
        w.flush().await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(w.inner.len(), 100_000);
    }
}
