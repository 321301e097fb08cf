//! `wsdeck-bench cli`: `wsdeck connect` pipe mode against websocat and wscat, all on the same
//! `wsdeck-bench server` child, each measurement run several times (median reported).
//!
//! Every tool gets the same treatment: stdin is a pipe that stays open until the tool has
//! exited (fed from a pre-generated file for the send measurements), stdout is a pipe whose
//! bytes and lines are counted, and the time is from spawn to exit. The tools exit because
//! the server closes the connection (after the burst, or after `done N`).

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::Args;
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

use crate::proc::{
    ServerChild, children_cpu_seconds, machine_busy_seconds, median, self_cpu_seconds,
};
use crate::report::{Cost, Report, Row, fmt_value};

/// Flags of `wsdeck-bench cli`.
#[derive(Debug, Args)]
pub struct CliArgs {
    /// The wsdeck binary to measure (build it with --release).
    #[arg(long, default_value = "target/release/wsdeck")]
    pub wsdeck: PathBuf,
    /// Where websocat and wscat may be installed (bin/ and node_modules/.bin/), besides PATH.
    #[arg(long, default_value = "target/bench-tools")]
    pub tools_dir: PathBuf,
    /// Where the stdin files are generated.
    #[arg(long, default_value = "target/bench-tmp")]
    pub tmp_dir: PathBuf,
    /// Where to write the JSON results.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Runs per measurement (the median is reported).
    #[arg(long, default_value_t = 3)]
    pub runs: usize,
    /// 32-byte messages per measurement.
    #[arg(long, default_value_t = 1_000_000)]
    pub count: u64,
    /// 16 KiB messages per measurement.
    #[arg(long, default_value_t = 100_000)]
    pub big_count: u64,
    /// Tools to measure (wsdeck, websocat, wscat).
    #[arg(long, value_delimiter = ',', default_value = "wsdeck,websocat,wscat")]
    pub tools: Vec<String>,
    /// Longest a single run may take, in seconds.
    #[arg(long, default_value_t = 300)]
    pub timeout: u64,
    /// Send measurements: wait this long after starting a tool before feeding its stdin
    /// (wscat drops lines that arrive before its connection is open). The time is
    /// measured from the start of feeding.
    #[arg(long, default_value_t = 1500)]
    pub feed_delay_ms: u64,
}

#[derive(Debug, Clone)]
struct Tool {
    name: &'static str,
    version: String,
    argv: Vec<String>,
}

impl Tool {
    fn command(&self, url: &str) -> Vec<String> {
        let mut v = self.argv.clone();
        v.push(url.to_owned());
        v
    }
}

fn find(name: &str, extra: &[PathBuf]) -> Option<PathBuf> {
    extra
        .iter()
        .map(|d| d.join(name))
        .chain(
            std::env::var_os("PATH")
                .map(|p| {
                    std::env::split_paths(&p)
                        .map(|d| d.join(name))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default(),
        )
        .find(|p| p.is_file())
}

fn version_of(program: &Path) -> String {
    Command::new(program)
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

fn tools(args: &CliArgs, report: &mut Report) -> Vec<Tool> {
    let mut found = Vec::new();
    for name in &args.tools {
        match name.as_str() {
            "wsdeck" => {
                if args.wsdeck.is_file() {
                    let p = args.wsdeck.display().to_string();
                    found.push(Tool {
                        name: "wsdeck",
                        version: version_of(&args.wsdeck),
                        // Pipe mode; no --exit-on-eof: it exits when the server closes.
                        argv: vec![p, "connect".into()],
                    });
                } else {
                    report.notes.push(format!(
                        "wsdeck skipped: {} not found (cargo build --release -p wsdeck).",
                        args.wsdeck.display()
                    ));
                }
            }
            "websocat" => match find("websocat", &[args.tools_dir.join("bin")]) {
                Some(p) => found.push(Tool {
                    name: "websocat",
                    version: version_of(&p),
                    // Text messages, one per line without the newline; -E: exit when the
                    // server's side ends even though stdin is still open.
                    argv: vec![
                        p.display().to_string(),
                        "-t".into(),
                        "-E".into(),
                        "--linemode-strip-newlines".into(),
                    ],
                }),
                None => report.notes.push(
                    "websocat skipped: not on PATH nor in target/bench-tools/bin (scripts/bench --install-peers).".into(),
                ),
            },
            "wscat" => match find("wscat", &[args.tools_dir.join("node_modules/.bin")]) {
                Some(p) => found.push(Tool {
                    name: "wscat",
                    version: version_of(&p),
                    argv: vec![p.display().to_string(), "-c".into()],
                }),
                None => report.notes.push(
                    "wscat skipped: not on PATH nor in target/bench-tools/node_modules/.bin (scripts/bench --install-peers).".into(),
                ),
            },
            other => report.notes.push(format!("unknown tool {other:?} ignored")),
        }
    }
    found
}

/// One measurement scenario.
#[derive(Debug, Clone)]
struct Scenario {
    key: &'static str,
    label: String,
    /// URL path and query.
    path: String,
    /// Stdin file for send scenarios.
    input: Option<PathBuf>,
    count: u64,
    size: usize,
    /// MB/s instead of msg/s.
    bytes_unit: bool,
}

/// What one run observed.
#[derive(Debug, Default)]
struct RunResult {
    seconds: f64,
    cpu: f64,
    server_cpu: f64,
    /// CPU used meanwhile by everything else (the harness itself excluded).
    other_cpu: f64,
    lines: u64,
    bytes: u64,
    tail: Vec<u8>,
    stderr_tail: String,
    status: String,
    /// Peak resident set of the tool (VmHWM, polled every 5 ms while it runs).
    peak_rss: u64,
}

/// `wsdeck-bench cli`.
pub fn run(args: CliArgs) -> Result<()> {
    let mut report = Report::new("cli");
    let tools = tools(&args, &mut report);
    if tools.is_empty() {
        bail!("no tool to measure");
    }
    for t in &tools {
        eprintln!("wsdeck-bench cli: {} = {}", t.name, t.version);
        report.notes.push(format!(
            "{}: `{}` ({})",
            t.name,
            t.argv.join(" "),
            t.version
        ));
    }
    let server = ServerChild::spawn("server")?;
    let scenarios = vec![
        Scenario {
            key: "recv.small",
            label: format!("receive {} × 32 B", fmt_value(args.count as f64)),
            path: format!("/burst?count={}&size=32&close=1", args.count),
            input: None,
            count: args.count,
            size: 32,
            bytes_unit: false,
        },
        Scenario {
            key: "send.small",
            label: format!("send {} × 32 B", fmt_value(args.count as f64)),
            path: format!("/sink?count={}", args.count),
            input: Some(lines_file(&args.tmp_dir, args.count, 32)?),
            count: args.count,
            size: 32,
            bytes_unit: false,
        },
        Scenario {
            key: "recv.big",
            label: format!("receive {} × 16 KiB", fmt_value(args.big_count as f64)),
            path: format!("/burst?count={}&size=16384&close=1", args.big_count),
            input: None,
            count: args.big_count,
            size: 16384,
            bytes_unit: true,
        },
        Scenario {
            key: "send.big",
            label: format!("send {} × 16 KiB", fmt_value(args.big_count as f64)),
            path: format!("/sink?count={}", args.big_count),
            input: Some(lines_file(&args.tmp_dir, args.big_count, 16384)?),
            count: args.big_count,
            size: 16384,
            bytes_unit: true,
        },
    ];
    let timeout = Duration::from_secs(args.timeout);
    for sc in &scenarios {
        let url = format!("ws://127.0.0.1:{}{}", server.port, sc.path);
        let mut results: Vec<Vec<RunResult>> = tools.iter().map(|_| Vec::new()).collect();
        // Runs interleave the tools so that drift on the machine affects all alike.
        for run in 0..args.runs.max(1) {
            for (i, tool) in tools.iter().enumerate() {
                let feed_delay = Duration::from_millis(args.feed_delay_ms);
                let r = run_once(
                    &tool.command(&url),
                    sc.input.as_deref(),
                    feed_delay,
                    timeout,
                    &server,
                )
                .unwrap_or_else(|e| RunResult {
                    status: format!("{e:#}"),
                    ..RunResult::default()
                });
                let ok = check(sc, &r);
                eprintln!(
                    "  {} {} run {}: {:.3} s, {} lines, {} bytes{}",
                    sc.key,
                    tool.name,
                    run + 1,
                    r.seconds,
                    r.lines,
                    r.bytes,
                    match &ok {
                        Ok(()) => String::new(),
                        Err(e) => format!(" — FAILED: {e}"),
                    }
                );
                results[i].push(r);
            }
        }
        push_rows(&mut report, sc, &tools, &results);
    }
    let table = report.table();
    println!("{table}");
    let path = args
        .json
        .clone()
        .unwrap_or_else(|| crate::default_json("cli"));
    report.write_json(&path)?;
    eprintln!("wsdeck-bench cli: JSON written to {}", path.display());
    Ok(())
}

/// Whether a run delivered everything.
fn check(sc: &Scenario, r: &RunResult) -> Result<(), String> {
    if !r.status.is_empty() && r.status != "exit status: 0" {
        return Err(format!("{} {}", r.status, r.stderr_tail.trim()));
    }
    if sc.input.is_some() {
        let want = format!("done {}", sc.count);
        let tail = String::from_utf8_lossy(&r.tail);
        if !tail.contains(&want) {
            return Err(format!("no `{want}` in the output (tail {tail:?})"));
        }
    } else {
        let want = sc.count * (sc.size as u64 + 1);
        if r.lines != sc.count || r.bytes != want {
            return Err(format!(
                "{} lines / {} bytes, expected {} / {want}",
                r.lines, r.bytes, sc.count
            ));
        }
    }
    Ok(())
}

/// A receive run that exited cleanly (after the server's close, which follows the last
/// message) but wrote only part of the lines: the tool lost output on exit.
fn truncated(sc: &Scenario, r: &RunResult) -> bool {
    sc.input.is_none()
        && r.status == "exit status: 0"
        && r.lines < sc.count
        && r.seconds > 0.0
        && r.stderr_tail.trim().is_empty()
}

fn push_rows(report: &mut Report, sc: &Scenario, tools: &[Tool], results: &[Vec<RunResult>]) {
    let (unit, scale) = if sc.bytes_unit {
        ("MB/s", sc.size as f64 / 1e6)
    } else {
        ("msg/s", 1.0)
    };
    push_peak_rss_rows(report, sc, tools, results);
    let mut medians = Vec::new();
    for (tool, runs) in tools.iter().zip(results) {
        let rates: Vec<f64> = runs
            .iter()
            .map(|r| {
                if check(sc, r).is_ok() && r.seconds > 0.0 {
                    sc.count as f64 / r.seconds * scale
                } else {
                    f64::NAN
                }
            })
            .collect();
        let failed = rates.iter().filter(|r| r.is_nan()).count();
        let good: Vec<f64> = rates.iter().copied().filter(|r| !r.is_nan()).collect();
        let value = if good.is_empty() {
            f64::NAN
        } else {
            median(&good)
        };
        // Why runs failed, shortly: lost output, or the tool's own error line.
        let reasons: Vec<String> = runs
            .iter()
            .filter(|r| check(sc, r).is_err())
            .map(|r| {
                if truncated(sc, r) {
                    format!(
                        "exit 0 after the server's close with {} of {} lines written",
                        r.lines, sc.count
                    )
                } else {
                    let line = r
                        .stderr_tail
                        .lines()
                        .find(|l| l.contains("Error") || l.contains("error"))
                        .unwrap_or(&r.status);
                    format!("{}: {}", r.status, line.trim())
                }
            })
            .collect();
        let cut_note = if reasons.is_empty() {
            String::new()
        } else {
            format!("FAILED runs: {}", reasons.join("; "))
        };
        let cpu = median(&runs.iter().map(|r| r.cpu).collect::<Vec<_>>());
        let server_cpu = median(&runs.iter().map(|r| r.server_cpu).collect::<Vec<_>>());
        let secs = median(&runs.iter().map(|r| r.seconds).collect::<Vec<_>>());
        let other = runs.iter().map(|r| r.other_cpu).fold(0.0, f64::max);
        let cost = Cost {
            client: cpu,
            server: server_cpu,
            other,
            wall: secs,
        };
        medians.push((tool.name, value, cost, rates, failed, cut_note));
    }
    let websocat = medians
        .iter()
        .find(|m| m.0 == "websocat")
        .map(|m| m.1)
        .filter(|v| v.is_finite());
    let others: Vec<String> = medians
        .iter()
        .filter(|m| m.0 != "wsdeck")
        .map(|m| format!("{} {}", m.0, fmt_value(m.1)))
        .collect();
    for (name, value, cost, rates, failed, cut_note) in medians {
        let mut row = Row::new(
            &format!("cli.{}.{name}", sc.key),
            &format!("{name}: {}", sc.label),
            value,
            unit,
        )
        .cost(&cost);
        row.runs = rates;
        if name == "wsdeck" {
            let times = target_times(sc.key);
            let (target, met) = match websocat {
                Some(w) => (
                    format!("≥ {times}× websocat ({:.1}×)", value / w),
                    Some(value >= times * w),
                ),
                None => (format!("≥ {times}× websocat (not measured)"), None),
            };
            row = row.target(target, met).baseline(others.join(", "));
        } else if let Some(w) = websocat.filter(|_| name != "websocat" && value.is_finite()) {
            row = row.baseline(format!("{:.2}× websocat", value / w));
        }
        let n = row.runs.len();
        row = if !cut_note.is_empty() {
            row.note(format!("{failed} of {n} runs failed. {cut_note}"))
        } else {
            row.note(format!("median of {n} runs"))
        };
        report.push(row);
    }
}

/// How many times websocat's rate wsdeck should reach (issue 11's targets: 3× for 32-byte
/// messages both ways, 2× for 16 KiB).
fn target_times(key: &str) -> f64 {
    if key.ends_with(".small") { 3.0 } else { 2.0 }
}

/// One row per tool: the median peak RSS of its runs, wsdeck's against "within 2× of
/// websocat's".
fn push_peak_rss_rows(
    report: &mut Report,
    sc: &Scenario,
    tools: &[Tool],
    results: &[Vec<RunResult>],
) {
    let mib = |runs: &[RunResult]| {
        median(
            &runs
                .iter()
                .map(|r| r.peak_rss as f64 / (1 << 20) as f64)
                .collect::<Vec<_>>(),
        )
    };
    let websocat = tools
        .iter()
        .zip(results)
        .find(|(t, _)| t.name == "websocat")
        .map(|(_, runs)| mib(runs));
    for (tool, runs) in tools.iter().zip(results) {
        let value = mib(runs);
        let mut row = Row::new(
            &format!("cli.{}.peak_rss.{}", sc.key, tool.name),
            &format!("{}: {} — peak RSS", tool.name, sc.label),
            value,
            "MiB",
        )
        .note(format!("median of {} runs (VmHWM)", runs.len()));
        if tool.name == "wsdeck" {
            row = match websocat {
                Some(w) => row.target(
                    format!("≤ 2× websocat ({:.1}×)", value / w),
                    Some(value <= 2.0 * w),
                ),
                None => row.target("≤ 2× websocat (not measured)", None),
            };
        }
        report.push(row);
    }
}

/// A file of `count` lines of `size` `x`s, made once and reused.
fn lines_file(dir: &Path, count: u64, size: usize) -> Result<PathBuf> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let path = dir.join(format!("lines-{size}x{count}.txt"));
    let want = count * (size as u64 + 1);
    if std::fs::metadata(&path).map(|m| m.len()).ok() == Some(want) {
        return Ok(path);
    }
    let mut line = vec![b'x'; size];
    line.push(b'\n');
    let mut out = BufWriter::with_capacity(1 << 20, File::create(&path)?);
    for _ in 0..count {
        out.write_all(&line)?;
    }
    out.flush()?;
    Ok(path)
}

/// Runs one tool once: spawn, feed stdin (kept open), count stdout, time until exit.
fn run_once(
    argv: &[String],
    input: Option<&Path>,
    feed_delay: Duration,
    timeout: Duration,
    server: &ServerChild,
) -> Result<RunResult> {
    let input = match input {
        Some(p) => Some(File::open(p).with_context(|| format!("opening {}", p.display()))?),
        None => None,
    };
    let cpu0 = children_cpu_seconds();
    let server0 = server.cpu_seconds();
    let (busy0, self0) = (machine_busy_seconds(), self_cpu_seconds());
    let start = Instant::now();
    let mut child = Command::new(&argv[0])
        .args(&argv[1..])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("starting {}", argv[0]))?;
    let pid = Pid::from_raw(child.id() as i32);
    let peak_watch = watch_peak_rss(child.id());
    let (Some(mut stdin), Some(mut stdout), Some(mut stderr)) =
        (child.stdin.take(), child.stdout.take(), child.stderr.take())
    else {
        bail!("missing pipes");
    };
    let (exited_tx, exited_rx) = mpsc::channel::<()>();
    let (fed_tx, fed_rx) = mpsc::channel::<Instant>();
    let feeder = std::thread::spawn(move || {
        if let Some(mut file) = input {
            // Returns early if the tool exits meanwhile.
            if exited_rx.recv_timeout(feed_delay).is_ok() {
                return;
            }
            let _ = fed_tx.send(Instant::now());
            // std::io::copy splices a file into a pipe without copying through user space.
            let _ = std::io::copy(&mut file, &mut stdin);
        }
        // Keep stdin open until the tool has exited, so no tool sees EOF.
        let _ = exited_rx.recv();
        drop(stdin);
    });
    let reader = std::thread::spawn(move || {
        let mut buf = vec![0u8; 1 << 20];
        let (mut bytes, mut lines) = (0u64, 0u64);
        let mut tail: Vec<u8> = Vec::new();
        // Bounded: ends at EOF, which comes when the tool exits (or is killed).
        loop {
            let n = match stdout.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            bytes += n as u64;
            lines += memchr::memchr_iter(b'\n', &buf[..n]).count() as u64;
            tail.extend_from_slice(&buf[n.saturating_sub(256)..n]);
            if tail.len() > 512 {
                tail.drain(..tail.len() - 256);
            }
        }
        (bytes, lines, tail)
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = stderr.read_to_end(&mut s);
        let s = String::from_utf8_lossy(&s).into_owned();
        let start = s.len().saturating_sub(1000);
        s.get(start..).unwrap_or("").to_owned()
    });
    let (done_tx, done_rx) = mpsc::channel();
    let waiter = std::thread::spawn(move || {
        let status = child.wait();
        let _ = done_tx.send(Instant::now());
        status
    });
    let end = match done_rx.recv_timeout(timeout) {
        Ok(t) => t,
        Err(_) => {
            let _ = kill(pid, Signal::SIGKILL);
            let _ = done_rx.recv_timeout(Duration::from_secs(10));
            let _ = exited_tx.send(());
            bail!("{} did not finish within {} s", argv[0], timeout.as_secs());
        }
    };
    // Send measurements count from the start of feeding, receive ones from the spawn.
    let start = fed_rx.try_recv().unwrap_or(start);
    let seconds = end.saturating_duration_since(start).as_secs_f64();
    let _ = exited_tx.send(());
    let status = waiter
        .join()
        .map_err(|_| anyhow::anyhow!("waiter panicked"))??;
    let _ = feeder.join();
    let (bytes, lines, tail) = reader
        .join()
        .map_err(|_| anyhow::anyhow!("reader panicked"))?;
    let stderr_tail = err_reader.join().unwrap_or_default();
    let peak_rss = peak_watch.join().unwrap_or(0);
    let cpu = children_cpu_seconds() - cpu0;
    let server_cpu = server.cpu_seconds() - server0;
    let harness = self_cpu_seconds() - self0;
    Ok(RunResult {
        seconds,
        cpu,
        server_cpu,
        other_cpu: machine_busy_seconds() - busy0 - cpu - server_cpu - harness,
        lines,
        bytes,
        tail,
        stderr_tail,
        status: status.to_string(),
        peak_rss,
    })
}

/// Polls the peak resident set of `pid` until the process is gone; returns the last peak
/// seen (VmHWM only grows, so the last reading before exit is the run's peak but for the
/// last few milliseconds).
fn watch_peak_rss(pid: u32) -> std::thread::JoinHandle<u64> {
    std::thread::spawn(move || {
        let mut peak = 0;
        // Bounded by the process's life: /proc/PID disappears once it is reaped.
        loop {
            let now = crate::proc::peak_rss_bytes(pid);
            if now == 0 {
                return peak;
            }
            peak = peak.max(now);
            std::thread::sleep(Duration::from_millis(5));
        }
    })
}
