//! Foreign WebSocket peers (`tests/peers/python_server.py` on Python `websockets`,
//! `tests/peers/node_server.js` on Node `ws`) as child processes of a test.
//!
//! A [`Peer`] is started with `--port 0` (or a given port, to restart it where clients expect
//! it), is ready once it printed `LISTENING <port>`, and is killed when dropped. The peers and
//! their interpreters come from the environment `scripts/test` sets up: `WSDECK_PYTHON` (a
//! Python with `websockets`), `WSDECK_PEERS_DIR` (with `node_modules` installed) and
//! `WSDECK_NODE` (default `node`). Without them the tests fail and say so: they are never
//! skipped silently.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long a peer may take to print `LISTENING`.
const READY_TIMEOUT: Duration = Duration::from_secs(20);

/// Which foreign implementation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeerKind {
    /// `python_server.py`, Python `websockets`.
    Python,
    /// `node_server.js`, Node `ws`.
    Node,
}

impl PeerKind {
    pub fn name(self) -> &'static str {
        match self {
            PeerKind::Python => "python",
            PeerKind::Node => "node",
        }
    }

    /// Interpreter and script; panics with instructions when the environment is missing.
    fn command(self) -> (PathBuf, PathBuf) {
        let peers_dir = required_env("WSDECK_PEERS_DIR");
        match self {
            PeerKind::Python => (
                required_env("WSDECK_PYTHON"),
                peers_dir.join("python_server.py"),
            ),
            PeerKind::Node => (
                std::env::var_os("WSDECK_NODE")
                    .filter(|v| !v.is_empty())
                    .map_or_else(|| PathBuf::from("node"), PathBuf::from),
                peers_dir.join("node_server.js"),
            ),
        }
    }
}

fn required_env(name: &str) -> PathBuf {
    match std::env::var_os(name) {
        Some(v) if !v.is_empty() => PathBuf::from(v),
        _ => panic!(
            "{name} is not set: the interop tests need the foreign peers in tests/peers. \
             Run them through `scripts/test` (it creates .venv with `websockets`, runs \
             `npm ci` in tests/peers and exports WSDECK_PYTHON, WSDECK_PEERS_DIR and \
             WSDECK_NODE), or export them yourself, e.g. \
             WSDECK_PYTHON=$PWD/.venv/bin/python WSDECK_PEERS_DIR=$PWD/tests/peers \
             WSDECK_NODE=node cargo test -p wsdeck-engine --test interop"
        ),
    }
}

/// A running peer; killed on drop.
#[derive(Debug)]
pub struct Peer {
    kind: PeerKind,
    port: u16,
    child: Option<Child>,
}

impl Peer {
    /// Starts a peer on a free port and waits until it listens.
    pub fn start(kind: PeerKind) -> Peer {
        Peer::try_start(kind, 0).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Starts a peer on `port` (0: any free port) and waits until it listens.
    pub fn try_start(kind: PeerKind, port: u16) -> Result<Peer, String> {
        let (program, script) = kind.command();
        let mut child = Command::new(&program)
            .arg(&script)
            .arg("--port")
            .arg(port.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| {
                format!(
                    "cannot start the {} peer `{} {}`: {e} (run the tests through scripts/test)",
                    kind.name(),
                    program.display(),
                    script.display()
                )
            })?;

        // Stderr is forwarded (captured by the test harness, shown when a test fails).
        if let Some(stderr) = child.stderr.take() {
            let name = kind.name();
            std::thread::spawn(move || {
                for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                    eprintln!("[{name} peer] {line}");
                }
            });
        }
        let (tx, rx) = mpsc::channel();
        if let Some(stdout) = child.stdout.take() {
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stdout);
                let mut first = String::new();
                let _ = reader.read_line(&mut first);
                let _ = tx.send(first);
                // Keep draining so the peer never blocks on a full pipe.
                let _ = std::io::copy(&mut reader, &mut std::io::sink());
            });
        }
        let line = match rx.recv_timeout(READY_TIMEOUT) {
            Ok(line) => line,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "the {} peer did not print LISTENING within {READY_TIMEOUT:?}",
                    kind.name()
                ));
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => String::new(),
        };
        let listening = line
            .trim()
            .strip_prefix("LISTENING ")
            .and_then(|p| p.trim().parse::<u16>().ok());
        let Some(actual) = listening else {
            let _ = child.kill();
            let status = child.wait().ok();
            return Err(format!(
                "the {} peer (--port {port}) did not start: first stdout line {line:?}, \
                 exit status {status:?} (its stderr is above)",
                kind.name()
            ));
        };
        if port != 0 && actual != port {
            return Err(format!(
                "the {} peer listens on {actual}, not on the requested {port}",
                kind.name()
            ));
        }
        Ok(Peer {
            kind,
            port: actual,
            child: Some(child),
        })
    }

    pub fn kind(&self) -> PeerKind {
        self.kind
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `ws://127.0.0.1:PORT` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("ws://127.0.0.1:{}{path}", self.port)
    }

    /// Kills the peer at once (SIGKILL: live connections drop without a close frame).
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Kills the peer and starts a new one on the same port. The port may be briefly
    /// unavailable after the kill, so starting is retried for a while.
    pub fn restart(&mut self) {
        self.kill();
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            match Peer::try_start(self.kind, self.port) {
                Ok(mut new) => {
                    self.child = new.child.take();
                    return;
                }
                Err(e) if Instant::now() >= deadline => {
                    panic!("restarting the {} peer: {e}", self.kind.name())
                }
                Err(_) => std::thread::sleep(Duration::from_millis(100)),
            }
        }
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        self.kill();
    }
}
