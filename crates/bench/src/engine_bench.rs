//! `wsdeck-bench engine`: the wsdeck engine against a `wsdeck-bench server` child process.
//!
//! Every figure has a raw TCP or minimal tokio-tungstenite client figure from the same run
//! next to it, so that the machine's own speed is visible.

use std::io::{Read, Write};
use std::net::TcpStream as StdTcpStream;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use clap::Args;
use futures_util::future::join_all;
use futures_util::{SinkExt, StreamExt};
use tungstenite::{Message, Utf8Bytes};
use wsdeck_engine::{
    ByteString, Direction, Engine, Event, EventKind, LogCursor, Payload, RequestSpec,
};

use crate::proc::{ServerChild, machine_busy_seconds, self_cpu_seconds, vm_rss_bytes};
use crate::report::{Cost, Report, Row, fmt_value};

/// Flags of `wsdeck-bench engine`.
#[derive(Debug, Args)]
pub struct EngineArgs {
    /// Where to write the JSON results.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Seconds per ping-pong measurement.
    #[arg(long, default_value_t = 3.0)]
    pub seconds: f64,
    /// 32-byte messages received (burst) and sent (sink).
    #[arg(long, default_value_t = 2_000_000)]
    pub count: u64,
    /// 16 KiB messages received and sent.
    #[arg(long, default_value_t = 100_000)]
    pub big_count: u64,
    /// Idle connection counts to measure memory at (each only if the fd limit allows).
    #[arg(long, value_delimiter = ',', default_value = "5000,10000")]
    pub conns: Vec<usize>,
    /// Sessions opened and closed for the handshake rate.
    #[arg(long, default_value_t = 20_000)]
    pub handshakes: u64,
    /// Handshakes in flight at once.
    #[arg(long, default_value_t = 64)]
    pub in_flight: u64,
    /// Only these measurements: pingpong, recv, send, big (= big-recv, big-send, tcp-stream),
    /// memory, handshake.
    #[arg(long, value_delimiter = ',')]
    pub only: Vec<String>,
    /// Run everything (this process, its threads and the servers) on this one CPU.
    #[arg(long, value_name = "CPU")]
    pub pin_cpu: Option<usize>,
    /// Skip the extra ping-pong run with everything pinned to CPU 0.
    #[arg(long)]
    pub no_pinned: bool,
    /// Skip the tokio-tungstenite reference clients in the stream measurements (for profiling
    /// the engine alone).
    #[arg(long)]
    pub no_reference: bool,
    /// Runs of each stream measurement (the median is reported).
    #[arg(long, default_value_t = 3)]
    pub runs: usize,
    /// Session log retention (max bytes, MiB) for the stream measurements; default: the
    /// engine's default.
    #[arg(long, value_name = "MIB")]
    pub retention_mib: Option<usize>,
    /// Measure idle memory in this process instead of a fresh child process.
    #[arg(long)]
    pub memory_here: bool,
}

impl EngineArgs {
    /// The request for a stream measurement.
    fn spec(&self, url: &str) -> RequestSpec {
        let mut spec = RequestSpec::new(url);
        if let Some(mib) = self.retention_mib {
            spec.settings.retention.max_bytes = mib << 20;
        }
        spec
    }

    fn wants(&self, name: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|o| o == name)
    }
}

/// Upper bound for any single measurement.
const DEADLINE: Duration = Duration::from_secs(180);
const SMALL: usize = 32;
const BIG: usize = 16 * 1024;
/// `send_batch` size in the send measurements.
const SEND_BATCH: usize = 1024;

struct Ctx {
    ws: ServerChild,
    tcp: ServerChild,
    rt: tokio::runtime::Runtime,
}

impl Ctx {
    fn url(&self, path: &str) -> String {
        format!("ws://127.0.0.1:{}{path}", self.ws.port)
    }

    /// Runs `f`, returning its value with client CPU, server CPU (both children), the CPU
    /// everything else used meanwhile, and wall time.
    fn probe<T>(&self, f: impl FnOnce() -> Result<T>) -> Result<(T, Cost)> {
        let (m0, c0, s0, t0) = (
            machine_busy_seconds(),
            self_cpu_seconds(),
            self.server_cpu(),
            Instant::now(),
        );
        let v = f()?;
        let wall = t0.elapsed().as_secs_f64();
        let client = self_cpu_seconds() - c0;
        let server = self.server_cpu() - s0;
        let other = machine_busy_seconds() - m0 - client - server;
        Ok((
            v,
            Cost {
                client,
                server,
                other,
                wall,
            },
        ))
    }

    fn server_cpu(&self) -> f64 {
        self.ws.cpu_seconds() + self.tcp.cpu_seconds()
    }

    /// Runs a future as a task on the runtime's workers, as front ends do.
    fn spawn<T: Send + 'static>(
        &self,
        fut: impl Future<Output = Result<T>> + Send + 'static,
    ) -> Result<T> {
        self.rt.block_on(async {
            match tokio::time::timeout(DEADLINE, tokio::spawn(fut)).await {
                Ok(Ok(r)) => r,
                Ok(Err(e)) => Err(anyhow!("task failed: {e}")),
                Err(_) => Err(anyhow!("gave up after {} s", DEADLINE.as_secs())),
            }
        })
    }
}

/// `wsdeck-bench engine`.
pub fn run(args: EngineArgs, nofile: u64) -> Result<()> {
    if let Some(cpu) = args.pin_cpu {
        // Threads and processes started from here on inherit the mask.
        let mut set = nix::sched::CpuSet::new();
        set.set(cpu)?;
        nix::sched::sched_setaffinity(nix::unistd::Pid::from_raw(0), &set)
            .with_context(|| format!("pinning to CPU {cpu}"))?;
    }
    let ctx = Ctx {
        ws: ServerChild::spawn("server")?,
        tcp: ServerChild::spawn("tcp-server")?,
        rt: tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?,
    };
    eprintln!(
        "wsdeck-bench engine: server pid {} port {}, tcp-server pid {} port {}, fd limit {nofile}",
        ctx.ws.pid(),
        ctx.ws.port,
        ctx.tcp.pid(),
        ctx.tcp.port
    );
    let mut report = Report::new("engine");
    report.notes.push(format!(
        "Server: `wsdeck-bench server` (tokio-tungstenite 0.30) and `tcp-server` in child processes; fd limit {nofile}."
    ));
    if args.wants("pingpong") {
        pingpong(&ctx, &args, &mut report)?;
        if args.pin_cpu.is_none() && !args.no_pinned {
            pinned_pingpong(&args, &mut report)?;
        }
    }
    if args.wants("recv") || args.wants("send") {
        stream(&ctx, &args, &mut report, SMALL, args.count)?;
    }
    if args.wants("big") || args.wants("big-recv") || args.wants("big-send") {
        stream(&ctx, &args, &mut report, BIG, args.big_count)?;
    }
    if args.wants("big") || args.wants("tcp-stream") {
        tcp_stream(&ctx, &mut report, args.big_count)?;
    }
    if args.wants("memory") {
        if args.memory_here || args.only.iter().any(|o| o == "memory") {
            memory(&ctx, &args, &mut report, nofile)?;
        } else {
            // A fresh process: freed memory of the other measurements would hide the cost.
            let conns: Vec<String> = args.conns.iter().map(usize::to_string).collect();
            let child = child_run(&["--only", "memory", "--conns", &conns.join(",")])?;
            for row in child.rows {
                report.push(row);
            }
            report
                .notes
                .extend(child.notes.into_iter().filter(|n| n.starts_with("Idle")));
        }
    }
    if args.wants("handshake") {
        handshakes(&ctx, &args, &mut report)?;
    }
    let table = report.table();
    println!("{table}");
    let path = args
        .json
        .clone()
        .unwrap_or_else(|| crate::default_json("engine"));
    report.write_json(&path)?;
    eprintln!("wsdeck-bench engine: JSON written to {}", path.display());
    Ok(())
}

fn text(size: usize) -> Payload {
    Payload::text(ByteString::from("x".repeat(size)))
}

fn is_message_in(e: &Event) -> bool {
    matches!(
        e.kind,
        EventKind::Message {
            direction: Direction::In,
            ..
        }
    )
}

// ---- a. ping-pong ---------------------------------------------------------------------

fn pingpong(ctx: &Ctx, args: &EngineArgs, report: &mut Report) -> Result<()> {
    let dur = Duration::from_secs_f64(args.seconds);
    let max = 10_000_000u64;

    let tcp_port = ctx.tcp.port;
    let (n, k) = ctx.probe(|| tcp_pingpong(tcp_port, dur, max))?;
    let tcp_rate = n as f64 / k.wall;
    report.push(
        Row::new(
            "tcp.pingpong",
            "raw TCP ping-pong, 32 B (baseline)",
            tcp_rate,
            "rt/s",
        )
        .baseline("DESIGN.md: 93–130k rt/s")
        .cost(&k),
    );

    let url = ctx.url("/echo");
    let (n, k) = ctx.probe(|| ctx.spawn(tt_pingpong(url.clone(), dur, max)))?;
    let tt_rate = n as f64 / k.wall;
    report.push(
        Row::new(
            "tt.pingpong",
            "tokio-tungstenite client ping-pong, 32 B (reference)",
            tt_rate,
            "rt/s",
        )
        .baseline("DESIGN.md: ~51k rt/s")
        .cost(&k),
    );

    let engine = Engine::new();
    let (n, k) = ctx.probe(|| ctx.spawn(engine_pingpong(engine.clone(), url.clone(), dur, max)))?;
    let rate = n as f64 / k.wall;
    let pct = 100.0 * rate / tcp_rate;
    report.push(
        Row::new(
            "engine.pingpong",
            "engine ping-pong, 32 B (send + wait for echo in log)",
            rate,
            "rt/s",
        )
        .target("≥ 50% of raw TCP", Some(pct >= 50.0))
        .baseline(format!(
            "{pct:.0}% of raw TCP {}; {:.0}% of tokio-tungstenite",
            fmt_value(tcp_rate),
            100.0 * rate / tt_rate
        ))
        .cost(&k),
    );
    Ok(())
}

/// The ping-pong rows again from a child run with everything on CPU 0: on this VM a
/// wake-up across CPUs costs tens of microseconds, which dominates unpinned ping-pong.
fn pinned_pingpong(args: &EngineArgs, report: &mut Report) -> Result<()> {
    let seconds = args.seconds.to_string();
    let pinned = child_run(&[
        "--only",
        "pingpong",
        "--pin-cpu",
        "0",
        "--seconds",
        &seconds,
    ])?;
    for mut row in pinned.rows {
        row.key.push_str(".pinned");
        row.name = format!("{} [all on CPU 0]", row.name);
        report.push(row);
    }
    Ok(())
}

/// Runs `wsdeck-bench engine ARGS` as a child process (a fresh heap, a fresh runtime) and
/// returns its report.
fn child_run(extra: &[&str]) -> Result<Report> {
    let exe = std::env::current_exe()?;
    let json = std::env::temp_dir().join(format!(
        "wsdeck-bench-child-{}-{}.json",
        std::process::id(),
        extra.join("-").replace(['/', ','], "_")
    ));
    let mut child = std::process::Command::new(exe)
        .arg("engine")
        .args(extra)
        .arg("--json")
        .arg(&json)
        .stdout(std::process::Stdio::null())
        .spawn()
        .context("starting a child run")?;
    // Bounded: the child's own measurements have deadlines; this is the backstop.
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if started.elapsed() > 2 * DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            bail!("the child run {extra:?} took too long");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    if !status.success() {
        bail!("the child run {extra:?} failed: {status}");
    }
    let text = std::fs::read_to_string(&json)?;
    let _ = std::fs::remove_file(&json);
    Ok(serde_json::from_str(&text)?)
}

fn tcp_pingpong(port: u16, dur: Duration, max: u64) -> Result<u64> {
    let mut tcp = StdTcpStream::connect(("127.0.0.1", port))?;
    tcp.set_nodelay(true)?;
    tcp.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut head = [0u8; 9];
    head[0] = b'E';
    tcp.write_all(&head)?;
    let out = [b'x'; SMALL];
    let mut back = [0u8; SMALL];
    let start = Instant::now();
    let mut n = 0;
    while n < max && (n % 256 != 0 || start.elapsed() < dur) {
        tcp.write_all(&out)?;
        tcp.read_exact(&mut back)?;
        n += 1;
    }
    Ok(n)
}

async fn tt_connect(
    url: &str,
) -> Result<tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>> {
    let addr = url
        .strip_prefix("ws://")
        .and_then(|r| r.split('/').next())
        .ok_or_else(|| anyhow!("bad url {url}"))?;
    let tcp = tokio::net::TcpStream::connect(addr).await?;
    tcp.set_nodelay(true)?;
    let (ws, _) = tokio_tungstenite::client_async(url, tcp).await?;
    Ok(ws)
}

async fn tt_pingpong(url: String, dur: Duration, max: u64) -> Result<u64> {
    let mut ws = tt_connect(&url).await?;
    let msg = Message::Text(Utf8Bytes::from("x".repeat(SMALL)));
    let start = Instant::now();
    let mut n = 0;
    while n < max && (n % 256 != 0 || start.elapsed() < dur) {
        ws.send(msg.clone()).await?;
        match ws.next().await {
            Some(Ok(m)) if m.is_text() => n += 1,
            other => bail!("unexpected answer: {other:?}"),
        }
    }
    let _ = ws.close(None).await;
    Ok(n)
}

async fn engine_pingpong(engine: Engine, url: String, dur: Duration, max: u64) -> Result<u64> {
    let session = engine.open(RequestSpec::new(url))?;
    session.wait_open().await?;
    let payload = text(SMALL);
    let log = session.log();
    let mut cursor = LogCursor::at(log.clone(), log.next_seq());
    let mut events = Vec::with_capacity(64);
    let start = Instant::now();
    let mut n = 0;
    while n < max && (n % 256 != 0 || start.elapsed() < dur) {
        session.send(payload.clone()).await?;
        // Bounded: each turn reads at least one event, and the echo arrives or the log ends.
        loop {
            let out = tokio::time::timeout(Duration::from_secs(10), cursor.next(64, &mut events))
                .await
                .context("no echo within 10 s")?;
            if events.iter().any(is_message_in) {
                break;
            }
            if out.at_end {
                bail!("the session ended during ping-pong");
            }
        }
        n += 1;
    }
    session.close(Some(1000), "").await?;
    let _ = tokio::time::timeout(Duration::from_secs(5), session.wait_closed()).await;
    Ok(n)
}

// ---- b, c, d. streams -------------------------------------------------------------------

fn stream(
    ctx: &Ctx,
    args: &EngineArgs,
    report: &mut Report,
    size: usize,
    count: u64,
) -> Result<()> {
    let big = size >= 1024;
    let (unit, scale) = if big {
        ("MB/s", size as f64 / 1e6)
    } else {
        ("msg/s", 1.0)
    };
    let label = if big { "16 KiB" } else { "32 B" };
    let key = if big { "big" } else { "small" };
    let (target, goal) = if big {
        ("≥ 1 GB/s each way", 1000.0)
    } else {
        ("≥ 400k msg/s", 400_000.0)
    };
    let burst = ctx.url(&format!("/burst?count={count}&size={size}&close=1"));
    let sink = ctx.url(&format!("/sink?count={count}"));

    let (recv, send) = if big {
        (
            args.wants("big") || args.wants("big-recv"),
            args.wants("big") || args.wants("big-send"),
        )
    } else {
        (args.wants("recv"), args.wants("send"))
    };
    let runs = args.runs.max(1);
    let reference = |name: &str, rates: Vec<(f64, Cost)>, report: &mut Report| -> f64 {
        let (value, cost, all) = pick_median(rates);
        let mut row = Row::new(
            &format!("tt.{}.{key}", if name == "receive" { "recv" } else { name }),
            &format!("tokio-tungstenite client {name}, {label} (reference)"),
            value,
            unit,
        )
        .cost(&cost)
        .note(format!("median of {runs}"));
        row.runs = all;
        report.push(row);
        value
    };
    if recv {
        let mut tt_runs = Vec::new();
        let mut engine_runs = Vec::new();
        let (mut missed, mut log_rss) = (0u64, 0u64);
        for _ in 0..runs {
            if !args.no_reference {
                let (n, k) = ctx.probe(|| ctx.spawn(tt_receive(burst.clone(), count)))?;
                tt_runs.push((n as f64 / k.wall * scale, k));
            }
            let engine = Engine::new();
            let rss0 = vm_rss_bytes();
            let (r, k) =
                ctx.probe(|| ctx.spawn(engine_receive(engine.clone(), args.spec(&burst), count)))?;
            // The engine still holds the session and its log here.
            log_rss = log_rss.max(vm_rss_bytes().saturating_sub(rss0));
            drop(engine);
            missed += r.missed;
            let rate = r.count as f64 / r.seconds * scale;
            engine_runs.push((
                rate,
                Cost {
                    wall: r.seconds,
                    ..k
                },
            ));
        }
        let tt = if tt_runs.is_empty() {
            f64::NAN
        } else {
            reference("receive", tt_runs, report)
        };
        let (value, cost, all) = pick_median(engine_runs);
        let cap = args.spec(&burst).settings.retention.max_bytes;
        let mut row = Row::new(
            &format!("engine.recv.{key}"),
            &format!("engine receive, {label} (count Message In in the log)"),
            value,
            unit,
        )
        .target(target, Some(value >= goal))
        .baseline(format!("tokio-tungstenite client {} {unit}", fmt_value(tt)))
        .note(format!(
            "median of {runs}; {missed} missed; VmRSS +{} MiB with the log kept (retention {} MiB)",
            log_rss >> 20,
            cap >> 20
        ))
        .cost(&cost);
        row.runs = all;
        report.push(row);
    }
    if send {
        let mut tt_runs = Vec::new();
        let mut engine_runs = Vec::new();
        for _ in 0..runs {
            if !args.no_reference {
                let (n, k) = ctx.probe(|| ctx.spawn(tt_send(sink.clone(), count, size)))?;
                tt_runs.push((n as f64 / k.wall * scale, k));
            }
            let engine = Engine::new();
            let (secs, k) =
                ctx.probe(|| ctx.spawn(engine_send(engine, args.spec(&sink), count, size)))?;
            engine_runs.push((count as f64 / secs * scale, Cost { wall: secs, ..k }));
        }
        let tt = if tt_runs.is_empty() {
            f64::NAN
        } else {
            reference("send", tt_runs, report)
        };
        let (value, cost, all) = pick_median(engine_runs);
        let mut row = Row::new(
            &format!("engine.send.{key}"),
            &format!("engine send, {label} (send_batch of {SEND_BATCH})"),
            value,
            unit,
        )
        .target(target, Some(value >= goal))
        .baseline(format!("tokio-tungstenite client {} {unit}", fmt_value(tt)))
        .note(format!(
            "median of {runs}; until the server's `done N` arrives"
        ))
        .cost(&cost);
        row.runs = all;
        report.push(row);
    }
    Ok(())
}

/// The median rate, the cost of the run that gave it, and all rates.
fn pick_median(mut runs: Vec<(f64, Cost)>) -> (f64, Cost, Vec<f64>) {
    let all: Vec<f64> = runs.iter().map(|r| r.0).collect();
    runs.sort_by(|a, b| a.0.total_cmp(&b.0));
    match runs.get((runs.len().max(1) - 1) / 2) {
        Some(&(v, c)) => (v, c, all),
        None => (f64::NAN, Cost::default(), all),
    }
}

struct Received {
    count: u64,
    missed: u64,
    seconds: f64,
}

async fn engine_receive(engine: Engine, spec: RequestSpec, expect: u64) -> Result<Received> {
    let start = Instant::now();
    let session = engine.open(spec)?;
    let mut cursor = LogCursor::new(session.log().clone());
    let mut events = Vec::with_capacity(4096);
    let (mut count, mut missed) = (0u64, 0u64);
    let mut last = start;
    // Bounded: the burst ends with a close, and the whole task has a deadline.
    loop {
        let out = cursor.next(4096, &mut events).await;
        missed += out.missed;
        let n = events.iter().filter(|e| is_message_in(e)).count() as u64;
        if n > 0 {
            count += n;
            last = Instant::now();
        }
        if out.at_end {
            break;
        }
    }
    if count + missed < expect {
        bail!(
            "received {count} (+{missed} missed) of {expect}: {:?}",
            session.last_error()
        );
    }
    Ok(Received {
        count,
        missed,
        seconds: (last - start).as_secs_f64(),
    })
}

async fn engine_send(engine: Engine, spec: RequestSpec, count: u64, size: usize) -> Result<f64> {
    let start = Instant::now();
    let session = engine.open(spec)?;
    session.wait_open().await?;
    let payload = text(size);
    let mut left = count;
    while left > 0 {
        let n = left.min(SEND_BATCH as u64);
        session
            .send_batch(vec![payload.clone(); n as usize])
            .await?;
        left -= n;
    }
    let log = session.log();
    let mut cursor = LogCursor::at(log.clone(), log.next_seq());
    let mut events = Vec::with_capacity(4096);
    let want = format!("done {count}");
    loop {
        let out = cursor.next(4096, &mut events).await;
        let done = events.iter().any(|e| match &e.kind {
            EventKind::Message {
                direction: Direction::In,
                payload,
            } => payload.as_bytes() == want.as_bytes(),
            _ => false,
        });
        if done {
            break;
        }
        if out.at_end {
            bail!(
                "the session ended before `{want}`: {:?}",
                session.last_error()
            );
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let _ = tokio::time::timeout(Duration::from_secs(10), session.wait_closed()).await;
    Ok(secs)
}

async fn tt_receive(url: String, expect: u64) -> Result<u64> {
    let mut ws = tt_connect(&url).await?;
    let mut n = 0;
    while let Some(m) = ws.next().await {
        match m? {
            Message::Text(_) | Message::Binary(_) => n += 1,
            Message::Close(_) => break,
            _ => {}
        }
    }
    if n < expect {
        bail!("tokio-tungstenite received {n} of {expect}");
    }
    Ok(n)
}

async fn tt_send(url: String, count: u64, size: usize) -> Result<u64> {
    let mut ws = tt_connect(&url).await?;
    let msg = Message::Text(Utf8Bytes::from("x".repeat(size)));
    for i in 0..count {
        ws.feed(msg.clone()).await?;
        if i % SEND_BATCH as u64 == 0 {
            ws.flush().await?;
        }
    }
    ws.flush().await?;
    let want = format!("done {count}");
    while let Some(m) = ws.next().await {
        if let Message::Text(t) = m?
            && t.as_str() == want
        {
            return Ok(count);
        }
    }
    bail!("tokio-tungstenite: no `{want}`")
}

fn tcp_stream(ctx: &Ctx, report: &mut Report, count: u64) -> Result<()> {
    let total = count * BIG as u64;
    let port = ctx.tcp.port;
    let (_, k) = ctx.probe(|| {
        let mut tcp = StdTcpStream::connect(("127.0.0.1", port))?;
        tcp.set_read_timeout(Some(Duration::from_secs(30)))?;
        let mut head = [0u8; 9];
        head[0] = b'S';
        head[1..].copy_from_slice(&total.to_le_bytes());
        tcp.write_all(&head)?;
        let chunk = vec![b'x'; BIG];
        for _ in 0..count {
            tcp.write_all(&chunk)?;
        }
        let mut ack = [0u8; 1];
        tcp.read_exact(&mut ack)?;
        Ok(())
    })?;
    report.push(
        Row::new(
            "tcp.send.big",
            "raw TCP stream, client → server, 16 KiB writes (baseline)",
            total as f64 / k.wall / 1e6,
            "MB/s",
        )
        .baseline("DESIGN.md: 3.4–3.7 GB/s")
        .cost(&k),
    );
    let (got, k) = ctx.probe(|| {
        let mut tcp = StdTcpStream::connect(("127.0.0.1", port))?;
        tcp.set_read_timeout(Some(Duration::from_secs(30)))?;
        let mut head = [0u8; 9];
        head[0] = b'G';
        head[1..].copy_from_slice(&total.to_le_bytes());
        tcp.write_all(&head)?;
        let mut buf = vec![0u8; BIG];
        let mut got = 0u64;
        while got < total {
            let r = tcp.read(&mut buf)?;
            if r == 0 {
                break;
            }
            got += r as u64;
        }
        Ok(got)
    })?;
    if got < total {
        bail!("raw TCP receive got {got} of {total} bytes");
    }
    report.push(
        Row::new(
            "tcp.recv.big",
            "raw TCP stream, server → client, 16 KiB reads (baseline)",
            total as f64 / k.wall / 1e6,
            "MB/s",
        )
        .cost(&k),
    );
    Ok(())
}

// ---- e. idle memory -------------------------------------------------------------------

/// Sessions opened at once while filling up (the server's backlog is 4096).
const OPEN_WAVE: usize = 250;

fn memory(ctx: &Ctx, args: &EngineArgs, report: &mut Report, nofile: u64) -> Result<()> {
    let url = ctx.url("/echo");
    // Warm up the runtime's threads and the TLS config cache with a few sessions (few, so
    // that little freed memory is left for the measured sessions to reuse).
    ctx.spawn(open_idle(Engine::new(), url.clone(), 8, true))?;
    std::thread::sleep(Duration::from_millis(300));

    let engine = Engine::new();
    let base = vm_rss_bytes();
    let mut open = 0usize;
    let mut sessions = Vec::new();
    for &n in &args.conns {
        if n as u64 + 64 > nofile {
            report.notes.push(format!(
                "Idle memory at {n} connections skipped: the fd limit is {nofile}."
            ));
            continue;
        }
        let (more, k) =
            ctx.probe(|| ctx.spawn(open_idle(engine.clone(), url.clone(), n - open, false)))?;
        sessions.extend(more);
        open = n;
        std::thread::sleep(Duration::from_millis(500));
        let rss = vm_rss_bytes();
        let per = (rss.saturating_sub(base)) as f64 / n as f64;
        let log_bytes = log_estimate(&sessions);
        report.push(
            Row::new(
                &format!("engine.idle_rss.{n}"),
                &format!("idle connection, client VmRSS delta / conn at {n}"),
                per / 1024.0,
                "KiB",
            )
            .target("≤ 8 KiB user-space", Some(per <= 8.0 * 1024.0))
            .baseline(format!(
                "VmRSS {} → {} MiB",
                base / (1 << 20),
                rss / (1 << 20)
            ))
            .note(format!(
                "includes the session log (2 events, ≈{:.1} KiB of it per session)",
                log_bytes / 1024.0
            ))
            .cost(&k),
        );
    }
    ctx.spawn(close_all(sessions))?;
    Ok(())
}

/// Rough bytes held by each session log: events plus their strings (the handshake heads).
fn log_estimate(sessions: &[wsdeck_engine::Session]) -> f64 {
    let Some(s) = sessions.first() else {
        return 0.0;
    };
    let mut events = Vec::new();
    s.log().read(0, 16, &mut events);
    let mut bytes = 0usize;
    for e in &events {
        bytes += std::mem::size_of::<Event>() + e.kind.payload_len();
        if let EventKind::Open(info) = &e.kind {
            bytes += std::mem::size_of_val(&**info) + info.url.len();
            for head in [&info.request, &info.response] {
                bytes += head.start_line.len();
                bytes += head
                    .headers
                    .iter()
                    .map(|(k, v)| k.len() + v.len() + 48)
                    .sum::<usize>();
            }
        }
        if let EventKind::Connecting { url, .. } = &e.kind {
            bytes += url.len();
        }
    }
    bytes as f64
}

async fn open_idle(
    engine: Engine,
    url: String,
    n: usize,
    close: bool,
) -> Result<Vec<wsdeck_engine::Session>> {
    let mut sessions = Vec::with_capacity(n);
    while sessions.len() < n {
        let wave = OPEN_WAVE.min(n - sessions.len());
        let mut opened = Vec::with_capacity(wave);
        for _ in 0..wave {
            opened.push(engine.open(RequestSpec::new(url.clone()))?);
        }
        let results = join_all(
            opened
                .iter()
                .map(|s| tokio::time::timeout(Duration::from_secs(30), s.wait_open())),
        )
        .await;
        for r in results {
            r.context("handshake took over 30 s")??;
        }
        sessions.extend(opened);
    }
    if close {
        close_all(sessions).await?;
        return Ok(Vec::new());
    }
    Ok(sessions)
}

async fn close_all(sessions: Vec<wsdeck_engine::Session>) -> Result<()> {
    for s in &sessions {
        s.close(Some(1000), "").await?;
    }
    let _ = tokio::time::timeout(
        Duration::from_secs(30),
        join_all(sessions.iter().map(|s| s.wait_closed())),
    )
    .await;
    Ok(())
}

/// Runs `round` `total` times on `in_flight` tasks at once; the count of rounds done. Each
/// round bounds its own steps with timeouts, so the whole is bounded in count and time.
async fn in_parallel<F, Fut>(in_flight: u64, total: u64, round: F) -> Result<u64>
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = Result<()>> + Send + 'static,
{
    let next = Arc::new(AtomicU64::new(0));
    let workers: Vec<_> = (0..in_flight)
        .map(|_| {
            let (next, round) = (next.clone(), round.clone());
            tokio::spawn(async move {
                let mut done = 0u64;
                while next.fetch_add(1, Ordering::Relaxed) < total {
                    round().await?;
                    done += 1;
                }
                anyhow::Ok(done)
            })
        })
        .collect();
    let mut done = 0;
    for w in join_all(workers).await {
        done += w??;
    }
    Ok(done)
}

// ---- f. handshakes ---------------------------------------------------------------------

fn handshakes(ctx: &Ctx, args: &EngineArgs, report: &mut Report) -> Result<()> {
    let url = ctx.url("/echo");
    let total = args.handshakes;
    let in_flight = args.in_flight.max(1);

    // Reference: a minimal tokio-tungstenite client doing the same round.
    let tt_url = url.clone();
    let (tt_done, k) = ctx.probe(|| {
        ctx.spawn(in_parallel(in_flight, total, move || {
            let url = tt_url.clone();
            async move {
                let mut ws = tokio::time::timeout(Duration::from_secs(10), tt_connect(&url))
                    .await
                    .context("handshake took over 10 s")??;
                ws.close(None).await?;
                tokio::time::timeout(Duration::from_secs(10), async {
                    while let Some(Ok(_)) = ws.next().await {}
                })
                .await
                .context("close took over 10 s")?;
                Ok(())
            }
        }))
    })?;
    let tt_rate = tt_done as f64 / k.wall;
    report.push(
        Row::new(
            "tt.handshakes",
            &format!(
                "tokio-tungstenite client handshakes ({total}, {in_flight} in flight) (reference)"
            ),
            tt_rate,
            "/s",
        )
        .note("connect + handshake + close + wait for the end")
        .cost(&k),
    );

    let engine = Engine::new();
    let (done, k) = ctx.probe(|| {
        ctx.spawn(in_parallel(in_flight, total, move || {
            let (engine, url) = (engine.clone(), url.clone());
            async move {
                let s = engine.open(RequestSpec::new(url))?;
                tokio::time::timeout(Duration::from_secs(10), s.wait_open())
                    .await
                    .context("handshake took over 10 s")??;
                engine.remove(s.id()).await?;
                tokio::time::timeout(Duration::from_secs(10), s.wait_closed())
                    .await
                    .context("close took over 10 s")?;
                Ok(())
            }
        }))
    })?;
    let rate = done as f64 / k.wall;
    report.push(
        Row::new(
            "engine.handshakes",
            &format!("ws:// handshakes ({total}, {in_flight} in flight)"),
            rate,
            "/s",
        )
        .target("≥ 10k/s", Some(rate >= 10_000.0))
        .baseline(format!(
            "tokio-tungstenite client {} /s ({:.0}%)",
            fmt_value(tt_rate),
            100.0 * rate / tt_rate
        ))
        .note("open + wait_open + close 1000 + wait_closed")
        .cost(&k),
    );
    Ok(())
}
