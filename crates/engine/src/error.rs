//! The engine's one error type.
//!
//! Every variant carries what a person needs to act on it: the URL, the address, the HTTP
//! status and body, the limit that was hit. `Display` is written for people ("server
//! answered 401 Unauthorized"), never a library's internal wording, because the CLI, the API
//! and the UI all show it as it is.

use std::fmt;

/// Broad classes of failure, so that front ends can pick an exit code or an icon without
/// matching every variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorClass {
    /// The request itself is wrong (bad URL, header, file); retrying will not help.
    InvalidRequest,
    /// DNS, TCP connect, or the server closing the socket during the handshake.
    Connect,
    /// The server answered the upgrade with something other than `101`, or redirects failed.
    HandshakeRefused,
    /// TLS could not be established (untrusted certificate, bad client key, …).
    Tls,
    /// The peer broke RFC 6455, or sent a message over the size limit.
    Protocol,
    /// A deadline passed (handshake timeout).
    Timeout,
    /// The connection dropped without a closing handshake.
    ConnectionLost,
    /// The session is not in a state where the command makes sense.
    State,
}

impl ErrorClass {
    /// The class's stable name (`handshake_refused`, …): what the API and the history show.
    pub fn name(self) -> &'static str {
        match self {
            ErrorClass::InvalidRequest => "invalid_request",
            ErrorClass::Connect => "connect",
            ErrorClass::HandshakeRefused => "handshake_refused",
            ErrorClass::Tls => "tls",
            ErrorClass::Protocol => "protocol",
            ErrorClass::Timeout => "timeout",
            ErrorClass::ConnectionLost => "connection_lost",
            ErrorClass::State => "state",
        }
    }
}

/// A failure while opening, using or closing a session.
///
/// It is `Clone` because the same error is both recorded in the session log as an event and
/// returned to whoever asked; I/O errors are therefore kept as their kind and message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EngineError {
    /// The URL does not parse.
    #[error("invalid URL {url:?}: {reason}")]
    InvalidUrl { url: String, reason: String },
    /// The URL parses but is not `ws://` or `wss://`.
    #[error("unsupported scheme {scheme:?} in {url:?}: use ws:// or wss://{hint}")]
    UnsupportedScheme {
        url: String,
        scheme: String,
        hint: &'static str,
    },
    /// A header name or value that HTTP does not allow.
    #[error("invalid header {name:?}: {reason}")]
    InvalidHeader { name: String, reason: String },
    /// A subprotocol that is not an HTTP token (RFC 6455 §4.1).
    #[error("invalid subprotocol {0:?}: it must be a non-empty token without spaces or separators")]
    InvalidSubprotocol(String),
    /// A TLS file (CA, client certificate or key) is missing or malformed.
    #[error("TLS setup: {0}")]
    TlsConfig(String),
    /// The host name did not resolve.
    #[error("could not resolve host {host:?}: {message}")]
    Resolve { host: String, message: String },
    /// TCP connect failed on every address of the host.
    #[error("could not connect to {addr}: {message}{hint}")]
    Connect {
        addr: String,
        message: String,
        hint: &'static str,
    },
    /// The TLS handshake failed.
    #[error("TLS handshake with {host} failed: {message}{hint}")]
    Tls {
        host: String,
        message: String,
        hint: &'static str,
    },
    /// The server answered the upgrade request with a non-101 status.
    #[error("server answered {status} {reason} instead of 101 Switching Protocols{}", body_suffix(.body))]
    HandshakeRejected {
        status: u16,
        reason: String,
        headers: Vec<(String, String)>,
        body: String,
        /// The upgrade request as sent: what a refusal is debugged with, as an open's
        /// handshake is (boxed: errors travel in every `Result`).
        request: Box<crate::HttpHead>,
    },
    /// A redirect was answered but following them is switched off.
    #[error(
        "server redirected ({status}) to {location} and following redirects is off (turn it on: leave out --no-follow-redirects, or pass --follow-redirects)"
    )]
    RedirectNotFollowed { status: u16, location: String },
    /// A redirect came back to a URL already visited.
    #[error("redirect loop: {url} was already visited, after {hops} redirect(s)")]
    RedirectLoop { url: String, hops: u32 },
    /// More redirects than the settings allow.
    #[error("too many redirects: more than {max} (raise --max-redirects)")]
    TooManyRedirects { max: u32 },
    /// A redirect without a usable `Location`.
    #[error("server answered {status} without a usable Location header: {message}")]
    BadRedirect { status: u16, message: String },
    /// The 101 answer broke the WebSocket handshake rules.
    #[error("invalid handshake response: {0}")]
    InvalidHandshake(String),
    /// The handshake (one hop of it) took longer than the timeout.
    #[error(
        "handshake with {url} timed out after {timeout_ms} ms {phase} ({})", timeout_hint(.phase)
    )]
    HandshakeTimeout {
        url: String,
        timeout_ms: u64,
        /// Where it stalled, as words: "while connecting (TCP)", "during the TLS handshake", ….
        phase: &'static str,
    },
    /// A received message was larger than the maximum message size.
    #[error(
        "received message of {size} bytes or more exceeds the maximum message size of {max} bytes (closed with 1009); raise --max-message-size (e.g. 256M, or 0 for unlimited)"
    )]
    MessageTooBig { size: u64, max: u64 },
    /// The peer violated the WebSocket protocol.
    #[error("protocol error: {0}")]
    Protocol(String),
    /// A text message was not valid UTF-8.
    #[error("received a text message that is not valid UTF-8 (closed with 1007)")]
    InvalidUtf8,
    /// The connection ended without a closing handshake.
    #[error("connection lost: {0}")]
    ConnectionLost(String),
    /// Nothing arrived for `timeout_ms` after a keepalive ping: the path to the server is
    /// dead or the server stopped answering.
    #[error(
        "no answer from the server within {timeout_ms} ms of a ping (the connection is dead or the server stopped answering; raise --ping-timeout to wait longer)"
    )]
    PingTimeout { timeout_ms: u64 },
    /// A close code that may not be sent (RFC 6455 §7.4).
    #[error("close code {0} may not be sent: use 1000-1003, 1007-1014 or 3000-4999")]
    InvalidCloseCode(u16),
    /// A close reason without a code: a close frame carries a reason only after a code.
    #[error(
        "a close reason needs a close code (e.g. 1000): a close frame carries a reason only after its code"
    )]
    CloseReasonWithoutCode,
    /// A close reason longer than a control frame allows.
    #[error("close reason is {0} bytes; at most 123 bytes fit in a close frame")]
    CloseReasonTooLong(usize),
    /// A ping or pong payload longer than a control frame allows.
    #[error("{kind} payload is {len} bytes; control frames carry at most 125 bytes")]
    ControlPayloadTooLong { kind: &'static str, len: usize },
    /// No session has this id.
    #[error("no session with id {0}")]
    UnknownSession(u64),
    /// The session is not open, so nothing can be sent.
    #[error("session is {state}, not open: {action} needs an open connection")]
    NotOpen {
        state: &'static str,
        action: &'static str,
    },
    /// Another I/O failure.
    #[error("I/O error: {0}")]
    Io(String),
}

/// What to try after a handshake timeout. Stalling in TLS is what a `wss://` URL to a plain
/// WebSocket server looks like (it waits for an HTTP request that never comes), so that is
/// named before a longer timeout.
fn timeout_hint(phase: &str) -> &'static str {
    if phase.contains("TLS") {
        "a plain ws:// server never answers a TLS hello: if this one is, use ws://; else raise --handshake-timeout (in ms), or set it to 0 for none"
    } else {
        "raise --handshake-timeout (in ms), or set it to 0 for none"
    }
}

/// The rejection's body for the one-line message: an HTML error page as its text (tags
/// dropped), whitespace collapsed, at most [`BODY_IN_MESSAGE`] characters. The whole body is
/// still in the error's `body` field.
fn body_suffix(body: &str) -> String {
    let body = body.trim();
    let text = if body.starts_with('<') {
        html_text(body)
    } else {
        body.to_owned()
    };
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut line = words.join(" ");
    if line.is_empty() {
        return String::new();
    }
    if let Some((cut, _)) = line.char_indices().nth(BODY_IN_MESSAGE) {
        line.truncate(cut);
        line.push('…');
    }
    format!(": {line}")
}

/// How much of a rejection's body its message shows.
const BODY_IN_MESSAGE: usize = 200;

/// The text of an HTML page: what is outside tags, without `<head>`'s and `<script>`'s and
/// `<style>`'s contents (a page's title usually repeats its heading, so it goes too).
fn html_text(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    let mut skip_until: Option<&str> = None;
    while let Some(open) = rest.find('<') {
        if skip_until.is_none() {
            out.push_str(&rest[..open]);
            out.push(' ');
        }
        let Some(close) = rest[open..].find('>') else {
            break;
        };
        let tag = rest[open + 1..open + close].to_ascii_lowercase();
        let name = tag.split([' ', '/']).find(|s| !s.is_empty()).unwrap_or("");
        match skip_until {
            Some(end) if tag.starts_with('/') && name == end => skip_until = None,
            Some(_) => {}
            None if matches!(name, "head" | "script" | "style") && !tag.starts_with('/') => {
                skip_until = Some(match name {
                    "head" => "head",
                    "script" => "script",
                    _ => "style",
                });
            }
            None => {}
        }
        rest = &rest[open + close + 1..];
    }
    if skip_until.is_none() {
        out.push_str(rest);
    }
    out.replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

impl EngineError {
    /// The broad class of this error.
    pub fn class(&self) -> ErrorClass {
        use EngineError::*;
        match self {
            InvalidUrl { .. }
            | UnsupportedScheme { .. }
            | InvalidHeader { .. }
            | InvalidSubprotocol(_)
            | TlsConfig(_)
            | InvalidCloseCode(_)
            | CloseReasonWithoutCode
            | CloseReasonTooLong(_)
            | ControlPayloadTooLong { .. } => ErrorClass::InvalidRequest,
            Resolve { .. } | Connect { .. } | Io(_) => ErrorClass::Connect,
            Tls { .. } => ErrorClass::Tls,
            HandshakeRejected { .. }
            | RedirectNotFollowed { .. }
            | RedirectLoop { .. }
            | TooManyRedirects { .. }
            | BadRedirect { .. }
            | InvalidHandshake(_) => ErrorClass::HandshakeRefused,
            HandshakeTimeout { .. } => ErrorClass::Timeout,
            MessageTooBig { .. } | Protocol(_) | InvalidUtf8 => ErrorClass::Protocol,
            ConnectionLost(_) | PingTimeout { .. } => ErrorClass::ConnectionLost,
            UnknownSession(_) | NotOpen { .. } => ErrorClass::State,
        }
    }

    /// Whether trying the same request again later could succeed. Reconnection only retries
    /// these: a bad URL or an untrusted certificate will not fix itself.
    pub fn is_transient(&self) -> bool {
        match self {
            EngineError::HandshakeRejected { status, .. } => *status >= 500 || *status == 429,
            other => {
                matches!(
                    other.class(),
                    ErrorClass::Connect | ErrorClass::Timeout | ErrorClass::ConnectionLost
                ) || matches!(other, EngineError::InvalidHandshake(_))
            }
        }
    }
}

impl fmt::Display for ErrorClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ErrorClass::InvalidRequest => "invalid request",
            ErrorClass::Connect => "could not connect",
            ErrorClass::HandshakeRefused => "handshake refused",
            ErrorClass::Tls => "TLS failure",
            ErrorClass::Protocol => "protocol error",
            ErrorClass::Timeout => "timeout",
            ErrorClass::ConnectionLost => "connection lost",
            ErrorClass::State => "invalid state",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_html_error_page_is_shown_as_its_text_in_one_short_line() {
        let page = "<!DOCTYPE html>\n<html><head><title>Error response</title>\n<style>p {}</style></head>\n<body>\n<h1>Error response</h1>\n<p>Error code: 404</p>\n<p>Message: File not found &amp; gone.</p>\n</body></html>\n";
        assert_eq!(
            body_suffix(page),
            ": Error response Error code: 404 Message: File not found & gone."
        );
        assert_eq!(body_suffix("plain\n  text "), ": plain text");
        assert_eq!(body_suffix("  "), "");
        let long = body_suffix(&"word ".repeat(100));
        assert_eq!(long.chars().count(), 2 + BODY_IN_MESSAGE + 1, "{long}");
        assert!(long.ends_with('…'));
    }
}
