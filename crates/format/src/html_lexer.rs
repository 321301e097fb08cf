//! A small, iterative HTML tokenizer that finds token boundaries for [`crate::html`].
//!
//! It follows the WHATWG tokenizer where token *boundaries* are decided (tags and their
//! attributes with quoting, comments and their odd closings, the doctype, bogus comments,
//! `<` that is text, raw-text elements such as `<script>` and `<textarea>`), and reports the
//! parse errors that matter to people. It never decodes anything: tokens are byte spans of
//! the input, so the formatter copies source text exactly.
//!
//! Why not a crate: html5gum (WHATWG-compliant, with spans) was used first, but its state
//! machine calls the next state directly for double-quoted attributes, so one tag with some
//! tens of thousands of attributes overflows the stack and aborts the process; a message
//! from a server must never be able to do that. This lexer is a loop with no recursion.
//!
//! Simplifications: character references are not checked; inside `<script>` the "escaped"
//! states (`<!--` with a nested `<script>`) are not modelled, so the script ends at the first
//! `</script`; a tokenizer cannot know about SVG/MathML, so `<![CDATA[` is a bogus comment.

use std::collections::HashSet;
use std::ops::Range;

/// A parse error the lexer reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LexError {
    EofInTag,
    EofInComment,
    EofInDoctype,
    EofBeforeTagName,
    InvalidFirstCharacterOfTagName,
    MissingEndTagName,
    DuplicateAttribute,
    UnexpectedCharacterInAttributeName,
    UnexpectedEqualsSignBeforeAttributeName,
    UnexpectedCharacterInUnquotedAttributeValue,
    MissingAttributeValue,
    MissingWhitespaceBetweenAttributes,
    UnexpectedSolidusInTag,
    EndTagWithAttributes,
    EndTagWithTrailingSolidus,
    CdataInHtmlContent,
    IncorrectlyOpenedComment,
    IncorrectlyClosedComment,
    AbruptClosingOfEmptyComment,
    UnexpectedQuestionMarkInsteadOfTagName,
}

/// A token: what it is and the byte span of its source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Token<'a> {
    /// `<name …>`; `name` as written (compare case-insensitively).
    StartTag {
        name: &'a str,
        self_closing: bool,
        span: Range<usize>,
    },
    /// `</name …>`.
    EndTag { name: &'a str, span: Range<usize> },
    /// Text, including `<` that does not start markup.
    Text(Range<usize>),
    /// A comment, or a bogus comment (`<!x>`, `<?x>`, `</1>`).
    Comment(Range<usize>),
    /// `<!DOCTYPE …>`.
    Doctype(Range<usize>),
    /// A parse error at a byte offset (reported before the token it belongs to).
    Error { error: LexError, at: usize },
}

/// The content of an element that is text to the tokenizer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Content {
    /// Text up to `</name`.
    RawText,
    /// Everything to the end (`<plaintext>`).
    Plaintext,
}

/// Iterator over the tokens of `text`.
#[derive(Debug)]
pub(crate) struct Lexer<'a> {
    text: &'a str,
    at: usize,
    queue: std::collections::VecDeque<Token<'a>>,
    /// Set after a start tag of a raw-text element: (name, kind).
    raw: Option<(&'a str, Content)>,
}

impl<'a> Lexer<'a> {
    pub(crate) fn new(text: &'a str) -> Lexer<'a> {
        Lexer {
            text,
            at: 0,
            queue: std::collections::VecDeque::new(),
            raw: None,
        }
    }

    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    fn error(&mut self, error: LexError, at: usize) {
        self.queue.push_back(Token::Error { error, at });
    }

    /// Lexes the next piece into the queue. Returns false at the end.
    fn step(&mut self) -> bool {
        let bytes = self.bytes();
        let len = bytes.len();
        if self.at >= len {
            return false;
        }
        if let Some((name, content)) = self.raw.take() {
            let start = self.at;
            let end = match content {
                Content::Plaintext => len,
                Content::RawText => find_raw_end(bytes, start, name),
            };
            self.at = end;
            if end > start {
                self.queue.push_back(Token::Text(start..end));
                return true;
            }
        }
        let start = self.at;
        // Text up to the next `<` that starts markup.
        let mut search = start;
        loop {
            let Some(lt) = memchr::memchr(b'<', &bytes[search..]).map(|i| search + i) else {
                self.at = len;
                self.queue.push_back(Token::Text(start..len));
                return true;
            };
            match bytes.get(lt + 1) {
                Some(c) if c.is_ascii_alphabetic() || matches!(c, b'!' | b'?' | b'/') => {
                    if lt > start {
                        self.queue.push_back(Token::Text(start..lt));
                    }
                    self.at = lt;
                    self.markup(lt);
                    return true;
                }
                Some(_) => {
                    self.error(LexError::InvalidFirstCharacterOfTagName, lt + 1);
                    search = lt + 1;
                }
                None => {
                    self.error(LexError::EofBeforeTagName, len);
                    self.at = len;
                    self.queue.push_back(Token::Text(start..len));
                    return true;
                }
            }
        }
    }

    /// Lexes markup starting with `<` at `lt` (followed by a letter, `!`, `?` or `/`).
    fn markup(&mut self, lt: usize) {
        let bytes = self.bytes();
        let len = bytes.len();
        match bytes[lt + 1] {
            b'!' => {
                let rest = &bytes[lt + 2..];
                if rest.starts_with(b"--") {
                    self.comment(lt);
                } else if starts_with_ignore_case(rest, b"doctype") {
                    let end = memchr::memchr(b'>', &bytes[lt..]).map(|i| lt + i + 1);
                    let end = end.unwrap_or_else(|| {
                        self.error(LexError::EofInDoctype, len);
                        len
                    });
                    self.at = end;
                    self.queue.push_back(Token::Doctype(lt..end));
                } else {
                    let error = if rest.starts_with(b"[CDATA[") {
                        LexError::CdataInHtmlContent
                    } else {
                        LexError::IncorrectlyOpenedComment
                    };
                    self.error(error, lt + 2);
                    self.bogus_comment(lt);
                }
            }
            b'?' => {
                self.error(LexError::UnexpectedQuestionMarkInsteadOfTagName, lt + 1);
                self.bogus_comment(lt);
            }
            b'/' => match bytes.get(lt + 2) {
                Some(c) if c.is_ascii_alphabetic() => self.tag(lt, true),
                Some(b'>') => {
                    self.error(LexError::MissingEndTagName, lt + 2);
                    self.at = lt + 3;
                    self.queue.push_back(Token::Text(lt..lt + 3));
                }
                Some(_) => {
                    self.error(LexError::InvalidFirstCharacterOfTagName, lt + 2);
                    self.bogus_comment(lt);
                }
                None => {
                    self.error(LexError::EofBeforeTagName, len);
                    self.at = len;
                    self.queue.push_back(Token::Text(lt..len));
                }
            },
            _ => self.tag(lt, false),
        }
    }

    fn bogus_comment(&mut self, lt: usize) {
        let bytes = self.bytes();
        let end = memchr::memchr(b'>', &bytes[lt..]).map_or(bytes.len(), |i| lt + i + 1);
        self.at = end;
        self.queue.push_back(Token::Comment(lt..end));
    }

    /// `<!--` at `lt`.
    fn comment(&mut self, lt: usize) {
        let bytes = self.bytes();
        let len = bytes.len();
        let body = lt + 4;
        let rest = &bytes[body.min(len)..];
        if rest.starts_with(b">") || rest.starts_with(b"->") {
            self.error(LexError::AbruptClosingOfEmptyComment, body);
            let end = body + if rest[0] == b'>' { 1 } else { 2 };
            self.at = end;
            self.queue.push_back(Token::Comment(lt..end));
            return;
        }
        let mut search = body;
        let end = loop {
            let Some(dash) = memchr::memmem::find(&bytes[search..], b"--").map(|i| search + i)
            else {
                self.error(LexError::EofInComment, len);
                break len;
            };
            let after = &bytes[dash + 2..];
            if after.starts_with(b">") {
                break dash + 3;
            }
            if after.starts_with(b"!>") {
                self.error(LexError::IncorrectlyClosedComment, dash);
                break dash + 4;
            }
            search = dash + 1;
        };
        self.at = end;
        self.queue.push_back(Token::Comment(lt..end));
    }

    /// A start tag (`<a`) or end tag (`</a`) at `lt`.
    fn tag(&mut self, lt: usize, end_tag: bool) {
        let bytes = self.bytes();
        let len = bytes.len();
        let name_start = lt + if end_tag { 2 } else { 1 };
        let mut i = name_start;
        while i < len && !is_space(bytes[i]) && bytes[i] != b'/' && bytes[i] != b'>' {
            i += 1;
        }
        // Names end at ASCII bytes, so these are char boundaries.
        let name = self.text.get(name_start..i).unwrap_or("");
        let mut self_closing = false;
        let mut seen: Attributes = Attributes::default();
        let mut attributes = 0usize;
        loop {
            while i < len && is_space(bytes[i]) {
                i += 1;
            }
            let Some(&c) = bytes.get(i) else {
                self.eof_in_tag(lt);
                return;
            };
            match c {
                b'>' => {
                    i += 1;
                    break;
                }
                b'/' => {
                    if bytes.get(i + 1) == Some(&b'>') {
                        self_closing = true;
                        i += 2;
                        break;
                    }
                    self.error(LexError::UnexpectedSolidusInTag, i);
                    i += 1;
                }
                _ => {
                    // An attribute name: the first character may be `=` (an error).
                    let attribute_start = i;
                    if c == b'=' {
                        self.error(LexError::UnexpectedEqualsSignBeforeAttributeName, i);
                        i += 1;
                    }
                    while i < len && !is_space(bytes[i]) && !matches!(bytes[i], b'/' | b'>' | b'=')
                    {
                        if matches!(bytes[i], b'"' | b'\'' | b'<') {
                            self.error(LexError::UnexpectedCharacterInAttributeName, i);
                        }
                        i += 1;
                    }
                    attributes += 1;
                    if !end_tag && !seen.insert(&bytes[attribute_start..i]) {
                        self.error(LexError::DuplicateAttribute, attribute_start);
                    }
                    while i < len && is_space(bytes[i]) {
                        i += 1;
                    }
                    if bytes.get(i) != Some(&b'=') {
                        continue;
                    }
                    i += 1;
                    while i < len && is_space(bytes[i]) {
                        i += 1;
                    }
                    match bytes.get(i) {
                        None => {
                            self.eof_in_tag(lt);
                            return;
                        }
                        Some(&quote @ (b'"' | b'\'')) => {
                            let Some(close) = memchr::memchr(quote, &bytes[i + 1..]) else {
                                self.eof_in_tag(lt);
                                return;
                            };
                            i += close + 2;
                            if let Some(&next) = bytes.get(i)
                                && !is_space(next)
                                && next != b'/'
                                && next != b'>'
                            {
                                self.error(LexError::MissingWhitespaceBetweenAttributes, i);
                            }
                        }
                        Some(b'>') => {
                            self.error(LexError::MissingAttributeValue, i);
                        }
                        Some(_) => {
                            while i < len && !is_space(bytes[i]) && bytes[i] != b'>' {
                                if matches!(bytes[i], b'"' | b'\'' | b'<' | b'=' | b'`') {
                                    self.error(
                                        LexError::UnexpectedCharacterInUnquotedAttributeValue,
                                        i,
                                    );
                                }
                                i += 1;
                            }
                        }
                    }
                }
            }
        }
        self.at = i;
        if end_tag {
            if attributes > 0 {
                self.error(LexError::EndTagWithAttributes, lt);
            }
            if self_closing {
                self.error(LexError::EndTagWithTrailingSolidus, lt);
            }
            self.queue.push_back(Token::EndTag { name, span: lt..i });
        } else {
            self.raw = raw_content(name).map(|content| (name, content));
            self.queue.push_back(Token::StartTag {
                name,
                self_closing,
                span: lt..i,
            });
        }
    }

    /// The input ends inside a tag: browsers drop it; we keep its text.
    fn eof_in_tag(&mut self, lt: usize) {
        let len = self.bytes().len();
        self.error(LexError::EofInTag, len);
        self.at = len;
        self.queue.push_back(Token::Text(lt..len));
    }
}

impl<'a> Iterator for Lexer<'a> {
    type Item = Token<'a>;

    fn next(&mut self) -> Option<Token<'a>> {
        loop {
            if let Some(token) = self.queue.pop_front() {
                return Some(token);
            }
            if !self.step() {
                return None;
            }
        }
    }
}

/// Attribute names seen in one tag, for duplicate detection: a list while short, a set
/// when long (so a tag with many attributes stays linear).
#[derive(Debug, Default)]
struct Attributes<'a> {
    list: Vec<&'a [u8]>,
    set: Option<HashSet<Vec<u8>>>,
}

impl<'a> Attributes<'a> {
    /// Adds `name`; false when it was already there (ASCII case-insensitively).
    fn insert(&mut self, name: &'a [u8]) -> bool {
        if let Some(set) = &mut self.set {
            return set.insert(name.to_ascii_lowercase());
        }
        if self.list.iter().any(|seen| seen.eq_ignore_ascii_case(name)) {
            return false;
        }
        self.list.push(name);
        if self.list.len() > 16 {
            self.set = Some(self.list.iter().map(|n| n.to_ascii_lowercase()).collect());
        }
        true
    }
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
}

fn starts_with_ignore_case(bytes: &[u8], prefix: &[u8]) -> bool {
    bytes
        .get(..prefix.len())
        .is_some_and(|b| b.eq_ignore_ascii_case(prefix))
}

/// Elements whose content is text to the tokenizer (`pre` and `listing` hold markup).
fn raw_content(name: &str) -> Option<Content> {
    const RAW: [&str; 9] = [
        "script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript",
    ];
    if name.eq_ignore_ascii_case("plaintext") {
        return Some(Content::Plaintext);
    }
    RAW.iter()
        .any(|raw| raw.eq_ignore_ascii_case(name))
        .then_some(Content::RawText)
}

/// Where the raw text that starts at `from` ends: at `</name` followed by white space, `/`
/// or `>` (ASCII case-insensitively), or at the end.
fn find_raw_end(bytes: &[u8], from: usize, name: &str) -> usize {
    let mut search = from;
    while let Some(i) = memchr::memmem::find(&bytes[search..], b"</").map(|i| search + i) {
        let after = i + 2;
        if starts_with_ignore_case(&bytes[after..], name.as_bytes()) {
            match bytes.get(after + name.len()) {
                None => return i,
                Some(&b) if is_space(b) || b == b'/' || b == b'>' => return i,
                _ => {}
            }
        }
        search = after;
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<String> {
        Lexer::new(text)
            .map(|token| match token {
                Token::StartTag {
                    name,
                    self_closing,
                    span,
                } => format!(
                    "start {name}{} {:?}",
                    if self_closing { "/" } else { "" },
                    &text[span]
                ),
                Token::EndTag { name, span } => format!("end {name} {:?}", &text[span]),
                Token::Text(span) => format!("text {:?}", &text[span]),
                Token::Comment(span) => format!("comment {:?}", &text[span]),
                Token::Doctype(span) => format!("doctype {:?}", &text[span]),
                Token::Error { error, at } => format!("error {error:?} @{at}"),
            })
            .collect()
    }

    #[test]
    fn tags_attributes_and_text() {
        assert_eq!(
            kinds("<!DOCTYPE html><P class=x id='a>b' data-x=\"q\" checked>Hi &amp; <br/></P >"),
            vec![
                "doctype \"<!DOCTYPE html>\"",
                "start P \"<P class=x id='a>b' data-x=\\\"q\\\" checked>\"",
                "text \"Hi &amp; \"",
                "start br/ \"<br/>\"",
                "end P \"</P >\"",
            ]
        );
    }

    #[test]
    fn raw_text_elements() {
        assert_eq!(
            kinds("<script>if (a<b) x='</div>';</script ><TEXTAREA><b></TextArea>"),
            vec![
                "start script \"<script>\"",
                "text \"if (a<b) x='</div>';\"",
                "end script \"</script >\"",
                "start TEXTAREA \"<TEXTAREA>\"",
                "text \"<b>\"",
                "end TextArea \"</TextArea>\"",
            ]
        );
        assert_eq!(
            kinds("<style></styles></style>"),
            vec![
                "start style \"<style>\"",
                "text \"</styles>\"",
                "end style \"</style>\""
            ]
        );
        assert_eq!(
            kinds("<plaintext></plaintext>"),
            vec!["start plaintext \"<plaintext>\"", "text \"</plaintext>\""]
        );
    }

    #[test]
    fn comments_and_bogus_comments() {
        assert_eq!(
            kinds("<!-- a -- b --><!--><!---><!-- x --!><?php ?><![CDATA[x]]><!x>"),
            vec![
                "comment \"<!-- a -- b -->\"",
                "error AbruptClosingOfEmptyComment @19",
                "comment \"<!-->\"",
                "error AbruptClosingOfEmptyComment @24",
                "comment \"<!--->\"",
                "error IncorrectlyClosedComment @33",
                "comment \"<!-- x --!>\"",
                "error UnexpectedQuestionMarkInsteadOfTagName @38",
                "comment \"<?php ?>\"",
                "error CdataInHtmlContent @47",
                "comment \"<![CDATA[x]]>\"",
                "error IncorrectlyOpenedComment @60",
                "comment \"<!x>\"",
            ]
        );
    }

    #[test]
    fn errors_and_end_of_input() {
        assert_eq!(
            kinds("a < b <a x=1 x=2 y=\"1\"z></a x><"),
            vec![
                "error InvalidFirstCharacterOfTagName @3",
                "text \"a < b \"",
                "error DuplicateAttribute @13",
                "error MissingWhitespaceBetweenAttributes @22",
                "start a \"<a x=1 x=2 y=\\\"1\\\"z>\"",
                "error EndTagWithAttributes @24",
                "end a \"</a x>\"",
                "error EofBeforeTagName @31",
                "text \"<\"",
            ]
        );
        assert_eq!(
            kinds("<div title='unterminated"),
            vec!["error EofInTag @24", "text \"<div title='unterminated\""]
        );
        assert_eq!(
            kinds("<!-- open"),
            vec!["error EofInComment @9", "comment \"<!-- open\""]
        );
        assert_eq!(
            kinds("</>x"),
            vec!["error MissingEndTagName @2", "text \"</>\"", "text \"x\""]
        );
    }

    #[test]
    fn many_attributes_do_not_recurse() {
        let mut text = String::from("<a");
        for i in 0..200_000 {
            text.push_str(&format!(" k{i}=\"\""));
        }
        text.push_str(" k7=\"\">");
        let tokens: Vec<Token<'_>> = Lexer::new(&text).collect();
        assert_eq!(tokens.len(), 2);
        assert!(matches!(
            tokens[0],
            Token::Error {
                error: LexError::DuplicateAttribute,
                ..
            }
        ));
    }
}
