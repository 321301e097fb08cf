//! The gateway's server side of a WebSocket: the upgrade done with hyper and
//! tokio-tungstenite instead of axum's extractor, so that the raw connection stays reachable.
//!
//! Why: when a client sends a frame larger than the gateway accepts, the gateway answers with
//! close 1009 while the client is still writing that frame. Dropping the socket then, with the
//! rest of the frame unread, makes the kernel send a reset: the client's write fails with
//! "broken pipe" and the close frame that says why may never be read. `wsdeck_echo::linger`
//! (the echo server refuses oversize messages the same way) reads and discards what is
//! still coming, bounded in bytes and time, before the socket closes: a "lingering close".

use axum::body::Body;
use axum::response::Response;
use hyper::upgrade::{OnUpgrade, Upgraded};
use hyper_util::rt::TokioIo;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};

/// The raw connection under an accepted WebSocket.
pub type RawConnection = TokioIo<Upgraded>;

/// An accepted WebSocket, server role.
pub type ServerSocket = WebSocketStream<RawConnection>;

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
