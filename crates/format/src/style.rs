//! How to lay out formatted output: pretty or minified, indentation, and an output limit.
//!
//! # Large inputs
//!
//! Every function of the formats half is a single pass, or two, over its input: O(n) time and
//! O(n) extra memory, no recursion (deep nesting cannot overflow the stack). They are still
//! CPU work: beautifying a 10 MiB JSON message takes tens of milliseconds (see the crate's
//! benchmark). An async caller should therefore run inputs larger than
//! [`BLOCKING_THRESHOLD`] on a blocking thread (`tokio::task::spawn_blocking`) rather than on
//! the runtime's worker; [`should_offload`] says when. The `*_into` functions append to a
//! caller's `String` so a view can reuse one buffer.

/// Inputs at least this long (bytes) are better formatted off the async hot path.
///
/// At the measured few hundred MB/s, 256 KiB is well under a millisecond: below it, spawning
/// a blocking task costs more than it saves.
pub const BLOCKING_THRESHOLD: usize = 256 * 1024;

/// The default for [`Style::max_output`]: 64 MiB.
///
/// Enough for pretty-printing a realistic 10–20 MiB message; small enough that a hostile one
/// (a million nested arrays, each line indented a million times) fails cleanly instead of
/// taking gigabytes.
pub const DEFAULT_MAX_OUTPUT: usize = 64 * 1024 * 1024;

/// Whether formatting `len` bytes should run on a blocking thread (see the module docs).
#[must_use]
pub const fn should_offload(len: usize) -> bool {
    len >= BLOCKING_THRESHOLD
}

/// One level of indentation in pretty output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Indent {
    /// This many spaces per level (0 puts every item on its own line without indenting).
    Spaces(u8),
    /// One tab per level.
    Tab,
}

impl Default for Indent {
    /// Two spaces, as Postman and most web tools show JSON.
    fn default() -> Self {
        Indent::Spaces(2)
    }
}

impl Indent {
    /// The text of one level.
    pub(crate) fn unit(self) -> String {
        match self {
            Indent::Spaces(n) => " ".repeat(usize::from(n)),
            Indent::Tab => "\t".to_owned(),
        }
    }
}

/// How formatted output is laid out.
///
/// `pretty: false` minifies (the indent is then unused); `pretty: true` beautifies with
/// `indent` per level. `max_output` bounds the size of what a call may append, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Style {
    /// Beautify (`true`) or minify (`false`).
    pub pretty: bool,
    /// One level of indentation when `pretty`.
    pub indent: Indent,
    /// The most bytes one formatting call may produce; more is [`crate::FormatError::TooLarge`].
    pub max_output: usize,
}

impl Default for Style {
    /// Pretty, two spaces, [`DEFAULT_MAX_OUTPUT`].
    fn default() -> Self {
        Style::pretty(Indent::default())
    }
}

impl Style {
    /// Beautify with `indent`, default output limit.
    #[must_use]
    pub const fn pretty(indent: Indent) -> Style {
        Style {
            pretty: true,
            indent,
            max_output: DEFAULT_MAX_OUTPUT,
        }
    }

    /// Minify, default output limit.
    #[must_use]
    pub const fn minified() -> Style {
        Style {
            pretty: false,
            indent: Indent::Spaces(0),
            max_output: DEFAULT_MAX_OUTPUT,
        }
    }
}

/// Writes line breaks and indentation for the pretty printers and enforces `max_output`.
///
/// Keeps `"\n"` followed by the indentation of the deepest level seen so far, so a break is
/// one `push_str` of a prefix of it.
#[derive(Debug)]
pub(crate) struct Breaker {
    unit_len: usize,
    unit: String,
    buf: String,
    limit: usize,
    max_output: usize,
    what: &'static str,
}

impl Breaker {
    /// A breaker for output appended to a `String` that currently holds `start_len` bytes.
    pub(crate) fn new(style: &Style, start_len: usize, what: &'static str) -> Breaker {
        let unit = style.indent.unit();
        Breaker {
            unit_len: unit.len(),
            unit,
            buf: String::from("\n"),
            limit: start_len.saturating_add(style.max_output),
            max_output: style.max_output,
            what,
        }
    }

    /// Appends a newline and `depth` levels of indentation, failing when the output has
    /// grown past the limit.
    pub(crate) fn newline(
        &mut self,
        out: &mut String,
        depth: usize,
    ) -> Result<(), crate::FormatError> {
        let want = depth.saturating_mul(self.unit_len).saturating_add(1);
        if out.len().saturating_add(want) > self.limit {
            return Err(self.too_large());
        }
        while self.buf.len() < want {
            self.buf.push_str(&self.unit);
        }
        out.push_str(&self.buf[..want]);
        Ok(())
    }

    /// Fails when `out` is already past the limit (for text appended without a newline).
    pub(crate) fn check(&self, out: &str) -> Result<(), crate::FormatError> {
        if out.len() > self.limit {
            Err(self.too_large())
        } else {
            Ok(())
        }
    }

    fn too_large(&self) -> crate::FormatError {
        crate::FormatError::TooLarge {
            what: self.what,
            limit: self.max_output,
        }
    }
}

/// Runs a module's `format_into` into a new string with room for `text` and `slack` more
/// bytes: the shared body of every `beautify` and `minify`.
pub(crate) fn format_to_string(
    text: &str,
    style: &Style,
    slack: usize,
    format_into: fn(&str, &Style, &mut String) -> Result<(), crate::FormatError>,
) -> Result<String, crate::FormatError> {
    let mut out = String::with_capacity(text.len() + slack);
    format_into(text, style, &mut out)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn breaker_indents_and_limits() {
        let style = Style {
            pretty: true,
            indent: Indent::Tab,
            max_output: 6,
        };
        let mut out = String::from("x");
        let mut breaker = Breaker::new(&style, out.len(), "test output");
        breaker.newline(&mut out, 2).unwrap();
        assert_eq!(out, "x\n\t\t");
        breaker.newline(&mut out, 0).unwrap();
        assert_eq!(out, "x\n\t\t\n");
        // 4 bytes appended so far; 3 more would make 7 > 6.
        let error = breaker.newline(&mut out, 2).unwrap_err();
        assert_eq!(
            error,
            crate::FormatError::TooLarge {
                what: "test output",
                limit: 6
            }
        );
    }

    #[test]
    fn offload_threshold() {
        assert!(!should_offload(BLOCKING_THRESHOLD - 1));
        assert!(should_offload(BLOCKING_THRESHOLD));
    }
}
