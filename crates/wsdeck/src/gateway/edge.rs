//! The gateway's HTTP edge: the accept loop and every HTTP/1.1 connection until it either
//! becomes an authenticated WebSocket client or ends.
//!
//! Why not `axum::serve`: it reads request heads without any time limit and accepts
//! connections without any limit, so a flood of half-open requests (`GET /rpc HTTP/1.1` and
//! never the rest) held every file descriptor and locked the real client, token in hand, out.
//! Here:
//! - a request head must arrive within [`HEAD_TIMEOUT`], counted from when the server is ready
//!   to read one — when the connection opens and again after each response, so a kept-alive
//!   connection that sends nothing more is closed too — and may hold at most
//!   [`MAX_HEAD_BUFFER`] bytes;
//! - connections that have not authenticated (every connection until its `/rpc` upgrade shows
//!   the token) are counted apart from the authenticated clients ([`super::MAX_CLIENTS`]). When
//!   the most allowed (a quarter of the open-file limit, 16 to 512) are open, a new one closes the one that has waited longest
//!   (and so does running out of file descriptors): a flood only ever pushes out its own older
//!   connections, while a client that sends its request at once is answered and, with the
//!   token, leaves the count.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::Service as _;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;

/// How long a client may take to send a whole request head (see the module's docs).
pub(crate) const HEAD_TIMEOUT: Duration = Duration::from_secs(10);

/// Most bytes hyper buffers for one connection's request (hyper's own default is ~400 KB,
/// which times hundreds of unauthenticated connections is too much). Generous for a request
/// head: a browser may send every cookie any local development server set for `127.0.0.1`.
const MAX_HEAD_BUFFER: usize = 64 << 10;

/// Unauthenticated connections open at once, at most, whatever the open-file limit.
const MAX_UNAUTHENTICATED: usize = 512;

/// Unauthenticated connections open at once, at least, however low the open-file limit.
const MIN_UNAUTHENTICATED: usize = 16;

/// Pause after an `accept` error, so the loop does not spin.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// The connections that have not shown the token yet, oldest first, and how many may be open.
#[derive(Debug)]
pub(crate) struct Unauthenticated {
    cap: usize,
    open: Mutex<Registry>,
}

#[derive(Debug, Default)]
struct Registry {
    next_id: u64,
    /// By admission order; cancelling a token closes that connection.
    waiting: BTreeMap<u64, CancellationToken>,
}

impl Unauthenticated {
    /// At most `cap` (at least 1) unauthenticated connections at once.
    pub(crate) fn new(cap: usize) -> Arc<Unauthenticated> {
        Arc::new(Unauthenticated {
            cap: cap.max(1),
            open: Mutex::new(Registry::default()),
        })
    }

    /// A quarter of this process's open-file limit, between [`MIN_UNAUTHENTICATED`] and
    /// [`MAX_UNAUTHENTICATED`]: the rest stays for authenticated clients, the sockets they open
    /// and the history database.
    pub(crate) fn for_open_file_limit() -> Arc<Unauthenticated> {
        let limit = nix::sys::resource::getrlimit(nix::sys::resource::Resource::RLIMIT_NOFILE)
            .map_or(1024, |(soft, _hard)| soft);
        let quarter = usize::try_from(limit / 4).unwrap_or(MAX_UNAUTHENTICATED);
        Unauthenticated::new(quarter.clamp(MIN_UNAUTHENTICATED, MAX_UNAUTHENTICATED))
    }

    fn registry(&self) -> std::sync::MutexGuard<'_, Registry> {
        // The registry stays consistent whatever panicked while holding it.
        self.open.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Counts a new connection in, closing the longest-waiting ones while the count is full.
    fn admit(self: &Arc<Self>) -> Admitted {
        let mut registry = self.registry();
        while registry.waiting.len() >= self.cap {
            if let Some((_, oldest)) = registry.waiting.pop_first() {
                oldest.cancel();
            }
        }
        let id = registry.next_id;
        registry.next_id += 1;
        let evicted = CancellationToken::new();
        registry.waiting.insert(id, evicted.clone());
        Admitted {
            slot: ConnectionSlot {
                id,
                set: Arc::clone(self),
            },
            evicted,
        }
    }

    /// Closes the longest-waiting unauthenticated connection; `false` when there is none.
    fn evict_oldest(&self) -> bool {
        match self.registry().waiting.pop_first() {
            Some((_, oldest)) => {
                oldest.cancel();
                true
            }
            None => false,
        }
    }

    fn forget(&self, id: u64) {
        self.registry().waiting.remove(&id);
    }
}

/// One connection's place among the unauthenticated ones, in each of its requests'
/// extensions: `/rpc` calls [`ConnectionSlot::authenticated`] once the token matched.
#[derive(Debug, Clone)]
pub(crate) struct ConnectionSlot {
    id: u64,
    set: Arc<Unauthenticated>,
}

impl ConnectionSlot {
    /// This connection showed the token and becomes a client: it no longer counts as
    /// unauthenticated and can no longer be closed to make room.
    pub(crate) fn authenticated(&self) {
        self.set.forget(self.id);
    }
}

/// Held by a connection's task: dropping it (the connection ended) frees the place.
struct Admitted {
    slot: ConnectionSlot,
    /// Cancelled when the connection is closed to make room for a newer one.
    evicted: CancellationToken,
}

impl Drop for Admitted {
    fn drop(&mut self) {
        self.slot.set.forget(self.slot.id);
    }
}

/// Serves `router` on `listener` until `stop` resolves; then stops accepting and closes every
/// connection that is not an upgraded WebSocket (those belong to their client tasks).
pub(crate) async fn serve(
    listener: TcpListener,
    router: Router,
    unauthenticated: Arc<Unauthenticated>,
    stop: impl Future<Output = ()>,
) {
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(HEAD_TIMEOUT)
        .max_buf_size(MAX_HEAD_BUFFER);
    let closing = CancellationToken::new();
    let _close_connections = closing.clone().drop_guard();
    tokio::pin!(stop);
    loop {
        let accepted = tokio::select! {
            () = &mut stop => break,
            accepted = listener.accept() => accepted,
        };
        match accepted {
            Ok((tcp, _peer)) => {
                // Answers and events are small frames written one by one: without
                // TCP_NODELAY, Nagle's algorithm holds each behind the previous one's ACK.
                let _ = tcp.set_nodelay(true);
                let admitted = unauthenticated.admit();
                tokio::spawn(serve_connection(
                    tcp,
                    http.clone(),
                    router.clone(),
                    admitted,
                    closing.clone(),
                ));
            }
            Err(e) if is_out_of_descriptors(&e) => {
                // Free a descriptor for the connection waiting in the backlog (it may be the
                // real client) by closing the longest-waiting unauthenticated one.
                if !unauthenticated.evict_oldest() {
                    eprintln!("wsdeck: cannot accept a connection: {e}");
                }
                tokio::time::sleep(ACCEPT_BACKOFF).await;
            }
            // A connection that failed while it was being accepted: only that one is lost.
            Err(e) if is_connection_error(&e) => {}
            Err(e) => {
                eprintln!("wsdeck: cannot accept a connection: {e}");
                tokio::time::sleep(ACCEPT_BACKOFF).await;
            }
        }
    }
}

/// One HTTP/1.1 connection until it ends, is upgraded (the WebSocket then lives in its client
/// task), is closed to make room, or the gateway stops.
async fn serve_connection(
    tcp: TcpStream,
    http: http1::Builder,
    router: Router,
    admitted: Admitted,
    closing: CancellationToken,
) {
    let router = TowerToHyperService::new(router);
    let slot = admitted.slot.clone();
    let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
        request.extensions_mut().insert(slot.clone());
        router.call(request)
    });
    let connection = http
        .serve_connection(TokioIo::new(tcp), service)
        .with_upgrades();
    tokio::select! {
        // Errors (a timed-out head, a reset) only end this connection; hyper has answered
        // what could be answered (400, 431).
        _ = connection => {}
        () = admitted.evicted.cancelled() => {}
        () = closing.cancelled() => {}
    }
}

fn is_out_of_descriptors(error: &std::io::Error) -> bool {
    use nix::errno::Errno;
    matches!(error.raw_os_error(), Some(code) if code == Errno::EMFILE as i32 || code == Errno::ENFILE as i32)
}

fn is_connection_error(error: &std::io::Error) -> bool {
    use std::io::ErrorKind;
    matches!(
        error.kind(),
        ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset | ErrorKind::ConnectionRefused
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_count_closes_the_longest_waiting_connection() {
        let set = Unauthenticated::new(2);
        let first = set.admit();
        let second = set.admit();
        assert!(!first.evicted.is_cancelled());
        let third = set.admit();
        assert!(first.evicted.is_cancelled(), "the oldest makes room");
        assert!(!second.evicted.is_cancelled());
        // An authenticated connection is never closed to make room.
        second.slot.authenticated();
        let fourth = set.admit();
        assert!(!second.evicted.is_cancelled());
        assert!(!third.evicted.is_cancelled());
        let _fifth = set.admit();
        assert!(third.evicted.is_cancelled());
        assert!(!fourth.evicted.is_cancelled());
        // A connection that ended frees its place.
        drop(fourth);
        let _sixth = set.admit();
        assert_eq!(set.registry().waiting.len(), 2);
    }

    #[test]
    fn the_cap_follows_the_open_file_limit_within_bounds() {
        let cap = Unauthenticated::for_open_file_limit().cap;
        assert!((MIN_UNAUTHENTICATED..=MAX_UNAUTHENTICATED).contains(&cap));
    }
}
