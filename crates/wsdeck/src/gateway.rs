//! The JSON-RPC API (`wsdeck-api`) over WebSocket on an axum server bound to loopback:
//! `wsdeck serve`, and `wsdeck ui`, which adds the page's routes to the same server.
//!
//! `GET /rpc` upgrades only when, in this order:
//! 1. the `Host` header is `127.0.0.1:PORT`, `localhost:PORT` or `[::1]:PORT` (DNS-rebinding
//!    defence; with `--allow-remote` also the bound address) — else 403;
//! 2. the `Origin` header is absent (non-browser clients), this gateway's own origin, or one
//!    of `--allow-origin` — else 403;
//! 3. the per-run token matches (`?token=` or `Authorization: Bearer`), compared in constant
//!    time — else 401.
//!
//! Host and Origin come first so a foreign page learns nothing about the token.
//!
//! The HTTP side is served by `gateway/edge.rs`: a request head must arrive within 10 s
//! (idle kept-alive connections are closed the same way), and connections that have not
//! authenticated yet are capped apart from the authenticated clients, the longest-waiting one
//! closed to make room, so a flood of half-open requests cannot lock the token holder out.
//!
//! Each WebSocket is one API caller ([`Api::attach`]); closing it drops the
//! [`wsdeck_api::Connection`], which closes that caller's sockets.
//!
//! **Backpressure** is the API's: `Connection::handle` waits while the caller has
//! `Limits::max_in_flight` requests running or its unread answers and notifications fill
//! `Limits::max_queued_bytes`, and the gateway reads no frames meanwhile, so a client that
//! floods requests without reading the answers is slowed by TCP instead of growing the
//! process (at most that many request tasks plus the API's outgoing budget, in bytes, per
//! client).

use std::collections::BTreeSet;
use std::io::Write as _;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use base64::Engine as _;
use clap::Args;
use serde_json::json;
use subtle::ConstantTimeEq as _;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use wsdeck_api::{Api, ApiError, Caller, Limits};
use wsdeck_engine::Engine;

mod edge;
mod server_socket;

/// Flags of `wsdeck serve`.
#[derive(Debug, Args)]
#[command(after_help = "\
Prints one line `wsdeck gateway listening on ws://127.0.0.1:PORT/rpc?token=TOKEN`; the token
is new on every run. Secure by default: without --grant endowment:network-access every
snap_* call answers 4100 (unauthorized). Example:
  wsdeck serve --port 8765 --grant endowment:network-access --token-file ~/.wsdeck-token")]
pub struct ServeArgs {
    /// Port to listen on; 0 picks a free one.
    #[arg(long, default_value_t = 0, allow_negative_numbers = true,
        value_parser = crate::units::whole_number::<u16>)]
    pub port: u16,

    /// Address to bind; only loopback addresses unless --allow-remote is given.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
    pub bind: IpAddr,

    /// Allow a non-loopback --bind address (anyone who can reach it and has the token can
    /// use the API with the granted permissions).
    #[arg(long)]
    pub allow_remote: bool,

    /// Also accept WebSocket upgrades from pages of this origin, e.g. http://localhost:5173
    /// (repeatable; compared exactly).
    #[arg(long = "allow-origin", value_name = "ORIGIN")]
    pub allow_origin: Vec<String>,

    /// Grant a permission to every client (repeatable). snap_* WebSocket methods need
    /// endowment:network-access; without it they all answer 4100.
    #[arg(long, value_name = "PERMISSION", value_parser = crate::rpc::parse_permission)]
    pub grant: Vec<String>,

    /// A Snaps manifest (snap.manifest.json) whose initialPermissions every client is granted.
    #[arg(long, value_name = "FILE")]
    pub manifest: Option<std::path::PathBuf>,

    /// Record every client's sessions in this history database (see wsdeck history).
    #[arg(long, value_name = "FILE")]
    pub history: Option<PathBuf>,

    /// Serve this workspace folder's saved requests to clients granted wsdeck:workspace.
    #[arg(long, value_name = "DIR")]
    pub workspace: Option<PathBuf>,

    /// Also write the token to this file (created with mode 0600).
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
}

/// What every request handler needs.
#[derive(Debug)]
struct Gateway {
    api: Api,
    limits: Limits,
    token: String,
    hosts: Vec<String>,
    origins: Vec<String>,
    permissions: BTreeSet<String>,
    /// One permit per connected client: a runaway script cannot open sockets without end.
    clients: Arc<tokio::sync::Semaphore>,
    /// Cancelled at Ctrl-C: every client's loop closes its sockets and its WebSocket.
    stopping: CancellationToken,
    /// The clients' loops, waited for before the process exits.
    client_tasks: TaskTracker,
    /// Records the sessions; waited for after the clients, so no recorded tail is lost.
    recorder: Option<crate::history_cmd::Recorder>,
}

/// How long stopping waits for the clients' sockets to close, then for the history to
/// commit what they recorded.
const STOP_WAIT: Duration = Duration::from_secs(5);

/// How long a client's last answers and events may take to go out once it is done.
const DRAIN_WAIT: Duration = Duration::from_secs(2);

/// Clients (WebSockets on `/rpc`) connected at once, at most.
pub(crate) const MAX_CLIENTS: usize = 64;

/// How to set up a gateway: `wsdeck serve` and `wsdeck ui` fill it from their flags.
#[derive(Debug)]
pub(crate) struct GatewayOptions {
    pub bind: IpAddr,
    pub port: u16,
    pub allow_remote: bool,
    pub allow_origin: Vec<String>,
    pub permissions: BTreeSet<String>,
    /// A token to use instead of a fresh random one (`wsdeck ui --keep-token`).
    pub token: Option<String>,
    /// The workspace whose files callers with `wsdeck:workspace` may read and write.
    pub workspace: Option<wsdeck_workspace::Workspace>,
    /// Where every session opened through the API is recorded.
    pub recorder: Option<crate::history_cmd::Recorder>,
    /// Largest request text (and WebSocket message) a client may send.
    pub max_request_bytes: usize,
}

/// A gateway bound to its port, not serving yet.
#[derive(Debug)]
pub(crate) struct BoundGateway {
    listener: tokio::net::TcpListener,
    gateway: Arc<Gateway>,
    /// The address to show people (loopback when bound to an unspecified address).
    pub shown: SocketAddr,
}

impl BoundGateway {
    /// Binds the port; refuses a non-loopback address without `allow_remote`.
    pub(crate) async fn bind(options: GatewayOptions) -> anyhow::Result<BoundGateway> {
        if !options.bind.is_loopback() {
            if !options.allow_remote {
                anyhow::bail!(
                    "--bind {} is not a loopback address; pass --allow-remote to listen on it",
                    options.bind
                );
            }
            eprintln!(
                "wsdeck: warning: listening on {} (not loopback): anyone who can reach it \
                 and knows the token can use the API",
                options.bind
            );
        }
        let listener = tokio::net::TcpListener::bind(SocketAddr::new(options.bind, options.port))
            .await
            .with_context(|| format!("cannot listen on {}:{}", options.bind, options.port))?;
        let port = listener.local_addr().context("local address")?.port();
        let token = match options.token {
            Some(t) => t,
            None => new_token()?,
        };
        let mut hosts = vec![
            format!("127.0.0.1:{port}"),
            format!("localhost:{port}"),
            format!("[::1]:{port}"),
        ];
        if !options.bind.is_loopback() && !options.bind.is_unspecified() {
            hosts.push(SocketAddr::new(options.bind, port).to_string());
        }
        let mut origins = vec![
            format!("http://127.0.0.1:{port}"),
            format!("http://localhost:{port}"),
            format!("http://[::1]:{port}"),
        ];
        origins.extend(options.allow_origin);
        let limits = Limits {
            max_request_bytes: options.max_request_bytes,
            // A client that may send a message of this size in one request (`wsdeck ui`)
            // may read one back whole; the API bounds every answer and what waits to be
            // written per client by bytes from this.
            max_response_bytes: Limits::default()
                .max_response_bytes
                .max(options.max_request_bytes),
            ..Limits::default()
        };
        let mut api = Api::with_limits(Engine::new(), limits);
        if let Some(workspace) = options.workspace {
            api = api.with_workspace(workspace);
        }
        if let Some(recorder) = &options.recorder {
            if let Some(history) = recorder.history() {
                api = api.with_history(history.clone());
            }
            api = api.with_observer(Arc::new(recorder.clone()));
        }
        let gateway = Arc::new(Gateway {
            api,
            limits,
            token,
            hosts,
            origins,
            permissions: options.permissions,
            clients: Arc::new(tokio::sync::Semaphore::new(MAX_CLIENTS)),
            stopping: CancellationToken::new(),
            client_tasks: TaskTracker::new(),
            recorder: options.recorder,
        });
        let shown = if options.bind.is_unspecified() {
            IpAddr::V4(Ipv4Addr::LOCALHOST)
        } else {
            options.bind
        };
        Ok(BoundGateway {
            listener,
            gateway,
            shown: SocketAddr::new(shown, port),
        })
    }

    /// The per-run token (or the kept one).
    pub(crate) fn token(&self) -> &str {
        &self.gateway.token
    }

    /// Serves `/rpc` plus `extra` routes (the UI's pages) until Ctrl-C or SIGTERM. Every route, `extra`
    /// included, answers only requests whose `Host` names this gateway.
    ///
    /// Then the clients' sockets are closed (close frames, not dropped connections),
    /// each client's WebSocket gets close 1001, and the history commits every event those
    /// sessions recorded, before this returns (each wait bounded by [`STOP_WAIT`]).
    pub(crate) async fn serve(self, extra: Router) -> anyhow::Result<()> {
        let gateway = self.gateway.clone();
        let host_check = self.gateway.clone();
        let app = Router::new()
            .route("/rpc", get(rpc_endpoint))
            .with_state(self.gateway)
            .merge(extra)
            .layer(axum::middleware::from_fn(move |request, next| {
                check_host(host_check.clone(), request, next)
            }));
        if let Some(recorder) = &gateway.recorder {
            recorder.keep_retention();
        }
        let stopping = gateway.stopping.clone();
        edge::serve(
            self.listener,
            app,
            edge::Unauthenticated::for_open_file_limit(),
            async move {
                stop_signal().await;
                stopping.cancel();
            },
        )
        .await;
        gateway.stopping.cancel();
        gateway.client_tasks.close();
        if tokio::time::timeout(STOP_WAIT, gateway.client_tasks.wait())
            .await
            .is_err()
        {
            eprintln!(
                "wsdeck: {} clients' sockets did not close within {}s",
                gateway.client_tasks.len(),
                STOP_WAIT.as_secs()
            );
        }
        if let Some(recorder) = &gateway.recorder {
            recorder.finish(STOP_WAIT).await;
        }
        Ok(())
    }
}

/// Resolves at Ctrl-C (SIGINT) or SIGTERM (`kill`, service managers): both stop gracefully.
async fn stop_signal() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = terminate => {}
    }
    // Stopping waits for sockets and the history (seconds at most); a second Ctrl-C does
    // not wait.
    tokio::spawn(async {
        if tokio::signal::ctrl_c().await.is_ok() {
            eprintln!(
                "wsdeck: stopped at once (second Ctrl-C); the last events may be missing from the history"
            );
            std::process::exit(130);
        }
    });
}

/// Runs the gateway until Ctrl-C or SIGTERM.
pub async fn run(args: ServeArgs) -> anyhow::Result<()> {
    let mut permissions: BTreeSet<String> = args.grant.iter().cloned().collect();
    if let Some(path) = &args.manifest {
        permissions.extend(
            crate::manifest::Manifest::read(path)
                .map_err(anyhow::Error::msg)?
                .permissions,
        );
    }
    let bound = BoundGateway::bind(GatewayOptions {
        bind: args.bind,
        port: args.port,
        allow_remote: args.allow_remote,
        allow_origin: args.allow_origin,
        permissions,
        token: None,
        workspace: match args.workspace {
            Some(dir) => Some(crate::ui::open_workspace(Some(dir))?),
            None => None,
        },
        recorder: args
            .history
            .map(|path| crate::history_cmd::server_recorder(Some(path))),
        max_request_bytes: Limits::default().max_request_bytes,
    })
    .await?;
    if let Some(path) = &args.token_file {
        write_token_file(path, bound.token())
            .with_context(|| format!("cannot write the token to {}", path.display()))?;
    }
    let mut out = std::io::stdout();
    writeln!(
        out,
        "wsdeck gateway listening on ws://{}/rpc?token={}",
        bound.shown,
        bound.token()
    )?;
    out.flush()?;
    bound.serve(Router::new()).await
}

/// 32 random bytes, base64url without padding.
pub(crate) fn new_token() -> anyhow::Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness for the token: {e}"))?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

pub(crate) fn write_token_file(path: &std::path::Path, token: &str) -> std::io::Result<()> {
    use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    // An existing file keeps its mode on open; narrow it too.
    file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    file.write_all(format!("{token}\n").as_bytes())
}

fn refuse(status: StatusCode, body: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("{body}\n"),
    )
        .into_response()
}

/// The DNS-rebinding defence, for every route: a page of another site that resolved its
/// name to 127.0.0.1 still sends its own name as `Host`.
async fn check_host(
    gw: Arc<Gateway>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok());
    if !host.is_some_and(|h| gw.hosts.iter().any(|ok| ok.eq_ignore_ascii_case(h))) {
        return refuse(
            StatusCode::FORBIDDEN,
            "forbidden: the Host header does not name this gateway (expected 127.0.0.1, localhost or [::1] with its port)",
        );
    }
    next.run(request).await
}

async fn rpc_endpoint(
    State(gw): State<Arc<Gateway>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    request: axum::extract::Request,
) -> Response {
    if let Some(origin) = headers.get(header::ORIGIN) {
        let ok = origin
            .to_str()
            .is_ok_and(|o| gw.origins.iter().any(|allowed| allowed == o));
        if !ok {
            return refuse(
                StatusCode::FORBIDDEN,
                "forbidden: the Origin is not allowed (start wsdeck serve with --allow-origin ORIGIN to allow it)",
            );
        }
    }
    let mut token = None;
    let mut origin = None;
    for (k, v) in url::form_urlencoded::parse(query.as_deref().unwrap_or("").as_bytes()) {
        match &*k {
            "token" => token = Some(v.into_owned()),
            "origin" => origin = Some(v.into_owned()),
            _ => {}
        }
    }
    if token.is_none() {
        token = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(|t| t.trim().to_owned());
    }
    let Some(token) = token else {
        return refuse(
            StatusCode::UNAUTHORIZED,
            "unauthorized: missing token (pass ?token=TOKEN or Authorization: Bearer TOKEN)",
        );
    };
    if !bool::from(token.as_bytes().ct_eq(gw.token.as_bytes())) {
        return refuse(StatusCode::UNAUTHORIZED, "unauthorized: wrong token");
    }
    let slot = request.extensions().get::<edge::ConnectionSlot>().cloned();
    let (response, pending) = match server_socket::accept(request) {
        Ok(accepted) => accepted,
        Err(problem) => return refuse(StatusCode::BAD_REQUEST, &problem),
    };
    let Ok(permit) = gw.clients.clone().try_acquire_owned() else {
        return refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            &format!(
                "too many clients: at most {MAX_CLIENTS} may be connected at once; close one first"
            ),
        );
    };
    if let Some(slot) = slot {
        slot.authenticated();
    }
    let caller = Caller {
        origin: origin
            .filter(|o| o.starts_with("npm:") || o.starts_with("local:"))
            .unwrap_or_else(|| "local:gateway".to_owned()),
        permissions: gw.permissions.clone(),
    };
    let max = gw.limits.max_request_bytes;
    let api = gw.api.clone();
    let stopping = gw.stopping.clone();
    gw.client_tasks.spawn(async move {
        if let Some(socket) = pending.socket(max).await {
            serve_socket(socket, api, caller, stopping).await;
        }
        drop(permit);
    });
    response
}

/// What the reading side of a client asks its writer task to send, besides the API's texts.
enum Local {
    /// A text of the gateway's own (the answer to a binary frame).
    Text(String),
    /// Fail the connection with this close frame (1002, 1007, 1009), then stop writing.
    Fail(CloseFrame),
    /// The client sent a close frame: send the reply tungstenite queued (the client's code
    /// echoed) now, then stop writing.
    AnswerClose,
}

/// How a client's reading loop ended, which decides how its WebSocket ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ending {
    /// The client closed and its close frame was answered.
    ClosedByClient,
    /// A frame broke the protocol, was not UTF-8 or was too large: the close frame saying so
    /// went out, and what the client may still be writing is read and discarded.
    Failed,
    /// wsdeck is stopping: close 1001 after everything the API had for the client.
    GoingAway,
    /// The connection broke or ended without a close frame.
    Dropped,
}

/// One WebSocket client: frames in, API texts out. A writer task drains the API's output
/// while this loop reads frames; `Connection::handle` waits while the caller has
/// `max_in_flight` requests running, and meanwhile no frames are read.
async fn serve_socket(
    socket: server_socket::ServerSocket,
    api: Api,
    caller: Caller,
    stopping: CancellationToken,
) {
    use futures_util::StreamExt as _;
    let (conn, rx) = api.attach(caller);
    let (sink, mut frames) = socket.split();
    let (local_tx, local_rx) = tokio::sync::mpsc::channel::<Local>(4);
    let writer = tokio::spawn(write_client(sink, local_rx, rx));
    let mut ending = Ending::Dropped;
    loop {
        let frame = tokio::select! {
            frame = frames.next() => frame,
            () = stopping.cancelled() => {
                // The sockets' close events reach the client before the client's close.
                conn.close_all(STOP_WAIT).await;
                ending = Ending::GoingAway;
                break;
            }
        };
        let Some(frame) = frame else { break };
        match frame {
            Ok(Message::Text(text)) => conn.handle(text.as_str()).await,
            Ok(Message::Binary(_)) => {
                if local_tx.send(Local::Text(binary_error())).await.is_err() {
                    break;
                }
            }
            Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_)) => {}
            Ok(Message::Close(_)) => {
                if local_tx.send(Local::AnswerClose).await.is_ok() {
                    ending = Ending::ClosedByClient;
                }
                break;
            }
            Err(error) => {
                if let Some(close) = wsdeck_echo::failure_close(&error)
                    && local_tx.send(Local::Fail(close)).await.is_ok()
                {
                    ending = Ending::Failed;
                }
                break;
            }
        }
    }
    // Detach: the API closes this caller's sockets in the background; the writer ends when
    // the API's output ends (or at once, after a close frame).
    drop(conn);
    drop(local_tx);
    let Ok(sink) = writer.await else { return };
    let Ok(mut socket) = frames.reunite(sink) else {
        return;
    };
    match ending {
        // The client may still be writing the frame we refused.
        Ending::Failed => wsdeck_echo::linger(socket.get_mut()).await,
        Ending::GoingAway => {
            // After everything the API had for this client (the writer drained it).
            let frame = CloseFrame {
                code: CloseCode::Away,
                reason: "wsdeck is shutting down".into(),
            };
            let _ = socket.close(Some(frame)).await;
        }
        // The close handshake is complete; dropping the socket ends the TCP connection.
        Ending::ClosedByClient => {}
        Ending::Dropped => {
            let _ = socket.close(None).await;
        }
    }
}

/// A client's writer task: the gateway's own frames first, then the API's texts; returns the
/// sink once told to stop (a close frame sent) or once the API's output ended and was
/// drained (within [`DRAIN_WAIT`]).
async fn write_client(
    mut sink: futures_util::stream::SplitSink<server_socket::ServerSocket, Message>,
    mut local: tokio::sync::mpsc::Receiver<Local>,
    mut api_output: wsdeck_api::Outgoing,
) -> futures_util::stream::SplitSink<server_socket::ServerSocket, Message> {
    use futures_util::SinkExt as _;
    loop {
        let message = tokio::select! {
            biased;
            local = local.recv() => match local {
                Some(Local::Text(text)) => Message::Text(text.into()),
                Some(Local::Fail(frame)) => {
                    let _ = sink.send(Message::Close(Some(frame))).await;
                    return sink;
                }
                Some(Local::AnswerClose) => {
                    // `close` flushes the reply tungstenite queued when it read the client's
                    // close frame (sending a close of our own would be refused: the client
                    // already closed).
                    let _ = sink.close().await;
                    return sink;
                }
                None => break,
            },
            out = api_output.recv() => match out {
                Some(text) => Message::Text(text.into()),
                None => break,
            },
        };
        if sink.send(message).await.is_err() {
            return sink;
        }
    }
    // The reading side is done: what the API still has for this client (its sockets' last
    // events) goes out before the WebSocket closes, within DRAIN_WAIT.
    let drain = async {
        while let Some(text) = api_output.recv().await {
            if sink.send(Message::Text(text.into())).await.is_err() {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(DRAIN_WAIT, drain).await;
    sink
}

/// The answer to a binary frame: JSON-RPC texts come as text frames.
fn binary_error() -> String {
    let mut error = ApiError::InvalidRequest.to_json();
    error["data"] = json!({"hint": "send JSON-RPC requests as text frames, not binary frames"});
    json!({"jsonrpc": "2.0", "id": null, "error": error}).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_32_random_bytes_base64url() {
        let a = new_token().expect("token");
        let b = new_token().expect("token");
        assert_eq!(a.len(), 43);
        assert_ne!(a, b);
        assert!(
            a.bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        );
    }

    #[test]
    fn binary_frames_answer_invalid_request() {
        let v: serde_json::Value = serde_json::from_str(&binary_error()).expect("json");
        assert_eq!(v["error"]["code"], -32600);
        assert_eq!(v["id"], serde_json::Value::Null);
    }
}
