// Generated from the wire types (crates/wire, wsdeck_api::wire) by
// `WSDECK_BLESS=1 cargo test -p wsdeck-api --test contract`. Do not edit: CI fails when
// this file differs from what the code makes.

/**
 * Params of `wsdeck.messages.add`.
 */
export type AddMessageParams = { id: string, message: SavedMessage, };

/**
 * An exception as upstream serializes it: `AssertionError` (`code: "ERR_ASSERTION"`) or a
 * DOMException (`name` and its legacy numeric `code`).
 */
export type Cause = { name?: string, code: CauseCode, message: string, };

/**
 * `ERR_ASSERTION`, or a DOMException's legacy number.
 */
export type CauseCode = string | number;

/**
 * Result of `wsdeck.workspace.changes`.
 */
export type Changes = { 
/**
 * Files changed on disk since this caller's last `wsdeck.workspace.load`.
 */
paths: Array<string>, };

/**
 * Params of `wsdeck.close`.
 */
export type CloseParams = { id: string, code?: number, reason?: string, };

/**
 * Params of `snap_closeWebSocket`.
 */
export type CloseWebSocketParams = { id: string, };

/**
 * Result of `wsdeck.collections.create`.
 */
export type CollectionPath = { path: Array<string>, };

/**
 * Params of `wsdeck.collections.delete`.
 */
export type CollectionPathParams = { path: Array<string>, };

/**
 * Params of `wsdeck.vars.complete`.
 */
export type CompleteParams = { text: string, 
/**
 * A byte offset into `text`.
 */
cursor: number, variables?: Array<Variable>, };

/**
 * Result of `wsdeck.vars.complete`.
 */
export type Completion = { 
/**
 * The text the chosen item's `insertText` replaces.
 */
replaceRange: Range, items: Array<CompletionItem>, };

/**
 * One completion: a variable's name, where it comes from and its value (secrets as `****`).
 */
export type CompletionItem = { name: string, scope: string, preview: string, description: string | null, insertText: string, };

/**
 * Params of `wsdeck.ping` and `wsdeck.pong`.
 */
export type ControlParams = { id: string, 
/**
 * Up to 125 bytes of UTF-8.
 */
data?: string, };

/**
 * Params of `wsdeck.collections.create`.
 */
export type CreateCollectionParams = { parent?: Array<string>, name: string, };

/**
 * A message, ping or pong: where it went and its payload.
 */
export type Data = { direction: Direction, format: DataFormat, 
/**
 * The text, or base64 for binary (control frames: text when UTF-8).
 */
data: string, 
/**
 * True when `data` was cut to `maxData` bytes (fetch the event alone to get it all).
 */
truncated?: boolean, 
/**
 * Bytes of the whole payload.
 */
size: number, };

/**
 * How `data` holds a payload: the text itself, or base64 of bytes that are not UTF-8 text.
 */
export type DataFormat = "text" | "binary";

/**
 * Params of `wsdeck.history.delete`.
 */
export type DeleteParams = { ids: Array<number>, };

/**
 * Params of `wsdeck.collections.describe`.
 */
export type DescribeCollectionParams = { path: Array<string>, name: string, description?: string, };

/**
 * Params of `wsdeck.format.detect`: exactly one of `text` and `base64`.
 */
export type DetectParams = { text?: string, base64?: string, };

/**
 * Result of `wsdeck.format.detect`.
 */
export type Detected = { format: DetectedFormat, mime: string, size: number, };

/**
 * What a message is, as `wsdeck.format.detect` finds it.
 */
export type DetectedFormat = "text" | "json" | "xml" | "html" | "binary";

/**
 * One problem found in a text, with its position (line and column from 1, byte offset).
 */
export type Diagnostic = { severity: Severity, message: string, hint: string | null, line: number, column: number, offset: number, };

/**
 * Which way a message or control frame went, seen from wsdeck.
 */
export type Direction = "in" | "out";

/**
 * The `data` of an error, by kind; which one comes with which code is in docs/api.md.
 */
export type ErrorData = { path: string, reason: string, } | { limit: string, max: number, hint: string, } | { kind: string, id: string, } | { class: string, id?: string, } | { cause: Cause, hint?: string, } | { path: string, hint?: string, };

/**
 * An `error` event.
 */
export type ErrorEvent = { message: string, 
/**
 * The error's class (`connect`, `tls`, `handshake_refused`, `timeout`, …).
 */
class: string, status?: number, request?: HttpHead, response?: HttpHead, };

/**
 * Params of the `wsdeck.events` notification of a subscription.
 */
export type EventsNotification = { subscription: string, 
/**
 * The session's id.
 */
id: string, events: Array<WsEvent>, 
/**
 * Events the log dropped before this notification could carry them.
 */
missed: number, 
/**
 * True when the session ended and this is the subscription's last notification.
 */
atEnd: boolean, };

/**
 * A page of events (`wsdeck.events`, `wsdeck.history.events`).
 */
export type EventsPage = { events: Array<WsEvent>, 
/**
 * Where the next page starts (pass as `from`).
 */
nextSeq: number, 
/**
 * Events between `from` and the first one returned that the log no longer holds.
 */
missed: number, 
/**
 * True when the page reached the end of what the log holds now.
 */
atEnd: boolean, };

/**
 * Params of `wsdeck.events`.
 */
export type EventsParams = { id: string, 
/**
 * The first `seq` wanted (default 0).
 */
from?: number, limit?: number, 
/**
 * Cut each event's `data` to this many bytes (`truncated: true` tells it was).
 */
maxData?: number, };

/**
 * The format of `wsdeck.history.export`.
 */
export type ExportFormat = "jsonl" | "har";

/**
 * Params of `wsdeck.history.export`.
 */
export type ExportParams = { ids: Array<number>, format: ExportFormat, };

/**
 * A handshake that succeeded: both heads, what was negotiated, TLS, timings.
 */
export type Handshake = { url: string, remoteAddr: string, request: HttpHead, response: HttpHead, protocol: string | null, extensions: Array<string>, 
/**
 * The TLS version and cipher suite (`wss://`), else null.
 */
tls: string | null, timings: Timings, };

/**
 * A header of a saved request.
 */
export type Header = { name: string, value: string, 
/**
 * A disabled header is kept but not sent.
 */
enabled: boolean, };

/**
 * Result of `wsdeck.format.hexdump`.
 */
export type Hexdump = { lines: Array<HexdumpLine>, };

/**
 * One line of a hexdump.
 */
export type HexdumpLine = { offset: number, hex: string, ascii: string, };

/**
 * Params of `wsdeck.format.hexdump`.
 */
export type HexdumpParams = { base64: string, 
/**
 * Bytes per line (default 16).
 */
width?: number, };

/**
 * One match of `wsdeck.history.search`.
 */
export type HistoryHit = { session: number, seq: number, 
/**
 * The match between `«` and `»`.
 */
snippet: string, };

/**
 * What is wrong with the history sessions are recorded into, for every caller to hear at
 * once (the params of the `wsdeck.historyError` notification).
 */
export type HistoryProblem = { kind: HistoryProblemKind, 
/**
 * What happened and what to do, in words (the command that moves a damaged file away).
 */
message: string, };

/**
 * The two ways recording can fail.
 */
export type HistoryProblemKind = "unavailable" | "writeFailed";

/**
 * Params of `wsdeck.history.search`: an FTS5 query over every recorded text message.
 */
export type HistorySearchParams = { query: string, limit?: number, };

/**
 * A recorded session.
 */
export type HistorySession = { id: number, startedAt: string, 
/**
 * Null while live, or if the recording was cut off.
 */
endedAt: string | null, url: string, request: RecordedRequest | null, handshake: Handshake | null, closeCode: number | null, closeReason: string | null, eventCount: number, bytes: number, };

/**
 * A request or response head: the start line and the headers as `[name, value]` pairs.
 */
export type HttpHead = { startLine: string, headers: Array<[string, string]>, };

/**
 * Params naming one session.
 */
export type IdParams = { id: string, };

/**
 * Params of `wsdeck.history.import`.
 */
export type ImportParams = { 
/**
 * The HAR file's text.
 */
har: string, };

/**
 * Result of `wsdeck.history.import`.
 */
export type Imported = { 
/**
 * The new recorded sessions.
 */
sessions: Array<number>, };

/**
 * An indent: 0 to 16 spaces, or `"tab"`.
 */
export type IndentParam = number | TabWord;

/**
 * Who started the close: wsdeck (`local`) or the server (`remote`).
 */
export type Initiator = "local" | "remote";

/**
 * One line of `wsdeck connect --jsonl` and of `wsdeck history export`: an [`Event`] with
 * the version of its shape first, so a consumer can tell which shape it reads.
 */
export type JsonlEvent = { 
/**
 * The shape's version (now 1).
 */
v: number, 
/**
 * Position in the session's log, from 0, without gaps.
 */
seq: number, 
/**
 * RFC 3339 UTC with milliseconds.
 */
time: string, 
/**
 * Monotonic milliseconds since the engine started: use for time differences.
 */
monoMs: number, } & ({ "type": "connecting", url: string, attempt: number, } | { "type": "redirect", status: number, from: string, to: string, hop: number, droppedHeaders: Array<string>, } | { "type": "open", url: string, protocol: string | null, extensions: Array<string>, handshake?: Handshake, } | { "type": "message" } & Data | { "type": "ping" } & Data | { "type": "pong" } & Data | { "type": "closing", direction: Direction, code: number | null, reason: string, } | { "type": "closed", code: number | null, reason: string, clean: boolean, initiator: Initiator, } | { "type": "error" } & ErrorEvent | { "type": "reconnecting", attempt: number, of: number, delayMs: number, });

/**
 * The `--jsonl` line that stands for events a slow reader missed: the log let them go
 * before they could be printed (with `--jsonl`, wsdeck says so instead of skipping silently).
 */
export type JsonlMissed = { 
/**
 * The shape's version (now 1).
 */
v: number, 
/**
 * Always `missed`.
 */
type: MissedKind, 
/**
 * How many events were missed.
 */
count: number, message: string, };

/**
 * The first line of a session in the JSON lines export: `type: "session"` and the session.
 */
export type JsonlSession = { 
/**
 * The shape's version (now 1).
 */
v: number, 
/**
 * Always `session`: tells this line from the events after it.
 */
type: SessionLineKind, id: number, startedAt: string, 
/**
 * Null while live, or if the recording was cut off.
 */
endedAt: string | null, url: string, request: RecordedRequest | null, handshake: Handshake | null, closeCode: number | null, closeReason: string | null, eventCount: number, bytes: number, };

/**
 * Params of `wsdeck.history.list`.
 */
export type ListParams = { 
/**
 * At most this many (default 100, at most 1000).
 */
limit?: number, 
/**
 * Only sessions older than this one (paging).
 */
beforeId?: number, 
/**
 * Only sessions whose URL holds this text.
 */
url?: string, };

/**
 * What `snap_sendWebSocketMessage` sends: a string is a text frame, a number array a binary
 * frame (each number wrapped like JavaScript's ToUint8).
 */
export type Message = string | Array<number>;

/**
 * Params of `wsdeck.messages.duplicate` and `wsdeck.messages.delete`.
 */
export type MessageIndexParams = { id: string, index: number, };

/**
 * Params of `wsdeck.format.minify`.
 */
export type MinifyParams = { text: string, format: TextFormat, };

/**
 * The `type` of a [`JsonlMissed`] line.
 */
export type MissedKind = "missed";

/**
 * Params of `wsdeck.messages.move`.
 */
export type MoveMessageParams = { id: string, from: number, to: number, };

/**
 * Params of `wsdeck.requests.move`.
 */
export type MoveRequestParams = { id: string, collection: Array<string>, };

/**
 * Params of a method that takes none (an empty object or no params at all).
 */
export type NoParams = Record<symbol, never>;

/**
 * Params of `wsdeck.open`: a whole request.
 */
export type OpenParams = { url: string, 
/**
 * Query parameters added to the URL, in order.
 */
params?: Array<[string, string]>, headers?: Array<[string, string]>, 
/**
 * Subprotocols offered in `Sec-WebSocket-Protocol`.
 */
protocols?: Array<string>, settings?: SettingsParams, 
/**
 * `{{name}}` in url, params, headers and protocols, resolved before connecting (only
 * when given: without it, `{{` is literal text); secret values stay masked.
 */
variables?: Array<Variable>, 
/**
 * Answer after the handshake (default), or at once with the id only.
 */
wait?: boolean, };

/**
 * Result of `wsdeck.open`.
 */
export type OpenResult = { id: string, 
/**
 * The handshake, unless `wait: false` was given.
 */
handshake?: Handshake, };

/**
 * Params of `snap_openWebSocket`.
 */
export type OpenWebSocketParams = { 
/**
 * The URL exactly as given (not normalised): the duplicate rule and listings use it.
 */
url: string, 
/**
 * Requested subprotocols; a missing key is `[]`.
 */
protocols?: Array<string>, };

/**
 * A query parameter of a saved request.
 */
export type Param = { key: string, value: string, 
/**
 * A disabled parameter is kept but not sent.
 */
enabled: boolean, };

/**
 * What was deleted.
 */
export type PruneReport = { sessions: Array<number>, events: number, bytes: number, };

/**
 * A byte range of the text.
 */
export type Range = { start: number, end: number, };

/**
 * Params naming a recorded session.
 */
export type RecordIdParams = { id: number, };

/**
 * Params of `wsdeck.history.events`.
 */
export type RecordedEventsParams = { id: number, from?: number, limit?: number, maxData?: number, };

/**
 * The request of a recorded session, as sent (secret values masked).
 */
export type RecordedRequest = { url?: string, params?: Array<[string, string]>, headers?: Array<[string, string]>, protocols?: Array<string>, settings?: SettingsParams, 
/**
 * Set on a session wsdeck did not record itself (`har`: read from a HAR file).
 */
importedFrom?: string, };

/**
 * Params of `wsdeck.messages.rename`.
 */
export type RenameMessageParams = { id: string, index: number, name: string, };

/**
 * Params of `wsdeck.requests.rename`.
 */
export type RenameRequestParams = { id: string, name: string, };

/**
 * Params of `wsdeck.format.beautify`.
 */
export type RenderParams = { text: string, format: TextFormat, indent?: IndentParam, };

/**
 * Params naming a saved request.
 */
export type RequestIdParams = { id: string, };

/**
 * The history's retention settings (sizes in MiB, as people set them) and its size; with
 * what applying them deleted after `wsdeck.history.setRetention`.
 */
export type RetentionInfo = { maxAgeDays: number | null, maxMib: number | null, sessions: number, events: number, bytes: number, pruned?: PruneReport, };

/**
 * Params of `wsdeck.history.setRetention`: both keys are required (null: no limit), so a
 * forgotten one is not a surprise.
 */
export type RetentionParams = { maxAgeDays: number | null, maxMib: number | null, };

/**
 * A JSON-RPC error as the API sends it.
 */
export type RpcErrorBody = { code: number, message: string, data?: ErrorData, };

/**
 * Params of `wsdeck.environments.save`.
 */
export type SaveEnvironmentParams = { environment: WsEnvironment, force?: boolean, };

/**
 * Params of `wsdeck.requests.save`.
 */
export type SaveRequestParams = { request: WsRequest, 
/**
 * Overwrite a file changed on disk since it was read.
 */
force?: boolean, };

/**
 * A message saved with a request.
 */
export type SavedMessage = { name: string, format: SavedMessageFormat, body: string, 
/**
 * Wait this long before sending it when a request's messages are sent in order.
 */
delayMs?: number, };

/**
 * How a saved message's body is written and sent.
 */
export type SavedMessageFormat = "text" | "json" | "xml" | "html" | "binary-hex" | "binary-base64";

/**
 * Which entries a search looks at.
 */
export type SearchKind = "in" | "out" | "control" | "connection";

/**
 * Params of `wsdeck.search` (`id`: a session's id) and `wsdeck.history.filter` (`id`: a
 * recorded session's number).
 */
export type SearchParams<I> = { id: I, from?: number, limit?: number, text?: string, caseSensitive?: boolean, regex?: boolean, kinds?: Array<SearchKind>, };

/**
 * Result of `wsdeck.search` and `wsdeck.history.filter`.
 */
export type SearchResult = { 
/**
 * Sequence numbers of matching events, ascending.
 */
seqs: Array<number>, 
/**
 * Where the next call should continue (pass as `from`).
 */
nextSeq: number, 
/**
 * True when the scan reached the end of what the log holds now.
 */
atEnd: boolean, };

/**
 * Params of `wsdeck.send`: exactly one of `text`, `binary` and `hex`.
 */
export type SendParams = { id: string, 
/**
 * A text message (`{{variables}}` resolved when `variables` is given).
 */
text?: string, 
/**
 * A binary message, base64.
 */
binary?: string, 
/**
 * A binary message, hex digits (spaces allowed).
 */
hex?: string, variables?: Array<Variable>, };

/**
 * Params of `snap_sendWebSocketMessage`.
 */
export type SendWebSocketMessageParams = { id: string, message: Message, };

/**
 * One row of `wsdeck.sessions`.
 */
export type SessionInfo = { id: string, url: string, protocols: Array<string>, state: SessionState, negotiatedProtocol: string | null, eventCount: number, };

/**
 * The `type` of a [`JsonlSession`] line.
 */
export type SessionLineKind = "session";

/**
 * Where a session is in its life.
 */
export type SessionState = "connecting" | "open" | "closing" | "reconnecting" | "closed";

/**
 * How a session connects, reconnects and closes; each field left out keeps its default.
 */
export type SettingsParams = { handshakeTimeoutMs?: number, followRedirects?: boolean, maxRedirects?: number, reconnectAttempts?: number, reconnectIntervalMs?: number, maxMessageSize?: number, autoPong?: boolean, closeTimeoutMs?: number, tls?: TlsParams, };

/**
 * How bad a diagnostic is.
 */
export type Severity = "error" | "warning";

/**
 * Params of `wsdeck.environments.delete`.
 */
export type SlugParams = { slug: string, };

/**
 * A message's data in an `onWebSocketEvent`.
 */
export type SnapData = { "type": "text", "message": string } | { "type": "binary", "message": Array<number> };

/**
 * The event of an `onWebSocketEvent` notification (`params: {event}`), as the Snaps
 * service sends it to the snap's `onWebSocketEvent` handler.
 */
export type SnapEvent = { "type": "open", id: string, origin: string, } | { "type": "close", id: string, origin: string, code: number, reason: string, wasClean: boolean, } | { "type": "message", id: string, origin: string, data: SnapData, };

/**
 * Params of the `onWebSocketEvent` notification.
 */
export type SnapEventNotification = { event: SnapEvent, };

/**
 * One socket of `snap_getWebSockets`.
 */
export type SnapSocket = { id: string, url: string, protocols: Array<string>, };

/**
 * Params of `wsdeck.subscribe`.
 */
export type SubscribeParams = { id: string, from?: number, maxData?: number, };

/**
 * Result of `wsdeck.subscribe`.
 */
export type SubscribeResult = { subscription: string, };

/**
 * The word `tab`.
 */
export type TabWord = "tab";

/**
 * A text format the beautifier and minifier know.
 */
export type TextFormat = "json" | "xml" | "html";

/**
 * A text result (`wsdeck.format.beautify`, `wsdeck.format.minify`, `wsdeck.history.export`).
 */
export type TextResult = { text: string, };

/**
 * How long each step of the connection took, in milliseconds.
 */
export type Timings = { dnsMs: number, connectMs: number, tlsMs: number, upgradeMs: number, totalMs: number, };

/**
 * TLS of a `wss://` session. The files are read by wsdeck, so naming them needs the
 * `wsdeck:read-files` permission.
 */
export type TlsParams = { 
/**
 * Verify the server's certificate and name (default true).
 */
verify?: boolean, caFile?: string, clientCert?: string, clientKey?: string, };

/**
 * Params of `wsdeck.unsubscribe`.
 */
export type UnsubscribeParams = { subscription: string, };

/**
 * What `wsdeck.format.validate` checks: the text formats, and binary input as typed.
 */
export type ValidateFormat = "json" | "xml" | "html" | "hex" | "base64";

/**
 * Params of `wsdeck.format.validate`.
 */
export type ValidateParams = { text: string, format: ValidateFormat, };

/**
 * Result of `wsdeck.format.validate`.
 */
export type Validation = { 
/**
 * No error (warnings allowed).
 */
ok: boolean, errors: Array<Diagnostic>, 
/**
 * Diagnostics left out because the answer would have been too large.
 */
omitted?: number, };

/**
 * A variable for `{{name}}`: in `wsdeck.open` and `wsdeck.send` (resolved before sending)
 * and in a saved environment. A disabled one is kept but not used; a secret one shows as
 * `****` wherever wsdeck shows where it was used, and is kept outside the workspace.
 */
export type Variable = { name: string, value?: string, enabled?: boolean, secret?: boolean, };

/**
 * Result of `wsdeck.workspace.load`.
 */
export type WorkspaceLoad = { 
/**
 * The workspace folder.
 */
root: string, collections: WsCollection, requests: Array<WsRequest>, environments: Array<WsEnvironment>, problems: Array<WsProblem>, };

/**
 * A collection (a folder) and what it holds.
 */
export type WsCollection = { path: Array<string>, name: string, description: string, collections: Array<WsCollection>, 
/**
 * Ids of the requests directly in it.
 */
requests: Array<string>, };

/**
 * An environment: named variables.
 */
export type WsEnvironment = { slug?: string, name: string, variables: Array<Variable>, revision: string | null, };

/**
 * One event of a session's log.
 */
export type WsEvent = { 
/**
 * Position in the session's log, from 0, without gaps.
 */
seq: number, 
/**
 * RFC 3339 UTC with milliseconds.
 */
time: string, 
/**
 * Monotonic milliseconds since the engine started: use for time differences.
 */
monoMs: number, } & ({ "type": "connecting", url: string, attempt: number, } | { "type": "redirect", status: number, from: string, to: string, hop: number, droppedHeaders: Array<string>, } | { "type": "open", url: string, protocol: string | null, extensions: Array<string>, handshake?: Handshake, } | { "type": "message" } & Data | { "type": "ping" } & Data | { "type": "pong" } & Data | { "type": "closing", direction: Direction, code: number | null, reason: string, } | { "type": "closed", code: number | null, reason: string, clean: boolean, initiator: Initiator, } | { "type": "error" } & ErrorEvent | { "type": "reconnecting", attempt: number, of: number, delayMs: number, });

/**
 * A workspace file that did not load.
 */
export type WsProblem = { path: string, line: number | null, column: number | null, message: string, };

/**
 * A saved request.
 */
export type WsRequest = { 
/**
 * Collection path plus the file's slug; absent for a request not saved yet.
 */
id?: string, collection: Array<string>, name: string, description: string, url: string, protocols: Array<string>, params: Array<Param>, headers: Array<Header>, 
/**
 * As `wsdeck.open` takes them, but for the TLS files (named when connecting).
 */
settings: SettingsParams, messages: Array<SavedMessage>, 
/**
 * What the file held when it was read; saving with an older one fails with -32009.
 */
revision: string | null, };

export type JsonValue = number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null;

/** Every method: its params and its result. */
export interface Methods {
  "rpc.discover": { params: NoParams; result: { [key in string]: JsonValue } };
  "snap_openWebSocket": { params: OpenWebSocketParams; result: string };
  "snap_sendWebSocketMessage": { params: SendWebSocketMessageParams; result: null };
  "snap_closeWebSocket": { params: CloseWebSocketParams; result: null };
  "snap_getWebSockets": { params: NoParams; result: Array<SnapSocket> };
  "wsdeck.open": { params: OpenParams; result: OpenResult };
  "wsdeck.send": { params: SendParams; result: null };
  "wsdeck.ping": { params: ControlParams; result: null };
  "wsdeck.pong": { params: ControlParams; result: null };
  "wsdeck.close": { params: CloseParams; result: null };
  "wsdeck.forget": { params: IdParams; result: null };
  "wsdeck.sessions": { params: NoParams; result: Array<SessionInfo> };
  "wsdeck.handshake": { params: IdParams; result: Handshake | null };
  "wsdeck.events": { params: EventsParams; result: EventsPage };
  "wsdeck.search": { params: SearchParams<string>; result: SearchResult };
  "wsdeck.subscribe": { params: SubscribeParams; result: SubscribeResult };
  "wsdeck.unsubscribe": { params: UnsubscribeParams; result: null };
  "wsdeck.format.detect": { params: DetectParams; result: Detected };
  "wsdeck.format.beautify": { params: RenderParams; result: TextResult };
  "wsdeck.format.minify": { params: MinifyParams; result: TextResult };
  "wsdeck.format.validate": { params: ValidateParams; result: Validation };
  "wsdeck.format.hexdump": { params: HexdumpParams; result: Hexdump };
  "wsdeck.vars.complete": { params: CompleteParams; result: Completion };
  "wsdeck.workspace.load": { params: NoParams; result: WorkspaceLoad };
  "wsdeck.workspace.changes": { params: NoParams; result: Changes };
  "wsdeck.requests.save": { params: SaveRequestParams; result: WsRequest };
  "wsdeck.requests.rename": { params: RenameRequestParams; result: WsRequest };
  "wsdeck.requests.duplicate": { params: RequestIdParams; result: WsRequest };
  "wsdeck.requests.move": { params: MoveRequestParams; result: WsRequest };
  "wsdeck.requests.delete": { params: RequestIdParams; result: null };
  "wsdeck.collections.create": { params: CreateCollectionParams; result: CollectionPath };
  "wsdeck.collections.describe": { params: DescribeCollectionParams; result: null };
  "wsdeck.collections.delete": { params: CollectionPathParams; result: null };
  "wsdeck.messages.add": { params: AddMessageParams; result: WsRequest };
  "wsdeck.messages.rename": { params: RenameMessageParams; result: WsRequest };
  "wsdeck.messages.duplicate": { params: MessageIndexParams; result: WsRequest };
  "wsdeck.messages.move": { params: MoveMessageParams; result: WsRequest };
  "wsdeck.messages.delete": { params: MessageIndexParams; result: WsRequest };
  "wsdeck.environments.save": { params: SaveEnvironmentParams; result: WsEnvironment };
  "wsdeck.environments.delete": { params: SlugParams; result: null };
  "wsdeck.history.list": { params: ListParams; result: Array<HistorySession> };
  "wsdeck.history.session": { params: RecordIdParams; result: HistorySession };
  "wsdeck.history.events": { params: RecordedEventsParams; result: EventsPage };
  "wsdeck.history.search": { params: HistorySearchParams; result: Array<HistoryHit> };
  "wsdeck.history.filter": { params: SearchParams<number>; result: SearchResult };
  "wsdeck.history.export": { params: ExportParams; result: TextResult };
  "wsdeck.history.import": { params: ImportParams; result: Imported };
  "wsdeck.history.delete": { params: DeleteParams; result: PruneReport };
  "wsdeck.history.retention": { params: NoParams; result: RetentionInfo };
  "wsdeck.history.setRetention": { params: RetentionParams; result: RetentionInfo };
}

/** Every notification the API sends: its params. */
export interface Notifications {
  "onWebSocketEvent": SnapEventNotification;
  "wsdeck.events": EventsNotification;
  "wsdeck.historyError": HistoryProblem;
}
