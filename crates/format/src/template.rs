//! `{{variable}}` templates: the syntax only (parsing, escaping, positions, name rules).
//!
//! A template is any text — a URL, a query parameter, a header name or value, a subprotocol,
//! a message. Parsing splits it into literal text and references to variables, each with the
//! byte span of its `{{…}}` so that an editor can underline it and an error can point at it.
//! Substituting values is [`crate::resolve`]'s job; this module never looks a name up.
//!
//! # Syntax
//!
//! - `{{name}}` refers to the variable `name`. Whitespace just inside the braces is ignored:
//!   `{{ name }}` is the same reference. Postman's rule for what a name may contain is kept —
//!   anything except `{` and `}` — with one tightening: a name cannot span lines or contain
//!   control characters (other than tab), so a forgotten `}}` is reported on the line where
//!   the `{{` is instead of swallowing the rest of a message.
//! - `{{$name}}` (a name starting with `$`) is a dynamic variable such as `{{$randomUUID}}`
//!   (see [`crate::dynamic`]) unless a scope defines that exact name.
//! - A run of three or more opening braces opens a reference with its *last* two braces, as
//!   in Postman: `{{{x}}}` is `{` + the value of `x` + `}`.
//! - `}}` outside a reference is ordinary text.
//!
//! # Escaping
//!
//! A backslash escapes an opening run: `\{{name}}` is the literal text `{{name}}`. Only
//! backslashes *immediately before* a run of two or more `{` are special, and they pair up
//! like this (as Handlebars escapes do):
//!
//! | written | meaning |
//! |---|---|
//! | `\{{x}}` | literal `{{x}}` |
//! | `\\{{x}}` | a literal `\` followed by the value of `x` |
//! | `\\\{{x}}` | a literal `\` followed by the literal `{{x}}` |
//! | `C:\dir\file` | unchanged: these backslashes are not before `{{` |
//!
//! In general, `n` backslashes before a run of braces stand for `n / 2` backslashes, and the
//! run is literal when `n` is odd. [`escape`] produces exactly this, so for every string `s`,
//! parsing `escape(s)` gives back `s` as one literal.
//!
//! # Errors
//!
//! Postman leaves a malformed `{{` in place; wsdeck reports it, with its line and column, so
//! that nothing unexpected is sent. An unclosed `{{`, an empty `{{}}`, or a brace or control
//! character inside the braces are [`TemplateError`]s.

use std::ops::Range;

use crate::error::Position;

/// Computes positions for increasing offsets in one pass over the text.
#[derive(Debug)]
pub(crate) struct LineTracker<'t> {
    text: &'t str,
    offset: usize,
    line: usize,
    column: usize,
}

impl<'t> LineTracker<'t> {
    pub(crate) fn new(text: &'t str) -> Self {
        LineTracker {
            text,
            offset: 0,
            line: 1,
            column: 1,
        }
    }

    pub(crate) fn position(&mut self, offset: usize) -> Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        if offset < self.offset {
            *self = LineTracker::new(self.text);
        }
        for c in self.text[self.offset..offset].chars() {
            if c == '\n' {
                self.line += 1;
                self.column = 1;
            } else {
                self.column += 1;
            }
        }
        self.offset = offset;
        Position {
            offset,
            line: self.line,
            column: self.column,
        }
    }
}

/// A parsed template: literal text and variable references, in order.
///
/// Adjacent literal text is merged into one [`Segment::Literal`], escapes are already
/// applied to it, and a text without references is a single literal (or no segment at all
/// when empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    segments: Vec<Segment>,
}

/// One piece of a [`Template`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// Text sent as is (escapes already removed).
    Literal(String),
    /// A `{{name}}` reference.
    Variable(Reference),
}

/// A `{{name}}` reference found in a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// The variable's name, with surrounding whitespace removed.
    pub name: String,
    /// Byte range of the whole reference, from its `{{` to just after its `}}`, in the
    /// parsed text; an editor underlines this, and `text[span]` starts with `{{`.
    pub span: Range<usize>,
    /// Line and column of the `{{`.
    pub position: Position,
}

impl Reference {
    /// Whether this names a dynamic variable (`{{$…}}`), which a scope may still define.
    pub fn is_dynamic(&self) -> bool {
        self.name.starts_with('$')
    }
}

/// What is wrong with a template, and where: the `{{` of the offending reference.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {}, column {}: {kind}", .position.line, .position.column)]
pub struct TemplateError {
    /// What went wrong.
    pub kind: TemplateErrorKind,
    /// Byte range from the offending `{{` to the character that made it invalid (or the end
    /// of its line).
    pub span: Range<usize>,
    /// Line and column of the offending `{{`.
    pub position: Position,
}

/// The kinds of template syntax errors.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateErrorKind {
    /// `{{` without a `}}` before the end of its line.
    #[error(
        "`{{{{` is not closed by `}}}}` on the same line (write `\\{{{{` for a literal `{{{{`)"
    )]
    Unterminated,
    /// `{{}}` or `{{  }}`.
    #[error("`{{{{}}}}` has no variable name inside (write `\\{{{{` for a literal `{{{{`)")]
    EmptyName,
    /// A `{` or a lone `}` between `{{` and `}}`.
    #[error(
        "`{brace}` inside `{{{{…}}}}`: variable names cannot contain braces (write `\\{{{{` for a literal `{{{{`)"
    )]
    BraceInName {
        /// The brace found.
        brace: char,
    },
    /// A control character other than tab between `{{` and `}}`.
    #[error("control character {} inside `{{{{…}}}}`: variable names cannot contain control characters", .character.escape_unicode())]
    ControlInName {
        /// The character found.
        character: char,
    },
}

impl Template {
    /// Parses `text` as a template. Never panics; the first syntax error is returned with
    /// its position. This is the entry point for fuzzing.
    pub fn parse(text: &str) -> Result<Template, TemplateError> {
        let bytes = text.as_bytes();
        let mut segments = Vec::new();
        let mut literal = String::new();
        let mut lines = LineTracker::new(text);
        let mut pos = 0;
        while let Some(found) = text[pos..].find("{{").map(|i| i + pos) {
            // `found` starts a maximal run of `{`: anything before it is either before `pos`
            // or not a brace (see the module docs).
            let run_end = brace_run_end(bytes, found);
            let backslashes = count_backslashes_before(&bytes[pos..found]);
            literal.push_str(&text[pos..found - backslashes]);
            push_backslashes(&mut literal, backslashes / 2);
            if backslashes % 2 == 1 {
                literal.push_str(&text[found..run_end]);
                pos = run_end;
                continue;
            }
            let open = run_end - 2;
            literal.push_str(&text[found..open]);
            let body = open + 2;
            let close = match scan_name(text, body) {
                Ok(close) => close,
                Err((kind, at)) => {
                    return Err(TemplateError {
                        kind,
                        span: open..at,
                        position: lines.position(open),
                    });
                }
            };
            let name = text[body..close].trim();
            if name.is_empty() {
                return Err(TemplateError {
                    kind: TemplateErrorKind::EmptyName,
                    span: open..close + 2,
                    position: lines.position(open),
                });
            }
            if !literal.is_empty() {
                segments.push(Segment::Literal(std::mem::take(&mut literal)));
            }
            segments.push(Segment::Variable(Reference {
                name: name.to_owned(),
                span: open..close + 2,
                position: lines.position(open),
            }));
            pos = close + 2;
        }
        literal.push_str(&text[pos..]);
        if !literal.is_empty() {
            segments.push(Segment::Literal(literal));
        }
        Ok(Template { segments })
    }

    /// The literal text and references, in order.
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// The references, in order of appearance.
    pub fn references(&self) -> impl Iterator<Item = &Reference> {
        self.segments.iter().filter_map(|s| match s {
            Segment::Variable(r) => Some(r),
            Segment::Literal(_) => None,
        })
    }

    /// The text this template stands for when it has no references (escapes applied), so a
    /// caller can skip resolution; `None` when it refers to variables.
    pub fn as_literal(&self) -> Option<String> {
        let mut out = String::new();
        for segment in &self.segments {
            match segment {
                Segment::Literal(s) => out.push_str(s),
                Segment::Variable(_) => return None,
            }
        }
        Some(out)
    }
}

/// Counts the backslashes at the end of `bytes`.
fn count_backslashes_before(bytes: &[u8]) -> usize {
    bytes.iter().rev().take_while(|&&b| b == b'\\').count()
}

fn push_backslashes(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n('\\', n));
}

/// Finds the `}}` closing a reference whose name starts at `start`; on failure, returns the
/// error and the byte offset where it was detected.
fn scan_name(text: &str, start: usize) -> Result<usize, (TemplateErrorKind, usize)> {
    let bytes = text.as_bytes();
    for (i, c) in text[start..].char_indices() {
        let at = start + i;
        match c {
            '}' => {
                return match bytes.get(at + 1) {
                    Some(b'}') => Ok(at),
                    None | Some(b'\n') | Some(b'\r') => {
                        Err((TemplateErrorKind::Unterminated, at + 1))
                    }
                    Some(_) => Err((TemplateErrorKind::BraceInName { brace: '}' }, at + 1)),
                };
            }
            '{' => return Err((TemplateErrorKind::BraceInName { brace: '{' }, at + 1)),
            '\n' | '\r' => return Err((TemplateErrorKind::Unterminated, at)),
            c if c.is_control() && c != '\t' => {
                return Err((
                    TemplateErrorKind::ControlInName { character: c },
                    at + c.len_utf8(),
                ));
            }
            _ => {}
        }
    }
    Err((TemplateErrorKind::Unterminated, text.len()))
}

/// The end of the run of `{` that starts with the `{{` at `found`.
fn brace_run_end(bytes: &[u8], found: usize) -> usize {
    let mut end = found + 2;
    while bytes.get(end) == Some(&b'{') {
        end += 1;
    }
    end
}

/// Escapes `text` so that it parses back as exactly `text`, with no references: every run
/// of two or more `{` gets a backslash, and backslashes already in front of such a run are
/// doubled. Text without `{{` is returned unchanged.
///
/// Use it when inserting text that must not be interpreted (a value pasted from a server
/// message, a saved literal) into a template field.
pub fn escape(text: &str) -> String {
    if !text.contains("{{") {
        return text.to_owned();
    }
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len() + 8);
    let mut pos = 0;
    while let Some(found) = text[pos..].find("{{").map(|i| i + pos) {
        let run_end = brace_run_end(bytes, found);
        let backslashes = count_backslashes_before(&bytes[pos..found]);
        out.push_str(&text[pos..found]);
        push_backslashes(&mut out, backslashes + 1);
        out.push_str(&text[found..run_end]);
        pos = run_end;
    }
    out.push_str(&text[pos..]);
    out
}

/// Why a string cannot be a variable name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// The name is empty.
    #[error("the variable name is empty")]
    Empty,
    /// The name contains `{` or `}`, so `{{…}}` could never refer to it.
    #[error("the variable name `{name}` contains a brace, so `{{{{…}}}}` could never refer to it")]
    Brace {
        /// The rejected name.
        name: String,
    },
    /// The name contains a line break or another control character.
    #[error(
        "the variable name {} contains a control character, so `{{{{…}}}}` could never refer to it",
        .name.escape_debug()
    )]
    Control {
        /// The rejected name.
        name: String,
    },
    /// The name starts or ends with whitespace, which `{{ name }}` ignores.
    #[error(
        "the variable name `{name}` starts or ends with whitespace, which `{{{{ … }}}}` ignores; remove it"
    )]
    Whitespace {
        /// The rejected name.
        name: String,
    },
}

/// Checks that `name` can be referred to as `{{name}}`: not empty, no braces, no control
/// characters other than tab, no surrounding whitespace. Environment files, Postman imports
/// and `NAME=VALUE` arguments are checked with this, so a variable that no template could
/// reach is reported when it is defined rather than silently ignored.
pub fn validate_name(name: &str) -> Result<(), NameError> {
    if name.is_empty() {
        return Err(NameError::Empty);
    }
    if name.contains(['{', '}']) {
        return Err(NameError::Brace {
            name: name.to_owned(),
        });
    }
    if name.chars().any(|c| c.is_control() && c != '\t') {
        return Err(NameError::Control {
            name: name.to_owned(),
        });
    }
    if name.trim() != name {
        return Err(NameError::Whitespace {
            name: name.to_owned(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(s: &str) -> Segment {
        Segment::Literal(s.to_owned())
    }

    fn var(name: &str, span: Range<usize>) -> Segment {
        Segment::Variable(Reference {
            name: name.to_owned(),
            position: Position {
                offset: span.start,
                line: 1,
                column: span.start + 1,
            },
            span,
        })
    }

    fn parse(text: &str) -> Vec<Segment> {
        Template::parse(text).unwrap().segments
    }

    #[test]
    fn plain_text_is_one_literal() {
        assert_eq!(
            parse("ws://localhost:8080/x"),
            vec![lit("ws://localhost:8080/x")]
        );
        assert_eq!(parse(""), vec![]);
        assert_eq!(parse("a}}b{c"), vec![lit("a}}b{c")]);
    }

    #[test]
    fn references_with_spans() {
        assert_eq!(
            parse("wss://{{host}}/x?t={{ token }}"),
            vec![
                lit("wss://"),
                var("host", 6..14),
                lit("/x?t="),
                var("token", 19..30)
            ]
        );
        assert_eq!(parse("{{a}}{{b}}"), vec![var("a", 0..5), var("b", 5..10)]);
    }

    #[test]
    fn names_keep_inner_spaces_and_dollar() {
        assert_eq!(parse("{{ my var }}"), vec![var("my var", 0..12)]);
        assert_eq!(parse("{{$randomUUID}}"), vec![var("$randomUUID", 0..15)]);
        assert_eq!(parse("{{\tx\t}}"), vec![var("x", 0..7)]);
    }

    #[test]
    fn extra_opening_braces_are_literal() {
        assert_eq!(parse("{{{x}}}"), vec![lit("{"), var("x", 1..6), lit("}")]);
        assert_eq!(
            parse(r#"{"a":{{{x}}}}"#),
            vec![lit(r#"{"a":{"#), var("x", 6..11), lit("}}")]
        );
    }

    #[test]
    fn json_with_closing_braces_after_reference() {
        assert_eq!(
            parse(r#"{"a":{{x}}}"#),
            vec![lit(r#"{"a":"#), var("x", 5..10), lit("}")]
        );
    }

    #[test]
    fn escapes() {
        assert_eq!(parse(r"\{{x}}"), vec![lit("{{x}}")]);
        assert_eq!(parse(r"\\{{x}}"), vec![lit("\\"), var("x", 2..7)]);
        assert_eq!(parse(r"\\\{{x}}"), vec![lit(r"\{{x}}")]);
        assert_eq!(parse(r"C:\dir\file"), vec![lit(r"C:\dir\file")]);
        assert_eq!(parse(r"\{{{x}}"), vec![lit("{{{x}}")]);
        assert_eq!(parse(r"a\b{{x}}"), vec![lit(r"a\b"), var("x", 3..8)]);
    }

    #[test]
    fn escape_round_trips_tricky_strings() {
        for s in [
            "",
            "{{",
            "{{{",
            r"\{{",
            r"\\{{x}}",
            "{{a}}{{b}}",
            r"a\",
            "}}{{",
            "{{\\{{",
            "x{y{{z",
        ] {
            let escaped = escape(s);
            let t = Template::parse(&escaped).unwrap_or_else(|e| panic!("{s:?}: {e}"));
            assert_eq!(t.as_literal().as_deref(), Some(s), "escaped {escaped:?}");
        }
        assert_eq!(escape("{{x}}"), r"\{{x}}");
        assert_eq!(escape(r"\{{x}}"), r"\\\{{x}}");
        assert_eq!(escape("no braces"), "no braces");
    }

    #[test]
    fn unterminated_reports_the_opening_position() {
        let e = Template::parse("line one\nsay {{name and more").unwrap_err();
        assert_eq!(e.kind, TemplateErrorKind::Unterminated);
        assert_eq!(
            e.position,
            Position {
                offset: 13,
                line: 2,
                column: 5
            }
        );
        assert_eq!(e.span, 13..28);
        assert_eq!(
            e.to_string(),
            "line 2, column 5: `{{` is not closed by `}}` on the same line (write `\\{{` for a literal `{{`)"
        );
    }

    #[test]
    fn unterminated_at_line_break() {
        let e = Template::parse("{{a\nb}}").unwrap_err();
        assert_eq!(e.kind, TemplateErrorKind::Unterminated);
        assert_eq!(e.span, 0..3);
        let e = Template::parse("{{a}").unwrap_err();
        assert_eq!(e.kind, TemplateErrorKind::Unterminated);
        let e = Template::parse("x {{").unwrap_err();
        assert_eq!(e.kind, TemplateErrorKind::Unterminated);
        assert_eq!(e.position.column, 3);
    }

    #[test]
    fn other_syntax_errors() {
        let e = Template::parse("a {{}} b").unwrap_err();
        assert_eq!(e.kind, TemplateErrorKind::EmptyName);
        assert_eq!(e.span, 2..6);
        assert_eq!(
            Template::parse("{{ }}").unwrap_err().kind,
            TemplateErrorKind::EmptyName
        );
        assert_eq!(
            Template::parse("{{a{b}}").unwrap_err().kind,
            TemplateErrorKind::BraceInName { brace: '{' }
        );
        assert_eq!(
            Template::parse("{{a}b}}").unwrap_err().kind,
            TemplateErrorKind::BraceInName { brace: '}' }
        );
        let e = Template::parse("{{a\u{7}}}").unwrap_err();
        assert_eq!(
            e.kind,
            TemplateErrorKind::ControlInName { character: '\u{7}' }
        );
        assert!(e.to_string().contains("\\u{7}"), "{e}");
    }

    #[test]
    fn columns_count_characters() {
        let t = Template::parse("héllo {{x}}").unwrap();
        let r = t.references().next().unwrap();
        assert_eq!(r.span, 7..12);
        assert_eq!(r.position.column, 7);
        let text = "a\nbé\nc";
        let mut tracker = LineTracker::new(text);
        assert_eq!(tracker.position(2), Position::locate(text, 2));
        assert_eq!(
            tracker.position(6),
            Position {
                offset: 6,
                line: 3,
                column: 1
            }
        );
        // Going backwards restarts; inside the two-byte `é` moves back to its start.
        assert_eq!(tracker.position(4), Position::locate(text, 3));
        assert_eq!(tracker.position(99).offset, text.len());
    }

    #[test]
    fn as_literal() {
        assert_eq!(
            Template::parse(r"\{{x}}").unwrap().as_literal().as_deref(),
            Some("{{x}}")
        );
        assert_eq!(Template::parse("{{x}}").unwrap().as_literal(), None);
    }

    #[test]
    fn name_validation() {
        assert_eq!(validate_name("host"), Ok(()));
        assert_eq!(validate_name("my var.1-$"), Ok(()));
        assert_eq!(validate_name(""), Err(NameError::Empty));
        assert!(matches!(validate_name("a{b"), Err(NameError::Brace { .. })));
        assert!(matches!(
            validate_name("a\nb"),
            Err(NameError::Control { .. })
        ));
        assert!(matches!(
            validate_name(" a"),
            Err(NameError::Whitespace { .. })
        ));
    }
}
