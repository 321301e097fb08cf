// The filter of the messages pane (text, case, regex, type) as `wsdeck.search` params,
// and the incremental scan that keeps the list of matching seqs up to date.

import { errorReason } from "../errors";
import type { SearchParams, SearchResult } from "../types";

/** `wsdeck.search` params whose `id` is a live session's (string) or a recorded one's (number). */
export type LogSearchParams = Omit<SearchParams, "id"> & { id: string | number };

export type MessageType = "all" | "in" | "out" | "control";

export interface FilterState {
  text: string;
  caseSensitive: boolean;
  regex: boolean;
  type: MessageType;
}

export const EMPTY_FILTER: FilterState = {
  text: "",
  caseSensitive: false,
  regex: false,
  type: "all",
};

/** True when the list shows only matching rows (search text or a type other than all). */
export function filterActive(f: FilterState): boolean {
  return f.text !== "" || f.type !== "all";
}

const KINDS: Record<MessageType, SearchParams["kinds"]> = {
  all: ["in", "out", "control", "connection"],
  in: ["in"],
  out: ["out"],
  control: ["control"],
};

/** The `wsdeck.search` params of a filter, or null when nothing is filtered. */
export function searchParams(
  f: FilterState,
  id: string | number,
  from: number,
  limit = 10000,
): LogSearchParams | null {
  if (!filterActive(f)) return null;
  const p: LogSearchParams = { id, from, limit, kinds: KINDS[f.type] };
  if (f.text !== "") {
    p.text = f.text;
    p.caseSensitive = f.caseSensitive;
    p.regex = f.regex;
  }
  return p;
}

export type SearchCall = (params: LogSearchParams) => Promise<SearchResult>;

/**
 * Runs a search to the end of the log, then continues from where it stopped whenever
 * `more()` says new events arrived. One call at a time; a new `start` abandons the old scan.
 */
export class SearchRunner {
  /** Matching seqs, ascending. */
  seqs: number[] = [];
  error = "";
  scanning = false;
  /** True once the first scan reached the end of the log (later scans only add new events). */
  caughtUp = false;
  version = 0;
  private params: LogSearchParams | null = null;
  private nextSeq = 0;
  private generation = 0;
  private pending = false;
  private listeners = new Set<() => void>();

  constructor(private call: SearchCall) {}

  onChange(cb: () => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  get active(): boolean {
    return this.params !== null;
  }

  /** Starts a new scan (null params: no filter, clears the results). */
  start(params: LogSearchParams | null): void {
    this.generation += 1;
    this.params = params;
    this.seqs = [];
    this.error = "";
    this.pending = false;
    this.scanning = false;
    this.caughtUp = false;
    this.nextSeq = params?.from ?? 0;
    if (params) void this.run(this.generation);
    this.changed();
  }

  /** New events arrived: scan them (after the current call, if one is running). */
  more(): void {
    if (!this.params || this.error) return;
    if (this.scanning) this.pending = true;
    else void this.run(this.generation);
  }

  private async run(gen: number): Promise<void> {
    const base = this.params;
    if (!base) return;
    this.scanning = true;
    this.changed();
    try {
      for (;;) {
        const res = await this.call({ ...base, from: this.nextSeq });
        if (gen !== this.generation) return;
        if (res.seqs.length > 0) {
          for (const s of res.seqs) {
            const last = this.seqs[this.seqs.length - 1];
            if (last === undefined || s > last) this.seqs.push(s);
          }
        }
        this.nextSeq = Math.max(this.nextSeq, res.nextSeq);
        if (res.atEnd) this.caughtUp = true;
        this.changed();
        if (res.atEnd && !this.pending) break;
        if (res.atEnd) this.pending = false;
      }
    } catch (e) {
      if (gen !== this.generation) return;
      this.error = errorReason(e);
    }
    if (gen !== this.generation) return;
    this.scanning = false;
    this.changed();
  }

  private changed(): void {
    this.version += 1;
    for (const l of this.listeners) l();
  }
}

/** Where `needle` occurs in `hay` (case-insensitive), as [start, end) ranges, at most `max`. */
export function findAll(hay: string, needle: string, max = 5000): [number, number][] {
  const out: [number, number][] = [];
  if (!needle) return out;
  const h = hay.toLowerCase();
  const n = needle.toLowerCase();
  let i = h.indexOf(n);
  while (i !== -1 && out.length < max) {
    out.push([i, i + n.length]);
    i = h.indexOf(n, i + n.length);
  }
  return out;
}
