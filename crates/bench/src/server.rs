//! Fast minimal loopback peers for the benchmarks.
//!
//! WebSocket (tokio-tungstenite), by path:
//!
//! | path | behaviour |
//! |---|---|
//! | `/echo` (and anything else) | echo; every message already received is fed before one flush |
//! | `/burst?count=N&size=B&binary=0` | send N messages of B bytes (`x`s) with feed and a flush every 256 messages, then close 1000 |
//! | `/sink?count=N` | receive N data messages, then send one text message `done N` and close 1000 |
//!
//! Raw TCP (`tcp-server`): the client's first 9 bytes are a mode byte and a little-endian u64 `n`:
//! `E` echoes bytes until EOF; `S` reads `n` bytes, then writes one byte `k`; `G` writes `n`
//! bytes, then closes.
//!
//! Both print `LISTENING <port>` on stdout, and exit when stdin reaches EOF (the parent went
//! away) or after `max_seconds`.

use std::io::Read;
use std::time::Duration;

use anyhow::{Context, Result};
use bytes::Bytes;
use futures_util::{FutureExt, SinkExt, StreamExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::WebSocketStream;
use tungstenite::handshake::server::{Request, Response};
use tungstenite::protocol::frame::coding::CloseCode;
use tungstenite::protocol::{CloseFrame, WebSocketConfig};
use tungstenite::{Message, Utf8Bytes};

/// Most messages fed before a flush, in echo and burst.
const FEED_BATCH: usize = 256;
/// Upper bound on `count * size` for a burst (the server never makes more than 8 GiB).
const MAX_BURST_BYTES: u64 = 8 << 30;
/// How long a connection may take to finish its closing handshake.
const CLOSE_GRACE: Duration = Duration::from_secs(10);

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        // A name of its own, so that profiles tell server threads from client threads.
        .thread_name("bench-server")
        .enable_all()
        .build()
        .context("starting the tokio runtime")
}

/// Exits the process when stdin closes or after `max_seconds`.
fn exit_with_parent(max_seconds: u64) {
    std::thread::spawn(|| {
        let mut buf = [0u8; 64];
        let mut stdin = std::io::stdin();
        // Bounded: each read returns data or EOF; the parent never writes much.
        for _ in 0..1_000_000 {
            match stdin.read(&mut buf) {
                Ok(0) | Err(_) => std::process::exit(0),
                Ok(_) => {}
            }
        }
        std::process::exit(0);
    });
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(max_seconds));
        std::process::exit(0);
    });
}

async fn listen(port: u16) -> Result<TcpListener> {
    let socket = tokio::net::TcpSocket::new_v4()?;
    socket.set_reuseaddr(true)?;
    socket.bind(([127, 0, 0, 1], port).into())?;
    // A deep backlog: the memory benchmark opens thousands of connections in waves.
    let listener = socket.listen(4096)?;
    let port = listener.local_addr()?.port();
    println!("LISTENING {port}");
    Ok(listener)
}

/// `wsdeck-bench server`.
pub fn run_ws(port: u16, max_seconds: u64) -> Result<()> {
    exit_with_parent(max_seconds);
    runtime()?.block_on(async {
        let listener = listen(port).await?;
        // Bounded by the process lifetime (stdin EOF or max_seconds).
        loop {
            let (tcp, _) = match listener.accept().await {
                Ok(x) => x,
                Err(e) => {
                    // EMFILE and the like: back off briefly instead of spinning.
                    eprintln!("wsdeck-bench server: accept: {e}");
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            };
            tokio::spawn(async move {
                let _ = serve_ws(tcp).await;
            });
        }
    })
}

/// `wsdeck-bench tcp-server`: blocking sockets, one thread per connection, so that the
/// baseline is the plain kernel path without any runtime in between.
pub fn run_tcp(port: u16, max_seconds: u64) -> Result<()> {
    exit_with_parent(max_seconds);
    let listener = std::net::TcpListener::bind(("127.0.0.1", port))?;
    println!("LISTENING {}", listener.local_addr()?.port());
    // Bounded by the process lifetime (stdin EOF or max_seconds).
    for tcp in listener.incoming() {
        match tcp {
            Ok(tcp) => {
                std::thread::spawn(move || {
                    let _ = serve_tcp(tcp);
                });
            }
            Err(e) => {
                eprintln!("wsdeck-bench tcp-server: accept: {e}");
                std::thread::sleep(Duration::from_millis(10));
            }
        }
    }
    Ok(())
}

fn serve_tcp(mut tcp: std::net::TcpStream) -> std::io::Result<()> {
    use std::io::Write;
    tcp.set_nodelay(true)?;
    tcp.set_read_timeout(Some(Duration::from_secs(60)))?;
    let mut head = [0u8; 9];
    tcp.read_exact(&mut head)?;
    let n = u64::from_le_bytes([
        head[1], head[2], head[3], head[4], head[5], head[6], head[7], head[8],
    ]);
    let mut buf = vec![0u8; 256 * 1024];
    match head[0] {
        b'E' => loop {
            let r = tcp.read(&mut buf)?;
            if r == 0 {
                return Ok(());
            }
            tcp.write_all(&buf[..r])?;
        },
        b'S' => {
            let mut left = n;
            while left > 0 {
                let r = tcp.read(&mut buf)?;
                if r == 0 {
                    return Ok(());
                }
                left = left.saturating_sub(r as u64);
            }
            tcp.write_all(b"k")
        }
        b'G' => {
            buf.fill(b'x');
            let mut left = n;
            while left > 0 {
                let chunk = left.min(buf.len() as u64) as usize;
                tcp.write_all(&buf[..chunk])?;
                left -= chunk as u64;
            }
            tcp.shutdown(std::net::Shutdown::Write)
        }
        _ => Ok(()),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    Echo,
    Burst {
        count: u64,
        size: usize,
        binary: bool,
    },
    Sink {
        count: u64,
    },
}

fn query_u64(query: &str, key: &str) -> Option<u64> {
    query.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (k == key).then(|| v.parse().ok()).flatten()
    })
}

fn route(path_and_query: &str) -> Route {
    let (path, query) = path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""));
    match path {
        "/burst" => {
            let count = query_u64(query, "count").unwrap_or(10);
            let size = query_u64(query, "size").unwrap_or(32).min(64 << 20);
            let count = count.min(MAX_BURST_BYTES / size.max(1));
            Route::Burst {
                count,
                size: size as usize,
                binary: query_u64(query, "binary") == Some(1),
            }
        }
        "/sink" => Route::Sink {
            count: query_u64(query, "count").unwrap_or(1),
        },
        _ => Route::Echo,
    }
}

// The handshake callback's error type is tungstenite's, large by its design.
#[allow(clippy::result_large_err)]
async fn serve_ws(tcp: TcpStream) -> Result<()> {
    tcp.set_nodelay(true)?;
    let mut path = String::new();
    let callback = |req: &Request, resp: Response| {
        path = req.uri().to_string();
        Ok(resp)
    };
    let config = WebSocketConfig::default()
        .max_message_size(Some(256 << 20))
        .max_frame_size(Some(256 << 20));
    let ws = tokio_tungstenite::accept_hdr_async_with_config(tcp, callback, Some(config)).await?;
    match route(&path) {
        Route::Echo => echo(ws).await,
        Route::Burst {
            count,
            size,
            binary,
        } => burst(ws, count, size, binary).await,
        Route::Sink { count } => sink(ws, count).await,
    }
}

type Ws = WebSocketStream<TcpStream>;

async fn echo(mut ws: Ws) -> Result<()> {
    // Bounded by the connection: each turn consumes at least one message or ends.
    while let Some(msg) = ws.next().await {
        let msg = msg?;
        if msg.is_text() || msg.is_binary() {
            ws.feed(msg).await?;
        }
        // Everything already received goes out with the same flush.
        for _ in 0..FEED_BATCH {
            match ws.next().now_or_never() {
                Some(Some(Ok(m))) if m.is_text() || m.is_binary() => ws.feed(m).await?,
                Some(Some(Ok(_))) => {}
                Some(Some(Err(e))) => return Err(e.into()),
                Some(None) | None => break,
            }
        }
        ws.flush().await?;
    }
    Ok(())
}

async fn burst(mut ws: Ws, count: u64, size: usize, binary: bool) -> Result<()> {
    let body = Bytes::from(vec![b'x'; size]);
    let msg = if binary {
        Message::Binary(body)
    } else {
        Message::Text(Utf8Bytes::try_from(body)?)
    };
    for i in 0..count {
        ws.feed(msg.clone()).await?;
        if i % FEED_BATCH as u64 == FEED_BATCH as u64 - 1 {
            ws.flush().await?;
        }
    }
    ws.flush().await?;
    close_and_drain(ws, "burst done").await
}

async fn sink(mut ws: Ws, count: u64) -> Result<()> {
    let mut seen = 0u64;
    while seen < count {
        match ws.next().await {
            Some(Ok(m)) if m.is_text() || m.is_binary() => seen += 1,
            Some(Ok(_)) => {}
            Some(Err(e)) => return Err(e.into()),
            None => return Ok(()),
        }
    }
    ws.send(Message::text(format!("done {seen}"))).await?;
    close_and_drain(ws, "sink done").await
}

async fn close_and_drain(mut ws: Ws, reason: &'static str) -> Result<()> {
    ws.close(Some(CloseFrame {
        code: CloseCode::Normal,
        reason: Utf8Bytes::from_static(reason),
    }))
    .await?;
    // Wait for the client's close frame (or the end), within a grace period.
    let _ = tokio::time::timeout(CLOSE_GRACE, async {
        while let Some(Ok(_)) = ws.next().await {}
    })
    .await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_and_limits() {
        assert_eq!(route("/echo"), Route::Echo);
        assert_eq!(route("/other?x=1"), Route::Echo);
        assert_eq!(
            route("/burst?count=5&size=7"),
            Route::Burst {
                count: 5,
                size: 7,
                binary: false
            }
        );
        assert_eq!(
            route("/burst?count=99999999999&size=16384&binary=1"),
            Route::Burst {
                count: MAX_BURST_BYTES / 16384,
                size: 16384,
                binary: true
            }
        );
        assert_eq!(route("/sink?count=12"), Route::Sink { count: 12 });
    }
}
