//! Strict params of the `snap_*` methods, with upstream's superstruct error wording.
//!
//! Snaps compare error messages, so the texts reproduce `@metamask/superstruct` 3.x exactly:
//! only the first failure, known keys in schema order, then unknown keys (`never`).

use serde_json::{Map, Value};

/// Params of `snap_openWebSocket`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenParams {
    /// The URL exactly as given (not normalised): the duplicate rule and listings use it.
    pub url: String,
    /// Requested subprotocols; a missing key is `[]`.
    pub protocols: Vec<String>,
}

/// What `snap_sendWebSocketMessage` sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// A string: a text frame.
    Text(String),
    /// A number array: a binary frame, each number wrapped like JavaScript's ToUint8.
    Binary(Vec<u8>),
}

/// Superstruct's `print`: strings JSON-quoted, everything else as JavaScript's `String(v)`.
fn print(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => Value::String(s.clone()).to_string(),
        other => js_string(other),
    }
}

/// JavaScript's `String(v)` for JSON values (arrays join their elements with `,`).
fn js_string(v: Option<&Value>) -> String {
    match v {
        None => "undefined".into(),
        Some(Value::Null) => "null".into(),
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::Number(n)) => js_number(n),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| match i {
                Value::Null => String::new(),
                other => js_string(Some(other)),
            })
            .collect::<Vec<_>>()
            .join(","),
        Some(Value::Object(_)) => "[object Object]".into(),
    }
}

fn js_number(n: &serde_json::Number) -> String {
    if n.is_i64() || n.is_u64() {
        return n.to_string();
    }
    match n.as_f64() {
        Some(f) if f.fract() == 0.0 && f.abs() < 1e21 => format!("{f:.0}"),
        Some(f) => f.to_string(),
        None => n.to_string(),
    }
}

/// The params as an object. A JSON array counts as an object without known keys (as in
/// JavaScript, where `typeof [] === "object"`), so it fails on the first required key.
fn object(params: Option<&Value>) -> Result<Map<String, Value>, String> {
    match params {
        Some(Value::Object(m)) => Ok(m.clone()),
        Some(Value::Array(_)) => Ok(Map::new()),
        other => Err(format!(
            "Expected an object, but received: {}",
            print(other)
        )),
    }
}

fn string_at(path: &str, v: Option<&Value>) -> Result<String, String> {
    match v {
        Some(Value::String(s)) => Ok(s.clone()),
        other => Err(format!(
            "At path: {path} -- Expected a string, but received: {}",
            print(other)
        )),
    }
}

fn no_unknown(map: &Map<String, Value>, known: &[&str]) -> Result<(), String> {
    match map.iter().find(|(k, _)| !known.contains(&k.as_str())) {
        Some((k, v)) => Err(format!(
            "At path: {k} -- Expected a value of type `never`, but received: `{}`",
            print(Some(v))
        )),
        None => Ok(()),
    }
}

/// Validates `snap_openWebSocket` params; the error is the detail after `Invalid params: `.
pub fn open(params: Option<&Value>) -> Result<OpenParams, String> {
    let map = object(params)?;
    let url = string_at("url", map.get("url"))?;
    let parsed = url::Url::parse(&url)
        .map_err(|_| format!("At path: url -- Expected URL, got \"{url}\""))?;
    let scheme = parsed.scheme();
    if scheme != "ws" && scheme != "wss" {
        return Err(format!(
            "At path: url -- At path: protocol -- Expected the value to satisfy a union of `\"wss:\" | \"ws:\"`, but received: \"{scheme}:\""
        ));
    }
    let protocols = match map.get("protocols") {
        None => Vec::new(),
        Some(Value::Array(items)) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                out.push(string_at(&format!("protocols.{i}"), Some(item))?);
            }
            out
        }
        other => {
            return Err(format!(
                "At path: protocols -- Expected an array value, but received: {}",
                print(other)
            ));
        }
    };
    no_unknown(&map, &["url", "protocols"])?;
    Ok(OpenParams { url, protocols })
}

/// Validates `snap_sendWebSocketMessage` params.
pub fn send(params: Option<&Value>) -> Result<(String, Message), String> {
    let map = object(params)?;
    let id = string_at("id", map.get("id"))?;
    let message = match map.get("message") {
        Some(Value::String(s)) => Message::Text(s.clone()),
        Some(Value::Array(items)) if items.iter().all(Value::is_number) => {
            Message::Binary(items.iter().map(to_uint8).collect())
        }
        other => {
            return Err(format!(
                "At path: message -- Expected the value to satisfy a union of `string | array`, but received: {}",
                print(other)
            ));
        }
    };
    no_unknown(&map, &["id", "message"])?;
    Ok((id, message))
}

/// Validates `snap_closeWebSocket` params.
pub fn close(params: Option<&Value>) -> Result<String, String> {
    let map = object(params)?;
    let id = string_at("id", map.get("id"))?;
    no_unknown(&map, &["id"])?;
    Ok(id)
}

/// JavaScript's ToUint8 (what `new Uint8Array([..])` does): non-finite is 0, otherwise
/// truncate toward zero and wrap modulo 256. Upstream accepts any number this way, so we do
/// too rather than reject: a snap that works there works here.
pub fn to_uint8(v: &Value) -> u8 {
    if let Some(i) = v.as_i64() {
        return i.rem_euclid(256) as u8;
    }
    if let Some(u) = v.as_u64() {
        return (u % 256) as u8;
    }
    match v.as_f64() {
        Some(f) if f.is_finite() => f.trunc().rem_euclid(256.0) as u8,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn wraps_like_uint8array() {
        let bytes: Vec<u8> = [
            json!(1),
            json!(2.5),
            json!(-1),
            json!(300),
            json!(256),
            json!(-1.5),
        ]
        .iter()
        .map(to_uint8)
        .collect();
        assert_eq!(bytes, [1, 2, 255, 44, 0, 255]);
    }

    #[test]
    fn prints_like_javascript() {
        assert_eq!(print(Some(&json!([1, "a"]))), "1,a");
        assert_eq!(print(Some(&json!("x"))), "\"x\"");
        assert_eq!(print(None), "undefined");
        assert_eq!(print(Some(&json!({"a": 1}))), "[object Object]");
        assert_eq!(print(Some(&json!(2.0))), "2");
    }
}
