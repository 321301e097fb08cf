//! The workspace folder: finding it, loading it, and changing its files.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::error::{LoadProblem, Result, WorkspaceError};
use crate::fsutil::{
    Confined, Revision, confine, parse_toml, read_existing, read_optional, remove_dir_all,
    remove_file, to_toml, write_atomic, write_guarded, write_lock,
};
use crate::model::{
    Collection, CollectionDoc, Environment, EnvironmentDoc, Request, RequestDoc, RequestId,
    SavedMessage, Variable, VariableDoc, index_error,
};
use crate::secrets;
use crate::slug::{check_component, free_stem, slugify};
use crate::snapshot::Snapshot;

/// The suffix of request files.
pub const REQUEST_SUFFIX: &str = ".wsdeck.toml";
/// The suffix of environment files.
pub const ENVIRONMENT_SUFFIX: &str = ".env.toml";
/// A collection folder's own file (display name and description).
pub const COLLECTION_FILE: &str = "collection.toml";
/// The file holding the workspace's stable id (names its secrets file).
pub const ID_FILE: &str = ".wsdeck-id";
/// The folder marking a workspace inside a project (found upward, like `.git`).
pub const MARKER_DIR: &str = ".wsdeck";
/// Deepest collection nesting loaded.
const MAX_DEPTH: usize = 32;

/// How the workspace folder was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Given explicitly (`--workspace DIR`).
    Explicit,
    /// A `.wsdeck/` folder found from the current folder upward.
    Found,
    /// The per-user default, `<data dir>/workspace`.
    Default,
}

/// The per-user data folder: `$WSDECK_DATA_DIR`, else `$XDG_DATA_HOME/wsdeck`, else
/// `$HOME/.local/share/wsdeck` (`%APPDATA%\wsdeck` on Windows). `None` when none is set.
pub fn default_data_dir() -> Option<PathBuf> {
    data_dir_from(|name| std::env::var_os(name))
}

/// [`default_data_dir`] over any variable lookup (for tests and embedding).
pub fn data_dir_from(var: impl Fn(&str) -> Option<OsString>) -> Option<PathBuf> {
    let set = |name: &str| var(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    if let Some(dir) = set("WSDECK_DATA_DIR") {
        return Some(dir);
    }
    if let Some(dir) = set("XDG_DATA_HOME").filter(|d| d.is_absolute()) {
        return Some(dir.join("wsdeck"));
    }
    if cfg!(windows)
        && let Some(dir) = set("APPDATA")
    {
        return Some(dir.join("wsdeck"));
    }
    set("HOME").map(|home| home.join(".local").join("share").join("wsdeck"))
}

/// Everything a workspace holds, as loaded.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The collection tree (the top is `collections/` itself).
    pub collections: Collection,
    /// Every request that loaded, sorted by id.
    pub requests: Vec<Request>,
    /// Every environment that loaded (secrets merged back), sorted by file name.
    pub environments: Vec<Environment>,
    /// The files that did not load, and why; everything else did.
    pub problems: Vec<LoadProblem>,
    /// The files as they were read, for [`Workspace::changed_since`].
    pub snapshot: Snapshot,
}

impl Loaded {
    /// The request with this id.
    pub fn request(&self, id: &RequestId) -> Option<&Request> {
        self.requests.iter().find(|r| &r.id == id)
    }

    /// The environment with this file name.
    pub fn environment(&self, slug: &str) -> Option<&Environment> {
        self.environments.iter().find(|e| e.slug == slug)
    }
}

/// A workspace folder plus the per-user data folder its secrets go to.
#[derive(Debug, Clone)]
pub struct Workspace {
    root: PathBuf,
    data_dir: PathBuf,
    origin: Origin,
}

impl Workspace {
    /// The workspace at `root` (created on the first write).
    pub fn open(root: impl Into<PathBuf>, data_dir: impl Into<PathBuf>) -> Self {
        Workspace {
            root: root.into(),
            data_dir: data_dir.into(),
            origin: Origin::Explicit,
        }
    }

    /// Chooses the workspace: `explicit` if given (relative to `start_dir`), else the nearest
    /// `.wsdeck/` folder from `start_dir` upward, else `<data_dir>/workspace`. Nothing is
    /// created.
    pub fn discover(start_dir: &Path, explicit: Option<PathBuf>, data_dir: &Path) -> Result<Self> {
        let (root, origin) = if let Some(dir) = explicit {
            let dir = start_dir.join(dir);
            if dir.exists() && !dir.is_dir() {
                return Err(WorkspaceError::NotADirectory { path: dir });
            }
            (dir, Origin::Explicit)
        } else if let Some(found) = start_dir
            .ancestors()
            .map(|d| d.join(MARKER_DIR))
            .find(|d| d.is_dir())
        {
            (found, Origin::Found)
        } else {
            (data_dir.join("workspace"), Origin::Default)
        };
        Ok(Workspace {
            root,
            data_dir: data_dir.to_owned(),
            origin,
        })
    }

    /// The workspace folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The per-user data folder.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// How the folder was chosen.
    pub fn origin(&self) -> Origin {
        self.origin
    }

    /// `path` checked for a write or delete: inside the workspace folder, or for the files
    /// kept in the data folder (secrets) inside that, and not through a symbolic link that
    /// leads out of it (see [`confine`]).
    fn confined(&self, path: &Path) -> Result<Confined> {
        if path.starts_with(&self.root) {
            self.check_found_root()?;
            confine(&self.root, "workspace folder", path)
        } else {
            confine(&self.data_dir, "data folder", path)
        }
    }

    /// A `.wsdeck/` found upward belongs to the project folder holding it (a cloned
    /// repository, perhaps): when it is a symbolic link, it must lead inside that folder, or
    /// wsdeck would write wherever the repository's link points.
    fn check_found_root(&self) -> Result<()> {
        if self.origin != Origin::Found {
            return Ok(());
        }
        let Some(project) = self.root.parent() else {
            return Ok(());
        };
        let is_link = fs::symlink_metadata(&self.root).is_ok_and(|m| m.file_type().is_symlink());
        if !is_link {
            return Ok(());
        }
        let inside = match (fs::canonicalize(&self.root), fs::canonicalize(project)) {
            (Ok(real), Ok(project)) => real.starts_with(project).then_some(()).ok_or(real),
            _ => Err(fs::read_link(&self.root).unwrap_or_default()),
        };
        inside.map_err(|target| WorkspaceError::LinkOutside {
            link: self.root.clone(),
            target,
            area: "project folder",
            base: project.to_owned(),
        })
    }

    /// `<root>/collections`.
    pub fn collections_dir(&self) -> PathBuf {
        self.root.join("collections")
    }

    /// `<root>/environments`.
    pub fn environments_dir(&self) -> PathBuf {
        self.root.join("environments")
    }

    fn collection_dir(&self, path: &[String]) -> Result<PathBuf> {
        let mut dir = self.collections_dir();
        for part in path {
            check_component(part)?;
            dir.push(part);
        }
        Ok(dir)
    }

    /// The file of a request.
    pub fn request_path(&self, id: &RequestId) -> Result<PathBuf> {
        check_component(&id.slug)?;
        Ok(self
            .collection_dir(&id.collection)?
            .join(format!("{}{REQUEST_SUFFIX}", id.slug)))
    }

    /// The file of an environment.
    pub fn environment_path(&self, slug: &str) -> Result<PathBuf> {
        check_component(slug)?;
        Ok(self
            .environments_dir()
            .join(format!("{slug}{ENVIRONMENT_SUFFIX}")))
    }

    /// The workspace's stable id (from `<root>/.wsdeck-id`), made and saved on first use.
    pub fn workspace_id(&self) -> Result<String> {
        if let Some(id) = self.existing_id()? {
            return Ok(id);
        }
        let id = secrets::new_id();
        let path = self.confined(&self.root.join(ID_FILE))?;
        write_atomic(&path, format!("{id}\n").as_bytes(), false)?;
        Ok(id)
    }

    fn existing_id(&self) -> Result<Option<String>> {
        let path = self.root.join(ID_FILE);
        match read_optional(&path)? {
            None => Ok(None),
            Some(bytes) => {
                let id = String::from_utf8_lossy(&bytes).trim().to_owned();
                if secrets::valid_id(&id) {
                    Ok(Some(id))
                } else {
                    Err(WorkspaceError::InvalidWorkspaceId { path })
                }
            }
        }
    }

    /// `<data_dir>/secrets/<workspace-id>.toml` (makes the id if there is none yet).
    pub fn secrets_path(&self) -> Result<PathBuf> {
        Ok(secrets::path(&self.data_dir, &self.workspace_id()?))
    }

    // ---------------------------------------------------------------- loading

    /// Loads every collection, request and environment. A file that does not load is reported
    /// in [`Loaded::problems`] and the others still load. Reads only: a workspace that does
    /// not exist yet loads empty.
    pub fn load(&self) -> Result<Loaded> {
        let mut snapshot = Snapshot::new();
        let mut problems = Vec::new();
        let mut requests = Vec::new();
        let mut collections = Collection {
            name: String::new(),
            ..Collection::default()
        };
        self.load_collection(
            &mut collections,
            &mut requests,
            &mut problems,
            &mut snapshot,
            0,
        )?;

        let (secret_values, secret_problem) = self.read_secrets_for_load();
        problems.extend(secret_problem);
        let mut environments = Vec::new();
        let env_dir = self.environments_dir();
        let env_entries = list_dir(&env_dir).unwrap_or_else(|e| {
            problems.push(io_problem(&env_dir, &e));
            Vec::new()
        });
        for (name, path) in env_entries {
            let Some(slug) = name.strip_suffix(ENVIRONMENT_SUFFIX) else {
                continue;
            };
            if !path.is_file() || check_component(slug).is_err() {
                continue;
            }
            match self.read_environment(slug, &path, &secret_values, &mut snapshot) {
                Ok(env) => environments.push(env),
                Err(WorkspaceError::Parse(problem)) => problems.push(problem),
                Err(e) => problems.push(io_problem(&path, &e)),
            }
        }
        if let Some(bytes) = read_optional(&self.root.join(ID_FILE))? {
            snapshot.record(self.root.join(ID_FILE), &bytes);
        }
        requests.sort_by(|a, b| a.id.cmp(&b.id));
        environments.sort_by(|a, b| a.slug.cmp(&b.slug));
        Ok(Loaded {
            collections,
            requests,
            environments,
            problems,
            snapshot,
        })
    }

    fn load_collection(
        &self,
        node: &mut Collection,
        requests: &mut Vec<Request>,
        problems: &mut Vec<LoadProblem>,
        snapshot: &mut Snapshot,
        depth: usize,
    ) -> Result<()> {
        let dir = self.collection_dir(&node.path)?;
        if let Some(last) = node.path.last() {
            node.name = last.clone();
        }
        let entries = match list_dir(&dir) {
            Ok(entries) => entries,
            Err(e) => {
                problems.push(io_problem(&dir, &e));
                return Ok(());
            }
        };
        for (name, path) in entries {
            let Ok(file_type) = fs::symlink_metadata(&path).map(|m| m.file_type()) else {
                continue;
            };
            if file_type.is_dir() {
                if depth >= MAX_DEPTH || check_component(&name).is_err() {
                    continue;
                }
                let mut child = Collection {
                    path: [node.path.clone(), vec![name]].concat(),
                    ..Collection::default()
                };
                self.load_collection(&mut child, requests, problems, snapshot, depth + 1)?;
                node.collections.push(child);
            } else if !path.is_file() {
                continue;
            } else if name == COLLECTION_FILE {
                match read_doc::<CollectionDoc>(&path, snapshot) {
                    Ok(doc) => {
                        if !doc.name.is_empty() {
                            node.name = doc.name;
                        }
                        node.description = doc.description;
                    }
                    Err(problem) => problems.push(problem),
                }
            } else if let Some(slug) = name.strip_suffix(REQUEST_SUFFIX) {
                if check_component(slug).is_err() {
                    continue;
                }
                let id = RequestId::new(node.path.clone(), slug);
                match read_request_file(&path, &id, Some(snapshot)) {
                    Ok(request) => {
                        node.requests.push(id);
                        requests.push(request);
                    }
                    Err(WorkspaceError::Parse(problem)) => problems.push(problem),
                    Err(e) => problems.push(io_problem(&path, &e)),
                }
            }
        }
        node.requests.sort();
        Ok(())
    }

    fn read_secrets_for_load(&self) -> (secrets::Secrets, Option<LoadProblem>) {
        let id = match self.existing_id() {
            Ok(Some(id)) => id,
            Ok(None) => return (secrets::Secrets::default(), None),
            Err(e) => {
                return (
                    secrets::Secrets::default(),
                    Some(io_problem(&self.root.join(ID_FILE), &e)),
                );
            }
        };
        match secrets::read(&secrets::path(&self.data_dir, &id)) {
            Ok(s) => (s, None),
            Err(WorkspaceError::Parse(p)) => (secrets::Secrets::default(), Some(p)),
            Err(e) => (
                secrets::Secrets::default(),
                Some(io_problem(&secrets::path(&self.data_dir, &id), &e)),
            ),
        }
    }

    fn read_environment(
        &self,
        slug: &str,
        path: &Path,
        secret_values: &secrets::Secrets,
        snapshot: &mut Snapshot,
    ) -> Result<Environment> {
        let bytes = read_existing(path)?;
        let doc: EnvironmentDoc = parse_toml(path, &bytes).map_err(WorkspaceError::Parse)?;
        snapshot.record(path.to_owned(), &bytes);
        let variables = doc
            .variables
            .into_iter()
            .map(|v| {
                let value = if v.secret {
                    secret_values
                        .get(slug, &v.name)
                        .map(str::to_owned)
                        .or(v.value)
                } else {
                    v.value
                };
                Variable {
                    name: v.name,
                    value: value.unwrap_or_default(),
                    enabled: v.enabled,
                    secret: v.secret,
                }
            })
            .collect();
        Ok(Environment {
            slug: slug.to_owned(),
            name: doc.name,
            variables,
            revision: Some(Revision::of(&bytes)),
        })
    }

    /// Loads one request from its file.
    pub fn load_request(&self, id: &RequestId) -> Result<Request> {
        read_request_file(&self.request_path(id)?, id, None)
    }

    /// Loads one environment from its file, with its secrets.
    pub fn load_environment(&self, slug: &str) -> Result<Environment> {
        let path = self.environment_path(slug)?;
        let secret_values = match self.existing_id()? {
            Some(id) => secrets::read(&secrets::path(&self.data_dir, &id))?,
            None => secrets::Secrets::default(),
        };
        self.read_environment(slug, &path, &secret_values, &mut Snapshot::new())
    }

    // ---------------------------------------------------------------- requests

    /// Saves a request. A request never saved (`id.slug` empty) gets a free file name made
    /// from its display name. Refuses with [`WorkspaceError::ChangedOnDisk`] when the file
    /// changed since `request` was loaded or saved, and with
    /// [`WorkspaceError::AlreadyExists`] when a new request's given file name is taken.
    /// Updates `request.id` and `request.revision`.
    pub fn save_request(&self, request: &mut Request) -> Result<PathBuf> {
        self.save_request_inner(request, false)
    }

    /// [`Workspace::save_request`] without the changed-on-disk check: overwrites whatever
    /// the file holds.
    pub fn force_save_request(&self, request: &mut Request) -> Result<PathBuf> {
        self.save_request_inner(request, true)
    }

    fn save_request_inner(&self, request: &mut Request, force: bool) -> Result<PathBuf> {
        let _lock = write_lock();
        let dir = self.collection_dir(&request.id.collection)?;
        let mut id = request.id.clone();
        if id.slug.is_empty() {
            id.slug = free_stem(&dir, &slugify(&request.doc.name), REQUEST_SUFFIX);
        }
        let path = self.request_path(&id)?;
        let text = to_toml(&path, &request.doc)?;
        let revision = write_guarded(
            &self.confined(&path)?,
            text.as_bytes(),
            request.revision,
            force,
        )?;
        request.id = id;
        request.revision = Some(revision);
        Ok(path)
    }

    /// Renames a request: its display name, and its file to a free name made from it.
    pub fn rename_request(&self, id: &RequestId, new_name: &str) -> Result<Request> {
        let _lock = write_lock();
        let old_path = self.request_path(id)?;
        let mut request = read_request_file(&old_path, id, None)?;
        request.doc.name = new_name.to_owned();
        let base = slugify(new_name);
        let dir = self.collection_dir(&id.collection)?;
        let slug = if slug_fits(&id.slug, &base) {
            id.slug.clone()
        } else {
            free_stem(&dir, &base, REQUEST_SUFFIX)
        };
        let new_id = RequestId::new(id.collection.clone(), slug);
        let new_path = self.request_path(&new_id)?;
        let text = to_toml(&new_path, &request.doc)?;
        if new_path == old_path {
            request.revision = Some(write_guarded(
                &self.confined(&new_path)?,
                text.as_bytes(),
                request.revision,
                false,
            )?);
        } else {
            // Both checked before either is touched: a refusal leaves both files as they were.
            let (new_file, old_file) = (self.confined(&new_path)?, self.confined(&old_path)?);
            request.revision = Some(write_guarded(&new_file, text.as_bytes(), None, false)?);
            remove_file(&old_file)?;
        }
        request.id = new_id;
        Ok(request)
    }

    /// Copies a request next to it, named "<name> copy" in a new file.
    pub fn duplicate_request(&self, id: &RequestId) -> Result<Request> {
        let _lock = write_lock();
        let mut request = read_request_file(&self.request_path(id)?, id, None)?;
        request.doc.name = format!("{} copy", request.doc.name);
        let dir = self.collection_dir(&id.collection)?;
        let slug = free_stem(&dir, &slugify(&request.doc.name), REQUEST_SUFFIX);
        request.id = RequestId::new(id.collection.clone(), slug);
        let path = self.request_path(&request.id)?;
        let text = to_toml(&path, &request.doc)?;
        request.revision = Some(write_guarded(
            &self.confined(&path)?,
            text.as_bytes(),
            None,
            false,
        )?);
        Ok(request)
    }

    /// Moves a request to another collection (created if needed), keeping its file name
    /// when it is free there.
    pub fn move_request(&self, id: &RequestId, collection: &[String]) -> Result<Request> {
        let _lock = write_lock();
        let old_path = self.request_path(id)?;
        let mut request = read_request_file(&old_path, id, None)?;
        let dir = self.collection_dir(collection)?;
        if collection == id.collection.as_slice() {
            return Ok(request);
        }
        let slug = free_stem(&dir, &id.slug, REQUEST_SUFFIX);
        request.id = RequestId::new(collection.to_vec(), slug);
        let new_path = self.request_path(&request.id)?;
        let text = to_toml(&new_path, &request.doc)?;
        // Both checked before either is touched: a refusal leaves both files as they were.
        let (new_file, old_file) = (self.confined(&new_path)?, self.confined(&old_path)?);
        request.revision = Some(write_guarded(&new_file, text.as_bytes(), None, false)?);
        remove_file(&old_file)?;
        Ok(request)
    }

    /// Deletes a request's file.
    pub fn delete_request(&self, id: &RequestId) -> Result<()> {
        let _lock = write_lock();
        remove_file(&self.confined(&self.request_path(id)?)?)
    }

    // ---------------------------------------------------------------- saved messages

    /// Loads the request's file, changes its messages, saves it, and returns it.
    fn edit_messages(
        &self,
        id: &RequestId,
        edit: impl FnOnce(&Path, &mut Vec<SavedMessage>) -> Result<()>,
    ) -> Result<Request> {
        let _lock = write_lock();
        let path = self.request_path(id)?;
        let file = self.confined(&path)?;
        let mut request = read_request_file(&path, id, None)?;
        edit(&path, &mut request.doc.messages)?;
        let text = to_toml(&path, &request.doc)?;
        request.revision = Some(write_guarded(
            &file,
            text.as_bytes(),
            request.revision,
            false,
        )?);
        Ok(request)
    }

    /// Adds a saved message at the end.
    pub fn add_message(&self, id: &RequestId, message: SavedMessage) -> Result<Request> {
        self.edit_messages(id, |_, messages| {
            messages.push(message);
            Ok(())
        })
    }

    /// Renames saved message number `index` (from 0).
    pub fn rename_message(&self, id: &RequestId, index: usize, name: &str) -> Result<Request> {
        self.edit_messages(id, |path, messages| {
            let count = messages.len();
            let message = messages
                .get_mut(index)
                .ok_or_else(|| index_error(path.to_owned(), index, count))?;
            message.name = name.to_owned();
            Ok(())
        })
    }

    /// Copies saved message number `index` right after it, named "<name> copy".
    pub fn duplicate_message(&self, id: &RequestId, index: usize) -> Result<Request> {
        self.edit_messages(id, |path, messages| {
            let count = messages.len();
            let mut copy = messages
                .get(index)
                .ok_or_else(|| index_error(path.to_owned(), index, count))?
                .clone();
            copy.name = format!("{} copy", copy.name);
            messages.insert(index + 1, copy);
            Ok(())
        })
    }

    /// Moves saved message `from` to position `to` (both from 0; the others keep their order).
    pub fn move_message(&self, id: &RequestId, from: usize, to: usize) -> Result<Request> {
        self.edit_messages(id, |path, messages| {
            let count = messages.len();
            for index in [from, to] {
                if index >= count {
                    return Err(index_error(path.to_owned(), index, count));
                }
            }
            let message = messages.remove(from);
            messages.insert(to, message);
            Ok(())
        })
    }

    /// Deletes saved message number `index`.
    pub fn delete_message(&self, id: &RequestId, index: usize) -> Result<Request> {
        self.edit_messages(id, |path, messages| {
            let count = messages.len();
            if index >= count {
                return Err(index_error(path.to_owned(), index, count));
            }
            messages.remove(index);
            Ok(())
        })
    }

    // ---------------------------------------------------------------- collections

    /// Creates a collection folder named from `name` inside `parent` (a free name), with a
    /// `collection.toml` holding the display name. Returns its path.
    pub fn create_collection(&self, parent: &[String], name: &str) -> Result<Vec<String>> {
        let _lock = write_lock();
        let parent_dir = self.collection_dir(parent)?;
        let folder = free_stem(&parent_dir, &slugify(name), "");
        let path = [parent.to_vec(), vec![folder]].concat();
        let dir = self.collection_dir(&path)?;
        let meta = dir.join(COLLECTION_FILE);
        let doc = CollectionDoc {
            name: name.to_owned(),
            description: String::new(),
        };
        let text = to_toml(&meta, &doc)?;
        write_atomic(&self.confined(&meta)?, text.as_bytes(), false)?;
        Ok(path)
    }

    /// Sets a collection's display name and description (its folder keeps its name, so the
    /// ids of the requests in it do not change and open tabs keep working).
    pub fn describe_collection(
        &self,
        path: &[String],
        name: &str,
        description: &str,
    ) -> Result<()> {
        let name = name.trim();
        if name.is_empty() {
            return Err(WorkspaceError::InvalidName {
                name: name.to_owned(),
                reason: "a collection needs a name",
            });
        }
        let _lock = write_lock();
        let dir = self.collection_dir(path)?;
        if path.is_empty() || !dir.is_dir() {
            return Err(WorkspaceError::NotFound { path: dir });
        }
        let meta = dir.join(COLLECTION_FILE);
        let doc = CollectionDoc {
            name: name.to_owned(),
            description: description.to_owned(),
        };
        write_atomic(
            &self.confined(&meta)?,
            to_toml(&meta, &doc)?.as_bytes(),
            false,
        )
    }

    /// Deletes a collection folder with everything in it.
    pub fn delete_collection(&self, path: &[String]) -> Result<()> {
        let _lock = write_lock();
        let dir = self.collection_dir(path)?;
        if path.is_empty() {
            return Err(WorkspaceError::InvalidName {
                name: String::new(),
                reason: "the top of the collections cannot be deleted",
            });
        }
        remove_dir_all(&self.confined(&dir)?)
    }

    // ---------------------------------------------------------------- environments

    /// Saves an environment: its file without the secrets' values, and those values in the
    /// per-user secrets file (mode 0600). A new environment (`slug` empty) gets a free file
    /// name made from its name. Same changed-on-disk guard as [`Workspace::save_request`].
    pub fn save_environment(&self, env: &mut Environment) -> Result<PathBuf> {
        self.save_environment_inner(env, false)
    }

    /// [`Workspace::save_environment`] without the changed-on-disk check.
    pub fn force_save_environment(&self, env: &mut Environment) -> Result<PathBuf> {
        self.save_environment_inner(env, true)
    }

    fn save_environment_inner(&self, env: &mut Environment, force: bool) -> Result<PathBuf> {
        let _lock = write_lock();
        let slug = if env.slug.is_empty() {
            free_stem(
                &self.environments_dir(),
                &slugify(&env.name),
                ENVIRONMENT_SUFFIX,
            )
        } else {
            env.slug.clone()
        };
        let path = self.environment_path(&slug)?;
        let doc = EnvironmentDoc {
            name: env.name.clone(),
            variables: env
                .variables
                .iter()
                .map(|v| VariableDoc {
                    name: v.name.clone(),
                    value: (!v.secret).then(|| v.value.clone()),
                    enabled: v.enabled,
                    secret: v.secret,
                })
                .collect(),
        };
        let text = to_toml(&path, &doc)?;
        let file = self.confined(&path)?;
        let secret_values: BTreeMap<String, String> = env
            .variables
            .iter()
            .filter(|v| v.secret)
            .map(|v| (v.name.clone(), v.value.clone()))
            .collect();
        // Secrets first: if that fails, the workspace file is unchanged.
        self.store_secrets(&slug, secret_values)?;
        let revision = write_guarded(&file, text.as_bytes(), env.revision, force)?;
        env.slug = slug;
        env.revision = Some(revision);
        Ok(path)
    }

    fn store_secrets(&self, slug: &str, values: BTreeMap<String, String>) -> Result<()> {
        if values.is_empty() && self.existing_id()?.is_none() {
            return Ok(());
        }
        let path = self.confined(&secrets::path(&self.data_dir, &self.workspace_id()?))?;
        let mut all = secrets::read(path.path())?;
        if all.set(slug, values) {
            secrets::write(&path, &all)?;
        }
        Ok(())
    }

    /// Deletes an environment's file and its secrets.
    pub fn delete_environment(&self, slug: &str) -> Result<()> {
        let _lock = write_lock();
        remove_file(&self.confined(&self.environment_path(slug)?)?)?;
        self.store_secrets(slug, BTreeMap::new())
    }

    // ---------------------------------------------------------------- changes on disk

    /// The workspace's files as they are now.
    pub fn snapshot(&self) -> Result<Snapshot> {
        let mut snapshot = Snapshot::new();
        for path in self.tracked_files()? {
            if let Some(bytes) = read_optional(&path)? {
                snapshot.record(path, &bytes);
            }
        }
        Ok(snapshot)
    }

    /// The files added, changed or removed since `snapshot` was taken (by length and
    /// modification time, and by content when the time cannot be trusted). Cheap enough to
    /// poll every second or so; reload what it names.
    pub fn changed_since(&self, snapshot: &Snapshot) -> Result<Vec<PathBuf>> {
        let now = self.tracked_files()?;
        snapshot.changes(now)
    }

    /// Every file `load` reads from the workspace folder.
    fn tracked_files(&self) -> Result<Vec<PathBuf>> {
        let mut out = Vec::new();
        self.tracked_in(&self.collections_dir(), &mut out, 0)?;
        for (name, path) in list_dir(&self.environments_dir())? {
            if name.ends_with(ENVIRONMENT_SUFFIX) && path.is_file() {
                out.push(path);
            }
        }
        let id = self.root.join(ID_FILE);
        if id.is_file() {
            out.push(id);
        }
        Ok(out)
    }

    fn tracked_in(&self, dir: &Path, out: &mut Vec<PathBuf>, depth: usize) -> Result<()> {
        for (name, path) in list_dir(dir)? {
            let Ok(meta) = fs::symlink_metadata(&path) else {
                continue;
            };
            if meta.is_dir() {
                if depth < MAX_DEPTH {
                    self.tracked_in(&path, out, depth + 1)?;
                }
            } else if (name.ends_with(REQUEST_SUFFIX) || name == COLLECTION_FILE) && path.is_file()
            {
                out.push(path);
            }
        }
        Ok(())
    }
}

/// Whether `slug` is `base` or `base-<n>`: a file name that still matches a new display name.
fn slug_fits(slug: &str, base: &str) -> bool {
    slug == base
        || slug
            .strip_prefix(base)
            .and_then(|rest| rest.strip_prefix('-'))
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Reads and parses a request file.
fn read_request_file(
    path: &Path,
    id: &RequestId,
    snapshot: Option<&mut Snapshot>,
) -> Result<Request> {
    let bytes = read_existing(path)?;
    let doc: RequestDoc = parse_toml(path, &bytes).map_err(WorkspaceError::Parse)?;
    if let Some(snapshot) = snapshot {
        snapshot.record(path.to_owned(), &bytes);
    }
    Ok(Request {
        id: id.clone(),
        doc,
        revision: Some(Revision::of(&bytes)),
    })
}

/// Reads a request file from anywhere (`wsdeck run FILE`), with errors that name the file
/// and the line.
pub fn read_request_doc(path: &Path) -> Result<RequestDoc> {
    let bytes = read_existing(path)?;
    parse_toml(path, &bytes).map_err(WorkspaceError::Parse)
}

fn read_doc<T: serde::de::DeserializeOwned>(
    path: &Path,
    snapshot: &mut Snapshot,
) -> Result<T, LoadProblem> {
    let bytes = read_existing(path).map_err(|e| io_problem(path, &e))?;
    let doc = parse_toml(path, &bytes)?;
    snapshot.record(path.to_owned(), &bytes);
    Ok(doc)
}

fn io_problem(path: &Path, error: &WorkspaceError) -> LoadProblem {
    match error {
        WorkspaceError::Parse(problem) => problem.clone(),
        WorkspaceError::Io { error, .. } => LoadProblem {
            path: path.to_owned(),
            line: None,
            column: None,
            message: error.to_string(),
        },
        other => LoadProblem {
            path: path.to_owned(),
            line: None,
            column: None,
            message: other.to_string(),
        },
    }
}

/// The visible entries of a folder, sorted by name (none when it does not exist). Hidden
/// names (temporary files of atomic writes among them) and names that are not UTF-8 are
/// skipped.
fn list_dir(dir: &Path) -> Result<Vec<(String, PathBuf)>> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(WorkspaceError::io(dir, e)),
    };
    let mut out = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| WorkspaceError::io(dir, e))?;
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        if name.starts_with('.') {
            continue;
        }
        out.push((name, entry.path()));
    }
    out.sort();
    Ok(out)
}
