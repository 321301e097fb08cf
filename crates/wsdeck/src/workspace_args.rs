//! The workspace as commands find it (`--workspace DIR`, else the nearest `.wsdeck/` upward,
//! else the data folder's), and the names in it, for "did you mean" in errors.

use std::path::Path;

use wsdeck_workspace::{Workspace, default_data_dir};

/// The workspace for a command run in the current folder.
pub fn discover(explicit: Option<&Path>) -> Result<Workspace, String> {
    let here = std::env::current_dir().map_err(|e| format!("no current folder: {e}"))?;
    discover_from(&here, explicit)
}

/// The workspace for something found at `start` (a request file's folder).
pub fn discover_from(start: &Path, explicit: Option<&Path>) -> Result<Workspace, String> {
    let data_dir = default_data_dir()
        .ok_or_else(|| "no data folder: set WSDECK_DATA_DIR, XDG_DATA_HOME or HOME".to_owned())?;
    Workspace::discover(start, explicit.map(Path::to_path_buf), &data_dir)
        .map_err(|e| e.to_string())
}

/// The names (`--env NAME`) of the workspace's environments, sorted.
pub fn environment_names(workspace: &Workspace) -> Vec<String> {
    let mut names: Vec<String> = files_in(&workspace.environments_dir(), 1)
        .into_iter()
        .filter_map(|rel| rel.strip_suffix(".env.toml").map(str::to_owned))
        .collect();
    names.sort();
    names
}

/// The ids (`collection/name`) of the workspace's saved requests, sorted.
pub fn request_ids(workspace: &Workspace) -> Vec<String> {
    let mut ids: Vec<String> = files_in(&workspace.collections_dir(), 16)
        .into_iter()
        .filter_map(|rel| rel.strip_suffix(".wsdeck.toml").map(str::to_owned))
        .collect();
    ids.sort();
    ids
}

/// Files under `dir`, at most `depth` folders deep, as `/`-joined relative paths (for
/// suggestions only: unreadable folders are skipped, symlinks are not followed).
fn files_in(dir: &Path, depth: usize) -> Vec<String> {
    let mut found = Vec::new();
    let mut pending = vec![(dir.to_path_buf(), String::new(), 0)];
    while let Some((folder, prefix, level)) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten().take(10_000) {
            let name = entry.file_name().to_string_lossy().into_owned();
            let rel = format!("{prefix}{name}");
            match entry.file_type() {
                Ok(t) if t.is_dir() && level + 1 < depth => {
                    pending.push((entry.path(), format!("{rel}/"), level + 1));
                }
                Ok(t) if t.is_file() => found.push(rel),
                _ => {}
            }
        }
    }
    found
}
