//! Decides, from the upgrade request alone, what a connection will do.
//!
//! This is pure (no I/O) so every endpoint's parameter validation can be unit-tested. The
//! result is either a [`Plan`] (accept with `101`, then run a [`Behavior`]) or a
//! [`Rejection`] (answer the upgrade with a non-101 status, headers and a plain-text body).

use std::time::Duration;

use bytes::Bytes;
use http::header::{HeaderMap, HeaderName, HeaderValue};
use http::{Request, StatusCode};

/// Largest payload any endpoint will generate on request (`/burst` total, `/big`, `/vanish`).
pub(crate) const MAX_GENERATED_BYTES: u64 = 1 << 30;
/// Largest number of messages `/burst` will send.
pub(crate) const MAX_BURST_COUNT: u64 = 100_000_000;
/// Longest delay any endpoint accepts (`after_ms`, `interval_ms`, `ms`): ten minutes.
pub(crate) const MAX_DELAY_MS: u64 = 600_000;
/// Most hops `/redirect-chain` will produce.
const MAX_CHAIN: u64 = 1_000;
/// Messages per second `/stream` sends at most.
const MAX_STREAM_RATE: u64 = 1_000_000;
/// Size of one `/stream` message at most.
const MAX_STREAM_SIZE: u64 = 1 << 20;
/// Most pings `/ping` will send.
const MAX_PINGS: u64 = 1_000_000;
/// Control frames carry at most 125 bytes; a close frame spends two of them on the code.
const MAX_PING_PAYLOAD: usize = 125;
const MAX_CLOSE_REASON: usize = 123;

/// What the connection does after a successful `101 Switching Protocols`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Behavior {
    /// Echo text as text and binary as binary until the peer closes.
    Echo,
    /// Send `count` messages of `size` bytes, then close (if `close`) or echo.
    Burst {
        count: u64,
        size: usize,
        binary: bool,
        close: bool,
    },
    /// Send one text message (the JSON of the request headers), then echo.
    Headers { json: String },
    /// Echo for `after`, then close with `code` and `reason`.
    Close {
        code: u16,
        reason: String,
        after: Duration,
    },
    /// Send `count` pings carrying `payload`, `interval` apart, while echoing.
    Ping {
        count: u64,
        interval: Duration,
        payload: Bytes,
    },
    /// Send one text frame with invalid UTF-8, then echo.
    InvalidUtf8,
    /// Write half of a binary frame of `size` bytes, then drop the connection.
    Vanish { size: usize },
    /// Send one binary message of `size` bytes, then echo.
    Big { size: usize },
    /// Send `count` JSON text messages of about `size` bytes at `rate` per second, while
    /// echoing: a steady feed for demos and for measuring a client under live load.
    Stream { rate: u64, size: usize, count: u64 },
}

/// An accepted upgrade: the subprotocol to answer with and what to do afterwards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Plan {
    pub(crate) behavior: Behavior,
    pub(crate) subprotocol: Option<HeaderValue>,
}

/// A refused upgrade: status, extra headers and a plain-text body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rejection {
    pub(crate) status: StatusCode,
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
    pub(crate) body: String,
}

impl Rejection {
    fn bad_param(name: &str, problem: impl std::fmt::Display) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            headers: Vec::new(),
            body: format!("wsdeck echo: bad query parameter `{name}`: {problem}\n"),
        }
    }

    fn internal(problem: impl std::fmt::Display) -> Self {
        Self {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            headers: Vec::new(),
            body: format!("wsdeck echo: internal error: {problem}\n"),
        }
    }

    /// Converts into the response tungstenite writes for a refused handshake.
    pub(crate) fn into_response(self) -> http::Response<Option<String>> {
        let len = self.body.len();
        let mut response = http::Response::new(Some(self.body));
        *response.status_mut() = self.status;
        let headers = response.headers_mut();
        headers.insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        headers.insert(http::header::CONTENT_LENGTH, HeaderValue::from(len));
        headers.insert(http::header::CONNECTION, HeaderValue::from_static("close"));
        for (name, value) in self.headers {
            headers.append(name, value);
        }
        response
    }
}

/// Plans the connection for an upgrade request.
///
/// `subprotocols` is the server's supported list; the first protocol the client offers that
/// is in it is chosen. Unknown paths echo.
pub(crate) fn plan<B>(request: &Request<B>, subprotocols: &[String]) -> Result<Plan, Rejection> {
    let uri = request.uri();
    let query = Query::parse(uri.query());
    let headers = request.headers();
    let behavior = match uri.path() {
        "/burst" => burst(&query)?,
        "/redirect" => {
            let status = redirect_status(&query)?;
            let to = query.str("to", "/echo")?;
            return Err(redirect(status, &to)?);
        }
        "/redirect-loop" => {
            let status = redirect_status(&query)?;
            let here = uri
                .path_and_query()
                .map_or("/redirect-loop", |pq| pq.as_str());
            return Err(redirect(status, here)?);
        }
        "/redirect-chain" => return Err(redirect_chain(&query)?),
        "/auth" => {
            auth(&query, headers)?;
            Behavior::Echo
        }
        "/status" => return Err(status(&query)?),
        "/headers" => Behavior::Headers {
            json: headers_json(headers)?,
        },
        "/close" => close(&query)?,
        "/ping" => ping(&query)?,
        "/invalid-utf8" => Behavior::InvalidUtf8,
        "/vanish" => Behavior::Vanish {
            size: query.size("size", 100_000)?,
        },
        "/stream" => stream(&query)?,
        "/big" => Behavior::Big {
            size: query.size("size", 1 << 20)?,
        },
        "/slow-handshake" => {
            // The delay itself happens before the handshake (see `slow_handshake_delay`);
            // validating here turns a bad `ms` into a 400.
            query.u64_in("ms", 2000, 0, MAX_DELAY_MS)?;
            Behavior::Echo
        }
        // "/", "/echo" and every unknown path.
        _ => Behavior::Echo,
    };
    Ok(Plan {
        behavior,
        subprotocol: choose_subprotocol(headers, subprotocols),
    })
}

/// The delay `/slow-handshake?ms=N` asks for, read from the raw request target
/// (`/slow-handshake?ms=2000`). `None` for other paths and for invalid values (which the
/// handshake then rejects with 400, without waiting).
pub(crate) fn slow_handshake_delay(target: &str) -> Option<Duration> {
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (target, None),
    };
    // Absolute-form targets (`ws://host/slow-handshake`) are rare; accept the path suffix.
    let path = path.find("://").map_or(path, |i| {
        let rest = &path[i + 3..];
        rest.find('/').map_or("/", |j| &rest[j..])
    });
    if path != "/slow-handshake" {
        return None;
    }
    let query = Query::parse(query);
    let ms = query.u64_in("ms", 2000, 0, MAX_DELAY_MS).ok()?;
    Some(Duration::from_millis(ms))
}

/// Picks the first offered subprotocol the server supports (exact, case-sensitive match).
fn choose_subprotocol(headers: &HeaderMap, supported: &[String]) -> Option<HeaderValue> {
    headers
        .get_all(http::header::SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .find(|offered| supported.iter().any(|s| s == offered))
        .and_then(|chosen| HeaderValue::from_str(chosen).ok())
}

fn burst(query: &Query) -> Result<Behavior, Rejection> {
    let count = query.u64_in("count", 10, 0, MAX_BURST_COUNT)?;
    let size = query.size("size", 32)?;
    let total = count.saturating_mul(size as u64);
    if total > MAX_GENERATED_BYTES {
        return Err(Rejection::bad_param(
            "count",
            format!(
                "count*size is {total} bytes, more than the limit of {MAX_GENERATED_BYTES} bytes"
            ),
        ));
    }
    Ok(Behavior::Burst {
        count,
        size,
        binary: query.flag("binary", false)?,
        close: query.flag("close", false)?,
    })
}

fn stream(query: &Query) -> Result<Behavior, Rejection> {
    let rate = query.u64_in("rate", 1, 1, MAX_STREAM_RATE)?;
    let size = query.size("size", 64)?;
    if size as u64 > MAX_STREAM_SIZE {
        return Err(Rejection::bad_param(
            "size",
            format!("{size} bytes, a streamed message holds at most {MAX_STREAM_SIZE}"),
        ));
    }
    let count = query.u64_in("count", 3_600, 0, MAX_BURST_COUNT)?;
    Ok(Behavior::Stream { rate, size, count })
}

fn redirect_status(query: &Query) -> Result<StatusCode, Rejection> {
    let code = query.u64_in("status", 302, 100, 999)?;
    match code {
        301 | 302 | 303 | 307 | 308 => StatusCode::from_u16(code as u16)
            .map_err(|_| Rejection::bad_param("status", format!("{code} is not a status code"))),
        _ => Err(Rejection::bad_param(
            "status",
            format!("expected one of 301, 302, 303, 307, 308, got {code}"),
        )),
    }
}

fn redirect(status: StatusCode, to: &str) -> Result<Rejection, Rejection> {
    let base = url::Url::parse("ws://127.0.0.1/").map_err(Rejection::internal)?;
    if to.is_empty() {
        return Err(Rejection::bad_param("to", "must not be empty"));
    }
    if let Err(e) = base.join(to) {
        return Err(Rejection::bad_param(
            "to",
            format!("{to:?} is not a URL or path: {e}"),
        ));
    }
    let location = HeaderValue::from_str(to).map_err(|_| {
        Rejection::bad_param("to", format!("{to:?} cannot be sent as a Location header"))
    })?;
    Ok(Rejection {
        status,
        headers: vec![(http::header::LOCATION, location)],
        body: format!("wsdeck echo: redirecting to {to}\n"),
    })
}

fn redirect_chain(query: &Query) -> Result<Rejection, Rejection> {
    let n = query.u64_in("n", 5, 1, MAX_CHAIN)?;
    let to = query.str("to", "/echo")?;
    let status = redirect_status(query)?;
    if n <= 1 {
        return redirect(status, &to);
    }
    let mut next = url::form_urlencoded::Serializer::new(String::new());
    next.append_pair("n", &(n - 1).to_string());
    next.append_pair("to", &to);
    if query.get("status")?.is_some() {
        next.append_pair("status", status.as_str());
    }
    redirect(status, &format!("/redirect-chain?{}", next.finish()))
}

fn auth(query: &Query, headers: &HeaderMap) -> Result<(), Rejection> {
    let name = query.str("name", "Authorization")?;
    let value = query.str("value", "Bearer wsdeck")?;
    let header = HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| Rejection::bad_param("name", format!("{name:?} is not a header name")))?;
    let mut present = false;
    for got in headers.get_all(&header) {
        present = true;
        if got.as_bytes() == value.as_bytes() {
            return Ok(());
        }
    }
    let body = if present {
        format!("wsdeck echo: request header {name} has the wrong value\n")
    } else {
        format!("wsdeck echo: request header {name} is missing\n")
    };
    Err(Rejection {
        status: StatusCode::UNAUTHORIZED,
        headers: vec![(
            http::header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer"),
        )],
        body,
    })
}

fn status(query: &Query) -> Result<Rejection, Rejection> {
    let code = query.u64_in("code", 500, 400, 599)?;
    let status = u16::try_from(code)
        .ok()
        .and_then(|c| StatusCode::from_u16(c).ok())
        .ok_or_else(|| Rejection::bad_param("code", format!("{code} is not a status code")))?;
    Ok(Rejection {
        status,
        headers: Vec::new(),
        body: format!("wsdeck echo: status {code} requested\n"),
    })
}

fn headers_json(headers: &HeaderMap) -> Result<String, Rejection> {
    let mut map = serde_json::Map::new();
    for name in headers.keys() {
        let joined = headers
            .get_all(name)
            .iter()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .collect::<Vec<_>>()
            .join(", ");
        map.insert(name.as_str().to_owned(), serde_json::Value::String(joined));
    }
    serde_json::to_string(&map).map_err(Rejection::internal)
}

fn close(query: &Query) -> Result<Behavior, Rejection> {
    let code = query.u64_in("code", 1000, 1000, 4999)?;
    let allowed = matches!(code, 1000..=1003 | 1007..=1014 | 3000..=4999);
    if !allowed {
        return Err(Rejection::bad_param(
            "code",
            format!(
                "{code} may not be sent in a close frame \
                 (allowed: 1000-1003, 1007-1014, 3000-4999)"
            ),
        ));
    }
    let reason = query.str("reason", "")?;
    if reason.len() > MAX_CLOSE_REASON {
        return Err(Rejection::bad_param(
            "reason",
            format!(
                "{} bytes, a close reason holds at most {MAX_CLOSE_REASON}",
                reason.len()
            ),
        ));
    }
    let after = query.u64_in("after_ms", 0, 0, MAX_DELAY_MS)?;
    Ok(Behavior::Close {
        code: code as u16,
        reason,
        after: Duration::from_millis(after),
    })
}

fn ping(query: &Query) -> Result<Behavior, Rejection> {
    let count = query.u64_in("count", 3, 0, MAX_PINGS)?;
    let interval = query.u64_in("interval_ms", 50, 0, MAX_DELAY_MS)?;
    let payload = query.str("payload", "hi")?;
    if payload.len() > MAX_PING_PAYLOAD {
        return Err(Rejection::bad_param(
            "payload",
            format!(
                "{} bytes, a ping holds at most {MAX_PING_PAYLOAD}",
                payload.len()
            ),
        ));
    }
    Ok(Behavior::Ping {
        count,
        interval: Duration::from_millis(interval),
        payload: Bytes::from(payload),
    })
}

/// Decoded query parameters, in order. Unknown parameters are ignored; a known parameter
/// given twice is an error (silently picking one would hide a mistake in the caller's URL).
#[derive(Debug, Default)]
struct Query {
    pairs: Vec<(String, String)>,
}

impl Query {
    fn parse(query: Option<&str>) -> Self {
        let pairs = query
            .map(|q| {
                url::form_urlencoded::parse(q.as_bytes())
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect()
            })
            .unwrap_or_default();
        Self { pairs }
    }

    fn get(&self, name: &str) -> Result<Option<&str>, Rejection> {
        let mut found = self.pairs.iter().filter(|(k, _)| k == name);
        let first = found.next();
        if found.next().is_some() {
            return Err(Rejection::bad_param(name, "given more than once"));
        }
        Ok(first.map(|(_, v)| v.as_str()))
    }

    fn str(&self, name: &str, default: &str) -> Result<String, Rejection> {
        Ok(self.get(name)?.unwrap_or(default).to_owned())
    }

    fn u64_in(&self, name: &str, default: u64, min: u64, max: u64) -> Result<u64, Rejection> {
        let Some(raw) = self.get(name)? else {
            return Ok(default);
        };
        match raw.parse::<u64>() {
            Ok(v) if (min..=max).contains(&v) => Ok(v),
            _ => Err(Rejection::bad_param(
                name,
                format!("expected an integer in {min}..={max}, got {raw:?}"),
            )),
        }
    }

    /// A byte count up to [`MAX_GENERATED_BYTES`].
    fn size(&self, name: &str, default: u64) -> Result<usize, Rejection> {
        let v = self.u64_in(name, default, 0, MAX_GENERATED_BYTES)?;
        usize::try_from(v).map_err(|_| {
            Rejection::bad_param(name, format!("{v} does not fit in this machine's memory"))
        })
    }

    fn flag(&self, name: &str, default: bool) -> Result<bool, Rejection> {
        match self.get(name)? {
            None => Ok(default),
            Some("1" | "true" | "yes") => Ok(true),
            Some("0" | "false" | "no") => Ok(false),
            Some(other) => Err(Rejection::bad_param(
                name,
                format!("expected 0 or 1, got {other:?}"),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(target: &str, headers: &[(&str, &str)]) -> Request<()> {
        let mut b = Request::builder().uri(target);
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        b.body(()).expect("test request builds")
    }

    fn protos() -> Vec<String> {
        vec!["wsdeck.echo.v1".into(), "graphql-ws".into(), "chat".into()]
    }

    fn plan_of(target: &str) -> Result<Plan, Rejection> {
        plan(&req(target, &[]), &protos())
    }

    fn location(r: &Rejection) -> Option<&str> {
        r.headers
            .iter()
            .find(|(k, _)| k == http::header::LOCATION)
            .and_then(|(_, v)| v.to_str().ok())
    }

    #[test]
    fn unknown_paths_and_root_echo() {
        for t in ["/", "/echo", "/nope", "/echo/", "/burstx"] {
            assert_eq!(plan_of(t).map(|p| p.behavior), Ok(Behavior::Echo), "{t}");
        }
    }

    #[test]
    fn burst_defaults_and_validation() {
        assert_eq!(
            plan_of("/burst").map(|p| p.behavior),
            Ok(Behavior::Burst {
                count: 10,
                size: 32,
                binary: false,
                close: false
            })
        );
        assert_eq!(
            plan_of("/burst?count=3&size=5&binary=1&close=true").map(|p| p.behavior),
            Ok(Behavior::Burst {
                count: 3,
                size: 5,
                binary: true,
                close: true
            })
        );
        let over = plan_of("/burst?count=2000&size=1000000").expect_err("over the cap");
        assert_eq!(over.status, StatusCode::BAD_REQUEST);
        assert!(over.body.contains("`count`"), "{}", over.body);
        let bad = plan_of("/burst?size=-1").expect_err("negative");
        assert!(bad.body.contains("`size`"), "{}", bad.body);
        let bad = plan_of("/burst?binary=maybe").expect_err("bad flag");
        assert!(bad.body.contains("`binary`"), "{}", bad.body);
        let twice = plan_of("/burst?count=1&count=2").expect_err("duplicate");
        assert!(twice.body.contains("more than once"), "{}", twice.body);
    }

    #[test]
    fn redirects() {
        let r = plan_of("/redirect").expect_err("redirects");
        assert_eq!(r.status, StatusCode::FOUND);
        assert_eq!(location(&r), Some("/echo"));
        let r = plan_of("/redirect?to=ws%3A%2F%2F127.0.0.1%3A9%2Fx&status=308").expect_err("r");
        assert_eq!(r.status, StatusCode::PERMANENT_REDIRECT);
        assert_eq!(location(&r), Some("ws://127.0.0.1:9/x"));
        let bad = plan_of("/redirect?status=304").expect_err("bad status");
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        assert!(bad.body.contains("`status`"));
        let bad = plan_of("/redirect?to=").expect_err("empty to");
        assert!(bad.body.contains("`to`"));
        let r = plan_of("/redirect-loop?status=307").expect_err("loop");
        assert_eq!(r.status, StatusCode::TEMPORARY_REDIRECT);
        assert_eq!(location(&r), Some("/redirect-loop?status=307"));
    }

    #[test]
    fn redirect_chain_counts_down_then_goes_to_target() {
        let r = plan_of("/redirect-chain?n=3&to=/big").expect_err("chain");
        assert_eq!(location(&r), Some("/redirect-chain?n=2&to=%2Fbig"));
        let r = plan_of("/redirect-chain?n=2&to=%2Fbig").expect_err("chain");
        assert_eq!(location(&r), Some("/redirect-chain?n=1&to=%2Fbig"));
        let r = plan_of("/redirect-chain?n=1&to=%2Fbig").expect_err("chain");
        assert_eq!(location(&r), Some("/big"));
        let r = plan_of("/redirect-chain?n=2&status=301").expect_err("chain");
        assert_eq!(r.status, StatusCode::MOVED_PERMANENTLY);
        assert_eq!(
            location(&r),
            Some("/redirect-chain?n=1&to=%2Fecho&status=301")
        );
        let bad = plan_of("/redirect-chain?n=0").expect_err("n=0");
        assert!(bad.body.contains("`n`"));
    }

    #[test]
    fn auth_checks_the_exact_header_value() {
        let p = protos();
        let missing = plan(&req("/auth", &[]), &p).expect_err("missing");
        assert_eq!(missing.status, StatusCode::UNAUTHORIZED);
        assert!(missing.body.contains("missing"));
        let wrong =
            plan(&req("/auth", &[("authorization", "Bearer nope")]), &p).expect_err("wrong value");
        assert!(wrong.body.contains("wrong value"));
        assert!(plan(&req("/auth", &[("Authorization", "Bearer wsdeck")]), &p).is_ok());
        let custom = "/auth?name=X-Key&value=s%20p";
        assert!(plan(&req(custom, &[("x-key", "s p")]), &p).is_ok());
        assert!(plan(&req(custom, &[("x-key", "s  p")]), &p).is_err());
        let bad = plan(&req("/auth?name=bad%20name", &[]), &p).expect_err("bad name");
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    }

    #[test]
    fn status_range() {
        let r = plan_of("/status?code=503").expect_err("status");
        assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(r.body, "wsdeck echo: status 503 requested\n");
        assert_eq!(
            plan_of("/status").expect_err("default").status,
            StatusCode::INTERNAL_SERVER_ERROR
        );
        for bad in ["/status?code=200", "/status?code=600", "/status?code=x"] {
            let r = plan_of(bad).expect_err("bad");
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}");
            assert!(r.body.contains("`code`"));
        }
    }

    #[test]
    fn close_validation() {
        assert_eq!(
            plan_of("/close?code=4000&reason=bye&after_ms=5").map(|p| p.behavior),
            Ok(Behavior::Close {
                code: 4000,
                reason: "bye".into(),
                after: Duration::from_millis(5)
            })
        );
        for bad in ["/close?code=1005", "/close?code=1006", "/close?code=2000"] {
            let r = plan_of(bad).expect_err("reserved code");
            assert!(r.body.contains("`code`"), "{bad}");
        }
        let long = format!("/close?reason={}", "r".repeat(124));
        assert!(plan_of(&long).expect_err("long").body.contains("`reason`"));
    }

    #[test]
    fn stream_defaults_and_validation() {
        assert_eq!(
            plan_of("/stream").map(|p| p.behavior),
            Ok(Behavior::Stream {
                rate: 1,
                size: 64,
                count: 3_600
            })
        );
        assert_eq!(
            plan_of("/stream?rate=20000&size=200&count=5").map(|p| p.behavior),
            Ok(Behavior::Stream {
                rate: 20_000,
                size: 200,
                count: 5
            })
        );
        let bad = plan_of("/stream?rate=0").expect_err("zero rate");
        assert!(bad.body.contains("`rate`"), "{}", bad.body);
        let bad = plan_of("/stream?size=2000000").expect_err("too big");
        assert!(bad.body.contains("`size`"), "{}", bad.body);
    }

    #[test]
    fn ping_validation() {
        assert_eq!(
            plan_of("/ping").map(|p| p.behavior),
            Ok(Behavior::Ping {
                count: 3,
                interval: Duration::from_millis(50),
                payload: Bytes::from_static(b"hi")
            })
        );
        let long = format!("/ping?payload={}", "p".repeat(126));
        assert!(plan_of(&long).expect_err("long").body.contains("`payload`"));
    }

    #[test]
    fn subprotocol_is_first_offered_supported_one() {
        let p = protos();
        let plan1 = plan(
            &req("/", &[("sec-websocket-protocol", "nope, chat, graphql-ws")]),
            &p,
        )
        .expect("plan");
        assert_eq!(plan1.subprotocol, Some(HeaderValue::from_static("chat")));
        let none = plan(&req("/", &[("sec-websocket-protocol", "Chat, x")]), &p).expect("plan");
        assert_eq!(none.subprotocol, None);
        let split = plan(
            &req(
                "/",
                &[
                    ("sec-websocket-protocol", "x"),
                    ("sec-websocket-protocol", "wsdeck.echo.v1"),
                ],
            ),
            &p,
        )
        .expect("plan");
        assert_eq!(
            split.subprotocol,
            Some(HeaderValue::from_static("wsdeck.echo.v1"))
        );
    }

    #[test]
    fn headers_json_joins_repeats() {
        let r = req("/headers", &[("X-A", "1"), ("x-a", "2"), ("Host", "h")]);
        let Ok(Plan {
            behavior: Behavior::Headers { json },
            ..
        }) = plan(&r, &[])
        else {
            panic!("expected a headers plan");
        };
        let v: serde_json::Value = serde_json::from_str(&json).expect("json");
        assert_eq!(v["x-a"], "1, 2");
        assert_eq!(v["host"], "h");
    }

    #[test]
    fn slow_handshake_delay_from_target() {
        assert_eq!(
            slow_handshake_delay("/slow-handshake?ms=250"),
            Some(Duration::from_millis(250))
        );
        assert_eq!(
            slow_handshake_delay("/slow-handshake"),
            Some(Duration::from_millis(2000))
        );
        assert_eq!(slow_handshake_delay("/slow-handshake?ms=abc"), None);
        assert_eq!(slow_handshake_delay("/echo?ms=5"), None);
        assert_eq!(
            slow_handshake_delay("ws://h:1/slow-handshake?ms=1"),
            Some(Duration::from_millis(1))
        );
        assert!(plan_of("/slow-handshake?ms=abc").is_err());
    }
}
