//! What a message is (JSON, XML, HTML, text or binary), and showing it as any of them.
//!
//! # Detection rules
//!
//! In order, on the raw bytes:
//!
//! 1. Not valid UTF-8 → [`Format::Binary`]. So is UTF-8 with a NUL byte, or where one byte
//!    in ten or more is a control character other than tab, newline, carriage return, form
//!    feed and escape (ANSI colours are text); protobuf, MessagePack and CBOR land here.
//! 2. After leading white space (and a byte order mark): `{` or `[` and the whole text is
//!    valid JSON → [`Format::Json`]. Only objects and arrays are detected: a bare `42`,
//!    `true` or `"hi"` is valid JSON too, but in a message log it is far more often plain
//!    text, and the text view shows it just as well. [`render`] as JSON accepts any value.
//! 3. `<`: `<!DOCTYPE html` or a first element that is an HTML element (`html`, `div`, `p`,
//!    `span`, `table`, …) → [`Format::Html`], whether or not it is also well-formed XML
//!    (`<p>hi</p>` is both, and is HTML in practice). Otherwise well-formed XML →
//!    [`Format::Xml`] (an `<?xml …?>` declaration always means XML when well-formed).
//!    Anything else starting with `<` is text.
//! 4. Otherwise → [`Format::Text`] (the empty message included).
//!
//! Detection reads the whole message (JSON and XML are validated), so it is O(n) like the
//! rest: for large messages see [`crate::style::should_offload`].

use std::fmt;

use crate::error::{FormatError, Position};
use crate::hexdump::HexDump;
use crate::style::Style;
use crate::{html, json, xml};

/// A message format, as the viewer shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// UTF-8 text.
    Text,
    /// JSON (RFC 8259).
    Json,
    /// XML 1.0.
    Xml,
    /// HTML.
    Html,
    /// Anything else: shown as a hexdump.
    Binary,
}

impl Format {
    /// The MIME type: `text/plain`, `application/json`, `application/xml`, `text/html` or
    /// `application/octet-stream`.
    #[must_use]
    pub const fn mime(self) -> &'static str {
        match self {
            Format::Text => "text/plain",
            Format::Json => "application/json",
            Format::Xml => "application/xml",
            Format::Html => "text/html",
            Format::Binary => "application/octet-stream",
        }
    }

    /// The name people use: `Text`, `JSON`, `XML`, `HTML`, `Binary`.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Format::Text => "Text",
            Format::Json => "JSON",
            Format::Xml => "XML",
            Format::Html => "HTML",
            Format::Binary => "Binary",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What [`detect`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Detected {
    /// The format.
    pub format: Format,
    /// Its MIME type (`format.mime()`), for headers, exports and the UI's badge.
    pub mime: &'static str,
    /// Size in bytes.
    pub size: usize,
}

/// Detects the format of a message (see the module docs for the rules). Never fails.
#[must_use]
pub fn detect(bytes: &[u8]) -> Detected {
    let format = detect_format(bytes);
    Detected {
        format,
        mime: format.mime(),
        size: bytes.len(),
    }
}

fn detect_format(bytes: &[u8]) -> Format {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Format::Binary;
    };
    if looks_binary(bytes) {
        return Format::Binary;
    }
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let trimmed = body.trim_start();
    match trimmed.as_bytes().first() {
        Some(b'{' | b'[') if json::validate(body).is_ok() => Format::Json,
        Some(b'<') => detect_markup(text, trimmed),
        _ => Format::Text,
    }
}

/// NUL, or at least 10% control bytes (tab, LF, CR, FF and ESC do not count).
fn looks_binary(bytes: &[u8]) -> bool {
    if memchr::memchr(0, bytes).is_some() {
        return true;
    }
    let controls = bytes
        .iter()
        .filter(|&&b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c | 0x1b)) || b == 0x7f)
        .count();
    controls > 0 && controls >= bytes.len().div_ceil(10)
}

fn detect_markup(text: &str, trimmed: &str) -> Format {
    let head = trimmed.get(..trimmed.len().min(64)).unwrap_or(trimmed);
    let starts_with = |prefix: &str| {
        head.get(..prefix.len())
            .is_some_and(|h| h.eq_ignore_ascii_case(prefix))
    };
    if starts_with("<!doctype html") {
        return Format::Html;
    }
    let declared_xml = starts_with("<?xml");
    let name = first_element_name(trimmed);
    let html_name = name.is_some_and(|n| is_html_element(&n.to_ascii_lowercase()));
    if html_name && !declared_xml {
        return Format::Html;
    }
    if xml::validate(text).is_ok() {
        Format::Xml
    } else {
        Format::Text
    }
}

/// The name of the first element, skipping comments, `<?…?>` and `<!…>`; looks at most
/// 4 KiB in.
fn first_element_name(text: &str) -> Option<&str> {
    let limit = text.len().min(4096);
    let mut rest = text.get(..limit).unwrap_or(text);
    loop {
        rest = rest.trim_start();
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = &after[after.find("-->")? + 3..];
        } else if rest.starts_with("<?") || rest.starts_with("<!") {
            rest = &rest[rest.find('>')? + 1..];
        } else {
            let after = rest.strip_prefix('<')?;
            let end = after
                .find(|c: char| c.is_whitespace() || matches!(c, '>' | '/'))
                .unwrap_or(after.len());
            let name = &after[..end];
            return (!name.is_empty()).then_some(name);
        }
    }
}

fn is_html_element(name: &str) -> bool {
    matches!(
        name,
        "html"
            | "head"
            | "body"
            | "div"
            | "span"
            | "p"
            | "a"
            | "b"
            | "i"
            | "u"
            | "em"
            | "strong"
            | "small"
            | "code"
            | "pre"
            | "br"
            | "hr"
            | "img"
            | "table"
            | "thead"
            | "tbody"
            | "tr"
            | "td"
            | "th"
            | "ul"
            | "ol"
            | "li"
            | "dl"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "form"
            | "input"
            | "button"
            | "select"
            | "textarea"
            | "label"
            | "meta"
            | "link"
            | "script"
            | "style"
            | "section"
            | "article"
            | "nav"
            | "header"
            | "footer"
            | "main"
            | "aside"
            | "iframe"
            | "template"
            | "blockquote"
            | "figure"
            | "video"
            | "audio"
            | "canvas"
    )
}

/// The message as `format`, laid out per `style`.
///
/// Text is returned unchanged; JSON, XML and HTML are beautified or minified (a leading byte
/// order mark is ignored for JSON); Binary is a hexdump of 16-byte lines. Errors: the bytes
/// are not UTF-8 ([`FormatError::NotUtf8`], for the text formats), not JSON or not
/// well-formed XML (with position and hint), or the output limit. HTML never fails on
/// syntax: use [`crate::html::check`] for its warnings.
pub fn render(bytes: &[u8], format: Format, style: &Style) -> Result<String, FormatError> {
    let mut out = String::new();
    render_into(bytes, format, style, &mut out)?;
    Ok(out)
}

/// [`render`] appending to `out` (a view can reuse its buffer).
pub fn render_into(
    bytes: &[u8],
    format: Format,
    style: &Style,
    out: &mut String,
) -> Result<(), FormatError> {
    if format == Format::Binary {
        HexDump::new(bytes).write_into(out);
        return Ok(());
    }
    let text = std::str::from_utf8(bytes).map_err(|error| FormatError::NotUtf8 {
        format: format.name(),
        at: Position::locate_bytes(bytes, error.valid_up_to()),
    })?;
    match format {
        Format::Json => {
            json::format_into(text.strip_prefix('\u{feff}').unwrap_or(text), style, out)
        }
        Format::Xml => xml::format_into(text, style, out),
        Format::Html => html::format_into(text, style, out),
        Format::Text | Format::Binary => {
            out.push_str(text);
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::style::Indent;

    fn format_of(bytes: &[u8]) -> Format {
        detect(bytes).format
    }

    #[test]
    fn detected_carries_mime_and_size() {
        assert_eq!(
            detect(br#"{"a":1}"#),
            Detected {
                format: Format::Json,
                mime: "application/json",
                size: 7
            }
        );
        assert_eq!(detect(b"").format, Format::Text);
        assert_eq!(detect(b"").mime, "text/plain");
        assert_eq!(detect(b"\xff\xfe").mime, "application/octet-stream");
    }

    #[test]
    fn json_only_for_objects_and_arrays() {
        assert_eq!(format_of(b"  [1, 2]\n"), Format::Json);
        assert_eq!(format_of("\u{feff}{\"a\": []}".as_bytes()), Format::Json);
        assert_eq!(format_of(b"{\"a\": 1,}"), Format::Text);
        assert_eq!(format_of(b"42"), Format::Text);
        assert_eq!(format_of(b"\"hi\""), Format::Text);
        assert_eq!(format_of(b"[1] trailing"), Format::Text);
    }

    #[test]
    fn markup() {
        assert_eq!(format_of(b"<!DOCTYPE html><title>x</title>"), Format::Html);
        assert_eq!(format_of(b"<!doctype HTML>"), Format::Html);
        assert_eq!(
            format_of(b"<div id=x hx-swap-oob=true>hi</div>"),
            Format::Html
        );
        assert_eq!(format_of(b"<p>well-formed and HTML</p>"), Format::Html);
        assert_eq!(format_of(b"<!-- c --><HTML><body>"), Format::Html);
        assert_eq!(
            format_of(b"<message to='a@b'><body>hi</body></message>"),
            Format::Xml
        );
        assert_eq!(format_of(b"<?xml version=\"1.0\"?><p/>"), Format::Xml);
        assert_eq!(
            format_of(b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
            Format::Xml
        );
        assert_eq!(format_of(b"<a><b></a>"), Format::Html);
        assert_eq!(format_of(b"<note><b></note>"), Format::Text);
        assert_eq!(format_of(b"< not markup"), Format::Text);
    }

    #[test]
    fn binary() {
        assert_eq!(format_of(b"\xff\x00\x01"), Format::Binary);
        assert_eq!(format_of(b"text with a NUL\0"), Format::Binary);
        assert_eq!(format_of(b"\x08\x01\x12\x03abc"), Format::Binary);
        assert_eq!(format_of(b"\x1b[31mred\x1b[0m and a tab\t"), Format::Text);
        assert_eq!(format_of("café ☕".as_bytes()), Format::Text);
    }

    #[test]
    fn render_each_format() {
        let pretty = Style::pretty(Indent::Spaces(2));
        assert_eq!(
            render(b"[1,2]", Format::Json, &pretty).unwrap(),
            "[\n  1,\n  2\n]"
        );
        assert_eq!(render(b"7", Format::Json, &Style::minified()).unwrap(), "7");
        assert_eq!(
            render(b"<a> <b/> </a>", Format::Xml, &pretty).unwrap(),
            "<a>\n  <b/>\n</a>"
        );
        assert_eq!(
            render(b"<div> <p>x</p> </div>", Format::Html, &Style::minified()).unwrap(),
            "<div><p>x</p></div>"
        );
        assert_eq!(
            render(b" as is ", Format::Text, &pretty).unwrap(),
            " as is "
        );
        assert_eq!(
            render(b"AB", Format::Binary, &pretty).unwrap(),
            "00000000  41 42                                             |AB|"
        );
    }

    #[test]
    fn render_errors_are_clear() {
        let error = render(b"ok\n\xff", Format::Json, &Style::default()).unwrap_err();
        assert_eq!(
            error.to_string(),
            "not valid UTF-8 at line 2, column 1 (byte 3), so it cannot be shown as JSON (view it as Binary to see a hexdump)"
        );
        assert!(matches!(
            render(b"{", Format::Json, &Style::default()),
            Err(FormatError::Json { .. })
        ));
        assert!(matches!(
            render(b"<a>", Format::Xml, &Style::default()),
            Err(FormatError::Xml { .. })
        ));
        assert!(render(b"<a>", Format::Html, &Style::default()).is_ok());
    }
}
