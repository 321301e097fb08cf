// The open requests survive a reload of this browser tab (sessionStorage: nothing is kept
// once the tab is closed). Connections are not restored: they belonged to the old page.

import type { KeyValueRow } from "../request/params";
import type { BinaryEncoding, MessageFormat, SubTab } from "../request/model";
import { SUB_TABS } from "../request/model";
import { DEFAULT_SETTINGS, type SettingsForm } from "../request/settings";
import type { SavedInfo } from "../request/model";
import type { SavedMessage } from "../types";

export const DRAFTS_KEY = "wsdeck.requests";

export interface RequestDraft {
  url: string;
  params: KeyValueRow[];
  headers: KeyValueRow[];
  protocols: string[];
  settings: SettingsForm;
  message: string;
  format: MessageFormat;
  encoding: BinaryEncoding;
  subTab: SubTab;
  saved?: SavedInfo | null;
  savedMessages?: SavedMessage[];
}

export interface Workspace {
  drafts: RequestDraft[];
  active: number;
}

const FORMATS: MessageFormat[] = ["text", "json", "xml", "html", "binary"];

function str(v: unknown, fallback = ""): string {
  return typeof v === "string" ? v : fallback;
}

function rows(v: unknown): KeyValueRow[] {
  if (!Array.isArray(v)) return [];
  return v
    .filter((r): r is Record<string, unknown> => Boolean(r) && typeof r === "object")
    .map((r) => ({ key: str(r.key), value: str(r.value), enabled: r.enabled !== false }));
}

function settings(v: unknown): SettingsForm {
  const out: SettingsForm = { ...DEFAULT_SETTINGS };
  if (!v || typeof v !== "object") return out;
  const r = v as Record<string, unknown>;
  for (const key of Object.keys(DEFAULT_SETTINGS) as (keyof SettingsForm)[]) {
    const value = r[key];
    if (typeof value === typeof DEFAULT_SETTINGS[key])
      (out as unknown as Record<string, unknown>)[key] = value;
  }
  return out;
}

export function readDraft(v: unknown): RequestDraft | null {
  if (!v || typeof v !== "object") return null;
  const r = v as Record<string, unknown>;
  const format = FORMATS.includes(r.format as MessageFormat) ? (r.format as MessageFormat) : "text";
  const subTab = SUB_TABS.includes(r.subTab as SubTab) ? (r.subTab as SubTab) : "Message";
  return {
    url: str(r.url),
    params: rows(r.params),
    headers: rows(r.headers),
    protocols: Array.isArray(r.protocols) ? r.protocols.filter((p) => typeof p === "string") : [],
    settings: settings(r.settings),
    message: str(r.message),
    format,
    encoding: r.encoding === "base64" ? "base64" : "hex",
    subTab,
    ...(r.saved ? { saved: readSaved(r.saved) } : {}),
    ...(Array.isArray(r.savedMessages) && r.savedMessages.length > 0
      ? { savedMessages: readMessages(r.savedMessages) }
      : {}),
  };
}

function readSaved(v: unknown): SavedInfo | null {
  if (!v || typeof v !== "object") return null;
  const r = v as Record<string, unknown>;
  if (typeof r.id !== "string" || typeof r.name !== "string" || typeof r.baseline !== "string")
    return null;
  return {
    id: r.id,
    name: r.name,
    baseline: r.baseline,
    revision: typeof r.revision === "string" ? r.revision : null,
    collection: Array.isArray(r.collection)
      ? r.collection.filter((c): c is string => typeof c === "string")
      : [],
    description: typeof r.description === "string" ? r.description : "",
  };
}

export function serializeWorkspace(w: Workspace): string {
  return JSON.stringify({ version: 1, drafts: w.drafts, active: w.active });
}

export function deserializeWorkspace(text: string | null): Workspace | null {
  if (!text) return null;
  try {
    const raw = JSON.parse(text) as Record<string, unknown>;
    if (!raw || !Array.isArray(raw.drafts)) return null;
    const drafts = raw.drafts.map(readDraft).filter((d): d is RequestDraft => d !== null);
    if (drafts.length === 0) return null;
    const active = typeof raw.active === "number" ? raw.active : 0;
    return { drafts, active: Math.min(Math.max(0, Math.floor(active)), drafts.length - 1) };
  } catch {
    return null;
  }
}

function readMessages(v: unknown[]): SavedMessage[] {
  return v.filter(
    (m): m is SavedMessage =>
      Boolean(m) &&
      typeof m === "object" &&
      typeof (m as SavedMessage).name === "string" &&
      typeof (m as SavedMessage).body === "string" &&
      typeof (m as SavedMessage).format === "string",
  );
}
