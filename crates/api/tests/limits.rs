//! Memory is bounded by bytes, per caller: answers (a batch's together), what waits to be
//! written, subscriptions, sessions kept and every helper's output — and JSON-RPC ids come
//! back exactly as sent. In-process `Api`/`Connection` against wsdeck's echo server on
//! 127.0.0.1; the bounded quantities (answer sizes, bytes queued) are what is asserted.

mod common;

use std::time::Duration;

use common::{Client, WAIT, setup};
use serde_json::{Value, json};
use wsdeck_api::{Api, Limits};
use wsdeck_engine::Engine;

fn api(limits: Limits) -> Api {
    Api::with_limits(Engine::new(), limits)
}

/// The next output text, raw.
async fn next_text(c: &mut Client) -> String {
    tokio::time::timeout(WAIT, c.rx.recv())
        .await
        .expect("an answer in time")
        .expect("channel open")
}

/// The `error.data.limit` of a response.
fn limit_of(r: &Value) -> &str {
    r["error"]["data"]["limit"].as_str().unwrap_or_default()
}

fn base64(bytes: &[u8]) -> String {
    wsdeck_format::binary::encode_base64(bytes)
}

#[tokio::test]
async fn ids_come_back_exactly_as_sent() {
    let api = Api::new(Engine::new());
    let mut c = Client::new(&api, "local:test", false);
    let long_number = format!("-{}.{}e-7", "9".repeat(400), "0".repeat(50));
    let long_string = format!("\"{}\\u00e9\\n\"", "k".repeat(5000));
    let ids = [
        "18446744073709551616",
        "-18446744073709551617",
        "1.50",
        "1e400",
        "-0",
        "0.1000000000000000055511151231257827",
        "123456789012345678901234567890",
        long_number.as_str(),
        "\"x\"",
        "\"\\ud83d\\ude00 \\\"quoted\\\"\"",
        long_string.as_str(),
        "null",
    ];
    for id in ids {
        // A result, an unknown method and bad params: every kind of answer keeps the id.
        for (method, params) in [
            ("wsdeck.format.detect", r#"{"text":"{}"}"#),
            ("no.such.method", "{}"),
            ("wsdeck.format.detect", r#"{"nope":1}"#),
        ] {
            let text =
                format!(r#"{{"jsonrpc":"2.0","id":{id},"method":"{method}","params":{params}}}"#);
            c.conn.handle(&text).await;
            let answer = next_text(&mut c).await;
            assert!(
                answer.starts_with(&format!(r#"{{"jsonrpc":"2.0","id":{id},"#)),
                "id {id} changed: {answer}"
            );
        }
    }
    // In a batch too, each with its own.
    let batch = r#"[{"jsonrpc":"2.0","id":18446744073709551616,"method":"rpc.discover"},{"jsonrpc":"2.0","id":2.50,"method":"x"}]"#;
    c.conn.handle(batch).await;
    let answer = next_text(&mut c).await;
    assert!(
        answer.starts_with(r#"[{"jsonrpc":"2.0","id":18446744073709551616,"result":"#),
        "{}",
        &answer[..80]
    );
    assert!(answer.contains(r#"{"jsonrpc":"2.0","id":2.50,"error":"#));
}

#[tokio::test]
async fn ids_that_are_not_strings_numbers_or_null_are_invalid_requests() {
    let api = Api::new(Engine::new());
    let mut c = Client::new(&api, "local:test", false);
    for id in ["{}", "[1]", "true", "false"] {
        let r = c
            .raw(&format!(
                r#"{{"jsonrpc":"2.0","id":{id},"method":"rpc.discover"}}"#
            ))
            .await;
        assert_eq!(r["error"]["code"], -32600, "{id}: {r}");
        assert_eq!(r["id"], Value::Null, "{id}: {r}");
    }
    // The last of a repeated member counts, as before.
    let r = c
        .raw(r#"{"jsonrpc":"2.0","id":1,"id":7,"method":"wsdeck.format.detect","params":{"text":"x"}}"#)
        .await;
    assert_eq!(r["id"], 7, "{r}");
}

#[tokio::test]
async fn a_batch_answer_stays_within_the_response_limit() {
    const MAX: usize = 300_000;
    let api = api(Limits {
        max_response_bytes: MAX,
        ..Limits::default()
    });
    let mut c = Client::new(&api, "local:test", false);
    let calls: Vec<String> = (0..100)
        .map(|i| format!(r#"{{"jsonrpc":"2.0","id":{i},"method":"rpc.discover"}}"#))
        .collect();
    c.conn.handle(&format!("[{}]", calls.join(","))).await;
    let text = next_text(&mut c).await;
    assert!(text.len() <= MAX, "batch answer of {} bytes", text.len());
    let answers: Vec<Value> = serde_json::from_str(&text).expect("JSON");
    assert_eq!(answers.len(), 100, "every call is answered");
    let results = answers.iter().filter(|a| a.get("result").is_some()).count();
    assert!(results >= 1, "the first answers fit");
    for a in answers.iter().filter(|a| a.get("error").is_some()) {
        assert_eq!(a["error"]["code"], -32005, "{a}");
        assert_eq!(limit_of(a), "response_bytes", "{a}");
        assert_eq!(a["error"]["data"]["max"], MAX);
        let message = a["error"]["message"].as_str().expect("message");
        assert!(message.contains("split the batch"), "{message}");
    }
    assert!(results < 100);
}

#[tokio::test]
async fn a_single_answer_beyond_the_limit_is_refused() {
    let api = api(Limits {
        max_response_bytes: 10_000,
        ..Limits::default()
    });
    let mut c = Client::new(&api, "local:test", false);
    let r = c.call("rpc.discover", None).await;
    assert_eq!(r["error"]["code"], -32005, "{r}");
    assert_eq!(limit_of(&r), "response_bytes");
    assert_eq!(r["error"]["data"]["max"], 10_000);
}

#[tokio::test]
async fn batches_are_bounded_in_bytes() {
    let api = api(Limits {
        max_batch_bytes: 1_000,
        ..Limits::default()
    });
    let mut c = Client::new(&api, "local:test", false);
    let padding = "p".repeat(1_200);
    let call = format!(
        r#"{{"jsonrpc":"2.0","id":1,"method":"wsdeck.format.detect","params":{{"text":"{padding}"}}}}"#
    );
    let r = c.raw(&format!("[{call}]")).await;
    assert_eq!(r["error"]["code"], -32005, "{r}");
    assert_eq!(limit_of(&r), "batch_bytes");
    assert_eq!(r["error"]["data"]["max"], 1_000);
    // The same call alone is fine: single requests have their own limit.
    let r = c.raw(&call).await;
    assert_eq!(r["result"]["size"], 1_200, "{r}");
}

/// Answers nobody reads stop at the caller's budget: reading stops, and what does not fit
/// is refused with -32005 `queued_bytes` — and once read, every request has one answer.
#[tokio::test]
async fn unread_answers_are_bounded_by_the_queue_limit() {
    const BUDGET: usize = 400_000;
    let api = api(Limits {
        max_response_bytes: 150_000,
        max_queued_bytes: BUDGET,
        ..Limits::default()
    });
    let Client { conn, mut rx, .. } = Client::new(&api, "local:test", false);
    let conn = std::sync::Arc::new(conn);
    const BATCHES: u64 = 200;
    let sender = tokio::spawn({
        let conn = conn.clone();
        async move {
            for b in 0..BATCHES {
                let calls: Vec<String> = (0..5)
                    .map(|i| {
                        format!(
                            r#"{{"jsonrpc":"2.0","id":{},"method":"rpc.discover"}}"#,
                            b * 10 + i
                        )
                    })
                    .collect();
                conn.handle(&format!("[{}]", calls.join(","))).await;
            }
        }
    });
    // Let the sender run as far as it can without anyone reading.
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // Nothing runs while this loop takes what is queued: the sum is exact.
    let mut waiting = 0;
    let mut texts = Vec::new();
    while let Ok(text) = rx.try_recv() {
        waiting += text.len();
        texts.push(text);
    }
    assert!(
        waiting <= BUDGET,
        "{waiting} bytes were waiting for a caller whose budget is {BUDGET}"
    );
    assert!(!sender.is_finished(), "the unread caller is no longer read");
    // Now read everything: every call has exactly one answer.
    let mut answered = std::collections::BTreeSet::new();
    let consume = |answered: &mut std::collections::BTreeSet<u64>, text: &str| {
        let batch: Vec<Value> = serde_json::from_str(text).expect("a batch answer");
        for a in batch {
            if let Some(e) = a.get("error") {
                assert_eq!(e["code"], -32005, "{a}");
                let limit = e["data"]["limit"].as_str().unwrap_or_default();
                assert!(limit == "queued_bytes" || limit == "response_bytes", "{a}");
            }
            assert!(answered.insert(a["id"].as_u64().expect("id")), "{a}");
        }
    };
    for text in &texts {
        consume(&mut answered, text);
    }
    while answered.len() < (BATCHES * 5) as usize {
        consume(&mut answered, &next_text_of(&mut rx).await);
    }
    sender.await.expect("sender");
    assert!(rx.peak_queued_bytes() <= BUDGET);
}

async fn next_text_of(rx: &mut wsdeck_api::Outgoing) -> String {
    tokio::time::timeout(WAIT, rx.recv())
        .await
        .expect("an answer in time")
        .expect("channel open")
}

/// Sends `n` text messages of `size` bytes and waits until the echo of the last is logged;
/// returns the session id.
async fn session_with_messages(c: &mut Client, url: &str, n: usize, size: usize) -> String {
    let r = c.ok("wsdeck.open", json!({"url": url})).await;
    let id = r["id"].as_str().expect("id").to_owned();
    for i in 0..n {
        let text = format!("{i:>8}{}", "m".repeat(size - 8));
        c.ok("wsdeck.send", json!({"id": id, "text": text})).await;
    }
    // open + n out + n in (+ connecting): poll the count with a small page.
    for _ in 0..500 {
        let page = c
            .ok(
                "wsdeck.events",
                json!({"id": id, "limit": 10_000, "maxData": 0}),
            )
            .await;
        let ins = page["events"]
            .as_array()
            .expect("events")
            .iter()
            .filter(|e| e["type"] == "message" && e["direction"] == "in")
            .count();
        if ins == n {
            return id;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the echoes never came");
}

#[tokio::test]
async fn a_page_of_big_events_stops_at_the_response_limit_and_pages_on() {
    const MAX: usize = 1 << 20;
    let (server, _) = setup().await;
    let api = api(Limits {
        max_response_bytes: MAX,
        ..Limits::default()
    });
    let mut c = Client::new(&api, "local:test", true);
    let id = session_with_messages(&mut c, &server.url("/echo"), 5, 300_000).await;
    let mut from = 0;
    let mut messages = 0;
    for _ in 0..100 {
        c.conn
            .handle(
                &json!({"jsonrpc": "2.0", "id": 9, "method": "wsdeck.events",
                        "params": {"id": id, "from": from, "limit": 100}})
                .to_string(),
            )
            .await;
        let text = loop {
            let t = next_text(&mut c).await;
            if !t.contains(r#""method""#) {
                break t;
            }
        };
        assert!(text.len() <= MAX, "page of {} bytes", text.len());
        let page: Value = serde_json::from_str(&text).expect("JSON");
        let events = page["result"]["events"].as_array().expect("events");
        assert!(
            !events.is_empty(),
            "every page makes progress: {}",
            page["result"]["nextSeq"]
        );
        messages += events.iter().filter(|e| e["type"] == "message").count();
        let next = page["result"]["nextSeq"].as_u64().expect("nextSeq");
        assert_eq!(
            next,
            events.last().expect("one")["seq"].as_u64().unwrap() + 1
        );
        from = next;
        if messages == 10 {
            break;
        }
        assert_eq!(page["result"]["atEnd"], false);
    }
    assert_eq!(
        messages, 10,
        "all 10 messages (5 out, 5 in) over several pages"
    );
}

#[tokio::test]
async fn an_event_larger_than_an_answer_is_refused_with_the_way_out() {
    let (server, _) = setup().await;
    let api = api(Limits {
        max_response_bytes: 100_000,
        ..Limits::default()
    });
    let mut c = Client::new(&api, "local:test", true);
    let id = session_with_messages(&mut c, &server.url("/echo"), 1, 200_000).await;
    // The page holds the events before the big one and ends there.
    let page = c
        .ok("wsdeck.events", json!({"id": id, "from": 0, "limit": 100}))
        .await;
    assert_eq!(page["atEnd"], false);
    let first_big = page["nextSeq"].as_u64().expect("nextSeq");
    assert!(
        page["events"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["type"] != "message")
    );
    // From there, the big one alone is the error.
    let e = c
        .err("wsdeck.events", json!({"id": id, "from": first_big}))
        .await;
    assert_eq!(e["code"], -32005, "{e}");
    assert_eq!(e["data"]["limit"], "response_bytes");
    assert!(e["message"].as_str().unwrap().contains("maxData"), "{e}");
    let cut = c
        .ok(
            "wsdeck.events",
            json!({"id": id, "from": first_big, "limit": 1, "maxData": 10}),
        )
        .await;
    assert_eq!(cut["events"][0]["truncated"], true, "{cut}");
}

/// The probe: `wsdeck.events` batched ×100 on a session holding one big message.
#[tokio::test]
async fn events_batched_on_a_big_message_stay_within_the_limit() {
    const MAX: usize = 4 << 20;
    let (server, _) = setup().await;
    let api = api(Limits {
        max_request_bytes: 2 << 20,
        max_response_bytes: MAX,
        ..Limits::default()
    });
    let mut c = Client::new(&api, "local:test", true);
    let id = session_with_messages(&mut c, &server.url("/echo"), 1, 1_500_000).await;
    let calls: Vec<String> = (0..100)
        .map(|i| {
            json!({"jsonrpc": "2.0", "id": i, "method": "wsdeck.events", "params": {"id": id}})
                .to_string()
        })
        .collect();
    c.conn.handle(&format!("[{}]", calls.join(","))).await;
    let text = loop {
        let t = next_text(&mut c).await;
        if t.starts_with('[') {
            break t;
        }
    };
    assert!(text.len() <= MAX, "{} bytes", text.len());
    let answers: Vec<Value> = serde_json::from_str(&text).expect("JSON");
    assert_eq!(answers.len(), 100);
    assert!(answers.iter().any(|a| a.get("result").is_some()));
    assert!(
        answers
            .iter()
            .filter(|a| a.get("error").is_some())
            .all(|a| limit_of(a) == "response_bytes")
    );
}

#[tokio::test]
async fn a_hexdump_is_refused_before_it_is_built() {
    let api = api(Limits {
        max_request_bytes: 16 << 20,
        max_response_bytes: 1 << 20,
        ..Limits::default()
    });
    let mut c = Client::new(&api, "local:test", false);
    // The probe: width 1 on 6 MB.
    let big = base64(&vec![b'"'; 6_000_000]);
    let e = c
        .err("wsdeck.format.hexdump", json!({"base64": big, "width": 1}))
        .await;
    assert_eq!(e["code"], -32005, "{e}");
    assert_eq!(e["data"]["limit"], "response_bytes");
    assert!(
        e["message"].as_str().unwrap().contains("wider width"),
        "{e}"
    );
    // Below the certain size but above the limit once written: stopped while writing.
    let medium = base64(&vec![b'"'; 28_000]);
    let e = c
        .err(
            "wsdeck.format.hexdump",
            json!({"base64": medium, "width": 1}),
        )
        .await;
    assert_eq!(e["data"]["limit"], "response_bytes", "{e}");
    // What fits is answered whole.
    let small = base64(&vec![7u8; 4_000]);
    let r = c
        .ok(
            "wsdeck.format.hexdump",
            json!({"base64": small, "width": 16}),
        )
        .await;
    assert_eq!(r["lines"].as_array().map(Vec::len), Some(250));
}

#[tokio::test]
async fn formatted_output_is_bounded_by_the_answer_limit() {
    const MAX: usize = 100_000;
    let api = api(Limits {
        max_response_bytes: MAX,
        ..Limits::default()
    });
    let mut c = Client::new(&api, "local:test", false);
    // 2,000 nested arrays: each line indented by its depth, about 4 MB pretty.
    let deep = format!("{}{}", "[".repeat(2_000), "]".repeat(2_000));
    let e = c
        .err(
            "wsdeck.format.beautify",
            json!({"text": deep, "format": "json", "indent": 2}),
        )
        .await;
    assert_eq!(e["code"], -32005, "{e}");
    assert_eq!(e["data"]["limit"], "response_bytes");
    assert_eq!(e["data"]["max"], MAX);
    // Control characters grow sixfold as JSON: the answer, not the text, is what counts.
    let controls = format!("\"{}\"", "\\u0001".repeat(30_000));
    let r = c
        .call(
            "wsdeck.format.minify",
            Some(json!({"text": controls, "format": "json"})),
        )
        .await;
    if let Some(result) = r.get("result") {
        assert!(result.to_string().len() <= MAX);
    } else {
        assert_eq!(limit_of(&r), "response_bytes", "{r}");
    }
    let ok = c
        .ok(
            "wsdeck.format.beautify",
            json!({"text": "[1,[2]]", "format": "json"}),
        )
        .await;
    assert_eq!(ok["text"], "[\n  1,\n  [\n    2\n  ]\n]");
}

#[tokio::test]
async fn subscriptions_are_limited_per_session_and_per_caller() {
    let (server, _) = setup().await;
    let api = api(Limits {
        max_subscriptions: 3,
        max_subscriptions_per_session: 2,
        ..Limits::default()
    });
    let mut c = Client::new(&api, "local:test", true);
    let url = server.url("/echo");
    let mut ids = Vec::new();
    for _ in 0..3 {
        let r = c.ok("wsdeck.open", json!({"url": url})).await;
        ids.push(r["id"].as_str().expect("id").to_owned());
    }
    let a = c.ok("wsdeck.subscribe", json!({"id": ids[0]})).await;
    c.ok("wsdeck.subscribe", json!({"id": ids[0]})).await;
    let e = c.err("wsdeck.subscribe", json!({"id": ids[0]})).await;
    assert_eq!(e["code"], -32005, "{e}");
    assert_eq!(e["data"]["limit"], "session_subscriptions");
    assert_eq!(e["data"]["max"], 2);
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("wsdeck.unsubscribe"),
        "{e}"
    );
    c.ok("wsdeck.subscribe", json!({"id": ids[1]})).await;
    let e = c.err("wsdeck.subscribe", json!({"id": ids[2]})).await;
    assert_eq!(e["data"]["limit"], "subscriptions", "{e}");
    assert_eq!(e["data"]["max"], 3);
    c.ok(
        "wsdeck.unsubscribe",
        json!({"subscription": a["subscription"]}),
    )
    .await;
    c.ok("wsdeck.subscribe", json!({"id": ids[2]})).await;
}

#[tokio::test]
async fn sessions_kept_are_limited_and_forget_makes_room() {
    let (server, _) = setup().await;
    let api = api(Limits {
        max_sessions: 2,
        ..Limits::default()
    });
    let mut c = Client::new(&api, "local:test", true);
    let url = server.url("/echo");
    let first = c.ok("wsdeck.open", json!({"url": url})).await;
    let first = first["id"].as_str().expect("id").to_owned();
    c.ok("wsdeck.close", json!({"id": first})).await;
    c.ok("wsdeck.open", json!({"url": url})).await;
    // Closed sessions keep their logs, so they count.
    let e = c.err("wsdeck.open", json!({"url": url})).await;
    assert_eq!(e["code"], -32005, "{e}");
    assert_eq!(e["data"]["limit"], "sessions");
    assert!(e["message"].as_str().unwrap().contains("wsdeck.forget"));
    c.ok("wsdeck.forget", json!({"id": first})).await;
    c.ok("wsdeck.open", json!({"url": url})).await;
}

/// A subscriber that does not read: its notifications wait within the budget, each at most
/// `max_notification_bytes`; once it reads, it gets every event, in order, none lost.
#[tokio::test]
async fn a_slow_subscriber_is_bounded_and_loses_nothing() {
    const BUDGET: usize = 300_000;
    const NOTE: usize = 20_000;
    let (server, _) = setup().await;
    let api = api(Limits {
        max_queued_bytes: BUDGET,
        max_response_bytes: 100_000,
        max_notification_bytes: NOTE,
        ..Limits::default()
    });
    let mut c = Client::new(&api, "local:test", true);
    let id = session_with_messages(&mut c, &server.url("/echo"), 100, 5_000).await;
    // One event larger than a notification (but within an answer) goes alone.
    c.ok("wsdeck.send", json!({"id": id, "text": "B".repeat(50_000)}))
        .await;
    let mut echoed = false;
    for _ in 0..500 {
        let page = c
            .ok(
                "wsdeck.events",
                json!({"id": id, "from": 200, "maxData": 0}),
            )
            .await;
        if page["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["direction"] == "in" && e["size"] == 50_000)
        {
            echoed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(echoed);
    // From now on this caller reads nothing for a while (a request now would not even be
    // read: its unread notifications fill its budget).
    c.ok("wsdeck.subscribe", json!({"id": id})).await;
    // Wait (bounded) until the unread notifications have piled up.
    for _ in 0..1000 {
        if c.rx.queued_bytes() > BUDGET / 4 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // More would fit in their half; give the subscription time to try.
    for _ in 0..20 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(c.rx.peak_queued_bytes() <= BUDGET);
    // Notifications take at most half of the budget…
    let queued = c.rx.queued_bytes();
    assert!(
        queued > BUDGET / 4 && queued <= BUDGET / 2,
        "the unread notifications fill their half of the budget ({queued} bytes queued)"
    );
    // …so a request is still read and answered while they wait.
    let request = json!({"jsonrpc": "2.0", "id": 77, "method": "wsdeck.sessions"});
    tokio::time::timeout(WAIT, c.conn.handle(&request.to_string()))
        .await
        .expect("the request is read although notifications wait");
    let mut answered = false;
    let mut next = 0;
    let mut big = 0;
    while big < 2 || !answered {
        let text = next_text(&mut c).await;
        let v: Value = serde_json::from_str(&text).expect("JSON");
        if v["id"] == 77 {
            assert_eq!(v["result"][0]["id"].as_str(), Some(id.as_str()), "{v}");
            answered = true;
            continue;
        }
        if v["method"] != "wsdeck.events" {
            continue;
        }
        let events = v["params"]["events"].as_array().expect("events");
        if events.len() > 1 {
            assert!(text.len() <= NOTE, "notification of {} bytes", text.len());
        }
        assert_eq!(v["params"]["missed"], 0);
        for e in events {
            assert_eq!(e["seq"].as_u64(), Some(next), "no event skipped");
            next += 1;
            if e["size"] == 50_000 {
                assert!(e.get("truncated").is_none());
                big += 1;
            }
        }
    }
    assert!(c.rx.peak_queued_bytes() <= BUDGET);
}

/// A request's params are parsed into values of tens of bytes each: a text of a million
/// tiny numbers would take far more memory than its size, so their number is bounded.
#[tokio::test]
async fn params_with_too_many_values_are_refused_before_parsing() {
    let api = api(Limits {
        max_param_values: 1_000,
        ..Limits::default()
    });
    let mut c = Client::new(&api, "npm:test", true);
    let numbers = vec![0u8; 2_000];
    let r = c
        .call(
            "snap_sendWebSocketMessage",
            Some(json!({"id": "x", "message": numbers})),
        )
        .await;
    assert_eq!(r["error"]["code"], -32005, "{r}");
    assert_eq!(limit_of(&r), "param_values");
    assert_eq!(r["error"]["data"]["max"], 1_000);
    assert!(r["error"]["message"].as_str().unwrap().contains("base64"));
    // Commas and brackets inside strings are text, not values.
    let text = ",[{".repeat(5_000);
    let r = c.ok("wsdeck.format.detect", json!({"text": text})).await;
    assert_eq!(r["size"], 15_000);
    // Fewer values than the limit: the call runs (and fails on its own terms).
    let r = c
        .call(
            "snap_sendWebSocketMessage",
            Some(json!({"id": "x", "message": vec![0u8; 900]})),
        )
        .await;
    assert_ne!(limit_of(&r), "param_values", "{r}");
}

/// A caller's session logs share one byte budget: the session that grows lets its own oldest
/// events go (and says how many), and forgetting a session gives its share back.
#[tokio::test]
async fn session_logs_of_a_caller_share_one_byte_budget() {
    const MESSAGE: usize = 100_000;
    let (server, _) = setup().await;
    let api = api(Limits {
        max_log_bytes: 5 * MESSAGE,
        ..Limits::default()
    });
    let mut c = Client::new(&api, "local:test", true);
    let url = server.url("/echo");

    // 2 messages out and 2 echoes in: 400 KB of a 500 KB budget, nothing missed.
    let first = session_with_messages(&mut c, &url, 2, MESSAGE).await;
    let (events, missed) = log_of(&mut c, &first).await;
    assert_eq!(missed, 0);

    // The same again in a second session: it, not the idle first one, lets its oldest go,
    // and the caller's logs stay within the budget.
    let second = c.ok("wsdeck.open", json!({"url": url})).await;
    let second = second["id"].as_str().expect("id").to_owned();
    for i in 0..2 {
        let text = format!("{i:>8}{}", "m".repeat(MESSAGE - 8));
        c.ok("wsdeck.send", json!({"id": second, "text": text}))
            .await;
    }
    let mut seen = (0, 0);
    for _ in 0..500 {
        seen = log_of(&mut c, &second).await;
        if seen.0 + seen.1 == events {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let (kept, missed) = seen;
    assert_eq!(
        kept + missed,
        events,
        "all of the second session's events came"
    );
    assert!(missed > 0 && kept < events, "kept {kept}, missed {missed}");
    assert_eq!(
        log_of(&mut c, &first).await,
        (events, 0),
        "the idle session keeps its log"
    );

    // Forgotten, their shares come back: a third session keeps all of its messages.
    c.ok("wsdeck.forget", json!({"id": first})).await;
    c.ok("wsdeck.forget", json!({"id": second})).await;
    let third = session_with_messages(&mut c, &url, 2, MESSAGE).await;
    assert_eq!(log_of(&mut c, &third).await, (events, 0));
}

/// How many events a session's log holds from the start, and how many left it.
async fn log_of(c: &mut Client, id: &str) -> (u64, u64) {
    let page = c
        .ok(
            "wsdeck.events",
            json!({"id": id, "limit": 10_000, "maxData": 0}),
        )
        .await;
    let kept = page["events"].as_array().expect("events").len() as u64;
    (kept, page["missed"].as_u64().expect("missed"))
}
