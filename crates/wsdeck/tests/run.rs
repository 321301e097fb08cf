//! Black-box tests of `wsdeck run`: a workspace written as a user would (TOML files), the
//! real binary, an echo server on 127.0.0.1.

mod common;

use std::path::PathBuf;
use std::process::{Command, Output};

use common::Echo;

const BIN: &str = env!("CARGO_BIN_EXE_wsdeck");

/// A temporary workspace and data folder, removed on drop.
struct Dirs {
    root: PathBuf,
}

impl Dirs {
    fn new(name: &str) -> Dirs {
        let root = std::env::temp_dir().join(format!("wsdeck-run-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("ws/collections/demo")).expect("mkdir");
        std::fs::create_dir_all(root.join("ws/environments")).expect("mkdir");
        std::fs::create_dir_all(root.join("data")).expect("mkdir");
        Dirs { root }
    }

    fn workspace(&self) -> PathBuf {
        self.root.join("ws")
    }

    fn write(&self, rel: &str, text: &str) -> PathBuf {
        let path = self.workspace().join(rel);
        std::fs::write(&path, text).expect("write");
        path
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(BIN)
            .arg("run")
            .args(args)
            .arg("--workspace")
            .arg(self.workspace())
            .env("WSDECK_DATA_DIR", self.root.join("data"))
            .output()
            .expect("wsdeck run")
    }
}

impl Drop for Dirs {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn request_file(url: &str, messages: &str) -> String {
    format!(
        "name = \"Hello\"\nurl = \"{url}\"\n\n[[params]]\nkey = \"room\"\nvalue = \"{{{{room}}}}\"\nenabled = true\n\n[[headers]]\nname = \"X-Off\"\nvalue = \"no\"\nenabled = false\n{messages}"
    )
}

const MESSAGES: &str = r#"
[[messages]]
name = "greet"
format = "text"
body = "hi {{name}}"

[[messages]]
name = "json"
format = "json"
body = '{"a": 1}'
delay_ms = 20

[[messages]]
name = "bytes"
format = "binary-hex"
body = "48 69 21"
"#;

#[test]
fn sends_the_saved_messages_in_order_with_the_environment() {
    let echo = Echo::start();
    let dirs = Dirs::new("ok");
    dirs.write(
        "collections/demo/hello.wsdeck.toml",
        &request_file(&echo.url("/echo"), MESSAGES),
    );
    dirs.write(
        "environments/local.env.toml",
        "name = \"Local\"\n\n[[variables]]\nname = \"name\"\nvalue = \"Ada\"\nenabled = true\n\n[[variables]]\nname = \"room\"\nvalue = \"lobby\"\nenabled = true\n",
    );
    let out = dirs.run(&["demo/hello", "--env", "local", "--wait", "300", "--jsonl"]);
    let stdout = text(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        text(&out.stderr)
    );
    // The echoes come back in the order sent; the param was resolved into the URL.
    let received: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .filter(|v: &serde_json::Value| v["type"] == "message" && v["direction"] == "in")
        .collect();
    let data: Vec<&str> = received
        .iter()
        .map(|v| v["data"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(data.len(), 3, "{stdout}");
    assert_eq!(data[0], "hi Ada");
    assert_eq!(data[1], r#"{"a": 1}"#);
    assert!(stdout.contains("room=lobby"), "{stdout}");
}

#[test]
fn a_message_that_cannot_be_sent_is_named_and_the_exit_code_says_so() {
    let echo = Echo::start();
    let dirs = Dirs::new("refused");
    let file = dirs.write(
        "collections/demo/hello.wsdeck.toml",
        &request_file(
            &echo.url("/echo"),
            "\n[[messages]]\nname = \"broken\"\nformat = \"json\"\nbody = '{\"a\": tru}'\n\n[[messages]]\nname = \"fine\"\nformat = \"text\"\nbody = \"ok\"\n",
        ),
    );
    // By file path, with the variable given on the command line.
    let out = dirs.run(&[
        file.to_str().expect("utf-8"),
        "--var",
        "room=r1",
        "--wait",
        "200",
    ]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("message 1 (broken) was not sent"),
        "{stderr}"
    );
    assert!(stderr.contains("not a JSON value"), "{stderr}");
    assert!(
        text(&out.stdout).contains("ok"),
        "the other message went out"
    );
}

#[test]
fn unknown_requests_and_undefined_variables_are_usage_errors() {
    let dirs = Dirs::new("errors");
    let out = dirs.run(&["demo/nope"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("no saved request demo/nope"),
        "{}",
        text(&out.stderr)
    );

    dirs.write(
        "collections/demo/hello.wsdeck.toml",
        &request_file("ws://127.0.0.1:9/", ""),
    );
    let out = dirs.run(&["demo/hello"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("room"), "{stderr}");

    // A secret with no value on this machine (a fresh clone) is not sent empty: it is
    // undefined, and the error says where its value comes from.
    dirs.write(
        "environments/vault.env.toml",
        "name = \"Vault\"\n\n[[variables]]\nname = \"room\"\nenabled = true\nsecret = true\n",
    );
    let out = dirs.run(&["demo/hello", "--env", "vault"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("undefined variable `room`")
            && stderr.contains("secret of environment \"Vault\" with no value stored")
            && stderr.contains("--var room=VALUE"),
        "{stderr}"
    );
    // Given with --var, it resolves (and the run goes on to connect: nothing listens on 9).
    let out = dirs.run(&["demo/hello", "--env", "vault", "--var", "room=lobby"]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));

    dirs.write("collections/demo/bad.wsdeck.toml", "name = \"x\"\nurl = \n");
    let out = dirs.run(&["demo/bad"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("bad.wsdeck.toml") && stderr.contains("line 2"),
        "{stderr}"
    );
}

#[test]
fn record_puts_the_run_in_the_history_without_its_credentials() {
    let echo = Echo::start();
    let dirs = Dirs::new("record");
    let url = echo.url("/echo").replace("ws://", "ws://ada:s3cretpw@");
    dirs.write(
        "collections/demo/hello.wsdeck.toml",
        &request_file(&url, MESSAGES),
    );
    let db = dirs.root.join("data/runs.db");
    let out = dirs.run(&[
        "demo/hello",
        "--var",
        "name=Ada",
        "--var",
        "room=lobby",
        "--wait",
        "300",
        "--record",
        "--history",
        db.to_str().expect("utf-8"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let shown = Command::new(BIN)
        .args(["history", "show", "1", "--history"])
        .arg(&db)
        .output()
        .expect("wsdeck history show");
    let lines = text(&shown.stdout);
    assert!(shown.status.success(), "{}", text(&shown.stderr));
    let events: Vec<serde_json::Value> = lines
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    let echoed: Vec<&serde_json::Value> = events
        .iter()
        .filter(|v| v["type"] == "message" && v["direction"] == "in")
        .collect();
    assert_eq!(echoed.len(), 3, "{lines}");
    assert_eq!(echoed[0]["data"], "hi Ada");
    assert!(events[0]["endedAt"].is_string(), "{}", events[0]);
    assert!(
        events[0]["url"]
            .as_str()
            .is_some_and(|u| u.contains("room=lobby")),
        "{}",
        events[0]
    );
    assert!(
        !lines.contains("s3cretpw"),
        "the URL's password is recorded: {lines}"
    );
}
