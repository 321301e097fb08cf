// The workspace's collections as the sidebar shows them: the visible rows of the tree (with
// the filter), and collection paths for the Save and Move dialogs' "Collection" select.

import type { WsCollection, WsRequest } from "../types";

export type TreeNode =
  | {
      kind: "collection";
      key: string;
      path: string[];
      name: string;
      level: number;
      expanded: boolean;
      parentKey: string | null;
      hasChildren: boolean;
    }
  | {
      kind: "request";
      key: string;
      id: string;
      name: string;
      url: string;
      level: number;
      parentKey: string | null;
    };

export const collectionKey = (path: string[]) => `c:${path.join("/")}`;
export const requestKey = (id: string) => `r:${id}`;

function matches(r: WsRequest, filter: string): boolean {
  const f = filter.trim().toLowerCase();
  return f === "" || r.name.toLowerCase().includes(f) || r.url.toLowerCase().includes(f);
}

/**
 * The visible rows of the tree, depth first: collections (expanded when in `expanded`, or
 * always while filtering), then their requests. With a filter, only matching requests and
 * the collections that lead to them are shown. The root collection itself is not a row.
 */
export function buildTree(
  root: WsCollection,
  requests: WsRequest[],
  expanded: ReadonlySet<string>,
  filter = "",
): TreeNode[] {
  const byId = new Map(requests.map((r) => [r.id ?? "", r]));
  const filtering = filter.trim() !== "";
  const out: TreeNode[] = [];
  const visit = (c: WsCollection, level: number, parentKey: string | null): boolean => {
    let any = false;
    for (const child of c.collections) {
      const key = collectionKey(child.path);
      const at = out.length;
      const open = filtering || expanded.has(key);
      out.push({
        kind: "collection",
        key,
        path: child.path,
        name: child.name,
        level,
        expanded: open,
        parentKey,
        hasChildren: child.collections.length + child.requests.length > 0,
      });
      const before = out.length;
      const found = visit(child, level + 1, key);
      if (!open) out.length = before;
      if (filtering && !found) out.length = at;
      else any = true;
    }
    for (const id of c.requests) {
      const r = byId.get(id);
      if (!r || !matches(r, filter)) continue;
      out.push({
        kind: "request",
        key: requestKey(id),
        id,
        name: r.name,
        url: r.url,
        level,
        parentKey,
      });
      any = true;
    }
    return any;
  };
  visit(root, 1, null);
  return out;
}

/** Every collection path, for the "Collection" select ("" is the top level). */
export function collectionPaths(root: WsCollection): { path: string[]; label: string }[] {
  const out: { path: string[]; label: string }[] = [{ path: [], label: "(top level)" }];
  const visit = (c: WsCollection, names: string[]) => {
    for (const child of c.collections) {
      const label = [...names, child.name];
      out.push({ path: child.path, label: label.join(" / ") });
      visit(child, label);
    }
  };
  visit(root, []);
  return out;
}

export function findCollection(root: WsCollection, path: string[]): WsCollection | null {
  let c: WsCollection | undefined = root;
  for (let i = 0; i < path.length && c; i++) {
    const want = path.slice(0, i + 1).join("/");
    c = c.collections.find((x) => x.path.join("/") === want);
  }
  return c ?? null;
}
