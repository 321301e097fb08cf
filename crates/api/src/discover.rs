//! `rpc.discover`'s OpenRPC 1.2 document, generated from the method table (`methods.rs`):
//! every method with its summary and the schemas of its wire types, in the table's order.

use serde_json::Value;

use crate::methods::{NOTIFICATIONS, described};
use crate::wire::contract;

/// [`openrpc`] as JSON text, built once: `rpc.discover` needs no permission, so a batch of a
/// thousand of them must not build a thousand documents.
pub(crate) fn openrpc_text() -> &'static str {
    static TEXT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    TEXT.get_or_init(|| openrpc().to_string())
}

/// The OpenRPC 1.2 document `rpc.discover` answers: every method of the method table.
pub fn openrpc() -> Value {
    contract::openrpc(&described(), NOTIFICATIONS)
}

/// The page's TypeScript module (`ui/src/api.gen.ts`): every wire type and the typed
/// method map, generated from the same table.
pub fn typescript() -> String {
    contract::typescript(
        &described(),
        NOTIFICATIONS,
        &[
            contract::declare::<crate::wire::event::JsonlEvent>,
            contract::declare::<crate::wire::event::JsonlMissed>,
            contract::declare::<crate::wire::history::JsonlSession>,
            contract::declare::<crate::wire::error::RpcError>,
        ],
    )
}
