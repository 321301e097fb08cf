//! `wsdeck rpc`: the JSON-RPC API (`wsdeck-api`) over stdio, one JSON text per line.
//!
//! Each stdin line is one request, notification or batch; each stdout line is one response
//! or `onWebSocketEvent` notification. When stdin ends, the requests still running are
//! answered, then every socket is closed (their `close` events are still written) and the
//! process exits.

use std::collections::BTreeSet;
use std::time::Duration;

use anyhow::Context as _;
use clap::Args;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use wsdeck_api::{Api, Caller, Limits};
use wsdeck_engine::Engine;

/// How long to wait at exit for sockets to finish their closing handshakes.
const CLOSE_WAIT: Duration = Duration::from_secs(6);
/// How long, once stdin ended, requests still running (an open waiting for its handshake,
/// whose timeout is 20 s by default) may take to be answered before the sockets close.
const ANSWER_WAIT: Duration = Duration::from_secs(30);

/// Flags of `wsdeck rpc`.
#[derive(Debug, Args)]
#[command(after_help = "\
Secure by default: without --grant endowment:network-access every snap_* call answers 4100
(unauthorized). Example:
  wsdeck rpc --grant endowment:network-access
  {\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"snap_openWebSocket\",\"params\":{\"url\":\"ws://127.0.0.1:9001/echo\"}}")]
pub struct RpcArgs {
    /// The caller's snap id; snap_* methods exist only for ids starting with npm: or local:
    /// (default: npm:NAME from --manifest, else local:stdio).
    #[arg(long, value_name = "ID")]
    pub origin: Option<String>,

    /// Grant a permission to the caller (repeatable). snap_* WebSocket methods need
    /// endowment:network-access; without it they all answer 4100.
    #[arg(long, value_name = "PERMISSION", value_parser = parse_permission)]
    pub grant: Vec<String>,

    /// A Snaps manifest (snap.manifest.json): its initialPermissions are granted, and its npm
    /// package name is the default --origin.
    #[arg(long, value_name = "FILE")]
    pub manifest: Option<std::path::PathBuf>,
}

/// A `--grant` value: one of [`wsdeck_api::PERMISSIONS`], or an error listing them.
pub fn parse_permission(text: &str) -> Result<String, String> {
    if wsdeck_api::PERMISSIONS.contains(&text) {
        return Ok(text.to_owned());
    }
    let close = wsdeck_api::PERMISSIONS
        .iter()
        .find(|p| p.replace(['-', '_'], "") == text.replace(['-', '_'], ""));
    let hint = close.map_or(String::new(), |p| format!("did you mean {p}? "));
    Err(format!(
        "unknown permission: {hint}wsdeck knows {}",
        wsdeck_api::PERMISSIONS.join(", ")
    ))
}

impl RpcArgs {
    /// The caller these flags describe; errors are usage errors (a bad manifest).
    pub fn caller(&self) -> Result<Caller, String> {
        let manifest = self
            .manifest
            .as_deref()
            .map(crate::manifest::Manifest::read)
            .transpose()?;
        let mut permissions: BTreeSet<String> = self.grant.iter().cloned().collect();
        let mut origin = self.origin.clone();
        if let Some(m) = manifest {
            permissions.extend(m.permissions);
            origin = origin.or(m.origin);
        }
        Ok(Caller {
            origin: origin.unwrap_or_else(|| "local:stdio".into()),
            permissions,
        })
    }
}

/// Serves stdin/stdout until stdin ends.
pub async fn run(caller: Caller) -> anyhow::Result<()> {
    let limits = Limits::default();
    let api = Api::with_limits(Engine::new(), limits);
    let (conn, mut rx) = api.attach(caller);
    let writer = tokio::spawn(async move {
        let mut out = tokio::io::stdout();
        while let Some(text) = rx.recv().await {
            let mut line = text.into_bytes();
            line.push(b'\n');
            if out.write_all(&line).await.is_err() || out.flush().await.is_err() {
                break;
            }
        }
    });
    let mut input = BufReader::new(tokio::io::stdin());
    let mut line = Vec::new();
    loop {
        line.clear();
        // Bounded read: a line longer than the request limit is answered, not buffered.
        let n = (&mut input)
            .take(limits.max_request_bytes as u64 + 2)
            .read_until(b'\n', &mut line)
            .await
            .context("reading stdin")?;
        if n == 0 {
            break;
        }
        if line.last() != Some(&b'\n') && line.len() > limits.max_request_bytes {
            // Too long: skip the rest of the line, then answer the limit error.
            skip_line(&mut input).await?;
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim();
        if !text.is_empty() {
            conn.handle(text).await;
        }
    }
    // `printf '…open…' | wsdeck rpc`: the open is still running; answer it first.
    if !conn.finish_in_flight(ANSWER_WAIT).await {
        eprintln!(
            "wsdeck rpc: stdin ended and some requests were still unanswered after {} s; closing",
            ANSWER_WAIT.as_secs()
        );
    }
    conn.close_all(CLOSE_WAIT).await;
    // Let in-flight responses and the close events reach the writer, then end it.
    tokio::time::sleep(Duration::from_millis(50)).await;
    drop(conn);
    let _ = tokio::time::timeout(CLOSE_WAIT, writer).await;
    Ok(())
}

async fn skip_line<R: AsyncBufReadExt + Unpin>(input: &mut R) -> anyhow::Result<()> {
    loop {
        let buf = input.fill_buf().await.context("reading stdin")?;
        if buf.is_empty() {
            return Ok(());
        }
        match buf.iter().position(|&b| b == b'\n') {
            Some(i) => {
                input.consume(i + 1);
                return Ok(());
            }
            None => {
                let len = buf.len();
                input.consume(len);
            }
        }
    }
}
