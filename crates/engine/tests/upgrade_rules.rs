//! RFC 6455 §4.1 and §11.3 on the server's 101 answer: a raw TCP server on 127.0.0.1 answers
//! the upgrade with a correct key but one rule broken, and the engine must refuse to open,
//! in words that say what the server sent, which rule it broke, and that the server is at
//! fault. Each broken case has a conforming neighbour that must open, so the checks are not
//! simply refusing everything.

mod common;

use base64::Engine as _;
use sha1::{Digest, Sha1};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wsdeck_engine::{Engine, EngineError, ErrorClass, RequestSpec};

use common::{open_err, open_ok, within};

/// The answer to send: `{accept}` is replaced by the value computed from the request's key.
struct Answer {
    status_line: &'static str,
    headers: Vec<Vec<u8>>,
}

impl Answer {
    /// A conforming 101 answer, before any change.
    fn conforming() -> Self {
        Answer {
            status_line: "HTTP/1.1 101 Switching Protocols",
            headers: vec![
                b"Upgrade: websocket".to_vec(),
                b"Connection: Upgrade".to_vec(),
                b"Sec-WebSocket-Accept: {accept}".to_vec(),
            ],
        }
    }

    fn without(mut self, name: &str) -> Self {
        let prefix = format!("{}:", name.to_ascii_lowercase());
        self.headers
            .retain(|h| !h.to_ascii_lowercase().starts_with(prefix.as_bytes()));
        self
    }

    fn with(mut self, line: &[u8]) -> Self {
        self.headers.push(line.to_vec());
        self
    }

    fn replacing(self, name: &str, line: &[u8]) -> Self {
        self.without(name).with(line)
    }

    fn status(mut self, status_line: &'static str) -> Self {
        self.status_line = status_line;
        self
    }

    fn bytes(&self, accept: &str) -> Vec<u8> {
        let mut out = format!("{}\r\n", self.status_line).into_bytes();
        for header in &self.headers {
            let line = String::from_utf8_lossy(header);
            if line.contains("{accept}") {
                out.extend_from_slice(line.replace("{accept}", accept).as_bytes());
            } else {
                out.extend_from_slice(header);
            }
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"\r\n");
        out
    }
}

fn accept_for(key: &str) -> String {
    let mut sha = Sha1::new();
    sha.update(key.as_bytes());
    sha.update(b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
    base64::engine::general_purpose::STANDARD.encode(sha.finalize())
}

/// A server that answers one upgrade request with `answer` (the right Accept filled in), then
/// holds the socket open until the test ends.
async fn serve_once(answer: Answer) -> (u16, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("bind: {e}"));
    let port = listener
        .local_addr()
        .unwrap_or_else(|e| panic!("{e}"))
        .port();
    let server = tokio::spawn(async move {
        let Ok((mut socket, _)) = listener.accept().await else {
            return;
        };
        let mut request = Vec::new();
        let mut buf = [0u8; 1024];
        while !request.windows(4).any(|w| w == b"\r\n\r\n") && request.len() < 16 * 1024 {
            match socket.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => request.extend_from_slice(&buf[..n]),
            }
        }
        let text = String::from_utf8_lossy(&request);
        let key = text
            .lines()
            .find_map(|l| {
                let (name, value) = l.split_once(':')?;
                name.eq_ignore_ascii_case("sec-websocket-key")
                    .then(|| value.trim().to_owned())
            })
            .unwrap_or_default();
        let _ = socket.write_all(&answer.bytes(&accept_for(&key))).await;
        tokio::time::sleep(std::time::Duration::from_secs(5)).await;
    });
    (port, server)
}

fn spec(port: u16, protocols: &[&str]) -> RequestSpec {
    let mut spec = RequestSpec::new(format!("ws://127.0.0.1:{port}/"));
    spec.protocols = protocols.iter().map(|p| (*p).to_owned()).collect();
    spec
}

/// The answer must be refused; the message must quote `sent`, cite the RFC and blame the
/// server, in words.
async fn assert_refused(answer: Answer, protocols: &[&str], sent: &str) -> String {
    let (port, server) = serve_once(answer).await;
    let engine = Engine::new();
    let (_session, err) = open_err(&engine, spec(port, protocols)).await;
    server.abort();
    assert!(matches!(err, EngineError::InvalidHandshake(_)), "{err:?}");
    assert_eq!(err.class(), ErrorClass::HandshakeRefused);
    let text = err.to_string();
    assert!(
        text.contains(sent),
        "the message should quote {sent:?}: {text}"
    );
    assert!(
        text.contains("RFC 6455 §"),
        "the message should cite the rule: {text}"
    );
    assert!(
        text.contains("the server is at fault"),
        "the message should say whose fault it is: {text}"
    );
    for debug in ["Some(", "None", "[\"", "HeaderValue", "\\\"\\\""] {
        assert!(
            !text.contains(debug),
            "Rust debug text {debug:?} in: {text}"
        );
    }
    text
}

/// The answer must open, with `protocol` chosen.
async fn assert_opens(answer: Answer, protocols: &[&str], protocol: Option<&str>) {
    let (port, server) = serve_once(answer).await;
    let engine = Engine::new();
    let (session, info) = open_ok(&engine, spec(port, protocols)).await;
    assert_eq!(info.protocol.as_deref(), protocol);
    assert!(info.extensions.is_empty());
    let _ = within("close", session.close(Some(1000), "")).await;
    server.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upgrade_must_be_one_websocket_token_in_any_case() {
    assert_opens(
        Answer::conforming().replacing("Upgrade", b"Upgrade: WebSocket"),
        &[],
        None,
    )
    .await;
    assert_refused(
        Answer::conforming().without("Upgrade"),
        &[],
        "without an Upgrade header",
    )
    .await;
    assert_refused(
        Answer::conforming().replacing("Upgrade", b"Upgrade: h2c"),
        &[],
        "\"Upgrade: h2c\"",
    )
    .await;
    assert_refused(
        Answer::conforming().replacing("Upgrade", b"Upgrade: websocket, h2c"),
        &[],
        "\"Upgrade: websocket, h2c\"",
    )
    .await;
    assert_refused(
        Answer::conforming().with(b"Upgrade: websocket"),
        &[],
        "2 Upgrade headers",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connection_must_list_the_upgrade_token() {
    assert_opens(
        Answer::conforming().replacing("Connection", b"Connection: keep-alive, UPGRADE"),
        &[],
        None,
    )
    .await;
    assert_opens(
        Answer::conforming()
            .replacing("Connection", b"Connection: keep-alive")
            .with(b"Connection: upgrade"),
        &[],
        None,
    )
    .await;
    assert_refused(
        Answer::conforming().without("Connection"),
        &[],
        "without a Connection header",
    )
    .await;
    assert_refused(
        Answer::conforming().replacing("Connection", b"Connection: keep-alive"),
        &[],
        "\"Connection: keep-alive\"",
    )
    .await;
    assert_refused(
        Answer::conforming().replacing("Connection", b"Connection: upgraded"),
        &[],
        "\"Connection: upgraded\"",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sec_websocket_accept_must_appear_once_and_match_exactly() {
    assert_refused(
        Answer::conforming().without("Sec-WebSocket-Accept"),
        &[],
        "without a Sec-WebSocket-Accept header",
    )
    .await;
    // Correct twice is still twice (§11.3.3).
    let text = assert_refused(
        Answer::conforming().with(b"Sec-WebSocket-Accept: {accept}"),
        &[],
        "2 Sec-WebSocket-Accept headers",
    )
    .await;
    assert!(text.contains("only once"), "{text}");
    // A second, wrong value after the right one: the first is not enough.
    assert_refused(
        Answer::conforming().with(b"Sec-WebSocket-Accept: wrong"),
        &[],
        "2 Sec-WebSocket-Accept headers",
    )
    .await;
    // base64 is case-sensitive: the value must match exactly.
    assert_refused(
        Answer::conforming().replacing(
            "Sec-WebSocket-Accept",
            b"Sec-WebSocket-Accept: S3PPLMBITXAQ9KYGZZHZRBK+XOO=",
        ),
        &[],
        "\"Sec-WebSocket-Accept: S3PPLMBITXAQ9KYGZZHZRBK+XOO=\"",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extensions_that_were_not_offered_fail_the_connection() {
    let text = assert_refused(
        Answer::conforming().with(b"Sec-WebSocket-Extensions: permessage-deflate"),
        &[],
        "\"Sec-WebSocket-Extensions: permessage-deflate\"",
    )
    .await;
    assert!(text.contains("offered none"), "{text}");
    assert_refused(
        Answer::conforming().with(b"Sec-WebSocket-Extensions: "),
        &[],
        "\"Sec-WebSocket-Extensions: \"",
    )
    .await;
}

/// A Sec-WebSocket-Extensions header the user added by hand and the server accepted: the
/// connection still cannot be used (no extension is implemented), but the server is not to
/// blame, and the message says which header to remove.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_extension_offered_by_hand_and_accepted_is_refused_without_blaming_the_server() {
    let (port, server) =
        serve_once(Answer::conforming().with(b"Sec-WebSocket-Extensions: permessage-deflate"))
            .await;
    let engine = Engine::new();
    let mut spec = spec(port, &[]);
    spec.headers = vec![(
        "Sec-WebSocket-Extensions".into(),
        "permessage-deflate".into(),
    )];
    let (_session, err) = open_err(&engine, spec).await;
    server.abort();
    assert!(matches!(err, EngineError::InvalidHandshake(_)), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("\"Sec-WebSocket-Extensions: permessage-deflate\""),
        "{text}"
    );
    assert!(text.contains("remove that header"), "{text}");
    assert!(!text.contains("the server is at fault"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_subprotocol_must_be_one_that_was_offered() {
    assert_opens(
        Answer::conforming().with(b"Sec-WebSocket-Protocol: chat.v2"),
        &["chat.v1", "chat.v2"],
        Some("chat.v2"),
    )
    .await;
    // Leaving it out is allowed: no subprotocol.
    assert_opens(Answer::conforming(), &["chat.v1"], None).await;
    let text = assert_refused(
        Answer::conforming().with(b"Sec-WebSocket-Protocol: chat"),
        &[],
        "\"Sec-WebSocket-Protocol: chat\"",
    )
    .await;
    assert!(text.contains("offered none"), "{text}");
    let text = assert_refused(
        Answer::conforming().with(b"Sec-WebSocket-Protocol: chat.v3"),
        &["chat.v1", "chat.v2"],
        "\"Sec-WebSocket-Protocol: chat.v3\"",
    )
    .await;
    assert!(text.contains("\"chat.v1\", \"chat.v2\""), "{text}");
    // Subprotocol names are compared exactly.
    assert_refused(
        Answer::conforming().with(b"Sec-WebSocket-Protocol: CHAT.V1"),
        &["chat.v1"],
        "\"Sec-WebSocket-Protocol: CHAT.V1\"",
    )
    .await;
    let text = assert_refused(
        Answer::conforming().with(b"Sec-WebSocket-Protocol: chat.v1, chat.v2"),
        &["chat.v1", "chat.v2"],
        "\"Sec-WebSocket-Protocol: chat.v1, chat.v2\"",
    )
    .await;
    assert!(text.contains("exactly one"), "{text}");
    assert_refused(
        Answer::conforming()
            .with(b"Sec-WebSocket-Protocol: chat.v1")
            .with(b"Sec-WebSocket-Protocol: chat.v1"),
        &["chat.v1"],
        "2 Sec-WebSocket-Protocol headers",
    )
    .await;
    assert_refused(
        Answer::conforming().with(b"Sec-WebSocket-Protocol: "),
        &["chat.v1"],
        "\"Sec-WebSocket-Protocol: \"",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn header_values_that_are_not_ascii_text_fail_with_the_bytes_escaped() {
    // Before, a protocol header that was not text was skipped as if absent.
    let text = assert_refused(
        Answer::conforming().with(b"Sec-WebSocket-Protocol: chat\xff"),
        &["chat"],
        "chat\\xff",
    )
    .await;
    assert!(text.contains("not ASCII text"), "{text}");
    assert_refused(
        Answer::conforming().with(b"Sec-WebSocket-Extensions: \xe9"),
        &[],
        "\\xe9",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_answer_must_be_http_1_1() {
    assert_refused(
        Answer::conforming().status("HTTP/1.0 101 Switching Protocols"),
        &[],
        "HTTP/1.0",
    )
    .await;
}
