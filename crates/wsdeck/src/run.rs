//! `wsdeck run`: a saved request from the workspace (`wsdeck-workspace`), connected, its
//! saved messages sent in order (each after its delay), and what comes back printed the way
//! `wsdeck connect` prints it in a pipe, then a polite close. For CI: the exit code says
//! whether it connected, and whether every saved message could be sent.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use clap::Args;
use tokio::runtime::Handle;
use wsdeck_engine::RequestSpec;
use wsdeck_workspace::{MessageFormat, RequestDoc, RequestId, WorkspaceError};

use crate::compose::{ComposeConfig, ComposeReport, Composer, SendFormat};
use crate::exit;
use crate::pipe::print_until_end;
use crate::printer::Style;
use crate::redact::Redactor;
use crate::session_config::{
    Output, PrintEnd, Recording, Redaction, ServerClosePolicy, SessionConfig,
};
use crate::session_runner::{self, Started};
use crate::vars::{VariableFlags, Variables};
use crate::workspace_args;

/// Flags of `wsdeck run`.
#[derive(Debug, Args)]
#[command(after_help = "\
The request is a file (collections/chat/login.wsdeck.toml) or its id in the workspace
(chat/login). The workspace is --workspace DIR, else the nearest .wsdeck/ folder upward from
here, else the one in wsdeck's data folder (WSDECK_DATA_DIR, $XDG_DATA_HOME/wsdeck or
~/.local/share/wsdeck). Exit codes are those of wsdeck connect; 2 also when a saved message
could not be sent (an undefined {{variable}}, invalid JSON for a JSON message, bad hex).")]
pub struct RunArgs {
    /// The saved request: a .wsdeck.toml file or an id such as chat/login.
    pub request: String,

    /// The workspace folder (default: a .wsdeck/ found upward, else the data folder's).
    #[arg(long, value_name = "DIR")]
    pub workspace: Option<PathBuf>,

    /// The environment whose variables fill {{…}}: its file name in environments/ without
    /// .env.toml (e.g. staging; secret values come from the data folder), or an environment
    /// file (wsdeck or Postman export).
    #[arg(long = "env", value_name = "NAME")]
    pub env: Option<String>,

    /// A request-local variable NAME=VALUE, winning over the environment (repeatable).
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,

    /// A request-local secret variable NAME=VALUE: sent, and shown as **** everywhere else
    /// (repeatable). A --var whose name is secret in the environment is secret too.
    #[arg(long = "secret", value_name = "NAME=VALUE")]
    pub secrets: Vec<String>,

    /// How long to wait for answers after the last saved message, in ms.
    #[arg(long, value_name = "MS", default_value_t = 1000, allow_negative_numbers = true,
        value_parser = crate::units::whole_number::<u64>)]
    pub wait: u64,

    /// Exit 0 whatever close code the server sends (by default a close with an error code,
    /// anything but 1000 or 1001, exits with 11, as for wsdeck connect).
    #[arg(long)]
    pub any_close_ok: bool,

    /// Print one JSON object per event (as wsdeck connect --jsonl).
    #[arg(long)]
    pub jsonl: bool,

    /// Also report connection events on stderr.
    #[arg(short = 'v', long)]
    pub verbose: bool,

    /// Record this session in the history (see wsdeck history), secrets masked.
    #[arg(long)]
    pub record: bool,

    /// The history database for --record (default: history.db in the data folder).
    #[arg(long, value_name = "FILE", requires = "record")]
    pub history: Option<PathBuf>,
}

/// Runs a saved request; returns the exit code.
pub fn run(args: RunArgs, rt: Handle) -> u8 {
    match prepare(&args) {
        Ok((spec, messages, variables)) => {
            let feed = SavedFeed {
                messages,
                wait: Duration::from_millis(args.wait),
            };
            connect_and_send(&config(&args, spec, variables), &rt, feed)
        }
        Err(why) => {
            eprintln!("wsdeck run: {why}");
            exit::USAGE
        }
    }
}

/// The resolved request, its saved messages and the variables, or a worded error.
fn prepare(
    args: &RunArgs,
) -> Result<(RequestSpec, Vec<wsdeck_workspace::SavedMessage>, Variables), String> {
    let as_file = Path::new(&args.request);
    let (workspace, doc) = if as_file.is_file() || args.request.ends_with(".toml") {
        // A request file, wherever it is; `--env NAME` is looked up in the workspace found
        // from its folder.
        let file = as_file.canonicalize().map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => format!(
                "{}: no such request file (give the path of a .wsdeck.toml file, or a saved \
                 request's id such as chat/login)",
                as_file.display()
            ),
            _ => format!("{}: cannot read the request file: {e}", as_file.display()),
        })?;
        let folder = file.parent().unwrap_or(Path::new("/"));
        let workspace = workspace_args::discover_from(folder, args.workspace.as_deref())?;
        let doc = wsdeck_workspace::read_request_doc(&file).map_err(|e| e.to_string())?;
        (workspace, doc)
    } else {
        let workspace = workspace_args::discover(args.workspace.as_deref())?;
        let id = RequestId::parse(&args.request).map_err(|e| e.to_string())?;
        let request = workspace.load_request(&id).map_err(|e| match e {
            WorkspaceError::NotFound { .. } => {
                let ids = workspace_args::request_ids(&workspace);
                format!(
                    "no saved request {id} in the workspace {} (requests are collections/…/NAME.wsdeck.toml){}",
                    workspace.root().display(),
                    crate::suggest::did_you_mean(&args.request, ids.iter().map(String::as_str))
                )
            }
            other => other.to_string(),
        })?;
        (workspace, request.doc)
    };
    let variables = Variables::load(VariableFlags {
        vars: &args.vars,
        secrets: &args.secrets,
        env: args.env.as_deref(),
        globals: None,
        workspace: Some(workspace.root()),
    })?;
    let spec = variables.resolve_spec(&spec_of(&doc))?;
    Ok((spec, doc.messages, variables))
}

/// A saved request as the engine takes it (disabled params and headers left out).
fn spec_of(doc: &RequestDoc) -> RequestSpec {
    let mut spec = RequestSpec::new(doc.url.clone());
    spec.params = doc
        .params
        .iter()
        .filter(|p| p.enabled)
        .map(|p| (p.key.clone(), p.value.clone()))
        .collect();
    spec.headers = doc
        .headers
        .iter()
        .filter(|h| h.enabled)
        .map(|h| (h.name.clone(), h.value.clone()))
        .collect();
    spec.protocols = doc.protocols.clone();
    spec.settings.apply(&doc.settings);
    spec
}

fn send_format(format: MessageFormat) -> SendFormat {
    match format {
        MessageFormat::Text => SendFormat::Text,
        MessageFormat::Json => SendFormat::Json,
        MessageFormat::Xml => SendFormat::Xml,
        MessageFormat::Html => SendFormat::Html,
        MessageFormat::BinaryHex => SendFormat::Hex,
        MessageFormat::BinaryBase64 => SendFormat::Base64,
    }
}

/// The session of a saved request: printed as `wsdeck connect` prints a pipe (no view
/// options), closed with 1000 after the saved messages.
fn config(args: &RunArgs, spec: RequestSpec, variables: Variables) -> SessionConfig {
    SessionConfig {
        label: "wsdeck run",
        spec,
        redaction: Redaction::of(&variables),
        variables: Arc::new(variables),
        output: Output::plain(
            if args.jsonl {
                Style::Jsonl
            } else {
                Style::Plain
            },
            args.verbose,
        ),
        end: PrintEnd::normal(),
        server_close: ServerClosePolicy::from_any_close_ok(args.any_close_ok),
        record: args.record.then(|| Recording {
            history: args.history.clone(),
        }),
    }
}

/// The saved messages and the quiet after them.
struct SavedFeed {
    messages: Vec<wsdeck_workspace::SavedMessage>,
    /// How long answers are waited for after the last message (`--wait`).
    wait: Duration,
}

fn connect_and_send(config: &SessionConfig, rt: &Handle, feed: SavedFeed) -> u8 {
    let refused = Arc::new(AtomicU64::new(0));
    let code = session_runner::run(config, rt, |started| {
        spawn_saved_messages(started, feed, refused.clone());
        let printer = config.output.printer(started.view.clone());
        print_until_end(&config.end, &started.session, &started.rt, printer)
    });
    if code == exit::OK && refused.load(Ordering::Acquire) > 0 {
        return exit::USAGE;
    }
    code
}

/// Sends the saved messages in order once the session is open (each after its delay),
/// waits `feed.wait` for answers, then closes. Messages that cannot be sent are said on
/// stderr and counted in `refused`.
fn spawn_saved_messages(started: &Started<'_>, feed: SavedFeed, refused: Arc<AtomicU64>) {
    let session = started.session.clone();
    let view = started.view.clone();
    let variables = started.config.variables.clone();
    let close = started.config.end.close.clone();
    started.rt.spawn(async move {
        if session.wait_open().await.is_err() {
            return;
        }
        let mut composer = Composer::new(variables, ComposeConfig::text());
        for (i, m) in feed.messages.iter().enumerate() {
            if let Some(ms) = m.delay_ms.filter(|ms| *ms > 0) {
                tokio::time::sleep(Duration::from_millis(ms)).await;
            }
            composer.format = send_format(m.format);
            let report = SavedReport {
                number: i + 1,
                name: &m.name,
                redactor: &view.redactor,
                refused: &refused,
            };
            let Some(payload) = composer.compose(&m.body).into_payload(&report) else {
                continue;
            };
            if let Err(e) = session.send(payload).await {
                report.not_sent(&e.to_string());
            }
        }
        tokio::time::sleep(feed.wait).await;
        let _ = session.close(close.code, &close.reason).await;
    });
}

/// `wsdeck run`'s words for a saved message: its number and name, and the reason (secrets
/// hidden) when it was not sent.
struct SavedReport<'a> {
    number: usize,
    name: &'a str,
    redactor: &'a Redactor,
    refused: &'a AtomicU64,
}

impl SavedReport<'_> {
    fn not_sent(&self, why: &str) {
        eprintln!(
            "wsdeck run: message {} ({}) was not sent: {why}",
            self.number, self.name
        );
        self.refused.fetch_add(1, Ordering::AcqRel);
    }
}

impl ComposeReport for SavedReport<'_> {
    fn warning(&self, warning: &str) {
        eprintln!(
            "wsdeck run: message {} ({}): warning: {warning}",
            self.number, self.name
        );
    }

    fn refused(&self, why: &str) {
        self.not_sent(&self.redactor.redact(why));
    }
}
