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
import type { Variable } from "../types";
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
  readonly env = new EnvStore();

  constructor(private readonly rpc: Rpc) {
    const store = sessionStore();
    const saved = deserializeWorkspace(store?.getItem(DRAFTS_KEY) ?? null);
    if (saved) {
      for (const d of saved.drafts) this.newTab().restore(d);
      this.activeId.value = this.tabs.peek()[saved.active]?.id ?? this.activeId.peek();
    } else {
      this.newTab();
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    effect(() => {
      const text = serializeWorkspace({
        drafts: this.tabs.value.map((t) => t.toDraft()),
        active: Math.max(
          0,
          this.tabs.value.findIndex((t) => t.id === this.activeId.value),
        ),
      });
      clearTimeout(timer);
      timer = setTimeout(() => {
        try {
          store?.setItem(DRAFTS_KEY, text);
        } catch {
          // Storage full or blocked: the requests still work, they just won't survive a reload.
        }
      }, 300);
    });
  }

  newTab(): RequestTab {
    const tab = new RequestTab(this.rpc);
    this.tabs.value = [...this.tabs.peek(), tab];
    this.activeId.value = tab.id;
    return tab;
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

export function App({ rpc }: { rpc: Rpc }) {
  const bench = useMemo(() => new Workbench(rpc), [rpc]);
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
        <h1 class="brand">
          wsdeck <span class="brand-sub">WebSocket workbench</span>
        </h1>
        <EnvironmentBar store={bench.env} />
      </header>
      <LinkBanner rpc={rpc} />
      <div class="tabbar">
        <div role="tablist" aria-label="Requests" class="tabs">
          {tabs.map((tab, i) => {
            const selected = tab.id === activeId;
            const name = tab.name.value;
            const state = tab.session.state.value;
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
                  onClick={() => (bench.activeId.value = tab.id)}
                  onKeyDown={(e) => {
                    if (e.key === "Delete") {
                      e.preventDefault();
                      bench.closeTab(tab.id);
                      focusTab(bench.activeId.peek());
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
                </button>
                <button
                  type="button"
                  class="tab-close"
                  aria-label={`Close tab ${name}`}
                  title={`Close tab ${name}`}
                  onClick={() => {
                    bench.closeTab(tab.id);
                    focusTab(bench.activeId.peek());
                  }}
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
            <RequestPane rpc={rpc} tab={tab} variables={variables} />
            <MessagesPane rpc={rpc} session={tab.session} />
            <ConsolePanel rpc={rpc} session={tab.session} />
          </div>
        ))}
      </main>
    </div>
  );
}
