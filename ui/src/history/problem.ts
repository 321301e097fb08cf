// What wsdeck says is wrong with the history (`wsdeck.historyError`): it could not be opened
// (damaged file: the page works without a history, and the message says how to move the
// file away), or a write failed (disk full: sessions are recorded only up to there). Kept
// until the user dismisses it, so that a partial record is never taken for a whole one.

import { signal } from "@preact/signals";
import type { Rpc } from "../rpc";

export interface HistoryProblem {
  kind: "unavailable" | "writeFailed";
  message: string;
}

/** The notification's params as a problem; `null` for anything else. */
export function parseHistoryProblem(params: unknown): HistoryProblem | null {
  if (typeof params !== "object" || params === null) return null;
  const { kind, message } = params as Record<string, unknown>;
  if ((kind !== "unavailable" && kind !== "writeFailed") || typeof message !== "string") {
    return null;
  }
  return { kind, message };
}

export class HistoryProblemStore {
  readonly problem = signal<HistoryProblem | null>(null);
  /** The message last dismissed: wsdeck says the problem in force again on each reconnection. */
  private dismissed = "";

  constructor(rpc: Pick<Rpc, "on">) {
    rpc.on("wsdeck.historyError", (params) => this.receive(params));
  }

  receive(params: unknown): void {
    const problem = parseHistoryProblem(params);
    if (!problem || problem.message === this.dismissed) return;
    this.problem.value = problem;
  }

  dismiss(): void {
    this.dismissed = this.problem.peek()?.message ?? "";
    this.problem.value = null;
  }
}
