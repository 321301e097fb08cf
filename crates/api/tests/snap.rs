//! The `snap_*` dialect against a real echo server on 127.0.0.1: every rule of the Snaps
//! WebSocket spec and of the host WebSocket it relies on (constructor SyntaxErrors, WHATWG
//! close and message rules), permissions, ownership, round trips, closes and JSON-RPC
//! framing. `SNAPS_CONFORMANCE.md` next to this file maps each rule to its test.

mod common;

use std::time::Duration;

use common::{Client, WAIT, setup};
use serde_json::{Value, json};
use wsdeck_api::{Api, Limits};
use wsdeck_echo::EchoServer;
use wsdeck_engine::Engine;

/// The `snap_*` calls the tests repeat.
trait Snap {
    async fn open(&mut self, url: &str) -> String;
    async fn event(&mut self) -> Value;
    async fn list(&mut self) -> Value;
}

impl Snap for Client {
    async fn open(&mut self, url: &str) -> String {
        let r = self.ok("snap_openWebSocket", json!({"url": url})).await;
        r.as_str().expect("id is a string").to_owned()
    }

    /// The next `onWebSocketEvent` event.
    async fn event(&mut self) -> Value {
        let v = self.notification().await;
        assert_eq!(v["jsonrpc"], "2.0");
        assert_eq!(v["method"], "onWebSocketEvent", "{v}");
        assert!(v.get("id").is_none(), "notifications have no id: {v}");
        v["params"]["event"].clone()
    }

    async fn list(&mut self) -> Value {
        self.ok("snap_getWebSockets", json!(null)).await
    }
}

fn origin_of(server: &EchoServer) -> String {
    format!("ws://127.0.0.1:{}", server.local_addr().port())
}

fn error(r: &Value) -> (i64, String) {
    let e = &r["error"];
    (
        e["code"].as_i64().expect("error code"),
        e["message"].as_str().expect("error message").to_owned(),
    )
}

async fn expect_error(c: &mut Client, method: &str, params: Option<Value>, code: i64, msg: &str) {
    let r = c.call(method, params.clone()).await;
    assert_eq!(
        error(&r),
        (code, msg.to_owned()),
        "{method} {params:?} -> {r}"
    );
}

#[tokio::test]
async fn open_validation_rows() {
    let (_server, api) = setup().await;
    let mut c = Client::new(&api, "npm:test-snap", true);
    let m = "snap_openWebSocket";
    let union = "Invalid params: At path: url -- At path: protocol -- Expected the value to satisfy a union of `\"wss:\" | \"ws:\"`, but received:";
    let rows: Vec<(Option<Value>, String)> = vec![
        (
            None,
            "Invalid params: Expected an object, but received: undefined.".into(),
        ),
        (
            Some(json!({})),
            "Invalid params: At path: url -- Expected a string, but received: undefined.".into(),
        ),
        (
            Some(json!([1, 2])),
            "Invalid params: At path: url -- Expected a string, but received: undefined.".into(),
        ),
        (
            Some(json!({"url": 5})),
            "Invalid params: At path: url -- Expected a string, but received: 5.".into(),
        ),
        (
            Some(json!({"url": "not a url"})),
            "Invalid params: At path: url -- Expected URL, got \"not a url\".".into(),
        ),
        (
            Some(json!({"url": "http://metamask.io"})),
            format!("{union} \"http:\"."),
        ),
        (
            Some(json!({"url": "https://metamask.io/x"})),
            format!("{union} \"https:\"."),
        ),
        (
            Some(json!({"url": "wss://a", "protocols": null})),
            "Invalid params: At path: protocols -- Expected an array value, but received: null."
                .into(),
        ),
        (
            Some(json!({"url": "wss://a", "protocols": "x"})),
            "Invalid params: At path: protocols -- Expected an array value, but received: \"x\"."
                .into(),
        ),
        (
            Some(json!({"url": "wss://a", "protocols": ["x", 1]})),
            "Invalid params: At path: protocols.1 -- Expected a string, but received: 1.".into(),
        ),
        (
            Some(json!({"url": "wss://a", "foo": 1})),
            "Invalid params: At path: foo -- Expected a value of type `never`, but received: `1`."
                .into(),
        ),
    ];
    for (params, msg) in rows {
        expect_error(&mut c, m, params, -32602, &msg).await;
    }
    // Nothing was stored by the failures.
    assert_eq!(c.list().await, json!([]));
}

#[tokio::test]
async fn send_and_close_validation_rows() {
    let (_server, api) = setup().await;
    let mut c = Client::new(&api, "npm:test-snap", true);
    let s = "snap_sendWebSocketMessage";
    let union = "Invalid params: At path: message -- Expected the value to satisfy a union of `string | array`, but received:";
    let rows: Vec<(Value, String)> = vec![
        (json!({}), "Invalid params: At path: id -- Expected a string, but received: undefined.".into()),
        (json!({"id": "x"}), format!("{union} undefined.")),
        (json!({"id": "x", "message": 5}), format!("{union} 5.")),
        (json!({"id": "x", "message": null}), format!("{union} null.")),
        (json!({"id": "x", "message": [1, "a"]}), format!("{union} 1,a.")),
        (json!({"id": "x", "message": "", "extra": true}), "Invalid params: At path: extra -- Expected a value of type `never`, but received: `true`.".into()),
    ];
    for (params, msg) in rows {
        expect_error(&mut c, s, Some(params), -32602, &msg).await;
    }
    let cl = "snap_closeWebSocket";
    expect_error(
        &mut c,
        cl,
        Some(json!({})),
        -32602,
        "Invalid params: At path: id -- Expected a string, but received: undefined.",
    )
    .await;
    expect_error(
        &mut c,
        cl,
        Some(json!({"id": 5})),
        -32602,
        "Invalid params: At path: id -- Expected a string, but received: 5.",
    )
    .await;
    expect_error(
        &mut c,
        cl,
        Some(json!({"id": "x", "more": "y"})),
        -32602,
        "Invalid params: At path: more -- Expected a value of type `never`, but received: `\"y\"`.",
    )
    .await;
    expect_error(
        &mut c,
        cl,
        None,
        -32602,
        "Invalid params: Expected an object, but received: undefined.",
    )
    .await;
    // getWebSockets ignores params entirely.
    assert_eq!(
        c.ok("snap_getWebSockets", json!({"any": [1, 2]})).await,
        json!([])
    );
    assert_eq!(c.ok("snap_getWebSockets", json!("junk")).await, json!([]));
}

#[tokio::test]
async fn permission_and_origin_checks_come_first() {
    let (server, api) = setup().await;
    let unauthorized = "The requested account and/or method has not been authorized by the user.";
    let mut c = Client::new(&api, "local:http://localhost:8080", false);
    let url = server.url("/echo");
    for (m, p) in [
        ("snap_openWebSocket", Some(json!({"url": url}))),
        ("snap_openWebSocket", Some(json!({"url": "http://bad"}))),
        ("snap_sendWebSocketMessage", Some(json!({}))),
        ("snap_closeWebSocket", None),
        ("snap_getWebSockets", None),
    ] {
        expect_error(&mut c, m, p, 4100, unauthorized).await;
    }
    let not_found = "The method does not exist / is not available.";
    let mut web = Client::new(&api, "https://dapp.example", true);
    for m in [
        "snap_openWebSocket",
        "snap_sendWebSocketMessage",
        "snap_closeWebSocket",
        "snap_getWebSockets",
    ] {
        expect_error(&mut web, m, Some(json!({})), -32601, not_found).await;
    }
    expect_error(&mut c, "snap_doesNotExist", None, -32601, not_found).await;
    expect_error(&mut c, "eth_chainId", None, -32601, not_found).await;
    assert_eq!(server.stats().connections, 0, "nothing connected");
}

#[tokio::test]
async fn text_and_binary_round_trips_with_event_shapes() {
    let (server, api) = setup().await;
    let mut c = Client::new(&api, "npm:test-snap", true);
    let url = server.url("/echo");
    let id = c.open(&url).await;
    assert_eq!(id.len(), 21);
    assert!(
        id.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'),
        "{id}"
    );
    let origin = origin_of(&server);
    assert_eq!(
        c.event().await,
        json!({"type": "open", "id": id, "origin": origin})
    );
    assert_eq!(
        c.list().await,
        json!([{"id": id, "url": url, "protocols": []}])
    );

    let r = c
        .ok(
            "snap_sendWebSocketMessage",
            json!({"id": id, "message": "Ping"}),
        )
        .await;
    assert_eq!(r, Value::Null);
    assert_eq!(
        c.event().await,
        json!({"type": "message", "id": id, "origin": origin, "data": {"type": "text", "message": "Ping"}})
    );
    c.ok(
        "snap_sendWebSocketMessage",
        json!({"id": id, "message": [80, 105, 110, 103]}),
    )
    .await;
    assert_eq!(
        c.event().await,
        json!({"type": "message", "id": id, "origin": origin, "data": {"type": "binary", "message": [80, 105, 110, 103]}})
    );
    // Numbers wrap like JavaScript's Uint8Array.
    c.ok(
        "snap_sendWebSocketMessage",
        json!({"id": id, "message": [1, 2.5, -1, 300, 256]}),
    )
    .await;
    assert_eq!(
        c.event().await["data"],
        json!({"type": "binary", "message": [1, 2, 255, 44, 0]})
    );
    // Empty messages are valid.
    c.ok(
        "snap_sendWebSocketMessage",
        json!({"id": id, "message": ""}),
    )
    .await;
    assert_eq!(
        c.event().await["data"],
        json!({"type": "text", "message": ""})
    );

    assert_eq!(
        c.ok("snap_closeWebSocket", json!({"id": id})).await,
        Value::Null
    );
    assert_eq!(
        c.event().await,
        json!({"type": "close", "id": id, "origin": origin, "code": 1005, "reason": "", "wasClean": true})
    );
    assert_eq!(c.list().await, json!([]));
    let nf = format!("Socket with ID \"{id}\" not found.");
    let r = c.call("snap_closeWebSocket", Some(json!({"id": id}))).await;
    assert_eq!(error(&r), (-32603, nf.clone()));
    assert_eq!(
        r["error"]["data"],
        json!({"cause": {"message": nf, "code": "ERR_ASSERTION"}})
    );
}

#[tokio::test]
async fn duplicate_rule() {
    let (server, api) = setup().await;
    let mut c = Client::new(&api, "npm:test-snap", true);
    let url = server.url("/echo");
    let a = c.open(&url).await;
    let r = c
        .call(
            "snap_openWebSocket",
            Some(json!({"url": url, "protocols": []})),
        )
        .await;
    let msg = format!("An open WebSocket connection to {url} already exists.");
    assert_eq!(error(&r), (-32603, msg.clone()));
    assert_eq!(r["error"]["data"]["cause"]["code"], "ERR_ASSERTION");
    let b = c
        .ok(
            "snap_openWebSocket",
            json!({"url": url, "protocols": ["chat"]}),
        )
        .await;
    let d = c
        .ok(
            "snap_openWebSocket",
            json!({"url": url, "protocols": ["chat", "graphql-ws"]}),
        )
        .await;
    let e = c
        .ok(
            "snap_openWebSocket",
            json!({"url": url, "protocols": ["graphql-ws", "chat"]}),
        )
        .await;
    let r = c
        .call(
            "snap_openWebSocket",
            Some(json!({"url": url, "protocols": ["chat"]})),
        )
        .await;
    assert_eq!(error(&r).0, -32603);
    // `ws://host:port` and `ws://host:port/` are different strings.
    let bare = format!("ws://127.0.0.1:{}", server.local_addr().port());
    let f = c.open(&bare).await;
    let g = c.open(&format!("{bare}/")).await;
    let list = c.list().await;
    let ids: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            a.as_str(),
            b.as_str().unwrap(),
            d.as_str().unwrap(),
            e.as_str().unwrap(),
            &f,
            &g
        ]
    );
    assert_eq!(list[2]["protocols"], json!(["chat", "graphql-ws"]));
    // Another caller is never compared.
    let mut other = Client::new(&api, "npm:other", true);
    other.open(&url).await;
    // After a close completes the same URL may be opened again.
    c.ok("snap_closeWebSocket", json!({"id": a})).await;
    loop {
        let ev = c.event().await;
        if ev["type"] == "close" {
            assert_eq!(ev["id"], json!(a));
            break;
        }
    }
    c.open(&url).await;
}

#[tokio::test]
async fn callers_are_isolated() {
    let (server, api) = setup().await;
    let mut a = Client::new(&api, "npm:a", true);
    let mut b = Client::new(&api, "npm:a", true);
    let id = a.open(&server.url("/echo")).await;
    let nf = format!("Socket with ID \"{id}\" not found.");
    let r = b
        .call(
            "snap_sendWebSocketMessage",
            Some(json!({"id": id, "message": "x"})),
        )
        .await;
    assert_eq!(error(&r), (-32603, nf.clone()));
    let r = b.call("snap_closeWebSocket", Some(json!({"id": id}))).await;
    assert_eq!(error(&r), (-32603, nf));
    assert_eq!(b.list().await, json!([]));
    assert_eq!(a.list().await.as_array().unwrap().len(), 1);
    let r = a
        .call(
            "snap_sendWebSocketMessage",
            Some(json!({"id": "nope", "message": "x"})),
        )
        .await;
    assert_eq!(
        error(&r),
        (-32603, "Socket with ID \"nope\" not found.".to_owned())
    );
    // B got no events for A's socket.
    a.ok(
        "snap_sendWebSocketMessage",
        json!({"id": id, "message": "hi"}),
    )
    .await;
    assert_eq!(a.event().await["type"], "open");
    assert_eq!(a.event().await["data"]["message"], "hi");
    assert!(b.pending.is_empty() && b.rx.try_recv().is_err());
}

#[tokio::test]
async fn server_initiated_close() {
    let (server, api) = setup().await;
    let mut c = Client::new(&api, "npm:test-snap", true);
    let id = c.open(&server.url("/close?code=4000&reason=bye")).await;
    assert_eq!(c.event().await["type"], "open");
    assert_eq!(
        c.event().await,
        json!({"type": "close", "id": id, "origin": origin_of(&server), "code": 4000, "reason": "bye", "wasClean": true})
    );
    assert_eq!(c.list().await, json!([]));
}

#[tokio::test]
async fn failed_open_gives_32002_and_a_close_event() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let api = Api::new(Engine::new());
    let mut c = Client::new(&api, "npm:test-snap", true);
    let url = format!("ws://127.0.0.1:{port}/x");
    let r = c
        .call("snap_openWebSocket", Some(json!({"url": url})))
        .await;
    assert_eq!(
        error(&r),
        (
            -32002,
            "An error occurred while opening the WebSocket.".to_owned()
        )
    );
    let ev = c.event().await;
    assert_eq!(ev["type"], "close");
    assert_eq!(ev["origin"], format!("ws://127.0.0.1:{port}"));
    assert_eq!(
        (
            ev["code"].clone(),
            ev["reason"].clone(),
            ev["wasClean"].clone()
        ),
        (json!(1006), json!(""), json!(false))
    );
    assert_eq!(ev["id"].as_str().unwrap().len(), 21);
    assert_eq!(c.list().await, json!([]));
}

#[tokio::test]
async fn send_waits_for_a_connecting_socket_and_other_requests_do_not() {
    let (server, api) = setup().await;
    let mut c = Client::new(&api, "npm:test-snap", true);
    let url = server.url("/slow-handshake?ms=300");
    c.conn.handle(&json!({"jsonrpc": "2.0", "id": "o", "method": "snap_openWebSocket", "params": {"url": url}}).to_string()).await;
    // While connecting the entry is listed, and a duplicate is refused.
    let list = loop {
        let l = c.list().await;
        if !l.as_array().unwrap().is_empty() {
            break l;
        }
    };
    let id = list[0]["id"].as_str().unwrap().to_owned();
    let r = c
        .call("snap_openWebSocket", Some(json!({"url": url})))
        .await;
    assert_eq!(error(&r).0, -32603);
    let r = c
        .call(
            "snap_sendWebSocketMessage",
            Some(json!({"id": id, "message": "early"})),
        )
        .await;
    assert_eq!(r["result"], Value::Null);
    let mut got = Vec::new();
    while got.len() < 2 {
        let ev = c.event().await;
        got.push(ev["type"].as_str().unwrap().to_owned());
    }
    assert_eq!(got, ["open", "message"]);
    // The open response was written before the open event.
    assert_eq!(
        c.others,
        [json!({"jsonrpc": "2.0", "id": "o", "result": id})]
    );
}

#[tokio::test]
async fn json_rpc_framing() {
    let (_server, api) = setup().await;
    let mut c = Client::new(&api, "npm:test-snap", true);
    let parse = json!({"jsonrpc": "2.0", "id": null, "error": {"code": -32700, "message": "Invalid JSON was received by the server. An error occurred on the server while parsing the JSON text."}});
    assert_eq!(c.raw("{not json").await, parse);
    let invalid = |id: Value| json!({"jsonrpc": "2.0", "id": id, "error": {"code": -32600, "message": "The JSON sent is not a valid Request object."}});
    assert_eq!(c.raw("[]").await, invalid(Value::Null));
    assert_eq!(c.raw("5").await, invalid(Value::Null));
    assert_eq!(
        c.raw(r#"{"jsonrpc":"1.0","id":1,"method":"snap_getWebSockets"}"#)
            .await,
        invalid(json!(1))
    );
    assert_eq!(
        c.raw(r#"{"id":2,"method":"snap_getWebSockets"}"#).await,
        invalid(json!(2))
    );
    assert_eq!(
        c.raw(r#"{"jsonrpc":"2.0","id":{},"method":"snap_getWebSockets"}"#)
            .await,
        invalid(Value::Null)
    );
    assert_eq!(
        c.raw(r#"{"jsonrpc":"2.0","id":3,"method":5}"#).await,
        invalid(json!(3))
    );
    let r = c.raw(r#"{"jsonrpc":"2.0","id":"s","method":"nope"}"#).await;
    assert_eq!(r["id"], "s");
    assert_eq!(r["error"]["code"], -32601);
    // Notifications get no response: the next output belongs to the following request.
    c.conn
        .handle(r#"{"jsonrpc":"2.0","method":"snap_getWebSockets"}"#)
        .await;
    let r = c
        .raw(r#"{"jsonrpc":"2.0","id":9,"method":"snap_getWebSockets"}"#)
        .await;
    assert_eq!(r, json!({"jsonrpc": "2.0", "id": 9, "result": []}));
    // A batch: responses in order, notifications skipped, invalid members answered.
    let r = c
        .raw(r#"[{"jsonrpc":"2.0","id":1,"method":"snap_getWebSockets"},{"jsonrpc":"2.0","method":"snap_getWebSockets"},1,{"jsonrpc":"2.0","id":2,"method":"x"}]"#)
        .await;
    assert_eq!(
        r,
        json!([
            {"jsonrpc": "2.0", "id": 1, "result": []},
            invalid(Value::Null),
            {"jsonrpc": "2.0", "id": 2, "error": {"code": -32601, "message": "The method does not exist / is not available."}},
        ])
    );
    // A batch of notifications only: no output at all.
    c.conn
        .handle(r#"[{"jsonrpc":"2.0","method":"snap_getWebSockets"}]"#)
        .await;
    let r = c
        .raw(r#"{"jsonrpc":"2.0","id":10,"method":"snap_getWebSockets"}"#)
        .await;
    assert_eq!(r["id"], 10);
}

#[tokio::test]
async fn limits() {
    let (server, _) = setup().await;
    let api = Api::with_limits(
        Engine::new(),
        Limits {
            max_sockets: 2,
            max_request_bytes: 200,
            max_batch: 3,
            ..Limits::default()
        },
    );
    let mut c = Client::new(&api, "npm:test-snap", true);
    c.open(&server.url("/a")).await;
    c.open(&server.url("/b")).await;
    let r = c
        .call("snap_openWebSocket", Some(json!({"url": server.url("/c")})))
        .await;
    assert_eq!(error(&r), (-32005, "Request limit exceeded.".to_owned()));
    assert_eq!(r["error"]["data"]["max"], 2);
    let big = format!(
        r#"{{"jsonrpc":"2.0","id":1,"method":"snap_getWebSockets","params":"{}"}}"#,
        "x".repeat(300)
    );
    let r = c.raw(&big).await;
    assert_eq!(r["id"], Value::Null);
    assert_eq!(error(&r), (-32005, "Request limit exceeded.".to_owned()));

    // Batches: three requests run, four are refused as a whole.
    let call = |id: u32| format!(r#"{{"jsonrpc":"2.0","id":{id},"method":"x"}}"#);
    let three: Vec<String> = (1..=3).map(call).collect();
    let r = c.raw(&format!("[{}]", three.join(","))).await;
    assert_eq!(r.as_array().map(Vec::len), Some(3), "{r}");
    let four: Vec<String> = (1..=4).map(call).collect();
    let r = c.raw(&format!("[{}]", four.join(","))).await;
    assert_eq!(error(&r), (-32005, "Request limit exceeded.".to_owned()));
    assert_eq!(r["error"]["data"]["limit"], "batch");
    assert_eq!(r["error"]["data"]["max"], 3);
}

#[tokio::test]
async fn dropping_the_connection_closes_its_sockets() {
    let (server, api) = setup().await;
    let mut c = Client::new(&api, "npm:test-snap", true);
    c.open(&server.url("/echo")).await;
    assert_eq!(c.event().await["type"], "open");
    let Client { conn, mut rx, .. } = c;
    drop(conn);
    // The channel still carries the close event, then ends once the socket is gone.
    let mut last = None;
    while let Some(text) = tokio::time::timeout(WAIT, rx.recv()).await.expect("ends") {
        last = Some(text);
    }
    let ev: Value = serde_json::from_str(&last.expect("a close event")).unwrap();
    assert_eq!(ev["params"]["event"]["type"], "close");
    assert_eq!(ev["params"]["event"]["code"], 1005);
}

#[tokio::test]
async fn closing_a_connecting_socket_fails_its_open() {
    let (server, api) = setup().await;
    let mut c = Client::new(&api, "npm:test-snap", true);
    let url = server.url("/slow-handshake?ms=3000");
    c.conn
        .handle(
            &json!({"jsonrpc": "2.0", "id": "o", "method": "snap_openWebSocket", "params": {"url": url}})
                .to_string(),
        )
        .await;
    let id = loop {
        let l = c.list().await;
        if let Some(first) = l.as_array().unwrap().first() {
            break first["id"].as_str().unwrap().to_owned();
        }
    };
    assert_eq!(
        c.ok("snap_closeWebSocket", json!({"id": id})).await,
        Value::Null
    );
    let ev = c.event().await;
    assert_eq!(
        (
            ev["type"].clone(),
            ev["id"].clone(),
            ev["code"].clone(),
            ev["wasClean"].clone()
        ),
        (json!("close"), json!(id), json!(1006), json!(false))
    );
    let open = loop {
        if let Some(r) = c.others.iter().find(|r| r["id"] == "o") {
            break r.clone();
        }
        let v = c.recv().await;
        c.others.push(v);
    };
    assert_eq!(
        error(&open),
        (
            -32002,
            "An error occurred while opening the WebSocket.".to_owned()
        )
    );
    assert_eq!(c.list().await, json!([]));
}

#[tokio::test]
async fn a_caller_with_too_many_requests_running_waits() {
    let (server, _) = setup().await;
    let api = Api::with_limits(
        Engine::new(),
        Limits {
            max_in_flight: 1,
            ..Limits::default()
        },
    );
    let mut c = Client::new(&api, "npm:test-snap", true);
    let url = server.url("/slow-handshake?ms=500");
    let open = json!({"jsonrpc": "2.0", "id": "o", "method": "snap_openWebSocket", "params": {"url": url}});
    c.conn.handle(&open.to_string()).await;
    // The open holds the only slot while it waits for the handshake: the next text waits.
    let list = r#"{"jsonrpc":"2.0","id":"l","method":"snap_getWebSockets"}"#;
    let waited = tokio::time::timeout(Duration::from_millis(100), c.conn.handle(list)).await;
    assert!(waited.is_err(), "handle returned while the slot was taken");
    // Once the open is answered, the slot is free again.
    let opened = c.recv().await;
    assert_eq!(opened["id"], "o", "{opened}");
    tokio::time::timeout(WAIT, c.conn.handle(list))
        .await
        .expect("handle proceeds once the open finished");
}

// ---------------------------------------------------------------------------------------
// A relay between wsdeck and the echo server, for the rules that depend on timing between
// the two sides (CLOSING state, messages in flight when close() is called, the close frame
// as sent). Plain TCP: it forwards bytes both ways, records the frames wsdeck sends, can hold
// back what the server sends, and can write bytes of its own to wsdeck.

/// Frames wsdeck sent through a [`Relay`]: (opcode, unmasked payload).
type Frames = std::sync::Arc<std::sync::Mutex<Vec<(u8, Vec<u8>)>>>;

/// One relayed connection's controls.
struct Relay {
    addr: std::net::SocketAddr,
    /// While true, the server's bytes are kept back; on false they go out in order.
    hold: tokio::sync::watch::Sender<bool>,
    /// Bytes written to wsdeck as if the server had sent them.
    inject: tokio::sync::mpsc::UnboundedSender<Vec<u8>>,
    /// Frames wsdeck sent: (opcode, unmasked payload).
    frames: Frames,
    frame_seen: std::sync::Arc<tokio::sync::Notify>,
    /// The upgrade request wsdeck sent.
    head: std::sync::Arc<std::sync::Mutex<String>>,
    /// Bytes from the server written to wsdeck so far.
    forwarded: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl Relay {
    /// Listens on 127.0.0.1 and relays the first connection to `server`.
    async fn start(server: std::net::SocketAddr) -> Relay {
        use std::sync::{Arc, Mutex};
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (hold, mut hold_rx) = tokio::sync::watch::channel(false);
        let (inject, mut inject_rx) = tokio::sync::mpsc::unbounded_channel::<Vec<u8>>();
        let frames: Frames = Arc::new(Mutex::new(Vec::new()));
        let frame_seen = Arc::new(tokio::sync::Notify::new());
        let head = Arc::new(Mutex::new(String::new()));
        let forwarded = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let down_forwarded = forwarded.clone();
        let (up_frames, up_seen, up_head) = (frames.clone(), frame_seen.clone(), head.clone());
        tokio::spawn(async move {
            let (client, _) = listener.accept().await.unwrap();
            let upstream = tokio::net::TcpStream::connect(server).await.unwrap();
            let (mut client_read, mut client_write) = client.into_split();
            let (mut server_read, mut server_write) = upstream.into_split();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 16 * 1024];
                let mut in_frames = false;
                loop {
                    let n = match client_read.read(&mut chunk).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => n,
                    };
                    if server_write.write_all(&chunk[..n]).await.is_err() {
                        break;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    if !in_frames && let Some(end) = find(&buf, b"\r\n\r\n") {
                        *up_head.lock().unwrap() = String::from_utf8_lossy(&buf[..end]).into();
                        buf.drain(..end + 4);
                        in_frames = true;
                    }
                    while in_frames && let Some((opcode, payload, used)) = client_frame(&buf) {
                        buf.drain(..used);
                        up_frames.lock().unwrap().push((opcode, payload));
                        up_seen.notify_waiters();
                    }
                }
                let _ = server_write.shutdown().await;
            });
            let mut held = Vec::new();
            let mut chunk = [0u8; 16 * 1024];
            loop {
                tokio::select! {
                    read = server_read.read(&mut chunk) => {
                        let n = match read { Ok(0) | Err(_) => break, Ok(n) => n };
                        if *hold_rx.borrow() {
                            held.extend_from_slice(&chunk[..n]);
                        } else if client_write.write_all(&chunk[..n]).await.is_err() {
                            return;
                        } else {
                            down_forwarded.fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
                        }
                    }
                    changed = hold_rx.changed() => {
                        if changed.is_err() { break; }
                        if !*hold_rx.borrow() && client_write.write_all(&std::mem::take(&mut held)).await.is_err() {
                            return;
                        }
                    }
                    Some(bytes) = inject_rx.recv() => {
                        if client_write.write_all(&bytes).await.is_err() {
                            return;
                        }
                    }
                }
            }
            // The server ended: deliver what is held only if released, then end.
            while *hold_rx.borrow() {
                if hold_rx.changed().await.is_err() {
                    return;
                }
            }
            let _ = client_write.write_all(&held).await;
            let _ = client_write.shutdown().await;
        });
        Relay {
            addr,
            hold,
            inject,
            frames,
            frame_seen,
            head,
            forwarded,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("ws://{}{path}", self.addr)
    }

    /// Waits (bounded) until wsdeck has sent a frame with `opcode`; returns its payload.
    async fn wait_frame(&self, opcode: u8) -> Vec<u8> {
        for _ in 0..1000 {
            let seen = self.frame_seen.notified();
            if let Some((_, p)) = self
                .frames
                .lock()
                .unwrap()
                .iter()
                .find(|(o, _)| *o == opcode)
            {
                return p.clone();
            }
            let _ = tokio::time::timeout(Duration::from_millis(10), seen).await;
        }
        panic!("wsdeck sent no frame with opcode {opcode}");
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// One masked client frame from the front of `buf`: (opcode, payload, bytes used).
fn client_frame(buf: &[u8]) -> Option<(u8, Vec<u8>, usize)> {
    let (&b0, &b1) = (buf.first()?, buf.get(1)?);
    assert!(b1 & 0x80 != 0, "client frames are masked");
    let (len, mut at) = match b1 & 0x7f {
        126 => (
            u16::from_be_bytes(buf.get(2..4)?.try_into().ok()?) as usize,
            4,
        ),
        127 => (
            u64::from_be_bytes(buf.get(2..10)?.try_into().ok()?) as usize,
            10,
        ),
        n => (n as usize, 2),
    };
    let mask: [u8; 4] = buf.get(at..at + 4)?.try_into().ok()?;
    at += 4;
    let payload = buf.get(at..at + len)?;
    let unmasked = payload
        .iter()
        .enumerate()
        .map(|(i, b)| b ^ mask[i % 4])
        .collect();
    Some((b0 & 0x0f, unmasked, at + len))
}

const OPCODE_TEXT: u8 = 1;
const OPCODE_CLOSE: u8 = 8;

/// §3.4: what the host's `new WebSocket(url, protocols)` throws on, after the params passed.
#[tokio::test]
async fn host_constructor_refusals_are_syntax_errors_and_store_nothing() {
    let (server, api) = setup().await;
    let mut c = Client::new(&api, "npm:test-snap", true);
    let url = server.url("/echo");
    let pre = "Failed to construct 'WebSocket': ";
    let rows: Vec<(Value, String)> = vec![
        (
            json!({"url": format!("{url}#frag")}),
            format!(
                "{pre}The URL contains a fragment identifier ('frag'). Fragment identifiers are not allowed in WebSocket URLs."
            ),
        ),
        (
            json!({"url": format!("{url}#")}),
            format!(
                "{pre}The URL contains a fragment identifier (''). Fragment identifiers are not allowed in WebSocket URLs."
            ),
        ),
        (
            json!({"url": url, "protocols": [""]}),
            format!("{pre}The subprotocol '' is invalid."),
        ),
        (
            json!({"url": url, "protocols": ["chat", "a b"]}),
            format!("{pre}The subprotocol 'a b' is invalid."),
        ),
        (
            json!({"url": url, "protocols": ["a,b"]}),
            format!("{pre}The subprotocol 'a,b' is invalid."),
        ),
        (
            json!({"url": url, "protocols": ["v1/json"]}),
            format!("{pre}The subprotocol 'v1/json' is invalid."),
        ),
        (
            json!({"url": url, "protocols": ["{x}"]}),
            format!("{pre}The subprotocol '{{x}}' is invalid."),
        ),
        (
            json!({"url": url, "protocols": ["caf\u{e9}"]}),
            format!("{pre}The subprotocol 'caf\\u00E9' is invalid."),
        ),
        (
            json!({"url": url, "protocols": ["\u{1b}[31mred\\"]}),
            format!("{pre}The subprotocol '\\u001B[31mred\\\\' is invalid."),
        ),
        (
            json!({"url": url, "protocols": ["chat", "chat"]}),
            format!("{pre}The subprotocol 'chat' is duplicated."),
        ),
        // Every token is checked before any repetition (Chromium's order).
        (
            json!({"url": url, "protocols": ["chat", "chat", "no good"]}),
            format!("{pre}The subprotocol 'no good' is invalid."),
        ),
    ];
    for (params, message) in rows {
        let r = c.call("snap_openWebSocket", Some(params.clone())).await;
        let full = format!("SyntaxError: {message}");
        assert_eq!(error(&r), (-32602, full), "{params} -> {r}");
        assert_eq!(
            r["error"]["data"]["cause"],
            json!({"name": "SyntaxError", "code": 12, "message": message}),
            "{r}"
        );
        let hint = r["error"]["data"]["hint"].as_str().unwrap_or_default();
        let expected_hint = if message.contains("fragment") {
            "remove the #… part from the URL"
        } else if message.ends_with("is duplicated.") {
            "list each subprotocol once"
        } else {
            "a subprotocol is one word of ASCII letters, digits and !#$%&'*+-.^_`|~ (an RFC 7230 token)"
        };
        assert_eq!(hint, expected_hint, "{r}");
    }
    // Nothing was stored, nothing connected, and no event was sent.
    assert_eq!(c.list().await, json!([]));
    assert_eq!(server.stats().connections, 0);
    assert!(c.pending.is_empty());
    // Tokens are case-sensitive, so these are two different ones; every tchar is allowed.
    let tchars = "!#$%&'*+-.^_`|~09AZaz";
    c.ok(
        "snap_openWebSocket",
        json!({"url": url, "protocols": ["chat", "CHAT", tchars]}),
    )
    .await;
    let head = c.list().await;
    assert_eq!(head[0]["protocols"], json!(["chat", "CHAT", tchars]));
}

/// §2.2: the permission is checked before the constructor, too.
#[tokio::test]
async fn constructor_refusals_come_after_the_permission_check() {
    let (server, api) = setup().await;
    let mut c = Client::new(&api, "npm:test-snap", false);
    let r = c
        .call(
            "snap_openWebSocket",
            Some(json!({"url": format!("{}#x", server.url("/echo"))})),
        )
        .await;
    assert_eq!(error(&r).0, 4100);
}

/// WHATWG: a WebSocket's fetch uses redirect mode "error", so a 3xx fails the connection.
#[tokio::test]
async fn a_redirect_fails_the_open_like_a_browser() {
    let (server, api) = setup().await;
    let mut c = Client::new(&api, "npm:test-snap", true);
    let r = c
        .call(
            "snap_openWebSocket",
            Some(json!({"url": server.url("/redirect?to=/echo")})),
        )
        .await;
    assert_eq!(
        error(&r),
        (
            -32002,
            "An error occurred while opening the WebSocket.".to_owned()
        )
    );
    let ev = c.event().await;
    assert_eq!(
        (
            ev["type"].clone(),
            ev["code"].clone(),
            ev["wasClean"].clone()
        ),
        (json!("close"), json!(1006), json!(false))
    );
    assert_eq!(c.list().await, json!([]));
    // Only the redirecting request reached the server.
    assert_eq!(server.stats().connections, 1);
}

/// §3.5: a refused handshake is the failed-open sequence: -32002, then close 1006.
#[tokio::test]
async fn a_refused_handshake_fails_the_open() {
    let (server, api) = setup().await;
    let mut c = Client::new(&api, "npm:test-snap", true);
    let url = server.url("/status?code=403");
    let r = c
        .call("snap_openWebSocket", Some(json!({"url": url})))
        .await;
    assert_eq!(error(&r).0, -32002);
    let ev = c.event().await;
    assert_eq!(
        ev,
        json!({"type": "close", "id": ev["id"], "origin": origin_of(&server), "code": 1006, "reason": "", "wasClean": false})
    );
    assert_eq!(c.list().await, json!([]));
}

/// §3.1/§3.3: the URL is what WHATWG's parser makes of it (the connection goes there), the
/// listing keeps the string as given, and `origin` is the parsed URL's origin.
#[tokio::test]
async fn urls_are_read_like_a_browser_reads_them() {
    let (server, api) = setup().await;
    let mut c = Client::new(&api, "npm:test-snap", true);
    let port = server.local_addr().port();
    let origin = origin_of(&server);
    for url in [
        format!("WS://127.0.0.1:{port}/echo?x=1"),
        format!("ws:///127.0.0.1:{port}/echo"),
        format!("ws:127.0.0.1:{port}/e"),
        format!("  ws://127.0.0.1:{port}/echo  "),
        format!("ws://127.0.0.1:{port}/ec\nho\t"),
        format!("ws://0x7f.0.0.1:{port}/echo"),
        format!("ws://user:pw@127.0.0.1:{port}/echo"),
    ] {
        let r = c
            .call("snap_openWebSocket", Some(json!({"url": url})))
            .await;
        let id = r["result"]
            .as_str()
            .unwrap_or_else(|| panic!("{url:?} -> {r}"))
            .to_owned();
        assert_eq!(
            c.event().await,
            json!({"type": "open", "id": id, "origin": origin}),
            "{url:?}"
        );
        let list = c.list().await;
        assert_eq!(list.as_array().unwrap().last().unwrap()["url"], json!(url));
    }
}

/// §5: close starts the closing handshake with a close frame without a body, returns at
/// once; while CLOSING the socket stays listed, closing again returns null, the same URL
/// cannot be reopened, and a send returns null without sending. A close that the server
/// never answers ends as 1006, not clean.
#[tokio::test]
async fn closing_state_rules() {
    let (server, api) = setup().await;
    let relay = Relay::start(server.local_addr()).await;
    let mut c = Client::new(&api, "npm:test-snap", true);
    let url = relay.url("/echo");
    let id = c.open(&url).await;
    assert_eq!(c.event().await["type"], "open");
    relay.hold.send_replace(true);
    assert_eq!(
        c.ok("snap_closeWebSocket", json!({"id": id})).await,
        Value::Null
    );
    assert_eq!(relay.wait_frame(OPCODE_CLOSE).await, Vec::<u8>::new());
    assert_eq!(
        c.list().await,
        json!([{"id": id, "url": url, "protocols": []}])
    );
    assert_eq!(
        c.ok("snap_closeWebSocket", json!({"id": id})).await,
        Value::Null
    );
    let r = c
        .call("snap_openWebSocket", Some(json!({"url": url})))
        .await;
    assert_eq!(
        error(&r),
        (
            -32603,
            format!("An open WebSocket connection to {url} already exists.")
        )
    );
    assert_eq!(
        c.ok(
            "snap_sendWebSocketMessage",
            json!({"id": id, "message": "dropped"})
        )
        .await,
        Value::Null
    );
    // The server's close echo never comes: the engine's close timeout ends it as 1006.
    let ev = c.event().await;
    assert_eq!(
        ev,
        json!({"type": "close", "id": id, "origin": format!("ws://{}", relay.addr), "code": 1006, "reason": "", "wasClean": false})
    );
    let sent: Vec<u8> = relay.frames.lock().unwrap().iter().map(|f| f.0).collect();
    assert_eq!(
        sent,
        [OPCODE_CLOSE],
        "nothing was sent after the close frame"
    );
    assert_eq!(c.list().await, json!([]));
}

/// WHATWG: a message that arrives once close() was called is not delivered (the message
/// task returns unless the state is OPEN); the close event is.
#[tokio::test]
async fn messages_arriving_after_close_was_called_are_not_delivered() {
    let (server, api) = setup().await;
    let relay = Relay::start(server.local_addr()).await;
    let mut c = Client::new(&api, "npm:test-snap", true);
    let id = c.open(&relay.url("/echo")).await;
    assert_eq!(c.event().await["type"], "open");
    relay.hold.send_replace(true);
    c.ok(
        "snap_sendWebSocketMessage",
        json!({"id": id, "message": "late"}),
    )
    .await;
    assert_eq!(relay.wait_frame(OPCODE_TEXT).await, b"late");
    c.ok("snap_closeWebSocket", json!({"id": id})).await;
    relay.wait_frame(OPCODE_CLOSE).await;
    // The echo of "late" and the close echo now reach wsdeck, in that order.
    relay.hold.send_replace(false);
    let ev = c.event().await;
    assert_eq!(
        ev,
        json!({"type": "close", "id": id, "origin": format!("ws://{}", relay.addr), "code": 1005, "reason": "", "wasClean": true})
    );
}

/// §7.1: a close frame without a status code is 1005; a server that goes away without one
/// is 1006 and not clean; a connection wsdeck fails (invalid UTF-8) is 1006 and not clean,
/// with no message event for the bad frame.
#[tokio::test]
async fn close_codes_as_the_close_event_reports_them() {
    let (server, api) = setup().await;
    let relay = Relay::start(server.local_addr()).await;
    let mut c = Client::new(&api, "npm:test-snap", true);
    let id = c.open(&relay.url("/echo")).await;
    assert_eq!(c.event().await["type"], "open");
    // A server close frame without a body.
    relay.inject.send(vec![0x88, 0x00]).unwrap();
    let ev = c.event().await;
    assert_eq!(
        (
            ev["id"].clone(),
            ev["code"].clone(),
            ev["reason"].clone(),
            ev["wasClean"].clone()
        ),
        (json!(id), json!(1005), json!(""), json!(true))
    );

    let id = c.open(&server.url("/vanish?size=100")).await;
    assert_eq!(c.event().await["type"], "open");
    let ev = c.event().await;
    assert_eq!(
        (
            ev["type"].clone(),
            ev["id"].clone(),
            ev["code"].clone(),
            ev["wasClean"].clone()
        ),
        (json!("close"), json!(id), json!(1006), json!(false))
    );

    let id = c.open(&server.url("/invalid-utf8")).await;
    assert_eq!(c.event().await["type"], "open");
    let ev = c.event().await;
    assert_eq!(
        ev,
        json!({"type": "close", "id": id, "origin": origin_of(&server), "code": 1006, "reason": "", "wasClean": false})
    );
}

/// §6: `protocols` is the requested list, never the one the server chose; the handshake
/// offers them in the order given.
#[tokio::test]
async fn listing_shows_the_requested_protocols() {
    let (server, api) = setup().await;
    let relay = Relay::start(server.local_addr()).await;
    let mut c = Client::new(&api, "npm:test-snap", true);
    let url = relay.url("/echo");
    let id = c
        .ok(
            "snap_openWebSocket",
            json!({"url": url, "protocols": ["x-unknown", "chat"]}),
        )
        .await;
    assert_eq!(
        c.list().await,
        json!([{"id": id, "url": url, "protocols": ["x-unknown", "chat"]}])
    );
    let head = relay.head.lock().unwrap().to_ascii_lowercase();
    assert!(
        head.contains("\r\nsec-websocket-protocol: x-unknown, chat"),
        "{head}"
    );
}

/// §4.3: a send to a socket still connecting waits; if the open then fails, the send fails
/// with the open's -32002.
#[tokio::test]
async fn a_send_waiting_for_an_open_that_fails_gets_32002() {
    let (server, api) = setup().await;
    let mut c = Client::new(&api, "npm:test-snap", true);
    let url = server.url("/slow-handshake?ms=3000");
    c.conn
        .handle(&json!({"jsonrpc": "2.0", "id": "o", "method": "snap_openWebSocket", "params": {"url": url}}).to_string())
        .await;
    let id = loop {
        let l = c.list().await;
        if let Some(first) = l.as_array().unwrap().first() {
            break first["id"].as_str().unwrap().to_owned();
        }
    };
    c.conn
        .handle(&json!({"jsonrpc": "2.0", "id": "s", "method": "snap_sendWebSocketMessage", "params": {"id": id, "message": "x"}}).to_string())
        .await;
    c.ok("snap_closeWebSocket", json!({"id": id})).await;
    let mut answers = Vec::new();
    while answers.len() < 2 {
        let v = c.recv().await;
        if v.get("method").is_none() {
            answers.push(v);
        }
    }
    answers.sort_by_key(|a| a["id"].as_str().unwrap_or_default().to_owned());
    let failed = (
        -32002,
        "An error occurred while opening the WebSocket.".to_owned(),
    );
    assert_eq!(error(&answers[0]), failed, "{answers:?}");
    assert_eq!(answers[0]["id"], "o");
    assert_eq!(error(&answers[1]), failed, "{answers:?}");
    assert_eq!(answers[1]["id"], "s");
}

/// §4.1: `[]` is a valid message (an empty binary frame); numbers are read as JavaScript
/// reads them (doubles) before ToUint8.
#[tokio::test]
async fn binary_messages_edge_values() {
    let (server, api) = setup().await;
    let mut c = Client::new(&api, "npm:test-snap", true);
    let id = c.open(&server.url("/echo")).await;
    assert_eq!(c.event().await["type"], "open");
    c.ok(
        "snap_sendWebSocketMessage",
        json!({"id": id, "message": []}),
    )
    .await;
    assert_eq!(
        c.event().await["data"],
        json!({"type": "binary", "message": []})
    );
    let text = format!(
        r#"{{"jsonrpc":"2.0","id":"b","method":"snap_sendWebSocketMessage","params":{{"id":"{id}","message":[9007199254740993,18446744073709551615,4294967297,1e21,-1e21,-0,255.99]}}}}"#
    );
    assert_eq!(c.raw(&text).await["result"], Value::Null);
    assert_eq!(
        c.event().await["data"],
        json!({"type": "binary", "message": [0, 0, 1, 0, 0, 0, 255]})
    );
}

/// §3.1: superstruct prints a received number as JavaScript's `String(n)`.
#[tokio::test]
async fn received_numbers_print_like_javascript() {
    let (_server, api) = setup().await;
    let mut c = Client::new(&api, "npm:test-snap", true);
    let rows = [
        ("1e21", "1e+21"),
        ("-0", "0"),
        ("12345678901234567890", "12345678901234567000"),
        ("1.5e-7", "1.5e-7"),
        ("0.000001", "0.000001"),
        ("[1e21,\"a\",null]", "1e+21,a,"),
    ];
    for (raw, printed) in rows {
        let text = format!(
            r#"{{"jsonrpc":"2.0","id":1,"method":"snap_openWebSocket","params":{{"url":{raw}}}}}"#
        );
        let r = c.raw(&text).await;
        assert_eq!(
            error(&r),
            (
                -32602,
                format!(
                    "Invalid params: At path: url -- Expected a string, but received: {printed}."
                )
            ),
            "{raw}"
        );
    }
}

/// Nothing is lost to a caller that reads its notifications slowly: the socket stops reading
/// (the server is slowed by TCP) instead of its log dropping events the caller has not had.
/// The burst is three times the log a snap socket keeps.
#[tokio::test]
async fn a_slow_caller_loses_no_message() {
    const COUNT: usize = 48 * 1024;
    const SIZE: usize = 1024;
    let (server, api) = setup().await;
    let relay = Relay::start(server.local_addr()).await;
    let mut c = Client::new(&api, "npm:test-snap", true);
    let id = c
        .open(&relay.url(&format!("/burst?count={COUNT}&size={SIZE}")))
        .await;
    // Read nothing while the server writes, until it has written everything or its writes
    // stopped moving (the socket is paced) for a while.
    let total = (COUNT * (SIZE + 4)) as u64;
    let mut last = 0;
    let mut still = 0;
    for _ in 0..2000 {
        let now = relay.forwarded.load(std::sync::atomic::Ordering::Relaxed);
        if now >= total {
            break;
        }
        still = if now == last { still + 1 } else { 0 };
        if still >= 50 {
            break;
        }
        last = now;
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(c.event().await["type"], "open");
    let expected = "x".repeat(SIZE);
    for i in 0..COUNT {
        let ev = c.event().await;
        assert_eq!(ev["id"], json!(id));
        assert_eq!(
            ev["data"]["message"].as_str(),
            Some(expected.as_str()),
            "message {i} of {COUNT}: {}",
            ev["type"]
        );
    }
}

/// §3.1, §4.1, §5: more of superstruct's wording: schema order before unknown keys, the
/// `uri` refinement quoting the string as is, other schemes, items of every JSON type.
#[tokio::test]
async fn more_validation_rows() {
    let (_server, api) = setup().await;
    let mut c = Client::new(&api, "npm:test-snap", true);
    let union = "Invalid params: At path: url -- At path: protocol -- Expected the value to satisfy a union of `\"wss:\" | \"ws:\"`, but received:";
    let send_union = "Invalid params: At path: message -- Expected the value to satisfy a union of `string | array`, but received:";
    let rows: Vec<(&str, Value, String)> = vec![
        ("snap_openWebSocket", json!("x"), "Invalid params: Expected an object, but received: \"x\".".into()),
        ("snap_openWebSocket", json!(null), "Invalid params: Expected an object, but received: null.".into()),
        ("snap_openWebSocket", json!(true), "Invalid params: Expected an object, but received: true.".into()),
        ("snap_openWebSocket", json!({"foo": 1, "url": 5}), "Invalid params: At path: url -- Expected a string, but received: 5.".into()),
        ("snap_openWebSocket", json!({"foo": 1, "url": "wss://a", "protocols": 5}), "Invalid params: At path: protocols -- Expected an array value, but received: 5.".into()),
        ("snap_openWebSocket", json!({"url": "wss://a", "protocols": ["x", null]}), "Invalid params: At path: protocols.1 -- Expected a string, but received: null.".into()),
        ("snap_openWebSocket", json!({"url": "wss://a", "protocols": [{}]}), "Invalid params: At path: protocols.0 -- Expected a string, but received: [object Object].".into()),
        ("snap_openWebSocket", json!({"url": "wss://a", "protocols": {"0": "x"}}), "Invalid params: At path: protocols -- Expected an array value, but received: [object Object].".into()),
        ("snap_openWebSocket", json!({"url": "a\"b"}), "Invalid params: At path: url -- Expected URL, got \"a\"b\".".into()),
        ("snap_openWebSocket", json!({"url": ""}), "Invalid params: At path: url -- Expected URL, got \"\".".into()),
        ("snap_openWebSocket", json!({"url": "ws://"}), "Invalid params: At path: url -- Expected URL, got \"ws://\".".into()),
        ("snap_openWebSocket", json!({"url": "ws://a b/"}), "Invalid params: At path: url -- Expected URL, got \"ws://a b/\".".into()),
        ("snap_openWebSocket", json!({"url": "ws://h:99999/"}), "Invalid params: At path: url -- Expected URL, got \"ws://h:99999/\".".into()),
        ("snap_openWebSocket", json!({"url": "/relative"}), "Invalid params: At path: url -- Expected URL, got \"/relative\".".into()),
        ("snap_openWebSocket", json!({"url": "ftp://x"}), format!("{union} \"ftp:\".")),
        ("snap_openWebSocket", json!({"url": "file:///etc/passwd"}), format!("{union} \"file:\".")),
        ("snap_openWebSocket", json!({"url": "javascript:alert(1)"}), format!("{union} \"javascript:\".")),
        ("snap_openWebSocket", json!({"url": "HTTPS://x"}), format!("{union} \"https:\".")),
        ("snap_openWebSocket", json!({"url": "localhost:9001/echo"}), format!("{union} \"localhost:\".")),
        ("snap_sendWebSocketMessage", json!([]), "Invalid params: At path: id -- Expected a string, but received: undefined.".into()),
        ("snap_sendWebSocketMessage", json!({"extra": 1, "id": 5}), "Invalid params: At path: id -- Expected a string, but received: 5.".into()),
        ("snap_sendWebSocketMessage", json!({"id": "x", "message": true}), format!("{send_union} true.")),
        ("snap_sendWebSocketMessage", json!({"id": "x", "message": {}}), format!("{send_union} [object Object].")),
        ("snap_sendWebSocketMessage", json!({"id": "x", "message": [[1, 2], 3]}), format!("{send_union} 1,2,3.")),
        ("snap_sendWebSocketMessage", json!({"id": "x", "message": [1, null]}), format!("{send_union} 1,.")),
        ("snap_sendWebSocketMessage", json!({"id": "x", "message": 1.5}), format!("{send_union} 1.5.")),
        ("snap_closeWebSocket", json!([]), "Invalid params: At path: id -- Expected a string, but received: undefined.".into()),
        ("snap_closeWebSocket", json!({"id": null}), "Invalid params: At path: id -- Expected a string, but received: null.".into()),
        ("snap_closeWebSocket", json!({"id": ["a"]}), "Invalid params: At path: id -- Expected a string, but received: a.".into()),
        ("snap_closeWebSocket", json!({"code": 1000, "id": "x"}), "Invalid params: At path: code -- Expected a value of type `never`, but received: `1000`.".into()),
        ("snap_closeWebSocket", json!({"id": "x", "reason": "bye"}), "Invalid params: At path: reason -- Expected a value of type `never`, but received: `\"bye\"`.".into()),
    ];
    for (method, params, message) in rows {
        expect_error(&mut c, method, Some(params), -32602, &message).await;
    }
    assert_eq!(c.list().await, json!([]));
}

/// §3.3: `origin` drops the default port (80 for ws:, 443 for wss:), lowercases the host and
/// keeps IPv6 brackets; it is sent with the close event of a failed open too.
#[tokio::test]
async fn origins_of_failed_opens() {
    let api = Api::new(Engine::new());
    let mut c = Client::new(&api, "npm:test-snap", true);
    let free = std::net::TcpListener::bind("[::1]:0")
        .map(|l| l.local_addr().unwrap().port())
        .ok();
    let mut rows = vec![
        (
            "ws://127.0.0.1:80/a?b=1".to_owned(),
            "ws://127.0.0.1".to_owned(),
        ),
        (
            "WSS://127.0.0.1:443/x".to_owned(),
            "wss://127.0.0.1".to_owned(),
        ),
    ];
    if let Some(port) = free {
        rows.push((
            format!("ws://[0:0::1]:{port}/"),
            format!("ws://[::1]:{port}"),
        ));
    }
    for (url, origin) in rows {
        let r = c
            .call("snap_openWebSocket", Some(json!({"url": url})))
            .await;
        if r.get("result").is_some() {
            // Something listens there on this machine: its open event carries the origin.
            assert_eq!(c.event().await["origin"], json!(origin), "{url}");
            continue;
        }
        assert_eq!(error(&r).0, -32002, "{url} -> {r}");
        let ev = c.event().await;
        assert_eq!(ev["type"], "close");
        assert_eq!(ev["origin"], json!(origin), "{url}");
    }
}

/// §7.1: control frames make no event (pings are answered), a fragmented message is one
/// event, and a close frame that breaks the protocol (a 1-byte body, a code that may not be
/// sent, a reason that is not UTF-8) fails the connection: close 1006, not clean.
#[tokio::test]
async fn frames_from_the_server() {
    let (server, api) = setup().await;
    let mut c = Client::new(&api, "npm:test-snap", true);
    let relay = Relay::start(server.local_addr()).await;
    let id = c.open(&relay.url("/echo")).await;
    assert_eq!(c.event().await["type"], "open");
    // A ping "p", then "ab" + "c" in two fragments, then an unfragmented "d".
    relay
        .inject
        .send(vec![
            0x89, 0x01, b'p', 0x01, 0x02, b'a', b'b', 0x80, 0x01, b'c', 0x81, 0x01, b'd',
        ])
        .unwrap();
    assert_eq!(relay.wait_frame(0x0a).await, b"p", "the ping is answered");
    assert_eq!(
        c.event().await,
        json!({"type": "message", "id": id, "origin": format!("ws://{}", relay.addr), "data": {"type": "text", "message": "abc"}})
    );
    assert_eq!(c.event().await["data"]["message"], "d");

    for bad_close in [
        vec![0x88, 0x01, 0x03],
        vec![0x88, 0x02, 0x03, 0xed],             // 1005 may not be sent
        vec![0x88, 0x02, 0x03, 0xe7],             // 999
        vec![0x88, 0x04, 0x0f, 0xa0, 0xff, 0xfe], // 4000 with a reason that is not UTF-8
    ] {
        let relay = Relay::start(server.local_addr()).await;
        let id = c.open(&relay.url("/echo")).await;
        assert_eq!(c.event().await["type"], "open");
        relay.inject.send(bad_close.clone()).unwrap();
        let ev = c.event().await;
        assert_eq!(
            ev,
            json!({"type": "close", "id": id, "origin": format!("ws://{}", relay.addr), "code": 1006, "reason": "", "wasClean": false}),
            "{bad_close:02x?}"
        );
    }
}

/// WHATWG Fetch: when protocols were requested and the server's 101 names none, the
/// connection fails: -32002, a close event 1006, no open event, nothing listed.
#[tokio::test]
async fn an_answer_without_the_requested_subprotocol_fails_the_open() {
    let (server, api) = setup().await;
    let mut c = Client::new(&api, "npm:test-snap", true);
    let url = server.url("/echo");
    let r = c
        .call(
            "snap_openWebSocket",
            Some(json!({"url": url, "protocols": ["x-unknown"]})),
        )
        .await;
    assert_eq!(
        error(&r),
        (
            -32002,
            "An error occurred while opening the WebSocket.".to_owned()
        )
    );
    let ev = c.event().await;
    assert_eq!(
        ev,
        json!({"type": "close", "id": ev["id"], "origin": origin_of(&server), "code": 1006, "reason": "", "wasClean": false})
    );
    assert_eq!(c.list().await, json!([]));
    assert_eq!(server.stats().upgrades, 1);
}

/// A string with a lone surrogate (which JavaScript's `JSON.parse` accepts) is sent as the
/// WebSocket's `send()` sends a USVString: the surrogate becomes U+FFFD.
#[tokio::test]
async fn lone_surrogates_are_sent_as_replacement_characters() {
    let (server, api) = setup().await;
    let mut c = Client::new(&api, "npm:test-snap", true);
    let id = c.open(&server.url("/echo")).await;
    assert_eq!(c.event().await["type"], "open");
    let text = format!(
        r#"{{"jsonrpc":"2.0","id":"s","method":"snap_sendWebSocketMessage","params":{{"id":"{id}","message":"a\ud800b\udc00\ud83d\ude00"}}}}"#
    );
    assert_eq!(
        c.raw(&text).await,
        json!({"jsonrpc": "2.0", "id": "s", "result": null})
    );
    assert_eq!(
        c.event().await["data"],
        json!({"type": "text", "message": "a\u{fffd}b\u{fffd}\u{1f600}"})
    );
}

/// Collects what the API tells an observer (the history's recorder) about its sessions.
#[derive(Debug, Default)]
struct Seen(std::sync::Mutex<Vec<wsdeck_api::OpenedSession>>);

impl wsdeck_api::SessionObserver for Seen {
    fn opened(&self, _session: &wsdeck_engine::Session, opened: wsdeck_api::OpenedSession) {
        self.0.lock().unwrap().push(opened);
    }
}

/// Credentials in a snap's URL are secrets: what the history is given shows `****` and lists
/// their values to keep out of what it records. The snap's own listing keeps its string.
#[tokio::test]
async fn url_credentials_are_not_given_to_the_history() {
    let (server, _) = setup().await;
    let seen = std::sync::Arc::new(Seen::default());
    let api = Api::new(Engine::new()).with_observer(seen.clone());
    let mut c = Client::new(&api, "npm:test-snap", true);
    let port = server.local_addr().port();
    let url = format!("ws://alice:s3cr%3At@127.0.0.1:{port}/echo");
    c.open(&url).await;
    c.open(&server.url("/plain")).await;
    let seen = seen.0.lock().unwrap().clone();
    assert_eq!(
        seen[0].request["url"],
        format!("ws://****:****@127.0.0.1:{port}/echo")
    );
    for secret in ["alice", "s3cr%3At", "s3cr:t"] {
        assert!(
            seen[0].secrets.contains(&secret.to_owned()),
            "{secret}: {:?}",
            seen[0].secrets
        );
        assert!(!seen[0].request.to_string().contains(secret));
    }
    assert_eq!(seen[1].request["url"], server.url("/plain"));
    assert!(seen[1].secrets.is_empty());
    assert_eq!(c.list().await[0]["url"], json!(url));
}

/// §3.2: every id is a fresh 21-character nanoid-like string, unique across callers.
#[tokio::test]
async fn ids_are_unique_opaque_strings() {
    let (server, api) = setup().await;
    let mut a = Client::new(&api, "npm:a", true);
    let mut b = Client::new(&api, "npm:b", true);
    let mut ids = std::collections::HashSet::new();
    for i in 0..10 {
        for c in [&mut a, &mut b] {
            let id = c.open(&server.url(&format!("/echo/{i}"))).await;
            assert_eq!(id.len(), 21, "{id}");
            assert!(
                id.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'),
                "{id}"
            );
            assert!(ids.insert(id.clone()), "{id} given twice");
        }
    }
}

/// §7.1: the close event's `reason` is the server's reason decoded as UTF-8, up to the 123
/// bytes a close frame holds.
#[tokio::test]
async fn close_reasons_are_the_servers_text() {
    let (server, api) = setup().await;
    let mut c = Client::new(&api, "npm:test-snap", true);
    let longest = "é".repeat(61) + "x"; // 123 bytes
    for reason in ["Tschüß ✓", longest.as_str()] {
        let query: String = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("code", "4001")
            .append_pair("reason", reason)
            .finish();
        let id = c.open(&server.url(&format!("/close?{query}"))).await;
        assert_eq!(c.event().await["type"], "open");
        assert_eq!(
            c.event().await,
            json!({"type": "close", "id": id, "origin": origin_of(&server), "code": 4001, "reason": reason, "wasClean": true})
        );
    }
}
