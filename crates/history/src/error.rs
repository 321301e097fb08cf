//! The one error type of the history crate.

use std::path::{Path, PathBuf};

/// Everything that can go wrong with the history. `Display` says what happened and, where
/// possible, what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    /// The directory that should hold the database could not be created.
    #[error(
        "could not create the history directory {path}: {source}; check its permissions or choose another location"
    )]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The database file could not be created (with owner-only permissions).
    #[error(
        "could not create the history database {path}: {source}; check the folder's permissions or choose another location"
    )]
    CreateFile {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A reader asked for a history file that does not exist; readers never create one, so
    /// that a mistyped path is not answered with an empty history.
    #[error("no history database at {}", path.display())]
    NoDatabase { path: PathBuf },
    /// SQLite could not open the file at all.
    #[error(
        "could not open the history database {path}: {source}; check that the file is readable and writable"
    )]
    Open {
        path: String,
        source: rusqlite::Error,
    },
    /// The file exists but is another application's SQLite database. `move_away` is the
    /// shell command that moves it (and its -wal/-shm files) aside.
    #[error(
        "history database {path} is not a wsdeck history ({reason}); move it away to start a new one: {move_away}"
    )]
    NotHistory {
        path: String,
        reason: String,
        move_away: String,
    },
    /// The file cannot be read as a database: not SQLite at all, truncated, or with damaged
    /// pages. `move_away` is the shell command that moves it (and its -wal/-shm files) aside;
    /// a new, empty history is started on the next run.
    #[error(
        "history database {path} is damaged or not a database ({reason}); move it away to start a new history: {move_away}"
    )]
    Damaged {
        path: String,
        reason: String,
        move_away: String,
    },
    /// The file was written by a newer wsdeck whose schema this one does not know.
    #[error(
        "history database {path} has schema version {found}, newer than this wsdeck knows ({known}): update wsdeck, or move the file away to start a new one: {move_away}"
    )]
    TooNew {
        path: String,
        found: i64,
        known: i64,
        move_away: String,
    },
    /// The SQLite library lacks the full-text engine the history needs.
    #[error(
        "the SQLite library in this build has no FTS5 full-text search; rebuild wsdeck with rusqlite's `bundled` feature"
    )]
    NoFts5,
    /// A statement failed.
    #[error("history database {path}: {action} failed: {source}")]
    Sqlite {
        path: String,
        action: &'static str,
        source: rusqlite::Error,
    },
    /// A search string that FTS5 cannot parse, or an empty one. `reason` says what is wrong
    /// in words (SQLite's own message rewritten where it is cryptic).
    #[error("{}", bad_query(query, reason))]
    BadQuery { query: String, reason: String },
    /// The session id is not in the database (never recorded, or pruned).
    #[error(
        "there is no session {0} in the history (it may have been pruned); list the sessions to see which exist"
    )]
    UnknownSession(i64),
    /// The session is still being recorded by this process, so it cannot be deleted.
    #[error("session {0} is still being recorded; close its connection first, then delete it")]
    SessionLive(i64),
    /// The writer thread failed to commit a batch; the message is SQLite's.
    #[error(
        "the history recorder could not write a batch ({0}); check free disk space and the database file"
    )]
    Recorder(String),
    /// The writer thread is gone (the history was closed).
    #[error("the history recorder has stopped; reopen the history to record again")]
    RecorderStopped,
    /// Writing an export failed.
    #[error("could not write the export: {0}")]
    Write(#[source] std::io::Error),
    /// Reading a HAR file failed.
    #[error("could not read the HAR file: {0}")]
    ReadHar(#[source] std::io::Error),
    /// The HAR file is not JSON, or has no `log.entries` array.
    #[error(
        "not a HAR file: {0}; export it again from the browser's network panel (Save all as HAR)"
    )]
    NotHar(String),
    /// One entry of a HAR file is malformed.
    #[error("HAR entry {index}: {field} {problem}")]
    HarEntry {
        index: usize,
        field: String,
        problem: String,
    },
}

impl HistoryError {
    /// The error for a statement that failed: [`HistoryError::Damaged`] when SQLite found
    /// the file damaged (so the message says how to move it away), else
    /// [`HistoryError::Sqlite`].
    pub(crate) fn from_sqlite(
        path: &str,
        file: Option<&Path>,
        action: &'static str,
        source: rusqlite::Error,
    ) -> HistoryError {
        match (file, is_damage(&source)) {
            (Some(file), true) => HistoryError::Damaged {
                path: path.to_owned(),
                reason: crate::writer::sqlite_reason(&source),
                move_away: move_away_command(file),
            },
            _ => HistoryError::Sqlite {
                path: path.to_owned(),
                action,
                source,
            },
        }
    }

    /// Whether the file itself is the problem (damaged, not a history, too new): a server
    /// that records goes on without a history then, and says how to move the file away.
    pub fn is_bad_file(&self) -> bool {
        matches!(
            self,
            HistoryError::Damaged { .. }
                | HistoryError::NotHistory { .. }
                | HistoryError::TooNew { .. }
        )
    }
}

/// Whether SQLite's error says the file is damaged or not a database at all.
pub(crate) fn is_damage(error: &rusqlite::Error) -> bool {
    matches!(
        error.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase)
    )
}

/// The shell command that moves the database at `file` aside, with its -wal and -shm files
/// when they exist (a stale -wal next to a new database would be replayed into it). The new
/// name carries the time, so an earlier moved-away file is not overwritten.
pub(crate) fn move_away_command(file: &Path) -> String {
    let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S");
    let mut moves = Vec::new();
    for suffix in ["", "-wal", "-shm"] {
        let mut from = file.as_os_str().to_owned();
        from.push(suffix);
        let from = PathBuf::from(from);
        if suffix.is_empty() || from.exists() {
            let mut to = file.as_os_str().to_owned();
            to.push(format!(".damaged-{stamp}{suffix}"));
            moves.push(format!(
                "mv {} {}",
                shell_quote(&from.to_string_lossy()),
                shell_quote(&to.to_string_lossy())
            ));
        }
    }
    moves.join(" && ")
}

/// `text` as one POSIX shell word, in single quotes.
fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

/// The full-text syntax, named in every message about a bad query.
const SEARCH_SYNTAX: &str = "the syntax is words, \"phrases\", AND/OR/NOT and prefix*";

fn bad_query(query: &str, reason: &str) -> String {
    if query.trim().is_empty() {
        format!("give a word to search for (the query is empty); {SEARCH_SYNTAX}")
    } else {
        format!(
            "the search query {query:?} is not valid: {reason}; {SEARCH_SYNTAX}; put words in double quotes to search them literally"
        )
    }
}

/// Shorthand for results of this crate.
pub type Result<T, E = HistoryError> = std::result::Result<T, E>;
