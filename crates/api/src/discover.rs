//! `rpc.discover`'s OpenRPC 1.2 document: every method of the method table (`methods.rs`,
//! which the dispatcher routes by, so the two cannot drift) with its summary and schemas.

use serde_json::{Value, json};

use crate::methods::method_names;

fn s() -> Value {
    json!({"type": "string"})
}
fn int() -> Value {
    json!({"type": "integer", "minimum": 0})
}
fn boolean() -> Value {
    json!({"type": "boolean"})
}
fn nothing() -> Value {
    json!({"type": "null"})
}
fn pairs() -> Value {
    json!({"type": "array", "items": {"type": "array", "items": {"type": "string"}, "minItems": 2, "maxItems": 2}})
}
fn strings() -> Value {
    json!({"type": "array", "items": {"type": "string"}})
}
fn object(props: Value, required: &[&str]) -> Value {
    json!({"type": "object", "properties": props, "required": required})
}
fn variables() -> Value {
    json!({"type": "array", "items": object(json!({"name": s(), "value": s(), "secret": boolean()}), &["name", "value"])})
}
/// `limit` of the paged methods (`wsdeck.events`, `wsdeck.search`).
fn page_limit() -> Value {
    json!({"type": "integer", "minimum": 0, "maximum": 10000})
}
fn text_format() -> Value {
    json!({"type": "string", "enum": ["json", "xml", "html"]})
}
fn handshake() -> Value {
    let head = object(json!({"startLine": s(), "headers": pairs()}), &[]);
    object(
        json!({
            "url": s(), "remoteAddr": s(), "request": head, "response": head,
            "protocol": {"type": ["string", "null"]}, "extensions": strings(),
            "tls": {"type": ["string", "null"]},
            "timings": object(json!({"dnsMs": {"type": "number"}, "connectMs": {"type": "number"},
                "tlsMs": {"type": "number"}, "upgradeMs": {"type": "number"}, "totalMs": {"type": "number"}}), &[]),
        }),
        &["url", "request", "response", "timings"],
    )
}
fn event() -> Value {
    json!({
        "type": "object",
        "description": "seq, time (RFC 3339), monoMs, type (connecting|redirect|open|message|ping|pong|closing|closed|error|reconnecting) and the fields of that type",
        "properties": {"seq": int(), "time": s(), "monoMs": {"type": "number"}, "type": s()},
        "required": ["seq", "time", "monoMs", "type"],
    })
}

/// A param entry of the document.
fn p(name: &str, schema: Value, required: bool) -> Value {
    json!({"name": name, "schema": schema, "required": required})
}

/// Summary, params and result schema of one method.
fn describe(method: &str) -> (&'static str, Vec<Value>, Value) {
    let id = || p("id", s(), true);
    match method {
        "rpc.discover" => ("This OpenRPC document.", vec![], json!({"type": "object"})),
        "snap_openWebSocket" => (
            "Snaps: open a WebSocket; answers its id after the handshake.",
            vec![p("url", s(), true), p("protocols", strings(), false)],
            s(),
        ),
        "snap_sendWebSocketMessage" => (
            "Snaps: send a text (string) or binary (number array) message.",
            vec![
                id(),
                p(
                    "message",
                    json!({"oneOf": [s(), {"type": "array", "items": {"type": "number"}}]}),
                    true,
                ),
            ],
            nothing(),
        ),
        "snap_closeWebSocket" => ("Snaps: close a WebSocket.", vec![id()], nothing()),
        "snap_getWebSockets" => (
            "Snaps: list the caller's WebSockets.",
            vec![],
            json!({"type": "array", "items": object(json!({"id": s(), "url": s(), "protocols": strings()}), &["id", "url", "protocols"])}),
        ),
        "wsdeck.open" => (
            "Open a session from a full request spec.",
            vec![
                p("url", s(), true),
                p("params", pairs(), false),
                p("headers", pairs(), false),
                p("protocols", strings(), false),
                p(
                    "settings",
                    object(
                        json!({
                            "handshakeTimeoutMs": int(), "followRedirects": boolean(),
                            "maxRedirects": int(), "reconnectAttempts": int(),
                            "reconnectIntervalMs": int(), "maxMessageSize": int(),
                            "autoPong": boolean(), "closeTimeoutMs": int(),
                            "tls": object(json!({"verify": boolean(), "caFile": s(), "clientCert": s(), "clientKey": s()}), &[]),
                        }),
                        &[],
                    ),
                    false,
                ),
                p("variables", variables(), false),
                p("wait", boolean(), false),
            ],
            object(json!({"id": s(), "handshake": handshake()}), &["id"]),
        ),
        "wsdeck.send" => (
            "Send one message: exactly one of text ({{variables}} resolved), binary (base64) and hex.",
            vec![
                id(),
                p("text", s(), false),
                p("binary", s(), false),
                p("hex", s(), false),
                p("variables", variables(), false),
            ],
            nothing(),
        ),
        "wsdeck.ping" => (
            "Send a ping (data: up to 125 bytes of UTF-8).",
            vec![id(), p("data", s(), false)],
            nothing(),
        ),
        "wsdeck.pong" => (
            "Send an unsolicited pong.",
            vec![id(), p("data", s(), false)],
            nothing(),
        ),
        "wsdeck.close" => (
            "Start the closing handshake.",
            vec![
                id(),
                p(
                    "code",
                    json!({"type": "integer", "minimum": 1000, "maximum": 4999}),
                    false,
                ),
                p("reason", s(), false),
            ],
            nothing(),
        ),
        "wsdeck.forget" => (
            "Drop a session from the caller's list (closing it first): frees its log.",
            vec![id()],
            nothing(),
        ),
        "wsdeck.sessions" => (
            "List the caller's sessions.",
            vec![],
            json!({"type": "array", "items": object(json!({
                "id": s(), "url": s(), "protocols": strings(), "state": s(),
                "negotiatedProtocol": {"type": ["string", "null"]}, "eventCount": int(),
            }), &["id", "url", "protocols", "state", "eventCount"])}),
        ),
        "wsdeck.handshake" => (
            "Handshake details of a session (null before it opened).",
            vec![id()],
            json!({"oneOf": [handshake(), nothing()]}),
        ),
        "wsdeck.events" => (
            "A page of a session's event log.",
            vec![
                id(),
                p("from", int(), false),
                p("limit", page_limit(), false),
                p("maxData", int(), false),
            ],
            object(
                json!({"events": {"type": "array", "items": event()}, "nextSeq": int(), "missed": int(), "atEnd": boolean()}),
                &["events", "nextSeq", "missed", "atEnd"],
            ),
        ),
        "wsdeck.search" => (
            "Sequence numbers of a session's events matching a text or regex and kinds.",
            vec![
                id(),
                p("from", int(), false),
                p("limit", page_limit(), false),
                p("text", s(), false),
                p("caseSensitive", boolean(), false),
                p("regex", boolean(), false),
                p(
                    "kinds",
                    json!({"type": "array", "items": {"type": "string", "enum": ["in", "out", "control", "connection"]}}),
                    false,
                ),
            ],
            object(
                json!({"seqs": {"type": "array", "items": int()}, "nextSeq": int(), "atEnd": boolean()}),
                &["seqs", "nextSeq", "atEnd"],
            ),
        ),
        "wsdeck.subscribe" => (
            "Stream a session's events as coalesced wsdeck.events notifications.",
            vec![id(), p("from", int(), false), p("maxData", int(), false)],
            object(json!({"subscription": s()}), &["subscription"]),
        ),
        "wsdeck.unsubscribe" => (
            "End a subscription.",
            vec![p("subscription", s(), true)],
            nothing(),
        ),
        "wsdeck.format.detect" => (
            "Detect the format of a message (exactly one of text and base64).",
            vec![p("text", s(), false), p("base64", s(), false)],
            object(
                json!({"format": s(), "mime": s(), "size": int()}),
                &["format", "mime", "size"],
            ),
        ),
        "wsdeck.format.beautify" => (
            "Pretty-print JSON, XML or HTML.",
            vec![
                p("text", s(), true),
                p("format", text_format(), true),
                p(
                    "indent",
                    json!({"oneOf": [{"type": "integer", "minimum": 0, "maximum": 16}, {"const": "tab"}]}),
                    false,
                ),
            ],
            object(json!({"text": s()}), &["text"]),
        ),
        "wsdeck.format.minify" => (
            "Minify JSON, XML or HTML.",
            vec![p("text", s(), true), p("format", text_format(), true)],
            object(json!({"text": s()}), &["text"]),
        ),
        "wsdeck.format.validate" => (
            "Validate JSON or XML, check HTML, or check hex/base64 input, with positions.",
            vec![
                p("text", s(), true),
                p(
                    "format",
                    json!({"type": "string", "enum": ["json", "xml", "html", "hex", "base64"]}),
                    true,
                ),
            ],
            object(
                json!({"ok": boolean(), "errors": {"type": "array", "items": object(json!({
                    "severity": s(), "message": s(), "hint": {"type": ["string", "null"]},
                    "line": int(), "column": int(), "offset": int(),
                }), &["message", "line", "column", "offset"])}}),
                &["ok", "errors"],
            ),
        ),
        "wsdeck.format.hexdump" => (
            "Hexdump of base64 bytes.",
            vec![
                p("base64", s(), true),
                p(
                    "width",
                    json!({"type": "integer", "minimum": 1, "maximum": 256}),
                    false,
                ),
            ],
            object(
                json!({"lines": {"type": "array", "items": object(json!({"offset": int(), "hex": s(), "ascii": s()}), &["offset", "hex", "ascii"])}}),
                &["lines"],
            ),
        ),
        "wsdeck.vars.complete" => (
            "Complete {{variable}} names at a cursor (byte offset); secrets preview as ****.",
            vec![
                p("text", s(), true),
                p("cursor", int(), true),
                p(
                    "variables",
                    json!({"type": "array", "items": object(json!({"name": s(), "value": s(), "secret": boolean()}), &["name", "value"])}),
                    false,
                ),
            ],
            object(
                json!({
                    "replaceRange": object(json!({"start": int(), "end": int()}), &["start", "end"]),
                    "items": {"type": "array", "items": object(json!({
                        "name": s(), "scope": s(), "preview": s(),
                        "description": {"type": ["string", "null"]}, "insertText": s(),
                    }), &["name", "scope", "preview", "insertText"])},
                }),
                &["replaceRange", "items"],
            ),
        ),
        "wsdeck.workspace.load" => (
            "The workspace: collections, requests, environments and files that did not load.",
            vec![],
            object(
                json!({"root": s(), "collections": json!({"type": "object"}), "requests": {"type": "array", "items": ws_request()}, "environments": {"type": "array", "items": ws_environment()}, "problems": {"type": "array"}}),
                &[
                    "root",
                    "collections",
                    "requests",
                    "environments",
                    "problems",
                ],
            ),
        ),
        "wsdeck.workspace.changes" => (
            "Workspace files changed on disk since this caller's last wsdeck.workspace.load.",
            vec![],
            object(json!({"paths": strings()}), &["paths"]),
        ),
        "wsdeck.requests.save" => (
            "Save a request (new without id; revision guards against changes on disk).",
            vec![
                p("request", ws_request(), true),
                p("force", boolean(), false),
            ],
            ws_request(),
        ),
        "wsdeck.requests.rename" => (
            "Rename a saved request (and its file).",
            vec![id(), p("name", s(), true)],
            ws_request(),
        ),
        "wsdeck.requests.duplicate" => ("Copy a saved request.", vec![id()], ws_request()),
        "wsdeck.requests.move" => (
            "Move a saved request to another collection.",
            vec![id(), p("collection", strings(), true)],
            ws_request(),
        ),
        "wsdeck.requests.delete" => ("Delete a saved request.", vec![id()], nothing()),
        "wsdeck.collections.create" => (
            "Create a collection (a folder).",
            vec![p("parent", strings(), false), p("name", s(), true)],
            object(json!({"path": strings()}), &["path"]),
        ),
        "wsdeck.collections.describe" => (
            "Rename a collection (its display name; the folder, and so the ids of its requests, stay) and set its description.",
            vec![
                p("path", strings(), true),
                p("name", s(), true),
                p("description", s(), false),
            ],
            nothing(),
        ),
        "wsdeck.collections.delete" => (
            "Delete a collection with everything in it.",
            vec![p("path", strings(), true)],
            nothing(),
        ),
        "wsdeck.messages.add" => (
            "Add a saved message to a request.",
            vec![id(), p("message", ws_message(), true)],
            ws_request(),
        ),
        "wsdeck.messages.rename" => (
            "Rename a saved message.",
            vec![id(), p("index", int(), true), p("name", s(), true)],
            ws_request(),
        ),
        "wsdeck.messages.duplicate" => (
            "Copy a saved message (the copy follows it).",
            vec![id(), p("index", int(), true)],
            ws_request(),
        ),
        "wsdeck.messages.move" => (
            "Move a saved message to another position.",
            vec![id(), p("from", int(), true), p("to", int(), true)],
            ws_request(),
        ),
        "wsdeck.messages.delete" => (
            "Delete a saved message.",
            vec![id(), p("index", int(), true)],
            ws_request(),
        ),
        "wsdeck.environments.save" => (
            "Save an environment (secret values outside the workspace).",
            vec![
                p("environment", ws_environment(), true),
                p("force", boolean(), false),
            ],
            ws_environment(),
        ),
        "wsdeck.environments.delete" => (
            "Delete an environment and its secret values.",
            vec![p("slug", s(), true)],
            nothing(),
        ),
        "wsdeck.history.list" => (
            "Recorded sessions, newest first.",
            vec![
                p("limit", int(), false),
                p("beforeId", int(), false),
                p("url", s(), false),
            ],
            json!({"type": "array", "items": history_session()}),
        ),
        "wsdeck.history.session" => (
            "One recorded session with its request and last handshake.",
            vec![p("id", int(), true)],
            history_session(),
        ),
        "wsdeck.history.events" => (
            "A page of a recorded session's events (the live event shape).",
            vec![
                p("id", int(), true),
                p("from", int(), false),
                p("limit", page_limit(), false),
                p("maxData", int(), false),
            ],
            object(
                json!({"events": {"type": "array", "items": event()}, "nextSeq": int(), "missed": int(), "atEnd": boolean()}),
                &["events", "nextSeq", "missed", "atEnd"],
            ),
        ),
        "wsdeck.history.search" => (
            "Full-text search (FTS5) over every recorded text message.",
            vec![p("query", s(), true), p("limit", int(), false)],
            json!({"type": "array", "items": object(json!({"session": int(), "seq": int(), "snippet": s()}), &["session", "seq", "snippet"])}),
        ),
        "wsdeck.history.filter" => (
            "Like wsdeck.search, over a recorded session.",
            vec![
                p("id", int(), true),
                p("from", int(), false),
                p("limit", page_limit(), false),
                p("text", s(), false),
                p("caseSensitive", boolean(), false),
                p("regex", boolean(), false),
                p(
                    "kinds",
                    json!({"type": "array", "items": {"type": "string", "enum": ["in", "out", "control", "connection"]}}),
                    false,
                ),
            ],
            object(
                json!({"seqs": {"type": "array", "items": int()}, "nextSeq": int(), "atEnd": boolean()}),
                &["seqs", "nextSeq", "atEnd"],
            ),
        ),
        "wsdeck.history.export" => (
            "Recorded sessions as JSON lines or HAR 1.2 (_webSocketMessages).",
            vec![
                p("ids", json!({"type": "array", "items": int()}), true),
                p(
                    "format",
                    json!({"type": "string", "enum": ["jsonl", "har"]}),
                    true,
                ),
            ],
            object(json!({"text": s()}), &["text"]),
        ),
        "wsdeck.history.import" => (
            "Add a HAR file's WebSocket entries (_webSocketMessages) as recorded sessions.",
            vec![p("har", s(), true)],
            object(
                json!({"sessions": {"type": "array", "items": int()}}),
                &["sessions"],
            ),
        ),
        "wsdeck.history.delete" => (
            "Delete recorded sessions, all or none (not one being recorded).",
            vec![p("ids", json!({"type": "array", "items": int()}), true)],
            prune_report(),
        ),
        "wsdeck.history.retention" => (
            "The history's retention settings and its size.",
            vec![],
            retention(),
        ),
        "wsdeck.history.setRetention" => (
            "Store retention settings (null: no limit) and apply them now; they are applied again as sessions are recorded.",
            vec![
                p(
                    "maxAgeDays",
                    json!({"type": ["integer", "null"], "minimum": 1, "maximum": 36_500}),
                    true,
                ),
                p(
                    "maxMib",
                    json!({"type": ["integer", "null"], "minimum": 1, "maximum": 1_048_576}),
                    true,
                ),
            ],
            {
                let mut r = retention();
                r["properties"]["pruned"] = prune_report();
                r
            },
        ),
        _ => ("", vec![], json!({})),
    }
}

fn prune_report() -> Value {
    object(
        json!({"sessions": {"type": "array", "items": int()}, "events": int(), "bytes": int()}),
        &["sessions", "events", "bytes"],
    )
}

fn retention() -> Value {
    object(
        json!({
            "maxAgeDays": {"type": ["integer", "null"]},
            "maxMib": {"type": ["integer", "null"]},
            "sessions": int(),
            "events": int(),
            "bytes": int(),
        }),
        &["maxAgeDays", "maxMib", "sessions", "events", "bytes"],
    )
}

fn history_session() -> Value {
    object(
        json!({
            "id": int(), "startedAt": s(), "endedAt": {"type": ["string", "null"]}, "url": s(),
            "request": {"type": ["object", "null"]}, "handshake": {"type": ["object", "null"]},
            "closeCode": {"type": ["integer", "null"]}, "closeReason": {"type": ["string", "null"]},
            "eventCount": int(), "bytes": int(),
        }),
        &["id", "startedAt", "url", "eventCount", "bytes"],
    )
}

fn ws_message() -> Value {
    object(
        json!({"name": s(), "format": {"type": "string", "enum": ["text", "json", "xml", "html", "binary-hex", "binary-base64"]}, "body": s(), "delayMs": int()}),
        &["name"],
    )
}

fn ws_request() -> Value {
    object(
        json!({
            "id": s(), "collection": strings(), "name": s(), "description": s(), "url": s(),
            "protocols": strings(),
            "params": {"type": "array", "items": object(json!({"key": s(), "value": s(), "enabled": boolean()}), &["key", "value", "enabled"])},
            "headers": {"type": "array", "items": object(json!({"name": s(), "value": s(), "enabled": boolean()}), &["name", "value", "enabled"])},
            "settings": {"type": "object"},
            "messages": {"type": "array", "items": ws_message()},
            "revision": {"type": ["string", "null"]},
        }),
        &["name", "url"],
    )
}

fn ws_environment() -> Value {
    object(
        json!({
            "slug": s(), "name": s(), "revision": {"type": ["string", "null"]},
            "variables": {"type": "array", "items": object(json!({"name": s(), "value": s(), "enabled": boolean(), "secret": boolean()}), &["name"])},
        }),
        &["name"],
    )
}

/// [`openrpc`] as JSON text, built once: `rpc.discover` needs no permission, so a batch of a
/// thousand of them must not build a thousand documents.
pub(crate) fn openrpc_text() -> &'static str {
    static TEXT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    TEXT.get_or_init(|| openrpc().to_string())
}

/// The OpenRPC 1.2 document `rpc.discover` answers: every method of the method table.
pub fn openrpc() -> Value {
    let methods: Vec<Value> = method_names()
        .map(|name| {
            let (summary, params, result) = describe(name);
            json!({
                "name": name,
                "summary": summary,
                "paramStructure": "by-name",
                "params": params,
                "result": {"name": "result", "schema": result},
            })
        })
        .collect();
    json!({
        "openrpc": "1.2.6",
        "info": {
            "title": "wsdeck JSON-RPC API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "snap_* (MetaMask Snaps WebSocket dialect) and wsdeck.* methods; notifications: onWebSocketEvent, wsdeck.events.",
        },
        "methods": methods,
    })
}
