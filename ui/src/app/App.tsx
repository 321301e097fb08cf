// The workbench page: the header (sidebar toggle, name, environment, shortcuts), the banners,
// the sidebar, the tab strip and the shown tab's panes. It composes views over the workbench
// (./workbench.ts), which holds the state and the actions.

import { useCallback, useMemo, useState } from "preact/hooks";
import { EnvironmentBar } from "../env/Environments";
import { HistoryBanner } from "../history/HistoryBanner";
import { HistoryView } from "../history/HistoryView";
import { isHistoryTab } from "../history/tab";
import { ConsolePanel, MessagesPane } from "../log";
import type { RequestTab } from "../request/model";
import { RequestPane } from "../request/RequestPane";
import type { Rpc } from "../rpc";
import { WorkspaceDialogs } from "../sidebar/Dialogs";
import { Sidebar, type SidebarActions } from "../sidebar/Sidebar";
import { LinkBanner } from "./LinkBanner";
import { useLinkedRequests, useSaveKey, useShortcuts, useWorkspaceSync } from "./pageEvents";
import { PaneBoundary } from "./PaneBoundary";
import { ShortcutsDialog } from "./Shortcuts";
import { TabStrip } from "./TabStrip";
import { Workbench, type Tab } from "./workbench";

function Header({ bench, showHelp }: { bench: Workbench; showHelp: () => void }) {
  const sidebarHidden = bench.sidebarHidden.value;
  return (
    <header class="app-header">
      <button
        type="button"
        class="small sidebar-toggle"
        aria-expanded={!sidebarHidden}
        onClick={() => bench.toggleSidebar()}
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
        onClick={showHelp}
      >
        ?
      </button>
    </header>
  );
}

/** A request tab's panes: the request (with the composer), its messages, its console. */
function RequestPanes({ bench, rpc, tab }: { bench: Workbench; rpc: Rpc; tab: RequestTab }) {
  return (
    <>
      <PaneBoundary name="request pane">
        <RequestPane
          rpc={rpc}
          tab={tab}
          variables={bench.env.variables.value}
          workspace={bench.workspace}
        />
      </PaneBoundary>
      <PaneBoundary name="messages pane">
        <MessagesPane
          rpc={rpc}
          session={tab.session}
          onSaveMessage={bench.saveHandler(tab)}
          searchRef={bench.focus.searchBoxes.ref(tab.id)}
        />
      </PaneBoundary>
      <PaneBoundary name="console">
        <ConsolePanel rpc={rpc} session={tab.session} />
      </PaneBoundary>
    </>
  );
}

function TabPanel({
  bench,
  rpc,
  tab,
  shown,
}: {
  bench: Workbench;
  rpc: Rpc;
  tab: Tab;
  shown: boolean;
}) {
  return (
    <div
      role="tabpanel"
      ref={bench.focus.panels.ref(tab.id)}
      id={`tabpanel-${tab.id}`}
      aria-labelledby={`tab-${tab.id}`}
      hidden={!shown}
      class="tabpanel"
    >
      {isHistoryTab(tab) ? (
        <PaneBoundary name="recorded session">
          <HistoryView
            rpc={rpc}
            store={bench.history}
            tab={tab}
            openAsRequest={(h) => bench.openAsRequest(h)}
            searchRef={bench.focus.searchBoxes.ref(tab.id)}
          />
        </PaneBoundary>
      ) : (
        <RequestPanes bench={bench} rpc={rpc} tab={tab} />
      )}
    </div>
  );
}

export function App({ rpc }: { rpc: Rpc }) {
  const bench = useMemo(() => new Workbench(rpc), [rpc]);
  const [shortcutsOpen, setShortcutsOpen] = useState(false);
  const showHelp = useCallback(() => setShortcutsOpen(true), []);
  useWorkspaceSync(bench, rpc);
  useSaveKey(bench);
  useShortcuts(bench, showHelp);
  useLinkedRequests(bench);
  const sidebarActions: SidebarActions = useMemo(
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
  const tabs = bench.tabs.value;
  const activeId = bench.activeId.value;
  const activeTab = tabs.find((t) => t.id === activeId);
  const activeRequest = activeTab && !isHistoryTab(activeTab) ? activeTab : undefined;
  const activeHistory = activeTab && isHistoryTab(activeTab) ? activeTab : undefined;

  return (
    <div class="app">
      <Header bench={bench} showHelp={showHelp} />
      {shortcutsOpen ? <ShortcutsDialog onClose={() => setShortcutsOpen(false)} /> : null}
      <LinkBanner rpc={rpc} />
      <HistoryBanner store={bench.historyProblems} />
      <div class={`body${sidebarHidden ? " no-sidebar" : ""}`}>
        <PaneBoundary name="sidebar">
          <Sidebar
            store={bench.workspace}
            actions={sidebarActions}
            hidden={sidebarHidden}
            reveal={activeRequest?.saved.value?.id ?? null}
            history={bench.history}
            historyActions={historyActions}
            historyOpenId={activeHistory ? activeHistory.recordId : null}
          />
        </PaneBoundary>
        <div class="main-column">
          <TabStrip
            tabs={tabs}
            activeId={activeId}
            select={(id) => bench.show(id)}
            close={(id) => void bench.closeTabFromStrip(id)}
            newRequest={() => bench.newRequest()}
            buttons={bench.focus.buttons}
          />
          <main class="workspace">
            {tabs.map((tab) => (
              <TabPanel
                key={tab.id}
                bench={bench}
                rpc={rpc}
                tab={tab}
                shown={tab.id === activeId}
              />
            ))}
          </main>
        </div>
      </div>
      <WorkspaceDialogs store={bench.workspace} />
    </div>
  );
}
