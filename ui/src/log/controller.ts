// The state behind one messages pane: the page cache, the filter scan, the counters and
// what the user picked (expanded, selected rows), outside Preact so live batches cost
// no render. Views read `tick` (bumped at most once per animation frame) and redraw.

import { signal } from "@preact/signals";
import type { Rpc } from "../rpc";
import { LIVE_MAX_DATA } from "../session";
import type { Detected } from "../api.gen";
import type { EventsPage, SearchResult, WsEvent } from "../types";
import { describeConnection, formatRate, isDataEvent } from "./format";
import { PageCache } from "./pageCache";
import { RateCounter } from "./rate";
import { indexOfSeq, logMethods, type LogSource } from "./source";
import {
  EMPTY_FILTER,
  SearchRunner,
  filterActive,
  searchParams,
  type FilterState,
  type LogSearchParams,
} from "./search";

/** What the user chose in an expanded body, kept while the row scrolls out of view. */
export interface BodyPrefs {
  viewAs: "text" | "html" | "json" | "xml" | null;
  wrap: boolean;
  hex: boolean | null;
  query: string;
}

export type { Detected };

/** Saves an event into the tab's request; answers what to tell the user. */
export type SaveMessage = (event: WsEvent, ctl: LogController) => Promise<string>;

const DETECT_CACHE = 2000;
const LIVE_HEAVY = 50;
const LIVE_REDRAW_MS = 100;

export class LogController {
  readonly cache: PageCache;
  readonly search: SearchRunner;
  /** Bumped (once per frame at most) when rows, counts or the search changed. */
  readonly tick = signal(0);
  readonly rateText = signal(formatRate(0, 0));
  /** A short status for screen readers ("Copied message 12"). */
  readonly announce = signal("");
  /** Row count as last published (filtered or not). */
  count = 0;
  viewStart = 0;
  filter: FilterState = EMPTY_FILTER;
  expanded = new Set<number>();
  selected = new Map<number, number>();
  infoOpen: number | null = null;
  /** Whether the open info was clicked open (it stays) or hovered (it follows the pointer). */
  private infoPinned = false;
  readonly bodyPrefs = new Map<number, BodyPrefs>();
  /** The list follows the newest row; false once the user scrolled up. */
  following = true;
  readonly paused = signal(false);
  private rate = new RateCounter(1000);
  private detected = new Map<string, Promise<Detected>>();
  private sessionKey = "";
  private frame = 0;
  private lastCountAt = 0;
  private countTimer: ReturnType<typeof setTimeout> | null = null;
  private stops: (() => void)[] = [];
  private ingesting = false;
  /** Live events since the last redraw, and when that was. */
  private liveSince = 0;
  private lastTickAt = 0;
  private liveTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    readonly rpc: Rpc,
    readonly session: LogSource,
  ) {
    this.cache = new PageCache((from, limit) => this.fetchEvents(from, limit, LIVE_MAX_DATA));
    this.search = new SearchRunner((p) => this.searchPage(p));
  }

  /** "Save to request" of an opened message, when the tab offers it. */
  saveMessage: SaveMessage | null = null;

  /** A message the list should scroll to and open (set by `reveal`, taken by the list). */
  pendingReveal: number | null = null;

  /** The row index showing `seq` now, or null. */
  indexOf(seq: number): number | null {
    return indexOfSeq(
      seq,
      this.search.active ? this.search.seqs : null,
      this.viewStart,
      this.liveCount(),
    );
  }

  /** A recorded session: nothing arrives, the list opens at the top. */
  get recorded(): boolean {
    return logMethods(this.session).events !== "wsdeck.events";
  }

  /** Scrolls to message `seq` and opens it (a history search hit). */
  revealSeq(seq: number): void {
    this.setFollowing(false);
    if (this.recorded) this.pausedAtCount = Number.MAX_SAFE_INTEGER;
    this.pendingReveal = seq;
    if (!this.expanded.has(seq)) this.expanded.add(seq);
    this.publish();
  }

  /** Starts listening; returns the function that stops. */
  attach(): () => void {
    this.sessionKey = String(this.session.sessionId.peek() ?? "");
    // A recorded session opens at its first message (nothing arrives to follow).
    if (this.recorded) {
      this.setFollowing(false);
      this.pausedAtCount = Number.MAX_SAFE_INTEGER;
    }
    this.stops.push(
      this.session.onEvents((events) => this.onLive(events)),
      this.cache.onChange(() => {
        if (!this.ingesting) this.schedule();
      }),
      this.search.onChange(() => this.schedule()),
      this.session.sessionId.subscribe((id) => {
        if (String(id ?? "") !== this.sessionKey) {
          this.sessionKey = String(id ?? "");
          this.reset();
        }
      }),
    );
    const timer = setInterval(() => {
      const r = this.rate.rate(performance.now());
      const text = formatRate(r.messages, r.bytes);
      if (text !== this.rateText.peek()) this.rateText.value = text;
    }, 500);
    this.stops.push(() => clearInterval(timer));
    const reveal = this.session.reveal;
    if (reveal) {
      this.stops.push(
        reveal.subscribe((r) => {
          if (r) this.revealSeq(r.seq);
        }),
      );
    }
    this.schedule();
    return () => {
      for (const s of this.stops) s();
      this.stops = [];
      if (this.frame) cancelAnimationFrame(this.frame);
      if (this.countTimer) clearTimeout(this.countTimer);
      if (this.liveTimer) clearTimeout(this.liveTimer);
    };
  }

  get sessionId(): string | number | null {
    return this.session.sessionId.peek();
  }

  /** The seq shown at row `index`, or undefined. */
  seqAt(index: number): number | undefined {
    if (this.search.active) return this.search.seqs[index];
    return this.viewStart + index;
  }

  /** Rows the list has now (the unthrottled value). */
  liveCount(): number {
    if (this.search.active) return this.search.seqs.length;
    return Math.max(0, this.session.total.peek() - this.viewStart);
  }

  setFilter(f: FilterState): void {
    this.filter = f;
    this.restartSearch();
  }

  /** "Clear messages": the view starts after what the log holds now. */
  clearView(): void {
    this.viewStart = this.session.total.peek();
    this.expanded.clear();
    this.selected.clear();
    this.infoOpen = null;
    this.restartSearch();
    this.publish();
  }

  toggleExpanded(seq: number): void {
    if (this.expanded.has(seq)) {
      this.expanded.delete(seq);
      this.bodyPrefs.delete(seq);
    } else {
      this.expanded.add(seq);
      // Reading a message: stop following so it does not scroll away (unless it is the last).
      if (this.count > 0 && this.seqAt(this.count - 1) !== seq && this.canScroll()) {
        this.setFollowing(false);
      }
    }
    this.publish();
  }

  /** Set by the list: whether it has more rows than fit (else there is nothing to follow). */
  canScroll: () => boolean = () => false;

  /** Row count when following stopped (the "N new" of Jump to latest). */
  pausedAtCount = 0;
  /** When following stopped (scroll events of our own last auto-scroll come after it). */
  pausedAt = 0;

  setFollowing(v: boolean): void {
    if (!v && this.following) {
      this.pausedAtCount = this.count;
      this.pausedAt = performance.now();
    }
    this.following = v;
    if (this.paused.peek() === v) this.paused.value = !v;
  }

  toggleSelected(seq: number, monoMs: number): void {
    if (this.selected.has(seq)) this.selected.delete(seq);
    else this.selected.set(seq, monoMs);
    this.publish();
  }

  /** The user works with a row control (tick, info, copy): stop the list moving under them. */
  holdStill(): void {
    if (this.following && this.canScroll()) this.setFollowing(false);
  }

  private connDescribed: { events: readonly WsEvent[]; lines: Map<number, string[]> } | null = null;

  /** A connection event's wording in the context of its session (rows of the log). */
  connectionText(e: WsEvent): string {
    const events = this.session.connectionEvents.peek();
    if (this.connDescribed?.events !== events) {
      this.connDescribed = { events, lines: describeConnection(events) };
    }
    const lines = this.connDescribed.lines.get(e.seq);
    return lines ? lines.join(" · ") : "";
  }

  deselectAll(): void {
    this.selected.clear();
    this.publish();
  }

  toggleInfo(seq: number): void {
    // A click on an info shown by hovering keeps it open; a second click closes it.
    const pin = this.infoOpen !== seq || !this.infoPinned;
    this.infoOpen = pin ? seq : null;
    this.infoPinned = pin;
    this.publish();
  }

  /** Closes the info (Escape, its Close button), however it was opened. */
  closeInfo(): void {
    if (this.infoOpen === null) return;
    this.infoOpen = null;
    this.publish();
  }

  /** Shows a message's info while the pointer rests on its icon (as the seed describes). */
  hoverInfo(seq: number): void {
    if (this.infoOpen === seq) return;
    if (this.infoOpen !== null && this.infoPinned) return;
    this.infoOpen = seq;
    this.infoPinned = false;
    this.publish();
  }

  /** The pointer left the row: an info shown by hovering goes away (a clicked one stays). */
  leaveInfo(seq: number): void {
    if (this.infoOpen !== seq || this.infoPinned) return;
    this.infoOpen = null;
    this.publish();
  }

  /** The whole event (fetched when the cached one was cut). */
  async full(e: WsEvent): Promise<WsEvent> {
    if (!isDataEvent(e) || !e.truncated) return e;
    const id = this.sessionId;
    if (id === null || id === "") return e;
    const page = await this.fetchEvents(e.seq, 1, null);
    const whole = page.events.find((x) => x.seq === e.seq);
    return whole ?? e;
  }

  /** MIME type and format of an event's body (cached per event). */
  detect(e: WsEvent): Promise<Detected> {
    if (!isDataEvent(e)) return Promise.resolve({ format: "text", mime: "—", size: 0 });
    const key = `${this.sessionKey}:${e.seq}`;
    let p = this.detected.get(key);
    if (!p) {
      const params = e.format === "binary" ? { base64: e.data } : { text: e.data };
      p = this.rpc
        .call("wsdeck.format.detect", params)
        .then((d) => ({ ...d, size: e.size }))
        .catch(() => ({
          format: e.format === "binary" ? ("binary" as const) : ("text" as const),
          mime: e.format === "binary" ? "application/octet-stream" : "text/plain",
          size: e.size,
        }));
      this.detected.set(key, p);
      if (this.detected.size > DETECT_CACHE) {
        const first = this.detected.keys().next().value;
        if (first !== undefined) this.detected.delete(first);
      }
    }
    return p;
  }

  private async fetchEvents(
    from: number,
    limit: number,
    maxData: number | null,
  ): Promise<EventsPage> {
    const id = this.sessionId;
    if (id === null || id === "") throw new Error("No session");
    const paging = { from, limit, ...(maxData !== null ? { maxData } : {}) };
    const m = logMethods(this.session);
    return m.events === "wsdeck.events"
      ? this.rpc.call(m.events, { id: String(id), ...paging })
      : this.rpc.call(m.events, { id: Number(id), ...paging });
  }

  /** One page of the search: a live session's ids are strings, a recorded one's numbers. */
  private searchPage(p: LogSearchParams): Promise<SearchResult> {
    const m = logMethods(this.session);
    return m.filter === "wsdeck.search"
      ? this.rpc.call(m.filter, { ...p, id: String(p.id) })
      : this.rpc.call(m.filter, { ...p, id: Number(p.id) });
  }

  private onLive(events: WsEvent[]): void {
    this.ingesting = true;
    try {
      this.cache.ingest(events);
    } finally {
      this.ingesting = false;
    }
    this.liveSince += events.length;
    this.scheduleLive();
    let messages = 0;
    let bytes = 0;
    for (const e of events) {
      if (isDataEvent(e)) {
        messages += 1;
        bytes += e.size;
      }
    }
    this.rate.add(messages, bytes, performance.now());
    if (this.search.active) this.search.more();
  }

  private reset(): void {
    this.viewStart = 0;
    this.expanded.clear();
    this.bodyPrefs.clear();
    this.selected.clear();
    this.infoOpen = null;
    this.setFollowing(true);
    this.detected.clear();
    this.rate.reset();
    this.rateText.value = formatRate(0, 0);
    this.cache.clear();
    this.restartSearch();
    this.publish();
  }

  private restartSearch(): void {
    const id = this.sessionId;
    const p =
      id !== null && id !== "" && filterActive(this.filter)
        ? searchParams(this.filter, id, this.viewStart)
        : null;
    if (!p && filterActive(this.filter)) {
      // Filtered but no session yet: an empty, active result.
      this.search.start(null);
      this.searchWithoutSession = true;
    } else {
      this.searchWithoutSession = false;
      this.search.start(p);
    }
    this.schedule();
  }

  /** True when a filter is set but there is no session to search. */
  searchWithoutSession = false;

  /** Redraw on the next frame; the row count follows at most every `count/4000` ms. */
  schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.flush();
    });
  }

  /**
   * Live traffic redraws at most every LIVE_REDRAW_MS once it is heavy (more than a screen of
   * rows between frames): nobody reads 20k rows a second, and the page stays responsive.
   */
  private scheduleLive(): void {
    if (this.frame || this.liveTimer) return;
    const gap = this.liveSince > LIVE_HEAVY ? LIVE_REDRAW_MS : 0;
    const wait = this.lastTickAt + gap - performance.now();
    if (wait <= 0) this.schedule();
    else {
      this.liveTimer = setTimeout(() => {
        this.liveTimer = null;
        this.schedule();
      }, wait);
    }
  }

  private flush(): void {
    this.lastTickAt = performance.now();
    this.liveSince = 0;
    const next = this.searchWithoutSession ? 0 : this.liveCount();
    const now = performance.now();
    // The virtualiser re-lays out every row when the count changes: above ~100k rows,
    // publish the count a few times per second rather than every frame.
    const minGap = Math.max(0, next / 4000);
    if (next !== this.count && now - this.lastCountAt < minGap && next > this.count) {
      if (!this.countTimer) {
        this.countTimer = setTimeout(
          () => {
            this.countTimer = null;
            this.schedule();
          },
          minGap - (now - this.lastCountAt),
        );
      }
    } else if (next !== this.count) {
      this.count = next;
      this.lastCountAt = now;
    }
    this.tick.value += 1;
  }

  /** Redraw now (user actions). */
  publish(): void {
    this.count = this.searchWithoutSession ? 0 : this.liveCount();
    this.lastCountAt = performance.now();
    this.tick.value += 1;
  }
}
