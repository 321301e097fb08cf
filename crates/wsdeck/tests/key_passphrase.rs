//! `wsdeck connect --key KEY --key-passphrase-file FILE` (or `WSDECK_KEY_PASSPHRASE`): mutual
//! TLS with an encrypted PKCS#8 client key made by OpenSSL (the engine's fixtures), against
//! the echo server requiring client certificates on 127.0.0.1.

#[path = "common/run.rs"]
mod run;

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use wsdeck_echo::{EchoConfig, EchoServer, TlsConfig};

const BIN: &str = env!("CARGO_BIN_EXE_wsdeck");
const GUARD: Duration = Duration::from_secs(20);
const USAGE: i32 = 2;

fn fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../engine/tests/fixtures/client-key")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

/// The echo server over TLS, requiring a client certificate from the fixtures' CA.
struct MtlsEcho {
    server: Option<EchoServer>,
    rt: tokio::runtime::Runtime,
    server_ca: PathBuf,
}

impl MtlsEcho {
    fn start(name: &str) -> MtlsEcho {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        let server = rt
            .block_on(EchoServer::start(EchoConfig {
                tls: Some(TlsConfig::self_signed()),
                client_ca: Some(PathBuf::from(fixture("ca.pem"))),
                ..EchoConfig::default()
            }))
            .unwrap_or_else(|e| panic!("echo server: {e}"));
        let server_ca = std::env::temp_dir().join(format!(
            "wsdeck-key-passphrase-{}-{name}-server-ca.pem",
            std::process::id()
        ));
        std::fs::write(&server_ca, server.ca_pem().unwrap_or_default())
            .unwrap_or_else(|e| panic!("{e}"));
        MtlsEcho {
            server: Some(server),
            rt,
            server_ca,
        }
    }

    /// `connect URL --ca … --cert … --key KEY --exit-on-eof` and then `extra`.
    fn args(&self, key: &str, extra: &[&str]) -> Vec<String> {
        let url = self
            .server
            .as_ref()
            .map(|s| s.url("/echo"))
            .unwrap_or_default();
        let mut args: Vec<String> = vec![
            "connect".into(),
            url,
            "--ca".into(),
            self.server_ca.to_string_lossy().into_owned(),
            "--cert".into(),
            fixture("client.pem"),
            "--key".into(),
            fixture(key),
            "--exit-on-eof".into(),
        ];
        args.extend(extra.iter().map(|a| (*a).to_owned()));
        args
    }
}

impl Drop for MtlsEcho {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            self.rt.block_on(server.shutdown());
        }
        let _ = std::fs::remove_file(&self.server_ca);
    }
}

#[derive(Debug)]
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs wsdeck with `stdin`, `env` added, to the end (killed after [`GUARD`]).
fn wsdeck(args: &[String], env: &[(&str, &str)], stdin: &[u8]) -> Run {
    let mut command = Command::new(BIN);
    command.args(args).env_remove("WSDECK_KEY_PASSPHRASE");
    for (name, value) in env {
        command.env(name, value);
    }
    let (child, writer) = run::spawn_fed(command, stdin);
    let finished = run::finish(child, GUARD);
    let _ = writer.join();
    let run = Run {
        code: finished.code,
        stdout: String::from_utf8_lossy(&finished.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&finished.stderr).into_owned(),
    };
    assert!(
        finished.in_time,
        "wsdeck did not finish within {GUARD:?}: {run:?}"
    );
    run
}

const ENCRYPTED: &str = "client.pbkdf2-sha256-aes256.key";

#[test]
fn an_encrypted_key_with_its_passphrase_file_connects_over_mutual_tls() {
    let server = MtlsEcho::start("file");
    let passphrase = fixture("passphrase.txt");
    let run = wsdeck(
        &server.args(ENCRYPTED, &["--key-passphrase-file", &passphrase]),
        &[],
        b"over mutual TLS\n",
    );
    assert_eq!(run.code, Some(0), "{run:?}");
    assert_eq!(run.stdout, "over mutual TLS\n", "{run:?}");
}

#[test]
fn an_encrypted_key_with_the_passphrase_in_the_environment_connects() {
    let server = MtlsEcho::start("env");
    let passphrase =
        std::fs::read_to_string(fixture("passphrase.txt")).unwrap_or_else(|e| panic!("{e}"));
    let run = wsdeck(
        &server.args(ENCRYPTED, &[]),
        &[("WSDECK_KEY_PASSPHRASE", passphrase.trim_end())],
        b"from the environment\n",
    );
    assert_eq!(run.code, Some(0), "{run:?}");
    assert_eq!(run.stdout, "from the environment\n", "{run:?}");
}

#[test]
fn a_missing_passphrase_is_one_line_naming_the_flag() {
    let server = MtlsEcho::start("missing");
    let run = wsdeck(&server.args(ENCRYPTED, &[]), &[], b"");
    assert_eq!(run.code, Some(USAGE), "{run:?}");
    assert_eq!(run.stderr.lines().count(), 1, "{run:?}");
    assert!(run.stderr.contains("--key-passphrase-file"), "{run:?}");
    assert!(run.stderr.contains("WSDECK_KEY_PASSPHRASE"), "{run:?}");
}

#[test]
fn a_wrong_passphrase_is_one_line_and_never_shown() {
    let server = MtlsEcho::start("wrong");
    let wrong = std::env::temp_dir().join(format!(
        "wsdeck-key-passphrase-{}-wrong.txt",
        std::process::id()
    ));
    std::fs::write(&wrong, "s3cr3t-but-wrong\n").unwrap_or_else(|e| panic!("{e}"));
    let wrong_arg = wrong.to_string_lossy().into_owned();
    let run = wsdeck(
        &server.args(ENCRYPTED, &["--key-passphrase-file", &wrong_arg]),
        &[],
        b"",
    );
    let env_run = wsdeck(
        &server.args(ENCRYPTED, &[]),
        &[("WSDECK_KEY_PASSPHRASE", "env-s3cr3t-wrong")],
        b"",
    );
    let _ = std::fs::remove_file(&wrong);
    for (run, secret) in [(&run, "s3cr3t-but-wrong"), (&env_run, "env-s3cr3t-wrong")] {
        assert_eq!(run.code, Some(USAGE), "{run:?}");
        assert_eq!(run.stderr.lines().count(), 1, "{run:?}");
        assert!(run.stderr.contains("wrong passphrase"), "{run:?}");
        assert!(run.stderr.contains("--key-passphrase-file"), "{run:?}");
        assert!(!run.stderr.contains(secret), "{run:?}");
        assert!(!run.stdout.contains(secret), "{run:?}");
    }
}

#[test]
fn an_unreadable_passphrase_file_names_the_flag() {
    let server = MtlsEcho::start("unreadable");
    let run = wsdeck(
        &server.args(
            ENCRYPTED,
            &["--key-passphrase-file", "/nonexistent/wsdeck-passphrase"],
        ),
        &[],
        b"",
    );
    assert_eq!(run.code, Some(USAGE), "{run:?}");
    assert!(run.stderr.contains("--key-passphrase-file"), "{run:?}");
    assert!(
        run.stderr.contains("cannot read the passphrase file"),
        "{run:?}"
    );
}
