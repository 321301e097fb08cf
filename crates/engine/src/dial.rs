//! Opening a connection: DNS, TCP, TLS, the HTTP/1.1 upgrade (through hyper), redirects and
//! the handshake timeout. The result is a byte stream ready for WebSocket frames.

use std::collections::HashSet;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use bytes::{Buf, Bytes};
use http::header::{self, HeaderName, HeaderValue};
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Empty};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use rustls::ClientConfig;
use rustls::pki_types::ServerName;
use sha1::{Digest, Sha1};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use url::Url;

use crate::error::EngineError;
use crate::event::{EventKind, HandshakeInfo, HandshakeTimings, HttpHead};
use crate::log::SessionLog;
use crate::spec::Settings;
use crate::stream::{MaybeTls, Prefixed};

mod upgrade_check;

/// A validated request, ready to dial as often as reconnection needs.
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    pub url: Url,
    /// Headers in order, user headers included; names are validated.
    pub headers: Vec<(HeaderName, HeaderValue)>,
    pub settings: Settings,
    pub tls: Arc<ClientConfig>,
}

/// The socket after a successful upgrade.
#[derive(Debug)]
pub(crate) struct Established {
    pub stream: Prefixed<MaybeTls>,
    pub info: HandshakeInfo,
}

/// Headers that must not follow a redirect to another host (as curl does).
const CREDENTIAL_HEADERS: [HeaderName; 3] = [
    header::AUTHORIZATION,
    header::COOKIE,
    header::PROXY_AUTHORIZATION,
];

/// Largest part of a refused handshake's body kept for the error message.
const MAX_REJECTION_BODY: usize = 4096;

/// Connects, following redirects, and records each hop in `log`.
///
/// The connection comes back boxed, so that the session task awaiting this keeps a pointer,
/// not the socket and the handshake heads, in its state for the life of the session.
pub(crate) async fn dial(
    req: &Prepared,
    log: &SessionLog,
) -> Result<Box<Established>, EngineError> {
    let started = Instant::now();
    let mut url = req.url.clone();
    let mut headers = req.headers.clone();
    let mut visited: HashSet<String> = HashSet::from([url.as_str().to_owned()]);
    let mut hops = 0u32;
    loop {
        let timeout_ms = req.settings.handshake_timeout_ms;
        let phase = Phase::default();
        let tls = TlsUse {
            config: &req.tls,
            context: crate::tls::context(&req.settings.tls),
        };
        let hop = attempt(&url, &headers, &tls, &phase);
        let outcome = if timeout_ms == 0 {
            hop.await?
        } else {
            tokio::time::timeout(Duration::from_millis(timeout_ms), hop)
                .await
                .map_err(|_| EngineError::HandshakeTimeout {
                    url: url.to_string(),
                    timeout_ms,
                    phase: phase.describe(),
                })??
        };
        match outcome {
            Hop::Open(mut established) => {
                established.info.timings.total = started.elapsed();
                return Ok(established);
            }
            Hop::Redirect { status, location } => {
                if !req.settings.follow_redirects {
                    return Err(EngineError::RedirectNotFollowed { status, location });
                }
                let next = redirect_target(&url, status, &location)?;
                hops += 1;
                if hops > req.settings.max_redirects {
                    return Err(EngineError::TooManyRedirects {
                        max: req.settings.max_redirects,
                    });
                }
                if !visited.insert(next.as_str().to_owned()) {
                    return Err(EngineError::RedirectLoop {
                        url: next.to_string(),
                        hops,
                    });
                }
                let mut dropped = Vec::new();
                if !same_origin_host(&url, &next) {
                    headers.retain(|(name, _)| {
                        let credential = CREDENTIAL_HEADERS.contains(name);
                        if credential {
                            dropped.push(name.as_str().to_owned());
                        }
                        !credential
                    });
                }
                log.append(EventKind::Redirect {
                    status,
                    from: url.to_string(),
                    to: next.to_string(),
                    hop: hops,
                    dropped_headers: dropped,
                });
                url = next;
            }
        }
    }
}

/// The TLS configuration of a hop, and what the user configured (for the wording of errors).
struct TlsUse<'a> {
    config: &'a Arc<ClientConfig>,
    context: crate::tls::TlsContext,
}

enum Hop {
    Open(Box<Established>),
    Redirect { status: u16, location: String },
}

/// Same scheme, host and port, as curl decides whether credentials may follow a redirect
/// (a wss → ws hop on the same host would otherwise send them in clear).
fn same_origin_host(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

fn redirect_target(current: &Url, status: u16, location: &str) -> Result<Url, EngineError> {
    let mut next = current
        .join(location)
        .map_err(|e| EngineError::BadRedirect {
            status,
            message: format!("Location {location:?} is not a URL: {e}"),
        })?;
    let scheme = match next.scheme() {
        "ws" | "http" => "ws",
        "wss" | "https" => "wss",
        other => {
            return Err(EngineError::BadRedirect {
                status,
                message: format!(
                    "Location {location:?} has scheme {other:?}, not ws/wss/http/https"
                ),
            });
        }
    };
    if next.scheme() != scheme {
        // Both schemes are "special" in the url crate, so switching between them succeeds.
        next.set_scheme(scheme)
            .map_err(|()| EngineError::BadRedirect {
                status,
                message: format!("cannot use {location:?} as a WebSocket URL"),
            })?;
    }
    next.set_fragment(None);
    Ok(next)
}

/// How far a hop got, so that a timeout can say where it stalled.
#[derive(Debug, Default)]
struct Phase(std::sync::atomic::AtomicU8);

impl Phase {
    const RESOLVING: u8 = 0;
    const CONNECTING: u8 = 1;
    const TLS: u8 = 2;
    const UPGRADE: u8 = 3;

    fn set(&self, phase: u8) {
        self.0.store(phase, std::sync::atomic::Ordering::Relaxed);
    }

    fn describe(&self) -> &'static str {
        match self.0.load(std::sync::atomic::Ordering::Relaxed) {
            Self::RESOLVING => "while resolving the host name",
            Self::CONNECTING => "while connecting (TCP)",
            Self::TLS => "during the TLS handshake",
            _ => "waiting for the server to answer the upgrade request",
        }
    }
}

/// One hop: connect and send the upgrade request; either it opens or it redirects.
async fn attempt(
    url: &Url,
    headers: &[(HeaderName, HeaderValue)],
    tls: &TlsUse<'_>,
    phase: &Phase,
) -> Result<Hop, EngineError> {
    let mut timings = HandshakeTimings::default();
    let host = url.host_str().unwrap_or_default().to_owned();
    let port = url.port_or_known_default().unwrap_or(80);

    let t = Instant::now();
    let addrs = resolve(&host, port).await?;
    timings.dns = t.elapsed();

    let t = Instant::now();
    phase.set(Phase::CONNECTING);
    let (tcp, remote_addr) = connect_any(&addrs).await?;
    timings.connect = t.elapsed();
    // Small messages must not wait for Nagle: interactive use and ping-pong latency depend on it.
    let _ = tcp.set_nodelay(true);

    let t = Instant::now();
    phase.set(Phase::TLS);
    let (stream, tls_desc) = secure(tcp, url, &host, tls).await?;
    timings.tls = t.elapsed();

    let t = Instant::now();
    phase.set(Phase::UPGRADE);
    let key = new_key();
    let (request, request_head) = build_request(url, headers, &key)?;
    let offered_protocols = offered_protocols(&request);
    let (mut response, mut connection) = send_upgrade(stream, request, url, &host, tls).await?;
    let status = response.status();

    if status == StatusCode::SWITCHING_PROTOCOLS {
        let response_head = response_head(&response);
        let accepted = upgrade_check::check_upgrade(
            response.version(),
            response.headers(),
            &upgrade_check::Offer {
                expected_accept: &accept_for(&key),
                protocols: &offered_protocols,
                extensions_by_hand: request_head
                    .headers
                    .iter()
                    .any(|(name, _)| name.eq_ignore_ascii_case("sec-websocket-extensions")),
            },
        )?;
        let stream = take_upgraded(&mut response, &mut connection).await?;
        timings.upgrade = t.elapsed();
        let info = HandshakeInfo {
            url: url.to_string(),
            remote_addr,
            request: request_head,
            response: response_head,
            protocol: accepted.protocol,
            extensions: accepted.extensions,
            tls: tls_desc,
            timings,
        };
        return Ok(Hop::Open(Box::new(Established { stream, info })));
    }
    not_upgraded(response, request_head).await
}

/// The addresses of `host` (brackets of an IPv6 literal removed); a name under `.invalid`
/// fails without asking DNS.
async fn resolve(host: &str, port: u16) -> Result<Vec<SocketAddr>, EngineError> {
    let lookup_host = host.trim_start_matches('[').trim_end_matches(']');
    if is_reserved_invalid(lookup_host) {
        return Err(EngineError::Resolve {
            host: host.to_owned(),
            message: "names under .invalid never resolve (RFC 6761)".into(),
        });
    }
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((lookup_host, port))
        .await
        .map_err(|e| EngineError::Resolve {
            host: host.to_owned(),
            message: e.to_string(),
        })?
        .collect();
    if addrs.is_empty() {
        return Err(EngineError::Resolve {
            host: host.to_owned(),
            message: "no addresses found".into(),
        });
    }
    Ok(addrs)
}

/// The TLS handshake for `wss://` (with the protocol and cipher suite, for the handshake
/// details), or the plain stream for `ws://`.
async fn secure(
    tcp: TcpStream,
    url: &Url,
    host: &str,
    tls: &TlsUse<'_>,
) -> Result<(MaybeTls, Option<String>), EngineError> {
    if url.scheme() != "wss" {
        return Ok((MaybeTls::Plain(tcp), None));
    }
    let name = server_name(url)?;
    let tls_stream = TlsConnector::from(tls.config.clone())
        .connect(name, tcp)
        .await
        .map_err(|e| {
            let (message, hint) = crate::tls::describe_tls_error(&e, tls.context);
            EngineError::Tls {
                host: host.to_owned(),
                message,
                hint,
            }
        })?;
    let (_, conn) = tls_stream.get_ref();
    let desc = format!(
        "{} {}",
        conn.protocol_version()
            .and_then(|v| v.as_str())
            .unwrap_or("TLS"),
        conn.negotiated_cipher_suite()
            .and_then(|s| s.suite().as_str())
            .unwrap_or("")
    )
    .trim()
    .to_owned();
    Ok((MaybeTls::Tls(Box::new(tls_stream)), Some(desc)))
}

/// The subprotocols the request offers, one by one.
fn offered_protocols(request: &Request<Empty<Bytes>>) -> Vec<String> {
    request
        .headers()
        .get_all(header::SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty())
        .collect()
}

/// Sends the upgrade request over `stream` and waits for the answer's head. The connection
/// task comes back too: the upgrade is taken from it once the answer is checked.
async fn send_upgrade(
    stream: MaybeTls,
    request: Request<Empty<Bytes>>,
    url: &Url,
    host: &str,
    tls: &TlsUse<'_>,
) -> Result<(Response<Incoming>, UpgradeTask), EngineError> {
    let (mut sender, conn) = hyper::client::conn::http1::Builder::new()
        .title_case_headers(true)
        .handshake::<_, Empty<Bytes>>(TokioIo::new(stream))
        .await
        .map_err(|e| EngineError::Io(e.to_string()))?;
    // Aborted if this hop is dropped (handshake timeout), so the socket does not linger.
    let mut connection = AbortOnDrop(Some(tokio::spawn(conn.with_upgrades())));
    match sender.send_request(request).await {
        Ok(response) => Ok((response, connection)),
        Err(e) => {
            // With TLS 1.3 a refused client certificate arrives as an alert after the
            // handshake: the request is cancelled and the real cause is the connection's.
            let cause = match connection.0.take() {
                Some(handle) => handle.await.ok().and_then(Result::err),
                None => None,
            };
            if let Some(tls_error) = cause
                .as_ref()
                .and_then(|c| tls_failure(c, host, tls.context))
            {
                return Err(tls_error);
            }
            if cause.is_none() && e.is_canceled() {
                // The connection ended before any answer and its cause was lost (e.g. a reset
                // overtook a TLS alert).
                return Err(EngineError::Connect {
                    addr: url.to_string(),
                    message: "the server closed the connection during the handshake".into(),
                    hint: if url.scheme() == "wss" {
                        "; if the server requires a client certificate, pass --cert and --key"
                    } else {
                        ""
                    },
                });
            }
            Err(describe_hyper_error(cause.as_ref().unwrap_or(&e), url))
        }
    }
}

/// hyper's task driving one hop's connection until the upgrade (aborted when dropped).
type UpgradeTask = AbortOnDrop<Result<(), hyper::Error>>;

/// The connection, taken back from hyper after a checked 101 answer, with whatever bytes
/// hyper had already read past the answer's head.
async fn take_upgraded(
    response: &mut Response<Incoming>,
    connection: &mut UpgradeTask,
) -> Result<Prefixed<MaybeTls>, EngineError> {
    let upgraded = hyper::upgrade::on(response)
        .await
        .map_err(|e| EngineError::InvalidHandshake(format!("upgrade failed: {e}")))?;
    // The upgrade has completed, so the connection task has finished its work.
    connection.0.take();
    let parts = upgraded.downcast::<TokioIo<MaybeTls>>().map_err(|_| {
        EngineError::InvalidHandshake("internal: upgraded stream has an unexpected type".into())
    })?;
    Ok(Prefixed::new(&parts.read_buf, parts.io.into_inner()))
}

/// An answer other than 101: a redirect to follow, or the refusal with its status, headers
/// and the start of its body.
async fn not_upgraded(
    response: Response<Incoming>,
    request_head: HttpHead,
) -> Result<Hop, EngineError> {
    let status = response.status();
    if status.is_redirection() && status != StatusCode::NOT_MODIFIED {
        if let Some(location) = response
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
        {
            return Ok(Hop::Redirect {
                status: status.as_u16(),
                location: location.to_owned(),
            });
        }
        return Err(EngineError::BadRedirect {
            status: status.as_u16(),
            message: "no Location header".into(),
        });
    }
    let head = response_head(&response);
    let body = read_body_prefix(response).await;
    Err(EngineError::HandshakeRejected {
        status: status.as_u16(),
        reason: status.canonical_reason().unwrap_or("").to_owned(),
        headers: head.headers,
        body,
        request: Box::new(request_head),
    })
}

/// RFC 6761 §6.4: names under `.invalid` are guaranteed not to exist, and applications may
/// answer so without asking DNS — which also keeps tests of the failure path off the network.
fn is_reserved_invalid(host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    host == "invalid" || host.ends_with(".invalid")
}

async fn connect_any(addrs: &[SocketAddr]) -> Result<(TcpStream, SocketAddr), EngineError> {
    let mut last_err = None;
    for addr in addrs {
        match TcpStream::connect(addr).await {
            Ok(s) => return Ok((s, *addr)),
            Err(e) => last_err = Some((*addr, e)),
        }
    }
    let (addr, e) = last_err.ok_or_else(|| EngineError::Connect {
        addr: "?".into(),
        message: "no address to connect to".into(),
        hint: "",
    })?;
    let hint = match e.kind() {
        io::ErrorKind::ConnectionRefused => {
            "; nothing is listening there: is the server running, and is the port right?"
        }
        io::ErrorKind::TimedOut => "; the host did not answer: check the address and firewall",
        _ => "",
    };
    Err(EngineError::Connect {
        addr: addr.to_string(),
        message: e.to_string(),
        hint,
    })
}

fn server_name(url: &Url) -> Result<ServerName<'static>, EngineError> {
    match url.host() {
        Some(url::Host::Domain(d)) => {
            ServerName::try_from(d.to_owned()).map_err(|e| EngineError::InvalidUrl {
                url: url.to_string(),
                reason: format!("host is not a valid TLS server name: {e}"),
            })
        }
        Some(url::Host::Ipv4(ip)) => Ok(ServerName::IpAddress(std::net::IpAddr::V4(ip).into())),
        Some(url::Host::Ipv6(ip)) => Ok(ServerName::IpAddress(std::net::IpAddr::V6(ip).into())),
        None => Err(EngineError::InvalidUrl {
            url: url.to_string(),
            reason: "no host".into(),
        }),
    }
}

fn new_key() -> String {
    let mut nonce = [0u8; 16];
    // The OS random source failing is not something a client can work around; a fixed nonce
    // still yields a valid handshake, it only loses proxy cache-busting.
    let _ = getrandom::fill(&mut nonce);
    base64::engine::general_purpose::STANDARD.encode(nonce)
}

fn accept_for(key: &str) -> String {
    let mut sha = Sha1::new();
    sha.update(key.as_bytes());
    sha.update(b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
    base64::engine::general_purpose::STANDARD.encode(sha.finalize())
}

fn build_request(
    url: &Url,
    user_headers: &[(HeaderName, HeaderValue)],
    key: &str,
) -> Result<(Request<Empty<Bytes>>, HttpHead), EngineError> {
    let mut target = url.path().to_owned();
    if let Some(q) = url.query() {
        target.push('?');
        target.push_str(q);
    }
    let host = match url.port() {
        Some(port) => format!("{}:{port}", url.host_str().unwrap_or_default()),
        None => url.host_str().unwrap_or_default().to_owned(),
    };
    let mut headers: Vec<(HeaderName, HeaderValue)> = Vec::new();
    let mut set = |name: HeaderName, value: &str| -> Result<(), EngineError> {
        let value = HeaderValue::from_str(value).map_err(|e| EngineError::InvalidHeader {
            name: name.to_string(),
            reason: e.to_string(),
        })?;
        headers.push((name, value));
        Ok(())
    };
    set(header::HOST, &host)?;
    set(header::UPGRADE, "websocket")?;
    set(header::CONNECTION, "Upgrade")?;
    set(header::SEC_WEBSOCKET_KEY, key)?;
    set(header::SEC_WEBSOCKET_VERSION, "13")?;
    set(
        header::USER_AGENT,
        concat!("wsdeck/", env!("CARGO_PKG_VERSION")),
    )?;
    // A user header replaces a default one of the same name (Host, User-Agent, Origin, …);
    // repeated user headers are all sent.
    let user_names: HashSet<&HeaderName> = user_headers.iter().map(|(n, _)| n).collect();
    headers.retain(|(n, _)| !user_names.contains(n) || *n == header::SEC_WEBSOCKET_KEY);
    headers.extend(
        user_headers
            .iter()
            .filter(|(n, _)| *n != header::SEC_WEBSOCKET_KEY)
            .cloned(),
    );

    let mut builder = Request::builder().method("GET").uri(target.as_str());
    let mut head_headers = Vec::with_capacity(headers.len());
    for (name, value) in &headers {
        head_headers.push((
            title_case(name.as_str()),
            String::from_utf8_lossy(value.as_bytes()).into_owned(),
        ));
        builder = builder.header(name, value);
    }
    let request = builder
        .body(Empty::new())
        .map_err(|e| EngineError::InvalidUrl {
            url: url.to_string(),
            reason: e.to_string(),
        })?;
    Ok((
        request,
        HttpHead {
            start_line: format!("GET {target} HTTP/1.1"),
            headers: head_headers,
        },
    ))
}

/// The header name as hyper's title-case writer puts it on the wire.
fn title_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = true;
    for c in name.chars() {
        out.push(if upper { c.to_ascii_uppercase() } else { c });
        upper = c == '-';
    }
    out
}

fn response_head(response: &Response<Incoming>) -> HttpHead {
    let status = response.status();
    HttpHead {
        start_line: format!(
            "HTTP/1.1 {} {}",
            status.as_u16(),
            status.canonical_reason().unwrap_or("")
        ),
        headers: response
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    title_case(n.as_str()),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
    }
}

/// A TLS failure somewhere in the causes of a hyper error, worded for people.
fn tls_failure(
    e: &hyper::Error,
    host: &str,
    context: crate::tls::TlsContext,
) -> Option<EngineError> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    while let Some(err) = source {
        if let Some(io_err) = err.downcast_ref::<io::Error>()
            && io_err
                .get_ref()
                .is_some_and(|inner| inner.is::<rustls::Error>())
        {
            let (message, hint) = crate::tls::describe_tls_error(io_err, context);
            return Some(EngineError::Tls {
                host: host.to_owned(),
                message,
                hint,
            });
        }
        source = err.source();
    }
    None
}

fn describe_hyper_error(e: &hyper::Error, url: &Url) -> EngineError {
    if e.is_incomplete_message() || e.is_closed() {
        EngineError::Connect {
            addr: url.to_string(),
            message: "the server closed the connection before answering the upgrade request".into(),
            hint: "; is it a WebSocket server, and is the scheme (ws/wss) right?",
        }
    } else if e.is_parse() {
        EngineError::InvalidHandshake(format!(
            "server at {url} did not answer with HTTP/1.1 ({e}); is it a WebSocket server, and is the scheme (ws/wss) right?"
        ))
    } else {
        // hyper's own text ("connection error") hides the cause: say the I/O error's.
        match io_cause(e) {
            Some(io_err)
                if matches!(
                    io_err.kind(),
                    io::ErrorKind::UnexpectedEof
                        | io::ErrorKind::ConnectionReset
                        | io::ErrorKind::ConnectionAborted
                        | io::ErrorKind::BrokenPipe
                ) =>
            {
                EngineError::Connect {
                    addr: url.to_string(),
                    message:
                        "the server closed the connection before answering the upgrade request"
                            .into(),
                    hint: "; is it a WebSocket server, and is the scheme (ws/wss) right?",
                }
            }
            Some(io_err) => EngineError::Io(format!("{e}: {io_err}")),
            None => EngineError::Io(format!("{e}")),
        }
    }
}

/// The I/O error somewhere in a hyper error's causes.
fn io_cause(e: &hyper::Error) -> Option<&io::Error> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    while let Some(err) = source {
        if let Some(io_err) = err.downcast_ref::<io::Error>() {
            return Some(io_err);
        }
        source = err.source();
    }
    None
}

/// The first few KiB of a refusal's body, for the error message; never waits long.
async fn read_body_prefix(response: Response<Incoming>) -> String {
    let mut body = response.into_body();
    let mut out = Vec::new();
    let read = async {
        while out.len() < MAX_REJECTION_BODY {
            match body.frame().await {
                Some(Ok(frame)) => {
                    if let Ok(mut data) = frame.into_data() {
                        let take = data.remaining().min(MAX_REJECTION_BODY - out.len());
                        out.extend_from_slice(&data.copy_to_bytes(take));
                    }
                }
                _ => break,
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(2), read).await;
    String::from_utf8_lossy(&out).trim().to_owned()
}

/// Aborts a spawned task when dropped (a detached task would outlive a cancelled hop).
struct AbortOnDrop<T>(Option<tokio::task::JoinHandle<T>>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        if let Some(handle) = self.0.take() {
            handle.abort();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_key_matches_rfc_example() {
        // RFC 6455 §1.3.
        assert_eq!(
            accept_for("dGhlIHNhbXBsZSBub25jZQ=="),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        );
    }

    #[test]
    fn redirect_maps_http_schemes_and_resolves_relative_locations() {
        let base = Url::parse("ws://127.0.0.1:9001/a/b?x=1").unwrap_or_else(|e| panic!("{e}"));
        let next = redirect_target(&base, 302, "/echo").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(next.as_str(), "ws://127.0.0.1:9001/echo");
        let next =
            redirect_target(&base, 301, "https://example.test/x").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(next.as_str(), "wss://example.test/x");
        assert!(matches!(
            redirect_target(&base, 302, "ftp://x/"),
            Err(EngineError::BadRedirect { .. })
        ));
    }

    #[test]
    fn credentials_are_dropped_only_across_hosts() {
        let a = Url::parse("ws://127.0.0.1:9001/").unwrap_or_else(|e| panic!("{e}"));
        let b = Url::parse("ws://127.0.0.1:9001/other").unwrap_or_else(|e| panic!("{e}"));
        let c = Url::parse("ws://127.0.0.2:9001/").unwrap_or_else(|e| panic!("{e}"));
        assert!(same_origin_host(&a, &b));
        assert!(!same_origin_host(&a, &c));
    }

    #[test]
    fn invalid_tld_is_recognised_without_dns() {
        assert!(is_reserved_invalid("nonexistent.invalid"));
        assert!(is_reserved_invalid("A.INVALID."));
        assert!(!is_reserved_invalid("invalid.example"));
        assert!(!is_reserved_invalid("localhost"));
    }

    #[test]
    fn title_case_matches_wire_form() {
        assert_eq!(title_case("sec-websocket-key"), "Sec-Websocket-Key");
        assert_eq!(title_case("x-a"), "X-A");
    }
}
