// The workbench: header (name, link status, environment), request tabs, and per tab the
// request pane, the messages pane and the console.

import { effect, signal } from "@preact/signals";
import { useEffect, useMemo } from "preact/hooks";
import { EnvironmentBar } from "../env/Environments";
import { EnvStore } from "../env/store";
import { ConsolePanel, MessagesPane } from "../log";
import { RequestTab } from "../request/model";
import { RequestPane } from "../request/RequestPane";
import { handleTabKey } from "../request/tablist";
import type { Rpc } from "../rpc";
import type { Variable, WorkspaceLoad, WsRequest } from "../types";
import { WorkspaceDialogs } from "../sidebar/Dialogs";
import { Sidebar, type SidebarActions } from "../sidebar/Sidebar";
import { WorkspaceStore } from "../sidebar/store";
import { guessFormat, parseFragment } from "./fragment";
import { LinkBanner } from "./LinkBanner";
import { DRAFTS_KEY, deserializeWorkspace, serializeWorkspace } from "./persist";

function sessionStore(): Storage | null {
  try {
    return typeof sessionStorage === "undefined" ? null : sessionStorage;
  } catch {
    return null;
  }
}

class Workbench {
  readonly tabs = signal<RequestTab[]>([]);
  readonly activeId = signal<number>(0);
  readonly env = new EnvStore(undefined, true);
  readonly workspace: WorkspaceStore;
  readonly sidebarHidden = signal(readSidebarHidden());

  constructor(private readonly rpc: Rpc) {
    this.workspace = new WorkspaceStore(rpc);
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
      const text = serializeWorkspace({
        drafts: this.tabs.value.map((t) => t.toDraft()),
        active: Math.max(
          0,
          this.tabs.value.findIndex((t) => t.id === this.activeId.value),
        ),
      });
      clearTimeout(timer);
      pending = text;
      timer = setTimeout(write, 300);
    });
    // A reload right after an edit still finds it.
    addEventListener("pagehide", () => {
      clearTimeout(timer);
      write();
    });
  }

  /** Opens a saved request in a tab (or shows the tab that already has it). */
  openRequest(id: string): void {
    const open = this.tabs.peek().find((t) => t.saved.peek()?.id === id);
    if (open) {
      this.activeId.value = open.id;
      return;
    }
    const r = this.workspace.requests.peek().find((x) => x.id === id);
    if (!r) return;
    const active = this.tabs.peek().find((t) => t.id === this.activeId.peek());
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
    for (const tab of this.tabs.peek()) {
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

  /** Tabs of renamed requests follow the new id and name. */
  renamed(oldId: string, newId: string): void {
    const r = this.workspace.requests.peek().find((x) => x.id === newId);
    for (const tab of this.tabs.peek()) {
      const saved = tab.saved.peek();
      if (saved?.id === oldId && r) {
        const edited = tab.unsaved.peek() ? tab.fields() : null;
        tab.markSaved(r);
        if (edited) {
          tab.url.value = edited.url;
          tab.params.value = edited.params;
          tab.headers.value = edited.headers;
          tab.protocols.value = edited.protocols;
          tab.settings.value = edited.settings;
        }
      }
    }
  }

  /** Tabs of deleted requests stay open as unsaved requests (nothing typed is lost). */
  deleted(ids: string[]): void {
    for (const tab of this.tabs.peek()) {
      const saved = tab.saved.peek();
      if (saved && ids.includes(saved.id)) {
        tab.saved.value = null;
        tab.savedMessages.value = [];
      }
    }
  }

  get activeTab(): RequestTab | undefined {
    return this.tabs.peek().find((t) => t.id === this.activeId.peek());
  }

  newTab(): RequestTab {
    const tab = new RequestTab(this.rpc);
    this.tabs.value = [...this.tabs.peek(), tab];
    this.activeId.value = tab.id;
    return tab;
  }

  /** Closes a tab; one with unsaved changes asks first. */
  async closeTabAsking(id: number): Promise<void> {
    const tab = this.tabs.peek().find((t) => t.id === id);
    if (tab?.unsaved.peek()) {
      const name = tab.name.peek();
      const yes = await this.workspace.askConfirm(
        `Close ${name}?`,
        `"${name}" has unsaved changes. Closing the tab discards them (the saved request stays as it is on disk).`,
        "Close without saving",
      );
      if (!yes) return;
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
    let tab = this.tabs.peek()[0];
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
      if (s === "open") void bench.workspace.load();
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

  const focusTab = (id: number) =>
    setTimeout(() => document.getElementById(`tab-${id}`)?.focus(), 0);

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
      </header>
      <LinkBanner rpc={rpc} />
      <div class={`body${sidebarHidden ? " no-sidebar" : ""}`}>
        <Sidebar
          store={bench.workspace}
          actions={actions}
          hidden={sidebarHidden}
          reveal={tabs.find((t) => t.id === activeId)?.saved.value?.id ?? null}
        />
        <div class="main-column">
          <div class="tabbar">
            <div role="tablist" aria-label="Requests" class="tabs">
              {tabs.map((tab, i) => {
                const selected = tab.id === activeId;
                const name = tab.name.value;
                const state = tab.session.state.value;
                const unsaved = tab.unsaved.value;
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
                <RequestPane
                  rpc={rpc}
                  tab={tab}
                  variables={variables}
                  workspace={bench.workspace}
                />
                <MessagesPane rpc={rpc} session={tab.session} />
                <ConsolePanel rpc={rpc} session={tab.session} />
              </div>
            ))}
          </main>
        </div>
      </div>
      <WorkspaceDialogs store={bench.workspace} />
    </div>
  );
}
