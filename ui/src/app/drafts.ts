// The request tabs kept across a reload, in this browser tab's sessionStorage: what was typed
// is not lost when the page reloads, and another browser tab starts with its own set.

import { effect, type ReadonlySignal } from "@preact/signals";
import type { RequestTab } from "../request/model";
import { DRAFTS_KEY, deserializeWorkspace, serializeWorkspace, type Workspace } from "./persist";

/** Writes wait this long after the last change: typing does not serialise on every key. */
const WRITE_DELAY_MS = 300;

function sessionStore(): Storage | null {
  try {
    return typeof sessionStorage === "undefined" ? null : sessionStorage;
  } catch {
    return null;
  }
}

/** The drafts saved before the reload, or null when there are none (or storage is blocked). */
export function readDrafts(): Workspace | null {
  return deserializeWorkspace(sessionStore()?.getItem(DRAFTS_KEY) ?? null);
}

/**
 * Keeps the drafts of `requests()` (and which one is `activeId`) in sessionStorage from now on:
 * shortly after every change, and at once when the page is hidden (a reload right after an
 * edit still finds it).
 */
export function keepDrafts(requests: () => RequestTab[], activeId: ReadonlySignal<number>): void {
  const store = sessionStore();
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
    const tabs = requests();
    pending = serializeWorkspace({
      drafts: tabs.map((t) => t.toDraft()),
      active: Math.max(
        0,
        tabs.findIndex((t) => t.id === activeId.value),
      ),
    });
    clearTimeout(timer);
    timer = setTimeout(write, WRITE_DELAY_MS);
  });
  addEventListener("pagehide", () => {
    clearTimeout(timer);
    write();
  });
}
