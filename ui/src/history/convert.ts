// Pure helpers of the history: how a recorded session is named and described, search
// snippets as marked parts, a recorded request as a tab's fields, errors in plain words.

import { errorReason, sentence, withoutFullStop } from "../errors";
import { formatBytes } from "../log/format";
import { MAX_REQUEST_BYTES, RpcError } from "../rpc";
import { DEFAULT_SETTINGS } from "../request/settings";
import { settingsFromWire, type RequestFields } from "../request/convert";
import type { HistorySession, RecordedRequest } from "../types";

const pad = (n: number) => String(n).padStart(2, "0");

/** Local `14:02:11`, with the date in front when it is not `now`'s day. */
export function localTime(iso: string, now: Date = new Date()): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  const sameDay =
    d.getFullYear() === now.getFullYear() &&
    d.getMonth() === now.getMonth() &&
    d.getDate() === now.getDate();
  return sameDay ? time : `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${time}`;
}

/** `127.0.0.1:9/echo?x=1` of `ws://127.0.0.1:9/echo?x=1#f` (the URL itself if it does not parse). */
export function hostPath(url: string): string {
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)([^?#]*)(\?[^#]*)?/i.exec(url.trim());
  if (!m) return url;
  // The query stays: `/status?code=403` and `/status?code=500` are two different sessions.
  return `${m[1] ?? ""}${(m[2] ?? "").replace(/\/$/, "")}${m[3] ?? ""}` || url;
}

/** The accessible name of a history item: `Session 12, ws://127.0.0.1:9/echo, 14:02:11`. */
export function sessionLabel(s: HistorySession, now?: Date): string {
  return `Session ${s.id}, ${s.url}, ${localTime(s.startedAt, now)}`;
}

/**
 * `14 events · closed 1000`, `1 event · not closed`, `3 events · no close code`, or
 * `2 events · imported from HAR` (an import has no close of its own to show).
 */
export function sessionDetails(s: HistorySession): string {
  const events = `${s.eventCount.toLocaleString("en-US")} ${s.eventCount === 1 ? "event" : "events"}`;
  const close =
    s.closeCode !== null
      ? `closed ${s.closeCode}`
      : s.endedAt === null
        ? "not closed"
        : "no close code";
  const from = s.request?.importedFrom;
  return from ? `${events} · imported from ${from.toUpperCase()}` : `${events} · ${close}`;
}

export interface SnippetPart {
  text: string;
  mark: boolean;
}

/** A search snippet with its matches between `«` and `»` as parts (marks never nest). */
export function snippetParts(snippet: string): SnippetPart[] {
  const parts: SnippetPart[] = [];
  let mark = false;
  let text = "";
  const flush = () => {
    if (text) parts.push({ text, mark });
    text = "";
  };
  for (const ch of snippet) {
    if (ch === "«" && !mark) {
      flush();
      mark = true;
    } else if (ch === "»" && mark) {
      flush();
      mark = false;
    } else text += ch;
  }
  flush();
  return parts;
}

/** A recorded request as a new tab's fields (what "Open as new request" fills in). */
export function fieldsFromRecorded(
  req: RecordedRequest | null,
  fallbackUrl: string,
): RequestFields {
  const r = req ?? {};
  // A recorded request's settings are the type a saved request keeps.
  const settings = r.settings ? settingsFromWire(r.settings) : { ...DEFAULT_SETTINGS };
  return {
    url: r.url ?? fallbackUrl,
    params: (r.params ?? []).map(([key, value]) => ({ key, value, enabled: true })),
    headers: (r.headers ?? []).map(([key, value]) => ({ key, value, enabled: true })),
    protocols: [...(r.protocols ?? [])],
    settings,
  };
}

/** A history error as a sentence. */
export function historyError(e: unknown): string {
  if (e instanceof RpcError) {
    if (e.code === 4100) return "The history is not available here (it needs wsdeck ui).";
    if (e.code === -32601) return "This wsdeck has no history.";
    if (e.code === -32001) return "That recorded session no longer exists.";
    if (e.code === -32602) return `That search is not valid: ${withoutFullStop(errorReason(e))}.`;
    return e.message;
  }
  if (e instanceof Error) return e.message;
  return String(e);
}

/** A file name for an exported session: `wsdeck-session-12.har`. */
export function exportFileName(id: number, format: "har" | "jsonl"): string {
  return `wsdeck-session-${id}.${format}`;
}

/** An action's error (delete, retention) as a sentence: invalid params say what the API said. */
export function historyActionError(e: unknown): string {
  if (e instanceof RpcError && e.code === -32602) {
    // `session 7 is still being recorded; …`: the reason in `data`, as a sentence.
    const reason = errorReason(e).trim();
    return reason ? sentence(reason) : "The request was not valid.";
  }
  return historyError(e);
}

const plural = (n: number, one: string, many: string) =>
  `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;

/** What the history holds: `3 sessions · 120 events · 1.2 MiB`. */
export function historySize(s: { sessions: number; events: number; bytes: number }): string {
  return `${plural(s.sessions, "session", "sessions")} · ${plural(s.events, "event", "events")} · ${formatBytes(s.bytes)}`;
}

/** What a deletion removed: `Deleted 3 sessions (1.2 MiB).`, `Nothing to delete.` */
export function deletedSummary(d: { sessions: number | number[]; bytes: number }): string {
  const n = Array.isArray(d.sessions) ? d.sessions.length : d.sessions;
  if (n === 0) return "Nothing to delete.";
  return `Deleted ${plural(n, "session", "sessions")} (${formatBytes(d.bytes)}).`;
}

/** The retention in words: `Sessions older than 30 days are deleted; the history stays under 100 MiB.` */
export function retentionSummary(r: { maxAgeDays: number | null; maxMib: number | null }): string {
  const parts: string[] = [];
  if (r.maxAgeDays !== null)
    parts.push(`sessions older than ${plural(r.maxAgeDays, "day", "days")} are deleted`);
  if (r.maxMib !== null)
    parts.push(`the oldest sessions are deleted beyond ${r.maxMib.toLocaleString("en-US")} MiB`);
  if (parts.length === 0) return "No limits: nothing is deleted automatically.";
  const text = parts.join("; ");
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}

/** The largest values the limit fields take (100 years; 1 TiB). */
export const MAX_AGE_DAYS = 36_500;
export const MAX_MIB = 1_048_576;

export type LimitParse = { ok: true; value: number | null } | { ok: false; error: string };

/**
 * A limit field: empty is no limit (`null`), else a whole number from 1 to `max`; `unit`
 * names what is counted in the message (`days`, `MiB`).
 */
export function parseLimit(text: string, unit: string, max: number): LimitParse {
  const t = text.trim().replace(/[ _,]/g, "");
  const hint = `Enter a whole number of ${unit} from 1 to ${max.toLocaleString("en-US")}, or leave it empty for no limit.`;
  if (t === "") return { ok: true, value: null };
  if (/^-\d+$/.test(t)) return { ok: false, error: `The limit must be at least 1. ${hint}` };
  if (!/^\d+$/.test(t))
    return { ok: false, error: `"${text.trim()}" is not a whole number. ${hint}` };
  const n = Number(t);
  if (n < 1) return { ok: false, error: `The limit must be at least 1. ${hint}` };
  if (n > max) return { ok: false, error: `${text.trim()} is too large. ${hint}` };
  return { ok: true, value: n };
}

/** A limit as its field's text (`""` for no limit). */
export function limitText(n: number | null | undefined): string {
  return n === null || n === undefined ? "" : String(n);
}

/**
 * Whether a HAR file's text, escaped inside one JSON-RPC request, would pass the gateway's
 * request limit (larger files: `wsdeck history import FILE`).
 */
export function harFitsOneRequest(text: string, limit = MAX_REQUEST_BYTES): boolean {
  const envelope = 128; // {"jsonrpc":"2.0","id":…,"method":"wsdeck.history.import",…}
  return new TextEncoder().encode(JSON.stringify(text)).length + envelope <= limit;
}
