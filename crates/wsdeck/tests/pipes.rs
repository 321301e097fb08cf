//! `wsdeck connect` in pipes and scripts, as websocat and wscat users expect it: binary stdin
//! byte for byte, the end of stdin ending the session once replies stop, exit codes for a
//! server's error close and a dead connection, signals handled like Ctrl-C, and network text
//! never reaching a terminal raw. Against wsdeck's echo server and servers nobody here wrote
//! (Python `websockets`, Node `ws`).

mod common;
#[path = "common/run.rs"]
mod run;
// Shared with the engine's interop tests; this file uses only part of it.
#[allow(dead_code)]
#[path = "../../engine/tests/peers/mod.rs"]
mod peers;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use common::Echo;
use peers::{Peer, PeerKind};

const BIN: &str = env!("CARGO_BIN_EXE_wsdeck");
/// Longest any run may take before it is killed and the test fails.
const GUARD: Duration = Duration::from_secs(30);

/// What a finished run printed, as bytes.
struct Run {
    args: Vec<String>,
    code: Option<i32>,
    stdout: Vec<u8>,
    stderr: String,
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let out = String::from_utf8_lossy(&self.stdout);
        let cut: String = out.chars().take(2000).collect();
        write!(
            f,
            "wsdeck {:?}\nexit: {:?}\nstdout ({} bytes): {cut}\nstderr: {}",
            self.args,
            self.code,
            self.stdout.len(),
            self.stderr
        )
    }
}

fn scratch(name: &str) -> PathBuf {
    static N: AtomicU32 = AtomicU32::new(0);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "pipes-{name}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    dir
}

/// Waits for `child` (killed after [`GUARD`]) and collects what it printed.
fn finish(child: Child, args: &[&str]) -> Run {
    let finished = run::finish(child, GUARD);
    let run = Run {
        args: args.iter().map(|s| (*s).to_owned()).collect(),
        code: finished.code,
        stdout: finished.stdout,
        stderr: String::from_utf8_lossy(&finished.stderr).into_owned(),
    };
    assert!(
        finished.in_time,
        "wsdeck did not exit within {GUARD:?}\n{run}"
    );
    assert!(!run.stderr.contains("panicked"), "wsdeck panicked\n{run}");
    run
}

/// `wsdeck ARGS` with stdin from `stdin` (a file, or /dev/null).
fn run_with_stdin(args: &[&str], stdin: Stdio) -> Run {
    let child = Command::new(BIN)
        .args(args)
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {BIN}: {e}"));
    finish(child, args)
}

/// `wsdeck ARGS` with `input` written to a pipe on its stdin, then the pipe closed.
fn run_piped(args: &[&str], input: &[u8]) -> Run {
    let mut command = Command::new(BIN);
    command.args(args);
    let (child, writer) = run::spawn_fed(command, input);
    let run = finish(child, args);
    let _ = writer.join();
    run
}

/// The `--jsonl` events a run printed.
fn json_lines(run: &Run) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&run.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}\n{run}")))
        .collect()
}

/// Bytes that look like nothing in particular: every value, newlines and CRs included.
fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// The servers every round trip goes through: wsdeck's own and two nobody here wrote.
struct Servers {
    _echo: Echo,
    _python: Peer,
    _node: Peer,
    urls: Vec<(&'static str, String)>,
}

fn servers() -> Servers {
    let echo = Echo::start();
    let python = Peer::start(PeerKind::Python);
    let node = Peer::start(PeerKind::Node);
    let urls = vec![
        ("wsdeck echo", echo.url("/echo")),
        ("python websockets", python.url("/echo")),
        ("node ws", node.url("/echo")),
    ];
    Servers {
        _echo: echo,
        _python: python,
        _node: node,
        urls,
    }
}

#[test]
fn binary_stdin_round_trips_random_files_byte_for_byte_through_every_peer() {
    let servers = servers();
    let dir = scratch("binary");
    let sizes = [1, 2, 13, 4095, 65_535, 65_536, 65_537, 100_000, 1_048_577];
    for (name, url) in &servers.urls {
        for (i, size) in sizes.into_iter().enumerate() {
            let file = dir.join(format!("in-{i}.bin"));
            let data = noise(size, 7 + i as u64);
            std::fs::write(&file, &data).unwrap_or_else(|e| panic!("{e}"));
            let stdin = std::fs::File::open(&file).unwrap_or_else(|e| panic!("{e}"));
            let run = run_with_stdin(&["connect", url, "-b"], stdin.into());
            assert_eq!(run.code, Some(0), "{name}, {size} bytes\n{run}");
            assert!(
                run.stdout == data,
                "{name}: the echo of {size} random bytes differs from them (got {} bytes)\n{}",
                run.stdout.len(),
                run.stderr
            );
        }
    }
}

#[test]
fn binary_split_modes_cut_where_they_say_and_never_change_a_byte() {
    let echo = Echo::start();
    let url = echo.url("/echo");
    let data = noise(150_000, 99);
    // whole: one message; chunk: --chunk-size pieces; both give the input back.
    for (split, size, expected_messages) in [("whole", "64K", 1), ("chunk", "64K", 3)] {
        let run = run_piped(
            &[
                "connect",
                &url,
                "-b",
                "--split",
                split,
                "--chunk-size",
                size,
                "--jsonl",
            ],
            &data,
        );
        assert_eq!(run.code, Some(0), "{run}");
        let text = String::from_utf8_lossy(&run.stdout);
        let out: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
            .filter(|e: &serde_json::Value| e["type"] == "message" && e["direction"] == "out")
            .collect();
        if split == "whole" {
            assert_eq!(out.len(), expected_messages, "{run}");
        } else {
            assert!(out.len() >= expected_messages, "{run}");
        }
        let sent: usize = out
            .iter()
            .map(|m| m["size"].as_u64().unwrap_or(0) as usize)
            .sum();
        assert_eq!(sent, data.len(), "{split}: {run}");
        assert!(out.iter().all(|m| m["format"] == "binary"), "{run}");
    }
    // Lines of binary keep their \r; null splits at NUL and puts NUL back between echoes.
    let run = run_piped(&["connect", &url, "-b", "--split", "line"], b"a\r\nb\r\n");
    assert_eq!(run.stdout, b"a\r\nb\r\n", "{run}");
    let run = run_piped(&["connect", &url, "-b", "--split", "null"], b"x\ny\0z\r\0");
    assert_eq!(run.stdout, b"x\ny\0z\r\0", "{run}");
    // Text lines still lose their \r\n (and {{variables}} still work there).
    let run = run_piped(&["connect", &url, "--var", "n=1"], b"a{{n}}\r\nb\n");
    assert_eq!(run.stdout, b"a1\nb\n", "{run}");
    // {{ in binary data is data.
    let run = run_piped(&["connect", &url, "-b", "--var", "n=1"], b"{{n}}");
    assert_eq!(run.stdout, b"{{n}}", "{run}");
    // A whole stdin over the limit is refused by name, not cut.
    let run = run_piped(
        &[
            "connect",
            &url,
            "--split",
            "whole",
            "--max-message-size",
            "1K",
        ],
        &[b'x'; 2000],
    );
    assert_ne!(run.code, Some(0), "{run}");
    assert!(run.stderr.contains("--split whole"), "{run}");
    // Chunks would cut text inside a character: refused without -b.
    let run = run_piped(&["connect", &url, "--split", "chunk"], b"x");
    assert_eq!(run.code, Some(2), "{run}");
    assert!(run.stderr.contains("-b"), "{run}");
}

#[test]
fn end_of_stdin_ends_the_session_once_the_replies_stop() {
    let servers = servers();
    for (name, url) in &servers.urls {
        // `echo hi | wsdeck connect URL` ends by itself, having printed the answer.
        let run = run_piped(&["connect", url], b"hi\n");
        assert_eq!(run.code, Some(0), "{name}\n{run}");
        assert_eq!(run.stdout, b"hi\n", "{name}\n{run}");
    }
    // Every echo of a flood comes back: the wait is an idle time, not a delay from EOF.
    let echo = Echo::start();
    let lines: String = (0..100_000).map(|i| format!("{i}\n")).collect();
    for wait in ["0", "200"] {
        let run = run_piped(
            &["connect", &echo.url("/echo"), "--wait", wait],
            lines.as_bytes(),
        );
        assert_eq!(run.code, Some(0), "{run}");
        let got = run.stdout.iter().filter(|b| **b == b'\n').count();
        assert_eq!(got, 100_000, "--wait {wait}: echoes lost\n{}", run.stderr);
    }
}

#[test]
fn no_close_stays_connected_after_stdin_ends_until_the_server_closes() {
    let echo = Echo::start();
    let url = echo.url("/close?code=1000&reason=later&after_ms=1500");
    // Without it the client closes first (by us); with it, the server's close ends it.
    let run = run_with_stdin(&["connect", &url, "--wait", "50", "--jsonl"], Stdio::null());
    assert_eq!(run.code, Some(0), "{run}");
    let text = String::from_utf8_lossy(&run.stdout);
    assert!(text.contains(r#""initiator":"local""#), "{run}");
    for flag in ["--no-close", "--keep-open"] {
        let run = run_with_stdin(&["connect", &url, flag, "--jsonl"], Stdio::null());
        assert_eq!(run.code, Some(0), "{run}");
        let text = String::from_utf8_lossy(&run.stdout);
        assert!(
            text.contains(r#""initiator":"remote""#) && text.contains("later"),
            "{flag}: {run}"
        );
    }
}

#[test]
fn a_server_close_with_an_error_code_is_a_failure_exit() {
    let echo = Echo::start();
    for code in [1002, 1003, 1008, 1009, 1011, 1013, 3000, 4000, 4999] {
        let url = echo.url(&format!("/close?code={code}&reason=nope"));
        let run = run_with_stdin(&["connect", &url], Stdio::null());
        assert_eq!(run.code, Some(11), "close {code}\n{run}");
        assert!(run.stderr.contains(&code.to_string()), "{run}");
        let run = run_with_stdin(&["connect", &url, "--any-close-ok"], Stdio::null());
        assert_eq!(run.code, Some(0), "close {code} with --any-close-ok\n{run}");
    }
    for code in [1000, 1001] {
        let url = echo.url(&format!("/close?code={code}"));
        let run = run_with_stdin(&["connect", &url], Stdio::null());
        assert_eq!(run.code, Some(0), "close {code}\n{run}");
    }
    // A server nobody here wrote, and our own close answered with our own code.
    let python = Peer::start(PeerKind::Python);
    let run = run_with_stdin(
        &["connect", &python.url("/close?code=4001&reason=bye")],
        Stdio::null(),
    );
    assert_eq!(run.code, Some(11), "{run}");
    let run = run_piped(
        &["connect", &echo.url("/echo"), "--close-code", "4000"],
        b"x\n",
    );
    assert_eq!(
        run.code,
        Some(0),
        "our own 4000, echoed, is not the server's error\n{run}"
    );
}

/// A server that completes the handshake and then never sends or answers anything.
fn mute_server() -> (String, std::thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("ws://{}/", listener.local_addr().expect("addr"));
    let handle = std::thread::spawn(move || {
        let Ok((mut stream, _)) = listener.accept() else {
            return;
        };
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") && head.len() < 16 * 1024 {
            match stream.read(&mut byte) {
                Ok(1) => head.push(byte[0]),
                _ => return,
            }
        }
        let head = String::from_utf8_lossy(&head);
        let key = head
            .lines()
            .find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.eq_ignore_ascii_case("sec-websocket-key")
                    .then(|| v.trim().to_owned())
            })
            .unwrap_or_default();
        let accept = tokio_tungstenite::tungstenite::handshake::derive_accept_key(key.as_bytes());
        let _ = write!(
            stream,
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n"
        );
        // Hold the connection open, reading nothing, until the client goes away.
        let _ = stream.set_read_timeout(Some(GUARD));
        let mut sink = [0u8; 1];
        std::thread::sleep(Duration::from_millis(10));
        let _ = stream.peek(&mut sink);
        std::thread::sleep(GUARD);
    });
    (url, handle)
}

#[test]
fn a_ping_timeout_reports_a_dead_connection_with_its_own_exit_code() {
    let (url, _server) = mute_server();
    let args = [
        "connect",
        &url,
        "--no-close",
        "--ping-interval",
        "100",
        "--ping-timeout",
        "300",
    ];
    let run = run_with_stdin(&args, Stdio::null());
    assert_eq!(run.code, Some(12), "{run}");
    assert!(run.stderr.contains("--ping-timeout"), "{run}");
    // A live server answers the pings: the connection lives until the server closes it.
    let echo = Echo::start();
    let url = echo.url("/close?code=1000&after_ms=1200");
    let args = [
        "connect",
        &url,
        "--no-close",
        "--ping-interval",
        "50",
        "--ping-timeout",
        "400",
        "--jsonl",
    ];
    let run = run_with_stdin(&args, Stdio::null());
    assert_eq!(run.code, Some(0), "{run}");
    let text = String::from_utf8_lossy(&run.stdout);
    assert!(text.contains(r#""type":"pong""#), "{run}");
    // --ping-timeout alone has nothing to time.
    let run = run_with_stdin(&["connect", &url, "--ping-timeout", "100"], Stdio::null());
    assert_eq!(run.code, Some(2), "{run}");
}

fn signal(child: &Child, name: &str) {
    let status = Command::new("kill")
        .args([&format!("-{name}"), &child.id().to_string()])
        .status()
        .unwrap_or_else(|e| panic!("kill: {e}"));
    assert!(status.success(), "kill -{name} failed");
}

/// Starts `wsdeck connect --jsonl …` with stdin held open; returns once it is connected.
fn connected(args: &[&str]) -> (Child, std::process::ChildStdin) {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {BIN}: {e}"));
    let stdin = child.stdin.take().expect("stdin");
    // The first line on stdout after `open`: read byte by byte up to the open event.
    let mut stdout = child.stdout.take().expect("stdout");
    let mut seen = Vec::new();
    let mut byte = [0u8; 1];
    let deadline = Instant::now() + GUARD;
    while !String::from_utf8_lossy(&seen).contains(r#""type":"open""#) {
        assert!(Instant::now() < deadline, "never connected");
        match stdout.read(&mut byte) {
            Ok(1) => seen.push(byte[0]),
            _ => panic!(
                "wsdeck ended before connecting: {}",
                String::from_utf8_lossy(&seen)
            ),
        }
    }
    while byte[0] != b'\n' {
        if stdout.read(&mut byte).unwrap_or(0) == 0 {
            break;
        }
    }
    child.stdout = Some(stdout);
    (child, stdin)
}

#[test]
fn sigterm_and_sighup_close_politely_and_finish_the_recorded_session() {
    let echo = Echo::start();
    let dir = scratch("signals");
    for name in ["TERM", "HUP", "INT"] {
        let db = dir.join(format!("{name}.db"));
        let db_arg = db.to_string_lossy().into_owned();
        let url = echo.url("/echo");
        let args = ["connect", &url, "--jsonl", "--record", "--history", &db_arg];
        let (child, _stdin) = connected(&args);
        signal(&child, name);
        let run = finish(child, &args);
        assert_eq!(run.code, Some(0), "SIG{name}\n{run}");
        let events = json_lines(&run);
        let sent_close = events
            .iter()
            .find(|e| e["type"] == "closing" && e["direction"] == "out");
        assert_eq!(
            sent_close.map(|e| e["code"].clone()),
            Some(serde_json::json!(1000)),
            "SIG{name}: no close frame sent\n{run}"
        );
        let closed = events.iter().find(|e| e["type"] == "closed");
        assert!(
            closed.is_some_and(|e| e["clean"] == true && e["initiator"] == "local"),
            "SIG{name}\n{run}"
        );
        let list = run_with_stdin(&["history", "list", "--history", &db_arg], Stdio::null());
        assert_eq!(list.code, Some(0), "{list}");
        let listed = String::from_utf8_lossy(&list.stdout);
        assert!(
            listed.contains("1000"),
            "the session is finished with its close\n{list}"
        );
        assert!(
            !listed.contains("live"),
            "SIG{name}: recorded session left live\n{list}"
        );
    }
}

#[test]
fn a_second_signal_exits_at_once_when_the_close_hangs() {
    let (url, _server) = mute_server();
    let args = ["connect", &url, "--jsonl"];
    let (child, _stdin) = connected(&args);
    signal(&child, "TERM");
    std::thread::sleep(Duration::from_millis(300));
    signal(&child, "INT");
    let run = finish(child, &args);
    // The polite close would end with 8 (the mute server never answers) after 5 s; the
    // second signal ends it at once with the shell's code for SIGINT.
    assert_eq!(run.code, Some(130), "{run}");
}

#[test]
fn received_text_never_reaches_a_terminal_raw() {
    use std::os::fd::OwnedFd;
    let pty = nix::pty::openpty(None, None).expect("a pseudo-terminal");
    let echo = Echo::start();
    let url = echo.url("/echo");
    let hostile = "\u{1b}]0;pwned\u{7}\u{1b}[2Jred";
    let slave: OwnedFd = pty.slave;
    let child = Command::new(BIN)
        .args(["connect", &url, "-x", hostile, "--once"])
        .stdin(Stdio::null())
        .stdout(Stdio::from(slave))
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {BIN}: {e}"));
    let run = finish(child, &["connect", "-x", "(escape sequences)", "--once"]);
    assert_eq!(run.code, Some(0), "{run}");
    let mut master = std::fs::File::from(pty.master);
    let mut screen = Vec::new();
    let mut buf = [0u8; 4096];
    // Every end of the terminal's other side is closed now (the child ended and the
    // command that held it is gone), so reading ends with EIO once the screen is drained.
    for _ in 0..1000 {
        match master.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => screen.extend_from_slice(&buf[..n]),
            Err(_) => break,
        }
    }
    let screen = String::from_utf8_lossy(&screen);
    assert!(
        !screen.contains('\u{1b}') && !screen.contains('\u{7}'),
        "raw control bytes on the terminal: {screen:?}"
    );
    assert!(
        screen.contains("\\e]0;pwned") && screen.contains("red"),
        "{screen:?}"
    );
}

#[test]
fn wss_to_a_plain_server_fails_at_once_saying_use_ws() {
    let echo = Echo::start();
    let url = echo.url("/echo").replacen("ws://", "wss://", 1);
    // The default handshake timeout (20 s) would give exit 7; the echo server closes a
    // connection that does not start like HTTP at once, so TLS fails (5) and says why.
    let run = run_with_stdin(&["connect", &url], Stdio::null());
    assert_eq!(run.code, Some(5), "{run}");
    assert!(run.stderr.contains("ws://"), "{run}");
}

#[test]
fn websocat_habits_get_a_pointer_to_the_right_command() {
    let run = run_with_stdin(&["ws://127.0.0.1:9/"], Stdio::null());
    assert_eq!(run.code, Some(2), "{run}");
    assert!(
        run.stderr.contains("wsdeck connect ws://127.0.0.1:9/"),
        "{run}"
    );
    // Numbers are explained in words, never with Rust's parse errors; a negative one is
    // read as the value it is, not as a flag.
    for (flag, value, words) in [
        ("--handshake-timeout", "abc", "not a whole number"),
        ("--wait", "-1", "not a whole number"),
        ("--ping-interval", "-5", "not a whole number"),
        ("--close-code", "99999", "too large"),
    ] {
        let run = run_with_stdin(
            &["connect", "ws://127.0.0.1:9/", flag, value],
            Stdio::null(),
        );
        assert_eq!(run.code, Some(2), "{run}");
        assert!(!run.stderr.contains("invalid digit"), "{run}");
        assert!(
            run.stderr.contains(flag) && run.stderr.contains(words),
            "{run}"
        );
    }
    // wscat's -c, and websocat's flags before the URL, get the command to run.
    let run = run_with_stdin(&["connect", "-c", "ws://127.0.0.1:9/"], Stdio::null());
    assert_eq!(run.code, Some(2), "{run}");
    assert!(
        run.stderr.contains("wsdeck connect ws://127.0.0.1:9/"),
        "{run}"
    );
}

/// `wsdeck ARGS` in `dir` with its own data folder.
fn run_in(dir: &Path, args: &[&str]) -> Run {
    let child = Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env("WSDECK_DATA_DIR", dir.join("data"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {BIN}: {e}"));
    finish(child, args)
}

#[test]
fn run_takes_a_request_file_anywhere_and_names_typos() {
    let echo = Echo::start();
    let dir = scratch("run-file");
    // A request file outside any workspace, as the README says `wsdeck run FILE` takes.
    let file = dir.join("closing.wsdeck.toml");
    let url = echo.url("/close?code=1011&reason=broken");
    std::fs::write(&file, format!("name = \"Closing\"\nurl = \"{url}\"\n"))
        .unwrap_or_else(|e| panic!("{e}"));
    let path = file.to_string_lossy().into_owned();
    let run = run_in(&dir, &["run", &path]);
    assert_eq!(run.code, Some(11), "the server's 1011 is a failure\n{run}");
    let run = run_in(&dir, &["run", &path, "--any-close-ok"]);
    assert_eq!(run.code, Some(0), "{run}");
    let run = run_in(&dir, &["run", "missing.wsdeck.toml"]);
    assert_eq!(run.code, Some(2), "{run}");
    assert!(
        run.stderr.contains("no such request file") && !run.stderr.contains("os error"),
        "{run}"
    );
    // A workspace with an environment: --env NAME works for connect as for run, and a
    // mistyped name gets "did you mean".
    let workspace = dir.join(".wsdeck");
    std::fs::create_dir_all(workspace.join("environments")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::create_dir_all(workspace.join("collections/chat")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        workspace.join("environments/staging.env.toml"),
        format!(
            "name = \"Staging\"\n\n[[variables]]\nname = \"host\"\nvalue = \"{}\"\n",
            echo.url("")
                .trim_start_matches("ws://")
                .trim_end_matches('/')
        ),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        workspace.join("collections/chat/hello.wsdeck.toml"),
        "name = \"Hello\"\nurl = \"ws://{{host}}/echo\"\n\n[[messages]]\nname = \"hi\"\nbody = \"hi\"\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let run = run_in(
        &dir,
        &[
            "connect",
            "ws://{{host}}/echo",
            "--env",
            "staging",
            "-x",
            "hey",
            "--once",
        ],
    );
    assert_eq!(run.code, Some(0), "{run}");
    assert_eq!(run.stdout, b"hey\n", "{run}");
    let run = run_in(&dir, &["connect", "ws://{{host}}/echo", "--env", "stagin"]);
    assert_eq!(run.code, Some(2), "{run}");
    assert!(run.stderr.contains("did you mean \"staging\""), "{run}");
    let run = run_in(
        &dir,
        &["run", "chat/hello", "--env", "staging", "--wait", "100"],
    );
    assert_eq!(run.code, Some(0), "{run}");
    assert_eq!(run.stdout, b"hi\n", "{run}");
    let run = run_in(&dir, &["run", "chat/helo", "--env", "staging"]);
    assert_eq!(run.code, Some(2), "{run}");
    assert!(run.stderr.contains("did you mean \"chat/hello\""), "{run}");
}

/// `wsdeck ARGS < input | (sleep; cat)`: the reader of stdout starts late and then reads
/// slowly, so wsdeck must hold the socket (and its own sending) back rather than drop.
fn run_with_slow_reader(args: &[&str], input: &[u8]) -> Run {
    let mut command = Command::new(BIN);
    command.args(args);
    let (mut child, writer) = run::spawn_fed(command, input);
    let mut stdout = child.stdout.take().expect("piped stdout");
    let reader = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(1500));
        let mut out = Vec::new();
        let mut buf = [0u8; 16 * 1024];
        // Bounded by wsdeck's end (EOF); slow: 16 KiB per millisecond at most.
        loop {
            match stdout.read(&mut buf) {
                Ok(0) | Err(_) => return out,
                Ok(n) => out.extend_from_slice(&buf[..n]),
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    });
    let mut run = finish(child, args);
    run.stdout = reader.join().unwrap_or_default();
    let _ = writer.join();
    run
}

#[test]
fn a_slow_reader_loses_nothing_and_the_end_of_stdin_waits_for_it() {
    let echo = Echo::start();
    let url = echo.url("/echo");
    // Binary: a 3 MB file comes back whole through a reader that starts late.
    let data = noise(3_000_000, 5);
    let run = run_with_slow_reader(&["connect", &url, "-b"], &data);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        run.stdout == data,
        "{} of {} bytes\n{}",
        run.stdout.len(),
        data.len(),
        run.stderr
    );
    // JSON lines: every echo of 100,000 lines, and a clean close after them (the idle wait
    // does not count the time the printer was behind).
    let lines: String = (0..100_000).map(|i| format!("{i}\n")).collect();
    let run = run_with_slow_reader(&["connect", &url, "--jsonl"], lines.as_bytes());
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let events = json_lines(&run);
    let received = events
        .iter()
        .filter(|e| e["type"] == "message" && e["direction"] == "in")
        .count();
    assert_eq!(received, 100_000, "{}", run.stderr);
    assert!(
        !events.iter().any(|e| e["type"] == "missed"),
        "events were dropped"
    );
    assert!(
        events
            .iter()
            .any(|e| e["type"] == "closed" && e["clean"] == true),
        "{}",
        run.stderr
    );
}

#[test]
fn retries_say_they_are_retries() {
    // A port nobody listens on: each attempt fails the same way; the lines between say that
    // the next one is a retry, not the same error printed three times for nothing.
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("ws://{}/", listener.local_addr().expect("addr"));
    drop(listener);
    let args = [
        "connect",
        &url,
        "--reconnect-attempts",
        "2",
        "--reconnect-interval",
        "10",
    ];
    let run = run_with_stdin(&args, Stdio::null());
    assert_eq!(run.code, Some(3), "{run}");
    assert!(
        run.stderr.contains("attempt 1 of 2") && run.stderr.contains("attempt 2 of 2"),
        "{run}"
    );
}
