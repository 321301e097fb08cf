//! Secret values, kept in the per-user data folder and never in the workspace:
//! `<data_dir>/secrets/<workspace-id>.toml`, mode 0600, one table per environment:
//!
//! ```toml
//! [environments.staging]
//! token = "s3cr3t"
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Result, WorkspaceError};
use crate::fsutil::{
    Confined, create_private_dir, fnv1a, parse_toml, read_optional, to_toml, write_atomic,
};

/// The secret values of one workspace, by environment file name and variable name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Secrets {
    #[serde(default)]
    environments: BTreeMap<String, BTreeMap<String, String>>,
}

impl Secrets {
    pub(crate) fn get(&self, environment: &str, variable: &str) -> Option<&str> {
        self.environments
            .get(environment)?
            .get(variable)
            .map(String::as_str)
    }

    /// Replaces one environment's values; true when that changed anything.
    pub(crate) fn set(&mut self, environment: &str, values: BTreeMap<String, String>) -> bool {
        let before = self.environments.get(environment);
        if values.is_empty() {
            return self.environments.remove(environment).is_some();
        }
        if before == Some(&values) {
            return false;
        }
        self.environments.insert(environment.to_owned(), values);
        true
    }
}

pub(crate) fn path(data_dir: &Path, workspace_id: &str) -> PathBuf {
    data_dir
        .join("secrets")
        .join(format!("{workspace_id}.toml"))
}

pub(crate) fn read(path: &Path) -> Result<Secrets> {
    match read_optional(path)? {
        None => Ok(Secrets::default()),
        Some(bytes) => parse_toml(path, &bytes).map_err(WorkspaceError::Parse),
    }
}

pub(crate) fn write(path: &Confined, secrets: &Secrets) -> Result<()> {
    if let Some(dir) = path.path().parent() {
        create_private_dir(dir)?;
    }
    let text = to_toml(path.path(), secrets)?;
    write_atomic(path, text.as_bytes(), true)
}

/// A workspace id: letters, digits, `-`, `_`; 1 to 64 characters (it names a file).
pub(crate) fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A new random id (32 hex digits).
pub(crate) fn new_id() -> String {
    let mut bytes = [0u8; 16];
    if getrandom::fill(&mut bytes).is_err() {
        // No system randomness: the time and process make an id unique enough for naming
        // a file.
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let seed = format!("{now}-{}", std::process::id());
        bytes[..8].copy_from_slice(&fnv1a(seed.as_bytes()).to_le_bytes());
        bytes[8..].copy_from_slice(&fnv1a(&now.to_le_bytes()).to_le_bytes());
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        let id = new_id();
        assert_eq!(id.len(), 32);
        assert!(valid_id(&id));
        assert_ne!(id, new_id());
        for bad in ["", "../x", "a/b", "a.b", &"x".repeat(65)] {
            assert!(!valid_id(bad), "{bad}");
        }
    }

    #[test]
    fn set_reports_changes() {
        let mut s = Secrets::default();
        let one: BTreeMap<_, _> = [("t".to_owned(), "v".to_owned())].into();
        assert!(s.set("e", one.clone()));
        assert!(!s.set("e", one));
        assert_eq!(s.get("e", "t"), Some("v"));
        assert!(s.set("e", BTreeMap::new()));
        assert!(!s.set("e", BTreeMap::new()));
        assert_eq!(s.get("e", "t"), None);
    }
}
