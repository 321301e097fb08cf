// What the messages pane and the console read: a live session (TabSession) or a recorded
// one (history/RecordedSession). Only the ids and the methods that page and filter differ.

import type { ReadonlySignal } from "@preact/signals";
import type { EventsListener, TabState } from "../session";
import type { Handshake, WsEvent } from "../types";

export interface LogMethods {
  /** Pages of events: `wsdeck.events` (live) or `wsdeck.history.events` (recorded). */
  events: "wsdeck.events" | "wsdeck.history.events";
  /** The search and type filter: `wsdeck.search` or `wsdeck.history.filter`. */
  filter: "wsdeck.search" | "wsdeck.history.filter";
}

export const LIVE_METHODS: LogMethods = { events: "wsdeck.events", filter: "wsdeck.search" };
export const HISTORY_METHODS: LogMethods = {
  events: "wsdeck.history.events",
  filter: "wsdeck.history.filter",
};

/** Where the log's rows come from. TabSession implements it as it is. */
export interface LogSource {
  /** The live session's id (a string), a recorded session's id (a number), or null. */
  readonly sessionId: ReadonlySignal<string | number | null>;
  /** One past the highest sequence number (the log's length). */
  readonly total: ReadonlySignal<number>;
  readonly connectionEvents: ReadonlySignal<WsEvent[]>;
  readonly handshake: ReadonlySignal<Handshake | null>;
  readonly state: ReadonlySignal<TabState>;
  /** The last error worded for people ("" when none). */
  readonly error: ReadonlySignal<string>;
  onEvents(listener: EventsListener): () => void;
  /** Which methods page and filter (absent: the live ones). */
  readonly methods?: LogMethods;
  /** Set to show one message: the log scrolls to it and opens it (recorded sessions). */
  readonly reveal?: ReadonlySignal<{ seq: number } | null>;
}

/** The methods a source is read with. */
export function logMethods(source: LogSource): LogMethods {
  return source.methods ?? LIVE_METHODS;
}

/** The row index that shows `seq`, or null when it is not in the list. */
export function indexOfSeq(
  seq: number,
  filtered: readonly number[] | null,
  viewStart: number,
  count: number,
): number | null {
  if (filtered) {
    let lo = 0;
    let hi = filtered.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const v = filtered[mid] ?? 0;
      if (v === seq) return mid;
      if (v < seq) lo = mid + 1;
      else hi = mid - 1;
    }
    return null;
  }
  const i = seq - viewStart;
  return i >= 0 && i < count ? i : null;
}
