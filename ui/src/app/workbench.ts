// The workbench's state and the actions that change it: the open tabs (requests and recorded
// sessions), which one is shown, and the stores the panes share (workspace, environments,
// history). Views read the signals and call the actions; nothing here renders.

import { effect, signal } from "@preact/signals";
import { EnvStore } from "../env/store";
import { fieldsFromRecorded, historyError } from "../history/convert";
import { HistoryProblemStore } from "../history/problem";
import { HistoryStore } from "../history/store";
import { HistoryTab, isHistoryTab } from "../history/tab";
import type { LogController } from "../log/controller";
import { RequestTab } from "../request/model";
import type { Rpc } from "../rpc";
import { WorkspaceStore } from "../sidebar/store";
import type { WorkspaceLoad, WsEvent, WsRequest } from "../types";
import { keepDrafts, readDrafts } from "./drafts";
import { TabFocus } from "./focus";
import { guessFormat, parseFragment } from "./fragment";
import { saveToRequest } from "./saveToRequest";
import { readSidebarHidden, rememberSidebarHidden } from "./sidebarPreference";

/** A tab: a request (editable, live) or a recorded session (read-only). */
export type Tab = RequestTab | HistoryTab;

/** "Save to request" for one tab's log. */
export type SaveHandler = (e: WsEvent, ctl: LogController) => Promise<string>;

const MASKED_SECRETS =
  "The recorded session's secret values were saved as ****: put your {{variable}} back where **** is before connecting.";

/** A new request tab with a recorded session's request in it (its URL, params, headers…). */
function requestTabFromRecorded(rpc: Rpc, h: HistoryTab): RequestTab | null {
  const info = h.session.info.peek();
  if (!info) return null;
  const f = fieldsFromRecorded(info.request, info.url);
  const tab = new RequestTab(rpc);
  tab.setUrl(f.url);
  if (f.params.length > 0) tab.setParams([...tab.params.peek(), ...f.params]);
  tab.headers.value = f.headers;
  tab.protocols.value = f.protocols;
  tab.settings.value = f.settings;
  const values = [f.url, ...f.params.map((p) => p.value), ...f.headers.map((h) => h.value)];
  if (values.some((v) => v.includes("****"))) tab.localError.value = MASKED_SECRETS;
  return tab;
}

/** Why closing `tab` would lose something (the question's text), or null when it would not. */
function closingLoses(tab: RequestTab): string | null {
  const name = tab.name.peek();
  if (tab.unsaved.peek()) {
    return `"${name}" has unsaved changes. Closing the tab without saving discards them (the saved request stays as it is on disk).`;
  }
  if (tab.saved.peek() === null && tab.url.peek().trim() !== "") {
    return `"${name}" was never saved (or its file was deleted). Closing the tab without saving discards it.`;
  }
  return null;
}

/** Runs `go` now if the link to wsdeck is open, else once it opens. */
function whenLinkOpen(rpc: Rpc, go: () => void): void {
  if (rpc.status.peek() === "open") {
    go();
    return;
  }
  const stop = rpc.status.subscribe((s) => {
    if (s === "open") {
      queueMicrotask(() => stop());
      go();
    }
  });
}

export class Workbench {
  readonly tabs = signal<Tab[]>([]);
  readonly activeId = signal<number>(0);
  readonly env = new EnvStore(undefined, true);
  readonly workspace: WorkspaceStore;
  readonly history: HistoryStore;
  /** What wsdeck says is wrong with the history (damaged file, failed write). */
  readonly historyProblems: HistoryProblemStore;
  readonly sidebarHidden = signal(readSidebarHidden());
  /** The tabs' elements that focus moves to from elsewhere (after a close, by a shortcut). */
  readonly focus = new TabFocus();
  private readonly saveHandlers = new WeakMap<RequestTab, SaveHandler>();

  constructor(private readonly rpc: Rpc) {
    this.workspace = new WorkspaceStore(rpc);
    this.history = new HistoryStore(rpc);
    this.historyProblems = new HistoryProblemStore(rpc);
    // A deleted (or pruned) recorded session's tab closes.
    this.history.onDeleted = (ids) => this.closeRecorded(ids);
    this.workspace.onLoad = (w) => this.afterLoad(w);
    this.workspace.onUnavailable = () => this.env.useLocal();
    this.env.onWrite = () => this.workspace.quietReload();
    this.restoreDrafts();
    // Recorded sessions are not drafts: they are not restored after a reload.
    keepDrafts(() => this.requestTabs(true), this.activeId);
    this.refreshHistoryWhenSessionsClose();
  }

  /** The request tabs of the last visit (or one empty tab), the same one shown. */
  private restoreDrafts(): void {
    const saved = readDrafts();
    if (!saved) {
      this.newTab();
      return;
    }
    for (const d of saved.drafts) this.newTab().restore(d);
    this.activeId.value = this.tabs.peek()[saved.active]?.id ?? this.activeId.peek();
  }

  /** The history lists a session once it is over: it is refreshed when a tab's session closes. */
  private refreshHistoryWhenSessionsClose(): void {
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
  }

  /** The request tabs (not the recorded sessions); `track` reads the signal. */
  requestTabs(track = false): RequestTab[] {
    const tabs = track ? this.tabs.value : this.tabs.peek();
    return tabs.filter((t): t is RequestTab => !isHistoryTab(t));
  }

  /** The active request tab (undefined when a recorded session is shown). */
  get activeTab(): RequestTab | undefined {
    return this.requestTabs().find((t) => t.id === this.activeId.peek());
  }

  show(id: number): void {
    this.activeId.value = id;
  }

  /** Adds `tab` at the end of the strip and shows it. */
  private add<T extends Tab>(tab: T): T {
    this.tabs.value = [...this.tabs.peek(), tab];
    this.activeId.value = tab.id;
    return tab;
  }

  newTab(): RequestTab {
    return this.add(new RequestTab(this.rpc));
  }

  /** A new, empty request with the cursor in its URL field (the strip's "+"). */
  newRequest(): void {
    this.newTab().focusUrl = true;
  }

  /** A new, unsaved request whose Save dialog suggests `collection`. */
  newRequestIn(collection: string[]): void {
    const tab = this.newTab();
    tab.focusUrl = true;
    tab.suggestedCollection = collection;
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
    const reusable =
      active && active.isBlank() && !active.saved.peek() && active.session.state.peek() === "idle";
    const tab = reusable ? active : this.newTab();
    tab.loadSaved(r);
    this.activeId.value = tab.id;
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
      const tab = this.add(new HistoryTab(this.rpc, summary));
      if (seq !== undefined) tab.session.show(seq);
    } catch (e) {
      this.history.error.value = `Could not open session ${id}: ${historyError(e)}`;
    }
  }

  /** A new request tab filled in from a recorded session's request; its tab gets focus. */
  openAsRequest(h: HistoryTab): void {
    const tab = requestTabFromRecorded(this.rpc, h);
    if (!tab) return;
    this.add(tab);
    this.focus.buttons.focusSoon(tab.id);
  }

  /** One stable "Save to request" handler per tab (the log's rows are memoised on it). */
  saveHandler(tab: RequestTab): SaveHandler {
    let handler = this.saveHandlers.get(tab);
    if (!handler) {
      handler = (e, ctl) => saveToRequest(this.rpc, this.workspace, tab, e, ctl);
      this.saveHandlers.set(tab, handler);
    }
    return handler;
  }

  /** Ctrl+S: saves the active request (not while the Save dialog is already asking). */
  saveActive(): void {
    const tab = this.activeTab;
    if (tab && !this.workspace.saveAsk.peek()) void this.workspace.saveTab(tab);
  }

  toggleSidebar(): void {
    const hidden = !this.sidebarHidden.peek();
    this.sidebarHidden.value = hidden;
    rememberSidebarHidden(hidden);
  }

  /** Focuses the shown tab's "Search messages" box (the `/` shortcut). */
  focusSearch(): void {
    this.focus.searchBoxes.focus(this.activeId.peek());
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

  /** Closes a tab; one with unsaved changes, or a request never saved, asks first. */
  async closeTabAsking(id: number): Promise<void> {
    const tab = this.tabs.peek().find((t) => t.id === id);
    if (tab && !isHistoryTab(tab)) {
      const why = closingLoses(tab);
      if (why !== null && !(await this.mayClose(tab, why))) return;
    }
    this.closeTab(id);
  }

  /** Asks whether `tab` may close although it would lose something: yes when the user
   *  discards it, or saves it and the save succeeds. */
  private async mayClose(tab: RequestTab, why: string): Promise<boolean> {
    const answer = await this.workspace.askChoice(
      `Close ${tab.name.peek()}?`,
      why,
      "Close without saving",
      "Save and close",
    );
    if (answer === "cancel") return false;
    // Closed only once saved: a cancelled Save dialog or a failed write keeps the tab.
    if (answer === "alternative") return this.workspace.saveTab(tab);
    return true;
  }

  /** Closes a tab from the strip (asking first if needed); focus goes to the tab shown then. */
  async closeTabFromStrip(id: number): Promise<void> {
    await this.closeTabAsking(id);
    this.focus.buttons.focusSoon(this.activeId.peek());
  }

  /** Closes a tab at once; its neighbour is shown, and an empty strip gets a new tab. */
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

  /** Closes the tabs of recorded sessions that no longer exist; focus goes to the active tab. */
  closeRecorded(ids: number[]): void {
    const gone = new Set(ids);
    const tabs = this.tabs.peek().filter((t) => isHistoryTab(t) && gone.has(t.recordId));
    if (tabs.length === 0) return;
    const focusLost = this.focus.isLostWhenClosing(tabs.map((t) => t.id));
    for (const t of tabs) this.closeTab(t.id);
    if (focusLost) this.focus.buttons.focusSoon(this.activeId.peek());
  }

  /** The tab a link's request goes to: the first tab if it is a blank request, else a new
   *  tab put first (restored requests stay; the linked request opens first). */
  private tabForLink(): RequestTab {
    const first = this.tabs.peek()[0];
    if (first && !isHistoryTab(first) && first.isBlank()) return first;
    const tab = this.newTab();
    this.tabs.value = [tab, ...this.tabs.peek().filter((t) => t !== tab)];
    return tab;
  }

  /** Applies `#url=…&connect=1&message=…` to the first tab (then clears the fragment). */
  applyFragment(): void {
    const request = parseFragment(location.hash);
    if (!request.url && request.message === null) return;
    history.replaceState(null, "", location.pathname + location.search);
    const tab = this.tabForLink();
    this.activeId.value = tab.id;
    if (request.url) tab.setUrl(request.url);
    if (request.message !== null) {
      tab.message.value = request.message;
      tab.format.value = guessFormat(request.message);
    }
    if (request.connect) whenLinkOpen(this.rpc, () => void tab.connect(this.env.variables.peek()));
  }
}
