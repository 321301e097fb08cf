//! Black-box tests of `wsdeck connect`: the real binary, its stdout, stderr and exit code,
//! against a `wsdeck-echo` server on 127.0.0.1.
//!
//! Every run of the binary has a wall-clock guard: a run that does not end within
//! [`GUARD`] is killed and fails the test (with what it printed so far). Every run's output is
//! checked for panics. Exit codes are the ones `wsdeck connect --help` documents
//! (crates/wsdeck/src/exit.rs).

mod common;
#[path = "common/run.rs"]
mod run;

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use common::Echo;
use serde_json::Value;
use wsdeck_echo::{EchoConfig, EchoServer};

const BIN: &str = env!("CARGO_BIN_EXE_wsdeck");

/// Longest any single run of the binary (or wait for a screen) may take.
const GUARD: Duration = Duration::from_secs(20);

// Exit codes, as documented.
const OK: i32 = 0;
const USAGE: i32 = 2;
const CONNECT: i32 = 3;
const HANDSHAKE: i32 = 4;
const TLS: i32 = 5;
const PROTOCOL: i32 = 6;
const TIMEOUT: i32 = 7;
const CONNECTION_LOST: i32 = 8;
const OUTPUT: i32 = 9;

// ---------------------------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------------------------

/// What one run of the binary did.
#[derive(Debug)]
struct Run {
    args: Vec<String>,
    /// `None` when the process was ended by a signal.
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    fn lines(&self) -> Vec<&str> {
        self.stdout.lines().collect()
    }

    /// Asserts the exit code, showing everything on failure.
    #[track_caller]
    fn expect_code(&self, code: i32) -> &Self {
        assert_eq!(self.code, Some(code), "unexpected exit code\n{self}");
        self
    }

    /// Asserts that stderr contains `phrase`.
    #[track_caller]
    fn expect_stderr(&self, phrase: &str) -> &Self {
        assert!(
            self.stderr.contains(phrase),
            "stderr should contain {phrase:?}\n{self}"
        );
        self
    }

    /// The stdout lines parsed as JSON; fails on any line that is not.
    #[track_caller]
    fn json_lines(&self) -> Vec<Value> {
        self.lines()
            .into_iter()
            .map(|l| {
                serde_json::from_str(l)
                    .unwrap_or_else(|e| panic!("stdout line {l:?} is not JSON: {e}\n{self}"))
            })
            .collect()
    }
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "wsdeck {:?}\nexit code: {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.args,
            self.code,
            abridged(&self.stdout),
            abridged(&self.stderr)
        )
    }
}

/// Long output (a runaway loop) cut to its start and end, so failures stay readable.
fn abridged(text: &str) -> String {
    const KEEP: usize = 20;
    let lines: Vec<&str> = text.lines().collect();
    if lines.len() <= 3 * KEEP {
        return text.to_owned();
    }
    format!(
        "{}\n[... {} lines ...]\n{}",
        lines[..KEEP].join("\n"),
        lines.len() - 2 * KEEP,
        lines[lines.len() - KEEP..].join("\n")
    )
}

/// `wsdeck connect URL` with stdout piped for the test to read when it likes, and its stderr
/// collected meanwhile.
fn connect_reading_later(url: &str) -> (Child, std::thread::JoinHandle<String>) {
    let mut child = Command::new(BIN)
        .args(["connect", url])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn wsdeck");
    let stderr = read_all(child.stderr.take().expect("stderr"));
    (child, stderr)
}

fn read_all(mut r: impl Read + Send + 'static) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = r.read_to_end(&mut buf);
        String::from_utf8_lossy(&buf).into_owned()
    })
}

/// Runs `wsdeck ARGS` with `stdin` on its standard input (then closed), to the end or until
/// [`GUARD`] passes (then it is killed and the test fails).
fn wsdeck(args: &[&str], stdin: &[u8]) -> Run {
    let mut command = Command::new(BIN);
    command.args(args);
    let (child, writer) = run::spawn_fed(command, stdin);
    let finished = run::finish(child, GUARD);
    let _ = writer.join();
    let run = Run {
        args: args.iter().map(|s| (*s).to_owned()).collect(),
        code: finished.code,
        stdout: String::from_utf8_lossy(&finished.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&finished.stderr).into_owned(),
    };
    assert!(
        finished.in_time,
        "wsdeck did not exit within {GUARD:?} and was killed\n{run}"
    );
    assert!(
        !run.stdout.contains("panicked") && !run.stderr.contains("panicked"),
        "wsdeck panicked\n{run}"
    );
    run
}

/// A unique scratch directory under Cargo's per-target temporary directory.
fn scratch_dir(name: &str) -> std::path::PathBuf {
    static N: AtomicU32 = AtomicU32::new(0);
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "cli-{name}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("mkdir {}: {e}", dir.display()));
    dir
}

/// `wsdeck echo-server --tls --port 0 --ca-out FILE` as a child process, killed on drop.
struct TlsEchoServer {
    child: Child,
    /// `wss://localhost:PORT/`
    base: String,
    ca: std::path::PathBuf,
}

impl TlsEchoServer {
    fn start() -> TlsEchoServer {
        let ca = scratch_dir("tls").join("ca.pem");
        let ca_arg = ca.to_str().expect("UTF-8 temp path");
        let mut child = Command::new(BIN)
            .args(["echo-server", "--tls", "--port", "0", "--ca-out", ca_arg])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {BIN} echo-server: {e}"));
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut first = String::new();
            let _ = reader.read_line(&mut first);
            let _ = tx.send(first);
            let _ = std::io::copy(&mut reader, &mut std::io::sink());
        });
        let line = rx.recv_timeout(GUARD).unwrap_or_default();
        let base = line
            .trim()
            .strip_prefix("wsdeck echo server listening on ")
            .map(str::to_owned);
        let Some(base) = base else {
            let _ = child.kill();
            let _ = child.wait();
            panic!("`wsdeck echo-server --tls` did not announce its URL: first line {line:?}");
        };
        assert!(base.starts_with("wss://localhost:"), "{base}");
        assert!(ca.is_file(), "--ca-out {} was not written", ca.display());
        TlsEchoServer { child, base, ca }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path.trim_start_matches('/'))
    }
}

impl Drop for TlsEchoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The `--jsonl` events of `run` with this `type`.
fn of_type<'a>(events: &'a [Value], ty: &str) -> Vec<&'a Value> {
    events.iter().filter(|e| e["type"] == ty).collect()
}

fn open_event(run: &Run) -> Value {
    let events = run.json_lines();
    let opens = of_type(&events, "open");
    assert_eq!(opens.len(), 1, "one open event\n{run}");
    opens[0].clone()
}

// ---------------------------------------------------------------------------------------------
// Pipe mode
// ---------------------------------------------------------------------------------------------

#[test]
fn pipe_mode_echoes_each_line_exactly() {
    let echo = Echo::start();
    let run = wsdeck(&["connect", &echo.url("/echo"), "--exit-on-eof"], b"a\nb\n");
    run.expect_code(OK);
    assert_eq!(run.stdout, "a\nb\n", "{run}");
    assert_eq!(
        run.stderr, "",
        "a clean run prints nothing on stderr\n{run}"
    );
}

#[test]
fn pipe_mode_jsonl_prints_every_event_as_json() {
    let echo = Echo::start();
    let run = wsdeck(
        &["connect", &echo.url("/echo"), "--exit-on-eof", "--jsonl"],
        b"a\nb\n",
    );
    run.expect_code(OK);
    let events = run.json_lines();
    for ty in ["connecting", "open", "message", "closing", "closed"] {
        assert!(!of_type(&events, ty).is_empty(), "no {ty} event\n{run}");
    }
    let data = |direction: &str| -> Vec<&str> {
        of_type(&events, "message")
            .into_iter()
            .filter(|m| m["direction"] == direction)
            .map(|m| m["data"].as_str().unwrap_or("?"))
            .collect()
    };
    assert_eq!(data("out"), ["a", "b"], "{run}");
    assert_eq!(data("in"), ["a", "b"], "{run}");
    let last = events.last().expect("events");
    assert_eq!(last["type"], "closed", "{run}");
    assert_eq!(last["code"], 1000, "{run}");
    assert_eq!(last["clean"], true, "{run}");
    assert_eq!(last["initiator"], "local", "{run}");
    assert!(
        events
            .iter()
            .all(|e| e["v"] == 1 && e["monoMs"].is_number()),
        "every line has the shape's version and monoMs\n{run}"
    );
    let seqs: Vec<u64> = events.iter().filter_map(|e| e["seq"].as_u64()).collect();
    assert_eq!(
        seqs,
        (0..events.len() as u64).collect::<Vec<_>>(),
        "every event once, in order\n{run}"
    );
}

#[test]
fn once_exits_after_one_message() {
    let echo = Echo::start();
    let run = wsdeck(&["connect", &echo.url("/burst?count=5"), "--once"], b"");
    run.expect_code(OK);
    assert_eq!(run.lines(), ["x".repeat(32)], "{run}");
}

/// `-x TEXT` (wscat's one-shot send): sent in order once connected, variables resolved,
/// before the stdin lines; with -E the connection closes once all is sent.
#[test]
fn send_flag_goes_first_then_stdin() {
    let echo = Echo::start();
    let run = wsdeck(
        &[
            "connect",
            &echo.url("/echo"),
            "-x",
            "hello",
            "--send",
            "{{greeting}} there",
            "--var",
            "greeting=hi",
            "-E",
            "--wait",
            "500",
        ],
        b"from stdin\n",
    );
    run.expect_code(OK);
    assert_eq!(run.lines(), ["hello", "hi there", "from stdin"], "{run}");

    // A --send message that cannot be sent is named, and the exit code says so.
    let run = wsdeck(
        &["connect", &echo.url("/echo"), "-x", "{{nope}}", "-E"],
        b"",
    );
    run.expect_code(USAGE);
    assert!(run.stderr.contains("--send message 1 not sent"), "{run}");
}

#[test]
fn max_messages_exits_after_n_messages() {
    let echo = Echo::start();
    let run = wsdeck(
        &[
            "connect",
            &echo.url("/burst?count=5"),
            "--max-messages",
            "3",
        ],
        b"",
    );
    run.expect_code(OK);
    assert_eq!(run.lines().len(), 3, "{run}");
}

#[test]
fn binary_flag_round_trips_a_line() {
    let echo = Echo::start();
    let run = wsdeck(
        &["connect", &echo.url("/echo"), "--binary", "--exit-on-eof"],
        b"hello bin\n",
    );
    run.expect_code(OK);
    assert_eq!(run.stdout, "hello bin\n", "{run}");

    // The frames really are binary both ways.
    let run = wsdeck(
        &[
            "connect",
            &echo.url("/echo"),
            "--binary",
            "--exit-on-eof",
            "--jsonl",
        ],
        b"hello bin\n",
    );
    run.expect_code(OK);
    let events = run.json_lines();
    let messages = of_type(&events, "message");
    assert_eq!(messages.len(), 2, "{run}");
    for m in messages {
        assert_eq!(m["format"], "binary", "{run}");
        // Binary stdin is sent byte for byte: the newline is part of the message.
        assert_eq!(
            m["data"], "aGVsbG8gYmluCg==",
            "base64 of 'hello bin\\n'\n{run}"
        );
    }
}

#[test]
fn header_flag_reaches_the_server() {
    let echo = Echo::start();
    let run = wsdeck(
        &[
            "connect",
            &echo.url("/headers"),
            "-H",
            "X-Test: 1",
            "--once",
        ],
        b"",
    );
    run.expect_code(OK);
    let lines = run.json_lines();
    assert_eq!(lines.len(), 1, "{run}");
    assert_eq!(lines[0]["x-test"], "1", "{run}");
}

#[test]
fn subprotocol_flags_negotiate_the_supported_one() {
    let echo = Echo::start();
    let run = wsdeck(
        &[
            "connect",
            &echo.url("/echo"),
            "-s",
            "chat",
            "-s",
            "nope",
            "--jsonl",
            "--exit-on-eof",
        ],
        b"",
    );
    run.expect_code(OK);
    let open = open_event(&run);
    assert_eq!(open["protocol"], "chat", "{run}");
}

#[test]
fn param_flag_is_in_the_request_line() {
    let echo = Echo::start();
    let run = wsdeck(
        &[
            "connect",
            &echo.url("/echo"),
            "--param",
            "a=1",
            "--jsonl",
            "--exit-on-eof",
        ],
        b"",
    );
    run.expect_code(OK);
    let open = open_event(&run);
    assert_eq!(
        open["handshake"]["request"]["startLine"], "GET /echo?a=1 HTTP/1.1",
        "{run}"
    );
}

// ---------------------------------------------------------------------------------------------
// Bad input and failures: a clear message and the documented exit code
// ---------------------------------------------------------------------------------------------

#[test]
fn malformed_url_is_a_usage_error_suggesting_ws() {
    wsdeck(&["connect", "127.0.0.1:1/x"], b"")
        .expect_code(USAGE)
        .expect_stderr("ws://");
}

#[test]
fn http_scheme_is_a_usage_error() {
    let echo = Echo::start();
    let url = echo.url("/echo").replacen("ws://", "http://", 1);
    wsdeck(&["connect", &url], b"")
        .expect_code(USAGE)
        .expect_stderr("unsupported scheme")
        .expect_stderr("ws://");
}

#[test]
fn unresolvable_host_is_a_connect_error() {
    // `.invalid` never resolves (RFC 6761).
    wsdeck(&["connect", "ws://nonexistent.invalid/"], b"")
        .expect_code(CONNECT)
        .expect_stderr("could not resolve host");
}

#[test]
fn refused_port_is_a_connect_error() {
    // A port that was just free: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port");
    wsdeck(&["connect", &format!("ws://127.0.0.1:{port}/")], b"")
        .expect_code(CONNECT)
        .expect_stderr("nothing is listening");
}

#[test]
fn self_signed_certificate_is_refused_without_ca_or_insecure() {
    let server = TlsEchoServer::start();
    let run = wsdeck(&["connect", &server.url("/echo")], b"");
    run.expect_code(TLS);
    assert!(
        run.stderr.contains("--ca") || run.stderr.contains("--insecure"),
        "the message says how to trust the certificate\n{run}"
    );
}

#[test]
fn self_signed_certificate_is_trusted_with_ca() {
    let server = TlsEchoServer::start();
    let ca = server.ca.to_str().expect("UTF-8 path");
    let run = wsdeck(
        &["connect", &server.url("/echo"), "--ca", ca, "--exit-on-eof"],
        b"over tls\n",
    );
    run.expect_code(OK);
    assert_eq!(run.stdout, "over tls\n", "{run}");
}

#[test]
fn self_signed_certificate_is_accepted_with_insecure() {
    let server = TlsEchoServer::start();
    let run = wsdeck(
        &[
            "connect",
            &server.url("/echo"),
            "--insecure",
            "--exit-on-eof",
        ],
        b"insecure\n",
    );
    run.expect_code(OK);
    assert_eq!(run.stdout, "insecure\n", "{run}");
}

#[test]
fn unauthorized_is_a_handshake_error() {
    let echo = Echo::start();
    wsdeck(&["connect", &echo.url("/auth")], b"")
        .expect_code(HANDSHAKE)
        .expect_stderr("401");
}

#[test]
fn not_found_is_a_handshake_error() {
    let echo = Echo::start();
    wsdeck(&["connect", &echo.url("/status?code=404")], b"")
        .expect_code(HANDSHAKE)
        .expect_stderr("404");
}

#[test]
fn server_error_is_a_handshake_error() {
    let echo = Echo::start();
    wsdeck(&["connect", &echo.url("/status?code=500")], b"")
        .expect_code(HANDSHAKE)
        .expect_stderr("500");
}

#[test]
fn redirect_loop_is_a_handshake_error() {
    let echo = Echo::start();
    wsdeck(&["connect", &echo.url("/redirect-loop")], b"")
        .expect_code(HANDSHAKE)
        .expect_stderr("loop");
}

#[test]
fn too_many_redirects_is_a_handshake_error() {
    let echo = Echo::start();
    wsdeck(&["connect", &echo.url("/redirect-chain?n=20")], b"")
        .expect_code(HANDSHAKE)
        .expect_stderr("too many redirects");
}

#[test]
fn oversize_message_is_a_protocol_error() {
    let echo = Echo::start();
    let run = wsdeck(
        &[
            "connect",
            &echo.url("/big?size=2000000"),
            "--max-message-size",
            "1M",
        ],
        b"",
    );
    run.expect_code(PROTOCOL)
        .expect_stderr("maximum message size");
    assert_eq!(
        run.stdout, "",
        "the oversized message is not printed\n{run}"
    );
}

/// Regression: with reconnection on, a connection that opens and then fails on every attempt
/// must still end. `--reconnect-attempts 2` allows at most 1 + 2 connections; a protocol
/// error (not transient) should not even be retried.
#[test]
fn reconnect_attempts_bound_a_connection_that_keeps_failing() {
    let echo = Echo::start();
    let run = wsdeck(
        &[
            "connect",
            &echo.url("/big?size=2000000"),
            "--max-message-size",
            "1M",
            "--reconnect-attempts",
            "2",
            "--reconnect-interval",
            "50",
        ],
        b"",
    );
    run.expect_code(PROTOCOL)
        .expect_stderr("maximum message size");
    let upgrades = echo.server.as_ref().map_or(0, |s| s.stats().upgrades);
    assert!(
        upgrades <= 3,
        "{upgrades} connections for --reconnect-attempts 2\n{run}"
    );
}

#[test]
fn invalid_utf8_is_a_protocol_error() {
    let echo = Echo::start();
    wsdeck(&["connect", &echo.url("/invalid-utf8")], b"")
        .expect_code(PROTOCOL)
        .expect_stderr("UTF-8");
}

#[test]
fn server_vanishing_mid_message_is_connection_lost() {
    let echo = Echo::start();
    wsdeck(&["connect", &echo.url("/vanish")], b"")
        .expect_code(CONNECTION_LOST)
        .expect_stderr("connection lost");
}

#[test]
fn slow_handshake_times_out() {
    let echo = Echo::start();
    wsdeck(
        &[
            "connect",
            &echo.url("/slow-handshake?ms=5000"),
            "--handshake-timeout",
            "300",
        ],
        b"",
    )
    .expect_code(TIMEOUT)
    .expect_stderr("timed out");
}

#[test]
fn header_without_colon_is_a_usage_error() {
    let echo = Echo::start();
    wsdeck(&["connect", &echo.url("/echo"), "-H", "nocolon"], b"")
        .expect_code(USAGE)
        .expect_stderr("not a header");
}

#[test]
fn invalid_close_code_is_a_usage_error() {
    let echo = Echo::start();
    wsdeck(&["connect", &echo.url("/echo"), "--close-code", "999"], b"")
        .expect_code(USAGE)
        .expect_stderr("close code 999");
}

// ---------------------------------------------------------------------------------------------
// Help
// ---------------------------------------------------------------------------------------------

#[test]
fn connect_help_lists_exit_codes_and_flags() {
    let run = wsdeck(&["connect", "--help"], b"");
    run.expect_code(OK);
    let help = &run.stdout;
    assert!(help.contains("Exit codes"), "{run}");
    for code in 0..=8 {
        assert!(
            help.lines()
                .any(|l| l.trim_start().starts_with(&format!("{code} "))),
            "exit code {code} is not explained\n{run}"
        );
    }
    let tokens: std::collections::HashSet<&str> = help
        .split(|c: char| c.is_whitespace() || ",=[]<>".contains(c))
        .collect();
    for flag in [
        "-H",
        "--param",
        "-s",
        "--protocol",
        "--handshake-timeout",
        "--follow-redirects",
        "--no-follow-redirects",
        "--max-redirects",
        "--reconnect-attempts",
        "--reconnect-interval",
        "--max-message-size",
        "--ca",
        "--cert",
        "--key",
        "--insecure",
        "--binary",
        "--jsonl",
        "--exit-on-eof",
        "--once",
        "--max-messages",
        "--wait",
    ] {
        assert!(tokens.contains(flag), "{flag} is not in the help\n{run}");
    }
}

// ---------------------------------------------------------------------------------------------
// Interactive mode in a real pseudo-terminal (tmux)
// ---------------------------------------------------------------------------------------------

/// A private tmux server (its own socket), killed on drop.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn new() -> Tmux {
        let available = Command::new("tmux")
            .arg("-V")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        assert!(
            available,
            "tmux is not installed: the interactive test drives wsdeck in a real terminal \
             through tmux. scripts/test installs it; by hand: apt-get install -y tmux"
        );
        static N: AtomicU32 = AtomicU32::new(0);
        Tmux {
            socket: format!(
                "wsdeck-cli-{}-{}",
                std::process::id(),
                N.fetch_add(1, Ordering::Relaxed)
            ),
        }
    }

    fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("tmux {args:?}: {e}"));
        assert!(
            out.status.success(),
            "tmux {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-J", "-t", "main", "-S", "-200"])
    }

    /// Types `text` literally, then Enter.
    fn type_line(&self, text: &str) {
        self.run(&["send-keys", "-t", "main", "-l", text]);
        self.run(&["send-keys", "-t", "main", "Enter"]);
    }

    /// Polls the screen until `done` holds; fails after [`GUARD`].
    fn wait_for(&self, what: &str, done: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + GUARD;
        loop {
            let screen = self.screen();
            assert!(!screen.contains("panicked"), "wsdeck panicked:\n{screen}");
            if done(&screen) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "the screen did not show {what} within {GUARD:?}:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

fn has_line(screen: &str, pred: impl Fn(&str) -> bool) -> bool {
    screen.lines().any(|l| pred(l.trim_end()))
}

/// `--version` names the commit it was built from; the completions and the man page
/// (`scripts/install` writes them) come from the same definition `--help` does.
#[test]
fn version_names_the_commit_and_completions_and_the_man_page_are_generated() {
    let head = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("git (the tests run in a checkout)");
    let head = String::from_utf8_lossy(&head.stdout).trim().to_owned();
    let version = wsdeck(&["--version"], b"");
    version.expect_code(OK);
    assert!(
        version
            .stdout
            .starts_with(&format!("wsdeck {} ({head}", env!("CARGO_PKG_VERSION"))),
        "{version}"
    );

    let bash = wsdeck(&["generate", "completions", "bash"], b"");
    bash.expect_code(OK);
    for word in ["_wsdeck()", "complete -F _wsdeck", "echo-server", "--jsonl"] {
        assert!(
            bash.stdout.contains(word),
            "no {word} in the bash completions"
        );
    }
    let zsh = wsdeck(&["generate", "completions", "zsh"], b"");
    zsh.expect_code(OK);
    assert!(zsh.stdout.starts_with("#compdef wsdeck"), "{zsh}");
    let man = wsdeck(&["generate", "man"], b"");
    man.expect_code(OK);
    assert!(
        man.stdout.contains(".TH wsdeck 1") && man.stdout.contains("history"),
        "{man}"
    );

    let bad = wsdeck(&["generate", "completions", "tcsh"], b"");
    bad.expect_code(USAGE);
    assert!(
        bad.stderr.contains("bash") && bad.stderr.contains("zsh"),
        "{bad}"
    );
}

#[test]
fn interactive_session_in_a_terminal() {
    let echo = Echo::start();
    let tmux = Tmux::new();
    // Recorded too: interactive mode ends the process from its printer, which must first
    // finish the recording.
    let dir = scratch_dir("interactive");
    let db = dir.join("history.db");
    let command = format!(
        "'{BIN}' connect '{}' --record --history '{}'; echo \"wsdeck exited with $?\"; sleep 600",
        echo.url("/echo"),
        db.display()
    );
    tmux.run(&[
        "new-session",
        "-d",
        "-s",
        "main",
        "-x",
        "200",
        "-y",
        "50",
        &command,
    ]);
    tmux.wait_for("the connection and the prompt", |s| {
        s.contains("connected to ") && has_line(s, |l| l.trim() == ">")
    });

    tmux.type_line("hello");
    tmux.wait_for("hello sent and echoed", |s| {
        has_line(s, |l| l.ends_with("→ hello")) && has_line(s, |l| l.ends_with("← hello"))
    });

    tmux.type_line("/ping hi");
    tmux.wait_for("the pong", |s| has_line(s, |l| l.ends_with("← [pong] hi")));

    tmux.type_line("/close 4000 bye");
    let screen = tmux.wait_for("the process exit", |s| s.contains("wsdeck exited with"));
    assert!(
        has_line(&screen, |l| l.contains("close sent: 4000")),
        "{screen}"
    );
    assert!(
        has_line(&screen, |l| l.contains("disconnected cleanly")
            && l.contains("4000")
            && l.contains("\"bye\"")),
        "{screen}"
    );
    assert!(screen.contains("wsdeck exited with 0"), "{screen}");

    let shown = Command::new(BIN)
        .args(["history", "show", "1", "--history"])
        .arg(&db)
        .output()
        .expect("wsdeck history show");
    let text = String::from_utf8_lossy(&shown.stdout).into_owned();
    let _ = std::fs::remove_dir_all(&dir);
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert!(
        lines[0]["endedAt"].is_string(),
        "the recording ended: {text}"
    );
    let last = lines.last().expect("events");
    assert!(
        last["type"] == "closed" && last["code"] == 4000,
        "the whole session was recorded before the exit: {text}"
    );
}

/// A reader of stdout that is slower than the server must still get every message: the
/// client pauses reading the socket (TCP slows the server) instead of dropping messages.
/// 20,000 × 16 KiB is five times the client's in-memory log, so dropping would show.
#[test]
fn slow_stdout_reader_loses_no_message() {
    let echo = Echo::start();
    let (mut child, stderr) =
        connect_reading_later(&echo.url("/burst?count=20000&size=16384&close=1"));
    let stdout = child.stdout.take().expect("stdout");
    // Let the server run far ahead of us before reading anything.
    std::thread::sleep(Duration::from_millis(1500));
    let started = Instant::now();
    let mut lines = 0usize;
    let mut reader = BufReader::new(stdout);
    let mut line = Vec::new();
    loop {
        line.clear();
        match reader.read_until(b'\n', &mut line) {
            Ok(0) => break,
            Ok(_) => {
                assert_eq!(line.len(), 16385, "message {lines} arrived whole");
                lines += 1;
                if lines.is_multiple_of(2000) {
                    // A slow consumer.
                    std::thread::sleep(Duration::from_millis(20));
                }
            }
            Err(e) => panic!("reading stdout: {e}"),
        }
        assert!(started.elapsed() < GUARD * 2, "took too long");
    }
    let status = child.wait().expect("wait");
    let stderr = stderr.join().unwrap_or_default();
    assert_eq!(lines, 20_000, "stderr: {stderr}");
    assert!(!stderr.contains("dropped"), "{stderr}");
    assert_eq!(status.code(), Some(OK), "{stderr}");
}

/// Output that cannot be written (here: a full disk) is an error with its own exit code, not
/// a clean exit with a silently truncated capture; a reader that stops early (`| head`) is not.
#[test]
fn unwritable_stdout_is_an_error_but_a_reader_that_left_is_not() {
    let echo = Echo::start();
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full");
    let out = Command::new(BIN)
        .args(["connect", &echo.url("/burst?count=10&close=1")])
        .stdin(Stdio::null())
        .stdout(Stdio::from(full))
        .stderr(Stdio::piped())
        .output()
        .expect("run wsdeck");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(OUTPUT), "{stderr}");
    assert!(
        stderr.contains("writing to stdout failed") && stderr.contains("No space left"),
        "{stderr}"
    );

    // `| head -n 1`: read one line, then close the pipe.
    let (mut child, stderr) =
        connect_reading_later(&echo.url("/burst?count=100000&size=1024&close=1"));
    let mut reader = BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = Vec::new();
    reader.read_until(b'\n', &mut line).expect("one line");
    assert_eq!(line.len(), 1025);
    drop(reader);
    let status = child.wait().expect("wait");
    let stderr = stderr.join().unwrap_or_default();
    assert_eq!(status.code(), Some(OK), "{stderr}");
    assert!(!stderr.contains("failed"), "{stderr}");

    // The same when the server then goes quiet (no write would find the pipe closed): the
    // reader leaving is noticed by itself.
    let (mut child, stderr) = connect_reading_later(&echo.url("/burst?count=50"));
    let mut reader = BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = Vec::new();
    reader.read_until(b'\n', &mut line).expect("one line");
    std::thread::sleep(Duration::from_millis(300));
    drop(reader);
    let deadline = Instant::now() + GUARD;
    let status = loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("wsdeck kept running after its reader left");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stderr = stderr.join().unwrap_or_default();
    assert_eq!(status.code(), Some(OK), "{stderr}");
}

/// Pipe mode with reconnection: a line written while the server is down waits for the new
/// connection instead of stopping stdin, and the session goes on after the restart.
#[test]
fn pipe_mode_keeps_sending_after_a_reconnection() {
    let mut echo = Echo::start();
    let addr = echo.server.as_ref().expect("server").local_addr();
    let url = echo.url("/echo");
    let mut child = Command::new(BIN)
        .args([
            "connect",
            &url,
            "--reconnect-attempts",
            "50",
            "--reconnect-interval",
            "100",
            "--exit-on-eof",
            "-v",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn wsdeck");
    let lines_of = |r: Box<dyn Read + Send>| {
        let (tx, rx) = std::sync::mpsc::channel::<String>();
        std::thread::spawn(move || {
            for line in BufReader::new(r).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        rx
    };
    let stdout = lines_of(Box::new(child.stdout.take().expect("stdout")));
    let stderr = lines_of(Box::new(child.stderr.take().expect("stderr")));
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(b"before\n").expect("write");
    stdin.flush().expect("flush");
    assert_eq!(stdout.recv_timeout(GUARD).ok().as_deref(), Some("before"));

    // Stop the server and wait until wsdeck says it is reconnecting.
    if let Some(server) = echo.server.take() {
        echo.rt.block_on(server.shutdown());
    }
    let mut seen = Vec::new();
    while !seen.iter().any(|l: &String| l.contains("reconnecting")) {
        match stderr.recv_timeout(GUARD) {
            Ok(line) => seen.push(line),
            Err(_) => panic!("no reconnection reported; stderr: {seen:#?}"),
        }
    }
    // Written while disconnected: it must wait for the next connection.
    stdin.write_all(b"after\n").expect("write");
    stdin.flush().expect("flush");
    std::thread::sleep(Duration::from_millis(300));
    let config = EchoConfig {
        bind: addr,
        ..EchoConfig::default()
    };
    let started = Instant::now();
    let server = loop {
        match echo.rt.block_on(EchoServer::start(config.clone())) {
            Ok(server) => break server,
            Err(e) if started.elapsed() > GUARD => panic!("restart on {addr}: {e}"),
            Err(_) => std::thread::sleep(Duration::from_millis(50)),
        }
    };
    echo.server = Some(server);
    assert_eq!(
        stdout.recv_timeout(GUARD).ok().as_deref(),
        Some("after"),
        "the line written while the server was down is sent after the reconnection"
    );
    drop(stdin);
    let status = child.wait().expect("wait");
    assert_eq!(status.code(), Some(OK));
}

#[test]
fn too_long_close_reason_is_a_usage_error() {
    let echo = Echo::start();
    let reason = "x".repeat(124);
    let run = wsdeck(
        &["connect", &echo.url("/echo"), "--close-reason", &reason],
        b"",
    );
    run.expect_code(USAGE).expect_stderr("123 bytes");
}

#[test]
fn zero_max_messages_is_a_usage_error() {
    let echo = Echo::start();
    let run = wsdeck(&["connect", &echo.url("/echo"), "-n", "0"], b"");
    run.expect_code(USAGE);
}

// ---------------------------------------------------------------------------------------------
// {{variables}}, send formats and views
// ---------------------------------------------------------------------------------------------

/// A wsdeck environment file with a host, a path and a secret token.
fn env_file(echo: &Echo) -> std::path::PathBuf {
    let host = echo
        .url("/")
        .trim_start_matches("ws://")
        .trim_end_matches('/')
        .to_owned();
    let path = scratch_dir("env").join("dev.json");
    let text = serde_json::json!({
        "wsdeck_environment": 1,
        "name": "dev",
        "variables": [
            {"name": "host", "value": host},
            {"name": "path", "value": "from-env"},
            {"name": "token", "value": "tok-3f9a1c", "secret": true},
        ]
    });
    std::fs::write(&path, text.to_string()).unwrap_or_else(|e| panic!("{e}"));
    path
}

#[test]
fn variables_fill_url_and_headers_and_secrets_stay_out_of_jsonl() {
    let echo = Echo::start();
    let env = env_file(&echo);
    let run = wsdeck(
        &[
            "connect",
            "ws://{{host}}/{{path}}",
            "--env",
            env.to_str().expect("UTF-8 path"),
            "--var",
            "path=headers",
            "-H",
            "Authorization: Bearer {{token}}",
            "--jsonl",
            "--once",
        ],
        b"",
    );
    run.expect_code(OK);
    // --var wins over the environment: the /headers endpoint answered.
    let events = run.json_lines();
    let open = open_event(&run);
    assert!(
        open["url"]
            .as_str()
            .is_some_and(|u| u.ends_with("/headers")),
        "{run}"
    );
    // The server got the real token; everything printed shows it as ****.
    let messages = of_type(&events, "message");
    assert_eq!(messages.len(), 1, "{run}");
    let data = messages[0]["data"].as_str().unwrap_or_default();
    assert!(data.contains("Bearer ****"), "{run}");
    assert!(!run.stdout.contains("tok-3f9a1c"), "secret printed\n{run}");
}

#[test]
fn raw_pipe_output_is_data_and_keeps_received_secrets() {
    let echo = Echo::start();
    let env = env_file(&echo);
    let run = wsdeck(
        &[
            "connect",
            "ws://{{host}}/headers",
            "--env",
            env.to_str().expect("UTF-8 path"),
            "-H",
            "X-Token: {{token}}",
            "--once",
        ],
        b"",
    );
    run.expect_code(OK);
    let headers = run.json_lines();
    assert_eq!(headers[0]["x-token"], "tok-3f9a1c", "{run}");
}

#[test]
fn undefined_variables_are_a_usage_error_naming_each_one() {
    let run = wsdeck(
        &[
            "connect",
            "ws://{{hots}}/echo",
            "--var",
            "host=127.0.0.1:1",
            "-H",
            "X-Key: {{key}}",
        ],
        b"",
    );
    run.expect_code(USAGE)
        .expect_stderr("URL")
        .expect_stderr("`hots`")
        .expect_stderr("did you mean `host`")
        .expect_stderr("header X-Key")
        .expect_stderr("`key`");
}

#[test]
fn a_postman_environment_export_is_used_as_it_is() {
    let echo = Echo::start();
    let host = echo
        .url("/")
        .trim_start_matches("ws://")
        .trim_end_matches('/')
        .to_owned();
    let path = scratch_dir("postman").join("dev.postman_environment.json");
    let export = serde_json::json!({
        "id": "5c1a0d5e-7c0b-4a3e-9d2a-1b2c3d4e5f60",
        "name": "Dev",
        "values": [
            {"key": "host", "value": host, "type": "default", "enabled": true},
            {"key": "greeting", "value": "hello", "type": "default", "enabled": true},
        ],
        "_postman_variable_scope": "environment",
        "_postman_exported_using": "Postman/11.0.0"
    });
    std::fs::write(&path, export.to_string()).unwrap_or_else(|e| panic!("{e}"));
    let run = wsdeck(
        &[
            "connect",
            "ws://{{host}}/echo",
            "--env",
            path.to_str().expect("UTF-8 path"),
            "--exit-on-eof",
        ],
        b"{{greeting}} {{$randomUUID}}\n",
    );
    run.expect_code(OK);
    let lines = run.lines();
    assert_eq!(lines.len(), 1, "{run}");
    let (greeting, uuid) = lines[0].split_once(' ').expect("two words");
    assert_eq!(greeting, "hello", "{run}");
    assert_eq!(uuid.len(), 36, "a UUID: {uuid}");
    assert_eq!(uuid.matches('-').count(), 4, "a UUID: {uuid}");
}

#[test]
fn corrupt_env_file_is_a_usage_error_with_its_position() {
    let path = scratch_dir("corrupt").join("env.json");
    std::fs::write(&path, "{\"wsdeck_environment\": 1,\n \"name\": }")
        .unwrap_or_else(|e| panic!("{e}"));
    let run = wsdeck(
        &[
            "connect",
            "ws://127.0.0.1:1/",
            "--env",
            path.to_str().expect("UTF-8"),
        ],
        b"",
    );
    run.expect_code(USAGE)
        .expect_stderr("env.json")
        .expect_stderr("line 2");
}

#[test]
fn send_format_json_refuses_invalid_lines_and_says_where() {
    let echo = Echo::start();
    let run = wsdeck(
        &[
            "connect",
            &echo.url("/echo"),
            "--send-format",
            "json",
            "--exit-on-eof",
            "--wait",
            "200",
        ],
        b"{\"ok\": true}\n{\"bad\": }\n[1, 2]\n",
    );
    // Valid lines went out and came back; the bad one is reported and counted in the exit code.
    assert_eq!(run.lines(), vec!["{\"ok\": true}", "[1, 2]"], "{run}");
    run.expect_code(USAGE)
        .expect_stderr("stdin line 2 not sent")
        .expect_stderr("invalid JSON at line 1, column 9");
}

#[test]
fn send_format_hex_sends_binary_and_hexdump_shows_it() {
    let echo = Echo::start();
    let run = wsdeck(
        &[
            "connect",
            &echo.url("/echo"),
            "--send-format",
            "hex",
            "--hexdump",
            "--exit-on-eof",
            "--wait",
            "200",
        ],
        b"0x48 65:6c 6c 6f 00 ff\n",
    );
    run.expect_code(OK);
    assert_eq!(
        run.lines(),
        vec![
            "[binary 7 bytes]",
            "00000000  48 65 6c 6c 6f 00 ff                              |Hello..|"
        ],
        "{run}"
    );
}

#[test]
fn pretty_beautifies_received_json_and_keeps_big_numbers() {
    let echo = Echo::start();
    let run = wsdeck(
        &[
            "connect",
            &echo.url("/echo"),
            "--pretty",
            "--exit-on-eof",
            "--wait",
            "200",
        ],
        b"{\"id\":123456789012345678901234567890,\"a\":[1]}\n",
    );
    run.expect_code(OK);
    assert_eq!(
        run.stdout, "{\n  \"id\": 123456789012345678901234567890,\n  \"a\": [\n    1\n  ]\n}\n",
        "{run}"
    );
}

#[test]
fn no_vars_sends_braces_as_typed() {
    let echo = Echo::start();
    let run = wsdeck(
        &["connect", &echo.url("/echo"), "--no-vars", "--exit-on-eof"],
        b"{{not a variable}}\n",
    );
    run.expect_code(OK);
    assert_eq!(run.lines(), vec!["{{not a variable}}"], "{run}");
}

/// An environment file with one secret variable `name` = `value`.
fn secret_env(name: &str, value: &str) -> std::path::PathBuf {
    let path = scratch_dir("secret").join("env.json");
    let text = serde_json::json!({
        "wsdeck_environment": 1,
        "name": "secrets",
        "variables": [{"name": name, "value": value, "secret": true}]
    });
    std::fs::write(&path, text.to_string()).unwrap_or_else(|e| panic!("{e}"));
    path
}

#[test]
fn percent_encoded_and_json_escaped_secrets_are_hidden_in_jsonl() {
    let echo = Echo::start();
    let secret = "p@ss w/rd&x=1\"q";
    let env = secret_env("tok", secret);
    let run = wsdeck(
        &[
            "connect",
            &format!("{}?t={{{{tok}}}}", echo.url("/headers")),
            "--param",
            "p={{tok}}",
            "-H",
            "X-Tok: {{tok}}",
            "--env",
            env.to_str().expect("UTF-8 path"),
            "--jsonl",
            "--once",
        ],
        b"",
    );
    run.expect_code(OK);
    for shape in ["p@ss", "p%40ss", "w/rd&x", "w%2Frd"] {
        assert!(!run.stdout.contains(shape), "{shape:?} printed\n{run}");
    }
    assert!(run.stdout.contains("****"), "{run}");
}

#[test]
fn url_credentials_never_show_even_as_basic_auth() {
    let echo = Echo::start();
    let url = echo
        .url("/headers")
        .replace("ws://", "ws://bob:hunter2hunter2@");
    let run = wsdeck(&["connect", &url, "--jsonl", "--once"], b"");
    run.expect_code(OK);
    // base64("bob:hunter2hunter2")
    assert!(!run.stdout.contains("Ym9iOmh1bnRlcjJodW50ZXIy"), "{run}");
    assert!(!run.stdout.contains("hunter2hunter2"), "{run}");
    assert!(run.stdout.contains("Basic ****"), "{run}");
}

#[test]
fn a_hex_secret_sent_as_binary_is_masked_in_every_view() {
    let echo = Echo::start();
    let env = secret_env("key", "deadbeefcafebabe");
    let env = env.to_str().expect("UTF-8 path");
    let url = echo.url("/echo");
    let input = b"00 {{key}} 01\n";
    let jsonl = wsdeck(
        &[
            "connect",
            &url,
            "--env",
            env,
            "--send-format",
            "hex",
            "--jsonl",
            "-E",
            "--wait",
            "200",
        ],
        input,
    );
    jsonl.expect_code(OK);
    let messages: Vec<Value> = jsonl
        .json_lines()
        .into_iter()
        .filter(|e| e["type"] == "message")
        .collect();
    assert_eq!(messages.len(), 2, "{jsonl}");
    for m in &messages {
        // base64 of 00 '********' 01: the 8 secret bytes are masked.
        assert_eq!(m["data"], "ACoqKioqKioqAQ==", "{jsonl}");
    }
    let dump = wsdeck(
        &[
            "connect",
            &url,
            "--env",
            env,
            "--send-format",
            "hex",
            "--hexdump",
            "-E",
            "--wait",
            "200",
        ],
        input,
    );
    dump.expect_code(OK);
    assert!(dump.stdout.contains("|.********.|"), "{dump}");
}

#[test]
fn secrets_in_usage_errors_are_hidden() {
    let env = secret_env("token", "SuperSecretToken123");
    let run = wsdeck(
        &[
            "connect",
            "ws://127.0.0.1:1/",
            "--env",
            env.to_str().expect("UTF-8 path"),
            "-H",
            "{{token}} x: y",
        ],
        b"",
    );
    run.expect_code(USAGE);
    assert!(!run.stderr.contains("SuperSecretToken123"), "{run}");
    assert!(run.stderr.contains("****"), "{run}");
}
