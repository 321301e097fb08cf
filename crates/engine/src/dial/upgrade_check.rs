//! The client's checks on the server's `101 Switching Protocols` answer: every MUST of
//! RFC 6455 §4.1 (what a client requires of the server's handshake) and the header rules of
//! §11.3 (which headers may appear once only, and what their values look like).
//!
//! A broken answer fails the connection with one sentence that says what the server sent,
//! which rule it breaks, and that the server is at fault — a developer reading it should know
//! at once that no flag of theirs will fix it.

use http::header::{self, HeaderName};
use http::{HeaderMap, Version};

use crate::error::EngineError;

/// What the server agreed to, once its answer passed every check.
#[derive(Debug)]
pub(crate) struct Accepted {
    /// The subprotocol the server chose, if any.
    pub protocol: Option<String>,
    /// Extensions in use: always empty, since this client offers none.
    pub extensions: Vec<String>,
}

/// What this client asked for, to hold the answer against.
pub(crate) struct Offer<'a> {
    /// The expected `Sec-WebSocket-Accept` value (computed from our `Sec-WebSocket-Key`).
    pub expected_accept: &'a str,
    /// Subprotocols offered in `Sec-WebSocket-Protocol`, in order.
    pub protocols: &'a [String],
    /// The request carried a `Sec-WebSocket-Extensions` header the user added by hand (the
    /// engine itself offers none and implements none).
    pub extensions_by_hand: bool,
}

/// A header the checks read: its name, and its name as the RFC writes it (for messages).
struct Checked {
    name: HeaderName,
    shown: &'static str,
}

const UPGRADE: Checked = Checked {
    name: header::UPGRADE,
    shown: "Upgrade",
};
const CONNECTION: Checked = Checked {
    name: header::CONNECTION,
    shown: "Connection",
};
const ACCEPT: Checked = Checked {
    name: header::SEC_WEBSOCKET_ACCEPT,
    shown: "Sec-WebSocket-Accept",
};
const EXTENSIONS: Checked = Checked {
    name: header::SEC_WEBSOCKET_EXTENSIONS,
    shown: "Sec-WebSocket-Extensions",
};
const PROTOCOL: Checked = Checked {
    name: header::SEC_WEBSOCKET_PROTOCOL,
    shown: "Sec-WebSocket-Protocol",
};

/// Longest part of a header value quoted in an error (a hostile server could send kilobytes).
const MAX_QUOTED: usize = 120;

/// RFC 6455 §4.1 and §11.3 on a 101 answer's version and headers.
pub(crate) fn check_upgrade(
    version: Version,
    headers: &HeaderMap,
    offer: &Offer<'_>,
) -> Result<Accepted, EngineError> {
    check_version(version)?;
    check_upgrade_header(headers)?;
    check_connection_header(headers)?;
    check_accept(headers, offer.expected_accept)?;
    check_no_extensions(headers, offer.extensions_by_hand)?;
    let protocol = check_protocol(headers, offer.protocols)?;
    Ok(Accepted {
        protocol,
        extensions: Vec::new(),
    })
}

/// The failure for a rule the server broke: what it sent, the rule, and whose fault it is.
fn server_broke(sent: &str, rule: &str) -> EngineError {
    EngineError::InvalidHandshake(format!(
        "the server sent {sent}, but {rule}; the server is at fault (its WebSocket handshake is broken), not this request: fix the server, or check that the URL is its WebSocket endpoint"
    ))
}

fn check_version(version: Version) -> Result<(), EngineError> {
    if version == Version::HTTP_11 {
        return Ok(());
    }
    let shown = match version {
        Version::HTTP_09 => "HTTP/0.9",
        Version::HTTP_10 => "HTTP/1.0",
        Version::HTTP_2 => "HTTP/2",
        Version::HTTP_3 => "HTTP/3",
        _ => "another HTTP version",
    };
    Err(server_broke(
        &format!("its 101 answer as {shown}"),
        "the WebSocket handshake is HTTP/1.1 (RFC 6455 §4.1: \"HTTP/1.1 101\")",
    ))
}

/// §4.1 item 2: exactly one `Upgrade`, an ASCII case-insensitive match for "websocket".
fn check_upgrade_header(headers: &HeaderMap) -> Result<(), EngineError> {
    let rule = "RFC 6455 §4.1 requires one \"Upgrade: websocket\" header (any letter case) in a 101 answer";
    let value = single_value(headers, &UPGRADE, rule)?;
    match value {
        None => Err(server_broke("a 101 answer without an Upgrade header", rule)),
        Some(v) if v.trim().eq_ignore_ascii_case("websocket") => Ok(()),
        Some(v) => Err(server_broke(&quote_header("Upgrade", &v), rule)),
    }
}

/// §4.1 item 3: `Connection` holds the token "Upgrade" (any case); it is a comma-separated
/// list and may be split over several header lines (RFC 9110 §5.3).
fn check_connection_header(headers: &HeaderMap) -> Result<(), EngineError> {
    let rule = "RFC 6455 §4.1 requires a Connection header whose comma-separated list holds the token \"Upgrade\" (any letter case)";
    let values = all_values(headers, &CONNECTION, rule)?;
    if values.is_empty() {
        return Err(server_broke(
            "a 101 answer without a Connection header",
            rule,
        ));
    }
    let has_upgrade = values
        .iter()
        .flat_map(|v| v.split(','))
        .any(|token| token.trim().eq_ignore_ascii_case("upgrade"));
    if has_upgrade {
        Ok(())
    } else {
        Err(server_broke(
            &quote_header("Connection", &values.join(", ")),
            rule,
        ))
    }
}

/// §4.1 item 4 and §11.3.3: one `Sec-WebSocket-Accept`, exactly the value computed from this
/// request's key.
fn check_accept(headers: &HeaderMap, expected: &str) -> Result<(), EngineError> {
    let rule = format!(
        "RFC 6455 §4.1 requires one Sec-WebSocket-Accept header equal to \"{expected}\", computed from this request's Sec-WebSocket-Key as §4.2.2 says"
    );
    match single_value(headers, &ACCEPT, &rule)? {
        None => Err(server_broke(
            "a 101 answer without a Sec-WebSocket-Accept header",
            &rule,
        )),
        Some(v) if v == expected => Ok(()),
        Some(v) => Err(server_broke(
            &quote_header("Sec-WebSocket-Accept", &v),
            &rule,
        )),
    }
}

/// §4.1 item 5: an extension the client did not offer fails the connection; this client
/// offers none, so any `Sec-WebSocket-Extensions` header (even an empty one) does. When the
/// user offered one by hand, the server only accepted it: the connection still cannot be
/// used (wsdeck implements no extension), and the message says so without blaming the server.
fn check_no_extensions(headers: &HeaderMap, by_hand: bool) -> Result<(), EngineError> {
    let rule = "RFC 6455 §4.1 allows only extensions the client offered, and this client offered none (no Sec-WebSocket-Extensions in its request)";
    let values = all_values(headers, &EXTENSIONS, rule)?;
    if values.is_empty() {
        return Ok(());
    }
    let sent = quote_header("Sec-WebSocket-Extensions", &values.join(", "));
    if by_hand {
        return Err(EngineError::InvalidHandshake(format!(
            "the server accepted {sent}, offered by a Sec-WebSocket-Extensions header added to this request; wsdeck implements no WebSocket extension, so it cannot use this connection: remove that header"
        )));
    }
    Err(server_broke(&sent, rule))
}

/// §4.1 item 6 and §11.3.4: at most one `Sec-WebSocket-Protocol`, naming one token, one the
/// client offered. Leaving it out is allowed: the connection then has no subprotocol.
fn check_protocol(headers: &HeaderMap, offered: &[String]) -> Result<Option<String>, EngineError> {
    let rule = if offered.is_empty() {
        "RFC 6455 §4.1 allows a Sec-WebSocket-Protocol answer only when the client offered subprotocols, and this request offered none".to_owned()
    } else {
        format!(
            "RFC 6455 §4.1 and §11.3.4 allow at most one Sec-WebSocket-Protocol header naming one of the offered subprotocols ({})",
            offered
                .iter()
                .map(|p| format!("\"{p}\""))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let Some(value) = single_value(headers, &PROTOCOL, &rule)? else {
        return Ok(None);
    };
    let chosen = value.trim();
    if chosen.contains(',') {
        return Err(server_broke(
            &format!(
                "{}, a list of several subprotocols",
                quote_header("Sec-WebSocket-Protocol", &value)
            ),
            &format!("the server must choose exactly one; {rule}"),
        ));
    }
    if !offered.iter().any(|p| p == chosen) {
        return Err(server_broke(
            &quote_header("Sec-WebSocket-Protocol", &value),
            &rule,
        ));
    }
    Ok(Some(chosen.to_owned()))
}

/// The one value of a header that §11.3 (or §4.1) allows only once: `None` when absent; an
/// error when repeated or not text.
fn single_value(
    headers: &HeaderMap,
    header: &Checked,
    rule: &str,
) -> Result<Option<String>, EngineError> {
    let values = all_values(headers, header, rule)?;
    match values.len() {
        0 => Ok(None),
        1 => Ok(values.into_iter().next()),
        n => Err(server_broke(
            &format!(
                "{n} {} headers ({})",
                header.shown,
                values
                    .iter()
                    .map(|v| quote_value(v))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            &format!(
                "RFC 6455 §11.3 allows {} only once in an answer; {rule}",
                header.shown
            ),
        )),
    }
}

/// Every value of a header, in order; a value that is not visible ASCII text (§11.3: these
/// headers hold tokens and base64) is a failure naming the header.
fn all_values(
    headers: &HeaderMap,
    header: &Checked,
    rule: &str,
) -> Result<Vec<String>, EngineError> {
    headers
        .get_all(&header.name)
        .iter()
        .map(|value| {
            let bytes = value.as_bytes();
            if bytes
                .iter()
                .all(|b| (0x20..0x7f).contains(b) || *b == b'\t')
            {
                Ok(String::from_utf8_lossy(bytes).into_owned())
            } else {
                Err(server_broke(
                    &format!(
                        "\"{}: {}\", which is not ASCII text",
                        header.shown,
                        shorten(bytes)
                    ),
                    rule,
                ))
            }
        })
        .collect()
}

/// `Name: "value"`, the value escaped and shortened.
fn quote_header(name: &str, value: &str) -> String {
    format!("\"{name}: {}\"", shorten(value.as_bytes()))
}

fn quote_value(value: &str) -> String {
    format!("\"{}\"", shorten(value.as_bytes()))
}

/// The value escaped (see [`escape_bytes`]) and cut at [`MAX_QUOTED`] characters.
fn shorten(value: &[u8]) -> String {
    let escaped = escape_bytes(value);
    match escaped.char_indices().nth(MAX_QUOTED) {
        Some((cut, _)) => format!("{}…", &escaped[..cut]),
        None => escaped,
    }
}

/// Printable ASCII as is; everything else as `\xNN`, so nothing the server sends reaches a
/// terminal raw.
fn escape_bytes(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes.iter().take(MAX_QUOTED * 4) {
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            0x20..=0x7e => out.push(char::from(b)),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn headers(pairs: &[(&str, &[u8])]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                HeaderName::from_bytes(name.as_bytes()).unwrap_or_else(|e| panic!("{e}")),
                HeaderValue::from_bytes(value).unwrap_or_else(|e| panic!("{e}")),
            );
        }
        map
    }

    fn offer<'a>(protocols: &'a [String]) -> Offer<'a> {
        Offer {
            expected_accept: "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
            protocols,
            extensions_by_hand: false,
        }
    }

    const GOOD: [(&str, &[u8]); 3] = [
        ("upgrade", b"WebSocket"),
        ("connection", b"keep-alive, UPGRADE"),
        ("sec-websocket-accept", b"s3pPLMBiTxaQ9kYGzzhZRbK+xOo="),
    ];

    #[test]
    fn a_conforming_answer_passes_with_any_letter_case() {
        let accepted = check_upgrade(Version::HTTP_11, &headers(&GOOD), &offer(&[]))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(accepted.protocol, None);
    }

    #[test]
    fn non_ascii_values_are_escaped_in_the_message() {
        let mut pairs = GOOD.to_vec();
        pairs[0] = ("upgrade", b"web\x9b31msocket");
        let err = check_upgrade(Version::HTTP_11, &headers(&pairs), &offer(&[]))
            .expect_err("a C1 control byte is not websocket");
        let text = err.to_string();
        assert!(text.contains("web\\x9b31msocket"), "{text}");
        assert!(!text.contains('\u{9b}'), "{text}");
    }

    #[test]
    fn long_values_are_shortened() {
        let long = vec![b'a'; 10_000];
        let mut pairs = GOOD.to_vec();
        pairs[0] = ("upgrade", &long);
        let err = check_upgrade(Version::HTTP_11, &headers(&pairs), &offer(&[]))
            .expect_err("not websocket");
        assert!(err.to_string().len() < 1000, "{err}");
    }
}
