//! `wsdeck run`: a saved request from the workspace (`wsdeck-workspace`), connected, its
//! saved messages sent in order (each after its delay), and what comes back printed the way
//! `wsdeck connect` prints it in a pipe, then a polite close. For CI: the exit code says
//! whether it connected, and whether every saved message could be sent.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use tokio::runtime::Handle;
use wsdeck_engine::{Engine, RequestSpec, SettingsPatch};
use wsdeck_workspace::{MessageFormat, RequestDoc, RequestId, WorkspaceError};

use crate::compose::{Composed, Composer, SendFormat};
use crate::connect::{PrintEnd, all_shapes, final_code, print_until_end};
use crate::exit;
use crate::printer::{Printer, View};
use crate::redact::Redactor;
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
        Ok((spec, messages, variables)) => connect_and_send(&args, &rt, spec, messages, variables),
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
    let s = &doc.settings;
    spec.settings.apply(&SettingsPatch {
        handshake_timeout_ms: s.handshake_timeout_ms,
        follow_redirects: s.follow_redirects,
        max_redirects: s.max_redirects,
        reconnect_attempts: s.reconnect_attempts,
        reconnect_interval_ms: s.reconnect_interval_ms,
        max_message_size: s.max_message_size,
        auto_pong: s.auto_pong,
        close_timeout_ms: None,
        tls_verify: s.tls_verify,
    });
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

fn connect_and_send(
    args: &RunArgs,
    rt: &Handle,
    spec: RequestSpec,
    messages: Vec<wsdeck_workspace::SavedMessage>,
    variables: Variables,
) -> u8 {
    let variables = Arc::new(variables);
    let secret_values: Vec<String> = variables
        .secret_values()
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    let redactor =
        Redactor::new(secret_values.iter().map(String::as_str)).with_url_credentials(&spec.url);
    let printer = Printer::new(
        args.jsonl,
        args.verbose,
        Arc::new(View {
            redactor,
            terminal: std::io::stdout().is_terminal(),
            ..View::default()
        }),
    );
    let recorder = match crate::history_cmd::recorder_for(args.record, args.history.clone(), rt) {
        Ok(recorder) => recorder,
        Err(e) => {
            eprintln!("wsdeck run: {e:#}");
            return exit::HISTORY;
        }
    };
    let url = crate::history_cmd::recorded_url(&spec, &printer.view.redactor);
    let engine = Engine::new();
    let session = match rt.block_on(async { engine.open(spec) }) {
        Ok(s) => s,
        Err(e) => {
            eprintln!(
                "wsdeck run: {}",
                printer.view.redactor.redact(&e.to_string())
            );
            return exit::code_for(&e);
        }
    };
    if let Some(recorder) = &recorder {
        let _runtime = rt.enter();
        drop(recorder.record(&session, url, None, all_shapes(&secret_values)));
    }
    let refused = Arc::new(std::sync::atomic::AtomicU64::new(0));
    {
        let session = session.clone();
        let refused = refused.clone();
        let wait = Duration::from_millis(args.wait);
        let view = printer.view.clone();
        rt.spawn(async move {
            if session.wait_open().await.is_err() {
                return;
            }
            let mut composer = Composer::new(variables, true, SendFormat::Text, false);
            for (i, m) in messages.iter().enumerate() {
                if let Some(ms) = m.delay_ms.filter(|ms| *ms > 0) {
                    tokio::time::sleep(Duration::from_millis(ms)).await;
                }
                composer.format = send_format(m.format);
                let payload = match composer.compose(&m.body) {
                    Composed::Send(p) => p,
                    Composed::SendWithWarnings(p, warnings) => {
                        for w in warnings {
                            eprintln!("wsdeck run: message {} ({}): warning: {w}", i + 1, m.name);
                        }
                        p
                    }
                    Composed::Refused(why) => {
                        eprintln!(
                            "wsdeck run: message {} ({}) was not sent: {}",
                            i + 1,
                            m.name,
                            view.redactor.redact(&why)
                        );
                        refused.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
                        continue;
                    }
                };
                if let Err(e) = session.send(payload).await {
                    eprintln!(
                        "wsdeck run: message {} ({}) was not sent: {e}",
                        i + 1,
                        m.name
                    );
                    refused.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
                }
            }
            tokio::time::sleep(wait).await;
            let _ = session.close(Some(1000), "").await;
        });
    }
    // Ctrl-C, SIGTERM and SIGHUP close politely (the history gets the whole session); a
    // second one exits at once.
    {
        let session = session.clone();
        crate::signals::on_stop(rt, move || async move {
            session.log().set_pacing(0);
            let _ = session.close(Some(1000), "").await;
        });
    }
    let view = printer.view.clone();
    let code = print_until_end(&PrintEnd::normal(), &session, rt, printer)
        .unwrap_or_else(|| final_code(&session));
    let code = if args.any_close_ok {
        code
    } else {
        crate::connect::code_after_server_close(code, &session, &view.redactor)
    };
    if let Some(recorder) = recorder {
        // Everything the session did is in the history before the process ends.
        let _ = rt.block_on(session.close(Some(1000), ""));
        let recorded = rt.block_on(recorder.finish(crate::history_cmd::RECORD_FLUSH));
        if !recorded {
            return crate::history_cmd::exit_code_after_recording(code, true);
        }
    }
    if code == exit::OK && refused.load(std::sync::atomic::Ordering::Acquire) > 0 {
        return exit::USAGE;
    }
    code
}
