//! The database file's permissions: owner only (0600 on Unix). The history stores message
//! payloads as sent and received, and a secret typed into a message is among them, so the
//! file (and SQLite's -wal and -shm files beside it, which hold the same data) must not be
//! readable by other users whatever the umask says.

use std::path::Path;

use crate::error::{HistoryError, Result};

/// Creates `path` empty with mode 0600 if it does not exist, so that the file is never
/// readable by others, not even between its creation and SQLite's first write. SQLite gives
/// the -wal and -shm files it creates later the mode of the database file.
#[cfg(unix)]
pub fn create(path: &Path) -> Result<()> {
    use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
    let created = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path);
    let error = |source| HistoryError::CreateFile {
        path: path.to_owned(),
        source,
    };
    match created {
        // The mode given to open(2) is filtered by the umask; this one is not.
        Ok(file) => file
            .set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(error),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(error(e)),
    }
}

/// Elsewhere SQLite creates the file; its permissions are the platform's defaults.
#[cfg(not(unix))]
pub fn create(_path: &Path) -> Result<()> {
    Ok(())
}

/// Takes the group's and others' permissions off an existing file (one an older wsdeck
/// created 0644, say); a missing file is left alone. Best effort: a file this user may write
/// but does not own (a history shared on purpose) cannot be changed and keeps its mode.
#[cfg(unix)]
pub fn tighten(path: &Path) {
    use std::os::unix::fs::PermissionsExt as _;
    if let Ok(meta) = std::fs::metadata(path)
        && meta.is_file()
        && meta.permissions().mode() & 0o077 != 0
    {
        let mode = meta.permissions().mode() & 0o700;
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode));
    }
}

/// Nothing to do where files have no Unix modes.
#[cfg(not(unix))]
pub fn tighten(_path: &Path) {}
