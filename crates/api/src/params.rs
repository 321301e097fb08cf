//! Strict params of the `snap_*` methods, with upstream's superstruct error wording.
//!
//! Snaps compare error messages, so the texts reproduce `@metamask/superstruct` 3.x exactly:
//! only the first failure, known keys in schema order, then unknown keys (`never`).

use serde_json::{Map, Value};

use crate::wire::snap::{Message, OpenWebSocketParams as OpenParams};

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

/// JavaScript's `String(n)` for a JSON number: the value as a double (as `JSON.parse` reads
/// it, so integers past 2^53 round), printed by ECMAScript's Number::toString: the shortest
/// digits that read back the same, in exponent form from 1e21 and below 1e-6 (`1e+21`,
/// `1.5e-7`), and `-0` as `0`.
fn js_number(n: &serde_json::Number) -> String {
    match n.as_f64() {
        Some(f) => js_number_text(f),
        None => n.to_string(),
    }
}

fn js_number_text(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f == 0.0 {
        return "0".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    if f < 0.0 {
        return format!("-{}", js_number_text(-f));
    }
    // Rust's `{:e}` prints the shortest round-trip digits: `d[.ddd]e<exp>`.
    let sci = format!("{f:e}");
    let (mantissa, exponent) = sci.split_once('e').unwrap_or((&sci, "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let k = digits.len() as i64;
    // The value is 0.digits × 10^n.
    let n = exponent.parse::<i64>().unwrap_or(0) + 1;
    if k <= n && n <= 21 {
        format!("{digits}{}", "0".repeat((n - k) as usize))
    } else if 0 < n && n <= 21 {
        let (int, frac) = digits.split_at(n as usize);
        format!("{int}.{frac}")
    } else if -6 < n && n <= 0 {
        format!("0.{}{digits}", "0".repeat((-n) as usize))
    } else {
        let sign = if n - 1 < 0 { '-' } else { '+' };
        let (first, rest) = digits.split_at(1);
        let dot = if rest.is_empty() { "" } else { "." };
        format!("{first}{dot}{rest}e{sign}{}", (n - 1).abs())
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

/// The JSON `text` with every `\uD800`–`\uDFFF` escape that is not half of a pair replaced
/// by `\uFFFD`, or `None` when there is none. JavaScript's `JSON.parse` accepts such lone
/// surrogates and every Web API taking a USVString (the WebSocket's `send()`, `new URL()`)
/// turns them into U+FFFD; serde_json refuses the whole text. Called only for a text that
/// failed to parse, so the API reads it as a browser host would instead of answering -32700.
pub(crate) fn replace_lone_surrogates(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let unit_at = |i: usize| -> Option<u16> {
        if bytes.get(i) == Some(&b'\\') && bytes.get(i + 1) == Some(&b'u') {
            let hex = text.get(i + 2..i + 6)?;
            u16::from_str_radix(hex, 16).ok()
        } else {
            None
        }
    };
    let mut out = String::with_capacity(text.len());
    let mut replaced = false;
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'\\' {
            i += 1;
            continue;
        }
        match unit_at(i) {
            Some(0xd800..=0xdbff) => {
                if matches!(unit_at(i + 6), Some(0xdc00..=0xdfff)) {
                    i += 12;
                } else {
                    out.push_str(&text[copied..i]);
                    out.push_str("\\uFFFD");
                    replaced = true;
                    i += 6;
                    copied = i;
                }
            }
            Some(0xdc00..=0xdfff) => {
                out.push_str(&text[copied..i]);
                out.push_str("\\uFFFD");
                replaced = true;
                i += 6;
                copied = i;
            }
            // Any other escape, `\\` included, is two characters (or six for `\u`).
            Some(_) => i += 6,
            None => i += 2,
        }
    }
    if !replaced {
        return None;
    }
    out.push_str(&text[copied..]);
    Some(out)
}

/// JavaScript's ToUint8 (what `new Uint8Array([..])` does): non-finite is 0, otherwise
/// truncate toward zero and wrap modulo 256. Upstream accepts any number this way, so we do
/// too rather than reject: a snap that works there works here.
pub fn to_uint8(v: &Value) -> u8 {
    // Through a double, as JavaScript holds every number: 2^53 + 1 is read as 2^53 there, so
    // its byte is 0, not 1.
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

    #[test]
    fn numbers_print_like_javascript_number_to_string() {
        let cases: &[(f64, &str)] = &[
            (0.0, "0"),
            (-0.0, "0"),
            (5.0, "5"),
            (-5.5, "-5.5"),
            (0.1, "0.1"),
            (123.456, "123.456"),
            (1e20, "100000000000000000000"),
            (1e21, "1e+21"),
            (1.5e21, "1.5e+21"),
            (1e-6, "0.000001"),
            (1.5e-7, "1.5e-7"),
            (1e-7, "1e-7"),
            (12345678901234567890.0, "12345678901234567000"),
            (f64::MAX, "1.7976931348623157e+308"),
            (5e-324, "5e-324"),
        ];
        for (f, text) in cases {
            assert_eq!(js_number_text(*f), *text, "{f:e}");
        }
        // Integers past 2^53 print as the double JavaScript reads them as.
        let big: Value = serde_json::from_str("12345678901234567890").unwrap();
        assert_eq!(print(Some(&big)), "12345678901234567000");
        let huge: Value = serde_json::from_str("[1e21, -0, 100]").unwrap();
        assert_eq!(print(Some(&huge)), "1e+21,0,100");
    }

    #[test]
    fn lone_surrogates_become_replacement_characters() {
        let fixed = |t: &str| replace_lone_surrogates(t);
        assert_eq!(fixed(r#"["a\ud800b"]"#).as_deref(), Some(r#"["a\uFFFDb"]"#));
        assert_eq!(
            fixed(r#"["\udc00\ud800"]"#).as_deref(),
            Some(r#"["\uFFFD\uFFFD"]"#)
        );
        assert_eq!(
            fixed(r#"["\ud800\u0041"]"#).as_deref(),
            Some(r#"["\uFFFD\u0041"]"#)
        );
        // A pair, an escaped backslash before `ud800`, and no escape at all: nothing to do.
        assert_eq!(fixed(r#"["\ud83d\ude00"]"#), None);
        assert_eq!(fixed(r#"["\\ud800"]"#), None);
        assert_eq!(fixed(r#"["plain"]"#), None);
        let v: Value = serde_json::from_str(&fixed(r#"{"m":"x\uD800"}"#).unwrap()).unwrap();
        assert_eq!(v["m"], "x\u{fffd}");
    }

    #[test]
    fn large_integers_wrap_as_doubles() {
        let v: Value = serde_json::from_str(
            "[9007199254740993, 18446744073709551615, 4294967297, 1e21, -1e21, 257.9]",
        )
        .unwrap();
        let bytes: Vec<u8> = v.as_array().unwrap().iter().map(to_uint8).collect();
        assert_eq!(bytes, [0, 0, 1, 0, 0, 1]);
    }
}
