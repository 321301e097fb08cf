//! File and folder names made from display names.

use std::path::Path;

use crate::error::{Result, WorkspaceError};

/// The longest slug made from a display name, in characters.
const MAX_SLUG_CHARS: usize = 60;
/// The longest file or folder name accepted, in bytes (file systems allow 255; the suffixes
/// and temporary-file prefixes need room).
const MAX_COMPONENT_BYTES: usize = 200;

/// A file-system safe name made from a display name: letters and digits (any script, in lower
/// case), `-` and `_`; everything else becomes `-`; never empty (`untitled`), never hidden,
/// never `.`/`..`, never a Windows device name, at most 60 characters.
pub fn slugify(name: &str) -> String {
    let mut out = String::new();
    let mut chars = 0;
    let mut pending_dash = false;
    for c in name.chars() {
        if chars >= MAX_SLUG_CHARS {
            break;
        }
        if c.is_alphanumeric() || c == '_' {
            if pending_dash && !out.is_empty() {
                out.push('-');
                chars += 1;
            }
            pending_dash = false;
            for lower in c.to_lowercase() {
                out.push(lower);
            }
            chars += 1;
        } else {
            pending_dash = true;
        }
    }
    if out.is_empty() {
        return "untitled".to_owned();
    }
    if is_windows_device(&out) {
        out.push('-');
    }
    out
}

fn is_windows_device(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or(name).to_ascii_lowercase();
    matches!(stem.as_str(), "con" | "prn" | "aux" | "nul")
        || ((stem.starts_with("com") || stem.starts_with("lpt"))
            && stem.len() == 4
            && stem.as_bytes()[3].is_ascii_digit())
}

/// Checks a file or folder name given by a caller (a collection folder, a request or
/// environment file name): not empty, not hidden, no path separators, no control characters.
pub fn check_component(name: &str) -> Result<()> {
    let reason = if name.is_empty() {
        Some("it is empty")
    } else if name.starts_with('.') {
        Some("it starts with `.` (hidden files and `..` are not used)")
    } else if name.contains(['/', '\\']) {
        Some("it contains a path separator")
    } else if name.chars().any(char::is_control) {
        Some("it contains a control character")
    } else if name.len() > MAX_COMPONENT_BYTES {
        Some("it is too long")
    } else {
        None
    };
    match reason {
        Some(reason) => Err(WorkspaceError::InvalidName {
            name: name.to_owned(),
            reason,
        }),
        None => Ok(()),
    }
}

/// `base`, or `base-2`, `base-3`… whichever `dir/<stem><suffix>` does not exist yet.
pub(crate) fn free_stem(dir: &Path, base: &str, suffix: &str) -> String {
    if !dir.join(format!("{base}{suffix}")).exists() {
        return base.to_owned();
    }
    let mut n = 2u64;
    loop {
        let stem = format!("{base}-{n}");
        if !dir.join(format!("{stem}{suffix}")).exists() {
            return stem;
        }
        n += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odd_names_make_safe_slugs() {
        assert_eq!(slugify("Login flow"), "login-flow");
        assert_eq!(slugify("../x"), "x");
        assert_eq!(slugify("a/b"), "a-b");
        assert_eq!(slugify("a\\b"), "a-b");
        assert_eq!(slugify(""), "untitled");
        assert_eq!(slugify("..."), "untitled");
        assert_eq!(slugify(".hidden"), "hidden");
        assert_eq!(slugify("Ünïcödé 日本語"), "ünïcödé-日本語");
        assert_eq!(slugify("CON"), "con-");
        assert_eq!(slugify("com1"), "com1-");
        assert_eq!(slugify("a\u{0}b\nc"), "a-b-c");
        assert_eq!(slugify("  spaced  out  "), "spaced-out");
        assert_eq!(slugify(&"x".repeat(500)).chars().count(), 60);
        for odd in [
            "../x",
            "a/b",
            "日本語",
            "",
            "..",
            ".",
            "\u{202e}evil",
            "con",
        ] {
            check_component(&slugify(odd)).unwrap();
        }
    }

    #[test]
    fn bad_components_are_refused() {
        for bad in ["", ".", "..", ".x", "a/b", "a\\b", "a\0b", "a\nb"] {
            assert!(check_component(bad).is_err(), "{bad:?}");
        }
        check_component("My Request (2)").unwrap();
    }
}
