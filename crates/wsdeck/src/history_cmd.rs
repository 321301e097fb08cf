//! The history in the binary: recording sessions (`Recorder`, the API's `SessionObserver`
//! for `wsdeck ui`/`serve`, and `wsdeck connect --record`) into `wsdeck-history`, and
//! `wsdeck history list|show|search|export|import|delete|prune|retention`.

mod limits;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime};

use anyhow::Context as _;
use clap::{Args, Subcommand};
use wsdeck_api::{HistoryProblem, HistoryProblemKind, HistoryProblems};
use wsdeck_engine::Session;
use wsdeck_history::{History, HistoryError, SessionFilter, SessionMeta};

use limits::{Limit, parse_days, parse_mib, parse_prune_days, parse_prune_mib};

/// Where the history lives: `<data folder>/history.db` unless `--history FILE`.
pub fn default_path() -> anyhow::Result<PathBuf> {
    let data = wsdeck_workspace::default_data_dir().ok_or_else(|| {
        anyhow::anyhow!(
            "no data folder for the history: set WSDECK_DATA_DIR, XDG_DATA_HOME or HOME"
        )
    })?;
    Ok(data.join("history.db"))
}

/// Opens the history at `path` (or the default), with an error that names the file;
/// creates it if need be (for the commands that record or store something).
pub fn open(path: Option<PathBuf>) -> anyhow::Result<History> {
    let path = match path {
        Some(p) => p,
        None => default_path()?,
    };
    History::open(&path).map_err(failure)
}

/// The recorder of `wsdeck ui` and `wsdeck serve --history`: a history that cannot be
/// opened (damaged, not a history, no data folder) does not stop them. They say what is
/// wrong on stderr now — and to every API client, the workbench's page included, with a
/// `wsdeck.historyError` notification — and run without a history until it is fixed.
pub fn server_recorder(path: Option<PathBuf>) -> Recorder {
    match open(path) {
        Ok(history) => Recorder::new(history),
        Err(e) => {
            let message = format!("{e:#}; running without a history until then");
            eprintln!("wsdeck: history: {message}");
            Recorder::unavailable(message)
        }
    }
}

/// Who writes the history, for people who found none.
const RECORDED_BY: &str =
    "sessions are recorded by `wsdeck connect --record`, `wsdeck run --record` and `wsdeck ui`";

/// Opens the history for a command that only reads or removes, creating nothing: a
/// `--history FILE` that does not exist is an error (most likely a typo, which must not be
/// answered with an empty history and new folders); the default file not existing yet means
/// nothing was recorded, so it reads as an empty history (in memory, nothing on disk).
fn open_existing(path: Option<PathBuf>) -> anyhow::Result<History> {
    let (path, named) = match path {
        Some(p) => (p, true),
        None => (default_path()?, false),
    };
    match History::open_existing(&path) {
        Err(HistoryError::NoDatabase { .. }) if !named => {
            History::open_in_memory().map_err(failure)
        }
        Err(e @ HistoryError::NoDatabase { .. }) => Err(anyhow::anyhow!(
            "{e}; {RECORDED_BY} (check the --history path)"
        )),
        other => other.map_err(failure),
    }
}

/// How long a command that records waits at exit for the history to be committed.
pub const RECORD_FLUSH: Duration = Duration::from_secs(10);

/// The recorder of `--record` (`wsdeck connect`, `wsdeck run`) into the history at `path`
/// (or the default), opened before connecting so that a bad history file stops the command
/// early; it applies the retention settings too. The error is worded for `--record`.
pub fn recorder_for(
    path: Option<PathBuf>,
    rt: &tokio::runtime::Handle,
) -> anyhow::Result<Recorder> {
    let recorder = Recorder::new(open(path).context("--record")?);
    let _runtime = rt.enter();
    recorder.keep_retention();
    Ok(recorder)
}

/// The exit code of a command that recorded: a recording that failed turns a clean `OK`
/// into [`crate::exit::HISTORY`] (what the session did is not all in the history, and a
/// script must not take it for a whole record); any other failure keeps its own code.
pub fn exit_code_after_recording(code: u8, recording_failed: bool) -> u8 {
    if recording_failed && code == crate::exit::OK {
        crate::exit::HISTORY
    } else {
        code
    }
}

/// The URL a session is recorded (and listed) under: the request's URL with its query
/// params appended, as it is connected to, with secrets and URL credentials masked.
pub fn recorded_url(
    spec: &wsdeck_engine::RequestSpec,
    redactor: &crate::redact::Redactor,
) -> String {
    let mut shown = spec.url.clone();
    if !spec.params.is_empty()
        && let Ok(mut url) = url::Url::parse(&spec.url)
    {
        url.query_pairs_mut()
            .extend_pairs(spec.params.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        shown = url.to_string();
    }
    redactor.redact(&shown).into_owned()
}

/// Records every session the API opens (the `wsdeck ui` page's, `wsdeck serve`'s clients').
///
/// Nothing it fails to record is lost silently: a write that fails (disk full, I/O error)
/// or a session that cannot be started in the history is said at once on stderr, to every
/// API client (`wsdeck.historyError`), and in the exit code of `connect`/`run --record`.
#[derive(Debug, Clone)]
pub struct Recorder {
    /// `None` when the history could not be opened: nothing is recorded.
    history: Option<History>,
    /// The recording tasks, so that a process about to exit can wait for them.
    tasks: tokio_util::task::TaskTracker,
    problems: Arc<Problems>,
}

/// What went wrong with recording, for stderr, the API's clients and the exit code.
#[derive(Debug)]
struct Problems {
    /// The latest problem; API clients watch it.
    latest: tokio::sync::watch::Sender<Option<HistoryProblem>>,
    /// Whether some session was not recorded in full.
    failed: AtomicBool,
}

impl Problems {
    fn new(initial: Option<HistoryProblem>) -> Arc<Self> {
        Arc::new(Problems {
            latest: tokio::sync::watch::Sender::new(initial),
            failed: AtomicBool::new(false),
        })
    }

    /// Says `message` on stderr at once and tells the API's clients.
    fn write_failed(&self, message: String) {
        eprintln!("wsdeck: history: {message}");
        self.failed.store(true, Ordering::Release);
        self.latest.send_replace(Some(HistoryProblem {
            kind: HistoryProblemKind::WriteFailed,
            message,
        }));
    }
}

impl Recorder {
    pub fn new(history: History) -> Self {
        let problems = Problems::new(None);
        let heard = problems.clone();
        history.on_write_failure(move |failure| heard.write_failed(failure.to_string()));
        Recorder {
            history: Some(history),
            tasks: tokio_util::task::TaskTracker::new(),
            problems,
        }
    }

    /// A recorder without a history (it could not be opened, for `reason`): records
    /// nothing, and tells every API client `reason`.
    pub fn unavailable(reason: String) -> Self {
        Recorder {
            history: None,
            tasks: tokio_util::task::TaskTracker::new(),
            problems: Problems::new(Some(HistoryProblem {
                kind: HistoryProblemKind::Unavailable,
                message: reason,
            })),
        }
    }

    /// Whether some session was not recorded in full (a write failed).
    pub fn failed(&self) -> bool {
        self.problems.failed.load(Ordering::Acquire)
    }

    /// Applies the history's retention settings now and every [`RETENTION_EVERY`] for as
    /// long as the process runs (the first pass right away, off the async threads).
    pub fn keep_retention(&self) {
        let Some(history) = self.history.clone() else {
            return;
        };
        tokio::spawn(async move {
            let mut every = tokio::time::interval(RETENTION_EVERY);
            loop {
                every.tick().await;
                let history = history.clone();
                match tokio::task::spawn_blocking(move || history.apply_retention()).await {
                    Ok(Err(e)) => eprintln!("wsdeck: history: applying retention: {e}"),
                    Ok(Ok(_)) => {}
                    Err(_) => break,
                }
            }
        });
    }

    /// Waits (at most `wait`) until every session being recorded has ended and is
    /// committed; call it after closing the sessions. Says so when some did not finish.
    /// Returns whether everything was recorded (no write failed, nothing left unfinished).
    pub async fn finish(&self, wait: Duration) -> bool {
        self.tasks.close();
        if tokio::time::timeout(wait, self.tasks.wait()).await.is_err() {
            self.problems.write_failed(format!(
                "{} sessions were still being recorded after {}s; their last events may be missing",
                self.tasks.len(),
                wait.as_secs()
            ));
        }
        !self.failed()
    }

    /// The database it records into (also read by the API's `wsdeck.history.*`); `None`
    /// when it could not be opened.
    pub fn history(&self) -> Option<&History> {
        self.history.as_ref()
    }

    /// Records `session` from its first event until it ends, in a task of its own; the task
    /// ends once everything is committed (a process about to exit waits for it).
    pub fn record(
        &self,
        session: &Session,
        url: String,
        request: Option<serde_json::Value>,
        secrets: Vec<String>,
    ) -> tokio::task::JoinHandle<()> {
        let Some(history) = self.history.clone() else {
            // Said when the history could not be opened (and to each API client).
            return tokio::spawn(async {});
        };
        let log = session.log().clone();
        let problems = self.problems.clone();
        self.tasks.spawn(async move {
            let meta = SessionMeta {
                url,
                request_json: request,
                started_at: SystemTime::now(),
                secrets,
            };
            let started = {
                let history = history.clone();
                tokio::task::spawn_blocking(move || history.start_session(meta)).await
            };
            match started {
                Ok(Ok(id)) => {
                    if let Err(e) = wsdeck_history::record_log(history.clone(), id, log).await {
                        problems.write_failed(e.to_string());
                    }
                    // A failed batch was said when it failed (the writer's listener); the
                    // flush only waits for the commit.
                    let _ = tokio::task::spawn_blocking(move || history.flush()).await;
                }
                Ok(Err(e)) => problems.write_failed(format!("this session is not recorded: {e}")),
                Err(e) => problems.write_failed(format!(
                    "this session is not recorded: the recording task failed: {e}"
                )),
            }
        })
    }
}

impl wsdeck_api::SessionObserver for Recorder {
    fn opened(&self, session: &Session, opened: wsdeck_api::OpenedSession) {
        let url = opened.request["url"].as_str().unwrap_or("").to_owned();
        // Runs as long as the session; `wsdeck ui` and `serve` end with Ctrl-C.
        drop(self.record(session, url, Some(opened.request), opened.secrets));
    }

    fn history_problems(&self) -> Option<HistoryProblems> {
        Some(self.problems.latest.subscribe())
    }
}

/// Flags of `wsdeck history`.
#[derive(Debug, Args)]
#[command(after_help = "\
The history is <data folder>/history.db (WSDECK_DATA_DIR, $XDG_DATA_HOME/wsdeck or
~/.local/share/wsdeck), written by wsdeck ui for every session and by wsdeck connect --record
and wsdeck run --record. Only import and setting retention create it; the other commands
read an existing one (a --history FILE that does not exist is an error).
Examples:
  wsdeck history list
  wsdeck history search 'error OR timeout'
  wsdeck history export 12 --har > session.har
  wsdeck history prune --older-than-days 30")]
pub struct HistoryArgs {
    /// The history database (default: history.db in the data folder).
    #[arg(long, value_name = "FILE", global = true)]
    pub history: Option<PathBuf>,

    #[command(subcommand)]
    pub command: HistoryCommand,
}

#[derive(Debug, Subcommand)]
pub enum HistoryCommand {
    /// The recorded sessions, newest first.
    List {
        /// How many.
        #[arg(short = 'n', long, default_value_t = 20)]
        limit: usize,
        /// Only sessions whose URL contains this text.
        #[arg(long, value_name = "TEXT")]
        url: Option<String>,
    },
    /// One session as JSON lines: a "session" line, then its events.
    ///
    /// Each line is what wsdeck connect --jsonl prints live and the API's
    /// wsdeck.history.events returns (the shape's version "v", then seq, time, monoMs, type
    /// and its fields; README, docs/api.md), except that payloads are shown as recorded:
    /// --jsonl masks secrets in them, the history keeps the data.
    Show {
        /// The session id (from list).
        id: i64,
    },
    /// Full-text search over every recorded text message (SQLite FTS5 syntax: words,
    /// "phrases", AND, OR, NOT, prefix*).
    Search {
        query: String,
        #[arg(short = 'n', long, default_value_t = 20)]
        limit: usize,
    },
    /// Write sessions as JSON lines (as show prints them, one session after the other) or as
    /// HAR 1.2 with _webSocketMessages.
    Export {
        /// Session ids (one or more).
        #[arg(required = true)]
        ids: Vec<i64>,
        /// HAR 1.2 (one log, an entry per connection) instead of JSON lines.
        #[arg(long)]
        har: bool,
    },
    /// Read a HAR file's WebSocket entries (Chrome's _webSocketMessages) as sessions.
    Import { file: PathBuf },
    /// Delete old sessions once: by age, by total size, or both (to delete sessions by id:
    /// delete).
    Prune {
        /// Delete sessions that ended more than DAYS ago (at least 1).
        #[arg(long, value_name = "DAYS", value_parser = parse_prune_days)]
        older_than_days: Option<u64>,
        /// Delete the oldest sessions while all together hold more than MIB (at least 1).
        #[arg(long, value_name = "MIB", value_parser = parse_prune_mib)]
        max_mib: Option<u64>,
    },
    /// Delete sessions by id (all or none; not one being recorded).
    Delete {
        #[arg(required = true)]
        ids: Vec<i64>,
    },
    /// Show, or set, how much history is kept. Stored in the history database; applied now
    /// and whenever wsdeck ui, serve, connect --record or run --record start recording, and
    /// every 10 minutes while they run. Sessions being recorded are kept and not counted.
    #[command(after_help = "\
Examples:
  wsdeck history retention                          show the settings and the size
  wsdeck history retention --max-age-days 30        keep a month
  wsdeck history retention --max-mib 2048 --max-age-days off")]
    Retention {
        /// Delete sessions that ended more than DAYS ago; `off` for no age limit.
        #[arg(long, value_name = "DAYS|off", value_parser = parse_days)]
        max_age_days: Option<Limit>,
        /// Delete the oldest sessions while all together hold more than MIB; `off` for none.
        #[arg(long, value_name = "MIB|off", value_parser = parse_mib)]
        max_mib: Option<Limit>,
    },
}

/// How often a long-running recorder applies the retention settings again.
const RETENTION_EVERY: Duration = Duration::from_secs(600);

/// What a removal deleted, in one line: `deleted 2 session(s), 14 events, 1.6 KiB`.
fn deleted(report: &wsdeck_history::PruneReport) -> String {
    format!(
        "deleted {} session(s), {} events, {}",
        report.sessions.len(),
        report.events,
        size(report.bytes)
    )
}

/// Bytes for people, in binary units: `801 B`, `12.5 KiB`, `2048.0 MiB`.
fn size(bytes: u64) -> String {
    match bytes {
        0..1024 => format!("{bytes} B"),
        1024..1_048_576 => format!("{:.1} KiB", bytes as f64 / 1024.0),
        _ => format!("{:.1} MiB", bytes as f64 / 1_048_576.0),
    }
}

/// Runs `wsdeck history …`; returns the exit code: [`crate::exit::HISTORY`] when the
/// database itself is the problem (damaged, not a history, cannot be written), else
/// [`crate::exit::USAGE`]. The error is one line.
pub fn run(args: HistoryArgs) -> u8 {
    match run_inner(args) {
        Ok(()) => crate::exit::OK,
        Err(e) => {
            let bad_file = e.chain().any(|c| {
                c.downcast_ref::<Failure>()
                    .is_some_and(|f| f.database_problem)
            });
            let text = format!("{e:#}").replace('\n', " ");
            eprintln!("wsdeck history: {text}");
            if bad_file {
                crate::exit::HISTORY
            } else {
                crate::exit::USAGE
            }
        }
    }
}

/// A history error as the binary reports it: its one-line text (the library's `Display`
/// already names the cause, so no source is chained) and whether the database is at fault.
#[derive(Debug)]
struct Failure {
    message: String,
    database_problem: bool,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failure {}

fn failure(e: HistoryError) -> anyhow::Error {
    anyhow::Error::new(Failure {
        message: e.to_string(),
        database_problem: is_database_problem(&e),
    })
}

/// Whether the history database itself is the problem, rather than what was asked of it.
fn is_database_problem(e: &HistoryError) -> bool {
    e.is_bad_file()
        || matches!(
            e,
            HistoryError::Open { .. }
                | HistoryError::Sqlite { .. }
                | HistoryError::Recorder(_)
                | HistoryError::CreateDir { .. }
                | HistoryError::CreateFile { .. }
        )
}

fn run_inner(args: HistoryArgs) -> anyhow::Result<()> {
    let history = if args.command.stores() {
        open(args.history)?
    } else {
        open_existing(args.history)?
    };
    let mut out = stdout_for_json();
    match args.command {
        HistoryCommand::List { limit, url } => list(&history, limit, url, &mut out)?,
        HistoryCommand::Show { id } => {
            wsdeck_api::export_jsonl(&history, id, &mut out).map_err(failure)?
        }
        HistoryCommand::Search { query, limit } => search(&history, &query, limit, &mut out)?,
        HistoryCommand::Export { ids, har } => export(&history, &ids, har, &mut out)?,
        HistoryCommand::Import { file } => import(&history, &file, &mut out)?,
        HistoryCommand::Prune {
            older_than_days,
            max_mib,
        } => prune(&history, older_than_days, max_mib, &mut out)?,
        HistoryCommand::Delete { ids } => {
            let report = history.delete_sessions(&ids).map_err(failure)?;
            writeln!(out, "{}", deleted(&report))?;
        }
        HistoryCommand::Retention {
            max_age_days,
            max_mib,
        } => retention(&history, max_age_days, max_mib, &mut out)?,
    }
    out.flush()?;
    Ok(())
}

impl HistoryCommand {
    /// Whether the command stores something: only those may create the database.
    fn stores(&self) -> bool {
        match self {
            HistoryCommand::Import { .. } => true,
            HistoryCommand::Retention {
                max_age_days,
                max_mib,
            } => max_age_days.is_some() || max_mib.is_some(),
            _ => false,
        }
    }
}

/// Buffered stdout. Recorded text is network text: on a terminal, JSON's raw C1 controls
/// are escaped too.
fn stdout_for_json() -> Box<dyn Write> {
    let stdout = std::io::stdout();
    let terminal = std::io::IsTerminal::is_terminal(&stdout);
    let buffered = std::io::BufWriter::new(stdout.lock());
    if terminal {
        Box::new(crate::printer::TerminalJson::new(buffered))
    } else {
        Box::new(buffered)
    }
}

/// `wsdeck history list`: one line per session, newest first; an empty answer says why.
fn list(
    history: &History,
    limit: usize,
    url: Option<String>,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let sessions = history
        .list_sessions(&SessionFilter {
            limit,
            before_id: None,
            url_contains: url.clone(),
        })
        .map_err(failure)?;
    if sessions.is_empty() {
        let recorded = history.size().map_err(failure)?;
        match url {
            Some(url) if recorded.sessions > 0 => {
                writeln!(out, "no session's URL contains {url:?}")?;
            }
            _ => writeln!(out, "no sessions recorded yet; {RECORDED_BY}")?,
        }
    }
    for s in sessions {
        writeln!(out, "{}", session_line(&s))?;
    }
    Ok(())
}

/// A session as `list` shows it: id, start, events, bytes, how it ended, URL.
fn session_line(s: &wsdeck_history::SessionSummary) -> String {
    let started = chrono::DateTime::<chrono::Local>::from(
        SystemTime::UNIX_EPOCH + Duration::from_millis(s.started_at_ms.max(0) as u64),
    );
    let close = match (s.ended_at_ms, s.close_code) {
        (None, _) => "live or cut off".to_owned(),
        (Some(_), Some(code)) => format!("closed {code}"),
        (Some(_), None) => "closed".to_owned(),
    };
    let origin = match s.imported_from() {
        Some(from) => format!("  (imported from {})", from.to_uppercase()),
        None => String::new(),
    };
    format!(
        "{:>6}  {}  {:>7} events  {:>10} B  {:<16}  {}{origin}",
        s.id,
        started.format("%Y-%m-%d %H:%M:%S"),
        s.event_count,
        s.bytes,
        close,
        crate::printer::escape_controls(&s.url)
    )
}

/// `wsdeck history search`: one line per matching message, `session:seq snippet`.
fn search(history: &History, query: &str, limit: usize, out: &mut dyn Write) -> anyhow::Result<()> {
    let hits = history.search(query, limit).map_err(failure)?;
    if hits.is_empty() {
        writeln!(out, "no message matches {query:?}")?;
    }
    for h in hits {
        // A snippet is text from the network: never raw on a terminal.
        let snippet = crate::printer::escape_controls(&h.snippet);
        writeln!(out, "{:>6}:{:<8} {snippet}", h.session_id, h.seq)?;
    }
    Ok(())
}

/// `wsdeck history export`: HAR, or JSON lines session after session.
fn export(history: &History, ids: &[i64], har: bool, out: &mut dyn Write) -> anyhow::Result<()> {
    if har {
        history.export_har(ids, out).map_err(failure)?;
    } else {
        for &id in ids {
            wsdeck_api::export_jsonl(history, id, &mut *out).map_err(failure)?;
        }
    }
    Ok(())
}

/// `wsdeck history import`: a HAR file's WebSocket entries as sessions.
fn import(history: &History, file: &Path, out: &mut dyn Write) -> anyhow::Result<()> {
    let mut reader = std::io::BufReader::new(
        std::fs::File::open(file).with_context(|| format!("cannot read {}", file.display()))?,
    );
    let ids = history
        .import_har(&mut reader)
        .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    writeln!(out, "imported {} session(s): {:?}", ids.len(), ids)?;
    Ok(())
}

/// `wsdeck history prune`: one removal by age and/or size.
fn prune(
    history: &History,
    older_than_days: Option<u64>,
    max_mib: Option<u64>,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    if older_than_days.is_none() && max_mib.is_none() {
        anyhow::bail!("say what to prune: --older-than-days DAYS and/or --max-mib MIB");
    }
    let report = history
        .prune(
            older_than_days.map(|d| Duration::from_secs(d * 86_400)),
            max_mib.map(|m| m * 1024 * 1024),
        )
        .map_err(failure)?;
    writeln!(out, "{}", deleted(&report))?;
    Ok(())
}

/// `wsdeck history retention`: sets the limits given (and applies them now), then shows the
/// limits and what the history holds.
fn retention(
    history: &History,
    max_age_days: Option<Limit>,
    max_mib: Option<Limit>,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let mut retention = history.retention().map_err(failure)?;
    if max_age_days.is_some() || max_mib.is_some() {
        if let Some(limit) = max_age_days {
            retention.max_age_days = match limit {
                Limit::Off => None,
                Limit::At(d) => Some(u32::try_from(d).unwrap_or(u32::MAX)),
            };
        }
        if let Some(limit) = max_mib {
            retention.max_bytes = match limit {
                Limit::Off => None,
                Limit::At(m) => Some(m.saturating_mul(1 << 20)),
            };
        }
        history.set_retention(retention).map_err(failure)?;
        let report = history.apply_retention().map_err(failure)?;
        writeln!(out, "applied: {}", deleted(&report))?;
    }
    let held = history.size().map_err(failure)?;
    let age = retention
        .max_age_days
        .map_or("no age limit".to_owned(), |d| format!("{d} days"));
    let most = retention.max_bytes.map_or("no size limit".to_owned(), size);
    writeln!(out, "keeps: {age}, {most}")?;
    writeln!(
        out,
        "holds: {} session(s), {} events, {}",
        held.sessions,
        held.events,
        size(held.bytes)
    )?;
    Ok(())
}
