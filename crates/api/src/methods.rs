//! The method table: one entry per method, the one place that says which methods exist,
//! which part of the API serves each and the permission each needs. The dispatcher routes and
//! checks permissions by it, and `rpc.discover` lists exactly its methods, in its order.
//! Adding a method is an entry here, its handler in its family's module and its description
//! in `discover.rs`.

use crate::history::HISTORY;
use crate::snap::NETWORK_ACCESS;
use crate::workspace::WORKSPACE;

/// Which part of the API serves a method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Family {
    /// `rpc.discover`: the OpenRPC document.
    Discover,
    /// The MetaMask Snaps dialect (`snap_*`, `snap.rs`): only callers that are snaps see it.
    Snap,
    /// `wsdeck.*` sessions and the formatting helpers (`dialect.rs`).
    Sessions,
    /// Saved requests, collections, messages and environments (`workspace.rs`).
    Workspace,
    /// The recorded history (`history.rs`).
    History,
}

/// One method of the API.
#[derive(Debug)]
pub(crate) struct Method {
    pub(crate) name: &'static str,
    pub(crate) family: Family,
    /// What the caller must have been granted; `None` for methods anyone may call (the
    /// document, the pure formatting helpers).
    pub(crate) permission: Option<&'static str>,
}

/// Every method, in the order the OpenRPC document lists them.
pub(crate) const TABLE: &[Method] = &[
    Method {
        name: "rpc.discover",
        family: Family::Discover,
        permission: None,
    },
    Method {
        name: "snap_openWebSocket",
        family: Family::Snap,
        permission: Some(NETWORK_ACCESS),
    },
    Method {
        name: "snap_sendWebSocketMessage",
        family: Family::Snap,
        permission: Some(NETWORK_ACCESS),
    },
    Method {
        name: "snap_closeWebSocket",
        family: Family::Snap,
        permission: Some(NETWORK_ACCESS),
    },
    Method {
        name: "snap_getWebSockets",
        family: Family::Snap,
        permission: Some(NETWORK_ACCESS),
    },
    Method {
        name: "wsdeck.open",
        family: Family::Sessions,
        permission: Some(NETWORK_ACCESS),
    },
    Method {
        name: "wsdeck.send",
        family: Family::Sessions,
        permission: Some(NETWORK_ACCESS),
    },
    Method {
        name: "wsdeck.ping",
        family: Family::Sessions,
        permission: Some(NETWORK_ACCESS),
    },
    Method {
        name: "wsdeck.pong",
        family: Family::Sessions,
        permission: Some(NETWORK_ACCESS),
    },
    Method {
        name: "wsdeck.close",
        family: Family::Sessions,
        permission: Some(NETWORK_ACCESS),
    },
    Method {
        name: "wsdeck.forget",
        family: Family::Sessions,
        permission: Some(NETWORK_ACCESS),
    },
    Method {
        name: "wsdeck.sessions",
        family: Family::Sessions,
        permission: Some(NETWORK_ACCESS),
    },
    Method {
        name: "wsdeck.handshake",
        family: Family::Sessions,
        permission: Some(NETWORK_ACCESS),
    },
    Method {
        name: "wsdeck.events",
        family: Family::Sessions,
        permission: Some(NETWORK_ACCESS),
    },
    Method {
        name: "wsdeck.search",
        family: Family::Sessions,
        permission: Some(NETWORK_ACCESS),
    },
    Method {
        name: "wsdeck.subscribe",
        family: Family::Sessions,
        permission: Some(NETWORK_ACCESS),
    },
    Method {
        name: "wsdeck.unsubscribe",
        family: Family::Sessions,
        permission: Some(NETWORK_ACCESS),
    },
    Method {
        name: "wsdeck.format.detect",
        family: Family::Sessions,
        permission: None,
    },
    Method {
        name: "wsdeck.format.beautify",
        family: Family::Sessions,
        permission: None,
    },
    Method {
        name: "wsdeck.format.minify",
        family: Family::Sessions,
        permission: None,
    },
    Method {
        name: "wsdeck.format.validate",
        family: Family::Sessions,
        permission: None,
    },
    Method {
        name: "wsdeck.format.hexdump",
        family: Family::Sessions,
        permission: None,
    },
    Method {
        name: "wsdeck.vars.complete",
        family: Family::Sessions,
        permission: None,
    },
    Method {
        name: "wsdeck.workspace.load",
        family: Family::Workspace,
        permission: Some(WORKSPACE),
    },
    Method {
        name: "wsdeck.workspace.changes",
        family: Family::Workspace,
        permission: Some(WORKSPACE),
    },
    Method {
        name: "wsdeck.requests.save",
        family: Family::Workspace,
        permission: Some(WORKSPACE),
    },
    Method {
        name: "wsdeck.requests.rename",
        family: Family::Workspace,
        permission: Some(WORKSPACE),
    },
    Method {
        name: "wsdeck.requests.duplicate",
        family: Family::Workspace,
        permission: Some(WORKSPACE),
    },
    Method {
        name: "wsdeck.requests.move",
        family: Family::Workspace,
        permission: Some(WORKSPACE),
    },
    Method {
        name: "wsdeck.requests.delete",
        family: Family::Workspace,
        permission: Some(WORKSPACE),
    },
    Method {
        name: "wsdeck.collections.create",
        family: Family::Workspace,
        permission: Some(WORKSPACE),
    },
    Method {
        name: "wsdeck.collections.describe",
        family: Family::Workspace,
        permission: Some(WORKSPACE),
    },
    Method {
        name: "wsdeck.collections.delete",
        family: Family::Workspace,
        permission: Some(WORKSPACE),
    },
    Method {
        name: "wsdeck.messages.add",
        family: Family::Workspace,
        permission: Some(WORKSPACE),
    },
    Method {
        name: "wsdeck.messages.rename",
        family: Family::Workspace,
        permission: Some(WORKSPACE),
    },
    Method {
        name: "wsdeck.messages.duplicate",
        family: Family::Workspace,
        permission: Some(WORKSPACE),
    },
    Method {
        name: "wsdeck.messages.move",
        family: Family::Workspace,
        permission: Some(WORKSPACE),
    },
    Method {
        name: "wsdeck.messages.delete",
        family: Family::Workspace,
        permission: Some(WORKSPACE),
    },
    Method {
        name: "wsdeck.environments.save",
        family: Family::Workspace,
        permission: Some(WORKSPACE),
    },
    Method {
        name: "wsdeck.environments.delete",
        family: Family::Workspace,
        permission: Some(WORKSPACE),
    },
    Method {
        name: "wsdeck.history.list",
        family: Family::History,
        permission: Some(HISTORY),
    },
    Method {
        name: "wsdeck.history.session",
        family: Family::History,
        permission: Some(HISTORY),
    },
    Method {
        name: "wsdeck.history.events",
        family: Family::History,
        permission: Some(HISTORY),
    },
    Method {
        name: "wsdeck.history.search",
        family: Family::History,
        permission: Some(HISTORY),
    },
    Method {
        name: "wsdeck.history.filter",
        family: Family::History,
        permission: Some(HISTORY),
    },
    Method {
        name: "wsdeck.history.export",
        family: Family::History,
        permission: Some(HISTORY),
    },
    Method {
        name: "wsdeck.history.import",
        family: Family::History,
        permission: Some(HISTORY),
    },
    Method {
        name: "wsdeck.history.delete",
        family: Family::History,
        permission: Some(HISTORY),
    },
    Method {
        name: "wsdeck.history.retention",
        family: Family::History,
        permission: Some(HISTORY),
    },
    Method {
        name: "wsdeck.history.setRetention",
        family: Family::History,
        permission: Some(HISTORY),
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
    fn permissions_follow_the_family() {
        for m in TABLE {
            let expected = match m.family {
                Family::Discover => None,
                Family::Snap => Some(NETWORK_ACCESS),
                Family::Workspace => Some(WORKSPACE),
                Family::History => Some(HISTORY),
                Family::Sessions if m.name.starts_with("wsdeck.format.") => None,
                Family::Sessions if m.name == "wsdeck.vars.complete" => None,
                Family::Sessions => Some(NETWORK_ACCESS),
            };
            assert_eq!(m.permission, expected, "{}", m.name);
        }
    }
}
