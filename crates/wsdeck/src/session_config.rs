//! What one session of `wsdeck connect` or `wsdeck run` is to do, checked once.
//!
//! As ripgrep turns its flags into `HiArgs` before building anything, the commands turn their
//! clap structs (`ConnectArgs`, `RunArgs` and a saved request) into a [`SessionConfig`] and
//! stop there: the session runner, the pipe, the stdin pump, the stdout watch and the
//! interactive mode are built from these parts and never see a flag. A combination of flags
//! that cannot work is a [`ConfigError`] here, before anything is opened or connected.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use wsdeck_engine::{EngineError, RequestSpec};

use crate::compose::ComposeConfig;
use crate::printer::{Printer, Style, View};
use crate::redact::{Redactor, SHORT_SECRET};
use crate::split::Cut;
use crate::vars::Variables;

/// One session, whoever asked for it: the request, how it is shown, how it ends, what is
/// recorded and what is hidden.
#[derive(Debug)]
pub struct SessionConfig {
    /// How wsdeck's own lines on stderr start (`wsdeck`, `wsdeck run`), so a script's log says
    /// which command spoke.
    pub label: &'static str,
    /// The request with every `{{variable}}` already resolved.
    pub spec: RequestSpec,
    /// The variables messages are composed with (a stdin line, a saved message, a typed line).
    pub variables: Arc<Variables>,
    /// The secret values hidden in everything shown or recorded.
    pub redaction: Redaction,
    /// How events are printed.
    pub output: Output,
    /// When wsdeck ends the session, and with which close frame.
    pub end: PrintEnd,
    /// What a server's close with an error code means for the exit code.
    pub server_close: ServerClosePolicy,
    /// Where the session is recorded (`--record`); `None`: not recorded.
    pub record: Option<Recording>,
}

/// Secret values, in the form every consumer of them needs: a [`Redactor`] for printed
/// output, every encoded shape for the history, and a warning for values so short that
/// masking them masks ordinary text too.
#[derive(Debug, Clone, Default)]
pub struct Redaction {
    pub secrets: Vec<String>,
}

impl Redaction {
    /// The secrets of `variables` (whatever scope made them secret).
    pub fn of(variables: &Variables) -> Self {
        Redaction {
            secrets: variables
                .secret_values()
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
        }
    }

    /// The redactor of printed output: the secrets, and the credentials in `url`.
    pub fn redactor(&self, url: &str) -> Redactor {
        Redactor::new(self.secrets.iter().map(String::as_str)).with_url_credentials(url)
    }

    /// Every shape of every secret value, for the history (which masks the strings it is
    /// given, and a secret may be sent base64- or URL-encoded).
    pub fn history_shapes(&self) -> Vec<String> {
        self.secrets
            .iter()
            .flat_map(|s| wsdeck_api::secret_shapes(s))
            .collect()
    }

    /// One warning per secret short enough that masking it hides ordinary output too.
    pub fn short_secret_warnings(&self) -> impl Iterator<Item = String> + '_ {
        self.secrets
            .iter()
            .map(|s| s.chars().count())
            .filter(|&chars| chars < SHORT_SECRET)
            .map(|chars| {
                format!(
                    "warning: a secret variable's value is only {chars} character(s) long: every occurrence of it in the output will be shown as ****"
                )
            })
    }
}

/// How events are printed, decided from the flags and from where stdout goes.
#[derive(Debug, Clone)]
pub struct Output {
    /// Plain lines, or one JSON object per event (`--jsonl`).
    pub style: Style,
    /// In plain style, connection events on stderr too (`-v`).
    pub verbose: bool,
    /// Beautify received JSON, XML and HTML (`--pretty`).
    pub pretty: bool,
    /// Messages as hexdumps (`--hexdump`).
    pub hexdump: bool,
    /// Stdout is a terminal: received data is escaped, never written raw.
    pub terminal: bool,
    /// What follows each received message in raw pipe output (what `--split` cut stdin at).
    pub separator: &'static [u8],
}

impl Output {
    /// Plain lines or JSON lines, with the default view (no `--pretty`, `--hexdump`, lines
    /// separated by `\n`): `wsdeck run`'s output.
    pub fn plain(style: Style, verbose: bool) -> Self {
        Output {
            style,
            verbose,
            pretty: false,
            hexdump: false,
            terminal: std::io::IsTerminal::is_terminal(&std::io::stdout()),
            separator: b"\n",
        }
    }

    /// The view of message payloads, hiding what `redactor` hides.
    pub fn view(&self, redactor: Redactor) -> View {
        View {
            pretty: self.pretty,
            hexdump: self.hexdump,
            redactor,
            terminal: self.terminal,
            separator: self.separator,
        }
    }

    /// The pipe printer of this output over `view`.
    pub fn printer(&self, view: Arc<View>) -> Printer {
        Printer::new(self.style == Style::Jsonl, self.verbose, view)
    }
}

/// A close frame wsdeck sends when it ends a connection (`--close-code`, `--close-reason`),
/// checked: a code that may be sent, a reason that fits in the frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloseFrame {
    pub code: Option<u16>,
    pub reason: String,
}

impl CloseFrame {
    /// 1000 (normal closure) without a reason: what `wsdeck run` and the defaults send.
    pub fn normal() -> Self {
        CloseFrame {
            code: Some(1000),
            reason: String::new(),
        }
    }

    /// `code` and `reason` as the flags gave them, or why they cannot be sent.
    pub fn checked(code: u16, reason: String) -> Result<Self, ConfigError> {
        wsdeck_engine::validate_close_code(code).map_err(ConfigError::CloseCode)?;
        if reason.len() > 123 {
            return Err(ConfigError::CloseReasonTooLong(reason.len()));
        }
        Ok(CloseFrame {
            code: Some(code),
            reason,
        })
    }
}

/// How a printed session ends on wsdeck's side: after how many received messages (`--once`,
/// `-n`; none: when the server or stdin ends it) and with which close. What the printers
/// (the pipe's and the terminal's) need of the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrintEnd {
    pub max_messages: Option<u64>,
    pub close: CloseFrame,
}

impl PrintEnd {
    /// No message limit; wsdeck closes with 1000 and no reason.
    pub fn normal() -> Self {
        PrintEnd {
            max_messages: None,
            close: CloseFrame::normal(),
        }
    }
}

/// What the server's close frame means for the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerClosePolicy {
    /// A close with an error code (not 1000 or 1001) exits 11: the server said something
    /// went wrong, and a script should hear it.
    ErrorCodeFails,
    /// Any close exits 0 (`--any-close-ok`), for servers that close with their own codes.
    AnyCloseOk,
}

impl ServerClosePolicy {
    pub fn from_any_close_ok(any_close_ok: bool) -> Self {
        if any_close_ok {
            ServerClosePolicy::AnyCloseOk
        } else {
            ServerClosePolicy::ErrorCodeFails
        }
    }
}

/// `--record`: the history the session goes to.
#[derive(Debug, Clone, Default)]
pub struct Recording {
    /// `--history FILE`; `None`: history.db in the data folder.
    pub history: Option<PathBuf>,
}

/// `wsdeck connect`: a session, how messages are composed, and who drives it.
#[derive(Debug)]
pub struct ConnectConfig {
    pub session: SessionConfig,
    pub compose: ComposeConfig,
    pub mode: Mode,
}

/// Who drives a `wsdeck connect` session.
#[derive(Debug)]
pub enum Mode {
    /// A person at a terminal: the line editor.
    Interactive(Terminal),
    /// A program: stdin into messages, received messages onto stdout.
    Pipe(StdinFeed),
}

/// The interactive mode's own settings.
#[derive(Debug, Clone, Copy)]
pub struct Terminal {
    /// Colours in the event lines (off with `--no-color`).
    pub color: bool,
}

/// How the pipe mode feeds the session: `-x` messages first, then stdin cut into messages,
/// then what the end of stdin means.
#[derive(Debug, Clone)]
pub struct StdinFeed {
    /// `-x TEXT` messages, sent in order once connected.
    pub given: Vec<String>,
    /// Where one stdin message ends (`--split`, `--chunk-size`).
    pub cut: Cut,
    /// What one stdin message is called in errors ("stdin line 3", "stdin message 3").
    pub unit: &'static str,
    /// Whether stdin is read at all.
    pub source: StdinSource,
    /// What the end of stdin does to the connection.
    pub after_eof: AfterStdin,
}

/// Whether the pipe reads stdin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StdinSource {
    Read,
    /// `-x TEXT` typed at a terminal: the messages are the input, and a terminal would wait
    /// for a person who is not typing.
    Ignore,
}

/// What the end of stdin does to the connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AfterStdin {
    /// Once no message has come or gone for `idle` (`--wait`), close with `close`.
    CloseWhenIdle { idle: Duration, close: CloseFrame },
    /// Stay connected until the server, the message limit or Ctrl-C ends it (`--no-close`,
    /// or `--once` / `-n` waiting for their answers).
    StayOpen,
}

/// Flags that cannot work together, or values that cannot be used, worded for the user.
#[derive(Debug)]
pub enum ConfigError {
    SplitChunkNeedsBinary,
    /// 0, or more than this machine can address.
    ChunkSize,
    PingTimeoutZero,
    PingTimeoutNeedsPings,
    CloseCode(EngineError),
    /// The reason's length in bytes.
    CloseReasonTooLong(usize),
    /// `--var`, `--secret`, `--env`, `--globals` could not be read (already worded).
    Variables(String),
    /// The request's `{{variables}}` could not be resolved (already worded).
    Request(String),
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConfigError::SplitChunkNeedsBinary => f.write_str(
                "--split chunk cuts stdin anywhere, even inside a character: use it with -b (binary), or use --split line or whole",
            ),
            ConfigError::ChunkSize => {
                f.write_str("--chunk-size must be at least 1 byte (e.g. 64K)")
            }
            ConfigError::PingTimeoutZero => {
                f.write_str("--ping-timeout 0 would never time out: leave it out instead")
            }
            ConfigError::PingTimeoutNeedsPings => {
                f.write_str("--ping-timeout needs pings: give --ping-interval MS (not 0)")
            }
            ConfigError::CloseCode(e) => write!(f, "--close-code: {e}"),
            ConfigError::CloseReasonTooLong(len) => write!(
                f,
                "--close-reason is {len} bytes; at most 123 bytes fit in a close frame"
            ),
            ConfigError::Variables(why) | ConfigError::Request(why) => f.write_str(why),
        }
    }
}

impl std::error::Error for ConfigError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ConfigError::CloseCode(e) => Some(e),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_frames_that_cannot_be_sent_are_refused_with_the_flag() {
        assert_eq!(
            CloseFrame::checked(4000, "bye".into()).expect("valid"),
            CloseFrame {
                code: Some(4000),
                reason: "bye".into()
            }
        );
        let e = CloseFrame::checked(999, String::new()).expect_err("999 is reserved");
        assert!(e.to_string().starts_with("--close-code: "), "{e}");
        let e = CloseFrame::checked(1000, "x".repeat(124)).expect_err("too long");
        assert_eq!(
            e.to_string(),
            "--close-reason is 124 bytes; at most 123 bytes fit in a close frame"
        );
    }

    #[test]
    fn short_secrets_are_warned_about_once_each() {
        let redaction = Redaction {
            secrets: vec!["ab".into(), "a long enough secret".into()],
        };
        let warnings: Vec<String> = redaction.short_secret_warnings().collect();
        assert_eq!(warnings.len(), 1);
        assert!(
            warnings[0].contains("only 2 character(s)"),
            "{}",
            warnings[0]
        );
    }
}
