//! The workspace methods (`wsdeck.workspace.*`, `wsdeck.requests.*`, `wsdeck.collections.*`,
//! `wsdeck.messages.*`, `wsdeck.environments.*`): saved requests, their messages and the
//! environments (`wsdeck-workspace`) on the wire, for the UI's sidebar and for scripts.
//! They need the permission [`WORKSPACE`]: they read and write files of the serving process.

use std::sync::{Arc, Mutex};

use serde_json::Value;
use wsdeck_workspace::{Request, RequestId, Revision, Snapshot, Workspace, WorkspaceError};

use crate::Reply;
use crate::error::ApiError;
use crate::helpers::json_reply;
use crate::methods::WorkspaceMethod;
use crate::parse::parse;
use crate::wire::NoParams;
use crate::wire::workspace as wire;

/// The permission to read and write the workspace's files through the API.
pub const WORKSPACE: &str = "wsdeck:workspace";

/// One caller's view of the workspace: the folder, and what it last loaded (for `changes`).
#[derive(Debug)]
pub(crate) struct State {
    workspace: Arc<Workspace>,
    snapshot: Mutex<Option<Snapshot>>,
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
    pub(crate) fn call(
        &self,
        method: WorkspaceMethod,
        params: Option<Value>,
    ) -> Result<Reply, ApiError> {
        use WorkspaceMethod as M;
        let ws = &self.workspace;
        let saved = |r: Request| json_reply(wire::SavedRequest::from(&r));
        let done = |()| Reply::Json(Value::Null);
        match method {
            M::Load => self.load(params).map(json_reply),
            M::Changes => self.changes(params).map(json_reply),
            M::SaveRequest => self.save_request(params).map(json_reply),
            M::RenameRequest => {
                let p: wire::RenameRequestParams = parse(params)?;
                ws.rename_request(&request_id(&p.id)?, &p.name)
                    .map_err(|e| api_error(e, &p.id))
                    .map(saved)
            }
            M::DuplicateRequest => {
                let p: wire::RequestIdParams = parse(params)?;
                ws.duplicate_request(&request_id(&p.id)?)
                    .map_err(|e| api_error(e, &p.id))
                    .map(saved)
            }
            M::MoveRequest => {
                let p: wire::MoveRequestParams = parse(params)?;
                ws.move_request(&request_id(&p.id)?, &p.collection)
                    .map_err(|e| api_error(e, &p.id))
                    .map(saved)
            }
            M::DeleteRequest => {
                let p: wire::RequestIdParams = parse(params)?;
                ws.delete_request(&request_id(&p.id)?)
                    .map_err(|e| api_error(e, &p.id))
                    .map(done)
            }
            M::CreateCollection => {
                let p: wire::CreateCollectionParams = parse(params)?;
                ws.create_collection(&p.parent, &p.name)
                    .map_err(|e| api_error(e, &p.name))
                    .map(|path| json_reply(wire::CollectionPath { path }))
            }
            M::DescribeCollection => {
                let p: wire::DescribeCollectionParams = parse(params)?;
                ws.describe_collection(&p.path, &p.name, &p.description)
                    .map_err(|e| api_error(e, &p.path.join("/")))
                    .map(done)
            }
            M::DeleteCollection => {
                let p: wire::CollectionPathParams = parse(params)?;
                ws.delete_collection(&p.path)
                    .map_err(|e| api_error(e, &p.path.join("/")))
                    .map(done)
            }
            M::AddMessage => {
                let p: wire::AddMessageParams = parse(params)?;
                ws.add_message(&request_id(&p.id)?, p.message.into())
                    .map_err(|e| api_error(e, &p.id))
                    .map(saved)
            }
            M::RenameMessage => {
                let p: wire::RenameMessageParams = parse(params)?;
                ws.rename_message(&request_id(&p.id)?, p.index, &p.name)
                    .map_err(|e| api_error(e, &p.id))
                    .map(saved)
            }
            M::DuplicateMessage => {
                let p: wire::MessageIndexParams = parse(params)?;
                ws.duplicate_message(&request_id(&p.id)?, p.index)
                    .map_err(|e| api_error(e, &p.id))
                    .map(saved)
            }
            M::MoveMessage => {
                let p: wire::MoveMessageParams = parse(params)?;
                ws.move_message(&request_id(&p.id)?, p.from, p.to)
                    .map_err(|e| api_error(e, &p.id))
                    .map(saved)
            }
            M::DeleteMessage => {
                let p: wire::MessageIndexParams = parse(params)?;
                ws.delete_message(&request_id(&p.id)?, p.index)
                    .map_err(|e| api_error(e, &p.id))
                    .map(saved)
            }
            M::SaveEnvironment => self.save_environment(params).map(json_reply),
            M::DeleteEnvironment => {
                let p: wire::SlugParams = parse(params)?;
                ws.delete_environment(&p.slug)
                    .map_err(|e| api_error(e, &p.slug))
                    .map(done)
            }
        }
    }

    fn load(&self, params: Option<Value>) -> Result<wire::Workspace, ApiError> {
        let _: NoParams = parse(params)?;
        let ws = &self.workspace;
        let loaded = ws.load().map_err(|e| api_error(e, ""))?;
        let out = wire::Workspace {
            root: ws.root().display().to_string(),
            collections: (&loaded.collections).into(),
            requests: loaded.requests.iter().map(Into::into).collect(),
            environments: loaded.environments.iter().map(Into::into).collect(),
            problems: loaded.problems.iter().map(Into::into).collect(),
        };
        *self.snapshot() = Some(loaded.snapshot);
        Ok(out)
    }

    fn changes(&self, params: Option<Value>) -> Result<wire::Changes, ApiError> {
        let _: NoParams = parse(params)?;
        let since = self.snapshot().clone();
        let paths = match since {
            Some(s) => self
                .workspace
                .changed_since(&s)
                .map_err(|e| api_error(e, ""))?,
            None => Vec::new(),
        };
        Ok(wire::Changes {
            paths: paths.iter().map(|p| p.display().to_string()).collect(),
        })
    }

    fn save_request(&self, params: Option<Value>) -> Result<wire::SavedRequest, ApiError> {
        let p: wire::SaveRequestParams = parse(params)?;
        let id = match &p.request.id {
            Some(text) => request_id(text)?,
            None => RequestId::new(p.request.collection.clone(), String::new()),
        };
        let revision = revision(p.request.revision.as_deref())?;
        let doc = p.request.into_doc().map_err(|file| ApiError::BadParam {
            path: format!("request.settings.tls.{file}"),
            reason: "a saved request keeps no TLS files; give them when connecting (wsdeck.open, --ca/--cert/--key)".into(),
        })?;
        let mut request = Request { id, doc, revision };
        let what = request.id.to_string();
        let saved = if p.force {
            self.workspace.force_save_request(&mut request)
        } else {
            self.workspace.save_request(&mut request)
        };
        saved.map_err(|e| api_error(e, &what))?;
        Ok((&request).into())
    }

    fn save_environment(&self, params: Option<Value>) -> Result<wire::Environment, ApiError> {
        let p: wire::SaveEnvironmentParams = parse(params)?;
        let w = p.environment;
        let mut env = wsdeck_workspace::Environment {
            slug: w.slug.unwrap_or_default(),
            name: w.name,
            variables: w.variables.into_iter().map(Into::into).collect(),
            revision: revision(w.revision.as_deref())?,
        };
        let what = env.slug.clone();
        let saved = if p.force {
            self.workspace.force_save_environment(&mut env)
        } else {
            self.workspace.save_environment(&mut env)
        };
        saved.map_err(|e| api_error(e, &what))?;
        Ok((&env).into())
    }
}
