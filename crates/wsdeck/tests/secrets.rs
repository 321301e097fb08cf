//! Every value of every secret variable, however it arrived — `--var` for a name the
//! environment calls secret, `--secret`, an environment file, the workspace's secret store,
//! `user:password@` in the URL — is masked in everything wsdeck prints, logs, exports or
//! stores, except the payload bytes themselves (on the wire, raw received data in a pipe,
//! and message payloads in the history, which keeps messages exactly as sent).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

use common::Echo;

const BIN: &str = env!("CARGO_BIN_EXE_wsdeck");
/// Mixed case inside its words, so the title-cased header-name shape differs from it.
const SECRET: &str = "S3cRet-vaLue-42";

fn scratch(name: &str) -> PathBuf {
    static N: AtomicU32 = AtomicU32::new(0);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "secrets-{name}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    dir
}

/// One way a secret reaches wsdeck: the flags that give it, and the environment to run in.
struct Source {
    name: &'static str,
    /// Flags that define `{{token}}` (or, for URL credentials, nothing).
    flags: Vec<String>,
    /// Where `{{token}}` goes in the URL: the user info for credentials, else the query.
    url_credentials: bool,
    data_dir: PathBuf,
}

fn sources(dir: &Path) -> Vec<Source> {
    let data_dir = dir.join("data");
    let env_file = dir.join("env.json");
    std::fs::write(
        &env_file,
        format!(
            r#"{{"wsdeck_environment": 1, "name": "dev", "variables": [
                {{"name": "token", "value": "{SECRET}", "secret": true}}]}}"#
        ),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let decoy_env = dir.join("decoy.json");
    std::fs::write(
        &decoy_env,
        r#"{"wsdeck_environment": 1, "name": "dev", "variables": [
            {"name": "token", "value": "another-value", "secret": true}]}"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    // A workspace whose environment's secret value lives in the data folder.
    let root = dir.join("workspace");
    let workspace = wsdeck_workspace::Workspace::open(&root, &data_dir);
    let mut env = wsdeck_workspace::Environment {
        slug: "staging".into(),
        name: "Staging".into(),
        variables: vec![wsdeck_workspace::Variable {
            name: "token".into(),
            value: SECRET.into(),
            enabled: true,
            secret: true,
        }],
        revision: None,
    };
    workspace
        .save_environment(&mut env)
        .unwrap_or_else(|e| panic!("{e}"));
    let text = |s: &str| s.to_owned();
    vec![
        Source {
            name: "--var for a secret's name",
            flags: vec![
                text("--env"),
                decoy_env.to_string_lossy().into_owned(),
                text("--var"),
                format!("token={SECRET}"),
            ],
            url_credentials: false,
            data_dir: data_dir.clone(),
        },
        Source {
            name: "--secret",
            flags: vec![text("--secret"), format!("token={SECRET}")],
            url_credentials: false,
            data_dir: data_dir.clone(),
        },
        Source {
            name: "environment file",
            flags: vec![text("--env"), env_file.to_string_lossy().into_owned()],
            url_credentials: false,
            data_dir: data_dir.clone(),
        },
        Source {
            name: "workspace secret store",
            flags: vec![
                text("--workspace"),
                root.to_string_lossy().into_owned(),
                text("--env"),
                text("staging"),
            ],
            url_credentials: false,
            data_dir: data_dir.clone(),
        },
        Source {
            name: "URL credentials",
            flags: Vec::new(),
            url_credentials: true,
            data_dir,
        },
    ]
}

struct Output {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn wsdeck(args: &[String], data_dir: &Path) -> Output {
    let out = Command::new(BIN)
        .args(args)
        .env("WSDECK_DATA_DIR", data_dir)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {BIN}: {e}"));
    Output {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The URL for `path` with the secret in it the way `source` puts it there.
fn url(echo: &Echo, path: &str, source: &Source) -> String {
    let plain = echo.url(path);
    if source.url_credentials {
        plain.replacen("ws://", &format!("ws://user:{SECRET}@"), 1)
    } else {
        let sep = if path.contains('?') { '&' } else { '?' };
        format!("{plain}{sep}t={{{{token}}}}")
    }
}

fn assert_hidden(what: &str, source: &Source, text: &str) {
    assert!(
        !text.contains(SECRET) && !text.to_lowercase().contains(&SECRET.to_lowercase()),
        "{} shows the secret given by {}:\n{text}",
        what,
        source.name
    );
}

#[test]
fn every_secret_source_is_masked_in_every_output() {
    let echo = Echo::start();
    let dir = scratch("matrix");
    for source in sources(&dir) {
        let s = |v: &str| v.to_owned();
        let header_flags = if source.url_credentials {
            Vec::new()
        } else {
            vec![
                s("-H"),
                s("Authorization: Bearer {{token}}"),
                s("-H"),
                s("X-{{token}}: in a header name"),
                s("-H"),
                s("X-Token: {{token}}"),
                s("-x"),
                s("message with {{token}}"),
            ]
        };
        // Printed: --jsonl, -v on stderr, a hexdump and a pretty view of what came back
        // (/headers answers with the request's headers, the secret among them).
        for view in [
            &["--jsonl"][..],
            &["-v"],
            &["--hexdump", "-v"],
            &["--pretty"],
        ] {
            let mut args = vec![s("connect"), url(&echo, "/headers", &source)];
            args.extend(source.flags.iter().cloned());
            args.extend(header_flags.iter().cloned());
            args.extend(view.iter().map(|v| s(v)));
            args.extend([s("--wait"), s("100")]);
            let out = wsdeck(&args, &source.data_dir);
            assert_eq!(
                out.code,
                Some(0),
                "{}: {:?}\n{}",
                source.name,
                view,
                out.stderr
            );
            assert_hidden(&format!("stderr of {view:?}"), &source, &out.stderr);
            if view != ["-v"] {
                assert_hidden(&format!("stdout of {view:?}"), &source, &out.stdout);
            }
            assert!(
                out.stdout.contains("****") || out.stderr.contains("****") || view == ["-v"],
                "{}: {view:?} masks nothing: the secret did not reach the output at all?\n{}\n{}",
                source.name,
                out.stdout,
                out.stderr
            );
        }
        // An error that carries the request (a refused handshake: the URL and both heads).
        let mut args = vec![
            s("connect"),
            url(&echo, "/status?code=401", &source),
            s("--jsonl"),
        ];
        args.extend(source.flags.iter().cloned());
        args.extend(header_flags.iter().take(6).cloned());
        let out = wsdeck(&args, &source.data_dir);
        assert_eq!(out.code, Some(4), "{}\n{}", source.name, out.stderr);
        assert_hidden("a refused handshake (stdout)", &source, &out.stdout);
        assert_hidden("a refused handshake (stderr)", &source, &out.stderr);
        // Stored and exported: the history of a recorded session.
        let db = dir.join(format!("history-{}.db", source.name.replace(' ', "-")));
        let db = db.to_string_lossy().into_owned();
        let mut args = vec![s("connect"), url(&echo, "/echo", &source)];
        args.extend(source.flags.iter().cloned());
        args.extend(header_flags.iter().take(6).cloned());
        args.extend([
            s("--record"),
            s("--history"),
            db.clone(),
            s("--wait"),
            s("50"),
        ]);
        let out = wsdeck(&args, &source.data_dir);
        assert_eq!(out.code, Some(0), "{}\n{}", source.name, out.stderr);
        for history in [
            vec![s("history"), s("list"), s("--history"), db.clone()],
            vec![s("history"), s("show"), s("1"), s("--history"), db.clone()],
            vec![
                s("history"),
                s("export"),
                s("1"),
                s("--history"),
                db.clone(),
            ],
            vec![
                s("history"),
                s("export"),
                s("1"),
                s("--har"),
                s("--history"),
                db.clone(),
            ],
        ] {
            let out = wsdeck(&history, &source.data_dir);
            assert_eq!(out.code, Some(0), "{history:?}\n{}", out.stderr);
            assert_hidden(&format!("{history:?}"), &source, &out.stdout);
        }
    }
}
