//! The one error type of the workspace, and the problem report of a file that does not load.

use std::fmt;
use std::io;
use std::path::PathBuf;

/// A file of the workspace that could not be read or parsed, with the position of the
/// problem when there is one. Loading a workspace collects these and goes on with the other
/// files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadProblem {
    /// The file.
    pub path: PathBuf,
    /// 1-based line of the problem, when known.
    pub line: Option<usize>,
    /// 1-based column (in characters) of the problem, when known.
    pub column: Option<usize>,
    /// What is wrong, in the parser's words.
    pub message: String,
}

impl fmt::Display for LoadProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, ", line {line}")?;
            if let Some(column) = self.column {
                write!(f, ", column {column}")?;
            }
        }
        write!(
            f,
            ": {}; fix the file or delete it (the other files still load)",
            self.message
        )
    }
}

/// Everything that can go wrong in the workspace. `Display` says what happened and what to do.
#[derive(Debug, thiserror::Error)]
pub enum WorkspaceError {
    /// Reading or writing a file or folder failed.
    #[error("{}: {error}; check that it exists and that you may read and write it", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The operating system's error.
        error: io::Error,
    },
    /// A file does not parse.
    #[error("{0}")]
    Parse(LoadProblem),
    /// The file was changed on disk (by another program, another window, `git pull`…) since
    /// it was loaded; saving now would lose that change.
    #[error(
        "{} changed on disk since it was loaded; load it again to see the other change, or save with force to overwrite it",
        path.display()
    )]
    ChangedOnDisk {
        /// The file.
        path: PathBuf,
    },
    /// The file does not exist (any more).
    #[error("{} does not exist (it may have been renamed or deleted); load the workspace again", path.display())]
    NotFound {
        /// The file or folder.
        path: PathBuf,
    },
    /// Saving a new item would replace an existing file.
    #[error("{} already exists; choose another name, or load that file and edit it", path.display())]
    AlreadyExists {
        /// The file.
        path: PathBuf,
    },
    /// A name that cannot be used as a file or folder of the workspace.
    #[error("{name:?} cannot be used as a file or folder name in the workspace: {reason}")]
    InvalidName {
        /// The name given.
        name: String,
        /// Why not.
        reason: &'static str,
    },
    /// A saved message index out of range.
    #[error("{} has {count} saved messages; there is no message number {index} (counting from 0); load the request again", path.display())]
    NoSuchMessage {
        /// The request file.
        path: PathBuf,
        /// The index asked for.
        index: usize,
        /// How many messages the request has.
        count: usize,
    },
    /// A value could not be written as TOML.
    #[error("{} could not be written as TOML: {message}", path.display())]
    Serialize {
        /// The file.
        path: PathBuf,
        /// The serializer's message.
        message: String,
    },
    /// The given workspace folder is a file.
    #[error("{} is not a folder; pass the workspace folder (or a new folder's path) instead", path.display())]
    NotADirectory {
        /// The path given.
        path: PathBuf,
    },
    /// The workspace id file holds something that is not an id.
    #[error("{} does not hold a workspace id (letters, digits, `-` and `_`, at most 64); delete the file and a new id is made (secrets saved under the old id are then not found)", path.display())]
    InvalidWorkspaceId {
        /// The id file.
        path: PathBuf,
    },
    /// A write or delete would leave the workspace (or the data folder) by its path.
    #[error("{} is outside the {area} {}: {reason}; wsdeck writes and deletes only inside it", path.display(), base.display())]
    Outside {
        /// The path that would have been written or deleted.
        path: PathBuf,
        /// "workspace folder" or "data folder".
        area: &'static str,
        /// That folder.
        base: PathBuf,
        /// Why it is outside.
        reason: String,
    },
    /// A write or delete would go through a symbolic link that leads outside the workspace
    /// (or the data folder), or nowhere: a workspace may come from a cloned repository.
    #[error("{} is a symbolic link to {}, outside the {area} {} (or to nothing): wsdeck does not write or delete through links that leave it, since a workspace may come from a cloned repository; replace the link with a real folder or file, or open the folder it points to as the workspace", link.display(), target.display(), base.display())]
    LinkOutside {
        /// The link found on the way.
        link: PathBuf,
        /// Where it leads.
        target: PathBuf,
        /// "workspace folder" or "data folder".
        area: &'static str,
        /// That folder.
        base: PathBuf,
    },
    /// No per-user data folder could be found.
    #[error("no per-user data folder: set WSDECK_DATA_DIR (or XDG_DATA_HOME or HOME)")]
    NoDataDir,
}

impl WorkspaceError {
    pub(crate) fn io(path: impl Into<PathBuf>, error: io::Error) -> Self {
        WorkspaceError::Io {
            path: path.into(),
            error,
        }
    }
}

/// `Result` with [`WorkspaceError`].
pub type Result<T, E = WorkspaceError> = std::result::Result<T, E>;
