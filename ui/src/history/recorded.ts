// A recorded session as the messages pane and the console read it (the LogSource of a
// history tab): read-only, closed, every event already in the history database.

import { signal } from "@preact/signals";
import type { ParamsOf, ResultOf, Rpc } from "../rpc";
import { errorReason } from "../errors";
import type { EventsListener, TabState } from "../session";
import { formatCount } from "../log/format";
import { HISTORY_METHODS, type LogSource } from "../log/source";
import type { Handshake, HistorySession, WsEvent } from "../types";

/** Most connection events loaded for the console and the row wording. */
export const MAX_CONNECTION_EVENTS = 5000;

/** The history methods a recorded session reads with (tests pass a fake). */
export type HistoryMethod =
  "wsdeck.history.filter" | "wsdeck.history.events" | "wsdeck.history.session";
export type Call = <M extends HistoryMethod>(
  method: M,
  params: ParamsOf<M>,
) => Promise<ResultOf<M>>;

/** Runs of consecutive numbers: [3,4,5,9] → [[3,3],[9,1]] as [from, count]. */
export function runs(seqs: readonly number[]): [number, number][] {
  const out: [number, number][] = [];
  for (const s of seqs) {
    const last = out[out.length - 1];
    if (last && last[0] + last[1] === s) last[1] += 1;
    else out.push([s, 1]);
  }
  return out;
}

/**
 * The connection events of recorded session `id`: the filter finds their seqs (page by
 * page to the end), then each run of them is fetched without payloads.
 */
export async function loadConnectionEvents(
  call: Call,
  id: number,
  max = MAX_CONNECTION_EVENTS,
): Promise<WsEvent[]> {
  const seqs: number[] = [];
  let from = 0;
  for (let pages = 0; pages < 1000; pages++) {
    const r = await call("wsdeck.history.filter", {
      id,
      from,
      limit: 10000,
      kinds: ["connection"],
    });
    seqs.push(...r.seqs);
    if (r.atEnd || seqs.length >= max || r.nextSeq <= from) break;
    from = r.nextSeq;
  }
  const events: WsEvent[] = [];
  for (const [start, count] of runs(seqs.slice(0, max))) {
    let at = start;
    const end = start + count;
    while (at < end) {
      const page = await call("wsdeck.history.events", {
        id,
        from: at,
        limit: Math.min(10000, end - at),
        maxData: 0,
      });
      for (const e of page.events) if (e.seq >= at && e.seq < end) events.push(e);
      if (page.events.length === 0 || page.nextSeq <= at) break;
      at = page.nextSeq;
    }
  }
  return events;
}

/** Header pairs `[name, value]` from recorded JSON (anything else in the list is skipped). */
export function headerPairs(list: unknown): [string, string][] {
  if (!Array.isArray(list)) return [];
  return (list as unknown[])
    .filter((h): h is unknown[] => Array.isArray(h))
    .map((h) => [String(h[0] ?? ""), String(h[1] ?? "")]);
}

/** A recorded handshake in the live shape (its heads' headers as pairs). */
export function normalizeHandshake(h: Handshake | null | undefined): Handshake | null {
  if (!h || typeof h !== "object") return null;
  const head = (x: Handshake["request"] | undefined) => ({
    startLine: x?.startLine ?? "",
    headers: headerPairs(x?.headers),
  });
  return { ...h, request: head(h.request), response: head(h.response) };
}

/** A recorded session with its handshake and request headers in the shapes the UI reads. */
export function normalizeSession(s: HistorySession): HistorySession {
  const request = s.request
    ? {
        ...s.request,
        headers: headerPairs(s.request.headers),
        params: s.request.params ? headerPairs(s.request.params) : undefined,
      }
    : null;
  return { ...s, handshake: normalizeHandshake(s.handshake), request };
}

/** The log's length: the recorded count, or more if an event says so. */
export function recordedTotal(eventCount: number, events: readonly WsEvent[]): number {
  let total = Math.max(0, eventCount);
  for (const e of events) total = Math.max(total, e.seq + 1);
  return total;
}

export class RecordedSession implements LogSource {
  readonly sessionId = signal<number | null>(null);
  readonly total = signal(0);
  readonly connectionEvents = signal<WsEvent[]>([]);
  readonly handshake = signal<Handshake | null>(null);
  readonly state = signal<TabState>("closed");
  readonly error = signal("");
  /** Said when the console shows only the first connection events ("" otherwise). */
  readonly notice = signal("");
  readonly methods = HISTORY_METHODS;
  readonly reveal = signal<{ seq: number } | null>(null);
  /** The session's record (refreshed by `load`). */
  readonly info = signal<HistorySession>();
  readonly loading = signal(true);

  constructor(
    private readonly rpc: Pick<Rpc, "call">,
    summary: HistorySession,
  ) {
    summary = normalizeSession(summary);
    this.info.value = summary;
    this.handshake.value = summary.handshake;
    this.total.value = recordedTotal(summary.eventCount, []);
    this.sessionId.value = summary.id;
  }

  get id(): number {
    return this.info.peek()?.id ?? 0;
  }

  /** Nothing arrives in a recorded session. */
  onEvents(listener: EventsListener): () => void {
    void listener;
    return () => undefined;
  }

  /** Reads the record again and the connection events (console, badge, row wording). */
  async load(): Promise<void> {
    const call: Call = (method, params) => this.rpc.call(method, params);
    this.loading.value = true;
    try {
      const s = normalizeSession(await call("wsdeck.history.session", { id: this.id }));
      this.info.value = s;
      this.handshake.value = s.handshake;
      const events = await loadConnectionEvents(call, s.id);
      this.connectionEvents.value = events;
      this.notice.value =
        events.length >= MAX_CONNECTION_EVENTS
          ? `The console shows this session's first ${formatCount(MAX_CONNECTION_EVENTS)} connection events; the message log below has every event.`
          : "";
      this.total.value = recordedTotal(s.eventCount, events);
      this.error.value = "";
    } catch (e) {
      this.error.value = `Could not read recorded session ${this.id}: ${errorReason(e)}`;
    } finally {
      this.loading.value = false;
    }
  }

  /** Scrolls the log to message `seq` and opens it. */
  show(seq: number): void {
    this.reveal.value = { seq };
  }

  dispose(): void {
    // Nothing to release: the record stays in the history database.
  }
}
