// What a request tab's panes (the request pane, the composer, its saved messages) need of the
// workspace: saving the tab and editing its saved messages. Declared here, on the request's
// side, and implemented by the sidebar's WorkspaceStore: the request feature then does not
// import the sidebar, which imports the request's model to save it.

import type { ReadonlySignal } from "@preact/signals";
import type { SavedMessage, WsRequest } from "../types";
import type { RequestTab } from "./model";

export type WorkspaceStatus = "loading" | "ready" | "unavailable";

export interface RequestWorkspace {
  /** Saving is offered only once the workspace is "ready". */
  readonly status: ReadonlySignal<WorkspaceStatus>;
  /** Saves the tab (asking for a name when it is new, or `asNew`); true once saved. */
  saveTab(tab: RequestTab, opts?: { force?: boolean; asNew?: boolean }): Promise<boolean>;
  /** The saved request as it is on disk now (null: it could not be read). */
  fetch(id: string): Promise<WsRequest | null>;
  /** Asks the user for a name (null: cancelled). */
  askName(title: string, label: string, value: string, confirm?: string): Promise<string | null>;
  /** Asks the user to confirm `confirm` (e.g. "Delete"); true when they do. */
  askConfirm(title: string, text: string, confirm: string): Promise<boolean>;
  /** Changes the tab's saved messages (`wsdeck.messages.<method>`), showing `optimistic` at
   *  once; true once written. */
  message(
    tab: RequestTab,
    method: "add" | "rename" | "duplicate" | "move" | "delete",
    params: Record<string, unknown>,
    optimistic?: SavedMessage[],
  ): Promise<boolean>;
}
