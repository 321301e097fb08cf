//! Secret variable values kept out of what the API shows about a session: its URL, the
//! handshake request and the connection events (a `{{token}}` in a header or query stays
//! `****` in the UI's badge and console). Message payloads are not touched: they are the
//! data itself, and what the user sent is what they see.

use std::sync::Arc;

use serde_json::Value;
use wsdeck_format::environment::REDACTED;
use wsdeck_format::environment::Variable;

/// The secret values used to resolve one session's request.
#[derive(Debug, Clone, Default)]
pub(crate) struct Secrets(Arc<[String]>);

impl Secrets {
    /// The non-empty values of the secret variables, longest first (so a secret that
    /// contains another is hidden whole).
    pub(crate) fn of(variables: &[Variable]) -> Secrets {
        let mut values: Vec<String> = variables
            .iter()
            .filter(|v| v.secret && !v.value.is_empty())
            .map(|v| v.value.clone())
            .collect();
        values.sort_by_key(|v| std::cmp::Reverse(v.len()));
        values.dedup();
        Secrets(values.into())
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
