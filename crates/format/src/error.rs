//! Errors and diagnostics of the formats half: what went wrong, where, and how to fix it.
//!
//! Every problem carries a [`Position`] (1-based line and column plus the 0-based byte offset),
//! so an editor can put the cursor on it and a terminal can print `line 3, column 7`. Hard
//! failures are a [`FormatError`]; softer findings (HTML is forgiving) are [`Diagnostic`]s.

use std::fmt;

/// A place in a text: where a problem is.
///
/// `line` and `column` are 1-based and meant for people: lines are separated by `\n` (a `\r`
/// before it belongs to the line), and the column counts Unicode scalar values (`char`s), not
/// bytes, so `é` is one column. `offset` is the 0-based byte offset, meant for programs (an
/// editor selection, slicing the input).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Position {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, counted in `char`s from the start of the line.
    pub column: usize,
    /// 0-based byte offset from the start of the input.
    pub offset: usize,
}

impl Position {
    /// The position of byte `offset` in `text`.
    ///
    /// An offset past the end is clamped to the end, and an offset inside a multi-byte
    /// character is moved back to that character's first byte, so any number gives a valid
    /// position (parsers report offsets we do not control). O(offset).
    #[must_use]
    pub fn locate(text: &str, offset: usize) -> Position {
        let offset = floor_char_boundary(text, offset);
        let before = &text.as_bytes()[..offset];
        let line_start = memchr::memrchr(b'\n', before).map_or(0, |i| i + 1);
        let line = memchr::memchr_iter(b'\n', before).count() + 1;
        let column = text
            .get(line_start..offset)
            .map_or(0, |s| s.chars().count())
            + 1;
        Position {
            line,
            column,
            offset,
        }
    }

    /// The position of byte `offset` in `bytes`, which need not be UTF-8.
    ///
    /// Used for binary input and for messages that turned out not to be text: the column
    /// counts the characters of the valid UTF-8 before `offset` on its line, and every byte
    /// of an invalid sequence as one column.
    #[must_use]
    pub fn locate_bytes(bytes: &[u8], offset: usize) -> Position {
        let offset = offset.min(bytes.len());
        let before = &bytes[..offset];
        let line_start = memchr::memrchr(b'\n', before).map_or(0, |i| i + 1);
        let line = memchr::memchr_iter(b'\n', before).count() + 1;
        let column = String::from_utf8_lossy(&bytes[line_start..offset])
            .chars()
            .count()
            + 1;
        Position {
            line,
            column,
            offset,
        }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {} (byte {})",
            self.line, self.column, self.offset
        )
    }
}

/// The positions of many offsets in one forward pass over `text` (in the order given).
///
/// [`Position::locate`] scans from the start each time; for a list of findings in a large
/// input that would be quadratic.
pub(crate) fn locate_all(text: &str, offsets: &[usize]) -> Vec<Position> {
    let mut order: Vec<usize> = (0..offsets.len()).collect();
    order.sort_by_key(|&i| offsets[i]);
    let mut result = vec![Position::default(); offsets.len()];
    let (mut at, mut line, mut column) = (0usize, 1usize, 1usize);
    for i in order {
        let target = floor_char_boundary(text, offsets[i]);
        let chunk = &text[at..target];
        match memchr::memrchr(b'\n', chunk.as_bytes()) {
            Some(last) => {
                line += memchr::memchr_iter(b'\n', chunk.as_bytes()).count();
                column = chunk[last + 1..].chars().count() + 1;
            }
            None => column += chunk.chars().count(),
        }
        at = target;
        result[i] = Position {
            line,
            column,
            offset: target,
        };
    }
    result
}

/// The largest char boundary of `text` at or before `offset` (clamped to `text.len()`).
pub(crate) fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// How bad a [`Diagnostic`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// The input is not of the format: it cannot be formatted as such, or a receiver will
    /// reject it.
    Error,
    /// The input is accepted (a browser recovers) but probably not what was meant.
    Warning,
}

/// One finding about an input, with where it is and, where we know it, how to fix it.
///
/// HTML checking returns these (HTML parsers recover from everything, so nothing is fatal);
/// a [`FormatError`] converts into one so a front end can list all findings the same way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong, in words ("`</b>` closes `<div>` opened at line 2, column 1").
    pub message: String,
    /// Where it is.
    pub at: Position,
    /// What to do about it, when there is one obvious fix.
    pub hint: Option<String>,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{severity} at {}: {}", self.at, self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, " ({hint})")?;
        }
        Ok(())
    }
}

/// Writes ` (hint)` when there is a hint; used by the `Display` of [`FormatError`].
struct Hint<'a>(&'a Option<String>);

impl fmt::Display for Hint<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(hint) => write!(f, " ({hint})"),
            None => Ok(()),
        }
    }
}

/// Why input could not be validated, decoded, formatted or rendered.
///
/// Each variant names what was wrong and where; `Display` is a sentence for people, with the
/// fix in parentheses where there is an obvious one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FormatError {
    /// The text is not valid JSON (RFC 8259).
    #[error("invalid JSON at {at}: {message}{}", Hint(.hint))]
    Json {
        /// What the parser expected or found, e.g. "trailing comma".
        message: String,
        /// Where.
        at: Position,
        /// How to fix it.
        hint: Option<String>,
    },
    /// The text is not well-formed XML 1.0.
    #[error("XML is not well-formed at {at}: {message}{}", Hint(.hint))]
    Xml {
        /// What is wrong, e.g. "`</a>` does not close `<b>`".
        message: String,
        /// Where.
        at: Position,
        /// How to fix it.
        hint: Option<String>,
    },
    /// A character in hex input that is neither a hex digit nor an allowed separator.
    #[error(
        "`{}` at {at} is not a hex digit (use 0-9 and a-f, optionally with 0x prefixes and spaces, `:`, `,` or `-` between bytes)",
        .found.escape_debug()
    )]
    HexDigit {
        /// The offending character.
        found: char,
        /// Where.
        at: Position,
    },
    /// A run of hex digits with an odd count: one byte is missing a digit.
    #[error(
        "odd number of hex digits ({digits}) in the group starting at {at} (write every byte as two digits, e.g. 0a instead of a)"
    )]
    HexOddDigits {
        /// How many digits the group has.
        digits: usize,
        /// Where the group starts.
        at: Position,
    },
    /// A character in base64 input outside the standard and URL-safe alphabets.
    #[error(
        "`{}` at {at} is not a base64 character (use A-Z, a-z, 0-9 and + / or - _, with optional = padding at the end)",
        .found.escape_debug()
    )]
    Base64Char {
        /// The offending character.
        found: char,
        /// Where.
        at: Position,
    },
    /// Base64 input whose shape is wrong: a dangling character, or padding in the wrong place.
    #[error("invalid base64 at {at}: {message}{}", Hint(.hint))]
    Base64 {
        /// What is wrong.
        message: String,
        /// Where.
        at: Position,
        /// How to fix it.
        hint: Option<String>,
    },
    /// The bytes were asked to be shown as a text format but are not UTF-8.
    #[error(
        "not valid UTF-8 at {at}, so it cannot be shown as {format} (view it as Binary to see a hexdump)"
    )]
    NotUtf8 {
        /// The format that was asked for.
        format: &'static str,
        /// Where the first invalid byte is.
        at: Position,
    },
    /// Formatting would produce more than the allowed output (see `Style::max_output`).
    ///
    /// Pretty-printing deeply nested input can grow it many times over; the limit keeps a
    /// hostile or accidental message from exhausting memory.
    #[error(
        "{what} would be larger than {limit} bytes (view it minified or as plain text, or raise the output limit)"
    )]
    TooLarge {
        /// What was being produced, e.g. "beautified JSON".
        what: &'static str,
        /// The limit in bytes.
        limit: usize,
    },
}

impl FormatError {
    /// Where the problem is, if it has a place (everything but [`FormatError::TooLarge`]).
    #[must_use]
    pub fn position(&self) -> Option<Position> {
        match self {
            FormatError::Json { at, .. }
            | FormatError::Xml { at, .. }
            | FormatError::HexDigit { at, .. }
            | FormatError::HexOddDigits { at, .. }
            | FormatError::Base64Char { at, .. }
            | FormatError::Base64 { at, .. }
            | FormatError::NotUtf8 { at, .. } => Some(*at),
            FormatError::TooLarge { .. } => None,
        }
    }
}

impl From<FormatError> for Diagnostic {
    /// A hard error as a diagnostic of severity [`Severity::Error`], so front ends can list
    /// errors and warnings together. The place is in `at` only: the message is the `Display`
    /// sentence without it (a front end prefixes its own "Line 1, column 1:"), the fix in
    /// `hint`.
    fn from(error: FormatError) -> Diagnostic {
        let at = error.position().unwrap_or_default();
        let (message, hint): (String, Option<&str>) = match &error {
            FormatError::Json { message, hint, .. }
            | FormatError::Xml { message, hint, .. }
            | FormatError::Base64 { message, hint, .. } => {
                return Diagnostic {
                    severity: Severity::Error,
                    message: message.clone(),
                    at,
                    hint: hint.clone(),
                };
            }
            FormatError::HexDigit { found, .. } => (
                format!("`{}` is not a hex digit", found.escape_debug()),
                Some(
                    "use 0-9 and a-f, optionally with 0x prefixes and spaces, `:`, `,` or `-` between bytes",
                ),
            ),
            FormatError::HexOddDigits { digits, .. } => (
                format!("odd number of hex digits ({digits}) in a group"),
                Some("write every byte as two digits, e.g. 0a instead of a"),
            ),
            FormatError::Base64Char { found, .. } => (
                format!("`{}` is not a base64 character", found.escape_debug()),
                Some("use A-Z, a-z, 0-9 and + / or - _, with optional = padding at the end"),
            ),
            FormatError::NotUtf8 { format, .. } => (
                format!("not valid UTF-8, so it cannot be shown as {format}"),
                Some("view it as Binary to see a hexdump"),
            ),
            FormatError::TooLarge { .. } => (error.to_string(), None),
        };
        let hint = hint.map(str::to_owned);
        Diagnostic {
            severity: Severity::Error,
            message,
            at,
            hint,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locate_counts_lines_and_chars() {
        let text = "ab\ncé\u{1F600}x\n";
        assert_eq!(
            Position::locate(text, 0),
            Position {
                line: 1,
                column: 1,
                offset: 0
            }
        );
        // 'x' is after "c", "é" (2 bytes), the emoji (4 bytes): byte 3 + 1 + 2 + 4 = 10.
        assert_eq!(
            Position::locate(text, 10),
            Position {
                line: 2,
                column: 4,
                offset: 10
            }
        );
        // Past the end: clamped to the end, which is the start of line 3.
        assert_eq!(
            Position::locate(text, 99),
            Position {
                line: 3,
                column: 1,
                offset: 12
            }
        );
    }

    #[test]
    fn locate_inside_a_multibyte_char_moves_to_its_start() {
        // Byte 2 is the second byte of 'é' (bytes 1..3).
        assert_eq!(
            Position::locate("aéb", 2),
            Position {
                line: 1,
                column: 2,
                offset: 1
            }
        );
    }

    #[test]
    fn locate_all_matches_locate() {
        let text = "a\nbé\n\ncd\u{1F600}e";
        let offsets = [9, 0, 3, 99, 4, 7, 3];
        let expected: Vec<Position> = offsets.iter().map(|&o| Position::locate(text, o)).collect();
        assert_eq!(locate_all(text, &offsets), expected);
        assert_eq!(
            expected[0],
            Position {
                line: 4,
                column: 3,
                offset: 9
            }
        );
    }

    #[test]
    fn locate_bytes_handles_invalid_utf8() {
        let bytes = b"ok\n\xff\xfeX";
        assert_eq!(
            Position::locate_bytes(bytes, 5),
            Position {
                line: 2,
                column: 3,
                offset: 5
            }
        );
    }

    #[test]
    fn display_names_place_and_fix() {
        let error = FormatError::Json {
            message: "trailing comma".into(),
            at: Position::locate("[1,]", 3),
            hint: Some("remove the `,` before `]`".into()),
        };
        assert_eq!(
            error.to_string(),
            "invalid JSON at line 1, column 4 (byte 3): trailing comma (remove the `,` before `]`)"
        );
        let diagnostic = Diagnostic::from(error);
        assert_eq!(diagnostic.severity, Severity::Error);
        assert_eq!(diagnostic.message, "trailing comma");
        assert_eq!(diagnostic.at.offset, 3);
    }

    #[test]
    fn a_diagnostic_says_its_place_only_in_at() {
        let at = Position::locate("0a zz", 3);
        for error in [
            FormatError::HexDigit { found: 'z', at },
            FormatError::HexOddDigits { digits: 3, at },
            FormatError::Base64Char { found: '!', at },
            FormatError::NotUtf8 { format: "JSON", at },
        ] {
            let shown = error.to_string();
            assert!(shown.contains("line 1, column 4 (byte 3)"), "{shown}");
            let d = Diagnostic::from(error);
            assert_eq!(d.at, at);
            assert!(!d.message.contains("line"), "{}", d.message);
            assert!(d.hint.is_some(), "{}", d.message);
        }
        let d = Diagnostic::from(FormatError::HexDigit { found: 'z', at });
        assert_eq!(d.message, "`z` is not a hex digit");
    }
}
