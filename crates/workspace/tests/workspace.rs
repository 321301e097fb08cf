//! The workspace against real folders (always temporary ones: never the user's home).

use std::fs;
use std::path::{Path, PathBuf};

use wsdeck_workspace::{
    Environment, Header, MessageFormat, Origin, Param, Request, RequestDoc, RequestId,
    RequestSettings, SavedMessage, Variable, Workspace, WorkspaceError, data_dir_from,
};

struct Fixture {
    _dir: tempfile::TempDir,
    root: PathBuf,
    data: PathBuf,
    ws: Workspace,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("project/.wsdeck");
    let data = dir.path().join("data");
    let ws = Workspace::open(&root, &data);
    Fixture {
        _dir: dir,
        root,
        data,
        ws,
    }
}

fn full_doc() -> RequestDoc {
    RequestDoc {
        name: "Login — «chat» ✓".into(),
        description: "Logs in.\nThen joins the lobby.\n\n  Indented \"quoted\" line\twith tab\n"
            .into(),
        url: "wss://{{host}}/chat?x=1".into(),
        protocols: vec!["chat.v2".into(), "chat.v1".into()],
        settings: RequestSettings {
            handshake_timeout_ms: Some(5000),
            follow_redirects: Some(true),
            max_redirects: Some(3),
            reconnect_attempts: Some(2),
            reconnect_interval_ms: Some(750),
            max_message_size: Some(16 << 20),
            auto_pong: Some(false),
            close_timeout_ms: Some(2500),
            tls_verify: Some(true),
        },
        params: vec![
            Param {
                key: "room".into(),
                value: "lobby".into(),
                enabled: true,
            },
            Param {
                key: "debug".into(),
                value: String::new(),
                enabled: false,
            },
        ],
        headers: vec![Header {
            name: "Authorization".into(),
            value: "Bearer {{token}}".into(),
            enabled: true,
        }],
        messages: vec![
            SavedMessage {
                name: "hello".into(),
                format: MessageFormat::Json,
                body: "{\n  \"type\": \"hello\",\n  \"s\": \"a'''b\\\"\"\n}".into(),
                delay_ms: Some(100),
            },
            SavedMessage::text("plain", "hi there"),
            SavedMessage {
                name: "xml".into(),
                format: MessageFormat::Xml,
                body: "<a>\r\n  <b/>\r\n</a>".into(),
                delay_ms: None,
            },
            SavedMessage {
                name: "html".into(),
                format: MessageFormat::Html,
                body: "<p>hi</p>".into(),
                delay_ms: Some(0),
            },
            SavedMessage {
                name: "hex".into(),
                format: MessageFormat::BinaryHex,
                body: "00 ff 10".into(),
                delay_ms: None,
            },
            SavedMessage {
                name: "b64".into(),
                format: MessageFormat::BinaryBase64,
                body: "AP8Q".into(),
                delay_ms: None,
            },
            SavedMessage::text("odd", "\u{0}\u{1b}[31m trailing  \n\n"),
        ],
    }
}

fn temp_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else {
        return out;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(temp_files(&path));
        } else if path.to_string_lossy().ends_with(".tmp") {
            out.push(path);
        }
    }
    out
}

#[test]
fn request_round_trip_with_every_field_and_stable_text() {
    let f = fixture();
    let mut request = Request::new(vec!["chat".into()], full_doc());
    let path = f.ws.save_request(&mut request).unwrap();
    assert_eq!(path, f.root.join("collections/chat/login-chat.wsdeck.toml"));
    assert_eq!(request.id, RequestId::parse("chat/login-chat").unwrap());
    let first = fs::read(&path).unwrap();

    let loaded = f.ws.load().unwrap();
    assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
    let got = loaded.request(&request.id).unwrap();
    assert_eq!(got.doc, full_doc());
    assert_eq!(got, &request);

    // Saving the loaded request again gives the same bytes.
    let mut again = got.clone();
    f.ws.save_request(&mut again).unwrap();
    assert_eq!(fs::read(&path).unwrap(), first);

    // Human-readable, stable key order.
    let text = String::from_utf8(first).unwrap();
    let order = [
        "name = ",
        "description = ",
        "url = ",
        "protocols = ",
        "[settings]",
        "[[params]]",
        "[[headers]]",
        "[[messages]]",
    ];
    let positions: Vec<usize> = order.iter().map(|k| text.find(k).unwrap()).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{text}");
    assert!(text.contains("format = \"binary-hex\""), "{text}");
    assert!(temp_files(&f.root).is_empty());
}

#[test]
fn minimal_request_and_collection_tree() {
    let f = fixture();
    let chat = f.ws.create_collection(&[], "Chat rooms").unwrap();
    assert_eq!(chat, vec!["chat-rooms".to_owned()]);
    let nested = f.ws.create_collection(&chat, "Admin").unwrap();
    let mut a = Request::new(
        nested.clone(),
        RequestDoc {
            name: "Kick".into(),
            url: "ws://localhost".into(),
            ..RequestDoc::default()
        },
    );
    f.ws.save_request(&mut a).unwrap();
    let mut top = Request::new(vec![], RequestDoc::default());
    f.ws.save_request(&mut top).unwrap();
    assert_eq!(top.id.slug, "untitled");

    let text = fs::read_to_string(f.ws.request_path(&a.id).unwrap()).unwrap();
    assert_eq!(
        text,
        "name = \"Kick\"\ndescription = \"\"\nurl = \"ws://localhost\"\nprotocols = []\n"
    );

    f.ws.describe_collection(&nested, "Admin tools", "Kicks and bans.")
        .unwrap();
    assert!(f.ws.describe_collection(&["nope".into()], "x", "").is_err());

    let loaded = f.ws.load().unwrap();
    assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
    let tree = &loaded.collections;
    assert_eq!(
        tree.collections[0].collections[0].description,
        "Kicks and bans."
    );
    assert_eq!(tree.requests, vec![top.id.clone()]);
    assert_eq!(tree.collections.len(), 1);
    assert_eq!(tree.collections[0].name, "Chat rooms");
    assert_eq!(tree.collections[0].collections[0].name, "Admin tools");
    assert_eq!(
        tree.collections[0].collections[0].path,
        ["chat-rooms", "admin"]
    );
    assert_eq!(
        tree.collections[0].collections[0].requests,
        vec![a.id.clone()]
    );
    assert_eq!(loaded.requests.len(), 2);
}

#[test]
fn environment_round_trip_keeps_secrets_out_of_the_workspace() {
    let f = fixture();
    let mut env = Environment::new(
        "Staging",
        vec![
            Variable::new("host", "staging.example.com"),
            Variable::secret("token", "s3cr3t-value"),
            Variable {
                enabled: false,
                ..Variable::new("old", "x")
            },
        ],
    );
    let path = f.ws.save_environment(&mut env).unwrap();
    assert_eq!(path, f.root.join("environments/staging.env.toml"));
    let text = fs::read_to_string(&path).unwrap();
    assert!(!text.contains("s3cr3t"), "{text}");
    assert!(text.contains("secret = true"), "{text}");
    assert!(!format!("{env:?}").contains("s3cr3t"));

    let secrets = f.ws.secrets_path().unwrap();
    assert!(secrets.starts_with(f.data.join("secrets")));
    assert!(
        fs::read_to_string(&secrets)
            .unwrap()
            .contains("s3cr3t-value")
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(&secrets).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    // Nothing in the workspace folder holds the secret.
    for file in walk(&f.root) {
        assert!(
            !fs::read_to_string(&file)
                .unwrap_or_default()
                .contains("s3cr3t"),
            "{file:?}"
        );
    }

    let loaded = f.ws.load().unwrap();
    assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
    assert_eq!(loaded.environments, vec![env.clone()]);
    assert_eq!(f.ws.load_environment("staging").unwrap(), env);

    // Saving twice gives the same bytes; turning the secret off moves its value back.
    let mut again = loaded.environments[0].clone();
    f.ws.save_environment(&mut again).unwrap();
    assert_eq!(fs::read_to_string(&path).unwrap(), text);
    again.variables[1].secret = false;
    f.ws.save_environment(&mut again).unwrap();
    assert!(fs::read_to_string(&path).unwrap().contains("s3cr3t-value"));
    assert!(
        !fs::read_to_string(&secrets)
            .unwrap()
            .contains("s3cr3t-value")
    );

    f.ws.delete_environment("staging").unwrap();
    assert!(f.ws.load().unwrap().environments.is_empty());
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn discovery() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let project = dir.path().join("project");
    let deep = project.join("src/a/b");
    fs::create_dir_all(&deep).unwrap();

    // Nothing found: the per-user default.
    let ws = Workspace::discover(&deep, None, &data).unwrap();
    assert_eq!(ws.origin(), Origin::Default);
    assert_eq!(ws.root(), data.join("workspace"));

    // A `.wsdeck/` upward.
    fs::create_dir_all(project.join(".wsdeck")).unwrap();
    let ws = Workspace::discover(&deep, None, &data).unwrap();
    assert_eq!(ws.origin(), Origin::Found);
    assert_eq!(ws.root(), project.join(".wsdeck"));

    // Explicit wins, relative to the start folder.
    let ws = Workspace::discover(&deep, Some("mine".into()), &data).unwrap();
    assert_eq!(ws.origin(), Origin::Explicit);
    assert_eq!(ws.root(), deep.join("mine"));
    let abs = dir.path().join("elsewhere");
    let ws = Workspace::discover(&deep, Some(abs.clone()), &data).unwrap();
    assert_eq!(ws.root(), abs);

    // A file is not a workspace.
    fs::write(dir.path().join("file"), "x").unwrap();
    let err = Workspace::discover(&deep, Some(dir.path().join("file")), &data).unwrap_err();
    assert!(matches!(err, WorkspaceError::NotADirectory { .. }), "{err}");

    // A workspace that does not exist loads empty, and loading creates nothing.
    let ws = Workspace::discover(&deep, Some("missing".into()), &data).unwrap();
    let loaded = ws.load().unwrap();
    assert!(loaded.requests.is_empty() && loaded.problems.is_empty());
    assert!(!deep.join("missing").exists());
}

#[test]
fn default_data_dir_from_environment_variables() {
    let vars = |pairs: &'static [(&'static str, &'static str)]| {
        move |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.into())
        }
    };
    assert_eq!(
        data_dir_from(vars(&[("WSDECK_DATA_DIR", "/w"), ("HOME", "/h")])),
        Some(PathBuf::from("/w"))
    );
    assert_eq!(
        data_dir_from(vars(&[("XDG_DATA_HOME", "/x"), ("HOME", "/h")])),
        Some(PathBuf::from("/x/wsdeck"))
    );
    // A relative XDG_DATA_HOME is ignored, as the spec says.
    assert_eq!(
        data_dir_from(vars(&[("XDG_DATA_HOME", "rel"), ("HOME", "/h")])),
        Some(PathBuf::from("/h/.local/share/wsdeck"))
    );
    assert_eq!(data_dir_from(vars(&[("HOME", "")])), None);
}

#[test]
fn saved_message_operations_keep_the_others() {
    let f = fixture();
    let mut request = Request::new(
        vec![],
        RequestDoc {
            name: "r".into(),
            ..RequestDoc::default()
        },
    );
    f.ws.save_request(&mut request).unwrap();
    let id = request.id.clone();
    let names = |r: &Request| {
        r.doc
            .messages
            .iter()
            .map(|m| m.name.clone())
            .collect::<Vec<_>>()
    };

    for n in ["a", "b", "c"] {
        f.ws.add_message(&id, SavedMessage::text(n, format!("body {n}")))
            .unwrap();
    }
    let r = f.ws.rename_message(&id, 1, "B").unwrap();
    assert_eq!(names(&r), ["a", "B", "c"]);
    let r = f.ws.duplicate_message(&id, 0).unwrap();
    assert_eq!(names(&r), ["a", "a copy", "B", "c"]);
    assert_eq!(r.doc.messages[1].body, "body a");
    let r = f.ws.move_message(&id, 3, 0).unwrap();
    assert_eq!(names(&r), ["c", "a", "a copy", "B"]);
    let r = f.ws.move_message(&id, 0, 3).unwrap();
    assert_eq!(names(&r), ["a", "a copy", "B", "c"]);
    let r = f.ws.delete_message(&id, 1).unwrap();
    assert_eq!(names(&r), ["a", "B", "c"]);
    assert_eq!(
        r.doc
            .messages
            .iter()
            .map(|m| m.body.as_str())
            .collect::<Vec<_>>(),
        ["body a", "body b", "body c"]
    );
    // What was returned is what is on disk.
    assert_eq!(f.ws.load_request(&id).unwrap(), r);

    // Out of range: an error, the file unchanged.
    for err in [
        f.ws.delete_message(&id, 3).unwrap_err(),
        f.ws.move_message(&id, 0, 9).unwrap_err(),
        f.ws.rename_message(&id, 7, "x").unwrap_err(),
        f.ws.duplicate_message(&id, 3).unwrap_err(),
    ] {
        assert!(
            matches!(err, WorkspaceError::NoSuchMessage { count: 3, .. }),
            "{err}"
        );
    }
    assert_eq!(f.ws.load_request(&id).unwrap(), r);

    // The request itself was saved with an old revision: the guard sees the change.
    request.doc.url = "ws://changed".into();
    assert!(matches!(
        f.ws.save_request(&mut request).unwrap_err(),
        WorkspaceError::ChangedOnDisk { .. }
    ));
}

#[test]
fn request_rename_duplicate_delete() {
    let f = fixture();
    let mut request = Request::new(vec!["c".into()], full_doc());
    f.ws.save_request(&mut request).unwrap();
    let old_path = f.ws.request_path(&request.id).unwrap();

    let renamed = f.ws.rename_request(&request.id, "Sign in").unwrap();
    assert_eq!(renamed.id.slug, "sign-in");
    assert_eq!(renamed.doc.name, "Sign in");
    assert!(!old_path.exists());

    let copy = f.ws.duplicate_request(&renamed.id).unwrap();
    assert_eq!(copy.id.slug, "sign-in-copy");
    assert_eq!(copy.doc.messages, renamed.doc.messages);
    let copy2 = f.ws.duplicate_request(&renamed.id).unwrap();
    assert_eq!(copy2.id.slug, "sign-in-copy-2");

    // Renaming onto a taken name picks a free one; same name keeps the file.
    let r = f.ws.rename_request(&copy2.id, "Sign in").unwrap();
    assert_eq!(r.id.slug, "sign-in-2");
    let r = f.ws.rename_request(&r.id, "SIGN in!").unwrap();
    assert_eq!(r.id.slug, "sign-in-2");
    assert_eq!(r.doc.name, "SIGN in!");

    f.ws.delete_request(&copy.id).unwrap();
    assert!(matches!(
        f.ws.delete_request(&copy.id).unwrap_err(),
        WorkspaceError::NotFound { .. }
    ));
    let loaded = f.ws.load().unwrap();
    let slugs: Vec<_> = loaded.requests.iter().map(|r| r.id.slug.as_str()).collect();
    assert_eq!(slugs, ["sign-in", "sign-in-2"]);
}

#[test]
fn corrupt_file_is_reported_with_line_and_the_rest_loads() {
    let f = fixture();
    let mut good = Request::new(vec!["chat".into()], full_doc());
    f.ws.save_request(&mut good).unwrap();
    let mut env = Environment::new("local", vec![Variable::new("host", "localhost")]);
    f.ws.save_environment(&mut env).unwrap();

    let bad = f.root.join("collections/chat/login.wsdeck.toml");
    fs::write(
        &bad,
        "name = \"Login\"\nurl = \"ws://x\"\n\nprotocols [\"a\"]\n",
    )
    .unwrap();
    let bad_env = f.root.join("environments/broken.env.toml");
    fs::write(
        &bad_env,
        "name = \"b\"\n[[variables]]\nname = \"x\"\nsecert = true\n",
    )
    .unwrap();
    let not_utf8 = f.root.join("collections/bin.wsdeck.toml");
    fs::write(&not_utf8, b"name = \"a\"\nurl = \"\xff\"\n").unwrap();
    let bad_format = f.root.join("collections/chat/fmt.wsdeck.toml");
    fs::write(
        &bad_format,
        "name = \"f\"\n\n[[messages]]\nname = \"m\"\nformat = \"yaml\"\n",
    )
    .unwrap();

    let loaded = f.ws.load().unwrap();
    assert_eq!(loaded.requests.len(), 1);
    assert_eq!(loaded.requests[0].doc, full_doc());
    assert_eq!(loaded.environments.len(), 1);
    assert_eq!(loaded.problems.len(), 4, "{:#?}", loaded.problems);

    let problem = |path: &Path| loaded.problems.iter().find(|p| p.path == path).unwrap();
    let p = problem(&bad);
    assert_eq!(p.line, Some(4), "{p}");
    assert!(p.column.is_some());
    let shown = p.to_string();
    assert!(
        shown.contains("login.wsdeck.toml, line 4, column"),
        "{shown}"
    );
    assert!(shown.contains("fix the file or delete it"), "{shown}");

    let p = problem(&bad_env);
    assert_eq!(p.line, Some(4), "{p}");
    assert!(p.message.contains("secert"), "{p}");

    let p = problem(&not_utf8);
    assert_eq!((p.line, p.column), (Some(2), Some(8)), "{p}");

    let p = problem(&bad_format);
    assert_eq!(p.line, Some(5), "{p}");

    // The same file through load_request: a Parse error with the same report.
    let err =
        f.ws.load_request(&RequestId::parse("chat/login").unwrap())
            .unwrap_err();
    assert!(
        matches!(&err, WorkspaceError::Parse(p) if p.line == Some(4)),
        "{err}"
    );
}

#[test]
fn garbage_files_never_panic() {
    let f = fixture();
    let dir = f.root.join("collections/x");
    fs::create_dir_all(&dir).unwrap();
    let inputs: &[&[u8]] = &[
        b"",
        b"=",
        b"[[[",
        b"name = 1",
        b"messages = 3",
        b"[settings]\nmax_redirects = -1",
        b"[settings]\nmax_message_size = 1e400",
        b"\xef\xbb\xbfname = \"bom\"",
        b"name = \"\"\"unterminated",
        b"a.b.c.d = 1\n[a]\n",
        &[0xff; 64],
    ];
    for (i, input) in inputs.iter().enumerate() {
        fs::write(dir.join(format!("f{i}.wsdeck.toml")), input).unwrap();
    }
    fs::write(dir.join("collection.toml"), "name = [").unwrap();
    let loaded = f.ws.load().unwrap();
    assert_eq!(
        loaded.requests.len() + loaded.problems.len(),
        inputs.len() + 1
    );
    for p in &loaded.problems {
        assert!(!p.to_string().is_empty());
    }
}

#[test]
fn changes_on_disk_are_detected() {
    let f = fixture();
    let mut a = Request::new(vec![], RequestDoc::default());
    a.doc.name = "a".into();
    f.ws.save_request(&mut a).unwrap();
    let mut b = Request::new(vec!["c".into()], RequestDoc::default());
    b.doc.name = "b".into();
    f.ws.save_request(&mut b).unwrap();

    let loaded = f.ws.load().unwrap();
    assert!(f.ws.changed_since(&loaded.snapshot).unwrap().is_empty());

    // Same length, same second: still seen (content compared).
    let a_path = f.ws.request_path(&a.id).unwrap();
    let text = fs::read_to_string(&a_path).unwrap();
    fs::write(&a_path, text.replace("name = \"a\"", "name = \"z\"")).unwrap();
    let new = f.root.join("collections/c/new.wsdeck.toml");
    fs::write(&new, "name = \"n\"").unwrap();
    let b_path = f.ws.request_path(&b.id).unwrap();
    fs::remove_file(&b_path).unwrap();
    // Temporary and unrelated files are not workspace files.
    fs::write(f.root.join("collections/.x.tmp"), "").unwrap();
    fs::write(f.root.join("collections/notes.txt"), "").unwrap();

    let mut expected = vec![a_path, new, b_path];
    expected.sort();
    assert_eq!(f.ws.changed_since(&loaded.snapshot).unwrap(), expected);

    let now = f.ws.snapshot().unwrap();
    assert!(f.ws.changed_since(&now).unwrap().is_empty());
    let reloaded = f.ws.load().unwrap();
    assert_eq!(reloaded.request(&a.id).unwrap().doc.name, "z");
}

#[test]
fn concurrent_edit_guard() {
    let f = fixture();
    let mut mine = Request::new(vec![], RequestDoc::default());
    mine.doc.name = "shared".into();
    f.ws.save_request(&mut mine).unwrap();

    // Another window (another Workspace on the same folder) saves a change.
    let other_ws = Workspace::open(&f.root, &f.data);
    let mut theirs = other_ws.load_request(&mine.id).unwrap();
    theirs.doc.url = "ws://theirs".into();
    other_ws.save_request(&mut theirs).unwrap();

    mine.doc.url = "ws://mine".into();
    let err = f.ws.save_request(&mut mine).unwrap_err();
    assert!(matches!(err, WorkspaceError::ChangedOnDisk { .. }));
    assert!(err.to_string().contains("changed on disk"), "{err}");
    assert_eq!(f.ws.load_request(&mine.id).unwrap().doc.url, "ws://theirs");

    // Forcing overwrites; after that, ordinary saves work again.
    f.ws.force_save_request(&mut mine).unwrap();
    assert_eq!(f.ws.load_request(&mine.id).unwrap().doc.url, "ws://mine");
    mine.doc.description = "again".into();
    f.ws.save_request(&mut mine).unwrap();

    // Deleted on disk: also a change.
    f.ws.delete_request(&mine.id).unwrap();
    assert!(matches!(
        f.ws.save_request(&mut mine).unwrap_err(),
        WorkspaceError::ChangedOnDisk { .. }
    ));

    // A new request whose given file name is taken is refused.
    let mut a = Request::new(vec![], RequestDoc::default());
    a.id.slug = "taken".into();
    f.ws.save_request(&mut a).unwrap();
    let mut b = Request::new(vec![], RequestDoc::default());
    b.id.slug = "taken".into();
    assert!(matches!(
        f.ws.save_request(&mut b).unwrap_err(),
        WorkspaceError::AlreadyExists { .. }
    ));

    // Environments have the same guard.
    let mut env = Environment::new("e", vec![]);
    f.ws.save_environment(&mut env).unwrap();
    let mut other = other_ws.load_environment(&env.slug).unwrap();
    other.variables.push(Variable::new("x", "1"));
    other_ws.save_environment(&mut other).unwrap();
    assert!(matches!(
        f.ws.save_environment(&mut env).unwrap_err(),
        WorkspaceError::ChangedOnDisk { .. }
    ));
}

#[test]
fn concurrent_message_edits_lose_nothing() {
    let f = fixture();
    let mut request = Request::new(vec![], RequestDoc::default());
    request.doc.name = "busy".into();
    f.ws.save_request(&mut request).unwrap();
    let id = request.id.clone();

    std::thread::scope(|scope| {
        for t in 0..4 {
            let ws = Workspace::open(&f.root, &f.data);
            let id = id.clone();
            scope.spawn(move || {
                for i in 0..10 {
                    ws.add_message(&id, SavedMessage::text(format!("{t}-{i}"), "x"))
                        .unwrap();
                }
            });
        }
        // Meanwhile, other requests are saved and the workspace is loaded: every load sees
        // whole files.
        let ws = Workspace::open(&f.root, &f.data);
        scope.spawn(move || {
            for i in 0..20 {
                let mut r = Request::new(vec!["other".into()], RequestDoc::default());
                r.doc.name = format!("r{i}");
                ws.save_request(&mut r).unwrap();
                let loaded = ws.load().unwrap();
                assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
            }
        });
    });
    let loaded = f.ws.load_request(&id).unwrap();
    assert_eq!(loaded.doc.messages.len(), 40);
    assert_eq!(f.ws.load().unwrap().requests.len(), 21);
    assert!(temp_files(&f.root).is_empty());
}

#[test]
fn odd_names_stay_inside_the_workspace() {
    let f = fixture();
    for name in [
        "../x",
        "a/b",
        "日本語 ✓",
        "",
        "..",
        "/etc/passwd",
        "C:\\x",
        "NUL",
    ] {
        let mut r = Request::new(vec![], RequestDoc::default());
        r.doc.name = name.into();
        let path = f.ws.save_request(&mut r).unwrap();
        assert_eq!(
            path.parent().unwrap(),
            f.root.join("collections"),
            "{name:?}"
        );
        assert_eq!(f.ws.load_request(&r.id).unwrap().doc.name, name);
        let c = f.ws.create_collection(&[], name).unwrap();
        assert_eq!(c.len(), 1);
        assert!(f.ws.collections_dir().join(&c[0]).is_dir());
        let mut e = Environment::new(name, vec![]);
        let path = f.ws.save_environment(&mut e).unwrap();
        assert_eq!(path.parent().unwrap(), f.root.join("environments"));
    }
    // Ids from callers are checked.
    for bad in ["../x", "a/../../b", "a//b", ".hidden", ""] {
        assert!(RequestId::parse(bad).is_err(), "{bad}");
    }
    let id = RequestId::new(vec!["..".into()], "x");
    assert!(matches!(
        f.ws.load_request(&id).unwrap_err(),
        WorkspaceError::InvalidName { .. }
    ));
    assert!(f.ws.load_environment("../../etc/x").is_err());
    assert!(f.ws.delete_collection(&[]).is_err());
    assert!(f.ws.delete_collection(&["..".into()]).is_err());
    assert!(f.root.exists());
}

#[test]
fn workspace_id_is_stable_and_checked() {
    let f = fixture();
    let id = f.ws.workspace_id().unwrap();
    assert_eq!(f.ws.workspace_id().unwrap(), id);
    assert_eq!(
        Workspace::open(&f.root, &f.data).workspace_id().unwrap(),
        id
    );
    fs::write(f.root.join(".wsdeck-id"), "../../evil\n").unwrap();
    assert!(matches!(
        f.ws.secrets_path().unwrap_err(),
        WorkspaceError::InvalidWorkspaceId { .. }
    ));
    // Loading still works, reporting the id file.
    let mut env = Environment::new("e", vec![Variable::new("a", "b")]);
    fs::create_dir_all(f.root.join("environments")).unwrap();
    fs::write(
        f.root.join("environments/e.env.toml"),
        "name = \"e\"\n[[variables]]\nname = \"a\"\nvalue = \"b\"\n",
    )
    .unwrap();
    let loaded = f.ws.load().unwrap();
    assert_eq!(loaded.problems.len(), 1);
    env.slug = "e".into();
    env.revision = loaded.environments[0].revision;
    assert_eq!(loaded.environments, vec![env]);
}

#[test]
fn corrupt_secrets_file_is_reported_not_overwritten() {
    let f = fixture();
    let mut env = Environment::new("s", vec![Variable::secret("t", "v")]);
    f.ws.save_environment(&mut env).unwrap();
    let secrets = f.ws.secrets_path().unwrap();
    fs::write(&secrets, "[environments.s\nt = ").unwrap();
    let loaded = f.ws.load().unwrap();
    assert_eq!(loaded.problems.len(), 1);
    assert_eq!(loaded.problems[0].path, secrets);
    assert_eq!(loaded.environments[0].variables[0].value, "");
    assert!(matches!(
        f.ws.save_environment(&mut env).unwrap_err(),
        WorkspaceError::Parse(_)
    ));
    assert_eq!(
        fs::read_to_string(&secrets).unwrap(),
        "[environments.s\nt = "
    );
}

#[test]
fn print_example_files() {
    // Keeps the examples in the crate docs honest: run with --nocapture to see them.
    let f = fixture();
    let mut r = Request::new(vec![], full_doc());
    let path = f.ws.save_request(&mut r).unwrap();
    println!("{}", fs::read_to_string(path).unwrap());
    let mut env = Environment::new(
        "Staging",
        vec![
            Variable::new("host", "staging.example.com"),
            Variable::secret("token", "x"),
        ],
    );
    let path = f.ws.save_environment(&mut env).unwrap();
    println!("{}", fs::read_to_string(path).unwrap());
    println!(
        "{}",
        fs::read_to_string(f.ws.secrets_path().unwrap()).unwrap()
    );
}

/// The request file shown in the crate docs, byte for byte.
const DOC_REQUEST: &str = r#"name = "Login"
description = "Logs in and joins the lobby."
url = "wss://{{host}}/chat"
protocols = ["chat.v2"]

[settings]
handshake_timeout_ms = 5000
tls_verify = true

[[params]]
key = "room"
value = "lobby"
enabled = true

[[headers]]
name = "Authorization"
value = "Bearer {{token}}"
enabled = true

[[messages]]
name = "hello"
format = "json"
body = '{"type":"hello"}'
delay_ms = 100
"#;

#[test]
fn documented_request_file_is_what_is_written() {
    let f = fixture();
    let doc = RequestDoc {
        name: "Login".into(),
        description: "Logs in and joins the lobby.".into(),
        url: "wss://{{host}}/chat".into(),
        protocols: vec!["chat.v2".into()],
        settings: RequestSettings {
            handshake_timeout_ms: Some(5000),
            tls_verify: Some(true),
            ..RequestSettings::default()
        },
        params: vec![Param {
            key: "room".into(),
            value: "lobby".into(),
            enabled: true,
        }],
        headers: vec![Header {
            name: "Authorization".into(),
            value: "Bearer {{token}}".into(),
            enabled: true,
        }],
        messages: vec![SavedMessage {
            name: "hello".into(),
            format: MessageFormat::Json,
            body: r#"{"type":"hello"}"#.into(),
            delay_ms: Some(100),
        }],
    };
    let mut r = Request::new(vec![], doc.clone());
    let path = f.ws.save_request(&mut r).unwrap();
    assert_eq!(fs::read_to_string(&path).unwrap(), DOC_REQUEST);
    // And a hand-written file in that form reads back the same (defaults filled in).
    fs::write(&path, "name = \"Login\"\nurl = \"wss://{{host}}/chat\"\n").unwrap();
    let r = f.ws.load_request(&r.id).unwrap();
    assert_eq!(r.doc.url, "wss://{{host}}/chat");
    assert!(r.doc.params.is_empty() && r.doc.settings.is_empty());
}

#[test]
fn move_request_between_collections() {
    let f = fixture();
    let mut a = Request::new(vec!["one".into()], full_doc());
    a.id.slug = "a".into();
    f.ws.save_request(&mut a).unwrap();
    let mut clash = Request::new(vec!["two".into(), "deep".into()], RequestDoc::default());
    clash.id.slug = "a".into();
    f.ws.save_request(&mut clash).unwrap();

    let moved =
        f.ws.move_request(&a.id, &["two".into(), "deep".into()])
            .unwrap();
    assert_eq!(moved.id.to_string(), "two/deep/a-2");
    assert_eq!(moved.doc, full_doc());
    assert!(!f.ws.request_path(&a.id).unwrap().exists());
    let moved = f.ws.move_request(&moved.id, &[]).unwrap();
    assert_eq!(moved.id.to_string(), "a-2");
    assert_eq!(f.ws.load().unwrap().requests.len(), 2);
}

#[cfg(unix)]
#[test]
fn unreadable_folder_is_a_problem_not_a_failure() {
    use std::os::unix::fs::PermissionsExt;
    let f = fixture();
    let mut a = Request::new(vec!["open".into()], RequestDoc::default());
    f.ws.save_request(&mut a).unwrap();
    let mut b = Request::new(vec!["locked".into()], RequestDoc::default());
    f.ws.save_request(&mut b).unwrap();
    let locked = f.ws.collections_dir().join("locked");
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).unwrap();
    if fs::read_dir(&locked).is_ok() {
        // Running as root: permissions are not enforced.
        fs::set_permissions(&locked, fs::Permissions::from_mode(0o755)).unwrap();
        return;
    }
    let loaded = f.ws.load();
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o755)).unwrap();
    let loaded = loaded.unwrap();
    assert_eq!(loaded.requests.len(), 1);
    assert_eq!(loaded.problems.len(), 1);
    assert_eq!(loaded.problems[0].path, locked);
}
