// The workspace sidebar: collections and their saved requests (a tree), the files that do
// not parse, a filter, and actions on the selected item.

import { useEffect, useRef, useState } from "preact/hooks";
import { HistoryPanel, type HistoryActions } from "../history/HistoryPanel";
import type { HistoryStore } from "../history/store";
import { buildTree, collectionKey, type TreeNode } from "./convert";
import type { WorkspaceStore } from "./store";

export interface SidebarActions {
  open: (id: string) => void;
  newRequestIn: (collection: string[]) => void;
  reload: () => void;
  renamed: (id: string, name: string) => void;
  deleted: (ids: string[]) => void;
}

export function Sidebar({
  store,
  actions,
  hidden,
  reveal,
  history,
  historyActions,
  historyOpenId = null,
}: {
  store: WorkspaceStore;
  actions: SidebarActions;
  hidden: boolean;
  /** The "History" section (absent: not shown). */
  history?: HistoryStore;
  historyActions?: HistoryActions;
  /** The recorded session the active tab shows. */
  historyOpenId?: number | null;
  /** The saved request of the active tab: its collections open and it is selected. */
  reveal: string | null;
}) {
  const [expanded, setExpanded] = useState<Set<string>>(new Set());
  const [filter, setFilter] = useState("");
  const [focusKey, setFocusKey] = useState<string | null>(null);
  const treeRef = useRef<HTMLUListElement>(null);
  const moveFocus = useRef(false);
  const status = store.status.value;
  const root = store.root.value;
  const requests = store.requests.value;
  const nodes = buildTree(root, requests, expanded, filter);
  const current = nodes.find((n) => n.key === focusKey) ?? nodes[0] ?? null;

  useEffect(() => {
    if (!reveal) return;
    const parts = reveal.split("/").slice(0, -1);
    setExpanded((old) => {
      const next = new Set(old);
      for (let i = 1; i <= parts.length; i++) next.add(collectionKey(parts.slice(0, i)));
      return next.size === old.size ? old : next;
    });
    setFocusKey(`r:${reveal}`);
  }, [reveal]);

  useEffect(() => {
    if (!moveFocus.current || !current) return;
    moveFocus.current = false;
    treeRef.current?.querySelector<HTMLElement>(`[data-key="${CSS.escape(current.key)}"]`)?.focus();
  });

  const focus = (n: TreeNode | undefined) => {
    if (!n) return;
    moveFocus.current = true;
    setFocusKey(n.key);
  };
  const toggle = (key: string, open?: boolean) => {
    const next = new Set(expanded);
    if (open ?? !next.has(key)) next.add(key);
    else next.delete(key);
    setExpanded(next);
  };
  const activate = (n: TreeNode) => {
    setFocusKey(n.key);
    if (n.kind === "request") actions.open(n.id);
    else toggle(n.key);
  };

  const onKey = (e: KeyboardEvent, n: TreeNode, i: number) => {
    // Up, Down, Home and End move through the rows on screen (right even between renders).
    const rows = [...(treeRef.current?.querySelectorAll<HTMLElement>('[role="treeitem"]') ?? [])];
    const at = rows.indexOf(e.currentTarget as HTMLElement);
    const go = (el: HTMLElement | undefined) => el?.focus();
    switch (e.key) {
      case "ArrowDown":
        go(rows[at + 1]);
        break;
      case "ArrowUp":
        go(rows[at - 1]);
        break;
      case "Home":
        go(rows[0]);
        break;
      case "End":
        go(rows[rows.length - 1]);
        break;
      case "ArrowRight":
        if (n.kind === "collection" && !n.expanded) toggle(n.key, true);
        else if (n.kind === "collection")
          focus(nodes[i + 1]?.parentKey === n.key ? nodes[i + 1] : undefined);
        break;
      case "ArrowLeft":
        if (n.kind === "collection" && n.expanded && filter.trim() === "") toggle(n.key, false);
        else focus(nodes.find((x) => x.key === n.parentKey));
        break;
      case "Enter":
      case " ":
        activate(n);
        break;
      case "F2":
        if (n.kind === "request") void rename(n.id, n.name);
        break;
      case "Delete":
        if (n.kind === "request") void remove(n.id, n.name);
        else void removeCollection(n.path, n.name);
        break;
      default:
        return;
    }
    e.preventDefault();
  };

  const rename = async (id: string, name: string) => {
    const next = await store.askName(`Rename ${name}`, "New name", name, "Rename");
    if (!next || next === name) return;
    const r = await store.rename(id, next);
    if (r?.id) {
      actions.renamed(id, r.id);
      setFocusKey(`r:${r.id}`);
    }
  };
  const remove = async (id: string, name: string) => {
    const yes = await store.askConfirm(
      `Delete ${name}?`,
      `The request "${name}" and its saved messages are deleted from the workspace folder.`,
      "Delete",
    );
    if (yes && (await store.deleteRequest(id))) actions.deleted([id]);
  };
  const removeCollection = async (path: string[], name: string) => {
    const yes = await store.askConfirm(
      `Delete collection ${name}?`,
      `The collection "${name}" is deleted with every request and collection in it.`,
      "Delete collection",
    );
    if (!yes) return;
    const prefix = `${path.join("/")}/`;
    const gone = store.requests
      .peek()
      .map((r) => r.id ?? "")
      .filter((id) => id.startsWith(prefix));
    if (await store.deleteCollection(path)) actions.deleted(gone);
  };

  const problems = store.problems.value;
  const changed = store.changed.value;

  return (
    <nav aria-label="Workspace" class="sidebar" hidden={hidden}>
      {status === "unavailable" ? (
        <p class="sidebar-note" role="note">
          Saving needs wsdeck ui (the workspace is not available here)
        </p>
      ) : null}
      {status !== "unavailable" ? (
        <>
          <div class="sidebar-head">
            <h2 class="sidebar-title" title={store.folder.value}>
              Collections
            </h2>
            <button type="button" class="small" onClick={actions.reload}>
              Reload workspace
            </button>
          </div>
          {changed.length > 0 ? (
            <div class="changed-banner" role="status">
              <span>Files changed on disk</span>
              <button type="button" class="small" onClick={actions.reload}>
                Reload
              </button>
            </div>
          ) : null}
          <input
            type="search"
            class="sidebar-filter"
            aria-label="Filter requests"
            placeholder="Filter requests"
            value={filter}
            onInput={(e) => setFilter(e.currentTarget.value)}
          />
          {status === "loading" ? <p class="empty">Loading the workspace…</p> : null}
          {status === "ready" && nodes.length === 0 ? (
            <p class="empty">
              {filter.trim()
                ? "No saved request matches."
                : "No saved requests yet. Save one with Ctrl+S."}
            </p>
          ) : null}
          {nodes.length > 0 ? (
            <ul role="tree" aria-label="Collections" class="tree" ref={treeRef}>
              {nodes.map((n, i) => (
                <li
                  role="treeitem"
                  key={n.key}
                  data-key={n.key}
                  aria-level={n.level}
                  aria-selected={current?.key === n.key}
                  aria-expanded={n.kind === "collection" ? n.expanded : undefined}
                  tabIndex={current?.key === n.key ? 0 : -1}
                  class={`tree-item tree-${n.kind}${current?.key === n.key ? " current" : ""}`}
                  style={{ paddingLeft: `${(n.level - 1) * 14 + 6}px` }}
                  title={n.kind === "request" ? n.url : undefined}
                  onClick={() => activate(n)}
                  onFocus={() => setFocusKey(n.key)}
                  onKeyDown={(e) => onKey(e, n, i)}
                >
                  <span class="tree-icon" aria-hidden="true">
                    {n.kind === "collection" ? (n.expanded ? "▾" : "▸") : "⇄"}
                  </span>
                  {n.name}
                </li>
              ))}
            </ul>
          ) : null}
          {current ? (
            <div class="tree-actions" role="group" aria-label={`Actions for ${current.name}`}>
              {current.kind === "request" ? (
                <>
                  <button
                    type="button"
                    class="small"
                    aria-label={`Rename ${current.name}`}
                    onClick={() => void rename(current.id, current.name)}
                  >
                    Rename
                  </button>
                  <button
                    type="button"
                    class="small"
                    aria-label={`Duplicate ${current.name}`}
                    onClick={() =>
                      void store
                        .duplicate(current.id)
                        .then((r) => r?.id && setFocusKey(`r:${r.id}`))
                    }
                  >
                    Duplicate
                  </button>
                  <button
                    type="button"
                    class="small danger"
                    aria-label={`Delete ${current.name}`}
                    onClick={() => void remove(current.id, current.name)}
                  >
                    Delete
                  </button>
                </>
              ) : (
                <>
                  <button
                    type="button"
                    class="small"
                    aria-label={`New request here in ${current.name}`}
                    onClick={() => {
                      toggle(collectionKey(current.path), true);
                      actions.newRequestIn(current.path);
                    }}
                  >
                    New request here
                  </button>
                  <button
                    type="button"
                    class="small danger"
                    aria-label={`Delete collection ${current.name}`}
                    onClick={() => void removeCollection(current.path, current.name)}
                  >
                    Delete collection
                  </button>
                </>
              )}
            </div>
          ) : null}
          <NewCollection store={store} />
          <p class="sidebar-error" role="alert">
            {store.error.value}
          </p>
          {problems.length > 0 ? (
            <section class="problems" aria-label="Files that could not be read">
              <h3>Files that could not be read</h3>
              <ul>
                {problems.map((p, i) => (
                  <li key={i}>
                    <code>{relativePath(p.path, store.folder.value)}</code>, line {p.line}, column{" "}
                    {p.column}: {p.message}
                  </li>
                ))}
              </ul>
            </section>
          ) : null}
        </>
      ) : null}
      {history && historyActions ? (
        <HistoryPanel store={history} actions={historyActions} openId={historyOpenId} />
      ) : null}
    </nav>
  );
}

function NewCollection({ store }: { store: WorkspaceStore }) {
  return (
    <button
      type="button"
      class="add-button"
      onClick={() =>
        void store
          .askName("New collection", "Collection name", "", "Create")
          .then((name) => (name ? store.createCollection([], name) : null))
      }
    >
      New collection
    </button>
  );
}

/** A problem's path inside the workspace folder (as typed in a file manager). */
export function relativePath(path: string, root: string): string {
  const base = root.replace(/[\\/]+$/, "");
  return base && path.startsWith(`${base}/`) ? path.slice(base.length + 1) : path;
}
