// A saved request (the workspace's wire shape) ⇄ a tab's editable fields, and "unsaved
// changes" detection. Pure functions: the tab model, the workspace store and the history's
// "Open as request" all convert through here, so a save and a load always agree.

import type { WsRequest, WsRequestSettings } from "../types";
import type { KeyValueRow } from "./params";
import { DEFAULT_SETTINGS, type SettingsForm } from "./settings";
import { bytesToMib, mibTextToBytes } from "./units";

/** The request fields a tab edits (what "unsaved changes" compares). */
export interface RequestFields {
  url: string;
  params: KeyValueRow[];
  headers: KeyValueRow[];
  protocols: string[];
  settings: SettingsForm;
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
    verifyTls: s.tls?.verify ?? d.verifyTls,
    autoPong: s.autoPong ?? d.autoPong,
    closeTimeoutMs: num(s.closeTimeoutMs, d.closeTimeoutMs),
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
    ["closeTimeoutMs", "closeTimeoutMs"],
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
  if (form.verifyTls !== d.verifyTls) out.tls = { verify: form.verifyTls };
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
