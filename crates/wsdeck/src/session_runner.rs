//! One session from start to exit code, for `wsdeck connect` (pipe and interactive) and
//! `wsdeck run`: the redactor, the recorder (opened before connecting, so a bad history file
//! stops the command early), the open, the recording, the polite stop on signals, then the
//! front end's drive, and at the end the exit code, with the history committed.
//!
//! The front ends differ only in how they feed and print the session; everything around them
//! is here once, so a fix to the start-up or the exit code reaches every command.

use std::sync::Arc;

use tokio::runtime::Handle;
use wsdeck_engine::{Direction, Engine, Event, EventKind, Session};

use crate::exit;
use crate::history_cmd::Recorder;
use crate::printer::{self, View};
use crate::redact::Redactor;
use crate::session_config::{ServerClosePolicy, SessionConfig};
use crate::signals::StopSignals;

/// An open session, and what a front end needs to drive it.
pub struct Started<'c> {
    pub session: Session,
    pub rt: Handle,
    /// How payloads are shown, secrets hidden.
    pub view: Arc<View>,
    /// Whether the user has asked to stop once already (the line editor tells it of a Ctrl-C
    /// it read as a key).
    pub stop: StopSignals,
    pub config: &'c SessionConfig,
    /// With `--record`: what a front end that ends the process itself (interactive mode's
    /// printer) must finish first, so the history holds the whole session.
    pub recorder: Option<Arc<Recorder>>,
}

/// Runs the session `config` describes: opens it, lets `drive` feed and print it, and returns
/// the exit code. `drive` returns `Some(code)` when it knows the code (output failed, messages
/// refused), `None` for the code of the session's own outcome.
pub fn run(
    config: &SessionConfig,
    rt: &Handle,
    drive: impl FnOnce(&Started<'_>) -> Option<u8>,
) -> u8 {
    let view = Arc::new(
        config
            .output
            .view(config.redaction.redactor(&config.spec.url)),
    );
    let started = match start(config, rt, view) {
        Ok(started) => started,
        Err(code) => return code,
    };
    let code = drive(&started).unwrap_or_else(|| final_code(&started.session));
    let Started {
        session,
        view,
        recorder,
        ..
    } = started;
    let code = judged(code, &session, config.server_close, &view.redactor);
    match recorder {
        Some(recorder) => {
            // Everything the session did is in the history before the process ends.
            let close = &config.end.close;
            let _ = rt.block_on(session.close(close.code, &close.reason));
            let recorded = rt.block_on(recorder.finish(crate::history_cmd::RECORD_FLUSH));
            crate::history_cmd::exit_code_after_recording(code, !recorded)
        }
        None => code,
    }
}

/// Opens the recorder (with `--record`), then the session, records it and installs the
/// polite stop; or says why not (with `config.label`) and returns the exit code.
fn start<'c>(config: &'c SessionConfig, rt: &Handle, view: Arc<View>) -> Result<Started<'c>, u8> {
    let label = config.label;
    let recorder = match &config.record {
        None => None,
        Some(recording) => match crate::history_cmd::recorder_for(recording.history.clone(), rt) {
            Ok(recorder) => Some(recorder),
            Err(e) => {
                eprintln!("{label}: {e:#}");
                return Err(exit::HISTORY);
            }
        },
    };
    let url = crate::history_cmd::recorded_url(&config.spec, &view.redactor);
    let engine = Engine::new();
    let spec = config.spec.clone();
    let session = match rt.block_on(async { engine.open(spec) }) {
        Ok(s) => s,
        Err(e) => {
            let line = printer::escape_controls(&e.to_string()).into_owned();
            eprintln!("{label}: {}", view.redactor.redact(&line));
            return Err(exit::code_for(&e));
        }
    };
    if let Some(recorder) = &recorder {
        let _runtime = rt.enter();
        drop(recorder.record(&session, url, None, config.redaction.history_shapes()));
    }
    // Ctrl-C, SIGTERM and SIGHUP close politely (the history gets the whole session); a
    // second one exits at once.
    let stop = {
        let session = session.clone();
        let close = config.end.close.clone();
        crate::signals::on_stop(rt, move || async move {
            // Nobody may be reading any more: do not hold the socket back.
            session.log().set_pacing(0);
            let _ = session.close(close.code, &close.reason).await;
        })
    };
    Ok(Started {
        session,
        rt: rt.clone(),
        view,
        stop,
        config,
        recorder: recorder.map(Arc::new),
    })
}

/// The exit code of a session that is over, judged by `policy`: its error's code, else 11
/// when the server closed with an error code (said on stderr), else 0.
pub fn session_code(session: &Session, policy: ServerClosePolicy, redactor: &Redactor) -> u8 {
    judged(final_code(session), session, policy, redactor)
}

/// `code` judged by `policy`: a clean end becomes 11 when the server closed with an error code.
fn judged(code: u8, session: &Session, policy: ServerClosePolicy, redactor: &Redactor) -> u8 {
    match policy {
        ServerClosePolicy::AnyCloseOk => code,
        ServerClosePolicy::ErrorCodeFails => code_after_server_close(code, session, redactor),
    }
}

/// The exit code once the session is over.
pub fn final_code(session: &Session) -> u8 {
    match session.last_error() {
        Some(e) => exit::code_for(&e),
        None => exit::OK,
    }
}

/// `code`, unless the session otherwise ended well and the server closed with an error code:
/// then exit code 11, said on stderr.
fn code_after_server_close(code: u8, session: &Session, redactor: &Redactor) -> u8 {
    match (code, server_close_error(session)) {
        (exit::OK, Some(close)) => {
            let line = format!("wsdeck: exit code 11: {close} (--any-close-ok exits 0)");
            eprintln!("{}", redactor.redact(&line));
            exit::SERVER_CLOSED_WITH_ERROR
        }
        _ => code,
    }
}

/// The server's close frame when it means something went wrong: a code other than 1000
/// (normal) and 1001 (going away), sent by a server that closed first, or in answer to our
/// close with another code than ours. Read from the end of the log (the last connection).
fn server_close_error(session: &Session) -> Option<ServerClose> {
    let log = session.log();
    let mut events = Vec::new();
    log.read(log.next_seq().saturating_sub(16), 16, &mut events);
    let mut sent = None;
    let mut received = None;
    let mut initiator = None;
    for event in &events {
        match &event.kind {
            EventKind::Connecting { .. } => (sent, received, initiator) = (None, None, None),
            EventKind::Closing {
                direction: Direction::Out,
                code,
                ..
            } => sent = sent.or(Some(*code)),
            EventKind::Closing {
                direction: Direction::In,
                code: Some(code),
                reason,
            } => received = Some((*code, reason.clone())),
            EventKind::Closed { initiator: i, .. } => initiator = Some(*i),
            _ => {}
        }
    }
    let (code, reason) = received?;
    let answered_ours =
        initiator == Some(wsdeck_engine::Initiator::Local) && sent.flatten() == Some(code);
    (!matches!(code, 1000 | 1001) && !answered_ours).then_some(ServerClose { code, reason })
}

/// A close frame from the server with an error code.
#[derive(Debug, PartialEq, Eq)]
struct ServerClose {
    code: u16,
    reason: String,
}

impl std::fmt::Display for ServerClose {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = printer::close_code_name(self.code).trim_matches(['(', ')']);
        write!(f, "the server closed the connection with {}", self.code)?;
        if !name.is_empty() {
            write!(f, " ({name})")?;
        }
        if !self.reason.is_empty() {
            write!(f, ": {}", printer::escape_controls(&self.reason))?;
        }
        Ok(())
    }
}

/// Counts received messages against --once / --max-messages.
#[derive(Debug)]
pub struct ExitCondition {
    limit: Option<u64>,
    seen: u64,
}

impl ExitCondition {
    /// Counts towards `limit` received messages (none: no limit).
    pub fn after(limit: Option<u64>) -> Self {
        ExitCondition { limit, seen: 0 }
    }

    /// Whether more received messages should be shown.
    pub fn wants_more(&self) -> bool {
        self.limit.is_none_or(|l| self.seen < l)
    }

    /// Counts an event; true when this event reaches the limit.
    pub fn count(&mut self, event: &Event) -> bool {
        if let EventKind::Message {
            direction: Direction::In,
            ..
        } = event.kind
        {
            self.seen += 1;
            return self.limit == Some(self.seen);
        }
        false
    }
}
