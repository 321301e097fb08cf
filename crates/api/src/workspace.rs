//! The workspace methods (`wsdeck.workspace.*`, `wsdeck.requests.*`, `wsdeck.collections.*`,
//! `wsdeck.messages.*`, `wsdeck.environments.*`): saved requests, their messages and the
//! environments (`wsdeck-workspace`) on the wire, for the UI's sidebar and for scripts.
//! They need the permission [`WORKSPACE`]: they read and write files of the serving process.

use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use wsdeck_workspace::{
    Collection, Environment, Header, LoadProblem, MessageFormat, Param, Request, RequestDoc,
    RequestId, RequestSettings, Revision, SavedMessage, Snapshot, Variable, Workspace,
    WorkspaceError,
};

use crate::error::ApiError;

/// The permission to read and write the workspace's files through the API.
pub const WORKSPACE: &str = "wsdeck:workspace";

/// One caller's view of the workspace: the folder, and what it last loaded (for `changes`).
#[derive(Debug)]
pub(crate) struct State {
    workspace: Arc<Workspace>,
    snapshot: Mutex<Option<Snapshot>>,
}

/// A request on the wire.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct WireRequest {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    collection: Vec<String>,
    name: String,
    #[serde(default)]
    description: String,
    url: String,
    #[serde(default)]
    protocols: Vec<String>,
    #[serde(default)]
    params: Vec<Param>,
    #[serde(default)]
    headers: Vec<Header>,
    #[serde(default)]
    settings: WireSettings,
    #[serde(default)]
    messages: Vec<WireMessage>,
    #[serde(default)]
    revision: Option<String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct WireSettings {
    #[serde(skip_serializing_if = "Option::is_none")]
    handshake_timeout_ms: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    follow_redirects: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_redirects: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reconnect_attempts: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reconnect_interval_ms: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_message_size: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    auto_pong: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tls_verify: Option<bool>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct WireMessage {
    name: String,
    #[serde(default)]
    format: MessageFormat,
    #[serde(default)]
    body: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    delay_ms: Option<u64>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct WireEnvironment {
    #[serde(default)]
    slug: Option<String>,
    name: String,
    #[serde(default)]
    variables: Vec<WireVariable>,
    #[serde(default)]
    revision: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct WireVariable {
    name: String,
    #[serde(default)]
    value: String,
    #[serde(default = "yes")]
    enabled: bool,
    #[serde(default)]
    secret: bool,
}

fn yes() -> bool {
    true
}

impl From<&SavedMessage> for WireMessage {
    fn from(m: &SavedMessage) -> Self {
        WireMessage {
            name: m.name.clone(),
            format: m.format,
            body: m.body.clone(),
            delay_ms: m.delay_ms,
        }
    }
}

impl From<WireMessage> for SavedMessage {
    fn from(m: WireMessage) -> Self {
        SavedMessage {
            name: m.name,
            format: m.format,
            body: m.body,
            delay_ms: m.delay_ms,
        }
    }
}

fn request_json(r: &Request) -> Value {
    let s = &r.doc.settings;
    let wire = WireRequest {
        id: Some(r.id.to_string()),
        collection: r.id.collection.clone(),
        name: r.doc.name.clone(),
        description: r.doc.description.clone(),
        url: r.doc.url.clone(),
        protocols: r.doc.protocols.clone(),
        params: r.doc.params.clone(),
        headers: r.doc.headers.clone(),
        settings: WireSettings {
            handshake_timeout_ms: s.handshake_timeout_ms,
            follow_redirects: s.follow_redirects,
            max_redirects: s.max_redirects,
            reconnect_attempts: s.reconnect_attempts,
            reconnect_interval_ms: s.reconnect_interval_ms,
            max_message_size: s.max_message_size,
            auto_pong: s.auto_pong,
            tls_verify: s.tls_verify,
        },
        messages: r.doc.messages.iter().map(WireMessage::from).collect(),
        revision: r.revision.map(|rev| rev.token()),
    };
    serde_json::to_value(wire).unwrap_or(Value::Null)
}

fn environment_json(e: &Environment) -> Value {
    let wire = WireEnvironment {
        slug: Some(e.slug.clone()),
        name: e.name.clone(),
        variables: e
            .variables
            .iter()
            .map(|v| WireVariable {
                name: v.name.clone(),
                value: v.value.clone(),
                enabled: v.enabled,
                secret: v.secret,
            })
            .collect(),
        revision: e.revision.map(|rev| rev.token()),
    };
    serde_json::to_value(wire).unwrap_or(Value::Null)
}

fn collection_json(c: &Collection) -> Value {
    json!({
        "path": c.path,
        "name": c.name,
        "description": c.description,
        "collections": c.collections.iter().map(collection_json).collect::<Vec<_>>(),
        "requests": c.requests.iter().map(ToString::to_string).collect::<Vec<_>>(),
    })
}

fn problem_json(p: &LoadProblem) -> Value {
    json!({
        "path": p.path.display().to_string(),
        "line": p.line,
        "column": p.column,
        "message": p.message,
    })
}

/// A workspace error as an API error (see docs/api.md for the codes).
fn api_error(e: WorkspaceError, what: &str) -> ApiError {
    match e {
        WorkspaceError::ChangedOnDisk { ref path } => ApiError::ChangedOnDisk {
            path: path.display().to_string(),
            reason: e.to_string(),
        },
        WorkspaceError::NotFound { .. } | WorkspaceError::NoSuchMessage { .. } => {
            ApiError::NotFoundResource {
                kind: if matches!(e, WorkspaceError::NoSuchMessage { .. }) {
                    "message"
                } else {
                    "request"
                },
                id: what.to_owned(),
            }
        }
        WorkspaceError::InvalidName { .. } | WorkspaceError::AlreadyExists { .. } => {
            ApiError::BadParam {
                path: "name".into(),
                reason: e.to_string(),
            }
        }
        WorkspaceError::Parse(ref p) => ApiError::File {
            message: e.to_string(),
            path: Some(p.path.display().to_string()),
        },
        WorkspaceError::LinkOutside { link: ref path, .. }
        | WorkspaceError::Outside { ref path, .. }
        | WorkspaceError::Io { ref path, .. }
        | WorkspaceError::Serialize { ref path, .. } => ApiError::File {
            message: e.to_string(),
            path: Some(path.display().to_string()),
        },
        other => ApiError::File {
            message: other.to_string(),
            path: None,
        },
    }
}

fn parse<T: serde::de::DeserializeOwned>(params: Option<Value>) -> Result<T, ApiError> {
    crate::dialect::parse(params)
}

fn revision(token: Option<&str>) -> Result<Option<Revision>, ApiError> {
    match token {
        None => Ok(None),
        Some(t) => Revision::from_token(t)
            .map(Some)
            .ok_or_else(|| ApiError::BadParam {
                path: "revision".into(),
                reason: format!("{t:?} is not a revision from wsdeck.workspace.load"),
            }),
    }
}

fn request_id(text: &str) -> Result<RequestId, ApiError> {
    RequestId::parse(text).map_err(|e| ApiError::BadParam {
        path: "id".into(),
        reason: e.to_string(),
    })
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Empty {}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SaveRequest {
    request: WireRequest,
    #[serde(default)]
    force: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct IdOnly {
    id: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct IdName {
    id: String,
    name: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct IdCollection {
    id: String,
    collection: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewCollection {
    #[serde(default)]
    parent: Vec<String>,
    name: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CollectionPath {
    path: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DescribeCollection {
    path: Vec<String>,
    name: String,
    #[serde(default)]
    description: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AddMessage {
    id: String,
    message: WireMessage,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct IndexName {
    id: String,
    index: usize,
    name: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct IdIndex {
    id: String,
    index: usize,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MoveMessage {
    id: String,
    from: usize,
    to: usize,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SaveEnvironment {
    environment: WireEnvironment,
    #[serde(default)]
    force: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Slug {
    slug: String,
}

impl State {
    pub(crate) fn new(workspace: Arc<Workspace>) -> Self {
        State {
            workspace,
            snapshot: Mutex::new(None),
        }
    }

    fn snapshot(&self) -> std::sync::MutexGuard<'_, Option<Snapshot>> {
        self.snapshot.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs one workspace method (file I/O: the caller runs it off the async threads).
    pub(crate) fn call(&self, method: &str, params: Option<Value>) -> Result<Value, ApiError> {
        let ws = &self.workspace;
        match method {
            "wsdeck.workspace.load" => {
                let _: Empty = parse(params)?;
                let loaded = ws.load().map_err(|e| api_error(e, ""))?;
                let out = json!({
                    "root": ws.root().display().to_string(),
                    "collections": collection_json(&loaded.collections),
                    "requests": loaded.requests.iter().map(request_json).collect::<Vec<_>>(),
                    "environments": loaded.environments.iter().map(environment_json).collect::<Vec<_>>(),
                    "problems": loaded.problems.iter().map(problem_json).collect::<Vec<_>>(),
                });
                *self.snapshot() = Some(loaded.snapshot);
                Ok(out)
            }
            "wsdeck.workspace.changes" => {
                let _: Empty = parse(params)?;
                let since = self.snapshot().clone();
                let paths = match since {
                    Some(s) => ws.changed_since(&s).map_err(|e| api_error(e, ""))?,
                    None => Vec::new(),
                };
                Ok(
                    json!({"paths": paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>()}),
                )
            }
            "wsdeck.requests.save" => {
                let p: SaveRequest = parse(params)?;
                let w = p.request;
                let id = match &w.id {
                    Some(text) => request_id(text)?,
                    None => RequestId::new(w.collection.clone(), String::new()),
                };
                let s = w.settings;
                let mut request = Request {
                    id,
                    doc: RequestDoc {
                        name: w.name,
                        description: w.description,
                        url: w.url,
                        protocols: w.protocols,
                        settings: RequestSettings {
                            handshake_timeout_ms: s.handshake_timeout_ms,
                            follow_redirects: s.follow_redirects,
                            max_redirects: s.max_redirects,
                            reconnect_attempts: s.reconnect_attempts,
                            reconnect_interval_ms: s.reconnect_interval_ms,
                            max_message_size: s.max_message_size,
                            auto_pong: s.auto_pong,
                            tls_verify: s.tls_verify,
                        },
                        params: w.params,
                        headers: w.headers,
                        messages: w.messages.into_iter().map(SavedMessage::from).collect(),
                    },
                    revision: revision(w.revision.as_deref())?,
                };
                let what = request.id.to_string();
                let saved = if p.force {
                    ws.force_save_request(&mut request)
                } else {
                    ws.save_request(&mut request)
                };
                saved.map_err(|e| api_error(e, &what))?;
                Ok(request_json(&request))
            }
            "wsdeck.requests.rename" => {
                let p: IdName = parse(params)?;
                let r = ws
                    .rename_request(&request_id(&p.id)?, &p.name)
                    .map_err(|e| api_error(e, &p.id))?;
                Ok(request_json(&r))
            }
            "wsdeck.requests.duplicate" => {
                let p: IdOnly = parse(params)?;
                let r = ws
                    .duplicate_request(&request_id(&p.id)?)
                    .map_err(|e| api_error(e, &p.id))?;
                Ok(request_json(&r))
            }
            "wsdeck.requests.move" => {
                let p: IdCollection = parse(params)?;
                let r = ws
                    .move_request(&request_id(&p.id)?, &p.collection)
                    .map_err(|e| api_error(e, &p.id))?;
                Ok(request_json(&r))
            }
            "wsdeck.requests.delete" => {
                let p: IdOnly = parse(params)?;
                ws.delete_request(&request_id(&p.id)?)
                    .map_err(|e| api_error(e, &p.id))?;
                Ok(Value::Null)
            }
            "wsdeck.collections.create" => {
                let p: NewCollection = parse(params)?;
                let path = ws
                    .create_collection(&p.parent, &p.name)
                    .map_err(|e| api_error(e, &p.name))?;
                Ok(json!({ "path": path }))
            }
            "wsdeck.collections.describe" => {
                let p: DescribeCollection = parse(params)?;
                ws.describe_collection(&p.path, &p.name, &p.description)
                    .map_err(|e| api_error(e, &p.path.join("/")))?;
                Ok(Value::Null)
            }
            "wsdeck.collections.delete" => {
                let p: CollectionPath = parse(params)?;
                ws.delete_collection(&p.path)
                    .map_err(|e| api_error(e, &p.path.join("/")))?;
                Ok(Value::Null)
            }
            "wsdeck.messages.add" => {
                let p: AddMessage = parse(params)?;
                let r = ws
                    .add_message(&request_id(&p.id)?, p.message.into())
                    .map_err(|e| api_error(e, &p.id))?;
                Ok(request_json(&r))
            }
            "wsdeck.messages.rename" => {
                let p: IndexName = parse(params)?;
                let r = ws
                    .rename_message(&request_id(&p.id)?, p.index, &p.name)
                    .map_err(|e| api_error(e, &p.id))?;
                Ok(request_json(&r))
            }
            "wsdeck.messages.duplicate" => {
                let p: IdIndex = parse(params)?;
                let r = ws
                    .duplicate_message(&request_id(&p.id)?, p.index)
                    .map_err(|e| api_error(e, &p.id))?;
                Ok(request_json(&r))
            }
            "wsdeck.messages.move" => {
                let p: MoveMessage = parse(params)?;
                let r = ws
                    .move_message(&request_id(&p.id)?, p.from, p.to)
                    .map_err(|e| api_error(e, &p.id))?;
                Ok(request_json(&r))
            }
            "wsdeck.messages.delete" => {
                let p: IdIndex = parse(params)?;
                let r = ws
                    .delete_message(&request_id(&p.id)?, p.index)
                    .map_err(|e| api_error(e, &p.id))?;
                Ok(request_json(&r))
            }
            "wsdeck.environments.save" => {
                let p: SaveEnvironment = parse(params)?;
                let w = p.environment;
                let mut env = Environment {
                    slug: w.slug.unwrap_or_default(),
                    name: w.name,
                    variables: w
                        .variables
                        .into_iter()
                        .map(|v| Variable {
                            name: v.name,
                            value: v.value,
                            enabled: v.enabled,
                            secret: v.secret,
                        })
                        .collect(),
                    revision: revision(w.revision.as_deref())?,
                };
                let what = env.slug.clone();
                let saved = if p.force {
                    ws.force_save_environment(&mut env)
                } else {
                    ws.save_environment(&mut env)
                };
                saved.map_err(|e| api_error(e, &what))?;
                Ok(environment_json(&env))
            }
            "wsdeck.environments.delete" => {
                let p: Slug = parse(params)?;
                ws.delete_environment(&p.slug)
                    .map_err(|e| api_error(e, &p.slug))?;
                Ok(Value::Null)
            }
            _ => Err(ApiError::MethodNotFound),
        }
    }
}
