// What the workbench listens to on the page as a whole, as hooks of the App: the link to
// wsdeck coming up, the files changing on disk, the keyboard shortcuts, the address's
// fragment. Each says what it does with the event; the doing is the workbench's.

import { useEffect } from "preact/hooks";
import type { Rpc } from "../rpc";
import { shortcutFor } from "./Shortcuts";
import type { Workbench } from "./workbench";

/** How often the workspace's files are checked for changes made outside the page. */
const POLL_MS = 5000;

/** The workspace and the history load once the link is up (and again after wsdeck restarts:
 *  the files may have changed); the files are checked while the page is visible. */
export function useWorkspaceSync(bench: Workbench, rpc: Rpc): void {
  useEffect(() => {
    const stop = rpc.status.subscribe((s) => {
      if (s === "open") {
        void bench.workspace.load();
        void bench.history.refresh();
      }
    });
    const poll = setInterval(() => {
      if (document.visibilityState === "visible") void bench.workspace.pollChanges();
    }, POLL_MS);
    return () => {
      stop();
      clearInterval(poll);
    };
  }, [bench, rpc]);
}

/** Ctrl+S (⌘S) saves the active request, wherever focus is (the browser's "Save page" would
 *  be no use here). */
export function useSaveKey(bench: Workbench): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === "s") {
        e.preventDefault();
        bench.saveActive();
      }
    };
    addEventListener("keydown", onKey);
    return () => removeEventListener("keydown", onKey);
  }, [bench]);
}

/** `?` shows the shortcuts (`showHelp`), `/` goes to the shown tab's message search. */
export function useShortcuts(bench: Workbench, showHelp: () => void): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const what = shortcutFor(e);
      // Not while a dialog has the keys; one that is closing (focus already back on the
      // page, its `open` not yet removed) no longer holds them back.
      if (!what || (e.target instanceof Element && e.target.closest("dialog[open]"))) return;
      e.preventDefault();
      if (what === "help") showHelp();
      else bench.focusSearch();
    };
    addEventListener("keydown", onKey);
    return () => removeEventListener("keydown", onKey);
  }, [bench, showHelp]);
}

/** A request in the address's fragment opens on load, and when a link changes only the
 *  fragment of this same page; a new token there needs a fresh start (it is read once). */
export function useLinkedRequests(bench: Workbench): void {
  useEffect(() => {
    bench.applyFragment();
    const onHash = () => {
      if (new URLSearchParams(location.hash.replace(/^#/, "")).has("token")) location.reload();
      else bench.applyFragment();
    };
    addEventListener("hashchange", onHash);
    return () => removeEventListener("hashchange", onHash);
  }, [bench]);
}
