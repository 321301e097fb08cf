//! `wsdeck-bench api`: the JSON-RPC gateway's latency, as the UI and scripts feel it.
//!
//! Starts `wsdeck serve` and a `wsdeck-bench server` child, opens one socket to the server's
//! `/echo` through the API (`snap_openWebSocket`), then for a fixed time sends one message
//! at a time (`snap_sendWebSocketMessage`) and waits for both the call's answer and the
//! echo's `onWebSocketEvent` before sending the next. Reports round trips/s and the
//! latency's median and 99th percentile. Everything is on 127.0.0.1 and bounded in time.

use std::io::{BufRead as _, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};
use clap::Args;
use futures_util::{SinkExt as _, StreamExt as _};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use crate::proc::{ServerChild, machine_busy_seconds, proc_cpu_seconds, self_cpu_seconds};
use crate::report::{Report, Row};

#[derive(Debug, Args)]
pub struct ApiArgs {
    /// The wsdeck binary to measure (build it with --release).
    #[arg(long, default_value = "target/release/wsdeck")]
    pub wsdeck: PathBuf,
    /// How long to measure, in seconds.
    #[arg(long, default_value_t = 3)]
    pub seconds: u64,
    /// Where to write the JSON results.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
}

/// A `wsdeck serve` child, killed on drop.
struct Gateway {
    child: Child,
    url: String,
}

impl Gateway {
    fn spawn(wsdeck: &PathBuf) -> Result<Gateway> {
        let mut child = Command::new(wsdeck)
            .args([
                "serve",
                "--port",
                "0",
                "--grant",
                "endowment:network-access",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .with_context(|| format!("starting {} serve", wsdeck.display()))?;
        let stdout = child.stdout.take().context("no stdout from wsdeck serve")?;
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .context("reading wsdeck serve's first line")?;
        let Some(url) = line
            .trim()
            .strip_prefix("wsdeck gateway listening on ")
            .map(str::to_owned)
        else {
            let _ = child.kill();
            bail!("unexpected first line from wsdeck serve: {line:?}");
        };
        Ok(Gateway { child, url })
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn run(args: ApiArgs) -> Result<()> {
    let server = ServerChild::spawn("server")?;
    let gateway = Gateway::spawn(&args.wsdeck)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let gateway_cpu =
        || proc_cpu_seconds(&format!("/proc/{}/stat", gateway.child.id())).unwrap_or(0.0);
    let cpu_before = (
        self_cpu_seconds(),
        gateway_cpu() + server.cpu_seconds(),
        machine_busy_seconds(),
    );
    let started = Instant::now();
    let latencies = runtime.block_on(measure(
        &gateway.url,
        server.port,
        Duration::from_secs(args.seconds),
    ))?;
    let wall = started.elapsed().as_secs_f64();
    let client = self_cpu_seconds() - cpu_before.0;
    let children = gateway_cpu() + server.cpu_seconds() - cpu_before.1;
    let busy = machine_busy_seconds() - cpu_before.2;
    drop(gateway);

    let mut sorted = latencies.clone();
    sorted.sort_by(f64::total_cmp);
    let pick = |q: f64| sorted[((sorted.len() - 1) as f64 * q).round() as usize];
    let rate = latencies.len() as f64 / latencies.iter().sum::<f64>() * 1000.0;
    let mut report = Report::new("api");
    report.push(
        Row::new(
            "api.send_roundtrip",
            "API: send a message, await its answer and the echo event",
            rate,
            "round trips/s",
        )
        .note(format!(
            "{} round trips; sequential; one socket; server CPU = wsdeck serve + echo server",
            latencies.len()
        ))
        .cpu(client, children, wall)
        .other((busy - client - children).max(0.0)),
    );
    report.push(Row::new(
        "api.send_p50",
        "API round trip, median",
        pick(0.5),
        "ms",
    ));
    report.push(Row::new(
        "api.send_p99",
        "API round trip, 99th percentile",
        pick(0.99),
        "ms",
    ));
    print!("{}", report.table());
    let path = args.json.unwrap_or_else(|| crate::default_json("api"));
    report.write_json(&path)
}

/// The round trips' latencies in ms.
async fn measure(gateway: &str, echo_port: u16, time: Duration) -> Result<Vec<f64>> {
    let address = gateway
        .strip_prefix("ws://")
        .and_then(|rest| rest.split('/').next())
        .with_context(|| format!("not a ws:// gateway URL: {gateway}"))?;
    let tcp = tokio::net::TcpStream::connect(address)
        .await
        .context("connecting to the gateway")?;
    tcp.set_nodelay(true)?;
    let (mut ws, _) = tokio_tungstenite::client_async(gateway, tcp)
        .await
        .context("the gateway's handshake")?;
    let url = format!("ws://127.0.0.1:{echo_port}/echo");
    let answer = call(&mut ws, 1, "snap_openWebSocket", json!({"url": url})).await?;
    let id = answer["result"]
        .as_str()
        .with_context(|| format!("snap_openWebSocket answered {answer}"))?
        .to_owned();
    wait_event(&mut ws, "open").await?;
    let deadline = Instant::now() + time;
    let mut latencies = Vec::new();
    let mut n: u64 = 10;
    // Bounded by time and by count.
    while Instant::now() < deadline && latencies.len() < 1_000_000 {
        n += 1;
        let start = Instant::now();
        let request = json!({"jsonrpc": "2.0", "id": n, "method": "snap_sendWebSocketMessage",
            "params": {"id": id, "message": "0123456789abcdef0123456789abcdef"}});
        ws.send(Message::text(request.to_string())).await?;
        let (mut answered, mut echoed) = (false, false);
        while !(answered && echoed) {
            let v = next_json(&mut ws).await?;
            if v["id"] == json!(n) {
                if v.get("error").is_some() {
                    bail!("send failed: {v}");
                }
                answered = true;
            } else if v["params"]["event"]["type"] == "message" {
                echoed = true;
            }
        }
        latencies.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    let _ = call(&mut ws, 2, "snap_closeWebSocket", json!({"id": id})).await;
    let _ = ws.close(None).await;
    if latencies.is_empty() {
        bail!("no round trip finished");
    }
    Ok(latencies)
}

type Ws = tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>;

async fn next_json(ws: &mut Ws) -> Result<Value> {
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(10), ws.next())
            .await
            .context("no answer from the gateway within 10 s")?;
        match frame {
            Some(Ok(Message::Text(t))) => return Ok(serde_json::from_str(&t)?),
            Some(Ok(Message::Close(c))) => bail!("the gateway closed: {c:?}"),
            Some(Ok(_)) => {}
            Some(Err(e)) => return Err(e.into()),
            None => bail!("the gateway went away"),
        }
    }
}

async fn call(ws: &mut Ws, id: u64, method: &str, params: Value) -> Result<Value> {
    let request = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
    ws.send(Message::text(request.to_string())).await?;
    loop {
        let v = next_json(ws).await?;
        if v["id"] == json!(id) {
            return Ok(v);
        }
    }
}

async fn wait_event(ws: &mut Ws, kind: &str) -> Result<()> {
    loop {
        let v = next_json(ws).await?;
        if v["params"]["event"]["type"] == kind {
            return Ok(());
        }
    }
}
