//! Embeds the built browser workbench (`ui/dist`, made by `npm run build` in `ui/`) in the
//! binary: writes `$OUT_DIR/ui_assets.rs`, a table of `(path, bytes)` with `include_bytes!`.
//!
//! Without `ui/dist` the table is empty and `wsdeck ui` explains how to build it; the rest of
//! the binary (and every Rust test) does not need Node.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let dist = manifest.join("../../ui/dist");
    // A directory is scanned recursively for changes; a missing one reruns every build,
    // which is what picks up a `npm run build` made after the first `cargo build`.
    println!("cargo:rerun-if-changed={}", dist.display());
    let mut files = Vec::new();
    if dist.join("index.html").is_file() {
        collect(&dist, &dist, &mut files);
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
    std::fs::write(&target, out).expect("write ui_assets.rs");
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
