//! What the workspace's files hold: requests with their saved messages, collections and
//! environments.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Result, WorkspaceError};
use crate::fsutil::Revision;
use crate::slug::check_component;

/// Where a request lives: the collection folders from the workspace's `collections/` folder
/// down, and the request file's name without `.wsdeck.toml`. Shown as `chat/rooms/login`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct RequestId {
    /// Collection folder names, outermost first (empty: directly in `collections/`).
    pub collection: Vec<String>,
    /// The file name without `.wsdeck.toml`. Empty for a request never saved: saving picks a
    /// free name made from the request's display name.
    pub slug: String,
}

impl RequestId {
    /// A request id from its collection path and file name.
    pub fn new(collection: Vec<String>, slug: impl Into<String>) -> Self {
        RequestId {
            collection,
            slug: slug.into(),
        }
    }

    /// Parses `chat/rooms/login` (the `Display` form). Every part is checked.
    pub fn parse(text: &str) -> Result<Self> {
        let mut parts: Vec<String> = text.split('/').map(str::to_owned).collect();
        let slug = parts.pop().unwrap_or_default();
        let id = RequestId {
            collection: parts,
            slug,
        };
        id.check()?;
        Ok(id)
    }

    /// Checks that every part is a usable file or folder name (no `..`, no `/`, not hidden…).
    pub fn check(&self) -> Result<()> {
        for part in &self.collection {
            check_component(part)?;
        }
        check_component(&self.slug)
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for part in &self.collection {
            write!(f, "{part}/")?;
        }
        f.write_str(&self.slug)
    }
}

/// A query parameter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Param {
    /// The name.
    pub key: String,
    /// The value (may hold `{{variables}}`).
    #[serde(default)]
    pub value: String,
    /// A disabled parameter is kept but not sent.
    #[serde(default = "yes")]
    pub enabled: bool,
}

/// A handshake header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    /// The name.
    pub name: String,
    /// The value (may hold `{{variables}}`).
    #[serde(default)]
    pub value: String,
    /// A disabled header is kept but not sent.
    #[serde(default = "yes")]
    pub enabled: bool,
}

fn yes() -> bool {
    true
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// A request's connection settings; each one unset means "the default". The engine's own
/// patch type, so nothing between the file and the socket copies them field by field.
pub use wsdeck_engine::SettingsPatch as RequestSettings;

/// How a saved message's body is written and sent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MessageFormat {
    /// Plain text.
    #[default]
    Text,
    /// JSON text.
    Json,
    /// XML text.
    Xml,
    /// HTML text.
    Html,
    /// A binary message written as hex.
    BinaryHex,
    /// A binary message written as base64.
    BinaryBase64,
}

/// A message saved with a request, ready to send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedMessage {
    /// Its display name.
    pub name: String,
    /// How the body is written.
    #[serde(default)]
    pub format: MessageFormat,
    /// The body (may hold `{{variables}}`).
    #[serde(default)]
    pub body: String,
    /// Wait before sending, in milliseconds (for sequences).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay_ms: Option<u64>,
}

impl SavedMessage {
    /// A text message.
    pub fn text(name: impl Into<String>, body: impl Into<String>) -> Self {
        SavedMessage {
            name: name.into(),
            format: MessageFormat::Text,
            body: body.into(),
            delay_ms: None,
        }
    }
}

/// The content of a request file (`<slug>.wsdeck.toml`), in the order it is written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestDoc {
    /// Display name (any text; the file name is made from it). Empty: show the file name.
    #[serde(default)]
    pub name: String,
    /// Free text about the request.
    #[serde(default)]
    pub description: String,
    /// The WebSocket URL (may hold `{{variables}}`).
    #[serde(default)]
    pub url: String,
    /// Subprotocols offered, in order.
    #[serde(default)]
    pub protocols: Vec<String>,
    /// Connection settings.
    #[serde(default, skip_serializing_if = "RequestSettings::is_empty")]
    pub settings: RequestSettings,
    /// Query parameters.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub params: Vec<Param>,
    /// Handshake headers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<Header>,
    /// Saved messages, in the user's order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub messages: Vec<SavedMessage>,
}

/// A request of the workspace: where it lives, what it holds, and which version of its file
/// it was loaded from (for the concurrent edit guard).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// Where the file is.
    pub id: RequestId,
    /// What the file holds.
    pub doc: RequestDoc,
    /// The file's content when loaded or last saved; `None` for a request never saved.
    pub revision: Option<Revision>,
}

impl Request {
    /// A request not yet saved, in `collection`; saving picks its file name from `doc.name`.
    pub fn new(collection: Vec<String>, doc: RequestDoc) -> Self {
        Request {
            id: RequestId::new(collection, ""),
            doc,
            revision: None,
        }
    }
}

/// A collection folder with what it holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Collection {
    /// Folder names from `collections/` down (empty for the top).
    pub path: Vec<String>,
    /// Display name (from its `collection.toml`, else the folder name).
    pub name: String,
    /// Free text (from its `collection.toml`).
    pub description: String,
    /// Sub-collections, by folder name.
    pub collections: Vec<Collection>,
    /// The requests directly in this collection that loaded, by file name.
    pub requests: Vec<RequestId>,
}

/// The content of a `collection.toml`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CollectionDoc {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub description: String,
}

/// One variable of an environment: the format crate's, which resolves `{{name}}` with it, so
/// a saved variable reaches the resolver without a copy. A secret's value is kept in the
/// per-user secrets file, never in the workspace.
pub use wsdeck_format::environment::Variable;

/// An environment (`environments/<slug>.env.toml`) with its secrets merged back in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Environment {
    /// The file name without `.env.toml`; empty for one never saved (saving picks a free
    /// name made from `name`).
    pub slug: String,
    /// Display name.
    pub name: String,
    /// Variables, in order.
    pub variables: Vec<Variable>,
    /// The file's content when loaded or last saved; `None` for one never saved.
    pub revision: Option<Revision>,
}

impl Environment {
    /// An environment not yet saved.
    pub fn new(name: impl Into<String>, variables: Vec<Variable>) -> Self {
        Environment {
            slug: String::new(),
            name: name.into(),
            variables,
            revision: None,
        }
    }
}

/// The content of an environment file.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EnvironmentDoc {
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub variables: Vec<VariableDoc>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct VariableDoc {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(default = "yes")]
    pub enabled: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub secret: bool,
}

pub(crate) fn index_error(path: std::path::PathBuf, index: usize, count: usize) -> WorkspaceError {
    WorkspaceError::NoSuchMessage { path, index, count }
}
