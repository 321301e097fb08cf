// The workspace as the page sees it: the loaded tree, its problems, and the calls that
// change it (`wsdeck.requests.*`, `wsdeck.collections.*`, `wsdeck.messages.*`). Dialogs
// the calls need (name a request, confirm a delete) are asked for through signals that
// the app renders.

import { signal } from "@preact/signals";
import { RpcError, type ParamsOf, type Rpc } from "../rpc";
import type { RequestTab } from "../request/model";
import type { SavedMessage, WorkspaceLoad, WsCollection, WsRequest } from "../types";
import { isNoPermission, workspaceError } from "../errors";
import { requestFromFields } from "../request/convert";
import { findCollection } from "./tree";
import type { RequestWorkspace, WorkspaceStatus } from "../request/workspace";

/** The saved-message methods (`wsdeck.messages.*`). */
type MessageMethod = "add" | "rename" | "duplicate" | "move" | "delete";

export type { WorkspaceStatus };

export interface SaveAsk {
  title: string;
  name: string;
  collection: string[];
  resolve: (answer: { name: string; collection: string[] } | null) => void;
}

export interface ConfirmAsk {
  title: string;
  text: string;
  /** The (destructive) action asked about. */
  confirm: string;
  /** A second way forward, shown as the primary button (e.g. "Save and close"). */
  alternative?: string;
  resolve: (answer: "confirm" | "alternative" | "cancel") => void;
}

export interface MoveAsk {
  /** The request to move (its id, display name, and the collection it is in now). */
  id: string;
  name: string;
  collection: string[];
  /** The moved request, or null when the dialog was cancelled. */
  resolve: (moved: WsRequest | null) => void;
}

export interface PromptAsk {
  title: string;
  label: string;
  value: string;
  confirm: string;
  resolve: (value: string | null) => void;
}

const EMPTY_ROOT: WsCollection = {
  path: [],
  name: "",
  description: "",
  collections: [],
  requests: [],
};

export class WorkspaceStore implements RequestWorkspace {
  readonly status = signal<WorkspaceStatus>("loading");
  readonly root = signal<WsCollection>(EMPTY_ROOT);
  readonly requests = signal<WsRequest[]>([]);
  readonly problems = signal<WorkspaceLoad["problems"]>([]);
  readonly folder = signal("");
  /** Files changed on disk since the last load (from the poll). */
  readonly changed = signal<string[]>([]);
  /** The last failed action, in words ("" when none). */
  readonly error = signal("");
  readonly saveAsk = signal<SaveAsk | null>(null);
  readonly confirmAsk = signal<ConfirmAsk | null>(null);
  readonly promptAsk = signal<PromptAsk | null>(null);
  readonly moveAsk = signal<MoveAsk | null>(null);
  /** Called with every successful load (environments, open tabs follow it). */
  onLoad: (w: WorkspaceLoad) => void = () => undefined;
  /** Called when loading says the workspace methods are not available here. */
  onUnavailable: () => void = () => undefined;

  private reloadTimer: ReturnType<typeof setTimeout> | undefined;
  private reloadPending = false;

  constructor(readonly rpc: Rpc) {}

  /**
   * Loads again shortly after this page wrote files, so that "Files changed on disk" means
   * someone else changed them (tabs with unsaved edits are never replaced by a load).
   */
  quietReload(): void {
    clearTimeout(this.reloadTimer);
    this.reloadPending = true;
    this.reloadTimer = setTimeout(() => {
      this.reloadPending = false;
      if (this.available && this.changed.peek().length === 0) void this.load();
    }, 800);
  }

  get available(): boolean {
    return this.status.peek() === "ready";
  }

  async load(): Promise<void> {
    try {
      const w = await this.rpc.call("wsdeck.workspace.load", {});
      this.root.value = w.collections ?? EMPTY_ROOT;
      this.requests.value = w.requests ?? [];
      this.problems.value = w.problems ?? [];
      this.folder.value = w.root ?? "";
      this.changed.value = [];
      this.error.value = "";
      this.status.value = "ready";
      this.onLoad(w);
    } catch (e) {
      if (isNoPermission(e)) {
        this.status.value = "unavailable";
        this.onUnavailable();
      } else {
        this.error.value = `Could not load the workspace: ${workspaceError(e)}`;
      }
    }
  }

  async pollChanges(): Promise<void> {
    if (!this.available || this.reloadPending) return;
    try {
      const r = await this.rpc.call("wsdeck.workspace.changes", {});
      if (r.paths.length > 0 && !this.reloadPending) this.changed.value = r.paths;
    } catch {
      // Not connected right now: the next poll tries again.
    }
  }

  /** Runs a workspace call; a failure becomes `error` (and null). */
  async run<T>(what: () => Promise<T>): Promise<T | null> {
    this.error.value = "";
    try {
      const r = await what();
      this.quietReload();
      return r;
    } catch (e) {
      this.error.value = workspaceError(e);
      return null;
    }
  }

  /** Puts a request the API returned into the list (and the tree, for a new one). */
  upsert(r: WsRequest, oldId?: string): void {
    const id = r.id ?? "";
    const was = oldId ?? id;
    const list = this.requests.peek();
    const exists = list.some((x) => x.id === was);
    this.requests.value = exists ? list.map((x) => (x.id === was ? r : x)) : [...list, r];
    this.root.value = placeRequest(this.root.peek(), was, id, r.collection);
  }

  remove(id: string): void {
    this.requests.value = this.requests.peek().filter((r) => r.id !== id);
    this.root.value = placeRequest(this.root.peek(), id, null, []);
  }

  // ---- Dialogs

  askSave(title: string, name: string, collection: string[]) {
    return new Promise<{ name: string; collection: string[] } | null>((resolve) => {
      this.saveAsk.value = { title, name, collection, resolve };
    });
  }

  askConfirm(title: string, text: string, confirm: string) {
    return new Promise<boolean>((resolve) => {
      this.confirmAsk.value = { title, text, confirm, resolve: (a) => resolve(a === "confirm") };
    });
  }

  /** As `askConfirm`, with a second way forward (`alternative`) next to the confirmation. */
  askChoice(title: string, text: string, confirm: string, alternative: string) {
    return new Promise<"confirm" | "alternative" | "cancel">((resolve) => {
      this.confirmAsk.value = { title, text, confirm, alternative, resolve };
    });
  }

  askName(title: string, label: string, value: string, confirm = "Save") {
    return new Promise<string | null>((resolve) => {
      this.promptAsk.value = { title, label, value, confirm, resolve };
    });
  }

  /** "Move to…": the dialog moves the request itself (and stays open on a failure). */
  askMove(id: string, name: string, collection: string[]) {
    return new Promise<WsRequest | null>((resolve) => {
      this.moveAsk.value = { id, name, collection, resolve };
    });
  }

  // ---- Requests

  /**
   * Saves a tab: in place when it is a saved request (with its revision; `force` writes
   * over a file changed on disk), else (or with `asNew`) asks for a name and a collection.
   * True once saved. A file changed on disk sets the tab's `conflict` instead.
   */
  async saveTab(tab: RequestTab, opts: { force?: boolean; asNew?: boolean } = {}) {
    if (!this.available) {
      this.error.value = "Saving needs wsdeck ui (the workspace is not available here).";
      return false;
    }
    const saved = tab.saved.peek();
    let base;
    if (saved && !opts.asNew) {
      base = { ...saved, messages: tab.savedMessages.peek() };
    } else {
      const answer = await this.askSave(
        opts.asNew ? "Save request as" : "Save request",
        saved
          ? `${saved.name} copy`
          : tab.name.peek() === "Untitled request"
            ? ""
            : tab.name.peek(),
        saved?.collection ?? tab.suggestedCollection,
      );
      if (!answer) return false;
      base = {
        name: answer.name,
        collection: answer.collection,
        description: saved?.description ?? "",
        messages: saved ? tab.savedMessages.peek() : [],
        revision: null,
      };
    }
    const request = requestFromFields(
      {
        url: tab.url.peek(),
        params: tab.params.peek(),
        headers: tab.headers.peek(),
        protocols: tab.protocols.peek(),
        settings: tab.settings.peek(),
      },
      base,
    );
    this.error.value = "";
    try {
      const r = await this.rpc.call("wsdeck.requests.save", {
        request,
        ...(opts.force ? { force: true } : {}),
      });
      tab.markSaved(r);
      this.upsert(r, request.id);
      this.quietReload();
      return true;
    } catch (e) {
      if (e instanceof RpcError && e.code === -32009) tab.conflict.value = workspaceError(e);
      else this.error.value = workspaceError(e);
      return false;
    }
  }

  /** Fetches a request as it is on disk now (null when it is gone). */
  async fetch(id: string): Promise<WsRequest | null> {
    await this.load();
    return this.requests.peek().find((r) => r.id === id) ?? null;
  }

  async rename(id: string, name: string): Promise<WsRequest | null> {
    const r = await this.run(() => this.rpc.call("wsdeck.requests.rename", { id, name }));
    if (r) this.upsert(r, id);
    return r;
  }

  async duplicate(id: string): Promise<WsRequest | null> {
    const r = await this.run(() => this.rpc.call("wsdeck.requests.duplicate", { id }));
    if (r) this.upsert(r);
    return r;
  }

  /** Moves a request to another collection (`[]`: the top level); its id changes. */
  async move(id: string, collection: string[]): Promise<WsRequest | null> {
    const r = await this.run(() => this.rpc.call("wsdeck.requests.move", { id, collection }));
    if (r) this.upsert(r, id);
    return r;
  }

  async deleteRequest(id: string): Promise<boolean> {
    const ok = await this.run(() =>
      this.rpc.call("wsdeck.requests.delete", { id }).then(() => true),
    );
    if (ok) this.remove(id);
    return ok === true;
  }

  async createCollection(parent: string[], name: string): Promise<string[] | null> {
    const r = await this.run(() => this.rpc.call("wsdeck.collections.create", { parent, name }));
    if (!r) return null;
    await this.load();
    return r.path;
  }

  /** Renames a collection: its display name only (its folder, and its requests' ids, stay). */
  async renameCollection(path: string[], name: string): Promise<boolean> {
    const description = findCollection(this.root.peek(), path)?.description ?? "";
    const ok = await this.run(() =>
      this.rpc.call("wsdeck.collections.describe", { path, name, description }).then(() => true),
    );
    if (ok) await this.load();
    return ok === true;
  }

  async deleteCollection(path: string[]): Promise<boolean> {
    const ok = await this.run(() =>
      this.rpc.call("wsdeck.collections.delete", { path }).then(() => true),
    );
    if (ok) await this.load();
    return ok === true;
  }

  // ---- Saved messages (each answers the whole request)

  async message<K extends MessageMethod>(
    tab: RequestTab,
    method: K,
    params: Omit<ParamsOf<`wsdeck.messages.${K}`>, "id">,
    optimistic?: SavedMessage[],
  ): Promise<boolean> {
    const saved = tab.saved.peek();
    if (!saved) return false;
    const before = tab.savedMessages.peek();
    if (optimistic) tab.savedMessages.value = optimistic;
    // The request's id completes the params the caller gave (TypeScript cannot see that
    // `{id} & Omit<P, "id">` is `P` for a generic P).
    const full = { id: saved.id, ...params } as ParamsOf<`wsdeck.messages.${K}`>;
    const r = await this.run(() => this.rpc.call(`wsdeck.messages.${method}`, full));
    if (!r) {
      tab.savedMessages.value = before;
      return false;
    }
    // The file's revision and messages are new; `markSaved` leaves the tab's own edits.
    tab.markSaved(r);
    this.upsert(r, saved.id);
    return true;
  }
}

/** The tree with request `oldId` removed, and `newId` (when given) added in `collection`. */
export function placeRequest(
  root: WsCollection,
  oldId: string,
  newId: string | null,
  collection: string[],
): WsCollection {
  const key = collection.join("/");
  const visit = (c: WsCollection): WsCollection => {
    const here = c.path.join("/") === key;
    let requests = c.requests;
    const at = requests.indexOf(oldId);
    if (at >= 0 && !(here && newId !== null)) requests = requests.filter((r) => r !== oldId);
    else if (at >= 0 && here && newId !== null)
      requests = requests.map((r) => (r === oldId ? newId : r));
    else if (here && newId !== null && !requests.includes(newId)) requests = [...requests, newId];
    return { ...c, requests, collections: c.collections.map(visit) };
  };
  return visit(root);
}
