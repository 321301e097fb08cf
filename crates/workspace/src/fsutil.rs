//! Atomic writes, file revisions, and TOML parsing with positions.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{LoadProblem, Result, WorkspaceError};

/// Which content of a file something was loaded from: its length and a hash of its bytes.
/// Saving compares it with the file on disk to catch changes made elsewhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Revision {
    len: u64,
    hash: u64,
}

impl Revision {
    /// The revision of these bytes.
    pub fn of(bytes: &[u8]) -> Self {
        Revision {
            len: bytes.len() as u64,
            hash: fnv1a(bytes),
        }
    }

    /// The file's length in bytes.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// True for an empty file.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The revision as text (`LEN-HASH`), for front ends that hand it back when saving.
    pub fn token(&self) -> String {
        format!("{}-{:016x}", self.len, self.hash)
    }

    /// Reads [`Revision::token`]'s text back; `None` if it is not one.
    pub fn from_token(text: &str) -> Option<Revision> {
        let (len, hash) = text.split_once('-')?;
        Some(Revision {
            len: len.parse().ok()?,
            hash: u64::from_str_radix(hash, 16).ok()?,
        })
    }
}

#[cfg(test)]
mod revision_tests {
    use super::Revision;

    #[test]
    fn tokens_round_trip_and_reject_other_text() {
        let r = Revision::of(b"name = \"x\"\n");
        assert_eq!(Revision::from_token(&r.token()), Some(r));
        for bad in ["", "12", "x-1", "12-zz", "-1"] {
            assert_eq!(Revision::from_token(bad), None, "{bad}");
        }
    }
}

/// FNV-1a, 64 bits: enough to tell versions of a small file apart (not a defence against an
/// attacker, which the edit guard is not).
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// Serializes the read-modify-write operations of this process, so that two threads editing
/// the same file do not lose each other's change.
static WRITE_LOCK: Mutex<()> = Mutex::new(());

pub(crate) fn write_lock() -> MutexGuard<'static, ()> {
    WRITE_LOCK
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Reads a file; `Ok(None)` when it does not exist.
pub(crate) fn read_optional(path: &Path) -> Result<Option<Vec<u8>>> {
    match fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(WorkspaceError::io(path, e)),
    }
}

/// Reads a file that must exist.
pub(crate) fn read_existing(path: &Path) -> Result<Vec<u8>> {
    read_optional(path)?.ok_or_else(|| WorkspaceError::NotFound {
        path: path.to_owned(),
    })
}

/// A path checked by [`confine`] to stay inside the workspace or the data folder: the only
/// kind of path the functions that write or delete accept, so that no write can skip the
/// check.
#[derive(Debug, Clone)]
pub(crate) struct Confined(PathBuf);

impl Confined {
    pub fn path(&self) -> &Path {
        &self.0
    }
}

/// Checks that writing or deleting `target` stays inside `base` (the workspace folder or the
/// data folder, named `area` in errors): `target` must be lexically under `base` with no
/// `..`, and neither it nor any folder between `base` and it may be a symbolic link that
/// resolves outside `base` (or leads nowhere). A workspace may come from a cloned repository,
/// whose links must not make wsdeck write or delete someone's other files. Links that stay
/// inside are followed as usual. Parts that do not exist yet are created by the write itself
/// as real folders.
pub(crate) fn confine(base: &Path, area: &'static str, target: &Path) -> Result<Confined> {
    let outside = |reason: String| WorkspaceError::Outside {
        path: target.to_owned(),
        area,
        base: base.to_owned(),
        reason,
    };
    let rest = target
        .strip_prefix(base)
        .map_err(|_| outside("it is not inside it".to_owned()))?;
    if rest
        .components()
        .any(|c| !matches!(c, std::path::Component::Normal(_)))
    {
        return Err(outside("the path climbs out with `..`".to_owned()));
    }
    let real_base = match fs::canonicalize(base) {
        Ok(real) => real,
        // Nothing exists yet: the write creates real folders only.
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Confined(target.to_owned())),
        Err(e) => return Err(WorkspaceError::io(base, e)),
    };
    let mut at = base.to_path_buf();
    for part in rest.components() {
        at.push(part);
        let meta = match fs::symlink_metadata(&at) {
            Ok(meta) => meta,
            Err(e) if e.kind() == io::ErrorKind::NotFound => break,
            Err(e) => return Err(WorkspaceError::io(&at, e)),
        };
        if !meta.file_type().is_symlink() {
            continue;
        }
        match fs::canonicalize(&at) {
            Ok(real) if real.starts_with(&real_base) => {}
            Ok(real) => {
                return Err(WorkspaceError::LinkOutside {
                    link: at,
                    target: real,
                    area,
                    base: base.to_owned(),
                });
            }
            Err(_) => {
                return Err(WorkspaceError::LinkOutside {
                    target: fs::read_link(&at).unwrap_or_default(),
                    link: at,
                    area,
                    base: base.to_owned(),
                });
            }
        }
    }
    Ok(Confined(target.to_owned()))
}

/// Deletes a file (a link itself, never what it points to).
pub(crate) fn remove_file(path: &Confined) -> Result<()> {
    fs::remove_file(path.path()).map_err(|e| not_found_or_io(path.path(), e))
}

/// Deletes a folder with everything in it (links inside are removed, not followed).
pub(crate) fn remove_dir_all(path: &Confined) -> Result<()> {
    fs::remove_dir_all(path.path()).map_err(|e| not_found_or_io(path.path(), e))
}

pub(crate) fn not_found_or_io(path: &Path, e: io::Error) -> WorkspaceError {
    if e.kind() == io::ErrorKind::NotFound {
        WorkspaceError::NotFound {
            path: path.to_owned(),
        }
    } else {
        WorkspaceError::io(path, e)
    }
}

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Writes `bytes` to `path` atomically: a hidden temporary file in the same folder, written
/// and flushed to disk, then renamed over `path`. Readers see the old file or the new one,
/// never half of one; on failure the temporary file is removed. `private` makes the file
/// readable by its owner only (mode 0600 on Unix) from the moment it exists.
pub(crate) fn write_atomic(path: &Confined, bytes: &[u8], private: bool) -> Result<()> {
    let path = path.path();
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(|e| WorkspaceError::io(dir, e))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = dir.join(format!(
        ".{name}.{}.{}.tmp",
        std::process::id(),
        TEMP_COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let result = write_temp(&temp, bytes, private).and_then(|()| fs::rename(&temp, path));
    if let Err(e) = result {
        let _ = fs::remove_file(&temp);
        return Err(WorkspaceError::io(path, e));
    }
    sync_dir(dir);
    Ok(())
}

fn write_temp(temp: &Path, bytes: &[u8], private: bool) -> io::Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(if private { 0o600 } else { 0o666 });
    }
    #[cfg(not(unix))]
    let _ = private;
    let mut file = options.open(temp)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Makes a rename durable (best effort: not every system can open a folder).
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// Creates a folder readable by its owner only (0700 on Unix).
pub(crate) fn create_private_dir(dir: &Path) -> Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir).map_err(|e| WorkspaceError::io(dir, e))
}

/// Writes `bytes` over `path` unless the file changed since `expected` (the revision it was
/// loaded from; `None`: it must not exist yet). `force` skips the check. Returns the new
/// revision. Call with [`write_lock`] held.
pub(crate) fn write_guarded(
    confined: &Confined,
    bytes: &[u8],
    expected: Option<Revision>,
    force: bool,
) -> Result<Revision> {
    let path = confined.path();
    if !force {
        let current = read_optional(path)?.map(|b| Revision::of(&b));
        match (expected, current) {
            (Some(want), Some(have)) if want != have => {
                return Err(WorkspaceError::ChangedOnDisk {
                    path: path.to_owned(),
                });
            }
            (Some(_), None) => {
                return Err(WorkspaceError::ChangedOnDisk {
                    path: path.to_owned(),
                });
            }
            (None, Some(_)) => {
                return Err(WorkspaceError::AlreadyExists {
                    path: path.to_owned(),
                });
            }
            _ => {}
        }
    }
    write_atomic(confined, bytes, false)?;
    Ok(Revision::of(bytes))
}

/// 1-based line and column (in characters) of a byte offset.
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// Parses a TOML file's bytes; a problem has the file's path and the position.
pub(crate) fn parse_toml<T: DeserializeOwned>(path: &Path, bytes: &[u8]) -> Result<T, LoadProblem> {
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let valid = std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default();
            let (line, column) = line_column(valid, valid.len());
            return Err(LoadProblem {
                path: path.to_owned(),
                line: Some(line),
                column: Some(column),
                message: "the file is not UTF-8 text".to_owned(),
            });
        }
    };
    toml::from_str(text).map_err(|e| {
        let position = e.span().map(|span| line_column(text, span.start));
        LoadProblem {
            path: path.to_owned(),
            line: position.map(|p| p.0),
            column: position.map(|p| p.1),
            message: wsdeck_format::serde_words::json_words(e.message().trim()),
        }
    })
}

/// Writes a value as TOML text.
pub(crate) fn to_toml<T: Serialize>(path: &Path, value: &T) -> Result<String> {
    toml::to_string_pretty(value).map_err(|e| WorkspaceError::Serialize {
        path: path.to_owned(),
        message: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions() {
        assert_eq!(line_column("abc", 0), (1, 1));
        assert_eq!(line_column("a\nbc", 3), (2, 2));
        assert_eq!(line_column("é\nxé=", 6), (2, 3));
        assert_eq!(line_column("ab", 99), (1, 3));
        // Inside a multi-byte character: the character's start.
        assert_eq!(line_column("é", 1), (1, 1));
    }

    #[test]
    fn atomic_write_leaves_no_temp_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/a.toml");
        write_atomic(&Confined(path.clone()), b"one", false).unwrap();
        write_atomic(&Confined(path.clone()), b"two", true).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        let names: Vec<_> = fs::read_dir(dir.path().join("sub"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("a.toml")]);
    }

    #[test]
    fn failed_write_removes_its_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        // The target is a non-empty folder: the rename fails.
        let target = dir.path().join("busy");
        fs::create_dir_all(target.join("inside")).unwrap();
        assert!(write_atomic(&Confined(target.clone()), b"x", false).is_err());
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("busy")]);
    }
}
