// One request tab's editable state: URL and its params, headers, protocols, settings and
// the composer, plus the live session. Signals so every view updates on its own.

import { computed, signal } from "@preact/signals";
import type { Rpc } from "../rpc";
import { TabSession } from "../session";
import { findVariables } from "../editor/variables";
import type { OpenParams, SavedMessage, Variable, WsRequest } from "../types";
import { fieldsFromRequest, fingerprint, type RequestFields } from "./convert";
import { rowsFromUrl, urlFromRows, withScheme, type KeyValueRow } from "./params";
import { DEFAULT_SETTINGS, toSettingsParams, type SettingsForm } from "./settings";

export type SubTab = "Message" | "Params" | "Headers" | "Protocols" | "Settings";
export const SUB_TABS: SubTab[] = ["Message", "Params", "Headers", "Protocols", "Settings"];

export type MessageFormat = "text" | "json" | "xml" | "html" | "binary";
export type BinaryEncoding = "hex" | "base64";

const UNTITLED = "Untitled request";

/**
 * A tab's title: host and path when the URL parses as ws:// or wss://, else "Untitled
 * request". `{{variables}}` in it are fine; a half-typed `{{` is not a title.
 */
export function requestName(url: string): string {
  const trimmed = url.trim();
  const m = /^wss?:\/\/([^/?#\s]+)([^?#\s]*)(?:[?#]\S*)?$/i.exec(trimmed);
  if (!m) return UNTITLED;
  let parsed: URL;
  try {
    parsed = new URL(trimmed);
  } catch {
    return UNTITLED;
  }
  if ((parsed.protocol !== "ws:" && parsed.protocol !== "wss:") || !parsed.host) return UNTITLED;
  const name = `${m[1] ?? ""}${m[2] ?? ""}`.replace(/\/$/, "");
  let rest = "";
  let last = 0;
  for (const span of findVariables(name)) {
    rest += name.slice(last, span.from);
    last = span.to;
  }
  rest += name.slice(last);
  if (rest.includes("{") || rest.includes("}")) return UNTITLED;
  return name || UNTITLED;
}

/** The URL as sent: exactly as typed (wsdeck explains what is wrong with it, if anything). */
export function normalizeUrl(url: string): string {
  return url.trim() === "" ? "" : url;
}

export function pairs(rows: KeyValueRow[]): [string, string][] {
  return rows.filter((r) => r.enabled && r.key.trim() !== "").map((r) => [r.key.trim(), r.value]);
}

/** The `wsdeck.open` params for a request, or a sentence saying what to fix first. */
export function buildOpenParams(
  input: {
    url: string;
    headers: KeyValueRow[];
    protocols: string[];
    settings: SettingsForm;
  },
  variables: Variable[],
): { ok: true; params: OpenParams } | { ok: false; error: string; settings?: boolean } {
  const url = normalizeUrl(input.url);
  if (!url) return { ok: false, error: "Enter a WebSocket URL, such as ws://localhost:8080." };
  const settings = toSettingsParams(input.settings);
  if (!settings.ok) {
    return {
      ok: false,
      settings: true,
      error: "Some settings are not valid numbers; fix them in the Settings tab.",
    };
  }
  return {
    ok: true,
    params: {
      url,
      headers: pairs(input.headers),
      protocols: input.protocols.map((p) => p.trim()).filter((p) => p !== ""),
      settings: settings.settings,
      variables,
    },
  };
}

export interface SavedInfo {
  id: string;
  revision: string | null;
  name: string;
  collection: string[];
  description: string;
  /** `fingerprint` of the fields as saved: differs once the tab has unsaved changes. */
  baseline: string;
}

let nextTabId = 1;

export class RequestTab {
  readonly id = nextTabId++;
  readonly session: TabSession;
  readonly url = signal("");
  readonly params = signal<KeyValueRow[]>([]);
  readonly headers = signal<KeyValueRow[]>([]);
  readonly protocols = signal<string[]>([]);
  readonly settings = signal<SettingsForm>({ ...DEFAULT_SETTINGS });
  readonly subTab = signal<SubTab>("Message");
  /** A problem found before asking wsdeck (empty URL, bad settings). */
  readonly localError = signal("");
  readonly message = signal("");
  readonly format = signal<MessageFormat>("text");
  readonly encoding = signal<BinaryEncoding>("hex");
  readonly controlPayload = signal("");
  /** The collection the Save dialog suggests for a new request. */
  suggestedCollection: string[] = [];
  /** Put the cursor in the URL field when the tab's editor first appears. */
  focusUrl = false;
  /** The saved request this tab edits (null: not saved yet). */
  readonly saved = signal<SavedInfo | null>(null);
  /** The saved request's messages (the "Saved messages" list). */
  readonly savedMessages = signal<SavedMessage[]>([]);
  /** Set when a save found the file changed on disk: what to say, and the choices. */
  readonly conflict = signal("");
  readonly name = computed(() => this.saved.value?.name ?? requestName(this.url.value));
  readonly unsaved = computed(() => {
    const s = this.saved.value;
    return s !== null && fingerprint(this.fields()) !== s.baseline;
  });
  /** Connecting, open or closing: the request's settings are locked. */
  readonly locked = computed(() => {
    const s = this.session.state.value;
    return s === "connecting" || s === "open" || s === "closing";
  });

  constructor(rpc: Rpc) {
    this.session = new TabSession(rpc);
  }

  /** The user edited the URL: the Params rows follow its query. */
  setUrl(url: string): void {
    this.url.value = url;
    this.params.value = rowsFromUrl(url, this.params.peek());
  }

  /** The user edited the Params rows: the URL's query follows them. */
  setParams(rows: KeyValueRow[]): void {
    this.params.value = rows;
    this.url.value = urlFromRows(this.url.peek(), rows);
  }

  async connect(variables: Variable[]): Promise<void> {
    if (this.locked.peek()) return;
    // Shown in the URL box too, so what is connected to is what is written there.
    const url = withScheme(this.url.peek());
    if (url !== this.url.peek()) this.url.value = url;
    const built = buildOpenParams(
      {
        url,
        headers: this.headers.peek(),
        protocols: this.protocols.peek(),
        settings: this.settings.peek(),
      },
      variables,
    );
    if (!built.ok) {
      this.localError.value = built.error;
      if (built.settings) this.subTab.value = "Settings";
      return;
    }
    this.localError.value = "";
    await this.session.connect(built.params);
  }

  /** The request fields as they are now (reads signals: tracked in computeds). */
  fields(): RequestFields {
    return {
      url: this.url.value,
      params: this.params.value,
      headers: this.headers.value,
      protocols: this.protocols.value,
      settings: this.settings.value,
    };
  }

  /** Loads a saved request into the tab (its fields, messages, identity and revision). */
  loadSaved(r: WsRequest): void {
    const f = fieldsFromRequest(r);
    this.url.value = f.url;
    this.params.value = f.params;
    this.headers.value = f.headers;
    this.protocols.value = f.protocols;
    this.settings.value = f.settings;
    this.markSaved(r);
  }

  /** The file now holds `r`: identity, revision, messages; the tab's edits stay. */
  markSaved(r: WsRequest): void {
    this.savedMessages.value = r.messages;
    this.conflict.value = "";
    this.saved.value = {
      id: r.id ?? "",
      revision: r.revision,
      name: r.name,
      collection: r.collection,
      description: r.description,
      baseline: fingerprint(fieldsFromRequest(r)),
    };
  }

  /** What a reload of the page restores. */
  toDraft() {
    return {
      url: this.url.value,
      params: this.params.value,
      headers: this.headers.value,
      protocols: this.protocols.value,
      settings: this.settings.value,
      message: this.message.value,
      format: this.format.value,
      encoding: this.encoding.value,
      subTab: this.subTab.value,
      saved: this.saved.value,
      savedMessages: this.savedMessages.value,
    };
  }

  restore(
    d: Omit<ReturnType<RequestTab["toDraft"]>, "saved" | "savedMessages"> & {
      saved?: SavedInfo | null;
      savedMessages?: SavedMessage[];
    },
  ): void {
    this.url.value = d.url;
    this.params.value = d.params;
    this.headers.value = d.headers;
    this.protocols.value = d.protocols;
    this.settings.value = d.settings;
    this.message.value = d.message;
    this.format.value = d.format;
    this.encoding.value = d.encoding;
    this.subTab.value = d.subTab;
    this.saved.value = d.saved ?? null;
    this.savedMessages.value = d.savedMessages ?? [];
  }

  /** Nothing typed yet. */
  isBlank(): boolean {
    return (
      this.url.peek() === "" &&
      this.message.peek() === "" &&
      this.headers.peek().length === 0 &&
      this.protocols.peek().length === 0
    );
  }

  dispose(): void {
    this.session.dispose();
  }
}
