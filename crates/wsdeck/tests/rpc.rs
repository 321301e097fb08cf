//! Black-box tests of `wsdeck rpc`: the real binary over stdio against a `wsdeck-echo`
//! server on 127.0.0.1. Every run has a wall-clock guard that kills a hung process.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::Echo;
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_wsdeck");
const GUARD: Duration = Duration::from_secs(20);

/// A running `wsdeck rpc` with its stdout lines on a channel.
struct Rpc {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: mpsc::Receiver<String>,
    started: Instant,
}

impl Rpc {
    fn spawn(args: &[&str]) -> Rpc {
        let mut child = Command::new(BIN)
            .arg("rpc")
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("wsdeck rpc starts");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Rpc {
            stdin: child.stdin.take(),
            child,
            lines,
            started: Instant::now(),
        }
    }

    fn left(&self) -> Duration {
        GUARD.saturating_sub(self.started.elapsed())
    }

    fn send(&mut self, v: Value) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        writeln!(stdin, "{v}").expect("write request");
        stdin.flush().expect("flush");
    }

    fn next(&mut self) -> Value {
        let line = self.next_line();
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON: {line}: {e}"))
    }

    /// The next stdout line as written (numbers not reinterpreted by a parser).
    fn next_line(&mut self) -> String {
        self.lines
            .recv_timeout(self.left())
            .unwrap_or_else(|e| panic!("no output from wsdeck rpc within the guard: {e}"))
    }

    fn send_line(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        writeln!(stdin, "{line}").expect("write request");
        stdin.flush().expect("flush");
    }

    /// Closes stdin and waits for the exit code (killing the process at the guard).
    fn finish(mut self) -> (i32, Vec<Value>) {
        drop(self.stdin.take());
        let mut rest = Vec::new();
        while let Ok(line) = self.lines.recv_timeout(self.left()) {
            rest.push(serde_json::from_str(&line).expect("JSON line"));
        }
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return (status.code().unwrap_or(-1), rest);
            }
            if self.left().is_zero() {
                let _ = self.child.kill();
                panic!("wsdeck rpc did not exit after stdin closed");
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Rpc {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn req(id: u64, method: &str, params: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})
}

#[test]
fn open_send_event_close_over_stdio() {
    let echo = Echo::start();
    let url = echo.url("/echo");
    let mut rpc = Rpc::spawn(&["--grant", "endowment:network-access"]);
    rpc.send(req(1, "snap_openWebSocket", json!({"url": url})));
    let r = rpc.next();
    assert_eq!(r["id"], 1, "{r}");
    let id = r["result"].as_str().expect("an id").to_owned();
    let origin = url.trim_end_matches("/echo").to_owned();
    let open = rpc.next();
    assert_eq!(
        open,
        json!({"jsonrpc": "2.0", "method": "onWebSocketEvent", "params": {"event": {"type": "open", "id": id, "origin": origin}}})
    );
    rpc.send(req(
        2,
        "snap_sendWebSocketMessage",
        json!({"id": id, "message": "hello"}),
    ));
    let mut got = [rpc.next(), rpc.next()];
    got.sort_by_key(|v| v.get("id").is_none());
    assert_eq!(got[0], json!({"jsonrpc": "2.0", "id": 2, "result": null}));
    assert_eq!(
        got[1]["params"]["event"],
        json!({"type": "message", "id": id, "origin": origin, "data": {"type": "text", "message": "hello"}})
    );
    rpc.send(req(3, "snap_closeWebSocket", json!({"id": id})));
    let mut got = [rpc.next(), rpc.next()];
    got.sort_by_key(|v| v.get("id").is_none());
    assert_eq!(got[0], json!({"jsonrpc": "2.0", "id": 3, "result": null}));
    assert_eq!(
        got[1]["params"]["event"],
        json!({"type": "close", "id": id, "origin": origin, "code": 1005, "reason": "", "wasClean": true})
    );
    rpc.send(req(4, "snap_getWebSockets", json!(null)));
    assert_eq!(rpc.next(), json!({"jsonrpc": "2.0", "id": 4, "result": []}));
    let (code, rest) = rpc.finish();
    assert_eq!(code, 0);
    assert!(rest.is_empty(), "{rest:?}");
}

#[test]
fn without_grant_every_snap_call_is_unauthorized() {
    let echo = Echo::start();
    let mut rpc = Rpc::spawn(&[]);
    rpc.send(req(
        1,
        "snap_openWebSocket",
        json!({"url": echo.url("/echo")}),
    ));
    assert_eq!(
        rpc.next()["error"],
        json!({"code": 4100, "message": "The requested account and/or method has not been authorized by the user."})
    );
    let stdin = rpc.stdin.as_mut().expect("stdin");
    writeln!(stdin, "{{oops").expect("write");
    assert_eq!(rpc.next()["error"]["code"], -32700);
    let (code, _) = rpc.finish();
    assert_eq!(code, 0);
}

#[test]
fn a_non_snap_origin_has_no_snap_methods() {
    let mut rpc = Rpc::spawn(&[
        "--origin",
        "https://dapp.example",
        "--grant",
        "endowment:network-access",
    ]);
    rpc.send(req(1, "snap_getWebSockets", json!(null)));
    assert_eq!(rpc.next()["error"]["code"], -32601);
    assert_eq!(rpc.finish().0, 0);
}

#[test]
fn closing_stdin_closes_open_sockets() {
    let echo = Echo::start();
    let mut rpc = Rpc::spawn(&["--grant", "endowment:network-access"]);
    rpc.send(req(
        1,
        "snap_openWebSocket",
        json!({"url": echo.url("/echo")}),
    ));
    let id = rpc.next()["result"].as_str().expect("id").to_owned();
    assert_eq!(rpc.next()["params"]["event"]["type"], "open");
    let (code, rest) = rpc.finish();
    assert_eq!(code, 0);
    assert_eq!(rest.len(), 1, "{rest:?}");
    let ev = &rest[0]["params"]["event"];
    assert_eq!(
        (ev["type"].clone(), ev["id"].clone(), ev["code"].clone()),
        (json!("close"), json!(id), json!(1005))
    );
}

/// `printf '…open…' | wsdeck rpc`: stdin ends while the open still waits for its handshake.
/// The open is answered first (with its id and `open` event), then the socket closes.
#[test]
fn stdin_ending_while_an_open_runs_still_answers_it() {
    let echo = Echo::start();
    let mut rpc = Rpc::spawn(&["--grant", "endowment:network-access"]);
    rpc.send(req(
        1,
        "snap_openWebSocket",
        json!({"url": echo.url("/echo")}),
    ));
    rpc.send(req(2, "wsdeck.open", json!({"url": echo.url("/echo")})));
    let (code, out) = rpc.finish();
    assert_eq!(code, 0, "{out:?}");
    let answer = |id: u64| {
        out.iter()
            .find(|v| v["id"] == id)
            .unwrap_or_else(|| panic!("no answer to {id}: {out:?}"))
    };
    let snap_id = answer(1)["result"]
        .as_str()
        .unwrap_or_else(|| panic!("the open failed: {out:?}"))
        .to_owned();
    assert!(answer(2)["result"].is_object(), "{out:?}");
    let snap_events: Vec<&Value> = out
        .iter()
        .filter(|v| v["params"]["event"]["id"] == json!(snap_id))
        .map(|v| &v["params"]["event"]["type"])
        .collect();
    assert_eq!(snap_events, [&json!("open"), &json!("close")], "{out:?}");
}

/// A mistyped permission is refused at start, naming the one meant, rather than met as
/// 4100 on every call.
#[test]
fn an_unknown_permission_is_refused_at_start() {
    let out = Command::new(BIN)
        .args(["rpc", "--grant", "endowment:network_access"])
        .stdin(Stdio::null())
        .output()
        .expect("wsdeck rpc");
    assert_eq!(out.status.code(), Some(2));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("did you mean endowment:network-access?") && said.contains("wsdeck:history"),
        "{said}"
    );
}

#[test]
fn a_snap_manifest_grants_its_initial_permissions() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("rpc-manifest-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let manifest = dir.join("snap.manifest.json");
    std::fs::write(
        &manifest,
        r#"{"version": "1.0.0", "proposedName": "Example",
            "source": {"shasum": "x", "location": {"npm": {"filePath": "dist/bundle.js",
                       "packageName": "@example/ws-snap"}}},
            "initialPermissions": {"endowment:network-access": {}},
            "manifestVersion": "0.1"}"#,
    )
    .expect("write manifest");
    let echo = Echo::start();
    let mut rpc = Rpc::spawn(&["--manifest", manifest.to_str().expect("UTF-8 path")]);
    rpc.send(req(
        1,
        "snap_openWebSocket",
        json!({"url": echo.url("/echo")}),
    ));
    let opened = rpc.next();
    assert!(opened["result"].is_string(), "{opened}");
    assert_eq!(rpc.finish().0, 0);

    // A manifest without the permission grants nothing; a broken one is a usage error.
    std::fs::write(&manifest, r#"{"initialPermissions": {"snap_dialog": {}}}"#)
        .expect("write manifest");
    let mut rpc = Rpc::spawn(&["--manifest", manifest.to_str().expect("UTF-8 path")]);
    rpc.send(req(1, "snap_getWebSockets", json!(null)));
    assert_eq!(rpc.next()["error"]["code"], 4100);
    assert_eq!(rpc.finish().0, 0);
    std::fs::write(&manifest, "{").expect("write manifest");
    let rpc = Rpc::spawn(&["--manifest", manifest.to_str().expect("UTF-8 path")]);
    assert_eq!(rpc.finish().0, 2, "a broken manifest is a usage error");
}

// The engine's interop harness, shared; this file uses only part of it.
#[allow(dead_code)]
#[path = "../../engine/tests/peers/mod.rs"]
mod peers;

/// Both dialects over stdio against servers nobody here wrote (Node `ws`, Python
/// `websockets`): the events a script sees do not depend on which server it talks to.
#[test]
fn both_dialects_against_foreign_servers() {
    for kind in [peers::PeerKind::Node, peers::PeerKind::Python] {
        let peer = peers::Peer::start(kind);
        let name = kind.name();
        let mut rpc = Rpc::spawn(&["--grant", "endowment:network-access"]);

        // snap_*: open, text and binary round trips, the server's close code.
        rpc.send(req(
            1,
            "snap_openWebSocket",
            json!({"url": peer.url("/echo"), "protocols": ["chat"]}),
        ));
        let r = rpc.next();
        let id = r["result"]
            .as_str()
            .unwrap_or_else(|| panic!("{name}: {r}"))
            .to_owned();
        assert_eq!(rpc.next()["params"]["event"]["type"], "open", "{name}");
        // Requests run concurrently (JSON-RPC gives no order between them): wait for the
        // first send's answer before the second, so the frames go out in this order.
        let mut data = Vec::new();
        let sends = [json!("héllo"), json!([0, 255, 7])];
        for (i, message) in sends.into_iter().enumerate() {
            let request_id = 2 + i as u64;
            rpc.send(req(
                request_id,
                "snap_sendWebSocketMessage",
                json!({"id": id, "message": message}),
            ));
            loop {
                let v = rpc.next();
                if v["method"] == "onWebSocketEvent" {
                    data.push(v["params"]["event"]["data"].clone());
                } else if v["id"] == request_id {
                    break;
                }
            }
        }
        while data.len() < 2 {
            let v = rpc.next();
            if v["method"] == "onWebSocketEvent" {
                data.push(v["params"]["event"]["data"].clone());
            }
        }
        assert_eq!(
            data,
            vec![
                json!({"type": "text", "message": "héllo"}),
                json!({"type": "binary", "message": [0, 255, 7]}),
            ],
            "{name}"
        );

        // wsdeck.*: the negotiated subprotocol, a close code chosen by the server.
        rpc.send(req(
            4,
            "wsdeck.open",
            json!({"url": peer.url("/close?code=4001&reason=bye"), "protocols": ["superchat"]}),
        ));
        let r = loop {
            let v = rpc.next();
            if v["id"] == 4 {
                break v;
            }
        };
        assert_eq!(
            r["result"]["handshake"]["protocol"], "superchat",
            "{name}: {r}"
        );
        let session = r["result"]["id"].as_str().expect("id").to_owned();
        let closed = loop {
            rpc.send(req(5, "wsdeck.events", json!({"id": session})));
            let page = loop {
                let v = rpc.next();
                if v["id"] == 5 {
                    break v;
                }
            };
            let events = page["result"]["events"].as_array().expect("events").clone();
            if let Some(e) = events.into_iter().find(|e| e["type"] == "closed") {
                break e;
            }
            assert!(!rpc.left().is_zero(), "{name}: no closed event");
            std::thread::sleep(Duration::from_millis(20));
        };
        assert_eq!(closed["code"], 4001, "{name}: {closed}");
        assert_eq!(closed["reason"], "bye", "{name}: {closed}");
        assert_eq!(closed["initiator"], "remote", "{name}: {closed}");
        let (code, _) = rpc.finish();
        assert_eq!(code, 0, "{name}");
    }
}

#[test]
fn ids_come_back_exactly_as_sent() {
    let mut rpc = Rpc::spawn(&[]);
    let ids = [
        "18446744073709551616",
        "-98765432109876543210987654321",
        "3.14159265358979323846264338327950288",
        "1E+2",
        "\"18446744073709551616\"",
    ];
    for id in ids {
        rpc.send_line(&format!(
            r#"{{"jsonrpc":"2.0","id":{id},"method":"wsdeck.format.detect","params":{{"text":"x"}}}}"#
        ));
        let line = rpc.next_line();
        assert!(
            line.starts_with(&format!(r#"{{"jsonrpc":"2.0","id":{id},"result":"#)),
            "id {id} came back as: {line}"
        );
    }
    let (code, _) = rpc.finish();
    assert_eq!(code, 0);
}

/// The probe: `rpc.discover` (no permission needed) batched ×1,000 is one answer of at most
/// the answer limit (16 MiB), not a thousand documents.
#[test]
fn a_batch_of_a_thousand_discovers_is_bounded() {
    let mut rpc = Rpc::spawn(&[]);
    let calls: Vec<String> = (0..1000)
        .map(|i| format!(r#"{{"jsonrpc":"2.0","id":{i},"method":"rpc.discover"}}"#))
        .collect();
    rpc.send_line(&format!("[{}]", calls.join(",")));
    let line = rpc.next_line();
    assert!(
        line.len() <= 16 << 20,
        "a batch answer of {} bytes",
        line.len()
    );
    let answers: Vec<Value> = serde_json::from_str(&line).expect("JSON");
    assert_eq!(answers.len(), 1000, "every call answered");
    let refused: Vec<&Value> = answers
        .iter()
        .filter(|a| a.get("error").is_some())
        .collect();
    assert!(!refused.is_empty());
    for a in refused {
        assert_eq!(a["error"]["code"], -32005, "{a}");
        assert_eq!(a["error"]["data"]["limit"], "response_bytes", "{a}");
    }
    assert!(answers[0].get("result").is_some());
    let (code, _) = rpc.finish();
    assert_eq!(code, 0);
}
