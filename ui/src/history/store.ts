// The sidebar's history: recorded sessions newest first, and full-text search over them.

import { signal } from "@preact/signals";
import type { Rpc } from "../rpc";
import type { PruneReport, RetentionInfo } from "../api.gen";
import type { HistoryHit, HistorySession } from "../types";
import { formatBytes } from "../log/format";
import { historyError } from "./convert";

export const PAGE = 50;

/** `wsdeck.history.retention`: the limits (`null`: none) and the history's size. */
export type HistoryRetention = RetentionInfo;

/** `wsdeck.history.setRetention`: the same, plus what applying the limits deleted. */
export type RetentionApplied = RetentionInfo & { pruned: PruneReport };

export class HistoryStore {
  readonly sessions = signal<HistorySession[]>([]);
  readonly status = signal<"loading" | "ready" | "unavailable">("loading");
  readonly error = signal("");
  /** True when older sessions may follow the listed ones. */
  readonly more = signal(false);
  readonly hits = signal<HistoryHit[] | null>(null);
  readonly searchError = signal("");
  readonly searching = signal(false);
  /** The last deletion, said in the panel (e.g. `Deleted session 12 (3 events, 1.2 KiB).`). */
  readonly notice = signal("");
  /** Told of sessions that no longer exist (deleted or pruned), e.g. to close their tabs. */
  onDeleted: (ids: number[]) => void = () => undefined;
  private noticeTimer: ReturnType<typeof setTimeout> | undefined;
  private searchGen = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly rpc: Pick<Rpc, "call">) {}

  /** Lists the newest sessions again. */
  async refresh(): Promise<void> {
    try {
      const list = await this.rpc.call("wsdeck.history.list", { limit: PAGE });
      this.sessions.value = list;
      this.more.value = list.length >= PAGE;
      this.status.value = "ready";
      this.error.value = "";
    } catch (e) {
      const text = historyError(e);
      if (/not available|no history/.test(text)) this.status.value = "unavailable";
      this.error.value = `Could not list the history: ${text}`;
    }
  }

  /** Refreshes soon (several sessions closing at once ask once). */
  refreshSoon(delay = 400): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), delay);
  }

  /** Appends the next older page. */
  async loadOlder(): Promise<void> {
    const list = this.sessions.peek();
    const last = list[list.length - 1];
    if (!last) return;
    try {
      const older = await this.rpc.call("wsdeck.history.list", {
        limit: PAGE,
        beforeId: last.id,
      });
      this.sessions.value = [...list, ...older.filter((s) => s.id < last.id)];
      this.more.value = older.length >= PAGE;
    } catch (e) {
      this.error.value = `Could not list older sessions: ${historyError(e)}`;
    }
  }

  /** Full-text search (FTS5 syntax); an empty query clears the results. */
  async search(query: string): Promise<void> {
    const gen = ++this.searchGen;
    if (query.trim() === "") {
      this.hits.value = null;
      this.searchError.value = "";
      this.searching.value = false;
      return;
    }
    this.searching.value = true;
    try {
      const hits = await this.rpc.call("wsdeck.history.search", {
        query,
        limit: 50,
      });
      if (gen !== this.searchGen) return;
      this.hits.value = hits;
      this.searchError.value = "";
    } catch (e) {
      if (gen !== this.searchGen) return;
      this.hits.value = null;
      this.searchError.value = historyError(e);
    } finally {
      if (gen === this.searchGen) this.searching.value = false;
    }
  }

  /** A session's summary (from the list, else asked for). */
  async session(id: number): Promise<HistorySession> {
    const known = this.sessions.peek().find((s) => s.id === id);
    if (known) return known;
    return this.rpc.call("wsdeck.history.session", { id });
  }

  /**
   * Adds a HAR file's WebSocket entries as recorded sessions; says what it added in
   * `notice`. Rejects with wsdeck's words for a file that is not HAR or has a bad entry.
   */
  async importHar(text: string, fileName: string): Promise<number[]> {
    const r = await this.rpc.call("wsdeck.history.import", { har: text });
    const n = r.sessions.length;
    this.say(
      n === 0
        ? `${fileName} has no WebSocket entries (_webSocketMessages): nothing was imported.`
        : `Imported ${n} ${n === 1 ? "session" : "sessions"} from ${fileName}.`,
    );
    await this.refresh();
    return r.sessions;
  }

  /** The export of one session as text. */
  async exportText(id: number, format: "har" | "jsonl"): Promise<string> {
    const r = await this.rpc.call("wsdeck.history.export", {
      ids: [id],
      format,
    });
    return r.text;
  }

  /** Deletes recorded sessions (all or none), then lists the history again. */
  async deleteSessions(ids: number[]): Promise<PruneReport> {
    const r = await this.rpc.call("wsdeck.history.delete", { ids });
    this.forget(ids);
    const what = ids.length === 1 ? `session ${ids[0]}` : `${ids.length} sessions`;
    this.say(
      `Deleted ${what} (${r.events.toLocaleString("en-US")} ${r.events === 1 ? "event" : "events"}, ${formatBytes(r.bytes)}).`,
    );
    return r;
  }

  /** Shows `text` in the panel for 15 s. */
  private say(text: string): void {
    clearTimeout(this.noticeTimer);
    this.noticeTimer = setTimeout(() => (this.notice.value = ""), 15_000);
    this.notice.value = text;
  }

  /** The retention limits and the history's size. */
  retention(): Promise<HistoryRetention> {
    return this.rpc.call("wsdeck.history.retention", {});
  }

  /** Stores new limits (`null`: none) and applies them now; pruned sessions leave the list. */
  async setRetention(maxAgeDays: number | null, maxMib: number | null): Promise<RetentionApplied> {
    const r = await this.rpc.call("wsdeck.history.setRetention", {
      maxAgeDays,
      maxMib,
    });
    const pruned = r.pruned ?? { sessions: [], events: 0, bytes: 0 };
    this.forget(pruned.sessions);
    return { ...r, pruned };
  }

  /** Drops deleted sessions from what is shown, tells `onDeleted`, and lists again. */
  private forget(ids: number[]): void {
    if (ids.length > 0) {
      const gone = new Set(ids);
      this.sessions.value = this.sessions.peek().filter((s) => !gone.has(s.id));
      const hits = this.hits.peek();
      if (hits) this.hits.value = hits.filter((h) => !gone.has(h.session));
      this.onDeleted(ids);
    }
    void this.refresh();
  }
}
