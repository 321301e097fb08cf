// A read-only tab showing one recorded session (the history's counterpart of RequestTab).

import { computed, signal } from "@preact/signals";
import type { Rpc } from "../rpc";
import type { HistorySession } from "../types";
import { hostPath } from "./convert";
import { RecordedSession } from "./recorded";

// Far from RequestTab's ids (they count up from 1): both share the tab list's element ids.
let nextId = 1_000_000;

export class HistoryTab {
  readonly id = nextId++;
  readonly kind = "history" as const;
  readonly session: RecordedSession;
  /** With the record's id: two sessions of one URL are two tabs a user can tell apart. */
  readonly name = computed(
    () => `History #${this.session.id}: ${hostPath(this.session.info.value?.url ?? "")}`,
  );
  readonly url = computed(() => this.session.info.value?.url ?? "");
  /** Export in progress / its error. */
  readonly exportNote = signal("");

  constructor(rpc: Pick<Rpc, "call">, summary: HistorySession) {
    this.session = new RecordedSession(rpc, summary);
    void this.session.load();
  }

  get recordId(): number {
    return this.session.id;
  }

  dispose(): void {
    this.session.dispose();
  }
}

export function isHistoryTab(t: unknown): t is HistoryTab {
  return t instanceof HistoryTab;
}
