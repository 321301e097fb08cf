//! Secret variable values kept out of what the API shows about a session: its URL, the
//! handshake request and the connection events (a `{{token}}` in a header or query stays
//! `****` in the UI's badge and console). Message payloads are not touched: they are the
//! data itself, and what the user sent is what they see.

use std::sync::Arc;

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use serde_json::Value;
use wsdeck_format::environment::REDACTED;
use wsdeck_format::environment::Variable;

/// Characters the url crate percent-encodes in a query.
const QUERY: &AsciiSet = &CONTROLS.add(b' ').add(b'"').add(b'#').add(b'<').add(b'>');
/// … in a path.
const PATH: &AsciiSet = &QUERY.add(b'?').add(b'`').add(b'{').add(b'}');
/// … in user info.
const USERINFO: &AsciiSet = &PATH
    .add(b'/')
    .add(b':')
    .add(b';')
    .add(b'=')
    .add(b'@')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'|');

/// Every shape in which a secret's value shows up in text wsdeck shows or stores: as typed,
/// lowercased (URL hosts), escaped inside JSON, percent-encoded in a URL's query, path or user
/// info, form-encoded, and title-cased as a header name (`X-{{token}}`). One list for the
/// CLI's printer, the API and the history, so no output misses a shape another one masks.
pub fn secret_shapes(secret: &str) -> Vec<String> {
    if secret.is_empty() {
        return Vec::new();
    }
    let quoted = serde_json::to_string(secret).unwrap_or_default();
    let json_escaped = quoted
        .strip_prefix('"')
        .and_then(|q| q.strip_suffix('"'))
        .unwrap_or(secret)
        .to_owned();
    let mut shapes = vec![
        secret.to_owned(),
        secret.to_lowercase(),
        json_escaped,
        utf8_percent_encode(secret, QUERY).to_string(),
        utf8_percent_encode(secret, PATH).to_string(),
        utf8_percent_encode(secret, USERINFO).to_string(),
        url::form_urlencoded::byte_serialize(secret.as_bytes()).collect(),
        header_case(secret, true),
        header_case(secret, false),
    ];
    shapes.sort_by_key(|p| std::cmp::Reverse(p.len()));
    shapes.dedup();
    shapes
}

/// `text` as HTTP header names are title-cased: lowercase, with the first letter (when
/// `first_upper`: the secret is a word of its own) and every letter after a `-` uppercase.
fn header_case(text: &str, first_upper: bool) -> String {
    let mut upper = first_upper;
    text.chars()
        .map(|c| {
            let out = if upper {
                c.to_ascii_uppercase()
            } else {
                c.to_ascii_lowercase()
            };
            upper = c == '-';
            out
        })
        .collect()
}

/// The secret values used to resolve one session's request.
#[derive(Debug, Clone, Default)]
pub(crate) struct Secrets(Arc<[String]>);

impl Secrets {
    /// Every shape ([`secret_shapes`]) of the non-empty values of the secret variables,
    /// longest first (so a secret that contains another is hidden whole).
    pub(crate) fn of(variables: &[Variable]) -> Secrets {
        let mut values: Vec<String> = variables
            .iter()
            .filter(|v| v.secret && !v.value.is_empty())
            .flat_map(|v| secret_shapes(&v.value))
            .collect();
        values.sort_by_key(|v| std::cmp::Reverse(v.len()));
        values.dedup();
        Secrets(values.into())
    }

    /// Whether there is nothing to hide.
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The values, longest first.
    pub(crate) fn values(&self) -> &[String] {
        &self.0
    }

    /// Replaces every secret in every string of `value` (keys too are left alone).
    pub(crate) fn hide_in(&self, value: &mut Value) {
        if self.0.is_empty() {
            return;
        }
        match value {
            Value::String(s) if self.0.iter().any(|secret| s.contains(secret.as_str())) => {
                let mut out = std::mem::take(s);
                for secret in self.0.iter() {
                    out = out.replace(secret.as_str(), REDACTED);
                }
                *s = out;
            }
            Value::Array(items) => items.iter_mut().for_each(|v| self.hide_in(v)),
            Value::Object(map) => map.values_mut().for_each(|v| self.hide_in(v)),
            _ => {}
        }
    }

    /// `value` with every secret hidden in its strings (through its JSON form; a value that
    /// holds no secret comes back as it was).
    pub(crate) fn hide_in_typed<T>(&self, value: T) -> T
    where
        T: serde::Serialize + serde::de::DeserializeOwned,
    {
        if self.0.is_empty() {
            return value;
        }
        let Ok(mut json) = serde_json::to_value(&value) else {
            return value;
        };
        self.hide_in(&mut json);
        serde_json::from_value(json).unwrap_or(value)
    }

    /// Hides secrets in an event unless it carries a payload (messages, pings, pongs).
    pub(crate) fn hide_in_event(&self, event: &mut Value) {
        let payload = matches!(event["type"].as_str(), Some("message" | "ping" | "pong"));
        if !payload {
            self.hide_in(event);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn hides_secrets_in_nested_strings_longest_first() {
        let secrets = Secrets::of(&[
            Variable::secret("a", "abc"),
            Variable::secret("b", "abcdef"),
            Variable::new("c", "public"),
            Variable::secret("empty", ""),
        ]);
        let mut v = json!({"url": "ws://h/?k=abcdef&j=abc", "headers": [["X", "public abc"]]});
        secrets.hide_in(&mut v);
        assert_eq!(
            v,
            json!({"url": "ws://h/?k=****&j=****", "headers": [["X", "public ****"]]})
        );
    }

    #[test]
    fn message_payloads_are_left_alone() {
        let secrets = Secrets::of(&[Variable::secret("a", "abc")]);
        let mut m = json!({"type": "message", "data": "abc"});
        secrets.hide_in_event(&mut m);
        assert_eq!(m["data"], "abc");
        let mut c = json!({"type": "connecting", "url": "ws://abc/"});
        secrets.hide_in_event(&mut c);
        assert_eq!(c["url"], "ws://****/");
    }
}
