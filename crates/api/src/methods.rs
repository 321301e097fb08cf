//! The method table: one entry per method, the one place that says which methods exist,
//! which handler serves each (its [`Route`]), the permission each needs, and what each takes
//! and answers (its wire types, from which `rpc.discover`'s OpenRPC document and the page's
//! TypeScript are generated). The dispatcher routes and checks permissions by it.
//!
//! Adding a method: its params and result types in `crates/wire`, an entry here, a variant of its
//! family's method enum and that variant's arm in the family's `call` (the compiler points
//! at the missing arm), then `WSDECK_BLESS=1 cargo test -p wsdeck-api --test contract`.

use crate::history::HISTORY;
use crate::snap::NETWORK_ACCESS;
use crate::wire::contract::{Contract, Described, Notification};
use crate::wire::{NoParams, event, format, history, sessions, snap, workspace};
use crate::workspace::WORKSPACE;

/// Which handler serves a method, and which of its methods it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Route {
    /// `rpc.discover`: the OpenRPC document.
    Discover,
    /// The MetaMask Snaps dialect (`snap.rs`): only callers that are snaps see it.
    Snap(SnapMethod),
    /// `wsdeck.*` sessions (`dialect.rs`).
    Sessions(SessionMethod),
    /// The pure formatting and completion helpers (`helpers.rs`): no permission needed.
    Helpers(HelperMethod),
    /// Saved requests, collections, messages and environments (`workspace.rs`).
    Workspace(WorkspaceMethod),
    /// The recorded history (`history.rs`).
    History(HistoryMethod),
}

/// The `snap_*` methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum SnapMethod {
    Open,
    Send,
    Close,
    List,
}

/// The session methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum SessionMethod {
    Open,
    Send,
    Ping,
    Pong,
    Close,
    Forget,
    List,
    Handshake,
    Events,
    Search,
    Subscribe,
    Unsubscribe,
}

/// The pure helpers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum HelperMethod {
    Detect,
    Beautify,
    Minify,
    Validate,
    Hexdump,
    Complete,
}

/// The workspace methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum WorkspaceMethod {
    Load,
    Changes,
    SaveRequest,
    RenameRequest,
    DuplicateRequest,
    MoveRequest,
    DeleteRequest,
    CreateCollection,
    DescribeCollection,
    DeleteCollection,
    AddMessage,
    RenameMessage,
    DuplicateMessage,
    MoveMessage,
    DeleteMessage,
    SaveEnvironment,
    DeleteEnvironment,
}

/// The history methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum HistoryMethod {
    List,
    Session,
    Events,
    Search,
    Filter,
    Export,
    Import,
    Delete,
    Retention,
    SetRetention,
}

/// One method of the API.
#[derive(Debug)]
pub(crate) struct Method {
    pub(crate) name: &'static str,
    pub(crate) route: Route,
    /// What the caller must have been granted; `None` for methods anyone may call (the
    /// document, the pure helpers).
    pub(crate) permission: Option<&'static str>,
    /// One line for the OpenRPC document.
    pub(crate) summary: &'static str,
    pub(crate) contract: Contract,
}

/// `rpc.discover`'s result: an OpenRPC 1.2 document (`docs/openrpc.json`).
pub type OpenRpcDocument = serde_json::Map<String, serde_json::Value>;

macro_rules! method {
    ($name:literal, $route:expr, $permission:expr, $params:ty => $result:ty, $summary:literal) => {
        Method {
            name: $name,
            route: $route,
            permission: $permission,
            summary: $summary,
            contract: Contract::of::<$params, $result>(),
        }
    };
}

/// Every method, in the order the OpenRPC document lists them.
pub(crate) const TABLE: &[Method] = &[
    method!("rpc.discover", Route::Discover, None, NoParams => OpenRpcDocument,
        "This OpenRPC document."),
    method!("snap_openWebSocket", Route::Snap(SnapMethod::Open), Some(NETWORK_ACCESS), snap::OpenWebSocketParams => String,
        "Snaps: open a WebSocket; answers its id after the handshake."),
    method!("snap_sendWebSocketMessage", Route::Snap(SnapMethod::Send), Some(NETWORK_ACCESS), snap::SendWebSocketMessageParams => (),
        "Snaps: send a text (string) or binary (number array) message."),
    method!("snap_closeWebSocket", Route::Snap(SnapMethod::Close), Some(NETWORK_ACCESS), snap::CloseWebSocketParams => (),
        "Snaps: close a WebSocket."),
    method!("snap_getWebSockets", Route::Snap(SnapMethod::List), Some(NETWORK_ACCESS), NoParams => Vec<snap::SnapSocket>,
        "Snaps: list the caller's WebSockets."),
    method!("wsdeck.open", Route::Sessions(SessionMethod::Open), Some(NETWORK_ACCESS), sessions::OpenParams => sessions::OpenResult,
        "Open a session from a full request spec."),
    method!("wsdeck.send", Route::Sessions(SessionMethod::Send), Some(NETWORK_ACCESS), sessions::SendParams => (),
        "Send one message: exactly one of text ({{variables}} resolved), binary (base64) and hex."),
    method!("wsdeck.ping", Route::Sessions(SessionMethod::Ping), Some(NETWORK_ACCESS), sessions::ControlParams => (),
        "Send a ping (data: up to 125 bytes of UTF-8)."),
    method!("wsdeck.pong", Route::Sessions(SessionMethod::Pong), Some(NETWORK_ACCESS), sessions::ControlParams => (),
        "Send an unsolicited pong."),
    method!("wsdeck.close", Route::Sessions(SessionMethod::Close), Some(NETWORK_ACCESS), sessions::CloseParams => (),
        "Start the closing handshake."),
    method!("wsdeck.forget", Route::Sessions(SessionMethod::Forget), Some(NETWORK_ACCESS), sessions::IdParams => (),
        "Drop a session from the caller's list (closing it first): frees its log."),
    method!("wsdeck.sessions", Route::Sessions(SessionMethod::List), Some(NETWORK_ACCESS), NoParams => Vec<sessions::SessionInfo>,
        "List the caller's sessions."),
    method!("wsdeck.handshake", Route::Sessions(SessionMethod::Handshake), Some(NETWORK_ACCESS), sessions::IdParams => Option<event::Handshake>,
        "Handshake details of a session (null before it opened)."),
    method!("wsdeck.events", Route::Sessions(SessionMethod::Events), Some(NETWORK_ACCESS), sessions::EventsParams => sessions::EventsPage,
        "A page of a session's event log."),
    method!("wsdeck.search", Route::Sessions(SessionMethod::Search), Some(NETWORK_ACCESS), sessions::SearchParams<String> => sessions::SearchResult,
        "Sequence numbers of a session's events matching a text or regex and kinds."),
    method!("wsdeck.subscribe", Route::Sessions(SessionMethod::Subscribe), Some(NETWORK_ACCESS), sessions::SubscribeParams => sessions::SubscribeResult,
        "Stream a session's events as coalesced wsdeck.events notifications."),
    method!("wsdeck.unsubscribe", Route::Sessions(SessionMethod::Unsubscribe), Some(NETWORK_ACCESS), sessions::UnsubscribeParams => (),
        "End a subscription."),
    method!("wsdeck.format.detect", Route::Helpers(HelperMethod::Detect), None, format::DetectParams => format::Detected,
        "Detect the format of a message (exactly one of text and base64)."),
    method!("wsdeck.format.beautify", Route::Helpers(HelperMethod::Beautify), None, format::RenderParams => format::TextResult,
        "Pretty-print JSON, XML or HTML."),
    method!("wsdeck.format.minify", Route::Helpers(HelperMethod::Minify), None, format::MinifyParams => format::TextResult,
        "Minify JSON, XML or HTML."),
    method!("wsdeck.format.validate", Route::Helpers(HelperMethod::Validate), None, format::ValidateParams => format::Validation,
        "Validate JSON or XML, check HTML, or check hex/base64 input, with positions."),
    method!("wsdeck.format.hexdump", Route::Helpers(HelperMethod::Hexdump), None, format::HexdumpParams => format::Hexdump,
        "Hexdump of base64 bytes."),
    method!("wsdeck.vars.complete", Route::Helpers(HelperMethod::Complete), None, format::CompleteParams => format::Completion,
        "Complete {{variable}} names at a cursor (byte offset); secrets preview as ****."),
    method!("wsdeck.workspace.load", Route::Workspace(WorkspaceMethod::Load), Some(WORKSPACE), NoParams => workspace::Workspace,
        "The workspace: collections, requests, environments and files that did not load."),
    method!("wsdeck.workspace.changes", Route::Workspace(WorkspaceMethod::Changes), Some(WORKSPACE), NoParams => workspace::Changes,
        "Workspace files changed on disk since this caller's last wsdeck.workspace.load."),
    method!("wsdeck.requests.save", Route::Workspace(WorkspaceMethod::SaveRequest), Some(WORKSPACE), workspace::SaveRequestParams => workspace::SavedRequest,
        "Save a request (new without id; revision guards against changes on disk)."),
    method!("wsdeck.requests.rename", Route::Workspace(WorkspaceMethod::RenameRequest), Some(WORKSPACE), workspace::RenameRequestParams => workspace::SavedRequest,
        "Rename a saved request (and its file)."),
    method!("wsdeck.requests.duplicate", Route::Workspace(WorkspaceMethod::DuplicateRequest), Some(WORKSPACE), workspace::RequestIdParams => workspace::SavedRequest,
        "Copy a saved request."),
    method!("wsdeck.requests.move", Route::Workspace(WorkspaceMethod::MoveRequest), Some(WORKSPACE), workspace::MoveRequestParams => workspace::SavedRequest,
        "Move a saved request to another collection."),
    method!("wsdeck.requests.delete", Route::Workspace(WorkspaceMethod::DeleteRequest), Some(WORKSPACE), workspace::RequestIdParams => (),
        "Delete a saved request."),
    method!("wsdeck.collections.create", Route::Workspace(WorkspaceMethod::CreateCollection), Some(WORKSPACE), workspace::CreateCollectionParams => workspace::CollectionPath,
        "Create a collection (a folder)."),
    method!("wsdeck.collections.describe", Route::Workspace(WorkspaceMethod::DescribeCollection), Some(WORKSPACE), workspace::DescribeCollectionParams => (),
        "Rename a collection (its display name; the folder, and so the ids of its requests, stay) and set its description."),
    method!("wsdeck.collections.delete", Route::Workspace(WorkspaceMethod::DeleteCollection), Some(WORKSPACE), workspace::CollectionPathParams => (),
        "Delete a collection with everything in it."),
    method!("wsdeck.messages.add", Route::Workspace(WorkspaceMethod::AddMessage), Some(WORKSPACE), workspace::AddMessageParams => workspace::SavedRequest,
        "Add a saved message to a request."),
    method!("wsdeck.messages.rename", Route::Workspace(WorkspaceMethod::RenameMessage), Some(WORKSPACE), workspace::RenameMessageParams => workspace::SavedRequest,
        "Rename a saved message."),
    method!("wsdeck.messages.duplicate", Route::Workspace(WorkspaceMethod::DuplicateMessage), Some(WORKSPACE), workspace::MessageIndexParams => workspace::SavedRequest,
        "Copy a saved message (the copy follows it)."),
    method!("wsdeck.messages.move", Route::Workspace(WorkspaceMethod::MoveMessage), Some(WORKSPACE), workspace::MoveMessageParams => workspace::SavedRequest,
        "Move a saved message to another position."),
    method!("wsdeck.messages.delete", Route::Workspace(WorkspaceMethod::DeleteMessage), Some(WORKSPACE), workspace::MessageIndexParams => workspace::SavedRequest,
        "Delete a saved message."),
    method!("wsdeck.environments.save", Route::Workspace(WorkspaceMethod::SaveEnvironment), Some(WORKSPACE), workspace::SaveEnvironmentParams => workspace::Environment,
        "Save an environment (secret values outside the workspace)."),
    method!("wsdeck.environments.delete", Route::Workspace(WorkspaceMethod::DeleteEnvironment), Some(WORKSPACE), workspace::SlugParams => (),
        "Delete an environment and its secret values."),
    method!("wsdeck.history.list", Route::History(HistoryMethod::List), Some(HISTORY), history::ListParams => Vec<history::RecordedSession>,
        "Recorded sessions, newest first."),
    method!("wsdeck.history.session", Route::History(HistoryMethod::Session), Some(HISTORY), history::RecordIdParams => history::RecordedSession,
        "One recorded session with its request and last handshake."),
    method!("wsdeck.history.events", Route::History(HistoryMethod::Events), Some(HISTORY), history::RecordedEventsParams => sessions::EventsPage,
        "A page of a recorded session's events (the live event shape)."),
    method!("wsdeck.history.search", Route::History(HistoryMethod::Search), Some(HISTORY), history::HistorySearchParams => Vec<history::HistoryHit>,
        "Full-text search (FTS5) over every recorded text message."),
    method!("wsdeck.history.filter", Route::History(HistoryMethod::Filter), Some(HISTORY), sessions::SearchParams<i64> => sessions::SearchResult,
        "Like wsdeck.search, over a recorded session."),
    method!("wsdeck.history.export", Route::History(HistoryMethod::Export), Some(HISTORY), history::ExportParams => format::TextResult,
        "Recorded sessions as JSON lines or HAR 1.2 (_webSocketMessages)."),
    method!("wsdeck.history.import", Route::History(HistoryMethod::Import), Some(HISTORY), history::ImportParams => history::Imported,
        "Add a HAR file's WebSocket entries (_webSocketMessages) as recorded sessions."),
    method!("wsdeck.history.delete", Route::History(HistoryMethod::Delete), Some(HISTORY), history::DeleteParams => history::PruneReport,
        "Delete recorded sessions, all or none (not one being recorded)."),
    method!("wsdeck.history.retention", Route::History(HistoryMethod::Retention), Some(HISTORY), NoParams => history::RetentionInfo,
        "The history's retention settings and its size."),
    method!("wsdeck.history.setRetention", Route::History(HistoryMethod::SetRetention), Some(HISTORY), history::RetentionParams => history::RetentionInfo,
        "Store retention settings (null: no limit) and apply them now; they are applied again as sessions are recorded."),
];

/// The notifications the API sends.
pub(crate) const NOTIFICATIONS: &[Notification] = &[
    Notification {
        name: "onWebSocketEvent",
        summary: "Snaps: an event of one of the snap's WebSockets (open, close, message).",
        contract: Contract::of::<snap::SnapEventNotification, ()>(),
    },
    Notification {
        name: "wsdeck.events",
        summary: "New events of a subscribed session, coalesced.",
        contract: Contract::of::<sessions::EventsNotification, ()>(),
    },
    Notification {
        name: "wsdeck.historyError",
        summary: "Recording into the history failed, or the history could not be opened.",
        contract: Contract::of::<history::HistoryProblem, ()>(),
    },
];

/// The entry of `name`, if there is such a method.
pub(crate) fn find(name: &str) -> Option<&'static Method> {
    TABLE.iter().find(|m| m.name == name)
}

/// Every method's name, in the document's order.
pub fn method_names() -> impl Iterator<Item = &'static str> {
    TABLE.iter().map(|m| m.name)
}

/// Every method as the generated documents describe it.
pub(crate) fn described() -> Vec<Described> {
    TABLE
        .iter()
        .map(|m| Described {
            name: m.name,
            summary: m.summary,
            contract: m.contract,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn each_method_is_listed_once() {
        let mut seen = HashSet::new();
        for m in TABLE {
            assert!(seen.insert(m.name), "{} is listed twice", m.name);
        }
    }

    #[test]
    fn permissions_follow_the_route() {
        for m in TABLE {
            let expected = match m.route {
                Route::Discover | Route::Helpers(_) => None,
                Route::Snap(_) | Route::Sessions(_) => Some(NETWORK_ACCESS),
                Route::Workspace(_) => Some(WORKSPACE),
                Route::History(_) => Some(HISTORY),
            };
            assert_eq!(m.permission, expected, "{}", m.name);
        }
    }

    #[test]
    fn each_route_serves_one_method() {
        let mut seen = HashSet::new();
        for m in TABLE {
            assert!(seen.insert(m.route), "{} shares its route", m.name);
        }
    }
}
