//! wsdeck's workspace: collections, requests, saved messages and environments as plain files.
//!
//! A workspace is a folder (see [`Workspace::discover`]):
//!
//! ```text
//! <root>/.wsdeck-id                              stable id (names the secrets file)
//! <root>/collections/<collection>/collection.toml  display name, description (optional)
//! <root>/collections/<collection>/<request>.wsdeck.toml
//! <root>/environments/<name>.env.toml
//! <data_dir>/secrets/<workspace-id>.toml          secret values (mode 0600), never in <root>
//! ```
//!
//! Folder and file names are slugs ([`slugify`]) of display names, which are stored inside the
//! files. Every write is atomic (temporary file, fsync, rename); saving something whose file
//! changed on disk since it was loaded fails with [`WorkspaceError::ChangedOnDisk`] unless
//! forced; [`Workspace::changed_since`] tells which files changed; a file that does not parse
//! is reported as a [`LoadProblem`] with its path, line and column while the others load.
//!
//! A request file:
//!
//! ```toml
//! name = "Login"
//! description = "Logs in and joins the lobby."
//! url = "wss://{{host}}/chat"
//! protocols = ["chat.v2"]
//!
//! [settings]
//! handshake_timeout_ms = 5000
//! tls_verify = true
//!
//! [[params]]
//! key = "room"
//! value = "lobby"
//! enabled = true
//!
//! [[headers]]
//! name = "Authorization"
//! value = "Bearer {{token}}"
//! enabled = true
//!
//! [[messages]]
//! name = "hello"
//! format = "json"
//! body = '{"type":"hello"}'
//! delay_ms = 100
//! ```
//!
//! `[settings]` may hold, each optional: `handshake_timeout_ms`, `follow_redirects`,
//! `max_redirects`, `reconnect_attempts`, `reconnect_interval_ms`, `max_message_size`,
//! `auto_pong`, `close_timeout_ms` and `tls_verify` (the engine's `SettingsPatch`).
//!
//! An environment file (a secret's value is not in it):
//!
//! ```toml
//! name = "Staging"
//!
//! [[variables]]
//! name = "host"
//! value = "staging.example.com"
//! enabled = true
//!
//! [[variables]]
//! name = "token"
//! enabled = true
//! secret = true
//! ```

mod error;
mod fsutil;
mod model;
mod secrets;
mod slug;
mod snapshot;
mod workspace;

pub use error::{LoadProblem, Result, WorkspaceError};
pub use fsutil::Revision;
pub use model::{
    Collection, Environment, Header, MessageFormat, Param, Request, RequestDoc, RequestId,
    RequestSettings, SavedMessage, Variable,
};
pub use slug::{check_component, slugify};
pub use snapshot::Snapshot;
pub use workspace::{
    COLLECTION_FILE, ENVIRONMENT_SUFFIX, ID_FILE, Loaded, MARKER_DIR, Origin, REQUEST_SUFFIX,
    Workspace, data_dir_from, default_data_dir, read_request_doc,
};
