//! XML: well-formedness with positions, and beautify/minify that keep the meaning.
//!
//! Parsing is quick-xml (streaming, no tree), plus the checks it leaves to its users: one root
//! element and no text outside it, the declaration only at the very start, the DOCTYPE before
//! the root, element and attribute names, `<` and bad references in attribute values,
//! undefined entities (when there is no DTD that could define them), character references
//! to non-characters, `]]>` in text, and control characters.
//!
//! # What beautify and minify change, and what they keep
//!
//! Comments, CDATA sections, processing instructions, the declaration and the DOCTYPE are
//! kept byte for byte. Attribute values and their quotes are kept; white space *between*
//! attributes is normalised to one space (`<a  x = "1" />` becomes `<a x="1"/>`), as every
//! XML parser reports the same attributes for both.
//!
//! Text is never reflowed. An element is re-indented only when it has child markup
//! (elements, comments, PIs) and all of its text is white space, i.e. "element content":
//! that white space is layout, and is replaced by newlines and indentation (or removed when
//! minifying). Any element that has non-white-space text, a CDATA section or a reference
//! (mixed content such as `<p>Hello <b>world</b></p>`), only white space and no markup, or
//! `xml:space="preserve"`, is copied exactly as written, children included. So the text of
//! every text node that carries anything but layout white space is unchanged.

use quick_xml::Reader;
use quick_xml::events::attributes::AttrError;
use quick_xml::events::{BytesStart, Event};

use crate::error::{FormatError, Position};
use crate::style::{Breaker, Indent, Style};

/// Checks that `text` is a well-formed XML document (see the module docs for what is
/// checked). The error names the problem, its position and, usually, the fix.
pub fn validate(text: &str) -> Result<(), FormatError> {
    analyze(text).map(|_| ())
}

/// Beautifies `text` with `indent` per level (see the module docs for what changes).
pub fn beautify(text: &str, indent: Indent) -> Result<String, FormatError> {
    crate::style::format_to_string(text, &Style::pretty(indent), text.len() / 4, format_into)
}

/// Minifies `text`: layout white space between elements removed, everything else kept.
pub fn minify(text: &str) -> Result<String, FormatError> {
    crate::style::format_to_string(text, &Style::minified(), 0, format_into)
}

/// Validates `text` and appends it, laid out per `style`, to `out`.
///
/// Two streaming passes: the first validates and finds which elements hold only element
/// content, the second writes. On error `out` may hold part of the output.
pub fn format_into(text: &str, style: &Style, out: &mut String) -> Result<(), FormatError> {
    let analysis = analyze(text)?;
    write(text, &analysis, style, out)
}

/// What the first pass learns: for every start tag (in document order, `<a/>` excluded),
/// whether its children are re-indented.
#[derive(Debug)]
struct Analysis {
    formatted: Vec<bool>,
}

#[derive(Debug)]
struct Frame {
    ordinal: usize,
    start: usize,
    has_text: bool,
    has_markup: bool,
    preserve: bool,
}

/// A parser over `body` (the text after a byte order mark) with every check quick-xml has.
fn reader(body: &str) -> Reader<&[u8]> {
    let mut reader = Reader::from_str(body);
    let config = reader.config_mut();
    config.trim_text(false);
    config.check_end_names = true;
    config.check_comments = true;
    config.expand_empty_elements = false;
    config.allow_unmatched_ends = false;
    config.allow_dangling_amp = false;
    reader
}

/// Splits a leading byte order mark off: (its length, the rest).
fn split_bom(text: &str) -> (usize, &str) {
    match text.strip_prefix('\u{feff}') {
        Some(rest) => (text.len() - rest.len(), rest),
        None => (0, text),
    }
}

/// Builds errors with positions in the full text (body offsets shifted by the BOM).
struct Errors<'t> {
    text: &'t str,
    bom: usize,
}

impl Errors<'_> {
    fn at(&self, body_offset: usize, message: String, hint: Option<String>) -> FormatError {
        FormatError::Xml {
            message,
            at: Position::locate(self.text, body_offset.saturating_add(self.bom)),
            hint,
        }
    }

    fn position(&self, body_offset: usize) -> Position {
        Position::locate(self.text, body_offset.saturating_add(self.bom))
    }
}

fn analyze(text: &str) -> Result<Analysis, FormatError> {
    let (bom, body) = split_bom(text);
    let errors = Errors { text, bom };
    if let Some(at) = body
        .bytes()
        .position(|b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r'))
    {
        return Err(errors.at(
            at,
            format!(
                "control character U+{:04X} is not allowed in XML",
                body.as_bytes()[at]
            ),
            Some("remove it; binary data needs base64 or hex in XML".into()),
        ));
    }
    let mut reader = reader(body);
    let mut stack: Vec<Frame> = Vec::new();
    let mut formatted = Vec::new();
    let mut root_seen = false;
    let mut has_dtd = false;
    loop {
        let start = offset(reader.buffer_position());
        let event = match reader.read_event() {
            Ok(event) => event,
            Err(error) => {
                return Err(parse_error(
                    &errors,
                    &error,
                    offset(reader.error_position()),
                    &stack,
                ));
            }
        };
        let end = offset(reader.buffer_position()).min(body.len());
        let raw = body.get(start..end).unwrap_or("");
        let is_empty = matches!(event, Event::Empty(_));
        match event {
            Event::Eof => break,
            Event::Decl(_) => {
                if start != 0 {
                    return Err(errors.at(
                        start,
                        "the XML declaration `<?xml …?>` is not at the very start".into(),
                        Some("remove everything before it, white space included".into()),
                    ));
                }
            }
            Event::DocType(_) => {
                if root_seen {
                    return Err(errors.at(
                        start,
                        "`<!DOCTYPE>` after the root element".into(),
                        Some("move it before the root element".into()),
                    ));
                }
                has_dtd = true;
            }
            Event::PI(_) | Event::Comment(_) => {
                if let Some(top) = stack.last_mut() {
                    top.has_markup = true;
                }
            }
            Event::Start(element) | Event::Empty(element) => {
                check_element(&errors, body, &element, start, has_dtd)?;
                match stack.last_mut() {
                    Some(top) => top.has_markup = true,
                    None if root_seen => {
                        return Err(errors.at(
                            start,
                            format!(
                                "a second root element `<{}>`",
                                element.name().as_ref()
                            ),
                            Some(
                                "an XML document has exactly one root; wrap the elements in one, e.g. <root>…</root>"
                                    .into(),
                            ),
                        ));
                    }
                    None => root_seen = true,
                }
                if is_empty {
                    continue;
                }
                let preserve = element
                    .attributes()
                    .with_checks(false)
                    .flatten()
                    .any(|a| a.key.as_ref() == "xml:space" && a.value.as_ref() == "preserve");
                stack.push(Frame {
                    ordinal: formatted.len(),
                    start,
                    has_text: false,
                    has_markup: false,
                    preserve,
                });
                formatted.push(false);
            }
            Event::End(_) => {
                if let Some(frame) = stack.pop()
                    && let Some(slot) = formatted.get_mut(frame.ordinal)
                {
                    *slot = frame.has_markup && !frame.has_text && !frame.preserve;
                }
            }
            Event::Text(_) => {
                if let Some(at) = memchr::memmem::find(raw.as_bytes(), b"]]>") {
                    return Err(errors.at(
                        start + at,
                        "`]]>` in text".into(),
                        Some("write it as `]]&gt;`".into()),
                    ));
                }
                if let Some(at) = raw.find(|c: char| !is_xml_space(c)) {
                    match stack.last_mut() {
                        Some(top) => top.has_text = true,
                        None => {
                            return Err(errors.at(
                                start + at,
                                if root_seen {
                                    "text after the root element".into()
                                } else {
                                    "text before the root element".into()
                                },
                                Some("put all text inside the root element".into()),
                            ));
                        }
                    }
                }
            }
            Event::CData(_) => match stack.last_mut() {
                Some(top) => top.has_text = true,
                None => {
                    return Err(errors.at(
                        start,
                        "a CDATA section outside the root element".into(),
                        Some("move it inside the root element".into()),
                    ));
                }
            },
            Event::GeneralRef(reference) => {
                let name: &str = reference.as_ref();
                if let Err((message, hint)) = check_reference(name, has_dtd) {
                    return Err(errors.at(start, message, Some(hint)));
                }
                match stack.last_mut() {
                    Some(top) => top.has_text = true,
                    None => {
                        return Err(errors.at(
                            start,
                            format!("`&{name};` outside the root element"),
                            Some("put all text inside the root element".into()),
                        ));
                    }
                }
            }
        }
    }
    if let Some(frame) = stack.last() {
        let name = element_name(body, frame.start);
        return Err(errors.at(
            frame.start,
            format!("`<{name}>` is never closed"),
            Some(format!("add `</{name}>` at the right place before the end")),
        ));
    }
    if !root_seen {
        return Err(errors.at(
            body.len(),
            "no root element".into(),
            Some("an XML document needs one element around everything, e.g. <root>…</root>".into()),
        ));
    }
    Ok(Analysis { formatted })
}

fn offset(position: u64) -> usize {
    usize::try_from(position).unwrap_or(usize::MAX)
}

fn is_xml_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

/// The name of the element whose start tag begins at `start` in `body`.
fn element_name(body: &str, start: usize) -> &str {
    let rest = body.get(start + 1..).unwrap_or("");
    let end = rest
        .find(|c: char| is_xml_space(c) || c == '>' || c == '/')
        .unwrap_or(rest.len());
    &rest[..end]
}

/// Translates a quick-xml error into ours, with a fix where we know one.
fn parse_error(
    errors: &Errors<'_>,
    error: &quick_xml::Error,
    at: usize,
    stack: &[Frame],
) -> FormatError {
    use quick_xml::errors::{IllFormedError, SyntaxError};
    let (message, hint): (String, Option<String>) = match error {
        quick_xml::Error::Syntax(syntax) => {
            let hint = match syntax {
                SyntaxError::InvalidBangMarkup => {
                    "`<!` starts a comment `<!-- -->`, a CDATA section `<![CDATA[ ]]>` or a `<!DOCTYPE>`; write a literal `<` as `&lt;`"
                }
                SyntaxError::UnclosedPI | SyntaxError::UnclosedXmlDecl => "end it with `?>`",
                SyntaxError::UnclosedComment => "end it with `-->`",
                SyntaxError::UnclosedDoctype | SyntaxError::UnclosedTag => "end it with `>`",
                SyntaxError::UnclosedCData => "end it with `]]>`",
                SyntaxError::UnclosedSingleQuotedAttributeValue => "close the value with `'`",
                SyntaxError::UnclosedDoubleQuotedAttributeValue => "close the value with `\"`",
            };
            (syntax.to_string(), Some(hint.into()))
        }
        quick_xml::Error::IllFormed(ill) => match ill {
            IllFormedError::MismatchedEndTag { expected, found } => {
                let opened = stack
                    .last()
                    .map(|frame| format!(" opened at {}", errors.position(frame.start)))
                    .unwrap_or_default();
                (
                    format!("`</{found}>` does not close `<{expected}>`{opened}"),
                    Some(format!(
                        "close `<{expected}>` first with `</{expected}>`, or fix the tag name"
                    )),
                )
            }
            IllFormedError::UnmatchedEndTag(name) => (
                format!("`</{name}>` closes nothing: no `<{name}>` is open"),
                Some(format!("remove it, or add `<{name}>` before it")),
            ),
            IllFormedError::DoubleHyphenInComment => (
                "`--` inside a comment".into(),
                Some("XML comments cannot contain `--`; put a space between the hyphens".into()),
            ),
            IllFormedError::UnclosedReference => (
                "`&` does not start a reference like `&amp;`".into(),
                Some("write a literal `&` as `&amp;`".into()),
            ),
            IllFormedError::MissingDeclVersion(_) | IllFormedError::UnknownVersion => (
                ill.to_string(),
                Some("start the declaration with `<?xml version=\"1.0\"`".into()),
            ),
            other => (other.to_string(), None),
        },
        quick_xml::Error::InvalidAttr(attr) => {
            let (message, hint) = attr_error_text(attr, "", "");
            (message, Some(hint))
        }
        other => (other.to_string(), None),
    };
    errors.at(at, message, hint)
}

/// Message and fix for an attribute error; `tag` and `key` name it when known.
fn attr_error_text(error: &AttrError, tag: &str, key: &str) -> (String, String) {
    let key = if key.is_empty() {
        String::from("an attribute")
    } else {
        format!("attribute `{key}`")
    };
    let on = if tag.is_empty() {
        String::new()
    } else {
        format!(" of `<{tag}>`")
    };
    match error {
        AttrError::ExpectedEq(_) => (
            format!("{key}{on} has no value"),
            "XML attributes need a value: key=\"value\"".into(),
        ),
        AttrError::ExpectedValue(_) => (
            format!("`=` without a value in {key}{on}"),
            "write key=\"value\"".into(),
        ),
        AttrError::UnquotedValue(_) => (
            format!("the value of {key}{on} is not quoted"),
            "quote it: key=\"value\"".into(),
        ),
        AttrError::ExpectedQuote(_, quote) => (
            format!("the value of {key}{on} is never closed"),
            format!("close it with `{}`", char::from(*quote)),
        ),
        AttrError::Duplicated(_, _) => (
            format!("{key}{on} appears twice"),
            "keep one of them".into(),
        ),
    }
}

/// Checks an element's name and attributes.
fn check_element(
    errors: &Errors<'_>,
    body: &str,
    element: &BytesStart<'_>,
    start: usize,
    has_dtd: bool,
) -> Result<(), FormatError> {
    let name = element.name().into_inner();
    if let Some((at, c)) = invalid_name_char(name) {
        let (message, hint) =
            if name.is_empty() {
                (
                    "`<` is not followed by an element name".to_owned(),
                    "write a literal `<` as `&lt;`".to_owned(),
                )
            } else {
                (
                format!("`{}` cannot appear in the element name `{name}`", c.escape_debug()),
                "names start with a letter, `_` or `:`, then letters, digits, `-`, `.`, `_` or `:`"
                    .to_owned(),
            )
            };
        return Err(errors.at(start + 1 + at, message, Some(hint)));
    }
    let tag_base = start + 1;
    for attribute in element.attributes().with_checks(true) {
        let attribute = match attribute {
            Ok(attribute) => attribute,
            Err(error) => {
                let relative = match &error {
                    AttrError::ExpectedEq(p)
                    | AttrError::ExpectedValue(p)
                    | AttrError::UnquotedValue(p)
                    | AttrError::ExpectedQuote(p, _)
                    | AttrError::Duplicated(p, _) => *p,
                };
                let raw_tag = body.get(tag_base..).unwrap_or("");
                let (at, key) = attribute_key_at(raw_tag, relative, &error);
                let (message, hint) = attr_error_text(&error, name, key);
                return Err(errors.at(tag_base + at, message, Some(hint)));
            }
        };
        let key: &str = attribute.key.as_ref();
        let key_offset = offset_in(body, attribute.key.as_ref()).unwrap_or(tag_base);
        if let Some((at, c)) = invalid_name_char(key) {
            return Err(errors.at(
                key_offset + at,
                format!(
                    "`{}` cannot appear in the attribute name `{key}`",
                    c.escape_debug()
                ),
                Some("names start with a letter, `_` or `:`".into()),
            ));
        }
        let value: &str = attribute.value.as_ref();
        let value_offset = offset_in(body, attribute.value.as_ref()).unwrap_or(tag_base);
        if let Some(at) = value.find('<') {
            return Err(errors.at(
                value_offset + at,
                format!("`<` in the value of attribute `{key}`"),
                Some("write it as `&lt;`".into()),
            ));
        }
        let mut rest = value;
        let mut consumed = 0;
        while let Some(amp) = rest.find('&') {
            let after = &rest[amp + 1..];
            let Some(semi) = after.find(';') else {
                return Err(errors.at(
                    value_offset + consumed + amp,
                    format!("`&` in the value of attribute `{key}` does not start a reference"),
                    Some("write a literal `&` as `&amp;`".into()),
                ));
            };
            if let Err((message, hint)) = check_reference(&after[..semi], has_dtd) {
                return Err(errors.at(value_offset + consumed + amp, message, Some(hint)));
            }
            consumed += amp + 1 + semi + 1;
            rest = &after[semi + 1..];
        }
    }
    Ok(())
}

/// Where `part` (a slice borrowed from `body`) starts in `body`.
fn offset_in(body: &str, part: &str) -> Option<usize> {
    let base = body.as_ptr() as usize;
    let at = (part.as_ptr() as usize).checked_sub(base)?;
    (at <= body.len()).then_some(at)
}

/// The attribute an error at `relative` (in the tag after `<`) is about: where its name
/// starts (relative) and the name. quick-xml reports a missing `=` at the *next* attribute,
/// so that name is found backwards.
fn attribute_key_at<'t>(raw_tag: &'t str, relative: usize, error: &AttrError) -> (usize, &'t str) {
    let mut at = relative.min(raw_tag.len());
    while !raw_tag.is_char_boundary(at) {
        at -= 1;
    }
    match error {
        AttrError::ExpectedEq(_) => {
            let before = raw_tag[..at].trim_end_matches(is_xml_space);
            let start = before
                .rfind(|c: char| is_xml_space(c) || c == '"' || c == '\'')
                .map_or(0, |i| i + 1);
            (start, &before[start..])
        }
        AttrError::Duplicated(_, _) => {
            let rest = &raw_tag[at..];
            let end = rest
                .find(|c: char| is_xml_space(c) || matches!(c, '=' | '>' | '/'))
                .unwrap_or(rest.len());
            (at, &rest[..end])
        }
        _ => (at, ""),
    }
}

/// Checks the name of a reference `&name;` (without `&` and `;`).
fn check_reference(name: &str, has_dtd: bool) -> Result<(), (String, String)> {
    if let Some(number) = name.strip_prefix('#') {
        let value = match number.strip_prefix('x') {
            Some(hex) if !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()) => {
                u32::from_str_radix(hex, 16).ok()
            }
            None if !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()) => {
                number.parse::<u32>().ok()
            }
            _ => {
                return Err((
                    format!("`&{name};` is not a character reference"),
                    "write `&#65;` (decimal) or `&#x41;` (hex)".into(),
                ));
            }
        };
        return match value.and_then(char::from_u32) {
            Some(c) if is_xml_char(c) => Ok(()),
            _ => Err((
                format!("`&{name};` refers to a character XML does not allow"),
                "XML 1.0 allows tab, newline, carriage return and U+0020 upwards except surrogates, U+FFFE and U+FFFF".into(),
            )),
        };
    }
    if matches!(name, "amp" | "lt" | "gt" | "apos" | "quot") {
        return Ok(());
    }
    if invalid_name_char(name).is_some() {
        return Err((
            format!("`&{name};` is not a valid reference"),
            "write a literal `&` as `&amp;`".into(),
        ));
    }
    if has_dtd {
        // The DTD may define it; we do not read DTDs.
        return Ok(());
    }
    Err((
        format!("undefined entity `&{name};`"),
        "XML only predefines &amp; &lt; &gt; &apos; &quot;; write a literal `&` as `&amp;`".into(),
    ))
}

/// XML 1.0 `Char`.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// The first character that makes `name` an invalid XML `Name`, with its byte index.
///
/// ASCII is checked exactly; non-ASCII letters are accepted without the full tables of the
/// specification (they are rarely wrong in practice, and the exact ranges add nothing here).
fn invalid_name_char(name: &str) -> Option<(usize, char)> {
    let mut chars = name.char_indices();
    let Some((_, first)) = chars.next() else {
        return Some((0, ' '));
    };
    let start_ok = |c: char| {
        c.is_ascii_alphabetic()
            || c == '_'
            || c == ':'
            || (!c.is_ascii() && !matches!(c, '\u{D7}' | '\u{F7}'))
    };
    if !start_ok(first) {
        return Some((0, first));
    }
    chars.find(|&(_, c)| !(start_ok(c) || c.is_ascii_digit() || c == '-' || c == '.'))
}

/// The second pass: writes `text` per `style`, given the first pass's findings.
fn write(
    text: &str,
    analysis: &Analysis,
    style: &Style,
    out: &mut String,
) -> Result<(), FormatError> {
    let (bom, body) = split_bom(text);
    let errors = Errors { text, bom };
    let mut breaker = Breaker::new(
        style,
        out.len(),
        if style.pretty {
            "beautified XML"
        } else {
            "minified XML"
        },
    );
    if bom > 0 {
        out.push('\u{feff}');
    }
    let pretty = style.pretty;
    let mut reader = reader(body);
    let mut ordinal = 0usize;
    let mut depth = 0usize;
    let mut first = true;
    // Inside an element copied verbatim: where it starts and how deep we are in it.
    let mut verbatim: Option<(usize, usize)> = None;
    loop {
        let start = offset(reader.buffer_position());
        let event = reader
            .read_event()
            .map_err(|error| parse_error(&errors, &error, offset(reader.error_position()), &[]))?;
        let end = offset(reader.buffer_position()).min(body.len());
        let raw = body.get(start..end).unwrap_or("");
        if let Some((from, nesting)) = verbatim.as_mut() {
            match event {
                Event::Start(_) => {
                    *nesting += 1;
                    ordinal += 1;
                }
                Event::End(_) => {
                    *nesting -= 1;
                    if *nesting == 0 {
                        out.push_str(body.get(*from..end).unwrap_or(""));
                        verbatim = None;
                        breaker.check(out)?;
                    }
                }
                Event::Eof => {
                    out.push_str(body.get(*from..).unwrap_or(""));
                    break;
                }
                _ => {}
            }
            continue;
        }
        match event {
            Event::Eof => break,
            Event::Text(_) if raw.chars().all(is_xml_space) => {}
            Event::Decl(_) | Event::DocType(_) | Event::PI(_) | Event::Comment(_) => {
                if pretty && !first {
                    breaker.newline(out, depth)?;
                }
                out.push_str(raw);
            }
            Event::Start(_) => {
                let reindent = analysis.formatted.get(ordinal).copied().unwrap_or(false);
                ordinal += 1;
                if pretty && !first {
                    breaker.newline(out, depth)?;
                }
                if reindent {
                    normalize_tag(raw, out);
                    depth += 1;
                } else {
                    verbatim = Some((start, 1));
                }
            }
            Event::Empty(_) => {
                if pretty && !first {
                    breaker.newline(out, depth)?;
                }
                normalize_tag(raw, out);
            }
            Event::End(end_tag) => {
                depth = depth.saturating_sub(1);
                if pretty {
                    breaker.newline(out, depth)?;
                }
                out.push_str("</");
                out.push_str(end_tag.name().into_inner());
                out.push('>');
            }
            // Only in verbatim elements, which are copied above; kept for safety.
            Event::Text(_) | Event::CData(_) | Event::GeneralRef(_) => out.push_str(raw),
        }
        first = false;
    }
    breaker.check(out)
}

/// Appends a start or empty tag with the white space between attributes normalised to one
/// space and none around `=` or before `>`/`/>`; quoted values are copied as they are.
fn normalize_tag(raw: &str, out: &mut String) {
    let mut quote: Option<char> = None;
    let mut space = false;
    let mut after_eq = false;
    for c in raw.chars() {
        if let Some(q) = quote {
            out.push(c);
            if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            c if is_xml_space(c) => space = true,
            '=' => {
                space = false;
                after_eq = true;
                out.push('=');
            }
            '>' | '/' => {
                space = false;
                after_eq = false;
                out.push(c);
            }
            _ => {
                if space && !after_eq {
                    out.push(' ');
                }
                space = false;
                after_eq = false;
                if c == '"' || c == '\'' {
                    quote = Some(c);
                }
                out.push(c);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn xml_error(text: &str) -> (String, Position, Option<String>) {
        match validate(text).unwrap_err() {
            FormatError::Xml { message, at, hint } => (message, at, hint),
            other => panic!("not an XML error: {other:?}"),
        }
    }

    const DOC: &str = "<?xml version=\"1.0\"?>\n<!-- top -->\n<r  a = \"1\"\n   b='x&amp;y' >\n  <!-- c --><x>t &amp; u</x>\n  <p>Hello <b>world</b>  !</p><e  /><![CDATA[ignored]]></r>";

    #[test]
    fn beautify_reindents_element_content_and_keeps_mixed_content() {
        // <r> has a CDATA child, so it is mixed content and copied verbatim.
        let input = "<?xml version=\"1.0\"?>\n<!-- top --><root>\n<r  a = \"1\"\n   b='x&amp;y' >\n<!-- c --><x>t &amp; u</x>\n  <p>Hello <b>world</b>  !</p><e  /><?pi data?></r><empty/><ws>  </ws></root>";
        let expected = "<?xml version=\"1.0\"?>\n<!-- top -->\n<root>\n  <r a=\"1\" b='x&amp;y'>\n    <!-- c -->\n    <x>t &amp; u</x>\n    <p>Hello <b>world</b>  !</p>\n    <e/>\n    <?pi data?>\n  </r>\n  <empty/>\n  <ws>  </ws>\n</root>";
        assert_eq!(beautify(input, Indent::Spaces(2)).unwrap(), expected);
        let minified = "<?xml version=\"1.0\"?><!-- top --><root><r a=\"1\" b='x&amp;y'><!-- c --><x>t &amp; u</x><p>Hello <b>world</b>  !</p><e/><?pi data?></r><empty/><ws>  </ws></root>";
        assert_eq!(minify(input).unwrap(), minified);
        assert_eq!(
            minify(&beautify(input, Indent::Tab).unwrap()).unwrap(),
            minified
        );
    }

    #[test]
    fn mixed_and_preserved_elements_are_verbatim() {
        let mixed = "<r>\n  <a/>\n  text\n</r>";
        assert_eq!(beautify(mixed, Indent::Spaces(2)).unwrap(), mixed);
        assert_eq!(
            minify(DOC).unwrap(),
            DOC.replace("\n<!-- top -->\n", "<!-- top -->")
        );
        let preserved = "<r><s xml:space=\"preserve\">\n  <a/>\n</s></r>";
        assert_eq!(
            beautify(preserved, Indent::Spaces(1)).unwrap(),
            "<r>\n <s xml:space=\"preserve\">\n  <a/>\n</s>\n</r>"
        );
    }

    #[test]
    fn byte_order_mark_is_kept_and_positions_count_it() {
        assert_eq!(
            minify("\u{feff}<a> <b/> </a>").unwrap(),
            "\u{feff}<a><b/></a>"
        );
        let (_, at, _) = xml_error("\u{feff}<a></b>");
        assert_eq!(at.offset, 6);
    }

    #[test]
    fn mismatched_tag_names_both_and_where_opened() {
        let (message, at, hint) = xml_error("<a>\n  <b></a>");
        assert_eq!(
            message,
            "`</a>` does not close `<b>` opened at line 2, column 3 (byte 6)"
        );
        assert_eq!(
            at,
            Position {
                line: 2,
                column: 6,
                offset: 9
            }
        );
        assert_eq!(
            hint.as_deref(),
            Some("close `<b>` first with `</b>`, or fix the tag name")
        );
    }

    #[test]
    fn unclosed_and_unmatched() {
        let (message, at, hint) = xml_error("<a>\n<b>");
        assert_eq!(message, "`<b>` is never closed");
        assert_eq!(at.offset, 4);
        assert_eq!(
            hint.as_deref(),
            Some("add `</b>` at the right place before the end")
        );
        let (message, at, _) = xml_error("<a/></a>");
        assert_eq!(message, "`</a>` closes nothing: no `<a>` is open");
        assert_eq!(at.offset, 4);
    }

    #[test]
    fn document_level_rules() {
        assert_eq!(xml_error("<a/><b/>").0, "a second root element `<b>`");
        assert_eq!(xml_error("<a/>x").0, "text after the root element");
        assert_eq!(xml_error("hi <a/>").1.offset, 0);
        assert_eq!(xml_error("").0, "no root element");
        assert_eq!(xml_error("<!-- only -->").0, "no root element");
        assert_eq!(
            xml_error(" <?xml version=\"1.0\"?><a/>").0,
            "the XML declaration `<?xml …?>` is not at the very start"
        );
        assert_eq!(
            xml_error("<a/><!DOCTYPE a>").0,
            "`<!DOCTYPE>` after the root element"
        );
        assert_eq!(
            xml_error("<a/><![CDATA[x]]>").0,
            "a CDATA section outside the root element"
        );
        validate("<?xml version=\"1.0\"?>\n<!DOCTYPE a>\n<!-- c -->\n<a/>\n<?pi?>\n").unwrap();
    }

    #[test]
    fn attributes() {
        let (message, at, hint) = xml_error("<a x='1' x='2'/>");
        assert_eq!(message, "attribute `x` of `<a>` appears twice");
        assert_eq!(at.offset, 9);
        assert_eq!(hint.as_deref(), Some("keep one of them"));
        let (message, at, _) = xml_error("<a x=1/>");
        assert_eq!(message, "the value of an attribute of `<a>` is not quoted");
        assert_eq!(at.offset, 5);
        let (message, at, _) = xml_error("<a checked x='1'/>");
        assert_eq!(message, "attribute `checked` of `<a>` has no value");
        assert_eq!(at.offset, 3);
        let (message, at, _) = xml_error("<a x=\"1<2\"/>");
        assert_eq!(message, "`<` in the value of attribute `x`");
        assert_eq!(at.offset, 7);
        let (message, at, _) = xml_error("<a x=\"a &b\"/>");
        assert_eq!(
            message,
            "`&` in the value of attribute `x` does not start a reference"
        );
        assert_eq!(at.offset, 8);
        assert_eq!(
            xml_error("<a x=\"&nbsp;\"/>").0,
            "undefined entity `&nbsp;`"
        );
    }

    #[test]
    fn names_references_and_characters() {
        let (message, at, _) = xml_error("<1a/>");
        assert_eq!(message, "`1` cannot appear in the element name `1a`");
        assert_eq!(at.offset, 1);
        assert_eq!(xml_error("<a>&nbsp;</a>").0, "undefined entity `&nbsp;`");
        validate("<!DOCTYPE a [<!ENTITY nbsp \"&#160;\">]><a>&nbsp;</a>").unwrap();
        assert_eq!(
            xml_error("<a>&#0;</a>").0,
            "`&#0;` refers to a character XML does not allow"
        );
        validate("<a>&#x1F600;&#65;&lt;</a>").unwrap();
        assert_eq!(
            xml_error("<a>&#xZ;</a>").0,
            "`&#xZ;` is not a character reference"
        );
        let (message, at, hint) = xml_error("<a>x & y</a>");
        assert_eq!(message, "`&` does not start a reference like `&amp;`");
        assert_eq!(at.offset, 5);
        assert_eq!(hint.as_deref(), Some("write a literal `&` as `&amp;`"));
        assert_eq!(xml_error("<a>]]></a>").0, "`]]>` in text");
        let (message, at, _) = xml_error("<a>\u{1}</a>");
        assert_eq!(message, "control character U+0001 is not allowed in XML");
        assert_eq!(at.offset, 3);
    }

    #[test]
    fn syntax_errors_from_the_parser() {
        let (message, _, hint) = xml_error("<a><!-- x");
        assert_eq!(
            message,
            "comment not closed: `-->` not found before end of input"
        );
        assert_eq!(hint.as_deref(), Some("end it with `-->`"));
        assert_eq!(
            xml_error("<a><!-- a -- b --></a>").0,
            "`--` inside a comment"
        );
        let (_, at, hint) = xml_error("<a>\n<b");
        assert_eq!(at.line, 2);
        assert_eq!(hint.as_deref(), Some("end it with `>`"));
    }

    #[test]
    fn output_limit() {
        let input = format!("{}{}", "<a>".repeat(2000), "</a>".repeat(2000));
        let style = Style {
            max_output: 100_000,
            ..Style::default()
        };
        assert!(matches!(
            format_into(&input, &style, &mut String::new()),
            Err(FormatError::TooLarge { .. })
        ));
        assert_eq!(minify(&input).unwrap(), input);
    }
}
