//! Params and results of the workspace methods: saved requests, collections, saved messages
//! and environments. The workspace crate's types are its files' model; these are how the API
//! shows them, converted by exhaustive destructuring so a field added on one side cannot be
//! dropped silently on the way.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use wsdeck_workspace as model;

use super::Variable;
use super::sessions::SettingsParams;

/// A query parameter of a saved request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(deny_unknown_fields)]
pub struct Param {
    pub key: String,
    #[serde(default)]
    pub value: String,
    /// A disabled parameter is kept but not sent.
    #[serde(default = "yes")]
    pub enabled: bool,
}

/// A header of a saved request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(deny_unknown_fields)]
pub struct Header {
    pub name: String,
    #[serde(default)]
    pub value: String,
    /// A disabled header is kept but not sent.
    #[serde(default = "yes")]
    pub enabled: bool,
}

fn yes() -> bool {
    true
}

/// How a saved message's body is written and sent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "kebab-case")]
#[ts(rename = "SavedMessageFormat")]
pub enum MessageFormat {
    #[default]
    Text,
    Json,
    Xml,
    Html,
    BinaryHex,
    BinaryBase64,
}

/// A message saved with a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SavedMessage {
    pub name: String,
    #[serde(default)]
    pub format: MessageFormat,
    #[serde(default)]
    pub body: String,
    /// Wait this long before sending it when a request's messages are sent in order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub delay_ms: Option<u64>,
}

/// A saved request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[ts(rename = "WsRequest")]
pub struct SavedRequest {
    /// Collection path plus the file's slug; absent for a request not saved yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub id: Option<String>,
    #[serde(default)]
    pub collection: Vec<String>,
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub url: String,
    #[serde(default)]
    pub protocols: Vec<String>,
    #[serde(default)]
    pub params: Vec<Param>,
    #[serde(default)]
    pub headers: Vec<Header>,
    /// As `wsdeck.open` takes them, but for the TLS files (named when connecting).
    #[serde(default)]
    pub settings: SettingsParams,
    #[serde(default)]
    pub messages: Vec<SavedMessage>,
    /// What the file held when it was read; saving with an older one fails with -32009.
    #[serde(default)]
    pub revision: Option<String>,
}

/// An environment: named variables.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[ts(rename = "WsEnvironment")]
pub struct Environment {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub slug: Option<String>,
    pub name: String,
    #[serde(default)]
    pub variables: Vec<Variable>,
    #[serde(default)]
    pub revision: Option<String>,
}

/// A collection (a folder) and what it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(rename = "WsCollection")]
pub struct Collection {
    pub path: Vec<String>,
    pub name: String,
    pub description: String,
    pub collections: Vec<Collection>,
    /// Ids of the requests directly in it.
    pub requests: Vec<String>,
}

/// A workspace file that did not load.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(rename = "WsProblem")]
pub struct Problem {
    pub path: String,
    pub line: Option<u64>,
    pub column: Option<u64>,
    pub message: String,
}

/// Result of `wsdeck.workspace.load`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(rename = "WorkspaceLoad")]
pub struct Workspace {
    /// The workspace folder.
    pub root: String,
    pub collections: Collection,
    pub requests: Vec<SavedRequest>,
    pub environments: Vec<Environment>,
    pub problems: Vec<Problem>,
}

/// Result of `wsdeck.workspace.changes`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, TS)]
pub struct Changes {
    /// Files changed on disk since this caller's last `wsdeck.workspace.load`.
    pub paths: Vec<String>,
}

/// Params of `wsdeck.requests.save`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, TS)]
#[serde(deny_unknown_fields)]
pub struct SaveRequestParams {
    pub request: SavedRequest,
    /// Overwrite a file changed on disk since it was read.
    #[serde(default)]
    #[ts(as = "Option<bool>", optional)]
    pub force: bool,
}

/// Params naming a saved request.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, TS)]
#[serde(deny_unknown_fields)]
pub struct RequestIdParams {
    pub id: String,
}

/// Params of `wsdeck.requests.rename`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, TS)]
#[serde(deny_unknown_fields)]
pub struct RenameRequestParams {
    pub id: String,
    pub name: String,
}

/// Params of `wsdeck.requests.move`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, TS)]
#[serde(deny_unknown_fields)]
pub struct MoveRequestParams {
    pub id: String,
    pub collection: Vec<String>,
}

/// Params of `wsdeck.collections.create`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, TS)]
#[serde(deny_unknown_fields)]
pub struct CreateCollectionParams {
    #[serde(default)]
    #[ts(as = "Option<Vec<String>>", optional)]
    pub parent: Vec<String>,
    pub name: String,
}

/// Result of `wsdeck.collections.create`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, TS)]
pub struct CollectionPath {
    pub path: Vec<String>,
}

/// Params of `wsdeck.collections.describe`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, TS)]
#[serde(deny_unknown_fields)]
pub struct DescribeCollectionParams {
    pub path: Vec<String>,
    pub name: String,
    #[serde(default)]
    #[ts(as = "Option<String>", optional)]
    pub description: String,
}

/// Params of `wsdeck.collections.delete`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, TS)]
#[serde(deny_unknown_fields)]
pub struct CollectionPathParams {
    pub path: Vec<String>,
}

/// Params of `wsdeck.messages.add`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, TS)]
#[serde(deny_unknown_fields)]
pub struct AddMessageParams {
    pub id: String,
    pub message: SavedMessage,
}

/// Params of `wsdeck.messages.rename`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, TS)]
#[serde(deny_unknown_fields)]
pub struct RenameMessageParams {
    pub id: String,
    pub index: usize,
    pub name: String,
}

/// Params of `wsdeck.messages.duplicate` and `wsdeck.messages.delete`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, TS)]
#[serde(deny_unknown_fields)]
pub struct MessageIndexParams {
    pub id: String,
    pub index: usize,
}

/// Params of `wsdeck.messages.move`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, TS)]
#[serde(deny_unknown_fields)]
pub struct MoveMessageParams {
    pub id: String,
    pub from: usize,
    pub to: usize,
}

/// Params of `wsdeck.environments.save`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, TS)]
#[serde(deny_unknown_fields)]
pub struct SaveEnvironmentParams {
    pub environment: Environment,
    #[serde(default)]
    #[ts(as = "Option<bool>", optional)]
    pub force: bool,
}

/// Params of `wsdeck.environments.delete`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, TS)]
#[serde(deny_unknown_fields)]
pub struct SlugParams {
    pub slug: String,
}

// ---- conversions to and from the workspace's model ---------------------------------------
// Each destructures its source whole: a field added to either side fails to compile here
// until it is carried over.

impl From<model::Param> for Param {
    fn from(p: model::Param) -> Self {
        let model::Param {
            key,
            value,
            enabled,
        } = p;
        Param {
            key,
            value,
            enabled,
        }
    }
}

impl From<Param> for model::Param {
    fn from(p: Param) -> Self {
        let Param {
            key,
            value,
            enabled,
        } = p;
        model::Param {
            key,
            value,
            enabled,
        }
    }
}

impl From<model::Header> for Header {
    fn from(h: model::Header) -> Self {
        let model::Header {
            name,
            value,
            enabled,
        } = h;
        Header {
            name,
            value,
            enabled,
        }
    }
}

impl From<Header> for model::Header {
    fn from(h: Header) -> Self {
        let Header {
            name,
            value,
            enabled,
        } = h;
        model::Header {
            name,
            value,
            enabled,
        }
    }
}

impl From<model::MessageFormat> for MessageFormat {
    fn from(f: model::MessageFormat) -> Self {
        match f {
            model::MessageFormat::Text => MessageFormat::Text,
            model::MessageFormat::Json => MessageFormat::Json,
            model::MessageFormat::Xml => MessageFormat::Xml,
            model::MessageFormat::Html => MessageFormat::Html,
            model::MessageFormat::BinaryHex => MessageFormat::BinaryHex,
            model::MessageFormat::BinaryBase64 => MessageFormat::BinaryBase64,
        }
    }
}

impl From<MessageFormat> for model::MessageFormat {
    fn from(f: MessageFormat) -> Self {
        match f {
            MessageFormat::Text => model::MessageFormat::Text,
            MessageFormat::Json => model::MessageFormat::Json,
            MessageFormat::Xml => model::MessageFormat::Xml,
            MessageFormat::Html => model::MessageFormat::Html,
            MessageFormat::BinaryHex => model::MessageFormat::BinaryHex,
            MessageFormat::BinaryBase64 => model::MessageFormat::BinaryBase64,
        }
    }
}

impl From<model::SavedMessage> for SavedMessage {
    fn from(m: model::SavedMessage) -> Self {
        let model::SavedMessage {
            name,
            format,
            body,
            delay_ms,
        } = m;
        SavedMessage {
            name,
            format: format.into(),
            body,
            delay_ms,
        }
    }
}

impl From<SavedMessage> for model::SavedMessage {
    fn from(m: SavedMessage) -> Self {
        let SavedMessage {
            name,
            format,
            body,
            delay_ms,
        } = m;
        model::SavedMessage {
            name,
            format: format.into(),
            body,
            delay_ms,
        }
    }
}

impl From<&model::Request> for SavedRequest {
    fn from(r: &model::Request) -> Self {
        let model::RequestDoc {
            name,
            description,
            url,
            protocols,
            settings,
            params,
            headers,
            messages,
        } = r.doc.clone();
        SavedRequest {
            id: Some(r.id.to_string()),
            collection: r.id.collection.clone(),
            name,
            description,
            url,
            protocols,
            params: params.into_iter().map(Into::into).collect(),
            headers: headers.into_iter().map(Into::into).collect(),
            settings: SettingsParams::of_patch(&settings),
            messages: messages.into_iter().map(Into::into).collect(),
            revision: r.revision.map(|rev| rev.token()),
        }
    }
}

impl SavedRequest {
    /// The request's file content; its id and revision are the caller's to check. A saved
    /// request keeps no TLS files: `Err` names the first one given.
    pub fn into_doc(self) -> Result<model::RequestDoc, &'static str> {
        let SavedRequest {
            id: _,
            collection: _,
            name,
            description,
            url,
            protocols,
            params,
            headers,
            settings,
            messages,
            revision: _,
        } = self;
        Ok(model::RequestDoc {
            name,
            description,
            url,
            protocols,
            settings: settings.into_patch()?,
            params: params.into_iter().map(Into::into).collect(),
            headers: headers.into_iter().map(Into::into).collect(),
            messages: messages.into_iter().map(Into::into).collect(),
        })
    }
}

impl From<&model::Environment> for Environment {
    fn from(e: &model::Environment) -> Self {
        Environment {
            slug: Some(e.slug.clone()),
            name: e.name.clone(),
            variables: e.variables.iter().cloned().map(Into::into).collect(),
            revision: e.revision.map(|rev| rev.token()),
        }
    }
}

impl From<&model::Collection> for Collection {
    fn from(c: &model::Collection) -> Self {
        Collection {
            path: c.path.clone(),
            name: c.name.clone(),
            description: c.description.clone(),
            collections: c.collections.iter().map(Into::into).collect(),
            requests: c.requests.iter().map(ToString::to_string).collect(),
        }
    }
}

impl From<&model::LoadProblem> for Problem {
    fn from(p: &model::LoadProblem) -> Self {
        Problem {
            path: p.path.display().to_string(),
            line: p.line.map(|l| l as u64),
            column: p.column.map(|c| c as u64),
            message: p.message.clone(),
        }
    }
}
