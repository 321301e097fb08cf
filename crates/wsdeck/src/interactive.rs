//! Interactive `wsdeck connect` on a terminal: a line editor with history for input, and
//! every event printed above the prompt as it happens.

use std::io::Write;
use std::time::Duration;

use rustyline::error::ReadlineError;
use rustyline::{DefaultEditor, ExternalPrinter};
use tokio::runtime::Handle;
use wsdeck_engine::{Bytes, LogCursor, Payload, Session, SessionState};
use wsdeck_format::binary;

use crate::compose::{ComposeReport, Composer, SendFormat};
use crate::exit;
use crate::printer;
use crate::session_config::Terminal;
use crate::session_runner::{ExitCondition, Started, session_code};

const HELP: &str = "\
Type a line and press Enter to send it as a message. {{variables}} are substituted
(also in command arguments) unless --no-vars was given; \\{{ sends a literal {{.
  /format [FORMAT]          show or set how lines are read: text, json, xml, html, hex, base64
  /ping [data]              send a ping (data up to 125 bytes)
  /pong [data]              send an unsolicited pong
  /close [code] [reason]    close with a code (default 1000) and reason
  /binary hex:48 65 6c      send a binary message (hex: spaces, 0x and : , - allowed)
  /binary base64:SGVs       send a binary message (base64)
  //text                    send a text message that starts with '/'
  /help                     this help
  /quit                     close (with --close-code, default 1000) and exit (also Ctrl-D)";

/// Runs the interactive client; `None` means "exit code from the session's outcome".
pub fn run(started: &Started<'_>, terminal: Terminal, mut composer: Composer) -> Option<u8> {
    let Started {
        session, rt, stop, ..
    } = started;
    let config = started.config;
    let mut editor = match DefaultEditor::new() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("wsdeck: cannot start the line editor: {e}");
            return Some(exit::INTERNAL);
        }
    };
    let saved_terminal = nix::sys::termios::tcgetattr(std::io::stdin()).ok();

    // Events are printed by their own thread, above the prompt when there is one.
    let printer_out: Box<dyn FnMut(String) + Send> = match editor.create_external_printer() {
        Ok(mut p) => Box::new(move |s: String| {
            let _ = p.print(s);
        }),
        Err(_) => Box::new(|s: String| {
            let _ = std::io::stdout().write_all(s.as_bytes());
        }),
    };
    spawn_event_printer(started, terminal, printer_out, saved_terminal);

    if rt.block_on(session.wait_open()).is_err() {
        // The printer thread reports the error and exits with the right code.
        rt.block_on(session.wait_closed());
        std::thread::sleep(Duration::from_secs(1));
        return None;
    }
    loop {
        match editor.readline("> ") {
            Ok(line) => {
                if !line.trim().is_empty() {
                    let _ = editor.add_history_entry(line.as_str());
                }
                match handle_line(&line, session, rt, &mut composer) {
                    Ok(true) => {}
                    Ok(false) => break,
                    Err(message) => eprintln!("{message}"),
                }
            }
            // Ctrl-C at the prompt is the first stop: another one (as a signal, once the
            // editor has given the terminal back) exits at once.
            Err(ReadlineError::Interrupted) => {
                stop.first_given();
                break;
            }
            Err(ReadlineError::Eof) => break,
            Err(e) => {
                eprintln!("wsdeck: terminal error: {e}");
                break;
            }
        }
        if session.state() == SessionState::Closed {
            break;
        }
    }
    let close = &config.end.close;
    let _ = rt.block_on(session.close(close.code, &close.reason));
    rt.block_on(session.wait_closed());
    // Let the printer thread show the last lines and exit with the session's code.
    std::thread::sleep(Duration::from_secs(2));
    None
}

/// Prints every event with `print` on its own thread (above the prompt: the editor's input
/// is not held up by a busy server), closes at the message limit, and when the session is
/// over puts the terminal back as `saved_terminal` and exits the process with the session's
/// code (the editor may be waiting for a key that never comes).
fn spawn_event_printer(
    started: &Started<'_>,
    terminal: Terminal,
    mut print: Box<dyn FnMut(String) + Send>,
    saved_terminal: Option<nix::sys::termios::Termios>,
) {
    let session = started.session.clone();
    let rt = started.rt.clone();
    let view = started.view.clone();
    let end = started.config.end.clone();
    let server_close = started.config.server_close;
    let recorder = started.recorder.clone();
    let mut exit_condition = ExitCondition::after(end.max_messages);
    std::thread::spawn(move || {
        let mut cursor = LogCursor::new(session.log().clone());
        let mut events = Vec::new();
        let mut buf = Vec::new();
        loop {
            let outcome = rt.block_on(cursor.next(1024, &mut events));
            buf.clear();
            for event in &events {
                printer::human(event, terminal.color, &view, &mut buf);
                if exit_condition.count(event) {
                    let _ = rt.block_on(session.close(end.close.code, &end.close.reason));
                }
            }
            if !buf.is_empty() {
                print(String::from_utf8_lossy(&buf).into_owned());
            }
            cursor.acknowledge();
            if outcome.at_end {
                break;
            }
        }
        // The session is over while the editor may be waiting for a key: put the terminal
        // back as it was and leave.
        std::thread::sleep(Duration::from_millis(20));
        if let Some(t) = &saved_terminal {
            let _ = nix::sys::termios::tcsetattr(
                std::io::stdin(),
                nix::sys::termios::SetArg::TCSANOW,
                t,
            );
        }
        let _ = std::io::stdout().write_all(b"\n");
        let _ = std::io::stdout().flush();
        let mut code = session_code(&session, server_close, &view.redactor);
        if let Some(recorder) = &recorder {
            // The process ends here: the history gets the whole session first.
            let recorded = rt.block_on(recorder.finish(crate::history_cmd::RECORD_FLUSH));
            code = crate::history_cmd::exit_code_after_recording(code, !recorded);
        }
        std::process::exit(i32::from(code));
    });
}

/// Acts on one typed line; `Ok(false)` means quit.
fn handle_line(
    line: &str,
    session: &Session,
    rt: &Handle,
    composer: &mut Composer,
) -> Result<bool, String> {
    let send = |payload: Payload| {
        rt.block_on(session.send(payload))
            .map_err(|e| e.to_string())
    };
    let compose_and_send = |composer: &mut Composer, text: &str| match composer
        .compose(text)
        .into_payload(&PromptReport)
    {
        Some(payload) => send(payload),
        None => Ok(()),
    };
    if let Some(rest) = line.strip_prefix("//") {
        compose_and_send(composer, &format!("/{rest}"))?;
        return Ok(true);
    }
    let Some(command) = line.strip_prefix('/') else {
        compose_and_send(composer, line)?;
        return Ok(true);
    };
    let (name, rest) = command.split_once(' ').unwrap_or((command, ""));
    let rest = &composer.substitute(&format!("/{name}"), rest)?;
    match name {
        "ping" => rt
            .block_on(session.ping(Bytes::from(rest.to_owned())))
            .map_err(|e| e.to_string())?,
        "pong" => rt
            .block_on(session.pong(Bytes::from(rest.to_owned())))
            .map_err(|e| e.to_string())?,
        "close" => {
            let (code, reason) = rest.trim().split_once(' ').unwrap_or((rest.trim(), ""));
            let code = if code.is_empty() {
                1000
            } else {
                code.parse::<u16>()
                    .map_err(|_| format!("/close: {code:?} is not a close code (e.g. 1000)"))?
            };
            rt.block_on(session.close(Some(code), reason.trim()))
                .map_err(|e| e.to_string())?;
        }
        "binary" => {
            let data = parse_binary(rest.trim()).map_err(|e| format!("/binary: {e}"))?;
            send(Payload::binary(data))?;
        }
        "format" => {
            let name = rest.trim();
            if name.is_empty() {
                println!("lines are read as {}", composer.format.name());
            } else {
                composer.format =
                    <SendFormat as clap::ValueEnum>::from_str(name, true).map_err(|_| {
                        format!(
                            "/format: {name:?} is not one of text, json, xml, html, hex, base64"
                        )
                    })?;
                println!("lines are now read as {}", composer.format.name());
            }
        }
        "help" => println!("{HELP}"),
        "quit" | "exit" => return Ok(false),
        other => {
            return Err(format!(
                "unknown command /{other}: type /help, or //{other} to send it as text"
            ));
        }
    }
    Ok(true)
}

/// The prompt's words for a composed line: the line was just typed, so it needs no name.
struct PromptReport;

impl ComposeReport for PromptReport {
    fn warning(&self, warning: &str) {
        eprintln!("{warning}");
    }

    fn refused(&self, why: &str) {
        eprintln!("not sent: {why}");
    }
}

/// `hex:48 65 6c`, `hex:0x48656c`, `base64:SGVs`: binary typed after `/binary`.
fn parse_binary(s: &str) -> Result<Vec<u8>, String> {
    if let Some(h) = s.strip_prefix("hex:") {
        binary::decode_hex(h).map_err(|e| format!("after 'hex:': {e}"))
    } else if let Some(b) = s.strip_prefix("base64:") {
        binary::decode_base64(b.trim()).map_err(|e| format!("after 'base64:': {e}"))
    } else {
        Err("binary data must start with hex: or base64: (e.g. /binary hex:48 65 6c)".into())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn binary_input_names_the_bad_character() {
        assert_eq!(super::parse_binary("hex:48 0x65 6c"), Ok(b"Hel".to_vec()));
        assert_eq!(super::parse_binary("base64:SGVs"), Ok(b"Hel".to_vec()));
        let err = super::parse_binary("hex:4z").expect_err("bad digit");
        assert!(err.contains("`z`"), "{err}");
        assert!(super::parse_binary("48").is_err());
    }

    #[test]
    fn help_lists_every_command() {
        for cmd in [
            "/ping", "/pong", "/close", "/binary", "/format", "/help", "/quit", "//",
        ] {
            assert!(super::HELP.contains(cmd), "{cmd} missing from help");
        }
    }
}
