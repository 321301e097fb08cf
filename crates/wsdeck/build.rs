//! Embeds the built browser workbench (`ui/dist`, made by `npm run build` in `ui/`) in the
//! binary: writes `$OUT_DIR/ui_assets.rs`, a table of `(path, bytes)` with `include_bytes!`.
//!
//! Without `ui/dist` the table is empty and `wsdeck ui` explains how to build it; the rest of
//! the binary (and every Rust test) does not need Node.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    commit(&manifest);
    let dist = manifest.join("../../ui/dist");
    // A directory is scanned recursively for changes; a missing one reruns every build,
    // which is what picks up a `npm run build` made after the first `cargo build`.
    println!("cargo:rerun-if-changed={}", dist.display());
    let src = manifest.join("../../ui/src");
    println!("cargo:rerun-if-changed={}", src.display());
    let mut files = Vec::new();
    if dist.join("index.html").is_file() {
        collect(&dist, &dist, &mut files);
        // `cargo build` takes ui/dist as it is: say when it is older than the UI's sources,
        // or the binary quietly serves a workbench without the latest changes.
        let built = modified(&dist.join("index.html"));
        if let (Some(built), Some(edited)) = (built, newest(&src))
            && edited > built
        {
            println!(
                "cargo:warning=ui/dist is older than ui/src: this wsdeck embeds an old workbench (run scripts/build-ui, then build again)"
            );
        }
    } else {
        println!(
            "cargo:warning=ui/dist not found: this wsdeck will have no workbench (`wsdeck ui` says how to build it: scripts/build-ui)"
        );
    }
    files.sort();
    let mut out = String::from(
        "/// The workbench's files: path relative to `ui/dist` (with `/`), contents.\n\
         pub static UI_ASSETS: &[(&str, &[u8])] = &[\n",
    );
    for (rel, abs) in &files {
        writeln!(out, "    ({rel:?}, include_bytes!({abs:?})),").expect("write to String");
    }
    out.push_str("];\n");
    let target =
        PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets it")).join("ui_assets.rs");
    // Rewritten only when it changes, so a rerun for ui/src alone recompiles nothing.
    if std::fs::read_to_string(&target).ok().as_deref() != Some(out.as_str()) {
        std::fs::write(&target, out).expect("write ui_assets.rs");
    }
}

/// `WSDECK_COMMIT` for `--version`: the commit this is built from (`+dirty` when the tree has
/// changes), or "unknown commit" outside a git checkout (a source tarball).
fn commit(manifest: &Path) {
    let root = manifest.join("../..");
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .arg("-C")
            .arg(&root)
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
    };
    let text = match git(&["rev-parse", "--short=12", "HEAD"]) {
        Some(hash) if !hash.is_empty() => {
            let dirty = git(&["status", "--porcelain", "--untracked-files=no"])
                .is_some_and(|s| !s.is_empty());
            format!("{hash}{}", if dirty { "+dirty" } else { "" })
        }
        _ => "unknown commit".to_owned(),
    };
    println!("cargo:rustc-env=WSDECK_COMMIT={text}");
    // A new commit or a checkout changes HEAD or the ref it names; the index, a change.
    for file in ["HEAD", "index"] {
        println!(
            "cargo:rerun-if-changed={}",
            root.join(".git").join(file).display()
        );
    }
    if let Some(head) = git(&["symbolic-ref", "-q", "HEAD"]) {
        println!(
            "cargo:rerun-if-changed={}",
            root.join(".git").join(head).display()
        );
    }
}

fn modified(path: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// The newest modification time of the files under `dir`.
fn newest(dir: &Path) -> Option<std::time::SystemTime> {
    let mut newest = None;
    for entry in std::fs::read_dir(dir).ok()?.flatten() {
        let path = entry.path();
        let time = if path.is_dir() {
            self::newest(&path)
        } else {
            modified(&path)
        };
        newest = newest.max(time);
    }
    newest
}

fn collect(root: &Path, dir: &Path, files: &mut Vec<(String, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(root, &path, files);
        } else if let Ok(rel) = path.strip_prefix(root) {
            let rel = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            let abs = path.canonicalize().unwrap_or(path.clone());
            files.push((rel, abs.to_string_lossy().into_owned()));
        }
    }
}
