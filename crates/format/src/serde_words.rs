//! serde's error wording for people: the names of Rust types (`u64`, `sequence`, `map`,
//! `struct Foo`) replaced by the JSON (or TOML) words a user knows. Pure text, so the API,
//! environment files and the workspace's files share one table.

/// serde's wording with Rust's names for types replaced by JSON's: a user reads
/// "expected a whole number from 0 to 255", not "expected u8".
pub fn json_words(reason: &str) -> String {
    const WORDS: &[(&str, &str)] = &[
        ("expected u8", "expected a whole number from 0 to 255"),
        ("expected u16", "expected a whole number from 0 to 65535"),
        (
            "expected u32",
            "expected a whole number from 0 to 4294967295",
        ),
        (
            "expected u64",
            "expected a whole number from 0 to 18446744073709551615",
        ),
        (
            "expected usize",
            "expected a whole number from 0 to 18446744073709551615",
        ),
        ("expected i64", "expected a whole number"),
        ("expected a sequence", "expected an array"),
        ("expected a map", "expected an object"),
        (
            "expected a tuple of size 2",
            "expected a [name, value] pair",
        ),
        ("invalid type: map", "invalid type: object"),
        ("invalid type: sequence", "invalid type: array"),
        ("invalid type: unit value", "invalid type: null"),
        ("invalid type: floating point", "invalid type: number"),
        ("invalid type: integer", "invalid type: number"),
        ("invalid value: integer", "invalid value: number"),
        ("invalid value: floating point", "invalid value: number"),
        ("invalid length", "wrong number of items:"),
    ];
    let mut out = reason.to_owned();
    for (rust, json) in WORDS {
        if out.contains(rust) {
            out = out.replace(rust, json);
        }
    }
    if let Some(at) = out.find("expected struct ") {
        out.replace_range(at.., "expected an object");
    }
    if out.starts_with("data did not match any variant of untagged enum") {
        out = "expected a number of spaces from 0 to 16, or \"tab\"".to_owned();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rust_type_names_become_json_words() {
        assert_eq!(
            json_words("invalid type: string \"x\", expected u64"),
            "invalid type: string \"x\", expected a whole number from 0 to 18446744073709551615"
        );
        assert_eq!(
            json_words("invalid type: string \"no\", expected a sequence"),
            "invalid type: string \"no\", expected an array"
        );
        assert_eq!(json_words("expected struct Doc"), "expected an object");
    }
}
