// Wire types of the wsdeck JSON-RPC API (docs/api.md) as the UI uses them.
// The api crate (crates/api) is the one place that defines them on the Rust side;
// keep this file in step with docs/api.md.

export type Direction = "in" | "out";

interface EventBase {
  seq: number;
  /** RFC 3339 UTC with milliseconds. */
  time: string;
  /** Monotonic milliseconds since the engine started: use for time differences. */
  monoMs: number;
}

export type WsEvent =
  | (EventBase & { type: "connecting"; url: string; attempt: number })
  | (EventBase & {
      type: "redirect";
      status: number;
      from: string;
      to: string;
      hop: number;
      droppedHeaders: string[];
    })
  | (EventBase & { type: "open"; url: string; protocol: string | null; extensions: string[] })
  | (EventBase & {
      type: "message" | "ping" | "pong";
      direction: Direction;
      format: "text" | "binary";
      size: number;
      /** The text, or base64 for binary (control frames: text when UTF-8). */
      data: string;
      /** True when `data` was cut to `maxData` bytes (fetch the event alone to get it all). */
      truncated?: boolean;
    })
  | (EventBase & { type: "closing"; direction: Direction; code: number | null; reason: string })
  | (EventBase & {
      type: "closed";
      code: number | null;
      reason: string;
      clean: boolean;
      initiator: "local" | "remote";
    })
  | (EventBase & {
      type: "error";
      message: string;
      class: string;
      /** A refused handshake: its status and both heads. */
      status?: number;
      request?: HttpHead;
      response?: HttpHead;
    })
  | (EventBase & { type: "reconnecting"; attempt: number; of: number; delayMs: number });

export type EventType = WsEvent["type"];

export interface HttpHead {
  startLine: string;
  headers: [string, string][];
}

export interface Handshake {
  url: string;
  remoteAddr: string;
  request: HttpHead;
  response: HttpHead;
  protocol: string | null;
  extensions: string[];
  tls: unknown;
  timings: { dnsMs: number; connectMs: number; tlsMs: number; upgradeMs: number; totalMs: number };
}

export interface Variable {
  name: string;
  value: string;
  secret?: boolean;
}

export interface SettingsParams {
  handshakeTimeoutMs?: number;
  followRedirects?: boolean;
  maxRedirects?: number;
  reconnectAttempts?: number;
  reconnectIntervalMs?: number;
  maxMessageSize?: number;
  autoPong?: boolean;
  closeTimeoutMs?: number;
  tls?: { verify?: boolean };
}

export interface OpenParams {
  url: string;
  params?: [string, string][];
  headers?: [string, string][];
  protocols?: string[];
  settings?: SettingsParams;
  /** Resolved into url, params and headers by the server ({{name}}); secrets stay masked. */
  variables?: Variable[];
  wait?: boolean;
}

export type SessionState = "connecting" | "open" | "closing" | "closed";

export interface SessionInfo {
  id: string;
  url: string;
  protocols: string[];
  state: SessionState;
  negotiatedProtocol: string | null;
  eventCount: number;
}

export interface EventsPage {
  events: WsEvent[];
  nextSeq: number;
  missed: number;
  atEnd: boolean;
}

/** Params of the `wsdeck.events` notification of a subscription. */
export interface EventsNotification {
  subscription: string;
  id: string;
  events: WsEvent[];
  missed: number;
  atEnd: boolean;
}

export interface SearchParams {
  id: string;
  from?: number;
  limit?: number;
  text?: string;
  caseSensitive?: boolean;
  regex?: boolean;
  /** Which entries: incoming/outgoing messages, control frames, connection events. */
  kinds?: ("in" | "out" | "control" | "connection")[];
}

export interface SearchResult {
  /** Sequence numbers of matching events, ascending. */
  seqs: number[];
  /** Where the next call should continue (pass as `from`). */
  nextSeq: number;
  /** True when the scan reached the end of what the log holds now. */
  atEnd: boolean;
}

export interface Diagnostic {
  severity: "error" | "warning";
  message: string;
  hint: string | null;
  line: number;
  column: number;
  offset: number;
}

export interface CompletionItem {
  name: string;
  scope: string;
  preview: string;
  description: string | null;
  insertText: string;
}

export interface HexdumpLine {
  offset: number;
  hex: string;
  ascii: string;
}

/** A JSON-RPC error as the API sends it. */
export interface RpcErrorBody {
  code: number;
  message: string;
  data?: unknown;
}

// ---- The workspace (docs/api.md, "The workspace: saved requests, messages and environments")

export type SavedMessageFormat = "text" | "json" | "xml" | "html" | "binary-hex" | "binary-base64";

export interface SavedMessage {
  name: string;
  format: SavedMessageFormat;
  body: string;
  delayMs?: number;
}

export interface WsRequestSettings {
  handshakeTimeoutMs?: number;
  followRedirects?: boolean;
  maxRedirects?: number;
  reconnectAttempts?: number;
  reconnectIntervalMs?: number;
  maxMessageSize?: number;
  autoPong?: boolean;
  tlsVerify?: boolean;
}

export interface WsRequest {
  /** Collection path plus the file's slug; absent for a request not saved yet. */
  id?: string;
  collection: string[];
  name: string;
  description: string;
  url: string;
  protocols: string[];
  params: { key: string; value: string; enabled: boolean }[];
  headers: { name: string; value: string; enabled: boolean }[];
  settings: WsRequestSettings;
  messages: SavedMessage[];
  revision: string | null;
}

export interface WsCollection {
  path: string[];
  name: string;
  description: string;
  collections: WsCollection[];
  requests: string[];
}

export interface WsEnvironment {
  slug?: string;
  name: string;
  variables: { name: string; value: string; enabled: boolean; secret: boolean }[];
  revision: string | null;
}

export interface WsProblem {
  path: string;
  line: number;
  column: number;
  message: string;
}

export interface WorkspaceLoad {
  root: string;
  collections: WsCollection;
  requests: WsRequest[];
  environments: WsEnvironment[];
  problems: WsProblem[];
}

// ---- The history (docs/api.md, "The history: recorded sessions (wsdeck.history.*)")

/** The request of a recorded session, as sent (secret values masked). */
export interface RecordedRequest {
  url?: string;
  params?: [string, string][];
  headers?: [string, string][];
  protocols?: string[];
  settings?: SettingsParams;
  /** Set on a session wsdeck did not record itself ("har": read from a HAR file). */
  importedFrom?: string;
}

export interface HistorySession {
  id: number;
  startedAt: string;
  /** Null while live, or if the recording was cut off. */
  endedAt: string | null;
  url: string;
  request: RecordedRequest | null;
  handshake: Handshake | null;
  closeCode: number | null;
  closeReason: string | null;
  eventCount: number;
  bytes: number;
}

export interface HistoryHit {
  session: number;
  seq: number;
  /** The match between `«` and `»`. */
  snippet: string;
}
