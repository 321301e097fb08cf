//! `wsdeck connect`: flags → RequestSpec, then an interactive or a pipe session.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use clap::Args;
use tokio::runtime::Handle;
use wsdeck_engine::{
    Direction, Engine, EngineError, Event, EventKind, KeyPassphrase, LogCursor, Payload,
    RequestSpec, Retention, Session, Settings, TlsSettings,
};

use crate::compose::{Composed, Composer, SendFormat};
use crate::exit;
use crate::printer::{self, Printer, Sink, Style, View};
use crate::redact::{Redactor, SHORT_SECRET};
use crate::split::{Cut, MessageReader, SplitMode};
use crate::units::{parse_header, parse_key_value, parse_size};
use crate::vars::{VariableFlags, Variables};

/// The long description of `wsdeck connect --help`.
pub const LONG_ABOUT: &str = "Connect to a WebSocket server.

On a terminal it is interactive: type a line to send it; /ping, /pong, /close, /binary, /format and \
/help are commands; incoming and outgoing messages are shown with their local time.

In a pipe (stdin or stdout not a terminal) each stdin line is sent as one message and each \
received message is printed as one line on stdout; errors go to stderr. -b sends stdin byte for \
byte (64 KiB chunks; --split says where messages end) and writes received messages back to \
back. With --jsonl every \
event (connecting, open, messages, pings, closing, closed, errors) is one JSON object per line. \
-x TEXT sends a message once connected, before any stdin line (at a terminal, stdin is then \
not read). When stdin ends, the connection is closed once replies stop coming (--wait MS of \
quiet, default 1000); --no-close stays connected until the server closes; --once and \
--max-messages end after that many received messages. A server close with an error code \
(not 1000 or 1001) exits 11; see the exit codes below.

{{variables}} work in the URL, --param, -H, -s and every message: --var NAME=VALUE (--secret for \
a secret one), --env NAME|FILE (a workspace environment, a wsdeck environment file or a Postman \
environment export) and --globals FILE define them, in that order of precedence; {{$timestamp}}, {{$isoTimestamp}}, {{$randomUUID}}, {{$randomInt}} and \
other Postman dynamic variables give a fresh value each time. An undefined variable is an error \
that names it; \\{{ writes a literal {{. Values of secret variables are shown as ****.

Examples:
  wsdeck connect ws://127.0.0.1:9001/echo
  wsdeck connect ws://127.0.0.1:9001/echo -x '{\"op\":\"ping\"}' --once
  printf 'a\\nb\\n' | wsdeck connect ws://127.0.0.1:9001/echo
  wsdeck connect ws://127.0.0.1:9001/echo -b < photo.jpg > copy.jpg
  wsdeck connect ws://127.0.0.1:9001/stream --no-close < /dev/null > stream.log
  wsdeck connect wss://host/path -H 'Authorization: Bearer x' -s graphql-ws --jsonl
  wsdeck connect 'ws://{{host}}/echo' --env staging.json --var host=127.0.0.1:9001 --pretty
  echo '{\"id\": \"{{$randomUUID}}\"}' | wsdeck connect ws://127.0.0.1:9001/echo --send-format json";

/// Bytes of events the printer may leave unwritten before the socket is no longer read.
const PIPE_PACING_BYTES: u64 = 1024 * 1024;

/// Flags of `wsdeck connect`.
#[derive(Debug, Args)]
pub struct ConnectArgs {
    /// ws:// or wss:// URL.
    pub url: String,

    /// Handshake header 'Name: value' (repeatable).
    #[arg(short = 'H', long = "header", value_name = "NAME: VALUE", value_parser = parse_header)]
    pub headers: Vec<(String, String)>,

    /// Query parameter key=value added to the URL (repeatable).
    #[arg(long = "param", value_name = "KEY=VALUE", value_parser = parse_key_value)]
    pub params: Vec<(String, String)>,

    /// Subprotocol to offer (repeatable, or comma-separated), in order of preference.
    #[arg(
        short = 's',
        long = "protocol",
        value_name = "NAME",
        value_delimiter = ','
    )]
    pub protocols: Vec<String>,

    /// Origin header (shortcut for -H 'Origin: …').
    #[arg(long)]
    pub origin: Option<String>,

    /// Handshake timeout per redirect hop, in milliseconds (0 = none).
    #[arg(long, value_name = "MS", default_value_t = Settings::default().handshake_timeout_ms, allow_negative_numbers = true,
        value_parser = crate::units::whole_number::<u64>)]
    pub handshake_timeout: u64,

    /// Follow redirects answered to the upgrade request (default on).
    #[arg(long, overrides_with = "no_follow_redirects")]
    pub follow_redirects: bool,

    /// Do not follow redirects: a 3xx answer is an error.
    #[arg(long, overrides_with = "follow_redirects")]
    pub no_follow_redirects: bool,

    /// Most redirects to follow.
    #[arg(long, value_name = "N", default_value_t = Settings::default().max_redirects, allow_negative_numbers = true,
        value_parser = crate::units::whole_number::<u32>)]
    pub max_redirects: u32,

    /// Reconnect this many times after an unexpected close or a failed connect.
    #[arg(long, value_name = "N", default_value_t = 0, allow_negative_numbers = true,
        value_parser = crate::units::whole_number::<u32>)]
    pub reconnect_attempts: u32,

    /// Pause before each reconnection, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = Settings::default().reconnect_interval_ms, allow_negative_numbers = true,
        value_parser = crate::units::whole_number::<u64>)]
    pub reconnect_interval: u64,

    /// Largest message accepted, in bytes or with K/M/G (0 = unlimited).
    #[arg(long, value_name = "SIZE", default_value = "64M", value_parser = parse_size)]
    pub max_message_size: u64,

    /// Do not answer pings automatically (to test a server's timeout logic).
    #[arg(long)]
    pub no_auto_pong: bool,

    /// Send a ping every MS milliseconds (keepalive).
    #[arg(long, value_name = "MS", allow_negative_numbers = true,
        value_parser = crate::units::whole_number::<u64>)]
    pub ping_interval: Option<u64>,

    /// With --ping-interval: give up when nothing has arrived MS milliseconds after a ping
    /// (a dead connection; exit code 12).
    #[arg(long, value_name = "MS", requires = "ping_interval", allow_negative_numbers = true,
        value_parser = crate::units::whole_number::<u64>)]
    pub ping_timeout: Option<u64>,

    /// Extra CA certificate(s) to trust, PEM.
    #[arg(long, value_name = "FILE")]
    pub ca: Option<PathBuf>,

    /// Client certificate chain for mutual TLS, PEM (with --key).
    #[arg(long, value_name = "FILE", requires = "key")]
    pub cert: Option<PathBuf>,

    /// Private key of --cert, PEM (an ENCRYPTED PRIVATE KEY needs its passphrase).
    #[arg(long, value_name = "FILE", requires = "cert")]
    pub key: Option<PathBuf>,

    /// File whose first line is the passphrase of an encrypted --key (or set
    /// WSDECK_KEY_PASSPHRASE; never a plain value: it would show in `ps`).
    #[arg(long, value_name = "FILE", requires = "key", value_parser = read_key_passphrase)]
    pub key_passphrase_file: Option<KeyPassphrase>,

    /// Do not verify the server's certificate (dangerous: anyone can impersonate it).
    #[arg(short = 'k', long)]
    pub insecure: bool,

    /// Pipe mode: send stdin as binary messages, byte for byte (by default each read of
    /// stdin, at most --chunk-size, is one message; see --split), and write received
    /// messages raw with nothing added between them.
    #[arg(short = 'b', long)]
    pub binary: bool,

    /// Where one stdin message ends: line (the default; the \n, and for text a \r before it,
    /// is not sent), null (at NUL bytes, websocat's -0), chunk (each read of stdin, at most
    /// --chunk-size bytes; the default with -b), whole (all of stdin, sent when it ends).
    /// Received messages are written followed by the same separator (none for chunk/whole).
    #[arg(long, value_enum, value_name = "MODE")]
    pub split: Option<SplitMode>,

    /// The largest message --split chunk makes (with K/M/G).
    #[arg(long, value_name = "SIZE", default_value = "64K", value_parser = parse_size)]
    pub chunk_size: u64,

    /// Record this session in the history (see wsdeck history): every event, in full.
    #[arg(long)]
    pub record: bool,

    /// The history database for --record (default: history.db in the data folder).
    #[arg(long, value_name = "FILE", requires = "record")]
    pub history: Option<PathBuf>,

    /// Print every event as one JSON object per line on stdout.
    #[arg(long)]
    pub jsonl: bool,

    /// Send TEXT once connected (repeatable, in order; --send-format and {{variables}}
    /// apply), before any stdin line. With a terminal on stdin, stdin is then not read, so
    /// -E closes right after (e.g. `-x '{"op":"ping"}' -1`, or `-x hello -E --wait 1000`).
    #[arg(
        short = 'x',
        long = "send",
        value_name = "TEXT",
        conflicts_with = "interactive"
    )]
    pub send: Vec<String>,

    /// Close the connection once stdin has ended and the replies have stopped (the default;
    /// kept for scripts written for older versions).
    #[arg(short = 'E', long, conflicts_with = "no_close")]
    pub exit_on_eof: bool,

    /// Stay connected after stdin ends, until the server closes (or --once, --max-messages,
    /// Ctrl-C): to record a stream, `wsdeck connect URL --no-close < /dev/null > log`.
    #[arg(long, visible_alias = "keep-open")]
    pub no_close: bool,

    /// Exit after the first received message.
    #[arg(short = '1', long)]
    pub once: bool,

    /// Exit after N received messages.
    #[arg(short = 'n', long, value_name = "N", value_parser = crate::units::parse_count)]
    pub max_messages: Option<u64>,

    /// After stdin ends, close once no message has come or gone for this long (an idle
    /// time: replies that keep coming keep the connection open). 0 closes at once; replies
    /// the server sends before its close frame are still printed.
    #[arg(
        long,
        value_name = "MS",
        default_value_t = 1000,
        conflicts_with = "no_close",
        allow_negative_numbers = true,
        value_parser = crate::units::whole_number::<u64>
    )]
    pub wait: u64,

    /// Exit 0 whatever close code the server sends (by default a close with an error code,
    /// anything but 1000 or 1001, exits with 11).
    #[arg(long)]
    pub any_close_ok: bool,

    /// Close code sent when wsdeck closes the connection.
    #[arg(long, value_name = "CODE", default_value_t = 1000, allow_negative_numbers = true,
        value_parser = crate::units::whole_number::<u16>)]
    pub close_code: u16,

    /// Close reason sent when wsdeck closes the connection.
    #[arg(long, value_name = "TEXT", default_value = "")]
    pub close_reason: String,

    /// Define a {{variable}} for this request: NAME=VALUE (repeatable; wins over --env).
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,

    /// A request-local secret variable NAME=VALUE: sent, and shown as **** everywhere else
    /// (repeatable). A --var whose name is secret in the environment is secret too.
    #[arg(long = "secret", value_name = "NAME=VALUE")]
    pub secrets: Vec<String>,

    /// Environment: one of the workspace's environments by name (as `wsdeck run --env`; its
    /// secret values come from the data folder), a wsdeck environment file or a Postman
    /// environment export (JSON).
    #[arg(long = "env", value_name = "NAME|FILE")]
    pub env: Option<String>,

    /// The workspace folder where --env NAME is looked up (default: a .wsdeck/ found upward,
    /// else the data folder's).
    #[arg(long, value_name = "DIR")]
    pub workspace: Option<PathBuf>,

    /// Globals: a wsdeck environment file or a Postman globals export (lowest precedence).
    #[arg(long = "globals", value_name = "FILE")]
    pub globals: Option<PathBuf>,

    /// Send messages as typed: no {{variable}} substitution in messages (the URL, params and
    /// headers are still resolved).
    #[arg(long)]
    pub no_vars: bool,

    /// How each stdin (or typed) line is read: text as it is; json / xml validated (invalid
    /// lines are reported and not sent); html checked (warnings only); hex / base64 decoded
    /// and sent as binary.
    #[arg(long, value_enum, value_name = "FORMAT", default_value = "text")]
    pub send_format: SendFormat,

    /// Beautify received JSON, XML and HTML (a view for people: a message may span lines).
    #[arg(long, conflicts_with_all = ["jsonl", "hexdump"])]
    pub pretty: bool,

    /// Show every message as a hexdump (offset, hex bytes, ASCII).
    #[arg(long, conflicts_with = "jsonl")]
    pub hexdump: bool,

    /// In pipe mode, also report connection events (open, close, pings) on stderr.
    #[arg(short = 'v', long)]
    pub verbose: bool,

    /// Force interactive mode even when stdin or stdout is not a terminal.
    #[arg(long, conflicts_with = "jsonl")]
    pub interactive: bool,

    /// No colours in interactive mode.
    #[arg(long)]
    pub no_color: bool,
}

impl ConnectArgs {
    /// The engine request these flags describe.
    pub fn spec(&self) -> RequestSpec {
        let mut headers = self.headers.clone();
        if let Some(origin) = &self.origin {
            headers.push(("Origin".into(), origin.clone()));
        }
        RequestSpec {
            url: self.url.clone(),
            params: self.params.clone(),
            headers,
            // An empty one (`-s ''`, `-s a,`) is kept: the engine refuses it by name.
            protocols: self.protocols.iter().map(|p| p.trim().to_owned()).collect(),
            settings: Settings {
                handshake_timeout_ms: self.handshake_timeout,
                follow_redirects: !self.no_follow_redirects || self.follow_redirects,
                max_redirects: self.max_redirects,
                reconnect_attempts: self.reconnect_attempts,
                reconnect_interval_ms: self.reconnect_interval,
                max_message_size: self.max_message_size,
                auto_pong: !self.no_auto_pong,
                tls: TlsSettings {
                    verify: !self.insecure,
                    ca_file: self.ca.clone(),
                    client_cert: self.cert.clone(),
                    client_key: self.key.clone(),
                    key_passphrase: self
                        .key_passphrase_file
                        .clone()
                        .or_else(key_passphrase_from_env),
                },
                // The printer is a lossless reader: when stdout is slower than the server,
                // reading from the socket pauses (TCP slows the server) instead of dropping
                // messages, as netcat or websocat would.
                pacing_bytes: PIPE_PACING_BYTES,
                retention: self.retention(),
                ping_interval_ms: self.ping_interval.unwrap_or(0),
                ping_timeout_ms: self.ping_timeout.unwrap_or(0),
                ..Settings::default()
            },
        }
    }

    /// How much of the session stays in memory. The printer reads each event once and
    /// acknowledges it, so a few megabytes past the pacing window keep a pipe fed (a pipe tool
    /// should not need a 64 MiB log to forward lines); a recorded session keeps more, so the
    /// history's writer may fall behind for a while without missing anything.
    fn retention(&self) -> Retention {
        if self.record {
            Retention {
                max_events: 4_000_000,
                max_bytes: 64 * 1024 * 1024,
            }
        } else {
            Retention {
                max_events: 65_536,
                max_bytes: 4 * PIPE_PACING_BYTES as usize,
            }
        }
    }

    /// The close code wsdeck sends when it ends the connection (--close-code).
    pub fn close_code(&self) -> Option<u16> {
        Some(self.close_code)
    }

    /// Whether the end of stdin ends the connection (after `--wait`). Not with --no-close, and
    /// not when --once / --max-messages say how many answers to wait for (unless -E says so).
    fn closes_after_stdin(&self) -> bool {
        !self.no_close && (self.exit_on_eof || (!self.once && self.max_messages.is_none()))
    }

    /// Where stdin messages end: `--split`, else lines, or read chunks for raw binary.
    pub fn split_mode(&self) -> SplitMode {
        self.split.unwrap_or(if self.sends_raw_bytes() {
            SplitMode::Chunk
        } else {
            SplitMode::Line
        })
    }

    /// `-b` without a --send-format that reads text: stdin's bytes are the messages, so
    /// nothing (no {{variable}}, no line ending) may change them.
    fn sends_raw_bytes(&self) -> bool {
        self.binary && self.send_format == SendFormat::Text
    }

    /// How the stdin reader cuts messages.
    fn cut(&self) -> Cut {
        match self.split_mode() {
            SplitMode::Line => Cut::Delimiter {
                byte: b'\n',
                strip_cr: !self.sends_raw_bytes(),
            },
            SplitMode::Null => Cut::Delimiter {
                byte: 0,
                strip_cr: false,
            },
            SplitMode::Chunk => Cut::Chunk(self.chunk_size as usize),
            SplitMode::Whole => Cut::Whole(if self.max_message_size == 0 {
                u64::MAX
            } else {
                self.max_message_size
            }),
        }
    }

    /// Flag combinations that cannot work, worded for the user.
    fn check(&self) -> Result<(), String> {
        if self.split == Some(SplitMode::Chunk) && !self.sends_raw_bytes() {
            return Err(
                "--split chunk cuts stdin anywhere, even inside a character: use it with -b (binary), or use --split line or whole".into(),
            );
        }
        if self.chunk_size == 0 || self.chunk_size > usize::MAX as u64 {
            return Err("--chunk-size must be at least 1 byte (e.g. 64K)".into());
        }
        if self.ping_timeout == Some(0) {
            return Err("--ping-timeout 0 would never time out: leave it out instead".into());
        }
        if self.ping_interval == Some(0) && self.ping_timeout.is_some() {
            return Err("--ping-timeout needs pings: give --ping-interval MS (not 0)".into());
        }
        Ok(())
    }
}

/// `--key-passphrase-file`: the file's first line (clap names the flag in any error).
fn read_key_passphrase(path: &str) -> Result<KeyPassphrase, String> {
    std::fs::read(path)
        .map(|contents| KeyPassphrase::from_file_contents(&contents))
        .map_err(|e| format!("cannot read the passphrase file: {e}"))
}

/// `WSDECK_KEY_PASSPHRASE`, byte for byte, when set.
fn key_passphrase_from_env() -> Option<KeyPassphrase> {
    let value = std::env::var_os("WSDECK_KEY_PASSPHRASE")?;
    #[cfg(unix)]
    let bytes = std::os::unix::ffi::OsStrExt::as_bytes(value.as_os_str()).to_vec();
    #[cfg(not(unix))]
    let bytes = value.to_string_lossy().into_owned().into_bytes();
    Some(KeyPassphrase::new(bytes))
}

/// Runs `wsdeck connect` to the end and returns the exit code.
pub fn run(args: ConnectArgs, rt: Handle) -> u8 {
    if let Err(why) = args.check() {
        eprintln!("wsdeck: {why}");
        return exit::USAGE;
    }
    if let Err(e) = wsdeck_engine::validate_close_code(args.close_code) {
        eprintln!("wsdeck: --close-code: {e}");
        return exit::USAGE;
    }
    if args.close_reason.len() > 123 {
        eprintln!(
            "wsdeck: --close-reason is {} bytes; at most 123 bytes fit in a close frame",
            args.close_reason.len()
        );
        return exit::USAGE;
    }
    let interactive = args.interactive
        || (!args.jsonl
            && args.send.is_empty()
            && std::io::stdin().is_terminal()
            && std::io::stdout().is_terminal());
    let variables = match Variables::load(VariableFlags {
        vars: &args.vars,
        secrets: &args.secrets,
        env: args.env.as_deref(),
        globals: args.globals.as_deref(),
        workspace: args.workspace.as_deref(),
    }) {
        Ok(v) => Arc::new(v),
        Err(e) => {
            eprintln!("wsdeck: {e}");
            return exit::USAGE;
        }
    };
    let spec = match variables.resolve_spec(&args.spec()) {
        Ok(spec) => spec,
        Err(e) => {
            eprintln!("wsdeck: {e}");
            return exit::USAGE;
        }
    };
    let secrets = variables.secret_values();
    for short in secrets.iter().filter(|s| s.chars().count() < SHORT_SECRET) {
        eprintln!(
            "wsdeck: warning: a secret variable's value is only {} character(s) long: every occurrence of it in the output will be shown as ****",
            short.chars().count()
        );
    }
    let secret_values: Vec<String> = secrets.iter().map(|s| (*s).to_owned()).collect();
    let redactor = Redactor::new(secrets).with_url_credentials(&spec.url);
    let view = Arc::new(View {
        pretty: args.pretty,
        hexdump: args.hexdump,
        redactor,
        terminal: std::io::stdout().is_terminal(),
        separator: args.split_mode().separator(),
    });
    // Raw binary stdin is sent byte for byte: no {{variable}} is looked for in it.
    let composer = Composer::new(
        variables.clone(),
        !args.no_vars && !args.sends_raw_bytes(),
        args.send_format,
        args.binary,
    );
    let recorder = match crate::history_cmd::recorder_for(args.record, args.history.clone(), &rt) {
        Ok(recorder) => recorder,
        Err(e) => {
            eprintln!("wsdeck: {e:#}");
            return exit::HISTORY;
        }
    };
    let url = crate::history_cmd::recorded_url(&spec, &view.redactor);
    let engine = Engine::new();
    let session = match rt.block_on(async { engine.open(spec) }) {
        Ok(s) => s,
        Err(e) => {
            let line = printer::escape_controls(&e.to_string()).into_owned();
            eprintln!("wsdeck: {}", view.redactor.redact(&line));
            return exit::code_for(&e);
        }
    };
    if let Some(recorder) = &recorder {
        let _runtime = rt.enter();
        drop(recorder.record(&session, url, None, all_shapes(&secret_values)));
    }
    // Ctrl-C, SIGTERM and SIGHUP close politely; a second one exits at once.
    let stop = {
        let session = session.clone();
        let code = args.close_code();
        let reason = args.close_reason.clone();
        crate::signals::on_stop(&rt, move || async move {
            // Nobody may be reading any more: do not hold the socket back.
            session.log().set_pacing(0);
            let _ = session.close(code, &reason).await;
        })
    };

    let code = if interactive {
        crate::interactive::run(
            &args,
            &session,
            &rt,
            !args.no_color,
            view.clone(),
            composer,
            &stop,
        )
    } else {
        run_pipe(&args, &session, &rt, view.clone(), composer)
    };
    let code = code.unwrap_or_else(|| final_code(&session));
    let code = if args.any_close_ok {
        code
    } else {
        code_after_server_close(code, &session, &view.redactor)
    };
    if let Some(recorder) = recorder {
        // Everything the session did is in the history before the process ends.
        let _ = rt.block_on(session.close(args.close_code(), &args.close_reason));
        let recorded = rt.block_on(recorder.finish(crate::history_cmd::RECORD_FLUSH));
        return crate::history_cmd::exit_code_after_recording(code, !recorded);
    }
    code
}

/// Every shape of every secret value, for the history (which masks the strings it is given).
pub fn all_shapes(secrets: &[String]) -> Vec<String> {
    secrets
        .iter()
        .flat_map(|s| wsdeck_api::secret_shapes(s))
        .collect()
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
pub fn code_after_server_close(code: u8, session: &Session, redactor: &Redactor) -> u8 {
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
pub fn server_close_error(session: &Session) -> Option<ServerClose> {
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
pub struct ServerClose {
    pub code: u16,
    pub reason: String,
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

/// How a printed session ends on wsdeck's side: after how many received messages (`--once`,
/// `-n`; none: when the server or stdin ends it) and with which close. What the printer
/// needs of the command line, so `wsdeck run` and interactive mode need no `ConnectArgs`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrintEnd {
    pub max_messages: Option<u64>,
    pub close_code: Option<u16>,
    pub close_reason: String,
}

impl PrintEnd {
    /// The end `wsdeck connect`'s flags ask for.
    pub fn of(args: &ConnectArgs) -> Self {
        PrintEnd {
            max_messages: if args.once {
                Some(1)
            } else {
                args.max_messages
            },
            close_code: args.close_code(),
            close_reason: args.close_reason.clone(),
        }
    }

    /// No message limit; wsdeck closes with 1000 and no reason.
    pub fn normal() -> Self {
        PrintEnd {
            max_messages: None,
            close_code: Some(1000),
            close_reason: String::new(),
        }
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

fn run_pipe(
    args: &ConnectArgs,
    session: &Session,
    rt: &Handle,
    view: Arc<View>,
    composer: Composer,
) -> Option<u8> {
    let printer = Printer::new(args.jsonl, args.verbose, view);
    let refused = Arc::new(AtomicU64::new(0));
    let opened = rt.block_on(session.wait_open());
    if opened.is_ok() {
        spawn_stdin_pump(args, session.clone(), rt.clone(), composer, refused.clone());
        watch_stdout_reader(args, session.clone(), rt.clone());
    }
    // Print everything the session records, including a failed open, until it ends.
    let code = print_until_end(&PrintEnd::of(args), session, rt, printer);
    // Lines that could not be sent were reported one by one; the exit code says so too.
    let refused = refused.load(Ordering::Acquire);
    if code.is_none() && refused > 0 && final_code(session) == exit::OK {
        eprintln!("wsdeck: {refused} message(s) were not sent (see above)");
        return Some(exit::USAGE);
    }
    code
}

/// Reads the session log from the start and prints it until the session is over.
pub(crate) fn print_until_end(
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
                let _ = rt.block_on(session.close(end.close_code, &end.close_reason));
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
        let _ = session.close(end.close_code, &end.close_reason).await;
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

/// Reads stdin on its own thread and sends each message (`--split`) in batches. Messages
/// that cannot be sent (an undefined variable, invalid JSON, bad hex, …) are reported with
/// their number and counted in `refused`. When stdin ends, the connection is closed once it
/// has gone idle (`--wait`), unless `--no-close`.
fn spawn_stdin_pump(
    args: &ConnectArgs,
    session: Session,
    rt: Handle,
    mut composer: Composer,
    refused: Arc<AtomicU64>,
) {
    let end = args.closes_after_stdin().then(|| EndAfterStdin {
        idle: Duration::from_millis(args.wait),
        code: args.close_code(),
        reason: args.close_reason.clone(),
    });
    let given = args.send.clone();
    let cut = args.cut();
    let unit = if args.split_mode() == SplitMode::Line {
        "line"
    } else {
        "message"
    };
    // `-x TEXT` typed at a terminal: the messages are the input; a terminal is not read.
    let read_stdin = given.is_empty() || !std::io::stdin().is_terminal();
    std::thread::spawn(move || {
        let payloads: Vec<Payload> = given
            .iter()
            .enumerate()
            .filter_map(|(i, text)| {
                let what = || format!("--send message {}", i + 1);
                sent_or_said(composer.compose(text), &what, &refused)
            })
            .collect();
        if !payloads.is_empty() {
            let count = payloads.len();
            if let Err(e) = rt.block_on(session.send_batch(payloads)) {
                eprintln!("wsdeck: {count} --send message(s) not sent: {e}");
                return;
            }
        }
        let input: Box<dyn std::io::Read> = if read_stdin {
            widen_stdin_pipe();
            Box::new(std::io::stdin().lock())
        } else {
            Box::new(std::io::empty())
        };
        let mut reader = MessageReader::new(input, cut);
        let mut number: u64 = 0;
        loop {
            let batch = match reader.next_batch() {
                Ok(Some(batch)) => batch,
                Ok(None) => break,
                Err(e) => {
                    eprintln!("wsdeck: {e}");
                    refused.fetch_add(1, Ordering::Release);
                    break;
                }
            };
            let payloads: Vec<Payload> = batch
                .into_iter()
                .filter_map(|message| {
                    number += 1;
                    let what = || format!("stdin {unit} {number}");
                    sent_or_said(composer.compose_bytes(message), &what, &refused)
                })
                .collect();
            // While reconnecting, stdin waits for the new connection.
            if !wait_until_open(&session) {
                return;
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
                    return;
                }
            }
        }
        if let Some(end) = end {
            end.close_when_idle(&session, &rt);
        }
    });
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

/// The payload of a composed message, or none: warnings and refusals are said on stderr,
/// naming the message (`what`, e.g. "stdin line 3"), and refusals counted.
fn sent_or_said(
    composed: Composed,
    what: &dyn Fn() -> String,
    refused: &AtomicU64,
) -> Option<Payload> {
    match composed {
        Composed::Send(payload) => Some(payload),
        Composed::SendWithWarnings(payload, warnings) => {
            for w in warnings {
                eprintln!("wsdeck: {}: {w}", what());
            }
            Some(payload)
        }
        Composed::Refused(why) => {
            refused.fetch_add(1, Ordering::Release);
            eprintln!("wsdeck: {} not sent: {why}", what());
            None
        }
    }
}

/// How the connection ends once stdin has: idle for `idle`, then a close frame.
#[derive(Debug)]
struct EndAfterStdin {
    idle: Duration,
    code: Option<u16>,
    reason: String,
}

impl EndAfterStdin {
    /// Waits until no message has gone out or come in for `idle` (what was sent last goes
    /// out first, then its replies come; a reply that keeps coming keeps the connection), then
    /// closes. Pings and pongs are not replies: a keepalive does not hold the connection open.
    fn close_when_idle(&self, session: &Session, rt: &Handle) {
        let log = session.log().clone();
        let mut seen = log.next_seq();
        while !self.idle.is_zero() {
            let idle = self.idle;
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
            let _ = rt.block_on(session.close(self.code, &self.reason));
        }
    }
}

/// Whether a message event is among the log's events `from..to` (a long run of events is
/// taken as messages without reading it: only pings and pongs are not, and they come few).
fn messages_between(log: &wsdeck_engine::SessionLog, from: u64, to: u64) -> bool {
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

/// `| head -1` on a server that then goes quiet: the next write would find the pipe closed,
/// but none may come. So a thread waits for the reader of stdout to go away (poll reports an
/// error on a pipe with no reader, a hang-up on a socket) and closes the connection then;
/// the printer ends as for `| head` (exit 0). A terminal or a file never reports either.
fn watch_stdout_reader(args: &ConnectArgs, session: Session, rt: Handle) {
    use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
    let close_code = args.close_code();
    let close_reason = args.close_reason.clone();
    std::thread::spawn(move || {
        let stdout = std::io::stdout();
        let mut fds = [PollFd::new(
            std::os::fd::AsFd::as_fd(&stdout),
            PollFlags::empty(),
        )];
        loop {
            match poll(&mut fds, PollTimeout::NONE) {
                Err(nix::errno::Errno::EINTR) => continue,
                // poll(2) itself failed: nothing to watch with; the next write still tells.
                Err(_) => return,
                Ok(_) => break,
            }
        }
        let gone = PollFlags::POLLERR | PollFlags::POLLHUP;
        if fds[0].revents().is_some_and(|r| r.intersects(gone)) {
            session.log().set_pacing(0);
            let _ = rt.block_on(session.close(close_code, &close_reason));
        }
    });
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
