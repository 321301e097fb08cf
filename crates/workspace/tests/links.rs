//! Nothing the workspace writes or deletes resolves outside the workspace and data folders:
//! a workspace may come from a cloned repository, whose symbolic links (to folders or
//! files) must not make wsdeck write or delete someone's other files. Every write and delete
//! entry point is tried through a link to a folder outside, and that folder must not change.
#![cfg(unix)]

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

use wsdeck_workspace::{
    Environment, Request, RequestDoc, RequestId, SavedMessage, Variable, Workspace, WorkspaceError,
};

struct Fixture {
    _dir: tempfile::TempDir,
    root: PathBuf,
    data: PathBuf,
    outside: PathBuf,
    ws: Workspace,
}

const VICTIM: &str = "name = \"victim\"\nurl = \"ws://127.0.0.1:1/\"\n";

/// A workspace, a data folder, and a folder outside both holding files of every kind the
/// workspace writes.
fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("project/.wsdeck");
    let data = dir.path().join("data");
    let outside = dir.path().join("outside");
    fs::create_dir_all(root.join("collections")).unwrap();
    fs::create_dir_all(root.join("environments")).unwrap();
    fs::create_dir_all(&data).unwrap();
    fs::create_dir_all(&outside).unwrap();
    fs::write(outside.join("victim.wsdeck.toml"), VICTIM).unwrap();
    fs::write(outside.join("collection.toml"), "name = \"outside\"\n").unwrap();
    fs::write(outside.join("prod.env.toml"), "name = \"prod\"\n").unwrap();
    fs::write(outside.join("keep.txt"), "precious\n").unwrap();
    let ws = Workspace::open(&root, &data);
    Fixture {
        _dir: dir,
        root,
        data,
        outside,
        ws,
    }
}

/// Every file under `dir` (not following links) with its bytes.
fn contents(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            let meta = fs::symlink_metadata(&path).unwrap();
            if meta.is_dir() {
                out.insert(path.clone(), Vec::new());
                stack.push(path);
            } else {
                out.insert(path.clone(), fs::read(&path).unwrap_or_default());
            }
        }
    }
    out
}

/// Asserts `result` is a refusal naming the link, and that nothing outside changed.
fn refused<T: std::fmt::Debug>(f: &Fixture, what: &str, result: Result<T, WorkspaceError>) {
    let err = result.expect_err(what);
    assert!(
        matches!(err, WorkspaceError::LinkOutside { .. }),
        "{what}: {err:?}"
    );
    let said = err.to_string();
    assert!(said.contains("symbolic link"), "{what}: {said}");
    assert!(
        said.contains(&f.outside.display().to_string()),
        "{what}: {said}"
    );
}

fn request(name: &str) -> Request {
    Request::new(
        vec![],
        RequestDoc {
            name: name.into(),
            url: "ws://127.0.0.1:1/".into(),
            ..RequestDoc::default()
        },
    )
}

#[test]
fn a_collection_folder_linked_outside_is_never_written_or_deleted_through() {
    let f = fixture();
    symlink(&f.outside, f.root.join("collections/evil")).unwrap();
    let before = contents(&f.outside);
    let evil = || vec!["evil".to_owned()];
    let victim = RequestId::new(evil(), "victim");

    let mut new = request("planted");
    new.id = RequestId::new(evil(), "");
    refused(&f, "save a new request", f.ws.save_request(&mut new));
    let mut named = request("victim");
    named.id = victim.clone();
    refused(
        &f,
        "force-save over a file",
        f.ws.force_save_request(&mut named),
    );
    let mut loaded = f.ws.load_request(&victim).expect("reading is not writing");
    refused(&f, "save a loaded request", f.ws.save_request(&mut loaded));
    refused(
        &f,
        "add a message",
        f.ws.add_message(&victim, SavedMessage::text("m", "x")),
    );
    refused(&f, "rename a message", f.ws.rename_message(&victim, 0, "n"));
    refused(
        &f,
        "duplicate a message",
        f.ws.duplicate_message(&victim, 0),
    );
    refused(&f, "move a message", f.ws.move_message(&victim, 0, 0));
    refused(&f, "delete a message", f.ws.delete_message(&victim, 0));
    refused(
        &f,
        "rename a request",
        f.ws.rename_request(&victim, "renamed"),
    );
    refused(&f, "duplicate a request", f.ws.duplicate_request(&victim));
    refused(&f, "move a request out", f.ws.move_request(&victim, &[]));
    refused(&f, "delete a request", f.ws.delete_request(&victim));
    let mut inside = request("inside");
    f.ws.save_request(&mut inside).unwrap();
    refused(
        &f,
        "move a request in",
        f.ws.move_request(&inside.id, &evil()),
    );
    refused(
        &f,
        "create a collection",
        f.ws.create_collection(&evil(), "sub"),
    );
    refused(
        &f,
        "describe a collection",
        f.ws.describe_collection(&evil(), "renamed", "planted"),
    );
    refused(&f, "delete a collection", f.ws.delete_collection(&evil()));

    assert_eq!(contents(&f.outside), before, "nothing outside changed");
    assert!(
        f.ws.load_request(&inside.id).is_ok(),
        "the request a refused move would have removed is still there"
    );
}

#[test]
fn a_request_file_linked_outside_is_never_written_or_deleted_through() {
    let f = fixture();
    symlink(
        f.outside.join("victim.wsdeck.toml"),
        f.root.join("collections/linked.wsdeck.toml"),
    )
    .unwrap();
    // A dangling link: writing "it" would create a file outside.
    symlink(
        f.outside.join("new.wsdeck.toml"),
        f.root.join("collections/dangling.wsdeck.toml"),
    )
    .unwrap();
    let before = contents(&f.outside);
    let linked = RequestId::new(vec![], "linked");
    refused(
        &f,
        "add a message",
        f.ws.add_message(&linked, SavedMessage::text("m", "x")),
    );
    let mut over = request("victim");
    over.id = linked.clone();
    refused(&f, "force-save", f.ws.force_save_request(&mut over));
    refused(&f, "rename", f.ws.rename_request(&linked, "other"));
    refused(&f, "delete", f.ws.delete_request(&linked));
    let mut dangling = request("d");
    dangling.id = RequestId::new(vec![], "dangling");
    refused(
        &f,
        "save over a dangling link",
        f.ws.save_request(&mut dangling),
    );
    assert_eq!(contents(&f.outside), before, "nothing outside changed");
}

#[test]
fn environments_linked_outside_are_never_written_or_deleted_through() {
    let f = fixture();
    fs::remove_dir(f.root.join("environments")).unwrap();
    symlink(&f.outside, f.root.join("environments")).unwrap();
    let before = contents(&f.outside);
    let mut env = Environment::new("planted", vec![Variable::new("a", "1")]);
    refused(&f, "save an environment", f.ws.save_environment(&mut env));
    let mut prod = Environment::new("prod", vec![]);
    prod.slug = "prod".into();
    refused(&f, "force-save", f.ws.force_save_environment(&mut prod));
    refused(&f, "delete an environment", f.ws.delete_environment("prod"));
    assert_eq!(contents(&f.outside), before, "nothing outside changed");
}

#[test]
fn the_id_file_and_the_secrets_folder_are_not_written_through_links_leaving_them() {
    let f = fixture();
    // The id file of a cloned workspace, linked to a file outside that does not exist yet.
    symlink(f.outside.join("planted-id"), f.root.join(".wsdeck-id")).unwrap();
    let before = contents(&f.outside);
    let mut secret = Variable::new("token", "s3cret");
    secret.secret = true;
    let mut env = Environment::new("dev", vec![secret.clone()]);
    refused(&f, "the id file", f.ws.save_environment(&mut env));
    assert_eq!(contents(&f.outside), before, "nothing outside changed");

    // The data folder's secrets folder linked outside: secrets are not written there.
    fs::remove_file(f.root.join(".wsdeck-id")).unwrap();
    symlink(&f.outside, f.data.join("secrets")).unwrap();
    let mut env = Environment::new("dev", vec![secret]);
    refused(&f, "the secrets file", f.ws.save_environment(&mut env));
    assert_eq!(contents(&f.outside), before, "nothing outside changed");
    assert!(
        !f.root.join("environments/dev.env.toml").exists(),
        "a refused secret leaves the environment unsaved"
    );
}

#[test]
fn links_that_stay_inside_the_workspace_still_work() {
    let f = fixture();
    fs::create_dir_all(f.root.join("collections/real")).unwrap();
    symlink(
        f.root.join("collections/real"),
        f.root.join("collections/alias"),
    )
    .unwrap();
    let mut r = request("through alias");
    r.id = RequestId::new(vec!["alias".into()], "");
    f.ws.save_request(&mut r)
        .expect("a link inside the workspace is fine");
    assert!(
        f.root
            .join("collections/real/through-alias.wsdeck.toml")
            .exists()
    );
    f.ws.add_message(&r.id, SavedMessage::text("m", "x"))
        .unwrap();
    f.ws.delete_request(&r.id).unwrap();
    assert!(
        !f.root
            .join("collections/real/through-alias.wsdeck.toml")
            .exists()
    );
}

#[test]
fn a_found_workspace_folder_linked_outside_its_project_is_not_written_through() {
    let f = fixture();
    let project = f.root.parent().unwrap().parent().unwrap().join("cloned");
    fs::create_dir_all(project.join("src")).unwrap();
    symlink(&f.outside, project.join(".wsdeck")).unwrap();
    let ws = Workspace::discover(&project.join("src"), None, &f.data).unwrap();
    assert_eq!(ws.root(), project.join(".wsdeck"));
    let before = contents(&f.outside);
    let mut r = request("planted");
    let err = ws.save_request(&mut r).expect_err("refused");
    assert!(matches!(err, WorkspaceError::LinkOutside { .. }), "{err:?}");
    assert!(err.to_string().contains("project folder"), "{err}");
    refused(&f, "create a collection", ws.create_collection(&[], "x"));
    assert_eq!(contents(&f.outside), before, "nothing outside changed");

    // Given explicitly, the folder is the user's choice, link or not.
    let chosen = Workspace::discover(&project, Some(project.join(".wsdeck")), &f.data).unwrap();
    chosen
        .create_collection(&[], "mine")
        .expect("an explicit workspace is used as given");
}
