//! The stdin pump of the pipe mode: `-x` messages, then stdin cut into messages
//! (`split.rs`) and sent in batches on its own thread, then the end of stdin closes the
//! connection once it has gone idle (`--wait`), unless it is to stay open.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::runtime::Handle;
use wsdeck_engine::{EngineError, EventKind, Payload, Session, SessionLog};

use crate::compose::{ComposeReport, Composer};
use crate::session_config::{AfterStdin, CloseFrame, StdinFeed, StdinSource};
use crate::split::MessageReader;

/// Reads stdin on its own thread and sends each message in batches. Messages that cannot be
/// sent (an undefined variable, invalid JSON, bad hex, …) are reported with their number and
/// counted in `refused`. When stdin ends, `feed.after_eof` says what happens.
pub fn spawn(
    feed: StdinFeed,
    session: Session,
    rt: Handle,
    mut composer: Composer,
    refused: Arc<AtomicU64>,
) {
    let StdinFeed {
        given,
        cut,
        unit,
        source,
        after_eof,
    } = feed;
    std::thread::spawn(move || {
        if !send_given(&given, &session, &rt, &mut composer, &refused) {
            return;
        }
        let input: Box<dyn std::io::Read> = match source {
            StdinSource::Read => {
                widen_stdin_pipe();
                Box::new(std::io::stdin().lock())
            }
            StdinSource::Ignore => Box::new(std::io::empty()),
        };
        let reader = MessageReader::new(input, cut);
        if !send_stdin(reader, unit, &session, &rt, &mut composer, &refused) {
            return;
        }
        if let AfterStdin::CloseWhenIdle { idle, close } = after_eof {
            close_when_idle(idle, &close, &session, &rt);
        }
    });
}

/// Sends the `-x` messages in one batch; false when the session cannot take them (said).
fn send_given(
    given: &[String],
    session: &Session,
    rt: &Handle,
    composer: &mut Composer,
    refused: &AtomicU64,
) -> bool {
    let payloads: Vec<Payload> = given
        .iter()
        .enumerate()
        .filter_map(|(i, text)| {
            let report = PipeReport {
                what: &|| format!("--send message {}", i + 1),
                refused,
            };
            composer.compose(text).into_payload(&report)
        })
        .collect();
    if payloads.is_empty() {
        return true;
    }
    let count = payloads.len();
    match rt.block_on(session.send_batch(payloads)) {
        Ok(()) => true,
        Err(e) => {
            eprintln!("wsdeck: {count} --send message(s) not sent: {e}");
            false
        }
    }
}

/// Sends stdin's messages batch by batch until stdin ends (true) or the session is over or
/// refuses them (false). Each message is numbered for errors as a `unit` ("stdin line 3").
fn send_stdin(
    mut reader: MessageReader<Box<dyn std::io::Read>>,
    unit: &str,
    session: &Session,
    rt: &Handle,
    composer: &mut Composer,
    refused: &AtomicU64,
) -> bool {
    let mut number: u64 = 0;
    loop {
        let batch = match reader.next_batch() {
            Ok(Some(batch)) => batch,
            Ok(None) => return true,
            Err(e) => {
                eprintln!("wsdeck: {e}");
                refused.fetch_add(1, Ordering::Release);
                return true;
            }
        };
        let payloads: Vec<Payload> = batch
            .into_iter()
            .filter_map(|message| {
                number += 1;
                let report = PipeReport {
                    what: &|| format!("stdin {unit} {number}"),
                    refused,
                };
                composer.compose_bytes(message).into_payload(&report)
            })
            .collect();
        // While reconnecting, stdin waits for the new connection.
        if !wait_until_open(session) {
            return false;
        }
        let count = payloads.len();
        match rt.block_on(session.send_batch(payloads)) {
            Ok(()) => {}
            Err(EngineError::NotOpen { .. }) => {
                // The connection dropped between the check and the send: say so rather
                // than lose the messages silently.
                eprintln!(
                    "wsdeck: {count} {unit}(s) were not sent: the connection closed before they could go out"
                );
            }
            Err(e) => {
                eprintln!("wsdeck: {e}");
                return false;
            }
        }
    }
}

/// The pipe's words for a composed message: warnings and refusals said on stderr, naming the
/// message (`what`, e.g. "stdin line 3"), and refusals counted for the exit code.
struct PipeReport<'a> {
    what: &'a dyn Fn() -> String,
    refused: &'a AtomicU64,
}

impl ComposeReport for PipeReport<'_> {
    fn warning(&self, warning: &str) {
        eprintln!("wsdeck: {}: {warning}", (self.what)());
    }

    fn refused(&self, why: &str) {
        self.refused.fetch_add(1, Ordering::Release);
        eprintln!("wsdeck: {} not sent: {why}", (self.what)());
    }
}

/// Lets a pipe on stdin hold 1 MiB (Linux's default 64 KiB cut a fast writer's stream into
/// reads of a few 16 KiB lines each, so every few messages cost a read, a send and two
/// wake-ups). Only the pipe's capacity changes, never its bytes; where the system refuses
/// (an older kernel, a lower `pipe-max-size`) the pipe stays as it is.
fn widen_stdin_pipe() {
    use nix::fcntl::{FcntlArg, fcntl};
    use nix::sys::stat::{SFlag, fstat};
    let stdin = std::io::stdin();
    let is_pipe = fstat(&stdin)
        .is_ok_and(|st| SFlag::from_bits_truncate(st.st_mode) & SFlag::S_IFMT == SFlag::S_IFIFO);
    if is_pipe {
        let _ = fcntl(&stdin, FcntlArg::F_SETPIPE_SZ(1 << 20));
    }
}

/// Waits until no message has gone out or come in for `idle` (what was sent last goes out
/// first, then its replies come; a reply that keeps coming keeps the connection), then closes
/// with `close`. Pings and pongs are not replies: a keepalive does not hold the connection
/// open.
fn close_when_idle(idle: Duration, close: &CloseFrame, session: &Session, rt: &Handle) {
    let log = session.log().clone();
    let mut seen = log.next_seq();
    while !idle.is_zero() {
        let quiet = rt
            .block_on(async {
                tokio::time::timeout(idle, async {
                    loop {
                        log.wait_past(seen).await;
                        if log.is_finished() {
                            return;
                        }
                        let now = log.next_seq();
                        let messages = messages_between(&log, seen, now);
                        seen = now;
                        if messages {
                            return;
                        }
                    }
                })
                .await
            })
            .is_err();
        if log.is_finished() {
            break;
        }
        // Quiet only because the printer is behind (the socket is not read meanwhile):
        // replies may still be waiting, so that is not idle.
        if quiet && !log.pacing_backlog() {
            break;
        }
    }
    if !log.is_finished() {
        let _ = rt.block_on(session.close(close.code, &close.reason));
    }
}

/// Whether a message event is among the log's events `from..to` (a long run of events is
/// taken as messages without reading it: only pings and pongs are not, and they come few).
fn messages_between(log: &SessionLog, from: u64, to: u64) -> bool {
    const LOOK: u64 = 64;
    if to.saturating_sub(from) > LOOK {
        return true;
    }
    let mut events = Vec::new();
    log.read(from, LOOK as usize, &mut events);
    events
        .iter()
        .any(|e| matches!(e.kind, EventKind::Message { .. }))
}

/// Blocks until the session is open (true) or over (false); polls, because it runs on the
/// stdin thread and a reconnection takes at least the reconnect interval anyway.
fn wait_until_open(session: &Session) -> bool {
    loop {
        match session.state() {
            wsdeck_engine::SessionState::Open => return true,
            wsdeck_engine::SessionState::Closed => return false,
            _ => std::thread::sleep(Duration::from_millis(20)),
        }
    }
}
