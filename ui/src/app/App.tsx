// The workbench: header (name, link status, environment), request tabs, and per tab the
// request pane, the messages pane and the console.

import { signal } from "@preact/signals";
import { useEffect, useMemo } from "preact/hooks";
import { EnvironmentBar } from "../env/Environments";
import { EnvStore } from "../env/store";
import { ConsolePanel, MessagesPane } from "../log";
import { RequestTab } from "../request/model";
import { RequestPane } from "../request/RequestPane";
import { handleTabKey } from "../request/tablist";
import type { Rpc } from "../rpc";
import type { Variable } from "../types";
import { parseFragment } from "./fragment";
import { LinkBanner } from "./LinkBanner";

class Workbench {
  readonly tabs = signal<RequestTab[]>([]);
  readonly activeId = signal<number>(0);
  readonly env = new EnvStore();

  constructor(private readonly rpc: Rpc) {
    this.newTab();
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
    const tab = this.tabs.peek()[0];
    if (!tab) return;
    if (request.url) tab.setUrl(request.url);
    if (request.message !== null) tab.message.value = request.message;
    if (!request.connect) return;
    const go = () => void tab.connect(this.env.variables.peek());
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
  useEffect(() => bench.applyFragment(), [bench]);

  const tabs = bench.tabs.value;
  const activeId = bench.activeId.value;
  const variables: Variable[] = bench.env.variables.value;

  const focusTab = (id: number) =>
    requestAnimationFrame(() => document.getElementById(`tab-${id}`)?.focus());

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
            const tab = bench.newTab();
            requestAnimationFrame(() =>
              document
                .querySelector<HTMLElement>(`#tabpanel-${tab.id} [aria-label="URL"]`)
                ?.focus(),
            );
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
