//! Binary messages typed as text: hex and base64 input, and the reverse for editing.
//!
//! People paste bytes from everywhere: `xxd -p`, Wireshark (`de:ad:be:ef`), C arrays
//! (`0xde, 0xad`), UUIDs (`de-ad`), JWT segments (URL-safe base64 without padding). The
//! decoders accept all of these and, when they cannot, name the character and its place.

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

use crate::error::{FormatError, Position};

/// How a binary message is typed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinaryEncoding {
    /// Hex digits (see [`decode_hex`]).
    Hex,
    /// Base64, standard or URL-safe (see [`decode_base64`]).
    Base64,
}

/// Decodes `text` in the given encoding.
pub fn decode(text: &str, encoding: BinaryEncoding) -> Result<Vec<u8>, FormatError> {
    match encoding {
        BinaryEncoding::Hex => decode_hex(text),
        BinaryEncoding::Base64 => decode_base64(text),
    }
}

/// Decodes hex input into bytes.
///
/// Accepted: hex digits in either case; whitespace (any Unicode white space, so a pasted
/// non-breaking space is fine) and the separators `:` `,` `-` between bytes; a `0x`/`0X`
/// prefix at the start of each group. A *group* is a run of digits between separators and
/// holds any even number of digits, so `dead beef`, `de:ad:be:ef`, `0xde, 0xad` and
/// `deadbeef` all decode. Errors: a character that is none of these
/// ([`FormatError::HexDigit`]), and a group with an odd digit count
/// ([`FormatError::HexOddDigits`]), both with positions. Empty input is zero bytes.
pub fn decode_hex(text: &str) -> Result<Vec<u8>, FormatError> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len() / 2);
    let mut i = 0;
    while i < bytes.len() {
        match HEX_CLASS[usize::from(bytes[i])] {
            SEPARATOR => {
                i += 1;
                continue;
            }
            OTHER => {
                let c = text[i..].chars().next().unwrap_or('\u{FFFD}');
                if c.is_whitespace() {
                    i += c.len_utf8();
                    continue;
                }
                return Err(hex_digit_error(text, i));
            }
            _ => {}
        }
        // A group: optional 0x, then digits up to a separator or the end.
        let prefix = i;
        if bytes[i] == b'0' && matches!(bytes.get(i + 1), Some(b'x' | b'X')) {
            i += 2;
        }
        let run_start = i;
        while let [hi, lo, ..] = bytes[i..] {
            let (hi, lo) = (HEX_CLASS[usize::from(hi)], HEX_CLASS[usize::from(lo)]);
            if hi >= 16 || lo >= 16 {
                break;
            }
            out.push((hi << 4) | lo);
            i += 2;
        }
        let odd = bytes
            .get(i)
            .is_some_and(|&b| HEX_CLASS[usize::from(b)] < 16);
        let run_end = if odd { i + 1 } else { i };
        if run_end < bytes.len() && !is_separator_at(text, run_end) {
            return Err(hex_digit_error(text, run_end));
        }
        if odd || run_end == run_start {
            // "0x" with no digits counts as an empty group, reported at the prefix.
            let at = if run_end == run_start {
                prefix
            } else {
                run_start
            };
            return Err(FormatError::HexOddDigits {
                digits: run_end - run_start,
                at: Position::locate(text, at),
            });
        }
        i = run_end;
    }
    Ok(out)
}

/// Classes of bytes in hex input: 0–15 a digit's value, then these.
const SEPARATOR: u8 = 16;
const OTHER: u8 = 17;

static HEX_CLASS: [u8; 256] = {
    let mut table = [OTHER; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = match b as u8 {
            c @ b'0'..=b'9' => c - b'0',
            c @ b'a'..=b'f' => c - b'a' + 10,
            c @ b'A'..=b'F' => c - b'A' + 10,
            b' ' | b'\t' | b'\n' | b'\r' | 0x0c | b':' | b',' | b'-' => SEPARATOR,
            _ => OTHER,
        };
        b += 1;
    }
    table
};

fn is_separator_at(text: &str, at: usize) -> bool {
    match HEX_CLASS[usize::from(text.as_bytes()[at])] {
        SEPARATOR => true,
        OTHER if text.as_bytes()[at] >= 0x80 => {
            text[at..].chars().next().is_some_and(char::is_whitespace)
        }
        _ => false,
    }
}

fn hex_digit_error(text: &str, at: usize) -> FormatError {
    FormatError::HexDigit {
        found: text[at..].chars().next().unwrap_or('\u{FFFD}'),
        at: Position::locate(text, at),
    }
}

/// Hex of `bytes` as the editor shows it: lowercase pairs separated by single spaces
/// (`"48 65 6c"`), which [`decode_hex`] reads back.
#[must_use]
pub fn encode_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 3);
    for (i, &b) in bytes.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

/// Decodes base64 input into bytes.
///
/// Accepted: the standard alphabet (`+` `/`) and the URL-safe one (`-` `_`), even mixed;
/// padding `=` present or absent; white space anywhere (line-wrapped MIME output); trailing
/// bits that a strict decoder would reject (some encoders leave them set). Errors name the
/// offending character and its position: a character outside both alphabets
/// ([`FormatError::Base64Char`]), data after padding, the wrong number of `=`, or a last
/// group of a single character, which no encoder produces ([`FormatError::Base64`]).
pub fn decode_base64(text: &str) -> Result<Vec<u8>, FormatError> {
    let bytes = text.as_bytes();
    let mut clean = Vec::with_capacity(bytes.len());
    let mut padding = 0usize;
    let mut first_pad = 0usize;
    let mut last_data = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'+' | b'/' | b'-' | b'_' => {
                if padding > 0 {
                    return Err(FormatError::Base64 {
                        message: format!("`{}` after the padding `=`", char::from(b)),
                        at: Position::locate(text, i),
                        hint: Some(
                            "`=` may only end the data; remove it, or split the input".into(),
                        ),
                    });
                }
                clean.push(match b {
                    b'-' => b'+',
                    b'_' => b'/',
                    other => other,
                });
                last_data = i;
                i += 1;
            }
            b'=' => {
                if padding == 0 {
                    first_pad = i;
                }
                padding += 1;
                i += 1;
            }
            _ if b.is_ascii_whitespace() => i += 1,
            _ => {
                let c = text[i..].chars().next().unwrap_or('\u{FFFD}');
                if c.is_whitespace() {
                    i += c.len_utf8();
                    continue;
                }
                return Err(FormatError::Base64Char {
                    found: c,
                    at: Position::locate(text, i),
                });
            }
        }
    }
    let rest = clean.len() % 4;
    if rest == 1 {
        return Err(FormatError::Base64 {
            message: "the last group has a single character".into(),
            at: Position::locate(text, last_data),
            hint: Some(
                "base64 writes 3 bytes as 4 characters; a character is missing or extra".into(),
            ),
        });
    }
    if padding > 0 {
        let expected = (4 - rest) % 4;
        if padding != expected {
            return Err(FormatError::Base64 {
                message: format!(
                    "{padding} padding `=` after {} characters; expected {expected}",
                    clean.len()
                ),
                at: Position::locate(text, first_pad),
                hint: Some("padding fills the last group to 4 characters".into()),
            });
        }
    }
    let engine = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new()
            .with_decode_padding_mode(DecodePaddingMode::RequireNone)
            .with_decode_allow_trailing_bits(true),
    );
    engine.decode(&clean).map_err(|error| FormatError::Base64 {
        // Unreachable after the checks above; kept as an error, not a panic.
        message: error.to_string(),
        at: Position::locate(text, text.len()),
        hint: None,
    })
}

/// Standard base64 with padding, the form most tools expect.
#[must_use]
pub fn encode_base64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_accepts_the_usual_spellings() {
        let expected = vec![0xde, 0xad, 0xbe, 0xef];
        for input in [
            "deadbeef",
            "DE AD BE EF",
            "de:ad:be:ef",
            "0xde, 0xad, 0xbe, 0xef",
            "de-ad-be-ef",
            "0xDEADBEEF",
            "  dead\n\tbeef\r\n",
            "de\u{a0}ad beef",
        ] {
            assert_eq!(decode_hex(input).unwrap(), expected, "input {input:?}");
        }
        assert_eq!(decode_hex("").unwrap(), Vec::<u8>::new());
        assert_eq!(decode_hex(" : , ").unwrap(), Vec::<u8>::new());
    }

    #[test]
    fn hex_bad_digit_names_char_and_position() {
        let error = decode_hex("00 11\n2g").unwrap_err();
        assert_eq!(
            error,
            FormatError::HexDigit {
                found: 'g',
                at: Position {
                    line: 2,
                    column: 2,
                    offset: 7
                }
            }
        );
        assert!(
            error
                .to_string()
                .starts_with("`g` at line 2, column 2 (byte 7)")
        );
        let error = decode_hex("aé").unwrap_err();
        assert!(matches!(error, FormatError::HexDigit { found: 'é', at } if at.offset == 1));
    }

    #[test]
    fn hex_odd_group_is_reported_at_its_start() {
        assert_eq!(
            decode_hex("0a 0x1 ff").unwrap_err(),
            FormatError::HexOddDigits {
                digits: 1,
                at: Position {
                    line: 1,
                    column: 6,
                    offset: 5
                }
            }
        );
        assert!(matches!(
            decode_hex("abc").unwrap_err(),
            FormatError::HexOddDigits { digits: 3, .. }
        ));
        assert!(matches!(
            decode_hex("0x").unwrap_err(),
            FormatError::HexOddDigits { digits: 0, .. }
        ));
    }

    #[test]
    fn hex_encode_is_spaced_lowercase() {
        assert_eq!(encode_hex(&[0x00, 0xab, 0x7f]), "00 ab 7f");
        assert_eq!(encode_hex(&[]), "");
    }

    #[test]
    fn base64_standard_url_safe_padding_whitespace() {
        assert_eq!(decode_base64("aGVsbG8=").unwrap(), b"hello");
        assert_eq!(decode_base64("aGVsbG8").unwrap(), b"hello");
        assert_eq!(decode_base64("aGVs\n bG8=\n").unwrap(), b"hello");
        // 0xfb 0xff: "+/8" in standard, "-_8" in URL-safe.
        assert_eq!(decode_base64("+/8=").unwrap(), vec![0xfb, 0xff]);
        assert_eq!(decode_base64("-_8").unwrap(), vec![0xfb, 0xff]);
        assert_eq!(decode_base64("").unwrap(), Vec::<u8>::new());
        // Non-zero trailing bits ("aGVsbG9" ends in 9, canonical is 8) are accepted.
        assert_eq!(decode_base64("aGVsbG9").unwrap(), b"hello");
    }

    #[test]
    fn base64_errors_have_positions() {
        assert_eq!(
            decode_base64("aGVs\nbG*8").unwrap_err(),
            FormatError::Base64Char {
                found: '*',
                at: Position {
                    line: 2,
                    column: 3,
                    offset: 7
                }
            }
        );
        let error = decode_base64("aGVsbG8=x").unwrap_err();
        assert!(
            matches!(&error, FormatError::Base64 { message, at, .. } if message == "`x` after the padding `=`" && at.offset == 8),
            "{error:?}"
        );
        let error = decode_base64("aGVsb").unwrap_err();
        assert!(
            matches!(&error, FormatError::Base64 { message, at, .. } if message == "the last group has a single character" && at.offset == 4),
            "{error:?}"
        );
        let error = decode_base64("aGVsbG8==").unwrap_err();
        assert!(
            matches!(&error, FormatError::Base64 { message, at, .. } if message == "2 padding `=` after 7 characters; expected 1" && at.offset == 7),
            "{error:?}"
        );
    }

    #[test]
    fn round_trips() {
        let data: Vec<u8> = (0..=255u8).collect();
        assert_eq!(decode_hex(&encode_hex(&data)).unwrap(), data);
        assert_eq!(decode_base64(&encode_base64(&data)).unwrap(), data);
        assert_eq!(
            decode(&encode_hex(&data), BinaryEncoding::Hex).unwrap(),
            data
        );
    }
}
