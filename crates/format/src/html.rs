//! HTML: forgiving checks that return warnings with positions, and beautify/minify that keep
//! what a browser renders.
//!
//! Tokenizing is our own iterative lexer (`html_lexer`; it says there why not a crate). On
//! top of it a small open-element stack knows void elements, optional end tags (`<p>`,
//! `<li>`, `<td>`, …) and the usual implied closes, so that only real slips are reported: a
//! `<div>` never closed, `</span>` closing a `<div>`, an end tag that closes nothing, `/>` on
//! a non-void element, plus the tokenizer's parse errors (unterminated tags and comments,
//! duplicate attributes, a bare `<`, …; character references are not checked). HTML has no
//! fatal errors, so [`check`] returns [`Diagnostic`]s of severity
//! [`crate::Severity::Warning`] and formatting never fails on syntax.
//!
//! # What beautify and minify change, and what they keep
//!
//! The output is built from the source text, never from decoded values: tags, attributes,
//! comments, the doctype and entities are copied as written. Only white space between
//! tokens changes, and only where CSS's default `white-space: normal` makes it insignificant
//! or collapsible:
//!
//! - runs of white space in text collapse to one space (to a line break when beautifying,
//!   next to block-level elements);
//! - white space next to a block-level element (`div`, `p`, `li`, `table`, `h1`, …) is
//!   layout: beautify puts such elements on their own lines, minify removes it;
//! - a block-level element whose content has no block-level element (`<p>Hello <b>you</b></p>`,
//!   `<td>1</td>`) stays on one line; one that has is indented a level;
//! - inline elements and text are never split or joined (a space stays a space, no space stays
//!   none); comments, `<script>`, `<style>`, `<meta>`, `<link>` and `<title>` go on their own
//!   line where the source had white space around them, and always inside `<head>`;
//! - the contents of `<pre>`, `<textarea>`, `<script>`, `<style>`, `<title>`, `<xmp>`,
//!   `<listing>`, `<plaintext>`, `<iframe>`, `<noscript>`, `<noembed>` and `<noframes>` are
//!   copied byte for byte;
//! - comments are kept (conditional comments matter), and so is anything the tokenizer
//!   dropped (an unterminated tag at the end is copied as it is).
//!
//! Unknown elements (custom elements) are treated as inline, the safe choice. A stylesheet
//! that changes `display` or `white-space` can of course make any white space significant.

use crate::error::{Diagnostic, FormatError, Position, Severity, floor_char_boundary, locate_all};
use crate::html_lexer::{LexError, Lexer, Token};
use crate::style::{Breaker, Indent, Style};

/// At most this many diagnostics are returned by [`check`] (the first ones found, in order
/// of position): a broken 10 MiB page should not produce a million warnings.
pub const MAX_DIAGNOSTICS: usize = 100;

/// Checks `text` as HTML and returns warnings, sorted by position (empty when all is well).
///
/// Accepts fragments as well as documents; a missing doctype is not reported.
#[must_use]
pub fn check(text: &str) -> Vec<Diagnostic> {
    let analysis = analyze(text, true);
    render_diagnostics(text, &analysis.warnings)
}

/// Beautifies `text` with `indent` per level (see the module docs for what changes).
///
/// Fails only with [`FormatError::TooLarge`] (deeply nested input).
pub fn beautify(text: &str, indent: Indent) -> Result<String, FormatError> {
    crate::style::format_to_string(text, &Style::pretty(indent), text.len() / 4, format_into)
}

/// Minifies `text`: layout white space removed, other white space collapsed to one space.
pub fn minify(text: &str) -> Result<String, FormatError> {
    crate::style::format_to_string(text, &Style::minified(), 0, format_into)
}

/// Appends `text`, laid out per `style`, to `out`. Two tokenizer passes: the first finds
/// which elements contain block-level elements, the second writes.
pub fn format_into(text: &str, style: &Style, out: &mut String) -> Result<(), FormatError> {
    let analysis = analyze(text, false);
    write(text, &analysis.has_block, style, out)
}

/// How an element takes part in layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Starts on its own line: white space around it is insignificant.
    Block,
    /// Not rendered (script, style, metadata): on its own line only where white space was.
    Hidden,
    /// Part of a line of text: never moved.
    Inline,
}

fn kind(name: &[u8]) -> Kind {
    match name {
        b"address" | b"article" | b"aside" | b"blockquote" | b"body" | b"caption" | b"center"
        | b"col" | b"colgroup" | b"dd" | b"details" | b"dialog" | b"dir" | b"div" | b"dl"
        | b"dt" | b"fieldset" | b"figcaption" | b"figure" | b"footer" | b"form" | b"frameset"
        | b"h1" | b"h2" | b"h3" | b"h4" | b"h5" | b"h6" | b"head" | b"header" | b"hgroup"
        | b"hr" | b"html" | b"legend" | b"li" | b"listing" | b"main" | b"menu" | b"nav" | b"ol"
        | b"optgroup" | b"option" | b"p" | b"plaintext" | b"pre" | b"section" | b"summary"
        | b"table" | b"tbody" | b"td" | b"tfoot" | b"th" | b"thead" | b"tr" | b"ul" | b"xmp"
        | b"search" | b"datalist" | b"frame" | b"noframes" => Kind::Block,
        b"script" | b"style" | b"link" | b"meta" | b"title" | b"base" | b"noscript"
        | b"template" => Kind::Hidden,
        _ => Kind::Inline,
    }
}

fn is_void(name: &[u8]) -> bool {
    matches!(
        name,
        b"area"
            | b"base"
            | b"br"
            | b"col"
            | b"embed"
            | b"hr"
            | b"img"
            | b"input"
            | b"link"
            | b"meta"
            | b"source"
            | b"track"
            | b"wbr"
            | b"param"
            | b"keygen"
            | b"frame"
            | b"basefont"
            | b"bgsound"
    )
}

/// Elements whose content is copied byte for byte.
fn is_verbatim(name: &[u8]) -> bool {
    matches!(
        name,
        b"pre"
            | b"textarea"
            | b"script"
            | b"style"
            | b"title"
            | b"xmp"
            | b"listing"
            | b"plaintext"
            | b"iframe"
            | b"noscript"
            | b"noembed"
            | b"noframes"
    )
}

/// Elements whose end tag may be left out (they are closed by what follows).
fn end_optional(name: &[u8]) -> bool {
    matches!(
        name,
        b"html"
            | b"head"
            | b"body"
            | b"p"
            | b"li"
            | b"dt"
            | b"dd"
            | b"option"
            | b"optgroup"
            | b"tr"
            | b"td"
            | b"th"
            | b"thead"
            | b"tbody"
            | b"tfoot"
            | b"colgroup"
            | b"caption"
            | b"rt"
            | b"rp"
            | b"rb"
            | b"rtc"
    )
}

/// Start tags that close an open `<p>`.
fn closes_p(name: &[u8]) -> bool {
    matches!(
        name,
        b"address"
            | b"article"
            | b"aside"
            | b"blockquote"
            | b"center"
            | b"details"
            | b"dialog"
            | b"dir"
            | b"div"
            | b"dl"
            | b"fieldset"
            | b"figcaption"
            | b"figure"
            | b"footer"
            | b"form"
            | b"h1"
            | b"h2"
            | b"h3"
            | b"h4"
            | b"h5"
            | b"h6"
            | b"header"
            | b"hgroup"
            | b"hr"
            | b"listing"
            | b"main"
            | b"menu"
            | b"nav"
            | b"ol"
            | b"p"
            | b"plaintext"
            | b"pre"
            | b"search"
            | b"section"
            | b"summary"
            | b"table"
            | b"ul"
            | b"xmp"
            | b"li"
            | b"dd"
            | b"dt"
    )
}

/// How far down the stack implied-close searches look: real documents need a handful of
/// levels, and a bound keeps hostile nesting linear.
const SCOPE_LIMIT: usize = 64;

/// One open element.
#[derive(Debug, Clone)]
struct Open {
    name: u32,
    ordinal: usize,
    start: usize,
    kind: Kind,
    foreign: bool,
    has_block: bool,
    // Pass 2 only: how it was laid out.
    layout: Layout,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    Plain,
    Indented,
    Compact,
    Verbatim,
}

/// The open-element stack with interned names.
#[derive(Debug, Default)]
struct Tree {
    ids: std::collections::HashMap<Vec<u8>, u32>,
    names: Vec<Vec<u8>>,
    counts: Vec<usize>,
    stack: Vec<Open>,
}

impl Tree {
    fn intern(&mut self, name: &[u8]) -> u32 {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        let id = u32::try_from(self.names.len()).unwrap_or(u32::MAX);
        self.ids.insert(name.to_vec(), id);
        self.names.push(name.to_vec());
        self.counts.push(0);
        id
    }

    fn name(&self, id: u32) -> &[u8] {
        self.names.get(id as usize).map_or(b"", Vec::as_slice)
    }

    fn is_open(&self, id: u32) -> bool {
        self.counts.get(id as usize).is_some_and(|&c| c > 0)
    }

    fn in_foreign(&self) -> bool {
        self.stack.last().is_some_and(|top| top.foreign)
    }

    fn push(&mut self, open: Open) {
        if let Some(count) = self.counts.get_mut(open.name as usize) {
            *count += 1;
        }
        self.stack.push(open);
    }

    fn pop(&mut self) -> Option<Open> {
        let open = self.stack.pop()?;
        if let Some(count) = self.counts.get_mut(open.name as usize) {
            *count = count.saturating_sub(1);
        }
        Some(open)
    }

    /// How many elements from the top a start tag `name` closes implicitly.
    fn implied_by_start(&self, name: &[u8]) -> usize {
        let names = |open: &Open| self.name(open.name);
        let top = self.stack.last().map(names);
        // Search down for one of `targets`, crossing only elements `cross` allows.
        let search = |targets: &[&[u8]], cross: &dyn Fn(&Open) -> bool| -> usize {
            for (depth, open) in self.stack.iter().rev().take(SCOPE_LIMIT).enumerate() {
                if targets.contains(&names(open)) {
                    return depth + 1;
                }
                if !cross(open) {
                    return 0;
                }
            }
            0
        };
        let inline = |open: &Open| open.kind == Kind::Inline && !open.foreign;
        let in_list_item = |open: &Open| {
            open.kind != Kind::Block || matches!(names(open), b"address" | b"div" | b"p")
        };
        let mut closes = 0;
        if closes_p(name) {
            closes = search(&[b"p"], &inline);
        }
        let more = match name {
            b"li" => search(&[b"li"], &in_list_item),
            b"dt" | b"dd" => search(&[b"dt", b"dd"], &in_list_item),
            b"option" => usize::from(top == Some(b"option")),
            b"optgroup" => search(&[b"optgroup"], &|o: &Open| names(o) == b"option")
                .max(usize::from(top == Some(b"option"))),
            b"tr" => search(&[b"tr"], &|o: &Open| {
                matches!(names(o), b"td" | b"th") || inline(o)
            }),
            b"td" | b"th" => search(&[b"td", b"th"], &inline),
            b"thead" | b"tbody" | b"tfoot" => {
                search(&[b"thead", b"tbody", b"tfoot"], &|o: &Open| {
                    matches!(names(o), b"tr" | b"td" | b"th") || inline(o)
                })
            }
            b"rt" | b"rp" => search(&[b"rt", b"rp"], &inline),
            b"body" => usize::from(top == Some(b"head")),
            b"h1" | b"h2" | b"h3" | b"h4" | b"h5" | b"h6" => usize::from(matches!(
                top,
                Some(b"h1" | b"h2" | b"h3" | b"h4" | b"h5" | b"h6")
            )),
            _ => 0,
        };
        closes.max(more)
    }
}

/// A warning found by the first pass; positions and wording are made at the end.
#[derive(Debug)]
struct Warning {
    at: usize,
    /// A second place the message refers to (where an element was opened).
    related: Option<usize>,
    what: What,
}

#[derive(Debug)]
enum What {
    Parse(LexError),
    NotClosedBefore { name: String, before: String },
    NeverClosed { name: String },
    Stray { name: String },
    VoidEnd { name: String },
    SelfClosing { name: String },
}

#[derive(Debug, Default)]
struct Analysis {
    /// For every start tag in document order: whether the element contains a block-level
    /// element.
    has_block: Vec<bool>,
    warnings: Vec<Warning>,
}

/// `name` in ASCII lower case, in `buf` (HTML names are case-insensitive).
fn lower<'b>(name: &str, buf: &'b mut Vec<u8>) -> &'b [u8] {
    buf.clear();
    buf.extend(name.bytes().map(|b| b.to_ascii_lowercase()));
    buf
}

/// The first pass: element structure, block content and (when `warn`) warnings.
fn analyze(text: &str, warn: bool) -> Analysis {
    let mut analysis = Analysis::default();
    let mut tree = Tree::default();
    let mut warnings = Vec::new();
    let mut push_warning = |warning: Warning| {
        if warn && warnings.len() < MAX_DIAGNOSTICS {
            warnings.push(warning);
        }
    };
    let close = |analysis: &mut Analysis, open: Open| {
        if let Some(slot) = analysis.has_block.get_mut(open.ordinal) {
            *slot = open.has_block;
        }
        open
    };
    let mut buf = Vec::new();
    for token in Lexer::new(text) {
        match token {
            Token::Error { error, at } => {
                if error == LexError::CdataInHtmlContent && tree.in_foreign() {
                    continue;
                }
                push_warning(Warning {
                    at,
                    related: None,
                    what: What::Parse(error),
                });
            }
            Token::StartTag {
                name,
                self_closing,
                span,
            } => {
                let name = lower(name, &mut buf);
                for _ in 0..tree.implied_by_start(name) {
                    if let Some(open) = tree.pop() {
                        let open = close(&mut analysis, open);
                        if !end_optional(tree.name(open.name)) && warn {
                            push_warning(Warning {
                                at: span.start,
                                related: Some(open.start),
                                what: What::NotClosedBefore {
                                    name: lossy(tree.name(open.name)),
                                    before: format!("<{}>", lossy(name)),
                                },
                            });
                        }
                        propagate_block(&mut tree, &open);
                    }
                }
                let ordinal = analysis.has_block.len();
                analysis.has_block.push(false);
                let element_kind = kind(name);
                let foreign = tree.in_foreign() || matches!(name, b"svg" | b"math");
                // Hidden elements (script, style, metadata) also make their parent lay out
                // its content on lines.
                if element_kind != Kind::Inline
                    && let Some(top) = tree.stack.last_mut()
                {
                    top.has_block = true;
                }
                if is_void(name) || (self_closing && foreign) {
                    continue;
                }
                if self_closing {
                    push_warning(Warning {
                        at: span.start,
                        related: None,
                        what: What::SelfClosing { name: lossy(name) },
                    });
                }
                let id = tree.intern(name);
                tree.push(Open {
                    name: id,
                    ordinal,
                    start: span.start,
                    kind: element_kind,
                    foreign,
                    has_block: false,
                    layout: Layout::Plain,
                });
            }
            Token::EndTag { name, span } => {
                let name = lower(name, &mut buf);
                if is_void(name) {
                    push_warning(Warning {
                        at: span.start,
                        related: None,
                        what: What::VoidEnd { name: lossy(name) },
                    });
                    continue;
                }
                let id = tree.intern(name);
                if !tree.is_open(id) {
                    push_warning(Warning {
                        at: span.start,
                        related: None,
                        what: What::Stray { name: lossy(name) },
                    });
                    continue;
                }
                while let Some(open) = tree.pop() {
                    let matched = open.name == id;
                    let open = close(&mut analysis, open);
                    if !matched && !end_optional(tree.name(open.name)) {
                        push_warning(Warning {
                            at: span.start,
                            related: Some(open.start),
                            what: What::NotClosedBefore {
                                name: lossy(tree.name(open.name)),
                                before: format!("</{}>", lossy(name)),
                            },
                        });
                    }
                    propagate_block(&mut tree, &open);
                    if matched {
                        break;
                    }
                }
            }
            Token::Text(_) | Token::Comment(_) | Token::Doctype(_) => {}
        }
    }
    while let Some(open) = tree.pop() {
        let open = close(&mut analysis, open);
        if !end_optional(tree.name(open.name)) {
            push_warning(Warning {
                at: open.start,
                related: None,
                what: What::NeverClosed {
                    name: lossy(tree.name(open.name)),
                },
            });
        }
        propagate_block(&mut tree, &open);
    }
    analysis.warnings = warnings;
    analysis
}

/// An inline element that holds a block is laid out as a block, so its parent holds one.
fn propagate_block(tree: &mut Tree, closed: &Open) {
    if closed.has_block
        && closed.kind != Kind::Block
        && let Some(parent) = tree.stack.last_mut()
    {
        parent.has_block = true;
    }
}

fn lossy(name: &[u8]) -> String {
    String::from_utf8_lossy(name).into_owned()
}

/// Turns warnings into sorted diagnostics with positions, in one pass over the text.
fn render_diagnostics(text: &str, warnings: &[Warning]) -> Vec<Diagnostic> {
    let mut offsets = Vec::with_capacity(warnings.len() * 2);
    for warning in warnings {
        offsets.push(warning.at);
        offsets.push(warning.related.unwrap_or(warning.at));
    }
    let positions = locate_all(text, &offsets);
    let mut diagnostics: Vec<Diagnostic> = warnings
        .iter()
        .enumerate()
        .map(|(i, warning)| {
            let at = positions[2 * i];
            let related = positions[2 * i + 1];
            let (message, hint) = wording(&warning.what, related);
            Diagnostic {
                severity: Severity::Warning,
                message,
                at,
                hint,
            }
        })
        .collect();
    diagnostics.sort_by_key(|d| d.at.offset);
    diagnostics
}

fn wording(what: &What, related: Position) -> (String, Option<String>) {
    match what {
        What::NotClosedBefore { name, before } => (
            format!("`<{name}>` opened at {related} is not closed before `{before}`"),
            Some(format!("add `</{name}>` before `{before}`")),
        ),
        What::NeverClosed { name } => (
            format!("`<{name}>` is never closed"),
            Some(format!("add `</{name}>` where it should end")),
        ),
        What::Stray { name } => (
            format!("`</{name}>` closes nothing: no `<{name}>` is open"),
            Some(format!("remove it, or add `<{name}>` before it")),
        ),
        What::VoidEnd { name } if name == "br" => (
            "`</br>` is not an end tag; browsers read it as `<br>`".into(),
            Some("write `<br>`".into()),
        ),
        What::VoidEnd { name } => (
            format!("`</{name}>`: `<{name}>` is a void element and has no end tag"),
            Some(format!("remove `</{name}>`")),
        ),
        What::SelfClosing { name } => (
            format!("`/>` does not close `<{name}>` in HTML: it stays open"),
            Some(format!("write `<{name}></{name}>`")),
        ),
        What::Parse(error) => parse_error_wording(*error),
    }
}

fn parse_error_wording(error: LexError) -> (String, Option<String>) {
    use LexError as E;
    let (message, hint): (&str, &str) = match error {
        E::EofInTag => ("the input ends inside a tag", "close the tag with `>`"),
        E::EofInComment => (
            "the input ends inside a comment",
            "close the comment with `-->`",
        ),
        E::EofInDoctype => ("the input ends inside the doctype", "close it with `>`"),
        E::EofBeforeTagName => ("the input ends after `<`", "write a literal `<` as `&lt;`"),
        E::DuplicateAttribute => (
            "duplicate attribute; browsers keep the first",
            "remove one of them",
        ),
        E::MissingWhitespaceBetweenAttributes => (
            "no white space between attributes",
            "add a space between them",
        ),
        E::UnexpectedCharacterInUnquotedAttributeValue => (
            "`\"`, `'`, `<`, `=` or `` ` `` in an unquoted attribute value",
            "quote the value: name=\"value\"",
        ),
        E::UnexpectedCharacterInAttributeName => (
            "`\"`, `'` or `<` in an attribute name",
            "check for a missing `=` or quote",
        ),
        E::UnexpectedEqualsSignBeforeAttributeName => (
            "`=` before an attribute name",
            "remove the `=` or add the name",
        ),
        E::MissingAttributeValue => ("`=` without a value", "write name=\"value\""),
        E::InvalidFirstCharacterOfTagName => (
            "`<` is not followed by a tag name, so it is text",
            "write a literal `<` as `&lt;`",
        ),
        E::MissingEndTagName => ("`</>` is ignored", "remove it or add the tag name"),
        E::EndTagWithAttributes => ("attributes on an end tag are ignored", "remove them"),
        E::EndTagWithTrailingSolidus => ("`/>` on an end tag is ignored", "write `</name>`"),
        E::UnexpectedSolidusInTag => ("a stray `/` inside a tag", "remove it"),
        E::CdataInHtmlContent => (
            "`<![CDATA[` outside SVG or MathML is a comment in HTML",
            "escape the text with &lt; and &amp; instead",
        ),
        E::IncorrectlyOpenedComment => (
            "`<!` not followed by `--` or `DOCTYPE`: a bogus comment",
            "start comments with `<!--`",
        ),
        E::IncorrectlyClosedComment => ("comment closed with `--!>`", "close it with `-->`"),
        E::AbruptClosingOfEmptyComment => (
            "`<!-->` or `<!--->` closes the comment at once",
            "write `<!-- -->`",
        ),
        E::UnexpectedQuestionMarkInsteadOfTagName => (
            "`<?` is not HTML (processing instructions are XML): a bogus comment",
            "remove it, or write `&lt;?`",
        ),
    };
    (message.to_owned(), Some(hint.to_owned()))
}

/// White space that HTML collapses.
fn is_html_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Pending {
    Nothing,
    Space,
    Edge,
}

/// The output side of the second pass.
#[derive(Debug)]
struct Writer<'o> {
    out: &'o mut String,
    breaker: Breaker,
    pretty: bool,
    depth: usize,
    /// Open compact block elements: no line breaks inside them.
    compact: usize,
    /// Open verbatim elements: everything copied as is.
    verbatim: usize,
    pending: Pending,
    started: bool,
    /// A verbatim element was closed without its end tag: until the token that closed it is
    /// written, a re-parse would put any inserted white space inside it, so insert none.
    glue: bool,
}

impl Writer<'_> {
    fn space(&mut self) {
        self.pending = self.pending.max(Pending::Space);
    }

    fn edge(&mut self) {
        self.pending = Pending::Edge;
    }

    /// Writes an item after resolving pending white space; `breakable` items may take a line
    /// break in place of source white space.
    fn emit(&mut self, item: &str, breakable: bool) -> Result<(), FormatError> {
        if self.glue {
            self.glue = false;
            self.pending = Pending::Nothing;
        }
        let may_break = self.pretty && self.compact == 0 && self.started;
        match self.pending {
            Pending::Edge if may_break => self.breaker.newline(self.out, self.depth)?,
            Pending::Space if may_break && breakable => {
                self.breaker.newline(self.out, self.depth)?;
            }
            Pending::Space if self.started => self.out.push(' '),
            _ => {}
        }
        self.pending = Pending::Nothing;
        self.out.push_str(item);
        self.started = true;
        Ok(())
    }

    /// Copies source text as it is (verbatim content).
    fn raw(&mut self, item: &str) {
        self.out.push_str(item);
        self.started = true;
        self.glue = false;
    }

    /// Writes text with white space collapsed.
    fn text(&mut self, text: &str) -> Result<(), FormatError> {
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if is_html_space(bytes[i]) {
                self.space();
                while i < bytes.len() && is_html_space(bytes[i]) {
                    i += 1;
                }
            } else {
                let start = i;
                while i < bytes.len() && !is_html_space(bytes[i]) {
                    i += 1;
                }
                // Split at ASCII bytes only, so always at char boundaries.
                self.emit(text.get(start..i).unwrap_or(""), false)?;
            }
        }
        Ok(())
    }

    /// Handles an element leaving the stack; `end_tag` is its end tag's text if it has one.
    fn close(&mut self, open: &Open, end_tag: Option<&str>) -> Result<(), FormatError> {
        match open.layout {
            Layout::Verbatim => {
                self.verbatim = self.verbatim.saturating_sub(1);
                match end_tag {
                    Some(tag) => {
                        self.raw(tag);
                        if open.kind == Kind::Block {
                            self.edge();
                        }
                    }
                    None => self.glue = true,
                }
            }
            _ if self.verbatim > 0 => {
                if let Some(tag) = end_tag {
                    self.raw(tag);
                }
            }
            Layout::Indented => {
                self.depth = self.depth.saturating_sub(1);
                self.edge();
                if let Some(tag) = end_tag {
                    self.emit(tag, true)?;
                }
                self.edge();
            }
            Layout::Compact => {
                self.edge();
                if let Some(tag) = end_tag {
                    self.emit(tag, true)?;
                }
                self.compact = self.compact.saturating_sub(1);
                self.edge();
            }
            Layout::Plain => {
                if let Some(tag) = end_tag {
                    self.emit(tag, open.kind == Kind::Hidden)?;
                }
            }
        }
        Ok(())
    }
}

/// The second pass: writes `text` per `style`, given which elements contain blocks.
fn write(
    text: &str,
    has_block: &[bool],
    style: &Style,
    out: &mut String,
) -> Result<(), FormatError> {
    let breaker = Breaker::new(
        style,
        out.len(),
        if style.pretty {
            "beautified HTML"
        } else {
            "minified HTML"
        },
    );
    let mut w = Writer {
        out,
        breaker,
        pretty: style.pretty,
        depth: 0,
        compact: 0,
        verbatim: 0,
        pending: Pending::Nothing,
        started: false,
        glue: false,
    };
    let mut tree = Tree::default();
    let mut ordinal = 0usize;
    let mut cursor = 0usize;
    let mut buf = Vec::new();
    for token in Lexer::new(text) {
        let span = match &token {
            Token::Error { .. } => continue,
            Token::StartTag { span, .. }
            | Token::EndTag { span, .. }
            | Token::Text(span)
            | Token::Comment(span)
            | Token::Doctype(span) => span.clone(),
        };
        let start = floor_char_boundary(text, span.start.max(cursor));
        let end = floor_char_boundary(text, span.end.max(start));
        if start > cursor {
            // Source the tokenizer dropped (an unterminated tag at the end): keep it.
            let gap = &text[cursor..start];
            if w.verbatim > 0 {
                w.raw(gap);
            } else {
                w.emit(gap, false)?;
            }
        }
        cursor = cursor.max(end);
        let raw = &text[start..end];
        match token {
            Token::Text(_) if w.verbatim > 0 => w.raw(raw),
            Token::Text(_) => w.text(raw)?,
            Token::Comment(_) | Token::Doctype(_) if w.verbatim > 0 => w.raw(raw),
            Token::Comment(_) => w.emit(raw, true)?,
            Token::Doctype(_) => {
                w.edge();
                w.emit(raw, true)?;
                w.edge();
            }
            Token::StartTag {
                name, self_closing, ..
            } => {
                let name = lower(name, &mut buf);
                for _ in 0..tree.implied_by_start(name) {
                    if let Some(open) = tree.pop() {
                        w.close(&open, None)?;
                    }
                }
                let block = has_block.get(ordinal).copied().unwrap_or(false);
                ordinal += 1;
                let element_kind = kind(name);
                let foreign = tree.in_foreign() || matches!(name, b"svg" | b"math");
                let void = is_void(name) || (self_closing && foreign);
                let in_head = tree
                    .stack
                    .last()
                    .is_some_and(|top| tree.name(top.name) == b"head");
                let block_like = element_kind == Kind::Block
                    || (block && !void)
                    || (element_kind == Kind::Hidden && in_head);
                let mut layout = Layout::Plain;
                if w.verbatim > 0 {
                    w.raw(raw);
                } else if block_like {
                    w.edge();
                    w.emit(raw, true)?;
                    if void {
                        w.edge();
                    } else if is_verbatim(name) {
                        layout = Layout::Verbatim;
                    } else if block {
                        layout = Layout::Indented;
                        w.depth += 1;
                        w.edge();
                    } else {
                        layout = Layout::Compact;
                        w.compact += 1;
                        w.edge();
                    }
                } else {
                    w.emit(raw, element_kind == Kind::Hidden)?;
                    if is_verbatim(name) && !void {
                        layout = Layout::Verbatim;
                    }
                }
                if void {
                    continue;
                }
                if layout == Layout::Verbatim {
                    w.verbatim += 1;
                }
                let id = tree.intern(name);
                tree.push(Open {
                    name: id,
                    ordinal: ordinal - 1,
                    start,
                    kind: if block_like {
                        Kind::Block
                    } else {
                        element_kind
                    },
                    foreign,
                    has_block: block,
                    layout,
                });
            }
            Token::EndTag { name, .. } => {
                let name = lower(name, &mut buf);
                let id = tree.intern(name);
                if is_void(name) || !tree.is_open(id) {
                    if w.verbatim > 0 {
                        w.raw(raw);
                    } else {
                        w.emit(raw, false)?;
                    }
                    continue;
                }
                while let Some(open) = tree.pop() {
                    if open.name == id {
                        w.close(&open, Some(raw))?;
                        break;
                    }
                    w.close(&open, None)?;
                }
            }
            Token::Error { .. } => {}
        }
    }
    if cursor < text.len() {
        let rest = &text[cursor..];
        if w.verbatim > 0 {
            w.raw(rest);
        } else {
            w.emit(rest, false)?;
        }
    }
    w.breaker.check(w.out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(text: &str) -> Vec<(String, usize)> {
        check(text)
            .into_iter()
            .map(|d| {
                assert_eq!(d.severity, Severity::Warning);
                (d.message, d.at.offset)
            })
            .collect()
    }

    const PAGE: &str = "<!DOCTYPE html>\n<html><head>\n<meta charset=utf-8>\n<title>A  &amp;  B</title>\n<style>\n  p { color: red }\n</style></head>\n<body>\n<div class=\"x\"><p>Hello,   <b>world</b>!\n<p>Second<br>line</div>\n<pre>  keep\n   this </pre>\n<ul><li>one<li>two</ul><!-- note -->\n<script>if (a < b) { x = '</div>'; }</script>\n</body></html>\n";

    #[test]
    fn beautify_layout() {
        let expected = "<!DOCTYPE html>\n<html>\n  <head>\n    <meta charset=utf-8>\n    <title>A  &amp;  B</title>\n    <style>\n  p { color: red }\n</style>\n  </head>\n  <body>\n    <div class=\"x\">\n      <p>Hello, <b>world</b>!</p>\n      <p>Second<br>line\n    </div>\n    <pre>  keep\n   this </pre>\n    <ul>\n      <li>one\n      <li>two\n    </ul>\n    <!-- note -->\n    <script>if (a < b) { x = '</div>'; }</script>\n  </body>\n</html>";
        // Note: `</p>` of the first paragraph does not exist in the source; the implied
        // close only ends the line. The output must not invent it:
        let expected = expected.replace("<p>Hello, <b>world</b>!</p>", "<p>Hello, <b>world</b>!");
        assert_eq!(beautify(PAGE, Indent::Spaces(2)).unwrap(), expected);
    }

    #[test]
    fn minify_layout() {
        let expected = "<!DOCTYPE html><html><head><meta charset=utf-8><title>A  &amp;  B</title><style>\n  p { color: red }\n</style></head><body><div class=\"x\"><p>Hello, <b>world</b>!<p>Second<br>line</div><pre>  keep\n   this </pre><ul><li>one<li>two</ul><!-- note --> <script>if (a < b) { x = '</div>'; }</script></body></html>";
        assert_eq!(minify(PAGE).unwrap(), expected);
        assert_eq!(
            minify(&beautify(PAGE, Indent::Tab).unwrap()).unwrap(),
            expected
        );
    }

    #[test]
    fn inline_spacing_is_kept_exactly() {
        assert_eq!(
            minify("<p>a<b>b</b> <i>c</i>d</p>").unwrap(),
            "<p>a<b>b</b> <i>c</i>d</p>"
        );
        assert_eq!(
            beautify(
                "<div><span>a</span><span>b</span>\n  <span>c</span></div>",
                Indent::Spaces(2)
            )
            .unwrap(),
            "<div><span>a</span><span>b</span> <span>c</span></div>"
        );
        assert_eq!(
            beautify(
                "<section><h1>T</h1>text <em>x</em></section>",
                Indent::Spaces(2)
            )
            .unwrap(),
            "<section>\n  <h1>T</h1>\n  text <em>x</em>\n</section>"
        );
    }

    #[test]
    fn textarea_and_entities_untouched() {
        let input = "<form><textarea>  a\n  b </textarea><input value='x  y'></form>";
        assert_eq!(minify(input).unwrap(), input);
        assert_eq!(
            minify("<p>&nbsp; &lt;x&gt;</p>").unwrap(),
            "<p>&nbsp; &lt;x&gt;</p>"
        );
    }

    #[test]
    fn unterminated_input_is_kept() {
        assert_eq!(
            minify("<div>text <a href='x").unwrap(),
            "<div>text <a href='x"
        );
        assert_eq!(minify("a < b").unwrap(), "a < b");
        assert_eq!(minify("").unwrap(), "");
    }

    /// Found by the property test: `</svg>` closes the `<pre>` without its end tag, so a line
    /// break written before `</svg>` would, on a re-parse, be inside the `<pre>`.
    #[test]
    fn regression_no_white_space_inserted_into_an_implicitly_closed_pre() {
        let input = "<svg><pre></svg>";
        let pretty = beautify(input, Indent::Spaces(0)).unwrap();
        assert_eq!(pretty, "<svg>\n<pre></svg>");
        assert_eq!(minify(&pretty).unwrap(), minify(input).unwrap());
        assert_eq!(
            beautify("<div><div><pre>x</div></div>", Indent::Spaces(2)).unwrap(),
            "<div>\n  <div>\n    <pre>x</div>\n</div>"
        );
    }

    /// html5gum, used before, recursed once per double-quoted attribute: a tag with some tens
    /// of thousands of them overflowed the stack and aborted the process.
    #[test]
    fn regression_many_attributes_do_not_overflow_the_stack() {
        let mut input = String::from("<div");
        for i in 0..100_000 {
            input.push_str(&format!(" a{i}=\"\""));
        }
        input.push_str("></div>");
        assert_eq!(check(&input), vec![]);
        assert_eq!(minify(&input).unwrap(), input);
    }

    #[test]
    fn inline_element_holding_blocks_is_a_block() {
        assert_eq!(
            beautify("<a href=x><div>1</div><div>2</div></a>", Indent::Spaces(1)).unwrap(),
            "<a href=x>\n <div>1</div>\n <div>2</div>\n</a>"
        );
    }

    #[test]
    fn clean_documents_have_no_warnings() {
        assert_eq!(messages(PAGE), vec![]);
        assert_eq!(
            messages("<table><tr><td>1<td>2<tr><td>3</table><select><option>a<option>b</select>"),
            vec![]
        );
        assert_eq!(
            messages("<svg><path d='M0'/><circle/></svg><img src=x /><br/>"),
            vec![]
        );
        assert_eq!(messages("<dl><dt>a<dd>b<dt>c</dl><p>x<div>y</div>"), vec![]);
    }

    #[test]
    fn unclosed_and_misnested_elements() {
        let found = check("<div>\n  <span>text\n</div>\n<section>");
        let summary: Vec<(String, usize, usize, usize)> = found
            .iter()
            .map(|d| (d.message.clone(), d.at.line, d.at.column, d.at.offset))
            .collect();
        assert_eq!(
            summary,
            vec![
                (
                    "`<span>` opened at line 2, column 3 (byte 8) is not closed before `</div>`"
                        .to_owned(),
                    3,
                    1,
                    19
                ),
                ("`<section>` is never closed".to_owned(), 4, 1, 26),
            ]
        );
        assert_eq!(
            found[0].hint.as_deref(),
            Some("add `</span>` before `</div>`")
        );
    }

    #[test]
    fn stray_void_and_self_closing() {
        assert_eq!(
            messages("<p>x</p></p></span><br></br><img></img><div/>"),
            vec![
                ("`</p>` closes nothing: no `<p>` is open".to_owned(), 8),
                (
                    "`</span>` closes nothing: no `<span>` is open".to_owned(),
                    12
                ),
                (
                    "`</br>` is not an end tag; browsers read it as `<br>`".to_owned(),
                    23
                ),
                (
                    "`</img>`: `<img>` is a void element and has no end tag".to_owned(),
                    33
                ),
                (
                    "`/>` does not close `<div>` in HTML: it stays open".to_owned(),
                    39
                ),
                ("`<div>` is never closed".to_owned(), 39),
            ]
        );
    }

    #[test]
    fn tokenizer_errors_are_worded() {
        assert_eq!(
            messages("<a href=x href=y>t</a><!-- open"),
            vec![
                (
                    "duplicate attribute; browsers keep the first".to_owned(),
                    10
                ),
                ("the input ends inside a comment".to_owned(), 31),
            ]
        );
        let found = check("1 < 2");
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].message,
            "`<` is not followed by a tag name, so it is text"
        );
        assert_eq!(
            found[0].hint.as_deref(),
            Some("write a literal `<` as `&lt;`")
        );
    }

    #[test]
    fn diagnostics_are_capped() {
        let input = "</x>".repeat(MAX_DIAGNOSTICS * 2);
        assert_eq!(check(&input).len(), MAX_DIAGNOSTICS);
    }

    #[test]
    fn deep_nesting_hits_the_output_limit_not_the_stack() {
        let input = "<div><p>".repeat(20_000);
        let style = Style {
            max_output: 1 << 20,
            ..Style::default()
        };
        assert!(matches!(
            format_into(&input, &style, &mut String::new()),
            Err(FormatError::TooLarge { .. })
        ));
        assert_eq!(minify(&input).unwrap(), input);
        assert_eq!(check(&input).len(), MAX_DIAGNOSTICS);
    }
}
