//! Poll-based change detection: what the workspace's files were, to tell which changed.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use crate::error::Result;
use crate::fsutil::{Revision, read_optional};

/// A modification time this close to when a file was read may be followed by another write
/// in the same clock tick, so the content is compared instead (as git does).
const RACY: Duration = Duration::from_secs(2);

#[derive(Debug, Clone, PartialEq, Eq)]
struct Stamp {
    revision: Revision,
    modified: Option<SystemTime>,
    read_at: SystemTime,
}

/// The workspace's files as they were read: length, modification time and a content hash
/// of each. See [`crate::Workspace::changed_since`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    files: BTreeMap<PathBuf, Stamp>,
}

impl Snapshot {
    pub(crate) fn new() -> Self {
        Snapshot::default()
    }

    /// Notes a file as read with these bytes.
    pub(crate) fn record(&mut self, path: PathBuf, bytes: &[u8]) {
        let modified = fs::metadata(&path).and_then(|m| m.modified()).ok();
        self.files.insert(
            path,
            Stamp {
                revision: Revision::of(bytes),
                modified,
                read_at: SystemTime::now(),
            },
        );
    }

    /// The files in the snapshot.
    pub fn paths(&self) -> impl Iterator<Item = &PathBuf> {
        self.files.keys()
    }

    /// The revision a file had when read.
    pub fn revision(&self, path: &std::path::Path) -> Option<Revision> {
        self.files.get(path).map(|s| s.revision)
    }

    /// Compares with the files there are now: the added, changed and removed ones, sorted.
    pub(crate) fn changes(&self, now: Vec<PathBuf>) -> Result<Vec<PathBuf>> {
        let now: BTreeSet<PathBuf> = now.into_iter().collect();
        let mut changed = BTreeSet::new();
        for path in self.files.keys() {
            if !now.contains(path) {
                changed.insert(path.clone());
            }
        }
        for path in now {
            let Some(stamp) = self.files.get(&path) else {
                changed.insert(path);
                continue;
            };
            let meta = match fs::metadata(&path) {
                Ok(meta) => meta,
                Err(_) => {
                    changed.insert(path);
                    continue;
                }
            };
            let modified = meta.modified().ok();
            let trusted = match (modified, stamp.modified) {
                (Some(now_m), Some(then_m)) => {
                    now_m == then_m
                        && stamp
                            .read_at
                            .duration_since(then_m)
                            .is_ok_and(|age| age >= RACY)
                }
                _ => false,
            };
            if trusted && meta.len() == stamp.revision.len() {
                continue;
            }
            if meta.len() != stamp.revision.len() {
                changed.insert(path);
                continue;
            }
            let current = read_optional(&path)?.map(|b| Revision::of(&b));
            if current != Some(stamp.revision) {
                changed.insert(path);
            }
        }
        Ok(changed.into_iter().collect())
    }
}
