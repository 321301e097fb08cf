//! The pipe mode: a program on stdin and one on stdout. Stdin is fed to the session by the
//! stdin pump, a watch notices a reader of stdout that left, and the session's log is
//! printed to stdout (and stderr) until the session is over. `wsdeck run` prints with the
//! same printer.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::runtime::Handle;
use wsdeck_engine::{Direction, EventKind, LogCursor, Session};

use crate::compose::Composer;
use crate::exit;
use crate::printer::{self, Printer, Sink, Style};
use crate::session_config::{PrintEnd, StdinFeed};
use crate::session_runner::{ExitCondition, Started, final_code};

/// Drives a `wsdeck connect` session from a pipe; `None` means "exit code from the
/// session's outcome".
pub fn run(started: &Started<'_>, feed: StdinFeed, composer: Composer) -> Option<u8> {
    let Started {
        session, rt, view, ..
    } = started;
    let config = started.config;
    let printer = config.output.printer(view.clone());
    let refused = Arc::new(AtomicU64::new(0));
    let opened = rt.block_on(session.wait_open());
    if opened.is_ok() {
        crate::stdin_pump::spawn(feed, session.clone(), rt.clone(), composer, refused.clone());
        crate::stdout_watch::spawn(config.end.close.clone(), session.clone(), rt.clone());
    }
    // Print everything the session records, including a failed open, until it ends.
    let code = print_until_end(&config.end, session, rt, printer);
    // Lines that could not be sent were reported one by one; the exit code says so too.
    let refused = refused.load(Ordering::Acquire);
    if code.is_none() && refused > 0 && final_code(session) == exit::OK {
        eprintln!("wsdeck: {refused} message(s) were not sent (see above)");
        return Some(exit::USAGE);
    }
    code
}

/// Reads the session log from the start and prints it until the session is over.
pub fn print_until_end(
    end: &PrintEnd,
    session: &Session,
    rt: &Handle,
    printer: Printer,
) -> Option<u8> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(256 * 1024, stdout.lock());
    let mut events = Vec::with_capacity(4096);
    let mut exit_condition = ExitCondition::after(end.max_messages);
    let mut cursor = LogCursor::new(session.log().clone());
    loop {
        let outcome = match cursor.read_now(4096, &mut events) {
            r if !events.is_empty() || r.at_end => r,
            _ => {
                // Caught up: push out what we have, then wait for more.
                if let Err(e) = out.flush() {
                    return Some(output_failed(session, rt, end, &e));
                }
                rt.block_on(cursor.next(4096, &mut events))
            }
        };
        if outcome.missed > 0 {
            if printer.style == Style::Jsonl {
                let _ = writeln!(out, "{}", printer::missed_json(outcome.missed));
            } else {
                eprintln!(
                    "wsdeck: {} events were dropped from memory before they could be printed (output too slow)",
                    outcome.missed
                );
            }
        }
        for event in &events {
            let is_message_in = matches!(
                event.kind,
                EventKind::Message {
                    direction: Direction::In,
                    ..
                }
            );
            if is_message_in && !exit_condition.wants_more() {
                continue;
            }
            match printer.sink(event) {
                Sink::Stdout => {
                    if let Err(e) = printer.write(event, &mut out) {
                        return Some(output_failed(session, rt, end, &e));
                    }
                }
                Sink::Stderr => {
                    // Keep stdout and stderr in event order.
                    let _ = out.flush();
                    let _ = printer.write(event, &mut std::io::stderr().lock());
                }
                Sink::Nowhere => {}
            }
            if exit_condition.count(event) {
                if let Err(e) = out.flush() {
                    return Some(output_failed(session, rt, end, &e));
                }
                let _ = rt.block_on(session.close(end.close.code, &end.close.reason));
            }
        }
        cursor.acknowledge();
        if outcome.at_end {
            if let Err(e) = out.flush() {
                return Some(output_failed(session, rt, end, &e));
            }
            return None;
        }
    }
}

/// Writing to stdout failed: close politely either way. A reader that went away (`| head`)
/// wanted no more, so that is a normal end; any other failure (disk full, stdout closed) lost
/// output, so it is said and gets its own exit code.
fn output_failed(session: &Session, rt: &Handle, end: &PrintEnd, error: &std::io::Error) -> u8 {
    // Nobody reads any more: stop holding the socket back so the close can complete.
    session.log().set_pacing(0);
    let _ = rt.block_on(async {
        let _ = session.close(end.close.code, &end.close.reason).await;
        tokio::time::timeout(Duration::from_secs(2), session.wait_closed()).await
    });
    if error.kind() == std::io::ErrorKind::BrokenPipe {
        return exit::OK;
    }
    eprintln!(
        "wsdeck: writing to stdout failed: {error}; what was received from then on is not in the output (closed the connection)"
    );
    exit::OUTPUT
}
