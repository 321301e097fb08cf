//! `wsdeck connect`'s flags, and what they mean: a checked [`ConnectConfig`] (the request,
//! its output, how stdin feeds it, how it ends), built once. Nothing below this module sees
//! the flags: the session runner, the pipe and the interactive mode are built from the config.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use tokio::runtime::Handle;
use wsdeck_engine::{KeyPassphrase, RequestSpec, Retention, Settings, TlsSettings};

use crate::compose::{ComposeConfig, Composer, SendFormat};
use crate::exit;
use crate::printer::Style;
use crate::session_config::{
    AfterStdin, CloseFrame, ConfigError, ConnectConfig, Mode, Output, PrintEnd, Recording,
    Redaction, ServerClosePolicy, SessionConfig, StdinFeed, StdinSource, Terminal,
};
use crate::session_runner;
use crate::split::{Cut, SplitMode};
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
    fn spec(&self) -> RequestSpec {
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

    /// Whether the end of stdin ends the connection (after `--wait`). Not with --no-close, and
    /// not when --once / --max-messages say how many answers to wait for (unless -E says so).
    fn closes_after_stdin(&self) -> bool {
        !self.no_close && (self.exit_on_eof || (!self.once && self.max_messages.is_none()))
    }

    /// Where stdin messages end: `--split`, else lines, or read chunks for raw binary.
    fn split_mode(&self) -> SplitMode {
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
    fn check(&self) -> Result<(), ConfigError> {
        if self.split == Some(SplitMode::Chunk) && !self.sends_raw_bytes() {
            return Err(ConfigError::SplitChunkNeedsBinary);
        }
        if self.chunk_size == 0 || self.chunk_size > usize::MAX as u64 {
            return Err(ConfigError::ChunkSize);
        }
        if self.ping_timeout == Some(0) {
            return Err(ConfigError::PingTimeoutZero);
        }
        if self.ping_interval == Some(0) && self.ping_timeout.is_some() {
            return Err(ConfigError::PingTimeoutNeedsPings);
        }
        Ok(())
    }

    /// The session these flags describe, checked once: every combination that cannot work,
    /// the close frame, the variables and the request are refused here, before anything is
    /// opened, so nothing below needs the flags.
    pub fn config(&self) -> Result<ConnectConfig, ConfigError> {
        self.check()?;
        let close = CloseFrame::checked(self.close_code, self.close_reason.clone())?;
        let interactive = self.interactive
            || (!self.jsonl
                && self.send.is_empty()
                && std::io::stdin().is_terminal()
                && std::io::stdout().is_terminal());
        let variables = Variables::load(VariableFlags {
            vars: &self.vars,
            secrets: &self.secrets,
            env: self.env.as_deref(),
            globals: self.globals.as_deref(),
            workspace: self.workspace.as_deref(),
        })
        .map_err(ConfigError::Variables)?;
        let spec = variables
            .resolve_spec(&self.spec())
            .map_err(ConfigError::Request)?;
        let mode = if interactive {
            Mode::Interactive(Terminal {
                color: !self.no_color,
            })
        } else {
            Mode::Pipe(self.stdin_feed(&close))
        };
        let session = SessionConfig {
            label: "wsdeck",
            spec,
            redaction: Redaction::of(&variables),
            variables: Arc::new(variables),
            output: self.output(),
            end: PrintEnd {
                max_messages: if self.once {
                    Some(1)
                } else {
                    self.max_messages
                },
                close,
            },
            server_close: ServerClosePolicy::from_any_close_ok(self.any_close_ok),
            record: self.record.then(|| Recording {
                history: self.history.clone(),
            }),
        };
        Ok(ConnectConfig {
            session,
            compose: self.compose(),
            mode,
        })
    }

    /// How events are printed: the flags, and where stdout goes.
    fn output(&self) -> Output {
        Output {
            style: if self.jsonl {
                Style::Jsonl
            } else {
                Style::Plain
            },
            verbose: self.verbose,
            pretty: self.pretty,
            hexdump: self.hexdump,
            terminal: std::io::stdout().is_terminal(),
            separator: self.split_mode().separator(),
        }
    }

    /// How stdin lines, `-x` messages and typed lines become messages.
    fn compose(&self) -> ComposeConfig {
        ComposeConfig {
            // Raw binary stdin is sent byte for byte: no {{variable}} is looked for in it.
            templates: !self.no_vars && !self.sends_raw_bytes(),
            format: self.send_format,
            binary: self.binary,
        }
    }

    /// How the pipe mode feeds stdin (and `-x`) to the session, and what its end does.
    fn stdin_feed(&self, close: &CloseFrame) -> StdinFeed {
        StdinFeed {
            given: self.send.clone(),
            cut: self.cut(),
            unit: if self.split_mode() == SplitMode::Line {
                "line"
            } else {
                "message"
            },
            // `-x TEXT` typed at a terminal: the messages are the input; a terminal is not read.
            source: if self.send.is_empty() || !std::io::stdin().is_terminal() {
                StdinSource::Read
            } else {
                StdinSource::Ignore
            },
            after_eof: if self.closes_after_stdin() {
                AfterStdin::CloseWhenIdle {
                    idle: Duration::from_millis(self.wait),
                    close: close.clone(),
                }
            } else {
                AfterStdin::StayOpen
            },
        }
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
    let ConnectConfig {
        session,
        compose,
        mode,
    } = match args.config() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("wsdeck: {e}");
            return exit::USAGE;
        }
    };
    for warning in session.redaction.short_secret_warnings() {
        eprintln!("wsdeck: {warning}");
    }
    let composer = Composer::new(session.variables.clone(), compose);
    session_runner::run(&session, &rt, |started| match mode {
        Mode::Interactive(terminal) => crate::interactive::run(started, terminal, composer),
        Mode::Pipe(feed) => crate::pipe::run(started, feed, composer),
    })
}
