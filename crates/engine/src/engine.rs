//! The engine: opens sessions and keeps track of them.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use base64::Engine as _;
use http::header::{HeaderName, HeaderValue};
use url::Url;

use crate::dial::Prepared;
use crate::error::EngineError;
use crate::log::{LogBudget, SessionLog};
use crate::session::{Session, SessionId, SessionInfo};
use crate::spec::RequestSpec;

/// Holds every session of a process: the UI, the API and the CLI each use one engine.
///
/// Cloning is cheap and gives another handle to the same engine. Sessions run on the tokio
/// runtime that is current when [`open`](Engine::open) is called.
#[derive(Debug, Clone)]
pub struct Engine {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    sessions: Mutex<BTreeMap<SessionId, Session>>,
    next_id: AtomicU64,
    epoch: Instant,
}

impl Default for Engine {
    fn default() -> Self {
        Self::new()
    }
}

impl Engine {
    /// An engine with no sessions.
    pub fn new() -> Self {
        Engine {
            inner: Arc::new(Inner {
                sessions: Mutex::new(BTreeMap::new()),
                next_id: AtomicU64::new(1),
                epoch: Instant::now(),
            }),
        }
    }

    fn sessions_lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<SessionId, Session>> {
        self.inner
            .sessions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }

    /// Validates the request and starts connecting in the background. Errors here are about
    /// the request itself (URL, headers, TLS files); connection failures arrive as events.
    ///
    /// Must be called from within a tokio runtime.
    pub fn open(&self, spec: RequestSpec) -> Result<Session, EngineError> {
        self.open_with(spec, None)
    }

    /// As [`open`](Self::open), with a session log that also stays within `budget`, shared
    /// with the other sessions opened within it (one API caller's sessions).
    pub fn open_within(
        &self,
        spec: RequestSpec,
        budget: &LogBudget,
    ) -> Result<Session, EngineError> {
        self.open_with(spec, Some(budget.clone()))
    }

    fn open_with(
        &self,
        spec: RequestSpec,
        budget: Option<LogBudget>,
    ) -> Result<Session, EngineError> {
        let prepared = prepare(&spec)?;
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(EngineError::Io(
                "the engine needs a tokio runtime to open sessions".into(),
            ));
        }
        let id = self.inner.next_id.fetch_add(1, Ordering::Relaxed);
        let log = Arc::new(SessionLog::within(
            spec.settings.retention,
            budget,
            self.inner.epoch,
        ));
        if spec.settings.pacing_bytes > 0 {
            log.set_pacing(usize::try_from(spec.settings.pacing_bytes).unwrap_or(usize::MAX));
        }
        let session = Session::start(id, spec, prepared, log);
        self.sessions_lock().insert(id, session.clone());
        Ok(session)
    }

    /// The session with this id.
    pub fn session(&self, id: SessionId) -> Result<Session, EngineError> {
        self.sessions_lock()
            .get(&id)
            .cloned()
            .ok_or(EngineError::UnknownSession(id))
    }

    /// All sessions, open or not, in the order they were opened.
    pub fn sessions(&self) -> Vec<SessionInfo> {
        self.sessions_lock().values().map(Session::info).collect()
    }

    /// Forgets a session (closing it first if it is still running).
    pub async fn remove(&self, id: SessionId) -> Result<(), EngineError> {
        let session = self
            .sessions_lock()
            .remove(&id)
            .ok_or(EngineError::UnknownSession(id))?;
        session.close(Some(1000), "").await
    }
}

/// Checks and normalises a request once, so that every (re)connection uses the same values.
pub(crate) fn prepare(spec: &RequestSpec) -> Result<Prepared, EngineError> {
    let mut url = checked_url(spec.url.trim())?;
    let url_credentials = take_credentials(&mut url);
    if !spec.params.is_empty() {
        let mut pairs = url.query_pairs_mut();
        for (k, v) in &spec.params {
            pairs.append_pair(k, v);
        }
    }
    let mut headers = checked_headers(&spec.headers)?;
    if let Some(credentials) = url_credentials
        && !headers
            .iter()
            .any(|(n, _)| *n == http::header::AUTHORIZATION)
    {
        let value = HeaderValue::from_str(&format!("Basic {credentials}")).map_err(|_| {
            EngineError::InvalidUrl {
                url: url.to_string(),
                reason: "the user name or password cannot be sent in a header".into(),
            }
        })?;
        headers.push((http::header::AUTHORIZATION, value));
    }
    if let Some(protocols) = protocols_header(&spec.protocols)? {
        headers.push((http::header::SEC_WEBSOCKET_PROTOCOL, protocols));
    }
    let tls = crate::tls::client_config(&spec.settings.tls)?;
    Ok(Prepared {
        url,
        headers,
        settings: spec.settings.clone(),
        tls,
    })
}

/// The URL as typed, parsed and checked: a `ws://` or `wss://` URL with a host and a port one
/// can connect to, without its fragment. What is wrong is said as a user would fix it
/// (`localhost:9001` has no scheme, a space in the host, `http://` is not WebSocket).
fn checked_url(raw: &str) -> Result<Url, EngineError> {
    let invalid = |reason: String| EngineError::InvalidUrl {
        url: raw.to_owned(),
        reason,
    };
    let no_scheme = || {
        if raw.contains("//") {
            "it has no scheme: start it with ws:// or wss://".to_owned()
        } else {
            format!("it has no scheme: write ws://{raw} or wss://{raw}")
        }
    };
    // A space in the path or query is encoded by the parser; in the host it is a typo (or
    // words typed as a URL), which the parser would call "invalid international domain name".
    let authority = raw.split_once("://").map_or(raw, |(_, rest)| rest);
    let authority = authority.split(['/', '?', '#']).next().unwrap_or("");
    if authority.contains(char::is_whitespace) {
        return Err(invalid(format!(
            "its host {:?} contains a space",
            authority.trim()
        )));
    }
    if let Some((_, rest)) = raw.split_once("://")
        && rest.starts_with('/')
    {
        return Err(invalid(
            "it has no host (nothing between :// and the path)".into(),
        ));
    }
    // `localhost:9001/echo` parses as scheme "localhost": it is a host and port.
    if let Some((host, rest)) = raw.split_once(':')
        && !rest.starts_with("//")
        && rest
            .split('/')
            .next()
            .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        && !host.is_empty()
    {
        return Err(invalid(no_scheme()));
    }
    let mut url = Url::parse(raw).map_err(|e| {
        invalid(match e {
            url::ParseError::RelativeUrlWithoutBase => no_scheme(),
            url::ParseError::EmptyHost => "it has no host".to_owned(),
            url::ParseError::InvalidPort => "the port is not a number from 0 to 65535".to_owned(),
            other => other.to_string(),
        })
    })?;
    match url.scheme() {
        "ws" | "wss" => {}
        scheme => {
            let hint = match scheme {
                "http" => " (ws:// is WebSocket over http://)",
                "https" => " (wss:// is WebSocket over https://)",
                _ => "",
            };
            return Err(EngineError::UnsupportedScheme {
                url: raw.to_owned(),
                scheme: scheme.to_owned(),
                hint,
            });
        }
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(invalid("it has no host".into()));
    }
    if url.port_or_known_default() == Some(0) {
        return Err(invalid("port 0 cannot be connected to".into()));
    }
    url.set_fragment(None);
    Ok(url)
}

/// The user name and password in a URL, percent-decoded, when it has any; and the
/// `Authorization: Basic` credentials they make (the base64 of `user:password`). Front ends
/// use it to know what to mask, the engine to send them.
pub fn url_credentials(url: &Url) -> Option<UrlCredentials> {
    if url.username().is_empty() && url.password().is_none() {
        return None;
    }
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8_lossy()
            .into_owned()
    };
    let user = decode(url.username());
    let password = url.password().map(decode).unwrap_or_default();
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    Some(UrlCredentials {
        user,
        password,
        basic,
    })
}

/// Credentials given in a URL (`ws://user:password@host/`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlCredentials {
    pub user: String,
    pub password: String,
    /// `user:password` in base64, as `Authorization: Basic` carries it.
    pub basic: String,
}

/// Credentials in the URL become Basic authentication (as browsers and websocat do) and
/// leave the URL, so that they are never shown or logged with it: the base64 of
/// `user:password`, when there were any.
fn take_credentials(url: &mut Url) -> Option<String> {
    let credentials = url_credentials(url)?;
    let _ = url.set_username("");
    let _ = url.set_password(None);
    Some(credentials.basic)
}

/// The request's headers as they go on the wire (names and values trimmed), each checked;
/// `Sec-WebSocket-Key` is refused, wsdeck makes its own.
fn checked_headers(
    headers: &[(String, String)],
) -> Result<Vec<(HeaderName, HeaderValue)>, EngineError> {
    let mut out = Vec::with_capacity(headers.len() + 2);
    for (name, value) in headers {
        let header_name = HeaderName::from_bytes(name.trim().as_bytes()).map_err(|_| {
            EngineError::InvalidHeader {
                name: name.clone(),
                reason: "not a valid header name (letters, digits and !#$%&'*+-.^_`|~ only)".into(),
            }
        })?;
        if header_name == http::header::SEC_WEBSOCKET_KEY {
            return Err(EngineError::InvalidHeader {
                name: name.clone(),
                reason: "wsdeck makes a fresh key for every handshake (to check the server's Sec-WebSocket-Accept against it): remove this header".into(),
            });
        }
        let header_value =
            HeaderValue::from_str(value.trim()).map_err(|_| EngineError::InvalidHeader {
                name: name.clone(),
                reason: "the value has a control character or a non-ASCII byte".into(),
            })?;
        out.push((header_name, header_value));
    }
    Ok(out)
}

/// The `Sec-WebSocket-Protocol` value offering `protocols` (each an HTTP token), if any.
fn protocols_header(protocols: &[String]) -> Result<Option<HeaderValue>, EngineError> {
    if protocols.is_empty() {
        return Ok(None);
    }
    if let Some(bad) = protocols
        .iter()
        .find(|p| p.is_empty() || !p.bytes().all(is_token_byte))
    {
        return Err(EngineError::InvalidSubprotocol(bad.clone()));
    }
    HeaderValue::from_str(&protocols.join(", "))
        .map(Some)
        .map_err(|_| EngineError::InvalidSubprotocol(protocols.join(", ")))
}

/// RFC 7230 `tchar`.
fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(url: &str) -> EngineError {
        match prepare(&RequestSpec::new(url)) {
            Ok(_) => panic!("{url} should be rejected"),
            Err(e) => e,
        }
    }

    #[test]
    fn rejects_urls_with_a_reason() {
        assert!(err("127.0.0.1:9001/echo").to_string().contains("ws://"));
        assert!(matches!(
            err("http://x/"),
            EngineError::UnsupportedScheme { .. }
        ));
        assert!(err("http://x/").to_string().contains("ws://"));
        assert!(matches!(err("ws://"), EngineError::InvalidUrl { .. }));
        assert!(matches!(
            err("ws://host:99999/"),
            EngineError::InvalidUrl { .. }
        ));
        assert!(matches!(
            err("ftp://host/"),
            EngineError::UnsupportedScheme { .. }
        ));
    }

    #[test]
    fn common_url_mistakes_get_useful_advice() {
        let e = err("localhost:9001/echo").to_string();
        assert!(e.contains("ws://localhost:9001/echo"), "{e}");
        let e = err("ws:///echo").to_string();
        assert!(e.contains("no host"), "{e}");
        let e = err("ws://not a url").to_string();
        assert!(e.contains("host \"not a url\" contains a space"), "{e}");
        assert!(prepare(&RequestSpec::new("ws://h/a b?q=c d")).is_ok());
        let e = err("ws//127.0.0.1:1").to_string();
        assert!(!e.contains("ws://ws//"), "{e}");
    }

    #[test]
    fn a_sec_websocket_key_header_is_refused_by_name() {
        let mut spec = RequestSpec::new("ws://h/");
        spec.headers.push(("sec-websocket-key".into(), "x".into()));
        let e = prepare(&spec)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            e.contains("sec-websocket-key") && e.contains("remove this header"),
            "{e}"
        );
        let mut spec = RequestSpec::new("ws://h/");
        spec.protocols.push(String::new());
        assert!(matches!(
            prepare(&spec),
            Err(EngineError::InvalidSubprotocol(_))
        ));
    }

    #[test]
    fn url_credentials_become_basic_auth_and_leave_the_url() {
        let prepared =
            prepare(&RequestSpec::new("ws://user:p%40ss@h/x")).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(prepared.url.as_str(), "ws://h/x");
        let auth = prepared
            .headers
            .iter()
            .find(|(n, _)| *n == http::header::AUTHORIZATION)
            .map(|(_, v)| v.to_str().unwrap_or_default().to_owned());
        // base64("user:p@ss")
        assert_eq!(auth.as_deref(), Some("Basic dXNlcjpwQHNz"));
    }

    #[test]
    fn params_are_appended_to_the_query() {
        let mut spec = RequestSpec::new("ws://h/p?a=1");
        spec.params = vec![("b".into(), "x y".into()), ("a".into(), "2".into())];
        let prepared = prepare(&spec).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(prepared.url.as_str(), "ws://h/p?a=1&b=x+y&a=2");
    }

    #[test]
    fn rejects_bad_headers_and_protocols() {
        let mut spec = RequestSpec::new("ws://h/");
        spec.headers = vec![("Bad Name".into(), "v".into())];
        assert!(matches!(
            prepare(&spec),
            Err(EngineError::InvalidHeader { .. })
        ));
        spec.headers = vec![("X-Ok".into(), "line\nbreak".into())];
        assert!(matches!(
            prepare(&spec),
            Err(EngineError::InvalidHeader { .. })
        ));
        spec.headers.clear();
        spec.protocols = vec!["two words".into()];
        assert!(matches!(
            prepare(&spec),
            Err(EngineError::InvalidSubprotocol(_))
        ));
    }

    #[test]
    fn missing_tls_files_are_request_errors() {
        let mut spec = RequestSpec::new("wss://h/");
        spec.settings.tls.ca_file = Some("/nonexistent/ca.pem".into());
        let e = prepare(&spec)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("/nonexistent/ca.pem"), "{e}");
    }
}
