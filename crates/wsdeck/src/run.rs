//! `wsdeck run`: a saved request from the workspace (`wsdeck-workspace`), connected, its
//! saved messages sent in order (each after its delay), and what comes back printed the way
//! `wsdeck connect` prints it in a pipe, then a polite close. For CI: the exit code says
//! whether it connected, and whether every saved message could be sent.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, Parser};
use tokio::runtime::Handle;
use wsdeck_engine::{Engine, RequestSpec, SettingsPatch};
use wsdeck_format::environment::{Environment as VarEnvironment, Variable, parse_var_arg};
use wsdeck_workspace::{
    MessageFormat, RequestDoc, RequestId, Workspace, WorkspaceError, default_data_dir,
};

use crate::compose::{Composed, Composer, SendFormat};
use crate::connect::{ConnectArgs, final_code, print_until_end};
use crate::exit;
use crate::printer::{Printer, View};
use crate::redact::Redactor;
use crate::vars::Variables;

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
    /// .env.toml (e.g. staging). Secret values come from the data folder.
    #[arg(long = "env", value_name = "NAME")]
    pub env: Option<String>,

    /// A request-local variable NAME=VALUE, winning over the environment (repeatable).
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,

    /// How long to wait for answers after the last saved message, in ms.
    #[arg(long, value_name = "MS", default_value_t = 1000)]
    pub wait: u64,

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
    let data_dir = default_data_dir()
        .ok_or_else(|| "no data folder: set WSDECK_DATA_DIR, XDG_DATA_HOME or HOME".to_owned())?;
    let here = std::env::current_dir().map_err(|e| format!("no current folder: {e}"))?;
    let as_file = Path::new(&args.request);
    let (workspace, id) = if args.request.ends_with(".wsdeck.toml") {
        let file = as_file
            .canonicalize()
            .map_err(|e| format!("{}: {e}", as_file.display()))?;
        let start = file.parent().unwrap_or(&here);
        let workspace = Workspace::discover(start, args.workspace.clone(), &data_dir)
            .map_err(|e| e.to_string())?;
        let id = id_of_file(&workspace, &file)?;
        (workspace, id)
    } else {
        let workspace = Workspace::discover(&here, args.workspace.clone(), &data_dir)
            .map_err(|e| e.to_string())?;
        let id = RequestId::parse(&args.request).map_err(|e| e.to_string())?;
        (workspace, id)
    };
    let request = workspace.load_request(&id).map_err(|e| match e {
        WorkspaceError::NotFound { .. } => format!(
            "no saved request {id} in the workspace {} (requests are collections/…/NAME.wsdeck.toml)",
            workspace.root().display()
        ),
        other => other.to_string(),
    })?;
    let local = args
        .vars
        .iter()
        .map(|v| parse_var_arg(v).map_err(|e| format!("--var: {e}")))
        .collect::<Result<Vec<_>, _>>()?;
    let mut variables = Variables {
        local,
        ..Variables::default()
    };
    if let Some(slug) = &args.env {
        let env = workspace
            .load_environment(slug)
            .map_err(|e| e.to_string())?;
        variables = variables.with_environment(to_var_environment(&env));
    }
    let spec = variables.resolve_spec(&spec_of(&request.doc))?;
    Ok((spec, request.doc.messages, variables))
}

/// The request id of a file under the workspace's collections folder.
fn id_of_file(workspace: &Workspace, file: &Path) -> Result<RequestId, String> {
    let collections = workspace
        .collections_dir()
        .canonicalize()
        .unwrap_or_else(|_| workspace.collections_dir());
    let rel = file.strip_prefix(&collections).map_err(|_| {
        format!(
            "{} is not in the collections folder of the workspace {} (pass --workspace DIR)",
            file.display(),
            workspace.root().display()
        )
    })?;
    let text = rel.to_string_lossy();
    let text = text.trim_end_matches(".wsdeck.toml");
    RequestId::parse(text).map_err(|e| e.to_string())
}

/// The environment as the format crate resolves with it.
fn to_var_environment(env: &wsdeck_workspace::Environment) -> VarEnvironment {
    let mut out = VarEnvironment::new(env.name.clone());
    out.variables = env
        .variables
        .iter()
        .map(|v| Variable {
            name: v.name.clone(),
            value: v.value.clone(),
            secret: v.secret,
            enabled: v.enabled,
        })
        .collect();
    out
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

/// `wsdeck connect`'s pipe printing, reused: its flags as if given on a command line.
#[derive(Debug, Parser)]
struct PrintFlags {
    #[command(flatten)]
    connect: ConnectArgs,
}

fn connect_and_send(
    args: &RunArgs,
    rt: &Handle,
    spec: RequestSpec,
    messages: Vec<wsdeck_workspace::SavedMessage>,
    variables: Variables,
) -> u8 {
    let mut argv = vec!["wsdeck-run".to_owned(), spec.url.clone()];
    if args.jsonl {
        argv.push("--jsonl".into());
    }
    if args.verbose {
        argv.push("--verbose".into());
    }
    let flags = match PrintFlags::try_parse_from(&argv) {
        Ok(f) => f.connect,
        Err(e) => {
            eprintln!("wsdeck run: {e}");
            return exit::INTERNAL;
        }
    };
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
            pretty: false,
            hexdump: false,
            redactor,
        }),
    );
    let recorder = match crate::history_cmd::recorder_for(args.record, args.history.clone(), rt) {
        Ok(recorder) => recorder,
        Err(e) => {
            eprintln!("wsdeck run: {e:#}");
            return exit::USAGE;
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
        drop(recorder.record(&session, url, None, secret_values));
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
    let code =
        print_until_end(&flags, &session, rt, printer).unwrap_or_else(|| final_code(&session));
    if let Some(recorder) = recorder {
        // Everything the session did is in the history before the process ends.
        let _ = rt.block_on(session.close(Some(1000), ""));
        rt.block_on(recorder.finish(crate::history_cmd::RECORD_FLUSH));
    }
    if code == exit::OK && refused.load(std::sync::atomic::Ordering::Acquire) > 0 {
        return exit::USAGE;
    }
    code
}
