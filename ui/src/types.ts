// Wire types of the wsdeck JSON-RPC API under the names the UI uses. They are generated from
// the wire crate (crates/wire, wsdeck_api::wire) into ./api.gen.ts — the one definition; this file only
// names them, and adds the few types that exist only in the page.

import type * as Wire from "./api.gen";

export type {
  Direction,
  HttpHead,
  Handshake,
  Variable,
  SettingsParams,
  CloseParams,
  OpenParams,
  SessionState,
  SessionInfo,
  EventsPage,
  EventsNotification,
  SearchResult,
  Diagnostic,
  CompletionItem,
  HexdumpLine,
  RpcErrorBody,
  ErrorData,
  SavedMessageFormat,
  SavedMessage,
  WsRequest,
  WsCollection,
  WsEnvironment,
  WsProblem,
  WorkspaceLoad,
  RecordedRequest,
  HistorySession,
  HistoryHit,
  Methods,
  Notifications,
} from "./api.gen";

/** One event of a session's log (live, recorded or a `--jsonl` line without its `v`). */
export type WsEvent = Wire.WsEvent;

export type EventType = WsEvent["type"];

/** A saved request's settings: the same type `wsdeck.open` takes (without TLS files). */
export type WsRequestSettings = Wire.SettingsParams;

/** Params of `wsdeck.search` (a live session's id). */
export type SearchParams = Wire.SearchParams<string>;
