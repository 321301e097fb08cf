//! `wss://` against the echo server's generated certificates on 127.0.0.1: verification,
//! custom CA, the insecure switch and mutual TLS.

mod common;

use common::{Events, is_message_in, open_err, open_ok, start_server_with, temp_file, temp_path};
use wsdeck_echo::{EchoConfig, EchoServer, TlsConfig, generate_mtls_material};
use wsdeck_engine::{Engine, EngineError, ErrorClass, Payload, RequestSpec, Session};

async fn tls_server() -> EchoServer {
    start_server_with(EchoConfig {
        tls: Some(TlsConfig::self_signed()),
        ..EchoConfig::default()
    })
    .await
}

fn ca_file(server: &EchoServer) -> std::path::PathBuf {
    let pem = server.ca_pem().expect("a self-signed server has a CA");
    temp_file("ca.pem", &pem)
}

async fn assert_echoes(session: &Session) {
    session
        .send(Payload::text("over TLS"))
        .await
        .expect("send over TLS");
    let mut events = Events::of(session);
    events.expect("echo over TLS", is_message_in).await;
    assert_eq!(
        events.messages(wsdeck_engine::Direction::In),
        vec![Payload::text("over TLS")]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn untrusted_certificate_fails_with_a_hint_to_use_ca_or_insecure() {
    let server = tls_server().await;
    let url = server.url("/echo");
    assert!(url.starts_with("wss://localhost:"), "{url}");
    let engine = Engine::new();
    let (_session, err) = open_err(&engine, RequestSpec::new(url)).await;
    assert!(
        matches!(&err, EngineError::Tls { host, .. } if host == "localhost"),
        "{err:?}"
    );
    assert_eq!(err.class(), ErrorClass::Tls);
    let text = err.to_string();
    assert!(
        text.contains("--ca") || text.contains("--insecure"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn custom_ca_file_is_trusted_and_the_connection_echoes() {
    let server = tls_server().await;
    let ca = ca_file(&server);
    let engine = Engine::new();
    let mut spec = RequestSpec::new(server.url("/echo"));
    spec.settings.tls.ca_file = Some(ca.clone());
    let (session, info) = open_ok(&engine, spec).await;
    assert!(info.tls.is_some(), "wss:// reports its TLS parameters");
    assert_echoes(&session).await;
    let _ = std::fs::remove_file(ca);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verification_off_accepts_an_untrusted_certificate() {
    let server = tls_server().await;
    let engine = Engine::new();
    let mut spec = RequestSpec::new(server.url("/echo"));
    spec.settings.tls.verify = false;
    let (session, info) = open_ok(&engine, spec).await;
    assert!(info.tls.is_some());
    assert_echoes(&session).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mutual_tls_server_refuses_a_client_without_certificate() {
    let material = generate_mtls_material("wsdeck test client").expect("mTLS material");
    let dir = temp_path("mtls-refuse");
    let files = material.write_to_dir(&dir).expect("write mTLS files");
    let server = start_server_with(EchoConfig {
        tls: Some(TlsConfig::self_signed()),
        client_ca: Some(files.ca_cert.clone()),
        ..EchoConfig::default()
    })
    .await;
    let ca = ca_file(&server);
    let engine = Engine::new();
    let mut spec = RequestSpec::new(server.url("/echo"));
    spec.settings.tls.ca_file = Some(ca.clone());
    let (_session, err) = open_err(&engine, spec).await;
    // TLS 1.3 reports the refusal as an alert after the handshake (a reset can overtake it):
    // the engine must call it a TLS or connect failure and point at --cert/--key.
    assert!(
        matches!(err.class(), ErrorClass::Tls | ErrorClass::Connect),
        "{err:?}"
    );
    assert!(err.to_string().contains("--cert"), "{err}");
    let _ = std::fs::remove_dir_all(dir);
    let _ = std::fs::remove_file(ca);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mutual_tls_server_accepts_a_client_with_its_certificate() {
    let material = generate_mtls_material("wsdeck test client").expect("mTLS material");
    let dir = temp_path("mtls-accept");
    let files = material.write_to_dir(&dir).expect("write mTLS files");
    let server = start_server_with(EchoConfig {
        tls: Some(TlsConfig::self_signed()),
        client_ca: Some(files.ca_cert.clone()),
        ..EchoConfig::default()
    })
    .await;
    let ca = ca_file(&server);
    let engine = Engine::new();
    let mut spec = RequestSpec::new(server.url("/echo"));
    spec.settings.tls.ca_file = Some(ca.clone());
    spec.settings.tls.client_cert = Some(files.client_cert.clone());
    spec.settings.tls.client_key = Some(files.client_key.clone());
    let (session, _) = open_ok(&engine, spec).await;
    assert_echoes(&session).await;
    let _ = std::fs::remove_dir_all(dir);
    let _ = std::fs::remove_file(ca);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_ca_file_is_a_request_error_naming_the_path() {
    let engine = Engine::new();
    let missing = temp_path("no-such-ca.pem");
    let mut spec = RequestSpec::new("wss://localhost:1/echo");
    spec.settings.tls.ca_file = Some(missing.clone());
    let err = engine
        .open(spec)
        .expect_err("a missing CA file is rejected before connecting");
    assert!(matches!(err, EngineError::TlsConfig(_)), "{err:?}");
    assert_eq!(err.class(), ErrorClass::InvalidRequest);
    assert!(
        err.to_string().contains(&missing.display().to_string()),
        "{err}"
    );
    assert!(engine.sessions().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authorization_is_not_forwarded_when_a_redirect_leaves_tls() {
    // Same host and port, but wss:// -> ws://: the credentials would travel in clear text.
    // curl sends credentials on a redirect only to the same scheme, host and port.
    let server = tls_server().await;
    let ca = ca_file(&server);
    let port = server.local_addr().port();
    let engine = Engine::new();
    let mut spec = RequestSpec::new(server.url("/redirect"));
    spec.params = vec![("to".into(), format!("ws://localhost:{port}/headers"))];
    spec.headers = vec![("Authorization".into(), "Bearer secret".into())];
    spec.settings.tls.ca_file = Some(ca.clone());
    let session = common::open(&engine, spec);
    let mut events = Events::of(&session);
    let redirect = events
        .expect("Redirect to ws://", |e| {
            matches!(e.kind, wsdeck_engine::EventKind::Redirect { .. })
        })
        .await;
    match &redirect.kind {
        wsdeck_engine::EventKind::Redirect {
            to,
            dropped_headers,
            ..
        } => {
            assert!(to.starts_with("ws://localhost:"), "{to}");
            assert_eq!(
                dropped_headers,
                &vec!["authorization".to_owned()],
                "a redirect from wss:// to ws:// must not forward Authorization:\n{}",
                events.describe()
            );
        }
        other => panic!("{other:?}"),
    }
    // The plain-text hop to a TLS port fails; the session ends either way.
    events.until_end("log end").await;
    let _ = std::fs::remove_file(ca);
}
