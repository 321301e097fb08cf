// Pure conversions between the workspace's saved requests (wire shapes) and a tab's
// editable state, the sidebar's tree, and "unsaved changes" detection.

import type { BinaryEncoding, MessageFormat } from "../request/model";
import type { KeyValueRow } from "../request/params";
import { DEFAULT_SETTINGS, MIB, mibToBytes, type SettingsForm } from "../request/settings";
import { capitalized, errorReason, withoutFullStop } from "../errors";
import { RpcError } from "../rpc";
import type {
  SavedMessage,
  SavedMessageFormat,
  WsCollection,
  WsRequest,
  WsRequestSettings,
} from "../types";

/** The request fields a tab edits (what "unsaved changes" compares). */
export interface RequestFields {
  url: string;
  params: KeyValueRow[];
  headers: KeyValueRow[];
  protocols: string[];
  settings: SettingsForm;
}

/** Bytes as the MiB text of the Settings form: up to 3 decimals, no trailing zeros, more
 *  decimals only when 3 would not give the same bytes back (so 100 bytes is not "0", which
 *  would mean no limit). */
export function bytesToMib(bytes: number): string {
  for (let decimals = 3; decimals < 7; decimals++) {
    const scale = 10 ** decimals;
    const mib = Math.round((bytes / MIB) * scale) / scale;
    if (mibToBytes(mib) === bytes) return String(mib);
  }
  return String(Math.round((bytes / MIB) * 1e7) / 1e7);
}

/** The Settings form's MiB text as bytes (0: no limit), or null when it is not a size. */
export function mibTextToBytes(mib: string): number | null {
  const n = Number(mib.trim());
  if (mib.trim() === "" || !Number.isFinite(n) || n < 0) return null;
  return mibToBytes(n);
}

export function settingsFromWire(s: WsRequestSettings): SettingsForm {
  const d = DEFAULT_SETTINGS;
  const num = (v: number | undefined, fallback: string) => (v === undefined ? fallback : String(v));
  return {
    reconnectAttempts: num(s.reconnectAttempts, d.reconnectAttempts),
    reconnectIntervalMs: num(s.reconnectIntervalMs, d.reconnectIntervalMs),
    followRedirects: s.followRedirects ?? d.followRedirects,
    maxRedirects: num(s.maxRedirects, d.maxRedirects),
    handshakeTimeoutMs: num(s.handshakeTimeoutMs, d.handshakeTimeoutMs),
    maxMessageSizeMb:
      s.maxMessageSize === undefined ? d.maxMessageSizeMb : bytesToMib(s.maxMessageSize),
    verifyTls: s.tlsVerify ?? d.verifyTls,
    autoPong: s.autoPong ?? d.autoPong,
  };
}

/** The settings worth saving: valid ones that differ from the form's defaults. */
export function settingsToWire(form: SettingsForm): WsRequestSettings {
  const d = DEFAULT_SETTINGS;
  const out: WsRequestSettings = {};
  const int = (raw: string): number | null => {
    const n = Number(raw.trim());
    return raw.trim() !== "" && Number.isInteger(n) && n >= 0 ? n : null;
  };
  const numbers = [
    ["reconnectAttempts", "reconnectAttempts"],
    ["reconnectIntervalMs", "reconnectIntervalMs"],
    ["maxRedirects", "maxRedirects"],
    ["handshakeTimeoutMs", "handshakeTimeoutMs"],
  ] as const;
  for (const [field, key] of numbers) {
    if (form[field].trim() === d[field]) continue;
    const n = int(form[field]);
    if (n !== null) out[key] = n;
  }
  if (form.followRedirects !== d.followRedirects) out.followRedirects = form.followRedirects;
  if (form.maxMessageSizeMb.trim() !== d.maxMessageSizeMb) {
    const bytes = mibTextToBytes(form.maxMessageSizeMb);
    if (bytes !== null) out.maxMessageSize = bytes;
  }
  if (form.verifyTls !== d.verifyTls) out.tlsVerify = form.verifyTls;
  if (form.autoPong !== d.autoPong) out.autoPong = form.autoPong;
  return out;
}

export function fieldsFromRequest(r: WsRequest): RequestFields {
  return {
    url: r.url,
    params: r.params.map((p) => ({ key: p.key, value: p.value, enabled: p.enabled })),
    headers: r.headers.map((h) => ({ key: h.name, value: h.value, enabled: h.enabled })),
    protocols: [...r.protocols],
    settings: settingsFromWire(r.settings),
  };
}

/** The wire request for a tab's fields; `base` gives identity, name, messages, revision. */
export function requestFromFields(
  f: RequestFields,
  base: Pick<WsRequest, "collection" | "name" | "description" | "messages" | "revision"> & {
    id?: string;
  },
): WsRequest {
  const r: WsRequest = {
    collection: base.collection,
    name: base.name,
    description: base.description,
    url: f.url,
    protocols: f.protocols.map((p) => p.trim()).filter((p) => p !== ""),
    params: f.params
      .filter((p) => p.key !== "" || p.value !== "")
      .map((p) => ({ key: p.key, value: p.value, enabled: p.enabled })),
    headers: f.headers
      .filter((h) => h.key.trim() !== "" || h.value !== "")
      .map((h) => ({ name: h.key.trim(), value: h.value, enabled: h.enabled })),
    settings: settingsToWire(f.settings),
    messages: base.messages,
    revision: base.revision,
  };
  if (base.id !== undefined) r.id = base.id;
  return r;
}

/** A canonical text of what a save would write: equal texts mean no unsaved changes. */
export function fingerprint(f: RequestFields): string {
  const r = requestFromFields(f, {
    collection: [],
    name: "",
    description: "",
    messages: [],
    revision: null,
  });
  return JSON.stringify([r.url, r.protocols, r.params, r.headers, r.settings]);
}

export function isUnsaved(current: RequestFields, baseline: string | null): boolean {
  return baseline !== null && fingerprint(current) !== baseline;
}

export function composerFormat(f: SavedMessageFormat): {
  format: MessageFormat;
  encoding?: BinaryEncoding;
} {
  if (f === "binary-hex") return { format: "binary", encoding: "hex" };
  if (f === "binary-base64") return { format: "binary", encoding: "base64" };
  return { format: f };
}

export function savedFormat(format: MessageFormat, encoding: BinaryEncoding): SavedMessageFormat {
  return format === "binary" ? (encoding === "hex" ? "binary-hex" : "binary-base64") : format;
}

export const FORMAT_LABELS: Record<SavedMessageFormat, string> = {
  text: "Text",
  json: "JSON",
  xml: "XML",
  html: "HTML",
  "binary-hex": "Binary (hex)",
  "binary-base64": "Binary (base64)",
};

/** Moves item `from` to `to` (the optimistic view of `wsdeck.messages.move`). */
export function moveItem<T>(items: T[], from: number, to: number): T[] {
  if (from < 0 || from >= items.length || to < 0 || to >= items.length) return items;
  const out = [...items];
  const [it] = out.splice(from, 1);
  if (it !== undefined) out.splice(to, 0, it);
  return out;
}

export function renameMessage(items: SavedMessage[], index: number, name: string): SavedMessage[] {
  return items.map((m, i) => (i === index ? { ...m, name } : m));
}

// ---- The tree

export type TreeNode =
  | {
      kind: "collection";
      key: string;
      path: string[];
      name: string;
      level: number;
      expanded: boolean;
      parentKey: string | null;
      hasChildren: boolean;
    }
  | {
      kind: "request";
      key: string;
      id: string;
      name: string;
      url: string;
      level: number;
      parentKey: string | null;
    };

export const collectionKey = (path: string[]) => `c:${path.join("/")}`;
export const requestKey = (id: string) => `r:${id}`;

function matches(r: WsRequest, filter: string): boolean {
  const f = filter.trim().toLowerCase();
  return f === "" || r.name.toLowerCase().includes(f) || r.url.toLowerCase().includes(f);
}

/**
 * The visible rows of the tree, depth first: collections (expanded when in `expanded`, or
 * always while filtering), then their requests. With a filter, only matching requests and
 * the collections that lead to them are shown. The root collection itself is not a row.
 */
export function buildTree(
  root: WsCollection,
  requests: WsRequest[],
  expanded: ReadonlySet<string>,
  filter = "",
): TreeNode[] {
  const byId = new Map(requests.map((r) => [r.id ?? "", r]));
  const filtering = filter.trim() !== "";
  const out: TreeNode[] = [];
  const visit = (c: WsCollection, level: number, parentKey: string | null): boolean => {
    let any = false;
    for (const child of c.collections) {
      const key = collectionKey(child.path);
      const at = out.length;
      const open = filtering || expanded.has(key);
      out.push({
        kind: "collection",
        key,
        path: child.path,
        name: child.name,
        level,
        expanded: open,
        parentKey,
        hasChildren: child.collections.length + child.requests.length > 0,
      });
      const before = out.length;
      const found = visit(child, level + 1, key);
      if (!open) out.length = before;
      if (filtering && !found) out.length = at;
      else any = true;
    }
    for (const id of c.requests) {
      const r = byId.get(id);
      if (!r || !matches(r, filter)) continue;
      out.push({
        kind: "request",
        key: requestKey(id),
        id,
        name: r.name,
        url: r.url,
        level,
        parentKey,
      });
      any = true;
    }
    return any;
  };
  visit(root, 1, null);
  return out;
}

/** Every collection path, for the "Collection" select ("" is the top level). */
export function collectionPaths(root: WsCollection): { path: string[]; label: string }[] {
  const out: { path: string[]; label: string }[] = [{ path: [], label: "(top level)" }];
  const visit = (c: WsCollection, names: string[]) => {
    for (const child of c.collections) {
      const label = [...names, child.name];
      out.push({ path: child.path, label: label.join(" / ") });
      visit(child, label);
    }
  };
  visit(root, []);
  return out;
}

export function findCollection(root: WsCollection, path: string[]): WsCollection | null {
  let c: WsCollection | undefined = root;
  for (let i = 0; i < path.length && c; i++) {
    const want = path.slice(0, i + 1).join("/");
    c = c.collections.find((x) => x.path.join("/") === want);
  }
  return c ?? null;
}

/** A failed workspace call as a sentence (an invalid-params error: its reason). */
export function workspaceError(e: unknown): string {
  let text = errorReason(e);
  if (e instanceof RpcError) {
    const data = e.data as Record<string, unknown> | undefined;
    if (e.code === -32009) {
      const path = typeof data?.path === "string" ? ` (${data.path.split(/[\\/]/).pop()})` : "";
      text = `The file changed on disk since it was loaded${path}. Overwrite it with this version, or reload it from disk.`;
    } else if (e.code === -32001 && data && typeof data.kind === "string") {
      text = `That ${data.kind} no longer exists (it may have been deleted on disk).`;
    } else if (e.code === -32603 && data && typeof data.reason === "string") {
      text = `${withoutFullStop(text)}: ${data.reason}`;
    }
  }
  return capitalized(text);
}

export function isNoPermission(e: unknown): boolean {
  return e instanceof RpcError && (e.code === 4100 || e.code === -32601);
}
