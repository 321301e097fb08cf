//! Turning a typed or piped line into a message: `{{variables}}` substituted, then the line
//! checked or decoded as `--send-format` says (JSON validated, XML checked, hex and base64
//! decoded into binary).

use std::sync::Arc;

use clap::ValueEnum;
use wsdeck_engine::{ByteString, Bytes, Payload};
use wsdeck_format::binary;
use wsdeck_format::dynamic::SystemSource;
use wsdeck_format::resolve::Resolver;
use wsdeck_format::{html, json, xml};

use crate::vars::Variables;

/// How an outgoing line is read (`--send-format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SendFormat {
    /// As it is.
    Text,
    /// Must be valid JSON; an invalid line is not sent.
    Json,
    /// Must be well-formed XML; an invalid line is not sent.
    Xml,
    /// HTML; problems are reported as warnings and the line is sent.
    Html,
    /// Hex digits (spaces, 0x and : , - separators allowed), sent as a binary message.
    Hex,
    /// Base64 (standard or URL-safe), sent as a binary message.
    Base64,
}

impl SendFormat {
    pub fn name(self) -> &'static str {
        match self {
            SendFormat::Text => "text",
            SendFormat::Json => "json",
            SendFormat::Xml => "xml",
            SendFormat::Html => "html",
            SendFormat::Hex => "hex",
            SendFormat::Base64 => "base64",
        }
    }
}

/// How lines become messages: the part of a session's config the composer is built from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ComposeConfig {
    /// Substitute `{{…}}` in messages (off with --no-vars, and for raw binary stdin, whose
    /// bytes must reach the server unchanged).
    pub templates: bool,
    /// How each line is read (`--send-format`).
    pub format: SendFormat,
    /// Text formats go out as binary frames (--binary).
    pub binary: bool,
}

impl ComposeConfig {
    /// Text as typed, `{{variables}}` substituted: `wsdeck run`'s start (each saved message
    /// then sets its own format).
    pub fn text() -> Self {
        ComposeConfig {
            templates: true,
            format: SendFormat::Text,
            binary: false,
        }
    }
}

/// Builds messages from lines.
#[derive(Debug)]
pub struct Composer {
    variables: Arc<Variables>,
    /// Substitute `{{…}}` in messages (off with --no-vars).
    templates: bool,
    pub format: SendFormat,
    /// Text formats go out as binary frames (--binary).
    binary: bool,
    source: SystemSource,
}

/// A line that was not sent, and why (already worded; warnings are sent anyway).
#[derive(Debug, PartialEq, Eq)]
pub enum Composed {
    Send(Payload),
    /// Sent, with warnings to show.
    SendWithWarnings(Payload, Vec<String>),
    Refused(String),
}

/// Who hears what became of a composed message, in its own words: the pipe names the stdin
/// line or `-x` message, `wsdeck run` the saved message, the prompt nothing. A refusal is
/// also what a caller counts for its exit code.
pub trait ComposeReport {
    /// The message is sent, but `warning` is worth saying (HTML problems).
    fn warning(&self, warning: &str);
    /// The message is not sent, because of `why`.
    fn refused(&self, why: &str);
}

impl Composed {
    /// The payload to send, if any; warnings and the refusal go to `report`. The one place
    /// every front end (pipe, `wsdeck run`, interactive) turns a composed line into a send.
    pub fn into_payload(self, report: &impl ComposeReport) -> Option<Payload> {
        match self {
            Composed::Send(payload) => Some(payload),
            Composed::SendWithWarnings(payload, warnings) => {
                for w in &warnings {
                    report.warning(w);
                }
                Some(payload)
            }
            Composed::Refused(why) => {
                report.refused(&why);
                None
            }
        }
    }
}

impl Composer {
    pub fn new(variables: Arc<Variables>, config: ComposeConfig) -> Self {
        Composer {
            variables,
            templates: config.templates,
            format: config.format,
            binary: config.binary,
            source: SystemSource::new(),
        }
    }

    /// The message for one line of bytes (a stdin line).
    pub fn compose_bytes(&mut self, line: Bytes) -> Composed {
        let plain = self.format == SendFormat::Text
            && (!self.templates || memchr::memmem::find(&line, b"{{").is_none());
        if plain && self.binary {
            return Composed::Send(Payload::Binary(line));
        }
        let len = line.len();
        match ByteString::try_from(line.clone()) {
            Ok(text) if plain => Composed::Send(Payload::Text(text)),
            Ok(text) => self.compose(&text),
            // Raw bytes for a binary message: nothing to substitute in or check.
            Err(_) if self.binary && self.format == SendFormat::Text => {
                Composed::Send(Payload::Binary(line))
            }
            Err(_) => Composed::Refused(format!(
                "not UTF-8 text ({len} byte{}), so it cannot be read as {}; use --binary without --send-format to send raw bytes",
                if len == 1 { "" } else { "s" },
                self.format.name()
            )),
        }
    }

    /// `text` with its `{{variables}}` substituted (unless --no-vars); `field` names it in
    /// errors. For command arguments (`/ping {{x}}`) as well as messages.
    pub fn substitute(&mut self, field: &str, text: &str) -> Result<String, String> {
        if !self.templates || !text.contains("{{") {
            return Ok(text.to_owned());
        }
        let mut resolver = Resolver::new(self.variables.scopes(), &mut self.source);
        match resolver.resolve(field, text) {
            Ok(resolved) => Ok(resolved.into_parts().0),
            Err(e) => Err(self.variables.explain(&e)),
        }
    }

    /// The message for one line of text.
    pub fn compose(&mut self, line: &str) -> Composed {
        let text = match self.substitute("message", line) {
            Ok(text) => text,
            Err(why) => return Composed::Refused(why),
        };
        let as_text = |text: String, binary: bool| {
            if binary {
                Payload::Binary(Bytes::from(text.into_bytes()))
            } else {
                Payload::text(text)
            }
        };
        match self.format {
            SendFormat::Text => Composed::Send(as_text(text, self.binary)),
            SendFormat::Json => match json::validate(&text) {
                Ok(()) => Composed::Send(as_text(text, self.binary)),
                Err(e) => Composed::Refused(e.to_string()),
            },
            SendFormat::Xml => match xml::validate(&text) {
                Ok(()) => Composed::Send(as_text(text, self.binary)),
                Err(e) => Composed::Refused(e.to_string()),
            },
            SendFormat::Html => {
                let warnings: Vec<String> =
                    html::check(&text).iter().map(ToString::to_string).collect();
                let payload = as_text(text, self.binary);
                if warnings.is_empty() {
                    Composed::Send(payload)
                } else {
                    Composed::SendWithWarnings(payload, warnings)
                }
            }
            SendFormat::Hex => match binary::decode_hex(&text) {
                Ok(bytes) => Composed::Send(Payload::binary(bytes)),
                Err(e) => Composed::Refused(e.to_string()),
            },
            SendFormat::Base64 => match binary::decode_base64(&text) {
                Ok(bytes) => Composed::Send(Payload::binary(bytes)),
                Err(e) => Composed::Refused(e.to_string()),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wsdeck_format::environment::Variable;

    fn composer(format: SendFormat) -> Composer {
        let vars = Variables {
            local: vec![Variable::new("name", "wsdeck")],
            ..Variables::default()
        };
        Composer::new(
            Arc::new(vars),
            ComposeConfig {
                format,
                ..ComposeConfig::text()
            },
        )
    }

    fn sent(c: Composed) -> Payload {
        match c {
            Composed::Send(p) => p,
            other => panic!("expected a message, got {other:?}"),
        }
    }

    fn refused(c: Composed) -> String {
        match c {
            Composed::Refused(why) => why,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn variables_are_substituted_before_the_format_check() {
        let mut c = composer(SendFormat::Json);
        assert_eq!(
            sent(c.compose(r#"{"hello": "{{name}}"}"#)),
            Payload::text(r#"{"hello": "wsdeck"}"#)
        );
        let why = refused(c.compose(r#"{"hello": {{missing}}}"#));
        assert!(why.contains("missing"), "{why}");
        let why = refused(c.compose(r#"{"hello": }"#));
        assert!(
            why.contains("invalid JSON") && why.contains("column"),
            "{why}"
        );
    }

    #[test]
    fn hex_and_base64_become_binary_and_bad_digits_are_refused() {
        let mut hex = composer(SendFormat::Hex);
        assert_eq!(
            sent(hex.compose("0x48 65:6c")),
            Payload::binary(b"Hel".to_vec())
        );
        let why = refused(hex.compose("48 6g"));
        assert!(why.contains("`g`") && why.contains("hex digit"), "{why}");
        let mut b64 = composer(SendFormat::Base64);
        assert_eq!(sent(b64.compose("SGVs")), Payload::binary(b"Hel".to_vec()));
        assert!(refused(b64.compose("SG*s")).contains("base64"));
    }

    #[test]
    fn xml_is_checked_and_html_only_warns() {
        let mut xml = composer(SendFormat::Xml);
        assert_eq!(
            sent(xml.compose("<a><b/></a>")),
            Payload::text("<a><b/></a>")
        );
        assert!(refused(xml.compose("<a><b></a>")).contains("XML"));
        let mut html = composer(SendFormat::Html);
        match html.compose("<div><span></div>") {
            Composed::SendWithWarnings(p, warnings) => {
                assert_eq!(p, Payload::text("<div><span></div>"));
                assert!(!warnings.is_empty());
            }
            other => panic!("expected warnings, got {other:?}"),
        }
    }

    #[test]
    fn plain_lines_pass_through_and_no_vars_keeps_braces() {
        let mut c = composer(SendFormat::Text);
        assert_eq!(
            sent(c.compose_bytes(Bytes::from_static(b"plain"))),
            Payload::text("plain")
        );
        let mut raw = Composer::new(
            Arc::new(Variables::default()),
            ComposeConfig {
                templates: false,
                ..ComposeConfig::text()
            },
        );
        assert_eq!(
            sent(raw.compose_bytes(Bytes::from_static(b"{{x}}"))),
            Payload::text("{{x}}")
        );
        assert!(refused(c.compose_bytes(Bytes::from_static(b"\xff\xfe"))).contains("--binary"));
        let mut binary = Composer::new(
            Arc::new(Variables::default()),
            ComposeConfig {
                binary: true,
                ..ComposeConfig::text()
            },
        );
        assert_eq!(
            sent(binary.compose_bytes(Bytes::from_static(b"\xff{{x}}"))),
            Payload::binary(b"\xff{{x}}".to_vec()),
            "raw bytes with --binary are sent as they are"
        );
    }

    /// What a report heard, in order.
    #[derive(Default)]
    struct Heard(std::cell::RefCell<Vec<String>>);

    impl ComposeReport for Heard {
        fn warning(&self, warning: &str) {
            self.0.borrow_mut().push(format!("warning: {warning}"));
        }

        fn refused(&self, why: &str) {
            self.0.borrow_mut().push(format!("refused: {why}"));
        }
    }

    #[test]
    fn into_payload_sends_with_warnings_and_reports_refusals() {
        let heard = Heard::default();
        assert_eq!(
            Composed::Send(Payload::text("a")).into_payload(&heard),
            Some(Payload::text("a"))
        );
        assert_eq!(
            Composed::SendWithWarnings(Payload::text("b"), vec!["w1".into(), "w2".into()])
                .into_payload(&heard),
            Some(Payload::text("b"))
        );
        assert_eq!(Composed::Refused("bad".into()).into_payload(&heard), None);
        assert_eq!(
            heard.0.into_inner(),
            ["warning: w1", "warning: w2", "refused: bad"]
        );
    }
}
