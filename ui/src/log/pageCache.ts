// A bounded, LRU cache of event pages for the virtualised message log.
//
// The log can hold a million events; the page keeps only `maxPages` pages of `pageSize`
// events (by default 100 × 100), keyed by the page's first seq. Rows that scroll into view
// ask `ensure(seq)`, which fetches the page once (concurrent asks share the request); the
// live stream fills the tail pages through `ingest`. Visible pages can be pinned so a fast
// live stream cannot evict what is on screen.

import type { EventsPage, WsEvent } from "../types";

export type FetchPage = (from: number, limit: number) => Promise<EventsPage>;

interface Page {
  /** Events by `seq - start`; `undefined` = not here (yet). */
  events: (WsEvent | undefined)[];
  /** Seqs of this page below this value were answered by the server: holes are gone. */
  known: number;
}

/** What a row gets: the event, "loading", "gone" (dropped by retention) or "error". */
export type Slot = WsEvent | "loading" | "gone" | "error";

export class PageCache {
  readonly pageSize: number;
  readonly maxPages: number;
  private pages = new Map<number, Page>();
  private inflight = new Map<number, Promise<void>>();
  private failed = new Map<number, number>();
  private pinned = new Set<number>();
  private generation = 0;
  private listeners = new Set<() => void>();
  /** Bumped on every change: views compare it to know when to redraw. */
  version = 0;

  constructor(
    private fetchPage: FetchPage,
    opts: { pageSize?: number; maxPages?: number } = {},
  ) {
    this.pageSize = opts.pageSize ?? 100;
    this.maxPages = opts.maxPages ?? 100;
  }

  pageStart(seq: number): number {
    return seq - (seq % this.pageSize);
  }

  /** Number of pages held (for tests and diagnostics). */
  get size(): number {
    return this.pages.size;
  }

  has(start: number): boolean {
    return this.pages.has(start);
  }

  onChange(cb: () => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  /** The event at `seq` if cached (touches its page for the LRU). Does not fetch. */
  peek(seq: number): Slot {
    const start = this.pageStart(seq);
    const page = this.pages.get(start);
    if (page) {
      this.touch(start, page);
      const e = page.events[seq - start];
      if (e) return e;
      if (seq < page.known) return "gone";
    }
    if (this.failed.has(start)) return "error";
    return "loading";
  }

  /** The event at `seq`, fetching its page if it is missing. */
  get(seq: number): Slot {
    const slot = this.peek(seq);
    if (slot === "loading") void this.ensure(seq);
    return slot;
  }

  /** Fetches the page holding `seq` unless it is cached or already being fetched. */
  ensure(seq: number): Promise<void> {
    const start = this.pageStart(seq);
    const page = this.pages.get(start);
    if (page && (page.events[seq - start] || seq < page.known)) return Promise.resolve();
    const running = this.inflight.get(start);
    if (running) return running;
    const failedAt = this.failed.get(start);
    if (failedAt !== undefined && Date.now() - failedAt < 2000) return Promise.resolve();
    const gen = this.generation;
    const p = this.fetchPage(start, this.pageSize)
      .then((res) => {
        if (gen !== this.generation) return;
        this.failed.delete(start);
        const pg = this.pageFor(start);
        for (const e of res.events) {
          if (e.seq >= start && e.seq < start + this.pageSize) {
            // Keep a whole live event rather than a cut fetched one (both are cut alike).
            pg.events[e.seq - start] ??= e;
          }
        }
        pg.known = Math.max(pg.known, Math.min(res.nextSeq, start + this.pageSize));
        this.evict();
        this.changed();
      })
      .catch(() => {
        if (gen !== this.generation) return;
        this.failed.set(start, Date.now());
        this.changed();
      })
      .finally(() => {
        if (this.inflight.get(start) === p) this.inflight.delete(start);
      });
    this.inflight.set(start, p);
    return p;
  }

  /** Adds live events (ascending seqs) to their pages. */
  ingest(events: WsEvent[]): void {
    if (events.length === 0) return;
    let start = -1;
    let pg: Page | undefined;
    for (const e of events) {
      const s = this.pageStart(e.seq);
      // Consecutive events share a page: look it up (and touch the LRU) once per page.
      if (s !== start || !pg) {
        start = s;
        pg = this.pageFor(s);
      }
      pg.events[e.seq - s] = e;
    }
    this.evict();
    this.changed();
  }

  /** Replaces one cached event (e.g. with its whole, uncut version). */
  replace(e: WsEvent): void {
    const start = this.pageStart(e.seq);
    const pg = this.pages.get(start);
    if (pg && pg.events[e.seq - start]) {
      pg.events[e.seq - start] = e;
      this.changed();
    }
  }

  /** Pages holding these seqs are never evicted (until the next call). */
  pin(seqs: Iterable<number>): void {
    this.pinned.clear();
    for (const s of seqs) this.pinned.add(this.pageStart(s));
  }

  /** Forgets everything (a new session); answers of older fetches are dropped. */
  clear(): void {
    this.generation += 1;
    this.pages.clear();
    this.inflight.clear();
    this.failed.clear();
    this.pinned.clear();
    this.changed();
  }

  private pageFor(start: number): Page {
    let pg = this.pages.get(start);
    if (!pg) {
      pg = { events: [], known: start };
      this.pages.set(start, pg);
    } else {
      this.touch(start, pg);
    }
    return pg;
  }

  private touch(start: number, page: Page): void {
    // Map keeps insertion order: re-inserting moves the page to the "recent" end.
    this.pages.delete(start);
    this.pages.set(start, page);
  }

  private evict(): void {
    if (this.pages.size <= this.maxPages) return;
    for (const start of this.pages.keys()) {
      if (this.pages.size <= this.maxPages) break;
      if (this.pinned.has(start)) continue;
      this.pages.delete(start);
    }
  }

  private changed(): void {
    this.version += 1;
    for (const l of this.listeners) l();
  }
}
