//! The gateway's server side of a WebSocket: the upgrade done with hyper and
//! tokio-tungstenite instead of axum's extractor, so that the raw connection stays reachable.
//!
//! Why: when a client sends a frame larger than the gateway accepts, the gateway answers with
//! close 1009 while the client is still writing that frame. Dropping the socket then, with the
//! rest of the frame unread, makes the kernel send a reset: the client's write fails with
//! "broken pipe" and the close frame that says why may never be read. [`linger`] reads and
//! discards what is still coming (bounded in bytes and time) before the socket closes, the
//! way web servers do a "lingering close".

use std::time::Duration;

use axum::body::Body;
use axum::response::Response;
use hyper::upgrade::{OnUpgrade, Upgraded};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};

/// The raw connection under an accepted WebSocket.
pub type RawConnection = TokioIo<Upgraded>;

/// An accepted WebSocket, server role.
pub type ServerSocket = WebSocketStream<RawConnection>;

/// How long, at most, [`linger`] keeps reading after the close frame went out.
const LINGER_FOR: Duration = Duration::from_secs(2);
/// A pause this long in what the client sends ends [`linger`] early.
const LINGER_IDLE: Duration = Duration::from_millis(250);
/// At most this much is read and discarded by [`linger`].
const LINGER_BYTES: usize = 64 << 20;

/// An accepted handshake's connection, available once hyper has sent the 101 response.
pub struct PendingSocket {
    upgrade: OnUpgrade,
}

/// Checks `request` is a WebSocket handshake (GET, HTTP/1.1, `Upgrade: websocket`,
/// `Connection: upgrade`, version 13, a key) and gives the 101 response to return plus the
/// connection to come; otherwise what is wrong with it, for a 400 answer.
pub fn accept(mut request: axum::extract::Request) -> Result<(Response, PendingSocket), String> {
    let response = tokio_tungstenite::tungstenite::handshake::server::create_response_with_body(
        &request,
        Body::empty,
    )
    .map_err(|e| {
        format!("bad request: not a WebSocket handshake ({e}); /rpc speaks JSON-RPC over WebSocket")
    })?;
    let Some(upgrade) = request.extensions_mut().remove::<OnUpgrade>() else {
        return Err(
            "bad request: this connection cannot be upgraded to a WebSocket (HTTP/1.1 is needed)"
                .to_owned(),
        );
    };
    Ok((response, PendingSocket { upgrade }))
}

impl PendingSocket {
    /// Waits for hyper to hand over the connection and wraps it as a WebSocket whose
    /// messages and frames are at most `max_message` bytes. `None` when the client left
    /// before the upgrade finished.
    pub async fn socket(self, max_message: usize) -> Option<ServerSocket> {
        let upgraded = self.upgrade.await.ok()?;
        let config = WebSocketConfig::default()
            .max_message_size(Some(max_message))
            .max_frame_size(Some(max_message));
        Some(
            WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Server, Some(config))
                .await,
        )
    }
}

/// Reads and discards what the client still sends — until it closes its side, pauses for
/// [`LINGER_IDLE`], [`LINGER_FOR`] has passed or [`LINGER_BYTES`] were read — then shuts the
/// connection down, so the close frame already sent reaches a client that was mid-write.
pub async fn linger(connection: &mut RawConnection) {
    let deadline = tokio::time::Instant::now() + LINGER_FOR;
    let mut buffer = vec![0u8; 64 << 10];
    let mut discarded = 0usize;
    while discarded < LINGER_BYTES {
        let wait = LINGER_IDLE.min(deadline.saturating_duration_since(tokio::time::Instant::now()));
        match tokio::time::timeout(wait, connection.read(&mut buffer)).await {
            Ok(Ok(n)) if n > 0 => discarded += n,
            _ => break,
        }
    }
    let _ = connection.shutdown().await;
}
