//! JSON: validate with positions, beautify and minify without changing a single token.
//!
//! Validation is serde_json's parser (RFC 8259, the same one the rest of wsdeck uses), run
//! into `IgnoredAny` so nothing is built: any depth, any number (`1e400`,
//! `123456789012345678901234567890`), lone `\ud800` escapes pass as the grammar allows.
//! Formatting is then a token-level re-layout of the validated text: strings, numbers and
//! literals are copied verbatim, so key order, duplicate keys, escapes and big numbers stay
//! exactly as they were (serde_json's `Value` would round big numbers, and its
//! `arbitrary_precision` feature would change number handling for the whole workspace).
//!
//! Layout: `{}` and `[]` stay empty on one line; otherwise one member per line, `"key": value`
//! with one space after the colon, no trailing newline. Minified output has no whitespace
//! outside strings. Both are O(n) and use no recursion.

use serde::Deserialize as _;

use crate::error::{FormatError, Position};
use crate::style::{Breaker, Indent, Style};

/// Checks that `text` is one JSON value (any type), surrounded by optional white space.
///
/// The error carries serde_json's description ("trailing comma", "expected `:`"), the
/// position, and a hint for the usual slips: trailing commas, single quotes, comments,
/// unquoted keys, `NaN`, more than one top-level value.
pub fn validate(text: &str) -> Result<(), FormatError> {
    let mut de = serde_json::Deserializer::from_str(text);
    serde::de::IgnoredAny::deserialize(&mut de)
        .and_then(|_| de.end())
        .map_err(|error| convert_error(text, &error))
}

/// Beautifies `text` with `indent` per level (see the module docs for the layout).
pub fn beautify(text: &str, indent: Indent) -> Result<String, FormatError> {
    crate::style::format_to_string(text, &Style::pretty(indent), text.len() / 2, format_into)
}

/// Minifies `text`: the same tokens with no white space between them.
pub fn minify(text: &str) -> Result<String, FormatError> {
    crate::style::format_to_string(text, &Style::minified(), 0, format_into)
}

/// Validates `text` and appends it, laid out per `style`, to `out`.
///
/// On error `out` may hold part of the output; callers that reuse a buffer truncate it.
/// Fails with [`FormatError::TooLarge`] when pretty output would exceed `style.max_output`.
pub fn format_into(text: &str, style: &Style, out: &mut String) -> Result<(), FormatError> {
    validate(text)?;
    relayout(text, style, out)
}

/// Re-lays out *valid* JSON token by token. Invalid input does not panic but gives garbage,
/// so callers validate first.
fn relayout(text: &str, style: &Style, out: &mut String) -> Result<(), FormatError> {
    let bytes = text.as_bytes();
    let pretty = style.pretty;
    let mut breaker = Breaker::new(
        style,
        out.len(),
        if pretty {
            "beautified JSON"
        } else {
            "minified JSON"
        },
    );
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b' ' | b'\n' | b'\r' | b'\t' => i += 1,
            b'"' => {
                let end = string_end(bytes, i);
                push(out, text, i, end);
                i = end;
            }
            open @ (b'{' | b'[') => {
                let close = if open == b'{' { b'}' } else { b']' };
                let next = skip_whitespace(bytes, i + 1);
                if bytes.get(next) == Some(&close) {
                    out.push(char::from(open));
                    out.push(char::from(close));
                    i = next + 1;
                } else {
                    out.push(char::from(open));
                    depth += 1;
                    if pretty {
                        breaker.newline(out, depth)?;
                    }
                    i += 1;
                }
            }
            close @ (b'}' | b']') => {
                depth = depth.saturating_sub(1);
                if pretty {
                    breaker.newline(out, depth)?;
                }
                out.push(char::from(close));
                i += 1;
            }
            b',' => {
                out.push(',');
                if pretty {
                    breaker.newline(out, depth)?;
                }
                i += 1;
            }
            b':' => {
                out.push_str(if pretty { ": " } else { ":" });
                i += 1;
            }
            _ => {
                // A number or literal: up to the next delimiter (all ASCII, so a char boundary).
                let start = i;
                while i < bytes.len()
                    && !matches!(
                        bytes[i],
                        b' ' | b'\n'
                            | b'\r'
                            | b'\t'
                            | b','
                            | b':'
                            | b'{'
                            | b'}'
                            | b'['
                            | b']'
                            | b'"'
                    )
                {
                    i += 1;
                }
                push(out, text, start, i);
            }
        }
    }
    breaker.check(out)
}

/// Appends `text[start..end]`; the indices are token boundaries found at ASCII bytes.
fn push(out: &mut String, text: &str, start: usize, end: usize) {
    if let Some(slice) = text.get(start..end) {
        out.push_str(slice);
    }
}

/// The index just past the string that starts with the quote at `start`.
fn string_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while let Some(found) = memchr::memchr2(b'"', b'\\', &bytes[i.min(bytes.len())..]) {
        let at = i + found;
        if bytes[at] == b'"' {
            return at + 1;
        }
        // A backslash escapes the next byte (always ASCII in valid JSON).
        i = at + 2;
    }
    bytes.len()
}

fn skip_whitespace(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() && matches!(bytes[i], b' ' | b'\n' | b'\r' | b'\t') {
        i += 1;
    }
    i
}

/// Turns serde_json's error (line, byte column, message) into ours (char column, offset,
/// hint).
fn convert_error(text: &str, error: &serde_json::Error) -> FormatError {
    let full = error.to_string();
    // serde_json appends " at line L column C"; we give the position ourselves.
    let message = match full.rfind(" at line ") {
        Some(cut) => full[..cut].to_owned(),
        None => full,
    };
    let offset = if error.classify() == serde_json::error::Category::Eof {
        text.len()
    } else {
        // serde_json's column is 1-based and counts bytes from the start of the line.
        let line_start = nth_line_start(text, error.line());
        line_start
            .saturating_add(error.column())
            .saturating_sub(1)
            .min(text.len())
    };
    let mut at = Position::locate(text, offset);
    if message == "expected ident" {
        // serde_json stops after the letters it read (`tru` of `tru}`): point at the word.
        let start = text[..at.offset]
            .trim_end_matches(|c: char| c.is_ascii_alphabetic())
            .len();
        at = Position::locate(text, start);
    }
    let mut message = message;
    let found = text[at.offset..].chars().next();
    if matches!(found, Some('}' | ']')) {
        // serde_json says "expected value" or "key must be a string" for `[1,]` and `{"a":1,}`;
        // name the real slip and point at the comma.
        let before = text[..at.offset].trim_end_matches([' ', '\n', '\r', '\t']);
        if before.ends_with(',') {
            message = "trailing comma".to_owned();
            at = Position::locate(text, before.len() - 1);
        }
    }
    let hint = hint_for(&message, found, text, at.offset);
    FormatError::Json {
        message: in_words(message),
        at,
        hint: hint.map(str::to_owned),
    }
}

/// serde_json's terse parser wording ("expected ident", "EOF while parsing a list") in words
/// a person reads without knowing the parser; other messages are already plain.
fn in_words(message: String) -> String {
    let plain = match message.as_str() {
        "expected ident" => "not a JSON value",
        "expected value" => "a value is missing or is not JSON",
        "EOF while parsing a value" => "the text ends where a value should be",
        "EOF while parsing an object" => "the text ends inside an object",
        "EOF while parsing a list" => "the text ends inside an array",
        "EOF while parsing a string" => "the text ends inside a string",
        _ => return message,
    };
    plain.to_owned()
}

/// Byte offset of the start of 1-based `line`.
fn nth_line_start(text: &str, line: usize) -> usize {
    if line <= 1 {
        return 0;
    }
    memchr::memchr_iter(b'\n', text.as_bytes())
        .nth(line - 2)
        .map_or(text.len(), |i| i + 1)
}

fn hint_for(message: &str, found: Option<char>, text: &str, offset: usize) -> Option<&'static str> {
    let rest = &text[offset..];
    if offset == 0 && found == Some('\u{feff}') {
        return Some("remove the byte order mark at the start");
    }
    if rest.starts_with("//") || rest.starts_with("/*") {
        return Some("JSON has no comments; remove them");
    }
    if found == Some('\'') {
        return Some("JSON strings and keys use double quotes: \"like this\"");
    }
    if message.starts_with("trailing comma") {
        return Some("remove the comma before the closing bracket");
    }
    if message.starts_with("key must be a string") {
        return Some("object keys are strings in double quotes: {\"key\": 1}");
    }
    if message.starts_with("trailing characters") {
        return Some(
            "there is more than one value; wrap them in an array [a, b] or remove the rest",
        );
    }
    if message.starts_with("EOF while parsing an object") {
        return Some("add the missing `}`");
    }
    if message.starts_with("EOF while parsing a list") {
        return Some("add the missing `]`");
    }
    if message.starts_with("EOF while parsing a string") {
        return Some("close the string with `\"`");
    }
    if message.starts_with("EOF while parsing a value") && text.trim().is_empty() {
        return Some("the input is empty; `{}` is the smallest object");
    }
    if message.starts_with("control character") {
        return Some("escape control characters in strings: \\n, \\t or \\u001b");
    }
    if message.starts_with("invalid escape") {
        return Some("valid escapes are \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX");
    }
    if message.starts_with("expected `:`") {
        return Some("put `:` between a key and its value");
    }
    if message.starts_with("expected `,` or `}`") {
        return Some("separate members with `,` or close the object with `}`");
    }
    if message.starts_with("expected `,` or `]`") {
        return Some("separate elements with `,` or close the array with `]`");
    }
    if message.starts_with("invalid number") {
        return Some("numbers have no leading zeros, no `+`, and digits after `.`");
    }
    if message.starts_with("expected ident") || message.starts_with("expected value") {
        let word: String = rest.chars().take_while(char::is_ascii_alphabetic).collect();
        return match word.as_str() {
            "NaN" | "Infinity" | "undefined" => {
                Some("JSON has no NaN, Infinity or undefined; use null or a string")
            }
            "True" | "False" | "Null" | "TRUE" | "FALSE" | "NULL" => {
                Some("literals are lowercase: true, false, null")
            }
            "" => None,
            _ => Some("strings need double quotes; literals are true, false and null"),
        };
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parser_jargon_is_reworded_with_a_hint() {
        let (message, at, hint) = json_error(r#"{"a": tru}"#);
        assert_eq!(message, "not a JSON value");
        assert_eq!(at.column, 7);
        assert_eq!(
            hint.as_deref(),
            Some("strings need double quotes; literals are true, false and null")
        );
        let (message, _, hint) = json_error(r#"{"a": "x"#);
        assert_eq!(message, "the text ends inside a string");
        assert_eq!(hint.as_deref(), Some("close the string with `\"`"));
    }

    fn json_error(text: &str) -> (String, Position, Option<String>) {
        match validate(text).unwrap_err() {
            FormatError::Json { message, at, hint } => (message, at, hint),
            other => panic!("not a JSON error: {other:?}"),
        }
    }

    #[test]
    fn beautify_keeps_order_numbers_and_escapes() {
        let input = r#" {"z":1,"a":[123456789012345678901234567890, 1e400,-0.0, true,null],
            "é\"\u00e9":{}, "e":[ ], "n":{"x":"a,b:{c}"}} "#;
        let expected = "{\n  \"z\": 1,\n  \"a\": [\n    123456789012345678901234567890,\n    1e400,\n    -0.0,\n    true,\n    null\n  ],\n  \"é\\\"\\u00e9\": {},\n  \"e\": [],\n  \"n\": {\n    \"x\": \"a,b:{c}\"\n  }\n}";
        assert_eq!(beautify(input, Indent::Spaces(2)).unwrap(), expected);
        assert_eq!(
            minify(input).unwrap(),
            r#"{"z":1,"a":[123456789012345678901234567890,1e400,-0.0,true,null],"é\"\u00e9":{},"e":[],"n":{"x":"a,b:{c}"}}"#
        );
    }

    #[test]
    fn indent_options() {
        assert_eq!(
            beautify("[1,[2]]", Indent::Tab).unwrap(),
            "[\n\t1,\n\t[\n\t\t2\n\t]\n]"
        );
        assert_eq!(beautify("[1]", Indent::Spaces(4)).unwrap(), "[\n    1\n]");
        assert_eq!(beautify("[1]", Indent::Spaces(0)).unwrap(), "[\n1\n]");
        assert_eq!(beautify(" \"s\" ", Indent::Spaces(2)).unwrap(), "\"s\"");
        assert_eq!(beautify("42", Indent::Spaces(2)).unwrap(), "42");
    }

    #[test]
    fn backslash_before_quote_inside_string() {
        let input = r#"["a\\", "b\\\"c", "\\\\"]"#;
        assert_eq!(minify(input).unwrap(), r#"["a\\","b\\\"c","\\\\"]"#);
    }

    #[test]
    fn trailing_comma_has_position_and_hint() {
        let (message, at, hint) = json_error("{\n  \"a\": 1,\n}");
        assert_eq!(message, "trailing comma");
        assert_eq!(
            at,
            Position {
                line: 2,
                column: 9,
                offset: 10
            }
        );
        let (message, at, _) = json_error("[1 , ]");
        assert_eq!((message.as_str(), at.offset), ("trailing comma", 3));
        assert_eq!(
            hint.as_deref(),
            Some("remove the comma before the closing bracket")
        );
    }

    #[test]
    fn column_counts_chars_not_bytes() {
        // "é" is two bytes; the bad `x` is the 8th char but the 9th byte on the line.
        let (message, at, _) = json_error(r#"["é", x]"#);
        assert_eq!(message, "a value is missing or is not JSON");
        assert_eq!(
            at,
            Position {
                line: 1,
                column: 7,
                offset: 7
            }
        );
    }

    #[test]
    fn hints_for_common_slips() {
        let cases = [
            (
                "{'a': 1}",
                "JSON strings and keys use double quotes: \"like this\"",
            ),
            (
                "{a: 1}",
                "object keys are strings in double quotes: {\"key\": 1}",
            ),
            (
                "[1] [2]",
                "there is more than one value; wrap them in an array [a, b] or remove the rest",
            ),
            ("{\"a\": 1", "add the missing `}`"),
            ("[1, 2", "add the missing `]`"),
            ("// c\n{}", "JSON has no comments; remove them"),
            (
                "[NaN]",
                "JSON has no NaN, Infinity or undefined; use null or a string",
            ),
            ("[True]", "literals are lowercase: true, false, null"),
            ("", "the input is empty; `{}` is the smallest object"),
            (
                "[01]",
                "numbers have no leading zeros, no `+`, and digits after `.`",
            ),
            ("{\"a\" 1}", "put `:` between a key and its value"),
            (
                "\"a\tb\"",
                "escape control characters in strings: \\n, \\t or \\u001b",
            ),
            ("\u{feff}{}", "remove the byte order mark at the start"),
        ];
        for (input, expected) in cases {
            let (message, _, hint) = json_error(input);
            assert_eq!(
                hint.as_deref(),
                Some(expected),
                "input {input:?}, message {message:?}"
            );
        }
    }

    #[test]
    fn eof_error_points_at_the_end() {
        let (message, at, _) = json_error("[1,\n 2");
        assert_eq!(message, "the text ends inside an array");
        assert_eq!(
            at,
            Position {
                line: 2,
                column: 3,
                offset: 6
            }
        );
    }

    #[test]
    fn deep_nesting_does_not_recurse() {
        let depth = 100_000;
        let input = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        validate(&input).unwrap();
        assert_eq!(minify(&input).unwrap(), input);
        // Pretty output is quadratic in depth here; the output limit stops it cleanly.
        let style = Style {
            max_output: 1 << 20,
            ..Style::default()
        };
        let mut out = String::new();
        assert!(matches!(
            format_into(&input, &style, &mut out),
            Err(FormatError::TooLarge { limit, .. }) if limit == 1 << 20
        ));
    }

    #[test]
    fn format_into_appends() {
        let mut out = String::from("> ");
        format_into("[1, 2]", &Style::minified(), &mut out).unwrap();
        assert_eq!(out, "> [1,2]");
    }
}
