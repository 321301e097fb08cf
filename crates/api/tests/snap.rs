//! The `snap_*` dialect against a real echo server on 127.0.0.1: every validation row of the
//! spec, permissions, ownership, round trips, closes and JSON-RPC framing.

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
