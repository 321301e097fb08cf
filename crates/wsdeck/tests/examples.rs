//! The examples in `examples/` keep working: each runs against a real echo server on
//! 127.0.0.1 with the binary under test.

use std::process::Command;
use std::time::{Duration, Instant};

mod common;

use common::Echo;

const BIN: &str = env!("CARGO_BIN_EXE_wsdeck");

/// Longest the example may take.
const GUARD: Duration = Duration::from_secs(20);

#[test]
fn python_rpc_client_opens_sends_prints_events_and_closes() {
    let echo = Echo::start();
    let python = std::env::var("WSDECK_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/python/rpc_client.py"
    );
    let mut child = Command::new(&python)
        .args([script, &echo.url("/echo"), "--wsdeck", BIN])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {python}: {e}"));
    let deadline = Instant::now() + GUARD;
    while child.try_wait().ok().flatten().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the example did not finish within {GUARD:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let output = child.wait_with_output().expect("example output");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "exit {:?}\n{stdout}\n{stderr}",
        output.status
    );
    for expected in [
        r#""type": "open""#,
        r#""data": {"type": "text", "message": "hello from python"}"#,
        r#""data": {"type": "binary", "message": [104, 105]}"#,
        r#""type": "close""#,
    ] {
        assert!(
            stdout.contains(expected),
            "missing {expected}\n{stdout}\n{stderr}"
        );
    }
}
