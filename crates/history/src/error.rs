//! The one error type of the history crate.

use std::path::PathBuf;

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
    /// The file exists but is something else (another SQLite database, or not SQLite at all).
    #[error(
        "history database {path} is not a wsdeck history ({reason}): move it away to start a new one"
    )]
    NotHistory { path: String, reason: String },
    /// The file was written by a newer wsdeck whose schema this one does not know.
    #[error(
        "history database {path} has schema version {found}, newer than this wsdeck knows ({known}): update wsdeck, or move the file away to start a new one"
    )]
    TooNew {
        path: String,
        found: i64,
        known: i64,
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
