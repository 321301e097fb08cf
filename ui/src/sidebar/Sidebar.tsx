// The workspace sidebar: collections and their saved requests (a tree), the files that do
// not parse, a filter, and actions on the selected item.

import { useEffect, useRef, useState } from "preact/hooks";
import { HistoryPanel, type HistoryActions } from "../history/HistoryPanel";
import type { HistoryStore } from "../history/store";
import { buildTree, collectionKey, type TreeNode } from "./tree";
import type { WorkspaceStore } from "./store";

export interface SidebarActions {
  open: (id: string) => void;
  newRequestIn: (collection: string[]) => void;
  reload: () => void;
  /** A saved request's id changed (renamed or moved): open tabs follow `newId`. */
  renamed: (oldId: string, newId: string) => void;
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
  const moveFocus = useRef<string | null>(null);
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
    // The row to focus, once it is on screen (an effect of an earlier render may run first).
    const key = moveFocus.current;
    if (!key) return;
    const row = treeRef.current?.querySelector<HTMLElement>(`[data-key="${CSS.escape(key)}"]`);
    // Not there although this render knows the key: gone (say, filtered out); forget it.
    if (!row && focusKey === key) moveFocus.current = null;
    if (!row) return;
    moveFocus.current = null;
    row.focus();
  });

  const focus = (n: TreeNode | undefined) => {
    if (!n) return;
    moveFocus.current = n.key;
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
        else void renameCollection(n.path, n.name);
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

  /** Was the keyboard on a tree row (so it goes back to one after a dialog)? */
  const inTree = () => treeRef.current?.contains(document.activeElement) ?? false;
  /** Makes `key` the current row, and focuses it when the action started from the tree. */
  const land = (key: string, fromTree: boolean) => {
    // After the closed dialog's own focus return (a frame later, to the row it came from,
    // which may be gone or renamed by now): the last word is this one.
    requestAnimationFrame(() => {
      if (fromTree) moveFocus.current = key;
      setFocusKey(key);
    });
  };
  /** The row to land on when the rows of `key` (and its descendants) are gone. */
  const neighbour = (key: string): string | null => {
    const at = nodes.findIndex((n) => n.key === key);
    if (at < 0) return null;
    const prefix = key.startsWith("c:") ? `r:${key.slice(2)}/` : null;
    const inside = (n: TreeNode) =>
      prefix !== null && (n.key.startsWith(prefix) || n.key.startsWith(`c:${key.slice(2)}/`));
    const after = nodes.slice(at + 1).find((n) => !inside(n));
    return (after ?? nodes[at - 1])?.key ?? null;
  };

  const rename = async (id: string, name: string) => {
    const fromTree = inTree();
    const next = await store.askName(`Rename ${name}`, "New name", name, "Rename");
    if (!next || next === name) return;
    const r = await store.rename(id, next);
    if (r?.id) {
      actions.renamed(id, r.id);
      // A new name is a new file, so a new row: the keyboard follows it.
      land(`r:${r.id}`, fromTree);
    }
  };
  const renameCollection = async (path: string[], name: string) => {
    const fromTree = inTree();
    const next = await store.askName(`Rename collection ${name}`, "New name", name, "Rename");
    if (!next || next === name) return;
    // The folder keeps its name: the row, and the ids of the requests in it, stay.
    if (await store.renameCollection(path, next)) land(collectionKey(path), fromTree);
  };
  const newFolder = async (path: string[], name: string) => {
    const fromTree = inTree();
    const folder = await store.askName(`New folder in ${name}`, "Folder name", "", "Create");
    if (!folder) return;
    const made = await store.createCollection(path, folder);
    if (!made) return;
    // Show where it went: the parent open, the new folder the current row.
    toggle(collectionKey(path), true);
    land(collectionKey(made), fromTree);
  };
  const move = async (id: string, name: string) => {
    const fromTree = inTree();
    const from = store.requests.peek().find((r) => r.id === id)?.collection ?? [];
    const r = await store.askMove(id, name, from);
    if (!r?.id) return;
    actions.renamed(id, r.id);
    // Show it where it went: its collections open, the row current.
    setExpanded((old) => {
      const next = new Set(old);
      for (let i = 1; i <= r.collection.length; i++)
        next.add(collectionKey(r.collection.slice(0, i)));
      return next;
    });
    land(`r:${r.id}`, fromTree);
  };
  const remove = async (id: string, name: string) => {
    const fromTree = inTree();
    const yes = await store.askConfirm(
      `Delete ${name}?`,
      `The request "${name}" and its saved messages are deleted from the workspace folder.`,
      "Delete",
    );
    const next = neighbour(`r:${id}`);
    if (yes && (await store.deleteRequest(id))) {
      actions.deleted([id]);
      if (next) land(next, fromTree);
    }
  };
  const removeCollection = async (path: string[], name: string) => {
    const fromTree = inTree();
    const yes = await store.askConfirm(
      `Delete collection ${name}?`,
      `The collection "${name}" is deleted with every request and collection in it.`,
      "Delete collection",
    );
    if (!yes) return;
    const next = neighbour(collectionKey(path));
    const prefix = `${path.join("/")}/`;
    const gone = store.requests
      .peek()
      .map((r) => r.id ?? "")
      .filter((id) => id.startsWith(prefix));
    if (await store.deleteCollection(path)) {
      actions.deleted(gone);
      if (next) land(next, fromTree);
    }
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
                  aria-current={n.kind === "request" && n.id === reveal ? "page" : undefined}
                  class={`tree-item tree-${n.kind}${current?.key === n.key ? " current" : ""}${
                    n.kind === "request" && n.id === reveal ? " open-in-tab" : ""
                  }`}
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
                    class="small"
                    aria-label={`Move ${current.name}`}
                    aria-haspopup="dialog"
                    title="Move to another collection"
                    onClick={() => void move(current.id, current.name)}
                  >
                    Move
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
                    class="small"
                    aria-label={`New folder in ${current.name}`}
                    aria-haspopup="dialog"
                    onClick={() => void newFolder(current.path, current.name)}
                  >
                    New folder
                  </button>
                  <button
                    type="button"
                    class="small"
                    aria-label={`Rename collection ${current.name}`}
                    onClick={() => void renameCollection(current.path, current.name)}
                  >
                    Rename
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
