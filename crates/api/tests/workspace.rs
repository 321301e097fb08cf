//! The workspace methods over the API against a real workspace folder (a temporary one):
//! requests, saved messages, collections, environments with secrets, the edit guard,
//! changes on disk, permissions and errors.

mod common;

use common::Client;
use serde_json::{Value, json};
use wsdeck_api::{Api, WORKSPACE};
use wsdeck_engine::Engine;
use wsdeck_workspace::Workspace;

struct Fixture {
    dir: tempfile::TempDir,
    api: Api,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("temp dir");
    let ws = Workspace::open(dir.path().join("ws"), dir.path().join("data"));
    let api = Api::new(Engine::new()).with_workspace(ws);
    Fixture { dir, api }
}

fn client(f: &Fixture) -> Client {
    Client::with_permissions(&f.api, "local:test", &[WORKSPACE])
}

fn names(request: &Value) -> Vec<&str> {
    request["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .map(|m| m["name"].as_str().unwrap_or(""))
        .collect()
}

#[tokio::test]
async fn requests_and_saved_messages_round_trip_through_files() {
    let f = fixture();
    let mut c = client(&f);
    let created = c
        .ok("wsdeck.collections.create", json!({"name": "Chat"}))
        .await;
    assert_eq!(created["path"], json!(["chat"]));
    let saved = c
        .ok(
            "wsdeck.requests.save",
            json!({"request": {
                "collection": ["chat"], "name": "Login", "url": "wss://{{host}}/chat",
                "protocols": ["chat.v2"],
                "params": [{"key": "room", "value": "lobby", "enabled": true}],
                "headers": [{"name": "Authorization", "value": "Bearer {{token}}", "enabled": false}],
                "settings": {"handshakeTimeoutMs": 5000, "tls": {"verify": true}},
                "messages": [{"name": "hello", "format": "json", "body": "{\"a\":1}", "delayMs": 100}],
            }}),
        )
        .await;
    assert_eq!(saved["id"], "chat/login");
    assert!(saved["revision"].is_string());
    let file = f.dir.path().join("ws/collections/chat/login.wsdeck.toml");
    let text = std::fs::read_to_string(&file).expect("the request is a file");
    assert!(text.contains("url = \"wss://{{host}}/chat\""), "{text}");
    assert!(text.contains("tls_verify = true"), "{text}");
    assert_eq!(
        saved["settings"],
        json!({"handshakeTimeoutMs": 5000, "tls": {"verify": true}}),
        "settings come back as they were given: {saved}"
    );
    // A saved request keeps no TLS files: refused at the field, nothing written.
    let e = c
        .err(
            "wsdeck.requests.save",
            json!({"request": {"name": "Keyed", "url": "wss://h/", "settings": {"tls": {"caFile": "/ca.pem"}}}}),
        )
        .await;
    assert_eq!(e["data"]["path"], "request.settings.tls.caFile", "{e}");

    let id = "chat/login";
    c.ok(
        "wsdeck.messages.add",
        json!({"id": id, "message": {"name": "bye", "format": "text", "body": "bye"}}),
    )
    .await;
    c.ok("wsdeck.messages.duplicate", json!({"id": id, "index": 0}))
        .await;
    c.ok(
        "wsdeck.messages.rename",
        json!({"id": id, "index": 1, "name": "hello again"}),
    )
    .await;
    let r = c
        .ok(
            "wsdeck.messages.move",
            json!({"id": id, "from": 2, "to": 0}),
        )
        .await;
    assert_eq!(names(&r), vec!["bye", "hello", "hello again"]);
    let r = c
        .ok("wsdeck.messages.delete", json!({"id": id, "index": 1}))
        .await;
    assert_eq!(names(&r), vec!["bye", "hello again"]);
    assert_eq!(r["messages"][1]["format"], "json");
    assert_eq!(r["messages"][1]["delayMs"], 100);

    let loaded = c.ok("wsdeck.workspace.load", json!({})).await;
    assert_eq!(loaded["requests"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        loaded["requests"][0]["settings"]["handshakeTimeoutMs"],
        5000
    );
    assert_eq!(loaded["requests"][0]["headers"][0]["enabled"], false);
    assert_eq!(
        loaded["collections"]["collections"][0]["requests"],
        json!([id])
    );

    // Renaming a collection changes its name, not its folder: the request keeps its id.
    c.ok(
        "wsdeck.collections.describe",
        json!({"path": ["chat"], "name": "Chat rooms", "description": "Lobby and DMs."}),
    )
    .await;
    let loaded = c.ok("wsdeck.workspace.load", json!({})).await;
    let chat = &loaded["collections"]["collections"][0];
    assert_eq!(chat["name"], "Chat rooms", "{chat}");
    assert_eq!(chat["description"], "Lobby and DMs.");
    assert_eq!(chat["requests"], json!([id]));
    let e = c
        .err(
            "wsdeck.collections.describe",
            json!({"path": ["chat"], "name": "  "}),
        )
        .await;
    assert!(
        e["message"]
            .as_str()
            .is_some_and(|m| m.contains("needs a name")),
        "{e}"
    );
    let e = c
        .err(
            "wsdeck.collections.describe",
            json!({"path": ["nope"], "name": "X"}),
        )
        .await;
    assert_eq!(e["code"], -32001, "{e}");

    let copy = c.ok("wsdeck.requests.duplicate", json!({"id": id})).await;
    assert_ne!(copy["id"], id);
    let renamed = c
        .ok(
            "wsdeck.requests.rename",
            json!({"id": copy["id"], "name": "Logout"}),
        )
        .await;
    assert_eq!(renamed["id"], "chat/logout");
    c.ok("wsdeck.requests.delete", json!({"id": "chat/logout"}))
        .await;
    let e = c
        .err("wsdeck.requests.delete", json!({"id": "chat/logout"}))
        .await;
    assert_eq!(e["code"], -32001);
    let e = c
        .err("wsdeck.messages.delete", json!({"id": id, "index": 9}))
        .await;
    assert_eq!(e["data"]["kind"], "message");
    let e = c
        .err("wsdeck.requests.delete", json!({"id": "../etc/passwd"}))
        .await;
    assert_eq!(e["code"], -32602);
}

#[tokio::test]
async fn a_file_changed_on_disk_is_not_overwritten_unless_forced() {
    let f = fixture();
    let mut c = client(&f);
    let saved = c
        .ok(
            "wsdeck.requests.save",
            json!({"request": {"name": "Feed", "url": "ws://127.0.0.1:9/feed"}}),
        )
        .await;
    c.ok("wsdeck.workspace.load", json!({})).await;
    let file = f.dir.path().join("ws/collections/feed.wsdeck.toml");
    let edited = std::fs::read_to_string(&file)
        .expect("file")
        .replace("/feed", "/edited-elsewhere");
    std::fs::write(&file, edited).expect("edit on disk");

    let changes = c.ok("wsdeck.workspace.changes", json!({})).await;
    let paths = changes["paths"].to_string();
    assert!(paths.contains("feed.wsdeck.toml"), "{paths}");

    let mut stale = saved.clone();
    stale["url"] = json!("ws://127.0.0.1:9/mine");
    let e = c
        .err("wsdeck.requests.save", json!({"request": stale}))
        .await;
    assert_eq!(e["code"], -32009);
    assert_eq!(e["message"], "Changed on disk.");
    assert!(
        e["data"]["hint"].as_str().unwrap_or("").contains("force"),
        "{e}"
    );
    let forced = c
        .ok(
            "wsdeck.requests.save",
            json!({"request": stale, "force": true}),
        )
        .await;
    assert_eq!(forced["url"], "ws://127.0.0.1:9/mine");
}

#[tokio::test]
async fn environments_keep_secret_values_out_of_the_workspace() {
    let f = fixture();
    let mut c = client(&f);
    let env = c
        .ok(
            "wsdeck.environments.save",
            json!({"environment": {"name": "Staging", "variables": [
                {"name": "host", "value": "staging.example"},
                {"name": "token", "value": "s3cr3t", "secret": true},
            ]}}),
        )
        .await;
    assert_eq!(env["slug"], "staging");
    let file = f.dir.path().join("ws/environments/staging.env.toml");
    let text = std::fs::read_to_string(file).expect("env file");
    assert!(!text.contains("s3cr3t"), "{text}");
    let loaded = c.ok("wsdeck.workspace.load", json!({})).await;
    assert_eq!(loaded["environments"][0]["variables"][1]["value"], "s3cr3t");
    c.ok("wsdeck.environments.delete", json!({"slug": "staging"}))
        .await;
    let loaded = c.ok("wsdeck.workspace.load", json!({})).await;
    assert_eq!(loaded["environments"], json!([]));
}

#[tokio::test]
async fn bad_files_are_reported_and_permission_is_needed() {
    let f = fixture();
    let dir = f.dir.path().join("ws/collections");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(dir.join("broken.wsdeck.toml"), "name = \"x\"\nurl = \n").expect("write");
    std::fs::write(
        dir.join("fine.wsdeck.toml"),
        "name = \"Fine\"\nurl = \"ws://h/\"\n",
    )
    .expect("write");
    let mut c = client(&f);
    let loaded = c.ok("wsdeck.workspace.load", json!({})).await;
    assert_eq!(loaded["requests"][0]["name"], "Fine");
    assert_eq!(loaded["problems"][0]["line"], 2);
    assert!(
        loaded["problems"][0]["path"]
            .as_str()
            .unwrap_or("")
            .ends_with("broken.wsdeck.toml")
    );

    let mut outsider = Client::new(&f.api, "local:other", true);
    let e = outsider.err("wsdeck.workspace.load", json!({})).await;
    assert_eq!(e["code"], 4100);

    let bare = Api::new(Engine::new());
    let mut c = Client::with_permissions(&bare, "local:test", &[WORKSPACE]);
    let e = c.err("wsdeck.workspace.load", json!({})).await;
    assert!(
        e["message"].as_str().unwrap_or("").contains("--workspace"),
        "{e}"
    );
}

/// Every file under `dir` with its bytes (links not followed).
#[cfg(unix)]
fn tree_bytes(dir: &std::path::Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read_dir") {
            let path = entry.expect("entry").path();
            if std::fs::symlink_metadata(&path).expect("meta").is_dir() {
                stack.push(path.clone());
                out.push((path, Vec::new()));
            } else {
                out.push((path.clone(), std::fs::read(&path).unwrap_or_default()));
            }
        }
    }
    out.sort();
    out
}

#[cfg(unix)]
#[tokio::test]
async fn links_leaving_the_workspace_are_refused_with_the_path_and_change_nothing_outside() {
    let f = fixture();
    let mut c = client(&f);
    let outside = f.dir.path().join("outside");
    std::fs::create_dir_all(&outside).expect("mkdir");
    std::fs::write(
        outside.join("victim.wsdeck.toml"),
        "name = \"victim\"\nurl = \"ws://127.0.0.1:1/\"\n",
    )
    .expect("write");
    std::fs::create_dir_all(f.dir.path().join("ws/collections")).expect("mkdir");
    std::os::unix::fs::symlink(&outside, f.dir.path().join("ws/collections/evil"))
        .expect("symlink");
    let before = tree_bytes(&outside);
    let calls = [
        (
            "wsdeck.requests.save",
            json!({"request": {"collection": ["evil"], "name": "Planted", "url": "ws://127.0.0.1:1/"}}),
        ),
        (
            "wsdeck.messages.add",
            json!({"id": "evil/victim", "message": {"name": "m", "format": "text", "body": "x"}}),
        ),
        ("wsdeck.requests.delete", json!({"id": "evil/victim"})),
        (
            "wsdeck.collections.create",
            json!({"parent": ["evil"], "name": "Sub"}),
        ),
        ("wsdeck.collections.delete", json!({"path": ["evil"]})),
    ];
    for (method, params) in calls {
        let e = c.err(method, params).await;
        let message = e["message"].as_str().unwrap_or_default();
        assert!(
            message.contains("symbolic link") && message.contains("outside"),
            "{method}: {e}"
        );
        assert!(
            e["data"]["path"]
                .as_str()
                .is_some_and(|p| p.ends_with("collections/evil")),
            "{method}: the link's path: {e}"
        );
        assert_eq!(
            tree_bytes(&outside),
            before,
            "{method} changed nothing outside"
        );
    }
}
