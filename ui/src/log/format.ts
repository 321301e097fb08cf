// Pure wording and formatting helpers of the messages pane, the console and the badge.

import type { Handshake, WsEvent } from "../types";
import type { TabState } from "../session";

/** Message-like events: data frames and control frames. */
export type DataEvent = Extract<WsEvent, { type: "message" | "ping" | "pong" }>;

export function isDataEvent(e: WsEvent): e is DataEvent {
  return e.type === "message" || e.type === "ping" || e.type === "pong";
}

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

/** Local wall-clock time `HH:MM:SS.mmm` of an RFC 3339 timestamp. */
export function formatTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** Local date and time, e.g. `2026-11-24 04:20:01.123`, for the info popover and console. */
export function formatDateTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${formatTime(iso)}`;
}

const numberFmt = new Intl.NumberFormat("en-US", { maximumFractionDigits: 3 });
const intFmt = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

export function formatCount(n: number): string {
  return intFmt.format(n);
}

/** Absolute time between two monotonic timestamps, e.g. `12.5 ms` or `1,500 ms (1.5 s)`. */
export function formatTimeDiff(aMonoMs: number, bMonoMs: number): string {
  const d = Math.abs(bMonoMs - aMonoMs);
  const ms = `${numberFmt.format(Math.round(d * 1000) / 1000)} ms`;
  return d >= 1000 ? `${ms} (${numberFmt.format(Math.round(d) / 1000)} s)` : ms;
}

/** Bytes for people, in binary units: `512 B`, `2.4 KiB`, `245 KiB`, `1.2 MiB`, `3.4 GiB`. */
export function formatBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = Number.isFinite(n) ? Math.max(0, n) : 0;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u += 1;
  }
  if (u === 0) return `${intFmt.format(v)} B`;
  return `${v < 10 ? (Math.round(v * 10) / 10).toString() : intFmt.format(v)} ${units[u]}`;
}

/** The pane's counter text: `1,234 msg/s · 245 KiB/s`. */
export function formatRate(messages: number, bytes: number): string {
  return `${formatCount(Math.round(messages))} msg/s · ${formatBytes(Math.round(bytes))}/s`;
}

/** Escapes control characters so a body fits on one visible line. */
export function escapeControl(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
    switch (c) {
      case "\n":
        return "\\n";
      case "\r":
        return "\\r";
      case "\t":
        return "\\t";
      default: {
        const code = c.charCodeAt(0);
        return code <= 0xff
          ? `\\x${code.toString(16).padStart(2, "0")}`
          : `\\u${code.toString(16)}`;
      }
    }
  });
}

/** The bytes of base64 that wsdeck sent (an event's binary data, maybe a prefix of it):
 *  never fails — bad input gives what it can. User input goes through `parseBase64`, which
 *  refuses what is not Base64. */
export function decodeWireBase64(b64: string): Uint8Array {
  try {
    const bin = atob(b64.replace(/[^A-Za-z0-9+/]/g, ""));
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  } catch {
    return new Uint8Array();
  }
}

export function bytesToBase64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(s);
}

export function textToBase64(text: string): string {
  return bytesToBase64(new TextEncoder().encode(text));
}

export function hexBytes(bytes: Uint8Array, max = bytes.length): string {
  const parts: string[] = [];
  for (let i = 0; i < Math.min(max, bytes.length); i++) {
    parts.push((bytes[i] ?? 0).toString(16).padStart(2, "0"));
  }
  return parts.join(" ");
}

/** Is the event's data base64 (binary message, or a control frame that is not UTF-8)? */
export function isBinary(e: DataEvent): boolean {
  return e.format === "binary";
}

const PREVIEW_CHARS = 300;
const PREVIEW_BYTES = 16;

/** One line for a row: escaped text, or `Binary, N bytes: 00 01 …`. */
export function previewText(e: WsEvent): string {
  if (!isDataEvent(e)) return consoleLine(e);
  if (isBinary(e)) {
    const bytes = decodeWireBase64(e.data.slice(0, Math.ceil(PREVIEW_BYTES / 3) * 4 + 4));
    const shown = Math.min(PREVIEW_BYTES, bytes.length);
    const hex = hexBytes(bytes, shown);
    const more = e.size > shown ? " …" : "";
    return `Binary, ${formatCount(e.size)} ${e.size === 1 ? "byte" : "bytes"}${hex ? `: ${hex}${more}` : ""}`;
  }
  if (e.data.length === 0) return e.type === "message" ? "(empty message)" : "(no payload)";
  const cut = e.data.length > PREVIEW_CHARS ? e.data.slice(0, PREVIEW_CHARS) : e.data;
  const text = escapeControl(cut);
  return cut.length < e.data.length || e.truncated ? `${text}…` : text;
}

/** Words for a close code (RFC 6455 §7.4.1 and the registry). */
export function closeCodeName(code: number | null): string {
  if (code === null) return "no status code";
  const names: Record<number, string> = {
    1000: "normal closure",
    1001: "going away",
    1002: "protocol error",
    1003: "unsupported data",
    1005: "no status received",
    1006: "abnormal, no close frame",
    1007: "invalid payload data",
    1008: "policy violation",
    1009: "message too big",
    1010: "mandatory extension",
    1011: "internal error",
    1012: "service restart",
    1013: "try again later",
    1014: "bad gateway",
    1015: "TLS handshake failure",
  };
  return names[code] ?? (code >= 4000 ? "application code" : code >= 3000 ? "registered code" : "");
}

function closeText(code: number | null, reason: string): string {
  if (code === null) return "no status code";
  const name = closeCodeName(code);
  return [String(code), name, reason ? `“${reason}”` : ""].filter(Boolean).join(" ");
}

/** The console's (and network rows') wording of an event. */
export function consoleLine(e: WsEvent): string {
  switch (e.type) {
    case "connecting":
      // The engine counts attempts from 0; people count from 1.
      return e.attempt > 0
        ? `Connecting to ${e.url} (attempt ${e.attempt + 1})`
        : `Connecting to ${e.url}`;
    case "redirect":
      return `Redirected ${e.status} → ${e.to}${e.droppedHeaders.length ? ` (dropped headers: ${e.droppedHeaders.join(", ")})` : ""}`;
    case "open": {
      const parts = [`Connected to ${e.url}`];
      parts.push(e.protocol ? `protocol ${e.protocol}` : "no subprotocol");
      if (e.extensions.length) parts.push(`extensions ${e.extensions.join(", ")}`);
      return parts.join(", ");
    }
    case "reconnecting":
      return `Reconnecting in ${formatCount(e.delayMs)} ms (attempt ${e.attempt} of ${e.of})`;
    case "closing":
      return `Closing (${e.code === null ? "" : "code "}${closeText(e.code, e.reason)}, ${e.direction === "out" ? "sent by us" : "sent by the server"})`;
    case "closed":
      return `Closed: ${closeText(e.code, e.reason)} (${e.initiator === "local" ? "closed by us" : "closed by the server"})`;
    case "error":
      return `Error: ${e.message}`;
    case "message":
      return `${e.direction === "in" ? "Received" : "Sent"} ${isBinary(e) ? "binary" : "text"} message, ${formatBytes(e.size)}`;
    case "ping":
    case "pong":
      return `${e.direction === "in" ? "Received" : "Sent"} ${e.type}, ${formatBytes(e.size)}`;
  }
}

/** The console line for an `open` event when the handshake is known: start line + protocol. */
export function openLine(e: Extract<WsEvent, { type: "open" }>, h: Handshake | null): string {
  if (!h) return consoleLine(e);
  const parts = [`Connected: ${h.response.startLine}`];
  parts.push(h.protocol ? `protocol ${h.protocol}` : "no subprotocol");
  if (h.extensions.length) parts.push(`extensions ${h.extensions.join(", ")}`);
  parts.push(`${numberFmt.format(Math.round(h.timings.totalMs * 10) / 10)} ms`);
  return parts.join(", ");
}

/** Badge text for a tab state. */
export function stateLabel(s: TabState): string {
  switch (s) {
    case "idle":
      return "Not connected";
    case "connecting":
      return "Connecting";
    case "open":
      return "Connected";
    case "closing":
      return "Disconnecting";
    case "reconnecting":
      return "Reconnecting";
    case "closed":
      return "Disconnected";
  }
}

/**
 * The wording of a session's connection events in context (what a line alone cannot tell):
 * a `closed` without an `open` before it is a failed connect, not a close by the server; a
 * `connecting` after `reconnecting` is reconnection K of N; giving up gets its own line.
 * Returns, per event seq, the lines to show (usually one).
 */
export function describeConnection(events: readonly WsEvent[]): Map<number, string[]> {
  const out = new Map<number, string[]>();
  let opened = false;
  let lastReconnect: { attempt: number; of: number } | null = null;
  let pending: { attempt: number; of: number } | null = null;
  // A `closed` followed by `reconnecting` is one failed try; the last `closed` is the end.
  const retried = new Set<number>();
  let next: WsEvent | undefined;
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (!e) continue;
    if (e.type === "closed" && next?.type === "reconnecting") retried.add(e.seq);
    if (e.type !== "error") next = e;
  }
  for (const e of events) {
    switch (e.type) {
      case "reconnecting":
        pending = { attempt: e.attempt, of: e.of };
        lastReconnect = pending;
        out.set(e.seq, [consoleLine(e)]);
        break;
      case "connecting":
        opened = false;
        out.set(e.seq, [
          pending
            ? `Connecting to ${e.url} (reconnection ${formatCount(pending.attempt)} of ${formatCount(pending.of)})`
            : consoleLine(e),
        ]);
        pending = null;
        break;
      case "open":
        opened = true;
        out.set(e.seq, [consoleLine(e)]);
        break;
      case "closed": {
        const r: { attempt: number; of: number } | null = lastReconnect;
        const gaveUp = r
          ? `Gave up after ${formatCount(r.attempt)} reconnection ${r.attempt === 1 ? "attempt" : "attempts"}`
          : "";
        const final = !retried.has(e.seq);
        if (opened) {
          const lines = [consoleLine(e)];
          // Dropped after the last allowed reconnection: no more attempts follow.
          if (final && r && e.initiator === "remote" && r.attempt >= r.of) lines.push(gaveUp);
          out.set(e.seq, lines);
        } else if (e.initiator === "local") {
          out.set(e.seq, ["Cancelled before the connection was made"]);
        } else {
          out.set(e.seq, [(final && gaveUp) || "Could not connect"]);
        }
        opened = false;
        break;
      }
      default:
        out.set(e.seq, [consoleLine(e)]);
    }
  }
  return out;
}

/** The text of the selection bar, or "" when nothing is selected. */
export function selectionText(monoMs: readonly number[]): string {
  if (monoMs.length === 0) return "";
  if (monoMs.length === 1) return "Select one more message to see the time between them";
  if (monoMs.length === 2)
    return `Time between selected messages: ${formatTimeDiff(monoMs[0] ?? 0, monoMs[1] ?? 0)}`;
  return `${formatCount(monoMs.length)} messages selected: select exactly two`;
}

export type JsonToken = [start: number, end: number, kind: "key" | "str" | "num" | "lit"];

/** Keys, strings, numbers and literals of (beautified) JSON text, up to `max` characters. */
export function jsonTokens(text: string, max = 200 * 1024): JsonToken[] {
  const out: JsonToken[] = [];
  const re = /"(?:[^"\\\n]|\\.)*"(\s*:)?|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|\b(?:true|false|null)\b/g;
  const src = text.length > max ? text.slice(0, max) : text;
  let m: RegExpExecArray | null;
  while ((m = re.exec(src))) {
    const s = m.index;
    const c = m[0].charAt(0);
    if (c === '"') {
      const strEnd = m[1] ? s + m[0].length - m[1].length : s + m[0].length;
      out.push([s, strEnd, m[1] ? "key" : "str"]);
    } else if (c === "-" || (c >= "0" && c <= "9")) {
      out.push([s, s + m[0].length, "num"]);
    } else {
      out.push([s, s + m[0].length, "lit"]);
    }
  }
  return out;
}
