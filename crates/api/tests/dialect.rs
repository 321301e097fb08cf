//! The `wsdeck.*` dialect against a real echo server on 127.0.0.1: open with headers and
//! settings, send/ping/close, paging, coalesced subscriptions, isolation between callers,
//! the format helpers, and `rpc.discover` against the dispatcher.

mod common;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use common::{Client, WAIT, setup};
use serde_json::{Value, json};
use wsdeck_api::method_names;

/// The `wsdeck.*` calls the tests repeat.
trait Dialect {
    async fn open(&mut self, url: &str) -> String;
    async fn all_events(&mut self, id: &str) -> (Vec<Value>, bool);
    async fn wait_event(&mut self, id: &str, pred: impl Fn(&Value) -> bool) -> Value;
}

impl Dialect for Client {
    async fn open(&mut self, url: &str) -> String {
        let r = self.ok("wsdeck.open", json!({"url": url})).await;
        r["id"].as_str().expect("id").to_owned()
    }

    /// All events of a session so far, paged.
    async fn all_events(&mut self, id: &str) -> (Vec<Value>, bool) {
        let mut from = 0;
        let mut out = Vec::new();
        loop {
            let page = self
                .ok(
                    "wsdeck.events",
                    json!({"id": id, "from": from, "limit": 500}),
                )
                .await;
            let events = page["events"].as_array().expect("events").clone();
            assert_eq!(page["missed"], 0);
            from = page["nextSeq"].as_u64().expect("nextSeq");
            let empty = events.is_empty();
            out.extend(events);
            if empty || page["atEnd"] == true {
                return (out, page["atEnd"] == true);
            }
        }
    }

    /// Polls the log until `pred` holds for some event, returning it.
    async fn wait_event(&mut self, id: &str, pred: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + WAIT;
        loop {
            let (events, _) = self.all_events(id).await;
            if let Some(e) = events.into_iter().find(|e| pred(e)) {
                return e;
            }
            assert!(Instant::now() < deadline, "event never came");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

fn is_in_message(e: &Value) -> bool {
    e["type"] == "message" && e["direction"] == "in"
}

#[tokio::test]
async fn open_with_headers_params_and_settings() {
    let (server, api) = setup().await;
    let mut c = Client::new(&api, "https://workbench.example", true);
    let r = c
        .ok(
            "wsdeck.open",
            json!({
                "url": server.url("/headers"),
                "params": [["a", "1"]],
                "headers": [["X-Test", "yes"], ["Authorization", "Bearer t"]],
                "settings": {"handshakeTimeoutMs": 5000, "autoPong": true, "tls": {"verify": true}},
            }),
        )
        .await;
    let id = r["id"].as_str().expect("id").to_owned();
    assert!(
        r["handshake"]["response"]["startLine"]
            .as_str()
            .expect("start line")
            .contains("101"),
        "{r}"
    );
    assert!(r["handshake"]["url"].as_str().unwrap().ends_with("?a=1"));
    let msg = c.wait_event(&id, is_in_message).await;
    assert_eq!(msg["format"], "text");
    let headers: Value = serde_json::from_str(msg["data"].as_str().unwrap()).unwrap();
    assert_eq!(headers["x-test"], "yes", "{headers}");
    assert_eq!(headers["authorization"], "Bearer t");

    let hs = c.ok("wsdeck.handshake", json!({"id": id})).await;
    let request_headers = hs["request"]["headers"].as_array().unwrap();
    assert!(
        request_headers
            .iter()
            .any(|h| h[0] == "X-Test" && h[1] == "yes"),
        "{hs}"
    );
    assert!(hs["timings"]["totalMs"].as_f64().unwrap() >= 0.0);

    let list = c.ok("wsdeck.sessions", json!(null)).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["id"], id.as_str());
    assert_eq!(list[0]["state"], "open");
    assert!(list[0]["eventCount"].as_u64().unwrap() >= 3);

    // wait: false answers at once with only the id.
    let r = c
        .ok(
            "wsdeck.open",
            json!({"url": server.url("/echo"), "wait": false}),
        )
        .await;
    assert!(r.get("handshake").is_none(), "{r}");
}

#[tokio::test]
async fn open_errors() {
    let (server, api) = setup().await;
    let mut c = Client::new(&api, "x", true);
    let e = c.err("wsdeck.open", json!({"url": "http://x"})).await;
    assert_eq!(e["code"], -32602, "{e}");
    assert_eq!(e["data"]["class"], "invalid_request");
    let e = c
        .err(
            "wsdeck.open",
            json!({"url": server.url("/status?code=403")}),
        )
        .await;
    assert_eq!(e["code"], -32002, "{e}");
    assert_eq!(e["data"]["class"], "handshake_refused");
    assert!(e["message"].as_str().unwrap().contains("403"), "{e}");
    assert!(e["data"]["id"].is_string());
    // The session's error event carries both heads, to debug the refusal with.
    let id = e["data"]["id"].as_str().unwrap().to_owned();
    let error = c.wait_event(&id, |v| v["type"] == "error").await;
    assert_eq!(error["status"], 403, "{error}");
    assert!(
        error["request"]["startLine"]
            .as_str()
            .is_some_and(|l| l.starts_with("GET /status?code=403 ")),
        "{error}"
    );
    let sent: Vec<&str> = error["request"]["headers"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|h| h[0].as_str())
        .collect();
    assert!(
        sent.iter()
            .any(|n| n.eq_ignore_ascii_case("sec-websocket-key")),
        "{error}"
    );
    assert_eq!(
        error["response"]["startLine"], "HTTP/1.1 403 Forbidden",
        "{error}"
    );
    assert!(error["response"]["headers"].is_array(), "{error}");
    let e = c
        .err(
            "wsdeck.open",
            json!({"url": "ws://a", "settings": {"tls": {"verify": "no"}}}),
        )
        .await;
    assert_eq!(e["code"], -32602);
    assert_eq!(e["data"]["path"], "settings.tls.verify", "{e}");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .starts_with("Invalid params: at `settings.tls.verify`: ")
    );
    let e = c
        .err("wsdeck.open", json!({"url": "ws://a", "bogus": 1}))
        .await;
    assert_eq!(e["code"], -32602);
    assert!(
        e["data"]["reason"].as_str().unwrap().contains("bogus"),
        "{e}"
    );
    let e = c
        .err("wsdeck.open", json!({"url": "ws://a", "headers": [["x"]]}))
        .await;
    assert!(
        e["data"]["path"].as_str().unwrap().starts_with("headers"),
        "{e}"
    );
    // Permission first.
    let mut nope = Client::new(&api, "x", false);
    let e = nope.err("wsdeck.open", json!({"url": 5})).await;
    assert_eq!(e["code"], 4100);
}

#[tokio::test]
async fn send_ping_close_and_paging() {
    let (server, api) = setup().await;
    let mut c = Client::new(&api, "x", true);
    let id = c.open(&server.url("/echo")).await;
    c.ok("wsdeck.send", json!({"id": id, "text": "hello"}))
        .await;
    c.ok("wsdeck.send", json!({"id": id, "binary": "AAEC/w=="}))
        .await;
    c.ok("wsdeck.ping", json!({"id": id, "data": "p1"})).await;
    let pong = c
        .wait_event(&id, |e| e["type"] == "pong" && e["direction"] == "in")
        .await;
    assert_eq!(pong["data"], "p1");
    let (events, _) = c.all_events(&id).await;
    let ins: Vec<&Value> = events.iter().filter(|e| is_in_message(e)).collect();
    assert_eq!(ins.len(), 2, "{events:?}");
    assert_eq!(
        (&ins[0]["format"], &ins[0]["data"], &ins[0]["size"]),
        (&json!("text"), &json!("hello"), &json!(5))
    );
    assert_eq!(
        (&ins[1]["format"], &ins[1]["data"], &ins[1]["size"]),
        (&json!("binary"), &json!("AAEC/w=="), &json!(4))
    );
    for (i, e) in events.iter().enumerate() {
        assert_eq!(e["seq"], i as u64);
        assert!(e["time"].as_str().unwrap().ends_with('Z'), "{e}");
        assert!(e["monoMs"].is_number());
    }

    // Validation of send/ping/close.
    let e = c.err("wsdeck.send", json!({"id": id})).await;
    assert_eq!(
        (e["code"].clone(), e["data"]["path"].clone()),
        (json!(-32602), json!("params"))
    );
    let e = c
        .err("wsdeck.send", json!({"id": id, "text": "a", "binary": ""}))
        .await;
    assert_eq!(e["code"], -32602);
    let e = c
        .err("wsdeck.send", json!({"id": id, "binary": "!!"}))
        .await;
    assert_eq!(e["data"]["path"], "binary", "{e}");
    let e = c
        .err("wsdeck.ping", json!({"id": id, "data": "x".repeat(126)}))
        .await;
    assert_eq!(
        (e["code"].clone(), e["data"]["path"].clone()),
        (json!(-32602), json!("data"))
    );
    let e = c.err("wsdeck.close", json!({"id": id, "code": 1005})).await;
    assert_eq!(
        (e["code"].clone(), e["data"]["path"].clone()),
        (json!(-32602), json!("code"))
    );
    let e = c
        .err(
            "wsdeck.close",
            json!({"id": id, "code": 1000, "reason": "r".repeat(124)}),
        )
        .await;
    assert_eq!(e["data"]["path"], "reason");
    let e = c
        .err("wsdeck.events", json!({"id": id, "limit": 10_001}))
        .await;
    assert_eq!(e["data"]["path"], "limit");

    // Paging: from/limit/nextSeq.
    let page = c
        .ok("wsdeck.events", json!({"id": id, "from": 1, "limit": 2}))
        .await;
    assert_eq!(page["events"].as_array().unwrap().len(), 2);
    assert_eq!(page["events"][0]["seq"], 1);
    assert_eq!(page["nextSeq"], 3);
    assert_eq!(page["atEnd"], false);

    c.ok(
        "wsdeck.close",
        json!({"id": id, "code": 4001, "reason": "done"}),
    )
    .await;
    let closed = c.wait_event(&id, |e| e["type"] == "closed").await;
    assert_eq!(
        (closed["code"].clone(), closed["reason"].clone()),
        (json!(4001), json!("done"))
    );
    assert_eq!(closed["initiator"], "local");
    let (_, at_end) = c.all_events(&id).await;
    assert!(at_end);
    let list = c.ok("wsdeck.sessions", json!({})).await;
    assert_eq!(list[0]["state"], "closed");
    // Sending after the close is an engine state error.
    let e = c
        .err("wsdeck.send", json!({"id": id, "text": "late"}))
        .await;
    assert_eq!(
        (e["code"].clone(), e["data"]["class"].clone()),
        (json!(-32002), json!("state"))
    );
}

#[tokio::test]
async fn subscribe_coalesces_a_burst() {
    let (server, api) = setup().await;
    let mut c = Client::new(&api, "x", true);
    let id = c
        .ok(
            "wsdeck.open",
            json!({"url": server.url("/burst?count=5000&size=32"), "wait": false}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let sub = c.ok("wsdeck.subscribe", json!({"id": id})).await["subscription"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut next_seq = 0u64;
    let mut messages = 0;
    let mut notes = 0;
    while messages < 5000 {
        let n = c.notification().await;
        assert_eq!(n["method"], "wsdeck.events", "{n}");
        assert_eq!(n["params"]["subscription"], sub.as_str());
        assert_eq!(n["params"]["id"], id.as_str());
        assert_eq!(n["params"]["missed"], 0);
        notes += 1;
        for e in n["params"]["events"].as_array().unwrap() {
            assert_eq!(e["seq"], next_seq, "in order, without gaps");
            next_seq += 1;
            if is_in_message(e) {
                assert_eq!(e["size"], 32);
                messages += 1;
            }
        }
    }
    assert!(notes < 500, "{notes} notifications for 5000 messages");
    c.ok("wsdeck.unsubscribe", json!({"subscription": sub}))
        .await;
    let e = c
        .err("wsdeck.unsubscribe", json!({"subscription": sub}))
        .await;
    assert_eq!(
        (e["code"].clone(), e["data"]["kind"].clone()),
        (json!(-32001), json!("subscription"))
    );
    // Nothing more arrives for it: send something and check no notification follows.
    c.ok("wsdeck.send", json!({"id": id, "text": "x"})).await;
    tokio::time::sleep(Duration::from_millis(150)).await;
    while let Ok(text) = c.rx.try_recv() {
        let v: Value = serde_json::from_str(&text).unwrap();
        assert!(
            v.get("method").is_none(),
            "notification after unsubscribe: {v}"
        );
    }
}

#[tokio::test]
async fn foreign_callers_see_nothing() {
    let (server, api) = setup().await;
    let mut a = Client::new(&api, "a", true);
    let mut b = Client::new(&api, "b", true);
    let id = a.open(&server.url("/echo")).await;
    assert_eq!(b.ok("wsdeck.sessions", json!({})).await, json!([]));
    for (m, p) in [
        ("wsdeck.send", json!({"id": id, "text": "x"})),
        ("wsdeck.ping", json!({"id": id})),
        ("wsdeck.pong", json!({"id": id})),
        ("wsdeck.close", json!({"id": id})),
        ("wsdeck.handshake", json!({"id": id})),
        ("wsdeck.events", json!({"id": id})),
        ("wsdeck.subscribe", json!({"id": id})),
    ] {
        let e = b.err(m, p).await;
        assert_eq!(e["code"], -32001, "{m}: {e}");
        assert_eq!(e["message"], "Resource not found.");
        assert_eq!(e["data"], json!({"kind": "session", "id": id}));
    }
    // Still open for its owner.
    a.ok("wsdeck.send", json!({"id": id, "text": "mine"})).await;
}

#[tokio::test]
async fn format_helpers() {
    let (_server, api) = setup().await;
    // No permission needed for pure helpers.
    let mut c = Client::new(&api, "x", false);
    let d = c
        .ok("wsdeck.format.detect", json!({"text": "{\"a\":1}"}))
        .await;
    assert_eq!(
        d,
        json!({"format": "json", "mime": "application/json", "size": 7})
    );
    let d = c
        .ok("wsdeck.format.detect", json!({"base64": "AAEC"}))
        .await;
    assert_eq!(d["format"], "binary");
    let e = c.err("wsdeck.format.detect", json!({})).await;
    assert_eq!(e["code"], -32602);

    let b = c
        .ok(
            "wsdeck.format.beautify",
            json!({"text": "{\"a\":[1,2]}", "format": "json", "indent": 2}),
        )
        .await;
    assert_eq!(b["text"], "{\n  \"a\": [\n    1,\n    2\n  ]\n}");
    let m = c
        .ok(
            "wsdeck.format.minify",
            json!({"text": "<a>\n  <b/>\n</a>", "format": "xml"}),
        )
        .await;
    assert_eq!(m["text"], "<a><b/></a>");
    let e = c
        .err(
            "wsdeck.format.beautify",
            json!({"text": "{", "format": "json"}),
        )
        .await;
    assert_eq!(e["data"]["path"], "text");
    let e = c
        .err(
            "wsdeck.format.beautify",
            json!({"text": "{}", "format": "yaml"}),
        )
        .await;
    assert_eq!(e["data"]["path"], "format");

    let v = c
        .ok(
            "wsdeck.format.validate",
            json!({"text": "{\"a\":1,}", "format": "json"}),
        )
        .await;
    assert_eq!(v["ok"], false);
    assert_eq!(v["errors"][0]["line"], 1);
    assert!(v["errors"][0]["column"].as_u64().unwrap() > 1);
    assert!(v["errors"][0]["offset"].is_u64());
    let v = c
        .ok(
            "wsdeck.format.validate",
            json!({"text": "<a/>", "format": "xml"}),
        )
        .await;
    assert_eq!(v, json!({"ok": true, "errors": []}));

    let h = c
        .ok(
            "wsdeck.format.hexdump",
            json!({"base64": "SGVsbG8sIHdvcmxkIQ==", "width": 8}),
        )
        .await;
    let lines = h["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[1]["offset"], 8);
    assert!(lines[0]["ascii"].as_str().unwrap().contains("Hello"));
    assert!(lines[0]["hex"].as_str().unwrap().starts_with("48 65"));

    let r = c
        .ok(
            "wsdeck.vars.complete",
            json!({"text": "Bearer {{to", "cursor": 11, "variables": [
                {"name": "token", "value": "s3cr3t", "secret": true},
                {"name": "topic", "value": "news"},
            ]}),
        )
        .await;
    assert_eq!(r["replaceRange"], json!({"start": 9, "end": 11}));
    let items = r["items"].as_array().unwrap();
    let token = items
        .iter()
        .find(|i| i["name"] == "token")
        .expect("token offered");
    assert_eq!(token["preview"], "****");
    assert_eq!(token["insertText"], "token}}");
    assert!(
        items
            .iter()
            .any(|i| i["name"] == "topic" && i["preview"] == "news")
    );
}

#[tokio::test]
async fn discover_lists_exactly_the_dispatched_methods() {
    let (_server, api) = setup().await;
    let mut c = Client::new(&api, "npm:all", true);
    let doc = c.ok("rpc.discover", json!(null)).await;
    assert!(doc["openrpc"].as_str().unwrap().starts_with("1.2"));
    let listed: BTreeSet<String> = doc["methods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            assert!(m["result"]["schema"].is_object(), "{m}");
            assert!(m["params"].is_array(), "{m}");
            m["name"].as_str().unwrap().to_owned()
        })
        .collect();
    let methods: BTreeSet<String> = method_names().map(str::to_owned).collect();
    assert_eq!(listed, methods);
    // Every listed method is served (anything but -32601), and others are not.
    for m in method_names() {
        let r = c.call(m, Some(json!({"__probe": true}))).await;
        assert_ne!(
            r["error"]["code"], -32601,
            "{m} is listed but not dispatched: {r}"
        );
    }
    for m in ["wsdeck.nope", "wsdeck.format", "snap_nope", "rpc.other"] {
        let r = c.call(m, Some(json!({}))).await;
        assert_eq!(r["error"]["code"], -32601, "{m}");
    }
}

#[tokio::test]
async fn naming_local_files_needs_the_read_files_permission() {
    let (server, api) = setup().await;
    let mut client = Client::new(&api, "local:test", true);
    let params = json!({
        "url": server.url("/echo").replace("ws://", "wss://"),
        "settings": {"tls": {"caFile": "/etc/hostname"}}
    });
    let err = client.err("wsdeck.open", params.clone()).await;
    assert_eq!(err["code"], -32602, "{err}");
    assert_eq!(err["data"]["path"], "settings.tls", "{err}");
    assert!(
        err["message"]
            .as_str()
            .is_some_and(|m| m.contains("wsdeck:read-files")),
        "{err}"
    );
    // With the permission the request reaches the engine (which then reads the file).
    let mut trusted = Client::with_permissions(
        &api,
        "local:trusted",
        &["endowment:network-access", "wsdeck:read-files"],
    );
    let response = trusted.call("wsdeck.open", Some(params)).await;
    let message = response["error"]["message"].as_str().unwrap_or_default();
    assert!(!message.contains("wsdeck:read-files"), "{response}");
}

#[tokio::test]
async fn variables_resolve_in_the_request_and_in_sent_text() {
    let (server, api) = setup().await;
    let mut c = Client::new(&api, "local:test", true);
    let base = server.url("");
    let host = base
        .trim_start_matches("ws://")
        .trim_end_matches('/')
        .to_owned();
    let vars = json!([
        {"name": "host", "value": host},
        {"name": "path", "value": "headers"},
        {"name": "token", "value": "s3cr3t", "secret": true},
    ]);
    let r = c
        .ok(
            "wsdeck.open",
            json!({
                "url": "ws://{{host}}/{{path}}",
                "headers": [["X-Token", "{{token}}"]],
                "variables": vars,
            }),
        )
        .await;
    let id = r["id"].as_str().expect("id").to_owned();
    assert_eq!(r["handshake"]["url"], server.url("/headers"));
    // The secret went on the wire (the server echoes the headers it got) …
    let headers = c.wait_event(&id, is_in_message).await;
    assert!(
        headers["data"].as_str().expect("text").contains("s3cr3t"),
        "{headers}"
    );
    // … but what the API shows of the request has it masked.
    let shown = c.ok("wsdeck.handshake", json!({"id": id})).await;
    let request = shown["request"]["headers"].to_string();
    assert!(request.contains(r#"["X-Token","****"]"#), "{request}");
    assert!(!shown.to_string().contains("s3cr3t"), "{shown}");
    assert!(!r.to_string().contains("s3cr3t"), "{r}");

    c.ok(
        "wsdeck.send",
        json!({"id": id, "text": "to {{path}} at {{$timestamp}}", "variables": vars}),
    )
    .await;
    let echo = c
        .wait_event(&id, |e| {
            is_in_message(e) && e["data"].as_str().is_some_and(|t| t.starts_with("to "))
        })
        .await;
    let text = echo["data"].as_str().expect("text");
    assert!(text.starts_with("to headers at "), "{text}");
    assert!(!text.contains("{{"), "{text}");

    // Undefined names answer a params error at the field, naming every problem.
    let e = c
        .err(
            "wsdeck.open",
            json!({"url": "ws://{{host}}/{{nope}}", "headers": [["A", "{{nada}}"]], "variables": vars}),
        )
        .await;
    assert_eq!(e["code"], -32602);
    assert_eq!(e["data"]["path"], "url");
    let reason = e["data"]["reason"].as_str().expect("reason");
    assert!(
        reason.contains("nope") && reason.contains("nada"),
        "{reason}"
    );
    assert!(reason.contains("headers[0][1]"), "{reason}");
    let e = c
        .err(
            "wsdeck.send",
            json!({"id": id, "text": "{{missing}}", "variables": vars}),
        )
        .await;
    assert_eq!(e["data"]["path"], "text");
    // An empty list still resolves (undefined names are errors, dynamic ones work) …
    let e = c
        .err(
            "wsdeck.send",
            json!({"id": id, "text": "{{missing}}", "variables": []}),
        )
        .await;
    assert_eq!(e["data"]["path"], "text");
    // … and without `variables` the text is sent as it is.
    c.ok("wsdeck.send", json!({"id": id, "text": "literal {{x}}"}))
        .await;
    c.wait_event(&id, |e| is_in_message(e) && e["data"] == "literal {{x}}")
        .await;
}

#[tokio::test]
async fn hex_sends_binary_and_validate_checks_binary_input() {
    let (server, api) = setup().await;
    let mut c = Client::new(&api, "local:test", true);
    let id = c.open(&server.url("/echo")).await;
    c.ok("wsdeck.send", json!({"id": id, "hex": "48 65 0x6c 6c\n6f"}))
        .await;
    let echo = c
        .wait_event(&id, |e| is_in_message(e) && e["format"] == "binary")
        .await;
    assert_eq!(echo["data"], "SGVsbG8=");
    let e = c.err("wsdeck.send", json!({"id": id, "hex": "4g"})).await;
    assert_eq!(e["data"]["path"], "hex");
    let e = c
        .err("wsdeck.send", json!({"id": id, "hex": "00", "text": "x"}))
        .await;
    assert_eq!(e["data"]["path"], "params");

    let v = c
        .ok(
            "wsdeck.format.validate",
            json!({"text": "48 6", "format": "hex"}),
        )
        .await;
    assert_eq!(v["ok"], false);
    assert_eq!(v["errors"][0]["line"], 1);
    let v = c
        .ok(
            "wsdeck.format.validate",
            json!({"text": "SGVsbG8=", "format": "base64"}),
        )
        .await;
    assert_eq!(v, json!({"ok": true, "errors": []}));
}

#[tokio::test]
async fn max_data_cuts_payloads_and_says_so() {
    let (server, api) = setup().await;
    let mut c = Client::new(&api, "local:test", true);
    let id = c.open(&server.url("/echo")).await;
    c.ok("wsdeck.send", json!({"id": id, "text": "héllo wörld"}))
        .await;
    c.wait_event(&id, is_in_message).await;
    let page = c
        .ok(
            "wsdeck.events",
            json!({"id": id, "from": 0, "limit": 100, "maxData": 2}),
        )
        .await;
    let message = page["events"]
        .as_array()
        .expect("events")
        .iter()
        .find(|e| is_in_message(e))
        .expect("echo")
        .clone();
    // "h" and the first byte of "é" fit in 2 bytes: the cut falls back to a char boundary.
    assert_eq!(message["data"], "h");
    assert_eq!(message["truncated"], true);
    assert_eq!(message["size"], "héllo wörld".len());
    let page = c
        .ok(
            "wsdeck.events",
            json!({"id": id, "from": message["seq"], "limit": 1}),
        )
        .await;
    assert_eq!(page["events"][0]["data"], "héllo wörld");
    assert!(page["events"][0].get("truncated").is_none());
}

#[tokio::test]
async fn search_finds_matching_events_by_text_regex_and_kind() {
    let (server, api) = setup().await;
    let mut c = Client::new(&api, "local:test", true);
    let id = c.open(&server.url("/echo")).await;
    for text in ["alpha 1", "Beta 2", "alphabet 3"] {
        c.ok("wsdeck.send", json!({"id": id, "text": text})).await;
    }
    c.ok("wsdeck.ping", json!({"id": id, "data": "alpha-ping"}))
        .await;
    c.wait_event(&id, |e| e["type"] == "pong").await;
    c.wait_event(&id, |e| e["data"] == "alphabet 3" && is_in_message(e))
        .await;
    let (events, _) = c.all_events(&id).await;
    let seqs_where = |pred: &dyn Fn(&Value) -> bool| -> Vec<Value> {
        events
            .iter()
            .filter(|e| pred(e))
            .map(|e| e["seq"].clone())
            .collect()
    };

    let r = c
        .ok(
            "wsdeck.search",
            json!({"id": id, "text": "ALPHA", "kinds": ["in", "out"]}),
        )
        .await;
    let want = seqs_where(&|e| {
        e["type"] == "message" && e["data"].as_str().is_some_and(|t| t.contains("alpha"))
    });
    assert_eq!(want.len(), 4);
    assert_eq!(r["seqs"], json!(want));
    assert_eq!(r["atEnd"], true);

    let r = c
        .ok(
            "wsdeck.search",
            json!({"id": id, "text": "^alpha \\d$", "regex": true, "caseSensitive": true, "kinds": ["in"]}),
        )
        .await;
    assert_eq!(
        r["seqs"],
        json!(seqs_where(&|e| is_in_message(e) && e["data"] == "alpha 1"))
    );

    let r = c
        .ok("wsdeck.search", json!({"id": id, "kinds": ["control"]}))
        .await;
    assert_eq!(
        r["seqs"],
        json!(seqs_where(&|e| e["type"] == "ping" || e["type"] == "pong"))
    );

    // Paging: limit 1 answers one match and where to continue.
    let r = c
        .ok(
            "wsdeck.search",
            json!({"id": id, "text": "alpha", "kinds": ["out"], "limit": 1}),
        )
        .await;
    assert_eq!(r["seqs"].as_array().expect("seqs").len(), 1);
    assert_eq!(r["atEnd"], false);
    let next = r["nextSeq"].clone();
    let r = c
        .ok(
            "wsdeck.search",
            json!({"id": id, "text": "alpha", "kinds": ["out"], "from": next}),
        )
        .await;
    assert_eq!(r["seqs"].as_array().expect("seqs").len(), 1);

    let e = c
        .err(
            "wsdeck.search",
            json!({"id": id, "text": "(", "regex": true}),
        )
        .await;
    assert_eq!(e["data"]["path"], "text");
    let e = c
        .err("wsdeck.search", json!({"id": id, "kinds": ["sideways"]}))
        .await;
    assert_eq!(e["data"]["path"], "kinds[0]");
}

#[tokio::test]
async fn forget_closes_and_drops_a_session() {
    let (server, api) = setup().await;
    let mut c = Client::new(&api, "local:test", true);
    let id = c.open(&server.url("/echo")).await;
    let kept = c.open(&server.url("/echo")).await;
    c.ok("wsdeck.forget", json!({"id": id})).await;
    let list = c.ok("wsdeck.sessions", json!({})).await;
    let ids: Vec<&Value> = list
        .as_array()
        .expect("list")
        .iter()
        .map(|s| &s["id"])
        .collect();
    assert_eq!(ids, vec![&json!(kept)]);
    let e = c.err("wsdeck.events", json!({"id": id})).await;
    assert_eq!(e["code"], -32001);
    let e = c.err("wsdeck.forget", json!({"id": id})).await;
    assert_eq!(e["data"], json!({"kind": "session", "id": id}));
}

/// Collects what the API reports about the sessions it opens.
#[derive(Debug, Default)]
struct Seen(std::sync::Mutex<Vec<wsdeck_api::OpenedSession>>);

impl wsdeck_api::SessionObserver for Seen {
    fn opened(&self, _session: &wsdeck_engine::Session, opened: wsdeck_api::OpenedSession) {
        self.0.lock().expect("lock").push(opened);
    }
}

#[tokio::test]
async fn an_observer_hears_of_every_session_with_secrets_masked() {
    let (server, _) = setup().await;
    let seen = std::sync::Arc::new(Seen::default());
    let api = wsdeck_api::Api::new(wsdeck_engine::Engine::new()).with_observer(seen.clone());
    let mut c = Client::new(&api, "npm:observed", true);
    c.ok(
        "wsdeck.open",
        json!({
            "url": server.url("/echo?k={{key}}"),
            "headers": [["Authorization", "Bearer {{key}}"]],
            "variables": [{"name": "key", "value": "s3cr3t", "secret": true}],
        }),
    )
    .await;
    c.ok(
        "snap_openWebSocket",
        json!({"url": server.url("/snap"), "protocols": ["chat"]}),
    )
    .await;
    let seen = seen.0.lock().expect("lock").clone();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].caller, "npm:observed");
    assert_eq!(seen[0].request["url"], server.url("/echo?k=****"));
    assert_eq!(
        seen[0].request["headers"],
        json!([["Authorization", "Bearer ****"]])
    );
    // Every shape of the value, so the history masks it as the API does (here: as typed and
    // title-cased as in a header name).
    for shape in ["s3cr3t", "S3cr3t"] {
        assert!(
            seen[0].secrets.iter().any(|s| s == shape),
            "{:?}",
            seen[0].secrets
        );
    }
    assert_eq!(seen[1].request["url"], server.url("/snap"));
    assert_eq!(seen[1].request["protocols"], json!(["chat"]));
}

#[tokio::test]
async fn params_errors_name_json_types_not_rust_ones() {
    let (server, api) = setup().await;
    let mut c = Client::new(&api, "local:test", true);
    let id = c.open(&server.url("/echo")).await;
    let cases = [
        ("wsdeck.events", json!({"id": id, "limit": "ten"}), "limit"),
        ("wsdeck.events", json!({"id": id, "from": -1}), "from"),
        ("wsdeck.close", json!({"id": id, "code": 70000}), "code"),
        (
            "wsdeck.open",
            json!({"url": "ws://h/", "headers": [["a"]]}),
            "headers[0]",
        ),
        (
            "wsdeck.open",
            json!({"url": "ws://h/", "headers": {"a": "b"}}),
            "headers",
        ),
        (
            "wsdeck.format.beautify",
            json!({"text": "1", "format": "json", "indent": 1.5}),
            "indent",
        ),
    ];
    for (method, params, path) in cases {
        let e = c.err(method, params.clone()).await;
        assert_eq!(e["data"]["path"], path, "{method} {params}: {e}");
        let reason = e["data"]["reason"].as_str().expect("reason");
        for rust in [
            "u8", "u16", "u32", "u64", "usize", "struct", "untagged", "sequence", "map", "tuple",
        ] {
            assert!(
                !reason
                    .split(|c: char| !c.is_alphanumeric())
                    .any(|w| w == rust),
                "{method} {params}: Rust words in {reason:?}"
            );
        }
    }
}
