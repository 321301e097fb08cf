//! `wsdeck-echo`: a real WebSocket peer on loopback to try clients against.
//!
//! It backs `wsdeck echo-server`, the engine's integration tests and demos. Every behaviour is
//! picked by the request path and query string, so a client needs no setup beyond a URL:
//!
//! | path | behaviour |
//! |---|---|
//! | `/`, `/echo` | echo text as text and binary as binary; pings are answered; the client's close code is echoed |
//! | `/burst?count=10&size=32&binary=0&close=0` | after the handshake send `count` messages of `size` bytes (`x`s), then close with 1000 "burst done" if `close=1`, else echo. `count*size` is capped at 1 GiB |
//! | `/redirect?to=/echo&status=302` | answer the upgrade with `status` (301, 302, 303, 307, 308) and `Location: to` |
//! | `/redirect-loop?status=302` | redirect to itself forever |
//! | `/redirect-chain?n=5&to=/echo&status=302` | `n` redirects in total (`n=4`, `n=3`, ...), the last one to `to` |
//! | `/auth?name=Authorization&value=Bearer%20wsdeck` | require that request header with exactly that value, else `401` with `WWW-Authenticate: Bearer` and a body naming the problem; then echo |
//! | `/status?code=500` | answer the upgrade with that status (400-599) and body `wsdeck echo: status CODE requested` |
//! | `/headers` | send one text message, a JSON object of the request headers (lowercase names, repeated headers joined with `", "`), then echo |
//! | `/close?code=1000&reason=&after_ms=0` | echo for `after_ms`, then close with `code` and `reason` and finish the close handshake |
//! | `/ping?count=3&interval_ms=50&payload=hi` | send `count` pings `interval_ms` apart (the first at once) while echoing; pongs are counted in [`EchoStats::pongs`] |
//! | `/invalid-utf8` | send one text frame whose payload is not UTF-8, then echo |
//! | `/vanish?size=100000` | write the header and half the payload of a `size`-byte binary frame, then drop the connection without a close frame |
//! | `/big?size=1048576` | send one binary message of `size` bytes (at most 1 GiB), then echo |
//! | `/slow-handshake?ms=2000` | wait `ms` (at most 600000) after reading the request before answering it, then echo |
//! | anything else | echo, like `/echo` (so a typo still gives a working peer; check the path if a behaviour does not happen) |
//!
//! Query values are validated: a bad value, or a known parameter given twice, answers the
//! upgrade with `400` and a plain-text body naming the parameter. Unknown parameters are
//! ignored. Delays are capped at ten minutes. A request without `Upgrade: websocket` (a
//! browser, `curl`) gets `426 Upgrade Required` with a short explanation.
//!
//! Subprotocols: when the client offers `Sec-WebSocket-Protocol`, the first offered name that
//! is in [`EchoConfig::subprotocols`] (exact match) is chosen; if none matches, the response
//! carries no `Sec-WebSocket-Protocol` header at all.
//!
//! TLS ([`TlsConfig`]) uses rustls with the `ring` provider. In self-signed mode the server
//! makes a CA and a server certificate signed by it; [`EchoServer::ca_pem`] is the trust
//! anchor to give to the client. [`EchoConfig::client_ca`] turns on mutual TLS, and
//! [`generate_mtls_material`] makes a CA and a client certificate for it.

mod conn;
mod error;
mod fail;
mod prefixed;
mod route;
mod tls;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::{JoinHandle, JoinSet};
use tokio_rustls::TlsAcceptor;
use tungstenite::protocol::WebSocketConfig;

use crate::conn::{Shared, Stats};

pub use crate::conn::linger;
pub use crate::error::EchoError;
pub use crate::fail::failure_close;
pub use crate::tls::{MtlsFiles, MtlsMaterial, TlsConfig, generate_mtls_material};

/// How long a client may take to complete the TLS handshake.
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(30);
/// Pause after a failed `accept` (for example when out of file descriptors), so the loop does
/// not spin.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// Read buffer of each connection, in bytes. tungstenite allocates it when the connection opens
/// and fills it on the first read, so it costs every connection this much for as long as it
/// lives: its default, 128 KiB, made 16,000 open connections hold 2.3 GB. A frame larger than
/// this still arrives whole (the buffer grows to the frame's size while reading it).
const READ_BUFFER_BYTES: usize = 4 << 10;
/// Outgoing bytes collected before they are written to the socket (a flush writes them all
/// anyway). Small: echoes of small messages are still batched into one write per few KiB.
const WRITE_BUFFER_BYTES: usize = 4 << 10;

/// `config` with the echo server's per-connection buffer sizes ([`READ_BUFFER_BYTES`],
/// [`WRITE_BUFFER_BYTES`]) instead of tungstenite's 128 KiB each.
fn connection_buffers(config: WebSocketConfig) -> WebSocketConfig {
    config
        .read_buffer_size(READ_BUFFER_BYTES)
        .write_buffer_size(WRITE_BUFFER_BYTES)
}

/// Everything needed to start an [`EchoServer`].
///
/// Exists so the CLI can parse its flags once into one value and tests can start a server
/// with `EchoConfig::default()` plus the one field they care about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EchoConfig {
    /// Address to listen on; default `127.0.0.1:0` (loopback, a free port).
    pub bind: SocketAddr,
    /// Subprotocols the server accepts, in no particular order; the client's order decides.
    /// Default `["wsdeck.echo.v1", "graphql-ws", "graphql-transport-ws", "chat"]`.
    pub subprotocols: Vec<String>,
    /// Serve `wss://` instead of `ws://`; default `None`.
    pub tls: Option<TlsConfig>,
    /// PEM file with the CA(s) that client certificates must be signed by (mutual TLS).
    /// When set, a client without such a certificate fails the TLS handshake. Requires `tls`.
    pub client_ca: Option<PathBuf>,
    /// Largest message (and frame) the server accepts from a client, in bytes; `None` means
    /// unlimited. Default 64 MiB, tungstenite's default message limit. On every endpoint a
    /// bigger message is answered with close 1009 and the reason
    /// `message larger than N bytes`, and the connection ends.
    pub max_message_size: Option<usize>,
}

impl Default for EchoConfig {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            subprotocols: [
                "wsdeck.echo.v1",
                "graphql-ws",
                "graphql-transport-ws",
                "chat",
            ]
            .map(String::from)
            .to_vec(),
            tls: None,
            client_ca: None,
            max_message_size: Some(64 << 20),
        }
    }
}

/// A snapshot of a server's counters.
///
/// Exists so tests and the CLI can observe what the server saw (for example that a client
/// answered the pings of `/ping`) without parsing logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct EchoStats {
    /// TCP connections accepted.
    pub connections: u64,
    /// Handshakes answered with `101 Switching Protocols`.
    pub upgrades: u64,
    /// Handshakes answered with any other status (redirects, 401, 400, `/status`, 426, ...).
    pub rejections: u64,
    /// Pong frames received, on any endpoint.
    pub pongs: u64,
}

/// A running echo server.
///
/// Exists so callers get the bound address (port 0 picks a free one), ready-made URLs and the
/// CA to trust, and can stop the server deterministically. Dropping it also stops the server,
/// asynchronously; use [`EchoServer::shutdown`] to wait until it is down.
#[derive(Debug)]
pub struct EchoServer {
    local_addr: SocketAddr,
    /// `Some(host)` when serving `wss://`.
    tls_host: Option<String>,
    ca_pem: Option<String>,
    shared: Arc<Shared>,
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl EchoServer {
    /// Binds `config.bind`, spawns the accept loop on the current tokio runtime and returns
    /// at once. TLS material is generated or loaded before binding, so a bad certificate
    /// is reported here rather than on the first connection.
    pub async fn start(config: EchoConfig) -> Result<EchoServer, EchoError> {
        validate_subprotocols(&config.subprotocols)?;
        if config.client_ca.is_some() && config.tls.is_none() {
            return Err(EchoError::InvalidConfig(
                "client_ca (mutual TLS) is set but tls is not".to_owned(),
            ));
        }
        let (acceptor, tls_host, ca_pem) = match &config.tls {
            None => (None, None, None),
            Some(tls) => {
                let server = tls::server_tls(tls, config.client_ca.as_deref())?;
                let acceptor = TlsAcceptor::from(Arc::new(server.config));
                (Some(acceptor), Some(server.url_host), server.ca_pem)
            }
        };
        let listener = TcpListener::bind(config.bind)
            .await
            .map_err(|source| EchoError::Bind {
                addr: config.bind,
                source,
            })?;
        let local_addr = listener.local_addr().map_err(|source| EchoError::Bind {
            addr: config.bind,
            source,
        })?;
        let ws_config = connection_buffers(WebSocketConfig::default())
            .max_message_size(config.max_message_size)
            .max_frame_size(config.max_message_size);
        let shared = Arc::new(Shared {
            subprotocols: config.subprotocols,
            ws_config,
            stats: Stats::default(),
        });
        let (stop, stopped) = oneshot::channel();
        let task = tokio::spawn(accept_loop(
            listener,
            acceptor,
            Arc::clone(&shared),
            stopped,
        ));
        Ok(EchoServer {
            local_addr,
            tls_host,
            ca_pem,
            shared,
            stop,
            task,
        })
    }

    /// The address the server listens on (with the real port when `bind` used port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// A URL for `path` (which may carry a query string; a missing leading `/` is added):
    /// `ws://127.0.0.1:PORT/path`, or `wss://localhost:PORT/path` with TLS (the host is one
    /// the certificate covers; with certificate files it is `localhost`).
    pub fn url(&self, path: &str) -> String {
        let slash = if path.starts_with('/') { "" } else { "/" };
        let port = self.local_addr.port();
        match &self.tls_host {
            Some(host) => format!("wss://{host}:{port}{slash}{path}"),
            None => {
                let host = match self.local_addr.ip() {
                    IpAddr::V4(ip) if ip.is_unspecified() => Ipv4Addr::LOCALHOST.to_string(),
                    IpAddr::V6(ip) if ip.is_unspecified() => format!("[{}]", Ipv6Addr::LOCALHOST),
                    IpAddr::V4(ip) => ip.to_string(),
                    IpAddr::V6(ip) => format!("[{ip}]"),
                };
                format!("ws://{host}:{port}{slash}{path}")
            }
        }
    }

    /// PEM of the generated CA in [`TlsConfig::SelfSigned`] mode, for a client to trust
    /// (`wsdeck --ca`); `None` without TLS or with certificate files.
    pub fn ca_pem(&self) -> Option<String> {
        self.ca_pem.clone()
    }

    /// The server's counters so far.
    pub fn stats(&self) -> EchoStats {
        let s = &self.shared.stats;
        EchoStats {
            connections: s.connections.load(Ordering::Relaxed),
            upgrades: s.upgrades.load(Ordering::Relaxed),
            rejections: s.rejections.load(Ordering::Relaxed),
            pongs: s.pongs.load(Ordering::Relaxed),
        }
    }

    /// Stops accepting, drops every live connection (without close frames) and waits until
    /// the listening socket and all connection tasks are gone.
    pub async fn shutdown(self) {
        // The accept loop may already have ended (it never does on its own, but a send to a
        // gone receiver is harmless either way).
        let _ = self.stop.send(());
        let _ = self.task.await;
    }
}

/// Subprotocol names must be HTTP tokens, or no client could ever offer them.
fn validate_subprotocols(subprotocols: &[String]) -> Result<(), EchoError> {
    let is_tchar = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
    match subprotocols
        .iter()
        .find(|p| p.is_empty() || !p.chars().all(is_tchar))
    {
        Some(bad) => Err(EchoError::InvalidConfig(format!(
            "subprotocol {bad:?} is not a valid token (letters, digits and !#$%&'*+-.^_`|~)"
        ))),
        None => Ok(()),
    }
}

async fn accept_loop(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    shared: Arc<Shared>,
    mut stop: oneshot::Receiver<()>,
) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            // A message or a dropped `EchoServer` both stop the server.
            _ = &mut stop => break,
            accepted = listener.accept() => match accepted {
                Ok((tcp, _peer)) => {
                    conn::bump_connections(&shared.stats);
                    // Latency matters more than packet count for a test peer.
                    let _ = tcp.set_nodelay(true);
                    let tls = tls.clone();
                    let shared = Arc::clone(&shared);
                    connections.spawn(async move {
                        // A failed connection only ends itself.
                        let _ = connection(tcp, tls, &shared).await;
                    });
                }
                Err(_) => tokio::time::sleep(ACCEPT_BACKOFF).await,
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    connections.shutdown().await;
}

async fn connection(
    tcp: TcpStream,
    tls: Option<TlsAcceptor>,
    shared: &Shared,
) -> Result<(), EchoError> {
    match tls {
        None => conn::serve(tcp, shared).await,
        // Boxed: a future is as large as its largest branch, and rustls' state would make
        // every plain connection's task 13 KB instead of 2.5 KB.
        Some(acceptor) => Box::pin(serve_tls(tcp, acceptor, shared)).await,
    }
}

async fn serve_tls(
    tcp: TcpStream,
    acceptor: TlsAcceptor,
    shared: &Shared,
) -> Result<(), EchoError> {
    let stream = tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, acceptor.accept(tcp))
        .await
        .map_err(|_| EchoError::Timeout("TLS handshake"))?
        .map_err(|source| EchoError::Io {
            context: "TLS handshake",
            source,
        })?;
    conn::serve(stream, shared).await
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every open connection holds its task's future: it must not carry TLS state (13 KB)
    /// when the connection is plain.
    #[tokio::test]
    async fn a_plain_connection_task_is_small() {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let tcp = TcpStream::connect(listener.local_addr().expect("address"))
            .await
            .expect("connect");
        let shared = Shared {
            subprotocols: Vec::new(),
            ws_config: connection_buffers(WebSocketConfig::default()),
            stats: Stats::default(),
        };
        let task = connection(tcp, None, &shared);
        let size = std::mem::size_of_val(&task);
        assert!(size <= 4096, "{size} bytes");
    }

    #[test]
    fn subprotocol_validation() {
        assert!(validate_subprotocols(&EchoConfig::default().subprotocols).is_ok());
        for bad in ["", "a b", "a,b", "é"] {
            assert!(validate_subprotocols(&[bad.to_owned()]).is_err(), "{bad:?}");
        }
    }
}
