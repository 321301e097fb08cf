// The workbench: header (name, link status, environment), request tabs, and per tab the
// request pane, the messages pane and the console.

import { effect, signal } from "@preact/signals";
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";
import { EnvironmentBar } from "../env/Environments";
import { EnvStore } from "../env/store";
import { fieldsFromRecorded, historyError } from "../history/convert";
import { HistoryView } from "../history/HistoryView";
import { HistoryStore } from "../history/store";
import { HistoryTab, isHistoryTab } from "../history/tab";
import { ConsolePanel, MessagesPane } from "../log";
import type { LogController } from "../log/controller";
import { isDataEvent } from "../log/format";
import { RequestTab } from "../request/model";
import { RequestPane } from "../request/RequestPane";
import { handleTabKey } from "../widgets/tablist";
import type { Rpc } from "../rpc";
import type {
  SavedMessage,
  SavedMessageFormat,
  Variable,
  WorkspaceLoad,
  WsEvent,
  WsRequest,
} from "../types";
import { WorkspaceDialogs } from "../sidebar/Dialogs";
import { Sidebar, type SidebarActions } from "../sidebar/Sidebar";
import { WorkspaceStore } from "../sidebar/store";
import { guessFormat, parseFragment } from "./fragment";
import { HistoryBanner } from "../history/HistoryBanner";
import { HistoryProblemStore } from "../history/problem";
import { PaneBoundary } from "./PaneBoundary";
import { LinkBanner } from "./LinkBanner";
import { ShortcutsDialog, shortcutFor } from "./Shortcuts";
import { DRAFTS_KEY, deserializeWorkspace, serializeWorkspace } from "./persist";

function sessionStore(): Storage | null {
  try {
    return typeof sessionStorage === "undefined" ? null : sessionStorage;
  } catch {
    return null;
  }
}

/** A tab: a request (editable, live) or a recorded session (read-only). */
export type Tab = RequestTab | HistoryTab;

class Workbench {
  readonly tabs = signal<Tab[]>([]);
  readonly history: HistoryStore;
  /** What wsdeck says is wrong with the history (damaged file, failed write). */
  readonly historyProblems: HistoryProblemStore;
  readonly activeId = signal<number>(0);
  readonly env = new EnvStore(undefined, true);
  readonly workspace: WorkspaceStore;
  readonly sidebarHidden = signal(readSidebarHidden());

  constructor(private readonly rpc: Rpc) {
    this.workspace = new WorkspaceStore(rpc);
    this.history = new HistoryStore(rpc);
    this.historyProblems = new HistoryProblemStore(rpc);
    // A deleted (or pruned) recorded session's tab closes.
    this.history.onDeleted = (ids) => this.closeRecorded(ids);
    this.workspace.onLoad = (w) => this.afterLoad(w);
    this.workspace.onUnavailable = () => this.env.useLocal();
    this.env.onWrite = () => this.workspace.quietReload();
    const store = sessionStore();
    const saved = deserializeWorkspace(store?.getItem(DRAFTS_KEY) ?? null);
    if (saved) {
      for (const d of saved.drafts) this.newTab().restore(d);
      this.activeId.value = this.tabs.peek()[saved.active]?.id ?? this.activeId.peek();
    } else {
      this.newTab();
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    let pending: string | null = null;
    const write = () => {
      if (pending === null) return;
      try {
        store?.setItem(DRAFTS_KEY, pending);
      } catch {
        // Storage full or blocked: the requests still work, they just won't survive a reload.
      }
      pending = null;
    };
    effect(() => {
      // Recorded sessions are not drafts: they are not restored after a reload.
      const requests = this.tabs.value.filter((t): t is RequestTab => !isHistoryTab(t));
      const text = serializeWorkspace({
        drafts: requests.map((t) => t.toDraft()),
        active: Math.max(
          0,
          requests.findIndex((t) => t.id === this.activeId.value),
        ),
      });
      clearTimeout(timer);
      pending = text;
      timer = setTimeout(write, 300);
    });
    // The history lists a session once it is over: refresh when a tab's session closes.
    const states = new Map<number, string>();
    effect(() => {
      let closed = false;
      for (const t of this.requestTabs(true)) {
        const state = t.session.state.value;
        const key = `${t.session.sessionId.value ?? ""}:${state}`;
        if (states.get(t.id) !== key && state === "closed") closed = true;
        states.set(t.id, key);
      }
      if (closed) this.history.refreshSoon();
    });
    // A reload right after an edit still finds it.
    addEventListener("pagehide", () => {
      clearTimeout(timer);
      write();
    });
  }

  /** The request tabs (not the recorded sessions); `track` reads the signal. */
  requestTabs(track = false): RequestTab[] {
    const tabs = track ? this.tabs.value : this.tabs.peek();
    return tabs.filter((t): t is RequestTab => !isHistoryTab(t));
  }

  /** Opens recorded session `id` read-only (or shows its tab), at message `seq` if given. */
  async openHistory(id: number, seq?: number): Promise<void> {
    const open = this.tabs.peek().find((t) => isHistoryTab(t) && t.recordId === id);
    if (open && isHistoryTab(open)) {
      this.activeId.value = open.id;
      if (seq !== undefined) open.session.show(seq);
      return;
    }
    try {
      const summary = await this.history.session(id);
      const tab = new HistoryTab(this.rpc, summary);
      this.tabs.value = [...this.tabs.peek(), tab];
      this.activeId.value = tab.id;
      if (seq !== undefined) tab.session.show(seq);
    } catch (e) {
      this.history.error.value = `Could not open session ${id}: ${historyError(e)}`;
    }
  }

  /** Closes the tabs of recorded sessions that no longer exist; focus goes to the active tab. */
  closeRecorded(ids: number[]): void {
    const gone = new Set(ids);
    const tabs = this.tabs.peek().filter((t) => isHistoryTab(t) && gone.has(t.recordId));
    if (tabs.length === 0) return;
    const at = document.activeElement;
    const hadFocus =
      !at ||
      at === document.body ||
      tabs.some((t) => document.getElementById(`tabpanel-${t.id}`)?.contains(at));
    for (const t of tabs) this.closeTab(t.id);
    if (hadFocus) {
      const id = this.activeId.peek();
      setTimeout(() => document.getElementById(`tab-${id}`)?.focus(), 0);
    }
  }

  /** A new request tab filled in from a recorded session's request. */
  openAsRequest(h: HistoryTab): void {
    const info = h.session.info.peek();
    if (!info) return;
    const f = fieldsFromRecorded(info.request, info.url);
    const tab = new RequestTab(this.rpc);
    tab.setUrl(f.url);
    if (f.params.length > 0) tab.setParams([...tab.params.peek(), ...f.params]);
    tab.headers.value = f.headers;
    tab.protocols.value = f.protocols;
    tab.settings.value = f.settings;
    const masked = [f.url, ...f.params.map((p) => p.value), ...f.headers.map((h) => h.value)].some(
      (v) => v.includes("****"),
    );
    if (masked)
      tab.localError.value =
        "The recorded session's secret values were saved as ****: put your {{variable}} back where **** is before connecting.";
    this.tabs.value = [...this.tabs.peek(), tab];
    this.activeId.value = tab.id;
    setTimeout(() => document.getElementById(`tab-${tab.id}`)?.focus(), 0);
  }

  /** "Save to request": adds a logged message to the tab's saved request. */
  async saveEvent(tab: RequestTab, e: WsEvent, ctl: LogController): Promise<string> {
    const saved = tab.saved.peek();
    if (!saved) return "Save the request first (Ctrl+S).";
    if (!isDataEvent(e)) return "";
    const whole = await ctl.full(e);
    if (!isDataEvent(whole)) return "";
    if (whole.truncated) {
      return "Could not read the whole message (wsdeck no longer keeps it), so it was not saved.";
    }
    let format: SavedMessageFormat = "text";
    if (whole.format === "binary") format = "binary-base64";
    else {
      try {
        const d = await this.rpc.call<{ format: string }>("wsdeck.format.detect", {
          text: whole.data,
        });
        if (d.format === "json" || d.format === "xml" || d.format === "html") format = d.format;
      } catch {
        // Saved as text: still the same body.
      }
    }
    const name = await this.workspace.askName(
      `Save message ${e.seq} to ${saved.name}`,
      "Message name",
      `Message ${tab.savedMessages.peek().length + 1}`,
    );
    if (!name) return "";
    const message: SavedMessage = { name, format, body: whole.data };
    const ok = await this.workspace.message(tab, "add", { message }, [
      ...tab.savedMessages.peek(),
      message,
    ]);
    return ok
      ? `Saved as "${name}" in ${tab.saved.peek()?.name ?? saved.name}.`
      : `Could not save the message: ${this.workspace.error.peek() || "wsdeck refused it."}`;
  }

  /** Opens a saved request in a tab (or shows the tab that already has it). */
  openRequest(id: string): void {
    const open = this.requestTabs().find((t) => t.saved.peek()?.id === id);
    if (open) {
      this.activeId.value = open.id;
      return;
    }
    const r = this.workspace.requests.peek().find((x) => x.id === id);
    if (!r) return;
    const active = this.activeTab;
    // An empty, unsaved tab is reused rather than left behind.
    const tab =
      active && active.isBlank() && !active.saved.peek() && active.session.state.peek() === "idle"
        ? active
        : this.newTab();
    tab.loadSaved(r);
    this.activeId.value = tab.id;
  }

  /** A new, unsaved request whose Save dialog suggests `collection`. */
  newRequestIn(collection: string[]): void {
    const tab = this.newTab();
    tab.focusUrl = true;
    tab.suggestedCollection = collection;
  }

  /** After every load: the environments follow, and unchanged tabs show the file's version. */
  private afterLoad(w: WorkspaceLoad): void {
    this.env.useWorkspace(this.rpc, w.environments ?? []);
    const byId = new Map<string, WsRequest>((w.requests ?? []).map((r) => [r.id ?? "", r]));
    for (const tab of this.requestTabs()) {
      const saved = tab.saved.peek();
      if (!saved) continue;
      const r = byId.get(saved.id);
      if (!r) continue; // Gone from disk: the tab keeps it (saving creates it again).
      if (r.revision === saved.revision) continue;
      if (tab.unsaved.peek()) continue; // Unsaved edits are never replaced silently.
      if (tab.locked.peek()) tab.markSaved(r);
      else tab.loadSaved(r);
    }
  }

  /** Tabs of renamed (or moved) requests follow the new id and name; their edits stay. */
  renamed(oldId: string, newId: string): void {
    const r = this.workspace.requests.peek().find((x) => x.id === newId);
    if (!r) return;
    for (const tab of this.requestTabs()) {
      if (tab.saved.peek()?.id === oldId) tab.markSaved(r);
    }
  }

  /** Tabs of deleted requests stay open as unsaved requests (nothing typed is lost). */
  deleted(ids: string[]): void {
    for (const tab of this.requestTabs()) {
      const saved = tab.saved.peek();
      if (saved && ids.includes(saved.id)) {
        tab.saved.value = null;
        tab.savedMessages.value = [];
      }
    }
  }

  /** The active request tab (undefined when a recorded session is shown). */
  get activeTab(): RequestTab | undefined {
    return this.requestTabs().find((t) => t.id === this.activeId.peek());
  }

  newTab(): RequestTab {
    const tab = new RequestTab(this.rpc);
    this.tabs.value = [...this.tabs.peek(), tab];
    this.activeId.value = tab.id;
    return tab;
  }

  /** Closes a tab; one with unsaved changes, or a request never saved, asks first. */
  async closeTabAsking(id: number): Promise<void> {
    const tab = this.tabs.peek().find((t) => t.id === id);
    if (tab && !isHistoryTab(tab)) {
      const name = tab.name.peek();
      const why = tab.unsaved.peek()
        ? `"${name}" has unsaved changes. Closing the tab without saving discards them (the saved request stays as it is on disk).`
        : tab.saved.peek() === null && tab.url.peek().trim() !== ""
          ? `"${name}" was never saved (or its file was deleted). Closing the tab without saving discards it.`
          : null;
      if (why !== null) {
        const answer = await this.workspace.askChoice(
          `Close ${name}?`,
          why,
          "Close without saving",
          "Save and close",
        );
        if (answer === "cancel") return;
        // Closed only once saved: a cancelled Save dialog or a failed write keeps the tab.
        if (answer === "alternative" && !(await this.workspace.saveTab(tab))) return;
      }
    }
    this.closeTab(id);
  }

  closeTab(id: number): void {
    const tabs = this.tabs.peek();
    const i = tabs.findIndex((t) => t.id === id);
    if (i < 0) return;
    tabs[i]?.dispose();
    const rest = tabs.filter((t) => t.id !== id);
    this.tabs.value = rest;
    if (rest.length === 0) this.newTab();
    else if (this.activeId.peek() === id) {
      const next = rest[Math.min(i, rest.length - 1)];
      if (next) this.activeId.value = next.id;
    }
  }

  /** Applies `#url=…&connect=1&message=…` to the first tab (then clears the fragment). */
  applyFragment(): void {
    const request = parseFragment(location.hash);
    if (!request.url && request.message === null) return;
    history.replaceState(null, "", location.pathname + location.search);
    const first = this.tabs.peek()[0];
    let tab = first && !isHistoryTab(first) ? first : undefined;
    if (!tab || !tab.isBlank()) {
      // Restored requests stay; the linked request opens first.
      tab = this.newTab();
      this.tabs.value = [tab, ...this.tabs.peek().filter((t) => t !== tab)];
    }
    this.activeId.value = tab.id;
    const target = tab;
    if (request.url) target.setUrl(request.url);
    if (request.message !== null) {
      target.message.value = request.message;
      target.format.value = guessFormat(request.message);
    }
    if (!request.connect) return;
    const go = () => void target.connect(this.env.variables.peek());
    if (this.rpc.status.peek() === "open") go();
    else {
      const stop = this.rpc.status.subscribe((s) => {
        if (s === "open") {
          queueMicrotask(() => stop());
          go();
        }
      });
    }
  }
}

const saveHandlers = new WeakMap<RequestTab, (e: WsEvent, ctl: LogController) => Promise<string>>();

/** One stable "Save to request" handler per tab (the log's rows are memoised). */
function saveHandler(bench: Workbench, tab: RequestTab) {
  let h = saveHandlers.get(tab);
  if (!h) {
    h = (e, ctl) => bench.saveEvent(tab, e, ctl);
    saveHandlers.set(tab, h);
  }
  return h;
}

/** Scrolls the tab strip (only it) so that the active tab is wholly visible. */
function revealTab(strip: HTMLElement, id: number): void {
  const item = document.getElementById(`tab-${id}`)?.closest<HTMLElement>(".tab-item");
  if (!item || !strip.contains(item)) return;
  const s = strip.getBoundingClientRect();
  const r = item.getBoundingClientRect();
  if (r.left < s.left) strip.scrollLeft -= s.left - r.left;
  else if (r.right > s.right) strip.scrollLeft += Math.min(r.right - s.right, r.left - s.left);
}

/** A vertical mouse wheel scrolls the tab strip sideways (it shows no scrollbar). */
function wheelTabs(e: WheelEvent): void {
  const strip = e.currentTarget as HTMLElement;
  if (e.deltaX !== 0 || e.deltaY === 0 || strip.scrollWidth <= strip.clientWidth) return;
  const unit = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? strip.clientWidth : 1;
  strip.scrollLeft += e.deltaY * unit;
  e.preventDefault();
}

const SIDEBAR_KEY = "wsdeck.sidebarHidden";

function readSidebarHidden(): boolean {
  try {
    return localStorage.getItem(SIDEBAR_KEY) === "1";
  } catch {
    return false;
  }
}

function useWorkspace(bench: Workbench, rpc: Rpc) {
  useEffect(() => {
    // Load once the link is up (and again after wsdeck restarts: the files may have changed).
    const stop = rpc.status.subscribe((s) => {
      if (s === "open") {
        void bench.workspace.load();
        void bench.history.refresh();
      }
    });
    const poll = setInterval(() => {
      if (document.visibilityState === "visible") void bench.workspace.pollChanges();
    }, 5000);
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === "s") {
        e.preventDefault();
        const tab = bench.activeTab;
        if (tab && !bench.workspace.saveAsk.peek()) void bench.workspace.saveTab(tab);
      }
    };
    addEventListener("keydown", onKey);
    return () => {
      stop();
      clearInterval(poll);
      removeEventListener("keydown", onKey);
    };
  }, [bench, rpc]);
}

export function App({ rpc }: { rpc: Rpc }) {
  const bench = useMemo(() => new Workbench(rpc), [rpc]);
  useWorkspace(bench, rpc);
  const [shortcutsOpen, setShortcutsOpen] = useState(false);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const what = shortcutFor(e);
      // Not while a dialog has the keys; one that is closing (focus already back on the
      // page, its `open` not yet removed) no longer holds them back.
      if (!what || (e.target instanceof Element && e.target.closest("dialog[open]"))) return;
      e.preventDefault();
      if (what === "help") setShortcutsOpen(true);
      else
        document
          .getElementById(`tabpanel-${bench.activeId.peek()}`)
          ?.querySelector<HTMLInputElement>('input[aria-label="Search messages"]')
          ?.focus();
    };
    addEventListener("keydown", onKey);
    return () => removeEventListener("keydown", onKey);
  }, [bench]);
  const actions: SidebarActions = useMemo(
    () => ({
      open: (id) => bench.openRequest(id),
      newRequestIn: (c) => bench.newRequestIn(c),
      reload: () => void bench.workspace.load(),
      renamed: (a, b) => bench.renamed(a, b),
      deleted: (ids) => bench.deleted(ids),
    }),
    [bench],
  );
  const historyActions = useMemo(
    () => ({ open: (id: number, seq?: number) => void bench.openHistory(id, seq) }),
    [bench],
  );
  const sidebarHidden = bench.sidebarHidden.value;
  useEffect(() => {
    bench.applyFragment();
    // A link opened in this same page (only the fragment changed): a new token needs a fresh
    // start (it is read once, at load); a request is applied as on load.
    const onHash = () => {
      if (new URLSearchParams(location.hash.replace(/^#/, "")).has("token")) location.reload();
      else bench.applyFragment();
    };
    addEventListener("hashchange", onHash);
    return () => removeEventListener("hashchange", onHash);
  }, [bench]);

  const tabs = bench.tabs.value;
  const activeId = bench.activeId.value;
  const variables: Variable[] = bench.env.variables.value;
  const activeTab = tabs.find((t) => t.id === activeId);
  const activeRequest = activeTab && !isHistoryTab(activeTab) ? activeTab : undefined;
  const activeHistory = activeTab && isHistoryTab(activeTab) ? activeTab : undefined;

  const focusTab = (id: number) =>
    setTimeout(() => document.getElementById(`tab-${id}`)?.focus(), 0);

  // The active tab is always in view: when it is created, opened or switched to (by mouse,
  // keyboard or code), and when the strip gets narrower.
  const stripRef = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    const strip = stripRef.current;
    if (strip) revealTab(strip, activeId);
  }, [activeId, tabs.length]);
  useEffect(() => {
    const strip = stripRef.current;
    if (!strip || typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver(() => revealTab(strip, bench.activeId.peek()));
    observer.observe(strip);
    return () => observer.disconnect();
  }, [bench]);

  return (
    <div class="app">
      <header class="app-header">
        <button
          type="button"
          class="small sidebar-toggle"
          aria-expanded={!sidebarHidden}
          onClick={() => {
            const next = !bench.sidebarHidden.peek();
            bench.sidebarHidden.value = next;
            try {
              localStorage.setItem(SIDEBAR_KEY, next ? "1" : "0");
            } catch {
              // Not remembered: fine.
            }
          }}
        >
          {sidebarHidden ? "Show sidebar" : "Hide sidebar"}
        </button>
        <h1 class="brand">
          wsdeck <span class="brand-sub">WebSocket workbench</span>
        </h1>
        <EnvironmentBar store={bench.env} />
        <button
          type="button"
          class="small"
          aria-label="Keyboard shortcuts"
          aria-haspopup="dialog"
          title="Keyboard shortcuts (?)"
          onClick={() => setShortcutsOpen(true)}
        >
          ?
        </button>
      </header>
      {shortcutsOpen ? <ShortcutsDialog onClose={() => setShortcutsOpen(false)} /> : null}
      <LinkBanner rpc={rpc} />
      <HistoryBanner store={bench.historyProblems} />
      <div class={`body${sidebarHidden ? " no-sidebar" : ""}`}>
        <PaneBoundary name="sidebar">
          <Sidebar
            store={bench.workspace}
            actions={actions}
            hidden={sidebarHidden}
            reveal={activeRequest?.saved.value?.id ?? null}
            history={bench.history}
            historyActions={historyActions}
            historyOpenId={activeHistory ? activeHistory.recordId : null}
          />
        </PaneBoundary>
        <div class="main-column">
          <div class="tabbar">
            <div
              role="tablist"
              aria-label="Requests"
              class="tabs"
              ref={stripRef}
              onWheel={wheelTabs}
            >
              {tabs.map((tab, i) => {
                const selected = tab.id === activeId;
                const name = tab.name.value;
                const state = tab.session.state.value;
                const unsaved = isHistoryTab(tab) ? false : tab.unsaved.value;
                return (
                  <div
                    class={`tab-item${selected ? " selected" : ""}`}
                    role="presentation"
                    key={tab.id}
                  >
                    <button
                      type="button"
                      role="tab"
                      id={`tab-${tab.id}`}
                      aria-selected={selected}
                      aria-controls={`tabpanel-${tab.id}`}
                      tabIndex={selected ? 0 : -1}
                      class="tab"
                      title={tab.url.value || name}
                      aria-description={unsaved ? "Unsaved changes" : undefined}
                      onClick={() => (bench.activeId.value = tab.id)}
                      onKeyDown={(e) => {
                        if (e.key === "Delete") {
                          e.preventDefault();
                          void bench
                            .closeTabAsking(tab.id)
                            .then(() => focusTab(bench.activeId.peek()));
                          return;
                        }
                        handleTabKey(e, i, tabs.length, (j) => {
                          const t = tabs[j];
                          if (t) bench.activeId.value = t.id;
                        });
                      }}
                    >
                      <span class={`dot dot-${state}`} aria-hidden="true" />
                      <span class="tab-name">{name}</span>
                      {unsaved ? (
                        <span class="unsaved-mark" title="Unsaved changes" aria-hidden="true">
                          ●
                        </span>
                      ) : null}
                    </button>
                    <button
                      type="button"
                      class="tab-close"
                      aria-label={`Close tab ${name}`}
                      title={`Close tab ${name}`}
                      onClick={() =>
                        void bench
                          .closeTabAsking(tab.id)
                          .then(() => focusTab(bench.activeId.peek()))
                      }
                    >
                      ×
                    </button>
                  </div>
                );
              })}
            </div>
            <button
              type="button"
              class="new-tab"
              aria-label="New request"
              title="New request"
              onClick={() => {
                bench.newTab().focusUrl = true;
              }}
            >
              +
            </button>
          </div>
          <main class="workspace">
            {tabs.map((tab) => (
              <div
                role="tabpanel"
                id={`tabpanel-${tab.id}`}
                aria-labelledby={`tab-${tab.id}`}
                hidden={tab.id !== activeId}
                class="tabpanel"
                key={tab.id}
              >
                {isHistoryTab(tab) ? (
                  <PaneBoundary name="recorded session">
                    <HistoryView
                      rpc={rpc}
                      store={bench.history}
                      tab={tab}
                      openAsRequest={(h) => bench.openAsRequest(h)}
                    />
                  </PaneBoundary>
                ) : (
                  <>
                    <PaneBoundary name="request pane">
                      <RequestPane
                        rpc={rpc}
                        tab={tab}
                        variables={variables}
                        workspace={bench.workspace}
                      />
                    </PaneBoundary>
                    <PaneBoundary name="messages pane">
                      <MessagesPane
                        rpc={rpc}
                        session={tab.session}
                        onSaveMessage={saveHandler(bench, tab)}
                      />
                    </PaneBoundary>
                    <PaneBoundary name="console">
                      <ConsolePanel rpc={rpc} session={tab.session} />
                    </PaneBoundary>
                  </>
                )}
              </div>
            ))}
          </main>
        </div>
      </div>
      <WorkspaceDialogs store={bench.workspace} />
    </div>
  );
}
