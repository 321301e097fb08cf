//! Keeping secrets out of what the CLI prints.
//!
//! A secret reaches the screen in many shapes: as typed, lowercased (URL hosts), escaped
//! inside JSON, percent-encoded in a URL, as the Basic credentials built from
//! `user:password@`, and — in binary messages — as the bytes its hex or base64 text decodes
//! to. The redactor knows all of these shapes. Text is swept (`****` in place of each
//! occurrence); message payloads are redacted before they are rendered, so hexdumps and the
//! base64 of binary data in `--jsonl` are covered too.

use std::borrow::Cow;

use base64::Engine as _;
use serde_json::Value;
use wsdeck_engine::{Bytes, Event, EventKind, Payload};
use wsdeck_format::environment::REDACTED;

/// Secrets that are shorter than this are still hidden, but with a warning: every occurrence
/// of two letters in the output becomes `****`.
pub const SHORT_SECRET: usize = 4;

/// Replaces secrets in text and payloads that are about to be printed.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    /// Text shapes, longest first, so a secret containing another is replaced whole.
    text: Vec<String>,
    /// Byte shapes for binary payloads (text shapes plus hex/base64 decodings).
    bytes: Vec<Vec<u8>>,
}

impl Redactor {
    /// A redactor for these secret values (empty ones are ignored).
    pub fn new<'a>(secrets: impl IntoIterator<Item = &'a str>) -> Redactor {
        let mut text: Vec<String> = Vec::new();
        let mut bytes: Vec<Vec<u8>> = Vec::new();
        for secret in secrets.into_iter().filter(|s| !s.is_empty()) {
            let shapes = wsdeck_api::secret_shapes(secret);
            text.extend(shapes);
            if let Ok(decoded) = hex::decode(secret.split_whitespace().collect::<String>()) {
                bytes.push(decoded);
            }
            for engine in [
                &base64::engine::general_purpose::STANDARD,
                &base64::engine::general_purpose::URL_SAFE,
            ] {
                if let Ok(decoded) = engine.decode(secret.trim()) {
                    bytes.push(decoded);
                }
            }
        }
        text.sort_by_key(|p| std::cmp::Reverse(p.len()));
        text.dedup();
        bytes.extend(text.iter().map(|t| t.as_bytes().to_vec()));
        // Decoded shapes of a couple of bytes would mask noise all over binary data.
        bytes.retain(|b| b.len() >= 2);
        bytes.sort_by_key(|p| std::cmp::Reverse(p.len()));
        bytes.dedup();
        Redactor { text, bytes }
    }

    /// Adds the credentials of `user:password@` in a URL, as they appear in the Basic
    /// `Authorization` header the engine builds from them.
    pub fn with_url_credentials(mut self, url: &str) -> Redactor {
        let Some(credentials) = url::Url::parse(url)
            .ok()
            .as_ref()
            .and_then(wsdeck_engine::url_credentials)
        else {
            return self;
        };
        let mut extra = vec![credentials.basic];
        if !credentials.password.is_empty() {
            extra.push(credentials.password);
        }
        let mut merged = Redactor::new(extra.iter().map(String::as_str));
        merged.text.append(&mut self.text);
        merged.bytes.append(&mut self.bytes);
        merged.text.sort_by_key(|p| std::cmp::Reverse(p.len()));
        merged.bytes.sort_by_key(|p| std::cmp::Reverse(p.len()));
        merged
    }

    /// Whether there is anything to redact (no secrets: output passes untouched).
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// `text` with every secret replaced by `****`.
    pub fn redact<'t>(&self, text: &'t str) -> Cow<'t, str> {
        let mut out = Cow::Borrowed(text);
        for pattern in &self.text {
            if out.contains(pattern.as_str()) {
                out = Cow::Owned(out.replace(pattern.as_str(), REDACTED));
            }
        }
        out
    }

    /// `bytes` with every byte of every secret occurrence replaced by `*` (same length, so a
    /// hexdump's offsets stay true).
    pub fn mask_bytes<'b>(&self, bytes: &'b [u8]) -> Cow<'b, [u8]> {
        let mut out = Cow::Borrowed(bytes);
        for pattern in &self.bytes {
            let starts: Vec<usize> = memchr::memmem::find_iter(&out, pattern).collect();
            if !starts.is_empty() {
                let owned = out.to_mut();
                for start in starts {
                    owned[start..start + pattern.len()].fill(b'*');
                }
            }
        }
        out
    }

    /// The event with its payload redacted (text swept, binary masked), or `None` when it
    /// carries nothing to redact.
    pub fn redact_event(&self, event: &Event) -> Option<Event> {
        // Copied only when something changes: most events pass through untouched.
        let mut copy;
        match &event.kind {
            EventKind::Message { payload, .. } => {
                let redacted = self.redact_payload(payload)?;
                copy = event.clone();
                if let EventKind::Message { payload, .. } = &mut copy.kind {
                    *payload = redacted;
                }
            }
            EventKind::Ping { payload, .. } | EventKind::Pong { payload, .. } => {
                let Cow::Owned(masked) = self.mask_bytes(payload) else {
                    return None;
                };
                copy = event.clone();
                if let EventKind::Ping { payload, .. } | EventKind::Pong { payload, .. } =
                    &mut copy.kind
                {
                    *payload = Bytes::from(masked);
                }
            }
            _ => return None,
        }
        Some(copy)
    }

    fn redact_payload(&self, payload: &Payload) -> Option<Payload> {
        match payload {
            Payload::Text(t) => match self.redact(t) {
                Cow::Borrowed(_) => None,
                Cow::Owned(s) => Some(Payload::text(s)),
            },
            Payload::Binary(b) => match self.mask_bytes(b) {
                Cow::Borrowed(_) => None,
                Cow::Owned(v) => Some(Payload::binary(v)),
            },
        }
    }

    /// Redacts every string inside a JSON value (the `--jsonl` line before it is written).
    pub fn redact_json(&self, value: &mut Value) {
        match value {
            Value::String(s) => {
                if let Cow::Owned(r) = self.redact(s) {
                    *s = r;
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|v| self.redact_json(v)),
            Value::Object(map) => map.values_mut().for_each(|v| self.redact_json(v)),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shape_of_a_secret_is_swept() {
        let r = Redactor::new(["p@ss w/rd&x=1\"Q"]);
        for shape in [
            "p@ss w/rd&x=1\"Q",
            "p@ss w/rd&x=1\"q",
            "p@ss w/rd&x=1\\\"Q",
            "p@ss%20w/rd&x=1%22Q",
            "p%40ss+w%2Frd%26x%3D1%22Q",
        ] {
            let line = format!("before {shape} after");
            assert_eq!(r.redact(&line), "before **** after", "shape {shape:?}");
        }
    }

    #[test]
    fn a_secret_in_a_header_name_is_swept_as_the_handshake_title_cases_it() {
        let r = Redactor::new(["S3cr3tTok-xY"]);
        for name in ["X-S3cr3ttok-Xy", "X-As3cr3ttok-Xy", "x-s3cr3ttok-xy"] {
            assert!(
                !r.redact(name).contains("3cr3t"),
                "{name} -> {}",
                r.redact(name)
            );
        }
    }

    #[test]
    fn short_secrets_are_swept_too() {
        assert_eq!(Redactor::new(["ab"]).redact("x ab y"), "x **** y");
        assert!(Redactor::new([""]).is_empty());
    }

    #[test]
    fn binary_payloads_are_masked_including_decoded_hex_and_base64() {
        let r = Redactor::new(["deadbeef", "U3VwZXI="]);
        assert_eq!(
            &*r.mask_bytes(b"\x01\xde\xad\xbe\xef\x02 Super"),
            b"\x01****\x02 *****"
        );
        assert_eq!(&*r.mask_bytes(b"say deadbeef"), b"say ********");
    }

    #[test]
    fn url_credentials_become_secrets() {
        let r = Redactor::default().with_url_credentials("ws://bob:hunter2@127.0.0.1:1/");
        let basic = base64::engine::general_purpose::STANDARD.encode("bob:hunter2");
        assert_eq!(
            r.redact(&format!("Authorization: Basic {basic}")),
            "Authorization: Basic ****"
        );
        assert_eq!(r.redact("pw hunter2"), "pw ****");
        assert!(
            Redactor::default()
                .with_url_credentials("ws://127.0.0.1:1/")
                .is_empty()
        );
    }

    #[test]
    fn json_values_are_redacted_at_every_depth() {
        let r = Redactor::new(["s3cret"]);
        let mut v =
            serde_json::json!({"url": "ws://h/?t=s3cret", "h": [["a", "x s3cret"]], "n": 1});
        r.redact_json(&mut v);
        assert_eq!(
            v,
            serde_json::json!({"url": "ws://h/?t=****", "h": [["a", "x ****"]], "n": 1})
        );
    }
}
